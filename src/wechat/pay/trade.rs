//! Typed builders for the payment journey on the mainland API: prepay (JSAPI / mini program, Native,
//! H5, App), query, close, refund and refund query, in the direct and the service-provider (服务商)
//! form. Each checks the fields it needs, fills what the client knows (`mchid` / `sp_mchid`, `appid`
//! / `sp_appid`, `notify_url`), turns amounts given as `{ minor, currency }` into integer fen, and
//! otherwise sends WeChat Pay's own document as given (its field names, its order).

use serde_json::{Map, Value};

use super::request::{Method, Stamp, body_text};
use super::{WechatPay, token};
use crate::crypto::step::Pending;
use crate::error::{Error, Result};
use crate::http::HttpRequest;
use crate::money::Money;
use crate::options::{given, read};

/// The prepay (下单) products.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TradeType {
    /// JSAPI: official-account pages and mini programs (`payer` names the buyer's openid).
    Jsapi,
    /// Native: a QR code (`code_url`) to scan.
    Native,
    /// H5: a mobile browser outside WeChat (`scene_info.h5_info`).
    H5,
    /// App: the App SDK.
    App,
}

impl TradeType {
    /// The last segment of the prepay path.
    pub const fn path_segment(self) -> &'static str {
        match self {
            TradeType::Jsapi => "jsapi",
            TradeType::Native => "native",
            TradeType::H5 => "h5",
            TradeType::App => "app",
        }
    }
}

/// The order and refund fields that must be strings when given (a number or an object given as
/// `out_trade_no` would otherwise be sent as one).
const STRING_FIELDS: &[&str] = &[
    "appid",
    "mchid",
    "sp_appid",
    "sp_mchid",
    "sub_appid",
    "sub_mchid",
    "description",
    "out_trade_no",
    "transaction_id",
    "out_refund_no",
    "notify_url",
    "attach",
    "time_expire",
    "goods_tag",
    "reason",
    "funds_account",
];

impl WechatPay {
    /// `POST /v3/pay/transactions/{jsapi|native|h5|app}` (partner: `/v3/pay/partner/transactions/…`):
    /// `description`, `out_trade_no`, `amount` as `{ minor, currency }`; `notify_url` and `appid`
    /// (partner: `sp_appid`) unless the configuration gives them; partner orders name `sub_mchid`.
    /// JSAPI names the buyer: `payer.openid` (partner: exactly one of `payer.sp_openid` and
    /// `payer.sub_openid`, the latter with `sub_appid`); H5 needs `scene_info.payer_client_ip` and
    /// `scene_info.h5_info.type`.
    pub fn build_prepay(&self, trade_type: TradeType, order: &Value, stamp: &Stamp) -> Result<Pending<HttpRequest>> {
        self.signing_key()?;
        self.mainland("prepay")?;
        let what = "WeChat Pay order";
        let given_fields = object(order, what)?;
        let mut body = self.merchant_fields(&given_fields, what)?;
        require(&given_fields, what, &["description", "out_trade_no"])?;
        let amount =
            given_fields.get("amount").ok_or_else(|| Error::bad_input(format!("{what}.amount is required")))?;
        let money = positive(Money::from_json(amount, &format!("{what}.amount"))?, what)?;
        for (key, value) in &given_fields {
            if !body.contains_key(key) {
                let value = match key.as_str() {
                    "amount" => serde_json::json!({ "total": money.minor(), "currency": money.currency() }),
                    _ => value.clone(),
                };
                body.insert(key.clone(), value);
            }
        }
        self.default_notify_url(&mut body, what, true)?;
        match trade_type {
            TradeType::Jsapi => self.check_payer(&body, what)?,
            TradeType::H5 => {
                let scene = body.get("scene_info");
                let ip = scene.and_then(|s| s.get("payer_client_ip")).and_then(Value::as_str).filter(|s| !s.is_empty());
                let h5 = scene.and_then(|s| s.get("h5_info")).and_then(|h| h.get("type")).and_then(Value::as_str);
                if ip.is_none() || h5.is_none_or(str::is_empty) {
                    return Err(Error::bad_input(format!(
                        "{what}: H5 orders need scene_info.payer_client_ip and scene_info.h5_info.type"
                    )));
                }
            }
            TradeType::Native | TradeType::App => {}
        }
        let path = format!("{}/{}", self.transactions_path(), trade_type.path_segment());
        self.signed_request(Method::Post, path, Some(body_text(&Value::Object(body))?), None, stamp)
    }

