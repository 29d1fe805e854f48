//! §2.11 and §2.12: config message encryption and config objects (`config.script`).

use serde_json::{json, Map, Value};
use session_config::{
    decrypt, encrypt, pad, Config, EncryptError, GroupKind, GroupSigning, ProfilePic, UserKind,
    UserProfile,
};
use session_identity::{Identity, Seed};

use super::Handler;
use crate::error::{OpError, OpResult, Output};
use crate::request::{json_type, Request};

pub(super) const OPS: &[(&str, Handler)] = &[
    ("config.encrypt", config_encrypt),
    ("config.decrypt", config_decrypt),
    ("config.script", config_script),
];

fn encrypt_error(e: EncryptError) -> OpError {
    match e {
        EncryptError::DomainLength { .. } => OpError::bad_request(format!("field `domain`: {e}")),
        _ => OpError::crypto(e.to_string()),
    }
}

/// `message`, `key_base` (32 B), `domain` (1–24 bytes), `pad` (default false) → `ciphertext`.
fn config_encrypt(req: &Request<'_>) -> OpResult {
    let message = req.hex("message")?;
    let key_base = req.hex_array::<32>("key_base")?;
    let domain = req.str("domain")?;
    let padded = if req.bool_or("pad", false)? {
        pad(&message)
    } else {
        message
    };
    let ciphertext = encrypt(&padded, &key_base, domain).map_err(encrypt_error)?;
    Ok(Output::new().hex("ciphertext", ciphertext))
}

/// `ciphertext`, `key_base`, `domain` → `plaintext` (padding kept).
fn config_decrypt(req: &Request<'_>) -> OpResult {
    let ciphertext = req.hex("ciphertext")?;
    let key_base = req.hex_array::<32>("key_base")?;
    let domain = req.str("domain")?;
    let plaintext = decrypt(&ciphertext, &key_base, domain).map_err(encrypt_error)?;
    Ok(Output::new().hex("plaintext", plaintext))
}

/// The config kinds of §2.12.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScriptKind {
    User(UserKind),
    Group(GroupKind),
}

fn script_kind(req: &Request<'_>) -> Result<ScriptKind, OpError> {
    Ok(match req.str("kind")? {
        "user_profile" => ScriptKind::User(UserKind::UserProfile),
        "contacts" => ScriptKind::User(UserKind::Contacts),
        "convo_info_volatile" => ScriptKind::User(UserKind::ConvoInfoVolatile),
        "user_groups" => ScriptKind::User(UserKind::UserGroups),
        "group_info" => ScriptKind::Group(GroupKind::Info),
        "group_members" => ScriptKind::Group(GroupKind::Members),
        other => {
            return Err(OpError::bad_request(format!(
                "field `kind`: unknown config kind {other:?}"
            )))
        }
    })
}

/// A change of one user-profile field; `None` inside clears it.
#[derive(Debug, Clone, Default)]
struct ProfileFields {
    name: Option<String>,
    profile_pic: Option<Option<ProfilePic>>,
    nts_priority: Option<i64>,
    nts_expiry: Option<u64>,
    blinded_msgreqs: Option<Option<bool>>,
}

/// One parsed step.
#[derive(Debug, Clone)]
enum Step {
    /// `set` with user-profile fields.
    SetProfile(ProfileFields),
    /// A step this runner reads but cannot perform for the kind (typed edits of configs that
    /// have no typed API yet).
    Unsupported(String),
    Push,
    ConfirmPushed(i64, String),
    Merge(Vec<(String, Vec<u8>)>),
    State,
    CurrentHashes,
    Dump,
}

fn wrong(name: &str, expected: &str, got: &Value) -> OpError {
    OpError::bad_request(format!(
        "field `{name}` must be {expected}, got {}",
        json_type(got)
    ))
}

/// The value of `name` in `fields` as given, `null` kept (it clears a field).
fn raw<'a>(fields: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    fields.get(name)
}

