//! `codec::json_node::top_level_members`: spans in bounds, on char boundaries, in document order,
//! names the unescaped key text; and where serde_json also reads the document, the same members
//! with each value span that member's value.
#![no_main]

use aggpay::ErrorCode;
use aggpay_fuzz::top_level_members;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let scanned = top_level_members(text);
    let parsed: Option<serde_json::Map<String, Value>> = match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    };
    match &scanned {
        Ok(members) => {
            let mut previous_end = 0;
            for m in members {
                for span in [&m.key, &m.value] {
                    assert!(span.start <= span.end && span.end <= text.len(), "span out of bounds");
                    assert!(
                        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
                        "span off a char boundary"
                    );
                }
                assert!(previous_end < m.key.start, "members overlap or are out of order");
                assert_eq!(text.as_bytes()[m.key.start - 1], b'"', "key span not after a quote");
                assert_eq!(text.as_bytes().get(m.key.end), Some(&b'"'), "key span not before a quote");
                assert!(m.key.end < m.value.start && m.value.start < m.value.end, "value span empty or before its key");
                let unescaped: String =
                    serde_json::from_str(&text[m.key.start - 1..m.key.end + 1]).expect("a key serde_json cannot read");
                assert_eq!(m.name, unescaped, "name is not the unescaped key");
                previous_end = m.value.end;
            }
            if let Some(map) = &parsed {
                assert_eq!(map.len(), members.len(), "serde_json sees other members");
                for m in members {
                    let alone: Value =
                        serde_json::from_str(m.value.of(text)).expect("a value span serde_json cannot read");
                    assert_eq!(Some(&alone), map.get(m.name.as_ref()), "value span of {:?} is not its value", m.name);
                }
            }
        }
        Err(e) => {
            let code = e.code();
            assert!(
                matches!(
                    code,
                    ErrorCode::ResponseMalformed
                        | ErrorCode::TooDeep
                        | ErrorCode::TooManyFields
                        | ErrorCode::InputTooLarge
                ),
                "unexpected error code {code:?}: {e}"
            );
            // A document serde_json reads as an object is refused only for a repeated name or a limit.
            if parsed.is_some() && code == ErrorCode::ResponseMalformed {
                assert!(e.message().contains("more than one"), "a valid JSON object was refused: {e}");
            }
        }
    }
});
