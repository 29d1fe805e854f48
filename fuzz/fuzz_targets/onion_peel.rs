//! A node peeling hostile onion layers: never panics. Half the inputs are peeled as received;
//! the other half are first sealed as a valid layer for the node, so the fuzzer reaches the
//! decrypted framing and routing JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_identity::rand_core::{CryptoRng, Error, RngCore};
use session_identity::X25519SecretKey;
use session_onion::{hop_encrypt, EncType, LayerFrame, NodeKeys, Role};

/// Deterministic bytes: fuzzing needs reproducible inputs, not secrecy.
struct Counter(u8);
impl RngCore for Counter {
    fn next_u32(&mut self) -> u32 {
        u32::from(self.next())
    }
    fn next_u64(&mut self) -> u64 {
        u64::from(self.next())
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        dest.iter_mut().for_each(|b| *b = self.next());
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}
impl Counter {
    fn next(&mut self) -> u8 {
        self.0 = self.0.wrapping_add(1);
        self.0
    }
}
impl CryptoRng for Counter {}

fuzz_target!(|data: &[u8]| {
    let node = NodeKeys::new(X25519SecretKey::from_bytes([7; 32]));
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        let _ = node.peel(rest);
        if let Ok(frame) = LayerFrame::parse(rest) {
            let _ = frame.routing();
        }
        return;
    }
    // Seal `rest` as the plaintext of a layer addressed to this node.
    let enc = if mode & 2 == 0 { EncType::AesGcm } else { EncType::XChaCha20 };
    let client = X25519SecretKey::from_bytes([9; 32]);
    let Ok(ct) = hop_encrypt(enc, Role::Client, &client, node.public_key(), rest, &mut Counter(mode))
    else {
        return;
    };
    let json = format!(
        r#"{{"enc_type":"{}","ephemeral_key":"{}"}}"#,
        enc.as_str(),
        client.public_key().to_hex()
    );
    let mut body = (ct.len() as u32).to_le_bytes().to_vec();
    body.extend_from_slice(&ct);
    body.extend_from_slice(json.as_bytes());
    let opened = node.open(&body).expect("a sealed layer opens");
    assert_eq!(opened.payload(), rest);
    if let Ok(layer) = opened.peel() {
        let _ = layer.next_hop_body();
        let _ = (layer.inner(), layer.routing_json());
    }
});