fn profile_fields(fields: &Map<String, Value>) -> Result<ProfileFields, OpError> {
    let req = Request::new(fields);
    let mut out = ProfileFields {
        name: req.opt_str("name")?.map(str::to_owned),
        nts_priority: req.opt_i64("nts_priority")?,
        nts_expiry: req.opt_u64("nts_expiry")?,
        ..ProfileFields::default()
    };
    match raw(fields, "profile_pic") {
        None => {}
        Some(Value::Null) => out.profile_pic = Some(None),
        Some(Value::Object(pic)) => {
            let pic = Request::new(pic);
            out.profile_pic = Some(Some(ProfilePic {
                url: pic.str("url")?.to_owned(),
                key: pic.hex_array::<32>("key")?,
            }));
        }
        Some(other) => return Err(wrong("profile_pic", "an object or null", other)),
    }
    match raw(fields, "blinded_msgreqs") {
        None => {}
        Some(Value::Null) => out.blinded_msgreqs = Some(None),
        Some(Value::Bool(b)) => out.blinded_msgreqs = Some(Some(*b)),
        Some(other) => return Err(wrong("blinded_msgreqs", "a boolean or null", other)),
    }
    Ok(out)
}

fn parse_step(kind: ScriptKind, value: &Value) -> Result<Step, OpError> {
    let Value::Object(fields) = value else {
        return Err(wrong("steps", "a list of objects", value));
    };
    let req = Request::new(fields);
    Ok(match req.str("do")? {
        "set" => {
            let fields = req.object("fields")?;
            match kind {
                ScriptKind::User(UserKind::UserProfile) => {
                    Step::SetProfile(profile_fields(fields)?)
                }
                _ => Step::Unsupported("set".into()),
            }
        }
        name @ ("set_item" | "erase_item") => {
            req.str("item_type")?;
            req.object("item")?;
            Step::Unsupported(name.into())
        }
        "push" => Step::Push,
        "confirm_pushed" => Step::ConfirmPushed(req.i64("seqno")?, req.str("hash")?.to_owned()),
        "merge" => {
            let mut messages = Vec::new();
            for message in req.array("messages")? {
                let Value::Object(message) = message else {
                    return Err(wrong("messages", "a list of objects", message));
                };
                let message = Request::new(message);
                messages.push((message.str("hash")?.to_owned(), message.hex("data")?));
            }
            Step::Merge(messages)
        }
        "state" => Step::State,
        "current_hashes" => Step::CurrentHashes,
        "dump" => Step::Dump,
        other => {
            return Err(OpError::bad_request(format!(
                "field `do`: unknown step {other:?}"
            )))
        }
    })
}

/// The object a script drives.
enum Object {
    Profile(Box<UserProfile>),
    Other(Box<Config>),
}

impl Object {
    fn config(&self) -> &Config {
        match self {
            Object::Profile(p) => p.config(),
            Object::Other(c) => c,
        }
    }
}

fn step_error(message: impl core::fmt::Display) -> Value {
    json!({ "error": format!("internal: {message}") })
}

fn set_profile(
    profile: &mut UserProfile,
    f: &ProfileFields,
) -> Result<(), session_config::ProfileError> {
    if let Some(name) = &f.name {
        profile.set_name(name)?;
    }
    if let Some(pic) = &f.profile_pic {
        profile.set_profile_pic(pic.as_ref())?;
    }
    if let Some(priority) = f.nts_priority {
        profile.set_nts_priority(priority)?;
    }
    if let Some(expiry) = f.nts_expiry {
        profile.set_nts_expiry(expiry)?;
    }
    if let Some(flag) = f.blinded_msgreqs {
        profile.set_blinded_msgreqs(flag)?;
    }
    Ok(())
}

fn profile_state(profile: &UserProfile) -> Value {
    json!({
        "name": profile.name(),
        "profile_pic": profile.profile_pic().map(|p| json!({"url": p.url, "key": hex::encode(p.key)})),
        "nts_priority": profile.nts_priority(),
        "nts_expiry": profile.nts_expiry(),
        "blinded_msgreqs": profile.blinded_msgreqs(),
        "needs_push": profile.needs_push(),
    })
}

