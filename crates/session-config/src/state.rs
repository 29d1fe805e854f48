//! The local config object (§11.5): edits, push, confirm, merge, dump and load.

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use session_bencode::{DictReader, Kind as BtKind, ListReader, Options};
use session_identity::{Ed25519PublicKey, Identity};
use zeroize::Zeroizing;

use crate::merge::{merge, MergeSource, Redundancy};
use crate::value::parse_dict;
use crate::wrap::{unwrap_received, wrap, UnwrapError};
use crate::{
    compress, decompress, encrypt, pad, prune, ConfigMessage, Dict, GroupKind, Kind, ParseError,
    Scalar, Set, Signer, UserKind, Value, Verifier, MAX_DECOMPRESSED_SIZE,
};

/// The largest push a swarm stores: 76,800 bytes, after every layer of wrapping.
pub const MAX_MESSAGE_SIZE: usize = 76_800;

/// Where a config stands with the swarm (the dump's `!`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyncState {
    /// Stored and confirmed: nothing to push.
    Clean = 0,
    /// Changed locally since the last push.
    Dirty = 1,
    /// Pushed, not yet confirmed stored.
    Waiting = 2,
}

/// How a group config signs and verifies its messages.
#[derive(Clone)]
pub enum GroupSigning {
    /// An admin holds the group's Ed25519 key: messages are signed and verified.
    Admin(Box<Identity>),
    /// A member knows only the group's public key: messages are verified, and the config is
    /// read-only (it merges but never edits or pushes).
    Member(Ed25519PublicKey),
}

#[derive(Clone)]
enum Signing {
    None,
    Verify(Ed25519PublicKey),
    Sign(Box<Identity>),
}

/// Why an edit was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EditError {
    /// The config is read-only (a group member without the group's key).
    #[error("the config is read-only")]
    ReadOnly,
    /// A path with no keys names the whole data, which cannot be set or erased.
    #[error("an empty path")]
    EmptyPath,
}

/// Why a push could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PushError {
    /// The config is read-only.
    #[error("the config is read-only")]
    ReadOnly,
    /// There is no key to encrypt with.
    #[error("no encryption key")]
    NoKey,
    /// The pushed bytes would exceed [`MAX_MESSAGE_SIZE`].
    #[error("the push is {len} bytes; at most 76800 are stored")]
    TooLarge {
        /// The size the push would have.
        len: usize,
    },
    /// Wrapping for older clients failed (only with an unusable account key).
    #[error(transparent)]
    Wrap(#[from] UnwrapError),
}

/// Why a dump did not load.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DumpError {
    /// Not a dump dictionary.
    #[error("malformed dump: {0}")]
    Malformed(#[from] session_bencode::Error),
    /// A required key is missing.
    #[error("the dump has no `{0}`")]
    Missing(&'static str),
    /// The state is not 0, 1 or 2.
    #[error("unknown state {0}")]
    State(i64),
    /// A hash is not UTF-8 text.
    #[error("a hash in the dump is not UTF-8")]
    Hash,
    /// The stored message does not parse.
    #[error("stored message: {0}")]
    Message(#[from] ParseError),
}

/// What [`Config::push`] hands the caller to store.
#[derive(Clone, PartialEq, Eq)]
pub struct Push {
    /// The seqno pushed: give it back to [`Config::confirm_pushed`].
    pub seqno: i64,
    /// The serialized message, before compression, padding and encryption: the config's
    /// data in the clear, wiped on drop.
    pub message: Zeroizing<Vec<u8>>,
    /// The bytes to store in the swarm (base64 them for the `store` request).
    pub data: Vec<u8>,
    /// Hashes of stored messages this push makes obsolete: delete them with it, in one
    /// `sequence` request. Sorted.
    pub obsolete: Vec<String>,
}

impl fmt::Debug for Push {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Push")
            .field("seqno", &self.seqno)
            .field("message_len", &self.message.len())
            .field("data_len", &self.data.len())
            .field("obsolete", &self.obsolete)
            .finish()
    }
}

/// One config object of a device (libsession's `ConfigBase`): the current message and where it
/// stands with the swarm, the keys, and the data API the typed configs are built on.
///
/// The cycle: edit the data ([`set`](Config::set), [`erase`](Config::erase), …) — the first
/// edit after a push starts a new message with the next seqno; [`push`](Config::push) when
/// [`needs_push`](Config::needs_push); [`confirm_pushed`](Config::confirm_pushed) with the hash
/// the swarm returned; [`merge`](Config::merge) everything a poll returns; persist
/// [`dump`](Config::dump) whenever [`needs_dump`](Config::needs_dump).
///
/// ```
/// use session_config::{Config, UserKind};
/// use session_identity::{Identity, Seed};
///
/// let account = Identity::from_seed(Seed::from_legacy_bytes(*b"0123456789abcdef"));
/// let mut phone = Config::new_user(UserKind::UserProfile, &account);
/// let mut laptop = Config::new_user(UserKind::UserProfile, &account);
///
/// phone.set(&[b"n"], "Kallie")?;
/// let push = phone.push()?;
/// assert_eq!(push.seqno, 1);
/// phone.confirm_pushed(push.seqno, "hash1");
///
/// assert_eq!(laptop.merge([("hash1", &push.data[..])]), ["hash1"]);
/// assert_eq!(laptop.get_bytes(&[b"n"]), Some(&b"Kallie"[..]));
/// assert!(!laptop.needs_push());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Config {
    kind: Kind,
    /// The account, for a user config (its seed is the key; it wraps and unwraps pushes).
    owner: Option<Identity>,
    keys: Vec<Zeroizing<[u8; 32]>>,
    signing: Signing,
    message: ConfigMessage,
    state: SyncState,
    /// The server hash of the confirmed current message; empty when unknown.
    current_hash: String,
    obsolete: BTreeSet<String>,
    needs_dump: bool,
    /// Dirty only with a merge result: no local edit since.
    merge_pending: bool,
    /// The data without this device's changes that no other device is known to have merged
    /// (`None`: there are none). A merge that reverts one of them makes it again.
    unconfirmed: Option<Dict>,
    /// The dump's `+` dictionary, kept as bytes.
    extra: Vec<u8>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Keys and data stay out of logs.
        f.debug_struct("Config")
            .field("kind", &self.kind)
            .field("seqno", &self.message.seqno())
            .field("state", &self.state)
            .field("read_only", &self.is_read_only())
            .finish_non_exhaustive()
    }
}

