//! Certificate paths: whether a certificate (with the intermediate certificates sent beside it)
//! chains to one of a set of configured roots, valid at a given time — what Alipay's SDKs check
//! before they trust a downloaded certificate (Java `AntCertificationUtil.isTrusted`), plus the CA
//! constraints of RFC 5280 on every issuer taken from the chain.
//!
//! The configured roots are trust anchors: their own validity and self-signatures are not checked
//! (RFC 5280 §6.1; Java's `isTrusted` neither). Certificate signatures are checked in the core with
//! the in-core RSA engine: the issuer keys are not in any client's key ring, and this runs once per
//! certificate rotation.

use der::{Decode, Reader, SliceReader};
use x509_cert::Certificate as X509;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage};
use x509_cert::name::Name;

use super::Certificate;
use crate::crypto::rsa::Hash;
use crate::error::{Error, Result};
use crate::limits::Limits;

/// The most certificates a chain may hold (a leaf and its intermediates; Alipay's hold two).
pub const MAX_CHAIN: usize = 8;

/// `sha256WithRSAEncryption`, the one certificate signature algorithm accepted.
const SHA256_WITH_RSA: &str = "1.2.840.113549.1.1.11";

/// Checks that `chain[0]` chains to one of `roots` through certificates of `chain` only, each valid
/// at `now_ms` (Unix epoch milliseconds, bounds included as Java's `checkValidity` has them), each
/// signed by the next with SHA256withRSA, each issuer taken from the chain a CA (basic constraints
/// `cA`, `keyCertSign` when it has a key usage, path length respected). Every certificate of `chain`
/// must lie on that path (or be a copy of a configured root). Every failure is `ERR_CERT_INVALID`,
/// its message naming the certificate by its place in the chain.
pub fn verify_path(
    chain: &[Certificate],
    roots: &[Certificate],
    now_ms: f64,
    role: &str,
    limits: &Limits,
) -> Result<()> {
    let invalid = |message: String| Error::cert_invalid(format!("{role}: {message}"));
    if chain.is_empty() {
        return Err(invalid("no certificate".into()));
    }
    if !now_ms.is_finite() {
        return Err(invalid("the time to check validity at is not a number".into()));
    }
    if chain.len() > MAX_CHAIN {
        return Err(invalid(format!("{} certificates; a chain holds at most {MAX_CHAIN}", chain.len())));
    }
    if roots.is_empty() {
        return Err(invalid("no root certificate is configured to check it against".into()));
    }
    let parse =
        |cert: &Certificate| Parsed::of(cert).ok_or_else(|| invalid("a certificate could not be read again".into()));
    let path: Vec<Parsed> = chain.iter().map(parse).collect::<Result<_>>()?;
    let anchors: Vec<Parsed> = roots.iter().map(parse).collect::<Result<_>>()?;
    // Each root's key, read once (a root whose key cannot be read issues nothing).
    let root_keys: Vec<Option<super::PublicKey>> =
        roots.iter().map(|root| root.public_key(role, limits).ok()).collect();
    let place =
        |i: usize| if i == 0 { "the certificate".to_owned() } else { format!("certificate {} of the chain", i + 1) };

    let mut used = vec![false; path.len()];
    used[0] = true;
    let mut current = 0;
    // Certificates taken from the chain between the current one's issuer and the leaf, the current
    // one included unless it is the leaf: what an issuer's path length constraint counts.
    let mut steps = 0usize;
    loop {
        let cert = &path[current];
        let (not_before, not_after) =
            (chain[current].not_before() as f64 * 1000.0, chain[current].not_after() as f64 * 1000.0);
        if now_ms > not_after {
            return Err(invalid(format!("{} has expired", place(current))));
        }
        if now_ms < not_before {
            return Err(invalid(format!("{} is not valid yet", place(current))));
        }
        if !cert.consistent_algorithms {
            return Err(invalid(format!("{} names two different signature algorithms", place(current))));
        }
        // Issued by a configured root?
        let by_root = anchors
            .iter()
            .zip(&root_keys)
            .any(|(anchor, key)| anchor.subject == cert.issuer && key.as_ref().is_some_and(|key| cert.signed_by(key)));
        if by_root {
            let stray = (0..path.len()).any(|i| !used[i] && !roots.iter().any(|r| r.der() == chain[i].der()));
            if stray {
                return Err(invalid("the chain holds certificates that are not on its path to the root".into()));
            }
            return Ok(());
        }
        let Some(issuer) = (0..path.len()).find(|&i| !used[i] && path[i].subject == cert.issuer) else {
            return Err(invalid(format!(
                "{} does not chain to the configured root certificates (alipayRootCert)",
                place(current)
            )));
        };
        let parent = &path[issuer];
        if !parent.ca {
            return Err(invalid(format!(
                "{} is not a CA certificate, yet it issued {}",
                place(issuer),
                place(current)
            )));
        }
        if parent.key_usage_allows_cert_sign == Some(false) {
            return Err(invalid(format!("{} may not sign certificates (key usage)", place(issuer))));
        }
        if parent.path_len.is_some_and(|max| steps > usize::from(max)) {
            return Err(invalid(format!("{} allows a shorter path (path length constraint)", place(issuer))));
        }
        let key = chain[issuer].public_key(role, limits)?;
        if !cert.signed_by(&key) {
            return Err(invalid(format!("the signature of {} by {} does not verify", place(current), place(issuer))));
        }
        used[issuer] = true;
        steps += 1;
        current = issuer;
    }
}

