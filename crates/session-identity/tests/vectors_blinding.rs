//! Community blinding (15 and 25), blinded signatures and the version-check key against
//! `blinding.json` (the reference test suites) and `blind15.json`, `blind25.json`,
//! `blind_sign.json`, `blind_version.json`, `session_id_matches_blinded_id.json` (outputs of
//! libsession-util).
#![allow(clippy::unwrap_used)]

mod support;

use session_identity::blinding::{self, BlindingKind, Platform};
use session_identity::hash;
use session_identity::{Ed25519PublicKey, Identity, Prefix, SessionId, Signature, SignatureError};
use support::{Record, Tally};

const BLINDING: &str = include_str!("data/blinding.json");
const BLIND15: &str = include_str!("data/blind15.json");
const BLIND25: &str = include_str!("data/blind25.json");
const BLIND_SIGN: &str = include_str!("data/blind_sign.json");
const BLIND_VERSION: &str = include_str!("data/blind_version.json");
const MATCHES: &str = include_str!("data/session_id_matches_blinded_id.json");

/// The reference's `Platform` enum order (`platform_enum` in the vectors).
const PLATFORMS: [Platform; 3] = [Platform::Android, Platform::Desktop, Platform::Ios];

fn server_key(r: &Record) -> Ed25519PublicKey {
    Ed25519PublicKey::from_bytes(r.array("server_pk"))
}

fn identity(r: &Record, field: &str) -> Identity {
    Identity::from_secret_bytes(&r.hex(field)).unwrap()
}

/// A blinded signature: exact bytes, and valid under the blinded ID and as plain Ed25519.
fn check_blinded_signature(
    label: &str,
    id: &Identity,
    kind: BlindingKind,
    server: &Ed25519PublicKey,
    message: &[u8],
    expected: &Signature,
) -> SessionId {
    let pair = id.blinded_key_pair(kind, server);
    assert_eq!(pair.kind(), kind);
    assert_eq!(pair.sign(message), *expected, "{label}: signature bytes");
    let blinded_id = pair.blinded_id();
    assert_eq!(blinded_id.prefix(), kind.prefix());
    assert_eq!(
        blinding::verify_blinded_signature(&blinded_id, message, expected),
        Ok(()),
        "{label}"
    );
    assert_eq!(pair.public_key().verify(message, expected), Ok(()));
    blinded_id
}

/// Which of the two common Session IDs a `verifies_with` note names, and which 15 candidate.
fn verifies_with<'a>(text: &str, ids: &'a [SessionId; 2]) -> (&'a SessionId, usize) {
    let session_id = if text.contains("session_id_1") {
        &ids[0]
    } else if text.contains("session_id_2") {
        &ids[1]
    } else {
        panic!("unrecognised verifies_with {text:?}")
    };
    let candidate = if text.contains(")[1]") { 1 } else { 0 };
    (session_id, candidate)
}

/// The SOGS request-signing message: `server_pk ‖ nonce ‖ ts ‖ method ‖ path ‖ [H64(body)]`.
fn sogs_message(
    server: &Ed25519PublicKey,
    nonce: &[u8],
    timestamp: &str,
    method: &str,
    path: &str,
    body: Option<&[u8]>,
) -> Vec<u8> {
    let mut message = server.as_bytes().to_vec();
    message.extend_from_slice(nonce);
    message.extend_from_slice(timestamp.as_bytes());
    message.extend_from_slice(method.as_bytes());
    message.extend_from_slice(path.as_bytes());
    if let Some(body) = body {
        message.extend_from_slice(&hash::blake2b::<64>(body, None).unwrap());
    }
    message
}

