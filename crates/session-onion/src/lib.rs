//! Session onion requests, sans-IO: hop encryption, request building, layer peeling and reply
//! decoding, byte-compatible with libsession-util and the Oxen storage server.
//!
//! A client wraps a request in one encrypted layer per node of a path (normally three), each
//! under a fresh ephemeral X25519 key, so that every node learns only the previous and the next
//! hop. The destination (a service node, or an HTTP server the last node forwards to) encrypts
//! its reply once, to the destination layer's ephemeral key; relays pass it back untouched.
//!
//! - Client: [`OnionRequestBuilder`] → [`OnionRequest`] (guard, body, [`ResponseContext`]);
//!   [`ResponseContext::read_service_node_reply`] / [`read_server_reply`] read the guard's
//!   HTTP answer once: the destination's decrypted reply, or a typed [`OnionFailure`] (a
//!   relay's plain-text failure as [`PathFailure::classify`] reads it, or an unreadable
//!   reply); [`V4Request`] encodes a server request.
//! - Node: [`NodeKeys::peel`] → [`PeeledLayer`] with a typed [`Routing`] and the inner bytes;
//!   [`PeeledLayer::seal_reply`] encrypts a destination's answer.
//! - Both: [`hop_encrypt`], [`hop_decrypt`] and [`HopKey`] for one hop, in either [`Role`].
//!
//! The crate opens no socket and reads no clock; randomness comes only from the
//! [`rand_core::CryptoRng`] handed in.
//!
//! ```
//! use session_identity::{Ed25519PublicKey, X25519SecretKey};
//! use session_onion::{Destination, EncType, Hop, NodeKeys, OnionRequestBuilder, Routing};
//!
//! let mut rng = rand::rng(); // any rand_core::CryptoRng
//! // Three relays and a destination node, each with an onion key pair.
//! let nodes: Vec<(Hop, NodeKeys)> = (0..4u8)
//!     .map(|i| {
//!         let keys = NodeKeys::new(X25519SecretKey::generate(&mut rng));
//!         (Hop::new(Ed25519PublicKey::from_bytes([i; 32]), *keys.public_key()), keys)
//!     })
//!     .collect();
//! let (path, target) = nodes.split_at(3);
//!
//! // The client builds the request...
//! let request = OnionRequestBuilder::new(Destination::ServiceNode(target[0].0), EncType::XChaCha20)
//!     .path(path.iter().map(|(hop, _)| *hop))
//!     .build(br#"{"method":"info","params":{}}"#, &mut rng)?;
//! assert_eq!(request.guard_ed25519(), &path[0].0.ed25519);
//!
//! // ...each node peels one layer and forwards the rest...
//! let mut body = request.body().to_vec();
//! for (_, keys) in path {
//!     let layer = keys.peel(&body)?;
//!     body = layer.next_hop_body().expect("relays forward to the next node");
//! }
//! // ...the destination reads the request and answers.
//! let layer = target[0].1.peel(&body)?;
//! assert!(matches!(layer.routing(), Routing::ServiceNode(_)));
//! assert_eq!(layer.inner(), br#"{"method":"info","params":{}}"#);
//! let reply = layer.seal_service_node_reply(200, "hello", &mut rng);
//!
//! // The client reads the guard's HTTP answer (here a 200 carrying the reply).
//! let response = request.response_context().read_service_node_reply(200, &reply)?;
//! assert_eq!((response.status, &response.body[..]), (200, &b"hello"[..]));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`read_server_reply`]: ResponseContext::read_server_reply
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod builder;
mod enc_type;
mod hop;
mod json;
mod layer;
mod node;
mod response;
mod v4;

pub use builder::{
    BuildError, Destination, Hop, OnionRequest, OnionRequestBuilder, PrecomputedKeys,
    ServerDestination, MAX_PATH_LEN,
};
pub use enc_type::{EncType, UnknownEncType};
pub use hop::{hop_decrypt, hop_encrypt, HopError, HopKey, Role};
pub use layer::{FrameError, LayerFrame, MAX_BODY_LEN, MAX_ROUTING_JSON_LEN};
pub use node::{
    LayerError, NextHop, NodeKeys, OpenedLayer, PeeledLayer, Routing, RoutingError, ServerRoute,
    ServiceNodeDelivery,
};
pub use response::{
    decode_v4_response, BencodeError, OnionFailure, PathFailure, ResponseContext, ResponseError,
    ServerResponse, ServiceNodeResponse,
};
pub use v4::{encode_v4_response, V4Request};

/// Writes a JSON value as the reference's `nlohmann::json::dump()` does: compact, object keys
/// sorted by bytes at every level, UTF-8 as-is, control characters escaped.
///
/// The order does not depend on `serde_json::Map`'s, which a cargo feature
/// (`preserve_order`) switched on anywhere in a build would change. Storage requests are
/// written with it too.
///
/// ```
/// let value = serde_json::json!({"params": {"pubkey": "05ab", "namespace": 0}, "method": "store"});
/// assert_eq!(
///     session_onion::dump_sorted_json(&value),
///     r#"{"method":"store","params":{"namespace":0,"pubkey":"05ab"}}"#
/// );
/// ```
pub fn dump_sorted_json(value: &serde_json::Value) -> String {
    json::dump_sorted(value)
}

/// The code sample of README.md, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
