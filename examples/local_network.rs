//! A whole Session network in one process: 30 service nodes in 6 swarms, Alice and Bob.
//!
//! Alice seals a message for Bob and stores it in Bob's swarm through a 3-hop onion path; Bob
//! fetches it through his own path, opens it, sees it is from Alice and deletes it. Then: a
//! disappearing message expires, a swarm member goes down mid-way and the request is retried
//! on another member, and Bob restores his account from his recovery phrase on a second
//! device. Every request is traced hop by hop: what each node saw, and how long it took.
//!
//! Randomness is a seeded ChaCha20 generator (seed 2025), so the keys, IDs and paths printed
//! are the same on every run; only the timings change. Time is simulated.
//!
//! ```text
//! cargo run --release --example local_network
//! ```

use std::error::Error;
use std::time::{Duration, Instant};

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use session_envelope::proto::{Content, DataMessage};
use session_envelope::Expiry;
use session_identity::Identity;
use session_testnet::{short, Client, Network, NetworkConfig, RequestTrace};

fn text(body: &str) -> Content {
    Content {
        data_message: Some(DataMessage {
            body: Some(body.into()),
            ..DataMessage::default()
        }),
        ..Content::default()
    }
}

fn body_of(content: &Content) -> &str {
    content
        .data_message
        .as_ref()
        .and_then(|m| m.body.as_deref())
        .unwrap_or("")
}

fn show_traces(traces: &[RequestTrace]) {
    for trace in traces {
        println!("{trace}");
    }
}

