//! UserGroups (§11.9): the `03` groups, legacy groups and community rooms the account is in.

use alloc::collections::BTreeMap;
use alloc::string::String;
use core::fmt;

use session_identity::{Identity, Prefix, Seed, SessionId};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::convo_info_volatile::rooms;
use crate::typed::{
    bytes, check_len, flag, forward_config, id_key, int_or_0, put, put_flag, put_nonempty,
    put_nonzero, put_positive, require, seconds, section, text, truncate,
};
use crate::{
    canonical_room, Community, Config, Dict, ItemError, Notifications, Push, PushError, Scalar,
    Set, UserKind, Value, MAX_NAME_LENGTH,
};

const GROUPS: &[u8] = b"g";
const COMMUNITIES: &[u8] = b"o";
const LEGACY_GROUPS: &[u8] = b"C";

macro_rules! secret_bytes {
    ($(#[$doc:meta])* $name:ident, $len:expr) => {
        $(#[$doc])*
        #[derive(Clone, Zeroize, ZeroizeOnDrop)]
        pub struct $name([u8; $len]);

        /// Compared in constant time.
        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                bool::from(subtle::ConstantTimeEq::ct_eq(&self.0[..], &other.0[..]))
            }
        }

        impl Eq for $name {}

        impl $name {
            /// The length in bytes.
            pub const LEN: usize = $len;

            /// Wraps the bytes.
            pub fn from_bytes(bytes: [u8; $len]) -> Self {
                Self(bytes)
            }

            /// The bytes, `None` unless exactly [`LEN`](Self::LEN) long.
            pub fn from_slice(bytes: &[u8]) -> Option<Self> {
                <[u8; $len]>::try_from(bytes).ok().map(Self)
            }

            /// The bytes. Keep them out of logs.
            pub fn expose(&self) -> &[u8; $len] {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
}

secret_bytes!(
    /// A `03` group's Ed25519 secret key (seed ‖ public key), held by its admins. Only the
    /// seed is stored.
    GroupSecretKey,
    64
);
secret_bytes!(
    /// A `03` group member's authentication data (a signed subaccount token), 100 bytes.
    GroupAuthData,
    100
);
secret_bytes!(
    /// A legacy group's X25519 secret key.
    LegacyGroupSecretKey,
    32
);

/// Why the account is no longer in a `03` group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum RemovedStatus {
    /// Still in it.
    #[default]
    NotRemoved,
    /// Removed by an admin.
    Kicked,
    /// The group was destroyed.
    Destroyed,
    /// A value this version does not know, kept as it is.
    Other(i64),
}

impl RemovedStatus {
    fn from_int(value: i64) -> Self {
        match value {
            0 => RemovedStatus::NotRemoved,
            1 => RemovedStatus::Kicked,
            2 => RemovedStatus::Destroyed,
            other => RemovedStatus::Other(other),
        }
    }

    fn to_int(self) -> i64 {
        match self {
            RemovedStatus::NotRemoved => 0,
            RemovedStatus::Kicked => 1,
            RemovedStatus::Destroyed => 2,
            RemovedStatus::Other(other) => other,
        }
    }
}

/// What every kind of group entry has.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct GroupSettings {
    /// 0 normal, −1 hidden, above 0 pinned (higher first).
    pub priority: i64,
    /// When the account joined (unix seconds); 0 when unknown.
    pub joined_at: i64,
    /// Notifications of the conversation.
    pub notifications: Notifications,
    /// Notifications are off until this unix time (seconds); 0 for none.
    pub mute_until: i64,
    /// Invited, not yet joined.
    pub invited: bool,
}

impl GroupSettings {
    fn load(d: &Dict) -> Self {
        Self {
            priority: int_or_0(d, b"+"),
            joined_at: int_or_0(d, b"j").max(0),
            notifications: match int_or_0(d, b"@") {
                n @ 0..=3 => Notifications::from_int(n),
                _ => Notifications::Default,
            },
            mute_until: int_or_0(d, b"!"),
            invited: flag(d, b"i"),
        }
    }

    fn store(&self, d: &mut Dict) {
        put_nonzero(d, b"+", self.priority);
        put_positive(d, b"j", self.joined_at);
        put_positive(d, b"@", self.notifications.to_int());
        put_positive(d, b"!", self.mute_until);
        put_flag(d, b"i", self.invited);
    }
}

/// A `03` group the account is in (or invited to).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GroupInfo {
    /// The group's ID (`03` and its Ed25519 public key).
    pub id: SessionId,
    /// Its name as last known ("" when unknown), at most 100 bytes; the group's own Info
    /// config is authoritative.
    pub name: String,
    /// The group's secret key, for an admin: it must belong to `id`.
    pub secret_key: Option<GroupSecretKey>,
    /// A member's authentication data (kept only while there is no secret key).
    pub auth_data: Option<GroupAuthData>,
    /// Priority, joined time, notifications, invited.
    pub settings: GroupSettings,
    /// Whether and why the account was removed.
    pub removed: RemovedStatus,
}

