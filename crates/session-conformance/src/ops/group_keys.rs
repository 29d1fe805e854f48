//! §2.9.1: `03` group keys messages (namespace 12): rekey, supplement, load; and the
//! multi-recipient encryption of CONFORMANCE-EXTRA.md.

use serde_json::{json, Map, Value};
use session_envelope::multi;
use session_envelope::GroupEncryptionKey;
use session_groups::{GroupKey, GroupSecret, Keys};
use session_identity::{Prefix, SessionId, X25519PublicKey};

use super::Handler;
use crate::error::{OpError, OpResult, Output};
use crate::request::{json_type, Request};
use crate::rng::RequestRng;

/// The group keys ops.
pub(crate) const OPS: &[(&str, Handler)] = &[
    ("group_keys.rekey", rekey),
    ("group_keys.supplement", supplement),
    ("group_keys.load", load),
    ("multi.encrypt_simple", multi_encrypt),
    ("multi.decrypt_simple", multi_decrypt),
];

/// `group_seed`: the 32-byte seed or the 64-byte secret key.
fn group_secret(req: &Request<'_>, name: &str) -> Result<GroupSecret, OpError> {
    let bytes = req.hex(name)?;
    if let Ok(seed) = <[u8; 32]>::try_from(bytes.as_slice()) {
        return Ok(GroupSecret::from_seed(seed));
    }
    let sk: [u8; 64] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| OpError::bad_request(format!("field `{name}` must be 32 or 64 bytes")))?;
    GroupSecret::from_ed25519_secret_key(&sk)
        .map_err(|e| OpError::bad_request(format!("field `{name}`: {e}")))
}

/// A list of 66-hex `05` Session IDs.
fn member_ids(req: &Request<'_>, name: &str) -> Result<Vec<SessionId>, OpError> {
    req.array(name)?
        .iter()
        .enumerate()
        .map(|(index, value)| {
            let Value::String(text) = value else {
                return Err(OpError::bad_request(format!(
                    "field `{name}[{index}]` must be a string, got {}",
                    json_type(value)
                )));
            };
            SessionId::parse_with_prefix(text, Prefix::User)
                .map_err(|e| OpError::bad_request(format!("field `{name}[{index}]`: {e}")))
        })
        .collect()
}

/// The objects of a list field, as requests of their own.
fn objects<'a>(req: &Request<'a>, name: &str) -> Result<Vec<&'a Map<String, Value>>, OpError> {
    req.array(name)?
        .iter()
        .enumerate()
        .map(|(index, value)| match value {
            Value::Object(map) => Ok(map),
            other => Err(OpError::bad_request(format!(
                "field `{name}[{index}]` must be an object, got {}",
                json_type(other)
            ))),
        })
        .collect()
}

/// `timestamp_ms`: a non-negative JSON integer within the i64 range.
fn timestamp(item: &Request<'_>) -> Result<i64, OpError> {
    i64::try_from(item.u64("timestamp_ms")?)
        .map_err(|_| OpError::bad_request("field `timestamp_ms` is too large"))
}

fn key_hex(key: &GroupEncryptionKey) -> Value {
    Value::String(hex::encode(key.expose_secret_bytes()))
}

fn keys_json(keys: &Keys) -> Value {
    Value::Array(keys.keys().map(|k| key_hex(&k.key)).collect())
}

/// `group_seed`, `generation`, `member_session_ids` → `key_message`, `enc_key`.
fn rekey(req: &Request<'_>) -> OpResult {
    let group = group_secret(req, "group_seed")?;
    let generation = req.u64("generation")?;
    if generation > i64::MAX as u64 {
        return Err(OpError::bad_request("field `generation` is too large"));
    }
    let members = member_ids(req, "member_session_ids")?;
    let made = session_groups::rekey(&group, generation, &members);
    Ok(Output::new()
        .hex("key_message", &made.message)
        .hex("enc_key", made.key.expose_secret_bytes()))
}

/// `group_seed`, `keys` (`{generation, key, timestamp_ms}`), `member_session_ids` → `message`.
fn supplement(req: &Request<'_>) -> OpResult {
    let group = group_secret(req, "group_seed")?;
    let mut keys = Vec::new();
    for map in objects(req, "keys")? {
        let item = Request::new(map);
        let generation = item.u64("generation")?;
        if generation > i64::MAX as u64 {
            return Err(OpError::bad_request("field `generation` is too large"));
        }
        keys.push(GroupKey {
            generation,
            timestamp_ms: timestamp(&item)?,
            key: GroupEncryptionKey::from_bytes(item.hex_array::<32>("key")?),
        });
    }
    let members = member_ids(req, "member_session_ids")?;
    let message = session_groups::supplement(&group, &keys, &members)
        .ok_or_else(|| OpError::bad_request("field `keys` is empty"))?;
    Ok(Output::new().hex("message", message))
}

