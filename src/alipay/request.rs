//! OpenAPI v2 requests: common parameters, the string to sign, the signature, and the split of
//! parameters between URL query and form body (as the official Node SDK sends them).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use super::Alipay;
use crate::codec::canonical::{self, EmptyValues};
use crate::codec::form::{self, Escaping};
use crate::codec::time;
use crate::crypto::step::{Pending, SignStep};
use crate::error::{Error, Result};
use crate::http::HttpRequest;
use crate::money::Money;
use crate::options::{given, read};

/// Parameters the Node SDK puts in the URL query; every other parameter goes in the form body.
const QUERY_PARAMS: &[&str] = &[
    "app_id",
    "method",
    "format",
    "charset",
    "sign_type",
    "sign",
    "timestamp",
    "version",
    "notify_url",
    "return_url",
    "auth_token",
    "app_auth_token",
    "app_cert_sn",
    "alipay_root_cert_sn",
    "ws_service_url",
];

/// Whether aggpay sets this parameter itself (then `params` may not override it): every query
/// parameter except `ws_service_url`, plus the body's `biz_content` and `encrypt_type`.
fn set_by_aggpay(name: &str) -> bool {
    (QUERY_PARAMS.contains(&name) && name != "ws_service_url") || matches!(name, "biz_content" | "encrypt_type")
}

/// Per-call options: `{ notifyUrl, returnUrl, appAuthToken, authToken, timestamp, encrypt, params }`.
#[derive(Clone, Debug, Default)]
pub struct RequestOptions {
    /// `notify_url` for this call (the config's `notifyUrl` otherwise).
    pub notify_url: Option<String>,
    /// `return_url` (page APIs).
    pub return_url: Option<String>,
    /// `app_auth_token` (third-party apps acting for a merchant).
    pub app_auth_token: Option<String>,
    /// `auth_token` (user-authorized calls).
    pub auth_token: Option<String>,
    /// Unix epoch milliseconds; formatted as Beijing time.
    pub timestamp_ms: f64,
    /// Encrypt `biz_content` with the configured content key.
    pub encrypt: bool,
    /// Extra top-level parameters (`grant_type`, `code`, …), in the order given.
    pub params: Vec<(String, String)>,
}

impl RequestOptions {
    /// `now_ms` is used when the options carry no `timestamp`.
    pub fn from_json(value: &Value, now_ms: f64) -> Result<RequestOptions> {
        if value.is_null() {
            return Ok(RequestOptions { timestamp_ms: now_ms, ..Default::default() });
        }
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Options<'a> {
            notify_url: Option<&'a str>,
            return_url: Option<&'a str>,
            app_auth_token: Option<&'a str>,
            auth_token: Option<&'a str>,
            timestamp: Option<f64>,
            encrypt: Option<bool>,
            params: Option<serde_json::Map<String, Value>>,
        }
        let o: Options = read(value, "Alipay request options")?;
        let mut params = Vec::new();
        for (name, value) in o.params.iter().flatten() {
            if set_by_aggpay(name) {
                return Err(Error::bad_input(format!(
                    "options.params.{name} is set by aggpay; use the matching option"
                )));
            }
            let value =
                value.as_str().ok_or_else(|| Error::bad_input(format!("options.params.{name} must be a string")))?;
            params.push((name.clone(), value.to_owned()));
        }
        let owned = |text: Option<&str>| given(text).map(str::to_owned);
        Ok(RequestOptions {
            notify_url: owned(o.notify_url),
            return_url: owned(o.return_url),
            app_auth_token: owned(o.app_auth_token),
            auth_token: owned(o.auth_token),
            timestamp_ms: o.timestamp.unwrap_or(now_ms),
            encrypt: o.encrypt.unwrap_or(false),
            params,
        })
    }
}

