//! Wycheproof (C2SP/wycheproof, `testvectors_v1`) AES-CBC-PKCS5 and HMAC-SHA256 vectors through
//! the legacy attachment scheme's entry points (`attachment::legacy::{encrypt, decrypt}`).
//!
//! - AES-256-CBC with PKCS#7: each case becomes an upload `iv ‖ ct ‖ HMAC(mac key, iv ‖ ct)`
//!   with its digest, so decryption reaches the cipher: a `valid` case decrypts to the message
//!   and encrypting the message with the case's IV gives the same upload; an `invalid` one
//!   with a bad padding (`BadPadding`) is refused as `BadPkcs7`, the empty ciphertext
//!   (`NoPadding`) as `BadBlockLength`. Other key sizes are not the scheme's and are counted.
//! - HMAC-SHA256 with a 256-bit key and a 256-bit tag (the scheme's MAC): the message becomes the
//!   signed part of an upload and the tag its MAC: an `invalid` tag is refused as `BadMac`, a
//!   `valid` one gets past the MAC check. Messages shorter than an IV cannot form an upload and
//!   are counted, as are other key and tag sizes.
#![allow(clippy::unwrap_used)]

use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use session_envelope::attachment::{legacy, AttachmentError, LegacyKeys};
use sha2::{Digest, Sha256};

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

fn digest(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

const MAC_KEY: [u8; 32] = [0x5a; 32];

#[test]
fn aes_256_cbc_pkcs5() {
    let file = load("aes_cbc_pkcs5_test.json");
    let (mut asserted, mut skipped) = (0, 0);
    for group in file["testGroups"].as_array().unwrap() {
        let tests = group["tests"].as_array().unwrap();
        if group["keySize"] != 256 {
            skipped += tests.len();
            continue;
        }
        for test in tests {
            let id = &test["tcId"];
            let mut key = [0u8; 64];
            key[..32].copy_from_slice(&bytes(&test["key"]));
            key[32..].copy_from_slice(&MAC_KEY);
            let keys = LegacyKeys::from_bytes(key);
            let iv: [u8; 16] = bytes(&test["iv"]).try_into().unwrap();
            let message = bytes(&test["msg"]);
            let mut upload = [&iv[..], &bytes(&test["ct"])].concat();
            let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&MAC_KEY).unwrap();
            mac.update(&upload);
            upload.extend_from_slice(&mac.finalize().into_bytes());
            let opened = legacy::decrypt(&keys, &upload, &digest(&upload), None);
            match test["result"].as_str().unwrap() {
                "valid" => {
                    assert_eq!(opened.unwrap(), message, "case {id}");
                    let sealed = legacy::encrypt(&keys, &iv, &message, false);
                    assert_eq!(sealed.data, upload, "case {id}: encryption");
                    assert_eq!(sealed.digest, digest(&upload), "case {id}: digest");
                }
                // A wrong padding, or (tcId 169) no ciphertext at all.
                "invalid" if test["flags"][0] == "BadPadding" => {
                    assert_eq!(opened, Err(AttachmentError::BadPkcs7), "case {id}");
                }
                "invalid" if test["flags"][0] == "NoPadding" => {
                    assert_eq!(opened, Err(AttachmentError::BadBlockLength), "case {id}");
                }
                other => panic!("case {id}: unexpected verdict {other}"),
            }
            asserted += 1;
        }
    }
    assert_eq!((asserted, skipped), (72, 144));
}

#[test]
fn hmac_sha256() {
    let file = load("hmac_sha256_test.json");
    let (mut asserted, mut skipped) = (0, 0);
    for group in file["testGroups"].as_array().unwrap() {
        let tests = group["tests"].as_array().unwrap();
        if group["keySize"] != 256 || group["tagSize"] != 256 {
            skipped += tests.len();
            continue;
        }
        for test in tests {
            let id = &test["tcId"];
            let message = bytes(&test["msg"]);
            if message.len() < 16 {
                skipped += 1;
                continue;
            }
            let mut key = [0u8; 64];
            key[32..].copy_from_slice(&bytes(&test["key"]));
            let keys = LegacyKeys::from_bytes(key);
            let upload = [message, bytes(&test["tag"])].concat();
            let opened = legacy::decrypt(&keys, &upload, &digest(&upload), None);
            match test["result"].as_str().unwrap() {
                "valid" => assert!(
                    !matches!(opened, Err(AttachmentError::BadMac)),
                    "case {id}: a valid tag was refused"
                ),
                "invalid" => assert!(
                    matches!(opened, Err(AttachmentError::BadMac)),
                    "case {id}: {opened:?}"
                ),
                other => panic!("case {id}: unexpected verdict {other}"),
            }
            asserted += 1;
        }
    }
    assert_eq!((asserted, skipped), (38, 136));
}
