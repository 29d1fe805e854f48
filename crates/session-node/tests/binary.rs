//! The `session-node` binary: start it small, read the seed URL it prints, query the seed,
//! stop it.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use session_swarm::parse_service_node_list;

#[tokio::test]
async fn the_binary_serves_a_seed_and_its_nodes() {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_session-node"))
        .args([
            "--nodes",
            "4",
            "--swarms",
            "2",
            "--listen",
            "127.0.0.1:0",
            "--json",
            "--community",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    // Read the first line on a thread so that a silent binary cannot hang the test.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(Duration::from_secs(10));
    let result = async {
        let line = line.map_err(|_| "no line from session-node in 10 s".to_owned())?;
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
    }
    .await;
    child.kill().unwrap();
    child.wait().unwrap();
    result.unwrap();
    assert!(started.elapsed() < Duration::from_secs(15));
}
