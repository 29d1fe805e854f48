//! Fuzz target: see `checks::swarm_421_parse` (shared with the corpus replay test of the root package).
#![no_main]

#[path = "../checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::swarm_421_parse(data));
