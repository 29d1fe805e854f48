//! Building an onion request: one layer per hop, inside out, each under a fresh ephemeral key.

use std::collections::BTreeMap;

use rand_core::CryptoRng;
use session_identity::{
    Ed25519PublicKey, PrecomputedX25519PublicKey, X25519PublicKey, X25519SecretKey,
};

use crate::hop::{HopKey, Role};
use crate::json::ObjectWriter;
use crate::layer::{encode_layer, DataTooLarge};
use crate::node::ServerRoute;
use crate::response::ResponseContext;
use crate::EncType;

/// Longest path a request may take: service nodes drop requests that have made more than 15
/// hops.
pub const MAX_PATH_LEN: usize = 15;

/// One service node on a path: its Ed25519 key (how the previous hop names it) and its X25519
/// key (what its layer is encrypted to).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hop {
    /// The node's Ed25519 public key.
    pub ed25519: Ed25519PublicKey,
    /// The node's X25519 public key.
    pub x25519: X25519PublicKey,
}

impl Hop {
    /// A node with both keys given.
    pub const fn new(ed25519: Ed25519PublicKey, x25519: X25519PublicKey) -> Self {
        Self { ed25519, x25519 }
    }

    /// A node whose X25519 key is the conversion of its Ed25519 key (as nodes derive it).
    pub fn from_ed25519(ed25519: Ed25519PublicKey) -> Result<Self, BuildError> {
        let x25519 = ed25519
            .to_x25519()
            .map_err(|_| BuildError::UnconvertibleEd25519Key { key: ed25519 })?;
        Ok(Self { ed25519, x25519 })
    }
}

/// An HTTP(S) server the last node forwards the request to (a community server, the file
/// server, the push server).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServerDestination {
    host: String,
    target: String,
    protocol: String,
    port: Option<u16>,
    x25519: X25519PublicKey,
}

impl ServerDestination {
    /// A server at `host`, reached on `target` (for example `/oxen/v4/lsrpc`) over `protocol`
    /// (`https` or `http`; a `://` and anything after it is dropped, as the reference does, so
    /// `https://` is accepted too) on `port` (default 443 for `https`, else 80), whose onion
    /// key is `x25519`.
    ///
    /// Relays forward only to the routes [`ServerRoute::is_allowed`] accepts; building a
    /// request to any other fails with [`BuildError::ServerRouteRefused`].
    pub fn new(
        host: impl Into<String>,
        target: impl Into<String>,
        protocol: &str,
        port: Option<u16>,
        x25519: X25519PublicKey,
    ) -> Self {
        let protocol = match protocol.split_once("://") {
            Some((protocol, _)) => protocol,
            None => protocol,
        };
        Self {
            host: host.into(),
            target: target.into(),
            protocol: protocol.to_owned(),
            port,
            x25519,
        }
    }

    /// The host name or address.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The path the last node posts to.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// `https` or `http` (whatever was given, without `://`).
    pub fn protocol(&self) -> &str {
        &self.protocol
    }

    /// The port: the one given, else 443 for `https` and 80 otherwise.
    pub fn port(&self) -> u16 {
        self.port
            .unwrap_or(if self.protocol == "https" { 443 } else { 80 })
    }

    /// The server's X25519 key.
    pub fn x25519(&self) -> &X25519PublicKey {
        &self.x25519
    }

    /// The route the last relay reads from the request's routing JSON: host, target,
    /// protocol and port (the default filled in).
    pub fn route(&self) -> ServerRoute {
        ServerRoute {
            host: self.host.clone(),
            target: self.target.clone(),
            protocol: self.protocol.clone(),
            port: self.port(),
        }
    }
}

/// Where an onion request ends.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Destination {
    /// A service node, after the path; it answers a storage RPC.
    ServiceNode(Hop),
    /// An HTTP(S) server the last node of the path forwards to.
    Server(ServerDestination),
}

impl Destination {
    /// The key the destination layer (and the reply) is encrypted with.
    pub fn x25519(&self) -> &X25519PublicKey {
        match self {
            Self::ServiceNode(node) => &node.x25519,
            Self::Server(server) => &server.x25519,
        }
    }
}

