//! groups::Members (§11.11): the members of a `03` group, with their names, pictures, roles and
//! invitation, promotion and removal states, kept in the group's swarm (namespace 14) and
//! signed by the group's key.

use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;

use session_bencode::{DictReader, ListReader, Options};
use session_identity::{Prefix, SessionId};

use crate::typed::{
    bytes, flag, forward_group_config, id_key, int_or_0, put, put_flag, put_positive, section,
    text, truncate,
};
use crate::{Config, Dict, GroupConfigError, GroupKind, ProfilePic, Value, MAX_URL_LENGTH};

/// The longest member name, in bytes of UTF-8 (libsession's `member::MAX_NAME_LENGTH`).
pub const MEMBER_NAME_MAX_LENGTH: usize = 100;

const MEMBERS: &[u8] = b"m";
const PENDING_SEND_IDS: &[u8] = b"pending_send_ids";

/// Where an invitation (`I`) or a promotion to admin (`P`) of a member stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SendStatus {
    /// Nothing pending (the key is absent): accepted, or there never was one.
    #[default]
    Unset,
    /// Sent (`1`), not yet accepted.
    Sent,
    /// Sending failed (`2`): another admin may send it again.
    Failed,
    /// Not sent yet (`3`).
    NotSent,
    /// A value other than 0–3 that another client stored; kept as it is. A value of 0 or below
    /// is not stored.
    Unknown(i64),
}

impl SendStatus {
    /// The stored integer (0 for [`Unset`](Self::Unset): the key is then left out).
    pub const fn to_int(self) -> i64 {
        match self {
            SendStatus::Unset => 0,
            SendStatus::Sent => 1,
            SendStatus::Failed => 2,
            SendStatus::NotSent => 3,
            SendStatus::Unknown(value) => value,
        }
    }

    /// The status a stored integer means.
    pub const fn from_int(value: i64) -> Self {
        match value {
            0 => SendStatus::Unset,
            1 => SendStatus::Sent,
            2 => SendStatus::Failed,
            3 => SendStatus::NotSent,
            other => SendStatus::Unknown(other),
        }
    }

    /// Whether something is pending: any status but [`Unset`](Self::Unset).
    pub const fn is_pending(self) -> bool {
        self.to_int() > 0
    }
}

/// Whether a member is being removed from the group (`R`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MemberRemoval {
    /// Not removed (the key is absent).
    #[default]
    NotRemoved,
    /// Removed (`1`).
    Removed,
    /// Removed, and their messages are to be deleted too (`2`).
    RemovedWithMessages,
    /// Another value stored by another client, kept as it is. A value of 0 or below is not
    /// stored.
    Unknown(i64),
}

impl MemberRemoval {
    /// The stored integer (0 for [`NotRemoved`](Self::NotRemoved)).
    pub const fn to_int(self) -> i64 {
        match self {
            MemberRemoval::NotRemoved => 0,
            MemberRemoval::Removed => 1,
            MemberRemoval::RemovedWithMessages => 2,
            MemberRemoval::Unknown(value) => value,
        }
    }

    /// The removal state a stored integer means.
    pub const fn from_int(value: i64) -> Self {
        match value {
            0 => MemberRemoval::NotRemoved,
            1 => MemberRemoval::Removed,
            2 => MemberRemoval::RemovedWithMessages,
            other => MemberRemoval::Unknown(other),
        }
    }
}

/// A member's situation in one value, as libsession's `Members::get_status` sums it up: a
/// removal comes first, then an admin's promotion, then a member's invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MemberStatus {
    /// An invitation status this version does not know.
    InviteUnknown,
    /// Invited, the invitation not sent yet.
    InviteNotSent,
    /// Invited, the invitation not sent yet, and this device is sending it
    /// ([`GroupMembers::has_pending_send`]).
    InviteSending,
    /// The invitation failed to send.
    InviteFailed,
    /// The invitation was sent.
    InviteSent,
    /// A member: no invitation pending.
    InviteAccepted,
    /// A promotion status this version does not know.
    PromotionUnknown,
    /// Promoted, the promotion not sent yet.
    PromotionNotSent,
    /// Promoted, the promotion not sent yet, and this device is sending it.
    PromotionSending,
    /// The promotion failed to send.
    PromotionFailed,
    /// The promotion was sent.
    PromotionSent,
    /// An admin: no promotion pending.
    PromotionAccepted,
    /// A removal status this version does not know.
    RemovedUnknown,
    /// Removed.
    Removed,
    /// Removed, with their messages.
    RemovedWithMessages,
}

