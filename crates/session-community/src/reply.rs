//! Typed replies, read from untrusted JSON: every malformed field is a [`ReplyError`] naming the
//! field, every list and body is bounded, nothing panics.

use serde_json::Value;
use session_identity::{SessionId, Signature};

use crate::json::{self, array, object, Obj, Path};
use crate::RoomToken;

/// The largest reply body read (JSON or raw bytes): 16 MiB.
pub const MAX_REPLY_LEN: usize = 16 * 1024 * 1024;
/// The most messages one reply may hold (the server's own limit).
pub const MAX_MESSAGES: usize = 256;
/// The most entries read from any other list (rooms, reactions, reactors, moderators, …).
pub const MAX_LIST: usize = 10_000;
/// The longest reaction read, in bytes (the server allows 1 to 12 characters).
pub const MAX_REACTION_LEN: usize = 64;

/// What is wrong with one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldProblem {
    /// The field is absent or `null`.
    Missing,
    /// The field has another JSON type than the one named.
    WrongType(&'static str),
    /// A number outside the allowed range (negative, fractional where an integer is needed,
    /// not finite, too large).
    OutOfRange,
    /// Not base64.
    BadBase64,
    /// Decoded bytes of the wrong length.
    BadLength {
        /// The length needed.
        expected: usize,
        /// The length found.
        found: usize,
    },
    /// Not a 66-digit Session ID with a known prefix.
    BadSessionId,
    /// A list longer than allowed.
    TooMany {
        /// The most entries read.
        max: usize,
    },
    /// A string longer than allowed, or empty where it must not be.
    BadLengthText,
}

impl core::fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Missing => f.write_str("missing"),
            Self::WrongType(expected) => write!(f, "expected {expected}"),
            Self::OutOfRange => f.write_str("out of range"),
            Self::BadBase64 => f.write_str("not base64"),
            Self::BadLength { expected, found } => {
                write!(f, "{found} bytes where {expected} are needed")
            }
            Self::BadSessionId => f.write_str("not a Session ID"),
            Self::TooMany { max } => write!(f, "more than {max} entries"),
            Self::BadLengthText => f.write_str("empty or too long"),
        }
    }
}

/// Why a reply could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplyError {
    /// The body is longer than [`MAX_REPLY_LEN`].
    #[error("reply body is {len} bytes; at most {max} are read")]
    TooLarge {
        /// The body's length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The server answered with an error status; `message` is the start of its text body.
    #[error("the server answered {status}: {message}")]
    Status {
        /// The status.
        status: u16,
        /// Up to 200 characters of the body, if it was text.
        message: String,
    },
    /// The body is not JSON.
    #[error("reply body is not JSON")]
    NotJson,
    /// A sub-reply of a batch holds JSON where bytes were expected, or the reverse.
    #[error("sub-reply body has the wrong form (expected {0})")]
    WrongBodyForm(&'static str),
    /// A field is malformed.
    #[error("{field}: {problem}")]
    Field {
        /// Where, for example `reply[3].reactions.👍.count`.
        field: String,
        /// What.
        problem: FieldProblem,
    },
}

impl ReplyError {
    /// The error status, if the server answered with one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// A status error for `status` with the start of `body` as its message.
    pub fn from_status(status: u16, body: &[u8]) -> Self {
        let text = String::from_utf8_lossy(&body[..body.len().min(800)]);
        let message: String = text.chars().filter(|c| !c.is_control()).take(200).collect();
        Self::Status { status, message }
    }
}

/// Parses a JSON body of at most [`MAX_REPLY_LEN`] bytes.
pub(crate) fn parse_json(body: &[u8]) -> Result<Value, ReplyError> {
    if body.len() > MAX_REPLY_LEN {
        return Err(ReplyError::TooLarge {
            len: body.len(),
            max: MAX_REPLY_LEN,
        });
    }
    serde_json::from_slice(body).map_err(|_| ReplyError::NotJson)
}

const ROOT: Path<'static> = Path::Root("reply");

/// `GET /capabilities`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Capabilities {
    /// What the server supports (`sogs`, `reactions`, `blind`, …).
    pub capabilities: Vec<String>,
    /// Required capabilities the server lacks (only with `?required=`, status 412).
    pub missing: Vec<String>,
}

