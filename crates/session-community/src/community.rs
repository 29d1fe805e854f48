//! One account on one community server: signing, posting, direct messages, reading messages
//! and recognising blinded IDs.

use core::time::Duration;

use rand_core::CryptoRng;
use session_envelope::prost::Message as _;
use session_envelope::proto::Content;
use session_envelope::{
    decode_blinded, encode_blinded, padding, DecodeError, DecodedBlindedMessage, EncodeError,
};
use session_identity::blinding::{self, BlindingKind};
use session_identity::{Identity, Prefix, SessionId};
use session_onion::V4Request;

use crate::auth::{self, AuthKind, PathError, SignatureCheckError, Signer};
use crate::reply::{Capabilities, DirectMessage, RoomMessage};
use crate::request::{
    ApiRequest, EditMessage, PostMessage, RequestError, RoomToken, SendDirectMessage,
};
use crate::Server;

/// Why a room message could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MessageError {
    /// The message was deleted: there is nothing to open.
    #[error("the message was deleted")]
    Deleted,
    /// The signature does not verify against the sender ID.
    #[error("bad message signature: {0}")]
    Signature(#[from] SignatureCheckError),
    /// The data is all zero bytes (no padding marker, no content).
    #[error("the message data has no content")]
    Empty,
    /// The data is not a `Content` protobuf.
    #[error("the message data is not a Content protobuf")]
    NotContent,
}

/// A room message whose signature verified, with its content.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenedMessage {
    /// The sender, as the server names them (blinded, or `05` on unblinded servers).
    pub sender: SessionId,
    /// Whether the caller sent it.
    pub from_me: bool,
    /// The content.
    pub content: Content,
}

/// Why a signed request could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The endpoint has no signed form.
    #[error(transparent)]
    Path(#[from] PathError),
}

/// One account on one community server.
///
/// It signs with the key the server's capabilities call for ([`AuthKind::for_capabilities`]);
/// until [`Community::set_capabilities`] is called it signs 15-blinded, which every reference
/// server accepts and which tells the server nothing about the Session ID.
#[derive(Debug, Clone)]
pub struct Community {
    server: Server,
    identity: Identity,
    signer: Signer,
    capabilities: Option<Capabilities>,
    /// The account's 15 and 25 blinded IDs on this server.
    blinded_ids: [SessionId; 2],
}

impl Community {
    /// `identity` on `server`.
    pub fn new(server: Server, identity: Identity) -> Self {
        let signer = Signer::new(&identity, server.key(), AuthKind::Blind15);
        let key = server.key().blinding_key();
        let blinded_ids = [
            identity.blind15_key_pair(&key).blinded_id(),
            identity.blind25_key_pair(&key).blinded_id(),
        ];
        Self {
            server,
            identity,
            signer,
            capabilities: None,
            blinded_ids,
        }
    }

    /// The server.
    pub fn server(&self) -> &Server {
        &self.server
    }

    /// The account.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The signer in use.
    pub fn signer(&self) -> &Signer {
        &self.signer
    }

    /// The key requests are signed with.
    pub fn auth(&self) -> AuthKind {
        self.signer.kind()
    }

    /// Signs with `kind` from now on (overriding what the capabilities chose).
    pub fn set_auth(&mut self, kind: AuthKind) {
        if kind != self.signer.kind() {
            self.signer = Signer::new(&self.identity, self.server.key(), kind);
        }
    }

    /// The server's capabilities, if known.
    pub fn capabilities(&self) -> Option<&Capabilities> {
        self.capabilities.as_ref()
    }

    /// Records the server's capabilities and signs with the key they call for.
    pub fn set_capabilities(&mut self, capabilities: Capabilities) {
        self.set_auth(AuthKind::for_capabilities(&capabilities));
        self.capabilities = Some(capabilities);
    }

    /// Forgets the capabilities (after the server refused the key) and signs 15-blinded.
    pub fn forget_capabilities(&mut self) {
        self.capabilities = None;
        self.set_auth(AuthKind::Blind15);
    }

    /// The ID the server knows this account by (blinded, or the Session ID when unblinded).
    pub fn own_id(&self) -> SessionId {
        self.signer.server_id()
    }

    /// The account's blinded ID of `kind` on this server (what others see it post as, and
    /// where they send it direct messages).
    pub fn blinded_id(&self, kind: BlindingKind) -> SessionId {
        match kind {
            BlindingKind::Blind15 => self.blinded_ids[0],
            BlindingKind::Blind25 => self.blinded_ids[1],
        }
    }

    /// The signed v4 request for `request` at `now` (since the Unix epoch; whole seconds are
    /// signed), with a 16-byte nonce drawn from `rng`. Headers: the four `X-SOGS-*`, the
    /// request's own, and `Content-Type` for a body.
    pub fn sign(
        &self,
        request: &ApiRequest,
        now: Duration,
        rng: &mut impl CryptoRng,
    ) -> Result<V4Request, SignError> {
        let path = auth::signed_path(request.endpoint())?;
        let headers = self.signer.sign_request_with_rng(
            request.method().as_str(),
            &path,
            request.body_bytes(),
            now.as_secs(),
            rng,
        );
        let mut v4 = V4Request::new(request.method().as_str(), request.endpoint());
        for (name, value) in headers.to_headers() {
            v4 = v4.header(name, value);
        }
        for (name, value) in request.headers() {
            v4 = v4.header(name.clone(), value.clone());
        }
        if let Some(content_type) = request.content_type() {
            v4 = v4
                .header("Content-Type", content_type.as_str())
                .body(request.body_bytes().to_vec());
        }
        Ok(v4)
    }

