//! Properties: value and message round trips, diffs that replay, merges that do not depend on
//! input order, hostile input that never panics, and devices of one account that converge
//! without losing a pushed edit.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use proptest::prelude::*;
use session_config::{
    encode_dict, merge, message_hash, prune, Config, ConfigMessage, Dict, Diff, ProfilePic, Scalar,
    Set, UserKind, UserProfile, Value,
};
use session_identity::{Identity, Seed};

fn small_key() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"a".to_vec()),
        Just(b"b".to_vec()),
        Just(b"".to_vec()),
        prop::collection::vec(any::<u8>(), 0..4),
    ]
}

fn scalar() -> impl Strategy<Value = Scalar> {
    prop_oneof![
        any::<i64>().prop_map(Scalar::Int),
        (-3i64..3).prop_map(Scalar::Int),
        prop::collection::vec(any::<u8>(), 0..6).prop_map(Scalar::Bytes),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        scalar().prop_map(Value::from),
        prop::collection::btree_set(scalar(), 0..4).prop_map(Value::Set),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop::collection::btree_map(small_key(), inner, 0..4).prop_map(Value::Dict)
    })
}

fn dict() -> impl Strategy<Value = Dict> {
    prop::collection::btree_map(small_key(), value(), 0..5).prop_map(|mut d| {
        prune(&mut d);
        d
    })
}

/// One edit of a dictionary.
#[derive(Debug, Clone)]
enum Edit {
    Set(Vec<Vec<u8>>, Value),
    Erase(Vec<Vec<u8>>),
    Insert(Vec<Vec<u8>>, Scalar),
    Remove(Vec<Vec<u8>>, Scalar),
}

fn path() -> impl Strategy<Value = Vec<Vec<u8>>> {
    prop::collection::vec(
        prop_oneof![Just(b"x".to_vec()), Just(b"y".to_vec()), small_key()],
        1..3,
    )
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (path(), value()).prop_map(|(p, v)| Edit::Set(p, v)),
        path().prop_map(Edit::Erase),
        (path(), (0i64..4).prop_map(Scalar::Int)).prop_map(|(p, m)| Edit::Insert(p, m)),
        (path(), (0i64..4).prop_map(Scalar::Int)).prop_map(|(p, m)| Edit::Remove(p, m)),
    ]
}

fn slices(p: &[Vec<u8>]) -> Vec<&[u8]> {
    p.iter().map(Vec::as_slice).collect()
}

fn apply_edit(config: &mut Config, edit: &Edit) {
    match edit {
        Edit::Set(p, v) => config.set(&slices(p), v.clone()).unwrap(),
        Edit::Erase(p) => config.erase(&slices(p)).unwrap(),
        Edit::Insert(p, m) => config.insert_member(&slices(p), m.clone()).unwrap(),
        Edit::Remove(p, m) => config.remove_member(&slices(p), m.clone()).unwrap(),
    }
}

/// Applies `edit` to a message's data directly (nested dictionaries created, non-dictionaries
/// replaced).
fn apply_to_dict(d: &mut Dict, edit: &Edit) {
    let (p, leaf): (&[Vec<u8>], Option<Value>) = match edit {
        Edit::Set(p, v) => (p, Some(v.clone())),
        Edit::Erase(p) => (p, None),
        Edit::Insert(p, m) => (p, Some(Value::Set([m.clone()].into_iter().collect()))),
        Edit::Remove(p, _) => (p, None),
    };
    let (last, parents) = p.split_last().unwrap();
    let mut cur = d;
    for key in parents {
        let slot = cur
            .entry(key.clone())
            .or_insert_with(|| Value::Dict(Dict::new()));
        if !matches!(slot, Value::Dict(_)) {
            *slot = Value::Dict(Dict::new());
        }
        cur = match slot {
            Value::Dict(inner) => inner,
            _ => unreachable!(),
        };
    }
    match leaf {
        Some(v) => {
            cur.insert(last.clone(), v);
        }
        None => {
            cur.remove(last);
        }
    }
}

