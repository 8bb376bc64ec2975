//! WeChat Pay APIv3 (direct merchants and service providers, mainland and cross-border): signed
//! requests, responses and notifications verified over their raw bytes, notification resources
//! decrypted, client payment parameters, and platform certificates.
//!
//! A client holds only the keys its operations need: the merchant private key (with its certificate
//! serial) to sign requests and payment parameters; WeChat Pay's platform certificates and/or its
//! public key (`PUB_KEY_ID_…`) — both at once during WeChat's migration — to verify; the APIv3 key
//! to decrypt notifications and certificates.

pub mod bill;
pub mod certificates;
pub mod checkout;
pub mod notify;
pub mod request;
pub mod request_payment;
pub mod response;
pub mod sensitive;
pub mod trade;

use serde_json::Value;
use zeroize::Zeroizing;

use super::PROVIDER;
use crate::error::{Error, ErrorCode, ProviderDetail, Result};
use crate::keys::{KeyRing, load_certificate_chain, load_private_key, load_public_key};
use crate::limits::{Limits, LimitsConfig};
use crate::options::{OneOrMore, given, read, required, texts};

/// The id of the merchant's private key in a WeChat Pay client's key ring. WeChat Pay's keys are
/// under their own ids: each platform certificate under its serial (upper-case hex), the public key
/// under its `PUB_KEY_ID_…`.
pub const MERCHANT_KEY_ID: &str = "merchant";
/// The prefix of every WeChat Pay public key id.
pub const PUBLIC_KEY_ID_PREFIX: &str = "PUB_KEY_ID_";
/// The mainland API host (`api2.mch.weixin.qq.com` is its backup, in another region).
pub const MAINLAND_BASE_URL: &str = "https://api.mch.weixin.qq.com";
/// The cross-border (WeChat Pay Global) API host.
pub const GLOBAL_BASE_URL: &str = "https://apihk.mch.weixin.qq.com";
/// The `User-Agent` requests carry unless the configuration names another: WeChat Pay refuses
/// requests without one.
pub const DEFAULT_USER_AGENT: &str = concat!("aggpay/", env!("CARGO_PKG_VERSION"));

/// The API family a client talks to: it sets the default host, where the certificates are, and the
/// padding of encrypted fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Api {
    /// Mainland APIv3 (`/v3/…` on `api.mch.weixin.qq.com`).
    Mainland,
    /// WeChat Pay Global, cross-border APIv3 (`/v3/global/…` on `apihk.mch.weixin.qq.com`);
    /// encrypted fields use RSA PKCS#1 v1.5 instead of OAEP.
    Global,
    /// The Hong Kong multi-wallet APIv3 (`/hk/v3/…` on `api.mch.weixin.qq.com`).
    HongKong,
}

impl Api {
    /// `"mainland"`, `"global"` or `"hk"`.
    pub fn parse(text: &str) -> Result<Api> {
        match text {
            "mainland" => Ok(Api::Mainland),
            "global" => Ok(Api::Global),
            "hk" => Ok(Api::HongKong),
            _ => Err(Error::bad_input("WeChat Pay config.api must be 'mainland', 'global' or 'hk'")),
        }
    }

    /// `"mainland"`, `"global"` or `"hk"`, as configured.
    pub const fn as_str(self) -> &'static str {
        match self {
            Api::Mainland => "mainland",
            Api::Global => "global",
            Api::HongKong => "hk",
        }
    }

    /// The host requests go to unless the configuration names another (`baseUrl`).
    pub const fn default_base_url(self) -> &'static str {
        match self {
            Api::Mainland | Api::HongKong => MAINLAND_BASE_URL,
            Api::Global => GLOBAL_BASE_URL,
        }
    }

    /// The path of the platform certificate download.
    pub const fn certificates_path(self) -> &'static str {
        match self {
            Api::Mainland => "/v3/certificates",
            Api::Global => "/v3/global/certificates",
            Api::HongKong => "/hk/v3/certificates",
        }
    }
}

