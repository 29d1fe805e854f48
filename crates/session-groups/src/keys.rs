//! The key state of one member (or admin) of a `03` group.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use session_bencode::{DictReader, DictWriter, ListReader, ListWriter, Options};
use session_envelope::group::{self, EncryptOptions, GroupMessage, GroupMessageError};
use session_envelope::GroupEncryptionKey;
use session_identity::{Ed25519PublicKey, Identity, SessionId, X25519PublicKey};
use zeroize::Zeroizing;

use crate::error::{KeysError, LoadError};
use crate::group::GroupSecret;
use crate::message::{self, GroupKey, Parsed, Rekey};

/// How long an older generation outlives its successor: 60 days, in ms. A generation is
/// dropped once the next generation's oldest key is more than this older than the newest key.
pub const KEY_EXPIRY_MS: i64 = 2 * 30 * 24 * 60 * 60 * 1000;

/// What loading one keys message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Loaded {
    /// The message gave us at least one key (possibly one we already held).
    pub found: bool,
    /// The message's generation (`G`).
    pub generation: u64,
}

/// A key of our own rekey, used to encrypt before our message comes back from the swarm.
#[derive(Clone)]
struct Pending {
    generation: u64,
    key: GroupEncryptionKey,
}

/// Which keys of a `03` group we hold, learnt from its keys messages (namespace 12).
///
/// A member learns keys from the entry addressed to it; an admin (holding the
/// [`GroupSecret`]) from the admins' copy `K`, and can [`rekey`](Keys::rekey) and
/// [`supplement`](Keys::supplement). Keys are held newest first by (generation, timestamp):
/// after two admins rekeyed at once, the later stored key encrypts. Older generations expire
/// by the [`KEY_EXPIRY_MS`] rule. `Debug` shows no key.
#[derive(Clone)]
pub struct Keys {
    group_public: Ed25519PublicKey,
    group_x25519: X25519PublicKey,
    user: Identity,
    admin: Option<GroupSecret>,
    /// Ascending by (generation, timestamp); ties in load order.
    keys: Vec<GroupKey>,
    pending: Option<Pending>,
    /// Hashes of the accepted messages, by generation.
    hashes: BTreeMap<u64, BTreeSet<String>>,
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keys")
            .field("group_id", &crate::group_id(&self.group_public))
            .field("user", &self.user.session_id())
            .field("admin", &self.admin.is_some())
            .field("keys", &self.keys.len())
            .field("pending", &self.pending.as_ref().map(|p| p.generation))
            .finish_non_exhaustive()
    }
}

impl Keys {
    /// The state of `user`, a member of the group whose key is `group_public`.
    pub fn new_member(user: Identity, group_public: Ed25519PublicKey) -> Result<Self, KeysError> {
        let group_x25519 = group_public
            .to_x25519()
            .map_err(|_| KeysError::InvalidGroupKey)?;
        Ok(Self {
            group_public,
            group_x25519,
            user,
            admin: None,
            keys: Vec::new(),
            pending: None,
            hashes: BTreeMap::new(),
        })
    }

    /// The state of `user`, an admin holding the group's secret.
    pub fn new_admin(user: Identity, group: GroupSecret) -> Result<Self, KeysError> {
        let mut keys = Self::new_member(user, group.public_key())?;
        keys.admin = Some(group);
        Ok(keys)
    }

    /// [`new_member`](Keys::new_member) or [`new_admin`](Keys::new_admin): `secret` (if
    /// given) must be the secret of `group_public`.
    pub fn new(
        user: Identity,
        group_public: Ed25519PublicKey,
        secret: Option<GroupSecret>,
    ) -> Result<Self, KeysError> {
        match secret {
            Some(secret) if secret.public_key() != group_public => Err(KeysError::WrongGroupSecret),
            Some(secret) => Self::new_admin(user, secret),
            None => Self::new_member(user, group_public),
        }
    }

    /// The group's `03` ID.
    pub fn group_id(&self) -> SessionId {
        crate::group_id(&self.group_public)
    }

    /// The group's Ed25519 public key.
    pub fn group_public_key(&self) -> Ed25519PublicKey {
        self.group_public
    }

    /// Whether we hold the group secret.
    pub fn is_admin(&self) -> bool {
        self.admin.is_some()
    }

