//! Fuzz target: see `checks::backends_agree` (shared with the corpus replay test of the root package).
#![no_main]

#[path = "../checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::backends_agree(data));
