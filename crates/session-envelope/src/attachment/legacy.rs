//! The legacy attachment scheme: AES-256-CBC with PKCS#7, HMAC-SHA256, SHA-256 digest.
//!
//! ```text
//! keys   = aes_key(32) ‖ mac_key(32)                 (the pointer's `key`, 64 bytes)
//! data   = plaintext ‖ 0x00 × (padded_attachment_len(len) − len)   (when padding)
//! upload = iv(16) ‖ AES-256-CBC(aes_key, iv, PKCS#7(data)) ‖ HMAC-SHA256(mac_key, iv ‖ ct)
//! digest = SHA-256(upload)                           (the pointer's `digest`)
//! ```
//!
//! Decryption checks, in this order, the length (at least 48 bytes), the MAC (constant time),
//! the digest (all 32 bytes, constant time), the block length and the PKCS#7 padding, then cuts
//! the data to the pointer's `size`. The desktop client is laxer about the digest: it compares
//! only as many bytes as the pointer's digest has, so it accepts an empty digest or a prefix
//! of the true one. Here the digest is a `[u8; 32]`: whoever reads a pointer must reject a digest
//! of any other length.

use alloc::vec::Vec;

use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use aes::Aes256;
use hmac::{Hmac, KeyInit, Mac};
use rand_core::CryptoRng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::{padded_attachment_len, AttachmentError};

/// IV length.
pub const IV_LEN: usize = 16;
/// Key length: the AES key, then the MAC key.
pub const KEY_LEN: usize = 64;
/// HMAC-SHA256 length.
pub const MAC_LEN: usize = 32;
/// Digest length (SHA-256).
pub const DIGEST_LEN: usize = 32;
/// The shortest input decryption looks at: IV and MAC. A valid upload also has at least one
/// AES block between them.
pub const MIN_LEN: usize = IV_LEN + MAC_LEN;
const BLOCK: usize = 16;
/// Work in pieces of this many bytes (bounded scratch memory).
const PIECE: usize = 4096;

type CbcEnc = cbc::Encryptor<Aes256>;
type CbcDec = cbc::Decryptor<Aes256>;

/// The 64-byte key of a legacy attachment: AES-256 key, then HMAC-SHA256 key.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct LegacyKeys {
    bytes: [u8; KEY_LEN],
}

impl core::fmt::Debug for LegacyKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("LegacyKeys(..)")
    }
}

impl LegacyKeys {
    /// From the 64 bytes of an attachment pointer's `key`.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self { bytes }
    }

    /// From a pointer's `key` field, which must be 64 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, AttachmentError> {
        let bytes = <[u8; KEY_LEN]>::try_from(bytes).map_err(|_| AttachmentError::KeyLength {
            expected: KEY_LEN,
            found: bytes.len(),
        })?;
        Ok(Self { bytes })
    }

    /// Fresh random keys, as a sender draws them for each attachment.
    pub fn generate(rng: &mut impl CryptoRng) -> Self {
        let mut bytes = [0u8; KEY_LEN];
        rng.fill_bytes(&mut bytes);
        Self { bytes }
    }

    /// The 64 bytes, for the pointer's `key`. Secret: handle with care.
    pub fn expose_bytes(&self) -> &[u8; KEY_LEN] {
        &self.bytes
    }

    fn aes_key(&self) -> &[u8; 32] {
        self.bytes[..32].try_into().unwrap_or(&[0; 32])
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC takes keys of any length.
        match <Hmac<Sha256> as KeyInit>::new_from_slice(&self.bytes[32..]) {
            Ok(mac) => mac,
            Err(_) => <Hmac<Sha256> as KeyInit>::new(&Default::default()),
        }
    }
}

/// An encrypted legacy attachment: the bytes to upload and the digest for the pointer.
#[derive(Clone, PartialEq, Eq)]
pub struct LegacyEncrypted {
    /// `iv ‖ ciphertext ‖ mac`.
    pub data: Vec<u8>,
    /// SHA-256 of `data`.
    pub digest: [u8; DIGEST_LEN],
}

