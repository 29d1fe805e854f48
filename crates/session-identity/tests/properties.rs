//! Properties over random inputs: recovery phrases round-trip, Session IDs print and parse back,
//! blinded signatures verify and break under any bit flip, blinded IDs match their owner only.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use session_identity::blinding::{self, BlindingError, BlindingKind};
use session_identity::mnemonic;
use session_identity::{
    Ed25519PublicKey, Identity, Prefix, Seed, SeedKind, SessionId, Signature, SignatureError,
};

/// The group order L, little-endian.
const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// Whether the 32 little-endian bytes are below L (a canonical signature scalar).
fn is_canonical_scalar(s: &[u8]) -> bool {
    for i in (0..32).rev() {
        if s[i] != L[i] {
            return s[i] < L[i];
        }
    }
    false
}

/// Every prefix the crate knows.
fn all_prefixes() -> Vec<Prefix> {
    (0..=255u8).filter_map(Prefix::from_byte).collect()
}

/// What flipping `bit` of a valid signature must give: a bit of `S` that makes it reach L is
/// caught as non-canonical, every other flip as a mismatch.
fn expected_flip_error(signature: &Signature, bit: usize) -> SignatureError {
    let mut bytes = signature.to_bytes();
    bytes[bit / 8] ^= 1 << (bit % 8);
    if bit >= 256 && !is_canonical_scalar(&bytes[32..]) {
        SignatureError::NonCanonicalScalar
    } else {
        SignatureError::Mismatch
    }
}

