//! The bytes of keys messages (namespace 12): building a rekey or a supplement, and reading
//! one back with every structural check and the signature.

use alloc::vec::Vec;

use chacha20::cipher::{KeyIvInit, StreamCipher};
use chacha20::ChaCha20;
use session_bencode::{DictReader, DictWriter, ListReader, Options};
use session_envelope::multi::{self, Direction};
use session_envelope::GroupEncryptionKey;
use session_identity::hash::FixedBlake2b;
use session_identity::{Ed25519PublicKey, Identity, SessionId, Signature, X25519PublicKey};
use zeroize::Zeroizing;

use crate::error::LoadError;
use crate::group::GroupSecret;

/// Member entries are padded with junk to a multiple of this.
pub const MEMBER_BLOCK: usize = 75;
/// A member entry: a 32-byte key and its 16-byte tag.
pub const ENTRY_LEN: usize = 48;
/// The nonce length.
pub const NONCE_LEN: usize = 24;
/// The shortest supplement entry libsession accepts.
pub const MIN_SUPPLEMENT_ENTRY: usize = 68;

pub(crate) const KEY_GEN_DOMAIN: &[u8; 18] = b"SessionGroupKeyGen";
pub(crate) const SEED_DOMAIN: &[u8; 19] = b"SessionGroupKeySeed";
pub(crate) const ADMIN_DOMAIN: &[u8; 23] = b"SessionGroupKeyAdminKey";
pub(crate) const MEMBER_DOMAIN: &[u8] = b"SessionGroupKeyMemberKey";
const JUNK_DOMAIN: &[u8; 23] = b"SessionGroupJunkMembers";
const DRG_NONCE: &[u8; 12] = b"LibsodiumDRG";

/// One key a group holds: its generation, when it was stored (swarm storage time, ms) and
/// the 32-byte encryption key.
#[derive(Clone, PartialEq, Eq)]
pub struct GroupKey {
    /// The key generation (0 for the group's first key).
    pub generation: u64,
    /// When the message carrying it was stored in the swarm (ms since the epoch), or the time
    /// a supplement recorded for it.
    pub timestamp_ms: i64,
    /// The key.
    pub key: GroupEncryptionKey,
}

impl core::fmt::Debug for GroupKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("GroupKey")
            .field("generation", &self.generation)
            .field("timestamp_ms", &self.timestamp_ms)
            .finish_non_exhaustive()
    }
}

/// A full keys message made by [`rekey`].
#[derive(Clone)]
pub struct Rekey {
    /// The message to store in namespace 12.
    pub message: Vec<u8>,
    /// Its generation.
    pub generation: u64,
    /// The new encryption key.
    pub key: GroupEncryptionKey,
}

impl core::fmt::Debug for Rekey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Rekey")
            .field("message_len", &self.message.len())
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

/// The key a member shares with the group: BLAKE2b-32 keyed `SessionGroupKeyMemberKey` of
/// `X25519(group, member) ‖ group_X ‖ member_X`. `None` if the product is unusable.
fn admin_member_key(group: &GroupSecret, member: &X25519PublicKey) -> Option<Zeroizing<[u8; 32]>> {
    let identity = group.identity();
    multi::shared_key(
        identity.x25519_secret_key(),
        &identity.x25519_public_key(),
        member,
        Direction::Sending,
        MEMBER_DOMAIN,
    )
    .ok()
}

/// The same key, as the member computes it.
pub(crate) fn own_member_key(
    user: &Identity,
    group_x: &X25519PublicKey,
) -> Option<Zeroizing<[u8; 32]>> {
    multi::shared_key(
        user.x25519_secret_key(),
        &user.x25519_public_key(),
        group_x,
        Direction::Receiving,
        MEMBER_DOMAIN,
    )
    .ok()
}

/// The members sorted by their hex IDs (the byte order), without repeats.
fn sorted_members(members: &[SessionId]) -> Vec<SessionId> {
    let mut sorted = members.to_vec();
    sorted.sort_by_key(|id| id.to_bytes());
    sorted.dedup();
    sorted
}

