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

use rand_core::CryptoRng;
use session_identity::hash::blake2b_keyed_parts;
use session_identity::{
    Ed25519PublicKey, Identity, PointError, SessionId, Signature, SignatureError, X25519PublicKey,
    X25519SecretKey,
};
use sha2::{Digest, Sha512};
use zeroize::Zeroizing;

use crate::sodium_box::{self, BoxError, SEAL_OVERHEAD};

/// Bytes a ciphertext adds to the message: ephemeral key (32), MAC (16), sender key (32) and
/// signature (64).
pub const OVERHEAD: usize = 32 + 16 + 32 + 64;

const HEADER_LEN: usize = SEAL_OVERHEAD;
const SIGNATURE_LEN: usize = 64;
const DETERMINISTIC_SEED_KEY: &[u8; 26] = b"SessionBoxEphemeralHashKey";

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

/// Maps a sealing failure to the protocol's error.
fn seal_error(e: BoxError) -> SessionProtocolError {
    match e {
        BoxError::WeakKey => SessionProtocolError::WeakRecipientKey,
        // The buffer always has room for the header: unreachable.
        BoxError::Forged => SessionProtocolError::CannotOpen,
    }
}

/// Signs `message` as `sender` and seals it to `recipient` (libsession's
/// `encrypt_for_recipient`). Draws exactly 32 bytes from `rng`: the ephemeral X25519 secret.
///
/// Fails only when the recipient key has small order.
pub fn encrypt(
    sender: &Identity,
    recipient: &X25519PublicKey,
    message: &[u8],
    rng: &mut impl CryptoRng,
) -> Result<Vec<u8>, SessionProtocolError> {
    let mut out = signed_inner(sender, recipient, message, HEADER_LEN);
    sodium_box::seal_in_place(&mut out, recipient, rng).map_err(seal_error)?;
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
    let ephemeral_seed = Zeroizing::new(blake2b_keyed_parts::<32, 26>(
        DETERMINISTIC_SEED_KEY,
        &[
            sender.seed().expose_ed25519_seed(),
            recipient.as_bytes(),
            message,
        ],
    ));
    let hash = Zeroizing::new(Sha512::digest(ephemeral_seed.as_ref()));
    let mut secret_bytes = Zeroizing::new([0u8; 32]);
    secret_bytes.copy_from_slice(&hash[..32]);
    let ephemeral = X25519SecretKey::from_bytes(*secret_bytes);
    let mut out = signed_inner(sender, recipient, message, HEADER_LEN);
    sodium_box::seal_in_place_with_ephemeral(&mut out, recipient, &ephemeral)
        .map_err(seal_error)?;
    Ok(out)
}

/// Opens a Session Protocol message sealed to `recipient`, checks the sender's signature and
/// returns the message with the sender's keys (libsession's `decrypt_incoming_session_id`).
pub fn decrypt(
    recipient: &Identity,
    ciphertext: &[u8],
) -> Result<DecryptedMessage, SessionProtocolError> {
    decrypt_with_x25519(
        &recipient.x25519_public_key(),
        recipient.x25519_secret_key(),
        ciphertext,
    )
}

/// As [`decrypt`], for a recipient known only by an X25519 key pair (libsession's
/// `decrypt_incoming` with X25519 keys): how legacy closed-group messages, sealed to the group's
/// encryption key pair, are opened. `own_x25519` must be the public key of `own_secret`.
pub fn decrypt_with_x25519(
    own_x25519: &X25519PublicKey,
    own_secret: &X25519SecretKey,
    ciphertext: &[u8],
) -> Result<DecryptedMessage, SessionProtocolError> {
    if ciphertext.len() < OVERHEAD {
        return Err(SessionProtocolError::TooShort {
            len: ciphertext.len(),
        });
    }
    // A small-order ephemeral key (all-zero shared secret) or a bad tag: either way it does not
    // open, as with libsodium's `crypto_box_seal_open`.
    let mut inner = sodium_box::seal_open(ciphertext, own_secret, own_x25519)
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
    // One decompression of A serves the signature check and the X25519 conversion (canonical,
    // not small order, prime-order subgroup, as `crypto_sign_ed25519_pk_to_curve25519` requires).
    let sender_x25519 = sender_ed25519
        .verify_and_to_x25519(&inner, &signature)
        .map_err(|e| match e {
            SignatureError::PublicKey(p) => SessionProtocolError::BadSenderKey(p),
            other => SessionProtocolError::BadSignature(other),
        })?;
    inner.truncate(message_len);
    Ok(DecryptedMessage {
        plaintext: inner,
        sender_session_id: SessionId::from_x25519(sender_x25519),
        sender_ed25519,
    })
}
