//! A group's identity: its secret seed, the Ed25519 key pair from it and the `03` group ID.

use core::fmt;

use rand_core::CryptoRng;
use session_identity::{
    Ed25519PublicKey, Identity, KeyError, Prefix, Seed, SessionId, Signature, X25519PublicKey,
};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// The `03` group ID of a group public key: `03 ‖ Ed25519 public key`.
pub fn group_id(public_key: &Ed25519PublicKey) -> SessionId {
    SessionId::new(Prefix::Group, public_key.to_bytes())
}

/// The secret of a `03` group that its admins hold: a 32-byte Ed25519 seed. From it come the
/// group's signing key, its X25519 twin and the keys of §5.2 (`seed_hash`). Zeroized on drop,
/// compared in constant time; `Debug` shows only the group ID.
#[derive(Clone)]
pub struct GroupSecret {
    identity: Identity,
}

impl GroupSecret {
    /// The group whose seed is `seed`.
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self {
            identity: Identity::from_seed(Seed::from_full_bytes(seed)),
        }
    }

    /// From libsodium's 64-byte secret key (`seed ‖ public key`); the halves must agree.
    pub fn from_ed25519_secret_key(secret_key: &[u8; 64]) -> Result<Self, KeyError> {
        Identity::from_ed25519_secret_key(secret_key).map(|identity| Self { identity })
    }

    /// A new group: a fresh random seed.
    pub fn generate(rng: &mut impl CryptoRng) -> Self {
        let mut seed = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(&mut seed[..]);
        Self::from_seed(*seed)
    }

    /// The group's Ed25519 public key (it verifies keys messages and group configs).
    pub fn public_key(&self) -> Ed25519PublicKey {
        self.identity.ed25519_public_key()
    }

    /// The `03` group ID.
    pub fn group_id(&self) -> SessionId {
        group_id(&self.public_key())
    }

    /// The group's X25519 public key (the Ed25519 key's Montgomery form).
    pub fn x25519_public_key(&self) -> X25519PublicKey {
        self.identity.x25519_public_key()
    }

    /// An Ed25519 signature by the group key.
    pub fn sign(&self, message: &[u8]) -> Signature {
        self.identity.sign(message)
    }

    /// The 32-byte seed. Secret: handle with care.
    pub fn expose_seed(&self) -> &[u8; 32] {
        self.identity.seed().expose_ed25519_seed()
    }

    /// The group's key pair as an [`Identity`] (its X25519 half is the group's): what signs
    /// an admin's requests to the group's swarm and its subaccount auth data. Secret.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// `BLAKE2b-32(seed; key = domain)`: libsession's `seed_hash`.
    pub(crate) fn seed_hash<const K: usize>(&self, domain: &[u8; K]) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(session_identity::hash::blake2b_keyed_parts::<32, K>(
            domain,
            &[self.expose_seed()],
        ))
    }
}

impl ConstantTimeEq for GroupSecret {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.expose_seed().ct_eq(other.expose_seed())
    }
}

impl PartialEq for GroupSecret {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for GroupSecret {}

impl fmt::Debug for GroupSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupSecret")
            .field("group_id", &self.group_id())
            .finish_non_exhaustive()
    }
}
