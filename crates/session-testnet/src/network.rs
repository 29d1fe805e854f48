//! The simulated network: nodes, their swarms and stores, the file server, faults and traces.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::Ipv4Addr;
use std::time::Duration;

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use serde_json::{json, Value};
use session_identity::{Ed25519PublicKey, Identity, X25519PublicKey};
use session_onion::{
    encode_v4_response, NodeKeys, OpenedLayer, PeeledLayer, Routing, ServerDestination, V4Request,
};
use session_swarm::{
    parse_service_node_list, ServiceNode, SwarmId, SwarmMap, Timestamp, MIN_TTL_MS,
};

use crate::storage::{handle_rpc, SwarmStore};
use crate::trace::{HopView, Peer, RequestTrace};

/// The port every simulated storage server listens on (it is never opened).
pub const STORAGE_PORT: u16 = 22021;

/// The first simulated time: 2023-11-14 22:13:20 UTC.
pub const GENESIS_MS: u64 = 1_700_000_000_000;

/// The guard's HTTP answer to an onion request, as a client's transport sees it: a 200 with
/// the destination's encrypted reply, or a relay's plain-text error with its status.
/// [`Network::deliver`] gives `None` when nothing comes back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpReply {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
}

impl HttpReply {
    fn error(status: u16, text: impl Into<Vec<u8>>) -> Option<Self> {
        Some(Self {
            status,
            body: text.into(),
        })
    }
}

/// What one node does with an onion request it received ([`Network::handle_onion_hop`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HopOutcome {
    /// Relay `body` to `next` (its `/onion_req/v2`) and answer what it answers; a relay that
    /// cannot reach it answers 502 `Next node not found: <key>`.
    Forward {
        /// The next node, with the address the directory lists.
        next: ServiceNode,
        /// The request for it.
        body: Vec<u8>,
    },
    /// Answer this.
    Reply(HttpReply),
    /// Answer nothing: the node is stopped, or its reply is lost.
    NoReply,
}

impl HopOutcome {
    fn error(status: u16, text: Vec<u8>) -> Self {
        Self::Reply(HttpReply { status, body: text })
    }
}

/// A clock that measures how long each hop spends, for traces (see
/// [`Network::set_hop_clock`]). Not part of what the network does.
pub struct HopClock(Box<dyn FnMut() -> Duration + Send>);

impl core::fmt::Debug for HopClock {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("HopClock")
    }
}

/// One simulated service node.
#[derive(Debug)]
pub struct Node {
    identity: Identity,
    onion_keys: NodeKeys,
    info: ServiceNode,
    down: bool,
    clock_skew_ms: i64,
}

impl Node {
    /// The node as the directory lists it.
    pub fn info(&self) -> &ServiceNode {
        &self.info
    }

    /// Whether the node is down.
    pub fn is_down(&self) -> bool {
        self.down
    }

    pub(crate) fn identity(&self) -> &Identity {
        &self.identity
    }
}

/// Faults injected into the next deliveries.
#[derive(Debug, Default, Clone)]
struct Faults {
    /// Replies from these destinations are lost (count of replies to drop).
    drop_replies: HashMap<[u8; 32], u32>,
    /// Bodies sent to these nodes arrive with a flipped byte (count of bodies).
    corrupt_to: HashMap<[u8; 32], u32>,
}

/// How long the file server keeps a file when the upload asks for no TTL, and the longest it
/// keeps one whatever the upload or an extension asks (the testnet's choice: 14 days).
pub const FILE_TTL_SECONDS: u64 = 14 * 24 * 3600;

/// A file kept by the [`FileServer`].
#[derive(Debug)]
struct StoredFile {
    data: Vec<u8>,
    expires_ms: u64,
}

