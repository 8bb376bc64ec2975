//! GBK text: Alipay notifications may declare `charset=GBK` (or `gb2312`, `gb18030`), and their values
//! are then decoded as the WHATWG Encoding Standard's `gbk` decoder does (GB18030 decoding, fatal on
//! any malformed sequence).
//!
//! Natively that decoder is encoding_rs. In Wasm it is the host's `TextDecoder('gbk', { fatal: true })`,
//! the same standard decoder, which Node, workerd and browsers ship: encoding_rs's tables for every
//! encoding would otherwise be most of the module's data, for a charset few merchants use. A runtime
//! without it gets `ERR_CHARSET` saying so. ASCII needs no decoder in either case: GBK leaves it as it is.

use std::borrow::Cow;

use crate::error::{Error, ErrorCode, Result};

/// `bytes` as text, or `ERR_CHARSET` when they are not GBK (or, in Wasm, when the host has no GBK
/// decoder).
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>> {
    if bytes.is_ascii() {
        // ASCII is the same text in GBK; checked first so that most fields never reach a decoder.
        return Ok(Cow::Borrowed(std::str::from_utf8(bytes).map_err(|_| not_gbk())?));
    }
    decode_non_ascii(bytes).map(Cow::Owned)
}

fn not_gbk() -> Error {
    Error::new(ErrorCode::Charset, "the notification declares charset GBK but its values are not GBK")
}

#[cfg(not(target_arch = "wasm32"))]
fn decode_non_ascii(bytes: &[u8]) -> Result<String> {
    encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(bytes).map(Cow::into_owned).ok_or_else(not_gbk)
}

#[cfg(target_arch = "wasm32")]
fn decode_non_ascii(bytes: &[u8]) -> Result<String> {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        type TextDecoder;
        #[wasm_bindgen(constructor, catch)]
        fn new(label: &str, options: &js_sys::Object) -> std::result::Result<TextDecoder, JsValue>;
        #[wasm_bindgen(method, catch)]
        fn decode(this: &TextDecoder, input: &[u8]) -> std::result::Result<String, JsValue>;
    }

    thread_local! {
        /// One fatal decoder, made on first use; `None` when the host has no GBK decoder.
        static GBK: Option<TextDecoder> = {
            let options = js_sys::Object::new();
            js_sys::Reflect::set(&options, &"fatal".into(), &true.into())
                .ok()
                .and_then(|_| TextDecoder::new("gbk", &options).ok())
        };
    }

    GBK.with(|gbk| match gbk {
        Some(decoder) => decoder.decode(bytes).map_err(|_| not_gbk()),
        None => Err(Error::new(
            ErrorCode::Charset,
            "this runtime's TextDecoder has no GBK decoder, which a notification declaring charset GBK needs (Node built with full ICU, workerd and browsers have one)",
        )),
    })
}
