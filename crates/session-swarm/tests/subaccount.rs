//! Subaccounts against libsession's vectors (`tests/data/group_subaccount.json`), and member
//! signing of storage requests.
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use session_identity::{Ed25519PublicKey, Identity, Seed, SessionId};
use session_swarm::subaccount::{
    self, SubaccountAuthData, SubaccountFlags, SubaccountKey, SubaccountSignature,
};
use session_swarm::{Namespace, SignedAction, Signer, StorageRequest, Timestamp};

fn records() -> Vec<Value> {
    serde_json::from_str(include_str!("data/group_subaccount.json")).unwrap()
}

fn bytes(record: &Value, field: &str) -> Vec<u8> {
    hex::decode(record[field].as_str().unwrap()).unwrap()
}

fn identity(seed: &[u8]) -> Identity {
    Identity::from_seed(Seed::from_full_bytes(seed[..32].try_into().unwrap()))
}

fn flags(record: &Value) -> SubaccountFlags {
    SubaccountFlags::new(
        record["write"].as_bool().unwrap(),
        record["del"].as_bool().unwrap(),
    )
}

#[test]
fn vectors_all_93_records() {
    let records = records();
    assert_eq!(records.len(), 93);
    let mut counts = [0usize; 3];
    for record in &records {
        let case = record["case"].as_str().unwrap();
        match record["op"].as_str().unwrap() {
            "swarm_make_subaccount" => {
                counts[0] += 1;
                let group = identity(&bytes(record, "group_seed"));
                assert_eq!(
                    group.ed25519_public_key().to_bytes().to_vec(),
                    bytes(record, "group_ed25519_pk")
                );
                let member =
                    SessionId::parse(record["member_session_id"].as_str().unwrap()).unwrap();
                let auth = subaccount::make_auth_data(&group, &member, flags(record)).unwrap();
                assert_eq!(
                    auth.expose_bytes().to_vec(),
                    bytes(record, "auth_data"),
                    "{case}"
                );
                let token = subaccount::token(&group, &member, flags(record)).unwrap();
                assert_eq!(
                    token.as_bytes().to_vec(),
                    bytes(record, "subaccount_token"),
                    "{case}"
                );
            }
            "swarm_subaccount_sign" => {
                counts[1] += 1;
                let member = identity(&bytes(record, "member_ed25519_sk"));
                assert_eq!(
                    member.session_id().to_hex(),
                    record["member_session_id"].as_str().unwrap()
                );
                let auth = SubaccountAuthData::from_slice(&bytes(record, "auth_data")).unwrap();
                let key = SubaccountKey::new(&member, &auth).unwrap();
                let message = bytes(record, "message");
                let signed = key.sign(&message);
                assert_eq!(
                    signed.token.as_bytes().to_vec(),
                    bytes(record, "subaccount"),
                    "{case}"
                );
                assert_eq!(
                    signed.token_signature.as_bytes().to_vec(),
                    bytes(record, "subaccount_sig"),
                    "{case}"
                );
                assert_eq!(
                    signed.signature.as_bytes().to_vec(),
                    bytes(record, "signature"),
                    "{case}"
                );
                assert_eq!(
                    signed.token.to_base64(),
                    record["subaccount_b64"].as_str().unwrap()
                );
                let parsed = SubaccountSignature::from_params(
                    record["subaccount_b64"].as_str().unwrap(),
                    record["subaccount_sig_b64"].as_str().unwrap(),
                    record["signature_b64"].as_str().unwrap(),
                )
                .unwrap();
                assert_eq!(parsed, signed);
                let group = Ed25519PublicKey::from_bytes(
                    bytes(record, "group_ed25519_pk").try_into().unwrap(),
                );
                subaccount::verify_request(&group, 0x03, &signed, signed.token.flags(), &message)
                    .unwrap();
            }
            "swarm_verify_subaccount" => {
                counts[2] += 1;
                let group_id = bytes(record, "group_id");
                assert_eq!(group_id[0], 0x03);
                let group = Ed25519PublicKey::from_bytes(group_id[1..].try_into().unwrap());
                let member = identity(&bytes(record, "member_ed25519_sk"));
                let mut required = SubaccountFlags::READ;
                if record["write"].as_bool().unwrap() {
                    required = required | SubaccountFlags::WRITE;
                }
                if record["del"].as_bool().unwrap() {
                    required = required | SubaccountFlags::DELETE;
                }
                let valid = SubaccountAuthData::from_slice(&bytes(record, "auth_data"))
                    .and_then(|auth| auth.verify(&group, &member.ed25519_public_key(), required))
                    .is_ok();
                assert_eq!(valid, record["valid"].as_bool().unwrap(), "{case}");
            }
            other => panic!("unknown op {other}"),
        }
    }
    assert_eq!(counts, [7, 17, 69]);
}