/// A small file server reached through onion requests (v4), speaking the endpoints
/// `session_fileserver::FileServer` builds: `POST /file` (octet-stream body, optional
/// `X-FS-TTL`) answers `{"id":"<44 characters>","expires":<unix s>}`, `GET /file/<id>` returns
/// the bytes, `POST /file/<id>/extend` answers `{"expires":<unix s>}`. Files expire against the
/// network's simulated clock; uploads over `session_fileserver::MAX_FILE_SIZE` get a 413.
#[derive(Debug)]
pub struct FileServer {
    host: String,
    keys: NodeKeys,
    files: BTreeMap<String, StoredFile>,
}

impl FileServer {
    /// The destination clients build onion requests for.
    pub fn destination(&self) -> ServerDestination {
        ServerDestination::new(
            self.host.clone(),
            session_fileserver::V4_TARGET,
            session_fileserver::DEFAULT_SCHEME,
            None,
            *self.keys.public_key(),
        )
    }

    /// This server as a client configures it: its host and X25519 onion key.
    pub fn client_config(&self) -> session_fileserver::FileServer {
        session_fileserver::FileServer::new(
            session_fileserver::DEFAULT_SCHEME,
            self.host.clone(),
            None,
            *self.keys.public_key(),
        )
    }

    /// The host.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Number of files kept and not yet expired at `now`.
    pub fn file_count(&self, now: Timestamp) -> usize {
        self.files
            .values()
            .filter(|f| f.expires_ms > now.as_millis())
            .count()
    }

    fn ttl(request: &V4Request) -> Result<u64, (u16, Vec<u8>)> {
        match request.headers().get("X-FS-TTL") {
            None => Ok(FILE_TTL_SECONDS),
            Some(ttl) => match ttl.parse::<u64>() {
                Ok(ttl) if ttl > 0 => Ok(ttl.min(FILE_TTL_SECONDS)),
                _ => Err((400, b"invalid X-FS-TTL".to_vec())),
            },
        }
    }

    fn expires_json(expires_ms: u64) -> f64 {
        expires_ms as f64 / 1000.0
    }

    fn handle(
        &mut self,
        request: &V4Request,
        now: Timestamp,
        rng: &mut ChaCha20Rng,
    ) -> (u16, Vec<u8>) {
        let now_ms = now.as_millis();
        self.files.retain(|_, f| f.expires_ms > now_ms);
        let endpoint = request.endpoint();
        match request.method() {
            "POST" if endpoint == "/file" => {
                let data = request.body_bytes().unwrap_or_default();
                if data.is_empty() {
                    return (400, b"empty upload".to_vec());
                }
                if data.len() > session_fileserver::MAX_FILE_SIZE {
                    return (413, b"file too large".to_vec());
                }
                let ttl = match Self::ttl(request) {
                    Ok(ttl) => ttl,
                    Err(error) => return error,
                };
                let id = loop {
                    const ALPHABET: &[u8] =
                        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
                    let id: String = (0..44)
                        .map(|_| {
                            let i = (rng.next_u32() % ALPHABET.len() as u32) as usize;
                            char::from(ALPHABET[i])
                        })
                        .collect();
                    if !self.files.contains_key(&id) {
                        break id;
                    }
                };
                let expires_ms = now_ms + ttl * 1000;
                let reply = json!({ "id": id, "expires": Self::expires_json(expires_ms) });
                self.files.insert(
                    id,
                    StoredFile {
                        data: data.to_vec(),
                        expires_ms,
                    },
                );
                (200, reply.to_string().into_bytes())
            }
            "POST" => {
                let id = endpoint
                    .strip_prefix("/file/")
                    .and_then(|rest| rest.strip_suffix("/extend"));
                let ttl = match Self::ttl(request) {
                    Ok(ttl) => ttl,
                    Err(error) => return error,
                };
                match id.and_then(|id| self.files.get_mut(id)) {
                    Some(file) => {
                        file.expires_ms = file.expires_ms.max(now_ms + ttl * 1000);
                        let reply = json!({ "expires": Self::expires_json(file.expires_ms) });
                        (200, reply.to_string().into_bytes())
                    }
                    None => (404, b"no such file".to_vec()),
                }
            }
            "GET" => {
                let file = endpoint
                    .strip_prefix("/file/")
                    .and_then(|id| self.files.get(id));
                match file {
                    Some(file) => (200, file.data.clone()),
                    None => (404, b"no such file".to_vec()),
                }
            }
            _ => (404, b"no such endpoint".to_vec()),
        }
    }
}

