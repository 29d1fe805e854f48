//! End-to-end tests of the in-memory network: delivery, faults, expiry, authorisation.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::time::Duration;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use session_envelope::proto::{Content, DataMessage};
use session_envelope::Expiry;
use session_fileserver::{FileId, FileServerError, UploadOptions};
use session_identity::{Identity, SessionId};
use session_onion::{Destination, EncType, Hop, OnionRequestBuilder};
use session_swarm::{MessageHash, Namespace, ServiceNode, Signer, StorageRequest, Timestamp};
use session_testnet::{Client, ClientError, Network, NetworkConfig};

fn text(body: &str) -> Content {
    Content {
        data_message: Some(DataMessage {
            body: Some(body.into()),
            ..DataMessage::default()
        }),
        ..Content::default()
    }
}

fn body_of(content: &Content) -> String {
    content
        .data_message
        .as_ref()
        .and_then(|m| m.body.clone())
        .unwrap_or_default()
}

fn setup(users: usize, seed: u64) -> (Network, Vec<Client>) {
    let net = Network::new(NetworkConfig {
        swarms: 6,
        nodes_per_swarm: 5,
        seed,
    });
    let mut rng = ChaCha20Rng::seed_from_u64(seed + 100);
    let clients = (0..users)
        .map(|i| Client::new(Identity::generate(&mut rng), &net, seed * 1000 + i as u64).unwrap())
        .collect();
    (net, clients)
}

fn swarm_of(net: &Network, id: &SessionId) -> Vec<ServiceNode> {
    net.swarm_map().swarm_for(id).unwrap().members.to_vec()
}

/// Sends `count` numbered messages from `from` to `to` and checks `to` reads each exactly once.
fn send_and_check(net: &mut Network, clients: &mut [Client], from: usize, to: usize, count: usize) {
    let target = clients[to].session_id();
    for i in 0..count {
        clients[from]
            .send(net, &target, &text(&format!("m{i}")))
            .unwrap();
    }
    let got: Vec<String> = clients[to]
        .poll(net)
        .unwrap()
        .iter()
        .map(|r| body_of(&r.message.content))
        .collect();
    let expected: Vec<String> = (0..count).map(|i| format!("m{i}")).collect();
    assert_eq!(got, expected, "lost, duplicated or reordered messages");
}

#[test]
fn many_messages_among_many_users() {
    let (mut net, mut clients) = setup(8, 1);
    let ids: Vec<SessionId> = clients.iter().map(Client::session_id).collect();
    let mut expected: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for round in 0..4 {
        for from in 0..clients.len() {
            let to = (from + round + 1) % clients.len();
            let body = format!("{from}->{to} #{round}");
            clients[from]
                .send(&mut net, &ids[to], &text(&body))
                .unwrap();
            expected.entry(to).or_default().push(body);
        }
    }
    for (to, bodies) in expected {
        let inbox = clients[to].poll(&mut net).unwrap();
        let mut got: Vec<String> = inbox.iter().map(|r| body_of(&r.message.content)).collect();
        let mut want = bodies.clone();
        got.sort();
        want.sort();
        assert_eq!(got, want);
        for received in &inbox {
            let from: usize = body_of(&received.message.content)[..1].parse().unwrap();
            assert_eq!(received.message.sender_session_id, ids[from]);
        }
        // A second poll returns nothing new.
        assert!(clients[to].poll(&mut net).unwrap().is_empty());
    }
}

#[test]
fn paging_with_last_hash_reads_everything() {
    let (mut net, mut clients) = setup(2, 2);
    send_and_check(
        &mut net,
        &mut clients,
        0,
        1,
        session_testnet::RETRIEVE_PAGE + 30,
    );
}

#[test]
fn nodes_down_retry_on_other_members() {
    let (mut net, mut clients) = setup(2, 3);
    let members = swarm_of(&net, &clients[1].session_id());
    for member in members.iter().skip(1) {
        net.set_down(&member.ed25519, true);
    }
    send_and_check(&mut net, &mut clients, 0, 1, 10);
}

#[test]
fn dropped_replies_neither_lose_nor_duplicate() {
    let (mut net, mut clients) = setup(2, 4);
    for member in swarm_of(&net, &clients[1].session_id()) {
        net.drop_replies_from(&member.ed25519, 1);
    }
    send_and_check(&mut net, &mut clients, 0, 1, 8);
    let log = clients[0].take_log().join("\n");
    assert!(log.contains("no answer: drop the path"), "{log}");
}

