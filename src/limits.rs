//! Input limits. Everything that reaches aggpay from the network (notification bodies, provider
//! responses, headers) and every key is checked against these before anything large is allocated;
//! each limit has its own error code. The defaults are far above what real notifications and
//! responses carry, and each client can narrow or widen them (within hard bounds) with its
//! `limits` option.

use crate::error::{Error, ErrorCode, Result};

/// The limits one client applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest body, response or other network input, in bytes (`ERR_INPUT_TOO_LARGE`).
    pub max_input_bytes: usize,
    /// Most form fields, or top-level JSON members, one message may carry (`ERR_TOO_MANY_FIELDS`).
    pub max_fields: usize,
    /// Deepest JSON nesting of a provider response (`ERR_TOO_DEEP`).
    pub max_depth: usize,
    /// Smallest RSA modulus accepted, private or public, in bits (`ERR_KEY_SIZE`).
    pub min_key_bits: usize,
    /// Largest RSA modulus accepted, private or public, in bits (`ERR_KEY_SIZE`).
    pub max_key_bits: usize,
}

/// Real notifications are a few KiB; Alipay and UseePay responses rarely exceed tens of KiB.
pub const DEFAULT_MAX_INPUT_BYTES: usize = 1024 * 1024;
/// Alipay notifications carry about 40 fields, UseePay's about 30.
pub const DEFAULT_MAX_FIELDS: usize = 1000;
/// Provider responses nest a handful of levels.
pub const DEFAULT_MAX_DEPTH: usize = 64;
/// The hard bounds a client may configure within. 128 is serde_json's own recursion limit.
const MAX_INPUT_BYTES_BOUND: usize = 64 * 1024 * 1024;
const MAX_FIELDS_BOUND: usize = 1_000_000;
const MAX_DEPTH_BOUND: usize = 128;
/// RSA keys: 1024 bits (legacy Alipay `RSA` apps) to 4096 bits, the same for both roles. Larger
/// private keys make every signature cost seconds in Wasm; smaller ones are breakable.
pub const KEY_BITS_FLOOR: usize = 1024;
/// The largest `maxKeyBits` a client may configure.
pub const KEY_BITS_CEILING: usize = 4096;

/// A client's `limits` option as given: `{ maxInputBytes, maxFields, maxDepth, minKeyBits,
/// maxKeyBits }`, each optional (absent means the default).
#[derive(Clone, Copy, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct LimitsConfig {
    max_input_bytes: Option<f64>,
    max_fields: Option<f64>,
    max_depth: Option<f64>,
    min_key_bits: Option<f64>,
    max_key_bits: Option<f64>,
}

/// The defaults, as a constant (for statics and tests).
pub const DEFAULTS: Limits = Limits {
    max_input_bytes: DEFAULT_MAX_INPUT_BYTES,
    max_fields: DEFAULT_MAX_FIELDS,
    max_depth: DEFAULT_MAX_DEPTH,
    min_key_bits: KEY_BITS_FLOOR,
    max_key_bits: KEY_BITS_CEILING,
};

impl Default for Limits {
    fn default() -> Self {
        DEFAULTS
    }
}

impl Limits {
    /// A client's `limits` option, checked; absent settings take the defaults.
    pub(crate) fn from_config(config: Option<LimitsConfig>) -> Result<Limits> {
        let mut limits = Limits::default();
        let Some(config) = config else { return Ok(limits) };
        let read = |name: &str, value: Option<f64>, low: usize, high: usize, slot: &mut usize| -> Result<()> {
            if let Some(n) = value {
                if n.fract() != 0.0 || n < low as f64 || n > high as f64 {
                    return Err(Error::bad_input(format!("limits.{name} must be a whole number from {low} to {high}")));
                }
                *slot = n as usize;
            }
            Ok(())
        };
        read("maxInputBytes", config.max_input_bytes, 1, MAX_INPUT_BYTES_BOUND, &mut limits.max_input_bytes)?;
        read("maxFields", config.max_fields, 1, MAX_FIELDS_BOUND, &mut limits.max_fields)?;
        read("maxDepth", config.max_depth, 1, MAX_DEPTH_BOUND, &mut limits.max_depth)?;
        read("minKeyBits", config.min_key_bits, KEY_BITS_FLOOR, KEY_BITS_CEILING, &mut limits.min_key_bits)?;
        read("maxKeyBits", config.max_key_bits, KEY_BITS_FLOOR, KEY_BITS_CEILING, &mut limits.max_key_bits)?;
        if limits.min_key_bits > limits.max_key_bits {
            return Err(Error::bad_input("limits.minKeyBits must not exceed limits.maxKeyBits"));
        }
        Ok(limits)
    }

