//! `explain` (what a signature covers) on the input as every provider's message — an Alipay request
//! URL, notification and response, a WeChat Pay request's Authorization and a reply's body, a UseePay
//! form or JSON — and as a provider's report to compare with; `first_difference` on the input's two
//! halves. A pasted message is hostile input: nothing may panic, and a report equal to a signed text
//! shows no difference.
#![no_main]

use aggpay::Limits;
use aggpay::explain::{explain, first_difference, reported_text};
use aggpay_fuzz::trace;
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let limits = Limits::default();
    let inputs = [
        json!({ "provider": "alipay", "request": { "url": format!("https://openapi.alipay.com/gateway.do?{text}"), "body": text } }),
        json!({ "provider": "alipay", "notification": text, "reported": text }),
        json!({ "provider": "alipay", "response": text, "method": "alipay.trade.query" }),
        json!({ "provider": "wechatpay", "request": { "method": "POST", "url": text, "body": text, "authorization": text } }),
        json!({ "provider": "wechatpay", "notification": { "headers": { "Wechatpay-Timestamp": text, "Wechatpay-Nonce": "n" }, "body": text }, "reported": text }),
        json!({ "provider": "useepay", "response": text }),
        json!({ "provider": "useepay", "notification": text, "emptyValues": "exact" }),
    ];
    for input in &inputs {
        let explained = explain(input, &limits);
        trace("explain", &explained);
        if let Ok(explained) = explained {
            for signed in &explained.signed {
                assert_eq!(first_difference(signed, signed), None, "a text differs from itself");
            }
        }
    }
    let _ = reported_text(text);
    let (ours, theirs) = text.split_at(text.char_indices().nth(text.chars().count() / 2).map_or(0, |(at, _)| at));
    if let Some(d) = first_difference(ours, theirs) {
        assert!(d.index <= ours.chars().count().max(theirs.chars().count()));
    }
});
