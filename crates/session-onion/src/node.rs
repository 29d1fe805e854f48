//! The node's side: open a layer with the node's X25519 key, read where it goes next, and
//! encrypt the destination's reply.

use base64::Engine as _;
use rand_core::CryptoRng;
use serde_json::{Map, Value};
use session_identity::{Ed25519PublicKey, Prefix, SessionId, X25519PublicKey, X25519SecretKey};

use crate::enc_type::UnknownEncType;
use crate::hop::{HopError, HopKey, Role};
use crate::json::ObjectWriter;
use crate::layer::{encode_layer, FrameError, LayerFrame};
use crate::EncType;

/// Why a node could not open or route a layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LayerError {
    /// The body, or the decrypted layer, is not a frame `LE32(N) ‖ N bytes ‖ JSON object`.
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// The frame's JSON does not say how to decrypt or where to route the layer.
    #[error(transparent)]
    Routing(#[from] RoutingError),
    /// The layer's ciphertext did not decrypt with this node's key.
    #[error("layer does not decrypt: {0}")]
    Decryption(#[from] HopError),
}

/// Why the JSON of a layer frame does not say how to decrypt (`enc_type`, `ephemeral_key`)
/// or where to send (see [`Routing`]) the layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RoutingError {
    /// A required JSON field is absent.
    #[error("layer JSON lacks `{field}`")]
    MissingField {
        /// The field.
        field: &'static str,
    },
    /// A JSON field has the wrong type or form.
    #[error("layer JSON field `{field}` must be {expected}")]
    InvalidField {
        /// The field.
        field: &'static str,
        /// What it must be.
        expected: &'static str,
    },
    /// `enc_type` names no known scheme.
    #[error(transparent)]
    UnknownEncType(#[from] UnknownEncType),
}

/// A 64-hex-digit key from JSON (either case).
pub(crate) fn parse_key_hex(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 {
        return None;
    }
    // session-identity parses hex only as part of a Session ID; borrow that parser.
    let id = SessionId::parse_with_prefix(&format!("05{text}"), Prefix::User).ok()?;
    Some(*id.key_bytes())
}

fn key_field(json: &Map<String, Value>, field: &'static str) -> Result<[u8; 32], RoutingError> {
    match json.get(field) {
        None => Err(RoutingError::MissingField { field }),
        Some(Value::String(text)) => parse_key_hex(text).ok_or(RoutingError::InvalidField {
            field,
            expected: "64 hex digits",
        }),
        Some(_) => Err(RoutingError::InvalidField {
            field,
            expected: "a string of 64 hex digits",
        }),
    }
}

/// `enc_type` from routing JSON: AES-GCM when absent.
fn enc_type_field(json: &Map<String, Value>) -> Result<EncType, RoutingError> {
    match json.get("enc_type") {
        None => Ok(EncType::AesGcm),
        Some(Value::String(name)) => Ok(name.parse()?),
        Some(_) => Err(RoutingError::InvalidField {
            field: "enc_type",
            expected: "a string",
        }),
    }
}

fn string_field(
    json: &Map<String, Value>,
    field: &'static str,
) -> Result<Option<String>, RoutingError> {
    match json.get(field) {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(RoutingError::InvalidField {
            field,
            expected: "a string",
        }),
    }
}

fn bool_field(
    json: &Map<String, Value>,
    field: &'static str,
) -> Result<Option<bool>, RoutingError> {
    match json.get(field) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(RoutingError::InvalidField {
            field,
            expected: "a boolean",
        }),
    }
}

/// Where a peeled layer goes, read from its routing JSON as the storage server reads it: a
/// `headers` key marks the final destination, a `host` key a server to forward to, anything
/// else names the next node.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Routing {
    /// Forward the inner ciphertext to another node.
    NextHop(NextHop),
    /// This node is the destination; the inner bytes are the request (a storage RPC).
    ServiceNode(ServiceNodeDelivery),
    /// POST the whole decrypted layer to an HTTP(S) server.
    Server(ServerRoute),
}

/// The next node of the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextHop {
    /// Its Ed25519 key (`destination`).
    pub ed25519: Ed25519PublicKey,
    /// The client's ephemeral key for its layer (`ephemeral_key`).
    pub ephemeral_key: X25519PublicKey,
    /// The scheme of its layer (`enc_type`, AES-GCM when absent).
    pub enc_type: EncType,
}

