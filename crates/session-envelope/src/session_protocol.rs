//! The Session Protocol for one-to-one messages: sign, then seal to the recipient.
//!
//! ```text
//! inner      = message ‖ A ‖ Ed25519-sign(message ‖ A ‖ Y)        A: sender Ed25519 key
//! ciphertext = crypto_box_seal(inner, Y)                            Y: recipient X25519 key
//!            = E ‖ tag ‖ XSalsa20(inner)   with E ephemeral and nonce = BLAKE2b-24(E ‖ Y)
//! ```
//!
//! The recipient key is signed but not transmitted, so a message cannot be re-sealed to someone
//! else and still verify. A ciphertext is `len(message) + 144` bytes long.

use alloc::vec::Vec;

use crypto_box::aead::generic_array::GenericArray;
use crypto_box::aead::AeadInPlace;
use crypto_box::SalsaBox;
use rand_core::CryptoRngCore;
use session_identity::hash::Blake2b;
use session_identity::{
    Ed25519PublicKey, Identity, PointError, SessionId, Signature, SignatureError, X25519PublicKey,
};
use sha2::{Digest, Sha512};
use zeroize::Zeroizing;

use crate::curve::is_weak_x25519_key;

/// Bytes a ciphertext adds to the message: ephemeral key (32), MAC (16), sender key (32) and
/// signature (64).
pub const OVERHEAD: usize = 32 + 16 + 32 + 64;

const EPHEMERAL_LEN: usize = 32;
const TAG_LEN: usize = 16;
const HEADER_LEN: usize = EPHEMERAL_LEN + TAG_LEN;
const SIGNATURE_LEN: usize = 64;
const DETERMINISTIC_SEED_KEY: &[u8] = b"SessionBoxEphemeralHashKey";

/// Why a Session Protocol message could not be sealed or opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionProtocolError {
    /// The recipient's X25519 key has small order: every shared secret with it is zero.
    #[error("the recipient X25519 key has small order")]
    WeakRecipientKey,
    /// A ciphertext is at least 144 bytes (an empty message).
    #[error("ciphertext is {len} bytes; at least 144 are needed")]
    TooShort {
        /// The length given.
        len: usize,
    },
    /// The sealed box did not open: the message is for someone else, or was altered.
    #[error("the sealed box does not open with this key")]
    CannotOpen,
    /// The sender's signature over the message does not verify.
    #[error("sender signature rejected: {0}")]
    BadSignature(SignatureError),
    /// The embedded sender key is not a usable Ed25519 key.
    #[error("sender Ed25519 key rejected: {0}")]
    BadSenderKey(PointError),
}

/// A message opened and verified by [`decrypt`].
#[derive(Clone, PartialEq, Eq)]
pub struct DecryptedMessage {
    /// The message as the sender passed it to [`encrypt`].
    pub plaintext: Vec<u8>,
    /// The sender's Session ID (`05` and the X25519 twin of [`Self::sender_ed25519`]).
    pub sender_session_id: SessionId,
    /// The Ed25519 key that signed the message.
    pub sender_ed25519: Ed25519PublicKey,
}

impl core::fmt::Debug for DecryptedMessage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Message contents stay out of logs.
        f.debug_struct("DecryptedMessage")
            .field("plaintext_len", &self.plaintext.len())
            .field("sender_session_id", &self.sender_session_id)
            .finish_non_exhaustive()
    }
}

/// `message ‖ A ‖ signature(message ‖ A ‖ Y)`, the signed inner part of a Session Protocol
/// message, written after `prefix_len` zero bytes (room for the sealed-box header).
fn signed_inner(
    sender: &Identity,
    recipient: &X25519PublicKey,
    message: &[u8],
    prefix_len: usize,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(prefix_len + message.len() + 32 + SIGNATURE_LEN);
    out.resize(prefix_len, 0);
    out.extend_from_slice(message);
    out.extend_from_slice(sender.ed25519_public_key().as_bytes());
    out.extend_from_slice(recipient.as_bytes());
    let signature = sender.sign(&out[prefix_len..]);
    out.truncate(out.len() - 32);
    out.extend_from_slice(signature.as_bytes());
    out
}

