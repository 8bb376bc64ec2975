//! The size floor: the operations aggpay's Wasm module cannot do without, through the crates it must
//! use (RustCrypto `rsa`, `der`, `x509-cert`; `serde_json`; `wasm-bindgen`) and nothing of aggpay.
//! bench/size-floor.mjs checks each against node:crypto before it reports the module's size.
#![forbid(unsafe_code)]

use der::Decode;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use wasm_bindgen::prelude::*;

/// An RSA PKCS#1 v1.5 signature over `message` with the PKCS#8 DER `key`: SHA-256, or SHA-1 when `sha1`.
#[wasm_bindgen]
pub fn sign(key: &[u8], message: &[u8], sha1: bool) -> Option<Vec<u8>> {
    let key = rsa::RsaPrivateKey::from_pkcs8_der(key).ok()?;
    Some(if sha1 {
        SigningKey::<sha1::Sha1>::new(key).sign(message).to_vec()
    } else {
        SigningKey::<sha2::Sha256>::new(key).sign(message).to_vec()
    })
}

/// Whether `signature` is an RSA PKCS#1 v1.5 signature over `message` by the SPKI DER `key`.
#[wasm_bindgen]
pub fn verify(key: &[u8], message: &[u8], signature: &[u8], sha1: bool) -> bool {
    let (Ok(key), Ok(signature)) = (rsa::RsaPublicKey::from_public_key_der(key), Signature::try_from(signature)) else {
        return false;
    };
    if sha1 {
        VerifyingKey::<sha1::Sha1>::new(key).verify(message, &signature).is_ok()
    } else {
        VerifyingKey::<sha2::Sha256>::new(key).verify(message, &signature).is_ok()
    }
}

/// The serial number of a DER certificate, hex, and its subject as text.
#[wasm_bindgen]
pub fn certificate(der: &[u8]) -> Option<Vec<String>> {
    let certificate = x509_cert::Certificate::from_der(der).ok()?;
    let tbs = certificate.tbs_certificate();
    let serial = tbs.serial_number().as_bytes().iter().map(|b| format!("{b:02X}")).collect();
    Some(vec![serial, tbs.subject().to_string()])
}

/// JSON text read and written again (numbers kept exact, members in order).
#[wasm_bindgen]
pub fn json(text: &str) -> Option<String> {
    serde_json::to_string(&serde_json::from_str::<serde_json::Value>(text).ok()?).ok()
}
