//! JS classes over the key loader and the RSA engine seam: `RsaSigner`, `RsaVerifier`, `Certificate`.

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use super::engine::{self, HostEngine};
use super::{IntoJs, JsResult, MaxBytes, bytes_of, opt_str_arg, str_arg, string_option};
use crate::crypto::rsa::{self, Hash};
use crate::keys;
use crate::limits::Limits;

fn hash_of(hash: &JsValue) -> JsResult<Hash> {
    opt_str_arg(hash, "hash", MaxBytes::SMALL)?.map_or(Ok(Hash::Sha256), |name| Hash::from_name(&name)).js()
}

fn role_of(options: &JsValue, default: &str) -> JsResult<String> {
    Ok(string_option(options, "role")?.unwrap_or_else(|| default.to_owned()))
}

/// RSASSA-PKCS1-v1_5 signing (and OAEP decryption) with a private key parsed once.
#[wasm_bindgen(js_name = RsaSigner)]
pub struct JsRsaSigner {
    signer: Box<dyn rsa::RsaSigner>,
    key: keys::PrivateKey,
    engine: Option<HostEngine>,
}

#[wasm_bindgen(js_class = RsaSigner)]
impl JsRsaSigner {
    /// `new RsaSigner(privateKey, { engine?, role? })`
    #[wasm_bindgen(constructor)]
    pub fn new(private_key: JsValue, options: JsValue) -> JsResult<JsRsaSigner> {
        let role = role_of(&options, "private key")?;
        let key = keys::load_private_key(
            &Zeroizing::new(str_arg(&private_key, &role, MaxBytes::SMALL)?),
            &role,
            &Limits::default(),
        )
        .js()?;
        let engine = engine::choose(&options)?;
        let signer = engine::signer(key.clone(), &engine).js()?;
        Ok(JsRsaSigner { signer, key, engine })
    }

    /// Signature bytes over `message` (a string is signed as its UTF-8 bytes); `hash` is `"sha256"` (default) or `"sha1"`.
    pub fn sign(&self, message: JsValue, hash: JsValue) -> JsResult<Uint8Array> {
        let message = bytes_of(&message, "message", MaxBytes::DATA)?;
        let signature = self.signer.sign(hash_of(&hash)?, &message).js()?;
        Ok(Uint8Array::from(signature.as_slice()))
    }

    /// RSAES-OAEP (SHA-1, MGF1-SHA-1) decryption; always in Wasm.
    #[wasm_bindgen(js_name = decryptOaep)]
    pub fn decrypt_oaep(&self, ciphertext: JsValue) -> JsResult<Uint8Array> {
        let ciphertext = bytes_of(&ciphertext, "ciphertext", MaxBytes::SMALL)?;
        Ok(Uint8Array::from(rsa::oaep_sha1_decrypt(&self.key, &ciphertext).js()?.as_slice()))
    }

    /// SPKI DER of the matching public key.
    #[wasm_bindgen(js_name = publicKeySpki)]
    pub fn public_key_spki(&self) -> JsResult<Uint8Array> {
        Ok(Uint8Array::from(self.key.public_key().to_spki_der().js()?.as_slice()))
    }

    #[wasm_bindgen(getter)]
    pub fn bits(&self) -> usize {
        self.key.bits()
    }

    /// `"node"` or `"wasm"`: where the RSA primitive runs.
    #[wasm_bindgen(getter)]
    pub fn engine(&self) -> String {
        engine::engine_name(&self.engine).to_owned()
    }
}

/// RSASSA-PKCS1-v1_5 verification (and RSA encryption) with a public key or certificate parsed once.
#[wasm_bindgen(js_name = RsaVerifier)]
pub struct JsRsaVerifier {
    verifier: Box<dyn rsa::RsaVerifier>,
    key: keys::PublicKey,
    engine: Option<HostEngine>,
}

#[wasm_bindgen(js_class = RsaVerifier)]
impl JsRsaVerifier {
    /// `new RsaVerifier(publicKeyOrCertificate, { engine?, role? })`
    #[wasm_bindgen(constructor)]
    pub fn new(public_key: JsValue, options: JsValue) -> JsResult<JsRsaVerifier> {
        let role = role_of(&options, "public key")?;
        let key =
            keys::load_public_key(&str_arg(&public_key, &role, MaxBytes::SMALL)?, &role, &Limits::default()).js()?;
        let engine = engine::choose(&options)?;
        let verifier = engine::verifier(key.clone(), &engine).js()?;
        Ok(JsRsaVerifier { verifier, key, engine })
    }

    /// `true` when `signature` is valid for `message`; `false` when it is not. Bad arguments throw.
    pub fn verify(&self, message: JsValue, signature: JsValue, hash: JsValue) -> JsResult<bool> {
        let message = bytes_of(&message, "message", MaxBytes::DATA)?;
        let signature = bytes_of(&signature, "signature", MaxBytes::SMALL)?;
        match self.verifier.verify(hash_of(&hash)?, &message, &signature) {
            Ok(()) => Ok(true),
            Err(e) if e.code() == crate::ErrorCode::SignatureInvalid => Ok(false),
            Err(e) => Err(super::js_error(e)),
        }
    }

    /// RSAES-OAEP (SHA-1, MGF1-SHA-1) encryption.
    #[wasm_bindgen(js_name = encryptOaep)]
    pub fn encrypt_oaep(&self, plaintext: JsValue) -> JsResult<Uint8Array> {
        let plaintext = bytes_of(&plaintext, "plaintext", MaxBytes::SMALL)?;
        Ok(Uint8Array::from(rsa::oaep_sha1_encrypt(&self.key, &plaintext).js()?.as_slice()))
    }

    /// RSAES-PKCS1-v1_5 encryption.
    #[wasm_bindgen(js_name = encryptPkcs1v15)]
    pub fn encrypt_pkcs1v15(&self, plaintext: JsValue) -> JsResult<Uint8Array> {
        let plaintext = bytes_of(&plaintext, "plaintext", MaxBytes::SMALL)?;
        Ok(Uint8Array::from(rsa::pkcs1v15_encrypt(&self.key, &plaintext).js()?.as_slice()))
    }

    /// SPKI DER of the key.
    #[wasm_bindgen(js_name = publicKeySpki)]
    pub fn public_key_spki(&self) -> JsResult<Uint8Array> {
        Ok(Uint8Array::from(self.key.to_spki_der().js()?.as_slice()))
    }

    #[wasm_bindgen(getter)]
    pub fn bits(&self) -> usize {
        self.key.bits()
    }

    #[wasm_bindgen(getter)]
    pub fn engine(&self) -> String {
        engine::engine_name(&self.engine).to_owned()
    }
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
