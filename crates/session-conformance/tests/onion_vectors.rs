//! Replays the onion vectors through `handle_line`: libsession-generated hop encryption and
//! onion requests (randomness injected through `rng_bytes`, outputs compared byte for byte,
//! every layer walked with `onion.peel` / `onion.parse`, every reply decoded), and the
//! reference test suites' hop and parser vectors; plus the §2.6 error kinds.
#![allow(clippy::unwrap_used)]

mod common;

use common::{call_err, call_ok, records};
use serde_json::{json, Value};

const HOP: &str = include_str!("data/onion_hop_encryption.json");
const REQUEST: &str = include_str!("data/onion_request.json");
const REFERENCE: &str = include_str!("data/onion_ref_hop.json");

fn b64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn hop_encryption_vectors() {
    let mut checked = 0;
    for r in records(HOP) {
        let (local_enc, remote_enc, local_dec, remote_dec, role_enc, role_dec) =
            match r["direction"].as_str().unwrap() {
                "client_to_server" => (
                    &r["client_x25519_sk"],
                    &r["server_x25519_pk"],
                    &r["server_x25519_sk"],
                    &r["client_x25519_pk"],
                    "client",
                    "server",
                ),
                _ => (
                    &r["server_x25519_sk"],
                    &r["client_x25519_pk"],
                    &r["client_x25519_sk"],
                    &r["server_x25519_pk"],
                    "server",
                    "client",
                ),
            };
        let out = call_ok(json!({
            "op": "onion.hop_encrypt", "enc_type": r["enc_type"], "role": role_enc,
            "local_x25519_sk": local_enc, "remote_x25519_pk": remote_enc,
            "plaintext": r["plaintext"], "rng_bytes": r["rng_consumed_nonce"],
        }));
        assert_eq!(out["ciphertext"], r["ciphertext"], "{}", r["case"]);
        let out = call_ok(json!({
            "op": "onion.hop_decrypt", "enc_type": r["enc_type"], "role": role_dec,
            "local_x25519_sk": local_dec, "remote_x25519_pk": remote_dec,
            "ciphertext": r["ciphertext"],
        }));
        assert_eq!(out["plaintext"], r["plaintext"], "{}", r["case"]);
        checked += 1;
    }
    assert_eq!(checked, 20);
}

fn forward(inner: &Value, next: &Value) -> String {
    let json = format!(
        r#"{{"enc_type":"{}","ephemeral_key":"{}"}}"#,
        next["enc_type"].as_str().unwrap(),
        next["ephemeral_key"].as_str().unwrap()
    );
    let inner = hex::decode(inner.as_str().unwrap()).unwrap();
    let mut body = (inner.len() as u32).to_le_bytes().to_vec();
    body.extend_from_slice(&inner);
    body.extend_from_slice(json.as_bytes());
    hex::encode(body)
}

