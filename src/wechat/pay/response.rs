//! Responses, and the signature every message from WeChat Pay carries: `Wechatpay-Signature` over
//! `TIMESTAMP\nNONCE\nBODY\n` — the raw body bytes as received, never re-serialized — with the key
//! `Wechatpay-Serial` names (a platform certificate serial or a `PUB_KEY_ID_…`). All four headers are
//! required; header names match in any case.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use super::request::AUTH_SCHEME;
use super::{PROVIDER, WechatPay, key_for_serial};
use crate::codec::json_node::{check_within, top_level_members};
use crate::codec::time::epoch_seconds;
use crate::crypto::rsa::Hash;
use crate::crypto::step::{Candidate, Pending, VerifyStep};
use crate::error::{Error, ErrorCode, ProviderDetail, Result};
use crate::keys::KeyRing;
use crate::limits::Limits;
use crate::options::read;

/// A message whose timestamp is this many seconds or more from `now` is refused (`ERR_CLOCK_SKEW`).
pub const CLOCK_WINDOW_SECONDS: u64 = 300;
/// The prefix of WeChat Pay's probe signatures (`ERR_SIGNATURE_PROBE`).
pub const PROBE_PREFIX: &str = "WECHATPAY/SIGNTEST/";
/// The longest value read from a signature header: a 4096-bit signature is 684 base64 characters.
pub const MAX_HEADER_VALUE: usize = 1024;

/// The message a WeChat Pay signature covers: three lines, each ending with `\n` (an empty body, as
/// of a 204, leaves an empty line).
pub fn signed_message(timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(timestamp.len() + nonce.len() + body.len() + 3);
    for part in [timestamp.as_bytes(), nonce.as_bytes(), body] {
        message.extend_from_slice(part);
        message.push(b'\n');
    }
    message
}

/// The `now` of `{ now? }` verification options (epoch milliseconds), else `now_ms` (the host's
/// clock); `null` options give none.
pub fn now_from_options(options: &Value, now_ms: f64) -> Result<f64> {
    if options.is_null() {
        return Ok(now_ms);
    }
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Options {
        now: Option<f64>,
    }
    let o: Options = read(options, "WeChat Pay verification options")?;
    let now = o.now.unwrap_or(now_ms);
    epoch_seconds(now)?;
    Ok(now)
}

/// Received headers as name/value pairs, from JSON: an object of names to values (a list of values
/// for a name received more than once, as Node's `IncomingMessage.headers` may have it), or a list
/// of `[name, value]` pairs (`Headers` entries, `rawHeaders` paired up). Values are strings; a name
/// given twice stays twice, so that [`signature_step`] refuses it when it is one of WeChat Pay's.
pub fn header_pairs(value: &Value) -> Result<Vec<(String, String)>> {
    let bad = |m: &str| Error::bad_input(format!("headers {m}"));
    let mut pairs = Vec::new();
    match value {
        Value::Object(map) => {
            for (name, value) in map {
                match value {
                    Value::String(v) => pairs.push((name.clone(), v.clone())),
                    Value::Array(values) => {
                        for v in values {
                            let v =
                                v.as_str().ok_or_else(|| bad("must map each name to a string or a list of strings"))?;
                            pairs.push((name.clone(), v.to_owned()));
                        }
                    }
                    _ => return Err(bad("must map each name to a string or a list of strings")),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                match item.as_array().map(Vec::as_slice) {
                    Some([Value::String(name), Value::String(v)]) => pairs.push((name.clone(), v.clone())),
                    _ => return Err(bad("given as a list must hold [name, value] pairs of strings")),
                }
            }
        }
        _ => return Err(bad("must be an object, a Headers, or a list of [name, value] pairs")),
    }
    Ok(pairs)
}

/// The value of header `name` (any case). A name that occurs twice is refused — which of the two
/// was signed would be ambiguous — and so is a value longer than [`MAX_HEADER_VALUE`].
pub(crate) fn header<'a>(headers: &[(&str, &'a str)], name: &str) -> Result<Option<&'a str>> {
    let mut found = headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| *v);
    let value = found.next();
    if found.next().is_some() {
        return Err(Error::malformed(format!("the {name} header occurs more than once")).with_provider(PROVIDER));
    }
    match value {
        Some(v) if v.len() > MAX_HEADER_VALUE => Err(Error::new(
            ErrorCode::InputTooLarge,
            format!("the {name} header is {} bytes; at most {MAX_HEADER_VALUE} are read", v.len()),
        )
        .with_provider(PROVIDER)),
        _ => Ok(value),
    }
}

/// Bounds a received message before anything is copied: the body against `limits.maxInputBytes`,
/// the header count against `limits.maxFields`.
pub(crate) fn check_received(headers: &[(&str, &str)], body: &[u8], limits: &Limits) -> Result<()> {
    limits.check_input(body.len(), "the WeChat Pay body").map_err(|e| e.with_provider(PROVIDER))?;
    limits.check_fields(headers.len(), "the WeChat Pay headers").map_err(|e| e.with_provider(PROVIDER))
}