/// How a network is laid out.
#[derive(Debug, Clone, Copy)]
pub struct NetworkConfig {
    /// Number of swarms.
    pub swarms: usize,
    /// Nodes per swarm.
    pub nodes_per_swarm: usize,
    /// Seed of the network's random generator (node keys, IPs, reply nonces).
    pub seed: u64,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        Self {
            swarms: 6,
            nodes_per_swarm: 5,
            seed: 1,
        }
    }
}

/// The whole in-memory network.
#[derive(Debug)]
pub struct Network {
    rng: ChaCha20Rng,
    now: Timestamp,
    nodes: Vec<Node>,
    by_ed25519: HashMap<[u8; 32], usize>,
    directory: Vec<ServiceNode>,
    map: SwarmMap,
    stores: BTreeMap<u64, SwarmStore>,
    file_server: FileServer,
    pub(crate) communities: Vec<crate::community::CommunityServer>,
    faults: Faults,
    traces: Vec<RequestTrace>,
    hop_clock: Option<HopClock>,
    /// Allowed distance between a request's timestamp and a node's clock.
    pub(crate) clock_tolerance_ms: u64,
}

impl Network {
    /// Builds `config.swarms` swarms of `config.nodes_per_swarm` nodes each, with fresh keys,
    /// one /24 subnet per node, and a file server at `files.local`.
    pub fn new(config: NetworkConfig) -> Self {
        Self::with_addresses(config, |index| {
            (
                Ipv4Addr::new(10, (index / 250) as u8, (index % 250) as u8 + 1, 1),
                STORAGE_PORT,
            )
        })
    }