#[test]
fn onion_request_vectors() {
    let mut checked = 0;
    for r in records(REQUEST) {
        let case = r["case"].as_str().unwrap();
        let dest = &r["destination"];
        let server = dest["kind"] == "server";
        let path: Vec<Value> = r["hops"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| json!({"ed25519_pk": h["ed25519_pk"], "x25519_pk": h["x25519_pk"]}))
            .collect();
        let destination = if server {
            json!({"kind": "server", "host": dest["host"], "target": dest["target"],
                   "scheme": dest["protocol"], "port": dest["port"], "x25519_pk": dest["x25519_pk"]})
        } else {
            json!({"kind": "snode", "ed25519_pk": dest["ed25519_pk"], "x25519_pk": dest["x25519_pk"]})
        };
        let built = call_ok(json!({
            "op": "onion.build", "path": path, "destination": destination,
            "payload": r["payload"], "enc_type": r["enc_type"], "rng_bytes": r["rng_consumed"],
        }));
        assert_eq!(built["request_body"], r["request"], "{case}");
        assert_eq!(built["final_x25519_pk"], r["final_hop_x25519_pk"]);
        assert_eq!(built["final_x25519_sk"], r["final_hop_x25519_sk"]);
        let guard = r["hops"]
            .get(0)
            .map_or(&dest["ed25519_pk"], |h| &h["ed25519_pk"]);
        assert_eq!(&built["guard_ed25519_pk"], guard);

        // Walk the path as the checker does.
        let layers = r["layers"].as_array().unwrap();
        let mut body = built["request_body"].clone();
        for (i, hop) in r["hops"].as_array().unwrap().iter().enumerate() {
            let parsed = call_ok(
                json!({"op": "onion.parse", "node_x25519_sk": hop["x25519_sk"], "body": body}),
            );
            assert_eq!(
                parsed["payload"], layers[i]["decrypted_payload"],
                "{case} {i}"
            );
            assert_eq!(parsed["ephemeral_key"], layers[i]["remote_ephemeral_pk"]);
            assert_eq!(parsed["enc_type"], r["enc_type"]);
            let peeled = call_ok(
                json!({"op": "onion.peel", "node_x25519_sk": hop["x25519_sk"], "body": body}),
            );
            let next = &peeled["next"];
            assert_eq!(
                next["ephemeral_key"],
                layers[i + 1]["remote_ephemeral_pk"],
                "{case} {i}"
            );
            if next.get("host").is_some() {
                assert!(server);
                assert_eq!(next["host"], dest["host"]);
                assert_eq!(next["method"], "POST");
                body = parsed["payload"].clone();
            } else {
                body = json!(forward(&peeled["inner"], next));
            }
        }
        let dest_sk = &dest["x25519_sk"];
        let parsed = call_ok(json!({"op": "onion.parse", "node_x25519_sk": dest_sk, "body": body}));
        assert_eq!(parsed["payload"], r["destination_plaintext"], "{case}");
        if !server {
            let peeled =
                call_ok(json!({"op": "onion.peel", "node_x25519_sk": dest_sk, "body": body}));
            assert_eq!(peeled["next"], json!({"headers": ""}));
            assert_eq!(peeled["inner"], r["payload"]);
        }

        // The recorded reply: decrypt it, and decode it as a v3 reply (snode destinations).
        let out = call_ok(json!({
            "op": "onion.hop_decrypt", "enc_type": r["enc_type"], "role": "client",
            "local_x25519_sk": r["final_hop_x25519_sk"], "remote_x25519_pk": dest["x25519_pk"],
            "ciphertext": r["reply_ciphertext"],
        }));
        assert_eq!(out["plaintext"], r["reply_decrypted"]);
        if !server {
            let ct = hex::decode(r["reply_ciphertext"].as_str().unwrap()).unwrap();
            let reply: Value = serde_json::from_slice(
                &hex::decode(r["reply_plaintext"].as_str().unwrap()).unwrap(),
            )
            .unwrap();
            let expected = format!(r#"{{"case":{},"status":200}}"#, reply["case"]);
            for text in [b64(&ct), format!(r#"{{"result":"{}"}}"#, b64(&ct))] {
                let out = call_ok(json!({
                    "op": "onion.decode_response", "kind": "snode", "enc_type": r["enc_type"],
                    "destination_x25519_pk": dest["x25519_pk"],
                    "final_x25519_sk": r["final_hop_x25519_sk"], "response": hex::encode(text),
                }));
                assert_eq!(out["status"], json!(200));
                assert_eq!(out["body"], json!(hex::encode(&expected)));
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 12);
}

#[test]
fn reference_hop_vectors() {
    let file: Value = serde_json::from_str(REFERENCE).unwrap();
    let mut checked = 0;
    for v in file["vectors"].as_array().unwrap() {
        match v["kind"].as_str().unwrap() {
            kind @ ("hop_decrypt_aesgcm" | "hop_decrypt_xchacha20") => {
                let enc = if kind.ends_with("aesgcm") {
                    "gcm"
                } else {
                    "xchacha20-poly1305"
                };
                let out = call_ok(json!({
                    "op": "onion.hop_decrypt", "enc_type": enc, "role": "server",
                    "local_x25519_sk": v["node_x25519_sk"], "remote_x25519_pk": v["client_x25519_pk"],
                    "ciphertext": v["ciphertext"],
                }));
                assert_eq!(
                    out["plaintext"],
                    json!(hex::encode(v["plaintext_utf8"].as_str().unwrap()))
                );
            }
            "hop_decrypt_must_fail" => {
                for ct in v["ciphertexts"].as_array().unwrap() {
                    for enc in ["aes-gcm", "xchacha20"] {
                        let kind = call_err(json!({
                            "op": "onion.hop_decrypt", "enc_type": enc, "role": "server",
                            "local_x25519_sk": v["node_x25519_sk"],
                            "remote_x25519_pk": v["client_x25519_pk"], "ciphertext": ct,
                        }));
                        assert_eq!(kind, "crypto");
                    }
                }
            }
            "onion_payload_parse" => {
                let out = call_ok(
                    json!({"op": "onion.parse", "node_x25519_sk": v["node_x25519_sk"], "body": v["payload"]}),
                );
                assert_eq!(
                    out["payload"],
                    json!(hex::encode(v["expected_payload_utf8"].as_str().unwrap()))
                );
                assert_eq!(out["ephemeral_key"], v["expected_remote_pubkey"]);
                assert_eq!(out["enc_type"], v["enc_type"]);
            }
            "snode_inner_request_routing (storage server)" => {
                // `onion.peel` splits a decrypted layer; build one per case and peel it.
                let node_sk = "2f4d1c0d28e137777ec0a316e9f4f763e3e66662a6c51994c6315c9ef34b6deb";
                let node_pk = "8388de69bc0d4b6196133233ad9a46ba0473474bc67718aad96a3a33c257f726";
                let client_sk = "d2ee09e1a557a077d385fcb69a11ffb6909ecdcc8348def3e0e4172c8a1431c1";
                let client_pk = "8167e97672005c669a48858c69895f395ca235219ac3f7a4210022b1f910e652";
                for c in v["cases"].as_array().unwrap() {
                    let plain = format!(
                        "{}{}",
                        v["prefix_hex"].as_str().unwrap(),
                        hex::encode(c["json"].to_string())
                    );
                    let ct = call_ok(json!({
                        "op": "onion.hop_encrypt", "enc_type": "aes-gcm", "role": "client",
                        "local_x25519_sk": client_sk, "remote_x25519_pk": node_pk, "plaintext": plain,
                    }))["ciphertext"].clone();
                    let body = forward(
                        &ct,
                        &json!({"enc_type": "aes-gcm", "ephemeral_key": client_pk}),
                    );
                    let peeled = call_ok(
                        json!({"op": "onion.peel", "node_x25519_sk": node_sk, "body": body}),
                    );
                    assert_eq!(peeled["inner"], json!(hex::encode("ciphertext")));
                    assert_eq!(peeled["next"], c["json"]);
                }
            }
            "x25519_keypair (pysogs onion test client)" => {
                // A hop to oneself: encrypt and decrypt with the same key pair.
                let out = call_ok(json!({
                    "op": "onion.hop_encrypt", "enc_type": "xchacha20", "role": "client",
                    "local_x25519_sk": v["x25519_sk"], "remote_x25519_pk": v["x25519_pk"], "plaintext": "00",
                }));
                let back = call_ok(json!({
                    "op": "onion.hop_decrypt", "enc_type": "xchacha20", "role": "server",
                    "local_x25519_sk": v["x25519_sk"], "remote_x25519_pk": v["x25519_pk"],
                    "ciphertext": out["ciphertext"],
                }));
                assert_eq!(back["plaintext"], "00");
            }
            "channel_encryption_sizes (storage server)" => {
                let message = hex::encode("Grumpy cat says no!");
                for (enc, overhead) in [("aes-gcm", 28), ("xchacha20", 40)] {
                    let out = call_ok(json!({
                        "op": "onion.hop_encrypt", "enc_type": enc, "role": "client",
                        "local_x25519_sk": v["alice_x25519_sk"], "remote_x25519_pk": v["bob_x25519_pk"],
                        "plaintext": message,
                    }));
                    let ct = out["ciphertext"].as_str().unwrap();
                    assert_eq!(ct.len() / 2, 19 + overhead);
                    let wrong_role = call(json!({
                        "op": "onion.hop_decrypt", "enc_type": enc, "role": "client",
                        "local_x25519_sk": v["bob_x25519_sk"], "remote_x25519_pk": v["alice_x25519_pk"],
                        "ciphertext": ct,
                    }));
                    assert_eq!(wrong_role["ok"], json!(enc == "aes-gcm"));
                }
            }
            other => panic!("unexpected kind {other}"),
        }
        checked += 1;
    }
    assert_eq!(checked, 8);
}

use common::call;

#[test]
fn v4_payload_and_error_kinds() {
    let out = call_ok(json!({
        "op": "onion.v4_payload", "method": "POST", "endpoint": "room/x",
        "headers": {"User-Agent": "x", "X-SOGS-Nonce": "n"}, "body": "7b7d",
    }));
    let expected = r#"{"endpoint":"/room/x","headers":{"Content-Type":"application/json","X-SOGS-Nonce":"n"},"method":"POST"}"#;
    assert_eq!(
        out["payload"],
        json!(hex::encode(format!(
            "l{}:{expected}2:{{}}e",
            expected.len()
        )))
    );

    let key = "11".repeat(32);
    let bad = [
        json!({"op": "onion.hop_encrypt", "enc_type": "rot13", "role": "client", "local_x25519_sk": key, "remote_x25519_pk": key, "plaintext": ""}),
        json!({"op": "onion.hop_encrypt", "enc_type": "gcm", "role": "relay", "local_x25519_sk": key, "remote_x25519_pk": key, "plaintext": ""}),
        json!({"op": "onion.hop_encrypt", "enc_type": "gcm", "role": "client", "local_x25519_sk": "11", "remote_x25519_pk": key, "plaintext": ""}),
        json!({"op": "onion.build", "path": [], "destination": {"kind": "moon"}, "payload": "", "enc_type": "gcm"}),
        json!({"op": "onion.build", "path": [{"x25519_pk": key}], "destination": {"kind": "snode", "ed25519_pk": key, "x25519_pk": key}, "payload": "", "enc_type": "gcm"}),
        json!({"op": "onion.build", "path": vec![json!({"ed25519_pk": key, "x25519_pk": key}); 16], "destination": {"kind": "snode", "ed25519_pk": key, "x25519_pk": key}, "payload": "", "enc_type": "gcm"}),
        json!({"op": "onion.build", "path": [{"ed25519_pk": key, "x25519_pk": key}], "destination": {"kind": "server", "host": "h", "target": "/t", "scheme": "https", "port": 70000, "x25519_pk": key}, "payload": "", "enc_type": "gcm"}),
        json!({"op": "onion.decode_response", "kind": "x", "enc_type": "gcm", "destination_x25519_pk": key, "final_x25519_sk": key, "response": ""}),
        json!({"op": "onion.v4_payload", "method": "GET", "endpoint": "/", "headers": {"a": 1}}),
    ];
    for request in bad {
        assert_eq!(call_err(request.clone()), "bad_request", "{request}");
    }
    let zero = "00".repeat(32);
    let failing = [
        // All-zero shared secret.
        json!({"op": "onion.hop_encrypt", "enc_type": "gcm", "role": "client", "local_x25519_sk": key, "remote_x25519_pk": zero, "plaintext": ""}),
        json!({"op": "onion.hop_decrypt", "enc_type": "xchacha20", "role": "client", "local_x25519_sk": key, "remote_x25519_pk": key, "ciphertext": "00".repeat(39)}),
        json!({"op": "onion.parse", "node_x25519_sk": key, "body": "ffffffff7b7d"}),
        json!({"op": "onion.parse", "node_x25519_sk": key, "body": "000000"}),
        json!({"op": "onion.peel", "node_x25519_sk": key, "body": hex::encode(format!("\0\0\0\0{{\"ephemeral_key\":\"{key}\"}}"))}),
        json!({"op": "onion.decode_response", "kind": "snode", "enc_type": "xchacha20", "destination_x25519_pk": key, "final_x25519_sk": key, "response": hex::encode("!!")}),
        json!({"op": "onion.decode_response", "kind": "server", "enc_type": "aes-gcm", "destination_x25519_pk": key, "final_x25519_sk": key, "response": "00".repeat(40)}),
        json!({"op": "onion.build", "path": [{"ed25519_pk": key, "x25519_pk": zero}], "destination": {"kind": "snode", "ed25519_pk": key, "x25519_pk": key}, "payload": "", "enc_type": "gcm"}),
    ];
    for request in failing {
        assert_eq!(call_err(request.clone()), "crypto", "{request}");
    }
}

#[test]
fn randomized_build_walks_without_rng_bytes() {
    // Without `rng_bytes` the op draws from the OS; the result still peels and answers.
    let node_sk = "2f4d1c0d28e137777ec0a316e9f4f763e3e66662a6c51994c6315c9ef34b6deb";
    let node_pk = "8388de69bc0d4b6196133233ad9a46ba0473474bc67718aad96a3a33c257f726";
    let built = call_ok(json!({
        "op": "onion.build", "path": [{"ed25519_pk": "22".repeat(32), "x25519_pk": node_pk}],
        "destination": {"kind": "server", "host": "h", "target": "/oxen/v4/lsrpc", "scheme": "http://", "x25519_pk": node_pk},
        "payload": "6869", "enc_type": "xchacha20",
    }));
    let peeled = call_ok(
        json!({"op": "onion.peel", "node_x25519_sk": node_sk, "body": built["request_body"]}),
    );
    assert_eq!(peeled["next"]["protocol"], "http");
    assert_eq!(peeled["next"]["port"], 80);
    let parsed = call_ok(
        json!({"op": "onion.parse", "node_x25519_sk": node_sk, "body": hex::encode(
        hex::decode(built["request_body"].as_str().unwrap()).unwrap())}),
    );
    assert_eq!(parsed["ephemeral_key"].as_str().unwrap().len(), 64);
}

#[test]
fn empty_requests_are_bad_requests() {
    for op in [
        "onion.hop_encrypt",
        "onion.hop_decrypt",
        "onion.build",
        "onion.parse",
        "onion.peel",
        "onion.decode_response",
        "onion.v4_payload",
    ] {
        assert_eq!(call_err(json!({ "op": op })), "bad_request", "{op}");
    }
}
