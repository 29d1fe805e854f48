//! Blinded-DM decryption of arbitrary bytes and IDs: never panics. The first byte picks the
//! scheme, the next 32 the claimed sender key; the rest is the ciphertext.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use session_envelope::blinded_dm;
use session_identity::blinding::BlindingKind;
use session_identity::{Ed25519PublicKey, Identity, Seed, SessionId};

/// The fuzzed party, derived once (key derivation would dominate each run).
fn own() -> &'static Identity {
    static OWN: OnceLock<Identity> = OnceLock::new();
    OWN.get_or_init(|| Identity::from_seed(Seed::from_legacy_bytes([7; 16])))
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    if rest.len() < 32 {
        return;
    }
    let (claimed, ciphertext) = rest.split_at(32);
    let mut sender_key = [0u8; 32];
    sender_key.copy_from_slice(claimed);
    let kind = if selector & 1 == 0 {
        BlindingKind::Blind15
    } else {
        BlindingKind::Blind25
    };
    let server = Ed25519PublicKey::from_bytes([0x42; 32]);
    let own = own();
    let own_id = own.blinded_key_pair(kind, &server).blinded_id();
    let other = SessionId::new(kind.prefix(), sender_key);
    // As recipient (sender is the fuzzed key) and as sender (the fuzzed key is the recipient).
    let _ = blinded_dm::decrypt(own, &server, &other, &own_id, ciphertext);
    let _ = blinded_dm::decrypt(own, &server, &own_id, &other, ciphertext);
});
