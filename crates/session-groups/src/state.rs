//! [`Group`]: everything a client holds for one `03` group — its keys, its info and members
//! configs — and the rules that tie them together.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use rand_core::CryptoRng;
use session_config::{
    DumpError, GroupConfigError, GroupInfoConfig, GroupMember, GroupMembers, PushError,
};
use session_envelope::group::{EncryptOptions, GroupMessage, GroupMessageError};
use session_identity::{Ed25519PublicKey, Identity, SessionId};
use zeroize::Zeroizing;

use crate::{GroupSecret, Keys, KeysError, LoadError};

/// The swarm namespace of group messages.
pub const MESSAGES_NAMESPACE: i16 = 11;
/// The swarm namespace of keys messages.
pub const KEYS_NAMESPACE: i16 = 12;
/// The swarm namespace of the info config.
pub const INFO_NAMESPACE: i16 = 13;
/// The swarm namespace of the members config.
pub const MEMBERS_NAMESPACE: i16 = 14;

/// Why a [`Group`] operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GroupError {
    /// A keys operation failed (not an admin, wrong secret, no key to hand out…).
    #[error(transparent)]
    Keys(#[from] KeysError),
    /// A config edit was refused (a member's configs are read-only).
    #[error(transparent)]
    Config(#[from] GroupConfigError),
    /// A config could not be pushed.
    #[error(transparent)]
    Push(#[from] PushError),
    /// A message could not be encrypted.
    #[error(transparent)]
    Message(#[from] GroupMessageError),
    /// No key is held yet: nothing can be encrypted.
    #[error("no group key is held yet")]
    NoKey,
    /// A member given to add or remove is not a `05` Session ID.
    #[error("{0} is not a 05 Session ID")]
    NotAUser(SessionId),
    /// The push being confirmed is not one [`Group::pushes`] returned, or was confirmed
    /// already.
    #[error("no such push is waiting")]
    UnknownPush,
    /// A keys message this group made did not load back (it cannot happen with an unchanged
    /// message).
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A dump given to [`Group::restore`] does not load.
    #[error("the group dump does not load: {0}")]
    Dump(#[from] DumpError),
}

/// What a [`GroupPush`] stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PushKind {
    /// A keys message (a rekey or a supplement), namespace 12.
    Keys,
    /// The info config at this seqno, namespace 13.
    Info {
        /// The seqno pushed.
        seqno: i64,
    },
    /// The members config at this seqno, namespace 14.
    Members {
        /// The seqno pushed.
        seqno: i64,
    },
}

/// One message to store in the group's swarm, from [`Group::pushes`]; give it back to
/// [`Group::confirm_pushed`] once the swarm stored it.
#[derive(Clone, PartialEq, Eq)]
pub struct GroupPush {
    /// What it is.
    pub kind: PushKind,
    /// The namespace to store it in.
    pub namespace: i16,
    /// The bytes to store.
    pub data: Vec<u8>,
    /// Hashes of stored config messages this push makes obsolete: delete them once it is
    /// stored.
    pub obsolete: Vec<String>,
}

impl fmt::Debug for GroupPush {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupPush")
            .field("kind", &self.kind)
            .field("namespace", &self.namespace)
            .field("bytes", &self.data.len())
            .field("obsolete", &self.obsolete.len())
            .finish()
    }
}

/// What [`Group::load_keys`] did with a batch of keys messages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeysLoaded {
    /// Messages that gave this user a key.
    pub with_key: usize,
    /// Valid messages with nothing for this user (a rekey that left it out, say).
    pub without_key: usize,
    /// Refused messages, by hash, with the reason.
    pub refused: Vec<(String, LoadError)>,
}

/// The three parts of a [`Group`] as bytes, from [`Group::dump`]: keep them to
/// [`restore`](Group::restore) the group after a restart. Secret (they hold keys): wiped on
/// drop, compared in constant time (lengths aside), never shown by `Debug`.
#[derive(Clone)]
pub struct GroupDump {
    /// [`Keys::dump`].
    pub keys: Vec<u8>,
    /// The info config's dump.
    pub info: Vec<u8>,
    /// The members config's dump.
    pub members: Vec<u8>,
    /// Keys messages made here and not yet confirmed stored.
    pub unpushed_keys: Vec<Vec<u8>>,
}

impl fmt::Debug for GroupDump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupDump").finish_non_exhaustive()
    }
}