impl GroupInfo {
    /// The group `id` with every field at its default.
    pub fn new(id: SessionId) -> Self {
        Self {
            id,
            name: String::new(),
            secret_key: None,
            auth_data: None,
            settings: GroupSettings::default(),
            removed: RemovedStatus::NotRemoved,
        }
    }

    fn load(id: SessionId, d: &Dict) -> Self {
        let secret_key = bytes(d, b"K")
            .and_then(|seed| <[u8; 32]>::try_from(seed).ok())
            .and_then(|seed| {
                let identity = Identity::from_seed(Seed::from_full_bytes(seed));
                let pk = identity.ed25519_public_key().to_bytes();
                (pk == *id.key_bytes()).then(|| {
                    let mut sk = [0u8; 64];
                    sk[..32].copy_from_slice(&seed);
                    sk[32..].copy_from_slice(&pk);
                    let key = GroupSecretKey(sk);
                    sk.zeroize();
                    key
                })
            });
        Self {
            id,
            name: text(d, b"n"),
            secret_key,
            auth_data: bytes(d, b"s").and_then(GroupAuthData::from_slice),
            settings: GroupSettings::load(d),
            removed: RemovedStatus::from_int(int_or_0(d, b"r")),
        }
    }

    fn store(&self, d: &mut Dict) {
        self.settings.store(d);
        put_nonempty(d, b"n", self.name.as_bytes());
        put_positive(d, b"r", self.removed.to_int());
        match self
            .secret_key
            .as_ref()
            .filter(|sk| sk.0[32..] == self.id.key_bytes()[..])
        {
            Some(sk) => put(d, b"K", &sk.0[..32]),
            None => {
                put(d, b"K", &b""[..]);
                match &self.auth_data {
                    Some(auth) => put(d, b"s", &auth.0[..]),
                    None => {
                        d.remove(&b"s"[..]);
                    }
                }
            }
        }
    }
}

/// A legacy closed group (`05` ID), as older clients keep it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LegacyGroupInfo {
    /// The group's `05` ID.
    pub session_id: SessionId,
    /// Its name, at most 100 bytes.
    pub name: String,
    /// The group's X25519 public key and secret key, both or neither.
    pub encryption_keys: Option<([u8; 32], LegacyGroupSecretKey)>,
    /// Disappearing-messages timer in seconds; 0 off.
    pub disappearing_timer: u64,
    /// Members (`05` IDs), `true` for admins.
    pub members: BTreeMap<SessionId, bool>,
    /// Priority, joined time, notifications, invited.
    pub settings: GroupSettings,
}

impl LegacyGroupInfo {
    /// The legacy group `session_id` with every field at its default.
    pub fn new(session_id: SessionId) -> Self {
        Self {
            session_id,
            name: String::new(),
            encryption_keys: None,
            disappearing_timer: 0,
            members: BTreeMap::new(),
            settings: GroupSettings::default(),
        }
    }

