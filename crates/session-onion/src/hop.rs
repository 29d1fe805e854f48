//! Hop encryption: the symmetric key a client and a node share for one onion layer, and the
//! two ciphers that use it.

use hmac::{Hmac, Mac};
use rand_core::CryptoRng;
use session_identity::aead::{Aes256Gcm, XChaCha20Poly1305, TAG_LEN};
use session_identity::hash::blake2b_parts;
use session_identity::{
    PrecomputedX25519PublicKey, SharedSecret, X25519PublicKey, X25519SecretKey,
};
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::EncType;

/// The HMAC key of the AES-GCM derivation, `LOKI`, zero-padded to SHA-256's 64-byte block as
/// HMAC pads every shorter key: the same MAC as the 4-byte key, with no length to check.
const AES_GCM_HMAC_KEY: [u8; 64] = {
    let mut key = [0u8; 64];
    key[0] = b'L';
    key[1] = b'O';
    key[2] = b'K';
    key[3] = b'I';
    key
};

/// `nonce ‖ ciphertext ‖ tag` of `plaintext` under `key`, with a nonce of the scheme's length
/// from `rng`.
fn seal(enc_type: EncType, key: &[u8; 32], plaintext: &[u8], rng: &mut impl CryptoRng) -> Vec<u8> {
    let nonce_len = enc_type.nonce_len();
    let mut nonce = [0u8; 24];
    rng.fill_bytes(&mut nonce[..nonce_len]);
    let mut out = Vec::with_capacity(nonce_len + plaintext.len() + TAG_LEN);
    out.extend_from_slice(&nonce[..nonce_len]);
    out.extend_from_slice(plaintext);
    let body = &mut out[nonce_len..];
    let tag = match enc_type {
        EncType::AesGcm => {
            let mut gcm_nonce = [0u8; 12];
            gcm_nonce.copy_from_slice(&nonce[..12]);
            Aes256Gcm::new(key).encrypt_in_place_detached(&gcm_nonce, &[], body)
        }
        EncType::XChaCha20 => {
            XChaCha20Poly1305::new(key).encrypt_in_place_detached(&nonce, &[], body)
        }
    };
    match tag {
        Ok(tag) => out.extend_from_slice(&tag),
        // Both ciphers refuse only messages longer than 64 GiB, which no Vec on a 32-bit
        // target can hold and no onion layer comes near; the request is rejected downstream
        // by its missing tag rather than by a panic here.
        Err(_) => out.clear(),
    }
    out
}

/// The plaintext of `body` with `nonce` and `tag` under `key`, or `None` when the tag does not
/// verify (or a slice has the wrong length). A failed plaintext is wiped.
fn open(
    enc_type: EncType,
    key: &[u8; 32],
    nonce: &[u8],
    body: &[u8],
    tag: &[u8],
) -> Option<Vec<u8>> {
    let tag: &[u8; TAG_LEN] = tag.try_into().ok()?;
    let mut plaintext = body.to_vec();
    let opened = match enc_type {
        EncType::AesGcm => Aes256Gcm::new(key).decrypt_in_place_detached(
            nonce.try_into().ok()?,
            &[],
            &mut plaintext,
            tag,
        ),
        EncType::XChaCha20 => XChaCha20Poly1305::new(key).decrypt_in_place_detached(
            nonce.try_into().ok()?,
            &[],
            &mut plaintext,
            tag,
        ),
    };
    // A refused buffer is wiped by the cipher.
    opened.ok().map(|()| plaintext)
}

/// The X25519 secret shared by `local_secret` and `remote`, refused when all zero.
fn shared_secret(
    local_secret: &X25519SecretKey,
    remote: &X25519PublicKey,
) -> Result<SharedSecret, HopError> {
    local_secret
        .diffie_hellman(remote)
        .map_err(|_| HopError::WeakSharedSecret)
}

/// Which side of a hop the local key belongs to.
///
/// The *client* holds the ephemeral key of the layer; the *server* (the node or the
/// destination) holds the long-term key. Only the XChaCha20 key derivation depends on it: it
/// hashes the client's public key before the server's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The holder of the layer's ephemeral key (the party building the request).
    Client,
    /// The holder of the long-term node or server key.
    Server,
}

/// Why hop encryption or decryption failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HopError {
    /// The X25519 exchange gave the all-zero secret: the remote key has small order.
    #[error("X25519 exchange gave the all-zero shared secret (remote key of small order)")]
    WeakSharedSecret,
    /// The ciphertext is shorter than a nonce and a tag.
    #[error("{enc_type} ciphertext is {len} bytes, shorter than the minimum {min}")]
    CiphertextTooShort {
        /// The scheme the ciphertext was read as.
        enc_type: EncType,
        /// Its length.
        len: usize,
        /// The shortest valid ciphertext for the scheme.
        min: usize,
    },
    /// The tag did not verify: wrong key, wrong scheme, wrong role or tampered bytes.
    #[error("{enc_type} decryption failed (authentication tag mismatch)")]
    Authentication {
        /// The scheme that was tried.
        enc_type: EncType,
    },
}

