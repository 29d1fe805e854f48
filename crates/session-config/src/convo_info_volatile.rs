//! ConvoInfoVolatile (§11.8): per conversation, how far it was read and whether it is marked
//! unread; entries read long ago are pruned.

use alloc::vec::Vec;

use session_identity::{Prefix, SessionId};

use crate::typed::{
    bytes, flag, forward_config, id_key, int, int_or_0, put, put_flag, require, section,
};
use crate::{
    canonical_room, canonical_url, Community, Config, Dict, ItemError, Push, PushError, UserKind,
    Value,
};

const ONE_TO_ONE: &[u8] = b"1";
const COMMUNITIES: &[u8] = b"o";
const GROUPS: &[u8] = b"g";
const LEGACY_GROUPS: &[u8] = b"C";

/// A `last_read` moved forward to a time more than this long before now (30 days, in
/// milliseconds) is ignored.
pub const PRUNE_LOW_MS: i64 = 30 * 24 * 3600 * 1000;

/// A push prunes the conversations read last more than this long before now (45 days, in
/// milliseconds) and not marked unread.
pub const PRUNE_HIGH_MS: i64 = 45 * 24 * 3600 * 1000;

/// Which conversation an entry is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Conversation {
    /// A one-to-one conversation with a `05` Session ID.
    OneToOne(SessionId),
    /// A community room. Rooms are stored (and listed) lower-cased.
    Community(Community),
    /// A `03` group.
    Group(SessionId),
    /// A legacy closed group, by its `05` ID.
    LegacyGroup(SessionId),
}

/// The volatile state of one conversation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ConvoInfo {
    /// The conversation.
    pub conversation: Conversation,
    /// When the last read message was sent (unix milliseconds); 0 when unknown.
    pub last_read: i64,
    /// Marked unread by the user.
    pub unread: bool,
}

impl ConvoInfo {
    /// The state of `conversation` with nothing read and no unread mark.
    pub fn new(conversation: Conversation) -> Self {
        Self {
            conversation,
            last_read: 0,
            unread: false,
        }
    }

    fn with(conversation: Conversation, d: &Dict) -> Self {
        Self {
            conversation,
            last_read: int_or_0(d, b"r"),
            unread: flag(d, b"u"),
        }
    }
}

/// The ConvoInfoVolatile config (namespace 4): typed access to the conversations' read state
/// over a [`Config`].
///
/// Data layout, libsession's: `1` maps 33-byte `05` IDs, `g` 33-byte `03` group IDs and `C`
/// 33-byte legacy group IDs to an entry; `o` maps each community's base URL to a dictionary of
/// `#` (the server's public key) and `R` (lower-cased room tokens to entries). An entry holds
/// `r` (last read, unix milliseconds) and `u` (`1` when marked unread), defaults omitted.
///
/// Time comes from the caller: [`set`](Self::set) ignores a `last_read` moved forward to more
/// than 30 days before `now_ms` ([`PRUNE_LOW_MS`]), and [`push`](Self::push) first prunes the
/// one-to-one, community and legacy-group entries last read more than 45 days before `now_ms`
/// ([`PRUNE_HIGH_MS`]) that are not marked unread, as libsession does (`03` groups are kept).
///
/// ```
/// use session_config::{Conversation, ConvoInfo, ConvoInfoVolatile};
/// use session_identity::{Identity, Seed, SessionId};
///
/// let account = Identity::from_seed(Seed::from_legacy_bytes(*b"0123456789abcdef"));
/// let now_ms = 1_733_000_000_000;
/// let bob: SessionId =
///     "051111111111111111111111111111111111111111111111111111111111111111".parse()?;
/// let mut convos = ConvoInfoVolatile::new(&account);
/// let mut info = convos.get_or_construct(&Conversation::OneToOne(bob))?;
/// info.last_read = now_ms - 5_000;
/// convos.set(&info, now_ms)?;
/// assert_eq!(convos.get(&Conversation::OneToOne(bob))?.unwrap().last_read, now_ms - 5_000);
/// let push = convos.push(now_ms)?;
/// assert_eq!(push.seqno, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ConvoInfoVolatile {
    config: Config,
}

forward_config!(ConvoInfoVolatile, UserKind::ConvoInfoVolatile);

