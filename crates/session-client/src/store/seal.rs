//! The account seed at rest: in the clear, or sealed with a passphrase (Argon2id, then
//! XChaCha20-Poly1305).

use core::fmt;

use rand_core::CryptoRng;
use session_identity::aead::XChaCha20Poly1305;
use session_identity::{Seed, SeedKind};
use zeroize::Zeroizing;

use super::StoreError;

const TAG_PLAIN: u8 = 1;
const TAG_ARGON2ID_XCHACHA: u8 = 2;
const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 24;
const AEAD_TAG_LEN: usize = 16;
/// tag, m, t, p, salt, nonce.
const SEALED_HEADER_LEN: usize = 1 + 12 + SALT_LEN + NONCE_LEN;

/// Argon2id (version 0x13) cost parameters, recorded next to each sealed seed so later
/// versions can change the defaults and still open old records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_cost_kib: u32,
    /// Passes over the memory.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
}

impl KdfParams {
    /// RFC 9106's second recommended setting: 64 MiB, 3 passes, 4 lanes.
    pub const DEFAULT: Self = Self {
        m_cost_kib: 64 * 1024,
        t_cost: 3,
        p_cost: 4,
    };
    /// The most memory a record may ask for (1 GiB), so an altered record cannot make
    /// opening it allocate without bound.
    pub const MAX_M_COST_KIB: u32 = 1024 * 1024;
    /// The most passes a record may ask for.
    pub const MAX_T_COST: u32 = 64;
    /// The most lanes a record may ask for.
    pub const MAX_P_COST: u32 = 64;

    fn argon2(&self) -> Result<argon2::Argon2<'static>, StoreError> {
        if self.m_cost_kib > Self::MAX_M_COST_KIB {
            return Err(StoreError::InvalidKdfParams {
                reason: "memory above 1 GiB",
            });
        }
        if self.t_cost > Self::MAX_T_COST {
            return Err(StoreError::InvalidKdfParams {
                reason: "more than 64 passes",
            });
        }
        if self.p_cost > Self::MAX_P_COST {
            return Err(StoreError::InvalidKdfParams {
                reason: "more than 64 lanes",
            });
        }
        let params = argon2::Params::new(self.m_cost_kib, self.t_cost, self.p_cost, Some(32))
            .map_err(|_| StoreError::InvalidKdfParams {
                reason: "rejected by Argon2 (memory below 8 KiB per lane, or zero passes or lanes)",
            })?;
        Ok(argon2::Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            params,
        ))
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A seed sealed with a passphrase: Argon2id over the passphrase and a random 16-byte salt
/// gives a key; XChaCha20-Poly1305 with a random 24-byte nonce seals the seed, with the
/// parameters, salt and nonce as associated data (altering any of them fails to open).
#[derive(Clone, PartialEq, Eq)]
pub struct SealedSeed {
    params: KdfParams,
    salt: [u8; SALT_LEN],
    nonce: [u8; NONCE_LEN],
    ciphertext: Vec<u8>,
}

impl SealedSeed {
    /// Seals `seed` with `passphrase`. The salt and nonce come from `rng`.
    pub fn seal(
        seed: &Seed,
        passphrase: &[u8],
        params: KdfParams,
        rng: &mut impl CryptoRng,
    ) -> Result<Self, StoreError> {
        let mut salt = [0u8; SALT_LEN];
        rng.fill_bytes(&mut salt);
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill_bytes(&mut nonce);
        let key = derive_key(&params, passphrase, &salt)?;
        let mut buffer = Zeroizing::new(Vec::with_capacity(33 + AEAD_TAG_LEN));
        buffer.push(kind_byte(seed.kind()));
        buffer.extend_from_slice(seed.expose_entropy());
        let header = header(&params, &salt, &nonce);
        let tag = XChaCha20Poly1305::new(&key)
            .encrypt_in_place_detached(&nonce, &header, &mut buffer[..])
            // Refused only for messages over 256 GiB.
            .map_err(|_| StoreError::Corrupt { what: "seed" })?;
        let mut ciphertext = buffer.to_vec();
        ciphertext.extend_from_slice(&tag);
        Ok(Self {
            params,
            salt,
            nonce,
            ciphertext,
        })
    }

    /// Opens the seal. A wrong passphrase, or any altered byte, gives
    /// [`StoreError::WrongPassphrase`].
    pub fn open(&self, passphrase: &[u8]) -> Result<Seed, StoreError> {
        let key = derive_key(&self.params, passphrase, &self.salt)?;
        let Some(len) = self.ciphertext.len().checked_sub(AEAD_TAG_LEN) else {
            return Err(StoreError::Corrupt {
                what: "sealed seed",
            });
        };
        let (encrypted, tag) = self.ciphertext.split_at(len);
        let tag: &[u8; AEAD_TAG_LEN] = tag.try_into().map_err(|_| StoreError::Corrupt {
            what: "sealed seed",
        })?;
        let mut plain = Zeroizing::new(encrypted.to_vec());
        let header = header(&self.params, &self.salt, &self.nonce);
        XChaCha20Poly1305::new(&key)
            .decrypt_in_place_detached(&self.nonce, &header, &mut plain[..], tag)
            .map_err(|_| StoreError::WrongPassphrase)?;
        seed_from_plain(&plain)
    }

    /// The Argon2id parameters it was sealed with.
    pub fn params(&self) -> KdfParams {
        self.params
    }
}

impl fmt::Debug for SealedSeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealedSeed")
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