/// The APIv3 key (32 bytes, the AES-256-GCM key of notifications and certificates). Its `Debug`
/// never shows it, and it is wiped from memory when dropped.
pub(crate) struct ApiV3Key(Zeroizing<Vec<u8>>);

impl ApiV3Key {
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for ApiV3Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiV3Key(..)")
    }
}

/// One WeChat Pay merchant (or service provider): its keys (parsed once), host and modes.
pub struct WechatPay {
    mchid: String,
    merchant_serial_no: Option<String>,
    api_v3_key: Option<ApiV3Key>,
    public_key_id: Option<String>,
    app_id: Option<String>,
    notify_url: Option<String>,
    partner: bool,
    api: Api,
    base_url: String,
    user_agent: String,
    keys: KeyRing,
    limits: Limits,
}

/// Shows the merchant and its modes, never key material or the APIv3 key.
impl std::fmt::Debug for WechatPay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WechatPay")
            .field("mchid", &self.mchid)
            .field("merchant_serial_no", &self.merchant_serial_no)
            .field("api_v3_key", &self.api_v3_key)
            .field("public_key_id", &self.public_key_id)
            .field("partner", &self.partner)
            .field("api", &self.api)
            .field("base_url", &self.base_url)
            .field("keys", &self.keys)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// The configuration `WechatPay::new` reads (strings borrowed from the JSON value, never copied).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Config<'a> {
    mchid: Option<&'a str>,
    merchant_serial_no: Option<&'a str>,
    private_key: Option<&'a str>,
    api_v3_key: Option<&'a str>,
    #[serde(borrow)]
    platform_certificates: Option<OneOrMore<'a>>,
    wechatpay_public_key: Option<&'a str>,
    wechatpay_public_key_id: Option<&'a str>,
    app_id: Option<&'a str>,
    notify_url: Option<&'a str>,
    partner: Option<bool>,
    api: Option<&'a str>,
    base_url: Option<&'a str>,
    user_agent: Option<&'a str>,
    limits: Option<LimitsConfig>,
}

