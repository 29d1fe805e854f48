//! Fuzz target: see `checks/identity_record.rs` (replayed by session-client's tests, not the
//! root package's: the check needs session-client, which compiles C).
#![no_main]

#[path = "../checks/identity_record.rs"]
mod identity_record;

libfuzzer_sys::fuzz_target!(|data: &[u8]| identity_record::identity_record_parse(data));