/// The 32-byte symmetric key of one hop and the scheme it is used with.
///
/// Derived once from an X25519 exchange; encrypts and decrypts in both directions (a node
/// decrypts a layer and encrypts its reply with the same key). Zeroized on drop; `Debug`
/// prints only the scheme.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct HopKey {
    key: [u8; 32],
    #[zeroize(skip)]
    enc_type: EncType,
}

impl core::fmt::Debug for HopKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HopKey")
            .field("enc_type", &self.enc_type)
            .finish_non_exhaustive()
    }
}

impl HopKey {
    /// Derives the key shared between `local_secret` (acting as `role`) and `remote`.
    ///
    /// Refuses an all-zero shared secret ([`HopError::WeakSharedSecret`]).
    pub fn derive(
        enc_type: EncType,
        role: Role,
        local_secret: &X25519SecretKey,
        remote: &X25519PublicKey,
    ) -> Result<Self, HopError> {
        match enc_type {
            // AES-GCM hashes the shared secret alone: no local public key, so no fixed-base
            // multiplication to compute it.
            EncType::AesGcm => Ok(Self::aes_gcm(&shared_secret(local_secret, remote)?)),
            EncType::XChaCha20 => Self::derive_with_public(
                enc_type,
                role,
                local_secret,
                &local_secret.public_key(),
                remote,
            ),
        }
    }

    /// As [`HopKey::derive`], with the local public key already known: saves the fixed-base
    /// multiplication [`HopKey::derive`] needs for XChaCha20 (libsession's `HopEncryption`
    /// holds the pair the same way). `local_public` must be the public key of `local_secret`;
    /// with any other key the derived key differs from the peer's and nothing decrypts.
    pub fn derive_with_public(
        enc_type: EncType,
        role: Role,
        local_secret: &X25519SecretKey,
        local_public: &X25519PublicKey,
        remote: &X25519PublicKey,
    ) -> Result<Self, HopError> {
        let shared = shared_secret(local_secret, remote)?;
        Ok(Self::from_shared_secret(
            enc_type,
            role,
            &shared,
            local_public,
            remote,
        ))
    }

    /// As [`HopKey::derive_with_public`], through `remote`'s precomputed table (a client
    /// encrypting to a node it keeps using).
    pub fn derive_precomputed(
        enc_type: EncType,
        role: Role,
        local_secret: &X25519SecretKey,
        local_public: &X25519PublicKey,
        remote: &PrecomputedX25519PublicKey,
    ) -> Result<Self, HopError> {
        let shared = local_secret
            .diffie_hellman_precomputed(remote)
            .map_err(|_| HopError::WeakSharedSecret)?;
        Ok(Self::from_shared_secret(
            enc_type,
            role,
            &shared,
            local_public,
            remote.public_key(),
        ))
    }

    /// The key from the X25519 shared secret: HMAC-SHA256 keyed `LOKI` for AES-GCM,
    /// BLAKE2b-256 of `shared ‖ client ‖ server` for XChaCha20 (the public keys are read only
    /// for XChaCha20).
    pub(crate) fn from_shared_secret(
        enc_type: EncType,
        role: Role,
        shared: &SharedSecret,
        local_public: &X25519PublicKey,
        remote: &X25519PublicKey,
    ) -> Self {
        match (enc_type, role) {
            (EncType::AesGcm, _) => Self::aes_gcm(shared),
            (EncType::XChaCha20, Role::Client) => Self::xchacha20(shared, local_public, remote),
            (EncType::XChaCha20, Role::Server) => Self::xchacha20(shared, remote, local_public),
        }
    }

    /// The AES-GCM key: `HMAC-SHA256(key = "LOKI", shared)`.
    fn aes_gcm(shared: &SharedSecret) -> Self {
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new((&AES_GCM_HMAC_KEY).into());
        mac.update(shared.expose_secret_bytes());
        Self {
            key: mac.finalize().into_bytes().into(),
            enc_type: EncType::AesGcm,
        }
    }

    /// The XChaCha20 key: `BLAKE2b-256(shared ‖ client ‖ server)`, `client` the holder of the
    /// layer's ephemeral key and `server` the holder of the long-term one.
    fn xchacha20(
        shared: &SharedSecret,
        client: &X25519PublicKey,
        server: &X25519PublicKey,
    ) -> Self {
        Self {
            key: blake2b_parts::<32>(&[
                shared.expose_secret_bytes(),
                client.as_bytes(),
                server.as_bytes(),
            ]),
            enc_type: EncType::XChaCha20,
        }
    }

