//! Legacy closed groups (`05` group IDs), read only: libsession and current clients no longer
//! send to them, but their history and control messages can still be read.
//!
//! A legacy group has a rotating X25519 *encryption key pair*. A message to the group is a
//! one-to-one Session Protocol message ([`crate::session_protocol`]) sealed to that key pair's
//! public key, in an envelope of type 7 whose `source` is the group ID, stored in namespace −10
//! of the group's swarm. A receiver tries each key pair it holds, newest first. Key pairs
//! arrive in control messages (`DataMessage.closedGroupControlMessage`): in the clear inside a
//! one-to-one `NEW` message, or sealed to each member in an `ENCRYPTION_KEY_PAIR` message.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use prost::Message as _;
use session_identity::{
    Ed25519PublicKey, Identity, Prefix, SessionId, X25519PublicKey, X25519SecretKey,
};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use crate::message::{DecodeError, Expiry, ProtoMessage};
use crate::padding;
use crate::proto::{
    ClosedGroupControlMessage, ClosedGroupControlMessageType, Content, EnvelopeType, KeyPair,
};
use crate::session_protocol::{self, DecryptedMessage, SessionProtocolError};
use crate::unwrap_envelope;

/// A legacy group's X25519 encryption key pair (one per key rotation). The secret is zeroized
/// on drop and `Debug` shows only the public key.
#[derive(Clone)]
pub struct LegacyGroupKeyPair {
    public: X25519PublicKey,
    secret: X25519SecretKey,
}

impl LegacyGroupKeyPair {
    /// The key pair of `secret`.
    pub fn from_secret(secret: X25519SecretKey) -> Self {
        Self {
            public: secret.public_key(),
            secret,
        }
    }

    /// A key pair as stored (public and secret key). Fails if `public` is not the public key of
    /// `secret`: such a pair opens nothing.
    pub fn new(public: X25519PublicKey, secret: X25519SecretKey) -> Result<Self, LegacyGroupError> {
        if secret.public_key() != public {
            return Err(LegacyGroupError::MismatchedKeyPair);
        }
        Ok(Self { public, secret })
    }

    /// The key pair of a `KeyPair` protobuf: a 32-byte secret key and its public key (32 bytes,
    /// or 33 with a leading `05`).
    pub fn from_proto(key_pair: &KeyPair) -> Result<Self, LegacyGroupError> {
        let public = key_pair
            .public_key
            .as_deref()
            .and_then(bare_x25519)
            .ok_or(LegacyGroupError::BadKeyPair)?;
        let secret = key_pair
            .private_key
            .as_deref()
            .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
            .map(X25519SecretKey::from_bytes)
            .ok_or(LegacyGroupError::BadKeyPair)?;
        Self::new(public, secret)
    }

    /// The public key (messages to the group are sealed to it).
    pub fn public_key(&self) -> &X25519PublicKey {
        &self.public
    }

    /// The secret key.
    pub fn secret_key(&self) -> &X25519SecretKey {
        &self.secret
    }
}

impl PartialEq for LegacyGroupKeyPair {
    /// Compared in constant time.
    fn eq(&self, other: &Self) -> bool {
        let same_secret = self
            .secret
            .expose_secret_bytes()
            .ct_eq(other.secret.expose_secret_bytes());
        bool::from(same_secret) && self.public == other.public
    }
}

impl Eq for LegacyGroupKeyPair {}

impl fmt::Debug for LegacyGroupKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LegacyGroupKeyPair")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

/// A 32-byte X25519 key, given bare or after a `05` prefix.
fn bare_x25519(bytes: &[u8]) -> Option<X25519PublicKey> {
    match bytes.len() {
        32 => X25519PublicKey::from_slice(bytes),
        33 if bytes[0] == Prefix::User.as_byte() => X25519PublicKey::from_slice(&bytes[1..]),
        _ => None,
    }
}

/// Why a legacy group message, key pair or control message was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LegacyGroupError {
    /// None of the key pairs opens the message (or none was given).
    #[error("no group encryption key pair opens the message")]
    NoKeyPair,
    /// A key pair opened the message, but it is not a valid Session Protocol message (its
    /// sender signature or key is refused), or it is too short to be one.
    #[error(transparent)]
    SessionProtocol(SessionProtocolError),
    /// A public key that does not belong to the secret key.
    #[error("the public key is not the secret key's")]
    MismatchedKeyPair,
    /// A `KeyPair` without a 32-byte secret key and a 32-byte (or `05`-prefixed) public key.
    #[error("malformed key pair")]
    BadKeyPair,
    /// Protobuf bytes that are not a `KeyPair`.
    #[error("malformed KeyPair protobuf")]
    MalformedKeyPair,
    /// The control message has no type, or one this crate does not know.
    #[error("unknown closed-group control message type {0:?}")]
    UnknownControlType(Option<i32>),
    /// A field the control message's type requires is absent.
    #[error("control message lacks {0}")]
    MissingField(&'static str),
    /// A group or member ID that is not a 33-byte `05` Session ID.
    #[error("control message holds an invalid Session ID")]
    BadSessionId,
    /// An `ENCRYPTION_KEY_PAIR` message has no key pair for this account.
    #[error("no key pair in the message is for this account")]
    NotForUs,
    /// The key pair meant for this account does not open.
    #[error("the wrapped key pair does not open: {0}")]
    Wrapper(SessionProtocolError),
}

