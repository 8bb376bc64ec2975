//! Content encryption (`encrypt_type=AES`): AES-128-CBC, zero IV, PKCS#7, standard base64.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use zeroize::Zeroizing;

use crate::crypto::aes;
use crate::error::{Error, Result};

const ZERO_IV: [u8; 16] = [0; 16];

/// The console's "AES key": base64 of 16 bytes. Its `Debug` never shows it; it is wiped from
/// memory when dropped.
#[derive(Clone)]
pub struct ContentKey(Zeroizing<[u8; 16]>);

impl std::fmt::Debug for ContentKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ContentKey(AES-128)")
    }
}

impl ContentKey {
    /// The key from the console's base64 text; `ERR_KEY_INVALID` unless it is 16 bytes.
    pub fn from_base64(text: &str) -> Result<ContentKey> {
        let bytes = Zeroizing::new(
            STANDARD.decode(text.trim()).map_err(|_| Error::key_invalid("Alipay AES key (encryptKey): not base64"))?,
        );
        if bytes.len() != 16 {
            return Err(Error::key_invalid(
                "Alipay AES key (encryptKey): must be 16 bytes (AES-128) after base64 decoding",
            ));
        }
        let mut key = Zeroizing::new([0u8; 16]);
        key.copy_from_slice(&bytes);
        Ok(ContentKey(key))
    }

    /// The base64 ciphertext of `plaintext`, as sent in `biz_content`.
    pub fn encrypt(&self, plaintext: &str) -> Result<String> {
        Ok(STANDARD.encode(aes::cbc128_encrypt(self.0.as_slice(), &ZERO_IV, plaintext.as_bytes())?))
    }

    /// The plaintext of an encrypted response node; `ERR_DECRYPT_FAILED` on any failure.
    pub fn decrypt(&self, ciphertext_base64: &str) -> Result<String> {
        let ciphertext = STANDARD.decode(ciphertext_base64).map_err(|_| Error::decrypt_failed())?;
        let plain = aes::cbc128_decrypt(self.0.as_slice(), &ZERO_IV, &ciphertext)?;
        String::from_utf8(plain).map_err(|_| Error::decrypt_failed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_sdk_vectors() {
        let key = ContentKey::from_base64("aYA0GP8JEW+D7/UFaskCWA==").unwrap();
        assert_eq!(key.encrypt(r#"{"a":"b"}"#).unwrap(), "R3LQqE0yoeXp+9VjLcoRfA==");
        assert_eq!(key.decrypt("R3LQqE0yoeXp+9VjLcoRfA==").unwrap(), r#"{"a":"b"}"#);
        assert!(ContentKey::from_base64("AAAA").is_err());
        assert_eq!(format!("{key:?}"), "ContentKey(AES-128)");
    }
}
