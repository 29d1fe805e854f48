//! Hostile input: tampering, truncation, wrong keys, forged signatures and senders, malformed
//! protobuf. Each case checks the exact typed error.
#![allow(clippy::unwrap_used)]

mod common;

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::XChaCha20Poly1305;
use common::Replay;
use curve25519_dalek::edwards::CompressedEdwardsY;
use curve25519_dalek::scalar::Scalar;
use prost::Message;
use session_envelope::proto::{Content, DataMessage, Envelope, WebSocketMessage};
use session_envelope::{
    blinded_dm, decode, decode_blinded, encode, encode_blinded, ons, padding, push,
    session_protocol, unwrap_envelope, wrap_envelope, BlindedDmError, DecodeError, EncodeError,
    ExtrasError, ProtoMessage, SessionProtocolError, UnpadError,
};
use session_identity::blinding::BlindingKind;
use session_identity::hash::blake2b;
use session_identity::{
    Ed25519PublicKey, Identity, PointError, Prefix, Seed, SessionId, SignatureError,
    X25519PublicKey, X25519SecretKey,
};

fn person(n: u8) -> Identity {
    Identity::from_seed(Seed::from_legacy_bytes([n; 16]))
}

fn rng() -> Replay {
    Replay::new((0..=255u8).cycle().take(4096).collect())
}

const SERVER: Ed25519PublicKey = Ed25519PublicKey::from_bytes([
    0x1d, 0x7e, 0x7f, 0x92, 0xb1, 0xed, 0x36, 0x43, 0x85, 0x5c, 0x98, 0xec, 0xac, 0x02, 0xfc, 0x72,
    0x74, 0x03, 0x3a, 0x34, 0x67, 0x65, 0x3f, 0x04, 0x7d, 0x6e, 0x43, 0x35, 0x40, 0xc0, 0x3f, 0x17,
]);

#[test]
fn session_protocol_tampering_and_truncation() {
    let (alice, bob) = (person(1), person(2));
    let ct =
        session_protocol::encrypt(&alice, &bob.x25519_public_key(), b"hi bob", &mut rng()).unwrap();
    for i in 0..ct.len() {
        let mut bad = ct.clone();
        bad[i] ^= 0x40;
        assert_eq!(
            session_protocol::decrypt(&bob, &bad),
            Err(SessionProtocolError::CannotOpen),
            "byte {i}"
        );
    }
    for len in 0..session_protocol::OVERHEAD {
        assert_eq!(
            session_protocol::decrypt(&bob, &ct[..len]),
            Err(SessionProtocolError::TooShort { len })
        );
    }
    // Cutting or extending a valid ciphertext breaks the MAC.
    assert_eq!(
        session_protocol::decrypt(&bob, &ct[..ct.len() - 1]),
        Err(SessionProtocolError::CannotOpen)
    );
    let mut longer = ct.clone();
    longer.push(0);
    assert_eq!(
        session_protocol::decrypt(&bob, &longer),
        Err(SessionProtocolError::CannotOpen)
    );
    assert_eq!(
        session_protocol::decrypt(&person(3), &ct),
        Err(SessionProtocolError::CannotOpen)
    );
    // A small-order ephemeral key is refused before any exchange.
    let mut weak = ct.clone();
    weak[..32].fill(0);
    assert_eq!(
        session_protocol::decrypt(&bob, &weak),
        Err(SessionProtocolError::CannotOpen)
    );
    assert_eq!(
        session_protocol::encrypt(
            &alice,
            &X25519PublicKey::from_bytes([0; 32]),
            b"x",
            &mut rng()
        ),
        Err(SessionProtocolError::WeakRecipientKey)
    );
    let mut one = [0u8; 32];
    one[0] = 1;
    assert_eq!(
        session_protocol::encrypt_deterministic(&alice, &X25519PublicKey::from_bytes(one), b"x"),
        Err(SessionProtocolError::WeakRecipientKey)
    );
}