impl Config {
    fn with_parts(
        kind: Kind,
        owner: Option<Identity>,
        keys: Vec<Zeroizing<[u8; 32]>>,
        signing: Signing,
    ) -> Self {
        Self {
            kind,
            owner,
            keys,
            signing,
            message: ConfigMessage::new(),
            state: SyncState::Clean,
            current_hash: String::new(),
            obsolete: BTreeSet::new(),
            needs_dump: false,
            merge_pending: false,
            unconfirmed: None,
            extra: b"de".to_vec(),
        }
    }

    /// An empty account config: the key is the account's Ed25519 seed; pushes are wrapped for
    /// older clients and received messages unwrapped (a bare message is accepted too).
    pub fn new_user(kind: UserKind, account: &Identity) -> Self {
        let key = Zeroizing::new(*account.seed().expose_ed25519_seed());
        Self::with_parts(
            Kind::User(kind),
            Some(account.clone()),
            alloc::vec![key],
            Signing::None,
        )
    }

    /// An empty group config. `keys` are the group's encryption keys, newest (or pending)
    /// first: pushes encrypt with the first, received messages are tried with each.
    pub fn new_group(kind: GroupKind, keys: &[[u8; 32]], signing: GroupSigning) -> Self {
        let signing = match signing {
            GroupSigning::Admin(identity) => Signing::Sign(identity),
            GroupSigning::Member(public_key) => Signing::Verify(public_key),
        };
        let mut config = Self::with_parts(Kind::Group(kind), None, Vec::new(), signing);
        config.install_keys(keys);
        config
    }

    /// An account config restored from [`dump`](Self::dump).
    pub fn load_user(kind: UserKind, account: &Identity, dump: &[u8]) -> Result<Self, DumpError> {
        let mut config = Self::new_user(kind, account);
        config.load(dump)?;
        Ok(config)
    }

    /// A group config restored from [`dump`](Self::dump).
    pub fn load_group(
        kind: GroupKind,
        keys: &[[u8; 32]],
        signing: GroupSigning,
        dump: &[u8],
    ) -> Result<Self, DumpError> {
        let mut config = Self::new_group(kind, keys, signing);
        config.load(dump)?;
        Ok(config)
    }

    /// Which config this is.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The current message.
    pub fn message(&self) -> &ConfigMessage {
        &self.message
    }

    /// The current message's seqno.
    pub fn seqno(&self) -> i64 {
        self.message.seqno()
    }

    /// Where the config stands with the swarm.
    pub fn state(&self) -> SyncState {
        self.state
    }

    /// Whether there is something to push: local edits, a merge to publish, or a push not yet
    /// confirmed.
    pub fn needs_push(&self) -> bool {
        self.state != SyncState::Clean
    }

    /// Whether the state changed since the last [`dump`](Self::dump).
    pub fn needs_dump(&self) -> bool {
        self.needs_dump
    }

    /// Whether the config verifies but cannot sign: a group member's. It merges, but edits and
    /// pushes are refused.
    pub fn is_read_only(&self) -> bool {
        matches!(self.signing, Signing::Verify(_))
    }

    /// The group's Ed25519 public key, for a group config.
    pub(crate) fn group_public_key(&self) -> Option<Ed25519PublicKey> {
        match &self.signing {
            Signing::None => None,
            Signing::Verify(key) => Some(*key),
            Signing::Sign(identity) => Some(identity.ed25519_public_key()),
        }
    }

    fn verifier(&self) -> Option<&dyn Verifier> {
        match &self.signing {
            Signing::None => None,
            Signing::Verify(key) => Some(key),
            Signing::Sign(identity) => Some(&**identity),
        }
    }

    fn signer(&self) -> Option<&dyn Signer> {
        match &self.signing {
            Signing::Sign(identity) => Some(&**identity),
            _ => None,
        }
    }

    // ---- keys -------------------------------------------------------------------------------

    /// The encryption keys, the one pushes use first.
    pub fn keys(&self) -> impl Iterator<Item = &[u8; 32]> {
        self.keys.iter().map(|key| &**key)
    }

    fn install_keys(&mut self, keys: &[[u8; 32]]) {
        self.keys.clear();
        for key in keys {
            if !self.keys.iter().any(|k| **k == *key) {
                self.keys.push(Zeroizing::new(*key));
            }
        }
    }