/// A history: a base message, then branches of edits (each branch a few increments), every
/// message serialized.
fn history(edits: &[(usize, Vec<Edit>)]) -> Vec<Vec<u8>> {
    let mut base = ConfigMessage::new().increment(None);
    let mut out = vec![];
    for e in edits.first().map(|(_, e)| e.clone()).unwrap_or_default() {
        apply_to_dict(base.data_mut().unwrap(), &e);
    }
    out.push(base.serialize(None));
    let mut tips = vec![base];
    for (parent, branch) in edits.iter().skip(1) {
        let from = &tips[parent % tips.len()];
        let mut next = from.increment(None);
        for e in branch {
            apply_to_dict(next.data_mut().unwrap(), e);
        }
        out.push(next.serialize(None));
        tips.push(next);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn data_round_trips(data in dict(), seqno in 0i64..1000) {
        let mut m = ConfigMessage::new_editable(seqno);
        *m.data_mut().unwrap() = data.clone();
        let bytes = m.serialize(None);
        let parsed = ConfigMessage::parse(&bytes, None).unwrap();
        prop_assert_eq!(parsed.data(), &data);
        prop_assert_eq!(parsed.serialize(None), bytes.clone());
        prop_assert_eq!(parsed.hash(None), message_hash(&bytes));
        let again = ConfigMessage::parse(&parsed.serialize(None), None).unwrap();
        prop_assert_eq!(again.diff().encode(), m.diff().encode());
        let _ = encode_dict(&data);
    }

    #[test]
    fn diffs_replay(old in dict(), new in dict()) {
        let diff = Diff::between(&old, &new);
        let mut replayed = old.clone();
        diff.apply(&mut replayed, &new);
        prune(&mut replayed);
        prop_assert_eq!(&replayed, &new);
        prop_assert_eq!(Diff::between(&new, &new), Diff::new());
    }

    #[test]
    fn messages_round_trip(edits in prop::collection::vec((0usize..8, prop::collection::vec(edit(), 0..4)), 1..8)) {
        for bytes in history(&edits) {
            let parsed = ConfigMessage::parse(&bytes, None).unwrap();
            prop_assert_eq!(parsed.serialize(None), bytes.clone());
            let next = parsed.increment(None).serialize(None);
            prop_assert!(ConfigMessage::parse(&next, None).is_ok());
        }
    }

    #[test]
    fn merges_ignore_input_order(
        edits in prop::collection::vec((0usize..8, prop::collection::vec(edit(), 0..3)), 2..8),
        order in Just((0..16).collect::<Vec<usize>>()).prop_shuffle(),
        repeat in 0usize..16,
    ) {
        let messages = history(&edits);
        let first: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
        let expected = merge(&first, None, None).unwrap().message.serialize(None);
        let mut shuffled: Vec<&[u8]> = order
            .iter()
            .filter(|&&i| i < messages.len())
            .map(|&i| messages[i].as_slice())
            .collect();
        shuffled.push(messages[repeat % messages.len()].as_slice());
        let merged = merge(&shuffled, None, None).unwrap();
        prop_assert_eq!(merged.message.serialize(None), expected);
    }

    #[test]
    fn hostile_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = ConfigMessage::parse(&bytes, None);
        let _ = merge(&[&bytes[..]], None, None);
    }

    #[test]
    fn mutated_messages_never_panic(
        edits in prop::collection::vec((0usize..4, prop::collection::vec(edit(), 0..3)), 1..4),
        flips in prop::collection::vec((any::<usize>(), any::<u8>()), 1..4),
        cut in any::<usize>(),
    ) {
        let messages = history(&edits);
        for bytes in &messages {
            let mut mutated = bytes.clone();
            for (at, byte) in &flips {
                let len = mutated.len();
                mutated[at % len] = *byte;
            }
            mutated.truncate(cut % (mutated.len() + 1));
            if let Ok(m) = ConfigMessage::parse(&mutated, None) {
                let again = m.serialize(None);
                prop_assert!(ConfigMessage::parse(&again, None).is_ok());
            }
            let inputs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).chain([&mutated[..]]).collect();
            let _ = merge(&inputs, None, None);
        }
    }
}

