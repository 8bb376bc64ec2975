//! The printed URL a buyer scanned, from a WeChat mini program's launch options (扫普通链接二维码打开
//! 小程序): WeChat hands the URL in `query.q`, URL-encoded (`decodeURIComponent` it once), with
//! `scancode_time`, the scan's Unix time in seconds; the scene is 1011 (scan), 1012 (long press on an
//! image) or 1013 (a picture from the album). `App.onLaunch(options)`, `wx.getLaunchOptionsSync()`
//! and `wx.getEnterOptionsSync()` give `{ query: { q, scancode_time }, scene, … }`; `Page.onLoad(query)`
//! gives `{ q, scancode_time }`: both are read.

use serde_json::Value;

use crate::codec::form;
use crate::error::{Error, Result};
use crate::limits::Limits;
use crate::router::LaunchQr;

/// `Ok(None)` when the mini program was not opened by a scanned URL (no `q`).
pub fn launch_qr(options: &Value, limits: &Limits) -> Result<Option<LaunchQr>> {
    let member = |name: &str| options.get("query").and_then(|q| q.get(name)).or_else(|| options.get(name));
    let q = match member("q") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(q)) if q.is_empty() => return Ok(None),
        Some(Value::String(q)) => q.as_str(),
        Some(_) => return Err(Error::bad_input("launch options query.q must be a string")),
    };
    limits.check_input(q.len(), "launch options query.q")?;
    let qr_code = decode_uri_component(q)?;
    let (_, params) = crate::router::url_parts(&qr_code, limits)?;
    let scancode_time = match member("scancode_time") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(seconds(s)?),
        Some(Value::Number(n)) => Some(seconds(&n.to_string())?),
        Some(_) => return Err(Error::bad_input("launch options query.scancode_time must be Unix seconds")),
    };
    let scene = crate::router::launch_scene(options)?;
    Ok(Some(LaunchQr { qr_code, params, scancode_time, scene }))
}

/// `decodeURIComponent` once: `%XX` → byte, `+` kept, the result UTF-8. A `q` that is already a
/// plain URL (`https://…`, as some tools pass it) is kept as it is.
fn decode_uri_component(q: &str) -> Result<String> {
    let lower = q.get(..8).unwrap_or(q).to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        return Ok(q.to_owned());
    }
    // The one form decoder, with `+` and `&` escaped first so that it keeps them as they are.
    let escaped = q.replace('+', "%2B").replace('&', "%26");
    let decoded = form::decode(format!("q={escaped}").as_bytes())
        .map_err(|_| Error::bad_input("launch options query.q has a malformed %-escape"))?;
    let bytes = decoded.iter().next().map(|(_, value)| value.to_vec()).unwrap_or_default();
    String::from_utf8(bytes).map_err(|_| Error::bad_input("launch options query.q is not UTF-8 once decoded"))
}

fn seconds(text: &str) -> Result<u64> {
    if text.is_empty() || text.len() > 12 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::bad_input("launch options query.scancode_time must be Unix seconds"));
    }
    text.parse().map_err(|_| Error::bad_input("launch options query.scancode_time must be Unix seconds"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn qr(options: Value) -> Result<Option<LaunchQr>> {
        launch_qr(&options, &Limits::default())
    }

    #[test]
    fn documented_launch_options() {
        // The shape WeChat documents for App.onLaunch, and Page.onLoad's query.
        let launch = json!({
            "mode": "default", "path": "pages/index/index", "scene": 1011,
            "query": { "q": "https%3A%2F%2Fwww.qq.com%2Ftest%3Fchannel%3D123", "scancode_time": "1615973269" },
            "referrerInfo": {}
        });
        let expected = LaunchQr {
            qr_code: "https://www.qq.com/test?channel=123".into(),
            params: vec![("channel".into(), "123".into())],
            scancode_time: Some(1_615_973_269),
            scene: Some(1011),
        };
        assert_eq!(qr(launch).unwrap().unwrap(), expected);
        // Page.onLoad's query has no scene.
        let page = json!({ "q": "https%3A%2F%2Fwww.qq.com%2Ftest%3Fchannel%3D123", "scancode_time": 1615973269 });
        assert_eq!(qr(page).unwrap().unwrap(), LaunchQr { scene: None, ..expected });
    }

    #[test]
    fn decoded_exactly_once() {
        // encodeURIComponent("https://p.example/q/S?t=A%207&n=a+b") — the table's own escape survives.
        let q = "https%3A%2F%2Fp.example%2Fq%2FS%3Ft%3DA%25207%26n%3Da%2Bb";
        let got = qr(json!({ "query": { "q": q } })).unwrap().unwrap();
        assert_eq!(got.qr_code, "https://p.example/q/S?t=A%207&n=a+b");
        assert_eq!(got.params, vec![("t".into(), "A 7".into()), ("n".into(), "a b".into())]);
        assert_eq!(got.scancode_time, None);
        // A literal + in q stays a +, as decodeURIComponent keeps it.
        assert_eq!(
            qr(json!({ "q": "https%3A%2F%2Fp.example%2F%3Fa%3D1+2" })).unwrap().unwrap().qr_code,
            "https://p.example/?a=1+2"
        );
        assert_eq!(
            qr(json!({ "q": "https://p.example/?a=1" })).unwrap().unwrap().params,
            vec![("a".into(), "1".into())]
        );
    }

    #[test]
    fn absent_and_bad() {
        assert_eq!(qr(json!({})).unwrap(), None);
        assert_eq!(qr(json!({ "query": { "q": "" } })).unwrap(), None);
        assert_eq!(qr(json!({ "query": {} , "scene": 1001 })).unwrap(), None);
        for bad in [
            json!({ "q": 5 }),
            json!({ "q": "https%3A%2F%2Fx%2F%3Fa%3D%E4" }),
            json!({ "q": "%zz" }),
            json!({ "q": "https%3A%2F%2Fx%2F%3Fa%3D1%26a%3D2" }),
            json!({ "q": "https%3A%2F%2Fx", "scancode_time": "-1" }),
            json!({ "q": "https%3A%2F%2Fx", "scancode_time": 1.5 }),
            json!({ "q": "https%3A%2F%2Fx", "scancode_time": true }),
        ] {
            assert!(qr(bad.clone()).is_err(), "{bad}");
        }
        let small = Limits { max_input_bytes: 4, ..Limits::default() };
        assert!(launch_qr(&json!({ "q": "https%3A%2F%2Fx" }), &small).is_err());
    }
}
