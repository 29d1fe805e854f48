//! The protobuf messages Session clients exchange (proto2, packages `SessionProtos` and
//! `WebSocketProtos`), written by hand for [`prost`].
//!
//! Only what a one-to-one client needs is modelled, plus the control messages of legacy closed
//! groups; a decoder skips fields it does not know, so
//! messages from newer clients still decode. Every field is optional on the wire; required proto2
//! fields are checked by [`crate::decode`], not here. Field names follow the `.proto` files.
//! Text fields the envelope layer ignores (`verb`, `path`, `source`, headers) are kept as bytes so
//! that invalid UTF-8 in them cannot make a message undecodable.

use alloc::string::String;
use alloc::vec::Vec;

/// `WebSocketMessage.type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum WebSocketMessageType {
    /// Unset.
    Unknown = 0,
    /// A request: what swarms store.
    Request = 1,
    /// A response.
    Response = 2,
}

/// The outermost wrapper of a stored message.
#[derive(Clone, PartialEq, prost::Message)]
pub struct WebSocketMessage {
    /// [`WebSocketMessageType`]; must be `Request` for a stored message.
    #[prost(enumeration = "WebSocketMessageType", optional, tag = "1")]
    pub r#type: Option<i32>,
    /// The request carrying the [`Envelope`].
    #[prost(message, optional, tag = "2")]
    pub request: Option<WebSocketRequestMessage>,
}

/// The request inside a [`WebSocketMessage`]; only `body` matters.
#[derive(Clone, PartialEq, prost::Message)]
pub struct WebSocketRequestMessage {
    /// `PUT` from Session Desktop, empty from libsession.
    #[prost(bytes = "vec", optional, tag = "1")]
    pub verb: Option<Vec<u8>>,
    /// `/api/v1/message` from Session Desktop, empty from libsession.
    #[prost(bytes = "vec", optional, tag = "2")]
    pub path: Option<Vec<u8>>,
    /// The serialized [`Envelope`].
    #[prost(bytes = "vec", optional, tag = "3")]
    pub body: Option<Vec<u8>>,
    /// Request id (`id` in Session Desktop's schema); 0.
    #[prost(uint64, optional, tag = "4")]
    pub request_id: Option<u64>,
    /// Unused.
    #[prost(bytes = "vec", repeated, tag = "5")]
    pub headers: Vec<Vec<u8>>,
}

/// `Envelope.type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum EnvelopeType {
    /// A one-to-one Session Protocol message.
    SessionMessage = 6,
    /// A (legacy) closed-group message.
    ClosedGroupMessage = 7,
}

/// The envelope around an encrypted message.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Envelope {
    /// [`EnvelopeType`] (proto2 `required`).
    #[prost(enumeration = "EnvelopeType", optional, tag = "1")]
    pub r#type: Option<i32>,
    /// The sending group for closed-group messages; unset for one-to-one.
    #[prost(bytes = "vec", optional, tag = "2")]
    pub source: Option<Vec<u8>>,
    /// When the message was sent, in milliseconds since the Unix epoch (proto2 `required`).
    #[prost(uint64, optional, tag = "5")]
    pub timestamp: Option<u64>,
    /// Always 1 when set (libsession sets it).
    #[prost(uint32, optional, tag = "7")]
    pub source_device: Option<u32>,
    /// The Session Protocol ciphertext.
    #[prost(bytes = "vec", optional, tag = "8")]
    pub content: Option<Vec<u8>>,
    /// Set by a server that relays the message.
    #[prost(uint64, optional, tag = "10")]
    pub server_timestamp: Option<u64>,
    /// Session Pro signature over `content`, or a random decoy (newer libsession).
    #[prost(bytes = "vec", optional, tag = "11")]
    pub pro_sig: Option<Vec<u8>>,
}

/// `Content.expirationType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum ExpirationType {
    /// No disappearing-message setting.
    Unknown = 0,
    /// The message disappears a set time after the recipient reads it.
    DeleteAfterRead = 1,
    /// The message disappears a set time after it was sent.
    DeleteAfterSend = 2,
}