fn flip(signature: &Signature, bit: usize) -> Signature {
    let mut bytes = signature.to_bytes();
    bytes[bit / 8] ^= 1 << (bit % 8);
    Signature::from_bytes(bytes)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn legacy_seed_phrase_round_trip(entropy in any::<[u8; 16]>()) {
        let seed = Seed::from_legacy_bytes(entropy);
        let phrase = seed.to_recovery_phrase();
        prop_assert_eq!(phrase.word_count(), 13);
        let restored = Seed::from_recovery_phrase(phrase.expose_secret()).unwrap();
        prop_assert_eq!(restored.kind(), SeedKind::Legacy16);
        prop_assert_eq!(restored.expose_entropy(), &entropy[..]);
        prop_assert!(restored == seed);
        // Without the checksum word it is still the same seed.
        let twelve: Vec<&str> = phrase.words().take(12).collect();
        prop_assert_eq!(&mnemonic::decode(&twelve.join(" ")).unwrap()[..], &entropy[..]);
    }

    #[test]
    fn full_seed_phrase_round_trip(bytes in any::<[u8; 32]>()) {
        let seed = Seed::from_full_bytes(bytes);
        let phrase = seed.to_recovery_phrase();
        prop_assert_eq!(phrase.word_count(), 25);
        let restored = Seed::from_recovery_phrase(phrase.expose_secret()).unwrap();
        prop_assert_eq!(restored.kind(), SeedKind::Full32);
        prop_assert!(restored == seed);
    }

    #[test]
    fn any_multiple_of_four_bytes_round_trips(
        data in (1usize..=24).prop_flat_map(|k| proptest::collection::vec(any::<u8>(), 4 * k)),
        checksum in any::<bool>(),
    ) {
        let phrase = mnemonic::encode(&data, checksum).unwrap();
        let words = data.len() / 4 * 3 + usize::from(checksum);
        prop_assert_eq!(phrase.word_count(), words);
        prop_assert_eq!(&mnemonic::decode(phrase.expose_secret()).unwrap()[..], &data[..]);
        // Upper case and prefixes alone decode the same.
        let upper = phrase.expose_secret().to_uppercase();
        prop_assert_eq!(&mnemonic::decode(&upper).unwrap()[..], &data[..]);
        let prefixes: Vec<&str> = phrase.words().map(|w| &w[..mnemonic::PREFIX_LEN]).collect();
        prop_assert_eq!(&mnemonic::decode(&prefixes.join(" ")).unwrap()[..], &data[..]);
    }

    #[test]
    fn session_id_print_parse(prefix_index in any::<usize>(), key in any::<[u8; 32]>(), mask in any::<u64>()) {
        let prefixes = all_prefixes();
        let id = SessionId::new(prefixes[prefix_index % prefixes.len()], key);
        let text = id.to_string();
        prop_assert_eq!(text.len(), SessionId::HEX_LEN);
        prop_assert!(!text.chars().any(|c| c.is_ascii_uppercase()));
        prop_assert_eq!(SessionId::parse(&text), Ok(id));
        prop_assert_eq!(text.parse::<SessionId>(), Ok(id));
        prop_assert_eq!(SessionId::parse(&text.to_uppercase()), Ok(id));
        // Any mixture of cases.
        let mixed: String = text
            .chars()
            .enumerate()
            .map(|(i, c)| if mask >> (i % 64) & 1 == 1 { c.to_ascii_uppercase() } else { c })
            .collect();
        prop_assert_eq!(SessionId::parse(&mixed), Ok(id));
        prop_assert_eq!(SessionId::from_bytes(&id.to_bytes()), Ok(id));
        prop_assert_eq!(SessionId::parse_with_prefix(&text, id.prefix()), Ok(id));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn blinded_signatures_verify_and_break_under_bit_flips(
        entropy in any::<[u8; 16]>(),
        server in any::<[u8; 32]>(),
        message in proptest::collection::vec(any::<u8>(), 0..200),
        message_bit in any::<usize>(),
        signature_bit in 0usize..512,
        fifteen in any::<bool>(),
    ) {
        let id = Identity::from_seed(Seed::from_legacy_bytes(entropy));
        let server = Ed25519PublicKey::from_bytes(server);
        let kind = if fifteen { BlindingKind::Blind15 } else { BlindingKind::Blind25 };
        let pair = id.blinded_key_pair(kind, &server);
        let blinded_id = pair.blinded_id();
        let signature = pair.sign(&message);
        prop_assert_eq!(blinding::verify_blinded_signature(&blinded_id, &message, &signature), Ok(()));

        if !message.is_empty() {
            let mut tampered = message.clone();
            let bit = message_bit % (8 * message.len());
            tampered[bit / 8] ^= 1 << (bit % 8);
            prop_assert_eq!(
                blinding::verify_blinded_signature(&blinded_id, &tampered, &signature),
                Err(BlindingError::Signature(SignatureError::Mismatch))
            );
        }
        prop_assert_eq!(
            blinding::verify_blinded_signature(&blinded_id, &message, &flip(&signature, signature_bit)),
            Err(BlindingError::Signature(expected_flip_error(&signature, signature_bit)))
        );
    }

    #[test]
    fn blinded_ids_match_their_owner_only(
        a in any::<[u8; 32]>(),
        b in any::<[u8; 32]>(),
        server in any::<[u8; 32]>(),
    ) {
        prop_assume!(a != b);
        let alice = Identity::from_seed(Seed::from_full_bytes(a));
        let bob = Identity::from_seed(Seed::from_full_bytes(b));
        let server = Ed25519PublicKey::from_bytes(server);
        for kind in [BlindingKind::Blind15, BlindingKind::Blind25] {
            let own = alice.blinded_key_pair(kind, &server).blinded_id();
            prop_assert_eq!(
                blinding::session_id_matches_blinded_id(&alice.session_id(), &own, &server),
                Ok(true)
            );
            prop_assert_eq!(
                blinding::session_id_matches_blinded_id(&bob.session_id(), &own, &server),
                Ok(false)
            );
        }
        // The 25 ID is exactly computable from the Session ID; the 15 ID is one of two.
        prop_assert_eq!(
            blinding::blind25_id_from_session_id(&alice.session_id(), &server),
            Ok(alice.blind25_key_pair(&server).blinded_id())
        );
        let candidates = blinding::blind15_ids_from_session_id(&alice.session_id(), &server).unwrap();
        prop_assert!(candidates.contains(&alice.blind15_key_pair(&server).blinded_id()));
    }
}

/// Every single-bit change of one fixed message and signature is rejected with the right error.
#[test]
fn every_bit_flip_is_rejected() {
    let id = Identity::from_seed(Seed::from_legacy_bytes(*b"every bit counts"));
    let server = Ed25519PublicKey::from_bytes([0x42; 32]);
    let message = b"POST /room/lobby/message";
    for kind in [BlindingKind::Blind15, BlindingKind::Blind25] {
        let pair = id.blinded_key_pair(kind, &server);
        let blinded_id = pair.blinded_id();
        let signature = pair.sign(message);
        for bit in 0..8 * message.len() {
            let mut tampered = *message;
            tampered[bit / 8] ^= 1 << (bit % 8);
            assert_eq!(
                blinding::verify_blinded_signature(&blinded_id, &tampered, &signature),
                Err(BlindingError::Signature(SignatureError::Mismatch)),
                "{kind:?} message bit {bit}"
            );
        }
        let mut non_canonical = 0;
        for bit in 0..512 {
            let expected = expected_flip_error(&signature, bit);
            if expected == SignatureError::NonCanonicalScalar {
                non_canonical += 1;
            }
            assert_eq!(
                blinding::verify_blinded_signature(&blinded_id, message, &flip(&signature, bit)),
                Err(BlindingError::Signature(expected)),
                "{kind:?} signature bit {bit}"
            );
        }
        // At least the three top bits of S always push it past L.
        assert!(non_canonical >= 3, "{kind:?}");
    }
}
