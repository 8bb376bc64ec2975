//! The `WechatPay` JS class: conversions only; every rule lives in `crate::wechat::pay`.
//!
//! Received messages cross as `{ status?, headers, body }`: `headers` a plain object, a genuine
//! `Headers` or `[name, value]` pairs (read as JSON, or through the host's own `Headers` iterator),
//! `body` the exact bytes received (a string is taken as its UTF-8 bytes). Build methods take
//! `{ now, nonce }` options, verifications `{ now }`, defaulting to `Date.now()` and 16 random bytes.

use std::cell::{Ref, RefCell};

use wasm_bindgen::prelude::*;

use super::pending::{engine_methods, pending, pending_with_keys};
use super::{
    IntoJs, JsResult, MaxBytes, Notified, bytes_of, fresh_nonce, guard, js_error, js_of, js_of_json_text, json_of,
    now_ms, request, str_arg, string_option,
};
use crate::checkout::{Order, Refund, StatusQuery};
use crate::error::Error;
use crate::options::WipedOnDrop;
use crate::router::wallet::Wallet;
use crate::wechat::pay::bill::Bill;
use crate::wechat::pay::checkout::Reply;
use crate::wechat::pay::notify::{SUCCESS_REPLY, failure_reply_for_code};
use crate::wechat::pay::request::Stamp;
use crate::wechat::pay::response::{header_pairs, now_from_options};
use crate::wechat::pay::trade::TradeType;
use crate::wechat::pay::{WechatPay, certificates::PlatformCertificate};

/// The wasm-bindgen class under the public `WechatPay`: every `step_…` method prepares an operation
/// that the host's engine answers (`pkg/src/seam.mjs`). The client sits in a `RefCell` because
/// `addPlatformCertificates` changes its key ring: every argument is converted before the client is
/// borrowed, so no caller code runs while it is.
#[wasm_bindgen(js_name = WechatPay)]
pub struct JsWechatPay {
    inner: RefCell<WechatPay>,
}

/// A message as received: its HTTP status (responses), name/value header pairs and exact body.
struct Received {
    status: Option<u16>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    /// The headers as the core reads them.
    fn headers(&self) -> Vec<(&str, &str)> {
        self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect()
    }
}

fn bad(message: impl Into<String>) -> JsValue {
    js_error(Error::bad_input(message))
}

/// `{ now, nonce }` options of a build method.
fn stamp(options: &JsValue) -> JsResult<Stamp> {
    Stamp::from_options(&json_of(options, "options", MaxBytes::SMALL)?, now_ms(), fresh_nonce()?).js()
}

/// `{ now }` options of a verification.
fn now(options: &JsValue) -> JsResult<f64> {
    now_from_options(&json_of(options, "options", MaxBytes::SMALL)?, now_ms()).js()
}

/// Arguments from the merchant's own code (orders, refunds, ids).
fn args(value: &JsValue, what: &str) -> JsResult<serde_json::Value> {
    json_of(value, what, MaxBytes::JSON)
}

/// Reads `{ status, headers, body }` (`what` names it). `status` only when `with_status`; `headers`
/// may be left out only when `headers_required` is false. The body is at most `max` bytes.
fn received(
    value: &JsValue,
    what: &str,
    with_status: bool,
    headers_required: bool,
    max: MaxBytes,
) -> JsResult<Received> {
    if !value.is_object() || guard::is_array(value).unwrap_or(true) {
        return Err(bad(format!(
            "{what} must be an object {{ {}headers, body }}",
            if with_status { "status, " } else { "" }
        )));
    }
    let member = |name: &str| guard::member(value, name).map_err(|_| bad(format!("{what}.{name} cannot be read")));
    let status = match with_status {
        false => None,
        true => {
            let number = member("status")?.and_then(|s| s.as_f64());
            match number {
                Some(n) if n.fract() == 0.0 && (0.0..=65535.0).contains(&n) => Some(n as u16),
                _ => return Err(bad(format!("{what}.status must be the HTTP status code, a whole number"))),
            }
        }
    };
    let headers = match member("headers")? {
        None if !headers_required => Vec::new(),
        None => return Err(bad(format!("{what}.headers is required (the Wechatpay-* headers as received)"))),
        Some(given) => {
            let entries = guard::headers_entries(&given).map_err(|_| bad(format!("{what}.headers cannot be read")))?;
            let json = json_of(entries.as_ref().unwrap_or(&given), &format!("{what}.headers"), MaxBytes::SMALL)?;
            header_pairs(&json).js()?
        }
    };
    let body = match member("body")? {
        Some(body) => bytes_of(&body, &format_args!("{what}.body"), max)?,
        None => {
            return Err(bad(format!(
                "{what}.body is required: the exact body received, as a string or a Uint8Array ('' for none)"
            )));
        }
    };
    Ok(Received { status, headers, body })
}