    /// `ERR_INPUT_TOO_LARGE` when `len` bytes of `what` exceed the input limit.
    pub fn check_input(&self, len: usize, what: &str) -> Result<()> {
        if len > self.max_input_bytes {
            return Err(Error::new(
                ErrorCode::InputTooLarge,
                format!("{what} is {len} bytes; the limit is {} (limits.maxInputBytes)", self.max_input_bytes),
            ));
        }
        Ok(())
    }

    /// `ERR_TOO_MANY_FIELDS` when a message of `what` carries more than `max_fields` fields.
    pub fn check_fields(&self, count: usize, what: &str) -> Result<()> {
        if count > self.max_fields {
            return Err(Error::new(
                ErrorCode::TooManyFields,
                format!("{what} has more than {} fields (limits.maxFields)", self.max_fields),
            ));
        }
        Ok(())
    }

    /// `ERR_TOO_DEEP` when JSON in `what` nests deeper than `max_depth`.
    pub fn too_deep(&self, what: &str) -> Error {
        Error::new(ErrorCode::TooDeep, format!("{what} nests deeper than {} levels (limits.maxDepth)", self.max_depth))
    }

    /// `ERR_KEY_SIZE` unless an RSA modulus of `bits` is within the size policy.
    pub fn check_key_bits(&self, bits: usize, role: &str) -> Result<()> {
        if bits < self.min_key_bits || bits > self.max_key_bits {
            return Err(Error::new(
                ErrorCode::KeySize,
                format!(
                    "{role}: a {bits}-bit RSA key is outside the accepted sizes, {} to {} bits",
                    self.min_key_bits, self.max_key_bits
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Config {
        limits: Option<LimitsConfig>,
    }

    fn from_json(limits: &serde_json::Value) -> crate::Result<Limits> {
        let config: Config = crate::options::read(&json!({ "limits": limits }), "config")?;
        Limits::from_config(config.limits)
    }

    #[test]
    fn defaults_and_overrides() {
        assert_eq!(Limits::from_config(None).unwrap(), Limits::default());
        let l = from_json(&json!({ "maxInputBytes": 4096, "minKeyBits": 2048 })).unwrap();
        assert_eq!((l.max_input_bytes, l.min_key_bits, l.max_fields), (4096, 2048, DEFAULT_MAX_FIELDS));
        for bad in [
            json!({ "maxInputBytes": 0 }),
            json!({ "maxInputBytes": 1.5 }),
            json!({ "maxDepth": 129 }),
            json!({ "maxKeyBits": 8192 }),
            json!({ "minKeyBits": 512 }),
            json!({ "minKeyBits": 4096, "maxKeyBits": 2048 }),
            json!({ "maxBody": 1 }),
            json!("big"),
        ] {
            assert_eq!(from_json(&bad).unwrap_err().code(), ErrorCode::BadInput, "{bad}");
        }
    }

    #[test]
    fn each_limit_has_its_own_code() {
        let l = Limits::default();
        assert_eq!(l.check_input(DEFAULT_MAX_INPUT_BYTES + 1, "body").unwrap_err().code(), ErrorCode::InputTooLarge);
        assert!(l.check_input(DEFAULT_MAX_INPUT_BYTES, "body").is_ok());
        assert_eq!(l.check_fields(DEFAULT_MAX_FIELDS + 1, "body").unwrap_err().code(), ErrorCode::TooManyFields);
        assert_eq!(l.too_deep("response").code(), ErrorCode::TooDeep);
        assert_eq!(l.check_key_bits(512, "key").unwrap_err().code(), ErrorCode::KeySize);
        assert_eq!(l.check_key_bits(16384, "key").unwrap_err().code(), ErrorCode::KeySize);
        assert!(l.check_key_bits(2048, "key").is_ok());
    }
}
