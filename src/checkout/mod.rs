//! One order model and one event model across providers: the merchant describes an order once, and
//! each wallet's configured provider (Alipay; WeChat Pay direct or UseePay) turns it into its own
//! request, its own client parameters, and back into one event shape.
//!
//! Every provider client implements the same operations (`crate::alipay::checkout`,
//! `crate::wechat::pay::checkout`, `crate::useepay::checkout`):
//! - `build_checkout(order)`: the signed request that creates the provider's order;
//! - `parse_checkout(order, reply)`: the verified reply turned into a [`Checkout`]: what the
//!   buyer's client calls to pay ([`Launch`]: `my.tradePay`, `AlipayJSBridge`, `wx.requestPayment`,
//!   `WeixinJSBridge`);
//! - `verify_event(notification)`: any notification, verified, as a [`PaymentEvent`];
//! - `build_status_query` / `parse_status_query` and `build_checkout_refund` /
//!   `parse_checkout_refund`: queries and refunds, mapped to the same statuses.
//!
//! The provider's own document stays in the event (`raw`): nothing is lost in the mapping.

pub mod event;

use serde::Serialize;
use serde_json::Value;

pub use self::event::{Kind, PaymentEvent, Provider, Status};
use crate::error::{Error, Result};
use crate::http::{NotifyReply, notify_text};
use crate::money::Money;
use crate::options::{given, read, required};
use crate::router::wallet::Wallet;

/// Who pays: the buyer's identity in the wallet that scanned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Buyer {
    /// An Alipay buyer: the `user_id` (`2088…`) of apps in user_id mode, or the OpenID of apps in
    /// OpenID mode, from `alipay.system.oauth.token`.
    Alipay(AlipayBuyer),
    /// A WeChat buyer: the `openid` under `app_id` (the mini program's, or the official account's
    /// for H5), from `jscode2session` or `sns/oauth2/access_token`.
    Wechat {
        /// The buyer's openid.
        openid: String,
        /// The app the openid belongs to.
        app_id: String,
    },
}

/// An Alipay buyer's id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AlipayBuyer {
    /// `buyer_id`.
    UserId(String),
    /// `buyer_open_id`.
    OpenId(String),
}

impl Buyer {
    /// The wallet the buyer pays with.
    pub fn wallet(&self) -> Wallet {
        match self {
            Buyer::Alipay(_) => Wallet::Alipay,
            Buyer::Wechat { .. } => Wallet::Wechat,
        }
    }
}

/// Where the buyer pays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientKind {
    /// The wallet's mini program (`my.tradePay`, `wx.requestPayment`).
    MiniProgram,
    /// The wallet's in-app browser (`AlipayJSBridge`, `WeixinJSBridge`).
    H5,
}

/// An order as the merchant describes it, once for every provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    /// The merchant's order id (`out_trade_no`, UseePay's `transactionId`).
    pub out_trade_no: String,
    /// The amount to pay.
    pub amount: Money,
    /// What is bought, as the buyer sees it.
    pub subject: String,
    /// Who pays.
    pub buyer: Buyer,
    /// Where the buyer pays.
    pub client: ClientKind,
    /// Where the provider posts its notifications (else the client's configured one).
    pub notify_url: Option<String>,
}

