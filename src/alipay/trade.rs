//! Typed builders (the mini-program journey, page and App payments, cancel, bills, certificate
//! download): each checks its required fields, fills the documented defaults, and hands the
//! business content on unchanged (no key rewriting).

use serde_json::{Map, Value};

use super::Alipay;
use super::request::{PageRequest, RequestOptions, SdkOrder};
use crate::crypto::step::Pending;
use crate::error::{Error, Result};
use crate::http::HttpRequest;

/// Creates a trade for `my.tradePay` / JSAPI.
pub const TRADE_CREATE: &str = "alipay.trade.create";
/// Queries a trade.
pub const TRADE_QUERY: &str = "alipay.trade.query";
/// Closes an unpaid trade.
pub const TRADE_CLOSE: &str = "alipay.trade.close";
/// Refunds (part of) a trade.
pub const TRADE_REFUND: &str = "alipay.trade.refund";
/// Queries a refund.
pub const REFUND_QUERY: &str = "alipay.trade.fastpay.refund.query";
/// Creates a trade paid by scanning a QR code.
pub const TRADE_PRECREATE: &str = "alipay.trade.precreate";
/// The H5 page payment (a browser redirect, not a server call).
pub const WAP_PAY: &str = "alipay.trade.wap.pay";
/// The desktop website payment (a browser redirect, not a server call).
pub const PAGE_PAY: &str = "alipay.trade.page.pay";
/// The App payment (an order string for the Alipay App SDK, not a server call).
pub const APP_PAY: &str = "alipay.trade.app.pay";
/// Cancels a trade: closes it if unpaid, refunds it if paid (face-to-face and App payments).
pub const TRADE_CANCEL: &str = "alipay.trade.cancel";
/// Asks for the download URL of a bill file.
pub const BILL_DOWNLOAD_URL_QUERY: &str = "alipay.data.dataservice.bill.downloadurl.query";
/// Downloads an Alipay public-key certificate by its SN (certificate rotation).
pub const CERT_DOWNLOAD: &str = "alipay.open.app.alipaycert.download";

impl Alipay {
    /// `alipay.trade.create` for `my.tradePay`: `out_trade_no`, `total_amount`, `subject`, and exactly
    /// one of `buyer_id` / `buyer_open_id`; `product_code` defaults to `JSAPI_PAY`.
    pub fn build_trade_create(&self, biz: &Value, options: &RequestOptions) -> Result<Pending<HttpRequest>> {
        let mut biz = object(biz, TRADE_CREATE)?;
        require(&biz, TRADE_CREATE, &["out_trade_no", "total_amount", "subject"])?;
        exactly_one(&biz, TRADE_CREATE, &["buyer_id", "buyer_open_id"])?;
        default(&mut biz, TRADE_CREATE, "product_code", "JSAPI_PAY")?;
        self.build_request(TRADE_CREATE, Some(&Value::Object(biz)), options)
    }

    /// `alipay.trade.query` by `out_trade_no` or `trade_no`.
    pub fn build_trade_query(&self, biz: &Value, options: &RequestOptions) -> Result<Pending<HttpRequest>> {
        self.by_trade(TRADE_QUERY, biz, &[], options)
    }

    /// `alipay.trade.close` by `out_trade_no` or `trade_no` (unpaid trades only).
    pub fn build_trade_close(&self, biz: &Value, options: &RequestOptions) -> Result<Pending<HttpRequest>> {
        self.by_trade(TRADE_CLOSE, biz, &[], options)
    }

    /// `alipay.trade.refund`: `refund_amount`; `out_request_no` identifies each partial refund.
    pub fn build_trade_refund(&self, biz: &Value, options: &RequestOptions) -> Result<Pending<HttpRequest>> {
        self.by_trade(TRADE_REFUND, biz, &["refund_amount"], options)
    }

