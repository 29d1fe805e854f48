//! [`SqliteStore`]: one SQLite file in WAL mode with `synchronous=FULL`.

use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

use super::{
    check_message, check_millis, check_poll, IdentityRecord, NodePoolCache, ReceivedMessage, Store,
    StoreError,
};

/// An error from SQLite (the driver's error, kept as the source).
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct DatabaseError(#[from] rusqlite::Error);

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Database(DatabaseError(e))
    }
}

/// Schema migrations: entry `i` takes `user_version` from `i` to `i + 1`.
const MIGRATIONS: &[&str] = &["
    CREATE TABLE identity (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        record BLOB NOT NULL
    );
    CREATE TABLE config_dumps (
        name TEXT PRIMARY KEY NOT NULL,
        dump BLOB NOT NULL
    );
    CREATE TABLE last_hashes (
        account TEXT NOT NULL,
        namespace INTEGER NOT NULL,
        hash TEXT NOT NULL,
        PRIMARY KEY (account, namespace)
    );
    CREATE TABLE node_pool (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        blob BLOB NOT NULL,
        saved_at_ms INTEGER NOT NULL
    );
    CREATE TABLE received (
        seq INTEGER PRIMARY KEY,
        account TEXT NOT NULL,
        namespace INTEGER NOT NULL,
        hash TEXT NOT NULL,
        timestamp_ms INTEGER NOT NULL,
        expiry_ms INTEGER NOT NULL,
        body BLOB NOT NULL,
        UNIQUE (account, hash)
    );
    CREATE INDEX received_by_time ON received (account, timestamp_ms, seq);
    CREATE INDEX received_by_expiry ON received (expiry_ms);
"];

/// How long a write waits for another connection's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

const SELECT_RECEIVED: &str =
    "SELECT account, namespace, hash, timestamp_ms, expiry_ms, body FROM received";

/// A [`Store`] in one SQLite file.
///
/// Opened in WAL mode with `synchronous=FULL` (a committed write survives a crash of the
/// process or the machine), `secure_delete` (deleted rows are overwritten) and a 5 s busy
/// timeout; every write is one `BEGIN IMMEDIATE` transaction. The schema version is the
/// database's `user_version`; [`open`](Self::open) migrates older files and refuses newer
/// ones. A seed stored as [`IdentityRecord::Plain`] is in the file in the clear: seal it for
/// protection at rest.
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

impl core::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Corrupt {
                what: "database (WAL mode refused)",
            });
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "secure_delete", "ON")?;
        migrate(&mut conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    /// The schema version this crate writes.
    pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

    /// Runs SQLite's `integrity_check`; [`StoreError::Corrupt`] unless it answers `ok`.
    pub fn check_integrity(&self) -> Result<(), StoreError> {
        let answer: String = self
            .conn()
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
        if answer == "ok" {
            Ok(())
        } else {
            Err(StoreError::Corrupt { what: "database" })
        }
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic inside a transaction rolls it back when the transaction drops.
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    fn list(
        &self,
        sql: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<ReceivedMessage>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map(args, |row| {
            Ok(ReceivedMessage {
                account: row.get(0)?,
                namespace: row.get(1)?,
                hash: row.get(2)?,
                timestamp_ms: millis(row.get(3)?),
                expiry_ms: millis(row.get(4)?),
                body: row.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Stored timestamps were checked non-negative on the way in.
fn millis(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let supported = SqliteStore::SCHEMA_VERSION;
    if found > supported {
        return Err(StoreError::SchemaTooNew { found, supported });
    }
    let start = usize::try_from(found).map_err(|_| StoreError::Corrupt {
        what: "database (negative user_version)",
    })?;
    for sql in &MIGRATIONS[start..] {
        tx.execute_batch(sql)?;
    }
    if found < supported {
        tx.pragma_update(None, "user_version", supported)?;
    }
    tx.commit()?;
    Ok(())
}

fn insert(tx: &Transaction<'_>, m: &ReceivedMessage) -> Result<bool, StoreError> {
    let mut stmt = tx.prepare_cached(
        "INSERT OR IGNORE INTO received (account, namespace, hash, timestamp_ms, expiry_ms, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let n = stmt.execute(params![
        m.account,
        m.namespace,
        m.hash,
        check_millis(m.timestamp_ms)?,
        check_millis(m.expiry_ms)?,
        m.body
    ])?;
    Ok(n == 1)
}

fn set_last_hash(
    tx: &Transaction<'_>,
    account: &str,
    namespace: i16,
    hash: &str,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO last_hashes (account, namespace, hash) VALUES (?1, ?2, ?3)
         ON CONFLICT (account, namespace) DO UPDATE SET hash = excluded.hash",
    )?
    .execute(params![account, namespace, hash])?;
    Ok(())
}

impl Store for SqliteStore {
    fn put_identity(&self, record: &IdentityRecord) -> Result<(), StoreError> {
        let bytes = record.to_bytes();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO identity (id, record) VALUES (1, ?1)
                 ON CONFLICT (id) DO UPDATE SET record = excluded.record",
                [&bytes[..]],
            )?;
            Ok(())
        })
    }

    fn identity(&self) -> Result<Option<IdentityRecord>, StoreError> {
        let bytes: Option<zeroize::Zeroizing<Vec<u8>>> = self
            .conn()
            .query_row("SELECT record FROM identity WHERE id = 1", [], |row| {
                row.get::<_, Vec<u8>>(0).map(zeroize::Zeroizing::new)
            })
            .optional()?;
        bytes.map(|b| IdentityRecord::from_bytes(&b)).transpose()
    }

    fn put_config_dump(&self, name: &str, dump: &[u8]) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO config_dumps (name, dump) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET dump = excluded.dump",
                params![name, dump],
            )?;
            Ok(())
        })
    }

    fn config_dump(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT dump FROM config_dumps WHERE name = ?1",
                [name],
                |row| row.get(0),
            )
            .optional()?)
    }

    fn put_last_hash(&self, account: &str, namespace: i16, hash: &str) -> Result<(), StoreError> {
        self.write(|tx| set_last_hash(tx, account, namespace, hash))
    }

    fn last_hash(&self, account: &str, namespace: i16) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT hash FROM last_hashes WHERE account = ?1 AND namespace = ?2",
                params![account, namespace],
                |row| row.get(0),
            )
            .optional()?)
    }

    fn put_node_pool(&self, pool: &NodePoolCache) -> Result<(), StoreError> {
        let saved = check_millis(pool.saved_at_ms)?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO node_pool (id, blob, saved_at_ms) VALUES (1, ?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET blob = excluded.blob,
                     saved_at_ms = excluded.saved_at_ms",
                params![pool.blob, saved],
            )?;
            Ok(())
        })
    }

    fn node_pool(&self) -> Result<Option<NodePoolCache>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT blob, saved_at_ms FROM node_pool WHERE id = 1",
                [],
                |row| {
                    Ok(NodePoolCache {
                        blob: row.get(0)?,
                        saved_at_ms: millis(row.get(1)?),
                    })
                },
            )
            .optional()?)
    }

    fn insert_received(&self, message: &ReceivedMessage) -> Result<bool, StoreError> {
        check_message(message)?;
        self.write(|tx| insert(tx, message))
    }

    fn received(&self, account: &str, namespace: i16) -> Result<Vec<ReceivedMessage>, StoreError> {
        self.list(
            &format!(
                "{SELECT_RECEIVED} WHERE account = ?1 AND namespace = ?2 ORDER BY timestamp_ms, seq"
            ),
            params![account, namespace],
        )
    }

    fn received_since(
        &self,
        account: &str,
        since_ms: u64,
    ) -> Result<Vec<ReceivedMessage>, StoreError> {
        let since = check_millis(since_ms)?;
        self.list(
            &format!(
                "{SELECT_RECEIVED} WHERE account = ?1 AND timestamp_ms >= ?2 ORDER BY timestamp_ms, seq"
            ),
            params![account, since],
        )
    }

    fn delete_expired(&self, now_ms: u64) -> Result<usize, StoreError> {
        let now = check_millis(now_ms)?;
        self.write(|tx| Ok(tx.execute("DELETE FROM received WHERE expiry_ms <= ?1", [now])?))
    }

    fn record_poll(
        &self,
        account: &str,
        namespace: i16,
        messages: &[ReceivedMessage],
        last_hash: Option<&str>,
    ) -> Result<Vec<bool>, StoreError> {
        check_poll(account, namespace, messages)?;
        self.write(|tx| {
            let new = messages
                .iter()
                .map(|m| insert(tx, m))
                .collect::<Result<Vec<_>, _>>()?;
            if let Some(hash) = last_hash {
                set_last_hash(tx, account, namespace, hash)?;
            }
            Ok(new)
        })
    }
}
