//! Service nodes and the node directory: parsing node lists and deciding when to refresh them.

use core::net::Ipv4Addr;

use serde_json::{Map, Value};
use session_identity::{Ed25519PublicKey, X25519PublicKey};

use crate::space::SwarmId;
use crate::time::Timestamp;

/// One service node, as the node lists describe it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ServiceNode {
    /// The node's Ed25519 key: its identity (onion `destination`, reply signatures).
    pub ed25519: Ed25519PublicKey,
    /// The node's X25519 key (onion hop encryption).
    pub x25519: X25519PublicKey,
    /// The node's public IPv4 address.
    pub ip: Ipv4Addr,
    /// The storage server's HTTPS port (`storage_port`, `port_https`).
    pub https_port: u16,
    /// The storage server's OxenMQ/QUIC port, when the list gives one.
    pub omq_port: Option<u16>,
    /// The swarm the node serves; [`SwarmId::INVALID`] when it serves none, `None` when the
    /// list did not say.
    pub swarm_id: Option<SwarmId>,
}

impl ServiceNode {
    /// The /24 subnet of the node's address (its first three octets).
    pub fn subnet24(&self) -> [u8; 3] {
        let [a, b, c, _] = self.ip.octets();
        [a, b, c]
    }
}

/// Why a node-list reply as a whole was refused (single bad entries are only counted).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NodeListError {
    /// The reply is not JSON.
    #[error("reply is not valid JSON")]
    NotJson,
    /// A field the reply must have is missing or has the wrong type.
    #[error("reply field `{0}` is missing or has the wrong type")]
    MissingField(&'static str),
    /// The `swarm` ID of a `get_swarm` reply is not 1 to 16 hex digits.
    #[error("swarm ID is not 1 to 16 hex digits")]
    BadSwarmId,
}

/// The nodes of a reply, with counts of what was left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeList {
    /// The usable nodes, in reply order.
    pub nodes: Vec<ServiceNode>,
    /// Entries skipped because a field was missing or malformed (bad key hex, bad port, …).
    pub malformed: usize,
    /// Entries dropped because their IP was empty or `0.0.0.0` (nodes with no known address).
    pub unroutable: usize,
}

/// Why one entry was not turned into a node.
enum EntryProblem {
    Malformed,
    Unroutable,
}

fn parse_key<T: core::str::FromStr>(value: Option<&Value>) -> Option<T> {
    parse_key_text(value?.as_str()?)
}

/// A 32-byte key from 64 hex digits (session-identity's key parsing).
pub(crate) fn parse_key_text<T: core::str::FromStr>(text: &str) -> Option<T> {
    if text.len() != 64 {
        return None;
    }
    text.parse().ok()
}

fn parse_port(value: Option<&Value>) -> Option<u16> {
    match value? {
        Value::Number(n) => n.as_u64().and_then(|p| u16::try_from(p).ok()),
        // `get_swarm` still sends the deprecated `port` as a string.
        Value::String(s)
            if !s.is_empty() && s.len() <= 5 && s.bytes().all(|b| b.is_ascii_digit()) =>
        {
            s.parse().ok()
        }
        _ => None,
    }
    .filter(|&p| p != 0)
}

fn parse_ip(value: Option<&Value>) -> Result<Ipv4Addr, EntryProblem> {
    let text = value
        .and_then(Value::as_str)
        .ok_or(EntryProblem::Malformed)?;
    if text.is_empty() {
        return Err(EntryProblem::Unroutable);
    }
    let ip: Ipv4Addr = text.parse().map_err(|_| EntryProblem::Malformed)?;
    if ip.is_unspecified() {
        return Err(EntryProblem::Unroutable);
    }
    Ok(ip)
}

/// Field names of one entry in the two list formats.
struct Fields {
    ip: &'static str,
    https_port: &'static [&'static str],
    omq_port: &'static [&'static str],
}

const STATE_FIELDS: Fields = Fields {
    ip: "public_ip",
    https_port: &["storage_port"],
    omq_port: &["storage_lmq_port"],
};

const SWARM_FIELDS: Fields = Fields {
    ip: "ip",
    https_port: &["port_https", "port"],
    omq_port: &["port_omq", "port_quic"],
};

