//! Direct messages between community (SOGS) users who know each other only by blinded IDs.
//!
//! Both parties share a key without revealing their Session IDs to the server:
//!
//! ```text
//! s   = a            (15-blinding: both sides share the server's blinding factor)
//!     = k'·a         (25-blinding: k' is the sender's own 25 factor, sign-corrected)
//! key = BLAKE2b-32([s]·other blinded key ‖ sender blinded key ‖ recipient blinded key)
//! ciphertext = 00 ‖ XChaCha20-Poly1305(key, nonce, message ‖ A) ‖ nonce(24)
//! ```
//!
//! `A` is the sender's real (unblinded) Ed25519 key. The recipient recomputes the sender's
//! blinded ID from `A` and refuses the message unless it equals the claimed sender ID, so a
//! message cannot claim to come from someone else. The sender can open its own messages too
//! (when they are synced back from the server).

use alloc::vec::Vec;

use curve25519_dalek::scalar::Scalar;
use rand_core::CryptoRng;
use session_identity::aead::XChaCha20Poly1305;
use session_identity::blinding::{self, BlindingError, BlindingKind};
use session_identity::hash::blake2b_parts;
use session_identity::point::scalarmult_noclamp;
use session_identity::{Ed25519PublicKey, Identity, PointError, Prefix, SessionId};
use zeroize::Zeroizing;

/// The version byte every blinded message starts with.
pub const VERSION: u8 = 0;
/// Bytes a ciphertext adds to the message: version (1), sender key (32), MAC (16), nonce (24).
pub const OVERHEAD: usize = 1 + 32 + 16 + 24;

const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

/// Why a blinded message could not be encrypted or decrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BlindedDmError {
    /// Blinded IDs start with `15` or `25`.
    #[error("expected a 15 or 25 blinded ID, found prefix {0}")]
    NotABlindedId(Prefix),
    /// The sender and recipient IDs use different blinding schemes.
    #[error("sender and recipient IDs have different prefixes ({sender} and {recipient})")]
    MixedPrefixes {
        /// The sender ID's prefix.
        sender: Prefix,
        /// The recipient ID's prefix.
        recipient: Prefix,
    },
    /// The other party's blinded key is not a usable curve point.
    #[error("the other party's blinded key is unusable: {0}")]
    InvalidBlindedKey(PointError),
    /// A ciphertext is at least 73 bytes (an empty message).
    #[error("ciphertext is {len} bytes; at least 73 are needed")]
    TooShort {
        /// The length given.
        len: usize,
    },
    /// The version byte is not 0.
    #[error("unknown blinded message version {0}")]
    UnknownVersion(u8),
    /// Authenticated decryption failed: wrong keys or IDs, or an altered message.
    #[error("the message does not decrypt with these keys and IDs")]
    CannotDecrypt,
    /// The embedded sender key is not a usable Ed25519 key.
    #[error("embedded sender key rejected: {0}")]
    BadSenderKey(PointError),
    /// The embedded sender key does not blind to the claimed sender ID.
    #[error("the claimed sender ID does not belong to the embedded sender key")]
    SenderMismatch,
}

/// A blinded message opened by [`decrypt`].
#[derive(Clone, PartialEq, Eq)]
pub struct BlindedMessage {
    /// The message.
    pub plaintext: Vec<u8>,
    /// The sender's real Session ID (`05…`), recovered from the embedded key.
    pub sender_session_id: SessionId,
    /// The sender's real Ed25519 key, as embedded in the message.
    pub sender_ed25519: Ed25519PublicKey,
}

impl core::fmt::Debug for BlindedMessage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BlindedMessage")
            .field("plaintext_len", &self.plaintext.len())
            .field("sender_session_id", &self.sender_session_id)
            .finish_non_exhaustive()
    }
}

fn kind_of(id: &SessionId) -> Result<BlindingKind, BlindedDmError> {
    BlindingKind::from_prefix(id.prefix()).ok_or(BlindedDmError::NotABlindedId(id.prefix()))
}

/// The shared key between `own` (whose blinded ID for `kind` is `own_id`) and the holder of
/// `other_id`, hashed as `sender ‖ recipient`.
fn shared_key(
    own: &Identity,
    kind: BlindingKind,
    server_pk: &Ed25519PublicKey,
    other_id: &SessionId,
    sender: &SessionId,
    recipient: &SessionId,
) -> Result<Zeroizing<[u8; 32]>, BlindedDmError> {
    let scalar: Zeroizing<Scalar> = match kind {
        // a: the private scalar behind the Ed25519 key.
        BlindingKind::Blind15 => own.expose_private_scalar(),
        // k'·a: exactly the 25-blinded secret scalar.
        BlindingKind::Blind25 => {
            let pair = own.blind25_key_pair(server_pk);
            Zeroizing::new(Scalar::from_bytes_mod_order(*pair.expose_secret_scalar()))
        }
    };
    let other = Ed25519PublicKey::from_bytes(*other_id.key_bytes());
    let shared = scalarmult_noclamp(&scalar, &other).map_err(BlindedDmError::InvalidBlindedKey)?;
    Ok(Zeroizing::new(blake2b_parts::<32>(&[
        shared.as_ref(),
        sender.key_bytes(),
        recipient.key_bytes(),
    ])))
}

