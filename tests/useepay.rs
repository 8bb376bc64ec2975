//! UseePay and WeChat login rules against the vectors in tests/fixtures, natively.

use std::path::PathBuf;

use aggpay::ErrorCode;
use aggpay::crypto::step::{Answer, Pending};
use aggpay::useepay::UseePay;
use aggpay::wechat::login;
use serde_json::{Value, json};

fn fixture(path: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn client(mut config: Value) -> UseePay {
    config["merchantNo"] = "500000000007362".into();
    config["appId"] = "www.pay.com".into();
    UseePay::new(&config).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs a prepared operation with the in-core engine over the client's own keys (MD5 needs none).
fn run<T: 'static>(c: &UseePay, prepared: aggpay::Result<Pending<T>>) -> aggpay::Result<T> {
    match c.keys() {
        Some(keys) => prepared?.run(keys),
        None => prepared?.finish(Answer::Nothing),
    }
}

fn jsapi_args(params: &Value) -> Value {
    let payer: Value = serde_json::from_str(params["payerInfo"].as_str().unwrap()).unwrap();
    let order: Value = serde_json::from_str(params["orderInfo"].as_str().unwrap()).unwrap();
    json!({
        "transactionId": params["transactionId"],
        "amount": { "minor": params["amount"], "currency": params["currency"] },
        "subAppId": payer["sub_appid"], "subOpenId": payer["sub_openid"], "subject": order["subject"],
        "notifyUrl": params["notifyUrl"], "expirationMinutes": 20,
    })
}

#[test]
fn every_useepay_vector() {
    let all: Value = serde_json::from_str(&fixture("useepay/vectors.json")).unwrap();
    let mut checked = 0;
    for v in all["vectors"].as_array().unwrap() {
        let params = &v["params"];
        let expect = v["expect"].as_str().unwrap();
        match v["kind"].as_str().unwrap() {
            "md5-sign" | "rsa-sign" => {
                let c = if v["kind"] == "md5-sign" {
                    client(json!({ "signType": "MD5", "md5Key": v["md5_key"] }))
                } else {
                    client(
                        json!({ "signType": "RSA", "privateKey": fixture(&format!("useepay/{}", v["private_key"].as_str().unwrap())), "useepayPublicKey": fixture("useepay/test-useepay-public.pem") }),
                    )
                };
                let body = if params["transactionType"] == "pay" && params.get("payerInfo").is_some() {
                    run(&c, c.build_jsapi_pay(&jsapi_args(params))).unwrap().body.unwrap()
                } else {
                    // A bare field set (not a request envelope): sign exactly these fields.
                    let fields: Vec<(String, String)> = params
                        .as_object()
                        .unwrap()
                        .iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                        .collect();
                    assert_eq!(run(&c, c.sign(&fields)).unwrap(), expect, "{}", v["id"]);
                    checked += 1;
                    continue;
                };
                let sign = body.rsplit("&sign=").next().unwrap();
                let sign = String::from_utf8(
                    aggpay::codec::form::decode(format!("s={sign}").as_bytes()).unwrap().get("s").unwrap().to_vec(),
                )
                .unwrap();
                assert_eq!(sign, expect, "{}", v["id"]);
            }
            "md5-verify" | "notify-verify-rsa" => {
                let c = if v["kind"] == "md5-verify" {
                    client(json!({ "signType": "MD5", "md5Key": v["md5_key"] }))
                } else {
                    let public = v["public_key"].as_str().unwrap_or("test-useepay-public.pem");
                    if public == "test-merchant-public.pem" {
                        // The merchant's own key configured as UseePay's is refused before any verification.
                        let config = json!({ "merchantNo": "1", "appId": "a", "signType": "RSA", "privateKey": fixture("useepay/test-merchant-private.pem"), "useepayPublicKey": fixture("useepay/test-merchant-public.pem") });
                        let err = UseePay::new(&config).err().unwrap();
                        assert_eq!((err.code(), expect), (ErrorCode::KeyMismatch, "invalid"));
                        checked += 1;
                        continue;
                    }
                    client(
                        json!({ "signType": "RSA", "privateKey": fixture("useepay/test-merchant-private.pem"), "useepayPublicKey": fixture(&format!("useepay/{public}")) }),
                    )
                };
                let body = match v["form_body"].as_str() {
                    Some(b) => b.to_owned(),
                    None => aggpay::codec::form::encode(
                        params.as_object().unwrap().iter().map(|(k, v)| (k.as_str(), v.as_str().unwrap())),
                    ),
                };
                let result = run(&c, c.verify_notify(body.as_bytes()));
                if expect == "valid" {
                    let event = result.unwrap_or_else(|e| panic!("{}: {e}", v["id"]));
                    assert_eq!(event["paid"], params["resultCode"] == "succeed");
                } else {
                    assert_eq!(result.unwrap_err().code(), ErrorCode::SignatureInvalid, "{}", v["id"]);
                }
            }
            other => panic!("unhandled vector kind {other}"),
        }
        checked += 1;
    }
    assert_eq!(checked, all["vectors"].as_array().unwrap().len());
}

#[test]
fn wechat_user_data_vector_and_watermark() {
    let all: Value = serde_json::from_str(&fixture("wechatpay/vectors.json")).unwrap();
    let found: Vec<&Value> =
        all["vectors"].as_array().unwrap().iter().filter(|v| v["expect_watermark_appid"].is_string()).collect();
    assert!(!found.is_empty());
    for v in found {
        let (key, data, iv) =
            (v["session_key"].as_str().unwrap(), v["encrypted_data"].as_str().unwrap(), v["iv"].as_str().unwrap());
        let appid = v["expect_watermark_appid"].as_str().unwrap();
        assert_eq!(
            login::decrypt_user_data(appid, key, data, iv, &Default::default()).unwrap(),
            v["expect"].as_str().unwrap()
        );
        assert_eq!(
            login::decrypt_user_data("wx-other", key, data, iv, &Default::default()).unwrap_err().code(),
            ErrorCode::WatermarkMismatch
        );
        let mut tampered = data.to_owned();
        tampered.replace_range(10..11, if &data[10..11] == "A" { "B" } else { "A" });
        assert!(login::decrypt_user_data(appid, key, &tampered, iv, &Default::default()).is_err());
    }
}

/// The client prints its merchant and scheme, never the MD5 key.
#[test]
fn debug_never_shows_the_md5_key() {
    let c = client(json!({ "signType": "MD5", "md5Key": "md5-key-NEVER-SHOWN" }));
    let shown = format!("{c:?}");
    assert!(shown.contains("MD5") && !shown.contains("NEVER-SHOWN"), "{shown}");
}

/// A paid event carries an amount in integer minor units, or the message is refused.
#[test]
fn paid_events_need_a_valid_amount() {
    let c = client(json!({ "signType": "MD5", "md5Key": "k" }));
    let notify = |amount: Option<&str>| {
        let mut fields: Vec<(String, String)> =
            [("resultCode", "succeed"), ("currency", "HKD"), ("transactionId", "T1"), ("signType", "MD5")]
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .to_vec();
        if let Some(a) = amount {
            fields.push(("amount".into(), a.into()));
        }
        let sign = run(&c, c.sign(&fields)).unwrap();
        fields.push(("sign".into(), sign));
        let body = aggpay::codec::form::encode(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        run(&c, c.verify_notify(body.as_bytes()))
    };
    assert_eq!(notify(Some("100")).unwrap()["amount"], json!({ "minor": 100, "currency": "HKD" }));
    for bad in [None, Some("+100"), Some("1.00"), Some("-1"), Some(" 100 "), Some("18446744073709551616")] {
        assert_eq!(notify(bad).unwrap_err().code(), ErrorCode::ResponseMalformed, "{bad:?}");
    }
}

/// An RSA client holds only the keys its operations need.
#[test]
fn verify_only_and_sign_only_rsa_clients() {
    let verify_only =
        client(json!({ "signType": "RSA", "useepayPublicKey": fixture("useepay/test-useepay-public.pem") }));
    let err = verify_only.build_query(&json!({ "transactionId": "T1" })).unwrap_err();
    assert_eq!(err.code(), ErrorCode::VerifyOnly);
    let sign_only = client(json!({ "signType": "RSA", "privateKey": fixture("useepay/test-merchant-private.pem") }));
    let request = run(&sign_only, sign_only.build_query(&json!({ "transactionId": "T1" }))).unwrap();
    let body = request.body.unwrap();
    assert_eq!(
        sign_only.verify_notify(format!("{body}&resultCode=succeed").as_bytes()).unwrap_err().code(),
        ErrorCode::NoProviderKey
    );
    let config = json!({ "merchantNo": "1", "appId": "a", "signType": "RSA" });
    assert_eq!(UseePay::new(&config).unwrap_err().code(), ErrorCode::BadInput);
}
