//! A `03` group's swarm on the testnet: the admin stores the keys and configs with the group
//! key, members read and write with their subaccounts, and the swarm enforces the tokens'
//! permissions.

#![allow(clippy::unwrap_used)]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use session_envelope::group::EncryptOptions;
use session_groups::{Group, GroupSecret};
use session_identity::Identity;
use session_swarm::subaccount::{make_auth_data, SubaccountFlags, SubaccountKey};
use session_swarm::{Namespace, Signer};
use session_testnet::{Client, Network, NetworkConfig};

const TTL: u64 = 14 * 24 * 3600 * 1000;

/// Reads namespaces 12, 13, 14 into `group`, as `signer`.
fn poll_configs(client: &mut Client, net: &mut Network, signer: &Signer<'_>, group: &mut Group) {
    let keys = client
        .retrieve_as(net, signer, Namespace::GROUP_KEYS)
        .unwrap();
    group.load_keys(keys.iter().map(|m| {
        let ts = i64::try_from(m.timestamp.as_millis()).unwrap();
        (m.hash.as_str(), m.data.as_slice(), ts)
    }));
    let info = client
        .retrieve_as(net, signer, Namespace::GROUP_INFO)
        .unwrap();
    group.merge_info(info.iter().map(|m| (m.hash.as_str(), m.data.as_slice())));
    let members = client
        .retrieve_as(net, signer, Namespace::GROUP_MEMBERS)
        .unwrap();
    group.merge_members(members.iter().map(|m| (m.hash.as_str(), m.data.as_slice())));
}

#[test]
fn members_use_their_subaccounts() {
    let mut net = Network::new(NetworkConfig::default());
    let mut rng = ChaCha20Rng::seed_from_u64(31);
    let (admin, bob, eve) = (
        Identity::generate(&mut rng),
        Identity::generate(&mut rng),
        Identity::generate(&mut rng),
    );
    let mut admin_client = Client::new(admin.clone(), &net, 1).unwrap();
    let mut bob_client = Client::new(bob.clone(), &net, 2).unwrap();
    let mut eve_client = Client::new(eve.clone(), &net, 3).unwrap();

    let secret = GroupSecret::generate(&mut rng);
    let mut group = Group::create(
        admin.clone(),
        secret.clone(),
        "Testnet group",
        &[(bob.session_id(), "Bob"), (eve.session_id(), "Eve")],
        1,
    )
    .unwrap();
    let admin_signer = Signer::group_admin(secret.identity());
    assert_eq!(admin_signer.account(), group.group_id());
    for push in group.pushes().unwrap() {
        let hash = admin_client
            .store_as(
                &mut net,
                &admin_signer,
                Namespace::new(push.namespace),
                &push.data,
                TTL,
            )
            .unwrap();
        let now = i64::try_from(net.now().as_millis()).unwrap();
        group.confirm_pushed(&push, hash.as_str(), now).unwrap();
    }
    assert_eq!(net.stored_count(&group.group_id()), 3);

    // Bob may write, Eve only read.
    let bob_auth = make_auth_data(
        secret.identity(),
        &bob.session_id(),
        SubaccountFlags::new(true, false),
    )
    .unwrap();
    let eve_auth = make_auth_data(
        secret.identity(),
        &eve.session_id(),
        SubaccountFlags::new(false, false),
    )
    .unwrap();
    let bob_key = SubaccountKey::new(&bob, &bob_auth).unwrap();
    let eve_key = SubaccountKey::new(&eve, &eve_auth).unwrap();
    let group_pk = group.group_public_key();
    let bob_signer = Signer::group_member(&group_pk, &bob_key);
    let eve_signer = Signer::group_member(&group_pk, &eve_key);

    let mut bobs = Group::join(bob.clone(), group_pk).unwrap();
    let mut eves = Group::join(eve.clone(), group_pk).unwrap();
    poll_configs(&mut bob_client, &mut net, &bob_signer, &mut bobs);
    poll_configs(&mut eve_client, &mut net, &eve_signer, &mut eves);
    assert_eq!(bobs.info().name(), Some("Testnet group"));
    assert_eq!(eves.member_ids().len(), 3);

    let sealed = bobs
        .encrypt_message(b"hi all", EncryptOptions::default(), &mut rng)
        .unwrap();
    bob_client
        .store_as(
            &mut net,
            &bob_signer,
            Namespace::GROUP_MESSAGES,
            &sealed,
            TTL,
        )
        .unwrap();
    let read = eve_client
        .retrieve_as(&mut net, &eve_signer, Namespace::GROUP_MESSAGES)
        .unwrap();
    assert_eq!(read.len(), 1);
    assert_eq!(
        eves.decrypt_message(&read[0].data).unwrap().plaintext,
        b"hi all"
    );

    // Eve's token has no write permission: the swarm refuses her store.
    let hers = eves
        .encrypt_message(b"let me in", EncryptOptions::default(), &mut rng)
        .unwrap();
    assert!(eve_client
        .store_as(&mut net, &eve_signer, Namespace::GROUP_MESSAGES, &hers, TTL)
        .is_err());
    // Nor can a member sign as the group itself, or use auth data made for someone else.
    let stolen = SubaccountKey::new(&eve, &bob_auth).unwrap();
    let stolen_signer = Signer::group_member(&group_pk, &stolen);
    assert!(eve_client
        .store_as(
            &mut net,
            &stolen_signer,
            Namespace::GROUP_MESSAGES,
            &hers,
            TTL
        )
        .is_err());
    let other_group = GroupSecret::generate(&mut rng);
    let foreign = make_auth_data(
        other_group.identity(),
        &eve.session_id(),
        SubaccountFlags::new(true, true),
    )
    .unwrap();
    let foreign_key = SubaccountKey::new(&eve, &foreign).unwrap();
    assert!(eve_client
        .store_as(
            &mut net,
            &Signer::group_member(&group_pk, &foreign_key),
            Namespace::GROUP_MESSAGES,
            &hers,
            TTL
        )
        .is_err());

    // Revoked, Bob can no longer read the group's messages; unrevoked, he can again. The
    // unrevocable namespace -11 stays readable throughout.
    admin_client
        .revoke_subaccounts(&mut net, secret.identity(), &[*bob_key.token()], true)
        .unwrap();
    assert!(bob_client
        .retrieve_as(&mut net, &bob_signer, Namespace::GROUP_MESSAGES)
        .is_err());
    assert!(bob_client
        .store_as(
            &mut net,
            &bob_signer,
            Namespace::GROUP_MESSAGES,
            &sealed,
            TTL
        )
        .is_err());
    assert!(bob_client
        .retrieve_as(&mut net, &bob_signer, Namespace::GROUP_REVOKED_RETRIEVABLE)
        .is_ok());
    admin_client
        .revoke_subaccounts(&mut net, secret.identity(), &[*bob_key.token()], false)
        .unwrap();
    assert!(bob_client
        .retrieve_as(&mut net, &bob_signer, Namespace::GROUP_MESSAGES)
        .is_ok());
}
