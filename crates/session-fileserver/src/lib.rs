//! The Session file server, sans-IO: upload, download and extend requests as onion v4
//! [`V4Request`]s, their replies parsed into typed results, and the download URLs that travel in
//! attachment pointers and profiles.
//!
//! Attachments and profile pictures are uploaded encrypted (see
//! `session_envelope::attachment`); the file server stores opaque bytes under a random id for a
//! limited time. A client sends each request as the payload of an onion request whose
//! destination is the server ([`FileServer::destination`]), and reads the decrypted v4 reply
//! ([`session_onion::ServerResponse`]) with [`parse_upload_reply`], [`parse_download_reply`] or
//! [`parse_extend_reply`].
//!
//! ```
//! use session_fileserver::{parse_upload_reply, FileServer, FileUrl, UploadOptions};
//! use session_onion::ServerResponse;
//!
//! let server = FileServer::default();
//! let upload = server.upload(b"encrypted bytes".to_vec(), &UploadOptions::default())?;
//! assert_eq!(upload.endpoint(), "/file");
//! assert_eq!(upload.headers()["Content-Type"], "application/octet-stream");
//!
//! // The server's answer, as the onion reply decodes it.
//! let reply = ServerResponse {
//!     status: 200,
//!     headers: vec![],
//!     body: Some(br#"{"id":"abcDEF123","expires":1767225600.5}"#.to_vec()),
//! };
//! let uploaded = parse_upload_reply(&reply)?;
//! let url = server.file_url(&uploaded.id).deterministic(true);
//! assert_eq!(url.to_string(), "http://filev2.getsession.org/file/abcDEF123#d");
//!
//! // The recipient reads the URL back and downloads from the server it names.
//! let parsed = FileUrl::parse(&url.to_string())?;
//! assert!(parsed.is_deterministic());
//! let download = parsed.server()?.download(parsed.id());
//! assert_eq!((download.method(), download.endpoint()), ("GET", "/file/abcDEF123"));
//! # Ok::<(), session_fileserver::FileServerError>(())
//! ```
//!
//! The server's onion key changed on 2025-10-09: [`FILE_SERVER_X25519`] is the current one
//! (the X25519 form of [`FILE_SERVER_ED25519`]), [`LEGACY_FILE_SERVER_X25519`] the one before.
//! Which keys the live server accepts is not confirmed; [`FileServer::default`] uses the
//! current key and [`FileServer::new`] takes any other.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod url;

use core::fmt;

use serde_json::Value;
use session_identity::{Ed25519PublicKey, X25519PublicKey};
use session_onion::{
    Destination, EncType, OnionRequestBuilder, ServerDestination, ServerResponse, V4Request,
};

pub use url::FileUrl;

/// The file server's host.
pub const DEFAULT_HOST: &str = "filev2.getsession.org";
/// The scheme between the exit node and the file server (the onion layers carry the secrecy).
pub const DEFAULT_SCHEME: &str = "http";
/// The path the exit node posts v4 requests to.
pub const V4_TARGET: &str = "/oxen/v4/lsrpc";
/// The file server's Ed25519 key since 2025-10-09.
pub const FILE_SERVER_ED25519: [u8; 32] =
    hex32("b8eef9821445ae16e2e97ef8aa6fe782fd11ad5253cd6723b281341dba22e371");
/// The file server's onion (X25519) key since 2025-10-09: the X25519 form of
/// [`FILE_SERVER_ED25519`].
pub const FILE_SERVER_X25519: [u8; 32] =
    hex32("09324794aa9c11948189762d198c618148e9136ac9582068180661208927ef34");
/// The file server's onion key before 2025-10-09 (still libsession's HTTP default).
pub const LEGACY_FILE_SERVER_X25519: [u8; 32] =
    hex32("da21e1d886c6fbaea313f75298bd64aab03a97ce985b46bb2dad9f2089c8ee59");
/// The largest upload the file server takes: 10,000,000 bytes of ciphertext ("10MB is still
/// ok, but one byte more is not").
pub const MAX_FILE_SIZE: usize = 10_000_000;
/// The longest file id accepted from a reply or a URL.
pub const MAX_ID_LEN: usize = 128;