impl Capabilities {
    /// Whether the server lists `capability`.
    pub fn has(&self, capability: &str) -> bool {
        self.capabilities.iter().any(|c| c == capability)
    }

    pub(crate) fn read(value: &Value) -> Result<Self, ReplyError> {
        let obj = object(value, ROOT)?;
        // `capabilities` is required; `missing` is there only on 412.
        obj.field("capabilities")?;
        Ok(Self {
            capabilities: obj.strings("capabilities", 256)?,
            missing: obj.strings("missing", 256)?,
        })
    }
}

/// A pinned message in a room's details.
#[derive(Debug, Clone, PartialEq)]
pub struct PinnedMessage {
    /// The message ID.
    pub id: u64,
    /// When it was pinned (Unix seconds).
    pub pinned_at: f64,
    /// Who pinned it.
    pub pinned_by: SessionId,
}

/// The caller's permissions in a room and, for moderators, the room's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Permissions {
    /// May read messages.
    pub read: bool,
    /// May post.
    pub write: bool,
    /// May upload files.
    pub upload: bool,
    /// Is a moderator here.
    pub moderator: bool,
    /// Is an admin here.
    pub admin: bool,
    /// Is a global moderator.
    pub global_moderator: bool,
    /// Is a global admin.
    pub global_admin: bool,
    /// The room's default read permission (shown to moderators).
    pub default_read: Option<bool>,
    /// The room's default accessibility (shown to moderators).
    pub default_accessible: Option<bool>,
    /// The room's default write permission (shown to moderators).
    pub default_write: Option<bool>,
    /// The room's default upload permission (shown to moderators).
    pub default_upload: Option<bool>,
}

impl Permissions {
    fn read(obj: &Obj<'_>) -> Result<Self, ReplyError> {
        Ok(Self {
            read: obj.bool("read")?,
            write: obj.bool("write")?,
            upload: obj.bool("upload")?,
            moderator: obj.flag("moderator")?,
            admin: obj.flag("admin")?,
            global_moderator: obj.flag("global_moderator")?,
            global_admin: obj.flag("global_admin")?,
            default_read: obj.opt_bool("default_read")?,
            default_accessible: obj.opt_bool("default_accessible")?,
            default_write: obj.opt_bool("default_write")?,
            default_upload: obj.opt_bool("default_upload")?,
        })
    }
}

/// `GET /room/<token>` (and each entry of `GET /rooms`).
#[derive(Debug, Clone, PartialEq)]
pub struct RoomInfo {
    /// The room token.
    pub token: RoomToken,
    /// The display name.
    pub name: String,
    /// The description, if any.
    pub description: Option<String>,
    /// Counter of metadata changes.
    pub info_updates: u64,
    /// Counter of posts, edits and deletions.
    pub message_sequence: u64,
    /// Creation time (Unix seconds).
    pub created: f64,
    /// Users active within `active_users_cutoff` seconds.
    pub active_users: u64,
    /// The activity window, seconds.
    pub active_users_cutoff: u64,
    /// The room image's file ID.
    pub image_id: Option<u64>,
    /// Pinned messages, in pinning order.
    pub pinned_messages: Vec<PinnedMessage>,
    /// Public moderators.
    pub moderators: Vec<SessionId>,
    /// Public admins.
    pub admins: Vec<SessionId>,
    /// Hidden moderators (shown to moderators).
    pub hidden_moderators: Vec<SessionId>,
    /// Hidden admins (shown to moderators).
    pub hidden_admins: Vec<SessionId>,
    /// The caller's permissions.
    pub permissions: Permissions,
}

