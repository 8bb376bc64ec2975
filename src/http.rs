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

/// The exact answer a provider expects to a notification: a status, at most a content type, and a
/// fixed body (none for `204 No Content`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct NotifyReply {
    /// 200 (Alipay, UseePay), 204 (WeChat Pay's success), or the 4xx/5xx of a refusal.
    pub status: u16,
    /// The content type of the body, when there is one.
    pub headers: ReplyHeaders,
    /// What the provider wants to read (`success`, `OK`, WeChat Pay's failure JSON); `None` (JSON
    /// `null`) for a reply without a body — `new Response(null, { status: 204 })`.
    pub body: Option<&'static str>,
}

/// The headers of a [`NotifyReply`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ReplyHeaders {
    /// `text/plain; charset=utf-8`, `application/json`, or none (no body).
    #[serde(rename = "content-type", skip_serializing_if = "Option::is_none")]
    pub content_type: Option<&'static str>,
}

/// HTTP 200 with `body` as plain text.
pub const fn notify_reply(body: &'static str) -> NotifyReply {
    notify_text(200, body)
}

/// `status` with `body` as plain text.
pub const fn notify_text(status: u16, body: &'static str) -> NotifyReply {
    NotifyReply { status, headers: ReplyHeaders { content_type: Some("text/plain; charset=utf-8") }, body: Some(body) }
}

/// HTTP 204 with no body.
pub const fn notify_no_content() -> NotifyReply {
    NotifyReply { status: 204, headers: ReplyHeaders { content_type: None }, body: None }
}

/// HTTP `status` with `body` as JSON.
pub const fn notify_json(status: u16, body: &'static str) -> NotifyReply {
    NotifyReply { status, headers: ReplyHeaders { content_type: Some("application/json") }, body: Some(body) }
}
