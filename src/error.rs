//! One error type for the whole core. Each error has a stable `code` (`ERR_…`) that the JS layer
//! exposes as `AggpayError.code`; messages are written for humans and never carry key material.

use std::fmt;

/// The stable error codes. Adding a variant is fine; renaming a code string is a breaking change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// A key could not be loaded, or is of the wrong kind for its role.
    KeyInvalid,
    /// Valid keys that do not belong together, or a key used in another's role (your app's public
    /// key configured as the provider's).
    KeyMismatch,
    /// A certificate (or certificate chain) could not be parsed or does not fit its role.
    CertInvalid,
    /// A signature did not verify, or was missing where one is required.
    SignatureInvalid,
    /// Input that cannot be used as given (bad encoding, missing field, malformed JSON, …).
    BadInput,
    /// Decryption failed: wrong key, bad padding, failed authentication tag.
    DecryptFailed,
    /// The RSA engine chosen is not available here, or the host engine failed.
    Engine,
    /// A provider response or notification is not in the shape the provider documents
    /// (truncated JSON, missing or repeated response node, …).
    ResponseMalformed,
    /// The provider answered with a signed, verified business failure (Alipay `code` ≠ `10000`, …).
    ProviderBusiness,
    /// The provider's gateway refused the request with an unsigned error (bad signature, bad app id, …).
    ProviderRejected,
    /// A response or notification names a key that is not configured, by certificate serial number
    /// (Alipay `alipay_cert_sn`, WeChat Pay `Wechatpay-Serial`) or by public key id (WeChat Pay
    /// `PUB_KEY_ID_…`): the provider has rotated its certificate or moved to its public key, or the
    /// wrong one is configured. The serial is in the message and in [`ProviderDetail::serial`].
    CertSnMismatch,
    /// The bytes are not in the charset they declare (a GBK body declared as UTF-8, …).
    Charset,
    /// WeChat login: the `js_code` is invalid or expired (errcode 40029).
    LoginCodeInvalid,
    /// WeChat login: the `js_code` was already used (errcode 40163).
    LoginCodeUsed,
    /// The provider is rate-limiting these calls (WeChat errcode 45011).
    RateLimited,
    /// The provider is busy; retry later (WeChat errcode -1).
    ProviderBusy,
    /// WeChat blocked a high-risk user (errcode 40226).
    UserHighRisk,
    /// Decrypted user data carries another app's watermark.
    WatermarkMismatch,
    /// An input is larger than the client's `limits.maxInputBytes`; refused before it is copied.
    InputTooLarge,
    /// A message carries more fields than the client's `limits.maxFields`.
    TooManyFields,
    /// JSON nests deeper than the client's `limits.maxDepth`.
    TooDeep,
    /// An RSA key's size is outside the size policy (1024–4096 bits, or the client's `limits`).
    KeySize,
    /// A build method was called on a verify-only client (configured without a private key).
    VerifyOnly,
    /// A verification was asked of a client configured without the provider's public key or
    /// certificate.
    NoProviderKey,
    /// A signed message's timestamp is 5 minutes or more away from the `now` given (WeChat Pay
    /// `Wechatpay-Timestamp`): a replay, or a clock that is off.
    ClockSkew,
    /// A WeChat Pay probe signature (`WECHATPAY/SIGNTEST/…`): WeChat checks that merchants verify by
    /// sending deliberately wrong signatures. Refused like any bad signature; its own code so that
    /// logs can tell probes from forgeries or bugs.
    SignatureProbe,
    /// An OAuth `state` that aggpay did not issue with this secret: malformed, altered, signed with
    /// another secret, or issued for another wallet or binding. A forged or tampered redirect.
    StateInvalid,
    /// An OAuth `state` that aggpay issued, but longer ago than the router's `stateTtlSeconds` (or
    /// dated in the future beyond a minute): start the authorization again.
    StateExpired,
}