impl WechatPay {
    /// Reads the configuration and loads its keys: `mchid` (the service provider's in partner mode);
    /// `privateKey` with `merchantSerialNo` to sign; `platformCertificates` (one or a list) and/or
    /// `wechatpayPublicKey` with `wechatpayPublicKeyId` to verify; `apiV3Key` to decrypt. Optional:
    /// `appId` (the default `appid` of orders and payment parameters), `notifyUrl`, `partner`
    /// (service-provider mode), `api` (`mainland`, `global`, `hk`), `baseUrl` (another host, such as
    /// the backup `https://api2.mch.weixin.qq.com`), `userAgent`, `limits`.
    pub fn new(config: &Value) -> Result<WechatPay> {
        let c: Config = read(config, "WeChat Pay config")?;
        let limits = Limits::from_config(c.limits)?;
        let mchid = token(required(c.mchid, "WeChat Pay config.mchid")?, "WeChat Pay config.mchid", 32)?.to_owned();
        let mut keys = KeyRing::new();
        let merchant_serial_no = match (given(c.private_key), given(c.merchant_serial_no)) {
            (Some(text), Some(serial)) => {
                keys.set_private(
                    MERCHANT_KEY_ID,
                    load_private_key(text, "WeChat Pay merchant private key (privateKey)", &limits)?,
                );
                Some(hex_serial(serial, "WeChat Pay config.merchantSerialNo")?.to_owned())
            }
            (Some(_), None) => {
                return Err(Error::bad_input(
                    "WeChat Pay config: privateKey signs with the serial number of its merchant API certificate; give merchantSerialNo",
                ));
            }
            (None, Some(_)) => {
                return Err(Error::bad_input("WeChat Pay config: merchantSerialNo goes with privateKey"));
            }
            (None, None) => None,
        };
        for text in texts(c.platform_certificates, "WeChat Pay config.platformCertificates")? {
            let role = "WeChat Pay platform certificate (platformCertificates)";
            for cert in load_certificate_chain(text, role)? {
                keys.add_public(cert.serial_hex(), cert.public_key(role, &limits)?);
            }
        }
        let public_key_id = match (given(c.wechatpay_public_key), given(c.wechatpay_public_key_id)) {
            (Some(text), Some(id)) => {
                let id = public_key_id(id)?;
                keys.add_public(id, load_public_key(text, "WeChat Pay public key (wechatpayPublicKey)", &limits)?);
                Some(id.to_owned())
            }
            (None, None) => None,
            _ => {
                return Err(Error::bad_input(
                    "WeChat Pay config: wechatpayPublicKey and wechatpayPublicKeyId (PUB_KEY_ID_…, shown beside it in the merchant platform) go together",
                ));
            }
        };
        if keys.private_key().is_none() && !keys.has_public() {
            return Err(Error::bad_input(
                "WeChat Pay config: give privateKey (to sign), platformCertificates or wechatpayPublicKey (to verify), or both",
            ));
        }
        if let Some(private) = keys.private_key() {
            let own = private.public_key();
            if keys.public_ids().any(|id| keys.public_key(id) == Some(&own)) {
                return Err(Error::new(
                    ErrorCode::KeyMismatch,
                    "WeChat Pay config: a WeChat Pay key is your merchant key's own; configure WeChat Pay's platform certificate or public key, not your merchant certificate",
                ));
            }
        }
        let api_v3_key = match given(c.api_v3_key) {
            Some(key) if key.len() == 32 => Some(ApiV3Key(Zeroizing::new(key.as_bytes().to_vec()))),
            Some(_) => {
                return Err(Error::bad_input(
                    "WeChat Pay config.apiV3Key must be the 32-character APIv3 key (the AES-256 key of AEAD_AES_256_GCM)",
                ));
            }
            None => None,
        };
        let api = given(c.api).map_or(Ok(Api::Mainland), Api::parse)?;
        let base_url = match given(c.base_url) {
            None => api.default_base_url().to_owned(),
            Some(url) => origin(url)?.to_owned(),
        };
        let user_agent = given(c.user_agent).unwrap_or(DEFAULT_USER_AGENT);
        if !user_agent.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            return Err(Error::bad_input("WeChat Pay config.userAgent must be printable ASCII"));
        }
        let app_id = given(c.app_id).map(|id| token(id, "WeChat Pay config.appId", 32)).transpose()?;
        Ok(WechatPay {
            mchid,
            merchant_serial_no,
            api_v3_key,
            public_key_id,
            app_id: app_id.map(str::to_owned),
            notify_url: given(c.notify_url).map(str::to_owned),
            partner: c.partner.unwrap_or(false),
            api,
            base_url,
            user_agent: user_agent.to_owned(),
            keys,
            limits,
        })
    }

    /// The input limits this client applies (`limits` in its configuration).
    pub fn limits(&self) -> &Limits {
        &self.limits
    }
    /// The merchant id requests are signed as (`mchid`; the service provider's in partner mode).
    pub fn mchid(&self) -> &str {
        &self.mchid
    }
    /// The API family.
    pub fn api(&self) -> Api {
        self.api
    }
    /// The host requests go to, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
    /// Whether the client is a service provider's (服务商): orders name a `sub_mchid`.
    pub fn partner(&self) -> bool {
        self.partner
    }
    /// The WeChat Pay public key id (`PUB_KEY_ID_…`), when the public key is configured.
    pub fn public_key_id(&self) -> Option<&str> {
        self.public_key_id.as_deref()
    }
    /// This client's keys; as an [`Engine`](crate::crypto::step::Engine) it answers steps in-core.
    pub fn keys(&self) -> &KeyRing {
        &self.keys
    }
    /// Whether the client holds the APIv3 key (to decrypt notifications and certificates).
    pub fn has_api_v3_key(&self) -> bool {
        self.api_v3_key.is_some()
    }

    /// Adds platform certificates to the key ring, each under its serial: `certificates` is a PEM
    /// text (one certificate or a chain), or a list of them or of `{ pem }` objects (what
    /// [`verify_certificate_reply`](Self::verify_certificate_reply) returns, kept by the merchant).
    /// A certificate already in the ring is left as it is; one whose serial is in the ring with
    /// another key, or whose key is the merchant's own, is `ERR_KEY_MISMATCH` and nothing is added.
    /// Returns the serials, in order.
    pub fn add_platform_certificate_pems(&mut self, certificates: &Value) -> Result<Vec<String>> {
        let what = "WeChat Pay platform certificates";
        let texts: Vec<&str> = match certificates {
            Value::String(text) => vec![text.as_str()],
            Value::Array(items) if !items.is_empty() => items
                .iter()
                .map(|item| item.as_str().or_else(|| item.get("pem").and_then(Value::as_str)))
                .collect::<Option<_>>()
                .ok_or_else(|| Error::bad_input(format!("{what}: each must be a PEM text or {{ pem }}")))?,
            _ => return Err(Error::bad_input(format!("{what} must be a PEM text or a non-empty list of them"))),
        };
        let role = "WeChat Pay platform certificate (addPlatformCertificates)";
        let own = self.keys.private_key().map(|k| k.public_key());
        let mut found = Vec::new();
        for text in texts {
            for cert in load_certificate_chain(text, role)? {
                let (serial, key) = (cert.serial_hex(), cert.public_key(role, &self.limits)?);
                let known = self.keys.public_ids().find(|id| id.eq_ignore_ascii_case(&serial)).map(str::to_owned);
                let conflict = known.as_deref().and_then(|id| self.keys.public_key(id)).is_some_and(|k| *k != key);
                if conflict || own.as_ref() == Some(&key) {
                    return Err(Error::new(
                        ErrorCode::KeyMismatch,
                        format!(
                            "{role}: certificate {serial} {}",
                            if conflict {
                                "has another key than the certificate of that serial already configured"
                            } else {
                                "holds your merchant key; add WeChat Pay's platform certificates"
                            }
                        ),
                    )
                    .with_provider(PROVIDER));
                }
                found.push((known.unwrap_or(serial), key));
            }
        }
        let serials = found.iter().map(|(serial, _)| serial.clone()).collect();
        for (serial, key) in found {
            if self.keys.public_key(&serial).is_none() {
                self.keys.add_public(serial, key);
            }
        }
        Ok(serials)
    }

    /// The id of the key requests are signed with and the serial of its certificate:
    /// `ERR_VERIFY_ONLY` on a client without them.
    fn signing_key(&self) -> Result<(String, String)> {
        match (self.keys.private_id(), &self.merchant_serial_no) {
            (Some(id), Some(serial)) => Ok((id.to_owned(), serial.clone())),
            _ => Err(self.verify_only()),
        }
    }

    /// `ERR_VERIFY_ONLY`: what a client without the merchant private key cannot do.
    fn verify_only(&self) -> Error {
        Error::new(
            ErrorCode::VerifyOnly,
            "this WeChat Pay client is verify-only (no privateKey): it verifies what WeChat Pay sends but cannot sign requests or payment parameters, or decrypt fields encrypted for the merchant",
        )
        .with_provider(PROVIDER)
    }

    /// `ERR_BAD_INPUT` unless the client is on the mainland API: the typed builders cover its paths.
    fn mainland(&self, what: &str) -> Result<()> {
        match self.api {
            Api::Mainland => Ok(()),
            _ => Err(Error::bad_input(format!(
                "the typed {what} builder covers the mainland API; build {:?} requests with build_request and the documented path",
                self.api
            ))
            .with_provider(PROVIDER)),
        }
    }

    /// `ERR_NO_PROVIDER_KEY` on a client without a WeChat Pay key: every verification asks this first,
    /// whatever the message looks like.
    fn check_can_verify(&self) -> Result<()> {
        if self.keys.has_public() {
            return Ok(());
        }
        Err(Error::new(
            ErrorCode::NoProviderKey,
            "this WeChat Pay client has no platform certificate or WeChat Pay public key (platformCertificates / wechatpayPublicKey): it cannot verify",
        )
        .with_provider(PROVIDER))
    }

    /// The APIv3 key: `ERR_BAD_INPUT` on a client without one.
    fn api_v3_key(&self, what: &str) -> Result<&ApiV3Key> {
        self.api_v3_key.as_ref().ok_or_else(|| {
            Error::bad_input(format!("{what} needs the APIv3 key; give apiV3Key in the WeChat Pay config"))
                .with_provider(PROVIDER)
        })
    }
}

