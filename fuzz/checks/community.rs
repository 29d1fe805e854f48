//! The community (SOGS) checks: every reply parser of `session-community`, the server-side
//! header decoding, and the poller reading a whole batch answer.
//!
//! The first byte of an input picks the status the body is read with (and, for some targets,
//! a mode); the rest is the body. Parsing twice gives the same result, and what verifies or
//! decrypts when built from valid parts must verify or decrypt.

use std::sync::OnceLock;
use std::time::Duration;

use serde_json::{json, Value};
use session_community::auth::{self, signed_path, AcceptedKeys, AuthHeaders, AuthKind};
use session_community::request::{
    AddReaction, Batch, Body, Call, ClearInbox, ClearReactions, DeleteMessage, DmBox, DownloadFile,
    EditMessage, GetCapabilities, GetDirectMessages, GetMessage, GetMessages, GetReactors, GetRoom,
    GetRooms, MessageRange, PinMessage, PollRoomInfo, PostMessage, RemoveReaction,
    SendDirectMessage, UnpinMessage, UploadFile,
};
use session_community::{
    Community, Event, Poller, PollerConfig, ReactionText, RoomToken, Scheme, Server, ServerKey,
};
use session_envelope::proto::{Content, DataMessage};
use session_identity::{Identity, Seed, SessionId, Signature};
use session_onion::ServerResponse;

use super::Counter;

const STATUSES: [u16; 8] = [200, 201, 304, 412, 400, 401, 404, 500];

/// The status picked by byte 0, and the body after it.
fn split(data: &[u8]) -> Option<(u8, u16, &[u8])> {
    let (&first, body) = data.split_first()?;
    Some((first, STATUSES[usize::from(first & 7)], body))
}

fn server() -> Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER
        .get_or_init(|| {
            Server::new(
                Scheme::Http,
                "sogs.fuzz",
                None,
                ServerKey::from_bytes([0x42; 32]),
            )
            .expect("a valid host")
        })
        .clone()
}

/// The fuzzed account and a correspondent on [`server`] (derived once).
fn accounts() -> &'static (Community, Community) {
    static ACCOUNTS: OnceLock<(Community, Community)> = OnceLock::new();
    ACCOUNTS.get_or_init(|| {
        let mine = Community::new(
            server(),
            Identity::from_seed(Seed::from_legacy_bytes([7; 16])),
        );
        let mut theirs = Community::new(
            server(),
            Identity::from_seed(Seed::from_legacy_bytes([9; 16])),
        );
        theirs.set_auth(AuthKind::Blind25);
        (mine, theirs)
    })
}

fn room() -> RoomToken {
    RoomToken::new("lobby").expect("a valid token")
}

fn reaction() -> ReactionText {
    ReactionText::new("👍").expect("a valid reaction")
}

/// Reads `body` with `call` as raw bytes and, when it is JSON, as parsed JSON: both readings
/// agree, and reading twice gives the same.
fn read_both<C: Call>(call: &C, status: u16, body: &[u8]) -> Option<C::Reply>
where
    C::Reply: PartialEq + core::fmt::Debug,
{
    let raw = call.read(status, Body::Raw(body));
    assert_eq!(raw, call.read(status, Body::Raw(body)));
    if let Ok(value) = serde_json::from_slice::<Value>(body) {
        let parsed = call.read(status, Body::Json(&value));
        if let (Ok(a), Ok(b)) = (&raw, &parsed) {
            assert_eq!(a, b);
        }
    }
    raw.ok()
}

fn content(text: &str) -> Content {
    Content {
        data_message: Some(DataMessage {
            body: Some(text.to_owned()),
            ..DataMessage::default()
        }),
        ..Content::default()
    }
}

/// Message replies (`since`, `recent`, single, post). Byte 0 bit 7 set: the body is text that
/// the correspondent posts; the stored form must parse and open to that text.
pub fn community_messages_parse(data: &[u8]) {
    let Some((first, status, body)) = split(data) else {
        return;
    };
    let (mine, theirs) = accounts();
    if first & 0x80 != 0 {
        let text = String::from_utf8_lossy(body);
        let post = theirs.post(&room(), &content(&text), &mut Counter(u64::from(first)));
        let mut stored: Value =
            serde_json::from_slice(post.request().body_bytes()).expect("own JSON");
        stored["id"] = json!(1);
        stored["seqno"] = json!(2);
        stored["posted"] = json!(1.5);
        stored["session_id"] = json!(theirs.own_id().to_hex());
        let message = post
            .read(201, Body::Json(&stored))
            .expect("a stored post parses");
        let opened = mine.open(&message).expect("a genuine post opens");
        assert_eq!(opened.content, content(&text));
        assert!(!opened.from_me);
        return;
    }
    for range in [
        MessageRange::Since(1),
        MessageRange::Recent,
        MessageRange::Before(9),
    ] {
        let call = GetMessages {
            room: room(),
            range,
            limit: None,
            reactors: None,
        };
        for update in read_both(&call, status, body).unwrap_or_default() {
            if let session_community::reply::MessageUpdate::Message(m) = update {
                let _ = mine.open(&m);
            }
        }
    }
    if let Some(m) = read_both(
        &GetMessage {
            room: room(),
            id: 1,
        },
        status,
        body,
    ) {
        let _ = mine.open(&m);
    }
    let post = PostMessage {
        room: room(),
        data: vec![1],
        signature: Signature::from_bytes([0; 64]),
        whisper_to: None,
        whisper_mods: false,
        files: Vec::new(),
    };
    let _ = read_both(&post, status, body);
}

