//! The `sessionkit` binary against a loopback network of real HTTPS nodes: two accounts made
//! with `init`, a message sent with `send` and read with `receive`, exactly once.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use session_node::{LoopbackNetwork, NodeConfig};

fn sessionkit(profile: &Path, network: &str, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_sessionkit"))
        .arg("--profile")
        .arg(profile)
        .args(["--network", network, "--json"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "sessionkit {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_send_receive_through_a_loopback_network() {
    let net = LoopbackNetwork::start(NodeConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..NodeConfig::default()
    })
    .await
    .unwrap();
    let seed = net.seed_url();
    let dir = std::env::temp_dir().join(format!("sessionkit-cli-{}", std::process::id()));
    let (alice, bob) = (dir.join("alice"), dir.join("bob"));
    let _ = std::fs::remove_dir_all(&dir);

    let run = {
        let seed = seed.clone();
        move || {
            let alice_id = json_lines(&sessionkit(&alice, &seed, &["init"]))[0]["session_id"]
                .as_str()
                .unwrap()
                .to_owned();
            let bob_id = json_lines(&sessionkit(&bob, &seed, &["init"]))[0]["session_id"]
                .as_str()
                .unwrap()
                .to_owned();
            assert_eq!(
                json_lines(&sessionkit(&bob, &seed, &["id"]))[0]["session_id"],
                bob_id.as_str()
            );
            let sent = json_lines(&sessionkit(&alice, &seed, &["send", &bob_id, "hello Bob"]));
            assert_eq!(sent[0]["to"], bob_id.as_str());
            let received = json_lines(&sessionkit(&bob, &seed, &["receive"]));
            assert_eq!(received.len(), 1, "{received:?}");
            assert_eq!(received[0]["from"], alice_id.as_str());
            assert_eq!(received[0]["text"], "hello Bob");
            assert_eq!(received[0]["hash"], sent[0]["sent"]);
            // Printed once: a second `receive` has nothing new.
            assert!(json_lines(&sessionkit(&bob, &seed, &["receive"])).is_empty());
            bob_id
        }
    };
    let bob_id = tokio::time::timeout(Duration::from_secs(60), tokio::task::spawn_blocking(run))
        .await
        .expect("the CLI round trip finishes in bounded time")
        .unwrap();

    // A `receive` killed after its poll recorded a message but before it printed it: the next
    // `receive` prints it. (The poll is made here with Bob's profile store, as that run would.)
    let profile = session_client::store::SqliteStore::open(dir.join("bob/profile.sqlite")).unwrap();
    use session_client::store::Store;
    let seed_bytes = profile.identity().unwrap().unwrap().unlock(None).unwrap();
    let bob_identity = session_identity::Identity::from_seed(seed_bytes);
    assert_eq!(bob_identity.session_id().to_hex(), bob_id);
    let config = session_client::NetworkConfig::local(seed.clone());
    let transport = session_client::HttpsTransport::new(&config.seeds).unwrap();
    let network = std::sync::Arc::new(
        session_client::Network::bootstrap(transport, config)
            .await
            .unwrap(),
    );
    let alice_again = session_client::Client::new(
        session_identity::Identity::generate(&mut session_identity::OsRng),
        std::sync::Arc::clone(&network),
    );
    alice_again
        .send_text(&bob_identity.session_id(), "recorded, not printed")
        .await
        .unwrap();
    let bob_lib =
        session_client::Client::with_store(bob_identity, network, std::sync::Arc::new(profile));
    assert_eq!(bob_lib.poll().await.unwrap().len(), 1);
    drop(bob_lib);
    let bob_dir = dir.join("bob");
    let seed2 = seed.clone();
    let printed = tokio::task::spawn_blocking(move || {
        json_lines(&sessionkit(&bob_dir, &seed2, &["receive"]))
    })
    .await
    .unwrap();
    assert_eq!(printed.len(), 1, "{printed:?}");
    assert_eq!(printed[0]["text"], "recorded, not printed");
    net.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn errors_are_readable_and_typed_for_scripts() {
    let dir = std::env::temp_dir().join(format!("sessionkit-cli-err-{}", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_sessionkit"))
        .arg("--profile")
        .arg(&dir)
        .args(["--json", "id"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(line["error"].as_str().unwrap().contains("holds no account"));
    let out = Command::new(env!("CARGO_BIN_EXE_sessionkit"))
        .arg("--profile")
        .arg(&dir)
        .args(["restore", "not a phrase"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: not a recovery phrase"));
    let _ = std::fs::remove_dir_all(&dir);
}
