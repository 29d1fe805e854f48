//! Seeds, the Ed25519 key pair and its X25519 twin, signatures.

use core::fmt;

use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsBasepointTable, EdwardsPoint};
use curve25519_dalek::montgomery::MontgomeryPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::BasepointTable;
use ed25519_dalek::Signer;
use rand_core::CryptoRng;
use sha2::{Digest, Sha512};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::point::{has_small_order_encoding, is_canonical_encoding, is_torsion_free_vartime};
use crate::{PointError, SessionId};

/// Which kind of seed an account was created from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeedKind {
    /// 16 random bytes, zero-padded to 32 for key derivation. What Session clients create; its
    /// recovery phrase has 13 words.
    Legacy16,
    /// A full 32-byte Ed25519 seed; its recovery phrase has 25 words.
    Full32,
}

/// Why bytes are not a seed or a secret key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// A seed is 16 or 32 bytes, a libsodium secret key 64.
    #[error(
        "secret is {found} bytes; expected 16 (legacy seed), 32 (seed) or 64 (seed and public key)"
    )]
    SecretLength {
        /// The length given.
        found: usize,
    },
    /// The public half of a 64-byte secret key is not the public key of its seed.
    #[error("the 64-byte secret key's public half does not match its seed")]
    InconsistentSecretKey,
    /// A Diffie-Hellman exchange produced the all-zero secret (the peer key has small order).
    #[error("X25519 exchange gave the all-zero shared secret")]
    WeakSharedSecret,
}

/// The secret an account is derived from. Zeroized on drop; `Debug` shows only its kind.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Seed {
    bytes: [u8; 32],
    #[zeroize(skip)]
    kind: SeedKind,
}

impl Seed {
    /// A fresh 16-byte seed, as Session clients create for a new account.
    pub fn generate_legacy(rng: &mut impl CryptoRng) -> Self {
        let mut entropy = Zeroizing::new([0u8; 16]);
        rng.fill_bytes(entropy.as_mut());
        Self::from_legacy_bytes(*entropy)
    }

    /// A fresh full 32-byte seed.
    pub fn generate_full(rng: &mut impl CryptoRng) -> Self {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(bytes.as_mut());
        Self::from_full_bytes(*bytes)
    }

    /// A fresh 16-byte seed from the operating system's random source.
    #[cfg(feature = "getrandom")]
    pub fn generate_legacy_with_os_rng() -> Self {
        Self::generate_legacy(&mut crate::OsRng)
    }

    /// A 16-byte legacy seed (zero-padded to 32 bytes on use).
    pub fn from_legacy_bytes(mut entropy: [u8; 16]) -> Self {
        let mut bytes = [0u8; 32];
        bytes[..16].copy_from_slice(&entropy);
        entropy.zeroize();
        Self {
            bytes,
            kind: SeedKind::Legacy16,
        }
    }

    /// A full 32-byte Ed25519 seed.
    pub fn from_full_bytes(bytes: [u8; 32]) -> Self {
        Self {
            bytes,
            kind: SeedKind::Full32,
        }
    }

    /// A seed of 16 (legacy) or 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, KeyError> {
        match bytes.len() {
            16 => {
                let mut b = [0u8; 16];
                b.copy_from_slice(bytes);
                Ok(Self::from_legacy_bytes(b))
            }
            32 => {
                let mut b = [0u8; 32];
                b.copy_from_slice(bytes);
                Ok(Self::from_full_bytes(b))
            }
            found => Err(KeyError::SecretLength { found }),
        }
    }

    /// Whether this is a 16-byte legacy seed or a full 32-byte one.
    pub fn kind(&self) -> SeedKind {
        self.kind
    }

    /// The 32 bytes Ed25519 keys are derived from (a legacy seed padded with zeros).
    /// Secret: handle with care.
    pub fn expose_ed25519_seed(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// The seed's own bytes: 16 for a legacy seed, 32 otherwise. This is what a recovery phrase
    /// encodes. Secret: handle with care.
    pub fn expose_entropy(&self) -> &[u8] {
        match self.kind {
            SeedKind::Legacy16 => &self.bytes[..16],
            SeedKind::Full32 => &self.bytes,
        }
    }

    /// The seed's own bytes as the little-endian 32-bit values a recovery phrase encodes: 4
    /// for a legacy seed, 8 otherwise. Secret: handle with care.
    pub(crate) fn entropy_values(&self) -> impl Iterator<Item = u32> + '_ {
        let count = match self.kind {
            SeedKind::Legacy16 => 4,
            SeedKind::Full32 => 8,
        };
        // 32 bytes are exactly 8 values: nothing is left over.
        let (values, _) = self.bytes.as_chunks::<4>();
        values
            .iter()
            .take(count)
            .map(|&chunk| u32::from_le_bytes(chunk))
    }
}

