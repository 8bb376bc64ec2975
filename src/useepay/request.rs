//! Requests: the common envelope (`version`, `merchantNo`, `transactionType`, `signType`), typed
//! builders for the WeChat HK JSAPI payment, query and refund, and a generic builder for the rest.

use serde_json::{Map, Value, json};

use super::UseePay;
use crate::codec::form;
use crate::crypto::step::Pending;
use crate::error::{Error, Result};
use crate::http::HttpRequest;
use crate::money::Money;
use crate::options::{given, read, required};

impl UseePay {
    /// Any transaction type on the envelope. `fields` values: strings as they are; objects and arrays
    /// (`payerInfo`, `orderInfo`, `userInfo`) as compact JSON text — the exact string sent is signed;
    /// `amount` as `{ minor, currency }` (fills `currency` too). `path` is `/api` or `/cashier`.
    pub fn build_request(&self, transaction_type: &str, fields: &Value, path: &str) -> Result<Pending<HttpRequest>> {
        if !matches!(path, "/api" | "/cashier") {
            return Err(Error::bad_input("UseePay path must be /api or /cashier"));
        }
        let fields = fields.as_object().ok_or_else(|| Error::bad_input("UseePay fields must be an object"))?;
        let mut out: Vec<(String, String)> = vec![
            ("version".into(), "1.0".into()),
            ("merchantNo".into(), self.merchant_no.clone()),
            ("transactionType".into(), transaction_type.into()),
            ("signType".into(), self.sign_type().into()),
        ];
        for (name, value) in fields {
            if out.iter().any(|(k, _)| k == name) || name == "sign" {
                return Err(Error::bad_input(format!("UseePay field {name} is set by aggpay")));
            }
            match (name.as_str(), value) {
                (_, Value::Null) => {}
                ("amount", Value::Object(_)) => {
                    let money = Money::from_json(value, "amount")?;
                    match fields.get("currency").and_then(Value::as_str) {
                        None => out.push(("currency".into(), money.currency().into())),
                        Some(c) if c.eq_ignore_ascii_case(money.currency()) => {}
                        Some(c) => {
                            return Err(Error::bad_input(format!(
                                "amount is in {} but currency says {c}",
                                money.currency()
                            )));
                        }
                    }
                    out.push(("amount".into(), money.to_minor_string()));
                }
                ("amount", Value::String(s)) if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) => {
                    return Err(Error::bad_input("amount: a string amount must be integer minor units (digits only)"));
                }
                ("amount", Value::Number(_) | Value::Bool(_) | Value::Array(_)) => {
                    return Err(Error::bad_input(
                        "amount: give { minor, currency } (integer minor units), never a float",
                    ));
                }
                (_, Value::String(s)) => out.push((name.clone(), s.clone())),
                (_, Value::Object(_) | Value::Array(_)) => out.push((name.clone(), value.to_string())),
                (_, Value::Number(n)) if n.is_u64() || n.is_i64() => out.push((name.clone(), n.to_string())),
                (_, Value::Bool(b)) => out.push((name.clone(), b.to_string())),
                (_, _) => {
                    return Err(Error::bad_input(format!("UseePay field {name}: floating-point numbers are not sent")));
                }
            }
        }
        if let Some(url) = self.notify_url.as_ref().filter(|_| !out.iter().any(|(k, _)| k == "notifyUrl")) {
            out.push(("notifyUrl".into(), url.clone()));
        }
        let url = format!("{}{path}", self.gateway);
        Ok(self.sign(&out)?.map(move |sign| {
            out.push(("sign".into(), sign));
            Ok(HttpRequest {
                method: "POST",
                url,
                headers: vec![("content-type".into(), "application/x-www-form-urlencoded;charset=utf-8".into())],
                body: Some(form::encode(out.iter().map(|(k, v)| (k.as_str(), v.as_str())))),
            })
        }))
    }

    /// The WeChat Pay HK JSAPI payment for a mini program: `{ transactionId, amount, subAppId,
    /// subOpenId, subject, notifyUrl?, echoParam?, expirationMinutes? (1–20) }`.
    pub fn build_jsapi_pay(&self, args: &Value) -> Result<Pending<HttpRequest>> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Args<'a> {
            transaction_id: Option<&'a str>,
            amount: Option<Value>,
            sub_app_id: Option<&'a str>,
            sub_open_id: Option<&'a str>,
            subject: Option<&'a str>,
            notify_url: Option<&'a str>,
            echo_param: Option<&'a str>,
            expiration_minutes: Option<f64>,
        }
        let a: Args = read(args, "JSAPI payment")?;
        let amount = Money::from_json(a.amount.as_ref().unwrap_or(&Value::Null), "amount")?;
        let mut fields = Map::new();
        fields.insert("transactionId".into(), required(a.transaction_id, "JSAPI payment.transactionId")?.into());
        if let Some(minutes) = a.expiration_minutes {
            if !(1.0..=20.0).contains(&minutes) || minutes.fract() != 0.0 {
                return Err(Error::bad_input("expirationMinutes must be a whole number from 1 to 20 for JSAPI"));
            }
            fields.insert("transactionExpirationTime".into(), (minutes as u32).to_string().into());
        }
        fields.insert("appId".into(), self.app_id.clone().into());
        fields.insert("amount".into(), amount.to_minor_string().into());
        fields.insert("currency".into(), amount.currency().into());
        let notify = given(a.notify_url).map(str::to_owned).or_else(|| self.notify_url.clone());
        fields.insert(
            "notifyUrl".into(),
            notify.ok_or_else(|| Error::bad_input("notifyUrl is required (per call or in the config)"))?.into(),
        );
        if let Some(echo) = given(a.echo_param) {
            fields.insert("echoParam".into(), echo.into());
        }
        let payer = json!({
            "paymentMethod": "wechat_jsapi",
            "sub_appid": required(a.sub_app_id, "JSAPI payment.subAppId")?,
            "sub_openid": required(a.sub_open_id, "JSAPI payment.subOpenId")?,
        });
        fields.insert("payerInfo".into(), payer.to_string().into());
        fields.insert(
            "orderInfo".into(),
            json!({ "subject": required(a.subject, "JSAPI payment.subject")? }).to_string().into(),
        );
        self.build_request("pay", &Value::Object(fields), "/api")
    }

    /// Query by `{ transactionId }` (yours) or `{ reference }` (UseePay's).
    pub fn build_query(&self, args: &Value) -> Result<Pending<HttpRequest>> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Args<'a> {
            transaction_id: Option<&'a str>,
            reference: Option<&'a str>,
        }
        let a: Args = read(args, "query")?;
        let mut fields = Map::new();
        match (given(a.transaction_id), given(a.reference)) {
            (Some(id), None) => fields.insert("transactionId".into(), id.into()),
            (None, Some(reference)) => fields.insert("reference".into(), reference.into()),
            _ => return Err(Error::bad_input("query: give exactly one of transactionId or reference")),
        };
        self.build_request("query", &Value::Object(fields), "/api")
    }

    /// Refund: `{ transactionId (a new, unique refund id), originalTransactionId, amount, notifyUrl? }`.
    pub fn build_refund(&self, args: &Value) -> Result<Pending<HttpRequest>> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Args<'a> {
            transaction_id: Option<&'a str>,
            original_transaction_id: Option<&'a str>,
            amount: Option<Value>,
            notify_url: Option<&'a str>,
            echo_param: Option<&'a str>,
        }
        let a: Args = read(args, "refund")?;
        let amount = Money::from_json(a.amount.as_ref().unwrap_or(&Value::Null), "amount")?;
        if amount.minor() == 0 {
            return Err(Error::bad_input("refund amount must be greater than zero"));
        }
        let mut fields = Map::new();
        fields.insert("transactionId".into(), required(a.transaction_id, "refund.transactionId")?.into());
        fields.insert(
            "originalTransactionId".into(),
            required(a.original_transaction_id, "refund.originalTransactionId")?.into(),
        );
        fields.insert("amount".into(), amount.to_minor_string().into());
        fields.insert("currency".into(), amount.currency().into());
        for (field, value) in [("notifyUrl", a.notify_url), ("echoParam", a.echo_param)] {
            if let Some(v) = given(value) {
                fields.insert(field.into(), v.into());
            }
        }
        self.build_request("refund", &Value::Object(fields), "/api")
    }
}
