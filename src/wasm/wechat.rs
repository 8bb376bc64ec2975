//! The `WechatMiniProgram` and `WechatOfficialAccount` JS classes: conversions only; rules live in
//! `crate::wechat::login`, `crate::wechat::launch` and `crate::wechat::oauth`.

use serde_json::json;
use wasm_bindgen::prelude::*;

use super::{IntoJs, JsResult, MaxBytes, js_of, js_of_json_text, json_of, str_arg, text_of};
use crate::limits::Limits;
use crate::options::WipedOnDrop;
use crate::wechat::launch;
use crate::wechat::login::{self, MiniProgram};
use crate::wechat::oauth::{self, OfficialAccount};

#[wasm_bindgen(js_name = WechatMiniProgram)]
pub struct JsWechatMiniProgram {
    inner: MiniProgram,
}

#[wasm_bindgen(js_class = WechatMiniProgram)]
impl JsWechatMiniProgram {
    /// `{ appId, appSecret, apiBase? }` — server side only: the secret must never reach a browser.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> JsResult<JsWechatMiniProgram> {
        Ok(JsWechatMiniProgram {
            inner: MiniProgram::new(&WipedOnDrop(json_of(&config, "WechatMiniProgram config", MaxBytes::JSON)?))
                .js()?,
        })
    }

    #[wasm_bindgen(js_name = buildCode2Session)]
    pub fn build_code2session(&self, js_code: JsValue) -> JsResult<JsValue> {
        let js_code = str_arg(&js_code, "jsCode", MaxBytes::input(self.inner.limits()))?;
        js_of(&self.inner.build_code2session(&js_code).js()?)
    }

    /// `{ openid, sessionKey, unionid? }`; each documented errcode throws its own `AggpayError` code.
    #[wasm_bindgen(js_name = parseCode2Session)]
    pub fn parse_code2session(&self, raw: JsValue) -> JsResult<JsValue> {
        let session = login::parse_code2session(
            &text_of(&raw, "jscode2session reply", MaxBytes::input(self.inner.limits()))?,
            self.inner.limits(),
        )
        .js()?;
        let mut out = json!({ "openid": session.openid, "sessionKey": session.session_key });
        if let Some(unionid) = session.unionid {
            out["unionid"] = unionid.into();
        }
        js_of(&out)
    }

    /// Decrypts `{ sessionKey, encryptedData, iv }` and checks `watermark.appid`.
    #[wasm_bindgen(js_name = decryptUserData)]
    pub fn decrypt_user_data(&self, args: JsValue) -> JsResult<JsValue> {
        let args = json_of(&args, "arguments", MaxBytes::envelope(self.inner.limits()))?;
        js_of_json_text(&self.inner.decrypt(&args).js()?)
    }

    /// `{ qrCode, params, scancodeTime? }` from the launch options (`query.q`), or `null`.
    #[wasm_bindgen(js_name = launchQrCode)]
    pub fn launch_qr_code(launch_options: JsValue) -> JsResult<JsValue> {
        let limits = Limits::default();
        let options = json_of(&launch_options, "launch options", MaxBytes::envelope(&limits))?;
        match launch::launch_qr(&options, &limits).js()? {
            None => Ok(JsValue::NULL),
            Some(qr) => js_of(&qr),
        }
    }

    #[wasm_bindgen(getter, js_name = appId)]
    pub fn app_id(&self) -> String {
        self.inner.app_id().to_owned()
    }
}

#[wasm_bindgen(js_name = WechatOfficialAccount)]
pub struct JsWechatOfficialAccount {
    inner: OfficialAccount,
}

#[wasm_bindgen(js_class = WechatOfficialAccount)]
impl JsWechatOfficialAccount {
    /// `{ appId, appSecret, apiBase?, limits? }` — server side only.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> JsResult<JsWechatOfficialAccount> {
        let config = WipedOnDrop(json_of(&config, "WechatOfficialAccount config", MaxBytes::JSON)?);
        Ok(JsWechatOfficialAccount { inner: OfficialAccount::new(&config).js()? })
    }

    #[wasm_bindgen(js_name = buildOauthAccessToken)]
    pub fn build_oauth_access_token(&self, code: JsValue) -> JsResult<JsValue> {
        let code = str_arg(&code, "code", MaxBytes::input(self.inner.limits()))?;
        js_of(&self.inner.build_oauth_access_token(&code).js()?)
    }

    /// `{ accessToken, expiresIn, refreshToken, openid, scope, isSnapshotUser, unionid? }`.
    #[wasm_bindgen(js_name = parseOauthAccessToken)]
    pub fn parse_oauth_access_token(&self, raw: JsValue) -> JsResult<JsValue> {
        let limits = self.inner.limits();
        let t = oauth::parse_oauth_access_token(
            &text_of(&raw, "sns/oauth2/access_token reply", MaxBytes::input(limits))?,
            limits,
        )
        .js()?;
        let mut out = json!({
            "accessToken": t.access_token,
            "expiresIn": t.expires_in,
            "refreshToken": t.refresh_token,
            "openid": t.openid,
            "scope": t.scope,
            "isSnapshotUser": t.is_snapshot_user,
        });
        if let Some(unionid) = t.unionid {
            out["unionid"] = unionid.into();
        }
        js_of(&out)
    }

    #[wasm_bindgen(getter, js_name = appId)]
    pub fn app_id(&self) -> String {
        self.inner.app_id().to_owned()
    }
}
