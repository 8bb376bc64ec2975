//! JS classes over the key loader and the engine seam: `RsaSigner`, `RsaVerifier`, `Certificate`.

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::pending::{engine_methods, pending};
use super::{IntoJs, JsResult, MaxBytes, bytes_of, js_error, js_of, opt_str_arg, str_arg, string_option};
use crate::crypto::rsa::{self, Hash};
use crate::crypto::step::Pending;
use crate::error::Error;
use crate::keys::{self, KeyRing};
use crate::limits::Limits;

fn hash_of(hash: &JsValue) -> JsResult<Hash> {
    opt_str_arg(hash, "hash", MaxBytes::SMALL)?.map_or(Ok(Hash::Sha256), |name| Hash::from_name(&name)).js()
}

fn role_of(options: &JsValue, default: &str) -> JsResult<String> {
    Ok(string_option(options, "role")?.unwrap_or_else(|| default.to_owned()))
}

/// The id of the one key in an `RsaSigner`'s or `RsaVerifier`'s ring.
const KEY_ID: &str = "key";

/// RSASSA-PKCS1-v1_5 signing (and OAEP decryption) with a private key parsed once.
#[wasm_bindgen(js_name = RsaSigner)]
pub struct JsRsaSigner {
    keys: KeyRing,
}

impl JsRsaSigner {
    /// The key (a signer is only ever built holding one).
    fn key(&self) -> JsResult<&keys::PrivateKey> {
        self.keys.private_key().ok_or_else(|| js_error(Error::engine("this RsaSigner holds no key")))
    }

    /// The signature over `message`, as `to_js` gives it to JS.
    fn signing(&self, message: &JsValue, hash: &JsValue, to_js: fn(Vec<u8>) -> JsValue) -> JsResult<JsValue> {
        let message = bytes_of(message, "message", MaxBytes::DATA)?;
        pending(Ok(Pending::signature(KEY_ID, hash_of(hash)?, message)), move |signature| Ok(to_js(signature)))
    }
}

#[wasm_bindgen(js_class = RsaSigner)]
impl JsRsaSigner {
    /// `new RsaSigner(privateKey, { role? })` (the host reads `engine`).
    #[wasm_bindgen(constructor)]
    pub fn new(private_key: JsValue, options: JsValue) -> JsResult<JsRsaSigner> {
        let role = role_of(&options, "private key")?;
        let key = keys::load_private_key(
            &Zeroizing::new(str_arg(&private_key, &role, MaxBytes::SMALL)?),
            &role,
            &Limits::default(),
        )
        .js()?;
        let mut ring = KeyRing::new();
        ring.set_private(KEY_ID, key);
        Ok(JsRsaSigner { keys: ring })
    }

    /// Signature bytes over `message` (a string is signed as its UTF-8 bytes); `hash` is `"sha256"` (default) or `"sha1"`.
    #[wasm_bindgen(js_name = step_sign)]
    pub fn sign(&self, message: JsValue, hash: JsValue) -> JsResult<JsValue> {
        self.signing(&message, &hash, |signature| Uint8Array::from(signature.as_slice()).into())
    }

    /// The same signature as standard base64 text (what providers send and expect).
    #[wasm_bindgen(js_name = step_signBase64)]
    pub fn sign_base64(&self, message: JsValue, hash: JsValue) -> JsResult<JsValue> {
        self.signing(&message, &hash, |signature| JsValue::from_str(&STANDARD.encode(signature)))
    }

    /// RSAES-OAEP (SHA-1, MGF1-SHA-1) decryption; always in Wasm.
    #[wasm_bindgen(js_name = decryptOaep)]
    pub fn decrypt_oaep(&self, ciphertext: JsValue) -> JsResult<Uint8Array> {
        let ciphertext = bytes_of(&ciphertext, "ciphertext", MaxBytes::SMALL)?;
        Ok(Uint8Array::from(rsa::oaep_sha1_decrypt(self.key()?, &ciphertext).js()?.as_slice()))
    }

    /// SPKI DER of the matching public key.
    #[wasm_bindgen(js_name = publicKeySpki)]
    pub fn public_key_spki(&self) -> JsResult<Uint8Array> {
        Ok(Uint8Array::from(self.key()?.public_key().to_spki_der().js()?.as_slice()))
    }

    /// The key's modulus size in bits.
    #[wasm_bindgen(getter)]
    pub fn bits(&self) -> JsResult<usize> {
        Ok(self.key()?.bits())
    }
}

