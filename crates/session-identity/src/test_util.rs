//! Test support: an RNG that replays recorded bytes. Enabled by the `test-util` feature, which
//! is for tests and conformance runners only: a [`ReplayRng`] is not random.

use core::convert::Infallible;

use rand_core::{TryCryptoRng, TryRng};

/// Returns exactly the bytes it was given, in order, so that an operation which drew randomness
/// in the reference implementation (an ephemeral key, a nonce) can be reproduced byte for byte.
///
/// Drawing past the end yields zeros and marks the replay [overdrawn](Self::is_overdrawn)
/// instead of panicking; a test should check [`Self::is_exhausted`] (every byte used) and that
/// the replay is not overdrawn.
///
/// It implements [`rand_core::CryptoRng`] only so that it can stand in for a real generator in tests. Never
/// use it to produce keys or nonces for real traffic.
///
/// ```
/// use session_identity::rand_core::Rng;
/// use session_identity::test_util::ReplayRng;
///
/// let mut rng = ReplayRng::new(vec![1, 2, 3]);
/// let mut out = [0u8; 2];
/// rng.fill_bytes(&mut out);
/// assert_eq!(out, [1, 2]);
/// assert!(!rng.is_exhausted());
/// rng.fill_bytes(&mut out);
/// assert!(rng.is_overdrawn());
/// ```
#[derive(Debug, Clone)]
pub struct ReplayRng {
    bytes: alloc::vec::Vec<u8>,
    position: usize,
    overdrawn: bool,
}

impl ReplayRng {
    /// A replay of `bytes`.
    pub fn new(bytes: alloc::vec::Vec<u8>) -> Self {
        Self {
            bytes,
            position: 0,
            overdrawn: false,
        }
    }

    /// Whether every byte has been drawn.
    pub fn is_exhausted(&self) -> bool {
        self.position == self.bytes.len()
    }

    /// Whether more bytes were asked for than were recorded.
    pub fn is_overdrawn(&self) -> bool {
        self.overdrawn
    }

    /// Bytes not drawn yet.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.position
    }
}

impl TryRng for ReplayRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut word = [0u8; 4];
        self.try_fill_bytes(&mut word)?;
        Ok(u32::from_le_bytes(word))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut word = [0u8; 8];
        self.try_fill_bytes(&mut word)?;
        Ok(u64::from_le_bytes(word))
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Infallible> {
        let end = self.position.saturating_add(dest.len());
        match self.bytes.get(self.position..end) {
            Some(chunk) => {
                dest.copy_from_slice(chunk);
                self.position = end;
            }
            None => {
                dest.fill(0);
                self.overdrawn = true;
            }
        }
        Ok(())
    }
}

impl TryCryptoRng for ReplayRng {}
