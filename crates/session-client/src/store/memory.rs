//! [`MemoryStore`]: everything in memory, behind one mutex.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::{
    check_message, check_millis, check_poll, IdentityRecord, NodePoolCache, ReceivedMessage, Store,
    StoreError,
};

#[derive(Default)]
struct State {
    identity: Option<IdentityRecord>,
    configs: HashMap<String, Vec<u8>>,
    last_hashes: HashMap<(String, i16), String>,
    node_pool: Option<NodePoolCache>,
    /// By insertion number.
    received: BTreeMap<u64, ReceivedMessage>,
    /// `(account, hash)` of every stored message.
    keys: HashSet<(String, String)>,
    next_seq: u64,
}

impl State {
    fn insert(&mut self, m: &ReceivedMessage) -> bool {
        if !self.keys.insert((m.account.clone(), m.hash.clone())) {
            return false;
        }
        self.received.insert(self.next_seq, m.clone());
        self.next_seq += 1;
        true
    }

    fn list(&self, keep: impl Fn(&ReceivedMessage) -> bool) -> Vec<ReceivedMessage> {
        let mut out: Vec<(u64, &ReceivedMessage)> = self
            .received
            .iter()
            .filter(|(_, m)| keep(m))
            .map(|(&seq, m)| (seq, m))
            .collect();
        out.sort_by_key(|&(seq, m)| (m.timestamp_ms, seq));
        out.into_iter().map(|(_, m)| m.clone()).collect()
    }
}

/// A [`Store`] in memory: for tests, and for clients that keep nothing between runs.
/// Nothing survives the value.
#[derive(Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Every method leaves the state consistent before anything can panic.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl core::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MemoryStore").finish_non_exhaustive()
    }
}

impl Store for MemoryStore {
    fn put_identity(&self, record: &IdentityRecord) -> Result<(), StoreError> {
        self.state().identity = Some(record.clone());
        Ok(())
    }

    fn identity(&self) -> Result<Option<IdentityRecord>, StoreError> {
        Ok(self.state().identity.clone())
    }

    fn put_config_dump(&self, name: &str, dump: &[u8]) -> Result<(), StoreError> {
        self.state().configs.insert(name.to_owned(), dump.to_vec());
        Ok(())
    }

    fn config_dump(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.state().configs.get(name).cloned())
    }

    fn put_last_hash(&self, account: &str, namespace: i16, hash: &str) -> Result<(), StoreError> {
        self.state()
            .last_hashes
            .insert((account.to_owned(), namespace), hash.to_owned());
        Ok(())
    }

    fn last_hash(&self, account: &str, namespace: i16) -> Result<Option<String>, StoreError> {
        Ok(self
            .state()
            .last_hashes
            .get(&(account.to_owned(), namespace))
            .cloned())
    }

    fn put_node_pool(&self, pool: &NodePoolCache) -> Result<(), StoreError> {
        check_millis(pool.saved_at_ms)?;
        self.state().node_pool = Some(pool.clone());
        Ok(())
    }

    fn node_pool(&self) -> Result<Option<NodePoolCache>, StoreError> {
        Ok(self.state().node_pool.clone())
    }

    fn insert_received(&self, message: &ReceivedMessage) -> Result<bool, StoreError> {
        check_message(message)?;
        Ok(self.state().insert(message))
    }

    fn received(&self, account: &str, namespace: i16) -> Result<Vec<ReceivedMessage>, StoreError> {
        Ok(self
            .state()
            .list(|m| m.account == account && m.namespace == namespace))
    }

    fn received_since(
        &self,
        account: &str,
        since_ms: u64,
    ) -> Result<Vec<ReceivedMessage>, StoreError> {
        check_millis(since_ms)?;
        Ok(self
            .state()
            .list(|m| m.account == account && m.timestamp_ms >= since_ms))
    }

    fn delete_expired(&self, now_ms: u64) -> Result<usize, StoreError> {
        check_millis(now_ms)?;
        let mut state = self.state();
        let expired: Vec<u64> = state
            .received
            .iter()
            .filter(|(_, m)| m.expiry_ms <= now_ms)
            .map(|(&seq, _)| seq)
            .collect();
        for seq in &expired {
            if let Some(m) = state.received.remove(seq) {
                state.keys.remove(&(m.account, m.hash));
            }
        }
        Ok(expired.len())
    }

    fn record_poll(
        &self,
        account: &str,
        namespace: i16,
        messages: &[ReceivedMessage],
        last_hash: Option<&str>,
    ) -> Result<Vec<bool>, StoreError> {
        check_poll(account, namespace, messages)?;
        let mut state = self.state();
        let new = messages.iter().map(|m| state.insert(m)).collect();
        if let Some(hash) = last_hash {
            state
                .last_hashes
                .insert((account.to_owned(), namespace), hash.to_owned());
        }
        Ok(new)
    }
}
