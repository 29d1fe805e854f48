//! The poller, driven by hand-written server answers: what it asks for, the events it reads,
//! its backoff and its determinism.
#![allow(clippy::unwrap_used)]

use core::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::{json, Value};
use session_community::request::{Call, PostMessage};
use session_community::{
    AuthKind, Community, Event, PollRequest, Poller, PollerConfig, ReplyError, RoomToken, Scheme,
    Server, ServerKey,
};
use session_envelope::proto::{Content, DataMessage};
use session_identity::{Identity, Prefix, Seed};
use session_onion::ServerResponse;

const T0: Duration = Duration::from_secs(1_700_000_000);

fn server() -> Server {
    Server::new(
        Scheme::Http,
        "sogs.local",
        None,
        ServerKey::from_bytes([0x5a; 32]),
    )
    .unwrap()
}

fn account(byte: u8) -> Community {
    Community::new(
        server(),
        Identity::from_seed(Seed::from_legacy_bytes([byte; 16])),
    )
}

fn lobby() -> RoomToken {
    RoomToken::new("lobby").unwrap()
}

fn text(body: &str) -> Content {
    Content {
        data_message: Some(DataMessage {
            body: Some(body.into()),
            ..DataMessage::default()
        }),
        ..Content::default()
    }
}

/// The stored form of a post, as the server returns it.
fn stored(author: &Community, post: &PostMessage, id: u64, seqno: u64) -> Value {
    let body: Value = serde_json::from_slice(post.request().body_bytes()).unwrap();
    json!({"id": id, "session_id": author.own_id().to_hex(), "posted": 1_700_000_000.5,
           "seqno": seqno, "data": body["data"], "signature": body["signature"],
           "reactions": {}})
}

fn ok_json(value: &Value) -> Value {
    json!({"code": 200, "headers": {"content-type": "application/json"}, "body": value})
}

fn batch_reply(subs: Vec<Value>) -> ServerResponse {
    ServerResponse {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: Some(Value::Array(subs).to_string().into_bytes()),
    }
}

fn paths(request: &PollRequest) -> Vec<String> {
    let body: Value = serde_json::from_slice(request.request.body_bytes()).unwrap();
    body.as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap().to_owned())
        .collect()
}

fn caps(list: &[&str]) -> Value {
    ok_json(&json!({ "capabilities": list }))
}

fn room_info(info_updates: u64) -> Value {
    ok_json(
        &json!({"token": "lobby", "active_users": 2, "read": true, "write": true,
                     "upload": true, "details": {"token": "lobby", "name": "Lobby",
                     "info_updates": info_updates, "message_sequence": 3, "created": 1.0,
                     "active_users": 2, "read": true, "write": true, "upload": true}}),
    )
}

