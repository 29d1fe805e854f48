//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use rand_core::{CryptoRng, RngCore};
use serde_json::Value;
use session_identity::{Identity, Prefix, SessionId, X25519PublicKey};

/// An RNG that returns exactly the recorded bytes, in order, and fails the test if more are
/// drawn.
pub struct Replay {
    bytes: Vec<u8>,
    pos: usize,
}

impl Replay {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self { bytes, pos: 0 }
    }

    /// Whether every recorded byte was drawn.
    pub fn exhausted(&self) -> bool {
        self.pos == self.bytes.len()
    }
}

impl RngCore for Replay {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0; 4];
        self.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }
    fn next_u64(&mut self) -> u64 {
        let mut b = [0; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        let end = self.pos + dest.len();
        assert!(
            end <= self.bytes.len(),
            "drew more randomness than recorded"
        );
        dest.copy_from_slice(&self.bytes[self.pos..end]);
        self.pos = end;
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl CryptoRng for Replay {}

pub fn load(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub fn hex_field(record: &Value, field: &str) -> Vec<u8> {
    hex::decode(
        record[field]
            .as_str()
            .unwrap_or_else(|| panic!("no field {field}")),
    )
    .unwrap()
}

pub fn identity(record: &Value, field: &str) -> Identity {
    Identity::from_secret_bytes(&hex_field(record, field)).unwrap()
}

/// A 32-byte key or a 33-byte `05` Session ID, as libsession accepts a recipient.
pub fn recipient_key(bytes: &[u8]) -> X25519PublicKey {
    match bytes.len() {
        32 => X25519PublicKey::from_slice(bytes).unwrap(),
        33 => SessionId::from_bytes(bytes)
            .unwrap()
            .require_prefix(Prefix::User)
            .unwrap()
            .x25519_public_key()
            .unwrap(),
        n => panic!("recipient of {n} bytes"),
    }
}

pub fn session_id(record: &Value, field: &str) -> SessionId {
    SessionId::from_bytes(&hex_field(record, field)).unwrap()
}
