//! wasm-bindgen layer: thin adapters between JS values and the Rust core. No business rules here —
//! only conversions (JS values ⇄ bytes/strings, `Error` → `AggpayError`) and the host RSA engine seam.

mod alipay;
mod engine;
mod keys;
mod primitives;
mod useepay;
mod wechat;

use std::cell::RefCell;

use js_sys::{Function, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::error::Error;

thread_local! {
    /// The JS `AggpayError` class each entry point registers once at load.
    static ERROR_CLASS: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Called once by every entry point: the `AggpayError` class to throw, and the host's RSA engine
/// (`node:crypto` on Node, `null` elsewhere).
#[wasm_bindgen(js_name = __configure)]
pub fn configure(error_class: Function, node_engine: JsValue) {
    ERROR_CLASS.with(|c| *c.borrow_mut() = Some(error_class));
    engine::set_node_engine(node_engine);
}

/// Turns a core error into a thrown `AggpayError` (or a plain `Error` carrying `code` before configuration).
pub(crate) fn js_error(error: Error) -> JsValue {
    let details = Object::new();
    let set = |k: &str, v: Option<&str>| {
        if let Some(v) = v {
            let _ = Reflect::set(&details, &JsValue::from_str(k), &JsValue::from_str(v));
        }
    };
    set("code", Some(error.code().as_str()));
    set("provider", error.provider());
    if let Some(d) = error.detail() {
        set("providerCode", d.code.as_deref());
        set("providerMessage", d.message.as_deref());
        set("subCode", d.sub_code.as_deref());
        set("subMessage", d.sub_message.as_deref());
    }
    let message = JsValue::from_str(error.message());
    let constructed = ERROR_CLASS.with(|c| {
        c.borrow().as_ref().and_then(|class| {
            let args = js_sys::Array::of2(&message, &details);
            Reflect::construct(class, &args).ok()
        })
    });
    constructed.unwrap_or_else(|| {
        let plain = js_sys::Error::new(error.message());
        let _ = Reflect::set(&plain, &"code".into(), &error.code().as_str().into());
        plain.into()
    })
}

pub(crate) type JsResult<T> = Result<T, JsValue>;

pub(crate) trait IntoJs<T> {
    fn js(self) -> JsResult<T>;
}

impl<T> IntoJs<T> for crate::error::Result<T> {
    fn js(self) -> JsResult<T> {
        self.map_err(js_error)
    }
}

/// Bytes from a JS string (UTF-8) or a `Uint8Array` / `Buffer` / `ArrayBuffer`.
pub(crate) fn bytes_of(value: &JsValue, what: &str) -> JsResult<Vec<u8>> {
    if let Some(s) = value.as_string() {
        return Ok(s.into_bytes());
    }
    if value.is_instance_of::<Uint8Array>() || value.is_instance_of::<js_sys::ArrayBuffer>() {
        return Ok(Uint8Array::new(value).to_vec());
    }
    Err(js_error(Error::bad_input(format!("{what} must be a string or a Uint8Array"))))
}

/// A string argument. JS callers can pass anything, so nothing reaches wasm-bindgen's string
/// conversion unchecked (a Buffer or number there would trap the instance).
pub(crate) fn str_arg(value: &JsValue, what: &str) -> JsResult<String> {
    value.as_string().ok_or_else(|| js_error(Error::bad_input(format!("{what} must be a string"))))
}

/// An optional string argument (`undefined`/`null` → `None`).
pub(crate) fn opt_str_arg(value: &JsValue, what: &str) -> JsResult<Option<String>> {
    if value.is_undefined() || value.is_null() { Ok(None) } else { str_arg(value, what).map(Some) }
}

/// A string-valued option from an options object (`undefined`/`null` options mean "none given").
pub(crate) fn string_option(options: &JsValue, name: &str) -> JsResult<Option<String>> {
    if options.is_undefined() || options.is_null() {
        return Ok(None);
    }
    if !options.is_object() || js_sys::Array::is_array(options) {
        return Err(js_error(Error::bad_input("options must be an object")));
    }
    let value = Reflect::get(options, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value.as_string().map(Some).ok_or_else(|| js_error(Error::bad_input(format!("option {name} must be a string"))))
}

/// A JS value as JSON (`undefined` → `null`), through `JSON.stringify`.
pub(crate) fn json_of(value: &JsValue, what: &str) -> JsResult<serde_json::Value> {
    if value.is_undefined() || value.is_null() {
        return Ok(serde_json::Value::Null);
    }
    // JSON.stringify turns NaN and ±Infinity into null; a replacer refuses them instead.
    let replacer = wasm_bindgen::closure::Closure::<dyn FnMut(JsValue, JsValue) -> Result<JsValue, JsValue>>::new(
        |_key: JsValue, v: JsValue| match v.as_f64() {
            Some(n) if !n.is_finite() => Err(JsValue::from_str("non-finite number")),
            _ => Ok(v),
        },
    );
    let text = js_sys::JSON::stringify_with_replacer(value, replacer.as_ref())
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| {
            js_error(Error::bad_input(format!(
                "{what} cannot be represented as JSON (BigInt, NaN, Infinity or a cycle?)"
            )))
        })?;
    serde_json::from_str(&text).map_err(|_| js_error(Error::bad_input(format!("{what} is not valid JSON"))))
}

/// A JSON value (or JSON text) as a JS value, through `JSON.parse`.
pub(crate) fn js_of_json_text(text: &str) -> JsResult<JsValue> {
    js_sys::JSON::parse(text).map_err(|_| js_error(Error::malformed("result is not valid JSON")))
}

pub(crate) fn js_of(value: &serde_json::Value) -> JsResult<JsValue> {
    js_of_json_text(&value.to_string())
}

/// A built request as `{ method, url, headers, body }`.
pub(crate) fn request(result: crate::Result<crate::http::HttpRequest>) -> JsResult<JsValue> {
    js_of(&result.js()?.to_json())
}

/// Name/value pairs as a JSON object of strings.
pub(crate) fn string_map(pairs: &[(String, String)]) -> serde_json::Value {
    serde_json::Value::Object(pairs.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect())
}

/// Text from a JS string, or from bytes that must be UTF-8.
pub(crate) fn text_of(value: &JsValue, what: &str) -> JsResult<String> {
    let bytes = bytes_of(value, what)?;
    String::from_utf8(bytes)
        .map_err(|_| js_error(Error::new(crate::ErrorCode::Charset, format!("{what} is not UTF-8"))))
}

/// The host's default clock: `Date.now()`.
pub(crate) fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The host's default nonce: 16 bytes from `crypto.getRandomValues`, as 32 hex characters.
pub(crate) fn fresh_nonce() -> JsResult<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|_| js_error(Error::engine("crypto.getRandomValues is not available")))?;
    Ok(crate::crypto::digest::hex_lower(&bytes))
}
