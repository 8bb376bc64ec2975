//! WeChat: mini-program login (`jscode2session`, `encryptedData`) and WeChat Pay APIv3 (`pay`).

pub mod login;
pub mod pay;

/// The provider name errors carry (`AggpayError.provider`).
pub const PROVIDER: &str = "wechat";
