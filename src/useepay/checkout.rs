//! The one order and event model (`crate::checkout`) on UseePay (WeChat Pay HK): the JSAPI payment,
//! whose reply carries the `wx.requestPayment` parameters UseePay signed; notifications, queries
//! and refunds as the one event. UseePay sends no notification id and no times.

use serde_json::{Value, json};

use super::{PROVIDER, UseePay};
use crate::checkout::{Checkout, Kind, Launch, Order, PaymentEvent, Provider, Refund, Status, StatusQuery};
use crate::crypto::step::Pending;
use crate::error::{Error, Result};
use crate::http::HttpRequest;
use crate::money::Money;
use crate::router::wallet::Wallet;

fn member(outcome: &Value, name: &str) -> Option<String> {
    outcome.get(name).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// A payment's or a refund's status from `resultCode` (`pending`, `received` and `pending_review`
/// are still pending).
fn result_status(kind: Kind, code: Option<&str>) -> (Status, bool) {
    match (kind, code) {
        (Kind::Payment, Some("succeed")) => (Status::Paid, false),
        (Kind::Refund, Some("succeed")) => (Status::Refunded, true),
        (Kind::Payment, Some("closed" | "cancelled")) => (Status::Closed, true),
        (_, Some("failed" | "closed" | "cancelled")) => (Status::Failed, true),
        _ => (Status::Pending, false),
    }
}

/// What a notification is about: a refund when its `transactionType` is `refund`.
fn kind_of(outcome: &Value) -> Kind {
    match member(outcome, "transactionType").as_deref() {
        Some("refund") => Kind::Refund,
        _ => Kind::Payment,
    }
}

/// The one event of a verified result model (`crate::useepay::result::outcome`) about `kind`: a
/// refund's `transactionId` is the refund's and its `originalTransactionId` the order's. `ids`, when
/// given, are the order's and the refund's it must be about.
fn event_of(outcome: Value, kind: Kind, ids: Option<(&str, Option<&str>)>) -> Result<PaymentEvent<Value>> {
    let code = member(&outcome, "resultCode");
    let mut event = PaymentEvent::new(Provider::Useepay, kind, result_status(kind, code.as_deref()), ());
    let (transaction, original, reference) =
        (member(&outcome, "transactionId"), member(&outcome, "originalTransactionId"), member(&outcome, "reference"));
    match kind {
        Kind::Payment => (event.out_trade_no, event.trade_no) = (transaction, reference),
        Kind::Refund => (event.out_trade_no, event.out_refund_no, event.refund_id) = (original, transaction, reference),
    }
    if let Some((out_trade_no, out_refund_no)) = ids {
        let differs = |named: &Option<String>, expected: Option<&str>| {
            named.as_deref().zip(expected).is_some_and(|(named, expected)| named != expected)
        };
        if differs(&event.out_trade_no, Some(out_trade_no)) || differs(&event.out_refund_no, out_refund_no) {
            return Err(Error::malformed("the reply is about another transaction").with_provider(PROVIDER));
        }
        event.out_trade_no = Some(out_trade_no.to_owned());
        event.out_refund_no = out_refund_no.map(str::to_owned);
    }
    event.amount = match outcome.get("amount") {
        Some(amount) if !amount.is_null() => Some(Money::from_json(amount, "amount")?),
        _ => None,
    };
    event.provider_status = code;
    Ok(event.with_raw(outcome))
}

impl UseePay {
    /// The JSAPI payment for the order: `transactionId` is `outTradeNo`, the buyer's `appId` and
    /// `openid` are `sub_appid` and `sub_openid`.
    pub fn build_checkout(&self, order: &Order) -> Result<Pending<HttpRequest>> {
        let (openid, app_id) = order.wechat_buyer()?;
        let mut args = json!({
            "transactionId": order.out_trade_no,
            "amount": { "minor": order.amount.minor(), "currency": order.amount.currency() },
            "subAppId": app_id,
            "subOpenId": openid,
            "subject": order.subject,
        });
        if let Some(url) = &order.notify_url {
            args["notifyUrl"] = url.as_str().into();
        }
        self.build_jsapi_pay(&args)
    }

    /// The verified JSAPI reply as a checkout: UseePay's signed `wx.requestPayment` parameters
    /// (mini program), or the same with `appId` for `WeixinJSBridge` (H5).
    pub fn parse_checkout(&self, order: &Order, raw: &str) -> Result<Pending<Checkout>> {
        let app_id = order.wechat_buyer()?.1.to_owned();
        let (out_trade_no, client) = (order.out_trade_no.clone(), order.client);
        Ok(self.parse_jsapi_pay(raw)?.map(move |mut outcome| {
            if member(&outcome, "transactionId").is_some_and(|id| id != out_trade_no) {
                return Err(Error::malformed("the reply is about another transactionId").with_provider(PROVIDER));
            }
            Ok(Checkout {
                wallet: Wallet::Wechat,
                provider: Provider::Useepay,
                trade_no: member(&outcome, "reference"),
                launch: Launch::wechat(client, outcome["requestPayment"].take(), &app_id),
                out_trade_no,
            })
        }))
    }

    /// A notification, verified, as the one event. Its id is made of what identifies it:
    /// `{transactionType}:{transactionId}:{resultCode}` (UseePay sends none).
    pub fn verify_event(&self, body: &[u8]) -> Result<Pending<PaymentEvent<Value>>> {
        Ok(self.verify_notify(body)?.map(|outcome| {
            let id = ["transactionType", "transactionId", "resultCode"]
                .map(|name| member(&outcome, name).unwrap_or_default())
                .join(":");
            let kind = kind_of(&outcome);
            let mut event = event_of(outcome, kind, None)?;
            event.notify_id = Some(id);
            Ok(event)
        }))
    }

    /// The query by `transactionId` (the order's).
    pub fn build_status_query(&self, query: &StatusQuery) -> Result<Pending<HttpRequest>> {
        self.build_query(&json!({ "transactionId": query.out_trade_no }))
    }

    /// The verified query reply (the order's own `transactionInfo`) as the one event.
    pub fn parse_status_query(&self, query: &StatusQuery, raw: &str) -> Result<Pending<PaymentEvent<Value>>> {
        let out_trade_no = query.out_trade_no.clone();
        Ok(self.parse_query(raw)?.map(move |outcome| event_of(outcome, Kind::Payment, Some((&out_trade_no, None)))))
    }

    /// The refund: `transactionId` is the refund's id (`outRefundNo`), `originalTransactionId` the
    /// order's. UseePay takes no reason.
    pub fn build_checkout_refund(&self, refund: &Refund) -> Result<Pending<HttpRequest>> {
        let mut args = json!({
            "transactionId": refund.out_refund_no,
            "originalTransactionId": refund.out_trade_no,
            "amount": { "minor": refund.amount.minor(), "currency": refund.amount.currency() },
        });
        if let Some(url) = &refund.notify_url {
            args["notifyUrl"] = url.as_str().into();
        }
        self.build_refund(&args)
    }

    /// The verified refund reply as the one event (usually `pending`: the result comes by
    /// notification or query).
    pub fn parse_checkout_refund(&self, refund: &Refund, raw: &str) -> Result<Pending<PaymentEvent<Value>>> {
        let (out_trade_no, out_refund_no) = (refund.out_trade_no.clone(), refund.out_refund_no.clone());
        Ok(self
            .parse_refund(raw)?
            .map(move |outcome| event_of(outcome, Kind::Refund, Some((&out_trade_no, Some(&out_refund_no))))))
    }
}