#[test]
fn member_signed_requests_verify_as_the_server_checks() {
    let group = Identity::from_seed(Seed::from_full_bytes([1; 32]));
    let member = Identity::from_seed(Seed::from_full_bytes([2; 32]));
    let auth = subaccount::make_auth_data(
        &group,
        &member.session_id(),
        SubaccountFlags::new(true, false),
    )
    .unwrap();
    let key = SubaccountKey::new(&member, &auth).unwrap();
    let signer = Signer::group_member(&group.ed25519_public_key(), &key);
    assert_eq!(signer.account(), Signer::group_admin(&group).account());
    let now = Timestamp::from_millis(1_700_000_000_000);
    let request = StorageRequest::retrieve(&signer, Namespace::new(11), None, now);
    let params = request.params();
    assert_eq!(
        request.signed_message(),
        Some(&b"retrieve111700000000000"[..])
    );
    assert_eq!(params["subaccount"].as_str().unwrap().len(), 48);
    assert_eq!(params["subaccount_sig"].as_str().unwrap().len(), 88);
    let signed = SubaccountSignature::from_params(
        params["subaccount"].as_str().unwrap(),
        params["subaccount_sig"].as_str().unwrap(),
        params["signature"].as_str().unwrap(),
    )
    .unwrap();
    let action = SignedAction::Retrieve {
        namespace: Namespace::new(11),
        timestamp: now,
    };
    assert_eq!(action.required_flags(), SubaccountFlags::READ);
    subaccount::verify_request(
        &group.ed25519_public_key(),
        0x03,
        &signed,
        action.required_flags(),
        request.signed_message().unwrap(),
    )
    .unwrap();
    // This token has no delete permission.
    let delete = SignedAction::DeleteAll {
        namespace: session_swarm::NamespaceSelector::All,
        timestamp: now,
    };
    assert!(matches!(
        subaccount::verify_request(
            &group.ed25519_public_key(),
            0x03,
            &signer_sig(&signer, &delete),
            delete.required_flags(),
            &delete.message()
        ),
        Err(subaccount::SubaccountError::MissingPermission { .. })
    ));
}

fn signer_sig(signer: &Signer<'_>, action: &SignedAction<'_>) -> SubaccountSignature {
    signer.subaccount().unwrap().sign(&action.message())
}

#[test]
fn revocation_requests() {
    use session_swarm::subaccount::{SubaccountToken, MAX_REVOKE_TOKENS};
    use session_swarm::{revocation_message, Method, RequestError};
    let group = Identity::from_seed(Seed::from_full_bytes([1; 32]));
    let member = Identity::from_seed(Seed::from_full_bytes([2; 32]));
    let token = subaccount::token(
        &group,
        &member.session_id(),
        SubaccountFlags::new(true, true),
    )
    .unwrap();
    let other = SubaccountToken::from_bytes([9; 36]);
    let now = Timestamp::from_millis(1_700_000_000_123);
    for (revoke, request, field, name) in [
        (
            true,
            StorageRequest::revoke_subaccount(&group, &[token, other], now).unwrap(),
            "revoke",
            "revoke_subaccount",
        ),
        (
            false,
            StorageRequest::unrevoke_subaccount(&group, &[token, other], now).unwrap(),
            "unrevoke",
            "unrevoke_subaccount",
        ),
    ] {
        let mut expected = format!("{name}1700000000123").into_bytes();
        expected.extend_from_slice(token.as_bytes());
        expected.extend_from_slice(&[9; 36]);
        assert_eq!(request.signed_message(), Some(&expected[..]));
        assert_eq!(revocation_message(revoke, now, &[token, other]), expected);
        assert_eq!(
            request.method(),
            if revoke {
                Method::RevokeSubaccount
            } else {
                Method::UnrevokeSubaccount
            }
        );
        let body = request.to_json();
        assert_eq!(body["method"], name);
        let params = &body["params"];
        assert_eq!(
            params["pubkey"],
            format!("03{}", group.ed25519_public_key().to_hex())
        );
        assert_eq!(params["timestamp"], 1_700_000_000_123u64);
        assert_eq!(
            params[field],
            serde_json::json!([token.to_base64(), other.to_base64()])
        );
        assert!(params.get("pubkey_ed25519").is_none());
        let sig = params["signature"].as_str().unwrap();
        let signed = SubaccountSignature::from_params(&token.to_base64(), sig, sig).unwrap();
        group
            .ed25519_public_key()
            .verify(&expected, &signed.signature)
            .unwrap();
    }
    assert_eq!(
        StorageRequest::revoke_subaccount(&group, &[], now),
        Err(RequestError::RevokeCount(0))
    );
    let many = vec![other; MAX_REVOKE_TOKENS + 1];
    assert_eq!(
        StorageRequest::unrevoke_subaccount(&group, &many, now),
        Err(RequestError::RevokeCount(51))
    );
    assert!(StorageRequest::revoke_subaccount(&group, &many[..MAX_REVOKE_TOKENS], now).is_ok());
}

