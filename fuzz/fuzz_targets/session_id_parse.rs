//! Session ID parsing from text and bytes: never panics, and whatever parses prints back to the
//! same ID.
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_identity::SessionId;

fuzz_target!(|data: &[u8]| {
    if let Ok(id) = SessionId::from_bytes(data) {
        assert_eq!(&id.to_bytes()[..], data);
    }
    if let Ok(text) = core::str::from_utf8(data) {
        if let Ok(id) = SessionId::parse(text) {
            assert_eq!(id.to_string(), text.to_ascii_lowercase());
        }
    }
});
