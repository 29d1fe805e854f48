//! Authenticated encryption with associated data: AES-256-GCM (96-bit nonces) and
//! XChaCha20-Poly1305 (192-bit nonces), both with 128-bit tags, as onion hops, group messages,
//! config messages and blinded DMs use them.
//!
//! Each cipher is computed by the [backend](crate::backend) active when it is built: RustCrypto's
//! `aes-gcm` and `chacha20poly1305`, or aws-lc-rs (feature `native`; XChaCha20-Poly1305 is then
//! HChaCha20 in Rust followed by aws-lc's ChaCha20-Poly1305). Ciphertexts and verdicts are
//! identical. A plaintext whose tag does not verify is never returned, and the buffer that held
//! it is wiped.
//!
//! ```
//! use session_identity::aead::{AeadError, XChaCha20Poly1305};
//!
//! let cipher = XChaCha20Poly1305::new(&[7; 32]);
//! let nonce = [9; 24];
//! let sealed = cipher.encrypt(&nonce, b"header", b"hello")?;
//! assert_eq!(sealed.len(), 5 + 16);
//! assert_eq!(cipher.decrypt(&nonce, b"header", &sealed)?, b"hello");
//! assert_eq!(
//!     cipher.decrypt(&nonce, b"other header", &sealed),
//!     Err(AeadError::Authentication)
//! );
//! # Ok::<(), AeadError>(())
//! ```

use alloc::vec::Vec;
use core::fmt;

use aes_gcm::aead::{AeadInOut, KeyInit};
use zeroize::Zeroize;
#[cfg(feature = "native")]
use zeroize::Zeroizing;

/// The length of every tag here.
pub const TAG_LEN: usize = 16;

/// Why an AEAD operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AeadError {
    /// The tag does not verify: a wrong key, nonce or associated data, or tampering.
    #[error("the message does not authenticate under this key, nonce and associated data")]
    Authentication,
    /// The input is shorter than a tag.
    #[error("the ciphertext is shorter than its {TAG_LEN}-byte tag")]
    TooShort,
    /// The message is longer than the cipher allows (64 GiB and more).
    #[error("the message is too long for this cipher")]
    TooLong,
}

/// Splits `ciphertext ‖ tag`.
fn split_tag(sealed: &[u8]) -> Result<(&[u8], [u8; TAG_LEN]), AeadError> {
    let body_len = sealed
        .len()
        .checked_sub(TAG_LEN)
        .ok_or(AeadError::TooShort)?;
    let (body, tag) = sealed.split_at(body_len);
    let mut tag_bytes = [0u8; TAG_LEN];
    tag_bytes.copy_from_slice(tag);
    Ok((body, tag_bytes))
}

/// The shared shape of both ciphers' one-shot functions.
macro_rules! one_shot {
    ($nonce_len:literal) => {
        /// `ciphertext ‖ tag` of `plaintext`.
        pub fn encrypt(
            &self,
            nonce: &[u8; $nonce_len],
            aad: &[u8],
            plaintext: &[u8],
        ) -> Result<Vec<u8>, AeadError> {
            let mut out = Vec::with_capacity(plaintext.len().saturating_add(TAG_LEN));
            out.extend_from_slice(plaintext);
            let tag = self.encrypt_in_place_detached(nonce, aad, &mut out)?;
            out.extend_from_slice(&tag);
            Ok(out)
        }

        /// The plaintext of `ciphertext ‖ tag`.
        pub fn decrypt(
            &self,
            nonce: &[u8; $nonce_len],
            aad: &[u8],
            sealed: &[u8],
        ) -> Result<Vec<u8>, AeadError> {
            let (body, tag) = split_tag(sealed)?;
            let mut out = body.to_vec();
            self.decrypt_in_place_detached(nonce, aad, &mut out, &tag)?;
            Ok(out)
        }
    };
}

/// Wipes `buffer` and reports a failed tag.
fn refuse(buffer: &mut [u8]) -> AeadError {
    buffer.zeroize();
    AeadError::Authentication
}

/// AES-256-GCM with 96-bit nonces and 128-bit tags. `Debug` prints nothing of the key.
pub struct Aes256Gcm(AesInner);

// The pure key schedule stays inline, as it was before there were two backends: boxing it would
// cost an allocation for every cipher built.
#[allow(clippy::large_enum_variant)]
enum AesInner {
    /// RustCrypto's key schedule, wiped on drop.
    Pure(aes_gcm::Aes256Gcm),
    /// aws-lc's key, freed (and cleansed) by aws-lc on drop.
    #[cfg(feature = "native")]
    Native(aws_lc_rs::aead::LessSafeKey),
}

