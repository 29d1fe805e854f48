//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use rand_chacha::rand_core::{CryptoRng, Error, RngCore};
use serde_json::Value;
use session_identity::{Ed25519PublicKey, X25519PublicKey, X25519SecretKey};

/// An RNG that returns exactly the recorded bytes, in order, and panics past their end.
pub struct ReplayRng {
    bytes: Vec<u8>,
    pos: usize,
}

impl ReplayRng {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self { bytes, pos: 0 }
    }

    /// Whether every recorded byte was drawn.
    pub fn is_exhausted(&self) -> bool {
        self.pos == self.bytes.len()
    }
}

impl RngCore for ReplayRng {
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
        assert!(end <= self.bytes.len(), "replay RNG exhausted");
        dest.copy_from_slice(&self.bytes[self.pos..end]);
        self.pos = end;
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl CryptoRng for ReplayRng {}

pub fn records(json: &str) -> Vec<Value> {
    serde_json::from_str::<Value>(json)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

pub fn bytes(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

pub fn key32(v: &Value) -> [u8; 32] {
    bytes(v).try_into().unwrap()
}

pub fn x_pk(v: &Value) -> X25519PublicKey {
    X25519PublicKey::from_bytes(key32(v))
}

pub fn x_sk(v: &Value) -> X25519SecretKey {
    X25519SecretKey::from_bytes(key32(v))
}

pub fn ed_pk(v: &Value) -> Ed25519PublicKey {
    Ed25519PublicKey::from_bytes(key32(v))
}