#[test]
fn first_poll_then_since_with_events() {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let bob = account(2);
    let mut poller = Poller::new(account(1), PollerConfig::default());
    poller.join(lobby());

    let first = poller.poll(T0).unwrap();
    assert_eq!(first.request.endpoint(), "/batch");
    assert_eq!(
        paths(&first),
        [
            "/capabilities",
            "/room/lobby/pollInfo/0",
            "/room/lobby/messages/recent?limit=100&reactors=5",
            "/inbox?limit=100",
            "/outbox?limit=100",
        ]
    );
    // One poll at a time.
    assert!(poller.poll(T0 + Duration::from_secs(20)).is_none());

    let hello = bob.post(&lobby(), &text("hello"), &mut rng);
    let mine = poller.community().post(&lobby(), &text("mine"), &mut rng);
    let mut forged = stored(&bob, &hello, 3, 3);
    forged["data"] = Value::String(STANDARD.encode(b"tampered"));
    // `recent` is newest first.
    let recent = json!([
        forged,
        stored(poller.community(), &mine, 2, 2),
        stored(&bob, &hello, 1, 1)
    ]);
    let events = poller.handle(
        first.id,
        &batch_reply(vec![
            caps(&["sogs", "reactions", "blind", "blind25"]),
            room_info(7),
            ok_json(&recent),
            ok_json(&json!([])),
            ok_json(&json!([])),
        ]),
        T0,
    );
    assert_eq!(poller.community().auth(), AuthKind::Blind25);
    assert!(matches!(&events[0], Event::Capabilities(c) if c.has("blind25")));
    assert!(matches!(&events[1], Event::RoomInfo(info) if info.info_updates == 7));
    let Event::Message { message, .. } = &events[2] else {
        panic!("{:?}", events[2])
    };
    assert_eq!((message.id, message.from_me), (1, false));
    assert_eq!(message.sender, bob.own_id());
    assert_eq!(message.content, text("hello"));
    assert!(matches!(&events[3], Event::Message { message, .. } if message.from_me));
    assert!(matches!(&events[4], Event::RejectedMessage { id: 3, .. }));
    assert_eq!(events.len(), 5);
    assert_eq!(poller.seqno(&lobby()), Some(3));

    // The next poll waits for the interval, then asks for changes since seqno 3.
    assert!(poller.poll(T0 + Duration::from_secs(9)).is_none());
    let second = poller.poll(T0 + Duration::from_secs(10)).unwrap();
    assert_eq!(
        paths(&second)[1..3],
        [
            "/room/lobby/pollInfo/7".to_owned(),
            "/room/lobby/messages/since/3?t=r&limit=100&reactors=5".to_owned(),
        ]
    );

    // Alice signs with her 25 key now; Bob DMs her 25 ID.
    let alice_id = poller.community().own_id();
    assert_eq!(alice_id.prefix(), Prefix::Blinded25);
    let dm = bob
        .direct_message(&alice_id, &text("psst"), &mut rng)
        .unwrap();
    let dm_body: Value = serde_json::from_slice(dm.request().body_bytes()).unwrap();
    let mut edited = stored(&bob, &bob.post(&lobby(), &text("hello!"), &mut rng), 1, 4);
    edited["edited"] = json!(1_700_000_001.0);
    let updates = json!([
        edited,
        {"id": 2, "session_id": alice_id.to_hex(), "posted": 1.0, "seqno": 5, "data": null, "deleted": true},
        {"id": 1, "seqno": 6, "reactions": {"👍": {"index": 0, "count": 1, "you": true}}},
    ]);
    let inbox = json!([{"id": 9, "posted_at": 1_700_000_002.0, "expires_at": 1_800_000_000.0,
                        "sender": bob.blinded_id(session_identity::blinding::BlindingKind::Blind25).to_hex(),
                        "recipient": alice_id.to_hex(), "message": dm_body["message"]}]);
    let events = poller.handle(
        second.id,
        &batch_reply(vec![
            caps(&["sogs", "blind", "blind25"]),
            ok_json(&json!({"token": "lobby", "active_users": 2, "read": true, "write": true, "upload": true})),
            ok_json(&updates),
            ok_json(&inbox),
            json!({"code": 304, "headers": {}, "body": ""}),
        ]),
        T0 + Duration::from_secs(10),
    );
    assert!(
        matches!(&events[1], Event::Edited { message, .. } if message.content == text("hello!"))
    );
    assert!(matches!(&events[2], Event::Deleted { id: 2, .. }));
    assert!(matches!(&events[3], Event::Reactions { id: 1, reactions, .. } if reactions[0].you));
    let Event::DirectMessage(dm) = &events[4] else {
        panic!("{:?}", events[4])
    };
    assert_eq!(dm.sender_session_id, bob.identity().session_id());
    assert_eq!(dm.content, text("psst"));
    assert!(!dm.outgoing);
    assert_eq!(events.len(), 5);
    assert_eq!(poller.seqno(&lobby()), Some(6));
    assert_eq!(poller.direct_message_positions(), (Some(9), None));
    let third = poller.poll(T0 + Duration::from_secs(20)).unwrap();
    assert_eq!(
        paths(&third)[3..],
        ["/inbox/since/9?limit=100", "/outbox?limit=100"]
    );
}

#[test]
fn backoff_doubles_and_resets() {
    let mut poller = Poller::new(account(1), PollerConfig::default());
    poller.join(lobby());
    let mut now = T0;
    let mut waits = Vec::new();
    for _ in 0..6 {
        let request = poller.poll(now).unwrap();
        let events = poller.handle_failure(request.id, now);
        let [Event::PollFailed {
            retry_at,
            error: None,
        }] = events[..]
        else {
            panic!("{events:?}")
        };
        waits.push((retry_at - now).as_secs());
        assert!(poller.poll(retry_at - Duration::from_millis(1)).is_none());
        now = retry_at;
    }
    assert_eq!(waits, [20, 40, 80, 160, 300, 300]);
    assert_eq!(poller.failures(), 6);

    // A poll nobody answers times out at its deadline.
    let lost = poller.poll(now).unwrap();
    assert_eq!(poller.next_poll_at(), now + Duration::from_secs(30));
    assert!(poller.poll(now + Duration::from_secs(29)).is_none());
    assert!(poller.poll(now + Duration::from_secs(30)).is_none());
    let events = poller.handle_timeout(now + Duration::from_secs(30));
    assert!(matches!(
        events[..],
        [Event::PollFailed { error: None, .. }]
    ));
    // Its late answer is ignored.
    assert!(poller.handle(lost.id, &batch_reply(vec![]), now).is_empty());

    // An error status is a failure; a good answer resets the backoff.
    now = poller.next_poll_at();
    let request = poller.poll(now).unwrap();
    let refused = ServerResponse {
        status: 400,
        headers: Vec::new(),
        body: Some(b"Invalid authentication: this server requires the use of blinded ids".to_vec()),
    };
    poller.community_mut().set_auth(AuthKind::Unblinded);
    let events = poller.handle(request.id, &refused, now);
    assert!(matches!(
        &events[0],
        Event::PollFailed {
            error: Some(ReplyError::Status { status: 400, .. }),
            ..
        }
    ));
    // The refusal of an unblinded key switches back to a blinded one.
    assert_eq!(poller.community().auth(), AuthKind::Blind15);
    now = poller.next_poll_at();
    let request = poller.poll(now).unwrap();
    let events = poller.handle(
        request.id,
        &batch_reply(vec![
            caps(&["sogs", "blind"]),
            json!({"code": 404, "headers": {"content-type": "text/plain"}, "body": "Tm90IEZvdW5k"}),
            json!({"code": 404, "headers": {"content-type": "text/plain"}, "body": "Tm90IEZvdW5k"}),
            ok_json(&json!([])),
            ok_json(&json!([])),
        ]),
        now,
    );
    assert_eq!(poller.failures(), 0);
    assert_eq!(poller.next_poll_at(), now + Duration::from_secs(10));
    // The room's parts failed on their own.
    let failed: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::PartFailed {
                room: Some(r),
                error,
            } => Some((r.clone(), error.status())),
            _ => None,
        })
        .collect();
    assert_eq!(failed, [(lobby(), Some(404)), (lobby(), Some(404))]);
}

