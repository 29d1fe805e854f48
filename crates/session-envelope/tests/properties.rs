//! Round trips for messages of every size from 0 to 64 KiB (few cases at the large end).
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use session_envelope::proto::{Content, DataMessage};
use session_envelope::{
    blinded_dm, decode, decode_blinded, encode, encode_blinded, padding, session_protocol, Expiry,
};
use session_identity::blinding::BlindingKind;
use session_identity::{Ed25519PublicKey, Identity, Seed};

fn person(n: u8) -> Identity {
    Identity::from_seed(Seed::from_full_bytes([n; 32]))
}

/// Mostly small sizes, some up to exactly 64 KiB.
fn message() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => proptest::collection::vec(any::<u8>(), 0..=512),
        1 => (0usize..=65536).prop_map(|n| (0..n).map(|i| (i * 31 % 251) as u8).collect()),
        1 => Just(vec![0xa5; 65536]),
    ]
}

const SERVER: Ed25519PublicKey = Ed25519PublicKey::from_bytes([0x42; 32]);

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn session_protocol_round_trip(m in message(), seed in any::<u64>()) {
        let (alice, bob) = (person(1), person(2));
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let ct = session_protocol::encrypt(&alice, &bob.x25519_public_key(), &m, &mut rng).unwrap();
        prop_assert_eq!(ct.len(), m.len() + session_protocol::OVERHEAD);
        let opened = session_protocol::decrypt(&bob, &ct).unwrap();
        prop_assert_eq!(&opened.plaintext, &m);
        prop_assert_eq!(opened.sender_session_id, alice.session_id());
        let det = session_protocol::encrypt_deterministic(&alice, &bob.x25519_public_key(), &m).unwrap();
        prop_assert_eq!(session_protocol::decrypt(&bob, &det).unwrap().plaintext, m);
    }

    #[test]
    fn blinded_round_trip(m in message(), seed in any::<u64>(), use25 in any::<bool>()) {
        let (alice, bob) = (person(3), person(4));
        let kind = if use25 { BlindingKind::Blind25 } else { BlindingKind::Blind15 };
        let a_id = alice.blinded_key_pair(kind, &SERVER).blinded_id();
        let b_id = bob.blinded_key_pair(kind, &SERVER).blinded_id();
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let ct = blinded_dm::encrypt(&alice, &SERVER, &b_id, &m, &mut rng).unwrap();
        prop_assert_eq!(ct.len(), m.len() + blinded_dm::OVERHEAD);
        for own in [&bob, &alice] {
            let opened = blinded_dm::decrypt(own, &SERVER, &a_id, &b_id, &ct).unwrap();
            prop_assert_eq!(&opened.plaintext, &m);
            prop_assert_eq!(opened.sender_session_id, alice.session_id());
        }
    }

    #[test]
    fn padding_round_trip(m in message()) {
        for padded in [padding::pad(&m), padding::pad_legacy(&m)] {
            prop_assert!(padded.len() > m.len());
            prop_assert_eq!(padding::unpad(&padded).unwrap(), &m[..]);
        }
        prop_assert_eq!(padding::pad(&m).len() % padding::BLOCK, 0);
        prop_assert_eq!(padding::pad_legacy(&m).len() % padding::BLOCK, padding::BLOCK - 1);
    }

    #[test]
    fn wire_round_trip(
        body in ".{0,300}",
        timestamp in 1u64..,
        timer in 0u32..1_000_000,
        after_read in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let (alice, bob) = (person(5), person(6));
        let mut content = Content {
            data_message: Some(DataMessage { body: Some(body), ..DataMessage::default() }),
            ..Content::default()
        };
        let expiry = if after_read { Expiry::after_read(timer) } else { Expiry::after_send(timer) };
        prop_assert_eq!(expiry == Expiry::Off, timer == 0);
        expiry.apply_to(&mut content);
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let stored = encode(&content, &alice, &bob.x25519_public_key(), timestamp, &mut rng).unwrap();
        let message = decode(&stored, &bob).unwrap();
        prop_assert_eq!(message.sent_timestamp_ms, timestamp);
        prop_assert_eq!(message.sender_session_id, alice.session_id());
        prop_assert_eq!(message.expiry, expiry);
        prop_assert_eq!(&message.content, &content);

        let b_id = bob.blind25_key_pair(&SERVER).blinded_id();
        let a_id = alice.blind25_key_pair(&SERVER).blinded_id();
        let ct = encode_blinded(&content, &alice, &SERVER, &b_id, &mut rng).unwrap();
        let message = decode_blinded(&ct, &bob, &SERVER, &a_id, &b_id).unwrap();
        prop_assert_eq!(message.content, content);
        prop_assert_eq!(message.expiry, expiry);
    }

    #[test]
    fn decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let bob = person(2);
        let _ = decode(&bytes, &bob);
        let _ = session_protocol::decrypt(&bob, &bytes);
        let _ = padding::unpad(&bytes);
    }
}

#[test]
fn expiry_settings() {
    // An unknown type or a zero timer means off.
    let content = Content {
        expiration_type: Some(9),
        expiration_timer: Some(5),
        ..Content::default()
    };
    assert_eq!(Expiry::of(&content), Expiry::Off);
    let content = Content {
        expiration_type: Some(2),
        expiration_timer: Some(0),
        ..Content::default()
    };
    assert_eq!(Expiry::of(&content), Expiry::Off);
    assert_eq!(Expiry::after_send(0), Expiry::Off);
    assert_eq!(Expiry::after_read(0), Expiry::Off);
    let mut content = Content::default();
    Expiry::after_read(7).apply_to(&mut content);
    assert_eq!(
        (content.expiration_type, content.expiration_timer),
        (Some(1), Some(7))
    );
    Expiry::Off.apply_to(&mut content);
    assert_eq!(content, Content::default());

    // Only an after-send timer sets the storage TTL.
    assert_eq!(Expiry::Off.after_send_timer(), None);
    assert_eq!(Expiry::after_read(60).after_send_timer(), None);
    assert_eq!(
        Expiry::after_send(60).after_send_timer().map(|s| s.get()),
        Some(60)
    );
}

#[test]
fn expiry_on_the_device_follows_the_timer() {
    let sent = 1_700_000_000_000u64;
    let day = 86_400_000u64;
    // 40 days: longer than any storage TTL, still 40 days on the device.
    assert_eq!(
        Expiry::after_send(40 * 86_400).disappears_at_ms(sent, None),
        Some(sent + 40 * day)
    );
    assert_eq!(
        Expiry::after_send(5).disappears_at_ms(sent, None),
        Some(sent + 5_000)
    );
    // After-read: nothing until read, then read time + timer.
    let read = Expiry::after_read(300);
    assert_eq!(read.disappears_at_ms(sent, None), None);
    assert_eq!(
        read.disappears_at_ms(sent, Some(sent + 10)),
        Some(sent + 10 + 300_000)
    );
    assert_eq!(Expiry::Off.disappears_at_ms(sent, Some(sent)), None);
    // Saturates rather than wrapping.
    assert_eq!(
        Expiry::after_send(u32::MAX).disappears_at_ms(u64::MAX - 1, None),
        Some(u64::MAX)
    );
}
