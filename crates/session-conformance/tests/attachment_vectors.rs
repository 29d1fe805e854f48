//! Replays the attachment, padding and profile-picture vectors (CONFORMANCE.md §2.13; the
//! desktop-generated files kept in session-envelope's `tests/data`) and the stream-scheme ops of
//! docs/CONFORMANCE-EXTRA.md through `handle_line`, including requests megabytes long.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Cursor;

use common::{call_err, call_ok, flip, records, s};
use serde_json::{json, Value};
use session_conformance::run;
use sha2::{Digest, Sha256};

const ENCRYPT: &str =
    include_str!("../../session-envelope/tests/data/desktop_attachment_encrypt_legacy.json");
const DECRYPT: &str =
    include_str!("../../session-envelope/tests/data/desktop_attachment_decrypt_legacy.json");
const SIZES: &str =
    include_str!("../../session-envelope/tests/data/desktop_padding_attachment_size.json");
const MESSAGE_PADDING: &str =
    include_str!("../../session-envelope/tests/data/desktop_padding_message.json");
const PROFILE: &str = include_str!("../../session-envelope/tests/data/desktop_profile.json");
const STREAM: &str = include_str!("../../session-envelope/tests/data/libsession_stream.json");

/// The `i % 251` pattern of the vector files, cut or zero-extended by `then_zeros_to`.
fn rule_hex(rule: &Value) -> String {
    let len = rule["len"].as_u64().unwrap() as usize;
    let mut bytes: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
    if let Some(to) = rule["then_zeros_to"].as_u64() {
        bytes.resize(to as usize, 0);
    }
    hex::encode(bytes)
}

fn sha256_hex(hex_text: &str) -> String {
    hex::encode(Sha256::digest(hex::decode(hex_text).unwrap()))
}

/// A byte field inline or by `<name>_rule` (pattern only).
fn field(r: &Value, name: &str) -> Option<String> {
    match r.get(name).filter(|v| !v.is_null()) {
        Some(v) => Some(s(v).to_owned()),
        None => r
            .get(format!("{name}_rule"))
            .filter(|rule| rule.get("pattern").is_some())
            .map(rule_hex),
    }
}

/// The request of a record: its fields, with bytes given by rule spelled out.
fn request(r: &Value, encrypt_outputs: &[(String, String)]) -> Option<Value> {
    let mut req = r.clone();
    for name in ["plaintext", "ciphertext"] {
        if req.get(name).is_none() {
            if let Some(rule) = r.get(format!("{name}_rule")) {
                let value = match rule.get("encrypt_legacy_of") {
                    Some(case) => encrypt_outputs
                        .iter()
                        .find(|(c, _)| c == s(case))
                        .map(|(_, ct)| ct.clone())?,
                    None => rule_hex(rule),
                };
                req[name] = json!(value);
            }
        }
    }
    Some(req)
}

