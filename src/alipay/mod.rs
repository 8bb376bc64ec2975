//! Alipay Open Platform: OpenAPI v2 (gateway.do) requests, responses and notifications, certificate
//! mode, AES content encryption, OpenAPI v3, and the mini-program client parameters.

pub mod cert;
pub mod checkout;
pub mod encryption;
pub mod mini_program;
pub mod notify;
pub mod oauth;
pub mod request;
pub mod response;
pub mod trade;
pub mod v3;

use serde_json::Value;

use crate::crypto::rsa::Hash;
use crate::crypto::step::Candidate;
use crate::error::{Error, ErrorCode, Result};
use crate::keys::{KeyRing, load_private_key, load_public_key};
use crate::limits::{Limits, LimitsConfig};
use crate::options::{OneOrMore, given, read, required, texts};

/// The provider name errors carry (`AggpayError.provider`).
pub const PROVIDER: &str = "alipay";
/// The production OpenAPI v2 gateway.
pub const PRODUCTION_GATEWAY: &str = "https://openapi.alipay.com/gateway.do";
/// The sandbox OpenAPI v2 gateway.
pub const SANDBOX_GATEWAY: &str = "https://openapi-sandbox.dl.alipaydev.com/gateway.do";

/// `sign_type`: `RSA2` (SHA256withRSA, recommended) or `RSA` (SHA1withRSA, legacy).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignType {
    /// `RSA2`: SHA256withRSA.
    Rsa2,
    /// `RSA`: SHA1withRSA (legacy apps).
    Rsa,
}

impl SignType {
    /// `"RSA2"` or `"RSA"`, exactly.
    pub fn parse(text: &str) -> Result<SignType> {
        match text {
            "RSA2" => Ok(SignType::Rsa2),
            "RSA" => Ok(SignType::Rsa),
            _ => Err(Error::bad_input("unsupported Alipay sign_type; use RSA2 or RSA")),
        }
    }
    /// The `sign_type` value sent and expected.
    pub fn as_str(self) -> &'static str {
        match self {
            SignType::Rsa2 => "RSA2",
            SignType::Rsa => "RSA",
        }
    }
    /// The digest inside the signature.
    pub fn hash(self) -> Hash {
        match self {
            SignType::Rsa2 => Hash::Sha256,
            SignType::Rsa => Hash::Sha1,
        }
    }
}

/// The id of the app's private key in an Alipay client's key ring.
pub const APP_KEY_ID: &str = "app";
/// The id of the Alipay public key (public-key mode) in an Alipay client's key ring; in certificate
/// mode each Alipay certificate's key is under its certificate SN.
pub const ALIPAY_KEY_ID: &str = "alipay";

/// One Alipay app: its keys (parsed once), gateway and modes. A client holds only the keys its
/// operations need: the app private key to build requests, Alipay's public key or certificates to
/// verify responses and notifications.
pub struct Alipay {
    app_id: String,
    sign_type: SignType,
    gateway: String,
    v3_endpoint: String,
    notify_url: Option<String>,
    keys: KeyRing,
    cert: Option<cert::CertMode>,
    content_key: Option<encryption::ContentKey>,
    limits: Limits,
}

/// Shows the app and its modes, never key material.
impl std::fmt::Debug for Alipay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Alipay")
            .field("app_id", &self.app_id)
            .field("sign_type", &self.sign_type)
            .field("gateway", &self.gateway)
            .field("keys", &self.keys)
            .field("cert_mode", &self.cert.is_some())
            .field("content_key", &self.content_key)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// The configuration `Alipay::new` reads (strings borrowed from the JSON value, never copied: the
/// host wipes that value once the client is built).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Config<'a> {
    app_id: Option<&'a str>,
    private_key: Option<&'a str>,
    alipay_public_key: Option<&'a str>,
    app_cert: Option<&'a str>,
    #[serde(borrow)]
    alipay_cert: Option<OneOrMore<'a>>,
    alipay_root_cert: Option<&'a str>,
    sign_type: Option<&'a str>,
    gateway: Option<&'a str>,
    endpoint: Option<&'a str>,
    encrypt_key: Option<&'a str>,
    notify_url: Option<&'a str>,
    limits: Option<LimitsConfig>,
}

