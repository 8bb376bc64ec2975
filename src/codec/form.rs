//! `application/x-www-form-urlencoded`: the one form codec.
//!
//! Decoding yields raw bytes, decoded exactly once (`+` → space, `%XX` → byte), so a notification
//! can be verified over the bytes the provider signed whatever their charset; values that merchants
//! URL-encoded themselves (Alipay `passback_params`) keep their own `%` sequences.

use std::borrow::Cow;
use std::ops::{Deref, Index, Range};

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::repeated_name;
use crate::error::{Error, Result};
use crate::limits::Limits;

/// Names and values in one buffer: every name and value of a form, back to back, with where each
/// one ends. One allocation for the text and one for the offsets, however many fields there are.
/// [`Form`] holds raw bytes as decoded; [`TextFields`] the same fields as text.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Fields<S> {
    data: S,
    /// Per field: where its name starts, where the name ends (the value starts), where the value ends.
    bounds: Vec<(usize, usize, usize)>,
}

/// A decoded form: names and values as raw bytes, each percent-decoded exactly once.
pub type Form = Fields<Vec<u8>>;

/// Fields as text, once decoded in a charset.
pub type TextFields = Fields<String>;

impl<S, T> Fields<S>
where
    S: Deref<Target = T>,
    T: ?Sized + FieldText,
{
    /// How many fields.
    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.bounds.is_empty()
    }

    /// `(name, value)` of each field, in order.
    pub fn iter<'a>(&'a self) -> impl ExactSizeIterator<Item = (&'a T, &'a T)> + 'a
    where
        T: 'a,
    {
        self.bounds.iter().map(|&(start, name_end, end)| (&self.data[start..name_end], &self.data[name_end..end]))
    }

    /// The value of the first field named `name`.
    pub fn get(&self, name: &str) -> Option<&T> {
        self.iter().find(|(n, _)| n.is(name)).map(|(_, v)| v)
    }
}

impl Form {
    /// The same fields as text: `decode` turns each name and value into text, and its first error is
    /// the whole form's.
    pub fn into_text<E>(
        self,
        mut decode: impl FnMut(&[u8]) -> std::result::Result<Cow<'_, str>, E>,
    ) -> std::result::Result<TextFields, E> {
        let mut data = String::with_capacity(self.data.len());
        let mut bounds = Vec::with_capacity(self.bounds.len());
        for (name, value) in self.iter() {
            let start = data.len();
            data.push_str(&decode(name)?);
            let name_end = data.len();
            data.push_str(&decode(value)?);
            bounds.push((start, name_end, data.len()));
        }
        Ok(Fields { data, bounds })
    }

    /// The same fields as text, when every name and value is UTF-8 on its own. No copy: the buffer
    /// is checked once, then each boundary.
    pub fn into_utf8(self) -> Option<TextFields> {
        let data = String::from_utf8(self.data).ok()?;
        let whole =
            self.bounds.iter().all(|&(_, name_end, end)| data.is_char_boundary(name_end) && data.is_char_boundary(end));
        whole.then_some(Fields { data, bounds: self.bounds })
    }
}

/// What a [`Fields`] buffer holds: raw bytes (`[u8]`) or text (`str`).
pub trait FieldText: Index<Range<usize>, Output = Self> {
    /// Whether this name is `name`.
    fn is(&self, name: &str) -> bool;
}

impl FieldText for [u8] {
    fn is(&self, name: &str) -> bool {
        self == name.as_bytes()
    }
}

impl FieldText for str {
    fn is(&self, name: &str) -> bool {
        self == name
    }
}

/// Field names and sizes only: values may hold personal data.
impl<S, T> std::fmt::Debug for Fields<S>
where
    S: Deref<Target = T>,
    T: ?Sized + FieldText + std::fmt::Debug,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter().map(|(name, _)| name)).finish()
    }
}

