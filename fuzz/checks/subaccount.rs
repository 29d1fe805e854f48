//! The check of the `subaccount_parse` target: hostile subaccount auth data, tokens and their
//! text forms, verified with a fixed group and member. Self-contained, so that session-swarm's
//! own `tests/fuzz_corpus.rs` can include it too.

use std::sync::OnceLock;

use session_identity::{Ed25519PublicKey, Identity, Seed};
use session_swarm::subaccount::{
    self, SubaccountAuthData, SubaccountFlags, SubaccountKey, SubaccountSignature, SubaccountToken,
    AUTH_DATA_LEN, TOKEN_LEN,
};

/// The fixed group and member.
fn parties() -> &'static (Identity, Identity) {
    static PARTIES: OnceLock<(Identity, Identity)> = OnceLock::new();
    PARTIES.get_or_init(|| {
        (
            Identity::from_seed(Seed::from_full_bytes([1; 32])),
            Identity::from_seed(Seed::from_full_bytes([2; 32])),
        )
    })
}

/// Input: `mode ‖ auth data (100) ‖ token (36) ‖ message`, shorter inputs exercising the length
/// checks. Mode bit 0 replaces the auth data with the member's valid ones (flags from bits
/// 1..=2) XORed with the input's bytes, so the verification paths past the signature check are
/// reached; bits 4..=7 are the required flags. Never panics; auth data that verifies must give
/// requests the server check accepts.
pub fn subaccount_parse(data: &[u8]) {
    let (group, member) = parties();
    let group_pk: Ed25519PublicKey = group.ed25519_public_key();
    let member_pk = member.ed25519_public_key();
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let _ = SubaccountToken::parse(&text);
    let _ = SubaccountSignature::from_params(&text, &text, &text);
    let _ = SubaccountAuthData::from_slice(rest);
    let _ = SubaccountToken::from_slice(rest);

    let auth_len = rest.len().min(AUTH_DATA_LEN);
    let mut auth_bytes = [0u8; AUTH_DATA_LEN];
    auth_bytes[..auth_len].copy_from_slice(&rest[..auth_len]);
    if mode & 1 == 1 {
        let flags = SubaccountFlags::new(mode & 2 != 0, mode & 4 != 0);
        let valid = subaccount::make_auth_data(group, &member.session_id(), flags)
            .expect("the fixed member is a 05 ID");
        for (out, good) in auth_bytes.iter_mut().zip(valid.expose_bytes()) {
            *out ^= good;
        }
    }
    let auth = SubaccountAuthData::from_bytes(auth_bytes);
    let required = SubaccountFlags::from_bits(mode >> 4);
    let verified = auth.verify(&group_pk, &member_pk, required).is_ok();
    let _ = auth.token_for(&member_pk);

    let after = &rest[auth_len..];
    let token_len = after.len().min(TOKEN_LEN);
    let message = &after[token_len..];
    if let Ok(key) = SubaccountKey::new(member, &auth) {
        let signed = key.sign(message);
        let accepted = subaccount::verify_request(&group_pk, 0x03, &signed, required, message);
        if verified {
            assert!(accepted.is_ok(), "{accepted:?}");
        }
        // The hostile token in place of the real one.
        let mut token = *signed.token.as_bytes();
        token[..token_len].copy_from_slice(&after[..token_len]);
        let hostile = SubaccountSignature {
            token: SubaccountToken::from_bytes(token),
            ..signed
        };
        let _ = subaccount::verify_request(&group_pk, mode, &hostile, required, message);
    } else {
        assert!(!verified);
    }
}
