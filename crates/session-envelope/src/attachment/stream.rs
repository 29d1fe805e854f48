//! The deterministic stream scheme of libsession (`session::attachment`), byte-identical with it.
//!
//! ```text
//! nk      = BLAKE2b-56(content; key = uploader seed (32), personal = domain)
//!           domain: "SessionAttachmnt" (attachments) or "Session_Prof_Pic" (profile pictures)
//! header  = nk[0..24], key = nk[24..56]          (the pointer's `key`: 32 bytes, no digest)
//! stream  = 0x00 × (pad − 1) ‖ 0x01 ‖ content    (pad = encrypted_padding(len) ≥ 1)
//! upload  = 'S' ‖ header ‖ secretstream(key, header) over the stream in 32,768-byte chunks,
//!           every chunk tagged MESSAGE except the last (FINAL); 17 bytes added per chunk
//! ```
//!
//! The padding makes the upload a multiple of `bitfloor(max(M, 131072)) / 32` for the unpadded
//! size `M`: 4 KiB steps up to 256 KiB, then steps growing with the size (~3 % at most).
//!
//! Because the key depends on the content, encryption takes two passes over the input:
//! [`StreamKeyDeriver`] hashes it (pass 1), then [`StreamKeyDeriver::finish`] gives the
//! [`StreamEncryptor`] that encrypts it (pass 2) and must be fed exactly the same bytes. The
//! length is checked; the content is not hashed again, so a file that changes between the passes
//! gives an upload its key cannot open.
//!
//! Decryption ([`decrypt`], [`StreamDecryptor`]) is stricter than libsession's in two corner
//! cases no encryptor produces: a chunk carrying no data (only its 17 bytes of overhead) is
//! [`AttachmentError::Truncated`], and a stream whose padding never reaches its `0x01` marker is
//! [`AttachmentError::BadPadding`] even when its last chunk is tagged final (libsession's
//! streaming decryptor accepts both; its one-shot decryptor rejects both).

use alloc::vec::Vec;

use rand_core::CryptoRng;
use session_identity::hash::Blake2b;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::secretstream::{SecretStream, ABYTES, HEADER_LEN, TAG_FINAL, TAG_MESSAGE};
use super::AttachmentError;

/// The first byte of a stream-encrypted upload.
pub const PREFIX: u8 = b'S';
/// The secretstream header length.
pub const HEADER_BYTES: usize = HEADER_LEN;
/// `'S'` and the header.
pub const PREFIX_LEN: usize = 1 + HEADER_LEN;
/// Plaintext bytes per chunk.
pub const CHUNK_SIZE: usize = 32_768;
/// Bytes each chunk adds (encrypted tag and MAC).
pub const CHUNK_OVERHEAD: usize = ABYTES;
/// An encrypted full chunk.
pub const ENCRYPTED_CHUNK_LEN: usize = CHUNK_SIZE + CHUNK_OVERHEAD;
/// Key length.
pub const KEY_LEN: usize = 32;
/// The largest content [`encrypt`] accepts without `allow_large`: the largest whose upload is the
/// same size as a 10,000,000-byte file's (10,223,616 bytes).
pub const MAX_REGULAR_SIZE: u64 = 10_218_286;

/// The arithmetic of [`encrypted_padding`] and [`encrypted_size`] treats longer lengths as this
/// (2^60 bytes: far beyond any file).
const MAX_LEN: u64 = 1 << 60;

/// What an upload is for; each domain derives unrelated keys from the same content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Domain {
    /// A file sent in a message (libsession `Domain::ATTACHMENT`).
    Attachment,
    /// A profile picture (libsession `Domain::PROFILE_PIC`).
    ProfilePicture,
}

impl Domain {
    /// The BLAKE2b personalisation of the domain.
    pub const fn personal(self) -> &'static [u8; 16] {
        match self {
            Self::Attachment => b"SessionAttachmnt",
            Self::ProfilePicture => b"Session_Prof_Pic",
        }
    }
}

