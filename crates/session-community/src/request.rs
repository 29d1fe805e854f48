//! The community API as typed requests: each call builds an [`ApiRequest`] and reads its own
//! reply, whether it came alone or inside a `/batch`.

use core::fmt;
use std::borrow::Cow;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};
use session_identity::{Prefix, SessionId, Signature};
use session_onion::ServerResponse;

use crate::reply::{
    self, Capabilities, DirectMessage, MessageUpdate, ReactionChange, ReactionsCleared, Reactor,
    ReplyError, RoomInfo, RoomMessage, RoomPollInfo, SubBody, SubReply,
};

/// The most sub-requests in one `/batch` or `/sequence` (and sub-replies read from one).
pub const MAX_BATCH: usize = 256;
/// The largest file a room accepts (the reference server's `UPLOAD_FILE_MAX_SIZE`).
pub const MAX_UPLOAD_LEN: usize = 10_000_000;

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method's name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a request could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// A room token is 1 to 64 letters, digits, `_` or `-`.
    #[error("a room token is 1 to 64 letters, digits, _ or -")]
    BadRoomToken,
    /// A reaction is 1 to 12 characters, without `?`, `#`, `%` or control characters.
    #[error("a reaction is 1 to 12 characters, without ?, #, % or control characters")]
    BadReaction,
    /// Direct messages go to `15` or `25` blinded IDs.
    #[error("direct messages go to 15 or 25 blinded IDs, not prefix {0}")]
    NotABlindedId(Prefix),
    /// The file is larger than [`MAX_UPLOAD_LEN`].
    #[error("a file is at most {MAX_UPLOAD_LEN} bytes; this one is {0}")]
    FileTooLarge(usize),
    /// A batch holds 1 to [`MAX_BATCH`] requests.
    #[error("a batch holds 1 to {MAX_BATCH} requests; this one has {0}")]
    BatchSize(usize),
}

/// A room's token: 1 to 64 letters, digits, `_` or `-` (as the server's route accepts).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoomToken(String);

impl RoomToken {
    /// The token, checked.
    pub fn new(token: &str) -> Result<Self, RequestError> {
        let count = token.chars().count();
        let valid = (1..=64).contains(&count)
            && token
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
        if valid {
            Ok(Self(token.to_owned()))
        } else {
            Err(RequestError::BadRoomToken)
        }
    }

    /// The token.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RoomToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl core::str::FromStr for RoomToken {
    type Err = RequestError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

/// A reaction: 1 to 12 characters (as the server accepts), with no `?` or `#` (which would end
/// the path), no `%` (which the server would percent-decode) and no control characters. It
/// travels raw, not percent-encoded, and is signed as it travels.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReactionText(String);

impl ReactionText {
    /// The reaction, checked.
    pub fn new(text: &str) -> Result<Self, RequestError> {
        let count = text.chars().count();
        let valid = (1..=12).contains(&count)
            && !text
                .chars()
                .any(|c| c == '?' || c == '#' || c == '%' || c.is_control());
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(RequestError::BadReaction)
        }
    }

    /// The reaction.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The content type of a request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContentType {
    /// `application/json`
    Json,
    /// `application/octet-stream` (file uploads)
    OctetStream,
}

impl ContentType {
    /// The MIME type.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::OctetStream => "application/octet-stream",
        }
    }
}

/// One unsigned request: method, endpoint (path and query, UTF-8, not percent-encoded), body
/// and extra headers. [`Community::sign`](crate::Community::sign) turns it into a signed
/// [`V4Request`](session_onion::V4Request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRequest {
    method: Method,
    endpoint: String,
    body: Option<(ContentType, Vec<u8>)>,
    headers: Vec<(String, String)>,
}

impl ApiRequest {
    /// A request without a body. `endpoint` should start with `/`.
    pub fn new(method: Method, endpoint: impl Into<String>) -> Self {
        Self {
            method,
            endpoint: endpoint.into(),
            body: None,
            headers: Vec::new(),
        }
    }

    /// With a JSON body.
    #[must_use]
    pub fn json(mut self, value: &Value) -> Self {
        self.body = Some((ContentType::Json, value.to_string().into_bytes()));
        self
    }

    /// With a body of `content_type`.
    #[must_use]
    pub fn body(mut self, content_type: ContentType, body: Vec<u8>) -> Self {
        self.body = Some((content_type, body));
        self
    }

