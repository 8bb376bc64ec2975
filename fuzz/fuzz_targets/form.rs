//! `codec::form`: `decode`, `decode_unique` (agreement between the two, limits honoured), and
//! `encode` → `decode` round trips.
#![no_main]

use aggpay::ErrorCode;
use aggpay::codec::form;
use aggpay_fuzz::{decode_unique, decode_unique_with, limits};
use libfuzzer_sys::fuzz_target;

fn has_repeated_name(pairs: &form::Form) -> bool {
    let mut names: Vec<&[u8]> = pairs.iter().map(|(name, _)| name).collect();
    names.sort_unstable();
    names.windows(2).any(|w| w[0] == w[1])
}

fn segments(body: &[u8]) -> usize {
    body.split(|&b| b == b'&').filter(|s| !s.is_empty()).count()
}

fuzz_target!(|data: &[u8]| {
    let plain = form::decode(data);
    let unique = decode_unique(data);
    match (&plain, &unique) {
        (Ok(p), Ok(u)) => {
            assert_eq!(p, u, "decode_unique must decode as decode does");
            assert!(!has_repeated_name(u), "decode_unique accepted a repeated name");
        }
        (Err(_), Ok(_)) => panic!("decode_unique accepted a body that decode refuses"),
        (Ok(p), Err(e)) => match e.code() {
            ErrorCode::BadInput => assert!(has_repeated_name(p), "decode_unique refused a body without repeats: {e}"),
            ErrorCode::TooManyFields => assert!(segments(data) > limits().max_fields, "{e}"),
            ErrorCode::InputTooLarge => assert!(data.len() > limits().max_input_bytes, "{e}"),
            other => panic!("decode_unique: unexpected error code {other:?}: {e}"),
        },
        (Err(_), Err(_)) => {}
    }

    // Tight limits are honoured.
    if let Some(&first) = data.first() {
        let mut tight = limits();
        tight.max_fields = usize::from(first % 16) + 1;
        tight.max_input_bytes = 256 + usize::from(first) * 16;
        if let Ok(pairs) = decode_unique_with(data, &tight) {
            assert!(pairs.len() <= tight.max_fields && data.len() <= tight.max_input_bytes);
        }
    }

    // Decoded pairs that are UTF-8 encode and decode back to themselves.
    if let Ok(pairs) = &plain {
        let text: Option<Vec<(String, String)>> = pairs
            .iter()
            .map(|(name, value)| {
                Some((String::from_utf8(name.to_vec()).ok()?, String::from_utf8(value.to_vec()).ok()?))
            })
            .collect();
        if let Some(text) = text {
            let encoded = form::encode(text.iter().map(|(n, v)| (n.as_str(), v.as_str())));
            let back = form::decode(encoded.as_bytes()).expect("decode refused what encode produced");
            assert_eq!(&back, pairs, "encode → decode changed the pairs");
        }
    }

    // Arbitrary strings (NUL-separated, alternately name and value) survive encode → decode.
    let text = String::from_utf8_lossy(data);
    let parts: Vec<&str> = text.split('\0').collect();
    let pairs: Vec<(&str, &str)> = parts.chunks(2).map(|c| (c[0], c.get(1).copied().unwrap_or(""))).collect();
    let encoded = form::encode(pairs.iter().copied());
    assert!(encoded.is_ascii(), "encode produced non-ASCII");
    let back = form::decode(encoded.as_bytes()).expect("decode refused what encode produced");
    assert_eq!(back.len(), pairs.len());
    for (got, (name, value)) in back.iter().zip(&pairs) {
        assert_eq!(got, (name.as_bytes(), value.as_bytes()));
    }
});