/// RSASSA-PKCS1-v1_5 verification (and RSA encryption) with a public key or certificate parsed once.
#[wasm_bindgen(js_name = RsaVerifier)]
pub struct JsRsaVerifier {
    keys: KeyRing,
}

impl JsRsaVerifier {
    /// The key (a verifier is only ever built holding one).
    fn key(&self) -> JsResult<&keys::PublicKey> {
        self.keys.public_key(KEY_ID).ok_or_else(|| js_error(Error::engine("this RsaVerifier holds no key")))
    }

    /// `true` once the signature verifies over `message`, `false` when it does not.
    fn check(&self, message: &JsValue, signature: Option<Vec<u8>>, hash: &JsValue) -> JsResult<JsValue> {
        let message = bytes_of(message, "message", MaxBytes::DATA)?;
        pending(Ok(Pending::check(KEY_ID, hash_of(hash)?, message, signature)), |valid| Ok(valid.into()))
    }
}

#[wasm_bindgen(js_class = RsaVerifier)]
impl JsRsaVerifier {
    /// `new RsaVerifier(publicKeyOrCertificate, { role? })` (the host reads `engine`).
    #[wasm_bindgen(constructor)]
    pub fn new(public_key: JsValue, options: JsValue) -> JsResult<JsRsaVerifier> {
        let role = role_of(&options, "public key")?;
        let key =
            keys::load_public_key(&str_arg(&public_key, &role, MaxBytes::SMALL)?, &role, &Limits::default()).js()?;
        let mut ring = KeyRing::new();
        ring.add_public(KEY_ID, key);
        Ok(JsRsaVerifier { keys: ring })
    }

    /// Whether `signature` (bytes: a `Uint8Array` or `ArrayBuffer`) is valid for `message`. A string
    /// signature is refused: base64 text goes to `verifyBase64`.
    #[wasm_bindgen(js_name = step_verify)]
    pub fn verify(&self, message: JsValue, signature: JsValue, hash: JsValue) -> JsResult<JsValue> {
        let signature = signature_bytes(&signature)?;
        self.check(&message, Some(signature), &hash)
    }

    /// Whether `signature`, standard base64 text as providers send it, is valid for `message` (text
    /// that is not base64 is not a valid signature: `false`).
    #[wasm_bindgen(js_name = step_verifyBase64)]
    pub fn verify_base64(&self, message: JsValue, signature: JsValue, hash: JsValue) -> JsResult<JsValue> {
        let text = str_arg(&signature, "signature (base64 text)", MaxBytes::SMALL)?;
        self.check(&message, STANDARD.decode(text.trim()).ok(), &hash)
    }

    /// What `signature` (standard base64 text), opened with this key, says it signs:
    /// `{ hash: 'sha256' | 'sha1', digest: hex }`, or `null` when it was not made with the matching
    /// private key (or is no signature). For diagnosis: a signature over another text still opens,
    /// one made with another key does not.
    #[wasm_bindgen(js_name = signedDigest)]
    pub fn signed_digest(&self, signature: JsValue) -> JsResult<JsValue> {
        let text = str_arg(&signature, "signature (base64 text)", MaxBytes::SMALL)?;
        let Some(signature) = STANDARD.decode(text.trim()).ok() else { return Ok(JsValue::NULL) };
        match self.key()?.signed_digest(&signature) {
            None => Ok(JsValue::NULL),
            Some((hash, digest)) => js_of(&serde_json::json!({
                "hash": hash.name(),
                "digest": crate::crypto::digest::hex_lower(&digest),
            })),
        }
    }

    /// RSAES-OAEP (SHA-1, MGF1-SHA-1) encryption.
    #[wasm_bindgen(js_name = encryptOaep)]
    pub fn encrypt_oaep(&self, plaintext: JsValue) -> JsResult<Uint8Array> {
        let plaintext = bytes_of(&plaintext, "plaintext", MaxBytes::SMALL)?;
        Ok(Uint8Array::from(rsa::oaep_sha1_encrypt(self.key()?, &plaintext).js()?.as_slice()))
    }

    /// RSAES-PKCS1-v1_5 encryption.
    #[wasm_bindgen(js_name = encryptPkcs1v15)]
    pub fn encrypt_pkcs1v15(&self, plaintext: JsValue) -> JsResult<Uint8Array> {
        let plaintext = bytes_of(&plaintext, "plaintext", MaxBytes::SMALL)?;
        Ok(Uint8Array::from(rsa::pkcs1v15_encrypt(self.key()?, &plaintext).js()?.as_slice()))
    }

