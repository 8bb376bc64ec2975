//! WeChat: mini-program login (`jscode2session`, `encryptedData`). WeChat Pay comes later as `pay/`.

pub mod login;

pub const PROVIDER: &str = "wechat";
