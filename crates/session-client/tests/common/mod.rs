//! Shared by the integration tests: a temporary directory and the suite every store passes.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use session_client::store::{IdentityRecord, NodePoolCache, ReceivedMessage, Store, StoreError};
use session_identity::Seed;

/// A directory under the system's temporary directory, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("session-client-{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn db(&self) -> PathBuf {
        self.0.join("client.db")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn message(account: &str, namespace: i16, hash: &str, ts: u64, expiry: u64) -> ReceivedMessage {
    ReceivedMessage {
        account: account.into(),
        namespace,
        hash: hash.into(),
        timestamp_ms: ts,
        expiry_ms: expiry,
        body: format!("body of {hash}").into_bytes(),
    }
}

/// What every [`Store`] must do, written once.
pub fn suite(store: &dyn Store) {
    // Empty.
    assert!(store.identity().unwrap().is_none());
    assert!(store.config_dump("UserProfile").unwrap().is_none());
    assert!(store.last_hash("05aa", 0).unwrap().is_none());
    assert!(store.node_pool().unwrap().is_none());
    assert!(store.received("05aa", 0).unwrap().is_empty());

    // Identity: replaced, legacy and full seeds both round-trip.
    let legacy = Seed::from_legacy_bytes([7; 16]);
    store
        .put_identity(&IdentityRecord::Plain(legacy.clone()))
        .unwrap();
    let got = store.identity().unwrap().unwrap();
    assert_eq!(got.unlock(None).unwrap(), legacy);
    let full = Seed::from_full_bytes([9; 32]);
    store
        .put_identity(&IdentityRecord::Plain(full.clone()))
        .unwrap();
    assert_eq!(
        store.identity().unwrap().unwrap().unlock(None).unwrap(),
        full
    );

    // Config dumps by name, replaced, empty allowed.
    store.put_config_dump("UserProfile", b"one").unwrap();
    store.put_config_dump("Contacts", b"").unwrap();
    store.put_config_dump("UserProfile", b"two").unwrap();
    assert_eq!(store.config_dump("UserProfile").unwrap().unwrap(), b"two");
    assert_eq!(store.config_dump("Contacts").unwrap().unwrap(), b"");
    assert!(store.config_dump("ConvoInfoVolatile").unwrap().is_none());

    // Last hashes per (account, namespace).
    store.put_last_hash("05aa", 0, "h1").unwrap();
    store.put_last_hash("05aa", -10, "h2").unwrap();
    store.put_last_hash("05bb", 0, "h3").unwrap();
    store.put_last_hash("05aa", 0, "h4").unwrap();
    assert_eq!(store.last_hash("05aa", 0).unwrap().as_deref(), Some("h4"));
    assert_eq!(store.last_hash("05aa", -10).unwrap().as_deref(), Some("h2"));
    assert_eq!(store.last_hash("05bb", 0).unwrap().as_deref(), Some("h3"));
    assert!(store.last_hash("05bb", 5).unwrap().is_none());

    // Node pool.
    let pool = NodePoolCache {
        blob: vec![1, 2, 3],
        saved_at_ms: 1_700_000_000_000,
    };
    store.put_node_pool(&pool).unwrap();
    assert_eq!(store.node_pool().unwrap().unwrap(), pool);
    let pool2 = NodePoolCache {
        blob: vec![],
        saved_at_ms: 5,
    };
    store.put_node_pool(&pool2).unwrap();
    assert_eq!(store.node_pool().unwrap().unwrap(), pool2);

    // Received messages: new, duplicates by (account, hash), ordered by timestamp then insertion.
    let a1 = message("05aa", 0, "a1", 300, 1000);
    let a2 = message("05aa", 0, "a2", 100, 2000);
    let a3 = message("05aa", 0, "a3", 300, 3000);
    let a4 = message("05aa", 5, "a4", 200, 1000);
    let b1 = message("05bb", 0, "a1", 50, 1000);
    for m in [&a1, &a2, &a3, &a4, &b1] {
        assert!(store.insert_received(m).unwrap(), "{}", m.hash);
    }
    assert!(!store.insert_received(&a1).unwrap());
    // Same hash in another namespace of the same account is a duplicate too.
    assert!(!store
        .insert_received(&message("05aa", 5, "a2", 1, 1))
        .unwrap());
    assert_eq!(
        store.received("05aa", 0).unwrap(),
        [a2.clone(), a1.clone(), a3.clone()]
    );
    assert_eq!(
        store.received("05aa", 5).unwrap(),
        std::slice::from_ref(&a4)
    );
    assert_eq!(
        store.received("05bb", 0).unwrap(),
        std::slice::from_ref(&b1)
    );
    assert_eq!(
        store.received_since("05aa", 200).unwrap(),
        [a4.clone(), a1.clone(), a3.clone()]
    );
    assert_eq!(store.received_since("05aa", 301).unwrap(), []);

    // Expiry: `expiry_ms <= now` goes.
    assert_eq!(store.delete_expired(999).unwrap(), 0);
    assert_eq!(store.delete_expired(1000).unwrap(), 3);
    assert_eq!(store.received("05aa", 0).unwrap(), [a2.clone(), a3.clone()]);
    assert!(store.received("05bb", 0).unwrap().is_empty());
    // A deleted message can come back.
    assert!(store.insert_received(&a1).unwrap());

    // Polls: the batch and the last hash together.
    let p1 = message("05cc", 2, "p1", 10, 5000);
    let p2 = message("05cc", 2, "p2", 20, 5000);
    let new = store
        .record_poll("05cc", 2, &[p1.clone(), p2.clone(), p1.clone()], Some("p2"))
        .unwrap();
    assert_eq!(new, [true, true, false]);
    assert_eq!(store.last_hash("05cc", 2).unwrap().as_deref(), Some("p2"));
    let new = store
        .record_poll("05cc", 2, std::slice::from_ref(&p2), None)
        .unwrap();
    assert_eq!(new, [false]);
    assert_eq!(store.last_hash("05cc", 2).unwrap().as_deref(), Some("p2"));
    assert_eq!(store.received("05cc", 2).unwrap(), [p1.clone(), p2.clone()]);

    // A poll with a stranger's message writes nothing.
    let p3 = message("05cc", 2, "p3", 30, 5000);
    let stranger = message("05dd", 2, "x", 30, 5000);
    let err = store
        .record_poll("05cc", 2, &[p3.clone(), stranger], Some("p3"))
        .unwrap_err();
    assert!(matches!(err, StoreError::PollMismatch { .. }), "{err}");
    assert_eq!(store.last_hash("05cc", 2).unwrap().as_deref(), Some("p2"));
    assert_eq!(store.received("05cc", 2).unwrap(), [p1, p2]);

    // Timestamps SQLite cannot hold are refused by every store.
    let huge = message("05cc", 2, "huge", u64::MAX, 1);
    assert!(matches!(
        store.insert_received(&huge),
        Err(StoreError::TimestampOutOfRange(_))
    ));
    assert!(matches!(
        store.record_poll("05cc", 2, &[huge], Some("huge")),
        Err(StoreError::TimestampOutOfRange(_))
    ));
    assert_eq!(store.last_hash("05cc", 2).unwrap().as_deref(), Some("p2"));
    assert!(store.delete_expired(u64::MAX).is_err());
}
