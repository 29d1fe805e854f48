//! The network as a client sees it: the node pool, the onion paths, the swarms, the clock
//! offset, and storage requests carried through them with the retry decisions of
//! `session-swarm`.
//!
//! Every decision — which guard, which path, which swarm member, what a status means, when
//! to stop — is taken by the sans-IO machines (`NodePool`, `PathSet`, `SwarmRequest`); this
//! module only performs them: it sends, waits, and feeds each outcome back.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use session_identity::{Ed25519PublicKey, OsRng, SessionId, X25519PublicKey};
use session_onion::{
    Destination, EncType, Hop, OnionRequestBuilder, PrecomputedKeys, ServerResponse,
};
use session_swarm::{
    intersect_node_lists, parse_info_reply, parse_service_node_list, pool_action, ClockOffset,
    Decision, NodeList, NodePool, OnionPath, Outcome, PathError, PathHealth, PathSet, PoolAction,
    ServiceNode, StorageRequest, SwarmMap, SwarmRequest, Timestamp, REFRESH_SOURCES,
};

use crate::store::{NodePoolCache, Store};
use crate::transport::{HttpRequest, SeedNode, Transport, TransportError};
use crate::ClientError;

/// How often the pool may be refreshed when the pool policy asks for it (by default).
pub const POOL_REFRESH_INTERVAL: Duration = Duration::from_secs(300);

/// How long a saved node list is used instead of asking the seeds (libsession's 2 h).
pub const NODE_CACHE_TTL: Duration = Duration::from_secs(2 * 3600);

/// How long a service node gets to answer an onion request (Session Desktop's 10 s).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a seed gets to answer (Session Desktop's 5 s).
pub const SEED_TIMEOUT: Duration = Duration::from_secs(5);

/// Attempts of a request to a server (file server, community) through onion paths (Session
/// Desktop's 3).
pub const SERVER_ATTEMPTS: usize = 3;

/// How many times path building is retried before giving up (Session Desktop's 4).
pub const PATH_BUILD_ATTEMPTS: usize = 4;

/// The local clock, behind a trait so tests can run a client whose clock is off.
pub trait Clock: Send + Sync + 'static {
    /// Now, in Unix milliseconds.
    fn now(&self) -> Timestamp;
}

/// The operating system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        Timestamp::from_millis(ms)
    }
}

/// The system clock moved by a fixed amount (a device whose clock is wrong).
#[derive(Debug, Clone, Copy)]
pub struct SkewedClock {
    /// Milliseconds added to the system clock (negative: behind).
    pub skew_ms: i64,
}

impl Clock for SkewedClock {
    fn now(&self) -> Timestamp {
        SystemClock
            .now()
            .adjusted(ClockOffset::from_millis(self.skew_ms))
    }
}

/// How a [`Network`] starts.
#[derive(Clone)]
pub struct NetworkConfig {
    /// Where the node list comes from.
    pub seeds: Vec<SeedNode>,
    /// The local clock.
    pub clock: Arc<dyn Clock>,
    /// Per onion request.
    pub request_timeout: Duration,
    /// Test each new path with an `info` request through it before using it (and learn the
    /// clock offset from the answers).
    pub test_paths: bool,
    /// The least time between two pool refreshes ([`POOL_REFRESH_INTERVAL`]).
    pub pool_refresh_interval: Duration,
}

impl core::fmt::Debug for NetworkConfig {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("NetworkConfig")
            .field("seeds", &self.seeds)
            .field("request_timeout", &self.request_timeout)
            .field("test_paths", &self.test_paths)
            .field("pool_refresh_interval", &self.pool_refresh_interval)
            .finish_non_exhaustive()
    }
}

impl NetworkConfig {
    /// The given seeds, the system clock, Session Desktop's timeouts, paths tested.
    pub fn new(seeds: Vec<SeedNode>) -> Self {
        Self {
            seeds,
            clock: Arc::new(SystemClock),
            request_timeout: REQUEST_TIMEOUT,
            test_paths: true,
            pool_refresh_interval: POOL_REFRESH_INTERVAL,
        }
    }

