//! A tiny network on real loopback HTTPS listeners: the seed's directory, a message stored and
//! retrieved through three real hops, and the faults and refusals a client sees.
#![allow(clippy::unwrap_used)]

mod common;

use common::{http, now, onion, post, start, url};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::Value;
use session_envelope::proto::{Content, DataMessage};
use session_envelope::{decode, encode};
use session_identity::Identity;
use session_node::{LoopbackNetwork, NodeConfig, NodeError, MAX_REQUEST_BODY};
use session_swarm::{
    parse_retrieve_reply, parse_service_node_list, parse_store_reply, Namespace, NodePool, Signer,
    StorageRequest, SwarmMap,
};

const DIRECTORY_REQUEST: &str = r#"{"jsonrpc":"2.0","method":"get_n_service_nodes","params":{"active_only":true,"fields":{"public_ip":true,"storage_port":true,"pubkey_x25519":true,"pubkey_ed25519":true}}}"#;

#[tokio::test]
async fn seed_lists_every_node_and_each_answers_on_its_address() {
    let net = start(6, 2).await;
    let client = http();
    let (status, body) = post(
        &client,
        &format!("{}json_rpc", net.seed_url()),
        DIRECTORY_REQUEST,
    )
    .await;
    assert_eq!(status, 200);
    let listed = parse_service_node_list(&body).unwrap().nodes;
    assert_eq!(listed, net.nodes());
    for (i, node) in listed.iter().enumerate() {
        assert_eq!(node.ip.octets(), [127, 0, i as u8 + 1, 1]);
        assert_eq!(node.https_port, net.seed_address().port() + 1 + i as u16);
        let (status, body) = post(
            &client,
            &url(node, "/storage_rpc/v1"),
            r#"{"method":"info","params":{}}"#,
        )
        .await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        let info: Value = serde_json::from_slice(&body).unwrap();
        assert!(info["version"].is_array());
    }
    net.shutdown().await;
}

fn hello() -> Content {
    Content {
        data_message: Some(DataMessage {
            body: Some("hi Bob, over HTTPS".into()),
            ..DataMessage::default()
        }),
        ..Content::default()
    }
}

#[tokio::test]
async fn a_message_is_stored_and_retrieved_through_three_real_hops() {
    let net = start(12, 3).await;
    let client = http();
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let (_, body) = post(
        &client,
        &format!("{}json_rpc", net.seed_url()),
        DIRECTORY_REQUEST,
    )
    .await;
    let nodes = parse_service_node_list(&body).unwrap().nodes;
    let pool = NodePool::new(&nodes);
    let paths = pool.build_paths(&mut rng).unwrap();

    let alice = Identity::generate(&mut rng);
    let bob = Identity::generate(&mut rng);
    let bob_id = bob.session_id();
    let map = SwarmMap::new(&nodes);
    let members = map.swarm_for(&bob_id).unwrap().members.to_vec();
    // A swarm member that some path avoids, and that path.
    let (destination, path) = members
        .iter()
        .find_map(|m| {
            paths
                .choose(&mut rng, Some(&m.ed25519))
                .map(|p| (*m, p.clone()))
        })
        .unwrap();
    let hops = path.hops().to_vec();
    assert_eq!(hops.len(), 3);
    assert!(hops.iter().all(|h| h.ed25519 != destination.ed25519));

    // Store.
    let content = hello();
    let data = encode(
        &content,
        &alice,
        &bob.x25519_public_key(),
        now().as_millis(),
        &mut rng,
    )
    .unwrap();
    let store = StorageRequest::store(
        &bob_id,
        Namespace::DEFAULT,
        &data,
        24 * 3600 * 1000,
        now(),
        None,
    )
    .unwrap()
    .to_body();
    let (status, body, request) = onion(&client, &hops, &destination, &store, &mut rng).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let reply = request
        .response_context()
        .read_service_node_reply(status, &body)
        .unwrap();
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let stored = parse_store_reply(&reply.body).unwrap();
    assert!(stored.successes().count() >= 1);
    assert_eq!(net.with_network(|n| n.stored_count(&bob_id)), 1);

    // Retrieve, through the same three hops.
    let retrieve =
        StorageRequest::retrieve(&Signer::user(&bob), Namespace::DEFAULT, None, now()).to_body();
    let (status, body, request) = onion(&client, &hops, &destination, &retrieve, &mut rng).await;
    let reply = request
        .response_context()
        .read_service_node_reply(status, &body)
        .unwrap();
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let retrieved = parse_retrieve_reply(&reply.body).unwrap();
    assert_eq!(retrieved.messages.len(), 1);
    let message = decode(&retrieved.messages[0].data, &bob).unwrap();
    assert_eq!(message.sender_session_id, alice.session_id());
    assert_eq!(message.content, content);
    net.shutdown().await;
}

