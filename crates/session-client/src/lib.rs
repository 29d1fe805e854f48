//! The I/O layer of sessionkit: the parts of a Session client that touch the outside world.
//!
//! The protocol crates below it (`session-identity`, `session-swarm`, `session-onion`, …) are
//! sans-IO: they read no clock, open no file or socket and draw no randomness of their own.
//! This crate is where a client does those things. For now it holds [`store`], the
//! persistence of a client's state; more modules (transport, node pool upkeep, messaging)
//! will be added here.
//!
//! Even here, randomness is still an argument (`rng: &mut impl CryptoRng`), never a global,
//! and "now" is a millisecond timestamp the caller passes.
//!
//! ```
//! use rand_core::SeedableRng;
//! use session_client::store::{IdentityRecord, KdfParams, ReceivedMessage, SqliteStore, Store};
//! use session_identity::Seed;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = std::env::temp_dir().join(format!("session-client-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let store = SqliteStore::open(dir.join("client.db"))?;
//!
//! // The seed, sealed with a passphrase (cheap parameters for the example; use
//! // `KdfParams::DEFAULT` in a product).
//! let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7); // any rand_core::CryptoRng
//! let seed = Seed::from_legacy_bytes([42; 16]);
//! let cheap = KdfParams { m_cost_kib: 256, t_cost: 1, p_cost: 1 };
//! store.put_identity(&IdentityRecord::seal(&seed, b"correct horse", cheap, &mut rng)?)?;
//! let record = store.identity()?.ok_or("no identity")?;
//! assert_eq!(record.unlock(Some(b"correct horse"))?, seed);
//! assert!(record.unlock(Some(b"wrong")).is_err());
//!
//! // One poll: the messages and the new last hash in one transaction.
//! let account = "05".to_owned() + &"ab".repeat(32);
//! let message = ReceivedMessage {
//!     account: account.clone(),
//!     namespace: 0,
//!     hash: "hash-1".into(),
//!     timestamp_ms: 1_700_000_000_000,
//!     expiry_ms: 1_700_086_400_000,
//!     body: b"sealed bytes".to_vec(),
//! };
//! let new = store.record_poll(&account, 0, &[message.clone()], Some("hash-1"))?;
//! assert_eq!(new, [true]);
//! assert_eq!(store.last_hash(&account, 0)?.as_deref(), Some("hash-1"));
//! assert_eq!(store.received(&account, 0)?, [message]);
//! drop(store);
//! std::fs::remove_dir_all(&dir)?;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

pub mod store;
