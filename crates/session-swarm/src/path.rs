//! The node pool and onion paths: guard nodes, 3-hop paths with one node per /24, failure
//! counts. Randomness comes from the caller's RNG, so selection is reproducible.

use rand_core::CryptoRng;
use session_identity::Ed25519PublicKey;

use crate::node::ServiceNode;

/// Nodes in a path (guard first).
pub const PATH_LENGTH: usize = 3;
/// How many guard nodes (and so paths) a client keeps.
pub const GUARD_COUNT: usize = 2;
/// Failures after which a node is dropped from the pool.
pub const NODE_FAILURE_LIMIT: u8 = 3;
/// Failures after which a path is dropped (and its guard with it).
pub const PATH_FAILURE_LIMIT: u8 = 3;

/// A uniformly random index below `bound` (> 0), by rejection sampling on 64-bit draws.
pub(crate) fn random_index(rng: &mut impl CryptoRng, bound: usize) -> usize {
    let bound = bound as u64;
    // Largest multiple of `bound` that fits, to avoid modulo bias.
    let zone = u64::MAX - (u64::MAX % bound);
    loop {
        let draw = rng.next_u64();
        if draw < zone {
            // `draw % bound < bound`, which came from a usize.
            return (draw % bound) as usize;
        }
    }
}

/// Why paths or guards could not be chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    /// Not enough usable nodes in distinct /24 subnets.
    #[error("not enough usable nodes in distinct /24 subnets: needed {needed}, found {found}")]
    NotEnoughNodes {
        /// Nodes needed.
        needed: usize,
        /// Suitable nodes available.
        found: usize,
    },
    /// The guard is not in the pool (or was dropped).
    #[error("the guard node is not a usable pool node")]
    UnknownGuard,
}

/// What a reported failure did to a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NodeHealth {
    /// Still in the pool, with this many failures.
    Failing(u8),
    /// Reached the limit: dropped from the pool.
    Dropped,
    /// Not in the pool.
    Unknown,
}

/// The known service nodes and their failure counts.
#[derive(Debug, Clone, Default)]
pub struct NodePool {
    nodes: Vec<(ServiceNode, u8)>,
}

impl NodePool {
    /// A pool of `nodes` (a node listed twice is kept once), none failing.
    pub fn new(nodes: &[ServiceNode]) -> Self {
        let mut pool = Self::default();
        for node in nodes {
            if !pool.nodes.iter().any(|(n, _)| n.ed25519 == node.ed25519) {
                pool.nodes.push((*node, 0));
            }
        }
        pool
    }

    /// The usable nodes (failures below the limit; dropped ones are removed).
    pub fn nodes(&self) -> impl Iterator<Item = &ServiceNode> {
        self.nodes.iter().map(|(n, _)| n)
    }

    /// How many usable nodes there are (see [`crate::pool_action`]).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether no node is usable.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The node with key `key`, if usable.
    pub fn get(&self, key: &Ed25519PublicKey) -> Option<&ServiceNode> {
        self.nodes
            .iter()
            .find(|(n, _)| n.ed25519 == *key)
            .map(|(n, _)| n)
    }

    /// Counts a failure of `key`; at [`NODE_FAILURE_LIMIT`] the node is dropped.
    pub fn record_failure(&mut self, key: &Ed25519PublicKey) -> NodeHealth {
        let Some(index) = self.nodes.iter().position(|(n, _)| n.ed25519 == *key) else {
            return NodeHealth::Unknown;
        };
        let count = self.nodes[index].1.saturating_add(1);
        if count >= NODE_FAILURE_LIMIT {
            self.nodes.remove(index);
            NodeHealth::Dropped
        } else {
            self.nodes[index].1 = count;
            NodeHealth::Failing(count)
        }
    }

