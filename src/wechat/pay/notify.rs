//! Notifications (回调): the raw body is verified first, with the same header rules as responses;
//! only then is its `resource` decrypted (AEAD_AES_256_GCM with the APIv3 key: the nonce as UTF-8
//! bytes, `associated_data` as AAD, the tag the last 16 bytes of the ciphertext) and read as a typed
//! event. The answer WeChat Pay expects: 204 with no body, or a 4xx/5xx with its failure JSON, after
//! which it sends the notification again.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use serde_json::Value;
use zeroize::Zeroizing;

use super::response::{check_received, signature_step};
use super::{PROVIDER, WechatPay};
use crate::codec::json_node::check_within;
use crate::crypto::aes;
use crate::crypto::step::Pending;
use crate::error::{Error, ErrorCode, Result};
use crate::http::{NotifyReply, notify_json, notify_no_content};
use crate::limits::Limits;
use crate::money::Money;

/// The only resource algorithm WeChat Pay's RSA merchants receive.
pub const AEAD_AES_256_GCM: &str = "AEAD_AES_256_GCM";
/// What to answer a verified notification: 204 with no body.
pub const SUCCESS_REPLY: NotifyReply = notify_no_content();
/// The body of a refusal, as WeChat Pay documents it.
pub const FAILURE_BODY: &str = r#"{"code":"FAIL","message":"失败"}"#;

/// What to answer a notification that could not be accepted: 401 when it did not verify (a bad or
/// probe signature, a stale timestamp, an unknown serial), 500 otherwise; WeChat Pay sends it again.
pub fn failure_reply(error: &Error) -> NotifyReply {
    failure_reply_for_code(error.code().as_str())
}

/// [`failure_reply`] for an error known by its code (`AggpayError.code` on the JS side): 401 for
/// the codes of a notification that did not verify, 500 for any other text.
pub fn failure_reply_for_code(code: &str) -> NotifyReply {
    const UNVERIFIED: [ErrorCode; 4] =
        [ErrorCode::SignatureInvalid, ErrorCode::SignatureProbe, ErrorCode::ClockSkew, ErrorCode::CertSnMismatch];
    match UNVERIFIED.iter().any(|c| c.as_str() == code) {
        true => notify_json(401, FAILURE_BODY),
        false => notify_json(500, FAILURE_BODY),
    }
}

/// Decrypts an AEAD_AES_GCM resource: `key` the APIv3 key's bytes, `nonce` and `associated_data` as
/// their UTF-8 bytes, `ciphertext` base64 of the ciphertext with its 16-byte tag. Every failure past
/// the argument checks (base64, length, tag) is the one `ERR_DECRYPT_FAILED`.
pub fn decrypt_resource(key: &[u8], nonce: &str, associated_data: &str, ciphertext: &str) -> Result<Vec<u8>> {
    let data = STANDARD.decode(ciphertext).map_err(|_| Error::decrypt_failed())?;
    aes::gcm_decrypt(key, nonce.as_bytes(), associated_data.as_bytes(), &data)
}

/// An encrypted object of a notification (`resource`) or certificate (`encrypt_certificate`).
#[derive(serde::Deserialize)]
pub(crate) struct Encrypted {
    algorithm: String,
    ciphertext: String,
    nonce: String,
    #[serde(default)]
    associated_data: Option<String>,
}

impl Encrypted {
    /// The plaintext as UTF-8 text, with the APIv3 key.
    pub(crate) fn decrypt(&self, key: &[u8], what: &str) -> Result<String> {
        if self.algorithm != AEAD_AES_256_GCM {
            return Err(Error::malformed(format!("{what} is not {AEAD_AES_256_GCM}")).with_provider(PROVIDER));
        }
        let plain = decrypt_resource(key, &self.nonce, self.associated_data.as_deref().unwrap_or(""), &self.ciphertext)
            .map_err(|e| e.with_provider(PROVIDER))?;
        // The tag checked, the plaintext is WeChat Pay's: not UTF-8 is a malformed message, not an oracle.
        String::from_utf8(plain).map_err(|_| Error::malformed(format!("{what} is not UTF-8")).with_provider(PROVIDER))
    }
}

