//! The community server of the testnet, through onion v4 requests: the whole API, the poller,
//! and refusals of forged, stale and replayed requests as the reference server refuses them.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use session_community::request::{
    AddReaction, Batch, Call, DeleteMessage, DmBox, DownloadFile, GetCapabilities,
    GetDirectMessages, GetMessages, GetReactors, GetRoom, GetRooms, MessageRange, PinMessage,
    RemoveReaction, UploadFile,
};
use session_community::{
    AuthKind, Community, Event, Poller, PollerConfig, ReactionText, ReplyError, RoomToken, Scheme,
    Server, ServerKey,
};
use session_envelope::proto::{Content, DataMessage};
use session_identity::{Identity, Prefix};
use session_onion::V4Request;
use session_testnet::{
    CommunityConfig, CommunityLink, CommunityServer, LinkError, Network, NetworkConfig,
};

const HOST: &str = "sogs.local";

fn text(body: &str) -> Content {
    Content {
        data_message: Some(DataMessage {
            body: Some(body.into()),
            ..DataMessage::default()
        }),
        ..Content::default()
    }
}

fn lobby() -> RoomToken {
    RoomToken::new("lobby").unwrap()
}

fn network(capabilities: &[&str]) -> Network {
    let mut net = Network::new(NetworkConfig {
        swarms: 3,
        nodes_per_swarm: 4,
        seed: 7,
    });
    let server = CommunityServer::new(CommunityConfig {
        capabilities: capabilities.iter().map(|c| (*c).to_owned()).collect(),
        ..CommunityConfig::default()
    })
    .unwrap();
    net.add_community(server);
    net
}

fn member(net: &mut Network, seed: u64) -> (Community, CommunityLink) {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let server = net.community(HOST).unwrap().server().clone();
    let mut community = Community::new(server, Identity::generate(&mut rng));
    let mut link = CommunityLink::new(net, seed).unwrap();
    let caps = link
        .call(net, &community, &GetCapabilities::default())
        .unwrap();
    community.set_capabilities(caps);
    (community, link)
}

fn now(net: &Network) -> Duration {
    Duration::from_millis(net.now().as_millis())
}

fn status_of(result: Result<impl core::fmt::Debug, LinkError>) -> Option<u16> {
    match result {
        Err(LinkError::Reply(error)) => error.status(),
        other => panic!("expected a status error, got {other:?}"),
    }
}

