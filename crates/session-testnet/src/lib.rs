//! A whole Session network in one process, built only from sessionkit's four protocol crates.
//!
//! - [`Network`]: service nodes with real Ed25519/X25519 keys in swarms, a node directory in
//!   the seed node's JSON format, one replicated store per swarm with TTL expiry against a
//!   simulated clock, storage RPCs checked as the storage server checks them (401, 406, 421),
//!   a small file server speaking the endpoints `session-fileserver` builds (upload, download,
//!   extend) behind v4 onion requests, and fault injection (node down,
//!   dropped reply, corrupted layer, clock skew).
//! - [`Client`]: a frontend's use of the layers: `session-envelope` seals and opens,
//!   `session-onion` routes, `session-swarm` signs, picks paths and decides what to do after
//!   each outcome.
//! - [`CommunityServer`]: a community server (SOGS) behind onion v4 requests that checks every
//!   signature, timestamp and nonce as the reference server does and logs what it saw;
//!   [`CommunityLink`] carries a `session_community::Community`'s requests to it.
//! - [`RequestTrace`]: per request, what each hop saw (previous and next hop only) and, with a
//!   hop clock ([`Network::set_hop_clock`]), how long it took.
//!
//! Everything is deterministic: randomness comes from seeded [`rand_chacha::ChaCha20Rng`]s and
//! time only moves when [`Network::advance`] is called; the network reads no clock of its own.
//! No socket is opened.
//!
//! ```
//! use rand_chacha::ChaCha20Rng;
//! use rand_core::SeedableRng;
//! use session_envelope::proto::{Content, DataMessage};
//! use session_identity::Identity;
//! use session_testnet::{Client, Network, NetworkConfig};
//!
//! let mut net = Network::new(NetworkConfig::default());
//! let mut rng = ChaCha20Rng::seed_from_u64(9);
//! let mut alice = Client::new(Identity::generate(&mut rng), &net, 1)?;
//! let mut bob = Client::new(Identity::generate(&mut rng), &net, 2)?;
//!
//! let content = Content {
//!     data_message: Some(DataMessage { body: Some("hi Bob".into()), ..DataMessage::default() }),
//!     ..Content::default()
//! };
//! alice.send(&mut net, &bob.session_id(), &content)?;
//!
//! let inbox = bob.poll(&mut net)?;
//! assert_eq!(inbox.len(), 1);
//! assert_eq!(inbox[0].message.sender_session_id, alice.session_id());
//! assert_eq!(inbox[0].message.content, content);
//! # Ok::<(), session_testnet::ClientError>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod client;
mod community;
mod network;
mod storage;
mod trace;

pub use client::{Client, ClientError, ConfigEvent, Received};
pub use community::{
    CommunityConfig, CommunityLink, CommunityLogEntry, CommunityServer, LinkError,
};
pub use network::{
    FileServer, HopClock, HopOutcome, HttpReply, Network, NetworkConfig, Node, FILE_TTL_SECONDS,
    GENESIS_MS, STORAGE_PORT,
};
pub use storage::RETRIEVE_PAGE;
pub use trace::{short, HopView, Peer, RequestTrace};