/// Where an entry is: the section, the key in it, and for a community the normalized room.
type EntryPath = (Vec<u8>, Vec<u8>, Option<Vec<u8>>);

/// The path of a conversation's entry, checked.
fn path(conversation: &Conversation) -> Result<EntryPath, ItemError> {
    Ok(match conversation {
        Conversation::OneToOne(id) => (
            ONE_TO_ONE.to_vec(),
            require(id, Prefix::User)?.to_vec(),
            None,
        ),
        Conversation::Group(id) => (GROUPS.to_vec(), require(id, Prefix::Group)?.to_vec(), None),
        Conversation::LegacyGroup(id) => (
            LEGACY_GROUPS.to_vec(),
            require(id, Prefix::User)?.to_vec(),
            None,
        ),
        Conversation::Community(c) => (
            COMMUNITIES.to_vec(),
            c.base_url().as_bytes().to_vec(),
            Some(canonical_room(c.room())?.into_bytes()),
        ),
    })
}

impl ConvoInfoVolatile {
    fn entry(&self, conversation: &Conversation) -> Result<Option<&Dict>, ItemError> {
        let (section, key, room) = path(conversation)?;
        Ok(match room {
            None => self.config.get_dict(&[&section, &key]),
            Some(room) => self.config.get_dict(&[&section, &key, b"R", &room]),
        })
    }

    /// The state of `conversation`, if stored. A community's is found whatever the case of
    /// its room, and comes back with the room lower-cased and the public key stored with
    /// the server (none stored: the one asked with).
    pub fn get(&self, conversation: &Conversation) -> Result<Option<ConvoInfo>, ItemError> {
        let Some(d) = self.entry(conversation)? else {
            return Ok(None);
        };
        let conversation = match conversation {
            Conversation::Community(c) => {
                let stored = self
                    .config
                    .get_bytes(&[COMMUNITIES, c.base_url().as_bytes(), b"#"])
                    .and_then(|pk| <[u8; 32]>::try_from(pk).ok())
                    .unwrap_or(*c.pubkey());
                Conversation::Community(Community::new(c.base_url(), &c.room_norm(), stored)?)
            }
            other => other.clone(),
        };
        Ok(Some(ConvoInfo::with(conversation, d)))
    }

    /// The state of `conversation`, or a new one with nothing read.
    pub fn get_or_construct(&self, conversation: &Conversation) -> Result<ConvoInfo, ItemError> {
        Ok(self
            .get(conversation)?
            .unwrap_or_else(|| ConvoInfo::new(normalized(conversation))))
    }

    /// Stores `info`. Moving `last_read` back is always stored; moving it forward only to a
    /// time within 30 days of `now_ms` (unix milliseconds). A community's entry also stores
    /// the server's public key.
    pub fn set(&mut self, info: &ConvoInfo, now_ms: i64) -> Result<(), ItemError> {
        let (section, key, room) = path(&info.conversation)?;
        let mut d = self.entry(&info.conversation)?.cloned().unwrap_or_default();
        match int(&d, b"r") {
            Some(old) if info.last_read < old => put(&mut d, b"r", info.last_read),
            _ => {
                if info.last_read > now_ms.saturating_sub(PRUNE_LOW_MS) {
                    put(&mut d, b"r", info.last_read);
                }
            }
        }
        put_flag(&mut d, b"u", info.unread);
        match (&info.conversation, room) {
            (Conversation::Community(c), Some(room)) => {
                self.config.set(&[&section, &key, b"#"], *c.pubkey())?;
                self.config
                    .set(&[&section, &key, b"R", &room], Value::Dict(d))?;
            }
            _ => self.config.set(&[&section, &key], Value::Dict(d))?,
        }
        Ok(())
    }

    /// Removes the state of `conversation`; whether it was there. A community server left
    /// without rooms goes too.
    pub fn erase(&mut self, conversation: &Conversation) -> Result<bool, ItemError> {
        let present = self.entry(conversation)?.is_some();
        let (section, key, room) = path(conversation)?;
        match room {
            None => self.config.erase(&[&section, &key])?,
            Some(room) => {
                self.config.erase(&[&section, &key, b"R", &room])?;
                if present && self.config.get_dict(&[&section, &key, b"R"]).is_none() {
                    self.config.erase(&[&section, &key])?;
                }
            }
        }
        Ok(present)
    }

