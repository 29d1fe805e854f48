//! A 421 (wrong swarm) body, parsed alone and fed through the retry decisions: never panics,
//! and the request always ends within its attempt limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_identity::{Ed25519PublicKey, Prefix, SessionId, X25519PublicKey};
use session_swarm::rand_core::{CryptoRng, Error, RngCore};
use session_swarm::{
    parse_wrong_swarm_reply, ClockOffset, Decision, Outcome, RetryLimits, ServiceNode,
    SwarmRequest, Timestamp,
};

struct Counter(u64);
impl RngCore for Counter {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1);
        self.0
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        dest.iter_mut().for_each(|b| *b = self.next_u64() as u8);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}
impl CryptoRng for Counter {}

fuzz_target!(|data: &[u8]| {
    let _ = parse_wrong_swarm_reply(data);
    let members: Vec<ServiceNode> = (1..=3u8)
        .map(|i| ServiceNode {
            ed25519: Ed25519PublicKey::from_bytes([i; 32]),
            x25519: X25519PublicKey::from_bytes([i; 32]),
            ip: [10, 0, i, 1].into(),
            https_port: 443,
            omq_port: None,
            swarm_id: None,
        })
        .collect();
    let limits = RetryLimits::default();
    let target = SessionId::new(Prefix::User, [7; 32]);
    let mut request = SwarmRequest::with_limits(target, &members, ClockOffset::ZERO, limits);
    let mut rng = Counter(data.len() as u64);
    let mut attempts = 0;
    while request.next_attempt(&mut rng).is_ok() {
        attempts += 1;
        assert!(attempts <= limits.max_attempts);
        let outcome = Outcome::Reply { status: 421, body: data };
        if matches!(
            request.handle(outcome, Timestamp::from_millis(1)),
            Decision::Fail(_) | Decision::Done { .. }
        ) {
            break;
        }
    }
});
