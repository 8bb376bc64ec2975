//! Requests: `Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",timestamp="…",
//! serial_no="…",signature="…"` over `METHOD\nCANONICAL_URL\nTIMESTAMP\nNONCE\nBODY\n` — the raw path
//! and query exactly as sent, the exact body text (an empty line when there is none) — and a generic
//! builder for any APIv3 path.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use super::{PROVIDER, WechatPay};
use crate::codec::time::epoch_seconds;
use crate::crypto::rsa::Hash;
use crate::crypto::step::{Pending, SignStep};
use crate::error::{Error, Result};
use crate::http::HttpRequest;
use crate::options::{given, read, required};

/// The `Authorization` scheme (RSASSA-PKCS1-v1_5 with SHA-256).
pub const AUTH_SCHEME: &str = "WECHATPAY2-SHA256-RSA2048";

/// When a request (or payment parameters) is signed and with which nonce: the host's clock and
/// randomness, passed in — the core reads neither.
#[derive(Clone, Debug, PartialEq)]
pub struct Stamp {
    /// Unix epoch milliseconds (`Date.now()`); WeChat Pay's timestamps carry whole seconds.
    pub now_ms: f64,
    /// 1 to 64 ASCII letters and digits (WeChat's SDKs send 32 random ones).
    pub nonce: String,
}

impl Stamp {
    /// The stamp of `{ now?, nonce? }` options (`now` in epoch milliseconds): what they give, else
    /// `now_ms` and `fresh_nonce` (the host's clock and randomness). `null` options give neither.
    pub fn from_options(options: &Value, now_ms: f64, fresh_nonce: String) -> Result<Stamp> {
        if options.is_null() {
            return Ok(Stamp { now_ms, nonce: fresh_nonce });
        }
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Options<'a> {
            now: Option<f64>,
            nonce: Option<&'a str>,
        }
        let o: Options = read(options, "WeChat Pay options")?;
        let stamp = Stamp { now_ms: o.now.unwrap_or(now_ms), nonce: given(o.nonce).map_or(fresh_nonce, str::to_owned) };
        stamp.read()?;
        Ok(stamp)
    }

    /// The timestamp in seconds and the nonce, checked.
    pub(crate) fn read(&self) -> Result<(u64, &str)> {
        let nonce = &self.nonce;
        if nonce.is_empty() || nonce.len() > 64 || !nonce.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Error::bad_input("nonce must be 1 to 64 ASCII letters and digits"));
        }
        Ok((epoch_seconds(self.now_ms)?, nonce))
    }
}

/// The HTTP methods APIv3 uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Method {
    /// `GET`: no body, an empty body line.
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `PATCH`.
    Patch,
    /// `DELETE`.
    Delete,
}

impl Method {
    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`, in any case.
    pub fn parse(text: &str) -> Result<Method> {
        match text.to_ascii_uppercase().as_str() {
            "GET" => Ok(Method::Get),
            "POST" => Ok(Method::Post),
            "PUT" => Ok(Method::Put),
            "PATCH" => Ok(Method::Patch),
            "DELETE" => Ok(Method::Delete),
            _ => Err(Error::bad_input("unsupported HTTP method; use GET, POST, PUT, PATCH or DELETE")),
        }
    }
    /// The upper-case name, as sent and signed.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// The message a request signature covers: five lines, each ending with `\n`.
pub fn request_message(method: Method, canonical_url: &str, timestamp: u64, nonce: &str, body: &str) -> Vec<u8> {
    format!("{}\n{canonical_url}\n{timestamp}\n{nonce}\n{body}\n", method.as_str()).into_bytes()
}

/// The `Authorization` header value, its pairs in the order WeChat's Go and Java SDKs send them.
pub fn authorization(mchid: &str, nonce: &str, timestamp: u64, serial_no: &str, signature: &[u8]) -> String {
    format!(
        "{AUTH_SCHEME} mchid=\"{mchid}\",nonce_str=\"{nonce}\",timestamp=\"{timestamp}\",serial_no=\"{serial_no}\",signature=\"{}\"",
        STANDARD.encode(signature)
    )
}

/// Checks that `path` (path and query, as signed) reaches WeChat Pay byte for byte: it starts with
/// `/`, holds only characters no URL parser or `fetch` rewrites (no space, quote, `<`, `>`, `\`,
/// `^`, backtick, braces, `#`, `'` or non-ASCII; `%` only as `%XX`), and no `.` or `..` segment,
/// which a URL parser would resolve away.
pub fn check_canonical_url(path: &str) -> Result<()> {
    let bad = |why: &str| {
        Err(Error::bad_input(format!(
            "the request path {why}: the signature covers the path and query exactly as sent (e.g. /v3/pay/transactions/id/4200000000?mchid=1230000109)"
        )))
    };
    if !path.starts_with('/') {
        return bad("must start with /");
    }
    let bytes = path.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let allowed = b.is_ascii_alphanumeric() || b"-._~!$&()*+,;=:@/?|[]%".contains(&b);
        if !allowed {
            return bad("holds a character that a URL parser would encode or drop; percent-encode it");
        }
        if b == b'%' && !(bytes.len() > i + 2 && bytes[i + 1].is_ascii_hexdigit() && bytes[i + 2].is_ascii_hexdigit()) {
            return bad("holds a % that is not a %XX escape");
        }
    }
    let route = path.split_once('?').map_or(path, |(route, _)| route);
    let dots =
        route.split('/').any(|segment| matches!(segment.to_ascii_lowercase().replace("%2e", ".").as_str(), "." | ".."));
    if dots {
        return bad("has a . or .. segment, which a URL parser resolves away");
    }
    Ok(())
}

