//! Replays the reference vectors (copied into `tests/data/` from `shared/vectors/`) through
//! `handle_line` and compares every output field exactly.
#![allow(clippy::unwrap_used)]

mod common;

use common::{call, call_err, call_ok, flip, records, s};
use serde_json::{json, Value};

const SESSION_ID: &str = include_str!("data/session_id.json");
const HASH: &str = include_str!("data/hash.json");
const BLIND15: &str = include_str!("data/blind15.json");
const BLIND25: &str = include_str!("data/blind25.json");
const BLIND_SIGN: &str = include_str!("data/blind_sign.json");
const BLIND_VERSION: &str = include_str!("data/blind_version.json");
const MATCHES: &str = include_str!("data/session_id_matches_blinded_id.json");
const MNEMONIC: &str = include_str!("data/mnemonic.json");

#[test]
fn session_id_from_seed() {
    let recs = records(SESSION_ID);
    assert_eq!(recs.len(), 10);
    for r in &recs {
        // The 32-byte seed and the 64-byte secret key give the same identity.
        for seed in [&r["seed"], &r["ed25519_sk"]] {
            let out = call_ok(json!({"op": "identity.from_seed", "seed": seed}));
            assert_eq!(out["ed25519_pk"], r["ed25519_pk"], "{}", r["case"]);
            assert_eq!(out["x25519_pk"], r["x25519_pk"], "{}", r["case"]);
            assert_eq!(out["session_id"], r["session_id"], "{}", r["case"]);
        }
        // Sign and verify round trip under the vector's public key.
        let message = "68656c6c6f";
        let sig = call_ok(json!({"op": "ed25519.sign", "seed": r["seed"], "message": message}));
        let sig = s(&sig["signature"]);
        assert_eq!(sig.len(), 128);
        let verify = |pubkey: &str, message: &str, signature: &str| {
            call_ok(
                json!({"op": "ed25519.verify", "pubkey": pubkey, "message": message,
                           "signature": signature}),
            )["valid"]
                .clone()
        };
        let pk = s(&r["ed25519_pk"]);
        assert_eq!(verify(pk, message, sig), json!(true));
        assert_eq!(verify(pk, "68656c6c6e", sig), json!(false));
        assert_eq!(verify(pk, message, &flip(sig, 3)), json!(false));
        assert_eq!(verify(pk, message, &flip(sig, 40)), json!(false));
        assert_eq!(verify(&flip(pk, 0), message, sig), json!(false));
    }
}

#[test]
fn legacy_16_byte_seed() {
    // The test seed of tests/test_session_encrypt.cpp, given as 16 bytes and zero-padded.
    let short = call_ok(json!({"op": "identity.from_seed",
                              "seed": "0123456789abcdef0123456789abcdef"}));
    let padded = call_ok(json!({"op": "identity.from_seed",
                               "seed": format!("0123456789abcdef0123456789abcdef{}", "00".repeat(16))}));
    assert_eq!(short, padded);
    assert_eq!(
        short["session_id"],
        json!("05d2ad010eeb72d72e561d9de7bd7b6989af77dcabffa03a5111a6c859ae5c3a72")
    );
}

#[test]
fn ed25519_verify_errors() {
    let sig = "00".repeat(64);
    let pk = "00".repeat(32);
    for (pubkey, signature) in [
        ("00".repeat(31), sig.clone()),
        ("00".repeat(33), sig.clone()),
        (pk.clone(), "00".repeat(63)),
        (pk.clone(), "00".repeat(65)),
    ] {
        let kind = call_err(
            json!({"op": "ed25519.verify", "pubkey": pubkey, "message": "",
                                   "signature": signature}),
        );
        assert_eq!(kind, "bad_request");
    }
    // Well-formed but invalid (small-order key, zero signature): not an error.
    let out =
        call_ok(json!({"op": "ed25519.verify", "pubkey": pk, "message": "", "signature": sig}));
    assert_eq!(out["valid"], json!(false));
}