impl fmt::Debug for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Seed")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl ConstantTimeEq for Seed {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.bytes.ct_eq(&other.bytes) & ((self.kind as u8).ct_eq(&(other.kind as u8)))
    }
}

impl PartialEq for Seed {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}
impl Eq for Seed {}

/// Why text is not the hex form of a fixed-length value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HexError {
    /// The text does not have exactly two hex digits per byte.
    #[error("expected {expected} hex digits, found {found} characters")]
    WrongLength {
        /// Digits required.
        expected: usize,
        /// Length of the text in bytes.
        found: usize,
    },
    /// A character that is not a hex digit.
    #[error("character {character:?} at position {position} is not a hex digit")]
    NonHex {
        /// Byte offset of the character.
        position: usize,
        /// The offending character.
        character: char,
    },
}

/// Decodes exactly `N` bytes of hex, naming the first offending character.
pub(crate) fn decode_hex_array<const N: usize>(text: &str) -> Result<[u8; N], HexError> {
    if text.len() != 2 * N {
        return Err(HexError::WrongLength {
            expected: 2 * N,
            found: text.len(),
        });
    }
    if let Some((position, character)) = text.char_indices().find(|(_, c)| !c.is_ascii_hexdigit()) {
        return Err(HexError::NonHex {
            position,
            character,
        });
    }
    let mut out = [0u8; N];
    hex::decode_to_slice(text, &mut out).map_err(|_| HexError::WrongLength {
        expected: 2 * N,
        found: text.len(),
    })?;
    Ok(out)
}

macro_rules! public_bytes_type {
    ($(#[$doc:meta])* $name:ident, $len:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name([u8; $len]);

        impl $name {
            /// Length in bytes.
            pub const LEN: usize = $len;

            /// Wraps raw bytes (no validation: checks happen where the value is used).
            pub const fn from_bytes(bytes: [u8; $len]) -> Self {
                Self(bytes)
            }

            /// Wraps a slice of exactly the right length.
            pub fn from_slice(bytes: &[u8]) -> Option<Self> {
                <[u8; $len]>::try_from(bytes).ok().map(Self)
            }

            /// The raw bytes.
            pub const fn as_bytes(&self) -> &[u8; $len] {
                &self.0
            }

            /// The raw bytes, by value.
            pub const fn to_bytes(self) -> [u8; $len] {
                self.0
            }

            /// Lower-case hex.
            pub fn to_hex(&self) -> alloc::string::String {
                hex::encode(self.0)
            }

            /// Parses hex digits (either case) of exactly the right length.
            pub fn from_hex(text: &str) -> Result<Self, HexError> {
                decode_hex_array(text).map(Self)
            }
        }

        impl core::str::FromStr for $name {
            type Err = HexError;
            fn from_str(text: &str) -> Result<Self, HexError> {
                Self::from_hex(text)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                for b in &self.0 {
                    write!(f, "{b:02x}")?;
                }
                Ok(())
            }
        }

        impl AsRef<[u8]> for $name {
            fn as_ref(&self) -> &[u8] {
                &self.0
            }
        }

        impl From<[u8; $len]> for $name {
            fn from(bytes: [u8; $len]) -> Self {
                Self(bytes)
            }
        }

        #[cfg(feature = "serde")]
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.to_hex())
            }
        }

        #[cfg(feature = "serde")]
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <alloc::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                let mut bytes = [0u8; $len];
                hex::decode_to_slice(text.as_bytes(), &mut bytes)
                    .map_err(serde::de::Error::custom)?;
                Ok(Self(bytes))
            }
        }
    };
}

public_bytes_type!(
    /// An Ed25519 public key (32 bytes, compressed Edwards point).
    Ed25519PublicKey,
    32
);
public_bytes_type!(
    /// An X25519 public key (32 bytes, Montgomery u-coordinate).
    X25519PublicKey,
    32
);
public_bytes_type!(
    /// An Ed25519 signature, `R ‖ S` (64 bytes).
    Signature,
    64
);

/// Why a signature was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The public key is not canonical or has small order.
    #[error("unusable public key: {0}")]
    PublicKey(PointError),
    /// `S` is not reduced modulo the group order (a malleated signature).
    #[error("signature scalar is not canonical")]
    NonCanonicalScalar,
    /// `R` has small order.
    #[error("signature nonce point has small order")]
    SmallOrderNonce,
    /// The equation does not hold: wrong key, wrong message or a forged signature.
    #[error("signature does not match the key and message")]
    Mismatch,
}

impl Ed25519PublicKey {
    /// Verifies an Ed25519 signature with libsodium's `crypto_sign_verify_detached` rules: `S`
    /// canonical, neither `R` nor the key of small order, the key canonical, and
    /// `[S]B - [H(R ‖ A ‖ M)]A` encoding to exactly `R`.
    pub fn verify(&self, message: &[u8], signature: &Signature) -> Result<(), SignatureError> {
        self.verify_returning_point(message, signature).map(|_| ())
    }