/// Precomputed tables for the X25519 keys of the nodes (and servers) a client keeps sending
/// through, so each layer to them costs a fixed-base multiplication instead of a full
/// exchange ([`PrecomputedX25519PublicKey`]).
///
/// A client adds a path's nodes when it builds the path and removes them when it drops it;
/// [`OnionRequestBuilder::build_precomputed`] uses a table for every hop (and destination)
/// whose key is here, and the plain exchange for the others. Requests are byte-for-byte what
/// [`OnionRequestBuilder::build`] makes from the same randomness. Each key costs about 30 KiB
/// and, to add, about as much as 25 plain exchanges.
///
/// ```
/// # use session_onion::{Destination, EncType, Hop, OnionRequestBuilder, PrecomputedKeys};
/// # fn demo(path: Vec<Hop>, target: Hop, rng: &mut impl rand_core::CryptoRng)
/// # -> Result<(), session_onion::BuildError> {
/// let mut tables = PrecomputedKeys::new();
/// for hop in &path {
///     tables.insert(&hop.x25519);
/// }
/// let builder = OnionRequestBuilder::new(Destination::ServiceNode(target), EncType::XChaCha20)
///     .path(path);
/// for payload in [&br#"{"method":"info","params":{}}"#[..], b"..."] {
///     let request = builder.build_precomputed(payload, &tables, rng)?;
///     // POST request.body() to request.guard_ed25519()'s /onion_req/v2
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct PrecomputedKeys {
    tables: BTreeMap<X25519PublicKey, PrecomputedX25519PublicKey>,
}

impl PrecomputedKeys {
    /// An empty set.
    pub const fn new() -> Self {
        Self {
            tables: BTreeMap::new(),
        }
    }

    /// Builds and keeps the table of `key` (nothing to do if it is already here).
    pub fn insert(&mut self, key: &X25519PublicKey) {
        self.tables
            .entry(*key)
            .or_insert_with(|| PrecomputedX25519PublicKey::new(key));
    }

    /// Drops the table of `key`; whether it was here.
    pub fn remove(&mut self, key: &X25519PublicKey) -> bool {
        self.tables.remove(key).is_some()
    }

    /// Keeps only the tables of the keys for which `keep` is true (for example the nodes of
    /// the paths still in use).
    pub fn retain(&mut self, mut keep: impl FnMut(&X25519PublicKey) -> bool) {
        self.tables.retain(|key, _| keep(key));
    }

    /// Whether `key` has a table here.
    pub fn contains(&self, key: &X25519PublicKey) -> bool {
        self.tables.contains_key(key)
    }

    /// The table of `key`, if here.
    pub fn get(&self, key: &X25519PublicKey) -> Option<&PrecomputedX25519PublicKey> {
        self.tables.get(key)
    }

    /// How many keys have a table.
    pub fn len(&self) -> usize {
        self.tables.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }
}

/// Why a request could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// More hops than [`MAX_PATH_LEN`].
    #[error("a path has at most {MAX_PATH_LEN} hops, got {0}")]
    PathTooLong(usize),
    /// A server destination needs at least one node to forward to it.
    #[error("a request to a server needs a path of at least one node")]
    EmptyPathToServer,
    /// A layer would be longer than its 32-bit length prefix can say.
    #[error("a layer of {0} bytes does not fit a 32-bit length prefix")]
    TooLarge(usize),
    /// An Ed25519 key with no X25519 twin (not a valid point).
    #[error("Ed25519 key {key} has no X25519 conversion")]
    UnconvertibleEd25519Key {
        /// The key.
        key: Ed25519PublicKey,
    },
    /// A node or destination X25519 key of small order (all-zero shared secret).
    #[error("X25519 key {key} gives an all-zero shared secret")]
    WeakKey {
        /// The offending key.
        key: X25519PublicKey,
    },
    /// Relays refuse to forward to this server route (see [`ServerRoute::is_allowed`]: the
    /// protocol must be `http` or `https`, the target start with `/loki/` or `/oxen/`, end
    /// with `/lsrpc` and have no `?`).
    #[error(
        "relays refuse the server route {}://{}:{}{}",
        route.protocol,
        route.host,
        route.port,
        route.target
    )]
    ServerRouteRefused {
        /// The route as the last relay would read it.
        route: ServerRoute,
    },
}

impl From<DataTooLarge> for BuildError {
    fn from(DataTooLarge(len): DataTooLarge) -> Self {
        Self::TooLarge(len)
    }
}

