//! A `03` closed group on an in-memory network: an admin creates a group of four, the
//! members join with the subaccount tokens the admin gave them, everyone talks, the admin
//! removes one member and rekeys, the removed member's poll can no longer read, and a member
//! is promoted to admin and renames the group.
//!
//! The admin stores the keys message (namespace 12) and the info and members configs (13, 14)
//! in the group's own swarm, signed with the group key; members read and write namespace 11
//! with their subaccounts, whose permissions the swarm checks. Everything is printed.
//!
//! Randomness is a seeded ChaCha20 generator, so keys and IDs are the same on every run.
//!
//! ```text
//! cargo run --release --example group_chat
//! ```

use std::error::Error;
use std::time::Duration;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use session_testnet::{Client, Network, NetworkConfig};
use sessionkit::envelope::group::EncryptOptions;
use sessionkit::groups::{Group, GroupSecret, PushKind};
use sessionkit::identity::{Identity, SessionId};
use sessionkit::swarm::subaccount::{make_auth_data, SubaccountFlags, SubaccountKey};
use sessionkit::swarm::{Namespace, Signer};

const TTL: u64 = 14 * 24 * 3600 * 1000;

/// One person: their client on the network, their view of the group, their swarm key.
struct Person {
    name: &'static str,
    client: Client,
    group: Group,
    key: Option<SubaccountKey>,
}

fn short(id: &SessionId) -> String {
    let hex = id.to_hex();
    format!("{}…{}", &hex[..8], &hex[hex.len() - 4..])
}

fn now_ms(net: &Network) -> i64 {
    i64::try_from(net.now().as_millis()).unwrap_or(i64::MAX)
}

/// Stores what the admin's group must push, keys first, with the group key.
fn push(net: &mut Network, who: &mut Person, secret: &GroupSecret) -> Result<(), Box<dyn Error>> {
    let signer = Signer::group_admin(secret.identity());
    for push in who.group.pushes()? {
        let hash = who.client.store_as(
            net,
            &signer,
            Namespace::new(push.namespace),
            &push.data,
            TTL,
        )?;
        who.group
            .confirm_pushed(&push, hash.as_str(), now_ms(net))?;
        let what = match push.kind {
            PushKind::Keys => format!(
                "keys message, generation {}",
                who.group.keys().current_generation()
            ),
            PushKind::Info { seqno } => format!("info config, seqno {seqno}"),
            PushKind::Members { seqno } => format!("members config, seqno {seqno}"),
            _ => "other".into(),
        };
        println!(
            "  {:<6} stores ns {:>2}: {what} ({} bytes)",
            who.name,
            push.namespace,
            push.data.len()
        );
    }
    Ok(())
}

/// The signer `who` uses for the group's swarm: the group key for an admin who has it,
/// else the subaccount.
fn poll(
    net: &mut Network,
    who: &mut Person,
    admin: Option<&GroupSecret>,
) -> Result<Vec<String>, Box<dyn Error>> {
    let group_pk = who.group.group_public_key();
    let signer = match (admin, &who.key) {
        (Some(secret), _) => Signer::group_admin(secret.identity()),
        (None, Some(key)) => Signer::group_member(&group_pk, key),
        (None, None) => return Err("no way to read the group's swarm".into()),
    };
    let keys = who
        .client
        .retrieve_as(net, &signer, Namespace::GROUP_KEYS)?;
    let loaded = who.group.load_keys(keys.iter().map(|m| {
        (
            m.hash.as_str(),
            m.data.as_slice(),
            i64::try_from(m.timestamp.as_millis()).unwrap_or(0),
        )
    }));
    let info = who
        .client
        .retrieve_as(net, &signer, Namespace::GROUP_INFO)?;
    who.group
        .merge_info(info.iter().map(|m| (m.hash.as_str(), m.data.as_slice())));
    let members = who
        .client
        .retrieve_as(net, &signer, Namespace::GROUP_MEMBERS)?;
    who.group
        .merge_members(members.iter().map(|m| (m.hash.as_str(), m.data.as_slice())));
    let messages = who
        .client
        .retrieve_as(net, &signer, Namespace::GROUP_MESSAGES)?;
    let mut read = Vec::new();
    let mut unreadable = 0;
    for m in &messages {
        match who.group.decrypt_message(&m.data) {
            Ok(message) => read.push(format!(
                "{}: {}",
                short(&message.sender_session_id),
                String::from_utf8_lossy(&message.plaintext)
            )),
            Err(_) => unreadable += 1,
        }
    }
    println!(
        "  {:<6} polls: {} keys message(s) ({} with a key for them), generation {}, \"{}\", {} members; {} message(s) read, {} unreadable",
        who.name,
        keys.len(),
        loaded.with_key,
        who.group.keys().current_generation(),
        who.group.info().name().unwrap_or(""),
        who.group.member_ids().len(),
        read.len(),
        unreadable
    );
    for line in &read {
        println!("           {line}");
    }
    Ok(read)
}

