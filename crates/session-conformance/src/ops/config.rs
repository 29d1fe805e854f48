//! §2.11 and §2.12: config message encryption and config objects (`config.script`).

use serde_json::{json, Map, Value};
use session_config::{
    decrypt, encrypt, pad, Community, CommunityInfo, Config, Contact, Contacts, Conversation,
    ConvoInfo, ConvoInfoVolatile, Disappearing, EncryptError, GroupAuthData, GroupConfigError,
    GroupInfo, GroupInfoConfig, GroupKind, GroupMember, GroupMembers, GroupSecretKey,
    GroupSettings, GroupSigning, ItemError, MemberRemoval, Notifications, ProfilePic, SendStatus,
    UserGroups, UserKind, UserProfile,
};
use session_identity::{Identity, Seed, SessionId};

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

/// A change of group-info fields (`group_info`'s `set`); `None` keeps a field.
#[derive(Debug, Clone, Default)]
struct GroupInfoFields {
    name: Option<String>,
    description: Option<String>,
    profile_pic: Option<Option<ProfilePic>>,
    expiry_timer: Option<u64>,
    created: Option<i64>,
    delete_before: Option<i64>,
    delete_attach_before: Option<i64>,
}

/// The fields of a `set_item` that were given (the others keep their values).
#[derive(Debug, Clone, Default)]
struct ItemFields {
    name: Option<String>,
    nickname: Option<String>,
    profile_pic: Option<Option<ProfilePic>>,
    approved: Option<bool>,
    approved_me: Option<bool>,
    blocked: Option<bool>,
    priority: Option<i64>,
    notifications: Option<i64>,
    mute_until: Option<i64>,
    exp_mode: Option<i64>,
    exp_timer: Option<u64>,
    created: Option<i64>,
    secretkey: Option<Vec<u8>>,
    auth_data: Option<Vec<u8>>,
    joined_at: Option<i64>,
    invited: Option<bool>,
    last_read: Option<i64>,
    unread: Option<bool>,
    admin: Option<bool>,
    invite_status: Option<i64>,
    promotion_status: Option<i64>,
    removed_status: Option<i64>,
    supplement: Option<bool>,
}

/// What a `set_item` or `erase_item` names.
#[derive(Debug, Clone)]
enum ItemKey {
    Contact(SessionId),
    Group(SessionId),
    Community {
        base_url: String,
        room: String,
        pubkey: Option<[u8; 32]>,
    },
    OneToOne(SessionId),
    LegacyGroup(SessionId),
    Member(SessionId),
}

/// One parsed step.
#[derive(Debug, Clone)]
enum Step {
    /// `set` with user-profile fields.
    SetProfile(ProfileFields),
    /// `set` with group-info fields.
    SetGroupInfo(GroupInfoFields),
    /// A `set` for a kind without whole-config fields.
    Unsupported(String),
    SetItem(ItemKey, Box<ItemFields>),
    EraseItem(ItemKey),
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

fn opt_bool(fields: &Map<String, Value>, name: &str) -> Result<Option<bool>, OpError> {
    match raw(fields, name) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(wrong(name, "a boolean", other)),
    }
}

fn profile_pic_field(fields: &Map<String, Value>) -> Result<Option<Option<ProfilePic>>, OpError> {
    match raw(fields, "profile_pic") {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::Object(pic)) => {
            let pic = Request::new(pic);
            Ok(Some(Some(ProfilePic {
                url: pic.str("url")?.to_owned(),
                key: pic.hex_array::<32>("key")?,
            })))
        }
        Some(other) => Err(wrong("profile_pic", "an object or null", other)),
    }
}

fn profile_fields(fields: &Map<String, Value>) -> Result<ProfileFields, OpError> {
    let req = Request::new(fields);
    let blinded_msgreqs = match raw(fields, "blinded_msgreqs") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(Value::Bool(b)) => Some(Some(*b)),
        Some(other) => return Err(wrong("blinded_msgreqs", "a boolean or null", other)),
    };
    Ok(ProfileFields {
        name: req.opt_str("name")?.map(str::to_owned),
        profile_pic: profile_pic_field(fields)?,
        nts_priority: req.opt_i64("nts_priority")?,
        nts_expiry: req.opt_u64("nts_expiry")?,
        blinded_msgreqs,
    })
}