/// Writes `d 1:# 1:G … 1:~` around `body` and signs it with the group key.
fn signed_dict(group: &GroupSecret, body: impl FnOnce(&mut DictWriter<'_>)) -> Vec<u8> {
    let mut out = Vec::new();
    let mut dict = DictWriter::new(&mut out);
    body(&mut dict);
    // `~` sorts after every key written: signing cannot fail.
    let _ = dict.finish_signed(|signed| group.sign(signed).to_bytes());
    out
}

/// The full keys message of `generation` for `members` (every member of the group, admins
/// included; sorted and de-duplicated here), as libsession's `Keys::rekey` makes it.
///
/// Deterministic: two admins rekeying the same member list at the same generation produce
/// the same message. Members whose X25519 key gives an unusable product get no entry but are
/// still hashed into the key.
pub fn rekey(group: &GroupSecret, generation: u64, members: &[SessionId]) -> Rekey {
    let members = sorted_members(members);
    let h2 = group.seed_hash(SEED_DOMAIN);
    let mut hasher = FixedBlake2b::<56>::new_keyed(KEY_GEN_DOMAIN);
    for member in &members {
        hasher.update(member.to_hex().as_bytes());
    }
    hasher.update(alloc::format!("{generation}").as_bytes());
    hasher.update(&h2[..]);
    let h1 = Zeroizing::new(hasher.finalize());
    let mut enc_key = Zeroizing::new([0u8; 32]);
    enc_key.copy_from_slice(&h1[..32]);
    let key = GroupEncryptionKey::from_bytes(*enc_key);
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&h1[32..]);

    let admin_key = multi::seal(
        &group.seed_hash(ADMIN_DOMAIN),
        &nonce,
        key.expose_secret_bytes(),
    );
    let mut entries: Vec<Vec<u8>> = Vec::with_capacity(members.len());
    for member in &members {
        let x = X25519PublicKey::from_bytes(*member.key_bytes());
        if let Some(km) = admin_member_key(group, &x) {
            entries.push(multi::seal(&km, &nonce, key.expose_secret_bytes()));
        }
    }
    let written = entries.len();
    let junk_count = if written.is_multiple_of(MEMBER_BLOCK) {
        0
    } else {
        MEMBER_BLOCK - written % MEMBER_BLOCK
    };
    let mut junk = Zeroizing::new(alloc::vec![0u8; junk_count * ENTRY_LEN]);
    if junk_count > 0 {
        let secret = group.identity().expose_ed25519_secret_key();
        let seed: [u8; 32] = FixedBlake2b::<32>::new_keyed(JUNK_DOMAIN)
            .chain(&h1[..])
            .chain(&secret[..])
            .finalize();
        let seed = Zeroizing::new(seed);
        ChaCha20::new((&*seed).into(), DRG_NONCE.into()).apply_keystream(&mut junk[..]);
    }

    let message = signed_dict(group, |dict| {
        let _ = dict.bytes("#", nonce);
        let _ = dict.integer("G", generation);
        let _ = dict.bytes("K", &admin_key);
        if let Ok(mut list) = dict.list("k") {
            for entry in &entries {
                list.bytes(entry);
            }
            for chunk in junk.chunks_exact(ENTRY_LEN) {
                list.bytes(chunk);
            }
        }
    });
    Rekey {
        message,
        generation,
        key,
    }
}

/// A supplement: hands `keys` (ascending by generation and time, as held) to `members`
/// (in the order given) without a rekey, as libsession's `Keys::key_supplement`. Members
/// with an unusable X25519 key get no entry. `None` if `keys` is empty.
pub fn supplement(
    group: &GroupSecret,
    keys: &[GroupKey],
    members: &[SessionId],
) -> Option<Vec<u8>> {
    let last = keys.last()?;
    let mut inner = Zeroizing::new(Vec::new());
    {
        let mut list = session_bencode::ListWriter::new(&mut inner);
        for key in keys {
            let mut dict = list.dict();
            let _ = dict.integer("g", key.generation);
            let _ = dict.bytes("k", key.key.expose_secret_bytes());
            let _ = dict.integer("t", key.timestamp_ms);
        }
    }
    let h2 = group.seed_hash(SEED_DOMAIN);
    let mut hasher = FixedBlake2b::<24>::new_keyed(KEY_GEN_DOMAIN);
    for member in members {
        hasher.update(member.to_hex().as_bytes());
    }
    hasher.update(&inner);
    hasher.update(&h2[..]);
    let nonce = hasher.finalize();
    let entries: Vec<Vec<u8>> = members
        .iter()
        .filter_map(|m| admin_member_key(group, &X25519PublicKey::from_bytes(*m.key_bytes())))
        .map(|km| multi::seal(&km, &nonce, &inner))
        .collect();
    Some(signed_dict(group, |dict| {
        let _ = dict.bytes("#", nonce);
        if let Ok(mut list) = dict.list("+") {
            for entry in &entries {
                list.bytes(entry);
            }
        }
        let _ = dict.integer("G", last.generation);
    }))
}