/// Seals an arbitrary inner payload to `recipient` with libsodium's sealed-box construction,
/// written out independently of the crate: `E ‖ crypto_box_easy(inner)` with the key
/// `HSalsa20(X25519(e, Y), 0)` and the nonce `BLAKE2b-24(E ‖ Y)`.
fn seal_raw(recipient: &Identity, inner: &[u8]) -> Vec<u8> {
    let e = X25519SecretKey::from_bytes([0x5e; 32]);
    let y = recipient.x25519_public_key();
    let mut sealed = e.public_key().to_bytes().to_vec();
    let nonce: [u8; 24] = blake2b(&[sealed.as_slice(), y.as_bytes()].concat(), None).unwrap();
    let shared = e.diffie_hellman(&y).unwrap();
    let key = salsa20::hsalsa::<salsa20::cipher::consts::U10>(
        shared.expose_secret_bytes().into(),
        &Default::default(),
    );
    // NaCl's secretbox: the first 32 keystream bytes key Poly1305, the rest encrypt; the
    // combined form is `tag ‖ ciphertext`.
    use salsa20::cipher::{KeyIvInit, StreamCipher};
    let mut keystream = salsa20::XSalsa20::new(&key, (&nonce).into());
    let mut one_time_key = [0u8; 32];
    keystream.apply_keystream(&mut one_time_key);
    let mut ciphertext = inner.to_vec();
    keystream.apply_keystream(&mut ciphertext);
    let tag = <poly1305::Poly1305 as poly1305::universal_hash::KeyInit>::new(&one_time_key.into())
        .compute_unpadded(&ciphertext);
    sealed.extend_from_slice(&tag);
    sealed.extend_from_slice(&ciphertext);
    sealed
}

#[test]
fn forged_inner_signatures_and_keys() {
    let (alice, bob, mallory) = (person(1), person(2), person(3));
    let y = bob.x25519_public_key();
    let good = session_protocol::sign_for_recipient(&alice, &y, b"pay mallory");
    // The genuine inner part opens when sealed by anyone.
    let opened = session_protocol::decrypt(&bob, &seal_raw(&bob, &good)).unwrap();
    assert_eq!(opened.sender_session_id, alice.session_id());

    // A flipped signature bit.
    let mut forged = good.clone();
    let n = forged.len();
    forged[n - 1] ^= 0x01;
    assert_eq!(
        session_protocol::decrypt(&bob, &seal_raw(&bob, &forged)),
        Err(SessionProtocolError::BadSignature(SignatureError::Mismatch))
    );
    forged[n - 1] ^= 0x01;
    forged[n - 64] ^= 0x01;
    assert!(matches!(
        session_protocol::decrypt(&bob, &seal_raw(&bob, &forged)),
        Err(SessionProtocolError::BadSignature(_))
    ));
    // Mallory signs, then claims to be Alice by swapping in her key.
    let mut claimed = session_protocol::sign_for_recipient(&mallory, &y, b"pay mallory");
    let m = claimed.len() - 96;
    claimed[m..m + 32].copy_from_slice(alice.ed25519_public_key().as_bytes());
    assert_eq!(
        session_protocol::decrypt(&bob, &seal_raw(&bob, &claimed)),
        Err(SessionProtocolError::BadSignature(SignatureError::Mismatch))
    );
    // A signature for Carol's key re-sealed to Bob: the recipient key is signed.
    let for_carol =
        session_protocol::sign_for_recipient(&alice, &person(4).x25519_public_key(), b"hi");
    assert_eq!(
        session_protocol::decrypt(&bob, &seal_raw(&bob, &for_carol)),
        Err(SessionProtocolError::BadSignature(SignatureError::Mismatch))
    );
    // A small-order sender key.
    let mut small = good.clone();
    small[m..m + 32].fill(0);
    small[m] = 1;
    assert_eq!(
        session_protocol::decrypt(&bob, &seal_raw(&bob, &small)),
        Err(SessionProtocolError::BadSenderKey(PointError::SmallOrder))
    );
}

/// What Mallory can do without Alice's keys: a blinded message under her own blinded ID that
/// embeds Alice's real key.
fn blinded_forgery(
    mallory: &Identity,
    victim: &Identity,
    recipient_id: &SessionId,
) -> (SessionId, Vec<u8>) {
    let sender_id = mallory.blind15_key_pair(&SERVER).blinded_id();
    let a = Scalar::from_bytes_mod_order(*mallory.x25519_secret_key().expose_secret_bytes());
    let jb = CompressedEdwardsY(*recipient_id.key_bytes())
        .decompress()
        .unwrap();
    let shared = (jb * a).compress().to_bytes();
    let mut input = shared.to_vec();
    input.extend_from_slice(sender_id.key_bytes());
    input.extend_from_slice(recipient_id.key_bytes());
    let key: [u8; 32] = blake2b(&input, None).unwrap();
    let nonce = [7u8; 24];
    let mut inner = b"trust me".to_vec();
    inner.extend_from_slice(victim.ed25519_public_key().as_bytes());
    let body = XChaCha20Poly1305::new(&key.into())
        .encrypt(&nonce.into(), inner.as_slice())
        .unwrap();
    let mut ct = vec![0u8];
    ct.extend_from_slice(&body);
    ct.extend_from_slice(&nonce);
    (sender_id, ct)
}

