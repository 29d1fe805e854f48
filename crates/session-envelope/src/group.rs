//! Messages of `03` groups (namespace 11 of the group's swarm): signed by the sender, optionally
//! zstd-compressed, padded and encrypted with the group's current 32-byte encryption key.
//!
//! ```text
//! data       = zstd(message) if that is shorter (and compression is asked for), else message
//! inner      = d  0: i1e  1:a 32:<sender Ed25519 key>  [1:d <data>]  1:s 64:<sig>  [1:z <data>]  e
//!              (exactly one of d (plain) or z (compressed); sig = Ed25519-sign(data))
//! padded     = inner ‖ 00… so that 40 + len is a multiple of the padding (256 by default)
//! ciphertext = nonce(24) ‖ XChaCha20-Poly1305(key, nonce, padded)
//! ```
//!
//! The signature covers the bytes as transmitted (compressed, when compressed). A receiver
//! tries every key of the group it holds, newest first, strips the zero padding, reads the
//! dictionary, verifies the signature and decompresses, refusing to produce more than
//! [`MAX_PLAINTEXT_LEN`] bytes. The sender's Session ID is `05` ‖ the X25519 twin of its key.
//! Group messages carry no `WebSocketMessage` wrapper and no `0x80` padding: the stored bytes
//! are the ciphertext itself (see [`crate::encode_group`] for the envelope inside).
//!
//! ```
//! use session_envelope::group::{self, EncryptOptions, GroupEncryptionKey};
//! use session_identity::Identity;
//!
//! let mut rng = rand::rng();
//! let alice = Identity::generate(&mut rng);
//! let (old, current) = (GroupEncryptionKey::generate(&mut rng), GroupEncryptionKey::generate(&mut rng));
//!
//! let ciphertext = group::encrypt(&current, &alice, b"hello group", EncryptOptions::default(), &mut rng)?;
//! assert_eq!(ciphertext.len() % 256, 0);
//!
//! // Members try the keys they hold, newest first.
//! let message = group::decrypt([&current, &old], &ciphertext)?;
//! assert_eq!(message.plaintext, b"hello group");
//! assert_eq!(message.sender_session_id, alice.session_id());
//! assert_eq!(message.key_index, 0);
//! assert!(group::decrypt([&old], &ciphertext).is_err());
//! # Ok::<(), session_envelope::group::GroupMessageError>(())
//! ```

use alloc::vec::Vec;
use core::fmt;

use rand_core::CryptoRng;
use session_bencode::{encode_bytes, encode_integer, DictReader, Integer, Options};
use session_identity::aead::XChaCha20Poly1305;
use session_identity::batch::{verify_and_to_x25519_batch, SignedMessage};
use session_identity::{
    Ed25519PublicKey, Identity, PointError, SessionId, Signature, SignatureError, X25519PublicKey,
};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::compression::{self, DecompressError};

/// The version the inner dictionary carries under the empty key.
pub const VERSION: i64 = 1;
/// Nonce (24) and authentication tag (16): what encryption adds besides padding.
pub const OVERHEAD: usize = NONCE_LEN + TAG_LEN;
/// The padding libsession applies by default: ciphertexts are multiples of 256 bytes.
pub const DEFAULT_PADDING: usize = 256;
/// The largest message that may be encrypted, and the most a compressed message may
/// decompress to (libsession's `MAX_PLAINTEXT_MESSAGE_SIZE`).
pub const MAX_PLAINTEXT_LEN: usize = 1_000_000;

/// The largest padding [`encrypt`] accepts (a multiple that large already hides any message
/// length up to [`MAX_PLAINTEXT_LEN`]).
pub const MAX_PADDING: usize = MAX_PLAINTEXT_LEN;

const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

/// A `03` group's symmetric encryption key (one per key generation). Zeroized on drop,
/// compared in constant time; `Debug` prints nothing of it.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct GroupEncryptionKey([u8; 32]);

impl GroupEncryptionKey {
    /// The length in bytes.
    pub const LEN: usize = 32;

