//! Client payment parameters, signed with the merchant key: `wx.requestPayment` (mini programs) and
//! `WeixinJSBridge.invoke('getBrandWCPayRequest', …)` (official-account pages) sign
//! `appId\ntimeStamp\nnonceStr\npackage\n`; the App SDK signs `appid\ntimestamp\nnoncestr\nprepayid\n`.
//! `timeStamp` is a string of seconds — a number, or milliseconds, is what WeChat refuses most.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use serde_json::Value;

use super::request::Stamp;
use super::{WechatPay, token};
use crate::crypto::rsa::Hash;
use crate::crypto::step::{Pending, SignStep};
use crate::error::{Error, Result};
use crate::options::{given, read, required};

/// `{ appId, timeStamp, nonceStr, package, signType: "RSA", paySign }` — `wx.requestPayment` takes
/// all but `appId`; `WeixinJSBridge` takes all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestPayment {
    /// The app the buyer's openid belongs to.
    pub app_id: String,
    /// Seconds since the Unix epoch, as a string.
    pub time_stamp: String,
    /// The nonce signed.
    pub nonce_str: String,
    /// `prepay_id=…`.
    pub package: String,
    /// Always `RSA` (APIv3); not part of the signed text.
    pub sign_type: &'static str,
    /// Base64 SHA256withRSA of the four lines.
    pub pay_sign: String,
}

/// The App SDK's parameters (`PayReq`): `{ appid, partnerid, prepayid, package: "Sign=WXPay",
/// noncestr, timestamp, sign }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AppPayment {
    /// The mobile app's id.
    pub appid: String,
    /// The merchant id (a service provider's sub-merchant: `sub_mchid`).
    pub partnerid: String,
    /// The `prepay_id` of the App order, as is.
    pub prepayid: String,
    /// Always `Sign=WXPay`.
    pub package: &'static str,
    /// The nonce signed.
    pub noncestr: String,
    /// Seconds since the Unix epoch, as a string.
    pub timestamp: String,
    /// Base64 SHA256withRSA of `appid\ntimestamp\nnoncestr\nprepayid\n`.
    pub sign: String,
}

/// The message of a payment signature: each line ending with `\n`.
pub fn payment_message(lines: [&str; 4]) -> Vec<u8> {
    lines.iter().flat_map(|line| [line.as_bytes(), b"\n"]).flatten().copied().collect()
}

/// A `prepay_id`: 1 to 128 ASCII letters, digits, `_` and `-` (a line break would move the lines).
fn prepay_id(id: &str) -> Result<&str> {
    token(id, "prepayId", 128)
}

/// The signature of `wx.requestPayment` parameters for `prepay_id`, with the merchant key `key_id`,
/// for `app_id` (already checked).
pub(crate) fn request_payment(
    key_id: String,
    app_id: String,
    prepay: &str,
    stamp: &Stamp,
) -> Result<Pending<RequestPayment>> {
    let package = format!("prepay_id={}", prepay_id(prepay)?);
    let (timestamp, nonce) = stamp.read()?;
    let (time_stamp, nonce_str) = (timestamp.to_string(), nonce.to_owned());
    let message = payment_message([&app_id, &time_stamp, &nonce_str, &package]);
    Ok(Pending::signing(SignStep { key_id, hash: Hash::Sha256, message }, move |signature| {
        Ok(RequestPayment {
            app_id,
            time_stamp,
            nonce_str,
            package,
            sign_type: "RSA",
            pay_sign: STANDARD.encode(signature),
        })
    }))
}

impl WechatPay {
    /// `wx.requestPayment` / `getBrandWCPayRequest` parameters from `{ prepayId, appId? }`: `appId` is
    /// the app the buyer's openid belongs to (the configuration's when left out; a service provider's
    /// `sub_appid` when the order named a `sub_openid`).
    pub fn build_request_payment(&self, args: &Value, stamp: &Stamp) -> Result<Pending<RequestPayment>> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Args<'a> {
            prepay_id: Option<&'a str>,
            app_id: Option<&'a str>,
        }
        let (key_id, _) = self.signing_key()?;
        let a: Args = read(args, "WeChat Pay payment parameters")?;
        let app_id = self.payment_app_id(a.app_id)?;
        request_payment(key_id, app_id, required(a.prepay_id, "prepayId")?, stamp)
    }

    /// App SDK parameters from `{ prepayId, appId?, subMchid? }`: `partnerid` is this merchant's
    /// `mchid`, or a service provider's `subMchid`.
    pub fn build_app_payment(&self, args: &Value, stamp: &Stamp) -> Result<Pending<AppPayment>> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Args<'a> {
            prepay_id: Option<&'a str>,
            app_id: Option<&'a str>,
            sub_mchid: Option<&'a str>,
        }
        let (key_id, _) = self.signing_key()?;
        let a: Args = read(args, "WeChat Pay App payment parameters")?;
        let appid = self.payment_app_id(a.app_id)?;
        let partnerid = match (self.partner, given(a.sub_mchid)) {
            (true, Some(sub)) => token(sub, "subMchid", 32)?.to_owned(),
            (false, None) => self.mchid.clone(),
            (true, None) => return Err(Error::bad_input("App payment parameters: a service provider names subMchid")),
            (false, Some(_)) => {
                return Err(Error::bad_input(
                    "App payment parameters: subMchid is for service providers (config.partner)",
                ));
            }
        };
        let prepayid = prepay_id(required(a.prepay_id, "prepayId")?)?.to_owned();
        let (timestamp, nonce) = stamp.read()?;
        let (timestamp, noncestr) = (timestamp.to_string(), nonce.to_owned());
        let message = payment_message([&appid, &timestamp, &noncestr, &prepayid]);
        Ok(Pending::signing(SignStep { key_id, hash: Hash::Sha256, message }, move |signature| {
            Ok(AppPayment {
                appid,
                partnerid,
                prepayid,
                package: "Sign=WXPay",
                noncestr,
                timestamp,
                sign: STANDARD.encode(signature),
            })
        }))
    }

    pub(crate) fn payment_app_id(&self, app_id: Option<&str>) -> Result<String> {
        let app_id = given(app_id)
            .or(self.app_id.as_deref())
            .ok_or_else(|| Error::bad_input("payment parameters need appId (or appId in the config)"))?;
        Ok(token(app_id, "appId", 32)?.to_owned())
    }
}
