//! Config encryption (§11.4): prefix padding and XChaCha20-Poly1305 with derived key and nonce.

use alloc::vec::Vec;

use session_identity::aead::XChaCha20Poly1305;
use session_identity::hash::Blake2b;
use zeroize::Zeroizing;

/// Bytes encryption adds: the Poly1305 tag (16) and the nonce (24).
pub const ENCRYPTION_OVERHEAD: usize = 40;

/// The longest encryption domain.
pub const MAX_DOMAIN_LEN: usize = 24;

const NONCE_KEY_PREFIX: &[u8] = b"libsessionutil-config-encrypted-";
const TAG_LEN: usize = 16;
const NONCE_LEN: usize = 24;

/// Why a config message could not be encrypted or decrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncryptError {
    /// The domain is empty or longer than [`MAX_DOMAIN_LEN`] bytes.
    #[error("encryption domain of {len} bytes; 1 to 24 are allowed")]
    DomainLength {
        /// Its length.
        len: usize,
    },
    /// A ciphertext shorter than the 40 bytes of tag and nonce.
    #[error("ciphertext of {len} bytes is shorter than the 40-byte overhead")]
    TooShort {
        /// Its length.
        len: usize,
    },
    /// The ciphertext does not authenticate under this key and domain.
    #[error("message decryption failed")]
    Authentication,
}

/// The size a message of `size` bytes is padded to, so that `size + overhead` fills whole
/// chunks: 256 bytes while the total is below 5,120, then 1,024 below 20,480, 2,048 below
/// 40,960, and 5,120 above. An aligned size is kept.
///
/// ```
/// use session_config::{padded_size, ENCRYPTION_OVERHEAD};
/// assert_eq!(padded_size(1, 0), 256);
/// assert_eq!(padded_size(247, 10), 502);
/// assert_eq!(padded_size(216, ENCRYPTION_OVERHEAD), 216);
/// assert_eq!(padded_size(71_681, 0), 76_800);
/// ```
pub const fn padded_size(size: usize, overhead: usize) -> usize {
    let total = size + overhead;
    let chunk = if total < 5120 {
        256
    } else if total < 20480 {
        1024
    } else if total < 40960 {
        2048
    } else {
        5120
    };
    total.div_ceil(chunk) * chunk - overhead
}

/// Prefixes `message` with zero bytes up to [`padded_size`]`(len, 40)`: the message a push
/// encrypts. Receivers strip leading zeros (a config message starts with `d` or `z`).
pub fn pad(message: &[u8]) -> Vec<u8> {
    let target = padded_size(message.len(), ENCRYPTION_OVERHEAD).max(message.len());
    let mut out = Vec::with_capacity(target + ENCRYPTION_OVERHEAD);
    out.resize(target - message.len(), 0);
    out.extend_from_slice(message);
    out
}

fn check_domain(domain: &str) -> Result<(), EncryptError> {
    let len = domain.len();
    if len == 0 || len > MAX_DOMAIN_LEN {
        return Err(EncryptError::DomainLength { len });
    }
    Ok(())
}

/// `BLAKE2b-32(key_base ‖ u64_be(len) ‖ domain)`.
fn message_key(key_base: &[u8; 32], len: usize, domain: &str) -> Zeroizing<[u8; 32]> {
    let mut key = Zeroizing::new([0u8; 32]);
    // An unkeyed 32-byte digest is within BLAKE2b's limits: neither call can fail.
    if let Ok(hasher) = Blake2b::new(32, None) {
        let _ = hasher
            .chain(key_base)
            .chain(&(len as u64).to_be_bytes())
            .chain(domain.as_bytes())
            .finalize_into(key.as_mut());
    }
    key
}

/// `BLAKE2b-24(message; key = "libsessionutil-config-encrypted-" ‖ domain)`.
fn message_nonce(message: &[u8], domain: &str) -> [u8; NONCE_LEN] {
    let mut nonce_key = Vec::with_capacity(NONCE_KEY_PREFIX.len() + domain.len());
    nonce_key.extend_from_slice(NONCE_KEY_PREFIX);
    nonce_key.extend_from_slice(domain.as_bytes());
    let mut nonce = [0u8; NONCE_LEN];
    // At most 56 key bytes and a 24-byte digest: within BLAKE2b's limits.
    if let Ok(hasher) = Blake2b::new(NONCE_LEN, Some(&nonce_key)) {
        let _ = hasher.chain(message).finalize_into(&mut nonce);
    }
    nonce
}

/// Encrypts a (padded) config message: `XChaCha20-Poly1305(message) ‖ nonce`, with the key
/// derived from `key_base`, the message length and `domain`, and the nonce from the message
/// and `domain`. Deterministic; the output is `len + 40` bytes.
///
/// ```
/// use session_config::{decrypt, encrypt};
/// let key = [7u8; 32];
/// let sealed = encrypt(b"some message", &key, "UserProfile")?;
/// assert_eq!(sealed.len(), 12 + 40);
/// assert_eq!(decrypt(&sealed, &key, "UserProfile")?, b"some message");
/// assert!(decrypt(&sealed, &key, "Contacts").is_err());
/// # Ok::<(), session_config::EncryptError>(())
/// ```
pub fn encrypt(message: &[u8], key_base: &[u8; 32], domain: &str) -> Result<Vec<u8>, EncryptError> {
    check_domain(domain)?;
    let key = message_key(key_base, message.len(), domain);
    let nonce = message_nonce(message, domain);
    let mut out = Vec::with_capacity(message.len() + ENCRYPTION_OVERHEAD);
    out.extend_from_slice(message);
    let tag = XChaCha20Poly1305::new(&key)
        .encrypt_in_place_detached(&nonce, b"", &mut out[..])
        // XChaCha20 refuses only messages longer than 256 GiB.
        .map_err(|_| EncryptError::Authentication)?;
    out.extend_from_slice(&tag);
    out.extend_from_slice(&nonce);
    Ok(out)
}

/// Decrypts what [`encrypt`] made: the nonce is the last 24 bytes. Returns the padded message,
/// leading zeros kept. Exactly 40 bytes decrypt to an empty message.
pub fn decrypt(
    ciphertext: &[u8],
    key_base: &[u8; 32],
    domain: &str,
) -> Result<Vec<u8>, EncryptError> {
    check_domain(domain)?;
    let len = ciphertext.len();
    let Some(message_len) = len.checked_sub(ENCRYPTION_OVERHEAD) else {
        return Err(EncryptError::TooShort { len });
    };
    let (body, nonce) = ciphertext.split_at(len - NONCE_LEN);
    let (encrypted, tag) = body.split_at(message_len);
    let key = message_key(key_base, message_len, domain);
    let nonce: &[u8; NONCE_LEN] = nonce
        .try_into()
        .map_err(|_| EncryptError::TooShort { len })?;
    let tag: &[u8; TAG_LEN] = tag.try_into().map_err(|_| EncryptError::TooShort { len })?;
    let mut plaintext = encrypted.to_vec();
    XChaCha20Poly1305::new(&key)
        .decrypt_in_place_detached(nonce, b"", &mut plaintext[..], tag)
        .map_err(|_| EncryptError::Authentication)?;
    Ok(plaintext)
}