    /// Wraps 32 key bytes.
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The key, if `bytes` is exactly 32 bytes long.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        <[u8; 32]>::try_from(bytes).ok().map(Self)
    }

    /// A fresh random key (a group's keys normally come from its keys messages).
    pub fn generate(rng: &mut impl CryptoRng) -> Self {
        let mut bytes = [0u8; 32];
        rng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// The key bytes. Keep them out of logs.
    pub fn expose_secret_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.0)
    }
}

impl ConstantTimeEq for GroupEncryptionKey {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.0.ct_eq(&other.0)
    }
}

impl PartialEq for GroupEncryptionKey {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for GroupEncryptionKey {}

impl fmt::Debug for GroupEncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("GroupEncryptionKey(<redacted>)")
    }
}

/// How [`encrypt`] shapes a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EncryptOptions {
    /// Compress with zstd, keeping the result only when it is shorter than the message.
    pub compress: bool,
    /// Pad with zero bytes so that the ciphertext length is a multiple of this; 0 or 1 for no
    /// padding.
    pub padding: usize,
}

impl Default for EncryptOptions {
    /// Compressed, padded to 256 bytes: what libsession sends.
    fn default() -> Self {
        Self {
            compress: true,
            padding: DEFAULT_PADDING,
        }
    }
}

/// Which field of the inner dictionary an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Field {
    /// `a`: the sender's Ed25519 key.
    Author,
    /// `s`: the sender's signature.
    Signature,
    /// `d` (uncompressed) or `z` (compressed): the message data.
    Data,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Author => "author key (a)",
            Self::Signature => "signature (s)",
            Self::Data => "message data (d or z)",
        })
    }
}

/// Why a group message could not be encrypted or decrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GroupMessageError {
    /// The message to encrypt exceeds [`MAX_PLAINTEXT_LEN`].
    #[error("message is {len} bytes; at most {MAX_PLAINTEXT_LEN} may be encrypted")]
    TooLarge {
        /// The length given.
        len: usize,
    },
    /// The padding asked for exceeds [`MAX_PADDING`].
    #[error("padding to multiples of {padding} bytes; at most {MAX_PADDING} is supported")]
    PaddingTooLarge {
        /// The padding given.
        padding: usize,
    },
    /// A ciphertext is at least 40 bytes (nonce and tag).
    #[error("ciphertext is {len} bytes; at least {OVERHEAD} are needed")]
    TooShort {
        /// The length given.
        len: usize,
    },
    /// None of the keys opens the ciphertext (or no key was given): not for this group, from
    /// a generation no longer held, or altered.
    #[error("no group key decrypts the message")]
    NoKey,
    /// The decrypted bytes (without their zero padding) are not a bt-encoded dictionary.
    #[error("the decrypted message is not a bt-encoded dictionary")]
    NotADict,
    /// The inner dictionary is not valid bt-encoding.
    #[error("malformed inner dictionary: {0}")]
    Malformed(session_bencode::Error),
    /// The version entry (under the empty key) is missing.
    #[error("the message has no version")]
    MissingVersion,
    /// The version is not [`VERSION`].
    #[error("unsupported group message version {0}")]
    UnsupportedVersion(Integer),
    /// A required entry is missing.
    #[error("the message has no {0}")]
    MissingField(Field),
    /// The sender key is not 32 bytes or the signature not 64.
    #[error("the {field} is {len} bytes long")]
    FieldLength {
        /// Which entry.
        field: Field,
        /// Its length.
        len: usize,
    },
    /// The message data (`d` or `z`) is empty.
    #[error("the message data is empty")]
    EmptyData,
    /// Both `d` and `z` are present.
    #[error("the message has both compressed and uncompressed data")]
    BothDataForms,
    /// The sender key is not a usable Ed25519 key (no Session ID can be derived from it).
    #[error("sender Ed25519 key rejected: {0}")]
    BadSenderKey(PointError),
    /// The signature does not verify over the data.
    #[error("sender signature rejected: {0}")]
    BadSignature(SignatureError),
    /// The compressed data is not valid zstd.
    #[error("the compressed message data is not valid zstd")]
    BadCompression,
    /// The compressed data decompresses to more than [`MAX_PLAINTEXT_LEN`] bytes.
    #[error("the message decompresses to more than {MAX_PLAINTEXT_LEN} bytes")]
    DecompressionLimit,
}