#[test]
fn blinded_dm_hostile() {
    let (alice, bob, mallory) = (person(1), person(2), person(3));
    for kind in [BlindingKind::Blind15, BlindingKind::Blind25] {
        let a_id = alice.blinded_key_pair(kind, &SERVER).blinded_id();
        let b_id = bob.blinded_key_pair(kind, &SERVER).blinded_id();
        let ct = blinded_dm::encrypt(&alice, &SERVER, &b_id, b"hello", &mut rng()).unwrap();
        for i in 1..ct.len() {
            let mut bad = ct.clone();
            bad[i] ^= 0x01;
            assert_eq!(
                blinded_dm::decrypt(&bob, &SERVER, &a_id, &b_id, &bad),
                Err(BlindedDmError::CannotDecrypt),
                "{kind:?} byte {i}"
            );
        }
        let mut bad = ct.clone();
        bad[0] = 1;
        assert_eq!(
            blinded_dm::decrypt(&bob, &SERVER, &a_id, &b_id, &bad),
            Err(BlindedDmError::UnknownVersion(1))
        );
        for len in [0, 1, 72] {
            assert_eq!(
                blinded_dm::decrypt(&bob, &SERVER, &a_id, &b_id, &ct[..len]),
                Err(BlindedDmError::TooShort { len })
            );
        }
        // Wrong reader, wrong server, swapped IDs.
        assert_eq!(
            blinded_dm::decrypt(&mallory, &SERVER, &a_id, &b_id, &ct),
            Err(BlindedDmError::CannotDecrypt)
        );
        let other_server = Ed25519PublicKey::from_bytes(alice.ed25519_public_key().to_bytes());
        // 15 keys do not depend on the server, so the message decrypts, but Alice's key does
        // not blind to `a_id` on another server.
        let expected = match kind {
            BlindingKind::Blind15 => BlindedDmError::SenderMismatch,
            BlindingKind::Blind25 => BlindedDmError::CannotDecrypt,
        };
        assert_eq!(
            blinded_dm::decrypt(&bob, &other_server, &a_id, &b_id, &ct),
            Err(expected)
        );
        assert_eq!(
            blinded_dm::decrypt(&bob, &SERVER, &b_id, &a_id, &ct),
            Err(BlindedDmError::CannotDecrypt)
        );
        // Prefix errors.
        let user = alice.session_id();
        assert_eq!(
            blinded_dm::encrypt(&alice, &SERVER, &user, b"x", &mut rng()),
            Err(BlindedDmError::NotABlindedId(Prefix::User))
        );
        let other_kind = if kind == BlindingKind::Blind15 {
            Prefix::Blinded25
        } else {
            Prefix::Blinded15
        };
        let mixed = SessionId::new(other_kind, *a_id.key_bytes());
        assert_eq!(
            blinded_dm::decrypt(&bob, &SERVER, &mixed, &b_id, &ct),
            Err(BlindedDmError::MixedPrefixes {
                sender: other_kind,
                recipient: kind.prefix()
            })
        );
        // A recipient key that is not a point.
        let not_a_point = SessionId::new(kind.prefix(), [0; 32]);
        assert_eq!(
            blinded_dm::encrypt(&alice, &SERVER, &not_a_point, b"x", &mut rng()),
            Err(BlindedDmError::InvalidBlindedKey(PointError::SmallOrder))
        );
    }
    // Mallory's message claiming Alice's key is refused although it decrypts.
    let b_id = bob.blind15_key_pair(&SERVER).blinded_id();
    let (mallory_id, forged) = blinded_forgery(&mallory, &alice, &b_id);
    assert_eq!(
        blinded_dm::decrypt(&bob, &SERVER, &mallory_id, &b_id, &forged),
        Err(BlindedDmError::SenderMismatch)
    );
    // The same construction with her own key is accepted: the forgery check is what failed.
    let (_, honest) = blinded_forgery(&mallory, &mallory, &b_id);
    let opened = blinded_dm::decrypt(&bob, &SERVER, &mallory_id, &b_id, &honest).unwrap();
    assert_eq!(opened.sender_session_id, mallory.session_id());
    assert_eq!(opened.plaintext, b"trust me");
}