/// The body text of a JSON value: a string is sent exactly as given; an object or array is
/// serialized in its own order. Amounts are integer fen: a number with a fraction or an exponent is
/// refused anywhere in it.
pub(crate) fn body_text(body: &Value) -> Result<String> {
    match body {
        Value::String(text) => Ok(text.clone()),
        Value::Object(_) | Value::Array(_) => {
            let mut stack = vec![body];
            while let Some(value) = stack.pop() {
                match value {
                    Value::Number(n) if n.as_u64().is_none() && n.as_i64().is_none() => {
                        return Err(Error::bad_input(
                            "a WeChat Pay body holds a number that is not an integer: amounts are integer fen (give amounts as { minor, currency } to the typed builders)",
                        ));
                    }
                    Value::Object(map) => stack.extend(map.values()),
                    Value::Array(items) => stack.extend(items),
                    _ => {}
                }
            }
            serde_json::to_string(body).map_err(|_| Error::bad_input("the body could not be serialized"))
        }
        _ => Err(Error::bad_input("a WeChat Pay body must be an object, an array, or JSON text")),
    }
}

impl WechatPay {
    /// Any APIv3 call, from `{ method, path, body?, wechatpaySerial? }`: `path` is the path and query
    /// exactly as they will be sent; `body` an object (serialized in its own order) or JSON text
    /// (sent and signed exactly); `wechatpaySerial` the WeChat Pay key that encrypted a field in it.
    pub fn build_request(&self, args: &Value, stamp: &Stamp) -> Result<Pending<HttpRequest>> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Args<'a> {
            method: Option<&'a str>,
            path: Option<&'a str>,
            body: Option<Value>,
            wechatpay_serial: Option<&'a str>,
        }
        self.signing_key()?;
        let a: Args = read(args, "WeChat Pay request")?;
        let method = Method::parse(required(a.method, "WeChat Pay request.method")?)?;
        let path = required(a.path, "WeChat Pay request.path")?;
        let body = a.body.as_ref().filter(|b| !b.is_null()).map(body_text).transpose()?;
        self.signed_request(method, path.to_owned(), body, given(a.wechatpay_serial), stamp)
    }

    /// A signed request to `path` on this client's host: the `Authorization` over the exact path
    /// and body; `Accept`, `Content-Type` (with a body) and `User-Agent`; `Wechatpay-Serial` naming
    /// `serial` (the key a field was encrypted with), else the public key id when one is configured
    /// (so that WeChat Pay signs its reply with that key once the merchant has switched).
    pub(crate) fn signed_request(
        &self,
        method: Method,
        path: String,
        body: Option<String>,
        serial: Option<&str>,
        stamp: &Stamp,
    ) -> Result<Pending<HttpRequest>> {
        let (key_id, serial_no) = self.signing_key()?;
        let (timestamp, nonce) = stamp.read()?;
        check_canonical_url(&path)?;
        if method == Method::Get && body.is_some() {
            return Err(Error::bad_input("a GET request has no body"));
        }
        let wechatpay_serial = match serial {
            Some(serial) => Some(super::key_for_serial(&self.keys, serial).map_err(|_| {
                Error::bad_input("wechatpaySerial must name a configured WeChat Pay key (platform certificate serial or PUB_KEY_ID_…)")
                    .with_provider(PROVIDER)
            })?),
            None => self.public_key_id.clone(),
        };
        let message = request_message(method, &path, timestamp, nonce, body.as_deref().unwrap_or(""));
        let mut headers = vec![("accept".to_owned(), "application/json".to_owned())];
        if body.is_some() {
            headers.push(("content-type".into(), "application/json".into()));
        }
        headers.push(("user-agent".into(), self.user_agent.clone()));
        if let Some(serial) = wechatpay_serial {
            headers.push(("wechatpay-serial".into(), serial));
        }
        let (mchid, nonce, url) = (self.mchid.clone(), nonce.to_owned(), format!("{}{path}", self.base_url));
        let step = SignStep { key_id, hash: Hash::Sha256, message };
        Ok(Pending::signing(step, move |signature| {
            headers
                .insert(0, ("authorization".into(), authorization(&mchid, &nonce, timestamp, &serial_no, &signature)));
            Ok(HttpRequest { method: method.as_str(), url, headers, body })
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_urls_that_fetch_would_rewrite_are_refused() {
        for good in
            ["/v3/certificates", "/v3/pay/transactions/id/42?mchid=1230000109", "/v3/a|b*c@d/e%2Ff?x=1&y=%E4%B8%AD"]
        {
            assert!(check_canonical_url(good).is_ok(), "{good}");
        }
        for bad in [
            "v3/x",
            "/v3/a b",
            "/v3/中",
            "/v3/x#frag",
            "/v3/x?a='1'",
            "/v3/x\\y",
            "/v3/{x}",
            "/v3/x%zz",
            "/v3/x%4",
            "/v3/../certificates",
            "/v3/./x",
            "/v3/%2E%2e/x",
            "/v3/x\n",
        ] {
            assert!(check_canonical_url(bad).is_err(), "{bad:?}");
        }
        // Dots in the query are not path segments.
        assert!(check_canonical_url("/v3/x?a=..").is_ok());
    }

    #[test]
    fn bodies_never_carry_floats() {
        assert_eq!(body_text(&serde_json::json!({"amount": {"total": 1}})).unwrap(), r#"{"amount":{"total":1}}"#);
        assert_eq!(body_text(&serde_json::json!("{ \"a\" : 1.5 }")).unwrap(), "{ \"a\" : 1.5 }");
        for bad in [serde_json::json!({"amount": {"total": 0.01}}), serde_json::json!([1, [2.5]]), serde_json::json!(1)]
        {
            assert!(body_text(&bad).is_err(), "{bad}");
        }
    }
}
