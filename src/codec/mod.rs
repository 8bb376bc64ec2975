//! Text codecs shared by every provider: the form codec, the canonical `k=v&…` string, raw JSON
//! node extraction, and epoch → Beijing time.

pub mod canonical;
pub mod form;
pub mod json_node;
pub mod time;