impl Alipay {
    /// Reads the configuration and loads its keys. `privateKey` is needed to build requests;
    /// `alipayPublicKey`, or certificate mode's `alipayCert` (one certificate file, or several while
    /// Alipay rotates its certificate), to verify. Certificate mode signs with `appCert` and
    /// `alipayRootCert` beside the private key.
    pub fn new(config: &Value) -> Result<Alipay> {
        let c: Config = read(config, "Alipay config")?;
        let app_id = required(c.app_id, "Alipay config.appId")?.to_owned();
        let limits = Limits::from_config(c.limits)?;
        let mut keys = KeyRing::new();
        if let Some(text) = given(c.private_key) {
            keys.set_private(APP_KEY_ID, load_private_key(text, "Alipay app private key (privateKey)", &limits)?);
        }
        let alipay_certs = texts(c.alipay_cert, "Alipay config.alipayCert")?;
        let (app_cert, root_cert) = (given(c.app_cert), given(c.alipay_root_cert));
        let cert_mode = app_cert.is_some() || root_cert.is_some() || !alipay_certs.is_empty();
        let cert = match (given(c.alipay_public_key), cert_mode) {
            (Some(_), true) => {
                return Err(Error::bad_input(
                    "Alipay config: give either alipayPublicKey (public-key mode) or appCert + alipayCert + alipayRootCert (certificate mode), not both",
                ));
            }
            (Some(key), false) => {
                keys.add_public(ALIPAY_KEY_ID, load_public_key(key, "Alipay public key (alipayPublicKey)", &limits)?);
                None
            }
            (None, true) => {
                let signing = keys.private_key().is_some();
                if signing && (app_cert.is_none() || root_cert.is_none()) {
                    return Err(Error::bad_input(
                        "Alipay config: certificate mode signs with appCert and alipayRootCert beside privateKey; give both",
                    ));
                }
                let mut mode = cert::CertMode::load(app_cert, root_cert)?;
                for text in alipay_certs {
                    let leaf = cert::alipay_leaf(text)?;
                    keys.add_public(cert::cert_sn(&leaf), leaf.public_key("Alipay certificate", &limits)?);
                    mode.add_alipay_subject(leaf.subject());
                }
                Some(mode)
            }
            (None, false) => None,
        };
        if keys.private_key().is_none() && !keys.has_public() {
            return Err(Error::bad_input(
                "Alipay config: give privateKey (to build requests), alipayPublicKey or alipayCert (to verify), or both",
            ));
        }
        if let Some(private) = keys.private_key() {
            let own = private.public_key();
            if keys.public_ids().any(|id| keys.public_key(id) == Some(&own)) {
                return Err(Error::new(
                    ErrorCode::KeyMismatch,
                    "Alipay config: the Alipay public key is your app's own public key; use the Alipay public key (支付宝公钥) from the console",
                ));
            }
        }
        let sign_type = given(c.sign_type).map_or(Ok(SignType::Rsa2), SignType::parse)?;
        let gateway = match given(c.gateway) {
            None | Some("production") => PRODUCTION_GATEWAY.to_owned(),
            Some("sandbox") => SANDBOX_GATEWAY.to_owned(),
            Some(url) => checked_url(url, "gateway")?.to_owned(),
        };
        let v3_endpoint = match given(c.endpoint) {
            Some(url) => checked_url(url, "endpoint")?.trim_end_matches('/').to_owned(),
            None => gateway.strip_suffix("/gateway.do").unwrap_or(&gateway).to_owned(),
        };
        let content_key = given(c.encrypt_key).map(encryption::ContentKey::from_base64).transpose()?;
        Ok(Alipay {
            app_id,
            sign_type,
            gateway,
            v3_endpoint,
            notify_url: given(c.notify_url).map(str::to_owned),
            keys,
            cert,
            content_key,
            limits,
        })
    }

    /// The input limits this client applies (`limits` in its configuration).
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The app id (`app_id`).
    pub fn app_id(&self) -> &str {
        &self.app_id
    }
    /// The configured `sign_type`.
    pub fn sign_type(&self) -> SignType {
        self.sign_type
    }
    /// The v2 gateway URL requests go to.
    pub fn gateway(&self) -> &str {
        &self.gateway
    }
    /// Certificate mode's serial numbers, when the client is in certificate mode.
    pub fn cert_mode(&self) -> Option<&cert::CertMode> {
        self.cert.as_ref()
    }

    /// This client's keys; as an [`Engine`](crate::crypto::step::Engine) it answers steps in-core.
    pub fn keys(&self) -> &KeyRing {
        &self.keys
    }

    /// The id of the key requests are signed with: `ERR_VERIFY_ONLY` on a client without one.
    fn signing_key(&self) -> Result<String> {
        self.keys.private_id().map(str::to_owned).ok_or_else(|| {
            Error::new(
                ErrorCode::VerifyOnly,
                "this Alipay client is verify-only (no privateKey): it verifies what Alipay sends but cannot build signed requests",
            )
            .with_provider(PROVIDER)
        })
    }

    /// `ERR_NO_PROVIDER_KEY` on a client without an Alipay key: every verification asks this first,
    /// whatever the message looks like.
    fn check_can_verify(&self) -> Result<()> {
        if self.keys.has_public() {
            return Ok(());
        }
        Err(Error::new(
            ErrorCode::NoProviderKey,
            "this Alipay client has no Alipay public key or certificate (alipayPublicKey / alipayCert): it cannot verify",
        )
        .with_provider(PROVIDER))
    }

    /// The candidates a message from Alipay may be signed as ([`candidates`]).
    fn candidates(&self, named_sn: Option<&str>, messages: &[Vec<u8>]) -> Result<Vec<Candidate>> {
        candidates(&self.keys, self.cert.is_some(), named_sn, messages)
    }
}

/// The candidates a message from Alipay may be signed as: each message with the key the message
/// names by certificate SN (certificate mode), else with every Alipay key of `keys`. An SN not in
/// `keys` means Alipay has rotated its certificate.
pub(crate) fn candidates(
    keys: &KeyRing,
    cert_mode: bool,
    named_sn: Option<&str>,
    messages: &[Vec<u8>],
) -> Result<Vec<Candidate>> {
    let ids: Vec<&str> = match named_sn.filter(|_| cert_mode) {
        Some(sn) if keys.public_key(sn).is_some() => vec![sn],
        Some(sn) => {
            return Err(Error::new(
                ErrorCode::CertSnMismatch,
                format!(
                    "the message is signed with Alipay certificate {sn}, but {} is configured: Alipay has rotated its certificate; download it (alipay.open.app.alipaycert.download), check it and add it to the key ring (addAlipayCertFromDownload)",
                    keys.public_ids().collect::<Vec<_>>().join(", ")
                ),
            )
            .with_provider(PROVIDER)
            .with_detail(crate::error::ProviderDetail { serial: Some(sn.to_owned()), ..Default::default() }));
        }
        None => keys.public_ids().collect(),
    };
    Ok(messages
        .iter()
        .flat_map(|message| ids.iter().map(|id| Candidate { key_id: (*id).to_owned(), message: message.clone() }))
        .collect())
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
            ..Default::default()
        }),
        None => error,
    }
}
