//! WeChat Pay APIv3 rules against the vectors in tests/fixtures/wechatpay, natively: the published SDK
//! and documentation vectors (vectors.json), the derived ones (derived-vectors.json), and those made
//! with node:crypto (node-vectors.json, from node-vectors.mjs). Expected values all come from those
//! files; nothing here is computed with the code under test.

use std::path::PathBuf;

use aggpay::ErrorCode;
use aggpay::crypto::step::{Pending, Step};
use aggpay::http::HttpRequest;
use aggpay::wechat::pay::notify::{self, decrypt_resource};
use aggpay::wechat::pay::request::Stamp;
use aggpay::wechat::pay::trade::TradeType;
use aggpay::wechat::pay::{Api, WechatPay};
use serde_json::{Value, json};

const PLATFORM_SERIAL: &str = "440024045C4A427599D09BB4E3DE0279F2E813FD";
const PUBLIC_KEY_ID: &str = "PUB_KEY_ID_0000000000000024101100397200000006";
const MERCHANT_SERIAL: &str = "5F1C72E2A8931B72A2E13AF8DEE92471EB397115";
const API_V3_KEY: &str = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";

fn fixture(path: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wechatpay").join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn json_fixture(path: &str) -> Value {
    serde_json::from_str(&fixture(path)).unwrap()
}

fn vector(id: &str) -> Value {
    let all = json_fixture("vectors.json");
    all["vectors"].as_array().unwrap().iter().find(|v| v["id"] == id).cloned().unwrap_or_else(|| panic!("no {id}"))
}

fn node() -> Value {
    json_fixture("node-vectors.json")
}

fn client(extra: Value) -> WechatPay {
    let mut config = json!({
        "mchid": "1230000109",
        "merchantSerialNo": MERCHANT_SERIAL,
        "privateKey": fixture("java-sdk/merchant_private_key.pem"),
        "platformCertificates": fixture("java-sdk/wechat_pay_certificate.pem"),
        "apiV3Key": API_V3_KEY,
    });
    for (k, v) in extra.as_object().unwrap() {
        if v.is_null() {
            config.as_object_mut().unwrap().remove(k);
        } else {
            config[k] = v.clone();
        }
    }
    WechatPay::new(&config).unwrap_or_else(|e| panic!("{e}"))
}

fn run<T: 'static>(c: &WechatPay, prepared: aggpay::Result<Pending<T>>) -> aggpay::Result<T> {
    prepared?.run(c.keys())
}

fn stamp(seconds: u64, nonce: &str) -> Stamp {
    Stamp { now_ms: seconds as f64 * 1000.0, nonce: nonce.to_owned() }
}

fn header<'a>(request: &'a HttpRequest, name: &str) -> Option<&'a str> {
    request.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

fn signature_of(authorization: &str) -> &str {
    authorization.split("signature=\"").nth(1).unwrap().trim_end_matches('"')
}

fn headers_of(v: &Value) -> Vec<(String, String)> {
    v.as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned())).collect()
}

