//! Alipay rules against the vectors in tests/fixtures, natively (the JS suites repeat them through the package
//! on both engines and cross-check with node:crypto).

use std::path::PathBuf;

use aggpay::ErrorCode;
use aggpay::alipay::notify::NotifyRule;
use aggpay::alipay::request::RequestOptions;
use aggpay::alipay::response::locate;
use aggpay::alipay::{Alipay, cert};
use aggpay::codec::form;
use aggpay::crypto::rsa::{RsaSigner, RsaVerifier};
use aggpay::keys::load_certificate_chain;
use serde_json::{Value, json};

fn fixture(path: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/alipay").join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn vectors(kind: &str) -> Vec<Value> {
    let all: Value = serde_json::from_str(&fixture("vectors.json")).unwrap();
    let list: Vec<Value> = all["vectors"].as_array().unwrap().iter().filter(|v| v["kind"] == kind).cloned().collect();
    assert!(!list.is_empty(), "no {kind} vectors");
    list
}

fn client(config: Value) -> Alipay {
    Alipay::new(&config, |k| Ok(Box::new(k) as Box<dyn RsaSigner>), |k| Ok(Box::new(k) as Box<dyn RsaVerifier>))
        .unwrap()
}

fn app(alipay_public_key: &str, sign_type: &str) -> Alipay {
    client(json!({
        "appId": "2021000122671080",
        "privateKey": fixture("sdk-nodejs/app-private-key.pem"),
        "alipayPublicKey": alipay_public_key,
        "signType": sign_type,
        "notifyUrl": "https://example.com/alipay/notify",
    }))
}

#[test]
fn response_node_extraction_vectors() {
    for v in vectors("response-sign-content") {
        let node = v["response_node"].as_str().unwrap();
        let method = node.trim_end_matches("_response").replace('_', ".");
        let located = locate(v["raw_response"].as_str().unwrap(), &method, &Default::default()).unwrap();
        assert_eq!(located.node_text, v["expect"].as_str().unwrap(), "{}", v["id"]);
    }
}

#[test]
fn response_verification_vectors() {
    for v in vectors("response-verify") {
        let client = app(&fixture(v["alipay_public_key"].as_str().unwrap()), v["sign_type"].as_str().unwrap());
        let result = client.parse_response(v["method"].as_str().unwrap(), v["raw_response"].as_str().unwrap());
        match v["expect"].as_str().unwrap() {
            "valid" => assert_eq!(result.unwrap(), v["sign_content"].as_str().unwrap()),
            _ => assert_eq!(result.unwrap_err().code(), ErrorCode::SignatureInvalid, "{}", v["id"]),
        }
    }
}

#[test]
fn request_signing_vectors() {
    for kind in ["rsa2-sign", "rsa-sign"] {
        for v in vectors(kind) {
            let p = &v["params"];
            let client = app(&fixture("sdk-nodejs/alipay-public-key.pem"), p["sign_type"].as_str().unwrap());
            // "2024-01-01 12:00:00" Beijing = 04:00:00 UTC.
            assert_eq!(p["timestamp"], "2024-01-01 12:00:00");
            let options = RequestOptions {
                timestamp_ms: 1_704_081_600_000.0,
                return_url: p["return_url"].as_str().map(str::to_owned),
                app_auth_token: p["app_auth_token"].as_str().map(str::to_owned),
                ..Default::default()
            };
            let biz = p["biz_content"].clone();
            let params = client.signed_params("alipay.trade.create", Some(&biz), &options).unwrap();
            let sign = &params.iter().find(|(k, _)| k == "sign").unwrap().1;
            assert_eq!(sign, v["expect"].as_str().unwrap(), "{}", v["id"]);
        }
    }
}

#[test]
fn notification_vectors() {
    for (kind, rule) in [("notify-verify-v1", NotifyRule::Payment), ("notify-verify-v2", NotifyRule::Gateway)] {
        for v in vectors(kind) {
            let key = v["alipay_public_key_pem"]
                .as_str()
                .map(str::to_owned)
                .or_else(|| v["alipay_public_key"].as_str().map(fixture))
                .unwrap();
            let client = app(&key, "RSA2");
            let body = match v["form_body"].as_str() {
                Some(body) => body.to_owned(),
                None => form::encode(
                    v["params"].as_object().unwrap().iter().map(|(k, v)| (k.as_str(), v.as_str().unwrap())),
                ),
            };
            let result = client.verify_notify(body.as_bytes(), rule);
            match v["expect"].as_str().unwrap() {
                "valid" => {
                    let n = result.unwrap_or_else(|e| panic!("{}: {e}", v["id"]));
                    for (k, value) in &n.params {
                        assert_eq!(v["params"][k].as_str().unwrap(), value, "{}", v["id"]);
                    }
                    assert!(client.verify_notify(body.as_bytes(), NotifyRule::Auto).is_ok());
                }
                _ => assert_eq!(result.unwrap_err().code(), ErrorCode::SignatureInvalid, "{}", v["id"]),
            }
        }
    }
}