impl NextHop {
    /// The body to send the next node: `LE32(len(inner)) ‖ inner ‖ {"enc_type":…,"ephemeral_key":…}`;
    /// `None` when `inner` is longer than the 32-bit prefix can say (more than 4 GiB, far
    /// beyond what a node accepts).
    pub fn forward_body(&self, inner: &[u8]) -> Option<Vec<u8>> {
        let json = ObjectWriter::new()
            .string("enc_type", self.enc_type.as_str())
            .string("ephemeral_key", &self.ephemeral_key.to_hex())
            .finish();
        encode_layer(inner, &json).ok()
    }
}

/// How the destination node is asked to answer (`json` and `base64` flags of the control JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceNodeDelivery {
    /// Embed a JSON response body as JSON rather than as a string (`json`, default false).
    pub json: bool,
    /// Base64-encode the encrypted reply (`base64`, default true).
    pub base64: bool,
}

/// The server the last node forwards to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerRoute {
    /// `host`.
    pub host: String,
    /// `target` (the path).
    pub target: String,
    /// `protocol`, `https` when absent.
    pub protocol: String,
    /// `port`, 443 when absent.
    pub port: u16,
}

impl ServerRoute {
    /// Whether a node may forward there: protocol `http` or `https`, and a target that starts
    /// with `/loki/` or `/oxen/`, ends with `/lsrpc` and has no `?`.
    pub fn is_allowed(&self) -> bool {
        (self.protocol == "http" || self.protocol == "https")
            && (self.target.starts_with("/loki/") || self.target.starts_with("/oxen/"))
            && self.target.ends_with("/lsrpc")
            && !self.target.contains('?')
    }
}

impl Routing {
    /// Reads where a (decrypted) layer goes from its frame's JSON, as the storage server
    /// reads it.
    pub fn from_frame(frame: &LayerFrame<'_>) -> Result<Self, RoutingError> {
        let json = frame.json();
        if json.contains_key("headers") {
            return Ok(Routing::ServiceNode(ServiceNodeDelivery {
                json: bool_field(json, "json")?.unwrap_or(false),
                base64: bool_field(json, "base64")?.unwrap_or(true),
            }));
        }
        if let Some(host) = string_field(json, "host")? {
            let target = string_field(json, "target")?
                .ok_or(RoutingError::MissingField { field: "target" })?;
            let port = match json.get("port") {
                None => 443,
                Some(value) => value.as_u64().and_then(|p| u16::try_from(p).ok()).ok_or(
                    RoutingError::InvalidField {
                        field: "port",
                        expected: "an integer in 0..=65535",
                    },
                )?,
            };
            let protocol = string_field(json, "protocol")?.unwrap_or_else(|| "https".into());
            return Ok(Routing::Server(ServerRoute {
                host,
                target,
                protocol,
                port,
            }));
        }
        Ok(Routing::NextHop(NextHop {
            ed25519: Ed25519PublicKey::from_bytes(key_field(json, "destination")?),
            ephemeral_key: X25519PublicKey::from_bytes(key_field(json, "ephemeral_key")?),
            enc_type: enc_type_field(json)?,
        }))
    }
}

impl LayerFrame<'_> {
    /// Reads where this (decrypted) layer goes: shorthand for [`Routing::from_frame`].
    pub fn routing(&self) -> Result<Routing, RoutingError> {
        Routing::from_frame(self)
    }
}

/// A node's onion key pair, kept together so peeling costs a single scalar multiplication.
#[derive(Clone)]
pub struct NodeKeys {
    secret: X25519SecretKey,
    public: X25519PublicKey,
}

impl core::fmt::Debug for NodeKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("NodeKeys")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl NodeKeys {
    /// The key pair of `secret`.
    pub fn new(secret: X25519SecretKey) -> Self {
        let public = secret.public_key();
        Self { secret, public }
    }

    /// The public key clients encrypt layers to.
    pub fn public_key(&self) -> &X25519PublicKey {
        &self.public
    }

    /// Opens a body: splits it ([`LayerFrame::parse`]), reads `ephemeral_key` (required) and
    /// `enc_type` (AES-GCM when absent) from its JSON and decrypts its data as the server side
    /// of the hop.
    pub fn open(&self, body: &[u8]) -> Result<OpenedLayer, LayerError> {
        let frame = LayerFrame::parse(body)?;
        let json = frame.json();
        let enc_type = enc_type_field(json)?;
        let ephemeral_key = X25519PublicKey::from_bytes(key_field(json, "ephemeral_key")?);
        let key = HopKey::derive_with_public(
            enc_type,
            Role::Server,
            &self.secret,
            &self.public,
            &ephemeral_key,
        )?;
        let payload = key.decrypt(frame.data())?;
        Ok(OpenedLayer {
            payload,
            ephemeral_key,
            reply_key: key,
        })
    }