    fn verify_returning_point(
        &self,
        message: &[u8],
        signature: &Signature,
    ) -> Result<EdwardsPoint, SignatureError> {
        let sig = signature.as_bytes();
        let mut r_bytes = [0u8; 32];
        r_bytes.copy_from_slice(&sig[..32]);
        let mut s_bytes = [0u8; 32];
        s_bytes.copy_from_slice(&sig[32..]);
        let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes))
            .ok_or(SignatureError::NonCanonicalScalar)?;
        if has_small_order_encoding(&r_bytes) {
            return Err(SignatureError::SmallOrderNonce);
        }
        if !is_canonical_encoding(&self.0) {
            return Err(SignatureError::PublicKey(PointError::NonCanonical));
        }
        if has_small_order_encoding(&self.0) {
            return Err(SignatureError::PublicKey(PointError::SmallOrder));
        }
        let a = CompressedEdwardsY(self.0)
            .decompress()
            .ok_or(SignatureError::PublicKey(PointError::NotOnCurve))?;
        let h = challenge(&r_bytes, &self.0, message);
        let r_check = EdwardsPoint::vartime_double_scalar_mul_basepoint(&h, &(-a), &s);
        if r_check.compress().to_bytes() == r_bytes {
            Ok(a)
        } else {
            Err(SignatureError::Mismatch)
        }
    }

    /// Verifies `signature` (as [`Self::verify`]) and converts the key to X25519 (as
    /// [`Self::to_x25519`]) with one point decompression: what a recipient does with a sender's
    /// key.
    pub fn verify_and_to_x25519(
        &self,
        message: &[u8],
        signature: &Signature,
    ) -> Result<X25519PublicKey, SignatureError> {
        let a = self.verify_returning_point(message, signature)?;
        if !is_torsion_free_vartime(&a) {
            return Err(SignatureError::PublicKey(
                PointError::NotInPrimeOrderSubgroup,
            ));
        }
        Ok(X25519PublicKey(a.to_montgomery().to_bytes()))
    }

    /// The X25519 twin of this key, as libsodium's `crypto_sign_ed25519_pk_to_curve25519`
    /// computes it (u = (1 + y) / (1 - y)), refusing what libsodium refuses: a point of small
    /// order, off the curve or outside the prime-order subgroup.
    pub fn to_x25519(&self) -> Result<X25519PublicKey, PointError> {
        if has_small_order_encoding(&self.0) {
            return Err(PointError::SmallOrder);
        }
        let point = CompressedEdwardsY(self.0)
            .decompress()
            .ok_or(PointError::NotOnCurve)?;
        if !is_torsion_free_vartime(&point) {
            return Err(PointError::NotInPrimeOrderSubgroup);
        }
        Ok(X25519PublicKey(point.to_montgomery().to_bytes()))
    }
}

/// An X25519 secret key (clamped scalar bytes, as libsodium's
/// `crypto_sign_ed25519_sk_to_curve25519` gives them). Zeroized on drop; `Debug` prints nothing
/// of it.
///
/// A key built while the `native` [backend](crate::backend) is active also holds aws-lc's form
/// of it (with its public key computed once), which its exchanges use.
#[derive(Clone)]
pub struct X25519SecretKey {
    bytes: [u8; 32],
    /// aws-lc's copy of the key; aws-lc cleanses it when the last clone drops.
    #[cfg(feature = "native")]
    native: Option<alloc::sync::Arc<aws_lc_rs::agreement::PrivateKey>>,
}

impl X25519SecretKey {
    /// Wraps 32 secret bytes (clamped on use, as X25519 specifies).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self {
            bytes,
            #[cfg(feature = "native")]
            native: crate::backend::native_active()
                .then(|| native_x25519::private_key(&bytes))
                .flatten(),
        }
    }

    /// A fresh random key.
    pub fn generate(rng: &mut impl CryptoRng) -> Self {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(&mut *bytes);
        Self::from_bytes(*bytes)
    }

    /// Its public key, `X25519(sk, 9)`.
    pub fn public_key(&self) -> X25519PublicKey {
        #[cfg(feature = "native")]
        if let Some(public) = self.native.as_deref().and_then(native_x25519::public_key) {
            return X25519PublicKey(public);
        }
        X25519PublicKey(MontgomeryPoint::mul_base_clamped(self.bytes).to_bytes())
    }

    /// The X25519 shared secret with `peer`, refusing the all-zero result as libsodium's
    /// `crypto_scalarmult` does.
    pub fn diffie_hellman(&self, peer: &X25519PublicKey) -> Result<SharedSecret, KeyError> {
        #[cfg(feature = "native")]
        if let Some(key) = &self.native {
            return native_x25519::agree(key, &peer.0)
                .map(SharedSecret)
                .ok_or(KeyError::WeakSharedSecret);
        }
        let shared = x25519(&self.bytes, &peer.0);
        if bool::from(shared.ct_eq(&[0u8; 32])) {
            return Err(KeyError::WeakSharedSecret);
        }
        Ok(SharedSecret(shared))
    }

    /// The secret bytes. Secret: handle with care.
    pub fn expose_secret_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }
}

