//! The result model. Only a verified `resultCode` of `succeed` means paid; `errorCode` `0000`
//! alone means nothing (it also comes with `pending` and `received`).

use serde_json::{Value, json};

use super::PROVIDER;
use crate::error::{Error, Result};
use crate::money::Money;

/// `resultCode`s after which nothing more happens to the transaction.
const FINAL: &[&str] = &["succeed", "failed", "cancelled", "closed"];

/// A normalized view over verified fields (a response, `transactionInfo`, or a notification). An
/// amount that is present is integer minor units in a known currency, or the message is
/// `ERR_RESPONSE_MALFORMED`; so is a paid result without one — a merchant compares amounts.
pub fn outcome(get: &dyn Fn(&str) -> Option<String>) -> Result<Value> {
    let result_code = get("resultCode").unwrap_or_default();
    let paid = result_code == "succeed";
    let amount = match (get("amount").filter(|a| !a.is_empty()), get("currency").filter(|c| !c.is_empty())) {
        (Some(minor), Some(currency)) => Some(Money::parse_minor(&minor, &currency).map_err(|_| {
            Error::malformed("the amount is not integer minor units in a known currency").with_provider(PROVIDER)
        })?),
        (Some(_), None) => {
            return Err(Error::malformed("the message has an amount but no currency").with_provider(PROVIDER));
        }
        (None, _) => None,
    };
    if paid && amount.is_none() {
        return Err(Error::malformed("a succeeded payment carries no amount").with_provider(PROVIDER));
    }
    Ok(json!({
        "resultCode": result_code,
        "paid": paid,
        "final": FINAL.contains(&result_code.as_str()),
        "errorCode": get("errorCode"),
        "errorMsg": get("errorMsg"),
        "transactionType": get("transactionType"),
        "transactionId": get("transactionId"),
        "originalTransactionId": get("originalTransactionId").filter(|s| !s.is_empty()),
        "reference": get("reference"),
        "amount": amount.map(|m| json!({ "minor": m.minor(), "currency": m.currency() })),
    }))
}
