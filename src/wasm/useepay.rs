//! The `UseePay` JS class: conversions only; every rule lives in `crate::useepay`.

use wasm_bindgen::prelude::*;

use super::pending::{engine_methods, pending};
use super::{
    IntoJs, JsResult, MaxBytes, Notified, body_of, body_text, bytes_of, js_of, json_of, request, str_arg,
    string_option, text_of,
};
use crate::checkout::{Order, Refund, StatusQuery};
use crate::http::{StringMap, notify_reply};
use crate::options::WipedOnDrop;
use crate::router::wallet::Wallet;
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
    /// Checkout: the JSAPI payment for an order (`crate::checkout::Order`).
    #[wasm_bindgen(js_name = step_buildCheckout)]
    pub fn build_checkout(&self, order: JsValue) -> JsResult<JsValue> {
        let order = Order::from_json(&json_of(&order, "order", MaxBytes::JSON)?).js()?;
        request(self.inner.build_checkout(&order))
    }

    /// Checkout: the JSAPI reply (`send()`'s result, or its body) as `{ wallet, provider,
    /// outTradeNo, tradeNo, launch: { api, params } }`.
    #[wasm_bindgen(js_name = step_parseCheckout)]
    pub fn parse_checkout(&self, order: JsValue, response: JsValue) -> JsResult<JsValue> {
        let order = Order::from_json(&json_of(&order, "order", MaxBytes::JSON)?).js()?;
        let raw = body_text(&response, "response", self.max_input())?;
        pending(self.inner.parse_checkout(&order, &raw), |checkout| js_of(&checkout))
    }

    /// Checkout: `{ event, reply }` for a notification (`{ headers, body }`, or the raw body).
    #[wasm_bindgen(js_name = step_verifyEvent)]
    pub fn verify_event(&self, notification: JsValue) -> JsResult<JsValue> {
        let body = body_of(&notification, "notification", self.max_input())?;
        pending(self.inner.verify_event(&body), |event| js_of(&Notified { event, reply: notify_reply(REPLY_BODY) }))
    }

    /// Checkout: the query for `{ outTradeNo }`.
    #[wasm_bindgen(js_name = step_buildStatusQuery)]
    pub fn build_status_query(&self, query: JsValue) -> JsResult<JsValue> {
        let query = StatusQuery::from_json(&json_of(&query, "status query", MaxBytes::JSON)?, Wallet::Wechat).js()?;
        request(self.inner.build_status_query(&query))
    }

    /// Checkout: the query reply as the one event.
    #[wasm_bindgen(js_name = step_parseStatusQuery)]
    pub fn parse_status_query(&self, query: JsValue, response: JsValue) -> JsResult<JsValue> {
        let query = StatusQuery::from_json(&json_of(&query, "status query", MaxBytes::JSON)?, Wallet::Wechat).js()?;
        let raw = body_text(&response, "response", self.max_input())?;
        pending(self.inner.parse_status_query(&query, &raw), |event| js_of(&event))
    }

    /// Checkout: the refund `{ outTradeNo, outRefundNo, amount, total, notifyUrl? }`.
    #[wasm_bindgen(js_name = step_buildCheckoutRefund)]
    pub fn build_checkout_refund(&self, refund: JsValue) -> JsResult<JsValue> {
        let refund = Refund::from_json(&json_of(&refund, "refund", MaxBytes::JSON)?, Wallet::Wechat).js()?;
        request(self.inner.build_checkout_refund(&refund))
    }

    /// Checkout: the refund reply as the one event.
    #[wasm_bindgen(js_name = step_parseCheckoutRefund)]
    pub fn parse_checkout_refund(&self, refund: JsValue, response: JsValue) -> JsResult<JsValue> {
        let refund = Refund::from_json(&json_of(&refund, "refund", MaxBytes::JSON)?, Wallet::Wechat).js()?;
        let raw = body_text(&response, "response", self.max_input())?;
        pending(self.inner.parse_checkout_refund(&refund, &raw), |event| js_of(&event))
    }

    #[wasm_bindgen(js_name = step_buildRequest)]
    pub fn build_request(&self, transaction_type: JsValue, fields: JsValue, options: JsValue) -> JsResult<JsValue> {
        let transaction_type = str_arg(&transaction_type, "transactionType", MaxBytes::SMALL)?;
        let path = string_option(&options, "path")?.unwrap_or_else(|| "/api".into());
        request(self.inner.build_request(&transaction_type, &json_of(&fields, "fields", MaxBytes::JSON)?, &path))
    }

    #[wasm_bindgen(js_name = step_buildJsapiPay)]
    pub fn build_jsapi_pay(&self, args: JsValue) -> JsResult<JsValue> {
        request(self.inner.build_jsapi_pay(&json_of(&args, "arguments", MaxBytes::JSON)?))
    }

    #[wasm_bindgen(js_name = step_buildQuery)]
    pub fn build_query(&self, args: JsValue) -> JsResult<JsValue> {
        request(self.inner.build_query(&json_of(&args, "arguments", MaxBytes::JSON)?))
    }

    #[wasm_bindgen(js_name = step_buildRefund)]
    pub fn build_refund(&self, args: JsValue) -> JsResult<JsValue> {
        request(self.inner.build_refund(&json_of(&args, "arguments", MaxBytes::JSON)?))
    }

    /// `{ fields, result }` of any verified response (the business result is not judged).
    #[wasm_bindgen(js_name = step_parseResponse)]
    pub fn parse_response(&self, raw: JsValue) -> JsResult<JsValue> {
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
    pub fn parse_jsapi_pay(&self, raw: JsValue) -> JsResult<JsValue> {
        pending(self.inner.parse_jsapi_pay(&text_of(&raw, "response body", self.max_input())?), |v| js_of(&v))
    }

    #[wasm_bindgen(js_name = step_parseQuery)]
    pub fn parse_query(&self, raw: JsValue) -> JsResult<JsValue> {
        pending(self.inner.parse_query(&text_of(&raw, "response body", self.max_input())?), |v| js_of(&v))
    }

    #[wasm_bindgen(js_name = step_parseRefund)]
    pub fn parse_refund(&self, raw: JsValue) -> JsResult<JsValue> {
        pending(self.inner.parse_refund(&text_of(&raw, "response body", self.max_input())?), |v| js_of(&v))
    }

    /// `{ event, reply }` for a raw notification body; reply is HTTP 200 `OK`.
    #[wasm_bindgen(js_name = step_verifyNotify)]
    pub fn verify_notify(&self, body: JsValue) -> JsResult<JsValue> {
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
