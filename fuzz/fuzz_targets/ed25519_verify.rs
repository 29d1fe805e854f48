//! Signature verification of hostile keys and signatures: never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_identity::{blinding, Ed25519PublicKey, SessionId, Signature};

fuzz_target!(|data: &[u8]| {
    if data.len() < 97 {
        return;
    }
    let (head, message) = data.split_at(97);
    let Some(signature) = Signature::from_slice(&head[33..97]) else {
        return;
    };
    if let Some(key) = Ed25519PublicKey::from_slice(&head[1..33]) {
        let _ = key.verify(message, &signature);
    }
    if let Ok(id) = SessionId::from_bytes(&head[..33]) {
        let _ = blinding::verify_blinded_signature(&id, message, &signature);
    }
});