    /// What happens to the nodes of a path that struck out ([`PathHealth::Dropped`]), as
    /// libsession does it: the guard leaves the pool, and every other hop counts one failure
    /// (leaving at [`NODE_FAILURE_LIMIT`]). A client cannot tell which hop garbled a reply, so
    /// the relays share the blame; a relay that breaks every path it is on leaves after three,
    /// while an honest relay that shared one bad path keeps its place. Returns the keys that
    /// left the pool, guard first: remove the other paths through them
    /// ([`PathSet::remove_paths_through`]).
    pub fn retire_path(&mut self, path: &OnionPath) -> Vec<Ed25519PublicKey> {
        let mut gone = Vec::new();
        let guard = path.guard().ed25519;
        if self.drop_node(&guard) {
            gone.push(guard);
        }
        for relay in &path.hops[1..] {
            if self.record_failure(&relay.ed25519) == NodeHealth::Dropped {
                gone.push(relay.ed25519);
            }
        }
        gone
    }

    /// Removes `key` from the pool at once (e.g. "next node not found").
    pub fn drop_node(&mut self, key: &Ed25519PublicKey) -> bool {
        let before = self.nodes.len();
        self.nodes.retain(|(n, _)| n.ed25519 != *key);
        self.nodes.len() != before
    }

    /// Usable nodes not in `exclude` and whose /24 is not in `subnets`.
    fn candidates(&self, exclude: &[Ed25519PublicKey], subnets: &[[u8; 3]]) -> Vec<&ServiceNode> {
        self.nodes
            .iter()
            .map(|(n, _)| n)
            .filter(|n| !exclude.contains(&n.ed25519) && !subnets.contains(&n.subnet24()))
            .collect()
    }

    /// Picks `count` guard candidates at random, in distinct /24 subnets, avoiding `exclude`.
    /// A client tests each (a direct `get_swarm`) before building a path on it.
    pub fn choose_guards(
        &self,
        rng: &mut impl CryptoRng,
        count: usize,
        exclude: &[Ed25519PublicKey],
    ) -> Result<Vec<ServiceNode>, PathError> {
        let mut chosen: Vec<ServiceNode> = Vec::with_capacity(count);
        let mut subnets = Vec::with_capacity(count);
        for _ in 0..count {
            let candidates = self.candidates(exclude, &subnets);
            let candidates: Vec<_> = candidates
                .into_iter()
                .filter(|n| !chosen.iter().any(|c| c.ed25519 == n.ed25519))
                .collect();
            if candidates.is_empty() {
                return Err(PathError::NotEnoughNodes {
                    needed: count,
                    found: chosen.len(),
                });
            }
            let node = *candidates[random_index(rng, candidates.len())];
            subnets.push(node.subnet24());
            chosen.push(node);
        }
        Ok(chosen)
    }

    /// A path starting at `guard`: two more nodes picked at random from the pool, never in
    /// `exclude` (nodes of other paths, the destination), never twice, never in a /24 already
    /// on the path.
    pub fn build_path(
        &self,
        rng: &mut impl CryptoRng,
        guard: &ServiceNode,
        exclude: &[Ed25519PublicKey],
    ) -> Result<OnionPath, PathError> {
        if self.get(&guard.ed25519).is_none() {
            return Err(PathError::UnknownGuard);
        }
        let mut hops = [*guard; PATH_LENGTH];
        let mut used: Vec<Ed25519PublicKey> = exclude.to_vec();
        used.push(guard.ed25519);
        let mut subnets = vec![guard.subnet24()];
        for (filled, hop) in hops.iter_mut().enumerate().skip(1) {
            let candidates = self.candidates(&used, &subnets);
            if candidates.is_empty() {
                return Err(PathError::NotEnoughNodes {
                    needed: PATH_LENGTH,
                    found: filled,
                });
            }
            let node = *candidates[random_index(rng, candidates.len())];
            used.push(node.ed25519);
            subnets.push(node.subnet24());
            *hop = node;
        }
        Ok(OnionPath { hops, failures: 0 })
    }

