//! What a signature covers, shown: for a message a merchant sent or received, the exact text the
//! provider signs — built by the same functions the signing and verifying paths use — and where it
//! differs from the text a provider reports (Alipay's "验签字符串", WeChat Pay's
//! `truncated_sign_message`). The first question of every "invalid signature / 签名错误" report.
//! No key is needed, and none is shown: an MD5 key is named, never written out.

use serde::Serialize;
use serde_json::Value;

use crate::alipay::notify::{NotifyRule, notification_messages};
use crate::alipay::request::string_to_sign as alipay_string_to_sign;
use crate::alipay::response::locate;
use crate::checkout::Provider;
use crate::codec::canonical::EmptyValues;
use crate::codec::form;
use crate::error::{Error, Result};
use crate::limits::Limits;
use crate::options::{given, read, required};
use crate::wechat::pay::response::{header, header_pairs, signed_message};

/// What a message's signature covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Explained {
    /// Whose rules.
    pub provider: Provider,
    /// `request`, `response` or `notification`.
    pub message: &'static str,
    /// The signature scheme (`RSA2`: SHA256withRSA, `RSA`: SHA1withRSA, `WECHATPAY2-SHA256-RSA2048`,
    /// `MD5`), as the message declares it when it does.
    pub scheme: String,
    /// The texts the signature may be over, in the order a verifier tries them (Alipay: the payment
    /// rule, then the gateway rule; a response node as sent, then with `\/` unescaped). Bytes that
    /// are not UTF-8 (a GBK message) are shown as U+FFFD.
    pub signed: Vec<String>,
    /// The signature as the message carries it (base64, or MD5 hex).
    pub signature: Option<String>,
    /// The key the message names: Alipay certificate SNs, WeChat Pay's serial.
    pub key: Option<String>,
    /// What else the signature covers that is not shown (an MD5 key).
    pub note: Option<&'static str>,
    /// The signed text the provider reported, when one was given (`reported`).
    pub reported: Option<String>,
    /// Where the reported text first differs from the closest of `signed` (`None` when it is one
    /// of them, or none was given).
    pub difference: Option<Difference>,
}

/// Where two signed texts first differ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Difference {
    /// The character index of the first difference (the length of the shorter text when one is
    /// the start of the other).
    pub index: usize,
    /// Up to 40 characters of ours from a little before it.
    pub ours: String,
    /// The same stretch of theirs.
    pub theirs: String,
    /// Theirs stops where ours goes on: a provider truncates what it reports (WeChat Pay does).
    pub theirs_ends: bool,
}

const CONTEXT_BEFORE: usize = 10;
const CONTEXT: usize = 40;

