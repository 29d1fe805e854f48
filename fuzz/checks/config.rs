//! The checks of the config targets (`config_message_parse`, `config_merge`, `config_dump_load`).

use std::sync::OnceLock;

use session_config::{encrypt, merge, pad, Config, ConfigMessage, UserKind, Value};
use session_identity::{Identity, Seed};

/// A fixed history: a base message and two competing edits of it (built once).
fn history() -> &'static [Vec<u8>; 3] {
    static HISTORY: OnceLock<[Vec<u8>; 3]> = OnceLock::new();
    HISTORY.get_or_init(|| {
        let mut base = ConfigMessage::new().increment(None);
        let data = base.data_mut().expect("editable");
        data.insert(b"n".to_vec(), Value::from("name"));
        data.insert(
            b"s".to_vec(),
            Value::Set([1.into(), "x".into()].into_iter().collect()),
        );
        let mut a = base.increment(None);
        a.data_mut()
            .expect("editable")
            .insert(b"a".to_vec(), Value::Int(1));
        let mut b = base.increment(None);
        b.data_mut().expect("editable").remove(&b"n"[..]);
        [base.serialize(None), a.serialize(None), b.serialize(None)]
    })
}

fn account() -> &'static Identity {
    static ACCOUNT: OnceLock<Identity> = OnceLock::new();
    ACCOUNT.get_or_init(|| Identity::from_seed(Seed::from_legacy_bytes([5; 16])))
}

/// Config message parsing: what parses re-serializes to a message that parses to the same
/// serialization, and can be incremented; a verifier never panics either.
pub fn config_message_parse(data: &[u8]) {
    if let Ok(message) = ConfigMessage::parse(data, None) {
        let again = message.serialize(None);
        let reparsed = ConfigMessage::parse(&again, None).expect("a serialization parses");
        assert_eq!(reparsed.serialize(None), again);
        assert_eq!(reparsed.data(), message.data());
        let next = message.increment(None).serialize(None);
        assert!(ConfigMessage::parse(&next, None).is_ok());
    }
    let _ = ConfigMessage::parse(data, Some(account()));
}

/// Merging a hostile message with a valid history: never panics, and the result does not
/// depend on where the hostile message stands. Byte 0 odd: the rest also goes through a
/// config object, encrypted with its key (so it reaches the parser), next to the history.
pub fn config_merge(data: &[u8]) {
    let [base, a, b] = history();
    let first = merge(&[data, base, a, b], None, None).expect("the history parses");
    let last = merge(&[base, a, b, data], None, None).expect("the history parses");
    assert_eq!(first.message.serialize(None), last.message.serialize(None));
    if let Some((&mode, rest)) = data.split_first() {
        let mut config = Config::new_user(UserKind::Contacts, account());
        let key = *config.keys().next().expect("a user config has a key");
        let stored = if mode % 2 == 1 {
            encrypt(&pad(rest), &key, "Contacts").expect("a valid domain")
        } else {
            rest.to_vec()
        };
        let history: Vec<Vec<u8>> = [base, a]
            .iter()
            .map(|m| encrypt(&pad(m), &key, "Contacts").expect("a valid domain"))
            .collect();
        let seqno = config.seqno();
        config.merge([
            ("h", &history[0][..]),
            ("x", &stored[..]),
            ("a", &history[1][..]),
        ]);
        assert!(config.seqno() >= seqno);
        let _ = config.push();
        let dump = config.dump();
        assert!(Config::load_user(UserKind::Contacts, account(), &dump).is_ok());
    }
}

/// Loading a hostile dump as each account config, then reading it through the typed
/// accessors: never panics; what loads dumps again to bytes that load to the same data and
/// state, and can be edited and pushed.
pub fn config_dump_load(data: &[u8]) {
    use session_config::{Contacts, ConvoInfoVolatile, UserGroups, UserProfile};
    for kind in UserKind::ALL {
        let Ok(mut config) = Config::load_user(kind, account(), data) else {
            continue;
        };
        let dump = config.dump();
        let again = Config::load_user(kind, account(), &dump).expect("own dump loads");
        assert_eq!(again.data(), config.data());
        assert_eq!(again.state(), config.state());
        let _ = config.set(&[b"fz"], 1);
        let _ = config.push();
    }
    if let Ok(profile) = UserProfile::load(account(), data) {
        let _ = (
            profile.name(),
            profile.profile_pic(),
            profile.nts_priority(),
        );
    }
    if let Ok(contacts) = Contacts::load(account(), data) {
        assert_eq!(contacts.iter().count(), contacts.len());
    }
    if let Ok(convos) = ConvoInfoVolatile::load(account(), data) {
        let _ = convos.iter().count();
    }
    if let Ok(groups) = UserGroups::load(account(), data) {
        let _ = (
            groups.groups().count(),
            groups.legacy_groups().count(),
            groups.communities().count(),
        );
    }
    group_dump_load(data);
}