    /// With an extra header.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The body bytes (empty when there is none).
    pub fn body_bytes(&self) -> &[u8] {
        self.body.as_ref().map_or(&[], |(_, b)| b.as_slice())
    }

    /// The body's content type, if there is a body.
    pub fn content_type(&self) -> Option<ContentType> {
        self.body.as_ref().map(|(t, _)| *t)
    }

    /// The extra headers.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The entry of this request in a `/batch` body: `{"method","path"[,"headers"][,"json"|"b64"]}`.
    /// A JSON body goes in as JSON, any other as base64; a `POST` or `PUT` without a body
    /// carries an empty `b64` (the server requires one of the body keys for them).
    fn batch_entry(&self) -> Value {
        let mut entry = json!({"method": self.method.as_str(), "path": self.endpoint});
        let mut headers = serde_json::Map::new();
        for (name, value) in &self.headers {
            headers.insert(name.clone(), Value::String(value.clone()));
        }
        match &self.body {
            Some((ContentType::Json, bytes)) => match serde_json::from_slice::<Value>(bytes) {
                Ok(value) => entry["json"] = value,
                Err(_) => {
                    headers.insert("Content-Type".into(), ContentType::Json.as_str().into());
                    entry["b64"] = Value::String(STANDARD.encode(bytes));
                }
            },
            Some((other, bytes)) => {
                headers.insert("Content-Type".into(), other.as_str().into());
                entry["b64"] = Value::String(STANDARD.encode(bytes));
            }
            None if matches!(self.method, Method::Post | Method::Put) => {
                entry["b64"] = Value::String(String::new());
            }
            None => {}
        }
        if !headers.is_empty() {
            entry["headers"] = Value::Object(headers);
        }
        entry
    }
}

/// A reply body handed to [`Call::read`]: raw bytes (a direct reply, or a batch sub-reply
/// that was not JSON) or JSON already parsed (a batch sub-reply).
#[derive(Debug, Clone, Copy)]
pub enum Body<'a> {
    /// Raw bytes.
    Raw(&'a [u8]),
    /// Parsed JSON.
    Json(&'a Value),
}

impl<'a> Body<'a> {
    fn json(self) -> Result<Cow<'a, Value>, ReplyError> {
        match self {
            Self::Raw(bytes) => reply::parse_json(bytes).map(Cow::Owned),
            Self::Json(value) => Ok(Cow::Borrowed(value)),
        }
    }

    fn bytes(self) -> Result<&'a [u8], ReplyError> {
        match self {
            Self::Raw(bytes) if bytes.len() > reply::MAX_REPLY_LEN => Err(ReplyError::TooLarge {
                len: bytes.len(),
                max: reply::MAX_REPLY_LEN,
            }),
            Self::Raw(bytes) => Ok(bytes),
            Self::Json(_) => Err(ReplyError::WrongBodyForm("bytes")),
        }
    }

    fn status_error(self, status: u16) -> ReplyError {
        match self {
            Self::Raw(bytes) => ReplyError::from_status(status, bytes),
            Self::Json(value) => ReplyError::from_status(status, value.to_string().as_bytes()),
        }
    }
}

/// One API call: the request it sends and how it reads the reply.
pub trait Call {
    /// What a successful reply gives.
    type Reply;

    /// The unsigned request.
    fn request(&self) -> ApiRequest;

    /// Reads a reply with `status` and `body`.
    fn read(&self, status: u16, body: Body<'_>) -> Result<Self::Reply, ReplyError>;

    /// Reads a server's decrypted v4 response.
    fn read_response(&self, response: &ServerResponse) -> Result<Self::Reply, ReplyError> {
        self.read(
            response.status,
            Body::Raw(response.body.as_deref().unwrap_or_default()),
        )
    }

    /// Reads this call's sub-reply in a batch.
    fn read_sub_reply(&self, sub: &SubReply) -> Result<Self::Reply, ReplyError> {
        match &sub.body {
            SubBody::Json(value) => self.read(sub.status, Body::Json(value)),
            SubBody::Bytes(bytes) => self.read(sub.status, Body::Raw(bytes)),
        }
    }
}

fn expect(status: u16, wanted: u16, body: Body<'_>) -> Result<(), ReplyError> {
    if status == wanted {
        Ok(())
    } else {
        Err(body.status_error(status))
    }
}

fn room_path(room: &RoomToken, rest: &str) -> String {
    format!("/room/{room}{rest}")
}

fn query(params: &[(&str, Option<String>)]) -> String {
    let mut out = String::new();
    for (name, value) in params {
        if let Some(value) = value {
            out.push(if out.is_empty() { '?' } else { '&' });
            out.push_str(name);
            out.push('=');
            out.push_str(value);
        }
    }
    out
}

/// `GET /capabilities[?required=a,b]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GetCapabilities {
    /// Capabilities the caller requires: the server answers 412 with `missing` when it lacks
    /// one (read as a success listing them).
    pub required: Vec<String>,
}

