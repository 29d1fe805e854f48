//! Session communities (open groups, SOGS), sans-IO: signed requests, the API as typed
//! requests and replies, and a poller.
//!
//! - [`Community`]: one account on one server. It signs requests ([`Community::sign`] → a
//!   [`V4Request`](session_onion::V4Request) for an onion request to
//!   [`Server::destination`]) with the key the server's [`Capabilities`] call for
//!   ([`AuthKind`]: `00`, `15` or `25`), makes posts and edits (padded `Content`, signed),
//!   encrypts blinded direct messages, verifies and decodes received messages, and tells
//!   whether a blinded ID is its own or a known contact's.
//! - [`request`]: one type per endpoint, each implementing [`Call`]: the [`ApiRequest`] it
//!   sends and how it reads its reply, alone or as a sub-reply of a [`Batch`].
//! - [`reply`]: the typed replies, read from untrusted JSON with a [`ReplyError`] naming every
//!   malformed field; bodies and lists are bounded and nothing panics.
//! - [`auth`]: the `X-SOGS-*` headers themselves, and the server's check of them
//!   ([`AuthHeaders`]), for servers and tests.
//! - [`Poller`]: polls rooms and direct messages with one `/batch` at a time and turns the
//!   answers into [`Event`]s, with backoff after failures; deterministic given `now`.
//!
//! The crate opens no socket, reads no clock (every call that needs the time takes `now`, a
//! [`Duration`](core::time::Duration) since the Unix epoch) and draws randomness only from the
//! [`rand_core::CryptoRng`] it is handed. It needs `std` (as `session-onion` does) and builds
//! for `wasm32-unknown-unknown`.
//!
//! ```
//! use core::time::Duration;
//!
//! use session_community::{
//!     AcceptedKeys, AuthHeaders, Body, Call, Community, RoomToken, Scheme, Server, ServerKey,
//! };
//! use session_envelope::proto::{Content, DataMessage};
//! use session_identity::{Identity, Prefix};
//!
//! let mut rng = rand::rng(); // any rand_core::CryptoRng
//! let server = Server::new(Scheme::Https, "chat.example.org", None, ServerKey::from_bytes([0x42; 32]))?;
//! let alice = Community::new(server.clone(), Identity::generate(&mut rng));
//! let lobby = RoomToken::new("lobby")?;
//!
//! // A post: the content padded and signed with Alice's blinded key for this server.
//! let content = Content {
//!     data_message: Some(DataMessage { body: Some("hello".into()), ..DataMessage::default() }),
//!     ..Content::default()
//! };
//! let post = alice.post(&lobby, &content, &mut rng);
//! let now = Duration::from_secs(1_700_000_000); // the caller's clock
//! let request = alice.sign(&post.request(), now, &mut rng)?; // a v4 request: send it onion-routed
//!
//! // What the server checks: four X-SOGS-* headers and a blinded signature.
//! let header = |name: &str| request.headers().get(name).map(String::as_str);
//! let auth = AuthHeaders::parse(
//!     header("X-SOGS-Pubkey"),
//!     header("X-SOGS-Nonce"),
//!     header("X-SOGS-Timestamp"),
//!     header("X-SOGS-Signature"),
//!     AcceptedKeys::REFERENCE_DEFAULT,
//! )?
//! .expect("the request is signed");
//! auth.verify(server.key(), request.method(), request.endpoint(), request.body_bytes().unwrap_or_default())?;
//! assert_eq!(auth.user_id()?, alice.own_id());
//! assert_eq!(alice.own_id().prefix(), Prefix::Blinded15); // never the Session ID
//!
//! // The server stores the post and answers 201 with it; Alice reads it back.
//! let mut stored: serde_json::Value = serde_json::from_slice(request.body_bytes().unwrap_or_default())?;
//! stored["id"] = 1.into();
//! stored["seqno"] = 1.into();
//! stored["posted"] = 1_700_000_000.25.into();
//! stored["session_id"] = alice.own_id().to_hex().into();
//! let message = post.read(201, Body::Json(&stored))?;
//! let opened = alice.open(&message)?; // the signature verifies against the sender ID
//! assert!(opened.from_me);
//! assert_eq!(opened.content, content);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! What the server sees: the blinded ID, never the Session ID (unless a server without
//! blinding is used unblinded); direct messages reveal the sender's Session ID to the recipient
//! only, inside the ciphertext.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod auth;
mod community;
mod json;
pub mod poller;
pub mod reply;
pub mod request;
mod server;

pub use auth::{AcceptedKeys, AuthError, AuthHeaders, AuthKind, SignedHeaders, Signer};
pub use community::{Community, DirectMessageError, MessageError, OpenedMessage, SignError};
pub use poller::{
    Event, PollRequest, Poller, PollerConfig, ReceivedDirectMessage, ReceivedMessage,
};
pub use reply::{Capabilities, FieldProblem, ReplyError};
pub use request::{ApiRequest, Batch, Body, Call, Method, ReactionText, RequestError, RoomToken};
pub use server::{JoinUrl, Scheme, Server, ServerError, ServerKey, ONION_TARGET};

/// The code sample of README.md, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
