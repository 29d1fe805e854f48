//! Replays the group keys vectors (session-groups' `tests/data/`, from the reference) through
//! `handle_line`: `group_keys.rekey` and `group_keys.supplement` give the reference's bytes,
//! `group_keys.load` its per-message results and final state, `multi.encrypt_simple` (with
//! the recorded randomness) its encoding; bad requests are refused with `bad_request`.
#![allow(clippy::unwrap_used)]

mod common;

use common::{call_err, call_ok, records, s};
use serde_json::{json, Value};

const KEYS: &str = include_str!("../../session-groups/tests/data/group_keys.json");
const REKEY: &str = include_str!("../../session-groups/tests/data/group_rekey.json");
const MULTI: &str = include_str!("../../session-groups/tests/data/multi_encrypt.json");

fn of(op: &str) -> Vec<Value> {
    records(KEYS)
        .into_iter()
        .filter(|r| r["op"] == op)
        .collect()
}

#[test]
fn rekey_matches_the_reference() {
    for r in of("group_keys_rekey") {
        for seed in [&r["group_seed"], &r["group_ed25519_sk"]] {
            let out = call_ok(json!({"op": "group_keys.rekey", "group_seed": seed,
                "generation": r["generation"], "member_session_ids": r["member_session_ids"]}));
            assert_eq!(out["key_message"], r["key_message"], "{}", s(&r["case"]));
            assert_eq!(out["enc_key"], r["enc_key"]);
        }
    }
    for r in records(REKEY) {
        let out = call_ok(
            json!({"op": "group_keys.rekey", "group_seed": r["group_seed"],
            "generation": 0, "member_session_ids": r["member_session_ids"]}),
        );
        assert_eq!(out["enc_key"], r["group_enc_key"], "{}", s(&r["case"]));
    }
}

#[test]
fn supplement_matches_the_reference() {
    for r in of("group_keys_supplement") {
        let keys: Vec<Value> = r["admin_keys"].as_array().unwrap().clone();
        let out = call_ok(
            json!({"op": "group_keys.supplement", "group_seed": r["group_seed"],
            "keys": keys, "member_session_ids": r["member_session_ids"]}),
        );
        assert_eq!(out["message"], r["supplement_message"], "{}", s(&r["case"]));
        for load in r["loads"].as_array().unwrap() {
            let out = call_ok(
                json!({"op": "group_keys.load", "seed": load["user_ed25519_sk"],
                "group_ed25519_pk": r["group_ed25519_pk"], "group_seed": load["group_ed25519_sk"],
                "messages": [{"hash": "s", "data": r["supplement_message"],
                              "timestamp_ms": load["timestamp_ms"]}]}),
            );
            assert_eq!(out["results"][0]["found"], load["found"]);
            assert_eq!(out["keys"], load["keys_after"]);
        }
    }
}