/// A built request: where to send it, what to send, and how to read the reply.
#[derive(Debug)]
pub struct OnionRequest {
    guard: Ed25519PublicKey,
    body: Vec<u8>,
    context: ResponseContext,
}

impl OnionRequest {
    /// The first node's Ed25519 key: POST [`OnionRequest::body`] to its `/onion_req/v2`. With
    /// an empty path this is the destination node itself.
    pub fn guard_ed25519(&self) -> &Ed25519PublicKey {
        &self.guard
    }

    /// The bytes to POST to the guard.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// What is needed to decrypt the destination's reply.
    pub fn response_context(&self) -> &ResponseContext {
        &self.context
    }

    /// Splits into guard, body and response context.
    pub fn into_parts(self) -> (Ed25519PublicKey, Vec<u8>, ResponseContext) {
        (self.guard, self.body, self.context)
    }
}

/// Builds onion requests to one destination through one path.
///
/// ```
/// # use session_onion::{Destination, EncType, Hop, OnionRequestBuilder};
/// # use session_identity::{Ed25519PublicKey, X25519SecretKey};
/// # fn demo(path: Vec<Hop>, target: Hop, rng: &mut impl rand_core::CryptoRng)
/// # -> Result<(), session_onion::BuildError> {
/// let request = OnionRequestBuilder::new(Destination::ServiceNode(target), EncType::XChaCha20)
///     .path(path)
///     .build(br#"{"method":"info","params":{}}"#, rng)?;
/// // POST request.body() to request.guard_ed25519()'s /onion_req/v2
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct OnionRequestBuilder {
    destination: Destination,
    enc_type: EncType,
    path: Vec<Hop>,
    nul_truncation: bool,
}

impl OnionRequestBuilder {
    /// A builder for requests to `destination`, every layer encrypted with `enc_type`, with an
    /// empty path so far.
    pub fn new(destination: Destination, enc_type: EncType) -> Self {
        Self {
            destination,
            enc_type,
            path: Vec::new(),
            nul_truncation: false,
        }
    }

    /// Appends a node to the path (the first one added is the guard).
    #[must_use]
    pub fn hop(mut self, hop: Hop) -> Self {
        self.path.push(hop);
        self
    }

    /// Appends nodes to the path, guard first.
    #[must_use]
    pub fn path(mut self, hops: impl IntoIterator<Item = Hop>) -> Self {
        self.path.extend(hops);
        self
    }

    /// Whether a server destination's payload is cut at its first NUL byte (default: `false`,
    /// the payload is sent whole).
    ///
    /// libsession-util up to v1.2.0 passes the server payload through a C-string conversion,
    /// so a server receives only the bytes before the first `0x00`: a binary upload (an
    /// attachment, a picture) arrives cut short without an error. Newer reference versions
    /// send the payload whole, as this builder does by default. Pass `true` only to reproduce
    /// the old bytes (the conformance runner does, for vectors recorded from those versions);
    /// a payload without NUL bytes is the same either way.
    #[must_use]
    pub fn truncate_server_payload_at_nul(mut self, truncate: bool) -> Self {
        self.nul_truncation = truncate;
        self
    }

    /// Builds a request carrying `payload`.
    ///
    /// Randomness is drawn from `rng` in the reference's order: for the destination layer,
    /// then each hop from the last to the guard, a 32-byte ephemeral X25519 secret key and
    /// then the layer's nonce (24 bytes for XChaCha20, 12 for AES-GCM).
    ///
    /// For a service node the destination receives `LE32(len) ‖ payload ‖ {"headers":""}`;
    /// for a server it receives the payload itself (see
    /// [`OnionRequestBuilder::truncate_server_payload_at_nul`]).
    ///
    /// A server destination whose route relays refuse ([`ServerRoute::is_allowed`]) fails
    /// with [`BuildError::ServerRouteRefused`] before any randomness is drawn.
    pub fn build(
        &self,
        payload: &[u8],
        rng: &mut impl CryptoRng,
    ) -> Result<OnionRequest, BuildError> {
        self.build_precomputed(payload, &PrecomputedKeys::new(), rng)
    }

