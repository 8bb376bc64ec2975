//! The wallet router for "one code, many wallets" (聚合支付): one printed URL, scanned in Alipay or
//! WeChat, pays in that wallet's mini program or H5 page.
//!
//! - [`Router::route`]: from a request (`User-Agent`, URL), the wallet, the kind of client and the
//!   code's own parameters (its path, and its query: store, table, …).
//! - [`Router::route_launch`]: the same from a mini program's launch options (Alipay
//!   `query.qrCode`, WeChat `query.q`).
//! - [`Router::authorize_url`]: the H5 authorization URL (Alipay `auth_base`, WeChat `snsapi_base`)
//!   with a signed, expiring `state` ([`state`]); [`Router::verify_state`] checks it on the way back.
//!
//! The code exchanges that follow are the providers' own: `Alipay::build_oauth_token` (`auth_code`),
//! `wechat::oauth::OfficialAccount` (`code`), `wechat::login::MiniProgram` (`wx.login`'s code).

pub mod authorize;
pub mod state;
pub mod wallet;

use serde_json::Value;

use self::state::{DEFAULT_TTL_SECONDS, StateKey, VerifiedState};
use self::wallet::{Client, Wallet};
use crate::alipay::mini_program;
use crate::codec::form;
use crate::codec::time::epoch_seconds;
use crate::error::{Error, Result};
use crate::limits::{Limits, LimitsConfig};
use crate::options::{given, read, required};
use crate::wechat::launch as wechat_launch;

/// The URL a buyer scanned, from a mini program's launch options (Alipay's `query.qrCode`,
/// WeChat's `query.q`). Serializes as `{ qrCode, params: { name: value }, scancodeTime? }`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LaunchQr {
    /// The full URL, decoded once where the wallet encoded it.
    pub qr_code: String,
    /// Its query parameters, decoded once, in order.
    #[serde(serialize_with = "string_map")]
    pub params: Vec<(String, String)>,
    /// WeChat's `scancode_time`: when the buyer scanned, in Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scancode_time: Option<u64>,
    /// The launch `scene` (WeChat: 1011 scanned, 1012 long-pressed, 1013 from the album), when the
    /// options give one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scene: Option<u32>,
}

/// The launch options' `scene`: a number, or a string of digits (Alipay gives it as text).
pub(crate) fn launch_scene(options: &Value) -> Result<Option<u32>> {
    let refused = || Error::bad_input("launch options scene must be a scene number");
    match options.get("scene") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_u64().and_then(|n| u32::try_from(n).ok()).map(Some).ok_or_else(refused),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) if s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().map(Some).map_err(|_| refused())
        }
        Some(_) => Err(refused()),
    }
}

fn string_map<S: serde::Serializer>(
    params: &[(String, String)],
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&crate::http::StringMap(params), serializer)
}

/// A routed request. Serializes as `{ wallet, client, path, params: { name: value } }`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Route {
    /// The wallet that can pay here.
    pub wallet: Wallet,
    /// The kind of client.
    pub client: Client,
    /// The URL's path as received (not percent-decoded), `/` when it has none.
    pub path: String,
    /// The URL's query parameters, each decoded once, in order.
    #[serde(serialize_with = "string_map")]
    pub params: Vec<(String, String)>,
}

/// A mini program opened by scanning the printed code. Serializes as
/// `{ wallet, path, qrCode, params, scancodeTime? }`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LaunchRoute {
    /// The wallet whose mini program was opened.
    pub wallet: Wallet,
    /// The printed URL's path (not percent-decoded).
    pub path: String,
    /// The printed URL, its query parameters (unique names) and, in WeChat, when it was scanned.
    #[serde(flatten)]
    pub scanned: LaunchQr,
}

/// A signed authorization: where to send the buyer, and the state it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// The wallet's authorization URL.
    pub url: String,
    /// The signed `state` in it.
    pub state: String,
}

/// The router: the merchant's state secret and the app ids of the H5 paths. `Debug` never shows
/// the secret.
#[derive(Debug)]
pub struct Router {
    key: StateKey,
    alipay_app_id: Option<String>,
    /// The Alipay app is one of Alipay's sandbox (its authorization page is the sandbox's).
    alipay_sandbox: bool,
    wechat_app_id: Option<String>,
    limits: Limits,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct AppConfig<'a> {
    app_id: Option<&'a str>,
    sandbox: Option<bool>,
}