/// The 32-byte key of a stream-encrypted upload (the pointer's `key`).
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct StreamKey {
    bytes: [u8; KEY_LEN],
}

impl core::fmt::Debug for StreamKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("StreamKey(..)")
    }
}

impl StreamKey {
    /// From the 32 bytes of a pointer's `key`.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self { bytes }
    }

    /// From a pointer's `key` field, which must be 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, AttachmentError> {
        let bytes = <[u8; KEY_LEN]>::try_from(bytes).map_err(|_| AttachmentError::KeyLength {
            expected: KEY_LEN,
            found: bytes.len(),
        })?;
        Ok(Self { bytes })
    }

    /// The 32 bytes, for the pointer's `key`. Secret: handle with care.
    pub fn expose_bytes(&self) -> &[u8; KEY_LEN] {
        &self.bytes
    }
}

/// The padding (the `0x00…0x01` run, at least 1 byte) libsession puts before `len` bytes of
/// content (`session::attachment::encrypted_padding`).
pub fn encrypted_padding(len: u64) -> u64 {
    let chunk = CHUNK_SIZE as u64;
    let overhead = CHUNK_OVERHEAD as u64;
    let full = ENCRYPTED_CHUNK_LEN as u64;
    // Lengths near 2^64 (no real content) saturate rather than overflow.
    let len = len.min(MAX_LEN);
    let chunks = len.div_ceil(chunk);
    let unpadded = len + PREFIX_LEN as u64 + 1 + chunks * overhead;
    let floor = 1u64 << (63 - unpadded.max(131_072).leading_zeros());
    let factor = floor >> 5;
    let padded = unpadded.div_ceil(factor) * factor;
    let mut padding = padded - unpadded + 1;
    // Padding that fills whole chunks brings their overhead along: count it as padding.
    let mut implicit = padding / full * overhead;
    // And so does padding that spills past the room left in the content's last chunk.
    let room = chunks * chunk - len;
    if padding % full > room {
        implicit += overhead;
    }
    padding -= implicit;
    padding
}

/// The exact upload length for `len` bytes of content.
pub fn encrypted_size(len: u64) -> u64 {
    let len = len.min(MAX_LEN);
    let stream = len + encrypted_padding(len);
    PREFIX_LEN as u64 + stream + stream.div_ceil(CHUNK_SIZE as u64) * CHUNK_OVERHEAD as u64
}

/// The most content an upload of `len` bytes can hold (the actual content is usually less: the
/// padding takes the rest), or `None` when `len` is too short for any upload.
pub fn decrypted_max_size(len: u64) -> Option<u64> {
    let body = len.checked_sub(PREFIX_LEN as u64 + 1)?;
    let overhead = body.div_ceil(ENCRYPTED_CHUNK_LEN as u64) * CHUNK_OVERHEAD as u64;
    body.checked_sub(overhead)
}

/// Pass 1 of an encryption: hashes the content into the key and header.
pub struct StreamKeyDeriver {
    hasher: Blake2b,
    len: u64,
}

impl core::fmt::Debug for StreamKeyDeriver {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StreamKeyDeriver")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl StreamKeyDeriver {
    /// Key derivation for `seed` (the uploader's 32-byte Ed25519 seed; libsession takes the
    /// first 32 bytes of whatever it is given) in `domain`.
    pub fn new(seed: &[u8; 32], domain: Domain) -> Self {
        let hasher = match Blake2b::with_personal(56, Some(seed), Some(domain.personal())) {
            Ok(hasher) => hasher,
            // 56 bytes of output and a 32-byte key are within BLAKE2b's limits.
            Err(_) => unreachable!("BLAKE2b-56 with a 32-byte key"),
        };
        Self { hasher, len: 0 }
    }

    /// The next piece of content.
    pub fn update(&mut self, data: &[u8]) {
        self.hasher.update(data);
        self.len += data.len() as u64;
    }

