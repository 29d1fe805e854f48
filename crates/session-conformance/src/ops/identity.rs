//! §2.1: identity, Ed25519 and BLAKE2b.

use session_identity::hash::{Blake2b, MAX_KEY_LEN, MAX_OUTPUT_LEN, MIN_OUTPUT_LEN};

use super::Handler;
use crate::error::{OpError, OpResult, Output};
use crate::request::Request;

pub(super) const OPS: &[(&str, Handler)] = &[
    ("identity.from_seed", from_seed),
    ("ed25519.sign", sign),
    ("ed25519.verify", verify),
    ("hash.blake2b", blake2b),
];

/// `seed` → `ed25519_pk`, `x25519_pk`, `session_id`.
fn from_seed(req: &Request<'_>) -> OpResult {
    let id = req.identity("seed")?;
    Ok(Output::new()
        .hex("ed25519_pk", id.ed25519_public_key())
        .hex("x25519_pk", id.x25519_public_key())
        .hex("session_id", id.session_id().to_bytes()))
}

/// `seed`, `message` → `signature` (plain Ed25519).
fn sign(req: &Request<'_>) -> OpResult {
    let id = req.identity("seed")?;
    let message = req.hex("message")?;
    Ok(Output::new().hex("signature", id.sign(&message)))
}

/// `pubkey` (32), `message`, `signature` (64) → `valid`.
fn verify(req: &Request<'_>) -> OpResult {
    let pubkey = req.ed25519_pk("pubkey")?;
    let message = req.hex("message")?;
    let signature = req.signature("signature")?;
    let valid = pubkey.verify(&message, &signature).is_ok();
    Ok(Output::new().bool("valid", valid))
}

/// `message`, `size` (16..=64, default 32), `key` (optional, at most 64 bytes) → `hash`.
fn blake2b(req: &Request<'_>) -> OpResult {
    let message = req.hex("message")?;
    let size = req.u64_or("size", 32)?;
    let size = usize::try_from(size)
        .ok()
        .filter(|s| (MIN_OUTPUT_LEN..=MAX_OUTPUT_LEN).contains(s))
        .ok_or_else(|| {
            OpError::bad_request(format!(
                "size {size} is outside {MIN_OUTPUT_LEN}..={MAX_OUTPUT_LEN}"
            ))
        })?;
    let key = req.opt_hex("key")?;
    if let Some(key) = &key {
        if key.len() > MAX_KEY_LEN {
            return Err(OpError::bad_request(format!(
                "key is {} bytes; at most {MAX_KEY_LEN}",
                key.len()
            )));
        }
    }
    let mut hash = vec![0u8; size];
    Blake2b::new(size, key.as_deref())
        .and_then(|h| h.chain(&message).finalize_into(&mut hash))
        .map_err(|e| OpError::bad_request(e.to_string()))?;
    Ok(Output::new().hex("hash", hash))
}
