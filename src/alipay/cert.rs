//! Public-key certificate mode (公钥证书模式): certificate serial numbers, the Alipay key taken
//! from its certificate, and the rotation step: a certificate downloaded with
//! `alipay.open.app.alipaycert.download`, checked against the configured root certificates, added to
//! the client's key ring.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::response::{Node, locate};
use super::trade::CERT_DOWNLOAD;
use super::{Alipay, PROVIDER, candidates};
use crate::crypto::digest::{hex_lower, md5};
use crate::crypto::step::{Engine as _, VerifyStep};
use crate::error::{Error, ErrorCode, Result};
use crate::keys::chain::verify_path;
use crate::keys::{Certificate, PublicKey, load_certificate_chain};
use crate::limits::Limits;

/// `lower_hex(MD5(issuer DN in RFC 2253 form + decimal serial))`, as every Alipay SDK computes it.
pub fn cert_sn(cert: &Certificate) -> String {
    hex_lower(&md5(format!("{}{}", cert.issuer(), cert.serial_decimal()).as_bytes()))
}

/// The SNs of the RSA-signed certificates of the root file, in file order, joined with `_`
/// (SM2 and EC roots are left out, as Alipay's SDKs do).
pub fn root_cert_sn(roots: &[Certificate]) -> Result<String> {
    let sns: Vec<String> =
        roots.iter().filter(|c| c.signature_algorithm().starts_with("1.2.840.113549.1.1.")).map(cert_sn).collect();
    if sns.is_empty() {
        return Err(Error::cert_invalid("Alipay root certificate: no RSA-signed root certificate in the file"));
    }
    Ok(sns.join("_"))
}

/// The serial numbers certificate mode sends with requests, computed once when the client is
/// created (a verify-only client has neither), and what a downloaded certificate is checked
/// against: the root certificates and the subjects of the Alipay certificates configured.
#[derive(Clone, Default)]
pub struct CertMode {
    /// `app_cert_sn`: the SN of the app's own certificate (`appCert`).
    pub app_cert_sn: Option<String>,
    /// `alipay_root_cert_sn`: the SNs of the root file (`alipayRootCert`).
    pub alipay_root_cert_sn: Option<String>,
    roots: Vec<Certificate>,
    alipay_subjects: Vec<String>,
}

/// The SNs, and how many roots and Alipay certificates are known.
impl std::fmt::Debug for CertMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertMode")
            .field("app_cert_sn", &self.app_cert_sn)
            .field("alipay_root_cert_sn", &self.alipay_root_cert_sn)
            .field("roots", &self.roots.len())
            .field("alipay_subjects", &self.alipay_subjects.len())
            .finish()
    }
}

impl CertMode {
    /// `app_cert` may be a chain (leaf first); the leaf is used.
    pub fn load(app_cert: Option<&str>, alipay_root_cert: Option<&str>) -> Result<CertMode> {
        let app_cert_sn = app_cert
            .map(|text| {
                Ok(cert_sn(&first(load_certificate_chain(text, "app certificate (appCert)")?, "app certificate")?))
            })
            .transpose()?;
        let roots = alipay_root_cert
            .map(|text| load_certificate_chain(text, "Alipay root certificate (alipayRootCert)"))
            .transpose()?
            .unwrap_or_default();
        let alipay_root_cert_sn = alipay_root_cert.map(|_| root_cert_sn(&roots)).transpose()?;
        Ok(CertMode { app_cert_sn, alipay_root_cert_sn, roots, alipay_subjects: Vec::new() })
    }

    /// Remembers the subject of a configured Alipay certificate: a downloaded one must carry one of them.
    pub(super) fn add_alipay_subject(&mut self, subject: &str) {
        if !self.alipay_subjects.iter().any(|s| s == subject) {
            self.alipay_subjects.push(subject.to_owned());
        }
    }
}

/// An Alipay certificate file (`alipayCertPublicKey_RSA2.crt`, a chain with the leaf first, as
/// Alipay's downloads are): the leaf's SN and its public key.
pub fn alipay_cert(text: &str, limits: &Limits) -> Result<(String, PublicKey)> {
    let leaf = alipay_leaf(text)?;
    Ok((cert_sn(&leaf), leaf.public_key("Alipay certificate", limits)?))
}