/// One member of a group: everything the Members config stores about a Session ID. Start from
/// [`GroupMember::new`] (or [`GroupMembers::get_or_construct`]) and change the fields.
///
/// Statuses are stored as libsession stores them: a member's invitation status is not stored
/// for an admin (and reads as [`SendStatus::Unset`]), and the supplement flag reads as set only
/// while an invitation is pending for a member who is neither admin nor being promoted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GroupMember {
    /// The member's Session ID (`05…`).
    pub session_id: SessionId,
    /// The member's name ("" when unknown), at most 100 bytes: shown to the other members
    /// before they see a message from this one.
    pub name: String,
    /// The member's profile picture (URL at most 223 bytes).
    pub profile_pic: Option<ProfilePic>,
    /// The member is (or is being promoted to) an admin. Informative only: holding the group's
    /// key is what makes an admin.
    pub admin: bool,
    /// Where the member's invitation stands ([`SendStatus::Unset`] once accepted).
    pub invite_status: SendStatus,
    /// Where the member's promotion to admin stands.
    pub promotion_status: SendStatus,
    /// Whether the member is being removed.
    pub removed_status: MemberRemoval,
    /// The invitation came with the group's current keys (a supplemental keys message), not
    /// with a rekey: an admin re-inviting them should do the same.
    pub supplement: bool,
}

impl GroupMember {
    /// A member with every field at its default, except the invitation: a new member is
    /// [`SendStatus::NotSent`], as in libsession.
    pub fn new(session_id: SessionId) -> Self {
        Self {
            session_id,
            name: String::new(),
            profile_pic: None,
            admin: false,
            invite_status: SendStatus::NotSent,
            promotion_status: SendStatus::Unset,
            removed_status: MemberRemoval::NotRemoved,
            supplement: false,
        }
    }

    /// Sets the name, cut to 100 bytes at a character boundary.
    pub fn set_name_truncated(&mut self, name: &str) {
        self.name = truncate(name, MEMBER_NAME_MAX_LENGTH).into();
    }

    /// The invitation was sent.
    pub fn set_invite_sent(&mut self) {
        self.invite_status = SendStatus::Sent;
    }

    /// The invitation is to be sent (again).
    pub fn set_invite_not_sent(&mut self) {
        self.invite_status = SendStatus::NotSent;
    }

    /// The invitation failed to send.
    pub fn set_invite_failed(&mut self) {
        self.invite_status = SendStatus::Failed;
    }

    /// The member accepted the invitation: invitation and supplement flag cleared.
    pub fn set_invite_accepted(&mut self) {
        self.invite_status = SendStatus::Unset;
        self.supplement = false;
    }

    /// Promotes the member to admin, the promotion not sent yet.
    pub fn set_promoted(&mut self) {
        self.promote(SendStatus::NotSent);
    }

    /// Promoted, and the promotion was sent.
    pub fn set_promotion_sent(&mut self) {
        self.promote(SendStatus::Sent);
    }

    /// Promoted, and the promotion failed to send.
    pub fn set_promotion_failed(&mut self) {
        self.promote(SendStatus::Failed);
    }

    /// The member accepted the promotion: an admin, nothing pending.
    pub fn set_promotion_accepted(&mut self) {
        self.promote(SendStatus::Unset);
    }

    fn promote(&mut self, status: SendStatus) {
        self.admin = true;
        self.invite_status = SendStatus::Unset;
        self.promotion_status = status;
    }

    /// Marks the member removed (with their messages, if `messages`): invitation and promotion
    /// cleared.
    pub fn set_removed(&mut self, messages: bool) {
        self.invite_status = SendStatus::Unset;
        self.promotion_status = SendStatus::Unset;
        self.removed_status = if messages {
            MemberRemoval::RemovedWithMessages
        } else {
            MemberRemoval::Removed
        };
    }

    /// Whether the member is being removed.
    pub fn is_removed(&self) -> bool {
        self.removed_status != MemberRemoval::NotRemoved
    }

