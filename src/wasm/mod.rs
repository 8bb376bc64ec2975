//! wasm-bindgen layer: thin adapters between JS values and the Rust core. No business rules here —
//! only conversions (JS values ⇄ bytes/strings, `Error` → `AggpayError`) and the host RSA engine seam.

mod engine;
mod keys;
mod primitives;

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

/// A string-valued option from an options object (`undefined`/`null` options mean "none given").
pub(crate) fn string_option(options: &JsValue, name: &str) -> JsResult<Option<String>> {
    if options.is_undefined() || options.is_null() {
        return Ok(None);
    }
    let value = Reflect::get(options, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .as_string()
        .map(Some)
        .ok_or_else(|| js_error(Error::bad_input(format!("option {name} must be a string"))))
}
