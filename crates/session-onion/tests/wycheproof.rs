//! Wycheproof (C2SP/wycheproof, `testvectors_v1`) AEAD vectors through `HopKey`, the onion
//! layer's AEAD: XChaCha20-Poly1305 and AES-256-GCM as hop encryption frames them
//! (`nonce ‖ ciphertext ‖ tag`, a 24- and a 12-byte nonce, no associated data).
//!
//! Every case with a 256-bit key and the framing's nonce size is run. With empty associated
//! data its verdict is asserted both ways: a `valid` case decrypts to the message and encrypting
//! the message with the case's nonce gives the case's bytes; an `invalid` one is refused. With
//! associated data (which hop encryption never uses) decrypting without it must be refused, as
//! the tag covers it. Cases with other key or nonce sizes cannot be framed and are counted.
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use session_identity::test_util::ReplayRng;
use session_onion::{EncType, HopKey};

fn load(name: &str) -> Value {
    let path = format!(
        "{}/tests/data/wycheproof/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn bytes(value: &Value) -> Vec<u8> {
    hex::decode(value.as_str().unwrap()).unwrap()
}

/// (verdicts asserted with empty AAD, refused for their AAD, not framable).
fn run(file: &str, enc_type: EncType, nonce_bits: u64) -> (usize, usize, usize) {
    let file = load(file);
    let (mut asserted, mut with_aad, mut skipped) = (0, 0, 0);
    for group in file["testGroups"].as_array().unwrap() {
        let tests = group["tests"].as_array().unwrap();
        if group["keySize"] != 256 || group["ivSize"] != nonce_bits || group["tagSize"] != 128 {
            skipped += tests.len();
            continue;
        }
        for test in tests {
            let id = &test["tcId"];
            let key = HopKey::from_key_bytes(enc_type, bytes(&test["key"]).try_into().unwrap());
            let nonce = bytes(&test["iv"]);
            let message = bytes(&test["msg"]);
            let framed = [nonce.clone(), bytes(&test["ct"]), bytes(&test["tag"])].concat();
            let opened = key.decrypt(&framed);
            if !bytes(&test["aad"]).is_empty() {
                assert!(
                    opened.is_err(),
                    "case {id}: opened without its associated data"
                );
                with_aad += 1;
                continue;
            }
            match test["result"].as_str().unwrap() {
                "valid" => {
                    assert_eq!(opened.unwrap(), message, "case {id}");
                    let sealed = key.encrypt(&message, &mut ReplayRng::new(nonce));
                    assert_eq!(sealed, framed, "case {id}: encryption");
                }
                "invalid" => assert!(opened.is_err(), "case {id}: an invalid case opened"),
                other => panic!("case {id}: unexpected verdict {other}"),
            }
            asserted += 1;
        }
    }
    (asserted, with_aad, skipped)
}

#[test]
fn xchacha20_poly1305() {
    assert_eq!(
        run("xchacha20_poly1305_test.json", EncType::XChaCha20, 192),
        (45, 261, 9)
    );
}

#[test]
fn aes_256_gcm() {
    assert_eq!(run("aes_gcm_test.json", EncType::AesGcm, 96), (48, 18, 250));
}
