//! Polling one server, sans-IO: [`Poller::poll`] says what to send and when, [`Poller::handle`]
//! reads the answer into [`Event`]s. Nothing here reads a clock: every call takes `now`, and the
//! same calls with the same `now`s give the same requests and events.
//!
//! Each poll is one `/batch`, as clients send it: the capabilities, then per room its
//! `pollInfo` and its messages (`recent` the first time, then `since` the highest sequence
//! number seen, with reaction updates), then the inbox and outbox when the key is blinded
//! (`since` the last IDs seen).

use std::collections::BTreeMap;

use core::time::Duration;

use session_envelope::proto::Content;
use session_identity::SessionId;
use session_onion::ServerResponse;

use crate::community::{Community, MessageError};
use crate::reply::{
    Capabilities, DirectMessage, MessageUpdate, Reaction, ReplyError, RoomInfo, SubReply,
};
use crate::request::{
    ApiRequest, Batch, Call, DmBox, GetCapabilities, GetDirectMessages, GetMessages, MessageRange,
    PollRoomInfo, RoomToken,
};

/// How often and how much to poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollerConfig {
    /// Time between polls while all goes well (clients use 10 s).
    pub interval: Duration,
    /// The longest wait after repeated failures: the wait doubles per failure up to this.
    pub max_backoff: Duration,
    /// A poll with no answer after this long counts as failed.
    pub request_timeout: Duration,
    /// Messages asked for per room and poll (1 to 256). A full page polls again at once.
    pub message_limit: u16,
    /// Reactors listed per reaction (0 to 20; clients use 5).
    pub reactors: u8,
    /// Direct messages asked for per box and poll (1 to 256).
    pub dm_limit: u16,
}

impl Default for PollerConfig {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(10),
            max_backoff: Duration::from_secs(300),
            request_timeout: Duration::from_secs(30),
            message_limit: 100,
            reactors: 5,
            dm_limit: 100,
        }
    }
}

/// A room message, verified and decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedMessage {
    /// The message ID.
    pub id: u64,
    /// The room sequence number of this version.
    pub seqno: u64,
    /// The sender as the server names them.
    pub sender: SessionId,
    /// Whether the caller sent it.
    pub from_me: bool,
    /// When it was posted, ms since the Unix epoch.
    pub posted_ms: u64,
    /// When it was last edited, ms since the Unix epoch.
    pub edited_ms: Option<u64>,
    /// Whether it is a whisper.
    pub whisper: bool,
    /// The content.
    pub content: Content,
    /// Its reactions, in display order.
    pub reactions: Vec<Reaction>,
}

/// A blinded direct message, decrypted.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedDirectMessage {
    /// The message ID on the server.
    pub id: u64,
    /// When it was posted, ms since the Unix epoch.
    pub posted_ms: u64,
    /// The sender's blinded ID.
    pub sender: SessionId,
    /// The recipient's blinded ID.
    pub recipient: SessionId,
    /// The sender's real Session ID (only the recipient learns it, from the ciphertext).
    pub sender_session_id: SessionId,
    /// Whether the caller sent it (read back from the outbox).
    pub outgoing: bool,
    /// The content.
    pub content: Content,
}

/// What a poll found.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// The server's capabilities (each poll); the key used follows them.
    Capabilities(Capabilities),
    /// A room's details changed (or were fetched the first time).
    RoomInfo(RoomInfo),
    /// A new message.
    Message {
        /// The room.
        room: RoomToken,
        /// The message.
        message: ReceivedMessage,
    },
    /// An edited message (its new version).
    Edited {
        /// The room.
        room: RoomToken,
        /// The message.
        message: ReceivedMessage,
    },
    /// A deleted message.
    Deleted {
        /// The room.
        room: RoomToken,
        /// The message.
        id: u64,
    },
    /// A message's reactions changed.
    Reactions {
        /// The room.
        room: RoomToken,
        /// The message.
        id: u64,
        /// Its reactions now.
        reactions: Vec<Reaction>,
    },
    /// A direct message, received or sent.
    DirectMessage(ReceivedDirectMessage),
    /// A room message that failed verification or decoding (dropped).
    RejectedMessage {
        /// The room.
        room: RoomToken,
        /// The message.
        id: u64,
        /// Why.
        error: MessageError,
    },
    /// A direct message that failed decryption or decoding (dropped).
    RejectedDirectMessage {
        /// The message.
        id: u64,
        /// Why.
        error: session_envelope::DecodeError,
    },
    /// One part of the poll failed (a room answered 403 or 404, a malformed sub-reply); the
    /// rest was read.
    PartFailed {
        /// The room, for a room's part.
        room: Option<RoomToken>,
        /// What failed.
        error: ReplyError,
    },
    /// The whole poll failed; the next one waits until `retry_at`.
    PollFailed {
        /// Why (`None`: no answer came).
        error: Option<ReplyError>,
        /// When [`Poller::poll`] sends again.
        retry_at: Duration,
    },
}

