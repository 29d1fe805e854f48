//! Round trips through paths of 1, 2, 3 and 15 hops to both destination kinds with both
//! schemes, and hostile inputs: tampered, truncated, mis-routed, wrong-key and oversized
//! layers each give their typed error.
#![allow(clippy::unwrap_used)]

mod common;

use base64::Engine as _;
use proptest::prelude::*;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use session_identity::{Ed25519PublicKey, X25519PublicKey, X25519SecretKey};
use session_onion::*;

struct Network {
    path: Vec<(Hop, NodeKeys)>,
    target: (Hop, NodeKeys),
    server: NodeKeys,
    server_secret: X25519SecretKey,
}

fn network(hops: usize, rng: &mut ChaCha20Rng) -> Network {
    let mut node = |i: usize| {
        let keys = NodeKeys::new(X25519SecretKey::generate(rng));
        let mut ed = [0u8; 32];
        ed[..8].copy_from_slice(&(i as u64).to_le_bytes());
        (
            Hop::new(Ed25519PublicKey::from_bytes(ed), *keys.public_key()),
            keys,
        )
    };
    let path = (0..hops).map(&mut node).collect();
    let target = node(99);
    let server_secret = X25519SecretKey::generate(rng);
    let server = NodeKeys::new(server_secret.clone());
    Network {
        path,
        target,
        server,
        server_secret,
    }
}

fn server_destination(net: &Network) -> Destination {
    Destination::Server(ServerDestination::new(
        "sogs.example",
        "/oxen/v4/lsrpc",
        "https://",
        None,
        *net.server.public_key(),
    ))
}

/// Walks a request through the path; returns what reaches the destination.
fn walk(net: &Network, body: Vec<u8>) -> Vec<u8> {
    let mut body = body;
    for (i, (_, keys)) in net.path.iter().enumerate() {
        let layer = keys.peel(&body).unwrap();
        match layer.routing() {
            Routing::NextHop(next) => {
                let expected = net.path.get(i + 1).map_or(&net.target.0, |(hop, _)| hop);
                assert_eq!(next.ed25519, expected.ed25519);
                body = layer.next_hop_body().unwrap();
            }
            Routing::Server(route) => {
                assert_eq!(i + 1, net.path.len());
                assert_eq!(
                    (
                        route.host.as_str(),
                        route.target.as_str(),
                        route.protocol.as_str(),
                        route.port
                    ),
                    ("sogs.example", "/oxen/v4/lsrpc", "https", 443)
                );
                assert!(route.is_allowed());
                body = layer.payload().to_vec();
            }
            other => panic!("relay {i} routed to {other:?}"),
        }
    }
    body
}

#[test]
fn round_trips_all_lengths_kinds_and_schemes() {
    let mut rng = ChaCha20Rng::seed_from_u64(42);
    for hops in [1usize, 2, 3, 15] {
        let net = network(hops, &mut rng);
        for enc in [EncType::AesGcm, EncType::XChaCha20] {
            // To a service node.
            let payload = br#"{"method":"retrieve","params":{"pubkey":"05ab"}}"#;
            let request = OnionRequestBuilder::new(Destination::ServiceNode(net.target.0), enc)
                .path(net.path.iter().map(|(h, _)| *h))
                .build(payload, &mut rng)
                .unwrap();
            assert_eq!(request.guard_ed25519(), &net.path[0].0.ed25519);
            let at_target = walk(&net, request.body().to_vec());
            let layer = net.target.1.peel(&at_target).unwrap();
            assert_eq!(layer.inner(), payload);
            assert_eq!(layer.opened().enc_type(), enc);
            let reply = layer.seal_service_node_reply(200, "{\"messages\":[]}", &mut rng);
            let response = request
                .response_context()
                .decode_service_node_response(&reply)
                .unwrap();
            assert_eq!(response.status, 200);
            assert_eq!(response.body, b"{\"messages\":[]}");

            // To a server, with a v4 request.
            let v4 = V4Request::new("POST", "room/x/message")
                .body(b"{\"data\":1}".to_vec())
                .encode();
            let request = OnionRequestBuilder::new(server_destination(&net), enc)
                .path(net.path.iter().map(|(h, _)| *h))
                .build(&v4, &mut rng)
                .unwrap();
            let at_server = walk(&net, request.body().to_vec());
            let opened = net.server.open(&at_server).unwrap();
            assert_eq!(opened.payload(), v4.as_slice());
            let answer =
                encode_v4_response(201, &[("content-type", "application/json")], Some(b"{}"));
            let reply = opened.seal_reply(&answer, &mut rng);
            let response = request
                .response_context()
                .decode_server_response(&reply)
                .unwrap();
            assert_eq!(response.status, 201);
            assert_eq!(
                response.headers,
                vec![("content-type".into(), "application/json".into())]
            );
            assert_eq!(response.body.as_deref(), Some(&b"{}"[..]));
        }
    }
}

