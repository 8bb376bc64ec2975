//! Every JS operation the bindings perform on a value a caller supplied, each one a wasm-bindgen
//! `catch` import. A JS exception thrown by a plain import unwinds straight through the Rust frames
//! below it: their destructors never run and Wasm's shadow-stack pointer is never restored, so every
//! such call leaks stack and externref slots until the instance traps for good. Here a value that
//! throws when touched (a revoked Proxy, a throwing getter or trap, a detached buffer, an object that
//! only pretends to be a `Uint8Array`) comes back as an `Err` instead.
//!
//! Every import here that returns a JS value returns it as `Option<…>`. wasm-bindgen 0.2.130's shim
//! for a `catch` import returns on the exception *before* it takes ownership of the import's return
//! value, and for a plain `JsValue` return that value already occupies an externref slot (allocated
//! by the Wasm adapter even when the JS side threw): one slot leaks per caught exception. For an
//! `Option<JsValue>` the JS glue allocates the slot itself, inside its `try`, so a throw allocates
//! nothing. (`None` stands for `undefined` and `null`.)
//!
//! Bytes are measured and copied only from genuine `Uint8Array`s (Buffer included) and `ArrayBuffer`s,
//! recognised by the engine's own brand-checking getters (`%TypedArray%.prototype[@@toStringTag]`,
//! `%TypedArray%.prototype.byteLength`, `ArrayBuffer.prototype.byteLength`) called on the value
//! directly, so no user code — getter, Proxy trap, prototype, `toJSON` — runs while bytes are
//! measured or copied, and a copy never starts before the length is known.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// A JS string primitive (only ever cast to after a `typeof` check).
    type JsText;
    #[wasm_bindgen(method, getter, structural, catch)]
    fn length(this: &JsText) -> Result<u32, JsValue>;

    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn array_is_array(value: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = getPrototypeOf)]
    fn prototype_of(value: &JsValue) -> Result<Option<JsValue>, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = getOwnPropertyDescriptor)]
    fn own_property_descriptor(target: &JsValue, key: &JsValue) -> Result<Option<JsValue>, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = get)]
    fn reflect_get(target: &JsValue, key: &JsValue) -> Result<Option<JsValue>, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = apply)]
    fn reflect_apply(function: &JsValue, this: &JsValue, args: &js_sys::Array) -> Result<Option<JsValue>, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = construct)]
    fn reflect_construct(target: &JsValue, args: &js_sys::Array) -> Result<Option<JsValue>, JsValue>;
    /// `Uint8Array.prototype.set.call(target, source)`: `target` is a view of Wasm memory. With a
    /// genuine typed array as `source` it reads internal slots only; a detached source throws.
    #[wasm_bindgen(catch, js_namespace = ["Uint8Array", "prototype", "set"], js_name = call)]
    fn copy_into(target: &mut [u8], source: &JsValue) -> Result<(), JsValue>;
    /// `encodeText.call(undefined, text, target)`: the host's helper writes `text` as UTF-8 into
    /// `target`, a view of Wasm memory, and returns how many bytes it wrote (`TextEncoder`'s
    /// `encodeInto`, one crossing with a number back). `text` is a string primitive (checked first),
    /// so no user code runs.
    type EncodeText;
    #[wasm_bindgen(catch, method, js_name = call)]
    fn encode_text(helper: &EncodeText, this: &JsValue, text: &JsValue, target: &mut [u8]) -> Result<u32, JsValue>;
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = stringify)]
    fn json_stringify(value: &JsValue, replacer: &JsValue) -> Result<Option<JsValue>, JsValue>;
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    fn json_parse(text: &str) -> Result<Option<JsValue>, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Array, js_name = from)]
    fn array_from(items: &JsValue) -> Result<Option<JsValue>, JsValue>;
}

/// The engine's brand-checking getters, looked up once on objects this module created.
struct Brands {
    /// `Uint8Array`, to make a view over a genuine `ArrayBuffer`.
    uint8_array: JsValue,
    /// An empty argument list for the getters (never exposed, never changed).
    no_args: js_sys::Array,
    /// `get %TypedArray%.prototype[@@toStringTag]`: the kind of a genuine typed array, `undefined`
    /// for anything else (never throws).
    typed_array_tag: JsValue,
    /// `get %TypedArray%.prototype.byteLength`: throws on anything but a genuine typed array.
    typed_array_length: JsValue,
    /// `get ArrayBuffer.prototype.byteLength`: throws on anything but a genuine `ArrayBuffer`.
    array_buffer_length: JsValue,
    /// `Object.prototype`: the prototype of plain objects, which are never `Headers`.
    object_prototype: JsValue,
}

/// `target[key]` while looking up the host's own objects (`None` if it throws or is absent).
fn get(target: &JsValue, key: &str) -> Option<JsValue> {
    reflect_get(target, &JsValue::from_str(key)).ok().flatten()
}