/// The group of the generated group-config vectors (g0), whose dumps seed the corpus.
fn group() -> &'static Identity {
    static GROUP: OnceLock<Identity> = OnceLock::new();
    GROUP.get_or_init(|| {
        let seed = [
            0x10, 0x7d, 0xe8, 0x8c, 0x42, 0x4a, 0xa0, 0x48, 0xee, 0xb0, 0x4f, 0xd1, 0x20, 0x52,
            0x17, 0xd6, 0xa4, 0x0e, 0xf8, 0xc1, 0xff, 0xfa, 0x6f, 0x7e, 0xb8, 0x5e, 0x48, 0x5c,
            0x2b, 0x34, 0x4b, 0xf9,
        ];
        Identity::from_seed(Seed::from_full_bytes(seed))
    })
}

/// The same dump loaded as each group config, by an admin and by a member, and read through
/// every typed accessor: never panics; an admin's edits and push work or fail with a typed
/// error, a member's edits are refused; a member stored and read back is stable; what loads
/// dumps again to bytes that load to the same data, state and pending sends.
fn group_dump_load(data: &[u8]) {
    use session_config::{
        GroupConfigError, GroupInfoConfig, GroupKind, GroupMembers, GroupSigning,
    };
    let keys = [[0x42; 32]];
    let pk = group().ed25519_public_key();
    for kind in [GroupKind::Info, GroupKind::Members] {
        let signing = GroupSigning::Admin(Box::new(group().clone()));
        let Ok(mut config) = Config::load_group(kind, &keys, signing, data) else {
            continue;
        };
        let dump = config.dump();
        let signing = GroupSigning::Member(pk);
        let again = Config::load_group(kind, &keys, signing, &dump).expect("own dump loads");
        assert_eq!(again.data(), config.data());
        assert_eq!(again.state(), config.state());
        let _ = config.set(&[b"fz"], 1);
        let _ = config.push();
    }
    let read_info = |info: &GroupInfoConfig| {
        let _ = (
            info.id(),
            info.name(),
            info.description(),
            info.profile_pic(),
            info.expiry_timer(),
            info.created(),
            info.delete_before(),
            info.delete_attach_before(),
            info.is_destroyed(),
        );
    };
    if let Ok(mut info) = GroupInfoConfig::load_member(pk, &keys, data) {
        read_info(&info);
        assert_eq!(info.set_name("x"), Err(GroupConfigError::ReadOnly));
        assert_eq!(info.destroy_group(), Err(GroupConfigError::ReadOnly));
        assert!(info.push().is_err());
    }
    if let Ok(mut info) = GroupInfoConfig::load_admin(group(), &keys, data) {
        read_info(&info);
        let name = info.name().map(str::to_owned);
        let _ = info.set_description_truncated(name.as_deref().unwrap_or("fz"));
        let _ = info.set_expiry_timer(info.expiry_timer().unwrap_or(0) ^ 1);
        let _ = info.set_profile_pic(info.profile_pic().as_ref());
        if info.push().is_ok() {
            let dump = info.dump();
            let again = GroupInfoConfig::load_admin(group(), &keys, &dump).expect("own dump loads");
            assert_eq!(again.name(), info.name());
            assert_eq!(again.description(), info.description());
        }
    }
    if let Ok(members) = GroupMembers::load_member(pk, &keys, data) {
        assert_eq!(members.iter().count(), members.len());
        for member in members.iter() {
            assert_eq!(members.get(&member.session_id).as_ref(), Some(&member));
            let _ = (
                members.status(&member),
                members.has_pending_send(&member.session_id),
            );
        }
        let mut members = members;
        let first = members.iter().next();
        if let Some(first) = first {
            assert_eq!(members.set(&first), Err(GroupConfigError::ReadOnly));
            assert_eq!(
                members.erase(&first.session_id),
                Err(GroupConfigError::ReadOnly)
            );
        }
    }
    if let Ok(mut members) = GroupMembers::load_admin(group(), &keys, data) {
        let listed: Vec<_> = members.iter().collect();
        for member in listed.iter().take(4) {
            if members.set(member).is_ok() {
                let stored = members.get(&member.session_id).expect("just stored");
                members.set(&stored).expect("a stored member stores again");
                assert_eq!(members.get(&member.session_id), Some(stored));
            }
        }
        if let Some(last) = listed.last() {
            assert_eq!(members.erase(&last.session_id), Ok(true));
            assert!(members.get(&last.session_id).is_none());
        }
        let _ = members.push();
        let dump = members.dump();
        let again = GroupMembers::load_admin(group(), &keys, &dump).expect("own dump loads");
        assert_eq!(again.config().data(), members.config().data());
        for member in members.iter() {
            assert_eq!(
                again.has_pending_send(&member.session_id),
                members.has_pending_send(&member.session_id)
            );
        }
    }
}
