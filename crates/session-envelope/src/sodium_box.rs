//! libsodium's public-key box and sealed box, over session-identity's X25519.
//!
//! ```text
//! k          = HSalsa20(X25519(sk, pk), 0^16)                       crypto_box_beforenm
//! box        = tag(16) ‖ XSalsa20(k, nonce, m)                      crypto_box_easy
//! sealed box = E ‖ box(m; nonce = BLAKE2b-24(E ‖ Y), pk = Y, sk = e) crypto_box_seal
//! ```
//!
//! The X25519 exchange multiplies by the clamped scalar itself (a multiple of 8, not reduced
//! modulo the group order), as libsodium does, so a peer key with a small-order component gives
//! libsodium's shared secret. An exchange that gives the all-zero secret is refused, exactly
//! when libsodium's `crypto_scalarmult` (and so `crypto_box_beforenm`) fails: the peer key has
//! small order.

use alloc::vec::Vec;

use poly1305::universal_hash::KeyInit;
use poly1305::Poly1305;
use rand_core::CryptoRng;
use salsa20::cipher::consts::U10;
use salsa20::cipher::{KeyIvInit, StreamCipher};
use salsa20::XSalsa20;
use session_identity::hash::blake2b_parts;
use session_identity::{X25519PublicKey, X25519SecretKey};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// Length of an X25519 public key.
pub(crate) const PUBLIC_KEY_LEN: usize = 32;
/// Length of the Poly1305 tag (`crypto_box_MACBYTES`).
pub(crate) const MAC_LEN: usize = 16;
/// Length of a box nonce (`crypto_box_NONCEBYTES`).
pub(crate) const NONCE_LEN: usize = 24;
/// Bytes a sealed box adds to its message (`crypto_box_SEALBYTES`): ephemeral key and tag.
pub(crate) const SEAL_OVERHEAD: usize = PUBLIC_KEY_LEN + MAC_LEN;

/// Why a box could not be made or opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BoxError {
    /// The peer's X25519 key has small order: the exchange gave the all-zero secret.
    WeakKey,
    /// The box is too short or its tag does not verify (or, sealing, the buffer has no room
    /// for the header).
    Forged,
}

/// `crypto_box_beforenm`: `HSalsa20(X25519(secret, peer), 0^16)`, the secretbox key. The shared
/// secret is wiped, and so is the key when the caller drops it.
fn beforenm(
    secret: &X25519SecretKey,
    peer: &X25519PublicKey,
) -> Result<Zeroizing<[u8; 32]>, BoxError> {
    let shared = secret.diffie_hellman(peer).map_err(|_| BoxError::WeakKey)?;
    let derived = Zeroizing::new(salsa20::hsalsa::<U10>(
        shared.expose_secret_bytes().into(),
        &Default::default(),
    ));
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(&derived);
    Ok(key)
}

/// The XSalsa20 keystream of `crypto_secretbox` positioned after its first 32 bytes, and the
/// Poly1305 authenticator keyed with those 32 bytes (NaCl's construction). The one-time key is
/// wiped; the cipher and the authenticator wipe their state on drop.
fn secretbox_cipher(key: &[u8; 32], nonce: &[u8; NONCE_LEN]) -> (XSalsa20, Poly1305) {
    let mut cipher = XSalsa20::new(key.into(), nonce.into());
    let mut one_time_key = Zeroizing::new([0u8; 32]);
    cipher.apply_keystream(one_time_key.as_mut());
    let authenticator = Poly1305::new((&*one_time_key).into());
    (cipher, authenticator)
}

/// `crypto_box_easy` in place: `buffer` is [`MAC_LEN`] bytes of room followed by the message,
/// and becomes `tag ‖ ciphertext`.
fn box_easy_in_place(
    buffer: &mut [u8],
    nonce: &[u8; NONCE_LEN],
    peer: &X25519PublicKey,
    secret: &X25519SecretKey,
) -> Result<(), BoxError> {
    if buffer.len() < MAC_LEN {
        return Err(BoxError::Forged);
    }
    let key = beforenm(secret, peer)?;
    let (mut cipher, authenticator) = secretbox_cipher(&key, nonce);
    let (tag_slot, body) = buffer.split_at_mut(MAC_LEN);
    cipher.apply_keystream(body);
    tag_slot.copy_from_slice(&authenticator.compute_unpadded(body));
    Ok(())
}

