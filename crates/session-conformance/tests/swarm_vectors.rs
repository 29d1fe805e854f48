//! Replays the swarm and storage-signature vectors through `handle_line` (§2.7–2.8):
//! `shared/vectors/reference-tests/{swarm,storage_rpc}.json` and
//! `shared/vectors/libsession-generated/{swarm_space,swarm_select}.json`, copied to
//! `tests/data/swarm_*`.
#![allow(clippy::unwrap_used)]

mod common;

use common::{call_err, call_ok, records, vectors};
use serde_json::{json, Value};

const REFERENCE: &str = include_str!("data/swarm_reference.json");
const SPACE: &str = include_str!("data/swarm_space.json");
const SELECT: &str = include_str!("data/swarm_select.json");
const STORAGE: &str = include_str!("data/swarm_storage_rpc.json");

/// The reference vectors' pubkeys are 33 bytes; one has a made-up `ff` prefix, which the op
/// refuses, so that one goes in as its bare 32-byte key.
fn op_pubkey(pubkey: &str) -> String {
    if pubkey.starts_with("05") || pubkey.starts_with("03") {
        pubkey.to_owned()
    } else {
        pubkey[2..].to_owned()
    }
}

#[test]
fn reference_swarm_vectors() {
    let (mut spaces, mut selections) = (0, 0);
    for v in vectors(REFERENCE) {
        let pubkey = op_pubkey(v["pubkey"].as_str().unwrap());
        match v["kind"].as_str().unwrap() {
            "pubkey_to_swarm_space" => {
                let r = call_ok(json!({"op": "swarm.space", "pubkey": pubkey}));
                assert_eq!(r["space"], v["swarm_space"], "{v}");
                // The bare key gives the same answer.
                let r =
                    call_ok(json!({"op": "swarm.space", "pubkey": &pubkey[pubkey.len() - 64..]}));
                assert_eq!(r["space"], v["swarm_space"]);
                spaces += 1;
            }
            "get_swarm_by_pk" => {
                let r = call_ok(json!({"op": "swarm.select", "pubkey": pubkey,
                                       "swarm_ids": v["swarm_ids"]}));
                assert_eq!(r["swarm_id"], v["expected_swarm_id"], "{v}");
                selections += 1;
            }
            other => panic!("unknown kind {other}"),
        }
    }
    assert_eq!((spaces, selections), (10, 32));
}

#[test]
fn generated_swarm_space_vectors() {
    let all = records(SPACE);
    for v in &all {
        let r = call_ok(json!({"op": "swarm.space", "pubkey": v["x25519_pubkey"]}));
        assert_eq!(r["space"], v["swarm_space"], "{}", v["case"]);
        let r = call_ok(json!({"op": "swarm.space",
                               "pubkey": format!("05{}", v["x25519_pubkey"].as_str().unwrap())}));
        assert_eq!(r["space"], v["swarm_space"]);
    }
    assert_eq!(all.len(), 11);
}

#[test]
fn generated_swarm_select_vectors() {
    let all = records(SELECT);
    for v in &all {
        let r = call_ok(json!({"op": "swarm.space", "pubkey": v["x25519_pubkey"]}));
        assert_eq!(r["space"], v["swarm_space"], "{}", v["case"]);
        for ids in [&v["node_swarm_ids"], &v["sorted_swarm_ids"]] {
            let r = call_ok(json!({"op": "swarm.select", "pubkey": v["x25519_pubkey"],
                                   "swarm_ids": ids}));
            assert_eq!(r["swarm_id"], v["selected_swarm_id"], "{}", v["case"]);
        }
    }
    assert_eq!(all.len(), 13);
}

#[test]
fn swarm_op_errors() {
    let key = "11".repeat(32);
    for request in [
        json!({"op": "swarm.space"}),
        json!({"op": "swarm.space", "pubkey": "11".repeat(31)}),
        json!({"op": "swarm.space", "pubkey": format!("15{key}")}),
        json!({"op": "swarm.space", "pubkey": format!("ff{key}")}),
        json!({"op": "swarm.space", "pubkey": "1"}),
        json!({"op": "swarm.select", "pubkey": key, "swarm_ids": []}),
        json!({"op": "swarm.select", "pubkey": key}),
        json!({"op": "swarm.select", "pubkey": key, "swarm_ids": ["12a"]}),
        json!({"op": "swarm.select", "pubkey": key, "swarm_ids": ["-1"]}),
        json!({"op": "swarm.select", "pubkey": key, "swarm_ids": [""]}),
        json!({"op": "swarm.select", "pubkey": key, "swarm_ids": ["18446744073709551616"]}),
        json!({"op": "swarm.select", "pubkey": key, "swarm_ids": [true]}),
        // Swarm ids are decimal strings; a JSON number is ill-typed, alone or among strings.
        json!({"op": "swarm.select", "pubkey": key, "swarm_ids": [5]}),
        json!({"op": "swarm.select", "pubkey": key, "swarm_ids": ["5", 6]}),
        json!({"op": "swarm.select", "pubkey": key, "swarm_ids": [" 5"]}),
        json!({"op": "swarm.select", "pubkey": key, "swarm_ids": "5"}),
    ] {
        assert_eq!(call_err(request.clone()), "bad_request", "{request}");
    }
    let r = call_ok(json!({"op": "swarm.select", "pubkey": key,
                           "swarm_ids": ["18446744073709551615"]}));
    assert_eq!(r["swarm_id"], "18446744073709551615");
}