impl core::fmt::Debug for LegacyEncrypted {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LegacyEncrypted")
            .field("len", &self.data.len())
            .field("digest", &self.digest)
            .finish()
    }
}

/// The length of the upload for a `len`-byte attachment, padded or not.
pub fn encrypted_len(len: u64, pad: bool) -> u64 {
    let data = if pad { padded_attachment_len(len) } else { len };
    (IV_LEN as u64) + (data / 16 + 1) * 16 + MAC_LEN as u64
}

/// Encrypts `plaintext` under `keys` and `iv`, zero-padding it to its size bucket first when
/// `pad` is set (the desktop client pads message attachments and voice messages, not link-preview
/// images).
pub fn encrypt(
    keys: &LegacyKeys,
    iv: &[u8; IV_LEN],
    plaintext: &[u8],
    pad: bool,
) -> LegacyEncrypted {
    let capacity = usize::try_from(encrypted_len(plaintext.len() as u64, pad)).unwrap_or(0);
    let mut data = Vec::with_capacity(capacity);
    let mut encryptor = LegacyEncryptor::new(keys, iv);
    let mut sink = |bytes: &[u8]| data.extend_from_slice(bytes);
    encryptor.update(plaintext, &mut sink);
    let digest = encryptor.finish(pad, &mut sink);
    LegacyEncrypted { data, digest }
}

/// Encrypts `plaintext` under fresh keys and IV from `rng`, padded; returns the keys for the
/// pointer with the upload.
pub fn encrypt_random(
    plaintext: &[u8],
    pad: bool,
    rng: &mut impl CryptoRng,
) -> (LegacyKeys, LegacyEncrypted) {
    let keys = LegacyKeys::generate(rng);
    let mut iv = [0u8; IV_LEN];
    rng.fill_bytes(&mut iv);
    let encrypted = encrypt(&keys, &iv, plaintext, pad);
    (keys, encrypted)
}

/// Decrypts a downloaded legacy attachment whose pointer gives `digest` and `size`.
///
/// Checks the MAC, then the digest, then the AES blocks and PKCS#7 padding, and returns the data
/// cut to `size`: `None` returns everything (padding included), `Some(0)` is
/// [`AttachmentError::SizeZero`], a size above the data's length is
/// [`AttachmentError::SizeTooLarge`]. The bytes cut off are not checked to be zero, as no client
/// checks them.
pub fn decrypt(
    keys: &LegacyKeys,
    data: &[u8],
    digest: &[u8; DIGEST_LEN],
    size: Option<u64>,
) -> Result<Vec<u8>, AttachmentError> {
    if data.len() < MIN_LEN {
        return Err(AttachmentError::TooShort {
            len: data.len() as u64,
            min: MIN_LEN as u64,
        });
    }
    let (signed, tag) = data.split_at(data.len() - MAC_LEN);
    let mut mac = keys.mac();
    mac.update(signed);
    mac.verify_slice(tag).map_err(|_| AttachmentError::BadMac)?;
    let actual: [u8; DIGEST_LEN] = Sha256::digest(data).into();
    if !bool::from(actual.ct_eq(digest)) {
        return Err(AttachmentError::DigestMismatch);
    }
    let (iv, ciphertext) = signed.split_at(IV_LEN);
    if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(BLOCK) {
        return Err(AttachmentError::BadBlockLength);
    }
    let mut plain = Zeroizing::new(ciphertext.to_vec());
    let mut cipher = cbc_dec(keys, iv);
    decrypt_blocks(&mut cipher, &mut plain);
    let unpadded = pkcs7_len(&plain)?;
    let keep = cut_to_size(unpadded as u64, size)?;
    let mut out = core::mem::take(&mut *plain);
    out.truncate(keep as usize);
    Ok(out)
}

