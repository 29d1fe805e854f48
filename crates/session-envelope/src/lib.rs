//! Session message protection and wire encoding: the envelope layer of sessionkit.
//!
//! * [`session_protocol`]: one-to-one messages, signed by the sender's Ed25519 key and sealed
//!   (libsodium `crypto_box_seal`, exact for every key) to the recipient's X25519 key.
//! * [`blinded_dm`]: direct messages between community users known only by blinded IDs.
//! * [`padding`]: the `0x80 00…` padding that hides message lengths.
//! * [`proto`]: the protobuf messages (`WebSocketMessage`, `Envelope`, `Content`, …).
//! * [`group`]: messages of `03` groups, signed, compressed, padded and encrypted with the
//!   group's symmetric key; [`legacy_group`]: reading legacy (`05`) closed groups and their
//!   control messages.
//! * [`multi`]: one message encrypted for many X25519 recipients (`encrypt_for_multiple`),
//!   and the per-recipient key `03` group keys messages use.
//! * [`encode`] / [`decode`] (and [`encode_blinded`] / [`decode_blinded`], [`encode_group`] /
//!   [`decode_group`]): from a `Content` to the bytes a swarm or community server stores, and
//!   back, with the sender verified.
//! * [`ons`] and [`push`]: ONS lookup responses and push-notification payloads.
//!
//! Everything is byte-compatible with libsession-util and Session clients. The crate does no
//! I/O, reads no clock and draws randomness only from the `rng` a caller passes.
//!
//! ```
//! use session_envelope::proto::{Content, DataMessage};
//! use session_envelope::{decode, encode, Expiry};
//! use session_identity::Identity;
//!
//! let mut rng = rand::rng(); // any rand_core::CryptoRng
//! let alice = Identity::generate(&mut rng);
//! let bob = Identity::generate(&mut rng);
//!
//! let mut content = Content {
//!     data_message: Some(DataMessage {
//!         body: Some("hi Bob".into()),
//!         ..DataMessage::default()
//!     }),
//!     ..Content::default()
//! };
//! Expiry::after_send(3600).apply_to(&mut content);
//!
//! // What Alice stores in Bob's swarm (base64 it for the `store` request).
//! let stored = encode(&content, &alice, &bob.x25519_public_key(), 1_700_000_000_000, &mut rng)?;
//!
//! // Bob's client reads it back: the sender is verified, the setting recovered.
//! let message = decode(&stored, &bob)?;
//! assert_eq!(message.sender_session_id, alice.session_id());
//! assert_eq!(message.sent_timestamp_ms, 1_700_000_000_000);
//! assert_eq!(message.content, content);
//! assert_eq!(message.expiry, Expiry::after_send(3600));
//!
//! // Nobody else can read it.
//! assert!(decode(&stored, &Identity::generate(&mut rng)).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Decryptors and parsers treat every input as hostile: they return typed errors and never
//! panic. Key material is zeroized after use.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

extern crate alloc;

pub mod attachment;
pub mod blinded_dm;
mod compression;
mod extras;
pub mod group;
pub mod legacy_group;
mod message;
pub mod multi;
pub mod padding;
pub mod proto;
pub mod session_protocol;
mod sodium_box;

pub use attachment::AttachmentError;
pub use blinded_dm::{BlindedDmError, BlindedMessage};
pub use extras::{ons, push, ExtrasError};
pub use group::{GroupEncryptionKey, GroupMessage, GroupMessageError};
pub use legacy_group::{LegacyGroupError, LegacyGroupKeyPair};
pub use message::{
    decode, decode_blinded, decode_group, encode, encode_blinded, encode_group, unwrap_envelope,
    wrap_envelope, DecodeError, DecodedBlindedMessage, DecodedGroupMessage, DecodedMessage,
    EncodeError, Expiry, ProtoMessage,
};
pub use multi::MultiEncryptError;
pub use padding::UnpadError;
/// The protobuf runtime: its [`prost::Message`] trait encodes and decodes the [`proto`] types.
pub use prost;
pub use session_protocol::{DecryptedMessage, SessionProtocolError};

/// The code sample of README.md, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