    fn message_data(
        &self,
        content: &Content,
        rng: &mut impl CryptoRng,
    ) -> (Vec<u8>, session_identity::Signature) {
        let data = padding::pad(&content.encode_to_vec());
        let signature = self.signer.sign_message_data(&data, rng);
        (data, signature)
    }

    /// A post of `content` to `room`: the content serialized and padded, signed with the
    /// request key (an unblinded key signs XEd25519 with 64 bytes from `rng`).
    pub fn post(
        &self,
        room: &RoomToken,
        content: &Content,
        rng: &mut impl CryptoRng,
    ) -> PostMessage {
        let (data, signature) = self.message_data(content, rng);
        PostMessage {
            room: room.clone(),
            data,
            signature,
            whisper_to: None,
            whisper_mods: false,
            files: Vec::new(),
        }
    }

    /// An edit of one's message `id` in `room` to `content`, signed as [`Community::post`].
    pub fn edit(
        &self,
        room: &RoomToken,
        id: u64,
        content: &Content,
        rng: &mut impl CryptoRng,
    ) -> EditMessage {
        let (data, signature) = self.message_data(content, rng);
        EditMessage {
            room: room.clone(),
            id,
            data,
            signature,
            files: Vec::new(),
        }
    }

    /// A blinded direct message of `content` to `recipient` (a `15` or `25` ID on this
    /// server), padded and encrypted from this account's blinded ID of the same kind (24 bytes
    /// from `rng`).
    pub fn direct_message(
        &self,
        recipient: &SessionId,
        content: &Content,
        rng: &mut impl CryptoRng,
    ) -> Result<SendDirectMessage, DirectMessageError> {
        if BlindingKind::from_prefix(recipient.prefix()).is_none() {
            return Err(RequestError::NotABlindedId(recipient.prefix()).into());
        }
        let ciphertext = encode_blinded(
            content,
            &self.identity,
            &self.server.key().blinding_key(),
            recipient,
            rng,
        )?;
        Ok(SendDirectMessage::new(*recipient, ciphertext)?)
    }

    /// Verifies a room message's signature against its sender and decodes its content.
    pub fn open(&self, message: &RoomMessage) -> Result<OpenedMessage, MessageError> {
        let (data, signature) = message.data.as_ref().ok_or(MessageError::Deleted)?;
        auth::verify_message_data(&message.session_id, data, signature)?;
        let unpadded = padding::unpad(data).map_err(|_| MessageError::Empty)?;
        let content = Content::decode(unpadded).map_err(|_| MessageError::NotContent)?;
        Ok(OpenedMessage {
            sender: message.session_id,
            from_me: self.is_from_me(&message.session_id),
            content,
        })
    }

    /// Decrypts an inbox or outbox message (as recipient, or as sender when it is one's own).
    pub fn open_direct_message(
        &self,
        message: &DirectMessage,
    ) -> Result<DecodedBlindedMessage, DecodeError> {
        decode_blinded(
            &message.message,
            &self.identity,
            &self.server.key().blinding_key(),
            &message.sender,
            &message.recipient,
        )
    }

    /// Whether `id` (as a server shows a sender) is this account: its 15 or 25 blinded ID on
    /// this server, its `00` key, or its Session ID.
    pub fn is_from_me(&self, id: &SessionId) -> bool {
        match id.prefix() {
            Prefix::User => *id == self.identity.session_id(),
            Prefix::Unblinded => *id.key_bytes() == self.identity.ed25519_public_key().to_bytes(),
            Prefix::Blinded15 | Prefix::Blinded25 => self.blinded_ids.contains(id),
            _ => false,
        }
    }

    /// The contact (a user `05` Session ID among `contacts`) whose blinded ID on this server is
    /// `blinded` (`15`: either sign; `25`: exact), or `blinded` itself when it is a `05` ID in
    /// the list.
    pub fn match_contact<'a>(
        &self,
        blinded: &SessionId,
        contacts: impl IntoIterator<Item = &'a SessionId>,
    ) -> Option<SessionId> {
        let server = self.server.key().blinding_key();
        contacts
            .into_iter()
            .copied()
            .find(|contact| match blinded.prefix() {
                Prefix::User => contact == blinded,
                _ => blinding::session_id_matches_blinded_id(contact, blinded, &server)
                    .unwrap_or(false),
            })
    }
}

/// Why a direct message could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DirectMessageError {
    /// The recipient is not a blinded ID.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// Encryption failed (the recipient's key is not a usable point).
    #[error(transparent)]
    Encode(#[from] EncodeError),
}
