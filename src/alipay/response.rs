//! OpenAPI v2 responses: the signature covers the raw text of the `<method>_response` node, found
//! by brace matching — never by re-serializing. Parsing happens only after verification.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use super::encryption::ContentKey;
use super::{Alipay, provider_error};
use crate::codec::json_node::top_level_members;
use crate::crypto::step::{Pending, VerifyStep};
use crate::error::{Error, ErrorCode, Result};
use crate::limits::Limits;

/// The node name Alipay answers `method` under: `alipay.trade.create` → `alipay_trade_create_response`.
pub fn response_node_name(method: &str) -> String {
    format!("{}_response", method.replace('.', "_"))
}

/// The located parts of a v2 response.
#[derive(Debug)]
pub struct RawResponse<'a> {
    /// The node name found (`<method>_response` or `error_response`).
    pub node_name: String,
    /// The node value exactly as received (an object, or a quoted string when encrypted).
    pub node_text: &'a str,
    /// The `sign` member, when present.
    pub sign: Option<String>,
    /// The `alipay_cert_sn` member (certificate mode), when present.
    pub alipay_cert_sn: Option<String>,
}

/// Finds the method's node (or `error_response`), `sign` and `alipay_cert_sn`. A node name that occurs
/// again after the extracted node — a second member, or injected text — is refused.
pub fn locate<'a>(raw: &'a str, method: &str, limits: &Limits) -> Result<RawResponse<'a>> {
    let expected = response_node_name(method);
    let members = top_level_members(raw, limits).map_err(|e| e.with_provider(super::PROVIDER))?;
    let find = |name: &str| members.iter().find(|m| m.name == name).map(|m| m.value);
    let (node_name, span) = match (find(&expected), find("error_response")) {
        (Some(span), _) => (expected, span),
        (None, Some(span)) => ("error_response".to_owned(), span),
        (None, None) => {
            return Err(Error::malformed(format!("the response has no {expected} node")).with_provider(super::PROVIDER));
        }
    };
    let quoted = format!("\"{node_name}\"");
    if raw[span.end..].contains(&quoted) {
        return Err(Error::malformed(format!("{node_name} appears again after the response node"))
            .with_provider(super::PROVIDER));
    }
    let string_member = |name: &str| -> Result<Option<String>> {
        find(name)
            .map(|s| {
                serde_json::from_str::<String>(s.of(raw))
                    .map_err(|_| Error::malformed(format!("{name} is not a string")))
            })
            .transpose()
    };
    Ok(RawResponse {
        node_name,
        node_text: span.of(raw),
        sign: string_member("sign")?,
        alipay_cert_sn: string_member("alipay_cert_sn")?,
    })
}

impl Alipay {
    /// Locates the response node of `method` in the raw response text and asks for its signature to
    /// be verified; once verified, the node is returned as JSON text (decrypted when it was
    /// encrypted). Failures: see the error codes in the README.
    pub fn parse_response(&self, method: &str, raw: &str) -> Result<Pending<String>> {
        self.check_can_verify()?;
        let located = locate(raw, method, &self.limits)?;
        let node_text = located.node_text;
        // Alipay's Java SDK verifies the node once more with `\/` unescaped.
        let mut messages = vec![node_text.as_bytes().to_vec()];
        if node_text.contains('\\') && node_text.contains("\\/") {
            messages.push(node_text.replace("\\/", "/").into_bytes());
        }
        let candidates = self.candidates(located.alipay_cert_sn.as_deref(), &messages)?;
        let node = Node::new(located.node_name, node_text, self.content_key.clone(), self.limits);
        let Some(sign) = located.sign else { return Ok(Pending::ready(node.read(false))) };
        let signature = STANDARD
            .decode(sign)
            .map_err(|_| Error::signature_invalid("the response sign is not base64").with_provider(super::PROVIDER))?;
        let step = VerifyStep { hash: self.sign_type.hash(), signature, candidates };
        let invalid = Error::signature_invalid("the response signature does not verify").with_provider(super::PROVIDER);
        Ok(Pending::verified(step, invalid, move |_| node.read(true)))
    }
}

/// A located response node, read once its signature is checked.
pub(super) struct Node {
    name: String,
    text: String,
    content_key: Option<ContentKey>,
    limits: Limits,
}

impl Node {
    /// The node `name` whose text is `text` (decrypted with `content_key` when it is encrypted).
    pub(super) fn new(name: String, text: &str, content_key: Option<ContentKey>, limits: Limits) -> Node {
        Node { name, text: text.to_owned(), content_key, limits }
    }

    /// The node's JSON text, when it is a success, before any signature is checked (the caller
    /// trusts its content by other means); otherwise the failure it reports, as unverified.
    pub(super) fn read_unverified_success(self) -> Result<String> {
        self.outcome(false, true)
    }

    /// The node's JSON text (decrypted), when it is a success; otherwise the failure it reports.
    fn read(self, verified: bool) -> Result<String> {
        self.outcome(verified, false)
    }

    /// [`read`](Self::read), with an unsigned success accepted when `unsigned_success` says so.
    fn outcome(self, verified: bool, unsigned_success: bool) -> Result<String> {
        let node_json = match self.text.starts_with('"') {
            true => {
                let ciphertext: String = serde_json::from_str(&self.text)
                    .map_err(|_| Error::malformed("the encrypted response node is not a JSON string"))?;
                let key = self.content_key.as_ref().ok_or_else(|| {
                    Error::bad_input("the response is encrypted but no encryptKey is configured")
                        .with_provider(super::PROVIDER)
                })?;
                key.decrypt(&ciphertext)?
            }
            false => self.text,
        };
        // The node is one JSON object whose member names are unique once unescaped (the check also
        // bounds a decrypted node before it is parsed), and valid JSON throughout. Only a failure is
        // parsed into values (for the provider's codes): a success goes on as the text it is.
        let members = top_level_members(&node_json, &self.limits).map_err(|e| e.with_provider(super::PROVIDER))?;
        let malformed = || Error::malformed("the response node is not valid JSON").with_provider(super::PROVIDER);
        serde_json::from_str::<serde::de::IgnoredAny>(&node_json).map_err(|_| malformed())?;
        let code = match members.iter().find(|m| m.name == "code").map(|m| m.value.of(&node_json)) {
            Some(text) if text.starts_with('"') => Some(serde_json::from_str::<String>(text).map_err(|_| malformed())?),
            _ => None,
        };
        let success = self.name != "error_response" && matches!(code.as_deref(), None | Some("10000"));
        match (success, verified || unsigned_success) {
            (true, true) => return Ok(node_json),
            (true, false) => {
                return Err(
                    Error::signature_invalid(format!("the {} is not signed", self.name)).with_provider(super::PROVIDER)
                );
            }
            (false, _) => {}
        }
        let node: Value = serde_json::from_str(&node_json).map_err(|_| malformed())?;
        match verified {
            true if self.name != "error_response" => Err(provider_error(
                ErrorCode::ProviderBusiness,
                failure_message(&node, "business failure"),
                Some(&node),
            )),
            _ => Err(provider_error(
                ErrorCode::ProviderRejected,
                failure_message(&node, if verified { "gateway error" } else { "gateway error (unsigned)" }),
                Some(&node),
            )),
        }
    }
}

fn failure_message(node: &Value, what: &str) -> String {
    let field = |k: &str| node.get(k).and_then(Value::as_str).unwrap_or("");
    format!("Alipay {what}: {} {} {} {}", field("code"), field("msg"), field("sub_code"), field("sub_msg"))
        .trim_end()
        .to_owned()
}
