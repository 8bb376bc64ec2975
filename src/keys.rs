//! The one key loader: RSA private keys (PKCS#8, PKCS#1), RSA public keys (SPKI, PKCS#1, or the key
//! inside a certificate), X.509 certificates and certificate chains.
//!
//! Input may be PEM or the bare base64 DER that provider consoles hand out, with or without line
//! breaks, spaces, or literal `\n` sequences (keys pasted into JSON environment variables). Every
//! failure names the role the key was meant for and never echoes the key text.

use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use der::{Decode, Encode};
use pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use spki::{DecodePublicKey, EncodePublicKey};
use std::fmt;
use x509_cert::Certificate as X509;

use crate::error::{Error, Result};

/// Keys and chains are a few KiB; anything far larger is not a key and is refused before decoding.
const MAX_KEY_TEXT: usize = 256 * 1024;

/// An RSA private key. It can sign and decrypt; its `Debug` shows only its size.
#[derive(Clone)]
pub struct PrivateKey {
    key: RsaPrivateKey,
}

/// An RSA public key. It can verify and encrypt, never sign.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    key: RsaPublicKey,
}

impl PrivateKey {
    pub fn bits(&self) -> usize {
        self.key.size() * 8
    }
    pub fn public_key(&self) -> PublicKey {
        PublicKey { key: self.key.to_public_key() }
    }
    /// PKCS#8 DER, for handing the key once to a host engine (node:crypto `KeyObject`).
    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>> {
        self.key
            .to_pkcs8_der()
            .map(|doc| doc.as_bytes().to_vec())
            .map_err(|_| Error::key_invalid("private key could not be encoded as PKCS#8"))
    }
    pub(crate) fn rsa(&self) -> &RsaPrivateKey {
        &self.key
    }
}

impl PublicKey {
    pub fn bits(&self) -> usize {
        self.key.size() * 8
    }
    /// SubjectPublicKeyInfo DER.
    pub fn to_spki_der(&self) -> Result<Vec<u8>> {
        self.key
            .to_public_key_der()
            .map(|doc| doc.as_bytes().to_vec())
            .map_err(|_| Error::key_invalid("public key could not be encoded as SPKI"))
    }
    pub(crate) fn rsa(&self) -> &RsaPublicKey {
        &self.key
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PrivateKey(RSA {} bits)", self.bits())
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey(RSA {} bits)", self.bits())
    }
}

/// A parsed X.509 certificate with the fields providers need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    der: Vec<u8>,
    serial: Vec<u8>,
    issuer: String,
    subject: String,
    not_before: u64,
    not_after: u64,
    signature_algorithm: String,
    public_key_algorithm: String,
    spki_der: Vec<u8>,
}

impl Certificate {
    pub fn der(&self) -> &[u8] {
        &self.der
    }
    /// SubjectPublicKeyInfo DER of the subject key, whatever its algorithm.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }
    /// Serial number as an unsigned decimal integer (Alipay's certificate SN input).
    pub fn serial_decimal(&self) -> String {
        unsigned_decimal(&self.serial)
    }
    /// Serial number as upper-case hexadecimal without leading zero bytes (WeChat Pay's `serial_no`).
    pub fn serial_hex(&self) -> String {
        if self.serial.is_empty() {
            return "00".to_owned();
        }
        self.serial.iter().map(|b| format!("{b:02X}")).collect()
    }
    /// Issuer distinguished name in RFC 2253 form, as Java's `X500Principal.getName()` prints it.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }
    /// Subject distinguished name in RFC 2253 form.
    pub fn subject(&self) -> &str {
        &self.subject
    }
    /// Start of validity, seconds since the Unix epoch.
    pub fn not_before(&self) -> u64 {
        self.not_before
    }
    /// End of validity, seconds since the Unix epoch.
    pub fn not_after(&self) -> u64 {
        self.not_after
    }
    /// Dotted OID of the algorithm the issuer signed this certificate with.
    pub fn signature_algorithm(&self) -> &str {
        &self.signature_algorithm
    }
    /// Dotted OID of the subject key's algorithm (`1.2.840.113549.1.1.1` for RSA).
    pub fn public_key_algorithm(&self) -> &str {
        &self.public_key_algorithm
    }
    /// The subject's RSA public key; an error for EC, SM2 and other non-RSA keys.
    pub fn public_key(&self, role: &str) -> Result<PublicKey> {
        RsaPublicKey::from_public_key_der(&self.spki_der).map(|key| PublicKey { key }).map_err(|_| {
            Error::cert_invalid(format!(
                "{role}: the certificate's key is not an RSA key (algorithm {})",
                self.public_key_algorithm
            ))
        })
    }
}

