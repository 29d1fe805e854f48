//! The in-memory testnet's service nodes (`session_testnet::Network`) served over real HTTPS
//! on loopback, so that a client with a real HTTP stack can talk to them as to Session's
//! network.
//!
//! [`LoopbackNetwork::start`] builds the network and binds:
//! - one HTTPS listener per node, node `i` on `127.0.(i+1).1:<seed port + 1 + i>` (each node in
//!   its own /24, as path building requires; Linux routes all of 127/8 to loopback), with a
//!   self-signed `CN=localhost` certificate made at start, serving `POST /onion_req/v2` and
//!   `POST /storage_rpc/v1`;
//! - a seed listener speaking plain HTTP (like the real testnet's seed) with `POST /json_rpc`
//!   (`get_n_service_nodes`) and fault injection under `/admin/` (kill, garbage replies,
//!   guard fail rate).
//!
//! Each onion hop runs [`session_testnet::Network::handle_onion_hop`] under a mutex, then the
//! node relays the next layer with a real HTTPS POST to the next node. See `docs/NODE.md`.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), session_node::NodeError> {
//! use session_node::{LoopbackNetwork, NodeConfig};
//!
//! // Port 0: the seed and the nodes get free ports.
//! let config = NodeConfig { nodes: 4, swarms: 1, listen: "127.0.0.1:0".parse().unwrap(), ..NodeConfig::default() };
//! let net = LoopbackNetwork::start(config).await?;
//! assert!(net.seed_url().starts_with("http://127.0.0.1:"));
//! assert_eq!(net.nodes().len(), 4);
//! assert_eq!(net.nodes()[0].ip, std::net::Ipv4Addr::new(127, 0, 1, 1));
//! net.shutdown().await;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod serve;
mod tls;

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use session_identity::{Ed25519PublicKey, X25519PublicKey};
use session_onion::ServerDestination;
use session_swarm::ServiceNode;
use session_testnet::{Network, NetworkConfig};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

pub use tls::accept_any_certificate;

/// Request bodies larger than this (10 MiB, the storage server's limit) are refused with 413.
pub const MAX_REQUEST_BODY: usize = 10 * 1024 * 1024;

/// How long a relay waits for the next node's answer before answering 504.
pub const RELAY_TIMEOUT: Duration = Duration::from_secs(10);

/// The most random bytes a garbage node ([`LoopbackNetwork::set_garbage`]) answers with: each
/// garbage body is 0 to this many bytes long, length and bytes drawn from the network's seeded
/// RNG.
pub const MAX_GARBAGE_LEN: usize = 512;

/// How long [`LoopbackNetwork::shutdown`] waits for the listeners before aborting them.
pub const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(2);

/// The header a node adds to the onion requests it relays, with its Ed25519 key in hex: how
/// the next node tells a relayed request from a client's (for the trace's "from" and for the
/// guard-only [`NodeConfig::fail_rate`]). Not part of Session's protocol.
pub const RELAY_HEADER: &str = "x-session-node-relay";

/// How a [`LoopbackNetwork`] is laid out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NodeConfig {
    /// Number of nodes (1 to 254), split evenly over the swarms.
    pub nodes: usize,
    /// Number of swarms; must divide `nodes`.
    pub swarms: usize,
    /// The seed's plain-HTTP listener; must be a loopback address. Node `i` listens on
    /// `127.0.(i+1).1` at this port + 1 + `i`. Port 0 picks a free run of ports.
    pub listen: SocketAddrV4,
    /// The chance (0 to 1) that a node answers an onion request it receives as guard with 503
    /// `Snode not ready: <key>`.
    pub fail_rate: f64,
    /// Seed of the network's keys and of the fault draws.
    pub seed: u64,
}

