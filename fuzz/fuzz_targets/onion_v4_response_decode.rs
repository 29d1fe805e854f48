//! A client reading hostile v4 (server) replies: the bencode reader and the info JSON never
//! panic, whether given directly or sealed to the client.
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_identity::rand_core::{CryptoRng, Error, RngCore};
use session_identity::X25519SecretKey;
use session_onion::{decode_v4_response, hop_encrypt, EncType, ResponseContext, Role};

struct Fixed;
impl RngCore for Fixed {
    fn next_u32(&mut self) -> u32 {
        7
    }
    fn next_u64(&mut self) -> u64 {
        7
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        dest.fill(7)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        dest.fill(7);
        Ok(())
    }
}
impl CryptoRng for Fixed {}

fuzz_target!(|data: &[u8]| {
    if let Ok(response) = decode_v4_response(data) {
        let _ = response.status;
    }
    let destination = X25519SecretKey::from_bytes([3; 32]);
    let context = ResponseContext::new(
        EncType::XChaCha20,
        destination.public_key(),
        X25519SecretKey::from_bytes([5; 32]),
    );
    let _ = context.decode_server_response(data);
    if let Ok(ct) = hop_encrypt(
        EncType::XChaCha20,
        Role::Server,
        &destination,
        context.final_x25519_public_key(),
        data,
        &mut Fixed,
    ) {
        let direct = decode_v4_response(data);
        assert_eq!(context.decode_server_response(&ct), direct);
    }
});