/// Whether the headers carry a signature at all.
fn is_signed(headers: &[(&str, &str)]) -> Result<bool> {
    header(headers, "Wechatpay-Signature").map(|s| s.is_some())
}

/// The verification of `body` under the four signature headers, with the key their serial names in
/// `keys`. In order: every header present; the signature type; a probe signature
/// (`ERR_SIGNATURE_PROBE`); the timestamp within [`CLOCK_WINDOW_SECONDS`] of `now_ms`
/// (`ERR_CLOCK_SKEW`); the serial configured (`ERR_CERT_SN_MISMATCH`); the signature base64.
pub(crate) fn signature_step(keys: &KeyRing, headers: &[(&str, &str)], body: &[u8], now_ms: f64) -> Result<VerifyStep> {
    let invalid = |m: String| Error::signature_invalid(m).with_provider(PROVIDER);
    let need = |name: &str| {
        header(headers, name)?.filter(|v| !v.is_empty()).ok_or_else(|| {
            invalid(format!(
                "the {name} header is missing: WeChat Pay signs with Wechatpay-Timestamp, -Nonce, -Signature and -Serial (a proxy may have stripped them)"
            ))
        })
    };
    let (timestamp, nonce, signature, serial) = (
        need("Wechatpay-Timestamp")?,
        need("Wechatpay-Nonce")?,
        need("Wechatpay-Signature")?,
        need("Wechatpay-Serial")?,
    );
    if let Some(kind) = header(headers, "Wechatpay-Signature-Type")?
        && !kind.eq_ignore_ascii_case(AUTH_SCHEME)
    {
        return Err(invalid(format!("unsupported Wechatpay-Signature-Type; only {AUTH_SCHEME} is verified")));
    }
    if signature.starts_with(PROBE_PREFIX) {
        return Err(Error::new(
            ErrorCode::SignatureProbe,
            "a WeChat Pay probe signature (WECHATPAY/SIGNTEST/…): refused like any bad signature; WeChat Pay checks that merchants verify",
        )
        .with_provider(PROVIDER));
    }
    let now_s = epoch_seconds(now_ms)?;
    let seconds = match timestamp.len() <= 19 && timestamp.bytes().all(|b| b.is_ascii_digit()) {
        true => {
            timestamp.parse::<u64>().map_err(|_| invalid("Wechatpay-Timestamp is not a number of seconds".into()))?
        }
        false => return Err(invalid("Wechatpay-Timestamp is not a number of seconds".into())),
    };
    // Milliseconds: the window ends exactly 300 s either side of the timestamp.
    let skew_ms = (now_ms - seconds as f64 * 1000.0).abs();
    if skew_ms >= (CLOCK_WINDOW_SECONDS * 1000) as f64 {
        return Err(Error::new(
            ErrorCode::ClockSkew,
            format!(
                "Wechatpay-Timestamp is {} seconds from now; at most {} are accepted (a replay, or a clock that is off)",
                now_s.abs_diff(seconds),
                CLOCK_WINDOW_SECONDS - 1
            ),
        )
        .with_provider(PROVIDER));
    }
    let key_id = key_for_serial(keys, serial)?;
    let signature = STANDARD.decode(signature).map_err(|_| invalid("Wechatpay-Signature is not base64".into()))?;
    let message = signed_message(timestamp, nonce, body);
    Ok(VerifyStep { hash: Hash::Sha256, signature, candidates: vec![Candidate { key_id, message }] })
}

impl WechatPay {
    /// Asks for a raw reply — its HTTP `status`, `headers` (name/value pairs in any case) and exact
    /// `body` bytes — to be verified; once verified, returns the body as JSON text (`{}` for an empty
    /// body, as of a 204). A 2xx without `Wechatpay-Signature` is refused (`ERR_SIGNATURE_INVALID`);
    /// a failure `{ code, message, detail }` is `ERR_PROVIDER_BUSINESS` when signed and verified,
    /// `ERR_PROVIDER_REJECTED` when unsigned (`ERR_RATE_LIMITED` and `ERR_PROVIDER_BUSY` for
    /// `RATELIMIT_EXCEEDED` / `FREQUENCY_LIMITED` and `SYSTEM_ERROR`), with WeChat Pay's code.
    pub fn verify_response(
        &self,
        status: u16,
        headers: &[(&str, &str)],
        body: &[u8],
        now_ms: f64,
    ) -> Result<Pending<String>> {
        self.check_can_verify()?;
        if !(100..600).contains(&status) {
            return Err(Error::bad_input("status must be an HTTP status code"));
        }
        check_received(headers, body, &self.limits)?;
        let reply = Reply { status, body: body.to_vec(), limits: self.limits };
        if !is_signed(headers)? && !reply.success() {
            return Ok(Pending::ready(Err(reply.failure(false))));
        }
        let step = signature_step(&self.keys, headers, body, now_ms)?;
        let invalid =
            Error::signature_invalid("the WeChat Pay response signature does not verify").with_provider(PROVIDER);
        Ok(Pending::verified(step, invalid, move |_| reply.read()))
    }
}

