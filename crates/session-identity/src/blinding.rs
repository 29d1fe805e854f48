//! Community (SOGS) blinding: per-server key pairs that a server cannot link to a Session ID
//! or to each other, and the version-check key.
//!
//! * **15-blinding**: `k = reduce(BLAKE2b-64(server_pk))`; the blinded key pair is `(k·a, [k·a]B)`.
//!   From a Session ID alone the sign of the Ed25519 key is unknown, so two IDs are candidates.
//! * **25-blinding**: `k = reduce(BLAKE2b-64(05 ‖ X ‖ server_pk))`, negated when the Ed25519 key
//!   is negative, so the blinded key `k·|A|` is computable from the Session ID exactly.
//!
//! Signatures are plain Ed25519 signatures under the blinded key, with nonces derived exactly as
//! libsession derives them, so they are byte-identical to the reference.
//!
//! ```
//! use session_identity::{blinding, Ed25519PublicKey, Identity, Seed};
//!
//! let alice = Identity::from_seed(Seed::from_legacy_bytes([7; 16]));
//! let server = Ed25519PublicKey::from_bytes([0xab; 32]);
//! let blinded = alice.blind25_key_pair(&server);
//! let signature = blinded.sign(b"POST /room/x");
//! blinding::verify_blinded_signature(&blinded.blinded_id(), b"POST /room/x", &signature)?;
//! assert!(blinding::session_id_matches_blinded_id(&alice.session_id(), &blinded.blinded_id(), &server)?);
//! # Ok::<(), blinding::BlindingError>(())
//! ```

use core::fmt;
use core::str::FromStr;

use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::scalar::Scalar;
use sha2::{Digest, Sha512};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::hash::{blake2b_keyed_parts, blake2b_parts};
use crate::keys::SignatureError;
use crate::point::{decode_prime_order_point, mul_public};
use crate::{xed25519, Ed25519PublicKey, Identity, PointError, Prefix, SessionId, Signature};

const BLIND25_SEED_KEY: &[u8; 20] = b"SessCommBlind25_seed";
const BLIND25_SIG_KEY: &[u8; 19] = b"SessCommBlind25_sig";
const VERSION_CHECK_KEY: &[u8; 19] = b"VersionCheckKey_sig";

/// The two community blinding schemes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlindingKind {
    /// `15` IDs.
    Blind15,
    /// `25` IDs.
    Blind25,
}

impl BlindingKind {
    /// The Session ID prefix of this kind's IDs.
    pub const fn prefix(self) -> Prefix {
        match self {
            Self::Blind15 => Prefix::Blinded15,
            Self::Blind25 => Prefix::Blinded25,
        }
    }

    /// The kind whose IDs carry `prefix`.
    pub const fn from_prefix(prefix: Prefix) -> Option<Self> {
        match prefix {
            Prefix::Blinded15 => Some(Self::Blind15),
            Prefix::Blinded25 => Some(Self::Blind25),
            _ => None,
        }
    }
}

/// Why a blinding operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BlindingError {
    /// Blinding starts from a user (`05`) Session ID.
    #[error("expected a user (05) Session ID, found prefix {0}")]
    NotAUserId(Prefix),
    /// Verification and matching need a `15` or `25` ID.
    #[error("expected a blinded (15 or 25) ID, found prefix {0}")]
    NotABlindedId(Prefix),
    /// The key behind the ID is not a usable curve point.
    #[error("cannot blind this key: {0}")]
    InvalidKey(#[from] PointError),
    /// The signature does not verify under the blinded key.
    #[error("blinded signature rejected: {0}")]
    Signature(#[from] SignatureError),
}

/// `k15 = reduce(BLAKE2b-64(server_pk))`.
pub fn blind15_factor(server_pk: &Ed25519PublicKey) -> Scalar {
    Scalar::from_bytes_mod_order_wide(&blake2b_parts::<64>(&[server_pk.as_bytes()]))
}

/// `k25 = reduce(BLAKE2b-64(05 ‖ X ‖ server_pk))`, X the user's X25519 key.
pub fn blind25_factor(session_x25519: &[u8; 32], server_pk: &Ed25519PublicKey) -> Scalar {
    Scalar::from_bytes_mod_order_wide(&blake2b_parts::<64>(&[
        &[Prefix::User.as_byte()],
        session_x25519,
        server_pk.as_bytes(),
    ]))
}

/// A blinded key pair for one community server. Zeroized on drop; `Debug` shows only the ID.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct BlindedKeyPair {
    #[zeroize(skip)]
    kind: BlindingKind,
    #[zeroize(skip)]
    public: Ed25519PublicKey,
    secret: Scalar,
    /// 15: `SHA-512(ed25519 secret key)[32..]`; 25: `BLAKE2b-32(seed; "SessCommBlind25_seed")`.
    nonce_key: [u8; 32],
}