/// Opens a legacy group message with the first of `key_pairs` that opens it (pass the newest
/// first) and verifies its sender, as [`session_protocol::decrypt`] does with the group key
/// pair as recipient. Returns the message and the position of the key pair that opened it.
pub fn decrypt<'k, I>(
    key_pairs: I,
    ciphertext: &[u8],
) -> Result<(DecryptedMessage, usize), LegacyGroupError>
where
    I: IntoIterator<Item = &'k LegacyGroupKeyPair>,
{
    if ciphertext.len() < session_protocol::OVERHEAD {
        return Err(LegacyGroupError::SessionProtocol(
            SessionProtocolError::TooShort {
                len: ciphertext.len(),
            },
        ));
    }
    for (index, pair) in key_pairs.into_iter().enumerate() {
        match session_protocol::decrypt_with_x25519(&pair.public, &pair.secret, ciphertext) {
            Ok(message) => return Ok((message, index)),
            // Sealed to another key pair: try the next one.
            Err(SessionProtocolError::CannotOpen) => {}
            // It opened, so this was the key; the content is bad.
            Err(e) => return Err(LegacyGroupError::SessionProtocol(e)),
        }
    }
    Err(LegacyGroupError::NoKeyPair)
}

/// A legacy group message decoded by [`decode`].
#[derive(Clone, PartialEq)]
pub struct DecodedLegacyGroupMessage {
    /// The group it was sent to.
    pub group_id: SessionId,
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
    /// The position of the key pair that opened it.
    pub key_index: usize,
}

impl fmt::Debug for DecodedLegacyGroupMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodedLegacyGroupMessage")
            .field("group_id", &self.group_id)
            .field("sender_session_id", &self.sender_session_id)
            .field("sent_timestamp_ms", &self.sent_timestamp_ms)
            .field("expiry", &self.expiry)
            .finish_non_exhaustive()
    }
}

/// Decodes bytes stored in a legacy group's swarm (namespace −10): unwraps the envelope
/// (type 7, `source` the group ID), decrypts it with the group's key pairs, verifies the sender,
/// removes the padding and parses the content.
pub fn decode<'k, I>(
    stored: &[u8],
    group_id: &SessionId,
    key_pairs: I,
) -> Result<DecodedLegacyGroupMessage, DecodeError>
where
    I: IntoIterator<Item = &'k LegacyGroupKeyPair>,
{
    let envelope = unwrap_envelope(stored)?;
    let kind = envelope
        .r#type
        .ok_or(DecodeError::MissingField("Envelope.type"))?;
    let sent_timestamp_ms = envelope
        .timestamp
        .ok_or(DecodeError::MissingField("Envelope.timestamp"))?;
    if kind != EnvelopeType::ClosedGroupMessage as i32 {
        return Err(DecodeError::UnexpectedEnvelopeType(kind));
    }
    let source = envelope
        .source
        .as_deref()
        .ok_or(DecodeError::MissingField("Envelope.source"))?;
    if source != group_id.to_hex().as_bytes() {
        return Err(DecodeError::WrongGroup);
    }
    let ciphertext = envelope
        .content
        .ok_or(DecodeError::MissingField("Envelope.content"))?;
    let (opened, key_index) = decrypt(key_pairs, &ciphertext)?;
    let plaintext = Zeroizing::new(opened.plaintext);
    let content = Content::decode(padding::unpad(&plaintext)?)
        .map_err(|_| DecodeError::Malformed(ProtoMessage::Content))?;
    Ok(DecodedLegacyGroupMessage {
        group_id: *group_id,
        sender_session_id: opened.sender_session_id,
        sender_ed25519: opened.sender_ed25519,
        sent_timestamp_ms,
        server_timestamp_ms: envelope.server_timestamp,
        expiry: Expiry::of(&content),
        content,
        key_index,
    })
}

/// A closed-group control message, checked and with its IDs parsed ([`parse_control`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LegacyGroupControl {
    /// A group was created, or this account was added to it (sent one-to-one).
    New {
        /// The group's ID.
        group_id: SessionId,
        /// Its name.
        name: String,
        /// Its current encryption key pair.
        key_pair: LegacyGroupKeyPair,
        /// Its members.
        members: Vec<SessionId>,
        /// Its admins.
        admins: Vec<SessionId>,
        /// The disappearing-messages timer in seconds, 0 when off.
        expiration_timer: u32,
    },
    /// A new encryption key pair, wrapped for each member: open this account's copy with
    /// [`open_key_pair`].
    EncryptionKeyPair {
        /// The group, when the message names it (it does when sent one-to-one).
        group_id: Option<SessionId>,
        /// How many members it was wrapped for.
        wrappers: usize,
    },
    /// The group was renamed.
    NameChange {
        /// The new name.
        name: String,
    },
    /// Members were added.
    MembersAdded {
        /// Who.
        members: Vec<SessionId>,
    },
    /// Members were removed.
    MembersRemoved {
        /// Who.
        members: Vec<SessionId>,
    },
    /// The sender left the group.
    MemberLeft,
    /// The sender asks for the current key pair.
    EncryptionKeyPairRequest,
}

