//! Signing and verifying config messages: the caller's keys behind two small traits.

use session_identity::{Ed25519PublicKey, Identity, Signature};

/// Checks a message's `~` signature over the bytes it signs (everything before the `1:~` key).
///
/// Implemented for [`Ed25519PublicKey`] (libsodium's verification rules) and [`Identity`] (its
/// Ed25519 key).
pub trait Verifier {
    /// Whether `signature` is valid for `message`.
    fn verify(&self, message: &[u8], signature: &[u8; 64]) -> bool;
}

/// Signs a config message when it is serialized for pushing.
///
/// Implemented for [`Identity`] (plain Ed25519, as libsodium signs).
pub trait Signer {
    /// The 64-byte signature of `message`.
    fn sign(&self, message: &[u8]) -> [u8; 64];
}

impl Verifier for Ed25519PublicKey {
    fn verify(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        Ed25519PublicKey::verify(self, message, &Signature::from_bytes(*signature)).is_ok()
    }
}

impl Verifier for Identity {
    fn verify(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        Verifier::verify(&self.ed25519_public_key(), message, signature)
    }
}

impl Signer for Identity {
    fn sign(&self, message: &[u8]) -> [u8; 64] {
        Identity::sign(self, message).to_bytes()
    }
}

impl<T: Verifier + ?Sized> Verifier for &T {
    fn verify(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        (**self).verify(message, signature)
    }
}

impl<T: Signer + ?Sized> Signer for &T {
    fn sign(&self, message: &[u8]) -> [u8; 64] {
        (**self).sign(message)
    }
}