impl Brands {
    fn look_up() -> Option<Brands> {
        let getter = |prototype: &JsValue, key: &JsValue| {
            let descriptor = own_property_descriptor(prototype, key).ok()??;
            get(&descriptor, "get").filter(JsValue::is_function)
        };
        let view = js_sys::Uint8Array::from(&[][..]);
        let uint8_array = get(&view, "constructor")?;
        let typed_array = prototype_of(&prototype_of(&view).ok()??).ok()??;
        let array_buffer = prototype_of(&get(&view, "buffer")?).ok()??;
        let byte_length = JsValue::from_str("byteLength");
        Some(Brands {
            uint8_array,
            no_args: js_sys::Array::new(),
            typed_array_tag: getter(&typed_array, &js_sys::Symbol::to_string_tag().into())?,
            typed_array_length: getter(&typed_array, &byte_length)?,
            array_buffer_length: getter(&array_buffer, &byte_length)?,
            object_prototype: prototype_of(&js_sys::Object::new()).ok()??,
        })
    }
}

thread_local! {
    static BRANDS: Option<Brands> = Brands::look_up();
    /// `Headers.prototype.entries`, where the host has `Headers`: it brand-checks its receiver, so
    /// only a genuine `Headers` yields entries (a Proxy or look-alike throws). Looked up when headers
    /// are first read, not with the brands: on Node, touching the global `Headers` loads its fetch
    /// implementation (undici), some 15 ms of a cold start that may never read headers.
    static HEADERS_ENTRIES: Option<JsValue> = {
        get(&js_sys::global(), "Headers")
            .and_then(|class| get(&class, "prototype"))
            .and_then(|prototype| get(&prototype, "entries"))
            .filter(JsValue::is_function)
    };
}

/// Calls one of `brands`' getters on `value`; `Err` when its brand check refuses the value.
fn call_getter(brands: &Brands, getter: &JsValue, value: &JsValue) -> Result<JsValue, ()> {
    reflect_apply(getter, value, &brands.no_args).map(|v| v.unwrap_or(JsValue::UNDEFINED)).map_err(drop)
}

/// A caller's value that holds bytes, and how many.
#[derive(Clone, Copy)]
pub(super) enum ByteSource {
    /// A genuine `Uint8Array` (a Node `Buffer` included).
    View(usize),
    /// A genuine `ArrayBuffer`.
    Buffer(usize),
}

impl ByteSource {
    pub(super) fn len(self) -> usize {
        match self {
            ByteSource::View(n) | ByteSource::Buffer(n) => n,
        }
    }
}

/// The UTF-16 length of `value` when it is a string primitive (a lower bound of its UTF-8 length).
pub(super) fn string_length(value: &JsValue) -> Option<usize> {
    if !value.is_string() {
        return None;
    }
    value.unchecked_ref::<JsText>().length().ok().map(|n| n as usize)
}

/// Strings up to this many UTF-16 code units are encoded by the host's helper into a buffer of three
/// bytes a unit; longer ones go through wasm-bindgen's own copy, which sizes its buffer as it goes.
const NATIVE_ENCODE_UNITS: usize = 64 * 1024;

