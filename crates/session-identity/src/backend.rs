//! Which implementation computes the primitives that dominate sessionkit's profile: X25519, the
//! Ed25519 signature of an [`Identity`](crate::Identity), AES-256-GCM and XChaCha20-Poly1305
//! ([`crate::aead`]).
//!
//! Two backends give **byte-identical results**, with the same refusals:
//!
//! - [`Backend::Pure`]: curve25519-dalek, ed25519-dalek and RustCrypto. No C, no `unsafe` of
//!   its own, every target (wasm32 included). The default, and the only backend without the
//!   `native` feature.
//! - `Backend::Native` (cargo feature `native`): aws-lc-rs, whose X25519, Ed25519 signing and
//!   AES-GCM run as assembly. It needs a C compiler to build and exists only on the targets
//!   aws-lc supports. With the feature on it is the active backend from the start.
//!
//! Ed25519 **verification** keeps libsodium's rules on both, and its equation is
//! curve25519-dalek's on both (faster here than aws-lc's, which would also accept a small-order
//! `R` or key); under `native` its SHA-512 is aws-lc's.
//!
//! What stays pure on both: the Edwards arithmetic of blinding, batch verification and the
//! subgroup checks, XSalsa20-Poly1305 and AES-CBC.
//!
//! Objects take the backend that is active when they are built (an [`X25519SecretKey`], an
//! [`Identity`], an [`aead::Aes256Gcm`]) and keep it. [`set_active`] is for benchmarks and tests
//! that compare the two in one process; an application picks its backend with the cargo
//! feature and never calls it.
//!
//! ```
//! use session_identity::backend::{self, Backend};
//! use session_identity::X25519SecretKey;
//!
//! let alice = X25519SecretKey::from_bytes([1; 32]);
//! let bob = X25519SecretKey::from_bytes([2; 32]);
//! let shared = alice.diffie_hellman(&bob.public_key())?;
//! for &each in Backend::ALL {
//!     backend::set_active(each);
//!     let alice = X25519SecretKey::from_bytes([1; 32]);
//!     assert_eq!(
//!         alice.diffie_hellman(&bob.public_key())?.expose_secret_bytes(),
//!         shared.expose_secret_bytes(),
//!     );
//! }
//! # Ok::<(), session_identity::KeyError>(())
//! ```
//!
//! [`X25519SecretKey`]: crate::X25519SecretKey
//! [`Identity`]: crate::Identity
//! [`aead::Aes256Gcm`]: crate::aead::Aes256Gcm

use core::sync::atomic::{AtomicU8, Ordering};

/// An implementation of the primitives (see the [module](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// Pure Rust: curve25519-dalek, ed25519-dalek, RustCrypto.
    Pure,
    /// aws-lc-rs (cargo feature `native`).
    #[cfg(feature = "native")]
    #[cfg_attr(docsrs, doc(cfg(feature = "native")))]
    Native,
}

impl Backend {
    /// Every backend compiled in, the pure one first.
    pub const ALL: &'static [Backend] = &[
        Backend::Pure,
        #[cfg(feature = "native")]
        Backend::Native,
    ];

    /// The backend a process starts with: `Native` when the feature is on, else `Pure`.
    pub const DEFAULT: Backend = {
        #[cfg(feature = "native")]
        {
            Backend::Native
        }
        #[cfg(not(feature = "native"))]
        {
            Backend::Pure
        }
    };

    /// A short lower-case name: `pure` or `native`.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Pure => "pure",
            #[cfg(feature = "native")]
            Backend::Native => "native",
        }
    }

    fn code(self) -> u8 {
        match self {
            Backend::Pure => 0,
            #[cfg(feature = "native")]
            Backend::Native => 1,
        }
    }
}

/// `u8::MAX`: nobody chose yet, so [`Backend::DEFAULT`].
static ACTIVE: AtomicU8 = AtomicU8::new(u8::MAX);

/// The backend that objects built now will use.
pub fn active() -> Backend {
    match ACTIVE.load(Ordering::Relaxed) {
        0 => Backend::Pure,
        #[cfg(feature = "native")]
        1 => Backend::Native,
        _ => Backend::DEFAULT,
    }
}

/// Makes `backend` the one that objects built from now on use, in every thread. Objects already
/// built keep theirs. Both backends compute the same bytes, so this changes only speed; it
/// exists so that benchmarks and tests can compare the two in one process.
pub fn set_active(backend: Backend) {
    ACTIVE.store(backend.code(), Ordering::Relaxed);
}

/// Whether objects built now use aws-lc-rs.
#[cfg(feature = "native")]
pub(crate) fn native_active() -> bool {
    active() == Backend::Native
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_the_default() {
        assert_eq!(Backend::ALL[0], Backend::Pure);
        assert_eq!(Backend::Pure.name(), "pure");
        #[cfg(feature = "native")]
        {
            assert_eq!(Backend::DEFAULT, Backend::Native);
            assert_eq!(Backend::ALL.len(), 2);
            assert_eq!(Backend::Native.name(), "native");
        }
        #[cfg(not(feature = "native"))]
        assert_eq!(Backend::DEFAULT, Backend::Pure);
    }
}