fn borrowed(headers: &[(String, String)]) -> Vec<(&str, &str)> {
    headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

fn with_header(headers: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = headers.iter().filter(|(k, _)| k != name).cloned().collect();
    out.push((name.to_owned(), value.to_owned()));
    out
}

fn seconds(text: &Value) -> u64 {
    text.as_str().unwrap().parse().unwrap()
}

/// The documented Authorization over `GET /v3/certificates` (vectors.json, derived with Python and
/// re-checked with node:crypto), byte for byte.
#[test]
fn authorization_vectors() {
    let v = vector("v3-auth-get-certificates");
    let c = client(json!({ "mchid": v["mchid"], "merchantSerialNo": v["serial_no"] }));
    let prepared =
        c.build_certificates_request(&stamp(seconds(&v["timestamp"]), v["nonce"].as_str().unwrap())).unwrap();
    match prepared.step() {
        Step::Sign(s) => assert_eq!(s.message, v["message"].as_str().unwrap().as_bytes()),
        other => panic!("{other:?}"),
    }
    let request = prepared.run(c.keys()).unwrap();
    assert_eq!(header(&request, "authorization"), v["authorization"].as_str());
    assert_eq!(request.url, "https://api.mch.weixin.qq.com/v3/certificates");
    assert_eq!((request.method, request.body.as_deref()), ("GET", None));
    assert_eq!(header(&request, "accept"), Some("application/json"));
    assert!(header(&request, "user-agent").is_some_and(|ua| ua.starts_with("aggpay/")));
    assert_eq!(header(&request, "content-type"), None);
    assert_eq!(header(&request, "wechatpay-serial"), None);
}

/// The JSAPI order of the documentation, built by the typed builder from `{ minor, currency }`: the
/// exact body and signature of the vector.
#[test]
fn jsapi_prepay_vector() {
    let v = vector("v3-auth-post-jsapi");
    let c = client(json!({ "appId": "wxd678efh567hg6787" }));
    let order = json!({
        "description": "Image形象店-深圳腾大-QQ公仔",
        "out_trade_no": "1217752501201407033233368018",
        "notify_url": "https://www.weixin.qq.com/wxpay/pay.php",
        "amount": { "minor": 100, "currency": "CNY" },
        "payer": { "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" },
    });
    let request = run(
        &c,
        c.build_prepay(TradeType::Jsapi, &order, &stamp(seconds(&v["timestamp"]), v["nonce"].as_str().unwrap())),
    )
    .unwrap();
    assert_eq!(request.body.as_deref(), v["body"].as_str());
    assert_eq!(request.url, format!("https://api.mch.weixin.qq.com{}", v["canonical_url"].as_str().unwrap()));
    assert_eq!(signature_of(header(&request, "authorization").unwrap()), v["expect"].as_str().unwrap());
    assert_eq!(header(&request, "content-type"), Some("application/json"));
}

/// Paths with queries and reserved characters, bodies with Chinese, emoji, quotes and `\u` escapes:
/// the Authorization node:crypto computed over the exact path and body.
#[test]
fn node_request_signatures() {
    let n = node();
    let c = client(json!({}));
    for r in n["requests"].as_array().unwrap() {
        let body = r["body"].as_str().unwrap();
        let args = json!({
            "method": r["method"], "path": r["canonical_url"],
            "body": if body.is_empty() { Value::Null } else { body.into() },
        });
        let request =
            run(&c, c.build_request(&args, &stamp(seconds(&r["timestamp"]), r["nonce"].as_str().unwrap()))).unwrap();
        let auth = header(&request, "authorization").unwrap();
        assert_eq!(signature_of(auth), r["signature"].as_str().unwrap(), "{}", r["canonical_url"]);
        assert!(auth.starts_with(&format!(
            "WECHATPAY2-SHA256-RSA2048 mchid=\"1230000109\",nonce_str=\"{}\",timestamp=\"{}\",serial_no=\"{MERCHANT_SERIAL}\",signature=\"",
            r["nonce"].as_str().unwrap(),
            r["timestamp"].as_str().unwrap()
        )));
        assert_eq!(request.body.as_deref().unwrap_or(""), body);
        assert_eq!(request.url, format!("https://api.mch.weixin.qq.com{}", r["canonical_url"].as_str().unwrap()));
    }
}

/// What the typed builders send for the follow-ups, direct and partner (bodies and paths from the
/// shared spec §6), and what they refuse.
#[test]
fn typed_builders() {
    let s = stamp(1_700_000_000, "n1");
    let direct = client(json!({ "appId": "wxd678efh567hg6787", "notifyUrl": "https://example.com/wx" }));
    let built = |r: aggpay::Result<Pending<HttpRequest>>| run(&direct, r).unwrap();
    let q = built(direct.build_query(&json!({ "transactionId": "4200000000" }), &s));
    assert_eq!(
        (q.method, q.url.as_str()),
        ("GET", "https://api.mch.weixin.qq.com/v3/pay/transactions/id/4200000000?mchid=1230000109")
    );
    let q = built(direct.build_query(&json!({ "outTradeNo": "T-1|2*3" }), &s));
    assert_eq!(q.url, "https://api.mch.weixin.qq.com/v3/pay/transactions/out-trade-no/T-1|2*3?mchid=1230000109");
    let close = built(direct.build_close(&json!({ "outTradeNo": "T1" }), &s));
    assert_eq!(
        (close.url.as_str(), close.body.as_deref()),
        ("https://api.mch.weixin.qq.com/v3/pay/transactions/out-trade-no/T1/close", Some(r#"{"mchid":"1230000109"}"#))
    );
    let refund = built(direct.build_refund(
        &json!({ "out_trade_no": "T1", "out_refund_no": "R1", "amount": { "refund": { "minor": 50, "currency": "CNY" }, "total": { "minor": 100, "currency": "CNY" } } }),
        &s,
    ));
    assert_eq!(refund.url, "https://api.mch.weixin.qq.com/v3/refund/domestic/refunds");
    assert_eq!(
        refund.body.as_deref(),
        Some(
            r#"{"out_trade_no":"T1","out_refund_no":"R1","amount":{"refund":50,"total":100,"currency":"CNY"},"notify_url":"https://example.com/wx"}"#
        )
    );
    let rq = built(direct.build_refund_query(&json!({ "outRefundNo": "R1" }), &s));
    assert_eq!(rq.url, "https://api.mch.weixin.qq.com/v3/refund/domestic/refunds/R1");
    let native = built(direct.build_prepay(
        TradeType::Native,
        &json!({ "description": "d", "out_trade_no": "T2", "amount": { "minor": 1, "currency": "CNY" } }),
        &s,
    ));
    assert_eq!(native.url, "https://api.mch.weixin.qq.com/v3/pay/transactions/native");
    assert_eq!(
        native.body.as_deref(),
        Some(
            r#"{"appid":"wxd678efh567hg6787","mchid":"1230000109","description":"d","out_trade_no":"T2","amount":{"total":1,"currency":"CNY"},"notify_url":"https://example.com/wx"}"#
        )
    );

    let partner =
        client(json!({ "partner": true, "appId": "wx8888888888888888", "notifyUrl": "https://example.com/wx" }));
    let built = |r: aggpay::Result<Pending<HttpRequest>>| run(&partner, r).unwrap();
    let order = json!({ "sub_mchid": "1900000109", "sub_appid": "wxd678efh567hg6999", "description": "d", "out_trade_no": "T3",
        "amount": { "minor": 1, "currency": "CNY" }, "payer": { "sub_openid": "o1" } });
    let jsapi = built(partner.build_prepay(TradeType::Jsapi, &order, &s));
    assert_eq!(jsapi.url, "https://api.mch.weixin.qq.com/v3/pay/partner/transactions/jsapi");
    assert_eq!(
        jsapi.body.as_deref(),
        Some(
            r#"{"sp_appid":"wx8888888888888888","sp_mchid":"1230000109","sub_appid":"wxd678efh567hg6999","sub_mchid":"1900000109","description":"d","out_trade_no":"T3","amount":{"total":1,"currency":"CNY"},"payer":{"sub_openid":"o1"},"notify_url":"https://example.com/wx"}"#
        )
    );
    let q = built(partner.build_query(&json!({ "outTradeNo": "T3", "subMchid": "1900000109" }), &s));
    assert_eq!(
        q.url,
        "https://api.mch.weixin.qq.com/v3/pay/partner/transactions/out-trade-no/T3?sp_mchid=1230000109&sub_mchid=1900000109"
    );
    let close = built(partner.build_close(&json!({ "outTradeNo": "T3", "subMchid": "1900000109" }), &s));
    assert_eq!(close.body.as_deref(), Some(r#"{"sp_mchid":"1230000109","sub_mchid":"1900000109"}"#));
    let rq = built(partner.build_refund_query(&json!({ "outRefundNo": "R1", "subMchid": "1900000109" }), &s));
    assert_eq!(rq.url, "https://api.mch.weixin.qq.com/v3/refund/domestic/refunds/R1?sub_mchid=1900000109");

    let refused = |r: aggpay::Result<Pending<HttpRequest>>| assert_eq!(r.unwrap_err().code(), ErrorCode::BadInput);
    let amount = json!({ "minor": 1, "currency": "CNY" });
    refused(direct.build_prepay(
        TradeType::Jsapi,
        &json!({ "description": "d", "out_trade_no": "T", "amount": amount }),
        &s,
    ));
    refused(direct.build_prepay(
        TradeType::Native,
        &json!({ "description": "d", "out_trade_no": "T", "amount": { "total": 0.01, "currency": "CNY" } }),
        &s,
    ));
    refused(direct.build_prepay(
        TradeType::Native,
        &json!({ "description": "d", "out_trade_no": "T", "amount": { "minor": 0, "currency": "CNY" } }),
        &s,
    ));
    refused(direct.build_prepay(
        TradeType::Native,
        &json!({ "description": "d", "out_trade_no": 7, "amount": amount }),
        &s,
    ));
    refused(direct.build_prepay(
        TradeType::Native,
        &json!({ "description": "d", "out_trade_no": "T", "amount": amount, "mchid": "999" }),
        &s,
    ));
    refused(direct.build_prepay(TradeType::H5, &json!({ "description": "d", "out_trade_no": "T", "amount": amount, "scene_info": { "payer_client_ip": "1.2.3.4" } }), &s));
    refused(direct.build_prepay(
        TradeType::Native,
        &json!({ "description": "d", "out_trade_no": "T", "amount": amount, "sub_mchid": "1" }),
        &s,
    ));
    refused(direct.build_query(&json!({ "outTradeNo": "T/../x" }), &s));
    refused(direct.build_query(&json!({ "outTradeNo": "T", "transactionId": "1" }), &s));
    refused(direct.build_query(&json!({ "outTradeNo": "T", "subMchid": "1" }), &s));
    refused(direct.build_refund(&json!({ "out_trade_no": "T", "out_refund_no": "R", "amount": { "refund": { "minor": 2, "currency": "CNY" }, "total": { "minor": 1, "currency": "CNY" } } }), &s));
    refused(
        direct.build_refund(
            &json!({ "out_trade_no": "T", "transaction_id": "1", "out_refund_no": "R", "amount": {} }),
            &s,
        ),
    );
    refused(direct.build_request(&json!({ "method": "GET", "path": "/v3/x", "body": { "a": 1 } }), &s));
    refused(
        direct.build_request(&json!({ "method": "POST", "path": "/v3/x", "body": { "amount": { "total": 1.5 } } }), &s),
    );
    refused(direct.build_request(&json!({ "method": "POST", "path": "/v3/x y" }), &s));
    refused(direct.build_request(&json!({ "method": "GET", "path": "/v3/x" }), &stamp(1, "bad nonce")));
    refused(partner.build_prepay(TradeType::Jsapi, &json!({ "sub_mchid": "1", "description": "d", "out_trade_no": "T", "amount": amount, "payer": { "sub_openid": "o" } }), &s));
    refused(partner.build_prepay(TradeType::Jsapi, &json!({ "sub_mchid": "1", "description": "d", "out_trade_no": "T", "amount": amount, "payer": { "sp_openid": "o", "sub_openid": "o" }, "sub_appid": "a" }), &s));
    refused(partner.build_prepay(
        TradeType::Native,
        &json!({ "description": "d", "out_trade_no": "T", "amount": amount }),
        &s,
    ));
    refused(partner.build_query(&json!({ "outTradeNo": "T" }), &s));
    refused(partner.build_refund(&json!({ "out_trade_no": "T", "out_refund_no": "R", "amount": {} }), &s));
}

/// `wechatpaySerial` names a configured key; a configured public key id goes out by default.
#[test]
fn wechatpay_serial_header() {
    let s = stamp(1_700_000_000, "n1");
    let both = client(
        json!({ "wechatpayPublicKey": fixture("java-sdk/wechat_pay_public_key.pem"), "wechatpayPublicKeyId": PUBLIC_KEY_ID }),
    );
    let plain = run(&both, both.build_request(&json!({ "method": "GET", "path": "/v3/x" }), &s)).unwrap();
    assert_eq!(header(&plain, "wechatpay-serial"), Some(PUBLIC_KEY_ID));
    let named = run(&both, both.build_request(&json!({ "method": "POST", "path": "/v3/x", "body": {}, "wechatpaySerial": PLATFORM_SERIAL.to_lowercase() }), &s)).unwrap();
    assert_eq!(header(&named, "wechatpay-serial"), Some(PLATFORM_SERIAL));
    let err =
        both.build_request(&json!({ "method": "POST", "path": "/v3/x", "wechatpaySerial": "ABCDEF" }), &s).unwrap_err();
    assert_eq!(err.code(), ErrorCode::BadInput);
}

/// paySign over `appId\ntimeStamp\nnonceStr\npackage\n` with the Java and Go test keys (derived
/// vectors, cross-checked with openssl), and the App SDK sign from node:crypto.
#[test]
fn payment_parameter_vectors() {
    for (id, key) in [
        ("paysign-v3-java-key", fixture("java-sdk/merchant_private_key.pem")),
        ("paysign-v3-go-key", vector("paysign-v3-go-key")["private_key_pem"].as_str().unwrap().to_owned()),
    ] {
        let v = vector(id);
        let c = client(json!({ "privateKey": key, "platformCertificates": null }));
        let prepay_id = v["package"].as_str().unwrap().strip_prefix("prepay_id=").unwrap();
        let p = run(
            &c,
            c.build_request_payment(
                &json!({ "prepayId": prepay_id, "appId": v["appId"] }),
                &stamp(seconds(&v["timeStamp"]), v["nonceStr"].as_str().unwrap()),
            ),
        )
        .unwrap();
        assert_eq!(p.pay_sign, v["expect"].as_str().unwrap(), "{id}");
        let shown = serde_json::to_value(&p).unwrap();
        for field in ["appId", "timeStamp", "nonceStr", "package", "signType"] {
            assert_eq!(shown[field], v[field], "{id} {field}");
        }
    }
    let app = &node()["app"];
    let c = client(json!({}));
    let p = run(
        &c,
        c.build_app_payment(
            &json!({ "prepayId": app["prepayid"], "appId": app["appid"] }),
            &stamp(seconds(&app["timestamp"]), app["noncestr"].as_str().unwrap()),
        ),
    )
    .unwrap();
    assert_eq!(p.sign, app["sign"].as_str().unwrap());
    assert_eq!(serde_json::to_value(&p).unwrap()["package"], "Sign=WXPay");
    assert_eq!((p.partnerid.as_str(), p.timestamp.as_str()), ("1230000109", "1700000400"));
    assert_eq!(
        c.build_request_payment(&json!({ "prepayId": "wx1\nx" }), &stamp(1, "n")).unwrap_err().code(),
        ErrorCode::BadInput
    );
    assert_eq!(
        c.build_request_payment(&json!({ "prepayId": "wx1" }), &stamp(1, "n")).unwrap_err().code(),
        ErrorCode::BadInput
    );
}

/// The documented callback, signed by the test "WeChat Pay" key (derived vectors): verified, then
/// decrypted into a typed event; one changed byte of the body, or of a signed header, is refused.
#[test]
fn notification_vectors() {
    let v = vector("notification-transaction-success-verify");
    let decrypted = vector("notification-transaction-success-decrypt");
    let c = client(json!({}));
    let headers = headers_of(&v["headers"]);
    let now = v["now"].as_u64().unwrap();
    let body = v["body"].as_str().unwrap().as_bytes();
    let event = run(&c, c.verify_notify(&borrowed(&headers), body, now as f64 * 1000.0)).unwrap();
    assert!(event.paid);
    assert_eq!(event.plaintext, decrypted["expect"].as_str().unwrap());
    let shown = serde_json::to_value(&event).unwrap();
    assert_eq!(shown["amount"], json!({ "minor": 100, "currency": "CNY" }));
    assert_eq!(
        (
            shown["tradeStatus"].as_str(),
            shown["outTradeNo"].as_str(),
            shown["tradeNo"].as_str(),
            shown["appId"].as_str(),
            shown["mchid"].as_str()
        ),
        (
            Some("SUCCESS"),
            Some("1217752501201407033233368018"),
            Some("1217752501201407033233368018"),
            Some("wxd678efh567hg6787"),
            Some("1230000109")
        )
    );
    assert_eq!(
        (shown["openid"].as_str(), shown["notifyId"].as_str(), shown["notifyType"].as_str()),
        (Some("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"), Some("EV-2018022511223320873"), Some("TRANSACTION.SUCCESS"))
    );
    // The derived vector's tampered body, and one changed byte of each signed part.
    let t = vector("notification-transaction-success-tampered");
    let err = run(
        &c,
        c.verify_notify(
            &borrowed(&headers_of(&t["headers"])),
            t["body"].as_str().unwrap().as_bytes(),
            now as f64 * 1000.0,
        ),
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::SignatureInvalid);
    let mut last = body.to_vec();
    *last.last_mut().unwrap() = b' ';
    assert_eq!(
        run(&c, c.verify_notify(&borrowed(&headers), &last, now as f64 * 1000.0)).unwrap_err().code(),
        ErrorCode::SignatureInvalid
    );
    for (name, value) in
        [("Wechatpay-Nonce", "5K8264ILTKCH16CQ2502SI8ZNMTM67VT"), ("Wechatpay-Timestamp", "1700000001")]
    {
        let changed = with_header(&headers, name, value);
        assert_eq!(
            run(&c, c.verify_notify(&borrowed(&changed), body, now as f64 * 1000.0)).unwrap_err().code(),
            ErrorCode::SignatureInvalid,
            "{name}"
        );
    }
    // The reply.
    assert_eq!((notify::SUCCESS_REPLY.status, notify::SUCCESS_REPLY.body), (204, None));
}

/// The wechatpay-go callback (its own certificate, its frozen clock): the signature verifies over the
/// raw body, the one-character change is refused; its resource decrypts with the Go test key (16
/// bytes, so AES-128-GCM, which only the bare decryption takes).
#[test]
fn go_sdk_vectors() {
    let v = vector("go-notify-verify");
    let c = WechatPay::new(&json!({ "mchid": "1234567890", "platformCertificates": v["certificate_pem"] })).unwrap();
    let now = v["now"].as_f64().unwrap() * 1000.0;
    let headers = headers_of(&v["headers"]);
    let body =
        run(&c, c.verify_response(200, &borrowed(&headers), v["body"].as_str().unwrap().as_bytes(), now)).unwrap();
    assert_eq!(body, v["body"].as_str().unwrap());
    let t = vector("go-notify-verify-tampered");
    let err = run(
        &c,
        c.verify_response(200, &borrowed(&headers_of(&t["headers"])), t["body"].as_str().unwrap().as_bytes(), now),
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::SignatureInvalid);
    let d = vector("go-notify-decrypt");
    let resource: Value = serde_json::from_str::<Value>(d["body"].as_str().unwrap()).unwrap()["resource"].clone();
    let plain = decrypt_resource(
        d["apiv3_key"].as_str().unwrap().as_bytes(),
        resource["nonce"].as_str().unwrap(),
        resource["associated_data"].as_str().unwrap(),
        resource["ciphertext"].as_str().unwrap(),
    )
    .unwrap();
    assert_eq!(String::from_utf8(plain).unwrap(), d["expect"].as_str().unwrap());
    // A 16-byte APIv3 key is refused by the client: AEAD_AES_256_GCM takes 32.
    let err = WechatPay::new(
        &json!({ "mchid": "1", "platformCertificates": v["certificate_pem"], "apiV3Key": "testMchAPIv3Key0" }),
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::BadInput);
}

/// AEAD_AES_GCM vectors of the Go and Java SDKs; a changed tag, AAD or nonce is refused.
#[test]
fn aead_vectors() {
    for id in [
        "go-aes-gcm-hello-world",
        "go-aes-gcm-wrong-key",
        "go-aes-gcm-invalid-ciphertext",
        "java-aead-message",
        "java-aead-bad-aad",
        "java-aead-bad-nonce",
    ] {
        let v = vector(id);
        let result = decrypt_resource(
            v["key"].as_str().unwrap().as_bytes(),
            v["nonce"].as_str().unwrap(),
            v["associated_data"].as_str().unwrap(),
            v["ciphertext"].as_str().unwrap(),
        );
        match v["expect"].as_str().unwrap() {
            "error" => assert!(result.is_err(), "{id}"),
            expect => assert_eq!(String::from_utf8(result.unwrap()).unwrap(), expect, "{id}"),
        }
    }
    let n = node();
    let note = &n["notifications"][1];
    let resource = serde_json::from_str::<Value>(note["body"].as_str().unwrap()).unwrap()["resource"].clone();
    let (nonce, aad, ct) = (
        resource["nonce"].as_str().unwrap(),
        resource["associated_data"].as_str().unwrap(),
        resource["ciphertext"].as_str().unwrap(),
    );
    let key = API_V3_KEY.as_bytes();
    assert_eq!(
        String::from_utf8(decrypt_resource(key, nonce, aad, ct).unwrap()).unwrap(),
        note["plaintext"].as_str().unwrap()
    );
    use base64::Engine;
    let raw = base64::engine::general_purpose::STANDARD.decode(ct).unwrap();
    for at in [0, raw.len() - 1] {
        let mut bad = raw.clone();
        bad[at] ^= 1;
        let bad = base64::engine::general_purpose::STANDARD.encode(bad);
        assert_eq!(decrypt_resource(key, nonce, aad, &bad).unwrap_err().code(), ErrorCode::DecryptFailed);
    }
    assert_eq!(decrypt_resource(key, nonce, "refunD", ct).unwrap_err().code(), ErrorCode::DecryptFailed);
    assert_eq!(decrypt_resource(key, "r1r2r3r4r5r7", aad, ct).unwrap_err().code(), ErrorCode::DecryptFailed);
    assert_eq!(decrypt_resource(key, nonce, aad, "not base64!").unwrap_err().code(), ErrorCode::DecryptFailed);
}

/// Refund outcomes and a partner payment with Chinese, emoji, quotes and `\u` escapes (node:crypto).
#[test]
fn node_notifications() {
    let n = node();
    let c = client(json!({}));
    for note in n["notifications"].as_array().unwrap() {
        let headers = headers_of(&note["headers"]);
        let now = seconds(&note["headers"]["Wechatpay-Timestamp"]) as f64 * 1000.0;
        let event =
            run(&c, c.verify_notify(&borrowed(&headers), note["body"].as_str().unwrap().as_bytes(), now)).unwrap();
        assert_eq!(event.plaintext, note["plaintext"].as_str().unwrap());
        let plain: Value = serde_json::from_str(note["plaintext"].as_str().unwrap()).unwrap();
        let shown = serde_json::to_value(&event).unwrap();
        assert_eq!(shown["notifyId"], note["id"]);
        assert_eq!(shown["outTradeNo"], plain["out_trade_no"]);
        assert_eq!(shown["tradeNo"], plain["transaction_id"]);
        match plain["refund_status"].as_str() {
            Some(status) => {
                assert!(!event.paid);
                assert_eq!(shown["amount"], json!({ "minor": 999, "currency": "CNY" }));
                assert_eq!(shown["refund"]["refunded"], json!({ "minor": 250, "currency": "CNY" }));
                assert_eq!(shown["refund"]["refundStatus"], status);
                assert_eq!(shown["refund"]["final"], status != "ABNORMAL");
                assert_eq!(shown["refund"]["outRefundNo"], plain["out_refund_no"]);
            }
            None if plain["trade_state"] != "SUCCESS" => {
                assert!(!event.paid);
                assert_eq!(shown["tradeStatus"], plain["trade_state"]);
                assert_eq!(shown["amount"], json!({ "minor": 1, "currency": "CNY" }));
            }
            None => {
                assert!(event.paid);
                assert_eq!(shown["amount"], json!({ "minor": 12345, "currency": "CNY" }));
                assert_eq!(
                    (shown["appId"].as_str(), shown["mchid"].as_str(), shown["subMchid"].as_str()),
                    (Some("wx8888888888888888"), Some("1230000109"), Some("1900000109"))
                );
                assert_eq!(shown["openid"], "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
                assert_eq!(shown["refund"], Value::Null);
            }
        }
    }
}

/// Mid-migration: platform certificate and public key at once, each message verified with the key
/// its serial names (in any case); an unknown serial, a probe signature, a missing header and a
/// stale clock each have their code.
#[test]
fn serials_probes_headers_and_the_clock() {
    let v = vector("notification-transaction-success-verify");
    let both = client(
        json!({ "wechatpayPublicKey": fixture("java-sdk/wechat_pay_public_key.pem"), "wechatpayPublicKeyId": PUBLIC_KEY_ID }),
    );
    let headers = headers_of(&v["headers"]);
    let body = v["body"].as_str().unwrap().as_bytes();
    let at = |ms: f64, h: &[(String, String)]| run(&both, both.verify_notify(&borrowed(h), body, ms));
    let now = 1_700_000_000_000.0;
    for (serial, key) in [
        (PLATFORM_SERIAL, PLATFORM_SERIAL),
        (&PLATFORM_SERIAL.to_lowercase(), PLATFORM_SERIAL),
        (PUBLIC_KEY_ID, PUBLIC_KEY_ID),
    ] {
        let h = with_header(&headers, "Wechatpay-Serial", serial);
        match both.verify_notify(&borrowed(&h), body, now).unwrap().step() {
            Step::Verify(step) => {
                assert_eq!(step.candidates.iter().map(|c| c.key_id.as_str()).collect::<Vec<_>>(), [key])
            }
            other => panic!("{other:?}"),
        }
        assert!(at(now, &h).unwrap().paid, "{serial}");
    }
    // A public-key-only client verifies the PUB_KEY_ID message, and names the certificate serial it lacks.
    let public_only = client(
        json!({ "platformCertificates": null, "wechatpayPublicKey": fixture("java-sdk/wechat_pay_public_key.pem"), "wechatpayPublicKeyId": PUBLIC_KEY_ID }),
    );
    assert!(
        run(
            &public_only,
            public_only.verify_notify(&borrowed(&with_header(&headers, "Wechatpay-Serial", PUBLIC_KEY_ID)), body, now)
        )
        .unwrap()
        .paid
    );
    let err = public_only.verify_notify(&borrowed(&headers), body, now).unwrap_err();
    assert_eq!(err.code(), ErrorCode::CertSnMismatch);
    assert_eq!(err.detail().unwrap().serial.as_deref(), Some(PLATFORM_SERIAL));
    let odd =
        both.verify_notify(&borrowed(&with_header(&headers, "Wechatpay-Serial", "<script>")), body, now).unwrap_err();
    assert_eq!(
        (odd.code(), odd.detail().unwrap().serial.as_deref()),
        (ErrorCode::CertSnMismatch, Some("(not a serial)"))
    );
    // Probe signatures.
    let probe =
        with_header(&headers, "Wechatpay-Signature", "WECHATPAY/SIGNTEST/ZIGLXTkSjvzAuHC0VbHhLsWNjx8o+zEOzL7UIVJaOlI=");
    assert_eq!(at(now, &probe).unwrap_err().code(), ErrorCode::SignatureProbe);
    assert_eq!(notify::failure_reply(&at(now, &probe).unwrap_err()).status, 401);
    // The clock window at its edges: 299.999 s either side accepted, 300 s refused.
    for (offset, ok) in [(299_999.0, true), (-299_999.0, true), (300_000.0, false), (-300_000.0, false)] {
        let result = at(now + offset, &headers);
        match ok {
            true => assert!(result.is_ok(), "{offset}"),
            false => assert_eq!(result.unwrap_err().code(), ErrorCode::ClockSkew, "{offset}"),
        }
    }
    assert_eq!(at(f64::NAN, &headers).unwrap_err().code(), ErrorCode::BadInput);
    // Every signature header is required; names match in any case; a repeated one is refused.
    for name in ["Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature", "Wechatpay-Serial"] {
        let without: Vec<(String, String)> = headers.iter().filter(|(k, _)| k != name).cloned().collect();
        assert_eq!(at(now, &without).unwrap_err().code(), ErrorCode::SignatureInvalid, "{name}");
    }
    let lower: Vec<(String, String)> = headers.iter().map(|(k, v)| (k.to_lowercase(), v.clone())).collect();
    assert!(at(now, &lower).unwrap().paid);
    let mut twice = headers.clone();
    twice.push(("wechatpay-nonce".into(), "other".into()));
    assert_eq!(at(now, &twice).unwrap_err().code(), ErrorCode::ResponseMalformed);
    let sm2 = with_header(&headers, "Wechatpay-Signature-Type", "WECHATPAY2-SM2-WITH-SM3");
    assert_eq!(at(now, &sm2).unwrap_err().code(), ErrorCode::SignatureInvalid);
}

/// Responses: the derived 204 (and its changed timestamp), and node:crypto's signed success and
/// failure; an unsigned success is forged, an unsigned failure is WeChat Pay's refusal.
#[test]
fn response_vectors() {
    let c = client(json!({}));
    for id in ["response-204-empty-body", "response-204-wrong-timestamp"] {
        let v = vector(id);
        let result = run(
            &c,
            c.verify_response(
                204,
                &borrowed(&headers_of(&v["headers"])),
                v["body"].as_str().unwrap().as_bytes(),
                v["now"].as_f64().unwrap() * 1000.0,
            ),
        );
        match v["expect"].as_str().unwrap() {
            "valid" => assert_eq!(result.unwrap(), "{}"),
            _ => assert_eq!(result.unwrap_err().code(), ErrorCode::SignatureInvalid, "{id}"),
        }
    }
    let n = node();
    for r in n["responses"].as_array().unwrap() {
        let headers = headers_of(&r["headers"]);
        let now = seconds(&r["headers"]["Wechatpay-Timestamp"]) as f64 * 1000.0;
        let status = r["status"].as_u64().unwrap() as u16;
        let body = r["body"].as_str().unwrap().as_bytes();
        let result = run(&c, c.verify_response(status, &borrowed(&headers), body, now));
        match status {
            200 => assert_eq!(result.unwrap(), r["body"].as_str().unwrap()),
            204 => assert_eq!(result.unwrap(), "{}"),
            _ => {
                let err = result.unwrap_err();
                assert_eq!(err.code(), ErrorCode::ProviderBusiness);
                let d = err.detail().unwrap();
                assert_eq!((d.code.as_deref(), d.message.as_deref()), (Some("PARAM_ERROR"), Some("参数错误")));
                assert_eq!(
                    d.detail.as_deref(),
                    Some(r#"{"field":"/amount/total","value":0,"issue":"必须大于0","location":"body"}"#)
                );
            }
        }
        // Without its signature headers.
        let bare: Vec<(String, String)> =
            headers.iter().filter(|(k, _)| !k.starts_with("Wechatpay")).cloned().collect();
        let err = run(&c, c.verify_response(status, &borrowed(&bare), body, now)).unwrap_err();
        let expected = if status < 300 { ErrorCode::SignatureInvalid } else { ErrorCode::ProviderRejected };
        assert_eq!(err.code(), expected, "{status}");
        // One changed byte of a non-empty body.
        if !body.is_empty() {
            let mut changed = body.to_vec();
            changed[2] ^= 0x20;
            assert_eq!(
                run(&c, c.verify_response(status, &borrowed(&headers), &changed, now)).unwrap_err().code(),
                ErrorCode::SignatureInvalid
            );
        }
    }
}

/// The certificate download: wechatpay-java's encrypted certificate, and node:crypto's signed reply
/// holding it beside the test platform certificate; bootstrap a client from it.
#[test]
fn certificate_vectors() {
    let j = vector("java-certificate-download");
    let c = client(json!({}));
    let now_2024 = 1_704_067_200_000.0;
    let downloaded = c.decrypt_certificates(200, j["response_body"].as_str().unwrap().as_bytes(), now_2024).unwrap();
    assert_eq!(downloaded.certificates.len(), 1);
    let cert = &downloaded.certificates[0];
    assert_eq!(cert.serial_no, j["expect"].as_str().unwrap());
    assert_eq!((cert.not_before, cert.not_after), (1_695_136_558, 1_852_816_558)); // expect_not_before / _after
    assert!(cert.pem.starts_with("-----BEGIN CERTIFICATE-----"));

    let n = node();
    let reply = &n["certificates"];
    let headers = headers_of(&reply["headers"]);
    let body = reply["body"].as_str().unwrap().as_bytes();
    let now = seconds(&reply["headers"]["Wechatpay-Timestamp"]) as f64 * 1000.0;
    // A client with the merchant key and APIv3 key only: nothing yet to verify with.
    let bootstrap = client(
        json!({ "platformCertificates": null, "wechatpayPublicKey": fixture("java-sdk/wechat_pay_public_key.pem"), "wechatpayPublicKeyId": PUBLIC_KEY_ID }),
    );
    let mut bootstrap = bootstrap;
    let downloaded = bootstrap.decrypt_certificates(200, body, now).unwrap();
    assert_eq!(
        downloaded.certificates.iter().map(|c| c.serial_no.as_str()).collect::<Vec<_>>(),
        [PLATFORM_SERIAL, "5DEA10EF55877E3CF6C33255C2E7DEFFF7E427EC"]
    );
    assert_eq!(downloaded.certificates[0].pem, fixture("java-sdk/wechat_pay_certificate.pem"));
    bootstrap.verify_certificates(&downloaded, &borrowed(&headers), body, now).unwrap().run(&downloaded.keys).unwrap();
    // The signature covers the reply: a changed byte outside any certificate is refused.
    let changed = reply["body"].as_str().unwrap().replacen("2025-05-09", "2035-05-09", 1);
    let redo = bootstrap.decrypt_certificates(200, changed.as_bytes(), now).unwrap();
    let err = bootstrap
        .verify_certificates(&redo, &borrowed(&headers), changed.as_bytes(), now)
        .unwrap()
        .run(&redo.keys)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::SignatureInvalid);
    // A certificate listed under another's serial.
    let swapped =
        reply["body"].as_str().unwrap().replacen(PLATFORM_SERIAL, "5DEA10EF55877E3CF6C33255C2E7DEFFF7E427ED", 1);
    assert_eq!(
        bootstrap.decrypt_certificates(200, swapped.as_bytes(), now).unwrap_err().code(),
        ErrorCode::CertInvalid
    );
    // Validity: in 2026 the test certificate has expired and is left out; before 2023-09-19 the other is not valid yet.
    let later = bootstrap.decrypt_certificates(200, body, 1_770_000_000_000.0).unwrap();
    assert_eq!(later.certificates.len(), 1);
    assert_eq!(later.certificates[0].serial_no, "5DEA10EF55877E3CF6C33255C2E7DEFFF7E427EC");
    let earlier = bootstrap.decrypt_certificates(200, body, 1_660_000_000_000.0).unwrap();
    assert_eq!(earlier.certificates[0].serial_no, PLATFORM_SERIAL);
    assert_eq!(earlier.certificates.len(), 1);
    // Adopted, the client verifies what the new certificate signs.
    let v = vector("notification-transaction-success-verify");
    let note_headers = headers_of(&v["headers"]);
    let note = v["body"].as_str().unwrap().as_bytes();
    assert_eq!(
        bootstrap.verify_notify(&borrowed(&note_headers), note, 1_700_000_000_000.0).unwrap_err().code(),
        ErrorCode::CertSnMismatch
    );
    bootstrap.add_platform_certificates(&downloaded);
    assert!(
        run(&bootstrap, bootstrap.verify_notify(&borrowed(&note_headers), note, 1_700_000_000_000.0)).unwrap().paid
    );
    // A failure reply is WeChat Pay's error.
    let err = bootstrap
        .decrypt_certificates(404, r#"{"code":"RESOURCE_NOT_EXISTS","message":"无可用的平台证书"}"#.as_bytes(), now)
        .unwrap_err();
    assert_eq!(
        (err.code(), err.detail().unwrap().code.as_deref()),
        (ErrorCode::ProviderRejected, Some("RESOURCE_NOT_EXISTS"))
    );
}

/// A client holds only the keys its operations need, and says which one it lacks.
#[test]
fn verify_only_and_sign_only_clients() {
    let v = vector("notification-transaction-success-verify");
    let headers = headers_of(&v["headers"]);
    let body = v["body"].as_str().unwrap().as_bytes();
    let verify_only = WechatPay::new(&json!({
        "mchid": "1230000109",
        "wechatpayPublicKey": fixture("java-sdk/wechat_pay_public_key.pem"),
        "wechatpayPublicKeyId": PUBLIC_KEY_ID,
        "apiV3Key": API_V3_KEY,
    }))
    .unwrap();
    let h = with_header(&headers, "Wechatpay-Serial", PUBLIC_KEY_ID);
    assert!(run(&verify_only, verify_only.verify_notify(&borrowed(&h), body, 1_700_000_000_000.0)).unwrap().paid);
    let s = stamp(1_700_000_000, "n");
    assert_eq!(verify_only.build_query(&json!({ "outTradeNo": "T" }), &s).unwrap_err().code(), ErrorCode::VerifyOnly);
    // Asked first, whatever the arguments: a verify-only client cannot build, and says so.
    for trade_type in [TradeType::Jsapi, TradeType::Native, TradeType::H5, TradeType::App] {
        assert_eq!(verify_only.build_prepay(trade_type, &json!({}), &s).unwrap_err().code(), ErrorCode::VerifyOnly);
    }
    let nothing = json!({});
    for built in [
        verify_only.build_query(&nothing, &s),
        verify_only.build_close(&nothing, &s),
        verify_only.build_refund(&nothing, &s),
        verify_only.build_refund_query(&nothing, &s),
        verify_only.build_request(&nothing, &s),
        verify_only.build_certificates_request(&s),
        verify_only.build_bill_download("https://evil.example/x", &s),
        verify_only.build_bill_request(aggpay::wechat::pay::bill::Bill::Trade, &nothing, &s),
    ] {
        assert_eq!(built.unwrap_err().code(), ErrorCode::VerifyOnly);
    }
    assert_eq!(verify_only.build_app_payment(&nothing, &s).unwrap_err().code(), ErrorCode::VerifyOnly);
    assert_eq!(
        verify_only.build_request_payment(&json!({ "prepayId": "wx1", "appId": "wx" }), &s).unwrap_err().code(),
        ErrorCode::VerifyOnly
    );
    let sign_only = client(json!({ "platformCertificates": null }));
    assert!(run(&sign_only, sign_only.build_query(&json!({ "outTradeNo": "T" }), &s)).is_ok());
    assert_eq!(sign_only.verify_notify(&borrowed(&headers), body, 0.0).unwrap_err().code(), ErrorCode::NoProviderKey);
    assert_eq!(sign_only.verify_response(200, &[], b"", 0.0).unwrap_err().code(), ErrorCode::NoProviderKey);
    let no_aes = client(json!({ "apiV3Key": null }));
    assert_eq!(
        no_aes.verify_notify(&borrowed(&headers), body, 1_700_000_000_000.0).unwrap_err().code(),
        ErrorCode::BadInput
    );
}

#[test]
fn configuration_errors() {
    let bad = |extra: Value| -> ErrorCode {
        let mut config = json!({ "mchid": "1230000109", "merchantSerialNo": MERCHANT_SERIAL, "privateKey": fixture("java-sdk/merchant_private_key.pem") });
        for (k, v) in extra.as_object().unwrap() {
            if v.is_null() {
                config.as_object_mut().unwrap().remove(k);
            } else {
                config[k] = v.clone();
            }
        }
        WechatPay::new(&config).map(|_| ()).unwrap_err().code()
    };
    assert_eq!(
        bad(json!({ "platformCertificates": fixture("java-sdk/merchant_certificate.pem") })),
        ErrorCode::KeyMismatch
    );
    assert_eq!(bad(json!({ "merchantSerialNo": null })), ErrorCode::BadInput);
    assert_eq!(bad(json!({ "merchantSerialNo": "5F1C 72" })), ErrorCode::BadInput);
    assert_eq!(bad(json!({ "mchid": "12\"3" })), ErrorCode::BadInput);
    assert_eq!(bad(json!({ "apiV3Key": "short" })), ErrorCode::BadInput);
    assert_eq!(
        bad(json!({ "wechatpayPublicKey": fixture("java-sdk/wechat_pay_public_key.pem") })),
        ErrorCode::BadInput
    );
    assert_eq!(
        bad(
            json!({ "wechatpayPublicKey": fixture("java-sdk/wechat_pay_public_key.pem"), "wechatpayPublicKeyId": "0000024" })
        ),
        ErrorCode::BadInput
    );
    assert_eq!(bad(json!({ "baseUrl": "https://api.mch.weixin.qq.com/v3" })), ErrorCode::BadInput);
    assert_eq!(bad(json!({ "api": "us" })), ErrorCode::BadInput);
    assert_eq!(bad(json!({ "api_v3_key": API_V3_KEY })), ErrorCode::BadInput);
    assert_eq!(bad(json!({ "platformCertificates": [] })), ErrorCode::BadInput);
    assert_eq!(bad(json!({ "privateKey": null, "merchantSerialNo": null })), ErrorCode::BadInput);
    assert_eq!(bad(json!({ "platformCertificates": "not a certificate" })), ErrorCode::CertInvalid);
}

/// Cross-border hosts and paths are configuration; the typed builders cover the mainland API.
#[test]
fn cross_border_configuration() {
    let s = stamp(1_700_000_000, "n");
    let global = client(json!({ "api": "global" }));
    assert_eq!(global.api(), Api::Global);
    let certs = run(&global, global.build_certificates_request(&s)).unwrap();
    assert_eq!(certs.url, "https://apihk.mch.weixin.qq.com/v3/global/certificates");
    assert_eq!(global.build_close(&json!({ "outTradeNo": "T" }), &s).unwrap_err().code(), ErrorCode::BadInput);
    let bill = json!({ "billDate": "2024-01-01" });
    assert_eq!(
        global.build_bill_request(aggpay::wechat::pay::bill::Bill::Trade, &bill, &s).unwrap_err().code(),
        ErrorCode::BadInput
    );
    let path = "/v3/global/transactions/out-trade-no/T1?mchid=1230000109";
    let q = run(&global, global.build_request(&json!({ "method": "GET", "path": path }), &s)).unwrap();
    assert_eq!(q.url, format!("https://apihk.mch.weixin.qq.com{path}"));
    let hk = client(json!({ "api": "hk", "baseUrl": "http://127.0.0.1:8080/" }));
    assert_eq!(run(&hk, hk.build_certificates_request(&s)).unwrap().url, "http://127.0.0.1:8080/hk/v3/certificates");
}

/// Oversized bodies and header values are refused before anything is copied; so are too many headers.
#[test]
fn hostile_input_is_bounded() {
    let c = client(json!({ "limits": { "maxInputBytes": 4096, "maxFields": 8 } }));
    let v = vector("notification-transaction-success-verify");
    let headers = headers_of(&v["headers"]);
    let now = 1_700_000_000_000.0;
    let big = vec![b' '; 4097];
    assert_eq!(c.verify_notify(&borrowed(&headers), &big, now).unwrap_err().code(), ErrorCode::InputTooLarge);
    assert_eq!(c.verify_response(200, &borrowed(&headers), &big, now).unwrap_err().code(), ErrorCode::InputTooLarge);
    let long = with_header(&headers, "Wechatpay-Nonce", &"n".repeat(2000));
    assert_eq!(c.verify_notify(&borrowed(&long), b"{}", now).unwrap_err().code(), ErrorCode::InputTooLarge);
    let mut many = headers.clone();
    many.extend((0..8).map(|i| (format!("x-{i}"), "1".to_owned())));
    assert_eq!(c.verify_notify(&borrowed(&many), b"{}", now).unwrap_err().code(), ErrorCode::TooManyFields);
    let bad_ts = with_header(&headers, "Wechatpay-Timestamp", "1700000000.5");
    assert_eq!(c.verify_notify(&borrowed(&bad_ts), b"{}", now).unwrap_err().code(), ErrorCode::SignatureInvalid);
    let bad_sig = with_header(&headers, "Wechatpay-Signature", "%%%");
    assert_eq!(c.verify_notify(&borrowed(&bad_sig), b"{}", now).unwrap_err().code(), ErrorCode::SignatureInvalid);
    assert_eq!(c.verify_response(99, &borrowed(&headers), b"{}", now).unwrap_err().code(), ErrorCode::BadInput);
}

/// The client prints its merchant and modes, never the private key or the APIv3 key.
#[test]
fn debug_never_shows_secrets() {
    let c = client(json!({}));
    let shown = format!("{c:?}");
    assert!(shown.contains("1230000109"), "{shown}");
    assert!(!shown.contains(API_V3_KEY) && !shown.contains(&API_V3_KEY[..8]), "{shown}");
    let key = fixture("java-sdk/merchant_private_key.pem");
    let body: String = key.lines().filter(|l| !l.starts_with("-----")).collect();
    for window in body.as_bytes().windows(16).step_by(3) {
        assert!(!shown.contains(std::str::from_utf8(window).unwrap()), "{shown}");
    }
    let err = WechatPay::new(&json!({ "mchid": "1", "platformCertificates": fixture("java-sdk/wechat_pay_certificate.pem"), "apiV3Key": "a7cde1ZJB1kG2e7VfTs3jQzaWizur8G" })).unwrap_err();
    assert!(!format!("{err:?}").contains("a7cde1"));
}

/// Sensitive fields: the Java SDK's OAEP vector decrypts with the merchant key (and its failure
/// vector does not); what the client encrypts decrypts with the test "WeChat Pay" private key under
/// the `rsa` crate — OAEP on the mainland API, PKCS#1 v1.5 on the global one — and names its key.
#[test]
fn sensitive_fields() {
    use rsa::pkcs8::DecodePrivateKey;
    let c = client(json!({}));
    for id in ["java-oaep-decrypt", "java-oaep-decrypt-fail"] {
        let v = vector(id);
        let result = c.decrypt_field(v["ciphertext"].as_str().unwrap());
        match v["expect"].as_str().unwrap() {
            "error" => assert_eq!(result.unwrap_err().code(), ErrorCode::DecryptFailed, "{id}"),
            expect => assert_eq!(result.unwrap(), expect, "{id}"),
        }
    }
    let wechatpay_key =
        aggpay::keys::load_private_key(&fixture("java-sdk/wechat_pay_private_key.pem"), "test", &Default::default())
            .unwrap();
    let wechatpay_key = rsa::RsaPrivateKey::from_pkcs8_der(&wechatpay_key.to_pkcs8_der().unwrap()).unwrap();
    use base64::Engine;
    let decode = |text: &str| base64::engine::general_purpose::STANDARD.decode(text).unwrap();
    let name = "张三 O'Brien 😀";
    let field = c.encrypt_field(name, None).unwrap();
    assert_eq!(field.serial, PLATFORM_SERIAL);
    let oaep = wechatpay_key.decrypt(rsa::Oaep::<sha1::Sha1>::new(), &decode(&field.ciphertext)).unwrap();
    assert_eq!(oaep, name.as_bytes());
    // (PKCS#1 v1.5 decryption may answer with an implicit-rejection plaintext rather than an error.)
    let as_pkcs1 = wechatpay_key.decrypt(rsa::Pkcs1v15Encrypt, &decode(&field.ciphertext)).unwrap_or_default();
    assert_ne!(as_pkcs1, name.as_bytes());
    let global = client(json!({ "api": "global" }));
    let field = global.encrypt_field(name, Some(&PLATFORM_SERIAL.to_lowercase())).unwrap();
    assert_eq!(field.serial, PLATFORM_SERIAL);
    assert_eq!(wechatpay_key.decrypt(rsa::Pkcs1v15Encrypt, &decode(&field.ciphertext)).unwrap(), name.as_bytes());
    let both = client(
        json!({ "wechatpayPublicKey": fixture("java-sdk/wechat_pay_public_key.pem"), "wechatpayPublicKeyId": PUBLIC_KEY_ID }),
    );
    assert_eq!(both.encrypt_field(name, None).unwrap().serial, PUBLIC_KEY_ID);
    assert_eq!(both.encrypt_field(name, Some(PLATFORM_SERIAL)).unwrap().serial, PLATFORM_SERIAL);
    assert_eq!(both.encrypt_field(name, Some("ABC")).unwrap_err().code(), ErrorCode::BadInput);
    assert_eq!(both.encrypt_field("", None).unwrap_err().code(), ErrorCode::BadInput);
    assert_eq!(both.encrypt_field(&"x".repeat(300), None).unwrap_err().code(), ErrorCode::BadInput);
    let sign_only = client(json!({ "platformCertificates": null }));
    assert_eq!(sign_only.encrypt_field(name, None).unwrap_err().code(), ErrorCode::NoProviderKey);
    let verify_only = client(json!({ "privateKey": null, "merchantSerialNo": null }));
    assert_eq!(verify_only.decrypt_field("AAAA").unwrap_err().code(), ErrorCode::VerifyOnly);
    let two = client(
        json!({ "platformCertificates": [fixture("java-sdk/wechat_pay_certificate.pem"), vector("go-notify-verify")["certificate_pem"].as_str().unwrap()] }),
    );
    assert_eq!(two.encrypt_field(name, None).unwrap_err().code(), ErrorCode::BadInput);
    assert_eq!(two.encrypt_field(name, Some("d7ce59d1f522d701")).unwrap().serial, "D7CE59D1F522D701");
}

mod never_panics {
    //! Whatever arrives — headers, bodies, status codes — and whatever an engine answers, the core
    //! returns a result: no panic, no unbounded work.

    use super::*;
    use aggpay::crypto::step::Answer;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    fn shared() -> &'static WechatPay {
        static CLIENT: OnceLock<WechatPay> = OnceLock::new();
        CLIENT.get_or_init(|| client(json!({})))
    }

    fn header_name() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("Wechatpay-Timestamp".to_owned()),
            Just("wechatpay-nonce".to_owned()),
            Just("WECHATPAY-SIGNATURE".to_owned()),
            Just("Wechatpay-Serial".to_owned()),
            Just("Wechatpay-Signature-Type".to_owned()),
            "[a-zA-Z-]{0,12}",
        ]
    }

    fn header_value() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("1700000000".to_owned()),
            Just(PLATFORM_SERIAL.to_owned()),
            Just("WECHATPAY/SIGNTEST/AAAA".to_owned()),
            "[A-Za-z0-9+/=]{0,16}",
            any::<String>(),
        ]
    }

    /// Bodies: arbitrary bytes, JSON-ish text, and envelopes whose resource fields are arbitrary.
    fn body() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..256),
            "[{}\\[\\]\":,a-z0-9 .\\\\-]{0,128}".prop_map(String::into_bytes),
            ("[A-Za-z0-9+/=]{0,64}", "[a-z0-9]{0,14}", any::<String>(), "[A-Z_]{0,20}").prop_map(|(ct, nonce, aad, alg)| {
                json!({ "id": "EV", "event_type": "TRANSACTION.SUCCESS", "resource": { "algorithm": alg, "ciphertext": ct, "nonce": nonce, "associated_data": aad } })
                    .to_string()
                    .into_bytes()
            }),
            ("[A-Za-z0-9+/=]{0,64}", "[a-z0-9]{0,14}", "[A-F0-9]{0,40}").prop_map(|(ct, nonce, serial)| {
                json!({ "data": [{ "serial_no": serial, "encrypt_certificate": { "algorithm": "AEAD_AES_256_GCM", "ciphertext": ct, "nonce": nonce, "associated_data": "certificate" } }] })
                    .to_string()
                    .into_bytes()
            }),
        ]
    }

    fn answer() -> impl Strategy<Value = Answer> {
        prop_oneof![
            Just(Answer::Verified(Some(0))),
            Just(Answer::Verified(None)),
            Just(Answer::Nothing),
            Just(Answer::Verified(Some(7)))
        ]
    }

    proptest! {
        #[test]
        fn received_messages(
            headers in prop::collection::vec((header_name(), header_value()), 0..8),
            body in body(),
            status in 0u16..700,
            now_s in prop_oneof![Just(1_700_000_000u64), 0u64..2_000_000_000],
            answer in answer(),
        ) {
            let c = shared();
            let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let now = now_s as f64 * 1000.0;
            if let Ok(pending) = c.verify_notify(&headers, &body, now) {
                let _ = pending.finish(answer.clone());
            }
            if let Ok(pending) = c.verify_response(status, &headers, &body, now) {
                let _ = pending.finish(answer.clone());
            }
            if let Ok(downloaded) = c.decrypt_certificates(status, &body, now)
                && let Ok(pending) = c.verify_certificates(&downloaded, &headers, &body, now)
            {
                let _ = pending.finish(answer);
            }
        }

        /// A notification whose signature an engine accepted: its body is still only JSON to read.
        #[test]
        fn accepted_notifications(body in body()) {
            let v = vector("notification-transaction-success-verify");
            let headers = headers_of(&v["headers"]);
            let pending = shared().verify_notify(&borrowed(&headers), &body, 1_700_000_000_000.0).unwrap();
            let _ = pending.finish(Answer::Verified(Some(0)));
        }
    }
}