#[test]
fn corrupted_layers_are_retried_on_another_path() {
    let (mut net, mut clients) = setup(2, 5);
    let guards: Vec<_> = clients[0]
        .paths()
        .iter()
        .map(|p| p.guard().ed25519)
        .collect();
    let middles: Vec<_> = clients[0]
        .paths()
        .iter()
        .map(|p| p.hops()[1].ed25519)
        .collect();
    for key in guards.iter().chain(&middles) {
        net.corrupt_layers_to(key, 1);
    }
    send_and_check(&mut net, &mut clients, 0, 1, 6);
    let traces_ok = clients[0]
        .take_log()
        .iter()
        .any(|l| l.contains("path is bad"));
    assert!(traces_ok);
}

#[test]
fn a_skewed_client_clock_is_corrected_from_the_406() {
    let (mut net, mut clients) = setup(2, 6);
    clients[0].set_local_clock_skew(-5 * 60_000);
    send_and_check(&mut net, &mut clients, 0, 1, 3);
    let log = clients[0].take_log().join("\n");
    assert!(log.contains("clock off"), "{log}");
    let offset = clients[0].clock_offset().as_millis();
    assert!(
        (5 * 60_000 - 1000..=5 * 60_000 + 1000).contains(&offset),
        "{offset}"
    );
}

#[test]
fn a_skewed_node_clock_is_corrected_from_the_406() {
    let (mut net, mut clients) = setup(2, 7);
    for member in swarm_of(&net, &clients[1].session_id()) {
        net.set_clock_skew(&member.ed25519, 3 * 60_000);
    }
    send_and_check(&mut net, &mut clients, 0, 1, 3);
}

#[test]
fn a_stale_swarm_is_replaced_from_the_421() {
    let (mut net, mut clients) = setup(2, 8);
    let bob = clients[1].session_id();
    let right = net.swarm_map().swarm_for(&bob).unwrap().id;
    let wrong = net
        .swarm_map()
        .swarms()
        .find(|s| s.id != right)
        .unwrap()
        .members
        .to_vec();
    clients[0].set_cached_swarm(&bob, wrong);
    send_and_check(&mut net, &mut clients, 0, 1, 2);
    let log = clients[0].take_log().join("\n");
    assert!(log.contains("421"), "{log}");
}

#[test]
fn disappearing_messages_expire() {
    let (mut net, mut clients) = setup(2, 9);
    let bob = clients[1].session_id();
    let mut brief = text("gone soon");
    Expiry::after_send(30).apply_to(&mut brief);
    clients[0].send(&mut net, &bob, &brief).unwrap();
    clients[0].send(&mut net, &bob, &text("stays")).unwrap();
    net.advance(Duration::from_secs(29));
    assert_eq!(net.stored_count(&bob), 2);
    net.advance(Duration::from_secs(2));
    assert_eq!(net.stored_count(&bob), 1);
    let inbox = clients[1].poll(&mut net).unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(body_of(&inbox[0].message.content), "stays");

    // After-read: shortening the expiry makes it disappear.
    let hash = inbox[0].hash.clone();
    let expiry = net.now().saturating_add_millis(20_000);
    let updated = clients[1]
        .shorten_expiry(&mut net, std::slice::from_ref(&hash), expiry)
        .unwrap();
    assert_eq!(updated, vec![hash]);
    net.advance(Duration::from_secs(21));
    assert_eq!(net.stored_count(&bob), 0);
}

/// Sends a raw storage RPC body to `node` through a path of three other nodes.
fn raw_rpc(net: &mut Network, node: &ServiceNode, body: &[u8]) -> (u16, String) {
    let relays: Vec<ServiceNode> = net
        .nodes()
        .iter()
        .map(|n| *n.info())
        .filter(|n| n.ed25519 != node.ed25519)
        .take(3)
        .collect();
    let mut rng = ChaCha20Rng::seed_from_u64(77);
    let onion = OnionRequestBuilder::new(
        Destination::ServiceNode(Hop::new(node.ed25519, node.x25519)),
        EncType::XChaCha20,
    )
    .path(relays.iter().map(|n| Hop::new(n.ed25519, n.x25519)))
    .build(body, &mut rng)
    .unwrap();
    let answer = net
        .deliver(&relays[0].ed25519, onion.body(), "raw")
        .expect("an answer");
    let response = onion
        .response_context()
        .read_service_node_reply(answer.status, &answer.body)
        .unwrap();
    (response.status, String::from_utf8(response.body).unwrap())
}

