//! Contacts (§11.7): per Session ID, the contact's name and picture, the nickname given to
//! them, whether they are approved or blocked, and the conversation's settings.

use alloc::string::String;

use session_identity::{Prefix, SessionId};

use crate::typed::{
    bytes, check_len, flag, forward_config, id_key, int_or_0, put, put_flag, put_nonempty,
    put_nonzero, put_positive, require, seconds, section, text, truncate,
};
use crate::{
    Config, Dict, Disappearing, ItemError, Notifications, ProfilePic, Push, PushError, UserKind,
    Value, MAX_NAME_LENGTH, MAX_URL_LENGTH,
};

const CONTACTS: &[u8] = b"c";

/// One contact: everything the Contacts config stores about a Session ID. Start from
/// [`Contact::new`] (or [`Contacts::get_or_construct`]) and change the fields.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Contact {
    /// The contact's Session ID (`05…`).
    pub session_id: SessionId,
    /// The name the contact gave themselves ("" when unknown), at most 100 bytes.
    pub name: String,
    /// The name this account gave the contact ("" for none), at most 100 bytes.
    pub nickname: String,
    /// The contact's profile picture (URL at most 223 bytes).
    pub profile_pic: Option<ProfilePic>,
    /// This account accepted the contact's messages.
    pub approved: bool,
    /// The contact accepted this account's messages.
    pub approved_me: bool,
    /// The contact is blocked.
    pub blocked: bool,
    /// The conversation's priority: 0 normal, −1 hidden, above 0 pinned (higher first).
    pub priority: i64,
    /// Notifications of the conversation ([`Notifications::MentionsOnly`] is stored as
    /// [`Notifications::All`]).
    pub notifications: Notifications,
    /// Notifications are off until this unix time (seconds); 0 for none.
    pub mute_until: i64,
    /// The conversation's disappearing-messages setting.
    pub disappearing: Disappearing,
    /// When the contact was added (unix seconds); 0 when unknown.
    pub created: i64,
}

impl Contact {
    /// A contact with every field at its default.
    pub fn new(session_id: SessionId) -> Self {
        Self {
            session_id,
            name: String::new(),
            nickname: String::new(),
            profile_pic: None,
            approved: false,
            approved_me: false,
            blocked: false,
            priority: 0,
            notifications: Notifications::Default,
            mute_until: 0,
            disappearing: Disappearing::Off,
            created: 0,
        }
    }

    /// Sets the name, cut to 100 bytes at a character boundary.
    pub fn set_name_truncated(&mut self, name: &str) {
        self.name = truncate(name, MAX_NAME_LENGTH).into();
    }

    /// Sets the nickname, cut to 100 bytes at a character boundary.
    pub fn set_nickname_truncated(&mut self, nickname: &str) {
        self.nickname = truncate(nickname, MAX_NAME_LENGTH).into();
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
        let notifications = match int_or_0(d, b"@") {
            3 => Notifications::All,
            n => Notifications::from_int(n),
        };
        let disappearing = Disappearing::from_stored(int_or_0(d, b"e"), int_or_0(d, b"E"));
        Self {
            session_id,
            name: text(d, b"n"),
            nickname: text(d, b"N"),
            profile_pic,
            approved: flag(d, b"a"),
            approved_me: flag(d, b"A"),
            blocked: flag(d, b"b"),
            priority: int_or_0(d, b"+"),
            notifications,
            mute_until: int_or_0(d, b"!"),
            disappearing,
            created: int_or_0(d, b"j"),
        }
    }

    fn check(&self) -> Result<[u8; 33], ItemError> {
        let key = require(&self.session_id, Prefix::User)?;
        check_len(self.name.len(), MAX_NAME_LENGTH, |len, max| {
            ItemError::NameTooLong { len, max }
        })?;
        check_len(self.nickname.len(), MAX_NAME_LENGTH, |len, max| {
            ItemError::NicknameTooLong { len, max }
        })?;
        if let Some(pic) = &self.profile_pic {
            check_len(pic.url.len(), MAX_URL_LENGTH, |len, max| {
                ItemError::UrlTooLong { len, max }
            })?;
        }
        if let Some((_, timer)) = self.disappearing.stored() {
            seconds(timer)?;
        }
        Ok(key)
    }

    /// Writes the fields into the contact's dictionary (other keys stay as they are).
    fn store(&self, d: &mut Dict) {
        // The name is always there, so that a contact with nothing else set is still stored.
        put(d, b"n", self.name.as_str());
        put_nonempty(d, b"N", self.nickname.as_bytes());
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
        put_flag(d, b"a", self.approved);
        put_flag(d, b"A", self.approved_me);
        put_flag(d, b"b", self.blocked);
        put_nonzero(d, b"+", self.priority);
        let notify = match self.notifications {
            Notifications::MentionsOnly => Notifications::All,
            other => other,
        };
        put_positive(d, b"@", notify.to_int());
        put_positive(d, b"!", self.mute_until);
        match self.disappearing.stored() {
            Some((mode, timer)) => {
                put(d, b"e", mode);
                // Checked by `check`.
                put(d, b"E", i64::try_from(timer).unwrap_or(i64::MAX));
            }
            None => {
                d.remove(&b"e"[..]);
                d.remove(&b"E"[..]);
            }
        }
        put_positive(d, b"j", self.created);
    }
}