const fn hex32(text: &str) -> [u8; 32] {
    let bytes = text.as_bytes();
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = nibble(bytes[2 * i]) << 4 | nibble(bytes[2 * i + 1]);
        i += 1;
    }
    out
}

const fn nibble(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => panic!("not a lowercase hex digit"),
    }
}

/// Why a request could not be built or a reply or URL not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FileServerError {
    /// The upload is larger than the server's limit.
    #[error("upload of {len} bytes exceeds the {max}-byte limit")]
    TooLarge {
        /// The upload's length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A file name with a control character, or a quote or backslash the header cannot carry.
    #[error("file name cannot go in a Content-Disposition header")]
    BadFileName,
    /// A file id that is empty, too long or not made of `A–Z a–z 0–9 _ -`.
    #[error("invalid file id")]
    BadId,
    /// The server answered with an error status.
    #[error("file server answered HTTP {0}")]
    Status(u16),
    /// The reply has no body.
    #[error("file server reply has no body")]
    NoBody,
    /// The reply body is not a JSON object.
    #[error("file server reply is not a JSON object")]
    NotJson,
    /// A field the reply must have is missing or has the wrong type.
    #[error("file server reply lacks a valid `{0}`")]
    MissingField(&'static str),
    /// Not a file-server URL: wrong scheme, no host, or a path other than `/file/<id>`.
    #[error("not a file server URL")]
    BadUrl,
    /// A URL fragment field with a malformed value (`p` not a valid 32-byte hex Ed25519 key,
    /// `e` not hex).
    #[error("malformed URL fragment field `{0}`")]
    BadFragment(&'static str),
    /// The URL names a server other than the default without giving its key.
    #[error("the URL's server {0} has no known key")]
    UnknownServerKey(String),
    /// An Ed25519 key that has no X25519 form (not a valid point).
    #[error("server key is not a valid Ed25519 point")]
    BadServerKey,
}

/// A file id as the server assigns it: 1 to 128 characters of `A–Z a–z 0–9 _ -` (new servers
/// give 44-character alphanumeric ids, old ones decimal numbers).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(String);

impl FileId {
    /// Checks and wraps `id`.
    pub fn new(id: impl Into<String>) -> Result<Self, FileServerError> {
        let id = id.into();
        let valid = !id.is_empty()
            && id.len() <= MAX_ID_LEN
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if valid {
            Ok(Self(id))
        } else {
            Err(FileServerError::BadId)
        }
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the desktop client would extend this file's lifetime: only the new
    /// 44-character ids.
    pub fn is_extendable(&self) -> bool {
        self.0.len() == 44
    }
}

impl fmt::Display for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Optional parts of an upload.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UploadOptions {
    /// Sent as `Content-Disposition: attachment; filename="…"`; the bare `attachment` without.
    pub file_name: Option<String>,
    /// How long the server should keep the file, in seconds (`X-FS-TTL`); the server's default
    /// without.
    pub ttl_seconds: Option<u64>,
}

/// A file server: where requests go and the key their onion layer is encrypted to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileServer {
    scheme: String,
    host: String,
    port: Option<u16>,
    x25519: X25519PublicKey,
    ed25519: Option<Ed25519PublicKey>,
    max_file_size: usize,
}

impl Default for FileServer {
    /// `http://filev2.getsession.org` with its current key.
    fn default() -> Self {
        Self {
            scheme: DEFAULT_SCHEME.to_owned(),
            host: DEFAULT_HOST.to_owned(),
            port: None,
            x25519: X25519PublicKey::from_bytes(FILE_SERVER_X25519),
            ed25519: Some(Ed25519PublicKey::from_bytes(FILE_SERVER_ED25519)),
            max_file_size: MAX_FILE_SIZE,
        }
    }
}

impl FileServer {
    /// `http://filev2.getsession.org` with its key from before 2025-10-09.
    pub fn with_legacy_key() -> Self {
        Self {
            x25519: X25519PublicKey::from_bytes(LEGACY_FILE_SERVER_X25519),
            ed25519: None,
            ..Self::default()
        }
    }

    /// A server at `scheme://host[:port]` whose onion key is `x25519`.
    pub fn new(
        scheme: impl Into<String>,
        host: impl Into<String>,
        port: Option<u16>,
        x25519: X25519PublicKey,
    ) -> Self {
        Self {
            scheme: scheme.into(),
            host: host.into(),
            port,
            x25519,
            ed25519: None,
            max_file_size: MAX_FILE_SIZE,
        }
    }

    /// As [`FileServer::new`] from the server's Ed25519 key (what URL fragments carry),
    /// converted as libsodium's `crypto_sign_ed25519_pk_to_curve25519` converts it.
    pub fn from_ed25519(
        scheme: impl Into<String>,
        host: impl Into<String>,
        port: Option<u16>,
        ed25519: Ed25519PublicKey,
    ) -> Result<Self, FileServerError> {
        let x25519 = ed25519
            .to_x25519()
            .map_err(|_| FileServerError::BadServerKey)?;
        Ok(Self {
            ed25519: Some(ed25519),
            ..Self::new(scheme, host, port, x25519)
        })
    }

    /// The same server with another upload limit.
    #[must_use]
    pub fn with_max_file_size(mut self, max: usize) -> Self {
        self.max_file_size = max;
        self
    }

    /// `http` or `https`.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// The host.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port, if not the scheme's default.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The onion key.
    pub fn x25519(&self) -> &X25519PublicKey {
        &self.x25519
    }

    /// The Ed25519 key, when known.
    pub fn ed25519(&self) -> Option<&Ed25519PublicKey> {
        self.ed25519.as_ref()
    }

    /// The upload limit.
    pub fn max_file_size(&self) -> usize {
        self.max_file_size
    }

    /// Whether this is the default server (host and current key).
    pub fn is_default(&self) -> bool {
        self.host == DEFAULT_HOST && self.x25519.as_bytes() == &FILE_SERVER_X25519
    }

    /// The onion request's destination.
    pub fn destination(&self) -> Destination {
        Destination::Server(ServerDestination::new(
            self.host.clone(),
            V4_TARGET,
            &self.scheme,
            self.port,
            self.x25519,
        ))
    }

    /// An onion request builder for this server whose payload goes whole: the plain
    /// [`OnionRequestBuilder`] cuts a server payload at its first NUL byte (as libsession up to
    /// v1.2.0 did), which would truncate any binary upload.
    pub fn onion_request_builder(&self, enc_type: EncType) -> OnionRequestBuilder {
        OnionRequestBuilder::new(self.destination(), enc_type).truncate_server_payload_at_nul(false)
    }

    /// `scheme://host[:port]`, the front of every download URL.
    pub fn base_url(&self) -> String {
        match self.port {
            Some(port) => format!("{}://{}:{port}", self.scheme, self.host),
            None => format!("{}://{}", self.scheme, self.host),
        }
    }

    /// `POST /file` with the encrypted bytes, `Content-Type: application/octet-stream`, a
    /// `Content-Disposition` and, when asked for, `X-FS-TTL`. Bodies over the server's limit
    /// are refused before anything is built.
    pub fn upload(
        &self,
        body: Vec<u8>,
        options: &UploadOptions,
    ) -> Result<V4Request, FileServerError> {
        if body.len() > self.max_file_size {
            return Err(FileServerError::TooLarge {
                len: body.len(),
                max: self.max_file_size,
            });
        }
        let disposition = match &options.file_name {
            None => "attachment".to_owned(),
            Some(name) => {
                if name
                    .chars()
                    .any(|c| c.is_control() || c == '"' || c == '\\')
                {
                    return Err(FileServerError::BadFileName);
                }
                format!("attachment; filename=\"{name}\"")
            }
        };
        let mut request = V4Request::new("POST", "/file")
            .header("Content-Type", "application/octet-stream")
            .header("Content-Disposition", disposition)
            .body(body);
        if let Some(ttl) = options.ttl_seconds {
            request = request.header("X-FS-TTL", ttl.to_string());
        }
        Ok(request)
    }

    /// `GET /file/<id>`.
    pub fn download(&self, id: &FileId) -> V4Request {
        V4Request::new("GET", format!("/file/{id}"))
    }

    /// `POST /file/<id>/extend`, with `X-FS-TTL` when given.
    pub fn extend(&self, id: &FileId, ttl_seconds: Option<u64>) -> V4Request {
        let request = V4Request::new("POST", format!("/file/{id}/extend"));
        match ttl_seconds {
            Some(ttl) => request.header("X-FS-TTL", ttl.to_string()),
            None => request,
        }
    }

    /// The download URL of `id` on this server (with its key in the fragment unless it is the
    /// default server).
    pub fn file_url(&self, id: &FileId) -> FileUrl {
        FileUrl::for_server(self, id.clone())
    }
}

/// What an upload reply gives.
#[derive(Debug, Clone, PartialEq)]
pub struct UploadedFile {
    /// The file's id.
    pub id: FileId,
    /// When the server drops it, in Unix seconds.
    pub expires: f64,
}

/// What an extend reply gives.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtendedFile {
    /// The new expiry, in Unix seconds.
    pub expires: f64,
}

fn ok_body(reply: &ServerResponse) -> Result<&[u8], FileServerError> {
    if reply.status != 200 {
        return Err(FileServerError::Status(reply.status));
    }
    reply.body.as_deref().ok_or(FileServerError::NoBody)
}

fn json_object(body: &[u8]) -> Result<serde_json::Map<String, Value>, FileServerError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(FileServerError::NotJson),
    }
}

