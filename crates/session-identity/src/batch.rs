//! Verifying many Ed25519 signatures at once, with exactly the verdicts of one-by-one
//! verification.
//!
//! Reading a poll means checking hundreds of signatures, most of them from the same few
//! senders. [`verify_and_to_x25519_batch`] gives, for every item, the result that
//! [`Ed25519PublicKey::verify_and_to_x25519`] gives for it alone — the same `Ok` key, the same
//! error — but does the work once per batch where it can:
//!
//! - each distinct sender key is decoded, checked for torsion and converted to X25519 once;
//! - the signature equations of all well-formed items are checked together as one random linear
//!   combination `Σ zᵢ·(Rᵢ + hᵢ·Aᵢ − Sᵢ·B) = 0` (a single multiscalar multiplication, where the
//!   `Aᵢ` terms of one sender collapse into one), with 128-bit weights `zᵢ` derived by SHA-512
//!   from everything in the batch;
//! - when that combination fails, every candidate is verified alone, so a forged item costs the
//!   batch its speed but never its verdicts.
//!
//! A plain random-weighted batch accepts more than one-by-one verification does: a signer can
//! add a small-order component to `R`, which one-by-one verification refuses (the recomputed
//! `R` lies in the prime-order subgroup) but the combination misses whenever its weight is a
//! multiple of that component's order, and components of several items can cancel. So each
//! `R` here is also checked to be torsion-free before it joins the combination, and anything
//! unusual (a non-canonical or undecodable `R`, a key outside the prime-order subgroup) is left
//! to one-by-one verification. What remains is the negligible chance (below 2⁻¹²⁰ per batch)
//! that the weights cancel a real forgery.
//!
//! ```
//! use session_identity::batch::{verify_and_to_x25519_batch, SignedMessage};
//! use session_identity::{Identity, SignatureError};
//! let mut rng = rand::rng();
//! let alice = Identity::generate(&mut rng);
//! let alice_key = alice.ed25519_public_key();
//! let good = alice.sign(b"hello");
//! let items = [
//!     SignedMessage { key: &alice_key, message: b"hello", signature: &good },
//!     SignedMessage { key: &alice_key, message: b"tampered", signature: &good },
//! ];
//! let verdicts = verify_and_to_x25519_batch(&items);
//! assert_eq!(verdicts[0], Ok(alice.x25519_public_key()));
//! assert_eq!(verdicts[1], Err(SignatureError::Mismatch));
//! ```

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use sha2::{Digest, Sha512};

use crate::point::{has_small_order_encoding, is_canonical_encoding, is_torsion_free_vartime};
use crate::{Ed25519PublicKey, Signature, SignatureError, X25519PublicKey};

/// One item of a batch: a signature over a message by a key.
#[derive(Debug, Clone, Copy)]
pub struct SignedMessage<'a> {
    /// The signer's Ed25519 public key.
    pub key: &'a Ed25519PublicKey,
    /// The signed bytes.
    pub message: &'a [u8],
    /// The signature, `R ‖ S`.
    pub signature: &'a Signature,
}

/// Below this many candidates the combination is not worth its set-up: items are verified alone.
const MIN_BATCH: usize = 2;

/// Domain separation of the weights' derivation.
const WEIGHT_DOMAIN: &[u8] = b"sessionkit ed25519 batch weights v1";

/// A key that passed every check one-by-one verification would make of it.
struct UsableKey {
    point: EdwardsPoint,
    x25519: X25519PublicKey,
    /// The key's coefficient in the combination: `Σ zᵢ·hᵢ` over its items.
    coefficient: Scalar,
}

/// An item whose equation joins the combination.
struct Candidate {
    index: usize,
    key: usize,
    r: EdwardsPoint,
    s: Scalar,
    h: Scalar,
}

/// Decodes a key as one-by-one verification would accept it and as
/// [`Ed25519PublicKey::verify_and_to_x25519`] would convert it; `None` sends its items to
/// one-by-one verification (which then reports the exact error).
fn usable_key(key: &Ed25519PublicKey) -> Option<UsableKey> {
    let bytes = key.as_bytes();
    if !is_canonical_encoding(bytes) || has_small_order_encoding(bytes) {
        return None;
    }
    let point = CompressedEdwardsY(*bytes).decompress()?;
    if !is_torsion_free_vartime(&point) {
        return None;
    }
    Some(UsableKey {
        point,
        x25519: X25519PublicKey::from_bytes(point.to_montgomery().to_bytes()),
        coefficient: Scalar::ZERO,
    })
}

