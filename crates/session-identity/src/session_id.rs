//! Session IDs: a one-byte prefix naming the kind of key, then a 32-byte public key.

use core::fmt;
use core::str::FromStr;

use crate::keys::{decode_hex_array, HexError};
use crate::{Ed25519PublicKey, X25519PublicKey};

/// The first byte of a Session ID: what kind of key follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
#[non_exhaustive]
pub enum Prefix {
    /// `00`: an unblinded Ed25519 key (community `X-SOGS-Pubkey`; also the testnet network id).
    Unblinded = 0x00,
    /// `03`: a closed group; the key is the group's Ed25519 public key.
    Group = 0x03,
    /// `05`: a user; the key is the user's X25519 public key.
    User = 0x05,
    /// `07`: a version-check key (see [`crate::blinding::VersionCheckKeyPair`]).
    VersionBlinded = 0x07,
    /// `15`: a community-blinded Ed25519 key, first version.
    Blinded15 = 0x15,
    /// `25`: a community-blinded Ed25519 key, second version (independent of the key's sign).
    Blinded25 = 0x25,
}

impl Prefix {
    /// The prefix whose byte is `byte`, if any.
    pub const fn from_byte(byte: u8) -> Option<Self> {
        Some(match byte {
            0x00 => Self::Unblinded,
            0x03 => Self::Group,
            0x05 => Self::User,
            0x07 => Self::VersionBlinded,
            0x15 => Self::Blinded15,
            0x25 => Self::Blinded25,
            _ => return None,
        })
    }

    /// The prefix byte.
    pub const fn as_byte(self) -> u8 {
        self as u8
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02x}", self.as_byte())
    }
}

/// Why a string or byte slice is not a Session ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionIdError {
    /// Hex text must be 66 characters, raw bytes 33.
    #[error("a Session ID is {expected} {unit} long; found {found}")]
    WrongLength {
        /// The length required (66 for hex, 33 for bytes).
        expected: usize,
        /// The length given.
        found: usize,
        /// `"characters"` or `"bytes"`.
        unit: &'static str,
    },
    /// A character that is not a hex digit.
    #[error("character {character:?} at position {position} is not a hex digit")]
    NonHex {
        /// Byte offset of the character in the text.
        position: usize,
        /// The offending character.
        character: char,
    },
    /// The first byte is not one of the known prefixes.
    #[error("unknown Session ID prefix {0:02x}")]
    UnknownPrefix(u8),
    /// A known prefix, but not the one the caller asked for.
    #[error("expected a Session ID with prefix {expected}, found prefix {found}")]
    UnexpectedPrefix {
        /// The prefix required.
        expected: Prefix,
        /// The prefix found.
        found: Prefix,
    },
}

/// A Session ID: a [`Prefix`] and a 32-byte public key, written as 66 lower-case hex digits.
///
/// ```
/// use session_identity::{Prefix, SessionId};
///
/// let id: SessionId = "05D2AD010EEB72D72E561D9DE7BD7B6989AF77DCABFFA03A5111A6C859AE5C3A72".parse()?;
/// assert_eq!(id.prefix(), Prefix::User);
/// assert_eq!(id.to_string(), "05d2ad010eeb72d72e561d9de7bd7b6989af77dcabffa03a5111a6c859ae5c3a72");
/// # Ok::<(), session_identity::SessionIdError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId {
    prefix: Prefix,
    key: [u8; 32],
}

impl SessionId {
    /// Length of the binary form.
    pub const LEN: usize = 33;
    /// Length of the hex form.
    pub const HEX_LEN: usize = 66;

    /// Joins a prefix and a key.
    pub const fn new(prefix: Prefix, key: [u8; 32]) -> Self {
        Self { prefix, key }
    }

    /// A user's Session ID: `05 ‖ X25519 public key`.
    pub const fn from_x25519(key: X25519PublicKey) -> Self {
        Self::new(Prefix::User, key.to_bytes())
    }

    /// Parses 66 hex digits (either case) with any known prefix.
    pub fn parse(text: &str) -> Result<Self, SessionIdError> {
        let bytes: [u8; Self::LEN] = decode_hex_array(text).map_err(|e| match e {
            HexError::NonHex {
                position,
                character,
            } => SessionIdError::NonHex {
                position,
                character,
            },
            _ => SessionIdError::WrongLength {
                expected: Self::HEX_LEN,
                found: text.len(),
                unit: "characters",
            },
        })?;
        Self::from_bytes(&bytes)
    }