/// The account identity as stored: the seed in the clear, or sealed with a passphrase.
/// `Debug` never shows the seed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdentityRecord {
    /// The seed, unprotected (the store's own protection only).
    Plain(Seed),
    /// The seed sealed with a passphrase.
    Sealed(SealedSeed),
}

impl IdentityRecord {
    /// The seed sealed with `passphrase` (see [`SealedSeed::seal`]).
    pub fn seal(
        seed: &Seed,
        passphrase: &[u8],
        params: KdfParams,
        rng: &mut impl CryptoRng,
    ) -> Result<Self, StoreError> {
        SealedSeed::seal(seed, passphrase, params, rng).map(Self::Sealed)
    }

    /// The seed: a plain record needs no passphrase (one given is ignored); a sealed one
    /// gives [`StoreError::PassphraseRequired`] without one and
    /// [`StoreError::WrongPassphrase`] with the wrong one.
    pub fn unlock(&self, passphrase: Option<&[u8]>) -> Result<Seed, StoreError> {
        match (self, passphrase) {
            (Self::Plain(seed), _) => Ok(seed.clone()),
            (Self::Sealed(sealed), Some(p)) => sealed.open(p),
            (Self::Sealed(_), None) => Err(StoreError::PassphraseRequired),
        }
    }

    /// Whether the seed is sealed with a passphrase.
    pub fn is_sealed(&self) -> bool {
        matches!(self, Self::Sealed(_))
    }

    /// The stored form: a format byte (1 plain, 2 Argon2id + XChaCha20-Poly1305), then for a
    /// plain seed its kind and bytes, for a sealed one `m_cost ‖ t_cost ‖ p_cost` (u32 little
    /// endian), salt, nonce and ciphertext with tag. The bytes of a plain record are secret.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::new());
        match self {
            Self::Plain(seed) => {
                out.push(TAG_PLAIN);
                out.push(kind_byte(seed.kind()));
                out.extend_from_slice(seed.expose_entropy());
            }
            Self::Sealed(s) => {
                out.extend_from_slice(&header(&s.params, &s.salt, &s.nonce));
                out.extend_from_slice(&s.ciphertext);
            }
        }
        out
    }

    /// Reads what [`to_bytes`](Self::to_bytes) wrote.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, StoreError> {
        match bytes.first().copied() {
            Some(TAG_PLAIN) => seed_from_plain(&bytes[1..]).map(Self::Plain),
            Some(TAG_ARGON2ID_XCHACHA) => {
                let corrupt = StoreError::Corrupt {
                    what: "sealed seed",
                };
                if bytes.len() < SEALED_HEADER_LEN + AEAD_TAG_LEN {
                    return Err(corrupt);
                }
                let u32_at = |i: usize| -> Result<u32, StoreError> {
                    bytes
                        .get(i..i + 4)
                        .and_then(|b| b.try_into().ok())
                        .map(u32::from_le_bytes)
                        .ok_or(StoreError::Corrupt {
                            what: "sealed seed",
                        })
                };
                let params = KdfParams {
                    m_cost_kib: u32_at(1)?,
                    t_cost: u32_at(5)?,
                    p_cost: u32_at(9)?,
                };
                let salt =
                    bytes[13..13 + SALT_LEN]
                        .try_into()
                        .map_err(|_| StoreError::Corrupt {
                            what: "sealed seed",
                        })?;
                let nonce = bytes[13 + SALT_LEN..SEALED_HEADER_LEN]
                    .try_into()
                    .map_err(|_| corrupt)?;
                Ok(Self::Sealed(SealedSeed {
                    params,
                    salt,
                    nonce,
                    ciphertext: bytes[SEALED_HEADER_LEN..].to_vec(),
                }))
            }
            Some(tag) => Err(StoreError::UnknownRecordFormat { tag }),
            None => Err(StoreError::Corrupt { what: "identity" }),
        }
    }
}

fn kind_byte(kind: SeedKind) -> u8 {
    match kind {
        SeedKind::Legacy16 => 16,
        SeedKind::Full32 => 32,
    }
}

/// `kind ‖ entropy`, the kind byte being the entropy's length.
fn seed_from_plain(plain: &[u8]) -> Result<Seed, StoreError> {
    let corrupt = StoreError::Corrupt { what: "seed" };
    let (&kind, entropy) = plain
        .split_first()
        .ok_or(StoreError::Corrupt { what: "seed" })?;
    if usize::from(kind) != entropy.len() {
        return Err(corrupt);
    }
    Seed::from_slice(entropy).map_err(|_| corrupt)
}

fn header(params: &KdfParams, salt: &[u8; SALT_LEN], nonce: &[u8; NONCE_LEN]) -> Vec<u8> {
    let mut h = Vec::with_capacity(SEALED_HEADER_LEN);
    h.push(TAG_ARGON2ID_XCHACHA);
    h.extend_from_slice(&params.m_cost_kib.to_le_bytes());
    h.extend_from_slice(&params.t_cost.to_le_bytes());
    h.extend_from_slice(&params.p_cost.to_le_bytes());
    h.extend_from_slice(salt);
    h.extend_from_slice(nonce);
    h
}

fn derive_key(
    params: &KdfParams,
    passphrase: &[u8],
    salt: &[u8; SALT_LEN],
) -> Result<Zeroizing<[u8; 32]>, StoreError> {
    let mut key = Zeroizing::new([0u8; 32]);
    params
        .argon2()?
        .hash_password_into(passphrase, salt, key.as_mut())
        .map_err(|_| StoreError::InvalidKdfParams {
            reason: "rejected by Argon2 (passphrase too long)",
        })?;
    Ok(key)
}