/// A group message opened and verified by [`decrypt`].
#[derive(Clone, PartialEq, Eq)]
pub struct GroupMessage {
    /// The message as the sender passed it to [`encrypt`] (decompressed).
    pub plaintext: Vec<u8>,
    /// The sender's Session ID (`05` and the X25519 twin of [`Self::sender_ed25519`]).
    pub sender_session_id: SessionId,
    /// The Ed25519 key that signed the message.
    pub sender_ed25519: Ed25519PublicKey,
    /// The position, in the keys handed to [`decrypt`], of the key that opened it.
    pub key_index: usize,
    /// Whether the message travelled compressed.
    pub compressed: bool,
}

impl fmt::Debug for GroupMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Message contents stay out of logs.
        f.debug_struct("GroupMessage")
            .field("plaintext_len", &self.plaintext.len())
            .field("sender_session_id", &self.sender_session_id)
            .field("key_index", &self.key_index)
            .field("compressed", &self.compressed)
            .finish_non_exhaustive()
    }
}

/// The padded inner dictionary of a message (libsession's encoding, byte for byte), written
/// after `prefix_len` zero bytes.
fn inner_message(
    sender: &Identity,
    plaintext: &[u8],
    options: EncryptOptions,
    prefix_len: usize,
) -> Result<Vec<u8>, GroupMessageError> {
    if plaintext.len() > MAX_PLAINTEXT_LEN {
        return Err(GroupMessageError::TooLarge {
            len: plaintext.len(),
        });
    }
    if options.padding > MAX_PADDING {
        return Err(GroupMessageError::PaddingTooLarge {
            padding: options.padding,
        });
    }
    let compressed = options
        .compress
        .then(|| Zeroizing::new(compression::compress(plaintext)))
        .filter(|z| z.len() < plaintext.len());
    let data: &[u8] = compressed.as_deref().map_or(plaintext, |z| z.as_slice());
    let signature = sender.sign(data);

    // d 0: i1e 1:a 32:A [1:d data] 1:s 64:sig [1:z data] e, plus up to `padding` zeros.
    // Every length here is bounded by the two checks above: no overflow.
    let capacity = prefix_len + data.len() + 160 + options.padding + TAG_LEN;
    let mut out = Vec::with_capacity(capacity);
    out.resize(prefix_len, 0);
    out.push(b'd');
    encode_bytes(&mut out, b"");
    encode_integer(&mut out, VERSION);
    encode_bytes(&mut out, b"a");
    encode_bytes(&mut out, sender.ed25519_public_key().as_bytes());
    if compressed.is_none() {
        encode_bytes(&mut out, b"d");
        encode_bytes(&mut out, data);
    }
    encode_bytes(&mut out, b"s");
    encode_bytes(&mut out, signature.as_bytes());
    if compressed.is_some() {
        encode_bytes(&mut out, b"z");
        encode_bytes(&mut out, data);
    }
    out.push(b'e');

    let final_len = out.len() - prefix_len + OVERHEAD;
    if options.padding > 1 && !final_len.is_multiple_of(options.padding) {
        let padded = out.len() + options.padding - final_len % options.padding;
        out.resize(padded, 0);
    }
    Ok(out)
}