/// Bills: the requests (paths and queries of the shared spec §5/§6 sources), the download kept on
/// the client's host, and the file checked against the reply's SHA-1 (known answer: SHA-1("abc")).
#[test]
fn bills() {
    use aggpay::wechat::pay::bill::Bill;
    let s = stamp(1_700_000_000, "n");
    let c = client(json!({}));
    let trade = run(
        &c,
        c.build_bill_request(
            Bill::Trade,
            &json!({ "billDate": "2024-01-01", "billType": "ALL", "tarType": "GZIP" }),
            &s,
        ),
    )
    .unwrap();
    assert_eq!(
        trade.url,
        "https://api.mch.weixin.qq.com/v3/bill/tradebill?bill_date=2024-01-01&bill_type=ALL&tar_type=GZIP"
    );
    let flow =
        run(&c, c.build_bill_request(Bill::FundFlow, &json!({ "billDate": "2024-01-01", "accountType": "BASIC" }), &s))
            .unwrap();
    assert_eq!(flow.url, "https://api.mch.weixin.qq.com/v3/bill/fundflowbill?bill_date=2024-01-01&account_type=BASIC");
    for bad in [
        json!({ "billDate": "2024-1-01" }),
        json!({ "billDate": "2024-01-01", "accountType": "BASIC" }),
        json!({ "billDate": "2024-01-01", "subMchid": "1" }),
    ] {
        assert_eq!(c.build_bill_request(Bill::Trade, &bad, &s).unwrap_err().code(), ErrorCode::BadInput, "{bad}");
    }
    let url = "https://api.mch.weixin.qq.com/v3/billdownload/file?token=6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2wMMR8cNXqaA_Cv_isgaUtBzp4QtiozLO";
    let download = run(&c, c.build_bill_download(url, &s)).unwrap();
    assert_eq!(download.url, url);
    assert!(header(&download, "authorization").is_some());
    assert_eq!(
        c.build_bill_download("https://evil.example/v3/billdownload/file?token=x", &s).unwrap_err().code(),
        ErrorCode::BadInput
    );
    assert_eq!(
        c.build_bill_download("https://api.mch.weixin.qq.com.evil.example/x", &s).unwrap_err().code(),
        ErrorCode::BadInput
    );
    let reply = format!(
        r#"{{"hash_type":"SHA1","hash_value":"A9993E364706816ABA3E25717850C26C9CD0D89D","download_url":"{url}"}}"#
    );
    assert!(c.check_bill(&reply, b"abc").is_ok());
    assert_eq!(c.check_bill(&reply, b"abd").unwrap_err().code(), ErrorCode::SignatureInvalid);
    assert_eq!(c.check_bill(&reply.replace("SHA1", "SM3"), b"abc").unwrap_err().code(), ErrorCode::BadInput);
}

