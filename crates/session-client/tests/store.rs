//! The shared suite on both stores, sealing, reopening, schema versions.
#![allow(clippy::unwrap_used)]

mod common;

use common::{message, suite, TempDir};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use session_client::store::{
    IdentityRecord, KdfParams, MemoryStore, NodePoolCache, SqliteStore, Store, StoreError,
};
use session_identity::Seed;

/// Cheap Argon2id for tests (the crate is not optimised in test builds).
const CHEAP: KdfParams = KdfParams {
    m_cost_kib: 64,
    t_cost: 1,
    p_cost: 1,
};

#[test]
fn memory_store_passes_the_suite() {
    suite(&MemoryStore::new());
}

#[test]
fn sqlite_store_passes_the_suite() {
    let dir = TempDir::new("suite");
    let store = SqliteStore::open(dir.db()).unwrap();
    suite(&store);
    store.check_integrity().unwrap();
}

#[test]
fn stores_are_shareable_trait_objects() {
    let dir = TempDir::new("dyn");
    let stores: Vec<std::sync::Arc<dyn Store>> = vec![
        std::sync::Arc::new(MemoryStore::new()),
        std::sync::Arc::new(SqliteStore::open(dir.db()).unwrap()),
    ];
    for store in stores {
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let store = store.clone();
                std::thread::spawn(move || {
                    for i in 0..10 {
                        let m = message("05aa", 0, &format!("t{t}-{i}"), i, 100);
                        assert!(store.insert_received(&m).unwrap());
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(store.received("05aa", 0).unwrap().len(), 40);
    }
}

#[test]
fn sealed_seed_round_trips_through_both_stores() {
    let dir = TempDir::new("seal");
    let sqlite = SqliteStore::open(dir.db()).unwrap();
    let memory = MemoryStore::new();
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    for seed in [
        Seed::from_legacy_bytes([3; 16]),
        Seed::from_full_bytes([4; 32]),
    ] {
        let record = IdentityRecord::seal(&seed, b"passphrase", CHEAP, &mut rng).unwrap();
        assert!(record.is_sealed());
        for store in [&sqlite as &dyn Store, &memory] {
            store.put_identity(&record).unwrap();
            let back = store.identity().unwrap().unwrap();
            assert_eq!(back, record);
            assert_eq!(back.unlock(Some(b"passphrase")).unwrap(), seed);
        }
    }
}

#[test]
fn sealing_twice_differs_and_records_its_parameters() {
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let seed = Seed::from_legacy_bytes([5; 16]);
    let a = IdentityRecord::seal(&seed, b"pw", CHEAP, &mut rng).unwrap();
    let b = IdentityRecord::seal(&seed, b"pw", CHEAP, &mut rng).unwrap();
    assert_ne!(a.to_bytes(), b.to_bytes(), "fresh salt and nonce each time");
    let IdentityRecord::Sealed(sealed) = IdentityRecord::from_bytes(&a.to_bytes()).unwrap() else {
        panic!("not sealed");
    };
    assert_eq!(sealed.params(), CHEAP);
    // The seed appears nowhere in the stored bytes or in Debug.
    let bytes = a.to_bytes();
    assert!(!bytes.windows(16).any(|w| w == [5; 16]));
    let debug = format!("{a:?} {:?}", IdentityRecord::Plain(seed));
    assert!(!debug.contains("5, 5"), "{debug}");
}

#[test]
fn wrong_passphrase_is_a_typed_error() {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let seed = Seed::from_full_bytes([6; 32]);
    let record = IdentityRecord::seal(&seed, b"right", CHEAP, &mut rng).unwrap();
    assert!(matches!(
        record.unlock(Some(b"wrong")),
        Err(StoreError::WrongPassphrase)
    ));
    assert!(matches!(
        record.unlock(None),
        Err(StoreError::PassphraseRequired)
    ));
    assert_eq!(record.unlock(Some(b"right")).unwrap(), seed);
}

#[test]
fn tampered_ciphertext_is_refused() {
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let seed = Seed::from_full_bytes([8; 32]);
    let bytes = IdentityRecord::seal(&seed, b"pw", CHEAP, &mut rng)
        .unwrap()
        .to_bytes();
    // Every byte after the format byte and the parameters (salt, nonce, ciphertext, tag).
    for i in 13..bytes.len() {
        let mut altered = bytes.to_vec();
        altered[i] ^= 0x01;
        let record = IdentityRecord::from_bytes(&altered).unwrap();
        assert!(
            matches!(record.unlock(Some(b"pw")), Err(StoreError::WrongPassphrase)),
            "byte {i}"
        );
    }
    // A changed cost parameter (authenticated too) fails to open as well.
    let mut altered = bytes.to_vec();
    altered[5] ^= 0x01; // t_cost 1 -> 0 is invalid; make it 3
    altered[5] = 2;
    let record = IdentityRecord::from_bytes(&altered).unwrap();
    assert!(matches!(
        record.unlock(Some(b"pw")),
        Err(StoreError::WrongPassphrase)
    ));
    // Truncated, unknown format, huge parameters.
    assert!(IdentityRecord::from_bytes(&bytes[..20]).is_err());
    assert!(matches!(
        IdentityRecord::from_bytes(&[9, 1, 2]),
        Err(StoreError::UnknownRecordFormat { tag: 9 })
    ));
    let mut huge = bytes.to_vec();
    huge[1..5].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(
        IdentityRecord::from_bytes(&huge)
            .unwrap()
            .unlock(Some(b"pw")),
        Err(StoreError::InvalidKdfParams { .. })
    ));
}

#[test]
fn sqlite_file_reopened_after_drop_keeps_everything() {
    let dir = TempDir::new("reopen");
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let seed = Seed::from_legacy_bytes([1; 16]);
    let record = IdentityRecord::seal(&seed, b"pw", CHEAP, &mut rng).unwrap();
    let pool = NodePoolCache {
        blob: b"pool".to_vec(),
        saved_at_ms: 42,
    };
    let m = message("05aa", 0, "m1", 10, 20);
    {
        let store = SqliteStore::open(dir.db()).unwrap();
        store.put_identity(&record).unwrap();
        store.put_config_dump("UserProfile", b"dump").unwrap();
        store.put_node_pool(&pool).unwrap();
        store
            .record_poll("05aa", 0, std::slice::from_ref(&m), Some("m1"))
            .unwrap();
    }
    let store = SqliteStore::open(dir.db()).unwrap();
    store.check_integrity().unwrap();
    assert_eq!(
        store
            .identity()
            .unwrap()
            .unwrap()
            .unlock(Some(b"pw"))
            .unwrap(),
        seed
    );
    assert_eq!(store.config_dump("UserProfile").unwrap().unwrap(), b"dump");
    assert_eq!(store.node_pool().unwrap().unwrap(), pool);
    assert_eq!(store.last_hash("05aa", 0).unwrap().as_deref(), Some("m1"));
    assert_eq!(store.received("05aa", 0).unwrap(), std::slice::from_ref(&m));
    assert!(!store.insert_received(&m).unwrap());
}

#[test]
fn two_handles_on_one_file_see_each_other() {
    let dir = TempDir::new("two");
    let a = SqliteStore::open(dir.db()).unwrap();
    let b = SqliteStore::open(dir.db()).unwrap();
    a.put_last_hash("05aa", 0, "h").unwrap();
    assert_eq!(b.last_hash("05aa", 0).unwrap().as_deref(), Some("h"));
    assert!(b.insert_received(&message("05aa", 0, "x", 1, 2)).unwrap());
    assert!(!a.insert_received(&message("05aa", 0, "x", 1, 2)).unwrap());
}

#[test]
fn newer_schema_is_refused() {
    let dir = TempDir::new("schema");
    drop(SqliteStore::open(dir.db()).unwrap());
    {
        let conn = rusqlite::Connection::open(dir.db()).unwrap();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SqliteStore::SCHEMA_VERSION);
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        conn.pragma_update(None, "user_version", SqliteStore::SCHEMA_VERSION + 1)
            .unwrap();
    }
    assert!(matches!(
        SqliteStore::open(dir.db()),
        Err(StoreError::SchemaTooNew { .. })
    ));
}

#[test]
fn corrupt_identity_row_is_a_typed_error() {
    let dir = TempDir::new("corrupt");
    drop(SqliteStore::open(dir.db()).unwrap());
    {
        let conn = rusqlite::Connection::open(dir.db()).unwrap();
        conn.execute(
            "INSERT INTO identity (id, record) VALUES (1, x'0110aa')",
            [],
        )
        .unwrap();
    }
    let store = SqliteStore::open(dir.db()).unwrap();
    assert!(matches!(store.identity(), Err(StoreError::Corrupt { .. })));
}

#[test]
fn invalid_kdf_parameters_are_refused_when_sealing() {
    let mut rng = ChaCha20Rng::seed_from_u64(6);
    let seed = Seed::from_legacy_bytes([2; 16]);
    for params in [
        KdfParams {
            m_cost_kib: 4,
            ..CHEAP
        },
        KdfParams { t_cost: 0, ..CHEAP },
        KdfParams {
            m_cost_kib: KdfParams::MAX_M_COST_KIB + 1,
            ..CHEAP
        },
    ] {
        assert!(matches!(
            IdentityRecord::seal(&seed, b"pw", params, &mut rng),
            Err(StoreError::InvalidKdfParams { .. })
        ));
    }
    assert_eq!(KdfParams::default(), KdfParams::DEFAULT);
}
