//! Every reply parser, fed arbitrary bytes, arbitrary JSON and valid replies with one field
//! replaced: a typed result, never a panic.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use serde_json::{json, Value};
use session_community::request::{
    AddReaction, Batch, Body, Call, ClearInbox, ClearReactions, DeleteMessage, DmBox, DownloadFile,
    EditMessage, GetCapabilities, GetDirectMessages, GetMessage, GetMessages, GetReactors, GetRoom,
    GetRooms, MessageRange, PinMessage, PollRoomInfo, PostMessage, RemoveReaction,
    SendDirectMessage, UnpinMessage, UploadFile,
};
use session_community::{auth, AcceptedKeys, AuthHeaders, JoinUrl, ReactionText, RoomToken};
use session_identity::{SessionId, Signature};

fn room() -> RoomToken {
    RoomToken::new("lobby").unwrap()
}

fn reaction() -> ReactionText {
    ReactionText::new("👍").unwrap()
}

/// Reads `body` with every call's parser, at `status`, as raw bytes and (when it is JSON) as
/// parsed JSON, and once as each call's sub-reply inside a batch.
fn read_with_every_parser(status: u16, raw: &[u8]) {
    let json: Option<Value> = serde_json::from_slice(raw).ok();
    macro_rules! each {
        ($($call:expr),* $(,)?) => {$({
            let call = $call;
            let _ = call.read(status, Body::Raw(raw));
            if let Some(value) = &json {
                let _ = call.read(status, Body::Json(value));
            }
        })*};
    }
    let id = SessionId::parse(&format!("15{}", "ab".repeat(32))).unwrap();
    each!(
        GetCapabilities::default(),
        GetRooms,
        GetRoom { room: room() },
        PollRoomInfo {
            room: room(),
            info_updates: 1
        },
        GetMessages {
            room: room(),
            range: MessageRange::Since(1),
            limit: None,
            reactors: None
        },
        GetMessages {
            room: room(),
            range: MessageRange::Recent,
            limit: None,
            reactors: None
        },
        GetMessage {
            room: room(),
            id: 1
        },
        PostMessage {
            room: room(),
            data: vec![1],
            signature: Signature::from_bytes([0; 64]),
            whisper_to: None,
            whisper_mods: false,
            files: vec![],
        },
        EditMessage {
            room: room(),
            id: 1,
            data: vec![],
            signature: Signature::from_bytes([0; 64]),
            files: vec![]
        },
        DeleteMessage {
            room: room(),
            id: 1
        },
        AddReaction {
            room: room(),
            id: 1,
            reaction: reaction()
        },
        RemoveReaction {
            room: room(),
            id: 1,
            reaction: reaction()
        },
        ClearReactions {
            room: room(),
            id: 1,
            reaction: None
        },
        GetReactors {
            room: room(),
            id: 1,
            reaction: reaction(),
            limit: None
        },
        PinMessage {
            room: room(),
            id: 1
        },
        UnpinMessage {
            room: room(),
            id: 1
        },
        UploadFile::new(room(), vec![1], None).unwrap(),
        DownloadFile {
            room: room(),
            id: 1
        },
        SendDirectMessage::new(id, vec![1]).unwrap(),
        GetDirectMessages {
            dm_box: DmBox::Inbox,
            since: Some(1),
            limit: None
        },
        ClearInbox,
    );
    let batch = Batch::independent(vec![GetRooms.request(), ClearInbox.request()]).unwrap();
    if let Ok(subs) = batch.read(status, Body::Raw(raw)) {
        for sub in &subs {
            let _ = GetRooms.read_sub_reply(sub);
            let _ = ClearInbox.read_sub_reply(sub);
            let _ = DownloadFile {
                room: room(),
                id: 1,
            }
            .read_sub_reply(sub);
        }
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        (-1e20f64..1e20).prop_map(|f| json!(f)),
        prop_oneof![
            Just("lobby".to_owned()),
            Just(format!("15{}", "ab".repeat(32))),
            Just(format!("25{}", "cd".repeat(32))),
            Just("aGk=".to_owned()),
            Just("👍".to_owned()),
            ".{0,20}",
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 8, |inner| {
        let keys = prop_oneof![
            Just("id"),
            Just("seqno"),
            Just("session_id"),
            Just("posted"),
            Just("data"),
            Just("signature"),
            Just("reactions"),
            Just("deleted"),
            Just("token"),
            Just("name"),
            Just("capabilities"),
            Just("code"),
            Just("headers"),
            Just("body"),
            Just("details"),
            Just("count"),
            Just("index"),
            Just("reactors"),
            Just("message"),
            Just("sender"),
            Just("recipient"),
            Just("posted_at"),
            Just("expires_at"),
            Just("read"),
            Just("added"),
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(keys.prop_map(str::to_owned), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Valid replies to start mutations from.
fn valid_replies() -> Vec<Value> {
    let sid = format!("15{}", "ab".repeat(32));
    let sig = "A".repeat(86) + "==";
    let message = json!({"id": 1, "session_id": sid, "posted": 1.5, "seqno": 3,
        "data": "aGk=", "signature": sig, "reactions": {"👍": {"index": 0, "count": 1, "reactors": [sid]}}});
    let room = json!({"token": "lobby", "name": "Lobby", "info_updates": 1, "message_sequence": 1,
        "created": 1.0, "active_users": 1, "read": true, "write": true, "upload": true,
        "moderators": [sid], "pinned_messages": [{"id": 1, "pinned_at": 1.0, "pinned_by": sid}]});
    vec![
        json!([message.clone(), {"id": 1, "seqno": 4, "reactions": {}}]),
        message,
        json!([room.clone()]),
        json!({"token": "lobby", "active_users": 1, "read": true, "write": false, "upload": false, "details": room}),
        json!({"capabilities": ["sogs"], "missing": ["x"]}),
        json!([{"id": 1, "posted_at": 1.0, "expires_at": 2.0, "sender": sid, "recipient": sid, "message": "aGk="}]),
        json!([{"code": 200, "headers": {"content-type": "application/json"}, "body": {"added": true, "seqno": 1}},
               {"code": 403, "headers": {"content-type": "text/plain"}, "body": "eA=="}]),
        json!([[sid, 1.0]]),
        json!({"added": true, "removed": 1, "seqno": 2, "id": 3, "deleted": 4, "info_updates": 5}),
    ]
}

/// `value` with the node at position `pick` (in a depth-first walk) replaced by `with`.
fn replace_node(value: &mut Value, pick: &mut usize, with: &Value) -> bool {
    if *pick == 0 {
        *value = with.clone();
        return true;
    }
    *pick -= 1;
    match value {
        Value::Array(items) => items.iter_mut().any(|v| replace_node(v, pick, with)),
        Value::Object(map) => map.values_mut().any(|v| replace_node(v, pick, with)),
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_bytes(status in prop_oneof![Just(200u16), Just(201), Just(304), Just(412), any::<u16>()],
                       raw in prop::collection::vec(any::<u8>(), 0..300)) {
        read_with_every_parser(status, &raw);
    }

    #[test]
    fn arbitrary_json(status in prop_oneof![Just(200u16), Just(201)], value in json_value()) {
        read_with_every_parser(status, value.to_string().as_bytes());
    }

    #[test]
    fn valid_replies_with_one_field_replaced(which in 0usize..9, pick in 0usize..40, with in json_value()) {
        let mut value = valid_replies()[which].clone();
        let mut at = pick;
        replace_node(&mut value, &mut at, &with);
        for status in [200, 201] {
            read_with_every_parser(status, value.to_string().as_bytes());
        }
    }

    #[test]
    fn auth_headers_and_paths(pk in ".{0,70}", nonce in ".{0,40}", ts in ".{0,24}", sig in ".{0,90}",
                              endpoint in ".{0,60}") {
        let accepted = AcceptedKeys { unblinded: true, blind25: true };
        if let Ok(Some(headers)) = AuthHeaders::parse(Some(&pk), Some(&nonce), Some(&ts), Some(&sig), accepted) {
            let _ = headers.verify(&session_community::ServerKey::from_bytes([1; 32]), "GET", &endpoint, b"");
            let _ = headers.user_id();
            let _ = headers.is_fresh(u64::MAX);
        }
        let _ = auth::signed_path(&endpoint);
        let _ = endpoint.parse::<JoinUrl>();
        let _ = RoomToken::new(&endpoint);
        let _ = ReactionText::new(&endpoint);
    }
}

#[test]
fn the_valid_replies_parse() {
    let replies = valid_replies();
    let messages = GetMessages {
        room: room(),
        range: MessageRange::Since(0),
        limit: None,
        reactors: None,
    };
    assert_eq!(
        messages.read(200, Body::Json(&replies[0])).unwrap().len(),
        2
    );
    assert!(GetMessage {
        room: room(),
        id: 1
    }
    .read(200, Body::Json(&replies[1]))
    .is_ok());
    assert_eq!(
        GetRooms.read(200, Body::Json(&replies[2])).unwrap().len(),
        1
    );
    assert!(PollRoomInfo {
        room: room(),
        info_updates: 0
    }
    .read(200, Body::Json(&replies[3]))
    .unwrap()
    .details
    .is_some());
    assert_eq!(
        GetCapabilities::default()
            .read(412, Body::Json(&replies[4]))
            .unwrap()
            .missing,
        ["x"]
    );
    let inbox = GetDirectMessages {
        dm_box: DmBox::Inbox,
        since: None,
        limit: None,
    };
    assert_eq!(
        inbox.read(200, Body::Json(&replies[5])).unwrap()[0].message,
        b"hi"
    );
    let reactors = GetReactors {
        room: room(),
        id: 1,
        reaction: reaction(),
        limit: None,
    };
    assert_eq!(
        reactors.read(200, Body::Json(&replies[7])).unwrap().len(),
        1
    );
    assert!(ClearInbox.read(200, Body::Json(&replies[8])).is_ok());
    assert!(PinMessage {
        room: room(),
        id: 1
    }
    .read(200, Body::Json(&replies[8]))
    .is_ok());
}

#[test]
fn oversized_bodies_are_refused_before_parsing() {
    let huge = vec![b' '; session_community::reply::MAX_REPLY_LEN + 1];
    assert!(matches!(
        GetRooms.read(200, Body::Raw(&huge)),
        Err(session_community::ReplyError::TooLarge { .. })
    ));
    assert!(DownloadFile {
        room: room(),
        id: 1
    }
    .read(200, Body::Raw(&huge))
    .is_err());
}
