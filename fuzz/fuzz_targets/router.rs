//! The router: `Router::route` on a User-Agent and URL split from the input, `route_launch` on the
//! input as launch options (JSON), `verify_state` on the input as a `state` and `verify_callback`
//! on it as the redirect back; a state the router issued verifies for its wallet and binding (also
//! inside the input's URL as a callback), and any one-byte change of it is refused.
//!
//! Input: the User-Agent up to the first line break, then the URL.
#![no_main]

use aggpay::ErrorCode;
use aggpay_fuzz::{router, trace};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

const NOW_MS: f64 = 1_800_000_000_000.0;

fuzz_target!(init: { router(); }, |data: &[u8]| {
    let router = router();
    let text = String::from_utf8_lossy(data);
    let (user_agent, url) = text.split_once('\n').unwrap_or(("", &text));
    let route = router.route(user_agent, url);
    trace("route", &route);
    if let Ok(route) = route {
        // The wallet is what the client says it is.
        assert_eq!(route.wallet, route.client.wallet());
    }
    if let Ok(options) = serde_json::from_str::<Value>(&text) {
        trace("route_launch", &router.route_launch(&options));
    }
    trace("verify_callback", &router.verify_callback(&json!({ "url": url }), NOW_MS));
    match router.verify_state(&text, &Value::Null, NOW_MS) {
        Ok(_) => panic!("a state the fuzzer made up verified"),
        Err(e) => assert!(matches!(e.code(), ErrorCode::StateInvalid | ErrorCode::BadInput), "{e}"),
    }

    // A state issued for the input as its binding verifies; one changed byte does not.
    let bind = text.chars().take(64).collect::<String>();
    let issued = router.authorize_url(&json!({ "wallet": "wechat", "redirectUri": "https://shop.example.com/cb", "bind": bind }), NOW_MS, "0123456789abcdef");
    if let Ok(issued) = issued {
        let options = json!({ "wallet": "wechat", "bind": bind });
        router.verify_state(&issued.state, &options, NOW_MS).expect("the state just issued verifies");
        // The input's URL as the redirect back, with the state appended: it verifies, or the URL
        // itself is refused; a verified callback keeps none of what the wallet adds.
        let back = format!("{url}{}state={}&code=c", if url.contains('?') { "&" } else { "?" }, issued.state);
        match router.verify_callback(&json!({ "url": back, "bind": bind }), NOW_MS) {
            Ok(callback) => assert!(callback.params.iter().all(|(n, _)| n != "state" && n != "code")),
            Err(e) => assert!(matches!(e.code(), ErrorCode::BadInput | ErrorCode::StateInvalid | ErrorCode::TooManyFields | ErrorCode::InputTooLarge | ErrorCode::Charset), "{e}"),
        }
        if let Some(&first) = data.first() {
            let mut changed = issued.state.clone().into_bytes();
            let at = usize::from(first) % changed.len();
            changed[at] = if changed[at] == b'a' { b'b' } else { b'a' };
            let changed = String::from_utf8(changed).expect("ASCII");
            assert!(router.verify_state(&changed, &options, NOW_MS).is_err(), "a changed state verified");
        }
    }
});
