//! `explain` and `firstDifference`: what a signature covers, and where a provider's report of it
//! differs. Conversions only; the rules live in `crate::explain`.

use wasm_bindgen::prelude::*;

use super::{IntoJs, JsResult, MaxBytes, js_of, json_of, str_arg};
use crate::explain::{explain, first_difference};
use crate::limits::Limits;

/// `{ provider, request | response | notification, method?, rule?, emptyValues? }` →
/// `{ provider, message, scheme, signed: [text…], signature, key, note }`.
#[wasm_bindgen(js_name = explain)]
pub fn explain_js(input: JsValue) -> JsResult<JsValue> {
    let limits = Limits::default();
    let input = json_of(&input, "explain input", MaxBytes::envelope(&limits))?;
    js_of(&explain(&input, &limits).js()?)
}

/// Where `theirs` (a provider's report of the signed text) first differs from `ours`:
/// `{ index, ours, theirs, theirsEnds }`, or `null` when they are the same.
#[wasm_bindgen(js_name = firstDifference)]
pub fn first_difference_js(ours: JsValue, theirs: JsValue) -> JsResult<JsValue> {
    let limits = Limits::default();
    let ours = str_arg(&ours, "ours", MaxBytes::input(&limits))?;
    let theirs = str_arg(&theirs, "theirs", MaxBytes::input(&limits))?;
    match first_difference(&ours, &theirs) {
        None => Ok(JsValue::NULL),
        Some(difference) => js_of(&difference),
    }
}
