//! Unpadding arbitrary bytes: never panics, returns a prefix, and padding what it returns
//! unpads back to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_envelope::padding;

fuzz_target!(|data: &[u8]| {
    if let Ok(message) = padding::unpad(data) {
        assert!(data.starts_with(message));
        assert_eq!(padding::unpad(&padding::pad(message)), Ok(message));
        assert_eq!(padding::unpad(&padding::pad_legacy(message)), Ok(message));
    }
});
