//! What the typed configs share: field access on item dictionaries, the fields' enums, the
//! errors of item edits, and the methods every typed config forwards to its [`Config`].

use alloc::string::String;
use alloc::vec::Vec;

use session_identity::{Prefix, SessionId};

use crate::{CommunityError, Dict, EditError, Value};

/// Why an item (a contact, a conversation, a group) was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ItemError {
    /// An ID of the wrong kind: contacts, 1:1 conversations and legacy groups take `05` IDs,
    /// groups `03` IDs.
    #[error("an ID starting {found}, where {expected} is required")]
    WrongPrefix {
        /// The prefix required.
        expected: Prefix,
        /// The prefix given.
        found: Prefix,
    },
    /// A name longer than the field allows (100 bytes of UTF-8).
    #[error("name of {len} bytes; at most {max} are allowed")]
    NameTooLong {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A nickname longer than 100 bytes.
    #[error("nickname of {len} bytes; at most {max} are allowed")]
    NicknameTooLong {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A profile picture URL longer than 223 bytes.
    #[error("picture URL of {len} bytes; at most {max} are allowed")]
    UrlTooLong {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A timer or timestamp beyond `i64::MAX`.
    #[error("value out of range")]
    OutOfRange,
    /// A community address that is not valid.
    #[error(transparent)]
    Community(#[from] CommunityError),
    /// The edit was refused.
    #[error(transparent)]
    Edit(#[from] EditError),
}

/// Notification setting of a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Notifications {
    /// The client's default (stored as nothing).
    #[default]
    Default,
    /// Every message notifies.
    All,
    /// No message notifies.
    Disabled,
    /// Only mentions notify. Contacts store it as [`All`](Self::All), as libsession does.
    MentionsOnly,
}

impl Notifications {
    /// The stored integer.
    pub const fn to_int(self) -> i64 {
        match self {
            Notifications::Default => 0,
            Notifications::All => 1,
            Notifications::Disabled => 2,
            Notifications::MentionsOnly => 3,
        }
    }

    /// The setting a stored integer means; anything unknown is the default.
    pub const fn from_int(value: i64) -> Self {
        match value {
            1 => Notifications::All,
            2 => Notifications::Disabled,
            3 => Notifications::MentionsOnly,
            _ => Notifications::Default,
        }
    }
}

/// A disappearing-messages setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Disappearing {
    /// Messages stay.
    #[default]
    Off,
    /// Messages disappear this many seconds after they were sent (0 is [`Off`](Self::Off)).
    AfterSend(u64),
    /// Messages disappear this many seconds after they were read (0 is [`Off`](Self::Off)).
    AfterRead(u64),
}

impl Disappearing {
    /// The stored mode (`1` after send, `2` after read) and timer, or `None` when off (or with
    /// a zero timer).
    pub fn stored(self) -> Option<(i64, u64)> {
        match self {
            Disappearing::Off | Disappearing::AfterSend(0) | Disappearing::AfterRead(0) => None,
            Disappearing::AfterSend(seconds) => Some((1, seconds)),
            Disappearing::AfterRead(seconds) => Some((2, seconds)),
        }
    }

    /// The setting stored as `mode` and `seconds`: an unknown mode, or a timer that is not
    /// positive, is off.
    pub fn from_stored(mode: i64, seconds: i64) -> Self {
        match (mode, u64::try_from(seconds)) {
            (1, Ok(s)) if s > 0 => Disappearing::AfterSend(s),
            (2, Ok(s)) if s > 0 => Disappearing::AfterRead(s),
            _ => Disappearing::Off,
        }
    }
}

// ---- reading item dictionaries ---------------------------------------------------------------

pub(crate) fn int(d: &Dict, key: &[u8]) -> Option<i64> {
    d.get(key)?.as_int()
}

pub(crate) fn int_or_0(d: &Dict, key: &[u8]) -> i64 {
    int(d, key).unwrap_or(0)
}

pub(crate) fn flag(d: &Dict, key: &[u8]) -> bool {
    int_or_0(d, key) != 0
}

pub(crate) fn bytes<'a>(d: &'a Dict, key: &[u8]) -> Option<&'a [u8]> {
    d.get(key)?.as_bytes()
}

/// A stored text field; bytes that are not UTF-8 read with replacement characters.
pub(crate) fn text(d: &Dict, key: &[u8]) -> String {
    bytes(d, key)
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default()
}

// ---- writing them, with libsession's omission of defaults -------------------------------------

pub(crate) fn put(d: &mut Dict, key: &[u8], value: impl Into<Value>) {
    d.insert(key.to_vec(), value.into());
}