/// How many bytes a decryption of `available` bytes keeps for the pointer's `size`.
fn cut_to_size(available: u64, size: Option<u64>) -> Result<u64, AttachmentError> {
    match size {
        None => Ok(available),
        Some(0) => Err(AttachmentError::SizeZero),
        Some(size) if size > available => Err(AttachmentError::SizeTooLarge { size, available }),
        Some(size) => Ok(size),
    }
}

/// The length of `plain` without its PKCS#7 padding.
fn pkcs7_len(plain: &[u8]) -> Result<usize, AttachmentError> {
    let pad = usize::from(*plain.last().ok_or(AttachmentError::BadPkcs7)?);
    if pad == 0 || pad > BLOCK || pad > plain.len() {
        return Err(AttachmentError::BadPkcs7);
    }
    if plain[plain.len() - pad..]
        .iter()
        .any(|&b| usize::from(b) != pad)
    {
        return Err(AttachmentError::BadPkcs7);
    }
    Ok(plain.len() - pad)
}

fn cbc_dec(keys: &LegacyKeys, iv: &[u8]) -> CbcDec {
    let mut iv_block = [0u8; IV_LEN];
    iv_block.copy_from_slice(&iv[..IV_LEN]);
    CbcDec::new(keys.aes_key().into(), &iv_block.into())
}

/// Decrypts whole blocks in place (`buf.len()` a multiple of 16).
fn decrypt_blocks(cipher: &mut CbcDec, buf: &mut [u8]) {
    let (blocks, _) = aes::Block::slice_as_chunks_mut(buf);
    cipher.decrypt_blocks(blocks);
}

/// Streaming legacy encryption: feed the plaintext in pieces of any size; the upload comes out
/// in pieces to `sink` (the IV first); [`LegacyEncryptor::finish`] pads, writes the last blocks
/// and the MAC, and returns the digest. Holds at most one 4 KiB piece.
pub struct LegacyEncryptor {
    cipher: CbcEnc,
    mac: Hmac<Sha256>,
    sha: Sha256,
    iv: [u8; IV_LEN],
    started: bool,
    /// Plaintext not yet encrypted (less than one block between calls).
    pending: Zeroizing<Vec<u8>>,
    fed: u64,
}

impl core::fmt::Debug for LegacyEncryptor {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LegacyEncryptor")
            .field("fed", &self.fed)
            .finish_non_exhaustive()
    }
}

impl LegacyEncryptor {
    /// An encryption under `keys` and `iv`.
    pub fn new(keys: &LegacyKeys, iv: &[u8; IV_LEN]) -> Self {
        Self {
            cipher: CbcEnc::new(keys.aes_key().into(), &(*iv).into()),
            mac: keys.mac(),
            sha: Sha256::new(),
            iv: *iv,
            started: false,
            pending: Zeroizing::new(Vec::with_capacity(PIECE)),
            fed: 0,
        }
    }

    /// Plaintext bytes fed so far.
    pub fn fed(&self) -> u64 {
        self.fed
    }

    fn emit(&mut self, bytes: &[u8], sink: &mut impl FnMut(&[u8])) {
        self.mac.update(bytes);
        self.sha.update(bytes);
        sink(bytes);
    }

    fn start(&mut self, sink: &mut impl FnMut(&[u8])) {
        if !self.started {
            self.started = true;
            let iv = self.iv;
            self.emit(&iv, sink);
        }
    }

    /// Encrypts the whole blocks of `pending` and keeps the remainder.
    fn flush_blocks(&mut self, sink: &mut impl FnMut(&[u8])) {
        let whole = self.pending.len() / BLOCK * BLOCK;
        if whole == 0 {
            return;
        }
        let mut piece = Zeroizing::new([0u8; PIECE]);
        piece[..whole].copy_from_slice(&self.pending[..whole]);
        let (blocks, _) = aes::Block::slice_as_chunks_mut(&mut piece[..whole]);
        self.cipher.encrypt_blocks(blocks);
        self.emit(&piece[..whole], sink);
        self.pending.drain(..whole);
    }