/// `crypto_box_open_easy`: opens `tag ‖ ciphertext` and returns the message. The tag is checked
/// in constant time before anything is decrypted.
fn box_open_easy(
    boxed: &[u8],
    nonce: &[u8; NONCE_LEN],
    peer: &X25519PublicKey,
    secret: &X25519SecretKey,
) -> Result<Vec<u8>, BoxError> {
    if boxed.len() < MAC_LEN {
        return Err(BoxError::Forged);
    }
    let key = beforenm(secret, peer)?;
    let (mut cipher, authenticator) = secretbox_cipher(&key, nonce);
    let (tag, body) = boxed.split_at(MAC_LEN);
    let expected = authenticator.compute_unpadded(body);
    if !bool::from(expected.as_slice().ct_eq(tag)) {
        return Err(BoxError::Forged);
    }
    let mut message = body.to_vec();
    cipher.apply_keystream(&mut message);
    Ok(message)
}

/// `BLAKE2b-24(ephemeral ‖ recipient)`, the implicit nonce of a sealed box.
fn seal_nonce(ephemeral: &[u8; 32], recipient: &[u8; 32]) -> [u8; NONCE_LEN] {
    blake2b_parts::<NONCE_LEN>(&[ephemeral, recipient])
}

/// `crypto_box_seal` in place with a given ephemeral secret: `buffer` is [`SEAL_OVERHEAD`]
/// bytes of room followed by the message, and becomes `E ‖ tag ‖ ciphertext`.
pub(crate) fn seal_in_place_with_ephemeral(
    buffer: &mut [u8],
    recipient: &X25519PublicKey,
    ephemeral: &X25519SecretKey,
) -> Result<(), BoxError> {
    if buffer.len() < SEAL_OVERHEAD {
        return Err(BoxError::Forged);
    }
    let ephemeral_public = ephemeral.public_key();
    let nonce = seal_nonce(ephemeral_public.as_bytes(), recipient.as_bytes());
    let (key_slot, boxed) = buffer.split_at_mut(PUBLIC_KEY_LEN);
    box_easy_in_place(boxed, &nonce, recipient, ephemeral)?;
    key_slot.copy_from_slice(ephemeral_public.as_bytes());
    Ok(())
}

/// `crypto_box_seal` in place (layout as [`seal_in_place_with_ephemeral`]). Draws exactly 32
/// bytes from `rng`, the ephemeral secret, as libsodium's `crypto_box_keypair` does; the secret
/// is wiped on return.
pub(crate) fn seal_in_place(
    buffer: &mut [u8],
    recipient: &X25519PublicKey,
    rng: &mut impl CryptoRng,
) -> Result<(), BoxError> {
    let ephemeral = X25519SecretKey::generate(rng);
    seal_in_place_with_ephemeral(buffer, recipient, &ephemeral)
}

