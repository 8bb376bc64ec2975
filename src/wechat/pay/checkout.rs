//! The one order and event model (`crate::checkout`) on WeChat Pay APIv3 (direct merchants): JSAPI
//! prepay, then `wx.requestPayment` (mini programs) or `WeixinJSBridge` (official-account pages)
//! signed with the merchant key; notifications, order queries and refunds as the one event.

use serde_json::{Value, json};

use super::notify::{Notification, amount_fen};
use super::request::Stamp;
use super::request_payment::request_payment;
use super::trade::TradeType;
use super::{PROVIDER, WechatPay};
use crate::checkout::event::rfc3339;
use crate::checkout::{Checkout, Kind, Launch, Order, PaymentEvent, Provider, Refund, Status, StatusQuery};
use crate::crypto::step::Pending;
use crate::error::{Error, Result};
use crate::http::HttpRequest;
use crate::money::Money;
use crate::router::wallet::Wallet;

/// A reply as received: HTTP status, header pairs and the exact body.
pub struct Reply<'a> {
    /// The HTTP status.
    pub status: u16,
    /// Name/value pairs, any case.
    pub headers: &'a [(&'a str, &'a str)],
    /// The exact body bytes.
    pub body: &'a [u8],
    /// Now, Unix epoch milliseconds, for the timestamp window.
    pub now_ms: f64,
}

/// An order's status from `trade_state`.
fn trade_state(state: Option<&str>) -> (Status, bool) {
    match state {
        Some("SUCCESS") => (Status::Paid, false),
        Some("REFUND") => (Status::Refunded, false),
        Some("CLOSED" | "REVOKED") => (Status::Closed, true),
        Some("PAYERROR") => (Status::Failed, true),
        _ => (Status::Pending, false), // NOTPAY, USERPAYING
    }
}

/// A refund's status from `refund_status` / `status`: `ABNORMAL` (the buyer's card is gone; the
/// merchant settles it by hand) is a failure that is not final.
fn refund_status(status: Option<&str>) -> (Status, bool) {
    match status {
        Some("SUCCESS") => (Status::Refunded, true),
        Some("CLOSED") => (Status::Failed, true),
        Some("ABNORMAL") => (Status::Failed, false),
        _ => (Status::Pending, false), // PROCESSING
    }
}

