//! Message hashes: how storage servers name stored messages.

use core::fmt;

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine as _;
use session_identity::hash::Blake2b;
use session_identity::SessionId;

use crate::namespace::Namespace;

/// A storage server's name for a stored message: 43 characters of unpadded standard base64 of
/// a 32-byte BLAKE2b digest.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MessageHash(String);

/// Length of a message hash in characters.
pub const MESSAGE_HASH_LEN: usize = 43;

/// Why a string is not a message hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MessageHashError {
    /// Not 43 characters long.
    #[error("a message hash is {MESSAGE_HASH_LEN} characters, got {0}")]
    Length(usize),
    /// A character outside the standard base64 alphabet.
    #[error("a message hash is unpadded standard base64")]
    Alphabet,
}

impl MessageHash {
    /// The hash the storage server gives a message: unpadded base64 of
    /// `BLAKE2b-32(prefix byte ‖ key ‖ namespace text ‖ data)`, where the namespace text is
    /// empty for the default namespace and signed decimal otherwise.
    pub fn compute(account: &SessionId, namespace: Namespace, data: &[u8]) -> Self {
        let mut hasher = match Blake2b::new(32, None) {
            Ok(h) => h,
            Err(_) => unreachable!("32 is a valid BLAKE2b length"),
        };
        hasher.update(&[account.prefix().as_byte()]);
        hasher.update(account.key_bytes());
        hasher.update(namespace.signature_text().as_bytes());
        hasher.update(data);
        let digest: [u8; 32] = match hasher.finalize() {
            Ok(d) => d,
            Err(_) => unreachable!("output length matches"),
        };
        Self(STANDARD_NO_PAD.encode(digest))
    }

    /// Checks the form of a hash given by a server or a caller.
    pub fn parse(text: &str) -> Result<Self, MessageHashError> {
        if text.len() != MESSAGE_HASH_LEN {
            return Err(MessageHashError::Length(text.len()));
        }
        if !text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
        {
            return Err(MessageHashError::Alphabet);
        }
        Ok(Self(text.to_owned()))
    }

    /// The hash text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MessageHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for MessageHash {
    fn as_ref(&self) -> &str {
        &self.0
    }
}