// ---- convergence ----------------------------------------------------------------------------

fn account() -> Identity {
    Identity::from_seed(Seed::from_legacy_bytes(*b"convergence-test"))
}

/// The swarm of one namespace: stored messages by hash.
#[derive(Default)]
struct Swarm {
    stored: BTreeMap<String, Vec<u8>>,
}

impl Swarm {
    fn store(&mut self, data: &[u8], obsolete: &[String]) -> String {
        let hash = hex::encode(&message_hash(data)[..8]);
        self.stored.insert(hash.clone(), data.to_vec());
        for old in obsolete {
            if *old != hash {
                self.stored.remove(old);
            }
        }
        hash
    }

    /// What a poll returns: every message, in an order and with duplicates drawn from `pick`.
    fn poll(&self, pick: &[usize]) -> Vec<(String, Vec<u8>)> {
        let all: Vec<_> = self
            .stored
            .iter()
            .map(|(h, d)| (h.clone(), d.clone()))
            .collect();
        if all.is_empty() {
            return all;
        }
        let mut out = all.clone();
        for (i, &p) in pick.iter().enumerate() {
            let j = i % out.len();
            let len = out.len();
            out.swap(j, p % len);
        }
        if let Some(&p) = pick.first() {
            out.push(all[p % all.len()].clone());
        }
        out
    }
}

#[derive(Debug, Clone)]
enum Step {
    /// Device, edit.
    Edit(usize, Edit),
    /// Device pushes if it has something to push.
    Push(usize),
    /// Device polls, merging in an order drawn from the numbers.
    Poll(usize, Vec<usize>),
}

fn step(devices: usize) -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..devices, edit()).prop_map(|(d, e)| Step::Edit(d, e)),
        2 => (0..devices).prop_map(Step::Push),
        2 => (0..devices, prop::collection::vec(any::<usize>(), 0..4)).prop_map(|(d, p)| Step::Poll(d, p)),
    ]
}

/// Keys of device `d`'s own subtree: edits there are never written by another device.
fn owned(d: usize, edit: &Edit) -> Edit {
    let prefix = |p: &Vec<Vec<u8>>| {
        let mut out = vec![format!("dev{d}").into_bytes()];
        out.extend(p.iter().cloned());
        out
    };
    match edit {
        Edit::Set(p, v) => Edit::Set(prefix(p), v.clone()),
        Edit::Erase(p) => Edit::Erase(prefix(p)),
        Edit::Insert(p, m) => Edit::Insert(prefix(p), m.clone()),
        Edit::Remove(p, m) => Edit::Remove(prefix(p), m.clone()),
    }
}

/// Every leaf under `value`: scalars by path, set members by path and member (present: 1).
fn leaves(value: Option<&Value>) -> BTreeMap<Vec<Vec<u8>>, Option<Value>> {
    fn walk(v: &Value, path: &mut Vec<Vec<u8>>, out: &mut BTreeMap<Vec<Vec<u8>>, Option<Value>>) {
        match v {
            Value::Dict(d) => {
                for (k, inner) in d {
                    path.push(k.clone());
                    walk(inner, path, out);
                    path.pop();
                }
            }
            Value::Set(set) => {
                for member in set {
                    let mut p = path.clone();
                    p.push(format!("{member:?}").into_bytes());
                    out.insert(p, Some(Value::Int(1)));
                }
            }
            scalar => {
                out.insert(path.clone(), Some(scalar.clone()));
            }
        }
    }
    let mut out = BTreeMap::new();
    if let Some(v) = value {
        walk(v, &mut Vec::new(), &mut out);
    }
    out
}

