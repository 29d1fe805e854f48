//! The request-signing vectors the reference publishes: session-pysogs
//! `contrib/auth-example.py` (printed output) and session-desktop
//! `ts/test/session/unit/crypto/OpenGroupAuthentication_test.ts`. Unblinded signatures are
//! plain Ed25519 and compared byte for byte; for blinded ones the key is compared, and the
//! reference's signatures must verify over the bytes this crate signs (their nonces differ
//! from libsession's, so the signatures themselves differ).
#![allow(clippy::unwrap_used)]

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use session_community::auth::{signature_message, signed_path};
use session_community::{AuthKind, ServerKey, Signer};
use session_identity::{Ed25519PublicKey, Identity, Seed, Signature};

const SEED: &str = "c010d89eccbaf5d1c6d19df766c6eedf965d4a28a56f87c9fc819edb59896dd9";
const SERVER: &str = "c3b3c6f32f0ab5a57f853cc4f30f5da7fda5624b0c77b3fb0829de562ada081d";
const NONCE: &str = "CdB5nyKVmQGCw6s0Bvv8Ww==";
const TIMESTAMP: u64 = 1_642_472_103;
const PATH: &str = "/room/the-best-room/messages/recent?limit=25";
const BODY: &str = "hello 🎂";

/// (blinded, with body, X-SOGS-Pubkey, X-SOGS-Signature)
const VECTORS: [(bool, bool, &str, &str); 4] = [
    (
        false,
        false,
        "00bac6e71efd7dfa4a83c98ed24f254ab2c267f9ccdb172a5280a0444ad24e89cc",
        "xxLpXHbomAJMB9AtGMyqvBsXrdd2040y+Ol/IKzElWfKJa3EYZRv1GLO6CTLhrDFUwVQe8PPltyGs54Kd7O5Cg==",
    ),
    (
        false,
        true,
        "00bac6e71efd7dfa4a83c98ed24f254ab2c267f9ccdb172a5280a0444ad24e89cc",
        "uumZNee7NUb0lVufegjzgjjnj4pe3kAe6OYw7iVTJrcxxxdIxUCgt5/xliBWqPlgY6ReUZRAuptNa4nprv7nCA==",
    ),
    (
        true,
        false,
        "1598932d4bccbe595a8789d7eb1629cefc483a0eaddc7e20e8fe5c771efafd9af5",
        "gYqpWZX6fnF4Gb2xQM3xaXs0WIYEI49+B8q4mUUEg8Rw0ObaHUWfoWjMHMArAtP9QlORfiydsKWz1o6zdPVeCQ==",
    ),
    (
        true,
        true,
        "1598932d4bccbe595a8789d7eb1629cefc483a0eaddc7e20e8fe5c771efafd9af5",
        "hZCg5pEoy9t98umaY6fNarzcLP5UKUF8chz5mIjwwrRIQLy1kinRoYcNPdFOpJu8heA0val4viymXRTp1DGeBg==",
    ),
];

#[test]
fn reference_request_signatures() {
    let mut seed = [0u8; 32];
    hex::decode_to_slice(SEED, &mut seed).unwrap();
    let identity = Identity::from_seed(Seed::from_full_bytes(seed));
    let server = ServerKey::from_hex(SERVER).unwrap();
    let nonce: [u8; 16] = STANDARD.decode(NONCE).unwrap().try_into().unwrap();
    let path = signed_path(PATH).unwrap();
    for (blinded, with_body, pubkey, signature) in VECTORS {
        let kind = if blinded {
            AuthKind::Blind15
        } else {
            AuthKind::Unblinded
        };
        let body = if with_body { BODY.as_bytes() } else { b"" };
        let signer = Signer::new(&identity, &server, kind);
        let ours = signer.sign_request("GET", &path, body, TIMESTAMP, nonce);
        let headers = ours.to_headers();
        assert_eq!(headers[0].1, pubkey);
        assert_eq!(headers[1].1, "1642472103");
        assert_eq!(headers[2].1, NONCE);
        let theirs = Signature::from_bytes(STANDARD.decode(signature).unwrap().try_into().unwrap());
        let message = signature_message(&server, &nonce, "1642472103", "GET", &path, body);
        let key = Ed25519PublicKey::from_bytes(*ours.pubkey.key_bytes());
        key.verify(&message, &theirs).unwrap();
        key.verify(&message, &ours.signature).unwrap();
        if !blinded {
            assert_eq!(headers[3].1, signature, "unblinded, body {with_body}");
        }
    }
}