    /// A loopback network's plain-HTTP seed (what `session-node` prints).
    pub fn local(seed_url: impl Into<String>) -> Self {
        Self::new(vec![SeedNode::plain(seed_url)])
    }
}

/// What the client knows of the network. Never locked across an `await`.
struct State {
    pool: NodePool,
    paths: PathSet,
    tables: PrecomputedKeys,
    map: SwarmMap,
    swarms: HashMap<[u8; 33], Vec<ServiceNode>>,
    clock_offset: ClockOffset,
    rng: ChaCha20Rng,
    counters: Counters,
    /// When the pool was last replaced (bootstrap counts).
    last_refresh: Timestamp,
}

/// What the retry decisions did so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Onion requests sent for storage requests (every attempt).
    pub attempts: u64,
    /// 421s: a swarm's membership replaced by the one a node sent.
    pub swarm_redirects: u64,
    /// Clock offsets adopted from a 406/425.
    pub clock_adjustments: u64,
    /// Nodes dropped because a relay could not reach them.
    pub nodes_dropped: u64,
    /// Path failures counted, and paths dropped.
    pub path_failures: u64,
    /// Pool refreshes from three nodes' lists (their intersection).
    pub refreshes_from_nodes: u64,
    /// Pool refreshes from the seeds.
    pub refreshes_from_seeds: u64,
}

/// A snapshot of a [`Network`]'s health, for logs and status lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkStatus {
    /// Nodes in the pool.
    pub pool_size: usize,
    /// Onion paths built.
    pub paths: usize,
    /// Milliseconds the network's clock is ahead of ours (negative: behind).
    pub clock_offset_ms: i64,
    /// What the retry decisions did so far.
    pub counters: Counters,
}

/// The network: the pool, paths and swarms, shared by every account of a process.
pub struct Network<T: Transport> {
    transport: Arc<T>,
    config: NetworkConfig,
    state: Mutex<State>,
    store: Option<Arc<dyn Store>>,
}

impl<T: Transport> core::fmt::Debug for Network<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Network")
            .field("config", &self.config)
            .field("status", &self.status())
            .finish_non_exhaustive()
    }
}

impl<T: Transport> Network<T> {
    /// Fetches the node list from the seeds (all asked at once, the first good answer wins),
    /// builds the onion paths and, if configured, tests them.
    pub async fn bootstrap(transport: T, config: NetworkConfig) -> Result<Self, ClientError> {
        Self::start(transport, config, None).await
    }

    /// [`bootstrap`](Network::bootstrap), starting from the node list saved in `store` when it
    /// is younger than [`NODE_CACHE_TTL`] (no seed is asked then, unless no path can be built
    /// from it), and saving every list fetched from the seeds there.
    pub async fn bootstrap_with_store(
        transport: T,
        config: NetworkConfig,
        store: Arc<dyn Store>,
    ) -> Result<Self, ClientError> {
        Self::start(transport, config, Some(store)).await
    }

