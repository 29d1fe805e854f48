//! A small community server (SOGS) reached through onion v4 requests, and a link that sends
//! a [`Community`]'s requests to it.
//!
//! The server checks every request as the reference server does, in its order: the four
//! `X-SOGS-*` headers decoded (400), the timestamp within a day of its clock (425), a ban
//! (403), the nonce not used before by that key (425; the nonce is spent even when the
//! signature then fails), the signature (401). It keeps rooms with per-room sequence numbers,
//! messages with edits, deletions and reactions, pins, files, an inbox of blinded direct
//! messages, `batch` and `sequence`, and a log of every request it saw, under the ID it saw.

use std::collections::{BTreeMap, BTreeSet};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::{json, Map, Value};
use session_community::auth::{signed_path, CAPABILITY_BLIND, CAPABILITY_BLIND25};
use session_community::{
    AcceptedKeys, AuthError, AuthHeaders, Call, Community, ReplyError, Scheme, Server, ServerError,
    ServerKey,
};
use session_identity::{Prefix, SessionId, X25519SecretKey};
use session_onion::{
    encode_v4_response, Destination, EncType, Hop, NodeKeys, OnionFailure, OnionRequestBuilder,
    ServerResponse, V4Request,
};
use session_swarm::{NodePool, PathSet};

use crate::network::Network;

/// Messages kept in an inbox: 15 days, as the reference server keeps them.
const DM_EXPIRY_SECS: f64 = 15.0 * 86_400.0;

/// One request the server answered: when, what, from whom (the ID it saw) and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommunityLogEntry {
    /// Server time, Unix seconds.
    pub at: u64,
    /// The method.
    pub method: String,
    /// The endpoint (for a batch's parts, prefixed with `  ↳ `).
    pub endpoint: String,
    /// The ID the request was signed as (`None`: anonymous or refused before that).
    pub user: Option<SessionId>,
    /// The status answered.
    pub status: u16,
    /// Why it was refused, if it was.
    pub note: String,
}

impl core::fmt::Display for CommunityLogEntry {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let user = self
            .user
            .map_or_else(|| "anonymous".to_owned(), |id| id.to_hex());
        write!(
            f,
            "{} {} {} by {user}: {}",
            self.at, self.method, self.endpoint, self.status
        )?;
        if !self.note.is_empty() {
            write!(f, " ({})", self.note)?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone)]
struct StoredMessage {
    id: u64,
    author: SessionId,
    posted: f64,
    edited: Option<f64>,
    seqno: u64,
    seqno_data: u64,
    seqno_reactions: u64,
    seqno_creation: u64,
    data: Option<(Vec<u8>, [u8; 64])>,
    /// In order of each reaction's first use: the reaction and who used it, when.
    reactions: Vec<(String, Vec<(SessionId, f64)>)>,
}

#[derive(Debug, Clone)]
struct Room {
    name: String,
    info_updates: u64,
    message_sequence: u64,
    created: f64,
    messages: Vec<StoredMessage>,
    pinned: Vec<(u64, f64, SessionId)>,
    files: BTreeMap<u64, Vec<u8>>,
    active: BTreeSet<SessionId>,
}

#[derive(Debug, Clone)]
struct StoredDm {
    id: u64,
    posted_at: f64,
    sender: SessionId,
    recipient: SessionId,
    message: Vec<u8>,
}

/// How a [`CommunityServer`] is set up.
#[derive(Debug, Clone)]
pub struct CommunityConfig {
    /// The host name clients reach it at.
    pub host: String,
    /// What `/capabilities` lists. With `blind` the server refuses `00` keys; with `blind25`
    /// it accepts `25` keys (the reference server accepts only `00` and `15`).
    pub capabilities: Vec<String>,
    /// The rooms, by token, with their names.
    pub rooms: Vec<(String, String)>,
    /// Seed of the server's key and of its reply nonces.
    pub seed: u64,
}

impl Default for CommunityConfig {
    fn default() -> Self {
        Self {
            host: "sogs.local".into(),
            capabilities: ["blind", "blind25", "reactions", "sogs"]
                .map(String::from)
                .to_vec(),
            rooms: vec![("lobby".into(), "Lobby".into())],
            seed: 0x50_6f_67_73,
        }
    }
}

/// A community server (see the module documentation).
#[derive(Debug)]
pub struct CommunityServer {
    host: String,
    server: Server,
    keys: NodeKeys,
    key: ServerKey,
    capabilities: Vec<String>,
    accepted: AcceptedKeys,
    rooms: BTreeMap<String, Room>,
    next_message_id: u64,
    next_file_id: u64,
    users: BTreeSet<SessionId>,
    banned: BTreeSet<SessionId>,
    admins: BTreeSet<SessionId>,
    nonces: BTreeSet<(SessionId, [u8; 16])>,
    inbox: Vec<StoredDm>,
    log: Vec<CommunityLogEntry>,
    received: Vec<Vec<u8>>,
    rng: ChaCha20Rng,
}

