//! A community (open group) in one process: Alice and Bob in the lobby of a community server
//! that sits behind the in-memory network and is reached only through 3-hop onion requests.
//!
//! Both read the server's capabilities and sign with the key they call for: 25-blinded when the
//! server advertises `blind25`, else 15-blinded. Alice posts; Bob's poller reads her post and
//! checks its signature against her blinded ID; Bob reacts; Bob sends Alice a direct message
//! addressed to her blinded ID, which only she can open and which tells her Bob's real Session
//! ID; Alice recognises Bob's blinded ID as her contact. The server's log is printed, and the
//! example checks that the server never saw either Session ID or real key. (The very first
//! request, for the capabilities, is signed 15-blinded: that key works on every server.)
//!
//! Seeded randomness and a simulated clock: every run prints the same IDs.
//!
//! ```text
//! cargo run --release --example community
//! ```

use std::error::Error;
use std::time::Duration;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use session_community::request::{AddReaction, Call, GetCapabilities};
use session_community::{Community, Event, Poller, PollerConfig, ReactionText, RoomToken};
use session_envelope::proto::{Content, DataMessage};
use session_identity::{Identity, SessionId};
use session_testnet::{CommunityConfig, CommunityLink, CommunityServer, Network, NetworkConfig};

fn text(body: &str) -> Content {
    Content {
        data_message: Some(DataMessage {
            body: Some(body.into()),
            ..DataMessage::default()
        }),
        ..Content::default()
    }
}

fn body_of(content: &Content) -> &str {
    content
        .data_message
        .as_ref()
        .and_then(|m| m.body.as_deref())
        .unwrap_or("")
}

fn short(id: &SessionId) -> String {
    let hex = id.to_hex();
    format!("{}…{}", &hex[..10], &hex[60..])
}

/// One member: the account on the server, a poller for the lobby, and an onion link.
struct Member {
    name: &'static str,
    poller: Poller,
    link: CommunityLink,
}

impl Member {
    fn join(
        net: &mut Network,
        name: &'static str,
        identity: Identity,
        seed: u64,
        host: &str,
    ) -> Result<Self, Box<dyn Error>> {
        let server = net
            .community(host)
            .ok_or("no community server")?
            .server()
            .clone();
        let mut community = Community::new(server, identity);
        let mut link = CommunityLink::new(net, seed)?;
        let capabilities = link.call(net, &community, &GetCapabilities::default())?;
        community.set_capabilities(capabilities.clone());
        println!(
            "{name}: Session ID {}; the server lists {:?}, so {name} signs with {:?} as {}",
            short(&community.identity().session_id()),
            capabilities.capabilities,
            community.auth(),
            short(&community.own_id()),
        );
        let mut poller = Poller::new(community, PollerConfig::default());
        poller.join(RoomToken::new("lobby")?);
        Ok(Self { name, poller, link })
    }

    fn community(&self) -> &Community {
        self.poller.community()
    }

    fn call<C: Call>(&mut self, net: &mut Network, call: &C) -> Result<C::Reply, Box<dyn Error>> {
        Ok(self.link.call(net, self.poller.community(), call)?)
    }

