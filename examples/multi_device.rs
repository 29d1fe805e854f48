//! One account on two devices: a phone, and a desktop restored from the phone's recovery
//! phrase, kept in sync through config messages in the account's own swarm.
//!
//! The phone has a profile and two contacts. The desktop starts empty and pulls the four
//! configs (namespaces 2–5). Then both edit while offline: the phone gives Carol a nickname,
//! the desktop blocks Dave and joins a community, and both rename the profile at nearly the
//! same moment. Each device syncs (pull, merge, push) until neither has anything left to
//! push, and both end with the same state. Every push and merge is printed.
//!
//! Randomness is a seeded ChaCha20 generator, so keys and IDs are the same on every run.
//!
//! ```text
//! cargo run --release --example multi_device
//! ```

use std::error::Error;
use std::time::Duration;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use session_config::{Community, CommunityInfo, UserConfigs, UserKind};
use session_identity::Identity;
use session_testnet::{Client, ConfigEvent, Network, NetworkConfig};

fn show(device: &str, events: &[ConfigEvent]) {
    if events.is_empty() {
        println!("  {device:<7} nothing new, nothing to push");
    }
    for event in events {
        println!("  {device:<7} {event}");
    }
}

/// Everything the configs hold that this example touches, as text.
fn state(configs: &UserConfigs) -> Vec<String> {
    let mut out = vec![format!(
        "profile name: {:?}",
        configs.profile.name().unwrap_or_default()
    )];
    for c in configs.contacts.iter() {
        out.push(format!(
            "contact {}…: name {:?}, nickname {:?}, approved {}, blocked {}",
            &c.session_id.to_hex()[..10],
            c.name,
            c.nickname,
            c.approved,
            c.blocked
        ));
    }
    for info in configs.convos.iter() {
        out.push(format!(
            "conversation {:?}: last read {}",
            info.conversation, info.last_read
        ));
    }
    for room in configs.groups.communities() {
        out.push(format!(
            "community {}: priority {}",
            room.community.full_url(),
            room.settings.priority
        ));
    }
    out
}

/// Syncs each device in turn until a whole round changes nothing.
fn settle(
    net: &mut Network,
    devices: &mut [(&str, &mut Client, &mut UserConfigs)],
    now_ms: i64,
) -> Result<(), Box<dyn Error>> {
    for round in 1..=6 {
        println!(" round {round}");
        let mut quiet = true;
        for (name, client, configs) in devices.iter_mut() {
            let events = client.sync_configs(net, configs, now_ms)?;
            quiet &= !events
                .iter()
                .any(|e| matches!(e, ConfigEvent::Pushed { .. }));
            show(name, &events);
        }
        if quiet {
            return Ok(());
        }
        net.advance(Duration::from_secs(1));
    }
    Err("the devices did not settle".into())
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut rng = ChaCha20Rng::seed_from_u64(2026);
    let mut net = Network::new(NetworkConfig {
        swarms: 4,
        nodes_per_swarm: 5,
        seed: 11,
    });
    let now_ms = i64::try_from(net.now().as_millis())?;

    println!("== 1. The phone");
    let account = Identity::generate(&mut rng);
    let phrase = account.recovery_phrase();
    let carol = Identity::generate(&mut rng).session_id();
    let dave = Identity::generate(&mut rng).session_id();
    let mut phone_configs = UserConfigs::new(&account);
    phone_configs.profile.set_name("Kallie")?;
    for (id, name) in [(&carol, "Carol"), (&dave, "Dave")] {
        let mut contact = phone_configs.contacts.get_or_construct(id);
        contact.name = name.into();
        contact.approved = true;
        contact.approved_me = true;
        phone_configs.contacts.set(&contact)?;
    }
    let mut phone = Client::new(account, &net, 1)?;
    println!("  account {}", phone.session_id());
    show(
        "phone",
        &phone.sync_configs(&mut net, &mut phone_configs, now_ms)?,
    );

    println!("\n== 2. The desktop, restored from the recovery phrase, starts empty");
    let restored = Identity::from_recovery_phrase(phrase.expose_secret())?;
    let mut desktop_configs = UserConfigs::new(&restored);
    let mut desktop = Client::new(restored, &net, 2)?;
    assert_eq!(desktop.session_id(), phone.session_id());
    assert_eq!(desktop_configs.contacts.len(), 0);
    show(
        "desktop",
        &desktop.sync_configs(&mut net, &mut desktop_configs, now_ms)?,
    );
    assert_eq!(desktop_configs.profile.name(), Some("Kallie"));
    assert_eq!(desktop_configs.contacts.len(), 2);
    for line in state(&desktop_configs) {
        println!("  desktop: {line}");
    }

    println!("\n== 3. Both edit, offline");
    let mut c = phone_configs.contacts.get_or_construct(&carol);
    c.nickname = "Caz".into();
    phone_configs.contacts.set(&c)?;
    phone_configs.profile.set_name("Kallie (phone)")?;
    println!("  phone:   Carol's nickname \"Caz\"; profile name \"Kallie (phone)\"");

    let mut d = desktop_configs.contacts.get_or_construct(&dave);
    d.blocked = true;
    desktop_configs.contacts.set(&d)?;
    let room = Community::new("https://open.example.org", "Lobby", [7; 32])?;
    desktop_configs
        .groups
        .set_community(&CommunityInfo::new(room))?;
    desktop_configs.profile.set_name("Kallie (desktop)")?;
    println!(
        "  desktop: Dave blocked; joined open.example.org/lobby; profile name \"Kallie (desktop)\""
    );
    println!(
        "  to push: phone {:?}, desktop {:?}",
        phone_configs.needs_push(),
        desktop_configs.needs_push()
    );

    println!("\n== 4. Both come online and sync until nothing is left to push");
    settle(
        &mut net,
        &mut [
            ("phone", &mut phone, &mut phone_configs),
            ("desktop", &mut desktop, &mut desktop_configs),
        ],
        now_ms,
    )?;

    println!("\n== 5. The end state");
    let phone_state = state(&phone_configs);
    for line in &phone_state {
        println!("  {line}");
    }
    assert_eq!(phone_state, state(&desktop_configs), "the devices differ");
    for kind in UserKind::ALL {
        let a = phone_configs.config(kind);
        let b = desktop_configs.config(kind);
        assert_eq!(
            a.message().serialize(None),
            b.message().serialize(None),
            "{kind:?} differs"
        );
        println!(
            "  {kind:?}: seqno {} on both, hash {}",
            a.seqno(),
            a.current_hashes().first().map_or("-", |h| &h[..12])
        );
    }
    let carol_now = phone_configs.contacts.get(&carol).ok_or("Carol lost")?;
    let dave_now = phone_configs.contacts.get(&dave).ok_or("Dave lost")?;
    assert_eq!(carol_now.nickname, "Caz");
    assert!(dave_now.blocked);
    assert_eq!(phone_configs.groups.communities().count(), 1);
    let name = phone_configs.profile.name().unwrap_or_default();
    assert!(name == "Kallie (phone)" || name == "Kallie (desktop)");
    println!("  both devices agree; the concurrent rename resolved to {name:?}");
    Ok(())
}
