//! BLAKE2b as libsodium's `crypto_generichash` computes it: any output length from 16 to 64
//! bytes, an optional key of up to 64 bytes and an optional 16-byte personalisation.
//!
//! Session derives most of its keys and nonces from keyed BLAKE2b, so every layer of sessionkit
//! uses this module rather than its own wrapper.
//!
//! ```
//! use session_identity::hash::{blake2b, Blake2b};
//!
//! let digest: [u8; 32] = blake2b(b"hello", None).unwrap();
//! let mut hasher = Blake2b::new(32, Some(b"a key")).unwrap();
//! hasher.update(b"hel");
//! hasher.update(b"lo");
//! let mut keyed = [0u8; 32];
//! hasher.finalize_into(&mut keyed).unwrap();
//! assert_ne!(digest, keyed);
//! ```
//!
//! Where the output length and the key length are fixed in the code, [`FixedBlake2b`],
//! [`blake2b_parts`] and [`blake2b_keyed_parts`] check them at compile time and have no error
//! to handle.

use blake2::digest::array::Array;
use blake2::digest::block_api::{Block, Buffer, UpdateCore, VariableOutputCore};
use blake2::Blake2bVarCore;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Shortest digest accepted (libsodium's `crypto_generichash_BYTES_MIN`).
pub const MIN_OUTPUT_LEN: usize = 16;
/// Longest digest (libsodium's `crypto_generichash_BYTES_MAX`).
pub const MAX_OUTPUT_LEN: usize = 64;
/// Longest key (libsodium's `crypto_generichash_KEYBYTES_MAX`).
pub const MAX_KEY_LEN: usize = 64;
/// Length of a personalisation string.
pub const PERSONAL_LEN: usize = 16;

/// Why a BLAKE2b computation was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HashError {
    /// The requested digest length is outside 16..=64.
    #[error("BLAKE2b output length {0} is outside 16..=64")]
    OutputLength(usize),
    /// The key is longer than 64 bytes.
    #[error("BLAKE2b key length {0} exceeds 64 bytes")]
    KeyLength(usize),
    /// The buffer handed to `finalize_into` does not have the length given to `new`.
    #[error("output buffer is {found} bytes, the hasher was set up for {expected}")]
    BufferLength {
        /// The length given to `new`.
        expected: usize,
        /// The length of the buffer.
        found: usize,
    },
}

/// An incremental BLAKE2b hasher with libsodium's parameters.
///
/// Its state (the chaining value, the counter and the buffered input, which for a keyed hash
/// starts as the key block) is wiped when it is dropped, finalized or not; so is every clone.
#[derive(Clone)]
pub struct Blake2b {
    core: Blake2bVarCore,
    buffer: Buffer<Blake2bVarCore>,
    output_len: usize,
}

// Both fields wipe themselves on drop (blake2's and block-buffer's `zeroize` feature).
impl ZeroizeOnDrop for Blake2b {}

impl core::fmt::Debug for Blake2b {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The state may be keyed: print nothing of it.
        f.debug_struct("Blake2b")
            .field("output_len", &self.output_len)
            .finish_non_exhaustive()
    }
}

impl Blake2b {
    /// A hasher for an `output_len`-byte digest, keyed when `key` is `Some` and not empty
    /// (an empty key is no key, as in libsodium).
    pub fn new(output_len: usize, key: Option<&[u8]>) -> Result<Self, HashError> {
        Self::with_personal(output_len, key, None)
    }

    /// As [`Blake2b::new`], with a 16-byte personalisation (libsodium's
    /// `crypto_generichash_blake2b_init_salt_personal` with an all-zero salt).
    pub fn with_personal(
        output_len: usize,
        key: Option<&[u8]>,
        personal: Option<&[u8; PERSONAL_LEN]>,
    ) -> Result<Self, HashError> {
        if !(MIN_OUTPUT_LEN..=MAX_OUTPUT_LEN).contains(&output_len) {
            return Err(HashError::OutputLength(output_len));
        }
        let key = key.unwrap_or(&[]);
        if key.len() > MAX_KEY_LEN {
            return Err(HashError::KeyLength(key.len()));
        }
        let persona: &[u8] = match personal {
            Some(p) => p,
            None => &[],
        };
        Ok(Self::init(output_len, key, persona))
    }

    /// The hasher for parameters already checked: `output_len` in 16..=64, `key` at most 64
    /// bytes, `persona` empty or 16 bytes.
    fn init(output_len: usize, key: &[u8], persona: &[u8]) -> Self {
        let core = Blake2bVarCore::new_with_params(&[], persona, key.len(), output_len);
        let mut hasher = Self {
            core,
            buffer: Buffer::<Blake2bVarCore>::default(),
            output_len,
        };
        if !key.is_empty() {
            // A keyed BLAKE2b hashes the key, zero-padded to one block, before the message.
            let mut block = Block::<Blake2bVarCore>::default();
            for (slot, byte) in block.iter_mut().zip(key) {
                *slot = *byte;
            }
            hasher.update(&block);
            block.zeroize();
        }
        hasher
    }

