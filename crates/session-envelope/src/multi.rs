//! One message (or one message per recipient) encrypted for many X25519 recipients at once,
//! as libsession's `encrypt_for_multiple_simple` does: every entry uses the same nonce and a
//! key shared by the sender and that recipient.
//!
//! ```text
//! key(sender a/A, recipient B) = BLAKE2b-32(X25519(a, B) ‖ A ‖ B; key = domain)
//! entry_i = XChaCha20-Poly1305(key_i, nonce, message_i)          (no associated data)
//! encoded = d 1:# 24:<nonce> 1:e l <entry>… [<junk>…] e e
//! ```
//!
//! The recipient computes the same key as `X25519(b, A) ‖ A ‖ B` and tries every entry. With a
//! padding count larger than the number of recipients, random junk entries hide how many
//! recipients there are; like libsession's, each is as long as the first message's plaintext
//! (16 bytes shorter than a real entry). `03` group keys messages derive their per-member keys
//! with [`shared_key`] (domain `SessionGroupKeyMemberKey`).
//!
//! ```
//! use session_envelope::multi::{self, Direction};
//! use session_identity::Identity;
//!
//! let mut rng = rand::rng();
//! let (alice, bob, carol) = (Identity::generate(&mut rng), Identity::generate(&mut rng), Identity::generate(&mut rng));
//! let recipients = [bob.x25519_public_key(), carol.x25519_public_key()];
//! let encoded = multi::encrypt_simple(&[b"hi all"], &recipients, &alice, None, b"demo", 5, &mut rng)?;
//! let opened = multi::decrypt_simple(&encoded, &carol, &alice.x25519_public_key(), b"demo")?;
//! assert_eq!(opened, b"hi all");
//! # let _ = Direction::Sending;
//! # Ok::<(), session_envelope::multi::MultiEncryptError>(())
//! ```

use alloc::vec::Vec;

use rand_core::CryptoRng;
use session_bencode::{DictReader, DictWriter, ListReader, Options};
use session_identity::aead::XChaCha20Poly1305;
use session_identity::hash::Blake2b;
use session_identity::{Identity, X25519PublicKey, X25519SecretKey};
use zeroize::Zeroizing;

/// The nonce length.
pub const NONCE_LEN: usize = 24;
/// The longest domain: BLAKE2b keys are at most 64 bytes.
pub const MAX_DOMAIN_LEN: usize = 64;

/// Which side computes a [`shared_key`]: the order of the two public keys in the hash is
/// always sender first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// We encrypt: our public key is the sender's.
    Sending,
    /// We decrypt: the peer is the sender.
    Receiving,
}

/// Why a multi-recipient message could not be built or opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MultiEncryptError {
    /// The X25519 product with a peer key is all zero (a small-order key).
    #[error("the X25519 product with recipient {index} is unusable")]
    UnusableKey {
        /// The recipient's position.
        index: usize,
    },
    /// A domain longer than [`MAX_DOMAIN_LEN`].
    #[error("domain is {len} bytes; at most {MAX_DOMAIN_LEN}")]
    DomainTooLong {
        /// Its length.
        len: usize,
    },
    /// Neither one message for all recipients nor one per recipient.
    #[error("{messages} messages for {recipients} recipients")]
    MessageCount {
        /// Messages given.
        messages: usize,
        /// Recipients given.
        recipients: usize,
    },
    /// Not the `{"#": nonce, "e": [entries]}` dictionary.
    #[error("malformed multi-recipient message: {0}")]
    Malformed(session_bencode::Error),
    /// The nonce is not 24 bytes.
    #[error("nonce is not 24 bytes")]
    NonceLength,
    /// No entry opens with our key.
    #[error("no entry is addressed to this key")]
    NotAddressed,
}

/// The symmetric key `own` shares with `peer` in `domain`: BLAKE2b-32 keyed by the domain of
/// the X25519 product, the sender's public key and the recipient's.
pub fn shared_key(
    own_secret: &X25519SecretKey,
    own_public: &X25519PublicKey,
    peer: &X25519PublicKey,
    direction: Direction,
    domain: &[u8],
) -> Result<Zeroizing<[u8; 32]>, MultiEncryptError> {
    if domain.len() > MAX_DOMAIN_LEN {
        return Err(MultiEncryptError::DomainTooLong { len: domain.len() });
    }
    let shared = own_secret
        .diffie_hellman(peer)
        .map_err(|_| MultiEncryptError::UnusableKey { index: 0 })?;
    let (first, second) = match direction {
        Direction::Sending => (own_public, peer),
        Direction::Receiving => (peer, own_public),
    };
    let hasher = Blake2b::new(32, Some(domain))
        .map_err(|_| MultiEncryptError::DomainTooLong { len: domain.len() })?;
    let mut key = Zeroizing::new([0u8; 32]);
    hasher
        .chain(shared.expose_secret_bytes())
        .chain(first.as_bytes())
        .chain(second.as_bytes())
        .finalize_into(&mut key[..])
        .map_err(|_| MultiEncryptError::DomainTooLong { len: domain.len() })?;
    Ok(key)
}