#[test]
fn blinding_json() {
    let file = support::parse(BLINDING);
    let common = Record::new(&file["common"]);
    let common_ids = [
        SessionId::parse(common.str("session_id_1")).unwrap(),
        SessionId::parse(common.str("session_id_2")).unwrap(),
    ];
    common.finish();

    let vectors = support::vectors(&file);
    let mut tally = Tally::default();
    for v in vectors {
        let r = Record::new(v);
        let label = r.label();
        match r.str("kind") {
            "blind25_id" => {
                let session_id = SessionId::parse(r.str("session_id")).unwrap();
                let server = server_key(&r);
                let expected = SessionId::parse(r.str("blinded_id")).unwrap();
                assert_eq!(expected.prefix(), Prefix::Blinded25);
                assert_eq!(
                    blinding::blind25_id_from_session_id(&session_id, &server),
                    Ok(expected),
                    "{label}"
                );
                assert_eq!(
                    blinding::session_id_matches_blinded_id(&session_id, &expected, &server),
                    Ok(true)
                );
            }
            "blind15_id" => {
                let session_id = SessionId::parse(r.str("session_id")).unwrap();
                let server = server_key(&r);
                let expected = SessionId::parse(r.str("blinded_id")).unwrap();
                assert_eq!(expected.prefix(), Prefix::Blinded15);
                let [positive, negative] =
                    blinding::blind15_ids_from_session_id(&session_id, &server).unwrap();
                assert_eq!(positive, expected, "{label}");
                let mut flipped = *expected.key_bytes();
                flipped[31] ^= 0x80;
                assert_eq!(negative, SessionId::new(Prefix::Blinded15, flipped));
                for id in [positive, negative] {
                    assert_eq!(
                        blinding::session_id_matches_blinded_id(&session_id, &id, &server),
                        Ok(true)
                    );
                }
            }
            kind @ ("blind15_sign" | "blind25_sign") => {
                let blinding_kind = if kind == "blind15_sign" {
                    BlindingKind::Blind15
                } else {
                    BlindingKind::Blind25
                };
                // 64-byte secret keys and 32-byte seeds alike.
                let id = identity(&r, "ed25519_sk");
                let server = server_key(&r);
                let message = r.str("message_utf8").as_bytes();
                let expected = Signature::from_bytes(r.array("signature"));
                let blinded_id = check_blinded_signature(
                    &label,
                    &id,
                    blinding_kind,
                    &server,
                    message,
                    &expected,
                );
                let (session_id, candidate) = verifies_with(r.str("verifies_with"), &common_ids);
                assert_eq!(id.session_id(), *session_id, "{label}");
                let from_session_id = match blinding_kind {
                    BlindingKind::Blind15 => {
                        blinding::blind15_ids_from_session_id(session_id, &server).unwrap()
                            [candidate]
                    }
                    BlindingKind::Blind25 => {
                        blinding::blind25_id_from_session_id(session_id, &server).unwrap()
                    }
                };
                assert_eq!(from_session_id, blinded_id, "{label}: verifying ID");
                assert_eq!(
                    blinding::verify_blinded_signature(&from_session_id, message, &expected),
                    Ok(())
                );
            }
            "blind_version_key_pair" => {
                let pair = identity(&r, "ed25519_sk").version_check_key_pair();
                assert_eq!(pair.public_key().to_hex(), r.str("pubkey"));
                assert_eq!(pair.expose_secret_key()[..], r.hex("seckey")[..]);
                assert_eq!(pair.blinded_id().prefix(), Prefix::VersionBlinded);
                assert_eq!(pair.blinded_id().key_bytes(), pair.public_key().as_bytes());
                // The derivation in words; the keys above are its result.
                r.ignore(&["derived_seed_rule"]);
            }
            "blind_version_sign" => {
                let pair = identity(&r, "ed25519_sk").version_check_key_pair();
                let platform: Platform = r.str("platform").parse().unwrap();
                let timestamp = r.u64("timestamp");
                let expected = Signature::from_bytes(r.array("signature"));
                assert_eq!(pair.sign_version_request(platform, timestamp), expected);
                let signed = r.str("signed_message_utf8");
                assert_eq!(
                    pair.public_key().verify(signed.as_bytes(), &expected),
                    Ok(())
                );
            }
            "blind15_from_seed (pysogs)" => {
                let seed = r.hex("ed25519_seed");
                assert_eq!(seed.len(), 32);
                let id = Identity::from_secret_bytes(&seed).unwrap();
                let server = server_key(&r);
                let expected = SessionId::parse(r.str("blinded_id")).unwrap();
                assert_eq!(
                    id.blind15_key_pair(&server).blinded_id(),
                    expected,
                    "{label}"
                );
                assert_eq!(
                    blinding::blind15_id_from_ed25519(&id.ed25519_public_key(), &server),
                    Ok(expected)
                );
                let candidates =
                    blinding::blind15_ids_from_session_id(&id.session_id(), &server).unwrap();
                assert!(candidates.contains(&expected), "{label}");
            }
            "sogs_request_headers (session-desktop)" => {
                // Assembling the X-SOGS-* headers belongs to the community (SOGS) layer; what
                // this crate provides is checked: the pubkey header (unblinded `00` or 15-blinded
                // key) and the signature over the documented message, which verifies under it.
                let id = identity(&r, "ed25519_sk");
                let server = server_key(&r);
                let blinded = r.bool("blinded");
                let nonce_b64 = r.str("nonce_b64");
                let timestamp = r.u64("timestamp").to_string();
                let method = r.str("method");
                let path = r.str("path");
                let body = r.opt_str("body_utf8").map(str::as_bytes);
                // The layout in words; `sogs_message` implements it.
                r.ignore(&["signed_message_layout"]);

                let headers = Record::new(r.get("expected_headers"));
                assert_eq!(headers.str("X-SOGS-Nonce"), nonce_b64);
                assert_eq!(headers.str("X-SOGS-Timestamp"), timestamp);
                let pubkey = SessionId::parse(headers.str("X-SOGS-Pubkey")).unwrap();
                let signature =
                    Signature::from_slice(&support::unbase64(headers.str("X-SOGS-Signature")))
                        .unwrap();
                headers.finish();

                let nonce = support::unbase64(nonce_b64);
                assert_eq!(nonce.len(), 16);
                let message = sogs_message(&server, &nonce, &timestamp, method, path, body);
                if blinded {
                    let pair = id.blind15_key_pair(&server);
                    assert_eq!(pair.blinded_id(), pubkey, "{label}: X-SOGS-Pubkey");
                    assert_eq!(
                        blinding::verify_blinded_signature(&pubkey, &message, &signature),
                        Ok(())
                    );
                    // Desktop derives the nonce from the 32-byte seed, libsession (and we) from
                    // the 64-byte secret key: both signatures verify, their bytes differ.
                    let ours = pair.sign(&message);
                    assert_ne!(ours, signature);
                    assert_eq!(
                        blinding::verify_blinded_signature(&pubkey, &message, &ours),
                        Ok(())
                    );
                } else {
                    let expected =
                        SessionId::new(Prefix::Unblinded, id.ed25519_public_key().to_bytes());
                    assert_eq!(pubkey, expected, "{label}: X-SOGS-Pubkey");
                    assert_eq!(id.sign(&message), signature, "{label}: X-SOGS-Signature");
                    assert_eq!(id.ed25519_public_key().verify(&message, &signature), Ok(()));
                }
            }
            other => panic!("unhandled kind {other:?}"),
        }
        r.finish();
        tally.asserted += 1;
    }
    tally.check(vectors.len(), 45, 0);
}

