//! Finds the raw text of one top-level member of a JSON object, byte for byte as received — the
//! text a provider signed. Nothing is re-serialized: escapes (`\/`, `\uXXXX`), white space and key
//! order stay exactly as they came.

use std::borrow::Cow;

use super::repeated_name;
use crate::error::{Error, Result};
use crate::limits::Limits;

/// Where a member's value sits in the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset just past the last byte.
    pub end: usize,
}

impl Span {
    /// The spanned text of `text` (the text the span was found in).
    pub fn of<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start..self.end]
    }
}

/// One top-level member of a JSON object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member<'a> {
    /// The name with its escapes resolved: `"resultCod\u0065"` is `resultCode`. Names are compared
    /// in this form, so an escaped spelling cannot pass for another name.
    pub name: Cow<'a, str>,
    /// The name as written, without its quotes.
    pub key: Span,
    /// The value as written: an object, array, string with its quotes, or literal.
    pub value: Span,
}

/// Every top-level member of `text`, in document order, in one linear pass. A document that is not
/// one JSON object, or is truncated, is `ERR_RESPONSE_MALFORMED`; so is a name that occurs twice
/// (which of the two was meant would be ambiguous). `limits` bounds the size, the nesting depth
/// and the members of every object, before anything is parsed further.
pub fn top_level_members<'a>(text: &'a str, limits: &Limits) -> Result<Vec<Member<'a>>> {
    limits.check_input(text.len(), "the response")?;
    let members = scan_members(text, limits)?;
    if let Some(name) = repeated_name(members.iter().map(|m| m.name.as_ref()).collect()) {
        return Err(Error::malformed(format!(
            "the response has more than one {:?} member",
            name.chars().take(64).collect::<String>()
        )));
    }
    Ok(members)
}

/// Checks that `text` is one JSON object within `limits` (size, depth, members per object) before
/// a JSON parser builds it.
pub fn check_within(text: &str, limits: &Limits) -> Result<()> {
    top_level_members(text, limits).map(drop)
}

fn scan_members<'a>(text: &'a str, limits: &Limits) -> Result<Vec<Member<'a>>> {
    let b = text.as_bytes();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return Err(Error::malformed("the response is not a JSON object"));
    }
    i = skip_ws(b, i + 1);
    let mut members = Vec::new();
    if b.get(i) == Some(&b'}') {
        return check_trailing(b, i + 1).map(|()| members);
    }
    loop {
        if b.get(i) != Some(&b'"') {
            return Err(truncated_or_bad(b, i));
        }
        limits.check_fields(members.len() + 1, "the response")?;
        let key_end = string_end(b, i)?;
        let key = Span { start: i + 1, end: key_end - 1 };
        let name = unescaped(text, i, key_end)?;
        i = skip_ws(b, key_end);
        if b.get(i) != Some(&b':') {
            return Err(truncated_or_bad(b, i));
        }
        i = skip_ws(b, i + 1);
        let value_end = value_end(b, i, limits)?;
        members.push(Member { name, key, value: Span { start: i, end: value_end } });
        i = skip_ws(b, value_end);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b'}') => return check_trailing(b, i + 1).map(|()| members),
            _ => return Err(truncated_or_bad(b, i)),
        }
    }
}

/// The text of the JSON string `text[start..end]` (quotes included) with its escapes resolved;
/// borrowed when it has none.
fn unescaped(text: &str, start: usize, end: usize) -> Result<Cow<'_, str>> {
    let quoted = &text[start..end];
    let inner = &quoted[1..quoted.len() - 1];
    if inner.bytes().all(|c| c != b'\\' && c >= 0x20) {
        return Ok(Cow::Borrowed(inner));
    }
    serde_json::from_str::<String>(quoted)
        .map(Cow::Owned)
        .map_err(|_| Error::malformed("a member name of the response is not a valid JSON string"))
}

fn check_trailing(b: &[u8], i: usize) -> Result<()> {
    if skip_ws(b, i) == b.len() { Ok(()) } else { Err(Error::malformed("the response has text after its JSON object")) }
}

fn truncated_or_bad(b: &[u8], i: usize) -> Error {
    if i >= b.len() {
        Error::malformed("the response JSON is truncated")
    } else {
        Error::malformed(format!("the response JSON is malformed at byte {i}"))
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// End (exclusive) of the string starting with the quote at `i`.
fn string_end(b: &[u8], i: usize) -> Result<usize> {
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'"' => return Ok(j + 1),
            _ => j += 1,
        }
    }
    Err(Error::malformed("the response JSON is truncated inside a string"))
}