/// The decrypted, unpadded message: exactly one of the message kinds, plus the
/// disappearing-message setting.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Content {
    /// A visible message.
    #[prost(message, optional, tag = "1")]
    pub data_message: Option<DataMessage>,
    /// Call signalling.
    #[prost(message, optional, tag = "3")]
    pub call_message: Option<CallMessage>,
    /// A read receipt.
    #[prost(message, optional, tag = "5")]
    pub receipt_message: Option<ReceiptMessage>,
    /// A typing indicator.
    #[prost(message, optional, tag = "6")]
    pub typing_message: Option<TypingMessage>,
    /// A screenshot or media-saved notice.
    #[prost(message, optional, tag = "8")]
    pub data_extraction_notification: Option<DataExtractionNotification>,
    /// A request to delete an earlier message.
    #[prost(message, optional, tag = "9")]
    pub unsend_request: Option<UnsendRequest>,
    /// Acceptance of a message request.
    #[prost(message, optional, tag = "10")]
    pub message_request_response: Option<MessageRequestResponse>,
    /// Retired config message (libsession's legacy config wrapping); decoded for old data.
    #[prost(message, optional, tag = "11")]
    pub shared_config_message: Option<SharedConfigMessage>,
    /// [`ExpirationType`] of the disappearing-message setting.
    #[prost(enumeration = "ExpirationType", optional, tag = "12")]
    pub expiration_type: Option<i32>,
    /// Disappearing-message timer in seconds; 0 is off.
    #[prost(uint32, optional, tag = "13")]
    pub expiration_timer: Option<u32>,
    /// Timestamp of the signature of some control messages.
    #[prost(uint64, optional, tag = "15")]
    pub sig_timestamp: Option<u64>,
}

/// A visible message.
#[derive(Clone, PartialEq, prost::Message)]
pub struct DataMessage {
    /// The text.
    #[prost(string, optional, tag = "1")]
    pub body: Option<String>,
    /// Attachments.
    #[prost(message, repeated, tag = "2")]
    pub attachments: Vec<AttachmentPointer>,
    /// Flags (2 = expiration timer update).
    #[prost(uint32, optional, tag = "4")]
    pub flags: Option<u32>,
    /// The sender's profile picture key.
    #[prost(bytes = "vec", optional, tag = "6")]
    pub profile_key: Option<Vec<u8>>,
    /// Sent time in milliseconds (older clients; the envelope carries it too).
    #[prost(uint64, optional, tag = "7")]
    pub timestamp: Option<u64>,
    /// The message this one replies to.
    #[prost(message, optional, tag = "8")]
    pub quote: Option<Quote>,
    /// Link previews.
    #[prost(message, repeated, tag = "10")]
    pub preview: Vec<Preview>,
    /// An emoji reaction.
    #[prost(message, optional, tag = "11")]
    pub reaction: Option<Reaction>,
    /// The sender's display name and picture.
    #[prost(message, optional, tag = "101")]
    pub profile: Option<LokiProfile>,
    /// An invitation to a community.
    #[prost(message, optional, tag = "102")]
    pub open_group_invitation: Option<OpenGroupInvitation>,
    /// A legacy closed group's membership or key change (see [`crate::legacy_group`]).
    #[prost(message, optional, tag = "104")]
    pub closed_group_control_message: Option<ClosedGroupControlMessage>,
    /// For a message synced to the sender's other devices: the real recipient.
    #[prost(string, optional, tag = "105")]
    pub sync_target: Option<String>,
    /// Whether the sender refuses message requests from communities.
    #[prost(bool, optional, tag = "106")]
    pub blocks_community_message_requests: Option<bool>,
}

/// A reference to an encrypted attachment on a file server.
#[derive(Clone, PartialEq, prost::Message)]
pub struct AttachmentPointer {
    /// Legacy numeric id (proto2 `required`).
    #[prost(fixed64, optional, tag = "1")]
    pub id: Option<u64>,
    /// MIME type.
    #[prost(string, optional, tag = "2")]
    pub content_type: Option<String>,
    /// The attachment's encryption key.
    #[prost(bytes = "vec", optional, tag = "3")]
    pub key: Option<Vec<u8>>,
    /// Plaintext size in bytes.
    #[prost(uint32, optional, tag = "4")]
    pub size: Option<u32>,
    /// A small preview image (libsession's schema; the desktop client neither sends nor reads
    /// it).
    #[prost(bytes = "vec", optional, tag = "5")]
    pub thumbnail: Option<Vec<u8>>,
    /// SHA-256 of the encrypted file (legacy scheme; absent for the stream scheme).
    #[prost(bytes = "vec", optional, tag = "6")]
    pub digest: Option<Vec<u8>>,
    /// File name.
    #[prost(string, optional, tag = "7")]
    pub file_name: Option<String>,
    /// Flags (1 = voice message).
    #[prost(uint32, optional, tag = "8")]
    pub flags: Option<u32>,
    /// Image width.
    #[prost(uint32, optional, tag = "9")]
    pub width: Option<u32>,
    /// Image height.
    #[prost(uint32, optional, tag = "10")]
    pub height: Option<u32>,
    /// Caption.
    #[prost(string, optional, tag = "11")]
    pub caption: Option<String>,
    /// Download URL, optionally with `#` and `&`-separated fragment fields (`d` for the stream
    /// scheme, `p=` for another file server's key).
    #[prost(string, optional, tag = "101")]
    pub url: Option<String>,
}

