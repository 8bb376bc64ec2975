//! The one order and event model (`crate::checkout`) on Alipay: `alipay.trade.create` for
//! `my.tradePay` / `AlipayJSBridge`, notifications, `alipay.trade.query` and `alipay.trade.refund`.
//! Alipay's amounts are CNY yuan; its times are Beijing time.

use serde_json::{Value, json};

use super::notify::{Notification, NotifyRule};
use super::request::RequestOptions;
use super::trade::{TRADE_CREATE, TRADE_QUERY, TRADE_REFUND};
use super::{Alipay, PROVIDER};
use crate::checkout::event::beijing_rfc3339;
use crate::checkout::{
    AlipayBuyer, Checkout, Kind, Launch, Order, PaymentEvent, Provider, Refund, Status, StatusQuery,
};
use crate::crypto::step::Pending;
use crate::error::{Error, Result};
use crate::http::HttpRequest;
use crate::money::Money;
use crate::router::wallet::Wallet;

/// The currency of Alipay's `total_amount` (mainland merchants).
const CURRENCY: &str = "CNY";

/// A payment's status from `trade_status`. `TRADE_CLOSED` is a closed unpaid trade — or, once paid
/// (`paid_before`), a fully refunded one.
fn trade_status(status: Option<&str>, paid_before: bool) -> (Status, bool) {
    match status {
        Some("TRADE_SUCCESS") => (Status::Paid, false),
        Some("TRADE_FINISHED") => (Status::Paid, true),
        Some("TRADE_CLOSED") if paid_before => (Status::Refunded, true),
        Some("TRADE_CLOSED") => (Status::Closed, true),
        _ => (Status::Pending, false),
    }
}

/// The response node's text as JSON, checked to be about `out_trade_no` when it names one.
fn node_of(text: &str, out_trade_no: &str) -> Result<Value> {
    let node: Value = serde_json::from_str(text)
        .map_err(|_| Error::malformed("the response node is not a JSON object").with_provider(PROVIDER))?;
    match node.get("out_trade_no").and_then(Value::as_str) {
        Some(named) if named != out_trade_no => {
            Err(Error::malformed("the response is about another out_trade_no").with_provider(PROVIDER))
        }
        _ => Ok(node),
    }
}