#[test]
fn legacy_encrypt_and_decrypt_records() {
    let mut outputs = Vec::new();
    for r in records(ENCRYPT) {
        let req = request(&r, &[]).unwrap();
        let case = s(&r["case"]).to_owned();
        if r["expect"] == "error" {
            assert_eq!(call_err(req), "bad_request", "{case}");
            continue;
        }
        let out = call_ok(req);
        let ct = s(&out["ciphertext"]).to_owned();
        match r.get("ciphertext") {
            Some(expected) => assert_eq!(ct, s(expected), "{case}"),
            None => assert_eq!(sha256_hex(&ct), s(&r["ciphertext_sha256"]), "{case}"),
        }
        assert_eq!(out["digest"], r["digest"], "{case}");
        // Every ciphertext decrypts back, with and without the size.
        let plain = field(&r, "plaintext").unwrap();
        let mut back = json!({"op": "attachment.decrypt_legacy", "ciphertext": ct,
            "key": r["key"], "digest": out["digest"]});
        if !plain.is_empty() {
            back["size"] = json!(plain.len() / 2);
            assert_eq!(s(&call_ok(back)["plaintext"]), plain, "{case}");
        } else {
            assert_eq!(call_ok(back)["plaintext"].as_str().unwrap().len() % 2, 0);
        }
        assert_eq!(
            call_err(
                json!({"op": "attachment.decrypt_legacy", "ciphertext": flip(&ct, 20),
                "key": r["key"], "digest": out["digest"]})
            ),
            "crypto"
        );
        outputs.push((case, ct));
    }
    assert_eq!(outputs.len(), 8);

    let (mut replayed, mut skipped) = (0, 0);
    for r in records(DECRYPT) {
        let case = s(&r["case"]);
        let Some(req) = request(&r, &outputs) else {
            skipped += 1; // an encrypt case the vector files do not hold
            continue;
        };
        let response = common::call(req);
        if r.get("quirk").is_some() {
            // A digest of another length than 32 is refused (the desktop compares a prefix).
            assert_eq!(response["ok"], json!(false), "{case}");
            assert!(s(&response["error"]).starts_with("crypto: "), "{case}");
        } else if r["expect"] == "ok" {
            assert_eq!(response["ok"], json!(true), "{case}: {response}");
            let plaintext = s(&response["plaintext"]);
            match field(&r, "plaintext") {
                Some(expected) => assert_eq!(plaintext, expected, "{case}"),
                None => unreachable!("every ok record gives its plaintext"),
            }
            if let Some(sha) = r.get("plaintext_sha256") {
                assert_eq!(sha256_hex(plaintext), s(sha), "{case}");
            }
        } else {
            assert_eq!(response["ok"], json!(false), "{case}");
            let kind = s(&response["error"]).split_once(": ").unwrap().0;
            let kinds: Vec<&str> = r["error_kinds"].as_array().unwrap().iter().map(s).collect();
            assert!(kinds.contains(&kind), "{case}: {response}");
        }
        replayed += 1;
    }
    assert_eq!((replayed, skipped), (58, 3));
}

#[test]
fn padding_records() {
    let recs = records(SIZES);
    assert_eq!(recs.len(), 143);
    for r in recs {
        let out = call_ok(json!({"op": "padding.attachment_size", "len": r["len"]}));
        assert_eq!(out["padded_len"], r["padded_len"], "{}", s(&r["case"]));
    }
    for r in records(MESSAGE_PADDING) {
        let case = s(&r["case"]);
        if r["op"] == "padding.message_add" {
            let out = call_ok(json!({"op": "padding.message_add", "plaintext": r["plaintext"]}));
            assert_eq!(out["padded"], r["padded"], "{case}");
        } else if r["expect"] == "ok" {
            let out = call_ok(json!({"op": "padding.message_remove", "padded": r["padded"]}));
            assert_eq!(out["plaintext"], r["plaintext"], "{case}");
        } else {
            let kind = call_err(json!({"op": "padding.message_remove", "padded": r["padded"]}));
            assert!(kind == "crypto" || kind == "bad_request", "{case}");
        }
    }
}

#[test]
fn profile_records() {
    for r in records(PROFILE) {
        let case = s(&r["case"]);
        let mut req = r.clone();
        if r["expect"] == "ok" {
            let out = call_ok(req);
            if r["op"] == "profile.encrypt" {
                assert_eq!(out["ciphertext"], r["ciphertext"], "{case}");
                // Without an IV: randomized, opened by decrypt.
                let fresh = call_ok(json!({"op": "profile.encrypt", "key": r["key"],
                    "plaintext": r["plaintext"]}));
                assert_ne!(fresh["ciphertext"], r["ciphertext"]);
                let back = call_ok(json!({"op": "profile.decrypt", "key": r["key"],
                    "ciphertext": fresh["ciphertext"]}));
                assert_eq!(back["plaintext"], r["plaintext"], "{case}");
            } else {
                assert_eq!(out["plaintext"], r["plaintext"], "{case}");
            }
        } else {
            req["id"] = json!(1);
            let kind = call_err(req);
            let kinds: Vec<&str> = r["error_kinds"].as_array().unwrap().iter().map(s).collect();
            assert!(kinds.contains(&kind.as_str()), "{case}: {kind}");
        }
    }
}

