//! `application/x-www-form-urlencoded`: the one form codec.
//!
//! Decoding yields raw bytes, decoded exactly once (`+` → space, `%XX` → byte), so a notification
//! can be verified over the bytes the provider signed whatever their charset; values that merchants
//! URL-encoded themselves (Alipay `passback_params`) keep their own `%` sequences.

use super::repeated_name;
use crate::error::{Error, Result};
use crate::limits::Limits;

/// One decoded `name=value` pair, as raw bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormPair {
    /// The name, percent-decoded once.
    pub name: Vec<u8>,
    /// The value, percent-decoded once.
    pub value: Vec<u8>,
}

/// Decodes a form body (or a URL query without its `?`). Empty segments are skipped; a pair without
/// `=` has an empty value; a malformed `%` escape is an error, not silently kept.
pub fn decode(body: &[u8]) -> Result<Vec<FormPair>> {
    let mut pairs = Vec::new();
    for segment in body.split(|&b| b == b'&') {
        if segment.is_empty() {
            continue;
        }
        let (name, value) = match segment.iter().position(|&b| b == b'=') {
            Some(i) => (&segment[..i], &segment[i + 1..]),
            None => (segment, &[][..]),
        };
        pairs.push(FormPair { name: unescape(name)?, value: unescape(value)? });
    }
    Ok(pairs)
}

/// Decodes a signed form body — a notification or `return_url` query, straight from the network.
/// The body's size and field count are checked against `limits` before anything is allocated, and a
/// name that occurs twice (after decoding) is refused: which of the two values was signed would be
/// ambiguous. Linear in the body, plus n log n name comparisons.
pub fn decode_unique(body: &[u8], limits: &Limits) -> Result<Vec<FormPair>> {
    limits.check_input(body.len(), "the form body")?;
    let fields = body.split(|&b| b == b'&').filter(|segment| !segment.is_empty()).count();
    limits.check_fields(fields, "the form body")?;
    let pairs = decode(body)?;
    if let Some(name) = repeated_name(pairs.iter().map(|p| p.name.as_slice()).collect()) {
        return Err(Error::bad_input(format!(
            "form field {:?} occurs more than once",
            String::from_utf8_lossy(&name[..name.len().min(64)])
        )));
    }
    Ok(pairs)
}

fn unescape(input: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = input.get(i + 1..i + 3).ok_or_else(bad_escape)?;
                let high = hex_value(hex[0]).ok_or_else(bad_escape)?;
                let low = hex_value(hex[1]).ok_or_else(bad_escape)?;
                out.push(high << 4 | low);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    Ok(out)
}

fn bad_escape() -> Error {
    Error::bad_input("form body has a malformed %-escape")
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Encodes one component: unreserved `A-Z a-z 0-9 - . _ *` kept, space as `+`, every other byte `%XX`
/// (what Java's `URLEncoder` and `URLSearchParams` produce).
pub fn encode_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3 / 2);
    for &b in value.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
        }
    }
    out
}

/// Encodes pairs in the order given: `a=1&b=2`.
pub fn encode<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&encode_component(name));
        out.push('=');
        out.push_str(&encode_component(value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_exactly_once() {
        let pairs = decode(b"a=1&passback_params=x%253Dy%26z&sp=a+b%20c&empty=&flag&&").unwrap();
        let text: Vec<(String, String)> = pairs
            .iter()
            .map(|p| (String::from_utf8(p.name.clone()).unwrap(), String::from_utf8(p.value.clone()).unwrap()))
            .collect();
        assert_eq!(
            text,
            [("a", "1"), ("passback_params", "x%3Dy&z"), ("sp", "a b c"), ("empty", ""), ("flag", "")]
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
        );
    }

    #[test]
    fn keeps_raw_bytes_of_other_charsets() {
        // "中" in GBK is D6 D0.
        assert_eq!(decode(b"s=%D6%D0").unwrap()[0].value, vec![0xD6, 0xD0]);
    }

    #[test]
    fn refuses_malformed_escapes() {
        for bad in [&b"a=%"[..], b"a=%4", b"a=%zz", b"%g0=1"] {
            assert!(decode(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn signed_bodies_refuse_repeated_names() {
        let limits = Limits::default();
        assert!(decode_unique(b"a=1&b=2", &limits).is_ok());
        assert!(decode_unique(b"a=1&sign=x&sign=y", &limits).is_err());
        assert!(decode_unique(b"a=1&%61=2", &limits).is_err());
    }

    #[test]
    fn signed_bodies_are_bounded_before_decoding() {
        use crate::ErrorCode;
        let limits = Limits { max_input_bytes: 64, max_fields: 3, ..Limits::default() };
        assert!(decode_unique(b"a=1&&b=2&c=3&", &limits).is_ok());
        assert_eq!(decode_unique(b"a=1&b=2&c=3&d=4", &limits).unwrap_err().code(), ErrorCode::TooManyFields);
        assert_eq!(decode_unique(&[b'a'; 65], &limits).unwrap_err().code(), ErrorCode::InputTooLarge);
    }

    #[test]
    fn encodes_like_urlsearchparams() {
        assert_eq!(encode_component("a b&c=d/中*~"), "a+b%26c%3Dd%2F%E4%B8%AD*%7E");
        assert_eq!(encode([("k", "v 1"), ("x", "")]), "k=v+1&x=");
        let round = decode(encode([("biz", "{\"a\":\"&=%+\"}")]).as_bytes()).unwrap();
        assert_eq!(round[0].value, b"{\"a\":\"&=%+\"}");
    }
}