/// `biz_content` text: a string is sent exactly as given; an object is serialized in its own key
/// order (no key rewriting, numbers as written), with top-level amounts (`…amount` keys) given as
/// `{ minor, currency }` formatted as decimal strings. Amounts are CNY unless the content names
/// another currency in `trans_currency`. Floating-point amounts are refused.
pub fn biz_content_text(biz: &Value) -> Result<String> {
    match biz {
        Value::String(text) => Ok(text.clone()),
        Value::Object(map) => {
            let currency = map.get("trans_currency").and_then(Value::as_str).unwrap_or("CNY");
            let mut out = serde_json::Map::with_capacity(map.len());
            for (key, value) in map {
                let value = if key.ends_with("amount") { amount_value(key, value, currency)? } else { value.clone() };
                out.insert(key.clone(), value);
            }
            serde_json::to_string(&Value::Object(out))
                .map_err(|_| Error::bad_input("biz_content could not be serialized"))
        }
        _ => Err(Error::bad_input("biz_content must be an object or a JSON string")),
    }
}

fn amount_value(key: &str, value: &Value, currency: &str) -> Result<Value> {
    match value {
        Value::Object(_) => {
            let money = Money::from_json(value, key)?.require_currency(&currency.to_ascii_uppercase(), key)?;
            Ok(Value::String(money.to_decimal_string()))
        }
        Value::String(text) => {
            Money::parse_decimal(text, currency)?;
            Ok(value.clone())
        }
        Value::Number(_) => Err(Error::bad_input(format!(
            "{key}: amounts are never floats; give {{ minor, currency }} (e.g. {{ minor: 1, currency: 'CNY' }}) or a decimal string"
        ))),
        _ => Err(Error::bad_input(format!("{key} must be {{ minor, currency }} or a decimal string"))),
    }
}