fn member(json: &Value, path: &[&str]) -> Option<String> {
    path.iter()
        .try_fold(json, |v, name| v.get(name))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// A verified reply body as JSON, checked to be about `out_trade_no` (and `out_refund_no`).
fn reply_json(text: &str, ids: &[(&str, &str)]) -> Result<Value> {
    let json: Value =
        serde_json::from_str(text).map_err(|_| Error::malformed("the reply is not JSON").with_provider(PROVIDER))?;
    for (name, expected) in ids {
        if member(&json, &[name]).is_some_and(|named| named != *expected) {
            return Err(Error::malformed(format!("the reply is about another {name}")).with_provider(PROVIDER));
        }
    }
    Ok(json)
}

impl Notification {
    /// The notification as the one event: a refund event for `REFUND.*`, else the order's status.
    pub fn event(self) -> Result<PaymentEvent<Notification>> {
        let mut event = match &self.refund {
            Some(refund) => {
                let mut event = PaymentEvent::new(
                    Provider::Wechatpay,
                    Kind::Refund,
                    refund_status(Some(&refund.refund_status)),
                    (),
                );
                event.out_refund_no = refund.out_refund_no.clone();
                event.refund_id = refund.refund_id.clone();
                event.amount = Some(refund.refunded);
                event.provider_status = Some(refund.refund_status.clone());
                event
            }
            None => {
                let mut event = PaymentEvent::new(
                    Provider::Wechatpay,
                    Kind::Payment,
                    trade_state(self.trade_status.as_deref()),
                    (),
                );
                event.amount = self.amount;
                event.provider_status = self.trade_status.clone();
                event
            }
        };
        event.out_trade_no = self.out_trade_no.clone();
        event.trade_no = self.trade_no.clone();
        event.time = self.success_time.as_deref().and_then(rfc3339);
        event.notify_id = self.notify_id.clone();
        Ok(event.with_raw(self))
    }
}

impl WechatPay {
    /// The JSAPI prepay for the order: `appid` is the app the buyer's openid belongs to (the mini
    /// program's, or the official account's for H5), `payer.openid`, `description` the subject.
    pub fn build_checkout(&self, order: &Order, stamp: &Stamp) -> Result<Pending<HttpRequest>> {
        let (openid, app_id) = order.wechat_buyer()?;
        if self.partner {
            return Err(Error::bad_input(
                "checkout takes a direct merchant's client; a service provider builds buildJsapiPrepay with sub_mchid",
            ));
        }
        let mut prepay = json!({
            "appid": app_id,
            "description": order.subject,
            "out_trade_no": order.out_trade_no,
            "amount": { "minor": order.amount.minor(), "currency": order.amount.currency() },
            "payer": { "openid": openid },
        });
        if let Some(url) = &order.notify_url {
            prepay["notify_url"] = url.as_str().into();
        }
        self.build_prepay(TradeType::Jsapi, &prepay, stamp)
    }

    /// The verified prepay reply as a checkout: its `prepay_id`, then the payment parameters signed
    /// with the merchant key (one more engine step): `wx.requestPayment` takes them without `appId`,
    /// `WeixinJSBridge.invoke('getBrandWCPayRequest', …)` with it.
    pub fn parse_checkout(&self, order: &Order, reply: &Reply, stamp: &Stamp) -> Result<Pending<Checkout>> {
        let (_, app_id) = order.wechat_buyer()?;
        let (key_id, _) = self.signing_key()?;
        let app_id = self.payment_app_id(Some(app_id))?;
        let (out_trade_no, client) = (order.out_trade_no.clone(), order.client);
        let stamp = stamp.clone();
        let verified = self.verify_response(reply.status, reply.headers, reply.body, reply.now_ms)?;
        Ok(verified.and_then(move |text| {
            let json = reply_json(&text, &[])?;
            let prepay_id = member(&json, &["prepay_id"])
                .ok_or_else(|| Error::malformed("the prepay reply has no prepay_id").with_provider(PROVIDER))?;
            Ok(request_payment(key_id, app_id, &prepay_id, &stamp)?.map(move |payment| {
                let params = serde_json::to_value(&payment)
                    .map_err(|_| Error::malformed("payment parameters cannot be serialized"))?;
                Ok(Checkout {
                    wallet: Wallet::Wechat,
                    provider: Provider::Wechatpay,
                    launch: Launch::wechat(client, params, &payment.app_id),
                    out_trade_no,
                    trade_no: None,
                })
            }))
        }))
    }

    /// A notification (headers and exact body), verified and decrypted, as the one event.
    pub fn verify_event(
        &self,
        headers: &[(&str, &str)],
        body: &[u8],
        now_ms: f64,
    ) -> Result<Pending<PaymentEvent<Notification>>> {
        Ok(self.verify_notify(headers, body, now_ms)?.map(Notification::event))
    }

    /// The order query by `out_trade_no`.
    pub fn build_status_query(&self, query: &StatusQuery, stamp: &Stamp) -> Result<Pending<HttpRequest>> {
        self.build_query(&json!({ "outTradeNo": query.out_trade_no }), stamp)
    }

    /// The verified query reply as the one event (a payment; the reply is `raw`).
    pub fn parse_status_query(&self, query: &StatusQuery, reply: &Reply) -> Result<Pending<PaymentEvent<Value>>> {
        let out_trade_no = query.out_trade_no.clone();
        let verified = self.verify_response(reply.status, reply.headers, reply.body, reply.now_ms)?;
        Ok(verified.map(move |text| {
            let json = reply_json(&text, &[("out_trade_no", &out_trade_no)])?;
            let state = member(&json, &["trade_state"]);
            let mut event = PaymentEvent::new(Provider::Wechatpay, Kind::Payment, trade_state(state.as_deref()), ());
            event.out_trade_no = Some(out_trade_no);
            event.trade_no = member(&json, &["transaction_id"]);
            event.amount = amount_fen(&json, "total")?;
            event.time = member(&json, &["success_time"]).as_deref().and_then(rfc3339);
            event.provider_status = state;
            Ok(event.with_raw(json))
        }))
    }

    /// The refund: `amount.refund` and `amount.total` in fen, `reason`, `notify_url`.
    pub fn build_checkout_refund(&self, refund: &Refund, stamp: &Stamp) -> Result<Pending<HttpRequest>> {
        let money = |m: &Money| json!({ "minor": m.minor(), "currency": m.currency() });
        let mut args = json!({
            "out_trade_no": refund.out_trade_no,
            "out_refund_no": refund.out_refund_no,
            "amount": { "refund": money(&refund.amount), "total": money(&refund.total) },
        });
        if let Some(reason) = &refund.reason {
            args["reason"] = reason.as_str().into();
        }
        if let Some(url) = &refund.notify_url {
            args["notify_url"] = url.as_str().into();
        }
        self.build_refund(&args, stamp)
    }

    /// The verified refund reply as the one event: `PROCESSING` is pending (the result comes by
    /// notification), `SUCCESS` refunded, `CLOSED` failed, `ABNORMAL` failed but not final.
    pub fn parse_checkout_refund(&self, refund: &Refund, reply: &Reply) -> Result<Pending<PaymentEvent<Value>>> {
        let (out_trade_no, out_refund_no) = (refund.out_trade_no.clone(), refund.out_refund_no.clone());
        let verified = self.verify_response(reply.status, reply.headers, reply.body, reply.now_ms)?;
        Ok(verified.map(move |text| {
            let json = reply_json(&text, &[("out_trade_no", &out_trade_no), ("out_refund_no", &out_refund_no)])?;
            let status = member(&json, &["status"]);
            let mut event = PaymentEvent::new(Provider::Wechatpay, Kind::Refund, refund_status(status.as_deref()), ());
            event.out_trade_no = Some(out_trade_no);
            event.out_refund_no = Some(out_refund_no);
            event.trade_no = member(&json, &["transaction_id"]);
            event.refund_id = member(&json, &["refund_id"]);
            event.amount = amount_fen(&json, "refund")?;
            event.time = member(&json, &["success_time"]).as_deref().and_then(rfc3339);
            event.provider_status = status;
            Ok(event.with_raw(json))
        }))
    }
}
