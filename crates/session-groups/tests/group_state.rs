//! The `Group` life cycle: create, join, talk, remove with a rekey, add with a supplement,
//! promote, restart.

#![allow(clippy::unwrap_used)]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use session_config::GroupConfigError;
use session_envelope::group::EncryptOptions;
use session_groups::{Group, GroupError, GroupSecret, KeysError, PushKind};
use session_identity::Identity;

const T0: i64 = 1_700_000_000_000;

/// A swarm: (namespace, hash, data, timestamp).
#[derive(Default)]
struct Swarm {
    stored: Vec<(i16, String, Vec<u8>, i64)>,
}

impl Swarm {
    /// Stores everything `group` must push, confirming each.
    fn push_all(&mut self, group: &mut Group, now: i64) -> Vec<PushKind> {
        let mut kinds = Vec::new();
        for push in group.pushes().unwrap() {
            let hash = format!("h{}", self.stored.len());
            group.confirm_pushed(&push, &hash, now).unwrap();
            kinds.push(push.kind);
            self.stored.push((push.namespace, hash, push.data, now));
        }
        kinds
    }

    /// A poll of namespaces 12, 13, 14, in that order.
    fn read_into(&self, group: &mut Group) {
        let of = |ns: i16| self.stored.iter().filter(move |m| m.0 == ns);
        group.load_keys(of(12).map(|m| (m.1.as_str(), m.2.as_slice(), m.3)));
        group.merge_info(of(13).map(|m| (m.1.as_str(), m.2.as_slice())));
        group.merge_members(of(14).map(|m| (m.1.as_str(), m.2.as_slice())));
    }
}

fn people(rng: &mut ChaCha20Rng, n: usize) -> Vec<Identity> {
    (0..n).map(|_| Identity::generate(rng)).collect()
}

#[test]
fn life_cycle() {
    let mut rng = ChaCha20Rng::seed_from_u64(13);
    let p = people(&mut rng, 5);
    let (admin, bob, carol, eve, dave) = (&p[0], &p[1], &p[2], &p[3], &p[4]);
    let secret = GroupSecret::generate(&mut rng);
    let mut group = Group::create(
        admin.clone(),
        secret.clone(),
        "Reading group",
        &[
            (bob.session_id(), "Bob"),
            (carol.session_id(), "Carol"),
            (eve.session_id(), "Eve"),
        ],
        T0 / 1000,
    )
    .unwrap();
    assert!(group.is_admin());
    let mut swarm = Swarm::default();
    let kinds = swarm.push_all(&mut group, T0);
    assert!(matches!(
        kinds[..],
        [
            PushKind::Keys,
            PushKind::Info { seqno: 1 },
            PushKind::Members { seqno: 1 }
        ]
    ));
    assert!(group.pushes().unwrap().is_empty(), "nothing left to push");
    assert!(!group.keys().has_pending_key());

    let mut members: Vec<Group> = [bob, carol, eve]
        .iter()
        .map(|who| Group::join((*who).clone(), group.group_public_key()).unwrap())
        .collect();
    for m in &mut members {
        swarm.read_into(m);
        assert!(!m.is_admin());
        assert_eq!(m.info().name(), Some("Reading group"));
        assert_eq!(m.info().created(), Some(T0 / 1000));
        assert_eq!(m.member_ids().len(), 4);
        assert_eq!(m.keys().current_generation(), 0);
        // A member's configs are read-only.
        assert_eq!(
            m.info_mut().set_name("mine"),
            Err(GroupConfigError::ReadOnly)
        );
        assert!(m.pushes().unwrap().is_empty());
        assert_eq!(
            m.remove_members(&[admin.session_id()]),
            Err(GroupError::Keys(KeysError::NotAdmin))
        );
    }
    let bob_entry = members[0].members().get(&bob.session_id()).unwrap();
    assert_eq!(bob_entry.name, "Bob");
    assert!(members[0].members().get(&admin.session_id()).unwrap().admin);

    let before = members[2]
        .encrypt_message(b"hello from Eve", EncryptOptions::default(), &mut rng)
        .unwrap();
    for m in &members {
        assert_eq!(
            m.decrypt_message(&before).unwrap().plaintext,
            b"hello from Eve"
        );
    }

    // Eve is removed: a rekey for the rest, and the configs are pushed again under the new key.
    group.remove_members(&[eve.session_id()]).unwrap();
    let kinds = swarm.push_all(&mut group, T0 + 60_000);
    assert!(matches!(
        kinds[..],
        [
            PushKind::Keys,
            PushKind::Info { .. },
            PushKind::Members { .. }
        ]
    ));
    assert_eq!(group.member_ids().len(), 3);
    for m in &mut members {
        swarm.read_into(m);
    }
    assert_eq!(members[0].keys().current_generation(), 1);
    assert_eq!(
        members[2].keys().current_generation(),
        0,
        "Eve got no new key"
    );
    assert_eq!(members[0].member_ids().len(), 3);
    let after = group
        .encrypt_message(b"without Eve", EncryptOptions::default(), &mut rng)
        .unwrap();
    assert_eq!(
        members[0].decrypt_message(&after).unwrap().plaintext,
        b"without Eve"
    );
    assert_eq!(
        members[1].decrypt_message(&after).unwrap().plaintext,
        b"without Eve"
    );
    assert!(
        members[2].decrypt_message(&after).is_err(),
        "Eve cannot read after the rekey"
    );
    // A poll read as one batch: the same verdicts, old and new generation alike.
    let poll: [&[u8]; 3] = [&before, &after, b"not a message"];
    for m in &members {
        let batch = m.decrypt_messages(&poll);
        for (message, verdict) in poll.iter().zip(&batch) {
            assert_eq!(*verdict, m.decrypt_message(message));
        }
        assert_eq!(batch[0].as_ref().unwrap().plaintext, b"hello from Eve");
    }
    assert!(members[2].decrypt_messages(&poll)[1].is_err());
    assert_eq!(
        members[1].decrypt_messages(&poll)[1]
            .as_ref()
            .unwrap()
            .plaintext,
        b"without Eve"
    );
    // Nor the members config pushed under the new key: her copy still lists four members.
    assert_eq!(members[2].member_ids().len(), 4);

    // Dave is added with a supplement: he reads messages sent before he joined.
    group.add_members(&[(dave.session_id(), "Dave")]).unwrap();
    let kinds = swarm.push_all(&mut group, T0 + 120_000);
    assert!(matches!(
        kinds[..],
        [PushKind::Keys, PushKind::Members { .. }]
    ));
    let mut daves = Group::join(dave.clone(), group.group_public_key()).unwrap();
    swarm.read_into(&mut daves);
    assert_eq!(
        daves.decrypt_message(&after).unwrap().plaintext,
        b"without Eve"
    );
    assert_eq!(
        daves.decrypt_message(&before).unwrap().plaintext,
        b"hello from Eve"
    );
    assert!(daves.members().get(&dave.session_id()).unwrap().supplement);

    // Bob is promoted, takes the secret, and can now rekey and rename.
    group.promote(&bob.session_id()).unwrap();
    swarm.push_all(&mut group, T0 + 180_000);
    let bobs = &mut members[0];
    swarm.read_into(bobs);
    assert!(bobs.members().get(&bob.session_id()).unwrap().admin);
    bobs.accept_promotion(group.secret().unwrap().clone())
        .unwrap();
    assert!(bobs.is_admin());
    bobs.info_mut().set_name("Reading group (Bob)").unwrap();
    bobs.remove_members(&[carol.session_id()]).unwrap();
    let kinds = swarm.push_all(bobs, T0 + 240_000);
    assert!(matches!(kinds[0], PushKind::Keys));
    swarm.read_into(&mut group);
    swarm.read_into(&mut daves);
    assert_eq!(group.info().name(), Some("Reading group (Bob)"));
    assert_eq!(daves.keys().current_generation(), 2);
    let latest = daves
        .encrypt_message(b"from Dave", EncryptOptions::default(), &mut rng)
        .unwrap();
    assert_eq!(
        group.decrypt_message(&latest).unwrap().plaintext,
        b"from Dave"
    );
    swarm.read_into(&mut members[1]);
    assert!(
        members[1].decrypt_message(&latest).is_err(),
        "Carol was removed by Bob"
    );
}

