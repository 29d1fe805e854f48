//! Fuzz target: see `checks::group_keys_load` (shared with the corpus replay tests of the root package and of session-groups).
#![no_main]

#[path = "../checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::group_keys_load(data));