impl RoomInfo {
    pub(crate) fn read(value: &Value, path: Path<'_>) -> Result<Self, ReplyError> {
        let obj = object(value, path)?;
        let token = obj.str("token")?;
        let token = RoomToken::new(token)
            .map_err(|_| Path::Key(&obj.path, "token").error(FieldProblem::BadLengthText))?;
        let pinned_path = Path::Key(&obj.path, "pinned_messages");
        let pinned_messages = match obj.opt("pinned_messages") {
            None => Vec::new(),
            Some(list) => array(list, &pinned_path, MAX_LIST)?
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let pin = object(v, Path::Index(&pinned_path, i))?;
                    Ok(PinnedMessage {
                        id: pin.u64("id")?,
                        pinned_at: pin.time("pinned_at")?,
                        pinned_by: pin.session_id("pinned_by")?,
                    })
                })
                .collect::<Result<_, ReplyError>>()?,
        };
        Ok(Self {
            token,
            name: obj.str("name")?.to_owned(),
            description: obj.opt_str("description")?.map(str::to_owned),
            info_updates: obj.u64("info_updates")?,
            message_sequence: obj.u64("message_sequence")?,
            created: obj.time("created")?,
            active_users: obj.u64("active_users")?,
            active_users_cutoff: obj.opt_u64("active_users_cutoff")?.unwrap_or(0),
            image_id: obj.opt_u64("image_id")?,
            pinned_messages,
            moderators: obj.session_ids("moderators", MAX_LIST)?,
            admins: obj.session_ids("admins", MAX_LIST)?,
            hidden_moderators: obj.session_ids("hidden_moderators", MAX_LIST)?,
            hidden_admins: obj.session_ids("hidden_admins", MAX_LIST)?,
            permissions: Permissions::read(&obj)?,
        })
    }

    pub(crate) fn read_list(value: &Value) -> Result<Vec<Self>, ReplyError> {
        array(value, &ROOT, MAX_LIST)?
            .iter()
            .enumerate()
            .map(|(i, v)| Self::read(v, Path::Index(&ROOT, i)))
            .collect()
    }
}

/// `GET /room/<token>/pollInfo/<info_updates>`.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomPollInfo {
    /// The room token.
    pub token: RoomToken,
    /// Users active recently.
    pub active_users: u64,
    /// The caller's permissions.
    pub permissions: Permissions,
    /// The full details, present only when `info_updates` changed.
    pub details: Option<RoomInfo>,
}

impl RoomPollInfo {
    pub(crate) fn read(value: &Value) -> Result<Self, ReplyError> {
        let obj = object(value, ROOT)?;
        let token = RoomToken::new(obj.str("token")?)
            .map_err(|_| Path::Key(&obj.path, "token").error(FieldProblem::BadLengthText))?;
        let details = obj
            .opt("details")
            .map(|d| RoomInfo::read(d, Path::Key(&ROOT, "details")))
            .transpose()?;
        Ok(Self {
            token,
            active_users: obj.u64("active_users")?,
            permissions: Permissions::read(&obj)?,
            details,
        })
    }
}

/// One reaction on a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reaction {
    /// The reaction (an emoji, 1 to 12 characters).
    pub emoji: String,
    /// Display position: reactions are shown in increasing `index`.
    pub index: u64,
    /// How many users reacted so.
    pub count: u64,
    /// The first reactors (as many as the request asked for).
    pub reactors: Vec<SessionId>,
    /// Whether the caller reacted so.
    pub you: bool,
}

fn read_reactions(value: &Value, path: &Path<'_>) -> Result<Vec<Reaction>, ReplyError> {
    let map = match value {
        Value::Object(map) if map.len() <= MAX_LIST => map,
        Value::Object(_) => return Err(path.error(FieldProblem::TooMany { max: MAX_LIST })),
        _ => return Err(path.wrong_type("object")),
    };
    let mut reactions = map
        .iter()
        .map(|(emoji, info)| {
            let here = Path::Key(path, emoji);
            if emoji.is_empty() || emoji.len() > MAX_REACTION_LEN {
                return Err(here.error(FieldProblem::BadLengthText));
            }
            let obj = object(info, here)?;
            Ok(Reaction {
                emoji: emoji.clone(),
                index: obj.u64("index")?,
                count: obj.u64("count")?,
                reactors: obj.session_ids("reactors", MAX_LIST)?,
                you: obj.flag("you")?,
            })
        })
        .collect::<Result<Vec<_>, ReplyError>>()?;
    reactions.sort_by(|a, b| a.index.cmp(&b.index).then_with(|| a.emoji.cmp(&b.emoji)));
    Ok(reactions)
}

