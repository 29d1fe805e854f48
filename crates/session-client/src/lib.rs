//! sessionkit's I/O layer: a Session client on a real network.
//!
//! The protocol crates below are sans-IO: they build and read every byte but never open a
//! socket or read a clock. This crate does the rest, on tokio:
//!
//! - [`transport`]: POST bytes over HTTPS (service nodes' self-signed certificates accepted
//!   with handshake signatures checked, seeds pinned), behind the [`Transport`] trait;
//! - [`network`]: bootstrap from the seeds, the node pool, onion paths (built, tested, dropped
//!   when they fail), the clock offset, and storage requests driven by `session-swarm`'s
//!   retry decisions;
//! - [`client`]: an account — send 1:1 messages, poll the inbox;
//! - [`configs`]: multi-device sync of the account's configs through its swarm;
//! - [`files`]: attachments' encrypted blobs to and from the file server, through onion paths;
//! - [`groups`]: closed groups kept in step with their swarm (admin or subaccount member);
//! - [`community`]: community (SOGS) calls, signed and carried as v4 onion requests;
//! - [`store`]: persistence behind the [`Store`](store::Store) trait, in memory or in SQLite:
//!   the seed (optionally sealed with a passphrase: Argon2id, XChaCha20-Poly1305), config
//!   dumps, the last hash per namespace, the node pool cache and received messages. A poll is
//!   recorded in one transaction, so a message acknowledged to the caller is on disk.
//!
//! Even here, randomness and time come in through arguments and traits (a `CryptoRng`, the
//! [`Clock`] of a [`Network`]) wherever a test needs to control them.
//!
//! The store on its own:
//!
//! ```
//! use rand_core::SeedableRng;
//! use session_client::store::{IdentityRecord, KdfParams, ReceivedMessage, SqliteStore, Store};
//! use session_identity::Seed;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = std::env::temp_dir().join(format!("session-client-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let store = SqliteStore::open(dir.join("client.db"))?;
//!
//! // The seed, sealed with a passphrase (cheap parameters for the example; use
//! // `KdfParams::DEFAULT` in a product).
//! let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7); // any rand_core::CryptoRng
//! let seed = Seed::from_legacy_bytes([42; 16]);
//! let cheap = KdfParams { m_cost_kib: 256, t_cost: 1, p_cost: 1 };
//! store.put_identity(&IdentityRecord::seal(&seed, b"correct horse", cheap, &mut rng)?)?;
//! let record = store.identity()?.ok_or("no identity")?;
//! assert_eq!(record.unlock(Some(b"correct horse"))?, seed);
//! assert!(record.unlock(Some(b"wrong")).is_err());
//!
//! // One poll: the messages and the new last hash in one transaction.
//! let account = "05".to_owned() + &"ab".repeat(32);
//! let message = ReceivedMessage {
//!     account: account.clone(),
//!     namespace: 0,
//!     hash: "hash-1".into(),
//!     timestamp_ms: 1_700_000_000_000,
//!     expiry_ms: 1_700_086_400_000,
//!     body: b"sealed bytes".to_vec(),
//! };
//! let new = store.record_poll(&account, 0, &[message.clone()], Some("hash-1"))?;
//! assert_eq!(new, [true]);
//! assert_eq!(store.last_hash(&account, 0)?.as_deref(), Some("hash-1"));
//! assert_eq!(store.received(&account, 0)?, [message]);
//! drop(store);
//! std::fs::remove_dir_all(&dir)?;
//! # Ok(())
//! # }
//! ```
//!
//! The network (a loopback one, from `session-node`):
//!
//! ```no_run
//! use std::sync::Arc;
//! use session_client::{Client, HttpsTransport, Network, NetworkConfig};
//! use session_identity::{Identity, OsRng};
//!
//! # async fn run() -> Result<(), session_client::ClientError> {
//! // A loopback network started with `session-node --listen 127.0.0.1:22000`.
//! let config = NetworkConfig::local("http://127.0.0.1:22000/");
//! let transport = HttpsTransport::new(&config.seeds)?;
//! let network = Arc::new(Network::bootstrap(transport, config).await?);
//! let alice = Client::new(Identity::generate(&mut OsRng), Arc::clone(&network));
//! let bob = Client::new(Identity::generate(&mut OsRng), network);
//! alice.send_text(&bob.session_id(), "hi Bob").await?;
//! for message in bob.poll().await? {
//!     println!("{}: {}", message.message.sender_session_id, message.text().unwrap_or(""));
//! }
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod client;
pub mod community;
pub mod configs;
pub mod files;
pub mod groups;
pub mod network;
pub mod store;
pub mod transport;

pub use client::{Client, Received};
pub use configs::ConfigSync;
pub use network::{
    Clock, Counters, Network, NetworkConfig, NetworkStatus, SkewedClock, SystemClock,
};
pub use transport::{
    HttpRequest, HttpResponse, HttpsTransport, SeedNode, Transport, TransportError,
};

/// Why a client operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// No seed gave a node list (the last reason).
    #[error("no seed answered with a node list: {0}")]
    NoSeed(String),
    /// The transport could not be set up.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// A pool refresh from the nodes' lists failed (they did not agree).
    #[error("pool refresh: {0}")]
    Refresh(#[from] session_swarm::RefreshError),
    /// No onion path could be built or kept.
    #[error("onion paths: {0}")]
    Path(#[from] session_swarm::PathError),
    /// The account's swarm is unknown.
    #[error("no swarm known for {0}")]
    NoSwarm(String),
    /// A request could not be made.
    #[error(transparent)]
    Request(#[from] session_swarm::RequestError),
    /// The swarm request ran out of members or attempts.
    #[error(transparent)]
    Attempt(#[from] session_swarm::AttemptError),
    /// The swarm request's machine was misused (a bug here).
    #[error(transparent)]
    Usage(#[from] session_swarm::UsageError),
    /// The swarm refused or failed the request.
    #[error("request failed: {0}")]
    Failed(session_swarm::RequestFailure),
    /// A reply did not parse.
    #[error(transparent)]
    Reply(#[from] session_swarm::ReplyError),
    /// The message could not be sealed.
    #[error(transparent)]
    Encode(#[from] session_envelope::EncodeError),
    /// An onion request could not be built.
    #[error(transparent)]
    Build(session_onion::BuildError),
    /// A server request failed on every path tried (the last failure).
    #[error("server request failed: {0}")]
    Server(session_onion::OnionFailure),
    /// The file server refused a request or sent something unreadable.
    #[error(transparent)]
    FileServer(#[from] session_fileserver::FileServerError),
    /// A community request could not be signed.
    #[error(transparent)]
    CommunitySign(#[from] session_community::SignError),
    /// A community server refused a request or sent something unreadable.
    #[error(transparent)]
    CommunityReply(#[from] session_community::ReplyError),
    /// A group operation was refused.
    #[error(transparent)]
    Group(#[from] session_groups::GroupError),
    /// A config could not be pushed.
    #[error(transparent)]
    ConfigPush(#[from] session_config::PushError),
    /// A saved config dump could not be loaded.
    #[error(transparent)]
    ConfigDump(#[from] session_config::DumpError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] store::StoreError),
}