/// A verified, decrypted notification as a typed event — the shape of the Alipay and UseePay
/// notifications: whether it says the order is paid, the amount to compare with your order, WeChat
/// Pay's and your ids, and the decrypted resource as received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// `trade_state` is `SUCCESS`: the buyer has paid.
    pub paid: bool,
    /// `trade_state` as sent (`SUCCESS`, `REFUND`, `NOTPAY`, `CLOSED`, `REVOKED`, `USERPAYING`,
    /// `PAYERROR`); none in refund events.
    pub trade_status: Option<String>,
    /// The order's total, `amount.total` fen in `amount.currency` (CNY when it names none). A paid
    /// event always carries one.
    pub amount: Option<Money>,
    /// `out_trade_no`: your order id.
    pub out_trade_no: Option<String>,
    /// `transaction_id`: WeChat Pay's order id.
    pub trade_no: Option<String>,
    /// `appid` (a service provider's: `sp_appid`): check it is yours.
    pub app_id: Option<String>,
    /// `mchid` (a service provider's: `sp_mchid`): check it is yours.
    pub mchid: Option<String>,
    /// `sub_mchid` of a service provider's order.
    pub sub_mchid: Option<String>,
    /// The buyer: `payer.openid` (a service provider's: `payer.sub_openid`, else `payer.sp_openid`).
    pub openid: Option<String>,
    /// The notification's `id`: the same notification delivered again carries the same one.
    pub notify_id: Option<String>,
    /// `event_type`: `TRANSACTION.SUCCESS`, `REFUND.SUCCESS`, `REFUND.ABNORMAL`, `REFUND.CLOSED`, …
    pub notify_type: Option<String>,
    /// `success_time` (RFC 3339): when the order was paid, or the refund done.
    pub success_time: Option<String>,
    /// The refund, in refund events.
    pub refund: Option<RefundEvent>,
    /// The decrypted `resource`, exactly as WeChat Pay sent it (JSON text).
    pub plaintext: String,
}

/// The refund a refund notification reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundEvent {
    /// `refund_status`: `SUCCESS`, `CLOSED` (failed, final) or `ABNORMAL` (stuck, not final).
    pub refund_status: String,
    /// `SUCCESS` or `CLOSED`: nothing more happens to the refund.
    pub r#final: bool,
    /// The amount refunded, `amount.refund` fen.
    pub refunded: Money,
    /// `out_refund_no`: your refund id.
    pub out_refund_no: Option<String>,
    /// `refund_id`: WeChat Pay's refund id.
    pub refund_id: Option<String>,
}

/// `amount.<name>` of a WeChat Pay document (a notification's resource, a query or refund reply):
/// integer fen in `amount.currency` (CNY when it names none), `None` when absent; anything else is
/// `ERR_RESPONSE_MALFORMED`.
pub(crate) fn amount_fen(document: &Value, name: &str) -> Result<Option<Money>> {
    let amount = document.get("amount");
    let currency = amount.and_then(|a| a.get("currency")).and_then(Value::as_str).filter(|s| !s.is_empty());
    match amount.and_then(|a| a.get(name)) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => {
            value.as_u64().and_then(|minor| Money::new(minor, currency.unwrap_or("CNY")).ok()).map(Some).ok_or_else(
                || {
                    Error::malformed(format!("amount.{name} is not integer fen of a known currency"))
                        .with_provider(PROVIDER)
                },
            )
        }
    }
}

/// The notification envelope WeChat Pay posts.
#[derive(serde::Deserialize)]
struct Envelope {
    id: Option<String>,
    event_type: Option<String>,
    resource: Option<Encrypted>,
}

