//! Sensitive fields (names, ID and phone numbers, bank accounts, e-mail addresses): encrypted for
//! WeChat Pay with the key of a platform certificate or the WeChat Pay public key — RSAES-OAEP with
//! SHA-1 and MGF1-SHA-1 on the mainland and HK APIs, RSAES-PKCS1-v1_5 on the global API — and that
//! key named in the request's `Wechatpay-Serial`; fields WeChat Pay encrypted for the merchant are
//! decrypted with the merchant key (OAEP).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::{Api, PROVIDER, WechatPay, key_for_serial};
use crate::crypto::rsa::{oaep_sha1_decrypt, oaep_sha1_encrypt, pkcs1v15_encrypt};
use crate::error::{Error, Result};

/// A field encrypted for WeChat Pay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptedField {
    /// The key it is encrypted with: send it as the request's `Wechatpay-Serial` (the generic
    /// builder's `wechatpaySerial`). One request encrypts every field with one key.
    pub serial: String,
    /// The ciphertext, base64.
    pub ciphertext: String,
}

impl WechatPay {
    /// Encrypts `plaintext` with the WeChat Pay key `serial` names, or, when `None`, the public key
    /// if one is configured, else the one platform certificate configured (with several, name one).
    /// An empty field is refused: leave it out of the request instead.
    pub fn encrypt_field(&self, plaintext: &str, serial: Option<&str>) -> Result<EncryptedField> {
        if plaintext.is_empty() {
            return Err(Error::bad_input("an empty field is left out of the request, not encrypted"));
        }
        // Encrypting for WeChat Pay needs one of its keys, as verifying does.
        self.check_can_verify()?;
        let ids: Vec<&str> = self.keys.public_ids().collect();
        let serial = match (serial.filter(|s| !s.is_empty()), &self.public_key_id, ids.as_slice()) {
            (Some(serial), _, _) => key_for_serial(&self.keys, serial)
                .map_err(|_| Error::bad_input("encrypt_field: the serial names no configured WeChat Pay key"))?,
            (None, Some(id), _) => id.clone(),
            (None, None, [only]) => (*only).to_owned(),
            (None, None, _) => {
                return Err(Error::bad_input(
                    "several platform certificates are configured: name the one to encrypt with (its serial)",
                ));
            }
        };
        let key = self.keys.public_key(&serial).ok_or_else(|| Error::engine("the serial's key left the key ring"))?;
        let ciphertext = match self.api {
            Api::Global => pkcs1v15_encrypt(key, plaintext.as_bytes()),
            Api::Mainland | Api::HongKong => oaep_sha1_encrypt(key, plaintext.as_bytes()),
        }
        .map_err(|e| e.with_provider(PROVIDER))?;
        Ok(EncryptedField { serial, ciphertext: STANDARD.encode(ciphertext) })
    }

    /// Decrypts a field WeChat Pay encrypted with the merchant's key (base64 RSAES-OAEP, SHA-1):
    /// `ERR_VERIFY_ONLY` without the private key; every failure past that is `ERR_DECRYPT_FAILED`.
    pub fn decrypt_field(&self, ciphertext: &str) -> Result<String> {
        let key = self.keys.private_key().ok_or_else(|| self.verify_only())?;
        let data = STANDARD.decode(ciphertext.trim()).map_err(|_| Error::decrypt_failed().with_provider(PROVIDER))?;
        let plain = oaep_sha1_decrypt(key, &data).map_err(|e| e.with_provider(PROVIDER))?;
        String::from_utf8(plain).map_err(|_| Error::decrypt_failed().with_provider(PROVIDER))
    }
}