impl Alipay {
    /// Every parameter of the request, `sign` last, in a stable order, once the string to sign is
    /// signed.
    pub fn signed_params(
        &self,
        method: &str,
        biz_content: Option<&Value>,
        options: &RequestOptions,
    ) -> Result<Pending<Vec<(String, String)>>> {
        let key_id = self.signing_key()?;
        if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_') {
            return Err(Error::bad_input("the method is not an Alipay method name (letters, digits, . and _)"));
        }
        let mut params: Vec<(String, String)> = vec![
            ("app_id".into(), self.app_id.clone()),
            ("method".into(), method.into()),
            ("format".into(), "JSON".into()),
            ("charset".into(), "utf-8".into()),
            ("sign_type".into(), self.sign_type.as_str().into()),
            ("timestamp".into(), time::beijing_datetime(options.timestamp_ms)?),
            ("version".into(), "1.0".into()),
        ];
        let mut optional = |name: &str, value: Option<&String>| {
            if let Some(v) = value.filter(|v| !v.is_empty()) {
                params.push((name.into(), v.clone()));
            }
        };
        optional("notify_url", options.notify_url.as_ref().or(self.notify_url.as_ref()));
        optional("return_url", options.return_url.as_ref());
        optional("app_auth_token", options.app_auth_token.as_ref());
        optional("auth_token", options.auth_token.as_ref());
        if let Some(cert) = &self.cert {
            optional("app_cert_sn", cert.app_cert_sn.as_ref());
            optional("alipay_root_cert_sn", cert.alipay_root_cert_sn.as_ref());
        }
        if let Some(biz) = biz_content {
            let text = biz_content_text(biz)?;
            if options.encrypt {
                let key = self
                    .content_key
                    .as_ref()
                    .ok_or_else(|| Error::bad_input("encrypt: true needs encryptKey in the Alipay config"))?;
                // Encrypt first, then sign: the signature covers the ciphertext and encrypt_type.
                params.push(("encrypt_type".into(), "AES".into()));
                params.push(("biz_content".into(), key.encrypt(&text)?));
            } else {
                params.push(("biz_content".into(), text));
            }
        } else if options.encrypt {
            return Err(Error::bad_input("encrypt: true needs a biz_content to encrypt"));
        }
        params.extend(options.params.iter().cloned());
        let step = SignStep { key_id, hash: self.sign_type.hash(), message: string_to_sign(&params) };
        Ok(Pending::signing(step, move |signature| {
            params.push(("sign".into(), STANDARD.encode(signature)));
            Ok(params)
        }))
    }

    /// A signed `POST` to the gateway, parameters split between query and form body.
    pub fn build_request(
        &self,
        method: &str,
        biz_content: Option<&Value>,
        options: &RequestOptions,
    ) -> Result<Pending<HttpRequest>> {
        let gateway = self.gateway.clone();
        Ok(self.signed_params(method, biz_content, options)?.map(move |params| {
            let (query, body): (Vec<_>, Vec<_>) = params.iter().partition(|(k, _)| QUERY_PARAMS.contains(&k.as_str()));
            Ok(HttpRequest {
                method: "POST",
                url: format!("{gateway}?{}", form::encode(query.iter().map(|(k, v)| (k.as_str(), v.as_str())))),
                headers: vec![("content-type".into(), "application/x-www-form-urlencoded;charset=utf-8".into())],
                body: Some(form::encode(body.iter().map(|(k, v)| (k.as_str(), v.as_str())))),
            })
        }))
    }

    /// An App SDK order string (`alipay.trade.app.pay`, `alipay.fund.auth.order.app.freeze`, …): no
    /// server call; the app hands it to the Alipay App SDK (`payV2(orderStr)`, `payOrder:orderStr`).
    /// Every parameter, `sign` last, name and value escaped as `encodeURIComponent` escapes them and
    /// joined with `&` — the shape the official Node SDK's `sdkExec` returns. The signature is over
    /// the same string to sign as every request's.
    pub fn build_sdk_order(
        &self,
        method: &str,
        biz_content: &Value,
        options: &RequestOptions,
    ) -> Result<Pending<SdkOrder>> {
        Ok(self.signed_params(method, Some(biz_content), options)?.map(|params| {
            let order_str =
                form::encode_with(params.iter().map(|(k, v)| (k.as_str(), v.as_str())), Escaping::UriComponent);
            Ok(SdkOrder { order_str, params })
        }))
    }

    /// A page API (`alipay.trade.wap.pay`, `alipay.trade.page.pay`): no server call; the buyer's browser
    /// is sent to a signed GET URL, or posts an auto-submitting form.
    pub fn build_page(
        &self,
        method: &str,
        biz_content: &Value,
        options: &RequestOptions,
    ) -> Result<Pending<PageRequest>> {
        let gateway = self.gateway.clone();
        Ok(self.signed_params(method, Some(biz_content), options)?.map(move |params| {
            let url = format!("{gateway}?{}", form::encode(params.iter().map(|(k, v)| (k.as_str(), v.as_str()))));
            let mut html = format!(
                "<form id=\"alipaysubmit\" name=\"alipaysubmit\" action=\"{}?charset=utf-8\" method=\"POST\">",
                html_escape(&gateway)
            );
            for (name, value) in &params {
                html.push_str(&format!(
                    "<input type=\"hidden\" name=\"{}\" value=\"{}\"/>",
                    html_escape(name),
                    html_escape(value)
                ));
            }
            html.push_str("<input type=\"submit\" value=\"ok\" style=\"display:none;\"/></form>");
            html.push_str("<script>document.forms['alipaysubmit'].submit();</script>");
            Ok(PageRequest { url, form: html, params })
        }))
    }
}

/// What an App SDK method produces.
#[derive(Debug)]
pub struct SdkOrder {
    /// The signed order string for the App SDK (`orderStr`).
    pub order_str: String,
    /// Every parameter, `sign` last.
    pub params: Vec<(String, String)>,
}

/// What a page API produces.
#[derive(Debug)]
pub struct PageRequest {
    /// Signed GET URL.
    pub url: String,
    /// Auto-submitting HTML form (POST).
    pub form: String,
    /// Every parameter, `sign` last.
    pub params: Vec<(String, String)>,
}

/// The v2 string to sign: all parameters but `sign`, empty values left out, sorted, raw values.
pub fn string_to_sign(params: &[(String, String)]) -> Vec<u8> {
    canonical::build(params.iter().map(|(k, v)| (k.as_bytes(), v.as_bytes())), &["sign"], EmptyValues::Drop)
}

fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
