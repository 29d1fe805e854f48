//! Batch verification gives, item by item, exactly the verdicts of one-by-one verification:
//! for honest signatures, tampered ones, malformed encodings and the torsion tricks a plain
//! random-weighted batch misses.
#![allow(clippy::unwrap_used)]

use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT as B, EIGHT_TORSION};
use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::scalar::Scalar;
use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use session_identity::batch::{verify_and_to_x25519_batch, SignedMessage};
use session_identity::curve25519_dalek;
use session_identity::{Ed25519PublicKey, PointError, Signature, SignatureError};
use sha2::{Digest, Sha512};

/// A signer with a raw scalar, so tests can build signatures a normal signer never would.
struct RawSigner {
    secret: Scalar,
    point: EdwardsPoint,
}

impl RawSigner {
    fn new(rng: &mut ChaCha20Rng) -> Self {
        let secret = random_scalar(rng);
        Self {
            secret,
            point: B * secret,
        }
    }

    /// A key with a small-order component added (not in the prime-order subgroup).
    fn with_torsion(&self, torsion: usize) -> Self {
        Self {
            secret: self.secret,
            point: self.point + EIGHT_TORSION[torsion],
        }
    }

    fn key(&self) -> Ed25519PublicKey {
        Ed25519PublicKey::from_bytes(self.point.compress().to_bytes())
    }

    /// `R = [r]B + nonce_torsion`, `S = r + H(R ‖ A ‖ M)·a`.
    fn sign(&self, rng: &mut ChaCha20Rng, message: &[u8], nonce_torsion: usize) -> Signature {
        let r = random_scalar(rng);
        let big_r = (B * r + EIGHT_TORSION[nonce_torsion]).compress().to_bytes();
        let h = Scalar::from_hash(
            Sha512::new()
                .chain_update(big_r)
                .chain_update(self.point.compress().as_bytes())
                .chain_update(message),
        );
        let s = r + h * self.secret;
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&big_r);
        sig[32..].copy_from_slice(s.as_bytes());
        Signature::from_bytes(sig)
    }
}

fn random_scalar(rng: &mut ChaCha20Rng) -> Scalar {
    let mut wide = [0u8; 64];
    rng.fill_bytes(&mut wide);
    Scalar::from_bytes_mod_order_wide(&wide)
}

/// The kinds of item a batch can hold.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Valid,
    TamperedMessage,
    FlippedScalarBit,
    NonCanonicalScalar,
    SmallOrderNonce,
    NonCanonicalNonce,
    UndecodableNonce,
    TorsionNonce,
    KeyWithTorsion,
    KeyWithTorsionValidEquation,
    SmallOrderKey,
    UndecodableKey,
}

const KINDS: [Kind; 12] = [
    Kind::Valid,
    Kind::TamperedMessage,
    Kind::FlippedScalarBit,
    Kind::NonCanonicalScalar,
    Kind::SmallOrderNonce,
    Kind::NonCanonicalNonce,
    Kind::UndecodableNonce,
    Kind::TorsionNonce,
    Kind::KeyWithTorsion,
    Kind::KeyWithTorsionValidEquation,
    Kind::SmallOrderKey,
    Kind::UndecodableKey,
];

/// ℓ, the order of the prime-order subgroup, little-endian.
const GROUP_ORDER: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// y = 2 has no x on the curve (checked in `an_undecodable_encoding_is_really_undecodable`).
fn undecodable() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    bytes[0] = 2;
    bytes
}

