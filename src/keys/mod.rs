//! The one key loader: RSA private keys (PKCS#8, PKCS#1), RSA public keys (SPKI, PKCS#1, or the key
//! inside a certificate), X.509 certificates and certificate chains.
//!
//! Input may be PEM or the bare base64 DER that provider consoles hand out, with or without line
//! breaks, spaces, or literal `\n` sequences (keys pasted into JSON environment variables). Every
//! failure names the role the key was meant for and never echoes the key text.

use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use der::asn1::UintRef;
use der::{Decode, Encode};
use rsa::pkcs1::{RsaPrivateKeyRef, RsaPublicKeyRef};
use rsa::{RsaPrivateKey, RsaPublicKey};
use std::fmt;
use std::sync::OnceLock;
use x509_cert::Certificate as X509;
use zeroize::Zeroizing;

pub mod chain;
mod java_name;
mod ring;

use java_name::{names_in_encoding_order, rfc2253};
pub use ring::{KeyDer, KeyRing};

use crate::error::{Error, ErrorCode, Result};
use crate::limits::Limits;

/// Keys and chains are a few KiB; anything far larger is not a key and is refused before decoding.
const MAX_KEY_TEXT: usize = 256 * 1024;

/// An RSA private key. It can sign and decrypt; its `Debug` shows only its size.
///
/// Loading checks the key's structure and its public numbers without big-integer arithmetic, and
/// keeps its PKCS#8 DER for a host engine (node:crypto, WebCrypto), which imports it as it is. The
/// `rsa` crate's key — every number checked against the others, the CRT values precomputed, some
/// milliseconds on a cold start — is made on the first operation in Wasm, and never on a client
/// whose engine is the host's.
#[derive(Clone)]
pub struct PrivateKey {
    /// rsaEncryption PKCS#8 around the key's PKCS#1 DER; wiped when dropped.
    pkcs8: Zeroizing<Vec<u8>>,
    public: PublicKey,
    /// The role the key was loaded for, for the error if its numbers disagree.
    role: String,
    rsa: OnceLock<Option<RsaPrivateKey>>,
}

/// An RSA public key. It can verify and encrypt, never sign. Like [`PrivateKey`], it keeps its
/// DER for host engines and makes the `rsa` crate's key on first use in Wasm.
#[derive(Clone)]
pub struct PublicKey {
    /// rsaEncryption SubjectPublicKeyInfo DER.
    spki: Vec<u8>,
    /// The modulus and the public exponent, big-endian, without leading zero bytes.
    n: Vec<u8>,
    e: Vec<u8>,
    rsa: OnceLock<Option<RsaPublicKey>>,
}

impl PrivateKey {
    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.public.bits()
    }
    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        self.public.clone()
    }
    /// PKCS#8 DER, for handing the key once to a host engine (node:crypto `KeyObject`); wiped
    /// from memory when dropped.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        Ok(self.pkcs8.clone())
    }
    /// The `rsa` crate's key, made (and every number checked) on first use.
    pub(crate) fn rsa(&self) -> Result<&RsaPrivateKey> {
        self.rsa
            .get_or_init(|| pkcs8::PrivateKeyInfoRef::from_der(&self.pkcs8).ok().and_then(|info| info.try_into().ok()))
            .as_ref()
            .ok_or_else(|| {
                Error::key_invalid(format!("{}: not a valid RSA private key (its numbers do not agree)", self.role))
            })
    }
}

impl PublicKey {
    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.n.len() * 8
    }
    /// SubjectPublicKeyInfo DER.
    pub fn to_spki_der(&self) -> Result<Vec<u8>> {
        Ok(self.spki.clone())
    }
    /// The `rsa` crate's key, made on first use. Loading checked everything `RsaPublicKey::new`
    /// checks, so `None` is not expected; callers treat it as a key that verifies nothing.
    pub(crate) fn rsa(&self) -> Option<&RsaPublicKey> {
        self.rsa
            .get_or_init(|| {
                let key = RsaPublicKeyRef {
                    modulus: UintRef::new(&self.n).ok()?,
                    public_exponent: UintRef::new(&self.e).ok()?,
                };
                RsaPublicKey::try_from(key).ok()
            })
            .as_ref()
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &PublicKey) -> bool {
        self.n == other.n && self.e == other.e
    }
}