/// XChaCha20-Poly1305 of `message` under `key` and `nonce`, no associated data: the
/// ciphertext and its 16-byte tag. (The cipher refuses only messages over 256 GiB, which no
/// caller can hold; for those the result would be empty.)
pub fn seal(key: &[u8; 32], nonce: &[u8; NONCE_LEN], message: &[u8]) -> Vec<u8> {
    XChaCha20Poly1305::new(key)
        .encrypt(nonce, b"", message)
        // Only messages beyond 256 GiB are refused.
        .unwrap_or_default()
}

/// Opens one XChaCha20-Poly1305 ciphertext (with its tag, no associated data); `None` if it
/// does not authenticate.
pub fn open(key: &[u8; 32], nonce: &[u8; NONCE_LEN], ciphertext: &[u8]) -> Option<Vec<u8>> {
    XChaCha20Poly1305::new(key)
        .decrypt(nonce, b"", ciphertext)
        .ok()
}

/// Encrypts `messages` (one for everyone, or one per recipient, in order) from `sender` to
/// `recipients`, as libsession's `encrypt_for_multiple_simple`. Draws the nonce from `rng`
/// when `nonce` is `None` (24 bytes), then, when `pad` exceeds the number of recipients,
/// `pad − n` junk entries of `len(messages[0])` random bytes each.
#[allow(clippy::too_many_arguments)]
pub fn encrypt_simple(
    messages: &[&[u8]],
    recipients: &[X25519PublicKey],
    sender: &Identity,
    nonce: Option<[u8; NONCE_LEN]>,
    domain: &[u8],
    pad: usize,
    rng: &mut impl CryptoRng,
) -> Result<Vec<u8>, MultiEncryptError> {
    if messages.len() != 1 && messages.len() != recipients.len() {
        return Err(MultiEncryptError::MessageCount {
            messages: messages.len(),
            recipients: recipients.len(),
        });
    }
    let Some(first) = messages.first() else {
        return Err(MultiEncryptError::MessageCount {
            messages: 0,
            recipients: recipients.len(),
        });
    };
    let nonce = nonce.unwrap_or_else(|| {
        let mut n = [0u8; NONCE_LEN];
        rng.fill_bytes(&mut n);
        n
    });
    let mut entries = Vec::with_capacity(recipients.len());
    for (index, recipient) in recipients.iter().enumerate() {
        let key = shared_key(
            sender.x25519_secret_key(),
            &sender.x25519_public_key(),
            recipient,
            Direction::Sending,
            domain,
        )
        .map_err(|e| match e {
            MultiEncryptError::UnusableKey { .. } => MultiEncryptError::UnusableKey { index },
            other => other,
        })?;
        let message = messages.get(index).unwrap_or(first);
        entries.push(seal(&key, &nonce, message));
    }
    for _ in recipients.len()..pad {
        let mut junk = alloc::vec![0u8; first.len()];
        rng.fill_bytes(&mut junk);
        entries.push(junk);
    }
    let mut out = Vec::new();
    let mut dict = DictWriter::new(&mut out);
    // Keys are written in order: these cannot fail.
    if dict.bytes("#", nonce).is_ok() {
        if let Ok(mut list) = dict.list("e") {
            for entry in &entries {
                list.bytes(entry);
            }
        }
    }
    dict.finish();
    Ok(out)
}

/// Opens the entry of a multi-recipient message addressed to `recipient`, sent by the holder
/// of `sender`'s X25519 key.
pub fn decrypt_simple(
    encoded: &[u8],
    recipient: &Identity,
    sender: &X25519PublicKey,
    domain: &[u8],
) -> Result<Vec<u8>, MultiEncryptError> {
    let malformed = MultiEncryptError::Malformed;
    let mut dict = DictReader::with_options(encoded, Options::lenient()).map_err(malformed)?;
    let nonce: &[u8] = dict.require(b"#").map_err(malformed)?;
    let nonce: &[u8; NONCE_LEN] = nonce
        .try_into()
        .map_err(|_| MultiEncryptError::NonceLength)?;
    let mut entries: ListReader = dict.require(b"e").map_err(malformed)?;
    dict.finish().map_err(malformed)?;
    let key = shared_key(
        recipient.x25519_secret_key(),
        &recipient.x25519_public_key(),
        sender,
        Direction::Receiving,
        domain,
    )?;
    while !entries.is_finished().map_err(malformed)? {
        let entry: &[u8] = entries.read().map_err(malformed)?;
        if let Some(plain) = open(&key, nonce, entry) {
            return Ok(plain);
        }
    }
    Err(MultiEncryptError::NotAddressed)
}