impl Call for GetCapabilities {
    type Reply = Capabilities;
    fn request(&self) -> ApiRequest {
        let required = (!self.required.is_empty()).then(|| self.required.join(","));
        ApiRequest::new(
            Method::Get,
            format!("/capabilities{}", query(&[("required", required)])),
        )
    }
    fn read(&self, status: u16, body: Body<'_>) -> Result<Capabilities, ReplyError> {
        if status != 200 && status != 412 {
            return Err(body.status_error(status));
        }
        Capabilities::read(&*body.json()?)
    }
}

/// `GET /rooms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GetRooms;

impl Call for GetRooms {
    type Reply = Vec<RoomInfo>;
    fn request(&self) -> ApiRequest {
        ApiRequest::new(Method::Get, "/rooms")
    }
    fn read(&self, status: u16, body: Body<'_>) -> Result<Vec<RoomInfo>, ReplyError> {
        expect(status, 200, body)?;
        RoomInfo::read_list(&*body.json()?)
    }
}

/// `GET /room/<token>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetRoom {
    /// The room.
    pub room: RoomToken,
}

impl Call for GetRoom {
    type Reply = RoomInfo;
    fn request(&self) -> ApiRequest {
        ApiRequest::new(Method::Get, room_path(&self.room, ""))
    }
    fn read(&self, status: u16, body: Body<'_>) -> Result<RoomInfo, ReplyError> {
        expect(status, 200, body)?;
        RoomInfo::read(&*body.json()?, crate::json::Path::Root("reply"))
    }
}

/// `GET /room/<token>/pollInfo/<info_updates>`: the cheap poll; full details only when the
/// room's `info_updates` differs from the one given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollRoomInfo {
    /// The room.
    pub room: RoomToken,
    /// The `info_updates` the caller has.
    pub info_updates: u64,
}

impl Call for PollRoomInfo {
    type Reply = RoomPollInfo;
    fn request(&self) -> ApiRequest {
        ApiRequest::new(
            Method::Get,
            room_path(&self.room, &format!("/pollInfo/{}", self.info_updates)),
        )
    }
    fn read(&self, status: u16, body: Body<'_>) -> Result<RoomPollInfo, ReplyError> {
        expect(status, 200, body)?;
        RoomPollInfo::read(&*body.json()?)
    }
}

/// Which messages to fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageRange {
    /// Changes (new, edited, deleted messages, and reaction updates) after this room sequence
    /// number, oldest first.
    Since(u64),
    /// The newest messages, newest first.
    Recent,
    /// Messages with an ID below this one, newest first.
    Before(u64),
}

/// `GET /room/<token>/messages/{since/<seqno>|recent|before/<id>}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetMessages {
    /// The room.
    pub room: RoomToken,
    /// Which messages.
    pub range: MessageRange,
    /// At most this many (1 to 256; the server's default is 100).
    pub limit: Option<u16>,
    /// Reactors listed per reaction (0 to 20; the server's default is 4).
    pub reactors: Option<u8>,
}

impl Call for GetMessages {
    type Reply = Vec<MessageUpdate>;
    fn request(&self) -> ApiRequest {
        let limit = self.limit.map(|l| l.clamp(1, 256).to_string());
        let reactors = self.reactors.map(|r| r.min(20).to_string());
        let (path, t) = match self.range {
            MessageRange::Since(seqno) => (format!("/messages/since/{seqno}"), Some("r".into())),
            MessageRange::Recent => ("/messages/recent".into(), None),
            MessageRange::Before(id) => (format!("/messages/before/{id}"), None),
        };
        let query = query(&[("t", t), ("limit", limit), ("reactors", reactors)]);
        ApiRequest::new(
            Method::Get,
            room_path(&self.room, &format!("{path}{query}")),
        )
    }
    /// `since` replies may hold reaction-only updates; `recent` and `before` only messages.
    fn read(&self, status: u16, body: Body<'_>) -> Result<Vec<MessageUpdate>, ReplyError> {
        expect(status, 200, body)?;
        let value = body.json()?;
        match self.range {
            MessageRange::Since(_) => MessageUpdate::read_list(&value),
            _ => Ok(reply::read_message_list(&value)?
                .into_iter()
                .map(MessageUpdate::Message)
                .collect()),
        }
    }
}