impl Eq for PublicKey {}

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
    serial_decimal: String,
    issuer: String,
    subject: String,
    not_before: u64,
    not_after: u64,
    signature_algorithm: String,
    public_key_algorithm: String,
    spki_der: Vec<u8>,
}

impl Certificate {
    /// The certificate's DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }
    /// SubjectPublicKeyInfo DER of the subject key, whatever its algorithm.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }
    /// Serial number in decimal as Java's `X509Certificate.getSerialNumber().toString()` prints it (Alipay's
    /// certificate SN input): a DER INTEGER is signed, so a serial whose first byte has the high bit set is negative.
    pub fn serial_decimal(&self) -> String {
        self.serial_decimal.clone()
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
    /// Subject distinguished name in RFC 2253 form, as Java's `X500Principal.getName()` prints it.
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
    /// The subject's RSA public key, within the size policy; an error for EC, SM2 and other
    /// non-RSA keys.
    pub fn public_key(&self, role: &str, limits: &Limits) -> Result<PublicKey> {
        public_from_spki(&self.spki_der, role, limits).map_err(|e| match e.code() {
            ErrorCode::KeySize => e,
            _ => Error::cert_invalid(format!(
                "{role}: the certificate's key is not an RSA key (algorithm {})",
                self.public_key_algorithm
            )),
        })
    }
}

/// Loads an RSA private key (PKCS#8 or PKCS#1; PEM or bare base64 DER) within the size policy
/// of `limits`.
pub fn load_private_key(text: &str, role: &str, limits: &Limits) -> Result<PrivateKey> {
    let blocks = read_blocks(text, role)?;
    let mut wrong_kind = None;
    for block in &blocks {
        match block.label {
            Label::PrivateKey => return private_from_pkcs8(&block.der, role, limits),
            Label::RsaPrivateKey => return private_from_pkcs1(&block.der, role, limits),
            Label::EncryptedPrivateKey => return Err(encrypted_key(role)),
            Label::Bare => {
                for attempt in [private_from_pkcs8, private_from_pkcs1] {
                    let loaded = attempt(&block.der, role, limits);
                    if settles(&loaded) {
                        return loaded;
                    }
                }
                return Err(match classify_der(&block.der) {
                    Some(kind) => wrong_kind_error(role, kind, "an RSA private key"),
                    None => Error::key_invalid(format!(
                        "{role}: not an RSA private key (expected PKCS#8 or PKCS#1, as PEM or base64 DER)"
                    )),
                });
            }
            other => wrong_kind = wrong_kind.or(Some(other.kind())),
        }
    }
    Err(wrong_kind_error(role, wrong_kind.unwrap_or(KeyKind::Other), "an RSA private key"))
}

/// Loads an RSA public key: SPKI or PKCS#1, or the subject key of a certificate (the first of a
/// chain), within the size policy of `limits`.
pub fn load_public_key(text: &str, role: &str, limits: &Limits) -> Result<PublicKey> {
    let blocks = read_blocks(text, role)?;
    let mut wrong_kind = None;
    for block in &blocks {
        match block.label {
            Label::PublicKey => return public_from_spki(&block.der, role, limits),
            Label::RsaPublicKey => return public_from_pkcs1(&block.der, role, limits),
            Label::Certificate => return parse_certificate(&block.der, role)?.public_key(role, limits),
            Label::Bare => {
                for attempt in [public_from_spki, public_from_pkcs1] {
                    let loaded = attempt(&block.der, role, limits);
                    if settles(&loaded) {
                        return loaded;
                    }
                }
                if let Ok(cert) = parse_certificate(&block.der, role) {
                    return cert.public_key(role, limits);
                }
                return Err(match classify_der(&block.der) {
                    Some(kind) => wrong_kind_error(role, kind, "an RSA public key"),
                    None => Error::key_invalid(format!(
                        "{role}: not an RSA public key (expected SPKI, PKCS#1 or a certificate, as PEM or base64 DER)"
                    )),
                });
            }
            other => wrong_kind = wrong_kind.or(Some(other.kind())),
        }
    }
    Err(wrong_kind_error(role, wrong_kind.unwrap_or(KeyKind::Other), "an RSA public key"))
}

/// Whether an attempt at one format settles what bare DER is: it loaded, or it was recognised and
/// refused for its size (trying the other formats would hide why).
fn settles<T>(loaded: &Result<T>) -> bool {
    loaded.as_ref().map_or_else(|e| e.code() == ErrorCode::KeySize, |_| true)
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
        match block.label {
            Label::Certificate | Label::Bare => chain.push(parse_certificate(&block.der, role)?),
            other => {
                return Err(Error::cert_invalid(format!(
                    "{role}: expected certificates, found a PEM block of another kind ({})",
                    other.kind().describe()
                )));
            }
        }
    }
    Ok(chain)
}

