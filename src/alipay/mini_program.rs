//! What the mini program needs: `my.tradePay` / `AlipayJSBridge` parameters from a verified
//! `alipay.trade.create`, and the merchant's QR URL from the mini program's launch options.

use serde_json::Value;

use crate::codec::form;
use crate::error::{Error, Result};
use crate::router::LaunchQr;

/// `{ tradeNO }` for `my.tradePay` (and `AlipayJSBridge.call('tradePay', …)` on the old H5 page):
/// the `trade_no` of a verified `alipay.trade.create` result. Nothing is signed client-side.
pub fn trade_no_of(trade_create_result: &Value) -> Result<String> {
    trade_create_result.get("trade_no").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned).ok_or_else(
        || Error::bad_input("tradePay parameters need the trade_no of a verified alipay.trade.create result"),
    )
}

/// The printed QR code a buyer scanned, from the mini program's launch options
/// (`App.onLaunch(options)` / `my.getLaunchOptionsSync()`): `options.query.qrCode`. `Ok(None)` when
/// the mini program was not opened from a QR code.
pub fn launch_qr(launch_options: &Value) -> Result<Option<LaunchQr>> {
    let raw = launch_options
        .get("query")
        .and_then(|q| q.get("qrCode"))
        .or_else(|| launch_options.get("qrCode"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    let Some(raw) = raw else { return Ok(None) };
    // Some launch paths hand the URL percent-encoded (`https%3A%2F%2F…`); decode it once then.
    let lower = raw.to_ascii_lowercase();
    let qr_code = if lower.starts_with("http%3a") || lower.starts_with("https%3a") {
        let decoded = form::decode(format!("u={raw}").as_bytes())?;
        String::from_utf8(decoded.iter().next().map(|(_, value)| value.to_vec()).unwrap_or_default())
            .map_err(|_| Error::bad_input("qrCode is not UTF-8 once decoded"))?
    } else {
        raw.to_owned()
    };
    let query = qr_code.split_once('?').map_or("", |(_, q)| q);
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    let params = form::decode(query.as_bytes())?
        .into_utf8()
        .ok_or_else(|| Error::bad_input("qrCode parameter is not UTF-8"))?
        .iter()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
    Ok(Some(LaunchQr { qr_code, params, scancode_time: None, scene: crate::router::launch_scene(launch_options)? }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_qr_url_and_its_parameters() {
        let options =
            json!({ "query": { "qrCode": "https://shop.example.com/pay?store=12&table=A%207" }, "scene": "1011" });
        let qr = launch_qr(&options).unwrap().unwrap();
        assert_eq!(qr.qr_code, "https://shop.example.com/pay?store=12&table=A%207");
        assert_eq!(qr.params, vec![("store".into(), "12".into()), ("table".into(), "A 7".into())]);
        let encoded = json!({ "query": { "qrCode": "https%3A%2F%2Fshop.example.com%2Fpay%3Fstore%3D12" } });
        assert_eq!(launch_qr(&encoded).unwrap().unwrap().params, vec![("store".into(), "12".into())]);
        assert_eq!(launch_qr(&json!({ "query": {} })).unwrap(), None);
        assert_eq!(launch_qr(&json!({})).unwrap(), None);
    }

    #[test]
    fn trade_pay_needs_a_trade_no() {
        assert_eq!(trade_no_of(&json!({ "trade_no": "2026", "code": "10000" })).unwrap(), "2026");
        assert!(trade_no_of(&json!({ "code": "10000" })).is_err());
    }
}
