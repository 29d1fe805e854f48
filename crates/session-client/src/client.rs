//! One account on the network: send 1:1 messages, poll the inbox.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use session_envelope::proto::{Content, DataMessage};
use session_envelope::{decode, encode, DecodedMessage, Expiry};
use session_identity::{Identity, OsRng, SessionId};
use session_swarm::{
    parse_delete_reply, parse_retrieve_reply, parse_store_reply, store_ttl_millis, MessageHash,
    MessageKind, Namespace, ReplyError, Signer, StorageRequest, Timestamp,
};

use crate::network::Network;
use crate::store::{MemoryStore, ReceivedMessage, Store};
use crate::transport::Transport;
use crate::ClientError;

/// Hashes per `delete` request.
const MAX_DELETE_HASHES: usize = 100;

/// A message fetched from the inbox and opened.
#[derive(Clone)]
pub struct Received {
    /// The swarm's hash of it.
    pub hash: MessageHash,
    /// When the swarm deletes it.
    pub expiry: Timestamp,
    /// The opened message: sender, time, content.
    pub message: DecodedMessage,
}

impl core::fmt::Debug for Received {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Received")
            .field("hash", &self.hash)
            .field("sender", &self.message.sender_session_id)
            .field("sent_ms", &self.message.sent_timestamp_ms)
            .finish_non_exhaustive()
    }
}

impl Received {
    /// The text of a data message, if it has one.
    pub fn text(&self) -> Option<&str> {
        self.message.content.data_message.as_ref()?.body.as_deref()
    }
}

/// An account using a [`Network`], keeping what it polled in a [`Store`].
pub struct Client<T: Transport> {
    identity: Identity,
    network: Arc<Network<T>>,
    store: Arc<dyn Store>,
    undecodable: AtomicUsize,
    delete_after_read: AtomicBool,
    polling: tokio::sync::Mutex<()>,
}

impl<T: Transport> core::fmt::Debug for Client<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Client")
            .field("session_id", &self.identity.session_id())
            .finish_non_exhaustive()
    }
}

impl<T: Transport> Client<T> {
    /// `identity` on `network`, keeping its poll state in memory (lost on exit).
    pub fn new(identity: Identity, network: Arc<Network<T>>) -> Self {
        Self::with_store(identity, network, Arc::new(MemoryStore::new()))
    }

