//! A client reading hostile service-node (v3) replies: never panics. Odd-tagged inputs are
//! sealed to the client first, so the fuzzer reaches the decrypted JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_identity::rand_core::{CryptoRng, Error, RngCore};
use session_identity::X25519SecretKey;
use session_onion::{hop_encrypt, EncType, PathFailure, ResponseContext, Role};

struct Counter(u8);
impl RngCore for Counter {
    fn next_u32(&mut self) -> u32 {
        7
    }
    fn next_u64(&mut self) -> u64 {
        7
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        dest.iter_mut().for_each(|b| {
            self.0 = self.0.wrapping_add(1);
            *b = self.0
        });
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}
impl CryptoRng for Counter {}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn b64(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(BASE64[(n >> (18 - 6 * i) & 63) as usize]);
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let destination = X25519SecretKey::from_bytes([3; 32]);
    let enc = if mode & 2 == 0 { EncType::AesGcm } else { EncType::XChaCha20 };
    let context =
        ResponseContext::new(enc, destination.public_key(), X25519SecretKey::from_bytes([5; 32]));
    let _ = PathFailure::classify(Some(u16::from(mode) * 2), rest);
    if mode & 1 == 0 {
        let _ = context.decode_service_node_response(rest);
        return;
    }
    // The destination answers with `rest` as its JSON (sealed with AES-GCM when mode & 4, to
    // exercise the retry).
    let sealed_with = if mode & 4 == 0 { enc } else { EncType::AesGcm };
    let Ok(ct) = hop_encrypt(
        sealed_with,
        Role::Server,
        &destination,
        context.final_x25519_public_key(),
        rest,
        &mut Counter(mode),
    ) else {
        return;
    };
    let text = b64(&ct);
    let _ = context.decode_service_node_response(&text);
    let mut wrapped = br#"{"result":""#.to_vec();
    wrapped.extend_from_slice(&text);
    wrapped.extend_from_slice(b"\"}");
    let _ = context.decode_service_node_response(&wrapped);
});
