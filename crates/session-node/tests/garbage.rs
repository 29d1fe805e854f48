//! The garbage-reply fault of the library (`LoopbackNetwork::set_garbage`): what a garbage
//! node answers wherever it sits on a path, that it does none of its step, its admin
//! endpoints, and a `session_client` that meets one and still delivers.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{connect, http, now, onion, post, start, texts, url};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::Value;
use session_client::Client;
use session_identity::{Identity, OsRng};
use session_node::{LoopbackNetwork, NodeConfig, NodeError, MAX_GARBAGE_LEN};
use session_onion::OnionFailure;
use session_swarm::{Namespace, StorageRequest};

/// Every test is over in this time or fails.
const TEST_TIMEOUT: Duration = Duration::from_secs(60);

const INFO: &[u8] = br#"{"method":"info","params":{}}"#;

#[tokio::test]
async fn a_garbage_node_answers_200_and_unreadable_bytes_wherever_it_sits() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let net = start(4, 1).await;
        let client = http();
        let mut rng = ChaCha20Rng::seed_from_u64(11);
        let nodes = net.nodes();
        let (path, destination) = (&nodes[..3], &nodes[3]);

        // Honest: the reply opens.
        let (status, body, request) = onion(&client, path, destination, INFO, &mut rng).await;
        assert_eq!(status, 200);
        assert!(request
            .response_context()
            .read_service_node_reply(status, &body)
            .is_ok());

        // As guard, as a relay in the middle, as the last relay and as the destination: the
        // client gets a 200 from the guard that opens as nothing.
        for garbage in &nodes {
            net.set_garbage(&garbage.ed25519, true).unwrap();
            assert_eq!(net.is_garbage(&garbage.ed25519), Some(true));
            let (status, body, request) = onion(&client, path, destination, INFO, &mut rng).await;
            assert_eq!(status, 200, "garbage at {}", garbage.ip);
            assert!(body.len() <= MAX_GARBAGE_LEN);
            let read = request
                .response_context()
                .read_service_node_reply(status, &body);
            assert!(
                matches!(read, Err(OnionFailure::Unreadable(_))),
                "garbage at {}: {read:?}",
                garbage.ip
            );
            net.set_garbage(&garbage.ed25519, false).unwrap();
            assert_eq!(net.is_garbage(&garbage.ed25519), Some(false));
        }

        // Honest again: the reply opens again.
        let (status, body, request) = onion(&client, path, destination, INFO, &mut rng).await;
        assert!(request
            .response_context()
            .read_service_node_reply(status, &body)
            .is_ok());

        // A garbage destination stores nothing.
        let account = Identity::generate(&mut rng).session_id();
        let store = StorageRequest::store(
            &account,
            Namespace::DEFAULT,
            b"not stored",
            3600 * 1000,
            now(),
            None,
        )
        .unwrap()
        .to_body();
        net.set_garbage(&destination.ed25519, true).unwrap();
        let (status, _, _) = onion(&client, path, destination, &store, &mut rng).await;
        assert_eq!(status, 200);
        assert_eq!(net.with_network(|n| n.stored_count(&account)), 0);
        // And stores once honest.
        net.set_garbage(&destination.ed25519, false).unwrap();
        let (status, _, _) = onion(&client, path, destination, &store, &mut rng).await;
        assert_eq!(status, 200);
        assert_eq!(net.with_network(|n| n.stored_count(&account)), 1);

        // Direct storage RPCs get garbage too: bounded, varied, and no JSON.
        net.set_garbage(&nodes[2].ed25519, true).unwrap();
        let mut lengths = std::collections::HashSet::new();
        for _ in 0..16 {
            let (status, body) = post(
                &client,
                &url(&nodes[2], "/storage_rpc/v1"),
                r#"{"method":"info"}"#,
            )
            .await;
            assert_eq!(status, 200);
            assert!(body.len() <= MAX_GARBAGE_LEN);
            assert!(!matches!(
                serde_json::from_slice::<Value>(&body),
                Ok(Value::Object(_))
            ));
            lengths.insert(body.len());
        }
        assert!(lengths.len() > 4, "lengths are drawn: {lengths:?}");
        // Other routes are still 404s.
        let (status, _) = post(&client, &url(&nodes[2], "/ping_test/v1"), "x").await;
        assert_eq!(status, 404);

        // A killed node is silent, garbage or not.
        net.kill(&nodes[2].ed25519).unwrap();
        assert!(client
            .post(url(&nodes[2], "/storage_rpc/v1"))
            .body("x")
            .send()
            .await
            .is_err());

        // No such node.
        let stranger = Identity::generate(&mut rng).ed25519_public_key();
        assert!(matches!(
            net.set_garbage(&stranger, true),
            Err(NodeError::UnknownNode(_))
        ));
        assert_eq!(net.is_garbage(&stranger), None);
        net.shutdown().await;
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn the_seed_s_admin_endpoints_turn_garbage_on_and_off() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let net = start(4, 1).await;
        let client = http();
        let key = net.nodes()[1].ed25519;
        let admin = |path: &str| format!("{}admin/{path}", net.seed_url());
        assert_eq!(post(&client, &admin("garbage"), key.to_hex()).await.0, 200);
        assert_eq!(net.is_garbage(&key), Some(true));
        // A newline after the key is fine, as for kill.
        assert_eq!(
            post(&client, &admin("honest"), format!("{}\n", key.to_hex()))
                .await
                .0,
            200
        );
        assert_eq!(net.is_garbage(&key), Some(false));
        assert_eq!(net.is_killed(&key), Some(false));
        // Hostile bodies.
        for route in ["garbage", "honest"] {
            assert_eq!(post(&client, &admin(route), "not hex").await.0, 400);
            assert_eq!(post(&client, &admin(route), vec![0xff, 0xfe]).await.0, 400);
            assert_eq!(post(&client, &admin(route), "00".repeat(32)).await.0, 404);
        }
        assert_eq!(net.is_garbage(&key), Some(false));
        net.shutdown().await;
    })
    .await
    .unwrap();
}

