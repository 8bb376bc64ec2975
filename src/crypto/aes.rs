//! AES modes the providers use: GCM (WeChat Pay APIv3 notifications and certificates), CBC
//! (Alipay content encryption, WeChat mini-program `encryptedData`), ECB (WeChat Pay v2 refund
//! notifications). Every failure is `ERR_DECRYPT_FAILED` or `ERR_BAD_INPUT`, never a panic.

use aes::{Aes128, Aes256};
use aes_gcm::aead::Aead;
use aes_gcm::{Aes128Gcm, Aes256Gcm, KeyInit, Nonce, aead::Payload};
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};

use crate::error::{Error, Result};

/// AES-GCM decryption with a 16-byte (AES-128) or 32-byte (AES-256) key, a 12-byte nonce and the
/// 16-byte tag appended to the ciphertext (the layout WeChat Pay uses).
pub fn gcm_decrypt(key: &[u8], nonce: &[u8], aad: &[u8], ciphertext_and_tag: &[u8]) -> Result<Vec<u8>> {
    if nonce.len() != 12 {
        return Err(Error::bad_input(format!("AES-GCM nonce must be 12 bytes, got {}", nonce.len())));
    }
    if ciphertext_and_tag.len() < 16 {
        return Err(Error::decrypt_failed());
    }
    let payload = Payload { msg: ciphertext_and_tag, aad };
    let failed = |_| Error::decrypt_failed();
    match key.len() {
        16 => {
            let cipher = Aes128Gcm::new_from_slice(key).map_err(|_| aes_key_len(key.len(), "16 or 32"))?;
            cipher.decrypt(&nonce_of(nonce)?, payload).map_err(failed)
        }
        32 => {
            let cipher = Aes256Gcm::new_from_slice(key).map_err(|_| aes_key_len(key.len(), "16 or 32"))?;
            cipher.decrypt(&nonce_of(nonce)?, payload).map_err(failed)
        }
        n => Err(aes_key_len(n, "16 or 32")),
    }
}

fn nonce_of(nonce: &[u8]) -> Result<Nonce<aes_gcm::aead::consts::U12>> {
    Nonce::try_from(nonce).map_err(|_| Error::bad_input("AES-GCM nonce must be 12 bytes"))
}

/// AES-128-CBC with PKCS#7 padding.
pub fn cbc128_encrypt(key: &[u8], iv: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
    let enc = cbc::Encryptor::<Aes128>::new_from_slices(key, iv).map_err(|_| cbc_params(key, iv))?;
    Ok(enc.encrypt_padded_vec::<Pkcs7>(plaintext))
}

/// AES-128-CBC with PKCS#7 padding.
pub fn cbc128_decrypt(key: &[u8], iv: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>> {
    let dec = cbc::Decryptor::<Aes128>::new_from_slices(key, iv).map_err(|_| cbc_params(key, iv))?;
    if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(16) {
        return Err(Error::decrypt_failed());
    }
    dec.decrypt_padded_vec::<Pkcs7>(ciphertext).map_err(|_| Error::decrypt_failed())
}

/// AES-256-ECB with PKCS#7 padding (decrypt only: ECB is accepted for what WeChat Pay v2 sends, never produced).
pub fn ecb256_decrypt(key: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>> {
    let dec = ecb::Decryptor::<Aes256>::new_from_slice(key).map_err(|_| aes_key_len(key.len(), "32"))?;
    if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(16) {
        return Err(Error::decrypt_failed());
    }
    dec.decrypt_padded_vec::<Pkcs7>(ciphertext).map_err(|_| Error::decrypt_failed())
}

fn aes_key_len(got: usize, want: &str) -> Error {
    Error::bad_input(format!("AES key must be {want} bytes, got {got}"))
}

fn cbc_params(key: &[u8], iv: &[u8]) -> Error {
    Error::bad_input(format!("AES-128-CBC needs a 16-byte key and a 16-byte IV, got {} and {}", key.len(), iv.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;

    #[test]
    fn cbc_alipay_content_encryption_vector() {
        // shared/specs/alipay.md §5: AES key and ciphertext from the official Node SDK tests, zero IV.
        let key = STANDARD.decode("aYA0GP8JEW+D7/UFaskCWA==").unwrap();
        let ct = STANDARD
            .decode("4AOYHE0rpPnRnghunsGo+mY02DzANFLwNJJCiHfrNh2oaB2pn33PwOEOvH8mjhkE3Wh/jR+3jHM9nvoFvOsY/SqZbZzamRg9Eh3VkRqOhSM=")
            .unwrap();
        let pt = cbc128_decrypt(&key, &[0; 16], &ct).unwrap();
        assert_eq!(pt, br#"{"code":"10000","msg":"Success","aes_key":"cW8mcZgoMGUVp5g7uv7bHw=="}"#);
        assert_eq!(cbc128_encrypt(&key, &[0; 16], &pt).unwrap(), ct);
    }

    #[test]
    fn gcm_rejects_tampering_and_bad_sizes() {
        use aes_gcm::aead::Aead;
        let key = [7u8; 32];
        let nonce = [1u8; 12];
        let ct = Aes256Gcm::new_from_slice(&key)
            .unwrap()
            .encrypt(&Nonce::try_from(&nonce[..]).unwrap(), Payload { msg: b"hello", aad: b"ad" })
            .unwrap();
        assert_eq!(gcm_decrypt(&key, &nonce, b"ad", &ct).unwrap(), b"hello");
        let mut bad = ct.clone();
        bad[0] ^= 1;
        assert_eq!(gcm_decrypt(&key, &nonce, b"ad", &bad).unwrap_err().code(), ErrorCode::DecryptFailed);
        assert_eq!(gcm_decrypt(&key, &nonce, b"AD", &ct).unwrap_err().code(), ErrorCode::DecryptFailed);
        assert_eq!(gcm_decrypt(&key[..31], &nonce, b"ad", &ct).unwrap_err().code(), ErrorCode::BadInput);
        assert_eq!(gcm_decrypt(&key, &nonce[..11], b"ad", &ct).unwrap_err().code(), ErrorCode::BadInput);
        assert_eq!(gcm_decrypt(&key, &nonce, b"ad", &ct[..15]).unwrap_err().code(), ErrorCode::DecryptFailed);
    }

    #[test]
    fn cbc_and_ecb_refuse_bad_lengths_without_panicking() {
        assert_eq!(cbc128_decrypt(&[0; 16], &[0; 16], &[1; 15]).unwrap_err().code(), ErrorCode::DecryptFailed);
        assert_eq!(cbc128_decrypt(&[0; 16], &[0; 16], &[]).unwrap_err().code(), ErrorCode::DecryptFailed);
        assert_eq!(cbc128_decrypt(&[0; 15], &[0; 16], &[1; 16]).unwrap_err().code(), ErrorCode::BadInput);
        assert_eq!(ecb256_decrypt(&[0; 16], &[1; 16]).unwrap_err().code(), ErrorCode::BadInput);
        assert_eq!(ecb256_decrypt(&[0; 32], &[1; 17]).unwrap_err().code(), ErrorCode::DecryptFailed);
    }
}