/// The id in `keys` of the key a message names by `Wechatpay-Serial` (a platform certificate serial,
/// compared in any case, or a `PUB_KEY_ID_…`); `ERR_CERT_SN_MISMATCH` carrying the serial when none
/// is configured.
pub(crate) fn key_for_serial(keys: &KeyRing, serial: &str) -> Result<String> {
    if let Some(id) = keys.public_ids().find(|id| id.eq_ignore_ascii_case(serial)) {
        return Ok(id.to_owned());
    }
    // The serial is echoed only when it looks like one: a header is the sender's to shape.
    let shown = match serial.len() <= 64 && serial.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        true => serial.to_owned(),
        false => "(not a serial)".to_owned(),
    };
    Err(Error::new(
        ErrorCode::CertSnMismatch,
        format!(
            "the message is signed with WeChat Pay key {shown}, which is not configured ({} are): download the platform certificates again, or configure the WeChat Pay public key — and rate-limit that refresh, since anyone can send a serial",
            keys.public_ids().collect::<Vec<_>>().join(", ")
        ),
    )
    .with_provider(PROVIDER)
    .with_detail(ProviderDetail { serial: Some(shown), ..Default::default() }))
}

/// A value sent inside a header or a URL: 1 to `max` ASCII letters, digits, `_` and `-`.
pub(crate) fn token<'a>(value: &'a str, what: &str, max: usize) -> Result<&'a str> {
    if !value.is_empty()
        && value.len() <= max
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        Ok(value)
    } else {
        Err(Error::bad_input(format!("{what} must be 1 to {max} ASCII letters, digits, _ and -")))
    }
}