/// Signs `plaintext` as `sender`, compresses and pads it as `options` say, and encrypts it
/// with the group's `key` (libsession's `Keys::encrypt_message`). Draws exactly 24 bytes from
/// `rng`: the nonce, which leads the ciphertext.
///
/// Fails only for a message longer than [`MAX_PLAINTEXT_LEN`] or a padding above
/// [`MAX_PADDING`]. An empty message encrypts, but
/// [`decrypt`] (like libsession) refuses the result, whose data is empty.
pub fn encrypt(
    key: &GroupEncryptionKey,
    sender: &Identity,
    plaintext: &[u8],
    options: EncryptOptions,
    rng: &mut impl CryptoRng,
) -> Result<Vec<u8>, GroupMessageError> {
    let mut out = inner_message(sender, plaintext, options, NONCE_LEN)?;
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill_bytes(&mut nonce);
    out[..NONCE_LEN].copy_from_slice(&nonce);
    let tag = key
        .cipher()
        .encrypt_in_place_detached(&nonce, b"", &mut out[NONCE_LEN..])
        // XChaCha20 refuses only messages longer than 256 GiB.
        .map_err(|_| GroupMessageError::TooLarge {
            len: plaintext.len(),
        })?;
    out.extend_from_slice(&tag);
    Ok(out)
}

/// A decrypted (still padded) inner dictionary and the position of the key that opened it.
type Opened = (Zeroizing<Vec<u8>>, usize);

/// The decrypted inner dictionary of a ciphertext: the first of `keys` that authenticates it
/// decrypts it. Returns the plaintext (still padded) and the key's position.
fn open<'k, I>(keys: I, ciphertext: &[u8]) -> Result<Opened, GroupMessageError>
where
    I: IntoIterator<Item = &'k GroupEncryptionKey>,
{
    if ciphertext.len() < OVERHEAD {
        return Err(GroupMessageError::TooShort {
            len: ciphertext.len(),
        });
    }
    let (nonce, rest) = ciphertext.split_at(NONCE_LEN);
    let (encrypted, tag) = rest.split_at(rest.len() - TAG_LEN);
    let nonce = nonce.try_into().map_err(|_| GroupMessageError::NoKey)?;
    let tag = tag.try_into().map_err(|_| GroupMessageError::NoKey)?;
    let mut buffer = Zeroizing::new(encrypted.to_vec());
    for (index, key) in keys.into_iter().enumerate() {
        if key
            .cipher()
            .decrypt_in_place_detached(nonce, b"", &mut buffer[..], tag)
            .is_ok()
        {
            return Ok((buffer, index));
        }
        // A refused attempt wipes the buffer: the next key starts from the ciphertext again.
        buffer.copy_from_slice(encrypted);
    }
    Err(GroupMessageError::NoKey)
}

/// The entries of the inner dictionary, borrowed from the decrypted bytes.
struct Inner<'a> {
    author: &'a [u8; 32],
    signature: &'a [u8; 64],
    data: &'a [u8],
    compressed: bool,
}

/// Reads the (unpadded) inner dictionary, checking its shape as libsession does.
fn parse_inner(dict: &[u8]) -> Result<Inner<'_>, GroupMessageError> {
    if dict.first() != Some(&b'd') || dict.last() != Some(&b'e') {
        return Err(GroupMessageError::NotADict);
    }
    let malformed = GroupMessageError::Malformed;
    // oxenc's spellings (leading zeros) are accepted, as libsession reads them.
    let mut reader = DictReader::with_options(dict, Options::lenient()).map_err(malformed)?;

    if !reader.skip_until(b"").map_err(malformed)? {
        return Err(GroupMessageError::MissingVersion);
    }
    let version: Integer = reader.read().map_err(malformed)?;
    if version != Integer::from(VERSION) {
        return Err(GroupMessageError::UnsupportedVersion(version));
    }

    if !reader.skip_until(b"a").map_err(malformed)? {
        return Err(GroupMessageError::MissingField(Field::Author));
    }
    let author: &[u8] = reader.read().map_err(malformed)?;
    let author: &[u8; 32] = author
        .try_into()
        .map_err(|_| GroupMessageError::FieldLength {
            field: Field::Author,
            len: author.len(),
        })?;

    let mut plain = None;
    if reader.skip_until(b"d").map_err(malformed)? {
        let data: &[u8] = reader.read().map_err(malformed)?;
        if data.is_empty() {
            return Err(GroupMessageError::EmptyData);
        }
        plain = Some(data);
    }

    if !reader.skip_until(b"s").map_err(malformed)? {
        return Err(GroupMessageError::MissingField(Field::Signature));
    }
    let signature: &[u8] = reader.read().map_err(malformed)?;
    let signature: &[u8; 64] =
        signature
            .try_into()
            .map_err(|_| GroupMessageError::FieldLength {
                field: Field::Signature,
                len: signature.len(),
            })?;

    let mut compressed = None;
    if reader.skip_until(b"z").map_err(malformed)? {
        if plain.is_some() {
            return Err(GroupMessageError::BothDataForms);
        }
        let data: &[u8] = reader.read().map_err(malformed)?;
        if data.is_empty() {
            return Err(GroupMessageError::EmptyData);
        }
        compressed = Some(data);
    }
    // Entries after `z` are skipped, but must be well-formed, and nothing may follow.
    reader.finish().map_err(malformed)?;

    let (data, compressed) = match (plain, compressed) {
        (Some(data), None) => (data, false),
        (None, Some(data)) => (data, true),
        _ => return Err(GroupMessageError::MissingField(Field::Data)),
    };
    Ok(Inner {
        author,
        signature,
        data,
        compressed,
    })
}