/// A keys message that passed every structural check and the signature.
#[derive(Debug, Clone)]
pub(crate) enum Parsed<'a> {
    Full {
        nonce: &'a [u8; NONCE_LEN],
        generation: u64,
        admin_key: &'a [u8],
        members: Vec<&'a [u8]>,
    },
    Supplement {
        nonce: &'a [u8; NONCE_LEN],
        generation: u64,
        entries: Vec<&'a [u8]>,
    },
}

impl Parsed<'_> {
    pub(crate) fn generation(&self) -> u64 {
        match self {
            Self::Full { generation, .. } | Self::Supplement { generation, .. } => *generation,
        }
    }
}

/// Reads a keys message and verifies its signature by `group`.
pub(crate) fn parse<'a>(data: &'a [u8], group: &Ed25519PublicKey) -> Result<Parsed<'a>, LoadError> {
    let bad = LoadError::Malformed;
    let mut dict = DictReader::with_options(data, Options::lenient()).map_err(bad)?;
    let nonce: &[u8] = dict
        .maybe(b"#")
        .map_err(bad)?
        .ok_or(LoadError::MissingNonce)?;
    let nonce: &[u8; NONCE_LEN] = nonce
        .try_into()
        .map_err(|_| LoadError::NonceLength { len: nonce.len() })?;
    let supplement: Option<ListReader<'a>> = dict.maybe(b"+").map_err(bad)?;
    let generation: i64 = dict
        .maybe(b"G")
        .map_err(bad)?
        .ok_or(LoadError::MissingGeneration)?;
    let generation =
        u64::try_from(generation).map_err(|_| LoadError::NegativeGeneration { generation })?;
    let parsed = match supplement {
        Some(mut list) => {
            let mut entries = Vec::new();
            while !list.is_finished().map_err(bad)? {
                let entry: &[u8] = list.read().map_err(bad)?;
                if entry.len() < MIN_SUPPLEMENT_ENTRY {
                    return Err(LoadError::SupplementEntryLength {
                        index: entries.len(),
                        len: entry.len(),
                    });
                }
                entries.push(entry);
            }
            Parsed::Supplement {
                nonce,
                generation,
                entries,
            }
        }
        None => {
            let admin_key: &[u8] = dict
                .maybe(b"K")
                .map_err(bad)?
                .ok_or(LoadError::MissingAdminKey)?;
            if admin_key.len() != ENTRY_LEN {
                return Err(LoadError::AdminKeyLength {
                    len: admin_key.len(),
                });
            }
            let mut list: ListReader<'a> = dict
                .maybe(b"k")
                .map_err(bad)?
                .ok_or(LoadError::MissingMemberKeys)?;
            let mut members = Vec::new();
            while !list.is_finished().map_err(bad)? {
                let entry: &[u8] = list.read().map_err(bad)?;
                if entry.len() != ENTRY_LEN {
                    return Err(LoadError::MemberKeyLength {
                        index: members.len(),
                        len: entry.len(),
                    });
                }
                members.push(entry);
            }
            if !members.len().is_multiple_of(MEMBER_BLOCK) {
                return Err(LoadError::MemberKeyCount {
                    count: members.len(),
                });
            }
            Parsed::Full {
                nonce,
                generation,
                admin_key,
                members,
            }
        }
    };
    let signed = dict
        .signature()
        .map_err(bad)?
        .ok_or(LoadError::MissingSignature)?;
    dict.finish().map_err(bad)?;
    group
        .verify(
            signed.signed_bytes(),
            &Signature::from_bytes(*signed.signature()),
        )
        .map_err(|_| LoadError::BadSignature)?;
    Ok(parsed)
}