    /// The one-to-one conversations, ascending by Session ID.
    pub fn one_to_ones(&self) -> impl Iterator<Item = ConvoInfo> + '_ {
        ids(
            self.config.data(),
            ONE_TO_ONE,
            Prefix::User,
            Conversation::OneToOne,
        )
    }

    /// The `03` groups, ascending by ID.
    pub fn groups(&self) -> impl Iterator<Item = ConvoInfo> + '_ {
        ids(
            self.config.data(),
            GROUPS,
            Prefix::Group,
            Conversation::Group,
        )
    }

    /// The legacy groups, ascending by ID.
    pub fn legacy_groups(&self) -> impl Iterator<Item = ConvoInfo> + '_ {
        ids(
            self.config.data(),
            LEGACY_GROUPS,
            Prefix::User,
            Conversation::LegacyGroup,
        )
    }

    /// The community rooms, by base URL, then (lower-cased) room. Servers without a 32-byte
    /// public key, or whose URL or room is not valid, are skipped.
    pub fn communities(&self) -> impl Iterator<Item = ConvoInfo> + '_ {
        rooms(self.config.data(), COMMUNITIES)
            .map(|(community, d)| ConvoInfo::with(Conversation::Community(community), d))
    }

    /// Every conversation: one-to-ones, groups, communities, legacy groups (libsession's
    /// order).
    pub fn iter(&self) -> impl Iterator<Item = ConvoInfo> + '_ {
        self.one_to_ones()
            .chain(self.groups())
            .chain(self.communities())
            .chain(self.legacy_groups())
    }

    /// Removes the one-to-one, community and legacy-group entries that are not marked unread
    /// and were last read before `now_ms - PRUNE_HIGH_MS`.
    pub fn prune_stale(&mut self, now_ms: i64) -> Result<(), ItemError> {
        let cutoff = now_ms.saturating_sub(PRUNE_HIGH_MS);
        let stale: Vec<Conversation> = self
            .one_to_ones()
            .chain(self.legacy_groups())
            .chain(self.communities())
            .filter(|info| !info.unread && info.last_read < cutoff)
            .map(|info| info.conversation)
            .collect();
        for conversation in &stale {
            self.erase(conversation)?;
        }
        Ok(())
    }

    /// Prunes stale entries ([`prune_stale`](Self::prune_stale)), then pushes (see
    /// [`Config::push`]).
    pub fn push(&mut self, now_ms: i64) -> Result<Push, PushError> {
        if !self.config.is_read_only() {
            // Only a read-only config refuses an edit, and it refuses the push too.
            let _ = self.prune_stale(now_ms);
        }
        self.config.push()
    }
}

fn normalized(conversation: &Conversation) -> Conversation {
    match conversation {
        Conversation::Community(c) => Community::new(c.base_url(), &c.room_norm(), *c.pubkey())
            .map(Conversation::Community)
            .unwrap_or_else(|_| conversation.clone()),
        other => other.clone(),
    }
}

fn ids<'a>(
    data: &'a Dict,
    key: &'a [u8],
    prefix: Prefix,
    make: fn(SessionId) -> Conversation,
) -> impl Iterator<Item = ConvoInfo> + 'a {
    section(data, key)
        .filter_map(move |(k, d)| id_key(k, prefix).map(|id| ConvoInfo::with(make(id), d)))
}

/// The rooms of the community section `key`: each valid room with its entry dictionary.
pub(crate) fn rooms<'a>(
    data: &'a Dict,
    key: &'a [u8],
) -> impl Iterator<Item = (Community, &'a Dict)> + 'a {
    section(data, key).flat_map(|(base, server)| {
        let pubkey = bytes(server, b"#").and_then(|pk| <[u8; 32]>::try_from(pk).ok());
        let base = core::str::from_utf8(base)
            .ok()
            .and_then(|b| canonical_url(b).ok());
        let rooms = match (pubkey, base) {
            (Some(pubkey), Some(base)) => section(server, b"R")
                .filter_map(move |(room, d)| {
                    let room = core::str::from_utf8(room).ok()?;
                    let community = Community::new(&base, room, pubkey).ok()?;
                    Some((community, d))
                })
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        };
        rooms.into_iter()
    })
}
