//! `session-client` against a loopback network of real HTTPS nodes (`session-node`): every
//! hop is a TLS connection to another listener. Messages are delivered exactly once through
//! killed nodes, failing guards, a swarm change and a clock two hours off; and a bounded load
//! test reports throughput and latency.
#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use session_client::network::SkewedClock;
use session_client::{Client, HttpsTransport, Network, NetworkConfig};
use session_identity::{Identity, OsRng};
use session_node::{LoopbackNetwork, NodeConfig};

async fn loopback(nodes: usize, swarms: usize) -> LoopbackNetwork {
    LoopbackNetwork::start(NodeConfig {
        nodes,
        swarms,
        listen: "127.0.0.1:0".parse().unwrap(),
        ..NodeConfig::default()
    })
    .await
    .unwrap()
}

async fn connect(
    net: &LoopbackNetwork,
    config: impl FnOnce(&mut NetworkConfig),
) -> Arc<Network<HttpsTransport>> {
    let mut cfg = NetworkConfig::local(net.seed_url());
    config(&mut cfg);
    let transport = HttpsTransport::new(&cfg.seeds).unwrap();
    Arc::new(Network::bootstrap(transport, cfg).await.unwrap())
}

fn texts(received: &[session_client::Received]) -> Vec<String> {
    let mut t: Vec<String> = received
        .iter()
        .filter_map(|m| m.text().map(str::to_owned))
        .collect();
    t.sort();
    t
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_accounts_exchange_messages_over_https_hops() {
    let net = loopback(12, 3).await;
    let started = Instant::now();
    let network = connect(&net, |_| {}).await;
    let bootstrap = started.elapsed();
    assert_eq!(network.status().paths, 2);
    let alice = Client::new(Identity::generate(&mut OsRng), Arc::clone(&network));
    let bob = Client::new(Identity::generate(&mut OsRng), Arc::clone(&network));
    alice
        .send_text(&bob.session_id(), "over TLS")
        .await
        .unwrap();
    let first_message = started.elapsed();
    bob.send_text(&alice.session_id(), "back").await.unwrap();
    assert_eq!(texts(&bob.poll().await.unwrap()), ["over TLS"]);
    assert_eq!(texts(&alice.poll().await.unwrap()), ["back"]);
    assert!(bob.poll().await.unwrap().is_empty());
    eprintln!("bootstrap {bootstrap:?}, start to first message stored {first_message:?}");
    net.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_killed_mid_send_loses_no_acknowledged_message() {
    let net = loopback(12, 3).await;
    let network = connect(&net, |_| {}).await;
    let alice = Arc::new(Client::new(
        Identity::generate(&mut OsRng),
        Arc::clone(&network),
    ));
    let bob = Client::new(Identity::generate(&mut OsRng), Arc::clone(&network));
    let to = bob.session_id();
    let mut sends = tokio::task::JoinSet::new();
    for i in 0..16 {
        let alice = Arc::clone(&alice);
        sends.spawn(async move { alice.send_text(&to, &format!("m{i:02}")).await.map(|_| i) });
    }
    // Mid-send: a guard of one path and a member of Bob's swarm go down.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let guard = network.paths()[0].guard().ed25519;
    net.kill(&guard).unwrap();
    let member = net.with_network(|n| n.swarm_map().swarm_for(&to).unwrap().members[0].ed25519);
    net.kill(&member).unwrap();
    let mut acknowledged = HashSet::new();
    while let Some(done) = sends.join_next().await {
        if let Ok(i) = done.unwrap() {
            acknowledged.insert(format!("m{i:02}"));
        }
    }
    let got: Vec<String> = texts(&bob.poll().await.unwrap());
    let got_set: HashSet<String> = got.iter().cloned().collect();
    assert_eq!(got.len(), got_set.len(), "each delivered once");
    assert!(
        acknowledged.is_subset(&got_set),
        "acknowledged {acknowledged:?}, got {got:?}"
    );
    assert!(
        acknowledged.len() >= 14,
        "retries carried the sends: {acknowledged:?}"
    );
    net.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_guards_a_swarm_change_and_a_wrong_clock() {
    let net = loopback(12, 3).await;
    // A device whose clock is two hours behind.
    let network = connect(&net, |c| {
        c.clock = Arc::new(SkewedClock {
            skew_ms: -2 * 3600 * 1000,
        })
    })
    .await;
    assert!((network.status().clock_offset_ms - 2 * 3600 * 1000).abs() < 10_000);
    let alice = Client::new(Identity::generate(&mut OsRng), Arc::clone(&network));
    let bob = Client::new(Identity::generate(&mut OsRng), Arc::clone(&network));
    // Guards answer 503 one time in five.
    net.set_fail_rate(0.2).unwrap();
    // And most of Bob's swarm moves elsewhere after the client cached it.
    net.with_network(|n| {
        let map = n.swarm_map().clone();
        let home = map.swarm_for(&bob.session_id()).unwrap();
        let other = map.swarms().find(|s| s.id != home.id).unwrap().id;
        let moved: Vec<_> = home.members[1..].iter().map(|m| m.ed25519).collect();
        for key in &moved {
            assert!(n.move_node_to_swarm(key, other));
        }
    });
    for i in 0..6 {
        alice
            .send_text(&bob.session_id(), &format!("n{i}"))
            .await
            .unwrap();
    }
    assert_eq!(
        texts(&bob.poll().await.unwrap()),
        ["n0", "n1", "n2", "n3", "n4", "n5"]
    );
    let counters = network.status().counters;
    assert!(counters.swarm_redirects >= 1, "{counters:?}");
    net.shutdown().await;
}

/// 20 clients × 50 messages with `SESSIONKIT_LOAD=full` (release build advised); 4 × 10
/// otherwise. Prints messages per second, p50/p99 send-to-receive latency and peak memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load() {
    let full = std::env::var("SESSIONKIT_LOAD").is_ok_and(|v| v == "full");
    let (clients, per_client) = if full { (20, 50) } else { (4, 10) };
    let net = loopback(12, 3).await;
    let network = connect(&net, |_| {}).await;
    let people: Vec<Arc<Client<HttpsTransport>>> = (0..clients)
        .map(|_| {
            Arc::new(Client::new(
                Identity::generate(&mut OsRng),
                Arc::clone(&network),
            ))
        })
        .collect();
    let ids: Vec<_> = people.iter().map(|c| c.session_id()).collect();
    let started = Instant::now();
    let deadline = Duration::from_secs(60);
    let mut tasks = tokio::task::JoinSet::new();
    for (k, sender) in people.iter().enumerate() {
        let sender = Arc::clone(sender);
        let to = ids[(k + 1) % clients];
        tasks.spawn(async move {
            let mut sent_at = Vec::new();
            for i in 0..per_client {
                let t = Instant::now();
                sender.send_text(&to, &format!("{k}:{i}")).await.unwrap();
                sent_at.push((format!("{k}:{i}"), t));
            }
            sent_at
        });
    }
    // Receivers poll while the senders send; latency = send start → first poll that has it.
    let mut pending = std::collections::HashMap::new();
    let mut latencies = Vec::new();
    let mut senders_done = 0;
    let total = clients * per_client;
    while latencies.len() < total {
        assert!(started.elapsed() < deadline, "load test over {deadline:?}");
        while let Some(done) = tasks.try_join_next() {
            for (text, t) in done.unwrap() {
                pending.insert(text, t);
            }
            senders_done += 1;
        }
        let mut polls = tokio::task::JoinSet::new();
        for receiver in &people {
            let receiver = Arc::clone(receiver);
            polls.spawn(async move { receiver.poll().await.unwrap() });
        }
        let now = Instant::now();
        while let Some(got) = polls.join_next().await {
            for m in got.unwrap() {
                let text = m.text().unwrap().to_owned();
                latencies.push((text, now));
            }
        }
        if senders_done < clients {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let elapsed = started.elapsed();
    while let Some(done) = tasks.join_next().await {
        for (text, t) in done.unwrap() {
            pending.insert(text, t);
        }
    }
    let mut ms: Vec<f64> = latencies
        .iter()
        .map(|(text, seen)| seen.duration_since(pending[text]).as_secs_f64() * 1000.0)
        .collect();
    ms.sort_by(f64::total_cmp);
    let distinct: HashSet<&String> = latencies.iter().map(|(t, _)| t).collect();
    assert_eq!(distinct.len(), total, "every message exactly once");
    let p = |q: f64| ms[((ms.len() as f64 - 1.0) * q) as usize];
    eprintln!(
        "load: {clients} clients x {per_client} messages in {elapsed:?}: {:.0} messages/s end to end, \
         send-to-receive p50 {:.1} ms, p99 {:.1} ms, peak RSS {} KiB",
        total as f64 / elapsed.as_secs_f64(),
        p(0.5),
        p(0.99),
        peak_rss_kib()
    );
    net.shutdown().await;
}

/// The process's peak resident memory (Linux), 0 elsewhere.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attachment_goes_to_the_file_server_and_back_over_https_hops() {
    let net = loopback(12, 3).await;
    let network = connect(&net, |_| {}).await;
    let alice = Client::new(Identity::generate(&mut OsRng), Arc::clone(&network));
    let server = net.file_server().client_config.clone();
    let blob: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let uploaded = alice
        .upload(&server, blob.clone(), &Default::default())
        .await
        .unwrap();
    assert_eq!(alice.download(&server, &uploaded.id).await.unwrap(), blob);
    let extended = alice.extend(&server, &uploaded.id, None).await.unwrap();
    assert!(extended.expires >= uploaded.expires);
    net.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_community_post_is_read_back_over_https_hops() {
    use session_community::reply::MessageUpdate;
    use session_community::request::{GetCapabilities, GetMessages, MessageRange};
    use session_community::{Community, RoomToken};
    use session_envelope::proto::{Content, DataMessage};
    use session_testnet::{CommunityConfig, CommunityServer};
    let net = loopback(12, 3).await;
    let config = CommunityConfig::default();
    let host = config.host.clone();
    net.with_network(|n| n.add_community(CommunityServer::new(config).unwrap()));
    let server = net.with_network(|n| n.community(&host).unwrap().server().clone());
    let network = connect(&net, |_| {}).await;
    let alice = Client::new(Identity::generate(&mut OsRng), Arc::clone(&network));
    let bob = Client::new(Identity::generate(&mut OsRng), Arc::clone(&network));
    let mut alice_c = Community::new(server.clone(), alice.identity().clone());
    let mut bob_c = Community::new(server, bob.identity().clone());
    for (client, community) in [(&alice, &mut alice_c), (&bob, &mut bob_c)] {
        let capabilities = client
            .community_call(community, &GetCapabilities::default())
            .await
            .unwrap();
        community.set_capabilities(capabilities);
    }
    let room = RoomToken::new("lobby").unwrap();
    let content = Content {
        data_message: Some(DataMessage {
            body: Some("Hello, lobby!".into()),
            ..DataMessage::default()
        }),
        ..Content::default()
    };
    let post = alice_c.post(&room, &content, &mut OsRng);
    let posted = alice.community_call(&alice_c, &post).await.unwrap();
    let updates = bob
        .community_call(
            &bob_c,
            &GetMessages {
                room,
                range: MessageRange::Recent,
                limit: None,
                reactors: None,
            },
        )
        .await
        .unwrap();
    let message = updates
        .iter()
        .find_map(|u| match u {
            MessageUpdate::Message(m) if m.id == posted.id => Some(m),
            _ => None,
        })
        .expect("Bob sees Alice's post");
    let opened = bob_c.open(message).unwrap();
    assert_eq!(opened.sender, alice_c.own_id());
    assert_eq!(opened.content, content);
    net.shutdown().await;
}
