//! Every record of the swarm, storage-RPC and hash vector files.
#![allow(clippy::unwrap_used)]

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine as _;
use serde_json::Value;
use session_identity::{Ed25519PublicKey, Identity, Prefix, Seed, SessionId, X25519PublicKey};
use session_swarm::{
    select_swarm, swarm_space, ExpiryMode, MessageHash, Namespace, NamespaceSelector, ServiceNode,
    SignedAction, Signer, StorageRequest, SwarmId, SwarmMap, Timestamp,
};

fn load(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn key32(hex_text: &str) -> [u8; 32] {
    let bytes = hex::decode(hex_text).unwrap();
    match bytes.len() {
        32 => bytes.try_into().unwrap(),
        // A prefixed key: the prefix byte is ignored (the `ff…` vector has a made-up prefix).
        33 => bytes[1..].try_into().unwrap(),
        n => panic!("unexpected key length {n}"),
    }
}

fn ids(list: &Value) -> Vec<SwarmId> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| SwarmId::new(v.as_str().unwrap().parse().unwrap()))
        .collect()
}

/// A node in swarm `id`, with a distinct key per `index`.
fn node(id: SwarmId, index: usize) -> ServiceNode {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&(index as u64).to_be_bytes());
    ServiceNode {
        ed25519: Ed25519PublicKey::from_bytes(key),
        x25519: X25519PublicKey::from_bytes(key),
        ip: [10, 0, (index >> 8) as u8, index as u8].into(),
        https_port: 443,
        omq_port: None,
        swarm_id: Some(id),
    }
}

/// The map's answer for a key among `ids` (nodes of the invalid ID are left out of the map).
fn map_answer(ids: &[SwarmId], position: u64) -> Option<SwarmId> {
    let nodes: Vec<ServiceNode> = ids.iter().enumerate().map(|(i, id)| node(*id, i)).collect();
    let map = SwarmMap::new(&nodes);
    let swarm = map.swarm_for_position(position)?;
    assert!(swarm.members.iter().all(|m| m.swarm_id == Some(swarm.id)));
    Some(swarm.id)
}

#[test]
fn reference_swarm_vectors() {
    let file = load("swarm.json");
    let (mut spaces, mut selections) = (0, 0);
    for v in file["vectors"].as_array().unwrap() {
        let key = key32(v["pubkey"].as_str().unwrap());
        match v["kind"].as_str().unwrap() {
            "pubkey_to_swarm_space" => {
                let expected: u64 = v["swarm_space"].as_str().unwrap().parse().unwrap();
                assert_eq!(swarm_space(&key), expected, "{v}");
                assert_eq!(
                    format!("{:016x}", swarm_space(&key)),
                    v["swarm_space_hex"].as_str().unwrap()
                );
                spaces += 1;
            }
            "get_swarm_by_pk" => {
                let list = ids(&v["swarm_ids"]);
                let expected =
                    SwarmId::new(v["expected_swarm_id"].as_str().unwrap().parse().unwrap());
                let position = swarm_space(&key);
                assert_eq!(select_swarm(position, &list), Some(expected), "{v}");
                assert_eq!(map_answer(&list, position), Some(expected), "{v}");
                // Through a Session ID as well (the prefix is ignored).
                let id = SessionId::new(Prefix::User, key);
                let nodes: Vec<_> = list.iter().enumerate().map(|(i, s)| node(*s, i)).collect();
                assert_eq!(SwarmMap::new(&nodes).swarm_for(&id).unwrap().id, expected);
                selections += 1;
            }
            other => panic!("unknown kind {other}"),
        }
    }
    assert_eq!((spaces, selections), (10, 32));
}

#[test]
fn generated_swarm_space_vectors() {
    let file = load("swarm_space.json");
    let records = file.as_array().unwrap();
    for v in records {
        let key = key32(v["x25519_pubkey"].as_str().unwrap());
        let expected: u64 = v["swarm_space"].as_str().unwrap().parse().unwrap();
        assert_eq!(swarm_space(&key), expected, "{}", v["case"]);
        assert_eq!(
            format!("{expected:016x}"),
            v["swarm_space_hex"].as_str().unwrap()
        );
    }
    assert_eq!(records.len(), 11);
}