/// The leaf of an Alipay certificate file.
pub(super) fn alipay_leaf(text: &str) -> Result<Certificate> {
    first(load_certificate_chain(text, "Alipay certificate (alipayCert)")?, "Alipay certificate")
}

/// An Alipay certificate downloaded and checked ([`Alipay::decode_cert_download`]): add it to the
/// client with [`Alipay::add_alipay_cert`], and store `pem` to configure it in `alipayCert` next time.
#[derive(Clone, Debug)]
pub struct AlipayCert {
    sn: String,
    pem: String,
    not_before: u64,
    not_after: u64,
    key: PublicKey,
}

impl AlipayCert {
    /// Its SN (`alipay_cert_sn`).
    pub fn sn(&self) -> &str {
        &self.sn
    }
    /// The certificate file as Alipay sent it (PEM; the leaf first, then its intermediates).
    pub fn pem(&self) -> &str {
        &self.pem
    }
    /// Start of validity, seconds since the Unix epoch.
    pub fn not_before(&self) -> u64 {
        self.not_before
    }
    /// End of validity, seconds since the Unix epoch.
    pub fn not_after(&self) -> u64 {
        self.not_after
    }
}

/// The options of checking a downloaded certificate: `{ alipayCertSn, now? }`.
#[derive(Clone, Debug)]
pub struct DownloadCheck {
    /// The SN asked for (`alipay_cert_sn` of the download request).
    pub alipay_cert_sn: String,
    /// When the certificates must be valid, Unix epoch milliseconds.
    pub now_ms: f64,
}

impl DownloadCheck {
    /// Reads `{ alipayCertSn, now? }`; `now_ms` is used when `now` is absent.
    pub fn from_json(value: &serde_json::Value, now_ms: f64) -> Result<DownloadCheck> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Options<'a> {
            alipay_cert_sn: Option<&'a str>,
            now: Option<f64>,
        }
        let o: Options = crate::options::read(value, "options")?;
        let sn = crate::options::required(o.alipay_cert_sn, "options.alipayCertSn")?;
        Ok(DownloadCheck { alipay_cert_sn: sn.to_owned(), now_ms: o.now.unwrap_or(now_ms) })
    }
}

/// The role named in errors about a downloaded certificate.
const DOWNLOADED: &str = "downloaded Alipay certificate (alipay.open.app.alipaycert.download)";