#[test]
fn hash_blake2b() {
    let recs = records(HASH);
    assert_eq!(recs.len(), 10);
    for r in &recs {
        let out = call_ok(json!({"op": "hash.blake2b", "message": r["message"],
                                 "size": r["size"], "key": r["key"]}));
        assert_eq!(out["hash"], r["hash"], "{}", r["case"]);
        if r["size"] == json!(32) && r["key"].is_null() {
            let default = call_ok(json!({"op": "hash.blake2b", "message": r["message"]}));
            assert_eq!(default["hash"], r["hash"]);
        }
    }
    // BLAKE2b-512("abc"), RFC 7693 appendix A.
    let out = call_ok(json!({"op": "hash.blake2b", "message": "616263", "size": 64}));
    assert_eq!(
        out["hash"],
        json!(
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1\
               7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923"
        )
    );
    let unkeyed = call_ok(json!({"op": "hash.blake2b", "message": "616263"}));
    let empty_key = call_ok(json!({"op": "hash.blake2b", "message": "616263", "key": ""}));
    assert_eq!(unkeyed, empty_key);
    let bad = |extra: Value| {
        let mut req = json!({"op": "hash.blake2b", "message": "00"});
        for (k, v) in extra.as_object().unwrap() {
            req[k] = v.clone();
        }
        call_err(req)
    };
    for size in [
        json!(0),
        json!(15),
        json!(65),
        json!(-1),
        json!(1.5),
        json!("x"),
        json!(true),
    ] {
        assert_eq!(bad(json!({ "size": size })), "bad_request", "{size}");
    }
    assert_eq!(bad(json!({"key": "00".repeat(65)})), "bad_request");
    let max_key = call_ok(
        json!({"op": "hash.blake2b", "message": "", "key": "00".repeat(64),
                                 "size": 16}),
    );
    assert_eq!(s(&max_key["hash"]).len(), 32);
}

#[test]
fn blind15_ids() {
    let recs = records(BLIND15);
    assert_eq!(recs.len(), 12);
    for r in &recs {
        let case = &r["case"];
        let out =
            call_ok(json!({"op": "blind15.id", "seed": r["seed"], "server_pk": r["server_pk"]}));
        assert_eq!(out["blinded_id"], r["blinded15_id_from_ed"], "{case}");
        assert_eq!(s(&out["blinded_id"])[2..], *s(&r["blinded15_pk"]), "{case}");
        let expected = json!([r["blinded15_id"], r["blinded15_id_neg"]]);
        let sid = s(&r["session_id"]);
        for session_id in [sid, &sid[2..]] {
            let out = call_ok(json!({"op": "blind15.id_from_session_id",
                                     "session_id": session_id, "server_pk": r["server_pk"]}));
            assert_eq!(out["blinded_ids"], expected, "{case}");
        }
    }
}

#[test]
fn blind25_ids() {
    let recs = records(BLIND25);
    assert_eq!(recs.len(), 12);
    for r in &recs {
        let case = &r["case"];
        let out =
            call_ok(json!({"op": "blind25.id", "seed": r["seed"], "server_pk": r["server_pk"]}));
        assert_eq!(out["blinded_id"], r["blinded25_id_from_ed"], "{case}");
        assert_eq!(s(&out["blinded_id"])[2..], *s(&r["blinded25_pk"]), "{case}");
        let sid = s(&r["session_id"]);
        for session_id in [sid, &sid[2..]] {
            let out = call_ok(json!({"op": "blind25.id_from_session_id",
                                     "session_id": session_id, "server_pk": r["server_pk"]}));
            assert_eq!(out["blinded_id"], r["blinded25_id"], "{case}");
        }
    }
}

#[test]
fn blinding_from_bad_session_ids() {
    let server_pk = "00".repeat(32);
    for op in ["blind15.id_from_session_id", "blind25.id_from_session_id"] {
        // Wrong prefix or length: bad_request.
        for session_id in [
            format!("03{}", "11".repeat(32)),
            "11".repeat(31),
            "05".repeat(34),
        ] {
            let kind =
                call_err(json!({"op": op, "session_id": session_id, "server_pk": server_pk}));
            assert_eq!(kind, "bad_request", "{op} {session_id}");
        }
        // u = 2 is not on the curve; u = 0 has small order; u = -1 has no Edwards point.
        let minus_one = format!("ec{}7f", "ff".repeat(30));
        for key in [format!("02{}", "00".repeat(31)), "00".repeat(32), minus_one] {
            let response = call(json!({"op": op, "session_id": format!("05{key}"),
                                       "server_pk": server_pk}));
            assert_eq!(response["ok"], json!(false), "{op} {key}: {response}");
        }
    }
}