    /// As [`OnionRequestBuilder::build`], using the tables in `tables` for the hops and the
    /// destination that have one: the same request from the same randomness, built faster.
    pub fn build_precomputed(
        &self,
        payload: &[u8],
        tables: &PrecomputedKeys,
        rng: &mut impl CryptoRng,
    ) -> Result<OnionRequest, BuildError> {
        if self.path.len() > MAX_PATH_LEN {
            return Err(BuildError::PathTooLong(self.path.len()));
        }
        let guard = match (self.path.first(), &self.destination) {
            (Some(hop), _) => hop.ed25519,
            (None, Destination::ServiceNode(node)) => node.ed25519,
            (None, Destination::Server(_)) => return Err(BuildError::EmptyPathToServer),
        };
        if let Destination::Server(server) = &self.destination {
            let route = server.route();
            if !route.is_allowed() {
                return Err(BuildError::ServerRouteRefused { route });
            }
        }
        let enc_type = self.enc_type;

        // The destination layer.
        let final_secret = X25519SecretKey::generate(rng);
        let final_public = final_secret.public_key();
        let destination_key = *self.destination.x25519();
        let shared = match tables.get(&destination_key) {
            Some(table) => final_secret.diffie_hellman_precomputed(table),
            None => final_secret.diffie_hellman(&destination_key),
        }
        .map_err(|_| BuildError::WeakKey {
            key: destination_key,
        })?;
        let key = HopKey::from_shared_secret(
            enc_type,
            Role::Client,
            &shared,
            &final_public,
            &destination_key,
        );
        let (mut blob, mut routing) = match &self.destination {
            Destination::ServiceNode(node) => {
                let data = encode_layer(payload, r#"{"headers":""}"#)?;
                let routing = ObjectWriter::new()
                    .string("destination", &node.ed25519.to_hex())
                    .string("enc_type", enc_type.as_str())
                    .string("ephemeral_key", &final_public.to_hex())
                    .finish();
                (key.encrypt(&data, rng), routing)
            }
            Destination::Server(server) => {
                let sent = match (self.nul_truncation, payload.iter().position(|&b| b == 0)) {
                    (true, Some(nul)) => &payload[..nul],
                    _ => payload,
                };
                let routing = ObjectWriter::new()
                    .string("enc_type", enc_type.as_str())
                    .string("ephemeral_key", &final_public.to_hex())
                    .string("host", &server.host)
                    .string("method", "POST")
                    .integer("port", i64::from(server.port()))
                    .string("protocol", &server.protocol)
                    .string("target", &server.target)
                    .finish();
                (key.encrypt(sent, rng), routing)
            }
        };
        drop(key);

        // The path, from the last node back to the guard.
        let mut ephemeral_public = final_public;
        for (index, hop) in self.path.iter().enumerate().rev() {
            if let Some(next) = self.path.get(index + 1) {
                routing = ObjectWriter::new()
                    .string("destination", &next.ed25519.to_hex())
                    .string("enc_type", enc_type.as_str())
                    .string("ephemeral_key", &ephemeral_public.to_hex())
                    .finish();
            }
            let data = encode_layer(&blob, &routing)?;
            let secret = X25519SecretKey::generate(rng);
            ephemeral_public = secret.public_key();
            let key = layer_key(enc_type, &secret, &ephemeral_public, &hop.x25519, tables)?;
            blob = key.encrypt(&data, rng);
        }

        let wrapper = ObjectWriter::new()
            .string("enc_type", enc_type.as_str())
            .string("ephemeral_key", &ephemeral_public.to_hex())
            .finish();
        let body = encode_layer(&blob, &wrapper)?;
        Ok(OnionRequest {
            guard,
            body,
            context: ResponseContext::from_parts(
                enc_type,
                destination_key,
                final_secret,
                final_public,
                shared,
            ),
        })
    }
}

fn layer_key(
    enc_type: EncType,
    secret: &X25519SecretKey,
    public: &X25519PublicKey,
    remote: &X25519PublicKey,
    tables: &PrecomputedKeys,
) -> Result<HopKey, BuildError> {
    match tables.get(remote) {
        Some(table) => HopKey::derive_precomputed(enc_type, Role::Client, secret, public, table),
        None => HopKey::derive_with_public(enc_type, Role::Client, secret, public, remote),
    }
    .map_err(|_| BuildError::WeakKey { key: *remote })
}
