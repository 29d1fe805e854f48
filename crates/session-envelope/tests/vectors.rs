//! Every record of the reference vector files: our ciphertexts equal the reference's byte for
//! byte (replaying its recorded randomness) and every reference ciphertext decrypts.
#![allow(clippy::unwrap_used)]

mod common;

use common::{hex_field, identity, load, recipient_key, session_id, Replay};
use prost::Message;
use session_envelope::proto::{Content, Envelope, WebSocketMessage, WebSocketRequestMessage};
use session_envelope::{
    blinded_dm, decode, ons, padding, push, session_protocol, unwrap_envelope, BlindedDmError,
    SessionProtocolError,
};
use session_identity::{Ed25519PublicKey, Identity, Seed};

fn records(name: &str, expected: usize) -> Vec<serde_json::Value> {
    let records = load(name).as_array().unwrap().clone();
    assert_eq!(records.len(), expected, "{name}");
    records
}

#[test]
fn sign_for_recipient_records() {
    let mut checked = 0;
    for r in records("sign_for_recipient.json", 10) {
        let sender = identity(&r, "sender_ed25519_sk");
        let recipient = recipient_key(&hex_field(&r, "recipient_pubkey"));
        let signed =
            session_protocol::sign_for_recipient(&sender, &recipient, &hex_field(&r, "message"));
        assert_eq!(
            hex::encode(signed),
            r["signed"].as_str().unwrap(),
            "{}",
            r["case"]
        );
        checked += 1;
    }
    assert_eq!(checked, 10);
}

#[test]
fn encrypt_for_recipient_records() {
    let mut checked = 0;
    for r in records("encrypt_for_recipient.json", 10) {
        let case = r["case"].as_str().unwrap();
        let sender = identity(&r, "sender_ed25519_sk");
        let recipient = identity(&r, "recipient_ed25519_sk");
        let arg = recipient_key(&hex_field(&r, "recipient_pubkey_arg"));
        assert_eq!(arg, recipient.x25519_public_key(), "{case}");
        let message = hex_field(&r, "message");
        let mut rng = Replay::new(hex_field(&r, "rng_consumed_ephemeral_x25519_sk"));
        let ciphertext = session_protocol::encrypt(&sender, &arg, &message, &mut rng).unwrap();
        assert!(rng.is_exhausted() && !rng.is_overdrawn(), "{case}");
        assert_eq!(
            hex::encode(&ciphertext),
            r["ciphertext"].as_str().unwrap(),
            "{case}"
        );
        assert_eq!(ciphertext.len(), message.len() + session_protocol::OVERHEAD);

        let opened = session_protocol::decrypt(&recipient, &ciphertext).unwrap();
        assert_eq!(
            opened.plaintext,
            hex_field(&r, "decrypted_plaintext"),
            "{case}"
        );
        assert_eq!(
            opened.sender_session_id,
            session_id(&r, "decrypted_sender_session_id")
        );
        assert_eq!(
            opened.sender_session_id,
            session_id(&r, "sender_session_id")
        );
        assert_eq!(
            opened.sender_ed25519.to_hex(),
            r["sender_ed25519_pk"].as_str().unwrap()
        );
        // The sender cannot open what it sealed to someone else.
        assert_eq!(
            session_protocol::decrypt(&sender, &ciphertext),
            Err(SessionProtocolError::CannotOpen)
        );
        checked += 1;
    }
    assert_eq!(checked, 10);
}