fn show_log(client: &mut Client) {
    for line in client.take_log() {
        println!("    decision: {line}");
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let started = Instant::now();
    let mut rng = ChaCha20Rng::seed_from_u64(2025);

    println!("== 1. The network");
    let mut net = Network::new(NetworkConfig {
        swarms: 6,
        nodes_per_swarm: 5,
        seed: 7,
    });
    // The traces below show how long each hop took, measured from this clock.
    net.set_hop_clock(move || started.elapsed());
    let directory = net.directory_json();
    println!(
        "  {} service nodes in {} swarms; the seed node's directory is {} bytes of JSON",
        net.nodes().len(),
        net.swarm_map().swarm_count(),
        directory.len()
    );
    for swarm in net.swarm_map().swarms() {
        let members: Vec<String> = swarm.members.iter().map(|n| short(&n.ed25519)).collect();
        println!("  swarm {:016x}: {}", swarm.id.get(), members.join(" "));
    }

    println!("\n== 2. Alice and Bob");
    let alice_id = Identity::generate(&mut rng);
    let bob_id = Identity::generate(&mut rng);
    let bob_phrase = bob_id.recovery_phrase();
    let mut alice = Client::new(alice_id, &net, 1)?;
    let mut bob = Client::new(bob_id, &net, 2)?;
    for (name, client) in [("Alice", &alice), ("Bob", &bob)] {
        let id = client.session_id();
        let swarm = net.swarm_map().swarm_for(&id).map_or(0, |s| s.id.get());
        println!("  {name:<5} {id}  (swarm {swarm:016x})");
        for path in client.paths() {
            let hops: Vec<String> = path.hops().iter().map(|n| short(&n.ed25519)).collect();
            println!("        onion path: {}", hops.join(" -> "));
        }
    }

    println!("\n== 3. Alice -> Bob: sealed, onion-routed, stored in Bob's swarm");
    net.take_traces();
    let t = Instant::now();
    let hash = alice.send(&mut net, &bob.session_id(), &text("Hi Bob! It's Alice."))?;
    let send_time = t.elapsed();
    show_traces(&net.take_traces());
    println!(
        "  stored as {} ({:.1?} end to end)",
        hash.as_str(),
        send_time
    );
    println!(
        "  (no hop saw both Alice and Bob's swarm member: the guard saw Alice's IP, the\n   destination saw only the last relay)"
    );

    println!("\n== 4. Bob polls his swarm through his own path");
    let t = Instant::now();
    let inbox = bob.poll(&mut net)?;
    let poll_time = t.elapsed();
    show_traces(&net.take_traces());
    for received in &inbox {
        let from = received.message.sender_session_id;
        println!(
            "  Bob reads {:?} from {}{}",
            body_of(&received.message.content),
            from,
            if from == alice.session_id() {
                "  (Alice, verified)"
            } else {
                ""
            }
        );
    }
    println!("  poll took {poll_time:.1?}");
    let read: Vec<_> = inbox.iter().map(|r| r.hash.clone()).collect();
    let deleted = bob.delete(&mut net, &read)?;
    net.take_traces();
    println!(
        "  Bob deletes what he read: {} deleted; {} left in his swarm",
        deleted.len(),
        net.stored_count(&bob.session_id())
    );

    println!("\n== 5. A disappearing message (delete 60 s after sending)");
    let mut secret = text("This message will self-destruct in 60 s.");
    Expiry::after_send(60).apply_to(&mut secret);
    alice.send(&mut net, &bob.session_id(), &secret)?;
    net.take_traces();
    println!(
        "  now: {} message(s) wait for Bob",
        net.stored_count(&bob.session_id())
    );
    net.advance(Duration::from_secs(61));
    println!(
        "  61 simulated seconds later: {} message(s); Bob's poll finds {}",
        net.stored_count(&bob.session_id()),
        bob.poll(&mut net)?.len()
    );
    net.take_traces();

    println!("\n== 6. A swarm member goes down mid-way");
    let members: Vec<_> = net
        .swarm_map()
        .swarm_for(&bob.session_id())
        .map(|s| s.members.to_vec())
        .unwrap_or_default();
    // Alice's next attempt goes to a member her request machine picks; take down all but two
    // members so that the retry is almost certainly visible.
    for member in members.iter().skip(2) {
        net.set_down(&member.ed25519, true);
    }
    println!(
        "  {} of Bob's {} swarm members are down",
        members.len() - 2,
        members.len()
    );
    alice.take_log();
    alice.send(&mut net, &bob.session_id(), &text("Are you still there?"))?;
    show_traces(&net.take_traces());
    show_log(&mut alice);
    for member in &members {
        net.set_down(&member.ed25519, false);
    }

    println!("\n== 7. Bob restores his account on a second device");
    println!("  recovery phrase: {}", bob_phrase.expose_secret());
    let restored = Identity::from_recovery_phrase(bob_phrase.expose_secret())?;
    let mut bob2 = Client::new(restored, &net, 3)?;
    println!(
        "  second device's Session ID: {} (same: {})",
        bob2.session_id(),
        bob2.session_id() == bob.session_id()
    );
    for received in bob2.poll(&mut net)? {
        println!(
            "  second device reads {:?} from {}",
            body_of(&received.message.content),
            short_id(&received.message.sender_session_id.to_string())
        );
    }
    net.take_traces();

    println!("\n== 8. An attachment through the file server (v4 onion request)");
    let id = alice.upload(&mut net, b"a picture of a cat")?.id;
    let blob = bob.download(&mut net, &id)?;
    show_traces(&net.take_traces());
    println!(
        "  Bob downloads file {id}: {:?}",
        String::from_utf8_lossy(&blob)
    );

    println!("\n== 9. Throughput");
    let t = Instant::now();
    let count = 200;
    for i in 0..count {
        alice.send(&mut net, &bob.session_id(), &text(&format!("message {i}")))?;
    }
    let sent = t.elapsed();
    let t = Instant::now();
    let got = bob.poll(&mut net)?.len();
    let fetched = t.elapsed();
    net.take_traces();
    println!(
        "  {count} messages sealed and stored in {sent:.1?} ({:.0} messages/s, {:.2?} each);",
        f64::from(count) / sent.as_secs_f64(),
        sent / count
    );
    println!("  Bob fetched and opened {got} in {fetched:.1?}");

    println!("\nDone in {:.1?}.", started.elapsed());
    Ok(())
}

fn short_id(id: &str) -> String {
    format!("{}…{}", &id[..10], &id[id.len() - 4..])
}
