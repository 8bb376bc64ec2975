//! Bills (对账单): the trade and fund-flow bill requests answer, signed, with a `download_url` and
//! the file's digest; the download itself is signed on the way out but its reply is not — the file
//! is checked against the digest of the verified reply instead.

use serde_json::Value;

use super::request::{Method, Stamp};
use super::{PROVIDER, WechatPay, token};
use crate::codec::json_node::check_within;
use crate::crypto::digest::{constant_time_eq, hex_lower, sha1};
use crate::crypto::step::Pending;
use crate::error::{Error, Result};
use crate::http::HttpRequest;
use crate::options::{given, read, required};

/// The bills WeChat Pay prepares each day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Bill {
    /// `GET /v3/bill/tradebill`: the day's trades (`billType`: `ALL`, `SUCCESS`, `REFUND`).
    Trade,
    /// `GET /v3/bill/fundflowbill`: the day's fund flows (`accountType`: `BASIC`, `OPERATION`, `FEES`).
    FundFlow,
}

impl WechatPay {
    /// The bill request from `{ billDate: 'YYYY-MM-DD', billType?, accountType?, tarType?, subMchid? }`
    /// (`billType` for the trade bill, `accountType` for the fund-flow bill; `tarType: 'GZIP'`
    /// compresses; a service provider's trade bill may name `subMchid`).
    pub fn build_bill_request(&self, bill: Bill, args: &Value, stamp: &Stamp) -> Result<Pending<HttpRequest>> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Args<'a> {
            bill_date: Option<&'a str>,
            bill_type: Option<&'a str>,
            account_type: Option<&'a str>,
            tar_type: Option<&'a str>,
            sub_mchid: Option<&'a str>,
        }
        self.signing_key()?;
        self.mainland("bill")?;
        let a: Args = read(args, "WeChat Pay bill request")?;
        let date = required(a.bill_date, "billDate")?;
        let digits =
            |range: std::ops::Range<usize>| date.get(range).is_some_and(|s| s.bytes().all(|b| b.is_ascii_digit()));
        if date.len() != 10
            || !digits(0..4)
            || !digits(5..7)
            || !digits(8..10)
            || &date[4..5] != "-"
            || &date[7..8] != "-"
        {
            return Err(Error::bad_input("billDate must be YYYY-MM-DD"));
        }
        let (path, kind, other) = match bill {
            Bill::Trade => {
                ("/v3/bill/tradebill", given(a.bill_type).map(|v| ("bill_type", v, "billType")), a.account_type)
            }
            Bill::FundFlow => (
                "/v3/bill/fundflowbill",
                given(a.account_type).map(|v| ("account_type", v, "accountType")),
                a.bill_type,
            ),
        };
        if given(other).is_some() {
            return Err(Error::bad_input("billType is for the trade bill, accountType for the fund-flow bill"));
        }
        let mut query = format!("{path}?bill_date={date}");
        if let Some((name, value, option)) = kind {
            query.push_str(&format!("&{name}={}", token(value, option, 32)?));
        }
        if let Some(sub) = given(a.sub_mchid) {
            if !self.partner || bill != Bill::Trade {
                return Err(Error::bad_input("subMchid is for a service provider's trade bill"));
            }
            query.push_str(&format!("&sub_mchid={}", token(sub, "subMchid", 32)?));
        }
        if let Some(tar) = given(a.tar_type) {
            query.push_str(&format!("&tar_type={}", token(tar, "tarType", 16)?));
        }
        self.signed_request(Method::Get, query, None, None, stamp)
    }

    /// The signed download of a bill: `download_url` from the verified bill reply, on this client's
    /// host (the signature is not sent anywhere else).
    pub fn build_bill_download(&self, download_url: &str, stamp: &Stamp) -> Result<Pending<HttpRequest>> {
        self.signing_key()?;
        let path = download_url.strip_prefix(self.base_url.as_str()).filter(|path| path.starts_with('/')).ok_or_else(
            || Error::bad_input(format!("the bill download_url is not on {}", self.base_url)).with_provider(PROVIDER),
        )?;
        self.signed_request(Method::Get, path.to_owned(), None, None, stamp)
    }

    /// Checks a downloaded bill `file` (the bytes as received, still compressed when `tarType` was
    /// given) against the digest of the verified bill reply (`{ hash_type, hash_value, download_url }`,
    /// as [`verify_response`](Self::verify_response) returned it): `ERR_SIGNATURE_INVALID` when they
    /// differ. The file is only hashed, never copied.
    pub fn check_bill(&self, verified_reply: &str, file: &[u8]) -> Result<()> {
        check_within(verified_reply, &self.limits).map_err(|e| e.with_provider(PROVIDER))?;
        let reply: Value = serde_json::from_str(verified_reply)
            .map_err(|_| Error::malformed("the bill reply is not JSON").with_provider(PROVIDER))?;
        let field = |name: &str| reply.get(name).and_then(Value::as_str);
        let expected = match (field("hash_type"), field("hash_value")) {
            (Some(kind), Some(value)) if kind.eq_ignore_ascii_case("SHA1") => value.to_ascii_lowercase(),
            (Some(_), Some(_)) => {
                return Err(
                    Error::bad_input("the bill reply names a hash_type other than SHA1").with_provider(PROVIDER)
                );
            }
            _ => return Err(Error::malformed("the bill reply has no hash_type and hash_value").with_provider(PROVIDER)),
        };
        if constant_time_eq(hex_lower(&sha1(file)).as_bytes(), expected.as_bytes()) {
            Ok(())
        } else {
            Err(Error::signature_invalid("the downloaded bill does not match the hash_value of the bill reply")
                .with_provider(PROVIDER))
        }
    }
}
