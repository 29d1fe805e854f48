//! Version-4 server requests and replies: bencoded lists of a JSON head and a raw body.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::json::{push_string, ObjectWriter};
use crate::response::ResponseError;
use session_bencode::ListWriter;

/// A request to a server (community, file or push server), sent as the payload of an onion
/// request whose destination is that server.
///
/// Encodes as the bencoded list `[{"endpoint":…,"headers":{…},"method":…}, body?]`, the JSON
/// compact with sorted keys, as the reference writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V4Request {
    method: String,
    endpoint: String,
    headers: BTreeMap<String, String>,
    body: Option<Vec<u8>>,
}

impl V4Request {
    /// A request for `method` (`GET`, `POST`, …) on `endpoint` (for example `/room/x`; a
    /// leading `/` is added to a non-empty endpoint without one).
    pub fn new(method: impl Into<String>, endpoint: impl Into<String>) -> Self {
        let mut endpoint = endpoint.into();
        if !endpoint.is_empty() && !endpoint.starts_with('/') {
            endpoint.insert(0, '/');
        }
        Self {
            method: method.into(),
            endpoint,
            headers: BTreeMap::new(),
            body: None,
        }
    }

    /// Sets a header. `User-Agent` is dropped when encoding, as the reference drops it.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.insert(name.into(), value.into());
        self
    }

    /// Sets the body. Unless a `Content-Type` header is set, `application/json` is sent.
    #[must_use]
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// The endpoint as it will be sent.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The method (`GET`, `POST`, …).
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The headers, by name.
    pub fn headers(&self) -> &BTreeMap<String, String> {
        &self.headers
    }

    /// The body, if any.
    pub fn body_bytes(&self) -> Option<&[u8]> {
        self.body.as_deref()
    }

    /// Reads an encoded request, as the server that receives it does: the bencoded list
    /// `[{"method":…,"endpoint":…,"headers":{…}}, body?]` (elements after the body are
    /// ignored, string-valued headers kept). The inverse of [`V4Request::encode`] except that
    /// the `Content-Type` it adds is kept as a header.
    pub fn decode(plaintext: &[u8]) -> Result<Self, ResponseError> {
        let (head, body) = crate::response::v4_list(plaintext)?;
        let Ok(Value::Object(head)) = serde_json::from_slice::<Value>(&head) else {
            return Err(ResponseError::NotAJsonObject);
        };
        let text = |name: &str| head.get(name).and_then(Value::as_str).map(str::to_owned);
        let (Some(method), Some(endpoint)) = (text("method"), text("endpoint")) else {
            return Err(ResponseError::NotAJsonObject);
        };
        let headers = match head.get("headers") {
            Some(Value::Object(map)) => map
                .iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
                .collect(),
            _ => BTreeMap::new(),
        };
        Ok(Self {
            method,
            endpoint,
            headers,
            body,
        })
    }

    /// The bencoded request.
    pub fn encode(&self) -> Vec<u8> {
        let mut headers = String::from("{");
        let content_type = self.body.is_some() && !self.headers.contains_key("Content-Type");
        let mut entries: Vec<(&str, &str)> = self
            .headers
            .iter()
            .filter(|(name, _)| name.as_str() != "User-Agent")
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        if content_type {
            entries.push(("Content-Type", "application/json"));
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        }
        for (i, (name, value)) in entries.into_iter().enumerate() {
            if i > 0 {
                headers.push(',');
            }
            push_string(&mut headers, name);
            headers.push(':');
            push_string(&mut headers, value);
        }
        headers.push('}');
        let head = ObjectWriter::new()
            .string("endpoint", &self.endpoint)
            .raw("headers", &headers)
            .string("method", &self.method)
            .finish();
        let mut out = Vec::new();
        let mut list = ListWriter::new(&mut out);
        list.bytes(head.as_bytes());
        if let Some(body) = &self.body {
            list.bytes(body);
        }
        list.finish();
        out
    }
}

/// A server's v4 reply before encryption: `[{"code":status,"headers":{…}}, body?]` (what a
/// server implementation seals with [`OpenedLayer::seal_reply`](crate::OpenedLayer::seal_reply)).
pub fn encode_v4_response(status: u16, headers: &[(&str, &str)], body: Option<&[u8]>) -> Vec<u8> {
    let mut sorted: Vec<(&str, &str)> = headers.to_vec();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    sorted.dedup_by(|a, b| a.0 == b.0);
    let mut header_json = String::from("{");
    for (i, (name, value)) in sorted.into_iter().enumerate() {
        if i > 0 {
            header_json.push(',');
        }
        push_string(&mut header_json, name);
        header_json.push(':');
        push_string(&mut header_json, value);
    }
    header_json.push('}');
    let info = ObjectWriter::new()
        .integer("code", i64::from(status))
        .raw("headers", &header_json)
        .finish();
    let mut out = Vec::new();
    let mut list = ListWriter::new(&mut out);
    list.bytes(info.as_bytes());
    if let Some(body) = body {
        list.bytes(body);
    }
    list.finish();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_reads_back_what_encode_writes() {
        let request = V4Request::new("POST", "/file")
            .header("X-Test", "1")
            .body(b"blob".to_vec());
        let decoded = V4Request::decode(&request.encode()).unwrap();
        assert_eq!(decoded.method(), "POST");
        assert_eq!(decoded.endpoint(), "/file");
        assert_eq!(decoded.body_bytes(), Some(&b"blob"[..]));
        assert_eq!(
            decoded.headers().get("X-Test").map(String::as_str),
            Some("1")
        );
        assert_eq!(
            decoded.headers().get("Content-Type").map(String::as_str),
            Some("application/json")
        );
        let bare = V4Request::decode(&V4Request::new("GET", "/file/1").encode()).unwrap();
        assert_eq!(bare.body_bytes(), None);
    }

    #[test]
    fn decode_refuses_hostile_input() {
        for input in [
            &b""[..],
            b"i1e",
            b"le",
            b"li1ee",
            b"l2:{}e",
            b"l4:nulle",
            b"l99:xe",
        ] {
            assert!(V4Request::decode(input).is_err(), "{input:?}");
        }
    }
}