/// A reply before encoding: status, content type, body.
type Reply = (u16, &'static str, Vec<u8>);

fn text(status: u16, message: impl Into<String>) -> Reply {
    (
        status,
        "text/plain; charset=utf-8",
        message.into().into_bytes(),
    )
}

fn json_reply(status: u16, value: &Value) -> Reply {
    (status, "application/json", value.to_string().into_bytes())
}

impl CommunityServer {
    /// A server as `config` describes it, with a fresh X25519 key from its seed (an error
    /// when the host is not a host name).
    pub fn new(config: CommunityConfig) -> Result<Self, ServerError> {
        let mut rng = ChaCha20Rng::seed_from_u64(config.seed);
        let secret = X25519SecretKey::generate(&mut rng);
        let keys = NodeKeys::new(secret);
        let key = ServerKey::from_bytes(keys.public_key().to_bytes());
        let server = Server::new(Scheme::Http, &config.host, None, key)?;
        let has = |c: &str| config.capabilities.iter().any(|x| x == c);
        let accepted = AcceptedKeys {
            unblinded: !has(CAPABILITY_BLIND),
            blind25: has(CAPABILITY_BLIND25),
        };
        let rooms = config
            .rooms
            .iter()
            .map(|(token, name)| {
                (
                    token.clone(),
                    Room {
                        name: name.clone(),
                        info_updates: 1,
                        message_sequence: 0,
                        created: 1_700_000_000.0,
                        messages: Vec::new(),
                        pinned: Vec::new(),
                        files: BTreeMap::new(),
                        active: BTreeSet::new(),
                    },
                )
            })
            .collect();
        Ok(Self {
            host: config.host,
            server,
            keys,
            key,
            capabilities: config.capabilities,
            accepted,
            rooms,
            next_message_id: 1,
            next_file_id: 1,
            users: BTreeSet::new(),
            banned: BTreeSet::new(),
            admins: BTreeSet::new(),
            nonces: BTreeSet::new(),
            inbox: Vec::new(),
            log: Vec::new(),
            received: Vec::new(),
            rng,
        })
    }

    /// The host name.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The server's public key (the join URL's `public_key`).
    pub fn key(&self) -> ServerKey {
        self.key
    }

    /// The server as clients address it (`http`, port 80, as the exit node reaches it).
    pub fn server(&self) -> &Server {
        &self.server
    }

    /// Every request it answered, in order.
    pub fn log(&self) -> &[CommunityLogEntry] {
        &self.log
    }

    /// Every decrypted v4 request it received, byte for byte: all the server ever saw.
    pub fn received(&self) -> &[Vec<u8>] {
        &self.received
    }

    /// Makes `id` a global admin (may pin, and moderate every room).
    pub fn add_admin(&mut self, id: SessionId) {
        self.admins.insert(id);
    }

    /// Bans `id` from the server (every request it signs gets 403).
    pub fn ban(&mut self, id: SessionId) {
        self.banned.insert(id);
    }

    /// Opens an onion payload addressed to this server, answers it at `now_secs` and seals the
    /// reply (`None`: the payload does not decrypt).
    pub(crate) fn serve(&mut self, payload: &[u8], now_secs: u64) -> Option<Vec<u8>> {
        let opened = self.keys.open(payload).ok()?;
        self.received.push(opened.payload().to_vec());
        let (status, content_type, body) = match V4Request::decode(opened.payload()) {
            Ok(request) => self.handle(&request, now_secs),
            Err(_) => text(400, "Invalid v4 onion request"),
        };
        let plain = encode_v4_response(status, &[("content-type", content_type)], Some(&body));
        Some(opened.seal_reply(&plain, &mut self.rng))
    }

    fn header<'a>(request: &'a V4Request, name: &str) -> Option<&'a str> {
        request
            .headers()
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Checks the request's authentication as the reference server does: `Ok(None)` for an
    /// anonymous request; a refusal with its status, text and the ID it claimed.
    fn authenticate(
        &mut self,
        request: &V4Request,
        now_secs: u64,
    ) -> Result<Option<SessionId>, (Reply, Option<SessionId>)> {
        let refuse = |e: AuthError, user| (text(e.status(), e.to_string()), user);
        let headers = AuthHeaders::parse(
            Self::header(request, "X-SOGS-Pubkey"),
            Self::header(request, "X-SOGS-Nonce"),
            Self::header(request, "X-SOGS-Timestamp"),
            Self::header(request, "X-SOGS-Signature"),
            self.accepted,
        )
        .map_err(|e| refuse(e, None))?;
        let Some(headers) = headers else {
            return Ok(None);
        };
        let user = headers.user_id().map_err(|e| refuse(e, None))?;
        if !headers.is_fresh(now_secs) {
            return Err(refuse(AuthError::StaleTimestamp, Some(user)));
        }
        // A banned user is refused before the signature is looked at.
        if self.banned.contains(&user) {
            return Err((text(403, "Banned"), Some(user)));
        }
        // The nonce is spent before the signature is checked, as the reference does it.
        if !self.nonces.insert((user, headers.nonce)) {
            return Err(refuse(AuthError::ReusedNonce, Some(user)));
        }
        headers
            .verify(
                &self.key,
                request.method(),
                request.endpoint(),
                request.body_bytes().unwrap_or_default(),
            )
            .map_err(|e| refuse(e, Some(user)))?;
        Ok(Some(user))
    }

    fn handle(&mut self, request: &V4Request, now_secs: u64) -> Reply {
        let user = match self.authenticate(request, now_secs) {
            Ok(user) => user,
            Err((reply, user)) => {
                let note = String::from_utf8_lossy(&reply.2).into_owned();
                self.record(
                    now_secs,
                    request.method(),
                    request.endpoint(),
                    user,
                    reply.0,
                    &note,
                );
                return reply;
            }
        };
        if let Some(user) = user {
            self.users.insert(user);
        }
        let body = request.body_bytes().unwrap_or_default();
        // The request's entry goes before those of a batch's parts.
        let at = self.log.len();
        let reply = self.route(
            request.method(),
            request.endpoint(),
            body,
            user,
            now_secs,
            0,
        );
        let note = if reply.0 >= 400 {
            String::from_utf8_lossy(&reply.2).chars().take(80).collect()
        } else {
            String::new()
        };
        self.record(
            now_secs,
            request.method(),
            request.endpoint(),
            user,
            reply.0,
            &note,
        );
        if let Some(entry) = self.log.pop() {
            self.log.insert(at, entry);
        }
        reply
    }

    fn record(
        &mut self,
        at: u64,
        method: &str,
        endpoint: &str,
        user: Option<SessionId>,
        status: u16,
        note: &str,
    ) {
        self.log.push(CommunityLogEntry {
            at,
            method: method.to_owned(),
            endpoint: endpoint.to_owned(),
            user,
            status,
            note: note.to_owned(),
        });
    }

    fn route(
        &mut self,
        method: &str,
        endpoint: &str,
        body: &[u8],
        user: Option<SessionId>,
        now_secs: u64,
        depth: u8,
    ) -> Reply {
        let (raw_path, query) = endpoint.split_once('?').unwrap_or((endpoint, ""));
        let Ok(path) = signed_path(raw_path).map(|p| String::from_utf8_lossy(&p).into_owned())
        else {
            return text(400, "bad path");
        };
        let params: BTreeMap<&str, &str> = query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .collect();
        let now = now_secs as f64;
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match (method, segments.as_slice()) {
            ("GET", ["capabilities"]) => self.capabilities(params.get("required").copied()),
            ("POST", [kind @ ("batch" | "sequence")]) if depth == 0 => {
                self.batch(body, user, now_secs, *kind == "sequence")
            }
            ("GET", ["rooms"]) => {
                let rooms: Vec<Value> = self
                    .rooms
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .iter()
                    .map(|t| self.room_info(t, user))
                    .collect();
                json_reply(200, &Value::Array(rooms))
            }
            ("GET", ["inbox"]) => self.dm_box(user, false, None, &params),
            ("GET", ["outbox"]) => self.dm_box(user, true, None, &params),
            ("GET", ["inbox", "since", id]) => self.dm_box(user, false, Some(*id), &params),
            ("GET", ["outbox", "since", id]) => self.dm_box(user, true, Some(*id), &params),
            ("DELETE", ["inbox"]) => match user.filter(is_blinded) {
                None => text(401, "This endpoint requires blinded pubkeys be used"),
                Some(user) => {
                    let before = self.inbox.len();
                    self.inbox.retain(|m| m.recipient != user);
                    json_reply(200, &json!({ "deleted": before - self.inbox.len() }))
                }
            },
            ("POST", ["inbox", recipient]) => self.send_dm(user, recipient, body, now),
            (_, ["room", token, rest @ ..]) => {
                let token = (*token).to_owned();
                if !self.rooms.contains_key(&token) {
                    return text(404, "Not Found");
                }
                if let (Some(user), Some(room)) = (user, self.rooms.get_mut(&token)) {
                    room.active.insert(user);
                }
                self.room_route(method, &token, rest, body, user, now, &params)
            }
            _ => text(404, "Not Found"),
        }
    }

    fn capabilities(&self, required: Option<&str>) -> Reply {
        let mut caps = self.capabilities.clone();
        caps.sort();
        let mut reply = json!({ "capabilities": caps });
        if let Some(required) = required {
            let missing: Vec<&str> = required
                .split(',')
                .filter(|c| !self.capabilities.iter().any(|x| x == c))
                .collect();
            if !missing.is_empty() {
                reply["missing"] = json!(missing);
                return json_reply(412, &reply);
            }
        }
        json_reply(200, &reply)
    }

    fn batch(
        &mut self,
        body: &[u8],
        user: Option<SessionId>,
        now_secs: u64,
        sequence: bool,
    ) -> Reply {
        let Ok(Value::Array(entries)) = serde_json::from_slice::<Value>(body) else {
            return text(400, "Invalid batch request");
        };
        let mut parsed = Vec::new();
        for entry in &entries {
            let (Some(method), Some(path)) = (
                entry.get("method").and_then(Value::as_str),
                entry.get("path").and_then(Value::as_str),
            ) else {
                return text(400, "Invalid batch request: no method or path");
            };
            let has_body = matches!(method, "POST" | "PUT");
            let body = if let Some(json) = entry.get("json") {
                json.to_string().into_bytes()
            } else if let Some(b64) = entry.get("b64").and_then(Value::as_str) {
                match STANDARD.decode(b64) {
                    Ok(bytes) => bytes,
                    Err(_) => return text(400, "Invalid batch request: bad b64"),
                }
            } else if has_body {
                return text(400, "Invalid batch request: POST/PUT need a body");
            } else {
                Vec::new()
            };
            if !path.starts_with('/') {
                return text(400, "Invalid batch request: path must start with /");
            }
            parsed.push((method.to_owned(), path.to_owned(), body));
        }
        let mut replies = Vec::new();
        for (method, path, body) in parsed {
            let (status, content_type, bytes) =
                self.route(&method, &path, &body, user, now_secs, 1);
            let note = if status >= 400 {
                String::from_utf8_lossy(&bytes).chars().take(80).collect()
            } else {
                String::new()
            };
            self.record(
                now_secs,
                &method,
                &format!("  ↳ {path}"),
                user,
                status,
                &note,
            );
            let body = if content_type == "application/json" {
                serde_json::from_slice(&bytes).unwrap_or(Value::Null)
            } else {
                Value::String(STANDARD.encode(&bytes))
            };
            replies.push(
                json!({"code": status, "headers": {"content-type": content_type}, "body": body}),
            );
            if sequence && !(200..300).contains(&status) {
                break;
            }
        }
        json_reply(200, &Value::Array(replies))
    }

    fn is_moderator(&self, user: Option<SessionId>) -> bool {
        user.is_some_and(|u| self.admins.contains(&u))
    }

    fn room_info(&self, token: &str, user: Option<SessionId>) -> Value {
        let Some(room) = self.rooms.get(token) else {
            return Value::Null;
        };
        let admins: Vec<String> = self.admins.iter().map(SessionId::to_hex).collect();
        let mut info = json!({
            "token": token, "name": room.name, "info_updates": room.info_updates,
            "message_sequence": room.message_sequence, "created": room.created,
            "active_users": room.active.len(), "active_users_cutoff": 604_800,
            "moderators": [], "admins": admins,
            "read": true, "write": user.is_some(), "upload": user.is_some(),
        });
        if !room.pinned.is_empty() {
            info["pinned_messages"] = Value::Array(
                room.pinned
                    .iter()
                    .map(
                        |(id, at, by)| json!({"id": id, "pinned_at": at, "pinned_by": by.to_hex()}),
                    )
                    .collect(),
            );
        }
        if self.is_moderator(user) {
            info["moderator"] = json!(true);
            info["admin"] = json!(true);
        }
        info
    }

    fn message_json(message: &StoredMessage, user: Option<SessionId>, reactors: usize) -> Value {
        let mut out = json!({
            "id": message.id, "session_id": message.author.to_hex(),
            "posted": message.posted, "seqno": message.seqno,
        });
        match &message.data {
            Some((data, signature)) => {
                out["data"] = Value::String(STANDARD.encode(data));
                out["signature"] = Value::String(STANDARD.encode(signature));
                out["reactions"] = Self::reactions_json(message, user, reactors);
            }
            None => {
                out["data"] = Value::Null;
                out["deleted"] = json!(true);
            }
        }
        if let Some(edited) = message.edited {
            out["edited"] = json!(edited);
        }
        out
    }

    fn reactions_json(message: &StoredMessage, user: Option<SessionId>, reactors: usize) -> Value {
        let mut map = Map::new();
        for (index, (reaction, users)) in message.reactions.iter().enumerate() {
            let mut entry = json!({"index": index, "count": users.len()});
            if reactors > 0 {
                entry["reactors"] = Value::Array(
                    users
                        .iter()
                        .take(reactors)
                        .map(|(id, _)| Value::String(id.to_hex()))
                        .collect(),
                );
            }
            if user.is_some_and(|u| users.iter().any(|(id, _)| *id == u)) {
                entry["you"] = json!(true);
            }
            map.insert(reaction.clone(), entry);
        }
        Value::Object(map)
    }

    #[allow(clippy::too_many_arguments)]
    fn room_route(
        &mut self,
        method: &str,
        token: &str,
        rest: &[&str],
        body: &[u8],
        user: Option<SessionId>,
        now: f64,
        params: &BTreeMap<&str, &str>,
    ) -> Reply {
        let int = |s: &str| s.parse::<u64>().ok();
        let limit = params
            .get("limit")
            .and_then(|l| l.parse::<usize>().ok())
            .unwrap_or(100)
            .clamp(1, 256);
        let reactors = params
            .get("reactors")
            .and_then(|r| r.parse::<usize>().ok())
            .unwrap_or(4)
            .min(20);
        let moderator = self.is_moderator(user);
        let Some(room) = self.rooms.get_mut(token) else {
            return text(404, "Not Found");
        };
        match (method, rest) {
            ("GET", []) => json_reply(200, &self.room_info(token, user)),
            ("GET", ["pollInfo", since]) => {
                let Some(since) = int(since) else {
                    return text(404, "Not Found");
                };
                let mut info = json!({"token": token, "active_users": room.active.len(),
                                      "read": true, "write": user.is_some(), "upload": user.is_some()});
                if room.info_updates != since {
                    info["details"] = self.room_info(token, user);
                }
                json_reply(200, &info)
            }
            ("GET", ["messages", "recent"]) => {
                let list: Vec<Value> = room
                    .messages
                    .iter()
                    .rev()
                    .filter(|m| m.data.is_some())
                    .take(limit)
                    .map(|m| Self::message_json(m, user, reactors))
                    .collect();
                json_reply(200, &Value::Array(list))
            }
            ("GET", ["messages", "before", id]) => {
                let Some(before) = int(id) else {
                    return text(404, "Not Found");
                };
                let list: Vec<Value> = room
                    .messages
                    .iter()
                    .rev()
                    .filter(|m| m.data.is_some() && m.id < before)
                    .take(limit)
                    .map(|m| Self::message_json(m, user, reactors))
                    .collect();
                json_reply(200, &Value::Array(list))
            }
            ("GET", ["messages", "since", seqno]) => {
                let Some(since) = int(seqno) else {
                    return text(404, "Not Found");
                };
                let reaction_updates = params.get("t").is_some_and(|t| t.contains('r'));
                let mut changed: Vec<&StoredMessage> = room
                    .messages
                    .iter()
                    .filter(|m| m.data.is_some() || m.seqno_creation <= since)
                    .filter(|m| {
                        if reaction_updates {
                            m.seqno > since
                        } else {
                            m.seqno_data > since
                        }
                    })
                    .collect();
                changed.sort_by_key(|m| m.seqno);
                let list: Vec<Value> = changed
                    .into_iter()
                    .take(limit)
                    .map(|m| {
                        if reaction_updates && m.seqno_reactions > since && since >= m.seqno_data {
                            json!({"id": m.id, "seqno": m.seqno,
                                   "reactions": Self::reactions_json(m, user, reactors)})
                        } else {
                            Self::message_json(m, user, reactors)
                        }
                    })
                    .collect();
                json_reply(200, &Value::Array(list))
            }
            ("GET", ["message", id]) => match int(id).and_then(|id| {
                room.messages
                    .iter()
                    .find(|m| m.id == id && m.data.is_some())
            }) {
                Some(m) => json_reply(200, &Self::message_json(m, user, reactors)),
                None => text(404, "Not Found"),
            },
            ("POST", ["message"]) => {
                let Some(user) = user else {
                    return text(401, "X-SOGS-* request authentication required");
                };
                let Ok(request) = serde_json::from_slice::<Value>(body) else {
                    return text(400, "Bad Request");
                };
                let decode = |key: &str| {
                    request
                        .get(key)
                        .and_then(Value::as_str)
                        .and_then(|s| STANDARD.decode(s).ok())
                };
                let (Some(data), Some(signature)) = (decode("data"), decode("signature")) else {
                    return text(400, "Bad Request");
                };
                let Ok(signature) = <[u8; 64]>::try_from(signature.as_slice()) else {
                    return text(400, "Bad Request");
                };
                room.message_sequence += 1;
                let seqno = room.message_sequence;
                let message = StoredMessage {
                    id: self.next_message_id,
                    author: user,
                    posted: now,
                    edited: None,
                    seqno,
                    seqno_data: seqno,
                    seqno_reactions: 0,
                    seqno_creation: seqno,
                    data: Some((data, signature)),
                    reactions: Vec::new(),
                };
                self.next_message_id += 1;
                let reply = Self::message_json(&message, Some(user), reactors);
                room.messages.push(message);
                json_reply(201, &reply)
            }
            ("PUT", ["message", id]) => {
                let Some(user) = user else {
                    return text(401, "X-SOGS-* request authentication required");
                };
                let Ok(request) = serde_json::from_slice::<Value>(body) else {
                    return text(400, "Bad Request");
                };
                let decode = |key: &str| {
                    request
                        .get(key)
                        .and_then(Value::as_str)
                        .and_then(|s| STANDARD.decode(s).ok())
                };
                let (Some(data), Some(Ok(signature))) = (
                    decode("data"),
                    decode("signature").map(|s| <[u8; 64]>::try_from(s.as_slice())),
                ) else {
                    return text(400, "Bad Request");
                };
                let sequence = room.message_sequence + 1;
                let Some(message) = int(id).and_then(|id| {
                    room.messages
                        .iter_mut()
                        .find(|m| m.id == id && m.data.is_some())
                }) else {
                    return text(404, "Not Found");
                };
                if message.author != user {
                    return text(403, "Forbidden");
                }
                room.message_sequence = sequence;
                message.data = Some((data, signature));
                message.edited = Some(now);
                message.seqno = sequence;
                message.seqno_data = sequence;
                json_reply(200, &json!({}))
            }
            ("DELETE", ["message", id]) => {
                let Some(user) = user else {
                    return text(401, "X-SOGS-* request authentication required");
                };
                let sequence = room.message_sequence + 1;
                let Some(message) = int(id).and_then(|id| {
                    room.messages
                        .iter_mut()
                        .find(|m| m.id == id && m.data.is_some())
                }) else {
                    return text(404, "Not Found");
                };
                if message.author != user && !moderator {
                    return text(403, "Forbidden");
                }
                room.message_sequence = sequence;
                message.data = None;
                message.reactions.clear();
                message.seqno = sequence;
                message.seqno_data = sequence;
                json_reply(200, &json!({}))
            }
            (verb @ ("PUT" | "DELETE"), ["reaction", id, reaction @ ..]) => {
                let Some(user) = user else {
                    return text(401, "X-SOGS-* request authentication required");
                };
                let reaction = reaction.join("/");
                if !(1..=12).contains(&reaction.chars().count()) {
                    return text(400, "Bad Request");
                }
                let sequence = room.message_sequence + 1;
                let Some(message) = int(id).and_then(|id| {
                    room.messages
                        .iter_mut()
                        .find(|m| m.id == id && m.data.is_some())
                }) else {
                    return text(404, "Not Found");
                };
                let entry = message.reactions.iter().position(|(r, _)| *r == reaction);
                let changed = match (verb, entry) {
                    ("PUT", Some(i)) if message.reactions[i].1.iter().any(|(u, _)| *u == user) => {
                        false
                    }
                    ("PUT", Some(i)) => {
                        message.reactions[i].1.push((user, now));
                        true
                    }
                    ("PUT", None) => {
                        message.reactions.push((reaction, vec![(user, now)]));
                        true
                    }
                    (_, Some(i)) => {
                        let before = message.reactions[i].1.len();
                        message.reactions[i].1.retain(|(u, _)| *u != user);
                        let changed = message.reactions[i].1.len() != before;
                        if message.reactions[i].1.is_empty() {
                            message.reactions.remove(i);
                        }
                        changed
                    }
                    (_, None) => false,
                };
                if changed {
                    room.message_sequence = sequence;
                    message.seqno = sequence;
                    message.seqno_reactions = sequence;
                }
                let key = if verb == "PUT" { "added" } else { "removed" };
                json_reply(200, &json!({ key: changed, "seqno": message.seqno }))
            }
            ("GET", ["reactors", id, reaction @ ..]) => {
                let reaction = reaction.join("/");
                let Some(message) = int(id).and_then(|id| {
                    room.messages
                        .iter()
                        .find(|m| m.id == id && m.data.is_some())
                }) else {
                    return text(404, "Not Found");
                };
                let list: Vec<Value> = message
                    .reactions
                    .iter()
                    .find(|(r, _)| *r == reaction)
                    .map(|(_, users)| {
                        users
                            .iter()
                            .map(|(id, at)| json!([id.to_hex(), at]))
                            .collect()
                    })
                    .unwrap_or_default();
                json_reply(200, &Value::Array(list))
            }
            ("DELETE", ["reactions", id, reaction @ ..]) => {
                if !moderator {
                    return text(403, "This endpoint requires moderator room permissions");
                }
                let reaction = reaction.join("/");
                let sequence = room.message_sequence + 1;
                let Some(message) = int(id).and_then(|id| {
                    room.messages
                        .iter_mut()
                        .find(|m| m.id == id && m.data.is_some())
                }) else {
                    return text(404, "Not Found");
                };
                let before: usize = message.reactions.iter().map(|(_, u)| u.len()).sum();
                message
                    .reactions
                    .retain(|(r, _)| !reaction.is_empty() && *r != reaction);
                let after: usize = message.reactions.iter().map(|(_, u)| u.len()).sum();
                if before != after {
                    room.message_sequence = sequence;
                    message.seqno = sequence;
                    message.seqno_reactions = sequence;
                }
                json_reply(
                    200,
                    &json!({"removed": before - after, "seqno": message.seqno}),
                )
            }
            ("POST", [verb @ ("pin" | "unpin"), id]) => {
                let Some(user) = user.filter(|_| moderator) else {
                    return text(403, "This endpoint requires admin room permissions");
                };
                let Some(id) = int(id).filter(|id| {
                    room.messages
                        .iter()
                        .any(|m| m.id == *id && m.data.is_some())
                }) else {
                    return text(404, "Not Found");
                };
                room.pinned.retain(|(p, _, _)| *p != id);
                if *verb == "pin" {
                    room.pinned.push((id, now, user));
                }
                room.info_updates += 1;
                json_reply(200, &json!({"info_updates": room.info_updates}))
            }
            ("POST", ["file"]) => {
                if user.is_none() {
                    return text(401, "X-SOGS-* request authentication required");
                }
                if body.len() > session_community::request::MAX_UPLOAD_LEN {
                    return text(413, "Payload Too Large");
                }
                let id = self.next_file_id;
                self.next_file_id += 1;
                room.files.insert(id, body.to_vec());
                json_reply(201, &json!({ "id": id }))
            }
            ("GET", ["file", id]) => match int(id).and_then(|id| room.files.get(&id)) {
                Some(data) => (200, "application/octet-stream", data.clone()),
                None => text(404, "Not Found"),
            },
            _ => text(404, "Not Found"),
        }
    }

    fn dm_json(message: &StoredDm, with_body: bool) -> Value {
        let mut out = json!({"id": message.id, "posted_at": message.posted_at,
            "expires_at": message.posted_at + DM_EXPIRY_SECS,
            "sender": message.sender.to_hex(), "recipient": message.recipient.to_hex()});
        if with_body {
            out["message"] = Value::String(STANDARD.encode(&message.message));
        }
        out
    }

    fn dm_box(
        &self,
        user: Option<SessionId>,
        outbox: bool,
        since: Option<&str>,
        params: &BTreeMap<&str, &str>,
    ) -> Reply {
        let Some(user) = user.filter(is_blinded) else {
            return text(401, "This endpoint requires blinded pubkeys be used");
        };
        let since = match since.map(str::parse::<u64>) {
            None => None,
            Some(Ok(id)) => Some(id),
            Some(Err(_)) => return text(404, "Not Found"),
        };
        let limit = params
            .get("limit")
            .and_then(|l| l.parse::<usize>().ok())
            .unwrap_or(100)
            .clamp(1, 256);
        let list: Vec<Value> = self
            .inbox
            .iter()
            .filter(|m| {
                if outbox {
                    m.sender == user
                } else {
                    m.recipient == user
                }
            })
            .filter(|m| since.is_none_or(|s| m.id > s))
            .take(limit)
            .map(|m| Self::dm_json(m, true))
            .collect();
        if list.is_empty() && since.is_some() {
            return (304, "text/plain; charset=utf-8", Vec::new());
        }
        json_reply(200, &Value::Array(list))
    }

    fn send_dm(
        &mut self,
        user: Option<SessionId>,
        recipient: &str,
        body: &[u8],
        now: f64,
    ) -> Reply {
        let Some(user) = user else {
            return text(401, "X-SOGS-* request authentication required");
        };
        let recipient = match SessionId::parse(recipient) {
            Ok(id) if is_blinded(&id) => id,
            _ => return text(404, "Not Found"),
        };
        if recipient.prefix() == Prefix::Blinded25 && !self.accepted.blind25 {
            return text(404, "Not Found");
        }
        if !self.users.contains(&recipient) || self.banned.contains(&recipient) {
            return text(404, "Not Found");
        }
        let message = serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_owned))
            .and_then(|m| STANDARD.decode(m).ok());
        let Some(message) = message else {
            return text(400, "Bad Request");
        };
        let stored = StoredDm {
            id: self.inbox.last().map_or(1, |m| m.id + 1),
            posted_at: now,
            sender: user,
            recipient,
            message,
        };
        let reply = Self::dm_json(&stored, false);
        self.inbox.push(stored);
        json_reply(201, &reply)
    }
}

