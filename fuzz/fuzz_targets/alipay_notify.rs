//! Alipay notifications and `return_url` queries: `verify_notify` with each rule, `verify_return` and
//! the checkout's `verify_event`,
//! on clients with the fixture keys (one client and call per input, picked from the input: RSA
//! verification is slow) and on clients that accept every signature (every rule, every input, so
//! the charset decoding after verification is reached).
#![no_main]

use aggpay::alipay::notify::NotifyRule;
use aggpay::codec::form;
use aggpay_fuzz::{alipay_clients, pick, trace};
use libfuzzer_sys::fuzz_target;

const RULES: [NotifyRule; 3] = [NotifyRule::Payment, NotifyRule::Gateway, NotifyRule::Auto];

fuzz_target!(init: { alipay_clients(); }, |data: &[u8]| {
    let clients = alipay_clients();
    // The real-key clients whose keys verify the notification vectors (payment, gateway rule).
    let real = &clients.real[..2];
    let which = pick(data, real.len() * (RULES.len() + 1));
    let client = &real[which / (RULES.len() + 1)];
    match RULES.get(which % (RULES.len() + 1)) {
        Some(&rule) => trace(&format!("real {which} verify_notify {rule:?}"), &client.verify_notify(data, rule)),
        None => trace(&format!("real {which} verify_return"), &client.verify_return(data)),
    }
    for (i, client) in clients.open.iter().enumerate() {
        for rule in RULES {
            let result = client.verify_notify(data, rule);
            trace(&format!("open {i} verify_notify {rule:?}"), &result);
            if let Ok(notification) = result {
                // Verified parameters are the decoded pairs, every one, in order.
                let pairs = form::decode(data).expect("a verified body decodes");
                assert_eq!(notification.params.len(), pairs.len());
            }
        }
        trace(&format!("open {i} verify_return"), &client.verify_return(data));
        let event = client.verify_event(data);
        trace(&format!("open {i} verify_event"), &event);
        if let Ok(event) = event {
            // The one event keeps the provider's: its status word and ids are the notification's.
            assert_eq!(event.provider_status, event.raw.trade_status);
            assert_eq!(event.out_trade_no, event.raw.out_trade_no);
        }
    }
});