#[test]
fn a_wrong_signature_never_reads_or_deletes_another_users_messages() {
    let (mut net, mut clients) = setup(3, 10);
    let bob = clients[1].session_id();
    let hash = clients[0]
        .send(&mut net, &bob, &text("for Bob only"))
        .unwrap();
    let node = swarm_of(&net, &bob)[0];
    let mallory = Identity::generate(&mut ChaCha20Rng::seed_from_u64(666));
    let now = net.now();

    // Mallory signs a retrieve with her own key but names Bob's account.
    let mine = StorageRequest::retrieve(&Signer::user(&mallory), Namespace::DEFAULT, None, now);
    let forged = String::from_utf8(mine.to_body())
        .unwrap()
        .replace(&mallory.session_id().to_hex(), &bob.to_hex());
    let (status, _) = raw_rpc(&mut net, &node, forged.as_bytes());
    assert_eq!(status, 401);

    // A delete the same way.
    let mine = StorageRequest::delete(&Signer::user(&mallory), std::slice::from_ref(&hash), false)
        .unwrap();
    let forged = String::from_utf8(mine.to_body())
        .unwrap()
        .replace(&mallory.session_id().to_hex(), &bob.to_hex());
    assert_eq!(raw_rpc(&mut net, &node, forged.as_bytes()).0, 401);

    // Bob's own, correctly signed retrieve with a tampered signature.
    let bob_identity = clients[1].identity();
    let good = StorageRequest::retrieve(&Signer::user(bob_identity), Namespace::DEFAULT, None, now);
    let mut json: serde_json::Value = serde_json::from_slice(&good.to_body()).unwrap();
    let sig = json["params"]["signature"].as_str().unwrap().to_owned();
    let flipped = if sig.starts_with('A') { "B" } else { "A" };
    json["params"]["signature"] = format!("{flipped}{}", &sig[1..]).into();
    assert_eq!(raw_rpc(&mut net, &node, json.to_string().as_bytes()).0, 401);

    // A request signed for another time than it claims.
    let mut json: serde_json::Value = serde_json::from_slice(&good.to_body()).unwrap();
    json["params"]["timestamp"] = (now.as_millis() + 1).into();
    assert_eq!(raw_rpc(&mut net, &node, json.to_string().as_bytes()).0, 401);

    // A timestamp far from the node's clock.
    let stale = StorageRequest::retrieve(
        &Signer::user(bob_identity),
        Namespace::DEFAULT,
        None,
        Timestamp::from_millis(now.as_millis() - 10 * 60_000),
    );
    assert_eq!(raw_rpc(&mut net, &node, &stale.to_body()).0, 406);

    // Bob's account asked of a node in another swarm: 421 naming the right swarm.
    let elsewhere = net
        .nodes()
        .iter()
        .map(|n| *n.info())
        .find(|n| n.swarm_id != node.swarm_id)
        .unwrap();
    let (status, body) = raw_rpc(&mut net, &elsewhere, &good.to_body());
    assert_eq!(status, 421);
    let reply = session_swarm::parse_wrong_swarm_reply(body.as_bytes()).unwrap();
    assert_eq!(Some(reply.swarm_id), node.swarm_id);

    // Nothing was read or deleted: Bob still gets his message.
    assert_eq!(net.stored_count(&bob), 1);
    let inbox = clients[1].poll(&mut net).unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].hash, hash);
    assert_eq!(inbox[0].message.sender_session_id, clients[0].session_id());
    // Mallory's own inbox is empty and Carol cannot open Bob's message.
    assert_eq!(clients[2].undecodable(), 0);
    let _: MessageHash = hash;
}

#[test]
fn the_file_server_stores_and_returns_blobs() {
    let (mut net, mut clients) = setup(2, 11);
    let one = clients[0].upload(&mut net, b"blob one").unwrap();
    let two = clients[0].upload(&mut net, [7u8; 5000]).unwrap();
    assert_eq!(one.id.as_str().len(), 44);
    assert_ne!(one.id, two.id);
    assert_eq!(clients[1].download(&mut net, &one.id).unwrap(), b"blob one");
    assert_eq!(
        clients[1].download(&mut net, &two.id).unwrap(),
        vec![7u8; 5000]
    );
    let missing = FileId::new("99").unwrap();
    assert!(matches!(
        clients[1].download(&mut net, &missing),
        Err(ClientError::FileServer(FileServerError::Status(404)))
    ));
}