/// `GET /room/<token>/message/<id>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetMessage {
    /// The room.
    pub room: RoomToken,
    /// The message.
    pub id: u64,
}

impl Call for GetMessage {
    type Reply = RoomMessage;
    fn request(&self) -> ApiRequest {
        ApiRequest::new(
            Method::Get,
            room_path(&self.room, &format!("/message/{}", self.id)),
        )
    }
    fn read(&self, status: u16, body: Body<'_>) -> Result<RoomMessage, ReplyError> {
        expect(status, 200, body)?;
        RoomMessage::read(&*body.json()?, crate::json::Path::Root("reply"))
    }
}

/// `POST /room/<token>/message`: `{"data", "signature"[, "whisper_to", "whisper_mods", "files"]}`.
/// Build it with [`Community::post`](crate::Community::post), which pads and signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostMessage {
    /// The room.
    pub room: RoomToken,
    /// The message data: a padded, serialized `Content`.
    pub data: Vec<u8>,
    /// The signature over `data`.
    pub signature: Signature,
    /// A whisper to this user (moderators only).
    pub whisper_to: Option<SessionId>,
    /// A whisper to the moderators (moderators only).
    pub whisper_mods: bool,
    /// Uploaded files this message uses (keeps them from expiring).
    pub files: Vec<u64>,
}

impl Call for PostMessage {
    type Reply = RoomMessage;
    fn request(&self) -> ApiRequest {
        let mut body = json!({
            "data": STANDARD.encode(&self.data),
            "signature": STANDARD.encode(self.signature.to_bytes()),
        });
        if let Some(to) = &self.whisper_to {
            body["whisper_to"] = Value::String(to.to_hex());
        }
        if self.whisper_mods {
            body["whisper_mods"] = Value::Bool(true);
        }
        if !self.files.is_empty() {
            body["files"] = json!(self.files);
        }
        ApiRequest::new(Method::Post, room_path(&self.room, "/message")).json(&body)
    }
    fn read(&self, status: u16, body: Body<'_>) -> Result<RoomMessage, ReplyError> {
        expect(status, 201, body)?;
        RoomMessage::read(&*body.json()?, crate::json::Path::Root("reply"))
    }
}

/// `PUT /room/<token>/message/<id>`: replaces one's own message. Build it with
/// [`Community::edit`](crate::Community::edit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditMessage {
    /// The room.
    pub room: RoomToken,
    /// The message.
    pub id: u64,
    /// The new data.
    pub data: Vec<u8>,
    /// The signature over the new data.
    pub signature: Signature,
    /// Newly uploaded files the edit uses.
    pub files: Vec<u64>,
}

impl Call for EditMessage {
    type Reply = ();
    fn request(&self) -> ApiRequest {
        let mut body = json!({
            "data": STANDARD.encode(&self.data),
            "signature": STANDARD.encode(self.signature.to_bytes()),
        });
        if !self.files.is_empty() {
            body["files"] = json!(self.files);
        }
        ApiRequest::new(
            Method::Put,
            room_path(&self.room, &format!("/message/{}", self.id)),
        )
        .json(&body)
    }
    fn read(&self, status: u16, body: Body<'_>) -> Result<(), ReplyError> {
        expect(status, 200, body)
    }
}

/// `DELETE /room/<token>/message/<id>`: one's own message, or any as a moderator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteMessage {
    /// The room.
    pub room: RoomToken,
    /// The message.
    pub id: u64,
}

impl Call for DeleteMessage {
    type Reply = ();
    fn request(&self) -> ApiRequest {
        ApiRequest::new(
            Method::Delete,
            room_path(&self.room, &format!("/message/{}", self.id)),
        )
    }
    fn read(&self, status: u16, body: Body<'_>) -> Result<(), ReplyError> {
        expect(status, 200, body)
    }
}

