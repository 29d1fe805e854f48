//! libsodium's `crypto_secretstream_xchacha20poly1305`, byte for byte, on the RustCrypto
//! ChaCha20 and Poly1305 primitives, with the header supplied by the caller (the deterministic
//! attachment scheme derives it instead of drawing it at random).
//!
//! Per message (`m`, no additional data, `tag`):
//!
//! * `block0 = ChaCha20(k, nonce, counter 0)`: its first 32 bytes key Poly1305;
//! * `t = ChaCha20(k, nonce, counter 1) ⊕ (tag ‖ 0⁶³)`, of which only the first byte is sent;
//! * `c = ChaCha20(k, nonce, counter 2…) ⊕ m`;
//! * `mac = Poly1305(pad16(ad) ‖ t(64) ‖ c ‖ 0^(|m| mod 16) ‖ LE64(|ad|) ‖ LE64(64 + |m|))`
//!   (libsodium's padding after `c` is `|m| mod 16` zero bytes, not a pad to 16);
//! * output `t[0] ‖ c ‖ mac`; then the last 8 nonce bytes are XORed with `mac[0..8]`, the
//!   32-bit counter is incremented, and the state is rekeyed after a `REKEY`/`FINAL` tag or when
//!   the counter wraps.
//!
//! `k = HChaCha20(key, header[0..16])` and `nonce = LE32(1) ‖ header[16..24]` at the start.

use chacha20::cipher::{KeyIvInit, StreamCipher};
use chacha20::{hchacha, ChaCha20, R20};
use poly1305::universal_hash::{KeyInit, UniversalHash};
use poly1305::Poly1305;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Header length (`crypto_secretstream_xchacha20poly1305_HEADERBYTES`).
pub const HEADER_LEN: usize = 24;
/// Key length (`crypto_secretstream_xchacha20poly1305_KEYBYTES`).
pub const KEY_LEN: usize = 32;
/// Bytes added to every message: the encrypted tag and the MAC
/// (`crypto_secretstream_xchacha20poly1305_ABYTES`).
pub const ABYTES: usize = 17;

/// An ordinary message.
pub const TAG_MESSAGE: u8 = 0;
/// The end of a set of messages.
pub const TAG_PUSH: u8 = 1;
/// Rekey after this message.
pub const TAG_REKEY: u8 = 2;
/// The last message (`PUSH | REKEY`).
pub const TAG_FINAL: u8 = TAG_PUSH | TAG_REKEY;

const MAC_LEN: usize = 16;

/// The message failed authentication: wrong key, wrong header or altered bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Forged;

/// The state of one direction of a stream (push or pull: they are the same state).
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct SecretStream {
    key: [u8; 32],
    /// `counter (LE32) ‖ inonce (8)`.
    nonce: [u8; 12],
}

impl core::fmt::Debug for SecretStream {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SecretStream { .. }")
    }
}

impl SecretStream {
    /// The state `init_push` / `init_pull` set up for `key` and `header`.
    pub(crate) fn new(key: &[u8; KEY_LEN], header: &[u8; HEADER_LEN]) -> Self {
        let mut input = [0u8; 16];
        input.copy_from_slice(&header[..16]);
        let mut subkey = hchacha::<R20>(&(*key).into(), &input.into());
        let mut nonce = [0u8; 12];
        nonce[0] = 1;
        nonce[4..].copy_from_slice(&header[16..]);
        let mut stream = Self {
            key: [0; 32],
            nonce,
        };
        stream.key.copy_from_slice(&subkey);
        subkey.zeroize();
        stream
    }

    fn cipher(&self) -> ChaCha20 {
        ChaCha20::new(&self.key.into(), &self.nonce.into())
    }

    /// Starts one message: a single ChaCha20 run over blocks 0 and 1 (block 0 keys Poly1305,
    /// block 1 XORed with `(first ‖ 0⁶³)` is the tag block), left at block 2 for the message.
    /// Returns the cipher, the Poly1305 instance (not yet fed) and the tag block.
    fn begin(&self, first: u8) -> (ChaCha20, Poly1305, [u8; 64]) {
        let mut cipher = self.cipher();
        let mut head = [0u8; 128];
        head[64] = first;
        cipher.apply_keystream(&mut head);
        let mut mac_key = [0u8; 32];
        mac_key.copy_from_slice(&head[..32]);
        let mac = Poly1305::new(&mac_key.into());
        let mut tag_block = [0u8; 64];
        tag_block.copy_from_slice(&head[64..]);
        head.zeroize();
        mac_key.zeroize();
        (cipher, mac, tag_block)
    }

