//! Security properties: removed members, forged messages, concurrent admins, round trips.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use session_envelope::group::EncryptOptions;
use session_groups::{rekey, GroupSecret, Keys, LoadError, KEY_EXPIRY_MS};
use session_identity::{Identity, Seed, SessionId};

const T0: i64 = 1_733_000_000_000;

fn person(n: u8) -> Identity {
    Identity::from_seed(Seed::from_full_bytes([n; 32]))
}

fn group() -> GroupSecret {
    GroupSecret::from_seed([0xa5; 32])
}

fn ids(people: &[&Identity]) -> Vec<SessionId> {
    people.iter().map(|p| p.session_id()).collect()
}

#[test]
fn removed_member_cannot_read_after_rekey() {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let (admin, bob, eve) = (person(1), person(2), person(3));
    let mut admin_keys = Keys::new_admin(admin.clone(), group()).unwrap();
    let gen0 = admin_keys.rekey(&ids(&[&admin, &bob, &eve])).unwrap();
    admin_keys.load("h0", &gen0.message, T0).unwrap();
    let before = admin_keys
        .encrypt_message(&admin, b"before", EncryptOptions::default(), &mut rng)
        .unwrap()
        .unwrap();
    let gen1 = admin_keys.rekey(&ids(&[&admin, &bob])).unwrap();
    // Pending: the new key already encrypts.
    assert!(admin_keys.has_pending_key());
    let pending_sent = admin_keys
        .encrypt_message(&admin, b"pending", EncryptOptions::default(), &mut rng)
        .unwrap()
        .unwrap();
    admin_keys.load("h1", &gen1.message, T0 + 1000).unwrap();
    assert!(!admin_keys.has_pending_key());
    let after = admin_keys
        .encrypt_message(&admin, b"after", EncryptOptions::default(), &mut rng)
        .unwrap()
        .unwrap();

    let mut eve_keys = Keys::new_member(eve, group().public_key()).unwrap();
    assert!(eve_keys.load("h0", &gen0.message, T0).unwrap().found);
    let loaded = eve_keys.load("h1", &gen1.message, T0 + 1000).unwrap();
    assert!(!loaded.found);
    assert_eq!(
        eve_keys.decrypt_message(&before).unwrap().plaintext,
        b"before"
    );
    assert!(eve_keys.decrypt_message(&pending_sent).is_err());
    assert!(eve_keys.decrypt_message(&after).is_err());

    let mut bob_keys = Keys::new_member(bob, group().public_key()).unwrap();
    bob_keys.load("h1", &gen1.message, T0 + 1000).unwrap();
    assert_eq!(
        bob_keys.decrypt_message(&after).unwrap().plaintext,
        b"after"
    );
    assert_eq!(
        bob_keys.decrypt_message(&pending_sent).unwrap().plaintext,
        b"pending"
    );
    assert!(
        bob_keys.decrypt_message(&before).is_err(),
        "gen 0 was never given to Bob"
    );
}

fn rekeyed() -> Vec<u8> {
    let (a, b) = (person(1), person(2));
    rekey(&group(), 0, &ids(&[&a, &b])).message
}

fn member_load(data: &[u8]) -> Result<(), LoadError> {
    let mut keys = Keys::new_member(person(2), group().public_key()).unwrap();
    keys.load("h", data, T0).map(drop)?;
    assert_eq!(keys.keys().count(), 1);
    Ok(())
}

#[test]
fn forged_messages_are_refused() {
    let good = rekeyed();
    member_load(&good).unwrap();

    // A flipped byte anywhere in the signed part.
    let mut flipped = good.clone();
    flipped[50] ^= 1;
    assert!(matches!(
        member_load(&flipped),
        Err(LoadError::BadSignature)
    ));

    // Signed by another key.
    let other = GroupSecret::from_seed([0x5a; 32]);
    let forged = rekey(&other, 0, &ids(&[&person(1), &person(2)])).message;
    assert_eq!(member_load(&forged), Err(LoadError::BadSignature));

    // Truncated at every length: always a typed error, never a panic.
    for len in 0..good.len() {
        assert!(member_load(&good[..len]).is_err(), "truncated to {len}");
    }
    assert!(matches!(
        member_load(&good[..good.len() - 1]),
        Err(LoadError::Malformed(_))
    ));

    // A member list of 74 entries (one dropped, re-signed by the real group key).
    let dropped = resign_members(&good, |entries| {
        entries.pop();
    });
    assert_eq!(
        member_load(&dropped),
        Err(LoadError::MemberKeyCount { count: 74 })
    );
    // A 47-byte entry.
    let short = resign_members(&good, |entries| entries[3].truncate(47));
    assert_eq!(
        member_load(&short),
        Err(LoadError::MemberKeyLength { index: 3, len: 47 })
    );
}