    fn absorb(&mut self, mut data: &[u8], sink: &mut impl FnMut(&[u8])) {
        while !data.is_empty() {
            let take = (PIECE - self.pending.len()).min(data.len());
            self.pending.extend_from_slice(&data[..take]);
            data = &data[take..];
            self.flush_blocks(sink);
        }
    }

    /// Encrypts the next piece of plaintext.
    pub fn update(&mut self, data: &[u8], sink: &mut impl FnMut(&[u8])) {
        self.start(sink);
        self.fed += data.len() as u64;
        self.absorb(data, sink);
    }

    /// Zero-pads to the size bucket when `pad` is set, adds the PKCS#7 padding and the MAC, and
    /// returns the digest of the whole upload.
    pub fn finish(mut self, pad: bool, sink: &mut impl FnMut(&[u8])) -> [u8; DIGEST_LEN] {
        self.start(sink);
        if pad {
            let zeros = [0u8; PIECE];
            let mut left = padded_attachment_len(self.fed).saturating_sub(self.fed);
            while left > 0 {
                let take = left.min(PIECE as u64) as usize;
                self.absorb(&zeros[..take], sink);
                left -= take as u64;
            }
        }
        let pad_byte = (BLOCK - self.pending.len()) as u8;
        let fill = usize::from(pad_byte);
        self.pending.extend(core::iter::repeat_n(pad_byte, fill));
        self.flush_blocks(sink);
        let tag: [u8; MAC_LEN] = self.mac.clone().finalize().into_bytes().into();
        self.sha.update(tag);
        sink(&tag);
        self.sha.clone().finalize().into()
    }
}

/// Streaming check of a legacy upload's MAC and digest without decrypting it: feed the whole
/// download, then [`LegacyVerifier::finish`]. With [`LegacyDecryptor`] afterwards this is the
/// bounded-memory way to authenticate before releasing any plaintext (two passes over the file).
pub struct LegacyVerifier {
    mac: Hmac<Sha256>,
    sha: Sha256,
    /// The last up to 32 bytes seen: the MAC once the input is complete.
    tail: [u8; MAC_LEN],
    tail_len: usize,
    len: u64,
}

impl core::fmt::Debug for LegacyVerifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LegacyVerifier")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl LegacyVerifier {
    /// A check under `keys`.
    pub fn new(keys: &LegacyKeys) -> Self {
        Self {
            mac: keys.mac(),
            sha: Sha256::new(),
            tail: [0; MAC_LEN],
            tail_len: 0,
            len: 0,
        }
    }

    /// The next piece of the download.
    pub fn update(&mut self, mut data: &[u8]) {
        self.sha.update(data);
        self.len += data.len() as u64;
        // Whatever leaves the 32-byte tail window is signed data.
        let total = self.tail_len + data.len();
        if total > MAC_LEN {
            let release = total - MAC_LEN;
            let from_tail = release.min(self.tail_len);
            self.mac.update(&self.tail[..from_tail]);
            self.tail.copy_within(from_tail..self.tail_len, 0);
            self.tail_len -= from_tail;
            let from_data = release - from_tail;
            self.mac.update(&data[..from_data]);
            data = &data[from_data..];
        }
        self.tail[self.tail_len..self.tail_len + data.len()].copy_from_slice(data);
        self.tail_len += data.len();
    }

    /// Checks the MAC, then the digest.
    pub fn finish(self, digest: &[u8; DIGEST_LEN]) -> Result<(), AttachmentError> {
        if self.len < MIN_LEN as u64 {
            return Err(AttachmentError::TooShort {
                len: self.len,
                min: MIN_LEN as u64,
            });
        }
        self.mac
            .verify_slice(&self.tail)
            .map_err(|_| AttachmentError::BadMac)?;
        let actual: [u8; DIGEST_LEN] = self.sha.finalize().into();
        if !bool::from(actual.ct_eq(digest)) {
            return Err(AttachmentError::DigestMismatch);
        }
        Ok(())
    }
}

