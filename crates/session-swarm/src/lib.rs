//! Session swarms, sans-IO: where an account's messages live, how to reach them and what to do
//! when the network answers.
//!
//! - **Swarm mapping**: a Session ID (`05…`) or group ID (`03…`) lands at [`swarm_space`] on
//!   a 64-bit ring; its swarm is the nearest swarm ID ([`select_swarm`], ties to the left).
//!   [`SwarmMap`] answers that for a whole node list in O(log n) without allocating.
//! - **Node directory**: [`parse_service_node_list`] and [`parse_swarm_reply`] turn the
//!   seed/oxend and `get_swarm` replies into [`ServiceNode`]s (bad entries are skipped and
//!   counted); [`intersect_node_lists`] and [`pool_action`] decide refreshes.
//! - **Paths**: [`NodePool`] picks guards and 3-hop paths with one node per /24 and counts
//!   failures; [`PathSet`] holds the paths.
//! - **Storage requests**: [`StorageRequest`] builds signed `store`, `retrieve`, `delete`, …
//!   bodies ([`SignedAction`] is exactly what the server verifies); [`MessageHash`] names
//!   messages; [`Namespace`] knows the authentication and TTL rules.
//! - **Replies**: [`parse_retrieve_reply`], [`parse_store_reply`], … and [`StatusClass`].
//! - **Decisions**: [`SwarmRequest`] turns outcomes into [`Decision`]s (retry elsewhere,
//!   follow a 421, fix the clock, blame a node or path, give up), with bounded retries.
//!
//! Nothing here does I/O, reads a clock or draws randomness by itself: "now" is a
//! [`Timestamp`] argument and randomness an injected [`rand_core::CryptoRng`].
//!
//! ```
//! use session_identity::{Identity, Seed};
//! use session_swarm::{
//!     parse_swarm_reply, MessageHash, Namespace, Signer, StorageRequest, SwarmMap, Timestamp,
//! };
//!
//! // A `get_swarm` reply (abridged) gives the members of the account's swarm.
//! let reply = br#"{"swarm":"1f","t":1700000000000,"snodes":[{"ip":"203.0.113.7",
//!   "port_https":22021,"port_omq":22020,
//!   "pubkey_ed25519":"4a6f0e4b1f0f4b7c7e1c8e1c6b3f6a3b9a7e0d2c1b0a99887766554433221100",
//!   "pubkey_x25519":"1111111111111111111111111111111111111111111111111111111111111111"}]}"#;
//! let swarm = parse_swarm_reply(reply)?;
//! assert_eq!(swarm.members.nodes.len(), 1);
//!
//! // The map finds the swarm of any ID.
//! let me = Identity::from_seed(Seed::from_legacy_bytes([42; 16]));
//! let map = SwarmMap::new(&swarm.members.nodes);
//! assert_eq!(map.swarm_for(&me.session_id()).map(|s| s.id.get()), Some(0x1f));
//!
//! // A signed retrieve, stamped with network time.
//! let now = Timestamp::from_millis(1_700_000_000_000);
//! let request = StorageRequest::retrieve(&Signer::user(&me), Namespace::DEFAULT, None, now);
//! let body: Vec<u8> = request.to_body(); // goes inside an onion request
//! assert!(body.starts_with(br#"{"method":"retrieve""#));
//!
//! // Stored messages are named by their hash.
//! let hash = MessageHash::compute(&me.session_id(), Namespace::DEFAULT, b"hello");
//! assert_eq!(hash.as_str().len(), 43);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod decision;
mod disappearing;
mod hash;
mod map;
mod namespace;
mod node;
mod path;
mod reply;
mod request;
mod space;
pub mod subaccount;
mod time;

pub use decision::{
    Attempt, AttemptError, Decision, Outcome, RequestFailure, RequestState, RetryLimits,
    StorageReply, SwarmRequest, UsageError,
};
pub use disappearing::{
    after_read_expire_request, after_read_expiry, store_ttl_millis, MessageKind,
};
pub use hash::{MessageHash, MessageHashError, MESSAGE_HASH_LEN};
pub use map::{Swarm, SwarmMap};
pub use namespace::{
    Namespace, NamespaceSelector, MAX_PRIVATE_TTL_MS, MAX_PUBLIC_TTL_MS, MIN_TTL_MS,
};
pub use node::{
    intersect_node_lists, parse_service_node_list, parse_swarm_reply, pool_action, NodeList,
    NodeListError, PoolAction, RefreshError, ServiceNode, SwarmReply, MIN_COMMON_NODES,
    MIN_POOL_SIZE, MIN_SWARM_MEMBERS, REFRESH_POOL_BELOW, REFRESH_SOURCES,
};
pub use path::{
    NodeHealth, NodePool, OnionPath, PathError, PathHealth, PathSet, GUARD_COUNT,
    NODE_FAILURE_LIMIT, PATH_FAILURE_LIMIT, PATH_LENGTH,
};
pub use reply::{
    parse_batch_reply, parse_delete_reply, parse_expire_reply, parse_get_expiries_reply,
    parse_info_reply, parse_retrieve_reply, parse_store_reply, parse_wrong_swarm_reply,
    DeleteResult, ExpireResult, MemberFailure, MemberResult, ReplyError, RetrieveReply,
    RetrievedMessage, StatusClass, StoreResult, SubResult, SwarmResults,
};
pub use request::{
    revocation_message, ExpiryMode, Method, RequestAuth, RequestError, SignedAction, Signer,
    StorageRequest, MAX_BATCH_REQUESTS, MAX_STORE_DATA_LEN,
};
pub use space::{
    nearest_swarm_index, select_swarm, swarm_space, swarm_space_of, SwarmId, SwarmIdParseError,
};
pub use time::{ClockOffset, Timestamp};

pub use rand_core;

/// The code sample of README.md, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