#[derive(Debug, Clone, Default)]
struct RoomState {
    /// The highest message sequence number seen; `None` before the first fetch.
    seqno: Option<u64>,
    /// The room's `info_updates` as last seen (0: never).
    info_updates: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Capabilities,
    PollInfo(RoomToken),
    Messages(GetMessages),
    Box(GetDirectMessages),
}

#[derive(Debug, Clone)]
struct InFlight {
    id: u64,
    parts: Vec<Part>,
    batch: Batch,
    deadline: Duration,
}

/// A poll to send: sign [`PollRequest::request`] with
/// [`Community::sign`] and hand the answer to [`Poller::handle`] with [`PollRequest::id`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollRequest {
    /// Identifies the poll in [`Poller::handle`] and [`Poller::handle_failure`].
    pub id: u64,
    /// The `/batch` request.
    pub request: ApiRequest,
}

/// Polls the rooms and direct messages of one server (see the module documentation).
#[derive(Debug, Clone)]
pub struct Poller {
    community: Community,
    config: PollerConfig,
    rooms: BTreeMap<RoomToken, RoomState>,
    inbox_since: Option<u64>,
    outbox_since: Option<u64>,
    failures: u32,
    next_poll: Duration,
    next_id: u64,
    in_flight: Option<InFlight>,
    /// Events found by [`Poller::poll`] (a poll that timed out), handed out by the next
    /// `handle*` call.
    pending: Vec<Event>,
    /// The signing key changed while reading the current answer.
    key_changed: bool,
}

impl Poller {
    /// A poller for `community` that polls at once.
    pub fn new(community: Community, config: PollerConfig) -> Self {
        Self {
            community,
            config,
            rooms: BTreeMap::new(),
            inbox_since: None,
            outbox_since: None,
            failures: 0,
            next_poll: Duration::ZERO,
            next_id: 1,
            in_flight: None,
            pending: Vec::new(),
            key_changed: false,
        }
    }

    /// The account and server (sign the poll requests with it).
    pub fn community(&self) -> &Community {
        &self.community
    }

    /// The account and server, mutably (to override the key, for example).
    pub fn community_mut(&mut self) -> &mut Community {
        &mut self.community
    }

    /// Polls `room` too, from its newest messages.
    pub fn join(&mut self, room: RoomToken) {
        self.rooms.entry(room).or_default();
    }

    /// Polls `room` too, for changes after `seqno` (resuming from a stored position).
    pub fn join_since(&mut self, room: RoomToken, seqno: u64) {
        self.rooms.entry(room).or_default().seqno = Some(seqno);
    }

    /// Stops polling `room`.
    pub fn leave(&mut self, room: &RoomToken) {
        self.rooms.remove(room);
    }

    /// The highest sequence number seen in `room` (store it to resume).
    pub fn seqno(&self, room: &RoomToken) -> Option<u64> {
        self.rooms.get(room).and_then(|r| r.seqno)
    }

    /// The last inbox and outbox message IDs seen.
    pub fn direct_message_positions(&self) -> (Option<u64>, Option<u64>) {
        (self.inbox_since, self.outbox_since)
    }

    /// Consecutive failed polls.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// When [`Poller::poll`] next has something to send: the next poll time, or the in-flight
    /// poll's deadline.
    pub fn next_poll_at(&self) -> Duration {
        match &self.in_flight {
            Some(flight) => flight.deadline,
            None => self.next_poll,
        }
    }

    fn backoff(&self) -> Duration {
        let factor = 1u32 << self.failures.min(16);
        self.config
            .interval
            .saturating_mul(factor)
            .min(self.config.max_backoff)
    }

    fn fail(&mut self, now: Duration, error: Option<ReplyError>) -> Event {
        self.in_flight = None;
        self.failures = self.failures.saturating_add(1);
        self.next_poll = now.saturating_add(self.backoff());
        Event::PollFailed {
            error,
            retry_at: self.next_poll,
        }
    }

