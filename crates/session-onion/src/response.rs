//! Reading replies: the destination's encrypted answer, and the plain-text failures relays
//! send instead when the path breaks.

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use serde_json::Value;
use session_identity::{Ed25519PublicKey, SharedSecret, X25519PublicKey, X25519SecretKey};

use session_bencode::Value as Bt;

use crate::hop::{HopError, HopKey, Role};
use crate::json::dump_sorted;
use crate::node::parse_key_hex;
use crate::EncType;
/// Why bytes are not bencode (session-bencode's reader, canonical mode).
pub use session_bencode::Error as BencodeError;

/// Standard base64, padding optional, loose trailing bits allowed (as `oxenc` decodes).
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Why a destination's reply could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// A service node's reply is neither `{"result":"<base64>"}` nor bare base64.
    #[error("reply is not base64")]
    NotBase64,
    /// The reply did not decrypt (after the AES-GCM retry for XChaCha20).
    #[error("reply does not decrypt: {0}")]
    Decryption(#[from] HopError),
    /// The decrypted reply (or a v4 reply's first element) is not a JSON object.
    #[error("decrypted reply is not a JSON object")]
    NotAJsonObject,
    /// No integer `status_code`/`status` (v3) or `code` (v4) in the 0..=65535 range.
    #[error("reply has no usable status code")]
    MissingStatus,
    /// A v4 reply is not valid bencode.
    #[error("v4 reply is not bencode: {0}")]
    Bencode(#[from] BencodeError),
    /// A v4 reply is not a list starting with a string (and, if there is a second element,
    /// a string body).
    #[error("v4 reply is not a list of [info JSON, body?] strings")]
    NotAV4List,
}

/// A service node's decrypted answer to an onion request (v3 style).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceNodeResponse {
    /// The status the node's storage server gave.
    pub status: u16,
    /// Response headers (string-valued entries of the reply's `headers` object).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// A server's decrypted answer to a v4 onion request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerResponse {
    /// The HTTP status the server gave.
    pub status: u16,
    /// Response headers (string-valued entries of the reply's `headers` object).
    pub headers: Vec<(String, String)>,
    /// The body; `None` when the reply has no second element.
    pub body: Option<Vec<u8>>,
}

/// Why an onion request got no readable answer from its destination, as read by
/// [`ResponseContext::read_service_node_reply`] and [`ResponseContext::read_server_reply`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OnionFailure {
    /// A relay answered with a plain-text failure instead of the destination's reply.
    #[error("the path failed: {0:?}")]
    Path(PathFailure),
    /// The guard answered 200, but the reply does not decrypt or parse.
    #[error("unreadable reply: {0}")]
    Unreadable(#[from] ResponseError),
}

/// What a client keeps to read the reply to its request: the scheme, the destination's key,
/// the ephemeral key pair of the destination layer and the secret it shares with the
/// destination (computed once, so reading a reply costs no scalar multiplication).
///
/// The secrets are zeroized on drop and never printed by `Debug`.
pub struct ResponseContext {
    enc_type: EncType,
    destination_x25519: X25519PublicKey,
    final_secret: X25519SecretKey,
    final_public: X25519PublicKey,
    /// `None` when the destination's key has small order (nothing can be read).
    shared: Option<SharedSecret>,
}

impl core::fmt::Debug for ResponseContext {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ResponseContext")
            .field("enc_type", &self.enc_type)
            .field("destination_x25519", &self.destination_x25519)
            .field("final_x25519_public", &self.final_public)
            .finish_non_exhaustive()
    }
}

impl ResponseContext {
    /// A context from its parts (for a client that stored them).
    pub fn new(
        enc_type: EncType,
        destination_x25519: X25519PublicKey,
        final_secret: X25519SecretKey,
    ) -> Self {
        let final_public = final_secret.public_key();
        let shared = final_secret.diffie_hellman(&destination_x25519).ok();
        Self {
            enc_type,
            destination_x25519,
            final_secret,
            final_public,
            shared,
        }
    }

    /// The context the builder keeps: everything already computed.
    pub(crate) fn from_parts(
        enc_type: EncType,
        destination_x25519: X25519PublicKey,
        final_secret: X25519SecretKey,
        final_public: X25519PublicKey,
        shared: SharedSecret,
    ) -> Self {
        Self {
            enc_type,
            destination_x25519,
            final_secret,
            final_public,
            shared: Some(shared),
        }
    }

    /// The scheme the request was built with.
    pub fn enc_type(&self) -> EncType {
        self.enc_type
    }

    /// The destination's X25519 key.
    pub fn destination_x25519(&self) -> &X25519PublicKey {
        &self.destination_x25519
    }

    /// The destination layer's ephemeral public key.
    pub fn final_x25519_public_key(&self) -> &X25519PublicKey {
        &self.final_public
    }