/// What the JS bindings hand the core: `{ now, nonce }` and `{ now }` options, headers as an object
/// or as pairs, and an error code for the failure reply.
#[test]
fn options_headers_and_replies_for_the_bindings() {
    use aggpay::wechat::pay::notify::failure_reply_for_code;
    use aggpay::wechat::pay::response::{header_pairs, now_from_options};
    let fresh = || "FRESH".to_owned();
    assert_eq!(Stamp::from_options(&Value::Null, 5_000.0, fresh()).unwrap(), stamp(5, "FRESH"));
    assert_eq!(Stamp::from_options(&json!({}), 5_000.0, fresh()).unwrap(), stamp(5, "FRESH"));
    assert_eq!(
        Stamp::from_options(&json!({ "now": 7_000, "nonce": "abc" }), 5_000.0, fresh()).unwrap(),
        stamp(7, "abc")
    );
    assert_eq!(Stamp::from_options(&json!({ "nonce": "" }), 5_000.0, fresh()).unwrap(), stamp(5, "FRESH"));
    for bad in
        [json!({ "timestamp": 1 }), json!({ "now": "1" }), json!({ "now": -1 }), json!({ "nonce": "a b" }), json!([])]
    {
        assert_eq!(Stamp::from_options(&bad, 5_000.0, fresh()).unwrap_err().code(), ErrorCode::BadInput, "{bad}");
    }
    assert_eq!(now_from_options(&Value::Null, 9.0).unwrap(), 9.0);
    assert_eq!(now_from_options(&json!({ "now": 1_700_000_000_123_u64 }), 9.0).unwrap(), 1_700_000_000_123.0);
    for bad in [json!({ "nonce": "x" }), json!({ "now": 1e300 }), json!("now")] {
        assert_eq!(now_from_options(&bad, 9.0).unwrap_err().code(), ErrorCode::BadInput, "{bad}");
    }

    let pairs = |v: Value| header_pairs(&v).unwrap();
    let owned = |list: &[(&str, &str)]| list.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect::<Vec<_>>();
    assert_eq!(pairs(json!({ "A": "1", "b": ["2", "3"] })), owned(&[("A", "1"), ("b", "2"), ("b", "3")]));
    assert_eq!(pairs(json!([["A", "1"], ["a", "2"]])), owned(&[("A", "1"), ("a", "2")]));
    for bad in
        [json!({ "a": 1 }), json!({ "a": [1] }), json!([["a"]]), json!([["a", "1", "2"]]), json!("a: 1"), json!(null)]
    {
        assert_eq!(header_pairs(&bad).unwrap_err().code(), ErrorCode::BadInput, "{bad}");
    }
    // A signature header given twice, as a list, is refused like any repeated signature header.
    let v = vector("notification-transaction-success-verify");
    let mut object = v["headers"].clone();
    let signature = object["Wechatpay-Signature"].clone();
    object["Wechatpay-Signature"] = json!([signature.clone(), signature]);
    let headers = header_pairs(&object).unwrap();
    let c = client(json!({}));
    let body = v["body"].as_str().unwrap().as_bytes();
    assert_eq!(
        c.verify_notify(&borrowed(&headers), body, 1_700_000_000_000.0).unwrap_err().code(),
        ErrorCode::ResponseMalformed
    );

    assert_eq!(failure_reply_for_code("ERR_CLOCK_SKEW").status, 401);
    assert_eq!(failure_reply_for_code("ERR_RESPONSE_MALFORMED").status, 500);
    assert_eq!(
        [Api::Mainland, Api::Global, Api::HongKong].map(|a| Api::parse(a.as_str()).unwrap()),
        [Api::Mainland, Api::Global, Api::HongKong]
    );
}

