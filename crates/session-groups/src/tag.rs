//! Poly1305 (RFC 8439) for the few-block tags of a keys message's entries.
//!
//! A member tries its key on every entry of a keys message: one Poly1305 tag over three blocks
//! per entry. The `poly1305` crate's AVX2 backend pays a fixed cost on every finalisation that
//! is larger than the whole tag here, so these tags are computed with 44/44/42-bit limbs in
//! `u64`, products in `u128`: constant time (no branch or index depends on the key or the data),
//! checked against the `poly1305` crate in the tests.

use zeroize::Zeroize;

const MASK44: u64 = (1 << 44) - 1;
const MASK42: u64 = (1 << 42) - 1;

/// A keyed Poly1305 state fed with whole 16-byte blocks ([`update_padded`](Self::update_padded)
/// pads with zeros, as the AEAD construction does). Cloning a keyed state is how one key tags
/// several messages. Wiped on drop.
#[derive(Clone)]
pub(crate) struct ShortPoly1305 {
    r: [u64; 3],
    pad: [u64; 2],
    h: [u64; 3],
}

impl Drop for ShortPoly1305 {
    fn drop(&mut self) {
        self.r.zeroize();
        self.pad.zeroize();
        self.h.zeroize();
    }
}

fn le64(bytes: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&bytes[..8]);
    u64::from_le_bytes(word)
}

impl ShortPoly1305 {
    /// The state for the one-time key `key` (`r ‖ s`; `r` is clamped here).
    pub(crate) fn new(key: &[u8; 32]) -> Self {
        let t0 = le64(&key[0..8]);
        let t1 = le64(&key[8..16]);
        Self {
            r: [
                t0 & 0xffc_0fff_ffff,
                ((t0 >> 44) | (t1 << 20)) & 0xfff_ffc0_ffff,
                (t1 >> 24) & 0x00f_ffff_fc0f,
            ],
            pad: [le64(&key[16..24]), le64(&key[24..32])],
            h: [0; 3],
        }
    }

    fn block(&mut self, block: &[u8; 16]) {
        let [r0, r1, r2] = self.r;
        let s1 = r1 * (5 << 2);
        let s2 = r2 * (5 << 2);
        let t0 = le64(&block[0..8]);
        let t1 = le64(&block[8..16]);
        let mut h0 = self.h[0] + (t0 & MASK44);
        let mut h1 = self.h[1] + (((t0 >> 44) | (t1 << 20)) & MASK44);
        let mut h2 = self.h[2] + (((t1 >> 24) & MASK42) | (1 << 40));

        let m = |a: u64, b: u64| u128::from(a) * u128::from(b);
        let d0 = m(h0, r0) + m(h1, s2) + m(h2, s1);
        let mut d1 = m(h0, r1) + m(h1, r0) + m(h2, s2);
        let mut d2 = m(h0, r2) + m(h1, r1) + m(h2, r0);

        d1 += d0 >> 44;
        h0 = (d0 as u64) & MASK44;
        d2 += d1 >> 44;
        h1 = (d1 as u64) & MASK44;
        let carry = (d2 >> 42) as u64;
        h2 = (d2 as u64) & MASK42;
        h0 += carry * 5;
        h1 += h0 >> 44;
        h0 &= MASK44;
        self.h = [h0, h1, h2];
    }

    /// Absorbs `data` as whole blocks, the last one padded with zeros.
    pub(crate) fn update_padded(&mut self, data: &[u8]) {
        let mut chunks = data.chunks_exact(16);
        for chunk in &mut chunks {
            let mut block = [0u8; 16];
            block.copy_from_slice(chunk);
            self.block(&block);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut block = [0u8; 16];
            block[..rest.len()].copy_from_slice(rest);
            self.block(&block);
        }
    }