    async fn start(
        transport: T,
        config: NetworkConfig,
        store: Option<Arc<dyn Store>>,
    ) -> Result<Self, ClientError> {
        let transport = Arc::new(transport);
        let now = config.clock.now();
        let cached = store
            .as_ref()
            .and_then(|s| s.node_pool().ok().flatten())
            .filter(|c| {
                now.millis_since(Timestamp::from_millis(c.saved_at_ms))
                    .is_some_and(|age| u128::from(age) < NODE_CACHE_TTL.as_millis())
            })
            .and_then(|c| parse_service_node_list(&c.blob).ok())
            .filter(|list| !list.nodes.is_empty());
        let from_cache = cached.is_some();
        let list = match cached {
            Some(list) => list,
            None => fetch_node_list(&transport, &config.seeds).await?,
        };
        let mut seed = [0u8; 32];
        OsRng.fill_bytes(&mut seed);
        let network = Self {
            transport,
            state: Mutex::new(State {
                map: SwarmMap::new(&list.nodes),
                pool: NodePool::new(&list.nodes),
                paths: PathSet::default(),
                tables: PrecomputedKeys::new(),
                swarms: HashMap::new(),
                clock_offset: ClockOffset::ZERO,
                rng: ChaCha20Rng::from_seed(seed),
                counters: Counters::default(),
                last_refresh: now,
            }),
            config,
            store,
        };
        if !from_cache {
            network.save_nodes(&list.nodes);
        }
        match network.build_paths().await {
            Ok(()) => Ok(network),
            // A stale cache: start again from the seeds.
            Err(_) if from_cache => {
                network.refresh_from_seeds().await?;
                network.build_paths().await?;
                Ok(network)
            }
            Err(e) => Err(e),
        }
    }

    fn save_nodes(&self, nodes: &[ServiceNode]) {
        if let Some(store) = &self.store {
            // The cache is an optimisation: failing to write it changes nothing else.
            let _ = store.put_node_pool(&NodePoolCache {
                blob: node_list_json(nodes),
                saved_at_ms: self.local_now().as_millis(),
            });
        }
    }

    /// Replaces the pool and the swarm map with a fresh list from the seeds (what the pool
    /// policy asks for when too few usable nodes remain), and saves it.
    pub async fn refresh_from_seeds(&self) -> Result<(), ClientError> {
        let list = fetch_node_list(&self.transport, &self.config.seeds).await?;
        self.replace_pool(&list.nodes);
        self.state().counters.refreshes_from_seeds += 1;
        Ok(())
    }

    /// Replaces the pool and the swarm map with the nodes that [`REFRESH_SOURCES`] random
    /// nodes of the pool all list (`oxend_request` / `get_service_nodes` through onion paths,
    /// then [`intersect_node_lists`]), so that no single node can feed the client its own
    /// list; and saves it.
    pub async fn refresh_from_nodes(&self) -> Result<(), ClientError> {
        let sources: Vec<ServiceNode> = {
            let mut state = self.state();
            let mut nodes: Vec<ServiceNode> = state.pool.nodes().copied().collect();
            let mut chosen = Vec::new();
            while chosen.len() < REFRESH_SOURCES && !nodes.is_empty() {
                let pick = (state.rng.next_u32() as usize) % nodes.len();
                chosen.push(nodes.swap_remove(pick));
            }
            chosen
        };
        let body = StorageRequest::get_service_nodes().to_body();
        let mut lists = Vec::new();
        for node in &sources {
            let path = self.path_for(&node.ed25519).await?;
            if let Outcome::Reply(reply) = self.send_through(&path, node, &body).await {
                if reply.status == 200 {
                    if let Ok(list) = parse_service_node_list(&reply.body) {
                        lists.push(list);
                    }
                }
            }
        }
        let nodes = intersect_node_lists(&lists)?;
        self.replace_pool(&nodes);
        self.state().counters.refreshes_from_nodes += 1;
        Ok(())
    }

    fn replace_pool(&self, nodes: &[ServiceNode]) {
        {
            let mut state = self.state();
            state.pool = NodePool::new(nodes);
            state.map = SwarmMap::new(nodes);
            state.last_refresh = self.config.clock.now();
        }
        self.save_nodes(nodes);
    }