impl PartialEq for GroupDump {
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq;
        let secrets_equal = self.keys.ct_eq(&other.keys)
            & self.info.ct_eq(&other.info)
            & self.members.ct_eq(&other.members);
        bool::from(secrets_equal) && self.unpushed_keys == other.unpushed_keys
    }
}

impl Eq for GroupDump {}

impl Drop for GroupDump {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.keys.zeroize();
        self.info.zeroize();
        self.members.zeroize();
        self.unpushed_keys.zeroize();
    }
}

/// One `03` group as a client holds it: the [`Keys`], the info config (name, description,
/// picture, disappearing timer, delete-before times) and the members config, kept in step.
///
/// * An **admin** (holding the [`GroupSecret`]) edits the configs and the member list;
///   [`add_members`](Group::add_members) hands the current keys to new members with a
///   supplement, [`remove_members`](Group::remove_members) rekeys so the removed can read
///   nothing sent after; [`pushes`](Group::pushes) says what to store after any change, keys
///   first.
/// * A **member** reads: [`load_keys`](Group::load_keys), then
///   [`merge_info`](Group::merge_info) / [`merge_members`](Group::merge_members), then
///   [`decrypt_message`](Group::decrypt_message) — the order in which a poll should apply
///   namespaces 12, 13, 14 and 11. Its configs are read-only.
///
/// Both send messages with [`encrypt_message`](Group::encrypt_message). Access to the group's
/// swarm (the admin's key, a member's subaccount) is session-swarm's business.
///
/// ```
/// use session_groups::{Group, GroupSecret};
/// use session_envelope::group::EncryptOptions;
/// use session_identity::Identity;
///
/// let mut rng = rand::rng();
/// let (admin, bob) = (Identity::generate(&mut rng), Identity::generate(&mut rng));
/// let mut group = Group::create(
///     admin.clone(),
///     GroupSecret::generate(&mut rng),
///     "Book club",
///     &[(bob.session_id(), "Bob")],
///     1_700_000_000,
/// )?;
/// // Everything the admin must store, and what the swarm says back (hash, time).
/// let mut swarm = Vec::new();
/// for (i, push) in group.pushes()?.into_iter().enumerate() {
///     let hash = format!("h{i}");
///     group.confirm_pushed(&push, &hash, 1_700_000_000_000)?;
///     swarm.push((push.namespace, hash, push.data));
/// }
///
/// // Bob joins with the group's public key and reads the swarm, keys first.
/// let mut bobs = Group::join(bob.clone(), group.group_public_key())?;
/// let of = |ns| swarm.iter().filter(move |m| m.0 == ns).map(|m| (m.1.as_str(), m.2.as_slice()));
/// bobs.load_keys(of(12).map(|(h, d)| (h, d, 1_700_000_000_000)));
/// bobs.merge_info(of(13));
/// bobs.merge_members(of(14));
/// assert_eq!(bobs.info().name(), Some("Book club"));
/// assert_eq!(bobs.member_ids().len(), 2);
///
/// let sent = group.encrypt_message(b"first chapter by Friday", EncryptOptions::default(), &mut rng)?;
/// assert_eq!(bobs.decrypt_message(&sent)?.plaintext, b"first chapter by Friday");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Group {
    user: Identity,
    keys: Keys,
    info: GroupInfoConfig,
    members: GroupMembers,
    /// Keys messages made here and not yet confirmed stored, oldest first.
    unpushed_keys: Vec<Vec<u8>>,
}

impl fmt::Debug for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Group")
            .field("group_id", &self.group_id())
            .field("user", &self.user.session_id())
            .field("admin", &self.is_admin())
            .field("generation", &self.keys.current_generation())
            .field("members", &self.members.len())
            .finish_non_exhaustive()
    }
}

/// The group keys as the configs take them, the key to encrypt with first; zeroized when
/// dropped.
fn key_list(keys: &Keys) -> Zeroizing<Vec<[u8; 32]>> {
    Zeroizing::new(
        keys.decryption_keys()
            .into_iter()
            .map(|k| *k.expose_secret_bytes())
            .collect(),
    )
}

