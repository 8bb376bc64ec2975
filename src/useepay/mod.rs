//! UseePay V1 gateway (form + sign), for the WeChat Pay HK wallet and the other wallets on the same
//! envelope. One `POST /api`; the operation is the `transactionType` field.

pub mod checkout;
pub mod notify;
pub mod request;
pub mod request_payment;
pub mod response;
pub mod result;

use serde_json::Value;
use zeroize::Zeroizing;

use crate::codec::canonical::{self, EmptyValues};
use crate::crypto::digest::{constant_time_eq, hex_lower, md5};
use crate::crypto::rsa::Hash;
use crate::crypto::step::{Candidate, Pending, SignStep, VerifyStep};
use crate::error::{Error, ErrorCode, Result};
use crate::keys::{KeyRing, load_private_key, load_public_key};
use crate::limits::{Limits, LimitsConfig};
use crate::options::{given, read, required};

/// The provider name errors carry (`AggpayError.provider`).
pub const PROVIDER: &str = "useepay";
/// The production gateway.
pub const PRODUCTION_GATEWAY: &str = "https://pay-gateway.useepay.com";
/// The UAT (sandbox) gateway.
pub const SANDBOX_GATEWAY: &str = "https://pay-gateway1.uat.useepay.com";

/// The id of the merchant's private key in a UseePay client's key ring.
pub const MERCHANT_KEY_ID: &str = "merchant";
/// The id of UseePay's public key in a UseePay client's key ring.
pub const USEEPAY_KEY_ID: &str = "useepay";

/// How requests are signed and responses verified: `MD5` with the portal's MD5 key, or `RSA`
/// (SHA256withRSA) with the merchant's private key and UseePay's public key (either may be left out
/// of a client that only verifies, or only builds requests).
enum Scheme {
    Md5(Md5Key),
    Rsa(Box<KeyRing>),
}

/// The MD5 key (配置中心 → 密钥管理). Its `Debug` never shows it.
struct Md5Key(Zeroizing<String>);

impl std::fmt::Debug for Md5Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Md5Key(..)")
    }
}

/// One UseePay merchant app: its signing scheme and keys (parsed once), gateway and rules.
pub struct UseePay {
    merchant_no: String,
    app_id: String,
    gateway: String,
    notify_url: Option<String>,
    empty_values: EmptyValues,
    scheme: Scheme,
    limits: Limits,
}

/// Shows the merchant and its scheme, never the MD5 key or key material.
impl std::fmt::Debug for UseePay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UseePay")
            .field("merchant_no", &self.merchant_no)
            .field("app_id", &self.app_id)
            .field("sign_type", &self.sign_type())
            .field("gateway", &self.gateway)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// The configuration `UseePay::new` reads (strings borrowed from the JSON value, never copied).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Config<'a> {
    merchant_no: Option<&'a str>,
    app_id: Option<&'a str>,
    sign_type: Option<&'a str>,
    md5_key: Option<&'a str>,
    private_key: Option<&'a str>,
    useepay_public_key: Option<&'a str>,
    gateway: Option<&'a str>,
    notify_url: Option<&'a str>,
    empty_values: Option<&'a str>,
    limits: Option<LimitsConfig>,
}

