//! Fuzz target: see `checks::ed25519_verify` (shared with the corpus replay test of the root package).
#![no_main]

#[path = "../checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::ed25519_verify(data));