#[test]
fn encrypt_for_recipient_deterministic_records() {
    let mut checked = 0;
    for r in records("encrypt_for_recipient_deterministic.json", 10) {
        let case = r["case"].as_str().unwrap();
        let sender = identity(&r, "sender_ed25519_sk");
        let recipient = identity(&r, "recipient_ed25519_sk");
        let arg = recipient_key(&hex_field(&r, "recipient_pubkey_arg"));
        let message = hex_field(&r, "message");
        let ciphertext = session_protocol::encrypt_deterministic(&sender, &arg, &message).unwrap();
        assert_eq!(
            hex::encode(&ciphertext),
            r["ciphertext"].as_str().unwrap(),
            "{case}"
        );
        let opened = session_protocol::decrypt(&recipient, &ciphertext).unwrap();
        assert_eq!(opened.plaintext, message, "{case}");
        assert_eq!(
            opened.sender_session_id,
            session_id(&r, "decrypted_sender_session_id")
        );
        assert_eq!(opened.sender_session_id, sender.session_id());
        checked += 1;
    }
    assert_eq!(checked, 10);
}

#[test]
fn decrypt_incoming_records() {
    let mut outcomes = Vec::new();
    for r in records("decrypt_incoming.json", 4) {
        let case = r["case"].as_str().unwrap().to_owned();
        let recipient = identity(&r, "recipient_ed25519_sk");
        let result = session_protocol::decrypt(&recipient, &hex_field(&r, "ciphertext"));
        if r["expected_error"].is_null() {
            let opened = result.unwrap();
            assert_eq!(opened.plaintext, hex_field(&r, "plaintext"), "{case}");
            assert_eq!(
                opened.sender_session_id,
                session_id(&r, "sender_session_id")
            );
        } else {
            let expected = match case.as_str() {
                "truncated_48" => SessionProtocolError::TooShort { len: 48 },
                "wrong_recipient" | "flipped_first_byte" => SessionProtocolError::CannotOpen,
                other => panic!("unexpected case {other}"),
            };
            assert_eq!(result.unwrap_err(), expected, "{case}");
        }
        outcomes.push(case);
    }
    assert_eq!(
        outcomes,
        [
            "wrong_recipient",
            "flipped_first_byte",
            "truncated_48",
            "valid"
        ]
    );
}

#[test]
fn encrypt_for_blinded_recipient_records() {
    let mut checked = 0;
    for r in records("encrypt_for_blinded_recipient.json", 10) {
        let case = r["case"].as_str().unwrap();
        let server = Ed25519PublicKey::from_slice(&hex_field(&r, "server_pk")).unwrap();
        let sender = identity(&r, "sender_ed25519_sk");
        let recipient = identity(&r, "recipient_ed25519_sk");
        let sender_id = session_id(&r, "sender_blinded_id");
        let recipient_id = session_id(&r, "recipient_blinded_id");
        assert_eq!(
            format!("{:02x}", sender_id.prefix().as_byte()),
            r["blind_kind"].as_str().unwrap()
        );
        assert_eq!(recipient_id.prefix(), sender_id.prefix());
        let message = hex_field(&r, "message");

        let mut rng = Replay::new(hex_field(&r, "rng_consumed_nonce"));
        let ciphertext =
            blinded_dm::encrypt(&sender, &server, &recipient_id, &message, &mut rng).unwrap();
        assert!(rng.is_exhausted() && !rng.is_overdrawn(), "{case}");
        assert_eq!(
            hex::encode(&ciphertext),
            r["ciphertext"].as_str().unwrap(),
            "{case}"
        );
        assert_eq!(ciphertext.len(), message.len() + blinded_dm::OVERHEAD);

        for (who, own) in [
            ("recipient_decrypt", &recipient),
            ("sender_decrypt", &sender),
        ] {
            let opened =
                blinded_dm::decrypt(own, &server, &sender_id, &recipient_id, &ciphertext).unwrap();
            assert_eq!(
                opened.plaintext,
                hex_field(&r[who], "plaintext"),
                "{case} {who}"
            );
            assert_eq!(
                opened.sender_session_id,
                session_id(&r[who], "sender_session_id")
            );
            assert_eq!(
                opened.sender_session_id,
                session_id(&r, "sender_session_id")
            );
            assert_eq!(opened.sender_ed25519, sender.ed25519_public_key());
        }
        // A swapped sender ID: the key derivation changes, so nothing decrypts.
        assert_eq!(
            blinded_dm::decrypt(&recipient, &server, &recipient_id, &sender_id, &ciphertext),
            Err(BlindedDmError::CannotDecrypt),
            "{case}"
        );
        checked += 1;
    }
    assert_eq!(checked, 10);
}

