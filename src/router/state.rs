//! The OAuth `state`: signed by the merchant's secret, so that a redirect back from Alipay's or
//! WeChat's authorization cannot be forged, and expiring, so that an old one cannot be replayed.
//!
//! Layout (91 characters, all `[a-z0-9]`, within WeChat's 128 bytes of `a-zA-Z0-9` and Alipay's 100
//! Base64 characters): the wallet (`a` Alipay, `w` WeChat), the issue time in Unix seconds (10
//! digits), a 16-character nonce, and the HMAC-SHA256 (64 lower-case hex digits) under the secret of
//!
//! ```text
//! aggpay-state-v1\n{wallet}\n{issued at, 10 digits}\n{nonce}\n{binding}
//! ```
//!
//! `{wallet}` is `alipay` or `wechat`; `{binding}` is what the merchant binds the state to (the
//! buyer's session id, the code's store and table, …) and is not carried in the state: the merchant
//! presents it again to verify.

use zeroize::Zeroizing;

use super::wallet::Wallet;
use crate::crypto::digest::{constant_time_eq, hex_lower, hmac_sha256};
use crate::error::{Error, ErrorCode, Result};

/// The length of every state.
pub const STATE_LEN: usize = 1 + 10 + NONCE_LEN + 64;
/// The length of a state's nonce.
pub const NONCE_LEN: usize = 16;
/// The shortest secret accepted, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;
/// The default lifetime of a state: 10 minutes.
pub const DEFAULT_TTL_SECONDS: u64 = 600;
/// The longest lifetime a router may configure: one day.
pub const MAX_TTL_SECONDS: u64 = 86_400;
/// How far in the future an issue time may lie (the clocks of two servers differ).
const FUTURE_SKEW_SECONDS: u64 = 60;
/// The largest issue time 10 digits hold.
const MAX_SECONDS: u64 = 9_999_999_999;

/// The secret and lifetime states are signed and checked with. `Debug` never shows the secret.
pub struct StateKey {
    secret: Zeroizing<Vec<u8>>,
    ttl_seconds: u64,
}

impl std::fmt::Debug for StateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateKey").field("ttl_seconds", &self.ttl_seconds).finish_non_exhaustive()
    }
}

/// What a verified state says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifiedState {
    /// The wallet the authorization was for.
    pub wallet: Wallet,
    /// When the state was issued, in Unix seconds.
    pub issued_at: u64,
}

impl StateKey {
    /// `secret`: at least [`MIN_SECRET_BYTES`] bytes; `ttl_seconds`: 1 to [`MAX_TTL_SECONDS`].
    pub fn new(secret: &[u8], ttl_seconds: u64) -> Result<StateKey> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(Error::bad_input(format!(
                "Router config.stateSecret must be at least {MIN_SECRET_BYTES} bytes (a random secret of the merchant's server)"
            )));
        }
        if ttl_seconds == 0 || ttl_seconds > MAX_TTL_SECONDS {
            return Err(Error::bad_input(format!(
                "Router config.stateTtlSeconds must be a whole number from 1 to {MAX_TTL_SECONDS}"
            )));
        }
        Ok(StateKey { secret: Zeroizing::new(secret.to_vec()), ttl_seconds })
    }

    /// How long a state is valid, in seconds.
    pub fn ttl_seconds(&self) -> u64 {
        self.ttl_seconds
    }

    /// A state for `wallet` (Alipay or WeChat), issued at `now_seconds`, with `nonce` (16 characters
    /// of `[A-Za-z0-9]`, fresh for each authorization), bound to `binding`.
    pub fn issue(&self, wallet: Wallet, now_seconds: u64, nonce: &str, binding: &str) -> Result<String> {
        let letter = letter_of(wallet)
            .ok_or_else(|| Error::bad_input("a state is issued for the alipay or wechat wallet only"))?;
        if nonce.len() != NONCE_LEN || !nonce.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Error::bad_input(format!("the state nonce must be {NONCE_LEN} characters of A-Z, a-z, 0-9")));
        }
        if now_seconds > MAX_SECONDS {
            return Err(Error::bad_input("now is out of range"));
        }
        let issued = format!("{now_seconds:010}");
        let mac = self.mac(wallet, &issued, nonce, binding)?;
        Ok(format!("{letter}{issued}{nonce}{}", hex_lower(&mac)))
    }

    /// Checks `state` against this key, `binding`, and (when given) the wallet expected. Anything
    /// that is not a state this key issued for them is `ERR_STATE_INVALID`; one issued more than the
    /// lifetime before `now_seconds` (or over a minute after it) is `ERR_STATE_EXPIRED` — expiry is
    /// looked at only once the signature holds, so it tells a forger nothing.
    pub fn verify(
        &self,
        state: &str,
        expected: Option<Wallet>,
        binding: &str,
        now_seconds: u64,
    ) -> Result<VerifiedState> {
        let invalid = || {
            Error::new(
                ErrorCode::StateInvalid,
                "the state was not issued by this router (forged, altered, or for another binding)",
            )
        };
        let bytes = state.as_bytes();
        if bytes.len() != STATE_LEN || !bytes.iter().all(u8::is_ascii_alphanumeric) {
            return Err(invalid());
        }
        // All ASCII from here: slicing by bytes is slicing by characters.
        let wallet = match bytes[0] {
            b'a' => Wallet::Alipay,
            b'w' => Wallet::Wechat,
            _ => return Err(invalid()),
        };
        let issued = &state[1..11];
        let nonce = &state[11..11 + NONCE_LEN];
        let given_mac = &state[11 + NONCE_LEN..];
        let mac = self.mac(wallet, issued, nonce, binding)?;
        if !constant_time_eq(hex_lower(&mac).as_bytes(), given_mac.as_bytes()) {
            return Err(invalid());
        }
        if expected.is_some_and(|w| w != wallet) {
            return Err(Error::new(ErrorCode::StateInvalid, "the state was issued for another wallet"));
        }
        let issued_at: u64 = issued.parse().map_err(|_| invalid())?;
        if issued_at > now_seconds.saturating_add(FUTURE_SKEW_SECONDS) {
            return Err(Error::new(
                ErrorCode::StateExpired,
                "the state is dated in the future (are the clocks right?)",
            ));
        }
        if now_seconds - issued_at.min(now_seconds) > self.ttl_seconds {
            return Err(Error::new(
                ErrorCode::StateExpired,
                format!("the state expired (older than stateTtlSeconds, {} s): authorize again", self.ttl_seconds),
            ));
        }
        Ok(VerifiedState { wallet, issued_at })
    }

    fn mac(&self, wallet: Wallet, issued: &str, nonce: &str, binding: &str) -> Result<[u8; 32]> {
        let message = format!("aggpay-state-v1\n{}\n{issued}\n{nonce}\n{binding}", wallet.as_str());
        hmac_sha256(&self.secret, message.as_bytes())
    }
}