/// The message a reply quotes.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Quote {
    /// Sent timestamp of the quoted message.
    #[prost(uint64, optional, tag = "1")]
    pub id: Option<u64>,
    /// Session ID of the quoted message's author.
    #[prost(string, optional, tag = "2")]
    pub author: Option<String>,
    /// Quoted text (older clients).
    #[prost(string, optional, tag = "3")]
    pub text: Option<String>,
}

/// A link preview.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Preview {
    /// The link.
    #[prost(string, optional, tag = "1")]
    pub url: Option<String>,
    /// The page title.
    #[prost(string, optional, tag = "2")]
    pub title: Option<String>,
    /// The preview image.
    #[prost(message, optional, tag = "3")]
    pub image: Option<AttachmentPointer>,
}

/// An emoji reaction to a message.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Reaction {
    /// Sent timestamp of the message reacted to.
    #[prost(uint64, optional, tag = "1")]
    pub id: Option<u64>,
    /// Its author's Session ID.
    #[prost(string, optional, tag = "2")]
    pub author: Option<String>,
    /// The emoji.
    #[prost(string, optional, tag = "3")]
    pub emoji: Option<String>,
    /// 0 = react, 1 = remove.
    #[prost(int32, optional, tag = "4")]
    pub action: Option<i32>,
}

/// A user's public profile.
#[derive(Clone, PartialEq, prost::Message)]
pub struct LokiProfile {
    /// Display name.
    #[prost(string, optional, tag = "1")]
    pub display_name: Option<String>,
    /// URL of the encrypted profile picture.
    #[prost(string, optional, tag = "2")]
    pub profile_picture: Option<String>,
    /// When the profile last changed, in seconds.
    #[prost(uint64, optional, tag = "3")]
    pub last_profile_update_seconds: Option<u64>,
}

/// An invitation to a community.
#[derive(Clone, PartialEq, prost::Message)]
pub struct OpenGroupInvitation {
    /// The community URL.
    #[prost(string, optional, tag = "1")]
    pub url: Option<String>,
    /// The community name.
    #[prost(string, optional, tag = "3")]
    pub name: Option<String>,
}

/// Call signalling.
#[derive(Clone, PartialEq, prost::Message)]
pub struct CallMessage {
    /// Signalling step (1 offer, 2 answer, 3 provisional answer, 4 ICE candidates, 5 end call,
    /// 6 pre-offer).
    #[prost(int32, optional, tag = "1")]
    pub r#type: Option<i32>,
    /// SDP blobs.
    #[prost(string, repeated, tag = "2")]
    pub sdps: Vec<String>,
    /// SDP m-line indexes.
    #[prost(uint32, repeated, packed = "false", tag = "3")]
    pub sdp_m_line_indexes: Vec<u32>,
    /// SDP mids.
    #[prost(string, repeated, tag = "4")]
    pub sdp_mids: Vec<String>,
    /// The call's id.
    #[prost(string, optional, tag = "5")]
    pub uuid: Option<String>,
}

/// A read receipt.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ReceiptMessage {
    /// 1 = read.
    #[prost(int32, optional, tag = "1")]
    pub r#type: Option<i32>,
    /// Sent timestamps of the messages read.
    #[prost(uint64, repeated, packed = "false", tag = "2")]
    pub timestamp: Vec<u64>,
}

/// A typing indicator.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TypingMessage {
    /// When, in milliseconds.
    #[prost(uint64, optional, tag = "1")]
    pub timestamp: Option<u64>,
    /// 0 = started, 1 = stopped.
    #[prost(int32, optional, tag = "2")]
    pub action: Option<i32>,
}

/// A screenshot or media-saved notice.
#[derive(Clone, PartialEq, prost::Message)]
pub struct DataExtractionNotification {
    /// 1 = screenshot, 2 = media saved.
    #[prost(int32, optional, tag = "1")]
    pub r#type: Option<i32>,
    /// When, in milliseconds.
    #[prost(uint64, optional, tag = "2")]
    pub timestamp: Option<u64>,
}

/// A request to delete a message everywhere.
#[derive(Clone, PartialEq, prost::Message)]
pub struct UnsendRequest {
    /// Sent timestamp of the message to delete.
    #[prost(uint64, optional, tag = "1")]
    pub timestamp: Option<u64>,
    /// Its author's Session ID.
    #[prost(string, optional, tag = "2")]
    pub author: Option<String>,
}

