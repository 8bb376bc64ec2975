//! Which app a request comes from, by its `User-Agent`: the wallet that can pay (Alipay, WeChat,
//! other) and the kind of client. Substring tests only, ASCII case-insensitive, each linear in the
//! header; the header's size is checked by the caller.

use serde::Serialize;

/// The wallet that can pay on this client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Wallet {
    /// Alipay: its in-app browser (H5 page, `auth_base`, `AlipayJSBridge`) or its mini program.
    Alipay,
    /// WeChat: its in-app browser (official-account `snsapi_base`, JSAPI) or its mini program.
    Wechat,
    /// Any other scanner: a page that says which apps can pay, or a provider's H5/QR fallback.
    Other,
}

impl Wallet {
    /// `"alipay"`, `"wechat"`, `"other"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Wallet::Alipay => "alipay",
            Wallet::Wechat => "wechat",
            Wallet::Other => "other",
        }
    }

    /// The wallet named `name` (`"alipay"`, `"wechat"`, `"other"`).
    pub fn from_name(name: &str) -> Option<Wallet> {
        match name {
            "alipay" => Some(Wallet::Alipay),
            "wechat" => Some(Wallet::Wechat),
            "other" => Some(Wallet::Other),
            _ => None,
        }
    }
}

/// The kind of client a `User-Agent` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Client {
    /// Alipay's in-app browser (`AlipayClient`, `AliApp(AP/…)`).
    AlipayApp,
    /// WeChat's in-app browser (`MicroMessenger`), the H5 path.
    WechatApp,
    /// A `web-view` inside a WeChat mini program (`MicroMessenger` … `miniProgram`): the page must
    /// hand over to a mini-program page to pay.
    WechatMiniProgram,
    /// WeChat Work (企业微信, `wxwork`): it says `MicroMessenger` too, but it is not the WeChat wallet.
    WechatWork,
    /// DingTalk (`DingTalk`, `AliApp(DingTalk/…)`): not the Alipay wallet.
    Dingtalk,
    /// A search engine, link preview or script (`Googlebot`, `Baiduspider`, `curl/…`, …).
    Crawler,
    /// Any other browser, mobile or desktop.
    Browser,
    /// No `User-Agent` at all.
    Unknown,
}

impl Client {
    /// The wallet that can pay on this client.
    pub const fn wallet(self) -> Wallet {
        match self {
            Client::AlipayApp => Wallet::Alipay,
            Client::WechatApp | Client::WechatMiniProgram => Wallet::Wechat,
            _ => Wallet::Other,
        }
    }
}

/// Tokens that mark crawlers, link previews and scripts (ASCII, lower case). `bot/`, `bot;` and
/// `bot)` rather than `bot`, which phone names contain (`Cubot`).
const CRAWLER_TOKENS: [&str; 13] = [
    "bot/",
    "bot;",
    "bot)",
    "spider",
    "crawler",
    "slurp",
    "facebookexternalhit",
    "headlesschrome",
    "curl/",
    "wget/",
    "python-requests",
    "go-http-client",
    "okhttp",
];

/// The client a `User-Agent` header names. Apps first (a wallet's UA also says `Safari`), WeChat
/// Work and DingTalk before the wallets they resemble, crawlers before plain browsers.
pub fn detect(user_agent: &str) -> Client {
    let ua = user_agent.as_bytes();
    if ua.iter().all(u8::is_ascii_whitespace) {
        return Client::Unknown;
    }
    let has = |token: &str| contains_ignore_case(ua, token.as_bytes());
    if has("dingtalk") {
        return Client::Dingtalk;
    }
    if has("alipayclient") || has("aliapp(ap/") {
        return Client::AlipayApp;
    }
    if has("wxwork") {
        return Client::WechatWork;
    }
    if has("micromessenger") {
        return if has("miniprogram") { Client::WechatMiniProgram } else { Client::WechatApp };
    }
    if CRAWLER_TOKENS.iter().any(|t| has(t)) {
        return Client::Crawler;
    }
    Client::Browser
}

/// Whether `needle` (ASCII lower case) occurs in `haystack`, ignoring ASCII case. `needle` is a
/// short constant, so this is linear in `haystack`.
fn contains_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_in_any_case() {
        assert_eq!(detect("x ALIPAYCLIENT/10"), Client::AlipayApp);
        assert_eq!(detect("x micromessenger/8.0 MiniProgramEnv/Windows"), Client::WechatMiniProgram);
        assert_eq!(detect("Mozilla/5.0 (Linux; Android 12; Cubot X30)"), Client::Browser);
        assert_eq!(detect("  "), Client::Unknown);
        assert_eq!(detect(""), Client::Unknown);
        assert_eq!(Client::WechatWork.wallet(), Wallet::Other);
        assert_eq!(Wallet::from_name("wechat"), Some(Wallet::Wechat));
        assert_eq!(Wallet::from_name("WeChat"), None);
    }
}