/// One JSON object of strings, in order (names are unique wherever this is used: decoded messages
/// refuse repeated names).
impl Serialize for TextFields {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (name, value) in self.iter() {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// Decodes a form body (or a URL query without its `?`). Empty segments are skipped; a pair without
/// `=` has an empty value; a malformed `%` escape is an error, not silently kept.
pub fn decode(body: &[u8]) -> Result<Form> {
    decode_counted(body, 0)
}

/// [`decode`] in one pass over the body, with room for `fields` fields reserved up front.
fn decode_counted(body: &[u8], fields: usize) -> Result<Form> {
    // Decoding never lengthens: the body's size is enough for every name and value.
    let mut data = Vec::with_capacity(body.len());
    let mut bounds = Vec::with_capacity(fields);
    let mut i = 0;
    while i < body.len() {
        if body[i] == b'&' {
            i += 1;
            continue;
        }
        let start = data.len();
        i = unescape_until(body, i, b'=', &mut data)?;
        let name_end = data.len();
        if body.get(i) == Some(&b'=') {
            i = unescape_until(body, i + 1, b'&', &mut data)?;
        }
        bounds.push((start, name_end, data.len()));
        i += 1; // past the '&' (or the end)
    }
    Ok(Fields { data, bounds })
}

/// Decodes a signed form body — a notification or `return_url` query, straight from the network.
/// The body's size and field count are checked against `limits` before anything is allocated, and a
/// name that occurs twice (after decoding) is refused: which of the two values was signed would be
/// ambiguous. Linear in the body, plus n log n name comparisons.
pub fn decode_unique(body: &[u8], limits: &Limits) -> Result<Form> {
    limits.check_input(body.len(), "the form body")?;
    let fields = body.split(|&b| b == b'&').filter(|segment| !segment.is_empty()).count();
    limits.check_fields(fields, "the form body")?;
    let form = decode_counted(body, fields)?;
    if let Some(name) = repeated_name(form.iter().map(|(name, _)| name).collect()) {
        return Err(Error::bad_input(format!(
            "form field {:?} occurs more than once",
            String::from_utf8_lossy(&name[..name.len().min(64)])
        )));
    }
    Ok(form)
}

/// Appends `body[i..]` to `out` percent-decoded once (`+` → space, `%XX` → byte), up to the first
/// `&` or `stop`; returns where it stopped. Runs without an escape are copied whole.
fn unescape_until(body: &[u8], mut i: usize, stop: u8, out: &mut Vec<u8>) -> Result<usize> {
    loop {
        let run = body[i..].iter().position(|&b| b == b'&' || b == stop || b == b'+' || b == b'%');
        let at = run.map_or(body.len(), |n| i + n);
        out.extend_from_slice(&body[i..at]);
        match body.get(at) {
            Some(b'+') => {
                out.push(b' ');
                i = at + 1;
            }
            Some(b'%') => {
                let hex = body.get(at + 1..at + 3).ok_or_else(bad_escape)?;
                let high = hex_value(hex[0]).ok_or_else(bad_escape)?;
                let low = hex_value(hex[1]).ok_or_else(bad_escape)?;
                out.push(high << 4 | low);
                i = at + 3;
            }
            _ => return Ok(at),
        }
    }
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

/// How [`encode`] and [`encode_with`] escape a component.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Escaping {
    /// `application/x-www-form-urlencoded` as Java's `URLEncoder` and `URLSearchParams` write it:
    /// `A-Z a-z 0-9 - . _ *` kept, space as `+`, every other byte `%XX`.
    Form,
    /// JavaScript's `encodeURIComponent`: `A-Z a-z 0-9 - . _ ! ~ * ' ( )` kept, every other byte
    /// (space too) `%XX` — what the official Node SDK's `sdkExec` writes. It decodes to the same
    /// bytes under form decoding and under URI decoding.
    UriComponent,
}

/// Encodes one component with `escaping`.
pub fn escape(value: &str, escaping: Escaping) -> String {
    let mut out = String::with_capacity(value.len() * 3 / 2);
    for &b in value.as_bytes() {
        match (b, escaping) {
            (b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*', _) => out.push(char::from(b)),
            (b'!' | b'~' | b'\'' | b'(' | b')', Escaping::UriComponent) => out.push(char::from(b)),
            (b' ', Escaping::Form) => out.push('+'),
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

/// Encodes one component as a form does ([`Escaping::Form`]).
pub fn encode_component(value: &str) -> String {
    escape(value, Escaping::Form)
}

/// Encodes pairs in the order given, as a form does: `a=1&b=2`.
pub fn encode<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    encode_with(pairs, Escaping::Form)
}

/// Encodes pairs in the order given with `escaping`: `a=1&b=2`.
pub fn encode_with<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>, escaping: Escaping) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&escape(name, escaping));
        out.push('=');
        out.push_str(&escape(value, escaping));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_exactly_once() {
        let form = decode(b"a=1&passback_params=x%253Dy%26z&sp=a+b%20c&empty=&flag&&").unwrap();
        let text: Vec<(String, String)> =
            form.into_utf8().unwrap().iter().map(|(n, v)| (n.to_owned(), v.to_owned())).collect();
        assert_eq!(
            text,
            [("a", "1"), ("passback_params", "x%3Dy&z"), ("sp", "a b c"), ("empty", ""), ("flag", "")]
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
        );
    }

    #[test]
    fn keeps_raw_bytes_of_other_charsets() {
        // "中" in GBK is D6 D0.
        assert_eq!(decode(b"s=%D6%D0").unwrap().get("s"), Some(&[0xD6, 0xD0][..]));
        assert!(decode(b"s=%D6%D0").unwrap().into_utf8().is_none());
        // Each name and value must be UTF-8 on its own, not only the buffer they share.
        assert!(decode(b"%E4%B8=%AD").unwrap().into_utf8().is_none());
        assert_eq!(decode(b"%E4%B8%AD=1").unwrap().into_utf8().unwrap().get("中"), Some("1"));
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
        assert_eq!(round.get("biz"), Some(&b"{\"a\":\"&=%+\"}"[..]));
    }

    #[test]
    fn encodes_like_encode_uri_component() {
        // encodeURIComponent("a b&c=d/中*~!'()+%") in any JS engine.
        assert_eq!(escape("a b&c=d/中*~!'()+%", Escaping::UriComponent), "a%20b%26c%3Dd%2F%E4%B8%AD*~!'()%2B%25");
        let pairs = [("timestamp", "2026-01-01 12:00:00"), ("biz", "{\"s\":\"&=%+ 😀\"}")];
        let encoded = encode_with(pairs, Escaping::UriComponent);
        assert_eq!(
            encoded,
            "timestamp=2026-01-01%2012%3A00%3A00&biz=%7B%22s%22%3A%22%26%3D%25%2B%20%F0%9F%98%80%22%7D"
        );
        let round = decode(encoded.as_bytes()).unwrap();
        assert_eq!(round.get("biz"), Some("{\"s\":\"&=%+ 😀\"}".as_bytes()));
    }
}