    /// Keeps the pool and the paths usable, at most once per
    /// [`NetworkConfig::pool_refresh_interval`]: when the pool policy ([`pool_action`]) says
    /// few nodes are left, the pool is refreshed from three nodes (falling back to the seeds
    /// when their lists do not agree), or from the seeds when too few are left to build
    /// paths; paths are rebuilt when none is left. A failed refresh keeps the pool as it was.
    /// Run before every storage request.
    pub async fn upkeep(&self) -> Result<(), ClientError> {
        let (action, paths, due) = {
            let state = self.state();
            let since = self
                .local_now()
                .millis_since(state.last_refresh)
                .unwrap_or(u64::MAX);
            (
                pool_action(state.pool.len()),
                state.paths.paths().len(),
                u128::from(since) >= self.config.pool_refresh_interval.as_millis(),
            )
        };
        let refreshed = match action {
            PoolAction::RefreshFromNodes if due => {
                if self.refresh_from_nodes().await.is_ok() {
                    true
                } else {
                    self.refresh_from_seeds().await.is_ok()
                }
            }
            PoolAction::RefreshFromSeed if due => self.refresh_from_seeds().await.is_ok(),
            _ => false,
        };
        if !refreshed && due && action != PoolAction::Keep {
            // Not again before the interval, whatever the outcome.
            self.state().last_refresh = self.local_now();
        }
        if paths == 0 || (refreshed && action == PoolAction::RefreshFromSeed) {
            self.build_paths().await?;
        }
        Ok(())
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind: keep going with it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The local clock (not adjusted).
    pub fn local_now(&self) -> Timestamp {
        self.config.clock.now()
    }

    /// The network's time as we estimate it.
    pub fn network_now(&self) -> Timestamp {
        self.local_now().adjusted(self.state().clock_offset)
    }

    /// How far the network's clock is from ours, as learnt from replies.
    pub fn clock_offset(&self) -> ClockOffset {
        self.state().clock_offset
    }

    /// Pool size, paths, clock offset.
    pub fn status(&self) -> NetworkStatus {
        let state = self.state();
        NetworkStatus {
            pool_size: state.pool.len(),
            paths: state.paths.paths().len(),
            clock_offset_ms: state.clock_offset.as_millis(),
            counters: state.counters,
        }
    }

    /// The paths in use.
    pub fn paths(&self) -> Vec<OnionPath> {
        self.state().paths.paths().to_vec()
    }

    /// Builds paths until the pool's set is complete, testing each new one when configured.
    async fn build_paths(&self) -> Result<(), ClientError> {
        let mut offsets = Vec::new();
        let mut last_error = None;
        for _ in 0..PATH_BUILD_ATTEMPTS {
            let built = {
                let mut state = self.state();
                let State { pool, rng, .. } = &mut *state;
                pool.build_paths(rng)
            };
            let candidates = match built {
                Ok(set) => set.paths().to_vec(),
                Err(e) => {
                    last_error = Some(e);
                    continue;
                }
            };
            let mut good = Vec::new();
            for path in candidates {
                if !self.config.test_paths {
                    good.push(path);
                    continue;
                }
                match self.test_path(&path).await {
                    Some(server_time) => {
                        offsets.push(ClockOffset::estimate(server_time, self.local_now()));
                        good.push(path);
                    }
                    None => {
                        let mut state = self.state();
                        state.pool.record_failure(&path.guard().ed25519);
                    }
                }
            }
            if !good.is_empty() {
                let mut state = self.state();
                let mut set = PathSet::default();
                for path in good {
                    set.push(path);
                }
                state.paths = set;
                sync_tables(&mut state);
                if !offsets.is_empty() {
                    offsets.sort_by_key(|o| o.as_millis());
                    state.clock_offset = offsets[offsets.len() / 2];
                }
                return Ok(());
            }
        }
        Err(ClientError::Path(last_error.unwrap_or(
            PathError::NotEnoughNodes {
                needed: session_swarm::PATH_LENGTH + 1,
                found: self.state().pool.len(),
            },
        )))
    }

    /// Sends `info` through `path` to a node off it; the node's clock when it answers.
    async fn test_path(&self, path: &OnionPath) -> Option<Timestamp> {
        let target = {
            let mut state = self.state();
            let candidates: Vec<ServiceNode> = state
                .pool
                .nodes()
                .filter(|n| !path.contains(&n.ed25519))
                .copied()
                .collect();
            if candidates.is_empty() {
                return None;
            }
            let pick = (state.rng.next_u32() as usize) % candidates.len();
            candidates[pick]
        };
        let outcome = self
            .send_through(path, &target, &StorageRequest::info().to_body())
            .await;
        match outcome {
            Outcome::Reply(reply) if reply.status == 200 => parse_info_reply(&reply.body).ok(),
            _ => None,
        }
    }

    /// One onion request to `node` through `path`, read into an [`Outcome`].
    async fn send_through(&self, path: &OnionPath, node: &ServiceNode, body: &[u8]) -> Outcome {
        let built = {
            let mut state = self.state();
            let State { tables, rng, .. } = &mut *state;
            OnionRequestBuilder::new(
                Destination::ServiceNode(Hop::new(node.ed25519, node.x25519)),
                EncType::XChaCha20,
            )
            .path(path.hops().iter().map(|n| Hop::new(n.ed25519, n.x25519)))
            .build_precomputed(body, tables, rng)
        };
        let Ok(onion) = built else {
            // Only a path longer than the builder allows fails here: not this path.
            return Outcome::Timeout;
        };
        let guard = path.guard();
        let request = HttpRequest {
            url: format!("https://{}:{}/onion_req/v2", guard.ip, guard.https_port),
            body: onion.body().to_vec(),
            content_type: None,
            timeout: self.config.request_timeout,
        };
        match self.transport.post(request).await {
            Ok(answer) => Outcome::from_onion(
                onion
                    .response_context()
                    .read_service_node_reply(answer.status, &answer.body),
            ),
            Err(_) => Outcome::Timeout,
        }
    }

    /// Sends a v4 request to a server (file server, community) through an onion path:
    /// `builder` is the server's (`session_fileserver::FileServer::onion_request_builder`,
    /// say), `payload` the encoded v4 request. A path that fails (a relay's error, no answer,
    /// an unreadable reply) counts a strike and the request goes again through another, up to
    /// [`SERVER_ATTEMPTS`] times; the server's own status is the caller's to read.
    pub async fn server_request(
        &self,
        builder: &OnionRequestBuilder,
        payload: &[u8],
        timeout: Duration,
    ) -> Result<ServerResponse, ClientError> {
        let mut last = None;
        for _ in 0..SERVER_ATTEMPTS {
            self.upkeep().await?;
            let path = {
                let mut state = self.state();
                let State { paths, rng, .. } = &mut *state;
                paths.choose(rng, None).cloned()
            };
            let path = match path {
                Some(path) => path,
                None => {
                    self.build_paths().await?;
                    continue;
                }
            };
            let onion = {
                let mut state = self.state();
                let State { tables, rng, .. } = &mut *state;
                builder
                    .clone()
                    .path(path.hops().iter().map(|n| Hop::new(n.ed25519, n.x25519)))
                    .build_precomputed(payload, tables, rng)
                    .map_err(ClientError::Build)?
            };
            let guard = path.guard();
            let request = HttpRequest {
                url: format!("https://{}:{}/onion_req/v2", guard.ip, guard.https_port),
                body: onion.body().to_vec(),
                content_type: None,
                timeout,
            };
            let failure = match self.transport.post(request).await {
                Ok(answer) => match onion
                    .response_context()
                    .read_server_reply(answer.status, &answer.body)
                {
                    Ok(reply) => return Ok(reply),
                    Err(failure) => failure,
                },
                Err(TransportError::Timeout) | Err(TransportError::Connect(_)) => {
                    let mut state = self.state();
                    state.counters.path_failures += 1;
                    state.pool.record_failure(&guard.ed25519);
                    state.paths.remove_paths_through(&guard.ed25519);
                    sync_tables(&mut state);
                    last = None;
                    continue;
                }
                Err(other) => return Err(other.into()),
            };
            let mut state = self.state();
            state.counters.path_failures += 1;
            if let PathHealth::Dropped(path) = state.paths.record_failure(&guard.ed25519) {
                retire(&mut state, &path);
            }
            last = Some(failure);
        }
        Err(match last {
            Some(failure) => ClientError::Server(failure),
            None => ClientError::Transport(TransportError::Timeout),
        })
    }

    /// The members of `account`'s swarm: the cached list a 421 taught us, or the map's.
    fn members(&self, account: &SessionId) -> Result<Vec<ServiceNode>, ClientError> {
        let state = self.state();
        if let Some(members) = state.swarms.get(&account.to_bytes()) {
            return Ok(members.clone());
        }
        state
            .map
            .swarm_for(account)
            .map(|s| s.members.to_vec())
            .ok_or_else(|| ClientError::NoSwarm(account.to_hex()))
    }

    /// A path that avoids `destination`, building new paths when none does.
    async fn path_for(&self, destination: &Ed25519PublicKey) -> Result<OnionPath, ClientError> {
        for _ in 0..2 {
            {
                let mut state = self.state();
                let State { paths, rng, .. } = &mut *state;
                if let Some(path) = paths.choose(rng, Some(destination)) {
                    return Ok(path.clone());
                }
                // Every path runs through the destination: add one that does not.
                let mut exclude: Vec<Ed25519PublicKey> = paths
                    .paths()
                    .iter()
                    .flat_map(|p| p.hops().iter().map(|n| n.ed25519))
                    .collect();
                exclude.push(*destination);
                let State { pool, rng, .. } = &mut *state;
                if let Some(guard) = pool.choose_guards(rng, 1, &exclude)?.first().copied() {
                    let path = pool.build_path(rng, &guard, &exclude)?;
                    state.paths.push(path.clone());
                    sync_tables(&mut state);
                    return Ok(path);
                }
            }
            self.build_paths().await?;
        }
        Err(ClientError::Path(PathError::NotEnoughNodes {
            needed: session_swarm::PATH_LENGTH + 1,
            found: self.state().pool.len(),
        }))
    }

    /// Sends a storage request to `account`'s swarm through an onion path, following
    /// [`SwarmRequest`]'s decisions until it is done or gives up. `build` makes the request
    /// for a signing time (it is called again when the clock offset changes). Returns the
    /// destination's reply body.
    pub async fn storage_request(
        &self,
        account: &SessionId,
        build: impl Fn(Timestamp) -> Result<StorageRequest, session_swarm::RequestError>,
    ) -> Result<Vec<u8>, ClientError> {
        self.upkeep().await?;
        let members = self.members(account)?;
        let mut request = SwarmRequest::new(*account, &members, self.clock_offset());
        loop {
            let attempt = {
                let mut state = self.state();
                request.next_attempt(&mut state.rng)?
            };
            let node = attempt.node;
            let local_now = self.local_now();
            let body = build(request.signing_time(local_now))?.to_body();
            let path = self.path_for(&node.ed25519).await?;
            let outcome = self.send_through(&path, &node, &body).await;
            let decision = request.handle(outcome, self.local_now())?;
            let guard = path.guard().ed25519;
            let mut state = self.state();
            state.counters.attempts += 1;
            match decision {
                Decision::Done(reply) => return Ok(reply.body),
                Decision::RetryOtherMember { .. } => {}
                Decision::ReplaceSwarmAndRetry { members, .. } => {
                    state.counters.swarm_redirects += 1;
                    state.swarms.insert(account.to_bytes(), members);
                }
                Decision::AdjustClockAndResign { offset } => {
                    state.counters.clock_adjustments += 1;
                    state.clock_offset = offset;
                }
                Decision::MarkNodeBad { node } => {
                    state.counters.nodes_dropped += 1;
                    state.pool.drop_node(&node);
                    state.paths.remove_paths_through(&node);
                    sync_tables(&mut state);
                }
                Decision::MarkPathBad => {
                    state.counters.path_failures += 1;
                    if let PathHealth::Dropped(path) = state.paths.record_failure(&guard) {
                        // Three strikes: the path is gone, its guard leaves the pool so that no
                        // new path is built on it, and its relays count a failure each.
                        retire(&mut state, &path);
                    }
                }
                Decision::DropPath => {
                    state.counters.path_failures += 1;
                    state.pool.record_failure(&guard);
                    state.paths.remove_paths_through(&guard);
                    sync_tables(&mut state);
                }
                Decision::Fail(failure) => return Err(ClientError::Failed(failure)),
                // A decision added later: retrying is what the others do.
                _ => {}
            }
        }
    }
}

/// A path that struck out: its guard leaves the pool, each relay counts a failure (see
/// [`NodePool::retire_path`]), and the other paths through a node that left go with it.
fn retire(state: &mut State, path: &OnionPath) {
    for key in state.pool.retire_path(path) {
        state.paths.remove_paths_through(&key);
    }
    sync_tables(state);
}

/// Keeps a precomputed table for each node of the current paths, and none for others.
fn sync_tables(state: &mut State) {
    let in_use: Vec<X25519PublicKey> = state
        .paths
        .paths()
        .iter()
        .flat_map(|p| p.hops().iter().map(|n| n.x25519))
        .collect();
    state.tables.retain(|key| in_use.contains(key));
    for key in &in_use {
        state.tables.insert(key);
    }
}

/// A node list in the seed's reply format (what [`parse_service_node_list`] reads back).
fn node_list_json(nodes: &[ServiceNode]) -> Vec<u8> {
    let states: Vec<serde_json::Value> = nodes
        .iter()
        .map(|n| {
            serde_json::json!({
                "public_ip": n.ip.to_string(),
                "storage_port": n.https_port,
                "storage_lmq_port": n.omq_port,
                "pubkey_ed25519": n.ed25519.to_hex(),
                "pubkey_x25519": n.x25519.to_hex(),
                "swarm_id": n.swarm_id.map(|s| s.get()),
            })
        })
        .collect();
    serde_json::json!({ "result": { "service_node_states": states } })
        .to_string()
        .into_bytes()
}

/// The seed request Session Desktop sends (NETWORK.md §1.1).
fn seed_request_body() -> Vec<u8> {
    serde_json::json!({
        "jsonrpc": "2.0",
        "method": "get_n_service_nodes",
        "params": {
            "active_only": true,
            "fields": {
                "public_ip": true,
                "storage_port": true,
                "pubkey_x25519": true,
                "pubkey_ed25519": true,
                "requested_unlock_height": true,
                "height": true,
                "swarm_id": true,
            }
        }
    })
    .to_string()
    .into_bytes()
}

/// Asks every seed at once; the first usable list wins.
async fn fetch_node_list<T: Transport>(
    transport: &Arc<T>,
    seeds: &[SeedNode],
) -> Result<NodeList, ClientError> {
    if seeds.is_empty() {
        return Err(ClientError::NoSeed("no seed configured".into()));
    }
    let mut tasks = tokio::task::JoinSet::new();
    for seed in seeds {
        let transport = Arc::clone(transport);
        let request = HttpRequest {
            url: seed.json_rpc_url(),
            body: seed_request_body(),
            content_type: Some("application/json"),
            timeout: SEED_TIMEOUT,
        };
        tasks.spawn(async move {
            let answer = transport.post(request).await?;
            if answer.status != 200 {
                return Err(TransportError::Http(format!(
                    "seed answered {}",
                    answer.status
                )));
            }
            parse_service_node_list(&answer.body)
                .map_err(|e| TransportError::Http(format!("seed list: {e}")))
        });
    }
    let mut last = String::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(Ok(list)) if !list.nodes.is_empty() => return Ok(list),
            Ok(Ok(_)) => last = "empty node list".into(),
            Ok(Err(e)) => last = e.to_string(),
            Err(e) => last = e.to_string(),
        }
    }
    Err(ClientError::NoSeed(last))
}