/// The PEM labels aggpay knows. A label is never echoed in an error message: a damaged BEGIN line
/// can run on into the key itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Label {
    /// Bare base64 DER, no PEM framing.
    Bare,
    PrivateKey,
    RsaPrivateKey,
    EncryptedPrivateKey,
    PublicKey,
    RsaPublicKey,
    Certificate,
    OtherPrivateKey,
    Other,
}

impl Label {
    fn of(text: &str) -> Label {
        match text {
            "PRIVATE KEY" => Label::PrivateKey,
            "RSA PRIVATE KEY" => Label::RsaPrivateKey,
            "ENCRYPTED PRIVATE KEY" => Label::EncryptedPrivateKey,
            "PUBLIC KEY" => Label::PublicKey,
            "RSA PUBLIC KEY" => Label::RsaPublicKey,
            "CERTIFICATE" => Label::Certificate,
            _ if text.ends_with("PRIVATE KEY") => Label::OtherPrivateKey,
            _ => Label::Other,
        }
    }

    fn kind(self) -> KeyKind {
        match self {
            Label::PrivateKey | Label::RsaPrivateKey | Label::EncryptedPrivateKey | Label::OtherPrivateKey => {
                KeyKind::Private
            }
            Label::PublicKey | Label::RsaPublicKey => KeyKind::Public,
            Label::Certificate => KeyKind::Certificate,
            Label::Bare | Label::Other => KeyKind::Other,
        }
    }
}

struct Block {
    label: Label,
    der: Zeroizing<Vec<u8>>,
}

/// The longest PEM label accepted (`ENCRYPTED PRIVATE KEY` is 21 characters).
const MAX_LABEL: usize = 64;