fn run_step(object: &mut Object, step: &Step) -> Value {
    match step {
        Step::SetProfile(fields) => match object {
            Object::Profile(p) => match set_profile(p, fields) {
                Ok(()) => Value::Null,
                Err(e) => step_error(e),
            },
            Object::Other(_) => step_error("not a user profile"),
        },
        Step::Unsupported(name) => step_error(format!(
            "`{name}` is not implemented for {:?}",
            object.config().kind()
        )),
        Step::Push => {
            let push = match object {
                Object::Profile(p) => p.push(),
                Object::Other(c) => c.push(),
            };
            match push {
                Ok(push) => json!({
                    "seqno": push.seqno,
                    "plaintext": hex::encode(&push.message),
                    "pushed": hex::encode(&push.data),
                    "obsolete": push.obsolete,
                }),
                Err(e) => step_error(e),
            }
        }
        Step::ConfirmPushed(seqno, hash) => {
            match object {
                Object::Profile(p) => p.confirm_pushed(*seqno, hash.as_str()),
                Object::Other(c) => c.confirm_pushed(*seqno, hash.as_str()),
            }
            Value::Null
        }
        Step::Merge(messages) => {
            let messages = messages.iter().map(|(h, d)| (h.as_str(), d.as_slice()));
            let accepted = match object {
                Object::Profile(p) => p.merge(messages),
                Object::Other(c) => c.merge(messages),
            };
            json!({ "accepted": accepted })
        }
        Step::State => match object {
            Object::Profile(p) => profile_state(p),
            Object::Other(c) => step_error(format!(
                "no typed state for {:?} yet (needs_push: {})",
                c.kind(),
                c.needs_push()
            )),
        },
        Step::CurrentHashes => json!({ "hashes": object.config().current_hashes() }),
        Step::Dump => {
            let dump = match object {
                Object::Profile(p) => p.dump(),
                Object::Other(c) => c.dump(),
            };
            json!({ "dump": hex::encode(dump) })
        }
    }
}

fn group_key(req: &Request<'_>, name: &str) -> Result<Vec<[u8; 32]>, OpError> {
    let mut keys = Vec::new();
    for value in req.array(name)? {
        let text = match value {
            Value::String(text) => text,
            other => return Err(wrong(name, "a list of hex strings", other)),
        };
        let key = hex::decode(text)
            .ok()
            .and_then(|k| <[u8; 32]>::try_from(k).ok())
            .ok_or_else(|| OpError::bad_request(format!("field `{name}`: keys are 32-byte hex")))?;
        keys.push(key);
    }
    Ok(keys)
}

/// `kind`, identity fields, `steps` → `results` (one per step; a failed step gives
/// `{"error": …}` and the script goes on).
///
/// UserProfile scripts run whole. The other configs have no typed API yet: their `set`,
/// `set_item`, `erase_item` and `state` steps answer an error entry, and everything else
/// (push, confirm, merge, hashes, dump) runs on the generic config object.
fn config_script(req: &Request<'_>) -> OpResult {
    let kind = script_kind(req)?;
    let mut object = match kind {
        ScriptKind::User(user) => {
            let account = req.identity("seed")?;
            if user == UserKind::UserProfile {
                Object::Profile(Box::new(UserProfile::new(&account)))
            } else {
                Object::Other(Box::new(Config::new_user(user, &account)))
            }
        }
        ScriptKind::Group(group) => {
            let public_key = req.ed25519_pk("group_ed25519_pk")?;
            let keys = group_key(req, "group_enc_keys")?;
            let signing = match req.opt_hex("group_seed")? {
                Some(secret) => {
                    let identity = match secret.len() {
                        32 => <[u8; 32]>::try_from(secret.as_slice())
                            .map(|seed| Identity::from_seed(Seed::from_full_bytes(seed)))
                            .map_err(|_| OpError::bad_request("field `group_seed`: bad length")),
                        _ => Identity::from_secret_bytes(&secret)
                            .map_err(|e| OpError::bad_request(format!("field `group_seed`: {e}"))),
                    }?;
                    if identity.ed25519_public_key() != public_key {
                        return Err(OpError::bad_request(
                            "field `group_seed` does not match `group_ed25519_pk`",
                        ));
                    }
                    GroupSigning::Admin(Box::new(identity))
                }
                None => GroupSigning::Member(public_key),
            };
            Object::Other(Box::new(Config::new_group(group, &keys, signing)))
        }
    };
    let steps = req
        .array("steps")?
        .iter()
        .map(|step| parse_step(kind, step))
        .collect::<Result<Vec<_>, _>>()?;
    let results: Vec<Value> = steps
        .iter()
        .map(|step| run_step(&mut object, step))
        .collect();
    Ok(Output::new().value("results", Value::Array(results)))
}