/// Where `theirs` (the provider's report) first differs from `ours`; `None` when they are equal. A
/// provider's report ending in `...` (a truncation mark) is compared up to the mark.
pub fn first_difference(ours: &str, theirs: &str) -> Option<Difference> {
    if ours == theirs {
        return None;
    }
    // A truncation mark counts as one only where the report, without it, is how ours begins.
    let theirs = theirs.strip_suffix("...").filter(|cut| ours.starts_with(cut)).unwrap_or(theirs);
    let (a, b): (Vec<char>, Vec<char>) = (ours.chars().collect(), theirs.chars().collect());
    let index = a.iter().zip(&b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
    if index == a.len() && index == b.len() {
        return None;
    }
    let start = index.saturating_sub(CONTEXT_BEFORE);
    let excerpt = |text: &[char]| text.iter().skip(start).take(CONTEXT).collect::<String>();
    Some(Difference { index, ours: excerpt(&a), theirs: excerpt(&b), theirs_ends: index == b.len() && index < a.len() })
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A form's value, when it has a non-empty one.
fn form_value(form: &form::Form, name: &str) -> Option<String> {
    form.get(name).filter(|v| !v.is_empty()).map(text)
}

/// `{ provider, request | response | notification, method?, rule? }` → what its signature covers:
/// - Alipay: a request `{ url, body? }` (v2: every parameter but `sign`); a notification (the form
///   body) under `rule` (`payment`, `gateway`, default both); a response (its text) of `method`;
/// - WeChat Pay: a request `{ method, url, body?, authorization }`; a response or notification
///   `{ headers, body }`;
/// - UseePay: a request, response or notification (form or JSON text), with `emptyValues`
///   `trim` (default) or `exact`.
pub fn explain(input: &Value, limits: &Limits) -> Result<Explained> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct Input<'a> {
        provider: Option<&'a str>,
        request: Option<Value>,
        response: Option<Value>,
        notification: Option<Value>,
        method: Option<&'a str>,
        rule: Option<&'a str>,
        empty_values: Option<&'a str>,
        reported: Option<&'a str>,
    }
    let i: Input = read(input, "explain input")?;
    let provider = Provider::from_name(required(i.provider, "explain input.provider")?)
        .ok_or_else(|| Error::bad_input("explain input.provider must be 'alipay', 'wechatpay' or 'useepay'"))?;
    let (message, value) = match (i.request, i.response, i.notification) {
        (Some(v), None, None) => ("request", v),
        (None, Some(v), None) => ("response", v),
        (None, None, Some(v)) => ("notification", v),
        _ => return Err(Error::bad_input("explain input: give exactly one of request, response and notification")),
    };
    let string = |value: &Value, what: &str| -> Result<String> {
        value.as_str().map(str::to_owned).ok_or_else(|| Error::bad_input(format!("explain input.{what} must be text")))
    };
    let member = |name: &str| -> Result<String> {
        match value.get(name) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(v) => string(v, &format!("{message}.{name}")),
        }
    };
    let mut explained = match (provider, message) {
        (Provider::Alipay, "request") => alipay_request(&member("url")?, &member("body")?, limits),
        (Provider::Alipay, "notification") => {
            let rule = given(i.rule).map(NotifyRule::parse).transpose()?.unwrap_or(NotifyRule::Auto);
            alipay_notification(string(&value, message)?.as_bytes(), rule, limits)
        }
        (Provider::Alipay, _) => {
            alipay_response(&string(&value, message)?, required(i.method, "explain input.method")?, limits)
        }
        (Provider::Wechatpay, "request") => wechatpay_request(&value, limits),
        (Provider::Wechatpay, _) => {
            let headers = header_pairs(value.get("headers").unwrap_or(&Value::Null))?;
            let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            wechatpay_message(message, &headers, member("body")?.as_bytes(), limits)
        }
        (Provider::Useepay, _) => {
            let empty = match given(i.empty_values) {
                None | Some("trim") => EmptyValues::DropBlank,
                Some("exact") => EmptyValues::Drop,
                Some(_) => return Err(Error::bad_input("explain input.emptyValues must be 'trim' or 'exact'")),
            };
            useepay_message(message, &string(&value, message)?, empty, limits)
        }
    }?;
    if let Some(report) = given(i.reported) {
        limits.check_input(report.len(), "explain input.reported")?;
        let reported = reported_text(report);
        // Compared with the candidate it agrees with longest.
        explained.difference = explained
            .signed
            .iter()
            .map(|ours| first_difference(ours, &reported))
            .max_by_key(|d| d.as_ref().map_or(usize::MAX, |d| d.index))
            .flatten();
        explained.reported = Some(reported);
    }
    Ok(explained)
}