/// The signed inner part alone, `message ‖ A ‖ signature(message ‖ A ‖ Y)` (libsession's
/// `sign_for_recipient`). [`encrypt`] seals exactly these bytes.
pub fn sign_for_recipient(
    sender: &Identity,
    recipient: &X25519PublicKey,
    message: &[u8],
) -> Vec<u8> {
    signed_inner(sender, recipient, message, 0)
}

/// `BLAKE2b-24(ephemeral ‖ recipient)`, the implicit nonce of a sealed box.
fn seal_nonce(ephemeral: &[u8; 32], recipient: &[u8; 32]) -> [u8; 24] {
    match Blake2b::new(24, None) {
        Ok(h) => h
            .chain(ephemeral)
            .chain(recipient)
            .finalize()
            .unwrap_or([0; 24]),
        // 24 is a valid BLAKE2b length and no key is given: cannot fail.
        Err(_) => [0; 24],
    }
}

/// Seals `buffer[HEADER_LEN..]` in place to `recipient` with the ephemeral secret
/// `ephemeral_secret`, writing the ephemeral public key and the MAC into the header.
fn seal_in_place(
    buffer: &mut [u8],
    recipient: &X25519PublicKey,
    ephemeral_secret: &[u8; 32],
) -> Result<(), SessionProtocolError> {
    if is_weak_x25519_key(recipient.as_bytes()) {
        return Err(SessionProtocolError::WeakRecipientKey);
    }
    let secret = crypto_box::SecretKey::from_bytes(*ephemeral_secret);
    let ephemeral = secret.public_key();
    let nonce = seal_nonce(ephemeral.as_bytes(), recipient.as_bytes());
    let salsa_box = SalsaBox::new(&crypto_box::PublicKey::from(recipient.to_bytes()), &secret);
    let (header, body) = buffer.split_at_mut(HEADER_LEN);
    let tag = salsa_box
        .encrypt_in_place_detached(GenericArray::from_slice(&nonce), b"", body)
        // XSalsa20-Poly1305 refuses only messages longer than its 2^64-byte keystream.
        .map_err(|_| SessionProtocolError::CannotOpen)?;
    header[..EPHEMERAL_LEN].copy_from_slice(ephemeral.as_bytes());
    header[EPHEMERAL_LEN..].copy_from_slice(&tag);
    Ok(())
}

/// Signs `message` as `sender` and seals it to `recipient` (libsession's
/// `encrypt_for_recipient`). Draws exactly 32 bytes from `rng`: the ephemeral X25519 secret.
///
/// Fails only when the recipient key has small order.
pub fn encrypt(
    sender: &Identity,
    recipient: &X25519PublicKey,
    message: &[u8],
    rng: &mut impl CryptoRngCore,
) -> Result<Vec<u8>, SessionProtocolError> {
    if is_weak_x25519_key(recipient.as_bytes()) {
        return Err(SessionProtocolError::WeakRecipientKey);
    }
    let mut ephemeral_secret = Zeroizing::new([0u8; 32]);
    rng.fill_bytes(ephemeral_secret.as_mut());
    let mut out = signed_inner(sender, recipient, message, HEADER_LEN);
    seal_in_place(&mut out, recipient, &ephemeral_secret)?;
    Ok(out)
}