fn is_blinded(id: &SessionId) -> bool {
    matches!(id.prefix(), Prefix::Blinded15 | Prefix::Blinded25)
}

impl Network {
    /// Adds a community server, reachable through onion requests to its host. Replaces a
    /// server with the same host.
    pub fn add_community(&mut self, server: CommunityServer) {
        self.communities.retain(|c| c.host != server.host);
        self.communities.push(server);
    }

    /// The community server at `host`.
    pub fn community(&self, host: &str) -> Option<&CommunityServer> {
        self.communities.iter().find(|c| c.host == host)
    }

    /// The community server at `host`, mutably (to ban or promote users).
    pub fn community_mut(&mut self, host: &str) -> Option<&mut CommunityServer> {
        self.communities.iter_mut().find(|c| c.host == host)
    }

    pub(crate) fn community_index(&self, host: &str) -> Option<usize> {
        self.communities.iter().position(|c| c.host == host)
    }

    pub(crate) fn serve_community(&mut self, index: usize, payload: &[u8]) -> Option<Vec<u8>> {
        let now_secs = self.now().as_millis() / 1000;
        self.communities.get_mut(index)?.serve(payload, now_secs)
    }
}

/// Why a request through a [`CommunityLink`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LinkError {
    /// No onion path could be built.
    #[error("no onion path: {0}")]
    Path(#[from] session_swarm::PathError),
    /// The onion request could not be built.
    #[error("onion request: {0}")]
    Onion(#[from] session_onion::BuildError),
    /// The request could not be signed.
    #[error("signing: {0}")]
    Sign(#[from] session_community::SignError),
    /// Nothing came back.
    #[error("no answer")]
    Timeout,
    /// The path failed or the answer was unreadable.
    #[error("onion: {0}")]
    Unreachable(#[from] OnionFailure),
    /// The server's answer was an error or malformed.
    #[error("reply: {0}")]
    Reply(#[from] ReplyError),
}

/// Carries requests to community servers through onion paths: what a frontend's network layer
/// does with the [`V4Request`]s a [`Community`] signs.
#[derive(Debug)]
pub struct CommunityLink {
    paths: PathSet,
    rng: ChaCha20Rng,
}

impl CommunityLink {
    /// A link with its own onion paths over `net`'s nodes; `seed` seeds its random generator
    /// (paths, nonces, layer keys).
    pub fn new(net: &Network, seed: u64) -> Result<Self, LinkError> {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let pool = NodePool::new(&net.bootstrap_nodes());
        let paths = pool.build_paths(&mut rng)?;
        Ok(Self { paths, rng })
    }

    /// The link's random generator (for signing with the same determinism).
    pub fn rng(&mut self) -> &mut ChaCha20Rng {
        &mut self.rng
    }

    /// Sends a signed request to `server` and returns its decrypted answer.
    pub fn send(
        &mut self,
        net: &mut Network,
        server: &Server,
        request: &V4Request,
    ) -> Result<ServerResponse, LinkError> {
        let path = self
            .paths
            .choose(&mut self.rng, None)
            .ok_or(session_swarm::PathError::NotEnoughNodes {
                needed: 3,
                found: 0,
            })?
            .clone();
        let onion = OnionRequestBuilder::new(
            Destination::Server(server.destination()),
            EncType::XChaCha20,
        )
        .path(path.hops().iter().map(|n| Hop::new(n.ed25519, n.x25519)))
        .build(&request.encode(), &mut self.rng)?;
        let label = format!("{} {}", request.method(), request.endpoint());
        let answer = net
            .deliver(&path.guard().ed25519, onion.body(), &label)
            .ok_or(LinkError::Timeout)?;
        Ok(onion
            .response_context()
            .read_server_reply(answer.status, &answer.body)?)
    }

    /// Signs `call` as `community` at the network's time, sends it and reads the reply.
    pub fn call<C: Call>(
        &mut self,
        net: &mut Network,
        community: &Community,
        call: &C,
    ) -> Result<C::Reply, LinkError> {
        let now = core::time::Duration::from_millis(net.now().as_millis());
        let request = community.sign(&call.request(), now, &mut self.rng)?;
        let response = self.send(net, community.server(), &request)?;
        Ok(call.read_response(&response)?)
    }
}
