//! Edwards-point arithmetic with libsodium's checks, shared by signature verification,
//! public-key conversion, blinding and the layers above (blinded DMs).

use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::IsIdentity;

/// Why 32 bytes are not a usable Ed25519 public point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PointError {
    /// The y coordinate is not reduced modulo p (2^255 - 19).
    #[error("non-canonical point encoding (y is not reduced)")]
    NonCanonical,
    /// No curve point has this y coordinate.
    #[error("not a point on the Ed25519 curve")]
    NotOnCurve,
    /// The point has order 1, 2, 4 or 8 and would leak or fix the result.
    #[error("point of small order")]
    SmallOrder,
    /// The point has a torsion component: it is not in the prime-order subgroup.
    #[error("point is not in the prime-order subgroup")]
    NotInPrimeOrderSubgroup,
    /// The operation produced the identity (a zero scalar).
    #[error("result is the identity point")]
    Identity,
}

/// The y encodings (sign bit cleared) of the points of order 1, 2, 4 and 8, plus the two
/// non-canonical encodings p and p + 1 of y = 0 and y = 1. libsodium refuses exactly these
/// encodings as signature nonces and public keys (`ge25519_has_small_order`); the unit test below
/// checks the list against the curve's 8-torsion.
const SMALL_ORDER_ENCODINGS: [[u8; 32]; 7] = [
    // y = 0 (order 4)
    [0; 32],
    // y = 1 (the identity)
    [
        1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0,
    ],
    // order 8
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ],
    // order 8
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ],
    // y = p - 1 (order 2)
    [
        0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    // y = p (non-canonical 0)
    [
        0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    // y = p + 1 (non-canonical 1)
    [
        0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
];

/// Whether `bytes` (sign bit ignored) encodes a point of small order.
pub(crate) fn has_small_order_encoding(bytes: &[u8; 32]) -> bool {
    let mut y = *bytes;
    y[31] &= 0x7f;
    SMALL_ORDER_ENCODINGS.contains(&y)
}

/// Whether the y coordinate (sign bit ignored) is reduced modulo p.
pub(crate) fn is_canonical_encoding(bytes: &[u8; 32]) -> bool {
    // y >= p exactly when the top 250 bits are all ones and the low byte is >= 0xed.
    let top_all_ones = (bytes[31] & 0x7f) == 0x7f && bytes[1..31].iter().all(|&b| b == 0xff);
    !(top_all_ones && bytes[0] >= 0xed)
}

/// Decodes a public point the way libsodium's `crypto_scalarmult_ed25519` and
/// `crypto_sign_ed25519_pk_to_curve25519` accept one: canonical, on the curve, not of small order
/// and in the prime-order subgroup. Variable time: only for public points.
pub(crate) fn decode_prime_order_point(bytes: &[u8; 32]) -> Result<EdwardsPoint, PointError> {
    if !is_canonical_encoding(bytes) {
        return Err(PointError::NonCanonical);
    }
    if has_small_order_encoding(bytes) {
        return Err(PointError::SmallOrder);
    }
    let point = CompressedEdwardsY(*bytes)
        .decompress()
        .ok_or(PointError::NotOnCurve)?;
    if !is_torsion_free_vartime(&point) {
        return Err(PointError::NotInPrimeOrderSubgroup);
    }
    Ok(point)
}

/// `[L]P == O`, computed as `[L - 1]P + P` with a variable-time multiplication (the point is
/// public), about twice as fast as the constant-time check.
pub(crate) fn is_torsion_free_vartime(point: &EdwardsPoint) -> bool {
    let l_minus_one = -Scalar::ONE;
    let l_times_p =
        EdwardsPoint::vartime_double_scalar_mul_basepoint(&l_minus_one, point, &Scalar::ZERO)
            + point;
    l_times_p.is_identity()
}

/// `[s]P` for a **secret** scalar and a public point, as libsodium's
/// `crypto_scalarmult_ed25519_noclamp` computes it: the point must be canonical, on the curve, not
/// of small order and in the prime-order subgroup, and the result must not be the identity.
/// Constant time in the scalar (the point checks are variable time: the point is public).
pub fn scalarmult_noclamp(
    scalar: &Scalar,
    point: &crate::Ed25519PublicKey,
) -> Result<zeroize::Zeroizing<[u8; 32]>, PointError> {
    let decoded = decode_prime_order_point(point.as_bytes())?;
    let product = zeroize::Zeroizing::new(decoded * scalar);
    if product.is_identity() {
        return Err(PointError::Identity);
    }
    Ok(zeroize::Zeroizing::new(product.compress().to_bytes()))
}

/// Decodes a public Ed25519 point with the checks of [`scalarmult_noclamp`].
pub fn decode_ed25519_point(point: &crate::Ed25519PublicKey) -> Result<EdwardsPoint, PointError> {
    decode_prime_order_point(point.as_bytes())
}

/// `[s]P` for a public scalar and a public point, refusing an identity result as libsodium does.
pub(crate) fn mul_public(scalar: &Scalar, point: &EdwardsPoint) -> Result<[u8; 32], PointError> {
    let product = EdwardsPoint::vartime_double_scalar_mul_basepoint(scalar, point, &Scalar::ZERO);
    if product.is_identity() {
        return Err(PointError::Identity);
    }
    Ok(product.compress().to_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::constants::EIGHT_TORSION;

    #[test]
    fn small_order_list_is_the_eight_torsion() {
        for point in EIGHT_TORSION {
            let enc = point.compress().to_bytes();
            assert!(has_small_order_encoding(&enc), "{enc:02x?}");
        }
        let mut distinct: Vec<[u8; 32]> = EIGHT_TORSION
            .iter()
            .map(|p| {
                let mut y = p.compress().to_bytes();
                y[31] &= 0x7f;
                y
            })
            .collect();
        distinct.sort();
        distinct.dedup();
        // 5 distinct y values among the 8 torsion points, plus the 2 non-canonical aliases.
        assert_eq!(distinct.len(), 5);
        for y in &distinct {
            assert!(SMALL_ORDER_ENCODINGS.contains(y));
        }
        assert!(!is_canonical_encoding(&SMALL_ORDER_ENCODINGS[5]));
        assert!(!is_canonical_encoding(&SMALL_ORDER_ENCODINGS[6]));
        assert!(is_canonical_encoding(&SMALL_ORDER_ENCODINGS[4]));
    }

    #[test]
    fn torsion_check() {
        let base = curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
        assert!(is_torsion_free_vartime(&base));
        assert!(!is_torsion_free_vartime(&(base + EIGHT_TORSION[1])));
        let enc = (base + EIGHT_TORSION[1]).compress().to_bytes();
        assert_eq!(
            decode_prime_order_point(&enc),
            Err(PointError::NotInPrimeOrderSubgroup)
        );
    }
}
