//! aggpay — the signing and payload core for "one code, many wallets" payments.
//!
//! Sans-IO: the core turns inputs (configuration, keys, business fields, raw provider responses)
//! into outputs (signed requests, verified and parsed results). It does no I/O and reads no clock or
//! randomness except the RSA blinding / OAEP padding randomness the `rsa` crate takes from getrandom;
//! timestamps and nonces are always passed in.
//!
//! The `wasm` module (Wasm builds only) is a thin wasm-bindgen layer over this core.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod alipay;
pub mod checkout;
pub mod codec;
pub mod crypto;
pub mod error;
pub mod explain;
pub mod http;
pub mod keys;
pub mod limits;
pub mod money;
pub(crate) mod options;
pub mod router;
pub mod useepay;
pub mod wechat;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use error::{Error, ErrorCode, ProviderDetail, Result};
pub use limits::Limits;