/// The nonce point of a signature if it can join the combination: canonical, not of small
/// order, on the curve and torsion-free. (With a torsion-free key, one-by-one verification
/// refuses any other `R` with [`SignatureError::Mismatch`]; leaving it out keeps the verdict
/// exact.)
fn usable_nonce(r_bytes: &[u8; 32]) -> Option<EdwardsPoint> {
    if !is_canonical_encoding(r_bytes) || has_small_order_encoding(r_bytes) {
        return None;
    }
    let r = CompressedEdwardsY(*r_bytes).decompress()?;
    is_torsion_free_vartime(&r).then_some(r)
}

/// Verifies every item and converts its key to X25519: element `i` of the result is exactly
/// what `items[i].key.verify_and_to_x25519(items[i].message, items[i].signature)` returns
/// (see the [module documentation](self) for how, and for the one negligible exception).
pub fn verify_and_to_x25519_batch(
    items: &[SignedMessage<'_>],
) -> Vec<Result<X25519PublicKey, SignatureError>> {
    let mut verdicts: Vec<Option<Result<X25519PublicKey, SignatureError>>> =
        alloc::vec![None; items.len()];
    let mut key_index: BTreeMap<[u8; 32], Option<usize>> = BTreeMap::new();
    let mut keys: Vec<UsableKey> = Vec::new();
    let mut candidates: Vec<Candidate> = Vec::with_capacity(items.len());

    for (index, item) in items.iter().enumerate() {
        let sig = item.signature.as_bytes();
        let mut r_bytes = [0u8; 32];
        r_bytes.copy_from_slice(&sig[..32]);
        let mut s_bytes = [0u8; 32];
        s_bytes.copy_from_slice(&sig[32..]);
        let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes)) else {
            verdicts[index] = Some(Err(SignatureError::NonCanonicalScalar));
            continue;
        };
        let key = *key_index.entry(*item.key.as_bytes()).or_insert_with(|| {
            usable_key(item.key).map(|key| {
                keys.push(key);
                keys.len() - 1
            })
        });
        // Anything unusual is decided alone, where the error is exact.
        let (Some(key), Some(r)) = (key, usable_nonce(&r_bytes)) else {
            continue;
        };
        let h = crate::keys::challenge(&r_bytes, item.key.as_bytes(), item.message);
        candidates.push(Candidate {
            index,
            key,
            r,
            s,
            h,
        });
    }

    if candidates.len() >= MIN_BATCH && combination_holds(&candidates, items, &mut keys) {
        for candidate in &candidates {
            verdicts[candidate.index] = Some(Ok(keys[candidate.key].x25519));
        }
    }

    verdicts
        .into_iter()
        .zip(items)
        .map(|(verdict, item)| {
            verdict.unwrap_or_else(|| item.key.verify_and_to_x25519(item.message, item.signature))
        })
        .collect()
}

/// Whether `Σ zᵢ·Rᵢ + Σ_A (Σ zᵢ·hᵢ)·A − (Σ zᵢ·Sᵢ)·B` is the identity.
fn combination_holds(
    candidates: &[Candidate],
    items: &[SignedMessage<'_>],
    keys: &mut [UsableKey],
) -> bool {
    // The weights depend on every signature, key and message of the combination, so a signer
    // cannot choose its items after seeing them.
    let mut transcript = Sha512::new()
        .chain_update(WEIGHT_DOMAIN)
        .chain_update((candidates.len() as u64).to_le_bytes());
    for candidate in candidates {
        let item = &items[candidate.index];
        transcript.update(item.signature.as_bytes());
        transcript.update(item.key.as_bytes());
        transcript.update(candidate.h.as_bytes());
    }
    let seed = transcript.finalize();

    let mut weights = Vec::with_capacity(candidates.len());
    for (block, chunk) in candidates.chunks(4).enumerate() {
        let stream = Sha512::new()
            .chain_update(seed)
            .chain_update((block as u64).to_le_bytes())
            .finalize();
        for (lane, _) in chunk.iter().enumerate() {
            let mut z = [0u8; 16];
            z.copy_from_slice(&stream[16 * lane..16 * (lane + 1)]);
            weights.push(Scalar::from(u128::from_le_bytes(z)));
        }
    }

    for key in keys.iter_mut() {
        key.coefficient = Scalar::ZERO;
    }
    let mut base_coefficient = Scalar::ZERO;
    for (candidate, z) in candidates.iter().zip(&weights) {
        keys[candidate.key].coefficient += z * candidate.h;
        base_coefficient -= z * candidate.s;
    }

    let scalars = core::iter::once(base_coefficient)
        .chain(weights.iter().copied())
        .chain(keys.iter().map(|key| key.coefficient));
    let points = core::iter::once(ED25519_BASEPOINT_POINT)
        .chain(candidates.iter().map(|candidate| candidate.r))
        .chain(keys.iter().map(|key| key.point));
    EdwardsPoint::vartime_multiscalar_mul(scalars, points).is_identity()
}