/// Loads an RSA private key (PKCS#8 or PKCS#1; PEM or bare base64 DER).
pub fn load_private_key(text: &str, role: &str) -> Result<PrivateKey> {
    let blocks = read_blocks(text, role)?;
    let mut wrong_kind = None;
    for block in &blocks {
        match block.label.as_deref() {
            Some("PRIVATE KEY") => return private_from_pkcs8(&block.der, role),
            Some("RSA PRIVATE KEY") => return private_from_pkcs1(&block.der, role),
            Some("ENCRYPTED PRIVATE KEY") => {
                return Err(Error::key_invalid(format!(
                    "{role}: encrypted private keys are not supported; export the key unencrypted (PKCS#8 or PKCS#1)"
                )));
            }
            Some(label) => wrong_kind = wrong_kind.or(Some(label.to_owned())),
            None => {
                if let Ok(key) = private_from_pkcs8(&block.der, role) {
                    return Ok(key);
                }
                if let Ok(key) = private_from_pkcs1(&block.der, role) {
                    return Ok(key);
                }
                return Err(match classify_der(&block.der) {
                    Some(kind) => wrong_kind_error(role, kind, "an RSA private key"),
                    None => Error::key_invalid(format!(
                        "{role}: not an RSA private key (expected PKCS#8 or PKCS#1, as PEM or base64 DER)"
                    )),
                });
            }
        }
    }
    let found = wrong_kind.unwrap_or_default();
    Err(wrong_kind_error(role, kind_of_label(&found), "an RSA private key"))
}

/// Loads an RSA public key: SPKI or PKCS#1, or the subject key of a certificate (the first of a chain).
pub fn load_public_key(text: &str, role: &str) -> Result<PublicKey> {
    let blocks = read_blocks(text, role)?;
    let mut wrong_kind = None;
    for block in &blocks {
        match block.label.as_deref() {
            Some("PUBLIC KEY") => return public_from_spki(&block.der, role),
            Some("RSA PUBLIC KEY") => return public_from_pkcs1(&block.der, role),
            Some("CERTIFICATE") => return parse_certificate(&block.der, role)?.public_key(role),
            Some(label) => wrong_kind = wrong_kind.or(Some(label.to_owned())),
            None => {
                if let Ok(key) = public_from_spki(&block.der, role) {
                    return Ok(key);
                }
                if let Ok(key) = public_from_pkcs1(&block.der, role) {
                    return Ok(key);
                }
                if let Ok(cert) = parse_certificate(&block.der, role) {
                    return cert.public_key(role);
                }
                return Err(match classify_der(&block.der) {
                    Some(kind) => wrong_kind_error(role, kind, "an RSA public key"),
                    None => Error::key_invalid(format!(
                        "{role}: not an RSA public key (expected SPKI, PKCS#1 or a certificate, as PEM or base64 DER)"
                    )),
                });
            }
        }
    }
    let found = wrong_kind.unwrap_or_default();
    Err(wrong_kind_error(role, kind_of_label(&found), "an RSA public key"))
}

/// Loads exactly one certificate. A chain is refused here; use [`load_certificate_chain`].
pub fn load_certificate(text: &str, role: &str) -> Result<Certificate> {
    let mut chain = load_certificate_chain(text, role)?;
    if chain.len() != 1 {
        return Err(Error::cert_invalid(format!("{role}: expected one certificate, found {}", chain.len())));
    }
    Ok(chain.remove(0))
}

/// Loads every certificate in the text, in order (several PEM blocks, or one bare base64 DER).
pub fn load_certificate_chain(text: &str, role: &str) -> Result<Vec<Certificate>> {
    let blocks = read_blocks(text, role).map_err(as_cert_error)?;
    let mut chain = Vec::with_capacity(blocks.len());
    for block in &blocks {
        match block.label.as_deref() {
            Some("CERTIFICATE") | None => chain.push(parse_certificate(&block.der, role)?),
            Some(other) => {
                return Err(Error::cert_invalid(format!(
                    "{role}: expected certificates, found a PEM block labelled {other:?}"
                )));
            }
        }
    }
    Ok(chain)
}

struct Block {
    /// PEM label (`PRIVATE KEY`, `CERTIFICATE`, …); `None` for bare base64 DER.
    label: Option<String>,
    der: Vec<u8>,
}