fn letter_of(wallet: Wallet) -> Option<char> {
    match wallet {
        Wallet::Alipay => Some('a'),
        Wallet::Wechat => Some('w'),
        Wallet::Other => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
    const NONCE: &str = "AbCdEf0123456789";

    #[test]
    fn known_answer_and_round_trip() {
        let key = StateKey::new(SECRET, 600).unwrap();
        let state = key.issue(Wallet::Wechat, 1_700_000_000, NONCE, "store=42&table=7").unwrap();
        assert_eq!(state.len(), STATE_LEN);
        // HMAC-SHA256 computed with `openssl dgst -sha256 -hmac 0123456789abcdef0123456789abcdef` over
        // printf 'aggpay-state-v1\nwechat\n1700000000\nAbCdEf0123456789\nstore=42&table=7'.
        assert_eq!(
            state,
            "w1700000000AbCdEf01234567890380e8904e412111191ddbf0e66f6ee085c6126dcc2e09251e89bbcb0b6d1ac4"
        );
        let verified = key.verify(&state, Some(Wallet::Wechat), "store=42&table=7", 1_700_000_600).unwrap();
        assert_eq!(verified, VerifiedState { wallet: Wallet::Wechat, issued_at: 1_700_000_000 });
        assert_eq!(
            key.verify(&state, None, "store=42&table=7", 1_700_000_601).unwrap_err().code(),
            ErrorCode::StateExpired
        );
        assert_eq!(
            key.verify(&state, None, "store=42&table=7", 1_699_999_000).unwrap_err().code(),
            ErrorCode::StateExpired
        );
        assert_eq!(
            key.verify(&state, None, "store=42&table=8", 1_700_000_001).unwrap_err().code(),
            ErrorCode::StateInvalid
        );
        assert_eq!(
            key.verify(&state, Some(Wallet::Alipay), "store=42&table=7", 1_700_000_001).unwrap_err().code(),
            ErrorCode::StateInvalid
        );
        let other = StateKey::new(b"another secret of thirty-two bytes!", 600).unwrap();
        assert_eq!(
            other.verify(&state, None, "store=42&table=7", 1_700_000_001).unwrap_err().code(),
            ErrorCode::StateInvalid
        );
    }

    #[test]
    fn every_altered_character_is_refused() {
        let key = StateKey::new(SECRET, 600).unwrap();
        let state = key.issue(Wallet::Alipay, 1_700_000_000, NONCE, "").unwrap();
        for i in 0..state.len() {
            let mut altered = state.clone().into_bytes();
            altered[i] = if altered[i] == b'0' { b'1' } else { b'0' };
            let altered = String::from_utf8(altered).unwrap();
            assert_eq!(
                key.verify(&altered, None, "", 1_700_000_001).unwrap_err().code(),
                ErrorCode::StateInvalid,
                "{i}"
            );
        }
        for bad in ["", "a", &state[..STATE_LEN - 1], &format!("{state}0"), &state.replace('a', "é")] {
            assert_eq!(key.verify(bad, None, "", 1_700_000_001).unwrap_err().code(), ErrorCode::StateInvalid);
        }
    }

    #[test]
    fn config_and_inputs_are_checked_and_the_secret_never_shown() {
        assert_eq!(StateKey::new(b"short", 600).unwrap_err().code(), ErrorCode::BadInput);
        assert_eq!(StateKey::new(SECRET, 0).unwrap_err().code(), ErrorCode::BadInput);
        assert_eq!(StateKey::new(SECRET, MAX_TTL_SECONDS + 1).unwrap_err().code(), ErrorCode::BadInput);
        let key = StateKey::new(SECRET, 60).unwrap();
        assert!(!format!("{key:?}").contains("0123456789abcdef"));
        assert!(key.issue(Wallet::Other, 1, NONCE, "").is_err());
        assert!(key.issue(Wallet::Alipay, 1, "short", "").is_err());
        assert!(key.issue(Wallet::Alipay, 1, "AbCdEf012345678-", "").is_err());
        assert!(key.issue(Wallet::Alipay, MAX_SECONDS + 1, NONCE, "").is_err());
    }
}