    /// The 16-byte tag.
    pub(crate) fn finalize(mut self) -> [u8; 16] {
        let [mut h0, mut h1, mut h2] = self.h;
        // Carry fully: two rounds bring every limb within its width.
        let mut c;
        for _ in 0..2 {
            c = h1 >> 44;
            h1 &= MASK44;
            h2 += c;
            c = h2 >> 42;
            h2 &= MASK42;
            h0 += c * 5;
            c = h0 >> 44;
            h0 &= MASK44;
            h1 += c;
        }

        // g = h + 5 - 2^130; keep it when it does not borrow (h >= p).
        let mut g0 = h0 + 5;
        c = g0 >> 44;
        g0 &= MASK44;
        let mut g1 = h1 + c;
        c = g1 >> 44;
        g1 &= MASK44;
        let g2 = (h2 + c).wrapping_sub(1 << 42);
        let keep_g = (g2 >> 63).wrapping_sub(1);
        h0 = (h0 & !keep_g) | (g0 & keep_g);
        h1 = (h1 & !keep_g) | (g1 & keep_g);
        h2 = (h2 & !keep_g) | (g2 & keep_g);

        // h + s mod 2^128.
        let [s0, s1] = self.pad;
        h0 += s0 & MASK44;
        c = h0 >> 44;
        h0 &= MASK44;
        h1 += (((s0 >> 44) | (s1 << 20)) & MASK44) + c;
        c = h1 >> 44;
        h1 &= MASK44;
        h2 += ((s1 >> 24) & MASK42) + c;
        h2 &= MASK42;

        let low = h0 | (h1 << 44);
        let high = (h1 >> 20) | (h2 << 24);
        let mut tag = [0u8; 16];
        tag[..8].copy_from_slice(&low.to_le_bytes());
        tag[8..].copy_from_slice(&high.to_le_bytes());
        self.h = [0; 3];
        tag
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use poly1305::universal_hash::{KeyInit, UniversalHash};
    use proptest::prelude::*;

    fn reference(key: &[u8; 32], parts: &[&[u8]]) -> [u8; 16] {
        let mut mac = poly1305::Poly1305::new(key.into());
        for part in parts {
            mac.update_padded(part);
        }
        mac.finalize().into()
    }

    fn ours(key: &[u8; 32], parts: &[&[u8]]) -> [u8; 16] {
        let mut mac = ShortPoly1305::new(key);
        for part in parts {
            mac.update_padded(part);
        }
        mac.finalize()
    }

    #[test]
    fn rfc8439_aead_tag() {
        // RFC 8439 §2.8.2: the one-time key and the AEAD's padded input (aad, ciphertext,
        // lengths) give the tag 1ae10b594f09e26a7e902ecbd0600691.
        let key: [u8; 32] =
            hex::decode("7bac2b252db447af09b67a55a4e955840ae1d6731075d9eb2a9375783ed553ff")
                .unwrap()
                .try_into()
                .unwrap();
        let aad = hex::decode("50515253c0c1c2c3c4c5c6c7").unwrap();
        let ciphertext = hex::decode(concat!(
            "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6",
            "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36",
            "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc",
            "3ff4def08e4b7a9de576d26586cec64b6116"
        ))
        .unwrap();
        let mut lengths = [0u8; 16];
        lengths[..8].copy_from_slice(&(aad.len() as u64).to_le_bytes());
        lengths[8..].copy_from_slice(&(ciphertext.len() as u64).to_le_bytes());
        let tag = ours(&key, &[&aad, &ciphertext, &lengths]);
        assert_eq!(hex::encode(tag), "1ae10b594f09e26a7e902ecbd0600691");
    }

    #[test]
    fn extreme_keys_and_blocks_agree_with_the_poly1305_crate() {
        // All-ones blocks and keys push every limb to its carry limits; h close to p tests
        // the final reduction.
        for key in [[0u8; 32], [0xff; 32], {
            let mut k = [0xffu8; 32];
            k[16..].fill(0);
            k
        }] {
            for len in [0usize, 1, 15, 16, 17, 48, 64, 160] {
                let ones = vec![0xffu8; len];
                assert_eq!(ours(&key, &[&ones]), reference(&key, &[&ones]), "{len}");
            }
        }
    }

    proptest! {
        #[test]
        fn agrees_with_the_poly1305_crate(
            key in any::<[u8; 32]>(),
            a in proptest::collection::vec(any::<u8>(), 0..100),
            b in proptest::collection::vec(any::<u8>(), 0..100),
        ) {
            prop_assert_eq!(ours(&key, &[&a, &b]), reference(&key, &[&a, &b]));
            let keyed = ShortPoly1305::new(&key);
            let mut clone = keyed.clone();
            clone.update_padded(&a);
            prop_assert_eq!(clone.finalize(), reference(&key, &[&a]));
        }
    }
}
