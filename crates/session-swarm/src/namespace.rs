//! Storage namespaces and the authentication and TTL rules attached to them.

use core::fmt;

use crate::time::DAY_MS;

/// A storage namespace: a signed 16-bit number that splits an account's messages by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Namespace(i16);

impl Namespace {
    /// `0`: one-to-one messages (a public inbox: anyone may store).
    pub const DEFAULT: Self = Self(0);
    /// `2`: the user-profile config.
    pub const USER_PROFILE: Self = Self(2);
    /// `3`: the contacts config.
    pub const CONTACTS: Self = Self(3);
    /// `4`: the conversation-info-volatile config.
    pub const CONVO_INFO_VOLATILE: Self = Self(4);
    /// `5`: the user-groups config.
    pub const USER_GROUPS: Self = Self(5);
    /// `11`: messages of a `03` group.
    pub const GROUP_MESSAGES: Self = Self(11);
    /// `12`: keys of a `03` group.
    pub const GROUP_KEYS: Self = Self(12);
    /// `13`: the info config of a `03` group.
    pub const GROUP_INFO: Self = Self(13);
    /// `14`: the members config of a `03` group.
    pub const GROUP_MEMBERS: Self = Self(14);
    /// `-10`: legacy closed groups (no authentication to store or retrieve).
    pub const LEGACY_CLOSED_GROUP: Self = Self(-10);
    /// `-11`: a `03` group's revoked-retrievable messages (unrevocable retrieve).
    pub const GROUP_REVOKED_RETRIEVABLE: Self = Self(-11);

    /// From its number.
    pub const fn new(id: i16) -> Self {
        Self(id)
    }

    /// Its number.
    pub const fn get(self) -> i16 {
        self.0
    }

    /// Public inbox (`n % 10 == 0`): anyone may store without a signature.
    pub const fn is_public_inbox(self) -> bool {
        self.0 % 10 == 0
    }

    /// Public outbox (`n < 0` and `-n % 20 == 1`): anyone may retrieve.
    pub const fn is_public_outbox(self) -> bool {
        self.0 < 0 && (-(self.0 as i32)) % 20 == 1
    }

    /// Unrevocable (`n < 0` and `-n % 100 == 11`): revoked subaccounts may still retrieve.
    pub const fn is_unrevocable(self) -> bool {
        self.0 < 0 && (-(self.0 as i32)) % 100 == 11
    }

    /// Whether `store` needs a signature (every namespace but public inboxes).
    pub const fn store_needs_auth(self) -> bool {
        !self.is_public_inbox()
    }

    /// Whether `retrieve` needs a signature (every namespace but legacy closed groups and
    /// public outboxes).
    pub const fn retrieve_needs_auth(self) -> bool {
        !(self.0 == Self::LEGACY_CLOSED_GROUP.0 || self.is_public_outbox())
    }

    /// The longest TTL a new message may have here: 14 days in public inboxes (messages other
    /// people put there), 30 days elsewhere.
    pub const fn max_ttl_millis(self) -> u64 {
        if self.is_public_inbox() {
            MAX_PUBLIC_TTL_MS
        } else {
            MAX_PRIVATE_TTL_MS
        }
    }

    /// The namespace as it appears in signed messages and in the message hash: empty for the
    /// default namespace, else signed decimal.
    pub fn signature_text(self) -> String {
        if self.0 == 0 {
            String::new()
        } else {
            self.0.to_string()
        }
    }
}

impl fmt::Display for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// One namespace or all of them, for `delete_all`, `delete_before` and `expire_all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NamespaceSelector {
    /// A single namespace.
    One(Namespace),
    /// Every namespace of the account (`"all"`).
    All,
}

impl NamespaceSelector {
    /// As it appears in signed messages: `""` for the default namespace, `"all"`, else decimal.
    pub fn signature_text(self) -> String {
        match self {
            Self::One(ns) => ns.signature_text(),
            Self::All => "all".to_owned(),
        }
    }

    pub(crate) fn to_json(self) -> serde_json::Value {
        match self {
            Self::One(ns) => serde_json::Value::from(ns.get()),
            Self::All => serde_json::Value::from("all"),
        }
    }
}

impl From<Namespace> for NamespaceSelector {
    fn from(ns: Namespace) -> Self {
        Self::One(ns)
    }
}

/// The shortest TTL a stored message may have (10 s).
pub const MIN_TTL_MS: u64 = 10_000;
/// The longest TTL of a message in a public inbox (14 days).
pub const MAX_PUBLIC_TTL_MS: u64 = 14 * DAY_MS;
/// The longest TTL of a message in a private namespace, and the furthest an `expire` may push
/// an expiry (30 days).
pub const MAX_PRIVATE_TTL_MS: u64 = 30 * DAY_MS;
