//! UserProfile (§11.6): the account's own name, picture and Note-to-Self settings.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use session_identity::Identity;

use crate::typed::truncate;
use crate::{Config, DumpError, EditError, Push, PushError, SyncState, UserKind};

/// The longest name, in bytes of UTF-8.
pub const MAX_NAME_LENGTH: usize = 100;

/// The longest profile picture URL, in bytes: what libsession's C API (and so the clients
/// built on it) can hold. Longer URLs stored by other clients are still read.
pub const MAX_URL_LENGTH: usize = 223;

const NAME: &[u8] = b"n";
const PIC_URL: &[u8] = b"p";
const PIC_KEY: &[u8] = b"q";
const NTS_PRIORITY: &[u8] = b"+";
const NTS_EXPIRY: &[u8] = b"e";
const BLINDED_MSGREQS: &[u8] = b"M";

/// A profile picture: where the encrypted file is and the key that decrypts it.
#[derive(Clone, PartialEq, Eq)]
pub struct ProfilePic {
    /// The file's URL.
    pub url: String,
    /// Its 32-byte decryption key.
    pub key: [u8; 32],
}

impl fmt::Debug for ProfilePic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProfilePic")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// Why a profile setting was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileError {
    /// A name longer than [`MAX_NAME_LENGTH`] bytes.
    #[error("name of {len} bytes; at most 100 are allowed")]
    NameTooLong {
        /// Its length.
        len: usize,
    },
    /// A picture URL longer than [`MAX_URL_LENGTH`] bytes.
    #[error("picture URL of {len} bytes; at most 223 are allowed")]
    UrlTooLong {
        /// Its length.
        len: usize,
    },
    /// A timer beyond `i64::MAX` seconds.
    #[error("timer out of range")]
    TimerOutOfRange,
    /// The edit was refused.
    #[error(transparent)]
    Edit(#[from] EditError),
}

/// The UserProfile config (namespace 2): typed access to its fields over a [`Config`].
///
/// | key | field |
/// |---|---|
/// | `n` | [`name`](Self::name), at most 100 bytes |
/// | `p`, `q` | [`profile_pic`](Self::profile_pic): URL and 32-byte key, both or neither |
/// | `+` | [`nts_priority`](Self::nts_priority): Note-to-Self priority (0 normal, −1 hidden, more is pinned higher) |
/// | `e` | [`nts_expiry`](Self::nts_expiry): Note-to-Self disappearing timer, seconds |
/// | `M` | [`blinded_msgreqs`](Self::blinded_msgreqs): community message requests on or off, unset for the client's default |
///
/// Keys this version does not know are kept and pushed again unchanged.
///
/// ```
/// use session_config::{ProfilePic, UserProfile};
/// use session_identity::{Identity, Seed};
///
/// let account = Identity::from_seed(Seed::from_legacy_bytes(*b"0123456789abcdef"));
/// let mut profile = UserProfile::new(&account);
/// profile.set_name("Kallie")?;
/// profile.set_profile_pic(Some(&ProfilePic {
///     url: "http://example.org/omg-pic-123.bmp".into(),
///     key: *b"secret78901234567890123456789012",
/// }))?;
/// profile.set_nts_priority(9)?;
/// let push = profile.push()?;
/// assert_eq!(push.seqno, 1);
///
/// let mut other_device = UserProfile::new(&account);
/// other_device.merge([("hash1", &push.data[..])]);
/// assert_eq!(other_device.name(), Some("Kallie"));
/// assert_eq!(other_device.nts_priority(), 9);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct UserProfile {
    config: Config,
}

impl UserProfile {
    /// An empty profile of `account`.
    pub fn new(account: &Identity) -> Self {
        Self {
            config: Config::new_user(UserKind::UserProfile, account),
        }
    }

    /// The profile of `account` restored from a dump.
    pub fn load(account: &Identity, dump: &[u8]) -> Result<Self, DumpError> {
        Config::load_user(UserKind::UserProfile, account, dump).map(|config| Self { config })
    }

    /// The underlying config: state, message, data.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The name, if set (and valid UTF-8).
    pub fn name(&self) -> Option<&str> {
        self.config
            .get_bytes(&[NAME])
            .filter(|name| !name.is_empty())
            .and_then(|name| core::str::from_utf8(name).ok())
    }

    /// Sets the name; an empty one removes it. At most [`MAX_NAME_LENGTH`] bytes.
    pub fn set_name(&mut self, name: &str) -> Result<(), ProfileError> {
        if name.len() > MAX_NAME_LENGTH {
            return Err(ProfileError::NameTooLong { len: name.len() });
        }
        if name.is_empty() {
            self.config.erase(&[NAME])?;
        } else {
            self.config.set(&[NAME], name)?;
        }
        Ok(())
    }

    /// Sets the name, cut to [`MAX_NAME_LENGTH`] bytes at a character boundary.
    pub fn set_name_truncated(&mut self, name: &str) -> Result<(), ProfileError> {
        self.set_name(truncate(name, MAX_NAME_LENGTH))
    }