#[test]
fn binary_blobs_with_zero_bytes_come_back_whole() {
    let (mut net, mut clients) = setup(2, 13);
    // Zero bytes first, last and in runs: a payload cut at its first NUL would lose them all.
    let blob: Vec<u8> = (0..70_000u32)
        .map(|i| if i % 3 == 0 { 0 } else { (i % 251) as u8 })
        .collect();
    assert_eq!(blob[0], 0);
    let uploaded = clients[0].upload(&mut net, blob.clone()).unwrap();
    assert_eq!(clients[1].download(&mut net, &uploaded.id).unwrap(), blob);
    let zeros = clients[0].upload(&mut net, vec![0u8; 1000]).unwrap();
    assert_eq!(
        clients[1].download(&mut net, &zeros.id).unwrap(),
        vec![0u8; 1000]
    );
}

#[test]
fn files_expire_unless_extended() {
    let (mut net, mut clients) = setup(2, 14);
    let options = UploadOptions {
        file_name: Some("note.wav".into()),
        ttl_seconds: Some(60),
    };
    let short = clients[0]
        .upload_with(&mut net, b"short", &options)
        .unwrap();
    let kept = clients[0].upload_with(&mut net, b"kept", &options).unwrap();
    let now = net.now().as_millis() as f64 / 1000.0;
    assert!((short.expires - (now + 60.0)).abs() < 1.0);
    let extended = clients[0].extend(&mut net, &kept.id, Some(3600)).unwrap();
    assert!(extended.expires > kept.expires + 3000.0);
    net.advance(Duration::from_secs(120));
    assert!(matches!(
        clients[1].download(&mut net, &short.id),
        Err(ClientError::FileServer(FileServerError::Status(404)))
    ));
    assert_eq!(clients[1].download(&mut net, &kept.id).unwrap(), b"kept");
    assert_eq!(net.file_server().file_count(net.now()), 1);
}

#[test]
fn uploads_over_the_limit_are_refused_before_sending() {
    let (mut net, mut clients) = setup(1, 15);
    let too_big = vec![1u8; session_fileserver::MAX_FILE_SIZE + 1];
    assert!(matches!(
        clients[0].upload(&mut net, too_big),
        Err(ClientError::FileServer(FileServerError::TooLarge { .. }))
    ));
}

#[test]
fn traces_never_show_both_ends() {
    let (mut net, mut clients) = setup(2, 12);
    let bob = clients[1].session_id();
    clients[0].send(&mut net, &bob, &text("hi")).unwrap();
    for trace in net.take_traces() {
        for hop in &trace.hops {
            let saw_client = matches!(hop.from, session_testnet::Peer::Client);
            let is_destination = hop.role.starts_with("destination");
            assert!(!(saw_client && is_destination));
        }
        assert_eq!(trace.hops.len(), 4);
    }
}

#[test]
fn runs_are_identical_without_a_hop_clock() {
    let run = || {
        let (mut net, mut clients) = setup(2, 6);
        send_and_check(&mut net, &mut clients, 0, 1, 3);
        let traces = net.take_traces();
        assert!(traces.iter().all(|t| t.elapsed().is_none()));
        format!("{traces:?}")
    };
    assert_eq!(run(), run());
}

#[test]
fn a_direct_storage_rpc_runs_the_storage_handler_in_the_clear() {
    let mut net = Network::new(NetworkConfig::default());
    let mut rng = ChaCha20Rng::seed_from_u64(41);
    let node = *net.nodes()[0].info();
    let bob = Identity::generate(&mut rng);
    let retrieve =
        StorageRequest::retrieve(&Signer::user(&bob), Namespace::DEFAULT, None, net.now())
            .to_body();
    let reply = net.handle_storage_rpc(&node.ed25519, &retrieve).unwrap();
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let parsed = session_swarm::parse_retrieve_reply(&reply.body).unwrap();
    assert!(parsed.messages.is_empty());
    assert_eq!(
        net.handle_storage_rpc(&node.ed25519, b"{not json")
            .unwrap()
            .status,
        400
    );
    // Nothing answers for a node that is down or unknown.
    net.set_down(&node.ed25519, true);
    assert_eq!(net.handle_storage_rpc(&node.ed25519, &retrieve), None);
    let stranger = Identity::generate(&mut rng).ed25519_public_key();
    assert_eq!(net.handle_storage_rpc(&stranger, &retrieve), None);
}