/// `PUT /room/<token>/reaction/<id>/<reaction>`: adds one's own reaction (empty body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddReaction {
    /// The room.
    pub room: RoomToken,
    /// The message.
    pub id: u64,
    /// The reaction.
    pub reaction: ReactionText,
}

impl Call for AddReaction {
    type Reply = ReactionChange;
    fn request(&self) -> ApiRequest {
        ApiRequest::new(
            Method::Put,
            room_path(
                &self.room,
                &format!("/reaction/{}/{}", self.id, self.reaction.as_str()),
            ),
        )
    }
    fn read(&self, status: u16, body: Body<'_>) -> Result<ReactionChange, ReplyError> {
        expect(status, 200, body)?;
        ReactionChange::read(&*body.json()?, "added")
    }
}

/// `DELETE /room/<token>/reaction/<id>/<reaction>`: removes one's own reaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoveReaction {
    /// The room.
    pub room: RoomToken,
    /// The message.
    pub id: u64,
    /// The reaction.
    pub reaction: ReactionText,
}

impl Call for RemoveReaction {
    type Reply = ReactionChange;
    fn request(&self) -> ApiRequest {
        ApiRequest::new(
            Method::Delete,
            room_path(
                &self.room,
                &format!("/reaction/{}/{}", self.id, self.reaction.as_str()),
            ),
        )
    }
    fn read(&self, status: u16, body: Body<'_>) -> Result<ReactionChange, ReplyError> {
        expect(status, 200, body)?;
        ReactionChange::read(&*body.json()?, "removed")
    }
}

/// `DELETE /room/<token>/reactions/<id>[/<reaction>]`: a moderator clears every reaction of a
/// message, or every one of one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClearReactions {
    /// The room.
    pub room: RoomToken,
    /// The message.
    pub id: u64,
    /// Only this reaction (all when `None`).
    pub reaction: Option<ReactionText>,
}

impl Call for ClearReactions {
    type Reply = ReactionsCleared;
    fn request(&self) -> ApiRequest {
        let rest = match &self.reaction {
            Some(r) => format!("/reactions/{}/{}", self.id, r.as_str()),
            None => format!("/reactions/{}", self.id),
        };
        ApiRequest::new(Method::Delete, room_path(&self.room, &rest))
    }
    fn read(&self, status: u16, body: Body<'_>) -> Result<ReactionsCleared, ReplyError> {
        expect(status, 200, body)?;
        ReactionsCleared::read(&*body.json()?)
    }
}

/// `GET /room/<token>/reactors/<id>/<reaction>[?limit=n]`: who reacted, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetReactors {
    /// The room.
    pub room: RoomToken,
    /// The message.
    pub id: u64,
    /// The reaction.
    pub reaction: ReactionText,
    /// At most this many (all when `None`).
    pub limit: Option<u32>,
}

impl Call for GetReactors {
    type Reply = Vec<Reactor>;
    fn request(&self) -> ApiRequest {
        let q = query(&[("limit", self.limit.map(|l| l.to_string()))]);
        ApiRequest::new(
            Method::Get,
            room_path(
                &self.room,
                &format!("/reactors/{}/{}{q}", self.id, self.reaction.as_str()),
            ),
        )
    }
    fn read(&self, status: u16, body: Body<'_>) -> Result<Vec<Reactor>, ReplyError> {
        expect(status, 200, body)?;
        reply::read_reactors(&*body.json()?)
    }
}

/// `POST /room/<token>/pin/<id>` (admins): pins a message; the reply is the room's new
/// `info_updates`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinMessage {
    /// The room.
    pub room: RoomToken,
    /// The message.
    pub id: u64,
}

impl Call for PinMessage {
    type Reply = u64;
    fn request(&self) -> ApiRequest {
        ApiRequest::new(
            Method::Post,
            room_path(&self.room, &format!("/pin/{}", self.id)),
        )
        .json(&json!({}))
    }
    fn read(&self, status: u16, body: Body<'_>) -> Result<u64, ReplyError> {
        expect(status, 200, body)?;
        reply::read_info_updates(&*body.json()?)
    }
}

/// `POST /room/<token>/unpin/<id>` (admins); the reply is the room's new `info_updates`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpinMessage {
    /// The room.
    pub room: RoomToken,
    /// The message.
    pub id: u64,
}