/// Splits the text into PEM blocks, or decodes it as one bare base64 DER.
fn read_blocks(text: &str, role: &str) -> Result<Vec<Block>> {
    if text.len() > MAX_KEY_TEXT {
        return Err(Error::key_invalid(format!("{role}: {} bytes is too large for a key or certificate", text.len())));
    }
    // Keys pasted into JSON or .env files often carry literal `\n` (two characters) for line breaks.
    let text = text.replace("\\r", "").replace("\\n", "\n");
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::key_invalid(format!("{role}: empty")));
    }
    if !text.contains("-----BEGIN ") {
        let der = decode_base64_lenient(text)
            .ok_or_else(|| Error::key_invalid(format!("{role}: neither PEM nor base64 DER")))?;
        return Ok(vec![Block { label: None, der }]);
    }
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after_begin = &rest[start + "-----BEGIN ".len()..];
        let label_end =
            after_begin.find("-----").ok_or_else(|| Error::key_invalid(format!("{role}: truncated PEM header")))?;
        let label = after_begin[..label_end].trim().to_owned();
        let body_and_rest = &after_begin[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let body_end = body_and_rest
            .find(&end_marker)
            .ok_or_else(|| Error::key_invalid(format!("{role}: truncated PEM: no END line for the {label} block")))?;
        let body = &body_and_rest[..body_end];
        if body.contains("Proc-Type:") || body.contains("DEK-Info:") {
            return Err(Error::key_invalid(format!(
                "{role}: encrypted PEM is not supported; export the key unencrypted"
            )));
        }
        let der = decode_base64_lenient(body)
            .ok_or_else(|| Error::key_invalid(format!("{role}: the {label} PEM block is not valid base64")))?;
        blocks.push(Block { label: Some(label), der });
        rest = &body_and_rest[body_end + end_marker.len()..];
    }
    Ok(blocks)
}

fn decode_base64_lenient(text: &str) -> Option<Vec<u8>> {
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if compact.is_empty() {
        return None;
    }
    LENIENT.decode(compact.as_bytes()).ok().filter(|der| !der.is_empty())
}

fn private_from_pkcs8(der: &[u8], role: &str) -> Result<PrivateKey> {
    RsaPrivateKey::from_pkcs8_der(der)
        .map(|key| PrivateKey { key })
        .map_err(|_| Error::key_invalid(format!("{role}: not a valid PKCS#8 RSA private key")))
}

fn private_from_pkcs1(der: &[u8], role: &str) -> Result<PrivateKey> {
    RsaPrivateKey::from_pkcs1_der(der)
        .map(|key| PrivateKey { key })
        .map_err(|_| Error::key_invalid(format!("{role}: not a valid PKCS#1 RSA private key")))
}

fn public_from_spki(der: &[u8], role: &str) -> Result<PublicKey> {
    RsaPublicKey::from_public_key_der(der)
        .map(|key| PublicKey { key })
        .map_err(|_| Error::key_invalid(format!("{role}: not a valid SPKI RSA public key")))
}

fn public_from_pkcs1(der: &[u8], role: &str) -> Result<PublicKey> {
    RsaPublicKey::from_pkcs1_der(der)
        .map(|key| PublicKey { key })
        .map_err(|_| Error::key_invalid(format!("{role}: not a valid PKCS#1 RSA public key")))
}

#[derive(Clone, Copy)]
enum KeyKind {
    Private,
    Public,
    Certificate,
    Other,
}

fn kind_of_label(label: &str) -> KeyKind {
    match label {
        "PRIVATE KEY" | "RSA PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" | "EC PRIVATE KEY" => KeyKind::Private,
        "PUBLIC KEY" | "RSA PUBLIC KEY" => KeyKind::Public,
        "CERTIFICATE" => KeyKind::Certificate,
        _ => KeyKind::Other,
    }
}

/// What a bare DER that failed to load as the wanted kind is instead, if anything recognisable.
fn classify_der(der: &[u8]) -> Option<KeyKind> {
    if pkcs8::PrivateKeyInfoRef::from_der(der).is_ok() || RsaPrivateKey::from_pkcs1_der(der).is_ok() {
        Some(KeyKind::Private)
    } else if spki::SubjectPublicKeyInfoRef::from_der(der).is_ok() || RsaPublicKey::from_pkcs1_der(der).is_ok() {
        Some(KeyKind::Public)
    } else if X509::from_der(der).is_ok() {
        Some(KeyKind::Certificate)
    } else {
        None
    }
}

fn wrong_kind_error(role: &str, found: KeyKind, wanted: &str) -> Error {
    let found = match found {
        KeyKind::Private => "a private key (or a non-RSA key)",
        KeyKind::Public => "a public key (or a non-RSA key)",
        KeyKind::Certificate => "a certificate",
        KeyKind::Other => "no key",
    };
    Error::key_invalid(format!("{role}: found {found} where {wanted} is needed"))
}

fn as_cert_error(e: Error) -> Error {
    Error::cert_invalid(e.message().to_owned())
}