impl Aes256Gcm {
    /// The cipher under `key`, on the active backend.
    pub fn new(key: &[u8; 32]) -> Self {
        #[cfg(feature = "native")]
        if crate::backend::native_active() {
            use aws_lc_rs::aead::{LessSafeKey, UnboundKey, AES_256_GCM};
            // A 32-byte key is the one length AES_256_GCM takes: this cannot fail.
            if let Ok(unbound) = UnboundKey::new(&AES_256_GCM, key) {
                return Self(AesInner::Native(LessSafeKey::new(unbound)));
            }
        }
        Self(AesInner::Pure(aes_gcm::Aes256Gcm::new(key.into())))
    }

    /// Encrypts `buffer` in place and returns the tag.
    pub fn encrypt_in_place_detached(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        buffer: &mut [u8],
    ) -> Result<[u8; TAG_LEN], AeadError> {
        match &self.0 {
            AesInner::Pure(cipher) => cipher
                .encrypt_inout_detached(nonce.into(), aad, buffer.into())
                .map(Into::into)
                .map_err(|_| AeadError::TooLong),
            #[cfg(feature = "native")]
            AesInner::Native(key) => native::seal(key, *nonce, aad, buffer),
        }
    }

    /// Decrypts `buffer` in place if `tag` verifies; otherwise wipes it.
    pub fn decrypt_in_place_detached(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        buffer: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), AeadError> {
        match &self.0 {
            AesInner::Pure(cipher) => cipher
                .decrypt_inout_detached(nonce.into(), aad, (&mut *buffer).into(), tag.into())
                .map_err(|_| refuse(buffer)),
            #[cfg(feature = "native")]
            AesInner::Native(key) => native::open(key, *nonce, aad, buffer, tag),
        }
    }

    one_shot!(12);
}

impl fmt::Debug for Aes256Gcm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Aes256Gcm(..)")
    }
}

/// XChaCha20-Poly1305 (libsodium's `crypto_aead_xchacha20poly1305_ietf`) with 192-bit nonces
/// and 128-bit tags. `Debug` prints nothing of the key.
pub struct XChaCha20Poly1305(XChaChaInner);

enum XChaChaInner {
    /// RustCrypto's cipher, which holds the key and wipes it on drop.
    Pure(chacha20poly1305::XChaCha20Poly1305),
    /// The key; each message derives its HChaCha20 subkey and runs aws-lc's ChaCha20-Poly1305.
    #[cfg(feature = "native")]
    Native(Zeroizing<[u8; 32]>),
}

impl XChaCha20Poly1305 {
    /// The cipher under `key`, on the active backend.
    pub fn new(key: &[u8; 32]) -> Self {
        #[cfg(feature = "native")]
        if crate::backend::native_active() {
            return Self(XChaChaInner::Native(Zeroizing::new(*key)));
        }
        Self(XChaChaInner::Pure(
            chacha20poly1305::XChaCha20Poly1305::new(key.into()),
        ))
    }

    /// Encrypts `buffer` in place and returns the tag.
    pub fn encrypt_in_place_detached(
        &self,
        nonce: &[u8; 24],
        aad: &[u8],
        buffer: &mut [u8],
    ) -> Result<[u8; TAG_LEN], AeadError> {
        match &self.0 {
            XChaChaInner::Pure(cipher) => cipher
                .encrypt_inout_detached(nonce.into(), aad, buffer.into())
                .map(Into::into)
                .map_err(|_| AeadError::TooLong),
            #[cfg(feature = "native")]
            XChaChaInner::Native(key) if buffer.len() >= native::PURE_XCHACHA_FROM => {
                chacha20poly1305::XChaCha20Poly1305::new((&**key).into())
                    .encrypt_inout_detached(nonce.into(), aad, buffer.into())
                    .map(Into::into)
                    .map_err(|_| AeadError::TooLong)
            }
            #[cfg(feature = "native")]
            XChaChaInner::Native(key) => {
                let (subkey, nonce) = native::xchacha_subkey(key, nonce);
                native::seal(&native::chacha_key(&subkey)?, nonce, aad, buffer)
            }
        }
    }