#[test]
fn blind_sign_and_verify() {
    let recs = records(BLIND_SIGN);
    assert_eq!(recs.len(), 24);
    for r in &recs {
        let case = &r["case"];
        let (op, prefix) = match s(&r["op"]) {
            "blind15_sign" => ("blind15.sign", "15"),
            "blind25_sign" => ("blind25.sign", "25"),
            other => panic!("unexpected op {other}"),
        };
        let out = call_ok(
            json!({"op": op, "seed": r["ed25519_sk"], "server_pk": r["server_pk"],
                                 "message": r["message"]}),
        );
        assert_eq!(out["signature"], r["signature"], "{case}");
        // The same signature from the 32-byte seed alone.
        let seed = &s(&r["ed25519_sk"])[..64];
        let out = call_ok(json!({"op": op, "seed": seed, "server_pk": r["server_pk"],
                                 "message": r["message"]}));
        assert_eq!(out["signature"], r["signature"], "{case}");
        // blind{15,25}.id gives the key the signature verifies under.
        let id_op = if prefix == "15" {
            "blind15.id"
        } else {
            "blind25.id"
        };
        let id = call_ok(json!({"op": id_op, "seed": seed, "server_pk": r["server_pk"]}));
        let blinded_id = format!("{prefix}{}", s(&r["blinded_pk"]));
        assert_eq!(id["blinded_id"], json!(blinded_id), "{case}");

        let verify = |id: &str, message: &Value, signature: &str| {
            call_ok(
                json!({"op": "blinded.verify", "blinded_id": id, "message": message,
                           "signature": signature}),
            )["valid"]
                .clone()
        };
        let sig = s(&r["signature"]);
        assert_eq!(
            verify(&blinded_id, &r["message"], sig),
            r["verifies_with_blinded_pk"],
            "{case}"
        );
        assert_eq!(
            verify(&blinded_id, &r["message"], &flip(sig, 0)),
            json!(false)
        );
        assert_eq!(
            verify(&blinded_id, &r["message"], &flip(sig, 33)),
            json!(false)
        );
        assert_eq!(verify(&blinded_id, &json!("ff"), sig), json!(false));
        // Plain Ed25519 under the blinded key agrees.
        let plain = call_ok(json!({"op": "ed25519.verify", "pubkey": r["blinded_pk"],
                                   "message": r["message"], "signature": sig}));
        assert_eq!(plain["valid"], r["verifies_with_blinded_pk"]);
        // A blinded id must be 33 bytes with a 15 or 25 prefix.
        for bad_id in [
            format!("05{}", s(&r["blinded_pk"])),
            format!("07{}", s(&r["blinded_pk"])),
            s(&r["blinded_pk"]).to_owned(),
        ] {
            let kind = call_err(json!({"op": "blinded.verify", "blinded_id": bad_id,
                                       "message": r["message"], "signature": sig}));
            assert_eq!(kind, "bad_request", "{case}");
        }
    }
}

#[test]
fn blind_matches() {
    let recs = records(MATCHES);
    assert_eq!(recs.len(), 48);
    for r in &recs {
        let out = call_ok(json!({"op": "blind.matches", "session_id": r["session_id"],
                                 "blinded_id": r["blinded_id"], "server_pk": r["server_pk"]}));
        assert_eq!(out["matches"], r["matches"], "{}", r["case"]);
    }
    let r = &recs[0];
    let sid = s(&r["session_id"]);
    // The session id must be 33 bytes with 05; the blinded id 33 bytes with 15 or 25.
    for (session_id, blinded_id) in [
        (sid[2..].to_owned(), s(&r["blinded_id"]).to_owned()),
        (format!("03{}", &sid[2..]), s(&r["blinded_id"]).to_owned()),
        (sid.to_owned(), format!("05{}", &s(&r["blinded_id"])[2..])),
        (sid.to_owned(), s(&r["blinded_id"])[2..].to_owned()),
    ] {
        let kind = call_err(json!({"op": "blind.matches", "session_id": session_id,
                                   "blinded_id": blinded_id, "server_pk": r["server_pk"]}));
        assert_eq!(kind, "bad_request");
    }
}

