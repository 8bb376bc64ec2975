//! The checkout's one rule the JS `Checkout` needs outside a client: the reply to a notification
//! that could not be accepted. Conversions only; the rule lives in `crate::checkout`.

use wasm_bindgen::prelude::*;

use super::{IntoJs, JsResult, MaxBytes, guard, js_of, str_arg};
use crate::checkout::{Provider, failure_reply};
use crate::error::Error;

/// The reply to a notification from `provider` that could not be accepted, from the error caught
/// (its `code`). Never throws for the error: whatever is passed, a reply comes back.
#[wasm_bindgen(js_name = checkoutFailureReply)]
pub fn checkout_failure_reply(provider: JsValue, error: JsValue) -> JsResult<JsValue> {
    let name = str_arg(&provider, "provider", MaxBytes::SMALL)?;
    let provider = Provider::from_name(&name)
        .ok_or_else(|| Error::bad_input("provider must be 'alipay', 'wechatpay' or 'useepay'"))
        .js()?;
    js_of(&failure_reply(provider, &error_code(&error)))
}

/// The `code` of a caught error, or `""` for anything without a readable one (never throws).
pub(super) fn error_code(error: &JsValue) -> String {
    let code = match error.is_object() {
        true => guard::member(error, "code").ok().flatten(),
        false => None,
    };
    code.and_then(|c| str_arg(&c, "code", MaxBytes::SMALL).ok()).unwrap_or_default()
}