fn expires(map: &serde_json::Map<String, Value>) -> Result<f64, FileServerError> {
    map.get("expires")
        .and_then(Value::as_f64)
        .filter(|t| t.is_finite())
        .ok_or(FileServerError::MissingField("expires"))
}

/// Reads the reply to [`FileServer::upload`]: `{"id": "<id>", "expires": <unix s>, …}` (an
/// integer id from an old server is read as its decimal digits).
pub fn parse_upload_reply(reply: &ServerResponse) -> Result<UploadedFile, FileServerError> {
    let map = json_object(ok_body(reply)?)?;
    let id = match map.get("id") {
        Some(Value::String(id)) => FileId::new(id.as_str()),
        Some(Value::Number(n)) if n.is_u64() => FileId::new(n.to_string()),
        _ => Err(FileServerError::MissingField("id")),
    }
    .map_err(|_| FileServerError::MissingField("id"))?;
    Ok(UploadedFile {
        id,
        expires: expires(&map)?,
    })
}

/// Reads the reply to [`FileServer::download`]: the file's bytes, refused when over `max`
/// bytes (normally [`FileServer::max_file_size`]).
pub fn parse_download_reply(reply: &ServerResponse, max: usize) -> Result<&[u8], FileServerError> {
    let body = ok_body(reply)?;
    if body.len() > max {
        return Err(FileServerError::TooLarge {
            len: body.len(),
            max,
        });
    }
    Ok(body)
}

/// Reads the reply to [`FileServer::extend`]: `{"expires": <unix s>, …}`.
pub fn parse_extend_reply(reply: &ServerResponse) -> Result<ExtendedFile, FileServerError> {
    let map = json_object(ok_body(reply)?)?;
    Ok(ExtendedFile {
        expires: expires(&map)?,
    })
}

/// The code sample of README.md, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_current_key_is_the_ed25519_keys_twin() {
        let ed = Ed25519PublicKey::from_bytes(FILE_SERVER_ED25519);
        assert_eq!(ed.to_x25519().unwrap().as_bytes(), &FILE_SERVER_X25519);
        let server = FileServer::from_ed25519("http", DEFAULT_HOST, None, ed).unwrap();
        assert_eq!(server, FileServer::default());
        assert!(server.is_default());
        assert!(!FileServer::with_legacy_key().is_default());
    }
}
