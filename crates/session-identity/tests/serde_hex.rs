//! Public types serialize as lower-case hex strings and refuse malformed ones.
#![cfg(feature = "serde")]
#![allow(clippy::unwrap_used)]

use session_identity::{Ed25519PublicKey, SessionId, Signature, X25519PublicKey};

const ID: &str = "05d2ad010eeb72d72e561d9de7bd7b6989af77dcabffa03a5111a6c859ae5c3a72";

#[test]
fn session_id_is_a_hex_string() {
    let id: SessionId = ID.parse().unwrap();
    assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{ID}\""));
    let back: SessionId = serde_json::from_str(&format!("\"{}\"", ID.to_uppercase())).unwrap();
    assert_eq!(back, id);
    let err = serde_json::from_str::<SessionId>("\"06d2\"").unwrap_err();
    assert!(err.to_string().contains("66 characters"), "{err}");
    assert!(serde_json::from_str::<SessionId>("42").is_err());
}

#[test]
fn keys_and_signatures_are_hex_strings() {
    let key = Ed25519PublicKey::from_bytes([0xab; 32]);
    let json = serde_json::to_string(&key).unwrap();
    assert_eq!(json, format!("\"{}\"", "ab".repeat(32)));
    assert_eq!(
        serde_json::from_str::<Ed25519PublicKey>(&json).unwrap(),
        key
    );
    assert!(serde_json::from_str::<X25519PublicKey>("\"abab\"").is_err());
    assert!(serde_json::from_str::<X25519PublicKey>(&format!("\"{}\"", "zz".repeat(32))).is_err());
    let sig = Signature::from_bytes([1; 64]);
    let json = serde_json::to_string(&sig).unwrap();
    assert_eq!(serde_json::from_str::<Signature>(&json).unwrap(), sig);
}