#[test]
fn the_api_end_to_end_with_blind25() {
    let mut net = network(&["sogs", "reactions", "blind", "blind25"]);
    let (alice, mut alice_link) = member(&mut net, 1);
    let (bob, mut bob_link) = member(&mut net, 2);
    assert_eq!(alice.auth(), AuthKind::Blind25);
    let mut rng = ChaCha20Rng::seed_from_u64(3);

    let rooms = alice_link.call(&mut net, &alice, &GetRooms).unwrap();
    assert_eq!(rooms[0].token, lobby());
    let post = alice.post(&lobby(), &text("hello"), &mut rng);
    let stored = alice_link.call(&mut net, &alice, &post).unwrap();
    assert_eq!(stored.session_id, alice.own_id());
    assert_eq!(stored.session_id.prefix(), Prefix::Blinded25);
    let opened = bob.open(&stored).unwrap();
    assert_eq!(opened.content, text("hello"));
    assert!(!opened.from_me && alice.open(&stored).unwrap().from_me);

    // Reactions: add twice (the second changes nothing), list, remove.
    let thumbs = ReactionText::new("👍").unwrap();
    let add = AddReaction {
        room: lobby(),
        id: stored.id,
        reaction: thumbs.clone(),
    };
    let first = bob_link.call(&mut net, &bob, &add).unwrap();
    assert!(first.changed);
    assert!(!bob_link.call(&mut net, &bob, &add).unwrap().changed);
    let reactors = GetReactors {
        room: lobby(),
        id: stored.id,
        reaction: thumbs.clone(),
        limit: None,
    };
    let list = alice_link.call(&mut net, &alice, &reactors).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, bob.own_id());
    // Alice knows Bob as a contact: his blinded ID matches his Session ID.
    let contacts = [alice.identity().session_id(), bob.identity().session_id()];
    assert_eq!(
        alice.match_contact(&list[0].id, &contacts),
        Some(bob.identity().session_id())
    );
    let remove = RemoveReaction {
        room: lobby(),
        id: stored.id,
        reaction: thumbs,
    };
    assert!(bob_link.call(&mut net, &bob, &remove).unwrap().changed);

    // Edits and deletions: only the author (or a moderator).
    let edit = alice.edit(&lobby(), stored.id, &text("hello, edited"), &mut rng);
    alice_link.call(&mut net, &alice, &edit).unwrap();
    let forged_edit = bob.edit(&lobby(), stored.id, &text("mine now"), &mut rng);
    assert_eq!(
        status_of(bob_link.call(&mut net, &bob, &forged_edit)),
        Some(403)
    );
    let delete = DeleteMessage {
        room: lobby(),
        id: stored.id,
    };
    assert_eq!(status_of(bob_link.call(&mut net, &bob, &delete)), Some(403));

    // Files.
    let upload = UploadFile::new(lobby(), vec![7; 5000], Some("cat.jpg")).unwrap();
    let file = alice_link.call(&mut net, &alice, &upload).unwrap();
    let download = DownloadFile {
        room: lobby(),
        id: file,
    };
    assert_eq!(
        bob_link.call(&mut net, &bob, &download).unwrap(),
        vec![7; 5000]
    );

    // Pins need an admin.
    let pin = PinMessage {
        room: lobby(),
        id: stored.id,
    };
    assert_eq!(status_of(bob_link.call(&mut net, &bob, &pin)), Some(403));
    net.community_mut(HOST).unwrap().add_admin(alice.own_id());
    let info_updates = alice_link.call(&mut net, &alice, &pin).unwrap();
    let room = alice_link
        .call(&mut net, &alice, &GetRoom { room: lobby() })
        .unwrap();
    assert_eq!(room.info_updates, info_updates);
    assert_eq!(room.pinned_messages[0].id, stored.id);

    // A blinded direct message from Bob to Alice's 25 ID.
    let dm = bob
        .direct_message(&alice.own_id(), &text("psst"), &mut rng)
        .unwrap();
    let sent = bob_link.call(&mut net, &bob, &dm).unwrap();
    assert_eq!(
        (sent.sender, sent.recipient),
        (bob.own_id(), alice.own_id())
    );
    let inbox = GetDirectMessages {
        dm_box: DmBox::Inbox,
        since: None,
        limit: None,
    };
    let received = alice_link.call(&mut net, &alice, &inbox).unwrap();
    let opened = alice.open_direct_message(&received[0]).unwrap();
    assert_eq!(opened.sender_session_id, bob.identity().session_id());
    assert_eq!(opened.content, text("psst"));
    // Bob reads it back from his outbox.
    let outbox = GetDirectMessages {
        dm_box: DmBox::Outbox,
        since: None,
        limit: None,
    };
    let mine = bob_link.call(&mut net, &bob, &outbox).unwrap();
    assert_eq!(
        bob.open_direct_message(&mine[0]).unwrap().content,
        text("psst")
    );
    // Polling since the newest gives 304: nothing.
    let since = GetDirectMessages {
        dm_box: DmBox::Inbox,
        since: Some(received[0].id),
        limit: None,
    };
    assert!(alice_link
        .call(&mut net, &alice, &since)
        .unwrap()
        .is_empty());

    // A sequence stops at the first failure; a batch runs every part.
    let bad = DeleteMessage {
        room: lobby(),
        id: 999,
    };
    let calls = vec![GetRooms.request(), bad.request(), GetRooms.request()];
    let sequence = Batch::sequence(calls.clone()).unwrap();
    let subs = alice_link.call(&mut net, &alice, &sequence).unwrap();
    assert_eq!(
        subs.iter().map(|s| s.status).collect::<Vec<_>>(),
        [200, 404]
    );
    let batch = Batch::independent(calls).unwrap();
    let subs = alice_link.call(&mut net, &alice, &batch).unwrap();
    assert_eq!(
        subs.iter().map(|s| s.status).collect::<Vec<_>>(),
        [200, 404, 200]
    );
    assert_eq!(GetRooms.read_sub_reply(&subs[2]).unwrap().len(), 1);

    // The server never saw either Session ID, nor either real Ed25519 key.
    let server = net.community(HOST).unwrap();
    for who in [&alice, &bob] {
        let id = who.identity().session_id();
        let needles = [
            id.to_hex().into_bytes(),
            id.key_bytes().to_vec(),
            who.identity().ed25519_public_key().to_hex().into_bytes(),
            who.identity().ed25519_public_key().to_bytes().to_vec(),
        ];
        for request in server.received() {
            for needle in &needles {
                assert!(!request
                    .windows(needle.len())
                    .any(|w| w == needle.as_slice()));
            }
        }
        assert!(server.log().iter().all(|e| e.user != Some(id)));
    }
}