    /// Bytes hashed so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing was hashed yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Ends pass 1: the encryptor for pass 2, which must be fed the same bytes. Content over
    /// [`MAX_REGULAR_SIZE`] is [`AttachmentError::TooLarge`].
    pub fn finish(self) -> Result<StreamEncryptor, AttachmentError> {
        if self.len > MAX_REGULAR_SIZE {
            return Err(AttachmentError::TooLarge {
                len: self.len,
                max: MAX_REGULAR_SIZE,
            });
        }
        Ok(self.finish_allow_large())
    }

    /// As [`StreamKeyDeriver::finish`] without the size limit (libsession's `allow_large`), for
    /// uploads that do not go through onion requests.
    pub fn finish_allow_large(self) -> StreamEncryptor {
        let mut nonce_key = Zeroizing::new([0u8; 56]);
        let len = self.len;
        if self.hasher.finalize_into(&mut nonce_key[..]).is_err() {
            // The buffer has the hasher's output length.
            unreachable!("56-byte BLAKE2b output");
        }
        let mut header = [0u8; HEADER_LEN];
        header.copy_from_slice(&nonce_key[..HEADER_LEN]);
        let mut key = [0u8; KEY_LEN];
        key.copy_from_slice(&nonce_key[HEADER_LEN..]);
        StreamEncryptor::with_header(StreamKey::from_bytes(key), header, len)
    }
}

/// A stream-encrypted upload and its key.
#[derive(Clone)]
pub struct StreamEncrypted {
    /// The bytes to upload.
    pub data: Vec<u8>,
    /// The key for the pointer (32 bytes).
    pub key: StreamKey,
}

impl core::fmt::Debug for StreamEncrypted {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StreamEncrypted")
            .field("len", &self.data.len())
            .finish_non_exhaustive()
    }
}

/// Pass 2 of an encryption: feed the content again; the upload comes out to `sink` chunk by
/// chunk (the `S` and header first, then 32,785-byte chunks, the last one shorter). Holds one
/// chunk of plaintext and one of ciphertext.
pub struct StreamEncryptor {
    stream: SecretStream,
    key: StreamKey,
    header: [u8; HEADER_LEN],
    /// Content bytes the key was derived over.
    len: u64,
    fed: u64,
    /// Padding bytes not yet placed in `chunk`.
    padding_left: u64,
    /// Stream (padding and content) bytes not yet placed in `chunk`.
    stream_left: u64,
    started: bool,
    chunk: Zeroizing<Vec<u8>>,
    out: Vec<u8>,
}

impl core::fmt::Debug for StreamEncryptor {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StreamEncryptor")
            .field("len", &self.len)
            .field("fed", &self.fed)
            .finish_non_exhaustive()
    }
}

impl StreamEncryptor {
    /// An encryption of `len` content bytes under `key` with `header`: the building block of
    /// the deterministic scheme, also usable with a random key and header (see
    /// [`StreamEncryptor::random`]).
    pub fn with_header(key: StreamKey, header: [u8; HEADER_LEN], len: u64) -> Self {
        let padding = encrypted_padding(len);
        Self {
            stream: SecretStream::new(key.expose_bytes(), &header),
            key,
            header,
            len,
            fed: 0,
            padding_left: padding,
            stream_left: padding.saturating_add(len),
            started: false,
            chunk: Zeroizing::new(Vec::with_capacity(CHUNK_SIZE)),
            out: Vec::with_capacity(ENCRYPTED_CHUNK_LEN),
        }
    }

    /// A one-pass, non-deterministic encryption of `len` bytes under a random key and header:
    /// the same format, without deduplication (libsession allows it by hashing random bytes).
    pub fn random(len: u64, rng: &mut impl CryptoRng) -> Self {
        let mut key = [0u8; KEY_LEN];
        let mut header = [0u8; HEADER_LEN];
        rng.fill_bytes(&mut key);
        rng.fill_bytes(&mut header);
        Self::with_header(StreamKey::from_bytes(key), header, len)
    }

