//! Small decryptions: ONS lookups and push notifications.

use alloc::vec::Vec;

use session_identity::aead::XChaCha20Poly1305;
use session_identity::hash::{blake2b_keyed_parts, blake2b_parts};
use session_identity::{SessionId, SessionIdError};
use zeroize::Zeroizing;

const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

/// Why an ONS response or push notification could not be decrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExtrasError {
    /// The ciphertext is shorter than its fixed overhead.
    #[error("ciphertext is {len} bytes; at least {min} are needed")]
    TooShort {
        /// The length given.
        len: usize,
        /// The minimum.
        min: usize,
    },
    /// Authenticated decryption failed: wrong name or key, or altered data.
    #[error("decryption failed")]
    CannotDecrypt,
    /// An ONS value decrypts to 33 bytes; this one did not.
    #[error("decrypted ONS value is {0} bytes, not 33")]
    ValueLength(usize),
    /// The decrypted ONS value is not a Session ID.
    #[error("decrypted ONS value is not a Session ID: {0}")]
    NotASessionId(SessionIdError),
}

/// ONS (Session name service) lookups.
pub mod ons {
    use super::*;

    /// The 33 bytes an ONS record encrypts, whatever their prefix (libsession's
    /// `decrypt_ons_response` returns them as hex). `name` must already be lower case. The key is
    /// `BLAKE2b-32(name; key = BLAKE2b-32(name))` and the cipher XChaCha20-Poly1305.
    pub fn decrypt_value(
        name: &str,
        ciphertext: &[u8],
        nonce: &[u8; 24],
    ) -> Result<[u8; 33], ExtrasError> {
        if ciphertext.len() < TAG_LEN {
            return Err(ExtrasError::TooShort {
                len: ciphertext.len(),
                min: TAG_LEN,
            });
        }
        let name_hash = Zeroizing::new(blake2b_parts::<32>(&[name.as_bytes()]));
        let key = Zeroizing::new(blake2b_keyed_parts::<32, 32>(
            &name_hash,
            &[name.as_bytes()],
        ));
        let plaintext = XChaCha20Poly1305::new(&key)
            .decrypt(nonce, b"", ciphertext)
            .map_err(|_| ExtrasError::CannotDecrypt)?;
        <[u8; 33]>::try_from(plaintext.as_slice())
            .map_err(|_| ExtrasError::ValueLength(plaintext.len()))
    }

    /// The Session ID an ONS record for `name` (lower case) resolves to.
    pub fn decrypt(
        name: &str,
        ciphertext: &[u8],
        nonce: &[u8; 24],
    ) -> Result<SessionId, ExtrasError> {
        let value = decrypt_value(name, ciphertext, nonce)?;
        SessionId::from_bytes(&value).map_err(ExtrasError::NotASessionId)
    }
}

/// Push notifications.
pub mod push {
    use super::*;

    /// Decrypts a push-notification payload (`nonce(24) ‖ XChaCha20-Poly1305 ciphertext`) with
    /// the 32-byte notification key, removing trailing zero padding. As in libsession, a
    /// plaintext made only of zero bytes is returned unchanged.
    pub fn decrypt_notification(payload: &[u8], key: &[u8; 32]) -> Result<Vec<u8>, ExtrasError> {
        if payload.len() < NONCE_LEN + TAG_LEN {
            return Err(ExtrasError::TooShort {
                len: payload.len(),
                min: NONCE_LEN + TAG_LEN,
            });
        }
        let (nonce, ciphertext) = payload.split_at(NONCE_LEN);
        let nonce = nonce.try_into().map_err(|_| ExtrasError::CannotDecrypt)?;
        let mut plaintext = XChaCha20Poly1305::new(key)
            .decrypt(nonce, b"", ciphertext)
            .map_err(|_| ExtrasError::CannotDecrypt)?;
        if let Some(last) = plaintext.iter().rposition(|&b| b != 0) {
            plaintext.truncate(last + 1);
        }
        Ok(plaintext)
    }
}