/// The fields `blind15.json` and `blind25.json` share.
fn blind_id_record(r: &Record, kind: BlindingKind) {
    let label = r.label();
    let (n, op) = match kind {
        BlindingKind::Blind15 => ("15", "blind15_id"),
        BlindingKind::Blind25 => ("25", "blind25_id"),
    };
    assert_eq!(r.str("op"), op);
    let id = identity(r, "seed");
    assert_eq!(
        id.ed25519_public_key().to_hex(),
        r.str("ed25519_pk"),
        "{label}"
    );
    let session_id = SessionId::parse(r.str("session_id")).unwrap();
    assert_eq!(id.session_id(), session_id, "{label}");
    let server = server_key(r);
    let pair = id.blinded_key_pair(kind, &server);

    let field = |name: &str| format!("blinded{n}_{name}");
    let expected = SessionId::parse(r.str(&field("id"))).unwrap();
    assert_eq!(expected.prefix(), kind.prefix());
    let bytes_api = SessionId::parse(r.str(&field("id_bytes_api"))).unwrap();
    let from_ed = SessionId::parse(r.str(&field("id_from_ed"))).unwrap();

    // From the Session ID given as 33 bytes and as a bare 32-byte X25519 key.
    let from_bytes = SessionId::from_bytes(&session_id.to_bytes()).unwrap();
    let from_key = SessionId::new(Prefix::User, *session_id.key_bytes());
    assert_eq!(pair.public_key().to_hex(), r.str(&field("pk")), "{label}");
    assert_eq!(pair.blinded_id(), from_ed, "{label}: key pair");
    assert_eq!(
        pair.expose_secret_scalar()[..],
        r.hex(&field("sk"))[..],
        "{label}"
    );

    match kind {
        BlindingKind::Blind15 => {
            let k = blinding::blind15_factor(&server);
            assert_eq!(k.to_bytes(), r.array("blind15_factor_k"), "{label}");
            let negative = SessionId::parse(r.str("blinded15_id_neg")).unwrap();
            for sid in [&session_id, &from_bytes, &from_key] {
                assert_eq!(
                    blinding::blind15_ids_from_session_id(sid, &server),
                    Ok([expected, negative]),
                    "{label}"
                );
            }
            assert_eq!(
                bytes_api, expected,
                "{label}: byte API gives the positive ID"
            );
            assert_eq!(
                blinding::blind15_id_from_ed25519(&id.ed25519_public_key(), &server),
                Ok(from_ed),
                "{label}"
            );
            // The real key's ID is the positive or the negative candidate, by its sign.
            let negative_key = id.ed25519_public_key().as_bytes()[31] & 0x80 != 0;
            assert_eq!(from_ed, if negative_key { negative } else { expected });
        }
        BlindingKind::Blind25 => {
            let k = blinding::blind25_factor(session_id.key_bytes(), &server);
            assert_eq!(k.to_bytes(), r.array("blind25_factor_k"), "{label}");
            let negative_key = id.ed25519_public_key().as_bytes()[31] & 0x80 != 0;
            let k_prime = if negative_key { -k } else { k };
            assert_eq!(k_prime.to_bytes(), r.array("blind25_k_prime"), "{label}");
            for sid in [&session_id, &from_bytes, &from_key] {
                assert_eq!(
                    blinding::blind25_id_from_session_id(sid, &server),
                    Ok(expected),
                    "{label}"
                );
            }
            assert_eq!(bytes_api, expected, "{label}");
            assert_eq!(
                from_ed, expected,
                "{label}: 25 IDs do not depend on the sign"
            );
            assert_eq!(
                blinding::blind25_id_from_ed25519(&id.ed25519_public_key(), &server),
                Ok(expected),
                "{label}"
            );
        }
    }
}

