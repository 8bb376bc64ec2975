//! Money as integer minor units plus an ISO 4217 currency — never a float — and its formats:
//! Alipay yuan strings (`"0.01"`), WeChat Pay fen integers (`1`), UseePay minor-unit strings (`"1"`).

use serde_json::Value;

use crate::error::{Error, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
/// An amount in integer minor units of an ISO 4217 currency. Never a float.
pub struct Money {
    minor: u64,
    currency: [u8; 3],
    exponent: u32,
}

/// ISO 4217 minor-unit exponents of the currencies aggpay's providers settle in or present.
const EXPONENTS: &[(&str, u32)] = &[
    ("AED", 2),
    ("AUD", 2),
    ("BHD", 3),
    ("BND", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CLP", 0),
    ("CNY", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("IQD", 3),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("KZT", 2),
    ("LKR", 2),
    ("LYD", 3),
    ("MNT", 2),
    ("MOP", 2),
    ("MXN", 2),
    ("MYR", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PHP", 2),
    ("PKR", 2),
    ("PLN", 2),
    ("QAR", 2),
    ("RUB", 2),
    ("SAR", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("THB", 2),
    ("TND", 3),
    ("TRY", 2),
    ("TWD", 2),
    ("UGX", 0),
    ("USD", 2),
    ("VND", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("ZAR", 2),
];

/// The largest amount accepted: within JavaScript's safe-integer range, so it survives JSON.
const MAX_MINOR: u64 = (1 << 53) - 1;

/// `{ "minor": 100, "currency": "CNY" }` — the shape results carry (`minor` is at most 2^53 − 1,
/// exact in a JS number).
impl serde::Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("Money", 2)?;
        out.serialize_field("minor", &self.minor)?;
        out.serialize_field("currency", self.currency())?;
        out.end()
    }
}

impl Money {
    /// `minor` units of `currency` (an ISO 4217 code the exponent table knows).
    pub fn new(minor: u64, currency: &str) -> Result<Money> {
        let upper = currency.to_ascii_uppercase();
        let exponent = EXPONENTS.iter().find(|(code, _)| *code == upper).map(|(_, e)| *e).ok_or_else(|| {
            Error::bad_input("unsupported currency (an ISO 4217 code such as CNY or HKD is expected)")
        })?;
        if minor > MAX_MINOR {
            return Err(Error::bad_input("amount is too large"));
        }
        let b = upper.as_bytes();
        Ok(Money { minor, currency: [b[0], b[1], b[2]], exponent })
    }

    /// Reads `{ "minor": 1, "currency": "CNY" }`; `minor` is a non-negative integer or a string of digits.
    pub fn from_json(value: &Value, field: &str) -> Result<Money> {
        let obj =
            value.as_object().ok_or_else(|| Error::bad_input(format!("{field} must be {{ minor, currency }}")))?;
        let currency = obj
            .get("currency")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::bad_input(format!("{field}.currency must be an ISO 4217 code")))?;
        let bad_minor =
            || Error::bad_input(format!("{field}.minor must be a non-negative integer number of minor units"));
        if obj.len() != 2 {
            return Err(Error::bad_input(format!("{field} must have exactly the fields minor and currency")));
        }
        match obj.get("minor") {
            Some(Value::Number(n)) => Money::new(n.as_u64().ok_or_else(bad_minor)?, currency),
            Some(Value::String(s)) => Money::parse_minor(s, currency).map_err(|_| bad_minor()),
            _ => Err(bad_minor()),
        }
    }

    /// Parses minor units written as ASCII digits only — no sign, space, decimal point, exponent,
    /// hex prefix or non-ASCII digit — as providers send integer amounts (`"100"` HKD cents).
    pub fn parse_minor(text: &str, currency: &str) -> Result<Money> {
        if text.is_empty() || text.len() > 20 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::bad_input("the amount is not an integer number of minor units"));
        }
        let minor = text.parse().map_err(|_| Error::bad_input("amount is too large"))?;
        Money::new(minor, currency)
    }

    /// Parses a decimal major-unit string such as `"12.30"` (at most `exponent` decimals).
    pub fn parse_decimal(text: &str, currency: &str) -> Result<Money> {
        let probe = Money::new(0, currency)?;
        let bad = || {
            Error::bad_input(format!(
                "the amount is not a {} amount with at most {} decimals",
                probe.currency(),
                probe.exponent
            ))
        };
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || (text.contains('.') && !digits(fraction)) || fraction.len() > probe.exponent as usize {
            return Err(bad());
        }
        let scale = 10u64.pow(probe.exponent);
        let whole: u64 = whole.parse().map_err(|_| bad())?;
        let fraction: u64 = if fraction.is_empty() {
            0
        } else {
            format!("{fraction:0<width$}", width = probe.exponent as usize).parse().map_err(|_| bad())?
        };
        let minor = whole.checked_mul(scale).and_then(|w| w.checked_add(fraction)).ok_or_else(bad)?;
        Money::new(minor, currency)
    }

    /// The amount in minor units (fen, cents, yen).
    pub fn minor(&self) -> u64 {
        self.minor
    }

    /// The ISO 4217 code, upper case.
    pub fn currency(&self) -> &str {
        // Built from an entry of EXPONENTS, so always ASCII.
        std::str::from_utf8(&self.currency).unwrap_or("???")
    }

    /// Major units with exactly `exponent` decimals: `"0.01"` CNY, `"100"` JPY, `"1.500"` BHD.
    pub fn to_decimal_string(&self) -> String {
        if self.exponent == 0 {
            return self.minor.to_string();
        }
        let scale = 10u64.pow(self.exponent);
        format!("{}.{:0width$}", self.minor / scale, self.minor % scale, width = self.exponent as usize)
    }

    /// Minor units as a decimal integer string (UseePay's `amount`).
    pub fn to_minor_string(&self) -> String {
        self.minor.to_string()
    }

    /// Refuses any currency but `expected` (e.g. Alipay's `total_amount` is always CNY).
    pub fn require_currency(self, expected: &str, field: &str) -> Result<Money> {
        if self.currency() == expected {
            Ok(self)
        } else {
            Err(Error::bad_input(format!("{field} must be in {expected}, got {}", self.currency())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn formats_per_exponent() {
        assert_eq!(Money::new(1, "CNY").unwrap().to_decimal_string(), "0.01");
        assert_eq!(Money::new(12345, "hkd").unwrap().to_decimal_string(), "123.45");
        assert_eq!(Money::new(100, "JPY").unwrap().to_decimal_string(), "100");
        assert_eq!(Money::new(1500, "BHD").unwrap().to_decimal_string(), "1.500");
        assert_eq!(Money::new(0, "CNY").unwrap().to_decimal_string(), "0.00");
        assert_eq!(Money::new(7, "HKD").unwrap().to_minor_string(), "7");
    }

    #[test]
    fn parses_decimals_exactly() {
        assert_eq!(Money::parse_decimal("0.01", "CNY").unwrap().minor(), 1);
        assert_eq!(Money::parse_decimal("12.3", "CNY").unwrap().minor(), 1230);
        assert_eq!(Money::parse_decimal("7", "CNY").unwrap().minor(), 700);
        assert_eq!(Money::parse_decimal("100", "JPY").unwrap().minor(), 100);
        for bad in ["", ".5", "1.", "1.234", "-1", "1e2", "0x10", " 1", "1,00", "99999999999999999999"] {
            assert!(Money::parse_decimal(bad, "CNY").is_err(), "{bad:?}");
        }
        assert!(Money::parse_decimal("1.5", "JPY").is_err());
    }

    #[test]
    fn parses_minor_units_strictly() {
        assert_eq!(Money::parse_minor("100", "HKD").unwrap().minor(), 100);
        assert_eq!(Money::parse_minor("0100", "HKD").unwrap().minor(), 100);
        assert_eq!(Money::parse_minor("9007199254740991", "HKD").unwrap().minor(), (1 << 53) - 1);
        for bad in [
            "",
            "+100",
            "-1",
            " 100 ",
            "1.00",
            "1e3",
            "0x64",
            "١٠٠",
            "１００",
            "18446744073709551616",
            "9007199254740992",
        ] {
            assert!(Money::parse_minor(bad, "HKD").is_err(), "{bad:?}");
        }
        assert!(Money::parse_minor("100", "XXX").is_err());
    }

    #[test]
    fn reads_json_money_and_refuses_floats() {
        assert_eq!(Money::from_json(&json!({"minor": 1, "currency": "CNY"}), "a").unwrap().minor(), 1);
        assert_eq!(Money::from_json(&json!({"minor": "250", "currency": "HKD"}), "a").unwrap().minor(), 250);
        for bad in [
            json!({"minor": 0.5, "currency": "CNY"}),
            json!({"minor": -1, "currency": "CNY"}),
            json!({"minor": 1, "currency": "XXX"}),
            json!({"minor": 1}),
            json!({"minor": 1, "currency": "CNY", "extra": 1}),
            json!(0.01),
            json!({"minor": 9007199254740992u64, "currency": "CNY"}),
        ] {
            assert!(Money::from_json(&bad, "a").is_err(), "{bad}");
        }
    }
}
