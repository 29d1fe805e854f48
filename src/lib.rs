//! **sessionkit**: the client protocols of the Session private messenger as small, layered,
//! sans-IO Rust libraries, byte-compatible with the real Session network.
//!
//! This crate re-exports the layers; each is also usable on its own:
//!
//! | module | crate | what it does |
//! |---|---|---|
//! | [`identity`] | `session-identity` | seeds, Ed25519/X25519 keys, Session IDs, recovery phrases, community blinding, safety numbers |
//! | [`bencode`] | `session-bencode` | the bt-encoding: bounded zero-copy reader, canonical writer |
//! | [`envelope`] | `session-envelope` | 1:1 and blinded message encryption, padding, the protobuf envelope |
//! | [`onion`] | `session-onion` | onion requests: hop encryption, building, peeling, replies |
//! | [`swarm`] | `session-swarm` | swarm mapping, node directory, paths, storage RPC and its decisions |
//! | [`config`] | `session-config` | config messages: merge, encryption, push and dump, UserProfile |
//! | [`groups`] | `session-groups` | `03` group keys: rekey and supplement messages, loading, key order and expiry |
//! | [`fileserver`] | `session-fileserver` | file server uploads and downloads as onion v4 requests, download URLs |
//! | [`community`] | `session-community` | communities (SOGS): signed requests, the API, a poller |
//!
//! The protocol layers do no I/O: they read no clock and open no socket, and draw randomness
//! only from a [`rand_core::CryptoRng`](identity::rand_core::CryptoRng) the caller hands
//! them, so every output is reproducible in tests.
//!
//! ```
//! use sessionkit::identity::{Identity, Seed};
//!
//! let seed = Seed::from_legacy_bytes(*b"0123456789abcdef");
//! let alice = Identity::from_seed(seed);
//! println!("Session ID: {}", alice.session_id());
//! assert_eq!(alice.recovery_phrase().word_count(), 13);
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

pub use session_bencode as bencode;
/// The I/O layer (`client` feature): see `session-client`.
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub use session_client as client;
pub use session_community as community;
pub use session_config as config;
pub use session_envelope as envelope;
pub use session_fileserver as fileserver;
pub use session_groups as groups;
pub use session_identity as identity;
pub use session_onion as onion;
pub use session_swarm as swarm;

/// The code samples of README.md, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
