//! Multi-device sync of the account's configs (profile, contacts, conversations, groups)
//! through its swarm: what lets a second device restored from the recovery phrase see what the
//! first one set.

use session_config::{UserConfigs, UserKind};
use session_swarm::{
    parse_store_reply, store_ttl_millis, MessageHash, MessageKind, Namespace, ReplyError, Signer,
    StorageRequest,
};

use crate::client::Client;
use crate::transport::Transport;
use crate::ClientError;

/// What one [`Client::sync_configs`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigSync {
    /// Per kind with new messages: how many were fetched and how many the merge took in.
    pub merged: Vec<(UserKind, usize, usize)>,
    /// Per kind pushed: the new seqno and the hash the swarm stored it under.
    pub pushed: Vec<(UserKind, i64, MessageHash)>,
}

/// The store key of a kind's dump.
fn dump_name(kind: UserKind) -> String {
    format!("user-config-{}", kind.namespace())
}

impl<T: Transport> Client<T> {
    /// Stores `data` in one of this account's own namespaces for `ttl_ms` (a signed store);
    /// returns the hash every answering member signed.
    pub async fn store_own(
        &self,
        namespace: Namespace,
        data: &[u8],
        ttl_ms: u64,
    ) -> Result<MessageHash, ClientError> {
        self.store_as(&Signer::user(self.identity()), namespace, data, ttl_ms)
            .await
    }

    /// Stores `data` for `ttl_ms` in `namespace` of the account `signer` signs for (this one,
    /// or a group's swarm as admin or as a member with a subaccount); returns the hash every
    /// answering member signed.
    pub async fn store_as(
        &self,
        signer: &Signer<'_>,
        namespace: Namespace,
        data: &[u8],
        ttl_ms: u64,
    ) -> Result<MessageHash, ClientError> {
        let account = signer.account();
        let body = self
            .network()
            .storage_request(&account, |now| {
                StorageRequest::store(&account, namespace, data, ttl_ms, now, Some(signer))
            })
            .await?;
        let reply = parse_store_reply(&body)?;
        let hash = MessageHash::compute(&account, namespace, data);
        if reply
            .successes()
            .any(|(node, result)| result.hash != hash || !result.verify(node))
        {
            return Err(ReplyError::MissingField("swarm.*.signature").into());
        }
        Ok(hash)
    }

    /// The account's configs as this device last saved them: the dumps in the store, with
    /// every config message the store still holds merged again (merging is idempotent), so a
    /// message recorded by a poll that was killed before the dump was written is not lost.
    pub fn load_configs(&self) -> Result<UserConfigs, ClientError> {
        let mut dumps = Vec::new();
        for kind in UserKind::ALL {
            if let Some(dump) = self.store().config_dump(&dump_name(kind))? {
                dumps.push((kind, dump));
            }
        }
        let mut configs = UserConfigs::load(
            self.identity(),
            dumps.iter().map(|(k, d)| (*k, d.as_slice())),
        )?;
        let account = self.session_id().to_hex();
        for kind in UserKind::ALL {
            let held = self.store().received(&account, kind.namespace())?;
            if !held.is_empty() {
                configs.merge(
                    kind,
                    held.iter().map(|m| (m.hash.as_str(), m.body.as_slice())),
                );
            }
        }
        Ok(configs)
    }

    /// One round of config sync: fetches each config namespace and merges what other devices
    /// pushed, pushes every config that changed here (storing it, confirming it, deleting the
    /// messages it made obsolete), then saves the dumps of what changed in the store.
    pub async fn sync_configs(&self, configs: &mut UserConfigs) -> Result<ConfigSync, ClientError> {
        let mut sync = ConfigSync::default();
        for kind in UserKind::ALL {
            let fresh = self.retrieve_new(Namespace::new(kind.namespace())).await?;
            if fresh.is_empty() {
                continue;
            }
            let accepted = configs.merge(
                kind,
                fresh.iter().map(|m| (m.hash.as_str(), m.body.as_slice())),
            );
            sync.merged.push((kind, fresh.len(), accepted.len()));
        }
        for kind in configs.needs_push() {
            let namespace = Namespace::new(kind.namespace());
            let now_ms =
                i64::try_from(self.network().network_now().as_millis()).unwrap_or(i64::MAX);
            let push = configs.push(kind, now_ms)?;
            let ttl = store_ttl_millis(MessageKind::Config, namespace, None);
            let hash = self.store_own(namespace, &push.data, ttl).await?;
            configs.confirm_pushed(kind, push.seqno, hash.as_str());
            let obsolete: Vec<MessageHash> = push
                .obsolete
                .iter()
                .filter_map(|h| MessageHash::parse(h).ok())
                .filter(|h| *h != hash)
                .collect();
            if !obsolete.is_empty() {
                self.delete(&obsolete).await?;
            }
            sync.pushed.push((kind, push.seqno, hash));
        }
        for kind in configs.needs_dump() {
            let dump = configs.dump(kind);
            self.store().put_config_dump(&dump_name(kind), &dump)?;
        }
        Ok(sync)
    }
}