#[test]
fn load_matches_the_reference() {
    let recs = of("group_keys_load");
    assert_eq!(recs.len(), 31);
    for r in recs {
        let case = s(&r["case"]);
        let messages: Vec<Value> = r["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| json!({"hash": m["hash"], "data": m["data"], "timestamp_ms": m["timestamp_ms"]}))
            .collect();
        let out = call_ok(
            json!({"op": "group_keys.load", "seed": r["user_ed25519_sk"],
            "group_ed25519_pk": r["group_ed25519_pk"], "group_seed": r["group_ed25519_sk"],
            "messages": messages}),
        );
        for (i, (got, want)) in out["results"]
            .as_array()
            .unwrap()
            .iter()
            .zip(r["messages"].as_array().unwrap())
            .enumerate()
        {
            assert_eq!(got["found"], want["found"], "{case}[{i}]");
            assert_eq!(
                got["rejected"],
                json!(!want["error"].is_null()),
                "{case}[{i}]"
            );
            assert_eq!(got["keys"], want["keys_after"], "{case}[{i}]");
            assert_eq!(got["generation"], want["current_generation"], "{case}[{i}]");
        }
        assert_eq!(out["keys"], r["final_keys"], "{case}");
        assert_eq!(out["enc_key"], r["final_enc_key"], "{case}");
        let mut hashes: Vec<Value> = out["current_hashes"].as_array().unwrap().clone();
        hashes.sort_by(|a, b| s(a).cmp(s(b)));
        assert_eq!(Value::Array(hashes), r["current_hashes"], "{case}");
    }
}

#[test]
fn multi_encrypt_matches_the_reference() {
    for r in records(MULTI) {
        let case = s(&r["case"]);
        let recipients: Vec<Value> = r["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["x25519_pk"].clone())
            .collect();
        let out = call_ok(
            json!({"op": "multi.encrypt_simple", "seed": r["sender_ed25519_sk"],
            "recipients": recipients, "messages": r["messages"], "domain": r["domain"],
            "nonce": r["nonce"], "pad": r["pad"], "rng_bytes": r["rng_consumed"]}),
        );
        assert_eq!(out["encoded"], r["encoded"], "{case}");
        for (p, want) in r["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .zip(r["decrypted_per_recipient"].as_array().unwrap())
        {
            let out = call_ok(
                json!({"op": "multi.decrypt_simple", "seed": p["ed25519_sk"],
                "sender_x25519_pk": r["sender_x25519_pk"], "encoded": r["encoded"],
                "domain": r["domain"]}),
            );
            assert_eq!(&out["message"], want, "{case}");
        }
        let stranger = "11".repeat(32);
        let kind = call_err(json!({"op": "multi.decrypt_simple", "seed": stranger,
            "sender_x25519_pk": r["sender_x25519_pk"], "encoded": r["encoded"],
            "domain": r["domain"]}));
        assert_eq!(kind, "crypto");
    }
}

#[test]
fn bad_requests_are_refused() {
    let seed = "22".repeat(32);
    let id = format!("05{}", "33".repeat(32));
    for request in [
        json!({"op": "group_keys.rekey", "group_seed": "22", "generation": 0, "member_session_ids": []}),
        json!({"op": "group_keys.rekey", "group_seed": seed, "generation": -1, "member_session_ids": []}),
        json!({"op": "group_keys.rekey", "group_seed": seed, "generation": 0, "member_session_ids": ["zz"]}),
        json!({"op": "group_keys.rekey", "group_seed": seed, "generation": 0, "member_session_ids": [format!("03{}", "33".repeat(32))]}),
        json!({"op": "group_keys.rekey", "group_seed": seed, "member_session_ids": [id]}),
        json!({"op": "group_keys.supplement", "group_seed": seed, "keys": [], "member_session_ids": [id]}),
        json!({"op": "group_keys.supplement", "group_seed": seed, "keys": [{"generation": 0, "key": "00", "timestamp_ms": 1}], "member_session_ids": [id]}),
        json!({"op": "group_keys.load", "seed": seed, "group_ed25519_pk": "00", "messages": []}),
        json!({"op": "group_keys.load", "seed": seed, "group_ed25519_pk": seed, "messages": [{"hash": "h", "data": "zz", "timestamp_ms": 0}]}),
        json!({"op": "group_keys.load", "seed": seed, "group_ed25519_pk": seed, "messages": [{"hash": 1, "data": "", "timestamp_ms": 0}]}),
    ] {
        assert_eq!(call_err(request.clone()), "bad_request", "{request}");
    }
    // A hostile message is a rejected result, not a failed request.
    let group = call_ok(json!({"op": "identity.from_seed", "seed": seed}));
    let out = call_ok(json!({"op": "group_keys.load", "seed": seed,
        "group_ed25519_pk": group["ed25519_pk"],
        "messages": [{"hash": "h", "data": "6465", "timestamp_ms": 0}]}));
    assert_eq!(out["results"][0]["rejected"], json!(true));
    assert_eq!(out["enc_key"], Value::Null);
    assert_eq!(out["current_hashes"], json!([]));
}
