//! What each hop of a request saw, and how long it took.

use core::fmt;
use std::time::Duration;

use session_identity::Ed25519PublicKey;

/// Who a hop talked to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Peer {
    /// A client (a node sees only its IP address, never who it is).
    Client,
    /// A service node.
    Node(Ed25519PublicKey),
    /// An HTTP server, by host name.
    Server(String),
    /// Nobody (the request ended here).
    Nobody,
}

impl fmt::Display for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Client => f.write_str("a client's IP"),
            Self::Node(key) => write!(f, "node {}", short(key)),
            Self::Server(host) => write!(f, "server {host}"),
            Self::Nobody => f.write_str("-"),
        }
    }
}

/// The first 8 hex digits of a node key.
pub fn short(key: &Ed25519PublicKey) -> String {
    key.to_hex()[..8].to_owned()
}

/// One hop's view of a request.
#[derive(Debug, Clone)]
pub struct HopView {
    /// The hop (all zeros for a server).
    pub node: Ed25519PublicKey,
    /// Where the request came from.
    pub from: Peer,
    /// Where the hop sent it.
    pub to: Peer,
    /// What the hop did.
    pub role: String,
    /// The size of what it received.
    pub bytes_in: usize,
    /// Time the hop spent (peeling, handling, sealing), when the network has a hop clock
    /// ([`Network::set_hop_clock`](crate::Network::set_hop_clock)).
    pub elapsed: Option<Duration>,
}

/// The hops of one onion request.
#[derive(Debug, Clone)]
pub struct RequestTrace {
    /// What the request was for.
    pub label: String,
    /// The hops, guard first.
    pub hops: Vec<HopView>,
    /// What came back to the client.
    pub outcome: String,
}

impl RequestTrace {
    /// Total time spent in the hops, when the network has a hop clock.
    pub fn elapsed(&self) -> Option<Duration> {
        self.hops.iter().map(|h| h.elapsed).sum()
    }
}

impl fmt::Display for RequestTrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "  {}:", self.label)?;
        for (i, hop) in self.hops.iter().enumerate() {
            let name = match &hop.from {
                Peer::Node(_) if hop.role.starts_with("server") => "server".to_owned(),
                _ => format!("node {}", short(&hop.node)),
            };
            writeln!(
                f,
                "    hop {} {name:<13} got {:>5} B from {:<18} -> {:<20} {:<26} {:>8}",
                i + 1,
                hop.bytes_in,
                hop.from.to_string(),
                hop.to.to_string(),
                hop.role,
                hop.elapsed.map(|t| format!("{t:.1?}")).unwrap_or_default(),
            )?;
        }
        write!(f, "    => {}", self.outcome)
    }
}
