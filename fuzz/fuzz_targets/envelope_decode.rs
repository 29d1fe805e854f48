//! Decoding stored bytes (WebSocketMessage → Envelope → decrypt → unpad → Content) and the
//! protobuf messages on their own: never panics, whatever the bytes.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use session_envelope::prost::Message;
use session_envelope::proto::{Content, Envelope, WebSocketMessage};
use session_envelope::{decode, unwrap_envelope};
use session_identity::{Identity, Seed};

/// The fuzzed party, derived once (key derivation would dominate each run).
fn own() -> &'static Identity {
    static OWN: OnceLock<Identity> = OnceLock::new();
    OWN.get_or_init(|| Identity::from_seed(Seed::from_legacy_bytes([7; 16])))
}

fuzz_target!(|data: &[u8]| {
    let own = own();
    let _ = decode(data, own);
    let _ = unwrap_envelope(data);
    let _ = Envelope::decode(data);
    let _ = WebSocketMessage::decode(data);
    if let Ok(content) = Content::decode(data) {
        // Whatever decodes re-encodes to something that decodes to the same value.
        let again =
            Content::decode(content.encode_to_vec().as_slice()).expect("re-encoding decodes");
        assert_eq!(again, content);
    }
});
