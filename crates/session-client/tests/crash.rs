//! A writer killed in the middle of its poll loop loses nothing it acknowledged.
//!
//! The test binary runs itself again as the writer (`SESSIONKIT_STORE_CHILD` set to the
//! database path selects [`crash_child_writer`]); the writer prints `ACK <hash>` after each
//! `record_poll` returns, and the parent kills it (SIGKILL on Unix) after some
//! acknowledgements, reopens the file and finds every acknowledged hash.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{message, TempDir};
use session_client::store::{SqliteStore, Store};

const CHILD_ENV: &str = "SESSIONKIT_STORE_CHILD";
const ACCOUNT: &str = "05crash";

/// The writer, when run as the child; otherwise nothing.
#[test]
fn crash_child_writer() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let store = SqliteStore::open(path).unwrap();
    let mut out = std::io::stdout().lock();
    // Bounded even if nobody kills it.
    for i in 0..20_000u64 {
        let batch: Vec<_> = (0..3)
            .map(|j| message(ACCOUNT, 0, &format!("m{i}-{j}"), i, u64::MAX >> 2))
            .collect();
        let last = format!("m{i}-2");
        store.record_poll(ACCOUNT, 0, &batch, Some(&last)).unwrap();
        writeln!(out, "ACK {last}").unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn killed_writer_loses_no_acknowledged_poll() {
    let started = Instant::now();
    let dir = TempDir::new("crash");
    let db = dir.db();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "crash_child_writer",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(hash) = line.strip_prefix("ACK ") {
                if tx.send(hash.to_owned()).is_err() {
                    break;
                }
            }
        }
    });

    // Wait for some acknowledgements (bounded), then kill mid-loop.
    let mut acked = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while acked.len() < 25 {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(hash) => acked.push(hash),
            Err(_) => break,
        }
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "the writer finished before it was killed"
    );
    // Lines printed before the kill are still in the pipe.
    reader.join().unwrap();
    acked.extend(rx.try_iter());
    assert!(
        acked.len() >= 25,
        "the writer acknowledged only {}",
        acked.len()
    );

    let store = SqliteStore::open(&db).unwrap();
    store.check_integrity().unwrap();
    let stored: std::collections::HashSet<String> = store
        .received(ACCOUNT, 0)
        .unwrap()
        .into_iter()
        .map(|m| m.hash)
        .collect();
    for hash in &acked {
        assert!(stored.contains(hash), "acknowledged {hash} is missing");
    }
    // The last hash is at least the last acknowledged one (the writer may have committed
    // one more poll before it died, never fewer).
    let last = store.last_hash(ACCOUNT, 0).unwrap().unwrap();
    let number = |h: &str| -> u64 { h[1..h.find('-').unwrap()].parse().unwrap() };
    assert!(number(&last) >= number(acked.last().unwrap()));
    // Every poll is whole: three messages per recorded poll.
    assert_eq!(stored.len() % 3, 0);
    assert!(started.elapsed() < Duration::from_secs(10));
}
