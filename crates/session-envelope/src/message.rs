//! From a `Content` to the bytes a swarm stores, and back.
//!
//! ```text
//! Content ─serialize─▶ pad ─▶ Session Protocol encrypt ─▶ Envelope ─▶ WebSocketMessage
//! ```
//!
//! The outgoing wrapping is Session Desktop's (`PUT /api/v1/message`, request id 0, envelope type
//! 6 with the sent timestamp); receivers ignore everything but the request body, the envelope
//! type, its timestamp and its content. Blinded (community inbox) messages are padded and
//! encrypted the same way but carry no envelope: the server stores the ciphertext itself.

use alloc::vec::Vec;
use core::num::NonZeroU32;

use prost::Message as _;
use rand_core::CryptoRng;
use session_identity::{Ed25519PublicKey, Identity, SessionId, X25519PublicKey};
use zeroize::Zeroizing;

use crate::blinded_dm::{self, BlindedDmError};
use crate::group::{self, EncryptOptions, GroupEncryptionKey, GroupMessageError};
use crate::legacy_group::LegacyGroupError;
use crate::padding::{self, UnpadError};
use crate::proto::{
    Content, Envelope, EnvelopeType, ExpirationType, WebSocketMessage, WebSocketMessageType,
    WebSocketRequestMessage,
};
use crate::session_protocol::{self, SessionProtocolError};

/// The disappearing-message setting a message carries (`Content.expirationType` and
/// `Content.expirationTimer`): the one description of it in sessionkit.
///
/// A zero timer means off, so the timers are [`NonZeroU32`]: [`Expiry::after_send`] and
/// [`Expiry::after_read`] take a plain number and give [`Expiry::Off`] for 0.
///
/// The setting decides two things. On the device, *when the message disappears*
/// ([`Expiry::disappears_at_ms`]): that is the timer, whatever the swarm does. In the swarm,
/// *how long it is stored*: the timer for after-send messages, bounded by what the storage
/// server accepts (see `session_swarm::store_ttl_millis`, which takes
/// [`Expiry::after_send_timer`]). A timer shorter than the storage server's minimum TTL is
/// stored for the minimum; a timer longer than its maximum is stored for the maximum and still
/// disappears on the device when its timer runs out.
///
/// ```
/// use session_envelope::proto::Content;
/// use session_envelope::Expiry;
///
/// let mut content = Content::default();
/// Expiry::after_send(3600).apply_to(&mut content);
/// assert_eq!(Expiry::of(&content), Expiry::after_send(3600));
/// assert_eq!(Expiry::after_send(0), Expiry::Off);
///
/// // Sent at t, it disappears an hour later on every device.
/// let sent = 1_700_000_000_000;
/// assert_eq!(Expiry::of(&content).disappears_at_ms(sent, None), Some(sent + 3_600_000));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Expiry {
    /// The message does not disappear (no type, an unknown type, or a zero timer).
    #[default]
    Off,
    /// It disappears `seconds` after the recipient reads it (`DELETE_AFTER_READ`).
    AfterRead {
        /// The timer.
        seconds: NonZeroU32,
    },
    /// It disappears `seconds` after it was sent (`DELETE_AFTER_SEND`).
    AfterSend {
        /// The timer.
        seconds: NonZeroU32,
    },
}

impl Expiry {
    /// Disappear `seconds` after sending; [`Expiry::Off`] for 0.
    pub fn after_send(seconds: u32) -> Self {
        NonZeroU32::new(seconds).map_or(Self::Off, |seconds| Self::AfterSend { seconds })
    }

    /// Disappear `seconds` after reading; [`Expiry::Off`] for 0.
    pub fn after_read(seconds: u32) -> Self {
        NonZeroU32::new(seconds).map_or(Self::Off, |seconds| Self::AfterRead { seconds })
    }

    /// The setting carried by `content`.
    pub fn of(content: &Content) -> Self {
        let seconds = content.expiration_timer.unwrap_or(0);
        match content
            .expiration_type
            .and_then(|t| ExpirationType::try_from(t).ok())
        {
            Some(ExpirationType::DeleteAfterRead) => Self::after_read(seconds),
            Some(ExpirationType::DeleteAfterSend) => Self::after_send(seconds),
            _ => Self::Off,
        }
    }