fn check_user(id: &SessionId) -> Result<(), GroupError> {
    if id.prefix() == session_identity::Prefix::User {
        Ok(())
    } else {
        Err(GroupError::NotAUser(*id))
    }
}

impl Group {
    /// A new group made by `admin` with the secret `secret`: generation 0 keys for the admin
    /// and `members` (Session ID and display name, invitation marked sent), the info config
    /// with `name` and the creation time `created` (unix seconds), the members config listing
    /// everyone with `admin` as an admin (listing the admin in `members` too changes nothing). Everything waits in [`pushes`](Group::pushes).
    pub fn create(
        admin: Identity,
        secret: GroupSecret,
        name: &str,
        members: &[(SessionId, &str)],
        created: i64,
    ) -> Result<Self, GroupError> {
        for (id, _) in members {
            check_user(id)?;
        }
        let identity = secret.identity().clone();
        let mut keys = Keys::new_admin(admin.clone(), secret)?;
        let mut ids: Vec<SessionId> = members.iter().map(|(id, _)| *id).collect();
        ids.push(admin.session_id());
        let rekey = keys.rekey(&ids)?;
        let list = key_list(&keys);
        let mut info = GroupInfoConfig::new_admin(&identity, &list);
        info.set_name_truncated(name)?;
        info.set_created(created)?;
        let mut roster = GroupMembers::new_admin(&identity, &list);
        let mut me = GroupMember::new(admin.session_id());
        me.admin = true;
        me.set_invite_accepted();
        roster.set(&me)?;
        for (id, display) in members {
            if *id == me.session_id {
                // The creator is listed once, as the admin.
                continue;
            }
            let mut member = GroupMember::new(*id);
            member.set_name_truncated(display);
            member.set_invite_sent();
            roster.set(&member)?;
        }
        Ok(Self {
            user: admin,
            keys,
            info,
            members: roster,
            unpushed_keys: alloc::vec![rekey.message],
        })
    }

    /// The state of `user`, invited to (or member of) the group whose key is `group_public`:
    /// no keys until [`load_keys`](Group::load_keys), read-only configs.
    pub fn join(user: Identity, group_public: Ed25519PublicKey) -> Result<Self, GroupError> {
        let keys = Keys::new_member(user.clone(), group_public)?;
        Ok(Self {
            user,
            keys,
            info: GroupInfoConfig::new_member(group_public, &[]),
            members: GroupMembers::new_member(group_public, &[]),
            unpushed_keys: Vec::new(),
        })
    }

    /// The group's `03` ID.
    pub fn group_id(&self) -> SessionId {
        self.keys.group_id()
    }

    /// The group's Ed25519 public key.
    pub fn group_public_key(&self) -> Ed25519PublicKey {
        self.keys.group_public_key()
    }

    /// This user's identity.
    pub fn user(&self) -> &Identity {
        &self.user
    }

    /// Whether this user holds the group secret.
    pub fn is_admin(&self) -> bool {
        self.keys.is_admin()
    }

    /// The group secret, for an admin (to promote another member, hand it over in a 1:1
    /// message). Secret.
    pub fn secret(&self) -> Option<&GroupSecret> {
        self.keys.group_secret()
    }

    /// The keys held.
    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// The info config.
    pub fn info(&self) -> &GroupInfoConfig {
        &self.info
    }

    /// The info config, to edit (admins only: a member's edits are refused).
    pub fn info_mut(&mut self) -> &mut GroupInfoConfig {
        &mut self.info
    }

    /// The members config.
    pub fn members(&self) -> &GroupMembers {
        &self.members
    }

    /// The members config, to edit statuses and names (admins only). Adding and removing
    /// members goes through [`add_members`](Group::add_members) and
    /// [`remove_members`](Group::remove_members), which also hand out or replace the keys.
    pub fn members_mut(&mut self) -> &mut GroupMembers {
        &mut self.members
    }

    /// The members listed and not being removed, admins included, in the config's order.
    pub fn member_ids(&self) -> Vec<SessionId> {
        self.members
            .iter()
            .filter(|m| !m.is_removed())
            .map(|m| m.session_id)
            .collect()
    }

