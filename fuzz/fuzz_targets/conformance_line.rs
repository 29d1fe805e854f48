//! One request line of the conformance runner: whatever arrives, exactly one JSON response line
//! comes back and no handler fails with an internal error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(line) = core::str::from_utf8(data) else {
        return;
    };
    let response = session_conformance::handle_line(line);
    assert!(!response.contains('\n'));
    let value: serde_json::Value = serde_json::from_str(&response).expect("response is JSON");
    let error = value.get("error").and_then(|e| e.as_str()).unwrap_or("");
    assert!(!error.starts_with("internal"), "{line:?} -> {response}");
});