impl UseePay {
    /// Reads the configuration and loads its keys. In RSA mode `privateKey` is needed to build
    /// requests and `useepayPublicKey` to verify; a client may hold only one of them.
    pub fn new(config: &Value) -> Result<UseePay> {
        let c: Config = read(config, "UseePay config")?;
        let limits = Limits::from_config(c.limits)?;
        let scheme = match required(c.sign_type, "UseePay config.signType")? {
            "MD5" => {
                if given(c.private_key).is_some() || given(c.useepay_public_key).is_some() {
                    return Err(Error::bad_input("UseePay config: signType MD5 takes md5Key, not RSA keys"));
                }
                Scheme::Md5(Md5Key(Zeroizing::new(required(c.md5_key, "UseePay config.md5Key")?.to_owned())))
            }
            "RSA" => {
                if given(c.md5_key).is_some() {
                    return Err(Error::bad_input(
                        "UseePay config: signType RSA takes privateKey and useepayPublicKey, not md5Key",
                    ));
                }
                let mut keys = KeyRing::new();
                if let Some(text) = given(c.private_key) {
                    let key = load_private_key(text, "UseePay merchant private key (privateKey)", &limits)?;
                    keys.set_private(MERCHANT_KEY_ID, key);
                }
                if let Some(text) = given(c.useepay_public_key) {
                    let key = load_public_key(text, "UseePay public key (useepayPublicKey)", &limits)?;
                    keys.add_public(USEEPAY_KEY_ID, key);
                }
                match (keys.private_key(), keys.public_key(USEEPAY_KEY_ID)) {
                    (None, None) => {
                        return Err(Error::bad_input(
                            "UseePay config: signType RSA takes privateKey (to build requests), useepayPublicKey (to verify), or both",
                        ));
                    }
                    (Some(private), Some(public)) if *public == private.public_key() => {
                        return Err(Error::new(
                            ErrorCode::KeyMismatch,
                            "UseePay config: useepayPublicKey is your own public key; use the UseePay RSA public key from the portal",
                        ));
                    }
                    _ => Scheme::Rsa(Box::new(keys)),
                }
            }
            _ => return Err(Error::bad_input("UseePay config.signType must be MD5 or RSA")),
        };
        let gateway = match given(c.gateway) {
            None | Some("production") => PRODUCTION_GATEWAY.to_owned(),
            Some("sandbox") => SANDBOX_GATEWAY.to_owned(),
            Some(url) if (url.starts_with("https://") || url.starts_with("http://")) && !url.contains('?') => {
                url.trim_end_matches('/').to_owned()
            }
            Some(_) => {
                return Err(Error::bad_input(
                    "UseePay config: gateway must be 'production', 'sandbox' or an http(s) URL",
                ));
            }
        };
        let empty_values = match given(c.empty_values) {
            None | Some("trim") => EmptyValues::DropBlank,
            Some("exact") => EmptyValues::Drop,
            Some(_) => return Err(Error::bad_input("UseePay config: emptyValues must be 'trim' or 'exact'")),
        };
        Ok(UseePay {
            merchant_no: required(c.merchant_no, "UseePay config.merchantNo")?.to_owned(),
            app_id: required(c.app_id, "UseePay config.appId")?.to_owned(),
            gateway,
            notify_url: given(c.notify_url).map(str::to_owned),
            empty_values,
            scheme,
            limits,
        })
    }