impl Order {
    /// `{ outTradeNo, amount: { minor, currency }, subject, buyer, client, notifyUrl? }`, `buyer`
    /// being `{ wallet: 'alipay', userId | openId }` or `{ wallet: 'wechat', openid, appId }` and
    /// `client` `'mini-program'` or `'h5'`.
    pub fn from_json(value: &Value) -> Result<Order> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Fields<'a> {
            out_trade_no: Option<&'a str>,
            amount: Option<Value>,
            subject: Option<&'a str>,
            #[serde(borrow)]
            buyer: Option<BuyerFields<'a>>,
            client: Option<&'a str>,
            notify_url: Option<&'a str>,
        }
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct BuyerFields<'a> {
            wallet: Option<&'a str>,
            user_id: Option<&'a str>,
            open_id: Option<&'a str>,
            openid: Option<&'a str>,
            app_id: Option<&'a str>,
        }
        let f: Fields = read(value, "order")?;
        let amount = Money::from_json(f.amount.as_ref().unwrap_or(&Value::Null), "order.amount")?;
        if amount.minor() == 0 {
            return Err(Error::bad_input("order.amount must be greater than zero"));
        }
        let b = f.buyer.ok_or_else(|| Error::bad_input("order.buyer is required"))?;
        let buyer = match required(b.wallet, "order.buyer.wallet")? {
            "alipay" => {
                if given(b.openid).is_some() || given(b.app_id).is_some() {
                    return Err(Error::bad_input("an Alipay buyer has a userId or an openId, not openid or appId"));
                }
                Buyer::Alipay(match (given(b.user_id), given(b.open_id)) {
                    (Some(id), None) => AlipayBuyer::UserId(id.to_owned()),
                    (None, Some(id)) => AlipayBuyer::OpenId(id.to_owned()),
                    _ => return Err(Error::bad_input("an Alipay buyer needs exactly one of userId and openId")),
                })
            }
            "wechat" => {
                if given(b.user_id).is_some() || given(b.open_id).is_some() {
                    return Err(Error::bad_input("a WeChat buyer has an openid and an appId, not userId or openId"));
                }
                Buyer::Wechat {
                    openid: required(b.openid, "order.buyer.openid")?.to_owned(),
                    app_id: required(b.app_id, "order.buyer.appId")?.to_owned(),
                }
            }
            _ => return Err(Error::bad_input("order.buyer.wallet must be 'alipay' or 'wechat'")),
        };
        let client = match required(f.client, "order.client")? {
            "mini-program" => ClientKind::MiniProgram,
            "h5" => ClientKind::H5,
            _ => return Err(Error::bad_input("order.client must be 'mini-program' or 'h5'")),
        };
        Ok(Order {
            out_trade_no: required(f.out_trade_no, "order.outTradeNo")?.to_owned(),
            amount,
            subject: required(f.subject, "order.subject")?.to_owned(),
            buyer,
            client,
            notify_url: given(f.notify_url).map(str::to_owned),
        })
    }

    /// The Alipay buyer; an order paid with another wallet is `ERR_BAD_INPUT` (an Alipay client
    /// serves it).
    pub fn alipay_buyer(&self) -> Result<&AlipayBuyer> {
        match &self.buyer {
            Buyer::Alipay(buyer) => Ok(buyer),
            other => Err(wrong_wallet(other.wallet(), Wallet::Alipay)),
        }
    }

    /// The WeChat buyer's `(openid, app_id)`; an order paid with another wallet is `ERR_BAD_INPUT`
    /// (a WeChat Pay or UseePay client serves it).
    pub fn wechat_buyer(&self) -> Result<(&str, &str)> {
        match &self.buyer {
            Buyer::Wechat { openid, app_id } => Ok((openid, app_id)),
            other => Err(wrong_wallet(other.wallet(), Wallet::Wechat)),
        }
    }
}

fn wrong_wallet(buyer: Wallet, client: Wallet) -> Error {
    Error::bad_input(format!("this order's buyer pays with {}; this client serves {}", buyer.as_str(), client.as_str()))
}

/// What the buyer's client calls to pay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Launch {
    /// `my.tradePay`, `AlipayJSBridge.tradePay` (`AlipayJSBridge.call('tradePay', params)`),
    /// `wx.requestPayment`, or `WeixinJSBridge.getBrandWCPayRequest`
    /// (`WeixinJSBridge.invoke('getBrandWCPayRequest', params)`).
    pub api: &'static str,
    /// Its parameters, exactly as the call takes them.
    pub params: Value,
}

impl Launch {
    /// Alipay's payment call for `trade_no`: `my.tradePay` in the mini program,
    /// `AlipayJSBridge.call('tradePay', …)` on the H5 page; both take `{ tradeNO }`.
    pub fn alipay(client: ClientKind, trade_no: &str) -> Launch {
        let api = match client {
            ClientKind::MiniProgram => "my.tradePay",
            ClientKind::H5 => "AlipayJSBridge.tradePay",
        };
        Launch { api, params: serde_json::json!({ "tradeNO": trade_no }) }
    }

    /// WeChat's payment call with the signed `params` (`timeStamp`, `nonceStr`, `package`,
    /// `signType`, `paySign`) for the app `app_id`: `wx.requestPayment` in the mini program takes
    /// them without `appId`, `WeixinJSBridge.invoke('getBrandWCPayRequest', …)` on the H5 page with it.
    pub fn wechat(client: ClientKind, mut params: Value, app_id: &str) -> Launch {
        let api = match client {
            ClientKind::MiniProgram => {
                params.as_object_mut().map(|p| p.remove("appId"));
                "wx.requestPayment"
            }
            ClientKind::H5 => {
                params["appId"] = app_id.into();
                "WeixinJSBridge.getBrandWCPayRequest"
            }
        };
        Launch { api, params }
    }
}

