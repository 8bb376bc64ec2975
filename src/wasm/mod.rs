//! wasm-bindgen layer: thin adapters between JS values and the Rust core. No business rules here —
//! only conversions (JS values ⇄ bytes/strings, `Error` → `AggpayError`) and the host RSA engine seam.

mod alipay;
mod checkout;
mod explain;
mod guard;
mod keys;
mod pending;
mod primitives;
mod router;
mod useepay;
mod wechat;
mod wechatpay;

use std::borrow::Cow;
use std::cell::RefCell;

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use crate::error::Error;
use crate::limits::Limits;

thread_local! {
    /// The JS `AggpayError` class each entry point registers once at load.
    static ERROR_CLASS: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Called once by every entry point: the `AggpayError` class to throw, a `JSON.stringify` replacer
/// that throws on a non-finite number, and `encodeText(text, target)`, which writes a string as UTF-8
/// into a view of Wasm memory and returns the bytes written (`TextEncoder.encodeInto`); see
/// [`guard::set_host_helpers`] for why the last two are the host's.
#[wasm_bindgen(js_name = __configure)]
pub fn configure(error_class: Function, json_replacer: Function, encode_text: Function) {
    ERROR_CLASS.with(|c| *c.borrow_mut() = Some(error_class));
    guard::set_host_helpers(json_replacer, encode_text);
}

/// The instance's memory, which the host's driver reads a step's bytes from
/// (`Pending.layout`).
#[wasm_bindgen(js_name = __memory)]
pub fn memory() -> JsValue {
    wasm_bindgen::memory()
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
        set("detail", d.detail.as_deref());
        set("signedMessage", d.signed_message.as_deref());
        set("serial", d.serial.as_deref());
    }
    let message = JsValue::from_str(error.message());
    // The class is taken out of the cell first: its constructor is JS, and runs with no borrow held.
    let class = ERROR_CLASS.with(|c| c.borrow().clone());
    let constructed = class.and_then(|class| guard::construct(&class, &js_sys::Array::of2(&message, &details)).ok());
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

/// The most bytes one argument may have, and the setting that says so (named in the error). Every
/// string or byte argument is measured against one of these *before* it is copied into Wasm memory:
/// a huge input is refused without growing the instance.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MaxBytes {
    bytes: usize,
    setting: &'static str,
}

/// Fixed ceilings for inputs that no client's `limits` covers.
impl MaxBytes {
    /// Key and certificate texts, method names, option values, hash names, signatures and OAEP
    /// ciphertexts: the default `limits.maxInputBytes` (1 MiB), far above any real one.
    pub(crate) const SMALL: MaxBytes =
        MaxBytes { bytes: crate::limits::DEFAULT_MAX_INPUT_BYTES, setting: "the default input limit" };
    /// Data the merchant hashes or signs itself: `RsaSigner.sign` / `RsaVerifier.verify` messages and
    /// every `primitives.*` argument (people hash downloaded bill files): 64 MiB, the largest
    /// `limits.maxInputBytes` a client may configure.
    pub(crate) const DATA: MaxBytes = MaxBytes { bytes: 64 * 1024 * 1024, setting: "the 64 MiB data limit" };
    /// The JSON text of a config or argument object from the merchant's own code (keys, certificates,
    /// biz_content, …): 16 MiB, so that a huge string smuggled inside one is refused before it is copied.
    pub(crate) const JSON: MaxBytes = MaxBytes { bytes: 16 * 1024 * 1024, setting: "the 16 MiB limit for objects" };

    /// A client's network inputs (bodies, responses, return queries): its `limits.maxInputBytes`.
    pub(crate) fn input(limits: &Limits) -> MaxBytes {
        MaxBytes { bytes: limits.max_input_bytes, setting: "limits.maxInputBytes" }
    }

    /// The JSON text of an object that carries a network input (a v3 response `{ status, headers,
    /// body }`, decryptUserData's arguments): twice `limits.maxInputBytes` (JSON escaping doubles a
    /// quote, a backslash or a line break) plus 64 KiB for the rest of the object. The core then
    /// checks the member itself against `limits.maxInputBytes` exactly.
    pub(crate) fn envelope(limits: &Limits) -> MaxBytes {
        let bytes = limits.max_input_bytes.saturating_mul(2).saturating_add(64 * 1024);
        MaxBytes { bytes, setting: "2 × limits.maxInputBytes + 64 KiB for an object holding a network input" }
    }

