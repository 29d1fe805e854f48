//! The check of the `group_keys_load` target: keys messages (namespace 12) loaded by a member
//! and by an admin of the reference vectors' group `g0`. Self-contained, so that
//! session-groups' own `tests/fuzz_corpus.rs` can include it too.

use std::sync::OnceLock;

use session_groups::{rekey, supplement, GroupKey, GroupSecret, Keys};
use session_identity::{Identity, Seed, SessionId};

/// The group seed of the vectors' group `g0`, and the secret key of its `member2`.
const GROUP_SEED: &str = "107de88c424aa048eeb04fd1205217d6a40ef8c1fffa6f7eb85e485c2b344bf9";
const MEMBER_SK: &str = "f59139133be20ae5d595e018b4a1aa74a05c006cf0d8875cec29ef80d4064fc2b4415650fed26943e969a7c8126c4183b610e75d051e02047a4fe338448cf584";

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn fixtures() -> &'static (GroupSecret, Identity) {
    static FIXTURES: OnceLock<(GroupSecret, Identity)> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let seed: [u8; 32] = unhex(GROUP_SEED).try_into().unwrap();
        let member = Identity::from_secret_bytes(&unhex(MEMBER_SK)).unwrap();
        (GroupSecret::from_seed(seed), member)
    })
}

fn person(n: u8) -> Identity {
    Identity::from_seed(Seed::from_full_bytes([n; 32]))
}

/// What must hold of any state after a load.
fn check_state(keys: &Keys) {
    let held: Vec<&GroupKey> = keys.keys().collect();
    for pair in held.windows(2) {
        assert!(
            (pair[0].generation, pair[0].timestamp_ms)
                >= (pair[1].generation, pair[1].timestamp_ms),
            "keys are newest first"
        );
    }
    let pending = usize::from(keys.has_pending_key());
    if pending == 0 {
        assert_eq!(keys.encryption_key(), held.first().map(|k| &k.key));
    } else {
        assert_eq!(
            keys.encryption_key(),
            keys.decryption_keys().first().copied()
        );
    }
    assert_eq!(keys.decryption_keys().len(), held.len() + pending);
    assert_eq!(
        keys.current_generation(),
        held.first().map_or(0, |k| k.generation)
    );
    if held.is_empty() {
        assert!(keys.current_hashes().is_empty());
    }
}

/// Byte 0 bit 0 clear: the rest is a keys message, loaded (twice, at the time in byte 1) by a
/// member and by an admin; the admin refuses whatever the member refuses; the admin's state
/// dumps and restores to itself, and the rest read as a dump never panics. Bit 0 set: the rest
/// picks members (one byte each, the fixed member first when bit 1 is set) and a generation
/// (byte 1): their rekey and a supplement must load for every member.
pub fn group_keys_load(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (group, member) = fixtures();
    if mode & 1 == 0 {
        let time = 1_733_000_000_000 + i64::from(rest.first().copied().unwrap_or(0)) * 86_400_000;
        let mut as_member = Keys::new_member(member.clone(), group.public_key()).unwrap();
        let mut as_admin = Keys::new_admin(person(1), group.clone()).unwrap();
        let by_member = as_member.load("m", rest, time);
        let by_admin = as_admin.load("m", rest, time);
        if by_member.is_err() {
            assert!(
                by_admin.is_err(),
                "the admin accepted what a member refused"
            );
            assert_eq!(as_member.keys().count(), 0);
        }
        if let Ok(loaded) = by_admin {
            assert!(loaded.found || as_admin.keys().count() == 0);
        }
        // Loading the same message again changes nothing.
        let before = as_member.keys().count();
        let _ = as_member.load("m", rest, time);
        assert_eq!(as_member.keys().count(), before);
        check_state(&as_member);
        check_state(&as_admin);
        // The state dumps and restores to itself; the input as a dump never panics either.
        let dump = as_admin.dump();
        let again =
            Keys::restore(person(1), group.public_key(), Some(group.clone()), &dump).unwrap();
        assert_eq!(again.dump(), dump);
        if let Ok(restored) = Keys::restore(member.clone(), group.public_key(), None, rest) {
            check_state(&restored);
            let dump = restored.dump();
            let again = Keys::restore(member.clone(), group.public_key(), None, &dump).unwrap();
            assert_eq!(again.dump(), dump);
        }
        return;
    }
    let generation = u64::from(rest.first().copied().unwrap_or(0));
    let mut people: Vec<Identity> = rest.iter().skip(1).take(24).map(|&b| person(b)).collect();
    if mode & 2 != 0 {
        people.insert(0, member.clone());
    }
    let ids: Vec<SessionId> = people.iter().map(Identity::session_id).collect();
    let made = rekey(group, generation, &ids);
    let held = [GroupKey {
        generation,
        timestamp_ms: 7,
        key: made.key.clone(),
    }];
    let supp = supplement(group, &held, &ids).unwrap();
    for person in people.iter().take(4) {
        let mut keys = Keys::new_member(person.clone(), group.public_key()).unwrap();
        assert!(keys.load("r", &made.message, 5).unwrap().found);
        assert_eq!(keys.encryption_key(), Some(&made.key));
        let mut fresh = Keys::new_member(person.clone(), group.public_key()).unwrap();
        assert!(fresh.load("s", &supp, 9).unwrap().found);
        assert_eq!(fresh.encryption_key(), Some(&made.key));
        check_state(&keys);
    }
}