fn settle(devices: &mut [Config], swarm: &mut Swarm) {
    for _ in 0..12 {
        for d in devices.iter_mut() {
            let polled = swarm.poll(&[]);
            d.merge(polled.iter().map(|(h, m)| (h.as_str(), m.as_slice())));
            if d.needs_push() {
                let push = d.push().unwrap();
                let hash = swarm.store(&push.data, &push.obsolete);
                d.confirm_pushed(push.seqno, hash);
            }
        }
        if devices.iter().all(|d| !d.needs_push())
            && devices
                .windows(2)
                .all(|w| w[0].message().serialize(None) == w[1].message().serialize(None))
        {
            return;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Devices editing their own subtrees (and so never overwriting each other) converge to
    /// one message; seqnos never go back; and each device's subtree ends as the device last
    /// left it, or as it was at an earlier point of that device's history: the merge format
    /// lets a concurrent merge message, which lists all its data as changed, restate an older
    /// state over an edit it never saw (see docs/config.md). Nothing else is lost or invented.
    #[test]
    fn devices_converge_without_losing_edits(
        count in 2usize..=3,
        steps in prop::collection::vec(step(3), 1..40),
    ) {
        let me = account();
        let mut devices: Vec<Config> = (0..count).map(|_| Config::new_user(UserKind::Contacts, &me)).collect();
        let mut swarm = Swarm::default();
        let mut last_seqno = vec![0i64; count];
        let subtree = |d: usize| format!("dev{d}").into_bytes();
        let mut history: Vec<Vec<Option<Value>>> = vec![vec![None]; count];
        for s in &steps {
            match s {
                Step::Edit(d, e) if *d < count => {
                    apply_edit(&mut devices[*d], &owned(*d, e));
                    history[*d].push(devices[*d].get(&[&subtree(*d)]).cloned());
                }
                Step::Push(d) if *d < count && devices[*d].needs_push() => {
                    let push = devices[*d].push().unwrap();
                    let hash = swarm.store(&push.data, &push.obsolete);
                    devices[*d].confirm_pushed(push.seqno, hash);
                }
                Step::Poll(d, pick) if *d < count => {
                    let polled = swarm.poll(pick);
                    devices[*d].merge(polled.iter().map(|(h, m)| (h.as_str(), m.as_slice())));
                }
                _ => {}
            }
            for (d, device) in devices.iter().enumerate() {
                prop_assert!(device.seqno() >= last_seqno[d], "seqno went back");
                last_seqno[d] = device.seqno();
            }
        }
        settle(&mut devices, &mut swarm);
        let bytes = devices[0].message().serialize(None);
        for (d, device) in devices.iter().enumerate() {
            prop_assert_eq!(device.message().serialize(None), bytes.clone(), "device {} differs", d);
            prop_assert!(!device.needs_push());
        }
        for (d, past) in history.iter().enumerate() {
            let end = leaves(devices[0].get(&[&subtree(d)]));
            let seen: Vec<BTreeMap<Vec<Vec<u8>>, Option<Value>>> =
                past.iter().map(|v| leaves(v.as_ref())).collect();
            let paths: std::collections::BTreeSet<&Vec<Vec<u8>>> =
                seen.iter().chain([&end]).flat_map(|m| m.keys()).collect();
            for path in paths {
                let at = |m: &BTreeMap<Vec<Vec<u8>>, Option<Value>>| m.get(path).cloned().flatten();
                let now = at(&end);
                prop_assert!(
                    seen.iter().any(|m| at(m) == now),
                    "device {}: {:?} at {:?} was never its value", d, now, path
                );
            }
        }
    }
}

#[derive(Debug, Clone)]
enum ProfileEdit {
    Name(String),
    Priority(i64),
    Expiry(u64),
    Pic(Option<u8>),
    Requests(Option<bool>),
}

fn profile_edit() -> impl Strategy<Value = ProfileEdit> {
    prop_oneof![
        "[a-z]{0,6}".prop_map(ProfileEdit::Name),
        (-1i64..4).prop_map(ProfileEdit::Priority),
        (0u64..3).prop_map(ProfileEdit::Expiry),
        prop::option::of(any::<u8>()).prop_map(ProfileEdit::Pic),
        prop::option::of(any::<bool>()).prop_map(ProfileEdit::Requests),
    ]
}

fn apply_profile(p: &mut UserProfile, e: &ProfileEdit) {
    match e {
        ProfileEdit::Name(n) => p.set_name(n).unwrap(),
        ProfileEdit::Priority(v) => p.set_nts_priority(*v).unwrap(),
        ProfileEdit::Expiry(v) => p.set_nts_expiry(*v).unwrap(),
        ProfileEdit::Pic(k) => {
            let pic = k.map(|k| ProfilePic {
                url: format!("http://x/{k}"),
                key: [k; 32],
            });
            p.set_profile_pic(pic.as_ref()).unwrap()
        }
        ProfileEdit::Requests(v) => p.set_blinded_msgreqs(*v).unwrap(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Devices editing the same profile fields at once converge to one profile; a field
    /// written by one device alone ends with a value that device gave it.
    #[test]
    fn profiles_converge(
        count in 2usize..=3,
        steps in prop::collection::vec((0usize..3, 0u8..3, profile_edit(), prop::collection::vec(any::<usize>(), 0..3)), 1..30),
    ) {
        let me = account();
        let mut devices: Vec<UserProfile> = (0..count).map(|_| UserProfile::new(&me)).collect();
        let mut swarm = Swarm::default();
        // Device 0 alone sets the priority.
        let mut priorities = vec![0];
        for (d, action, e, pick) in &steps {
            let d = d % count;
            match action {
                0 => {
                    let e = match e {
                        ProfileEdit::Priority(_) if d != 0 => continue,
                        e => e,
                    };
                    if let ProfileEdit::Priority(v) = e {
                        priorities.push(*v);
                    }
                    apply_profile(&mut devices[d], e);
                }
                1 => {
                    if devices[d].needs_push() {
                        let push = devices[d].push().unwrap();
                        let hash = swarm.store(&push.data, &push.obsolete);
                        devices[d].confirm_pushed(push.seqno, hash);
                    }
                }
                _ => {
                    let before = devices[d].seqno();
                    let polled = swarm.poll(pick);
                    devices[d].merge(polled.iter().map(|(h, m)| (h.as_str(), m.as_slice())));
                    prop_assert!(devices[d].seqno() >= before);
                }
            }
        }
        for _ in 0..12 {
            for dev in devices.iter_mut() {
                let polled = swarm.poll(&[]);
                dev.merge(polled.iter().map(|(h, m)| (h.as_str(), m.as_slice())));
                if dev.needs_push() {
                    let push = dev.push().unwrap();
                    let hash = swarm.store(&push.data, &push.obsolete);
                    dev.confirm_pushed(push.seqno, hash);
                }
            }
        }
        let first = devices[0].config().message().serialize(None);
        for dev in &devices {
            prop_assert_eq!(dev.config().message().serialize(None), first.clone());
            prop_assert_eq!(dev.name(), devices[0].name());
            prop_assert_eq!(dev.profile_pic(), devices[0].profile_pic());
            prop_assert!(!dev.needs_push());
        }
        // Its value, or an earlier one a concurrent merge restated (see docs/config.md).
        prop_assert!(priorities.contains(&devices[0].nts_priority()));
    }
}

#[test]
fn sets_stay_sets() {
    let mut s = Set::new();
    s.insert(Scalar::Int(1));
    let mut d = Dict::new();
    d.insert(b"s".to_vec(), Value::Set(s));
    assert_eq!(encode_dict(&d), b"d1:sli1eee");
}
