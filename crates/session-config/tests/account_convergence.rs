//! The convergence guarantee for a whole account: 2–5 devices of one account edit all four
//! user configs at random, push, and poll each other's pushes in random orders, with
//! duplicates, drops and late redelivery. Once everything is delivered every device holds
//! the same four configs, seqnos never went back, and no pushed edit is lost unless a later
//! edit (or, as the merge format allows, a concurrent merge restating an earlier value of the
//! same key; see docs/config.md) replaced it. The check is per key of the data (one field of
//! one item), as the merge works: two fields of one item can end from different edits.
//!
//! `CONVERGENCE_CASES=10000 cargo test -p session-config --release --test account_convergence`
//! runs a longer search than the default.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use proptest::prelude::*;
use session_config::{
    message_hash, Community, CommunityInfo, Contact, Conversation, ConvoInfo, GroupInfo,
    UserConfigs, UserKind,
};
use session_identity::{Identity, Seed, SessionId};

const NOW_MS: i64 = 1_764_000_000_000;

fn account() -> Identity {
    Identity::from_seed(Seed::from_legacy_bytes(*b"account-converge"))
}

fn id(prefix: u8, device: usize, item: u8) -> SessionId {
    let mut bytes = [0u8; 33];
    bytes[0] = prefix;
    bytes[1] = device as u8;
    bytes[2] = item;
    SessionId::from_bytes(&bytes).unwrap()
}

fn community(device: usize, item: u8) -> Community {
    Community::new(
        &format!("https://dev{device}.example.org"),
        &format!("room{item}"),
        [device as u8; 32],
    )
    .unwrap()
}

/// One edit. Items named by (owner, item) are written only by their owning device; the
/// shared ones are written by every device.
#[derive(Debug, Clone)]
enum Edit {
    ProfileName(String),
    Nickname(u8, String),
    Blocked(u8, bool),
    EraseContact(u8),
    SharedNickname(String),
    LastRead(u8, i64),
    Unread(u8, bool),
    JoinCommunity(u8, i64),
    LeaveCommunity(u8),
    GroupPriority(u8, i64),
    GroupName(u8, String),
}

fn edit() -> impl Strategy<Value = Edit> {
    let item = 0u8..3;
    prop_oneof![
        "[a-z]{0,5}".prop_map(Edit::ProfileName),
        (item.clone(), "[a-z]{0,5}").prop_map(|(i, n)| Edit::Nickname(i, n)),
        (item.clone(), any::<bool>()).prop_map(|(i, b)| Edit::Blocked(i, b)),
        item.clone().prop_map(Edit::EraseContact),
        "[a-z]{0,5}".prop_map(Edit::SharedNickname),
        (item.clone(), 1i64..1_000_000).prop_map(|(i, t)| Edit::LastRead(i, t)),
        (item.clone(), any::<bool>()).prop_map(|(i, b)| Edit::Unread(i, b)),
        (item.clone(), -1i64..3).prop_map(|(i, p)| Edit::JoinCommunity(i, p)),
        item.clone().prop_map(Edit::LeaveCommunity),
        (item.clone(), -1i64..3).prop_map(|(i, p)| Edit::GroupPriority(i, p)),
        (item, "[a-z]{0,5}").prop_map(|(i, n)| Edit::GroupName(i, n)),
    ]
}

