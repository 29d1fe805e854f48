//! sessionkit measured against libsodium, the C library under the reference implementation.
//!
//! Its benches (`cargo bench` from the workspace root) time each hot operation in one run,
//! through sessionkit and composed from libsodium, in criterion groups whose functions are
//! named `sessionkit` and `libsodium`, then print the ratio tables; its tests
//! (`tests/differential.rs`) check that both produce the same bytes. It is the only part of the
//! workspace that compiles C: libsodium is built from its bundled source by `sodium-peer`, so
//! `cargo bench` needs a C compiler and the rest of the workspace does not.
//!
//! sessionkit's side is measured once per crypto backend compiled in
//! ([`Backend::ALL`]): the pure one always, aws-lc-rs with this crate's `native` feature
//! (`cargo bench -p sessionkit-benches --features native`). Each bench runs its body under
//! each backend in turn ([`for_each_backend`]), its objects built anew under it, and names the
//! sessionkit functions with [`function_name`]: `sessionkit`, `sessionkit_precomputed`, … for
//! the pure backend (the names results had before there were backends, so they stay
//! comparable), `sessionkit_native`, `sessionkit_precomputed_native`, … for aws-lc-rs. The
//! `libsodium` functions run once, on the pure pass. `vs_libsodium` prints one ratio table per
//! backend found in the results.
//!
//! The library holds only those two helpers.

use session_identity::backend;
pub use session_identity::backend::Backend;

/// The criterion function id of the sessionkit function `base` measured under `backend`:
/// `base` itself for [`Backend::Pure`], `base` + `_` + [`Backend::name`] for the others
/// (`sessionkit_native`, `sessionkit_precomputed_native`).
///
/// ```
/// use sessionkit_benches::{function_name, Backend};
///
/// assert_eq!(function_name("sessionkit", Backend::Pure), "sessionkit");
/// ```
pub fn function_name(base: &str, backend: Backend) -> String {
    match backend {
        Backend::Pure => base.to_owned(),
        other => format!("{base}_{}", other.name()),
    }
}

/// Runs `body` once per backend compiled in ([`Backend::ALL`], the pure one first), that
/// backend active ([`backend::set_active`]) for the whole call, so that the objects `body`
/// builds take it. The backend active before is restored afterwards.
///
/// A bench's target is then `|c| for_each_backend(c, body)` with
/// `fn body(c: &mut Criterion, backend: Backend)`, which names its sessionkit functions with
/// [`function_name`] and registers its `libsodium` ones only when `backend` is
/// [`Backend::Pure`].
pub fn for_each_backend<C: ?Sized>(c: &mut C, mut body: impl FnMut(&mut C, Backend)) {
    let before = backend::active();
    for &each in Backend::ALL {
        backend::set_active(each);
        body(c, each);
    }
    backend::set_active(before);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_passes() {
        assert_eq!(function_name("sessionkit", Backend::Pure), "sessionkit");
        #[cfg(feature = "native")]
        assert_eq!(
            function_name("sessionkit_precomputed", Backend::Native),
            "sessionkit_precomputed_native"
        );
        let mut seen = Vec::new();
        for_each_backend(&mut seen, |seen, b| {
            assert_eq!(backend::active(), b);
            seen.push(b);
        });
        assert_eq!(seen, Backend::ALL);
    }
}
