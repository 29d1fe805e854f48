//! The node-list parsers (seed/oxend `service_node_states`, `get_swarm`) on arbitrary bytes:
//! never panic, and whatever parses builds a swarm map that answers lookups.
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_swarm::{parse_service_node_list, parse_swarm_reply, SwarmMap};

fuzz_target!(|data: &[u8]| {
    if let Ok(list) = parse_service_node_list(data) {
        let map = SwarmMap::new(&list.nodes);
        let swarm = map.swarm_for_position(u64::from_le_bytes([0x5a; 8]));
        assert_eq!(swarm.is_some(), !map.is_empty());
        assert!(list.nodes.iter().all(|n| !n.ip.is_unspecified()));
    }
    if let Ok(reply) = parse_swarm_reply(data) {
        assert!(reply.members.nodes.iter().all(|n| n.swarm_id == Some(reply.swarm_id)));
    }
});
