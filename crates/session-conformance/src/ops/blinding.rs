//! §2.3: community (SOGS) blinding and version-check (07) signing.

use session_identity::blinding::{self, BlindingError, BlindingKind, Platform};

use super::Handler;
use crate::error::{OpError, OpResult, Output};
use crate::request::Request;

pub(super) const OPS: &[(&str, Handler)] = &[
    ("blind15.id", blind15_id),
    ("blind25.id", blind25_id),
    ("blind15.id_from_session_id", blind15_id_from_session_id),
    ("blind25.id_from_session_id", blind25_id_from_session_id),
    ("blind15.sign", blind15_sign),
    ("blind25.sign", blind25_sign),
    ("blinded.verify", blinded_verify),
    ("blind.matches", matches),
    ("blind_version.key_pair", version_key_pair),
    ("blind_version.sign", version_sign),
    ("blind_version.sign_request", version_sign_request),
];

/// A point that cannot be blinded (off the curve, small order, outside the prime-order
/// subgroup) is a failed point check. The prefix errors cannot happen: `Request` checked them.
fn error(e: BlindingError) -> OpError {
    match e {
        BlindingError::NotAUserId(_) | BlindingError::NotABlindedId(_) => {
            OpError::bad_request(e.to_string())
        }
        _ => OpError::crypto(e.to_string()),
    }
}

/// `seed`, `server_pk` → `blinded_id` of `kind`, from the real Ed25519 key.
fn blinded_id(req: &Request<'_>, kind: BlindingKind) -> OpResult {
    let id = req.identity("seed")?;
    let server_pk = req.ed25519_pk("server_pk")?;
    let pair = id.blinded_key_pair(kind, &server_pk);
    Ok(Output::new().hex("blinded_id", pair.blinded_id().to_bytes()))
}

fn blind15_id(req: &Request<'_>) -> OpResult {
    blinded_id(req, BlindingKind::Blind15)
}

fn blind25_id(req: &Request<'_>) -> OpResult {
    blinded_id(req, BlindingKind::Blind25)
}

/// `session_id` (33 B with 05, or 32 B), `server_pk` → `blinded_ids` `[positive, negative]`.
fn blind15_id_from_session_id(req: &Request<'_>) -> OpResult {
    let session_id = req.user_session_id("session_id")?;
    let server_pk = req.ed25519_pk("server_pk")?;
    let ids = blinding::blind15_ids_from_session_id(&session_id, &server_pk).map_err(error)?;
    Ok(Output::new().hex_list("blinded_ids", ids.iter().map(|id| id.to_bytes())))
}

/// `session_id` (33 B with 05, or 32 B), `server_pk` → `blinded_id`.
fn blind25_id_from_session_id(req: &Request<'_>) -> OpResult {
    let session_id = req.user_session_id("session_id")?;
    let server_pk = req.ed25519_pk("server_pk")?;
    let id = blinding::blind25_id_from_session_id(&session_id, &server_pk).map_err(error)?;
    Ok(Output::new().hex("blinded_id", id.to_bytes()))
}

/// `seed`, `server_pk`, `message` → `signature` under the blinded key of `kind`.
fn blinded_sign(req: &Request<'_>, kind: BlindingKind) -> OpResult {
    let id = req.identity("seed")?;
    let server_pk = req.ed25519_pk("server_pk")?;
    let message = req.hex("message")?;
    let pair = id.blinded_key_pair(kind, &server_pk);
    Ok(Output::new().hex("signature", pair.sign(&message)))
}

fn blind15_sign(req: &Request<'_>) -> OpResult {
    blinded_sign(req, BlindingKind::Blind15)
}

fn blind25_sign(req: &Request<'_>) -> OpResult {
    blinded_sign(req, BlindingKind::Blind25)
}

/// `blinded_id` (33 B, 15/25), `message`, `signature` → `valid`.
fn blinded_verify(req: &Request<'_>) -> OpResult {
    let (_, blinded_id) = req.blinded_id("blinded_id")?;
    let message = req.hex("message")?;
    let signature = req.signature("signature")?;
    let valid = match blinding::verify_blinded_signature(&blinded_id, &message, &signature) {
        Ok(()) => true,
        Err(BlindingError::Signature(_)) => false,
        Err(e) => return Err(error(e)),
    };
    Ok(Output::new().bool("valid", valid))
}

/// `session_id` (33 B, 05), `blinded_id` (33 B, 15/25), `server_pk` → `matches`.
fn matches(req: &Request<'_>) -> OpResult {
    let session_id = req.strict_user_session_id("session_id")?;
    let (_, blinded_id) = req.blinded_id("blinded_id")?;
    let server_pk = req.ed25519_pk("server_pk")?;
    let matches = blinding::session_id_matches_blinded_id(&session_id, &blinded_id, &server_pk)
        .map_err(error)?;
    Ok(Output::new().bool("matches", matches))
}

/// `seed` → `pubkey`, `seckey` (64 B) of the version-check key pair.
fn version_key_pair(req: &Request<'_>) -> OpResult {
    let pair = req.identity("seed")?.version_check_key_pair();
    let seckey = pair.expose_secret_key();
    Ok(Output::new()
        .hex("pubkey", pair.public_key())
        .hex("seckey", seckey.as_slice()))
}

/// `seed`, `platform` (android/desktop/ios), `timestamp` → `signature`.
fn version_sign(req: &Request<'_>) -> OpResult {
    let id = req.identity("seed")?;
    let platform: Platform = req
        .str("platform")?
        .parse()
        .map_err(|_| OpError::bad_request("field `platform` must be android, desktop or ios"))?;
    let timestamp = req.u64("timestamp")?;
    let signature = id
        .version_check_key_pair()
        .sign_version_request(platform, timestamp);
    Ok(Output::new().hex("signature", signature))
}

/// `seed`, `timestamp`, `method`, `path`, `body` (optional hex) → `signature`.
fn version_sign_request(req: &Request<'_>) -> OpResult {
    let id = req.identity("seed")?;
    let timestamp = req.u64("timestamp")?;
    let method = req.str("method")?;
    let path = req.str("path")?;
    let body = req.opt_hex("body")?;
    let signature =
        id.version_check_key_pair()
            .sign_request(timestamp, method, path, body.as_deref());
    Ok(Output::new().hex("signature", signature))
}