/// `seed`, `group_ed25519_pk`, `group_seed` (optional), `messages` → `results`, `keys`,
/// `enc_key`, `current_hashes`.
fn load(req: &Request<'_>) -> OpResult {
    let user = req.identity("seed")?;
    let group_pk = req.ed25519_pk("group_ed25519_pk")?;
    let secret = match req.get("group_seed") {
        None | Some(Value::Null) => None,
        Some(_) => Some(group_secret(req, "group_seed")?),
    };
    let messages = objects(req, "messages")?;
    let mut parsed = Vec::with_capacity(messages.len());
    for map in messages {
        let item = Request::new(map);
        parsed.push((
            item.str("hash")?.to_owned(),
            item.hex("data")?,
            timestamp(&item)?,
        ));
    }
    let mut keys = Keys::new(user, group_pk, secret).map_err(|e| match e {
        session_groups::KeysError::InvalidGroupKey => OpError::crypto(e.to_string()),
        _ => OpError::bad_request(e.to_string()),
    })?;
    let mut results = Vec::with_capacity(parsed.len());
    for (hash, data, timestamp) in &parsed {
        let outcome = keys.load(hash, data, *timestamp);
        results.push(json!({
            "found": outcome.as_ref().is_ok_and(|l| l.found),
            "rejected": outcome.is_err(),
            "keys": keys_json(&keys),
            "generation": keys.current_generation(),
        }));
    }
    let enc_key = keys.encryption_key().map_or(Value::Null, key_hex);
    let hashes: Vec<Value> = keys
        .current_hashes()
        .into_iter()
        .map(|h| Value::String(h.to_owned()))
        .collect();
    Ok(Output::new()
        .value("results", Value::Array(results))
        .value("keys", keys_json(&keys))
        .value("enc_key", enc_key)
        .value("current_hashes", Value::Array(hashes)))
}

/// A list of hex byte strings.
fn hex_list(req: &Request<'_>, name: &str) -> Result<Vec<Vec<u8>>, OpError> {
    req.array(name)?
        .iter()
        .enumerate()
        .map(|(index, value)| match value {
            Value::String(text) => hex::decode(text)
                .map_err(|_| OpError::bad_request(format!("field `{name}[{index}]` is not hex"))),
            other => Err(OpError::bad_request(format!(
                "field `{name}[{index}]` must be a hex string, got {}",
                json_type(other)
            ))),
        })
        .collect()
}

fn multi_error(e: multi::MultiEncryptError) -> OpError {
    match e {
        multi::MultiEncryptError::DomainTooLong { .. }
        | multi::MultiEncryptError::MessageCount { .. } => OpError::bad_request(e.to_string()),
        _ => OpError::crypto(e.to_string()),
    }
}

/// `seed` (sender), `recipients` (X25519 keys), `messages`, `domain`, `nonce` (optional),
/// `pad` (default 0) → `encoded`.
fn multi_encrypt(req: &Request<'_>) -> OpResult {
    let sender = req.identity("seed")?;
    let recipients: Vec<X25519PublicKey> = hex_list(req, "recipients")?
        .iter()
        .map(|k| {
            X25519PublicKey::from_slice(k)
                .ok_or_else(|| OpError::bad_request("field `recipients`: keys are 32 bytes"))
        })
        .collect::<Result<_, _>>()?;
    let messages = hex_list(req, "messages")?;
    let messages: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    let domain = req.hex("domain")?;
    let nonce = match req.opt_hex("nonce")? {
        None => None,
        Some(n) => Some(
            <[u8; 24]>::try_from(n.as_slice())
                .map_err(|_| OpError::bad_request("field `nonce` must be 24 bytes"))?,
        ),
    };
    let pad = usize::try_from(req.u64_or("pad", 0)?)
        .ok()
        .filter(|&p| p <= 10_000)
        .ok_or_else(|| OpError::bad_request("field `pad` is at most 10000"))?;
    let mut rng = RequestRng::for_request(req)?;
    let encoded = multi::encrypt_simple(
        &messages,
        &recipients,
        &sender,
        nonce,
        &domain,
        pad,
        &mut rng,
    )
    .map_err(multi_error)?;
    rng.finish()?;
    Ok(Output::new().hex("encoded", encoded))
}

/// `seed` (recipient), `sender_x25519_pk`, `encoded`, `domain` → `message`.
fn multi_decrypt(req: &Request<'_>) -> OpResult {
    let recipient = req.identity("seed")?;
    let sender = X25519PublicKey::from_bytes(req.hex_array::<32>("sender_x25519_pk")?);
    let encoded = req.hex("encoded")?;
    let domain = req.hex("domain")?;
    let message =
        multi::decrypt_simple(&encoded, &recipient, &sender, &domain).map_err(multi_error)?;
    Ok(Output::new().hex("message", message))
}
