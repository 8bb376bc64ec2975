//! One event shape for every provider's notifications, queries and refunds.

use serde::Serialize;

use crate::money::Money;

/// The provider that sent a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Alipay Open Platform.
    Alipay,
    /// WeChat Pay APIv3.
    Wechatpay,
    /// UseePay's gateway (WeChat Pay HK).
    Useepay,
}

impl Provider {
    /// `"alipay"`, `"wechatpay"`, `"useepay"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Provider::Alipay => "alipay",
            Provider::Wechatpay => "wechatpay",
            Provider::Useepay => "useepay",
        }
    }

    /// The provider named `name`.
    pub fn from_name(name: &str) -> Option<Provider> {
        [Provider::Alipay, Provider::Wechatpay, Provider::Useepay].into_iter().find(|p| p.as_str() == name)
    }
}

/// What an event is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The order's payment.
    Payment,
    /// A refund of the order.
    Refund,
}

/// Where a payment or a refund stands, in one vocabulary for every provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Not paid yet (or a refund not done yet): wait, or query.
    Pending,
    /// Paid; for a refund: the money went back.
    Paid,
    /// The payment failed (WeChat Pay `PAYERROR`, UseePay `failed`), or the refund did.
    Failed,
    /// Closed unpaid (expired, cancelled, closed by the merchant).
    Closed,
    /// The payment was refunded (in part or in full); for a refund event: this refund succeeded.
    Refunded,
}

/// A notification, a query result or a refund result, from any provider, in one shape. Serializes as
/// `{ provider, kind, status, final, outTradeNo, tradeNo, outRefundNo, refundId, amount,
/// refundedTotal, time, notifyId, providerStatus, raw }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentEvent<R> {
    /// Who sent it.
    pub provider: Provider,
    /// Payment or refund.
    pub kind: Kind,
    /// Where it stands.
    pub status: Status,
    /// Nothing more will happen to it (a paid order may still be refunded: `final` is false then).
    pub r#final: bool,
    /// The merchant's order id.
    pub out_trade_no: Option<String>,
    /// The provider's order id (Alipay `trade_no`, WeChat Pay `transaction_id`, UseePay `reference`).
    pub trade_no: Option<String>,
    /// The merchant's refund id (Alipay `out_biz_no` / `out_request_no`, WeChat Pay `out_refund_no`,
    /// UseePay the refund's `transactionId`).
    pub out_refund_no: Option<String>,
    /// The provider's refund id (WeChat Pay `refund_id`, UseePay the refund's `reference`).
    pub refund_id: Option<String>,
    /// A payment: the order's total, to compare with your order. A refund: this refund's amount,
    /// where the provider says it (Alipay says only `refundedTotal`).
    pub amount: Option<Money>,
    /// The total refunded on the order so far, where the provider says it (Alipay `refund_fee`).
    pub refunded_total: Option<Money>,
    /// When it happened, RFC 3339 (paid, refunded, closed; Alipay's Beijing times as `+08:00`).
    pub time: Option<String>,
    /// The notification's id: the same notification delivered again carries the same one (UseePay,
    /// which sends none: `{transactionType}:{transactionId}:{resultCode}`). `None` for queries.
    pub notify_id: Option<String>,
    /// The provider's own status word (`TRADE_SUCCESS`, `SUCCESS`, `succeed`, …).
    pub provider_status: Option<String>,
    /// The provider's own event or result, as the provider's client returns it.
    pub raw: R,
}

impl<R> PaymentEvent<R> {
    /// An event of `provider` about `kind`, with every id and figure still to fill.
    pub fn new(provider: Provider, kind: Kind, (status, r#final): (Status, bool), raw: R) -> PaymentEvent<R> {
        PaymentEvent {
            provider,
            kind,
            status,
            r#final,
            out_trade_no: None,
            trade_no: None,
            out_refund_no: None,
            refund_id: None,
            amount: None,
            refunded_total: None,
            time: None,
            notify_id: None,
            provider_status: None,
            raw,
        }
    }

    /// The same event with `raw` in place of its raw document.
    pub fn with_raw<S>(self, raw: S) -> PaymentEvent<S> {
        PaymentEvent {
            provider: self.provider,
            kind: self.kind,
            status: self.status,
            r#final: self.r#final,
            out_trade_no: self.out_trade_no,
            trade_no: self.trade_no,
            out_refund_no: self.out_refund_no,
            refund_id: self.refund_id,
            amount: self.amount,
            refunded_total: self.refunded_total,
            time: self.time,
            notify_id: self.notify_id,
            provider_status: self.provider_status,
            raw,
        }
    }
}

/// A Beijing time as Alipay writes it (`yyyy-MM-dd HH:mm:ss`, optionally `.SSS`) as RFC 3339 with
/// `+08:00`; anything else is `None` (a time that cannot be read is left out, not guessed).
pub fn beijing_rfc3339(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| bytes.get(range).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let shape = bytes.len() >= 19
        && digits(0..4)
        && bytes[4] == b'-'
        && digits(5..7)
        && bytes[7] == b'-'
        && digits(8..10)
        && bytes[10] == b' '
        && digits(11..13)
        && bytes[13] == b':'
        && digits(14..16)
        && bytes[16] == b':'
        && digits(17..19);
    let fraction = match &bytes[bytes.len().min(19)..] {
        [] => true,
        [b'.', rest @ ..] => (1..=9).contains(&rest.len()) && rest.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    (shape && fraction).then(|| format!("{}T{}+08:00", &text[..10], &text[11..]))
}

/// An RFC 3339 time as WeChat Pay writes it (`2018-06-08T10:34:56+08:00`), checked for its shape;
/// anything else is `None`.
pub fn rfc3339(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let ok = bytes.len() >= 20
        && bytes.len() <= 35
        && bytes[10] == b'T'
        && beijing_rfc3339(&format!("{} {}", &text[..10], &text[11..19])).is_some()
        && text[19..].bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'+' | b'-' | b':' | b'Z'));
    ok.then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_become_rfc3339() {
        assert_eq!(beijing_rfc3339("2015-06-17 11:32:23").as_deref(), Some("2015-06-17T11:32:23+08:00"));
        assert_eq!(beijing_rfc3339("2015-06-17 11:32:23.123").as_deref(), Some("2015-06-17T11:32:23.123+08:00"));
        for bad in [
            "",
            "2015-06-17",
            "2015-06-17T11:32:23",
            "2015-06-17 11:32:23.",
            "2015-06-17 11:32:23x",
            "２015-06-17 11:32:23",
        ] {
            assert_eq!(beijing_rfc3339(bad), None, "{bad}");
        }
        assert_eq!(rfc3339("2018-06-08T10:34:56+08:00").as_deref(), Some("2018-06-08T10:34:56+08:00"));
        assert_eq!(rfc3339("2018-06-08 10:34:56+08:00"), None);
        assert_eq!(rfc3339("2018-06-08T10:34:56+08:00 and more"), None);
    }

    #[test]
    fn events_serialize_in_one_shape() {
        let mut event = PaymentEvent::new(Provider::Wechatpay, Kind::Refund, (Status::Refunded, true), "raw");
        event.amount = Some(Money::new(5, "CNY").unwrap());
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "provider": "wechatpay", "kind": "refund", "status": "refunded", "final": true,
                "outTradeNo": null, "tradeNo": null, "outRefundNo": null, "refundId": null,
                "amount": { "minor": 5, "currency": "CNY" }, "refundedTotal": null, "time": null,
                "notifyId": null, "providerStatus": null, "raw": "raw"
            })
        );
    }
}