impl Router {
    /// `{ stateSecret, stateTtlSeconds?, alipay?: { appId, sandbox? }, wechat?: { appId }, limits? }`
    /// (`alipay.sandbox`: the app is one of Alipay's sandbox).
    pub fn new(config: &Value) -> Result<Router> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Config<'a> {
            #[serde(borrow)]
            state_secret: Option<&'a str>,
            state_ttl_seconds: Option<f64>,
            #[serde(borrow)]
            alipay: Option<AppConfig<'a>>,
            #[serde(borrow)]
            wechat: Option<AppConfig<'a>>,
            limits: Option<LimitsConfig>,
        }
        let c: Config = read(config, "Router config")?;
        let ttl = match c.state_ttl_seconds {
            None => DEFAULT_TTL_SECONDS,
            Some(n) if n.fract() == 0.0 && n >= 1.0 && n <= state::MAX_TTL_SECONDS as f64 => n as u64,
            Some(_) => {
                return Err(Error::bad_input(format!(
                    "Router config.stateTtlSeconds must be a whole number from 1 to {}",
                    state::MAX_TTL_SECONDS
                )));
            }
        };
        let secret = required(c.state_secret, "Router config.stateSecret")?;
        let app_id = |app: &Option<AppConfig>, what: &str| -> Result<Option<String>> {
            match app {
                None => Ok(None),
                Some(a) => Ok(Some(required(a.app_id, what)?.to_owned())),
            }
        };
        if c.wechat.as_ref().is_some_and(|w| w.sandbox.is_some()) {
            return Err(Error::bad_input("Router config.wechat.sandbox: WeChat has no sandbox authorization page"));
        }
        Ok(Router {
            key: StateKey::new(secret.as_bytes(), ttl)?,
            alipay_app_id: app_id(&c.alipay, "Router config.alipay.appId")?,
            alipay_sandbox: c.alipay.as_ref().and_then(|a| a.sandbox).unwrap_or(false),
            wechat_app_id: app_id(&c.wechat, "Router config.wechat.appId")?,
            limits: Limits::from_config(c.limits)?,
        })
    }

    /// The input limits this router applies (`limits` in its configuration).
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// How long a state is valid, in seconds.
    pub fn state_ttl_seconds(&self) -> u64 {
        self.key.ttl_seconds()
    }

    /// Routes a request by its `User-Agent` (absent: `""`) and URL (absolute, or the path and query
    /// a server sees). Both are measured against `limits.maxInputBytes` first; the query is decoded
    /// once, and a name given twice is `ERR_BAD_INPUT`.
    pub fn route(&self, user_agent: &str, url: &str) -> Result<Route> {
        self.limits.check_input(user_agent.len(), "userAgent")?;
        self.limits.check_input(url.len(), "url")?;
        let client = wallet::detect(user_agent);
        let (path, params) = url_parts(url, &self.limits)?;
        Ok(Route { wallet: client.wallet(), client, path, params })
    }

    /// [`Router::route`] from `{ userAgent?, url }` (a missing `userAgent` is an empty one).
    pub fn route_request(&self, request: &Value) -> Result<Route> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Request<'a> {
            user_agent: Option<&'a str>,
            url: Option<&'a str>,
        }
        let r: Request = read(request, "route request")?;
        let url = r.url.ok_or_else(|| Error::bad_input("route request.url is required"))?;
        self.route(r.user_agent.unwrap_or(""), url)
    }

    /// Routes a mini program's launch options (`App.onLaunch`, `Page.onLoad`,
    /// `my.getLaunchOptionsSync()`, `wx.getEnterOptionsSync()`): Alipay's `query.qrCode`, or
    /// WeChat's `query.q` (URL-encoded by WeChat, decoded here once) with `scancode_time`.
    /// `Ok(None)` when the mini program was not opened by a scanned URL.
    pub fn route_launch(&self, options: &Value) -> Result<Option<LaunchRoute>> {
        if let Some(qr) = wechat_launch::launch_qr(options, &self.limits)? {
            let (path, _) = url_parts(&qr.qr_code, &self.limits)?;
            return Ok(Some(LaunchRoute { wallet: Wallet::Wechat, path, scanned: qr }));
        }
        let Some(mut qr) = mini_program::launch_qr(options)? else { return Ok(None) };
        // Alipay's own reading keeps a repeated name; the router refuses one, as for any URL.
        let (path, params) = url_parts(&qr.qr_code, &self.limits)?;
        qr.params = params;
        Ok(Some(LaunchRoute { wallet: Wallet::Alipay, path, scanned: qr }))
    }

    /// `{ wallet, redirectUri, bind?, now?, nonce? }`: the authorization URL and its signed state.
    /// `bind` (default empty) is what the state is bound to — the buyer's session id, or the code's
    /// own parameters — and must be given again to [`Router::verify_state`]. `now` (milliseconds,
    /// default the host's clock) and `nonce` (16 characters of `[A-Za-z0-9]`, default random) are
    /// for tests.
    pub fn authorize_url(&self, args: &Value, now_ms: f64, nonce: &str) -> Result<Authorization> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Args<'a> {
            wallet: Option<&'a str>,
            redirect_uri: Option<&'a str>,
            bind: Option<&'a str>,
            now: Option<f64>,
            nonce: Option<&'a str>,
        }
        let a: Args = read(args, "authorizeUrl arguments")?;
        let wallet = wallet_arg(required(a.wallet, "authorizeUrl arguments.wallet")?)?;
        let redirect_uri = required(a.redirect_uri, "authorizeUrl arguments.redirectUri")?;
        let app_id = match wallet {
            Wallet::Alipay => self.alipay_app_id.as_deref().ok_or_else(|| {
                Error::bad_input("authorizeUrl: this router has no alipay.appId (Router config.alipay)")
            })?,
            Wallet::Wechat => self.wechat_app_id.as_deref().ok_or_else(|| {
                Error::bad_input("authorizeUrl: this router has no wechat.appId (Router config.wechat)")
            })?,
            Wallet::Other => return Err(Error::bad_input("authorizeUrl: wallet must be alipay or wechat")),
        };
        let now = epoch_seconds(a.now.unwrap_or(now_ms))?;
        let state = self.key.issue(wallet, now, given(a.nonce).unwrap_or(nonce), a.bind.unwrap_or(""))?;
        let url = authorize::authorize_url(wallet, app_id, redirect_uri, &state, self.alipay_sandbox)?;
        Ok(Authorization { url, state })
    }

    /// Checks a `state` that came back with a redirect: `{ wallet?, bind?, now? }` (the wallet
    /// expected, the binding given to [`Router::authorize_url`], `now` in milliseconds).
    /// `ERR_STATE_INVALID` when it is not one this router issued for them; `ERR_STATE_EXPIRED` when
    /// it is older than `stateTtlSeconds`.
    pub fn verify_state(&self, state: &str, options: &Value, now_ms: f64) -> Result<VerifiedState> {
        #[derive(serde::Deserialize, Default)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Options<'a> {
            wallet: Option<&'a str>,
            bind: Option<&'a str>,
            now: Option<f64>,
        }
        let o: Options = if options.is_null() { Options::default() } else { read(options, "verifyState options")? };
        let expected = given(o.wallet).map(wallet_arg).transpose()?;
        let now = epoch_seconds(o.now.unwrap_or(now_ms))?;
        self.key.verify(state, expected, o.bind.unwrap_or(""), now)
    }
}

