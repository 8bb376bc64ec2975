//! The sans-IO request shape every `build…` returns, and the reply a notification handler sends:
//! the host sends them as they are. Both serialize to the JSON shape the JS API returns.

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeStruct, Serializer};

/// A request to send: the host sends it with `fetch` exactly as built.
#[derive(Clone, Debug, PartialEq, Eq)]
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

/// `{ method, url, headers: { name: value }, body }` — the shape `fetch(url, init)` takes.
impl Serialize for HttpRequest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("HttpRequest", 4)?;
        out.serialize_field("method", self.method)?;
        out.serialize_field("url", &self.url)?;
        out.serialize_field("headers", &StringMap(&self.headers))?;
        out.serialize_field("body", &self.body)?;
        out.end()
    }
}

/// Name/value pairs serialized as one JSON object of strings, in order (names are unique wherever
/// this is used: decoded messages refuse repeated names).
#[derive(Debug)]
pub struct StringMap<'a>(pub &'a [(String, String)]);

impl Serialize for StringMap<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// The exact answer a provider expects to a notification: HTTP 200 with a fixed plain-text body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct NotifyReply {
    /// Always 200.
    pub status: u16,
    /// `content-type: text/plain; charset=utf-8`.
    pub headers: ReplyHeaders,
    /// What the provider wants to read (`success`, `OK`).
    pub body: &'static str,
}

/// The headers of a [`NotifyReply`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ReplyHeaders {
    /// `text/plain; charset=utf-8`.
    #[serde(rename = "content-type")]
    pub content_type: &'static str,
}

/// HTTP 200 with `body` as plain text.
pub const fn notify_reply(body: &'static str) -> NotifyReply {
    NotifyReply { status: 200, headers: ReplyHeaders { content_type: "text/plain; charset=utf-8" }, body }
}