impl Default for NodeConfig {
    /// 12 nodes in 3 swarms, the seed on `127.0.0.1:22000`, no failures, seed 1.
    fn default() -> Self {
        Self {
            nodes: 12,
            swarms: 3,
            listen: SocketAddrV4::new(Ipv4Addr::LOCALHOST, 22000),
            fail_rate: 0.0,
            seed: 1,
        }
    }
}

/// Why a [`LoopbackNetwork`] could not start or take a command.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NodeError {
    /// The seed address is not a loopback address.
    #[error("{0} is not a loopback address")]
    NotLoopback(SocketAddrV4),
    /// The node count is 0, over 254, or not a multiple of the swarm count.
    #[error("cannot split {nodes} nodes evenly over {swarms} swarms (1 to 254 nodes)")]
    Layout {
        /// Nodes asked for.
        nodes: usize,
        /// Swarms asked for.
        swarms: usize,
    },
    /// The node ports (seed port + 1 + index) would pass 65535.
    #[error("seed port {port} leaves no room for {nodes} node ports above it")]
    PortRange {
        /// The seed port.
        port: u16,
        /// Nodes asked for.
        nodes: usize,
    },
    /// The fail rate is not a number between 0 and 1.
    #[error("fail rate {0} is not between 0 and 1")]
    FailRate(f64),
    /// A listener could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address.
        address: SocketAddrV4,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
    /// No free run of ports was found for port 0.
    #[error("no free ports found for {0} nodes")]
    NoFreePorts(usize),
    /// The certificate or a TLS configuration could not be made.
    #[error("TLS setup: {0}")]
    Tls(String),
    /// The relays' HTTP client could not be built.
    #[error("HTTP client: {0}")]
    HttpClient(String),
    /// No node has this key.
    #[error("no node {0}")]
    UnknownNode(String),
}

/// How a client reaches the file server: the exit node of a v4 onion request serves it
/// in-process (host `files.local`, never resolved).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FileServerInfo {
    /// Its host name, as onion requests name it.
    pub host: String,
    /// Its X25519 onion key.
    pub x25519: X25519PublicKey,
    /// The destination clients build onion requests for.
    pub destination: ServerDestination,
    /// The server as `session_fileserver` configures it.
    pub client_config: session_fileserver::FileServer,
}

/// One node's slot: its listing, whether it was killed, and whether it answers garbage.
#[derive(Debug)]
pub(crate) struct Slot {
    pub(crate) info: ServiceNode,
    pub(crate) killed: AtomicBool,
    pub(crate) garbage: AtomicBool,
}

/// What every listener task shares.
#[derive(Debug)]
pub(crate) struct Shared {
    net: Mutex<Network>,
    pub(crate) slots: Vec<Slot>,
    by_key: HashMap<[u8; 32], usize>,
    fail: Mutex<(f64, ChaCha20Rng)>,
    pub(crate) client: reqwest::Client,
}

impl Shared {
    /// Runs `f` on the network with its clock moved to the real one; the lock is held only
    /// for `f` (never across an await).
    pub(crate) fn with_net<T>(&self, f: impl FnOnce(&mut Network) -> T) -> T {
        let mut net = self.net.lock().unwrap_or_else(PoisonError::into_inner);
        net.advance_to(real_now());
        f(&mut net)
    }

    pub(crate) fn slot(&self, key: &Ed25519PublicKey) -> Option<&Slot> {
        self.by_key.get(key.as_bytes()).map(|&i| &self.slots[i])
    }

    /// Draws whether a guard fails this request.
    pub(crate) fn draw_failure(&self) -> bool {
        let mut fail = self.fail.lock().unwrap_or_else(PoisonError::into_inner);
        let rate = fail.0;
        if rate <= 0.0 {
            return false;
        }
        let draw = rand_core::Rng::next_u64(&mut fail.1) as f64 / (u64::MAX as f64 + 1.0);
        draw < rate
    }