/// Opens a group message with the first of `keys` that decrypts it (pass the newest first),
/// verifies the sender's signature and decompresses the data (libsession's
/// `Keys::decrypt_message`).
///
/// Never produces more than [`MAX_PLAINTEXT_LEN`] bytes, however the data was compressed.
pub fn decrypt<'k, I>(keys: I, ciphertext: &[u8]) -> Result<GroupMessage, GroupMessageError>
where
    I: IntoIterator<Item = &'k GroupEncryptionKey>,
{
    let (padded, key_index) = open(keys, ciphertext)?;
    let inner = parse_inner(unpadded(&padded))?;
    let sender_ed25519 = Ed25519PublicKey::from_bytes(*inner.author);
    let signature = Signature::from_bytes(*inner.signature);
    // One decompression of the key serves the signature check and the X25519 conversion.
    let sender_x25519 = sender_ed25519.verify_and_to_x25519(inner.data, &signature);
    finish(&inner, key_index, sender_x25519)
}

/// [`decrypt`] for many messages at once — what reading a poll does: element `i` of the
/// result is exactly `decrypt(keys, ciphertexts[i])`, but the senders' signatures are checked
/// together by [`session_identity::batch::verify_and_to_x25519_batch`] (same verdicts, and each
/// sender's key is decoded once), which makes a poll of many messages several times cheaper.
pub fn decrypt_batch<'k, I>(
    keys: I,
    ciphertexts: &[&[u8]],
) -> Vec<Result<GroupMessage, GroupMessageError>>
where
    I: IntoIterator<Item = &'k GroupEncryptionKey> + Clone,
{
    let opened: Vec<Result<Opened, GroupMessageError>> = ciphertexts
        .iter()
        .map(|ciphertext| open(keys.clone(), ciphertext))
        .collect();
    let parsed: Vec<Result<(Inner<'_>, usize), GroupMessageError>> = opened
        .iter()
        .map(|opened| match opened {
            Ok((padded, key_index)) => parse_inner(unpadded(padded)).map(|i| (i, *key_index)),
            Err(e) => Err(*e),
        })
        .collect();

    let senders: Vec<(Ed25519PublicKey, Signature)> = parsed
        .iter()
        .filter_map(|p| p.as_ref().ok())
        .map(|(inner, _)| {
            (
                Ed25519PublicKey::from_bytes(*inner.author),
                Signature::from_bytes(*inner.signature),
            )
        })
        .collect();
    let signed: Vec<SignedMessage<'_>> = parsed
        .iter()
        .filter_map(|p| p.as_ref().ok())
        .zip(&senders)
        .map(|((inner, _), (key, signature))| SignedMessage {
            key,
            message: inner.data,
            signature,
        })
        .collect();
    let mut verdicts = verify_and_to_x25519_batch(&signed).into_iter();

    parsed
        .into_iter()
        .map(|p| {
            let (inner, key_index) = p?;
            let verdict = verdicts.next().unwrap_or(Err(SignatureError::Mismatch));
            finish(&inner, key_index, verdict)
        })
        .collect()
}

/// The padded plaintext without its trailing zeros.
fn unpadded(padded: &[u8]) -> &[u8] {
    let end = padded
        .iter()
        .rposition(|&b| b != 0)
        .map_or(0, |last| last + 1);
    &padded[..end]
}

/// The message, once its sender's signature has been checked (`sender_x25519`).
fn finish(
    inner: &Inner<'_>,
    key_index: usize,
    sender_x25519: Result<X25519PublicKey, SignatureError>,
) -> Result<GroupMessage, GroupMessageError> {
    let sender_x25519 = sender_x25519.map_err(|e| match e {
        SignatureError::PublicKey(p) => GroupMessageError::BadSenderKey(p),
        other => GroupMessageError::BadSignature(other),
    })?;
    let plaintext = if inner.compressed {
        compression::decompress(inner.data, MAX_PLAINTEXT_LEN).map_err(|e| match e {
            DecompressError::Invalid => GroupMessageError::BadCompression,
            DecompressError::TooLarge => GroupMessageError::DecompressionLimit,
        })?
    } else {
        inner.data.to_vec()
    };
    Ok(GroupMessage {
        plaintext,
        sender_session_id: SessionId::from_x25519(sender_x25519),
        sender_ed25519: Ed25519PublicKey::from_bytes(*inner.author),
        key_index,
        compressed: inner.compressed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use session_identity::Seed;

    struct Fixed(u8);
    impl rand_core::TryRng for Fixed {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Ok(u32::from(self.0))
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            Ok(u64::from(self.0))
        }
        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Self::Error> {
            dest.fill(self.0);
            Ok(())
        }
    }
    impl rand_core::TryCryptoRng for Fixed {}

    fn sender() -> Identity {
        Identity::from_seed(Seed::from_full_bytes([3; 32]))
    }

    #[test]
    fn inner_layout() {
        let inner = inner_message(
            &sender(),
            b"hi",
            EncryptOptions {
                compress: false,
                padding: 0,
            },
            0,
        )
        .unwrap();
        let pk = sender().ed25519_public_key();
        let sig = sender().sign(b"hi");
        let expected = [
            &b"d0:i1e1:a32:"[..],
            pk.as_bytes(),
            b"1:d2:hi1:s64:",
            sig.as_bytes(),
            b"e",
        ]
        .concat();
        assert_eq!(inner, expected);
    }

    #[test]
    fn padding_sizes() {
        let key = GroupEncryptionKey::from_bytes([1; 32]);
        for (padding, len) in [(0, 10), (1, 10), (256, 10), (256, 300), (1000, 5)] {
            let options = EncryptOptions {
                compress: false,
                padding,
            };
            let ct = encrypt(&key, &sender(), &[7; 300][..len], options, &mut Fixed(2)).unwrap();
            let unpadded = 1 + 2 + 3 + 3 + 35 + 3 + len.to_string().len() + 1 + len + 3 + 67 + 1;
            if padding > 1 {
                assert_eq!(ct.len() % padding, 0);
                assert!(ct.len() - OVERHEAD >= unpadded);
                assert!(ct.len() - OVERHEAD - unpadded < padding);
            } else {
                assert_eq!(ct.len(), unpadded + OVERHEAD);
            }
            assert_eq!(&ct[..NONCE_LEN], &[2; NONCE_LEN]);
            let m = decrypt([&key], &ct).unwrap();
            assert_eq!(m.plaintext, &[7; 300][..len]);
            assert!(!m.compressed);
        }
    }

    #[test]
    fn key_debug_is_redacted() {
        let key = GroupEncryptionKey::from_bytes([0xab; 32]);
        assert_eq!(format!("{key:?}"), "GroupEncryptionKey(<redacted>)");
        assert_eq!(key, GroupEncryptionKey::from_bytes([0xab; 32]));
        assert_ne!(key, GroupEncryptionKey::from_bytes([0xac; 32]));
    }
}