fn build(
    kind: Kind,
    signer: &RawSigner,
    rng: &mut ChaCha20Rng,
) -> (Ed25519PublicKey, Vec<u8>, Signature) {
    let mut message = vec![0u8; 1 + (rng.next_u32() % 64) as usize];
    rng.fill_bytes(&mut message);
    let valid = signer.sign(rng, &message, 0);
    let mut bytes = valid.to_bytes();
    let key = signer.key();
    match kind {
        Kind::Valid => (key, message, valid),
        Kind::TamperedMessage => {
            message[0] ^= 1;
            (key, message, valid)
        }
        Kind::FlippedScalarBit => {
            bytes[40] ^= 0x10;
            (key, message, Signature::from_bytes(bytes))
        }
        Kind::NonCanonicalScalar => {
            // S + ℓ: the same value mod ℓ, not reduced (S + ℓ < 2ℓ < 2²⁵⁴ fits).
            let mut carry = 0u16;
            for (i, l) in GROUP_ORDER.iter().enumerate() {
                let sum = u16::from(bytes[32 + i]) + u16::from(*l) + carry;
                bytes[32 + i] = sum as u8;
                carry = sum >> 8;
            }
            (key, message, Signature::from_bytes(bytes))
        }
        Kind::SmallOrderNonce => {
            bytes[..32].copy_from_slice(EIGHT_TORSION[1].compress().as_bytes());
            (key, message, Signature::from_bytes(bytes))
        }
        Kind::NonCanonicalNonce => {
            // y = p + 3 (≡ 3): the encoding one-by-one verification can never reproduce.
            let mut y = [0xffu8; 32];
            y[0] = 0xf0;
            y[31] = 0x7f;
            bytes[..32].copy_from_slice(&y);
            (key, message, Signature::from_bytes(bytes))
        }
        Kind::UndecodableNonce => {
            bytes[..32].copy_from_slice(&undecodable());
            (key, message, Signature::from_bytes(bytes))
        }
        Kind::TorsionNonce => {
            let torsion = 1 + (rng.next_u32() % 7) as usize;
            let sig = signer.sign(rng, &message, torsion);
            (key, message, sig)
        }
        Kind::KeyWithTorsion => {
            let twisted = signer.with_torsion(1 + (rng.next_u32() % 7) as usize);
            let sig = twisted.sign(rng, &message, 0);
            (twisted.key(), message, sig)
        }
        Kind::KeyWithTorsionValidEquation => {
            // With torsion of order 2, the equation holds whenever H(R ‖ A ‖ M) is even:
            // one-by-one verification then accepts the signature but refuses the key.
            let twisted = signer.with_torsion(4);
            loop {
                let sig = twisted.sign(rng, &message, 0);
                if twisted.key().verify(&message, &sig).is_ok() {
                    return (twisted.key(), message, sig);
                }
            }
        }
        Kind::SmallOrderKey => (
            Ed25519PublicKey::from_bytes(EIGHT_TORSION[2].compress().to_bytes()),
            message,
            valid,
        ),
        Kind::UndecodableKey => (Ed25519PublicKey::from_bytes(undecodable()), message, valid),
    }
}

fn assert_same_verdicts(items: &[(Ed25519PublicKey, Vec<u8>, Signature)]) {
    let borrowed: Vec<SignedMessage<'_>> = items
        .iter()
        .map(|(key, message, signature)| SignedMessage {
            key,
            message,
            signature,
        })
        .collect();
    let batch = verify_and_to_x25519_batch(&borrowed);
    assert_eq!(batch.len(), items.len());
    for (i, ((key, message, signature), verdict)) in items.iter().zip(&batch).enumerate() {
        assert_eq!(
            *verdict,
            key.verify_and_to_x25519(message, signature),
            "item {i}"
        );
    }
}

#[test]
fn an_undecodable_encoding_is_really_undecodable() {
    assert_eq!(
        Ed25519PublicKey::from_bytes(undecodable()).to_x25519(),
        Err(PointError::NotOnCurve)
    );
}

#[test]
fn each_kind_gets_its_one_by_one_verdict() {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let signer = RawSigner::new(&mut rng);
    let mut items = Vec::new();
    for kind in KINDS {
        // Among honest items, so that the combination is really used.
        items.push(build(Kind::Valid, &signer, &mut rng));
        items.push(build(kind, &signer, &mut rng));
        items.push(build(Kind::Valid, &signer, &mut rng));
    }
    assert_same_verdicts(&items);

    // The cases are what they claim to be.
    let verdict = |item: &(Ed25519PublicKey, Vec<u8>, Signature)| {
        item.0.verify_and_to_x25519(&item.1, &item.2)
    };
    let expected = [
        None,
        Some(SignatureError::Mismatch),
        Some(SignatureError::Mismatch),
        Some(SignatureError::NonCanonicalScalar),
        Some(SignatureError::SmallOrderNonce),
        Some(SignatureError::Mismatch),
        Some(SignatureError::Mismatch),
        Some(SignatureError::Mismatch),
        None, // mismatch or torsion, depending on h
        Some(SignatureError::PublicKey(
            PointError::NotInPrimeOrderSubgroup,
        )),
        Some(SignatureError::PublicKey(PointError::SmallOrder)),
        Some(SignatureError::PublicKey(PointError::NotOnCurve)),
    ];
    for (k, want) in expected.iter().enumerate() {
        let got = verdict(&items[3 * k + 1]);
        match want {
            None if k == 0 => assert!(got.is_ok()),
            None => assert!(got.is_err()),
            Some(e) => assert_eq!(got, Err(*e), "kind {:?}", KINDS[k]),
        }
    }
}