impl Zeroize for X25519SecretKey {
    fn zeroize(&mut self) {
        self.bytes.zeroize();
        #[cfg(feature = "native")]
        {
            self.native = None;
        }
    }
}

impl Drop for X25519SecretKey {
    fn drop(&mut self) {
        self.zeroize();
    }
}

impl ZeroizeOnDrop for X25519SecretKey {}

/// An Ed25519 signature's challenge `H(R ‖ A ‖ M)` reduced modulo ℓ. SHA-512 is aws-lc's
/// under the `native` [backend](crate::backend) (about 1.4× RustCrypto's on long messages), a
/// keys message or a long 1:1 message being mostly hashing.
pub(crate) fn challenge(r: &[u8; 32], key: &[u8; 32], message: &[u8]) -> Scalar {
    #[cfg(feature = "native")]
    if crate::backend::native_active() {
        let mut context = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA512);
        context.update(r);
        context.update(key);
        context.update(message);
        let digest = context.finish();
        if let Ok(wide) = <[u8; 64]>::try_from(digest.as_ref()) {
            return Scalar::from_bytes_mod_order_wide(&wide);
        }
    }
    Scalar::from_hash(
        Sha512::new()
            .chain_update(r)
            .chain_update(key)
            .chain_update(message),
    )
}

/// X25519 on aws-lc-rs, with libsodium's semantics (checked by the differential tests): the
/// scalar clamped, the high bit of `u` ignored, a non-canonical `u` reduced, the all-zero
/// result refused.
#[cfg(feature = "native")]
mod native_x25519 {
    use aws_lc_rs::agreement::{self, PrivateKey, UnparsedPublicKey, X25519};

    /// aws-lc's key for `bytes` (which computes its public key once). Any 32 bytes are a key.
    pub(super) fn private_key(bytes: &[u8; 32]) -> Option<alloc::sync::Arc<PrivateKey>> {
        PrivateKey::from_private_key(&X25519, bytes)
            .ok()
            .map(alloc::sync::Arc::new)
    }

    pub(super) fn public_key(key: &PrivateKey) -> Option<[u8; 32]> {
        let public = key.compute_public_key().ok()?;
        public.as_ref().try_into().ok()
    }

    /// The shared secret, or `None` when it is all zero (aws-lc refuses it, as libsodium does).
    pub(super) fn agree(key: &PrivateKey, peer: &[u8; 32]) -> Option<[u8; 32]> {
        agreement::agree(key, UnparsedPublicKey::new(&X25519, peer), (), |shared| {
            shared.try_into().map_err(|_| ())
        })
        .ok()
    }
}

/// X25519 (RFC 7748) of a secret and a public u-coordinate, bit-identical to the Montgomery
/// ladder.
///
/// When `u` is on the curve (every honest public key), the product is computed on the Edwards
/// form instead, where curve25519-dalek has a vectorised constant-time multiplication: about a
/// third faster than its ladder. A clamped scalar is `8·k'` with `k' < 2^252 < ℓ`, so
/// `[k]P = [k'](8P)` with `k'` a canonical scalar, torsion included. Keys on the twist take the
/// ladder. Only the public `u` decides the branch.
fn x25519(secret: &[u8; 32], u: &[u8; 32]) -> [u8; 32] {
    let peer = MontgomeryPoint(*u);
    match peer.to_edwards(0) {
        Some(point) => {
            let scalar = clamped_scalar_over_eight(secret);
            (point.mul_by_cofactor() * *scalar)
                .to_montgomery()
                .to_bytes()
        }
        None => peer.mul_clamped(*secret).to_bytes(),
    }
}

/// `k'` with `clamp(secret) = 8·k'`: the clamped scalar shifted right by three bits. Always
/// below 2^252, hence a canonical scalar.
fn clamped_scalar_over_eight(secret: &[u8; 32]) -> Zeroizing<Scalar> {
    let clamped = Zeroizing::new(curve25519_dalek::scalar::clamp_integer(*secret));
    let mut k_over_8 = Zeroizing::new([0u8; 32]);
    for i in 0..32 {
        let high = if i + 1 < 32 { clamped[i + 1] << 5 } else { 0 };
        k_over_8[i] = (clamped[i] >> 3) | high;
    }
    // k' < 2^252 < ℓ: the reduction leaves it unchanged.
    Zeroizing::new(Scalar::from_bytes_mod_order(*k_over_8))
}

