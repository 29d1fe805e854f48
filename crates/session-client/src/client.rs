//! One account on the network: send 1:1 messages, poll the inbox.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use session_envelope::proto::{Content, DataMessage};
use session_envelope::{decode, encode, DecodedMessage, Expiry};
use session_identity::{Identity, OsRng, SessionId};
use session_swarm::{
    parse_retrieve_reply, parse_store_reply, store_ttl_millis, MessageHash, MessageKind, Namespace,
    ReplyError, Signer, StorageRequest, Timestamp,
};

use crate::network::Network;
use crate::transport::Transport;
use crate::ClientError;

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

/// What a poll remembers: the newest hash retrieved, and every hash seen (duplicates are
/// dropped: the swarm can hand a message out twice when a poll is retried).
#[derive(Debug, Default)]
struct Inbox {
    last_hash: Option<MessageHash>,
    seen: HashSet<String>,
    undecodable: usize,
}

/// An account using a [`Network`].
pub struct Client<T: Transport> {
    identity: Identity,
    network: Arc<Network<T>>,
    inbox: Mutex<Inbox>,
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
    /// `identity` on `network`.
    pub fn new(identity: Identity, network: Arc<Network<T>>) -> Self {
        Self {
            identity,
            network,
            inbox: Mutex::new(Inbox::default()),
            polling: tokio::sync::Mutex::new(()),
        }
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
        self.inbox().undecodable
    }

    fn inbox(&self) -> std::sync::MutexGuard<'_, Inbox> {
        self.inbox.lock().unwrap_or_else(|p| p.into_inner())
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

    /// Fetches everything new in the inbox (following the swarm's pages) and opens it. A
    /// message is returned once: later polls skip hashes already seen.
    pub async fn poll(&self) -> Result<Vec<Received>, ClientError> {
        let _one_poll_at_a_time = self.polling.lock().await;
        let me = self.session_id();
        let signer = Signer::user(&self.identity);
        let mut received = Vec::new();
        loop {
            let last = self.inbox().last_hash.clone();
            let body = self
                .network
                .storage_request(&me, |now| {
                    Ok(StorageRequest::retrieve(
                        &signer,
                        Namespace::DEFAULT,
                        last.as_ref(),
                        now,
                    ))
                })
                .await?;
            let reply = parse_retrieve_reply(&body)?;
            let mut inbox = self.inbox();
            for stored in &reply.messages {
                inbox.last_hash = Some(stored.hash.clone());
                if !inbox.seen.insert(stored.hash.as_str().to_owned()) {
                    continue;
                }
                match decode(&stored.data, &self.identity) {
                    Ok(message) => received.push(Received {
                        hash: stored.hash.clone(),
                        expiry: stored.expiry,
                        message,
                    }),
                    Err(_) => inbox.undecodable += 1,
                }
            }
            if !reply.more || reply.messages.is_empty() {
                return Ok(received);
            }
        }
    }
}