#[tokio::test]
async fn a_killed_relay_gives_the_guards_502_and_revives() {
    let net = start(4, 1).await;
    let client = http();
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let nodes = net.nodes();
    let (path, destination) = (&nodes[..3], &nodes[3]);
    let info = br#"{"method":"info","params":{}}"#;

    let (status, _, _) = onion(&client, path, destination, info, &mut rng).await;
    assert_eq!(status, 200);

    net.kill(&nodes[1].ed25519).unwrap();
    let (status, body, _) = onion(&client, path, destination, info, &mut rng).await;
    assert_eq!(status, 502);
    assert_eq!(
        String::from_utf8(body).unwrap(),
        format!("Next node not found: {}", nodes[1].ed25519.to_hex())
    );

    // Through the seed's admin endpoint.
    let admin = |path: &str| format!("{}admin/{path}", net.seed_url());
    let (status, _) = post(&client, &admin("revive"), nodes[1].ed25519.to_hex()).await;
    assert_eq!(status, 200);
    let (status, _, _) = onion(&client, path, destination, info, &mut rng).await;
    assert_eq!(status, 200);
    let (status, _) = post(&client, &admin("kill"), nodes[2].ed25519.to_hex()).await;
    assert_eq!(status, 200);
    assert_eq!(net.is_killed(&nodes[2].ed25519), Some(true));
    let (status, body, _) = onion(&client, path, destination, info, &mut rng).await;
    assert_eq!(
        (status, String::from_utf8(body).unwrap()),
        (
            502,
            format!("Next node not found: {}", nodes[2].ed25519.to_hex())
        )
    );
    // A killed guard drops the client's connection.
    assert!(client
        .post(url(&nodes[2], "/onion_req/v2"))
        .body("x")
        .send()
        .await
        .is_err());

    // Hostile admin bodies.
    assert_eq!(post(&client, &admin("kill"), "not hex").await.0, 400);
    assert_eq!(post(&client, &admin("kill"), "00".repeat(32)).await.0, 404);
    assert_eq!(post(&client, &admin("fail_rate"), "2").await.0, 400);
    assert_eq!(post(&client, &admin("fail_rate"), "NaN").await.0, 400);
    net.shutdown().await;
}

#[tokio::test]
async fn a_guard_fails_at_the_fail_rate_and_a_skewed_node_refuses_timestamps() {
    let net = start(4, 1).await;
    let client = http();
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let nodes = net.nodes();
    let (path, destination) = (&nodes[..3], &nodes[3]);
    let info = br#"{"method":"info","params":{}}"#;

    let (status, _) = post(&client, &format!("{}admin/fail_rate", net.seed_url()), "1").await;
    assert_eq!(status, 200);
    let (status, body, _) = onion(&client, path, destination, info, &mut rng).await;
    assert_eq!(
        (status, String::from_utf8(body).unwrap()),
        (
            503,
            format!("Snode not ready: {}", nodes[0].ed25519.to_hex())
        )
    );
    net.set_fail_rate(0.0).unwrap();
    assert!(matches!(
        net.set_fail_rate(-1.0),
        Err(NodeError::FailRate(_))
    ));

    // The destination's clock runs 10 minutes ahead: a store signed now is refused with 406.
    net.set_clock_skew(&destination.ed25519, 600_000).unwrap();
    let bob = Identity::generate(&mut rng);
    let store = StorageRequest::store(
        &bob.session_id(),
        Namespace::DEFAULT,
        b"x",
        24 * 3600 * 1000,
        now(),
        None,
    )
    .unwrap()
    .to_body();
    let (status, body, request) = onion(&client, path, destination, &store, &mut rng).await;
    let reply = request
        .response_context()
        .read_service_node_reply(status, &body)
        .unwrap();
    assert_eq!(reply.status, 406);
    net.shutdown().await;
}

