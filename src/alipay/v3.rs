//! OpenAPI v3 (REST/JSON): `Authorization: ALIPAY-SHA256withRSA …` on requests; responses verified
//! over `alipay-timestamp`, `alipay-nonce` and the raw body.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use super::request::biz_content_text;
use super::{Alipay, provider_error};
use crate::codec::json_node::check_within;
use crate::crypto::rsa::Hash;
use crate::crypto::step::{Pending, SignStep, VerifyStep};
use crate::error::{Error, ErrorCode, Result};
use crate::http::HttpRequest;
use crate::options::{given, read, required};

/// The v3 string to sign: `authString\nMETHOD\npath?query\nbody\n`, plus `appAuthToken\n` when used.
pub fn v3_string_to_sign(auth: &str, method: &str, path: &str, body: &str, app_auth_token: Option<&str>) -> String {
    let mut content = format!("{auth}\n{method}\n{path}\n{body}\n");
    if let Some(token) = app_auth_token {
        content.push_str(token);
        content.push('\n');
    }
    content
}

/// A value sent as an HTTP header: printable ASCII only (no line breaks to split the header).
fn header_value<'a>(value: &'a str, what: &str) -> Result<&'a str> {
    if value.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        Ok(value)
    } else {
        Err(Error::bad_input(format!("{what} must be printable ASCII (it is sent as an HTTP header)")))
    }
}

impl Alipay {
    /// `args`: `{ method, path, body?, appAuthToken?, nonce?, timestamp?, requestId? }`; `now_ms` and
    /// `fresh_nonce` are the host's defaults for `timestamp` and `nonce`.
    pub fn build_v3_request(&self, args: &Value, now_ms: f64, fresh_nonce: &str) -> Result<Pending<HttpRequest>> {
        let key_id = self.signing_key()?;
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Args<'a> {
            method: Option<&'a str>,
            path: Option<&'a str>,
            body: Option<Value>,
            app_auth_token: Option<&'a str>,
            nonce: Option<&'a str>,
            timestamp: Option<f64>,
            request_id: Option<&'a str>,
        }
        let args: Args = read(args, "Alipay v3 request")?;
        let method = match given(args.method).unwrap_or("POST").to_ascii_uppercase().as_str() {
            "GET" => "GET",
            "POST" => "POST",
            "PUT" => "PUT",
            "PATCH" => "PATCH",
            "DELETE" => "DELETE",
            _ => return Err(Error::bad_input("unsupported HTTP method; use GET, POST, PUT, PATCH or DELETE")),
        };
        let path = required(args.path, "Alipay v3 request.path")?;
        if !path.starts_with('/') || !path.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::bad_input(
                "Alipay v3 path must start with / and be printable ASCII without spaces (e.g. /v3/alipay/trade/query)",
            ));
        }
        let body = args.body.as_ref().map(biz_content_text).transpose()?;
        let timestamp = args.timestamp.unwrap_or(now_ms);
        if !timestamp.is_finite() || timestamp < 0.0 {
            return Err(Error::bad_input("timestamp must be epoch milliseconds"));
        }
        let nonce = given(args.nonce).unwrap_or(fresh_nonce);
        // The nonce goes unquoted into the Authorization header's comma-separated list.
        if nonce.len() > 64 || !nonce.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            return Err(Error::bad_input("nonce must be 1 to 64 characters of A-Z, a-z, 0-9, - and _"));
        }
        let token = given(args.app_auth_token).map(|t| header_value(t, "appAuthToken")).transpose()?;
        let request_id = given(args.request_id).map(|t| header_value(t, "requestId")).transpose()?;
        let mut auth = format!("app_id={}", self.app_id);
        if let Some(sn) = self.cert.as_ref().and_then(|c| c.app_cert_sn.as_ref()) {
            auth.push_str(&format!(",app_cert_sn={sn}"));
        }
        auth.push_str(&format!(",nonce={nonce},timestamp={}", timestamp.trunc() as u64));
        let content = v3_string_to_sign(&auth, method, path, body.as_deref().unwrap_or(""), token);
        let mut headers = vec![("accept".to_owned(), "application/json".to_owned())];
        if body.is_some() {
            headers.push(("content-type".into(), "application/json".into()));
        }
        if let Some(token) = token {
            headers.push(("alipay-app-auth-token".into(), token.into()));
        }
        if let Some(sn) = self.cert.as_ref().and_then(|c| c.alipay_root_cert_sn.as_ref()) {
            headers.push(("alipay-root-cert-sn".into(), sn.clone()));
        }
        if let Some(id) = request_id {
            headers.push(("alipay-request-id".into(), id.into()));
        }
        let url = format!("{}{path}", self.v3_endpoint);
        let step = SignStep { key_id, hash: Hash::Sha256, message: content.into_bytes() };
        Ok(Pending::signing(step, move |signature| {
            let authorization = format!("ALIPAY-SHA256withRSA {auth},sign={}", STANDARD.encode(signature));
            headers.insert(0, ("authorization".to_owned(), authorization));
            Ok(HttpRequest { method, url, headers, body })
        }))
    }

    /// Asks for a raw v3 response `{ status, headers, body }` (what `send` returns) to be verified
    /// over its body; once verified, returns the body JSON text (`{}` for an empty body). HTTP errors
    /// become `AggpayError`s with Alipay's code. Header names match in any case.
    pub fn verify_v3_response(&self, response: &Value) -> Result<Pending<String>> {
        // What `send` returns; other members (a framework's extras) are left alone.
        #[derive(serde::Deserialize)]
        struct Response<'a> {
            status: Option<f64>,
            headers: Option<serde_json::Map<String, Value>>,
            body: Option<&'a str>,
        }
        self.check_can_verify()?;
        let response: Response = read(response, "Alipay v3 response")?;
        let status = response
            .status
            .filter(|s| s.fract() == 0.0 && (100.0..600.0).contains(s))
            .ok_or_else(|| Error::bad_input("Alipay v3 response: status must be an HTTP status code"))?;
        let body = response.body.unwrap_or("");
        self.limits.check_input(body.len(), "the Alipay v3 response body")?;
        let headers = response.headers.as_ref();
        let header =
            |name: &str| headers?.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).and_then(|(_, v)| v.as_str());
        let reply = V3Reply { status, body: body.to_owned(), limits: self.limits };
        let (Some(ts), Some(nonce), Some(sig)) =
            (header("alipay-timestamp"), header("alipay-nonce"), header("alipay-signature"))
        else {
            return Ok(Pending::ready(reply.read(false)));
        };
        let message = format!("{ts}\n{nonce}\n{body}\n").into_bytes();
        let candidates = self.candidates(header("alipay-sn"), &[message])?;
        let signature = STANDARD
            .decode(sig)
            .map_err(|_| Error::signature_invalid("alipay-signature is not base64").with_provider(super::PROVIDER))?;
        let step = VerifyStep { hash: Hash::Sha256, signature, candidates };
        let invalid =
            Error::signature_invalid("the v3 response signature does not verify").with_provider(super::PROVIDER);
        Ok(Pending::verified(step, invalid, move |_| reply.read(true)))
    }
}