impl Notification {
    /// The event of a verified notification body, decrypted with `key` (the APIv3 key).
    fn read(body: &[u8], key: &[u8], limits: &Limits) -> Result<Notification> {
        let malformed = |m: &str| Error::malformed(m.to_owned()).with_provider(PROVIDER);
        let text = std::str::from_utf8(body).map_err(|_| malformed("the notification is not UTF-8"))?;
        check_within(text, limits).map_err(|e| e.with_provider(PROVIDER))?;
        let envelope: Envelope =
            serde_json::from_str(text).map_err(|_| malformed("the notification is not WeChat Pay's envelope"))?;
        let resource = envelope.resource.ok_or_else(|| malformed("the notification has no resource"))?;
        let plaintext = resource.decrypt(key, "the notification resource")?;
        check_within(&plaintext, limits).map_err(|e| e.with_provider(PROVIDER))?;
        let event: Value = serde_json::from_str(&plaintext).map_err(|_| malformed("the resource is not JSON"))?;
        let text_of =
            |value: Option<&Value>| value.and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
        let get = |name: &str| text_of(event.get(name));
        let fen = |name: &str| amount_fen(&event, name);
        let trade_status = get("trade_state");
        let paid = trade_status.as_deref() == Some("SUCCESS");
        let total = fen("total")?;
        if paid && total.is_none() {
            return Err(malformed("a paid notification carries no amount.total"));
        }
        let refund = match get("refund_status") {
            None => None,
            Some(status) => Some(RefundEvent {
                r#final: matches!(status.as_str(), "SUCCESS" | "CLOSED"),
                refund_status: status,
                refunded: fen("refund")?.ok_or_else(|| malformed("a refund notification carries no amount.refund"))?,
                out_refund_no: get("out_refund_no"),
                refund_id: get("refund_id"),
            }),
        };
        let payer = |name: &str| text_of(event.get("payer").and_then(|p| p.get(name)));
        Ok(Notification {
            paid,
            trade_status,
            amount: total,
            out_trade_no: get("out_trade_no"),
            trade_no: get("transaction_id"),
            app_id: get("appid").or_else(|| get("sp_appid")),
            mchid: get("mchid").or_else(|| get("sp_mchid")),
            sub_mchid: get("sub_mchid"),
            openid: payer("openid").or_else(|| payer("sub_openid")).or_else(|| payer("sp_openid")),
            notify_id: envelope.id.filter(|s| !s.is_empty()),
            notify_type: envelope.event_type.filter(|s| !s.is_empty()),
            success_time: get("success_time"),
            refund,
            plaintext,
        })
    }
}

impl WechatPay {
    /// Asks for a notification — its `headers` (name/value pairs in any case) and the exact `body`
    /// bytes received — to be verified; once verified, decrypts its resource and returns the event.
    /// Answer [`SUCCESS_REPLY`] once the event is handled, [`failure_reply`] otherwise.
    pub fn verify_notify(&self, headers: &[(&str, &str)], body: &[u8], now_ms: f64) -> Result<Pending<Notification>> {
        self.check_can_verify()?;
        let key = Zeroizing::new(self.api_v3_key("decrypting a notification")?.bytes().to_vec());
        check_received(headers, body, &self.limits)?;
        let step = signature_step(&self.keys, headers, body, now_ms)?;
        let invalid =
            Error::signature_invalid("the WeChat Pay notification signature does not verify").with_provider(PROVIDER);
        let (body, limits) = (body.to_vec(), self.limits);
        Ok(Pending::verified(step, invalid, move |_| Notification::read(&body, &key, &limits)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_exact() {
        let ok = serde_json::to_value(SUCCESS_REPLY).unwrap();
        assert_eq!(ok, serde_json::json!({ "status": 204, "headers": {}, "body": null }));
        let refused = serde_json::to_value(failure_reply(&Error::signature_invalid("x"))).unwrap();
        assert_eq!(
            refused,
            serde_json::json!({ "status": 401, "headers": { "content-type": "application/json" }, "body": "{\"code\":\"FAIL\",\"message\":\"失败\"}" })
        );
        assert_eq!(failure_reply(&Error::malformed("x")).status, 500);
        for code in ["ERR_SIGNATURE_INVALID", "ERR_SIGNATURE_PROBE", "ERR_CLOCK_SKEW", "ERR_CERT_SN_MISMATCH"] {
            assert_eq!(failure_reply_for_code(code).status, 401, "{code}");
        }
        for code in ["ERR_DECRYPT_FAILED", "ERR_BAD_INPUT", "", "err_signature_invalid"] {
            assert_eq!(failure_reply_for_code(code).status, 500, "{code}");
        }
    }
}
