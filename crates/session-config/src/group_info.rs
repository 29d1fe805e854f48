//! groups::Info (§11.10): a `03` group's name, description, picture, disappearing timer,
//! deletion cut-offs and destroyed flag, kept in the group's swarm (namespace 13) and signed
//! by the group's key.

use session_identity::{Prefix, SessionId};

use crate::typed::{forward_group_config, truncate};
use crate::{Config, EditError, GroupKind, ProfilePic, MAX_URL_LENGTH};

/// The longest group name, in bytes of UTF-8 (libsession's `Info::NAME_MAX_LENGTH`).
pub const GROUP_NAME_MAX_LENGTH: usize = 100;

/// The longest group description, in bytes of UTF-8 (`Info::DESCRIPTION_MAX_LENGTH`).
pub const GROUP_DESCRIPTION_MAX_LENGTH: usize = 2000;

const DESTROYED: &[u8] = b"!";
const CREATED: &[u8] = b"c";
const DELETE_BEFORE: &[u8] = b"d";
const DELETE_ATTACH_BEFORE: &[u8] = b"D";
const EXPIRY_TIMER: &[u8] = b"E";
const NAME: &[u8] = b"n";
const DESCRIPTION: &[u8] = b"o";
const PIC_URL: &[u8] = b"p";
const PIC_KEY: &[u8] = b"q";