/// The guard's HTTP answer is read once: a 200 is the destination's reply, anything else a
/// relay's failure; a 200 that does not decrypt is unreadable.
#[test]
fn guard_answers_read_once() {
    let mut rng = ChaCha20Rng::seed_from_u64(43);
    let net = network(3, &mut rng);
    let request =
        OnionRequestBuilder::new(Destination::ServiceNode(net.target.0), EncType::XChaCha20)
            .path(net.path.iter().map(|(h, _)| *h))
            .build(b"{}", &mut rng)
            .unwrap();
    let layer = net
        .target
        .1
        .peel(&walk(&net, request.body().to_vec()))
        .unwrap();
    let reply = layer.seal_service_node_reply(406, "clock", &mut rng);
    let context = request.response_context();
    let read = context.read_service_node_reply(200, &reply).unwrap();
    assert_eq!((read.status, read.body), (406, b"clock".to_vec()));

    let missing = net.path[1].0.ed25519;
    let text = format!("Next node not found: {}", missing.to_hex());
    assert_eq!(
        context.read_service_node_reply(502, text.as_bytes()),
        Err(OnionFailure::Path(PathFailure::NextNodeNotFound {
            ed25519: missing
        }))
    );
    // The same bytes with a non-200 status are never decrypted.
    assert_eq!(
        context.read_service_node_reply(500, &reply),
        Err(OnionFailure::Path(PathFailure::classify(Some(500), &reply)))
    );
    let mut tampered = reply.clone();
    tampered[10] ^= 1;
    assert!(matches!(
        context.read_service_node_reply(200, &tampered),
        Err(OnionFailure::Unreadable(ResponseError::Decryption(_)))
    ));
    assert!(matches!(
        context.read_server_reply(200, b"short"),
        Err(OnionFailure::Unreadable(_))
    ));
    assert_eq!(
        context.read_server_reply(504, b"Request time out"),
        Err(OnionFailure::Path(PathFailure::Timeout))
    );
}

#[test]
fn nul_bytes_reach_a_server_only_when_truncation_is_off() {
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let net = network(1, &mut rng);
    let payload = b"l3:a\0be";
    for (truncate, expected) in [(true, &b"l3:a"[..]), (false, &payload[..])] {
        let request = OnionRequestBuilder::new(server_destination(&net), EncType::XChaCha20)
            .path(net.path.iter().map(|(h, _)| *h))
            .truncate_server_payload_at_nul(truncate)
            .build(payload, &mut rng)
            .unwrap();
        let opened = net
            .server
            .open(&walk(&net, request.body().to_vec()))
            .unwrap();
        assert_eq!(opened.payload(), expected);
    }
}

#[test]
fn build_errors() {
    let mut rng = ChaCha20Rng::seed_from_u64(6);
    let net = network(16, &mut rng);
    let hops: Vec<Hop> = net.path.iter().map(|(h, _)| *h).collect();
    assert_eq!(
        OnionRequestBuilder::new(Destination::ServiceNode(net.target.0), EncType::AesGcm)
            .path(hops.clone())
            .build(b"x", &mut rng)
            .unwrap_err(),
        BuildError::PathTooLong(16)
    );
    assert_eq!(
        OnionRequestBuilder::new(server_destination(&net), EncType::AesGcm)
            .build(b"x", &mut rng)
            .unwrap_err(),
        BuildError::EmptyPathToServer
    );
    // A small-order hop key (here: zero) gives an all-zero secret.
    let weak = Hop::new(
        Ed25519PublicKey::from_bytes([1; 32]),
        X25519PublicKey::from_bytes([0; 32]),
    );
    assert_eq!(
        OnionRequestBuilder::new(Destination::ServiceNode(net.target.0), EncType::XChaCha20)
            .hop(weak)
            .build(b"x", &mut rng)
            .unwrap_err(),
        BuildError::WeakKey {
            key: X25519PublicKey::from_bytes([0; 32])
        }
    );
    // An Ed25519 key that is not a point has no X25519 twin.
    let not_a_point = Ed25519PublicKey::from_bytes([0xff; 32]);
    assert!(matches!(
        Hop::from_ed25519(not_a_point),
        Err(BuildError::UnconvertibleEd25519Key { .. })
    ));
}

