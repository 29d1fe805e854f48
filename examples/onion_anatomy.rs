//! The anatomy of one onion request: its layers, their sizes, and what each hop learns.
//!
//! A client wraps a storage request for a swarm member in one encrypted layer per node of a
//! 3-hop path. Each node peels exactly one layer: it learns the previous hop and the next hop,
//! never both the client and the destination. Seeded randomness: the output is reproducible.
//!
//! ```text
//! cargo run --release --example onion_anatomy
//! ```

use std::error::Error;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use session_identity::{Ed25519PublicKey, X25519SecretKey};
use session_onion::{Destination, EncType, Hop, NodeKeys, OnionRequestBuilder, Routing};

fn short(key: &Ed25519PublicKey) -> String {
    key.to_hex()[..8].to_owned()
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let names = ["guard", "middle", "last", "destination"];
    let nodes: Vec<(Hop, NodeKeys)> = (0..4u8)
        .map(|i| {
            let keys = NodeKeys::new(X25519SecretKey::generate(&mut rng));
            let ed = Ed25519PublicKey::from_bytes([i + 1; 32]);
            (Hop::new(ed, *keys.public_key()), keys)
        })
        .collect();
    let request = br#"{"method":"retrieve","params":{"pubkey":"05...","namespace":0}}"#;
    let onion = OnionRequestBuilder::new(Destination::ServiceNode(nodes[3].0), EncType::XChaCha20)
        .path(nodes[..3].iter().map(|(hop, _)| *hop))
        .build(request, &mut rng)?;

    println!("The request: {} bytes of storage RPC JSON", request.len());
    println!(
        "The client sends {} bytes to the guard (4 layers, one fresh X25519 key each)\n",
        onion.body().len()
    );
    let mut body = onion.body().to_vec();
    let mut from = "the client (its IP address only)".to_owned();
    for (i, (hop, keys)) in nodes.iter().enumerate() {
        let layer = keys.peel(&body)?;
        println!(
            "{} {}: receives {} bytes",
            names[i],
            short(&hop.ed25519),
            body.len()
        );
        println!("  from:   {from}");
        println!("  routing JSON: {}", layer.routing_json());
        match layer.routing() {
            Routing::NextHop(next) => {
                let next_body = layer
                    .next_hop_body()
                    .ok_or("a relay layer has a next body")?;
                println!(
                    "  learns:  only the next node {}; the {} inner bytes are opaque to it",
                    short(&next.ed25519),
                    layer.inner().len()
                );
                println!(
                    "  peeling cost it {} bytes of overhead\n",
                    body.len() - next_body.len()
                );
                from = format!("node {}", short(&hop.ed25519));
                body = next_body;
            }
            Routing::ServiceNode(_) => {
                println!(
                    "  learns:  the request itself ({} bytes), not who sent it",
                    layer.inner().len()
                );
                let reply = layer.seal_service_node_reply(200, r#"{"messages":[]}"#, &mut rng);
                println!(
                    "  answers: {} bytes, encrypted once to the client's key for this layer;\n           relays pass it back untouched",
                    reply.len()
                );
                let response = onion
                    .response_context()
                    .decode_service_node_response(&reply)?;
                println!(
                    "\nThe client decrypts the reply: status {}, body {:?}",
                    response.status,
                    String::from_utf8_lossy(&response.body)
                );
            }
            _ => {}
        }
    }
    Ok(())
}
