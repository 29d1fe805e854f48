//! Fuzz target: see `checks::subaccount_parse` (shared with the corpus replay tests of the root package and of session-swarm).
#![no_main]

#[path = "../checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::subaccount_parse(data));