/// Rebuilds a full message with its member list edited, signed by the real group key.
fn resign_members(message: &[u8], edit: impl FnOnce(&mut Vec<Vec<u8>>)) -> Vec<u8> {
    use session_bencode::{DictReader, DictWriter, ListReader, Options};
    let mut dict = DictReader::with_options(message, Options::lenient()).unwrap();
    let nonce: &[u8] = dict.require(b"#").unwrap();
    let generation: i64 = dict.require(b"G").unwrap();
    let admin: &[u8] = dict.require(b"K").unwrap();
    let mut list: ListReader = dict.require(b"k").unwrap();
    let mut entries = Vec::new();
    while !list.is_finished().unwrap() {
        entries.push(list.read::<&[u8]>().unwrap().to_vec());
    }
    edit(&mut entries);
    let mut out = Vec::new();
    let mut w = DictWriter::new(&mut out);
    w.bytes("#", nonce).unwrap();
    w.integer("G", generation).unwrap();
    w.bytes("K", admin).unwrap();
    {
        let mut l = w.list("k").unwrap();
        for e in &entries {
            l.bytes(e);
        }
    }
    w.finish_signed(|m| group().sign(m).to_bytes()).unwrap();
    out
}

#[test]
fn concurrent_admins_agree() {
    let members = ids(&[&person(1), &person(2), &person(3), &person(4)]);
    let mut one = Keys::new_admin(person(1), group()).unwrap();
    let mut two = Keys::new_admin(person(4), group()).unwrap();
    let mut shuffled = members.clone();
    shuffled.reverse();
    let (a, b) = (one.rekey(&members).unwrap(), two.rekey(&shuffled).unwrap());
    assert_eq!(a.message, b.message);
    assert_eq!(a.key, b.key);
}

#[test]
fn later_key_wins_a_collision_in_any_load_order() {
    let (admin, bob, carol) = (person(1), person(2), person(3));
    let x = rekey(&group(), 3, &ids(&[&admin, &bob])).message;
    let y = rekey(&group(), 3, &ids(&[&admin, &bob, &carol])).message;
    let newer = rekey(&group(), 3, &ids(&[&admin, &bob, &carol])).key;
    for order in [[(&x, T0), (&y, T0 + 5)], [(&y, T0 + 5), (&x, T0)]] {
        let mut keys = Keys::new_member(bob.clone(), group().public_key()).unwrap();
        for (i, (m, t)) in order.iter().enumerate() {
            keys.load(&i.to_string(), m, *t).unwrap();
        }
        assert_eq!(keys.keys().count(), 2);
        assert_eq!(keys.encryption_key(), Some(&newer));
    }
}

#[test]
fn old_generations_expire() {
    let (admin, bob) = (person(1), person(2));
    let members = ids(&[&admin, &bob]);
    let mut keys = Keys::new_member(bob, group().public_key()).unwrap();
    keys.load("g0", &rekey(&group(), 0, &members).message, T0)
        .unwrap();
    keys.load("g1", &rekey(&group(), 1, &members).message, T0 + 1)
        .unwrap();
    keys.load(
        "g2",
        &rekey(&group(), 2, &members).message,
        T0 + 1 + KEY_EXPIRY_MS,
    )
    .unwrap();
    // Generation 1 is exactly 60 days older than the newest: kept, as is generation 0.
    assert_eq!(keys.keys().count(), 3);
    keys.load(
        "g3",
        &rekey(&group(), 3, &members).message,
        T0 + 2 + KEY_EXPIRY_MS,
    )
    .unwrap();
    let generations: Vec<u64> = keys.keys().map(|k| k.generation).collect();
    assert_eq!(generations, [3, 2, 1]);
    assert_eq!(keys.current_hashes(), ["g1", "g2", "g3"]);
}

#[test]
fn debug_shows_no_secret() {
    let secret = group();
    let text = format!(
        "{secret:?} {:?}",
        Keys::new_admin(person(1), secret.clone()).unwrap()
    );
    assert!(!text.contains(&hex_of(secret.expose_seed())));
    let made = rekey(&secret, 0, &[]);
    assert!(!format!("{made:?}").contains(&hex_of(made.key.expose_secret_bytes())));
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn rekey_then_load_round_trips(
        seeds in proptest::collection::btree_set(any::<u8>(), 0..12),
        outsider in any::<u8>(),
        generation in 0u64..1000,
    ) {
        let people: Vec<Identity> = seeds.iter().map(|&s| person(s)).collect();
        let members: Vec<SessionId> = people.iter().map(Identity::session_id).collect();
        let made = rekey(&group(), generation, &members);
        for person in &people {
            let mut keys = Keys::new_member(person.clone(), group().public_key()).unwrap();
            let loaded = keys.load("h", &made.message, T0).unwrap();
            prop_assert!(loaded.found);
            prop_assert_eq!(loaded.generation, generation);
            prop_assert_eq!(keys.encryption_key(), Some(&made.key));
        }
        if !seeds.contains(&outsider) {
            let mut keys = Keys::new_member(self::person(outsider), group().public_key()).unwrap();
            prop_assert!(!keys.load("h", &made.message, T0).unwrap().found);
            prop_assert_eq!(keys.encryption_key(), None);
        }
        let mut admin = Keys::new_admin(self::person(200), group()).unwrap();
        prop_assert!(admin.load("h", &made.message, T0).unwrap().found);
        prop_assert_eq!(admin.encryption_key(), Some(&made.key));
    }
}