/// Streaming legacy decryption: feed the download in pieces of any size; plaintext comes out to
/// `sink` as soon as it is decrypted (never beyond the pointer's `size`), and
/// [`LegacyDecryptor::finish`] checks the MAC, the digest, the padding and the size in the
/// one-shot order.
///
/// **Plaintext handed to `sink` before `finish` returns `Ok` is unauthenticated**: on an error
/// the caller must discard it. To authenticate first, run a [`LegacyVerifier`] pass over the
/// download before this one. Holds at most one 4 KiB piece plus 64 bytes.
pub struct LegacyDecryptor {
    keys: LegacyKeys,
    cipher: Option<CbcDec>,
    mac: Hmac<Sha256>,
    sha: Sha256,
    size: Option<u64>,
    /// Bytes received but not yet decrypted: the IV until it is complete, then the last
    /// ciphertext block(s) and the MAC, which can only be told apart at the end.
    held: Vec<u8>,
    len: u64,
    /// Plaintext bytes produced (including any beyond `size`, which are not emitted).
    produced: u64,
    failed: bool,
}

impl core::fmt::Debug for LegacyDecryptor {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LegacyDecryptor")
            .field("len", &self.len)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

/// Bytes the decryptor holds back: the MAC and the last block (for its PKCS#7 padding).
const HOLD: usize = MAC_LEN + BLOCK;

impl LegacyDecryptor {
    /// A decryption under `keys`, cutting the output to `size` (the pointer's; `None` keeps the
    /// padding).
    pub fn new(keys: &LegacyKeys, size: Option<u64>) -> Self {
        Self {
            keys: keys.clone(),
            cipher: None,
            mac: keys.mac(),
            sha: Sha256::new(),
            size,
            held: Vec::with_capacity(PIECE + HOLD),
            len: 0,
            produced: 0,
            failed: false,
        }
    }

    /// Emits decrypted bytes, up to `size`.
    fn output(&mut self, plain: &[u8], sink: &mut impl FnMut(&[u8])) {
        let limit = self.size.unwrap_or(u64::MAX);
        let room = limit.saturating_sub(self.produced);
        let emit = (plain.len() as u64).min(room) as usize;
        if emit > 0 {
            sink(&plain[..emit]);
        }
        self.produced += plain.len() as u64;
    }

    /// Decrypts whole blocks from the front of `held`, keeping at least `keep` bytes.
    fn drain(&mut self, keep: usize, sink: &mut impl FnMut(&[u8])) {
        let Some(cipher) = self.cipher.as_mut() else {
            return;
        };
        let ready = self.held.len().saturating_sub(keep) / BLOCK * BLOCK;
        if ready == 0 {
            return;
        }
        self.mac.update(&self.held[..ready]);
        let mut piece = Zeroizing::new(self.held[..ready].to_vec());
        decrypt_blocks(cipher, &mut piece);
        self.held.drain(..ready);
        self.output(&piece, sink);
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
        self.sha.update(data);
        self.len += data.len() as u64;
        while !data.is_empty() {
            let take = (PIECE + HOLD - self.held.len()).min(data.len());
            self.held.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.cipher.is_none() && self.held.len() >= IV_LEN {
                let iv: Vec<u8> = self.held.drain(..IV_LEN).collect();
                self.mac.update(&iv);
                self.cipher = Some(cbc_dec(&self.keys, &iv));
            }
            self.drain(HOLD, sink);
        }
        Ok(())
    }

