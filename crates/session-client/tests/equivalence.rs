//! A random sequence of operations gives the same answers from MemoryStore and SqliteStore.
#![allow(clippy::unwrap_used)]

mod common;

use common::TempDir;
use proptest::prelude::*;
use session_client::store::{
    IdentityRecord, MemoryStore, NodePoolCache, ReceivedMessage, SqliteStore, Store,
};
use session_identity::Seed;

#[derive(Debug, Clone)]
enum Op {
    PutIdentity([u8; 16]),
    Identity,
    PutConfig(String, Vec<u8>),
    Config(String),
    PutLastHash(String, i16, String),
    LastHash(String, i16),
    PutPool(Vec<u8>, u64),
    Pool,
    Insert(ReceivedMessage),
    Received(String, i16),
    Since(String, u64),
    DeleteExpired(u64),
    Poll(String, i16, Vec<ReceivedMessage>, Option<String>),
}

fn account() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["05aa".to_owned(), "05bb".to_owned()])
}
fn namespace() -> impl Strategy<Value = i16> {
    prop::sample::select(vec![0i16, -10, 5])
}
fn hash() -> impl Strategy<Value = String> {
    (0u8..6).prop_map(|h| format!("h{h}"))
}
fn millis() -> impl Strategy<Value = u64> {
    0u64..100
}
fn message() -> impl Strategy<Value = ReceivedMessage> {
    (
        account(),
        namespace(),
        hash(),
        millis(),
        millis(),
        prop::collection::vec(any::<u8>(), 0..4),
    )
        .prop_map(
            |(account, namespace, hash, timestamp_ms, expiry_ms, body)| ReceivedMessage {
                account,
                namespace,
                hash,
                timestamp_ms,
                expiry_ms,
                body,
            },
        )
}

fn op() -> impl Strategy<Value = Op> {
    let name = prop::sample::select(vec!["UserProfile".to_owned(), "Contacts".to_owned()]);
    prop_oneof![
        1 => any::<[u8; 16]>().prop_map(Op::PutIdentity),
        1 => Just(Op::Identity),
        1 => (name.clone(), prop::collection::vec(any::<u8>(), 0..4))
            .prop_map(|(n, d)| Op::PutConfig(n, d)),
        1 => name.prop_map(Op::Config),
        1 => (account(), namespace(), hash()).prop_map(|(a, n, h)| Op::PutLastHash(a, n, h)),
        1 => (account(), namespace()).prop_map(|(a, n)| Op::LastHash(a, n)),
        1 => (prop::collection::vec(any::<u8>(), 0..4), millis()).prop_map(|(b, t)| Op::PutPool(b, t)),
        1 => Just(Op::Pool),
        3 => message().prop_map(Op::Insert),
        1 => (account(), namespace()).prop_map(|(a, n)| Op::Received(a, n)),
        1 => (account(), millis()).prop_map(|(a, t)| Op::Since(a, t)),
        1 => millis().prop_map(Op::DeleteExpired),
        // Mostly well-formed polls (every message the poll's), sometimes a stranger's message.
        3 => (
            account(),
            namespace(),
            prop::collection::vec(message(), 0..4),
            proptest::option::of(hash()),
            any::<bool>()
        )
            .prop_map(|(a, n, mut ms, last, keep_strangers)| {
                if !keep_strangers {
                    for m in &mut ms {
                        m.account = a.clone();
                        m.namespace = n;
                    }
                }
                Op::Poll(a, n, ms, last)
            }),
    ]
}

/// What an operation gave, comparable across stores (errors by their message).
fn apply(store: &dyn Store, op: &Op) -> String {
    let answer = match op {
        Op::PutIdentity(b) => format!(
            "{:?}",
            store.put_identity(&IdentityRecord::Plain(Seed::from_legacy_bytes(*b)))
        ),
        Op::Identity => format!(
            "{:?}",
            store
                .identity()
                .map(|r| r.map(|r| r.unlock(None).unwrap().expose_entropy().to_vec()))
        ),
        Op::PutConfig(n, d) => format!("{:?}", store.put_config_dump(n, d)),
        Op::Config(n) => format!("{:?}", store.config_dump(n)),
        Op::PutLastHash(a, n, h) => format!("{:?}", store.put_last_hash(a, *n, h)),
        Op::LastHash(a, n) => format!("{:?}", store.last_hash(a, *n)),
        Op::PutPool(blob, t) => format!(
            "{:?}",
            store.put_node_pool(&NodePoolCache {
                blob: blob.clone(),
                saved_at_ms: *t
            })
        ),
        Op::Pool => format!("{:?}", store.node_pool()),
        Op::Insert(m) => format!("{:?}", store.insert_received(m)),
        Op::Received(a, n) => format!("{:?}", store.received(a, *n)),
        Op::Since(a, t) => format!("{:?}", store.received_since(a, *t)),
        Op::DeleteExpired(t) => format!("{:?}", store.delete_expired(*t)),
        Op::Poll(a, n, ms, last) => format!("{:?}", store.record_poll(a, *n, ms, last.as_deref())),
    };
    answer
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn memory_and_sqlite_stores_agree(ops in prop::collection::vec(op(), 1..40)) {
        let dir = TempDir::new("equivalence");
        let memory = MemoryStore::new();
        let sqlite = SqliteStore::open(dir.db()).unwrap();
        for (i, op) in ops.iter().enumerate() {
            let (m, s) = (apply(&memory, op), apply(&sqlite, op));
            prop_assert_eq!(&m, &s, "operation {} {:?}", i, op);
        }
        // And the file says the same after reopening.
        drop(sqlite);
        let reopened = SqliteStore::open(dir.db()).unwrap();
        for a in ["05aa", "05bb"] {
            prop_assert_eq!(
                memory.received_since(a, 0).unwrap(),
                reopened.received_since(a, 0).unwrap()
            );
        }
    }
}
