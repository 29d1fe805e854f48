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
}