/// A server route relays would refuse is refused when the request is built, before any
/// randomness is drawn; every accepted route reaches a relay that accepts it.
#[test]
fn refused_server_routes_do_not_build() {
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let net = network(1, &mut rng);
    let hops: Vec<Hop> = net.path.iter().map(|(h, _)| *h).collect();
    let key = *net.server.public_key();
    for (target, protocol, port) in [
        ("/t", "https", None),
        ("/oxen/v4/lsrpc?x=1", "https", None),
        ("/oxen/v4/lsrpc/more", "https", None),
        ("oxen/v4/lsrpc", "http", Some(80)),
        ("/session/v4/lsrpc", "https", None),
        ("/oxen/v4/lsrpc", "ftp", Some(21)),
        ("/oxen/v4/lsrpc", "", None),
    ] {
        let destination = ServerDestination::new("h", target, protocol, port, key);
        let route = destination.route();
        assert!(!route.is_allowed(), "{target} over {protocol}");
        // No randomness to draw: any draw would overdraw it.
        let mut empty = common::ReplayRng::new(Vec::new());
        let error = OnionRequestBuilder::new(Destination::Server(destination), EncType::XChaCha20)
            .path(hops.clone())
            .build(b"x", &mut empty)
            .unwrap_err();
        assert_eq!(error, BuildError::ServerRouteRefused { route });
        assert!(!empty.is_overdrawn(), "{target} over {protocol}");
    }
    for (target, protocol) in [
        ("/oxen/v4/lsrpc", "https://"),
        ("/loki/v3/lsrpc", "http"),
        ("/oxen/anything/lsrpc", "https"),
    ] {
        let destination = ServerDestination::new("h", target, protocol, None, key);
        let request = OnionRequestBuilder::new(Destination::Server(destination), EncType::AesGcm)
            .path(hops.clone())
            .build(b"x", &mut rng)
            .unwrap();
        match net.path[0].1.peel(request.body()).unwrap().routing() {
            Routing::Server(route) => assert!(route.is_allowed(), "{target} over {protocol}"),
            other => panic!("{target}: routed to {other:?}"),
        }
    }
}

/// Tables for some keys (a twist key and a small-order key among them) change nothing in the
/// request: the same bytes from the same randomness, and the same errors.
#[test]
fn precomputed_tables_give_the_same_requests() {
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let net = network(3, &mut rng);
    let hops: Vec<Hop> = net.path.iter().map(|(h, _)| *h).collect();
    // u = 2 is not on the curve (its point is on the twist): the ladder is used.
    let twist = Hop::new(
        Ed25519PublicKey::from_bytes([2; 32]),
        X25519PublicKey::from_bytes({
            let mut u = [0u8; 32];
            u[0] = 2;
            u
        }),
    );
    let mut tables = PrecomputedKeys::new();
    assert!(tables.is_empty());
    tables.insert(&hops[1].x25519);
    tables.insert(&hops[1].x25519);
    tables.insert(&twist.x25519);
    tables.insert(net.target.1.public_key());
    assert_eq!(tables.len(), 3);
    assert!(tables.contains(&hops[1].x25519) && !tables.contains(&hops[0].x25519));
    for enc in [EncType::AesGcm, EncType::XChaCha20] {
        for path in [hops.clone(), vec![hops[0], twist, hops[2]]] {
            let builder =
                OnionRequestBuilder::new(Destination::ServiceNode(net.target.0), enc).path(path);
            let plain = builder
                .build(b"{}", &mut ChaCha20Rng::seed_from_u64(9))
                .unwrap();
            let fast = builder
                .build_precomputed(b"{}", &tables, &mut ChaCha20Rng::seed_from_u64(9))
                .unwrap();
            assert_eq!(fast.body(), plain.body());
        }
    }
    // The request still peels at the guard.
    let request =
        OnionRequestBuilder::new(Destination::ServiceNode(net.target.0), EncType::XChaCha20)
            .path(hops.clone())
            .build_precomputed(b"{}", &tables, &mut rng)
            .unwrap();
    assert!(net.path[0].1.peel(request.body()).is_ok());
    // A small-order key refused with or without its table.
    let zero = X25519PublicKey::from_bytes([0; 32]);
    tables.insert(&zero);
    let weak = Hop::new(Ed25519PublicKey::from_bytes([1; 32]), zero);
    assert_eq!(
        OnionRequestBuilder::new(Destination::ServiceNode(net.target.0), EncType::XChaCha20)
            .hop(weak)
            .build_precomputed(b"x", &tables, &mut rng)
            .unwrap_err(),
        BuildError::WeakKey { key: zero }
    );
    assert!(tables.remove(&zero) && !tables.remove(&zero));
    tables.retain(|key| key == &hops[1].x25519);
    assert_eq!(tables.len(), 1);
    assert!(tables
        .get(&hops[1].x25519)
        .is_some_and(|t| t.public_key() == &hops[1].x25519));
}

fn one_hop_request(enc: EncType, rng: &mut ChaCha20Rng) -> (Network, Vec<u8>) {
    let net = network(1, rng);
    let request = OnionRequestBuilder::new(Destination::ServiceNode(net.target.0), enc)
        .path(net.path.iter().map(|(h, _)| *h))
        .build(b"{}", rng)
        .unwrap();
    (net, request.body().to_vec())
}