#[tokio::test]
async fn unknown_routes_bad_bodies_and_huge_bodies_are_refused() {
    let net = start(4, 1).await;
    let client = http();
    let node = net.nodes()[0];
    let seed = net.seed_url();

    let (status, body) = post(&client, &url(&node, "/nope?x=1"), "").await;
    assert_eq!(
        (status, String::from_utf8(body).unwrap()),
        (404, "POST /nope?x=1 Not Found".to_owned())
    );
    let response = client
        .get(url(&node, "/onion_req/v2"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
    assert_eq!(
        response.text().await.unwrap(),
        "GET /onion_req/v2 Not Found"
    );
    let (status, body) = post(&client, &format!("{seed}elsewhere"), "").await;
    assert_eq!(
        (status, String::from_utf8(body).unwrap()),
        (404, "POST /elsewhere Not Found".to_owned())
    );

    // Garbage where an onion layer or JSON belongs.
    let (status, body) = post(&client, &url(&node, "/onion_req/v2"), "garbage").await;
    assert_eq!(status, 400, "{}", String::from_utf8_lossy(&body));
    let (status, _) = post(&client, &url(&node, "/storage_rpc/v1"), "{not json").await;
    assert_eq!(status, 400);
    let (status, body) = post(&client, &format!("{seed}json_rpc"), "{not json").await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap()["error"]["code"],
        -32700
    );
    let (status, body) = post(&client, &format!("{seed}json_rpc"), r#"{"method":"nope"}"#).await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap()["error"]["code"],
        -32601
    );

    // Over 10 MiB: 413 as soon as the headers say so (or, should the client still be
    // writing when the node closes, a broken connection).
    for path in ["/onion_req/v2", "/storage_rpc/v1"] {
        let sent = client
            .post(url(&node, path))
            .body(vec![0u8; MAX_REQUEST_BODY + 1])
            .send()
            .await;
        if let Ok(response) = sent {
            assert_eq!(response.status().as_u16(), 413);
            assert_eq!(response.text().await.unwrap(), "Request body too large");
        }
    }
    // Exactly 10 MiB is read (and then refused as a bad layer).
    let (status, _) = post(
        &client,
        &url(&node, "/onion_req/v2"),
        vec![0u8; MAX_REQUEST_BODY],
    )
    .await;
    assert_eq!(status, 400);
    net.shutdown().await;
}

#[tokio::test]
async fn configs_the_network_cannot_serve_are_refused() {
    let refused = |nodes, swarms, listen: &str| {
        LoopbackNetwork::start(NodeConfig {
            nodes,
            swarms,
            listen: listen.parse().unwrap(),
            ..NodeConfig::default()
        })
    };
    assert!(matches!(
        refused(4, 1, "0.0.0.0:0").await,
        Err(NodeError::NotLoopback(_))
    ));
    assert!(matches!(
        refused(5, 2, "127.0.0.1:0").await,
        Err(NodeError::Layout { .. })
    ));
    assert!(matches!(
        refused(0, 1, "127.0.0.1:0").await,
        Err(NodeError::Layout { .. })
    ));
    assert!(matches!(
        refused(255, 1, "127.0.0.1:0").await,
        Err(NodeError::Layout { .. })
    ));
    assert!(matches!(
        refused(4, 1, "127.0.0.1:65533").await,
        Err(NodeError::PortRange { .. })
    ));
}

#[tokio::test]
async fn the_exit_node_serves_the_file_server_over_three_real_hops() {
    let net = start(4, 1).await;
    let client = http();
    let mut rng = ChaCha20Rng::seed_from_u64(10);
    let nodes = net.nodes();
    let server = net.file_server().client_config.clone();
    assert_eq!(
        session_onion::Destination::Server(net.file_server().destination.clone()),
        server.destination()
    );
    let send = |request: session_onion::V4Request, rng: &mut ChaCha20Rng| {
        let onion = server
            .onion_request_builder(session_onion::EncType::XChaCha20)
            .path(
                nodes[..3]
                    .iter()
                    .map(|n| session_onion::Hop::new(n.ed25519, n.x25519)),
            )
            .build(&request.encode(), rng)
            .unwrap();
        let client = client.clone();
        let guard = url(&nodes[0], "/onion_req/v2");
        async move {
            let (status, body) = post(&client, &guard, onion.body().to_vec()).await;
            onion
                .response_context()
                .read_server_reply(status, &body)
                .unwrap()
        }
    };
    let data = b"an encrypted attachment, NUL \0 and all".to_vec();
    let reply = send(
        server.upload(data.clone(), &Default::default()).unwrap(),
        &mut rng,
    )
    .await;
    let uploaded = session_fileserver::parse_upload_reply(&reply).unwrap();
    let reply = send(server.download(&uploaded.id), &mut rng).await;
    assert_eq!(
        session_fileserver::parse_download_reply(&reply, usize::MAX).unwrap(),
        &data[..]
    );
    net.shutdown().await;
}

#[tokio::test]
async fn shutdown_is_bounded_with_connections_open() {
    let net = start(4, 1).await;
    let client = http();
    let nodes = net.nodes();
    // Keep-alive connections to every node and the seed stay open in the client's pool.
    for node in &nodes {
        assert_eq!(
            post(
                &client,
                &url(node, "/storage_rpc/v1"),
                r#"{"method":"info"}"#
            )
            .await
            .0,
            200
        );
    }
    let seed = net.seed_url();
    assert_eq!(
        post(
            &client,
            &format!("{seed}json_rpc"),
            r#"{"method":"get_n_service_nodes"}"#
        )
        .await
        .0,
        200
    );
    let started = std::time::Instant::now();
    net.shutdown().await;
    assert!(
        started.elapsed() < std::time::Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    // Nothing answers any more.
    assert!(client
        .post(format!("{seed}json_rpc"))
        .body("{}")
        .send()
        .await
        .is_err());
    assert!(client
        .post(url(&nodes[0], "/storage_rpc/v1"))
        .body("{}")
        .send()
        .await
        .is_err());
}

#[tokio::test]
async fn a_chunked_body_over_10_mib_is_cut_off_with_413() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let net = start(4, 1).await;
    let mut tcp = tokio::net::TcpStream::connect(net.seed_address())
        .await
        .unwrap();
    let head = "POST /json_rpc HTTP/1.1\r\nhost: seed\r\ntransfer-encoding: chunked\r\n\r\n";
    tcp.write_all(head.as_bytes()).await.unwrap();
    // 11 chunks of 1 MiB, with no length announced: the seed stops reading past 10 MiB.
    let chunk = vec![b'x'; 1024 * 1024];
    for _ in 0..11 {
        let sent = async {
            tcp.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await?;
            tcp.write_all(&chunk).await?;
            tcp.write_all(b"\r\n").await
        };
        if sent.await.is_err() {
            break;
        }
    }
    let _ = tcp.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        tcp.read_to_end(&mut answer),
    )
    .await;
    assert!(read.is_ok(), "the seed kept the connection open");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.ends_with("Request body too large"), "{answer}");
    net.shutdown().await;
}

#[tokio::test]
async fn a_fail_rate_of_one_half_fails_about_half_the_guard_requests() {
    let net = LoopbackNetwork::start(NodeConfig {
        nodes: 4,
        swarms: 1,
        listen: "127.0.0.1:0".parse().unwrap(),
        fail_rate: 0.5,
        seed: 3,
    })
    .await
    .unwrap();
    let client = http();
    let guard = net.nodes()[0];
    let mut failed = 0;
    for _ in 0..40 {
        // Not an onion layer: 400 unless the guard fails it first.
        let (status, body) = post(&client, &url(&guard, "/onion_req/v2"), "garbage").await;
        match status {
            503 => {
                assert_eq!(
                    body,
                    format!("Snode not ready: {}", guard.ed25519.to_hex()).into_bytes()
                );
                failed += 1;
            }
            status => assert_eq!(status, 400),
        }
    }
    assert!((8..=32).contains(&failed), "{failed} of 40 failed");
    net.shutdown().await;
}