/// Standard base64 (test-only, to check the op's encoding independently).
fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.trim_end_matches('=').bytes() {
        bits = (bits << 6) | ALPHABET.iter().position(|&a| a == c).unwrap() as u32;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    out
}

/// Signs through `storage.sign` and checks the signed bytes, the base64 signature (against
/// `ed25519.sign` of the same bytes) and the public key.
fn sign(seed: &str, mut request: Value, expected: &str) {
    request["op"] = json!("storage.sign");
    request["seed"] = json!(seed);
    let r = call_ok(request.clone());
    assert_eq!(
        r["signed_message"],
        json!(hex::encode(expected)),
        "{request} → {}",
        String::from_utf8_lossy(&hex::decode(r["signed_message"].as_str().unwrap()).unwrap())
    );
    let b64 = r["signature_b64"].as_str().unwrap();
    assert_eq!(b64.len(), 88);
    assert!(b64.ends_with("=="));
    let plain = call_ok(json!({"op": "ed25519.sign", "seed": seed,
                               "message": hex::encode(expected)}));
    assert_eq!(
        hex::encode(base64_decode(b64)),
        plain["signature"].as_str().unwrap()
    );
    let id = call_ok(json!({"op": "identity.from_seed", "seed": seed}));
    assert_eq!(r["pubkey_ed25519"], id["ed25519_pk"]);
}

