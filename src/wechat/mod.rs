//! WeChat: mini-program login (`jscode2session`, `encryptedData`), the scanned URL of a mini
//! program's launch options (`launch`), official-account web authorization (`oauth`) and WeChat Pay
//! APIv3 (`pay`).

pub mod launch;
pub mod login;
pub mod oauth;
pub mod pay;

/// The provider name errors carry (`AggpayError.provider`).
pub const PROVIDER: &str = "wechat";