#[test]
fn a_dump_restores_the_state() {
    let (admin, bob) = (person(1), person(2));
    let members = ids(&[&admin, &bob]);
    let mut keys = Keys::new_admin(admin.clone(), group()).unwrap();
    let gen0 = keys.rekey(&members).unwrap();
    keys.load("h0", &gen0.message, T0).unwrap();
    let _gen1 = keys.rekey(&members).unwrap();
    let dump = keys.dump();
    let restored =
        Keys::restore(admin.clone(), group().public_key(), Some(group()), &dump).unwrap();
    assert_eq!(restored.dump(), dump);
    assert_eq!(restored.encryption_key(), keys.encryption_key());
    assert_eq!(restored.decryption_keys(), keys.decryption_keys());
    assert_eq!(restored.current_hashes(), ["h0"]);
    assert!(restored.has_pending_key());
    // Another group's dump, or bytes that are not a dump, are refused.
    let other = GroupSecret::from_seed([7; 32]);
    assert!(Keys::restore(bob.clone(), other.public_key(), None, &dump).is_err());
    for len in 0..dump.len() {
        assert!(Keys::restore(bob.clone(), group().public_key(), None, &dump[..len]).is_err());
    }
}

#[test]
fn an_unusable_member_is_hashed_but_gets_no_entry() {
    let (admin, bob) = (person(1), person(2));
    let zero = SessionId::new(session_identity::Prefix::User, [0; 32]);
    let with = rekey(&group(), 0, &[admin.session_id(), bob.session_id(), zero]);
    let without = rekey(&group(), 0, &ids(&[&admin, &bob]));
    assert_ne!(with.key, without.key);
    let mut keys = Keys::new_member(bob, group().public_key()).unwrap();
    assert!(keys.load("h", &with.message, T0).unwrap().found);
    assert_eq!(keys.encryption_key(), Some(&with.key));
}

/// Signs `body` (a dictionary without its closing `e`) with the group key, as a keys message.
fn sign_raw(body: &[u8]) -> Vec<u8> {
    let signature = group().sign(body).to_bytes();
    [body, b"1:~64:", &signature, b"e"].concat()
}

#[test]
fn the_reader_is_as_lenient_as_oxenc_and_no_more() {
    let good = rekeyed();
    // Up to the `1:~` key: `d 1:# 24:… 1:G i0e 1:K 48:… 1:k l…e`.
    let body = &good[..good.len() - 71];
    let g_at = body.windows(6).position(|w| w == b"1:Gi0e").unwrap();

    // A generation spelled with a leading zero reads as 0 (oxenc accepts it).
    let zero = [&body[..g_at], b"1:Gi00e", &body[g_at + 6..]].concat();
    member_load(&sign_raw(&zero)).unwrap();
    // An unknown key in order is skipped.
    let extra = [body, b"1:xi5e"].concat();
    member_load(&sign_raw(&extra)).unwrap();
    // A key after the signature, keys out of order, or a negative generation are refused.
    let after = [&sign_raw(body)[..good.len() - 1], b"1:zi1ee"].concat();
    assert!(matches!(member_load(&after), Err(LoadError::Malformed(_))));
    let unsorted = [body, b"1:Ai5e"].concat();
    assert!(matches!(
        member_load(&sign_raw(&unsorted)),
        Err(LoadError::Malformed(_))
    ));
    let negative = [&body[..g_at], b"1:Gi-1e", &body[g_at + 6..]].concat();
    assert_eq!(
        member_load(&sign_raw(&negative)),
        Err(LoadError::NegativeGeneration { generation: -1 })
    );
    // A supplement entry shorter than 68 bytes.
    let short = sign_raw(&[&body[..31], b"1:+l67:", &[0u8; 67], b"e1:Gi0e"].concat());
    assert_eq!(
        member_load(&short),
        Err(LoadError::SupplementEntryLength { index: 0, len: 67 })
    );
}