/// A room message as the server returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomMessage {
    /// The message ID (its position in the room).
    pub id: u64,
    /// The sender: a blinded ID (`15`/`25`), or a Session ID on servers without blinding.
    pub session_id: SessionId,
    /// When it was posted (Unix seconds).
    pub posted: f64,
    /// When it was last edited, if ever.
    pub edited: Option<f64>,
    /// The room sequence number of its latest change.
    pub seqno: u64,
    /// The message data (a padded `Content`) and its signature; `None` for a deleted message.
    pub data: Option<(Vec<u8>, Signature)>,
    /// A whisper (to the caller, or to moderators).
    pub whisper: bool,
    /// A whisper to all moderators.
    pub whisper_mods: bool,
    /// The recipient of a whisper.
    pub whisper_to: Option<SessionId>,
    /// The reactions, in display order (absent for deletions).
    pub reactions: Vec<Reaction>,
}

impl RoomMessage {
    /// Whether this is a deletion.
    pub fn is_deleted(&self) -> bool {
        self.data.is_none()
    }

    /// When it was posted, in milliseconds since the Unix epoch (as clients show it).
    pub fn posted_ms(&self) -> u64 {
        seconds_to_ms(self.posted)
    }

    pub(crate) fn read(value: &Value, path: Path<'_>) -> Result<Self, ReplyError> {
        let obj = object(value, path)?;
        Self::read_obj(&obj)
    }

    fn read_obj(obj: &Obj<'_>) -> Result<Self, ReplyError> {
        let deleted = obj.flag("deleted")?;
        let data = match obj.opt("data") {
            None if deleted => None,
            None => return Err(Path::Key(&obj.path, "data").error(FieldProblem::Missing)),
            Some(_) => {
                let data = obj.base64("data")?;
                let signature = obj.base64("signature")?;
                let signature: [u8; 64] = signature.as_slice().try_into().map_err(|_| {
                    Path::Key(&obj.path, "signature").error(FieldProblem::BadLength {
                        expected: 64,
                        found: signature.len(),
                    })
                })?;
                Some((data, Signature::from_bytes(signature)))
            }
        };
        let reactions = match obj.opt("reactions") {
            Some(value) => read_reactions(value, &Path::Key(&obj.path, "reactions"))?,
            None => Vec::new(),
        };
        Ok(Self {
            id: obj.u64("id")?,
            session_id: obj.session_id("session_id")?,
            posted: obj.time("posted")?,
            edited: obj.opt_time("edited")?,
            seqno: obj.u64("seqno")?,
            data,
            whisper: obj.flag("whisper")?,
            whisper_mods: obj.flag("whisper_mods")?,
            whisper_to: obj.opt_session_id("whisper_to")?,
            reactions,
        })
    }
}

pub(crate) fn seconds_to_ms(seconds: f64) -> u64 {
    // Finite and non-negative (checked when read); `as` saturates above u64::MAX.
    (seconds * 1000.0).floor() as u64
}

/// One entry of a `messages/since` reply.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum MessageUpdate {
    /// A new, edited or deleted message (its current state).
    Message(RoomMessage),
    /// Only the reactions of a message changed.
    Reactions {
        /// The message.
        id: u64,
        /// Its new sequence number.
        seqno: u64,
        /// Its reactions now.
        reactions: Vec<Reaction>,
    },
}

impl MessageUpdate {
    /// The sequence number of this update.
    pub fn seqno(&self) -> u64 {
        match self {
            Self::Message(m) => m.seqno,
            Self::Reactions { seqno, .. } => *seqno,
        }
    }

    /// The message ID.
    pub fn id(&self) -> u64 {
        match self {
            Self::Message(m) => m.id,
            Self::Reactions { id, .. } => *id,
        }
    }

