//! Official-account web authorization (网页授权), the WeChat H5 path: after the buyer comes back
//! from `snsapi_base` authorization (see `crate::router`) with a `code`, the merchant server
//! exchanges it with `sns/oauth2/access_token` for the buyer's `openid` — what JSAPI payments need.
//! The app secret belongs on the server only.

use serde_json::Value;

use super::App;
use super::PROVIDER;
use super::login::checked_reply;
use crate::error::{Error, Result};
use crate::http::HttpRequest;
use crate::limits::Limits;

/// An official account's credentials (公众号 AppID and AppSecret). `Debug` never shows the secret.
#[derive(Debug)]
pub struct OfficialAccount {
    app: App,
}

/// A successful `sns/oauth2/access_token`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OauthToken {
    /// The web-authorization access token (not the account's basic `access_token`).
    pub access_token: String,
    /// Its lifetime in seconds (7200).
    pub expires_in: u64,
    /// The token that renews it (30 days).
    pub refresh_token: String,
    /// The buyer's id in this official account: the `openid` of a JSAPI payment.
    pub openid: String,
    /// The scopes granted (`snsapi_base`).
    pub scope: String,
    /// `is_snapshotuser` = 1: the buyer is on a Moments snapshot page (朋友圈快照页) and the
    /// openid is a virtual one — ask them to open the full page before paying.
    pub is_snapshot_user: bool,
    /// The buyer's id across the developer's apps, when bound to an Open Platform account.
    pub unionid: Option<String>,
}

impl OfficialAccount {
    /// `{ appId, appSecret, apiBase?, limits? }`
    pub fn new(config: &Value) -> Result<OfficialAccount> {
        Ok(OfficialAccount { app: App::new(config, "WechatOfficialAccount")? })
    }

    /// The input limits this client applies (`limits` in its configuration).
    pub fn limits(&self) -> &Limits {
        self.app.limits()
    }

    /// The official account's AppID.
    pub fn app_id(&self) -> &str {
        self.app.app_id()
    }

    /// `GET /sns/oauth2/access_token?appid=…&secret=…&code=…&grant_type=authorization_code`.
    pub fn build_oauth_access_token(&self, code: &str) -> Result<HttpRequest> {
        if code.is_empty() {
            return Err(Error::bad_input("code is empty (it comes back with the snsapi_base redirect)"));
        }
        Ok(self.app.code_exchange("/sns/oauth2/access_token", "code", code))
    }
}

/// Parses the reply; errcodes map as `jscode2session`'s do (40029 `ERR_LOGIN_CODE_INVALID`, 40163
/// `ERR_LOGIN_CODE_USED`, 45011 `ERR_RATE_LIMITED`, -1 `ERR_PROVIDER_BUSY`, 40226
/// `ERR_USER_HIGH_RISK`, others `ERR_PROVIDER_REJECTED`); a reply without `openid` or
/// `access_token` is `ERR_RESPONSE_MALFORMED`.
pub fn parse_oauth_access_token(raw: &str, limits: &Limits) -> Result<OauthToken> {
    let what = "sns/oauth2/access_token";
    let reply = checked_reply(raw, limits, what)?;
    let text = |k: &str| reply.get(k).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
    let missing = |k: &str| Error::malformed(format!("{what} reply has no {k}")).with_provider(PROVIDER);
    let is_snapshot_user = match reply.get("is_snapshotuser") {
        None | Some(Value::Null) => false,
        Some(v) => match v.as_i64() {
            Some(n) => n == 1,
            None => {
                return Err(Error::malformed(format!("{what} is_snapshotuser is not a number")).with_provider(PROVIDER));
            }
        },
    };
    Ok(OauthToken {
        access_token: text("access_token").ok_or_else(|| missing("access_token"))?,
        expires_in: reply.get("expires_in").and_then(Value::as_u64).unwrap_or(0),
        refresh_token: text("refresh_token").unwrap_or_default(),
        openid: text("openid").ok_or_else(|| missing("openid"))?,
        scope: text("scope").unwrap_or_default(),
        is_snapshot_user,
        unionid: text("unionid"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn documented_reply_and_errcodes() {
        // The reply WeChat documents (网页授权, step two), with is_snapshotuser and unionid.
        let raw = r#"{"access_token":"ACCESS_TOKEN","expires_in":7200,"refresh_token":"REFRESH_TOKEN","openid":"OPENID","scope":"snsapi_base","is_snapshotuser":1,"unionid":"o6_bmasdasdsad6_2sgVt7hMZOPfL"}"#;
        let t = parse_oauth_access_token(raw, &Limits::default()).unwrap();
        assert_eq!(
            t,
            OauthToken {
                access_token: "ACCESS_TOKEN".into(),
                expires_in: 7200,
                refresh_token: "REFRESH_TOKEN".into(),
                openid: "OPENID".into(),
                scope: "snsapi_base".into(),
                is_snapshot_user: true,
                unionid: Some("o6_bmasdasdsad6_2sgVt7hMZOPfL".into()),
            }
        );
        let plain = parse_oauth_access_token(
            r#"{"access_token":"a","expires_in":7200,"refresh_token":"r","openid":"o","scope":"snsapi_base"}"#,
            &Limits::default(),
        )
        .unwrap();
        assert_eq!((plain.is_snapshot_user, plain.unionid), (false, None));
        for (errcode, code) in [
            (40029, ErrorCode::LoginCodeInvalid),
            (40163, ErrorCode::LoginCodeUsed),
            (45011, ErrorCode::RateLimited),
            (-1, ErrorCode::ProviderBusy),
            (40226, ErrorCode::UserHighRisk),
            (40125, ErrorCode::ProviderRejected),
        ] {
            let e = parse_oauth_access_token(
                &format!(r#"{{"errcode":{errcode},"errmsg":"invalid code"}}"#),
                &Limits::default(),
            )
            .unwrap_err();
            assert_eq!((e.code(), e.provider()), (code, Some("wechat")));
            assert_eq!(e.detail().unwrap().code.as_deref(), Some(errcode.to_string().as_str()));
        }
        for bad in [
            "{",
            "[]",
            r#"{"openid":"o"}"#,
            r#"{"access_token":"a"}"#,
            r#"{"errcode":"x"}"#,
            r#"{"access_token":"a","openid":"o","is_snapshotuser":"1"}"#,
        ] {
            assert_eq!(
                parse_oauth_access_token(bad, &Limits::default()).unwrap_err().code(),
                ErrorCode::ResponseMalformed,
                "{bad}"
            );
        }
        let small = Limits { max_input_bytes: 8, ..Limits::default() };
        assert_eq!(parse_oauth_access_token(raw, &small).unwrap_err().code(), ErrorCode::InputTooLarge);
    }

    #[test]
    fn request_and_secret() {
        let oa = OfficialAccount::new(&serde_json::json!({"appId": "wx1", "appSecret": "s3cr3t-value"})).unwrap();
        assert!(!format!("{oa:?}").contains("s3cr3t"));
        let req = oa.build_oauth_access_token("CODE 1").unwrap();
        assert_eq!(req.method, "GET");
        assert_eq!(
            req.url,
            "https://api.weixin.qq.com/sns/oauth2/access_token?appid=wx1&secret=s3cr3t-value&code=CODE+1&grant_type=authorization_code"
        );
        assert!(oa.build_oauth_access_token("").is_err());
        assert!(OfficialAccount::new(&serde_json::json!({"appId": "wx1"})).is_err());
        assert!(
            OfficialAccount::new(&serde_json::json!({"appId": "wx1", "appSecret": "s", "apiBase": "ftp://x"})).is_err()
        );
    }
}