    /// Absorbs `data`.
    pub fn update(&mut self, data: &[u8]) {
        let core = &mut self.core;
        self.buffer
            .digest_blocks(data, |blocks| core.update_blocks(blocks));
    }

    /// Absorbs `data`, builder style.
    #[must_use]
    pub fn chain(mut self, data: &[u8]) -> Self {
        self.update(data);
        self
    }

    /// The digest length this hasher was set up for.
    pub fn output_len(&self) -> usize {
        self.output_len
    }

    /// Writes the first `out.len()` bytes of the 64-byte final state into `out` (the digest
    /// when `out.len()` is the length the hasher was set up with) and wipes the state.
    fn finalize_prefix(mut self, out: &mut [u8]) {
        let mut full: Array<u8, _> = Array::default();
        self.core
            .finalize_variable_core(&mut self.buffer, &mut full);
        for (slot, byte) in out.iter_mut().zip(full.iter()) {
            *slot = *byte;
        }
        full.zeroize();
    }

    /// Writes the digest into `out`, which must be exactly [`Blake2b::output_len`] bytes.
    pub fn finalize_into(self, out: &mut [u8]) -> Result<(), HashError> {
        if out.len() != self.output_len {
            return Err(HashError::BufferLength {
                expected: self.output_len,
                found: out.len(),
            });
        }
        self.finalize_prefix(out);
        Ok(())
    }

    /// The digest as an array whose length is the one given to `new`.
    pub fn finalize<const N: usize>(self) -> Result<[u8; N], HashError> {
        let mut out = [0u8; N];
        self.finalize_into(&mut out)?;
        Ok(out)
    }
}

/// One-shot BLAKE2b of `data` with an `N`-byte output, keyed when `key` is given.
pub fn blake2b<const N: usize>(data: &[u8], key: Option<&[u8]>) -> Result<[u8; N], HashError> {
    Blake2b::new(N, key)?.chain(data).finalize()
}

/// Compile-time check of a key length: `K` bytes is at most [`MAX_KEY_LEN`].
struct KeyLen<const K: usize>;

impl<const K: usize> KeyLen<K> {
    const CHECKED: () = assert!(K <= MAX_KEY_LEN, "a BLAKE2b key is at most 64 bytes");
}

/// A BLAKE2b hasher with an `N`-byte digest, for lengths and keys fixed in the code: `N` (16
/// to 64) and the key length (at most 64) are checked when the program is compiled, so
/// nothing about it can fail at run time.
/// Its state is wiped on drop, as [`Blake2b`]'s is.
///
/// ```
/// use session_identity::hash::{blake2b, FixedBlake2b};
///
/// let digest: [u8; 24] = FixedBlake2b::<24>::new_keyed(b"key").chain(b"abc").finalize();
/// assert_eq!(Ok(digest), blake2b::<24>(b"abc", Some(b"key")));
/// ```
///
/// A length outside 16..=64 does not compile:
///
/// ```compile_fail
/// let _ = session_identity::hash::FixedBlake2b::<8>::new();
/// ```
///
/// nor does a key longer than 64 bytes:
///
/// ```compile_fail
/// let _ = session_identity::hash::FixedBlake2b::<32>::new_keyed(&[0u8; 65]);
/// ```
#[derive(Clone)]
pub struct FixedBlake2b<const N: usize> {
    inner: Blake2b,
}

impl<const N: usize> core::fmt::Debug for FixedBlake2b<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The state may be keyed: print nothing of it.
        f.debug_struct("FixedBlake2b")
            .field("output_len", &N)
            .finish_non_exhaustive()
    }
}

impl<const N: usize> ZeroizeOnDrop for FixedBlake2b<N> {}

impl<const N: usize> Default for FixedBlake2b<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> FixedBlake2b<N> {
    const CHECKED: () = assert!(
        N >= MIN_OUTPUT_LEN && N <= MAX_OUTPUT_LEN,
        "a BLAKE2b digest is 16 to 64 bytes"
    );

    /// An unkeyed hasher.
    pub fn new() -> Self {
        let () = Self::CHECKED;
        Self {
            inner: Blake2b::init(N, &[], &[]),
        }
    }

    /// A hasher keyed by `key` (an empty key is no key, as in libsodium).
    pub fn new_keyed<const K: usize>(key: &[u8; K]) -> Self {
        let () = Self::CHECKED;
        let () = KeyLen::<K>::CHECKED;
        Self {
            inner: Blake2b::init(N, key, &[]),
        }
    }