impl ErrorCode {
    /// The stable `ERR_…` string.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::KeyInvalid => "ERR_KEY_INVALID",
            ErrorCode::KeyMismatch => "ERR_KEY_MISMATCH",
            ErrorCode::CertInvalid => "ERR_CERT_INVALID",
            ErrorCode::SignatureInvalid => "ERR_SIGNATURE_INVALID",
            ErrorCode::BadInput => "ERR_BAD_INPUT",
            ErrorCode::DecryptFailed => "ERR_DECRYPT_FAILED",
            ErrorCode::Engine => "ERR_ENGINE",
            ErrorCode::ResponseMalformed => "ERR_RESPONSE_MALFORMED",
            ErrorCode::ProviderBusiness => "ERR_PROVIDER_BUSINESS",
            ErrorCode::ProviderRejected => "ERR_PROVIDER_REJECTED",
            ErrorCode::CertSnMismatch => "ERR_CERT_SN_MISMATCH",
            ErrorCode::Charset => "ERR_CHARSET",
            ErrorCode::LoginCodeInvalid => "ERR_LOGIN_CODE_INVALID",
            ErrorCode::LoginCodeUsed => "ERR_LOGIN_CODE_USED",
            ErrorCode::RateLimited => "ERR_RATE_LIMITED",
            ErrorCode::ProviderBusy => "ERR_PROVIDER_BUSY",
            ErrorCode::UserHighRisk => "ERR_USER_HIGH_RISK",
            ErrorCode::WatermarkMismatch => "ERR_WATERMARK_MISMATCH",
            ErrorCode::InputTooLarge => "ERR_INPUT_TOO_LARGE",
            ErrorCode::TooManyFields => "ERR_TOO_MANY_FIELDS",
            ErrorCode::TooDeep => "ERR_TOO_DEEP",
            ErrorCode::KeySize => "ERR_KEY_SIZE",
            ErrorCode::VerifyOnly => "ERR_VERIFY_ONLY",
            ErrorCode::NoProviderKey => "ERR_NO_PROVIDER_KEY",
            ErrorCode::ClockSkew => "ERR_CLOCK_SKEW",
            ErrorCode::SignatureProbe => "ERR_SIGNATURE_PROBE",
            ErrorCode::StateInvalid => "ERR_STATE_INVALID",
            ErrorCode::StateExpired => "ERR_STATE_EXPIRED",
        }
    }
}

/// What a provider said about a failure, when it said anything (Alipay `code`/`msg`/`sub_code`/`sub_msg`,
/// WeChat `errcode`/`errmsg`, WeChat Pay `code`/`message`/`detail`, UseePay `errorCode`/`errorMsg`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProviderDetail {
    /// The provider's code (Alipay `code`, WeChat `errcode`, UseePay `errorCode`).
    pub code: Option<String>,
    /// The provider's message.
    pub message: Option<String>,
    /// Alipay `sub_code`.
    pub sub_code: Option<String>,
    /// Alipay `sub_msg`.
    pub sub_message: Option<String>,
    /// WeChat Pay: the `detail` member of an error body as received (JSON text): the field at fault
    /// (`field`, `value`, `issue`, `location`), or `sign_information`.
    pub detail: Option<String>,
    /// WeChat Pay `SIGN_ERROR`: `detail.sign_information.truncated_sign_message`, WeChat's view of
    /// the message the request signed, to compare with the one you signed.
    pub signed_message: Option<String>,
    /// The key a message named that is not configured ([`ErrorCode::CertSnMismatch`]): WeChat Pay's
    /// `Wechatpay-Serial` (a platform certificate serial or a `PUB_KEY_ID_…`), Alipay's `alipay_cert_sn`.
    pub serial: Option<String>,
}

/// An error of the core: a stable code, a message for humans (never key material), and what the
/// provider said, when it said anything.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: String,
    provider: Option<&'static str>,
    detail: Option<Box<ProviderDetail>>,
}

/// The one message of every decryption failure.
pub const DECRYPT_FAILED_MESSAGE: &str = "decryption failed (wrong key, or the data was altered)";

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// `message` must not contain secrets; callers pass fixed text or public values only.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error { code, message: message.into(), provider: None, detail: None }
    }

    /// `ERR_KEY_INVALID`.
    pub fn key_invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::KeyInvalid, message)
    }
    /// `ERR_CERT_INVALID`.
    pub fn cert_invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::CertInvalid, message)
    }
    /// `ERR_SIGNATURE_INVALID`.
    pub fn signature_invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::SignatureInvalid, message)
    }
    /// `ERR_BAD_INPUT`.
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadInput, message)
    }
    /// `ERR_DECRYPT_FAILED`, always with the same message: whoever submitted a ciphertext must not
    /// tell which step failed (length, padding, tag, or what the plaintext decodes to) — that
    /// would be a padding oracle.
    pub fn decrypt_failed() -> Self {
        Self::new(ErrorCode::DecryptFailed, DECRYPT_FAILED_MESSAGE)
    }
    /// `ERR_ENGINE`.
    pub fn engine(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Engine, message)
    }
    /// `ERR_RESPONSE_MALFORMED`.
    pub fn malformed(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ResponseMalformed, message)
    }

    /// Names the provider the error concerns (`"alipay"`, `"wechat"`, `"useepay"`).
    pub fn with_provider(mut self, provider: &'static str) -> Self {
        self.provider = Some(provider);
        self
    }

    /// The same error carrying what the provider said.
    pub fn with_detail(mut self, detail: ProviderDetail) -> Self {
        self.detail = Some(Box::new(detail));
        self
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }
    /// The message (no key material).
    pub fn message(&self) -> &str {
        &self.message
    }
    /// The provider the error concerns, when it concerns one.
    pub fn provider(&self) -> Option<&'static str> {
        self.provider
    }
    /// What the provider said, when it said anything.
    pub fn detail(&self) -> Option<&ProviderDetail> {
        self.detail.as_deref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("code", &self.code.as_str()).field("message", &self.message);
        if let Some(p) = self.provider {
            d.field("provider", &p);
        }
        if let Some(detail) = &self.detail {
            d.field("detail", detail);
        }
        d.finish()
    }
}

impl std::error::Error for Error {}
