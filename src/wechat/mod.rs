//! WeChat: mini-program login (`jscode2session`, `encryptedData`), the scanned URL of a mini
//! program's launch options (`launch`), official-account web authorization (`oauth`) and WeChat Pay
//! APIv3 (`pay`).

pub mod launch;
pub mod login;
pub mod oauth;
pub mod pay;

use serde_json::Value;
use zeroize::Zeroizing;

use crate::codec::form;
use crate::error::{Error, Result};
use crate::http::HttpRequest;
use crate::limits::{Limits, LimitsConfig};
use crate::options::{given, read, required};

/// The provider name errors carry (`AggpayError.provider`).
pub const PROVIDER: &str = "wechat";

/// The WeChat API host.
pub const API_BASE: &str = "https://api.weixin.qq.com";

/// A WeChat app's credentials — a mini program's or an official account's AppID and AppSecret —
/// with the API host and input limits, from `{ appId, appSecret, apiBase?, limits? }`. `Debug`
/// never shows the secret.
pub(crate) struct App {
    app_id: String,
    app_secret: Zeroizing<String>,
    api_base: String,
    limits: Limits,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("app_id", &self.app_id).finish_non_exhaustive()
    }
}

impl App {
    /// Reads `config`; `what` names the class in errors (`WechatMiniProgram`, …).
    pub(crate) fn new(config: &Value, what: &str) -> Result<App> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Config<'a> {
            app_id: Option<&'a str>,
            app_secret: Option<&'a str>,
            api_base: Option<&'a str>,
            limits: Option<LimitsConfig>,
        }
        let c: Config = read(config, &format!("{what} config"))?;
        let api_base = given(c.api_base).unwrap_or(API_BASE).trim_end_matches('/').to_owned();
        if !(api_base.starts_with("https://") || api_base.starts_with("http://")) {
            return Err(Error::bad_input(format!("{what} config: apiBase must be an http(s) URL")));
        }
        Ok(App {
            app_id: required(c.app_id, &format!("{what} config.appId"))?.to_owned(),
            app_secret: Zeroizing::new(required(c.app_secret, &format!("{what} config.appSecret"))?.to_owned()),
            api_base,
            limits: Limits::from_config(c.limits)?,
        })
    }

    pub(crate) fn app_id(&self) -> &str {
        &self.app_id
    }

    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
    }

    /// `GET {apiBase}{path}?appid=…&secret=…&{code_name}=…&grant_type=authorization_code`: the
    /// exchange of a one-time code (`js_code` of `wx.login`, `code` of a web authorization).
    pub(crate) fn code_exchange(&self, path: &str, code_name: &str, code: &str) -> HttpRequest {
        let query = form::encode([
            ("appid", self.app_id.as_str()),
            ("secret", self.app_secret.as_str()),
            (code_name, code),
            ("grant_type", "authorization_code"),
        ]);
        HttpRequest {
            method: "GET",
            url: format!("{}{path}?{query}", self.api_base),
            headers: vec![("accept".into(), "application/json".into())],
            body: None,
        }
    }
}