    /// Replaces the encryption keys (duplicates dropped, the first kept first), as a group
    /// rekey does. When the first key changes, a config that can edit starts a new message so
    /// that its data is pushed again under the new key.
    pub fn replace_keys(&mut self, keys: &[[u8; 32]]) {
        let first_changed = match (self.keys.first(), keys.first()) {
            (Some(old), Some(new)) => **old != *new,
            (None, Some(_)) => true,
            _ => false,
        };
        self.install_keys(keys);
        if first_changed && !self.is_read_only() {
            self.start_edit();
        }
    }

    // ---- state transitions ------------------------------------------------------------------

    fn set_state(&mut self, state: SyncState) {
        if self.state == SyncState::Clean && !self.current_hash.is_empty() {
            self.obsolete
                .insert(core::mem::take(&mut self.current_hash));
        }
        self.state = state;
        self.needs_dump = true;
    }

    /// Makes the message editable: the first edit after a push starts the next seqno.
    fn start_edit(&mut self) {
        if self.state != SyncState::Dirty || self.merge_pending {
            // An edit on top of an unpushed merge result starts the next seqno too, as if the
            // merge had been pushed: another device may push the same merge, and an edit made
            // inside it would then compete with that twin, and lose half the time.
            if self.state != SyncState::Dirty {
                self.set_state(SyncState::Dirty);
            }
            let next = self.message.increment(self.signer());
            self.message = next;
            self.merge_pending = false;
        }
        if self.unconfirmed.is_none() {
            self.unconfirmed = self.message.baseline().cloned();
        }
        self.needs_dump = true;
    }

    fn editable(&mut self) -> Result<&mut Dict, EditError> {
        if self.is_read_only() {
            return Err(EditError::ReadOnly);
        }
        self.start_edit();
        Ok(self.message.data_in_place())
    }

    // ---- data -------------------------------------------------------------------------------

    /// The data.
    pub fn data(&self) -> &Dict {
        self.message.data()
    }

    /// The value at `path` (keys from the top-level data down), if every step is a dictionary
    /// and the last key is present.
    pub fn get(&self, path: &[&[u8]]) -> Option<&Value> {
        let (last, parents) = path.split_last()?;
        let mut dict = self.message.data();
        for key in parents {
            dict = dict.get(*key)?.as_dict()?;
        }
        dict.get(*last)
    }

    /// The integer at `path`.
    pub fn get_int(&self, path: &[&[u8]]) -> Option<i64> {
        self.get(path)?.as_int()
    }

    /// The byte string at `path`.
    pub fn get_bytes(&self, path: &[&[u8]]) -> Option<&[u8]> {
        self.get(path)?.as_bytes()
    }

    /// The set at `path`.
    pub fn get_set(&self, path: &[&[u8]]) -> Option<&Set> {
        self.get(path)?.as_set()
    }

    /// The dictionary at `path`.
    pub fn get_dict(&self, path: &[&[u8]]) -> Option<&Dict> {
        self.get(path)?.as_dict()
    }

    /// Sets the value at `path`, creating the dictionaries on the way (a non-dictionary in the
    /// way is replaced). Setting the value already there changes nothing; an empty set or
    /// dictionary erases (empty values are never stored).
    pub fn set(&mut self, path: &[&[u8]], value: impl Into<Value>) -> Result<(), EditError> {
        let value = value.into();
        let (last, parents) = path.split_last().ok_or(EditError::EmptyPath)?;
        let mut value = value;
        if let Value::Dict(dict) = &mut value {
            prune(dict);
        }
        if value.is_empty_container() {
            return self.erase(path);
        }
        if self.is_read_only() {
            return Err(EditError::ReadOnly);
        }
        if self.get(path) == Some(&value) {
            return Ok(());
        }
        let mut dict = self.editable()?;
        for key in parents {
            let slot = dict
                .entry(key.to_vec())
                .or_insert_with(|| Value::Dict(Dict::new()));
            if !matches!(slot, Value::Dict(_)) {
                *slot = Value::Dict(Dict::new());
            }
            dict = match slot {
                Value::Dict(inner) => inner,
                // Made a dictionary just above.
                _ => return Ok(()),
            };
        }
        dict.insert(last.to_vec(), value);
        Ok(())
    }

    /// Removes the value at `path` (nothing if absent). Dictionaries left empty go too.
    pub fn erase(&mut self, path: &[&[u8]]) -> Result<(), EditError> {
        let (last, parents) = path.split_last().ok_or(EditError::EmptyPath)?;
        if self.is_read_only() {
            return Err(EditError::ReadOnly);
        }
        if self.get(path).is_none() {
            return Ok(());
        }
        let root = self.editable()?;
        if let Some(dict) = dict_at_mut(root, parents) {
            dict.remove(*last);
        }
        prune(root);
        Ok(())
    }

    /// Adds `member` to the set at `path` (creating it; a non-set there is replaced).
    pub fn insert_member(
        &mut self,
        path: &[&[u8]],
        member: impl Into<Scalar>,
    ) -> Result<(), EditError> {
        let member = member.into();
        if path.is_empty() {
            return Err(EditError::EmptyPath);
        }
        if self.is_read_only() {
            return Err(EditError::ReadOnly);
        }
        if self.get_set(path).is_some_and(|set| set.contains(&member)) {
            return Ok(());
        }
        let mut set = self.get_set(path).cloned().unwrap_or_default();
        set.insert(member);
        self.set(path, Value::Set(set))
    }