    /// `ERR_INPUT_TOO_LARGE` when `len` exceeds the limit (`at_least`: `len` is a lower bound, such
    /// as a string's UTF-16 length, measured before copying).
    fn check(self, len: usize, what: &(impl std::fmt::Display + ?Sized), at_least: bool) -> JsResult<()> {
        if len <= self.bytes {
            return Ok(());
        }
        let size = if at_least { "at least " } else { "" };
        Err(js_error(Error::new(
            crate::ErrorCode::InputTooLarge,
            format!("{what} is {size}{len} bytes; the limit is {} ({})", self.bytes, self.setting),
        )))
    }
}

/// A JS string's text, measured before (UTF-16 length) and after (UTF-8 length) it is copied. `what`
/// is formatted only into an error (`format_args!`, not a `String` made on every call).
fn string_within(value: &JsValue, what: &(impl std::fmt::Display + ?Sized), max: MaxBytes) -> JsResult<Option<String>> {
    let Some(units) = guard::string_length(value) else { return Ok(None) };
    max.check(units, what, true)?;
    let text = guard::text_of_string(value, units)
        .or_else(|| value.as_string())
        .ok_or_else(|| js_error(Error::bad_input(format!("{what} must be a string"))))?;
    max.check(text.len(), what, false)?;
    Ok(Some(text))
}

/// Bytes from a JS string (UTF-8) or a genuine `Uint8Array` / `Buffer` / `ArrayBuffer`, at most
/// `max` of them. Proxies, look-alike objects and other views are refused without running their code.
pub(crate) fn bytes_of(value: &JsValue, what: &(impl std::fmt::Display + ?Sized), max: MaxBytes) -> JsResult<Vec<u8>> {
    if let Some(text) = string_within(value, what, max)? {
        return Ok(text.into_bytes());
    }
    let Some(source) = guard::byte_source(value) else {
        return Err(js_error(Error::bad_input(format!("{what} must be a string or a Uint8Array"))));
    };
    max.check(source.len(), what, false)?;
    guard::copy_bytes(value, source)
        .map_err(|_| js_error(Error::bad_input(format!("{what} is a detached (transferred) buffer"))))
}

/// A string argument of at most `max` bytes. JS callers can pass anything, so nothing reaches
/// wasm-bindgen's string conversion unchecked (a Buffer or number there would trap the instance).
pub(crate) fn str_arg(value: &JsValue, what: &str, max: MaxBytes) -> JsResult<String> {
    string_within(value, what, max)?.ok_or_else(|| js_error(Error::bad_input(format!("{what} must be a string"))))
}

/// An optional string argument (`undefined`/`null` → `None`).
pub(crate) fn opt_str_arg(value: &JsValue, what: &str, max: MaxBytes) -> JsResult<Option<String>> {
    if value.is_undefined() || value.is_null() { Ok(None) } else { str_arg(value, what, max).map(Some) }
}

/// A string-valued option from an options object (`undefined`/`null` options mean "none given"), at
/// most [`MaxBytes::SMALL`]. An option whose getter or Proxy trap throws is `ERR_BAD_INPUT`.
pub(crate) fn string_option(options: &JsValue, name: &str) -> JsResult<Option<String>> {
    if options.is_undefined() || options.is_null() {
        return Ok(None);
    }
    let bad = |message: String| js_error(Error::bad_input(message));
    if !options.is_object() || guard::is_array(options).unwrap_or(true) {
        return Err(bad("options must be an object".into()));
    }
    let Some(value) = guard::member(options, name).map_err(|_| bad(format!("option {name} cannot be read")))? else {
        return Ok(None);
    };
    string_within(&value, &format_args!("option {name}"), MaxBytes::SMALL)?
        .map(Some)
        .ok_or_else(|| bad(format!("option {name} must be a string")))
}

/// A JS value as JSON (`undefined` → `null`), through `JSON.stringify` (a `catch` import: a throwing
/// getter, `toJSON` or Proxy trap is `ERR_BAD_INPUT`), its text at most `max` bytes.
pub(crate) fn json_of(value: &JsValue, what: &str, max: MaxBytes) -> JsResult<serde_json::Value> {
    if value.is_undefined() || value.is_null() {
        return Ok(serde_json::Value::Null);
    }
    let unrepresentable = || {
        js_error(Error::bad_input(format!(
            "{what} cannot be represented as JSON (BigInt, NaN, Infinity, a cycle, or a getter that throws?)"
        )))
    };
    let text = guard::stringify(value).map_err(|_| unrepresentable())?.ok_or_else(unrepresentable)?;
    // The text may hold keys and secrets: wiped once parsed.
    let text =
        Zeroizing::new(string_within(&text, &format_args!("{what} (as JSON)"), max)?.ok_or_else(unrepresentable)?);
    serde_json::from_str(&text).map_err(|_| js_error(Error::bad_input(format!("{what} is not valid JSON"))))
}

