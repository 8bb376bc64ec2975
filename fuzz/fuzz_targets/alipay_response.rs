//! Alipay responses: v2 `parse_response` for a few methods (plus the method the input's own
//! `…_response` member names), certificate-download replies (`decode_cert_download`), and v3
//! `verify_v3_response` on `{ status, headers, body }` built from the input — on clients that accept every signature, and on one of the clients with the fixture
//! keys (public-key and certificate mode), picked from the input.
//!
//! v3 framing of an input: first line the status (a JSON number, else the line as a string), then
//! `name: value` header lines up to an empty line, then the body. An input without an empty line
//! is the body of a 200 response without headers. An input that is itself a JSON value is also
//! handed over as the whole response object.
#![no_main]

use aggpay::router::wallet::Wallet;
use aggpay_fuzz::{FuzzAlipay, alipay_clients, checkout_args, locate, pick, trace};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};

const METHODS: &[&str] = &[
    "alipay.trade.query",
    "alipay.trade.create",
    "alipay.open.file.upload",
    "alipay.trade.refund",
    "alipay.open.app.alipaycert.download",
];

/// The node name of the first `"…_response"` member in the text, as a method (`alipay_x_y`).
fn own_method(text: &str) -> Option<&str> {
    let end = text.find("_response\"")?;
    let start = text[..end].rfind('"')? + 1;
    Some(&text[start..end])
}

fn v3_response(text: &str) -> Value {
    let Some((head, body)) = text.split_once("\n\n") else {
        return json!({ "status": 200, "body": text });
    };
    let mut lines = head.lines();
    let first = lines.next().unwrap_or("").trim();
    let status = match serde_json::from_str::<Value>(first) {
        Ok(n @ Value::Number(_)) => n,
        _ => Value::String(first.to_owned()),
    };
    let headers: Map<String, Value> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), Value::String(value.trim().to_owned())))
        .collect();
    json!({ "status": status, "headers": headers, "body": body })
}

fuzz_target!(init: { alipay_clients(); }, |data: &[u8]| {
    let clients = alipay_clients();
    // Every client that accepts all signatures, and one real-key client picked from the input
    // (RSA verification is slow).
    let chosen: Vec<&FuzzAlipay> = clients.open.iter().chain(Some(&clients.real[pick(data, clients.real.len())])).collect();
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let own = own_method(text);
    for method in METHODS.iter().copied().chain(own) {
        if let Ok(located) = locate(text, method) {
            let (start, end) = (text.as_ptr() as usize, text.as_ptr() as usize + text.len());
            let node = located.node_text.as_ptr() as usize;
            assert!(start <= node && node + located.node_text.len() <= end, "node text is not a slice of the input");
        }
        for (i, client) in chosen.iter().enumerate() {
            trace(&format!("client {i} parse_response {method}"), &client.parse_response(method, text));
        }
    }
    // The checkout's reads of the same reply (trade create, query, refund), on the open clients.
    let args = checkout_args(Wallet::Alipay);
    for (i, client) in clients.open.iter().enumerate() {
        for (call, result) in ["parse_checkout", "parse_status_query", "parse_checkout_refund"].iter().zip(client.checkout_replies(text, &args)) {
            trace(&format!("open {i} {call}"), &result);
        }
    }
    // Certificate rotation: the download reply decoded and its certificate checked, on every client
    // (public-key mode refuses at once; certificate mode parses, decodes and checks).
    for (i, client) in clients.all().enumerate() {
        trace(&format!("client {i} decode_cert_download"), &client.decode_cert_download(text));
    }
    let framed = v3_response(text);
    let whole = serde_json::from_str::<Value>(text).ok();
    for (i, client) in chosen.iter().enumerate() {
        trace(&format!("client {i} verify_v3_response (framed)"), &client.verify_v3_response(&framed));
        if let Some(whole) = &whole {
            trace(&format!("client {i} verify_v3_response (whole)"), &client.verify_v3_response(whole));
        }
    }
});