    /// Removes `member` from the set at `path` (nothing if absent; an emptied set goes).
    pub fn remove_member(
        &mut self,
        path: &[&[u8]],
        member: impl Into<Scalar>,
    ) -> Result<(), EditError> {
        let member = member.into();
        if path.is_empty() {
            return Err(EditError::EmptyPath);
        }
        if self.is_read_only() {
            return Err(EditError::ReadOnly);
        }
        let Some(set) = self.get_set(path) else {
            return Ok(());
        };
        if !set.contains(&member) {
            return Ok(());
        }
        let mut set = set.clone();
        set.remove(&member);
        self.set(path, Value::Set(set))
    }

    /// Edits the data as a whole with `edit`; if that changed anything (after pruning), the
    /// change is one edit, as a series of [`set`](Self::set) calls would be.
    pub fn edit<R>(&mut self, edit: impl FnOnce(&mut Dict) -> R) -> Result<R, EditError> {
        if self.is_read_only() {
            return Err(EditError::ReadOnly);
        }
        let mut data = self.message.data().clone();
        let result = edit(&mut data);
        prune(&mut data);
        if data != *self.message.data() {
            *self.editable()? = data;
        }
        Ok(result)
    }

    // ---- push -------------------------------------------------------------------------------

    /// The bytes to store (§11.4): the message, compressed when that is shorter, zero-padded
    /// in front, encrypted with the first key, and for account configs wrapped for older
    /// clients. A dirty config becomes [`SyncState::Waiting`]. Also hands over the hashes this
    /// push makes obsolete (once: they are then forgotten).
    pub fn push(&mut self) -> Result<Push, PushError> {
        if self.is_read_only() {
            return Err(PushError::ReadOnly);
        }
        let key = self.keys.first().ok_or(PushError::NoKey)?;
        let seqno = self.message.seqno();
        // The message and each form of it hold the config's data (group keys among it).
        let message = Zeroizing::new(self.message.serialize(self.signer()));
        let compressed = Zeroizing::new(compress(&message));
        let padded = Zeroizing::new(pad(&compressed));
        let mut data = encrypt(&padded, key, self.kind.domain()).map_err(|_| PushError::NoKey)?;
        if let (Kind::User(kind), Some(owner)) = (self.kind, &self.owner) {
            data = wrap(owner, kind, seqno, &data)?;
        }
        if data.len() > MAX_MESSAGE_SIZE {
            return Err(PushError::TooLarge { len: data.len() });
        }
        if self.state == SyncState::Dirty {
            self.set_state(SyncState::Waiting);
        }
        self.merge_pending = false;
        let obsolete: Vec<String> = core::mem::take(&mut self.obsolete).into_iter().collect();
        if !obsolete.is_empty() {
            self.needs_dump = true;
        }
        Ok(Push {
            seqno,
            message,
            data,
            obsolete,
        })
    }

    /// The swarm stored the push of `seqno` under `hash`. Ignored unless the config is still
    /// waiting for exactly that push (an edit since then started a newer message).
    pub fn confirm_pushed(&mut self, seqno: i64, hash: impl Into<String>) {
        if self.state == SyncState::Waiting && seqno == self.message.seqno() {
            self.set_state(SyncState::Clean);
            self.current_hash = hash.into();
        }
    }

    /// The hash of the current stored message, when known: the one to keep alive.
    pub fn current_hashes(&self) -> Vec<String> {
        if self.current_hash.is_empty() {
            Vec::new()
        } else {
            alloc::vec![self.current_hash.clone()]
        }
    }

    /// Hands over (and forgets) the hashes of stored messages that are obsolete, for a caller
    /// that deletes them without pushing. While edits wait to be pushed, nothing is handed
    /// over: they go with that push.
    pub fn take_obsolete_hashes(&mut self) -> Vec<String> {
        if self.state == SyncState::Dirty || self.obsolete.is_empty() {
            return Vec::new();
        }
        self.needs_dump = true;
        core::mem::take(&mut self.obsolete).into_iter().collect()
    }

    // ---- merge ------------------------------------------------------------------------------

    /// Decrypts what a poll returned: unwraps (account configs), tries each key, strips the
    /// leading zeros, and decompresses. `None` when it is to be skipped.
    fn open(&self, stored: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        let stored = match (self.kind, &self.owner) {
            (Kind::User(kind), Some(owner)) => Cow::Owned(unwrap_received(owner, kind, stored)),
            _ => Cow::Borrowed(stored),
        };
        let domain = self.kind.domain();
        let plain = Zeroizing::new(
            self.keys
                .iter()
                .find_map(|key| crate::decrypt(&stored, key, domain).ok())?,
        );
        // All zeros is left as it is (and will not parse), as libsession leaves it.
        let start = plain.iter().position(|&b| b != 0).unwrap_or(0);
        let plain = &plain[start..];
        match plain.first()? {
            // Multipart messages: reserved, not implemented anywhere.
            b'm' => None,
            b'z' => decompress(&plain[1..], MAX_DECOMPRESSED_SIZE)
                .ok()
                .map(Zeroizing::new)
                .filter(|d| !d.is_empty()),
            _ => Some(Zeroizing::new(plain.to_vec())),
        }
    }