    /// One poll through the network: the batch signed at the network's time, sent, read.
    fn poll(&mut self, net: &mut Network) -> Result<Vec<Event>, Box<dyn Error>> {
        let now = Duration::from_millis(net.now().as_millis());
        let Some(request) = self.poller.poll(now) else {
            return Ok(Vec::new());
        };
        let signed = self
            .poller
            .community()
            .sign(&request.request, now, self.link.rng())?;
        let server = self.poller.community().server().clone();
        let events = match self.link.send(net, &server, &signed) {
            Ok(response) => self.poller.handle(request.id, &response, now),
            Err(_) => self.poller.handle_failure(request.id, now),
        };
        for event in &events {
            match event {
                Event::Message { message, .. } => {
                    println!(
                        "  {} sees message {} from {}{}: {:?}",
                        self.name,
                        message.id,
                        short(&message.sender),
                        if message.from_me { " (me)" } else { "" },
                        body_of(&message.content)
                    );
                    for r in &message.reactions {
                        println!("    with {} × {}", r.count, r.emoji);
                    }
                }
                Event::Reactions { id, reactions, .. } => {
                    for r in reactions {
                        println!(
                            "  {} sees {} × {} on message {id}",
                            self.name, r.count, r.emoji
                        );
                    }
                }
                Event::DirectMessage(dm) => println!(
                    "  {} gets a direct message from {} (really {}): {:?}",
                    self.name,
                    short(&dm.sender),
                    short(&dm.sender_session_id),
                    body_of(&dm.content)
                ),
                Event::RejectedMessage { id, error, .. } => {
                    println!("  {} drops message {id}: {error}", self.name)
                }
                _ => {}
            }
        }
        Ok(events)
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut rng = ChaCha20Rng::seed_from_u64(2026);
    let mut net = Network::new(NetworkConfig::default());
    let config = CommunityConfig::default();
    let host = config.host.clone();
    net.add_community(CommunityServer::new(config)?);
    let room = RoomToken::new("lobby")?;
    println!("== The community");
    println!(
        "join URL: {}",
        net.community(&host)
            .ok_or("no server")?
            .server()
            .join_url(&room)
    );

    println!("\n== Alice and Bob join");
    let mut alice = Member::join(&mut net, "Alice", Identity::generate(&mut rng), 1, &host)?;
    let mut bob = Member::join(&mut net, "Bob", Identity::generate(&mut rng), 2, &host)?;
    alice.poll(&mut net)?;
    bob.poll(&mut net)?;

    println!("\n== Alice posts, Bob reads");
    let post = alice
        .community()
        .post(&room, &text("Hello, lobby!"), &mut rng);
    let posted = alice.call(&mut net, &post)?;
    net.advance(Duration::from_secs(10));
    let events = bob.poll(&mut net)?;
    let seen = events
        .iter()
        .find_map(|e| match e {
            Event::Message { message, .. } if message.id == posted.id => Some(message.clone()),
            _ => None,
        })
        .ok_or("Bob did not see Alice's post")?;
    assert_eq!(seen.sender, alice.community().own_id());

    println!("\n== Bob reacts, Alice sees it");
    let thumbs = AddReaction {
        room: room.clone(),
        id: posted.id,
        reaction: ReactionText::new("👍")?,
    };
    bob.call(&mut net, &thumbs)?;
    net.advance(Duration::from_secs(10));
    let events = alice.poll(&mut net)?;
    // Alice had not polled since she posted: the message comes with its reactions.
    let reacted = |reactions: &[session_community::reply::Reaction]| {
        reactions.iter().any(|r| r.emoji == "👍" && r.count == 1)
    };
    assert!(events.iter().any(|e| match e {
        Event::Message { message, .. } => message.id == posted.id && reacted(&message.reactions),
        Event::Reactions { id, reactions, .. } => *id == posted.id && reacted(reactions),
        _ => false,
    }));

    println!("\n== Bob writes to Alice's blinded ID");
    let dm =
        bob.community()
            .direct_message(&seen.sender, &text("Hi Alice, it's Bob."), &mut rng)?;
    bob.call(&mut net, &dm)?;
    net.advance(Duration::from_secs(10));
    let events = alice.poll(&mut net)?;
    let bob_id = bob.community().identity().session_id();
    let dm = events
        .iter()
        .find_map(|e| match e {
            Event::DirectMessage(dm) => Some(dm.clone()),
            _ => None,
        })
        .ok_or("Alice got no direct message")?;
    assert_eq!(dm.sender_session_id, bob_id);
    // Alice has Bob as a contact: his blinded ID on this server matches his Session ID.
    let contacts = [bob_id];
    let known = alice.community().match_contact(&dm.sender, &contacts);
    assert_eq!(known, Some(bob_id));
    println!(
        "  Alice recognises {} as her contact {}",
        short(&dm.sender),
        short(&bob_id)
    );

    println!("\n== What the server saw");
    let server = net.community(&host).ok_or("no server")?;
    for entry in server.log() {
        println!("  {entry}");
    }
    for member in [&alice, &bob] {
        let identity = member.community().identity();
        let session_id = identity.session_id();
        let secrets_of_identity: [Vec<u8>; 4] = [
            session_id.to_hex().into_bytes(),
            session_id.key_bytes().to_vec(),
            identity.ed25519_public_key().to_hex().into_bytes(),
            identity.ed25519_public_key().to_bytes().to_vec(),
        ];
        for request in server.received() {
            for needle in &secrets_of_identity {
                assert!(
                    !request
                        .windows(needle.len())
                        .any(|w| w == needle.as_slice()),
                    "the server saw {}'s identity",
                    member.name
                );
            }
        }
        assert!(server.log().iter().all(|e| e.user != Some(session_id)));
        println!(
            "  {} requests read, none holds {}'s Session ID {} or real key: the server knew {} only as {}",
            server.received().len(),
            member.name,
            short(&session_id),
            member.name,
            short(&member.community().own_id()),
        );
    }
    Ok(())
}