/// The certificate reply checked in one call (decrypted, checked, its signature step over the
/// ring it brings: no private key in it), then added to a client from the PEMs it returned.
#[test]
fn certificate_reply_in_one_call_and_added_from_pems() {
    let reply = &node()["certificates"];
    let headers = headers_of(&reply["headers"]);
    let body = reply["body"].as_str().unwrap().as_bytes();
    let now = seconds(&reply["headers"]["Wechatpay-Timestamp"]) as f64 * 1000.0;
    let mut bootstrap = client(
        json!({ "platformCertificates": null, "wechatpayPublicKey": fixture("java-sdk/wechat_pay_public_key.pem"), "wechatpayPublicKeyId": PUBLIC_KEY_ID }),
    );
    assert!(!client(json!({ "apiV3Key": null })).has_api_v3_key());
    assert!(bootstrap.has_api_v3_key());
    let (pending, keys) = bootstrap.verify_certificate_reply(200, &borrowed(&headers), body, now).unwrap();
    assert!(keys.private_key().is_none(), "the ring a certificate reply brings holds no private key");
    assert_eq!(
        keys.public_ids().collect::<Vec<_>>(),
        [PUBLIC_KEY_ID, PLATFORM_SERIAL, "5DEA10EF55877E3CF6C33255C2E7DEFFF7E427EC"]
    );
    let certificates = pending.run(&keys).unwrap();
    assert_eq!(certificates.len(), 2);
    assert_eq!(certificates[0].pem, fixture("java-sdk/wechat_pay_certificate.pem"));
    assert_eq!(
        serde_json::to_value(&certificates[0]).unwrap().as_object().unwrap().keys().collect::<Vec<_>>(),
        ["serialNo", "notBefore", "notAfter", "pem"]
    );
    let changed = reply["body"].as_str().unwrap().replacen("2025-05-09", "2035-05-09", 1);
    let (pending, keys) =
        bootstrap.verify_certificate_reply(200, &borrowed(&headers), changed.as_bytes(), now).unwrap();
    assert_eq!(pending.run(&keys).unwrap_err().code(), ErrorCode::SignatureInvalid);
    let missing = with_header(&headers, "Wechatpay-Serial", "");
    assert_eq!(
        bootstrap.verify_certificate_reply(200, &borrowed(&missing), body, now).unwrap_err().code(),
        ErrorCode::SignatureInvalid
    );

    // Added from what the reply returned ({ pem } objects) and from PEM text: idempotent.
    let v = vector("notification-transaction-success-verify");
    let (note_headers, note) = (headers_of(&v["headers"]), v["body"].as_str().unwrap().as_bytes());
    let as_objects = serde_json::to_value(&certificates).unwrap();
    assert_eq!(
        bootstrap.add_platform_certificate_pems(&as_objects).unwrap(),
        [PLATFORM_SERIAL, "5DEA10EF55877E3CF6C33255C2E7DEFFF7E427EC"]
    );
    assert!(
        run(&bootstrap, bootstrap.verify_notify(&borrowed(&note_headers), note, 1_700_000_000_000.0)).unwrap().paid
    );
    let pem = json!(fixture("java-sdk/wechat_pay_certificate.pem"));
    assert_eq!(bootstrap.add_platform_certificate_pems(&pem).unwrap(), [PLATFORM_SERIAL]);
    assert_eq!(
        bootstrap.keys().public_ids().collect::<Vec<_>>(),
        [PUBLIC_KEY_ID, PLATFORM_SERIAL, "5DEA10EF55877E3CF6C33255C2E7DEFFF7E427EC"]
    );
    // The merchant's own certificate is not WeChat Pay's; nothing is added from a list holding it.
    let mixed = json!([fixture("java-sdk/wechat_pay_certificate.pem"), fixture("java-sdk/merchant_certificate.pem")]);
    let mut fresh = client(
        json!({ "platformCertificates": null, "wechatpayPublicKey": fixture("java-sdk/wechat_pay_public_key.pem"), "wechatpayPublicKeyId": PUBLIC_KEY_ID }),
    );
    assert_eq!(fresh.add_platform_certificate_pems(&mixed).unwrap_err().code(), ErrorCode::KeyMismatch);
    assert_eq!(fresh.keys().public_ids().collect::<Vec<_>>(), [PUBLIC_KEY_ID]);
    for bad in [json!([]), json!(7), json!([{ "serialNo": PLATFORM_SERIAL }]), json!("not a certificate")] {
        let code = fresh.add_platform_certificate_pems(&bad).unwrap_err().code();
        assert!(matches!(code, ErrorCode::BadInput | ErrorCode::CertInvalid), "{bad}: {code:?}");
    }
}