#[test]
fn restore_and_refusals() {
    let mut rng = ChaCha20Rng::seed_from_u64(14);
    let p = people(&mut rng, 2);
    let secret = GroupSecret::generate(&mut rng);
    let mut group = Group::create(
        p[0].clone(),
        secret.clone(),
        "G",
        &[(p[1].session_id(), "B")],
        1,
    )
    .unwrap();
    // Restored before anything was pushed: the keys message still waits.
    let dump = group.dump();
    let mut restored = Group::restore(
        p[0].clone(),
        group.group_public_key(),
        Some(secret.clone()),
        &dump,
    )
    .unwrap();
    let pushes = restored.pushes().unwrap();
    assert_eq!(pushes.len(), 3);
    assert_eq!(pushes[0].data, group.pushes().unwrap()[0].data);

    let mut swarm = Swarm::default();
    swarm.push_all(&mut group, T0);
    let mut member = Group::join(p[1].clone(), group.group_public_key()).unwrap();
    swarm.read_into(&mut member);
    let dump = member.dump();
    let back = Group::restore(p[1].clone(), group.group_public_key(), None, &dump).unwrap();
    assert_eq!(back.info().name(), Some("G"));
    // Dumps compare by content (in constant time for the secret parts).
    assert_eq!(back.dump(), dump);
    let mut changed = dump.clone();
    let at = changed.keys.len() / 2;
    changed.keys[at] ^= 1;
    assert_ne!(changed, dump);
    let sent = group
        .encrypt_message(b"x", EncryptOptions::default(), &mut rng)
        .unwrap();
    assert_eq!(back.decrypt_message(&sent).unwrap().plaintext, b"x");

    // A keys message with a flipped byte is refused and reported, and changes nothing.
    let mut forged = swarm.stored[0].2.clone();
    let last = forged.len() - 5;
    forged[last] ^= 1;
    let mut fresh = Group::join(p[1].clone(), group.group_public_key()).unwrap();
    let report = fresh.load_keys([("bad", forged.as_slice(), T0)]);
    assert_eq!(report.refused.len(), 1);
    assert!(fresh
        .encrypt_message(b"x", EncryptOptions::default(), &mut rng)
        .is_err());

    // Confirming a push twice is refused.
    group.remove_members(&[]).unwrap();
    let push = group.pushes().unwrap().remove(0);
    group.confirm_pushed(&push, "k", T0 + 1).unwrap();
    assert_eq!(
        group.confirm_pushed(&push, "k", T0 + 1),
        Err(GroupError::UnknownPush)
    );
    // Listing the creator among the members keeps it the one admin entry.
    let twice = Group::create(
        p[0].clone(),
        GroupSecret::generate(&mut rng),
        "G",
        &[(p[0].session_id(), "me again"), (p[1].session_id(), "B")],
        1,
    )
    .unwrap();
    assert_eq!(twice.member_ids().len(), 2);
    assert!(twice.members().get(&p[0].session_id()).unwrap().admin);
    // Group IDs must be 05 users.
    assert!(matches!(
        group.add_members(&[(group.group_id(), "self")]),
        Err(GroupError::NotAUser(_))
    ));
}