/// What the path check reads of a certificate, beyond [`Certificate`].
struct Parsed {
    issuer: Name,
    subject: Name,
    tbs: Vec<u8>,
    signature: Option<Vec<u8>>,
    sha256_rsa: bool,
    consistent_algorithms: bool,
    ca: bool,
    path_len: Option<u8>,
    key_usage_allows_cert_sign: Option<bool>,
}

impl Parsed {
    fn of(cert: &Certificate) -> Option<Parsed> {
        let x509 = X509::from_der(cert.der()).ok()?;
        let tbs = x509.tbs_certificate();
        let basic = tbs.get_extension::<BasicConstraints>().ok()?.map(|(_, b)| b);
        let key_usage = tbs.get_extension::<KeyUsage>().ok()?.map(|(_, k)| k);
        Some(Parsed {
            issuer: tbs.issuer().clone(),
            subject: tbs.subject().clone(),
            tbs: raw_tbs(cert.der()).ok()?.to_vec(),
            signature: x509.signature().as_bytes().map(<[u8]>::to_vec),
            sha256_rsa: cert.signature_algorithm() == SHA256_WITH_RSA,
            consistent_algorithms: tbs.signature() == x509.signature_algorithm(),
            ca: basic.as_ref().is_some_and(|b| b.ca),
            path_len: basic.and_then(|b| b.path_len_constraint),
            key_usage_allows_cert_sign: key_usage.map(|k| k.key_cert_sign()),
        })
    }

    /// Whether `key` made this certificate's signature (SHA256withRSA only).
    fn signed_by(&self, key: &super::PublicKey) -> bool {
        match &self.signature {
            Some(signature) if self.sha256_rsa => key.verify(Hash::Sha256, &self.tbs, signature),
            _ => false,
        }
    }
}

/// The `tbsCertificate` bytes exactly as encoded: what the issuer signed.
fn raw_tbs(der: &[u8]) -> der::Result<&[u8]> {
    let mut reader = SliceReader::new(der)?;
    let tbs = reader.sequence(|certificate| {
        let tbs = certificate.tlv_bytes()?;
        certificate.read_slice(certificate.remaining_len())?;
        Ok::<_, der::Error>(tbs)
    })?;
    reader.finish()?;
    Ok(tbs)
}