impl Call for UnpinMessage {
    type Reply = u64;
    fn request(&self) -> ApiRequest {
        ApiRequest::new(
            Method::Post,
            room_path(&self.room, &format!("/unpin/{}", self.id)),
        )
        .json(&json!({}))
    }
    fn read(&self, status: u16, body: Body<'_>) -> Result<u64, ReplyError> {
        expect(status, 200, body)?;
        reply::read_info_updates(&*body.json()?)
    }
}

/// `POST /room/<token>/file`: uploads a file (raw body); the reply is its ID. A file no post
/// refers to (in `files`) expires within the hour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadFile {
    room: RoomToken,
    data: Vec<u8>,
    filename: Option<String>,
}

impl UploadFile {
    /// An upload of `data` (at most [`MAX_UPLOAD_LEN`] bytes) to `room`, with an optional
    /// suggested file name.
    pub fn new(
        room: RoomToken,
        data: Vec<u8>,
        filename: Option<&str>,
    ) -> Result<Self, RequestError> {
        if data.len() > MAX_UPLOAD_LEN {
            return Err(RequestError::FileTooLarge(data.len()));
        }
        Ok(Self {
            room,
            data,
            filename: filename.map(str::to_owned),
        })
    }
}

/// RFC 5987 encoding of a file name: bytes outside `A-Za-z0-9!#$&+-.^_`|~` as `%xx`.
fn rfc5987(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for &b in name.as_bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02x}"));
        }
    }
    out
}

impl Call for UploadFile {
    type Reply = u64;
    fn request(&self) -> ApiRequest {
        let disposition = match &self.filename {
            Some(name) => format!("attachment; filename*=UTF-8''{}", rfc5987(name)),
            None => "attachment".to_owned(),
        };
        ApiRequest::new(Method::Post, room_path(&self.room, "/file"))
            .body(ContentType::OctetStream, self.data.clone())
            .header("Content-Disposition", disposition)
    }
    fn read(&self, status: u16, body: Body<'_>) -> Result<u64, ReplyError> {
        expect(status, 201, body)?;
        reply::read_file_id(&*body.json()?)
    }
}

/// `GET /room/<token>/file/<id>`: a file's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadFile {
    /// The room.
    pub room: RoomToken,
    /// The file.
    pub id: u64,
}

impl Call for DownloadFile {
    type Reply = Vec<u8>;
    fn request(&self) -> ApiRequest {
        ApiRequest::new(
            Method::Get,
            room_path(&self.room, &format!("/file/{}", self.id)),
        )
    }
    fn read(&self, status: u16, body: Body<'_>) -> Result<Vec<u8>, ReplyError> {
        expect(status, 200, body)?;
        body.bytes().map(<[u8]>::to_vec)
    }
}

/// `POST /inbox/<blinded id>`: a blinded direct message (`{"message": base64}`). Build it with
/// [`Community::direct_message`](crate::Community::direct_message), which encrypts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendDirectMessage {
    recipient: SessionId,
    ciphertext: Vec<u8>,
}

impl SendDirectMessage {
    /// A message already encrypted for `recipient` (a `15` or `25` ID).
    pub fn new(recipient: SessionId, ciphertext: Vec<u8>) -> Result<Self, RequestError> {
        match recipient.prefix() {
            Prefix::Blinded15 | Prefix::Blinded25 => Ok(Self {
                recipient,
                ciphertext,
            }),
            other => Err(RequestError::NotABlindedId(other)),
        }
    }

    /// The recipient.
    pub fn recipient(&self) -> &SessionId {
        &self.recipient
    }
}

impl Call for SendDirectMessage {
    /// The stored message, without its ciphertext.
    type Reply = DirectMessage;
    fn request(&self) -> ApiRequest {
        ApiRequest::new(Method::Post, format!("/inbox/{}", self.recipient.to_hex()))
            .json(&json!({ "message": STANDARD.encode(&self.ciphertext) }))
    }
    fn read(&self, status: u16, body: Body<'_>) -> Result<DirectMessage, ReplyError> {
        expect(status, 201, body)?;
        DirectMessage::read(&*body.json()?, crate::json::Path::Root("reply"), false)
    }
}

