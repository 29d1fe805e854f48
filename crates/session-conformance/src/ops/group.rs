//! §2.9: `03` group messages.

use serde_json::Value;
use session_envelope::group::{self, EncryptOptions, GroupEncryptionKey, GroupMessageError};

use super::Handler;
use crate::error::{OpError, OpResult, Output};
use crate::request::{json_type, Request};
use crate::rng::RequestRng;

/// The group ops.
pub(crate) const OPS: &[(&str, Handler)] = &[
    ("group.encrypt_message", encrypt_message),
    ("group.decrypt_message", decrypt_message),
];

/// A message too large to encrypt is the request's fault; every other failure is a check
/// that failed.
fn group_error(e: GroupMessageError) -> OpError {
    match e {
        GroupMessageError::TooLarge { .. } | GroupMessageError::PaddingTooLarge { .. } => {
            OpError::bad_request(e.to_string())
        }
        _ => OpError::crypto(e.to_string()),
    }
}

/// A 32-byte group encryption key field.
fn group_key(req: &Request<'_>, name: &str) -> Result<GroupEncryptionKey, OpError> {
    req.hex_array::<32>(name)
        .map(GroupEncryptionKey::from_bytes)
}

/// A list of 32-byte hex keys (`group_enc_keys`).
fn group_keys(req: &Request<'_>, name: &str) -> Result<Vec<GroupEncryptionKey>, OpError> {
    req.array(name)?
        .iter()
        .enumerate()
        .map(|(index, value)| {
            let Value::String(text) = value else {
                return Err(OpError::bad_request(format!(
                    "field `{name}[{index}]` must be a hex string, got {}",
                    json_type(value)
                )));
            };
            hex::decode(text)
                .ok()
                .and_then(|bytes| GroupEncryptionKey::from_slice(&bytes))
                .ok_or_else(|| {
                    OpError::bad_request(format!(
                        "field `{name}[{index}]` must be a 32-byte hex key"
                    ))
                })
        })
        .collect()
}

/// `group_enc_key`, `seed` (sender), `plaintext`, `compress` (default false), `padding`
/// (default 256) → `ciphertext`.
fn encrypt_message(req: &Request<'_>) -> OpResult {
    let key = group_key(req, "group_enc_key")?;
    let sender = req.identity("seed")?;
    let plaintext = req.hex("plaintext")?;
    let compress = req.bool_or("compress", false)?;
    let padding = usize::try_from(req.u64_or("padding", group::DEFAULT_PADDING as u64)?)
        .map_err(|_| OpError::bad_request("field `padding` is too large"))?;
    let mut rng = RequestRng::for_request(req)?;
    let ciphertext = group::encrypt(
        &key,
        &sender,
        &plaintext,
        EncryptOptions { compress, padding },
        &mut rng,
    )
    .map_err(group_error)?;
    rng.finish()?;
    Ok(Output::new().hex("ciphertext", ciphertext))
}

/// `group_enc_keys` (tried in order), `ciphertext` → `plaintext`, `sender_session_id`.
fn decrypt_message(req: &Request<'_>) -> OpResult {
    let keys = group_keys(req, "group_enc_keys")?;
    let ciphertext = req.hex("ciphertext")?;
    let message = group::decrypt(&keys, &ciphertext).map_err(group_error)?;
    Ok(Output::new()
        .hex("plaintext", &message.plaintext)
        .string("sender_session_id", message.sender_session_id.to_hex()))
}