    /// Opens a body and reads its routing: [`NodeKeys::open`], then [`OpenedLayer::peel`].
    pub fn peel(&self, body: &[u8]) -> Result<PeeledLayer, LayerError> {
        self.open(body)?.peel()
    }
}

/// A decrypted layer: its plaintext and the key to encrypt a reply with.
#[derive(Debug)]
pub struct OpenedLayer {
    payload: Vec<u8>,
    ephemeral_key: X25519PublicKey,
    reply_key: HopKey,
}

impl OpenedLayer {
    /// The decrypted bytes.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The decrypted bytes, by value.
    pub fn into_payload(self) -> Vec<u8> {
        self.payload
    }

    /// The client's ephemeral key for this layer.
    pub fn ephemeral_key(&self) -> &X25519PublicKey {
        &self.ephemeral_key
    }

    /// The scheme of this layer.
    pub fn enc_type(&self) -> EncType {
        self.reply_key.enc_type()
    }

    /// Encrypts a reply to the client with this layer's key and scheme (what a destination
    /// does, once; relays pass replies back untouched).
    pub fn seal_reply(&self, reply: &[u8], rng: &mut impl CryptoRng) -> Vec<u8> {
        self.reply_key.encrypt(reply, rng)
    }

    /// Splits the plaintext as a layer and reads its routing.
    ///
    /// The inner bytes and the routing JSON are copied out of the plaintext, which stays
    /// whole for [`PeeledLayer::payload`].
    pub fn peel(self) -> Result<PeeledLayer, LayerError> {
        let frame = LayerFrame::parse(&self.payload)?;
        let routing = Routing::from_frame(&frame)?;
        let inner = frame.data().to_vec();
        let routing_json = frame.json_text().to_owned();
        Ok(PeeledLayer {
            opened: self,
            inner,
            routing_json,
            routing,
        })
    }
}

/// A decrypted layer with its routing read: the parts of its frame, as validated.
#[derive(Debug)]
pub struct PeeledLayer {
    opened: OpenedLayer,
    inner: Vec<u8>,
    routing_json: String,
    routing: Routing,
}

impl PeeledLayer {
    /// Where the layer goes.
    pub fn routing(&self) -> &Routing {
        &self.routing
    }

    /// The length-prefixed part of the plaintext: the next layer's ciphertext, or the request
    /// itself at a destination node.
    pub fn inner(&self) -> &[u8] {
        &self.inner
    }

    /// The routing JSON as received.
    pub fn routing_json(&self) -> &str {
        &self.routing_json
    }

    /// The whole decrypted layer (what a server route forwards: the server parses it again).
    pub fn payload(&self) -> &[u8] {
        &self.opened.payload
    }

    /// The decrypted layer this was read from.
    pub fn opened(&self) -> &OpenedLayer {
        &self.opened
    }

    /// For a [`Routing::NextHop`], the body to send the next node; `None` otherwise.
    pub fn next_hop_body(&self) -> Option<Vec<u8>> {
        match &self.routing {
            Routing::NextHop(next) => next.forward_body(self.inner()),
            _ => None,
        }
    }

    /// Encrypts a raw reply to the client (see [`OpenedLayer::seal_reply`]).
    pub fn seal_reply(&self, reply: &[u8], rng: &mut impl CryptoRng) -> Vec<u8> {
        self.opened.seal_reply(reply, rng)
    }

    /// A destination node's answer as the storage server sends it: the JSON
    /// `{"body":<body>,"status":<status>}`, encrypted, then base64-encoded unless the request
    /// set `"base64": false`.
    pub fn seal_service_node_reply(
        &self,
        status: u16,
        body: &str,
        rng: &mut impl CryptoRng,
    ) -> Vec<u8> {
        let json = ObjectWriter::new()
            .string("body", body)
            .integer("status", i64::from(status))
            .finish();
        let sealed = self.seal_reply(json.as_bytes(), rng);
        match self.routing {
            Routing::ServiceNode(ServiceNodeDelivery { base64: false, .. }) => sealed,
            _ => base64::engine::general_purpose::STANDARD
                .encode(sealed)
                .into_bytes(),
        }
    }
}
