//! Session identities: the bottom layer of sessionkit.
//!
//! A Session account is a random seed. From it come an Ed25519 key pair, its X25519 twin and the
//! **Session ID** (`05` followed by the X25519 public key in hex). The seed is backed up as a
//! 13-word recovery phrase; restoring it gives the same ID on another device. For communities,
//! an account uses per-server **blinded IDs** (`15…`, `25…`) that the server cannot link.
//!
//! Everything here is byte-compatible with libsession-util (the C++ reference) and libsodium.
//! The crate does no I/O, reads no clock and draws randomness only from the
//! [`rand_core::CryptoRng`] a caller hands it (`rand::rng()`, or
// `OsRng` exists only with the `getrandom` feature: link it only then.
#![cfg_attr(feature = "getrandom", doc = "[`OsRng`]")]
#![cfg_attr(not(feature = "getrandom"), doc = "`OsRng`")]
//! with the `getrandom` feature).
//!
//! ```
//! use session_identity::{Identity, Seed, SessionId};
//! let mut rng = rand::rng(); // any rand_core::CryptoRng
//! let alice = Identity::generate(&mut rng);
//! let phrase = alice.recovery_phrase();
//! assert_eq!(phrase.word_count(), 13);
//!
//! // A second device restores the same account from the phrase.
//! let restored = Identity::from_recovery_phrase(phrase.expose_secret())?;
//! assert_eq!(restored.session_id(), alice.session_id());
//!
//! // Session IDs print as lower-case hex and parse back.
//! let id: SessionId = alice.session_id().to_string().parse()?;
//! assert_eq!(id, alice.session_id());
//!
//! // Signatures are plain Ed25519.
//! let signature = alice.sign(b"hello");
//! alice.ed25519_public_key().verify(b"hello", &signature)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Secrets (seeds, secret keys, phrases, blinded scalars) are zeroized on drop, compared in
//! constant time and never printed by `Debug`; they leave their types only through methods named
//! `expose_*`.
#![cfg_attr(not(test), no_std)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

extern crate alloc;

pub mod aead;
pub mod backend;
pub mod batch;
pub mod blinding;
pub mod hash;
mod keys;
pub mod mnemonic;
#[cfg(feature = "getrandom")]
mod os_rng;
pub mod point;
mod safety_number;
mod session_id;
#[cfg(feature = "test-util")]
pub mod test_util;
pub mod xed25519;

pub use keys::{
    Ed25519PublicKey, HexError, Identity, KeyError, PrecomputedX25519PublicKey, Seed, SeedKind,
    SharedSecret, Signature, SignatureError, X25519PublicKey, X25519SecretKey,
};
pub use mnemonic::{MnemonicError, RecoveryPhrase};
#[cfg(feature = "getrandom")]
pub use os_rng::OsRng;
pub use point::PointError;

/// The curve library the public API speaks (`Scalar`, `EdwardsPoint`).
pub use curve25519_dalek;
pub use safety_number::{
    SafetyNumber, SafetyNumberError, HALF_DIGITS, SAFETY_NUMBER_ITERATIONS, SAFETY_NUMBER_VERSION,
    SCANNABLE_LEN,
};
pub use session_id::{Prefix, SessionId, SessionIdError};

pub use rand_core;

impl Seed {
    /// The recovery phrase of this seed: 13 words for a 16-byte seed, 25 for a 32-byte one.
    pub fn to_recovery_phrase(&self) -> RecoveryPhrase {
        mnemonic::encode_values(self.entropy_values(), true)
    }

    /// The seed a recovery phrase encodes: 13 words give a 16-byte seed, 25 a 32-byte one. The
    /// checksum word is required and words may be separated by any whitespace (see
    /// [`mnemonic::decode_recovery_phrase`]).
    pub fn from_recovery_phrase(phrase: &str) -> Result<Self, MnemonicError> {
        let bytes = mnemonic::decode_recovery_phrase(phrase)?;
        Self::from_slice(&bytes).map_err(|_| MnemonicError::SeedLength(bytes.len()))
    }
}

impl Identity {
    /// The account restored from its recovery phrase.
    pub fn from_recovery_phrase(phrase: &str) -> Result<Self, MnemonicError> {
        Seed::from_recovery_phrase(phrase).map(Self::from_seed)
    }

    /// The recovery phrase of this account's seed.
    pub fn recovery_phrase(&self) -> RecoveryPhrase {
        self.seed().to_recovery_phrase()
    }
}

/// The code sample of README.md, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