fn item_fields(fields: &Map<String, Value>) -> Result<ItemFields, OpError> {
    let req = Request::new(fields);
    Ok(ItemFields {
        name: req.opt_str("name")?.map(str::to_owned),
        nickname: req.opt_str("nickname")?.map(str::to_owned),
        profile_pic: profile_pic_field(fields)?,
        approved: opt_bool(fields, "approved")?,
        approved_me: opt_bool(fields, "approved_me")?,
        blocked: opt_bool(fields, "blocked")?,
        priority: req.opt_i64("priority")?,
        notifications: req.opt_i64("notifications")?,
        mute_until: req.opt_i64("mute_until")?,
        exp_mode: req.opt_i64("exp_mode")?,
        exp_timer: req.opt_u64("exp_timer")?,
        created: req.opt_i64("created")?,
        secretkey: req.opt_hex("secretkey")?,
        auth_data: req.opt_hex("auth_data")?,
        joined_at: req.opt_i64("joined_at")?,
        invited: opt_bool(fields, "invited")?,
        last_read: req.opt_i64("last_read")?,
        unread: opt_bool(fields, "unread")?,
        admin: opt_bool(fields, "admin")?,
        invite_status: req.opt_i64("invite_status")?,
        promotion_status: req.opt_i64("promotion_status")?,
        removed_status: req.opt_i64("removed_status")?,
        supplement: opt_bool(fields, "supplement")?,
    })
}

fn group_info_fields(fields: &Map<String, Value>) -> Result<GroupInfoFields, OpError> {
    let req = Request::new(fields);
    Ok(GroupInfoFields {
        name: req.opt_str("name")?.map(str::to_owned),
        description: req.opt_str("description")?.map(str::to_owned),
        profile_pic: profile_pic_field(fields)?,
        expiry_timer: req.opt_u64("expiry_timer")?,
        created: req.opt_i64("created")?,
        delete_before: req.opt_i64("delete_before")?,
        delete_attach_before: req.opt_i64("delete_attach_before")?,
    })
}

/// Any Session ID (the config checks the prefix, as a step error).
fn any_id(req: &Request<'_>, name: &str) -> Result<SessionId, OpError> {
    let bytes = req.hex(name)?;
    SessionId::from_bytes(&bytes).map_err(|e| OpError::bad_request(format!("field `{name}`: {e}")))
}

fn item_key(kind: ScriptKind, item_type: &str, item: &Request<'_>) -> Result<ItemKey, OpError> {
    let community = || -> Result<ItemKey, OpError> {
        Ok(ItemKey::Community {
            base_url: item.str("base_url")?.to_owned(),
            room: item.str("room")?.to_owned(),
            pubkey: match item.get("pubkey") {
                None => None,
                Some(_) => Some(item.hex_array::<32>("pubkey")?),
            },
        })
    };
    Ok(match (kind, item_type) {
        (ScriptKind::User(UserKind::Contacts), "contact") => {
            ItemKey::Contact(any_id(item, "session_id")?)
        }
        (ScriptKind::User(UserKind::UserGroups), "group") => ItemKey::Group(any_id(item, "id")?),
        (ScriptKind::User(UserKind::UserGroups), "community") => community()?,
        (ScriptKind::User(UserKind::ConvoInfoVolatile), "one_to_one") => {
            ItemKey::OneToOne(any_id(item, "session_id")?)
        }
        (ScriptKind::User(UserKind::ConvoInfoVolatile), "group") => {
            ItemKey::Group(any_id(item, "id")?)
        }
        (ScriptKind::User(UserKind::ConvoInfoVolatile), "legacy_group") => {
            ItemKey::LegacyGroup(any_id(item, "id")?)
        }
        (ScriptKind::User(UserKind::ConvoInfoVolatile), "community") => community()?,
        (ScriptKind::Group(GroupKind::Members), "member") => {
            ItemKey::Member(any_id(item, "session_id")?)
        }
        (_, other) => {
            return Err(OpError::bad_request(format!(
                "field `item_type`: {other:?} is not an item of this kind"
            )))
        }
    })
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
                ScriptKind::Group(GroupKind::Info) => {
                    Step::SetGroupInfo(group_info_fields(fields)?)
                }
                _ => Step::Unsupported("set".into()),
            }
        }
        name @ ("set_item" | "erase_item") => {
            let item_type = req.str("item_type")?;
            let item = req.object("item")?;
            let key = item_key(kind, item_type, &Request::new(item))?;
            if name == "erase_item" {
                Step::EraseItem(key)
            } else {
                Step::SetItem(key, Box::new(item_fields(item)?))
            }
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
    Contacts(Box<Contacts>),
    Convos(Box<ConvoInfoVolatile>),
    Groups(Box<UserGroups>),
    Info(Box<GroupInfoConfig>),
    Members(Box<GroupMembers>),
}