    fn load(session_id: SessionId, d: &Dict) -> Self {
        let profile_pic = match (bytes(d, b"p"), bytes(d, b"q")) {
            (Some(url), Some(key)) if !url.is_empty() => {
                key.try_into().ok().map(|key| ProfilePic {
                    url: String::from_utf8_lossy(url).into_owned(),
                    key,
                })
            }
            _ => None,
        };
        let admin = flag(d, b"A");
        let invite_status = if admin {
            SendStatus::Unset
        } else {
            SendStatus::from_int(int_or_0(d, b"I"))
        };
        let promotion_status = SendStatus::from_int(int_or_0(d, b"P"));
        let supplement = invite_status.is_pending()
            && !(admin || promotion_status.is_pending())
            && flag(d, b"s");
        Self {
            session_id,
            name: text(d, b"n"),
            profile_pic,
            admin,
            invite_status,
            promotion_status,
            removed_status: MemberRemoval::from_int(int_or_0(d, b"R")),
            supplement,
        }
    }

    fn check(&self) -> Result<[u8; 33], GroupConfigError> {
        if self.session_id.prefix() != Prefix::User {
            return Err(GroupConfigError::NotAUserId {
                found: self.session_id.prefix(),
            });
        }
        if self.name.len() > MEMBER_NAME_MAX_LENGTH {
            return Err(GroupConfigError::NameTooLong {
                len: self.name.len(),
                max: MEMBER_NAME_MAX_LENGTH,
            });
        }
        if let Some(pic) = &self.profile_pic {
            if pic.url.len() > MAX_URL_LENGTH {
                return Err(GroupConfigError::UrlTooLong {
                    len: pic.url.len(),
                    max: MAX_URL_LENGTH,
                });
            }
        }
        Ok(self.session_id.to_bytes())
    }

    /// Writes the fields into the member's dictionary (other keys stay as they are).
    fn store(&self, d: &mut Dict) {
        // The name is always there, so that a member with nothing else set is still stored.
        put(d, b"n", self.name.as_str());
        match self.profile_pic.as_ref().filter(|pic| !pic.url.is_empty()) {
            Some(pic) => {
                put(d, b"p", pic.url.as_str());
                put(d, b"q", pic.key);
            }
            None => {
                d.remove(&b"p"[..]);
                d.remove(&b"q"[..]);
            }
        }
        put_flag(d, b"A", self.admin);
        put_positive(d, b"P", self.promotion_status.to_int());
        let invite = if self.admin {
            0
        } else {
            self.invite_status.to_int()
        };
        put_positive(d, b"I", invite);
        put_flag(d, b"s", self.supplement);
        put_positive(d, b"R", self.removed_status.to_int());
    }

    /// Whether this device should mark the member as one it is sending an invitation or a
    /// promotion to (libsession's rule in `Members::set`).
    fn sending(&self) -> bool {
        if self.admin {
            self.promotion_status == SendStatus::NotSent
        } else {
            self.invite_status == SendStatus::NotSent
        }
    }
}

/// The groups::Members config (namespace 14) of one `03` group: typed access to its members
/// over a [`Config`].
///
/// Data layout, byte for byte libsession's: `m` maps each member's 33-byte Session ID to a
/// dictionary, defaults omitted:
///
/// | key | field |
/// |---|---|
/// | `n` | name (always present, possibly empty) |
/// | `p`, `q` | profile picture URL and 32-byte key, both or neither |
/// | `A` | admin: `1` or absent |
/// | `I` | invitation: 1 sent, 2 failed, 3 not sent; absent once accepted, and for admins |
/// | `s` | invited with supplemental keys: `1` or absent |
/// | `P` | promotion: 1 sent, 2 failed, 3 not sent; absent once accepted |
/// | `R` | removed: 1 the member, 2 the member and their messages |
///
/// Members are listed ascending by Session ID; entries that are not a dictionary under a
/// 33-byte `05` ID are skipped. Keys this version does not know are kept and pushed again
/// unchanged. The dump also keeps, per device, the members this device is sending an
/// invitation or promotion to ([`has_pending_send`](Self::has_pending_send)).
///
/// ```
/// use session_config::{GroupMembers, SendStatus};
/// use session_identity::{Identity, Seed, SessionId};
///
/// let group = Identity::from_seed(Seed::from_full_bytes([7; 32]));
/// let keys = [[0xaa; 32]];
/// let alice: SessionId =
///     "050000000000000000000000000000000000000000000000000000000000000001".parse()?;
/// let mut admin = GroupMembers::new_admin(&group, &keys);
/// let mut member = admin.get_or_construct(&alice);
/// member.name = "Alice".into();
/// member.set_invite_sent();
/// admin.set(&member)?;
/// let push = admin.push()?;
///
/// let mut reader = GroupMembers::new_member(group.ed25519_public_key(), &keys);
/// reader.merge([("hash1", &push.data[..])]);
/// let read = reader.get(&alice).unwrap();
/// assert_eq!(read.name, "Alice");
/// assert_eq!(read.invite_status, SendStatus::Sent);
/// assert!(reader.erase(&alice).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct GroupMembers {
    config: Config,
    /// The members this device is sending an invitation or promotion to (the dump's
    /// `pending_send_ids`).
    pending_send: BTreeSet<SessionId>,
}

