//! sessionkit measured against libsodium, the C library under the reference implementation.
//!
//! This crate has no library code. Its benches (`cargo bench` from the workspace root) time each
//! hot operation twice in one run, through sessionkit and composed from libsodium, in criterion
//! groups whose functions are named `sessionkit` and `libsodium`, then print the ratio table;
//! its tests (`tests/differential.rs`) check that both produce the same bytes. It is the only
//! part of the workspace that compiles C: libsodium is built from its bundled source by
//! `sodium-peer`, so `cargo bench` needs a C compiler and the rest of the workspace does not.
