//! The reference vectors (libsession-util, `tests/data/`), replayed byte for byte.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use session_envelope::multi;
use session_envelope::GroupEncryptionKey;
use session_groups::{rekey, supplement, GroupKey, GroupSecret, Keys, KEY_EXPIRY_MS};
use session_identity::test_util::ReplayRng;
use session_identity::{Ed25519PublicKey, Identity, SessionId, X25519PublicKey};

fn records(name: &str) -> Vec<Value> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn bytes(value: &Value) -> Vec<u8> {
    hex::decode(value.as_str().expect("hex string")).unwrap()
}

fn secret(value: &Value) -> GroupSecret {
    let b = bytes(value);
    match b.len() {
        32 => GroupSecret::from_seed(b.try_into().unwrap()),
        64 => GroupSecret::from_ed25519_secret_key(&b.try_into().unwrap()).unwrap(),
        n => panic!("group secret of {n} bytes"),
    }
}

fn identity(value: &Value) -> Identity {
    Identity::from_secret_bytes(&bytes(value)).unwrap()
}

fn ids(value: &Value) -> Vec<SessionId> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| SessionId::parse(v.as_str().unwrap()).unwrap())
        .collect()
}

fn hex_keys<'a>(keys: impl Iterator<Item = &'a GroupKey>) -> Vec<String> {
    keys.map(|k| hex::encode(k.key.expose_secret_bytes()))
        .collect()
}

