//! §2.11 and §2.12 through `handle_line`: the reference and generated config-encryption
//! vectors, and the generated account-config scripts (shared with session-config's tests).
#![allow(clippy::unwrap_used)]

mod common;

use common::{call, call_err, call_ok, records, vectors};
use serde_json::{json, Value};

const GENERATED: &str =
    include_str!("../../session-config/tests/data/config_encrypt_generated.json");
const REFERENCE: &str =
    include_str!("../../session-config/tests/data/config_encrypt_reference.json");
const SCRIPTS: &str = include_str!("../../session-config/tests/data/user_config.json");
const GROUP_SCRIPTS: &str = include_str!("../../session-config/tests/data/group_config.json");

#[test]
fn generated_encryption() {
    let recs = records(GENERATED);
    assert_eq!(recs.len(), 16);
    for r in &recs {
        match r["op"].as_str().unwrap() {
            "config_encrypt" => {
                let out = call_ok(json!({"op": "config.encrypt", "message": r["message"],
                    "key_base": r["key_base"], "domain": r["domain"], "pad": r["pad"]}));
                assert_eq!(out["ciphertext"], r["ciphertext"], "{}", r["case"]);
                let back = call_ok(
                    json!({"op": "config.decrypt", "ciphertext": r["ciphertext"],
                    "key_base": r["key_base"], "domain": r["domain"]}),
                );
                assert_eq!(back["plaintext"], r["decrypted"], "{}", r["case"]);
            }
            _ => {
                let kind = call_err(
                    json!({"op": "config.decrypt", "ciphertext": r["ciphertext"],
                    "key_base": r["key_base"], "domain": r["domain"]}),
                );
                assert_eq!(kind, "crypto", "{}", r["case"]);
            }
        }
    }
}

#[test]
fn reference_encryption_and_argument_errors() {
    let v = &vectors(REFERENCE)[0];
    let message = hex::encode(v["message_utf8"].as_str().unwrap());
    let out = call_ok(
        json!({"op": "config.encrypt", "message": message, "key_base": v["key"],
        "domain": "test-suite1"}),
    );
    assert_eq!(out["ciphertext"], v["ciphertext"]);
    for domain in ["", "abcdefghijklmnopqrstuvwxy"] {
        let kind = call_err(
            json!({"op": "config.encrypt", "message": "00", "key_base": v["key"],
            "domain": domain}),
        );
        assert_eq!(kind, "bad_request");
    }
    let kind = call_err(
        json!({"op": "config.encrypt", "message": "00", "key_base": "00",
        "domain": "x"}),
    );
    assert_eq!(kind, "bad_request");
    let empty = call_ok(
        json!({"op": "config.encrypt", "message": "", "key_base": v["key"],
        "domain": "x"}),
    );
    let back = call_ok(
        json!({"op": "config.decrypt", "ciphertext": empty["ciphertext"],
        "key_base": v["key"], "domain": "x"}),
    );
    assert_eq!(back["plaintext"], json!(""));
}

/// Runs a generated script through `config.script` and compares what this runner covers.
fn check_script(script: &Value) -> usize {
    let steps: Vec<Value> = script["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let mut s = s.clone();
            s.as_object_mut().unwrap().remove("expect");
            s.as_object_mut().unwrap().remove("label");
            s
        })
        .collect();
    let request = if script["seed"].is_string() {
        json!({"op": "config.script", "kind": script["kind"], "seed": script["seed"],
        "steps": steps})
    } else {
        // A group: the admin's 64-byte secret key is the group seed of §2.12.
        let mut request = json!({"op": "config.script", "kind": script["kind"],
            "group_ed25519_pk": script["group_ed25519_pk"],
            "group_enc_keys": script["group_enc_keys"], "steps": steps});
        if script["group_ed25519_sk"].is_string() {
            request["group_seed"] = script["group_ed25519_sk"].clone();
        }
        request
    };
    let out = call(request);
    assert_eq!(out["ok"], json!(true), "{out}");
    let results = out["results"].as_array().unwrap();
    let mut compared = 0;
    for (step, result) in script["steps"].as_array().unwrap().iter().zip(results) {
        let expect = &step["expect"];
        let at = format!("{} {}", script["case"], step["do"]);
        match step["do"].as_str().unwrap() {
            "push" => {
                assert_eq!(result["seqno"], expect["seqno"], "{at}");
                assert_eq!(result["plaintext"], expect["plaintext"], "{at}");
                if expect["compressed"] == json!(false) {
                    assert_eq!(result["pushed"], expect["pushed"], "{at}");
                }
                let mut want: Vec<&str> = expect["obsolete"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap())
                    .collect();
                want.sort_unstable();
                assert_eq!(result["obsolete"], json!(want), "{at}");
            }
            "merge" => assert_eq!(result["accepted"], expect["accepted"], "{at}"),
            "current_hashes" => assert_eq!(result["hashes"], expect["hashes"], "{at}"),
            "state" => assert_eq!(result, expect, "{at}"),
            "set" | "set_item" | "erase_item" | "confirm_pushed" => {
                assert_eq!(result, &Value::Null, "{at}")
            }
            "dump" => assert!(result["dump"].is_string(), "{at}"),
            other => panic!("{at}: unknown step {other}"),
        }
        compared += 1;
    }
    compared
}