/// `crypto_box_seal_open`: opens `E ‖ tag ‖ ciphertext` sealed to `public` (whose secret is
/// `secret`) and returns the message.
pub(crate) fn seal_open(
    sealed: &[u8],
    secret: &X25519SecretKey,
    public: &X25519PublicKey,
) -> Result<Vec<u8>, BoxError> {
    if sealed.len() < SEAL_OVERHEAD {
        return Err(BoxError::Forged);
    }
    let (key_bytes, boxed) = sealed.split_at(PUBLIC_KEY_LEN);
    let mut ephemeral = [0u8; PUBLIC_KEY_LEN];
    ephemeral.copy_from_slice(key_bytes);
    let nonce = seal_nonce(&ephemeral, public.as_bytes());
    box_open_easy(
        boxed,
        &nonce,
        &X25519PublicKey::from_bytes(ephemeral),
        secret,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT, EIGHT_TORSION};
    use curve25519_dalek::scalar::{clamp_integer, Scalar};

    fn seal(message: &[u8], recipient: &X25519PublicKey, ephemeral: &[u8; 32]) -> Vec<u8> {
        let mut buffer = alloc::vec![0u8; SEAL_OVERHEAD];
        buffer.extend_from_slice(message);
        seal_in_place_with_ephemeral(
            &mut buffer,
            recipient,
            &X25519SecretKey::from_bytes(*ephemeral),
        )
        .map(|()| buffer)
        .unwrap()
    }

    /// The X25519 keys libsodium refuses (its `crypto_scalarmult` gives all zeros): u = 0, 1,
    /// -1, the two order-8 points, and the non-canonical p and p + 1, each with the top bit
    /// clear or set. The envelope used to keep this list; the zero-secret check now covers it.
    fn small_order_keys() -> Vec<[u8; 32]> {
        let mut keys: Vec<[u8; 32]> = EIGHT_TORSION
            .iter()
            .map(|t| t.to_montgomery().to_bytes())
            .collect();
        let mut p = [0xff; 32];
        p[31] = 0x7f;
        for low in [0xec, 0xed, 0xee] {
            p[0] = low;
            keys.push(p);
        }
        keys.push({
            let mut one = [0u8; 32];
            one[0] = 1;
            one
        });
        let with_top_bit: Vec<[u8; 32]> = keys
            .iter()
            .map(|k| {
                let mut k = *k;
                k[31] |= 0x80;
                k
            })
            .collect();
        keys.extend(with_top_bit);
        keys
    }

    #[test]
    fn small_order_keys_are_refused_both_ways() {
        let secret = X25519SecretKey::from_bytes([0x42; 32]);
        let public = secret.public_key();
        let honest = seal(b"hello", &public, &[7; 32]);
        for key in small_order_keys() {
            let peer = X25519PublicKey::from_bytes(key);
            let mut buffer = [0u8; SEAL_OVERHEAD + 3];
            assert_eq!(
                seal_in_place_with_ephemeral(&mut buffer, &peer, &secret),
                Err(BoxError::WeakKey),
                "{key:02x?}"
            );
            let mut forged = honest.clone();
            forged[..32].copy_from_slice(&key);
            assert_eq!(
                seal_open(&forged, &secret, &public),
                Err(BoxError::WeakKey),
                "{key:02x?}"
            );
        }
    }

    #[test]
    fn round_trip_tag_first_and_lengths() {
        let secret = X25519SecretKey::from_bytes([0x42; 32]);
        let public = secret.public_key();
        let sealed = seal(b"hello", &public, &[7; 32]);
        assert_eq!(sealed.len(), 5 + SEAL_OVERHEAD);
        assert_eq!(
            &sealed[..32],
            X25519SecretKey::from_bytes([7; 32]).public_key().as_bytes()
        );
        assert_eq!(seal_open(&sealed, &secret, &public).unwrap(), b"hello");
        // Any flipped bit, in the key, the tag or the body, is refused.
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 1;
            assert!(seal_open(&bad, &secret, &public).is_err(), "byte {i}");
        }
        for len in 0..SEAL_OVERHEAD {
            assert_eq!(
                seal_open(&sealed[..len], &secret, &public),
                Err(BoxError::Forged)
            );
        }
        let mut short = [0u8; SEAL_OVERHEAD - 1];
        assert_eq!(
            seal_in_place_with_ephemeral(&mut short, &public, &secret),
            Err(BoxError::Forged)
        );
        // The empty message.
        let empty = seal(b"", &public, &[9; 32]);
        assert_eq!(seal_open(&empty, &secret, &public).unwrap(), b"");
    }

    /// An ephemeral key with an order-8 component: libsodium's clamped scalar is a multiple of
    /// 8, so the component vanishes and the box opens with the sender's shared secret.
    #[test]
    fn torsion_component_in_the_ephemeral_key_vanishes() {
        let secret = X25519SecretKey::from_bytes([0x42; 32]);
        let public = secret.public_key();
        let e = [0x17u8; 32];
        let e_point = ED25519_BASEPOINT_POINT * Scalar::from_bytes_mod_order(clamp_integer(e));
        assert_eq!(
            e_point.to_montgomery().to_bytes(),
            X25519SecretKey::from_bytes(e).public_key().to_bytes()
        );
        for torsion in &EIGHT_TORSION[1..] {
            let crafted = (e_point + torsion).to_montgomery().to_bytes();
            let nonce = seal_nonce(&crafted, public.as_bytes());
            let mut boxed = alloc::vec![0u8; MAC_LEN];
            boxed.extend_from_slice(b"torsion");
            box_easy_in_place(&mut boxed, &nonce, &public, &X25519SecretKey::from_bytes(e))
                .unwrap();
            let mut sealed = crafted.to_vec();
            sealed.extend_from_slice(&boxed);
            assert_eq!(seal_open(&sealed, &secret, &public).unwrap(), b"torsion");
        }
    }
}
