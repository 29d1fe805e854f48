//! Persistence: the account seed (optionally sealed with a passphrase), config dumps, the
//! last retrieved hash per account and namespace, the node pool cache and received messages.
//!
//! [`Store`] is the interface; [`MemoryStore`] and [`SqliteStore`] implement it and pass the
//! same test suite. Every method is synchronous and every write is atomic: when a method
//! returns `Ok`, what it wrote is durable (for [`SqliteStore`]: committed with
//! `synchronous=FULL`). [`Store::record_poll`] writes a poll's messages and the new last hash
//! in one transaction, so a message acknowledged to the caller is on disk.

mod memory;
mod seal;
mod sqlite;

pub use memory::MemoryStore;
pub use seal::{IdentityRecord, KdfParams, SealedSeed};
pub use sqlite::{DatabaseError, SqliteStore};

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database refused or failed the operation.
    #[error("database error: {0}")]
    Database(#[from] DatabaseError),
    /// The passphrase does not open the sealed seed (or the sealed record was altered).
    #[error("wrong passphrase, or the sealed seed was altered")]
    WrongPassphrase,
    /// The identity is sealed and no passphrase was given.
    #[error("the stored seed is sealed with a passphrase")]
    PassphraseRequired,
    /// A stored record could not be read.
    #[error("stored {what} is corrupt")]
    Corrupt {
        /// Which record.
        what: &'static str,
    },
    /// A stored identity record has a format this version does not know.
    #[error("unknown identity record format {tag}")]
    UnknownRecordFormat {
        /// The record's first byte.
        tag: u8,
    },
    /// Argon2 parameters outside the accepted range.
    #[error("invalid key derivation parameters: {reason}")]
    InvalidKdfParams {
        /// What is wrong.
        reason: &'static str,
    },
    /// The database was written by a newer version of this crate.
    #[error("database schema version {found} is newer than the supported {supported}")]
    SchemaTooNew {
        /// The database's `user_version`.
        found: i64,
        /// The newest this crate knows.
        supported: i64,
    },
    /// A millisecond timestamp above `i64::MAX` (SQLite's integer range).
    #[error("timestamp {0} ms is out of range")]
    TimestampOutOfRange(u64),
    /// A message given to [`Store::record_poll`] belongs to another account or namespace.
    #[error("message {hash} does not belong to the polled account and namespace")]
    PollMismatch {
        /// The message's hash.
        hash: String,
    },
}

/// The cached node pool: bytes serialized elsewhere and when they were saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodePoolCache {
    /// The serialized pool (opaque here).
    pub blob: Vec<u8>,
    /// When it was saved, in milliseconds since the Unix epoch.
    pub saved_at_ms: u64,
}

/// A message retrieved from an account's swarm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMessage {
    /// The account it was retrieved for (a Session ID or group ID in hex).
    pub account: String,
    /// The swarm namespace.
    pub namespace: i16,
    /// The server's hash of the message; unique per account.
    pub hash: String,
    /// When it was stored, in milliseconds since the Unix epoch.
    pub timestamp_ms: u64,
    /// When the server deletes it, in milliseconds since the Unix epoch.
    pub expiry_ms: u64,
    /// The stored bytes.
    pub body: Vec<u8>,
}

/// Persistent client state. Object safe (`&dyn Store`), shareable across threads.
///
/// Received messages are listed oldest first: by `timestamp_ms`, then in insertion order.
pub trait Store: Send + Sync {
    /// Saves the account identity, replacing any earlier one.
    fn put_identity(&self, record: &IdentityRecord) -> Result<(), StoreError>;
    /// The saved account identity.
    fn identity(&self) -> Result<Option<IdentityRecord>, StoreError>;

    /// Saves the dump of the config named `name`, replacing any earlier one.
    fn put_config_dump(&self, name: &str, dump: &[u8]) -> Result<(), StoreError>;
    /// The saved dump of the config named `name`.
    fn config_dump(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError>;

    /// Saves the last hash retrieved for `account` in `namespace`.
    fn put_last_hash(&self, account: &str, namespace: i16, hash: &str) -> Result<(), StoreError>;
    /// The last hash retrieved for `account` in `namespace`.
    fn last_hash(&self, account: &str, namespace: i16) -> Result<Option<String>, StoreError>;

    /// Saves the node pool cache, replacing any earlier one.
    fn put_node_pool(&self, pool: &NodePoolCache) -> Result<(), StoreError>;
    /// The saved node pool cache.
    fn node_pool(&self) -> Result<Option<NodePoolCache>, StoreError>;

    /// Saves a received message. Returns whether it was new: a message whose
    /// `(account, hash)` is already stored is ignored.
    fn insert_received(&self, message: &ReceivedMessage) -> Result<bool, StoreError>;
    /// The messages of `account` in `namespace`, oldest first.
    fn received(&self, account: &str, namespace: i16) -> Result<Vec<ReceivedMessage>, StoreError>;
    /// The messages of `account` (every namespace) with `timestamp_ms >= since_ms`, oldest
    /// first.
    fn received_since(
        &self,
        account: &str,
        since_ms: u64,
    ) -> Result<Vec<ReceivedMessage>, StoreError>;
    /// Deletes the messages with `expiry_ms <= now_ms`; returns how many.
    fn delete_expired(&self, now_ms: u64) -> Result<usize, StoreError>;

    /// Records one poll of `account`'s `namespace` atomically: inserts `messages` (as
    /// [`insert_received`](Store::insert_received)) and, if given, sets the last hash, all in
    /// one transaction. Returns, for each message, whether it was new. A message of another
    /// account or namespace fails the whole call with [`StoreError::PollMismatch`] and writes
    /// nothing.
    fn record_poll(
        &self,
        account: &str,
        namespace: i16,
        messages: &[ReceivedMessage],
        last_hash: Option<&str>,
    ) -> Result<Vec<bool>, StoreError>;
}

/// Checks a poll's messages and timestamps before anything is written.
pub(crate) fn check_poll(
    account: &str,
    namespace: i16,
    messages: &[ReceivedMessage],
) -> Result<(), StoreError> {
    for m in messages {
        if m.account != account || m.namespace != namespace {
            return Err(StoreError::PollMismatch {
                hash: m.hash.clone(),
            });
        }
        check_message(m)?;
    }
    Ok(())
}

/// A timestamp SQLite can hold.
pub(crate) fn check_millis(ms: u64) -> Result<i64, StoreError> {
    i64::try_from(ms).map_err(|_| StoreError::TimestampOutOfRange(ms))
}

pub(crate) fn check_message(m: &ReceivedMessage) -> Result<(), StoreError> {
    check_millis(m.timestamp_ms)?;
    check_millis(m.expiry_ms)?;
    Ok(())
}
