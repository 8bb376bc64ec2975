//! The `UseePay` JS class: conversions only; every rule lives in `crate::useepay`.

use serde_json::json;
use wasm_bindgen::prelude::*;

use super::{
    IntoJs, JsResult, MaxBytes, bytes_of, engine, js_of, json_of, request, str_arg, string_map, string_option, text_of,
};
use crate::http::notify_reply;
use crate::options::WipedOnDrop;
use crate::useepay::UseePay;
use crate::useepay::notify::REPLY_BODY;

#[wasm_bindgen(js_name = UseePay)]
pub struct JsUseePay {
    inner: UseePay,
    engine: &'static str,
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
        let engine = engine::choose(&config)?;
        let inner = UseePay::new(
            &WipedOnDrop(json_of(&config, "UseePay config", MaxBytes::JSON)?),
            |key| engine::signer(key, &engine),
            |key| engine::verifier(key, &engine),
        )
        .js()?;
        let engine = if inner.sign_type() == "RSA" { engine::engine_name(&engine) } else { "none" };
        Ok(JsUseePay { inner, engine })
    }

    /// Any transaction type: `fields` object; `options.path` `/api` (default) or `/cashier`.
    #[wasm_bindgen(js_name = buildRequest)]
    pub fn build_request(&self, transaction_type: JsValue, fields: JsValue, options: JsValue) -> JsResult<JsValue> {
        let transaction_type = str_arg(&transaction_type, "transactionType", MaxBytes::SMALL)?;
        let path = string_option(&options, "path")?.unwrap_or_else(|| "/api".into());
        request(self.inner.build_request(&transaction_type, &json_of(&fields, "fields", MaxBytes::JSON)?, &path))
    }

    #[wasm_bindgen(js_name = buildJsapiPay)]
    pub fn build_jsapi_pay(&self, args: JsValue) -> JsResult<JsValue> {
        request(self.inner.build_jsapi_pay(&json_of(&args, "arguments", MaxBytes::JSON)?))
    }

    #[wasm_bindgen(js_name = buildQuery)]
    pub fn build_query(&self, args: JsValue) -> JsResult<JsValue> {
        request(self.inner.build_query(&json_of(&args, "arguments", MaxBytes::JSON)?))
    }

    #[wasm_bindgen(js_name = buildRefund)]
    pub fn build_refund(&self, args: JsValue) -> JsResult<JsValue> {
        request(self.inner.build_refund(&json_of(&args, "arguments", MaxBytes::JSON)?))
    }

    /// `{ fields, result }` of any verified response (the business result is not judged).
    #[wasm_bindgen(js_name = parseResponse)]
    pub fn parse_response(&self, raw: JsValue) -> JsResult<JsValue> {
        let verified = self.inner.verify_response(&text_of(&raw, "response body", self.max_input())?).js()?;
        js_of(&json!({ "fields": string_map(&verified.fields), "result": verified.outcome().js()? }))
    }

    #[wasm_bindgen(js_name = parseJsapiPay)]
    pub fn parse_jsapi_pay(&self, raw: JsValue) -> JsResult<JsValue> {
        js_of(&self.inner.parse_jsapi_pay(&text_of(&raw, "response body", self.max_input())?).js()?)
    }

    #[wasm_bindgen(js_name = parseQuery)]
    pub fn parse_query(&self, raw: JsValue) -> JsResult<JsValue> {
        js_of(&self.inner.parse_query(&text_of(&raw, "response body", self.max_input())?).js()?)
    }

    #[wasm_bindgen(js_name = parseRefund)]
    pub fn parse_refund(&self, raw: JsValue) -> JsResult<JsValue> {
        js_of(&self.inner.parse_refund(&text_of(&raw, "response body", self.max_input())?).js()?)
    }

    /// `{ event, reply }` for a raw notification body; reply is HTTP 200 `OK`.
    #[wasm_bindgen(js_name = verifyNotify)]
    pub fn verify_notify(&self, body: JsValue) -> JsResult<JsValue> {
        let event = self.inner.verify_notify(&bytes_of(&body, "notification body", self.max_input())?).js()?;
        js_of(&json!({
            "event": event,
            "reply": notify_reply(REPLY_BODY),
        }))
    }

    #[wasm_bindgen(getter, js_name = signType)]
    pub fn sign_type(&self) -> String {
        self.inner.sign_type().to_owned()
    }

    /// `"node"`/`"wasm"` for RSA, `"none"` for MD5.
    #[wasm_bindgen(getter)]
    pub fn engine(&self) -> String {
        self.engine.to_owned()
    }
}
