//! A storage server's RPC handling, as the Oxen storage server does it: swarm check,
//! timestamp window, signature over exactly [`SignedAction::message`], TTL expiry.

use std::collections::{BTreeMap, BTreeSet};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Map, Value};
use session_identity::{Ed25519PublicKey, Prefix, SessionId, Signature};
use session_swarm::subaccount::{
    verify_request, SubaccountFlags, SubaccountSignature, SubaccountToken, MAX_REVOKE_TOKENS,
    TOKEN_LEN,
};
use session_swarm::{
    ExpiryMode, MessageHash, Namespace, SignedAction, SwarmMap, Timestamp, MAX_PRIVATE_TTL_MS,
    MAX_STORE_DATA_LEN, MIN_TTL_MS,
};

use crate::network::Node;

/// Most messages one `retrieve` returns (the rest is signalled with `"more": true`).
pub const RETRIEVE_PAGE: usize = 100;

/// One stored message.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    hash: MessageHash,
    namespace: i16,
    data: Vec<u8>,
    timestamp: Timestamp,
    expiry: Timestamp,
}

/// The messages of one swarm, shared by (replicated to) every member.
#[derive(Debug, Default)]
pub(crate) struct SwarmStore {
    /// By account (33-byte Session ID), in arrival order.
    accounts: BTreeMap<[u8; 33], Vec<Stored>>,
    /// Revoked subaccount tokens, by account: a request signed with one is refused (except
    /// retrieving from an unrevocable namespace).
    revoked: BTreeMap<[u8; 33], BTreeSet<[u8; TOKEN_LEN]>>,
}

impl SwarmStore {
    fn prune(&mut self, now: Timestamp) {
        for messages in self.accounts.values_mut() {
            messages.retain(|m| m.expiry > now);
        }
    }

    fn is_revoked(&self, account: &SessionId, token: &SubaccountToken) -> bool {
        self.revoked
            .get(&account.to_bytes())
            .is_some_and(|tokens| tokens.contains(token.as_bytes()))
    }

    pub(crate) fn live_count(&self, account: &SessionId, now: Timestamp) -> usize {
        self.accounts
            .get(&account.to_bytes())
            .map_or(0, |m| m.iter().filter(|m| m.expiry > now).count())
    }
}

/// What the destination node knows while it handles a request.
pub(crate) struct NodeContext<'a> {
    pub(crate) node_now: Timestamp,
    pub(crate) swarm: u64,
    /// The swarm's members that are up (each answers for the recursive methods).
    pub(crate) members: &'a [&'a Node],
    pub(crate) map: &'a SwarmMap,
    pub(crate) tolerance_ms: u64,
}

type Reply = (u16, String);

fn error(status: u16, text: &str) -> Reply {
    (status, text.to_owned())
}

fn clock_error(ctx: &NodeContext<'_>) -> Reply {
    // JSON so that the client learns the node's clock from `t`.
    (
        406,
        json!({ "error": "Timestamp error: check your clock", "t": ctx.node_now.as_millis() })
            .to_string(),
    )
}

fn u64_param(params: &Map<String, Value>, name: &str) -> Option<u64> {
    params.get(name).and_then(Value::as_u64)
}

