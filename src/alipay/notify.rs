//! Asynchronous notifications (POSTed form bodies) and synchronous `return_url` parameters.
//!
//! Verified over the values as decoded exactly once, as raw bytes: a GBK notification is verified
//! over its GBK bytes and only then turned into strings.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::{Alipay, SignType};
use crate::codec::canonical::{self, EmptyValues};
use crate::codec::form::{self, Form, TextFields};
use crate::codec::gbk;
use crate::crypto::step::{Pending, VerifyStep};
use crate::error::{Error, ErrorCode, Result};
use crate::money::Money;
use serde::Serialize;

/// Which parameters the signature leaves out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotifyRule {
    /// Payment notifications and `return_url` parameters: `sign` and `sign_type` left out.
    Payment,
    /// Gateway / event messages (服务市场, 生活号): only `sign` left out.
    Gateway,
    /// The payment rule, then the gateway rule.
    Auto,
}

impl NotifyRule {
    /// `"payment"`, `"gateway"` or `"auto"`.
    pub fn parse(text: &str) -> Result<NotifyRule> {
        match text {
            "payment" => Ok(NotifyRule::Payment),
            "gateway" => Ok(NotifyRule::Gateway),
            "auto" => Ok(NotifyRule::Auto),
            _ => Err(Error::bad_input("unknown notify rule; use 'payment', 'gateway' or 'auto'")),
        }
    }
}

/// A verified notification as a typed event: whether it says the trade is paid, the amount to
/// compare with your order, Alipay's and your ids, and every parameter as received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// `trade_status` is `TRADE_SUCCESS` or `TRADE_FINISHED`: the buyer has paid.
    pub paid: bool,
    /// `trade_status` as sent (`WAIT_BUYER_PAY`, `TRADE_CLOSED`, `TRADE_SUCCESS`, `TRADE_FINISHED`).
    pub trade_status: Option<String>,
    /// `total_amount` in integer minor units — of `trans_currency` when the notification names one,
    /// otherwise CNY. A paid event always carries one.
    pub amount: Option<Money>,
    /// `out_trade_no`: your order id.
    pub out_trade_no: Option<String>,
    /// `trade_no`: Alipay's trade id.
    pub trade_no: Option<String>,
    /// `app_id`: the app the trade belongs to (check it is yours).
    pub app_id: Option<String>,
    /// `seller_id`: the merchant's Alipay account id (check it is yours).
    pub seller_id: Option<String>,
    /// `buyer_id`: the buyer (apps in user_id mode).
    pub buyer_id: Option<String>,
    /// `buyer_open_id`: the buyer (apps in OpenID mode).
    pub buyer_open_id: Option<String>,
    /// `notify_id`: the same notification sent again carries the same one.
    pub notify_id: Option<String>,
    /// `notify_type` (`trade_status_sync`, …).
    pub notify_type: Option<String>,
    /// Every parameter received (`sign` and `sign_type` included), decoded in the declared charset,
    /// in order.
    pub params: TextFields,
}

/// `trade_status` values after which the buyer has paid.
const PAID: &[&str] = &["TRADE_SUCCESS", "TRADE_FINISHED"];

impl Notification {
    /// The event of verified parameters. An amount that is present must be a decimal amount of its
    /// currency, or the notification is `ERR_RESPONSE_MALFORMED`; so is a paid one without it.
    pub fn of(params: TextFields) -> Result<Notification> {
        let get = |name: &str| params.get(name).filter(|v| !v.is_empty()).map(str::to_owned);
        let malformed = |m: &str| Error::malformed(m.to_owned()).with_provider(super::PROVIDER);
        let trade_status = get("trade_status");
        let paid = trade_status.as_deref().is_some_and(|s| PAID.contains(&s));
        let currency = get("trans_currency").unwrap_or_else(|| "CNY".to_owned());
        let amount = get("total_amount")
            .map(|text| {
                Money::parse_decimal(&text, &currency)
                    .map_err(|_| malformed("total_amount is not a decimal amount of its currency"))
            })
            .transpose()?;
        if paid && amount.is_none() {
            return Err(malformed("a paid notification carries no total_amount"));
        }
        Ok(Notification {
            paid,
            trade_status,
            amount,
            out_trade_no: get("out_trade_no"),
            trade_no: get("trade_no"),
            app_id: get("app_id"),
            seller_id: get("seller_id"),
            buyer_id: get("buyer_id"),
            buyer_open_id: get("buyer_open_id"),
            notify_id: get("notify_id"),
            notify_type: get("notify_type"),
            params,
        })
    }
}

/// What to answer Alipay: HTTP 200 with exactly `success`; anything else makes it retry.
pub const REPLY_BODY: &str = "success";

impl Alipay {
    /// Decodes a raw notification body (`application/x-www-form-urlencoded`) and asks for its
    /// signature to be verified; once verified, it is returned as an event.
    pub fn verify_notify(&self, body: &[u8], rule: NotifyRule) -> Result<Pending<Notification>> {
        Ok(self.verify_params(body, rule)?.map(Notification::of))
    }

    /// Verifies `return_url` query parameters (the part after `?`) with the payment rule; returns
    /// them as received (they are for display: trust notifications and queries).
    pub fn verify_return(&self, query: &[u8]) -> Result<Pending<TextFields>> {
        self.verify_params(query.strip_prefix(b"?").unwrap_or(query), NotifyRule::Payment)
    }