pub(crate) fn put_flag(d: &mut Dict, key: &[u8], value: bool) {
    if value {
        put(d, key, 1i64);
    } else {
        d.remove(key);
    }
}

pub(crate) fn put_nonzero(d: &mut Dict, key: &[u8], value: i64) {
    if value != 0 {
        put(d, key, value);
    } else {
        d.remove(key);
    }
}

pub(crate) fn put_positive(d: &mut Dict, key: &[u8], value: i64) {
    if value > 0 {
        put(d, key, value);
    } else {
        d.remove(key);
    }
}

pub(crate) fn put_nonempty(d: &mut Dict, key: &[u8], value: &[u8]) {
    if value.is_empty() {
        d.remove(key);
    } else {
        put(d, key, value);
    }
}

pub(crate) fn seconds(value: u64) -> Result<i64, ItemError> {
    i64::try_from(value).map_err(|_| ItemError::OutOfRange)
}

/// `id` if it has `prefix`.
pub(crate) fn require(id: &SessionId, prefix: Prefix) -> Result<[u8; 33], ItemError> {
    if id.prefix() == prefix {
        Ok(id.to_bytes())
    } else {
        Err(ItemError::WrongPrefix {
            expected: prefix,
            found: id.prefix(),
        })
    }
}

/// The ID a 33-byte dictionary key holds, if it has `prefix`.
pub(crate) fn id_key(key: &[u8], prefix: Prefix) -> Option<SessionId> {
    if key.len() != SessionId::LEN || key[0] != prefix.as_byte() {
        return None;
    }
    SessionId::from_bytes(key).ok()
}

/// The entries of the dictionary at `key` of the data, when it is one.
pub(crate) fn section<'a>(
    data: &'a Dict,
    key: &[u8],
) -> impl Iterator<Item = (&'a Vec<u8>, &'a Dict)> {
    data.get(key)
        .and_then(Value::as_dict)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| v.as_dict().map(|d| (k, d)))
}

/// `text` cut to at most `max` bytes without splitting a character.
pub(crate) fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

pub(crate) fn check_len(
    len: usize,
    max: usize,
    err: fn(usize, usize) -> ItemError,
) -> Result<(), ItemError> {
    if len > max {
        Err(err(len, max))
    } else {
        Ok(())
    }
}

/// The sync-state methods every typed config forwards to its [`Config`](crate::Config) field
/// `config` (invoked inside an `impl` block).
macro_rules! forward_sync_state {
    () => {
        /// See [`Config::confirm_pushed`](crate::Config::confirm_pushed).
        pub fn confirm_pushed(&mut self, seqno: i64, hash: impl Into<alloc::string::String>) {
            self.config.confirm_pushed(seqno, hash);
        }

        /// See [`Config::current_hashes`](crate::Config::current_hashes).
        pub fn current_hashes(&self) -> alloc::vec::Vec<alloc::string::String> {
            self.config.current_hashes()
        }

        /// See [`Config::take_obsolete_hashes`](crate::Config::take_obsolete_hashes).
        pub fn take_obsolete_hashes(&mut self) -> alloc::vec::Vec<alloc::string::String> {
            self.config.take_obsolete_hashes()
        }

        /// See [`Config::needs_dump`](crate::Config::needs_dump).
        pub fn needs_dump(&self) -> bool {
            self.config.needs_dump()
        }

        /// See [`Config::dump`](crate::Config::dump).
        pub fn dump(&mut self) -> zeroize::Zeroizing<alloc::vec::Vec<u8>> {
            self.config.dump()
        }

        /// See [`Config::seqno`](crate::Config::seqno).
        pub fn seqno(&self) -> i64 {
            self.config.seqno()
        }

        /// See [`Config::state`](crate::Config::state).
        pub fn state(&self) -> $crate::SyncState {
            self.config.state()
        }
    };
}
pub(crate) use forward_sync_state;