/// A reply, read once its signature is checked.
struct Reply {
    status: u16,
    body: Vec<u8>,
    limits: Limits,
}

impl Reply {
    fn success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// A verified reply: the body of a success, the error of a failure.
    fn read(self) -> Result<String> {
        if !self.success() {
            return Err(self.failure(true));
        }
        let malformed = || Error::malformed("the WeChat Pay response body is not JSON").with_provider(PROVIDER);
        let text = String::from_utf8(self.body).map_err(|_| malformed())?;
        if text.trim().is_empty() {
            return Ok("{}".to_owned());
        }
        check_within(&text, &self.limits).map_err(|e| e.with_provider(PROVIDER))?;
        serde_json::from_str::<serde::de::IgnoredAny>(&text).map_err(|_| malformed())?;
        Ok(text)
    }

    /// The error a failure reply reports.
    fn failure(&self, signed: bool) -> Error {
        failure(self.status, &self.body, signed, &self.limits)
    }
}

/// The error of a failure reply `{ code, message, detail }`: WeChat Pay's code and message, its
/// `detail` as received, and for `SIGN_ERROR` its view of the message the request signed.
pub(crate) fn failure(status: u16, body: &[u8], signed: bool, limits: &Limits) -> Error {
    let mut detail = ProviderDetail::default();
    if let Ok(text) = std::str::from_utf8(body)
        && let Ok(members) = top_level_members(text, limits)
    {
        let member = |name: &str| members.iter().find(|m| m.name == name).map(|m| m.value.of(text));
        let string = |name: &str| member(name).and_then(|raw| serde_json::from_str::<String>(raw).ok());
        detail.code = string("code");
        detail.message = string("message");
        if let Some(raw) = member("detail") {
            detail.detail = Some(raw.to_owned());
            detail.signed_message = serde_json::from_str::<Value>(raw)
                .ok()
                .and_then(|d| d.get("sign_information")?.get("truncated_sign_message")?.as_str().map(str::to_owned));
        }
    }
    let code = match detail.code.as_deref() {
        Some("RATELIMIT_EXCEEDED" | "FREQUENCY_LIMITED") => ErrorCode::RateLimited,
        Some("SYSTEM_ERROR" | "SYSTEMERROR") => ErrorCode::ProviderBusy,
        _ if signed => ErrorCode::ProviderBusiness,
        _ => ErrorCode::ProviderRejected,
    };
    let message = format!(
        "WeChat Pay HTTP {status}{}: {} {}",
        if signed { "" } else { " (unsigned)" },
        detail.code.as_deref().unwrap_or(""),
        detail.message.as_deref().unwrap_or("")
    );
    let error = Error::new(code, message.trim_end().to_owned()).with_provider(PROVIDER);
    if detail == ProviderDetail::default() { error } else { error.with_detail(detail) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_end_every_line() {
        assert_eq!(signed_message("1", "n", b""), b"1\nn\n\n");
        assert_eq!(signed_message("1", "n", b"{}"), b"1\nn\n{}\n");
    }

    #[test]
    fn failures_keep_wechats_codes_and_its_view_of_the_signed_message() {
        let body = r#"{"code":"SIGN_ERROR","message":"签名错误","detail":{"sign_information":{"method":"GET","truncated_sign_message":"GET\n/v3/certificates\n1554208460\nabc\n\n"}}}"#.as_bytes();
        let error = failure(401, body, false, &Limits::default());
        assert_eq!(error.code(), ErrorCode::ProviderRejected);
        let d = error.detail().unwrap();
        assert_eq!((d.code.as_deref(), d.message.as_deref()), (Some("SIGN_ERROR"), Some("签名错误")));
        assert_eq!(d.signed_message.as_deref(), Some("GET\n/v3/certificates\n1554208460\nabc\n\n"));
        assert!(d.detail.as_deref().unwrap().starts_with(r#"{"sign_information":"#));
        assert_eq!(
            failure(429, br#"{"code":"RATELIMIT_EXCEEDED","message":"x"}"#, true, &Limits::default()).code(),
            ErrorCode::RateLimited
        );
        assert_eq!(
            failure(500, br#"{"code":"SYSTEM_ERROR","message":"x"}"#, false, &Limits::default()).code(),
            ErrorCode::ProviderBusy
        );
        assert_eq!(
            failure(400, br#"{"code":"PARAM_ERROR","message":"x"}"#, true, &Limits::default()).code(),
            ErrorCode::ProviderBusiness
        );
        let proxy = failure(502, b"<html>bad gateway</html>", false, &Limits::default());
        assert_eq!((proxy.code(), proxy.detail()), (ErrorCode::ProviderRejected, None));
    }
}
