//! Attachments (files, voice messages, link-preview images) and profile pictures: the bytes a
//! client uploads to the file server and the key material its message carries.
//!
//! Two encryption schemes are in use, picked by the download URL (a `d` fragment means the
//! stream scheme):
//!
//! * [`legacy`]: AES-256-CBC with PKCS#7 under a random 64-byte key and IV, an HMAC-SHA256 over
//!   `iv ‖ ciphertext` appended, and the SHA-256 of the whole upload in the pointer's `digest`.
//!   Optional zero padding to the desktop client's size buckets ([`padded_attachment_len`]).
//!   What almost every received attachment uses.
//! * [`stream`]: libsession's deterministic scheme. The key and the secretstream header are a
//!   keyed BLAKE2b of the content under the uploader's seed, so the same file from the same
//!   account always encrypts to the same upload (and the file server can deduplicate it); the
//!   content is padded (`0x00… 0x01` in front), cut into 32 KiB chunks and sealed with libsodium's
//!   `crypto_secretstream_xchacha20poly1305` behind an `S` byte. The pointer carries the 32-byte
//!   key and no digest.
//!
//! An [`AttachmentPointer`](crate::proto::AttachmentPointer) carries the key (and, for the
//! legacy scheme, the digest and size); [`AttachmentPointer::decrypt`](crate::proto::AttachmentPointer::decrypt)
//! picks the scheme from its URL, and [`AttachmentPointer::into_voice_message`](crate::proto::AttachmentPointer::into_voice_message)
//! marks a voice message.
//!
//! Profile pictures ([`profile`]) use AES-256-GCM under the account's 32-byte profile key, or the
//! stream scheme under its own domain ([`Domain::ProfilePicture`]).
//!
//! Every scheme has a one-shot function and a streaming form (`update` / `finish` with the output
//! handed to a closure chunk by chunk) whose memory does not grow with the file: a 10 MB file
//! never needs more than about two 32 KiB chunks of buffer. Decryptors treat their input as
//! hostile: every malformed, truncated or forged input is a typed [`AttachmentError`], nothing
//! panics, and nothing is allocated from a length the input claims. Keys are zeroized on drop and
//! never printed by `Debug`.
//!
//! ```
//! use session_envelope::attachment::{legacy, stream, Domain, LegacyKeys};
//!
//! // Legacy: random key and IV, padded as the desktop client pads message attachments.
//! let keys = LegacyKeys::from_bytes([7; 64]);
//! let upload = legacy::encrypt(&keys, &[9; 16], b"a small file", true);
//! assert_eq!(upload.data.len(), 16 + 544 + 32); // padded to 541 bytes, then PKCS#7
//! let file = legacy::decrypt(&keys, &upload.data, &upload.digest, Some(12))?;
//! assert_eq!(file, b"a small file");
//!
//! // Stream scheme: deterministic for a given seed, content and domain.
//! let seed = [1u8; 32];
//! let first = stream::encrypt(&seed, b"a small file", Domain::Attachment)?;
//! let again = stream::encrypt(&seed, b"a small file", Domain::Attachment)?;
//! assert_eq!(first.data, again.data);
//! assert_eq!(first.data.len(), 4096);
//! assert_eq!(stream::decrypt(&first.data, &first.key)?, b"a small file");
//! # Ok::<(), session_envelope::attachment::AttachmentError>(())
//! ```

pub mod legacy;
mod padding;
mod pointer;
pub mod profile;
mod secretstream;
pub mod stream;

pub use legacy::{LegacyDecryptor, LegacyEncrypted, LegacyEncryptor, LegacyKeys, LegacyVerifier};
pub use padding::{padded_attachment_len, MAX_PADDED_ATTACHMENT_LEN, MIN_PADDED_ATTACHMENT_LEN};
pub use pointer::{
    url_has_stream_flag, Scheme, VOICE_MESSAGE_CONTENT_TYPE, VOICE_MESSAGE_FILE_NAME,
    VOICE_MESSAGE_FLAG,
};
pub use profile::ProfileKey;
pub use stream::{
    Domain, StreamDecryptor, StreamEncrypted, StreamEncryptor, StreamKey, StreamKeyDeriver,
};

/// Why an attachment could not be encrypted or decrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AttachmentError {
    /// The input is shorter than the smallest valid encryption.
    #[error("encrypted attachment is {len} bytes, shorter than the minimum {min}")]
    TooShort {
        /// The input's length.
        len: u64,
        /// The smallest valid length.
        min: u64,
    },
    /// The legacy HMAC-SHA256 does not verify: wrong key or altered bytes.
    #[error("attachment MAC does not verify")]
    BadMac,
    /// The SHA-256 of the upload is not the digest of the attachment pointer.
    #[error("attachment digest does not match")]
    DigestMismatch,
    /// The legacy ciphertext is empty or not a whole number of AES blocks.
    #[error("legacy ciphertext is not a non-empty multiple of 16 bytes")]
    BadBlockLength,
    /// The PKCS#7 padding of the legacy ciphertext is malformed.
    #[error("legacy ciphertext has malformed PKCS#7 padding")]
    BadPkcs7,
    /// The pointer gives a size of 0 (the desktop client rejects it).
    #[error("attachment size is 0")]
    SizeZero,
    /// The pointer's size is larger than the decrypted data.
    #[error("attachment size {size} exceeds the {available} decrypted bytes")]
    SizeTooLarge {
        /// The pointer's size.
        size: u64,
        /// What decrypted.
        available: u64,
    },
    /// The first byte names no known scheme (the stream scheme's is `S`, 0x53).
    #[error("unknown attachment encryption type 0x{0:02x}")]
    UnknownScheme(u8),
    /// A stream chunk, or the profile picture, failed authentication: wrong key or altered bytes.
    #[error("attachment decryption failed: invalid key or corrupted data")]
    Forged,
    /// The stream's padding holds a byte other than `0x00` before its `0x01` end marker, or the
    /// stream ends before the marker.
    #[error("attachment stream padding is invalid")]
    BadPadding,
    /// The stream ended without a chunk tagged final.
    #[error("attachment stream ended without its final tag")]
    MissingFinal,
    /// Data follows the chunk tagged final.
    #[error("data follows the final chunk of the attachment stream")]
    TrailingData,
    /// The stream ends inside its header or with a chunk too short to hold any data.
    #[error("attachment stream is truncated")]
    Truncated,
    /// The plaintext is larger than the scheme allows without `allow_large`.
    #[error("attachment of {len} bytes is larger than the {max}-byte maximum")]
    TooLarge {
        /// The plaintext's length.
        len: u64,
        /// The maximum.
        max: u64,
    },
    /// The second pass of a stream encryption fed a different number of bytes than the first.
    #[error("encryption pass fed {fed} bytes where the key was derived over {expected}")]
    LengthMismatch {
        /// Bytes hashed in the first pass.
        expected: u64,
        /// Bytes fed (so far, when too many) in the second.
        fed: u64,
    },
    /// A key of the wrong length.
    #[error("attachment key is {found} bytes, expected {expected}")]
    KeyLength {
        /// The length the scheme needs.
        expected: usize,
        /// The length given.
        found: usize,
    },
    /// The pointer of a legacy attachment has no digest (the desktop client asks the sender to
    /// update and resend).
    #[error("attachment pointer has no digest")]
    MissingDigest,
    /// The pointer's digest is not 32 bytes.
    #[error("attachment digest is {0} bytes, expected 32")]
    DigestLength(usize),
    /// A streaming call after an earlier call failed: the stream is abandoned.
    #[error("the stream already failed")]
    Poisoned,
}