/// A verified authorization callback: the wallet, its one-time code, and the code's own URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callback {
    /// The wallet that authorized the buyer (the one the state was issued for).
    pub wallet: Wallet,
    /// The one-time code to exchange: Alipay's `auth_code` (`alipay.system.oauth.token`), WeChat's
    /// `code` (`sns/oauth2/access_token`).
    pub code: String,
    /// The URL's path as received.
    pub path: String,
    /// The code's own query parameters: the URL's, without what the wallet added (`code` /
    /// `auth_code`, `state`; Alipay's `app_id`, `scope`, `source`).
    pub params: Vec<(String, String)>,
    /// When the state was issued, Unix seconds.
    pub issued_at: u64,
}

/// What each wallet adds to `redirect_uri` on the way back.
const ADDED_ON_RETURN: &[&str] = &["state", "code", "auth_code", "app_id", "scope", "source"];

impl Router {
    /// The wallet's redirect back to `redirect_uri`, in one call: `{ url, bind?, wallet?, now? }` →
    /// the state checked (as [`Router::verify_state`] does, with `bind`), then the wallet's code
    /// and the code's own parameters. A redirect without a state is `ERR_STATE_INVALID`; one without
    /// the wallet's code, `ERR_BAD_INPUT`.
    pub fn verify_callback(&self, args: &Value, now_ms: f64) -> Result<Callback> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Args<'a> {
            url: Option<&'a str>,
            bind: Option<&'a str>,
            wallet: Option<&'a str>,
            now: Option<f64>,
        }
        let a: Args = read(args, "verifyCallback arguments")?;
        let (path, params) = url_parts(required(a.url, "verifyCallback arguments.url")?, &self.limits)?;
        let get =
            |name: &str| params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty());
        let state = get("state").ok_or_else(|| {
            Error::new(
                crate::error::ErrorCode::StateInvalid,
                "the redirect carries no state: it was not issued by this router",
            )
        })?;
        let expected = given(a.wallet).map(wallet_arg).transpose()?;
        let now = epoch_seconds(a.now.unwrap_or(now_ms))?;
        let verified = self.key.verify(state, expected, a.bind.unwrap_or(""), now)?;
        let code_name = match verified.wallet {
            Wallet::Alipay => "auth_code",
            _ => "code",
        };
        let code = get(code_name)
            .ok_or_else(|| {
                Error::bad_input(format!("the redirect carries no {code_name}: the buyer did not authorize"))
            })?
            .to_owned();
        let params = params.into_iter().filter(|(name, _)| !ADDED_ON_RETURN.contains(&name.as_str())).collect();
        Ok(Callback { wallet: verified.wallet, code, path, params, issued_at: verified.issued_at })
    }
}