    /// The group secret, for an admin. Secret.
    pub fn group_secret(&self) -> Option<&GroupSecret> {
        self.admin.as_ref()
    }

    /// Promotes a member to admin; `secret` must be this group's.
    pub fn set_admin(&mut self, secret: GroupSecret) -> Result<(), KeysError> {
        if secret.public_key() != self.group_public {
            return Err(KeysError::WrongGroupSecret);
        }
        self.admin = Some(secret);
        Ok(())
    }

    /// Every key held, newest first (by generation, then storage time).
    pub fn keys(&self) -> impl Iterator<Item = &GroupKey> {
        self.keys.iter().rev()
    }

    /// The generation of the newest key held (0 when none is).
    pub fn current_generation(&self) -> u64 {
        self.keys.last().map_or(0, |k| k.generation)
    }

    /// The key to encrypt with: the pending key of our own rekey, else the newest held.
    pub fn encryption_key(&self) -> Option<&GroupEncryptionKey> {
        self.pending
            .as_ref()
            .map(|p| &p.key)
            .or_else(|| self.keys.last().map(|k| &k.key))
    }

    /// The keys to decrypt with, in the order to try them: the pending key, then every held
    /// key newest first. Hand them to [`session_envelope::group::decrypt`].
    pub fn decryption_keys(&self) -> Vec<&GroupEncryptionKey> {
        self.pending
            .iter()
            .map(|p| &p.key)
            .chain(self.keys.iter().rev().map(|k| &k.key))
            .collect()
    }

    /// Whether a rekey of ours is waiting to come back from the swarm.
    pub fn has_pending_key(&self) -> bool {
        self.pending.is_some()
    }