/// An X25519 public key with a table of multiples of its point, for a key that takes part in
/// many exchanges (a service node on a path a client keeps using, a server it keeps calling).
///
/// An exchange through the table ([`X25519SecretKey::diffie_hellman_precomputed`]) is a
/// fixed-base multiplication, about 2.5 times faster than a plain
/// [`X25519SecretKey::diffie_hellman`], with the same result and still constant-time in the
/// secret. Building the table costs about as much as 25 plain exchanges, and it holds 30 KiB,
/// so it pays off for a key used a few dozen times or more. A key that is not on the curve (a
/// point on the twist, which no honest party publishes) gets no table; its exchanges take the
/// ladder.
#[derive(Clone)]
pub struct PrecomputedX25519PublicKey {
    key: X25519PublicKey,
    /// Multiples of `8·P`, where `P` is the Edwards point with u-coordinate `key`.
    table: Option<alloc::boxed::Box<EdwardsBasepointTable>>,
}

impl PrecomputedX25519PublicKey {
    /// Builds the table for `key`.
    pub fn new(key: &X25519PublicKey) -> Self {
        let table = MontgomeryPoint(key.0).to_edwards(0).map(|point| {
            alloc::boxed::Box::new(EdwardsBasepointTable::create(&point.mul_by_cofactor()))
        });
        Self { key: *key, table }
    }

    /// The public key.
    pub fn public_key(&self) -> &X25519PublicKey {
        &self.key
    }
}

impl fmt::Debug for PrecomputedX25519PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrecomputedX25519PublicKey")
            .field("key", &self.key)
            .field("on_curve", &self.table.is_some())
            .finish()
    }
}

impl X25519SecretKey {
    /// As [`X25519SecretKey::diffie_hellman`] with a key whose table was built beforehand:
    /// the same shared secret, faster.
    pub fn diffie_hellman_precomputed(
        &self,
        peer: &PrecomputedX25519PublicKey,
    ) -> Result<SharedSecret, KeyError> {
        let shared = match &peer.table {
            Some(table) => {
                let scalar = clamped_scalar_over_eight(&self.bytes);
                (&**table * &*scalar).to_montgomery().to_bytes()
            }
            None => return self.diffie_hellman(&peer.key),
        };
        if bool::from(shared.ct_eq(&[0u8; 32])) {
            return Err(KeyError::WeakSharedSecret);
        }
        Ok(SharedSecret(shared))
    }
}

impl fmt::Debug for X25519SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("X25519SecretKey(..)")
    }
}

/// A 32-byte X25519 shared secret. Zeroized on drop; `Debug` prints nothing of it.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct SharedSecret([u8; 32]);

impl SharedSecret {
    /// The secret bytes. Secret: handle with care.
    pub fn expose_secret_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedSecret(..)")
    }
}

/// A Session account's keys: the seed, the Ed25519 signing key pair and its X25519 twin.
///
/// Everything secret is zeroized on drop and `Debug` shows only the Session ID.
#[derive(Clone)]
pub struct Identity {
    seed: Seed,
    signing_key: ed25519_dalek::SigningKey,
    /// aws-lc's signing key, when the identity was built on the `native` backend.
    #[cfg(feature = "native")]
    native_signing_key: Option<alloc::sync::Arc<aws_lc_rs::signature::Ed25519KeyPair>>,
    x25519_secret: X25519SecretKey,
    ed25519_public: Ed25519PublicKey,
    x25519_public: X25519PublicKey,
}

impl Identity {
    /// Derives the keys of `seed`: `crypto_sign_seed_keypair` on the 32-byte seed, then the
    /// X25519 twin of both halves.
    pub fn from_seed(seed: Seed) -> Self {
        let signing_key = ed25519_dalek::SigningKey::from_bytes(seed.expose_ed25519_seed());
        let verifying = signing_key.verifying_key();
        let ed25519_public = Ed25519PublicKey(verifying.to_bytes());
        // Our own key is a multiple of the base point: no validation needed.
        let x25519_public = X25519PublicKey(verifying.to_montgomery().to_bytes());
        let mut hash: [u8; 64] = Sha512::digest(seed.expose_ed25519_seed()).into();
        let mut scalar = [0u8; 32];
        scalar.copy_from_slice(&hash[..32]);
        hash.zeroize();
        scalar[0] &= 248;
        scalar[31] &= 127;
        scalar[31] |= 64;
        let x25519_secret = X25519SecretKey::from_bytes(scalar);
        scalar.zeroize();
        #[cfg(feature = "native")]
        let native_signing_key = crate::backend::native_active()
            .then(|| {
                aws_lc_rs::signature::Ed25519KeyPair::from_seed_unchecked(
                    seed.expose_ed25519_seed(),
                )
                .ok()
            })
            .flatten()
            .map(alloc::sync::Arc::new);
        Self {
            seed,
            signing_key,
            #[cfg(feature = "native")]
            native_signing_key,
            x25519_secret,
            ed25519_public,
            x25519_public,
        }
    }