    /// SPKI DER of the key.
    #[wasm_bindgen(js_name = publicKeySpki)]
    pub fn public_key_spki(&self) -> JsResult<Uint8Array> {
        Ok(Uint8Array::from(self.key()?.to_spki_der().js()?.as_slice()))
    }

    /// The key's modulus size in bits.
    #[wasm_bindgen(getter)]
    pub fn bits(&self) -> JsResult<usize> {
        Ok(self.key()?.bits())
    }
}

/// Signature bytes; a string is refused with a pointer to the base64 form.
fn signature_bytes(value: &JsValue) -> JsResult<Vec<u8>> {
    if value.is_string() {
        return Err(js_error(Error::bad_input(
            "signature is a string: pass base64 text to verifyBase64 (or verifyBase64Async), or the signature bytes here",
        )));
    }
    bytes_of(value, "signature", MaxBytes::SMALL)
}

/// An X.509 certificate's public facts.
#[wasm_bindgen(js_name = Certificate)]
pub struct JsCertificate {
    cert: keys::Certificate,
}

#[wasm_bindgen(js_class = Certificate)]
impl JsCertificate {
    /// Exactly one certificate, PEM or bare base64 DER.
    pub fn parse(text: JsValue) -> JsResult<JsCertificate> {
        Ok(JsCertificate {
            cert: keys::load_certificate(&str_arg(&text, "certificate", MaxBytes::SMALL)?, "certificate").js()?,
        })
    }

    /// Every certificate in the text, in file order.
    #[wasm_bindgen(js_name = parseChain)]
    pub fn parse_chain(text: JsValue) -> JsResult<Vec<JsCertificate>> {
        let chain =
            keys::load_certificate_chain(&str_arg(&text, "certificate chain", MaxBytes::SMALL)?, "certificate chain")
                .js()?;
        Ok(chain.into_iter().map(|cert| JsCertificate { cert }).collect())
    }

    #[wasm_bindgen(getter, js_name = serialDecimal)]
    pub fn serial_decimal(&self) -> String {
        self.cert.serial_decimal()
    }
    #[wasm_bindgen(getter, js_name = serialHex)]
    pub fn serial_hex(&self) -> String {
        self.cert.serial_hex()
    }
    #[wasm_bindgen(getter)]
    pub fn issuer(&self) -> String {
        self.cert.issuer().to_owned()
    }
    /// Alipay's certificate SN (`alipay_cert_sn`, `app_cert_sn`): MD5 of the issuer and the decimal serial.
    #[wasm_bindgen(getter, js_name = alipayCertSn)]
    pub fn alipay_cert_sn(&self) -> String {
        crate::alipay::cert::cert_sn(&self.cert)
    }
    #[wasm_bindgen(getter)]
    pub fn subject(&self) -> String {
        self.cert.subject().to_owned()
    }
    /// Seconds since the Unix epoch.
    #[wasm_bindgen(getter, js_name = notBefore)]
    pub fn not_before(&self) -> f64 {
        self.cert.not_before() as f64
    }
    /// Seconds since the Unix epoch.
    #[wasm_bindgen(getter, js_name = notAfter)]
    pub fn not_after(&self) -> f64 {
        self.cert.not_after() as f64
    }
    #[wasm_bindgen(getter, js_name = signatureAlgorithm)]
    pub fn signature_algorithm(&self) -> String {
        self.cert.signature_algorithm().to_owned()
    }
    #[wasm_bindgen(getter, js_name = publicKeyAlgorithm)]
    pub fn public_key_algorithm(&self) -> String {
        self.cert.public_key_algorithm().to_owned()
    }
    #[wasm_bindgen(getter)]
    pub fn der(&self) -> Uint8Array {
        Uint8Array::from(self.cert.der())
    }
    /// SubjectPublicKeyInfo DER of the subject key (any algorithm).
    #[wasm_bindgen(js_name = publicKeySpki)]
    pub fn public_key_spki(&self) -> Uint8Array {
        Uint8Array::from(self.cert.spki_der())
    }
}

engine_methods!(JsRsaSigner, RsaSigner, |this| Some(&this.keys));

engine_methods!(JsRsaVerifier, RsaVerifier, |this| Some(&this.keys));
