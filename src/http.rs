//! The sans-IO request shape every `build…` returns: the host sends it with `fetch` as is.

use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HttpRequest {
    pub method: &'static str,
    pub url: String,
    /// Header names in lower case, in the order they should be sent.
    pub headers: Vec<(String, String)>,
    /// `None` for requests without a body (GET).
    pub body: Option<String>,
}