    fn load(session_id: SessionId, d: &Dict) -> Self {
        let encryption_keys = match (bytes(d, b"k"), bytes(d, b"K")) {
            (Some(pk), Some(sk)) => <[u8; 32]>::try_from(pk)
                .ok()
                .zip(LegacyGroupSecretKey::from_slice(sk)),
            _ => None,
        };
        let mut members = BTreeMap::new();
        for (key, admin) in [(&b"m"[..], false), (&b"a"[..], true)] {
            if let Some(set) = d.get(key).and_then(Value::as_set) {
                for member in set {
                    if let Scalar::Bytes(b) = member {
                        if let Some(id) = id_key(b, Prefix::User) {
                            // A member listed as both stays a plain member, as in libsession.
                            members.entry(id).or_insert(admin);
                        }
                    }
                }
            }
        }
        Self {
            session_id,
            name: text(d, b"n"),
            encryption_keys,
            disappearing_timer: u64::try_from(int_or_0(d, b"E")).unwrap_or(0),
            members,
            settings: GroupSettings::load(d),
        }
    }

    fn store(&self, d: &mut Dict) -> Result<(), ItemError> {
        self.settings.store(d);
        put(d, b"n", self.name.as_str());
        match &self.encryption_keys {
            Some((pk, sk)) => {
                put(d, b"k", *pk);
                put(d, b"K", &sk.0[..]);
            }
            None => {
                d.remove(&b"k"[..]);
                d.remove(&b"K"[..]);
            }
        }
        let mut plain = Set::new();
        let mut admins = Set::new();
        for (id, admin) in &self.members {
            let id = require(id, Prefix::User)?;
            if *admin { &mut admins } else { &mut plain }.insert(Scalar::Bytes(id.to_vec()));
        }
        for (key, set) in [(&b"m"[..], plain), (&b"a"[..], admins)] {
            if set.is_empty() {
                d.remove(key);
            } else {
                put(d, key, Value::Set(set));
            }
        }
        put_positive(d, b"E", seconds(self.disappearing_timer)?);
        Ok(())
    }
}

/// A community room the account is in.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CommunityInfo {
    /// The room (its token keeps the case it was given).
    pub community: Community,
    /// Priority, joined time, notifications, invited.
    pub settings: GroupSettings,
}

impl CommunityInfo {
    /// The room with every setting at its default.
    pub fn new(community: Community) -> Self {
        Self {
            community,
            settings: GroupSettings::default(),
        }
    }
}

/// The UserGroups config (namespace 5): typed access to the groups and communities over a
/// [`Config`].
///
/// Data layout, libsession's:
///
/// - `g`: 33-byte `03` group IDs to `n` name, `K` the secret key's 32-byte seed (an empty
///   string when not an admin), `s` 100-byte auth data (only without `K`), `r` removed status;
/// - `C`: 33-byte legacy group IDs to `n` name (always), `k`/`K` X25519 key pair, `m`/`a` sets
///   of 33-byte member/admin IDs, `E` disappearing timer;
/// - `o`: community base URLs to `#` the server's public key and `R`, lower-cased room tokens
///   to `n` (the room as given);
///
/// and in every entry `+` priority, `j` joined at, `@` notifications, `!` muted until, `i`
/// invited, defaults omitted.
///
/// ```
/// use session_config::{Community, CommunityInfo, GroupInfo, UserGroups};
/// use session_identity::{Identity, Prefix, Seed, SessionId};
///
/// let account = Identity::from_seed(Seed::from_legacy_bytes(*b"0123456789abcdef"));
/// let mut groups = UserGroups::new(&account);
/// let mut room = CommunityInfo::new(Community::new("https://Example.com", "Lobby", [7; 32])?);
/// room.settings.priority = 2;
/// groups.set_community(&room)?;
/// let id = SessionId::new(Prefix::Group, [9; 32]);
/// let mut group = GroupInfo::new(id);
/// group.name = "Friends".into();
/// group.settings.invited = true;
/// groups.set_group(&group)?;
///
/// let found = groups.get_community("https://example.com", "LOBBY")?.unwrap();
/// assert_eq!(found.community.room(), "Lobby");
/// assert_eq!(groups.get_group(&id)?, Some(group));
/// assert!(groups.push()?.seqno == 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct UserGroups {
    config: Config,
}

