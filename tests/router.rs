//! The router on real User-Agent strings (tests/fixtures/router/user-agents.json, labelled by hand).

use aggpay::router::wallet::{Client, Wallet, detect};

#[test]
fn real_user_agents_route_to_their_wallet_and_client() {
    let text = std::fs::read_to_string("tests/fixtures/router/user-agents.json").unwrap();
    let fixture: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cases = fixture["cases"].as_array().unwrap();
    assert!(cases.len() >= 20);
    for case in cases {
        let ua = case["ua"].as_str().unwrap();
        let client = detect(ua);
        let name = serde_json::to_value(client).unwrap();
        let wallet = serde_json::to_value(client.wallet()).unwrap();
        assert_eq!(name, case["client"], "{}: {ua}", case["source"]);
        assert_eq!(wallet, case["wallet"], "{}: {ua}", case["source"]);
    }
    // Each kind the issue names is in the fixture.
    for kind in ["alipay-app", "wechat-app", "wechat-mini-program", "wechat-work", "dingtalk", "browser", "crawler"] {
        assert!(cases.iter().any(|c| c["client"] == kind), "{kind}");
    }
    assert_eq!(Client::Unknown.wallet(), Wallet::Other);
}
