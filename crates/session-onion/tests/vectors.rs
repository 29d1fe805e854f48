//! Every record of the reference vectors: libsession-generated hop encryption and onion
//! requests (replayed byte for byte), and the reference test suites' hop and parser vectors.
#![allow(clippy::unwrap_used)]

mod common;

use base64::Engine as _;
use common::*;
use serde_json::Value;
use session_onion::*;

#[test]
fn hop_encryption_records() {
    let records = records(include_str!("data/hop_encryption.json"));
    let mut checked = 0;
    for r in &records {
        let case = r["case"].as_str().unwrap();
        let enc: EncType = r["enc_type"].as_str().unwrap().parse().unwrap();
        let client_sk = x_sk(&r["client_x25519_sk"]);
        let server_sk = x_sk(&r["server_x25519_sk"]);
        let client_pk = x_pk(&r["client_x25519_pk"]);
        let server_pk = x_pk(&r["server_x25519_pk"]);
        assert_eq!(client_sk.public_key(), client_pk, "{case}");
        assert_eq!(server_sk.public_key(), server_pk, "{case}");
        let plaintext = bytes(&r["plaintext"]);
        let ciphertext = bytes(&r["ciphertext"]);
        let nonce = bytes(&r["rng_consumed_nonce"]);
        assert_eq!(nonce.len(), enc.nonce_len(), "{case}");

        // (encrypting side, decrypting side)
        let (enc_side, dec_side) = match r["direction"].as_str().unwrap() {
            "client_to_server" => (
                (Role::Client, &client_sk, &server_pk),
                (Role::Server, &server_sk, &client_pk),
            ),
            "server_to_client" => (
                (Role::Server, &server_sk, &client_pk),
                (Role::Client, &client_sk, &server_pk),
            ),
            other => panic!("direction {other}"),
        };
        let mut rng = ReplayRng::new(nonce);
        let ours = hop_encrypt(
            enc, enc_side.0, enc_side.1, enc_side.2, &plaintext, &mut rng,
        )
        .unwrap();
        assert!(rng.is_exhausted() && !rng.is_overdrawn(), "{case}");
        assert_eq!(hex::encode(&ours), hex::encode(&ciphertext), "{case}");
        assert_eq!(
            hop_decrypt(enc, dec_side.0, dec_side.1, dec_side.2, &ciphertext).unwrap(),
            plaintext,
            "{case}"
        );

        // The role only matters to XChaCha20; the other scheme never opens it.
        let wrong_role = match dec_side.0 {
            Role::Client => Role::Server,
            Role::Server => Role::Client,
        };
        let swapped = hop_decrypt(enc, wrong_role, dec_side.1, dec_side.2, &ciphertext);
        match enc {
            EncType::XChaCha20 => {
                assert_eq!(swapped, Err(HopError::Authentication { enc_type: enc }))
            }
            EncType::AesGcm => assert_eq!(swapped.unwrap(), plaintext),
        }
        let other = match enc {
            EncType::XChaCha20 => EncType::AesGcm,
            EncType::AesGcm => EncType::XChaCha20,
        };
        assert!(hop_decrypt(other, dec_side.0, dec_side.1, dec_side.2, &ciphertext).is_err());
        checked += 1;
    }
    assert_eq!(checked, 20);
}

/// Replays `onion_build`: the request body byte for byte, every layer peeled to its recorded
/// routing, and the reply sealed and read.
#[test]
fn onion_request_records() {
    let records = records(include_str!("data/onion_request.json"));
    let mut checked = 0;
    for r in &records {
        check_onion_record(r);
        checked += 1;
    }
    assert_eq!(checked, 12);
}