    fn mac_finish(mut mac: Poly1305, ciphertext: &[u8]) -> [u8; MAC_LEN] {
        let whole = ciphertext.len() / 16 * 16;
        // Whole blocks: nothing to pad.
        mac.update_padded(&ciphertext[..whole]);
        let rest = &ciphertext[whole..];
        // libsodium follows the ciphertext with `(0x10 - 64 + mlen) & 0xf` zero bytes, which is
        // `mlen mod 16` (not the complement to 16), then the two lengths, and MACs the whole as
        // an unpadded byte string.
        let zeros = ciphertext.len() & 0xf;
        let mut tail = [0u8; 48];
        tail[..rest.len()].copy_from_slice(rest);
        let mut end = rest.len() + zeros;
        // |ad| = 0, then 64 + |m|.
        end += 8;
        tail[end..end + 8].copy_from_slice(&(64 + ciphertext.len() as u64).to_le_bytes());
        end += 8;
        mac.compute_unpadded(&tail[..end]).into()
    }

    /// After a message: mix the MAC into the nonce, count, and rekey when due.
    fn advance(&mut self, mac: &[u8; MAC_LEN], tag: u8) {
        for (n, m) in self.nonce[4..].iter_mut().zip(&mac[..8]) {
            *n ^= m;
        }
        let counter =
            u32::from_le_bytes([self.nonce[0], self.nonce[1], self.nonce[2], self.nonce[3]])
                .wrapping_add(1);
        self.nonce[..4].copy_from_slice(&counter.to_le_bytes());
        if tag & TAG_REKEY != 0 || counter == 0 {
            self.rekey();
        }
    }

    /// `crypto_secretstream_xchacha20poly1305_rekey`.
    fn rekey(&mut self) {
        let mut material = [0u8; 40];
        material[..32].copy_from_slice(&self.key);
        material[32..].copy_from_slice(&self.nonce[4..]);
        self.cipher().apply_keystream(&mut material);
        self.key.copy_from_slice(&material[..32]);
        self.nonce[4..].copy_from_slice(&material[32..]);
        self.nonce[..4].copy_from_slice(&1u32.to_le_bytes());
        material.zeroize();
    }

    /// Encrypts `message` with `tag` into `out`, which must be `message.len() + ABYTES` long.
    pub(crate) fn push(&mut self, message: &[u8], tag: u8, out: &mut [u8]) {
        debug_assert_eq!(out.len(), message.len() + ABYTES);
        let (mut cipher, mut mac, mut tag_block) = self.begin(tag);
        out[0] = tag_block[0];
        // No additional data: its padded absorption is empty.
        mac.update_padded(&tag_block);
        tag_block.zeroize();
        let (body, mac_out) = out[1..].split_at_mut(message.len());
        // Same lengths by construction: the keystream goes from `message` straight into `body`.
        if cipher.try_apply_keystream_b2b(message, body).is_err() {
            body.copy_from_slice(message);
            cipher.apply_keystream(body);
        }
        let tag_mac = Self::mac_finish(mac, body);
        mac_out.copy_from_slice(&tag_mac);
        self.advance(&tag_mac, tag);
    }

    /// Authenticates and decrypts `input` (at least `ABYTES` long) into `out`
    /// (`input.len() - ABYTES` long), returning the tag. On failure `out` is zeroed and the
    /// state is unchanged.
    pub(crate) fn pull(&mut self, input: &[u8], out: &mut [u8]) -> Result<u8, Forged> {
        if input.len() < ABYTES || out.len() != input.len() - ABYTES {
            return Err(Forged);
        }
        let (body, mac_in) = input[1..].split_at(input.len() - ABYTES);
        let (mut cipher, mut mac, mut tag_block) = self.begin(input[0]);
        let tag = tag_block[0];
        // The MAC covers the tag block as sent: the encrypted tag byte, then keystream.
        tag_block[0] = input[0];
        mac.update_padded(&tag_block);
        tag_block.zeroize();
        let expected = Self::mac_finish(mac, body);
        if !bool::from(expected.ct_eq(mac_in)) {
            out.zeroize();
            return Err(Forged);
        }
        // Same lengths (checked above): the keystream goes from `body` straight into `out`.
        if cipher.try_apply_keystream_b2b(body, out).is_err() {
            out.copy_from_slice(body);
            cipher.apply_keystream(out);
        }
        self.advance(&expected, tag);
        Ok(tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_tags_and_tampering() {
        let key = [7u8; 32];
        let header = [9u8; 24];
        let mut push = SecretStream::new(&key, &header);
        let mut pull = SecretStream::new(&key, &header);
        let messages: [(&[u8], u8); 4] = [
            (b"", TAG_MESSAGE),
            (b"hello", TAG_PUSH),
            (&[0xab; 200], TAG_REKEY),
            (b"end", TAG_FINAL),
        ];
        for (m, tag) in messages {
            let mut c = alloc::vec![0u8; m.len() + ABYTES];
            push.push(m, tag, &mut c);
            let mut bad = c.clone();
            bad[c.len() / 2] ^= 1;
            let mut out = alloc::vec![0u8; m.len()];
            assert_eq!(pull.pull(&bad, &mut out), Err(Forged));
            assert_eq!(pull.pull(&c, &mut out), Ok(tag));
            assert_eq!(out, m);
        }
    }
}