    /// A garbage body: 0 to [`MAX_GARBAGE_LEN`] bytes, drawn from the fault RNG.
    pub(crate) fn draw_garbage(&self) -> Vec<u8> {
        let mut fail = self.fail.lock().unwrap_or_else(PoisonError::into_inner);
        let span = u64::try_from(MAX_GARBAGE_LEN + 1).unwrap_or(u64::MAX);
        let len = usize::try_from(rand_core::Rng::next_u64(&mut fail.1) % span).unwrap_or(0);
        let mut body = vec![0u8; len];
        rand_core::Rng::fill_bytes(&mut fail.1, &mut body);
        body
    }

    pub(crate) fn set_garbage(&self, key: &Ed25519PublicKey, on: bool) -> Result<(), NodeError> {
        let slot = self
            .slot(key)
            .ok_or_else(|| NodeError::UnknownNode(key.to_hex()))?;
        slot.garbage.store(on, Ordering::SeqCst);
        Ok(())
    }

    pub(crate) fn set_fail_rate(&self, rate: f64) -> Result<(), NodeError> {
        if !(0.0..=1.0).contains(&rate) {
            return Err(NodeError::FailRate(rate));
        }
        self.fail.lock().unwrap_or_else(PoisonError::into_inner).0 = rate;
        Ok(())
    }

    pub(crate) fn set_killed(&self, key: &Ed25519PublicKey, killed: bool) -> Result<(), NodeError> {
        let slot = self
            .slot(key)
            .ok_or_else(|| NodeError::UnknownNode(key.to_hex()))?;
        slot.killed.store(killed, Ordering::SeqCst);
        self.with_net(|net| net.set_down(key, killed));
        Ok(())
    }
}

/// The real clock, as the network's timestamps count it.
fn real_now() -> session_swarm::Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    session_swarm::Timestamp::from_millis(ms)
}

