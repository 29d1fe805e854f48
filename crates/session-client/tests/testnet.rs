//! The client against the in-memory testnet through a test transport: bootstrap, paths,
//! sending and polling, and the failures the retry decisions handle.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use session_client::network::SkewedClock;
use session_client::{
    Client, ClientError, Clock, HttpRequest, HttpResponse, Network, NetworkConfig, SystemClock,
    Transport, TransportError,
};
use session_identity::{Identity, OsRng};
use session_testnet::NetworkConfig as TestnetConfig;

/// Routes POSTs into an in-memory network: the seed's `json_rpc`, and `/onion_req/v2` to the
/// node listed at the URL's address. The network's clock follows the real one.
#[derive(Clone)]
struct TestnetTransport {
    net: Arc<Mutex<session_testnet::Network>>,
    seed_calls: Arc<std::sync::atomic::AtomicUsize>,
}

impl TestnetTransport {
    fn new(config: TestnetConfig) -> Self {
        Self {
            net: Arc::new(Mutex::new(session_testnet::Network::new(config))),
            seed_calls: Arc::default(),
        }
    }

    fn seed_calls(&self) -> usize {
        self.seed_calls.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn answer(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let mut net = self.net.lock().unwrap();
        net.advance_to(SystemClock.now());
        if request.url.ends_with("/json_rpc") {
            self.seed_calls
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            return Ok(HttpResponse {
                status: 200,
                body: net.directory_json(),
            });
        }
        let address = request
            .url
            .strip_prefix("https://")
            .and_then(|rest| rest.strip_suffix("/onion_req/v2"))
            .ok_or_else(|| TransportError::BadUrl(request.url.clone()))?;
        let guard = net
            .nodes()
            .iter()
            .find(|n| format!("{}:{}", n.info().ip, n.info().https_port) == address)
            .map(|n| n.info().ed25519)
            .ok_or_else(|| TransportError::Connect(address.to_owned()))?;
        match net.deliver(&guard, &request.body, "client") {
            Some(reply) => Ok(HttpResponse {
                status: reply.status,
                body: reply.body,
            }),
            None => Err(TransportError::Timeout),
        }
    }
}

impl Transport for TestnetTransport {
    async fn post(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.answer(&request)
    }
}

fn config() -> NetworkConfig {
    NetworkConfig::local("http://seed.test/")
}

async fn network(
    transport: &TestnetTransport,
    config: NetworkConfig,
) -> Arc<Network<TestnetTransport>> {
    Arc::new(Network::bootstrap(transport.clone(), config).await.unwrap())
}

/// A new account on `net`, its poll state in memory.
fn account<T: Transport>(net: &Arc<Network<T>>) -> Client<T> {
    Client::new(Identity::generate(&mut OsRng), Arc::clone(net))
}

#[tokio::test]
async fn two_accounts_exchange_messages_once_each() {
    let transport = TestnetTransport::new(TestnetConfig::default());
    let net = network(&transport, config()).await;
    let status = net.status();
    assert_eq!(status.pool_size, 30);
    assert_eq!(status.paths, 2);
    // The testnet's clock follows ours: the offset learnt from the path tests is small.
    assert!(status.clock_offset_ms.abs() < 5_000, "{status:?}");

    let (alice, bob) = (account(&net), account(&net));
    let hash = alice.send_text(&bob.session_id(), "hi Bob").await.unwrap();
    bob.send_text(&alice.session_id(), "hi Alice")
        .await
        .unwrap();

    let inbox = bob.poll().await.unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].hash, hash);
    assert_eq!(inbox[0].text(), Some("hi Bob"));
    assert_eq!(inbox[0].message.sender_session_id, alice.session_id());
    assert!(bob.poll().await.unwrap().is_empty(), "delivered once");
    assert_eq!(alice.poll().await.unwrap()[0].text(), Some("hi Alice"));
}

