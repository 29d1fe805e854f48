//! §2.9.2: subaccount authentication, how `03` group members access the group's swarm.

use session_identity::Identity;
use session_swarm::subaccount::{
    self, SubaccountAuthData, SubaccountError, SubaccountFlags, SubaccountKey, AUTH_DATA_LEN,
};

use super::Handler;
use crate::error::{OpError, OpResult, Output};
use crate::request::Request;

/// The subaccount ops.
pub(crate) const OPS: &[(&str, Handler)] = &[
    ("group.subaccount_make", make),
    ("group.subaccount_sign", sign),
    ("group.subaccount_verify", verify),
];

/// `group_seed`: the group's 32-byte Ed25519 seed or its 64-byte secret key.
fn group_identity(req: &Request<'_>) -> Result<Identity, OpError> {
    let bytes = req.hex("group_seed")?;
    if bytes.len() != 32 && bytes.len() != 64 {
        return Err(OpError::bad_request(
            "field `group_seed` must be 32 or 64 bytes",
        ));
    }
    Identity::from_secret_bytes(&bytes)
        .map_err(|e| OpError::bad_request(format!("field `group_seed`: {e}")))
}

/// Read, plus `write` and `del` (both default false).
fn flags(req: &Request<'_>) -> Result<SubaccountFlags, OpError> {
    Ok(SubaccountFlags::new(
        req.bool_or("write", false)?,
        req.bool_or("del", false)?,
    ))
}

fn refused(e: SubaccountError) -> OpError {
    match e {
        SubaccountError::BadKey(_) => OpError::crypto(e.to_string()),
        _ => OpError::bad_request(e.to_string()),
    }
}

/// `group_seed`, `session_id`, `write`, `del` → `auth_data`, `token`.
fn make(req: &Request<'_>) -> OpResult {
    let group = group_identity(req)?;
    let member = req.strict_user_session_id("session_id")?;
    let flags = flags(req)?;
    let auth = subaccount::make_auth_data(&group, &member, flags).map_err(refused)?;
    let token = subaccount::token(&group, &member, flags).map_err(refused)?;
    Ok(Output::new()
        .hex("auth_data", auth.expose_bytes())
        .hex("token", token.as_bytes()))
}

/// `seed`, `group_ed25519_pk`, `auth_data`, `message` → `subaccount`, `subaccount_sig`,
/// `signature`.
fn sign(req: &Request<'_>) -> OpResult {
    let member = req.identity("seed")?;
    // Part of the request; the signature does not depend on it.
    req.ed25519_pk("group_ed25519_pk")?;
    let auth = req.hex_array::<AUTH_DATA_LEN>("auth_data")?;
    let message = req.hex("message")?;
    let key =
        SubaccountKey::new(&member, &SubaccountAuthData::from_bytes(auth)).map_err(refused)?;
    let signed = key.sign(&message);
    Ok(Output::new()
        .hex("subaccount", signed.token.as_bytes())
        .hex("subaccount_sig", signed.token_signature.as_bytes())
        .hex("signature", signed.signature.as_bytes()))
}

/// `group_id`, `seed`, `auth_data`, `write`, `del` → `valid`.
fn verify(req: &Request<'_>) -> OpResult {
    let group_id = req.hex_array::<33>("group_id")?;
    if group_id[0] != subaccount::GROUP_PREFIX {
        return Err(OpError::bad_request("field `group_id` must start with 03"));
    }
    let mut group_pk = [0u8; 32];
    group_pk.copy_from_slice(&group_id[1..]);
    let group = session_identity::Ed25519PublicKey::from_bytes(group_pk);
    let member = req.identity("seed")?;
    let auth = req.hex("auth_data")?;
    let required = flags(req)?;
    let valid = SubaccountAuthData::from_slice(&auth)
        .and_then(|auth| auth.verify(&group, &member.ed25519_public_key(), required))
        .is_ok();
    Ok(Output::new().bool("valid", valid))
}