    /// [`Network::new`], with node `i` (in swarm order) listed at `address(i)` instead of a
    /// simulated `10.x.y.1`: what a server of these nodes on real sockets needs (each node must
    /// still sit in its own /24, which path building requires).
    pub fn with_addresses(
        config: NetworkConfig,
        address: impl Fn(usize) -> (Ipv4Addr, u16),
    ) -> Self {
        let mut rng = ChaCha20Rng::seed_from_u64(config.seed);
        let mut swarm_ids: BTreeSet<u64> = BTreeSet::new();
        while swarm_ids.len() < config.swarms {
            swarm_ids.insert(rng.next_u64() >> 1);
        }
        let mut nodes = Vec::new();
        for (s, &swarm) in swarm_ids.iter().enumerate() {
            for n in 0..config.nodes_per_swarm {
                let identity = Identity::generate(&mut rng);
                let onion_keys = NodeKeys::new(identity.x25519_secret_key().clone());
                let index = s * config.nodes_per_swarm + n;
                let (ip, port) = address(index);
                let info = ServiceNode {
                    ed25519: identity.ed25519_public_key(),
                    x25519: identity.x25519_public_key(),
                    ip,
                    https_port: port,
                    omq_port: Some(port.wrapping_sub(1)),
                    swarm_id: Some(SwarmId::new(swarm)),
                };
                nodes.push(Node {
                    identity,
                    onion_keys,
                    info,
                    down: false,
                    clock_skew_ms: 0,
                });
            }
        }
        let file_keys = NodeKeys::new(session_identity::X25519SecretKey::generate(&mut rng));
        let by_ed25519 = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.info.ed25519.to_bytes(), i))
            .collect();
        let directory: Vec<ServiceNode> = nodes.iter().map(|n| n.info).collect();
        let map = SwarmMap::new(&directory);
        let stores = swarm_ids
            .iter()
            .map(|&id| (id, SwarmStore::default()))
            .collect();
        Self {
            rng,
            now: Timestamp::from_millis(GENESIS_MS),
            nodes,
            by_ed25519,
            directory,
            map,
            stores,
            file_server: FileServer {
                host: "files.local".into(),
                keys: file_keys,
                files: BTreeMap::new(),
            },
            communities: Vec::new(),
            faults: Faults::default(),
            traces: Vec::new(),
            hop_clock: None,
            clock_tolerance_ms: 60_000,
        }
    }

    /// Measures the time each hop spends with `clock` (a monotonic reading, e.g. the time
    /// since a `std::time::Instant`), shown in traces. Without one, traces carry no timings
    /// and the network reads no clock at all.
    pub fn set_hop_clock(&mut self, clock: impl FnMut() -> Duration + Send + 'static) {
        self.hop_clock = Some(HopClock(Box::new(clock)));
    }

    fn hop_time(&mut self) -> Option<Duration> {
        self.hop_clock.as_mut().map(|clock| (clock.0)())
    }

    /// The network's clock.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// Moves the network's clock forward.
    pub fn advance(&mut self, by: Duration) {
        let ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.now = self.now.saturating_add_millis(ms);
    }

    /// Moves the network's clock forward to `now` (never back): how a server of these nodes
    /// follows a real clock.
    pub fn advance_to(&mut self, now: Timestamp) {
        if now > self.now {
            self.now = now;
        }
    }

    /// All nodes.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The node with this Ed25519 key.
    pub fn node(&self, key: &Ed25519PublicKey) -> Option<&Node> {
        self.by_ed25519.get(key.as_bytes()).map(|&i| &self.nodes[i])
    }

    fn node_mut(&mut self, key: &Ed25519PublicKey) -> Option<&mut Node> {
        self.by_ed25519
            .get(key.as_bytes())
            .map(|&i| &mut self.nodes[i])
    }

    /// The swarms, by ID.
    pub fn swarm_map(&self) -> &SwarmMap {
        &self.map
    }

    /// The file server.
    pub fn file_server(&self) -> &FileServer {
        &self.file_server
    }

    /// The node directory as a seed node's `get_n_service_nodes` reply renders it.
    pub fn directory_json(&self) -> Vec<u8> {
        let states: Vec<Value> = self
            .directory
            .iter()
            .map(|n| {
                json!({
                    "public_ip": n.ip.to_string(),
                    "storage_port": n.https_port,
                    "storage_lmq_port": n.omq_port,
                    "pubkey_ed25519": n.ed25519.to_hex(),
                    "pubkey_x25519": n.x25519.to_hex(),
                    "swarm_id": n.swarm_id.map(SwarmId::get),
                })
            })
            .collect();
        json!({ "jsonrpc": "2.0", "id": "0", "result": { "service_node_states": states, "status": "OK" } })
            .to_string()
            .into_bytes()
    }

    /// The directory as a client reads it: [`Network::directory_json`] through
    /// [`parse_service_node_list`].
    pub fn bootstrap_nodes(&self) -> Vec<ServiceNode> {
        parse_service_node_list(&self.directory_json())
            .map(|list| list.nodes)
            .unwrap_or_default()
    }

    /// Moves a node into another swarm (as the network does when it rebalances swarms): the
    /// directory and the swarm map change; clients that cached the old membership get 421s
    /// from it with the account's current swarm. The node does not take its stored messages
    /// along. `false` if there is no such node or swarm.
    pub fn move_node_to_swarm(&mut self, key: &Ed25519PublicKey, swarm: SwarmId) -> bool {
        if !self.stores.contains_key(&swarm.get()) {
            return false;
        }
        let Some(&index) = self.by_ed25519.get(key.as_bytes()) else {
            return false;
        };
        self.nodes[index].info.swarm_id = Some(swarm);
        self.directory = self.nodes.iter().map(|n| n.info).collect();
        self.map = SwarmMap::new(&self.directory);
        true
    }

    /// Takes a node down (`true`) or brings it back.
    pub fn set_down(&mut self, key: &Ed25519PublicKey, down: bool) {
        if let Some(node) = self.node_mut(key) {
            node.down = down;
        }
    }

    /// Sets how far a node's clock is from the network's.
    pub fn set_clock_skew(&mut self, key: &Ed25519PublicKey, skew_ms: i64) {
        if let Some(node) = self.node_mut(key) {
            node.clock_skew_ms = skew_ms;
        }
    }

    /// Loses the next `count` replies this destination sends (the request itself is handled).
    pub fn drop_replies_from(&mut self, key: &Ed25519PublicKey, count: u32) {
        *self.faults.drop_replies.entry(key.to_bytes()).or_default() += count;
    }

    /// Flips a byte in the next `count` bodies sent to this node.
    pub fn corrupt_layers_to(&mut self, key: &Ed25519PublicKey, count: u32) {
        *self.faults.corrupt_to.entry(key.to_bytes()).or_default() += count;
    }

    /// Messages currently held for `account` in its swarm's store (expired ones excluded).
    pub fn stored_count(&self, account: &session_identity::SessionId) -> usize {
        self.map
            .swarm_for(account)
            .and_then(|swarm| self.stores.get(&swarm.id.get()))
            .map_or(0, |store| store.live_count(account, self.now))
    }

    /// The traces recorded since the last call.
    pub fn take_traces(&mut self) -> Vec<RequestTrace> {
        core::mem::take(&mut self.traces)
    }

    fn take_fault(map: &mut HashMap<[u8; 32], u32>, key: &Ed25519PublicKey) -> bool {
        match map.get_mut(key.as_bytes()) {
            Some(count) if *count > 0 => {
                *count -= 1;
                true
            }
            _ => false,
        }
    }

    /// Delivers an onion request body to `guard`, as a client's HTTP POST to
    /// `/onion_req/v2` would, and returns the guard's answer (`None`: nothing came back).
    /// Records a [`RequestTrace`].
    pub fn deliver(
        &mut self,
        guard: &Ed25519PublicKey,
        body: &[u8],
        label: &str,
    ) -> Option<HttpReply> {
        let mut trace = RequestTrace {
            label: label.to_owned(),
            hops: Vec::new(),
            outcome: String::new(),
        };
        let delivery = self.route(guard, body.to_vec(), &mut trace);
        trace.outcome = match &delivery {
            Some(HttpReply { status: 200, body }) => {
                format!("reply, {} bytes (encrypted)", body.len())
            }
            Some(HttpReply { status, body }) => {
                format!("path error {status} {}", String::from_utf8_lossy(body))
            }
            None => "timeout (no reply)".into(),
        };
        self.traces.push(trace);
        delivery
    }

    fn route(
        &mut self,
        guard: &Ed25519PublicKey,
        mut body: Vec<u8>,
        trace: &mut RequestTrace,
    ) -> Option<HttpReply> {
        let mut previous = Peer::Client;
        let mut current = *guard;
        loop {
            // A relay that cannot reach the next node reports it; a client whose guard is down
            // gets nothing.
            if previous != Peer::Client && self.node(&current).is_some_and(Node::is_down) {
                return HttpReply::error(
                    502,
                    format!("Next node not found: {}", current.to_hex()).into_bytes(),
                );
            }
            match self.hop(current, previous, body, trace) {
                HopOutcome::Forward {
                    next,
                    body: next_body,
                } => {
                    previous = Peer::Node(current);
                    current = next.ed25519;
                    body = next_body;
                }
                HopOutcome::Reply(reply) => return Some(reply),
                HopOutcome::NoReply => return None,
            }
        }
    }

    /// What `node` does with an onion request `body` that came from `from` (`None`: from a
    /// client), as one step: relay it, answer it, or stay silent. [`Network::deliver`] runs
    /// these steps in memory; a server of these nodes on real sockets runs one per HTTP request
    /// and does the forwarding itself. Records no trace.
    pub fn handle_onion_hop(
        &mut self,
        node: &Ed25519PublicKey,
        body: &[u8],
        from: Option<&Ed25519PublicKey>,
    ) -> HopOutcome {
        let previous = from.map_or(Peer::Client, |key| Peer::Node(*key));
        let mut trace = RequestTrace {
            label: String::new(),
            hops: Vec::new(),
            outcome: String::new(),
        };
        self.hop(*node, previous, body.to_vec(), &mut trace)
    }

    fn hop(
        &mut self,
        current: Ed25519PublicKey,
        previous: Peer,
        mut body: Vec<u8>,
        trace: &mut RequestTrace,
    ) -> HopOutcome {
        let started = self.hop_time();
        // An unknown or stopped node: the connection fails, nothing comes back.
        let Some(&index) = self.by_ed25519.get(current.as_bytes()) else {
            return HopOutcome::NoReply;
        };
        if self.nodes[index].down {
            return HopOutcome::NoReply;
        }
        if Self::take_fault(&mut self.faults.corrupt_to, &current) {
            let at = (body.len() / 2).min(body.len().saturating_sub(20));
            if let Some(byte) = body.get_mut(at) {
                *byte ^= 0x55;
            }
        }
        let layer = match self.nodes[index].onion_keys.peel(&body) {
            Ok(layer) => layer,
            Err(_) => {
                trace.hops.push(HopView {
                    node: current,
                    from: previous,
                    to: Peer::Nobody,
                    role: "could not decrypt its layer: 400 Invalid ciphertext".into(),
                    bytes_in: body.len(),
                    elapsed: self.elapsed_since(started),
                });
                return HopOutcome::error(400, b"Invalid ciphertext".to_vec());
            }
        };
        match layer.routing().clone() {
            Routing::NextHop(next) => {
                let Some(next_body) = layer.next_hop_body() else {
                    return HopOutcome::error(400, b"Invalid ciphertext".to_vec());
                };
                trace.hops.push(HopView {
                    node: current,
                    from: previous,
                    to: Peer::Node(next.ed25519),
                    role: "relay".into(),
                    bytes_in: body.len(),
                    elapsed: self.elapsed_since(started),
                });
                if !self.by_ed25519.contains_key(next.ed25519.as_bytes()) {
                    return HopOutcome::error(
                        502,
                        format!("Next node not found: {}", next.ed25519.to_hex()).into_bytes(),
                    );
                }
                HopOutcome::Forward {
                    next: self.nodes[self.by_ed25519[next.ed25519.as_bytes()]].info,
                    body: next_body,
                }
            }
            Routing::ServiceNode(_) => {
                let reply = self.serve_storage(index, &layer);
                trace.hops.push(HopView {
                    node: current,
                    from: previous,
                    to: Peer::Nobody,
                    role: "destination: storage RPC".into(),
                    bytes_in: body.len(),
                    elapsed: self.elapsed_since(started),
                });
                if Self::take_fault(&mut self.faults.drop_replies, &current) {
                    return HopOutcome::NoReply;
                }
                HopOutcome::Reply(HttpReply {
                    status: 200,
                    body: reply,
                })
            }
            Routing::Server(route) => {
                let community = self.community_index(&route.host);
                let allowed = route.is_allowed()
                    && (route.host == self.file_server.host || community.is_some());
                trace.hops.push(HopView {
                    node: current,
                    from: previous,
                    to: Peer::Server(route.host.clone()),
                    role: "exit to a server".into(),
                    bytes_in: body.len(),
                    elapsed: self.elapsed_since(started),
                });
                if !allowed {
                    return HopOutcome::error(502, b"Invalid target host".to_vec());
                }
                let started = self.hop_time();
                let reply = match community {
                    Some(index) => self.serve_community(index, layer.payload()),
                    None => self.serve_file(layer.payload()),
                };
                trace.hops.push(HopView {
                    node: Ed25519PublicKey::from_bytes([0; 32]),
                    from: Peer::Node(current),
                    to: Peer::Nobody,
                    role: format!("server {}: v4 request", route.host),
                    bytes_in: layer.payload().len(),
                    elapsed: self.elapsed_since(started),
                });
                match reply {
                    Some(reply) => HopOutcome::Reply(HttpReply {
                        status: 200,
                        body: reply,
                    }),
                    None => HopOutcome::error(400, b"Invalid ciphertext".to_vec()),
                }
            }
            _ => HopOutcome::error(400, b"Unknown routing".to_vec()),
        }
    }

    fn elapsed_since(&mut self, started: Option<Duration>) -> Option<Duration> {
        Some(self.hop_time()?.saturating_sub(started?))
    }

    fn serve_storage(&mut self, index: usize, layer: &PeeledLayer) -> Vec<u8> {
        let (status, reply) = self.storage_reply(index, layer.inner());
        layer.seal_service_node_reply(status, &reply, &mut self.rng)
    }

    /// A direct storage RPC to `node` (what its `POST /storage_rpc/v1` serves): the JSON-RPC
    /// `body` is handled as the inner request of an onion request for that node is, and the
    /// answer comes back in the clear. `None` when the node is unknown or down (nothing
    /// answers). Records no trace.
    pub fn handle_storage_rpc(
        &mut self,
        node: &Ed25519PublicKey,
        body: &[u8],
    ) -> Option<HttpReply> {
        let &index = self.by_ed25519.get(node.as_bytes())?;
        if self.nodes[index].down {
            return None;
        }
        let (status, reply) = self.storage_reply(index, body);
        Some(HttpReply {
            status,
            body: reply.into_bytes(),
        })
    }

    fn storage_reply(&mut self, index: usize, body: &[u8]) -> (u16, String) {
        let node = &self.nodes[index];
        let node_now = self
            .now
            .adjusted(session_swarm::ClockOffset::from_millis(node.clock_skew_ms));
        let swarm = node.info.swarm_id.map(SwarmId::get).unwrap_or(u64::MAX);
        let members: Vec<&Node> = self
            .nodes
            .iter()
            .filter(|n| n.info.swarm_id.map(SwarmId::get) == Some(swarm) && !n.down)
            .collect();
        let ctx = crate::storage::NodeContext {
            node_now,
            swarm,
            members: &members,
            map: &self.map,
            tolerance_ms: self.clock_tolerance_ms,
        };
        let Some(store) = self.stores.get_mut(&swarm) else {
            return (503, "not in a swarm".to_owned());
        };
        handle_rpc(&ctx, store, body)
    }

    fn serve_file(&mut self, payload: &[u8]) -> Option<Vec<u8>> {
        let opened: OpenedLayer = self.file_server.keys.open(payload).ok()?;
        let (status, body) = match V4Request::decode(opened.payload()) {
            Ok(request) => self.file_server.handle(&request, self.now, &mut self.rng),
            Err(_) => (400, b"not a v4 request".to_vec()),
        };
        let plain = encode_v4_response(
            status,
            &[("content-type", "application/octet-stream")],
            Some(&body),
        );
        Some(opened.seal_reply(&plain, &mut self.rng))
    }

    /// The smallest TTL a store accepts (for examples).
    pub const MIN_TTL_MS: u64 = MIN_TTL_MS;

    /// The X25519 key of a node (for examples that build requests by hand).
    pub fn node_x25519(&self, key: &Ed25519PublicKey) -> Option<X25519PublicKey> {
        self.node(key).map(|n| n.info.x25519)
    }
}
