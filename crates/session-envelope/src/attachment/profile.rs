//! Profile pictures: the desktop client's AES-256-GCM under the 32-byte profile key, and the
//! deterministic stream scheme under the profile-picture domain.
//!
//! ```text
//! upload = iv(12) ‖ AES-256-GCM(profile_key, iv, picture, no AAD) ‖ tag(16)
//! ```
//!
//! The profile key travels in `DataMessage.profileKey` (and `MessageRequestResponse.profileKey`),
//! the download URL in `LokiProfile.profilePicture`. A new picture gets a fresh random key; a
//! re-upload of the same picture reuses it.

use alloc::vec::Vec;

use rand_core::CryptoRng;
use session_identity::aead::Aes256Gcm;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::stream::{self, Domain, StreamEncrypted};
use super::AttachmentError;

/// IV length.
pub const IV_LEN: usize = 12;
/// Tag length.
pub const TAG_LEN: usize = 16;
/// The shortest upload decryption accepts: IV, tag and at least one byte of picture (the desktop
/// client rejects an encrypted empty picture).
pub const MIN_LEN: usize = IV_LEN + TAG_LEN + 1;

/// The 32-byte profile key.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct ProfileKey {
    bytes: [u8; 32],
}

impl core::fmt::Debug for ProfileKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ProfileKey(..)")
    }
}

impl ProfileKey {
    /// From 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self { bytes }
    }

    /// From a message's `profileKey` field, which must be 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, AttachmentError> {
        let bytes = <[u8; 32]>::try_from(bytes).map_err(|_| AttachmentError::KeyLength {
            expected: 32,
            found: bytes.len(),
        })?;
        Ok(Self { bytes })
    }

    /// A fresh key, for a new picture.
    pub fn generate(rng: &mut impl CryptoRng) -> Self {
        let mut bytes = [0u8; 32];
        rng.fill_bytes(&mut bytes);
        Self { bytes }
    }

    /// The 32 bytes, for `profileKey`. Secret: handle with care.
    pub fn expose_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(&self.bytes)
    }
}

/// Encrypts `picture` under `key` with `iv`.
pub fn encrypt(key: &ProfileKey, iv: &[u8; IV_LEN], picture: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(IV_LEN + picture.len() + TAG_LEN);
    out.extend_from_slice(iv);
    out.extend_from_slice(picture);
    match key
        .cipher()
        .encrypt_in_place_detached(iv, &[], &mut out[IV_LEN..])
    {
        Ok(tag) => out.extend_from_slice(&tag),
        // AES-GCM refuses only messages over 64 GiB, which no picture (nor Vec on 32 bits) is.
        Err(_) => out.clear(),
    }
    out
}

/// Encrypts `picture` under `key` with a random IV, as the desktop client does.
pub fn encrypt_random(key: &ProfileKey, picture: &[u8], rng: &mut impl CryptoRng) -> Vec<u8> {
    let mut iv = [0u8; IV_LEN];
    rng.fill_bytes(&mut iv);
    encrypt(key, &iv, picture)
}

/// Decrypts a downloaded profile picture. Fewer than [`MIN_LEN`] bytes is
/// [`AttachmentError::TooShort`], a failed tag [`AttachmentError::Forged`].
pub fn decrypt(key: &ProfileKey, upload: &[u8]) -> Result<Vec<u8>, AttachmentError> {
    if upload.len() < MIN_LEN {
        return Err(AttachmentError::TooShort {
            len: upload.len() as u64,
            min: MIN_LEN as u64,
        });
    }
    let (iv, rest) = upload.split_at(IV_LEN);
    let (body, tag) = rest.split_at(rest.len() - TAG_LEN);
    let iv = <&[u8; IV_LEN]>::try_from(iv).map_err(|_| AttachmentError::Forged)?;
    let tag = <&[u8; TAG_LEN]>::try_from(tag).map_err(|_| AttachmentError::Forged)?;
    let mut picture = body.to_vec();
    // A refused buffer is wiped by the cipher.
    match key
        .cipher()
        .decrypt_in_place_detached(iv, &[], &mut picture[..], tag)
    {
        Ok(()) => Ok(picture),
        Err(_) => Err(AttachmentError::Forged),
    }
}

/// The deterministic profile picture of newer clients: the stream scheme under
/// [`Domain::ProfilePicture`]; decrypt it with [`stream::decrypt`]. The URL then carries `d`.
pub fn encrypt_deterministic(
    seed: &[u8; 32],
    picture: &[u8],
) -> Result<StreamEncrypted, AttachmentError> {
    stream::encrypt(seed, picture, Domain::ProfilePicture)
}
