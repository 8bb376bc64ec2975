//! Mini-program login: `wx.login` gives a one-time `js_code`; the merchant server exchanges it with
//! `jscode2session` for the buyer's `openid` and a `session_key`. The app secret and the session key
//! belong on the server only — never in a browser or the mini program.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;
use zeroize::Zeroizing;

use super::{App, PROVIDER};
use crate::codec::json_node::check_within;
use crate::crypto::aes;
use crate::error::{Error, ErrorCode, ProviderDetail, Result};
use crate::http::HttpRequest;
use crate::limits::Limits;
use crate::options::{read, required};

/// A mini program's credentials. `Debug` never shows the secret.
#[derive(Debug)]
pub struct MiniProgram {
    app: App,
}

/// A successful `jscode2session`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The user's id in this mini program.
    pub openid: String,
    /// The session key (server side only: it decrypts user data).
    pub session_key: String,
    /// The user's id across the developer's apps, when bound to an Open Platform account.
    pub unionid: Option<String>,
}

impl MiniProgram {
    /// `{ appId, appSecret, apiBase?, limits? }`
    pub fn new(config: &Value) -> Result<MiniProgram> {
        Ok(MiniProgram { app: App::new(config, "WechatMiniProgram")? })
    }

    /// The input limits this client applies (`limits` in its configuration).
    pub fn limits(&self) -> &Limits {
        self.app.limits()
    }

    /// The mini program's AppID.
    pub fn app_id(&self) -> &str {
        self.app.app_id()
    }

    /// [`decrypt_user_data`] for this mini program, from `{ sessionKey, encryptedData, iv }`.
    pub fn decrypt(&self, args: &Value) -> Result<String> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        struct Args<'a> {
            session_key: Option<&'a str>,
            encrypted_data: Option<&'a str>,
            iv: Option<&'a str>,
        }
        let a: Args = read(args, "decryptUserData arguments")?;
        decrypt_user_data(
            self.app.app_id(),
            required(a.session_key, "decryptUserData arguments.sessionKey")?,
            required(a.encrypted_data, "decryptUserData arguments.encryptedData")?,
            required(a.iv, "decryptUserData arguments.iv")?,
            self.app.limits(),
        )
    }

    /// `GET /sns/jscode2session?appid=…&secret=…&js_code=…&grant_type=authorization_code`.
    pub fn build_code2session(&self, js_code: &str) -> Result<HttpRequest> {
        if js_code.is_empty() {
            return Err(Error::bad_input("js_code is empty (it comes from wx.login in the mini program)"));
        }
        Ok(self.app.code_exchange("/sns/jscode2session", "js_code", js_code))
    }
}

/// Parses the reply: a missing `errcode` (or 0) is success; each documented failure has its own code.
pub fn parse_code2session(raw: &str, limits: &Limits) -> Result<Session> {
    let reply = checked_reply(raw, limits, "jscode2session")?;
    let text = |k: &str| reply.get(k).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
    Ok(Session {
        openid: text("openid")
            .ok_or_else(|| Error::malformed("jscode2session reply has no openid").with_provider(PROVIDER))?,
        session_key: text("session_key")
            .ok_or_else(|| Error::malformed("jscode2session reply has no session_key").with_provider(PROVIDER))?,
        unionid: text("unionid"),
    })
}

/// A WeChat API reply (`jscode2session`, `sns/oauth2/access_token`, …) parsed and checked: within
/// `limits`, JSON, and `errcode` missing or 0. Each documented errcode has its own error code:
/// 40029 `ERR_LOGIN_CODE_INVALID`, 40163 `ERR_LOGIN_CODE_USED`, 45011 `ERR_RATE_LIMITED`, -1
/// `ERR_PROVIDER_BUSY`, 40226 `ERR_USER_HIGH_RISK`, any other `ERR_PROVIDER_REJECTED`; WeChat's
/// `errcode` and `errmsg` are in the error's detail. `what` names the call in messages.
pub(crate) fn checked_reply(raw: &str, limits: &Limits, what: &str) -> Result<Value> {
    check_within(raw, limits).map_err(|e| e.with_provider(PROVIDER))?;
    let reply: Value = serde_json::from_str(raw)
        .map_err(|_| Error::malformed(format!("{what} reply is not JSON")).with_provider(PROVIDER))?;
    if !reply.is_object() {
        return Err(Error::malformed(format!("{what} reply is not a JSON object")).with_provider(PROVIDER));
    }
    let errcode = match reply.get("errcode") {
        None | Some(Value::Null) => 0,
        Some(v) => v
            .as_i64()
            .ok_or_else(|| Error::malformed(format!("{what} errcode is not a number")).with_provider(PROVIDER))?,
    };
    if errcode != 0 {
        let errmsg = reply.get("errmsg").and_then(Value::as_str).unwrap_or("").to_owned();
        let code = match errcode {
            40029 => ErrorCode::LoginCodeInvalid,
            40163 => ErrorCode::LoginCodeUsed,
            45011 => ErrorCode::RateLimited,
            -1 => ErrorCode::ProviderBusy,
            40226 => ErrorCode::UserHighRisk,
            _ => ErrorCode::ProviderRejected,
        };
        return Err(Error::new(code, format!("{what} failed: {errcode} {errmsg}"))
            .with_provider(PROVIDER)
            .with_detail(ProviderDetail {
                code: Some(errcode.to_string()),
                message: Some(errmsg),
                ..Default::default()
            }));
    }
    Ok(reply)
}