fn parse_certificate(der: &[u8], role: &str) -> Result<Certificate> {
    let cert =
        X509::from_der(der).map_err(|_| Error::cert_invalid(format!("{role}: not a valid X.509 certificate")))?;
    let tbs = cert.tbs_certificate();
    let spki_der = tbs
        .subject_public_key_info()
        .to_der()
        .map_err(|_| Error::cert_invalid(format!("{role}: certificate public key could not be encoded")))?;
    Ok(Certificate {
        der: der.to_vec(),
        serial: strip_leading_zeros(tbs.serial_number().as_bytes()).to_vec(),
        issuer: rfc2253(tbs.issuer()),
        subject: rfc2253(tbs.subject()),
        not_before: tbs.validity().not_before.to_unix_duration().as_secs(),
        not_after: tbs.validity().not_after.to_unix_duration().as_secs(),
        signature_algorithm: cert.signature_algorithm().oid.to_string(),
        public_key_algorithm: tbs.subject_public_key_info().algorithm.oid.to_string(),
        spki_der,
    })
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

/// Base-10 text of an unsigned big-endian integer (serial numbers are at most 20 bytes).
fn unsigned_decimal(bytes: &[u8]) -> String {
    let mut digits: Vec<u8> = Vec::new(); // little-endian base-10 digits
    for &byte in bytes {
        let mut carry = u32::from(byte);
        for d in digits.iter_mut() {
            let v = u32::from(*d) * 256 + carry;
            *d = (v % 10) as u8;
            carry = v / 10;
        }
        while carry > 0 {
            digits.push((carry % 10) as u8);
            carry /= 10;
        }
    }
    if digits.is_empty() {
        return "0".to_owned();
    }
    digits.iter().rev().map(|d| char::from(b'0' + d)).collect()
}

/// RFC 2253 text of a name: RDNs in reverse order, `,` without spaces, multi-valued RDNs joined by
/// `+`, Java's keywords for the common attributes and `OID=#hex` for the rest — the form Java's
/// `X500Principal.getName()` produces, which Alipay's certificate SN is computed over.
fn rfc2253(name: &x509_cert::name::Name) -> String {
    let rdns: Vec<String> =
        name.iter_rdn().map(|rdn| rdn.iter().map(attribute_text).collect::<Vec<_>>().join("+")).collect();
    rdns.into_iter().rev().collect::<Vec<_>>().join(",")
}

fn attribute_text(atv: &x509_cert::attr::AttributeTypeAndValue) -> String {
    use der::asn1::{Ia5StringRef, PrintableStringRef, TeletexStringRef, Utf8StringRef};
    use der::{Tag, Tagged};
    let keyword = match atv.oid.to_string().as_str() {
        "2.5.4.3" => Some("CN"),
        "2.5.4.6" => Some("C"),
        "2.5.4.7" => Some("L"),
        "2.5.4.8" => Some("ST"),
        "2.5.4.9" => Some("STREET"),
        "2.5.4.10" => Some("O"),
        "2.5.4.11" => Some("OU"),
        "0.9.2342.19200300.100.1.25" => Some("DC"),
        "0.9.2342.19200300.100.1.1" => Some("UID"),
        _ => None,
    };
    let value = match atv.value.tag() {
        Tag::PrintableString => PrintableStringRef::try_from(&atv.value).ok().map(|s| s.as_str().to_owned()),
        Tag::Utf8String => Utf8StringRef::try_from(&atv.value).ok().map(|s| s.as_str().to_owned()),
        Tag::Ia5String => Ia5StringRef::try_from(&atv.value).ok().map(|s| s.as_str().to_owned()),
        Tag::TeletexString => TeletexStringRef::try_from(&atv.value).ok().map(|s| s.as_str().to_owned()),
        _ => None,
    };
    match (keyword, value) {
        (Some(keyword), Some(value)) => format!("{keyword}={}", escape_rfc2253(&value)),
        _ => {
            let hex: String = atv.value.to_der().unwrap_or_default().iter().map(|b| format!("{b:02x}")).collect();
            format!("{}=#{hex}", atv.oid)
        }
    }
}

fn escape_rfc2253(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        match c {
            ',' | '+' | '"' | '\\' | '<' | '>' | ';' => {
                out.push('\\');
                out.push(c);
            }
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || i == last => out.push_str("\\ "),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_of_serials() {
        assert_eq!(unsigned_decimal(&[]), "0");
        assert_eq!(unsigned_decimal(&[0x01, 0x00]), "256");
        assert_eq!(unsigned_decimal(&[0xff; 8]), u64::MAX.to_string());
        let mut two_to_128 = vec![1u8];
        two_to_128.extend([0u8; 16]);
        assert_eq!(unsigned_decimal(&two_to_128), "340282366920938463463374607431768211456");
    }

    #[test]
    fn rfc2253_escaping() {
        assert_eq!(escape_rfc2253("a,b+c"), "a\\,b\\+c");
        assert_eq!(escape_rfc2253("#x "), "\\#x\\ ");
        assert_eq!(escape_rfc2253("Ant Financial"), "Ant Financial");
    }
}
