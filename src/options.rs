//! Reading configuration and argument objects (JSON values handed over from JS) into serde structs
//! with `deny_unknown_fields`. Error messages name the field and what it must be, never its value:
//! a value may be a key.
//!
//! One naming convention for every provider: aggpay's own arguments and options are camelCase
//! (`refreshToken`, `notifyUrl`, `transactionId`). A snake_case or otherwise misspelt name is refused
//! with the spelling it resembles (`refresh_token: did you mean refreshToken?`). A provider's own
//! document — Alipay's `biz_content` — keeps the provider's names: it is sent exactly as given.

use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};

/// `value` (an object from JS) as `T`; `what` names it in errors (`"Alipay config"`).
pub(crate) fn read<'a, T: Deserialize<'a>>(value: &'a Value, what: &str) -> Result<T> {
    if !value.is_object() {
        return Err(Error::bad_input(format!("{what} must be an object")));
    }
    serde_path_to_error::deserialize(value).map_err(|e| explain(&e, what))
}

/// A message for a serde error that names the field and what it must be — never the value, which
/// serde's own messages quote.
fn explain(error: &serde_path_to_error::Error<serde_json::Error>, what: &str) -> Error {
    let path = error.path().to_string();
    let at = if path == "." { what.to_owned() } else { format!("{what}.{path}") };
    let inner = error.inner().to_string();
    let quoted = |text: &str| text.split('`').skip(1).step_by(2).map(str::to_owned).collect::<Vec<_>>();
    if let Some(rest) = inner.strip_prefix("unknown field ") {
        let (name, expected) = rest.split_once(", expected").unwrap_or((rest, ""));
        let name = quoted(name).into_iter().next().unwrap_or_default();
        // A name is echoed only when it looks like one: whatever else was put there is not quoted.
        let shown = match name.len() <= 32 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            true => format!("{name:?}"),
            false => "(a name that is not an identifier)".to_owned(),
        };
        let known = quoted(expected);
        let simple = |s: &str| s.replace(['_', '-'], "").to_ascii_lowercase();
        let hint = match known.iter().find(|k| simple(k) == simple(&name)) {
            Some(k) => format!("; did you mean {k}?"),
            None if known.is_empty() => String::new(),
            None => format!(" (known: {})", known.join(", ")),
        };
        // The path of an unknown field ends with the field itself: name the object holding it.
        let parent = match path.rsplit_once('.') {
            Some((object, _)) if !object.is_empty() => format!("{what}.{object}"),
            _ => what.to_owned(),
        };
        return Error::bad_input(format!("{parent}: unknown option {shown}{hint}"));
    }
    if let Some(rest) = inner.strip_prefix("missing field ") {
        let name = quoted(rest).into_iter().next().unwrap_or_default();
        return Error::bad_input(format!("{at}.{name} is required"));
    }
    for kind in ["invalid type", "invalid value", "invalid length"] {
        if inner.starts_with(kind) {
            // Everything after "expected" comes from our own types, never from the input.
            let expected = inner.rsplit_once(", expected ").map_or("", |(_, e)| e);
            let expected = match expected {
                "a borrowed string" | "a string" => "a string",
                "u8" | "u16" | "u32" | "u64" | "usize" => "a non-negative whole number",
                "f32" | "f64" => "a number",
                "a boolean" => "a boolean",
                "a map" => "an object",
                e if e.starts_with("struct ") => "an object",
                e if e.starts_with("a sequence") => "a list",
                _ => "of another type",
            };
            return Error::bad_input(format!("{at} must be {expected}"));
        }
    }
    // "data did not match any variant" (an untagged enum) and anything else serde may say: its text
    // could quote the value, so it is not passed on.
    Error::bad_input(format!("{at} has the wrong type"))
}

/// A string option as given: `None` when absent, `null` or empty.
pub(crate) fn given(text: Option<&str>) -> Option<&str> {
    text.filter(|t| !t.is_empty())
}

/// A required string option: `ERR_BAD_INPUT` naming it when absent, `null` or empty.
pub(crate) fn required<'a>(text: Option<&'a str>, what: &str) -> Result<&'a str> {
    given(text).ok_or_else(|| Error::bad_input(format!("{what} is required")))
}