/// Opens the decrypted supplement list: `[{g, k, t}, …]`.
pub(crate) fn parse_supplement_keys(inner: &[u8]) -> Result<Vec<GroupKey>, LoadError> {
    let bad = |_| LoadError::SupplementContent;
    let mut list = ListReader::with_options(inner, Options::lenient()).map_err(bad)?;
    let mut keys = Vec::new();
    while !list.is_finished().map_err(bad)? {
        let mut dict: DictReader<'_> = list.read().map_err(bad)?;
        let generation: i64 = dict.require(b"g").map_err(bad)?;
        let key: &[u8] = dict.require(b"k").map_err(bad)?;
        let timestamp_ms: i64 = dict.require(b"t").map_err(bad)?;
        let generation = u64::try_from(generation).map_err(|_| LoadError::SupplementContent)?;
        let key = GroupEncryptionKey::from_slice(key).ok_or(LoadError::SupplementContent)?;
        keys.push(GroupKey {
            generation,
            timestamp_ms,
            key,
        });
    }
    list.finish().map_err(bad)?;
    Ok(keys)
}

/// The first of `entries` that opens under `key` and `nonce` (XChaCha20-Poly1305 with no
/// associated data, as [`open`]), decrypted; `None` if none does.
///
/// A member tries its one key on every entry of a keys message, all under the message's one
/// nonce, so the XChaCha20 subkey and the Poly1305 key (ChaCha20 block 0) are the same for
/// every attempt: they are derived once, and each attempt is only a Poly1305 tag over the
/// entry ([`crate::tag`]), compared in constant time. The entry that matches is decrypted from
/// block 1.
pub(crate) fn open_first<'e>(
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    entries: impl IntoIterator<Item = &'e [u8]>,
) -> Option<Zeroizing<Vec<u8>>> {
    use chacha20::cipher::{KeyIvInit, StreamCipher};
    use chacha20::{hchacha, ChaCha20, R20};
    use subtle::ConstantTimeEq;

    const TAG: usize = 16;
    let mut hnonce = [0u8; 16];
    hnonce.copy_from_slice(&nonce[..16]);
    let subkey = Zeroizing::new(<[u8; 32]>::from(hchacha::<R20>(
        &(*key).into(),
        &hnonce.into(),
    )));
    let mut chacha_nonce = [0u8; 12];
    chacha_nonce[4..].copy_from_slice(&nonce[16..]);
    let mut block0 = Zeroizing::new([0u8; 64]);
    let mut cipher = ChaCha20::new(&(*subkey).into(), &chacha_nonce.into());
    cipher.apply_keystream(&mut block0[..]);
    let mut mac_key = Zeroizing::new([0u8; 32]);
    mac_key.copy_from_slice(&block0[..32]);
    // The key is clamped once; each attempt starts from a copy.
    let keyed = crate::tag::ShortPoly1305::new(&mac_key);
    for entry in entries {
        let Some(split) = entry.len().checked_sub(TAG) else {
            continue;
        };
        let (ciphertext, tag) = entry.split_at(split);
        let mut mac = keyed.clone();
        mac.update_padded(ciphertext);
        let mut lengths = [0u8; 16];
        lengths[8..].copy_from_slice(&(ciphertext.len() as u64).to_le_bytes());
        mac.update_padded(&lengths);
        if bool::from(mac.finalize()[..].ct_eq(tag)) {
            // `cipher` stands at block 1 after block 0 was drawn.
            let mut plaintext = Zeroizing::new(ciphertext.to_vec());
            cipher.apply_keystream(&mut plaintext[..]);
            return Some(plaintext);
        }
    }
    None
}

/// `seal`/`open` of the one-shot XChaCha20-Poly1305 the messages use.
pub(crate) fn open(
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    ciphertext: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    multi::open(key, nonce, ciphertext).map(Zeroizing::new)
}