#[test]
fn generated_swarm_select_vectors() {
    let file = load("swarm_select.json");
    let records = file.as_array().unwrap();
    let mut with_invalid_id = 0;
    for v in records {
        let case = v["case"].as_str().unwrap();
        let key = key32(v["x25519_pubkey"].as_str().unwrap());
        let position = swarm_space(&key);
        let expected_space: u64 = v["swarm_space"].as_str().unwrap().parse().unwrap();
        assert_eq!(position, expected_space, "{case}");
        let node_ids = ids(&v["node_swarm_ids"]);
        let mut unique = node_ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique, ids(&v["sorted_swarm_ids"]), "{case}");
        let expected = SwarmId::new(v["selected_swarm_id"].as_str().unwrap().parse().unwrap());
        // The selection over ids treats 2^64-1 as an ordinary id, as the reference does.
        assert_eq!(select_swarm(position, &node_ids), Some(expected), "{case}");
        if node_ids.contains(&SwarmId::INVALID) {
            // A node map built from a node list leaves decommissioned nodes out: its answer is
            // the selection among the other ids.
            with_invalid_id += 1;
            let valid: Vec<SwarmId> = node_ids.iter().copied().filter(|i| i.is_valid()).collect();
            assert_eq!(
                map_answer(&node_ids, position),
                select_swarm(position, &valid),
                "{case}"
            );
        } else {
            assert_eq!(map_answer(&node_ids, position), Some(expected), "{case}");
        }
    }
    assert_eq!(records.len(), 13);
    assert_eq!(with_invalid_id, 1);
}

#[test]
fn hash_vectors() {
    let file = load("hashes.json");
    let (mut blake, mut message) = (0, 0);
    for v in file["vectors"].as_array().unwrap() {
        if v["kind"] == "storage_server_message_hash" {
            let account = SessionId::parse(v["pubkey"].as_str().unwrap()).unwrap();
            let namespace = Namespace::new(v["namespace"].as_i64().unwrap() as i16);
            let data = STANDARD.decode(v["data_b64"].as_str().unwrap()).unwrap();
            let hash = MessageHash::compute(&account, namespace, &data);
            assert_eq!(hash.as_str(), v["expected_hash"].as_str().unwrap());
            assert_eq!(MessageHash::parse(hash.as_str()).unwrap(), hash);
            message += 1;
        } else {
            let text = v["message_utf8"].as_str().unwrap().as_bytes();
            let key = v["key_utf8"].as_str().map(str::as_bytes);
            let expected = hex::decode(v["digest"].as_str().unwrap()).unwrap();
            let mut out = vec![0u8; v["size"].as_u64().unwrap() as usize];
            let mut h = session_identity::hash::Blake2b::new(out.len(), key).unwrap();
            h.update(text);
            h.finalize_into(&mut out).unwrap();
            assert_eq!(out, expected);
            blake += 1;
        }
    }
    assert_eq!((blake, message), (4, 1));
}