    /// `alipay.trade.fastpay.refund.query`: `out_request_no` of the refund.
    pub fn build_refund_query(&self, biz: &Value, options: &RequestOptions) -> Result<Pending<HttpRequest>> {
        self.by_trade(REFUND_QUERY, biz, &["out_request_no"], options)
    }

    /// `alipay.trade.precreate` (a QR code to scan).
    pub fn build_trade_precreate(&self, biz: &Value, options: &RequestOptions) -> Result<Pending<HttpRequest>> {
        let biz = object(biz, TRADE_PRECREATE)?;
        require(&biz, TRADE_PRECREATE, &["out_trade_no", "total_amount", "subject"])?;
        self.build_request(TRADE_PRECREATE, Some(&Value::Object(biz)), options)
    }

    /// `alipay.trade.wap.pay` (the H5 page): `product_code` defaults to `QUICK_WAP_WAY`.
    pub fn build_wap_pay(&self, biz: &Value, options: &RequestOptions) -> Result<Pending<PageRequest>> {
        let mut biz = object(biz, WAP_PAY)?;
        require(&biz, WAP_PAY, &["out_trade_no", "total_amount", "subject"])?;
        default(&mut biz, WAP_PAY, "product_code", "QUICK_WAP_WAY")?;
        self.build_page(WAP_PAY, &Value::Object(biz), options)
    }

    /// `alipay.trade.page.pay` (the desktop website page): `product_code` defaults to
    /// `FAST_INSTANT_TRADE_PAY`.
    pub fn build_page_pay(&self, biz: &Value, options: &RequestOptions) -> Result<Pending<PageRequest>> {
        let mut biz = object(biz, PAGE_PAY)?;
        require(&biz, PAGE_PAY, &["out_trade_no", "total_amount", "subject"])?;
        default(&mut biz, PAGE_PAY, "product_code", "FAST_INSTANT_TRADE_PAY")?;
        self.build_page(PAGE_PAY, &Value::Object(biz), options)
    }

    /// `alipay.trade.app.pay` (the order string for the Alipay App SDK): `product_code` defaults to
    /// `QUICK_MSECURITY_PAY`.
    pub fn build_app_pay(&self, biz: &Value, options: &RequestOptions) -> Result<Pending<SdkOrder>> {
        let mut biz = object(biz, APP_PAY)?;
        require(&biz, APP_PAY, &["out_trade_no", "total_amount", "subject"])?;
        default(&mut biz, APP_PAY, "product_code", "QUICK_MSECURITY_PAY")?;
        self.build_sdk_order(APP_PAY, &Value::Object(biz), options)
    }

    /// `alipay.trade.cancel` by `out_trade_no` or `trade_no`: Alipay closes an unpaid trade and
    /// refunds a paid one (`action` in the result); retry while the result says `retry_flag: "Y"`.
    pub fn build_trade_cancel(&self, biz: &Value, options: &RequestOptions) -> Result<Pending<HttpRequest>> {
        self.by_trade(TRADE_CANCEL, biz, &[], options)
    }

    /// `alipay.data.dataservice.bill.downloadurl.query`: `bill_type` (`trade`, `signcustomer`, …) and
    /// `bill_date` (`yyyy-MM-dd` for a day's bill, `yyyy-MM` for a month's). The result's
    /// `bill_download_url` is valid for 30 seconds.
    pub fn build_bill_download_url_query(&self, biz: &Value, options: &RequestOptions) -> Result<Pending<HttpRequest>> {
        let method = BILL_DOWNLOAD_URL_QUERY;
        let biz = object(biz, method)?;
        require(&biz, method, &["bill_type", "bill_date"])?;
        if !biz.get("bill_date").and_then(Value::as_str).is_some_and(is_bill_date) {
            return Err(Error::bad_input(format!(
                "{method}: bill_date must be yyyy-MM-dd (a day's bill) or yyyy-MM (a month's)"
            )));
        }
        self.build_request(method, Some(&Value::Object(biz)), options)
    }