    pub(crate) fn read_list(value: &Value) -> Result<Vec<Self>, ReplyError> {
        array(value, &ROOT, MAX_MESSAGES)?
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let obj = object(v, Path::Index(&ROOT, i))?;
                // A message row always has a `data` key (null for deletions).
                if obj.map.contains_key("data") || obj.map.contains_key("deleted") {
                    RoomMessage::read_obj(&obj).map(Self::Message)
                } else {
                    let reactions = match obj.opt("reactions") {
                        Some(value) => read_reactions(value, &Path::Key(&obj.path, "reactions"))?,
                        None => Vec::new(),
                    };
                    Ok(Self::Reactions {
                        id: obj.u64("id")?,
                        seqno: obj.u64("seqno")?,
                        reactions,
                    })
                }
            })
            .collect()
    }
}

/// Reads a list of full messages (`recent`, `before`): reaction-only rows are refused.
pub(crate) fn read_message_list(value: &Value) -> Result<Vec<RoomMessage>, ReplyError> {
    array(value, &ROOT, MAX_MESSAGES)?
        .iter()
        .enumerate()
        .map(|(i, v)| RoomMessage::read(v, Path::Index(&ROOT, i)))
        .collect()
}

/// The answer to adding or removing one's own reaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReactionChange {
    /// Whether anything changed (`added` or `removed`; false if it was already so).
    pub changed: bool,
    /// The message's new sequence number.
    pub seqno: u64,
}

impl ReactionChange {
    pub(crate) fn read(value: &Value, key: &'static str) -> Result<Self, ReplyError> {
        let obj = object(value, ROOT)?;
        Ok(Self {
            changed: obj.bool(key)?,
            seqno: obj.u64("seqno")?,
        })
    }
}

/// The answer to a moderator clearing reactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReactionsCleared {
    /// How many reactions were removed.
    pub removed: u64,
    /// The message's new sequence number.
    pub seqno: u64,
}

impl ReactionsCleared {
    pub(crate) fn read(value: &Value) -> Result<Self, ReplyError> {
        let obj = object(value, ROOT)?;
        Ok(Self {
            removed: obj.u64("removed")?,
            seqno: obj.u64("seqno")?,
        })
    }
}

/// One user who reacted, and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Reactor {
    /// The user.
    pub id: SessionId,
    /// When (Unix seconds).
    pub at: f64,
}

pub(crate) fn read_reactors(value: &Value) -> Result<Vec<Reactor>, ReplyError> {
    array(value, &ROOT, MAX_LIST)?
        .iter()
        .enumerate()
        .map(|(i, pair)| {
            let path = Path::Index(&ROOT, i);
            match array(pair, &path, 2)? {
                [id, at] => Ok(Reactor {
                    id: json::session_id_value(id, &Path::Index(&path, 0))?,
                    at: json::time_value(at, &Path::Index(&path, 1))?,
                }),
                _ => Err(path.wrong_type("[session id, time] pair")),
            }
        })
        .collect()
}

/// `{"info_updates": n}`: the room's metadata counter after a pin or unpin.
pub(crate) fn read_info_updates(value: &Value) -> Result<u64, ReplyError> {
    object(value, ROOT)?.u64("info_updates")
}

/// `{"id": n}`: an uploaded file's ID.
pub(crate) fn read_file_id(value: &Value) -> Result<u64, ReplyError> {
    object(value, ROOT)?.u64("id")
}

/// `{"deleted": n}`: how many inbox messages were deleted.
pub(crate) fn read_deleted(value: &Value) -> Result<u64, ReplyError> {
    object(value, ROOT)?.u64("deleted")
}

/// A blinded direct message in an inbox or outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectMessage {
    /// The message ID (per server, increasing).
    pub id: u64,
    /// When it was posted (Unix seconds).
    pub posted_at: f64,
    /// When the server drops it (Unix seconds).
    pub expires_at: f64,
    /// The sender's blinded ID.
    pub sender: SessionId,
    /// The recipient's blinded ID.
    pub recipient: SessionId,
    /// The ciphertext (empty in the reply to sending, which omits it).
    pub message: Vec<u8>,
}

