//! The result model. Only a verified `resultCode` of `succeed` means paid; `errorCode` `0000`
//! alone means nothing (it also comes with `pending` and `received`).

use serde_json::{Value, json};

use crate::money::Money;

/// `resultCode`s after which nothing more happens to the transaction.
const FINAL: &[&str] = &["succeed", "failed", "cancelled", "closed"];

/// A normalized view over verified fields (a response, `transactionInfo`, or a notification).
pub fn outcome(get: &dyn Fn(&str) -> Option<String>) -> Value {
    let result_code = get("resultCode").unwrap_or_default();
    let amount = match (get("amount"), get("currency")) {
        (Some(minor), Some(currency)) => minor
            .parse::<u64>()
            .ok()
            .and_then(|m| Money::new(m, &currency).ok())
            .map(|m| json!({ "minor": m.minor(), "currency": m.currency() })),
        _ => None,
    };
    json!({
        "resultCode": result_code,
        "paid": result_code == "succeed",
        "final": FINAL.contains(&result_code.as_str()),
        "errorCode": get("errorCode"),
        "errorMsg": get("errorMsg"),
        "transactionType": get("transactionType"),
        "transactionId": get("transactionId"),
        "originalTransactionId": get("originalTransactionId").filter(|s| !s.is_empty()),
        "reference": get("reference"),
        "amount": amount,
    })
}
