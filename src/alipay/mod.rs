//! Alipay Open Platform: OpenAPI v2 (gateway.do) requests, responses and notifications, certificate
//! mode, AES content encryption, OpenAPI v3, and the mini-program client parameters.

pub mod aes;
pub mod cert;
pub mod client;
pub mod notify;
pub mod request;
pub mod response;
pub mod trade;
pub mod v3;

use serde_json::Value;

use crate::crypto::rsa::{Hash, RsaSigner, RsaVerifier};
use crate::error::{Error, ErrorCode, Result};
use crate::keys::{PrivateKey, PublicKey, load_private_key, load_public_key};
use crate::limits::Limits;
use crate::options::Fields;

pub const PROVIDER: &str = "alipay";
pub const PRODUCTION_GATEWAY: &str = "https://openapi.alipay.com/gateway.do";
pub const SANDBOX_GATEWAY: &str = "https://openapi-sandbox.dl.alipaydev.com/gateway.do";

/// `sign_type`: `RSA2` (SHA256withRSA, recommended) or `RSA` (SHA1withRSA, legacy).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignType {
    Rsa2,
    Rsa,
}

impl SignType {
    pub fn parse(text: &str) -> Result<SignType> {
        match text {
            "RSA2" => Ok(SignType::Rsa2),
            "RSA" => Ok(SignType::Rsa),
            other => Err(Error::bad_input(format!("unsupported Alipay sign_type {other:?}; use RSA2 or RSA"))),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            SignType::Rsa2 => "RSA2",
            SignType::Rsa => "RSA",
        }
    }
    pub fn hash(self) -> Hash {
        match self {
            SignType::Rsa2 => Hash::Sha256,
            SignType::Rsa => Hash::Sha1,
        }
    }
}

/// One Alipay app: its keys (parsed once), gateway and modes.
pub struct Alipay {
    app_id: String,
    sign_type: SignType,
    gateway: String,
    v3_endpoint: String,
    notify_url: Option<String>,
    signer: Box<dyn RsaSigner>,
    alipay_verifier: Box<dyn RsaVerifier>,
    cert: Option<cert::CertMode>,
    content_key: Option<aes::ContentKey>,
    limits: Limits,
}

/// Shows the app and its modes, never key material.
impl std::fmt::Debug for Alipay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Alipay")
            .field("app_id", &self.app_id)
            .field("sign_type", &self.sign_type)
            .field("gateway", &self.gateway)
            .field("cert_mode", &self.cert.is_some())
            .field("content_key", &self.content_key)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// The configuration keys `Alipay::new` reads (plus `engine`, which the host reads).
const CONFIG_FIELDS: &[&str] = &[
    "appId",
    "privateKey",
    "alipayPublicKey",
    "appCert",
    "alipayCert",
    "alipayRootCert",
    "signType",
    "gateway",
    "endpoint",
    "encryptKey",
    "notifyUrl",
    "limits",
    "engine",
];