fn apply(configs: &mut UserConfigs, device: usize, edit: &Edit) {
    match edit {
        Edit::ProfileName(name) => configs.profile.set_name(name).unwrap(),
        Edit::Nickname(i, nick) => {
            let mut c = configs.contacts.get_or_construct(&id(0x05, device, *i));
            c.nickname = nick.clone();
            configs.contacts.set(&c).unwrap();
        }
        Edit::Blocked(i, blocked) => {
            let mut c = configs.contacts.get_or_construct(&id(0x05, device, *i));
            c.blocked = *blocked;
            configs.contacts.set(&c).unwrap();
        }
        Edit::EraseContact(i) => {
            configs.contacts.erase(&id(0x05, device, *i)).unwrap();
        }
        Edit::SharedNickname(nick) => {
            let mut c = configs.contacts.get_or_construct(&id(0x05, 0xff, 0));
            c.nickname = nick.clone();
            configs.contacts.set(&c).unwrap();
        }
        Edit::LastRead(i, t) => {
            let convo = Conversation::OneToOne(id(0x05, device, *i));
            let mut info = configs.convos.get_or_construct(&convo).unwrap();
            info.last_read = NOW_MS - t;
            configs.convos.set(&info, NOW_MS).unwrap();
        }
        Edit::Unread(i, unread) => {
            let convo = Conversation::OneToOne(id(0x05, device, *i));
            let mut info = configs.convos.get_or_construct(&convo).unwrap();
            info.unread = *unread;
            configs.convos.set(&info, NOW_MS).unwrap();
        }
        Edit::JoinCommunity(i, priority) => {
            let mut info = CommunityInfo::new(community(device, *i));
            info.settings.priority = *priority;
            configs.groups.set_community(&info).unwrap();
        }
        Edit::LeaveCommunity(i) => {
            let c = community(device, *i);
            configs
                .groups
                .erase_community(c.base_url(), c.room())
                .unwrap();
        }
        Edit::GroupPriority(i, priority) => {
            let gid = id(0x03, device, *i);
            let mut g = configs.groups.get_or_construct_group(&gid).unwrap();
            g.settings.priority = *priority;
            configs.groups.set_group(&g).unwrap();
        }
        Edit::GroupName(i, name) => {
            let gid = id(0x03, device, *i);
            let mut g = configs.groups.get_or_construct_group(&gid).unwrap();
            g.name = name.clone();
            configs.groups.set_group(&g).unwrap();
        }
    }
}

/// The state of the items a device owns, as the device sees it: per item and field (one key of
/// the config's data), its typed value printed, or `None` while the item does not exist.
type Owned = BTreeMap<String, Option<String>>;

fn owned_items(configs: &UserConfigs, device: usize) -> Owned {
    let mut out = Owned::new();
    for i in 0..3u8 {
        let contact: Option<Contact> = configs.contacts.get(&id(0x05, device, i));
        out.insert(
            format!("contact{i}.nickname"),
            contact.as_ref().map(|c| format!("{:?}", c.nickname)),
        );
        out.insert(
            format!("contact{i}.blocked"),
            contact.map(|c| c.blocked.to_string()),
        );
        let convo: Option<ConvoInfo> = configs
            .convos
            .get(&Conversation::OneToOne(id(0x05, device, i)))
            .unwrap();
        out.insert(
            format!("convo{i}.last_read"),
            convo.as_ref().map(|c| c.last_read.to_string()),
        );
        out.insert(
            format!("convo{i}.unread"),
            convo.map(|c| c.unread.to_string()),
        );
        let c = community(device, i);
        let room = configs
            .groups
            .get_community(c.base_url(), c.room())
            .unwrap();
        out.insert(
            format!("community{i}.priority"),
            room.map(|r| r.settings.priority.to_string()),
        );
        let group: Option<GroupInfo> = configs.groups.get_group(&id(0x03, device, i)).unwrap();
        out.insert(
            format!("group{i}.name"),
            group.as_ref().map(|g| format!("{:?}", g.name)),
        );
        out.insert(
            format!("group{i}.priority"),
            group.map(|g| g.settings.priority.to_string()),
        );
    }
    out
}

/// The swarm of one account: per namespace, stored messages by hash.
#[derive(Default)]
struct Swarm {
    stored: BTreeMap<i16, BTreeMap<String, Vec<u8>>>,
}

impl Swarm {
    fn store(&mut self, kind: UserKind, data: &[u8], obsolete: &[String]) -> String {
        let hash = hex::encode(&message_hash(data)[..8]);
        let ns = self.stored.entry(kind.namespace()).or_default();
        ns.insert(hash.clone(), data.to_vec());
        for old in obsolete {
            if *old != hash {
                ns.remove(old);
            }
        }
        hash
    }

    /// A poll of `kind`: the stored messages, some dropped, reordered and duplicated as
    /// `pick` says (an empty pick returns everything in hash order).
    fn poll(&self, kind: UserKind, pick: &[u8]) -> Vec<(String, Vec<u8>)> {
        let all: Vec<(String, Vec<u8>)> = self
            .stored
            .get(&kind.namespace())
            .map(|ns| ns.iter().map(|(h, d)| (h.clone(), d.clone())).collect())
            .unwrap_or_default();
        if pick.is_empty() || all.is_empty() {
            return all;
        }
        pick.iter()
            .map(|&p| all[usize::from(p) % all.len()].clone())
            .collect()
    }
}

