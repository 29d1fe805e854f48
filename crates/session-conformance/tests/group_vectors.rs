//! Replays the `03` group vectors (`tests/data/group_message.json`, from the reference) through
//! `handle_line`: every reference ciphertext decrypts, our ciphertexts (with the recorded nonce)
//! equal the reference's whenever neither compressed, and wrong keys, tampering and malformed
//! requests are refused with the right kind.
#![allow(clippy::unwrap_used)]

mod common;

use common::{call_err, call_ok, flip, records, s};
use serde_json::{json, Value};

const MESSAGES: &str = include_str!("data/group_message.json");

fn encrypt_records() -> Vec<Value> {
    records(MESSAGES)
        .into_iter()
        .filter(|r| r["op"] == "group_encrypt_message")
        .collect()
}

#[test]
fn reference_ciphertexts_decrypt() {
    let recs = encrypt_records();
    assert_eq!(recs.len(), 10);
    for r in &recs {
        let case = s(&r["case"]);
        let out = call_ok(json!({"op": "group.decrypt_message",
            "group_enc_keys": [r["group_enc_key"]], "ciphertext": r["ciphertext"]}));
        assert_eq!(out["plaintext"], r["decrypted_plaintext"], "{case}");
        assert_eq!(
            out["sender_session_id"], r["decrypted_sender_session_id"],
            "{case}"
        );
        // Other keys first: still found; only other keys: a crypto failure.
        let other = json!("11".repeat(32));
        let out = call_ok(json!({"op": "group.decrypt_message",
            "group_enc_keys": [other, r["group_enc_key"]], "ciphertext": r["ciphertext"]}));
        assert_eq!(out["plaintext"], r["decrypted_plaintext"], "{case}");
        let kind = call_err(json!({"op": "group.decrypt_message",
            "group_enc_keys": [other], "ciphertext": r["ciphertext"]}));
        assert_eq!(kind, "crypto", "{case}");
        // Tampered anywhere, or truncated: a crypto failure.
        let ct = s(&r["ciphertext"]);
        for index in [0, 23, 24, ct.len() / 4, ct.len() / 2 - 1] {
            let kind = call_err(json!({"op": "group.decrypt_message",
                "group_enc_keys": [r["group_enc_key"]], "ciphertext": flip(ct, index)}));
            assert_eq!(kind, "crypto", "{case} byte {index}");
        }
        for cut in [2, 78, ct.len() - 2] {
            let kind = call_err(json!({"op": "group.decrypt_message",
                "group_enc_keys": [r["group_enc_key"]], "ciphertext": &ct[..cut]}));
            assert_eq!(kind, "crypto", "{case} cut {cut}");
        }
    }
}

#[test]
fn encrypt_replays_the_reference() {
    let mut exact = 0;
    for r in encrypt_records() {
        let case = s(&r["case"]);
        let request = json!({"op": "group.encrypt_message", "group_enc_key": r["group_enc_key"],
            "seed": r["sender_ed25519_sk"], "plaintext": r["message"], "compress": r["compress"],
            "padding": r["padding"], "rng_bytes": r["rng_consumed_nonce"]});
        let out = call_ok(request.clone());
        let opened = call_ok(json!({"op": "group.decrypt_message",
            "group_enc_keys": [r["group_enc_key"]], "ciphertext": out["ciphertext"]}));
        assert_eq!(opened["plaintext"], r["message"], "{case}");
        assert_eq!(
            opened["sender_session_id"], r["sender_session_id"],
            "{case}"
        );
        if out["ciphertext"] == r["ciphertext"] {
            exact += 1;
        } else {
            // Only a compressed frame may differ (another zstd encoder).
            assert_eq!(r["compress"], json!(true), "{case}");
        }
        // Without injected randomness the nonce is fresh.
        let mut fresh = request;
        fresh.as_object_mut().unwrap().remove("rng_bytes");
        let again = call_ok(fresh);
        assert_ne!(again["ciphertext"], out["ciphertext"], "{case}");
        assert_eq!(s(&again["ciphertext"]).len(), s(&out["ciphertext"]).len());
    }
    assert!(exact >= 7, "{exact}");
}

