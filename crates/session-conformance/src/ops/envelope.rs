//! §2.4, §2.5 and §2.10: Session Protocol 1:1 messages, blinded DMs, ONS and push decryption.

use session_envelope::{
    blinded_dm, ons, push, session_protocol, BlindedDmError, ExtrasError, SessionProtocolError,
};

use session_identity::{Identity, X25519PublicKey};

use super::Handler;
use crate::error::{OpError, OpResult, Output};
use crate::request::Request;
use crate::rng::RequestRng;

pub(super) const OPS: &[(&str, Handler)] = &[
    ("session_protocol.encrypt", protocol_encrypt),
    (
        "session_protocol.encrypt_deterministic",
        protocol_encrypt_deterministic,
    ),
    ("session_protocol.decrypt", protocol_decrypt),
    ("blinded_dm.encrypt", blinded_encrypt),
    ("blinded_dm.decrypt", blinded_decrypt),
    ("ons.decrypt", ons_decrypt),
    ("push.decrypt", push_decrypt),
];

fn protocol_error(e: SessionProtocolError) -> OpError {
    OpError::crypto(e.to_string())
}

/// Blinded-ID shape errors are the request's fault; everything else is a failed check.
fn blinded_error(e: BlindedDmError) -> OpError {
    match e {
        BlindedDmError::NotABlindedId(_) | BlindedDmError::MixedPrefixes { .. } => {
            OpError::bad_request(e.to_string())
        }
        _ => OpError::crypto(e.to_string()),
    }
}

fn extras_error(e: ExtrasError) -> OpError {
    OpError::crypto(e.to_string())
}

/// The sender, the recipient's X25519 key and the plaintext of an encrypt request.
fn encrypt_inputs(req: &Request<'_>) -> Result<(Identity, X25519PublicKey, Vec<u8>), OpError> {
    let sender = req.identity("sender_seed")?;
    let recipient = req.user_session_id("recipient_session_id")?;
    let key = recipient
        .x25519_public_key()
        .ok_or_else(|| OpError::bad_request("recipient is not a 05 Session ID"))?;
    Ok((sender, key, req.hex("plaintext")?))
}

/// `sender_seed`, `recipient_session_id` (33 B with 05, or 32 B), `plaintext` → `ciphertext`.
fn protocol_encrypt(req: &Request<'_>) -> OpResult {
    let (sender, key, plaintext) = encrypt_inputs(req)?;
    let mut rng = RequestRng::for_request(req)?;
    let ciphertext =
        session_protocol::encrypt(&sender, &key, &plaintext, &mut rng).map_err(protocol_error)?;
    rng.finish()?;
    Ok(Output::new().hex("ciphertext", ciphertext))
}

/// As `session_protocol.encrypt`, deterministic.
fn protocol_encrypt_deterministic(req: &Request<'_>) -> OpResult {
    let (sender, key, plaintext) = encrypt_inputs(req)?;
    let ciphertext = session_protocol::encrypt_deterministic(&sender, &key, &plaintext)
        .map_err(protocol_error)?;
    Ok(Output::new().hex("ciphertext", ciphertext))
}

/// `recipient_seed`, `ciphertext` → `plaintext`, `sender_session_id`, `sender_ed25519_pk`.
fn protocol_decrypt(req: &Request<'_>) -> OpResult {
    let recipient = req.identity("recipient_seed")?;
    let ciphertext = req.hex("ciphertext")?;
    let opened = session_protocol::decrypt(&recipient, &ciphertext).map_err(protocol_error)?;
    Ok(Output::new()
        .hex("plaintext", &opened.plaintext)
        .string("sender_session_id", opened.sender_session_id.to_hex())
        .hex("sender_ed25519_pk", opened.sender_ed25519.as_bytes()))
}

/// `sender_seed`, `server_pk`, `recipient_blinded_id` (33 B, 15/25), `plaintext` → `ciphertext`.
fn blinded_encrypt(req: &Request<'_>) -> OpResult {
    let sender = req.identity("sender_seed")?;
    let server_pk = req.ed25519_pk("server_pk")?;
    let (_, recipient) = req.blinded_id("recipient_blinded_id")?;
    let plaintext = req.hex("plaintext")?;
    let mut rng = RequestRng::for_request(req)?;
    let ciphertext = blinded_dm::encrypt(&sender, &server_pk, &recipient, &plaintext, &mut rng)
        .map_err(blinded_error)?;
    rng.finish()?;
    Ok(Output::new().hex("ciphertext", ciphertext))
}

/// `seed`, `server_pk`, `sender_blinded_id`, `recipient_blinded_id`, `ciphertext` →
/// `plaintext`, `sender_session_id`.
fn blinded_decrypt(req: &Request<'_>) -> OpResult {
    let own = req.identity("seed")?;
    let server_pk = req.ed25519_pk("server_pk")?;
    let (sender_kind, sender) = req.blinded_id("sender_blinded_id")?;
    let (recipient_kind, recipient) = req.blinded_id("recipient_blinded_id")?;
    if sender_kind != recipient_kind {
        return Err(OpError::bad_request(
            "sender and recipient blinded IDs must have the same prefix",
        ));
    }
    let ciphertext = req.hex("ciphertext")?;
    let opened = blinded_dm::decrypt(&own, &server_pk, &sender, &recipient, &ciphertext)
        .map_err(blinded_error)?;
    Ok(Output::new()
        .hex("plaintext", &opened.plaintext)
        .string("sender_session_id", opened.sender_session_id.to_hex()))
}

/// `name`, `ciphertext`, `nonce` (24 B) → `session_id` (hex of the 33-byte value).
fn ons_decrypt(req: &Request<'_>) -> OpResult {
    let name = req.str("name")?;
    let ciphertext = req.hex("ciphertext")?;
    let nonce = req.hex_array::<24>("nonce")?;
    let value = ons::decrypt_value(name, &ciphertext, &nonce).map_err(extras_error)?;
    Ok(Output::new().hex("session_id", value))
}

/// `payload`, `enc_key` (32 B) → `plaintext`.
fn push_decrypt(req: &Request<'_>) -> OpResult {
    let payload = req.hex("payload")?;
    let key = req.hex_array::<32>("enc_key")?;
    let plaintext = push::decrypt_notification(&payload, &key).map_err(extras_error)?;
    Ok(Output::new().hex("plaintext", plaintext))
}