/// Splits the text into PEM blocks, or decodes it as one bare base64 DER. Linear in the text.
/// Messages describe what is wrong with the framing and never quote any of the text.
fn read_blocks(text: &str, role: &str) -> Result<Vec<Block>> {
    if text.len() > MAX_KEY_TEXT {
        return Err(Error::new(
            ErrorCode::InputTooLarge,
            format!("{role}: {} bytes is too large for a key or certificate (at most {MAX_KEY_TEXT})", text.len()),
        ));
    }
    // Keys pasted into JSON or .env files often carry literal `\n` (two characters) for line breaks.
    let text = Zeroizing::new(text.replace("\\r", "").replace("\\n", "\n"));
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::key_invalid(format!("{role}: empty")));
    }
    const BEGIN: &str = "-----BEGIN ";
    if !text.contains(BEGIN) {
        let der = decode_base64_lenient(text)
            .ok_or_else(|| Error::key_invalid(format!("{role}: neither PEM nor base64 DER")))?;
        return Ok(vec![Block { label: Label::Bare, der }]);
    }
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let after_begin = &rest[start + BEGIN.len()..];
        // The label: upper-case letters, digits and spaces, then exactly five dashes.
        let label_len =
            after_begin.bytes().take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b' ').count();
        let label_text = &after_begin[..label_len];
        if label_len == 0 || label_len > MAX_LABEL || !after_begin[label_len..].starts_with("-----") {
            return Err(Error::key_invalid(format!(
                "{role}: malformed PEM: a BEGIN line must read -----BEGIN <LABEL>----- (upper-case label, five dashes)"
            )));
        }
        let label = Label::of(label_text.trim());
        let body_and_rest = &after_begin[label_len + 5..];
        let end_marker = format!("-----END {label_text}-----");
        let body_end = body_and_rest.find(&end_marker).ok_or_else(|| {
            Error::key_invalid(format!(
                "{role}: truncated PEM: the {} block has no matching END line",
                label.kind().describe()
            ))
        })?;
        let body = &body_and_rest[..body_end];
        if body.contains("Proc-Type:") || body.contains("DEK-Info:") {
            return Err(encrypted_key(role));
        }
        let der = decode_base64_lenient(body).ok_or_else(|| {
            Error::key_invalid(format!("{role}: the {} PEM block is not valid base64", label.kind().describe()))
        })?;
        blocks.push(Block { label, der });
        rest = &body_and_rest[body_end + end_marker.len()..];
    }
    Ok(blocks)
}

fn encrypted_key(role: &str) -> Error {
    Error::key_invalid(format!(
        "{role}: encrypted private keys are not supported; export the key unencrypted (PKCS#8 or PKCS#1)"
    ))
}

fn decode_base64_lenient(text: &str) -> Option<Zeroizing<Vec<u8>>> {
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let compact = Zeroizing::new(text.bytes().filter(|c| !c.is_ascii_whitespace()).collect::<Vec<u8>>());
    if compact.is_empty() {
        return None;
    }
    LENIENT.decode(compact.as_slice()).ok().filter(|der| !der.is_empty()).map(Zeroizing::new)
}

/// A modulus's size in bits as [`PrivateKey::bits`] reports it (whole bytes; `UintRef` has no
/// leading zero bytes).
fn modulus_bits(modulus: &UintRef) -> usize {
    modulus.as_bytes().len() * 8
}

// Each loader reads the modulus size from the bare ASN.1 structure first, so a key outside the
// size policy is refused before anything else. Then it checks, on the bytes, what the `rsa` crate
// checks of a public key (an odd modulus of 1024 to 8192 bits; an odd exponent from 3 to 2^33 - 1,
// below the modulus), so that a malformed key is refused on load whatever the engine; the
// arithmetic is left to the first operation in Wasm (see [`PrivateKey`]).

/// The key's algorithm: rsaEncryption with NULL parameters, or RSASSA-PSS without parameters,
/// as the `rsa` crate accepts them.
fn rsa_algorithm(algorithm: &spki::AlgorithmIdentifierRef<'_>) -> bool {
    const PSS: der::asn1::ObjectIdentifier = der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
    match algorithm.oid {
        rsa::pkcs1::ALGORITHM_OID => algorithm.parameters.is_some_and(|p| p.is_null()),
        PSS => algorithm.parameters.is_none(),
        _ => false,
    }
}

/// The public numbers' checks, on their big-endian bytes (no leading zeros, as DER has them): an
/// odd modulus of 1024 to 8192 bits, an odd exponent above 1 of at most 33 bits (so below the modulus).
fn public_numbers_valid(n: &[u8], e: &[u8]) -> bool {
    let bits = |x: &[u8]| x.first().map_or(0, |&top| (x.len() - 1) * 8 + (8 - top.leading_zeros() as usize));
    let odd = |x: &[u8]| x.last().is_some_and(|&low| low & 1 == 1);
    (1024..=8192).contains(&bits(n)) && odd(n) && odd(e) && e != [1] && bits(e) <= 33
}