    /// Merges everything one poll returned for this config: `(hash, stored bytes)` pairs, in
    /// the order the swarm listed them. Returns the hashes of the messages that decrypted and
    /// parsed (and so were taken into account), in that order.
    ///
    /// The current message takes part as if it had been pushed. When several messages compete
    /// the result is a merge message that [`needs_push`](Self::needs_push); when one message
    /// supersedes everything it becomes the current message, [`SyncState::Clean`]. Every other
    /// input that parsed becomes obsolete (see [`Push::obsolete`]).
    ///
    /// Beyond libsession: the current message's hash is never listed as obsolete (libsession
    /// did so when a poll returned it again, so a later push deleted the live message; fixed
    /// upstream); a message that fails to parse does not shift which input is taken as the
    /// current one; and the device's own edits survive. libsession drops unpushed edits when
    /// the local message is 5 or more seqnos behind the newest, and a competing message of the
    /// same seqno that restates older values (every merge made by a device with no edits of its
    /// own lists all its data as changed) overrides an edit, pushed or not, when its hash sorts
    /// higher. Here, when the local message is an edit of this device that no other message
    /// included, every change of it that the result reverted to the value it had before the
    /// edit is made again on top of the result, as the next edit to push (looked for key by key,
    /// also inside a dictionary the result lost: libsession's replay erases a whole dictionary
    /// when a diff names one its sender's data no longer has). Concurrent changes to another
    /// value are left to the merge, and so are changes by a device that had seen the edit. A
    /// merge made while this device has an unpushed edit lists the edit's changes as its diff
    /// (libsession's diff is empty), so that later replays make them again. And the device's
    /// earlier changes, until a poll shows its pushed message standing alone, are made again
    /// when a merge loses them without any diff new to this device naming them (docs/config.md,
    /// "Edits that survive").
    pub fn merge<I, H, D>(&mut self, messages: I) -> Vec<String>
    where
        I: IntoIterator<Item = (H, D)>,
        H: AsRef<str>,
        D: AsRef<[u8]>,
    {
        if self.keys.is_empty() {
            return Vec::new();
        }
        let old_seqno = self.message.seqno();
        let dirty = self.state == SyncState::Dirty;
        let own = old_seqno != 0 || dirty;
        let mut hashes: Vec<String> = Vec::new();
        // Every input in the clear, wiped when the merge is done.
        let mut plaintexts: Vec<Zeroizing<Vec<u8>>> = Vec::new();
        if own {
            hashes.push(self.current_hash.clone());
            plaintexts.push(Zeroizing::new(self.message.serialize(self.signer())));
        }
        for (hash, stored) in messages {
            if let Some(plain) = self.open(stored.as_ref()) {
                hashes.push(hash.as_ref().into());
                plaintexts.push(plain);
            }
        }
        let inputs: Vec<&[u8]> = plaintexts.iter().map(|p| p.as_slice()).collect();
        let Ok(merged) = merge(&inputs, self.verifier(), self.signer()) else {
            return Vec::new();
        };
        let bad: BTreeSet<usize> = merged.rejected.iter().map(|(i, _)| *i).collect();
        let first_incoming = usize::from(own);
        let accepted: Vec<String> = (first_incoming..hashes.len())
            .filter(|i| !bad.contains(i))
            .map(|i| hashes[i].clone())
            .collect();

        let source = match merged.source {
            MergeSource::Unmerged(index) => Some(index),
            MergeSource::Merged => None,
        };
        // Our own edit, if it may have been overridden without being seen: it took part in a
        // merge, or was left out for being too old (not when a newer message included it).
        let ours_at_risk = own
            && match merged.source {
                MergeSource::Merged => !merged.redundant.iter().any(|&(i, _)| i == 0),
                MergeSource::Unmerged(index) => {
                    index != 0 && merged.redundant.contains(&(0, Redundancy::TooOld))
                }
            };
        // Our changes are safe when the poll returned our pushed message with nothing it does
        // not include, or a message that includes ours and holds every one of them.
        let settled = own
            && merged.source == MergeSource::Unmerged(0)
            && self.state == SyncState::Clean
            && !self.current_hash.is_empty()
            && accepted.contains(&self.current_hash);
        let kept = merged.redundant.contains(&(0, Redundancy::Included))
            && self.unconfirmed.as_ref().is_some_and(|base| {
                let mut ours = self.message.data().clone();
                prune(&mut ours);
                holds(
                    &crate::Diff::between(base, &ours),
                    &ours,
                    merged.message.data(),
                )
            });
        if settled || kept {
            self.unconfirmed = None;
        }
        // The current edit, if at risk: its changes the result reverted are made again.
        let unsaved = (ours_at_risk && !self.merge_pending)
            .then(|| {
                self.message.baseline().map(|baseline| {
                    (
                        self.message.diff().into_owned(),
                        baseline.clone(),
                        self.message.data().clone(),
                    )
                })
            })
            .flatten();
        // Our earlier changes no other device is known to have kept: those the result lost
        // although no diff new to us names them (a value lost to a replay, not changed by
        // anyone) are made again too.
        let tracked = if own {
            self.unconfirmed.as_ref().map(|base| {
                let mut ours = self.message.data().clone();
                prune(&mut ours);
                (crate::Diff::between(base, &ours), base.clone(), ours)
            })
        } else {
            None
        };
        let newer_diffs: Vec<crate::Diff> = match &tracked {
            None => Vec::new(),
            Some(_) => {
                let local: BTreeSet<(i64, crate::Hash)> = self
                    .message
                    .all_lagged()
                    .keys()
                    .copied()
                    .chain(core::iter::once((
                        old_seqno,
                        self.message.hash(self.signer()),
                    )))
                    .collect();
                let result = &merged.message;
                let result_own = match merged.source {
                    MergeSource::Unmerged(_) => {
                        Some(((result.seqno(), result.hash(None)), result.received_diff()))
                    }
                    MergeSource::Merged => None,
                };
                result
                    .all_lagged()
                    .iter()
                    .map(|(k, d)| (*k, d))
                    .chain(result_own)
                    .filter(|(k, _)| !local.contains(k))
                    .map(|(_, d)| d.clone())
                    .collect()
            }
        };
        let newer: Vec<&crate::Diff> = newer_diffs.iter().collect();

        let obsolete_before = self.obsolete.len();
        for (i, hash) in hashes.iter().enumerate() {
            if Some(i) != source && !bad.contains(&i) && !hash.is_empty() {
                self.obsolete.insert(hash.clone());
            }
        }

        let result = merged.message;
        let result_seqno = match source {
            Some(_) if dirty => result.seqno().saturating_add(1),
            _ => result.seqno(),
        };
        let mut replaced = false;
        if result_seqno != old_seqno {
            match source {
                None => {
                    self.message = result.editable_from(!dirty);
                    self.set_state(SyncState::Dirty);
                    self.merge_pending = true;
                    replaced = true;
                    if let (true, Some((diff, baseline, ours))) = (dirty, &unsaved) {
                        // Our unpushed edit lives on only in this merge. Its diff (empty in
                        // libsession's shape) lists the edit's changes the result holds, so
                        // that every later replay makes them again: a competing diff replayed
                        // after the edit's own can erase a value it set (a diff naming a
                        // dictionary its sender's data no longer has erases the whole
                        // dictionary). Nobody else has seen the edit, so nobody changed these
                        // values since, and nobody can push a twin of this merge: it is an
                        // edit like any.
                        if let Some(start) = self.message.baseline_mut() {
                            revert(diff, Some(baseline), Some(ours), start);
                        }
                        self.merge_pending = false;
                    }
                }
                Some(0) if dirty && result_seqno == old_seqno.saturating_add(1) => {
                    // Only our own message counted: keep it as it is.
                }
                Some(index) => {
                    self.set_state(SyncState::Clean);
                    self.current_hash = hashes[index].clone();
                    self.message = result;
                    self.merge_pending = false;
                    replaced = true;
                }
            }
        }
        // Changes of our own edit that the result reverted (our message was too old to count,
        // or a competing message restated the values it had changed), and earlier changes of
        // ours lost without a diff naming them, are made again, as the next edit.
        if replaced && (unsaved.is_some() || tracked.is_some()) {
            let mut data = self.message.data().clone();
            if let Some((diff, baseline, ours)) = &tracked {
                // Still unconfirmed: the result, without our changes.
                let mut base = data.clone();
                revert(diff, Some(baseline), Some(ours), &mut base);
                self.unconfirmed = Some(base);
                restore(diff, Some(baseline), Some(ours), &mut data, Some(&newer));
            }
            if let Some((diff, baseline, ours)) = &unsaved {
                restore(diff, Some(baseline), Some(ours), &mut data, None);
            }
            prune(&mut data);
            if data != *self.message.data() {
                self.start_edit();
                *self.message.data_in_place() = data;
            }
        }
        if !self.current_hash.is_empty() {
            self.obsolete.remove(&self.current_hash);
        }
        if self.obsolete.len() != obsolete_before {
            self.needs_dump = true;
        }
        accepted
    }