    /// An unkeyed hasher with a 16-byte personalisation (see [`Blake2b::with_personal`]).
    pub fn with_personal(personal: &[u8; PERSONAL_LEN]) -> Self {
        let () = Self::CHECKED;
        Self {
            inner: Blake2b::init(N, &[], personal),
        }
    }

    /// Absorbs `data`.
    pub fn update(&mut self, data: &[u8]) {
        self.inner.update(data);
    }

    /// Absorbs `data`, builder style.
    #[must_use]
    pub fn chain(mut self, data: &[u8]) -> Self {
        self.update(data);
        self
    }

    /// The digest.
    pub fn finalize(self) -> [u8; N] {
        let mut out = [0u8; N];
        self.inner.finalize_prefix(&mut out);
        out
    }
}

/// BLAKE2b-N of the concatenation of `parts`, unkeyed. `N` is checked at compile time.
pub fn blake2b_parts<const N: usize>(parts: &[&[u8]]) -> [u8; N] {
    let mut hasher = FixedBlake2b::<N>::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize()
}

/// BLAKE2b-N of the concatenation of `parts`, keyed by `key`. `N` and the key length are
/// checked at compile time.
pub fn blake2b_keyed_parts<const N: usize, const K: usize>(
    key: &[u8; K],
    parts: &[&[u8]],
) -> [u8; N] {
    let mut hasher = FixedBlake2b::<N>::new_keyed(key);
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_parameters() {
        assert_eq!(
            Blake2b::new(15, None).err(),
            Some(HashError::OutputLength(15))
        );
        assert_eq!(
            Blake2b::new(65, None).err(),
            Some(HashError::OutputLength(65))
        );
        assert_eq!(
            Blake2b::new(32, Some(&[0u8; 65])).err(),
            Some(HashError::KeyLength(65))
        );
        let h = Blake2b::new(32, None).unwrap();
        assert!(matches!(
            h.finalize_into(&mut [0u8; 31]),
            Err(HashError::BufferLength {
                expected: 32,
                found: 31
            })
        ));
    }

    #[test]
    fn empty_key_is_no_key() {
        let a: [u8; 32] = blake2b(b"abc", None).unwrap();
        let b: [u8; 32] = blake2b(b"abc", Some(b"")).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn split_updates_match_one_shot() {
        let data: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let one: [u8; 64] = blake2b(&data, Some(b"k")).unwrap();
        for split in [0, 1, 127, 128, 129, 256, 999, 1000] {
            let mut h = Blake2b::new(64, Some(b"k")).unwrap();
            h.update(&data[..split]);
            h.update(&data[split..]);
            assert_eq!(h.finalize::<64>().unwrap(), one, "split at {split}");
        }
    }

    /// The fixed-length helpers give the bytes of the checked API for every length, keyed,
    /// unkeyed and personalised.
    fn fixed_matches_checked<const N: usize>() {
        let data: Vec<u8> = (0..=255u8).cycle().take(300).collect();
        let key = [7u8; 64];
        let personal = *b"0123456789abcdef";
        let unkeyed: [u8; N] = blake2b(&data, None).unwrap();
        assert_eq!(FixedBlake2b::<N>::new().chain(&data).finalize(), unkeyed);
        assert_eq!(blake2b_parts::<N>(&[&data[..100], &data[100..]]), unkeyed);
        let keyed: [u8; N] = blake2b(&data, Some(&key)).unwrap();
        assert_eq!(
            FixedBlake2b::<N>::new_keyed(&key).chain(&data).finalize(),
            keyed
        );
        assert_eq!(
            blake2b_keyed_parts::<N, 64>(&key, &[&data[..1], &data[1..]]),
            keyed
        );
        assert_eq!(blake2b_keyed_parts::<N, 0>(&[], &[&data]), unkeyed);
        let personalised: [u8; N] = Blake2b::with_personal(N, None, Some(&personal))
            .unwrap()
            .chain(&data)
            .finalize()
            .unwrap();
        assert_eq!(
            FixedBlake2b::<N>::with_personal(&personal)
                .chain(&data)
                .finalize(),
            personalised
        );
    }

    #[test]
    fn fixed_helpers_match_the_checked_api() {
        macro_rules! each {
            ($($n:literal)*) => { $(fixed_matches_checked::<$n>();)* };
        }
        each!(16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40
              41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64);
    }

    #[test]
    fn hasher_state_wipes_itself_on_drop() {
        fn wiped_on_drop<T: ZeroizeOnDrop>() {}
        // What `Blake2b` holds: the chaining value and counter, and the buffered input.
        wiped_on_drop::<Blake2bVarCore>();
        wiped_on_drop::<Buffer<Blake2bVarCore>>();
        wiped_on_drop::<Blake2b>();
        wiped_on_drop::<FixedBlake2b<32>>();
    }
}