forward_group_config!(GroupMembers, GroupKind::Members);

impl GroupMembers {
    fn from_config(config: Config) -> Self {
        let pending_send = read_pending(config.extra_data());
        Self {
            config,
            pending_send,
        }
    }

    fn writable(&self) -> Result<(), GroupConfigError> {
        if self.config.is_read_only() {
            Err(GroupConfigError::ReadOnly)
        } else {
            Ok(())
        }
    }

    /// The member `session_id`, if stored.
    pub fn get(&self, session_id: &SessionId) -> Option<GroupMember> {
        if session_id.prefix() != Prefix::User {
            return None;
        }
        let key = session_id.to_bytes();
        let d = self.config.get_dict(&[MEMBERS, &key])?;
        Some(GroupMember::load(*session_id, d))
    }

    /// The member `session_id`, or a new one ([`GroupMember::new`]). Not stored until
    /// [`set`](Self::set).
    pub fn get_or_construct(&self, session_id: &SessionId) -> GroupMember {
        self.get(session_id)
            .unwrap_or_else(|| GroupMember::new(*session_id))
    }

    /// Stores `member` (a `05` ID; name at most 100 bytes, picture URL at most 223). Fields at
    /// their default are removed; unknown keys of the member are kept. A member whose
    /// invitation (or, for an admin, promotion) is [`SendStatus::NotSent`] becomes one this
    /// device is sending to ([`has_pending_send`](Self::has_pending_send)); any other status
    /// ends that.
    pub fn set(&mut self, member: &GroupMember) -> Result<(), GroupConfigError> {
        self.writable()?;
        let key = member.check()?;
        let mut d = self
            .config
            .get_dict(&[MEMBERS, &key])
            .cloned()
            .unwrap_or_default();
        member.store(&mut d);
        self.config.set(&[MEMBERS, &key], Value::Dict(d))?;
        self.set_pending_send(&member.session_id, member.sending());
        Ok(())
    }

    /// Changes the member `session_id` (created with [`GroupMember::new`] if absent) with
    /// `change`, and stores it.
    pub fn update(
        &mut self,
        session_id: &SessionId,
        change: impl FnOnce(&mut GroupMember),
    ) -> Result<(), GroupConfigError> {
        let mut member = self.get_or_construct(session_id);
        change(&mut member);
        member.session_id = *session_id;
        self.set(&member)
    }

    /// Removes the member `session_id`; whether it was there. Usually followed by a rekey, so
    /// that the removed member cannot read what comes next.
    pub fn erase(&mut self, session_id: &SessionId) -> Result<bool, GroupConfigError> {
        self.writable()?;
        let key = session_id.to_bytes();
        let present = self.config.get(&[MEMBERS, &key]).is_some();
        self.config.erase(&[MEMBERS, &key])?;
        self.set_pending_send(session_id, false);
        Ok(present)
    }