    /// Checks the MAC, the digest, the block length and the padding, emits the last plaintext
    /// bytes, and checks the size.
    pub fn finish(
        mut self,
        digest: &[u8; DIGEST_LEN],
        sink: &mut impl FnMut(&[u8]),
    ) -> Result<(), AttachmentError> {
        if self.failed {
            return Err(AttachmentError::Poisoned);
        }
        self.failed = true;
        if self.len < MIN_LEN as u64 {
            return Err(AttachmentError::TooShort {
                len: self.len,
                min: MIN_LEN as u64,
            });
        }
        let signed = self.held.len() - MAC_LEN;
        self.mac.update(&self.held[..signed]);
        self.mac
            .clone()
            .verify_slice(&self.held[signed..])
            .map_err(|_| AttachmentError::BadMac)?;
        let actual: [u8; DIGEST_LEN] = self.sha.clone().finalize().into();
        if !bool::from(actual.ct_eq(digest)) {
            return Err(AttachmentError::DigestMismatch);
        }
        let ciphertext_len = self.len - (IV_LEN + MAC_LEN) as u64;
        if ciphertext_len == 0 || !signed.is_multiple_of(BLOCK) {
            return Err(AttachmentError::BadBlockLength);
        }
        let mut last = Zeroizing::new(self.held[..signed].to_vec());
        if let Some(cipher) = self.cipher.as_mut() {
            decrypt_blocks(cipher, &mut last);
        }
        let unpadded = pkcs7_len(&last)?;
        let available = self.produced + unpadded as u64;
        let keep = cut_to_size(available, self.size)?;
        let tail = &last[..unpadded];
        // What `output` would emit of the tail, without counting the padding.
        let room = keep.saturating_sub(self.produced).min(tail.len() as u64) as usize;
        if room > 0 {
            sink(&tail[..room]);
        }
        Ok(())
    }
}

impl Drop for LegacyDecryptor {
    fn drop(&mut self) {
        self.held.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use alloc::collections::BTreeMap;
    use alloc::string::String;

    use super::*;

    fn stream_decrypt(
        keys: &LegacyKeys,
        data: &[u8],
        digest: &[u8; 32],
        size: Option<u64>,
        piece: usize,
    ) -> Result<Vec<u8>, AttachmentError> {
        let mut out = Vec::new();
        let mut sink = |b: &[u8]| out.extend_from_slice(b);
        let mut d = LegacyDecryptor::new(keys, size);
        for chunk in data.chunks(piece.max(1)) {
            d.update(chunk, &mut sink)?;
        }
        d.finish(digest, &mut sink)?;
        Ok(out)
    }

    #[test]
    fn streaming_matches_one_shot() {
        let keys = LegacyKeys::from_bytes([3; 64]);
        for len in [0usize, 1, 15, 16, 17, 541, 4095, 4096, 4097, 9000] {
            let plain: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            for pad in [false, true] {
                let enc = encrypt(&keys, &[5; 16], &plain, pad);
                assert_eq!(enc.data.len() as u64, encrypted_len(len as u64, pad));
                for piece in [1, 7, 16, 48, 4096, 100_000] {
                    let mut v = LegacyVerifier::new(&keys);
                    for chunk in enc.data.chunks(piece) {
                        v.update(chunk);
                    }
                    v.finish(&enc.digest).unwrap();
                    for size in [None, Some(len as u64)] {
                        if size == Some(0) {
                            continue;
                        }
                        let one = decrypt(&keys, &enc.data, &enc.digest, size).unwrap();
                        let streamed =
                            stream_decrypt(&keys, &enc.data, &enc.digest, size, piece).unwrap();
                        assert_eq!(one, streamed, "{len} {pad} {piece}");
                        if size.is_some() || !pad {
                            assert_eq!(one, plain);
                        }
                    }
                }
            }
        }
    }

    // Project Wycheproof (C2SP/wycheproof, `testvectors_v1/`; see
    // `tests/data/wycheproof/README.md`) through the code this scheme runs: the HMAC-SHA256 that
    // `LegacyKeys` keys with its second half, and the AES-256-CBC encryptor and decryptor with
    // their PKCS#7 padding. `tests/wycheproof.rs` runs the same files through the one-shot
    // `encrypt` and `decrypt`.

    const WYCHEPROOF_HMAC: &str = include_str!("../../tests/data/wycheproof/hmac_sha256_test.json");
    const WYCHEPROOF_CBC: &str =
        include_str!("../../tests/data/wycheproof/aes_cbc_pkcs5_test.json");

    fn hex_field(value: &serde_json::Value) -> Vec<u8> {
        hex::decode(value.as_str().unwrap()).unwrap()
    }

    /// Every `(group, test)` of a Wycheproof file, checking that it holds as many as it says.
    fn wycheproof_cases(text: &str) -> Vec<(serde_json::Value, serde_json::Value)> {
        let file: serde_json::Value = serde_json::from_str(text).unwrap();
        let mut all = Vec::new();
        for group in file["testGroups"].as_array().unwrap() {
            for test in group["tests"].as_array().unwrap() {
                all.push((group.clone(), test.clone()));
            }
        }
        assert_eq!(all.len() as u64, file["numberOfTests"].as_u64().unwrap());
        all
    }

    /// HMAC-SHA256 as the scheme keys it: 32-byte keys only (the other sizes are counted). The
    /// file's tags of 128 bits are compared with the MAC's first 16 bytes; with the full tag
    /// and a message at least an IV long, the message is also checked as the signed part of an
    /// upload by the streaming `LegacyVerifier`, which refuses an invalid tag as `BadMac`.
    #[test]
    fn wycheproof_hmac_sha256() {
        let (mut valid, mut invalid, mut as_upload) = (0, 0, 0);
        let mut skipped = BTreeMap::new();
        for (group, test) in wycheproof_cases(WYCHEPROOF_HMAC) {
            let id = &test["tcId"];
            let mac_key = hex_field(&test["key"]);
            if mac_key.len() != 32 {
                *skipped
                    .entry(group["keySize"].as_u64().unwrap())
                    .or_insert(0) += 1;
                continue;
            }
            let message = hex_field(&test["msg"]);
            let tag = hex_field(&test["tag"]);
            assert_eq!(tag.len() as u64 * 8, group["tagSize"].as_u64().unwrap());
            let mut key = [0x11; KEY_LEN];
            key[32..].copy_from_slice(&mac_key);
            let keys = LegacyKeys::from_bytes(key);
            let mut mac = keys.mac();
            mac.update(&message);
            let full = mac.finalize().into_bytes();
            let matches = full[..tag.len()] == tag[..];
            let verdict = test["result"].as_str().unwrap();
            match verdict {
                "valid" => {
                    assert!(matches, "case {id}: the MAC differs");
                    valid += 1;
                }
                "invalid" => {
                    assert!(!matches, "case {id}: an invalid tag matches");
                    invalid += 1;
                }
                other => panic!("case {id}: unexpected verdict {other}"),
            }
            if tag.len() == MAC_LEN && message.len() >= IV_LEN {
                let upload = [&message[..], &tag].concat();
                let digest: [u8; DIGEST_LEN] = Sha256::digest(&upload).into();
                for piece in [1, 13, 4096] {
                    let mut verifier = LegacyVerifier::new(&keys);
                    for chunk in upload.chunks(piece) {
                        verifier.update(chunk);
                    }
                    let checked = verifier.finish(&digest);
                    if verdict == "valid" {
                        assert_eq!(checked, Ok(()), "case {id}");
                    } else {
                        assert_eq!(checked, Err(AttachmentError::BadMac), "case {id}");
                    }
                }
                as_upload += 1;
            }
        }
        assert_eq!((valid, invalid, as_upload), (54, 108, 38));
        // Skipped, by key size in bits: the scheme's MAC key is 256 bits.
        assert_eq!(skipped, BTreeMap::from([(128, 6), (520, 6)]));
    }

    /// AES-256-CBC with PKCS#7 as the scheme runs it (other key sizes are counted): a `valid`
    /// case's message, fed to `LegacyEncryptor` in pieces, comes out as the case's ciphertext
    /// between the IV and the MAC, and `LegacyDecryptor` (in pieces) and the one-shot block
    /// decryption give back the message. An `invalid` case, given a correct MAC and digest so
    /// that decryption reaches the cipher, is refused: `BadPkcs7` for a wrong padding
    /// (`BadPadding`), `BadBlockLength` for no ciphertext at all (`NoPadding`).
    #[test]
    fn wycheproof_aes_256_cbc_pkcs5() {
        let mac_key = [0x5a; 32];
        let mut verdicts: BTreeMap<(String, String), usize> = BTreeMap::new();
        let mut skipped = BTreeMap::new();
        for (group, test) in wycheproof_cases(WYCHEPROOF_CBC) {
            let id = &test["tcId"];
            let aes_key = hex_field(&test["key"]);
            if aes_key.len() != 32 {
                *skipped
                    .entry(group["keySize"].as_u64().unwrap())
                    .or_insert(0) += 1;
                continue;
            }
            let mut key = [0u8; KEY_LEN];
            key[..32].copy_from_slice(&aes_key);
            key[32..].copy_from_slice(&mac_key);
            let keys = LegacyKeys::from_bytes(key);
            let iv: [u8; IV_LEN] = hex_field(&test["iv"]).try_into().unwrap();
            let message = hex_field(&test["msg"]);
            let ciphertext = hex_field(&test["ct"]);
            let mut upload = [&iv[..], &ciphertext].concat();
            let mut mac = keys.mac();
            mac.update(&upload);
            upload.extend_from_slice(&mac.finalize().into_bytes());
            let digest: [u8; DIGEST_LEN] = Sha256::digest(&upload).into();
            let verdict = test["result"].as_str().unwrap();
            let flags = test["flags"].as_array().unwrap();
            assert_eq!(flags.len(), 1, "case {id}");
            let flag = flags[0].as_str().unwrap();
            for piece in [1, 15, 16, 4096] {
                let streamed = stream_decrypt(&keys, &upload, &digest, None, piece);
                match (verdict, flag) {
                    ("valid", _) => assert_eq!(streamed.unwrap(), message, "case {id}"),
                    ("invalid", "BadPadding") => {
                        assert_eq!(streamed, Err(AttachmentError::BadPkcs7), "case {id}")
                    }
                    ("invalid", "NoPadding") => {
                        assert_eq!(streamed, Err(AttachmentError::BadBlockLength), "case {id}")
                    }
                    other => panic!("case {id}: unexpected {other:?}"),
                }
            }
            if !ciphertext.is_empty() {
                let mut plain = ciphertext.clone();
                decrypt_blocks(&mut cbc_dec(&keys, &iv), &mut plain);
                let unpadded = pkcs7_len(&plain);
                if verdict == "valid" {
                    assert_eq!(&plain[..unpadded.unwrap()], &message[..], "case {id}");
                } else {
                    assert_eq!(unpadded, Err(AttachmentError::BadPkcs7), "case {id}");
                }
            }
            if verdict == "valid" {
                for piece in [1, 7, 16, 4096] {
                    let mut sealed = Vec::new();
                    let mut sink = |b: &[u8]| sealed.extend_from_slice(b);
                    let mut encryptor = LegacyEncryptor::new(&keys, &iv);
                    for chunk in message.chunks(piece) {
                        encryptor.update(chunk, &mut sink);
                    }
                    let sealed_digest = encryptor.finish(false, &mut sink);
                    assert_eq!(
                        &sealed[IV_LEN..sealed.len() - MAC_LEN],
                        &ciphertext[..],
                        "case {id}: encryption"
                    );
                    assert_eq!(sealed, upload, "case {id}");
                    assert_eq!(sealed_digest, digest, "case {id}");
                }
            }
            *verdicts.entry((verdict.into(), flag.into())).or_insert(0) += 1;
        }
        assert_eq!(
            verdicts,
            BTreeMap::from([
                (("invalid".into(), "BadPadding".into()), 47),
                (("invalid".into(), "NoPadding".into()), 1),
                (("valid".into(), "Pseudorandom".into()), 24),
            ])
        );
        // Skipped, by key size in bits: the scheme's AES key is 256 bits.
        assert_eq!(skipped, BTreeMap::from([(128, 72), (192, 72)]));
    }
}