fn expected_keys(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn group_rekey_first_key() {
    let records = records("group_rekey.json");
    assert_eq!(records.len(), 6);
    for r in &records {
        let group = secret(&r["group_seed"]);
        assert_eq!(
            GroupSecret::from_ed25519_secret_key(
                &bytes(&r["group_ed25519_sk"]).try_into().unwrap()
            )
            .unwrap(),
            group
        );
        let made = rekey(&group, 0, &ids(&r["member_session_ids"]));
        assert_eq!(
            hex::encode(made.key.expose_secret_bytes()),
            r["group_enc_key"].as_str().unwrap(),
            "{}",
            r["case"]
        );
        // An admin's state starts at generation 0 too.
        let mut keys = Keys::new_admin(identity(&r["admin_ed25519_sk"]), group).unwrap();
        let again = keys.rekey(&ids(&r["member_session_ids"])).unwrap();
        assert_eq!(again.message, made.message);
        assert_eq!(keys.encryption_key(), Some(&made.key));
    }
}

#[test]
fn group_keys_rekey() {
    let records: Vec<_> = records("group_keys.json")
        .into_iter()
        .filter(|r| r["op"] == "group_keys_rekey")
        .collect();
    assert_eq!(records.len(), 4);
    for r in &records {
        let case = r["case"].as_str().unwrap();
        let group = secret(&r["group_seed"]);
        assert_eq!(
            group.public_key().to_hex(),
            r["group_ed25519_pk"].as_str().unwrap()
        );
        let generation = r["generation"].as_u64().unwrap();
        let made = rekey(&group, generation, &ids(&r["member_session_ids"]));
        assert_eq!(
            hex::encode(&made.message),
            r["key_message"].as_str().unwrap(),
            "{case}"
        );
        assert_eq!(
            hex::encode(made.key.expose_secret_bytes()),
            r["enc_key"].as_str().unwrap()
        );
        let nonce = bytes(&r["nonce"]);
        assert_eq!(&made.message[7..31], &nonce[..]);
        let signature = bytes(&r["signature"]);
        assert_eq!(
            &made.message[made.message.len() - 65..made.message.len() - 1],
            &signature[..]
        );

        // The admin loads its own message back.
        let mut admin = Keys::new_admin(identity(&r["admin_ed25519_sk"]), group.clone()).unwrap();
        let loaded = admin.load("own", &made.message, 1_733_000_000_000).unwrap();
        assert!(loaded.found);
        assert_eq!(loaded.generation, generation);
        // The admin's list after it loaded the message (its earlier keys came from earlier
        // generations): the new key is first.
        let after = expected_keys(&r["keys_after_admin_load"]);
        assert_eq!(after[0], hex::encode(made.key.expose_secret_bytes()));
        assert_eq!(hex_keys(admin.keys()), vec![after[0].clone()]);
    }
}

fn check_load(keys: &mut Keys, message: &Value, case: &str, index: usize) {
    let data = bytes(&message["data"]);
    let outcome = keys.load(
        message["hash"].as_str().unwrap(),
        &data,
        message["timestamp_ms"].as_i64().unwrap(),
    );
    let expect_error = !message["error"].is_null();
    match &outcome {
        Ok(loaded) => {
            assert!(
                !expect_error,
                "{case}[{index}]: accepted, expected {}",
                message["error"]
            );
            assert_eq!(
                loaded.found,
                message["found"].as_bool().unwrap(),
                "{case}[{index}] found"
            );
        }
        Err(e) => {
            let kind = format!("{e:?}");
            let expected_kind = [
                ("flipped_sig_byte", "BadSignature"),
                ("signed_by_wrong_key", "BadSignature"),
                ("74_entries", "MemberKeyCount"),
                ("member_key_47", "MemberKeyLength"),
                ("missing_G", "MissingGeneration"),
                ("missing_K", "MissingAdminKey"),
                ("admin_key_47", "AdminKeyLength"),
                ("missing_nonce", "MissingNonce"),
                ("missing_signature", "MissingSignature"),
                ("supplement_entry_too_short", "SupplementEntryLength"),
            ]
            .iter()
            .find(|(label, _)| case.contains(label))
            .map(|(_, kind)| *kind)
            .unwrap_or_else(|| panic!("{case}: unexpected refusal {e}"));
            assert!(
                kind.starts_with(expected_kind),
                "{case}: {kind}, expected {expected_kind}"
            );
            assert!(
                expect_error,
                "{case}[{index}]: refused ({e}), expected accepted"
            );
            assert!(!message["found"].as_bool().unwrap());
        }
    }
    assert_eq!(
        hex_keys(keys.keys()),
        expected_keys(&message["keys_after"]),
        "{case}[{index}] keys_after"
    );
    assert_eq!(
        keys.current_generation(),
        message["current_generation"].as_u64().unwrap(),
        "{case}[{index}] generation"
    );
}

fn new_keys(r: &Value) -> Keys {
    let user = identity(&r["user_ed25519_sk"]);
    let group_pk = Ed25519PublicKey::from_hex(r["group_ed25519_pk"].as_str().unwrap()).unwrap();
    let admin = (!r["group_ed25519_sk"].is_null()).then(|| secret(&r["group_ed25519_sk"]));
    Keys::new(user, group_pk, admin).unwrap()
}

#[test]
fn group_keys_load() {
    let records: Vec<_> = records("group_keys.json")
        .into_iter()
        .filter(|r| r["op"] == "group_keys_load")
        .collect();
    assert_eq!(records.len(), 31);
    for r in &records {
        let case = r["case"].as_str().unwrap();
        let mut keys = new_keys(r);
        if let Some(sid) = r["user_session_id"].as_str() {
            assert_eq!(keys_user(&r["user_ed25519_sk"]), sid);
        }
        for (i, message) in r["messages"].as_array().unwrap().iter().enumerate() {
            check_load(&mut keys, message, case, i);
        }
        assert_eq!(
            hex_keys(keys.keys()),
            expected_keys(&r["final_keys"]),
            "{case} final keys"
        );
        assert_eq!(
            keys.encryption_key()
                .map(|k| hex::encode(k.expose_secret_bytes())),
            r["final_enc_key"].as_str().map(str::to_owned),
            "{case} enc key"
        );
        let mut expected: Vec<String> = expected_keys(&r["current_hashes"]);
        expected.sort();
        assert_eq!(keys.current_hashes(), expected, "{case} current hashes");
    }
}

fn keys_user(sk: &Value) -> String {
    identity(sk).session_id().to_hex()
}

#[test]
fn group_keys_supplement() {
    let records: Vec<_> = records("group_keys.json")
        .into_iter()
        .filter(|r| r["op"] == "group_keys_supplement")
        .collect();
    assert_eq!(records.len(), 2);
    for r in &records {
        let case = r["case"].as_str().unwrap();
        let group = secret(&r["group_seed"]);
        let held: Vec<GroupKey> = r["admin_keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| GroupKey {
                generation: k["generation"].as_u64().unwrap(),
                timestamp_ms: k["timestamp_ms"].as_i64().unwrap(),
                key: GroupEncryptionKey::from_slice(&bytes(&k["key"])).unwrap(),
            })
            .collect();
        let message = supplement(&group, &held, &ids(&r["member_session_ids"])).unwrap();
        assert_eq!(
            hex::encode(&message),
            r["supplement_message"].as_str().unwrap(),
            "{case}"
        );
        for load in r["loads"].as_array().unwrap() {
            let loader = load["loader"].as_str().unwrap();
            let mut r2 = load.clone();
            r2["group_ed25519_pk"] = r["group_ed25519_pk"].clone();
            let mut keys = new_keys(&r2);
            let outcome = keys.load("supp", &message, load["timestamp_ms"].as_i64().unwrap());
            assert_eq!(
                outcome.is_err(),
                !load["error"].is_null(),
                "{case}/{loader}"
            );
            assert_eq!(
                outcome.map(|l| l.found).unwrap_or(false),
                load["found"].as_bool().unwrap(),
                "{case}/{loader}"
            );
            assert_eq!(
                hex_keys(keys.keys()),
                expected_keys(&load["keys_after"]),
                "{case}/{loader}"
            );
            assert_eq!(
                keys.current_generation(),
                load["current_generation"].as_u64().unwrap()
            );
        }
    }
}

