//! Seeds, keys, Session IDs, plain Ed25519 and XEd25519 against the reference vectors:
//! `identity.json` (the reference's own test suites), `session_id.json` and `xed25519.json`
//! (outputs of libsession-util).
#![allow(clippy::unwrap_used)]

mod support;

use session_identity::{
    xed25519, Ed25519PublicKey, Identity, Prefix, SeedKind, SessionId, Signature, X25519PublicKey,
    X25519SecretKey,
};
use support::{Record, Tally};

const IDENTITY: &str = include_str!("data/identity.json");
const SESSION_ID: &str = include_str!("data/session_id.json");
const XED25519: &str = include_str!("data/xed25519.json");

/// Every way the record lets us build the account: from its seed (and, when the seed is a
/// zero-padded 16-byte one, from those 16 bytes too) and from its 64-byte secret key.
fn identities_of(r: &Record, seed_field: &str) -> Vec<Identity> {
    let mut out = Vec::new();
    if let Some(seed) = r.opt_hex(seed_field) {
        assert_eq!(seed.len(), 32, "{}", r.label());
        let full = Identity::from_secret_bytes(&seed).unwrap();
        assert_eq!(full.seed().kind(), SeedKind::Full32);
        out.push(full);
        if seed[16..] == [0u8; 16] {
            let legacy = Identity::from_secret_bytes(&seed[..16]).unwrap();
            assert_eq!(legacy.seed().kind(), SeedKind::Legacy16);
            assert_eq!(legacy.seed().expose_ed25519_seed()[..], seed[..]);
            out.push(legacy);
        }
    }
    if let Some(sk) = r.opt_hex("ed25519_sk") {
        assert_eq!(sk.len(), 64, "{}", r.label());
        out.push(Identity::from_secret_bytes(&sk).unwrap());
    }
    out
}

/// Checks every key field the record has against every identity built from it.
fn check_keys(r: &Record, identities: &[Identity]) {
    let label = r.label();
    let ed_pk = r.opt_hex("ed25519_pk");
    let ed_sk = r.opt_hex("ed25519_sk");
    let x_pk = r.opt_hex("x25519_pk");
    let x_sk = r.opt_hex("x25519_sk");
    let session_id = r.opt_str("session_id");
    for id in identities {
        if let Some(pk) = &ed_pk {
            assert_eq!(&id.ed25519_public_key().as_bytes()[..], &pk[..], "{label}");
        }
        if let Some(sk) = &ed_sk {
            assert_eq!(&id.expose_ed25519_secret_key()[..], &sk[..], "{label}");
        }
        if let Some(x) = &x_pk {
            assert_eq!(&id.x25519_public_key().as_bytes()[..], &x[..], "{label}");
        }
        if let Some(x) = &x_sk {
            assert_eq!(
                &id.x25519_secret_key().expose_secret_bytes()[..],
                &x[..],
                "{label}"
            );
            assert_eq!(id.x25519_secret_key().public_key(), id.x25519_public_key());
        }
        if let Some(text) = session_id {
            assert_eq!(id.session_id().to_string(), text, "{label}");
            assert_eq!(id.session_id().to_hex(), text, "{label}");
        }
    }
    if let Some(text) = session_id {
        let parsed = SessionId::parse(text).unwrap();
        assert_eq!(parsed.prefix(), Prefix::User, "{label}");
        assert_eq!(parsed.to_string(), text, "{label}");
        if let Some(x) = &x_pk {
            assert_eq!(&parsed.x25519_public_key().unwrap().as_bytes()[..], &x[..]);
        }
    }
    // The public conversions, independent of any secret.
    if let (Some(pk), Some(x)) = (&ed_pk, &x_pk) {
        let pk = Ed25519PublicKey::from_slice(pk).unwrap();
        let x = X25519PublicKey::from_slice(x).unwrap();
        assert_eq!(pk.to_x25519(), Ok(x), "{label}: ed25519 pk to x25519");
        let mut positive = pk.to_bytes();
        positive[31] &= 0x7f;
        assert_eq!(
            xed25519::ed25519_from_x25519(&x).unwrap().to_bytes(),
            positive,
            "{label}: positive Ed25519 key of the X25519 key"
        );
        assert!(xed25519::ed25519_candidates(&x).unwrap().contains(&pk));
    }
}

