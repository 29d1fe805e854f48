//! Storage-server replies: successful bodies and error statuses.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use serde_json::{Map, Value};
use session_identity::{Ed25519PublicKey, Signature};

use crate::hash::MessageHash;
use crate::node::{parse_swarm_value, NodeListError, SwarmReply};
use crate::request::MAX_STORE_DATA_LEN;
use crate::time::Timestamp;

/// Standard base64, padding optional (the servers pad; accept both).
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Why a reply body was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplyError {
    /// The body is not JSON.
    #[error("reply is not valid JSON")]
    NotJson,
    /// A field the reply must have is missing or has the wrong type.
    #[error("reply field `{0}` is missing or has the wrong type")]
    MissingField(&'static str),
    /// A 421 body that does not describe a swarm.
    #[error("wrong-swarm reply: {0}")]
    Swarm(#[from] NodeListError),
}

fn parse_object(body: &[u8]) -> Result<Map<String, Value>, ReplyError> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ReplyError::MissingField("(top-level object)")),
        Err(_) => Err(ReplyError::NotJson),
    }
}

fn server_time(map: &Map<String, Value>) -> Option<Timestamp> {
    map.get("t")
        .and_then(Value::as_u64)
        .map(Timestamp::from_millis)
}

fn timestamp(value: Option<&Value>) -> Option<Timestamp> {
    value.and_then(Value::as_u64).map(Timestamp::from_millis)
}

fn hash(value: &Value) -> Option<MessageHash> {
    value.as_str().and_then(|s| MessageHash::parse(s).ok())
}

fn decode_base64_bounded(text: &str, max_len: usize) -> Option<Vec<u8>> {
    // Check the encoded length before decoding: ⌈max/3⌉·4 characters at most.
    if text.len() > max_len.div_ceil(3) * 4 {
        return None;
    }
    let bytes = BASE64.decode(text).ok()?;
    (bytes.len() <= max_len).then_some(bytes)
}

/// One message of a `retrieve` reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrievedMessage {
    /// The server's hash of the message.
    pub hash: MessageHash,
    /// When it was stored (the sender's timestamp).
    pub timestamp: Timestamp,
    /// When the server will delete it.
    pub expiry: Timestamp,
    /// The stored bytes (decoded from base64).
    pub data: Vec<u8>,
}

/// A `retrieve` reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrieveReply {
    /// The messages, oldest first.
    pub messages: Vec<RetrievedMessage>,
    /// Whether more messages are waiting (ask again with the last hash).
    pub more: bool,
    /// The node's clock (`t`), when given.
    pub server_time: Option<Timestamp>,
    /// Entries skipped because a field was missing or malformed.
    pub malformed: usize,
}

fn parse_retrieved(value: &Value) -> Option<RetrievedMessage> {
    let entry = value.as_object()?;
    Some(RetrievedMessage {
        hash: hash(entry.get("hash")?)?,
        timestamp: timestamp(entry.get("timestamp"))?,
        // The reference server names it `expiration`; older documentation says `expiry`.
        expiry: timestamp(entry.get("expiration").or_else(|| entry.get("expiry")))?,
        data: decode_base64_bounded(entry.get("data")?.as_str()?, MAX_STORE_DATA_LEN)?,
    })
}

/// Parses a `retrieve` reply: `{"messages":[{"hash","timestamp","expiration","data"}],
/// "more":bool,"t":ms}`. Malformed messages are skipped and counted.
pub fn parse_retrieve_reply(body: &[u8]) -> Result<RetrieveReply, ReplyError> {
    let map = parse_object(body)?;
    let list = map
        .get("messages")
        .and_then(Value::as_array)
        .ok_or(ReplyError::MissingField("messages"))?;
    let mut messages = Vec::new();
    let mut malformed = 0;
    for value in list {
        match parse_retrieved(value) {
            Some(message) => messages.push(message),
            None => malformed += 1,
        }
    }
    Ok(RetrieveReply {
        messages,
        more: map.get("more").and_then(Value::as_bool).unwrap_or(false),
        server_time: server_time(&map),
        malformed,
    })
}

/// Why one swarm member reported failure inside a recursive reply.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MemberFailure {
    /// The member did not answer the node that relayed the request.
    Timeout,
    /// The member answered with an error status.
    Status {
        /// The status code.
        code: u16,
        /// Its reason text, if any.
        reason: String,
    },
    /// Any other failure (a bad or unparsable answer, a failed query).
    Other,
}

/// One member's part of a recursive reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberResult<T> {
    /// The member's Ed25519 key.
    pub node: Ed25519PublicKey,
    /// Its result, or why it failed.
    pub result: Result<T, MemberFailure>,
}