    /// Adds `members` (Session ID and display name) and hands them every key held with a
    /// supplement, without a rekey: they can read what the group sent before. Admins only.
    pub fn add_members(&mut self, members: &[(SessionId, &str)]) -> Result<(), GroupError> {
        for (id, _) in members {
            check_user(id)?;
        }
        let ids: Vec<SessionId> = members.iter().map(|(id, _)| *id).collect();
        let supplement = self.keys.supplement(&ids)?;
        for (id, display) in members {
            let mut member = self.members.get_or_construct(id);
            member.set_name_truncated(display);
            member.set_invite_sent();
            member.supplement = true;
            self.members.set(&member)?;
        }
        self.unpushed_keys.push(supplement);
        Ok(())
    }

    /// Removes `members` and rekeys for everyone left: nothing encrypted after this (with the
    /// new key) can be read by the removed. Admins only. Revoking the removed members'
    /// subaccounts on the swarm is the caller's part.
    pub fn remove_members(&mut self, members: &[SessionId]) -> Result<(), GroupError> {
        if !self.is_admin() {
            return Err(KeysError::NotAdmin.into());
        }
        for id in members {
            self.members.erase(id)?;
        }
        let rekey = self.keys.rekey(&self.member_ids())?;
        self.unpushed_keys.push(rekey.message);
        self.sync_config_keys();
        Ok(())
    }

    /// Marks `member` as an admin being promoted (promotion sent). Admins only; the new admin
    /// needs the group secret ([`secret`](Group::secret)), sent to it in a 1:1 message, and
    /// then calls [`accept_promotion`](Group::accept_promotion).
    pub fn promote(&mut self, member: &SessionId) -> Result<(), GroupError> {
        check_user(member)?;
        self.members.update(member, |m| {
            m.admin = true;
            m.set_promotion_sent();
        })?;
        Ok(())
    }

    /// Becomes an admin with the group secret `secret` (from a promotion): the keys can rekey
    /// and the configs can be edited, and this user is marked as an admin who accepted.
    pub fn accept_promotion(&mut self, secret: GroupSecret) -> Result<(), GroupError> {
        self.keys.set_admin(secret)?;
        let Some(secret) = self.keys.group_secret() else {
            return Err(KeysError::NotAdmin.into());
        };
        let identity = secret.identity().clone();
        let list = key_list(&self.keys);
        self.info = GroupInfoConfig::load_admin(&identity, &list, &self.info.clone().dump())?;
        self.members = GroupMembers::load_admin(&identity, &list, &self.members.clone().dump())?;
        let me = self.user.session_id();
        self.members.update(&me, |m| {
            m.admin = true;
            m.set_promotion_accepted();
        })?;
        Ok(())
    }

