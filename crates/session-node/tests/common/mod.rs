//! What the tests share: a tiny network on free ports, an HTTP client that accepts the nodes'
//! self-signed certificates, one onion request sent the way a client sends it, and a
//! session-client network bootstrapped from a seed.
#![allow(dead_code, clippy::unwrap_used)]

use std::time::Duration;

use rand_chacha::ChaCha20Rng;
use session_node::{accept_any_certificate, LoopbackNetwork, NodeConfig};
use session_onion::{Destination, EncType, Hop, OnionRequestBuilder};
use session_swarm::{ServiceNode, Timestamp};

/// A network of `nodes` nodes in `swarms` swarms on free ports.
pub async fn start(nodes: usize, swarms: usize) -> LoopbackNetwork {
    LoopbackNetwork::start(NodeConfig {
        nodes,
        swarms,
        listen: "127.0.0.1:0".parse().unwrap(),
        ..NodeConfig::default()
    })
    .await
    .unwrap()
}

/// A client for the nodes (any certificate) and the seed, with a 10 s timeout.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .use_preconfigured_tls(accept_any_certificate().unwrap())
        .timeout(Duration::from_secs(10))
        .no_proxy()
        .build()
        .unwrap()
}

/// POSTs `body` to `url`; the status and body.
pub async fn post(
    client: &reqwest::Client,
    url: &str,
    body: impl Into<reqwest::Body>,
) -> (u16, Vec<u8>) {
    let response = client.post(url).body(body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.bytes().await.unwrap().to_vec())
}

/// A node's base URL.
pub fn url(node: &ServiceNode, path: &str) -> String {
    format!("https://{}:{}{path}", node.ip, node.https_port)
}

/// The real clock as the storage RPCs count it.
pub fn now() -> Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    Timestamp::from_millis(u64::try_from(ms).unwrap())
}

/// Sends storage request `body` to `destination` through `path` (guard first) as an onion
/// request; the guard's HTTP status and body, and the context that reads the reply.
pub async fn onion(
    client: &reqwest::Client,
    path: &[ServiceNode],
    destination: &ServiceNode,
    body: &[u8],
    rng: &mut ChaCha20Rng,
) -> (u16, Vec<u8>, session_onion::OnionRequest) {
    let request = OnionRequestBuilder::new(
        Destination::ServiceNode(Hop::new(destination.ed25519, destination.x25519)),
        EncType::XChaCha20,
    )
    .path(path.iter().map(|n| Hop::new(n.ed25519, n.x25519)))
    .build(body, rng)
    .unwrap();
    let (status, reply) = post(
        client,
        &url(&path[0], "/onion_req/v2"),
        request.body().to_vec(),
    )
    .await;
    (status, reply, request)
}

/// A session-client network bootstrapped from the seed at `seed_url` (paths built and tested).
pub async fn connect(
    seed_url: String,
) -> std::sync::Arc<session_client::Network<session_client::HttpsTransport>> {
    let cfg = session_client::NetworkConfig::local(seed_url);
    let transport = session_client::HttpsTransport::new(&cfg.seeds).unwrap();
    std::sync::Arc::new(
        session_client::Network::bootstrap(transport, cfg)
            .await
            .unwrap(),
    )
}

/// The texts of `received`, sorted.
pub fn texts(received: &[session_client::Received]) -> Vec<String> {
    let mut t: Vec<String> = received
        .iter()
        .filter_map(|m| m.text().map(str::to_owned))
        .collect();
    t.sort();
    t
}