#[test]
fn certificate_sn_vectors() {
    for v in vectors("cert-sn") {
        let chain = load_certificate_chain(&fixture(v["cert"].as_str().unwrap()), "cert").unwrap();
        let c = &chain[v["cert_index"].as_u64().unwrap_or(0) as usize];
        assert_eq!(c.issuer(), v["issuer_dn"].as_str().unwrap());
        assert_eq!(c.serial_decimal(), v["serial_decimal"].as_str().unwrap());
        assert_eq!(cert::cert_sn(c), v["expect"].as_str().unwrap(), "{}", v["id"]);
    }
    for v in vectors("root-cert-sn") {
        let roots = load_certificate_chain(&fixture(v["cert"].as_str().unwrap()), "roots").unwrap();
        assert_eq!(cert::root_cert_sn(&roots).unwrap(), v["expect"].as_str().unwrap(), "{}", v["id"]);
    }
}

#[test]
fn certificate_mode_client_and_its_sns() {
    let c = client(json!({
        "appId": "2021001161683774",
        "privateKey": fixture("sdk-nodejs/app-private-key.pem"),
        "appCert": fixture("sdk-nodejs/appCertPublicKey_2021001161683774.crt"),
        "alipayCert": fixture("sdk-nodejs/alipayCertPublicKey_RSA2.crt"),
        "alipayRootCert": fixture("sdk-nodejs/alipayRootCert.crt"),
    }));
    let mode = c.cert_mode().unwrap();
    assert_eq!(mode.app_cert_sn, "866efef280dec9137a87d047ac446315");
    assert_eq!(mode.alipay_cert_sn, "7513daaaa48aa3ba2e4018d84402479c");
    assert_eq!(mode.alipay_root_cert_sn, "687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6");
    let req = c
        .build_trade_query(
            &json!({ "out_trade_no": "T1" }),
            &RequestOptions { timestamp_ms: 0.0, ..Default::default() },
        )
        .unwrap();
    assert!(req.url.contains("app_cert_sn=866efef280dec9137a87d047ac446315"));
    assert!(req.url.contains("alipay_root_cert_sn=687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6"));
    // A response naming another Alipay certificate: rotated.
    let err = c
        .parse_response(
            "alipay.trade.query",
            r#"{"alipay_trade_query_response":{"code":"10000"},"alipay_cert_sn":"0123","sign":"AAAA"}"#,
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::CertSnMismatch);
}

#[test]
fn app_public_key_as_alipay_key_is_refused() {
    let err = Alipay::new(
        &json!({
            "appId": "1",
            "privateKey": fixture("sdk-nodejs/app-private-key.pem"),
            "alipayPublicKey": fixture("sdk-nodejs/app-public-key.pem"),
        }),
        |k| Ok(Box::new(k) as Box<dyn RsaSigner>),
        |k| Ok(Box::new(k) as Box<dyn RsaVerifier>),
    )
    .err()
    .unwrap();
    assert_eq!(err.code(), ErrorCode::KeyMismatch);
}

/// Clients print their app and modes, never key material.
#[test]
fn debug_never_shows_secrets() {
    let key = fixture("sdk-nodejs/app-private-key.pem");
    let alipay = client(json!({
        "appId": "2021000122671080",
        "privateKey": key,
        "alipayPublicKey": fixture("sdk-nodejs/alipay-public-key.pem"),
        "encryptKey": "aYA0GP8JEW+D7/UFaskCWA==",
    }));
    let shown = format!("{alipay:?}");
    assert!(shown.contains("2021000122671080"), "{shown}");
    let body: String = key.lines().filter(|l| !l.starts_with("-----")).collect();
    for window in body.as_bytes().windows(16).step_by(3) {
        assert!(!shown.contains(std::str::from_utf8(window).unwrap()), "{shown}");
    }
    assert!(!shown.contains("aYA0GP8J"), "{shown}");
}