fn first_port(entry: &Map<String, Value>, names: &[&str]) -> Option<u16> {
    names.iter().find_map(|name| parse_port(entry.get(*name)))
}

fn parse_entry(
    value: &Value,
    fields: &Fields,
    swarm_id: Option<SwarmId>,
) -> Result<ServiceNode, EntryProblem> {
    let entry = value.as_object().ok_or(EntryProblem::Malformed)?;
    let ip = parse_ip(entry.get(fields.ip))?;
    let ed25519 = parse_key(entry.get("pubkey_ed25519")).ok_or(EntryProblem::Malformed)?;
    let x25519 = parse_key(entry.get("pubkey_x25519")).ok_or(EntryProblem::Malformed)?;
    let https_port = first_port(entry, fields.https_port).ok_or(EntryProblem::Malformed)?;
    let omq_port = first_port(entry, fields.omq_port);
    let swarm_id = match swarm_id {
        Some(id) => Some(id),
        None => match entry.get("swarm_id") {
            None | Some(Value::Null) => None,
            Some(v) => Some(SwarmId::new(v.as_u64().ok_or(EntryProblem::Malformed)?)),
        },
    };
    Ok(ServiceNode {
        ed25519,
        x25519,
        ip,
        https_port,
        omq_port,
        swarm_id,
    })
}

fn collect(entries: &[Value], fields: &Fields, swarm_id: Option<SwarmId>) -> NodeList {
    let mut list = NodeList::default();
    for entry in entries {
        match parse_entry(entry, fields, swarm_id) {
            Ok(node) => list.nodes.push(node),
            Err(EntryProblem::Malformed) => list.malformed += 1,
            Err(EntryProblem::Unroutable) => list.unroutable += 1,
        }
    }
    list
}

pub(crate) fn parse_json(body: &[u8]) -> Result<Value, NodeListError> {
    serde_json::from_slice(body).map_err(|_| NodeListError::NotJson)
}

/// Parses the service-node list of a seed node's `get_n_service_nodes` reply
/// (`{"result":{"service_node_states":[…]}}`) or of a storage server's
/// `oxend_request`/`get_service_nodes` reply (the same shape, plus `t` and `hf`).
///
/// Each entry needs `public_ip`, `storage_port`, `pubkey_ed25519` and `pubkey_x25519`;
/// `storage_lmq_port` and `swarm_id` are optional. Malformed entries are skipped and counted;
/// entries with an empty or `0.0.0.0` IP are dropped and counted.
pub fn parse_service_node_list(body: &[u8]) -> Result<NodeList, NodeListError> {
    let json = parse_json(body)?;
    let states = json
        .get("result")
        .ok_or(NodeListError::MissingField("result"))?
        .get("service_node_states")
        .and_then(Value::as_array)
        .ok_or(NodeListError::MissingField("service_node_states"))?;
    Ok(collect(states, &STATE_FIELDS, None))
}

/// A swarm as a `get_swarm` reply (or the body of a 421 "wrong swarm" error) describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwarmReply {
    /// The swarm's ID ([`SwarmId::INVALID`] when the node knows no swarm for the key).
    pub swarm_id: SwarmId,
    /// Its members (each with `swarm_id` set to the swarm's ID) and what was left out.
    pub members: NodeList,
    /// The node's clock (`t`), when given.
    pub server_time: Option<Timestamp>,
}

pub(crate) fn parse_swarm_value(json: &Value) -> Result<SwarmReply, NodeListError> {
    let swarm_id = json
        .get("swarm")
        .ok_or(NodeListError::MissingField("swarm"))?
        .as_str()
        .ok_or(NodeListError::MissingField("swarm"))
        .and_then(|s| SwarmId::from_hex(s).ok_or(NodeListError::BadSwarmId))?;
    let snodes = json
        .get("snodes")
        .and_then(Value::as_array)
        .ok_or(NodeListError::MissingField("snodes"))?;
    let members = collect(snodes, &SWARM_FIELDS, Some(swarm_id));
    let server_time = json
        .get("t")
        .and_then(Value::as_u64)
        .map(Timestamp::from_millis);
    Ok(SwarmReply {
        swarm_id,
        members,
        server_time,
    })
}