    /// The profile picture, if both its URL (non-empty UTF-8) and 32-byte key are set.
    pub fn profile_pic(&self) -> Option<ProfilePic> {
        let url = self
            .config
            .get_bytes(&[PIC_URL])
            .filter(|u| !u.is_empty())?;
        let key = self.config.get_bytes(&[PIC_KEY])?.try_into().ok()?;
        let url = core::str::from_utf8(url).ok()?.into();
        Some(ProfilePic { url, key })
    }

    /// Sets the profile picture, or removes it (`None`, or an empty URL): URL and key are set
    /// or removed together.
    pub fn set_profile_pic(&mut self, pic: Option<&ProfilePic>) -> Result<(), ProfileError> {
        match pic.filter(|pic| !pic.url.is_empty()) {
            Some(pic) => {
                if pic.url.len() > MAX_URL_LENGTH {
                    return Err(ProfileError::UrlTooLong { len: pic.url.len() });
                }
                self.config.set(&[PIC_URL], pic.url.as_str())?;
                self.config.set(&[PIC_KEY], pic.key)?;
            }
            None => {
                self.config.erase(&[PIC_URL])?;
                self.config.erase(&[PIC_KEY])?;
            }
        }
        Ok(())
    }

    /// The Note-to-Self priority: 0 normal, −1 hidden, above 0 pinned (higher first).
    pub fn nts_priority(&self) -> i64 {
        self.config.get_int(&[NTS_PRIORITY]).unwrap_or(0)
    }

    /// Sets the Note-to-Self priority (0 removes the key).
    pub fn set_nts_priority(&mut self, priority: i64) -> Result<(), ProfileError> {
        if priority == 0 {
            self.config.erase(&[NTS_PRIORITY])?;
        } else {
            self.config.set(&[NTS_PRIORITY], priority)?;
        }
        Ok(())
    }

    /// The Note-to-Self disappearing-message timer in seconds, if one is set.
    pub fn nts_expiry(&self) -> Option<u64> {
        self.config
            .get_int(&[NTS_EXPIRY])
            .filter(|&seconds| seconds > 0)
            .and_then(|seconds| u64::try_from(seconds).ok())
    }

    /// Sets the Note-to-Self disappearing-message timer in seconds; 0 turns it off.
    pub fn set_nts_expiry(&mut self, seconds: u64) -> Result<(), ProfileError> {
        let seconds = i64::try_from(seconds).map_err(|_| ProfileError::TimerOutOfRange)?;
        if seconds == 0 {
            self.config.erase(&[NTS_EXPIRY])?;
        } else {
            self.config.set(&[NTS_EXPIRY], seconds)?;
        }
        Ok(())
    }

    /// Whether message requests from community (blinded) users are retrieved; `None` when
    /// the account never chose (the client's default applies).
    pub fn blinded_msgreqs(&self) -> Option<bool> {
        self.config.get_int(&[BLINDED_MSGREQS]).map(|v| v != 0)
    }

    /// Sets (or, with `None`, clears) whether community message requests are retrieved.
    pub fn set_blinded_msgreqs(&mut self, enabled: Option<bool>) -> Result<(), ProfileError> {
        match enabled {
            Some(enabled) => self.config.set(&[BLINDED_MSGREQS], i64::from(enabled))?,
            None => self.config.erase(&[BLINDED_MSGREQS])?,
        }
        Ok(())
    }

    /// See [`Config::needs_push`].
    pub fn needs_push(&self) -> bool {
        self.config.needs_push()
    }

    /// See [`Config::push`].
    pub fn push(&mut self) -> Result<Push, PushError> {
        self.config.push()
    }

    /// See [`Config::confirm_pushed`].
    pub fn confirm_pushed(&mut self, seqno: i64, hash: impl Into<String>) {
        self.config.confirm_pushed(seqno, hash);
    }

    /// See [`Config::merge`].
    pub fn merge<I, H, D>(&mut self, messages: I) -> Vec<String>
    where
        I: IntoIterator<Item = (H, D)>,
        H: AsRef<str>,
        D: AsRef<[u8]>,
    {
        self.config.merge(messages)
    }

    /// See [`Config::current_hashes`].
    pub fn current_hashes(&self) -> Vec<String> {
        self.config.current_hashes()
    }

    /// See [`Config::needs_dump`].
    pub fn needs_dump(&self) -> bool {
        self.config.needs_dump()
    }

    /// See [`Config::dump`].
    pub fn dump(&mut self) -> zeroize::Zeroizing<Vec<u8>> {
        self.config.dump()
    }

    /// See [`Config::seqno`].
    pub fn seqno(&self) -> i64 {
        self.config.seqno()
    }

    /// See [`Config::state`].
    pub fn state(&self) -> SyncState {
        self.config.state()
    }
}