    /// A new account with a fresh 16-byte seed (13-word recovery phrase), as Session clients
    /// create one.
    pub fn generate(rng: &mut impl CryptoRng) -> Self {
        Self::from_seed(Seed::generate_legacy(rng))
    }

    /// A new account from the operating system's random source.
    #[cfg(feature = "getrandom")]
    pub fn generate_with_os_rng() -> Self {
        Self::generate(&mut crate::OsRng)
    }

    /// From libsodium's 64-byte secret key (`seed ‖ public key`); the public half must match.
    pub fn from_ed25519_secret_key(secret_key: &[u8; 64]) -> Result<Self, KeyError> {
        let mut seed = [0u8; 32];
        seed.copy_from_slice(&secret_key[..32]);
        let identity = Self::from_seed(Seed::from_full_bytes(seed));
        if identity.ed25519_public.0 != secret_key[32..] {
            return Err(KeyError::InconsistentSecretKey);
        }
        Ok(identity)
    }

    /// From a 16-byte legacy seed, a 32-byte seed or a 64-byte libsodium secret key.
    pub fn from_secret_bytes(secret: &[u8]) -> Result<Self, KeyError> {
        match secret.len() {
            16 | 32 => Seed::from_slice(secret).map(Self::from_seed),
            64 => {
                let mut sk = Zeroizing::new([0u8; 64]);
                sk.copy_from_slice(secret);
                Self::from_ed25519_secret_key(&sk)
            }
            found => Err(KeyError::SecretLength { found }),
        }
    }

    /// The seed.
    pub fn seed(&self) -> &Seed {
        &self.seed
    }

    /// The Session ID: `05` followed by the X25519 public key.
    pub fn session_id(&self) -> SessionId {
        SessionId::from_x25519(self.x25519_public)
    }

    /// The Ed25519 public key.
    pub fn ed25519_public_key(&self) -> Ed25519PublicKey {
        self.ed25519_public
    }

    /// The X25519 public key (the Session ID without its prefix).
    pub fn x25519_public_key(&self) -> X25519PublicKey {
        self.x25519_public
    }

    /// The X25519 secret key (clamped SHA-512 of the seed, as libsodium derives it).
    pub fn x25519_secret_key(&self) -> &X25519SecretKey {
        &self.x25519_secret
    }

    /// A plain Ed25519 (RFC 8032) signature of `message`.
    pub fn sign(&self, message: &[u8]) -> Signature {
        #[cfg(feature = "native")]
        if let Some(key) = &self.native_signing_key {
            let mut bytes = [0u8; 64];
            bytes.copy_from_slice(key.sign(message).as_ref());
            return Signature(bytes);
        }
        Signature(self.signing_key.sign(message).to_bytes())
    }

    /// libsodium's 64-byte Ed25519 secret key, `seed ‖ public key`. Secret: handle with care.
    pub fn expose_ed25519_secret_key(&self) -> Zeroizing<[u8; 64]> {
        Zeroizing::new(self.signing_key.to_keypair_bytes())
    }

    /// The private scalar `a` behind the Ed25519 public key (`A = aB`): the clamped X25519
    /// secret, reduced modulo the group order. Blinded-DM key agreement needs it.
    /// Secret: handle with care.
    pub fn expose_private_scalar(&self) -> Zeroizing<Scalar> {
        self.private_scalar()
    }

    /// The clamped scalar `a` behind the Ed25519 public key (`A = aB`), as a reduced scalar.
    pub(crate) fn private_scalar(&self) -> Zeroizing<Scalar> {
        Zeroizing::new(Scalar::from_bytes_mod_order(self.x25519_secret.bytes))
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("session_id", &self.session_id())
            .finish_non_exhaustive()
    }
}