    /// Loads keys messages retrieved from namespace 12 (hash, bytes, storage time in unix
    /// milliseconds), then gives the configs the keys now held. Refused messages are reported
    /// and change nothing.
    pub fn load_keys<'a>(
        &mut self,
        messages: impl IntoIterator<Item = (&'a str, &'a [u8], i64)>,
    ) -> KeysLoaded {
        let mut report = KeysLoaded::default();
        for (hash, data, timestamp_ms) in messages {
            match self.keys.load(hash, data, timestamp_ms) {
                Ok(loaded) if loaded.found => report.with_key += 1,
                Ok(_) => report.without_key += 1,
                Err(error) => report.refused.push((String::from(hash), error)),
            }
        }
        self.sync_config_keys();
        report
    }

    /// Merges info config messages retrieved from namespace 13; returns the hashes merged.
    pub fn merge_info<'a>(
        &mut self,
        messages: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    ) -> Vec<String> {
        self.info.merge(messages)
    }

    /// Merges members config messages retrieved from namespace 14; returns the hashes merged.
    pub fn merge_members<'a>(
        &mut self,
        messages: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    ) -> Vec<String> {
        self.members.merge(messages)
    }

    fn sync_config_keys(&mut self) {
        let list = key_list(&self.keys);
        self.info.replace_keys(&list);
        self.members.replace_keys(&list);
    }

    /// What to store in the group's swarm now, in order: keys messages first (so members
    /// hold the key before anything encrypted with it), then the info and members configs
    /// when they changed. Nothing for a member.
    pub fn pushes(&mut self) -> Result<Vec<GroupPush>, GroupError> {
        let mut out: Vec<GroupPush> = self
            .unpushed_keys
            .iter()
            .map(|data| GroupPush {
                kind: PushKind::Keys,
                namespace: KEYS_NAMESPACE,
                data: data.clone(),
                obsolete: Vec::new(),
            })
            .collect();
        if self.info.needs_push() {
            let push = self.info.push()?;
            out.push(GroupPush {
                kind: PushKind::Info { seqno: push.seqno },
                namespace: INFO_NAMESPACE,
                data: push.data.clone(),
                obsolete: push.obsolete.clone(),
            });
        }
        if self.members.needs_push() {
            let push = self.members.push()?;
            out.push(GroupPush {
                kind: PushKind::Members { seqno: push.seqno },
                namespace: MEMBERS_NAMESPACE,
                data: push.data.clone(),
                obsolete: push.obsolete.clone(),
            });
        }
        Ok(out)
    }

    /// Records that the swarm stored `push` as `hash` at `timestamp_ms`: a keys message is
    /// loaded as if retrieved (its key stops being pending), a config is confirmed.
    pub fn confirm_pushed(
        &mut self,
        push: &GroupPush,
        hash: &str,
        timestamp_ms: i64,
    ) -> Result<(), GroupError> {
        match push.kind {
            PushKind::Keys => {
                let Some(index) = self.unpushed_keys.iter().position(|m| *m == push.data) else {
                    return Err(GroupError::UnknownPush);
                };
                self.keys.load(hash, &push.data, timestamp_ms)?;
                self.unpushed_keys.remove(index);
                self.sync_config_keys();
            }
            PushKind::Info { seqno } => self.info.confirm_pushed(seqno, hash),
            PushKind::Members { seqno } => self.members.confirm_pushed(seqno, hash),
        }
        Ok(())
    }

    /// Encrypts a group message (namespace 11) from this user with the current key.
    pub fn encrypt_message(
        &self,
        plaintext: &[u8],
        options: EncryptOptions,
        rng: &mut impl CryptoRng,
    ) -> Result<Vec<u8>, GroupError> {
        match self
            .keys
            .encrypt_message(&self.user, plaintext, options, rng)
        {
            Some(sealed) => Ok(sealed?),
            None => Err(GroupError::NoKey),
        }
    }

    /// Decrypts a group message retrieved from namespace 11 with every key held.
    pub fn decrypt_message(&self, data: &[u8]) -> Result<GroupMessage, GroupMessageError> {
        self.keys.decrypt_message(data)
    }

    /// Decrypts the messages of a poll of namespace 11: element `i` is exactly
    /// [`decrypt_message`](Group::decrypt_message)`(messages[i])`, several times cheaper for a
    /// large poll (the signatures are checked as one batch).
    pub fn decrypt_messages(
        &self,
        messages: &[&[u8]],
    ) -> Vec<Result<GroupMessage, GroupMessageError>> {
        self.keys.decrypt_messages(messages)
    }

    /// The state as bytes, to [`restore`](Group::restore) after a restart.
    pub fn dump(&self) -> GroupDump {
        GroupDump {
            keys: self.keys.dump().to_vec(),
            info: self.info.clone().dump().to_vec(),
            members: self.members.clone().dump().to_vec(),
            unpushed_keys: self.unpushed_keys.clone(),
        }
    }

    /// A group restored from its [`dump`](Group::dump): `user`, the group's public key and,
    /// for an admin, its secret are given again.
    pub fn restore(
        user: Identity,
        group_public: Ed25519PublicKey,
        secret: Option<GroupSecret>,
        dump: &GroupDump,
    ) -> Result<Self, GroupError> {
        let identity = secret.as_ref().map(|s| s.identity().clone());
        let keys = Keys::restore(user.clone(), group_public, secret, &dump.keys)?;
        let list = key_list(&keys);
        let (info, members) = match &identity {
            Some(identity) => (
                GroupInfoConfig::load_admin(identity, &list, &dump.info)?,
                GroupMembers::load_admin(identity, &list, &dump.members)?,
            ),
            None => (
                GroupInfoConfig::load_member(group_public, &list, &dump.info)?,
                GroupMembers::load_member(group_public, &list, &dump.members)?,
            ),
        };
        Ok(Self {
            user,
            keys,
            info,
            members,
            unpushed_keys: dump.unpushed_keys.clone(),
        })
    }
}
