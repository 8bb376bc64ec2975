//! Alipay rules against the vectors in tests/fixtures, natively (the JS suites repeat them through the package
//! on both engines and cross-check with node:crypto).

use std::path::PathBuf;

use aggpay::ErrorCode;
use aggpay::alipay::notify::NotifyRule;
use aggpay::alipay::request::RequestOptions;
use aggpay::alipay::response::locate;
use aggpay::alipay::{Alipay, cert};
use aggpay::codec::form;
use aggpay::crypto::step::{Pending, Step};
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
    Alipay::new(&config).unwrap()
}

/// Runs a prepared operation with the in-core engine over the client's own keys.
fn run<T: 'static>(c: &Alipay, prepared: aggpay::Result<Pending<T>>) -> aggpay::Result<T> {
    prepared?.run(c.keys())
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
        let result =
            run(&client, client.parse_response(v["method"].as_str().unwrap(), v["raw_response"].as_str().unwrap()));
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
            let params = run(&client, client.signed_params("alipay.trade.create", Some(&biz), &options)).unwrap();
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
            let result = run(&client, client.verify_notify(body.as_bytes(), rule));
            match v["expect"].as_str().unwrap() {
                "valid" => {
                    let n = result.unwrap_or_else(|e| panic!("{}: {e}", v["id"]));
                    for (k, value) in n.params.iter() {
                        assert_eq!(v["params"][k].as_str().unwrap(), value, "{}", v["id"]);
                    }
                    assert!(run(&client, client.verify_notify(body.as_bytes(), NotifyRule::Auto)).is_ok());
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
    assert_eq!(mode.app_cert_sn.as_deref(), Some("866efef280dec9137a87d047ac446315"));
    assert_eq!(c.keys().public_ids().collect::<Vec<_>>(), ["7513daaaa48aa3ba2e4018d84402479c"]);
    assert_eq!(
        mode.alipay_root_cert_sn.as_deref(),
        Some("687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6")
    );
    let options = RequestOptions { timestamp_ms: 0.0, ..Default::default() };
    let req = run(&c, c.build_trade_query(&json!({ "out_trade_no": "T1" }), &options)).unwrap();
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
    assert_eq!(err.detail().and_then(|d| d.serial.as_deref()), Some("0123"));
    // The SN it names picks that certificate's key, and only it.
    let named = c
        .parse_response(
            "alipay.trade.query",
            r#"{"alipay_trade_query_response":{"code":"10000"},"alipay_cert_sn":"7513daaaa48aa3ba2e4018d84402479c","sign":"AAAA"}"#,
        )
        .unwrap();
    match named.step() {
        Step::Verify(v) => assert_eq!(
            v.candidates.iter().map(|c| c.key_id.as_str()).collect::<Vec<_>>(),
            ["7513daaaa48aa3ba2e4018d84402479c"]
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn app_public_key_as_alipay_key_is_refused() {
    let err = Alipay::new(&json!({
        "appId": "1",
        "privateKey": fixture("sdk-nodejs/app-private-key.pem"),
        "alipayPublicKey": fixture("sdk-nodejs/app-public-key.pem"),
    }))
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

/// A client holds only the keys its operations need, and says which one it lacks.
#[test]
fn verify_only_and_sign_only_clients() {
    let verify_only = client(json!({ "appId": "1", "alipayPublicKey": fixture("sdk-nodejs/alipay-public-key.pem") }));
    let options = RequestOptions::default();
    let err = verify_only.build_trade_query(&json!({ "out_trade_no": "T1" }), &options).unwrap_err();
    assert_eq!(err.code(), ErrorCode::VerifyOnly);
    assert_eq!(
        verify_only.build_v3_request(&json!({ "path": "/v3/x" }), 0.0, "n").unwrap_err().code(),
        ErrorCode::VerifyOnly
    );
    let v = &vectors("response-verify")[0];
    let verify_only = client(json!({
        "appId": "1",
        "alipayPublicKey": fixture(v["alipay_public_key"].as_str().unwrap()),
        "signType": v["sign_type"],
    }));
    assert!(
        run(
            &verify_only,
            verify_only.parse_response(v["method"].as_str().unwrap(), v["raw_response"].as_str().unwrap())
        )
        .is_ok()
    );

    let sign_only = client(json!({ "appId": "1", "privateKey": fixture("sdk-nodejs/app-private-key.pem") }));
    assert!(run(&sign_only, sign_only.build_trade_query(&json!({ "out_trade_no": "T1" }), &options)).is_ok());
    let err = sign_only.verify_notify(b"a=1&sign=AAAA", NotifyRule::Payment).unwrap_err();
    assert_eq!(err.code(), ErrorCode::NoProviderKey);
    let err = sign_only
        .parse_response("alipay.trade.query", r#"{"alipay_trade_query_response":{"code":"10000"},"sign":"AAAA"}"#)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NoProviderKey);
    assert_eq!(Alipay::new(&json!({ "appId": "1" })).unwrap_err().code(), ErrorCode::BadInput);
}

/// While Alipay rotates its certificate, a client holds both; a message without an SN is tried
/// with each, current first; a verify-only certificate client needs only alipayCert.
#[test]
fn rotated_alipay_certificates() {
    let current = fixture("sdk-nodejs/alipayCertPublicKey_RSA2.crt");
    let c = client(
        json!({ "appId": "1", "alipayCert": [current, fixture("sdk-nodejs/appCertPublicKey_2021001161683774.crt")] }),
    );
    assert_eq!(
        c.keys().public_ids().collect::<Vec<_>>(),
        ["7513daaaa48aa3ba2e4018d84402479c", "866efef280dec9137a87d047ac446315"]
    );
    let pending = c.verify_notify(b"a=1&sign=AAAA", NotifyRule::Auto).unwrap();
    match pending.step() {
        Step::Verify(v) => {
            let order: Vec<(&str, usize)> = v.candidates.iter().map(|c| (c.key_id.as_str(), c.message.len())).collect();
            assert_eq!(
                order,
                [
                    ("7513daaaa48aa3ba2e4018d84402479c", 3),
                    ("866efef280dec9137a87d047ac446315", 3),
                    ("7513daaaa48aa3ba2e4018d84402479c", 3),
                    ("866efef280dec9137a87d047ac446315", 3)
                ]
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(run(&c, Ok(pending)).unwrap_err().code(), ErrorCode::SignatureInvalid);
    assert_eq!(
        c.build_trade_query(&json!({ "out_trade_no": "T1" }), &RequestOptions::default()).unwrap_err().code(),
        ErrorCode::VerifyOnly
    );
}