    /// Every member, ascending by Session ID.
    pub fn iter(&self) -> impl Iterator<Item = GroupMember> + '_ {
        section(self.config.data(), MEMBERS)
            .filter_map(|(k, d)| id_key(k, Prefix::User).map(|id| GroupMember::load(id, d)))
    }

    /// How many members [`iter`](Self::iter) lists.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Whether there are no members.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    /// Whether this device is sending `session_id` an invitation or promotion (kept in the
    /// dump only, never pushed).
    pub fn has_pending_send(&self, session_id: &SessionId) -> bool {
        self.pending_send.contains(session_id)
    }

    /// Marks (or unmarks) `session_id` as a member this device is sending an invitation or
    /// promotion to. A change needs a dump. Allowed on a member's config too: it is local.
    pub fn set_pending_send(&mut self, session_id: &SessionId, pending: bool) {
        let changed = if pending {
            self.pending_send.insert(*session_id)
        } else {
            self.pending_send.remove(session_id)
        };
        if changed {
            self.config
                .set_extra_data(write_pending(&self.pending_send));
        }
    }

    /// The member's situation in one value (libsession's `get_status`).
    pub fn status(&self, member: &GroupMember) -> MemberStatus {
        match member.removed_status {
            MemberRemoval::RemovedWithMessages => return MemberStatus::RemovedWithMessages,
            MemberRemoval::Removed => return MemberStatus::Removed,
            MemberRemoval::Unknown(v) if v > 0 => return MemberStatus::RemovedUnknown,
            _ => {}
        }
        let sending = self.has_pending_send(&member.session_id);
        if member.admin {
            return match member.promotion_status {
                SendStatus::NotSent if sending => MemberStatus::PromotionSending,
                SendStatus::NotSent => MemberStatus::PromotionNotSent,
                SendStatus::Failed => MemberStatus::PromotionFailed,
                SendStatus::Sent => MemberStatus::PromotionSent,
                SendStatus::Unknown(v) if v != 0 => MemberStatus::PromotionUnknown,
                _ => MemberStatus::PromotionAccepted,
            };
        }
        match member.invite_status {
            SendStatus::NotSent if sending => MemberStatus::InviteSending,
            SendStatus::NotSent => MemberStatus::InviteNotSent,
            SendStatus::Failed => MemberStatus::InviteFailed,
            SendStatus::Sent => MemberStatus::InviteSent,
            SendStatus::Unknown(v) if v != 0 => MemberStatus::InviteUnknown,
            _ => MemberStatus::InviteAccepted,
        }
    }
}

/// The pending-send IDs of the dump's `+` dictionary; anything else there, and entries that
/// are not 66-hex `05` IDs, are ignored.
fn read_pending(extra: &[u8]) -> BTreeSet<SessionId> {
    let mut out = BTreeSet::new();
    let _ = (|| -> Result<(), session_bencode::Error> {
        let mut dict = DictReader::with_options(extra, Options::lenient())?;
        if !dict.skip_until(PENDING_SEND_IDS)? {
            return Ok(());
        }
        let mut list = dict.read::<ListReader<'_>>()?;
        while !list.is_finished()? {
            let entry = list.read::<&[u8]>()?;
            if let Some(id) = core::str::from_utf8(entry)
                .ok()
                .and_then(|hex| SessionId::parse_with_prefix(hex, Prefix::User).ok())
            {
                out.insert(id);
            }
        }
        Ok(())
    })();
    out
}

/// The dump's `+` dictionary for `pending`: `pending_send_ids` (omitted when empty).
fn write_pending(pending: &BTreeSet<SessionId>) -> Vec<u8> {
    let mut out = Vec::new();
    out.push(b'd');
    if !pending.is_empty() {
        session_bencode::encode_bytes(&mut out, PENDING_SEND_IDS);
        out.push(b'l');
        for id in pending {
            session_bencode::encode_bytes(&mut out, id.to_hex().as_bytes());
        }
        out.push(b'e');
    }
    out.push(b'e');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_send_ids_round_trip() {
        let a = SessionId::new(Prefix::User, [1; 32]);
        let b = SessionId::new(Prefix::User, [2; 32]);
        let set: BTreeSet<SessionId> = [a, b].into_iter().collect();
        let bytes = write_pending(&set);
        assert_eq!(read_pending(&bytes), set);
        assert_eq!(write_pending(&BTreeSet::new()), b"de");
        // Junk is ignored, not an error.
        assert!(read_pending(b"d16:pending_send_idsl3:abci5eee").is_empty());
        assert!(read_pending(b"x").is_empty());
    }

    #[test]
    fn admins_store_no_invitation() {
        let mut m = GroupMember::new(SessionId::new(Prefix::User, [1; 32]));
        m.admin = true;
        m.invite_status = SendStatus::Sent;
        m.supplement = true;
        let mut d = Dict::new();
        m.store(&mut d);
        assert!(!d.contains_key(&b"I"[..]));
        let read = GroupMember::load(m.session_id, &d);
        assert_eq!(read.invite_status, SendStatus::Unset);
        // Stored, but reads as unset for an admin.
        assert!(d.contains_key(&b"s"[..]));
        assert!(!read.supplement);
    }
}
