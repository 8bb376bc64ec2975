//! WeChat Pay APIv3: `verify_response`, `verify_notify`, the checkout's `verify_event` and reply reads
//! (created, queried, refunded) and `decrypt_certificates` on headers and a body split from the
//! input, on a client that verifies for real and one that accepts every signature; and
//! `verify_event` on a notification whose resource is the input itself, encrypted here with the
//! client's APIv3 key, so the event parsing behind a good tag is reached.
//!
//! Input: one byte for the status; header lines `name: value` up to an empty line; the body.
#![no_main]

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use aggpay::router::wallet::Wallet;
use aggpay::wechat::pay::checkout::Reply;
use aggpay_fuzz::{Reader, WECHATPAY_PUBLIC_KEY_ID, checkout_args, fixtures, trace, wechatpay_clients};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use libfuzzer_sys::fuzz_target;
use serde_json::json;

const STATUSES: [u16; 6] = [200, 204, 400, 401, 404, 500];

fuzz_target!(init: { wechatpay_clients(); }, |data: &[u8]| {
    let mut input = Reader(data);
    let status = STATUSES[usize::from(input.byte()) % STATUSES.len()];
    let rest = input.rest();
    let split = rest.windows(2).position(|w| w == b"\n\n").unwrap_or(rest.len());
    let head = String::from_utf8_lossy(&rest[..split]);
    let body = rest.get(split + 2..).unwrap_or(&[]);
    let mut headers: Vec<(&str, &str)> =
        head.lines().filter_map(|line| line.split_once(':')).map(|(n, v)| (n.trim(), v.trim())).collect();
    // The clock as the input's timestamp says, so that the window passes where the input is well formed.
    let now_ms = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("wechatpay-timestamp"))
        .and_then(|(_, v)| v.parse::<f64>().ok())
        .map_or(1_700_000_000_000.0, |s| s * 1000.0);

    let [real, open] = wechatpay_clients() else { unreachable!("two WeChat Pay clients") };
    let args = checkout_args(Wallet::Wechat);
    for (label, client) in [("real", real), ("open", open)] {
        trace(&format!("{label} verify_response"), &client.verify_response(status, &headers, body, now_ms));
        trace(&format!("{label} verify_notify"), &client.verify_notify(&headers, body, now_ms));
        trace(&format!("{label} verify_event"), &client.verify_event(&headers, body, now_ms));
        let reply = Reply { status, headers: &headers, body, now_ms };
        for (call, result) in ["parse_checkout", "parse_status_query", "parse_checkout_refund"].iter().zip(client.checkout_replies(&reply, &args)) {
            trace(&format!("{label} {call}"), &result);
        }
        trace(&format!("{label} decrypt_certificates"), &client.decrypt_certificates(status, body, now_ms));
    }

    // The body as a resource: encrypted and wrapped as WeChat Pay does, then verified (every signature
    // accepted) and read.
    let nonce = b"fuzzNonce012";
    let Ok(sealed) = Aes256Gcm::new_from_slice(fixtures::WECHATPAY_API_V3_KEY.as_bytes())
        .expect("a 32-byte key")
        .encrypt(&Nonce::try_from(&nonce[..]).expect("12-byte nonce"), Payload { msg: body, aad: b"transaction" })
    else {
        return;
    };
    let envelope = json!({
        "id": "EV-fuzz", "event_type": "TRANSACTION.SUCCESS", "resource_type": "encrypt-resource",
        "resource": { "original_type": "transaction", "algorithm": "AEAD_AES_256_GCM", "ciphertext": STANDARD.encode(sealed),
                      "associated_data": "transaction", "nonce": std::str::from_utf8(nonce).expect("ASCII") },
    })
    .to_string();
    headers.retain(|(n, _)| !n.to_ascii_lowercase().starts_with("wechatpay-"));
    headers.extend([
        ("Wechatpay-Timestamp", "1700000000"),
        ("Wechatpay-Nonce", "fuzz"),
        ("Wechatpay-Signature", "c2lnbmF0dXJl"),
        ("Wechatpay-Serial", WECHATPAY_PUBLIC_KEY_ID),
    ]);
    let event = open.verify_event(&headers, envelope.as_bytes(), 1_700_000_000_000.0);
    trace("sealed verify_event", &event);
    if let Ok(event) = event {
        assert_eq!(event.raw.plaintext.as_bytes(), body, "the event carries the resource as decrypted");
        assert_eq!(event.out_trade_no, event.raw.out_trade_no);
    }
});
