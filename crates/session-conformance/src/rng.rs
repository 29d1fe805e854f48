//! Randomness for the randomized ops: the operating system's, or, when a request carries
//! `rng_bytes` (hex), exactly those bytes in draw order, so that tests can replay the randomness
//! the reference recorded and compare outputs byte for byte. The checker never sends
//! `rng_bytes`.

use session_identity::rand_core::{CryptoRng, Error as RngError, OsRng, RngCore};
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

impl RngCore for RequestRng {
    fn next_u32(&mut self) -> u32 {
        session_identity::rand_core::impls::next_u32_via_fill(self)
    }

    fn next_u64(&mut self) -> u64 {
        session_identity::rand_core::impls::next_u64_via_fill(self)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        match &mut self.replay {
            None => OsRng.fill_bytes(dest),
            Some(replay) => replay.fill_bytes(dest),
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), RngError> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl CryptoRng for RequestRng {}