    /// `GET /v3/pay/transactions/id/{transactionId}` or `…/out-trade-no/{outTradeNo}`, with `mchid`
    /// (partner: `sp_mchid` and `sub_mchid`) in the query: `{ transactionId | outTradeNo, subMchid? }`.
    pub fn build_query(&self, args: &Value, stamp: &Stamp) -> Result<Pending<HttpRequest>> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Args<'a> {
            transaction_id: Option<&'a str>,
            out_trade_no: Option<&'a str>,
            sub_mchid: Option<&'a str>,
        }
        self.signing_key()?;
        self.mainland("query")?;
        let a: Args = read(args, "WeChat Pay query")?;
        let by = match (given(a.transaction_id), given(a.out_trade_no)) {
            (Some(id), None) => format!("id/{}", path_id(id, "transactionId")?),
            (None, Some(no)) => format!("out-trade-no/{}", path_id(no, "outTradeNo")?),
            _ => return Err(Error::bad_input("WeChat Pay query: give exactly one of transactionId and outTradeNo")),
        };
        let query = match self.sub_mchid(a.sub_mchid, "query")? {
            Some(sub) => format!("sp_mchid={}&sub_mchid={sub}", self.mchid),
            None => format!("mchid={}", self.mchid),
        };
        self.signed_request(Method::Get, format!("{}/{by}?{query}", self.transactions_path()), None, None, stamp)
    }

    /// `POST /v3/pay/transactions/out-trade-no/{outTradeNo}/close` with `{ mchid }` (partner:
    /// `{ sp_mchid, sub_mchid }`): `{ outTradeNo, subMchid? }`. WeChat Pay answers 204.
    pub fn build_close(&self, args: &Value, stamp: &Stamp) -> Result<Pending<HttpRequest>> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Args<'a> {
            out_trade_no: Option<&'a str>,
            sub_mchid: Option<&'a str>,
        }
        self.signing_key()?;
        self.mainland("close")?;
        let a: Args = read(args, "WeChat Pay close")?;
        let no = path_id(given(a.out_trade_no).unwrap_or(""), "outTradeNo")?;
        let body = match self.sub_mchid(a.sub_mchid, "close")? {
            Some(sub) => serde_json::json!({ "sp_mchid": self.mchid, "sub_mchid": sub }),
            None => serde_json::json!({ "mchid": self.mchid }),
        };
        let path = format!("{}/out-trade-no/{no}/close", self.transactions_path());
        self.signed_request(Method::Post, path, Some(body_text(&body)?), None, stamp)
    }

    /// `POST /v3/refund/domestic/refunds`: exactly one of `transaction_id` and `out_trade_no`,
    /// `out_refund_no`, and `amount` as `{ refund: { minor, currency }, total: { minor, currency } }`
    /// (other members, such as `from`, are sent as given); `notify_url` defaults to the
    /// configuration's; partner refunds name `sub_mchid`.
    pub fn build_refund(&self, refund: &Value, stamp: &Stamp) -> Result<Pending<HttpRequest>> {
        self.signing_key()?;
        self.mainland("refund")?;
        let what = "WeChat Pay refund";
        let given_fields = object(refund, what)?;
        let ids = usize::from(has(&given_fields, what, "transaction_id")?)
            + usize::from(has(&given_fields, what, "out_trade_no")?);
        if ids != 1 {
            return Err(Error::bad_input(format!("{what}: give exactly one of transaction_id and out_trade_no")));
        }
        require(&given_fields, what, &["out_refund_no"])?;
        for key in ["mchid", "sp_mchid"] {
            if given_fields.contains_key(key) {
                return Err(Error::bad_input(format!(
                    "{what}: {key} is not part of a refund (the signature names the merchant)"
                )));
            }
        }
        match (self.partner, has(&given_fields, what, "sub_mchid")?) {
            (true, false) => {
                return Err(Error::bad_input(format!("{what}: a service provider's refund names sub_mchid")));
            }
            (false, true) => {
                return Err(Error::bad_input(format!("{what}: sub_mchid is for service providers (config.partner)")));
            }
            _ => {}
        }
        let mut body = Map::new();
        for (key, value) in &given_fields {
            let value = match key.as_str() {
                "amount" => refund_amount(value)?,
                _ => value.clone(),
            };
            body.insert(key.clone(), value);
        }
        if !body.contains_key("amount") {
            return Err(Error::bad_input(format!("{what}.amount is required")));
        }
        self.default_notify_url(&mut body, what, false)?;
        self.signed_request(
            Method::Post,
            "/v3/refund/domestic/refunds".to_owned(),
            Some(body_text(&Value::Object(body))?),
            None,
            stamp,
        )
    }

    /// `GET /v3/refund/domestic/refunds/{outRefundNo}` (partner: `?sub_mchid=…`): `{ outRefundNo, subMchid? }`.
    pub fn build_refund_query(&self, args: &Value, stamp: &Stamp) -> Result<Pending<HttpRequest>> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Args<'a> {
            out_refund_no: Option<&'a str>,
            sub_mchid: Option<&'a str>,
        }
        self.signing_key()?;
        self.mainland("refund query")?;
        let a: Args = read(args, "WeChat Pay refund query")?;
        let mut path =
            format!("/v3/refund/domestic/refunds/{}", path_id(given(a.out_refund_no).unwrap_or(""), "outRefundNo")?);
        if let Some(sub) = self.sub_mchid(a.sub_mchid, "refund query")? {
            path.push_str(&format!("?sub_mchid={sub}"));
        }
        self.signed_request(Method::Get, path, None, None, stamp)
    }

    /// The `GET /v3/certificates` request (`/v3/global/certificates`, `/hk/v3/certificates`).
    pub fn build_certificates_request(&self, stamp: &Stamp) -> Result<Pending<HttpRequest>> {
        self.signing_key()?;
        self.signed_request(Method::Get, self.api.certificates_path().to_owned(), None, None, stamp)
    }

    fn transactions_path(&self) -> &'static str {
        if self.partner { "/v3/pay/partner/transactions" } else { "/v3/pay/transactions" }
    }

    /// `subMchid`: required of a service provider, refused from a direct merchant.
    fn sub_mchid<'a>(&self, sub: Option<&'a str>, what: &str) -> Result<Option<&'a str>> {
        match (self.partner, given(sub)) {
            (true, Some(sub)) => token(sub, "subMchid", 32).map(Some),
            (true, None) => Err(Error::bad_input(format!("WeChat Pay {what}: a service provider names subMchid"))),
            (false, Some(_)) => {
                Err(Error::bad_input(format!("WeChat Pay {what}: subMchid is for service providers (config.partner)")))
            }
            (false, None) => Ok(None),
        }
    }

    /// The merchant and app fields of an order, first in the body: `appid`, `mchid` (partner:
    /// `sp_appid`, `sp_mchid`, `sub_appid`, `sub_mchid`). The merchant id is the client's; an app id
    /// not given is the configuration's.
    fn merchant_fields(&self, order: &Map<String, Value>, what: &str) -> Result<Map<String, Value>> {
        let (app_key, mch_key, other_mch) =
            if self.partner { ("sp_appid", "sp_mchid", "mchid") } else { ("appid", "mchid", "sp_mchid") };
        if order.contains_key(other_mch) {
            return Err(Error::bad_input(format!(
                "{what}: {other_mch} belongs to the {} form; this client is {}",
                if self.partner { "direct" } else { "service-provider" },
                if self.partner { "a service provider's (config.partner)" } else { "a direct merchant's" }
            )));
        }
        let mut body = Map::new();
        let app = match string(order, what, app_key)? {
            Some(app) => app.to_owned(),
            None => self
                .app_id
                .clone()
                .ok_or_else(|| Error::bad_input(format!("{what}.{app_key} is required (or appId in the config)")))?,
        };
        body.insert(app_key.into(), app.into());
        match string(order, what, mch_key)? {
            Some(mch) if mch != self.mchid => {
                return Err(Error::bad_input(format!("{what}.{mch_key} is the client's (config.mchid); leave it out")));
            }
            _ => {
                body.insert(mch_key.into(), self.mchid.clone().into());
            }
        }
        if self.partner {
            if let Some(sub_app) = string(order, what, "sub_appid")? {
                body.insert("sub_appid".into(), sub_app.into());
            }
            let sub = string(order, what, "sub_mchid")?
                .ok_or_else(|| Error::bad_input(format!("{what}.sub_mchid is required of a service provider")))?;
            body.insert("sub_mchid".into(), token(sub, &format!("{what}.sub_mchid"), 32)?.into());
        } else if order.contains_key("sub_mchid") || order.contains_key("sub_appid") {
            return Err(Error::bad_input(format!(
                "{what}: sub_mchid and sub_appid are for service providers (config.partner)"
            )));
        }
        Ok(body)
    }

    /// `notify_url` from the configuration when the document has none; `required` makes one necessary.
    fn default_notify_url(&self, body: &mut Map<String, Value>, what: &str, required: bool) -> Result<()> {
        if has(body, what, "notify_url")? {
            return Ok(());
        }
        match &self.notify_url {
            Some(url) => {
                body.insert("notify_url".into(), url.clone().into());
                Ok(())
            }
            None if required => {
                Err(Error::bad_input(format!("{what}.notify_url is required (or notifyUrl in the config)")))
            }
            None => Ok(()),
        }
    }

    /// The buyer of a JSAPI order: `payer.openid`; a service provider's names exactly one of
    /// `payer.sp_openid` and `payer.sub_openid`, the latter under `sub_appid`.
    fn check_payer(&self, body: &Map<String, Value>, what: &str) -> Result<()> {
        let payer = body.get("payer").and_then(Value::as_object).cloned().unwrap_or_default();
        let id = |key: &str| has(&payer, &format!("{what}.payer"), key);
        if !self.partner {
            return match id("openid")? {
                true => Ok(()),
                false => Err(Error::bad_input(format!("{what}: JSAPI orders name the buyer in payer.openid"))),
            };
        }
        match (id("sp_openid")?, id("sub_openid")?) {
            (true, false) => Ok(()),
            (false, true) if body.contains_key("sub_appid") => Ok(()),
            (false, true) => {
                Err(Error::bad_input(format!("{what}: payer.sub_openid belongs to sub_appid; give sub_appid")))
            }
            _ => Err(Error::bad_input(format!(
                "{what}: JSAPI orders name the buyer in exactly one of payer.sp_openid and payer.sub_openid"
            ))),
        }
    }
}

