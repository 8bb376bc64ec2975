//! The `UseePay` JS class: conversions only; every rule lives in `crate::useepay`.

use wasm_bindgen::prelude::*;

use super::pending::{JsPending, engine_methods, pending};
use super::{IntoJs, JsResult, MaxBytes, Notified, bytes_of, js_of, json_of, request, str_arg, string_option, text_of};
use crate::http::{StringMap, notify_reply};
use crate::options::WipedOnDrop;
use crate::useepay::UseePay;
use crate::useepay::notify::REPLY_BODY;

/// The wasm-bindgen class under the public `UseePay`: every `step_…` method prepares an operation
/// that the host's engine answers (`pkg/src/seam.mjs`).
#[wasm_bindgen(js_name = UseePay)]
pub struct JsUseePay {
    inner: UseePay,
}

impl JsUseePay {
    /// This client's `limits.maxInputBytes`, for its network inputs.
    fn max_input(&self) -> MaxBytes {
        MaxBytes::input(self.inner.limits())
    }
}

#[wasm_bindgen(js_class = UseePay)]
impl JsUseePay {
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> JsResult<JsUseePay> {
        let inner = UseePay::new(&WipedOnDrop(json_of(&config, "UseePay config", MaxBytes::JSON)?)).js()?;
        Ok(JsUseePay { inner })
    }

    /// Any transaction type: `fields` object; `options.path` `/api` (default) or `/cashier`.
    #[wasm_bindgen(js_name = step_buildRequest)]
    pub fn build_request(&self, transaction_type: JsValue, fields: JsValue, options: JsValue) -> JsResult<JsPending> {
        let transaction_type = str_arg(&transaction_type, "transactionType", MaxBytes::SMALL)?;
        let path = string_option(&options, "path")?.unwrap_or_else(|| "/api".into());
        request(self.inner.build_request(&transaction_type, &json_of(&fields, "fields", MaxBytes::JSON)?, &path))
    }

    #[wasm_bindgen(js_name = step_buildJsapiPay)]
    pub fn build_jsapi_pay(&self, args: JsValue) -> JsResult<JsPending> {
        request(self.inner.build_jsapi_pay(&json_of(&args, "arguments", MaxBytes::JSON)?))
    }

    #[wasm_bindgen(js_name = step_buildQuery)]
    pub fn build_query(&self, args: JsValue) -> JsResult<JsPending> {
        request(self.inner.build_query(&json_of(&args, "arguments", MaxBytes::JSON)?))
    }

    #[wasm_bindgen(js_name = step_buildRefund)]
    pub fn build_refund(&self, args: JsValue) -> JsResult<JsPending> {
        request(self.inner.build_refund(&json_of(&args, "arguments", MaxBytes::JSON)?))
    }

    /// `{ fields, result }` of any verified response (the business result is not judged).
    #[wasm_bindgen(js_name = step_parseResponse)]
    pub fn parse_response(&self, raw: JsValue) -> JsResult<JsPending> {
        let raw = text_of(&raw, "response body", self.max_input())?;
        pending(self.inner.verify_response(&raw), |verified| {
            #[derive(serde::Serialize)]
            struct Response<'a> {
                fields: StringMap<'a>,
                result: serde_json::Value,
            }
            js_of(&Response { fields: StringMap(&verified.fields), result: verified.outcome().js()? })
        })
    }

    #[wasm_bindgen(js_name = step_parseJsapiPay)]
    pub fn parse_jsapi_pay(&self, raw: JsValue) -> JsResult<JsPending> {
        pending(self.inner.parse_jsapi_pay(&text_of(&raw, "response body", self.max_input())?), |v| js_of(&v))
    }

    #[wasm_bindgen(js_name = step_parseQuery)]
    pub fn parse_query(&self, raw: JsValue) -> JsResult<JsPending> {
        pending(self.inner.parse_query(&text_of(&raw, "response body", self.max_input())?), |v| js_of(&v))
    }

    #[wasm_bindgen(js_name = step_parseRefund)]
    pub fn parse_refund(&self, raw: JsValue) -> JsResult<JsPending> {
        pending(self.inner.parse_refund(&text_of(&raw, "response body", self.max_input())?), |v| js_of(&v))
    }

    /// `{ event, reply }` for a raw notification body; reply is HTTP 200 `OK`.
    #[wasm_bindgen(js_name = step_verifyNotify)]
    pub fn verify_notify(&self, body: JsValue) -> JsResult<JsPending> {
        let body = bytes_of(&body, "notification body", self.max_input())?;
        pending(self.inner.verify_notify(&body), |event| js_of(&Notified { event, reply: notify_reply(REPLY_BODY) }))
    }

    #[wasm_bindgen(getter, js_name = signType)]
    pub fn sign_type(&self) -> String {
        self.inner.sign_type().to_owned()
    }

    /// Whether this client's steps need an RSA engine (RSA mode); MD5 needs none.
    #[wasm_bindgen(getter, js_name = __rsa)]
    pub fn rsa(&self) -> bool {
        self.inner.keys().is_some()
    }
    /// Whether this client can build signed requests (MD5, or RSA with privateKey).
    #[wasm_bindgen(getter, js_name = canSign)]
    pub fn can_sign(&self) -> bool {
        self.inner.keys().is_none_or(|k| k.private_key().is_some())
    }
    /// Whether this client can verify what UseePay sends (MD5, or RSA with useepayPublicKey).
    #[wasm_bindgen(getter, js_name = canVerify)]
    pub fn can_verify(&self) -> bool {
        self.inner.keys().is_none_or(|k| k.has_public())
    }
}

engine_methods!(JsUseePay, UseePay, |this| this.inner.keys());
