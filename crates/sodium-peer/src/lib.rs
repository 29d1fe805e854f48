//! Safe wrappers over the libsodium functions that sessionkit's benchmarks compare against and
//! its differential tests check against. Development only: never a dependency of the protocol
//! crates. This is the only crate of the workspace that contains `unsafe` code.

/// Initialises libsodium (idempotent); every wrapper calls it.
pub fn init() {
    // SAFETY: sodium_init has no preconditions and may be called any number of times.
    let status = unsafe { libsodium_sys::sodium_init() };
    assert!(status >= 0, "libsodium failed to initialise");
}