/// The Contacts config (namespace 3): typed access to the contacts over a [`Config`].
///
/// Data layout, byte for byte libsession's: `c` maps each contact's 33-byte Session ID to a
/// dictionary, defaults omitted:
///
/// | key | field |
/// |---|---|
/// | `n` | name (always present, possibly empty) |
/// | `N` | nickname |
/// | `p`, `q` | profile picture URL and 32-byte key, both or neither |
/// | `a`, `A`, `b` | approved, approved me, blocked: `1` or absent |
/// | `+` | priority, when not 0 |
/// | `@` | notifications (1 all, 2 disabled), `!` muted until |
/// | `e`, `E` | disappearing mode (1 after send, 2 after read) and timer in seconds |
/// | `j` | created (unix seconds) |
///
/// Keys this version does not know are kept and pushed again unchanged.
///
/// ```
/// use session_config::{Contact, Contacts, Disappearing};
/// use session_identity::{Identity, Seed, SessionId};
///
/// let account = Identity::from_seed(Seed::from_legacy_bytes(*b"0123456789abcdef"));
/// let alice: SessionId =
///     "050000000000000000000000000000000000000000000000000000000000000000".parse()?;
/// let mut phone = Contacts::new(&account);
/// let mut contact = phone.get_or_construct(&alice);
/// contact.name = "Alice".into();
/// contact.approved = true;
/// contact.disappearing = Disappearing::AfterRead(3600);
/// phone.set(&contact)?;
/// let push = phone.push()?;
///
/// let mut laptop = Contacts::new(&account);
/// laptop.merge([("hash1", &push.data[..])]);
/// assert_eq!(laptop.get(&alice), Some(contact));
/// assert_eq!(laptop.iter().count(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Contacts {
    config: Config,
}

forward_config!(Contacts, UserKind::Contacts);

impl Contacts {
    /// See [`Config::push`].
    pub fn push(&mut self) -> Result<Push, PushError> {
        self.config.push()
    }

    /// The contact `session_id`, if stored.
    pub fn get(&self, session_id: &SessionId) -> Option<Contact> {
        let key = session_id.to_bytes();
        let d = self.config.get_dict(&[CONTACTS, &key])?;
        Some(Contact::load(*session_id, d))
    }

    /// The contact `session_id`, or a new one with every field at its default.
    pub fn get_or_construct(&self, session_id: &SessionId) -> Contact {
        self.get(session_id)
            .unwrap_or_else(|| Contact::new(*session_id))
    }

    /// Stores `contact` (a `05` ID; name and nickname at most 100 bytes, picture URL at most
    /// 223). Fields at their default are removed; unknown keys of the contact are kept.
    pub fn set(&mut self, contact: &Contact) -> Result<(), ItemError> {
        let key = contact.check()?;
        let mut d = self
            .config
            .get_dict(&[CONTACTS, &key])
            .cloned()
            .unwrap_or_default();
        contact.store(&mut d);
        self.config.set(&[CONTACTS, &key], Value::Dict(d))?;
        Ok(())
    }

    /// Changes the contact `session_id` (created with defaults if absent) with `change`, and
    /// stores it.
    pub fn update(
        &mut self,
        session_id: &SessionId,
        change: impl FnOnce(&mut Contact),
    ) -> Result<(), ItemError> {
        let mut contact = self.get_or_construct(session_id);
        change(&mut contact);
        contact.session_id = *session_id;
        self.set(&contact)
    }

    /// Removes the contact `session_id`; whether it was there.
    pub fn erase(&mut self, session_id: &SessionId) -> Result<bool, ItemError> {
        let key = session_id.to_bytes();
        let present = self.config.get(&[CONTACTS, &key]).is_some();
        self.config.erase(&[CONTACTS, &key])?;
        Ok(present)
    }

    /// Every contact, ascending by Session ID. Entries that are not a dictionary under a
    /// 33-byte `05` ID are skipped.
    pub fn iter(&self) -> impl Iterator<Item = Contact> + '_ {
        section(self.config.data(), CONTACTS)
            .filter_map(|(k, d)| id_key(k, Prefix::User).map(|id| Contact::load(id, d)))
    }

    /// How many contacts [`iter`](Self::iter) lists.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Whether there are no contacts.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typed::int;

    #[test]
    fn mentions_only_is_stored_as_all() {
        let mut d = Dict::new();
        let mut c = Contact::new(SessionId::new(Prefix::User, [1; 32]));
        c.notifications = Notifications::MentionsOnly;
        c.store(&mut d);
        assert_eq!(int(&d, b"@"), Some(1));
    }
}