    /// Writes this setting into `content` (clearing both fields for [`Expiry::Off`]).
    pub fn apply_to(self, content: &mut Content) {
        let (kind, seconds) = match self {
            Self::Off => {
                content.expiration_type = None;
                content.expiration_timer = None;
                return;
            }
            Self::AfterRead { seconds } => (ExpirationType::DeleteAfterRead, seconds),
            Self::AfterSend { seconds } => (ExpirationType::DeleteAfterSend, seconds),
        };
        content.expiration_type = Some(kind as i32);
        content.expiration_timer = Some(seconds.get());
    }

    /// The timer, for either mode; `None` when off.
    pub fn timer_seconds(self) -> Option<NonZeroU32> {
        match self {
            Self::Off => None,
            Self::AfterRead { seconds } | Self::AfterSend { seconds } => Some(seconds),
        }
    }

    /// The after-send timer, which sets the storage TTL (`session_swarm::store_ttl_millis`);
    /// `None` when off or after-read (those are stored for the default TTL, and an after-read
    /// message is shortened with an `expire` once read).
    pub fn after_send_timer(self) -> Option<NonZeroU32> {
        match self {
            Self::AfterSend { seconds } => Some(seconds),
            Self::Off | Self::AfterRead { .. } => None,
        }
    }

    /// When the message disappears from the device, in milliseconds since the Unix epoch:
    /// `sent_at_ms` + timer after sending; `read_at_ms` + timer after reading (`None` while it
    /// is unread); never when off. Saturates instead of overflowing.
    pub fn disappears_at_ms(self, sent_at_ms: u64, read_at_ms: Option<u64>) -> Option<u64> {
        let after = |start: u64, seconds: NonZeroU32| {
            start.saturating_add(u64::from(seconds.get()).saturating_mul(1000))
        };
        match self {
            Self::Off => None,
            Self::AfterSend { seconds } => Some(after(sent_at_ms, seconds)),
            Self::AfterRead { seconds } => read_at_ms.map(|read| after(read, seconds)),
        }
    }
}

/// Which protobuf message failed to parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProtoMessage {
    /// The outer `WebSocketMessage`.
    WebSocketMessage,
    /// The `Envelope` in the request body.
    Envelope,
    /// The decrypted `Content`.
    Content,
}