    /// `identity` on `network`, keeping the last hash and every message polled in `store`
    /// (a [`SqliteStore`](crate::store::SqliteStore) survives restarts and kills: a message
    /// [`poll`](Client::poll) returned is on disk, and is never returned again).
    pub fn with_store(identity: Identity, network: Arc<Network<T>>, store: Arc<dyn Store>) -> Self {
        Self {
            identity,
            network,
            store,
            undecodable: AtomicUsize::new(0),
            delete_after_read: AtomicBool::new(false),
            polling: tokio::sync::Mutex::new(()),
        }
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// With `true`, [`poll`](Client::poll) deletes from the swarm what it fetched, once it is
    /// in the store (other devices of the account then never see it: for a bot, say). Off by
    /// default.
    pub fn set_delete_after_read(&self, delete: bool) {
        self.delete_after_read.store(delete, Ordering::Relaxed);
    }

    /// Deletes messages from this account's swarm. Returns how many hashes the swarm's members
    /// reported deleted (the largest count over the members that answered).
    pub async fn delete(&self, hashes: &[MessageHash]) -> Result<usize, ClientError> {
        if hashes.is_empty() {
            return Ok(0);
        }
        let me = self.session_id();
        let signer = Signer::user(&self.identity);
        let body = self
            .network
            .storage_request(&me, |_| StorageRequest::delete(&signer, hashes, false))
            .await?;
        let reply = parse_delete_reply(&body)?;
        Ok(reply
            .successes()
            .map(|(_, result)| result.deleted.len())
            .max()
            .unwrap_or(0))
    }

    /// The account.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The account's Session ID.
    pub fn session_id(&self) -> SessionId {
        self.identity.session_id()
    }

    /// The network this client uses.
    pub fn network(&self) -> &Arc<Network<T>> {
        &self.network
    }

    /// Messages fetched that did not open (not for us, or tampered with).
    pub fn undecodable(&self) -> usize {
        self.undecodable.load(Ordering::Relaxed)
    }

    /// Seals `content` for `to` and stores it in `to`'s swarm (the TTL follows the content's
    /// disappearing setting). Returns once the swarm acknowledged the store: every member that
    /// answered signed the message's hash, and those signatures were checked.
    pub async fn send(
        &self,
        to: &SessionId,
        content: &Content,
    ) -> Result<MessageHash, ClientError> {
        let recipient = to
            .x25519_public_key()
            .ok_or_else(|| ClientError::NoSwarm(to.to_hex()))?;
        let sent = self.network.network_now();
        let data = encode(
            content,
            &self.identity,
            &recipient,
            sent.as_millis(),
            &mut OsRng,
        )?;
        let timer = Expiry::of(content).after_send_timer();
        let ttl = store_ttl_millis(MessageKind::Content, Namespace::DEFAULT, timer);
        let body = self
            .network
            .storage_request(to, |now| {
                StorageRequest::store(to, Namespace::DEFAULT, &data, ttl, now, None)
            })
            .await?;
        let reply = parse_store_reply(&body)?;
        let hash = MessageHash::compute(to, Namespace::DEFAULT, &data);
        let mut acknowledged = 0;
        for (node, result) in reply.successes() {
            if result.hash != hash || !result.verify(node) {
                return Err(ReplyError::MissingField("swarm.*.signature").into());
            }
            acknowledged += 1;
        }
        if acknowledged == 0 {
            return Err(ReplyError::MissingField("swarm").into());
        }
        Ok(hash)
    }

    /// [`send`](Client::send) of a text message.
    pub async fn send_text(&self, to: &SessionId, text: &str) -> Result<MessageHash, ClientError> {
        let content = Content {
            data_message: Some(DataMessage {
                body: Some(text.to_owned()),
                ..DataMessage::default()
            }),
            ..Content::default()
        };
        self.send(to, &content).await
    }

    /// Fetches everything new in the inbox (following the swarm's pages) and opens it. Each
    /// page is recorded in the store (its messages and the new last hash, in one transaction)
    /// before anything is returned; a message already in the store is not returned again,
    /// which drops the duplicates a retried poll can bring. Expired messages leave the store
    /// first; with [`set_delete_after_read`](Client::set_delete_after_read), what was fetched
    /// is deleted from the swarm afterwards.
    pub async fn poll(&self) -> Result<Vec<Received>, ClientError> {
        let _one_poll_at_a_time = self.polling.lock().await;
        // Disappearing messages: what has expired leaves the store.
        self.store
            .delete_expired(self.network.network_now().as_millis())?;
        let (fresh, fetched) = self.fetch_new(Namespace::DEFAULT).await?;
        let mut received = Vec::new();
        for stored in fresh {
            match decode(&stored.body, &self.identity) {
                Ok(message) => received.push(Received {
                    hash: MessageHash::parse(&stored.hash)
                        .map_err(|_| ReplyError::MissingField("hash"))?,
                    expiry: Timestamp::from_millis(stored.expiry_ms),
                    message,
                }),
                Err(_) => {
                    self.undecodable.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        if self.delete_after_read.load(Ordering::Relaxed) && !fetched.is_empty() {
            // Everything fetched is in the store: the swarm's copy can go.
            for chunk in fetched.chunks(MAX_DELETE_HASHES) {
                self.delete(chunk).await?;
            }
        }
        Ok(received)
    }

    /// Fetches what is new in one of this account's namespaces (the inbox, a config
    /// namespace, …), page after page, recording each page in the store before going on.
    /// Returns the messages not seen before, as stored (not opened): what a module for that
    /// namespace reads. Does not take the poll lock: callers serialise polls of one namespace.
    pub async fn retrieve_new(
        &self,
        namespace: Namespace,
    ) -> Result<Vec<ReceivedMessage>, ClientError> {
        self.fetch_new(namespace).await.map(|(fresh, _)| fresh)
    }

    /// [`retrieve_new`](Client::retrieve_new) for the account `signer` signs for: this one, or
    /// a group's swarm as its admin (`Signer::group_admin`) or as a member with a subaccount
    /// (`Signer::group_member`). Recorded in the store under that account.
    pub async fn retrieve_new_as(
        &self,
        signer: &Signer<'_>,
        namespace: Namespace,
    ) -> Result<Vec<ReceivedMessage>, ClientError> {
        self.fetch_new_as(signer, namespace)
            .await
            .map(|(fresh, _)| fresh)
    }

    /// The new messages of `namespace` and the hashes of everything fetched.
    async fn fetch_new(
        &self,
        namespace: Namespace,
    ) -> Result<(Vec<ReceivedMessage>, Vec<MessageHash>), ClientError> {
        self.fetch_new_as(&Signer::user(&self.identity), namespace)
            .await
    }

    async fn fetch_new_as(
        &self,
        signer: &Signer<'_>,
        namespace: Namespace,
    ) -> Result<(Vec<ReceivedMessage>, Vec<MessageHash>), ClientError> {
        let me = signer.account();
        let account = me.to_hex();
        let mut fresh = Vec::new();
        let mut fetched = Vec::new();
        loop {
            let last = self
                .store
                .last_hash(&account, namespace.get())?
                .and_then(|h| MessageHash::parse(&h).ok());
            let body = self
                .network
                .storage_request(&me, |now| {
                    Ok(StorageRequest::retrieve(
                        signer,
                        namespace,
                        last.as_ref(),
                        now,
                    ))
                })
                .await?;
            let reply = parse_retrieve_reply(&body)?;
            let page: Vec<ReceivedMessage> = reply
                .messages
                .iter()
                .map(|m| ReceivedMessage {
                    account: account.clone(),
                    namespace: namespace.get(),
                    hash: m.hash.as_str().to_owned(),
                    timestamp_ms: m.timestamp.as_millis(),
                    expiry_ms: m.expiry.as_millis(),
                    body: m.data.clone(),
                })
                .collect();
            let newest = reply.messages.last().map(|m| m.hash.as_str());
            let new = self
                .store
                .record_poll(&account, namespace.get(), &page, newest)?;
            fetched.extend(reply.messages.iter().map(|m| m.hash.clone()));
            fresh.extend(
                page.into_iter()
                    .zip(new)
                    .filter_map(|(message, new)| new.then_some(message)),
            );
            if !reply.more || reply.messages.is_empty() {
                return Ok((fresh, fetched));
            }
        }
    }

    /// Incoming messages as a stream: a task polls every `interval` and sends each new message
    /// (or a poll's error, after which it keeps polling) to the returned receiver, in order.
    /// It stops when the receiver is dropped. Each message was recorded in the store before
    /// it was sent, so one the receiver never read is still there
    /// ([`Store::received`]).
    pub fn incoming(
        self: &Arc<Self>,
        interval: Duration,
    ) -> tokio::sync::mpsc::Receiver<Result<Received, ClientError>> {
        let (sender, receiver) = tokio::sync::mpsc::channel(64);
        let client = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                match client.poll().await {
                    Ok(messages) => {
                        for message in messages {
                            if sender.send(Ok(message)).await.is_err() {
                                return;
                            }
                        }
                    }
                    Err(error) => {
                        if sender.send(Err(error)).await.is_err() {
                            return;
                        }
                    }
                }
                tokio::select! {
                    () = tokio::time::sleep(interval) => {}
                    () = sender.closed() => return,
                }
            }
        });
        receiver
    }
}