#[test]
fn blind_version() {
    let recs = records(BLIND_VERSION);
    assert_eq!(recs.len(), 10);
    for r in &recs {
        let case = &r["case"];
        let ts = s(&r["timestamp"]);
        let ts_number: Value = serde_json::from_str(ts).unwrap();
        match s(&r["op"]) {
            "blind_version_sign" => {
                let pair =
                    call_ok(json!({"op": "blind_version.key_pair", "seed": r["ed25519_sk"]}));
                assert_eq!(pair["pubkey"], r["version_blinded_pk"], "{case}");
                assert_eq!(pair["seckey"], r["version_blinded_sk"], "{case}");
                // The vector writes the timestamp as a decimal string; the op takes a JSON
                // integer and refuses the string.
                let out = call_ok(json!({"op": "blind_version.sign", "seed": r["ed25519_sk"],
                                         "platform": r["platform"], "timestamp": ts_number}));
                assert_eq!(out["signature"], r["signature"], "{case}");
                let kind = call_err(json!({"op": "blind_version.sign", "seed": r["ed25519_sk"],
                                           "platform": r["platform"], "timestamp": ts}));
                assert_eq!(kind, "bad_request", "{case}");
                // The signature verifies as plain Ed25519 under the version key.
                let message = format!("{ts}GET/session_version?platform={}", s(&r["platform"]));
                let ok = call_ok(
                    json!({"op": "ed25519.verify", "pubkey": r["version_blinded_pk"],
                                        "message": hex::encode(message), "signature": r["signature"]}),
                );
                assert_eq!(ok["valid"], json!(true));
            }
            "blind_version_sign_request" => {
                let method = String::from_utf8(hex::decode(s(&r["method"])).unwrap()).unwrap();
                let path = String::from_utf8(hex::decode(s(&r["path"])).unwrap()).unwrap();
                let out = call_ok(json!({"op": "blind_version.sign_request",
                                         "seed": r["ed25519_sk"], "timestamp": ts_number,
                                         "method": method, "path": path, "body": r["body"]}));
                assert_eq!(out["signature"], r["signature"], "{case}");
                let kind = call_err(json!({"op": "blind_version.sign_request",
                                           "seed": r["ed25519_sk"], "timestamp": ts,
                                           "method": method, "path": path, "body": r["body"]}));
                assert_eq!(kind, "bad_request", "{case}");
            }
            other => panic!("unexpected op {other}"),
        }
    }
    let seed = "00".repeat(32);
    for (platform, timestamp) in [
        (json!("windows"), json!(1)),
        (json!("Android"), json!(1)),
        (json!(0), json!(1)),
        (json!("ios"), json!(-1)),
        (json!("ios"), json!(1.5)),
        (json!("ios"), json!("18446744073709551616")),
        (json!("ios"), json!(18446744073709551616.0)),
        (json!("ios"), json!("12a")),
        (json!("ios"), Value::Null),
    ] {
        let kind = call_err(json!({"op": "blind_version.sign", "seed": seed,
                                   "platform": platform, "timestamp": timestamp}));
        assert_eq!(kind, "bad_request", "{platform} {timestamp}");
    }
    // Absent body and empty body sign the same message.
    let sign = |body: Value| {
        call_ok(
            json!({"op": "blind_version.sign_request", "seed": seed, "timestamp": 5,
                       "method": "GET", "path": "/x", "body": body}),
        )["signature"]
            .clone()
    };
    assert_eq!(sign(Value::Null), sign(json!("")));
    assert_ne!(sign(json!("00")), sign(json!("")));
}