/// Parses a `get_swarm` reply, or the body of a 421 reply (which has the same shape):
/// `{"snodes":[{"ip","port_https","port_omq","pubkey_ed25519","pubkey_x25519",…}],
/// "swarm":"<hex id>","t":ms}`.
pub fn parse_swarm_reply(body: &[u8]) -> Result<SwarmReply, NodeListError> {
    parse_swarm_value(&parse_json(body)?)
}

/// How many node lists a refresh from the network asks for and compares.
pub const REFRESH_SOURCES: usize = 3;
/// The fewest nodes the lists of a refresh must agree on for the result to be trusted.
pub const MIN_COMMON_NODES: usize = 24;
/// Below this many known nodes, paths cannot be built safely: go back to the seed nodes.
pub const MIN_POOL_SIZE: usize = 8;
/// Below this many known nodes, refresh the pool from the network.
pub const REFRESH_POOL_BELOW: usize = 16;
/// Below this many known members of a swarm, fetch the swarm again.
pub const MIN_SWARM_MEMBERS: usize = 3;

/// Why the lists of a refresh were not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RefreshError {
    /// Fewer lists than [`REFRESH_SOURCES`] were given.
    #[error("a refresh needs {REFRESH_SOURCES} node lists, got {0}")]
    TooFewSources(usize),
    /// The lists agree on too few nodes; go back to the seed nodes.
    #[error("the node lists agree on only {common} nodes (at least {MIN_COMMON_NODES} needed)")]
    TooFewCommonNodes {
        /// How many nodes all lists share.
        common: usize,
    },
}

/// The nodes present in every one of `lists` (same Ed25519 key, IP and port; the entry of the
/// first list is kept), accepted only if there are at least [`MIN_COMMON_NODES`] of them.
/// This is how a pool refresh from [`REFRESH_SOURCES`] random nodes guards against a single
/// lying node.
pub fn intersect_node_lists(lists: &[NodeList]) -> Result<Vec<ServiceNode>, RefreshError> {
    if lists.len() < REFRESH_SOURCES {
        return Err(RefreshError::TooFewSources(lists.len()));
    }
    let (first, rest) = lists.split_first().ok_or(RefreshError::TooFewSources(0))?;
    let mut others: Vec<Vec<(Ed25519PublicKey, Ipv4Addr, u16)>> = rest
        .iter()
        .map(|l| {
            let mut keys: Vec<_> = l
                .nodes
                .iter()
                .map(|n| (n.ed25519, n.ip, n.https_port))
                .collect();
            keys.sort_unstable();
            keys
        })
        .collect();
    others.iter_mut().for_each(|k| k.dedup());
    let mut common = Vec::new();
    for node in &first.nodes {
        let key = (node.ed25519, node.ip, node.https_port);
        let everywhere = others.iter().all(|k| k.binary_search(&key).is_ok());
        if everywhere
            && !common
                .iter()
                .any(|n: &ServiceNode| n.ed25519 == node.ed25519)
        {
            common.push(*node);
        }
    }
    if common.len() < MIN_COMMON_NODES {
        return Err(RefreshError::TooFewCommonNodes {
            common: common.len(),
        });
    }
    Ok(common)
}

/// What to do about the node pool, given how many usable nodes it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PoolAction {
    /// Enough nodes: nothing to do.
    Keep,
    /// Few nodes: ask [`REFRESH_SOURCES`] random nodes for their lists and intersect them.
    RefreshFromNodes,
    /// Too few nodes to build paths (or a network refresh failed): ask the seed nodes.
    RefreshFromSeed,
}

/// The pool policy: seed below [`MIN_POOL_SIZE`] usable nodes, refresh from the network below
/// [`REFRESH_POOL_BELOW`], else keep.
pub fn pool_action(usable_nodes: usize) -> PoolAction {
    if usable_nodes < MIN_POOL_SIZE {
        PoolAction::RefreshFromSeed
    } else if usable_nodes < REFRESH_POOL_BELOW {
        PoolAction::RefreshFromNodes
    } else {
        PoolAction::Keep
    }
}