#[test]
fn generated_user_config_scripts() {
    let scripts = records(SCRIPTS);
    assert_eq!(scripts.len(), 16);
    let mut kinds = std::collections::BTreeMap::new();
    let mut compared = 0;
    for script in &scripts {
        *kinds
            .entry(script["kind"].as_str().unwrap().to_owned())
            .or_insert(0) += 1;
        compared += check_script(script);
    }
    // Every step of every script, in all four account configs.
    let counts: Vec<(&str, i32)> = kinds.iter().map(|(k, n)| (k.as_str(), *n)).collect();
    assert_eq!(
        counts,
        [
            ("contacts", 6),
            ("convo_info_volatile", 2),
            ("user_groups", 4),
            ("user_profile", 4)
        ]
    );
    assert_eq!(compared, 105);
}

#[test]
fn generated_group_config_scripts() {
    let scripts = records(GROUP_SCRIPTS);
    assert_eq!(scripts.len(), 5);
    let mut kinds = std::collections::BTreeMap::new();
    let mut compared = 0;
    for script in &scripts {
        *kinds
            .entry(script["kind"].as_str().unwrap().to_owned())
            .or_insert(0) += 1;
        compared += check_script(script);
    }
    // Every step of every script: pushes byte for byte, states field by field.
    let counts: Vec<(&str, i32)> = kinds.iter().map(|(k, n)| (k.as_str(), *n)).collect();
    assert_eq!(counts, [("group_info", 1), ("group_members", 4)]);
    assert_eq!(compared, 38);
}

#[test]
fn group_script_edits_and_refusals() {
    let pk = "4cb76fdc6d32278e3f83dbf608360ecc6b65727934b85d2fb86862ff98c46ab7";
    let member = "05".to_owned() + &"11".repeat(32);
    // A member's config refuses every edit, and the script goes on.
    let out = call_ok(json!({"op": "config.script", "kind": "group_members",
        "group_ed25519_pk": pk, "group_enc_keys": ["11".repeat(32)],
        "steps": [{"do": "set_item", "item_type": "member", "item": {"session_id": member}},
                  {"do": "erase_item", "item_type": "member", "item": {"session_id": member}},
                  {"do": "state"}]}));
    let results = out["results"].as_array().unwrap();
    assert!(results[0]["error"].as_str().unwrap().contains("read-only"));
    assert!(results[1]["error"].as_str().unwrap().contains("read-only"));
    assert_eq!(results[2], json!({"members": [], "needs_push": false}));
    // An admin (seed form) sets every info field, and a name too long is a step error.
    let seed = "07".repeat(32);
    let identity = call_ok(json!({"op": "identity.from_seed", "seed": seed}));
    let out = call_ok(json!({"op": "config.script", "kind": "group_info",
        "group_ed25519_pk": identity["ed25519_pk"], "group_seed": seed,
        "group_enc_keys": ["22".repeat(32)],
        "steps": [{"do": "set", "fields": {"name": "n".repeat(101)}},
                  {"do": "set", "fields": {"name": "G", "description": "D",
                     "profile_pic": {"url": "http://x/y", "key": "33".repeat(32)},
                     "expiry_timer": 60, "created": 1, "delete_before": 2,
                     "delete_attach_before": 3}},
                  {"do": "state"},
                  {"do": "set", "fields": {"profile_pic": null, "expiry_timer": 0}},
                  {"do": "state"}]}));
    let results = out["results"].as_array().unwrap();
    assert!(results[0]["error"].is_string());
    assert_eq!(results[1], Value::Null);
    assert_eq!(
        results[2],
        json!({"name": "G", "description": "D",
            "profile_pic": {"url": "http://x/y", "key": "33".repeat(32)},
            "expiry_timer": 60, "created": 1, "delete_before": 2, "delete_attach_before": 3,
            "needs_push": true})
    );
    assert_eq!(results[4]["profile_pic"], Value::Null);
    assert_eq!(results[4]["expiry_timer"], Value::Null);
    // Group info has no items: naming one is a bad request.
    assert_eq!(
        call_err(json!({"op": "config.script", "kind": "group_info",
            "group_ed25519_pk": identity["ed25519_pk"], "group_enc_keys": ["22".repeat(32)],
            "steps": [{"do": "set_item", "item_type": "member", "item": {"session_id": member}}]})),
        "bad_request"
    );
}

#[test]
fn script_errors() {
    let seed = "00".repeat(32);
    assert_eq!(
        call_err(json!({"op": "config.script", "kind": "nope", "seed": seed, "steps": []})),
        "bad_request"
    );
    assert_eq!(
        call_err(
            json!({"op": "config.script", "kind": "user_profile", "seed": seed,
        "steps": [{"do": "fly"}]})
        ),
        "bad_request"
    );
    // A failing step does not stop the script.
    let out = call_ok(
        json!({"op": "config.script", "kind": "user_profile", "seed": seed,
        "steps": [{"do": "set", "fields": {"name": "x".repeat(101)}}, {"do": "set", "fields": {"name": "ok"}},
                  {"do": "state"}]}),
    );
    let results = out["results"].as_array().unwrap();
    assert!(results[0]["error"].is_string());
    assert_eq!(results[1], Value::Null);
    assert_eq!(results[2]["name"], json!("ok"));
    // A read-only group member merges but does not push.
    let out = call_ok(json!({"op": "config.script", "kind": "group_info",
        "group_ed25519_pk": "4cb76fdc6d32278e3f83dbf608360ecc6b65727934b85d2fb86862ff98c46ab7",
        "group_enc_keys": ["11".repeat(32)], "steps": [{"do": "push"}, {"do": "merge", "messages": []}]}));
    let results = out["results"].as_array().unwrap();
    assert!(results[0]["error"].is_string());
    assert_eq!(results[1], json!({"accepted": []}));
}