    /// Decrypts `buffer` in place if `tag` verifies; otherwise wipes it.
    pub fn decrypt_in_place_detached(
        &self,
        nonce: &[u8; 24],
        aad: &[u8],
        buffer: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), AeadError> {
        match &self.0 {
            XChaChaInner::Pure(cipher) => cipher
                .decrypt_inout_detached(nonce.into(), aad, (&mut *buffer).into(), tag.into())
                .map_err(|_| refuse(buffer)),
            #[cfg(feature = "native")]
            XChaChaInner::Native(key) if buffer.len() >= native::PURE_XCHACHA_FROM => {
                chacha20poly1305::XChaCha20Poly1305::new((&**key).into())
                    .decrypt_inout_detached(nonce.into(), aad, (&mut *buffer).into(), tag.into())
                    .map_err(|_| refuse(buffer))
            }
            #[cfg(feature = "native")]
            XChaChaInner::Native(key) => {
                let (subkey, nonce) = native::xchacha_subkey(key, nonce);
                native::open(&native::chacha_key(&subkey)?, nonce, aad, buffer, tag)
            }
        }
    }

    one_shot!(24);
}

impl fmt::Debug for XChaCha20Poly1305 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("XChaCha20Poly1305(..)")
    }
}

/// The aws-lc-rs side.
#[cfg(feature = "native")]
mod native {
    use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305};
    use chacha20::{hchacha, R20};
    use zeroize::Zeroizing;

    use super::{refuse, AeadError, TAG_LEN};

    /// From this length on, XChaCha20-Poly1305 runs on RustCrypto even on the native backend
    /// when its AVX-512 ChaCha20 is compiled in (`--cfg chacha20_avx512`, as this workspace
    /// builds): measured here, it is faster than aws-lc's from a few KiB (1 MiB: 577 µs
    /// against 889 µs; a 75 KiB config message: 167 µs against 195 µs), while aws-lc is three
    /// times faster on a 1 KiB onion layer. Without that code aws-lc keeps every length.
    pub(super) const PURE_XCHACHA_FROM: usize = if cfg!(chacha20_avx512) {
        16 * 1024
    } else {
        usize::MAX
    };

    pub(super) fn seal(
        key: &LessSafeKey,
        nonce: [u8; 12],
        aad: &[u8],
        buffer: &mut [u8],
    ) -> Result<[u8; TAG_LEN], AeadError> {
        let tag = key
            .seal_in_place_separate_tag(Nonce::assume_unique_for_key(nonce), Aad::from(aad), buffer)
            .map_err(|_| AeadError::TooLong)?;
        let mut out = [0u8; TAG_LEN];
        out.copy_from_slice(tag.as_ref());
        Ok(out)
    }

    pub(super) fn open(
        key: &LessSafeKey,
        nonce: [u8; 12],
        aad: &[u8],
        buffer: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), AeadError> {
        match key.open_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad),
            tag,
            buffer,
        ) {
            Ok(_) => Ok(()),
            Err(_) => Err(refuse(buffer)),
        }
    }

    /// HChaCha20 of the key and the nonce's first 16 bytes, and the IETF nonce
    /// `0⁴ ‖ nonce[16..24]`: XChaCha20-Poly1305 as ChaCha20-Poly1305 under the subkey.
    pub(super) fn xchacha_subkey(
        key: &[u8; 32],
        nonce: &[u8; 24],
    ) -> (Zeroizing<[u8; 32]>, [u8; 12]) {
        let mut input = [0u8; 16];
        input.copy_from_slice(&nonce[..16]);
        let subkey = Zeroizing::new(<[u8; 32]>::from(hchacha::<R20>(
            &(*key).into(),
            &input.into(),
        )));
        let mut ietf = [0u8; 12];
        ietf[4..].copy_from_slice(&nonce[16..]);
        (subkey, ietf)
    }

    /// aws-lc's ChaCha20-Poly1305 under `subkey`. 32 bytes is the one length it takes, so the
    /// error never happens; it is reported as a refusal rather than a panic.
    pub(super) fn chacha_key(subkey: &[u8; 32]) -> Result<LessSafeKey, AeadError> {
        UnboundKey::new(&CHACHA20_POLY1305, subkey)
            .map(LessSafeKey::new)
            .map_err(|_| AeadError::Authentication)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{self, Backend};

    /// Every backend, with a cipher built while it is active.
    fn each_backend(mut check: impl FnMut(Backend)) {
        for &each in Backend::ALL {
            backend::set_active(each);
            check(each);
        }
        backend::set_active(Backend::DEFAULT);
    }

    #[test]
    fn xchacha_matches_libsodiums_vector() {
        // draft-irtf-cfrg-xchacha-03, appendix A.3.1.
        let key: [u8; 32] =
            hex::decode("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f")
                .unwrap()
                .try_into()
                .unwrap();
        let nonce: [u8; 24] = hex::decode("404142434445464748494a4b4c4d4e4f5051525354555657")
            .unwrap()
            .try_into()
            .unwrap();
        let aad = hex::decode("50515253c0c1c2c3c4c5c6c7").unwrap();
        let plaintext = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
        each_backend(|each| {
            let sealed = XChaCha20Poly1305::new(&key)
                .encrypt(&nonce, &aad, plaintext)
                .unwrap();
            assert_eq!(
                hex::encode(&sealed[..16]),
                "bd6d179d3e83d43b9576579493c0e939",
                "{each:?}"
            );
            assert_eq!(
                hex::encode(&sealed[plaintext.len()..]),
                "c0875924c1c7987947deafd8780acf49",
                "{each:?}"
            );
        });
    }

    #[test]
    fn both_ciphers_round_trip_and_refuse_tampering_on_every_backend() {
        let plaintext: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
        each_backend(|each| {
            let aes = Aes256Gcm::new(&[3; 32]);
            let xchacha = XChaCha20Poly1305::new(&[3; 32]);
            let sealed_aes = aes.encrypt(&[1; 12], b"ad", &plaintext).unwrap();
            let sealed_x = xchacha.encrypt(&[1; 24], b"ad", &plaintext).unwrap();
            assert_eq!(
                aes.decrypt(&[1; 12], b"ad", &sealed_aes).unwrap(),
                plaintext
            );
            assert_eq!(
                xchacha.decrypt(&[1; 24], b"ad", &sealed_x).unwrap(),
                plaintext
            );
            for i in [0, 500, sealed_aes.len() - 1] {
                let mut bad = sealed_aes.clone();
                bad[i] ^= 1;
                assert_eq!(
                    aes.decrypt(&[1; 12], b"ad", &bad),
                    Err(AeadError::Authentication),
                    "{each:?}"
                );
                let mut bad = sealed_x.clone();
                bad[i] ^= 1;
                assert_eq!(
                    xchacha.decrypt(&[1; 24], b"ad", &bad),
                    Err(AeadError::Authentication),
                    "{each:?}"
                );
            }
            assert_eq!(
                aes.decrypt(&[1; 12], b"", &[0; 15]),
                Err(AeadError::TooShort)
            );
            let mut buffer = sealed_x[..plaintext.len()].to_vec();
            let result =
                xchacha.decrypt_in_place_detached(&[2; 24], b"ad", &mut buffer, &[0; TAG_LEN]);
            assert_eq!(result, Err(AeadError::Authentication));
            assert!(buffer.iter().all(|&b| b == 0), "a refused buffer is wiped");
        });
    }

    #[test]
    fn the_backends_agree_byte_for_byte() {
        // Short and long messages (the native backend hands long XChaCha20 messages to
        // RustCrypto when its AVX-512 code is compiled in).
        let long: Vec<u8> = (0..40_000u32).map(|i| (i * 7) as u8).collect();
        let mut long_outputs = Vec::new();
        each_backend(|each| {
            let cipher = XChaCha20Poly1305::new(&[8; 32]);
            let sealed = cipher.encrypt(&[4; 24], b"ad", &long).unwrap();
            assert_eq!(cipher.decrypt(&[4; 24], b"ad", &sealed).unwrap(), long);
            let mut bad = sealed.clone();
            bad[30_000] ^= 4;
            assert_eq!(
                cipher.decrypt(&[4; 24], b"ad", &bad),
                Err(AeadError::Authentication),
                "{each:?}"
            );
            long_outputs.push(sealed);
        });
        assert!(long_outputs.windows(2).all(|pair| pair[0] == pair[1]));

        let mut outputs = Vec::new();
        each_backend(|_| {
            outputs.push((
                Aes256Gcm::new(&[5; 32])
                    .encrypt(&[6; 12], b"x", b"message")
                    .unwrap(),
                XChaCha20Poly1305::new(&[5; 32])
                    .encrypt(&[6; 24], b"x", b"message")
                    .unwrap(),
            ));
        });
        assert!(outputs.windows(2).all(|pair| pair[0] == pair[1]));
    }
}