/// As [`encrypt`], with the ephemeral key derived from the sender's seed, the recipient and the
/// message (libsession's `encrypt_for_recipient_deterministic`, used for config pushes): the same
/// inputs always give the same ciphertext.
///
/// The ephemeral seed is `BLAKE2b-32(seed ‖ Y ‖ message; key "SessionBoxEphemeralHashKey")` and
/// the key pair comes from it as libsodium's `crypto_box_seed_keypair` makes it.
pub fn encrypt_deterministic(
    sender: &Identity,
    recipient: &X25519PublicKey,
    message: &[u8],
) -> Result<Vec<u8>, SessionProtocolError> {
    if is_weak_x25519_key(recipient.as_bytes()) {
        return Err(SessionProtocolError::WeakRecipientKey);
    }
    let ephemeral_seed: Zeroizing<[u8; 32]> =
        Zeroizing::new(match Blake2b::new(32, Some(DETERMINISTIC_SEED_KEY)) {
            Ok(h) => h
                .chain(sender.seed().expose_ed25519_seed())
                .chain(recipient.as_bytes())
                .chain(message)
                .finalize()
                .unwrap_or([0; 32]),
            // A 26-byte key and a 32-byte output are within BLAKE2b's limits: cannot fail.
            Err(_) => [0; 32],
        });
    let mut hash = Zeroizing::new([0u8; 64]);
    hash.copy_from_slice(&Sha512::digest(ephemeral_seed.as_ref()));
    let mut ephemeral_secret = Zeroizing::new([0u8; 32]);
    ephemeral_secret.copy_from_slice(&hash[..32]);
    let mut out = signed_inner(sender, recipient, message, HEADER_LEN);
    seal_in_place(&mut out, recipient, &ephemeral_secret)?;
    Ok(out)
}

/// Opens a Session Protocol message sealed to `recipient`, checks the sender's signature and
/// returns the message with the sender's keys (libsession's `decrypt_incoming_session_id`).
pub fn decrypt(
    recipient: &Identity,
    ciphertext: &[u8],
) -> Result<DecryptedMessage, SessionProtocolError> {
    if ciphertext.len() < OVERHEAD {
        return Err(SessionProtocolError::TooShort {
            len: ciphertext.len(),
        });
    }
    let (header, sealed) = ciphertext.split_at(HEADER_LEN);
    let mut ephemeral = [0u8; EPHEMERAL_LEN];
    ephemeral.copy_from_slice(&header[..EPHEMERAL_LEN]);
    if is_weak_x25519_key(&ephemeral) {
        return Err(SessionProtocolError::CannotOpen);
    }
    let own_x25519 = recipient.x25519_public_key();
    let nonce = seal_nonce(&ephemeral, own_x25519.as_bytes());
    let secret =
        crypto_box::SecretKey::from_bytes(*recipient.x25519_secret_key().expose_secret_bytes());
    let salsa_box = SalsaBox::new(&crypto_box::PublicKey::from(ephemeral), &secret);
    let mut inner = sealed.to_vec();
    salsa_box
        .decrypt_in_place_detached(
            GenericArray::from_slice(&nonce),
            b"",
            &mut inner,
            GenericArray::from_slice(&header[EPHEMERAL_LEN..]),
        )
        .map_err(|_| SessionProtocolError::CannotOpen)?;

    // inner = message ‖ A ‖ signature; the length check above guarantees 96 bytes.
    let message_len = inner.len() - 32 - SIGNATURE_LEN;
    let mut sender_bytes = [0u8; 32];
    sender_bytes.copy_from_slice(&inner[message_len..message_len + 32]);
    let sender_ed25519 = Ed25519PublicKey::from_bytes(sender_bytes);
    let signature = Signature::from_slice(&inner[message_len + 32..])
        .ok_or(SessionProtocolError::CannotOpen)?;
    // Verify over message ‖ A ‖ Y: replace the signature by our own X25519 key.
    inner.truncate(message_len + 32);
    inner.extend_from_slice(own_x25519.as_bytes());
    sender_ed25519
        .verify(&inner, &signature)
        .map_err(|e| match e {
            SignatureError::PublicKey(p) => SessionProtocolError::BadSenderKey(p),
            other => SessionProtocolError::BadSignature(other),
        })?;
    inner.truncate(message_len);
    let sender_x25519 = sender_ed25519
        .to_x25519()
        .map_err(SessionProtocolError::BadSenderKey)?;
    Ok(DecryptedMessage {
        plaintext: inner,
        sender_session_id: SessionId::from_x25519(sender_x25519),
        sender_ed25519,
    })
}