/// A running network of testnet nodes on loopback HTTPS listeners (see the crate docs).
/// Dropping it stops the listeners too, without waiting.
#[derive(Debug)]
pub struct LoopbackNetwork {
    shared: Arc<Shared>,
    seed: SocketAddrV4,
    file_server: FileServerInfo,
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

/// The seed's listener and the nodes' (node `i` at `node_address(seed, i)`).
struct Listeners {
    seed: TcpListener,
    nodes: Vec<TcpListener>,
}

fn node_address(seed_port: u16, index: usize) -> SocketAddrV4 {
    // Callers check index < 254 and seed_port + 1 + index <= 65535.
    let octet = u8::try_from(index + 1).unwrap_or(u8::MAX);
    let port = u16::try_from(usize::from(seed_port) + 1 + index).unwrap_or(u16::MAX);
    SocketAddrV4::new(Ipv4Addr::new(127, 0, octet, 1), port)
}

async fn bind(address: SocketAddrV4) -> Result<TcpListener, NodeError> {
    TcpListener::bind(address)
        .await
        .map_err(|source| NodeError::Bind { address, source })
}

async fn bind_nodes(seed_port: u16, nodes: usize) -> Result<Vec<TcpListener>, NodeError> {
    if usize::from(seed_port) + nodes > usize::from(u16::MAX) {
        return Err(NodeError::PortRange {
            port: seed_port,
            nodes,
        });
    }
    let mut listeners = Vec::with_capacity(nodes);
    for index in 0..nodes {
        listeners.push(bind(node_address(seed_port, index)).await?);
    }
    Ok(listeners)
}

async fn bind_all(listen: SocketAddrV4, nodes: usize) -> Result<Listeners, NodeError> {
    if listen.port() != 0 {
        let seed = bind(listen).await?;
        let nodes = bind_nodes(listen.port(), nodes).await?;
        return Ok(Listeners { seed, nodes });
    }
    for _ in 0..64 {
        let seed = bind(listen).await?;
        let port = seed
            .local_addr()
            .map_err(|source| NodeError::Bind {
                address: listen,
                source,
            })?
            .port();
        if let Ok(nodes) = bind_nodes(port, nodes).await {
            return Ok(Listeners { seed, nodes });
        }
    }
    Err(NodeError::NoFreePorts(nodes))
}

impl LoopbackNetwork {
    /// Builds the network and starts its listeners (see the crate docs). Must run inside a
    /// tokio runtime with I/O and timers enabled.
    ///
    /// # Errors
    /// A [`NodeError`] when the config is refused, a port cannot be bound, or TLS cannot be
    /// set up.
    pub async fn start(config: NodeConfig) -> Result<Self, NodeError> {
        if !config.listen.ip().is_loopback() {
            return Err(NodeError::NotLoopback(config.listen));
        }
        if config.nodes == 0
            || config.nodes > 254
            || config.swarms == 0
            || !config.nodes.is_multiple_of(config.swarms)
        {
            return Err(NodeError::Layout {
                nodes: config.nodes,
                swarms: config.swarms,
            });
        }
        if !(0.0..=1.0).contains(&config.fail_rate) {
            return Err(NodeError::FailRate(config.fail_rate));
        }
        let listeners = bind_all(config.listen, config.nodes).await?;
        let seed = match listeners.seed.local_addr() {
            Ok(std::net::SocketAddr::V4(address)) => address,
            Ok(std::net::SocketAddr::V6(_)) | Err(_) => config.listen,
        };
        let net = Network::with_addresses(
            NetworkConfig {
                swarms: config.swarms,
                nodes_per_swarm: config.nodes / config.swarms,
                seed: config.seed,
            },
            |index| {
                let address = node_address(seed.port(), index);
                (*address.ip(), address.port())
            },
        );
        let slots: Vec<Slot> = net
            .nodes()
            .iter()
            .map(|node| Slot {
                info: *node.info(),
                killed: AtomicBool::new(false),
                garbage: AtomicBool::new(false),
            })
            .collect();
        let by_key = slots
            .iter()
            .enumerate()
            .map(|(i, slot)| (slot.info.ed25519.to_bytes(), i))
            .collect();
        let files = net.file_server();
        let destination = files.destination();
        let file_server = FileServerInfo {
            host: files.host().to_owned(),
            x25519: *destination.x25519(),
            client_config: files.client_config(),
            destination,
        };
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(accept_any_certificate()?)
            .timeout(RELAY_TIMEOUT)
            .no_proxy()
            .build()
            .map_err(|e| NodeError::HttpClient(e.to_string()))?;
        let shared = Arc::new(Shared {
            net: Mutex::new(net),
            slots,
            by_key,
            fail: Mutex::new((
                config.fail_rate,
                ChaCha20Rng::seed_from_u64(config.seed ^ 0x5e55_10de),
            )),
            client,
        });
        let (stop, stopped) = watch::channel(false);
        let mut tasks = JoinSet::new();
        for (index, listener) in listeners.nodes.into_iter().enumerate() {
            let tls = tokio_rustls::TlsAcceptor::from(tls::server_config()?);
            tasks.spawn(serve::node_listener(
                shared.clone(),
                index,
                listener,
                tls,
                stopped.clone(),
            ));
        }
        tasks.spawn(serve::seed_listener(
            shared.clone(),
            listeners.seed,
            stopped,
        ));
        let network = Self {
            shared,
            seed,
            file_server,
            stop,
            tasks,
        };
        Ok(network)
    }

    /// The seed's URL, e.g. `http://127.0.0.1:22000/` (`POST <url>json_rpc`).
    pub fn seed_url(&self) -> String {
        format!("http://{}/", self.seed)
    }

    /// The seed's address.
    pub fn seed_address(&self) -> SocketAddrV4 {
        self.seed
    }

    /// Every node as the directory lists it (address, keys, swarm), in index order.
    pub fn nodes(&self) -> Vec<ServiceNode> {
        self.shared.slots.iter().map(|slot| slot.info).collect()
    }