fn member(node: &Value, name: &str) -> Option<String> {
    node.get(name).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// A yuan amount of the node, which must be one when present.
fn yuan(node: &Value, name: &str) -> Result<Option<Money>> {
    member(node, name)
        .map(|t| {
            Money::parse_decimal(&t, CURRENCY)
                .map_err(|_| Error::malformed(format!("{name} is not a yuan amount")).with_provider(PROVIDER))
        })
        .transpose()
}

impl Notification {
    /// The notification as the one event: a refund when it reports one (`gmt_refund`, `refund_fee`,
    /// `out_biz_no`), else the payment's status.
    pub fn event(self) -> Result<PaymentEvent<Notification>> {
        let param = |name: &str| self.params.get(name).filter(|v| !v.is_empty()).map(str::to_owned);
        let refunded_total = param("refund_fee")
            .map(|t| {
                Money::parse_decimal(&t, self.amount.as_ref().map_or(CURRENCY, Money::currency)).map_err(|_| {
                    Error::malformed("refund_fee is not a decimal amount of its currency").with_provider(PROVIDER)
                })
            })
            .transpose()?;
        let refund_time = param("gmt_refund");
        let refund = refund_time.is_some() || refunded_total.is_some();
        let (kind, status) = match refund {
            true => (Kind::Refund, (Status::Refunded, true)),
            false => (Kind::Payment, trade_status(self.trade_status.as_deref(), false)),
        };
        let time = match (kind, status.0) {
            (Kind::Refund, _) => refund_time,
            (_, Status::Paid) => param("gmt_payment"),
            (_, Status::Closed) => param("gmt_close"),
            _ => param("gmt_create"),
        };
        let out_refund_no = if refund { param("out_biz_no") } else { None };
        let mut event = PaymentEvent::new(Provider::Alipay, kind, status, Value::Null);
        event.out_trade_no = self.out_trade_no.clone();
        event.trade_no = self.trade_no.clone();
        event.out_refund_no = out_refund_no;
        event.amount = if refund { None } else { self.amount };
        event.refunded_total = refunded_total;
        event.time = time.as_deref().and_then(beijing_rfc3339);
        event.notify_id = self.notify_id.clone();
        event.provider_status = self.trade_status.clone();
        Ok(event.with_raw(self))
    }
}

impl Alipay {
    /// `alipay.trade.create` (`product_code` `JSAPI_PAY`) for the order: `buyer_id` or
    /// `buyer_open_id`, the amount in yuan (CNY only), the order's `notify_url` or the options'.
    pub fn build_checkout(&self, order: &Order, options: &RequestOptions) -> Result<Pending<HttpRequest>> {
        let buyer = order.alipay_buyer()?;
        let amount = order.amount.require_currency(CURRENCY, "order.amount")?;
        let mut biz = json!({
            "out_trade_no": order.out_trade_no,
            "total_amount": amount.to_decimal_string(),
            "subject": order.subject,
            "product_code": "JSAPI_PAY",
        });
        match buyer {
            AlipayBuyer::UserId(id) => biz["buyer_id"] = id.as_str().into(),
            AlipayBuyer::OpenId(id) => biz["buyer_open_id"] = id.as_str().into(),
        }
        let mut options = options.clone();
        if let Some(url) = &order.notify_url {
            options.notify_url = Some(url.clone());
        }
        self.build_trade_create(&biz, &options)
    }

    /// The verified `alipay.trade.create` reply as a checkout: `{ tradeNO }` for `my.tradePay` (a
    /// mini program) or `AlipayJSBridge.call('tradePay', …)` (the H5 page).
    pub fn parse_checkout(&self, order: &Order, raw: &str) -> Result<Pending<Checkout>> {
        order.alipay_buyer()?;
        let (out_trade_no, client) = (order.out_trade_no.clone(), order.client);
        Ok(self.parse_response(TRADE_CREATE, raw)?.map(move |text| {
            let node = node_of(&text, &out_trade_no)?;
            let trade_no = text_of_trade_no(&node)?;
            Ok(Checkout {
                wallet: Wallet::Alipay,
                provider: Provider::Alipay,
                out_trade_no,
                launch: Launch::alipay(client, &trade_no),
                trade_no: Some(trade_no),
            })
        }))
    }

    /// A payment notification (the payment rule), verified, as the one event.
    pub fn verify_event(&self, body: &[u8]) -> Result<Pending<PaymentEvent<Notification>>> {
        Ok(self.verify_notify(body, NotifyRule::Payment)?.map(Notification::event))
    }

    /// `alipay.trade.query` by `out_trade_no`.
    pub fn build_status_query(&self, query: &StatusQuery, options: &RequestOptions) -> Result<Pending<HttpRequest>> {
        self.build_trade_query(&json!({ "out_trade_no": query.out_trade_no }), options)
    }

    /// The verified `alipay.trade.query` reply as the one event (a payment; the node is `raw`).
    pub fn parse_status_query(&self, query: &StatusQuery, raw: &str) -> Result<Pending<PaymentEvent<Value>>> {
        let out_trade_no = query.out_trade_no.clone();
        Ok(self.parse_response(TRADE_QUERY, raw)?.map(move |text| {
            let node = node_of(&text, &out_trade_no)?;
            let status = member(&node, "trade_status");
            let paid_at = member(&node, "send_pay_date");
            let state = trade_status(status.as_deref(), paid_at.is_some());
            let mut event = PaymentEvent::new(Provider::Alipay, Kind::Payment, state, Value::Null);
            event.out_trade_no = Some(out_trade_no);
            event.trade_no = member(&node, "trade_no");
            event.amount = yuan(&node, "total_amount")?;
            event.time = paid_at.as_deref().and_then(beijing_rfc3339);
            event.provider_status = status;
            event.raw = node;
            Ok(event)
        }))
    }

    /// `alipay.trade.refund`: `out_request_no` is the refund's id (CNY only).
    pub fn build_checkout_refund(&self, refund: &Refund, options: &RequestOptions) -> Result<Pending<HttpRequest>> {
        let amount = refund.amount.require_currency(CURRENCY, "refund.amount")?;
        let mut biz = json!({
            "out_trade_no": refund.out_trade_no,
            "refund_amount": amount.to_decimal_string(),
            "out_request_no": refund.out_refund_no,
        });
        if let Some(reason) = &refund.reason {
            biz["refund_reason"] = reason.as_str().into();
        }
        self.build_trade_refund(&biz, options)
    }

    /// The verified `alipay.trade.refund` reply as the one event: a refund Alipay accepted is done
    /// (`refunded`); `refund_fee` is the trade's refunded total.
    pub fn parse_checkout_refund(&self, refund: &Refund, raw: &str) -> Result<Pending<PaymentEvent<Value>>> {
        let (out_trade_no, out_refund_no) = (refund.out_trade_no.clone(), refund.out_refund_no.clone());
        Ok(self.parse_response(TRADE_REFUND, raw)?.map(move |text| {
            let node = node_of(&text, &out_trade_no)?;
            let mut event = PaymentEvent::new(Provider::Alipay, Kind::Refund, (Status::Refunded, true), Value::Null);
            event.out_trade_no = Some(out_trade_no);
            event.out_refund_no = Some(out_refund_no);
            event.trade_no = member(&node, "trade_no");
            event.refunded_total = yuan(&node, "refund_fee")?;
            event.time = member(&node, "gmt_refund_pay").as_deref().and_then(beijing_rfc3339);
            event.raw = node;
            Ok(event)
        }))
    }
}

/// The `trade_no` of a trade.create node.
fn text_of_trade_no(node: &Value) -> Result<String> {
    member(node, "trade_no")
        .ok_or_else(|| Error::malformed("the alipay.trade.create reply has no trade_no").with_provider(PROVIDER))
}