#[test]
fn server_check_refuses_what_the_token_does_not_allow() {
    use session_swarm::subaccount::SubaccountError;
    use session_swarm::{ExpiryMode, NamespaceSelector};
    let group = Identity::from_seed(Seed::from_full_bytes([1; 32]));
    let other_group = Identity::from_seed(Seed::from_full_bytes([3; 32]));
    let member = Identity::from_seed(Seed::from_full_bytes([2; 32]));
    let gk = group.ed25519_public_key();
    let now = Timestamp::from_millis(1_700_000_000_000);
    let check =
        |auth: &SubaccountAuthData, action: &SignedAction<'_>, account: &Ed25519PublicKey| {
            let key = SubaccountKey::new(&member, auth).unwrap();
            let message = action.message();
            subaccount::verify_request(
                account,
                0x03,
                &key.sign(&message),
                action.required_flags(),
                &message,
            )
        };
    let hashes = ["hash1"];
    let delete = SignedAction::Delete { messages: &hashes };
    let store = SignedAction::Store {
        namespace: Namespace::new(11),
        timestamp: now,
    };
    let shorten = SignedAction::Expire {
        mode: ExpiryMode::Shorten,
        expiry: now,
        messages: &hashes,
    };
    let delete_all = SignedAction::DeleteAll {
        namespace: NamespaceSelector::All,
        timestamp: now,
    };

    // Read and write, no delete: stores, but cannot delete or shorten.
    let rw = subaccount::make_auth_data(
        &group,
        &member.session_id(),
        SubaccountFlags::new(true, false),
    )
    .unwrap();
    check(&rw, &store, &gk).unwrap();
    for action in [&delete, &shorten, &delete_all] {
        assert!(matches!(
            check(&rw, action, &gk),
            Err(SubaccountError::MissingPermission { .. })
        ));
    }
    // Read only: cannot store.
    let ro = subaccount::make_auth_data(
        &group,
        &member.session_id(),
        SubaccountFlags::new(false, false),
    )
    .unwrap();
    assert_eq!(
        check(&ro, &store, &gk),
        Err(SubaccountError::MissingPermission {
            granted: SubaccountFlags::READ,
            required: SubaccountFlags::WRITE
        })
    );
    // Full rights in another group: refused here.
    let foreign = subaccount::make_auth_data(
        &other_group,
        &member.session_id(),
        SubaccountFlags::new(true, true),
    )
    .unwrap();
    check(&foreign, &delete, &other_group.ed25519_public_key()).unwrap();
    assert!(matches!(
        check(&foreign, &delete, &gk),
        Err(SubaccountError::BadTokenSignature(_))
    ));
    // Tampered auth data: flags raised, k changed, signature changed.
    for (index, xor) in [(1, 0x04), (10, 0x01), (60, 0x80)] {
        let mut bytes = *rw.expose_bytes();
        bytes[index] ^= xor;
        let tampered = SubaccountAuthData::from_bytes(bytes);
        assert!(check(&tampered, &store, &gk).is_err(), "byte {index}");
        assert!(tampered
            .verify(&gk, &member.ed25519_public_key(), SubaccountFlags::NONE)
            .is_err());
    }
    // A request signature for other bytes is refused.
    let key = SubaccountKey::new(&member, &rw).unwrap();
    let signed = key.sign(&store.message());
    assert!(matches!(
        subaccount::verify_request(&gk, 0x03, &signed, SubaccountFlags::WRITE, b"store111"),
        Err(SubaccountError::BadRequestSignature(_))
    ));
    // A token for 03 is refused on a 05 account.
    assert!(matches!(
        subaccount::verify_request(&gk, 0x05, &signed, SubaccountFlags::WRITE, &store.message()),
        Err(SubaccountError::WrongPrefix {
            token: 3,
            account: 5
        })
    ));
}
