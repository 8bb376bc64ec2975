//! The `Alipay` JS class: conversions only; every rule lives in `crate::alipay`.

use serde_json::json;
use wasm_bindgen::prelude::*;

use super::pending::{engine_methods, pending};
use super::{
    IntoJs, JsResult, MaxBytes, Notified, body_of, body_text, bytes_of, fresh_nonce, js_of, js_of_json_text, json_of,
    now_ms, request, str_arg, string_option, text_of,
};
use crate::alipay::cert::DownloadCheck;
use crate::alipay::notify::{NotifyRule, REPLY_BODY};
use crate::alipay::request::{PageRequest, RequestOptions, SdkOrder};
use crate::alipay::{Alipay, mini_program};
use crate::checkout::{Order, Refund, StatusQuery};
use crate::http::{StringMap, notify_reply};
use crate::options::WipedOnDrop;
use crate::router::wallet::Wallet;

/// The wasm-bindgen class under the public `Alipay`: every `step_…` method prepares an operation
/// that the host's engine answers (`pkg/src/seam.mjs`).
#[wasm_bindgen(js_name = Alipay)]
pub struct JsAlipay {
    inner: Alipay,
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
        let inner = Alipay::new(&WipedOnDrop(json_of(&config, "Alipay config", MaxBytes::JSON)?)).js()?;
        Ok(JsAlipay { inner })
    }

    /// Any v2 method: `bizContent` is an object or a JSON string (sent exactly as given), or undefined.
    #[wasm_bindgen(js_name = step_buildRequest)]
    pub fn build_request(&self, method: JsValue, biz_content: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let method = str_arg(&method, "method", MaxBytes::SMALL)?;
        let biz = arg_json(&biz_content, "bizContent")?;
        let biz = (!biz.is_null()).then_some(biz);
        request(self.inner.build_request(&method, biz.as_ref(), &options(&opts)?))
    }

    #[wasm_bindgen(js_name = step_buildOauthToken)]
    pub fn build_oauth_token(&self, args: JsValue, opts: JsValue) -> JsResult<JsValue> {
        request(self.inner.build_oauth_token(&arg_json(&args, "arguments")?, options(&opts)?))
    }

    #[wasm_bindgen(js_name = step_buildTradeCreate)]
    pub fn build_trade_create(&self, biz: JsValue, opts: JsValue) -> JsResult<JsValue> {
        request(self.inner.build_trade_create(&arg_json(&biz, "bizContent")?, &options(&opts)?))
    }

    #[wasm_bindgen(js_name = step_buildTradeQuery)]
    pub fn build_trade_query(&self, biz: JsValue, opts: JsValue) -> JsResult<JsValue> {
        request(self.inner.build_trade_query(&arg_json(&biz, "bizContent")?, &options(&opts)?))
    }

    #[wasm_bindgen(js_name = step_buildTradeClose)]
    pub fn build_trade_close(&self, biz: JsValue, opts: JsValue) -> JsResult<JsValue> {
        request(self.inner.build_trade_close(&arg_json(&biz, "bizContent")?, &options(&opts)?))
    }

    #[wasm_bindgen(js_name = step_buildTradeRefund)]
    pub fn build_trade_refund(&self, biz: JsValue, opts: JsValue) -> JsResult<JsValue> {
        request(self.inner.build_trade_refund(&arg_json(&biz, "bizContent")?, &options(&opts)?))
    }

    #[wasm_bindgen(js_name = step_buildRefundQuery)]
    pub fn build_refund_query(&self, biz: JsValue, opts: JsValue) -> JsResult<JsValue> {
        request(self.inner.build_refund_query(&arg_json(&biz, "bizContent")?, &options(&opts)?))
    }

    #[wasm_bindgen(js_name = step_buildTradePrecreate)]
    pub fn build_trade_precreate(&self, biz: JsValue, opts: JsValue) -> JsResult<JsValue> {
        request(self.inner.build_trade_precreate(&arg_json(&biz, "bizContent")?, &options(&opts)?))
    }

    /// `{ url, form, params }`: a signed GET URL and an auto-submitting POST form.
    #[wasm_bindgen(js_name = step_buildWapPay)]
    pub fn build_wap_pay(&self, biz: JsValue, opts: JsValue) -> JsResult<JsValue> {
        pending(self.inner.build_wap_pay(&arg_json(&biz, "bizContent")?, &options(&opts)?), page_js)
    }

    /// `alipay.trade.page.pay`: `{ url, form, params }`, as `buildWapPay`.
    #[wasm_bindgen(js_name = step_buildPagePay)]
    pub fn build_page_pay(&self, biz: JsValue, opts: JsValue) -> JsResult<JsValue> {
        pending(self.inner.build_page_pay(&arg_json(&biz, "bizContent")?, &options(&opts)?), page_js)
    }

    /// `alipay.trade.app.pay`: `{ orderStr, params }` for the Alipay App SDK.
    #[wasm_bindgen(js_name = step_buildAppPay)]
    pub fn build_app_pay(&self, biz: JsValue, opts: JsValue) -> JsResult<JsValue> {
        pending(self.inner.build_app_pay(&arg_json(&biz, "bizContent")?, &options(&opts)?), sdk_order_js)
    }

    /// Any App SDK method: `{ orderStr, params }`.
    #[wasm_bindgen(js_name = step_buildSdkOrder)]
    pub fn build_sdk_order(&self, method: JsValue, biz_content: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let method = str_arg(&method, "method", MaxBytes::SMALL)?;
        let biz = arg_json(&biz_content, "bizContent")?;
        pending(self.inner.build_sdk_order(&method, &biz, &options(&opts)?), sdk_order_js)
    }

    #[wasm_bindgen(js_name = step_buildTradeCancel)]
    pub fn build_trade_cancel(&self, biz: JsValue, opts: JsValue) -> JsResult<JsValue> {
        request(self.inner.build_trade_cancel(&arg_json(&biz, "bizContent")?, &options(&opts)?))
    }

    #[wasm_bindgen(js_name = step_buildBillDownloadUrlQuery)]
    pub fn build_bill_download_url_query(&self, biz: JsValue, opts: JsValue) -> JsResult<JsValue> {
        request(self.inner.build_bill_download_url_query(&arg_json(&biz, "bizContent")?, &options(&opts)?))
    }

    #[wasm_bindgen(js_name = step_buildAlipayCertDownload)]
    pub fn build_alipay_cert_download(&self, biz: JsValue, opts: JsValue) -> JsResult<JsValue> {
        request(self.inner.build_cert_download(&arg_json(&biz, "bizContent")?, &options(&opts)?))
    }

    /// Decodes and checks the certificate of an `alipay.open.app.alipaycert.download` reply, adds it
    /// to this client's key ring (current first); `{ alipayCertSn, pem, notBefore, notAfter }`.
    #[wasm_bindgen(js_name = addAlipayCertFromDownload)]
    pub fn add_alipay_cert_from_download(&mut self, raw: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let raw = text_of(&raw, "certificate download reply", self.max_input())?;
        let check = DownloadCheck::from_json(&json_of(&opts, "options", MaxBytes::JSON)?, now_ms()).js()?;
        let cert = self.inner.decode_cert_download(&raw, &check.alipay_cert_sn, check.now_ms).js()?;
        self.inner.add_alipay_cert(&cert);
        js_of(&json!({
            "alipayCertSn": cert.sn(),
            "pem": cert.pem(),
            "notBefore": cert.not_before(),
            "notAfter": cert.not_after(),
        }))
    }

    /// The verified response node of `method`, parsed (decrypted first when encrypted).
    #[wasm_bindgen(js_name = step_parseResponse)]
    pub fn parse_response(&self, method: JsValue, raw: JsValue) -> JsResult<JsValue> {
        let method = str_arg(&method, "method", MaxBytes::SMALL)?;
        let raw = text_of(&raw, "response body", self.max_input())?;
        pending(self.inner.parse_response(&method, &raw), |node| js_of_json_text(&node))
    }

    /// `{ event, reply }` for a raw notification body; `options.rule`: `payment` (default), `gateway`, `auto`.
    #[wasm_bindgen(js_name = step_verifyNotify)]
    pub fn verify_notify(&self, body: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let rule = NotifyRule::parse(&string_option(&opts, "rule")?.unwrap_or_else(|| "payment".into())).js()?;
        let body = bytes_of(&body, "notification body", self.max_input())?;
        pending(self.inner.verify_notify(&body, rule), |notification| {
            js_of(&Notified { event: notification, reply: notify_reply(REPLY_BODY) })
        })
    }

    /// Verified `return_url` parameters (the query string, with or without `?`).
    #[wasm_bindgen(js_name = step_verifyReturn)]
    pub fn verify_return(&self, query: JsValue) -> JsResult<JsValue> {
        let query = bytes_of(&query, "return query", self.max_input())?;
        pending(self.inner.verify_return(&query), |params| js_of(&params))
    }

    /// Checkout: `alipay.trade.create` for an order (`crate::checkout::Order`).
    #[wasm_bindgen(js_name = step_buildCheckout)]
    pub fn build_checkout(&self, order: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let order = Order::from_json(&arg_json(&order, "order")?).js()?;
        request(self.inner.build_checkout(&order, &options(&opts)?))
    }

    /// Checkout: the `alipay.trade.create` reply (`send()`'s result, or its body) as `{ wallet,
    /// provider, outTradeNo, tradeNo, launch: { api, params } }`.
    #[wasm_bindgen(js_name = step_parseCheckout)]
    pub fn parse_checkout(&self, order: JsValue, response: JsValue) -> JsResult<JsValue> {
        let order = Order::from_json(&arg_json(&order, "order")?).js()?;
        let raw = body_text(&response, "response", self.max_input())?;
        pending(self.inner.parse_checkout(&order, &raw), |checkout| js_of(&checkout))
    }

    /// Checkout: `{ event, reply }` for a notification (`{ headers, body }`, or the raw body), the
    /// event in the one shape of every provider.
    #[wasm_bindgen(js_name = step_verifyEvent)]
    pub fn verify_event(&self, notification: JsValue) -> JsResult<JsValue> {
        let body = body_of(&notification, "notification", self.max_input())?;
        pending(self.inner.verify_event(&body), |event| js_of(&Notified { event, reply: notify_reply(REPLY_BODY) }))
    }

    /// Checkout: `alipay.trade.query` for `{ outTradeNo }`.
    #[wasm_bindgen(js_name = step_buildStatusQuery)]
    pub fn build_status_query(&self, query: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let query = StatusQuery::from_json(&arg_json(&query, "status query")?, Wallet::Alipay).js()?;
        request(self.inner.build_status_query(&query, &options(&opts)?))
    }

    /// Checkout: the query reply as the one event.
    #[wasm_bindgen(js_name = step_parseStatusQuery)]
    pub fn parse_status_query(&self, query: JsValue, response: JsValue) -> JsResult<JsValue> {
        let query = StatusQuery::from_json(&arg_json(&query, "status query")?, Wallet::Alipay).js()?;
        let raw = body_text(&response, "response", self.max_input())?;
        pending(self.inner.parse_status_query(&query, &raw), |event| js_of(&event))
    }

    /// Checkout: `alipay.trade.refund` for `{ outTradeNo, outRefundNo, amount, total, reason? }`.
    #[wasm_bindgen(js_name = step_buildCheckoutRefund)]
    pub fn build_checkout_refund(&self, refund: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let refund = Refund::from_json(&arg_json(&refund, "refund")?, Wallet::Alipay).js()?;
        request(self.inner.build_checkout_refund(&refund, &options(&opts)?))
    }

    /// Checkout: the refund reply as the one event.
    #[wasm_bindgen(js_name = step_parseCheckoutRefund)]
    pub fn parse_checkout_refund(&self, refund: JsValue, response: JsValue) -> JsResult<JsValue> {
        let refund = Refund::from_json(&arg_json(&refund, "refund")?, Wallet::Alipay).js()?;
        let raw = body_text(&response, "response", self.max_input())?;
        pending(self.inner.parse_checkout_refund(&refund, &raw), |event| js_of(&event))
    }

    /// `{ tradeNO }` for `my.tradePay(…)` and `AlipayJSBridge.call('tradePay', …)`.
    #[wasm_bindgen(js_name = tradePayParams)]
    pub fn trade_pay_params(&self, trade_create_result: JsValue) -> JsResult<JsValue> {
        let trade_no = mini_program::trade_no_of(&arg_json(&trade_create_result, "trade.create result")?).js()?;
        js_of(&json!({ "tradeNO": trade_no }))
    }

    /// `{ qrCode, params }` from the mini program's launch options, or `null`.
    #[wasm_bindgen(js_name = launchQrCode)]
    pub fn launch_qr_code(launch_options: JsValue) -> JsResult<JsValue> {
        match mini_program::launch_qr(&arg_json(&launch_options, "launch options")?).js()? {
            None => Ok(JsValue::NULL),
            Some(qr) => js_of(&qr),
        }
    }

    /// An OpenAPI v3 request: `{ method, path, body?, appAuthToken?, nonce?, timestamp?, requestId? }`.
    #[wasm_bindgen(js_name = step_buildV3Request)]
    pub fn build_v3_request(&self, args: JsValue) -> JsResult<JsValue> {
        request(self.inner.build_v3_request(&arg_json(&args, "arguments")?, now_ms(), &fresh_nonce()?))
    }

    /// Verifies `{ status, headers, body }` of a v3 response and returns the parsed body.
    #[wasm_bindgen(js_name = step_verifyV3Response)]
    pub fn verify_v3_response(&self, response: JsValue) -> JsResult<JsValue> {
        let response = json_of(&response, "response", MaxBytes::envelope(self.inner.limits()))?;
        pending(self.inner.verify_v3_response(&response), |body| js_of_json_text(&body))
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
        self.inner.cert_mode().and_then(|c| c.app_cert_sn.clone())
    }
    /// The SN of the current Alipay certificate (the first configured).
    #[wasm_bindgen(getter, js_name = alipayCertSn)]
    pub fn alipay_cert_sn(&self) -> Option<String> {
        self.inner.cert_mode().and_then(|_| self.inner.keys().public_ids().next().map(str::to_owned))
    }
    /// The SNs of every Alipay certificate configured (current first).
    #[wasm_bindgen(getter, js_name = alipayCertSns)]
    pub fn alipay_cert_sns(&self) -> Vec<String> {
        match self.inner.cert_mode() {
            Some(_) => self.inner.keys().public_ids().map(str::to_owned).collect(),
            None => Vec::new(),
        }
    }
    #[wasm_bindgen(getter, js_name = alipayRootCertSn)]
    pub fn alipay_root_cert_sn(&self) -> Option<String> {
        self.inner.cert_mode().and_then(|c| c.alipay_root_cert_sn.clone())
    }
    /// Whether this client can build signed requests (it holds the app private key).
    #[wasm_bindgen(getter, js_name = canSign)]
    pub fn can_sign(&self) -> bool {
        self.inner.keys().private_key().is_some()
    }
    /// Whether this client can verify what Alipay sends (it holds an Alipay key or certificate).
    #[wasm_bindgen(getter, js_name = canVerify)]
    pub fn can_verify(&self) -> bool {
        self.inner.keys().has_public()
    }
}

engine_methods!(JsAlipay, Alipay, |this| Some(this.inner.keys()));

/// A page API's `{ url, form, params }`.
fn page_js(page: PageRequest) -> JsResult<JsValue> {
    #[derive(serde::Serialize)]
    struct Page<'a> {
        url: &'a str,
        form: &'a str,
        params: StringMap<'a>,
    }
    js_of(&Page { url: &page.url, form: &page.form, params: StringMap(&page.params) })
}

/// An App SDK method's `{ orderStr, params }`.
fn sdk_order_js(order: SdkOrder) -> JsResult<JsValue> {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Order<'a> {
        order_str: &'a str,
        params: StringMap<'a>,
    }
    js_of(&Order { order_str: &order.order_str, params: StringMap(&order.params) })
}
