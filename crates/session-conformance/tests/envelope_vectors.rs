//! Replays the envelope-layer vectors (copied into `tests/data/envelope_*.json`) through
//! `handle_line`: deterministic outputs compared exactly, randomized ones opened again, every
//! reference ciphertext decrypted, and tampered or malformed inputs rejected with the right kind.
#![allow(clippy::unwrap_used)]

mod common;

use common::{call_err, call_ok, flip, records, s, vectors};
use serde_json::{json, Value};

const ENCRYPT: &str = include_str!("data/envelope_encrypt_for_recipient.json");
const DETERMINISTIC: &str = include_str!("data/envelope_encrypt_for_recipient_deterministic.json");
const DECRYPT_INCOMING: &str = include_str!("data/envelope_decrypt_incoming.json");
const BLINDED: &str = include_str!("data/envelope_encrypt_for_blinded_recipient.json");
const REF_MISC: &str = include_str!("data/envelope_ref_misc.json");
const REF_PROTOCOL: &str = include_str!("data/envelope_ref_session_protocol.json");

#[test]
fn session_protocol_encrypt_and_decrypt() {
    let recs = records(ENCRYPT);
    assert_eq!(recs.len(), 10);
    for r in &recs {
        let case = s(&r["case"]);
        let out = call_ok(json!({"op": "session_protocol.decrypt",
            "recipient_seed": r["recipient_ed25519_sk"], "ciphertext": r["ciphertext"]}));
        assert_eq!(out["plaintext"], r["decrypted_plaintext"], "{case}");
        assert_eq!(
            out["sender_session_id"], r["decrypted_sender_session_id"],
            "{case}"
        );
        assert_eq!(out["sender_ed25519_pk"], r["sender_ed25519_pk"], "{case}");

        // Randomized: our own ciphertext has the right length and opens to the same message.
        let fresh = call_ok(json!({"op": "session_protocol.encrypt",
            "sender_seed": r["sender_ed25519_sk"], "recipient_session_id": r["recipient_pubkey_arg"],
            "plaintext": r["message"]}));
        assert_eq!(
            s(&fresh["ciphertext"]).len(),
            s(&r["ciphertext"]).len(),
            "{case}"
        );
        assert_ne!(fresh["ciphertext"], r["ciphertext"], "{case}");
        let again = call_ok(json!({"op": "session_protocol.decrypt",
            "recipient_seed": r["recipient_ed25519_sk"], "ciphertext": fresh["ciphertext"]}));
        assert_eq!(again["plaintext"], r["message"], "{case}");
        assert_eq!(again["sender_session_id"], r["sender_session_id"], "{case}");

        // Tampered, truncated and misdirected ciphertexts are crypto failures.
        let ct = s(&r["ciphertext"]);
        for index in [0, 31, 32, 47, 48, ct.len() / 2 - 1] {
            let kind = call_err(json!({"op": "session_protocol.decrypt",
                "recipient_seed": r["recipient_ed25519_sk"], "ciphertext": flip(ct, index)}));
            assert_eq!(kind, "crypto", "{case} byte {index}");
        }
        let kind = call_err(json!({"op": "session_protocol.decrypt",
            "recipient_seed": r["recipient_ed25519_sk"], "ciphertext": &ct[..ct.len() - 2]}));
        assert_eq!(kind, "crypto", "{case}");
        let kind = call_err(json!({"op": "session_protocol.decrypt",
            "recipient_seed": r["sender_ed25519_sk"], "ciphertext": ct}));
        assert_eq!(kind, "crypto", "{case}");
    }
}

#[test]
fn session_protocol_encrypt_deterministic() {
    let recs = records(DETERMINISTIC);
    assert_eq!(recs.len(), 10);
    for r in &recs {
        let case = s(&r["case"]);
        let out = call_ok(json!({"op": "session_protocol.encrypt_deterministic",
            "sender_seed": r["sender_ed25519_sk"], "recipient_session_id": r["recipient_pubkey_arg"],
            "plaintext": r["message"]}));
        assert_eq!(out["ciphertext"], r["ciphertext"], "{case}");
        // The 32-byte seed alone gives the same bytes.
        let seed = &s(&r["sender_ed25519_sk"])[..64];
        let out = call_ok(json!({"op": "session_protocol.encrypt_deterministic",
            "sender_seed": seed, "recipient_session_id": r["recipient_pubkey_arg"],
            "plaintext": r["message"]}));
        assert_eq!(out["ciphertext"], r["ciphertext"], "{case}");
        let opened = call_ok(json!({"op": "session_protocol.decrypt",
            "recipient_seed": r["recipient_ed25519_sk"], "ciphertext": r["ciphertext"]}));
        assert_eq!(opened["plaintext"], r["message"], "{case}");
        assert_eq!(
            opened["sender_session_id"], r["decrypted_sender_session_id"],
            "{case}"
        );
    }
}