    /// The destination layer's ephemeral secret key. Secret: handle with care.
    pub fn expose_final_x25519_secret_key(&self) -> &X25519SecretKey {
        &self.final_secret
    }

    fn decrypt_as(&self, enc_type: EncType, ciphertext: &[u8]) -> Result<Vec<u8>, HopError> {
        let shared = self.shared.as_ref().ok_or(HopError::WeakSharedSecret)?;
        HopKey::from_shared_secret(
            enc_type,
            Role::Client,
            shared,
            &self.final_public,
            &self.destination_x25519,
        )
        .decrypt(ciphertext)
    }

    /// Decrypts the destination's raw reply ciphertext.
    ///
    /// As the reference does, a reply that fails to decrypt as XChaCha20 is tried again as
    /// AES-GCM (the legacy push server answers in AES-GCM whatever it was asked in); the error
    /// reported is the one from the last attempt.
    pub fn decrypt(&self, ciphertext: &[u8]) -> Result<Vec<u8>, HopError> {
        match self.decrypt_as(self.enc_type, ciphertext) {
            Err(_) if self.enc_type == EncType::XChaCha20 => {
                self.decrypt_as(EncType::AesGcm, ciphertext)
            }
            result => result,
        }
    }

    /// Reads a service node's reply (an onion request's HTTP body, v3 style).
    ///
    /// The body is `{"result":"<base64>"}` or bare base64; it decrypts (see
    /// [`ResponseContext::decrypt`]) to a JSON object whose integer `status_code`, else
    /// `status`, is the status. The body is the `body` string's UTF-8 bytes, or, when `body` is
    /// not a string, the whole object dumped compactly with sorted keys.
    pub fn decode_service_node_response(
        &self,
        http_body: &[u8],
    ) -> Result<ServiceNodeResponse, ResponseError> {
        let wrapped = match serde_json::from_slice::<Value>(http_body) {
            Ok(Value::Object(map)) => match map.get("result") {
                Some(Value::String(text)) => Some(text.clone()),
                _ => None,
            },
            _ => None,
        };
        let text: &[u8] = wrapped.as_deref().map_or(http_body, str::as_bytes);
        let ciphertext = LENIENT_BASE64
            .decode(text)
            .map_err(|_| ResponseError::NotBase64)?;
        let plaintext = self.decrypt(&ciphertext)?;
        let object = match serde_json::from_slice::<Value>(&plaintext) {
            Ok(value @ Value::Object(_)) => value,
            _ => return Err(ResponseError::NotAJsonObject),
        };
        let status = ["status_code", "status"]
            .iter()
            .find_map(|key| object.get(key).and_then(Value::as_i64))
            .and_then(|code| u16::try_from(code).ok())
            .ok_or(ResponseError::MissingStatus)?;
        let headers = string_headers(&object);
        let body = match object.get("body") {
            Some(Value::String(text)) => text.clone().into_bytes(),
            _ => dump_sorted(&object).into_bytes(),
        };
        Ok(ServiceNodeResponse {
            status,
            headers,
            body,
        })
    }

    /// Reads a server's v4 reply: the raw HTTP body decrypts to the bencoded list
    /// `[info JSON, body?]`; the info's integer `code` is the status.
    pub fn decode_server_response(
        &self,
        http_body: &[u8],
    ) -> Result<ServerResponse, ResponseError> {
        let plaintext = self.decrypt(http_body)?;
        decode_v4_response(&plaintext)
    }

    /// Reads the guard's HTTP answer to an onion request for a service node: a 200 carries the
    /// destination's encrypted reply ([`ResponseContext::decode_service_node_response`]); any
    /// other status is a relay's plain-text failure ([`PathFailure::classify`]).
    ///
    /// This is the one place a driver needs: it gets the answer's status and bytes from its
    /// transport and hands them here, once.
    pub fn read_service_node_reply(
        &self,
        http_status: u16,
        http_body: &[u8],
    ) -> Result<ServiceNodeResponse, OnionFailure> {
        if http_status != 200 {
            return Err(OnionFailure::Path(PathFailure::classify(
                Some(http_status),
                http_body,
            )));
        }
        Ok(self.decode_service_node_response(http_body)?)
    }

    /// As [`ResponseContext::read_service_node_reply`] for a v4 request to a server
    /// ([`ResponseContext::decode_server_response`]).
    pub fn read_server_reply(
        &self,
        http_status: u16,
        http_body: &[u8],
    ) -> Result<ServerResponse, OnionFailure> {
        if http_status != 200 {
            return Err(OnionFailure::Path(PathFailure::classify(
                Some(http_status),
                http_body,
            )));
        }
        Ok(self.decode_server_response(http_body)?)
    }
}

