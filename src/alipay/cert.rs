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

/// Everything certificate mode needs, computed once when the client is created.
#[derive(Clone, Debug)]
pub struct CertMode {
    pub app_cert_sn: String,
    pub alipay_cert_sn: String,
    pub alipay_root_cert_sn: String,
    pub alipay_public_key: PublicKey,
}

impl CertMode {
    /// `alipay_cert` may be a chain (leaf first, as Alipay's downloads are); the leaf is used.
    pub fn load(app_cert: &str, alipay_cert: &str, alipay_root_cert: &str, limits: &Limits) -> Result<CertMode> {
        let app = first(load_certificate_chain(app_cert, "app certificate (appCertPublicKey)")?, "app certificate")?;
        let alipay = first(
            load_certificate_chain(alipay_cert, "Alipay certificate (alipayCertPublicKey_RSA2)")?,
            "Alipay certificate",
        )?;
        let roots = load_certificate_chain(alipay_root_cert, "Alipay root certificate (alipayRootCert)")?;
        Ok(CertMode {
            app_cert_sn: cert_sn(&app),
            alipay_cert_sn: cert_sn(&alipay),
            alipay_root_cert_sn: root_cert_sn(&roots)?,
            alipay_public_key: alipay.public_key("Alipay certificate", limits)?,
        })
    }
}

fn first(chain: Vec<Certificate>, role: &str) -> Result<Certificate> {
    chain.into_iter().next().ok_or_else(|| Error::cert_invalid(format!("{role}: no certificate")))
}
