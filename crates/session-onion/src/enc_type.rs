//! The two hop-encryption schemes and their names on the wire.

use core::fmt;
use core::str::FromStr;

/// How one onion layer (and the destination's reply) is encrypted.
///
/// Parses the reference's names and aliases (`xchacha20`, `xchacha20-poly1305`, `aes-gcm`,
/// `gcm`) and prints the canonical ones (`xchacha20`, `aes-gcm`). A layer whose routing JSON has
/// no `enc_type` is AES-GCM, the [`Default`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum EncType {
    /// AES-256-GCM: key `HMAC-SHA256(key = "LOKI", shared secret)`, wire form
    /// `iv(12) ‖ ciphertext ‖ tag(16)`. What nodes assume when `enc_type` is absent.
    #[default]
    AesGcm,
    /// XChaCha20-Poly1305: key `BLAKE2b-32(shared ‖ client pk ‖ server pk)`, wire form
    /// `nonce(24) ‖ ciphertext ‖ tag(16)`.
    XChaCha20,
}

impl EncType {
    /// The canonical wire name: `aes-gcm` or `xchacha20`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AesGcm => "aes-gcm",
            Self::XChaCha20 => "xchacha20",
        }
    }

    /// Length of the random nonce (IV) that starts a ciphertext: 12 or 24 bytes.
    pub const fn nonce_len(self) -> usize {
        match self {
            Self::AesGcm => 12,
            Self::XChaCha20 => 24,
        }
    }

    /// Length of the authentication tag that ends a ciphertext (16 bytes for both).
    pub const fn tag_len(self) -> usize {
        16
    }

    /// Bytes a ciphertext adds to its plaintext (nonce plus tag): the shortest valid ciphertext.
    pub const fn overhead(self) -> usize {
        self.nonce_len() + self.tag_len()
    }
}

impl fmt::Display for EncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not one of the encryption types nodes accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown encryption type {name:?}; expected xchacha20, xchacha20-poly1305, aes-gcm or gcm")]
#[non_exhaustive]
pub struct UnknownEncType {
    /// The name given (at most 64 characters of it).
    pub name: String,
}

impl FromStr for EncType {
    type Err = UnknownEncType;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "xchacha20" | "xchacha20-poly1305" => Ok(Self::XChaCha20),
            "aes-gcm" | "gcm" => Ok(Self::AesGcm),
            _ => Err(UnknownEncType {
                name: name.chars().take(64).collect(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases() {
        for (name, enc) in [
            ("xchacha20", EncType::XChaCha20),
            ("xchacha20-poly1305", EncType::XChaCha20),
            ("aes-gcm", EncType::AesGcm),
            ("gcm", EncType::AesGcm),
        ] {
            assert_eq!(name.parse::<EncType>(), Ok(enc));
        }
        assert_eq!(EncType::XChaCha20.to_string(), "xchacha20");
        assert_eq!(EncType::AesGcm.to_string(), "aes-gcm");
        assert_eq!(EncType::default(), EncType::AesGcm);
        for bad in ["", "AES-GCM", "xchacha", "aes_gcm", "gcm "] {
            assert_eq!(
                bad.parse::<EncType>(),
                Err(UnknownEncType { name: bad.into() })
            );
        }
    }
}
