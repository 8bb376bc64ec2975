//! `alipay.system.oauth.token`: an auth code (`my.getAuthCode`, or the H5 page's `auth_code`) or a
//! refresh token for the buyer's id and an access token. Its parameters are top-level, not biz_content.

use serde_json::Value;

use super::Alipay;
use super::request::RequestOptions;
use crate::crypto::step::Pending;
use crate::error::{Error, Result};
use crate::http::HttpRequest;
use crate::options::{given, read};

/// The method name.
pub const OAUTH_TOKEN: &str = "alipay.system.oauth.token";

impl Alipay {
    /// `alipay.system.oauth.token`: `{ code }` (grant_type `authorization_code`) or `{ refreshToken }`.
    /// Its parameters are top-level, not biz_content.
    pub fn build_oauth_token(&self, args: &Value, options: RequestOptions) -> Result<Pending<HttpRequest>> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Args<'a> {
            code: Option<&'a str>,
            refresh_token: Option<&'a str>,
        }
        let args: Args = read(args, "oauth token arguments")?;
        let mut options = options;
        match (given(args.code), given(args.refresh_token)) {
            (Some(code), None) => {
                options.params.push(("grant_type".into(), "authorization_code".into()));
                options.params.push(("code".into(), code.into()));
            }
            (None, Some(token)) => {
                options.params.push(("grant_type".into(), "refresh_token".into()));
                options.params.push(("refresh_token".into(), token.into()));
            }
            _ => return Err(Error::bad_input("oauth token: give exactly one of code or refreshToken")),
        }
        self.build_request(OAUTH_TOKEN, None, &options)
    }
}
