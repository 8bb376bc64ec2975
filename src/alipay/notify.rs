//! Asynchronous notifications (POSTed form bodies) and synchronous `return_url` parameters.
//!
//! Verified over the values as decoded exactly once, as raw bytes: a GBK notification is verified
//! over its GBK bytes and only then turned into strings.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::{Alipay, SignType};
use crate::codec::canonical::{self, EmptyValues};
use crate::codec::form::{self, FormPair};
use crate::crypto::step::{Pending, VerifyStep};
use crate::error::{Error, ErrorCode, Result};

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
            other => {
                Err(Error::bad_input(format!("unknown notify rule {other:?}; use 'payment', 'gateway' or 'auto'")))
            }
        }
    }
}

/// A verified notification: the parameters as strings, in the order received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Every parameter received (`sign` and `sign_type` included), decoded in the declared charset.
    pub params: Vec<(String, String)>,
}

/// What to answer Alipay: HTTP 200 with exactly `success`; anything else makes it retry.
pub const REPLY_BODY: &str = "success";

impl Alipay {
    /// Decodes a raw notification body (`application/x-www-form-urlencoded`) and asks for its
    /// signature to be verified; once verified, its parameters are returned as strings.
    pub fn verify_notify(&self, body: &[u8], rule: NotifyRule) -> Result<Pending<Notification>> {
        self.check_can_verify()?;
        let pairs = form::decode_unique(body, &self.limits).map_err(|e| e.with_provider(super::PROVIDER))?;
        self.verify_params(pairs, rule)
    }

    /// The same for `return_url` query parameters (the part after `?`), with the payment rule.
    pub fn verify_return(&self, query: &[u8]) -> Result<Pending<Notification>> {
        let query = query.strip_prefix(b"?").unwrap_or(query);
        self.verify_notify(query, NotifyRule::Payment)
    }

    fn verify_params(&self, pairs: Vec<FormPair>, rule: NotifyRule) -> Result<Pending<Notification>> {
        let value_of = |name: &str| pairs.iter().find(|p| p.name == name.as_bytes()).map(|p| p.value.as_slice());
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
        let content = |excluded: &[&str]| {
            canonical::build(pairs.iter().map(|p| (p.name.as_slice(), p.value.as_slice())), excluded, EmptyValues::Keep)
        };
        let messages = match rule {
            NotifyRule::Payment => vec![content(&["sign", "sign_type"])],
            NotifyRule::Gateway => vec![content(&["sign"])],
            NotifyRule::Auto => vec![content(&["sign", "sign_type"]), content(&["sign"])],
        };
        let step = VerifyStep { hash: sign_type.hash(), signature, candidates: self.candidates(None, &messages)? };
        let invalid =
            Error::signature_invalid("the notification signature does not verify").with_provider(super::PROVIDER);
        Ok(Pending::verified(step, invalid, move |_| {
            let params = pairs
                .iter()
                .map(|p| Ok((charset.decode(&p.name)?, charset.decode(&p.value)?)))
                .collect::<Result<Vec<_>>>()?;
            Ok(Notification { params })
        }))
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
            Some(other) => Err(Error::new(
                ErrorCode::Charset,
                format!("unsupported notification charset {:?}", String::from_utf8_lossy(other)),
            )
            .with_provider(super::PROVIDER)),
        }
    }

    fn decode(self, bytes: &[u8]) -> Result<String> {
        match self {
            Charset::Utf8 => String::from_utf8(bytes.to_vec()).map_err(|_| {
                Error::new(
                    ErrorCode::Charset,
                    "the notification declares charset utf-8 but its values are not UTF-8 (GBK?)",
                )
                .with_provider(super::PROVIDER)
            }),
            Charset::Gbk => encoding_rs::GBK
                .decode_without_bom_handling_and_without_replacement(bytes)
                .map(|text| text.into_owned())
                .ok_or_else(|| {
                    Error::new(ErrorCode::Charset, "the notification declares charset GBK but its values are not GBK")
                        .with_provider(super::PROVIDER)
                }),
        }
    }
}