fn text(body: &str) -> Content {
    Content {
        data_message: Some(DataMessage {
            body: Some(body.into()),
            ..DataMessage::default()
        }),
        ..Content::default()
    }
}

#[test]
fn wire_errors() {
    let (alice, bob) = (person(1), person(2));
    let y = bob.x25519_public_key();
    assert_eq!(
        encode(&text("x"), &alice, &y, 0, &mut rng()),
        Err(EncodeError::ZeroTimestamp)
    );
    let stored = encode(&text("x"), &alice, &y, 5, &mut rng()).unwrap();
    assert_eq!(
        decode(&stored, &person(3)).unwrap_err(),
        DecodeError::SessionProtocol(SessionProtocolError::CannotOpen)
    );
    assert_eq!(
        decode(&[0xff, 0xff], &bob).unwrap_err(),
        DecodeError::Malformed(ProtoMessage::WebSocketMessage)
    );
    for len in 0..stored.len() {
        assert!(decode(&stored[..len], &bob).is_err(), "prefix {len}");
    }

    let envelope = unwrap_envelope(&stored).unwrap();
    let rewrap = |f: &dyn Fn(&mut Envelope)| {
        let mut e = envelope.clone();
        f(&mut e);
        decode(&wrap_envelope(&e), &bob).unwrap_err()
    };
    assert_eq!(
        rewrap(&|e| e.timestamp = None),
        DecodeError::MissingField("Envelope.timestamp")
    );
    assert_eq!(
        rewrap(&|e| e.r#type = None),
        DecodeError::MissingField("Envelope.type")
    );
    assert_eq!(
        rewrap(&|e| e.content = None),
        DecodeError::MissingField("Envelope.content")
    );
    assert_eq!(
        rewrap(&|e| e.r#type = Some(7)),
        DecodeError::UnexpectedEnvelopeType(7)
    );

    let mut ws = WebSocketMessage::decode(stored.as_slice()).unwrap();
    ws.r#type = Some(2);
    assert_eq!(
        decode(&ws.encode_to_vec(), &bob).unwrap_err(),
        DecodeError::NotARequest(Some(2))
    );
    ws.r#type = Some(1);
    ws.request.as_mut().unwrap().body = None;
    assert_eq!(
        decode(&ws.encode_to_vec(), &bob).unwrap_err(),
        DecodeError::MissingField("WebSocketRequestMessage.body")
    );
    ws.request.as_mut().unwrap().body = Some(vec![0x0a, 0x05]);
    assert_eq!(
        decode(&ws.encode_to_vec(), &bob).unwrap_err(),
        DecodeError::Malformed(ProtoMessage::Envelope)
    );

    // Padding-free plaintext that is not protobuf; and all-zero plaintext.
    let seal_content = |plaintext: &[u8]| {
        let mut e = envelope.clone();
        e.content = Some(session_protocol::encrypt(&alice, &y, plaintext, &mut rng()).unwrap());
        decode(&wrap_envelope(&e), &bob).unwrap_err()
    };
    assert_eq!(
        seal_content(&[0xff, 0xff, 0xff]),
        DecodeError::Malformed(ProtoMessage::Content)
    );
    assert_eq!(
        seal_content(&[0, 0, 0]),
        DecodeError::Padding(UnpadError::NoContent)
    );

    // Blinded wire errors.
    let b_id = bob.blind25_key_pair(&SERVER).blinded_id();
    let a_id = alice.blind25_key_pair(&SERVER).blinded_id();
    let ct = encode_blinded(&text("x"), &alice, &SERVER, &b_id, &mut rng()).unwrap();
    assert_eq!(
        decode_blinded(&ct[..10], &bob, &SERVER, &a_id, &b_id).unwrap_err(),
        DecodeError::BlindedDm(BlindedDmError::TooShort { len: 10 })
    );
}

#[test]
fn unknown_fields_are_skipped() {
    let mut bytes = text("hello").encode_to_vec();
    // Field 16 (proMessage), field 999 varint, field 14 fixed32: none are modelled.
    bytes.extend_from_slice(&[0x82, 0x01, 0x02, 0x08, 0x01]);
    bytes.extend_from_slice(&[0xb8, 0x3e, 0x05]);
    bytes.extend_from_slice(&[0x75, 1, 2, 3, 4]);
    let content = Content::decode(bytes.as_slice()).unwrap();
    assert_eq!(content, text("hello"));
}

#[test]
fn extras_errors() {
    let nonce = [0u8; 24];
    assert_eq!(
        ons::decrypt("x", &[0; 15], &nonce),
        Err(ExtrasError::TooShort { len: 15, min: 16 })
    );
    assert_eq!(
        ons::decrypt("x", &[0; 49], &nonce),
        Err(ExtrasError::CannotDecrypt)
    );
    assert_eq!(
        push::decrypt_notification(&[0; 39], &[0; 32]),
        Err(ExtrasError::TooShort { len: 39, min: 40 })
    );
    assert_eq!(
        push::decrypt_notification(&[0; 40], &[0; 32]),
        Err(ExtrasError::CannotDecrypt)
    );
    // A valid payload whose plaintext is only zeros is returned unchanged, as libsession does.
    let key = [9u8; 32];
    let nonce = [3u8; 24];
    let ct = XChaCha20Poly1305::new(&key.into())
        .encrypt(&nonce.into(), &[0u8; 4][..])
        .unwrap();
    let payload = [nonce.as_slice(), &ct].concat();
    assert_eq!(push::decrypt_notification(&payload, &key).unwrap(), [0; 4]);
    let ct = XChaCha20Poly1305::new(&key.into())
        .encrypt(&nonce.into(), &b"ab\0c\0\0"[..])
        .unwrap();
    let payload = [nonce.as_slice(), &ct].concat();
    assert_eq!(
        push::decrypt_notification(&payload, &key).unwrap(),
        b"ab\0c"
    );
    assert_eq!(padding::unpad(&[]), Err(UnpadError::NoContent));
}

/// A sealed box whose ephemeral key is `e·B + T`, T of order 8, made and checked with libsodium
/// (PyNaCl 1.6.2): `crypto_box_seal_open` opens it, because X25519 multiplies by the clamped
/// scalar, a multiple of 8, and T vanishes. The same box with the ephemeral key replaced by T
/// alone (small order) is refused by libsodium, and here with the typed error.
#[test]
fn torsion_in_the_ephemeral_key() {
    let alice = Identity::from_seed(Seed::from_full_bytes([0xa1; 32]));
    let bob = Identity::from_seed(Seed::from_full_bytes([0xb0; 32]));
    let sealed = hex::decode(
        "0c90f143316ec04df3cdd751e1a2f3cf6777ef92c545bcbe27f13113c21bea5996a646c66ccde50cc734e817ef\
         dfac3ea59582c98093bb654502c1c14fb1fd2c527e8227f026c7b946da056d168bf0ada23fb31995bf4c7c171e\
         0aac45000dc00228022eba48cfecb8c8dc5baa5c48aa89af9e4144c0cbd0253b409903a5bc0d3a766e672949d4\
         5660128c5534e7a69fa2a2ae6bff4c9683ee1fe946f30c696943237f40cb9241",
    )
    .unwrap();
    let opened = session_protocol::decrypt(&bob, &sealed).unwrap();
    assert_eq!(opened.plaintext, b"torsion is not a secret");
    assert_eq!(opened.sender_session_id, alice.session_id());

    // The ephemeral key is not a multiple of the base point: it has the order-8 component.
    let e: Vec<u8> = (0x20..0x40).collect();
    let honest = X25519SecretKey::from_bytes(e.try_into().unwrap()).public_key();
    assert_ne!(&sealed[..32], honest.as_bytes());

    let order_8 =
        hex::decode("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157").unwrap();
    let mut small = sealed.clone();
    small[..32].copy_from_slice(&order_8);
    assert_eq!(
        session_protocol::decrypt(&bob, &small),
        Err(SessionProtocolError::CannotOpen)
    );
    // Sealing to a small-order recipient key is refused the same way, for every torsion point.
    for torsion in curve25519_dalek::constants::EIGHT_TORSION {
        let key = X25519PublicKey::from_bytes(torsion.to_montgomery().to_bytes());
        assert_eq!(
            session_protocol::encrypt(&alice, &key, b"x", &mut rng()),
            Err(SessionProtocolError::WeakRecipientKey)
        );
        let mut small = sealed.clone();
        small[..32].copy_from_slice(key.as_bytes());
        assert_eq!(
            session_protocol::decrypt(&bob, &small),
            Err(SessionProtocolError::CannotOpen)
        );
    }
}