/// Decrypts `encryptedData` from `wx.getUserInfo` / phone number buttons (AES-128-CBC, PKCS#7, key =
/// base64-decoded `session_key`) and checks that `watermark.appid` is this app. Returns the JSON text.
pub fn decrypt_user_data(
    app_id: &str,
    session_key: &str,
    encrypted_data: &str,
    iv: &str,
    limits: &Limits,
) -> Result<String> {
    limits.check_input(encrypted_data.len(), "encryptedData").map_err(|e| e.with_provider(PROVIDER))?;
    let decode = |what: &str, text: &str| {
        STANDARD
            .decode(text.trim())
            .map_err(|_| Error::bad_input(format!("{what} is not base64")).with_provider(PROVIDER))
    };
    let key = Zeroizing::new(decode("sessionKey", session_key)?);
    let iv = decode("iv", iv)?;
    let data = decode("encryptedData", encrypted_data)?;
    if key.len() != 16 || iv.len() != 16 {
        return Err(
            Error::bad_input("sessionKey and iv must each be 16 bytes once base64-decoded").with_provider(PROVIDER)
        );
    }
    // Every failure after the key and IV are accepted reads the same (padding, UTF-8, JSON): the
    // mini program that sent the ciphertext must not learn which step failed.
    let plain = aes::cbc128_decrypt(&key, &iv, &data).map_err(|e| e.with_provider(PROVIDER))?;
    let text = String::from_utf8(plain).map_err(|_| Error::decrypt_failed().with_provider(PROVIDER))?;
    let value: Value = serde_json::from_str(&text).map_err(|_| Error::decrypt_failed().with_provider(PROVIDER))?;
    match value.get("watermark").and_then(|w| w.get("appid")).and_then(Value::as_str) {
        Some(appid) if appid == app_id => Ok(text),
        // The decrypted text is not echoed: it is the sender's to shape.
        _ => {
            Err(Error::new(ErrorCode::WatermarkMismatch, "the user data is not for this app (watermark.appid differs)")
                .with_provider(PROVIDER))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errcodes_map_to_their_own_codes() {
        let cases = [
            (40029, ErrorCode::LoginCodeInvalid),
            (40163, ErrorCode::LoginCodeUsed),
            (45011, ErrorCode::RateLimited),
            (-1, ErrorCode::ProviderBusy),
            (40226, ErrorCode::UserHighRisk),
            (40013, ErrorCode::ProviderRejected),
        ];
        for (errcode, code) in cases {
            let err = parse_code2session(&format!(r#"{{"errcode":{errcode},"errmsg":"x"}}"#), &Limits::default())
                .unwrap_err();
            assert_eq!(err.code(), code);
            assert_eq!(err.detail().unwrap().code.as_deref(), Some(errcode.to_string().as_str()));
        }
        let ok = parse_code2session(r#"{"session_key":"a2V5","openid":"o1"}"#, &Limits::default()).unwrap();
        assert_eq!((ok.openid.as_str(), ok.unionid), ("o1", None));
        let ok =
            parse_code2session(r#"{"errcode":0,"session_key":"a2V5","openid":"o1","unionid":"u"}"#, &Limits::default())
                .unwrap();
        assert_eq!(ok.unionid.as_deref(), Some("u"));
        assert_eq!(parse_code2session("{", &Limits::default()).unwrap_err().code(), ErrorCode::ResponseMalformed);
        assert_eq!(
            parse_code2session(r#"{"openid":"o"}"#, &Limits::default()).unwrap_err().code(),
            ErrorCode::ResponseMalformed
        );
    }

    #[test]
    fn secret_is_in_the_url_but_never_in_debug() {
        let mp = MiniProgram::new(&serde_json::json!({"appId": "wx1", "appSecret": "s3cr3t-value"})).unwrap();
        assert!(!format!("{mp:?}").contains("s3cr3t"));
        let req = mp.build_code2session("code 1").unwrap();
        assert_eq!(
            req.url,
            "https://api.weixin.qq.com/sns/jscode2session?appid=wx1&secret=s3cr3t-value&js_code=code+1&grant_type=authorization_code"
        );
    }
}
