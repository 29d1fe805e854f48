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
    /// Members of every swarm, grouped by swarm, in node-list order within a swarm.
    nodes: Vec<ServiceNode>,
}

/// One swarm of a [`SwarmMap`]: its ID and members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Swarm<'a> {
    /// The swarm's ID.
    pub id: SwarmId,
    /// Its members, in the order of the node list the map was built from.
    pub members: &'a [ServiceNode],
}

impl SwarmMap {
    /// Groups `nodes` by swarm. A node listed twice (same Ed25519 key) is kept once.
    pub fn new(nodes: &[ServiceNode]) -> Self {
        // Sort packed `swarm ‖ index` words rather than whole nodes: one integer sort groups
        // the swarms and keeps list order within each.
        let mut order: Vec<u128> = nodes
            .iter()
            .enumerate()
            .filter_map(|(index, node)| {
                let swarm = node.swarm_id.filter(|id| id.is_valid())?;
                Some((u128::from(swarm.get()) << 64) | index as u128)
            })
            .collect();
        order.sort_unstable();
        let mut members: Vec<ServiceNode> = Vec::with_capacity(order.len());
        let mut ids = Vec::new();
        let mut starts: Vec<usize> = Vec::new();
        for &packed in &order {
            let swarm = (packed >> 64) as u64;
            let Some(node) = nodes.get(packed as u64 as usize) else {
                continue;
            };
            if ids.last() != Some(&swarm) {
                ids.push(swarm);
                starts.push(members.len());
            } else {
                // A node listed twice in the same swarm is kept once (swarms are small).
                let current = starts.last().copied().unwrap_or(0);
                let swarm_so_far = members.get(current..).unwrap_or_default();
                if swarm_so_far.iter().any(|m| m.ed25519 == node.ed25519) {
                    continue;
                }
            }
            members.push(*node);
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