impl Alipay {
    /// Reads the configuration; `signer` / `verifier` put the keys on the chosen RSA engine.
    pub fn new(
        config: &Value,
        signer: impl FnOnce(PrivateKey) -> Result<Box<dyn RsaSigner>>,
        verifier: impl FnOnce(PublicKey) -> Result<Box<dyn RsaVerifier>>,
    ) -> Result<Alipay> {
        let f = Fields::of(config, "Alipay config")?;
        f.only(CONFIG_FIELDS)?;
        let app_id = f.required_str("appId")?.to_owned();
        let limits = Limits::from_json(f.get("limits"))?;
        let private_key =
            load_private_key(f.required_str("privateKey")?, "Alipay app private key (privateKey)", &limits)?;
        let cert_files = (f.str("appCert")?, f.str("alipayCert")?, f.str("alipayRootCert")?);
        let (alipay_key, cert) = match (f.str("alipayPublicKey")?, cert_files) {
            (Some(key), (None, None, None)) => {
                (load_public_key(key, "Alipay public key (alipayPublicKey)", &limits)?, None)
            }
            (None, (Some(app), Some(alipay), Some(root))) => {
                let mode = cert::CertMode::load(app, alipay, root, &limits)?;
                (mode.alipay_public_key.clone(), Some(mode))
            }
            (Some(_), _) => {
                return Err(Error::bad_input(
                    "Alipay config: give either alipayPublicKey (public-key mode) or appCert + alipayCert + alipayRootCert (certificate mode), not both",
                ));
            }
            (None, _) => {
                return Err(Error::bad_input(
                    "Alipay config: alipayPublicKey is required (or, in certificate mode, all of appCert, alipayCert and alipayRootCert)",
                ));
            }
        };
        if alipay_key == private_key.public_key() {
            return Err(Error::new(
                ErrorCode::KeyMismatch,
                "Alipay config: the Alipay public key is your app's own public key; use the Alipay public key (支付宝公钥) from the console",
            ));
        }
        let sign_type = f.str("signType")?.map_or(Ok(SignType::Rsa2), SignType::parse)?;
        let gateway = match f.str("gateway")? {
            None | Some("production") => PRODUCTION_GATEWAY.to_owned(),
            Some("sandbox") => SANDBOX_GATEWAY.to_owned(),
            Some(url) => checked_url(url, "gateway")?.to_owned(),
        };
        let v3_endpoint = match f.str("endpoint")? {
            Some(url) => checked_url(url, "endpoint")?.trim_end_matches('/').to_owned(),
            None => gateway.strip_suffix("/gateway.do").unwrap_or(&gateway).to_owned(),
        };
        let content_key = f.str("encryptKey")?.map(aes::ContentKey::from_base64).transpose()?;
        Ok(Alipay {
            app_id,
            sign_type,
            gateway,
            v3_endpoint,
            notify_url: f.str("notifyUrl")?.map(str::to_owned),
            signer: signer(private_key)?,
            alipay_verifier: verifier(alipay_key)?,
            cert,
            content_key,
            limits,
        })
    }

    /// The input limits this client applies (`limits` in its configuration).
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn app_id(&self) -> &str {
        &self.app_id
    }
    pub fn sign_type(&self) -> SignType {
        self.sign_type
    }
    pub fn gateway(&self) -> &str {
        &self.gateway
    }
    pub fn cert_mode(&self) -> Option<&cert::CertMode> {
        self.cert.as_ref()
    }

    /// In certificate mode, the Alipay certificate SN a response names must be the configured one;
    /// another one means Alipay has rotated its certificate.
    fn check_alipay_cert_sn(&self, received: Option<&str>) -> Result<()> {
        match (&self.cert, received) {
            (Some(cert), Some(sn)) if sn != cert.alipay_cert_sn => Err(Error::new(
                ErrorCode::CertSnMismatch,
                format!(
                    "the response is signed with Alipay certificate {sn}, but {} is configured: Alipay has rotated its certificate; download it (alipay.open.app.alipaycert.download), check it chains to the root, and configure it",
                    cert.alipay_cert_sn
                ),
            )
            .with_provider(PROVIDER)),
            _ => Ok(()),
        }
    }

    fn verify_alipay(&self, hash: Hash, content: &[u8], signature: &[u8]) -> Result<()> {
        self.alipay_verifier.verify(hash, content, signature)
    }
}

fn checked_url<'a>(url: &'a str, field: &str) -> Result<&'a str> {
    if (url.starts_with("https://") || url.starts_with("http://")) && !url.contains('?') && !url.contains('#') {
        Ok(url)
    } else {
        Err(Error::bad_input(format!(
            "Alipay config: {field} must be an http(s) URL without query string (or 'production' / 'sandbox')"
        )))
    }
}

/// An `AggpayError` concerning Alipay that carries Alipay's own codes.
pub(crate) fn provider_error(code: ErrorCode, message: String, node: Option<&Value>) -> Error {
    let text = |k: &str| node.and_then(|n| n.get(k)).and_then(Value::as_str).map(str::to_owned);
    let error = Error::new(code, message).with_provider(PROVIDER);
    match node {
        Some(_) => error.with_detail(crate::error::ProviderDetail {
            code: text("code"),
            message: text("msg"),
            sub_code: text("sub_code"),
            sub_message: text("sub_msg"),
        }),
        None => error,
    }
}
