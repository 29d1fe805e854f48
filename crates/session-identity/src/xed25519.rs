//! X25519 → Ed25519 conversion in XEd25519's positive form.
//!
//! A Session ID carries an X25519 key; the Ed25519 key it came from is one of two points that
//! differ only in sign. The positive one has `y = (u − 1) / (u + 1)` and sign bit 0; the real key
//! is that or its negation (sign bit set).
//!
//! ```
//! use session_identity::{xed25519, Identity, Seed};
//!
//! let id = Identity::from_seed(Seed::from_legacy_bytes([1; 16]));
//! let ed = xed25519::ed25519_from_x25519(&id.x25519_public_key())?;
//! let mut real = id.ed25519_public_key().to_bytes();
//! real[31] &= 0x7f;
//! assert_eq!(ed.to_bytes(), real);
//! # Ok::<(), session_identity::PointError>(())
//! ```

use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::montgomery::MontgomeryPoint;

use crate::point::{decode_prime_order_point, is_torsion_free_vartime};
use crate::{Ed25519PublicKey, PointError, X25519PublicKey};

/// The positive Ed25519 point of an X25519 key, checked to be usable: on the curve, not of small
/// order and in the prime-order subgroup.
pub(crate) fn ed25519_point_from_x25519(x25519: &[u8; 32]) -> Result<EdwardsPoint, PointError> {
    let point = MontgomeryPoint(*x25519)
        .to_edwards(0)
        .ok_or(PointError::NotOnCurve)?;
    if point.is_small_order() {
        return Err(PointError::SmallOrder);
    }
    if !is_torsion_free_vartime(&point) {
        return Err(PointError::NotInPrimeOrderSubgroup);
    }
    Ok(point)
}

/// The positive (sign bit 0) Ed25519 public key of an X25519 public key.
pub fn ed25519_from_x25519(x25519: &X25519PublicKey) -> Result<Ed25519PublicKey, PointError> {
    let point = ed25519_point_from_x25519(x25519.as_bytes())?;
    Ok(Ed25519PublicKey::from_bytes(point.compress().to_bytes()))
}

/// Both Ed25519 keys an X25519 key may have come from: positive first, then negative.
pub fn ed25519_candidates(x25519: &X25519PublicKey) -> Result<[Ed25519PublicKey; 2], PointError> {
    let positive = ed25519_from_x25519(x25519)?;
    let mut negative = positive.to_bytes();
    negative[31] |= 0x80;
    Ok([positive, Ed25519PublicKey::from_bytes(negative)])
}

/// Checks that the 32 bytes decode to a prime-order point (as `crypto_scalarmult_ed25519` does).
pub fn validate_ed25519_point(key: &Ed25519PublicKey) -> Result<(), PointError> {
    decode_prime_order_point(key.as_bytes()).map(|_| ())
}

/// Length of the caller-supplied randomness of an XEd25519 signature.
pub const SIGNATURE_RANDOMNESS_LEN: usize = 64;

const XED25519_PERSONAL: &[u8; 16] = b"xed25519signatur";

/// Signs `message` with an X25519 secret key, the way libsession's `xed25519::sign` does: the
/// result verifies as plain Ed25519 under [`ed25519_from_x25519`] of the matching public key.
/// `randomness` is the 64 random bytes mixed into the nonce.
pub fn sign_with_randomness(
    x25519_secret: &crate::X25519SecretKey,
    message: &[u8],
    randomness: &[u8; SIGNATURE_RANDOMNESS_LEN],
) -> crate::Signature {
    use curve25519_dalek::scalar::{clamp_integer, Scalar};
    use sha2::{Digest, Sha512};
    use zeroize::Zeroizing;

    let raw = Zeroizing::new(*x25519_secret.expose_secret_bytes());
    let clamped = Zeroizing::new(Scalar::from_bytes_mod_order(clamp_integer(*raw)));
    let mut public = EdwardsPoint::mul_base(&clamped).compress().to_bytes();
    let negative = public[31] >> 7 == 1;
    public[31] &= 0x7f;

    let reduced = Zeroizing::new(Scalar::from_bytes_mod_order(*raw));
    let (a, a_bytes) = if negative {
        let neg = -*reduced;
        (Zeroizing::new(neg), Zeroizing::new(neg.to_bytes()))
    } else {
        (reduced, raw)
    };

    let r_hash = Zeroizing::new(
        crate::hash::FixedBlake2b::<64>::with_personal(XED25519_PERSONAL)
            .chain(a_bytes.as_ref())
            .chain(message)
            .chain(randomness)
            .finalize(),
    );
    let r = Zeroizing::new(Scalar::from_bytes_mod_order_wide(&r_hash));
    let big_r = EdwardsPoint::mul_base(&r).compress();
    let h = Scalar::from_hash(
        Sha512::new()
            .chain_update(big_r.as_bytes())
            .chain_update(public)
            .chain_update(message),
    );
    let s = *r + h * *a;
    let mut signature = [0u8; 64];
    signature[..32].copy_from_slice(big_r.as_bytes());
    signature[32..].copy_from_slice(s.as_bytes());
    crate::Signature::from_bytes(signature)
}

/// [`sign_with_randomness`] with 64 bytes drawn from `rng`.
pub fn sign(
    x25519_secret: &crate::X25519SecretKey,
    message: &[u8],
    rng: &mut impl rand_core::CryptoRng,
) -> crate::Signature {
    let mut randomness = zeroize::Zeroizing::new([0u8; SIGNATURE_RANDOMNESS_LEN]);
    rng.fill_bytes(randomness.as_mut());
    sign_with_randomness(x25519_secret, message, &randomness)
}

/// Verifies an XEd25519 signature against an X25519 public key.
pub fn verify(
    x25519: &X25519PublicKey,
    message: &[u8],
    signature: &crate::Signature,
) -> Result<(), crate::SignatureError> {
    let ed = ed25519_from_x25519(x25519).map_err(crate::SignatureError::PublicKey)?;
    ed.verify(message, signature)
}