#[test]
fn an_all_honest_batch_is_all_accepted_with_each_senders_x25519_key() {
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let signers: Vec<RawSigner> = (0..7).map(|_| RawSigner::new(&mut rng)).collect();
    let items: Vec<_> = (0..200)
        .map(|i| build(Kind::Valid, &signers[i % 7], &mut rng))
        .collect();
    assert_same_verdicts(&items);
    let borrowed: Vec<SignedMessage<'_>> = items
        .iter()
        .map(|(key, message, signature)| SignedMessage {
            key,
            message,
            signature,
        })
        .collect();
    for (verdict, (key, _, _)) in verify_and_to_x25519_batch(&borrowed).iter().zip(&items) {
        assert_eq!(*verdict, Ok(key.to_x25519().unwrap()));
    }
}

/// The attack on a plain random-weighted batch: torsion of order 2 added to two nonces
/// cancels in any combination whose two weights have the same parity, and order-8 torsion
/// vanishes under a weight divisible by 8. One-by-one verification refuses every such item.
#[test]
fn cancelling_nonce_torsion_is_refused() {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let signer = RawSigner::new(&mut rng);
    for _ in 0..16 {
        let mut items = Vec::new();
        for torsion in [4, 4, 2, 6, 1, 7] {
            let mut message = vec![0u8; 16];
            rng.fill_bytes(&mut message);
            let sig = signer.sign(&mut rng, &message, torsion);
            // A cofactored check accepts it: only the torsion is wrong.
            let s = Scalar::from_canonical_bytes(sig.as_bytes()[32..].try_into().unwrap()).unwrap();
            let h = Scalar::from_hash(
                Sha512::new()
                    .chain_update(&sig.as_bytes()[..32])
                    .chain_update(signer.key().as_bytes())
                    .chain_update(&message),
            );
            let r = curve25519_dalek::edwards::CompressedEdwardsY(
                sig.as_bytes()[..32].try_into().unwrap(),
            )
            .decompress()
            .unwrap();
            assert!((B * s - signer.point * h - r).mul_by_cofactor() == EdwardsPoint::default());
            items.push((signer.key(), message, sig));
        }
        items.push(build(Kind::Valid, &signer, &mut rng));
        assert_same_verdicts(&items);
        assert!(items[..6]
            .iter()
            .all(|(k, m, s)| k.verify_and_to_x25519(m, s) == Err(SignatureError::Mismatch)));
    }
}

#[test]
fn empty_and_single_batches() {
    assert!(verify_and_to_x25519_batch(&[]).is_empty());
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let signer = RawSigner::new(&mut rng);
    for kind in KINDS {
        assert_same_verdicts(&[build(kind, &signer, &mut rng)]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn mixed_batches_match_one_by_one(
        seed in any::<u64>(),
        kinds in proptest::collection::vec(0..KINDS.len(), 0..40),
        honest_share in 0usize..4,
    ) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let signers: Vec<RawSigner> = (0..3).map(|_| RawSigner::new(&mut rng)).collect();
        let items: Vec<_> = kinds
            .iter()
            .enumerate()
            .map(|(i, &k)| {
                // Mostly honest items, as in a real poll.
                let kind = if k % 4 < honest_share { Kind::Valid } else { KINDS[k] };
                build(kind, &signers[i % 3], &mut rng)
            })
            .collect();
        assert_same_verdicts(&items);
    }
}