/// The methods every typed config forwards to its [`Config`](crate::Config).
macro_rules! forward_config {
    ($ty:ident, $kind:expr) => {
        impl $ty {
            /// An empty config of `account`.
            pub fn new(account: &session_identity::Identity) -> Self {
                Self {
                    config: $crate::Config::new_user($kind, account),
                }
            }

            /// The config of `account` restored from a dump.
            pub fn load(
                account: &session_identity::Identity,
                dump: &[u8],
            ) -> Result<Self, $crate::DumpError> {
                $crate::Config::load_user($kind, account, dump).map(|config| Self { config })
            }

            /// The underlying config: state, message, data.
            pub fn config(&self) -> &$crate::Config {
                &self.config
            }

            /// See [`Config::needs_push`](crate::Config::needs_push).
            pub fn needs_push(&self) -> bool {
                self.config.needs_push()
            }

            /// See [`Config::merge`](crate::Config::merge).
            pub fn merge<I, H, D>(&mut self, messages: I) -> alloc::vec::Vec<alloc::string::String>
            where
                I: IntoIterator<Item = (H, D)>,
                H: AsRef<str>,
                D: AsRef<[u8]>,
            {
                self.config.merge(messages)
            }

            $crate::typed::forward_sync_state!();
        }
    };
}
pub(crate) use forward_config;

/// The methods every typed group config forwards to its [`Config`](crate::Config), and its
/// constructors. The type provides `fn from_config(config: Config) -> Self`.
macro_rules! forward_group_config {
    ($ty:ident, $kind:expr) => {
        impl $ty {
            /// An empty config of an admin, who holds the group's Ed25519 key (`group`): it
            /// signs what it pushes and verifies what it merges. `keys` are the group's
            /// encryption keys, newest (or pending) first: pushes encrypt with the first,
            /// received messages are tried with each.
            pub fn new_admin(group: &session_identity::Identity, keys: &[[u8; 32]]) -> Self {
                Self::from_config($crate::Config::new_group(
                    $kind,
                    keys,
                    $crate::GroupSigning::Admin(alloc::boxed::Box::new(group.clone())),
                ))
            }

            /// An empty config of a member, who knows only the group's public key: it verifies
            /// what it merges, and refuses edits and pushes
            /// ([`GroupConfigError::ReadOnly`](crate::GroupConfigError::ReadOnly),
            /// [`PushError::ReadOnly`](crate::PushError::ReadOnly)).
            pub fn new_member(
                group: session_identity::Ed25519PublicKey,
                keys: &[[u8; 32]],
            ) -> Self {
                Self::from_config($crate::Config::new_group(
                    $kind,
                    keys,
                    $crate::GroupSigning::Member(group),
                ))
            }

            /// An admin's config restored from a [`dump`](Self::dump).
            pub fn load_admin(
                group: &session_identity::Identity,
                keys: &[[u8; 32]],
                dump: &[u8],
            ) -> Result<Self, $crate::DumpError> {
                $crate::Config::load_group(
                    $kind,
                    keys,
                    $crate::GroupSigning::Admin(alloc::boxed::Box::new(group.clone())),
                    dump,
                )
                .map(Self::from_config)
            }

            /// A member's config restored from a [`dump`](Self::dump).
            pub fn load_member(
                group: session_identity::Ed25519PublicKey,
                keys: &[[u8; 32]],
                dump: &[u8],
            ) -> Result<Self, $crate::DumpError> {
                $crate::Config::load_group($kind, keys, $crate::GroupSigning::Member(group), dump)
                    .map(Self::from_config)
            }

            /// The underlying config: state, message, data.
            pub fn config(&self) -> &$crate::Config {
                &self.config
            }

            /// Whether this is a member's config: it merges, but edits and pushes are refused.
            pub fn is_read_only(&self) -> bool {
                self.config.is_read_only()
            }

            /// See [`Config::keys`](crate::Config::keys).
            pub fn keys(&self) -> impl Iterator<Item = &[u8; 32]> {
                self.config.keys()
            }

            /// See [`Config::replace_keys`](crate::Config::replace_keys): after a rekey, an
            /// admin's config needs a push under the new first key.
            pub fn replace_keys(&mut self, keys: &[[u8; 32]]) {
                self.config.replace_keys(keys);
            }

            /// See [`Config::needs_push`](crate::Config::needs_push) (never for a member).
            pub fn needs_push(&self) -> bool {
                self.config.needs_push()
            }

            /// See [`Config::push`](crate::Config::push): the bytes to store in the group's
            /// swarm, encrypted and signed (not wrapped, unlike account configs).
            pub fn push(&mut self) -> Result<$crate::Push, $crate::PushError> {
                self.config.push()
            }

            /// See [`Config::merge`](crate::Config::merge). Messages that are unsigned, or not
            /// signed by the group's key, are refused.
            pub fn merge<I, H, D>(&mut self, messages: I) -> alloc::vec::Vec<alloc::string::String>
            where
                I: IntoIterator<Item = (H, D)>,
                H: AsRef<str>,
                D: AsRef<[u8]>,
            {
                self.config.merge(messages)
            }

            $crate::typed::forward_sync_state!();
        }
    };
}
pub(crate) use forward_group_config;