#[tokio::test]
async fn a_clock_two_hours_off_is_corrected() {
    let transport = TestnetTransport::new(TestnetConfig::default());
    let mut skewed = config();
    skewed.clock = Arc::new(SkewedClock {
        skew_ms: -2 * 3600 * 1000,
    });
    let net = network(&transport, skewed).await;
    // The path tests measured the offset.
    let offset = net.status().clock_offset_ms;
    assert!((offset - 2 * 3600 * 1000).abs() < 5_000, "{offset}");
    let (alice, bob) = (account(&net), account(&net));
    alice.send_text(&bob.session_id(), "on time").await.unwrap();
    let inbox = bob.poll().await.unwrap();
    assert_eq!(inbox[0].text(), Some("on time"));
    // The message carries the network's time, not the wrong local one.
    let sent = inbox[0].message.sent_timestamp_ms;
    assert!(sent.abs_diff(SystemClock.now().as_millis()) < 60_000);
}

#[tokio::test]
async fn a_clock_off_without_path_tests_is_corrected_by_the_406() {
    let transport = TestnetTransport::new(TestnetConfig::default());
    let mut skewed = config();
    skewed.test_paths = false;
    skewed.clock = Arc::new(SkewedClock {
        skew_ms: 2 * 3600 * 1000,
    });
    let net = network(&transport, skewed).await;
    assert_eq!(net.status().clock_offset_ms, 0);
    let (alice, bob) = (account(&net), account(&net));
    alice.send_text(&bob.session_id(), "late").await.unwrap();
    assert_eq!(net.status().counters.clock_adjustments, 1);
    assert!((net.status().clock_offset_ms + 2 * 3600 * 1000).abs() < 5_000);
    assert_eq!(bob.poll().await.unwrap()[0].text(), Some("late"));
}

#[tokio::test]
async fn down_nodes_and_lost_replies_are_routed_around() {
    let transport = TestnetTransport::new(TestnetConfig::default());
    let net = network(&transport, config()).await;
    let (alice, bob) = (account(&net), account(&net));
    {
        let mut testnet = transport.net.lock().unwrap();
        let swarm = testnet
            .swarm_map()
            .swarm_for(&bob.session_id())
            .unwrap()
            .members
            .to_vec();
        // A member of Bob's swarm loses its next reply, and every path's middle node is down.
        // (A down node that is also picked as a new guard costs a timeout each time, up to
        // three: with more faults at once, six attempts are not always enough.)
        testnet.drop_replies_from(&swarm[1].ed25519, 1);
        for path in net.paths() {
            testnet.set_down(&path.hops()[1].ed25519, true);
        }
    }
    for i in 0..5 {
        alice
            .send_text(&bob.session_id(), &format!("message {i}"))
            .await
            .unwrap();
    }
    let inbox = bob.poll().await.unwrap();
    let counters = net.status().counters;
    assert!(
        counters.attempts > 6 && counters.nodes_dropped >= 1,
        "{counters:?}"
    );
    let mut texts: Vec<&str> = inbox.iter().filter_map(|m| m.text()).collect();
    texts.sort_unstable();
    assert_eq!(
        texts,
        [
            "message 0",
            "message 1",
            "message 2",
            "message 3",
            "message 4"
        ]
    );
}

#[tokio::test]
async fn no_seed_is_a_typed_error() {
    struct Refusing;
    impl Transport for Refusing {
        async fn post(&self, _: HttpRequest) -> Result<HttpResponse, TransportError> {
            Err(TransportError::Connect("refused".into()))
        }
    }
    let err = Network::bootstrap(Refusing, config()).await.unwrap_err();
    assert!(
        matches!(err, ClientError::NoSeed(ref why) if why.contains("refused")),
        "{err}"
    );
    let err = Network::bootstrap(Refusing, NetworkConfig::new(vec![]))
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::NoSeed(_)));
}