    /// The key for the pointer.
    pub fn key(&self) -> &StreamKey {
        &self.key
    }

    /// The length of the whole upload.
    pub fn encrypted_len(&self) -> u64 {
        encrypted_size(self.len)
    }

    /// Seals `chunk` (tagged `tag`) and hands it to `sink`.
    fn seal(&mut self, tag: u8, sink: &mut impl FnMut(&[u8])) {
        self.out.resize(self.chunk.len() + ABYTES, 0);
        self.stream.push(&self.chunk, tag, &mut self.out);
        self.chunk.clear();
        sink(&self.out);
    }

    /// Places stream bytes into `chunk`, sealing every full chunk that is not the last. Whole
    /// chunks of `bytes` that are not the last are sealed where they lie, without a copy.
    fn place(&mut self, mut bytes: &[u8], sink: &mut impl FnMut(&[u8])) {
        while !bytes.is_empty() {
            if self.chunk.is_empty()
                && bytes.len() >= CHUNK_SIZE
                && self.stream_left > CHUNK_SIZE as u64
            {
                let (whole, rest) = bytes.split_at(CHUNK_SIZE);
                self.out.resize(ENCRYPTED_CHUNK_LEN, 0);
                self.stream.push(whole, TAG_MESSAGE, &mut self.out);
                self.stream_left -= CHUNK_SIZE as u64;
                sink(&self.out);
                bytes = rest;
                continue;
            }
            let take = (CHUNK_SIZE - self.chunk.len()).min(bytes.len());
            self.chunk.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            self.stream_left -= take as u64;
            if self.chunk.len() == CHUNK_SIZE && self.stream_left > 0 {
                self.seal(TAG_MESSAGE, sink);
            }
        }
    }

    /// Writes the prefix and the padding, once.
    fn start(&mut self, sink: &mut impl FnMut(&[u8])) {
        if self.started {
            return;
        }
        self.started = true;
        let mut prefix = [0u8; PREFIX_LEN];
        prefix[0] = PREFIX;
        prefix[1..].copy_from_slice(&self.header);
        sink(&prefix);
        let zeros = [0u8; 1024];
        while self.padding_left > 1 {
            let take = (self.padding_left - 1).min(zeros.len() as u64) as usize;
            self.padding_left -= take as u64;
            self.place(&zeros[..take], sink);
        }
        self.padding_left = 0;
        self.place(&[1], sink);
    }

    /// The next piece of content. More content than the key was derived over is
    /// [`AttachmentError::LengthMismatch`] (nothing of this piece is used).
    pub fn update(
        &mut self,
        data: &[u8],
        sink: &mut impl FnMut(&[u8]),
    ) -> Result<(), AttachmentError> {
        let fed = self.fed + data.len() as u64;
        if fed > self.len {
            return Err(AttachmentError::LengthMismatch {
                expected: self.len,
                fed,
            });
        }
        self.start(sink);
        self.fed = fed;
        self.place(data, sink);
        Ok(())
    }

    /// Seals the last chunk (tagged final). Less content than the key was derived over is
    /// [`AttachmentError::LengthMismatch`].
    pub fn finish(mut self, sink: &mut impl FnMut(&[u8])) -> Result<(), AttachmentError> {
        if self.fed != self.len {
            return Err(AttachmentError::LengthMismatch {
                expected: self.len,
                fed: self.fed,
            });
        }
        self.start(sink);
        self.seal(TAG_FINAL, sink);
        Ok(())
    }
}

/// Encrypts `content` for upload by the account with Ed25519 seed `seed` in `domain`. Content
/// over [`MAX_REGULAR_SIZE`] is [`AttachmentError::TooLarge`].
pub fn encrypt(
    seed: &[u8; 32],
    content: &[u8],
    domain: Domain,
) -> Result<StreamEncrypted, AttachmentError> {
    let mut deriver = StreamKeyDeriver::new(seed, domain);
    deriver.update(content);
    run_encryptor(deriver.finish()?, content)
}