/// The first garbage bodies a network of `seed` gives to direct storage RPCs at node 0.
async fn first_garbage(seed: u64) -> Vec<Vec<u8>> {
    let net = LoopbackNetwork::start(NodeConfig {
        nodes: 2,
        swarms: 1,
        listen: "127.0.0.1:0".parse().unwrap(),
        seed,
        ..NodeConfig::default()
    })
    .await
    .unwrap();
    let node = net.nodes()[0];
    net.set_garbage(&node.ed25519, true).unwrap();
    let client = http();
    let mut bodies = Vec::new();
    for _ in 0..3 {
        bodies.push(post(&client, &url(&node, "/storage_rpc/v1"), "{}").await.1);
    }
    net.shutdown().await;
    bodies
}

#[tokio::test]
async fn garbage_is_drawn_from_the_network_s_seed() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let a = first_garbage(5).await;
        assert_eq!(a, first_garbage(5).await);
        assert_ne!(a, first_garbage(6).await);
    })
    .await
    .unwrap();
}

/// An identity whose swarm does not hold `node`, for the tests of a garbage node as guard or
/// relay only.
fn outside_swarm_of(net: &LoopbackNetwork, node: &session_identity::Ed25519PublicKey) -> Identity {
    (0..64)
        .map(|_| Identity::generate(&mut OsRng))
        .find(|id| {
            net.with_network(|n| {
                let map = n.swarm_map();
                let swarm = map.swarm_for(&id.session_id()).unwrap();
                swarm.members.iter().all(|m| m.ed25519 != *node)
            })
        })
        .expect("an identity outside the node's swarm")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_strikes_out_a_garbage_guard_and_still_delivers() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let net = start(12, 3).await;
        let network = connect(net.seed_url()).await;
        let alice = Client::new(Identity::generate(&mut OsRng), Arc::clone(&network));
        // A guard, and a Bob whose swarm it is not in (so that it only garbles as guard):
        // three strikes drop its path before a request runs out of attempts.
        let garbage = network.paths()[0].guard().ed25519;
        let bob = Client::new(outside_swarm_of(&net, &garbage), Arc::clone(&network));
        net.set_garbage(&garbage, true).unwrap();

        let mut sent = Vec::new();
        while network.paths().iter().any(|p| p.contains(&garbage)) {
            assert!(sent.len() < 40, "the garbage path is still used");
            let text = format!("g{:02}", sent.len());
            alice.send_text(&bob.session_id(), &text).await.unwrap();
            sent.push(text);
        }
        let status = network.status();
        assert!(status.counters.path_failures >= 3, "{status:?}");
        assert!(
            status.pool_size < 12,
            "the garbage guard left the pool: {status:?}"
        );
        // Still delivering, through the paths that are left.
        alice.send_text(&bob.session_id(), "after").await.unwrap();
        sent.push("after".into());
        sent.sort();
        assert_eq!(texts(&bob.poll().await.unwrap()), sent);
        assert!(bob.poll().await.unwrap().is_empty());
        net.shutdown().await;
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_builds_its_paths_around_a_garbage_node_and_fails_cleanly_when_all_are() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let net = start(12, 3).await;
        let nodes = net.nodes();
        // Garbage before the client starts: the path test (an `info` through each new path)
        // throws out every path through it.
        net.set_garbage(&nodes[0].ed25519, true).unwrap();
        let network = connect(net.seed_url()).await;
        assert!(!network.paths().is_empty());
        assert!(
            network
                .paths()
                .iter()
                .all(|p| !p.contains(&nodes[0].ed25519)),
            "{:?}",
            network.paths()
        );
        let alice = Client::new(Identity::generate(&mut OsRng), Arc::clone(&network));
        let bob = Client::new(
            outside_swarm_of(&net, &nodes[0].ed25519),
            Arc::clone(&network),
        );
        // A path added later to avoid a destination is not tested, and can run through the
        // garbage node (which stays in the pool when it is not a guard): a send may then run
        // out of attempts, and the application sends again, as a new message.
        let mut acknowledged = None;
        for attempt in 0..3 {
            let text = format!("around {attempt}");
            if alice.send_text(&bob.session_id(), &text).await.is_ok() {
                acknowledged = Some(text);
                break;
            }
        }
        let acknowledged = acknowledged.expect("a send acknowledged within three tries");
        // A garbage node stores nothing: only the acknowledged send arrives (a poll that runs
        // out of attempts the same way is tried again).
        let mut got = Vec::new();
        for _ in 0..3 {
            if let Ok(received) = bob.poll().await {
                got.extend(texts(&received));
                break;
            }
        }
        assert_eq!(got, [acknowledged]);

        // Every node garbage: a send and an upload give up with an error, in bounded time.
        for node in &nodes {
            net.set_garbage(&node.ed25519, true).unwrap();
        }
        assert!(alice.send_text(&bob.session_id(), "lost").await.is_err());
        let server = net.file_server().client_config.clone();
        assert!(alice
            .upload(&server, vec![7; 1000], &Default::default())
            .await
            .is_err());
        assert!(bob.poll().await.is_err());
        // Nothing was stored by a garbage node.
        assert_eq!(net.with_network(|n| n.stored_count(&bob.session_id())), 1);
        net.shutdown().await;
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_garbage_member_of_the_recipient_s_swarm_does_not_stop_delivery() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let net = start(12, 3).await;
        let network = connect(net.seed_url()).await;
        let alice = Client::new(Identity::generate(&mut OsRng), Arc::clone(&network));
        let bob = Client::new(Identity::generate(&mut OsRng), Arc::clone(&network));
        // A member of Bob's swarm that is on none of the client's paths: it garbles only as
        // the destination.
        let on_paths: Vec<_> = network
            .paths()
            .iter()
            .flat_map(|p| p.hops().iter().map(|n| n.ed25519))
            .collect();
        let member = net.with_network(|n| {
            let map = n.swarm_map();
            let swarm = map.swarm_for(&bob.session_id()).unwrap();
            swarm
                .members
                .iter()
                .map(|m| m.ed25519)
                .find(|key| !on_paths.contains(key))
                .expect("a member off the paths")
        });
        net.set_garbage(&member, true).unwrap();

        // Each unreadable reply sends the retry to another member, so the garbage destination
        // alone cannot make a send fail. Once a path is rebuilt it may run through the garbage
        // node as a relay, which no client can tell from a garbage destination (docs/NODE.md):
        // a send that fails then is sent again, as a new message, as an application would.
        let mut sent = Vec::new();
        for i in 0..24 {
            let mut acknowledged = false;
            for attempt in 0..3 {
                let text = format!("m{i:02}.{attempt}");
                if alice.send_text(&bob.session_id(), &text).await.is_ok() {
                    sent.push(text);
                    acknowledged = true;
                    break;
                }
            }
            assert!(acknowledged, "message {i} not acknowledged in three sends");
        }
        sent.sort();
        // A failed send stored nothing (a garbage node stores nothing, and a relay that garbles
        // forwards nothing): exactly the acknowledged messages arrive, once each.
        let mut got = Vec::new();
        for _ in 0..6 {
            if let Ok(received) = bob.poll().await {
                got.extend(texts(&received));
            }
            if got.len() >= sent.len() {
                break;
            }
        }
        got.sort();
        assert_eq!(got, sent, "each acknowledged message once");
        net.shutdown().await;
    })
    .await
    .unwrap();
}
