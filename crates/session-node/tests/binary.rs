//! The `session-node` binary as a child process: start it small, read the seed URL it prints,
//! query the seed, stop it; and a `session_client` against it while its admin endpoints make
//! one node answer garbage and kill another mid-run.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{connect, texts};
use serde_json::Value;
use session_client::Client;
use session_identity::{Ed25519PublicKey, Identity, OsRng};
use session_swarm::{parse_service_node_list, SwarmMap};

/// Every test is over in this time or fails.
const TEST_TIMEOUT: Duration = Duration::from_secs(60);

/// A running `session-node`, killed when dropped (also when a test fails).
struct NodeProcess(Child);

impl Drop for NodeProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `session-node` with `args` and reads the first line it prints (within 10 s).
fn spawn(args: &[&str]) -> (NodeProcess, Result<String, String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_session-node"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let process = NodeProcess(child);
    // Read the first line on a thread so that a silent binary cannot hang the test.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(10))
        .map_err(|_| "no line from session-node in 10 s".to_owned());
    (process, line)
}

#[tokio::test]
async fn the_binary_serves_a_seed_and_its_nodes() {
    let started = Instant::now();
    let (process, line) = spawn(&[
        "--nodes",
        "4",
        "--swarms",
        "2",
        "--listen",
        "127.0.0.1:0",
        "--json",
        "--community",
    ]);
    let result = tokio::time::timeout(TEST_TIMEOUT, async {
        let line = line?;
        let printed: Value = serde_json::from_str(&line).map_err(|e| format!("{e}: {line}"))?;
        let join = printed["community"]["join_url"]
            .as_str()
            .unwrap_or_default();
        if !join.contains("/lobby?public_key=") {
            return Err(format!("no community join URL: {line}"));
        }
        let seed = printed["seed_url"]
            .as_str()
            .ok_or("no seed_url")?
            .to_owned();
        assert_eq!(printed["nodes"].as_array().map(Vec::len), Some(4));
        assert_eq!(printed["file_server"]["host"], "files.local");

        let client = common::http();
        let (status, body) = common::post(
            &client,
            &format!("{seed}json_rpc"),
            r#"{"method":"get_n_service_nodes"}"#,
        )
        .await;
        assert_eq!(status, 200);
        let nodes = parse_service_node_list(&body).unwrap().nodes;
        assert_eq!(nodes.len(), 4);
        assert_eq!(nodes[0].ed25519.to_hex(), printed["nodes"][0]["ed25519"]);
        let (status, _) = common::post(
            &client,
            &common::url(&nodes[3], "/storage_rpc/v1"),
            r#"{"method":"info"}"#,
        )
        .await;
        assert_eq!(status, 200);
        Ok::<(), String>(())
    })
    .await;
    drop(process);
    result.unwrap().unwrap();
    assert!(started.elapsed() < Duration::from_secs(15));
}

