//! Parsers on good and hostile input, request checks, pool and path bookkeeping, decisions.
#![allow(clippy::unwrap_used)]

mod common;

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine as _;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::json;
use session_identity::{Identity, Prefix, Seed, SessionId};
use session_onion::{OnionFailure, PathFailure, ResponseError, ServiceNodeResponse};
use session_swarm::*;

const NOW: Timestamp = Timestamp::from_millis(1_700_000_000_000);
const DAY: u64 = 86_400_000;

fn me() -> Identity {
    Identity::from_seed(Seed::from_legacy_bytes([3; 16]))
}

fn hash(i: u8) -> MessageHash {
    MessageHash::parse(&STANDARD_NO_PAD.encode([i; 32])).unwrap()
}

#[test]
fn service_node_list_skips_and_counts_bad_entries() {
    let good: Vec<_> = (1..=3).map(common::node).collect();
    let mut entries: Vec<_> = good.iter().map(common::state_entry).collect();
    let mut unroutable = common::state_entry(&common::node(4));
    unroutable["public_ip"] = json!("0.0.0.0");
    let mut empty_ip = common::state_entry(&common::node(5));
    empty_ip["public_ip"] = json!("");
    let mut bad_key = common::state_entry(&common::node(6));
    bad_key["pubkey_ed25519"] = json!("zz".repeat(32));
    let mut short_key = common::state_entry(&common::node(7));
    short_key["pubkey_x25519"] = json!("ab");
    let mut bad_port = common::state_entry(&common::node(8));
    bad_port["storage_port"] = json!(70000);
    let mut bad_ip = common::state_entry(&common::node(9));
    bad_ip["public_ip"] = json!("::1");
    let mut bad_swarm = common::state_entry(&common::node(10));
    bad_swarm["swarm_id"] = json!(-1);
    entries.extend([
        unroutable,
        empty_ip,
        bad_key,
        short_key,
        bad_port,
        bad_ip,
        bad_swarm,
        json!(5),
        json!(null),
    ]);
    let body = json!({"jsonrpc": "2.0", "result": {"service_node_states": entries}}).to_string();
    let list = parse_service_node_list(body.as_bytes()).unwrap();
    assert_eq!(list.nodes, good);
    assert_eq!((list.malformed, list.unroutable), (7, 2));

    assert_eq!(
        parse_service_node_list(b"{not json").unwrap_err(),
        NodeListError::NotJson
    );
    assert_eq!(
        parse_service_node_list(b"{}").unwrap_err(),
        NodeListError::MissingField("result")
    );
    assert_eq!(
        parse_service_node_list(br#"{"result":{"service_node_states":{}}}"#).unwrap_err(),
        NodeListError::MissingField("service_node_states")
    );
    assert_eq!(
        parse_service_node_list(b"").unwrap_err(),
        NodeListError::NotJson
    );
}

#[test]
fn swarm_reply_and_wrong_swarm_body() {
    let members: Vec<_> = (1..=4).map(common::node).collect();
    let mut entries: Vec<_> = members.iter().map(common::swarm_entry).collect();
    // The deprecated string port alone is enough.
    entries[0].as_object_mut().unwrap().remove("port_https");
    entries.push(json!({"ip": "1.2.3.4"}));
    let body = json!({"snodes": entries, "swarm": "ff00000000000001", "t": 1_700_000_000_123u64, "hf": [19, 3]}).to_string();
    let reply = parse_swarm_reply(body.as_bytes()).unwrap();
    assert_eq!(reply.swarm_id, SwarmId::new(0xff00_0000_0000_0001));
    assert_eq!(reply.members.nodes.len(), 4);
    assert!(reply
        .members
        .nodes
        .iter()
        .all(|n| n.swarm_id == Some(reply.swarm_id)));
    assert_eq!(reply.members.nodes[1].ed25519, members[1].ed25519);
    assert_eq!(reply.members.malformed, 1);
    assert_eq!(
        reply.server_time,
        Some(Timestamp::from_millis(1_700_000_000_123))
    );
    assert_eq!(parse_wrong_swarm_reply(body.as_bytes()).unwrap(), reply);

    for (bad, error) in [
        (
            json!({"snodes": [], "swarm": "xyz"}),
            NodeListError::BadSwarmId,
        ),
        (
            json!({"snodes": [], "swarm": "10000000000000000"}),
            NodeListError::BadSwarmId,
        ),
        (
            json!({"snodes": [], "swarm": ""}),
            NodeListError::BadSwarmId,
        ),
        (
            json!({"snodes": [], "swarm": 5}),
            NodeListError::MissingField("swarm"),
        ),
        (json!({"swarm": "1"}), NodeListError::MissingField("snodes")),
    ] {
        assert_eq!(
            parse_swarm_reply(bad.to_string().as_bytes()).unwrap_err(),
            error,
            "{bad}"
        );
    }
    assert_eq!(
        parse_wrong_swarm_reply(b"Wrong swarm").unwrap_err(),
        ReplyError::NotJson
    );
    assert_eq!(
        parse_wrong_swarm_reply(b"[]").unwrap_err(),
        ReplyError::Swarm(NodeListError::MissingField("swarm"))
    );
    // The "no swarm" answer parses, with the invalid ID and no members.
    let none = parse_swarm_reply(br#"{"snodes":[],"swarm":"ffffffffffffffff"}"#).unwrap();
    assert!(!none.swarm_id.is_valid() && none.members.nodes.is_empty());
}

#[test]
fn retrieve_reply() {
    let data = b"hello swarm".to_vec();
    let good = json!({"hash": hash(1).as_str(), "timestamp": 1000u64, "expiration": 2000u64, "data": STANDARD.encode(&data)});
    let old_name = json!({"hash": hash(2).as_str(), "timestamp": 1000u64, "expiry": 3000u64, "data": STANDARD_NO_PAD.encode([1, 2])});
    let too_big = json!({"hash": hash(3).as_str(), "timestamp": 1, "expiration": 2, "data": STANDARD.encode(vec![0u8; MAX_STORE_DATA_LEN + 1])});
    let bad_hash = json!({"hash": "short", "timestamp": 1, "expiration": 2, "data": ""});
    let bad_b64 = json!({"hash": hash(4).as_str(), "timestamp": 1, "expiration": 2, "data": "@@@"});
    let no_time = json!({"hash": hash(5).as_str(), "expiration": 2, "data": ""});
    let negative = json!({"hash": hash(6).as_str(), "timestamp": -1, "expiration": 2, "data": ""});
    let body = json!({"messages": [good, old_name, too_big, bad_hash, bad_b64, no_time, negative, "x"], "more": true, "t": 77, "hf": [19, 0]});
    let reply = parse_retrieve_reply(body.to_string().as_bytes()).unwrap();
    assert_eq!(reply.messages.len(), 2);
    assert_eq!(
        reply.messages[0],
        RetrievedMessage {
            hash: hash(1),
            timestamp: Timestamp::from_millis(1000),
            expiry: Timestamp::from_millis(2000),
            data
        }
    );
    assert_eq!(reply.messages[1].data, [1, 2]);
    assert_eq!(reply.messages[1].expiry, Timestamp::from_millis(3000));
    assert!(reply.more);
    assert_eq!(reply.malformed, 6);
    assert_eq!(reply.server_time, Some(Timestamp::from_millis(77)));

    let empty = parse_retrieve_reply(br#"{"messages":[]}"#).unwrap();
    assert!(empty.messages.is_empty() && !empty.more && empty.server_time.is_none());
    assert_eq!(
        parse_retrieve_reply(b"{}").unwrap_err(),
        ReplyError::MissingField("messages")
    );
    assert_eq!(
        parse_retrieve_reply(b"\xff").unwrap_err(),
        ReplyError::NotJson
    );
    assert_eq!(
        parse_retrieve_reply(b"7").unwrap_err(),
        ReplyError::MissingField("(top-level object)")
    );
}

#[test]
fn store_reply_per_member_with_signatures() {
    let (key_a, node_a) = common::signing_node(1);
    let (_, node_b) = common::signing_node(2);
    let (_, node_c) = common::signing_node(3);
    let h = hash(9);
    let sig_a = key_a.sign(h.as_str().as_bytes());
    let body = json!({
        "swarm": {
            node_a.ed25519.to_hex(): {"hash": h.as_str(), "signature": STANDARD.encode(sig_a.as_bytes()), "already": true, "expiry": 5u64},
            node_b.ed25519.to_hex(): {"failed": true, "timeout": true},
            node_c.ed25519.to_hex(): {"failed": true, "code": 502, "reason": "oops"},
            "nothex": {"hash": h.as_str()},
            node_c.x25519.to_hex(): {"hash": "bad"},
        },
        "hash": h.as_str(), "t": 12u64,
    });
    let reply = parse_store_reply(body.to_string().as_bytes()).unwrap();
    assert_eq!(reply.malformed, 2);
    assert_eq!(reply.server_time, Some(Timestamp::from_millis(12)));
    let ok: Vec<_> = reply.successes().collect();
    assert_eq!(ok.len(), 1);
    let (node, result) = ok[0];
    assert_eq!(*node, node_a.ed25519);
    assert!(result.already && result.hash == h && result.expiry == Some(Timestamp::from_millis(5)));
    assert!(result.verify(&node_a.ed25519));
    assert!(!result.verify(&node_b.ed25519));
    let failures: Vec<_> = reply
        .members
        .iter()
        .filter_map(|m| m.result.as_ref().err())
        .collect();
    assert!(failures.contains(&&MemberFailure::Timeout));
    assert!(failures.contains(&&MemberFailure::Status {
        code: 502,
        reason: "oops".into()
    }));
    assert_eq!(
        parse_store_reply(b"{}").unwrap_err(),
        ReplyError::MissingField("swarm")
    );
}

#[test]
fn delete_expire_and_other_replies() {
    let (key, node) = common::signing_node(1);
    let sig = STANDARD.encode(key.sign(b"x").as_bytes());
    let body = json!({"swarm": {node.ed25519.to_hex(): {"deleted": {"0": [hash(1).as_str()], "5": [hash(2).as_str()]}, "signature": sig}}});
    let reply = parse_delete_reply(body.to_string().as_bytes()).unwrap();
    assert_eq!(
        reply.successes().next().unwrap().1.deleted,
        vec![hash(1), hash(2)]
    );
    let body = json!({"swarm": {node.ed25519.to_hex(): {"deleted": [hash(3).as_str()], "signature": sig}}});
    assert_eq!(
        parse_delete_reply(body.to_string().as_bytes())
            .unwrap()
            .members[0]
            .result
            .as_ref()
            .unwrap()
            .deleted,
        vec![hash(3)]
    );
    let body = json!({"swarm": {node.ed25519.to_hex(): {"deleted": [hash(3).as_str()], "signature": "AAAA"}}});
    assert_eq!(
        parse_delete_reply(body.to_string().as_bytes())
            .unwrap()
            .malformed,
        1
    );

    let body = json!({"swarm": {node.ed25519.to_hex(): {"updated": [hash(1).as_str()], "unchanged": {hash(2).as_str(): 99u64}, "expiry": 50u64, "signature": sig}}});
    let reply = parse_expire_reply(body.to_string().as_bytes()).unwrap();
    let result = reply.members[0].result.as_ref().unwrap();
    assert_eq!(result.updated, vec![hash(1)]);
    assert_eq!(
        result.unchanged,
        vec![(hash(2), Timestamp::from_millis(99))]
    );
    assert_eq!(result.expiry, Some(Timestamp::from_millis(50)));

    let expiries = parse_get_expiries_reply(
        json!({"expiries": {hash(1).as_str(): 5u64}})
            .to_string()
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(expiries, vec![(hash(1), Timestamp::from_millis(5))]);
    assert_eq!(
        parse_get_expiries_reply(br#"{"expiries":[1]}"#).unwrap_err(),
        ReplyError::MissingField("expiries")
    );
    assert_eq!(
        parse_info_reply(br#"{"version":[2,8,0],"timestamp":123,"t":124}"#).unwrap(),
        Timestamp::from_millis(123)
    );
    assert_eq!(
        parse_info_reply(br#"{"version":[2,8,0]}"#).unwrap_err(),
        ReplyError::MissingField("timestamp")
    );

    let batch = parse_batch_reply(
        br#"{"results":[{"code":200,"body":{"messages":[]}},{"code":401,"body":"no"}]}"#,
    )
    .unwrap();
    assert_eq!(batch.len(), 2);
    assert_eq!(batch[1].status, 401);
    assert!(parse_retrieve_reply(batch[0].body.to_string().as_bytes())
        .unwrap()
        .messages
        .is_empty());
    assert_eq!(
        parse_batch_reply(br#"{"results":[{"body":1}]}"#).unwrap_err(),
        ReplyError::MissingField("code")
    );
    assert_eq!(
        parse_batch_reply(br#"{"results":[{"code":70000}]}"#).unwrap_err(),
        ReplyError::MissingField("code")
    );
}

#[test]
fn status_classes() {
    for (status, class) in [
        (200, StatusClass::Success),
        (400, StatusClass::BadRequest),
        (401, StatusClass::Unauthorized),
        (403, StatusClass::Forbidden),
        (404, StatusClass::NotFound),
        (406, StatusClass::ClockOutOfSync),
        (425, StatusClass::ClockOutOfSync),
        (421, StatusClass::WrongSwarm),
        (500, StatusClass::ServerError),
        (502, StatusClass::BadGateway),
        (503, StatusClass::Unavailable),
        (504, StatusClass::GatewayTimeout),
        (418, StatusClass::Other),
    ] {
        assert_eq!(StatusClass::of(status), class, "{status}");
    }
}

#[test]
fn namespace_rules() {
    for (ns, public_in, public_out, store_auth, retrieve_auth, unrevocable) in [
        (0, true, false, false, true, false),
        (2, false, false, true, true, false),
        (11, false, false, true, true, false),
        (-10, true, false, false, false, false),
        (-11, false, false, true, true, true),
        (-21, false, true, true, false, false),
        (-1, false, true, true, false, false),
        (-111, false, false, true, true, true),
        (i16::MIN, false, false, true, true, false),
    ] {
        let n = Namespace::new(ns);
        assert_eq!(
            (
                n.is_public_inbox(),
                n.is_public_outbox(),
                n.store_needs_auth(),
                n.retrieve_needs_auth(),
                n.is_unrevocable()
            ),
            (
                public_in,
                public_out,
                store_auth,
                retrieve_auth,
                unrevocable
            ),
            "{ns}"
        );
    }
    assert_eq!(Namespace::DEFAULT.max_ttl_millis(), 14 * DAY);
    assert_eq!(Namespace::USER_PROFILE.max_ttl_millis(), 30 * DAY);
    assert_eq!(Namespace::DEFAULT.signature_text(), "");
    assert_eq!(Namespace::LEGACY_CLOSED_GROUP.signature_text(), "-10");
}

#[test]
fn request_bounds_are_checked_before_sending() {
    let me = me();
    let signer = Signer::user(&me);
    let id = me.session_id();
    let other = SessionId::new(Prefix::User, [1; 32]);
    let store = |ns: i16, ttl: u64, len: usize, s: Option<&Signer<'_>>, to: &SessionId| {
        StorageRequest::store(to, Namespace::new(ns), &vec![0u8; len], ttl, NOW, s)
    };
    assert_eq!(
        store(0, 9_999, 1, None, &other).unwrap_err(),
        RequestError::TtlOutOfRange {
            ttl_ms: 9_999,
            min_ms: 10_000,
            max_ms: 14 * DAY
        }
    );
    assert!(store(0, 10_000, 1, None, &other).is_ok());
    assert!(store(0, 14 * DAY, 1, None, &other).is_ok());
    assert!(matches!(
        store(0, 14 * DAY + 1, 1, None, &other),
        Err(RequestError::TtlOutOfRange { .. })
    ));
    assert!(store(2, 30 * DAY, 1, Some(&signer), &id).is_ok());
    assert!(
        matches!(store(2, 30 * DAY + 1, 1, Some(&signer), &id), Err(RequestError::TtlOutOfRange { max_ms, .. }) if max_ms == 30 * DAY)
    );
    assert_eq!(
        store(0, 60_000, MAX_STORE_DATA_LEN + 1, None, &other).unwrap_err(),
        RequestError::DataTooLarge(MAX_STORE_DATA_LEN + 1)
    );
    assert!(store(0, 60_000, MAX_STORE_DATA_LEN, None, &other).is_ok());
    assert_eq!(
        store(2, 60_000, 1, None, &id).unwrap_err(),
        RequestError::NeedsAuth(Namespace::USER_PROFILE)
    );
    assert_eq!(
        store(2, 60_000, 1, Some(&signer), &other).unwrap_err(),
        RequestError::SignerMismatch
    );
    let blinded = SessionId::new(Prefix::Blinded15, [1; 32]);
    assert_eq!(
        store(0, 60_000, 1, None, &blinded).unwrap_err(),
        RequestError::UnsupportedAccount(Prefix::Blinded15)
    );

    // An unsigned store to someone's inbox: the body the server expects.
    let r = store(0, 60_000, 3, None, &other).unwrap();
    let body: serde_json::Value = serde_json::from_slice(&r.to_body()).unwrap();
    assert_eq!(
        body,
        json!({"method": "store", "params": {"pubkey": other.to_hex(), "namespace": 0,
        "timestamp": NOW.as_millis(), "ttl": 60_000, "data": "AAAA"}})
    );
    // The bytes themselves: keys sorted at every level (inserted as pubkey, namespace,
    // timestamp, ttl, data), however serde_json's map orders them.
    assert_eq!(
        String::from_utf8(r.to_body()).unwrap(),
        format!(
            r#"{{"method":"store","params":{{"data":"AAAA","namespace":0,"pubkey":"{}","timestamp":{},"ttl":60000}}}}"#,
            other.to_hex(),
            NOW.as_millis()
        )
    );
    let batch = StorageRequest::batch(vec![
        r.clone(),
        StorageRequest::retrieve(&signer, Namespace::DEFAULT, Some(&hash(1)), NOW),
    ])
    .unwrap();
    let retrieve = StorageRequest::retrieve(&signer, Namespace::DEFAULT, Some(&hash(1)), NOW);
    let p = retrieve.params();
    let text = |key: &str| p[key].as_str().unwrap().to_owned();
    assert_eq!(
        String::from_utf8(batch.to_body()).unwrap(),
        format!(
            concat!(
                r#"{{"method":"batch","params":{{"requests":[{},"#,
                r#"{{"method":"retrieve","params":{{"last_hash":"{}","namespace":0,"pubkey":"{}","#,
                r#""pubkey_ed25519":"{}","signature":"{}","timestamp":{}}}}}]}}}}"#
            ),
            String::from_utf8(r.to_body()).unwrap(),
            text("last_hash"),
            text("pubkey"),
            text("pubkey_ed25519"),
            text("signature"),
            NOW.as_millis()
        )
    );

    assert_eq!(
        StorageRequest::retrieve_unauthenticated(&id, Namespace::DEFAULT, None).unwrap_err(),
        RequestError::NeedsAuth(Namespace::DEFAULT)
    );
    let r = StorageRequest::retrieve_unauthenticated(
        &id,
        Namespace::LEGACY_CLOSED_GROUP,
        Some(&hash(1)),
    )
    .unwrap();
    assert_eq!(r.signed_message(), None);
    assert_eq!(r.params()["last_hash"], hash(1).as_str());
    assert!(!r.params().contains_key("signature"));

    assert_eq!(
        StorageRequest::delete(&signer, &[], false).unwrap_err(),
        RequestError::NoMessages
    );
    assert_eq!(
        StorageRequest::delete(&signer, &[hash(1)], true)
            .unwrap()
            .params()["required"],
        true
    );
    let far = NOW.saturating_add_millis(30 * DAY + 1);
    assert_eq!(
        StorageRequest::expire(&signer, &[hash(1)], far, ExpiryMode::Set, NOW).unwrap_err(),
        RequestError::ExpiryOutOfRange {
            expiry: far,
            now: NOW
        }
    );
    let past = NOW.saturating_sub_millis(60_001);
    assert!(StorageRequest::expire(&signer, &[hash(1)], past, ExpiryMode::Set, NOW).is_err());
    assert!(StorageRequest::expire(
        &signer,
        &[hash(1)],
        NOW.saturating_sub_millis(60_000),
        ExpiryMode::Set,
        NOW
    )
    .is_ok());
    assert!(StorageRequest::expire_all(&signer, NamespaceSelector::All, far, NOW).is_err());
    assert!(StorageRequest::delete_before(
        &signer,
        NamespaceSelector::All,
        NOW.saturating_add_millis(60_001),
        NOW
    )
    .is_err());

    let info = StorageRequest::info();
    assert_eq!(info.to_body(), br#"{"method":"info","params":{}}"#);
    let nodes = StorageRequest::get_service_nodes();
    assert_eq!(nodes.account(), None);
    assert_eq!(
        nodes.to_json(),
        json!({"method": "oxend_request", "params": {
            "endpoint": "get_service_nodes",
            "params": {"active_only": true, "fields": {
                "public_ip": true, "pubkey_ed25519": true, "pubkey_x25519": true,
                "storage_port": true, "swarm_id": true,
            }},
        }})
    );
    let swarm = StorageRequest::get_swarm(&id);
    assert_eq!(
        swarm.to_json(),
        json!({"method": "get_swarm", "params": {"pubkey": id.to_hex()}})
    );

    let batch = StorageRequest::batch(vec![swarm.clone(), info.clone()]).unwrap();
    assert_eq!(batch.to_json()["params"]["requests"][1], info.to_json());
    assert_eq!(batch.account(), Some(id));
    assert_eq!(
        StorageRequest::batch(vec![]).unwrap_err(),
        RequestError::BatchSize(0)
    );
    assert_eq!(
        StorageRequest::sequence(vec![info.clone(); 21]).unwrap_err(),
        RequestError::BatchSize(21)
    );
    assert!(StorageRequest::sequence(vec![info.clone(); 20]).is_ok());
    assert_eq!(
        StorageRequest::batch(vec![batch]).unwrap_err(),
        RequestError::NestedBatch
    );
}

#[test]
fn group_admin_requests_sign_with_the_group_key() {
    let group = Identity::from_seed(Seed::from_full_bytes([8; 32]));
    let signer = Signer::group_admin(&group);
    assert_eq!(signer.account().prefix(), Prefix::Group);
    let r = StorageRequest::store(
        &signer.account(),
        Namespace::GROUP_MESSAGES,
        b"m",
        60_000,
        NOW,
        Some(&signer),
    )
    .unwrap();
    let params = r.params();
    assert!(!params.contains_key("pubkey_ed25519"));
    assert_eq!(
        params["pubkey"],
        format!("03{}", group.ed25519_public_key().to_hex())
    );
    let sig = session_identity::Signature::from_slice(
        &STANDARD
            .decode(params["signature"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    group
        .ed25519_public_key()
        .verify(r.signed_message().unwrap(), &sig)
        .unwrap();
    // A wrong key does not verify.
    assert!(me()
        .ed25519_public_key()
        .verify(r.signed_message().unwrap(), &sig)
        .is_err());
}

#[test]
fn message_hash_forms() {
    let id = me().session_id();
    let a = MessageHash::compute(&id, Namespace::DEFAULT, b"x");
    assert_ne!(a, MessageHash::compute(&id, Namespace::new(1), b"x"));
    assert_ne!(a, MessageHash::compute(&id, Namespace::DEFAULT, b"y"));
    assert_eq!(
        MessageHash::parse("abc").unwrap_err(),
        MessageHashError::Length(3)
    );
    assert_eq!(
        MessageHash::parse(&"=".repeat(43)).unwrap_err(),
        MessageHashError::Alphabet
    );
}

#[test]
fn disappearing_ttls() {
    use std::num::NonZeroU32;
    let timer = NonZeroU32::new;
    let content =
        |ns: Namespace, seconds: u32| store_ttl_millis(MessageKind::Content, ns, timer(seconds));
    let inbox = Namespace::DEFAULT;
    let private = Namespace::USER_PROFILE;
    // (timer in seconds, TTL in the public inbox, TTL in a private namespace)
    let table = [
        (0, 14 * DAY, 14 * DAY),           // off: the content default
        (5, 10_000, 10_000),               // below the minimum: the minimum
        (5 * 60, 300_000, 300_000),        // within bounds: the timer
        (14 * 86_400, 14 * DAY, 14 * DAY), // exactly the public maximum
        (40 * 86_400, 14 * DAY, 30 * DAY), // beyond: each namespace's maximum
    ];
    let me = me();
    let account = me.session_id();
    for (seconds, in_inbox, in_private) in table {
        assert_eq!(
            content(inbox, seconds),
            in_inbox,
            "{seconds} s in the inbox"
        );
        assert_eq!(
            content(private, seconds),
            in_private,
            "{seconds} s in a private namespace"
        );
        // Whatever the timer, the storage server accepts the TTL.
        StorageRequest::store(&account, inbox, b"x", in_inbox, NOW, None).unwrap();
        StorageRequest::store(
            &account,
            private,
            b"x",
            in_private,
            NOW,
            Some(&Signer::user(&me)),
        )
        .unwrap();
    }
    // After-read messages and messages without a timer take the kind's default.
    assert_eq!(store_ttl_millis(MessageKind::Typing, inbox, None), 20_000);
    assert_eq!(store_ttl_millis(MessageKind::Call, inbox, None), 300_000);
    assert_eq!(
        store_ttl_millis(MessageKind::Config, private, None),
        30 * DAY
    );
    // A config default is cut to what a public inbox allows.
    assert_eq!(store_ttl_millis(MessageKind::Config, inbox, None), 14 * DAY);
    let read = NOW.saturating_sub_millis(1000);
    let r = after_read_expire_request(&Signer::user(&me), &[hash(1)], read, 300, NOW).unwrap();
    let expiry = read.as_millis() + 300_000;
    assert_eq!(r.params()["shorten"], true);
    assert_eq!(r.params()["expiry"], expiry);
    assert_eq!(
        r.signed_message().unwrap(),
        format!("expireshorten{expiry}{}", hash(1)).as_bytes()
    );
}

#[test]
fn refresh_decisions() {
    let nodes: Vec<_> = (0..40).map(common::node).collect();
    let list = |range: std::ops::Range<usize>| NodeList {
        nodes: nodes[range].to_vec(),
        ..NodeList::default()
    };
    let common_nodes = intersect_node_lists(&[list(0..40), list(5..40), list(0..35)]).unwrap();
    assert_eq!(common_nodes, nodes[5..35].to_vec());
    assert_eq!(
        intersect_node_lists(&[list(0..40), list(0..20), list(0..40)]).unwrap_err(),
        RefreshError::TooFewCommonNodes { common: 20 }
    );
    assert_eq!(
        intersect_node_lists(&[list(0..40), list(0..40)]).unwrap_err(),
        RefreshError::TooFewSources(2)
    );
    // A node whose address differs between lists is not common.
    let mut moved = list(0..40);
    moved.nodes[0].ip = [1, 1, 1, 1].into();
    assert_eq!(
        intersect_node_lists(&[list(0..40), moved, list(0..40)])
            .unwrap()
            .len(),
        39
    );
    assert_eq!(pool_action(7), PoolAction::RefreshFromSeed);
    assert_eq!(pool_action(8), PoolAction::RefreshFromNodes);
    assert_eq!(pool_action(15), PoolAction::RefreshFromNodes);
    assert_eq!(pool_action(16), PoolAction::Keep);
}

#[test]
fn pool_and_path_failure_counts() {
    let nodes: Vec<_> = (0..12).map(common::node).collect();
    let mut pool = NodePool::new(&[nodes.clone(), nodes.clone()].concat());
    assert_eq!(pool.len(), 12);
    let key = nodes[0].ed25519;
    assert_eq!(pool.record_failure(&key), NodeHealth::Failing(1));
    assert_eq!(pool.record_failure(&key), NodeHealth::Failing(2));
    assert_eq!(pool.record_failure(&key), NodeHealth::Dropped);
    assert_eq!(pool.record_failure(&key), NodeHealth::Unknown);
    assert_eq!(pool.len(), 11);
    assert!(pool.get(&key).is_none());

    let mut rng = ChaCha20Rng::from_seed([1; 32]);
    let mut paths = pool.build_paths(&mut rng).unwrap();
    assert!(paths.paths().iter().all(|p| !p.contains(&key)));
    let guard = paths.paths()[0].guard().ed25519;
    assert_eq!(paths.record_failure(&guard), PathHealth::Failing(1));
    assert_eq!(paths.record_failure(&guard), PathHealth::Failing(2));
    assert!(
        matches!(paths.record_failure(&guard), PathHealth::Dropped(p) if p.guard().ed25519 == guard)
    );
    assert_eq!(paths.record_failure(&guard), PathHealth::Unknown);
    assert_eq!(paths.paths().len(), 1);
    let dest = paths.paths()[0].hops()[2].ed25519;
    assert!(paths.choose(&mut rng, Some(&dest)).is_none());
    assert!(paths.choose(&mut rng, None).is_some());
    assert_eq!(paths.remove_paths_through(&dest).len(), 1);
    assert!(paths.paths().is_empty());

    // Not enough subnets: every node in one /24.
    let crowded: Vec<_> = (0..10)
        .map(|i| common::node_at(i, [10, 0, 0, i as u8], None))
        .collect();
    assert_eq!(
        NodePool::new(&crowded).build_paths(&mut rng).unwrap_err(),
        PathError::NotEnoughNodes {
            needed: 2,
            found: 1
        }
    );
    let outsider = common::node(99);
    assert_eq!(
        pool.build_path(&mut rng, &outsider, &[]).unwrap_err(),
        PathError::UnknownGuard
    );
    assert!(pool.drop_node(&nodes[1].ed25519));
    assert!(!pool.drop_node(&nodes[1].ed25519));
}

/// A path that strikes out takes its guard out of the pool and counts one failure on each
/// relay: a relay on three such paths is gone, and every path through it with it.
#[test]
fn a_struck_out_path_blames_its_relays() {
    let nodes: Vec<_> = (0..12).map(common::node).collect();
    let mut pool = NodePool::new(&nodes);
    let mut rng = ChaCha20Rng::from_seed([4; 32]);
    let relay = nodes[5];
    let mut guards = nodes.iter().filter(|n| n.ed25519 != relay.ed25519);
    for round in 1..=3u8 {
        let guard = *guards.next().unwrap();
        // A path through the relay, as a rebuild may pick it again.
        let path = loop {
            let path = pool.build_path(&mut rng, &guard, &[]).unwrap();
            if path.contains(&relay.ed25519) {
                break path;
            }
        };
        let mut paths = PathSet::default();
        paths.push(path);
        let mut health = PathHealth::Unknown;
        for _ in 0..PATH_FAILURE_LIMIT {
            health = paths.record_failure(&guard.ed25519);
        }
        let PathHealth::Dropped(dropped) = health else {
            panic!("round {round}: the path should strike out, got {health:?}");
        };
        let gone = pool.retire_path(&dropped);
        assert_eq!(
            gone[0], guard.ed25519,
            "round {round}: the guard leaves first"
        );
        assert!(pool.get(&guard.ed25519).is_none());
        if round < 3 {
            assert!(!gone.contains(&relay.ed25519), "round {round}: {gone:?}");
            assert!(pool.get(&relay.ed25519).is_some());
        } else {
            assert!(
                gone.contains(&relay.ed25519),
                "the relay leaves on its third struck-out path"
            );
            assert!(pool.get(&relay.ed25519).is_none());
        }
    }
    // A guard leaves once: retiring the same path again does not report it.
    let guard = *pool.nodes().next().unwrap();
    let path = pool.build_path(&mut rng, &guard, &[]).unwrap();
    assert_eq!(pool.retire_path(&path).first(), Some(&guard.ed25519));
    assert!(!pool.retire_path(&path).contains(&guard.ed25519));
}

fn request(members: &[ServiceNode]) -> SwarmRequest {
    SwarmRequest::new(
        SessionId::new(Prefix::User, [4; 32]),
        members,
        ClockOffset::ZERO,
    )
}

#[test]
fn decisions() {
    let members: Vec<_> = (0..3).map(common::node).collect();
    let mut rng = ChaCha20Rng::from_seed([2; 32]);

    // 421 with the right swarm: replace and retry there.
    let new_members: Vec<_> = (10..13).map(common::node).collect();
    let body = json!({"swarm": "2a", "snodes": new_members.iter().map(common::swarm_entry).collect::<Vec<_>>()}).to_string();
    let mut r = request(&members);
    r.next_attempt(&mut rng).unwrap();
    match r.handle(Outcome::reply(421, body.as_bytes()), NOW).unwrap() {
        Decision::ReplaceSwarmAndRetry { swarm_id, members } => {
            assert_eq!(swarm_id, SwarmId::new(42));
            assert_eq!(members.len(), 3);
        }
        other => panic!("{other:?}"),
    }
    let next = r.next_attempt(&mut rng).unwrap();
    assert!(r.members().contains(&next.node) && next.node.swarm_id == Some(SwarmId::new(42)));
    // Two more 421s: the loop is cut.
    assert!(matches!(
        r.handle(Outcome::reply(421, body.as_bytes()), NOW).unwrap(),
        Decision::ReplaceSwarmAndRetry { .. }
    ));
    r.next_attempt(&mut rng).unwrap();
    assert_eq!(
        r.handle(Outcome::reply(421, body.as_bytes()), NOW).unwrap(),
        Decision::Fail(RequestFailure::WrongSwarmLoop)
    );
    assert_eq!(
        r.next_attempt(&mut rng).unwrap_err(),
        AttemptError::Usage(UsageError::Finished)
    );

    // 406 after a server time was seen: adjust the clock once.
    let mut r = request(&members);
    r.next_attempt(&mut rng).unwrap();
    assert!(matches!(
        r.handle(Outcome::reply(500, br#"{"t":1700000100000}"#), NOW)
            .unwrap(),
        Decision::RetryOtherMember { .. }
    ));
    r.next_attempt(&mut rng).unwrap();
    assert_eq!(
        r.handle(
            Outcome::reply(406, b"Timestamp error: check your clock"),
            NOW
        )
        .unwrap(),
        Decision::AdjustClockAndResign {
            offset: ClockOffset::from_millis(100_000)
        }
    );
    assert_eq!(r.signing_time(NOW), NOW.saturating_add_millis(100_000));
    r.next_attempt(&mut rng).unwrap();
    assert_eq!(
        r.handle(Outcome::reply(425, b""), NOW).unwrap(),
        Decision::Fail(RequestFailure::ClockOutOfSync { offset_ms: 100_000 })
    );

    // 406 with no server time known: nothing to correct with.
    let mut r = request(&members);
    r.next_attempt(&mut rng).unwrap();
    assert_eq!(
        r.handle(Outcome::reply(406, b""), NOW).unwrap(),
        Decision::Fail(RequestFailure::ClockOutOfSync { offset_ms: 0 })
    );

    // 401 is final; the reason is kept (and bounded).
    let mut r = request(&members);
    r.next_attempt(&mut rng).unwrap();
    let long = vec![b'a'; 10_000];
    assert_eq!(
        r.handle(Outcome::reply(401, long.clone()), NOW).unwrap(),
        Decision::Fail(RequestFailure::Unauthorized("a".repeat(256)))
    );
    assert_eq!(r.handle(Outcome::Timeout, NOW), Err(UsageError::Finished));
    assert_eq!(
        r.state(),
        &RequestState::Failed(RequestFailure::Unauthorized("a".repeat(256)))
    );

    // Relay errors: a named missing node, a path timeout.
    let mut r = request(&members);
    let attempt = r.next_attempt(&mut rng).unwrap();
    let text = format!("Next node not found: {}", attempt.node.ed25519.to_hex());
    assert_eq!(
        r.handle(
            Outcome::PathFailure(PathFailure::classify(Some(502), text.as_bytes())),
            NOW
        )
        .unwrap(),
        Decision::MarkNodeBad {
            node: attempt.node.ed25519
        }
    );
    let second = r.next_attempt(&mut rng).unwrap();
    assert_ne!(
        second.node, attempt.node,
        "the missing destination is not retried"
    );
    assert_eq!(
        r.handle(
            Outcome::PathFailure(PathFailure::classify(Some(502), b"Next node not found: zz")),
            NOW
        )
        .unwrap(),
        Decision::MarkPathBad
    );
    r.next_attempt(&mut rng).unwrap();
    assert_eq!(r.handle(Outcome::Timeout, NOW).unwrap(), Decision::DropPath);
    let third = r.next_attempt(&mut rng).unwrap();
    assert_eq!(
        r.handle(Outcome::reply(503, b""), NOW).unwrap(),
        Decision::MarkNodeBad {
            node: third.node.ed25519
        }
    );
    // Every member has now been tried or found missing: the swarm is exhausted.
    let remaining: Vec<_> = members
        .iter()
        .filter(|m| m.ed25519 != attempt.node.ed25519 && m.ed25519 != third.node.ed25519)
        .collect();
    assert_eq!(remaining.len(), 1);
    let last = r.next_attempt(&mut rng).unwrap();
    assert_eq!(last.node, *remaining[0]);
    assert_eq!(last.number, 5);
    assert!(matches!(
        r.handle(Outcome::reply(502, b""), NOW).unwrap(),
        Decision::RetryOtherMember { .. }
    ));
    assert_eq!(
        r.next_attempt(&mut rng).unwrap_err(),
        AttemptError::GaveUp(RequestFailure::SwarmExhausted)
    );

    // An unreadable reply: the path takes a strike and the member counts as tried, so a
    // member that garbles its replies cannot take every attempt.
    for _ in 0..20 {
        let two = &members[..2];
        let mut r = request(two);
        let garbled = r.next_attempt(&mut rng).unwrap();
        assert_eq!(
            r.handle(Outcome::Unreadable(ResponseError::NotBase64), NOW)
                .unwrap(),
            Decision::MarkPathBad
        );
        let retry = r.next_attempt(&mut rng).unwrap();
        assert_ne!(
            retry.node, garbled.node,
            "the garbling member is not retried"
        );
        assert!(two.contains(&retry.node));
    }

    // Attempt limit.
    let mut r = SwarmRequest::with_limits(
        SessionId::new(Prefix::User, [4; 32]),
        &members,
        ClockOffset::ZERO,
        RetryLimits {
            max_attempts: 2,
            ..RetryLimits::default()
        },
    );
    for _ in 0..2 {
        r.next_attempt(&mut rng).unwrap();
        assert_eq!(r.handle(Outcome::Timeout, NOW).unwrap(), Decision::DropPath);
    }
    assert_eq!(
        r.next_attempt(&mut rng).unwrap_err(),
        AttemptError::GaveUp(RequestFailure::RetriesExhausted(2))
    );

    // Unknown statuses fail; success is done; an empty swarm cannot start.
    let mut r = request(&members);
    r.next_attempt(&mut rng).unwrap();
    assert_eq!(
        r.handle(Outcome::reply(418, b""), NOW).unwrap(),
        Decision::Fail(RequestFailure::UnexpectedStatus(418))
    );
    let mut r = request(&[]);
    assert_eq!(
        r.next_attempt(&mut rng).unwrap_err(),
        AttemptError::GaveUp(RequestFailure::SwarmExhausted)
    );
    let mut r = request(&members);
    assert_eq!(
        r.handle(Outcome::Timeout, NOW),
        Err(UsageError::NoAttemptInFlight)
    );
    assert_eq!(r.state(), &RequestState::Ready);
    r.next_attempt(&mut rng).unwrap();
    assert_eq!(
        r.handle(Outcome::reply(200, b"{}"), NOW).unwrap(),
        Decision::Done(StorageReply {
            status: 200,
            body: b"{}".to_vec(),
            server_time: None
        })
    );
}

#[test]
fn decisions_on_what_the_onion_layer_read() {
    let members: Vec<_> = (0..3).map(common::node).collect();
    let mut rng = ChaCha20Rng::from_seed([5; 32]);

    // The relay's text with its status line, read once by session-onion, names the node.
    let mut r = request(&members);
    let attempt = r.next_attempt(&mut rng).unwrap();
    let text = format!(
        "502 Bad Gateway\n\nNext node not found: {}",
        attempt.node.ed25519.to_hex()
    );
    let outcome = Outcome::from_onion(Err(OnionFailure::Path(PathFailure::classify(
        None,
        text.as_bytes(),
    ))));
    assert_eq!(
        r.handle(outcome, NOW).unwrap(),
        Decision::MarkNodeBad {
            node: attempt.node.ed25519
        }
    );
    // A node that is not ready, named by a relay: blamed; unnamed: the path is.
    let attempt = r.next_attempt(&mut rng).unwrap();
    let other = members.iter().find(|m| **m != attempt.node).unwrap();
    let text = format!("Snode not ready: {}", other.ed25519.to_hex());
    assert_eq!(
        r.handle(
            Outcome::PathFailure(PathFailure::classify(Some(503), text.as_bytes())),
            NOW
        )
        .unwrap(),
        Decision::MarkNodeBad {
            node: other.ed25519
        }
    );
    r.next_attempt(&mut rng).unwrap();
    assert_eq!(
        r.handle(
            Outcome::PathFailure(PathFailure::classify(Some(503), b"")),
            NOW
        )
        .unwrap(),
        Decision::MarkPathBad
    );
    // An unreadable reply counts against the path, not the member.
    r.next_attempt(&mut rng).unwrap();
    assert_eq!(
        r.handle(
            Outcome::from_onion(Err(ResponseError::NotBase64.into())),
            NOW
        )
        .unwrap(),
        Decision::MarkPathBad
    );
    // Asking again before handing back the outcome is refused, and changes nothing.
    let attempt = r.next_attempt(&mut rng).unwrap();
    assert_eq!(
        r.next_attempt(&mut rng).unwrap_err(),
        AttemptError::Usage(UsageError::AttemptInFlight)
    );
    assert_eq!(r.state(), &RequestState::InFlight(attempt));
    // A decrypted 200 finishes the request with its body and the node's clock.
    let reply = ServiceNodeResponse {
        status: 200,
        headers: Vec::new(),
        body: br#"{"hash":"x","t":1700000000250}"#.to_vec(),
    };
    let Decision::Done(done) = r.handle(Outcome::from(Ok(reply)), NOW).unwrap() else {
        panic!("a 200 is done");
    };
    assert_eq!(done.body, br#"{"hash":"x","t":1700000000250}"#);
    assert_eq!(
        done.server_time,
        Some(Timestamp::from_millis(1_700_000_000_250))
    );
    assert!(r.is_finished());
    assert_eq!(
        r.next_attempt(&mut rng).unwrap_err(),
        AttemptError::Usage(UsageError::Finished)
    );
    assert_eq!(r.handle(Outcome::Timeout, NOW), Err(UsageError::Finished));
}

#[test]
fn swarm_map_groups_and_deduplicates() {
    let a = common::node_at(1, [10, 0, 0, 1], Some(300));
    let b = common::node_at(2, [10, 0, 1, 1], Some(100));
    let c = common::node_at(3, [10, 0, 2, 1], Some(300));
    let decommissioned = common::node_at(4, [10, 0, 3, 1], Some(u64::MAX));
    let unknown = common::node_at(5, [10, 0, 4, 1], None);
    let map = SwarmMap::new(&[a, b, c, a, decommissioned, unknown, c]);
    assert_eq!((map.swarm_count(), map.node_count()), (2, 3));
    assert_eq!(map.swarm(SwarmId::new(300)).unwrap().members, &[a, c]);
    assert_eq!(map.swarm(SwarmId::new(100)).unwrap().members, &[b]);
    assert!(map.swarm(SwarmId::INVALID).is_none());
    let ids: Vec<u64> = map.swarms().map(|s| s.id.get()).collect();
    assert_eq!(ids, [100, 300]);
    assert_eq!(map.swarm_for_position(199).unwrap().id, SwarmId::new(100));
    assert_eq!(map.swarm_for_position(201).unwrap().id, SwarmId::new(300));
    assert!(SwarmMap::new(&[decommissioned, unknown])
        .swarm_for_position(5)
        .is_none());
}