/// The signed text in what a provider reported: Alipay's sub_msg "…验签字符串为：<text>" (a whole
/// error response, or the message alone), WeChat Pay's error body
/// `detail.sign_information.truncated_sign_message`, or the text itself.
pub fn reported_text(report: &str) -> String {
    const ALIPAY_MARK: &str = "验签字符串为：";
    let unjson =
        |text: &str| serde_json::from_str::<String>(&format!("\"{text}\"")).unwrap_or_else(|_| text.to_owned());
    if let Some((_, after)) = report.split_once(ALIPAY_MARK) {
        if !report.trim_start().starts_with('{') {
            return after.to_owned();
        }
        // Inside a JSON response the text is a JSON string's rest: it ends at the first quote not
        // escaped, and is unescaped once.
        let mut escaped = false;
        let end = after
            .char_indices()
            .find(|&(_, c)| {
                let closing = c == '"' && !escaped;
                escaped = c == '\\' && !escaped;
                closing
            })
            .map_or(after.len(), |(at, _)| at);
        return unjson(&after[..end]);
    }
    serde_json::from_str::<Value>(report)
        .ok()
        .and_then(|json| {
            let detail = json.get("detail")?;
            let detail = match detail {
                Value::String(text) => serde_json::from_str::<Value>(text).ok()?,
                other => other.clone(),
            };
            detail.get("sign_information")?.get("truncated_sign_message")?.as_str().map(str::to_owned)
        })
        .unwrap_or_else(|| report.to_owned())
}

fn alipay_request(url: &str, body: &str, limits: &Limits) -> Result<Explained> {
    limits.check_input(url.len() + body.len(), "request")?;
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let mut params = Vec::new();
    for part in [query, body] {
        for (name, value) in form::decode_unique(part.as_bytes(), limits)?.iter() {
            params.push((text(name), text(value)));
        }
    }
    let get = |name: &str| params.iter().find(|(n, v)| n == name && !v.is_empty()).map(|(_, v)| v.clone());
    Ok(Explained {
        provider: Provider::Alipay,
        message: "request",
        scheme: get("sign_type").unwrap_or_else(|| "RSA2".into()),
        signed: vec![text(&alipay_string_to_sign(&params))],
        signature: get("sign"),
        key: get("app_cert_sn"),
        note: None,
        reported: None,
        difference: None,
    })
}

fn alipay_notification(body: &[u8], rule: NotifyRule, limits: &Limits) -> Result<Explained> {
    let form = form::decode_unique(body, limits)?;
    Ok(Explained {
        provider: Provider::Alipay,
        message: "notification",
        scheme: form_value(&form, "sign_type").unwrap_or_else(|| "RSA2".into()),
        signed: notification_messages(&form, rule).iter().map(|m| text(m)).collect(),
        signature: form_value(&form, "sign"),
        key: form_value(&form, "alipay_cert_sn"),
        note: None,
        reported: None,
        difference: None,
    })
}

fn alipay_response(raw: &str, method: &str, limits: &Limits) -> Result<Explained> {
    let located = locate(raw, method, limits)?;
    let mut signed = vec![located.node_text.to_owned()];
    if located.node_text.contains("\\/") {
        signed.push(located.node_text.replace("\\/", "/"));
    }
    Ok(Explained {
        provider: Provider::Alipay,
        message: "response",
        scheme: "RSA2 (or RSA: the request's sign_type)".into(),
        signed,
        signature: located.sign,
        key: located.alipay_cert_sn,
        note: None,
        reported: None,
        difference: None,
    })
}

/// A WeChat Pay request: the five lines over the method, the path and query as sent, the
/// Authorization's timestamp and nonce, and the body.
fn wechatpay_request(request: &Value, limits: &Limits) -> Result<Explained> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Request<'a> {
        method: Option<&'a str>,
        url: Option<&'a str>,
        body: Option<&'a str>,
        authorization: Option<&'a str>,
    }
    let r: Request = read(request, "explain input.request")?;
    let url = required(r.url, "explain input.request.url")?;
    let body = r.body.unwrap_or("");
    limits.check_input(url.len() + body.len(), "request")?;
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("/", |at| &after_scheme[at..]);
    let authorization = required(r.authorization, "explain input.request.authorization")?;
    let pairs = authorization.split_once(' ').map_or("", |(_, rest)| rest);
    let pair = |name: &str| {
        pairs
            .split(',')
            .filter_map(|p| p.trim().split_once('='))
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.trim_matches('"'))
    };
    let line = |name: &str| {
        pair(name).ok_or_else(|| Error::bad_input(format!("the Authorization has no {name}: it is not WeChat Pay's")))
    };
    let method = required(r.method, "explain input.request.method")?.to_ascii_uppercase();
    let message = format!("{method}\n{path}\n{}\n{}\n{body}\n", line("timestamp")?, line("nonce_str")?);
    Ok(Explained {
        provider: Provider::Wechatpay,
        message: "request",
        scheme: "WECHATPAY2-SHA256-RSA2048".into(),
        signed: vec![message],
        signature: pair("signature").map(str::to_owned),
        key: pair("serial_no").map(str::to_owned),
        note: None,
        reported: None,
        difference: None,
    })
}