/// The certificates of a reply, as `[{ serialNo, notBefore, notAfter, pem }]`.
fn certificates_js(certificates: &[PlatformCertificate]) -> JsResult<JsValue> {
    js_of(&certificates)
}

impl JsWechatPay {
    /// The client, borrowed. Nothing borrows it mutably while caller code can run, so this only
    /// fails if that rule is broken.
    fn client(&self) -> JsResult<Ref<'_, WechatPay>> {
        self.inner.try_borrow().map_err(|_| bad("this WechatPay is being changed; call it again"))
    }

    /// This client's `limits.maxInputBytes`, for its network inputs.
    fn max_input(&self) -> JsResult<MaxBytes> {
        Ok(MaxBytes::input(self.client()?.limits()))
    }

    fn prepay(&self, trade_type: TradeType, order: &JsValue, opts: &JsValue) -> JsResult<JsValue> {
        let (order, stamp) = (args(order, "order")?, stamp(opts)?);
        request(self.client()?.build_prepay(trade_type, &order, &stamp))
    }

    fn bill(&self, bill: Bill, bill_args: &JsValue, opts: &JsValue) -> JsResult<JsValue> {
        let (bill_args, stamp) = (args(bill_args, "arguments")?, stamp(opts)?);
        request(self.client()?.build_bill_request(bill, &bill_args, &stamp))
    }
}

#[wasm_bindgen(js_class = WechatPay)]
impl JsWechatPay {
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> JsResult<JsWechatPay> {
        let inner = WechatPay::new(&WipedOnDrop(json_of(&config, "WeChat Pay config", MaxBytes::JSON)?)).js()?;
        Ok(JsWechatPay { inner: RefCell::new(inner) })
    }

    /// `POST /v3/pay/transactions/jsapi` (mini programs and official-account pages).
    #[wasm_bindgen(js_name = step_buildJsapiPrepay)]
    pub fn build_jsapi_prepay(&self, order: JsValue, opts: JsValue) -> JsResult<JsValue> {
        self.prepay(TradeType::Jsapi, &order, &opts)
    }

    /// `POST /v3/pay/transactions/native` (a QR code).
    #[wasm_bindgen(js_name = step_buildNativePrepay)]
    pub fn build_native_prepay(&self, order: JsValue, opts: JsValue) -> JsResult<JsValue> {
        self.prepay(TradeType::Native, &order, &opts)
    }

    /// `POST /v3/pay/transactions/h5` (a mobile browser outside WeChat).
    #[wasm_bindgen(js_name = step_buildH5Prepay)]
    pub fn build_h5_prepay(&self, order: JsValue, opts: JsValue) -> JsResult<JsValue> {
        self.prepay(TradeType::H5, &order, &opts)
    }

    /// `POST /v3/pay/transactions/app` (the App SDK).
    #[wasm_bindgen(js_name = step_buildAppPrepay)]
    pub fn build_app_prepay(&self, order: JsValue, opts: JsValue) -> JsResult<JsValue> {
        self.prepay(TradeType::App, &order, &opts)
    }

    /// An order query: `{ transactionId | outTradeNo, subMchid? }`.
    #[wasm_bindgen(js_name = step_buildQuery)]
    pub fn build_query(&self, query: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let (query, stamp) = (args(&query, "arguments")?, stamp(&opts)?);
        request(self.client()?.build_query(&query, &stamp))
    }

    /// An order close: `{ outTradeNo, subMchid? }`.
    #[wasm_bindgen(js_name = step_buildClose)]
    pub fn build_close(&self, close: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let (close, stamp) = (args(&close, "arguments")?, stamp(&opts)?);
        request(self.client()?.build_close(&close, &stamp))
    }

    /// `POST /v3/refund/domestic/refunds`.
    #[wasm_bindgen(js_name = step_buildRefund)]
    pub fn build_refund(&self, refund: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let (refund, stamp) = (args(&refund, "refund")?, stamp(&opts)?);
        request(self.client()?.build_refund(&refund, &stamp))
    }

    /// A refund query: `{ outRefundNo, subMchid? }`.
    #[wasm_bindgen(js_name = step_buildRefundQuery)]
    pub fn build_refund_query(&self, query: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let (query, stamp) = (args(&query, "arguments")?, stamp(&opts)?);
        request(self.client()?.build_refund_query(&query, &stamp))
    }

