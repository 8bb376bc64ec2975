//! Property tests (proptest): the form codec, the canonical string, and money, over generated input.
//! The fuzz targets in fuzz/ cover the network-facing parsers at length; these run with `cargo test`.

use aggpay::codec::canonical::{self, EmptyValues};
use aggpay::codec::form;
use aggpay::money::Money;
use proptest::prelude::*;
use serde_json::{Value, json};

/// Strings that matter to the form codec: its delimiters and escape characters, spaces, unreserved
/// characters, non-ASCII (two-, three- and four-byte UTF-8), or anything at all.
fn form_text() -> impl Strategy<Value = String> {
    prop_oneof!["[&=%+ a-zA-Z0-9*._~/?#-]{0,12}", "[&=%+ aé中😀\u{0}\u{7f}\u{80}]{0,12}", any::<String>()]
}

proptest! {
    #[test]
    fn form_encode_then_decode_gives_the_pairs_back(pairs in prop::collection::vec((form_text(), form_text()), 0..8)) {
        let encoded = form::encode(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        prop_assert!(encoded.is_ascii());
        let decoded = form::decode(encoded.as_bytes()).unwrap();
        let decoded: Vec<(Vec<u8>, Vec<u8>)> = decoded.iter().map(|(n, v)| (n.to_vec(), v.to_vec())).collect();
        let expected: Vec<(Vec<u8>, Vec<u8>)> =
            pairs.iter().map(|(n, v)| (n.as_bytes().to_vec(), v.as_bytes().to_vec())).collect();
        prop_assert_eq!(decoded, expected);
    }

    #[test]
    fn form_component_encoding_round_trips(text in form_text()) {
        let body = format!("k={}", form::encode_component(&text));
        prop_assert_eq!(form::decode(body.as_bytes()).unwrap().get("k").unwrap().to_vec(), text.into_bytes());
    }

    /// Any byte string, `%XX`-escaped throughout (either hex case), decodes to exactly those bytes.
    #[test]
    fn form_decodes_every_escaped_byte_once(
        pairs in prop::collection::vec((prop::collection::vec(any::<u8>(), 0..10), prop::collection::vec(any::<u8>(), 0..10)), 0..6),
        lower in any::<bool>(),
    ) {
        let escape = |bytes: &[u8]| -> String {
            bytes.iter().map(|b| if lower { format!("%{b:02x}") } else { format!("%{b:02X}") }).collect()
        };
        let body: Vec<String> = pairs.iter().map(|(n, v)| format!("{}={}", escape(n), escape(v))).collect();
        let decoded = form::decode(body.join("&").as_bytes()).unwrap();
        let decoded: Vec<(Vec<u8>, Vec<u8>)> = decoded.iter().map(|(n, v)| (n.to_vec(), v.to_vec())).collect();
        prop_assert_eq!(decoded, pairs);
    }

    #[test]
    fn form_decode_never_panics(body in prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200),
        "[&=%+0-9a-fA-Fg ]{0,60}".prop_map(String::into_bytes),
    ]) {
        if let Ok(pairs) = form::decode(&body) {
            // Every pair came from one non-empty `&`-separated segment.
            prop_assert!(pairs.len() <= body.split(|&b| b == b'&').filter(|s| !s.is_empty()).count());
        }
    }
}

/// The canonical string written out the plain way: leave out the excluded names and the empty
/// values, sort by name bytes keeping the received order of equal names, join `name=value` with `&`.
fn naive_canonical(pairs: &[(Vec<u8>, Vec<u8>)], excluded: &[&str], empty: EmptyValues) -> Vec<u8> {
    let mut kept: Vec<&(Vec<u8>, Vec<u8>)> = Vec::new();
    for pair in pairs {
        if excluded.iter().any(|x| x.as_bytes() == pair.0.as_slice()) {
            continue;
        }
        let blank = match empty {
            EmptyValues::Keep => false,
            EmptyValues::Drop => pair.1.is_empty(),
            EmptyValues::DropBlank => pair.1.iter().all(|&b| b <= b' '),
        };
        if blank {
            continue;
        }
        // Insertion after every name that is not greater: stable.
        let at = kept.iter().position(|k| k.0 > pair.0).unwrap_or(kept.len());
        kept.insert(at, pair);
    }
    let mut out = Vec::new();
    for (i, (name, value)) in kept.into_iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        out.extend_from_slice(name);
        out.push(b'=');
        out.extend_from_slice(value);
    }
    out
}

/// Names from a small set (so repeats and excluded names are common), or arbitrary bytes.
fn name() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::sample::select(vec!["sign", "sign_type", "a", "B", "b", "ab", "_", "中", "signType", ""])
            .prop_map(|s| s.as_bytes().to_vec()),
        prop::collection::vec(any::<u8>(), 0..6),
    ]
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::sample::select(vec!["", " ", "\t\n", "\u{b}\0 ", " x ", "1", "&=%"]).prop_map(|s| s.as_bytes().to_vec()),
        prop::collection::vec(any::<u8>(), 0..8),
    ]
}

