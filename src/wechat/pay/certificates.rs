//! Platform certificates (`GET /v3/certificates`): each `encrypt_certificate` is decrypted with the
//! APIv3 key — whose tag authenticates it — and checked (its serial is the `serial_no` listed, it is
//! valid now, its key is RSA within the size policy); the reply's signature is then verified with
//! the certificate whose serial signed it, as WeChat Pay's PHP downloader does on a first download.

use super::notify::Encrypted;
use super::response::{check_received, failure, signature_step};
use super::{PROVIDER, WechatPay};
use crate::codec::json_node::check_within;
use crate::codec::time::epoch_seconds;
use crate::crypto::step::Pending;
use crate::error::{Error, Result};
use crate::keys::{KeyRing, load_certificate};

/// One decrypted platform certificate (`{ serialNo, notBefore, notAfter, pem }` as JSON).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlatformCertificate {
    /// The serial (upper-case hex): the `Wechatpay-Serial` of what it signs.
    pub serial_no: String,
    /// Start of validity, seconds since the Unix epoch.
    pub not_before: u64,
    /// End of validity, seconds since the Unix epoch.
    pub not_after: u64,
    /// The certificate as WeChat Pay sent it (PEM): to store, and to configure as `platformCertificates`.
    pub pem: String,
}

/// The certificates of a `/v3/certificates` reply, decrypted and checked.
#[derive(Clone, Debug)]
pub struct PlatformCertificates {
    /// The certificates valid now, in the order listed.
    pub certificates: Vec<PlatformCertificate>,
    /// This client's key ring with the certificates' keys added under their serials: the engine
    /// that answers [`WechatPay::verify_certificates`], and a ring ready to use.
    pub keys: KeyRing,
}

/// The download reply: `{ data: [{ serial_no, encrypt_certificate, … }] }`.
#[derive(serde::Deserialize)]
struct Download {
    data: Vec<Listed>,
}

#[derive(serde::Deserialize)]
struct Listed {
    serial_no: String,
    encrypt_certificate: Encrypted,
}

impl WechatPay {
    /// Decrypts and checks the certificates of a `/v3/certificates` reply (`status`, exact `body`).
    /// A certificate whose serial is not the one listed makes the whole reply `ERR_CERT_INVALID`;
    /// one not valid at `now_ms` is left out, and a reply with none valid is `ERR_CERT_INVALID`. A
    /// failure reply is its error, unverified (`ERR_PROVIDER_REJECTED`; `RESOURCE_NOT_EXISTS` means
    /// the merchant has only the WeChat Pay public key).
    pub fn decrypt_certificates(&self, status: u16, body: &[u8], now_ms: f64) -> Result<PlatformCertificates> {
        let key = self.api_v3_key("decrypting platform certificates")?;
        let now = epoch_seconds(now_ms)?;
        check_received(&[], body, &self.limits)?;
        if !(200..300).contains(&status) {
            return Err(failure(status, body, false, &self.limits));
        }
        let malformed = |m: &str| Error::malformed(m.to_owned()).with_provider(PROVIDER);
        let text = std::str::from_utf8(body).map_err(|_| malformed("the certificate reply is not UTF-8"))?;
        check_within(text, &self.limits).map_err(|e| e.with_provider(PROVIDER))?;
        let download: Download =
            serde_json::from_str(text).map_err(|_| malformed("the certificate reply is not { data: [...] }"))?;
        let mut keys = self.keys.clone();
        let mut certificates = Vec::new();
        for listed in &download.data {
            let pem = listed.encrypt_certificate.decrypt(key.bytes(), "encrypt_certificate")?;
            let role = "WeChat Pay platform certificate (/v3/certificates)";
            let cert = load_certificate(&pem, role)?;
            let serial_no = cert.serial_hex();
            if !serial_no.eq_ignore_ascii_case(&listed.serial_no) {
                return Err(Error::cert_invalid(format!(
                    "{role}: the certificate listed as {} has serial {serial_no}",
                    listed.serial_no.chars().filter(char::is_ascii_alphanumeric).take(64).collect::<String>()
                ))
                .with_provider(PROVIDER));
            }
            if !(cert.not_before()..cert.not_after()).contains(&now) {
                continue;
            }
            keys.add_public(serial_no.clone(), cert.public_key(role, &self.limits)?);
            certificates.push(PlatformCertificate {
                serial_no,
                not_before: cert.not_before(),
                not_after: cert.not_after(),
                pem,
            });
        }
        if certificates.is_empty() {
            return Err(Error::cert_invalid("the certificate reply holds no platform certificate valid now")
                .with_provider(PROVIDER));
        }
        Ok(PlatformCertificates { certificates, keys })
    }

    /// Asks for the `/v3/certificates` reply those certificates came from to be verified with the
    /// key its `Wechatpay-Serial` names among `downloaded.keys` (the new certificates and this
    /// client's keys): answer the step with an engine over `downloaded.keys`.
    pub fn verify_certificates(
        &self,
        downloaded: &PlatformCertificates,
        headers: &[(&str, &str)],
        body: &[u8],
        now_ms: f64,
    ) -> Result<Pending<()>> {
        check_received(headers, body, &self.limits)?;
        let step = signature_step(&downloaded.keys, headers, body, now_ms)?;
        let invalid = Error::signature_invalid("the platform certificate reply signature does not verify")
            .with_provider(PROVIDER);
        Ok(Pending::verified(step, invalid, |_| Ok(())))
    }

    /// A `/v3/certificates` reply (`status`, `headers`, exact `body`) checked end to end: its
    /// certificates decrypted and checked ([`decrypt_certificates`](Self::decrypt_certificates)),
    /// then the step that verifies the reply with the key its `Wechatpay-Serial` names. Answer the
    /// step with an engine over the returned ring — the WeChat Pay keys of this client and of the
    /// reply, no private key — and it finishes with the certificates.
    pub fn verify_certificate_reply(
        &self,
        status: u16,
        headers: &[(&str, &str)],
        body: &[u8],
        now_ms: f64,
    ) -> Result<(Pending<Vec<PlatformCertificate>>, KeyRing)> {
        check_received(headers, body, &self.limits)?;
        let downloaded = self.decrypt_certificates(status, body, now_ms)?;
        let mut keys = KeyRing::new();
        for id in downloaded.keys.public_ids() {
            if let Some(key) = downloaded.keys.public_key(id) {
                keys.add_public(id, key.clone());
            }
        }
        let certificates = downloaded.certificates.clone();
        let pending = self.verify_certificates(&downloaded, headers, body, now_ms)?.map(move |()| Ok(certificates));
        Ok((pending, keys))
    }

    /// Adds the downloaded certificates' keys to this client's key ring, under their serials.
    pub fn add_platform_certificates(&mut self, downloaded: &PlatformCertificates) {
        for cert in &downloaded.certificates {
            if let Some(key) = downloaded.keys.public_key(&cert.serial_no) {
                self.keys.add_public(cert.serial_no.clone(), key.clone());
            }
        }
    }
}