/// A reply from a request the entry node relays to its whole swarm: one entry per member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwarmResults<T> {
    /// The members' results, in key order.
    pub members: Vec<MemberResult<T>>,
    /// The entry node's clock (`t`), when given.
    pub server_time: Option<Timestamp>,
    /// Entries skipped because their key or body was malformed.
    pub malformed: usize,
}

impl<T> SwarmResults<T> {
    /// The successful results.
    pub fn successes(&self) -> impl Iterator<Item = (&Ed25519PublicKey, &T)> {
        self.members
            .iter()
            .filter_map(|m| m.result.as_ref().ok().map(|r| (&m.node, r)))
    }
}

fn member_failure(entry: &Map<String, Value>) -> MemberFailure {
    if entry.get("timeout").and_then(Value::as_bool) == Some(true) {
        return MemberFailure::Timeout;
    }
    let code = entry.get("code").and_then(|c| match c {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    });
    match code.and_then(|c| u16::try_from(c).ok()) {
        Some(code) => MemberFailure::Status {
            code,
            reason: entry
                .get("reason")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .chars()
                .take(256)
                .collect(),
        },
        None => MemberFailure::Other,
    }
}

fn signature(entry: &Map<String, Value>) -> Option<Signature> {
    let bytes = decode_base64_bounded(entry.get("signature")?.as_str()?, 64)?;
    Signature::from_slice(&bytes)
}

fn parse_swarm_results<T>(
    body: &[u8],
    parse: impl Fn(&Map<String, Value>) -> Option<T>,
) -> Result<SwarmResults<T>, ReplyError> {
    let map = parse_object(body)?;
    let swarm = map
        .get("swarm")
        .and_then(Value::as_object)
        .ok_or(ReplyError::MissingField("swarm"))?;
    let mut members = Vec::new();
    let mut malformed = 0;
    for (key, value) in swarm {
        let node = crate::node::parse_key_text::<Ed25519PublicKey>(key);
        let entry = value.as_object();
        let (Some(node), Some(entry)) = (node, entry) else {
            malformed += 1;
            continue;
        };
        let result = if entry.get("failed").and_then(Value::as_bool) == Some(true) {
            Err(member_failure(entry))
        } else {
            match parse(entry) {
                Some(result) => Ok(result),
                None => {
                    malformed += 1;
                    continue;
                }
            }
        };
        members.push(MemberResult { node, result });
    }
    Ok(SwarmResults {
        members,
        server_time: server_time(&map),
        malformed,
    })
}

/// One member's answer to `store`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreResult {
    /// The hash the member gave the message.
    pub hash: MessageHash,
    /// The member's signature over the hash.
    pub signature: Signature,
    /// Whether the member already had the message.
    pub already: bool,
    /// The message's expiry on this member, when given.
    pub expiry: Option<Timestamp>,
}

impl StoreResult {
    /// Checks the member's signature (over the hash's text) with its key.
    pub fn verify(&self, node: &Ed25519PublicKey) -> bool {
        node.verify(self.hash.as_str().as_bytes(), &self.signature)
            .is_ok()
    }
}

/// Parses a `store` reply: `{"swarm":{ed25519_hex:{"hash","signature","already","expiry"} |
/// {"failed":true,…}},"t":ms}`.
pub fn parse_store_reply(body: &[u8]) -> Result<SwarmResults<StoreResult>, ReplyError> {
    parse_swarm_results(body, |entry| {
        Some(StoreResult {
            hash: hash(entry.get("hash")?)?,
            signature: signature(entry)?,
            already: entry
                .get("already")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            expiry: timestamp(entry.get("expiry")),
        })
    })
}

/// Hashes from a list, or from an object of lists keyed by namespace (replies about "all"
/// namespaces). `None` if anything is malformed.
fn hashes(value: &Value) -> Option<Vec<MessageHash>> {
    match value {
        Value::Array(items) => items.iter().map(hash).collect(),
        Value::Object(by_namespace) => {
            let mut all = Vec::new();
            for list in by_namespace.values() {
                all.extend(
                    list.as_array()?
                        .iter()
                        .map(hash)
                        .collect::<Option<Vec<_>>>()?,
                );
            }
            Some(all)
        }
        _ => None,
    }
}

/// One member's answer to `delete`, `delete_all` or `delete_before`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteResult {
    /// The hashes the member deleted.
    pub deleted: Vec<MessageHash>,
    /// The member's signature over what it did.
    pub signature: Signature,
}

/// Parses the reply of `delete`, `delete_all` or `delete_before`.
pub fn parse_delete_reply(body: &[u8]) -> Result<SwarmResults<DeleteResult>, ReplyError> {
    parse_swarm_results(body, |entry| {
        Some(DeleteResult {
            deleted: hashes(entry.get("deleted")?)?,
            signature: signature(entry)?,
        })
    })
}