impl BlindedKeyPair {
    fn new(kind: BlindingKind, secret: Scalar, nonce_key: [u8; 32]) -> Self {
        let public = Ed25519PublicKey::from_bytes(EdwardsPoint::mul_base(&secret).compress().0);
        Self {
            kind,
            public,
            secret,
            nonce_key,
        }
    }

    /// Which scheme made this pair.
    pub fn kind(&self) -> BlindingKind {
        self.kind
    }

    /// The blinded Ed25519 public key.
    pub fn public_key(&self) -> Ed25519PublicKey {
        self.public
    }

    /// The blinded ID: `15` or `25` followed by the blinded public key.
    pub fn blinded_id(&self) -> SessionId {
        SessionId::new(self.kind.prefix(), self.public.to_bytes())
    }

    /// Signs `message` so that it verifies as plain Ed25519 under [`Self::public_key`], with the
    /// reference's deterministic nonce.
    pub fn sign(&self, message: &[u8]) -> Signature {
        let a = self.public.as_bytes();
        let mut r_hash: [u8; 64] = match self.kind {
            BlindingKind::Blind15 => Sha512::new()
                .chain_update(self.nonce_key)
                .chain_update(a)
                .chain_update(message)
                .finalize()
                .into(),
            BlindingKind::Blind25 => {
                blake2b_keyed_parts::<64, 19>(BLIND25_SIG_KEY, &[&self.nonce_key, a, message])
            }
        };
        let mut r = Scalar::from_bytes_mod_order_wide(&r_hash);
        r_hash.zeroize();
        let big_r = EdwardsPoint::mul_base(&r).compress();
        let h = Scalar::from_hash(
            Sha512::new()
                .chain_update(big_r.as_bytes())
                .chain_update(a)
                .chain_update(message),
        );
        let s = r + h * self.secret;
        r.zeroize();
        let mut signature = [0u8; 64];
        signature[..32].copy_from_slice(big_r.as_bytes());
        signature[32..].copy_from_slice(s.as_bytes());
        Signature::from_bytes(signature)
    }

    /// The blinded secret scalar `k·a` (32 bytes, reduced). Secret: handle with care.
    pub fn expose_secret_scalar(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.secret.to_bytes())
    }
}

impl fmt::Debug for BlindedKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlindedKeyPair")
            .field("blinded_id", &self.blinded_id())
            .finish_non_exhaustive()
    }
}

impl Identity {
    /// The 15-blinded key pair for the community server `server_pk`.
    pub fn blind15_key_pair(&self, server_pk: &Ed25519PublicKey) -> BlindedKeyPair {
        let k = blind15_factor(server_pk);
        let secret = k * *self.private_scalar();
        let sk = self.expose_ed25519_secret_key();
        let mut hash: [u8; 64] = Sha512::digest(sk.as_ref()).into();
        let mut nonce_key = [0u8; 32];
        nonce_key.copy_from_slice(&hash[32..]);
        hash.zeroize();
        BlindedKeyPair::new(BlindingKind::Blind15, secret, nonce_key)
    }