fn desktop_keys(file: &Value) -> (Identity, Identity, SessionId) {
    let keys = file["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["kind"] == "desktop_signing_keys_for_examples")
        .unwrap();
    let user_seed: [u8; 32] = hex::decode(keys["user_ed25519_seed"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let user = Identity::from_seed(Seed::from_full_bytes(user_seed));
    assert_eq!(
        user.ed25519_public_key().to_hex(),
        keys["user_ed25519_pk"].as_str().unwrap()
    );
    let group_seed: [u8; 32] = hex::decode(keys["group_ed25519_seed"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let group = Identity::from_seed(Seed::from_full_bytes(group_seed));
    let group_id = SessionId::parse(keys["group_id"].as_str().unwrap()).unwrap();
    assert_eq!(Signer::group_admin(&group).account(), group_id);
    assert_eq!(keys["timestamp"], 1234);
    (user, group, group_id)
}

fn hashes(n: usize) -> Vec<MessageHash> {
    (0..n)
        .map(|i| MessageHash::parse(&STANDARD_NO_PAD.encode([i as u8; 32])).unwrap())
        .collect()
}

/// Checks a built request: it carries the signature of `expected` by the signer, which
/// verifies, and for 05 accounts `pubkey_ed25519`.
fn check_signed(request: &StorageRequest, expected: &str, signer_key: &Identity, user: bool) {
    assert_eq!(request.signed_message().unwrap(), expected.as_bytes());
    let params = request.params();
    let signature = STANDARD
        .decode(params["signature"].as_str().unwrap())
        .unwrap();
    let signature = session_identity::Signature::from_slice(&signature).unwrap();
    signer_key
        .ed25519_public_key()
        .verify(expected.as_bytes(), &signature)
        .unwrap();
    assert_eq!(params.contains_key("pubkey_ed25519"), user);
    if user {
        assert_eq!(
            params["pubkey_ed25519"].as_str().unwrap(),
            signer_key.ed25519_public_key().to_hex()
        );
    }
}

#[test]
fn storage_rpc_vectors() {
    let file = load("storage_rpc.json");
    let (user, group, group_id) = desktop_keys(&file);
    let user_signer = Signer::user(&user);
    let group_signer = Signer::group_admin(&group);
    let now = Timestamp::from_millis(1_700_000_000_000);
    let ts = now.as_millis();
    let h = hashes(2);
    let hs: Vec<&str> = h.iter().map(MessageHash::as_str).collect();
    let joined = hs.concat();
    let (mut formats, mut examples, mut keys, mut revocations) = (0, 0, 0, 0);
    for v in file["vectors"].as_array().unwrap() {
        let method = v["method"].as_str().unwrap_or_default();
        match v["kind"].as_str().unwrap() {
            "signature_message_format" => {
                formats += 1;
                let format = v["format"].as_str().unwrap();
                assert!(format.starts_with(&format!("'{method}'")), "{format}");
                match method {
                    "store" => {
                        for (ns, text) in [(0, ""), (3, "3"), (-10, "-10"), (-11, "-11")] {
                            let ns = Namespace::new(ns);
                            let signer = if ns.store_needs_auth() {
                                &user_signer
                            } else {
                                // Public inbox: stores are unsigned.
                                let r = StorageRequest::store(
                                    &user.session_id(),
                                    ns,
                                    b"x",
                                    60_000,
                                    now,
                                    Some(&user_signer),
                                )
                                .unwrap();
                                assert_eq!(r.signed_message(), None);
                                assert_eq!(
                                    SignedAction::Store {
                                        namespace: ns,
                                        timestamp: now
                                    }
                                    .message(),
                                    format!("store{text}{ts}").as_bytes()
                                );
                                continue;
                            };
                            let r = StorageRequest::store(
                                &user.session_id(),
                                ns,
                                b"x",
                                60_000,
                                now,
                                Some(signer),
                            )
                            .unwrap();
                            check_signed(&r, &format!("store{text}{ts}"), &user, true);
                            assert_eq!(r.params()["sig_timestamp"], ts);
                        }
                        let r = StorageRequest::store(
                            &group_id,
                            Namespace::GROUP_MESSAGES,
                            b"x",
                            60_000,
                            now,
                            Some(&group_signer),
                        )
                        .unwrap();
                        check_signed(&r, &format!("store11{ts}"), &group, false);
                    }
                    "retrieve" => {
                        let r =
                            StorageRequest::retrieve(&user_signer, Namespace::DEFAULT, None, now);
                        check_signed(&r, &format!("retrieve{ts}"), &user, true);
                        let r = StorageRequest::retrieve(
                            &group_signer,
                            Namespace::GROUP_INFO,
                            None,
                            now,
                        );
                        check_signed(&r, &format!("retrieve13{ts}"), &group, false);
                    }
                    "delete_all" => {
                        let r =
                            StorageRequest::delete_all(&user_signer, NamespaceSelector::All, now);
                        check_signed(&r, &format!("delete_allall{ts}"), &user, true);
                        let r = StorageRequest::delete_all(
                            &user_signer,
                            Namespace::DEFAULT.into(),
                            now,
                        );
                        check_signed(&r, &format!("delete_all{ts}"), &user, true);
                        let r = StorageRequest::delete_all(
                            &user_signer,
                            Namespace::new(-10).into(),
                            now,
                        );
                        check_signed(&r, &format!("delete_all-10{ts}"), &user, true);
                    }
                    "delete" => {
                        let r = StorageRequest::delete(&user_signer, &h, false).unwrap();
                        check_signed(&r, &format!("delete{joined}"), &user, true);
                    }
                    "delete_before" => {
                        let before = now.saturating_sub_millis(5);
                        let r = StorageRequest::delete_before(
                            &user_signer,
                            NamespaceSelector::All,
                            before,
                            now,
                        )
                        .unwrap();
                        check_signed(&r, &format!("delete_beforeall{}", ts - 5), &user, true);
                        let r = StorageRequest::delete_before(
                            &group_signer,
                            Namespace::GROUP_KEYS.into(),
                            before,
                            now,
                        )
                        .unwrap();
                        check_signed(&r, &format!("delete_before12{}", ts - 5), &group, false);
                    }
                    "expire_all" => {
                        let expiry = now.saturating_add_millis(1000);
                        let r = StorageRequest::expire_all(
                            &user_signer,
                            Namespace::DEFAULT.into(),
                            expiry,
                            now,
                        )
                        .unwrap();
                        check_signed(&r, &format!("expire_all{}", ts + 1000), &user, true);
                        let r = StorageRequest::expire_all(
                            &user_signer,
                            NamespaceSelector::All,
                            expiry,
                            now,
                        )
                        .unwrap();
                        check_signed(&r, &format!("expire_allall{}", ts + 1000), &user, true);
                    }
                    "expire" => {
                        let expiry = now.saturating_add_millis(1000);
                        for (mode, word) in [
                            (ExpiryMode::Set, ""),
                            (ExpiryMode::Shorten, "shorten"),
                            (ExpiryMode::Extend, "extend"),
                        ] {
                            let r = StorageRequest::expire(&user_signer, &h, expiry, mode, now)
                                .unwrap();
                            check_signed(
                                &r,
                                &format!("expire{word}{}{joined}", ts + 1000),
                                &user,
                                true,
                            );
                        }
                    }
                    "get_expiries" => {
                        let r = StorageRequest::get_expiries(&user_signer, &h, now).unwrap();
                        check_signed(&r, &format!("get_expiries{ts}{joined}"), &user, true);
                    }
                    // Signed by the group key over name ‖ timestamp ‖ the raw tokens.
                    "revoke_subaccount" | "unrevoke_subaccount" => {
                        assert!(format.contains("concat(tokens)"));
                        let tokens = [
                            session_swarm::subaccount::SubaccountToken::from_bytes([3; 36]),
                            session_swarm::subaccount::SubaccountToken::from_bytes([4; 36]),
                        ];
                        let r = if method == "revoke_subaccount" {
                            StorageRequest::revoke_subaccount(&group, &tokens, now)
                        } else {
                            StorageRequest::unrevoke_subaccount(&group, &tokens, now)
                        }
                        .unwrap();
                        let mut expected = format!("{method}{ts}").into_bytes();
                        expected.extend_from_slice(&[3; 36]);
                        expected.extend_from_slice(&[4; 36]);
                        assert_eq!(r.signed_message(), Some(&expected[..]));
                        assert_eq!(r.method().name(), method);
                        revocations += 1;
                    }
                    other => panic!("unexpected method {other}"),
                }
            }
            "signature_message_example" => {
                examples += 1;
                let template = v["message_template"].as_str().unwrap();
                let messages = ["hash4321", "hash4221"];
                let t = Timestamp::from_millis(1234);
                let (action, expected) = match (method, template) {
                    ("retrieve", "retrieve9991693340111000") => (
                        SignedAction::Retrieve {
                            namespace: Namespace::new(999),
                            timestamp: Timestamp::from_millis(1_693_340_111_000),
                        },
                        template.to_owned(),
                    ),
                    ("retrieve", "retrieve{ClosedGroupInfo ns}1234") => (
                        SignedAction::Retrieve {
                            namespace: Namespace::GROUP_INFO,
                            timestamp: t,
                        },
                        "retrieve131234".to_owned(),
                    ),
                    ("store", "store{ns}1234") => (
                        SignedAction::Store {
                            namespace: Namespace::GROUP_MESSAGES,
                            timestamp: t,
                        },
                        "store111234".to_owned(),
                    ),
                    ("delete", _) => (
                        SignedAction::Delete {
                            messages: &messages,
                        },
                        template.to_owned(),
                    ),
                    ("expire", _) => (
                        SignedAction::Expire {
                            mode: ExpiryMode::Set,
                            expiry: t,
                            messages: &messages,
                        },
                        template.to_owned(),
                    ),
                    ("store", "store42{ts}") => (
                        SignedAction::Store {
                            namespace: Namespace::new(42),
                            timestamp: now,
                        },
                        format!("store42{ts}"),
                    ),
                    ("store", "store-42{ts}") => (
                        SignedAction::Store {
                            namespace: Namespace::new(-42),
                            timestamp: now,
                        },
                        format!("store-42{ts}"),
                    ),
                    ("retrieve", "retrieve{ts}") => (
                        SignedAction::Retrieve {
                            namespace: Namespace::DEFAULT,
                            timestamp: now,
                        },
                        format!("retrieve{ts}"),
                    ),
                    ("delete_all", "delete_allall{ts}") => (
                        SignedAction::DeleteAll {
                            namespace: NamespaceSelector::All,
                            timestamp: now,
                        },
                        format!("delete_allall{ts}"),
                    ),
                    ("store", "store999{now_ms}") => (
                        SignedAction::Store {
                            namespace: Namespace::new(999),
                            timestamp: now,
                        },
                        format!("store999{ts}"),
                    ),
                    other => panic!("unexpected example {other:?}"),
                };
                assert_eq!(action.message(), expected.as_bytes(), "{template}");
                assert_eq!(action.method(), method);
                // Signed by the desktop keys, the signature verifies (Ed25519 is deterministic).
                let signer =
                    if template.starts_with("store{ns}") || template.contains("ClosedGroup") {
                        &group_signer
                    } else {
                        &user_signer
                    };
                let key = if std::ptr::eq(signer, &group_signer) {
                    &group
                } else {
                    &user
                };
                key.ed25519_public_key()
                    .verify(expected.as_bytes(), &signer.sign(&action))
                    .unwrap();
                // The "expire12341hash…" and single-hash variants must not match.
                if method == "expire" {
                    assert_ne!(action.message(), b"expire12341hash4321hash4221");
                    assert_ne!(action.message(), b"expire1234hash4321");
                }
            }
            "desktop_signing_keys_for_examples" => keys += 1,
            other => panic!("unknown kind {other}"),
        }
    }
    assert_eq!((formats, examples, keys, revocations), (10, 10, 1, 2));
}
