//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use serde_json::Value;
use session_identity::{Identity, Prefix, SessionId, X25519PublicKey};

/// The recorded-randomness RNG, under the name these tests use.
pub use session_identity::test_util::ReplayRng as Replay;

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