/// As [`encrypt`] without the size limit.
pub fn encrypt_allow_large(
    seed: &[u8; 32],
    content: &[u8],
    domain: Domain,
) -> Result<StreamEncrypted, AttachmentError> {
    let mut deriver = StreamKeyDeriver::new(seed, domain);
    deriver.update(content);
    run_encryptor(deriver.finish_allow_large(), content)
}

fn run_encryptor(
    mut encryptor: StreamEncryptor,
    content: &[u8],
) -> Result<StreamEncrypted, AttachmentError> {
    let capacity = usize::try_from(encryptor.encrypted_len()).unwrap_or(0);
    let mut data = Vec::with_capacity(capacity);
    let key = encryptor.key().clone();
    let mut sink = |bytes: &[u8]| data.extend_from_slice(bytes);
    encryptor.update(content, &mut sink)?;
    encryptor.finish(&mut sink)?;
    Ok(StreamEncrypted { data, key })
}

/// Decrypts a stream-encrypted upload with the pointer's key.
pub fn decrypt(data: &[u8], key: &StreamKey) -> Result<Vec<u8>, AttachmentError> {
    let max = decrypted_max_size(data.len() as u64).ok_or(AttachmentError::TooShort {
        len: data.len() as u64,
        min: PREFIX_LEN as u64 + 1,
    })?;
    if data[0] != PREFIX {
        return Err(AttachmentError::UnknownScheme(data[0]));
    }
    // Bounded by the input's own length.
    let mut out = Vec::with_capacity(usize::try_from(max).unwrap_or(0));
    let mut decryptor = StreamDecryptor::new(key);
    let result = {
        let mut sink = |bytes: &[u8]| out.extend_from_slice(bytes);
        decryptor
            .update(data, &mut sink)
            .and_then(|()| decryptor.finish(&mut sink))
    };
    match result {
        Ok(()) => Ok(out),
        Err(e) => {
            out.zeroize();
            Err(e)
        }
    }
}

/// Streaming decryption: feed the download in pieces of any size; content comes out to `sink`
/// chunk by chunk as each chunk authenticates, padding removed. [`StreamDecryptor::finish`]
/// checks that the stream ended with its final chunk.
///
/// Every chunk handed to `sink` is authenticated, but a stream can still be cut short: until
/// `finish` returns `Ok` the content may be incomplete, so on an error discard what came out.
/// Holds one encrypted chunk and one decrypted chunk.
pub struct StreamDecryptor {
    key: StreamKey,
    stream: Option<SecretStream>,
    prefix: [u8; PREFIX_LEN],
    prefix_len: usize,
    chunk: Vec<u8>,
    out: Zeroizing<Vec<u8>>,
    depadded: bool,
    seen_final: bool,
    failed: bool,
}

impl core::fmt::Debug for StreamDecryptor {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StreamDecryptor")
            .field("seen_final", &self.seen_final)
            .finish_non_exhaustive()
    }
}

impl StreamDecryptor {
    /// A decryption with the pointer's key.
    pub fn new(key: &StreamKey) -> Self {
        Self {
            key: key.clone(),
            stream: None,
            prefix: [0; PREFIX_LEN],
            prefix_len: 0,
            chunk: Vec::with_capacity(ENCRYPTED_CHUNK_LEN),
            out: Zeroizing::new(Vec::with_capacity(CHUNK_SIZE)),
            depadded: false,
            seen_final: false,
            failed: false,
        }
    }

    fn fail<T>(&mut self, error: AttachmentError) -> Result<T, AttachmentError> {
        self.failed = true;
        Err(error)
    }

