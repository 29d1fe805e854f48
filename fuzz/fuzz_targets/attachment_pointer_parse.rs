//! Fuzz target: see `checks::attachment_pointer_parse` (shared with the corpus replay test of the root package).
#![no_main]

#[path = "../checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::attachment_pointer_parse(data));