fn check_onion_record(r: &Value) {
    let case = r["case"].as_str().unwrap();
    let enc: EncType = r["enc_type"].as_str().unwrap().parse().unwrap();
    let payload = bytes(&r["payload"]);
    let hops: Vec<&Value> = r["hops"].as_array().unwrap().iter().collect();
    let dest = &r["destination"];
    let dest_is_server = dest["kind"] == "server";
    let destination = if dest_is_server {
        Destination::Server(ServerDestination::new(
            dest["host"].as_str().unwrap(),
            dest["target"].as_str().unwrap(),
            dest["protocol"].as_str().unwrap(),
            dest["port"].as_u64().map(|p| u16::try_from(p).unwrap()),
            x_pk(&dest["x25519_pk"]),
        ))
    } else {
        Destination::ServiceNode(Hop::new(
            ed_pk(&dest["ed25519_pk"]),
            x_pk(&dest["x25519_pk"]),
        ))
    };
    let path: Vec<Hop> = hops
        .iter()
        .map(|h| Hop::new(ed_pk(&h["ed25519_pk"]), x_pk(&h["x25519_pk"])))
        .collect();

    let mut rng = ReplayRng::new(bytes(&r["rng_consumed"]));
    // Recorded from libsession-util ≤ 1.2.0, which cuts server payloads at a NUL.
    let request = OnionRequestBuilder::new(destination.clone(), enc)
        .truncate_server_payload_at_nul(true)
        .path(path.clone())
        .build(&payload, &mut rng)
        .unwrap();
    assert!(
        rng.is_exhausted() && !rng.is_overdrawn(),
        "{case}: randomness left over or overdrawn"
    );
    assert_eq!(
        hex::encode(request.body()),
        r["request"].as_str().unwrap(),
        "{case}"
    );
    // The same bytes through precomputed tables for every node and the destination.
    let mut tables = PrecomputedKeys::new();
    for hop in &path {
        tables.insert(&hop.x25519);
    }
    tables.insert(destination.x25519());
    let mut rng = ReplayRng::new(bytes(&r["rng_consumed"]));
    let precomputed = OnionRequestBuilder::new(destination.clone(), enc)
        .truncate_server_payload_at_nul(true)
        .path(path.clone())
        .build_precomputed(&payload, &tables, &mut rng)
        .unwrap();
    assert_eq!(precomputed.body(), request.body(), "{case}: precomputed");
    let expected_guard = match path.first() {
        Some(hop) => hop.ed25519,
        None => ed_pk(&dest["ed25519_pk"]),
    };
    assert_eq!(request.guard_ed25519(), &expected_guard, "{case}");
    let context = request.response_context();
    assert_eq!(
        context.final_x25519_public_key(),
        &x_pk(&r["final_hop_x25519_pk"])
    );
    assert_eq!(
        context
            .expose_final_x25519_secret_key()
            .expose_secret_bytes(),
        &key32(&r["final_hop_x25519_sk"])
    );

    // Peel every relay layer.
    let layers = r["layers"].as_array().unwrap();
    assert_eq!(layers.len(), hops.len() + 1, "{case}");
    let mut body = request.body().to_vec();
    for (i, hop) in hops.iter().enumerate() {
        let layer = &layers[i];
        assert_eq!(layer["x25519_pk"], hop["x25519_pk"]);
        let node = NodeKeys::new(x_sk(&hop["x25519_sk"]));
        let peeled = node.peel(&body).unwrap();
        assert_eq!(
            hex::encode(peeled.payload()),
            layer["decrypted_payload"].as_str().unwrap(),
            "{case}: layer {i}"
        );
        assert_eq!(
            peeled.opened().ephemeral_key(),
            &x_pk(&layer["remote_ephemeral_pk"])
        );
        assert_eq!(peeled.opened().enc_type(), enc);
        let next_ephemeral = x_pk(&layers[i + 1]["remote_ephemeral_pk"]);
        let is_last = i + 1 == hops.len();
        match peeled.routing() {
            Routing::NextHop(next) => {
                assert!(!(is_last && dest_is_server), "{case}");
                let next_ed = if is_last {
                    &dest["ed25519_pk"]
                } else {
                    &hops[i + 1]["ed25519_pk"]
                };
                assert_eq!(next.ed25519, ed_pk(next_ed), "{case}");
                assert_eq!(next.ephemeral_key, next_ephemeral, "{case}");
                assert_eq!(next.enc_type, enc);
                body = peeled.next_hop_body().unwrap();
            }
            Routing::Server(route) => {
                assert!(is_last && dest_is_server, "{case}");
                assert_eq!(route.host, dest["host"].as_str().unwrap());
                assert_eq!(route.target, dest["target"].as_str().unwrap());
                assert_eq!(route.protocol, dest["protocol"].as_str().unwrap());
                let default = if route.protocol == "https" { 443 } else { 80 };
                assert_eq!(
                    u64::from(route.port),
                    dest["port"].as_u64().unwrap_or(default)
                );
                assert!(route.is_allowed(), "{case}");
                assert_eq!(peeled.next_hop_body(), None);
                // The server receives the relay's whole decrypted layer.
                body = peeled.payload().to_vec();
            }
            other => panic!("{case}: relay {i} routed to {other:?}"),
        }
    }

    // The destination.
    let last = layers.last().unwrap();
    assert_eq!(last["x25519_pk"], dest["x25519_pk"]);
    let dest_keys = NodeKeys::new(x_sk(&dest["x25519_sk"]));
    let opened = dest_keys.open(&body).unwrap();
    assert_eq!(opened.ephemeral_key(), &x_pk(&last["remote_ephemeral_pk"]));
    assert_eq!(
        hex::encode(opened.payload()),
        r["destination_plaintext"].as_str().unwrap(),
        "{case}"
    );
    assert_eq!(last["decrypted_payload"], r["destination_plaintext"]);
    if dest_is_server {
        let expected: &[u8] = match payload.iter().position(|&b| b == 0) {
            Some(nul) => &payload[..nul],
            None => &payload,
        };
        assert_eq!(opened.payload(), expected, "{case}");
    } else {
        let frame = LayerFrame::parse(opened.payload()).unwrap();
        assert_eq!(frame.data(), payload.as_slice());
        assert_eq!(frame.json_text(), r#"{"headers":""}"#);
        assert_eq!(
            frame.routing().unwrap(),
            Routing::ServiceNode(ServiceNodeDelivery {
                json: false,
                base64: true
            })
        );
    }

    // The reply.
    let reply_plain = bytes(&r["reply_plaintext"]);
    let reply_ct = bytes(&r["reply_ciphertext"]);
    let mut reply_rng = ReplayRng::new(bytes(&r["reply_rng_consumed_nonce"]));
    assert_eq!(
        hex::encode(opened.seal_reply(&reply_plain, &mut reply_rng)),
        hex::encode(&reply_ct),
        "{case}"
    );
    assert_eq!(
        hex::encode(context.decrypt(&reply_ct).unwrap()),
        r["reply_decrypted"].as_str().unwrap()
    );
    if !dest_is_server {
        let b64 = base64::engine::general_purpose::STANDARD.encode(&reply_ct);
        let reply_json: Value = serde_json::from_slice(&reply_plain).unwrap();
        let case_no = reply_json["case"].as_i64().unwrap();
        let expected_body = format!(r#"{{"case":{case_no},"status":200}}"#);
        for http_body in [
            b64.clone(),
            format!(r#"{{"result":"{b64}"}}"#),
            b64.trim_end_matches('=').to_owned(),
        ] {
            let response = context
                .decode_service_node_response(http_body.as_bytes())
                .unwrap();
            assert_eq!(response.status, 200, "{case}");
            assert_eq!(response.body, expected_body.as_bytes(), "{case}");
        }
    }
}

#[test]
fn reference_hop_and_parser_records() {
    let file: Value = serde_json::from_str(include_str!("data/onion_hop.json")).unwrap();
    let vectors = file["vectors"].as_array().unwrap();
    let mut checked = 0;
    for v in vectors {
        match v["kind"].as_str().unwrap() {
            kind @ ("hop_decrypt_aesgcm" | "hop_decrypt_xchacha20") => {
                let enc = if kind.ends_with("aesgcm") {
                    EncType::AesGcm
                } else {
                    EncType::XChaCha20
                };
                let ct = bytes(&v["ciphertext"]);
                let expected = v["plaintext_utf8"].as_str().unwrap().as_bytes();
                let node = x_sk(&v["node_x25519_sk"]);
                let client = x_sk(&v["client_x25519_sk"]);
                assert_eq!(node.public_key(), x_pk(&v["node_x25519_pk"]));
                assert_eq!(client.public_key(), x_pk(&v["client_x25519_pk"]));
                let by_node =
                    hop_decrypt(enc, Role::Server, &node, &x_pk(&v["client_x25519_pk"]), &ct)
                        .unwrap();
                let by_client =
                    hop_decrypt(enc, Role::Client, &client, &x_pk(&v["node_x25519_pk"]), &ct)
                        .unwrap();
                assert_eq!(by_node, expected);
                assert_eq!(by_client, expected);
            }
            "hop_decrypt_must_fail" => {
                let node = x_sk(&v["node_x25519_sk"]);
                let client_pk = x_pk(&v["client_x25519_pk"]);
                let cts = v["ciphertexts"].as_array().unwrap();
                assert_eq!(cts.len(), 2);
                for ct in cts {
                    let ct = bytes(ct);
                    for enc in [EncType::AesGcm, EncType::XChaCha20] {
                        assert_eq!(
                            hop_decrypt(enc, Role::Server, &node, &client_pk, &ct),
                            Err(HopError::Authentication { enc_type: enc })
                        );
                    }
                }
            }
            "onion_payload_parse" => {
                let enc: EncType = v["enc_type"].as_str().unwrap().parse().unwrap();
                let node = NodeKeys::new(x_sk(&v["node_x25519_sk"]));
                assert_eq!(node.public_key(), &x_pk(&v["node_x25519_pk"]));
                let body = bytes(&v["payload"]);
                let opened = node.open(&body).unwrap();
                assert_eq!(
                    opened.payload(),
                    v["expected_payload_utf8"].as_str().unwrap().as_bytes()
                );
                assert_eq!(opened.ephemeral_key(), &x_pk(&v["expected_remote_pubkey"]));
                assert_eq!(opened.enc_type(), enc);
                let layout = &v["parsed_layout"];
                let frame = LayerFrame::parse(&body).unwrap();
                assert_eq!(frame.data(), bytes(&layout["ciphertext"]).as_slice());
                assert_eq!(
                    frame.data().len() as u64,
                    layout["ciphertext_len"].as_u64().unwrap()
                );
                assert_eq!(frame.json_text(), layout["metadata_json"].as_str().unwrap());
                // The node's reply: right length, and the client reads it.
                let mut rng = <rand_chacha::ChaCha20Rng as rand_chacha::rand_core::SeedableRng>::seed_from_u64(1);
                let reply_text = v["reply_plaintext_utf8"].as_str().unwrap().as_bytes();
                let reply = opened.seal_reply(reply_text, &mut rng);
                assert_eq!(
                    reply.len() as u64,
                    v["expected_reply_len"].as_u64().unwrap()
                );
                let client = x_sk(&v["client_ephemeral_x25519_sk"]);
                let read =
                    hop_decrypt(enc, Role::Client, &client, node.public_key(), &reply).unwrap();
                assert_eq!(read, reply_text);
            }
            "snode_inner_request_routing (storage server)" => {
                let prefix = bytes(&v["prefix_hex"]);
                let cases = v["cases"].as_array().unwrap();
                assert_eq!(cases.len(), 4);
                for (i, c) in cases.iter().enumerate() {
                    let data = [prefix.as_slice(), c["json"].to_string().as_bytes()].concat();
                    let frame = LayerFrame::parse(&data).unwrap();
                    assert_eq!(frame.data(), b"ciphertext");
                    let routing = frame.routing().unwrap();
                    let expected = match i {
                        0 => Routing::ServiceNode(ServiceNodeDelivery {
                            json: false,
                            base64: true,
                        }),
                        1 => Routing::Server(ServerRoute {
                            host: "host".into(),
                            target: "target".into(),
                            protocol: "https".into(),
                            port: 443,
                        }),
                        2 => Routing::Server(ServerRoute {
                            host: "host".into(),
                            target: "target".into(),
                            protocol: "http".into(),
                            port: 80,
                        }),
                        _ => Routing::NextHop(NextHop {
                            ed25519: ed_pk(&c["json"]["destination"]),
                            ephemeral_key: x_pk(&c["json"]["ephemeral_key"]),
                            enc_type: EncType::AesGcm,
                        }),
                    };
                    assert_eq!(routing, expected, "routing case {i}");
                }
                let route = |target: &str| ServerRoute {
                    host: "h".into(),
                    target: target.into(),
                    protocol: "https".into(),
                    port: 443,
                };
                let allowed = v["url_targets"]["allowed"].as_array().unwrap();
                let rejected = v["url_targets"]["rejected"].as_array().unwrap();
                assert_eq!((allowed.len(), rejected.len()), (3, 3));
                for t in allowed {
                    assert!(route(t.as_str().unwrap()).is_allowed(), "{t}");
                }
                for t in rejected {
                    assert!(!route(t.as_str().unwrap()).is_allowed(), "{t}");
                }
            }
            "x25519_keypair (pysogs onion test client)" => {
                assert_eq!(x_sk(&v["x25519_sk"]).public_key(), x_pk(&v["x25519_pk"]));
            }
            "channel_encryption_sizes (storage server)" => {
                let alice = x_sk(&v["alice_x25519_sk"]);
                let bob = x_sk(&v["bob_x25519_sk"]);
                let (alice_pk, bob_pk) = (x_pk(&v["alice_x25519_pk"]), x_pk(&v["bob_x25519_pk"]));
                let message = b"Grumpy cat says no!";
                let mut rng = <rand_chacha::ChaCha20Rng as rand_chacha::rand_core::SeedableRng>::seed_from_u64(2);
                for (enc, overhead) in [(EncType::AesGcm, 28), (EncType::XChaCha20, 40)] {
                    // Alice is the client, Bob the server.
                    let ct =
                        hop_encrypt(enc, Role::Client, &alice, &bob_pk, message, &mut rng).unwrap();
                    assert_eq!(ct.len(), message.len() + overhead);
                    assert_eq!(
                        hop_decrypt(enc, Role::Server, &bob, &alice_pk, &ct).unwrap(),
                        message
                    );
                    let back =
                        hop_encrypt(enc, Role::Server, &bob, &alice_pk, message, &mut rng).unwrap();
                    assert_eq!(
                        hop_decrypt(enc, Role::Client, &alice, &bob_pk, &back).unwrap(),
                        message
                    );
                    if enc == EncType::XChaCha20 {
                        assert!(hop_decrypt(enc, Role::Client, &bob, &alice_pk, &ct).is_err());
                        assert!(hop_decrypt(enc, Role::Server, &alice, &bob_pk, &back).is_err());
                    }
                }
            }
            other => panic!("unexpected vector kind {other}"),
        }
        checked += 1;
    }
    assert_eq!(checked, 8);
}
