//! Notifications: a form POST, verified over every field received — UseePay adds fields without
//! notice, and the signature covers them. Reply HTTP 200 `OK`; the same notification can arrive again.

use serde_json::Value;

use super::{PROVIDER, UseePay, result};
use crate::codec::form;
use crate::crypto::step::Pending;
use crate::error::{Error, ErrorCode, Result};

/// What to answer UseePay: HTTP 200 with this body.
pub const REPLY_BODY: &str = "OK";

impl UseePay {
    /// Decodes a raw notification body and asks for it to be verified; once verified, returns the
    /// result model with every field under `fields`.
    pub fn verify_notify(&self, body: &[u8]) -> Result<Pending<Value>> {
        self.check_can_verify()?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::bad_input("the UseePay notification body is empty").with_provider(PROVIDER));
        }
        let fields = form::decode_unique(body, &self.limits)
            .map_err(|e| e.with_provider(PROVIDER))?
            .into_utf8()
            .ok_or_else(|| {
                Error::new(ErrorCode::Charset, "the UseePay notification is not UTF-8").with_provider(PROVIDER)
            })?
            .iter()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect();
        self.verify(fields, |fields| {
            let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            let mut event = result::outcome(&get)?;
            event["fields"] = Value::Object(fields.into_iter().map(|(k, v)| (k, Value::String(v))).collect());
            Ok(event)
        })
    }
}