/// `amount: { refund: Money, total: Money, …rest }` → `{ refund, total, currency, …rest }`.
fn refund_amount(value: &Value) -> Result<Value> {
    let what = "WeChat Pay refund.amount";
    let given = value.as_object().ok_or_else(|| Error::bad_input(format!("{what} must be {{ refund, total }}")))?;
    let money = |key: &str| {
        given
            .get(key)
            .ok_or_else(|| Error::bad_input(format!("{what}.{key} is required as {{ minor, currency }}")))
            .and_then(|v| Money::from_json(v, &format!("{what}.{key}")))
    };
    let (refund, total) = (positive(money("refund")?, what)?, money("total")?);
    if refund.currency() != total.currency() {
        return Err(Error::bad_input(format!("{what}: refund and total must be in one currency")));
    }
    if refund.minor() > total.minor() {
        return Err(Error::bad_input(format!("{what}: refund exceeds total")));
    }
    if given.contains_key("currency") {
        return Err(Error::bad_input(format!("{what}.currency comes from refund and total; leave it out")));
    }
    let mut out = Map::new();
    out.insert("refund".into(), refund.minor().into());
    out.insert("total".into(), total.minor().into());
    out.insert("currency".into(), refund.currency().into());
    for (key, value) in given {
        if !out.contains_key(key) {
            out.insert(key.clone(), value.clone());
        }
    }
    Ok(Value::Object(out))
}