#[test]
fn blind15_json() {
    let file = support::parse(BLIND15);
    let records = support::array(&file);
    let mut tally = Tally::default();
    for v in records {
        let r = Record::new(v);
        blind_id_record(&r, BlindingKind::Blind15);
        r.finish();
        tally.asserted += 1;
    }
    tally.check(records.len(), 12, 0);
}

#[test]
fn blind25_json() {
    let file = support::parse(BLIND25);
    let records = support::array(&file);
    let mut tally = Tally::default();
    for v in records {
        let r = Record::new(v);
        blind_id_record(&r, BlindingKind::Blind25);
        r.finish();
        tally.asserted += 1;
    }
    tally.check(records.len(), 12, 0);
}

#[test]
fn blind_sign_json() {
    let file = support::parse(BLIND_SIGN);
    let records = support::array(&file);
    let mut tally = Tally::default();
    for v in records {
        let r = Record::new(v);
        let label = r.label();
        let kind = match r.str("op") {
            "blind15_sign" => BlindingKind::Blind15,
            "blind25_sign" => BlindingKind::Blind25,
            other => panic!("unhandled op {other:?}"),
        };
        let sk = r.hex("ed25519_sk");
        let server = server_key(&r);
        let message = r.hex("message");
        let expected = Signature::from_bytes(r.array("signature"));
        let blinded_pk = Ed25519PublicKey::from_bytes(r.array("blinded_pk"));
        // The same signature from the 64-byte secret key and from its 32-byte seed.
        for secret in [&sk[..], &sk[..32]] {
            let id = Identity::from_secret_bytes(secret).unwrap();
            let blinded_id =
                check_blinded_signature(&label, &id, kind, &server, &message, &expected);
            assert_eq!(blinded_id.key_bytes(), blinded_pk.as_bytes(), "{label}");
        }
        assert_eq!(
            blinded_pk.verify(&message, &expected).is_ok(),
            r.bool("verifies_with_blinded_pk"),
            "{label}"
        );
        r.finish();
        tally.asserted += 1;
    }
    tally.check(records.len(), 24, 0);
}

