//! A client written the way a frontend uses the four layers: envelope to seal and open,
//! onion to route, swarm to sign, choose nodes and decide what to do next.

use std::collections::{BTreeSet, HashMap};

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use session_config::{PushError, UserConfigs, UserKind};
use session_envelope::proto::Content;
use session_envelope::{decode, encode, DecodedMessage, EncodeError, Expiry};
use session_fileserver::{
    parse_download_reply, parse_extend_reply, parse_upload_reply, ExtendedFile, FileId, FileServer,
    FileServerError, UploadOptions, UploadedFile,
};
use session_identity::{Ed25519PublicKey, Identity, SessionId, X25519PublicKey};
use session_onion::{
    BuildError, Destination, EncType, Hop, OnionFailure, OnionRequestBuilder, PrecomputedKeys,
    ServerResponse, V4Request,
};
use session_swarm::subaccount::SubaccountToken;
use session_swarm::{
    parse_delete_reply, parse_expire_reply, parse_retrieve_reply, parse_store_reply,
    store_ttl_millis, AttemptError, ClockOffset, Decision, ExpiryMode, MessageHash, MessageKind,
    Namespace, NodePool, OnionPath, Outcome, PathError, PathHealth, PathSet, ReplyError,
    RequestError, RequestFailure, RetrievedMessage, ServiceNode, Signer, StorageRequest, SwarmMap,
    SwarmRequest, Timestamp, UsageError,
};

use crate::network::Network;
use crate::trace::short;