#[test]
fn the_poller_through_the_network() {
    let mut net = network(&["sogs", "reactions", "blind"]);
    let (alice, mut alice_link) = member(&mut net, 11);
    let (bob, mut bob_link) = member(&mut net, 12);
    assert_eq!(alice.auth(), AuthKind::Blind15);
    let mut rng = ChaCha20Rng::seed_from_u64(13);
    let first = bob.post(&lobby(), &text("one"), &mut rng);
    let first = bob_link.call(&mut net, &bob, &first).unwrap();

    let mut poller = Poller::new(alice.clone(), PollerConfig::default());
    poller.join(lobby());
    let drive = |net: &mut Network, poller: &mut Poller, link: &mut CommunityLink| {
        let t = now(net);
        let request = poller.poll(t).expect("a poll is due");
        let signed = poller
            .community()
            .sign(&request.request, t, link.rng())
            .unwrap();
        let server = poller.community().server().clone();
        let events = match link.send(net, &server, &signed) {
            Ok(response) => poller.handle(request.id, &response, t),
            Err(_) => poller.handle_failure(request.id, t),
        };
        net.advance(poller.next_poll_at().saturating_sub(t));
        events
    };
    let events = drive(&mut net, &mut poller, &mut alice_link);
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::Message { message, .. } if message.content == text("one"))));
    assert!(events.iter().any(|e| matches!(e, Event::RoomInfo(_))));

    // New, edited, reacted, deleted, and a direct message.
    let second = bob.post(&lobby(), &text("two"), &mut rng);
    let second = bob_link.call(&mut net, &bob, &second).unwrap();
    let edit = bob.edit(&lobby(), first.id, &text("one!"), &mut rng);
    bob_link.call(&mut net, &bob, &edit).unwrap();
    let react = AddReaction {
        room: lobby(),
        id: second.id,
        reaction: ReactionText::new("🎉").unwrap(),
    };
    bob_link.call(&mut net, &bob, &react).unwrap();
    let delete = DeleteMessage {
        room: lobby(),
        id: second.id,
    };
    let own = alice.post(&lobby(), &text("three"), &mut rng);
    let own = alice_link.call(&mut net, &alice, &own).unwrap();
    bob_link.call(&mut net, &bob, &delete).unwrap();
    let dm = bob
        .direct_message(&alice.own_id(), &text("hi alice"), &mut rng)
        .unwrap();
    bob_link.call(&mut net, &bob, &dm).unwrap();

    let events = drive(&mut net, &mut poller, &mut alice_link);
    let kinds: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            Event::Message { message, .. } => {
                Some(format!("new {} mine={}", message.id, message.from_me))
            }
            Event::Edited { message, .. } => Some(format!("edited {}", message.id)),
            Event::Deleted { id, .. } => Some(format!("deleted {id}")),
            Event::Reactions { id, .. } => Some(format!("reactions {id}")),
            Event::DirectMessage(dm) => Some(format!("dm from {}", dm.sender_session_id)),
            _ => None,
        })
        .collect();
    assert_eq!(
        kinds,
        [
            format!("edited {}", first.id),
            format!("new {} mine=true", own.id),
            format!("dm from {}", bob.identity().session_id()),
        ]
    );
    // Message two came and went between polls: as the reference server does, no tombstone is
    // sent for a message created after the poller's position. A message it has seen gets one.
    assert!(!events
        .iter()
        .any(|e| matches!(e, Event::Message { message, .. } if message.id == second.id)));
    let delete = DeleteMessage {
        room: lobby(),
        id: own.id,
    };
    alice_link.call(&mut net, &alice, &delete).unwrap();
    let events = drive(&mut net, &mut poller, &mut alice_link);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Deleted { id, .. } if *id == own.id)),
        "{events:?}"
    );
    // Nothing new: only the capabilities come back.
    let events = drive(&mut net, &mut poller, &mut alice_link);
    assert!(
        events.iter().all(|e| matches!(e, Event::Capabilities(_))),
        "{events:?}"
    );
}

