//! Blinding from hostile Session IDs, Ed25519 keys and server keys: typed errors, never panics;
//! a 25-blinded ID computed from a Session ID always matches it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_identity::{blinding, Ed25519PublicKey, Prefix, SessionId};

fuzz_target!(|data: [u8; 64]| {
    let mut key = [0u8; 32];
    key.copy_from_slice(&data[..32]);
    let mut server = [0u8; 32];
    server.copy_from_slice(&data[32..]);
    let server = Ed25519PublicKey::from_bytes(server);
    let session_id = SessionId::new(Prefix::User, key);

    let _ = blinding::blind15_ids_from_session_id(&session_id, &server);
    if let Ok(id25) = blinding::blind25_id_from_session_id(&session_id, &server) {
        assert_eq!(
            blinding::session_id_matches_blinded_id(&session_id, &id25, &server),
            Ok(true)
        );
    }
    let ed = Ed25519PublicKey::from_bytes(key);
    let _ = blinding::blind15_id_from_ed25519(&ed, &server);
    let _ = blinding::blind25_id_from_ed25519(&ed, &server);
    let _ = ed.to_x25519();
});