#[test]
fn blind_version_json() {
    let file = support::parse(BLIND_VERSION);
    let records = support::array(&file);
    let mut tally = Tally::default();
    for v in records {
        let r = Record::new(v);
        let label = r.label();
        let pair = identity(&r, "ed25519_sk").version_check_key_pair();
        // Up to 2^64 - 1, given as a decimal string.
        let timestamp = r.u64("timestamp");
        let expected = Signature::from_bytes(r.array("signature"));
        match r.str("op") {
            "blind_version_sign" => {
                let name = r.str("platform");
                let platform: Platform = name.parse().unwrap();
                let index = usize::try_from(r.u64("platform_enum")).unwrap();
                assert_eq!(PLATFORMS[index], platform, "{label}");
                assert_eq!(platform.as_str(), name);
                assert_eq!(
                    pair.public_key().to_hex(),
                    r.str("version_blinded_pk"),
                    "{label}"
                );
                assert_eq!(
                    pair.expose_secret_key()[..],
                    r.hex("version_blinded_sk")[..]
                );
                assert_eq!(
                    pair.sign_version_request(platform, timestamp),
                    expected,
                    "{label}"
                );
            }
            "blind_version_sign_request" => {
                let method = String::from_utf8(r.hex("method")).unwrap();
                let path = String::from_utf8(r.hex("path")).unwrap();
                // `null` is no body, `""` an empty one: both sign the same message.
                let body = r.opt_hex("body");
                assert_eq!(
                    pair.sign_request(timestamp, &method, &path, body.as_deref()),
                    expected,
                    "{label}"
                );
            }
            other => panic!("unhandled op {other:?}"),
        }
        assert_eq!(
            pair.public_key()
                .verify(b"not the signed message", &expected),
            Err(SignatureError::Mismatch)
        );
        r.finish();
        tally.asserted += 1;
    }
    tally.check(records.len(), 10, 0);
}

#[test]
fn session_id_matches_blinded_id_json() {
    let file = support::parse(MATCHES);
    let records = support::array(&file);
    let mut tally = Tally::default();
    let (mut matching, mut not_matching) = (0, 0);
    for v in records {
        let r = Record::new(v);
        let label = r.label();
        assert_eq!(r.str("op"), "session_id_matches_blinded_id");
        let session_id = SessionId::parse(r.str("session_id")).unwrap();
        let blinded_id = SessionId::parse(r.str("blinded_id")).unwrap();
        let server = server_key(&r);
        let matches = r.bool("matches");
        assert_eq!(
            blinding::session_id_matches_blinded_id(&session_id, &blinded_id, &server),
            Ok(matches),
            "{label}"
        );
        if matches {
            matching += 1;
        } else {
            not_matching += 1;
        }
        r.finish();
        tally.asserted += 1;
    }
    tally.check(records.len(), 48, 0);
    assert_eq!((matching, not_matching), (36, 12));
}