/// A certificate serial number as WeChat Pay prints it: hexadecimal digits.
fn hex_serial<'a>(serial: &'a str, what: &str) -> Result<&'a str> {
    if !serial.is_empty() && serial.len() <= 64 && serial.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(serial)
    } else {
        Err(Error::bad_input(format!(
            "{what} must be the certificate serial number in hexadecimal (as the merchant platform shows it)"
        )))
    }
}

fn public_key_id(id: &str) -> Result<&str> {
    let what = "WeChat Pay config.wechatpayPublicKeyId";
    match id.strip_prefix(PUBLIC_KEY_ID_PREFIX) {
        Some(rest) if !rest.is_empty() => token(id, what, 64),
        _ => Err(Error::bad_input(format!("{what} must be the id shown beside the public key: PUB_KEY_ID_…"))),
    }
}

/// `baseUrl`: an http(s) origin — no path, query or fragment, since the signature covers the path
/// as sent and a prefix here would not be in it.
fn origin(url: &str) -> Result<&str> {
    let url = url.trim_end_matches('/');
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && host.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b)) => {
            Ok(url)
        }
        _ => Err(Error::bad_input(
            "WeChat Pay config.baseUrl must be an http(s) origin without a path (e.g. https://api2.mch.weixin.qq.com)",
        )),
    }
}
