//! Public-key certificate mode (公钥证书模式): certificate serial numbers and the Alipay key taken
//! from its certificate.

use crate::crypto::digest::{hex_lower, md5};
use crate::error::{Error, Result};
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
/// created (a verify-only client has neither).
#[derive(Clone, Debug, Default)]
pub struct CertMode {
    /// `app_cert_sn`: the SN of the app's own certificate (`appCert`).
    pub app_cert_sn: Option<String>,
    /// `alipay_root_cert_sn`: the SNs of the root file (`alipayRootCert`).
    pub alipay_root_cert_sn: Option<String>,
}

impl CertMode {
    /// `app_cert` may be a chain (leaf first); the leaf is used.
    pub fn load(app_cert: Option<&str>, alipay_root_cert: Option<&str>) -> Result<CertMode> {
        let app_cert_sn = app_cert
            .map(|text| {
                Ok(cert_sn(&first(load_certificate_chain(text, "app certificate (appCert)")?, "app certificate")?))
            })
            .transpose()?;
        let alipay_root_cert_sn = alipay_root_cert
            .map(|text| root_cert_sn(&load_certificate_chain(text, "Alipay root certificate (alipayRootCert)")?))
            .transpose()?;
        Ok(CertMode { app_cert_sn, alipay_root_cert_sn })
    }
}

/// An Alipay certificate file (`alipayCertPublicKey_RSA2.crt`, a chain with the leaf first, as
/// Alipay's downloads are): the leaf's SN and its public key.
pub fn alipay_cert(text: &str, limits: &Limits) -> Result<(String, PublicKey)> {
    let leaf = first(load_certificate_chain(text, "Alipay certificate (alipayCert)")?, "Alipay certificate")?;
    Ok((cert_sn(&leaf), leaf.public_key("Alipay certificate", limits)?))
}

fn first(chain: Vec<Certificate>, role: &str) -> Result<Certificate> {
    chain.into_iter().next().ok_or_else(|| Error::cert_invalid(format!("{role}: no certificate")))
}