    /// Abandons the poll in flight if its deadline has passed at `now` (a failure, reported by
    /// the next `handle*` call).
    fn expire(&mut self, now: Duration) {
        if self.in_flight.as_ref().is_some_and(|f| now >= f.deadline) {
            let event = self.fail(now, None);
            self.pending.push(event);
        }
    }

    /// The poll to send at `now`, if one is due: none while a poll is in flight (until its
    /// deadline, when it counts as failed and the backoff starts), or before the next poll
    /// time.
    pub fn poll(&mut self, now: Duration) -> Option<PollRequest> {
        self.expire(now);
        if self.in_flight.is_some() || now < self.next_poll {
            return None;
        }
        let mut parts = vec![Part::Capabilities];
        for (room, state) in &self.rooms {
            parts.push(Part::PollInfo(room.clone()));
            let range = match state.seqno {
                Some(seqno) => MessageRange::Since(seqno),
                None => MessageRange::Recent,
            };
            parts.push(Part::Messages(GetMessages {
                room: room.clone(),
                range,
                limit: Some(self.config.message_limit),
                reactors: Some(self.config.reactors),
            }));
        }
        if self.community.auth().blinding().is_some() {
            for (dm_box, since) in [
                (DmBox::Inbox, self.inbox_since),
                (DmBox::Outbox, self.outbox_since),
            ] {
                parts.push(Part::Box(GetDirectMessages {
                    dm_box,
                    since,
                    limit: Some(self.config.dm_limit),
                }));
            }
        }
        let requests = parts
            .iter()
            .map(|part| match part {
                Part::Capabilities => GetCapabilities::default().request(),
                Part::PollInfo(room) => PollRoomInfo {
                    room: room.clone(),
                    info_updates: self.rooms.get(room).map_or(0, |r| r.info_updates),
                }
                .request(),
                Part::Messages(call) => call.request(),
                Part::Box(call) => call.request(),
            })
            .collect::<Vec<_>>();
        // At most 1 + 2·rooms + 2 parts; more rooms than a batch holds are not polled.
        let requests: Vec<ApiRequest> = requests
            .into_iter()
            .take(crate::request::MAX_BATCH)
            .collect();
        parts.truncate(requests.len());
        let batch = Batch::independent(requests).ok()?;
        let id = self.next_id;
        self.next_id += 1;
        let request = batch.request();
        self.in_flight = Some(InFlight {
            id,
            parts,
            batch,
            deadline: now.saturating_add(self.config.request_timeout),
        });
        Some(PollRequest { id, request })
    }

    /// Reports a poll in flight whose deadline has passed at `now` (it then counts as failed),
    /// and any failure [`Poller::poll`] found.
    pub fn handle_timeout(&mut self, now: Duration) -> Vec<Event> {
        self.expire(now);
        core::mem::take(&mut self.pending)
    }

    /// No answer came for poll `id` (or the transport failed): backs off. An unknown `id`
    /// changes nothing.
    pub fn handle_failure(&mut self, id: u64, now: Duration) -> Vec<Event> {
        let mut events = core::mem::take(&mut self.pending);
        if self.in_flight.as_ref().is_some_and(|f| f.id == id) {
            events.push(self.fail(now, None));
        }
        events
    }

    /// Reads the answer to poll `id`. An answer to another poll (late, or unknown) gives no
    /// events of its own.
    pub fn handle(&mut self, id: u64, response: &ServerResponse, now: Duration) -> Vec<Event> {
        let mut events = core::mem::take(&mut self.pending);
        let Some(flight) = self.in_flight.take_if(|f| f.id == id) else {
            return events;
        };
        let subs = match flight.batch.read_response(response) {
            Ok(subs) => subs,
            Err(error) => {
                if let ReplyError::Status {
                    status: 400,
                    message,
                } = &error
                {
                    if message.contains("requires the use of blinded ids") {
                        self.community.forget_capabilities();
                    }
                }
                events.push(self.fail(now, Some(error)));
                return events;
            }
        };
        self.failures = 0;
        self.next_poll = now.saturating_add(self.config.interval);
        self.key_changed = false;
        for (part, sub) in flight.parts.iter().zip(&subs) {
            self.read_part(part, sub, &mut events);
        }
        events
    }

