//! The protobuf wrapper of user-config pushes (§11.4), kept for older clients.

use alloc::vec::Vec;

use session_envelope::prost::Message;
use session_envelope::proto::{
    Content, Envelope, EnvelopeType, SharedConfigMessage, WebSocketMessage, WebSocketMessageType,
    WebSocketRequestMessage,
};
use session_envelope::session_protocol::{self, SessionProtocolError};
use session_identity::Identity;

use crate::UserKind;

/// The padding marker after the `Content`.
const MARKER: u8 = 0x80;

/// Why wrapped bytes did not unwrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UnwrapError {
    /// Not a `WebSocketMessage` request carrying an `Envelope` with its required fields.
    #[error("not a wrapped config: {0}")]
    Malformed(&'static str),
    /// The envelope's content does not open for this account.
    #[error("the wrapped config does not open: {0}")]
    Decrypt(SessionProtocolError),
    /// It opened, but was not sent by this account.
    #[error("the wrapped config was not sent by this account")]
    NotFromSelf,
    /// The padding after the `Content` is missing or wrong.
    #[error("the wrapped config has invalid padding")]
    Padding,
    /// The `Content` has no `SharedConfigMessage` of this config's kind.
    #[error("the wrapped config is not a {0:?} config")]
    WrongKind(UserKind),
    /// Wrapping failed: our own X25519 key has small order (never for a real account).
    #[error("cannot seal to our own key: {0}")]
    Seal(SessionProtocolError),
}

/// Wraps encrypted config bytes as libsession pushes user configs: a `SharedConfigMessage`
/// (kind, seqno, data) in a `Content`, a `0x80` marker, sealed deterministically to ourselves
/// with the Session Protocol, in an `Envelope` (type 6, timestamp 1) in a `WebSocketMessage`
/// request (empty verb and path, request id 0). The same inputs always give the same bytes.
pub fn wrap(
    identity: &Identity,
    kind: UserKind,
    seqno: i64,
    data: &[u8],
) -> Result<Vec<u8>, UnwrapError> {
    let content = Content {
        shared_config_message: Some(SharedConfigMessage {
            kind: Some(kind.shared_config_kind()),
            seqno: Some(seqno),
            data: Some(data.to_vec()),
        }),
        ..Content::default()
    };
    let mut plaintext = content.encode_to_vec();
    plaintext.push(MARKER);
    let sealed = session_protocol::encrypt_deterministic(
        identity,
        &identity.x25519_public_key(),
        &plaintext,
    )
    .map_err(UnwrapError::Seal)?;
    let envelope = Envelope {
        r#type: Some(EnvelopeType::SessionMessage as i32),
        timestamp: Some(1),
        content: Some(sealed),
        ..Envelope::default()
    };
    Ok(WebSocketMessage {
        r#type: Some(WebSocketMessageType::Request as i32),
        request: Some(WebSocketRequestMessage {
            verb: Some(Vec::new()),
            path: Some(Vec::new()),
            body: Some(envelope.encode_to_vec()),
            request_id: Some(0),
            headers: Vec::new(),
        }),
    }
    .encode_to_vec())
}

/// Undoes [`wrap`] (also accepting what older clients wrapped, such as Session Desktop's
/// `PUT /api/v1/message` requests): the sender must be this account, the `Content` must end with
/// the `0x80` marker (zero bytes may follow), and its `SharedConfigMessage` must be of `kind`.
/// Returns the encrypted config bytes it carries.
pub fn unwrap(identity: &Identity, kind: UserKind, wrapped: &[u8]) -> Result<Vec<u8>, UnwrapError> {
    let message = WebSocketMessage::decode(wrapped)
        .map_err(|_| UnwrapError::Malformed("WebSocketMessage"))?;
    if message.r#type != Some(WebSocketMessageType::Request as i32) {
        return Err(UnwrapError::Malformed(
            "WebSocketMessage.type is not REQUEST",
        ));
    }
    let body = message
        .request
        .and_then(|request| request.body)
        .unwrap_or_default();
    let envelope =
        Envelope::decode(body.as_slice()).map_err(|_| UnwrapError::Malformed("Envelope"))?;
    // proto2 required fields (an unknown enum value counts as missing).
    let known_type = matches!(envelope.r#type, Some(6 | 7));
    if !known_type || envelope.timestamp.is_none() {
        return Err(UnwrapError::Malformed(
            "Envelope without its required fields",
        ));
    }
    let sealed = envelope.content.unwrap_or_default();
    let opened = session_protocol::decrypt(identity, &sealed).map_err(UnwrapError::Decrypt)?;
    if opened.sender_ed25519 != identity.ed25519_public_key() {
        return Err(UnwrapError::NotFromSelf);
    }
    let plaintext = opened.plaintext;
    match plaintext.last() {
        Some(&0) | Some(&MARKER) => {}
        _ => return Err(UnwrapError::Padding),
    }
    let end = match plaintext.iter().rposition(|&b| b != 0) {
        Some(i) if plaintext[i] == MARKER => i,
        _ => return Err(UnwrapError::Padding),
    };
    let content =
        Content::decode(&plaintext[..end]).map_err(|_| UnwrapError::Malformed("Content"))?;
    match content.shared_config_message {
        Some(SharedConfigMessage {
            kind: Some(found),
            seqno: Some(_),
            data: Some(data),
        }) if found == kind.shared_config_kind() => Ok(data),
        _ => Err(UnwrapError::WrongKind(kind)),
    }
}

/// What a user config receives: the encrypted config inside `wrapped` (unwrapped twice when an
/// older client wrapped it twice), or `wrapped` itself when it is not wrapped.
pub(crate) fn unwrap_received(identity: &Identity, kind: UserKind, wrapped: &[u8]) -> Vec<u8> {
    match unwrap(identity, kind, wrapped) {
        Ok(once) => unwrap(identity, kind, &once).unwrap_or(once),
        Err(_) => wrapped.to_vec(),
    }
}
