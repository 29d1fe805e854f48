//! Wycheproof (C2SP/wycheproof, `testvectors_v1`) through sessionkit's own entry points: every
//! verdict asserted.
//!
//! - X25519 (`X25519SecretKey::diffie_hellman`): libsodium's rules decide the `acceptable`
//!   cases. Twist points, non-canonical and small u-coordinates are computed like any other
//!   (the high bit of u is ignored), and their shared secret must equal Wycheproof's; a result
//!   of all zeros (low-order points, flagged `ZeroSharedSecret`) is refused, as
//!   `crypto_scalarmult` refuses it.
//! - Ed25519 (`Ed25519PublicKey::verify`): `valid` verifies, `invalid` does not (there are no
//!   `acceptable` cases); signatures that are not 64 bytes cannot be built and count as refused.
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use session_identity::{Ed25519PublicKey, Signature, X25519PublicKey, X25519SecretKey};

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

fn tests(file: &Value) -> impl Iterator<Item = (&Value, &Value)> {
    file["testGroups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["tests"].as_array().unwrap().iter().map(move |t| (g, t)))
}

#[test]
fn x25519() {
    let file = load("x25519_test.json");
    let (mut computed, mut refused) = (0, 0);
    for (_, test) in tests(&file) {
        let id = &test["tcId"];
        let secret = X25519SecretKey::from_bytes(bytes(&test["private"]).try_into().unwrap());
        let public = X25519PublicKey::from_bytes(bytes(&test["public"]).try_into().unwrap());
        let expected = bytes(&test["shared"]);
        let result = test["result"].as_str().unwrap();
        let flags: Vec<&str> = test["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        match secret.diffie_hellman(&public) {
            Ok(shared) => {
                assert_ne!(result, "invalid", "case {id}");
                assert_eq!(
                    shared.expose_secret_bytes().as_slice(),
                    expected,
                    "case {id}"
                );
                computed += 1;
            }
            Err(_) => {
                assert_eq!(expected, [0u8; 32], "case {id}: refused a non-zero secret");
                assert!(flags.contains(&"ZeroSharedSecret"), "case {id}");
                assert_eq!(result, "acceptable", "case {id}");
                refused += 1;
            }
        }
    }
    assert_eq!((computed, refused), (487, 31));
}

#[test]
fn ed25519() {
    let file = load("ed25519_test.json");
    let (mut valid, mut invalid) = (0, 0);
    for (group, test) in tests(&file) {
        let id = &test["tcId"];
        let key =
            Ed25519PublicKey::from_bytes(bytes(&group["publicKey"]["pk"]).try_into().unwrap());
        let message = bytes(&test["msg"]);
        let verified = match <[u8; 64]>::try_from(bytes(&test["sig"])) {
            Ok(sig) => key.verify(&message, &Signature::from_bytes(sig)).is_ok(),
            Err(_) => false,
        };
        match test["result"].as_str().unwrap() {
            "valid" => {
                assert!(verified, "case {id}: a valid signature was refused");
                valid += 1;
            }
            "invalid" => {
                assert!(!verified, "case {id}: an invalid signature verified");
                invalid += 1;
            }
            other => panic!("case {id}: unexpected verdict {other}"),
        }
    }
    assert_eq!((valid, invalid), (88, 63));
}
