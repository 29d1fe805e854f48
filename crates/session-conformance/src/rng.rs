//! Randomness for the randomized ops: the operating system's, or, when a request carries
//! `rng_bytes` (hex), exactly those bytes in draw order, so that tests can replay the randomness
//! the reference recorded and compare outputs byte for byte. The checker never sends
//! `rng_bytes`.

use core::convert::Infallible;

use session_identity::rand_core::{Rng, TryCryptoRng, TryRng};
use session_identity::test_util::ReplayRng;

use crate::error::OpError;
use crate::request::Request;

/// The random source of one request.
pub(crate) struct RequestRng {
    replay: Option<ReplayRng>,
}

impl RequestRng {
    /// The OS source, or a replay of the request's `rng_bytes`.
    pub(crate) fn for_request(req: &Request<'_>) -> Result<Self, OpError> {
        let replay = req.opt_hex("rng_bytes")?.map(ReplayRng::new);
        Ok(Self { replay })
    }

    /// After the op: an error if a replay ran out of bytes (its output would be meaningless).
    pub(crate) fn finish(&self) -> Result<(), OpError> {
        match &self.replay {
            Some(replay) if replay.is_overdrawn() => Err(OpError::bad_request(
                "field `rng_bytes` holds too few bytes",
            )),
            _ => Ok(()),
        }
    }
}

impl TryRng for RequestRng {
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
        match &mut self.replay {
            None => session_identity::OsRng.fill_bytes(dest),
            Some(replay) => replay.fill_bytes(dest),
        }
        Ok(())
    }
}

impl TryCryptoRng for RequestRng {}