proptest! {
    #[test]
    fn canonical_string_is_the_naive_one(
        pairs in prop::collection::vec((name(), value()), 0..12),
        excluded in prop::sample::subsequence(vec!["sign", "sign_type", "signType", "b"], 0..=4),
        empty in prop::sample::select(vec![EmptyValues::Keep, EmptyValues::Drop, EmptyValues::DropBlank]),
    ) {
        let built = canonical::build(pairs.iter().map(|(n, v)| (n.as_slice(), v.as_slice())), &excluded, empty);
        prop_assert_eq!(built, naive_canonical(&pairs, &excluded, empty));
    }
}

/// The currencies of `money.rs` (every exponent it supports: 0, 2 and 3).
const CURRENCIES: &[&str] = &[
    "AED", "AUD", "BHD", "BND", "CAD", "CHF", "CLP", "CNY", "CZK", "DKK", "EUR", "GBP", "HKD", "HUF", "IDR", "ILS",
    "INR", "IQD", "ISK", "JOD", "JPY", "KRW", "KWD", "KZT", "LKR", "LYD", "MNT", "MOP", "MXN", "MYR", "NOK", "NZD",
    "OMR", "PHP", "PKR", "PLN", "QAR", "RUB", "SAR", "SEK", "SGD", "THB", "TND", "TRY", "TWD", "UGX", "USD", "VND",
    "XAF", "XOF", "ZAR",
];

const MAX_MINOR: u64 = (1 << 53) - 1;

/// A currency's exponent, read from how one minor unit prints.
fn exponent(currency: &str) -> usize {
    Money::new(1, currency).unwrap().to_decimal_string().split_once('.').map_or(0, |(_, f)| f.len())
}

fn minor() -> impl Strategy<Value = u64> {
    prop_oneof![0..=MAX_MINOR, 0u64..100_000, Just(MAX_MINOR), (0u32..=53).prop_map(|p| (1u64 << p) - 1)]
}

#[test]
fn every_exponent_is_covered() {
    let mut seen: Vec<usize> = CURRENCIES.iter().map(|c| exponent(c)).collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen, [0, 2, 3]);
}

proptest! {
    #[test]
    fn money_decimal_string_round_trips(currency in prop::sample::select(CURRENCIES), minor in minor()) {
        let money = Money::new(minor, currency).unwrap();
        let text = money.to_decimal_string();
        // Exactly `exponent` decimals, and the digits are the minor units.
        let e = exponent(currency);
        match text.split_once('.') {
            Some((whole, fraction)) => {
                prop_assert_eq!(fraction.len(), e);
                prop_assert!(!whole.is_empty() && (whole == "0" || !whole.starts_with('0')));
            }
            None => prop_assert_eq!(e, 0),
        }
        prop_assert_eq!(text.replace('.', "").parse::<u64>().unwrap(), minor);
        prop_assert_eq!(Money::parse_decimal(&text, currency).unwrap(), money);
        prop_assert_eq!(Money::parse_decimal(&text, &currency.to_ascii_lowercase()).unwrap().minor(), minor);
        // Trailing zero decimals may be left out.
        if let Some((whole, fraction)) = text.split_once('.') {
            let short = fraction.trim_end_matches('0');
            let shorter = if short.is_empty() { whole.to_owned() } else { format!("{whole}.{short}") };
            prop_assert_eq!(Money::parse_decimal(&shorter, currency).unwrap(), money);
        }
        prop_assert_eq!(Money::new(minor, currency).unwrap().to_minor_string(), minor.to_string());
    }

    #[test]
    fn money_refuses_amounts_past_2_pow_53(currency in prop::sample::select(CURRENCIES), over in (MAX_MINOR + 1)..=u64::MAX) {
        prop_assert!(Money::new(over, currency).is_err());
        let value = json!({ "minor": over, "currency": currency });
        prop_assert!(Money::from_json(&value, "amount").is_err());
    }

    #[test]
    fn money_from_json_takes_integers(currency in prop::sample::select(CURRENCIES), minor in minor()) {
        for doc in [format!(r#"{{"minor":{minor},"currency":"{currency}"}}"#), format!(r#"{{"currency":"{currency}","minor":"{minor}"}}"#)] {
            let value: Value = serde_json::from_str(&doc).unwrap();
            prop_assert_eq!(Money::from_json(&value, "amount").unwrap().minor(), minor);
        }
    }

    /// A float is never an amount: not a float value, nor any number written with a fraction or
    /// an exponent, even when its value is whole.
    #[test]
    fn money_from_json_refuses_floats(
        currency in prop::sample::select(CURRENCIES),
        minor in minor(),
        float in any::<f64>(),
        form in 0usize..6,
    ) {
        let text = match form {
            0 => format!("{minor}.0"),
            1 => format!("{minor}.5"),
            2 => format!("{minor}e0"),
            3 => format!("{minor}E2"),
            4 => format!("-{minor}"),
            _ => format!("{minor}.{minor}"),
        };
        let doc: Value = serde_json::from_str(&format!(r#"{{"minor":{text},"currency":"{currency}"}}"#)).unwrap();
        prop_assert!(Money::from_json(&doc, "amount").is_err(), "{} accepted", text);
        let value = json!({ "minor": float, "currency": currency });
        prop_assert!(Money::from_json(&value, "amount").is_err(), "{:?} accepted", float);
    }
}
