//! Helpers shared by the integration tests.
#![allow(dead_code, unused_imports, clippy::unwrap_used)]

use serde_json::Value;
use session_identity::{Ed25519PublicKey, X25519PublicKey, X25519SecretKey};

pub use session_identity::test_util::ReplayRng;

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