fn reference(name: &str, expected: usize) -> Vec<serde_json::Value> {
    let vectors = load(name)["vectors"].as_array().unwrap().clone();
    assert_eq!(vectors.len(), expected, "{name}");
    vectors
}

fn seed32(hex_seed: &str) -> Identity {
    Identity::from_secret_bytes(&hex::decode(hex_seed).unwrap()).unwrap()
}

#[test]
fn reference_session_protocol() {
    let v = reference("session_protocol.json", 4);

    // 1. The deterministic "hello".
    let hello = &v[0];
    assert_eq!(hello["id"], "deterministic_hello");
    let sender = seed32(hello["sender_ed25519_seed"].as_str().unwrap());
    let recipient = seed32(hello["recipient_ed25519_seed"].as_str().unwrap());
    assert_eq!(
        sender.ed25519_public_key().to_hex(),
        hello["sender_ed25519_pk"].as_str().unwrap()
    );
    assert_eq!(
        recipient.session_id().to_hex(),
        hello["recipient_session_id"].as_str().unwrap()
    );
    let ct =
        session_protocol::encrypt_deterministic(&sender, &recipient.x25519_public_key(), b"hello")
            .unwrap();
    assert_eq!(hex::encode(&ct), hello["ciphertext"].as_str().unwrap());
    assert_eq!(ct.len(), hello["ciphertext_len"].as_u64().unwrap() as usize);
    let opened = session_protocol::decrypt(&recipient, &ct).unwrap();
    assert_eq!(opened.plaintext, b"hello");
    assert_eq!(
        opened.sender_ed25519.to_hex(),
        hello["expected_decrypt"]["sender_ed25519_pk"]
            .as_str()
            .unwrap()
    );

    // 2. Randomised encryption: the asserted properties.
    let props = &v[1];
    assert_eq!(props["id"], "random_encrypt_properties");
    let sender = seed32(props["sender_ed25519_seed"].as_str().unwrap());
    let recipient = seed32(props["recipient_ed25519_seed"].as_str().unwrap());
    let y = recipient.x25519_public_key();
    let mut rng = Replay::new((0u8..64).collect());
    let a = session_protocol::encrypt(&sender, &y, b"hello", &mut rng).unwrap();
    let b = session_protocol::encrypt(&sender, &y, b"hello", &mut rng).unwrap();
    assert_ne!(a, b);
    assert_eq!(a.len(), ct.len());
    assert_eq!(
        session_protocol::decrypt(&sender, &a),
        Err(SessionProtocolError::CannotOpen)
    );
    let mut flipped = a.clone();
    flipped[2] ^= 0x02;
    assert!(session_protocol::decrypt(&recipient, &flipped).is_err());
    let lorem = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit.";
    let mut rng = Replay::new(vec![9; 32]);
    let mut long = session_protocol::encrypt(&sender, &y, lorem, &mut rng).unwrap();
    assert_eq!(
        session_protocol::decrypt(&recipient, &long)
            .unwrap()
            .plaintext,
        lorem
    );
    long[14] ^= 0x80;
    assert!(session_protocol::decrypt(&recipient, &long).is_err());
    // A 64-byte secret key behaves as its seed.
    let from_sk = Identity::from_secret_bytes(sender.expose_ed25519_secret_key().as_ref()).unwrap();
    assert_eq!(
        session_protocol::encrypt_deterministic(&from_sk, &y, b"hello").unwrap(),
        ct
    );

    // 3. A real client's legacy config message to itself.
    let legacy = &v[2];
    assert_eq!(legacy["id"], "legacy_user_config_real_client");
    let own = seed32(
        legacy["recipient_and_sender_ed25519_seed"]
            .as_str()
            .unwrap(),
    );
    let wrapped = hex_field(legacy, "wrapped_websocket_message");
    let envelope = unwrap_envelope(&wrapped).unwrap();
    let fields = &legacy["envelope_fields"];
    assert_eq!(
        envelope.r#type,
        Some(fields["type"].as_i64().unwrap() as i32)
    );
    assert_eq!(
        envelope.source.as_deref(),
        Some(fields["source"].as_str().unwrap().as_bytes())
    );
    assert_eq!(
        envelope.timestamp,
        Some(fields["timestamp"].as_u64().unwrap())
    );
    assert_eq!(
        envelope.source_device,
        Some(fields["sourceDevice"].as_u64().unwrap() as u32)
    );
    let inner = envelope.content.clone().unwrap();
    assert_eq!(
        inner.len(),
        fields["content_len"].as_u64().unwrap() as usize
    );
    assert_eq!(
        inner,
        hex_field(legacy, "inner_envelope_content_ciphertext")
    );
    let ws = WebSocketMessage::decode(wrapped.as_slice()).unwrap();
    let request = ws.request.unwrap();
    assert_eq!(request.verb.as_deref(), Some(&b"PUT"[..]));
    assert_eq!(request.path.as_deref(), Some(&b"/api/v1/message"[..]));
    let message = decode(&wrapped, &own).unwrap();
    assert_eq!(message.sender_session_id, own.session_id());
    assert_eq!(message.sent_timestamp_ms, 1696374203105);
    let config = message.content.shared_config_message.unwrap();
    assert_eq!(config.kind, Some(1)); // USER_PROFILE
                                      // The plaintext is the content, 0x80, then zero or more zero bytes.
    let opened = session_protocol::decrypt(&own, &inner).unwrap();
    let unpadded = padding::unpad(&opened.plaintext).unwrap();
    assert_eq!(opened.plaintext[unpadded.len()], 0x80);
    assert!(opened.plaintext[unpadded.len() + 1..]
        .iter()
        .all(|&b| b == 0));

    // 4. libsession's deterministic user-profile push, rebuilt byte for byte.
    let push = &v[3];
    assert_eq!(push["id"], "user_profile_push_seqno0_deterministic");
    let own = seed32(push["ed25519_seed"].as_str().unwrap());
    let wrapped = hex_field(push, "wrapped_websocket_message");
    assert_eq!(
        wrapped.len(),
        push["wrapped_len"].as_u64().unwrap() as usize
    );
    let envelope = unwrap_envelope(&wrapped).unwrap();
    let inner = envelope.content.clone().unwrap();
    assert_eq!(inner, hex_field(push, "inner_envelope_content_ciphertext"));
    let opened = session_protocol::decrypt(&own, &inner).unwrap();
    assert_eq!(opened.sender_ed25519, own.ed25519_public_key());
    assert_eq!(opened.plaintext.last(), Some(&0x80));
    let content = Content::decode(padding::unpad(&opened.plaintext).unwrap()).unwrap();
    let config = content.shared_config_message.clone().unwrap();
    assert_eq!((config.kind, config.seqno), (Some(1), Some(0)));
    // Re-encode exactly as libsession's wrap_config does.
    let mut plaintext = content.encode_to_vec();
    plaintext.push(0x80);
    let sealed =
        session_protocol::encrypt_deterministic(&own, &own.x25519_public_key(), &plaintext)
            .unwrap();
    assert_eq!(sealed, inner);
    let rebuilt = WebSocketMessage {
        r#type: Some(1),
        request: Some(WebSocketRequestMessage {
            verb: Some(Vec::new()),
            path: Some(Vec::new()),
            body: Some(
                Envelope {
                    r#type: Some(6),
                    timestamp: Some(1),
                    content: Some(sealed),
                    ..Envelope::default()
                }
                .encode_to_vec(),
            ),
            request_id: Some(0),
            headers: Vec::new(),
        }),
    }
    .encode_to_vec();
    assert_eq!(hex::encode(rebuilt), hex::encode(&wrapped));
    let message = decode(&wrapped, &own).unwrap();
    assert_eq!(message.sent_timestamp_ms, 1);
    assert_eq!(message.content, content);
}