#[test]
fn session_protocol_decrypt_incoming() {
    let recs = records(DECRYPT_INCOMING);
    assert_eq!(recs.len(), 4);
    let mut failures = 0;
    for r in &recs {
        let request = json!({"op": "session_protocol.decrypt",
            "recipient_seed": r["recipient_ed25519_sk"], "ciphertext": r["ciphertext"]});
        if r["expected_error"].is_null() {
            let out = call_ok(request);
            assert_eq!(out["plaintext"], r["plaintext"]);
            assert_eq!(out["sender_session_id"], r["sender_session_id"]);
        } else {
            assert_eq!(call_err(request), "crypto", "{}", r["case"]);
            failures += 1;
        }
    }
    assert_eq!(failures, 3);
}

#[test]
fn session_protocol_reference_and_bad_requests() {
    let v = vectors(REF_PROTOCOL);
    assert_eq!(v.len(), 4);
    let hello = &v[0];
    let out = call_ok(json!({"op": "session_protocol.encrypt_deterministic",
        "sender_seed": &s(&hello["sender_ed25519_seed"])[..32],
        "recipient_session_id": hello["recipient_session_id"],
        "plaintext": hex::encode("hello")}));
    assert_eq!(out["ciphertext"], hello["ciphertext"]);
    let out = call_ok(json!({"op": "session_protocol.decrypt",
        "recipient_seed": &s(&hello["recipient_ed25519_seed"])[..32], "ciphertext": hello["ciphertext"]}));
    assert_eq!(out["plaintext"], json!(hex::encode("hello")));
    assert_eq!(
        out["sender_ed25519_pk"],
        hello["expected_decrypt"]["sender_ed25519_pk"]
    );
    // Both wrapped config blobs' inner ciphertexts open for their owner.
    for (vector, seed_field) in [
        (&v[2], "recipient_and_sender_ed25519_seed"),
        (&v[3], "ed25519_seed"),
    ] {
        call_ok(
            json!({"op": "session_protocol.decrypt", "recipient_seed": vector[seed_field],
            "ciphertext": vector["inner_envelope_content_ciphertext"]}),
        );
    }

    let seed = &s(&hello["sender_ed25519_seed"])[..32];
    let recipient = s(&hello["recipient_session_id"]);
    for bad in [
        json!({"op": "session_protocol.encrypt", "sender_seed": seed,
            "recipient_session_id": format!("03{}", &recipient[2..]), "plaintext": ""}),
        json!({"op": "session_protocol.encrypt", "sender_seed": seed,
            "recipient_session_id": &recipient[..62], "plaintext": ""}),
        json!({"op": "session_protocol.encrypt_deterministic", "sender_seed": "00",
            "recipient_session_id": recipient, "plaintext": ""}),
        json!({"op": "session_protocol.encrypt", "sender_seed": seed,
            "recipient_session_id": recipient, "plaintext": "abc"}),
        json!({"op": "session_protocol.decrypt", "recipient_seed": seed, "ciphertext": "zz"}),
        json!({"op": "session_protocol.decrypt", "recipient_seed": seed}),
    ] {
        assert_eq!(call_err(bad.clone()), "bad_request", "{bad}");
    }
    // A small-order recipient key cannot be encrypted to.
    let kind = call_err(
        json!({"op": "session_protocol.encrypt", "sender_seed": seed,
        "recipient_session_id": format!("05{}", "00".repeat(32)), "plaintext": ""}),
    );
    assert_eq!(kind, "crypto");
    let kind = call_err(
        json!({"op": "session_protocol.decrypt", "recipient_seed": seed,
        "ciphertext": "00".repeat(143)}),
    );
    assert_eq!(kind, "crypto");
}

