//! The `Alipay` JS class: conversions only; every rule lives in `crate::alipay`.

use serde_json::json;
use wasm_bindgen::prelude::*;

use super::{
    IntoJs, JsResult, MaxBytes, bytes_of, engine, fresh_nonce, js_of, js_of_json_text, json_of, now_ms, request,
    str_arg, string_map, string_option, text_of,
};
use crate::alipay::notify::{NotifyRule, REPLY_BODY};
use crate::alipay::request::RequestOptions;
use crate::alipay::{Alipay, client};
use crate::http::notify_reply;
use crate::options::WipedOnDrop;

#[wasm_bindgen(js_name = Alipay)]
pub struct JsAlipay {
    inner: Alipay,
    engine: &'static str,
}

fn options(value: &JsValue) -> JsResult<RequestOptions> {
    RequestOptions::from_json(&json_of(value, "options", MaxBytes::JSON)?, now_ms()).js()
}

/// Arguments from the merchant's own code (biz_content, builder arguments).
fn arg_json(value: &JsValue, what: &str) -> JsResult<serde_json::Value> {
    json_of(value, what, MaxBytes::JSON)
}

impl JsAlipay {
    /// This client's `limits.maxInputBytes`, for its network inputs.
    fn max_input(&self) -> MaxBytes {
        MaxBytes::input(self.inner.limits())
    }
}

#[wasm_bindgen(js_class = Alipay)]
impl JsAlipay {
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> JsResult<JsAlipay> {
        let engine = engine::choose(&config)?;
        let inner = Alipay::new(
            &WipedOnDrop(json_of(&config, "Alipay config", MaxBytes::JSON)?),
            |key| engine::signer(key, &engine),
            |key| engine::verifier(key, &engine),
        )
        .js()?;
        Ok(JsAlipay { inner, engine: engine::engine_name(&engine) })
    }

    /// Any v2 method: `bizContent` is an object or a JSON string (sent exactly as given), or undefined.
    #[wasm_bindgen(js_name = buildRequest)]
    pub fn build_request(&self, method: JsValue, biz_content: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let method = str_arg(&method, "method", MaxBytes::SMALL)?;
        let biz = arg_json(&biz_content, "bizContent")?;
        let biz = (!biz.is_null()).then_some(biz);
        request(self.inner.build_request(&method, biz.as_ref(), &options(&opts)?))
    }

    #[wasm_bindgen(js_name = buildOauthToken)]
    pub fn build_oauth_token(&self, args: JsValue, opts: JsValue) -> JsResult<JsValue> {
        request(self.inner.build_oauth_token(&arg_json(&args, "arguments")?, options(&opts)?))
    }

    #[wasm_bindgen(js_name = buildTradeCreate)]
    pub fn build_trade_create(&self, biz: JsValue, opts: JsValue) -> JsResult<JsValue> {
        request(self.inner.build_trade_create(&arg_json(&biz, "bizContent")?, &options(&opts)?))
    }

    #[wasm_bindgen(js_name = buildTradeQuery)]
    pub fn build_trade_query(&self, biz: JsValue, opts: JsValue) -> JsResult<JsValue> {
        request(self.inner.build_trade_query(&arg_json(&biz, "bizContent")?, &options(&opts)?))
    }

    #[wasm_bindgen(js_name = buildTradeClose)]
    pub fn build_trade_close(&self, biz: JsValue, opts: JsValue) -> JsResult<JsValue> {
        request(self.inner.build_trade_close(&arg_json(&biz, "bizContent")?, &options(&opts)?))
    }

    #[wasm_bindgen(js_name = buildTradeRefund)]
    pub fn build_trade_refund(&self, biz: JsValue, opts: JsValue) -> JsResult<JsValue> {
        request(self.inner.build_trade_refund(&arg_json(&biz, "bizContent")?, &options(&opts)?))
    }

    #[wasm_bindgen(js_name = buildRefundQuery)]
    pub fn build_refund_query(&self, biz: JsValue, opts: JsValue) -> JsResult<JsValue> {
        request(self.inner.build_refund_query(&arg_json(&biz, "bizContent")?, &options(&opts)?))
    }

    #[wasm_bindgen(js_name = buildTradePrecreate)]
    pub fn build_trade_precreate(&self, biz: JsValue, opts: JsValue) -> JsResult<JsValue> {
        request(self.inner.build_trade_precreate(&arg_json(&biz, "bizContent")?, &options(&opts)?))
    }

    /// `{ url, form, params }`: a signed GET URL and an auto-submitting POST form.
    #[wasm_bindgen(js_name = buildWapPay)]
    pub fn build_wap_pay(&self, biz: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let page = self.inner.build_wap_pay(&arg_json(&biz, "bizContent")?, &options(&opts)?).js()?;
        js_of(&json!({ "url": page.url, "form": page.form, "params": string_map(&page.params) }))
    }