#[test]
fn tampered_layers_fail_authentication() {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    for enc in [EncType::AesGcm, EncType::XChaCha20] {
        let (net, body) = one_hop_request(enc, &mut rng);
        let ct_len = u32::from_le_bytes(body[..4].try_into().unwrap()) as usize;
        for position in [4, 4 + enc.nonce_len(), 4 + ct_len / 2, 4 + ct_len - 1] {
            let mut bad = body.clone();
            bad[position] ^= 0x01;
            assert_eq!(
                net.path[0].1.open(&bad).unwrap_err(),
                LayerError::Decryption(HopError::Authentication { enc_type: enc }),
                "{enc} byte {position}"
            );
        }
    }
}

#[test]
fn wrong_key_and_misrouted_layers() {
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    for enc in [EncType::AesGcm, EncType::XChaCha20] {
        let (net, body) = one_hop_request(enc, &mut rng);
        // The destination's key cannot open the guard's layer.
        assert_eq!(
            net.target.1.open(&body).unwrap_err(),
            LayerError::Decryption(HopError::Authentication { enc_type: enc })
        );
        // A wrong enc_type in the wrapper JSON.
        let other = if enc == EncType::AesGcm {
            "xchacha20"
        } else {
            "aes-gcm"
        };
        let expected_enc: EncType = other.parse().unwrap();
        let frame = LayerFrame::parse(&body).unwrap();
        let json = frame.json_text().replace(enc.as_str(), other);
        let relabelled = [&body[..4 + frame.data().len()], json.as_bytes()].concat();
        assert_eq!(
            net.path[0].1.open(&relabelled).unwrap_err(),
            LayerError::Decryption(HopError::Authentication {
                enc_type: expected_enc
            })
        );
        // A relay layer delivered straight to the destination opens only for its own node:
        // peeling the guard's output at a third node fails.
        let forwarded = net.path[0].1.peel(&body).unwrap().next_hop_body().unwrap();
        assert!(matches!(
            net.path[0].1.open(&forwarded),
            Err(LayerError::Decryption(HopError::Authentication { .. }))
        ));
    }
}

#[test]
fn truncated_and_oversized_bodies() {
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let (net, body) = one_hop_request(EncType::XChaCha20, &mut rng);
    let node = &net.path[0].1;
    for len in 0..4 {
        assert_eq!(
            node.open(&body[..len]).unwrap_err(),
            LayerError::Frame(FrameError::BodyTooShort { len })
        );
    }
    // Cut inside the ciphertext: the length prefix now overruns.
    let declared = u32::from_le_bytes(body[..4].try_into().unwrap());
    assert_eq!(
        node.open(&body[..20]).unwrap_err(),
        LayerError::Frame(FrameError::LengthOutOfBounds {
            declared,
            available: 16
        })
    );
    // Cut inside the JSON.
    assert_eq!(
        node.open(&body[..body.len() - 1]).unwrap_err(),
        LayerError::Frame(FrameError::InvalidJson)
    );
    // A huge length prefix.
    let mut huge = body.clone();
    huge[..4].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(
        node.open(&huge).unwrap_err(),
        LayerError::Frame(FrameError::LengthOutOfBounds {
            declared: u32::MAX,
            available: body.len() - 4
        })
    );
    // A short ciphertext with valid framing.
    let frame = LayerFrame::parse(&body).unwrap();
    let short = [
        &5u32.to_le_bytes()[..],
        &frame.data()[..5],
        frame.json_text().as_bytes(),
    ]
    .concat();
    assert_eq!(
        node.open(&short).unwrap_err(),
        LayerError::Decryption(HopError::CiphertextTooShort {
            enc_type: EncType::XChaCha20,
            len: 5,
            min: 40
        })
    );
    // Bodies over the limit are refused before anything is read.
    let big = vec![0u8; MAX_BODY_LEN + 1];
    assert_eq!(
        node.open(&big).unwrap_err(),
        LayerError::Frame(FrameError::BodyTooLarge {
            len: MAX_BODY_LEN + 1,
            max: MAX_BODY_LEN
        })
    );
    let mut long_json = 0u32.to_le_bytes().to_vec();
    long_json.extend(std::iter::repeat_n(b' ', MAX_ROUTING_JSON_LEN));
    long_json.extend_from_slice(b"{}");
    assert_eq!(
        node.open(&long_json).unwrap_err(),
        LayerError::Frame(FrameError::JsonTooLarge {
            len: MAX_ROUTING_JSON_LEN + 2,
            max: MAX_ROUTING_JSON_LEN
        })
    );
}

