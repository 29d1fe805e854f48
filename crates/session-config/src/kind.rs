//! The configs: their storage namespace and encryption domain.

/// A config of the account, kept in the account's own swarm and encrypted with its seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UserKind {
    /// Own profile: name, picture, Note-to-Self settings (namespace 2).
    UserProfile,
    /// Contacts (namespace 3).
    Contacts,
    /// Per-conversation read state (namespace 4).
    ConvoInfoVolatile,
    /// Groups and communities the account is in (namespace 5).
    UserGroups,
}

/// A config of a `03` group, kept in the group's swarm, encrypted with the group's keys and
/// signed by the group's Ed25519 key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GroupKind {
    /// Name, description, picture, timers (namespace 13).
    Info,
    /// Members and their roles (namespace 14).
    Members,
}

/// Any config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// An account config.
    User(UserKind),
    /// A group config.
    Group(GroupKind),
}

impl UserKind {
    /// Every account config.
    pub const ALL: [UserKind; 4] = [
        UserKind::UserProfile,
        UserKind::Contacts,
        UserKind::ConvoInfoVolatile,
        UserKind::UserGroups,
    ];

    /// The storage namespace (`session_swarm::Namespace::USER_PROFILE` and its neighbours).
    pub const fn namespace(self) -> i16 {
        match self {
            UserKind::UserProfile => 2,
            UserKind::Contacts => 3,
            UserKind::ConvoInfoVolatile => 4,
            UserKind::UserGroups => 5,
        }
    }

    /// The encryption domain.
    pub const fn domain(self) -> &'static str {
        match self {
            UserKind::UserProfile => "UserProfile",
            UserKind::Contacts => "Contacts",
            UserKind::ConvoInfoVolatile => "ConvoInfoVolatile",
            UserKind::UserGroups => "UserGroups",
        }
    }

    /// `SharedConfigMessage.kind` in the protobuf wrapper: the namespace minus one.
    pub const fn shared_config_kind(self) -> i32 {
        self.namespace() as i32 - 1
    }
}

impl GroupKind {
    /// The storage namespace in the group's swarm.
    pub const fn namespace(self) -> i16 {
        match self {
            GroupKind::Info => 13,
            GroupKind::Members => 14,
        }
    }

    /// The encryption domain.
    pub const fn domain(self) -> &'static str {
        match self {
            GroupKind::Info => "groups::Info",
            GroupKind::Members => "groups::Members",
        }
    }
}

impl Kind {
    /// The storage namespace.
    pub const fn namespace(self) -> i16 {
        match self {
            Kind::User(kind) => kind.namespace(),
            Kind::Group(kind) => kind.namespace(),
        }
    }

    /// The encryption domain.
    pub const fn domain(self) -> &'static str {
        match self {
            Kind::User(kind) => kind.domain(),
            Kind::Group(kind) => kind.domain(),
        }
    }
}

impl From<UserKind> for Kind {
    fn from(kind: UserKind) -> Self {
        Kind::User(kind)
    }
}

impl From<GroupKind> for Kind {
    fn from(kind: GroupKind) -> Self {
        Kind::Group(kind)
    }
}