impl Object {
    fn new_user(kind: UserKind, account: &Identity) -> Self {
        match kind {
            UserKind::UserProfile => Object::Profile(Box::new(UserProfile::new(account))),
            UserKind::Contacts => Object::Contacts(Box::new(Contacts::new(account))),
            UserKind::ConvoInfoVolatile => {
                Object::Convos(Box::new(ConvoInfoVolatile::new(account)))
            }
            UserKind::UserGroups => Object::Groups(Box::new(UserGroups::new(account))),
        }
    }

    fn config(&self) -> &Config {
        match self {
            Object::Profile(p) => p.config(),
            Object::Contacts(c) => c.config(),
            Object::Convos(c) => c.config(),
            Object::Groups(g) => g.config(),
            Object::Info(i) => i.config(),
            Object::Members(m) => m.config(),
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

fn pic_json(pic: Option<&ProfilePic>) -> Value {
    pic.map_or(
        Value::Null,
        |p| json!({"url": p.url, "key": hex::encode(p.key)}),
    )
}

fn profile_state(profile: &UserProfile) -> Value {
    json!({
        "name": profile.name(),
        "profile_pic": pic_json(profile.profile_pic().as_ref()),
        "nts_priority": profile.nts_priority(),
        "nts_expiry": profile.nts_expiry(),
        "blinded_msgreqs": profile.blinded_msgreqs(),
    })
}

fn disappearing_parts(d: Disappearing) -> (i64, u64) {
    match d {
        Disappearing::AfterSend(s) => (1, s),
        Disappearing::AfterRead(s) => (2, s),
        _ => (0, 0),
    }
}

fn contact_json(c: &Contact) -> Value {
    let (mode, timer) = disappearing_parts(c.disappearing);
    json!({
        "session_id": c.session_id.to_hex(),
        "name": c.name,
        "nickname": c.nickname,
        "profile_pic": pic_json(c.profile_pic.as_ref()),
        "approved": c.approved,
        "approved_me": c.approved_me,
        "blocked": c.blocked,
        "priority": c.priority,
        "notifications": c.notifications.to_int(),
        "mute_until": c.mute_until,
        "exp_mode": mode,
        "exp_timer": timer,
        "created": c.created,
    })
}

fn convo_json(info: &ConvoInfo) -> Value {
    let mut out = match &info.conversation {
        Conversation::OneToOne(id) => json!({ "session_id": id.to_hex() }),
        Conversation::Community(c) => json!({
            "base_url": c.base_url(),
            "room": c.room(),
            "pubkey": hex::encode(c.pubkey()),
        }),
        Conversation::Group(id) | Conversation::LegacyGroup(id) => json!({ "id": id.to_hex() }),
        _ => json!({}),
    };
    out["last_read"] = json!(info.last_read);
    out["unread"] = json!(info.unread);
    out
}

fn settings_json(out: &mut Value, s: &GroupSettings) {
    out["priority"] = json!(s.priority);
    out["joined_at"] = json!(s.joined_at);
    out["notifications"] = json!(s.notifications.to_int());
    out["mute_until"] = json!(s.mute_until);
}

fn group_json(g: &GroupInfo) -> Value {
    let mut out = json!({
        "id": g.id.to_hex(),
        "name": g.name,
        "secretkey": g.secret_key.as_ref().map_or_else(String::new, |k| hex::encode(k.expose())),
        "auth_data": g.auth_data.as_ref().map_or_else(String::new, |a| hex::encode(a.expose())),
    });
    settings_json(&mut out, &g.settings);
    out["invited"] = json!(g.settings.invited);
    out
}

fn community_json(c: &CommunityInfo) -> Value {
    let mut out = json!({
        "base_url": c.community.base_url(),
        "room": c.community.room(),
        "pubkey": hex::encode(c.community.pubkey()),
    });
    settings_json(&mut out, &c.settings);
    out
}

fn state(object: &Object) -> Value {
    let mut out = match object {
        Object::Profile(p) => profile_state(p),
        Object::Contacts(c) => {
            json!({ "contacts": c.iter().map(|c| contact_json(&c)).collect::<Vec<_>>() })
        }
        Object::Convos(c) => json!({
            "one_to_one": c.one_to_ones().map(|i| convo_json(&i)).collect::<Vec<_>>(),
            "communities": c.communities().map(|i| convo_json(&i)).collect::<Vec<_>>(),
            "groups": c.groups().map(|i| convo_json(&i)).collect::<Vec<_>>(),
        }),
        Object::Groups(g) => json!({
            "groups": g.groups().map(|g| group_json(&g)).collect::<Vec<_>>(),
            "communities": g.communities().map(|c| community_json(&c)).collect::<Vec<_>>(),
        }),
        Object::Info(i) => json!({
            "name": i.name(),
            "description": i.description(),
            "profile_pic": pic_json(i.profile_pic().as_ref()),
            "expiry_timer": i.expiry_timer(),
            "created": i.created(),
            "delete_before": i.delete_before(),
            "delete_attach_before": i.delete_attach_before(),
        }),
        Object::Members(m) => {
            json!({ "members": m.iter().map(|m| member_json(&m)).collect::<Vec<_>>() })
        }
    };
    out["needs_push"] = json!(object.config().needs_push());
    out
}

fn member_json(m: &GroupMember) -> Value {
    json!({
        "session_id": m.session_id.to_hex(),
        "name": m.name,
        "profile_pic": pic_json(m.profile_pic.as_ref()),
        "admin": m.admin,
        "invite_status": m.invite_status.to_int(),
        "promotion_status": m.promotion_status.to_int(),
        "removed_status": m.removed_status.to_int(),
        "supplement": m.supplement,
    })
}

fn set_group_info(info: &mut GroupInfoConfig, f: &GroupInfoFields) -> Result<(), GroupConfigError> {
    if let Some(v) = &f.name {
        info.set_name(v)?;
    }
    if let Some(v) = &f.description {
        info.set_description(v)?;
    }
    if let Some(v) = &f.profile_pic {
        info.set_profile_pic(v.as_ref())?;
    }
    if let Some(v) = f.expiry_timer {
        info.set_expiry_timer(v)?;
    }
    if let Some(v) = f.created {
        info.set_created(v)?;
    }
    if let Some(v) = f.delete_before {
        info.set_delete_before(v)?;
    }
    if let Some(v) = f.delete_attach_before {
        info.set_delete_attach_before(v)?;
    }
    Ok(())
}

fn set_member(
    members: &mut GroupMembers,
    id: &SessionId,
    f: &ItemFields,
) -> Result<(), GroupConfigError> {
    let mut m = members.get_or_construct(id);
    if let Some(v) = &f.name {
        m.name.clone_from(v);
    }
    if let Some(v) = &f.profile_pic {
        m.profile_pic.clone_from(v);
    }
    if let Some(v) = f.admin {
        m.admin = v;
    }
    if let Some(v) = f.invite_status {
        m.invite_status = SendStatus::from_int(v);
    }
    if let Some(v) = f.promotion_status {
        m.promotion_status = SendStatus::from_int(v);
    }
    if let Some(v) = f.removed_status {
        m.removed_status = MemberRemoval::from_int(v);
    }
    if let Some(v) = f.supplement {
        m.supplement = v;
    }
    members.set(&m)
}

fn group_settings(s: &mut GroupSettings, f: &ItemFields) {
    if let Some(v) = f.priority {
        s.priority = v;
    }
    if let Some(v) = f.joined_at {
        s.joined_at = v;
    }
    if let Some(v) = f.notifications {
        s.notifications = Notifications::from_int(v);
    }
    if let Some(v) = f.mute_until {
        s.mute_until = v;
    }
    if let Some(v) = f.invited {
        s.invited = v;
    }
}

fn set_contact(contacts: &mut Contacts, id: &SessionId, f: &ItemFields) -> Result<(), ItemError> {
    let mut c = contacts.get_or_construct(id);
    if let Some(v) = &f.name {
        c.name.clone_from(v);
    }
    if let Some(v) = &f.nickname {
        c.nickname.clone_from(v);
    }
    if let Some(v) = &f.profile_pic {
        c.profile_pic.clone_from(v);
    }
    if let Some(v) = f.approved {
        c.approved = v;
    }
    if let Some(v) = f.approved_me {
        c.approved_me = v;
    }
    if let Some(v) = f.blocked {
        c.blocked = v;
    }
    if let Some(v) = f.priority {
        c.priority = v;
    }
    if let Some(v) = f.notifications {
        c.notifications = Notifications::from_int(v);
    }
    if let Some(v) = f.mute_until {
        c.mute_until = v;
    }
    let (mut mode, mut timer) = disappearing_parts(c.disappearing);
    if let Some(v) = f.exp_mode {
        mode = v;
    }
    if let Some(v) = f.exp_timer {
        timer = v;
    }
    c.disappearing = match mode {
        1 => Disappearing::AfterSend(timer),
        2 => Disappearing::AfterRead(timer),
        _ => Disappearing::Off,
    };
    if let Some(v) = f.created {
        c.created = v;
    }
    contacts.set(&c)
}

fn set_group(groups: &mut UserGroups, id: &SessionId, f: &ItemFields) -> Result<(), ItemError> {
    let mut g = groups.get_or_construct_group(id)?;
    if let Some(v) = &f.name {
        g.name.clone_from(v);
    }
    if let Some(v) = &f.secretkey {
        g.secret_key = GroupSecretKey::from_slice(v);
    }
    if let Some(v) = &f.auth_data {
        g.auth_data = GroupAuthData::from_slice(v);
    }
    group_settings(&mut g.settings, f);
    groups.set_group(&g)
}

/// The community an item names: its pubkey (required to create one) over the stored one.
fn community_of(
    base_url: &str,
    room: &str,
    pubkey: Option<[u8; 32]>,
    stored: Option<&Community>,
) -> Result<Community, ItemError> {
    let pubkey = pubkey
        .or_else(|| stored.map(|c| *c.pubkey()))
        .ok_or(ItemError::Community(session_config::CommunityError::Host))?;
    let room = stored.map_or(room, Community::room);
    Ok(Community::new(base_url, room, pubkey)?)
}

fn set_item(object: &mut Object, key: &ItemKey, f: &ItemFields, now_ms: i64) -> Result<(), String> {
    if let (Object::Members(m), ItemKey::Member(id)) = (&mut *object, key) {
        return set_member(m, id, f).map_err(|e| e.to_string());
    }
    let result = match (object, key) {
        (Object::Contacts(c), ItemKey::Contact(id)) => set_contact(c, id, f),
        (Object::Groups(g), ItemKey::Group(id)) => set_group(g, id, f),
        (
            Object::Groups(g),
            ItemKey::Community {
                base_url,
                room,
                pubkey,
            },
        ) => (|| {
            let existing = g.get_community(base_url, room)?;
            let community = community_of(
                base_url,
                room,
                *pubkey,
                existing.as_ref().map(|e| &e.community),
            )?;
            let mut info = CommunityInfo::new(community);
            if let Some(e) = existing {
                info.settings = e.settings;
            }
            group_settings(&mut info.settings, f);
            g.set_community(&info)
        })(),
        (Object::Convos(c), key) => (|| {
            let conversation = match key {
                ItemKey::OneToOne(id) => Conversation::OneToOne(*id),
                ItemKey::Group(id) => Conversation::Group(*id),
                ItemKey::LegacyGroup(id) => Conversation::LegacyGroup(*id),
                ItemKey::Community {
                    base_url,
                    room,
                    pubkey,
                } => Conversation::Community(community_of(
                    base_url,
                    room,
                    Some(pubkey.unwrap_or([0; 32])),
                    None,
                )?),
                ItemKey::Contact(_) | ItemKey::Member(_) => unreachable_item()?,
            };
            let mut info = c.get_or_construct(&conversation)?;
            info.conversation = conversation;
            if let Some(v) = f.last_read {
                info.last_read = v;
            }
            if let Some(v) = f.unread {
                info.unread = v;
            }
            c.set(&info, now_ms)
        })(),
        _ => return Err("item does not belong to this config".into()),
    };
    result.map_err(|e| e.to_string())
}

fn unreachable_item() -> Result<Conversation, ItemError> {
    Err(ItemError::OutOfRange)
}

fn erase_item(object: &mut Object, key: &ItemKey) -> Result<(), String> {
    if let (Object::Members(m), ItemKey::Member(id)) = (&mut *object, key) {
        return m.erase(id).map(|_| ()).map_err(|e| e.to_string());
    }
    let result = match (object, key) {
        (Object::Contacts(c), ItemKey::Contact(id)) => c.erase(id),
        (Object::Groups(g), ItemKey::Group(id)) => g.erase_group(id),
        (Object::Groups(g), ItemKey::Community { base_url, room, .. }) => {
            g.erase_community(base_url, room)
        }
        (Object::Convos(c), key) => (|| {
            let conversation = match key {
                ItemKey::OneToOne(id) => Conversation::OneToOne(*id),
                ItemKey::Group(id) => Conversation::Group(*id),
                ItemKey::LegacyGroup(id) => Conversation::LegacyGroup(*id),
                ItemKey::Community {
                    base_url,
                    room,
                    pubkey,
                } => Conversation::Community(community_of(
                    base_url,
                    room,
                    Some(pubkey.unwrap_or([0; 32])),
                    None,
                )?),
                ItemKey::Contact(_) | ItemKey::Member(_) => unreachable_item()?,
            };
            c.erase(&conversation)
        })(),
        _ => return Err("item does not belong to this config".into()),
    };
    result.map(|_| ()).map_err(|e| e.to_string())
}

fn run_step(object: &mut Object, step: &Step, now_ms: i64) -> Value {
    match step {
        Step::SetProfile(fields) => match object {
            Object::Profile(p) => match set_profile(p, fields) {
                Ok(()) => Value::Null,
                Err(e) => step_error(e),
            },
            _ => step_error("not a user profile"),
        },
        Step::SetGroupInfo(fields) => match object {
            Object::Info(i) => match set_group_info(i, fields) {
                Ok(()) => Value::Null,
                Err(e) => step_error(e),
            },
            _ => step_error("not a group info config"),
        },
        Step::Unsupported(name) => step_error(format!(
            "`{name}` is not implemented for {:?}",
            object.config().kind()
        )),
        Step::SetItem(key, fields) => match set_item(object, key, fields, now_ms) {
            Ok(()) => Value::Null,
            Err(e) => step_error(e),
        },
        Step::EraseItem(key) => match erase_item(object, key) {
            Ok(()) => Value::Null,
            Err(e) => step_error(e),
        },
        Step::Push => {
            let push = match object {
                Object::Profile(p) => p.push(),
                Object::Contacts(c) => c.push(),
                Object::Convos(c) => c.push(now_ms),
                Object::Groups(g) => g.push(),
                Object::Info(i) => i.push(),
                Object::Members(m) => m.push(),
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
            let hash = hash.as_str();
            match object {
                Object::Profile(p) => p.confirm_pushed(*seqno, hash),
                Object::Contacts(c) => c.confirm_pushed(*seqno, hash),
                Object::Convos(c) => c.confirm_pushed(*seqno, hash),
                Object::Groups(g) => g.confirm_pushed(*seqno, hash),
                Object::Info(i) => i.confirm_pushed(*seqno, hash),
                Object::Members(m) => m.confirm_pushed(*seqno, hash),
            }
            Value::Null
        }
        Step::Merge(messages) => {
            let messages = messages.iter().map(|(h, d)| (h.as_str(), d.as_slice()));
            let accepted = match object {
                Object::Profile(p) => p.merge(messages),
                Object::Contacts(c) => c.merge(messages),
                Object::Convos(c) => c.merge(messages),
                Object::Groups(g) => g.merge(messages),
                Object::Info(i) => i.merge(messages),
                Object::Members(m) => m.merge(messages),
            };
            json!({ "accepted": accepted })
        }
        Step::State => state(object),
        Step::CurrentHashes => json!({ "hashes": object.config().current_hashes() }),
        Step::Dump => {
            let dump = match object {
                Object::Profile(p) => p.dump(),
                Object::Contacts(c) => c.dump(),
                Object::Convos(c) => c.dump(),
                Object::Groups(g) => g.dump(),
                Object::Info(i) => i.dump(),
                Object::Members(m) => m.dump(),
            };
            json!({ "dump": hex::encode(dump) })
        }
    }
}

/// Unix milliseconds now (ConvoInfoVolatile's pruning needs a clock; the library takes it as
/// an argument).
fn system_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
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
/// The four account configs and the two group configs run whole (`now_ms`, optional, is the
/// clock of ConvoInfoVolatile's pruning: the system clock by default). Group kinds take
/// `group_ed25519_pk`, `group_enc_keys` (newest first) and, for an admin, `group_seed` (the
/// 32-byte seed or the 64-byte secret key); without it the object is a member's, read-only.
fn config_script(req: &Request<'_>) -> OpResult {
    let kind = script_kind(req)?;
    let mut object = match kind {
        ScriptKind::User(user) => {
            let account = req.identity("seed")?;
            Object::new_user(user, &account)
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
            match (group, signing) {
                (GroupKind::Info, GroupSigning::Admin(admin)) => {
                    Object::Info(Box::new(GroupInfoConfig::new_admin(&admin, &keys)))
                }
                (GroupKind::Info, GroupSigning::Member(pk)) => {
                    Object::Info(Box::new(GroupInfoConfig::new_member(pk, &keys)))
                }
                (GroupKind::Members, GroupSigning::Admin(admin)) => {
                    Object::Members(Box::new(GroupMembers::new_admin(&admin, &keys)))
                }
                (GroupKind::Members, GroupSigning::Member(pk)) => {
                    Object::Members(Box::new(GroupMembers::new_member(pk, &keys)))
                }
            }
        }
    };
    let now_ms = match req.opt_i64("now_ms")? {
        Some(now) => now,
        None => system_now_ms(),
    };
    let steps = req
        .array("steps")?
        .iter()
        .map(|step| parse_step(kind, step))
        .collect::<Result<Vec<_>, _>>()?;
    let results: Vec<Value> = steps
        .iter()
        .map(|step| run_step(&mut object, step, now_ms))
        .collect();
    Ok(Output::new().value("results", Value::Array(results)))
}
