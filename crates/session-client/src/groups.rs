//! Closed groups (`03…`) over the network: a [`Group`] kept in step with its swarm, read and
//! written with the group key (an admin) or a subaccount (a member).

use session_envelope::group::{EncryptOptions, GroupMessage, GroupMessageError};
use session_groups::{Group, KeysLoaded};
use session_identity::OsRng;
use session_swarm::{store_ttl_millis, MessageHash, MessageKind, Namespace, Signer};

use crate::client::Client;
use crate::transport::Transport;
use crate::ClientError;

/// What one [`Client::sync_group`] did.
#[derive(Debug, Default)]
pub struct GroupSync {
    /// Keys messages loaded (namespace 12), with the refused ones and why.
    pub keys: KeysLoaded,
    /// Info and members config messages merged (namespaces 13 and 14).
    pub configs_merged: usize,
    /// New group messages (namespace 11), each decrypted or refused, in swarm order.
    pub messages: Vec<Result<GroupMessage, GroupMessageError>>,
    /// Messages pushed (keys, info, members), each stored and confirmed.
    pub pushed: usize,
}

impl<T: Transport> Client<T> {
    /// One round for a group: the new keys messages are loaded, the info and members configs
    /// merged, the new group messages decrypted (their signatures checked as one batch), and
    /// then everything the group must push (keys messages first) stored and confirmed.
    /// `signer` is `Signer::group_admin` for an admin, `Signer::group_member` for a member.
    ///
    /// The messages fetched are recorded in the store as they come; keep the group's state
    /// with [`Group::dump`] after each round, and after a restart call
    /// [`replay_group`](Client::replay_group) on the restored group, so that what a round
    /// recorded before a kill is not lost.
    pub async fn sync_group(
        &self,
        group: &mut Group,
        signer: &Signer<'_>,
    ) -> Result<GroupSync, ClientError> {
        let mut sync = GroupSync::default();
        let keys = self.retrieve_new_as(signer, Namespace::GROUP_KEYS).await?;
        sync.keys = group.load_keys(keys.iter().map(|m| {
            (
                m.hash.as_str(),
                m.body.as_slice(),
                i64::try_from(m.timestamp_ms).unwrap_or(i64::MAX),
            )
        }));
        let info = self.retrieve_new_as(signer, Namespace::GROUP_INFO).await?;
        sync.configs_merged += group
            .merge_info(info.iter().map(|m| (m.hash.as_str(), m.body.as_slice())))
            .len();
        let members = self
            .retrieve_new_as(signer, Namespace::GROUP_MEMBERS)
            .await?;
        sync.configs_merged += group
            .merge_members(members.iter().map(|m| (m.hash.as_str(), m.body.as_slice())))
            .len();
        let messages = self
            .retrieve_new_as(signer, Namespace::GROUP_MESSAGES)
            .await?;
        let bodies: Vec<&[u8]> = messages.iter().map(|m| m.body.as_slice()).collect();
        sync.messages = group.decrypt_messages(&bodies);
        sync.pushed = self.push_group(group, signer).await?;
        Ok(sync)
    }

    /// Stores what `group` must push (keys messages first, then info and members) with
    /// `signer`, confirming each; returns how many were stored. A member has nothing to push.
    pub async fn push_group(
        &self,
        group: &mut Group,
        signer: &Signer<'_>,
    ) -> Result<usize, ClientError> {
        let pushes = group.pushes()?;
        for push in &pushes {
            let namespace = Namespace::new(push.namespace);
            let ttl = store_ttl_millis(MessageKind::Config, namespace, None);
            let hash = self.store_as(signer, namespace, &push.data, ttl).await?;
            let now_ms =
                i64::try_from(self.network().network_now().as_millis()).unwrap_or(i64::MAX);
            group.confirm_pushed(push, hash.as_str(), now_ms)?;
        }
        Ok(pushes.len())
    }

    /// Encrypts `plaintext` for the group (with its newest key, signed by this account) and
    /// stores it in the group's swarm (namespace 11) with `signer`.
    pub async fn send_group_message(
        &self,
        group: &Group,
        signer: &Signer<'_>,
        plaintext: &[u8],
    ) -> Result<MessageHash, ClientError> {
        let sealed = group.encrypt_message(plaintext, EncryptOptions::default(), &mut OsRng)?;
        let ttl = store_ttl_millis(MessageKind::Content, Namespace::GROUP_MESSAGES, None);
        self.store_as(signer, Namespace::GROUP_MESSAGES, &sealed, ttl)
            .await
    }

    /// Loads into `group` again every keys message and merges every info and members message
    /// the store holds for its swarm (loading and merging are idempotent): after
    /// [`Group::restore`] from a dump, or for a group joined afresh on a device that already
    /// polled it. Returns what the keys load reported.
    pub fn replay_group(&self, group: &mut Group) -> Result<KeysLoaded, ClientError> {
        let account = group.group_id().to_hex();
        let held = |namespace: Namespace| self.store().received(&account, namespace.get());
        let keys = held(Namespace::GROUP_KEYS)?;
        let loaded = group.load_keys(keys.iter().map(|m| {
            (
                m.hash.as_str(),
                m.body.as_slice(),
                i64::try_from(m.timestamp_ms).unwrap_or(i64::MAX),
            )
        }));
        let info = held(Namespace::GROUP_INFO)?;
        group.merge_info(info.iter().map(|m| (m.hash.as_str(), m.body.as_slice())));
        let members = held(Namespace::GROUP_MEMBERS)?;
        group.merge_members(members.iter().map(|m| (m.hash.as_str(), m.body.as_slice())));
        Ok(loaded)
    }
}