    /// A hop key from its 32 bytes, for a key derived or stored elsewhere.
    pub fn from_key_bytes(enc_type: EncType, key: [u8; 32]) -> Self {
        Self { key, enc_type }
    }

    /// The scheme this key is used with.
    pub fn enc_type(&self) -> EncType {
        self.enc_type
    }

    /// Encrypts `plaintext`: a fresh nonce drawn from `rng`, then ciphertext and tag.
    pub fn encrypt(&self, plaintext: &[u8], rng: &mut impl CryptoRng) -> Vec<u8> {
        seal(self.enc_type, &self.key, plaintext, rng)
    }

    /// Decrypts `nonce ‖ ciphertext ‖ tag`.
    pub fn decrypt(&self, ciphertext: &[u8]) -> Result<Vec<u8>, HopError> {
        let enc_type = self.enc_type;
        let nonce_len = enc_type.nonce_len();
        if ciphertext.len() < enc_type.overhead() {
            return Err(HopError::CiphertextTooShort {
                enc_type,
                len: ciphertext.len(),
                min: enc_type.overhead(),
            });
        }
        let (nonce, rest) = ciphertext.split_at(nonce_len);
        let (body, tag) = rest.split_at(rest.len() - enc_type.tag_len());
        open(enc_type, &self.key, nonce, body, tag).ok_or(HopError::Authentication { enc_type })
    }
}

/// Encrypts `plaintext` for one hop: derives the key between `local_secret` (acting as `role`)
/// and `remote`, draws a nonce from `rng` and returns `nonce ‖ ciphertext ‖ tag`.
pub fn hop_encrypt(
    enc_type: EncType,
    role: Role,
    local_secret: &X25519SecretKey,
    remote: &X25519PublicKey,
    plaintext: &[u8],
    rng: &mut impl CryptoRng,
) -> Result<Vec<u8>, HopError> {
    Ok(HopKey::derive(enc_type, role, local_secret, remote)?.encrypt(plaintext, rng))
}

/// Decrypts one hop's `nonce ‖ ciphertext ‖ tag` (see [`hop_encrypt`]).
pub fn hop_decrypt(
    enc_type: EncType,
    role: Role,
    local_secret: &X25519SecretKey,
    remote: &X25519PublicKey,
    ciphertext: &[u8],
) -> Result<Vec<u8>, HopError> {
    HopKey::derive(enc_type, role, local_secret, remote)?.decrypt(ciphertext)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each scheme's derivation reads only what it hashes: `derive` gives the AES-GCM key
    /// from the shared secret alone and the XChaCha20 key from the shared secret and both
    /// public keys, in the role's order.
    #[test]
    fn derive_uses_each_schemes_own_inputs() {
        let client = X25519SecretKey::from_bytes([1; 32]);
        let server = X25519SecretKey::from_bytes([2; 32]);
        let (client_pk, server_pk) = (client.public_key(), server.public_key());
        let shared = client.diffie_hellman(&server_pk).unwrap();

        let aes = HopKey::aes_gcm(&shared);
        for (role, secret, remote) in [
            (Role::Client, &client, &server_pk),
            (Role::Server, &server, &client_pk),
        ] {
            let derived = HopKey::derive(EncType::AesGcm, role, secret, remote).unwrap();
            assert_eq!(derived.key, aes.key);
            assert_eq!(derived.enc_type(), EncType::AesGcm);
        }

        let xchacha = HopKey::xchacha20(&shared, &client_pk, &server_pk);
        let as_client =
            HopKey::derive(EncType::XChaCha20, Role::Client, &client, &server_pk).unwrap();
        let as_server =
            HopKey::derive(EncType::XChaCha20, Role::Server, &server, &client_pk).unwrap();
        assert_eq!(as_client.key, xchacha.key);
        assert_eq!(as_server.key, xchacha.key);
        assert_ne!(
            xchacha.key,
            HopKey::xchacha20(&shared, &server_pk, &client_pk).key
        );
        assert_eq!(xchacha.enc_type(), EncType::XChaCha20);
    }

    #[test]
    fn padded_hmac_key_is_the_four_byte_key() {
        let shared = [0x5au8; 32];
        let padded = <Hmac<Sha256> as hmac::KeyInit>::new((&AES_GCM_HMAC_KEY).into())
            .chain_update(shared)
            .finalize()
            .into_bytes();
        let short = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(b"LOKI")
            .unwrap()
            .chain_update(shared)
            .finalize()
            .into_bytes();
        assert_eq!(padded, short);
    }
}