fn public_key_of(n: &[u8], e: &[u8]) -> Option<PublicKey> {
    if !public_numbers_valid(n, e) {
        return None;
    }
    let pkcs1 =
        RsaPublicKeyRef { modulus: UintRef::new(n).ok()?, public_exponent: UintRef::new(e).ok()? }.to_der().ok()?;
    let spki = spki::SubjectPublicKeyInfoRef {
        algorithm: rsa::pkcs1::ALGORITHM_ID,
        subject_public_key: der::asn1::BitStringRef::new(0, &pkcs1).ok()?,
    }
    .to_der()
    .ok()?;
    Some(PublicKey { spki, n: n.to_vec(), e: e.to_vec(), rsa: OnceLock::new() })
}

/// A private key from its PKCS#1 structure and DER, re-wrapped as rsaEncryption PKCS#8 (DER work
/// only: no number is computed).
fn private_key_of(inner: &RsaPrivateKeyRef<'_>, pkcs1_der: &[u8], role: &str) -> Option<PrivateKey> {
    let n = inner.modulus.as_bytes();
    let within = |x: &UintRef<'_>| !x.as_bytes().is_empty() && x.as_bytes().len() <= n.len();
    let two_prime = inner.version() == rsa::pkcs1::Version::TwoPrime;
    if !two_prime || !within(&inner.private_exponent) || !within(&inner.prime1) || !within(&inner.prime2) {
        return None;
    }
    let public = public_key_of(n, inner.public_exponent.as_bytes())?;
    let info = pkcs8::PrivateKeyInfoRef::new(rsa::pkcs1::ALGORITHM_ID, der::asn1::OctetStringRef::new(pkcs1_der).ok()?);
    let pkcs8 = Zeroizing::new(info.to_der().ok()?);
    Some(PrivateKey { pkcs8, public, role: role.to_owned(), rsa: OnceLock::new() })
}

fn private_from_pkcs8(der: &[u8], role: &str, limits: &Limits) -> Result<PrivateKey> {
    let invalid = || Error::key_invalid(format!("{role}: not a valid PKCS#8 RSA private key"));
    let info = pkcs8::PrivateKeyInfoRef::from_der(der).map_err(|_| invalid())?;
    let pkcs1_der = info.private_key.as_bytes();
    let inner = RsaPrivateKeyRef::from_der(pkcs1_der).map_err(|_| invalid())?;
    limits.check_key_bits(modulus_bits(&inner.modulus), role)?;
    if !rsa_algorithm(&info.algorithm) {
        return Err(invalid());
    }
    private_key_of(&inner, pkcs1_der, role).ok_or_else(invalid)
}

fn private_from_pkcs1(der: &[u8], role: &str, limits: &Limits) -> Result<PrivateKey> {
    let invalid = || Error::key_invalid(format!("{role}: not a valid PKCS#1 RSA private key"));
    let inner = RsaPrivateKeyRef::from_der(der).map_err(|_| invalid())?;
    limits.check_key_bits(modulus_bits(&inner.modulus), role)?;
    private_key_of(&inner, der, role).ok_or_else(invalid)
}

fn public_from_spki(der: &[u8], role: &str, limits: &Limits) -> Result<PublicKey> {
    let invalid = || Error::key_invalid(format!("{role}: not a valid SPKI RSA public key"));
    let spki = spki::SubjectPublicKeyInfoRef::from_der(der).map_err(|_| invalid())?;
    let bits = spki.subject_public_key.as_bytes().ok_or_else(invalid)?;
    let inner = RsaPublicKeyRef::from_der(bits).map_err(|_| invalid())?;
    limits.check_key_bits(modulus_bits(&inner.modulus), role)?;
    if !rsa_algorithm(&spki.algorithm) {
        return Err(invalid());
    }
    public_key_of(inner.modulus.as_bytes(), inner.public_exponent.as_bytes()).ok_or_else(invalid)
}