impl DirectMessage {
    /// When it was posted, in milliseconds since the Unix epoch.
    pub fn posted_ms(&self) -> u64 {
        seconds_to_ms(self.posted_at)
    }

    pub(crate) fn read(
        value: &Value,
        path: Path<'_>,
        with_message: bool,
    ) -> Result<Self, ReplyError> {
        let obj = object(value, path)?;
        Ok(Self {
            id: obj.u64("id")?,
            posted_at: obj.time("posted_at")?,
            expires_at: obj.time("expires_at")?,
            sender: obj.session_id("sender")?,
            recipient: obj.session_id("recipient")?,
            message: if with_message {
                obj.base64("message")?
            } else {
                Vec::new()
            },
        })
    }

    pub(crate) fn read_list(value: &Value) -> Result<Vec<Self>, ReplyError> {
        array(value, &ROOT, MAX_MESSAGES)?
            .iter()
            .enumerate()
            .map(|(i, v)| Self::read(v, Path::Index(&ROOT, i), true))
            .collect()
    }
}

/// The body of one sub-reply of a batch.
#[derive(Debug, Clone, PartialEq)]
pub enum SubBody {
    /// A JSON body (the sub-reply's content type was JSON).
    Json(Value),
    /// Any other body (sent base64-encoded inside the batch reply).
    Bytes(Vec<u8>),
}

/// One sub-reply of a `/batch` or `/sequence`.
#[derive(Debug, Clone, PartialEq)]
pub struct SubReply {
    /// Its HTTP status.
    pub status: u16,
    /// Its headers (lower-case names).
    pub headers: Vec<(String, String)>,
    /// Its body.
    pub body: SubBody,
}