#[test]
fn identity_json() {
    let file = support::parse(IDENTITY);
    let vectors = support::vectors(&file);
    let mut tally = Tally::default();
    let mut sub_cases = 0;
    for v in vectors {
        let r = Record::new(v);
        let label = r.label();
        let identities = identities_of(&r, "ed25519_seed");
        if r.has("ed25519_seed") || r.has("ed25519_sk") {
            assert!(!identities.is_empty());
        }
        check_keys(&r, &identities);

        if let Some(cases) = r.opt("cases") {
            for case in cases.as_array().unwrap() {
                let c = Record::new(case);
                let pk = Ed25519PublicKey::from_bytes(c.array("ed25519_pk"));
                let x = X25519PublicKey::from_bytes(c.array("x25519_pk"));
                assert_eq!(pk.to_x25519(), Ok(x), "{label}");
                c.finish();
                sub_cases += 1;
            }
        } else {
            sub_cases += 1;
        }

        if let Some(message) = r.opt_str("message_utf8") {
            let signature = Signature::from_bytes(r.array("signature"));
            for id in &identities {
                assert_eq!(id.sign(message.as_bytes()), signature, "{label}");
                assert_eq!(
                    id.ed25519_public_key()
                        .verify(message.as_bytes(), &signature),
                    Ok(())
                );
            }
        }

        if let Some(positive) = r.opt_str("xed25519_pubkey_positive") {
            let x = X25519PublicKey::from_bytes(r.array("x25519_pk"));
            let ed = Ed25519PublicKey::from_bytes(r.array("ed25519_pk"));
            assert_eq!(
                xed25519::ed25519_from_x25519(&x).unwrap().to_hex(),
                positive
            );
            // The real key of this record is the negative candidate.
            assert_eq!(xed25519::ed25519_candidates(&x).unwrap()[1], ed, "{label}");
        }

        if let Some(group_id) = r.opt_str("group_id") {
            let pk = r.array::<32>("ed25519_pk");
            assert_eq!(SessionId::new(Prefix::Group, pk).to_string(), group_id);
            let parsed = SessionId::parse_with_prefix(group_id, Prefix::Group).unwrap();
            assert_eq!(parsed.ed25519_public_key().unwrap().to_bytes(), pk);
            assert_eq!(parsed.x25519_public_key(), None);
        }

        if let Some(unblinded) = r.opt_str("unblinded_sogs_pubkey") {
            let pk = r.array::<32>("ed25519_pk");
            assert_eq!(SessionId::new(Prefix::Unblinded, pk).to_string(), unblinded);
            let parsed = SessionId::parse_with_prefix(unblinded, Prefix::Unblinded).unwrap();
            assert_eq!(parsed.ed25519_public_key().unwrap().to_bytes(), pk);
        }

        if let Some(comment_id) = r.opt_str("comment_session_id_not_asserted") {
            // A Session ID named only in a comment of the desktop test; the reference never
            // asserts it and it is not the ID of this record's key (that one is derived and
            // checked like every other key above). It must still parse as a user ID.
            let parsed = SessionId::parse_with_prefix(comment_id, Prefix::User).unwrap();
            for id in &identities {
                assert_ne!(id.session_id(), parsed, "{label}");
            }
        }

        r.finish();
        tally.asserted += 1;
    }
    tally.check(vectors.len(), 23, 0);
    assert_eq!(
        sub_cases, 24,
        "sub-cases (vectors, counting each of `cases`)"
    );
}

#[test]
fn session_id_json() {
    let file = support::parse(SESSION_ID);
    let records = support::array(&file);
    let mut tally = Tally::default();
    for v in records {
        let r = Record::new(v);
        assert_eq!(r.str("op"), "session_id_from_seed");
        let identities = identities_of(&r, "seed");
        // Seed, seed padded from 16 bytes where applicable, and the 64-byte secret key.
        assert!(identities.len() >= 2, "{}", r.label());
        check_keys(&r, &identities);
        r.finish();
        tally.asserted += 1;
    }
    tally.check(records.len(), 10, 0);
}

#[test]
fn xed25519_json() {
    let file = support::parse(XED25519);
    let records = support::array(&file);
    let mut tally = Tally::default();
    for v in records {
        let r = Record::new(v);
        let label = r.label();
        assert_eq!(r.str("op"), "xed25519_sign");
        let sk = X25519SecretKey::from_bytes(r.array("x25519_sk"));
        let pk = X25519PublicKey::from_bytes(r.array("x25519_pk"));
        assert_eq!(sk.public_key(), pk, "{label}");
        let message = r.hex("message");
        // `rng_seed` only produced the recorded bytes; the bytes themselves are injected here.
        r.ignore(&["rng_seed"]);
        let randomness: [u8; 64] = r.array("rng_consumed_random64");
        let expected = Signature::from_bytes(r.array("signature"));

        let signature = xed25519::sign_with_randomness(&sk, &message, &randomness);
        assert_eq!(signature, expected, "{label}: signature");

        let verifies = r.bool("verifies");
        assert_eq!(
            xed25519::verify(&pk, &message, &expected).is_ok(),
            verifies,
            "{label}: verify"
        );

        let xed_pk = Ed25519PublicKey::from_bytes(r.array("xed25519_pubkey"));
        assert_eq!(xed25519::ed25519_from_x25519(&pk), Ok(xed_pk), "{label}");
        assert_eq!(xed_pk.as_bytes()[31] & 0x80, 0, "{label}: positive form");
        assert_eq!(
            xed_pk.verify(&message, &expected).is_ok(),
            verifies,
            "{label}: plain Ed25519 verify under the positive key"
        );

        // The real Ed25519 key differs from the positive form at most in its sign bit, and
        // converts back to the same X25519 key.
        let real = Ed25519PublicKey::from_bytes(r.array("ed25519_pk_of_seed"));
        let mut real_positive = real.to_bytes();
        real_positive[31] &= 0x7f;
        assert_eq!(real_positive, xed_pk.to_bytes(), "{label}");
        assert_eq!(real.to_x25519(), Ok(pk), "{label}");
        assert!(xed25519::ed25519_candidates(&pk).unwrap().contains(&real));
        if real != xed_pk {
            // A negative real key: the XEd25519 signature is not valid under it.
            assert!(real.verify(&message, &expected).is_err(), "{label}");
        }

        r.finish();
        tally.asserted += 1;
    }
    tally.check(records.len(), 10, 0);
}