/// A v3 reply, read once its signature is checked.
struct V3Reply {
    status: f64,
    body: String,
    limits: crate::limits::Limits,
}

impl V3Reply {
    fn read(self, signed: bool) -> Result<String> {
        // The body is bounded (depth, members) before a JSON parser builds it.
        let parse = |body: &str| -> Result<Option<Value>> {
            if body.trim().is_empty() {
                return Ok(None);
            }
            check_within(body, &self.limits)?;
            serde_json::from_str(body).map(Some).map_err(|_| Error::malformed("the v3 response body is not JSON"))
        };
        if (200.0..300.0).contains(&self.status) {
            if !signed {
                return Err(Error::signature_invalid("the v3 response carries no alipay-signature")
                    .with_provider(super::PROVIDER));
            }
            return match parse(&self.body).map_err(|e| e.with_provider(super::PROVIDER))? {
                Some(_) => Ok(self.body),
                None => Ok("{}".to_owned()),
            };
        }
        // Error bodies are `{ code, message, links }`; map them onto Alipay's v2 field names.
        let node = parse(&self.body).ok().flatten().map(|p| {
            serde_json::json!({ "code": p.get("code").cloned().unwrap_or(Value::Null), "msg": p.get("message").cloned().unwrap_or(Value::Null) })
        });
        let code = if signed { ErrorCode::ProviderBusiness } else { ErrorCode::ProviderRejected };
        Err(provider_error(code, format!("Alipay v3 HTTP {}", self.status), node.as_ref()))
    }
}