#[test]
fn reference_blinded_dm() {
    let v = reference("blinded_dm.json", 1);
    let r = &v[0];
    let server = Ed25519PublicKey::from_slice(&hex_field(r, "server_pk")).unwrap();
    let sender = seed32(r["sender_ed25519_seed"].as_str().unwrap());
    let recipient = seed32(r["recipient_ed25519_seed"].as_str().unwrap());
    assert_eq!(
        sender.session_id().to_hex(),
        r["sender_session_id"].as_str().unwrap()
    );
    let lorem = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor \
incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation \
ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit \
in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat \
non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.";
    assert_eq!(lorem.len(), 445);
    for kind in [
        session_identity::blinding::BlindingKind::Blind15,
        session_identity::blinding::BlindingKind::Blind25,
    ] {
        let sender_id = sender.blinded_key_pair(kind, &server).blinded_id();
        let recipient_id = recipient.blinded_key_pair(kind, &server).blinded_id();
        for (message, flip) in [(&b"hello"[..], 23usize), (lorem.as_bytes(), 463)] {
            let mut rng = Replay::new(vec![0x5a; 24]);
            let ct =
                blinded_dm::encrypt(&sender, &server, &recipient_id, message, &mut rng).unwrap();
            // Recipient and sender both open it and learn the sender's real Session ID.
            for own in [&recipient, &sender] {
                let opened =
                    blinded_dm::decrypt(own, &server, &sender_id, &recipient_id, &ct).unwrap();
                assert_eq!(opened.plaintext, message);
                assert_eq!(opened.sender_session_id, sender.session_id());
            }
            // Flipping a bit (at the indexes libsession's test flips) breaks it.
            let mut bad = ct.clone();
            bad[flip] ^= 0x01;
            assert_eq!(
                blinded_dm::decrypt(&recipient, &server, &sender_id, &recipient_id, &bad),
                Err(BlindedDmError::CannotDecrypt)
            );
        }
    }
}