    /// The input limits this client applies (`limits` in its configuration).
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// `"MD5"` or `"RSA"`.
    pub fn sign_type(&self) -> &'static str {
        match self.scheme {
            Scheme::Md5(_) => "MD5",
            Scheme::Rsa(_) => "RSA",
        }
    }

    /// The merchant number (`merchantNo`).
    pub fn merchant_no(&self) -> &str {
        &self.merchant_no
    }

    /// This client's string to sign ([`string_to_sign`] with its empty-values rule).
    fn string_to_sign(&self, fields: &[(String, String)]) -> Vec<u8> {
        string_to_sign(fields, self.empty_values)
    }

    /// In RSA mode, this client's keys; as an [`Engine`](crate::crypto::step::Engine) they answer
    /// steps in-core. An MD5 client has none (its steps are all [`Step::Nothing`](crate::crypto::step::Step)).
    pub fn keys(&self) -> Option<&KeyRing> {
        match &self.scheme {
            Scheme::Md5(_) => None,
            Scheme::Rsa(keys) => Some(keys),
        }
    }

    /// The `sign` value for these fields (any set; `sign` itself is left out): computed at once
    /// with MD5, a signing step with RSA.
    pub fn sign(&self, fields: &[(String, String)]) -> Result<Pending<String>> {
        let content = self.string_to_sign(fields);
        match &self.scheme {
            Scheme::Md5(key) => Ok(Pending::ready(Ok(md5_sign(&content, &key.0)))),
            Scheme::Rsa(keys) => {
                let key_id = keys.private_id().map(str::to_owned).ok_or_else(|| {
                    Error::new(
                        ErrorCode::VerifyOnly,
                        "this UseePay client is verify-only (no privateKey): it verifies what UseePay sends but cannot build signed requests",
                    )
                    .with_provider(PROVIDER)
                })?;
                let step = SignStep { key_id, hash: Hash::Sha256, message: content };
                Ok(Pending::signing(step, |signature| {
                    use base64::Engine;
                    Ok(base64::engine::general_purpose::STANDARD.encode(signature))
                }))
            }
        }
    }

    /// `ERR_NO_PROVIDER_KEY` on an RSA client without UseePay's key: every verification asks this
    /// first, whatever the message looks like.
    fn check_can_verify(&self) -> Result<()> {
        match &self.scheme {
            Scheme::Rsa(keys) if keys.public_key(USEEPAY_KEY_ID).is_none() => Err(Error::new(
                ErrorCode::NoProviderKey,
                "this UseePay client has no useepayPublicKey: it cannot verify",
            )
            .with_provider(PROVIDER)),
            _ => Ok(()),
        }
    }

    /// Checks `fields` (everything received, `sign` included) with the configured scheme — at once
    /// with MD5, as a verification step with RSA — and hands them to `then` once verified. The
    /// message's own `signType` must name the configured scheme.
    fn verify<T: 'static>(
        &self,
        fields: Vec<(String, String)>,
        then: impl FnOnce(Vec<(String, String)>) -> Result<T> + 'static,
    ) -> Result<Pending<T>> {
        let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let invalid = |m: &str| Error::signature_invalid(m.to_owned()).with_provider(PROVIDER);
        let sign = get("sign").filter(|s| !s.trim().is_empty()).ok_or_else(|| invalid("the message has no sign"))?;
        match get("signType") {
            None => {}
            Some(t) if t == self.sign_type() => {}
            Some(t @ ("MD5" | "RSA")) => {
                return Err(invalid(&format!(
                    "the message is signed with {t}, but this client is configured for {}",
                    self.sign_type()
                )));
            }
            Some(_) => return Err(invalid("unknown signType")),
        }
        let content = self.string_to_sign(&fields);
        match &self.scheme {
            Scheme::Md5(key) => {
                if constant_time_eq(md5_sign(&content, &key.0).as_bytes(), sign.to_ascii_lowercase().as_bytes()) {
                    Ok(Pending::ready(then(fields)))
                } else {
                    Err(invalid("MD5 signature does not match"))
                }
            }
            Scheme::Rsa(_) => {
                use base64::Engine;
                let signature = base64::engine::general_purpose::STANDARD
                    .decode(sign)
                    .map_err(|_| invalid("the RSA sign is not base64"))?;
                let candidate = Candidate { key_id: USEEPAY_KEY_ID.to_owned(), message: content };
                let step = VerifyStep { hash: Hash::Sha256, signature, candidates: vec![candidate] };
                Ok(Pending::verified(step, invalid("RSA signature does not verify"), move |_| then(fields)))
            }
        }
    }
}

/// `md5(content + "&pkey=" + key)`, lower-case hex.
fn md5_sign(content: &[u8], key: &str) -> String {
    let mut input = Zeroizing::new(Vec::with_capacity(content.len() + 6 + key.len()));
    input.extend_from_slice(content);
    input.extend_from_slice(b"&pkey=");
    input.extend_from_slice(key.as_bytes());
    hex_lower(&md5(&input))
}

/// The string to sign: every field but `sign`, values empty under `empty` (after trimming, by
/// default) left out, names sorted byte-wise, raw values joined with `&`.
pub fn string_to_sign(fields: &[(String, String)], empty: EmptyValues) -> Vec<u8> {
    canonical::build(fields.iter().map(|(k, v)| (k.as_bytes(), v.as_bytes())), &["sign"], empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_rule_matches_the_spec_vector() {
        // shared/specs/useepay.md §2.4 vector 3: `b` is whitespace only and left out.
        let client = UseePay::new(
            &serde_json::json!({"merchantNo": "1", "appId": "a", "signType": "MD5", "md5Key": "test_md5_key_123"}),
        )
        .unwrap();
        let fields = [("a", "中文"), ("b", " "), ("signType", "MD5")].map(|(k, v)| (k.to_owned(), v.to_owned()));
        assert_eq!(client.string_to_sign(&fields), "a=中文&signType=MD5".as_bytes());
        let sign = client.sign(&fields).unwrap();
        assert_eq!(sign.step(), &crate::crypto::step::Step::Nothing);
        assert_eq!(sign.finish(crate::crypto::step::Answer::Nothing).unwrap(), "3636f8dcddea4d010ba5d1dca9ca486d");
    }
}
