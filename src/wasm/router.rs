//! The `Router` JS class: conversions only; every rule lives in `crate::router`.

use wasm_bindgen::prelude::*;

use super::{IntoJs, JsResult, MaxBytes, fresh_nonce, js_of, json_of, now_ms, str_arg};
use crate::options::WipedOnDrop;
use crate::router::Router;

#[wasm_bindgen(js_name = Router)]
pub struct JsRouter {
    inner: Router,
}

#[wasm_bindgen(js_class = Router)]
impl JsRouter {
    /// `{ stateSecret, stateTtlSeconds?, alipay?: { appId }, wechat?: { appId }, limits? }`
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> JsResult<JsRouter> {
        let config = WipedOnDrop(json_of(&config, "Router config", MaxBytes::JSON)?);
        Ok(JsRouter { inner: Router::new(&config).js()? })
    }

    /// `{ userAgent?, url }` → `{ wallet, client, path, params }`.
    pub fn route(&self, request: JsValue) -> JsResult<JsValue> {
        let request = json_of(&request, "route request", MaxBytes::envelope(self.inner.limits()))?;
        js_of(&self.inner.route_request(&request).js()?)
    }

    /// Launch options → `{ wallet, qrCode, path, params, scancodeTime? }`, or `null`.
    #[wasm_bindgen(js_name = routeLaunch)]
    pub fn route_launch(&self, options: JsValue) -> JsResult<JsValue> {
        let options = json_of(&options, "launch options", MaxBytes::envelope(self.inner.limits()))?;
        match self.inner.route_launch(&options).js()? {
            None => Ok(JsValue::NULL),
            Some(launch) => js_of(&launch),
        }
    }

    /// `{ wallet, redirectUri, bind?, now?, nonce? }` → `{ url, state }`.
    #[wasm_bindgen(js_name = authorizeUrl)]
    pub fn authorize_url(&self, args: JsValue) -> JsResult<JsValue> {
        let args = json_of(&args, "authorizeUrl arguments", MaxBytes::JSON)?;
        let nonce = fresh_nonce()?;
        let a = self.inner.authorize_url(&args, now_ms(), &nonce[..crate::router::state::NONCE_LEN]).js()?;
        js_of(&serde_json::json!({ "url": a.url, "state": a.state }))
    }

    /// `(state, { wallet?, bind?, now? })` → `{ wallet, issuedAt }` (milliseconds).
    #[wasm_bindgen(js_name = verifyState)]
    pub fn verify_state(&self, state: JsValue, options: JsValue) -> JsResult<JsValue> {
        let state = str_arg(&state, "state", MaxBytes::input(self.inner.limits()))?;
        let options = json_of(&options, "verifyState options", MaxBytes::JSON)?;
        let v = self.inner.verify_state(&state, &options, now_ms()).js()?;
        js_of(&serde_json::json!({ "wallet": v.wallet.as_str(), "issuedAt": v.issued_at * 1000 }))
    }

    /// `{ url, bind?, wallet?, now? }` → `{ wallet, code, path, params, issuedAt }` (milliseconds).
    #[wasm_bindgen(js_name = verifyCallback)]
    pub fn verify_callback(&self, args: JsValue) -> JsResult<JsValue> {
        let args = json_of(&args, "verifyCallback arguments", MaxBytes::envelope(self.inner.limits()))?;
        let c = self.inner.verify_callback(&args, now_ms()).js()?;
        js_of(&serde_json::json!({
            "wallet": c.wallet.as_str(), "code": c.code, "path": c.path,
            "params": crate::http::StringMap(&c.params), "issuedAt": c.issued_at * 1000,
        }))
    }

    #[wasm_bindgen(getter, js_name = stateTtlSeconds)]
    pub fn state_ttl_seconds(&self) -> f64 {
        self.inner.state_ttl_seconds() as f64
    }
}
