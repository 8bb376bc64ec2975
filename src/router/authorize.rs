//! The H5 authorization URLs: the page in a wallet's browser sends the buyer here to learn who pays
//! (`user_id` / `openid`) without a consent screen, and the wallet redirects back to `redirect_uri`
//! with a one-time code and the `state`.

use super::wallet::Wallet;
use crate::codec::form::{Escaping, encode_with};
use crate::error::{Error, Result};

/// Alipay's web authorization page (网页授权).
pub const ALIPAY_AUTHORIZE: &str = "https://openauth.alipay.com/oauth2/publicAppAuthorize.htm";
/// The same page of Alipay's sandbox (沙箱环境), for apps of the sandbox.
pub const ALIPAY_SANDBOX_AUTHORIZE: &str = "https://openauth-sandbox.dl.alipaydev.com/oauth2/publicAppAuthorize.htm";
/// WeChat's official-account web authorization (网页授权).
pub const WECHAT_AUTHORIZE: &str = "https://open.weixin.qq.com/connect/oauth2/authorize";

/// The authorization URL for `wallet`:
///
/// - Alipay: `…/publicAppAuthorize.htm?app_id=…&scope=auth_base&redirect_uri=…&state=…`; Alipay
///   redirects to `redirect_uri` with `auth_code` (for `alipay.system.oauth.token`) and `state`.
/// - WeChat: `…/connect/oauth2/authorize?appid=…&redirect_uri=…&response_type=code&scope=snsapi_base&state=…#wechat_redirect`,
///   in exactly this order (WeChat matches the link strictly; another order is refused), with the
///   `#wechat_redirect` fragment; WeChat redirects with `code` (for `sns/oauth2/access_token`) and `state`.
///
/// `redirect_uri` is escaped as `encodeURIComponent` does. It must be an absolute http(s) URL without a
/// fragment, spaces or control characters. `alipay_sandbox`: Alipay's sandbox page instead (WeChat
/// has none).
pub fn authorize_url(
    wallet: Wallet,
    app_id: &str,
    redirect_uri: &str,
    state: &str,
    alipay_sandbox: bool,
) -> Result<String> {
    check_redirect_uri(redirect_uri)?;
    let component = |pairs: &[(&str, &str)]| encode_with(pairs.iter().copied(), Escaping::UriComponent);
    match wallet {
        Wallet::Alipay => Ok(format!(
            "{}?{}",
            if alipay_sandbox { ALIPAY_SANDBOX_AUTHORIZE } else { ALIPAY_AUTHORIZE },
            component(&[("app_id", app_id), ("scope", "auth_base"), ("redirect_uri", redirect_uri), ("state", state)])
        )),
        Wallet::Wechat => Ok(format!(
            "{WECHAT_AUTHORIZE}?{}#wechat_redirect",
            component(&[
                ("appid", app_id),
                ("redirect_uri", redirect_uri),
                ("response_type", "code"),
                ("scope", "snsapi_base"),
                ("state", state),
            ])
        )),
        Wallet::Other => Err(Error::bad_input("authorizeUrl: wallet must be alipay or wechat")),
    }
}

fn check_redirect_uri(uri: &str) -> Result<()> {
    let lower = uri.get(..8).unwrap_or(uri).to_ascii_lowercase();
    let scheme_len = if lower.starts_with("https://") {
        8
    } else if lower.starts_with("http://") {
        7
    } else {
        return Err(Error::bad_input("redirectUri must be an absolute http(s) URL"));
    };
    if uri.len() == scheme_len {
        return Err(Error::bad_input("redirectUri has no host"));
    }
    if uri.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(Error::bad_input("redirectUri must not contain spaces or control characters"));
    }
    if uri.contains('#') {
        return Err(Error::bad_input("redirectUri must not have a fragment (#): the wallet would drop what follows"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_shapes() {
        // WeChat's documented snsapi_base example link, rebuilt.
        let redirect =
            "https://chong.qq.com/php/index.php?d=&c=wxAdapter&m=mobileDeal&showwxpaytitle=1&vb2ctag=4_2030_5_1194_60";
        assert_eq!(
            authorize_url(Wallet::Wechat, "wx520c15f417810387", redirect, "123", false).unwrap(),
            "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx520c15f417810387&redirect_uri=https%3A%2F%2Fchong.qq.com%2Fphp%2Findex.php%3Fd%3D%26c%3DwxAdapter%26m%3DmobileDeal%26showwxpaytitle%3D1%26vb2ctag%3D4_2030_5_1194_60&response_type=code&scope=snsapi_base&state=123#wechat_redirect"
        );
        assert_eq!(
            authorize_url(Wallet::Alipay, "2021000122650399", "http://example.com", "s1", false).unwrap(),
            "https://openauth.alipay.com/oauth2/publicAppAuthorize.htm?app_id=2021000122650399&scope=auth_base&redirect_uri=http%3A%2F%2Fexample.com&state=s1"
        );
    }

    #[test]
    fn bad_redirects_and_wallets() {
        for bad in ["", "ftp://x", "https://", "//x/y", "https://x/a b", "https://x/#f", "https://x/\n"] {
            assert!(authorize_url(Wallet::Alipay, "a", bad, "s", false).is_err(), "{bad:?}");
        }
        assert!(authorize_url(Wallet::Other, "a", "https://x", "s", false).is_err());
        assert!(authorize_url(Wallet::Wechat, "a", "HTTPS://x/q", "s", false).is_ok());
    }
}