#[test]
fn multi_encrypt_simple() {
    let records = records("multi_encrypt.json");
    assert_eq!(records.len(), 6);
    for r in &records {
        let case = r["case"].as_str().unwrap();
        let sender = identity(&r["sender_ed25519_sk"]);
        assert_eq!(
            sender.x25519_public_key().to_hex(),
            r["sender_x25519_pk"].as_str().unwrap()
        );
        let domain = bytes(&r["domain"]);
        let messages: Vec<Vec<u8>> = r["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(bytes)
            .collect();
        let message_refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
        let recipients: Vec<(Identity, X25519PublicKey)> = r["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let id = identity(&p["ed25519_sk"]);
                let x = X25519PublicKey::from_hex(p["x25519_pk"].as_str().unwrap()).unwrap();
                assert_eq!(id.x25519_public_key(), x);
                (id, x)
            })
            .collect();
        let keys: Vec<X25519PublicKey> = recipients.iter().map(|(_, x)| *x).collect();
        let nonce = (!r["nonce"].is_null()).then(|| bytes(&r["nonce"]).try_into().unwrap());
        let consumed = if r["rng_consumed"].is_null() {
            Vec::new()
        } else {
            bytes(&r["rng_consumed"])
        };
        let mut rng = ReplayRng::new(consumed);
        let encoded = multi::encrypt_simple(
            &message_refs,
            &keys,
            &sender,
            nonce,
            &domain,
            r["pad"].as_u64().unwrap() as usize,
            &mut rng,
        )
        .unwrap();
        assert!(
            rng.is_exhausted() && !rng.is_overdrawn(),
            "{case}: random bytes"
        );
        assert_eq!(
            hex::encode(&encoded),
            r["encoded"].as_str().unwrap(),
            "{case}"
        );
        for ((id, _), expected) in recipients
            .iter()
            .zip(r["decrypted_per_recipient"].as_array().unwrap())
        {
            let opened =
                multi::decrypt_simple(&encoded, id, &sender.x25519_public_key(), &domain).unwrap();
            assert_eq!(opened, bytes(expected), "{case}");
        }
    }
}

#[test]
fn expiry_constant_is_sixty_days() {
    assert_eq!(KEY_EXPIRY_MS, 60 * 24 * 3600 * 1000);
}
