//! UseePay V1 gateway (form + sign), for the WeChat Pay HK wallet and the other wallets on the same
//! envelope. One `POST /api`; the operation is the `transactionType` field.

pub mod client;
pub mod notify;
pub mod request;
pub mod response;
pub mod result;

use serde_json::Value;
use zeroize::Zeroizing;

use crate::codec::canonical::{self, EmptyValues};
use crate::crypto::digest::{constant_time_eq, hex_lower, md5};
use crate::crypto::rsa::{Hash, RsaSigner, RsaVerifier};
use crate::error::{Error, Result};
use crate::keys::{PrivateKey, PublicKey, load_private_key, load_public_key};
use crate::limits::Limits;
use crate::options::Fields;

pub const PROVIDER: &str = "useepay";
pub const PRODUCTION_GATEWAY: &str = "https://pay-gateway.useepay.com";
pub const SANDBOX_GATEWAY: &str = "https://pay-gateway1.uat.useepay.com";

/// How requests are signed and responses verified: `MD5` with the portal's MD5 key, or `RSA`
/// (SHA256withRSA) with the merchant key pair and UseePay's public key.
enum Scheme {
    Md5(Md5Key),
    Rsa { signer: Box<dyn RsaSigner>, useepay: Box<dyn RsaVerifier> },
}

/// The MD5 key (配置中心 → 密钥管理). Its `Debug` never shows it.
struct Md5Key(Zeroizing<String>);

impl std::fmt::Debug for Md5Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Md5Key(..)")
    }
}

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

const CONFIG_FIELDS: &[&str] = &[
    "merchantNo",
    "appId",
    "signType",
    "md5Key",
    "privateKey",
    "useepayPublicKey",
    "gateway",
    "notifyUrl",
    "emptyValues",
    "limits",
    "engine",
];

impl UseePay {
    pub fn new(
        config: &Value,
        signer: impl FnOnce(PrivateKey) -> Result<Box<dyn RsaSigner>>,
        verifier: impl FnOnce(PublicKey) -> Result<Box<dyn RsaVerifier>>,
    ) -> Result<UseePay> {
        let f = Fields::of(config, "UseePay config")?;
        f.only(CONFIG_FIELDS)?;
        let limits = Limits::from_json(f.get("limits"))?;
        let scheme = match f.required_str("signType")? {
            "MD5" => {
                if f.str("privateKey")?.is_some() || f.str("useepayPublicKey")?.is_some() {
                    return Err(Error::bad_input("UseePay config: signType MD5 takes md5Key, not RSA keys"));
                }
                Scheme::Md5(Md5Key(Zeroizing::new(f.required_str("md5Key")?.to_owned())))
            }
            "RSA" => {
                if f.str("md5Key")?.is_some() {
                    return Err(Error::bad_input(
                        "UseePay config: signType RSA takes privateKey and useepayPublicKey, not md5Key",
                    ));
                }
                let private = load_private_key(
                    f.required_str("privateKey")?,
                    "UseePay merchant private key (privateKey)",
                    &limits,
                )?;
                let public = load_public_key(
                    f.required_str("useepayPublicKey")?,
                    "UseePay public key (useepayPublicKey)",
                    &limits,
                )?;
                if public == private.public_key() {
                    return Err(Error::new(
                        crate::ErrorCode::KeyMismatch,
                        "UseePay config: useepayPublicKey is your own public key; use the UseePay RSA public key from the portal",
                    ));
                }
                Scheme::Rsa { signer: signer(private)?, useepay: verifier(public)? }
            }
            other => {
                return Err(Error::bad_input(format!("UseePay config: signType must be MD5 or RSA, not {other:?}")));
            }
        };
        let gateway = match f.str("gateway")? {
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
        let empty_values = match f.str("emptyValues")? {
            None | Some("trim") => EmptyValues::DropBlank,
            Some("exact") => EmptyValues::Drop,
            Some(_) => return Err(Error::bad_input("UseePay config: emptyValues must be 'trim' or 'exact'")),
        };
        Ok(UseePay {
            merchant_no: f.required_str("merchantNo")?.to_owned(),
            app_id: f.required_str("appId")?.to_owned(),
            gateway,
            notify_url: f.str("notifyUrl")?.map(str::to_owned),
            empty_values,
            scheme,
            limits,
        })
    }

    /// The input limits this client applies (`limits` in its configuration).
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn sign_type(&self) -> &'static str {
        match self.scheme {
            Scheme::Md5(_) => "MD5",
            Scheme::Rsa { .. } => "RSA",
        }
    }

    pub fn merchant_no(&self) -> &str {
        &self.merchant_no
    }

    /// The string to sign: every field but `sign`, values empty (after trimming, by default) left
    /// out, names sorted byte-wise, raw values joined with `&`.
    fn string_to_sign(&self, fields: &[(String, String)]) -> Vec<u8> {
        canonical::build(fields.iter().map(|(k, v)| (k.as_bytes(), v.as_bytes())), &["sign"], self.empty_values)
    }

    /// The `sign` value for these fields (any set; `sign` itself is left out).
    pub fn sign(&self, fields: &[(String, String)]) -> Result<String> {
        let content = self.string_to_sign(fields);
        match &self.scheme {
            Scheme::Md5(key) => Ok(md5_sign(&content, &key.0)),
            Scheme::Rsa { signer, .. } => {
                use base64::Engine;
                Ok(base64::engine::general_purpose::STANDARD.encode(signer.sign(Hash::Sha256, &content)?))
            }
        }
    }

    /// Verifies `fields` (everything received, `sign` included) with the configured scheme; the
    /// message's own `signType` must name that scheme.
    fn verify(&self, fields: &[(String, String)]) -> Result<()> {
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
            Some(t) => return Err(invalid(&format!("unknown signType {t:?}"))),
        }
        let content = self.string_to_sign(fields);
        match &self.scheme {
            Scheme::Md5(key) => {
                if constant_time_eq(md5_sign(&content, &key.0).as_bytes(), sign.to_ascii_lowercase().as_bytes()) {
                    Ok(())
                } else {
                    Err(invalid("MD5 signature does not match"))
                }
            }
            Scheme::Rsa { useepay, .. } => {
                use base64::Engine;
                let signature = base64::engine::general_purpose::STANDARD
                    .decode(sign)
                    .map_err(|_| invalid("the RSA sign is not base64"))?;
                useepay.verify(Hash::Sha256, &content, &signature).map_err(|e| e.with_provider(PROVIDER))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_rule_matches_the_spec_vector() {
        // shared/specs/useepay.md §2.4 vector 3: `b` is whitespace only and left out.
        let client = UseePay::new(
            &serde_json::json!({"merchantNo": "1", "appId": "a", "signType": "MD5", "md5Key": "test_md5_key_123"}),
            |_| unreachable!(),
            |_| unreachable!(),
        )
        .unwrap();
        let fields = [("a", "中文"), ("b", " "), ("signType", "MD5")].map(|(k, v)| (k.to_owned(), v.to_owned()));
        assert_eq!(client.string_to_sign(&fields), "a=中文&signType=MD5".as_bytes());
        assert_eq!(client.sign(&fields).unwrap(), "3636f8dcddea4d010ba5d1dca9ca486d");
    }
}