fn hashes_param(params: &Map<String, Value>) -> Option<Vec<String>> {
    params
        .get("messages")?
        .as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// What a request must be authorised for: the permissions a subaccount needs, and whether a
/// revoked subaccount may still do it.
#[derive(Clone, Copy)]
struct Access {
    required: SubaccountFlags,
    revocable: bool,
}

impl Access {
    const fn needs(required: SubaccountFlags) -> Self {
        Self {
            required,
            revocable: true,
        }
    }
}

/// Checks the request's signature as the storage server does. For a `05` account,
/// `pubkey_ed25519` must convert to the account's X25519 key; a `03` group's ID is its own
/// Ed25519 key. With `subaccount`/`subaccount_sig`, the token must not be revoked (unless
/// `access` says revocation does not matter), must carry `access.required` and be signed by the
/// account's key, and the request is then verified under the token's key. The signature covers
/// exactly `message`.
fn verify(
    store: &SwarmStore,
    params: &Map<String, Value>,
    account: &SessionId,
    access: Access,
    message: &[u8],
) -> bool {
    let key = match account.prefix() {
        Prefix::Group => Ed25519PublicKey::from_bytes(*account.key_bytes()),
        _ => {
            let Some(key) = params
                .get("pubkey_ed25519")
                .and_then(Value::as_str)
                .and_then(|hex| Ed25519PublicKey::from_hex(hex).ok())
            else {
                return false;
            };
            if key.to_x25519().ok().map(|x| x.to_bytes()) != Some(*account.key_bytes()) {
                return false;
            }
            key
        }
    };
    let text = |name: &str| params.get(name).and_then(Value::as_str);
    if let Some(token) = text("subaccount") {
        let (Some(token_signature), Some(signature)) = (text("subaccount_sig"), text("signature"))
        else {
            return false;
        };
        let Ok(signed) = SubaccountSignature::from_params(token, token_signature, signature) else {
            return false;
        };
        if access.revocable && store.is_revoked(account, &signed.token) {
            return false;
        }
        return verify_request(
            &key,
            account.prefix().as_byte(),
            &signed,
            access.required,
            message,
        )
        .is_ok();
    }
    let Some(signature) = text("signature")
        .and_then(|b| STANDARD.decode(b).ok())
        .and_then(|b| Signature::from_slice(&b))
    else {
        return false;
    };
    key.verify(message, &signature).is_ok()
}

fn in_window(ctx: &NodeContext<'_>, timestamp: u64) -> bool {
    ctx.node_now.as_millis().abs_diff(timestamp) <= ctx.tolerance_ms
}

/// The `get_swarm` JSON of a swarm (also the body of a 421).
pub(crate) fn swarm_json(map: &SwarmMap, account: &SessionId, now: Timestamp) -> String {
    let Some(swarm) = map.swarm_for(account) else {
        return json!({ "swarm": "ffffffffffffffff", "snodes": [], "t": now.as_millis() })
            .to_string();
    };
    let snodes: Vec<Value> = swarm
        .members
        .iter()
        .map(|n| {
            json!({
                "ip": n.ip.to_string(),
                "port": n.https_port.to_string(),
                "port_https": n.https_port,
                "port_omq": n.omq_port,
                "pubkey_ed25519": n.ed25519.to_hex(),
                "pubkey_x25519": n.x25519.to_hex(),
            })
        })
        .collect();
    json!({ "swarm": format!("{:x}", swarm.id.get()), "snodes": snodes, "t": now.as_millis() })
        .to_string()
}

/// `oxend_request`: only `get_service_nodes` is served, with every node of the map (active
/// ones: the testnet has no others), in the seed's format plus the node's clock.
fn oxend_request(ctx: &NodeContext<'_>, params: &Map<String, Value>) -> Reply {
    if params.get("endpoint").and_then(Value::as_str) != Some("get_service_nodes") {
        return error(400, "unsupported oxend endpoint");
    }
    let states: Vec<Value> = ctx
        .map
        .swarms()
        .flat_map(|swarm| swarm.members.to_vec())
        .map(|n| {
            json!({
                "public_ip": n.ip.to_string(),
                "storage_port": n.https_port,
                "storage_lmq_port": n.omq_port,
                "pubkey_ed25519": n.ed25519.to_hex(),
                "pubkey_x25519": n.x25519.to_hex(),
                "swarm_id": n.swarm_id.map(session_swarm::SwarmId::get),
            })
        })
        .collect();
    (
        200,
        json!({
            "result": { "service_node_states": states, "status": "OK" },
            "t": ctx.node_now.as_millis(),
            "hf": [19, 3],
        })
        .to_string(),
    )
}

/// Handles one storage RPC body (`{"method":…,"params":{…}}`) at a node of `ctx.swarm`.
pub(crate) fn handle_rpc(ctx: &NodeContext<'_>, store: &mut SwarmStore, body: &[u8]) -> Reply {
    let Ok(Value::Object(request)) = serde_json::from_slice::<Value>(body) else {
        return error(400, "invalid json");
    };
    let method = request.get("method").and_then(Value::as_str).unwrap_or("");
    let empty = Map::new();
    let params = request
        .get("params")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    if method == "info" {
        return (
            200,
            json!({ "version": [2, 9, 0], "timestamp": ctx.node_now.as_millis(), "t": ctx.node_now.as_millis() })
                .to_string(),
        );
    }
    if method == "oxend_request" {
        return oxend_request(ctx, params);
    }
    let Some(account) = params
        .get("pubkey")
        .and_then(Value::as_str)
        .and_then(|p| SessionId::parse(p).ok())
    else {
        return error(400, "invalid pubkey");
    };
    if !matches!(account.prefix(), Prefix::User | Prefix::Group) {
        return error(400, "unsupported account type");
    }
    if method == "get_swarm" {
        return (200, swarm_json(ctx.map, &account, ctx.node_now));
    }
    if ctx.map.swarm_for(&account).map(|s| s.id.get()) != Some(ctx.swarm) {
        return (421, swarm_json(ctx.map, &account, ctx.node_now));
    }
    store.prune(ctx.node_now);
    match method {
        "store" => store_message(ctx, store, params, &account),
        "retrieve" => retrieve(ctx, store, params, &account),
        "delete" => delete(ctx, store, params, &account),
        "expire" => expire(ctx, store, params, &account),
        "revoke_subaccount" => revocation(ctx, store, params, &account, true),
        "unrevoke_subaccount" => revocation(ctx, store, params, &account, false),
        _ => error(400, "unknown method"),
    }
}

fn namespace(params: &Map<String, Value>) -> Option<Namespace> {
    match params.get("namespace") {
        None => Some(Namespace::DEFAULT),
        Some(v) => v
            .as_i64()
            .and_then(|n| i16::try_from(n).ok())
            .map(Namespace::new),
    }
}

/// The recursive reply: one entry per member that is up, each signed by that member.
fn swarm_reply(
    ctx: &NodeContext<'_>,
    entry: impl Fn(&Node) -> (Map<String, Value>, Vec<u8>),
) -> Reply {
    let mut swarm = Map::new();
    for node in ctx.members {
        let (mut fields, signed) = entry(node);
        let signature = node.identity().sign(&signed);
        fields.insert(
            "signature".into(),
            STANDARD.encode(signature.as_bytes()).into(),
        );
        swarm.insert(node.info().ed25519.to_hex(), Value::Object(fields));
    }
    (
        200,
        json!({ "swarm": swarm, "t": ctx.node_now.as_millis() }).to_string(),
    )
}

fn store_message(
    ctx: &NodeContext<'_>,
    store: &mut SwarmStore,
    params: &Map<String, Value>,
    account: &SessionId,
) -> Reply {
    let Some(ns) = namespace(params) else {
        return error(400, "invalid namespace");
    };
    let (Some(timestamp), Some(ttl), Some(data)) = (
        u64_param(params, "timestamp"),
        u64_param(params, "ttl"),
        params.get("data").and_then(Value::as_str),
    ) else {
        return error(400, "missing timestamp, ttl or data");
    };
    if !in_window(ctx, timestamp) {
        return clock_error(ctx);
    }
    if !(MIN_TTL_MS..=ns.max_ttl_millis()).contains(&ttl) {
        return error(403, "Provided TTL is not valid");
    }
    let Ok(data) = STANDARD.decode(data) else {
        return error(400, "data is not base64");
    };
    if data.len() > MAX_STORE_DATA_LEN {
        return error(400, "message too large");
    }
    if ns.store_needs_auth() {
        let sig_timestamp = u64_param(params, "sig_timestamp").unwrap_or(timestamp);
        let action = SignedAction::Store {
            namespace: ns,
            timestamp: Timestamp::from_millis(sig_timestamp),
        };
        let mut required = SubaccountFlags::WRITE;
        if ns.is_public_outbox() {
            // Storing replaces the outbox's message: a subaccount must be able to delete too.
            required = required | SubaccountFlags::DELETE;
        }
        if !verify(
            store,
            params,
            account,
            Access::needs(required),
            &action.message(),
        ) {
            return error(401, "invalid signature");
        }
    }
    let hash = MessageHash::compute(account, ns, &data);
    let expiry = Timestamp::from_millis(timestamp).saturating_add_millis(ttl);
    let messages = store.accounts.entry(account.to_bytes()).or_default();
    let already = messages.iter().any(|m| m.hash == hash);
    if !already {
        messages.push(Stored {
            hash: hash.clone(),
            namespace: ns.get(),
            data,
            timestamp: Timestamp::from_millis(timestamp),
            expiry,
        });
    }
    swarm_reply(ctx, |_| {
        let mut fields = Map::new();
        fields.insert("hash".into(), hash.as_str().into());
        fields.insert("already".into(), already.into());
        fields.insert("expiry".into(), expiry.as_millis().into());
        (fields, hash.as_str().as_bytes().to_vec())
    })
}

fn retrieve(
    ctx: &NodeContext<'_>,
    store: &SwarmStore,
    params: &Map<String, Value>,
    account: &SessionId,
) -> Reply {
    let Some(ns) = namespace(params) else {
        return error(400, "invalid namespace");
    };
    let Some(timestamp) = u64_param(params, "timestamp") else {
        return error(400, "missing timestamp");
    };
    if !in_window(ctx, timestamp) {
        return clock_error(ctx);
    }
    let action = SignedAction::Retrieve {
        namespace: ns,
        timestamp: Timestamp::from_millis(timestamp),
    };
    let access = Access {
        required: SubaccountFlags::READ,
        revocable: !ns.is_unrevocable(),
    };
    if !verify(store, params, account, access, &action.message()) {
        return error(401, "invalid signature");
    }
    let all: Vec<&Stored> = store
        .accounts
        .get(&account.to_bytes())
        .map(|m| m.iter().filter(|m| m.namespace == ns.get()).collect())
        .unwrap_or_default();
    let start = params
        .get("last_hash")
        .and_then(Value::as_str)
        .and_then(|last| all.iter().position(|m| m.hash.as_str() == last))
        .map_or(0, |i| i + 1);
    let page: Vec<Value> = all
        .iter()
        .skip(start)
        .take(RETRIEVE_PAGE)
        .map(|m| {
            json!({
                "hash": m.hash.as_str(),
                "timestamp": m.timestamp.as_millis(),
                "expiration": m.expiry.as_millis(),
                "data": STANDARD.encode(&m.data),
            })
        })
        .collect();
    let more = all.len() > start + page.len();
    (
        200,
        json!({ "messages": page, "more": more, "t": ctx.node_now.as_millis(), "hf": [19, 3] })
            .to_string(),
    )
}

fn delete(
    ctx: &NodeContext<'_>,
    store: &mut SwarmStore,
    params: &Map<String, Value>,
    account: &SessionId,
) -> Reply {
    let Some(hashes) = hashes_param(params).filter(|h| !h.is_empty()) else {
        return error(400, "missing messages");
    };
    let texts: Vec<&str> = hashes.iter().map(String::as_str).collect();
    let action = SignedAction::Delete { messages: &texts };
    let access = Access::needs(SubaccountFlags::DELETE);
    if !verify(store, params, account, access, &action.message()) {
        return error(401, "invalid signature");
    }
    let mut deleted = Vec::new();
    if let Some(messages) = store.accounts.get_mut(&account.to_bytes()) {
        messages.retain(|m| {
            let hit = texts.contains(&m.hash.as_str());
            if hit {
                deleted.push(m.hash.as_str().to_owned());
            }
            !hit
        });
    }
    let required = params.get("required").and_then(Value::as_bool) == Some(true);
    if required && deleted.is_empty() {
        return error(404, "no matching messages");
    }
    swarm_reply(ctx, |_| {
        let mut fields = Map::new();
        fields.insert("deleted".into(), json!(deleted));
        let signed = format!("{}{}{}", account.to_hex(), texts.concat(), deleted.concat());
        (fields, signed.into_bytes())
    })
}

fn expire(
    ctx: &NodeContext<'_>,
    store: &mut SwarmStore,
    params: &Map<String, Value>,
    account: &SessionId,
) -> Reply {
    let (Some(hashes), Some(expiry)) = (
        hashes_param(params).filter(|h| !h.is_empty()),
        u64_param(params, "expiry"),
    ) else {
        return error(400, "missing messages or expiry");
    };
    let mode = match (
        params.get("shorten").and_then(Value::as_bool) == Some(true),
        params.get("extend").and_then(Value::as_bool) == Some(true),
    ) {
        (false, false) => ExpiryMode::Set,
        (true, false) => ExpiryMode::Shorten,
        (false, true) => ExpiryMode::Extend,
        (true, true) => return error(400, "shorten and extend are exclusive"),
    };
    let texts: Vec<&str> = hashes.iter().map(String::as_str).collect();
    let requested = Timestamp::from_millis(expiry);
    let action = SignedAction::Expire {
        mode,
        expiry: requested,
        messages: &texts,
    };
    if !verify(
        store,
        params,
        account,
        Access::needs(SubaccountFlags::WRITE),
        &action.message(),
    ) {
        return error(401, "invalid signature");
    }
    let mut mode = mode;
    if params.contains_key("subaccount")
        && !subaccount_flags(params).contains(SubaccountFlags::DELETE)
    {
        // Without the delete permission a subaccount may only extend: shortening an expiry is
        // nearly a delete.
        match mode {
            ExpiryMode::Shorten => {
                return error(400, "shorten needs a subaccount with delete access")
            }
            ExpiryMode::Set => mode = ExpiryMode::Extend,
            _ => {}
        }
    }
    if requested < ctx.node_now.saturating_sub_millis(60_000) {
        return error(403, "expiry is in the past");
    }
    let expiry = requested.min(ctx.node_now.saturating_add_millis(MAX_PRIVATE_TTL_MS));
    let mut updated = Vec::new();
    let mut unchanged = Map::new();
    if let Some(messages) = store.accounts.get_mut(&account.to_bytes()) {
        for m in messages
            .iter_mut()
            .filter(|m| texts.contains(&m.hash.as_str()))
        {
            let change = match mode {
                ExpiryMode::Shorten => expiry < m.expiry,
                ExpiryMode::Extend => expiry > m.expiry,
                _ => true,
            };
            if change {
                m.expiry = expiry;
                updated.push(m.hash.as_str().to_owned());
            } else {
                unchanged.insert(m.hash.as_str().to_owned(), m.expiry.as_millis().into());
            }
        }
    }
    swarm_reply(ctx, |_| {
        let mut fields = Map::new();
        fields.insert("updated".into(), json!(updated));
        fields.insert("unchanged".into(), Value::Object(unchanged.clone()));
        fields.insert("expiry".into(), expiry.as_millis().into());
        let signed = format!(
            "{}{}{}{}",
            account.to_hex(),
            expiry.as_millis(),
            texts.concat(),
            updated.concat()
        );
        (fields, signed.into_bytes())
    })
}

/// The flags of the request's (already verified) subaccount token.
fn subaccount_flags(params: &Map<String, Value>) -> SubaccountFlags {
    params
        .get("subaccount")
        .and_then(Value::as_str)
        .and_then(|t| SubaccountToken::parse(t).ok())
        .map_or(SubaccountFlags::NONE, |t| t.flags())
}

/// `revoke_subaccount` / `unrevoke_subaccount`: the account's own key (never a subaccount)
/// signs `method ‖ timestamp ‖ tokens`; at most [`MAX_REVOKE_TOKENS`] tokens, each in base64
/// or hex.
fn revocation(
    ctx: &NodeContext<'_>,
    store: &mut SwarmStore,
    params: &Map<String, Value>,
    account: &SessionId,
    revoke: bool,
) -> Reply {
    let (method, field) = if revoke {
        ("revoke_subaccount", "revoke")
    } else {
        ("unrevoke_subaccount", "unrevoke")
    };
    let Some(timestamp) = u64_param(params, "timestamp") else {
        return error(400, "missing timestamp");
    };
    let Some(list) = params.get(field).and_then(Value::as_array) else {
        return error(400, "missing tokens");
    };
    if list.len() > MAX_REVOKE_TOKENS {
        return error(400, "too many tokens");
    }
    let mut tokens = Vec::with_capacity(list.len());
    for item in list {
        match item.as_str().map(SubaccountToken::parse) {
            Some(Ok(token)) => tokens.push(token),
            _ => return error(400, "invalid subaccount token"),
        }
    }
    if !in_window(ctx, timestamp) {
        return clock_error(ctx);
    }
    if params.contains_key("subaccount") {
        return error(401, "subaccounts cannot revoke");
    }
    let mut message = format!("{method}{timestamp}").into_bytes();
    for token in &tokens {
        message.extend_from_slice(token.as_bytes());
    }
    if !verify(
        store,
        params,
        account,
        Access::needs(SubaccountFlags::NONE),
        &message,
    ) {
        return error(401, "invalid signature");
    }
    let revoked = store.revoked.entry(account.to_bytes()).or_default();
    let mut count = 0usize;
    for token in &tokens {
        let changed = if revoke {
            revoked.insert(*token.as_bytes())
        } else {
            revoked.remove(token.as_bytes())
        };
        count += usize::from(changed);
    }
    swarm_reply(ctx, |_| {
        let mut fields = Map::new();
        if !revoke {
            fields.insert("count".into(), count.into());
        }
        let mut signed = format!("{}{timestamp}", account.to_hex()).into_bytes();
        for token in &tokens {
            signed.extend_from_slice(token.as_bytes());
        }
        (fields, signed)
    })
}
