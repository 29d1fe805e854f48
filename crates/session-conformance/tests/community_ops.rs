//! The community ops (`sogs.sign_request`, `sogs.sign_message`, `sogs.signed_path`), checked as
//! the checker checks them: deterministic outputs compared, blinded signatures verified through
//! the runner's own `hash.blake2b` and `ed25519.verify`, every malformed field refused.
#![allow(clippy::unwrap_used)]

mod common;

use common::{call_err, call_ok, s};
use serde_json::{json, Value};

/// session-pysogs `contrib/auth-example.py` and session-desktop's
/// `OpenGroupAuthentication_test.ts`.
const SEED: &str = "c010d89eccbaf5d1c6d19df766c6eedf965d4a28a56f87c9fc819edb59896dd9";
const SERVER: &str = "c3b3c6f32f0ab5a57f853cc4f30f5da7fda5624b0c77b3fb0829de562ada081d";
const NONCE: &str = "09d0799f2295990182c3ab3406fbfc5b";
const PATH: &str = "/room/the-best-room/messages/recent?limit=25";

fn sign(blind: &str, body: Option<&str>) -> Value {
    let mut request = json!({"op": "sogs.sign_request", "seed": SEED, "server_pk": SERVER,
        "method": "GET", "path": PATH, "timestamp": 1_642_472_103, "nonce": NONCE, "blind": blind});
    if let Some(body) = body {
        request["body"] = json!(body);
    }
    call_ok(request)
}

/// `server ‖ nonce ‖ ts ‖ method ‖ path ‖ B2b64(body)?`, the hash from the runner's BLAKE2b.
fn message(path: &str, body: &str) -> String {
    let mut m = format!(
        "{SERVER}{NONCE}{}{}{}",
        hex::encode("1642472103"),
        hex::encode("GET"),
        hex::encode(path)
    );
    if !body.is_empty() {
        let hash = call_ok(json!({"op": "hash.blake2b", "message": body, "size": 64}));
        m.push_str(s(&hash["hash"]));
    }
    m
}

fn verifies(pubkey: &str, message: &str, signature: &str) -> bool {
    let response = call_ok(json!({"op": "ed25519.verify", "pubkey": &pubkey[2..],
                                  "message": message, "signature": signature}));
    response["valid"] == json!(true)
}

#[test]
fn sign_request_matches_and_verifies() {
    let body = hex::encode("hello 🎂");
    // Unblinded: plain Ed25519, compared byte for byte with the reference's output.
    let plain = sign("unblinded", None);
    assert_eq!(
        s(&plain["pubkey"]),
        "00bac6e71efd7dfa4a83c98ed24f254ab2c267f9ccdb172a5280a0444ad24e89cc"
    );
    let b64 = |h: &str| {
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            hex::decode(h).unwrap(),
        )
    };
    assert_eq!(
        b64(s(&plain["signature"])),
        "xxLpXHbomAJMB9AtGMyqvBsXrdd2040y+Ol/IKzElWfKJa3EYZRv1GLO6CTLhrDFUwVQe8PPltyGs54Kd7O5Cg=="
    );
    assert_eq!(
        b64(s(&sign("unblinded", Some(&body))["signature"])),
        "uumZNee7NUb0lVufegjzgjjnj4pe3kAe6OYw7iVTJrcxxxdIxUCgt5/xliBWqPlgY6ReUZRAuptNa4nprv7nCA=="
    );
    // 15 and 25: the key compared, the signature verified.
    for blind in ["15", "25"] {
        for body in ["", body.as_str()] {
            let out = sign(blind, Some(body));
            let pubkey = s(&out["pubkey"]);
            assert!(pubkey.starts_with(blind));
            assert!(
                verifies(pubkey, &message(PATH, body), s(&out["signature"])),
                "{blind} {body}"
            );
            assert!(!verifies(
                pubkey,
                &message("/other", body),
                s(&out["signature"])
            ));
        }
    }
    assert_eq!(
        s(&sign("15", None)["pubkey"]),
        "1598932d4bccbe595a8789d7eb1629cefc483a0eaddc7e20e8fe5c771efafd9af5"
    );
    let id25 = call_ok(json!({"op": "blind25.id", "seed": SEED, "server_pk": SERVER}));
    assert_eq!(sign("25", None)["pubkey"], id25["blinded_id"]);
    // An empty body is no body: no hash of the empty string.
    assert_eq!(sign("unblinded", Some(""))["signature"], plain["signature"]);
}

