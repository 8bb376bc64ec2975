//! `wx.requestPayment` parameters from UseePay's `redirectParam` — values handed on as received.

use serde_json::{Value, json};

use super::PROVIDER;
use crate::error::{Error, Result};

/// `{ timeStamp, nonceStr, package, signType, paySign }`. `timeStamp` is always a string (WeChat
/// requires it); the docs' spelling `noceStr` is accepted for `nonceStr`.
pub fn request_payment(redirect_param: &str) -> Result<Value> {
    let malformed = |m: &str| Error::malformed(m.to_owned()).with_provider(PROVIDER);
    let param: Value =
        serde_json::from_str(redirect_param).map_err(|_| malformed("redirectParam is not valid JSON"))?;
    let text = |k: &str| -> Option<String> {
        match param.get(k) {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        }
    };
    let need = |k: &str| text(k).ok_or_else(|| malformed(&format!("redirectParam has no {k}")));
    Ok(json!({
        "timeStamp": need("timeStamp")?,
        "nonceStr": text("nonceStr").or_else(|| text("noceStr")).ok_or_else(|| malformed("redirectParam has no nonceStr"))?,
        "package": need("package")?,
        "signType": need("signType")?,
        "paySign": need("paySign")?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_request_payment_with_string_timestamp_and_docs_spelling() {
        let p = request_payment(r#"{"appId":"wx1","timeStamp":1700000000,"noceStr":"n","package":"prepay_id=wx1","signType":"RSA","paySign":"s"}"#).unwrap();
        assert_eq!(
            p,
            json!({"timeStamp":"1700000000","nonceStr":"n","package":"prepay_id=wx1","signType":"RSA","paySign":"s"})
        );
        assert!(request_payment(r#"{"timeStamp":"1"}"#).is_err());
        assert!(request_payment("not json").is_err());
    }
}