    /// Opens the chunk in `self.chunk` and emits its content.
    fn open_chunk(&mut self, sink: &mut impl FnMut(&[u8])) -> Result<(), AttachmentError> {
        if self.seen_final {
            return self.fail(AttachmentError::TrailingData);
        }
        if self.chunk.len() <= ABYTES {
            return self.fail(AttachmentError::Truncated);
        }
        let sealed = core::mem::take(&mut self.chunk);
        let result = self.open(&sealed, sink);
        self.chunk = sealed;
        self.chunk.clear();
        result
    }

    /// Opens one sealed chunk (longer than `ABYTES`, the stream started) and emits its content.
    fn open(&mut self, sealed: &[u8], sink: &mut impl FnMut(&[u8])) -> Result<(), AttachmentError> {
        if self.seen_final {
            return self.fail(AttachmentError::TrailingData);
        }
        let Some(stream) = self.stream.as_mut() else {
            return self.fail(AttachmentError::Truncated);
        };
        // `out` keeps its length between chunks: only a shorter last chunk shrinks it, so there
        // is no zero-filling per chunk.
        let len = sealed.len() - ABYTES;
        if self.out.len() < len {
            self.out.resize(len, 0);
        }
        let tag = match stream.pull(sealed, &mut self.out[..len]) {
            Ok(tag) => tag,
            Err(_) => return self.fail(AttachmentError::Forged),
        };
        self.out.truncate(len);
        self.seen_final = tag == TAG_FINAL;
        let mut start = 0;
        if !self.depadded {
            match self.out.iter().position(|&b| b != 0) {
                None => start = self.out.len(),
                Some(i) if self.out[i] == 1 => {
                    self.depadded = true;
                    start = i + 1;
                }
                Some(_) => return self.fail(AttachmentError::BadPadding),
            }
        }
        if start < self.out.len() {
            sink(&self.out[start..]);
        }
        Ok(())
    }

    /// The next piece of the download.
    pub fn update(
        &mut self,
        mut data: &[u8],
        sink: &mut impl FnMut(&[u8]),
    ) -> Result<(), AttachmentError> {
        if self.failed {
            return Err(AttachmentError::Poisoned);
        }
        if self.stream.is_none() {
            let take = (PREFIX_LEN - self.prefix_len).min(data.len());
            self.prefix[self.prefix_len..self.prefix_len + take].copy_from_slice(&data[..take]);
            self.prefix_len += take;
            data = &data[take..];
            if self.prefix_len >= 1 && self.prefix[0] != PREFIX {
                let byte = self.prefix[0];
                return self.fail(AttachmentError::UnknownScheme(byte));
            }
            if self.prefix_len < PREFIX_LEN {
                return Ok(());
            }
            let mut header = [0u8; HEADER_LEN];
            header.copy_from_slice(&self.prefix[1..]);
            self.stream = Some(SecretStream::new(self.key.expose_bytes(), &header));
        }
        while !data.is_empty() {
            if self.seen_final {
                return self.fail(AttachmentError::TrailingData);
            }
            if self.chunk.is_empty() && data.len() >= ENCRYPTED_CHUNK_LEN {
                // A whole sealed chunk in the input: opened where it lies, without a copy.
                let (whole, rest) = data.split_at(ENCRYPTED_CHUNK_LEN);
                self.open(whole, sink)?;
                data = rest;
                continue;
            }
            let take = (ENCRYPTED_CHUNK_LEN - self.chunk.len()).min(data.len());
            self.chunk.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.chunk.len() == ENCRYPTED_CHUNK_LEN {
                self.open_chunk(sink)?;
            }
        }
        Ok(())
    }

