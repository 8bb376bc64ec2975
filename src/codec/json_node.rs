//! Finds the raw text of one top-level member of a JSON object, byte for byte as received — the
//! text a provider signed. Nothing is re-serialized: escapes (`\/`, `\uXXXX`), white space and key
//! order stay exactly as they came.

use crate::error::{Error, Result};

/// Where a member's value sits in the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn of<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start..self.end]
    }
}

/// Every top-level member as (key span without quotes, value span), in document order. A value is
/// an object, array, string with its quotes, or literal. A document that is not one JSON object, or
/// is truncated, is `ERR_RESPONSE_MALFORMED`; so is a name that occurs twice (which of the two was
/// meant would be ambiguous).
pub fn top_level_members(text: &str) -> Result<Vec<(Span, Span)>> {
    let members = scan_members(text)?;
    let mut seen = std::collections::HashSet::with_capacity(members.len());
    for (key, _) in &members {
        if !seen.insert(key.of(text)) {
            return Err(Error::malformed(format!("the response has more than one {:?} member", key.of(text))));
        }
    }
    Ok(members)
}

fn scan_members(text: &str) -> Result<Vec<(Span, Span)>> {
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
        let key_end = string_end(b, i)?;
        let key = Span { start: i + 1, end: key_end - 1 };
        i = skip_ws(b, key_end);
        if b.get(i) != Some(&b':') {
            return Err(truncated_or_bad(b, i));
        }
        i = skip_ws(b, i + 1);
        let value_end = value_end(b, i)?;
        members.push((key, Span { start: i, end: value_end }));
        i = skip_ws(b, value_end);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b'}') => return check_trailing(b, i + 1).map(|()| members),
            _ => return Err(truncated_or_bad(b, i)),
        }
    }
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

/// End (exclusive) of the value starting at `i`: containers by bracket depth, strings skipped.
fn value_end(b: &[u8], i: usize) -> Result<usize> {
    match b.get(i) {
        None => Err(Error::malformed("the response JSON is truncated")),
        Some(b'"') => string_end(b, i),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = string_end(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
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
        Ok(top_level_members(text)?.into_iter().find(|(k, _)| k.of(text) == name).map(|(_, v)| v))
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
    }
}