    /// The platform certificate download (`GET /v3/certificates` or the API's own path).
    #[wasm_bindgen(js_name = step_buildCertificatesRequest)]
    pub fn build_certificates_request(&self, opts: JsValue) -> JsResult<JsValue> {
        let stamp = stamp(&opts)?;
        request(self.client()?.build_certificates_request(&stamp))
    }

    /// Any APIv3 call: `{ method, path, body?, wechatpaySerial? }`.
    #[wasm_bindgen(js_name = step_buildRequest)]
    pub fn build_request(&self, call: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let (call, stamp) = (args(&call, "request")?, stamp(&opts)?);
        request(self.client()?.build_request(&call, &stamp))
    }

    /// `GET /v3/bill/tradebill`: `{ billDate, billType?, tarType?, subMchid? }`.
    #[wasm_bindgen(js_name = step_buildTradeBill)]
    pub fn build_trade_bill(&self, bill_args: JsValue, opts: JsValue) -> JsResult<JsValue> {
        self.bill(Bill::Trade, &bill_args, &opts)
    }

    /// `GET /v3/bill/fundflowbill`: `{ billDate, accountType?, tarType? }`.
    #[wasm_bindgen(js_name = step_buildFundFlowBill)]
    pub fn build_fund_flow_bill(&self, bill_args: JsValue, opts: JsValue) -> JsResult<JsValue> {
        self.bill(Bill::FundFlow, &bill_args, &opts)
    }

    /// The signed download of a bill's `download_url` (on this client's host only).
    #[wasm_bindgen(js_name = step_buildBillDownload)]
    pub fn build_bill_download(&self, download_url: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let (url, stamp) = (str_arg(&download_url, "downloadUrl", MaxBytes::SMALL)?, stamp(&opts)?);
        request(self.client()?.build_bill_download(&url, &stamp))
    }

    /// Checks a downloaded bill file against the verified bill reply (`verifyResponse`'s result).
    #[wasm_bindgen(js_name = checkBill)]
    pub fn check_bill(&self, bill_reply: JsValue, file: JsValue) -> JsResult<()> {
        let envelope = MaxBytes::envelope(self.client()?.limits());
        let reply = json_of(&bill_reply, "bill reply", envelope)?;
        let file = bytes_of(&file, "bill file", MaxBytes::DATA)?;
        let reply = serde_json::to_string(&reply).map_err(|_| bad("the bill reply cannot be read as JSON"))?;
        self.client()?.check_bill(&reply, &file).js()
    }

    /// Checkout: the JSAPI prepay for an order (`crate::checkout::Order`).
    #[wasm_bindgen(js_name = step_buildCheckout)]
    pub fn build_checkout(&self, order: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let (order, stamp) = (Order::from_json(&args(&order, "order")?).js()?, stamp(&opts)?);
        request(self.client()?.build_checkout(&order, &stamp))
    }

    /// Checkout: the prepay reply `{ status, headers, body }` as `{ wallet, provider, outTradeNo,
    /// tradeNo, launch: { api, params } }` — verified, then the payment parameters signed.
    #[wasm_bindgen(js_name = step_parseCheckout)]
    pub fn parse_checkout(&self, order: JsValue, response: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let order = Order::from_json(&args(&order, "order")?).js()?;
        let r = received(&response, "response", true, true, self.max_input()?)?;
        // One clock for both steps: the reply's timestamp window and the payment parameters.
        let stamp = stamp(&opts)?;
        let reply =
            Reply { status: r.status.unwrap_or_default(), headers: &r.headers(), body: &r.body, now_ms: stamp.now_ms };
        pending(self.client()?.parse_checkout(&order, &reply, &stamp), |checkout| js_of(&checkout))
    }

    /// Checkout: `{ event, reply }` for a notification `{ headers, body }`.
    #[wasm_bindgen(js_name = step_verifyEvent)]
    pub fn verify_event(&self, notification: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let n = received(&notification, "notification", false, true, self.max_input()?)?;
        let now = now(&opts)?;
        pending(self.client()?.verify_event(&n.headers(), &n.body, now), |event| {
            js_of(&Notified { event, reply: SUCCESS_REPLY })
        })
    }

    /// Checkout: the order query for `{ outTradeNo }`.
    #[wasm_bindgen(js_name = step_buildStatusQuery)]
    pub fn build_status_query(&self, query: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let query = StatusQuery::from_json(&args(&query, "status query")?, Wallet::Wechat).js()?;
        request(self.client()?.build_status_query(&query, &stamp(&opts)?))
    }