impl SubReply {
    pub(crate) fn read_list(value: &Value) -> Result<Vec<Self>, ReplyError> {
        array(value, &ROOT, crate::request::MAX_BATCH)?
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let obj = object(v, Path::Index(&ROOT, i))?;
                let code = obj.u64("code")?;
                let status = u16::try_from(code)
                    .map_err(|_| Path::Key(&obj.path, "code").error(FieldProblem::OutOfRange))?;
                let mut headers = Vec::new();
                if let Some(h) = obj.opt("headers") {
                    let hobj = object(h, Path::Key(&obj.path, "headers"))?;
                    if hobj.map.len() > 256 {
                        return Err(hobj.path.error(FieldProblem::TooMany { max: 256 }));
                    }
                    for (name, value) in hobj.map {
                        if let Value::String(value) = value {
                            headers.push((name.to_ascii_lowercase(), value.clone()));
                        }
                    }
                }
                let json_type = headers.iter().any(|(n, v)| {
                    n == "content-type" && v.to_ascii_lowercase().starts_with("application/json")
                });
                let body = match obj.opt("body") {
                    None => SubBody::Bytes(Vec::new()),
                    Some(value) if json_type => SubBody::Json(value.clone()),
                    Some(Value::String(_)) => SubBody::Bytes(obj.base64("body")?),
                    Some(value) => SubBody::Json(value.clone()),
                };
                Ok(Self {
                    status,
                    headers,
                    body,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(e: ReplyError) -> (String, FieldProblem) {
        match e {
            ReplyError::Field { field, problem } => (field, problem),
            other => panic!("{other:?}"),
        }
    }

    fn sid(prefix: &str) -> String {
        format!("{prefix}{}", "ab".repeat(32))
    }

    #[test]
    fn messages_and_their_errors() {
        let sig = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, [1u8; 64]);
        let good = json!([
            {"id": 1, "session_id": sid("15"), "posted": 1.5, "seqno": 3, "data": "aGk=",
             "signature": sig, "reactions": {"👍": {"index": 1, "count": 2, "reactors": [sid("25")]},
                                             "🎉": {"index": 0, "count": 1, "you": true}}},
            {"id": 2, "session_id": sid("15"), "posted": 2.0, "seqno": 4, "data": null, "deleted": true},
            {"id": 1, "seqno": 5, "reactions": {}}
        ]);
        let updates = MessageUpdate::read_list(&good).unwrap();
        let MessageUpdate::Message(first) = &updates[0] else {
            panic!()
        };
        assert_eq!(first.data.as_ref().unwrap().0, b"hi");
        assert_eq!(first.reactions[0].emoji, "🎉");
        assert!(first.reactions[0].you);
        assert_eq!(first.posted_ms(), 1500);
        assert!(matches!(&updates[1], MessageUpdate::Message(m) if m.is_deleted()));
        assert!(matches!(
            updates[2],
            MessageUpdate::Reactions {
                id: 1,
                seqno: 5,
                ..
            }
        ));

        let cases = [
            (json!([{"id": -1}]), "reply[0].id", FieldProblem::OutOfRange),
            (
                json!([{"id": 1, "session_id": "05", "posted": 1, "seqno": 1, "data": "", "signature": sig}]),
                "reply[0].session_id",
                FieldProblem::BadSessionId,
            ),
            (
                json!([{"id": 1, "session_id": sid("15"), "posted": 1, "seqno": 1, "data": "!", "signature": sig}]),
                "reply[0].data",
                FieldProblem::BadBase64,
            ),
            (
                json!([{"id": 1, "session_id": sid("15"), "posted": 1, "seqno": 1, "data": "", "signature": "AAAA"}]),
                "reply[0].signature",
                FieldProblem::BadLength {
                    expected: 64,
                    found: 3,
                },
            ),
            (
                json!([{"id": 1, "session_id": sid("15"), "posted": "x", "seqno": 1, "data": "", "signature": sig}]),
                "reply[0].posted",
                FieldProblem::WrongType("number"),
            ),
            (
                json!([{"id": 1, "seqno": 1, "reactions": {"👍": {"index": 0}}}]),
                "reply[0].reactions.👍.count",
                FieldProblem::Missing,
            ),
            (json!({"a": 1}), "reply", FieldProblem::WrongType("array")),
        ];
        for (value, path, problem) in cases {
            let (f, p) = field(MessageUpdate::read_list(&value).unwrap_err());
            assert_eq!((f.as_str(), p), (path, problem), "{value}");
        }
        let too_many = Value::Array(vec![json!({}); MAX_MESSAGES + 1]);
        assert_eq!(
            field(MessageUpdate::read_list(&too_many).unwrap_err()).1,
            FieldProblem::TooMany { max: MAX_MESSAGES }
        );
    }

    #[test]
    fn rooms_and_capabilities() {
        let room = json!({"token": "lobby", "name": "Lobby", "info_updates": 2,
            "message_sequence": 10, "created": 1.0, "active_users": 3,
            "active_users_cutoff": 604800, "moderators": [sid("15")], "admins": [],
            "read": true, "write": true, "upload": false,
            "pinned_messages": [{"id": 4, "pinned_at": 2.5, "pinned_by": sid("15")}]});
        let info = RoomInfo::read(&room, ROOT).unwrap();
        assert_eq!(info.token.as_str(), "lobby");
        assert_eq!(info.pinned_messages[0].id, 4);
        assert!(info.permissions.write && !info.permissions.upload);
        let mut bad = room.clone();
        bad["read"] = json!(1);
        assert_eq!(
            field(RoomInfo::read(&bad, ROOT).unwrap_err()).0,
            "reply.read"
        );
        let caps = Capabilities::read(&json!({"capabilities": ["sogs", "blind"]})).unwrap();
        assert!(caps.has("blind") && !caps.has("blind25"));
        assert!(Capabilities::read(&json!({})).is_err());
        assert!(Capabilities::read(&json!({"capabilities": [1]})).is_err());
    }

    #[test]
    fn status_messages_are_short_and_printable() {
        let e = ReplyError::from_status(400, &[b'x'; 5000]);
        assert!(
            matches!(e, ReplyError::Status { status: 400, ref message } if message.len() == 200)
        );
        let e = ReplyError::from_status(401, b"bad\nsig\xff");
        assert_eq!(e.to_string(), "the server answered 401: badsig\u{fffd}");
    }
}