#[tokio::test]
async fn a_restarted_client_with_its_store_returns_nothing_twice() {
    let dir = std::env::temp_dir().join(format!("session-client-restart-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("profile.sqlite");
    let transport = TestnetTransport::new(TestnetConfig::default());
    let net = network(&transport, config()).await;
    let alice = Client::new(Identity::generate(&mut OsRng), Arc::clone(&net));
    let bob_identity = Identity::generate(&mut OsRng);
    let bob_id = bob_identity.session_id();
    alice.send_text(&bob_id, "first").await.unwrap();
    {
        let store = Arc::new(session_client::store::SqliteStore::open(&path).unwrap());
        let bob = Client::with_store(bob_identity.clone(), Arc::clone(&net), store);
        assert_eq!(bob.poll().await.unwrap()[0].text(), Some("first"));
    }
    alice.send_text(&bob_id, "second").await.unwrap();
    let store = Arc::new(session_client::store::SqliteStore::open(&path).unwrap());
    let bob = Client::with_store(bob_identity, Arc::clone(&net), store.clone());
    let inbox = bob.poll().await.unwrap();
    assert_eq!(inbox.len(), 1, "only what is new since the last run");
    assert_eq!(inbox[0].text(), Some("second"));
    use session_client::store::Store;
    assert_eq!(store.received(&bob_id.to_hex(), 0).unwrap().len(), 2);
    drop(bob);
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_swarm_that_changed_after_bootstrap_is_learnt_from_the_421() {
    let transport = TestnetTransport::new(TestnetConfig::default());
    let net = network(&transport, config()).await;
    let (alice, bob) = (account(&net), account(&net));
    {
        // Four of the five members of Bob's swarm move to another swarm: the client's map
        // (from bootstrap) is stale for them.
        let mut testnet = transport.net.lock().unwrap();
        let map = testnet.swarm_map().clone();
        let home = map.swarm_for(&bob.session_id()).unwrap();
        let other = map.swarms().find(|s| s.id != home.id).unwrap().id;
        let moved: Vec<_> = home.members[1..].iter().map(|n| n.ed25519).collect();
        for key in &moved {
            assert!(testnet.move_node_to_swarm(key, other));
        }
    }
    // Each request's first member is random: send until one has met a moved member (one in
    // five picks the member that stayed), then every message must still be there.
    let mut sent = 0;
    while sent < 3 || net.status().counters.swarm_redirects == 0 {
        alice
            .send_text(&bob.session_id(), &format!("after the move {sent}"))
            .await
            .unwrap();
        sent += 1;
        assert!(sent < 60, "no request met a moved member");
    }
    assert_eq!(bob.poll().await.unwrap().len(), sent);
    assert!(
        net.status().counters.swarm_redirects >= 1,
        "{:?}",
        net.status()
    );
}

/// A transport that answers the next `count` requests to `address` with a 200 of noise.
#[derive(Clone)]
struct Garbling {
    inner: TestnetTransport,
    /// (addresses, count), set while the network runs.
    target: Arc<Mutex<(Vec<String>, u32)>>,
}

impl Transport for Garbling {
    async fn post(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        {
            let mut target = self.target.lock().unwrap();
            if target.1 > 0 && target.0.iter().any(|a| request.url.contains(a.as_str())) {
                target.1 -= 1;
                return Ok(HttpResponse {
                    status: 200,
                    body: b"\x00garbage that is not an onion reply".to_vec(),
                });
            }
        }
        self.inner.answer(&request)
    }
}

async fn garbling_network() -> (Garbling, Arc<Network<Garbling>>) {
    let garbling = Garbling {
        inner: TestnetTransport::new(TestnetConfig::default()),
        target: Arc::new(Mutex::new((Vec::new(), 0))),
    };
    let net = Network::bootstrap(garbling.clone(), config())
        .await
        .unwrap();
    (garbling, Arc::new(net))
}

fn address(node: &session_swarm::ServiceNode) -> String {
    format!("{}:{}/", node.ip, node.https_port)
}

#[tokio::test]
async fn a_guard_answering_garbage_costs_retries_not_messages() {
    let (garbling, net) = garbling_network().await;
    // From now on the first path's guard answers noise.
    let noisy = *net.paths()[0].guard();
    *garbling.target.lock().unwrap() = (vec![address(&noisy)], 1000);
    let (alice, bob) = (account(&net), account(&net));
    let mut sent = 0;
    // Until the noisy guard has been tried three times (and dropped): every send succeeds.
    while garbling.target.lock().unwrap().1 > 1000 - 3 {
        alice
            .send_text(&bob.session_id(), &format!("through noise {sent}"))
            .await
            .unwrap();
        sent += 1;
        assert!(sent < 200, "the noisy guard is never chosen");
    }
    alice.send_text(&bob.session_id(), "last").await.unwrap();
    assert_eq!(bob.poll().await.unwrap().len(), sent + 1);
    let status = net.status();
    assert_eq!(status.counters.path_failures, 3, "{status:?}");
    assert_eq!(
        status.pool_size, 29,
        "the noisy guard left the pool: {status:?}"
    );
    assert!(
        net.paths()
            .iter()
            .all(|p| p.guard().ed25519 != noisy.ed25519),
        "the path through the noisy guard is gone: {status:?}"
    );
}

#[tokio::test]
async fn when_every_guard_answers_garbage_sends_stay_bounded_and_recover() {
    let (garbling, net) = garbling_network().await;
    let guards: Vec<String> = net.paths().iter().map(|p| address(p.guard())).collect();
    *garbling.target.lock().unwrap() = (guards, 1000);
    let (alice, bob) = (account(&net), account(&net));
    // Three strikes per path, six attempts per request: the first send either runs out of
    // attempts (bounded, typed) or reaches a path built fresh on the way (when a path had to
    // avoid the destination); both paths through the noisy guards are dropped either way.
    let first = alice.send_text(&bob.session_id(), "first").await;
    match &first {
        Ok(_) | Err(ClientError::Attempt(_)) => {}
        Err(other) => panic!("{other}"),
    }
    // New paths through other guards: the next send goes through.
    alice
        .send_text(&bob.session_id(), "delivered")
        .await
        .unwrap();
    let inbox = bob.poll().await.unwrap();
    assert_eq!(inbox.len(), 1 + usize::from(first.is_ok()));
    assert_eq!(inbox.last().unwrap().text(), Some("delivered"));
    assert!(net.status().counters.path_failures >= 3);
}

#[tokio::test]
async fn incoming_messages_arrive_as_a_stream_in_order() {
    let transport = TestnetTransport::new(TestnetConfig::default());
    let net = network(&transport, config()).await;
    let alice = Client::new(Identity::generate(&mut OsRng), Arc::clone(&net));
    let bob = Arc::new(Client::new(
        Identity::generate(&mut OsRng),
        Arc::clone(&net),
    ));
    let mut incoming = bob.incoming(std::time::Duration::from_millis(20));
    for i in 0..3 {
        alice
            .send_text(&bob.session_id(), &format!("stream {i}"))
            .await
            .unwrap();
    }
    let mut got = Vec::new();
    while got.len() < 3 {
        let next = tokio::time::timeout(std::time::Duration::from_secs(10), incoming.recv())
            .await
            .expect("messages arrive in bounded time")
            .expect("the stream is open");
        got.push(next.unwrap().text().unwrap().to_owned());
    }
    assert_eq!(got, ["stream 0", "stream 1", "stream 2"]);
    drop(incoming);
}

#[tokio::test]
async fn a_saved_node_list_spares_the_seeds_until_it_is_stale() {
    use session_client::store::{MemoryStore, NodePoolCache, Store};
    let transport = TestnetTransport::new(TestnetConfig::default());
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let first = Network::bootstrap_with_store(transport.clone(), config(), Arc::clone(&store))
        .await
        .unwrap();
    assert_eq!(transport.seed_calls(), 1);
    assert!(store.node_pool().unwrap().is_some(), "the list was saved");
    drop(first);
    let second = Network::bootstrap_with_store(transport.clone(), config(), Arc::clone(&store))
        .await
        .unwrap();
    assert_eq!(
        transport.seed_calls(),
        1,
        "no seed asked: the saved list was used"
    );
    assert_eq!(second.status().pool_size, 30);
    // Three hours old: the seeds are asked again.
    let saved = store.node_pool().unwrap().unwrap();
    store
        .put_node_pool(&NodePoolCache {
            saved_at_ms: saved.saved_at_ms - 3 * 3600 * 1000,
            ..saved
        })
        .unwrap();
    Network::bootstrap_with_store(transport.clone(), config(), Arc::clone(&store))
        .await
        .unwrap();
    assert_eq!(transport.seed_calls(), 2);
    // A saved list whose nodes are all gone: no path can be built from it, the seeds are asked.
    store
        .put_node_pool(&NodePoolCache {
            blob: br#"{"result":{"service_node_states":[]}}"#.to_vec(),
            saved_at_ms: SystemClock.now().as_millis(),
        })
        .unwrap();
    Network::bootstrap_with_store(transport.clone(), config(), store)
        .await
        .unwrap();
    assert_eq!(transport.seed_calls(), 3);
}

#[tokio::test]
async fn delete_after_read_empties_the_swarm_and_expired_messages_leave_the_store() {
    use session_client::store::ReceivedMessage;
    let transport = TestnetTransport::new(TestnetConfig::default());
    let net = network(&transport, config()).await;
    let (alice, bob) = (account(&net), account(&net));
    for i in 0..3 {
        alice
            .send_text(&bob.session_id(), &format!("read once {i}"))
            .await
            .unwrap();
    }
    assert_eq!(
        transport
            .net
            .lock()
            .unwrap()
            .stored_count(&bob.session_id()),
        3
    );
    bob.set_delete_after_read(true);
    assert_eq!(bob.poll().await.unwrap().len(), 3);
    assert_eq!(
        transport
            .net
            .lock()
            .unwrap()
            .stored_count(&bob.session_id()),
        0,
        "the swarm's copies are gone"
    );
    assert_eq!(
        bob.store()
            .received(&bob.session_id().to_hex(), 0)
            .unwrap()
            .len(),
        3
    );

    // A message whose expiry has passed leaves the store at the next poll.
    let account = bob.session_id().to_hex();
    bob.store()
        .insert_received(&ReceivedMessage {
            account: account.clone(),
            namespace: 0,
            hash: "expired".into(),
            timestamp_ms: 1,
            expiry_ms: 2,
            body: vec![1],
        })
        .unwrap();
    assert_eq!(bob.store().received(&account, 0).unwrap().len(), 4);
    assert!(bob.poll().await.unwrap().is_empty());
    assert_eq!(bob.store().received(&account, 0).unwrap().len(), 3);
    assert_eq!(bob.delete(&[]).await.unwrap(), 0);
}

/// A seed that lists only the first `keep` nodes of the directory.
#[derive(Clone)]
struct ShortSeed {
    inner: TestnetTransport,
    keep: usize,
}

impl Transport for ShortSeed {
    async fn post(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let mut answer = self.inner.answer(&request)?;
        if request.url.ends_with("/json_rpc") {
            let mut json: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
            let states = json["result"]["service_node_states"]
                .as_array_mut()
                .unwrap();
            states.truncate(self.keep);
            answer.body = json.to_string().into_bytes();
        }
        Ok(answer)
    }
}

#[tokio::test]
async fn a_small_pool_is_refreshed_from_three_nodes_that_agree() {
    let seed = ShortSeed {
        inner: TestnetTransport::new(TestnetConfig::default()),
        keep: 14,
    };
    let mut cfg = config();
    cfg.pool_refresh_interval = std::time::Duration::ZERO;
    let net = Arc::new(Network::bootstrap(seed.clone(), cfg).await.unwrap());
    assert_eq!(net.status().pool_size, 14);
    let (alice, bob) = (account(&net), account(&net));
    alice
        .send_text(&bob.session_id(), "after a refresh")
        .await
        .unwrap();
    let status = net.status();
    // The three nodes' lists (30 nodes each) agree on all 30: above the 24 required.
    assert_eq!(status.pool_size, 30, "{status:?}");
    assert_eq!(status.counters.refreshes_from_nodes, 1);
    assert_eq!(status.counters.refreshes_from_seeds, 0);
    assert_eq!(bob.poll().await.unwrap()[0].text(), Some("after a refresh"));

    // A seed-only refresh when the nodes cannot agree: a network of 12 has fewer than 24
    // nodes in common, so the 12-node pool comes back from the seed instead.
    let small = TestnetTransport::new(TestnetConfig {
        swarms: 3,
        nodes_per_swarm: 4,
        seed: 5,
    });
    let mut cfg = config();
    cfg.pool_refresh_interval = std::time::Duration::ZERO;
    let net = Arc::new(Network::bootstrap(small.clone(), cfg).await.unwrap());
    let alice = Client::new(Identity::generate(&mut OsRng), Arc::clone(&net));
    alice
        .send_text(&alice.session_id(), "note to self")
        .await
        .unwrap();
    let status = net.status();
    assert_eq!(status.pool_size, 12);
    assert_eq!(status.counters.refreshes_from_nodes, 0);
    assert!(status.counters.refreshes_from_seeds >= 1, "{status:?}");
}

#[tokio::test]
async fn a_namespace_read_raw_is_not_returned_again_by_poll() {
    let transport = TestnetTransport::new(TestnetConfig::default());
    let net = network(&transport, config()).await;
    let (alice, bob) = (account(&net), account(&net));
    let hash = alice.send_text(&bob.session_id(), "raw").await.unwrap();
    let raw = bob
        .retrieve_new(session_swarm::Namespace::DEFAULT)
        .await
        .unwrap();
    assert_eq!(raw.len(), 1);
    assert_eq!(raw[0].hash, hash.as_str());
    assert_eq!(raw[0].account, bob.session_id().to_hex());
    assert!(bob.poll().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_second_device_gets_the_profile_through_the_swarm_and_keeps_it() {
    use session_client::store::MemoryStore;
    let transport = TestnetTransport::new(TestnetConfig::default());
    let net = network(&transport, config()).await;
    let account = Identity::generate(&mut OsRng);
    let phone = Client::new(account.clone(), Arc::clone(&net));
    // The desktop restores the account from its recovery phrase.
    let restored =
        Identity::from_recovery_phrase(account.recovery_phrase().expose_secret()).unwrap();
    let desktop_store = Arc::new(MemoryStore::new());
    let desktop = Client::with_store(restored.clone(), Arc::clone(&net), desktop_store.clone());

    let mut phone_configs = phone.load_configs().unwrap();
    phone_configs.profile.set_name("Kallie").unwrap();
    let sync = phone.sync_configs(&mut phone_configs).await.unwrap();
    assert_eq!(sync.pushed.len(), 1, "{sync:?}");
    assert!(phone
        .sync_configs(&mut phone_configs)
        .await
        .unwrap()
        .pushed
        .is_empty());

    let mut desktop_configs = desktop.load_configs().unwrap();
    assert_eq!(desktop_configs.profile.name(), None);
    let sync = desktop.sync_configs(&mut desktop_configs).await.unwrap();
    assert_eq!(desktop_configs.profile.name(), Some("Kallie"), "{sync:?}");

    // The desktop renames; the phone merges it.
    desktop_configs.profile.set_name("Kallie D.").unwrap();
    desktop.sync_configs(&mut desktop_configs).await.unwrap();
    phone.sync_configs(&mut phone_configs).await.unwrap();
    assert_eq!(phone_configs.profile.name(), Some("Kallie D."));

    // The desktop restarts with its store: the profile is there without the network.
    let again = Client::with_store(restored, Arc::clone(&net), desktop_store);
    assert_eq!(
        again.load_configs().unwrap().profile.name(),
        Some("Kallie D.")
    );
}

#[tokio::test]
async fn a_group_talks_through_its_swarm_with_a_member_subaccount() {
    use session_groups::{Group, GroupSecret};
    use session_swarm::subaccount::{make_auth_data, SubaccountFlags, SubaccountKey};
    use session_swarm::Signer;
    let transport = TestnetTransport::new(TestnetConfig::default());
    let net = network(&transport, config()).await;
    let (ada_id, bo_id) = (
        Identity::generate(&mut OsRng),
        Identity::generate(&mut OsRng),
    );
    let ada = Client::new(ada_id.clone(), Arc::clone(&net));
    let bo = Client::new(bo_id.clone(), Arc::clone(&net));
    let secret = GroupSecret::generate(&mut OsRng);
    let mut ada_group = Group::create(
        ada_id.clone(),
        secret.clone(),
        "Garden club",
        &[(bo_id.session_id(), "Bo")],
        1_764_000_000,
    )
    .unwrap();
    let admin = Signer::group_admin(secret.identity());
    assert_eq!(ada.push_group(&mut ada_group, &admin).await.unwrap(), 3);

    // Bo joins with a read-write subaccount token from Ada.
    let auth = make_auth_data(
        secret.identity(),
        &bo_id.session_id(),
        SubaccountFlags::new(true, false),
    )
    .unwrap();
    let bo_key = SubaccountKey::new(&bo_id, &auth).unwrap();
    let member = Signer::group_member(&ada_group.group_public_key(), &bo_key);
    let mut bo_group = Group::join(bo_id.clone(), ada_group.group_public_key()).unwrap();
    let sync = bo.sync_group(&mut bo_group, &member).await.unwrap();
    assert_eq!(sync.keys.with_key, 1, "{sync:?}");
    assert_eq!(bo_group.info().name(), Some("Garden club"));

    ada.send_group_message(&ada_group, &admin, b"Seeds arrive Tuesday")
        .await
        .unwrap();
    bo.send_group_message(&bo_group, &member, b"I'll bring the trowels")
        .await
        .unwrap();
    let read = bo
        .sync_group(&mut bo_group, &member)
        .await
        .unwrap()
        .messages;
    let texts: Vec<Vec<u8>> = read.into_iter().map(|m| m.unwrap().plaintext).collect();
    assert_eq!(
        texts,
        [
            b"Seeds arrive Tuesday".to_vec(),
            b"I'll bring the trowels".to_vec()
        ]
    );
    let ada_read = ada.sync_group(&mut ada_group, &admin).await.unwrap();
    assert_eq!(ada_read.messages.len(), 2);
    assert_eq!(
        ada_read.messages[1].as_ref().unwrap().sender_session_id,
        bo_id.session_id()
    );
    // Read again: nothing new.
    assert!(bo
        .sync_group(&mut bo_group, &member)
        .await
        .unwrap()
        .messages
        .is_empty());

    // Bo's device restarts without a dump of the group: a fresh join replayed from the store
    // has the key and the name again, without asking the swarm.
    let mut rejoined = Group::join(bo_id.clone(), ada_group.group_public_key()).unwrap();
    assert_eq!(rejoined.info().name(), None);
    let replayed = bo.replay_group(&mut rejoined).unwrap();
    assert_eq!(replayed.with_key, 1);
    assert_eq!(rejoined.info().name(), Some("Garden club"));
    let sealed = rejoined
        .encrypt_message(b"back", Default::default(), &mut OsRng)
        .unwrap();
    assert_eq!(
        ada_group.decrypt_message(&sealed).unwrap().plaintext,
        b"back"
    );
}