#[test]
fn sign_request_refuses_malformed_fields() {
    let good = json!({"op": "sogs.sign_request", "seed": SEED, "server_pk": SERVER,
        "method": "GET", "path": PATH, "timestamp": 1, "nonce": NONCE, "blind": "15"});
    call_ok(good.clone());
    let cases = [
        ("blind", json!("16")),
        ("blind", json!("")),
        ("blind", json!(15)),
        ("blind", json!("Unblinded")),
        ("blind", Value::Null),
        ("timestamp", json!("1")),
        ("timestamp", json!(1.5)),
        ("timestamp", json!(-1)),
        ("timestamp", json!(true)),
        ("method", json!("get")),
        ("method", json!("")),
        ("method", json!("G1")),
        ("path", json!("room")),
        ("path", json!(7)),
        ("server_pk", json!("00".repeat(31))),
        ("nonce", json!("00".repeat(15))),
        ("body", json!("zz")),
        ("seed", json!("00")),
    ];
    for (field, value) in cases {
        let mut request = good.clone();
        if value.is_null() {
            request.as_object_mut().unwrap().remove(field);
        } else {
            request[field] = value.clone();
        }
        assert_eq!(call_err(request), "bad_request", "{field} = {value}");
    }
}

#[test]
fn sign_message_names_the_sender_and_verifies() {
    let data = hex::encode(b"some padded content");
    for blind in ["15", "25"] {
        let out = call_ok(
            json!({"op": "sogs.sign_message", "seed": SEED, "server_pk": SERVER,
                                 "data": data, "blind": blind}),
        );
        let id =
            call_ok(json!({"op": format!("blind{blind}.id"), "seed": SEED, "server_pk": SERVER}));
        assert_eq!(out["sender"], id["blinded_id"]);
        assert!(verifies(s(&out["sender"]), &data, s(&out["signature"])));
    }
    // Unblinded: XEd25519 under the Session ID's X25519 key, randomized.
    let out = call_ok(
        json!({"op": "sogs.sign_message", "seed": SEED, "server_pk": SERVER,
                             "data": data, "blind": "unblinded"}),
    );
    let me = call_ok(json!({"op": "identity.from_seed", "seed": SEED}));
    assert_eq!(out["sender"], me["session_id"]);
    let x = session_identity::X25519PublicKey::from_hex(&s(&out["sender"])[2..]).unwrap();
    let signature: [u8; 64] = hex::decode(s(&out["signature"]))
        .unwrap()
        .try_into()
        .unwrap();
    session_identity::xed25519::verify(
        &x,
        b"some padded content",
        &session_identity::Signature::from_bytes(signature),
    )
    .unwrap();
    // With recorded randomness it is reproducible, and too little randomness is refused.
    let replay = |rng: &str| {
        json!({"op": "sogs.sign_message", "seed": SEED, "server_pk": SERVER,
                                    "data": data, "blind": "unblinded", "rng_bytes": rng})
    };
    assert_eq!(
        call_ok(replay(&"ab".repeat(64)))["signature"],
        call_ok(replay(&"ab".repeat(64)))["signature"]
    );
    assert_eq!(call_err(replay("ab")), "bad_request");
}

#[test]
fn signed_path_is_what_the_server_verifies() {
    for (endpoint, path) in [
        ("/foo/%F0%9F%8D%8D%20%20%20%f0%9f%8d%8c", "/foo/🍍   🍌"),
        ("/room/x/reaction/1/👍", "/room/x/reaction/1/👍"),
        (
            "/capabilities?required=sogs,blind",
            "/capabilities?required=sogs,blind",
        ),
        ("/a?b=%20", "/a?b=%20"),
        ("/x?", "/x"),
    ] {
        let out = call_ok(json!({"op": "sogs.signed_path", "endpoint": endpoint}));
        assert_eq!(s(&out["path"]), path, "{endpoint}");
    }
    for endpoint in ["x", "", "/%ff"] {
        assert_eq!(
            call_err(json!({"op": "sogs.signed_path", "endpoint": endpoint})),
            "bad_request"
        );
    }
}