    /// Parses 66 hex digits and requires `prefix`.
    pub fn parse_with_prefix(text: &str, prefix: Prefix) -> Result<Self, SessionIdError> {
        Self::parse(text)?.require_prefix(prefix)
    }

    /// From 33 bytes with any known prefix.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SessionIdError> {
        if bytes.len() != Self::LEN {
            return Err(SessionIdError::WrongLength {
                expected: Self::LEN,
                found: bytes.len(),
                unit: "bytes",
            });
        }
        let prefix = Prefix::from_byte(bytes[0]).ok_or(SessionIdError::UnknownPrefix(bytes[0]))?;
        let mut key = [0u8; 32];
        key.copy_from_slice(&bytes[1..]);
        Ok(Self { prefix, key })
    }

    /// This ID if its prefix is `prefix`, else an error naming both.
    pub fn require_prefix(self, prefix: Prefix) -> Result<Self, SessionIdError> {
        if self.prefix == prefix {
            Ok(self)
        } else {
            Err(SessionIdError::UnexpectedPrefix {
                expected: prefix,
                found: self.prefix,
            })
        }
    }

    /// The prefix.
    pub const fn prefix(&self) -> Prefix {
        self.prefix
    }

    /// The 32-byte key after the prefix.
    pub const fn key_bytes(&self) -> &[u8; 32] {
        &self.key
    }

    /// The X25519 key of a user (`05`) ID.
    pub fn x25519_public_key(&self) -> Option<X25519PublicKey> {
        (self.prefix == Prefix::User).then(|| X25519PublicKey::from_bytes(self.key))
    }

    /// The Ed25519 key of a group (`03`), blinded (`15`, `25`, `07`) or unblinded (`00`) ID.
    pub fn ed25519_public_key(&self) -> Option<Ed25519PublicKey> {
        (self.prefix != Prefix::User).then(|| Ed25519PublicKey::from_bytes(self.key))
    }

    /// The 33-byte binary form.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut out = [0u8; Self::LEN];
        out[0] = self.prefix.as_byte();
        out[1..].copy_from_slice(&self.key);
        out
    }

    /// The 66-digit lower-case hex form (the same as `to_string`).
    pub fn to_hex(&self) -> alloc::string::String {
        hex::encode(self.to_bytes())
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.to_bytes() {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionId({self})")
    }
}

impl FromStr for SessionId {
    type Err = SessionIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<&[u8]> for SessionId {
    type Error = SessionIdError;
    fn try_from(bytes: &[u8]) -> Result<Self, Self::Error> {
        Self::from_bytes(bytes)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for SessionId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for SessionId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <alloc::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "05d2ad010eeb72d72e561d9de7bd7b6989af77dcabffa03a5111a6c859ae5c3a72";

    #[test]
    fn errors_name_what_is_wrong() {
        assert_eq!(
            SessionId::parse(&ID[..64]),
            Err(SessionIdError::WrongLength {
                expected: 66,
                found: 64,
                unit: "characters"
            })
        );
        let mut bad = String::from(ID);
        bad.replace_range(10..11, "g");
        assert_eq!(
            SessionId::parse(&bad),
            Err(SessionIdError::NonHex {
                position: 10,
                character: 'g'
            })
        );
        let mut bad = String::from(ID);
        bad.replace_range(0..2, "06");
        assert_eq!(
            SessionId::parse(&bad),
            Err(SessionIdError::UnknownPrefix(6))
        );
        assert_eq!(
            SessionId::parse_with_prefix(ID, Prefix::Group),
            Err(SessionIdError::UnexpectedPrefix {
                expected: Prefix::Group,
                found: Prefix::User
            })
        );
        // A multi-byte character keeps the byte length at 66 but is reported as itself.
        let mut bad = String::from(&ID[..64]);
        bad.push('é');
        assert_eq!(
            SessionId::parse(&bad),
            Err(SessionIdError::NonHex {
                position: 64,
                character: 'é'
            })
        );
        assert!(matches!(
            SessionId::from_bytes(&[5u8; 32]),
            Err(SessionIdError::WrongLength {
                expected: 33,
                found: 32,
                ..
            })
        ));
    }

    #[test]
    fn prints_lower_case() {
        let id = SessionId::parse(&ID.to_uppercase()).unwrap();
        assert_eq!(id.to_string(), ID);
        assert_eq!(format!("{id:?}"), format!("SessionId({ID})"));
        assert_eq!(SessionId::from_bytes(&id.to_bytes()).unwrap(), id);
    }
}