/// Room, room-list, poll-info and capability replies.
pub fn community_rooms_parse(data: &[u8]) {
    let Some((_, status, body)) = split(data) else {
        return;
    };
    let _ = read_both(&GetRooms, status, body);
    let _ = read_both(&GetRoom { room: room() }, status, body);
    let _ = read_both(
        &PollRoomInfo {
            room: room(),
            info_updates: 3,
        },
        status,
        body,
    );
    if let Some(caps) = read_both(&GetCapabilities::default(), status, body) {
        let _ = AuthKind::for_capabilities(&caps);
    }
}

/// Inbox, outbox and sent-DM replies. Byte 0 bit 7 set: the body is text the correspondent
/// sends to the fuzzed account's blinded ID; the inbox entry must open to it.
pub fn community_dm_parse(data: &[u8]) {
    let Some((first, status, body)) = split(data) else {
        return;
    };
    let (mine, theirs) = accounts();
    if first & 0x80 != 0 {
        let text = String::from_utf8_lossy(body);
        let recipient = mine.blinded_id(session_identity::blinding::BlindingKind::Blind25);
        let dm = theirs
            .direct_message(&recipient, &content(&text), &mut Counter(u64::from(first)))
            .expect("a valid recipient");
        let sent: Value = serde_json::from_slice(dm.request().body_bytes()).expect("own JSON");
        let inbox = json!([{"id": 1, "posted_at": 1.0, "expires_at": 2.0,
            "sender": theirs.own_id().to_hex(), "recipient": recipient.to_hex(),
            "message": sent["message"]}]);
        let call = GetDirectMessages {
            dm_box: DmBox::Inbox,
            since: None,
            limit: None,
        };
        let list = call.read(200, Body::Json(&inbox)).expect("an inbox parses");
        let opened = mine
            .open_direct_message(&list[0])
            .expect("a genuine DM opens");
        assert_eq!(opened.content, content(&text));
        assert_eq!(opened.sender_session_id, theirs.identity().session_id());
        return;
    }
    for dm_box in [DmBox::Inbox, DmBox::Outbox] {
        let call = GetDirectMessages {
            dm_box,
            since: Some(1),
            limit: None,
        };
        for message in read_both(&call, status, body).unwrap_or_default() {
            let _ = mine.open_direct_message(&message);
        }
    }
    let recipient = theirs.own_id();
    if let Ok(send) = SendDirectMessage::new(recipient, vec![0]) {
        let _ = read_both(&send, status, body);
    }
}

/// Reaction, reactor, pin, file, edit, delete and inbox-clearing replies.
pub fn community_reactions_parse(data: &[u8]) {
    let Some((_, status, body)) = split(data) else {
        return;
    };
    let _ = read_both(
        &AddReaction {
            room: room(),
            id: 1,
            reaction: reaction(),
        },
        status,
        body,
    );
    let _ = read_both(
        &RemoveReaction {
            room: room(),
            id: 1,
            reaction: reaction(),
        },
        status,
        body,
    );
    let _ = read_both(
        &ClearReactions {
            room: room(),
            id: 1,
            reaction: None,
        },
        status,
        body,
    );
    let _ = read_both(
        &GetReactors {
            room: room(),
            id: 1,
            reaction: reaction(),
            limit: Some(5),
        },
        status,
        body,
    );
    let _ = read_both(
        &PinMessage {
            room: room(),
            id: 1,
        },
        status,
        body,
    );
    let _ = read_both(
        &UnpinMessage {
            room: room(),
            id: 1,
        },
        status,
        body,
    );
    if let Ok(upload) = UploadFile::new(room(), vec![1, 2, 3], Some("f")) {
        let _ = read_both(&upload, status, body);
    }
    if let Some(bytes) = read_both(
        &DownloadFile {
            room: room(),
            id: 1,
        },
        status,
        body,
    ) {
        assert_eq!(bytes, body);
    }
    let edit = EditMessage {
        room: room(),
        id: 1,
        data: Vec::new(),
        signature: Signature::from_bytes([0; 64]),
        files: Vec::new(),
    };
    let _ = read_both(&edit, status, body);
    let _ = read_both(
        &DeleteMessage {
            room: room(),
            id: 1,
        },
        status,
        body,
    );
    let _ = read_both(&ClearInbox, status, body);
}

