//! WeChat: mini-program login (`jscode2session`, `encryptedData`). WeChat Pay comes later as `pay/`.

pub mod login;

/// The provider name errors carry (`AggpayError.provider`).
pub const PROVIDER: &str = "wechat";
