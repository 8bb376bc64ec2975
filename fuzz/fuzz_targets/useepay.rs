//! UseePay: `response::fields_of`, and clients in MD5 mode, RSA mode with the fixture keys, and RSA
//! mode accepting every signature: `verify_response`, `parse_jsapi_pay`, `parse_query`,
//! `parse_refund` and the checkout's reads on the input as a response, `verify_notify` and `verify_event`
//! on it as a notification body. The
//! real-key RSA client runs one of those calls per input, picked from it (RSA verification is slow).
#![no_main]

use aggpay::router::wallet::Wallet;
use aggpay_fuzz::{FuzzUseePay, checkout_args, pick, trace, useepay_clients, useepay_fields_of};
use libfuzzer_sys::fuzz_target;

fn call(client: &FuzzUseePay, which: usize, label: &str, text: &str, data: &[u8]) {
    match which {
        0 => {
            let verified = client.verify_response(text);
            trace(&format!("{label} verify_response"), &verified);
            if let Ok(verified) = verified {
                let _ = verified.outcome();
            }
        }
        1 => trace(&format!("{label} parse_jsapi_pay"), &client.parse_jsapi_pay(text)),
        2 => trace(&format!("{label} parse_query"), &client.parse_query(text)),
        3 => trace(&format!("{label} parse_refund"), &client.parse_refund(text)),
        4 => trace(&format!("{label} verify_notify"), &client.verify_notify(data)),
        5 => trace(&format!("{label} verify_event"), &client.verify_event(data)),
        _ => {
            let args = checkout_args(Wallet::Wechat);
            for (call, result) in ["parse_checkout", "parse_status_query", "parse_checkout_refund"]
                .iter()
                .zip(client.checkout_replies(text, &args))
            {
                trace(&format!("{label} {call}"), &result);
            }
        }
    }
}

fuzz_target!(init: { useepay_clients(); }, |data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    trace("fields_of", &useepay_fields_of(text));
    let [md5, rsa, open] = useepay_clients() else { unreachable!("three UseePay clients") };
    for which in 0..7 {
        call(md5, which, "md5", text, data);
        call(open, which, "open", text, data);
    }
    call(rsa, pick(data, 7), "rsa", text, data);
});
