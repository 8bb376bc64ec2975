//! Typed builders for the trade methods of the mini-program payment journey: each checks its required fields, fills
//! the documented defaults, and hands the business content on unchanged (no key rewriting).

use serde_json::{Map, Value};

use super::Alipay;
use super::request::{PageRequest, RequestOptions};
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
];

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
