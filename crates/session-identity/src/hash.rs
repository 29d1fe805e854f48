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

use blake2::digest::array::Array;
use blake2::digest::block_api::{Block, Buffer, UpdateCore, VariableOutputCore};
use blake2::Blake2bVarCore;
use zeroize::Zeroize;

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
#[derive(Clone)]
pub struct Blake2b {
    core: Blake2bVarCore,
    buffer: Buffer<Blake2bVarCore>,
    output_len: usize,
}

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
        let core = Blake2bVarCore::new_with_params(&[], persona, key.len(), output_len);
        let mut hasher = Self {
            core,
            buffer: Buffer::<Blake2bVarCore>::default(),
            output_len,
        };
        if !key.is_empty() {
            // A keyed BLAKE2b hashes the key, zero-padded to one block, before the message.
            let mut block = Block::<Blake2bVarCore>::default();
            block[..key.len()].copy_from_slice(key);
            hasher.update(&block);
            block.zeroize();
        }
        Ok(hasher)
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

    /// Writes the digest into `out`, which must be exactly [`Blake2b::output_len`] bytes.
    pub fn finalize_into(mut self, out: &mut [u8]) -> Result<(), HashError> {
        if out.len() != self.output_len {
            return Err(HashError::BufferLength {
                expected: self.output_len,
                found: out.len(),
            });
        }
        let mut full: Array<u8, _> = Array::default();
        self.core
            .finalize_variable_core(&mut self.buffer, &mut full);
        out.copy_from_slice(&full[..self.output_len]);
        full.zeroize();
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

/// BLAKE2b-N of the concatenation of `parts`, for crate-internal constant keys and lengths.
fn blake2b_parts<const N: usize>(key: Option<&[u8]>, parts: &[&[u8]]) -> [u8; N] {
    let mut h = match Blake2b::new(N, key) {
        Ok(h) => h,
        Err(_) => unreachable_hash(),
    };
    for p in parts {
        h.update(p);
    }
    match h.finalize() {
        Ok(out) => out,
        Err(_) => unreachable_hash(),
    }
}

/// BLAKE2b-32 of the concatenation of `parts`, keyed by a short constant key.
pub(crate) fn blake2b_32_keyed(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    blake2b_parts(Some(key), parts)
}

/// BLAKE2b-64 of the concatenation of `parts`, keyed or not.
pub(crate) fn blake2b_64(key: Option<&[u8]>, parts: &[&[u8]]) -> [u8; 64] {
    blake2b_parts(key, parts)
}

#[cold]
fn unreachable_hash() -> ! {
    // Only reached if a crate-internal constant key or length is out of range: a bug, not input.
    panic!("internal BLAKE2b parameters out of range")
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
}