/// The answer to a message request.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MessageRequestResponse {
    /// Whether the request was accepted.
    #[prost(bool, optional, tag = "1")]
    pub is_approved: Option<bool>,
    /// The responder's profile picture key.
    #[prost(bytes = "vec", optional, tag = "2")]
    pub profile_key: Option<Vec<u8>>,
    /// The responder's profile.
    #[prost(message, optional, tag = "3")]
    pub profile: Option<LokiProfile>,
}

/// Retired: a config blob pushed inside a Session Protocol message to oneself.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SharedConfigMessage {
    /// 1 user profile, 2 contacts, 3 conversation info, 4 user groups.
    #[prost(int32, optional, tag = "1")]
    pub kind: Option<i32>,
    /// Config sequence number.
    #[prost(int64, optional, tag = "2")]
    pub seqno: Option<i64>,
    /// The encrypted config.
    #[prost(bytes = "vec", optional, tag = "3")]
    pub data: Option<Vec<u8>>,
}

/// An X25519 key pair as legacy closed groups send it (`KeyPair`). `Debug` shows only the
/// public key.
#[derive(Clone, PartialEq, prost::Message)]
#[prost(skip_debug)]
pub struct KeyPair {
    /// The public key (proto2 `required`).
    #[prost(bytes = "vec", optional, tag = "1")]
    pub public_key: Option<Vec<u8>>,
    /// The secret key (proto2 `required`). Wipe it once loaded.
    #[prost(bytes = "vec", optional, tag = "2")]
    pub private_key: Option<Vec<u8>>,
}

impl core::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyPair")
            .field("public_key", &self.public_key)
            .field(
                "private_key",
                &self.private_key.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// `ClosedGroupControlMessage.type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum ClosedGroupControlMessageType {
    /// A new group: `publicKey`, `name`, `encryptionKeyPair`, `members`, `admins`,
    /// `expirationTimer`.
    New = 1,
    /// A new encryption key pair, wrapped for each member: `publicKey`, `wrappers`.
    EncryptionKeyPair = 3,
    /// The group was renamed: `name`.
    NameChange = 4,
    /// Members joined: `members`.
    MembersAdded = 5,
    /// Members were removed: `members`.
    MembersRemoved = 6,
    /// The sender left the group.
    MemberLeft = 7,
    /// A member asks for the current encryption key pair.
    EncryptionKeyPairRequest = 8,
}

/// A legacy closed group's change of name, members or keys (`DataMessage` field 104).
#[derive(Clone, PartialEq, prost::Message)]
pub struct ClosedGroupControlMessage {
    /// [`ClosedGroupControlMessageType`] (proto2 `required`).
    #[prost(enumeration = "ClosedGroupControlMessageType", optional, tag = "1")]
    pub r#type: Option<i32>,
    /// The group's public key (its ID without the `05`, or with it).
    #[prost(bytes = "vec", optional, tag = "2")]
    pub public_key: Option<Vec<u8>>,
    /// The group's name.
    #[prost(string, optional, tag = "3")]
    pub name: Option<String>,
    /// The group's encryption key pair, in the clear (only inside a one-to-one message).
    #[prost(message, optional, tag = "4")]
    pub encryption_key_pair: Option<KeyPair>,
    /// Members' Session IDs (bytes).
    #[prost(bytes = "vec", repeated, tag = "5")]
    pub members: Vec<Vec<u8>>,
    /// Admins' Session IDs (bytes).
    #[prost(bytes = "vec", repeated, tag = "6")]
    pub admins: Vec<Vec<u8>>,
    /// The new encryption key pair, sealed to each member.
    #[prost(message, repeated, tag = "7")]
    pub wrappers: Vec<KeyPairWrapper>,
    /// The disappearing-messages timer, in seconds.
    #[prost(uint32, optional, tag = "8")]
    pub expiration_timer: Option<u32>,
}

/// One member's copy of a new encryption key pair.
#[derive(Clone, PartialEq, prost::Message)]
pub struct KeyPairWrapper {
    /// The member it is for (proto2 `required`).
    #[prost(bytes = "vec", optional, tag = "1")]
    pub public_key: Option<Vec<u8>>,
    /// A serialized [`KeyPair`] sealed to the member with the Session Protocol (proto2
    /// `required`).
    #[prost(bytes = "vec", optional, tag = "2")]
    pub encrypted_key_pair: Option<Vec<u8>>,
}
