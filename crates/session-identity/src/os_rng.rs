//! The operating system's random source as a [`rand_core::CryptoRng`].

use core::convert::Infallible;

use rand_core::{TryCryptoRng, TryRng};

/// The operating system's random source (through `getrandom`), for callers that have no
/// generator of their own. With the `rand` crate, `rand::rng()` serves as well.
///
/// The OS source failing is not recoverable for a program that needs keys: drawing from it
/// panics if the operating system refuses, as `rand::rngs::SysRng` does when unwrapped.
///
/// ```
/// use session_identity::{Identity, OsRng};
///
/// let alice = Identity::generate(&mut OsRng);
/// assert_eq!(alice.session_id().to_string().len(), 66);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRng;

impl TryRng for OsRng {
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
        if let Err(error) = getrandom::fill(dest) {
            panic!("the operating system's random source failed: {error}");
        }
        Ok(())
    }
}

impl TryCryptoRng for OsRng {}