fn positive(money: Money, what: &str) -> Result<Money> {
    if money.minor() == 0 {
        return Err(Error::bad_input(format!("{what}: an amount must be at least one minor unit (1 fen)")));
    }
    Ok(money)
}

/// An id put in a path: what WeChat Pay allows in `out_trade_no` and `out_refund_no` (letters, digits,
/// `_ - | * @`), 1 to 64 characters — nothing a URL would encode.
fn path_id<'a>(id: &'a str, what: &str) -> Result<&'a str> {
    if !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-|*@".contains(&b)) {
        Ok(id)
    } else {
        Err(Error::bad_input(format!("WeChat Pay {what} must be 1 to 64 ASCII letters, digits, _ - | * @")))
    }
}

fn object(document: &Value, what: &str) -> Result<Map<String, Value>> {
    let map = document.as_object().cloned().ok_or_else(|| Error::bad_input(format!("{what} must be an object")))?;
    for key in STRING_FIELDS {
        has(&map, what, key)?;
    }
    Ok(map)
}

/// A named string field when given (absent, `null` and `""` are not); any other type is an error.
fn string<'a>(map: &'a Map<String, Value>, what: &str, key: &str) -> Result<Option<&'a str>> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str()).filter(|s| !s.is_empty())),
        Some(_) => Err(Error::bad_input(format!("{what}.{key} must be a string"))),
    }
}

fn has(map: &Map<String, Value>, what: &str, key: &str) -> Result<bool> {
    string(map, what, key).map(|s| s.is_some())
}

fn require(map: &Map<String, Value>, what: &str, keys: &[&str]) -> Result<()> {
    for key in keys {
        if !has(map, what, key)? {
            return Err(Error::bad_input(format!("{what}.{key} is required")));
        }
    }
    Ok(())
}