#[test]
fn mnemonic_vectors() {
    let file: Value = serde_json::from_str(MNEMONIC).unwrap();
    let vectors = file["vectors"].as_array().unwrap();
    let mut checked = 0;
    for v in vectors {
        match s(&v["kind"]) {
            "bytes_to_words_with_checksum" => {
                let out = call_ok(json!({"op": "mnemonic.encode", "data": v["seed"]}));
                assert_eq!(out["words"], v["words"]);
                let explicit = call_ok(json!({"op": "mnemonic.encode", "data": v["seed"],
                                              "checksum": true}));
                assert_eq!(explicit["words"], v["words"]);
                let back = call_ok(json!({"op": "mnemonic.decode", "words": v["words"]}));
                assert_eq!(back["data"], v["seed"]);
                checked += 1;
            }
            "words_to_bytes_accepts" => {
                for words in v["accepted_inputs"].as_array().unwrap() {
                    let out = call_ok(json!({"op": "mnemonic.decode", "words": words}));
                    assert_eq!(out["data"], v["expected_seed"], "{words}");
                    // Case and whitespace do not matter either.
                    let shouting =
                        format!("\t {}\r\n", s(words).to_uppercase().replace(' ', " \n  "));
                    let out = call_ok(json!({"op": "mnemonic.decode", "words": shouting}));
                    assert_eq!(out["data"], v["expected_seed"], "{words}");
                    checked += 1;
                }
            }
            "words_to_bytes_rejects" => {
                for c in v["cases"].as_array().unwrap() {
                    let response = call(json!({"op": "mnemonic.decode", "words": c["words"]}));
                    assert_eq!(response["ok"], json!(false), "{}", c["words"]);
                    checked += 1;
                }
            }
            "triplet_arithmetic" => {
                // The recorded `word_indices` (1443, 180, 205) come from a comment in the
                // reference test, which only checks a round trip. They do not satisfy the rule
                // stated in the same record (they decode to 66688581, not 67305985), so the
                // indices are computed from the rule here.
                let bytes = hex::decode(s(&v["bytes"])).unwrap();
                let value = u32::from_le_bytes(bytes[..].try_into().unwrap());
                assert_eq!(json!(value), v["u32_le"]);
                let n = 1626u64;
                let value = u64::from(value);
                let a = value % n;
                let b = (value / n + a) % n;
                let c = (value / n / n + b) % n;
                let list = session_identity::mnemonic::english_words();
                let expected = [a, b, c].map(|i| list[i as usize]).join(" ");
                let out = call_ok(json!({"op": "mnemonic.encode", "data": v["bytes"],
                                         "checksum": false}));
                assert_eq!(out["words"], json!(expected));
                let back = call_ok(json!({"op": "mnemonic.decode", "words": out["words"]}));
                assert_eq!(back["data"], v["bytes"]);
                checked += 1;
            }
            "multi_language_48_words" => {
                assert_eq!(v["language"], json!("English"));
                let out = call_ok(json!({"op": "mnemonic.encode", "data": v["seed"],
                                         "checksum": v["checksum"]}));
                assert_eq!(out["words"], v["words"]);
                let back = call_ok(json!({"op": "mnemonic.decode", "words": v["words"]}));
                assert_eq!(back["data"], v["seed"]);
                checked += 1;
            }
            other => panic!("unexpected vector kind {other}"),
        }
    }
    assert_eq!(checked, 3 + 3 + 6 + 1 + 1);
}

#[test]
fn mnemonic_errors() {
    for data in ["", "00", "000000", "0000000000"] {
        let kind = call_err(json!({"op": "mnemonic.encode", "data": data}));
        assert_eq!(kind, "bad_request", "{data:?}");
    }
    assert_eq!(
        call_err(json!({"op": "mnemonic.encode", "data": "00000000", "checksum": "yes"})),
        "bad_request"
    );
    assert_eq!(
        call_err(json!({"op": "mnemonic.decode", "words": 5})),
        "bad_request"
    );
    for words in [
        "",
        "   ",
        "abbey",
        "abbey abbey",
        "abbey abbey abbey abbey abbey",
    ] {
        let response = call(json!({"op": "mnemonic.decode", "words": words}));
        assert_eq!(response["ok"], json!(false), "{words:?}");
    }
    // Unknown word, overflow, checksum: ok:false.
    for words in [
        "abbey abbey zzz",
        "abbey abbey zoom",
        "ab abbey abbey",
        "abbey abbey abbey zoom",
    ] {
        let response = call(json!({"op": "mnemonic.decode", "words": words}));
        assert_eq!(response["ok"], json!(false), "{words:?}");
    }
    let out = call_ok(json!({"op": "mnemonic.encode", "data": "00000000", "checksum": false}));
    assert_eq!(out["words"], json!("abbey abbey abbey"));
}