    /// The verification of a signed form body under `rule`; once verified, its parameters as text.
    fn verify_params(&self, body: &[u8], rule: NotifyRule) -> Result<Pending<TextFields>> {
        self.check_can_verify()?;
        let form = form::decode_unique(body, &self.limits).map_err(|e| e.with_provider(super::PROVIDER))?;
        let value_of = |name: &str| form.get(name);
        let sign = value_of("sign")
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::signature_invalid("the notification has no sign").with_provider(super::PROVIDER))?;
        let signature = STANDARD.decode(sign).map_err(|_| {
            Error::signature_invalid("the notification sign is not base64").with_provider(super::PROVIDER)
        })?;
        // The notification's own sign_type must be the configured one: no downgrade to SHA-1.
        let sign_type = match value_of("sign_type") {
            None | Some(b"") => self.sign_type,
            Some(t) => SignType::parse(&String::from_utf8_lossy(t)).map_err(|e| e.with_provider(super::PROVIDER))?,
        };
        if sign_type != self.sign_type {
            return Err(Error::signature_invalid(format!(
                "the notification is signed with {}, but this client is configured for {}",
                sign_type.as_str(),
                self.sign_type.as_str()
            ))
            .with_provider(super::PROVIDER));
        }
        let charset = Charset::of(value_of("charset"))?;
        let messages = notification_messages(&form, rule);
        let step = VerifyStep { hash: sign_type.hash(), signature, candidates: self.candidates(None, &messages)? };
        let invalid =
            Error::signature_invalid("the notification signature does not verify").with_provider(super::PROVIDER);
        Ok(Pending::verified(step, invalid, move |_| charset.decode(form)))
    }
}

/// The texts a notification's signature may be over under `rule`, in the order they are tried: every
/// parameter as decoded once (raw bytes, empty values kept) but `sign` and `sign_type` (the payment
/// rule), or but `sign` (the gateway rule).
pub(crate) fn notification_messages(form: &Form, rule: NotifyRule) -> Vec<Vec<u8>> {
    let content = |excluded: &[&str]| canonical::build(form.iter(), excluded, EmptyValues::Keep);
    match rule {
        NotifyRule::Payment => vec![content(&["sign", "sign_type"])],
        NotifyRule::Gateway => vec![content(&["sign"])],
        NotifyRule::Auto => vec![content(&["sign", "sign_type"]), content(&["sign"])],
    }
}

/// The charset a notification declares for its values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Charset {
    Utf8,
    Gbk,
}

impl Charset {
    fn of(declared: Option<&[u8]>) -> Result<Charset> {
        match declared.map(|c| c.to_ascii_lowercase()).as_deref() {
            None | Some(b"") | Some(b"utf-8") | Some(b"utf8") => Ok(Charset::Utf8),
            Some(b"gbk") | Some(b"gb2312") | Some(b"gb18030") => Ok(Charset::Gbk),
            Some(_) => {
                Err(Error::new(ErrorCode::Charset, "unsupported notification charset (utf-8 and GBK are supported)")
                    .with_provider(super::PROVIDER))
            }
        }
    }

    /// Every name and value of `form` as text in this charset.
    fn decode(self, form: Form) -> Result<TextFields> {
        match self {
            Charset::Utf8 => form.into_utf8().ok_or_else(|| {
                Error::new(
                    ErrorCode::Charset,
                    "the notification declares charset utf-8 but its values are not UTF-8 (GBK?)",
                )
                .with_provider(super::PROVIDER)
            }),
            Charset::Gbk => form.into_text(gbk::decode).map_err(|e| e.with_provider(super::PROVIDER)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(pairs: &[(&str, &str)]) -> Result<Notification> {
        let body = form::encode(pairs.iter().copied());
        Notification::of(form::decode(body.as_bytes()).unwrap().into_utf8().unwrap())
    }

    #[test]
    fn paid_amount_and_ids() {
        let paid =
            event(&[("trade_status", "TRADE_SUCCESS"), ("total_amount", "88.88"), ("out_trade_no", "T1")]).unwrap();
        assert!(paid.paid);
        assert_eq!(paid.amount, Some(Money::new(8888, "CNY").unwrap()));
        assert_eq!(paid.out_trade_no.as_deref(), Some("T1"));
        assert_eq!(paid.params.len(), 3);
        let usd = event(&[("trade_status", "TRADE_FINISHED"), ("total_amount", "1.5"), ("trans_currency", "USD")]);
        assert_eq!(usd.unwrap().amount, Some(Money::new(150, "USD").unwrap()));
        let waiting = event(&[("trade_status", "WAIT_BUYER_PAY"), ("total_amount", "1.00")]).unwrap();
        assert!(!waiting.paid);
        assert!(!event(&[("notify_type", "open_app_auth_notify")]).unwrap().paid);
        for bad in [
            &[("trade_status", "TRADE_SUCCESS")][..],
            &[("trade_status", "TRADE_SUCCESS"), ("total_amount", "1.001")],
            &[("total_amount", "-1")],
            &[("total_amount", "1e3")],
        ] {
            assert_eq!(event(bad).unwrap_err().code(), ErrorCode::ResponseMalformed, "{bad:?}");
        }
        let json = serde_json::to_value(event(&[("trade_status", "TRADE_SUCCESS"), ("total_amount", "0.01")]).unwrap())
            .unwrap();
        assert_eq!(json["amount"], serde_json::json!({ "minor": 1, "currency": "CNY" }));
        assert_eq!(json["params"], serde_json::json!({ "trade_status": "TRADE_SUCCESS", "total_amount": "0.01" }));
        assert_eq!(json["tradeStatus"], "TRADE_SUCCESS");
    }
}
