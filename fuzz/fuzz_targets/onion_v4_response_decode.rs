//! Fuzz target: see `checks::onion_v4_response_decode` (shared with the corpus replay test of the root package).
#![no_main]

#[path = "../checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::onion_v4_response_decode(data));
