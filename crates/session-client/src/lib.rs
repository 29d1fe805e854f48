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
//! - [`client`]: an account — send 1:1 messages, poll the inbox.
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
pub mod network;
pub mod transport;

pub use client::{Client, Received};
pub use network::{Clock, Network, NetworkConfig, NetworkStatus, SkewedClock, SystemClock};
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
}