/// One text, or a list of them (a provider certificate, or several while the provider rotates it).
#[derive(serde::Deserialize)]
#[serde(untagged)]
pub(crate) enum OneOrMore<'a> {
    One(&'a str),
    More(Vec<&'a str>),
}

/// The texts of an optional [`OneOrMore`] option: none when absent or empty; a list must be
/// non-empty and hold no empty text (`ERR_BAD_INPUT` naming `what`).
pub(crate) fn texts<'a>(option: Option<OneOrMore<'a>>, what: &str) -> Result<Vec<&'a str>> {
    match option {
        None => Ok(Vec::new()),
        Some(OneOrMore::One(text)) => Ok(given(Some(text)).into_iter().collect()),
        Some(OneOrMore::More(list)) if !list.is_empty() && list.iter().all(|t| !t.is_empty()) => Ok(list),
        Some(OneOrMore::More(_)) => {
            Err(Error::bad_input(format!("{what} must be a certificate, or a non-empty list of them")))
        }
    }
}

// Only the bindings copy configs in from JS; the tests check the wiping natively.
#[cfg(any(target_arch = "wasm32", test))]
pub(crate) use wiped::WipedOnDrop;

#[cfg(any(target_arch = "wasm32", test))]
mod wiped {
    use serde_json::Value;
    use zeroize::Zeroize;

    /// A configuration value (it holds private keys, MD5 keys, secrets) whose strings are
    /// overwritten when it is dropped: the clients keep what they parsed, and the text is not left
    /// behind in freed memory.
    pub(crate) struct WipedOnDrop(pub Value);

    impl std::ops::Deref for WipedOnDrop {
        type Target = Value;
        fn deref(&self) -> &Value {
            &self.0
        }
    }

    impl Drop for WipedOnDrop {
        fn drop(&mut self) {
            wipe(&mut self.0);
        }
    }

    pub(super) fn wipe(value: &mut Value) {
        match value {
            Value::String(text) => text.zeroize(),
            Value::Array(items) => items.iter_mut().for_each(wipe),
            Value::Object(map) => map.values_mut().for_each(wipe),
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct Sample<'a> {
        refresh_token: Option<&'a str>,
        nested: Option<Inner>,
    }

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct Inner {
        max_depth: Option<u32>,
    }

    #[test]
    fn errors_name_fields_and_hint_spellings_never_values() {
        let message = |v: Value| read::<Sample>(&v, "args").unwrap_err().message().to_owned();
        assert_eq!(
            message(serde_json::json!({ "refresh_token": "SECRET" })),
            "args: unknown option \"refresh_token\"; did you mean refreshToken?"
        );
        assert_eq!(message(serde_json::json!({ "refreshToken": 42 })), "args.refreshToken must be a string");
        assert_eq!(
            message(serde_json::json!({ "nested": { "maxDepth": "SECRET" } })),
            "args.nested.maxDepth must be a non-negative whole number"
        );
        assert_eq!(
            message(serde_json::json!({ "nested": { "depth": 1 } })),
            "args.nested: unknown option \"depth\" (known: maxDepth)"
        );
        assert_eq!(message(serde_json::json!({ "nested": "SECRET" })), "args.nested must be an object");
        assert_eq!(message(serde_json::json!("SECRET")), "args must be an object");
        let value = serde_json::json!({ "refreshToken": null, "nested": { "maxDepth": 3 } });
        let sample = read::<Sample>(&value, "args").unwrap();
        assert_eq!((sample.refresh_token, sample.nested.and_then(|n| n.max_depth)), (None, Some(3)));
    }

    #[test]
    fn wipe_empties_every_string() {
        let mut v = serde_json::json!({ "privateKey": "MIIE", "nested": { "list": ["a", 1, null] } });
        wiped::wipe(&mut v);
        assert_eq!(v, serde_json::json!({ "privateKey": "", "nested": { "list": ["", 1, null] } }));
        let config = WipedOnDrop(serde_json::json!({ "md5Key": "k" }));
        assert_eq!(config["md5Key"], "k");
    }
}