    /// Checkout: the query reply `{ status, headers, body }` as the one event.
    #[wasm_bindgen(js_name = step_parseStatusQuery)]
    pub fn parse_status_query(&self, query: JsValue, response: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let query = StatusQuery::from_json(&args(&query, "status query")?, Wallet::Wechat).js()?;
        let r = received(&response, "response", true, true, self.max_input()?)?;
        let reply =
            Reply { status: r.status.unwrap_or_default(), headers: &r.headers(), body: &r.body, now_ms: now(&opts)? };
        pending(self.client()?.parse_status_query(&query, &reply), |event| js_of(&event))
    }

    /// Checkout: the refund `{ outTradeNo, outRefundNo, amount, total, reason?, notifyUrl? }`.
    #[wasm_bindgen(js_name = step_buildCheckoutRefund)]
    pub fn build_checkout_refund(&self, refund: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let refund = Refund::from_json(&args(&refund, "refund")?, Wallet::Wechat).js()?;
        request(self.client()?.build_checkout_refund(&refund, &stamp(&opts)?))
    }

    /// Checkout: the refund reply `{ status, headers, body }` as the one event.
    #[wasm_bindgen(js_name = step_parseCheckoutRefund)]
    pub fn parse_checkout_refund(&self, refund: JsValue, response: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let refund = Refund::from_json(&args(&refund, "refund")?, Wallet::Wechat).js()?;
        let r = received(&response, "response", true, true, self.max_input()?)?;
        let reply =
            Reply { status: r.status.unwrap_or_default(), headers: &r.headers(), body: &r.body, now_ms: now(&opts)? };
        pending(self.client()?.parse_checkout_refund(&refund, &reply), |event| js_of(&event))
    }

    /// The parsed body of a verified `{ status, headers, body }` reply (`{}` for an empty body).
    #[wasm_bindgen(js_name = step_verifyResponse)]
    pub fn verify_response(&self, response: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let r = received(&response, "response", true, true, self.max_input()?)?;
        let now = now(&opts)?;
        let status = r.status.unwrap_or_default();
        pending(self.client()?.verify_response(status, &r.headers(), &r.body, now), |body| js_of_json_text(&body))
    }

    /// `{ event, reply }` for a notification `{ headers, body }`; reply is 204 with no body.
    #[wasm_bindgen(js_name = step_verifyNotify)]
    pub fn verify_notify(&self, notification: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let n = received(&notification, "notification", false, true, self.max_input()?)?;
        let now = now(&opts)?;
        pending(self.client()?.verify_notify(&n.headers(), &n.body, now), |event| {
            js_of(&Notified { event, reply: SUCCESS_REPLY })
        })
    }

    /// The reply to a notification that could not be accepted, from the error caught: 401 for a
    /// notification that did not verify, 500 for anything else (then WeChat Pay sends it again).
    /// Never throws: whatever is passed, a reply comes back.
    #[wasm_bindgen(js_name = failureReply)]
    pub fn failure_reply(error: JsValue) -> JsResult<JsValue> {
        js_of(&failure_reply_for_code(&super::checkout::error_code(&error)))
    }

    /// `wx.requestPayment` / `WeixinJSBridge` parameters: `{ prepayId, appId? }`.
    #[wasm_bindgen(js_name = step_requestPaymentParams)]
    pub fn request_payment_params(&self, payment: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let (payment, stamp) = (args(&payment, "arguments")?, stamp(&opts)?);
        pending(self.client()?.build_request_payment(&payment, &stamp), |params| js_of(&params))
    }

    /// App SDK parameters: `{ prepayId, appId?, subMchid? }`.
    #[wasm_bindgen(js_name = step_appPaymentParams)]
    pub fn app_payment_params(&self, payment: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let (payment, stamp) = (args(&payment, "arguments")?, stamp(&opts)?);
        pending(self.client()?.build_app_payment(&payment, &stamp), |params| js_of(&params))
    }