/// Batch and sequence replies, then every sub-reply through several parsers.
pub fn community_batch_parse(data: &[u8]) {
    let Some((first, status, body)) = split(data) else {
        return;
    };
    let calls = vec![
        GetRooms.request(),
        ClearInbox.request(),
        GetCapabilities::default().request(),
    ];
    let batch = if first & 0x80 != 0 {
        Batch::sequence(calls)
    } else {
        Batch::independent(calls)
    }
    .expect("three requests");
    for sub in read_both(&batch, status, body).unwrap_or_default() {
        let _ = GetRooms.read_sub_reply(&sub);
        let _ = ClearInbox.read_sub_reply(&sub);
        let _ = GetCapabilities::default().read_sub_reply(&sub);
        let _ = DownloadFile {
            room: room(),
            id: 1,
        }
        .read_sub_reply(&sub);
        let _ = GetMessages {
            room: room(),
            range: MessageRange::Since(0),
            limit: None,
            reactors: None,
        }
        .read_sub_reply(&sub);
    }
}

/// The server's reading of the `X-SOGS-*` headers: `pubkey 0 nonce 0 timestamp 0 signature 0
/// endpoint 0 body`. Byte 0 bit 7 set: the rest is a body the fuzzed account signs instead
/// (for byte 0's endpoint), which must verify.
pub fn community_auth_headers(data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let (mine, _) = accounts();
    let accepted = AcceptedKeys {
        unblinded: first & 1 != 0,
        blind25: first & 2 != 0,
    };
    if first & 0x80 != 0 {
        let endpoint =
            ["/rooms", "/room/lobby/message", "/r/%F0%9F%8D%8D?x=%20"][usize::from(first & 3) % 3];
        let kind = [AuthKind::Unblinded, AuthKind::Blind15, AuthKind::Blind25]
            [usize::from(first >> 2 & 3) % 3];
        let signer = auth::Signer::new(mine.identity(), mine.server().key(), kind);
        let path = signed_path(endpoint).expect("a valid endpoint");
        let signed = signer.sign_request("POST", &path, rest, 1_700_000_000, [first; 16]);
        let h = signed.to_headers();
        let all = AcceptedKeys {
            unblinded: true,
            blind25: true,
        };
        let parsed = AuthHeaders::parse(
            Some(&h[0].1),
            Some(&h[2].1),
            Some(&h[1].1),
            Some(&h[3].1),
            all,
        )
        .expect("own headers decode")
        .expect("present");
        parsed
            .verify(mine.server().key(), "POST", endpoint, rest)
            .expect("own signature verifies");
        return;
    }
    let mut parts = rest.splitn(6, |&b| b == 0);
    let mut text = || parts.next().map(String::from_utf8_lossy);
    let (pubkey, nonce, timestamp, signature, endpoint) = (text(), text(), text(), text(), text());
    let body = parts.next().unwrap_or_default();
    if let Some(endpoint) = &endpoint {
        let _ = signed_path(endpoint);
    }
    let parsed = AuthHeaders::parse(
        pubkey.as_deref(),
        nonce.as_deref(),
        timestamp.as_deref(),
        signature.as_deref(),
        accepted,
    );
    if let Ok(Some(headers)) = parsed {
        let _ = headers.user_id();
        let _ = headers.is_fresh(1_700_000_000);
        let endpoint = endpoint.as_deref().unwrap_or("/");
        let _ = headers.verify(mine.server().key(), "GET", endpoint, body);
    }
    if let Ok(text) = core::str::from_utf8(rest) {
        let _ = text.parse::<session_community::JoinUrl>();
        if let Ok(id) = SessionId::parse(text.trim()) {
            let _ = mine.is_from_me(&id);
            let _ = mine.match_contact(&id, [&mine.identity().session_id()]);
        }
    }
}

/// The poller reading a whole answer to its poll (status from byte 0), then polling again:
/// it never panics, and the next poll comes no later than the backoff allows.
pub fn community_poller(data: &[u8]) {
    let Some((_, status, body)) = split(data) else {
        return;
    };
    let (mine, _) = accounts();
    let mut poller = Poller::new(mine.clone(), PollerConfig::default());
    poller.join(room());
    let now = Duration::from_secs(1_700_000_000);
    let request = poller.poll(now).expect("the first poll is due");
    let response = ServerResponse {
        status,
        headers: Vec::new(),
        body: Some(body.to_vec()),
    };
    let events = poller.handle(request.id, &response, now);
    let failed = events.iter().any(|e| matches!(e, Event::PollFailed { .. }));
    assert!(poller.next_poll_at() <= now + Duration::from_secs(300));
    if !failed {
        assert_eq!(poller.failures(), 0);
    }
    let _ = poller.poll(poller.next_poll_at());
}
