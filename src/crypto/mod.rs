//! Cryptographic primitives, all from RustCrypto crates; nothing here is hand-rolled.
//!
//! - [`step`]: the two-step engine seam every RSA signature goes through.
//! - [`rsa`]: the in-core engine's RSASSA-PKCS1-v1_5 (SHA-256, SHA-1); RSAES-OAEP, RSAES-PKCS1-v1_5.
//! - [`aes`]: AES-GCM, AES-128-CBC, AES-256-ECB.
//! - [`digest`]: MD5, SHA-1, SHA-256, HMAC-SHA256, constant-time comparison.

pub mod aes;
pub mod digest;
pub mod rsa;
pub mod step;