/// Which box of blinded direct messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DmBox {
    /// Messages to the caller.
    Inbox,
    /// Messages the caller sent.
    Outbox,
}

/// `GET /{inbox|outbox}[/since/<id>][?limit=n]`. Polling `since` an ID with nothing newer gives
/// 304, read as an empty list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GetDirectMessages {
    /// Which box.
    pub dm_box: DmBox,
    /// Only messages after this ID.
    pub since: Option<u64>,
    /// At most this many (1 to 256; the server's default is 100).
    pub limit: Option<u16>,
}

impl Call for GetDirectMessages {
    type Reply = Vec<DirectMessage>;
    fn request(&self) -> ApiRequest {
        let name = match self.dm_box {
            DmBox::Inbox => "inbox",
            DmBox::Outbox => "outbox",
        };
        let since = self
            .since
            .map(|id| format!("/since/{id}"))
            .unwrap_or_default();
        let q = query(&[("limit", self.limit.map(|l| l.clamp(1, 256).to_string()))]);
        ApiRequest::new(Method::Get, format!("/{name}{since}{q}"))
    }
    fn read(&self, status: u16, body: Body<'_>) -> Result<Vec<DirectMessage>, ReplyError> {
        if status == 304 {
            return Ok(Vec::new());
        }
        expect(status, 200, body)?;
        DirectMessage::read_list(&*body.json()?)
    }
}

/// `DELETE /inbox`: deletes every received message; the reply is how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClearInbox;

impl Call for ClearInbox {
    type Reply = u64;
    fn request(&self) -> ApiRequest {
        ApiRequest::new(Method::Delete, "/inbox")
    }
    fn read(&self, status: u16, body: Body<'_>) -> Result<u64, ReplyError> {
        expect(status, 200, body)?;
        reply::read_deleted(&*body.json()?)
    }
}

/// `POST /batch` (independent sub-requests, replies in request order) or `POST /sequence`
/// (in order, stopping after the first failure). Only the outer request is signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    sequential: bool,
    requests: Vec<ApiRequest>,
}

impl Batch {
    /// A `/batch` of `requests` (1 to [`MAX_BATCH`]).
    pub fn independent(requests: Vec<ApiRequest>) -> Result<Self, RequestError> {
        Self::new(false, requests)
    }

    /// A `/sequence` of `requests` (1 to [`MAX_BATCH`]).
    pub fn sequence(requests: Vec<ApiRequest>) -> Result<Self, RequestError> {
        Self::new(true, requests)
    }

    fn new(sequential: bool, requests: Vec<ApiRequest>) -> Result<Self, RequestError> {
        if requests.is_empty() || requests.len() > MAX_BATCH {
            return Err(RequestError::BatchSize(requests.len()));
        }
        Ok(Self {
            sequential,
            requests,
        })
    }

    /// The sub-requests.
    pub fn requests(&self) -> &[ApiRequest] {
        &self.requests
    }
}