forward_config!(UserGroups, UserKind::UserGroups);

impl UserGroups {
    /// See [`Config::push`].
    pub fn push(&mut self) -> Result<Push, PushError> {
        self.config.push()
    }

    /// The `03` group `id`, if stored.
    pub fn get_group(&self, id: &SessionId) -> Result<Option<GroupInfo>, ItemError> {
        let key = require(id, Prefix::Group)?;
        Ok(self
            .config
            .get_dict(&[GROUPS, &key])
            .map(|d| GroupInfo::load(*id, d)))
    }

    /// The `03` group `id`, or a new entry.
    pub fn get_or_construct_group(&self, id: &SessionId) -> Result<GroupInfo, ItemError> {
        Ok(self.get_group(id)?.unwrap_or_else(|| GroupInfo::new(*id)))
    }

    /// Stores `group` (name at most 100 bytes). A secret key whose public half is not the
    /// group's is not stored (the entry is then a member's).
    pub fn set_group(&mut self, group: &GroupInfo) -> Result<(), ItemError> {
        let key = require(&group.id, Prefix::Group)?;
        check_name(&group.name)?;
        let mut d = self
            .config
            .get_dict(&[GROUPS, &key])
            .cloned()
            .unwrap_or_default();
        group.store(&mut d);
        self.config.set(&[GROUPS, &key], Value::Dict(d))?;
        Ok(())
    }

    /// Removes the `03` group `id`; whether it was there.
    pub fn erase_group(&mut self, id: &SessionId) -> Result<bool, ItemError> {
        let key = require(id, Prefix::Group)?;
        let present = self.config.get(&[GROUPS, &key]).is_some();
        self.config.erase(&[GROUPS, &key])?;
        Ok(present)
    }

    /// The legacy group `id`, if stored.
    pub fn get_legacy_group(&self, id: &SessionId) -> Result<Option<LegacyGroupInfo>, ItemError> {
        let key = require(id, Prefix::User)?;
        Ok(self
            .config
            .get_dict(&[LEGACY_GROUPS, &key])
            .map(|d| LegacyGroupInfo::load(*id, d)))
    }

    /// Stores `group` (name at most 100 bytes, members `05` IDs).
    pub fn set_legacy_group(&mut self, group: &LegacyGroupInfo) -> Result<(), ItemError> {
        let key = require(&group.session_id, Prefix::User)?;
        check_name(&group.name)?;
        let mut d = self
            .config
            .get_dict(&[LEGACY_GROUPS, &key])
            .cloned()
            .unwrap_or_default();
        group.store(&mut d)?;
        self.config.set(&[LEGACY_GROUPS, &key], Value::Dict(d))?;
        Ok(())
    }

    /// Removes the legacy group `id`; whether it was there.
    pub fn erase_legacy_group(&mut self, id: &SessionId) -> Result<bool, ItemError> {
        let key = require(id, Prefix::User)?;
        let present = self.config.get(&[LEGACY_GROUPS, &key]).is_some();
        self.config.erase(&[LEGACY_GROUPS, &key])?;
        Ok(present)
    }