/// Reads a decrypted v4 reply, `l<info JSON><body>?e` (elements after the body are ignored).
pub fn decode_v4_response(plaintext: &[u8]) -> Result<ServerResponse, ResponseError> {
    let (info, body) = v4_list(plaintext)?;
    let object = match serde_json::from_slice::<Value>(&info) {
        Ok(value @ Value::Object(_)) => value,
        _ => return Err(ResponseError::NotAJsonObject),
    };
    let status = object
        .get("code")
        .and_then(Value::as_i64)
        .and_then(|code| u16::try_from(code).ok())
        .ok_or(ResponseError::MissingStatus)?;
    Ok(ServerResponse {
        status,
        headers: string_headers(&object),
        body,
    })
}

/// The two strings of a v4 list `l<head><body>?e`: canonical bencode, nested no deeper than
/// session-bencode's default, elements after the body read but ignored.
pub(crate) fn v4_list(plaintext: &[u8]) -> Result<(Vec<u8>, Option<Vec<u8>>), ResponseError> {
    let value = session_bencode::decode(plaintext)?;
    let Some(items) = value.as_list() else {
        return Err(ResponseError::NotAV4List);
    };
    let head = match items.first() {
        Some(Bt::Bytes(head)) => head.to_vec(),
        _ => return Err(ResponseError::NotAV4List),
    };
    let body = match items.get(1) {
        None => None,
        Some(Bt::Bytes(body)) => Some(body.to_vec()),
        Some(_) => return Err(ResponseError::NotAV4List),
    };
    Ok((head, body))
}

fn string_headers(object: &Value) -> Vec<(String, String)> {
    match object.get("headers") {
        Some(Value::Object(map)) => map
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
            .collect(),
        _ => Vec::new(),
    }
}

/// A relay's plain-text failure: the path (not the destination) broke.
///
/// Relays answer these unencrypted, with a non-200 HTTP status, instead of the destination's
/// reply. [`PathFailure::classify`] reads the status and text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PathFailure {
    /// 502 `Next node not found: <ed25519>`: a relay does not know the named next node; drop
    /// it from the path.
    NextNodeNotFound {
        /// The node the relay could not find.
        ed25519: Ed25519PublicKey,
    },
    /// 504 `Request time out`: the next node did not answer in time.
    Timeout,
    /// 400 `Invalid ciphertext`: a node could not decrypt its layer (wrong key or enc type).
    InvalidCiphertext,
    /// 503: a node is not ready (syncing or starting); `Snode not ready: <ed25519>` names it.
    NodeNotReady {
        /// The node, when the text names it.
        ed25519: Option<Ed25519PublicKey>,
    },
    /// Any other status and text.
    Other {
        /// The HTTP status (from the status line, or the text's `NNN Reason` prefix).
        status: Option<u16>,
        /// The text, lossily decoded and cut to 256 characters.
        text: String,
    },
}

impl PathFailure {
    /// Classifies a relay's answer. `status` is the HTTP status when the transport gave one;
    /// without it, a leading `NNN Reason` in the text (as some relays send) is used.
    pub fn classify(status: Option<u16>, body: &[u8]) -> Self {
        let text = String::from_utf8_lossy(body);
        let text = text.trim();
        let (status, message) = match split_status_line(text) {
            Some((code, rest)) => (status.or(Some(code)), rest),
            None => (status, text),
        };
        if let Some(key) = message.strip_prefix("Next node not found: ") {
            if let Some(key) = parse_key_hex(key.trim()) {
                return Self::NextNodeNotFound {
                    ed25519: Ed25519PublicKey::from_bytes(key),
                };
            }
        }
        match status {
            Some(504) => return Self::Timeout,
            Some(400) if message == "Invalid ciphertext" => return Self::InvalidCiphertext,
            Some(503) => {
                let ed25519 = message
                    .strip_prefix("Snode not ready: ")
                    .and_then(|key| parse_key_hex(key.trim()))
                    .map(Ed25519PublicKey::from_bytes);
                return Self::NodeNotReady { ed25519 };
            }
            _ => {}
        }
        match message {
            "Request time out" => Self::Timeout,
            "Invalid ciphertext" => Self::InvalidCiphertext,
            _ => Self::Other {
                status,
                text: text.chars().take(256).collect(),
            },
        }
    }
}

/// `"502 Bad Gateway\n\nNext node…"` → `(502, "Next node…")`.
fn split_status_line(text: &str) -> Option<(u16, &str)> {
    let code = text.get(..3)?;
    if !code.bytes().all(|b| b.is_ascii_digit()) || text.as_bytes().get(3) != Some(&b' ') {
        return None;
    }
    let code: u16 = code.parse().ok()?;
    let rest = match text.find('\n') {
        Some(end) => text[end..].trim_start(),
        None => "",
    };
    Some((code, rest))
}