    // ---- dump -------------------------------------------------------------------------------

    /// The state to persist, and clears [`needs_dump`](Self::needs_dump) (§11.5): a dictionary
    /// of `!` (the state), `$` (the message, unsigned; a received signature is kept), `(` (the
    /// current hash, possibly empty), `)` (the obsolete hashes, sorted; none for a read-only
    /// config) and `+` (kind-specific extra data).
    pub fn dump(&mut self) -> Zeroizing<Vec<u8>> {
        if self.is_read_only() {
            self.obsolete.clear();
        }
        self.needs_dump = false;
        self.make_dump()
    }

    /// What [`dump`](Self::dump) returns, without changing anything. The dump holds the
    /// config's data in the clear (group keys among it) and is wiped on drop, as are the
    /// serialized parts it is made from. (Copies a growing buffer leaves behind when it moves
    /// are not: sizing the dump's buffer in advance made dumps of large configs a quarter
    /// slower, in fresh pages, for a partial gain.)
    pub fn make_dump(&self) -> Zeroizing<Vec<u8>> {
        let message = Zeroizing::new(self.message.serialize_unsigned());
        // Dirty dumps only (as `%`): a clean or waiting dump stays libsession's, byte for
        // byte, and forgets which changes are unconfirmed.
        let unconfirmed = match (self.state, &self.unconfirmed) {
            (SyncState::Dirty, Some(base)) => {
                let mut base = base.clone();
                prune(&mut base);
                Some(Zeroizing::new(crate::encode_dict(&base)))
            }
            _ => None,
        };
        // Pruned: empty containers mean nothing and cannot be encoded.
        let baseline = self.unpushed_edit_baseline().map(|baseline| {
            let mut baseline = baseline.clone();
            prune(&mut baseline);
            Zeroizing::new(crate::encode_dict(&baseline))
        });
        let mut out = Zeroizing::new(Vec::new());
        out.push(b'd');
        session_bencode::encode_bytes(&mut out, b"!");
        session_bencode::encode_integer(&mut out, self.state as i64);
        session_bencode::encode_bytes(&mut out, b"$");
        session_bencode::encode_bytes(&mut out, &message);
        if let Some(unconfirmed) = &unconfirmed {
            session_bencode::encode_bytes(&mut out, b"%");
            out.extend_from_slice(unconfirmed);
        }
        session_bencode::encode_bytes(&mut out, b"(");
        session_bencode::encode_bytes(&mut out, self.current_hash.as_bytes());
        session_bencode::encode_bytes(&mut out, b")");
        out.push(b'l');
        for hash in &self.obsolete {
            session_bencode::encode_bytes(&mut out, hash.as_bytes());
        }
        out.push(b'e');
        if let Some(baseline) = &baseline {
            session_bencode::encode_bytes(&mut out, b"*");
            out.extend_from_slice(baseline);
        }
        session_bencode::encode_bytes(&mut out, b"+");
        out.extend_from_slice(&self.extra);
        out.push(b'e');
        out
    }