    /// [`GUARD_COUNT`] node-disjoint paths on fresh guards (for a client that has already
    /// tested nothing; a real client tests the guards from [`NodePool::choose_guards`] first
    /// and calls [`NodePool::build_path`] on the good ones).
    pub fn build_paths(&self, rng: &mut impl CryptoRng) -> Result<PathSet, PathError> {
        let guards = self.choose_guards(rng, GUARD_COUNT, &[])?;
        let mut used: Vec<Ed25519PublicKey> = guards.iter().map(|g| g.ed25519).collect();
        let mut paths = Vec::with_capacity(guards.len());
        for guard in &guards {
            let path = self.build_path(rng, guard, &used)?;
            used.extend(path.hops.iter().map(|n| n.ed25519));
            paths.push(path);
        }
        Ok(PathSet { paths })
    }
}

/// A 3-hop onion path, guard first, with its failure count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnionPath {
    hops: [ServiceNode; PATH_LENGTH],
    failures: u8,
}

impl OnionPath {
    /// The hops, guard first.
    pub fn hops(&self) -> &[ServiceNode; PATH_LENGTH] {
        &self.hops
    }

    /// The guard (first hop).
    pub fn guard(&self) -> &ServiceNode {
        &self.hops[0]
    }

    /// Whether `key` is one of the hops.
    pub fn contains(&self, key: &Ed25519PublicKey) -> bool {
        self.hops.iter().any(|n| n.ed25519 == *key)
    }

    /// Failures counted so far.
    pub fn failures(&self) -> u8 {
        self.failures
    }
}

/// What a reported failure did to a path.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PathHealth {
    /// Kept, with this many failures.
    Failing(u8),
    /// Reached [`PATH_FAILURE_LIMIT`]: removed. Its guard should leave the pool too and its
    /// relays count a failure ([`NodePool::retire_path`]), and a new path be built.
    Dropped(Box<OnionPath>),
    /// No path has that guard.
    Unknown,
}

/// The client's current paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathSet {
    paths: Vec<OnionPath>,
}

impl PathSet {
    /// The paths.
    pub fn paths(&self) -> &[OnionPath] {
        &self.paths
    }

    /// Adds a path.
    pub fn push(&mut self, path: OnionPath) {
        self.paths.push(path);
    }

    /// A random path with no hop equal to `destination` (a path must not end where the request
    /// goes). `None` when none qualifies.
    pub fn choose(
        &self,
        rng: &mut impl CryptoRng,
        destination: Option<&Ed25519PublicKey>,
    ) -> Option<&OnionPath> {
        let usable: Vec<&OnionPath> = self
            .paths
            .iter()
            .filter(|p| destination.is_none_or(|d| !p.contains(d)))
            .collect();
        if usable.is_empty() {
            return None;
        }
        Some(usable[random_index(rng, usable.len())])
    }

    /// Counts a failure of the path whose guard is `guard`; at [`PATH_FAILURE_LIMIT`] the path
    /// is removed and returned.
    pub fn record_failure(&mut self, guard: &Ed25519PublicKey) -> PathHealth {
        let Some(index) = self.paths.iter().position(|p| p.guard().ed25519 == *guard) else {
            return PathHealth::Unknown;
        };
        let count = self.paths[index].failures.saturating_add(1);
        if count >= PATH_FAILURE_LIMIT {
            PathHealth::Dropped(Box::new(self.paths.remove(index)))
        } else {
            self.paths[index].failures = count;
            PathHealth::Failing(count)
        }
    }

    /// Removes every path through `key` and returns them (when a node is dropped).
    pub fn remove_paths_through(&mut self, key: &Ed25519PublicKey) -> Vec<OnionPath> {
        let (gone, kept) = core::mem::take(&mut self.paths)
            .into_iter()
            .partition(|p| p.contains(key));
        self.paths = kept;
        gone
    }
}