/// Why a message could not be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// The sent timestamp is required and must not be zero (older clients drop such messages).
    #[error("the sent timestamp must be greater than zero")]
    ZeroTimestamp,
    /// Encryption failed.
    #[error(transparent)]
    SessionProtocol(#[from] SessionProtocolError),
    /// Blinded encryption failed.
    #[error(transparent)]
    BlindedDm(#[from] BlindedDmError),
    /// Group encryption failed (the message is too large).
    #[error(transparent)]
    Group(#[from] GroupMessageError),
}

/// Why stored bytes could not be decoded into a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// Not valid protobuf for the expected message.
    #[error("malformed {0:?} protobuf")]
    Malformed(ProtoMessage),
    /// The `WebSocketMessage` is not a request (its type is given, if any).
    #[error("WebSocketMessage is not a request (type {0:?})")]
    NotARequest(Option<i32>),
    /// A required field is absent.
    #[error("missing required field {0}")]
    MissingField(&'static str),
    /// The envelope is not of the type the decoder reads: 6 (one-to-one) for [`decode`], 7
    /// (closed group) for [`decode_group`] and [`crate::legacy_group::decode`].
    #[error("unexpected envelope type {0}")]
    UnexpectedEnvelopeType(i32),
    /// A legacy group envelope's `source` is not the group being read.
    #[error("the envelope is from another group")]
    WrongGroup,
    /// Decryption or sender verification failed.
    #[error(transparent)]
    SessionProtocol(#[from] SessionProtocolError),
    /// Blinded decryption or sender verification failed.
    #[error(transparent)]
    BlindedDm(#[from] BlindedDmError),
    /// The decrypted content has no padding marker and no content.
    #[error(transparent)]
    Padding(#[from] UnpadError),
    /// A `03` group message did not decrypt or verify.
    #[error(transparent)]
    Group(#[from] GroupMessageError),
    /// A legacy group message did not decrypt or verify.
    #[error(transparent)]
    LegacyGroup(#[from] LegacyGroupError),
}

/// A one-to-one message decoded by [`decode`].
#[derive(Clone, PartialEq)]
pub struct DecodedMessage {
    /// The sender's Session ID.
    pub sender_session_id: SessionId,
    /// The Ed25519 key that signed the message.
    pub sender_ed25519: Ed25519PublicKey,
    /// When the sender says it sent the message, in milliseconds since the Unix epoch.
    pub sent_timestamp_ms: u64,
    /// The relaying server's timestamp, if the envelope has one.
    pub server_timestamp_ms: Option<u64>,
    /// The message itself.
    pub content: Content,
    /// Its disappearing-message setting.
    pub expiry: Expiry,
}

/// A community inbox message decoded by [`decode_blinded`]. Its time is the server's
/// `posted_at`, which the caller has alongside the ciphertext.
#[derive(Clone, PartialEq)]
pub struct DecodedBlindedMessage {
    /// The sender's real Session ID.
    pub sender_session_id: SessionId,
    /// The sender's real Ed25519 key.
    pub sender_ed25519: Ed25519PublicKey,
    /// The message itself.
    pub content: Content,
    /// Its disappearing-message setting.
    pub expiry: Expiry,
}

impl core::fmt::Debug for DecodedMessage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DecodedMessage")
            .field("sender_session_id", &self.sender_session_id)
            .field("sent_timestamp_ms", &self.sent_timestamp_ms)
            .field("expiry", &self.expiry)
            .finish_non_exhaustive()
    }
}

impl core::fmt::Debug for DecodedBlindedMessage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DecodedBlindedMessage")
            .field("sender_session_id", &self.sender_session_id)
            .field("expiry", &self.expiry)
            .finish_non_exhaustive()
    }
}

/// Serializes and pads `content` (the plaintext buffers are wiped afterwards).
fn padded_content(content: &Content) -> Zeroizing<Vec<u8>> {
    let serialized = Zeroizing::new(content.encode_to_vec());
    Zeroizing::new(padding::pad(&serialized))
}

/// Wraps an envelope the way Session Desktop stores it: a `WebSocketMessage` request
/// (`PUT /api/v1/message`, id 0) whose body is the serialized envelope.
pub fn wrap_envelope(envelope: &Envelope) -> Vec<u8> {
    WebSocketMessage {
        r#type: Some(WebSocketMessageType::Request as i32),
        request: Some(WebSocketRequestMessage {
            verb: Some(b"PUT".to_vec()),
            path: Some(b"/api/v1/message".to_vec()),
            body: Some(envelope.encode_to_vec()),
            request_id: Some(0),
            headers: Vec::new(),
        }),
    }
    .encode_to_vec()
}

/// The envelope inside stored bytes: parses the `WebSocketMessage`, requires a request and
/// parses its body. Checks no envelope field.
pub fn unwrap_envelope(stored: &[u8]) -> Result<Envelope, DecodeError> {
    let message = WebSocketMessage::decode(stored)
        .map_err(|_| DecodeError::Malformed(ProtoMessage::WebSocketMessage))?;
    if message.r#type != Some(WebSocketMessageType::Request as i32) {
        return Err(DecodeError::NotARequest(message.r#type));
    }
    let body = message
        .request
        .and_then(|r| r.body)
        .ok_or(DecodeError::MissingField("WebSocketRequestMessage.body"))?;
    Envelope::decode(body.as_slice()).map_err(|_| DecodeError::Malformed(ProtoMessage::Envelope))
}

/// Encodes `content` from `sender` to `recipient` (the X25519 key of their Session ID): the
/// bytes a swarm stores (base64 them for a `store` request). `sent_timestamp_ms` is the sent
/// time in milliseconds, which must not be zero. Draws 32 bytes from `rng`.
pub fn encode(
    content: &Content,
    sender: &Identity,
    recipient: &X25519PublicKey,
    sent_timestamp_ms: u64,
    rng: &mut impl CryptoRng,
) -> Result<Vec<u8>, EncodeError> {
    if sent_timestamp_ms == 0 {
        return Err(EncodeError::ZeroTimestamp);
    }
    let padded = padded_content(content);
    let ciphertext = session_protocol::encrypt(sender, recipient, &padded, rng)?;
    let envelope = Envelope {
        r#type: Some(EnvelopeType::SessionMessage as i32),
        timestamp: Some(sent_timestamp_ms),
        content: Some(ciphertext),
        ..Envelope::default()
    };
    Ok(wrap_envelope(&envelope))
}

/// Decodes bytes a swarm stored for `own`: unwraps the envelope, decrypts and verifies it,
/// removes the padding and parses the content.
pub fn decode(stored: &[u8], own: &Identity) -> Result<DecodedMessage, DecodeError> {
    let envelope = unwrap_envelope(stored)?;
    let kind = envelope
        .r#type
        .ok_or(DecodeError::MissingField("Envelope.type"))?;
    let sent_timestamp_ms = envelope
        .timestamp
        .ok_or(DecodeError::MissingField("Envelope.timestamp"))?;
    if kind != EnvelopeType::SessionMessage as i32 {
        return Err(DecodeError::UnexpectedEnvelopeType(kind));
    }
    let ciphertext = envelope
        .content
        .ok_or(DecodeError::MissingField("Envelope.content"))?;
    let opened = session_protocol::decrypt(own, &ciphertext)?;
    let plaintext = Zeroizing::new(opened.plaintext);
    let content = Content::decode(padding::unpad(&plaintext)?)
        .map_err(|_| DecodeError::Malformed(ProtoMessage::Content))?;
    Ok(DecodedMessage {
        sender_session_id: opened.sender_session_id,
        sender_ed25519: opened.sender_ed25519,
        sent_timestamp_ms,
        server_timestamp_ms: envelope.server_timestamp,
        expiry: Expiry::of(&content),
        content,
    })
}

/// Encodes `content` as a community inbox message from `sender` to the blinded ID `recipient`
/// on the server `server_pk`: padded, then [`blinded_dm::encrypt`]ed. Draws 24 bytes from `rng`.
pub fn encode_blinded(
    content: &Content,
    sender: &Identity,
    server_pk: &Ed25519PublicKey,
    recipient: &SessionId,
    rng: &mut impl CryptoRng,
) -> Result<Vec<u8>, EncodeError> {
    let padded = padded_content(content);
    Ok(blinded_dm::encrypt(
        sender, server_pk, recipient, &padded, rng,
    )?)
}

/// Decodes a community inbox message (as its recipient, or as its sender when synced back):
/// decrypts it, checks the sender, removes the padding and parses the content.
pub fn decode_blinded(
    ciphertext: &[u8],
    own: &Identity,
    server_pk: &Ed25519PublicKey,
    sender: &SessionId,
    recipient: &SessionId,
) -> Result<DecodedBlindedMessage, DecodeError> {
    let opened = blinded_dm::decrypt(own, server_pk, sender, recipient, ciphertext)?;
    let plaintext = Zeroizing::new(opened.plaintext);
    let content = Content::decode(padding::unpad(&plaintext)?)
        .map_err(|_| DecodeError::Malformed(ProtoMessage::Content))?;
    Ok(DecodedBlindedMessage {
        sender_session_id: opened.sender_session_id,
        sender_ed25519: opened.sender_ed25519,
        expiry: Expiry::of(&content),
        content,
    })
}

/// A `03` group message decoded by [`decode_group`].
#[derive(Clone, PartialEq)]
pub struct DecodedGroupMessage {
    /// The sender's Session ID.
    pub sender_session_id: SessionId,
    /// The Ed25519 key that signed the message.
    pub sender_ed25519: Ed25519PublicKey,
    /// When the sender says it sent the message, in milliseconds since the Unix epoch.
    pub sent_timestamp_ms: u64,
    /// The relaying server's timestamp, if the envelope has one.
    pub server_timestamp_ms: Option<u64>,
    /// The message itself.
    pub content: Content,
    /// Its disappearing-message setting.
    pub expiry: Expiry,
    /// The position, in the keys given, of the group key that opened it.
    pub key_index: usize,
}

impl core::fmt::Debug for DecodedGroupMessage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DecodedGroupMessage")
            .field("sender_session_id", &self.sender_session_id)
            .field("sent_timestamp_ms", &self.sent_timestamp_ms)
            .field("expiry", &self.expiry)
            .field("key_index", &self.key_index)
            .finish_non_exhaustive()
    }
}

/// Encodes `content` from `sender` for a `03` group: an envelope (type 7, the sent time, the
/// serialized content, unpadded) [`group::encrypt`]ed with the group's current `key`,
/// compressed and padded as libsession does. The result is what the group's swarm stores in
/// namespace 11 (base64 it for the `store` request); there is no `WebSocketMessage` wrapper.
/// Draws 24 bytes from `rng`.
pub fn encode_group(
    content: &Content,
    sender: &Identity,
    key: &GroupEncryptionKey,
    sent_timestamp_ms: u64,
    rng: &mut impl CryptoRng,
) -> Result<Vec<u8>, EncodeError> {
    if sent_timestamp_ms == 0 {
        return Err(EncodeError::ZeroTimestamp);
    }
    let envelope = Envelope {
        r#type: Some(EnvelopeType::ClosedGroupMessage as i32),
        timestamp: Some(sent_timestamp_ms),
        content: Some(content.encode_to_vec()),
        ..Envelope::default()
    };
    let plaintext = Zeroizing::new(envelope.encode_to_vec());
    Ok(group::encrypt(
        key,
        sender,
        &plaintext,
        EncryptOptions::default(),
        rng,
    )?)
}

/// Decodes a message stored in a `03` group's swarm: decrypts it with the first of `keys` that
/// opens it (newest first), verifies the sender, parses the envelope (type 7) and the content.
/// The content is read unpadded, as groups send it; content padded as one-to-one messages are
/// is accepted too.
pub fn decode_group<'k, I>(stored: &[u8], keys: I) -> Result<DecodedGroupMessage, DecodeError>
where
    I: IntoIterator<Item = &'k GroupEncryptionKey>,
{
    let opened = group::decrypt(keys, stored)?;
    let plaintext = Zeroizing::new(opened.plaintext);
    let envelope = Envelope::decode(plaintext.as_slice())
        .map_err(|_| DecodeError::Malformed(ProtoMessage::Envelope))?;
    let kind = envelope
        .r#type
        .ok_or(DecodeError::MissingField("Envelope.type"))?;
    let sent_timestamp_ms = envelope
        .timestamp
        .ok_or(DecodeError::MissingField("Envelope.timestamp"))?;
    if kind != EnvelopeType::ClosedGroupMessage as i32 {
        return Err(DecodeError::UnexpectedEnvelopeType(kind));
    }
    let body = Zeroizing::new(
        envelope
            .content
            .ok_or(DecodeError::MissingField("Envelope.content"))?,
    );
    // Protobuf never ends in `80 00…` (that is field number 0), so padding cannot be mistaken
    // for content: parse as sent, and only if that fails, without padding.
    let content = match Content::decode(body.as_slice()) {
        Ok(content) => content,
        Err(_) => Content::decode(padding::unpad(&body)?)
            .map_err(|_| DecodeError::Malformed(ProtoMessage::Content))?,
    };
    Ok(DecodedGroupMessage {
        sender_session_id: opened.sender_session_id,
        sender_ed25519: opened.sender_ed25519,
        sent_timestamp_ms,
        server_timestamp_ms: envelope.server_timestamp,
        expiry: Expiry::of(&content),
        content,
        key_index: opened.key_index,
    })
}
