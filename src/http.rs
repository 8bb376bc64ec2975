//! The sans-IO request shape every `build…` returns: the host sends it with `fetch` as is.

#[derive(Clone, Debug, PartialEq, Eq)]
/// A request to send: the host sends it with `fetch` exactly as built.
pub struct HttpRequest {
    /// `GET`, `POST`, …
    pub method: &'static str,
    /// The full URL, query string included.
    pub url: String,
    /// Header names in lower case, in the order they should be sent.
    pub headers: Vec<(String, String)>,
    /// `None` for requests without a body (GET).
    pub body: Option<String>,
}

/// The exact answer a provider expects to a notification: HTTP 200 with a fixed plain-text body.
pub fn notify_reply(body: &str) -> serde_json::Value {
    serde_json::json!({ "status": 200, "headers": { "content-type": "text/plain; charset=utf-8" }, "body": body })
}

impl HttpRequest {
    /// `{ method, url, headers: { name: value }, body }` — the shape `fetch(url, init)` takes.
    pub fn to_json(&self) -> serde_json::Value {
        let headers: serde_json::Map<String, serde_json::Value> =
            self.headers.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
        serde_json::json!({ "method": self.method, "url": self.url, "headers": headers, "body": self.body })
    }
}