impl Call for Batch {
    /// One sub-reply per sub-request, in order (a `/sequence` may stop early).
    type Reply = Vec<SubReply>;
    fn request(&self) -> ApiRequest {
        let entries: Vec<Value> = self.requests.iter().map(ApiRequest::batch_entry).collect();
        let endpoint = if self.sequential {
            "/sequence"
        } else {
            "/batch"
        };
        ApiRequest::new(Method::Post, endpoint).json(&Value::Array(entries))
    }
    fn read(&self, status: u16, body: Body<'_>) -> Result<Vec<SubReply>, ReplyError> {
        expect(status, 200, body)?;
        let replies = SubReply::read_list(&*body.json()?)?;
        let too_many = replies.len() > self.requests.len();
        let too_few = !self.sequential && replies.len() < self.requests.len();
        if too_many || too_few {
            return Err(
                crate::json::Path::Root("reply").error(reply::FieldProblem::BadLength {
                    expected: self.requests.len(),
                    found: replies.len(),
                }),
            );
        }
        Ok(replies)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room() -> RoomToken {
        RoomToken::new("lobby").unwrap()
    }

    #[test]
    fn tokens_and_reactions() {
        assert!(RoomToken::new("a-b_c9").is_ok());
        assert!(RoomToken::new(&"x".repeat(64)).is_ok());
        for bad in ["", "a b", "a/b", "a?b", &"x".repeat(65)] {
            assert_eq!(
                RoomToken::new(bad),
                Err(RequestError::BadRoomToken),
                "{bad}"
            );
        }
        assert!(ReactionText::new("👨🏿‍🦰").is_ok());
        for bad in ["", "a?", "#", "%20", "\n", "abcdefghijklm"] {
            assert_eq!(
                ReactionText::new(bad),
                Err(RequestError::BadReaction),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn endpoints() {
        let since = GetMessages {
            room: room(),
            range: MessageRange::Since(42),
            limit: None,
            reactors: Some(5),
        };
        assert_eq!(
            since.request().endpoint(),
            "/room/lobby/messages/since/42?t=r&reactors=5"
        );
        let recent = GetMessages {
            room: room(),
            range: MessageRange::Recent,
            limit: Some(1000),
            reactors: None,
        };
        assert_eq!(
            recent.request().endpoint(),
            "/room/lobby/messages/recent?limit=256"
        );
        let react = AddReaction {
            room: room(),
            id: 7,
            reaction: ReactionText::new("🍆").unwrap(),
        };
        assert_eq!(react.request().endpoint(), "/room/lobby/reaction/7/🍆");
        assert_eq!(react.request().method(), Method::Put);
        assert!(react.request().body_bytes().is_empty());
        let inbox = GetDirectMessages {
            dm_box: DmBox::Outbox,
            since: Some(3),
            limit: None,
        };
        assert_eq!(inbox.request().endpoint(), "/outbox/since/3");
        assert_eq!(inbox.read(304, Body::Raw(b"")), Ok(Vec::new()));
        let caps = GetCapabilities {
            required: vec!["sogs".into(), "blind".into()],
        };
        assert_eq!(
            caps.request().endpoint(),
            "/capabilities?required=sogs,blind"
        );
        let upload = UploadFile::new(room(), vec![1, 2], Some("my 🎂.txt")).unwrap();
        let request = upload.request();
        assert_eq!(
            request.headers()[0].1,
            "attachment; filename*=UTF-8''my%20%f0%9f%8e%82.txt"
        );
        assert_eq!(request.content_type(), Some(ContentType::OctetStream));
        assert!(UploadFile::new(room(), vec![0; MAX_UPLOAD_LEN + 1], None).is_err());
    }

    #[test]
    fn batches_embed_json_and_base64() {
        let react = AddReaction {
            room: room(),
            id: 7,
            reaction: ReactionText::new("👍").unwrap(),
        };
        let upload = UploadFile::new(room(), vec![0xff, 0], None).unwrap();
        let pin = PinMessage {
            room: room(),
            id: 1,
        };
        let batch =
            Batch::sequence(vec![react.request(), upload.request(), pin.request()]).unwrap();
        let request = batch.request();
        assert_eq!(request.endpoint(), "/sequence");
        let body: Value = serde_json::from_slice(request.body_bytes()).unwrap();
        assert_eq!(
            body[0],
            json!({"method": "PUT", "path": "/room/lobby/reaction/7/👍", "b64": ""})
        );
        assert_eq!(body[1]["b64"], "/wA=");
        assert_eq!(
            body[1]["headers"]["Content-Type"],
            "application/octet-stream"
        );
        assert_eq!(body[2]["json"], json!({}));
        assert!(Batch::independent(Vec::new()).is_err());

        let reply = json!([
            {"code": 200, "headers": {"content-type": "application/json"}, "body": {"added": true, "seqno": 9}},
            {"code": 403, "headers": {"content-type": "text/plain"}, "body": "Rm9yYmlkZGVu"}
        ]);
        let subs = batch
            .read(200, Body::Raw(reply.to_string().as_bytes()))
            .unwrap();
        assert_eq!(
            react.read_sub_reply(&subs[0]),
            Ok(ReactionChange {
                changed: true,
                seqno: 9
            })
        );
        assert_eq!(
            upload.read_sub_reply(&subs[1]).unwrap_err().status(),
            Some(403)
        );
        assert_eq!(
            upload.read_sub_reply(&subs[1]).unwrap_err().to_string(),
            "the server answered 403: Forbidden"
        );
        // A batch (not a sequence) must answer every sub-request.
        let plain =
            Batch::independent(vec![react.request(), upload.request(), pin.request()]).unwrap();
        assert!(plain
            .read(200, Body::Raw(reply.to_string().as_bytes()))
            .is_err());
    }
}