    /// The swarm hashes of the accepted keys messages still needed (those of kept
    /// generations; a message that gave us no key counts for its `G`). Empty while no key
    /// is held. Sorted.
    pub fn current_hashes(&self) -> Vec<&str> {
        let Some(oldest) = self.keys.first() else {
            return Vec::new();
        };
        self.hashes
            .range(oldest.generation..)
            .flat_map(|(_, set)| set.iter().map(String::as_str))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    /// Loads one keys message retrieved from namespace 12: `hash` is its swarm hash and
    /// `timestamp_ms` its storage time. A refused message changes nothing.
    pub fn load(
        &mut self,
        hash: &str,
        data: &[u8],
        timestamp_ms: i64,
    ) -> Result<Loaded, LoadError> {
        let parsed = message::parse(data, &self.group_public)?;
        let generation = parsed.generation();
        let found = self.keys_in(&parsed, timestamp_ms)?;
        let any = !found.is_empty();
        for key in found {
            self.insert(key);
        }
        self.hashes
            .entry(generation)
            .or_default()
            .insert(String::from(hash));
        self.remove_expired();
        Ok(Loaded {
            found: any,
            generation,
        })
    }

    /// The keys a verified message holds for us.
    fn keys_in(&self, parsed: &Parsed<'_>, timestamp_ms: i64) -> Result<Vec<GroupKey>, LoadError> {
        match (parsed, &self.admin) {
            (
                Parsed::Full {
                    nonce,
                    generation,
                    admin_key,
                    ..
                },
                Some(admin),
            ) => {
                let key = message::open(&admin.seed_hash(message::ADMIN_DOMAIN), nonce, admin_key)
                    .and_then(|k| GroupEncryptionKey::from_slice(&k))
                    .ok_or(LoadError::AdminKeyDecrypt)?;
                Ok(alloc::vec![GroupKey {
                    generation: *generation,
                    timestamp_ms,
                    key
                }])
            }
            (Parsed::Supplement { .. }, Some(_)) => Ok(Vec::new()),
            (
                Parsed::Full {
                    nonce,
                    generation,
                    members,
                    ..
                },
                None,
            ) => {
                let Some(km) = message::own_member_key(&self.user, &self.group_x25519) else {
                    return Ok(Vec::new());
                };
                Ok(message::open_first(&km, nonce, members.iter().copied())
                    .and_then(|k| GroupEncryptionKey::from_slice(&k))
                    .map(|key| GroupKey {
                        generation: *generation,
                        timestamp_ms,
                        key,
                    })
                    .into_iter()
                    .collect())
            }
            (Parsed::Supplement { nonce, entries, .. }, None) => {
                let Some(km) = message::own_member_key(&self.user, &self.group_x25519) else {
                    return Ok(Vec::new());
                };
                match entries
                    .iter()
                    .find_map(|entry| message::open(&km, nonce, entry))
                {
                    Some(inner) => message::parse_supplement_keys(&inner),
                    None => Ok(Vec::new()),
                }
            }
        }
    }

    /// Adds a key unless the same (generation, key) is held; clears a matching pending key.
    fn insert(&mut self, key: GroupKey) {
        if self
            .pending
            .as_ref()
            .is_some_and(|p| p.generation == key.generation && p.key == key.key)
        {
            self.pending = None;
        }
        if self
            .keys
            .iter()
            .any(|k| k.generation == key.generation && k.key == key.key)
        {
            return;
        }
        // Ties of (generation, time) keep load order: key bytes are never compared for order.
        let at = self.keys.partition_point(|k| {
            (k.generation, k.timestamp_ms) <= (key.generation, key.timestamp_ms)
        });
        self.keys.insert(at, key);
    }

    /// Drops every generation whose successor's oldest key is more than [`KEY_EXPIRY_MS`]
    /// older than the newest key, with the hashes of the dropped generations.
    fn remove_expired(&mut self) {
        let Some(newest) = self.keys.last().map(|k| k.timestamp_ms) else {
            return;
        };
        let mut cut = 0;
        for i in 1..self.keys.len() {
            let (prev, this) = (&self.keys[i - 1], &self.keys[i]);
            if prev.generation != this.generation
                && newest.saturating_sub(this.timestamp_ms) > KEY_EXPIRY_MS
            {
                cut = i;
            }
        }
        self.keys.drain(..cut);
        if let Some(oldest) = self.keys.first().map(|k| k.generation) {
            self.hashes.retain(|&generation, _| generation >= oldest);
        }
    }

    /// The group secret, or [`KeysError::NotAdmin`].
    fn admin(&self) -> Result<&GroupSecret, KeysError> {
        self.admin.as_ref().ok_or(KeysError::NotAdmin)
    }

    /// A new key for `members` (the group's complete member list, admins included): the
    /// next generation's full keys message, to store in namespace 12. Its key is pending,
    /// and encrypts, until the message is [`load`](Keys::load)ed back from the swarm.
    pub fn rekey(&mut self, members: &[SessionId]) -> Result<Rekey, KeysError> {
        let admin = self.admin()?;
        let newest = self
            .keys
            .last()
            .map(|k| k.generation)
            .max(self.pending.as_ref().map(|p| p.generation));
        let generation = match newest {
            None => 0,
            Some(g) => g.checked_add(1).ok_or(KeysError::GenerationOverflow)?,
        };
        let rekey = message::rekey(admin, generation, members);
        self.pending = Some(Pending {
            generation,
            key: rekey.key.clone(),
        });
        Ok(rekey)
    }

    /// A supplement giving every held key to `members` (newly added, in this order) without
    /// a rekey.
    pub fn supplement(&self, members: &[SessionId]) -> Result<alloc::vec::Vec<u8>, KeysError> {
        let admin = self.admin()?;
        message::supplement(admin, &self.keys, members).ok_or(KeysError::NoKeys)
    }

    /// Encrypts a group message (namespace 11) as `sender` with the
    /// [`encryption_key`](Keys::encryption_key); `None` if no key is held.
    pub fn encrypt_message(
        &self,
        sender: &Identity,
        plaintext: &[u8],
        options: EncryptOptions,
        rng: &mut impl rand_core::CryptoRng,
    ) -> Option<Result<Vec<u8>, GroupMessageError>> {
        let key = self.encryption_key()?;
        Some(group::encrypt(key, sender, plaintext, options, rng))
    }

    /// Decrypts a group message with every key held, pending first, then newest first.
    pub fn decrypt_message(&self, ciphertext: &[u8]) -> Result<GroupMessage, GroupMessageError> {
        group::decrypt(self.decryption_keys(), ciphertext)
    }

    /// Decrypts the group messages of a poll: element `i` is exactly
    /// [`decrypt_message`](Keys::decrypt_message)`(ciphertexts[i])`, with the signatures
    /// checked as one batch ([`group::decrypt_batch`]).
    pub fn decrypt_messages(
        &self,
        ciphertexts: &[&[u8]],
    ) -> Vec<Result<GroupMessage, GroupMessageError>> {
        let keys = self.decryption_keys();
        group::decrypt_batch(keys.iter().copied(), ciphertexts)
    }

    /// The state as bytes to keep across restarts: every key held (with its generation and
    /// time), the pending key and the hashes of the accepted messages. Secret (it holds the
    /// keys); not the group secret or the user's keys, which [`restore`](Keys::restore) is
    /// given again. The format is this crate's, a bt-encoded dictionary, not libsession's dump.
    pub fn dump(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::new());
        {
            let mut dict = DictWriter::new(&mut out);
            // Keys in ascending order: none of these writes can fail.
            let _ = dict.bytes("G", self.group_public.as_bytes());
            if let Ok(mut list) = dict.list("h") {
                for (generation, hashes) in &self.hashes {
                    let mut row = list.list();
                    row.integer(*generation);
                    let mut names = row.list();
                    for hash in hashes {
                        names.bytes(hash.as_bytes());
                    }
                }
            }
            if let Ok(mut list) = dict.list("k") {
                write_keys(&mut list, &self.keys);
            }
            if let Some(pending) = &self.pending {
                if let Ok(mut p) = dict.dict("p") {
                    let _ = p.integer("g", pending.generation);
                    let _ = p.bytes("k", pending.key.expose_secret_bytes());
                }
            }
        }
        out
    }

