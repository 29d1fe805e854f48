//! The four account configs of one device, together.

use alloc::string::String;
use alloc::vec::Vec;

use session_identity::Identity;

use crate::{
    Config, Contacts, ConvoInfoVolatile, DumpError, Push, PushError, UserGroups, UserKind,
    UserProfile,
};

/// The four account configs a device holds: what it needs to sync an account, kind by kind.
///
/// ```
/// use session_config::{UserConfigs, UserKind};
/// use session_identity::{Identity, Seed};
///
/// let account = Identity::from_seed(Seed::from_legacy_bytes(*b"0123456789abcdef"));
/// let now_ms = 1_733_000_000_000;
/// let mut phone = UserConfigs::new(&account);
/// let mut desktop = UserConfigs::new(&account);
/// phone.profile.set_name("Kallie")?;
/// assert_eq!(phone.needs_push(), [UserKind::UserProfile]);
///
/// for kind in phone.needs_push() {
///     let push = phone.push(kind, now_ms)?;
///     // Store `push.data` in namespace `kind.namespace()`, delete `push.obsolete`, then:
///     phone.confirm_pushed(kind, push.seqno, "hash1");
///     desktop.merge(kind, [("hash1", &push.data[..])]);
/// }
/// assert_eq!(desktop.profile.name(), Some("Kallie"));
///
/// // Persist every config that changed, and restore them.
/// // Each dump holds the data in the clear and is wiped on drop.
/// let dumps: Vec<(UserKind, zeroize::Zeroizing<Vec<u8>>)> =
///     desktop.needs_dump().into_iter().map(|k| (k, desktop.dump(k))).collect();
/// let restored = UserConfigs::load(&account, dumps.iter().map(|(k, d)| (*k, &d[..])))?;
/// assert_eq!(restored.profile.name(), Some("Kallie"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct UserConfigs {
    /// UserProfile (namespace 2).
    pub profile: UserProfile,
    /// Contacts (namespace 3).
    pub contacts: Contacts,
    /// ConvoInfoVolatile (namespace 4).
    pub convos: ConvoInfoVolatile,
    /// UserGroups (namespace 5).
    pub groups: UserGroups,
}

impl UserConfigs {
    /// Four empty configs of `account`.
    pub fn new(account: &Identity) -> Self {
        Self {
            profile: UserProfile::new(account),
            contacts: Contacts::new(account),
            convos: ConvoInfoVolatile::new(account),
            groups: UserGroups::new(account),
        }
    }

    /// The configs of `account` restored from dumps; kinds without a dump start empty.
    pub fn load<'a>(
        account: &Identity,
        dumps: impl IntoIterator<Item = (UserKind, &'a [u8])>,
    ) -> Result<Self, DumpError> {
        let mut configs = Self::new(account);
        for (kind, dump) in dumps {
            match kind {
                UserKind::UserProfile => configs.profile = UserProfile::load(account, dump)?,
                UserKind::Contacts => configs.contacts = Contacts::load(account, dump)?,
                UserKind::ConvoInfoVolatile => {
                    configs.convos = ConvoInfoVolatile::load(account, dump)?;
                }
                UserKind::UserGroups => configs.groups = UserGroups::load(account, dump)?,
            }
        }
        Ok(configs)
    }

    /// The config of `kind`.
    pub fn config(&self, kind: UserKind) -> &Config {
        match kind {
            UserKind::UserProfile => self.profile.config(),
            UserKind::Contacts => self.contacts.config(),
            UserKind::ConvoInfoVolatile => self.convos.config(),
            UserKind::UserGroups => self.groups.config(),
        }
    }

    /// The kinds with something to push, in namespace order.
    pub fn needs_push(&self) -> Vec<UserKind> {
        UserKind::ALL
            .into_iter()
            .filter(|&kind| self.config(kind).needs_push())
            .collect()
    }

    /// Pushes `kind` (see [`Config::push`]); `now_ms` (unix milliseconds) is the clock of
    /// ConvoInfoVolatile's pruning.
    pub fn push(&mut self, kind: UserKind, now_ms: i64) -> Result<Push, PushError> {
        match kind {
            UserKind::UserProfile => self.profile.push(),
            UserKind::Contacts => self.contacts.push(),
            UserKind::ConvoInfoVolatile => self.convos.push(now_ms),
            UserKind::UserGroups => self.groups.push(),
        }
    }

    /// The swarm stored the push of `kind` and `seqno` under `hash`.
    pub fn confirm_pushed(&mut self, kind: UserKind, seqno: i64, hash: impl Into<String>) {
        match kind {
            UserKind::UserProfile => self.profile.confirm_pushed(seqno, hash),
            UserKind::Contacts => self.contacts.confirm_pushed(seqno, hash),
            UserKind::ConvoInfoVolatile => self.convos.confirm_pushed(seqno, hash),
            UserKind::UserGroups => self.groups.confirm_pushed(seqno, hash),
        }
    }

    /// Merges what a poll of `kind`'s namespace returned (see [`Config::merge`]); the hashes
    /// taken into account.
    pub fn merge<I, H, D>(&mut self, kind: UserKind, messages: I) -> Vec<String>
    where
        I: IntoIterator<Item = (H, D)>,
        H: AsRef<str>,
        D: AsRef<[u8]>,
    {
        match kind {
            UserKind::UserProfile => self.profile.merge(messages),
            UserKind::Contacts => self.contacts.merge(messages),
            UserKind::ConvoInfoVolatile => self.convos.merge(messages),
            UserKind::UserGroups => self.groups.merge(messages),
        }
    }

    /// The hashes to keep alive: every config's current one.
    pub fn current_hashes(&self) -> Vec<(UserKind, String)> {
        UserKind::ALL
            .into_iter()
            .flat_map(|kind| {
                self.config(kind)
                    .current_hashes()
                    .into_iter()
                    .map(move |hash| (kind, hash))
            })
            .collect()
    }

    /// The kinds whose state changed since their last dump.
    pub fn needs_dump(&self) -> Vec<UserKind> {
        UserKind::ALL
            .into_iter()
            .filter(|&kind| self.config(kind).needs_dump())
            .collect()
    }

    /// The dump of `kind` (see [`Config::dump`]).
    pub fn dump(&mut self, kind: UserKind) -> zeroize::Zeroizing<Vec<u8>> {
        match kind {
            UserKind::UserProfile => self.profile.dump(),
            UserKind::Contacts => self.contacts.dump(),
            UserKind::ConvoInfoVolatile => self.convos.dump(),
            UserKind::UserGroups => self.groups.dump(),
        }
    }
}