    /// The 25-blinded key pair for the community server `server_pk`.
    pub fn blind25_key_pair(&self, server_pk: &Ed25519PublicKey) -> BlindedKeyPair {
        let mut k = blind25_factor(self.x25519_public_key().as_bytes(), server_pk);
        if self.ed25519_public_key().as_bytes()[31] & 0x80 != 0 {
            k = -k;
        }
        let secret = k * *self.private_scalar();
        let nonce_key =
            blake2b_keyed_parts::<32, 20>(BLIND25_SEED_KEY, &[self.seed().expose_ed25519_seed()]);
        BlindedKeyPair::new(BlindingKind::Blind25, secret, nonce_key)
    }

    /// The blinded key pair of `kind` for `server_pk`.
    pub fn blinded_key_pair(
        &self,
        kind: BlindingKind,
        server_pk: &Ed25519PublicKey,
    ) -> BlindedKeyPair {
        match kind {
            BlindingKind::Blind15 => self.blind15_key_pair(server_pk),
            BlindingKind::Blind25 => self.blind25_key_pair(server_pk),
        }
    }

    /// The version-check (`07`) key pair.
    pub fn version_check_key_pair(&self) -> VersionCheckKeyPair {
        let seed = Zeroizing::new(blake2b_keyed_parts::<32, 19>(
            VERSION_CHECK_KEY,
            &[self.seed().expose_ed25519_seed()],
        ));
        VersionCheckKeyPair {
            signing_key: ed25519_dalek::SigningKey::from_bytes(&seed),
        }
    }
}

fn user_x25519_key(session_id: &SessionId) -> Result<[u8; 32], BlindingError> {
    session_id
        .x25519_public_key()
        .map(|x| x.to_bytes())
        .ok_or(BlindingError::NotAUserId(session_id.prefix()))
}

/// Both 15-blinded ID candidates of a user `session_id` on `server_pk`: the one for a positive
/// Ed25519 key first, then the one with the sign bit flipped.
pub fn blind15_ids_from_session_id(
    session_id: &SessionId,
    server_pk: &Ed25519PublicKey,
) -> Result<[SessionId; 2], BlindingError> {
    let x = user_x25519_key(session_id)?;
    let point = xed25519::ed25519_point_from_x25519(&x)?;
    let positive = mul_public(&blind15_factor(server_pk), &point)?;
    let mut negative = positive;
    negative[31] ^= 0x80;
    Ok([
        SessionId::new(Prefix::Blinded15, positive),
        SessionId::new(Prefix::Blinded15, negative),
    ])
}

/// The 25-blinded ID of a user `session_id` on `server_pk`.
pub fn blind25_id_from_session_id(
    session_id: &SessionId,
    server_pk: &Ed25519PublicKey,
) -> Result<SessionId, BlindingError> {
    let x = user_x25519_key(session_id)?;
    let point = xed25519::ed25519_point_from_x25519(&x)?;
    let id = mul_public(&blind25_factor(&x, server_pk), &point)?;
    Ok(SessionId::new(Prefix::Blinded25, id))
}

/// The 15-blinded ID of an Ed25519 key (its sign included).
pub fn blind15_id_from_ed25519(
    ed25519: &Ed25519PublicKey,
    server_pk: &Ed25519PublicKey,
) -> Result<SessionId, BlindingError> {
    let point = decode_prime_order_point(ed25519.as_bytes())?;
    let id = mul_public(&blind15_factor(server_pk), &point)?;
    Ok(SessionId::new(Prefix::Blinded15, id))
}

/// The 25-blinded ID of an Ed25519 key (the same for either sign).
pub fn blind25_id_from_ed25519(
    ed25519: &Ed25519PublicKey,
    server_pk: &Ed25519PublicKey,
) -> Result<SessionId, BlindingError> {
    let x = ed25519.to_x25519()?;
    let mut positive = ed25519.to_bytes();
    positive[31] &= 0x7f;
    let point = decode_prime_order_point(&positive)?;
    let id = mul_public(&blind25_factor(x.as_bytes(), server_pk), &point)?;
    Ok(SessionId::new(Prefix::Blinded25, id))
}

