//! Community (SOGS) request and message signing: `sogs.sign_request` (CONFORMANCE.md §2.14),
//! `sogs.sign_message` and `sogs.signed_path` (docs/CONFORMANCE-EXTRA.md).

use session_community::auth::{self, AuthKind, Signer};
use session_community::ServerKey;

use super::Handler;
use crate::error::{OpError, OpResult, Output};
use crate::request::Request;
use crate::rng::RequestRng;

pub(super) const OPS: &[(&str, Handler)] = &[
    ("sogs.sign_request", sign_request),
    ("sogs.sign_message", sign_message),
    ("sogs.signed_path", signed_path),
];

/// `blind`: exactly `"unblinded"`, `"15"` or `"25"` (a JSON string).
fn blind(req: &Request<'_>) -> Result<AuthKind, OpError> {
    match req.str("blind")? {
        "unblinded" => Ok(AuthKind::Unblinded),
        "15" => Ok(AuthKind::Blind15),
        "25" => Ok(AuthKind::Blind25),
        other => Err(OpError::bad_request(format!(
            "field `blind` must be \"unblinded\", \"15\" or \"25\", got {other:?}"
        ))),
    }
}

/// `seed`, `server_pk` and `blind`: the signer.
fn signer(req: &Request<'_>) -> Result<Signer, OpError> {
    let identity = req.identity("seed")?;
    let server = ServerKey::from_bytes(req.hex_array::<32>("server_pk")?);
    Ok(Signer::new(&identity, &server, blind(req)?))
}

/// `seed`, `server_pk`, `method`, `path`, `timestamp`, `nonce`, `body` (optional), `blind` →
/// `pubkey` (the `X-SOGS-Pubkey` bytes), `signature`.
fn sign_request(req: &Request<'_>) -> OpResult {
    let signer = signer(req)?;
    let method = req.str("method")?;
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(OpError::bad_request(
            "field `method` must be a non-empty run of ASCII A-Z",
        ));
    }
    let path = req.str("path")?;
    if !path.starts_with('/') {
        return Err(OpError::bad_request("field `path` must start with /"));
    }
    let timestamp = req.u64("timestamp")?;
    let nonce = req.hex_array::<16>("nonce")?;
    let body = req.opt_hex("body")?.unwrap_or_default();
    let headers = signer.sign_request(method, path.as_bytes(), &body, timestamp, nonce);
    Ok(Output::new()
        .hex("pubkey", headers.pubkey.to_bytes())
        .hex("signature", headers.signature))
}

/// `seed`, `server_pk`, `data`, `blind`, `rng_bytes` (optional) → `sender` (the ID the server
/// shows for the poster), `signature` (over `data`).
fn sign_message(req: &Request<'_>) -> OpResult {
    let signer = signer(req)?;
    let data = req.hex("data")?;
    let mut rng = RequestRng::for_request(req)?;
    let signature = signer.sign_message_data(&data, &mut rng);
    rng.finish()?;
    Ok(Output::new()
        .hex("sender", signer.server_id().to_bytes())
        .hex("signature", signature))
}

/// `endpoint` (a string) → `path`: the bytes the server verifies for it, as a string.
fn signed_path(req: &Request<'_>) -> OpResult {
    let endpoint = req.str("endpoint")?;
    let path = auth::signed_path(endpoint)
        .map_err(|e| OpError::bad_request(format!("field `endpoint`: {e}")))?;
    // `signed_path` checked that the decoded path is UTF-8; the query is the endpoint's own.
    let text = String::from_utf8(path)
        .map_err(|_| OpError::bad_request("field `endpoint`: decodes to non-UTF-8"))?;
    Ok(Output::new().string("path", text))
}