impl ConstantTimeEq for Identity {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.seed.ct_eq(&other.seed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Edwards shortcut equals the ladder for keys on the curve, on the twist, of small order
    /// and with torsion components.
    #[test]
    fn x25519_matches_the_ladder() {
        let mut inputs: alloc::vec::Vec<[u8; 32]> = alloc::vec::Vec::new();
        let mut state = [7u8; 32];
        for i in 0..200u32 {
            let h = Sha512::digest([&state[..], &i.to_le_bytes()].concat());
            state.copy_from_slice(&h[..32]);
            let mut u = [0u8; 32];
            u.copy_from_slice(&h[32..]);
            inputs.push(u); // random: about half on the twist
            inputs.push(MontgomeryPoint::mul_base_clamped(state).to_bytes());
            // A prime-order point plus 8-torsion.
            let p = EdwardsPoint::mul_base(&Scalar::from_bytes_mod_order(state))
                + curve25519_dalek::constants::EIGHT_TORSION[(i % 8) as usize];
            inputs.push(p.to_montgomery().to_bytes());
        }
        for t in curve25519_dalek::constants::EIGHT_TORSION {
            inputs.push(t.to_montgomery().to_bytes());
        }
        let mut minus_one = [0xffu8; 32];
        minus_one[0] = 0xec;
        minus_one[31] = 0x7f;
        inputs.extend([[0u8; 32], [0xff; 32], minus_one]);
        for (n, u) in inputs.iter().enumerate() {
            let secret = Sha512::digest(u);
            let mut k = [0u8; 32];
            k.copy_from_slice(&secret[..32]);
            let ladder = MontgomeryPoint(*u).mul_clamped(k).to_bytes();
            assert_eq!(x25519(&k, u), ladder, "input {n}");
            let secret = X25519SecretKey::from_bytes(k);
            let table = PrecomputedX25519PublicKey::new(&X25519PublicKey(*u));
            match secret.diffie_hellman_precomputed(&table) {
                Ok(shared) => assert_eq!(shared.expose_secret_bytes(), &ladder, "input {n}"),
                Err(KeyError::WeakSharedSecret) => assert_eq!(ladder, [0; 32], "input {n}"),
                Err(e) => panic!("input {n}: {e}"),
            }
        }
    }
}

#[cfg(test)]
mod hex_tests {
    use super::*;

    #[test]
    fn public_keys_parse_from_hex() {
        let text = "4cb76fdc6d32278e3f83dbf608360ecc6b65727934b85d2fb86862ff98c46ab7";
        let key: Ed25519PublicKey = text.to_uppercase().parse().unwrap();
        assert_eq!(key.to_hex(), text);
        assert_eq!(
            X25519PublicKey::from_hex(&text[2..]),
            Err(HexError::WrongLength {
                expected: 64,
                found: 62
            })
        );
        let mut bad = String::from(text);
        bad.replace_range(5..6, "x");
        assert_eq!(
            Ed25519PublicKey::from_hex(&bad),
            Err(HexError::NonHex {
                position: 5,
                character: 'x'
            })
        );
        assert!(Signature::from_hex(&text.repeat(2)).is_ok());
    }
}

#[cfg(test)]
mod verify_convert_tests {
    use super::*;

    #[test]
    fn verify_and_convert_agrees_with_the_two_steps() {
        let id = Identity::from_seed(Seed::from_legacy_bytes([3; 16]));
        let sig = id.sign(b"m");
        let pk = id.ed25519_public_key();
        assert_eq!(
            pk.verify_and_to_x25519(b"m", &sig),
            Ok(id.x25519_public_key())
        );
        assert_eq!(
            pk.verify_and_to_x25519(b"n", &sig),
            Err(SignatureError::Mismatch)
        );
        // A key with a torsion component whose signature still verifies is refused, as
        // libsodium's conversion refuses it.
        let torsion = curve25519_dalek::constants::EIGHT_TORSION[4]; // order 2
        let a = Scalar::from_bytes_mod_order([5; 32]);
        let bad = EdwardsPoint::mul_base(&a) + torsion;
        let bad_pk = Ed25519PublicKey(bad.compress().to_bytes());
        // Grind a message whose challenge is even, so the order-2 part vanishes.
        let r = Scalar::from_bytes_mod_order([9; 32]);
        let big_r = EdwardsPoint::mul_base(&r).compress().to_bytes();
        for i in 0u32..64 {
            let msg = i.to_le_bytes();
            let h = Scalar::from_hash(
                Sha512::new()
                    .chain_update(big_r)
                    .chain_update(bad_pk.0)
                    .chain_update(msg),
            );
            if h.to_bytes()[0] & 1 == 0 {
                let s = r + h * a;
                let mut sig = [0u8; 64];
                sig[..32].copy_from_slice(&big_r);
                sig[32..].copy_from_slice(s.as_bytes());
                let sig = Signature(sig);
                assert_eq!(bad_pk.verify(&msg, &sig), Ok(()));
                assert_eq!(
                    bad_pk.verify_and_to_x25519(&msg, &sig),
                    Err(SignatureError::PublicKey(
                        PointError::NotInPrimeOrderSubgroup
                    ))
                );
                return;
            }
        }
        panic!("no even challenge in 64 tries");
    }
}

#[cfg(test)]
mod verify_backend_tests {
    use super::*;
    use crate::backend::{self, Backend};

    /// A key, a message, a signature and the verdict libsodium's rules give.
    type Case<'a> = (
        Ed25519PublicKey,
        &'a [u8],
        Signature,
        Result<(), SignatureError>,
    );