/// Whether `blinded_id` (15 or 25) belongs to the user `session_id` on `server_pk`. For 15 IDs
/// either sign candidate matches.
pub fn session_id_matches_blinded_id(
    session_id: &SessionId,
    blinded_id: &SessionId,
    server_pk: &Ed25519PublicKey,
) -> Result<bool, BlindingError> {
    match BlindingKind::from_prefix(blinded_id.prefix()) {
        Some(BlindingKind::Blind15) => {
            Ok(blind15_ids_from_session_id(session_id, server_pk)?.contains(blinded_id))
        }
        Some(BlindingKind::Blind25) => {
            Ok(blind25_id_from_session_id(session_id, server_pk)? == *blinded_id)
        }
        None => Err(BlindingError::NotABlindedId(blinded_id.prefix())),
    }
}

/// Verifies a signature made with a blinded key pair, given the blinded (`15` or `25`) ID.
pub fn verify_blinded_signature(
    blinded_id: &SessionId,
    message: &[u8],
    signature: &Signature,
) -> Result<(), BlindingError> {
    if BlindingKind::from_prefix(blinded_id.prefix()).is_none() {
        return Err(BlindingError::NotABlindedId(blinded_id.prefix()));
    }
    Ed25519PublicKey::from_bytes(*blinded_id.key_bytes()).verify(message, signature)?;
    Ok(())
}

/// The client platforms the version-check endpoint knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Platform {
    /// `android`
    Android,
    /// `desktop`
    Desktop,
    /// `ios`
    Ios,
}

impl Platform {
    /// The name used in the request path.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Android => "android",
            Self::Desktop => "desktop",
            Self::Ios => "ios",
        }
    }
}

/// A platform name that is not `android`, `desktop` or `ios`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown platform (expected android, desktop or ios)")]
pub struct UnknownPlatform;

impl FromStr for Platform {
    type Err = UnknownPlatform;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "android" => Ok(Self::Android),
            "desktop" => Ok(Self::Desktop),
            "ios" => Ok(Self::Ios),
            _ => Err(UnknownPlatform),
        }
    }
}

/// The version-check key pair: an Ed25519 key pair seeded by
/// `BLAKE2b-32(seed; key "VersionCheckKey_sig")`, unlinkable to the account.
#[derive(Clone)]
pub struct VersionCheckKeyPair {
    signing_key: ed25519_dalek::SigningKey,
}

impl VersionCheckKeyPair {
    /// The public key.
    pub fn public_key(&self) -> Ed25519PublicKey {
        Ed25519PublicKey::from_bytes(self.signing_key.verifying_key().to_bytes())
    }

    /// The `07`-prefixed ID of the public key.
    pub fn blinded_id(&self) -> SessionId {
        SessionId::new(Prefix::VersionBlinded, self.public_key().to_bytes())
    }

    /// Signs `timestamp ‖ "GET" ‖ "/session_version?platform=" ‖ platform`.
    pub fn sign_version_request(&self, platform: Platform, timestamp: u64) -> Signature {
        let mut path = alloc::string::String::from("/session_version?platform=");
        path.push_str(platform.as_str());
        self.sign_request(timestamp, "GET", &path, None)
    }

    /// Signs `timestamp ‖ method ‖ path ‖ body`, the timestamp in decimal.
    pub fn sign_request(
        &self,
        timestamp: u64,
        method: &str,
        path: &str,
        body: Option<&[u8]>,
    ) -> Signature {
        use ed25519_dalek::Signer;
        let body = body.unwrap_or_default();
        let ts = alloc::format!("{timestamp}");
        let mut message =
            alloc::vec::Vec::with_capacity(ts.len() + method.len() + path.len() + body.len());
        message.extend_from_slice(ts.as_bytes());
        message.extend_from_slice(method.as_bytes());
        message.extend_from_slice(path.as_bytes());
        message.extend_from_slice(body);
        Signature::from_bytes(self.signing_key.sign(&message).to_bytes())
    }

    /// libsodium's 64-byte secret key. Secret: handle with care.
    pub fn expose_secret_key(&self) -> Zeroizing<[u8; 64]> {
        Zeroizing::new(self.signing_key.to_keypair_bytes())
    }
}

impl fmt::Debug for VersionCheckKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VersionCheckKeyPair")
            .field("public_key", &self.public_key())
            .finish_non_exhaustive()
    }
}