fn wallet_arg(name: &str) -> Result<Wallet> {
    match Wallet::from_name(name) {
        Some(w @ (Wallet::Alipay | Wallet::Wechat)) => Ok(w),
        _ => Err(Error::bad_input("wallet must be \"alipay\" or \"wechat\"")),
    }
}

/// The path (as received, `/` when empty) and the query parameters (decoded once, unique names,
/// UTF-8) of an absolute URL or of a request target (`/q/STORE42?table=7`). The fragment is ignored.
pub fn url_parts(url: &str, limits: &Limits) -> Result<(String, Vec<(String, String)>)> {
    limits.check_input(url.len(), "url")?;
    let url = url.split_once('#').map_or(url, |(before, _)| before);
    let (target, query) = url.split_once('?').unwrap_or((url, ""));
    let lower = target.get(..8).unwrap_or(target).to_ascii_lowercase();
    let after_scheme = if lower.starts_with("https://") {
        Some(&target[8..])
    } else if lower.starts_with("http://") {
        Some(&target[7..])
    } else {
        None
    };
    let path = match after_scheme {
        Some(rest) => rest.find('/').map_or("", |at| &rest[at..]),
        None => target,
    };
    let path = if path.is_empty() { "/" } else { path };
    let params = form::decode_unique(query.as_bytes(), limits)?
        .into_utf8()
        .ok_or_else(|| Error::bad_input("the URL's query is not UTF-8 once decoded"))?
        .iter()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
    Ok((path.to_owned(), params))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use serde_json::json;

    fn router() -> Router {
        Router::new(&json!({
            "stateSecret": "0123456789abcdef0123456789abcdef",
            "alipay": { "appId": "2021000122650399" },
            "wechat": { "appId": "wx520c15f417810387" },
        }))
        .unwrap()
    }

    #[test]
    fn url_parts_of_paths_and_absolute_urls() {
        let l = Limits::default();
        let p = |u: &str| url_parts(u, &l).unwrap();
        assert_eq!(p("/q/STORE42?table=7"), ("/q/STORE42".into(), vec![("table".into(), "7".into())]));
        assert_eq!(
            p("https://pay.example.com/q/S%2042?table=A%207&x#frag"),
            ("/q/S%2042".into(), vec![("table".into(), "A 7".into()), ("x".into(), "".into())])
        );
        assert_eq!(p("HTTPS://pay.example.com"), ("/".into(), vec![]));
        assert_eq!(p("http://pay.example.com?t=1").1, vec![("t".into(), "1".into())]);
        assert_eq!(url_parts("/q?a=1&a=2", &l).unwrap_err().code(), ErrorCode::BadInput);
        assert_eq!(url_parts("/q?a=%zz", &l).unwrap_err().code(), ErrorCode::BadInput);
        assert_eq!(url_parts("/q?a=%ff", &l).unwrap_err().code(), ErrorCode::BadInput);
        let small = Limits { max_input_bytes: 8, ..Limits::default() };
        assert_eq!(url_parts("/q?table=7", &small).unwrap_err().code(), ErrorCode::InputTooLarge);
        let few = Limits { max_fields: 2, ..Limits::default() };
        assert_eq!(url_parts("/q?a&b&c", &few).unwrap_err().code(), ErrorCode::TooManyFields);
    }

    #[test]
    fn route_and_launch() {
        let r = router();
        let routed = r.route("Mozilla/5.0 AlipayClient/10.2.0", "/q/STORE42?table=7").unwrap();
        assert_eq!(
            (routed.wallet, routed.client, routed.path.as_str()),
            (Wallet::Alipay, Client::AlipayApp, "/q/STORE42")
        );
        let wx = json!({ "query": { "q": "https%3A%2F%2Fpay.example.com%2Fq%2FSTORE42%3Ftable%3D7", "scancode_time": "1615973269" }, "scene": 1011 });
        let l = r.route_launch(&wx).unwrap().unwrap();
        assert_eq!(l.wallet, Wallet::Wechat);
        assert_eq!(
            (l.scanned.qr_code.as_str(), l.path.as_str()),
            ("https://pay.example.com/q/STORE42?table=7", "/q/STORE42")
        );
        assert_eq!(
            (l.scanned.params, l.scanned.scancode_time),
            (vec![("table".into(), "7".into())], Some(1_615_973_269))
        );
        let ali = json!({ "query": { "qrCode": "https://pay.example.com/q/STORE42?table=7" } });
        let l = r.route_launch(&ali).unwrap().unwrap();
        assert_eq!((l.wallet, l.path.as_str(), l.scanned.scancode_time), (Wallet::Alipay, "/q/STORE42", None));
        assert_eq!(r.route_launch(&json!({ "query": {} })).unwrap(), None);
    }

    #[test]
    fn authorize_and_verify() {
        let r = router();
        let a = r
            .authorize_url(&json!({ "wallet": "wechat", "redirectUri": "https://pay.example.com/q/STORE42?table=7", "bind": "sess-1" }), 1_700_000_000_999.0, "AbCdEf0123456789")
            .unwrap();
        assert!(a.url.starts_with("https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx520c15f417810387&redirect_uri=https%3A%2F%2Fpay.example.com%2Fq%2FSTORE42%3Ftable%3D7&response_type=code&scope=snsapi_base&state=w1700000000AbCdEf0123456789"));
        assert!(a.url.ends_with(&format!("&state={}#wechat_redirect", a.state)));
        let ok =
            r.verify_state(&a.state, &json!({ "bind": "sess-1", "wallet": "wechat" }), 1_700_000_100_000.0).unwrap();
        assert_eq!(ok.issued_at, 1_700_000_000);
        assert_eq!(
            r.verify_state(&a.state, &json!({ "bind": "sess-2" }), 1_700_000_100_000.0).unwrap_err().code(),
            ErrorCode::StateInvalid
        );
        assert_eq!(
            r.verify_state(&a.state, &json!({ "bind": "sess-1", "now": 1_700_000_601_000.0 }), 0.0).unwrap_err().code(),
            ErrorCode::StateExpired
        );
        assert_eq!(
            r.verify_state(&a.state, &json!({ "bind": "sess-1", "wallet": "alipay" }), 1_700_000_100_000.0)
                .unwrap_err()
                .code(),
            ErrorCode::StateInvalid
        );
        assert_eq!(r.verify_state(&a.state, &json!({ "binding": "x" }), 0.0).unwrap_err().code(), ErrorCode::BadInput);
        let no_alipay = Router::new(&json!({ "stateSecret": "0123456789abcdef0123456789abcdef" })).unwrap();
        assert!(
            no_alipay
                .authorize_url(&json!({ "wallet": "alipay", "redirectUri": "https://x" }), 0.0, "AbCdEf0123456789")
                .is_err()
        );
        assert!(
            r.authorize_url(&json!({ "wallet": "other", "redirectUri": "https://x" }), 0.0, "AbCdEf0123456789")
                .is_err()
        );
        assert!(
            r.authorize_url(
                &json!({ "wallet": "alipay", "redirectUri": "https://x", "now": -1 }),
                0.0,
                "AbCdEf0123456789"
            )
            .is_err()
        );
    }

    #[test]
    fn config_is_checked_and_the_secret_never_shown() {
        assert!(format!("{:?}", router()).find("0123456789abcdef").is_none());
        for bad in [
            json!({}),
            json!({ "stateSecret": "short" }),
            json!({ "stateSecret": "0123456789abcdef0123456789abcdef", "stateTtlSeconds": 0 }),
            json!({ "stateSecret": "0123456789abcdef0123456789abcdef", "stateTtlSeconds": 1.5 }),
            json!({ "stateSecret": "0123456789abcdef0123456789abcdef", "alipay": {} }),
            json!({ "stateSecret": "0123456789abcdef0123456789abcdef", "wechat": { "appid": "x" } }),
            json!({ "state_secret": "0123456789abcdef0123456789abcdef" }),
        ] {
            let e = Router::new(&bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::BadInput, "{bad}");
            assert!(!e.message().contains("0123456789abcdef"));
        }
    }
}