fn user_ids(list: &[Vec<u8>]) -> Result<Vec<SessionId>, LegacyGroupError> {
    list.iter()
        .map(|bytes| user_id(bytes))
        .collect::<Result<Vec<_>, _>>()
}

fn user_id(bytes: &[u8]) -> Result<SessionId, LegacyGroupError> {
    SessionId::from_bytes(bytes)
        .and_then(|id| id.require_prefix(Prefix::User))
        .map_err(|_| LegacyGroupError::BadSessionId)
}

/// Checks a control message and parses its IDs and key pair (33-byte `05` IDs, as clients
/// send them).
pub fn parse_control(
    message: &ClosedGroupControlMessage,
) -> Result<LegacyGroupControl, LegacyGroupError> {
    let kind = message
        .r#type
        .and_then(|t| ClosedGroupControlMessageType::try_from(t).ok())
        .ok_or(LegacyGroupError::UnknownControlType(message.r#type))?;
    Ok(match kind {
        ClosedGroupControlMessageType::New => {
            let group_id = user_id(
                message
                    .public_key
                    .as_deref()
                    .ok_or(LegacyGroupError::MissingField("publicKey"))?,
            )?;
            let key_pair = LegacyGroupKeyPair::from_proto(
                message
                    .encryption_key_pair
                    .as_ref()
                    .ok_or(LegacyGroupError::MissingField("encryptionKeyPair"))?,
            )?;
            LegacyGroupControl::New {
                group_id,
                name: message
                    .name
                    .clone()
                    .ok_or(LegacyGroupError::MissingField("name"))?,
                key_pair,
                members: user_ids(&message.members)?,
                admins: user_ids(&message.admins)?,
                expiration_timer: message.expiration_timer.unwrap_or(0),
            }
        }
        ClosedGroupControlMessageType::EncryptionKeyPair => LegacyGroupControl::EncryptionKeyPair {
            group_id: message.public_key.as_deref().map(user_id).transpose()?,
            wrappers: message.wrappers.len(),
        },
        ClosedGroupControlMessageType::NameChange => LegacyGroupControl::NameChange {
            name: message
                .name
                .clone()
                .ok_or(LegacyGroupError::MissingField("name"))?,
        },
        ClosedGroupControlMessageType::MembersAdded => LegacyGroupControl::MembersAdded {
            members: user_ids(&message.members)?,
        },
        ClosedGroupControlMessageType::MembersRemoved => LegacyGroupControl::MembersRemoved {
            members: user_ids(&message.members)?,
        },
        ClosedGroupControlMessageType::MemberLeft => LegacyGroupControl::MemberLeft,
        ClosedGroupControlMessageType::EncryptionKeyPairRequest => {
            LegacyGroupControl::EncryptionKeyPairRequest
        }
    })
}

/// Opens this account's copy of the key pair in an `ENCRYPTION_KEY_PAIR` control message: the
/// wrapper addressed to `own` (by its 33-byte Session ID, or its bare X25519 key) is a `KeyPair`
/// sealed to it. Returns the key pair and who sealed it (clients accept it only from an admin).
pub fn open_key_pair(
    message: &ClosedGroupControlMessage,
    own: &Identity,
) -> Result<(LegacyGroupKeyPair, SessionId), LegacyGroupError> {
    if message.r#type != Some(ClosedGroupControlMessageType::EncryptionKeyPair as i32) {
        return Err(LegacyGroupError::UnknownControlType(message.r#type));
    }
    let own_key = own.x25519_public_key();
    let wrapper = message
        .wrappers
        .iter()
        .find(|w| w.public_key.as_deref().and_then(bare_x25519) == Some(own_key))
        .ok_or(LegacyGroupError::NotForUs)?;
    let sealed = wrapper
        .encrypted_key_pair
        .as_deref()
        .ok_or(LegacyGroupError::MissingField("encryptedKeyPair"))?;
    let opened = session_protocol::decrypt(own, sealed).map_err(LegacyGroupError::Wrapper)?;
    let plaintext = Zeroizing::new(opened.plaintext);
    let mut proto =
        KeyPair::decode(plaintext.as_slice()).map_err(|_| LegacyGroupError::MalformedKeyPair)?;
    let key_pair = LegacyGroupKeyPair::from_proto(&proto);
    proto.private_key.zeroize();
    Ok((key_pair?, opened.sender_session_id))
}