/// End (exclusive) of the value starting at `i` (a member of the top-level object, so at depth 2):
/// containers by bracket matching, strings skipped. Each open container's kind and member count
/// is tracked (a member has exactly one `:` outside strings), so depth and members per object are
/// bounded as the scan goes.
fn value_end(b: &[u8], i: usize, limits: &Limits) -> Result<usize> {
    match b.get(i) {
        None => Err(Error::malformed("the response JSON is truncated")),
        Some(b'"') => string_end(b, i),
        Some(b'{' | b'[') => {
            // (is an object, members so far); the top-level object is the first level.
            let mut open: Vec<(bool, usize)> = Vec::new();
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = string_end(b, j)?;
                        continue;
                    }
                    c @ (b'{' | b'[') => {
                        if open.len() + 2 > limits.max_depth {
                            return Err(limits.too_deep("the response"));
                        }
                        open.push((c == b'{', 0));
                    }
                    b':' => match open.last_mut() {
                        Some((true, members)) => {
                            *members += 1;
                            limits.check_fields(*members, "an object in the response")?;
                        }
                        _ => return Err(truncated_or_bad(b, j)),
                    },
                    c @ (b'}' | b']') => {
                        match open.pop() {
                            Some((is_object, _)) if is_object == (c == b'}') => {}
                            _ => return Err(truncated_or_bad(b, j)),
                        }
                        if open.is_empty() {
                            return Ok(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            Err(Error::malformed("the response JSON is truncated"))
        }
        Some(_) => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                j += 1;
            }
            if j == i { Err(truncated_or_bad(b, i)) } else { Ok(j) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn find_member(text: &str, name: &str) -> Result<Option<Span>> {
        Ok(top_level_members(text, &Limits::default())?.into_iter().find(|m| m.name == name).map(|m| m.value))
    }

    #[test]
    fn finds_raw_text_with_escapes_whitespace_and_braces_in_strings() {
        let doc = "{\"a_response\"\n  :\n  {\"code\":\"10000\",\"url\":\"http:\\/\\/x\",\"s\":\"}{\\\"\",\"n\":{\"sign\":\"x\"}} ,\"sign\":\"abc\"}";
        let span = find_member(doc, "a_response").unwrap().unwrap();
        assert_eq!(
            span.of(doc),
            "{\"code\":\"10000\",\"url\":\"http:\\/\\/x\",\"s\":\"}{\\\"\",\"n\":{\"sign\":\"x\"}}"
        );
        assert_eq!(find_member(doc, "sign").unwrap().unwrap().of(doc), "\"abc\"");
        assert_eq!(find_member(doc, "missing").unwrap(), None);
    }

    #[test]
    fn string_values_keep_their_quotes() {
        let doc = r#"{"x_response":"4AOY+/==","sign":"s"}"#;
        assert_eq!(find_member(doc, "x_response").unwrap().unwrap().of(doc), "\"4AOY+/==\"");
    }

    #[test]
    fn malformed_documents_are_refused() {
        for bad in [
            "",
            "[]",
            "{\"a\":{\"b\":1}",
            "{\"a\":\"unterminated}",
            "{\"a\" 1}",
            "{\"a\":{}} trailing",
            "{\"a\":1,\"a\":2}",
            "{\"a\":}",
        ] {
            let err = find_member(bad, "a").unwrap_err();
            assert_eq!(err.code(), ErrorCode::ResponseMalformed, "{bad:?}");
        }
    }

    #[test]
    fn unbalanced_closers_do_not_underflow() {
        assert!(find_member("{\"a\":]}", "a").is_err());
        assert!(find_member("{\"a\":[}]}", "a").is_err());
        assert!(find_member("{\"a\":[1:2]}", "a").is_err());
    }

    #[test]
    fn names_are_compared_unescaped() {
        let doc = r#"{"resultCod\u0065":"succeed","resultCode":"failed"}"#;
        assert_eq!(find_member(doc, "resultCode").unwrap_err().code(), ErrorCode::ResponseMalformed);
        let doc = r#"{"a\/b":1,"\u0063":2}"#;
        assert_eq!(find_member(doc, "a/b").unwrap().unwrap().of(doc), "1");
        assert_eq!(find_member(doc, "c").unwrap().unwrap().of(doc), "2");
        assert!(find_member(r#"{"bad\x":1}"#, "a").is_err());
    }

    #[test]
    fn limits_bound_depth_members_and_size() {
        let limits = Limits { max_depth: 4, max_fields: 3, max_input_bytes: 200, ..Limits::default() };
        let scan = |doc: &str| top_level_members(doc, &limits).map(|m| m.len()).map_err(|e| e.code());
        assert_eq!(scan(r#"{"a":{"b":[{"c":1}]}}"#), Ok(1));
        assert_eq!(scan(r#"{"a":{"b":[{"c":[1]}]}}"#), Err(ErrorCode::TooDeep));
        assert_eq!(scan(r#"{"a":1,"b":2,"c":3}"#), Ok(3));
        assert_eq!(scan(r#"{"a":1,"b":2,"c":3,"d":4}"#), Err(ErrorCode::TooManyFields));
        assert_eq!(scan(r#"{"a":{"x":1,"y":2,"z":3,"w":4}}"#), Err(ErrorCode::TooManyFields));
        assert_eq!(scan(r#"{"a":[1,2,3,4,5,6,7,8]}"#), Ok(1));
        assert_eq!(scan(r#"{"a":"{{{{{{:::::"}"#), Ok(1));
        assert_eq!(scan(&format!(r#"{{"a":"{}"}}"#, "x".repeat(200))), Err(ErrorCode::InputTooLarge));
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(top_level_members(&deep, &Limits::default()).unwrap_err().code(), ErrorCode::TooDeep);
    }
}