    /// The community room `room` (any case) of the server at `base_url`, if stored, with the
    /// public key stored for the server.
    pub fn get_community(
        &self,
        base_url: &str,
        room: &str,
    ) -> Result<Option<CommunityInfo>, ItemError> {
        let base = crate::canonical_url(base_url)?;
        let norm = canonical_room(room)?;
        let Some(d) = self
            .config
            .get_dict(&[COMMUNITIES, base.as_bytes(), b"R", norm.as_bytes()])
        else {
            return Ok(None);
        };
        let pubkey = self
            .config
            .get_bytes(&[COMMUNITIES, base.as_bytes(), b"#"])
            .and_then(|pk| <[u8; 32]>::try_from(pk).ok())
            .unwrap_or([0; 32]);
        Ok(Some(community_info(
            Community::new(&base, room, pubkey)?,
            d,
        )))
    }

    /// Stores `info`: the server's public key, and the room's entry with its token as given.
    pub fn set_community(&mut self, info: &CommunityInfo) -> Result<(), ItemError> {
        let c = &info.community;
        let base = c.base_url().as_bytes();
        let norm = canonical_room(c.room())?;
        self.config.set(&[COMMUNITIES, base, b"#"], *c.pubkey())?;
        let path: [&[u8]; 4] = [COMMUNITIES, base, b"R", norm.as_bytes()];
        let mut d = self.config.get_dict(&path).cloned().unwrap_or_default();
        info.settings.store(&mut d);
        put(&mut d, b"n", c.room());
        self.config.set(&path, Value::Dict(d))?;
        Ok(())
    }

    /// Removes the community room; whether it was there. A server left without rooms goes
    /// too.
    pub fn erase_community(&mut self, base_url: &str, room: &str) -> Result<bool, ItemError> {
        let base = crate::canonical_url(base_url)?;
        let norm = canonical_room(room)?;
        let path: [&[u8]; 4] = [COMMUNITIES, base.as_bytes(), b"R", norm.as_bytes()];
        let present = self.config.get(&path).is_some();
        self.config.erase(&path)?;
        if present
            && self
                .config
                .get_dict(&[COMMUNITIES, base.as_bytes(), b"R"])
                .is_none()
        {
            self.config.erase(&[COMMUNITIES, base.as_bytes()])?;
        }
        Ok(present)
    }

    /// The `03` groups, ascending by ID.
    pub fn groups(&self) -> impl Iterator<Item = GroupInfo> + '_ {
        section(self.config.data(), GROUPS)
            .filter_map(|(k, d)| id_key(k, Prefix::Group).map(|id| GroupInfo::load(id, d)))
    }

    /// The legacy groups, ascending by ID.
    pub fn legacy_groups(&self) -> impl Iterator<Item = LegacyGroupInfo> + '_ {
        section(self.config.data(), LEGACY_GROUPS)
            .filter_map(|(k, d)| id_key(k, Prefix::User).map(|id| LegacyGroupInfo::load(id, d)))
    }

    /// The community rooms, by base URL, then lower-cased room. Servers without a 32-byte
    /// public key, and invalid URLs or rooms, are skipped.
    pub fn communities(&self) -> impl Iterator<Item = CommunityInfo> + '_ {
        rooms(self.config.data(), COMMUNITIES).map(|(c, d)| community_info(c, d))
    }
}

/// The entry `d` of community `c` (whose room comes from the key), with the room as `n`
/// spells it when that is a valid room (libsession takes `n` whatever it says).
fn community_info(c: Community, d: &Dict) -> CommunityInfo {
    let community = bytes(d, b"n")
        .and_then(|n| core::str::from_utf8(n).ok())
        .and_then(|n| Community::new(c.base_url(), n, *c.pubkey()).ok())
        .unwrap_or(c);
    CommunityInfo {
        community,
        settings: GroupSettings::load(d),
    }
}

fn check_name(name: &str) -> Result<(), ItemError> {
    check_len(name.len(), MAX_NAME_LENGTH, |len, max| {
        ItemError::NameTooLong { len, max }
    })
}

/// `name` cut to 100 bytes at a character boundary, for [`GroupInfo::name`] and
/// [`LegacyGroupInfo::name`].
pub fn truncate_group_name(name: &str) -> &str {
    truncate(name, MAX_NAME_LENGTH)
}