fn public_from_pkcs1(der: &[u8], role: &str, limits: &Limits) -> Result<PublicKey> {
    let invalid = || Error::key_invalid(format!("{role}: not a valid PKCS#1 RSA public key"));
    let inner = RsaPublicKeyRef::from_der(der).map_err(|_| invalid())?;
    limits.check_key_bits(modulus_bits(&inner.modulus), role)?;
    public_key_of(inner.modulus.as_bytes(), inner.public_exponent.as_bytes()).ok_or_else(invalid)
}

#[derive(Clone, Copy)]
enum KeyKind {
    Private,
    Public,
    Certificate,
    Other,
}

impl KeyKind {
    fn describe(self) -> &'static str {
        match self {
            KeyKind::Private => "private key",
            KeyKind::Public => "public key",
            KeyKind::Certificate => "certificate",
            KeyKind::Other => "unrecognised",
        }
    }
}

/// What a bare DER that failed to load as the wanted kind is instead, if anything recognisable.
fn classify_der(der: &[u8]) -> Option<KeyKind> {
    if pkcs8::PrivateKeyInfoRef::from_der(der).is_ok() || RsaPrivateKeyRef::from_der(der).is_ok() {
        Some(KeyKind::Private)
    } else if spki::SubjectPublicKeyInfoRef::from_der(der).is_ok() || RsaPublicKeyRef::from_der(der).is_ok() {
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
    match e.code() {
        ErrorCode::KeyInvalid => Error::cert_invalid(e.message().to_owned()),
        _ => e,
    }
}

fn parse_certificate(der: &[u8], role: &str) -> Result<Certificate> {
    let cert =
        X509::from_der(der).map_err(|_| Error::cert_invalid(format!("{role}: not a valid X.509 certificate")))?;
    let tbs = cert.tbs_certificate();
    let spki_der = tbs
        .subject_public_key_info()
        .to_der()
        .map_err(|_| Error::cert_invalid(format!("{role}: certificate public key could not be encoded")))?;
    // x509-cert has checked the whole certificate; the names are read again only to keep the encoding order.
    let names_error = |_| Error::cert_invalid(format!("{role}: certificate names could not be read"));
    let [issuer, subject] = names_in_encoding_order(der).map_err(names_error)?;
    Ok(Certificate {
        der: der.to_vec(),
        serial: strip_leading_zeros(tbs.serial_number().as_bytes()).to_vec(),
        serial_decimal: signed_decimal(tbs.serial_number().as_bytes()),
        issuer: rfc2253(&issuer).map_err(names_error)?,
        subject: rfc2253(&subject).map_err(names_error)?,
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

/// Base-10 text of an unsigned big-endian integer (serial numbers are at most 21 bytes).
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

/// Base-10 text of a two's-complement big-endian integer (a DER INTEGER's content), as Java's
/// `BigInteger.toString()` prints it: `-` and the magnitude when the high bit of the first byte is set.
fn signed_decimal(bytes: &[u8]) -> String {
    match bytes.first() {
        Some(first) if first & 0x80 != 0 => {
            // magnitude = !x + 1
            let mut magnitude: Vec<u8> = bytes.iter().map(|b| !b).collect();
            for byte in magnitude.iter_mut().rev() {
                let (sum, carry) = byte.overflowing_add(1);
                *byte = sum;
                if !carry {
                    break;
                }
            }
            format!("-{}", unsigned_decimal(&magnitude))
        }
        _ => unsigned_decimal(bytes),
    }
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
        // Java's BigInteger of the DER INTEGER: signed.
        assert_eq!(signed_decimal(&[0x00]), "0");
        assert_eq!(signed_decimal(&[0x00, 0x80]), "128");
        assert_eq!(signed_decimal(&[0x7f]), "127");
        assert_eq!(signed_decimal(&[0x80]), "-128");
        assert_eq!(signed_decimal(&[0xff]), "-1");
        assert_eq!(signed_decimal(&[0xff, 0x01]), "-255");
        assert_eq!(signed_decimal(&[0xff, 0x00]), "-256");
        let mut most_negative = vec![0x80u8];
        most_negative.extend([0u8; 15]);
        assert_eq!(signed_decimal(&most_negative), "-170141183460469231731687303715884105728");
    }
}