/// Signs `call` as `community` with `now`, sends it, and gives the status the server answered.
fn status_at(
    net: &mut Network,
    link: &mut CommunityLink,
    community: &Community,
    call: &impl Call,
    now: Duration,
) -> u16 {
    let mut rng = ChaCha20Rng::seed_from_u64(now.as_secs());
    let request = community.sign(&call.request(), now, &mut rng).unwrap();
    link.send(net, community.server(), &request).unwrap().status
}

#[test]
fn forged_stale_and_replayed_requests_are_refused() {
    let mut net = network(&["sogs", "blind"]);
    let (alice, mut link) = member(&mut net, 21);
    let mut rng = ChaCha20Rng::seed_from_u64(22);
    let rooms = GetRooms;
    let t = now(&net);

    // Stale or early timestamps: a day is allowed either way, a second more is not.
    let day = Duration::from_secs(86_400);
    assert_eq!(status_at(&mut net, &mut link, &alice, &rooms, t - day), 200);
    assert_eq!(status_at(&mut net, &mut link, &alice, &rooms, t + day), 200);
    let one = Duration::from_secs(1);
    assert_eq!(
        status_at(&mut net, &mut link, &alice, &rooms, t - day - one),
        425
    );
    assert_eq!(
        status_at(&mut net, &mut link, &alice, &rooms, t + day + one),
        425
    );

    // A replayed request: the same bytes twice.
    let post = alice.post(&lobby(), &text("once"), &mut rng);
    let request = alice.sign(&post.request(), t, &mut rng).unwrap();
    assert_eq!(
        link.send(&mut net, alice.server(), &request)
            .unwrap()
            .status,
        201
    );
    let replay = link.send(&mut net, alice.server(), &request).unwrap();
    assert_eq!(replay.status, 425);
    assert!(
        String::from_utf8_lossy(replay.body.as_deref().unwrap()).contains("Nonce cannot be reused")
    );

    // Forgeries, each with a fresh nonce: a changed body, method, path, timestamp, signature
    // or key, or a signature made for another server, are all 401.
    type Edit = fn(&mut Forged, &Forged);
    let edits: [(&str, Edit); 7] = [
        ("body", |f, _| f.body = Some(b"{\"data\":\"\"}".to_vec())),
        ("method", |f, _| f.method = "PUT".into()),
        ("path", |f, _| f.endpoint = "/room/lobby/message?x=1".into()),
        ("timestamp", |f, _| {
            let ts: u64 = f.get("X-SOGS-Timestamp").parse().unwrap();
            f.set("X-SOGS-Timestamp", &(ts + 1).to_string());
        }),
        ("signature", |f, _| {
            let mut sig = STANDARD.decode(f.get("X-SOGS-Signature")).unwrap();
            sig[10] ^= 1;
            f.set("X-SOGS-Signature", &STANDARD.encode(sig));
        }),
        ("key", |f, other| {
            f.set("X-SOGS-Pubkey", other.get("X-SOGS-Pubkey"))
        }),
        ("server", |f, other| {
            for name in ["X-SOGS-Signature", "X-SOGS-Nonce", "X-SOGS-Timestamp"] {
                f.set(name, other.get(name));
            }
        }),
    ];
    // The same account on a server with another key, and another account here.
    let elsewhere = Community::new(
        Server::new(Scheme::Http, HOST, None, ServerKey::from_bytes([9; 32])).unwrap(),
        alice.identity().clone(),
    );
    let (mallory, _) = member(&mut net, 23);
    for (what, edit) in edits {
        let mut forged = Forged::from(&alice.sign(&post.request(), t, &mut rng).unwrap());
        let other = if what == "server" {
            &elsewhere
        } else {
            &mallory
        };
        let other = Forged::from(&other.sign(&post.request(), t, &mut rng).unwrap());
        edit(&mut forged, &other);
        let reply = link
            .send(&mut net, alice.server(), &forged.request())
            .unwrap();
        assert_eq!(reply.status, 401, "forged {what}");
    }

    // A refused forgery spends its nonce: the genuine request with that nonce is then 425.
    let genuine = alice.sign(&post.request(), t, &mut rng).unwrap();
    let mut forged = Forged::from(&genuine);
    forged.body = Some(b"{}".to_vec());
    assert_eq!(
        link.send(&mut net, alice.server(), &forged.request())
            .unwrap()
            .status,
        401
    );
    assert_eq!(
        link.send(&mut net, alice.server(), &genuine)
            .unwrap()
            .status,
        425
    );

    // The key must be one the server accepts: 00 on a blinded server, 25 without blind25.
    let mut unblinded = alice.clone();
    unblinded.set_auth(AuthKind::Unblinded);
    let reply = link.call(&mut net, &unblinded, &GetRooms);
    assert!(
        matches!(&reply, Err(LinkError::Reply(ReplyError::Status { status: 400, message }))
        if message.contains("requires the use of blinded ids"))
    );
    let mut b25 = alice.clone();
    b25.set_auth(AuthKind::Blind25);
    assert_eq!(status_of(link.call(&mut net, &b25, &GetRooms)), Some(400));

    // A banned user is refused before the signature is checked.
    net.community_mut(HOST).unwrap().ban(alice.own_id());
    assert_eq!(status_of(link.call(&mut net, &alice, &GetRooms)), Some(403));

    // Every refusal is in the log, under the ID the request claimed.
    let log = net.community(HOST).unwrap().log();
    let statuses: Vec<u16> = log.iter().map(|e| e.status).collect();
    for status in [401, 403, 425, 400] {
        assert!(
            statuses.contains(&status),
            "{status} missing from {statuses:?}"
        );
    }
    assert!(log
        .iter()
        .filter(|e| e.status == 401)
        .all(|e| e.user.is_some()));
}

