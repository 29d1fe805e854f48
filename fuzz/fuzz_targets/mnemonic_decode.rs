//! Recovery-phrase decoding: never panics, and a decoded phrase re-encodes to the same words
//! (up to prefix spelling and whitespace).
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_identity::mnemonic;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    if let Ok(bytes) = mnemonic::decode(text) {
        let word_count = text.split([' ', '\t', '\r', '\n']).filter(|w| !w.is_empty()).count();
        let with_checksum = word_count % 3 == 1;
        let again = mnemonic::encode(&bytes, with_checksum).expect("decoded length is valid");
        assert_eq!(mnemonic::decode(again.expose_secret()).expect("re-decodes"), bytes);
    }
});