/// Why an edit of a group config (info or members) was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GroupConfigError {
    /// The config is a member's (it has only the group's public key): it cannot edit.
    #[error("the group config is read-only: only admins can edit it")]
    ReadOnly,
    /// A name longer than the field allows (100 bytes of UTF-8).
    #[error("name of {len} bytes; at most {max} are allowed")]
    NameTooLong {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A group description longer than 2000 bytes.
    #[error("description of {len} bytes; at most {max} are allowed")]
    DescriptionTooLong {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A picture URL longer than 223 bytes.
    #[error("picture URL of {len} bytes; at most {max} are allowed")]
    UrlTooLong {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A member ID that is not a user's (`05`) Session ID.
    #[error("a member ID starting {found}, where 05 is required")]
    NotAUserId {
        /// The prefix given.
        found: Prefix,
    },
    /// A timer beyond `i64::MAX` seconds.
    #[error("value out of range")]
    OutOfRange,
    /// The edit was refused for another reason.
    #[error(transparent)]
    Edit(EditError),
}

impl From<EditError> for GroupConfigError {
    fn from(e: EditError) -> Self {
        match e {
            EditError::ReadOnly => GroupConfigError::ReadOnly,
            other => GroupConfigError::Edit(other),
        }
    }
}

/// The groups::Info config (namespace 13) of one `03` group: typed access to its fields over a
/// [`Config`]. (Not to be confused with [`GroupInfo`](crate::GroupInfo), an account's entry for
/// a group in its UserGroups config.)
///
/// Data layout, byte for byte libsession's, defaults omitted:
///
/// | key | field |
/// |---|---|
/// | `!` | [`is_destroyed`](Self::is_destroyed): `1` once the group is destroyed |
/// | `c` | [`created`](Self::created), unix seconds |
/// | `d` | [`delete_before`](Self::delete_before): delete messages older than this (unix seconds) |
/// | `D` | [`delete_attach_before`](Self::delete_attach_before): the same for attachments |
/// | `E` | [`expiry_timer`](Self::expiry_timer): disappearing (after send) timer, seconds |
/// | `n` | [`name`](Self::name), at most 100 bytes |
/// | `o` | [`description`](Self::description), at most 2000 bytes |
/// | `p`, `q` | [`profile_pic`](Self::profile_pic): URL and 32-byte key, both or neither |
///
/// Keys this version does not know are kept and pushed again unchanged. Only an admin (who
/// holds the group's Ed25519 key) edits and pushes; a member merges and reads.
///
/// ```
/// use session_config::{GroupInfoConfig, GroupConfigError, PushError};
/// use session_identity::{Identity, Seed};
///
/// let group = Identity::from_seed(Seed::from_full_bytes([7; 32]));
/// let keys = [[0xaa; 32]];
/// let mut admin = GroupInfoConfig::new_admin(&group, &keys);
/// admin.set_name("Book club")?;
/// admin.set_expiry_timer(3600)?;
/// let push = admin.push()?;
/// admin.confirm_pushed(push.seqno, "hash1");
///
/// let mut member = GroupInfoConfig::new_member(group.ed25519_public_key(), &keys);
/// assert_eq!(member.merge([("hash1", &push.data[..])]), ["hash1"]);
/// assert_eq!(member.name(), Some("Book club"));
/// assert_eq!(member.expiry_timer(), Some(3600));
/// assert_eq!(member.set_name("Mine now"), Err(GroupConfigError::ReadOnly));
/// assert_eq!(member.push().unwrap_err(), PushError::ReadOnly);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct GroupInfoConfig {
    config: Config,
}

forward_group_config!(GroupInfoConfig, GroupKind::Info);

impl GroupInfoConfig {
    fn from_config(config: Config) -> Self {
        Self { config }
    }

    fn writable(&self) -> Result<(), GroupConfigError> {
        if self.config.is_read_only() {
            Err(GroupConfigError::ReadOnly)
        } else {
            Ok(())
        }
    }

    fn text(&self, key: &[u8]) -> Option<&str> {
        self.config
            .get_bytes(&[key])
            .filter(|text| !text.is_empty())
            .and_then(|text| core::str::from_utf8(text).ok())
    }

    fn set_text(&mut self, key: &[u8], text: &str) -> Result<(), GroupConfigError> {
        self.writable()?;
        if text.is_empty() {
            self.config.erase(&[key])?;
        } else {
            self.config.set(&[key], text)?;
        }
        Ok(())
    }

    fn set_positive(&mut self, key: &[u8], value: i64) -> Result<(), GroupConfigError> {
        self.writable()?;
        if value > 0 {
            self.config.set(&[key], value)?;
        } else {
            self.config.erase(&[key])?;
        }
        Ok(())
    }

    /// The group's ID: `03` followed by its Ed25519 public key.
    pub fn id(&self) -> SessionId {
        // Group configs are always made with the group's key.
        let key = self
            .config
            .group_public_key()
            .map_or([0; 32], |key| key.to_bytes());
        SessionId::new(Prefix::Group, key)
    }

    /// The group's name, if set (and valid UTF-8).
    pub fn name(&self) -> Option<&str> {
        self.text(NAME)
    }

    /// Sets the name; an empty one removes it. At most [`GROUP_NAME_MAX_LENGTH`] bytes.
    pub fn set_name(&mut self, name: &str) -> Result<(), GroupConfigError> {
        if name.len() > GROUP_NAME_MAX_LENGTH {
            return Err(GroupConfigError::NameTooLong {
                len: name.len(),
                max: GROUP_NAME_MAX_LENGTH,
            });
        }
        self.set_text(NAME, name)
    }

    /// Sets the name, cut to [`GROUP_NAME_MAX_LENGTH`] bytes at a character boundary.
    pub fn set_name_truncated(&mut self, name: &str) -> Result<(), GroupConfigError> {
        self.set_name(truncate(name, GROUP_NAME_MAX_LENGTH))
    }

    /// The group's description, if set (and valid UTF-8).
    pub fn description(&self) -> Option<&str> {
        self.text(DESCRIPTION)
    }

    /// Sets the description; an empty one removes it. At most
    /// [`GROUP_DESCRIPTION_MAX_LENGTH`] bytes.
    pub fn set_description(&mut self, description: &str) -> Result<(), GroupConfigError> {
        if description.len() > GROUP_DESCRIPTION_MAX_LENGTH {
            return Err(GroupConfigError::DescriptionTooLong {
                len: description.len(),
                max: GROUP_DESCRIPTION_MAX_LENGTH,
            });
        }
        self.set_text(DESCRIPTION, description)
    }

    /// Sets the description, cut to [`GROUP_DESCRIPTION_MAX_LENGTH`] bytes at a character
    /// boundary.
    pub fn set_description_truncated(&mut self, description: &str) -> Result<(), GroupConfigError> {
        self.set_description(truncate(description, GROUP_DESCRIPTION_MAX_LENGTH))
    }

    /// The group's picture, if both its URL (non-empty UTF-8) and 32-byte key are set.
    pub fn profile_pic(&self) -> Option<ProfilePic> {
        let url = self.text(PIC_URL)?.into();
        let key = self.config.get_bytes(&[PIC_KEY])?.try_into().ok()?;
        Some(ProfilePic { url, key })
    }

    /// Sets the group's picture, or removes it (`None`, or an empty URL): URL and key are set
    /// or removed together. The URL is at most [`MAX_URL_LENGTH`] bytes.
    pub fn set_profile_pic(&mut self, pic: Option<&ProfilePic>) -> Result<(), GroupConfigError> {
        self.writable()?;
        match pic.filter(|pic| !pic.url.is_empty()) {
            Some(pic) => {
                if pic.url.len() > MAX_URL_LENGTH {
                    return Err(GroupConfigError::UrlTooLong {
                        len: pic.url.len(),
                        max: MAX_URL_LENGTH,
                    });
                }
                self.config.edit(|d| {
                    d.insert(PIC_URL.to_vec(), pic.url.as_str().into());
                    d.insert(PIC_KEY.to_vec(), pic.key.into());
                })?;
            }
            None => {
                self.config.edit(|d| {
                    d.remove(PIC_URL);
                    d.remove(PIC_KEY);
                })?;
            }
        }
        Ok(())
    }

    /// The disappearing-messages timer in seconds (messages disappear that long after they
    /// were sent), if one is set. Groups only have this mode.
    pub fn expiry_timer(&self) -> Option<u64> {
        self.config
            .get_int(&[EXPIRY_TIMER])
            .filter(|&seconds| seconds > 0)
            .and_then(|seconds| u64::try_from(seconds).ok())
    }

    /// Sets the disappearing-messages timer in seconds; 0 turns it off.
    pub fn set_expiry_timer(&mut self, seconds: u64) -> Result<(), GroupConfigError> {
        let seconds = i64::try_from(seconds).map_err(|_| GroupConfigError::OutOfRange)?;
        self.set_positive(EXPIRY_TIMER, seconds)
    }

    /// When the group was created (unix seconds), if recorded.
    pub fn created(&self) -> Option<i64> {
        self.config.get_int(&[CREATED])
    }

    /// Sets when the group was created (unix seconds); 0 or less removes it.
    pub fn set_created(&mut self, timestamp: i64) -> Result<(), GroupConfigError> {
        self.set_positive(CREATED, timestamp)
    }

    /// Receivers delete every message of the group sent before this time (unix seconds), if
    /// set.
    pub fn delete_before(&self) -> Option<i64> {
        self.config.get_int(&[DELETE_BEFORE])
    }

    /// Sets the delete-before time (unix seconds); 0 or less removes it.
    pub fn set_delete_before(&mut self, timestamp: i64) -> Result<(), GroupConfigError> {
        self.set_positive(DELETE_BEFORE, timestamp)
    }

    /// Receivers delete the attachments of every message sent before this time (unix seconds),
    /// if set.
    pub fn delete_attach_before(&self) -> Option<i64> {
        self.config.get_int(&[DELETE_ATTACH_BEFORE])
    }

    /// Sets the delete-attachments-before time (unix seconds); 0 or less removes it.
    pub fn set_delete_attach_before(&mut self, timestamp: i64) -> Result<(), GroupConfigError> {
        self.set_positive(DELETE_ATTACH_BEFORE, timestamp)
    }

    /// Whether the group was destroyed: receivers should delete it.
    pub fn is_destroyed(&self) -> bool {
        self.config.get_int(&[DESTROYED]).is_some_and(|v| v > 0)
    }

    /// Marks the group destroyed (this cannot be undone through this API, as in libsession).
    pub fn destroy_group(&mut self) -> Result<(), GroupConfigError> {
        self.set_positive(DESTROYED, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use session_identity::{Identity, Seed};

    fn group() -> Identity {
        Identity::from_seed(Seed::from_full_bytes([3; 32]))
    }

    #[test]
    fn id_is_03_and_the_group_key() {
        let group = group();
        let info = GroupInfoConfig::new_member(group.ed25519_public_key(), &[[1; 32]]);
        assert_eq!(info.id().prefix(), Prefix::Group);
        assert_eq!(info.id().key_bytes(), group.ed25519_public_key().as_bytes());
        let admin = GroupInfoConfig::new_admin(&group, &[[1; 32]]);
        assert_eq!(admin.id(), info.id());
    }

    #[test]
    fn defaults_are_omitted() {
        let mut info = GroupInfoConfig::new_admin(&group(), &[[1; 32]]);
        info.set_created(0).unwrap();
        info.set_expiry_timer(0).unwrap();
        info.set_name("").unwrap();
        assert!(info.config().data().is_empty());
        assert!(!info.needs_push());
        info.set_delete_before(-5).unwrap();
        assert_eq!(info.delete_before(), None);
    }
}