impl Alipay {
    /// Decodes the raw reply to [`build_cert_download`](Alipay::build_cert_download) and checks the
    /// certificate it carries (`alipay_cert_content`, base64 of the certificate file), before anything
    /// of it is trusted:
    /// - its SN is `alipay_cert_sn`, the one asked for;
    /// - it chains to the configured root certificates (`alipayRootCert`), every certificate on the
    ///   way valid at `now_ms` ([`verify_path`]);
    /// - its subject is the subject of an Alipay certificate this client is configured with (Alipay's
    ///   certificate for this merchant — not another certificate from the same CA, such as an app's);
    /// - its key is RSA within the size policy and is not the app's own;
    /// - when the reply is signed, the signature verifies with the key its `alipay_cert_sn` names —
    ///   the new certificate's or a configured one — or, naming none, with one of them (the trust
    ///   comes from the chain: Alipay's SDKs accept the reply unsigned, and so does this).
    ///
    /// RSA runs in the core here, whatever the engine: the keys checked are not in the key ring yet.
    /// A failure reply is its error (`ERR_PROVIDER_REJECTED`); a certificate that fails a check is
    /// `ERR_CERT_INVALID`; a reply that is not Alipay's shape is `ERR_RESPONSE_MALFORMED`.
    pub fn decode_cert_download(&self, raw: &str, alipay_cert_sn: &str, now_ms: f64) -> Result<AlipayCert> {
        let mode = self.cert.as_ref().ok_or_else(|| {
            Error::bad_input(
                "certificate rotation is for certificate mode (alipayCert); this client uses alipayPublicKey",
            )
            .with_provider(PROVIDER)
        })?;
        if mode.roots.is_empty() || mode.alipay_subjects.is_empty() {
            return Err(Error::bad_input(
                "checking a downloaded certificate needs alipayRootCert and alipayCert in the Alipay config",
            )
            .with_provider(PROVIDER));
        }
        if !(1..=64).contains(&alipay_cert_sn.len()) || !alipay_cert_sn.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(
                Error::bad_input("alipayCertSn must be the SN asked for (letters and digits)").with_provider(PROVIDER)
            );
        }
        crate::codec::time::epoch_seconds(now_ms)?; // a finite instant after 1970
        let located = locate(raw, CERT_DOWNLOAD, &self.limits)?;
        let node = Node::new(located.node_name.clone(), located.node_text, self.content_key.clone(), self.limits);
        let node_json = node.read_unverified_success()?;
        #[derive(serde::Deserialize)]
        struct Content {
            alipay_cert_content: String,
        }
        let malformed = |m: &str| Error::malformed(m.to_owned()).with_provider(PROVIDER);
        let content: Content = serde_json::from_str(&node_json)
            .map_err(|_| malformed("the certificate reply has no alipay_cert_content string"))?;
        let compact: Vec<u8> = content.alipay_cert_content.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        let decoded = STANDARD.decode(compact).map_err(|_| malformed("alipay_cert_content is not base64"))?;
        let pem =
            String::from_utf8(decoded).map_err(|_| malformed("alipay_cert_content is not a certificate file (PEM)"))?;
        let chain = load_certificate_chain(&pem, DOWNLOADED).map_err(|e| e.with_provider(PROVIDER))?;
        let leaf = first(chain.clone(), DOWNLOADED)?;
        let sn = cert_sn(&leaf);
        let invalid = |m: String| Error::cert_invalid(format!("{DOWNLOADED}: {m}")).with_provider(PROVIDER);
        if sn != alipay_cert_sn {
            return Err(invalid(format!("its SN is {sn}, not the one asked for (alipayCertSn)")));
        }
        verify_path(&chain, &mode.roots, now_ms, DOWNLOADED, &self.limits).map_err(|e| e.with_provider(PROVIDER))?;
        if !mode.alipay_subjects.iter().any(|s| s == leaf.subject()) {
            return Err(invalid(
                "its subject is not that of the Alipay certificate configured (alipayCert): it is another certificate of the same CA; if Alipay has really changed it, check it and configure it yourself".into(),
            ));
        }
        let key = leaf.public_key(DOWNLOADED, &self.limits).map_err(|e| e.with_provider(PROVIDER))?;
        if self.keys.private_key().is_some_and(|own| own.public_key() == key) {
            return Err(Error::new(ErrorCode::KeyMismatch, format!("{DOWNLOADED}: its key is your app's own"))
                .with_provider(PROVIDER));
        }
        if let Some(sign) = located.sign {
            let mut keys = self.keys.clone();
            keys.add_public(sn.clone(), key.clone());
            // As for every response: once more with `\/` unescaped (base64 holds `/`).
            let mut messages = vec![located.node_text.as_bytes().to_vec()];
            if located.node_text.contains("\\/") {
                messages.push(located.node_text.replace("\\/", "/").into_bytes());
            }
            let candidates = candidates(&keys, true, located.alipay_cert_sn.as_deref(), &messages)?;
            let signature = STANDARD.decode(sign).ok();
            let verified = match signature {
                Some(signature) => keys.verify(&VerifyStep { hash: self.sign_type.hash(), signature, candidates })?,
                None => None,
            };
            if verified.is_none() {
                return Err(
                    Error::signature_invalid("the certificate reply signature does not verify").with_provider(PROVIDER)
                );
            }
        }
        Ok(AlipayCert { sn, pem, not_before: leaf.not_before(), not_after: leaf.not_after(), key })
    }

    /// Adds a downloaded and checked certificate to this client's key ring, as the current one
    /// (first in the ring): responses naming its SN verify with it from now on.
    pub fn add_alipay_cert(&mut self, cert: &AlipayCert) {
        self.keys.add_public_first(cert.sn.clone(), cert.key.clone());
    }
}

fn first(chain: Vec<Certificate>, role: &str) -> Result<Certificate> {
    chain.into_iter().next().ok_or_else(|| Error::cert_invalid(format!("{role}: no certificate")))
}