    /// How clients reach the file server.
    pub fn file_server(&self) -> &FileServerInfo {
        &self.file_server
    }

    /// Kills a node: its listener drops every connection (relays to it answer 502
    /// `Next node not found: <key>`), and its swarm stops counting it.
    ///
    /// # Errors
    /// [`NodeError::UnknownNode`].
    pub fn kill(&self, key: &Ed25519PublicKey) -> Result<(), NodeError> {
        self.shared.set_killed(key, true)
    }

    /// Brings a killed node back.
    ///
    /// # Errors
    /// [`NodeError::UnknownNode`].
    pub fn revive(&self, key: &Ed25519PublicKey) -> Result<(), NodeError> {
        self.shared.set_killed(key, false)
    }

    /// Whether a node is killed (`None`: no such node).
    pub fn is_killed(&self, key: &Ed25519PublicKey) -> Option<bool> {
        self.shared
            .slot(key)
            .map(|slot| slot.killed.load(Ordering::SeqCst))
    }

    /// Turns a node's garbage fault on or off. A garbage node answers every request to its two
    /// routes (`/onion_req/v2` and `/storage_rpc/v1`) with 200 `application/octet-stream` and
    /// 0 to [`MAX_GARBAGE_LEN`] random bytes (drawn from the network's seeded RNG), which open
    /// as no onion reply and are almost surely not JSON. It does so wherever it sits on a path
    /// — as guard, as a relay, or as the destination — and does none of its own step: it peels
    /// nothing, relays nothing and stores nothing. Its guard and the relays before it pass the
    /// garbage back unchanged (a relay answers the next node's status and body), so a client
    /// sees a 200 it cannot read from the guard of the path, whichever hop garbled it. The node
    /// stays listed and counted in its swarm. A killed node stays silent whatever this says.
    ///
    /// # Errors
    /// [`NodeError::UnknownNode`].
    pub fn set_garbage(&self, key: &Ed25519PublicKey, on: bool) -> Result<(), NodeError> {
        self.shared.set_garbage(key, on)
    }

    /// Whether a node answers garbage (`None`: no such node).
    pub fn is_garbage(&self, key: &Ed25519PublicKey) -> Option<bool> {
        self.shared
            .slot(key)
            .map(|slot| slot.garbage.load(Ordering::SeqCst))
    }

    /// Sets how far a node's clock runs from the real one (its storage RPCs check request
    /// timestamps against it).
    ///
    /// # Errors
    /// [`NodeError::UnknownNode`].
    pub fn set_clock_skew(&self, key: &Ed25519PublicKey, skew_ms: i64) -> Result<(), NodeError> {
        if self.shared.slot(key).is_none() {
            return Err(NodeError::UnknownNode(key.to_hex()));
        }
        self.shared.with_net(|net| net.set_clock_skew(key, skew_ms));
        Ok(())
    }

    /// Sets the chance (0 to 1) that a guard answers 503 `Snode not ready: <key>`.
    ///
    /// # Errors
    /// [`NodeError::FailRate`] outside 0 to 1 (or NaN).
    pub fn set_fail_rate(&self, rate: f64) -> Result<(), NodeError> {
        self.shared.set_fail_rate(rate)
    }

    /// Runs `f` on the simulated network (e.g. to count stored messages). The network's lock
    /// is held while `f` runs: keep it short.
    pub fn with_network<T>(&self, f: impl FnOnce(&mut Network) -> T) -> T {
        self.shared.with_net(f)
    }

    /// Stops every listener and open connection, waiting at most [`SHUTDOWN_TIMEOUT`] before
    /// aborting what is left.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        let tasks = &mut self.tasks;
        let drained = tokio::time::timeout(SHUTDOWN_TIMEOUT, async {
            while tasks.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            self.tasks.shutdown().await;
        }
    }
}

impl Drop for LoopbackNetwork {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