/// JSON text as a JS value, through `JSON.parse`. The text crosses as ASCII (see [`AsciiOnly`]).
pub(crate) fn js_of_json_text(text: &str) -> JsResult<JsValue> {
    let ascii = if text.is_ascii() {
        Cow::Borrowed(text)
    } else {
        let mut out = Vec::with_capacity(text.len() * 2);
        escape_non_ascii(&mut out, text).map_err(|_| js_error(Error::malformed("result cannot be serialized")))?;
        Cow::Owned(String::from_utf8(out).map_err(|_| js_error(Error::malformed("result cannot be serialized")))?)
    };
    guard::parse_json(&ascii).map_err(|_| js_error(Error::malformed("result is not valid JSON")))
}

/// A result as a JS value: serialized straight to JSON text (no intermediate `Value`, ASCII only),
/// then one `JSON.parse` — one string crosses the boundary, however many fields the result has.
pub(crate) fn js_of(value: &impl serde::Serialize) -> JsResult<JsValue> {
    let failed = || js_error(Error::malformed("result cannot be serialized"));
    let mut text = Vec::with_capacity(1024);
    value.serialize(&mut serde_json::Serializer::with_formatter(&mut text, AsciiOnly)).map_err(|_| failed())?;
    guard::parse_json(&String::from_utf8(text).map_err(|_| failed())?)
        .map_err(|_| js_error(Error::malformed("result is not valid JSON")))
}

/// JSON with every non-ASCII character written as `\uXXXX` escapes (UTF-16 units, as JSON spells
/// them). `JSON.parse` returns the same value, but ASCII text crosses into JS through the host's
/// fast ASCII path of `TextDecoder` (about five times faster than its UTF-8 path in Node, measured
/// on a notification's JSON).
struct AsciiOnly;

impl serde_json::ser::Formatter for AsciiOnly {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        escape_non_ascii(writer, fragment)
    }
}

/// Writes `text` with its non-ASCII characters as `\uXXXX` escapes. Only JSON strings can hold
/// such characters, so JSON text stays the same JSON.
fn escape_non_ascii<W: ?Sized + std::io::Write>(writer: &mut W, text: &str) -> std::io::Result<()> {
    let mut rest = text;
    while let Some(at) = rest.bytes().position(|b| !b.is_ascii()) {
        writer.write_all(&rest.as_bytes()[..at])?;
        let mut chars = rest[at..].chars();
        if let Some(c) = chars.next() {
            for unit in c.encode_utf16(&mut [0; 2]) {
                write!(writer, "\\u{unit:04x}")?;
            }
        }
        rest = chars.as_str();
    }
    writer.write_all(rest.as_bytes())
}

/// What a `verifyNotify` returns: the verified event and the exact reply to send.
#[derive(serde::Serialize)]
pub(crate) struct Notified<E> {
    pub(crate) event: E,
    pub(crate) reply: crate::http::NotifyReply,
}

/// A request being built, as `{ method, url, headers, body }` once signed.
pub(crate) fn request(
    prepared: crate::Result<crate::crypto::step::Pending<crate::http::HttpRequest>>,
) -> JsResult<JsValue> {
    pending::pending(prepared, |built| js_of(&built))
}

/// Text from a JS string, or from bytes that must be UTF-8, at most `max` bytes.
pub(crate) fn text_of(value: &JsValue, what: &str, max: MaxBytes) -> JsResult<String> {
    let bytes = bytes_of(value, what, max)?;
    String::from_utf8(bytes)
        .map_err(|_| js_error(Error::new(crate::ErrorCode::Charset, format!("{what} is not UTF-8"))))
}

/// The body of a message as received: the message itself when it is the raw body (a string or
/// bytes), else its `body` member (`send()`'s `{ status, headers, body }`, a notification's
/// `{ headers, body }`).
pub(crate) fn body_of(value: &JsValue, what: &str, max: MaxBytes) -> JsResult<Vec<u8>> {
    if !value.is_object() || guard::byte_source(value).is_some() {
        return bytes_of(value, what, max);
    }
    let bad = |message: String| js_error(Error::bad_input(message));
    match guard::member(value, "body").map_err(|_| bad(format!("{what}.body cannot be read")))? {
        Some(body) => bytes_of(&body, &format_args!("{what}.body"), max),
        None => Err(bad(format!("{what} must be the body received, or an object with the body as its body"))),
    }
}

/// [`body_of`] as UTF-8 text.
pub(crate) fn body_text(value: &JsValue, what: &str, max: MaxBytes) -> JsResult<String> {
    String::from_utf8(body_of(value, what, max)?)
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