    /// The verified response node of `method`, parsed (decrypted first when encrypted).
    #[wasm_bindgen(js_name = parseResponse)]
    pub fn parse_response(&self, method: JsValue, raw: JsValue) -> JsResult<JsValue> {
        let method = str_arg(&method, "method", MaxBytes::SMALL)?;
        let raw = text_of(&raw, "response body", self.max_input())?;
        js_of_json_text(&self.inner.parse_response(&method, &raw).js()?)
    }

    /// `{ event, reply }` for a raw notification body; `options.rule`: `payment` (default), `gateway`, `auto`.
    #[wasm_bindgen(js_name = verifyNotify)]
    pub fn verify_notify(&self, body: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let rule = NotifyRule::parse(&string_option(&opts, "rule")?.unwrap_or_else(|| "payment".into())).js()?;
        let notification =
            self.inner.verify_notify(&bytes_of(&body, "notification body", self.max_input())?, rule).js()?;
        js_of(&json!({
            "event": string_map(&notification.params),
            "reply": notify_reply(REPLY_BODY),
        }))
    }

    /// Verified `return_url` parameters (the query string, with or without `?`).
    #[wasm_bindgen(js_name = verifyReturn)]
    pub fn verify_return(&self, query: JsValue) -> JsResult<JsValue> {
        let notification = self.inner.verify_return(&bytes_of(&query, "return query", self.max_input())?).js()?;
        js_of(&string_map(&notification.params))
    }

    /// `{ tradeNO }` for `my.tradePay(…)` and `AlipayJSBridge.call('tradePay', …)`.
    #[wasm_bindgen(js_name = tradePayParams)]
    pub fn trade_pay_params(&self, trade_create_result: JsValue) -> JsResult<JsValue> {
        let trade_no = client::trade_no_of(&arg_json(&trade_create_result, "trade.create result")?).js()?;
        js_of(&json!({ "tradeNO": trade_no }))
    }

    /// `{ qrCode, params }` from the mini program's launch options, or `null`.
    #[wasm_bindgen(js_name = launchQrCode)]
    pub fn launch_qr_code(launch_options: JsValue) -> JsResult<JsValue> {
        match client::launch_qr(&arg_json(&launch_options, "launch options")?).js()? {
            None => Ok(JsValue::NULL),
            Some(qr) => js_of(&json!({ "qrCode": qr.qr_code, "params": string_map(&qr.params) })),
        }
    }

    /// An OpenAPI v3 request: `{ method, path, body?, appAuthToken?, nonce?, timestamp?, requestId? }`.
    #[wasm_bindgen(js_name = buildV3Request)]
    pub fn build_v3_request(&self, args: JsValue) -> JsResult<JsValue> {
        request(self.inner.build_v3_request(&arg_json(&args, "arguments")?, now_ms(), &fresh_nonce()?))
    }

    /// Verifies `{ status, headers, body }` of a v3 response and returns the parsed body.
    #[wasm_bindgen(js_name = verifyV3Response)]
    pub fn verify_v3_response(&self, response: JsValue) -> JsResult<JsValue> {
        let response = json_of(&response, "response", MaxBytes::envelope(self.inner.limits()))?;
        js_of_json_text(&self.inner.verify_v3_response(&response).js()?)
    }

    #[wasm_bindgen(getter, js_name = appId)]
    pub fn app_id(&self) -> String {
        self.inner.app_id().to_owned()
    }
    #[wasm_bindgen(getter, js_name = signType)]
    pub fn sign_type(&self) -> String {
        self.inner.sign_type().as_str().to_owned()
    }
    #[wasm_bindgen(getter)]
    pub fn gateway(&self) -> String {
        self.inner.gateway().to_owned()
    }
    #[wasm_bindgen(getter, js_name = appCertSn)]
    pub fn app_cert_sn(&self) -> Option<String> {
        self.inner.cert_mode().map(|c| c.app_cert_sn.clone())
    }
    #[wasm_bindgen(getter, js_name = alipayCertSn)]
    pub fn alipay_cert_sn(&self) -> Option<String> {
        self.inner.cert_mode().map(|c| c.alipay_cert_sn.clone())
    }
    #[wasm_bindgen(getter, js_name = alipayRootCertSn)]
    pub fn alipay_root_cert_sn(&self) -> Option<String> {
        self.inner.cert_mode().map(|c| c.alipay_root_cert_sn.clone())
    }
    #[wasm_bindgen(getter)]
    pub fn engine(&self) -> String {
        self.engine.to_owned()
    }
}