    /// Every verdict, and the error that explains a refusal, is the same on each backend,
    /// including signatures the bare equation accepts and libsodium's rules refuse.
    #[test]
    fn verdicts_and_errors_are_the_same_on_every_backend() {
        let id = Identity::from_seed(Seed::from_legacy_bytes([7; 16]));
        let pk = id.ed25519_public_key();
        let message = [0x5au8; 300];
        let good = id.sign(&message);
        let small_order = curve25519_dalek::constants::EIGHT_TORSION[1]
            .compress()
            .to_bytes();
        let mut non_canonical = [0xffu8; 32];
        non_canonical[0] = 0xee;
        non_canonical[31] = 0x7f;
        let with = |r: Option<[u8; 32]>, s_plus_order: bool| {
            let mut sig = *good.as_bytes();
            if let Some(r) = r {
                sig[..32].copy_from_slice(&r);
            }
            if s_plus_order {
                // S + ℓ: the same scalar, not reduced (ℓ little-endian).
                let l: [u8; 32] = [
                    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde,
                    0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
                ];
                let mut carry = 0u16;
                for j in 0..32 {
                    let sum = u16::from(sig[32 + j]) + u16::from(l[j]) + carry;
                    sig[32 + j] = sum as u8;
                    carry = sum >> 8;
                }
            }
            Signature(sig)
        };
        let cases: [Case<'_>; 6] = [
            (pk, &message, good, Ok(())),
            (pk, b"other", good, Err(SignatureError::Mismatch)),
            (
                pk,
                &message,
                with(None, true),
                Err(SignatureError::NonCanonicalScalar),
            ),
            (
                pk,
                &message,
                with(Some(small_order), false),
                Err(SignatureError::SmallOrderNonce),
            ),
            (
                Ed25519PublicKey(small_order),
                &message,
                good,
                Err(SignatureError::PublicKey(PointError::SmallOrder)),
            ),
            (
                Ed25519PublicKey(non_canonical),
                &message,
                good,
                Err(SignatureError::PublicKey(PointError::NonCanonical)),
            ),
        ];
        // Signatures the bare equation accepts and libsodium's rules refuse. The key's owner
        // can make R the identity: S = H(R ‖ A ‖ M)·a.
        let hash = |r: &[u8; 32], key: &[u8; 32], m: &[u8]| {
            Scalar::from_hash(
                Sha512::new()
                    .chain_update(r)
                    .chain_update(key)
                    .chain_update(m),
            )
        };
        let expanded = Sha512::digest(&id.expose_ed25519_secret_key()[..32]);
        let a = Scalar::from_bytes_mod_order(curve25519_dalek::scalar::clamp_integer(
            expanded[..32].try_into().unwrap(),
        ));
        let identity_r = EdwardsPoint::default().compress().to_bytes();
        let mut forged = [0u8; 64];
        forged[..32].copy_from_slice(&identity_r);
        forged[32..].copy_from_slice((hash(&identity_r, &pk.0, &message) * a).as_bytes());
        // A key of order 8 (no secret at all): R = [S]B, and a message whose challenge is a
        // multiple of 8, so that [k]A vanishes.
        let torsion_key = curve25519_dalek::constants::EIGHT_TORSION[1]
            .compress()
            .to_bytes();
        let s = Scalar::from_bytes_mod_order([11; 32]);
        let r = EdwardsPoint::mul_base(&s).compress().to_bytes();
        let torsion_message = (0u32..256)
            .map(u32::to_le_bytes)
            .find(|m| hash(&r, &torsion_key, m).as_bytes()[0] % 8 == 0)
            .expect("a challenge divisible by 8 in 256 tries");
        let mut keyless = [0u8; 64];
        keyless[..32].copy_from_slice(&r);
        keyless[32..].copy_from_slice(s.as_bytes());
        let mut cases = cases.to_vec();
        cases.push((
            pk,
            &message,
            Signature(forged),
            Err(SignatureError::SmallOrderNonce),
        ));
        cases.push((
            Ed25519PublicKey(torsion_key),
            &torsion_message,
            Signature(keyless),
            Err(SignatureError::PublicKey(PointError::SmallOrder)),
        ));
        // Both are accepted by the equation alone (what aws-lc's own verification checks).
        for (key, m, sig) in [
            (pk.0, &message[..], forged),
            (torsion_key, &torsion_message[..], keyless),
        ] {
            let a = CompressedEdwardsY(key).decompress().unwrap();
            let s = Scalar::from_canonical_bytes(sig[32..].try_into().unwrap()).unwrap();
            let k = hash(&sig[..32].try_into().unwrap(), &key, m);
            let check = EdwardsPoint::vartime_double_scalar_mul_basepoint(&k, &(-a), &s);
            assert_eq!(check.compress().to_bytes(), sig[..32]);
        }
        for &each in Backend::ALL {
            backend::set_active(each);
            for (n, (key, message, sig, expected)) in cases.iter().enumerate() {
                assert_eq!(key.verify(message, sig), *expected, "{each:?} case {n}");
                assert_eq!(
                    key.verify_and_to_x25519(message, sig).map(|_| ()),
                    *expected,
                    "{each:?} case {n}"
                );
            }
        }
        backend::set_active(Backend::DEFAULT);
    }
}