/// Encrypts `message` from `sender` to the community user `recipient` (a `15` or `25` blinded ID
/// on the server `server_pk`), libsession's `encrypt_for_blinded_recipient`. The sender uses its
/// own blinded ID of the same kind. Draws exactly 24 bytes from `rng`: the nonce.
pub fn encrypt(
    sender: &Identity,
    server_pk: &Ed25519PublicKey,
    recipient: &SessionId,
    message: &[u8],
    rng: &mut impl CryptoRng,
) -> Result<Vec<u8>, BlindedDmError> {
    let kind = kind_of(recipient)?;
    let own_id = sender.blinded_key_pair(kind, server_pk).blinded_id();
    let key = shared_key(sender, kind, server_pk, recipient, &own_id, recipient)?;

    let mut out = Vec::with_capacity(message.len() + OVERHEAD);
    out.push(VERSION);
    out.extend_from_slice(message);
    out.extend_from_slice(sender.ed25519_public_key().as_bytes());
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill_bytes(&mut nonce);
    let cipher = XChaCha20Poly1305::new(&key);
    let tag = cipher
        .encrypt_in_place_detached(&nonce, b"", &mut out[1..])
        // XChaCha20 refuses only messages longer than 256 GiB.
        .map_err(|_| BlindedDmError::CannotDecrypt)?;
    out.extend_from_slice(&tag);
    out.extend_from_slice(&nonce);
    Ok(out)
}

/// Decrypts a blinded message as its recipient or as its sender (libsession's
/// `decrypt_from_blinded_recipient`). `own` is the caller's identity; `sender` and `recipient`
/// are the blinded IDs the server reported. When `sender` is the caller's own blinded ID the
/// caller is taken to be the sender.
///
/// The embedded Ed25519 key must blind to `sender` (for `15` IDs either sign is accepted).
pub fn decrypt(
    own: &Identity,
    server_pk: &Ed25519PublicKey,
    sender: &SessionId,
    recipient: &SessionId,
    ciphertext: &[u8],
) -> Result<BlindedMessage, BlindedDmError> {
    let kind = kind_of(recipient)?;
    if sender.prefix() != recipient.prefix() {
        return Err(BlindedDmError::MixedPrefixes {
            sender: sender.prefix(),
            recipient: recipient.prefix(),
        });
    }
    if ciphertext.len() < OVERHEAD {
        return Err(BlindedDmError::TooShort {
            len: ciphertext.len(),
        });
    }
    if ciphertext[0] != VERSION {
        return Err(BlindedDmError::UnknownVersion(ciphertext[0]));
    }
    let own_id = own.blinded_key_pair(kind, server_pk).blinded_id();
    let other = if *sender == own_id { recipient } else { sender };
    let key = shared_key(own, kind, server_pk, other, sender, recipient)?;

    let (body, nonce) = ciphertext[1..].split_at(ciphertext.len() - 1 - NONCE_LEN);
    let (encrypted, tag) = body.split_at(body.len() - TAG_LEN);
    // The length check above fixes both slices' lengths; a mismatch is reported, not unwrapped.
    let nonce = nonce
        .try_into()
        .map_err(|_| BlindedDmError::CannotDecrypt)?;
    let tag = tag.try_into().map_err(|_| BlindedDmError::CannotDecrypt)?;
    let mut plaintext = encrypted.to_vec();
    XChaCha20Poly1305::new(&key)
        .decrypt_in_place_detached(nonce, b"", &mut plaintext[..], tag)
        .map_err(|_| BlindedDmError::CannotDecrypt)?;

    // The length check guarantees the 32-byte sender key.
    let message_len = plaintext.len() - 32;
    let mut sender_bytes = [0u8; 32];
    sender_bytes.copy_from_slice(&plaintext[message_len..]);
    plaintext.truncate(message_len);
    let sender_ed25519 = Ed25519PublicKey::from_bytes(sender_bytes);
    let sender_x25519 = sender_ed25519
        .to_x25519()
        .map_err(BlindedDmError::BadSenderKey)?;
    let claimed = match kind {
        BlindingKind::Blind15 => blinding::blind15_id_from_ed25519(&sender_ed25519, server_pk),
        BlindingKind::Blind25 => blinding::blind25_id_from_ed25519(&sender_ed25519, server_pk),
    }
    .map_err(|e| match e {
        BlindingError::InvalidKey(p) => BlindedDmError::BadSenderKey(p),
        _ => BlindedDmError::SenderMismatch,
    })?;
    let matches = claimed == *sender
        || (kind == BlindingKind::Blind15 && {
            let mut negated = claimed.to_bytes();
            negated[32] ^= 0x80;
            negated == sender.to_bytes()
        });
    if !matches {
        return Err(BlindedDmError::SenderMismatch);
    }
    Ok(BlindedMessage {
        plaintext,
        sender_session_id: SessionId::from_x25519(sender_x25519),
        sender_ed25519,
    })
}
