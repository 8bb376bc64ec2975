//! The `WechatMiniProgram` JS class: conversions only; rules live in `crate::wechat::login`.

use serde_json::json;
use wasm_bindgen::prelude::*;

use super::{IntoJs, JsResult, MaxBytes, js_of, js_of_json_text, json_of, str_arg, text_of};
use crate::options::WipedOnDrop;
use crate::wechat::login::{self, MiniProgram};

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

    #[wasm_bindgen(getter, js_name = appId)]
    pub fn app_id(&self) -> String {
        self.inner.app_id().to_owned()
    }
}