#[test]
fn reference_misc() {
    let v = reference("misc.json", 2);
    let o = &v[0];
    assert_eq!(o["kind"], "decrypt_ons_response");
    let nonce: [u8; 24] = hex_field(o, "nonce").try_into().unwrap();
    let id = ons::decrypt(
        o["name"].as_str().unwrap(),
        &hex_field(o, "ciphertext"),
        &nonce,
    )
    .unwrap();
    assert_eq!(id.to_hex(), o["expected_session_id"].as_str().unwrap());

    let p = &v[1];
    assert_eq!(p["kind"], "decrypt_push_notification");
    let key: [u8; 32] = hex_field(p, "enc_key").try_into().unwrap();
    let plaintext = push::decrypt_notification(&hex_field(p, "payload"), &key).unwrap();
    assert_eq!(
        plaintext,
        p["expected_plaintext_utf8"].as_str().unwrap().as_bytes()
    );
}

#[test]
fn seeds_of_16_bytes_are_zero_padded() {
    let legacy = Identity::from_seed(Seed::from_legacy_bytes(
        hex::decode("0123456789abcdef0123456789abcdef")
            .unwrap()
            .try_into()
            .unwrap(),
    ));
    assert_eq!(
        legacy.ed25519_public_key().to_hex(),
        "4cb76fdc6d32278e3f83dbf608360ecc6b65727934b85d2fb86862ff98c46ab7"
    );
}