#[test]
fn blinded_dm_encrypt_and_decrypt() {
    let recs = records(BLINDED);
    assert_eq!(recs.len(), 10);
    for r in &recs {
        let case = s(&r["case"]);
        for (role, seed) in [
            ("recipient_decrypt", &r["recipient_ed25519_sk"]),
            ("sender_decrypt", &r["sender_ed25519_sk"]),
        ] {
            let out = call_ok(json!({"op": "blinded_dm.decrypt", "seed": seed,
                "server_pk": r["server_pk"], "sender_blinded_id": r["sender_blinded_id"],
                "recipient_blinded_id": r["recipient_blinded_id"], "ciphertext": r["ciphertext"]}));
            assert_eq!(out["plaintext"], r[role]["plaintext"], "{case} {role}");
            assert_eq!(
                out["sender_session_id"], r[role]["sender_session_id"],
                "{case} {role}"
            );
        }
        let fresh = call_ok(
            json!({"op": "blinded_dm.encrypt", "sender_seed": r["sender_ed25519_sk"],
            "server_pk": r["server_pk"], "recipient_blinded_id": r["recipient_blinded_id"],
            "plaintext": r["message"]}),
        );
        assert_eq!(
            s(&fresh["ciphertext"]).len(),
            s(&r["ciphertext"]).len(),
            "{case}"
        );
        let out = call_ok(
            json!({"op": "blinded_dm.decrypt", "seed": r["recipient_ed25519_sk"],
            "server_pk": r["server_pk"], "sender_blinded_id": r["sender_blinded_id"],
            "recipient_blinded_id": r["recipient_blinded_id"], "ciphertext": fresh["ciphertext"]}),
        );
        assert_eq!(out["plaintext"], r["message"], "{case}");

        let ct = s(&r["ciphertext"]);
        let len = ct.len() / 2;
        let decrypt = |ciphertext: &str, sender: &Value, recipient: &Value| {
            json!({"op": "blinded_dm.decrypt", "seed": r["recipient_ed25519_sk"],
                "server_pk": r["server_pk"], "sender_blinded_id": sender,
                "recipient_blinded_id": recipient, "ciphertext": ciphertext})
        };
        let (sender, recipient) = (&r["sender_blinded_id"], &r["recipient_blinded_id"]);
        for index in [0, 1, len / 2, len - 25, len - 24, len - 1] {
            let kind = call_err(decrypt(&flip(ct, index), sender, recipient));
            assert_eq!(kind, "crypto", "{case} byte {index}");
        }
        assert_eq!(call_err(decrypt(&ct[..144], sender, recipient)), "crypto");
        // Swapped IDs: the key no longer matches.
        assert_eq!(call_err(decrypt(ct, recipient, sender)), "crypto", "{case}");
        // Another prefix on one side.
        let other_prefix = if s(sender).starts_with("15") {
            "25"
        } else {
            "15"
        };
        let mixed = json!(format!("{other_prefix}{}", &s(sender)[2..]));
        assert_eq!(
            call_err(decrypt(ct, &mixed, recipient)),
            "bad_request",
            "{case}"
        );
        let unprefixed = json!(&s(sender)[2..]);
        assert_eq!(
            call_err(decrypt(ct, &unprefixed, recipient)),
            "bad_request",
            "{case}"
        );
    }
}

#[test]
fn ons_and_push() {
    let v = vectors(REF_MISC);
    assert_eq!(v.len(), 2);
    let o = &v[0];
    let out = call_ok(
        json!({"op": "ons.decrypt", "name": o["name"], "ciphertext": o["ciphertext"],
        "nonce": o["nonce"]}),
    );
    assert_eq!(out["session_id"], o["expected_session_id"]);
    assert_eq!(
        call_err(
            json!({"op": "ons.decrypt", "name": "Test", "ciphertext": o["ciphertext"],
            "nonce": o["nonce"]})
        ),
        "crypto"
    );
    assert_eq!(
        call_err(
            json!({"op": "ons.decrypt", "name": o["name"], "ciphertext": flip(s(&o["ciphertext"]), 3),
            "nonce": o["nonce"]})
        ),
        "crypto"
    );
    assert_eq!(
        call_err(
            json!({"op": "ons.decrypt", "name": o["name"], "ciphertext": o["ciphertext"],
            "nonce": "0011"})
        ),
        "bad_request"
    );

    let p = &v[1];
    let out =
        call_ok(json!({"op": "push.decrypt", "payload": p["payload"], "enc_key": p["enc_key"]}));
    assert_eq!(
        out["plaintext"],
        json!(hex::encode(s(&p["expected_plaintext_utf8"])))
    );
    assert_eq!(
        call_err(
            json!({"op": "push.decrypt", "payload": flip(s(&p["payload"]), 30), "enc_key": p["enc_key"]})
        ),
        "crypto"
    );
    assert_eq!(
        call_err(
            json!({"op": "push.decrypt", "payload": "00".repeat(39), "enc_key": p["enc_key"]})
        ),
        "crypto"
    );
    assert_eq!(
        call_err(json!({"op": "push.decrypt", "payload": p["payload"], "enc_key": "00"})),
        "bad_request"
    );
}