#[test]
fn anonymous_requests_reach_only_public_endpoints() {
    let mut net = network(&["sogs", "blind"]);
    let (alice, mut link) = member(&mut net, 31);
    let mut rng = ChaCha20Rng::seed_from_u64(32);
    let post = alice.post(&lobby(), &text("public"), &mut rng);
    let stored = link.call(&mut net, &alice, &post).unwrap();
    let server = alice.server().clone();
    let read = GetMessages {
        room: lobby(),
        range: MessageRange::Since(0),
        limit: None,
        reactors: None,
    };
    let anonymous = V4Request::new("GET", read.request().endpoint());
    let response = link.send(&mut net, &server, &anonymous).unwrap();
    let messages = read.read_response(&response).unwrap();
    assert_eq!(messages[0].id(), stored.id);
    let write =
        V4Request::new("POST", "/room/lobby/message").body(post.request().body_bytes().to_vec());
    assert_eq!(link.send(&mut net, &server, &write).unwrap().status, 401);
    // One header of four is a malformed request.
    let partial =
        V4Request::new("GET", "/rooms").header("X-SOGS-Nonce", "AAAAAAAAAAAAAAAAAAAAAA==");
    let reply = link.send(&mut net, &server, &partial).unwrap();
    assert_eq!(reply.status, 400);
}

/// A signed request taken apart, to be changed and put back together.
struct Forged {
    method: String,
    endpoint: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

impl Forged {
    fn from(request: &V4Request) -> Self {
        Self {
            method: request.method().to_owned(),
            endpoint: request.endpoint().to_owned(),
            headers: request
                .headers()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            body: request.body_bytes().map(<[u8]>::to_vec),
        }
    }

    fn get(&self, name: &str) -> &str {
        &self.headers.iter().find(|(k, _)| k == name).unwrap().1
    }

    fn set(&mut self, name: &str, value: &str) {
        self.headers.iter_mut().find(|(k, _)| k == name).unwrap().1 = value.to_owned();
    }

    fn request(&self) -> V4Request {
        let mut request = V4Request::new(self.method.clone(), self.endpoint.clone());
        for (name, value) in &self.headers {
            request = request.header(name.clone(), value.clone());
        }
        match &self.body {
            Some(body) => request.body(body.clone()),
            None => request,
        }
    }
}