#[test]
fn defaults_and_padding() {
    let key = "ab".repeat(32);
    let seed = "0123456789abcdef0123456789abcdef";
    let plaintext = hex::encode("hello ".repeat(100));
    // Defaults: no compression, padding 256.
    let out = call_ok(json!({"op": "group.encrypt_message", "group_enc_key": key,
        "seed": seed, "plaintext": plaintext}));
    assert_eq!(s(&out["ciphertext"]).len() / 2 % 256, 0);
    let uncompressed = s(&out["ciphertext"]).len();
    let out = call_ok(json!({"op": "group.encrypt_message", "group_enc_key": key,
        "seed": seed, "plaintext": plaintext, "compress": true}));
    assert!(s(&out["ciphertext"]).len() < uncompressed);
    for padding in [0, 1] {
        let out = call_ok(json!({"op": "group.encrypt_message", "group_enc_key": key,
            "seed": seed, "plaintext": "00", "padding": padding}));
        // 40 + `d0:i1e1:a32:<32>1:d1:<1>1:s64:<64>e`
        assert_eq!(s(&out["ciphertext"]).len() / 2, 40 + 121);
    }
    // The empty message encrypts, but decrypting it is refused (reference behaviour).
    let empty = call_ok(json!({"op": "group.encrypt_message", "group_enc_key": key,
        "seed": seed, "plaintext": ""}));
    let kind = call_err(
        json!({"op": "group.decrypt_message", "group_enc_keys": [key],
        "ciphertext": empty["ciphertext"]}),
    );
    assert_eq!(kind, "crypto");
}

#[test]
fn bad_requests() {
    let key = json!("ab".repeat(32));
    let seed = "0123456789abcdef0123456789abcdef";
    for request in [
        json!({"op": "group.encrypt_message", "group_enc_key": "ab", "seed": seed,
               "plaintext": "00"}),
        json!({"op": "group.encrypt_message", "group_enc_key": key, "seed": "00",
               "plaintext": "00"}),
        json!({"op": "group.encrypt_message", "group_enc_key": key, "seed": seed,
               "plaintext": "0"}),
        json!({"op": "group.encrypt_message", "group_enc_key": key, "seed": seed,
               "plaintext": "00", "padding": -1}),
        json!({"op": "group.encrypt_message", "group_enc_key": key, "seed": seed,
               "plaintext": "00", "padding": 1_000_001}),
        json!({"op": "group.encrypt_message", "group_enc_key": key, "seed": seed,
               "plaintext": "00", "compress": "yes"}),
        json!({"op": "group.decrypt_message", "group_enc_keys": key, "ciphertext": "00"}),
        json!({"op": "group.decrypt_message", "group_enc_keys": ["ab"], "ciphertext": "00"}),
        json!({"op": "group.decrypt_message", "group_enc_keys": [1], "ciphertext": "00"}),
        json!({"op": "group.decrypt_message", "group_enc_keys": [key]}),
    ] {
        assert_eq!(call_err(request.clone()), "bad_request", "{request}");
    }
    // An empty key list opens nothing; a short ciphertext is a crypto failure.
    assert_eq!(
        call_err(json!({"op": "group.decrypt_message", "group_enc_keys": [],
                        "ciphertext": "00".repeat(300)})),
        "crypto"
    );
    assert_eq!(
        call_err(
            json!({"op": "group.decrypt_message", "group_enc_keys": [key],
                        "ciphertext": "00".repeat(39)})
        ),
        "crypto"
    );
}

#[test]
fn wrong_key_record() {
    let r = records(MESSAGES)
        .into_iter()
        .find(|r| r["op"] == "group_decrypt_message")
        .unwrap();
    assert!(r["expected_error"].is_string());
    let kind = call_err(json!({"op": "group.decrypt_message",
        "group_enc_keys": r["group_enc_keys"], "ciphertext": r["ciphertext"]}));
    assert_eq!(kind, "crypto");
}
