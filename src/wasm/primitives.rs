//! Low-level primitives for hosts and tests (`primitives.*` in JS). Provider clients use them internally.

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

use super::{IntoJs, JsResult, MaxBytes, bytes_of};
use crate::crypto::{aes, digest};

fn out(bytes: &[u8]) -> Uint8Array {
    Uint8Array::from(bytes)
}

#[wasm_bindgen]
pub fn md5(data: JsValue) -> JsResult<Uint8Array> {
    Ok(out(&digest::md5(&bytes_of(&data, "data", MaxBytes::DATA)?)))
}

#[wasm_bindgen]
pub fn sha256(data: JsValue) -> JsResult<Uint8Array> {
    Ok(out(&digest::sha256(&bytes_of(&data, "data", MaxBytes::DATA)?)))
}

#[wasm_bindgen(js_name = hmacSha256)]
pub fn hmac_sha256(key: JsValue, data: JsValue) -> JsResult<Uint8Array> {
    Ok(out(&digest::hmac_sha256(&bytes_of(&key, "key", MaxBytes::DATA)?, &bytes_of(&data, "data", MaxBytes::DATA)?)
        .js()?))
}

#[wasm_bindgen(js_name = timingSafeEqual)]
pub fn timing_safe_equal(a: JsValue, b: JsValue) -> JsResult<bool> {
    Ok(digest::constant_time_eq(&bytes_of(&a, "a", MaxBytes::DATA)?, &bytes_of(&b, "b", MaxBytes::DATA)?))
}

#[wasm_bindgen(js_name = aesGcmDecrypt)]
pub fn aes_gcm_decrypt(key: JsValue, nonce: JsValue, aad: JsValue, ciphertext: JsValue) -> JsResult<Uint8Array> {
    let plain = aes::gcm_decrypt(
        &bytes_of(&key, "key", MaxBytes::DATA)?,
        &bytes_of(&nonce, "nonce", MaxBytes::DATA)?,
        &bytes_of(&aad, "associated data", MaxBytes::DATA)?,
        &bytes_of(&ciphertext, "ciphertext", MaxBytes::DATA)?,
    );
    Ok(out(&plain.js()?))
}

#[wasm_bindgen(js_name = aesCbcEncrypt)]
pub fn aes_cbc_encrypt(key: JsValue, iv: JsValue, plaintext: JsValue) -> JsResult<Uint8Array> {
    let cipher = aes::cbc128_encrypt(
        &bytes_of(&key, "key", MaxBytes::DATA)?,
        &bytes_of(&iv, "iv", MaxBytes::DATA)?,
        &bytes_of(&plaintext, "plaintext", MaxBytes::DATA)?,
    );
    Ok(out(&cipher.js()?))
}

#[wasm_bindgen(js_name = aesCbcDecrypt)]
pub fn aes_cbc_decrypt(key: JsValue, iv: JsValue, ciphertext: JsValue) -> JsResult<Uint8Array> {
    let plain = aes::cbc128_decrypt(
        &bytes_of(&key, "key", MaxBytes::DATA)?,
        &bytes_of(&iv, "iv", MaxBytes::DATA)?,
        &bytes_of(&ciphertext, "ciphertext", MaxBytes::DATA)?,
    );
    Ok(out(&plain.js()?))
}

#[wasm_bindgen(js_name = aesEcbDecrypt)]
pub fn aes_ecb_decrypt(key: JsValue, ciphertext: JsValue) -> JsResult<Uint8Array> {
    let plain = aes::ecb256_decrypt(
        &bytes_of(&key, "key", MaxBytes::DATA)?,
        &bytes_of(&ciphertext, "ciphertext", MaxBytes::DATA)?,
    );
    Ok(out(&plain.js()?))
}
