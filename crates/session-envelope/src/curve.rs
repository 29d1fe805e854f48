//! Curve checks shared by the sealed box and blinded DMs.

use curve25519_dalek::edwards::CompressedEdwardsY;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::IsIdentity;
use session_identity::{xed25519, Ed25519PublicKey, PointError};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// The X25519 public keys for which every clamped scalar gives the all-zero shared secret: the
/// u-coordinates of the points of order 1, 2, 4 and 8 on the curve and its twist (0, 1, -1 and the
/// two order-8 points), plus the non-canonical encodings p and p + 1 of 0 and 1. X25519 ignores
/// the top bit, so it is cleared before comparing. libsodium refuses exactly these keys
/// (`crypto_scalarmult` fails), so `crypto_box` and `crypto_box_seal_open` fail with them; the
/// unit test below checks each against an actual Diffie-Hellman exchange.
const WEAK_X25519_KEYS: [[u8; 32]; 7] = [
    [0; 32],
    [
        1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0,
    ],
    [
        0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4,
        0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49,
        0xb8, 0x00,
    ],
    [
        0x5f, 0x9c, 0x95, 0xbc, 0xa3, 0x50, 0x8c, 0x24, 0xb1, 0xd0, 0xb1, 0x55, 0x9c, 0x83, 0xef,
        0x5b, 0x04, 0x44, 0x5c, 0xc4, 0x58, 0x1c, 0x8e, 0x86, 0xd8, 0x22, 0x4e, 0xdd, 0xd0, 0x9f,
        0x11, 0x57,
    ],
    // p - 1
    [
        0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    // p
    [
        0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    // p + 1
    [
        0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
];

/// Whether an X25519 public key gives the all-zero shared secret with every secret key.
pub(crate) fn is_weak_x25519_key(key: &[u8; 32]) -> bool {
    let mut u = *key;
    u[31] &= 0x7f;
    WEAK_X25519_KEYS
        .iter()
        .any(|weak| bool::from(weak.ct_eq(&u)))
}

/// `[scalar]P` as libsodium's `crypto_scalarmult_ed25519_noclamp` computes it, for a secret
/// scalar and a public point: the point must be canonical, on the curve, not of small order and
/// in the prime-order subgroup, and the result must not be the identity. Constant time in the
/// scalar.
pub(crate) fn mul_noclamp(
    scalar: &Scalar,
    point: &Ed25519PublicKey,
) -> Result<Zeroizing<[u8; 32]>, PointError> {
    xed25519::validate_ed25519_point(point)?;
    let decoded = CompressedEdwardsY(point.to_bytes())
        .decompress()
        .ok_or(PointError::NotOnCurve)?;
    let product = decoded * scalar;
    if product.is_identity() {
        return Err(PointError::Identity);
    }
    Ok(Zeroizing::new(product.compress().to_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use session_identity::{KeyError, X25519PublicKey, X25519SecretKey};

    #[test]
    fn weak_keys_give_the_zero_secret() {
        let secret = X25519SecretKey::from_bytes([0x42; 32]);
        for weak in WEAK_X25519_KEYS {
            for top in [0u8, 0x80] {
                let mut key = weak;
                key[31] |= top;
                assert!(is_weak_x25519_key(&key));
                assert_eq!(
                    secret
                        .diffie_hellman(&X25519PublicKey::from_bytes(key))
                        .err(),
                    Some(KeyError::WeakSharedSecret),
                    "{key:02x?}"
                );
            }
        }
        assert!(!is_weak_x25519_key(&[9; 32]));
    }
}