#[test]
fn storage_rpc_vectors() {
    let all = vectors(STORAGE);
    let keys = all
        .iter()
        .find(|v| v["kind"] == "desktop_signing_keys_for_examples")
        .unwrap();
    let user = keys["user_ed25519_seed"].as_str().unwrap();
    let group = keys["group_ed25519_seed"].as_str().unwrap();
    let ts = 1_700_000_000_000u64;
    let h = ["hash4321", "hash4221"];
    let (mut formats, mut examples, mut key_records, mut unsupported) = (0, 0, 0, 0);
    for v in &all {
        let method = v["method"].as_str().unwrap_or_default();
        match v["kind"].as_str().unwrap() {
            "signature_message_format" => {
                formats += 1;
                match method {
                    "store" | "retrieve" => {
                        for (ns, text) in [
                            (json!(null), ""),
                            (json!(0), ""),
                            (json!(-10), "-10"),
                            (json!(13), "13"),
                        ] {
                            sign(
                                user,
                                json!({"method": method, "namespace": ns, "timestamp_ms": ts}),
                                &format!("{method}{text}{ts}"),
                            );
                        }
                    }
                    "delete_all" | "delete_before" | "expire_all" => {
                        let field = match method {
                            "delete_all" => "timestamp_ms",
                            "delete_before" => "before_ms",
                            _ => "expiry_ms",
                        };
                        for (ns, text) in [
                            (json!("all"), "all"),
                            (json!(0), ""),
                            (json!(null), ""),
                            (json!(-11), "-11"),
                        ] {
                            sign(
                                user,
                                json!({"method": method, "namespace": ns, field: ts}),
                                &format!("{method}{text}{ts}"),
                            );
                        }
                    }
                    "delete" => sign(
                        user,
                        json!({"method": "delete", "messages": h}),
                        "deletehash4321hash4221",
                    ),
                    "expire" => {
                        for (flags, word) in [
                            (json!({}), ""),
                            (json!({"shorten": true}), "shorten"),
                            (json!({"extend": true}), "extend"),
                            (json!({"shorten": false, "extend": false}), ""),
                        ] {
                            let mut request =
                                json!({"method": "expire", "messages": h, "expiry_ms": ts});
                            for (k, val) in flags.as_object().unwrap() {
                                request[k] = val.clone();
                            }
                            sign(user, request, &format!("expire{word}{ts}hash4321hash4221"));
                        }
                    }
                    "get_expiries" => sign(
                        user,
                        json!({"method": "get_expiries", "messages": h, "timestamp_ms": ts}),
                        &format!("get_expiries{ts}hash4321hash4221"),
                    ),
                    // No conformance op signs subaccount revocations (CONFORMANCE.md §2.8).
                    "revoke_subaccount" | "unrevoke_subaccount" => {
                        assert_eq!(
                            call_err(json!({"op": "storage.sign", "seed": user, "method": method,
                                                   "timestamp_ms": ts})),
                            "bad_request"
                        );
                        unsupported += 1;
                    }
                    other => panic!("unexpected method {other}"),
                }
            }
            "signature_message_example" => {
                examples += 1;
                let template = v["message_template"].as_str().unwrap();
                let (seed, request, expected) = match template {
                    "retrieve9991693340111000" => (
                        user,
                        json!({"method": "retrieve", "namespace": 999, "timestamp_ms": 1_693_340_111_000u64}),
                        template.to_owned(),
                    ),
                    "retrieve{ClosedGroupInfo ns}1234" => (
                        group,
                        json!({"method": "retrieve", "namespace": 13, "timestamp_ms": 1234}),
                        "retrieve131234".to_owned(),
                    ),
                    "store{ns}1234" => (
                        group,
                        json!({"method": "store", "namespace": 11, "timestamp_ms": 1234}),
                        "store111234".to_owned(),
                    ),
                    "deletehash4321hash4221" => (
                        user,
                        json!({"method": "delete", "messages": h}),
                        template.to_owned(),
                    ),
                    "expire1234hash4321hash4221" => (
                        user,
                        json!({"method": "expire", "messages": h, "expiry_ms": 1234}),
                        template.to_owned(),
                    ),
                    "store42{ts}" => (
                        user,
                        json!({"method": "store", "namespace": 42, "timestamp_ms": ts}),
                        format!("store42{ts}"),
                    ),
                    "store-42{ts}" => (
                        user,
                        json!({"method": "store", "namespace": -42, "timestamp_ms": ts}),
                        format!("store-42{ts}"),
                    ),
                    "retrieve{ts}" => (
                        user,
                        json!({"method": "retrieve", "timestamp_ms": ts}),
                        format!("retrieve{ts}"),
                    ),
                    "delete_allall{ts}" => (
                        user,
                        json!({"method": "delete_all", "namespace": "all", "timestamp_ms": ts}),
                        format!("delete_allall{ts}"),
                    ),
                    "store999{now_ms}" => (
                        group,
                        json!({"method": "store", "namespace": 999, "timestamp_ms": ts}),
                        format!("store999{ts}"),
                    ),
                    other => panic!("unexpected example {other}"),
                };
                assert_eq!(request["method"], method);
                sign(seed, request, &expected);
            }
            "desktop_signing_keys_for_examples" => {
                key_records += 1;
                let id = call_ok(json!({"op": "identity.from_seed", "seed": user}));
                assert_eq!(id["ed25519_pk"], keys["user_ed25519_pk"]);
                let id = call_ok(json!({"op": "identity.from_seed", "seed": group}));
                assert_eq!(
                    format!("03{}", id["ed25519_pk"].as_str().unwrap()),
                    keys["group_id"].as_str().unwrap()
                );
            }
            other => panic!("unknown kind {other}"),
        }
    }
    assert_eq!(
        (formats, examples, key_records, unsupported),
        (10, 10, 1, 2)
    );
}

#[test]
fn storage_sign_errors() {
    let seed = "00".repeat(32);
    for request in [
        json!({"method": "store"}),
        json!({"method": "store", "timestamp_ms": -1}),
        json!({"method": "store", "timestamp_ms": "1"}),
        json!({"method": "store", "timestamp_ms": 1.0}),
        json!({"method": "store", "timestamp_ms": 1, "namespace": 1.0}),
        json!({"method": "store", "timestamp_ms": 1, "namespace": "all"}),
        json!({"method": "store", "timestamp_ms": 1, "namespace": 40000}),
        json!({"method": "store", "timestamp_ms": 1, "namespace": "5"}),
        json!({"method": "delete_all", "timestamp_ms": 1, "namespace": "everything"}),
        json!({"method": "delete"}),
        json!({"method": "delete", "messages": []}),
        json!({"method": "delete", "messages": [1]}),
        json!({"method": "expire", "messages": ["a"], "expiry_ms": 1, "shorten": true, "extend": true}),
        json!({"method": "expire", "messages": ["a"]}),
        json!({"method": "expire", "messages": ["a"], "expiry_ms": 1, "shorten": "yes"}),
        json!({"method": "get_expiries", "timestamp_ms": 1}),
        json!({"method": "revoke_subaccount", "timestamp_ms": 1}),
        json!({"method": "info"}),
        json!({"method": 5}),
        json!({}),
    ] {
        let mut request = request;
        request["op"] = json!("storage.sign");
        request["seed"] = json!(seed);
        assert_eq!(call_err(request.clone()), "bad_request", "{request}");
    }
    assert_eq!(
        call_err(json!({"op": "storage.sign", "method": "store", "timestamp_ms": 1})),
        "bad_request"
    );
}