#[test]
fn a_full_page_polls_again_at_once() {
    let config = PollerConfig {
        message_limit: 2,
        ..PollerConfig::default()
    };
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let bob = account(2);
    let mut poller = Poller::new(account(1), config);
    poller.join_since(lobby(), 10);
    let request = poller.poll(T0).unwrap();
    assert!(paths(&request)[2].contains("/since/10?t=r&limit=2"));
    let page = json!([
        stored(&bob, &bob.post(&lobby(), &text("a"), &mut rng), 11, 11),
        stored(&bob, &bob.post(&lobby(), &text("b"), &mut rng), 12, 12),
    ]);
    poller.handle(
        request.id,
        &batch_reply(vec![
            caps(&["sogs"]),
            room_info(1),
            ok_json(&page),
            ok_json(&json!([])),
            ok_json(&json!([])),
        ]),
        T0,
    );
    // No `blind`: the next polls are unblinded and skip the inbox.
    assert_eq!(poller.community().auth(), AuthKind::Unblinded);
    let next = poller.poll(T0).unwrap();
    assert!(paths(&next)[2].contains("/since/12?"));
    assert_eq!(paths(&next).len(), 3);
}

#[test]
fn same_inputs_same_requests_and_events() {
    let run = || {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let bob = account(2);
        let mut poller = Poller::new(account(1), PollerConfig::default());
        poller.join(lobby());
        let mut log = Vec::new();
        let mut now = T0;
        for round in 0..4u64 {
            let Some(request) = poller.poll(now) else {
                now += Duration::from_secs(1);
                continue;
            };
            let signed = poller
                .community()
                .sign(&request.request, now, &mut rng)
                .unwrap();
            log.push(format!("{:?}", signed.encode()));
            let post = bob.post(&lobby(), &text(&format!("m{round}")), &mut rng);
            let events = if round == 2 {
                poller.handle_failure(request.id, now)
            } else {
                poller.handle(
                    request.id,
                    &batch_reply(vec![
                        caps(&["sogs", "blind"]),
                        room_info(round),
                        ok_json(&json!([stored(&bob, &post, round + 1, round + 1)])),
                        ok_json(&json!([])),
                        ok_json(&json!([])),
                    ]),
                    now,
                )
            };
            log.push(format!("{events:?}"));
            now = poller.next_poll_at();
        }
        log
    };
    assert_eq!(run(), run());
}

#[test]
fn a_new_key_starts_its_boxes_afresh() {
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let bob = account(2);
    let mut poller = Poller::new(account(1), PollerConfig::default());
    let mine15 = poller.community().own_id();
    let dm = bob
        .direct_message(&mine15, &text("to 15"), &mut rng)
        .unwrap();
    let body: Value = serde_json::from_slice(dm.request().body_bytes()).unwrap();
    let inbox = json!([{"id": 40, "posted_at": 1.0, "expires_at": 2.0,
        "sender": bob.blinded_id(session_identity::blinding::BlindingKind::Blind15).to_hex(),
        "recipient": mine15.to_hex(), "message": body["message"]}]);
    let request = poller.poll(T0).unwrap();
    let events = poller.handle(
        request.id,
        &batch_reply(vec![
            caps(&["sogs", "blind", "blind25"]),
            ok_json(&inbox),
            ok_json(&json!([])),
        ]),
        T0,
    );
    // The message to the old (15) key is still read…
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::DirectMessage(dm) if dm.content == text("to 15"))));
    // …but the 25 key's inbox is polled from its start.
    assert_eq!(poller.community().auth(), AuthKind::Blind25);
    assert_eq!(poller.direct_message_positions(), (None, None));
    let next = poller.poll(T0 + Duration::from_secs(10)).unwrap();
    assert_eq!(paths(&next)[1..], ["/inbox?limit=100", "/outbox?limit=100"]);
}
