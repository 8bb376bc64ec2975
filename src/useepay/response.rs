//! Responses: a flat JSON object; its values are verified as the strings received — JSON-valued
//! fields such as `redirectParam` and `transactionInfo` are signed as their exact text and are never
//! re-serialized. Parsing comes after verification.

use serde_json::Value;

use super::{PROVIDER, UseePay, request_payment, result};
use crate::codec::json_node::top_level_members;
use crate::crypto::step::Pending;
use crate::error::{Error, ErrorCode, ProviderDetail, Result};
use crate::limits::Limits;

/// Every top-level field as (name, string value as received): strings unescaped once, other
/// scalars as their literal text, `null` left out.
pub fn fields_of(raw: &str, limits: &Limits) -> Result<Vec<(String, String)>> {
    let members = top_level_members(raw, limits).map_err(|e| e.with_provider(PROVIDER))?;
    let mut fields = Vec::with_capacity(members.len());
    for member in members {
        let name = member.name.into_owned();
        let text = member.value.of(raw);
        let value = match text.as_bytes().first() {
            Some(b'"') => serde_json::from_str::<String>(text).map_err(|_| {
                Error::malformed(format!("response field {name} is not a valid JSON string")).with_provider(PROVIDER)
            })?,
            Some(b'n') if text == "null" => continue,
            _ => text.to_owned(),
        };
        fields.push((name, value));
    }
    Ok(fields)
}

/// A verified response: its fields, and the normalized result.
pub struct Verified {
    /// Every field as received (`sign` included), in order.
    pub fields: Vec<(String, String)>,
}

impl Verified {
    /// A field's value.
    pub fn get(&self, name: &str) -> Option<String> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }
    /// The normalized result model (see [`result::outcome`]).
    pub fn outcome(&self) -> Result<Value> {
        result::outcome(&|k| self.get(k))
    }
    fn failure(&self, code: ErrorCode, what: &str) -> Error {
        let msg = format!(
            "UseePay {what}: {} {} {}",
            self.get("resultCode").unwrap_or_default(),
            self.get("errorCode").unwrap_or_default(),
            self.get("errorMsg").unwrap_or_default()
        );
        Error::new(code, msg.trim_end().to_owned()).with_provider(PROVIDER).with_detail(ProviderDetail {
            code: self.get("errorCode"),
            message: self.get("errorMsg"),
            ..Default::default()
        })
    }
}

impl UseePay {
    /// Reads a raw response and asks for it to be verified. Unsigned failures are
    /// `ERR_PROVIDER_REJECTED`; unsigned anything else is `ERR_SIGNATURE_INVALID`. Does not judge
    /// the business result.
    pub fn verify_response(&self, raw: &str) -> Result<Pending<Verified>> {
        self.check_can_verify()?;
        if raw.trim().is_empty() {
            return Err(Error::malformed("the UseePay response is empty").with_provider(PROVIDER));
        }
        let verified = Verified { fields: fields_of(raw, &self.limits)? };
        let signed = verified.get("sign").is_some_and(|s| !s.trim().is_empty());
        if !signed && verified.get("resultCode").as_deref() == Some("failed") {
            return Err(verified.failure(ErrorCode::ProviderRejected, "refused the request (unsigned)"));
        }
        self.verify(verified.fields, |fields| Ok(Verified { fields }))
    }

    /// A verified response whose `resultCode` is not `failed` (a signed failure is
    /// `ERR_PROVIDER_BUSINESS` with UseePay's `errorCode` / `errorMsg`), passed through `then`.
    fn accepted<T: 'static>(
        &self,
        raw: &str,
        what: &'static str,
        then: impl FnOnce(Verified) -> Result<T> + 'static,
    ) -> Result<Pending<T>> {
        Ok(self.verify_response(raw)?.map(move |verified| {
            if verified.get("resultCode").as_deref() == Some("failed") {
                return Err(verified.failure(ErrorCode::ProviderBusiness, what));
            }
            then(verified)
        }))
    }

    /// The JSAPI order reply: the result model plus the `wx.requestPayment` object.
    pub fn parse_jsapi_pay(&self, raw: &str) -> Result<Pending<Value>> {
        self.accepted(raw, "payment failed", |verified| {
            let redirect = verified.get("redirectParam").filter(|s| !s.trim().is_empty()).ok_or_else(|| {
                Error::malformed("the JSAPI reply has no redirectParam (nothing to hand to wx.requestPayment)")
                    .with_provider(PROVIDER)
            })?;
            let mut out = verified.outcome()?;
            out["requestPayment"] = request_payment::request_payment(&redirect)?;
            Ok(out)
        })
    }

    /// The query reply: the order's state comes from `transactionInfo` (the top-level `resultCode` is
    /// the query call's own).
    pub fn parse_query(&self, raw: &str) -> Result<Pending<Value>> {
        self.accepted(raw, "query failed", |verified| {
            let info_text = verified
                .get("transactionInfo")
                .ok_or_else(|| Error::malformed("the query reply has no transactionInfo").with_provider(PROVIDER))?;
            let info: Value = serde_json::from_str(&info_text)
                .map_err(|_| Error::malformed("transactionInfo is not valid JSON").with_provider(PROVIDER))?;
            let info_obj = info
                .as_object()
                .ok_or_else(|| Error::malformed("transactionInfo is not an object").with_provider(PROVIDER))?;
            let get = |k: &str| match info_obj.get(k) {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Null) | None => None,
                Some(other) => Some(other.to_string()),
            };
            let mut out = result::outcome(&get)?;
            out["transaction"] = info;
            Ok(out)
        })
    }

    /// The refund reply (usually `pending`; the final state comes by notification or query).
    pub fn parse_refund(&self, raw: &str) -> Result<Pending<Value>> {
        self.accepted(raw, "refund failed", |verified| verified.outcome())
    }
}