    /// `alipay.open.app.alipaycert.download`: the certificate whose SN is `alipay_cert_sn` (the SN
    /// a response named that is not configured). Decode the reply with
    /// [`decode_cert_download`](Alipay::decode_cert_download).
    pub fn build_cert_download(&self, biz: &Value, options: &RequestOptions) -> Result<Pending<HttpRequest>> {
        let biz = object(biz, CERT_DOWNLOAD)?;
        require(&biz, CERT_DOWNLOAD, &["alipay_cert_sn"])?;
        self.build_request(CERT_DOWNLOAD, Some(&Value::Object(biz)), options)
    }

    fn by_trade(
        &self,
        method: &str,
        biz: &Value,
        required: &[&str],
        options: &RequestOptions,
    ) -> Result<Pending<HttpRequest>> {
        let biz = object(biz, method)?;
        if !has(&biz, method, "out_trade_no")? && !has(&biz, method, "trade_no")? {
            return Err(Error::bad_input(format!("{method}: out_trade_no or trade_no is required")));
        }
        require(&biz, method, required)?;
        self.build_request(method, Some(&Value::Object(biz)), options)
    }
}

/// The biz_content fields the typed builders name. Each is a string when given: a Buffer or an
/// object passed as `out_trade_no` would otherwise be sent as a nested JSON object.
const STRING_FIELDS: &[&str] = &[
    "out_trade_no",
    "trade_no",
    "subject",
    "buyer_id",
    "buyer_open_id",
    "product_code",
    "out_request_no",
    "op_app_id",
    "seller_id",
    "body",
    "timeout_express",
    "time_expire",
    "refund_reason",
    "trans_currency",
    "passback_params",
    "bill_type",
    "bill_date",
    "alipay_cert_sn",
];

/// `yyyy-MM-dd` or `yyyy-MM`, with a month from 01 to 12 and a day from 01 to 31.
fn is_bill_date(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| b[range].iter().all(u8::is_ascii_digit);
    let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().unwrap_or(0);
    let month_ok = b.len() >= 7 && digits(0..4) && b[4] == b'-' && digits(5..7) && (1..=12).contains(&number(5..7));
    match b.len() {
        7 => month_ok,
        10 => month_ok && b[7] == b'-' && digits(8..10) && (1..=31).contains(&number(8..10)),
        _ => false,
    }
}

fn object(biz: &Value, method: &str) -> Result<Map<String, Value>> {
    let biz =
        biz.as_object().cloned().ok_or_else(|| Error::bad_input(format!("{method}: biz_content must be an object")))?;
    for key in STRING_FIELDS {
        has(&biz, method, key)?;
    }
    Ok(biz)
}

/// Whether a named string field is given (absent, `null` and `""` are not); any other type is an error.
fn has(biz: &Map<String, Value>, method: &str, key: &str) -> Result<bool> {
    match biz.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::String(s)) => Ok(!s.is_empty()),
        Some(_) if STRING_FIELDS.contains(&key) => Err(Error::bad_input(format!("{method}: {key} must be a string"))),
        Some(_) => Ok(true),
    }
}

fn require(biz: &Map<String, Value>, method: &str, keys: &[&str]) -> Result<()> {
    for key in keys {
        if !has(biz, method, key)? {
            return Err(Error::bad_input(format!("{method}: {key} is required")));
        }
    }
    Ok(())
}

fn exactly_one(biz: &Map<String, Value>, method: &str, keys: &[&str]) -> Result<()> {
    let mut given = 0;
    for key in keys {
        given += usize::from(has(biz, method, key)?);
    }
    if given == 1 {
        Ok(())
    } else {
        Err(Error::bad_input(format!("{method}: give exactly one of {}", keys.join(", "))))
    }
}

fn default(biz: &mut Map<String, Value>, method: &str, key: &str, value: &str) -> Result<()> {
    if !has(biz, method, key)? {
        biz.insert(key.into(), Value::String(value.into()));
    }
    Ok(())
}