fn push_all(device: &mut UserConfigs, swarm: &mut Swarm) {
    for kind in device.needs_push() {
        let push = device.push(kind, NOW_MS).unwrap();
        let hash = swarm.store(kind, &push.data, &push.obsolete);
        device.confirm_pushed(kind, push.seqno, hash);
    }
}

fn seqnos(device: &UserConfigs) -> [i64; 4] {
    UserKind::ALL.map(|kind| device.config(kind).seqno())
}

#[derive(Debug, Clone)]
enum Step {
    Edit(usize, Edit),
    Push(usize),
    /// Device polls one namespace (by index), with drops and duplicates drawn from the bytes.
    Poll(usize, usize, Vec<u8>),
    /// Device saves its dumps and restarts from them.
    Restart(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0usize..5, edit()).prop_map(|(d, e)| Step::Edit(d, e)),
        2 => (0usize..5).prop_map(Step::Push),
        3 => (0usize..5, 0usize..4, prop::collection::vec(any::<u8>(), 0..5))
            .prop_map(|(d, k, p)| Step::Poll(d, k, p)),
        1 => (0usize..5).prop_map(Step::Restart),
    ]
}

fn cases() -> u32 {
    std::env::var("CONVERGENCE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn account_configs_converge(
        count in 2usize..=5,
        steps in prop::collection::vec(step(), 1..60),
    ) {
        let me = account();
        let mut devices: Vec<UserConfigs> = (0..count).map(|_| UserConfigs::new(&me)).collect();
        let mut swarm = Swarm::default();
        let mut last = vec![[0i64; 4]; count];
        // Every state each device's own items have been in, as that device saw them.
        let mut history: Vec<Vec<Owned>> = (0..count).map(|d| vec![owned_items(&devices[d], d)]).collect();

        for s in &steps {
            match s {
                Step::Edit(d, e) => {
                    let d = d % count;
                    apply(&mut devices[d], d, e);
                    history[d].push(owned_items(&devices[d], d));
                }
                Step::Push(d) => push_all(&mut devices[d % count], &mut swarm),
                Step::Poll(d, k, pick) => {
                    let d = d % count;
                    let kind = UserKind::ALL[*k];
                    let polled = swarm.poll(kind, pick);
                    devices[d].merge(kind, polled.iter().map(|(h, m)| (h.as_str(), m.as_slice())));
                }
                Step::Restart(d) => {
                    let d = d % count;
                    let dumps: Vec<(UserKind, zeroize::Zeroizing<Vec<u8>>)> =
                        UserKind::ALL.into_iter().map(|k| (k, devices[d].dump(k))).collect();
                    let restored =
                        UserConfigs::load(&me, dumps.iter().map(|(k, b)| (*k, b.as_slice()))).unwrap();
                    prop_assert_eq!(owned_items(&restored, d), owned_items(&devices[d], d));
                    prop_assert_eq!(restored.needs_push(), devices[d].needs_push());
                    devices[d] = restored;
                }
            }
            for (d, device) in devices.iter().enumerate() {
                let now = seqnos(device);
                for k in 0..4 {
                    prop_assert!(now[k] >= last[d][k], "device {} {:?}: seqno went back", d, UserKind::ALL[k]);
                }
                last[d] = now;
            }
        }

        // Deliver everything, in full, until nobody has anything left to push.
        for _ in 0..12 {
            for device in devices.iter_mut() {
                for kind in UserKind::ALL {
                    let polled = swarm.poll(kind, &[]);
                    device.merge(kind, polled.iter().map(|(h, m)| (h.as_str(), m.as_slice())));
                }
                push_all(device, &mut swarm);
            }
        }

        for kind in UserKind::ALL {
            let first = devices[0].config(kind).message().serialize(None);
            for (d, device) in devices.iter().enumerate() {
                prop_assert_eq!(
                    device.config(kind).message().serialize(None), first.clone(),
                    "device {} differs in {:?}", d, kind
                );
                prop_assert!(!device.config(kind).needs_push());
            }
        }
        prop_assert_eq!(devices[0].profile.name(), devices[count - 1].profile.name());

        // Each field of each device's own items ends with a value that device gave it (the
        // latest or, through a restating merge, an earlier one; docs/config.md).
        let end = &devices[0];
        for (d, past) in history.iter().enumerate() {
            let finals = owned_items(end, d);
            for (item, value) in &finals {
                prop_assert!(
                    past.iter().any(|state| state.get(item) == Some(value)),
                    "device {}: {} ended as {:?}, a value it never gave it", d, item, value
                );
            }
        }
    }
}
