//! Multi-recipient encryption (`multi`): round trips, refusals, hostile encodings.
#![allow(clippy::unwrap_used)]

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use session_envelope::multi::{self, Direction, MultiEncryptError};
use session_identity::{Identity, Seed, X25519PublicKey};

fn person(n: u8) -> Identity {
    Identity::from_seed(Seed::from_full_bytes([n; 32]))
}

#[test]
fn each_recipient_opens_its_own_message() {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let sender = person(1);
    let people = [person(2), person(3), person(4)];
    let keys: Vec<X25519PublicKey> = people.iter().map(Identity::x25519_public_key).collect();
    let messages: [&[u8]; 3] = [b"to two", b"to three", b"to four"];
    let encoded =
        multi::encrypt_simple(&messages, &keys, &sender, None, b"d", 8, &mut rng).unwrap();
    for (p, m) in people.iter().zip(messages) {
        let opened = multi::decrypt_simple(&encoded, p, &sender.x25519_public_key(), b"d");
        assert_eq!(opened.unwrap(), m);
    }
    let outsider = multi::decrypt_simple(&encoded, &person(9), &sender.x25519_public_key(), b"d");
    assert_eq!(outsider, Err(MultiEncryptError::NotAddressed));
    let other_domain =
        multi::decrypt_simple(&encoded, &people[0], &sender.x25519_public_key(), b"e");
    assert_eq!(other_domain, Err(MultiEncryptError::NotAddressed));
}

#[test]
fn both_sides_derive_one_key() {
    let (a, b) = (person(5), person(6));
    let sent = multi::shared_key(
        a.x25519_secret_key(),
        &a.x25519_public_key(),
        &b.x25519_public_key(),
        Direction::Sending,
        b"x",
    )
    .unwrap();
    let received = multi::shared_key(
        b.x25519_secret_key(),
        &b.x25519_public_key(),
        &a.x25519_public_key(),
        Direction::Receiving,
        b"x",
    )
    .unwrap();
    assert_eq!(*sent, *received);
}

#[test]
fn refusals() {
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let sender = person(1);
    let keys = [person(2).x25519_public_key(), person(3).x25519_public_key()];
    let two: [&[u8]; 3] = [b"a", b"b", b"c"];
    assert!(matches!(
        multi::encrypt_simple(&two, &keys, &sender, None, b"d", 0, &mut rng),
        Err(MultiEncryptError::MessageCount { .. })
    ));
    assert!(matches!(
        multi::encrypt_simple(&[], &keys, &sender, None, b"d", 0, &mut rng),
        Err(MultiEncryptError::MessageCount { .. })
    ));
    let zero = [keys[0], X25519PublicKey::from_bytes([0; 32])];
    assert_eq!(
        multi::encrypt_simple(&[b"m"], &zero, &sender, None, b"d", 0, &mut rng),
        Err(MultiEncryptError::UnusableKey { index: 1 })
    );
    assert_eq!(
        multi::encrypt_simple(&[b"m"], &keys, &sender, None, &[0; 65], 0, &mut rng),
        Err(MultiEncryptError::DomainTooLong { len: 65 })
    );
    let me = person(2);
    let from = sender.x25519_public_key();
    for hostile in [
        &b""[..],
        b"de",
        b"d1:#3:abce",
        b"d1:#24:000000000000000000000000e",
        b"d1:#24:0000000000000000000000001:eli1eee",
        b"d1:#24:0000000000000000000000001:ele",
    ] {
        assert!(multi::decrypt_simple(hostile, &me, &from, b"d").is_err());
    }
}