/// The nodes the binary printed, by index: (Ed25519 key hex, killed, garbage).
fn printed_nodes(printed: &Value) -> Vec<(String, bool, bool)> {
    printed["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["ed25519"].as_str().unwrap().to_owned(),
                n["killed"].as_bool().unwrap(),
                n["garbage"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_garbage_and_kill_flags_take_effect_at_start() {
    const ARGS: [&str; 8] = [
        "--nodes",
        "4",
        "--swarms",
        "1",
        "--listen",
        "127.0.0.1:0",
        "--seed",
        "9",
    ];
    let result = tokio::time::timeout(TEST_TIMEOUT, async {
        // The same seed gives the same keys: learn them from a first run.
        let (first, line) = spawn(&[&ARGS[..], &["--json"]].concat());
        let keys: Vec<String> = printed_nodes(&serde_json::from_str(&line.unwrap()).unwrap())
            .into_iter()
            .map(|(key, killed, garbage)| {
                assert!(!killed && !garbage);
                key
            })
            .collect();
        drop(first);

        let (second, line) = spawn(
            &[
                &ARGS[..],
                &["--json", "--garbage", &keys[1], "--kill", &keys[2]],
            ]
            .concat(),
        );
        let printed: Value = serde_json::from_str(&line.unwrap()).unwrap();
        let nodes = printed_nodes(&printed);
        assert_eq!(nodes[0], (keys[0].clone(), false, false));
        assert_eq!(nodes[1], (keys[1].clone(), false, true));
        assert_eq!(nodes[2], (keys[2].clone(), true, false));
        let address = |i: usize| printed["nodes"][i]["address"].as_str().unwrap().to_owned();
        let client = common::http();
        let rpc = |i: usize| format!("https://{}/storage_rpc/v1", address(i));
        let (status, body) = common::post(&client, &rpc(0), r#"{"method":"info"}"#).await;
        assert_eq!(status, 200);
        assert!(serde_json::from_slice::<Value>(&body).is_ok());
        let (status, body) = common::post(&client, &rpc(1), r#"{"method":"info"}"#).await;
        assert_eq!(status, 200);
        assert!(!matches!(
            serde_json::from_slice::<Value>(&body),
            Ok(Value::Object(_))
        ));
        // And through the seed, the garbage node turns honest.
        let seed = printed["seed_url"].as_str().unwrap();
        let (status, _) =
            common::post(&client, &format!("{seed}admin/honest"), keys[1].clone()).await;
        assert_eq!(status, 200);
        let (status, body) = common::post(&client, &rpc(1), r#"{"method":"info"}"#).await;
        assert_eq!(status, 200);
        assert!(serde_json::from_slice::<Value>(&body).is_ok());
        drop(second);

        // A bad or unknown key stops the binary with an error.
        for bad in ["nothex", &"00".repeat(32)] {
            let output = Command::new(env!("CARGO_BIN_EXE_session-node"))
                .args([&ARGS[..], &["--garbage", bad]].concat())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .output()
                .unwrap();
            assert!(!output.status.success());
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(stderr.contains("--garbage"), "{stderr}");
        }
    })
    .await;
    result.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_of_the_binary_loses_no_acknowledged_message_to_garbage_and_a_kill() {
    let (process, line) = spawn(&[
        "--nodes",
        "12",
        "--swarms",
        "3",
        "--listen",
        "127.0.0.1:0",
        "--json",
    ]);
    let result = tokio::time::timeout(TEST_TIMEOUT, async {
        let printed: Value = serde_json::from_str(&line.unwrap()).unwrap();
        let seed = printed["seed_url"].as_str().unwrap().to_owned();
        let network = connect(seed.clone()).await;
        assert_eq!(network.status().paths, 2);
        let alice = Arc::new(Client::new(
            Identity::generate(&mut OsRng),
            Arc::clone(&network),
        ));
        // The node that will answer garbage: the guard of one path. Bob's swarm does not hold it
        // (a garbage swarm member costs the client path strikes rather than the member, which
        // can exhaust a request's attempts with honest members left).
        let garbage = network.paths()[0].guard().ed25519;
        let (_, directory) = common::post(
            &common::http(),
            &format!("{seed}json_rpc"),
            r#"{"method":"get_n_service_nodes"}"#,
        )
        .await;
        let map = SwarmMap::new(&parse_service_node_list(&directory).unwrap().nodes);
        let bob = (0..64)
            .map(|_| Identity::generate(&mut OsRng))
            .find(|id| {
                let swarm = map.swarm_for(&id.session_id()).unwrap();
                swarm.members.iter().all(|m| m.ed25519 != garbage)
            })
            .unwrap();
        let bob = Client::new(bob, Arc::clone(&network));
        let (to_bob, to_alice) = (bob.session_id(), alice.session_id());

        // Both ways, each message once.
        alice.send_text(&to_bob, "hello bob").await.unwrap();
        alice.send_text(&to_bob, "again").await.unwrap();
        bob.send_text(&to_alice, "hello alice").await.unwrap();
        assert_eq!(texts(&bob.poll().await.unwrap()), ["again", "hello bob"]);
        assert_eq!(texts(&alice.poll().await.unwrap()), ["hello alice"]);
        assert!(bob.poll().await.unwrap().is_empty());
        assert!(alice.poll().await.unwrap().is_empty());

        // The faults: the guard of one path answers garbage, a relay of the other is killed,
        // while sends are under way; every request through either path fails until the
        // client has dealt with both.
        let paths = network.paths();
        assert_eq!(paths[0].guard().ed25519, garbage);
        let killed = paths[1].hops()[1..]
            .iter()
            .map(|n| n.ed25519)
            .find(|k| !paths[0].contains(k))
            .unwrap();
        let mut sends = tokio::task::JoinSet::new();
        for i in 0..12 {
            let alice = Arc::clone(&alice);
            let text = format!("m{i:02}");
            sends.spawn(async move { (alice.send_text(&to_bob, &text).await.is_ok(), text) });
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        let http = common::http();
        let admin = |route: &str| format!("{seed}admin/{route}");
        let (status, _) = common::post(&http, &admin("garbage"), garbage.to_hex()).await;
        assert_eq!(status, 200);
        let (status, _) = common::post(&http, &admin("kill"), killed.to_hex()).await;
        assert_eq!(status, 200);
        let mut attempted = HashSet::new();
        let mut acknowledged = HashSet::new();
        while let Some(done) = sends.join_next().await {
            let (ok, text) = done.unwrap();
            if ok {
                acknowledged.insert(text.clone());
            }
            attempted.insert(text);
        }

        // After the faults: sends go on (an application retries what was not acknowledged,
        // as a new message) until neither faulty node is on a path.
        let on_a_path = |key: &Ed25519PublicKey| network.paths().iter().any(|p| p.contains(key));
        let mut after = 0;
        while after < 6 || on_a_path(&garbage) || on_a_path(&killed) {
            assert!(after < 40, "the faulty nodes stay on the paths");
            let text = format!("p{after:02}");
            if alice.send_text(&to_bob, &text).await.is_ok() {
                acknowledged.insert(text.clone());
            }
            attempted.insert(text);
            after += 1;
        }
        let counters = network.status().counters;
        assert!(counters.path_failures >= 1, "garbage was met: {counters:?}");
        assert!(
            counters.nodes_dropped >= 1,
            "the kill was met: {counters:?}"
        );
        // With the faulty nodes off the paths, sends are acknowledged again.
        for i in 0..3 {
            let text = format!("q{i}");
            alice.send_text(&to_bob, &text).await.unwrap();
            acknowledged.insert(text.clone());
            attempted.insert(text);
        }

        // Bob reads everything acknowledged, each once, and nothing that was never sent.
        let mut seen: HashMap<String, usize> = HashMap::new();
        for _ in 0..5 {
            if let Ok(received) = bob.poll().await {
                for text in texts(&received) {
                    *seen.entry(text).or_default() += 1;
                }
            }
            if acknowledged.iter().all(|t| seen.contains_key(t)) {
                break;
            }
        }
        assert!(bob.poll().await.unwrap().is_empty());
        let missing: Vec<_> = acknowledged
            .difference(&seen.keys().cloned().collect())
            .cloned()
            .collect();
        assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
        let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
        assert!(twice.is_empty(), "delivered more than once: {twice:?}");
        assert!(seen.keys().all(|t| attempted.contains(t)), "{seen:?}");
        eprintln!(
            "{} of {} sends acknowledged; counters {counters:?}",
            acknowledged.len(),
            attempted.len()
        );
    })
    .await;
    drop(process);
    result.unwrap();
}
