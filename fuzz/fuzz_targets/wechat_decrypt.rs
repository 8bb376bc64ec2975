//! WeChat: `login::parse_code2session` and `login::decrypt_user_data` on the input as text, and the
//! AES primitives (`gcm_decrypt`, `cbc128_decrypt`, `ecb256_decrypt`) on key / nonce / ciphertext
//! split from its bytes, with encrypt → decrypt round trips.
//!
//! Text form for `decrypt_user_data`: four lines, `appid`, `session_key`, `iv`, `encryptedData`.
//! Byte form: selector, key (16 / 32 / 24 / chosen length), nonce (12 or chosen length), AAD
//! length and AAD, then the ciphertext.
#![no_main]

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes128Gcm, Aes256Gcm, KeyInit, Nonce};
use aggpay::crypto::aes::{cbc128_decrypt, cbc128_encrypt, ecb256_decrypt, gcm_decrypt};
use aggpay_fuzz::{Reader, decrypt_user_data, parse_code2session, trace};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use libfuzzer_sys::fuzz_target;

const APP_ID: &str = "wx4f4bc4dec97d474b";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    trace("parse_code2session", &parse_code2session(&text));
    let mut lines = text.splitn(4, '\n');
    let (appid, key, iv, encrypted) = (
        lines.next().unwrap_or(""),
        lines.next().unwrap_or(""),
        lines.next().unwrap_or(""),
        lines.next().unwrap_or(""),
    );
    trace("decrypt_user_data", &decrypt_user_data(appid, key, encrypted, iv));

    let mut r = Reader(data);
    let selector = r.byte();
    let key_len = match selector & 3 {
        0 => 16,
        1 => 32,
        2 => 24,
        _ => usize::from(r.byte() % 48),
    };
    let key = r.take(key_len);
    let nonce_len = if selector & 4 == 0 { 12 } else { usize::from(r.byte() % 24) };
    let nonce = r.take(nonce_len);
    let aad_len = usize::from(r.byte());
    let aad = r.take(aad_len);
    let ciphertext = r.rest();

    trace("gcm_decrypt", &gcm_decrypt(key, nonce, aad, ciphertext));
    let (iv, body) = ciphertext.split_at(ciphertext.len().min(16));
    let _ = cbc128_decrypt(key, iv, body);
    let _ = ecb256_decrypt(key, ciphertext);

    // Round trips with well-formed parameters: the ciphertext bytes as plaintext.
    let key16: [u8; 16] = std::array::from_fn(|i| key.get(i).copied().unwrap_or(i as u8));
    let key32: [u8; 32] = std::array::from_fn(|i| key.get(i).copied().unwrap_or(i as u8));
    let nonce12: [u8; 12] = std::array::from_fn(|i| nonce.get(i).copied().unwrap_or(0));
    let iv16: [u8; 16] = std::array::from_fn(|i| nonce.get(i).copied().unwrap_or(0));
    let plain = ciphertext;

    let sealed = cbc128_encrypt(&key16, &iv16, plain).expect("CBC encrypt with a 16-byte key and IV");
    assert_eq!(cbc128_decrypt(&key16, &iv16, &sealed).expect("CBC round trip"), plain);
    // decrypt_user_data over that ciphertext: it returns exactly the plaintext, or refuses it.
    if let Ok(out) =
        decrypt_user_data(APP_ID, &STANDARD.encode(key16), &STANDARD.encode(&sealed), &STANDARD.encode(iv16))
    {
        assert_eq!(out.as_bytes(), plain, "decrypt_user_data returned other text than was encrypted");
    }

    let nonce = Nonce::try_from(&nonce12[..]).expect("12-byte nonce");
    let payload = || Payload { msg: plain, aad };
    let sealed = if selector & 8 == 0 {
        Aes128Gcm::new_from_slice(&key16).unwrap().encrypt(&nonce, payload()).unwrap()
    } else {
        Aes256Gcm::new_from_slice(&key32).unwrap().encrypt(&nonce, payload()).unwrap()
    };
    let gcm_key: &[u8] = if selector & 8 == 0 { &key16 } else { &key32 };
    assert_eq!(gcm_decrypt(gcm_key, &nonce12, aad, &sealed).expect("GCM round trip"), plain);
    let mut tampered = sealed.clone();
    let at = usize::from(selector) % tampered.len();
    tampered[at] ^= 1;
    assert!(gcm_decrypt(gcm_key, &nonce12, aad, &tampered).is_err(), "GCM accepted a tampered ciphertext");
});