/// One member's answer to `expire` or `expire_all`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpireResult {
    /// The hashes whose expiry changed.
    pub updated: Vec<MessageHash>,
    /// Hashes left unchanged (with `shorten`/`extend`) and their current expiries.
    pub unchanged: Vec<(MessageHash, Timestamp)>,
    /// The expiry applied, when given as a single value.
    pub expiry: Option<Timestamp>,
    /// The member's signature over what it did.
    pub signature: Signature,
}

fn expiry_map(value: Option<&Value>) -> Option<Vec<(MessageHash, Timestamp)>> {
    match value {
        None | Some(Value::Null) => Some(Vec::new()),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| Some((MessageHash::parse(k).ok()?, timestamp(Some(v))?)))
            .collect(),
        Some(_) => None,
    }
}

/// Parses the reply of `expire` or `expire_all`.
pub fn parse_expire_reply(body: &[u8]) -> Result<SwarmResults<ExpireResult>, ReplyError> {
    parse_swarm_results(body, |entry| {
        Some(ExpireResult {
            updated: hashes(entry.get("updated")?)?,
            unchanged: expiry_map(entry.get("unchanged"))?,
            expiry: timestamp(entry.get("expiry")),
            signature: signature(entry)?,
        })
    })
}

/// Parses a `get_expiries` reply: `{"expiries":{hash: ms}}`.
pub fn parse_get_expiries_reply(body: &[u8]) -> Result<Vec<(MessageHash, Timestamp)>, ReplyError> {
    let map = parse_object(body)?;
    expiry_map(Some(
        map.get("expiries")
            .ok_or(ReplyError::MissingField("expiries"))?,
    ))
    .ok_or(ReplyError::MissingField("expiries"))
}

/// Parses an `info` reply: the node's clock (`timestamp`).
pub fn parse_info_reply(body: &[u8]) -> Result<Timestamp, ReplyError> {
    let map = parse_object(body)?;
    timestamp(map.get("timestamp")).ok_or(ReplyError::MissingField("timestamp"))
}

/// Parses the body of a 421 (wrong swarm) reply: the swarm that does hold the account.
pub fn parse_wrong_swarm_reply(body: &[u8]) -> Result<SwarmReply, ReplyError> {
    let json: Value = serde_json::from_slice(body).map_err(|_| ReplyError::NotJson)?;
    Ok(parse_swarm_value(&json)?)
}

/// One sub-request's result in a `batch`/`sequence` reply.
#[derive(Debug, Clone, PartialEq)]
pub struct SubResult {
    /// Its status code.
    pub status: u16,
    /// Its body (pass `body.to_string()` to the matching parser).
    pub body: Value,
}

/// Parses a `batch`/`sequence` reply: `{"results":[{"code":n,"body":…}]}`. A sequence stops
/// at the first failure, so it may hold fewer results than requests.
pub fn parse_batch_reply(body: &[u8]) -> Result<Vec<SubResult>, ReplyError> {
    let map = parse_object(body)?;
    let results = map
        .get("results")
        .and_then(Value::as_array)
        .ok_or(ReplyError::MissingField("results"))?;
    results
        .iter()
        .map(|r| {
            let status = r
                .get("code")
                .and_then(Value::as_u64)
                .and_then(|c| u16::try_from(c).ok())
                .ok_or(ReplyError::MissingField("code"))?;
            Ok(SubResult {
                status,
                body: r.get("body").cloned().unwrap_or(Value::Null),
            })
        })
        .collect()
}

/// What an HTTP status from a storage server means for the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusClass {
    /// 2xx: success.
    Success,
    /// 400: malformed request; do not retry unchanged.
    BadRequest,
    /// 401: bad or missing signature; do not retry.
    Unauthorized,
    /// 403: TTL or expiry refused, or a feature not yet active.
    Forbidden,
    /// 404: nothing matched (`delete` with `required`).
    NotFound,
    /// 406 or 425: the request's timestamp is too far from the node's clock.
    ClockOutOfSync,
    /// 421: the node is not in the account's swarm; the body names the right one.
    WrongSwarm,
    /// 500: every member of the swarm failed, or the node did.
    ServerError,
    /// 502: a node on the way could not reach the next one.
    BadGateway,
    /// 503: the node is not ready.
    Unavailable,
    /// 504: a node on the way timed out.
    GatewayTimeout,
    /// Any other status.
    Other,
}

impl StatusClass {
    /// Classifies a status code.
    pub const fn of(status: u16) -> Self {
        match status {
            200..=299 => Self::Success,
            400 => Self::BadRequest,
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            406 | 425 => Self::ClockOutOfSync,
            421 => Self::WrongSwarm,
            500 => Self::ServerError,
            502 => Self::BadGateway,
            503 => Self::Unavailable,
            504 => Self::GatewayTimeout,
            _ => Self::Other,
        }
    }
}