fn say(
    net: &mut Network,
    who: &mut Person,
    text: &str,
    rng: &mut ChaCha20Rng,
) -> Result<(), Box<dyn Error>> {
    let sealed = who
        .group
        .encrypt_message(text.as_bytes(), EncryptOptions::default(), rng)?;
    let key = who.key.as_ref().ok_or("no subaccount")?;
    let signer = Signer::group_member(&who.group.group_public_key(), key);
    who.client
        .store_as(net, &signer, Namespace::GROUP_MESSAGES, &sealed, TTL)?;
    println!(
        "  {:<6} says \"{text}\" ({} bytes in ns 11)",
        who.name,
        sealed.len()
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut net = Network::new(NetworkConfig::default());
    let mut rng = ChaCha20Rng::seed_from_u64(2026);
    let names = ["Ada", "Bo", "Cy", "Dee"];
    let ids: Vec<Identity> = names.iter().map(|_| Identity::generate(&mut rng)).collect();
    let secret = GroupSecret::generate(&mut rng);

    println!("1. Ada creates a group of four");
    let others: Vec<(SessionId, &str)> = ids[1..]
        .iter()
        .zip(&names[1..])
        .map(|(i, n)| (i.session_id(), *n))
        .collect();
    let created = Group::create(
        ids[0].clone(),
        secret.clone(),
        "Garden club",
        &others,
        1_764_000_000,
    )?;
    println!("  group {}", short(&created.group_id()));
    let mut people: Vec<Person> = Vec::new();
    for (i, (identity, name)) in ids.iter().zip(names).enumerate() {
        let group = if i == 0 {
            created.clone()
        } else {
            Group::join(identity.clone(), created.group_public_key())?
        };
        let client = Client::new(identity.clone(), &net, 10 + i as u64)?;
        people.push(Person {
            name,
            client,
            group,
            key: None,
        });
    }
    push(&mut net, &mut people[0], &secret)?;

    println!("\n2. Ada gives everyone a subaccount (read and write); the members join");
    for i in 0..4 {
        let auth = make_auth_data(
            secret.identity(),
            &ids[i].session_id(),
            SubaccountFlags::new(true, false),
        )?;
        people[i].key = Some(SubaccountKey::new(&ids[i], &auth)?);
        println!(
            "  {:<6} token {}…",
            names[i],
            &people[i]
                .key
                .as_ref()
                .map(|k| k.token().to_base64())
                .unwrap_or_default()[..12]
        );
    }
    for person in people.iter_mut().skip(1) {
        poll(&mut net, person, None)?;
    }

    println!("\n3. Everyone talks");
    let lines = [
        "Seeds arrive Tuesday",
        "I'll bring the trowels",
        "Count me in",
        "Who has the shed key?",
    ];
    for (i, line) in lines.iter().enumerate() {
        say(&mut net, &mut people[i], line, &mut rng)?;
        net.advance(Duration::from_secs(5));
    }
    for person in people.iter_mut() {
        poll(&mut net, person, None)?;
    }

    println!("\n4. Ada removes Dee and rekeys");
    let dee = ids[3].session_id();
    people[0].group.remove_members(&[dee])?;
    push(&mut net, &mut people[0], &secret)?;
    let dee_token = *people[3].key.as_ref().ok_or("no subaccount")?.token();
    people[0]
        .client
        .revoke_subaccounts(&mut net, secret.identity(), &[dee_token], true)?;
    println!("  Ada    revokes Dee's subaccount on the group's swarm");
    net.advance(Duration::from_secs(5));
    // Bo polls first: a member sends with the newest key it has loaded.
    poll(&mut net, &mut people[1], None)?;
    say(
        &mut net,
        &mut people[1],
        "Dee is gone: new key from here",
        &mut rng,
    )?;
    let bo = poll(&mut net, &mut people[2], None)?;
    match poll(&mut net, &mut people[3], None) {
        Ok(_) => return Err("the swarm let a revoked subaccount read".into()),
        Err(e) => println!("  Dee    polls: refused by the swarm ({e})"),
    }
    // Even with the messages in hand (copied before the revocation, say), Dee holds no key
    // for them.
    let mut copier = Client::new(ids[3].clone(), &net, 99)?;
    let leaked = copier.retrieve_as(
        &mut net,
        &Signer::group_admin(secret.identity()),
        Namespace::GROUP_MESSAGES,
    )?;
    let newest = leaked.last().ok_or("no message")?;
    if bo.is_empty() || people[3].group.decrypt_message(&newest.data).is_ok() {
        return Err("the rekey did not do what it should".into());
    }
    println!(
        "  Dee cannot open Bo's message either: it is sealed under generation {}, which she never got",
        people[1].group.keys().current_generation()
    );

    println!("\n5. Ada promotes Bo; Bo takes the group secret and renames the group");
    people[0].group.promote(&ids[1].session_id())?;
    push(&mut net, &mut people[0], &secret)?;
    let handed_over = people[0]
        .group
        .secret()
        .ok_or("Ada is not an admin")?
        .clone();
    poll(&mut net, &mut people[1], None)?;
    people[1].group.accept_promotion(handed_over.clone())?;
    people[1].group.info_mut().set_name("Garden club (Bo)")?;
    push(&mut net, &mut people[1], &handed_over)?;
    for i in [0, 2] {
        let admin = if i == 0 { Some(&secret) } else { None };
        poll(&mut net, &mut people[i], admin)?;
    }
    if people[2].group.info().name() != Some("Garden club (Bo)") {
        return Err("the rename did not reach Cy".into());
    }
    println!(
        "\nDone: {} members, generation {}, admins: Ada and Bo.",
        people[2].group.member_ids().len(),
        people[2].group.keys().current_generation()
    );
    Ok(())
}