#[test]
fn stream_ops() {
    let doc: Value = serde_json::from_str(STREAM).unwrap();
    for row in doc["bytes"].as_array().unwrap() {
        let len = row["len"].as_u64().unwrap() as usize;
        let plaintext = hex::encode((0..len).map(|i| (i * 7 % 256) as u8).collect::<Vec<u8>>());
        let out = call_ok(
            json!({"op": "attachment.encrypt_stream", "seed": row["seed"],
            "plaintext": plaintext, "domain": row["domain"]}),
        );
        assert_eq!(out["key"], row["key"]);
        let ct = s(&out["ciphertext"]);
        assert_eq!(ct.len() as u64 / 2, row["encrypted_len"].as_u64().unwrap());
        assert!(ct.starts_with(s(&row["prefix"])));
        let back = call_ok(json!({"op": "attachment.decrypt_stream", "ciphertext": ct,
            "key": out["key"]}));
        assert_eq!(s(&back["plaintext"]), plaintext);
        for index in [0, 1, 24, 25, ct.len() / 2 - 1] {
            assert_eq!(
                call_err(
                    json!({"op": "attachment.decrypt_stream", "ciphertext": flip(ct, index),
                    "key": out["key"]})
                ),
                "crypto",
                "{len} byte {index}"
            );
        }
        assert_eq!(
            call_err(
                json!({"op": "attachment.decrypt_stream", "ciphertext": &ct[..ct.len() - 2],
                "key": out["key"]})
            ),
            "crypto"
        );
        let size = call_ok(json!({"op": "attachment.stream_size", "len": len}));
        assert_eq!(size["encrypted_len"], row["encrypted_len"]);
    }
    for row in doc["sizes"].as_array().unwrap() {
        let size = call_ok(json!({"op": "attachment.stream_size", "len": row["len"]}));
        assert_eq!(
            size["encrypted_len"], row["encrypted_len"],
            "{}",
            row["len"]
        );
    }
    // A 64-byte libsodium secret key and its 32-byte seed give the same upload.
    let seed = s(&doc["key_separation"]["seed"]);
    let full = call_ok(json!({"op": "identity.from_seed", "seed": seed}));
    let sk = format!("{seed}{}", s(&full["ed25519_pk"]));
    let a = call_ok(json!({"op": "attachment.encrypt_stream", "seed": seed, "plaintext": "00"}));
    let b = call_ok(json!({"op": "attachment.encrypt_stream", "seed": sk, "plaintext": "00"}));
    assert_eq!(a, b);
    assert_eq!(
        call_err(
            json!({"op": "attachment.encrypt_stream", "seed": seed, "plaintext": "00",
            "domain": "avatar"})
        ),
        "bad_request"
    );
}

/// Requests far past §1's 150 KB: a 1 MiB attachment is a 2 MB line, encrypted and decrypted
/// through the line reader of the runner.
#[test]
fn megabyte_lines_through_the_reader() {
    let r = records(ENCRYPT)
        .into_iter()
        .find(|r| r["case"] == "enc_1048576_nopad")
        .unwrap();
    let plaintext = rule_hex(&r["plaintext_rule"]);
    let encrypt = json!({"id": 1, "op": "attachment.encrypt_legacy", "plaintext": plaintext,
        "key": r["key"], "iv": r["iv"]});
    let stream = json!({"id": 2, "op": "attachment.encrypt_stream", "seed": "11".repeat(32),
        "plaintext": plaintext});
    let input = format!("{encrypt}\n{stream}\n");
    assert!(input.len() > 4_000_000);
    let mut output = Vec::new();
    run(Cursor::new(input.into_bytes()), &mut output).unwrap();
    let lines: Vec<Value> = String::from_utf8(output)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        sha256_hex(s(&lines[0]["ciphertext"])),
        s(&r["ciphertext_sha256"])
    );
    assert_eq!(lines[0]["digest"], r["digest"]);
    let upload = s(&lines[1]["ciphertext"]);
    let decrypt = json!({"id": 3, "op": "attachment.decrypt_stream", "ciphertext": upload,
        "key": lines[1]["key"]});
    let mut output = Vec::new();
    run(
        Cursor::new(format!("{decrypt}\n").into_bytes()),
        &mut output,
    )
    .unwrap();
    let line: Value = serde_json::from_slice(output.trim_ascii_end()).unwrap();
    assert_eq!(s(&line["plaintext"]), plaintext);
}