/// A WeChat Pay response or notification: the three lines over its timestamp, nonce and body.
fn wechatpay_message(
    message: &'static str,
    headers: &[(&str, &str)],
    body: &[u8],
    limits: &Limits,
) -> Result<Explained> {
    limits.check_input(body.len(), message)?;
    // The verifier's own reading: any case, a header given twice refused.
    let value = |name: &str| Ok::<_, Error>(header(headers, name)?.map(str::to_owned));
    let timestamp = value("Wechatpay-Timestamp")?.unwrap_or_default();
    let nonce = value("Wechatpay-Nonce")?.unwrap_or_default();
    Ok(Explained {
        provider: Provider::Wechatpay,
        message,
        scheme: value("Wechatpay-Signature-Type")?.unwrap_or_else(|| "WECHATPAY2-SHA256-RSA2048".into()),
        signed: vec![text(&signed_message(&timestamp, &nonce, body))],
        signature: value("Wechatpay-Signature")?,
        key: value("Wechatpay-Serial")?,
        note: None,
        reported: None,
        difference: None,
    })
}

/// A UseePay message (a form, or a response's JSON object): every field but `sign`, sorted.
fn useepay_message(message: &'static str, raw: &str, empty: EmptyValues, limits: &Limits) -> Result<Explained> {
    let fields = match raw.trim_start().starts_with('{') {
        true => crate::useepay::response::fields_of(raw, limits)?,
        false => form::decode_unique(raw.as_bytes(), limits)?.iter().map(|(n, v)| (text(n), text(v))).collect(),
    };
    let get = |name: &str| fields.iter().find(|(n, v)| n == name && !v.is_empty()).map(|(_, v)| v.clone());
    let scheme = get("signType").unwrap_or_else(|| "MD5".into());
    let md5 = scheme.eq_ignore_ascii_case("MD5");
    Ok(Explained {
        provider: Provider::Useepay,
        message,
        signed: vec![text(&crate::useepay::string_to_sign(&fields, empty))],
        signature: get("sign"),
        key: None,
        note: md5.then_some("MD5 covers this text followed by &pkey= and your MD5 key (not shown)"),
        scheme,
        reported: None,
        difference: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences() {
        assert_eq!(first_difference("a=1&b=2", "a=1&b=2"), None);
        let d = first_difference(
            "app_id=1&biz_content={\"a\":1}&charset=utf-8",
            "app_id=1&biz_content={\"a\":2}&charset=utf-8",
        )
        .unwrap();
        assert_eq!(d.index, 26);
        assert!(d.ours.contains("\"a\":1") && d.theirs.contains("\"a\":2") && !d.theirs_ends);
        // A truncated report: theirs stops early.
        let t = first_difference("POST\n/v3/pay\n1\nn\n{}\n", "POST\n/v3/pay\n1...").unwrap();
        assert_eq!((t.index, t.theirs_ends), (14, true));
        // A text that itself ends in ... is not truncated.
        assert_eq!(first_difference("a=1...", "a=1..."), None);
        assert_eq!(first_difference("a=2...", "a=1...").unwrap().index, 2);
        // Ours shorter: the difference is where ours ends.
        assert_eq!(first_difference("ab", "abc").unwrap().index, 2);
    }

    #[test]
    fn what_each_signature_covers() {
        let limits = Limits::default();
        let e = explain(
            &serde_json::json!({ "provider": "alipay", "request": { "url": "https://openapi.alipay.com/gateway.do?charset=utf-8&method=m&sign=S&sign_type=RSA2", "body": "biz_content=%7B%7D&empty=" } }),
            &limits,
        )
        .unwrap();
        assert_eq!(e.signed, vec!["biz_content={}&charset=utf-8&method=m&sign_type=RSA2"]);
        assert_eq!((e.signature.as_deref(), e.scheme.as_str()), (Some("S"), "RSA2"));
        let n = explain(
            &serde_json::json!({ "provider": "alipay", "notification": "b=2&a=&sign_type=RSA2&sign=S" }),
            &limits,
        )
        .unwrap();
        assert_eq!(n.signed, vec!["a=&b=2", "a=&b=2&sign_type=RSA2"]);
        let w = explain(
            &serde_json::json!({ "provider": "wechatpay", "request": { "method": "post", "url": "https://api.mch.weixin.qq.com/v3/pay/transactions/jsapi", "body": "{}", "authorization": "WECHATPAY2-SHA256-RSA2048 mchid=\"1\",nonce_str=\"n\",timestamp=\"9\",serial_no=\"S\",signature=\"x\"" } }),
            &limits,
        )
        .unwrap();
        assert_eq!(w.signed, vec!["POST\n/v3/pay/transactions/jsapi\n9\nn\n{}\n"]);
        assert_eq!(w.key.as_deref(), Some("S"));
        let u = explain(
            &serde_json::json!({ "provider": "useepay", "notification": "b=2&a= &signType=MD5&sign=x" }),
            &limits,
        )
        .unwrap();
        assert_eq!((u.signed[0].as_str(), u.note.is_some()), ("b=2&signType=MD5", true));
        // The provider's report: Alipay's sub_msg inside its error response, WeChat Pay's detail.
        let alipay_error = r#"{"alipay_trade_query_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-signature","sub_msg":"验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：biz_content={}&charset=utf-8&method=n&sign_type=RSA2"}}"#;
        let r = explain(
            &serde_json::json!({ "provider": "alipay", "request": { "url": "https://openapi.alipay.com/gateway.do?charset=utf-8&method=m&sign=S&sign_type=RSA2", "body": "biz_content=%7B%7D" }, "reported": alipay_error }),
            &limits,
        )
        .unwrap();
        assert_eq!(r.reported.as_deref(), Some("biz_content={}&charset=utf-8&method=n&sign_type=RSA2"));
        assert_eq!(r.difference.as_ref().map(|d| d.index), Some(36));
        let wechat_error = r#"{"code":"SIGN_ERROR","message":"签名错误","detail":{"detail":{"issue":"sign not match"},"field":"signature","location":"authorization","sign_information":{"method":"POST","sign_message_length":44,"truncated_sign_message":"POST\n/v3/pay/transactions/jsapi\n9\nm\n","url":"/v3/pay/transactions/jsapi"}}}"#;
        assert_eq!(reported_text(wechat_error), "POST\n/v3/pay/transactions/jsapi\n9\nm\n");
        assert_eq!(first_difference(&w.signed[0], &reported_text(wechat_error)).unwrap().index, 34);
        assert_eq!(reported_text("a=1&b=2"), "a=1&b=2");
        for bad in [
            serde_json::json!({ "provider": "paypal", "request": {} }),
            serde_json::json!({ "provider": "alipay" }),
            serde_json::json!({ "provider": "alipay", "response": "{}" }),
            serde_json::json!({ "provider": "wechatpay", "request": { "method": "GET", "url": "/v3/x", "authorization": "Basic x" } }),
        ] {
            assert!(explain(&bad, &limits).is_err(), "{bad}");
        }
    }
}