    fn read_part(&mut self, part: &Part, sub: &SubReply, events: &mut Vec<Event>) {
        match part {
            Part::Capabilities => match GetCapabilities::default().read_sub_reply(sub) {
                Ok(caps) => {
                    let before = self.community.auth();
                    self.community.set_capabilities(caps.clone());
                    if self.community.auth() != before {
                        // Another key is another user to the server, with its own boxes: start
                        // them afresh, and do not take positions from this poll's boxes (read
                        // with the old key).
                        self.inbox_since = None;
                        self.outbox_since = None;
                        self.key_changed = true;
                    }
                    events.push(Event::Capabilities(caps));
                }
                Err(error) => events.push(Event::PartFailed { room: None, error }),
            },
            Part::PollInfo(room) => {
                let call = PollRoomInfo {
                    room: room.clone(),
                    info_updates: 0,
                };
                match call.read_sub_reply(sub) {
                    Ok(info) => {
                        if let (Some(details), Some(state)) =
                            (info.details, self.rooms.get_mut(room))
                        {
                            state.info_updates = details.info_updates;
                            events.push(Event::RoomInfo(details));
                        }
                    }
                    Err(error) => events.push(Event::PartFailed {
                        room: Some(room.clone()),
                        error,
                    }),
                }
            }
            Part::Messages(call) => match call.read_sub_reply(sub) {
                Ok(updates) => self.read_messages(call, updates, events),
                Err(error) => events.push(Event::PartFailed {
                    room: Some(call.room.clone()),
                    error,
                }),
            },
            Part::Box(call) => match call.read_sub_reply(sub) {
                Ok(messages) => self.read_direct_messages(call.dm_box, messages, events),
                Err(error) => events.push(Event::PartFailed { room: None, error }),
            },
        }
    }

    fn read_messages(
        &mut self,
        call: &GetMessages,
        mut updates: Vec<MessageUpdate>,
        events: &mut Vec<Event>,
    ) {
        let room = &call.room;
        let Some(state) = self.rooms.get(room) else {
            return;
        };
        let mut seqno = state.seqno.unwrap_or(0);
        let full_page = updates.len() >= usize::from(call.limit.unwrap_or(100));
        let since = matches!(call.range, MessageRange::Since(_));
        if !since {
            // `recent` is newest first: report oldest first.
            updates.sort_by_key(MessageUpdate::id);
        }
        for update in updates {
            seqno = seqno.max(update.seqno());
            match update {
                MessageUpdate::Reactions { id, reactions, .. } => events.push(Event::Reactions {
                    room: room.clone(),
                    id,
                    reactions,
                }),
                MessageUpdate::Message(message) if message.is_deleted() => {
                    events.push(Event::Deleted {
                        room: room.clone(),
                        id: message.id,
                    })
                }
                MessageUpdate::Message(message) => match self.community.open(&message) {
                    Ok(opened) => {
                        let received = ReceivedMessage {
                            id: message.id,
                            seqno: message.seqno,
                            sender: opened.sender,
                            from_me: opened.from_me,
                            posted_ms: message.posted_ms(),
                            edited_ms: message.edited.map(crate::reply::seconds_to_ms),
                            whisper: message.whisper,
                            content: opened.content,
                            reactions: message.reactions,
                        };
                        events.push(if since && message.edited.is_some() {
                            Event::Edited {
                                room: room.clone(),
                                message: received,
                            }
                        } else {
                            Event::Message {
                                room: room.clone(),
                                message: received,
                            }
                        });
                    }
                    Err(error) => events.push(Event::RejectedMessage {
                        room: room.clone(),
                        id: message.id,
                        error,
                    }),
                },
            }
        }
        if let Some(state) = self.rooms.get_mut(room) {
            state.seqno = Some(seqno);
        }
        if full_page && since {
            // More is waiting: poll again at once.
            self.next_poll = Duration::ZERO;
        }
    }

    fn read_direct_messages(
        &mut self,
        dm_box: DmBox,
        messages: Vec<DirectMessage>,
        events: &mut Vec<Event>,
    ) {
        let since = match dm_box {
            DmBox::Inbox => &mut self.inbox_since,
            DmBox::Outbox => &mut self.outbox_since,
        };
        if !self.key_changed {
            for message in &messages {
                *since = Some(since.unwrap_or(0).max(message.id));
            }
        }
        for message in messages {
            match self.community.open_direct_message(&message) {
                Ok(opened) => events.push(Event::DirectMessage(ReceivedDirectMessage {
                    id: message.id,
                    posted_ms: message.posted_ms(),
                    sender: message.sender,
                    recipient: message.recipient,
                    sender_session_id: opened.sender_session_id,
                    outgoing: dm_box == DmBox::Outbox,
                    content: opened.content,
                })),
                Err(error) => events.push(Event::RejectedDirectMessage {
                    id: message.id,
                    error,
                }),
            }
        }
    }
}
