//! §2.7–2.8: swarm mapping and storage-server request signatures.

use serde_json::Value;
use session_identity::{Prefix, SessionId};
use session_swarm::{
    select_swarm, swarm_space, swarm_space_of, ExpiryMode, Namespace, NamespaceSelector,
    SignedAction, Signer, SwarmId, Timestamp,
};

use super::Handler;
use crate::error::{OpError, OpResult, Output};
use crate::request::{is_decimal, json_type, Request};

/// The swarm ops.
pub(crate) const OPS: &[(&str, Handler)] = &[
    ("swarm.space", space),
    ("swarm.select", select),
    ("storage.sign", storage_sign),
];

/// `pubkey`: 32 bytes, or 33 with a `05` or `03` prefix → its swarm-space position.
fn position(req: &Request<'_>) -> Result<u64, OpError> {
    let bytes = req.hex("pubkey")?;
    if let Ok(key) = <[u8; 32]>::try_from(bytes.as_slice()) {
        return Ok(swarm_space(&key));
    }
    if bytes.len() != SessionId::LEN {
        return Err(OpError::bad_request(format!(
            "field `pubkey` must be 32 bytes, or 33 with a 05/03 prefix; got {}",
            bytes.len()
        )));
    }
    let id = SessionId::from_bytes(&bytes)
        .map_err(|e| OpError::bad_request(format!("field `pubkey`: {e}")))?;
    match id.prefix() {
        Prefix::User | Prefix::Group => Ok(swarm_space_of(&id)),
        other => Err(OpError::bad_request(format!(
            "field `pubkey`: prefix {other} is neither 05 nor 03"
        ))),
    }
}

/// `pubkey` → `space` (decimal).
fn space(req: &Request<'_>) -> OpResult {
    Ok(Output::new().string("space", position(req)?.to_string()))
}

/// Entry `index` of `swarm_ids`: a decimal string in `0..2^64` (a JSON number is ill-typed).
fn swarm_id(index: usize, value: &Value) -> Result<SwarmId, OpError> {
    let bad = |what: &str| {
        OpError::bad_request(format!(
            "`swarm_ids[{index}]` must be a decimal u64 string, got {what}"
        ))
    };
    match value {
        Value::String(s) if is_decimal(s) => s
            .parse()
            .map(SwarmId::new)
            .map_err(|_| bad("an out-of-range value")),
        Value::String(_) => Err(bad("a non-decimal string")),
        other => Err(bad(json_type(other))),
    }
}

/// `pubkey`, `swarm_ids` → `swarm_id` (decimal).
fn select(req: &Request<'_>) -> OpResult {
    let position = position(req)?;
    let ids = req
        .array("swarm_ids")?
        .iter()
        .enumerate()
        .map(|(i, id)| swarm_id(i, id))
        .collect::<Result<Vec<_>, _>>()?;
    let chosen = select_swarm(position, &ids)
        .ok_or_else(|| OpError::bad_request("`swarm_ids` must not be empty"))?;
    Ok(Output::new().string("swarm_id", chosen.get().to_string()))
}

/// A namespace number in the storage servers' 16-bit range: a JSON integer.
fn namespace_number(value: &Value) -> Result<Namespace, OpError> {
    value
        .as_i64()
        .and_then(|n| i16::try_from(n).ok())
        .map(Namespace::new)
        .ok_or_else(|| {
            OpError::bad_request(format!(
                "field `namespace` must be a 16-bit integer, got {}",
                json_type(value)
            ))
        })
}

/// `namespace`: a 16-bit integer, 0 when absent.
fn namespace(req: &Request<'_>) -> Result<Namespace, OpError> {
    req.get("namespace")
        .map_or(Ok(Namespace::DEFAULT), namespace_number)
}

/// `namespace`: a 16-bit integer or `"all"`, the default namespace when absent.
fn namespace_selector(req: &Request<'_>) -> Result<NamespaceSelector, OpError> {
    match req.get("namespace") {
        None => Ok(Namespace::DEFAULT.into()),
        Some(Value::String(s)) if s == "all" => Ok(NamespaceSelector::All),
        Some(value) => namespace_number(value).map(NamespaceSelector::One),
    }
}

/// `messages`: a non-empty list of strings.
fn messages<'a>(req: &Request<'a>) -> Result<Vec<&'a str>, OpError> {
    let list = req.array("messages")?;
    if list.is_empty() {
        return Err(OpError::bad_request("field `messages` must not be empty"));
    }
    list.iter()
        .enumerate()
        .map(|(i, m)| {
            m.as_str().ok_or_else(|| {
                OpError::bad_request(format!(
                    "`messages[{i}]` must be a string, got {}",
                    json_type(m)
                ))
            })
        })
        .collect()
}

fn time(req: &Request<'_>, name: &str) -> Result<Timestamp, OpError> {
    req.u64(name).map(Timestamp::from_millis)
}

/// `seed`, `method` and the method's fields → `signature_b64`, `signed_message`,
/// `pubkey_ed25519`.
fn storage_sign(req: &Request<'_>) -> OpResult {
    let identity = req.identity("seed")?;
    let method = req.str("method")?;
    let hashes;
    let action = match method {
        "store" => SignedAction::Store {
            namespace: namespace(req)?,
            timestamp: time(req, "timestamp_ms")?,
        },
        "retrieve" => SignedAction::Retrieve {
            namespace: namespace(req)?,
            timestamp: time(req, "timestamp_ms")?,
        },
        "delete" => {
            hashes = messages(req)?;
            SignedAction::Delete { messages: &hashes }
        }
        "delete_all" => SignedAction::DeleteAll {
            namespace: namespace_selector(req)?,
            timestamp: time(req, "timestamp_ms")?,
        },
        "delete_before" => SignedAction::DeleteBefore {
            namespace: namespace_selector(req)?,
            before: time(req, "before_ms")?,
        },
        "expire_all" => SignedAction::ExpireAll {
            namespace: namespace_selector(req)?,
            expiry: time(req, "expiry_ms")?,
        },
        "expire" => {
            let mode = match (
                req.bool_or("shorten", false)?,
                req.bool_or("extend", false)?,
            ) {
                (true, true) => {
                    return Err(OpError::bad_request(
                        "`shorten` and `extend` cannot both be set",
                    ))
                }
                (true, false) => ExpiryMode::Shorten,
                (false, true) => ExpiryMode::Extend,
                (false, false) => ExpiryMode::Set,
            };
            let expiry = time(req, "expiry_ms")?;
            hashes = messages(req)?;
            SignedAction::Expire {
                mode,
                expiry,
                messages: &hashes,
            }
        }
        "get_expiries" => {
            let timestamp = time(req, "timestamp_ms")?;
            hashes = messages(req)?;
            SignedAction::GetExpiries {
                timestamp,
                messages: &hashes,
            }
        }
        other => {
            return Err(OpError::bad_request(format!(
                "unknown storage method {other:?}"
            )))
        }
    };
    let auth = Signer::user(&identity).authenticate(&action);
    Ok(Output::new()
        .string("signature_b64", auth.signature_base64())
        .hex("signed_message", auth.message())
        .hex("pubkey_ed25519", identity.ed25519_public_key()))
}