    /// `{ serial, ciphertext }`: a sensitive field encrypted for WeChat Pay (`options.serial` names
    /// the key; send it as `wechatpaySerial`).
    #[wasm_bindgen(js_name = encryptField)]
    pub fn encrypt_field(&self, plaintext: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let plaintext = zeroize::Zeroizing::new(str_arg(&plaintext, "plaintext", MaxBytes::SMALL)?);
        let serial = string_option(&opts, "serial")?;
        let field = self.client()?.encrypt_field(&plaintext, serial.as_deref()).js()?;
        #[derive(serde::Serialize)]
        struct Field<'a> {
            serial: &'a str,
            ciphertext: &'a str,
        }
        js_of(&Field { serial: &field.serial, ciphertext: &field.ciphertext })
    }

    /// A field WeChat Pay encrypted for the merchant, decrypted with the merchant key.
    #[wasm_bindgen(js_name = decryptField)]
    pub fn decrypt_field(&self, ciphertext: JsValue) -> JsResult<String> {
        let ciphertext = str_arg(&ciphertext, "ciphertext", MaxBytes::SMALL)?;
        self.client()?.decrypt_field(&ciphertext).js()
    }

    /// The certificates of a `/v3/certificates` reply `{ status, body }`, decrypted and checked but
    /// not verified: `verifyCertificates` verifies the reply too.
    #[wasm_bindgen(js_name = decryptCertificates)]
    pub fn decrypt_certificates(&self, response: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let r = received(&response, "response", true, false, self.max_input()?)?;
        let now = now(&opts)?;
        let downloaded = self.client()?.decrypt_certificates(r.status.unwrap_or_default(), &r.body, now).js()?;
        certificates_js(&downloaded.certificates)
    }

    /// The certificates of a `/v3/certificates` reply `{ status, headers, body }`, decrypted,
    /// checked, and the reply verified with the certificate whose serial signed it.
    #[wasm_bindgen(js_name = step_verifyCertificates)]
    pub fn verify_certificates(&self, response: JsValue, opts: JsValue) -> JsResult<JsValue> {
        let r = received(&response, "response", true, true, self.max_input()?)?;
        let now = now(&opts)?;
        let status = r.status.unwrap_or_default();
        pending_with_keys(self.client()?.verify_certificate_reply(status, &r.headers(), &r.body, now), |certs| {
            certificates_js(&certs)
        })
    }

    /// Adds platform certificates (PEM texts, or `verifyCertificates`' results) to the key ring;
    /// returns their serials.
    #[wasm_bindgen(js_name = addPlatformCertificates)]
    pub fn add_platform_certificates(&self, certificates: JsValue) -> JsResult<Vec<String>> {
        let certificates = json_of(&certificates, "certificates", MaxBytes::JSON)?;
        let mut client = self.inner.try_borrow_mut().map_err(|_| bad("this WechatPay is in use; call it again"))?;
        client.add_platform_certificate_pems(&certificates).js()
    }

    #[wasm_bindgen(getter)]
    pub fn mchid(&self) -> JsResult<String> {
        Ok(self.client()?.mchid().to_owned())
    }
    /// `mainland`, `global` or `hk`.
    #[wasm_bindgen(getter)]
    pub fn api(&self) -> JsResult<String> {
        Ok(self.client()?.api().as_str().to_owned())
    }
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> JsResult<String> {
        Ok(self.client()?.base_url().to_owned())
    }
    #[wasm_bindgen(getter)]
    pub fn partner(&self) -> JsResult<bool> {
        Ok(self.client()?.partner())
    }
    /// The WeChat Pay public key id (`PUB_KEY_ID_…`), when configured.
    #[wasm_bindgen(getter, js_name = publicKeyId)]
    pub fn public_key_id(&self) -> JsResult<Option<String>> {
        Ok(self.client()?.public_key_id().map(str::to_owned))
    }
    /// The WeChat Pay keys this client verifies with: platform certificate serials and the public
    /// key id, in the order added.
    #[wasm_bindgen(getter, js_name = wechatpaySerials)]
    pub fn wechatpay_serials(&self) -> JsResult<Vec<String>> {
        Ok(self.client()?.keys().public_ids().map(str::to_owned).collect())
    }
    /// Whether this client can build signed requests and payment parameters (it holds `privateKey`).
    #[wasm_bindgen(getter, js_name = canSign)]
    pub fn can_sign(&self) -> JsResult<bool> {
        Ok(self.client()?.keys().private_key().is_some())
    }
    /// Whether this client can verify what WeChat Pay sends (a platform certificate or public key).
    #[wasm_bindgen(getter, js_name = canVerify)]
    pub fn can_verify(&self) -> JsResult<bool> {
        Ok(self.client()?.keys().has_public())
    }
    /// Whether this client can decrypt notifications and certificates (it holds `apiV3Key`).
    #[wasm_bindgen(getter, js_name = canDecrypt)]
    pub fn can_decrypt(&self) -> JsResult<bool> {
        Ok(self.client()?.has_api_v3_key())
    }
}

engine_methods!(JsWechatPay, WechatPay, |this| Some(this.client()?.keys()));