    /// The state [`dump`](Keys::dump) wrote, for `user` in the group of `group_public`
    /// (with its secret for an admin). [`KeysError::InvalidDump`] for anything else.
    pub fn restore(
        user: Identity,
        group_public: Ed25519PublicKey,
        secret: Option<GroupSecret>,
        dump: &[u8],
    ) -> Result<Self, KeysError> {
        let mut keys = Self::new(user, group_public, secret)?;
        let bad = |_| KeysError::InvalidDump;
        let mut dict = DictReader::with_options(dump, Options::canonical()).map_err(bad)?;
        let group: &[u8; 32] = dict.require(b"G").map_err(bad)?;
        if group != group_public.as_bytes() {
            return Err(KeysError::InvalidDump);
        }
        let mut rows: ListReader<'_> = dict.require(b"h").map_err(bad)?;
        while !rows.is_finished().map_err(bad)? {
            let mut row: ListReader<'_> = rows.read().map_err(bad)?;
            let generation: u64 = row.read().map_err(bad)?;
            let mut names: ListReader<'_> = row.read().map_err(bad)?;
            row.finish().map_err(bad)?;
            let set = keys.hashes.entry(generation).or_default();
            while !names.is_finished().map_err(bad)? {
                let name: &[u8] = names.read().map_err(bad)?;
                let name = core::str::from_utf8(name).map_err(|_| KeysError::InvalidDump)?;
                set.insert(String::from(name));
            }
        }
        let mut list: ListReader<'_> = dict.require(b"k").map_err(bad)?;
        while !list.is_finished().map_err(bad)? {
            let mut item: DictReader<'_> = list.read().map_err(bad)?;
            let generation: u64 = item.require(b"g").map_err(bad)?;
            let key: &[u8; 32] = item.require(b"k").map_err(bad)?;
            let timestamp_ms: i64 = item.require(b"t").map_err(bad)?;
            item.finish().map_err(bad)?;
            keys.insert(GroupKey {
                generation,
                timestamp_ms,
                key: GroupEncryptionKey::from_bytes(*key),
            });
        }
        if let Some(mut p) = dict.maybe::<DictReader<'_>>(b"p").map_err(bad)? {
            let generation: u64 = p.require(b"g").map_err(bad)?;
            let key: &[u8; 32] = p.require(b"k").map_err(bad)?;
            p.finish().map_err(bad)?;
            keys.pending = Some(Pending {
                generation,
                key: GroupEncryptionKey::from_bytes(*key),
            });
        }
        dict.finish().map_err(bad)?;
        Ok(keys)
    }
}

/// The `{g, k, t}` dictionaries of `keys`, in order.
fn write_keys(list: &mut ListWriter<'_>, keys: &[GroupKey]) {
    for key in keys {
        let mut dict = list.dict();
        let _ = dict.integer("g", key.generation);
        let _ = dict.bytes("k", key.key.expose_secret_bytes());
        let _ = dict.integer("t", key.timestamp_ms);
    }
}