/// An order the provider has accepted: what to store, and what the buyer's client calls to pay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Checkout {
    /// The buyer's wallet.
    pub wallet: Wallet,
    /// The provider that took the order.
    pub provider: Provider,
    /// The merchant's order id.
    pub out_trade_no: String,
    /// The provider's order id when it gives one now (Alipay's `trade_no`, UseePay's `reference`);
    /// WeChat Pay gives its `transaction_id` only once paid.
    pub trade_no: Option<String>,
    /// The payment call.
    pub launch: Launch,
}

/// The `wallet` a query or refund names, when it names one, must be the client's.
pub(crate) fn check_wallet(named: Option<&str>, wallet: Wallet) -> Result<()> {
    match given(named) {
        Some(name) if name != wallet.as_str() => Err(Error::bad_input(format!(
            "these arguments are for another wallet; this client serves {}",
            wallet.as_str()
        ))),
        _ => Ok(()),
    }
}

/// A status query: `{ outTradeNo, wallet? }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusQuery {
    /// The merchant's order id.
    pub out_trade_no: String,
}

impl StatusQuery {
    /// Reads `{ outTradeNo, wallet? }`; `wallet`, when given, must be `wallet`.
    pub fn from_json(value: &Value, wallet: Wallet) -> Result<StatusQuery> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Fields<'a> {
            out_trade_no: Option<&'a str>,
            wallet: Option<&'a str>,
        }
        let f: Fields = read(value, "status query")?;
        check_wallet(f.wallet, wallet)?;
        Ok(StatusQuery { out_trade_no: required(f.out_trade_no, "status query.outTradeNo")?.to_owned() })
    }
}

/// A refund: `{ outTradeNo, outRefundNo, amount, total, reason?, notifyUrl?, wallet? }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refund {
    /// The merchant's order id.
    pub out_trade_no: String,
    /// The merchant's refund id: the same id again is the same refund (every provider's idempotency key).
    pub out_refund_no: String,
    /// The amount to refund.
    pub amount: Money,
    /// The order's total (WeChat Pay requires it), in the same currency.
    pub total: Money,
    /// Why, as the buyer sees it.
    pub reason: Option<String>,
    /// Where refund notifications go (WeChat Pay, UseePay), else the client's configured one.
    pub notify_url: Option<String>,
}

impl Refund {
    /// Reads a refund; `wallet`, when given, must be `wallet`. The amount must be positive and at
    /// most the total, in its currency.
    pub fn from_json(value: &Value, wallet: Wallet) -> Result<Refund> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Fields<'a> {
            out_trade_no: Option<&'a str>,
            out_refund_no: Option<&'a str>,
            amount: Option<Value>,
            total: Option<Value>,
            reason: Option<&'a str>,
            notify_url: Option<&'a str>,
            wallet: Option<&'a str>,
        }
        let f: Fields = read(value, "refund")?;
        check_wallet(f.wallet, wallet)?;
        let amount = Money::from_json(f.amount.as_ref().unwrap_or(&Value::Null), "refund.amount")?;
        let total = Money::from_json(f.total.as_ref().unwrap_or(&Value::Null), "refund.total")?
            .require_currency(amount.currency(), "refund.total")?;
        if amount.minor() == 0 || amount.minor() > total.minor() {
            return Err(Error::bad_input("refund.amount must be greater than zero and at most refund.total"));
        }
        Ok(Refund {
            out_trade_no: required(f.out_trade_no, "refund.outTradeNo")?.to_owned(),
            out_refund_no: required(f.out_refund_no, "refund.outRefundNo")?.to_owned(),
            amount,
            total,
            reason: given(f.reason).map(str::to_owned),
            notify_url: given(f.notify_url).map(str::to_owned),
        })
    }
}

/// What to answer a notification that could not be accepted (the error's `code`): WeChat Pay's
/// documented refusal (401 when it did not verify, else 500); for Alipay and UseePay, HTTP 400
/// `fail` — anything but their success reply makes them send it again.
pub fn failure_reply(provider: Provider, code: &str) -> NotifyReply {
    match provider {
        Provider::Wechatpay => crate::wechat::pay::notify::failure_reply_for_code(code),
        Provider::Alipay | Provider::Useepay => notify_text(400, "fail"),
    }
}