#[test]
fn malformed_routing_json() {
    let node = NodeKeys::new(X25519SecretKey::from_bytes([3; 32]));
    let key = "11".repeat(32);
    let frame = |json: &str| [&0u32.to_le_bytes()[..], json.as_bytes()].concat();
    let cases: Vec<(String, LayerError)> = vec![
        ("[]".into(), LayerError::Frame(FrameError::JsonNotAnObject)),
        ("{".into(), LayerError::Frame(FrameError::InvalidJson)),
        (
            "{}".into(),
            LayerError::Routing(RoutingError::MissingField {
                field: "ephemeral_key",
            }),
        ),
        (
            r#"{"ephemeral_key":5}"#.into(),
            LayerError::Routing(RoutingError::InvalidField {
                field: "ephemeral_key",
                expected: "a string of 64 hex digits",
            }),
        ),
        (
            r#"{"ephemeral_key":"abcd"}"#.into(),
            LayerError::Routing(RoutingError::InvalidField {
                field: "ephemeral_key",
                expected: "64 hex digits",
            }),
        ),
        (
            format!(r#"{{"ephemeral_key":"{}"}}"#, "zz".repeat(32)),
            LayerError::Routing(RoutingError::InvalidField {
                field: "ephemeral_key",
                expected: "64 hex digits",
            }),
        ),
        (
            format!(r#"{{"ephemeral_key":"{key}","enc_type":"rot13"}}"#),
            LayerError::Routing(RoutingError::UnknownEncType(
                "rot13".parse::<EncType>().unwrap_err(),
            )),
        ),
        (
            format!(r#"{{"ephemeral_key":"{key}","enc_type":1}}"#),
            LayerError::Routing(RoutingError::InvalidField {
                field: "enc_type",
                expected: "a string",
            }),
        ),
        (
            format!(r#"{{"ephemeral_key":"{}"}}"#, "00".repeat(32)),
            LayerError::Decryption(HopError::WeakSharedSecret),
        ),
        (
            format!(r#"{{"ephemeral_key":"{key}"}}"#),
            LayerError::Decryption(HopError::CiphertextTooShort {
                enc_type: EncType::AesGcm,
                len: 0,
                min: 28,
            }),
        ),
    ];
    for (json, expected) in cases {
        assert_eq!(node.open(&frame(&json)).unwrap_err(), expected, "{json}");
    }
    // Routing of a decrypted layer.
    let routing = |json: &str| Routing::from_frame(&LayerFrame::parse(&frame(json)).unwrap());
    assert_eq!(
        routing(r#"{"host":"h"}"#).unwrap_err(),
        RoutingError::MissingField { field: "target" }
    );
    assert_eq!(
        routing(r#"{"host":"h","target":"/oxen/v4/lsrpc","port":70000}"#).unwrap_err(),
        RoutingError::InvalidField {
            field: "port",
            expected: "an integer in 0..=65535"
        }
    );
    assert_eq!(
        routing(r#"{"headers":"","base64":"no"}"#).unwrap_err(),
        RoutingError::InvalidField {
            field: "base64",
            expected: "a boolean"
        }
    );
    assert_eq!(
        routing(&format!(r#"{{"ephemeral_key":"{key}"}}"#)).unwrap_err(),
        RoutingError::MissingField {
            field: "destination"
        }
    );
    assert_eq!(
        routing(&format!(
            r#"{{"destination":"{key}","ephemeral_key":"{key}","enc_type":"gcm"}}"#
        ))
        .unwrap(),
        Routing::NextHop(NextHop {
            ed25519: Ed25519PublicKey::from_bytes([0x11; 32]),
            ephemeral_key: X25519PublicKey::from_bytes([0x11; 32]),
            enc_type: EncType::AesGcm,
        })
    );
    // Whitespace around the JSON is fine, as the reference's parser allows.
    assert!(LayerFrame::parse(&frame(" \n{ \"headers\" : \"\" }\t"))
        .unwrap()
        .routing()
        .is_ok());
}

/// `body` sealed as a layer for `node`: the plaintext `body` under `enc`, framed with the
/// wrapper JSON a client sends.
fn sealed_layer(enc: EncType, node: &NodeKeys, plaintext: &[u8], seed: u64) -> Vec<u8> {
    let client = X25519SecretKey::from_bytes([5; 32]);
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let ct = hop_encrypt(
        enc,
        Role::Client,
        &client,
        node.public_key(),
        plaintext,
        &mut rng,
    )
    .unwrap();
    let json = format!(
        r#"{{"enc_type":"{}","ephemeral_key":"{}"}}"#,
        enc.as_str(),
        client.public_key().to_hex()
    );
    [
        &u32::try_from(ct.len()).unwrap().to_le_bytes()[..],
        &ct,
        json.as_bytes(),
    ]
    .concat()
}

/// Malformed frames, as bytes or as a decrypted layer, give the framing error that names
/// what is wrong; JSON that frames but does not route gives the routing error.
#[test]
fn malformed_frames_give_frame_errors() {
    let prefix = |n: u32| n.to_le_bytes().to_vec();
    let cases: Vec<(Vec<u8>, FrameError)> = vec![
        (vec![], FrameError::BodyTooShort { len: 0 }),
        (vec![1, 0, 0], FrameError::BodyTooShort { len: 3 }),
        (
            [prefix(3), b"ab".to_vec()].concat(),
            FrameError::LengthOutOfBounds {
                declared: 3,
                available: 2,
            },
        ),
        (prefix(0), FrameError::InvalidJson),
        (
            [prefix(1), b"x{".to_vec()].concat(),
            FrameError::InvalidJson,
        ),
        (
            [prefix(0), vec![b'"', 0xff, b'"']].concat(),
            FrameError::InvalidJson,
        ),
        (
            [prefix(0), b"{} {}".to_vec()].concat(),
            FrameError::InvalidJson,
        ),
        (
            [prefix(0), b"[]".to_vec()].concat(),
            FrameError::JsonNotAnObject,
        ),
        (
            [prefix(2), b"ab\"x\"".to_vec()].concat(),
            FrameError::JsonNotAnObject,
        ),
        (
            [prefix(0), b"null".to_vec()].concat(),
            FrameError::JsonNotAnObject,
        ),
        (
            [prefix(0), vec![b' '; MAX_ROUTING_JSON_LEN + 1]].concat(),
            FrameError::JsonTooLarge {
                len: MAX_ROUTING_JSON_LEN + 1,
                max: MAX_ROUTING_JSON_LEN,
            },
        ),
        (
            vec![0; MAX_BODY_LEN + 1],
            FrameError::BodyTooLarge {
                len: MAX_BODY_LEN + 1,
                max: MAX_BODY_LEN,
            },
        ),
    ];
    let node = NodeKeys::new(X25519SecretKey::from_bytes([4; 32]));
    for (i, (bytes, expected)) in cases.into_iter().enumerate() {
        assert_eq!(LayerFrame::parse(&bytes).unwrap_err(), expected, "case {i}");
        assert_eq!(
            node.open(&bytes).unwrap_err(),
            LayerError::Frame(expected.clone()),
            "case {i}"
        );
        // The same bytes as the plaintext of a layer that decrypts: peeling fails on them.
        if bytes.len() < 100_000 {
            for enc in [EncType::AesGcm, EncType::XChaCha20] {
                let opened = node.open(&sealed_layer(enc, &node, &bytes, 1)).unwrap();
                assert_eq!(opened.payload(), bytes.as_slice());
                assert_eq!(
                    opened.peel().unwrap_err(),
                    LayerError::Frame(expected.clone()),
                    "case {i}, {enc}"
                );
            }
        }
    }
    // A frame whose JSON names no route: a routing error, from the frame and from peeling.
    let unrouted = [prefix(0), b"{}".to_vec()].concat();
    let expected = RoutingError::MissingField {
        field: "destination",
    };
    let frame = LayerFrame::parse(&unrouted).unwrap();
    assert_eq!(Routing::from_frame(&frame).unwrap_err(), expected);
    assert_eq!(
        node.peel(&sealed_layer(EncType::XChaCha20, &node, &unrouted, 2))
            .unwrap_err(),
        LayerError::Routing(expected)
    );
}

#[test]
fn replies_and_retry_quirk() {
    let mut rng = ChaCha20Rng::seed_from_u64(10);
    let net = network(1, &mut rng);
    let request = OnionRequestBuilder::new(server_destination(&net), EncType::XChaCha20)
        .path(net.path.iter().map(|(h, _)| *h))
        .build(b"l2:{}e", &mut rng)
        .unwrap();
    let context = request.response_context();
    let dest_secret = net.server_secret.clone();
    // A legacy server answers an XChaCha20 request in AES-GCM: the client retries and reads it.
    let answer = encode_v4_response(200, &[], None);
    let aes = hop_encrypt(
        EncType::AesGcm,
        Role::Server,
        &dest_secret,
        context.final_x25519_public_key(),
        &answer,
        &mut rng,
    )
    .unwrap();
    let response = context.decode_server_response(&aes).unwrap();
    assert_eq!((response.status, response.body), (200, None));
    // Garbage fails with the last attempt's (AES-GCM) error.
    assert_eq!(
        context.decrypt(&[0u8; 60]).unwrap_err(),
        HopError::Authentication {
            enc_type: EncType::AesGcm
        }
    );
    // An AES-GCM request does not retry as XChaCha20.
    let aes_context = ResponseContext::new(
        EncType::AesGcm,
        *context.destination_x25519(),
        X25519SecretKey::from_bytes(
            *context
                .expose_final_x25519_secret_key()
                .expose_secret_bytes(),
        ),
    );
    let xchacha = hop_encrypt(
        EncType::XChaCha20,
        Role::Server,
        &dest_secret,
        context.final_x25519_public_key(),
        &answer,
        &mut rng,
    )
    .unwrap();
    assert!(context.decrypt(&xchacha).is_ok());
    assert_eq!(
        aes_context.decrypt(&xchacha).unwrap_err(),
        HopError::Authentication {
            enc_type: EncType::AesGcm
        }
    );

    // v3 reply shapes.
    let seal = |json: &str, rng: &mut ChaCha20Rng| {
        let ct = hop_encrypt(
            EncType::XChaCha20,
            Role::Server,
            &dest_secret,
            context.final_x25519_public_key(),
            json.as_bytes(),
            rng,
        )
        .unwrap();
        base64::engine::general_purpose::STANDARD.encode(ct)
    };
    let r = context
        .decode_service_node_response(
            seal(r#"{"status_code":201,"status":500,"body":"é"}"#, &mut rng).as_bytes(),
        )
        .unwrap();
    assert_eq!((r.status, r.body), (201, "é".as_bytes().to_vec()));
    let r = context
        .decode_service_node_response(
            seal(r#"{"status":200,"body":{"b":1,"a":[]}}"#, &mut rng).as_bytes(),
        )
        .unwrap();
    assert_eq!(r.body, br#"{"body":{"a":[],"b":1},"status":200}"#);
    assert_eq!(
        context
            .decode_service_node_response(seal(r#"{"body":"x"}"#, &mut rng).as_bytes())
            .unwrap_err(),
        ResponseError::MissingStatus
    );
    assert_eq!(
        context
            .decode_service_node_response(seal(r#"[200]"#, &mut rng).as_bytes())
            .unwrap_err(),
        ResponseError::NotAJsonObject
    );
    assert_eq!(
        context
            .decode_service_node_response(b"not base64!")
            .unwrap_err(),
        ResponseError::NotBase64
    );
    assert_eq!(
        context.decode_service_node_response(b"").unwrap_err(),
        ResponseError::Decryption(HopError::CiphertextTooShort {
            enc_type: EncType::AesGcm,
            len: 0,
            min: 28
        })
    );

    // v4 reply shapes.
    let v4 = |plain: &[u8], rng: &mut ChaCha20Rng| {
        let ct = hop_encrypt(
            EncType::XChaCha20,
            Role::Server,
            &dest_secret,
            context.final_x25519_public_key(),
            plain,
            rng,
        )
        .unwrap();
        context.decode_server_response(&ct)
    };
    assert_eq!(
        v4(b"l12:{\"code\":404}4:nopee", &mut rng)
            .unwrap()
            .body
            .unwrap(),
        b"nope"
    );
    assert_eq!(
        v4(b"d1:ai1ee", &mut rng).unwrap_err(),
        ResponseError::NotAV4List
    );
    assert_eq!(v4(b"le", &mut rng).unwrap_err(), ResponseError::NotAV4List);
    assert_eq!(
        v4(b"l2:{}i1ee", &mut rng).unwrap_err(),
        ResponseError::NotAV4List
    );
    assert_eq!(
        v4(b"l2:{}e", &mut rng).unwrap_err(),
        ResponseError::MissingStatus
    );
    assert_eq!(
        v4(b"l2:[]e", &mut rng).unwrap_err(),
        ResponseError::NotAJsonObject
    );
    assert_eq!(
        v4(b"l99:{}e", &mut rng).unwrap_err(),
        ResponseError::Bencode(BencodeError::LengthOutOfBounds {
            at: 1,
            declared: 99,
            available: 3
        })
    );
}

#[test]
fn path_failures() {
    let ed = "ab".repeat(32);
    let key = Ed25519PublicKey::from_bytes([0xab; 32]);
    let cases: Vec<(Option<u16>, String, PathFailure)> = vec![
        (
            Some(502),
            format!("Next node not found: {ed}"),
            PathFailure::NextNodeNotFound { ed25519: key },
        ),
        (
            None,
            format!("502 Bad Gateway\n\nNext node not found: {ed}"),
            PathFailure::NextNodeNotFound { ed25519: key },
        ),
        (Some(504), "Request time out".into(), PathFailure::Timeout),
        (None, "504 Gateway Timeout".into(), PathFailure::Timeout),
        (
            Some(400),
            "Invalid ciphertext".into(),
            PathFailure::InvalidCiphertext,
        ),
        (
            Some(503),
            format!("Snode not ready: {ed}"),
            PathFailure::NodeNotReady { ed25519: Some(key) },
        ),
        (
            Some(503),
            "Service node is not ready: syncing\n".into(),
            PathFailure::NodeNotReady { ed25519: None },
        ),
        (
            Some(502),
            "Next node not found: nothex".into(),
            PathFailure::Other {
                status: Some(502),
                text: "Next node not found: nothex".into(),
            },
        ),
        (
            Some(500),
            "boom".into(),
            PathFailure::Other {
                status: Some(500),
                text: "boom".into(),
            },
        ),
    ];
    for (status, text, expected) in cases {
        assert_eq!(
            PathFailure::classify(status, text.as_bytes()),
            expected,
            "{text}"
        );
    }
    let long = PathFailure::classify(Some(418), &[b'x'; 1000]);
    assert!(matches!(long, PathFailure::Other { ref text, .. } if text.len() == 256));
}

#[test]
fn v4_request_encoding() {
    let list = |json: &str, body: Option<&[u8]>| {
        let mut out = format!("l{}:{json}", json.len()).into_bytes();
        if let Some(body) = body {
            out.extend_from_slice(format!("{}:", body.len()).as_bytes());
            out.extend_from_slice(body);
        }
        out.push(b'e');
        out
    };
    let encoded = V4Request::new("GET", "room/abc?x=1")
        .header("X-SOGS-Pubkey", "00ab")
        .header("User-Agent", "WhatsApp")
        .encode();
    assert_eq!(
        encoded,
        list(
            r#"{"endpoint":"/room/abc?x=1","headers":{"X-SOGS-Pubkey":"00ab"},"method":"GET"}"#,
            None
        )
    );
    let with_body = V4Request::new("POST", "/file")
        .header("Accept", "*/*")
        .body(vec![0u8, 1])
        .encode();
    assert_eq!(
        with_body,
        list(
            r#"{"endpoint":"/file","headers":{"Accept":"*/*","Content-Type":"application/json"},"method":"POST"}"#,
            Some(&[0, 1])
        )
    );
    let typed = V4Request::new("PUT", "")
        .header("Content-Type", "text/plain")
        .body(b"hi".to_vec())
        .encode();
    assert_eq!(
        typed,
        list(
            r#"{"endpoint":"","headers":{"Content-Type":"text/plain"},"method":"PUT"}"#,
            Some(b"hi")
        )
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn any_payload_round_trips(
        payload in proptest::collection::vec(any::<u8>(), 0..600),
        hops in 1usize..4,
        xchacha in any::<bool>(),
        to_server in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let net = network(hops, &mut rng);
        let enc = if xchacha { EncType::XChaCha20 } else { EncType::AesGcm };
        let destination = if to_server { server_destination(&net) } else { Destination::ServiceNode(net.target.0) };
        let request = OnionRequestBuilder::new(destination, enc)
            .path(net.path.iter().map(|(h, _)| *h))
            .truncate_server_payload_at_nul(false)
            .build(&payload, &mut rng)
            .unwrap();
        let delivered = walk(&net, request.body().to_vec());
        let opened = if to_server { net.server.open(&delivered).unwrap() } else { net.target.1.open(&delivered).unwrap() };
        if to_server {
            prop_assert_eq!(opened.payload(), payload.as_slice());
        } else {
            prop_assert_eq!(LayerFrame::parse(opened.payload()).unwrap().data(), payload.as_slice());
        }
        let reply = opened.seal_reply(&payload, &mut rng);
        prop_assert_eq!(request.response_context().decrypt(&reply).unwrap(), payload);
    }

    /// A peeled layer holds the parts of its frame as validated: `inner` and `routing_json`
    /// are exactly the frame's data and JSON text (empty, binary, non-ASCII, padded with
    /// whitespace), and `payload` the whole plaintext.
    #[test]
    fn peeled_layers_hold_their_validated_parts(
        inner in proptest::collection::vec(any::<u8>(), 0..300),
        json in prop::sample::select(vec![
            r#"{"headers":""}"#,
            " \n{ \"headers\" : \"é🎉\", \"json\": true }\t",
            r#"{"host":"h\u00e9","target":"/oxen/v4/lsrpc","port":80,"protocol":"http"}"#,
            r#"{"destination":"1111111111111111111111111111111111111111111111111111111111111111","ephemeral_key":"2222222222222222222222222222222222222222222222222222222222222222","enc_type":"xchacha20","note":"\u0000"}"#,
        ]),
        xchacha in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let enc = if xchacha { EncType::XChaCha20 } else { EncType::AesGcm };
        let node = NodeKeys::new(X25519SecretKey::from_bytes([6; 32]));
        let plaintext = [
            &u32::try_from(inner.len()).unwrap().to_le_bytes()[..],
            &inner,
            json.as_bytes(),
        ]
        .concat();
        let layer = node.peel(&sealed_layer(enc, &node, &plaintext, seed)).unwrap();
        let frame = LayerFrame::parse(&plaintext).unwrap();
        prop_assert_eq!(layer.inner(), frame.data());
        prop_assert_eq!(layer.inner(), inner.as_slice());
        prop_assert_eq!(layer.routing_json(), frame.json_text());
        prop_assert_eq!(layer.routing_json(), json);
        prop_assert_eq!(layer.payload(), plaintext.as_slice());
        prop_assert_eq!(layer.routing(), &Routing::from_frame(&frame).unwrap());
    }

    #[test]
    fn arbitrary_bodies_never_panic(body in proptest::collection::vec(any::<u8>(), 0..200)) {
        let node = NodeKeys::new(X25519SecretKey::from_bytes([9; 32]));
        let _ = node.peel(&body);
        let context = ResponseContext::new(EncType::XChaCha20, X25519PublicKey::from_bytes([9; 32]), X25519SecretKey::from_bytes([1; 32]));
        let _ = context.decode_service_node_response(&body);
        let _ = context.decode_server_response(&body);
        let _ = decode_v4_response(&body);
        let _ = PathFailure::classify(None, &body);
    }
}
