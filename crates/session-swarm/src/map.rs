//! [`SwarmMap`]: the swarms of a node list, answering "which swarm holds this ID" in O(log n).

use session_identity::SessionId;

use crate::node::ServiceNode;
use crate::space::{nearest_swarm_index, swarm_space_of, SwarmId};

/// The swarms of a node list, sorted by ID, each with its members.
///
/// Nodes without a swarm ID, or with [`SwarmId::INVALID`] (decommissioned nodes), belong to no
/// swarm and are left out, as the storage servers leave them out. Lookups allocate nothing.
#[derive(Debug, Clone, Default)]
pub struct SwarmMap {
    /// Sorted, unique swarm IDs.
    ids: Vec<u64>,
    /// For swarm `i`, its members are `nodes[starts[i]..starts[i + 1]]` (`starts` has one more
    /// entry than `ids`).
    starts: Vec<usize>,
    /// Members of every swarm, grouped by swarm and ordered by Ed25519 key within a swarm.
    nodes: Vec<ServiceNode>,
}

/// One swarm of a [`SwarmMap`]: its ID and members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Swarm<'a> {
    /// The swarm's ID.
    pub id: SwarmId,
    /// Its members, ordered by Ed25519 key.
    pub members: &'a [ServiceNode],
}

impl SwarmMap {
    /// Groups `nodes` by swarm. A node listed twice (same Ed25519 key) is kept once.
    pub fn new(nodes: &[ServiceNode]) -> Self {
        let mut members: Vec<ServiceNode> = nodes
            .iter()
            .filter(|n| n.swarm_id.is_some_and(SwarmId::is_valid))
            .copied()
            .collect();
        members.sort_unstable_by(|a, b| {
            (a.swarm_id, a.ed25519.as_bytes()).cmp(&(b.swarm_id, b.ed25519.as_bytes()))
        });
        members.dedup_by(|a, b| a.ed25519 == b.ed25519 && a.swarm_id == b.swarm_id);
        let mut ids = Vec::new();
        let mut starts = Vec::new();
        let mut previous = None;
        for (index, node) in members.iter().enumerate() {
            let id = node.swarm_id.map_or(u64::MAX, SwarmId::get);
            if previous != Some(id) {
                ids.push(id);
                starts.push(index);
                previous = Some(id);
            }
        }
        starts.push(members.len());
        Self {
            ids,
            starts,
            nodes: members,
        }
    }

    /// How many swarms there are.
    pub fn swarm_count(&self) -> usize {
        self.ids.len()
    }

    /// Whether the map has no swarm.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// How many nodes belong to a swarm.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    fn swarm_at(&self, index: usize) -> Option<Swarm<'_>> {
        let id = *self.ids.get(index)?;
        let start = *self.starts.get(index)?;
        let end = *self.starts.get(index + 1)?;
        Some(Swarm {
            id: SwarmId::new(id),
            members: self.nodes.get(start..end)?,
        })
    }

    /// The swarm nearest to a swarm-space position (see [`crate::nearest_swarm_index`]).
    pub fn swarm_for_position(&self, position: u64) -> Option<Swarm<'_>> {
        self.swarm_at(nearest_swarm_index(position, &self.ids)?)
    }

    /// The swarm that stores the messages of `id` (a `05` account or a `03` group).
    pub fn swarm_for(&self, id: &SessionId) -> Option<Swarm<'_>> {
        self.swarm_for_position(swarm_space_of(id))
    }

    /// The swarm with ID `id`, if the map has it.
    pub fn swarm(&self, id: SwarmId) -> Option<Swarm<'_>> {
        self.swarm_at(self.ids.binary_search(&id.get()).ok()?)
    }

    /// Every swarm, by ascending ID.
    pub fn swarms(&self) -> impl Iterator<Item = Swarm<'_>> + '_ {
        (0..self.ids.len()).filter_map(|i| self.swarm_at(i))
    }
}