    /// The data an unpushed edit of this device started from, when the message is one (not a
    /// merge result waiting to be pushed).
    fn unpushed_edit_baseline(&self) -> Option<&Dict> {
        if self.state == SyncState::Dirty && !self.merge_pending {
            self.message.baseline()
        } else {
            None
        }
    }

    /// The dump's `+` dictionary (kind-specific extra data), as bt-encoded bytes.
    pub fn extra_data(&self) -> &[u8] {
        &self.extra
    }

    /// Replaces the dump's `+` dictionary (bt-encoded by the caller); a change needs a dump.
    pub(crate) fn set_extra_data(&mut self, extra: Vec<u8>) {
        if self.extra != extra {
            self.extra = extra;
            self.needs_dump = true;
        }
    }

    fn load(&mut self, dump: &[u8]) -> Result<(), DumpError> {
        let mut reader = DictReader::with_options(dump, Options::lenient())?;
        if !reader.skip_until(b"!")? {
            return Err(DumpError::Missing("!"));
        }
        let state = match reader.read::<i64>()? {
            0 => SyncState::Clean,
            1 => SyncState::Dirty,
            2 => SyncState::Waiting,
            other => return Err(DumpError::State(other)),
        };
        if !reader.skip_until(b"$")? {
            return Err(DumpError::Missing("$"));
        }
        let stored = reader.read::<&[u8]>()?;
        let mut dirty = None;
        let message = if state == SyncState::Dirty {
            // Resumed after the `*` baseline (below) is read.
            dirty = Some(ConfigMessage::parse(stored, None)?);
            ConfigMessage::new()
        } else {
            let mut message = ConfigMessage::parse_trusted(stored)?;
            if message.signature().is_none() {
                if let Some(signer) = self.signer() {
                    // Our own message, dumped unsigned: its hash is that of what was pushed.
                    let hash = crate::message_hash(&message.serialize(Some(signer)));
                    message.set_hash(hash);
                }
            }
            message
        };
        let mut unconfirmed = if reader.skip_until(b"%")? {
            Some(parse_dict(reader.read::<DictReader<'_>>()?, true)?)
        } else {
            None
        };
        let mut current_hash = String::new();
        let mut obsolete = BTreeSet::new();
        if reader.skip_until(b"(")? {
            current_hash = text(reader.read::<&[u8]>()?)?;
            if !reader.skip_until(b")")? {
                return Err(DumpError::Missing(")"));
            }
            let mut list = reader.read::<ListReader<'_>>()?;
            while !list.is_finished()? {
                obsolete.insert(text(list.read::<&[u8]>()?)?);
            }
        }
        let baseline = if reader.skip_until(b"*")? {
            Some(parse_dict(reader.read::<DictReader<'_>>()?, true)?)
        } else {
            None
        };
        let message = match dirty {
            // An unpushed edit resumes as the next seqno (one seqno is skipped, as libsession
            // does: the stored one may have been pushed before the dump was written). With the
            // data the edit started from (`*`, written by this crate only), the edit stays one
            // edit, and a merge can still tell which of its changes to make again (see
            // `merge`); without it (libsession's dumps) the stored message becomes a lagged
            // diff of an empty edit.
            Some(stored) => match baseline {
                Some(baseline) => {
                    unconfirmed.get_or_insert_with(|| baseline.clone());
                    stored.resumed(baseline)
                }
                None => stored.increment(None),
            },
            None => message,
        };
        let mut extra = b"de".to_vec();
        if reader.skip_until(b"+")? {
            if reader.peek_kind()? != Some(BtKind::Dict) {
                return Err(DumpError::Missing("+"));
            }
            let raw = reader.read::<session_bencode::Raw<'_>>()?;
            // Re-encoded canonically: what the next dump writes.
            extra = raw.value()?.encode();
        }
        self.message = message;
        self.state = state;
        self.current_hash = current_hash;
        self.obsolete = obsolete;
        self.extra = extra;
        self.needs_dump = false;
        self.merge_pending = false;
        self.unconfirmed = if state == SyncState::Dirty {
            unconfirmed
        } else {
            None
        };
        Ok(())
    }
}

fn text(bytes: &[u8]) -> Result<String, DumpError> {
    core::str::from_utf8(bytes)
        .map(String::from)
        .map_err(|_| DumpError::Hash)
}

/// The dictionary at `path` below `root`, if every step is a dictionary.
fn dict_at_mut<'a>(root: &'a mut Dict, path: &[&[u8]]) -> Option<&'a mut Dict> {
    let mut dict = root;
    for key in path {
        dict = match dict.get_mut(*key)? {
            Value::Dict(inner) => inner,
            _ => return None,
        };
    }
    Some(dict)
}

/// Whether `data` holds, for every change of `diff`, the value `ours` has.
fn holds(diff: &crate::Diff, ours: &Dict, data: &Dict) -> bool {
    use crate::DiffEntry;
    diff.iter().all(|(key, entry)| match entry {
        DiffEntry::Dict(inner) => match (ours.get(key), data.get(key)) {
            (Some(Value::Dict(o)), Some(Value::Dict(d))) => holds(inner, o, d),
            (Some(Value::Dict(o)), None) => holds(inner, o, &Dict::new()),
            (o, d) => o == d,
        },
        _ => ours.get(key) == data.get(key),
    })
}

/// Undoes, in `target` (the data an edit starts from), the changes of `diff` (from `before` to
/// `ours`) that `target` holds: where it holds our value, the value before the edit is put
/// back, so that a diff from `target` lists those changes again.
fn revert(diff: &crate::Diff, before: Option<&Dict>, ours: Option<&Dict>, target: &mut Dict) {
    use crate::DiffEntry;
    for (key, entry) in diff.iter() {
        let was = before.and_then(|d| d.get(key));
        let wanted = ours.and_then(|d| d.get(key));
        if let (DiffEntry::Dict(inner), Some(Value::Dict(sub)), Some(Value::Dict(wanted))) =
            (entry, target.get_mut(key), wanted)
        {
            revert(inner, was.and_then(Value::as_dict), Some(wanted), sub);
            continue;
        }
        if target.get(key) == wanted {
            match was {
                Some(value) => target.insert(key.to_vec(), value.clone()),
                None => target.remove(key),
            };
        }
    }
}

/// Makes again, in `data` (the merge result at this level), the changes of `diff` (from
/// `baseline` to `ours`) that `data` reverted: where `data` holds the baseline value again.
///
/// With `newer` (the diffs of the merge this device had not merged before), a change that one of
/// them names (the key itself, or a value above it as a whole) is left as the merge made it.
fn restore(
    diff: &crate::Diff,
    baseline: Option<&Dict>,
    ours: Option<&Dict>,
    data: &mut Dict,
    newer: Option<&[&crate::Diff]>,
) {
    use crate::DiffEntry;
    for (key, entry) in diff.iter() {
        let named: Vec<&DiffEntry> = newer
            .map(|n| n.iter().filter_map(|d| d.get(key)).collect())
            .unwrap_or_default();
        let whole = named.iter().any(|e| !matches!(e, DiffEntry::Dict(_)));
        if whole || (!named.is_empty() && !matches!(entry, DiffEntry::Dict(_))) {
            continue;
        }
        let inner_newer: Option<Vec<&crate::Diff>> = newer.map(|_| {
            named
                .iter()
                .filter_map(|e| match e {
                    DiffEntry::Dict(inner) => Some(inner),
                    _ => None,
                })
                .collect()
        });
        let before = baseline.and_then(|d| d.get(key));
        let wanted = ours.and_then(|d| d.get(key));
        let now = data.get(key);
        match entry {
            DiffEntry::Assigned | DiffEntry::Removed => {
                if now == before && now != wanted {
                    match wanted {
                        Some(value) => data.insert(key.to_vec(), value.clone()),
                        None => data.remove(key),
                    };
                }
            }
            DiffEntry::Set { added, removed } => {
                let unchanged_kind = now.and_then(Value::as_set).is_some() || now == before;
                if !unchanged_kind {
                    continue;
                }
                let before_set = before.and_then(Value::as_set);
                let slot = data
                    .entry(key.to_vec())
                    .or_insert_with(|| Value::Set(Set::new()));
                if !matches!(slot, Value::Set(_)) {
                    *slot = Value::Set(Set::new());
                }
                if let Value::Set(set) = slot {
                    for member in added {
                        if !before_set.is_some_and(|b| b.contains(member)) {
                            set.insert(member.clone());
                        }
                    }
                    for member in removed {
                        if before_set.is_some_and(|b| b.contains(member)) {
                            set.remove(member);
                        }
                    }
                }
            }
            DiffEntry::Dict(inner) => {
                // A dictionary gone from the result is looked into too: a replayed diff that
                // names a dictionary its sender's data no longer has erases all of it, so
                // whether each of our changes was reverted is decided key by key.
                let unchanged_kind =
                    now.is_none() || now.and_then(Value::as_dict).is_some() || now == before;
                if !unchanged_kind {
                    continue;
                }
                let slot = data
                    .entry(key.to_vec())
                    .or_insert_with(|| Value::Dict(Dict::new()));
                if !matches!(slot, Value::Dict(_)) {
                    *slot = Value::Dict(Dict::new());
                }
                if let Value::Dict(target) = slot {
                    restore(
                        inner,
                        before.and_then(Value::as_dict),
                        wanted.and_then(Value::as_dict),
                        target,
                        inner_newer.as_deref(),
                    );
                }
            }
        }
    }
}