/// Why a client operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The swarm layer gave up on the request.
    #[error("request failed: {0}")]
    Request(#[from] RequestFailure),
    /// The request could not be built.
    #[error("request refused before sending: {0}")]
    Build(#[from] RequestError),
    /// No onion path could be built.
    #[error("no onion path: {0}")]
    Path(#[from] PathError),
    /// The onion request could not be built.
    #[error("onion request: {0}")]
    Onion(#[from] BuildError),
    /// The message could not be sealed.
    #[error("encode: {0}")]
    Encode(#[from] EncodeError),
    /// A reply did not parse.
    #[error("reply: {0}")]
    Reply(#[from] ReplyError),
    /// The recipient is not a user Session ID, or has no swarm.
    #[error("no swarm for {0}")]
    NoSwarm(String),
    /// A server answered with an error status.
    #[error("server answered {0}")]
    Server(u16),
    /// The file server refused a request or gave an unreadable or error reply.
    #[error("file server: {0}")]
    FileServer(#[from] FileServerError),
    /// A request to a server got no readable answer.
    #[error("server request: {0}")]
    ServerUnreachable(#[from] OnionFailure),
    /// A request to a server got no answer in time.
    #[error("server request timed out")]
    ServerTimeout,
    /// No attempt could be made: the swarm layer gave up, or (a bug in this client) was
    /// driven out of order.
    #[error("no attempt: {0}")]
    Attempt(#[from] AttemptError),
    /// The decision machine was driven out of order (a bug in this client).
    #[error("decision machine misuse: {0}")]
    Usage(#[from] UsageError),
    /// A config could not be pushed.
    #[error("config push: {0}")]
    ConfigPush(#[from] PushError),
}

/// A message read from the swarm.
#[derive(Debug, Clone)]
pub struct Received {
    /// Its hash in the swarm.
    pub hash: MessageHash,
    /// When the swarm will drop it.
    pub expiry: Timestamp,
    /// The opened message.
    pub message: DecodedMessage,
}

/// The network side of a client: node pool, paths, clock offset, cached swarms.
#[derive(Debug)]
struct Transport {
    pool: NodePool,
    paths: PathSet,
    /// Precomputed X25519 tables for the nodes of the paths in use.
    tables: PrecomputedKeys,
    map: SwarmMap,
    swarms: HashMap<[u8; 33], Vec<ServiceNode>>,
    clock_offset: ClockOffset,
    local_skew_ms: i64,
    rng: ChaCha20Rng,
    log: Vec<String>,
}

/// A Session client on a [`Network`].
#[derive(Debug)]
pub struct Client {
    identity: Identity,
    transport: Transport,
    last_hash: Option<MessageHash>,
    /// The newest hash retrieved from each (account, namespace) other than this account's
    /// inbox: this account's config namespaces, the namespaces of its groups.
    namespace_last_hash: HashMap<([u8; 33], i16), MessageHash>,
    seen: BTreeSet<String>,
    undecodable: usize,
}

/// What one [`Client::sync_configs`] did to one config.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigEvent {
    /// Messages retrieved from the config's namespace were merged.
    Merged {
        /// The config.
        kind: UserKind,
        /// How many messages were retrieved.
        retrieved: usize,
        /// The hashes the merge took into account.
        accepted: usize,
        /// The config's seqno after the merge.
        seqno: i64,
    },
    /// The config was pushed and the swarm confirmed it.
    Pushed {
        /// The config.
        kind: UserKind,
        /// The seqno pushed.
        seqno: i64,
        /// The stored message's hash.
        hash: MessageHash,
        /// Bytes stored.
        bytes: usize,
        /// Hashes of older config messages deleted with it.
        obsolete: usize,
    },
}

impl core::fmt::Display for ConfigEvent {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Merged {
                kind,
                retrieved,
                accepted,
                seqno,
            } => write!(
                f,
                "merge {kind:?}: {retrieved} retrieved, {accepted} merged, now seqno {seqno}"
            ),
            Self::Pushed {
                kind,
                seqno,
                hash,
                bytes,
                obsolete,
            } => write!(
                f,
                "push  {kind:?}: seqno {seqno}, {bytes} bytes as {}…, {obsolete} obsolete deleted",
                hash.as_str().get(..8).unwrap_or_default()
            ),
        }
    }
}

impl Transport {
    fn local_now(&self, net: &Network) -> Timestamp {
        net.now()
            .adjusted(ClockOffset::from_millis(self.local_skew_ms))
    }

    fn members(&self, target: &SessionId) -> Result<Vec<ServiceNode>, ClientError> {
        if let Some(members) = self.swarms.get(&target.to_bytes()) {
            return Ok(members.clone());
        }
        self.map
            .swarm_for(target)
            .map(|s| s.members.to_vec())
            .ok_or_else(|| ClientError::NoSwarm(target.to_hex()))
    }

    /// A path that avoids `destination`, building one when none does.
    fn path_for(
        &mut self,
        destination: Option<&Ed25519PublicKey>,
    ) -> Result<OnionPath, ClientError> {
        for _ in 0..4 {
            if let Some(path) = self.paths.choose(&mut self.rng, destination) {
                let path = path.clone();
                self.sync_tables();
                return Ok(path);
            }
            let mut exclude: Vec<Ed25519PublicKey> = self
                .paths
                .paths()
                .iter()
                .flat_map(|p| p.hops().iter().map(|n| n.ed25519))
                .collect();
            exclude.extend(destination.copied());
            let guard = self.pool.choose_guards(&mut self.rng, 1, &exclude)?;
            let Some(guard) = guard.first() else { break };
            let path = self.pool.build_path(&mut self.rng, guard, &exclude)?;
            self.paths.push(path);
        }
        Err(ClientError::Path(PathError::NotEnoughNodes {
            needed: 4,
            found: self.pool.len(),
        }))
    }

    /// Tables for the nodes of the current paths, and none for nodes no path uses any more.
    fn sync_tables(&mut self) {
        let in_use: BTreeSet<X25519PublicKey> = self
            .paths
            .paths()
            .iter()
            .flat_map(|p| p.hops().iter().map(|n| n.x25519))
            .collect();
        self.tables.retain(|key| in_use.contains(key));
        for key in &in_use {
            self.tables.insert(key);
        }
    }

    /// Sends a storage request to `target`'s swarm, obeying [`SwarmRequest`]'s decisions.
    fn request(
        &mut self,
        net: &mut Network,
        target: &SessionId,
        label: &str,
        build: &dyn Fn(Timestamp) -> Result<StorageRequest, RequestError>,
    ) -> Result<Vec<u8>, ClientError> {
        let members = self.members(target)?;
        let mut request = SwarmRequest::new(*target, &members, self.clock_offset);
        loop {
            let attempt = request.next_attempt(&mut self.rng)?;
            let node = attempt.node;
            let local_now = self.local_now(net);
            let body = build(request.signing_time(local_now))?.to_body();
            let path = self.path_for(Some(&node.ed25519))?;
            let onion = OnionRequestBuilder::new(
                Destination::ServiceNode(Hop::new(node.ed25519, node.x25519)),
                EncType::XChaCha20,
            )
            .path(path.hops().iter().map(|n| Hop::new(n.ed25519, n.x25519)))
            .build_precomputed(&body, &self.tables, &mut self.rng)?;
            let guard = path.guard().ed25519;
            let label = format!(
                "{label} (attempt {}, to {})",
                attempt.number,
                short(&node.ed25519)
            );
            let answer = net.deliver(&guard, onion.body(), &label);
            let outcome = match answer {
                Some(answer) => Outcome::from_onion(
                    onion
                        .response_context()
                        .read_service_node_reply(answer.status, &answer.body),
                ),
                None => Outcome::Timeout,
            };
            let decision = request.handle(outcome, local_now)?;
            self.log.push(format!("{label}: {}", describe(&decision)));
            match decision {
                Decision::Done(reply) => return Ok(reply.body),
                Decision::RetryOtherMember { .. } => {}
                Decision::ReplaceSwarmAndRetry { members, .. } => {
                    self.swarms.insert(target.to_bytes(), members);
                }
                Decision::AdjustClockAndResign { offset } => self.clock_offset = offset,
                Decision::MarkNodeBad { node } => {
                    // A relay said it cannot reach the node: drop it, and every path through it.
                    self.pool.drop_node(&node);
                    self.paths.remove_paths_through(&node);
                }
                Decision::MarkPathBad => {
                    // Three strikes drop the path; its guard leaves the pool and its relays
                    // count a failure each (and paths through a relay that left go too).
                    if let PathHealth::Dropped(path) = self.paths.record_failure(&guard) {
                        for key in self.pool.retire_path(&path) {
                            self.paths.remove_paths_through(&key);
                        }
                    }
                }
                Decision::DropPath => {
                    self.pool.record_failure(&guard);
                    self.paths.remove_paths_through(&guard);
                }
                Decision::Fail(failure) => return Err(failure.into()),
                // A decision added later: retrying is what every other decision does.
                _ => {}
            }
        }
    }
}

fn describe(decision: &Decision) -> String {
    match decision {
        Decision::Done(reply) => format!("done ({})", reply.status),
        Decision::RetryOtherMember { failed } => {
            format!("retry another member ({} failed)", short(failed))
        }
        Decision::ReplaceSwarmAndRetry { swarm_id, members } => format!(
            "421: replace swarm with {swarm_id:x} ({} members) and retry",
            members.len()
        ),
        Decision::AdjustClockAndResign { offset } => {
            format!(
                "clock off: adjust by {} ms, re-sign and retry",
                offset.as_millis()
            )
        }
        Decision::MarkNodeBad { node } => format!("node {} is bad: drop it and retry", short(node)),
        Decision::MarkPathBad => "path is bad: count it and retry".into(),
        Decision::DropPath => "no answer: drop the path and retry".into(),
        Decision::Fail(failure) => format!("give up: {failure}"),
        other => format!("{other:?}"),
    }
}

impl Client {
    /// A client for `identity` that bootstraps from the network's directory (parsed as a
    /// seed node's reply) and builds its onion paths. `seed` seeds its random generator.
    pub fn new(identity: Identity, net: &Network, seed: u64) -> Result<Self, ClientError> {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let nodes = net.bootstrap_nodes();
        let pool = NodePool::new(&nodes);
        let paths = pool.build_paths(&mut rng)?;
        Ok(Self {
            identity,
            transport: Transport {
                pool,
                paths,
                tables: PrecomputedKeys::new(),
                map: SwarmMap::new(&nodes),
                swarms: HashMap::new(),
                clock_offset: ClockOffset::ZERO,
                local_skew_ms: 0,
                rng,
                log: Vec::new(),
            },
            last_hash: None,
            namespace_last_hash: HashMap::new(),
            seen: BTreeSet::new(),
            undecodable: 0,
        })
    }

    /// The account.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The Session ID.
    pub fn session_id(&self) -> SessionId {
        self.identity.session_id()
    }

    /// The onion paths in use.
    pub fn paths(&self) -> &[OnionPath] {
        self.transport.paths.paths()
    }

    /// The clock offset learnt from the network.
    pub fn clock_offset(&self) -> ClockOffset {
        self.transport.clock_offset
    }

    /// Makes this device's clock run `skew_ms` off the network's.
    pub fn set_local_clock_skew(&mut self, skew_ms: i64) {
        self.transport.local_skew_ms = skew_ms;
    }

    /// Forgets the cached swarm of `account` and replaces it with `members` (to simulate a
    /// stale cache).
    pub fn set_cached_swarm(&mut self, account: &SessionId, members: Vec<ServiceNode>) {
        self.transport.swarms.insert(account.to_bytes(), members);
    }

    /// The decisions taken so far, one line per attempt; clears the log.
    pub fn take_log(&mut self) -> Vec<String> {
        core::mem::take(&mut self.transport.log)
    }

    /// Messages seen but not decodable (not for us, or tampered).
    pub fn undecodable(&self) -> usize {
        self.undecodable
    }

    /// Seals `content` for `to` and stores it in `to`'s swarm; the TTL follows the content's
    /// disappearing setting. Returns the message's hash.
    pub fn send(
        &mut self,
        net: &mut Network,
        to: &SessionId,
        content: &Content,
    ) -> Result<MessageHash, ClientError> {
        let recipient = to
            .x25519_public_key()
            .ok_or_else(|| ClientError::NoSwarm(to.to_hex()))?;
        let sent = self
            .transport
            .local_now(net)
            .adjusted(self.transport.clock_offset);
        let data = encode(
            content,
            &self.identity,
            &recipient,
            sent.as_millis(),
            &mut self.transport.rng,
        )?;
        let timer = Expiry::of(content).after_send_timer();
        let ttl = store_ttl_millis(MessageKind::Content, Namespace::DEFAULT, timer);
        let build =
            |now: Timestamp| StorageRequest::store(to, Namespace::DEFAULT, &data, ttl, now, None);
        let body = self.transport.request(net, to, "store", &build)?;
        let reply = parse_store_reply(&body)?;
        let hash = MessageHash::compute(to, Namespace::DEFAULT, &data);
        // Every member that answered signed the hash it stored.
        if reply
            .successes()
            .any(|(node, result)| result.hash != hash || !result.verify(node))
        {
            return Err(ReplyError::MissingField("swarm.*.signature").into());
        }
        Ok(hash)
    }

    /// Fetches and opens every new message in this account's inbox (following `last_hash`
    /// pages). Messages that do not open are counted in [`Client::undecodable`].
    pub fn poll(&mut self, net: &mut Network) -> Result<Vec<Received>, ClientError> {
        let me = self.session_id();
        let mut received = Vec::new();
        loop {
            let signer = Signer::user(&self.identity);
            let last = self.last_hash.clone();
            let build = |now: Timestamp| {
                Ok(StorageRequest::retrieve(
                    &signer,
                    Namespace::DEFAULT,
                    last.as_ref(),
                    now,
                ))
            };
            let body = self.transport.request(net, &me, "retrieve", &build)?;
            let reply = parse_retrieve_reply(&body)?;
            for stored in &reply.messages {
                self.last_hash = Some(stored.hash.clone());
                if !self.seen.insert(stored.hash.as_str().to_owned()) {
                    continue;
                }
                match decode(&stored.data, &self.identity) {
                    Ok(message) => received.push(Received {
                        hash: stored.hash.clone(),
                        expiry: stored.expiry,
                        message,
                    }),
                    Err(_) => self.undecodable += 1,
                }
            }
            if !reply.more || reply.messages.is_empty() {
                return Ok(received);
            }
        }
    }

    /// Retrieves what is new in one of this account's namespaces other than the inbox (a
    /// config namespace, say): every message after the newest one retrieved from it before,
    /// following `last_hash` pages. The messages are returned as stored, not opened.
    pub fn retrieve_namespace(
        &mut self,
        net: &mut Network,
        namespace: Namespace,
    ) -> Result<Vec<(MessageHash, Vec<u8>)>, ClientError> {
        let identity = self.identity.clone();
        let messages = self.retrieve_as(net, &Signer::user(&identity), namespace)?;
        Ok(messages.into_iter().map(|m| (m.hash, m.data)).collect())
    }

    /// Retrieves what is new in `namespace` of the account `signer` signs for (this account,
    /// or a group's swarm as its admin or as a member with a subaccount): every message after
    /// the newest one retrieved from it before, following `last_hash` pages, as stored.
    pub fn retrieve_as(
        &mut self,
        net: &mut Network,
        signer: &Signer<'_>,
        namespace: Namespace,
    ) -> Result<Vec<RetrievedMessage>, ClientError> {
        let account = signer.account();
        let slot = (account.to_bytes(), namespace.get());
        let mut out = Vec::new();
        loop {
            let last = self.namespace_last_hash.get(&slot).cloned();
            let build = |now: Timestamp| {
                Ok(StorageRequest::retrieve(
                    signer,
                    namespace,
                    last.as_ref(),
                    now,
                ))
            };
            let body = self.transport.request(net, &account, "retrieve", &build)?;
            let reply = parse_retrieve_reply(&body)?;
            let done = !reply.more || reply.messages.is_empty();
            if let Some(newest) = reply.messages.last() {
                self.namespace_last_hash.insert(slot, newest.hash.clone());
            }
            out.extend(reply.messages);
            if done {
                return Ok(out);
            }
        }
    }

    /// Stores `data` in this account's `namespace` (signed, as every namespace but the
    /// inbox requires) for `ttl_ms`; returns the hash every answering member signed.
    pub fn store_own(
        &mut self,
        net: &mut Network,
        namespace: Namespace,
        data: &[u8],
        ttl_ms: u64,
    ) -> Result<MessageHash, ClientError> {
        let identity = self.identity.clone();
        self.store_as(net, &Signer::user(&identity), namespace, data, ttl_ms)
    }

    /// Stores `data` for `ttl_ms` in `namespace` of the account `signer` signs for (this
    /// account, or a group's swarm as its admin or as a member with a subaccount); returns the
    /// hash every answering member signed.
    pub fn store_as(
        &mut self,
        net: &mut Network,
        signer: &Signer<'_>,
        namespace: Namespace,
        data: &[u8],
        ttl_ms: u64,
    ) -> Result<MessageHash, ClientError> {
        let account = signer.account();
        let build = |now: Timestamp| {
            StorageRequest::store(&account, namespace, data, ttl_ms, now, Some(signer))
        };
        let body = self.transport.request(net, &account, "store", &build)?;
        let reply = parse_store_reply(&body)?;
        let hash = MessageHash::compute(&account, namespace, data);
        if reply
            .successes()
            .any(|(node, result)| result.hash != hash || !result.verify(node))
        {
            return Err(ReplyError::MissingField("swarm.*.signature").into());
        }
        Ok(hash)
    }

    /// Puts `tokens` on (`revoke` true) or takes them off the revocation list of the `03`
    /// group whose key pair is `group_key` (admins only): the swarm then refuses requests
    /// signed with them, except reads of unrevocable namespaces such as -11.
    pub fn revoke_subaccounts(
        &mut self,
        net: &mut Network,
        group_key: &Identity,
        tokens: &[SubaccountToken],
        revoke: bool,
    ) -> Result<(), ClientError> {
        let account = Signer::group_admin(group_key).account();
        let build = |now: Timestamp| {
            if revoke {
                StorageRequest::revoke_subaccount(group_key, tokens, now)
            } else {
                StorageRequest::unrevoke_subaccount(group_key, tokens, now)
            }
        };
        let label = if revoke {
            "revoke_subaccount"
        } else {
            "unrevoke_subaccount"
        };
        self.transport.request(net, &account, label, &build)?;
        Ok(())
    }

    /// One round of config sync for this account, as a device runs it after start-up and on
    /// every poll: retrieve what is new in namespaces 2–5 and merge it; then push every config
    /// with unpushed changes (store the message, confirm it, delete the messages it makes
    /// obsolete). `now_ms` (unix milliseconds) is ConvoInfoVolatile's pruning clock. Returns
    /// what happened, config by config.
    pub fn sync_configs(
        &mut self,
        net: &mut Network,
        configs: &mut UserConfigs,
        now_ms: i64,
    ) -> Result<Vec<ConfigEvent>, ClientError> {
        let mut events = Vec::new();
        for kind in UserKind::ALL {
            let namespace = Namespace::new(kind.namespace());
            let retrieved = self.retrieve_namespace(net, namespace)?;
            if retrieved.is_empty() {
                continue;
            }
            let accepted = configs.merge(
                kind,
                retrieved.iter().map(|(h, d)| (h.as_str(), d.as_slice())),
            );
            events.push(ConfigEvent::Merged {
                kind,
                retrieved: retrieved.len(),
                accepted: accepted.len(),
                seqno: configs.config(kind).seqno(),
            });
        }
        for kind in configs.needs_push() {
            let namespace = Namespace::new(kind.namespace());
            let push = configs.push(kind, now_ms)?;
            let ttl = store_ttl_millis(MessageKind::Config, namespace, None);
            let hash = self.store_own(net, namespace, &push.data, ttl)?;
            configs.confirm_pushed(kind, push.seqno, hash.as_str());
            let obsolete: Vec<MessageHash> = push
                .obsolete
                .iter()
                .filter_map(|h| MessageHash::parse(h).ok())
                .filter(|h| *h != hash)
                .collect();
            if !obsolete.is_empty() {
                self.delete(net, &obsolete)?;
            }
            events.push(ConfigEvent::Pushed {
                kind,
                seqno: push.seqno,
                hash,
                bytes: push.data.len(),
                obsolete: obsolete.len(),
            });
        }
        Ok(events)
    }

    /// Deletes messages from this account's swarm; returns the hashes the swarm deleted.
    pub fn delete(
        &mut self,
        net: &mut Network,
        hashes: &[MessageHash],
    ) -> Result<Vec<MessageHash>, ClientError> {
        let me = self.session_id();
        let signer = Signer::user(&self.identity);
        let build = |_: Timestamp| StorageRequest::delete(&signer, hashes, false);
        let body = self.transport.request(net, &me, "delete", &build)?;
        let reply = parse_delete_reply(&body)?;
        let mut deleted: Vec<MessageHash> = reply
            .successes()
            .flat_map(|(_, r)| r.deleted.iter().cloned())
            .collect();
        deleted.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        deleted.dedup();
        Ok(deleted)
    }

    /// Brings the expiry of messages forward to `expiry` (`expire` with `shorten`), as an
    /// after-read disappearing message does once read. Returns the hashes updated.
    pub fn shorten_expiry(
        &mut self,
        net: &mut Network,
        hashes: &[MessageHash],
        expiry: Timestamp,
    ) -> Result<Vec<MessageHash>, ClientError> {
        let me = self.session_id();
        let signer = Signer::user(&self.identity);
        let build = |now: Timestamp| {
            StorageRequest::expire(&signer, hashes, expiry, ExpiryMode::Shorten, now)
        };
        let body = self.transport.request(net, &me, "expire", &build)?;
        let reply = parse_expire_reply(&body)?;
        let mut updated: Vec<MessageHash> = reply
            .successes()
            .flat_map(|(_, r)| r.updated.iter().cloned())
            .collect();
        updated.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        updated.dedup();
        Ok(updated)
    }

    /// Sends a v4 request to the network's file server through an onion path built with
    /// [`session_fileserver::FileServer::onion_request_builder`] (payloads go whole, NUL bytes
    /// and all).
    fn file_request(
        &mut self,
        net: &mut Network,
        server: &FileServer,
        request: &V4Request,
    ) -> Result<ServerResponse, ClientError> {
        let path = self.transport.path_for(None)?;
        let onion = server
            .onion_request_builder(EncType::XChaCha20)
            .path(path.hops().iter().map(|n| Hop::new(n.ed25519, n.x25519)))
            .build_precomputed(
                &request.encode(),
                &self.transport.tables,
                &mut self.transport.rng,
            )?;
        let label = format!("{} {}", request.method(), request.endpoint());
        let answer = net
            .deliver(&path.guard().ed25519, onion.body(), &label)
            .ok_or(ClientError::ServerTimeout)?;
        Ok(onion
            .response_context()
            .read_server_reply(answer.status, &answer.body)?)
    }

    /// Uploads a blob (normally an encrypted attachment) to the network's file server through
    /// an onion path: [`FileServer::upload`]'s request, [`parse_upload_reply`]'s answer.
    pub fn upload(
        &mut self,
        net: &mut Network,
        data: impl Into<Vec<u8>>,
    ) -> Result<UploadedFile, ClientError> {
        self.upload_with(net, data, &UploadOptions::default())
    }

    /// As [`Client::upload`] with a file name or TTL.
    pub fn upload_with(
        &mut self,
        net: &mut Network,
        data: impl Into<Vec<u8>>,
        options: &UploadOptions,
    ) -> Result<UploadedFile, ClientError> {
        let server = net.file_server().client_config();
        let request = server.upload(data.into(), options)?;
        let reply = self.file_request(net, &server, &request)?;
        Ok(parse_upload_reply(&reply)?)
    }

    /// Downloads a blob from the network's file server: [`FileServer::download`]'s request,
    /// [`parse_download_reply`]'s answer.
    pub fn download(&mut self, net: &mut Network, id: &FileId) -> Result<Vec<u8>, ClientError> {
        let server = net.file_server().client_config();
        let reply = self.file_request(net, &server, &server.download(id))?;
        Ok(parse_download_reply(&reply, server.max_file_size())?.to_vec())
    }

    /// Extends a file's lifetime on the network's file server ([`FileServer::extend`]).
    pub fn extend(
        &mut self,
        net: &mut Network,
        id: &FileId,
        ttl_seconds: Option<u64>,
    ) -> Result<ExtendedFile, ClientError> {
        let server = net.file_server().client_config();
        let reply = self.file_request(net, &server, &server.extend(id, ttl_seconds))?;
        Ok(parse_extend_reply(&reply)?)
    }
}