    /// Opens the last, partial chunk if any, and checks the stream ended properly.
    pub fn finish(mut self, sink: &mut impl FnMut(&[u8])) -> Result<(), AttachmentError> {
        if self.failed {
            return Err(AttachmentError::Poisoned);
        }
        if self.stream.is_none() {
            return Err(AttachmentError::Truncated);
        }
        if !self.chunk.is_empty() {
            self.open_chunk(sink)?;
        }
        if !self.seen_final {
            return Err(AttachmentError::MissingFinal);
        }
        if !self.depadded {
            return Err(AttachmentError::BadPadding);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// `S ‖ header ‖` the given chunks (plaintext, tag), sealed under `key`.
    fn raw_stream(key: &StreamKey, chunks: &[(&[u8], u8)]) -> Vec<u8> {
        let header = [5u8; HEADER_LEN];
        let mut state = SecretStream::new(key.expose_bytes(), &header);
        let mut out = vec![PREFIX];
        out.extend_from_slice(&header);
        for (plain, tag) in chunks {
            let mut sealed = vec![0u8; plain.len() + ABYTES];
            state.push(plain, *tag, &mut sealed);
            out.extend_from_slice(&sealed);
        }
        out
    }

    #[test]
    fn hand_built_streams() {
        let key = StreamKey::from_bytes([2; 32]);
        let full_pad = [0u8; CHUNK_SIZE];
        let mut marker_full = vec![0u8; CHUNK_SIZE];
        marker_full[CHUNK_SIZE - 1] = 1;
        type Case<'a> = (&'a [(&'a [u8], u8)], Result<&'a [u8], AttachmentError>);
        let cases: [Case<'_>; 9] = [
            (&[(b"\x00\x01hi", TAG_FINAL)], Ok(b"hi")),
            (&[(b"\x01", TAG_FINAL)], Ok(b"")),
            // Padding spanning a whole chunk, content in the next.
            (
                &[(&full_pad, TAG_MESSAGE), (b"\x01hi", TAG_FINAL)],
                Ok(b"hi"),
            ),
            // A byte other than 0x00 before the marker.
            (
                &[(b"\x00\x02hi", TAG_FINAL)],
                Err(AttachmentError::BadPadding),
            ),
            // No marker at all, though the stream ends properly.
            (
                &[(b"\x00\x00", TAG_FINAL)],
                Err(AttachmentError::BadPadding),
            ),
            // No final tag.
            (
                &[(b"\x01hi", TAG_MESSAGE)],
                Err(AttachmentError::MissingFinal),
            ),
            // Another chunk after the final one (a full final chunk, then more).
            (
                &[(&marker_full, TAG_FINAL), (b"x", TAG_FINAL)],
                Err(AttachmentError::TrailingData),
            ),
            // A final padding-only chunk followed by more (libsession's one-shot decryptor
            // would read on).
            (
                &[(&full_pad, TAG_FINAL), (b"\x01hi", TAG_FINAL)],
                Err(AttachmentError::TrailingData),
            ),
            // A chunk with no data in it.
            (
                &[(&marker_full, TAG_MESSAGE), (b"", TAG_FINAL)],
                Err(AttachmentError::Truncated),
            ),
        ];
        for (i, (chunks, expected)) in cases.iter().enumerate() {
            let data = raw_stream(&key, chunks);
            let got = decrypt(&data, &key);
            match expected {
                Ok(content) => assert_eq!(got.as_deref(), Ok(*content), "case {i}"),
                Err(e) => assert_eq!(got, Err(*e), "case {i}"),
            }
        }
    }

    #[test]
    fn sizes_of_the_reference_tests() {
        for (len, size) in [
            (0, 4096),
            (1, 4096),
            (4053, 4096),
            (4054, 8192),
            (8149, 8192),
            (8150, 12288),
            (33_333, 36_864),
            (60_000, 61_440),
            (261_982, 262_144),
            (261_983, 270_336),
            (523_990, 524_288),
            (523_991, 540_672),
            (6_543_210, 6_553_600),
            (10_000_000, 10_223_616),
            (10_218_286, 10_223_616),
            (25_000_000, 25_165_824),
        ] {
            assert_eq!(encrypted_size(len), size, "{len}");
            assert!(decrypted_max_size(size).unwrap() >= len, "{len}");
        }
        assert_eq!(decrypted_max_size(25), None);
        assert_eq!(decrypted_max_size(26), Some(0));
    }
}
