//! Session Protocol decryption of arbitrary bytes: never panics; anything it accepts is a
//! well-formed message whose sender key converts to its Session ID.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use session_envelope::session_protocol;
use session_identity::{Identity, Seed};

/// The fuzzed party, derived once (key derivation would dominate each run).
fn own() -> &'static Identity {
    static OWN: OnceLock<Identity> = OnceLock::new();
    OWN.get_or_init(|| Identity::from_seed(Seed::from_legacy_bytes([7; 16])))
}

fuzz_target!(|data: &[u8]| {
    let recipient = own();
    if let Ok(message) = session_protocol::decrypt(recipient, data) {
        assert_eq!(
            message.plaintext.len() + session_protocol::OVERHEAD,
            data.len()
        );
        let x = message
            .sender_ed25519
            .to_x25519()
            .expect("accepted sender key converts");
        assert_eq!(message.sender_session_id.x25519_public_key(), Some(x));
    }
});