thread_local! {
    /// The host's `JSON.stringify` replacer that refuses NaN and ±Infinity ([`stringify`]).
    static JSON_REPLACER: RefCell<JsValue> = const { RefCell::new(JsValue::UNDEFINED) };
    /// The host's `encodeText(text, target)` helper ([`text_of_string`]).
    static ENCODE_TEXT: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// Registers the host's own helpers, which every entry point passes once (`__configure`). They are
/// the host's functions because each saves crossings: a replacer made here (a wasm-bindgen closure)
/// would call back into Wasm for every value of every argument, and `encodeInto` called from here
/// returns an object whose `written` takes a second crossing to read.
pub(super) fn set_host_helpers(json_replacer: js_sys::Function, encode_text: js_sys::Function) {
    JSON_REPLACER.with(|r| *r.borrow_mut() = json_replacer.into());
    ENCODE_TEXT.with(|h| *h.borrow_mut() = Some(encode_text));
}

/// The UTF-8 text of a string primitive of `units` UTF-16 code units, encoded by the host in one
/// crossing (lone surrogates become U+FFFD, as `JsValue::as_string` makes them) into a buffer that is
/// never reallocated, so that a string that holds a secret leaves no copy behind when the caller wipes
/// its own. `None` for a long string, or before the host registered its helper (the caller then
/// copies it the other way).
pub(super) fn text_of_string(value: &JsValue, units: usize) -> Option<String> {
    if units > NATIVE_ENCODE_UNITS {
        return None;
    }
    let helper = ENCODE_TEXT.with(|h| h.borrow().clone())?;
    let mut out = vec![0u8; units.checked_mul(3)?];
    let written = helper.unchecked_ref::<EncodeText>().encode_text(&JsValue::UNDEFINED, value, &mut out).ok()?;
    out.truncate(written as usize);
    String::from_utf8(out).ok()
}

/// What `value` is as a byte source, without running any of its code; `None` for anything but a
/// genuine `Uint8Array` or `ArrayBuffer` (Proxies, look-alikes, other typed arrays, DataViews, …).
/// A detached one reports 0 bytes here and fails in [`copy_bytes`].
pub(super) fn byte_source(value: &JsValue) -> Option<ByteSource> {
    if !value.is_object() {
        return None;
    }
    let length = |v: JsValue| v.as_f64().filter(|n| *n >= 0.0 && n.fract() == 0.0).map(|n| n as usize);
    BRANDS.with(|brands| {
        let brands = brands.as_ref()?;
        let tag = call_getter(brands, &brands.typed_array_tag, value).ok()?;
        if !tag.is_undefined() {
            // A genuine typed array: only a Uint8Array's elements are its bytes.
            if tag.as_string().as_deref() != Some("Uint8Array") {
                return None;
            }
            return call_getter(brands, &brands.typed_array_length, value).ok().and_then(length).map(ByteSource::View);
        }
        call_getter(brands, &brands.array_buffer_length, value).ok().and_then(length).map(ByteSource::Buffer)
    })
}

/// Copies the bytes of `value`, which [`byte_source`] measured as `source`. `Err` when its buffer
/// has been detached (transferred) since, or is out of bounds.
pub(super) fn copy_bytes(value: &JsValue, source: ByteSource) -> Result<Vec<u8>, ()> {
    let mut out = vec![0u8; source.len()];
    match source {
        ByteSource::View(_) => copy_into(&mut out, value).map_err(drop)?,
        ByteSource::Buffer(_) => {
            let uint8_array = BRANDS.with(|brands| brands.as_ref().map(|b| b.uint8_array.clone())).ok_or(())?;
            let view = reflect_construct(&uint8_array, &js_sys::Array::of1(value)).map_err(drop)?.ok_or(())?;
            copy_into(&mut out, &view).map_err(drop)?;
        }
    }
    Ok(out)
}

/// The `[name, value]` entries of a genuine `Headers` (an Array, through the host's own iterator),
/// `Ok(None)` for anything else — a look-alike is refused by the brand check before any of its code
/// runs; `Err` if the iteration itself throws, or a Proxy's `getPrototypeOf` trap does.
pub(super) fn headers_entries(value: &JsValue) -> Result<Option<JsValue>, ()> {
    if !value.is_object() {
        return Ok(None);
    }
    // A plain object (a literal, Node's `req.headers`) is told apart by its prototype first: the brand
    // check throws on anything but a `Headers`, and a thrown exception (its stack captured) cost more
    // than the rest of a WeChat Pay notification's verification outside the RSA step.
    let prototype = prototype_of(value).map_err(drop)?;
    let plain = match &prototype {
        None => true,
        Some(p) => BRANDS.with(|brands| brands.as_ref().is_some_and(|b| *p == b.object_prototype)),
    };
    if plain {
        return Ok(None);
    }
    let iterator = HEADERS_ENTRIES.with(|entries| {
        let entries = entries.as_ref()?;
        BRANDS.with(|brands| reflect_apply(entries, value, &brands.as_ref()?.no_args).ok().flatten())
    });
    match iterator {
        None => Ok(None),
        Some(iterator) => array_from(&iterator).map_err(drop)?.map(Some).ok_or(()),
    }
}

/// `Array.isArray(value)`; `Err` on a revoked Proxy.
pub(super) fn is_array(value: &JsValue) -> Result<bool, ()> {
    array_is_array(value).map_err(drop)
}

/// `value[name]`, getters and Proxy traps included (`None` for `undefined` and `null`); `Err` when
/// one throws.
pub(super) fn member(value: &JsValue, name: &str) -> Result<Option<JsValue>, ()> {
    reflect_get(value, &JsValue::from_str(name)).map_err(drop)
}

/// `JSON.stringify(value, replacer)` with the host's replacer, which refuses NaN and ±Infinity (that
/// `JSON.stringify` would turn into null): the JSON text, `Ok(None)` when there is none (a Symbol, a
/// function, `undefined`), `Err` when a getter, `toJSON`, Proxy trap or the replacer throws, or for a
/// BigInt or a cycle.
pub(super) fn stringify(value: &JsValue) -> Result<Option<JsValue>, ()> {
    let replacer = JSON_REPLACER.with(|r| r.borrow().clone());
    json_stringify(value, &replacer).map_err(drop)
}

/// `JSON.parse(text)` (`null` for the text `null`).
pub(super) fn parse_json(text: &str) -> Result<JsValue, ()> {
    json_parse(text).map(|v| v.unwrap_or(JsValue::NULL)).map_err(drop)
}

/// `Reflect.construct(class, args)`.
pub(super) fn construct(class: &JsValue, args: &js_sys::Array) -> Result<JsValue, ()> {
    reflect_construct(class, args).map_err(drop)?.ok_or(())
}
