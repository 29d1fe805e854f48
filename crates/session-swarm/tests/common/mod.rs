//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use session_identity::{Ed25519PublicKey, Identity, Seed, X25519PublicKey};
use session_swarm::{ServiceNode, SwarmId};

/// A node with keys derived from `index`, at `ip`, in swarm `swarm`.
pub fn node_at(index: u32, ip: [u8; 4], swarm: Option<u64>) -> ServiceNode {
    let mut key = [0u8; 32];
    key[..4].copy_from_slice(&index.to_be_bytes());
    key[31] = 0xee;
    ServiceNode {
        ed25519: Ed25519PublicKey::from_bytes(key),
        x25519: X25519PublicKey::from_bytes(key),
        ip: ip.into(),
        https_port: 22021,
        omq_port: Some(22020),
        swarm_id: swarm.map(SwarmId::new),
    }
}

/// A node in its own /24 (10.a.b.1).
pub fn node(index: u32) -> ServiceNode {
    node_at(index, [10, (index >> 8) as u8, index as u8, 1], Some(7))
}

/// A node whose Ed25519 key is a real key (to sign replies with).
pub fn signing_node(index: u8) -> (Identity, ServiceNode) {
    let identity = Identity::from_seed(Seed::from_full_bytes([index; 32]));
    let mut node = node(u32::from(index));
    node.ed25519 = identity.ed25519_public_key();
    (identity, node)
}

/// JSON of a node as `get_swarm` lists it.
pub fn swarm_entry(node: &ServiceNode) -> serde_json::Value {
    serde_json::json!({
        "address": "x.snode",
        "ip": node.ip.to_string(),
        "port": node.https_port.to_string(),
        "port_https": node.https_port,
        "port_omq": node.omq_port,
        "pubkey_ed25519": node.ed25519.to_hex(),
        "pubkey_x25519": node.x25519.to_hex(),
    })
}

/// JSON of a node as `service_node_states` lists it.
pub fn state_entry(node: &ServiceNode) -> serde_json::Value {
    serde_json::json!({
        "public_ip": node.ip.to_string(),
        "storage_port": node.https_port,
        "storage_lmq_port": node.omq_port,
        "pubkey_ed25519": node.ed25519.to_hex(),
        "pubkey_x25519": node.x25519.to_hex(),
        "swarm_id": node.swarm_id.map(SwarmId::get),
    })
}
