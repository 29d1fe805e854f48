//! `03` group messages against the reference (libsession's `encrypt_message` /
//! `decrypt_message`, `tests/data/group_message.json` and `test_group_keys.cpp`), hostile inner
//! dictionaries sealed with a known key, and legacy closed groups.
#![allow(clippy::unwrap_used)]

mod common;

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::XChaCha20Poly1305;
use common::{hex_field, identity, load, Replay};
use prost::Message;
use session_envelope::group::{
    self, EncryptOptions, Field, GroupEncryptionKey, GroupMessageError, MAX_PLAINTEXT_LEN, OVERHEAD,
};
use session_envelope::legacy_group::{self, LegacyGroupControl, LegacyGroupError};
use session_envelope::proto::{
    ClosedGroupControlMessage, ClosedGroupControlMessageType, Content, DataMessage, Envelope,
    EnvelopeType, KeyPair, KeyPairWrapper,
};
use session_envelope::{
    decode_group, encode_group, padding, session_protocol, wrap_envelope, DecodeError,
    LegacyGroupKeyPair, SessionProtocolError,
};
use session_identity::{
    Identity, PointError, Prefix, Seed, SessionId, SignatureError, X25519SecretKey,
};

fn key(record: &serde_json::Value, field: &str) -> GroupEncryptionKey {
    GroupEncryptionKey::from_slice(&hex_field(record, field)).unwrap()
}

fn options(compress: bool, padding: usize) -> EncryptOptions {
    EncryptOptions { compress, padding }
}

/// Deterministic randomness for the round trips.
fn rng() -> rand_chacha::ChaCha20Rng {
    rand_chacha::rand_core::SeedableRng::seed_from_u64(11)
}

#[test]
fn reference_encrypt_records() {
    let records = load("group_message.json");
    let records = records.as_array().unwrap();
    assert_eq!(records.len(), 11);
    let (mut exact, mut encrypted) = (0, 0);
    for r in records
        .iter()
        .filter(|r| r["op"] == "group_encrypt_message")
    {
        encrypted += 1;
        let case = r["case"].as_str().unwrap();
        let sender = identity(r, "sender_ed25519_sk");
        assert_eq!(
            sender.session_id().to_hex(),
            r["sender_session_id"].as_str().unwrap()
        );
        let key = key(r, "group_enc_key");
        let message = hex_field(r, "message");
        let padding = usize::try_from(r["padding"].as_u64().unwrap()).unwrap();
        let compress = r["compress"].as_bool().unwrap();
        let reference = hex_field(r, "ciphertext");

        // Every reference ciphertext opens to the message, from the sender.
        let theirs = group::decrypt([&key], &reference).unwrap();
        assert_eq!(
            theirs.plaintext,
            hex_field(r, "decrypted_plaintext"),
            "{case}"
        );
        assert_eq!(
            theirs.sender_session_id.to_hex(),
            r["decrypted_sender_session_id"].as_str().unwrap()
        );
        assert_eq!(theirs.key_index, 0);

        // Ours, with the reference's nonce: byte for byte the same whenever both left the
        // data uncompressed (the zstd encoders differ, so compressed frames may not).
        let mut replay = Replay::new(hex_field(r, "rng_consumed_nonce"));
        let ours = group::encrypt(
            &key,
            &sender,
            &message,
            options(compress, padding),
            &mut replay,
        )
        .unwrap();
        assert!(replay.is_exhausted() && !replay.is_overdrawn(), "{case}");
        let reopened = group::decrypt([&key], &ours).unwrap();
        assert_eq!(reopened.plaintext, message, "{case}");
        if !compress {
            assert!(!theirs.compressed && !reopened.compressed, "{case}");
        }
        if !theirs.compressed && !reopened.compressed {
            assert_eq!(hex::encode(&ours), hex::encode(&reference), "{case}");
            exact += 1;
        } else if padding > 1 {
            assert_eq!(ours.len() % padding, 0, "{case}");
        }
    }
    assert_eq!(encrypted, 10);
    // The incompressible and uncompressed records (7 of 10) match exactly.
    assert!(exact >= 7, "only {exact} exact");
}

#[test]
fn reference_wrong_key_record() {
    let records = load("group_message.json");
    let r = records
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["op"] == "group_decrypt_message")
        .unwrap();
    let keys: Vec<GroupEncryptionKey> = r["group_enc_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            GroupEncryptionKey::from_slice(&hex::decode(k.as_str().unwrap()).unwrap()).unwrap()
        })
        .collect();
    assert!(r["expected_error"].is_string());
    assert_eq!(
        group::decrypt(&keys, &hex_field(r, "ciphertext")),
        Err(GroupMessageError::NoKey)
    );
    assert_eq!(
        group::decrypt([], &hex_field(r, "ciphertext")),
        Err(GroupMessageError::NoKey)
    );
}

/// `test_group_keys.cpp`: 51 bytes doubled five times encrypt to 2048 bytes uncompressed and
/// far fewer compressed (256 with libzstd; the pure-Rust encoder's frame is a few bytes longer
/// and lands in the next 256-byte bucket); a flipped bit in the last byte is refused.
#[test]
fn reference_sizes_and_tamper() {
    let mut message = b"hello to all my friends sitting in the tomato sauce".to_vec();
    for _ in 0..5 {
        message.extend_from_slice(&message.clone());
    }
    assert_eq!(message.len(), 1632);
    let sender = Identity::from_seed(Seed::from_full_bytes([5; 32]));
    let key = GroupEncryptionKey::from_bytes([9; 32]);
    let compressed = group::encrypt(
        &key,
        &sender,
        &message,
        EncryptOptions::default(),
        &mut rng(),
    )
    .unwrap();
    assert!(compressed.len() <= 512, "{}", compressed.len());
    let uncompressed =
        group::encrypt(&key, &sender, &message, options(false, 256), &mut rng()).unwrap();
    assert_eq!(uncompressed.len(), 2048);
    for ct in [&compressed, &uncompressed] {
        let opened = group::decrypt([&key], ct).unwrap();
        assert_eq!(opened.plaintext, message);
        assert_eq!(opened.sender_session_id, sender.session_id());
        assert_eq!(opened.sender_ed25519, sender.ed25519_public_key());
        let mut bad = ct.clone();
        *bad.last_mut().unwrap() ^= 0b100;
        assert_eq!(group::decrypt([&key], &bad), Err(GroupMessageError::NoKey));
    }
    assert!(group::decrypt([&key], &compressed).unwrap().compressed);
    assert!(!group::decrypt([&key], &uncompressed).unwrap().compressed);
}

#[test]
fn keys_are_tried_in_order() {
    let sender = Identity::from_seed(Seed::from_full_bytes([1; 32]));
    let keys: Vec<GroupEncryptionKey> = (0..4)
        .map(|i| GroupEncryptionKey::from_bytes([i; 32]))
        .collect();
    let ct = group::encrypt(
        &keys[2],
        &sender,
        b"gen 2",
        EncryptOptions::default(),
        &mut rng(),
    )
    .unwrap();
    assert_eq!(group::decrypt(&keys, &ct).unwrap().key_index, 2);
    assert_eq!(group::decrypt(keys.iter().rev(), &ct).unwrap().key_index, 1);
    assert_eq!(
        group::decrypt([&keys[0], &keys[1], &keys[3]], &ct),
        Err(GroupMessageError::NoKey)
    );
}

#[test]
fn tampering_and_truncation() {
    let sender = Identity::from_seed(Seed::from_full_bytes([2; 32]));
    let key = GroupEncryptionKey::from_bytes([3; 32]);
    let ct = group::encrypt(&key, &sender, b"tamper me", options(false, 0), &mut rng()).unwrap();
    for i in 0..ct.len() {
        let mut bad = ct.clone();
        bad[i] ^= 0x40;
        assert_eq!(
            group::decrypt([&key], &bad),
            Err(GroupMessageError::NoKey),
            "{i}"
        );
    }
    for len in 0..ct.len() {
        let expected = if len < OVERHEAD {
            GroupMessageError::TooShort { len }
        } else {
            GroupMessageError::NoKey
        };
        assert_eq!(group::decrypt([&key], &ct[..len]), Err(expected), "{len}");
    }
    let mut longer = ct.clone();
    longer.push(0);
    assert_eq!(
        group::decrypt([&key], &longer),
        Err(GroupMessageError::NoKey)
    );
}

#[test]
fn size_limits() {
    let sender = Identity::from_seed(Seed::from_full_bytes([4; 32]));
    let key = GroupEncryptionKey::from_bytes([4; 32]);
    let big = vec![0x61; MAX_PLAINTEXT_LEN + 1];
    assert_eq!(
        group::encrypt(&key, &sender, &big, EncryptOptions::default(), &mut rng()),
        Err(GroupMessageError::TooLarge {
            len: MAX_PLAINTEXT_LEN + 1
        })
    );
    let ct = group::encrypt(
        &key,
        &sender,
        &big[..MAX_PLAINTEXT_LEN],
        EncryptOptions::default(),
        &mut rng(),
    )
    .unwrap();
    let opened = group::decrypt([&key], &ct).unwrap();
    assert!(opened.compressed);
    assert_eq!(opened.plaintext.len(), MAX_PLAINTEXT_LEN);

    // An empty message encrypts, but its data is empty, which decryption refuses.
    let empty = group::encrypt(&key, &sender, b"", EncryptOptions::default(), &mut rng()).unwrap();
    assert_eq!(empty.len(), 256);
    assert_eq!(
        group::decrypt([&key], &empty),
        Err(GroupMessageError::EmptyData)
    );
}

// ---- hostile inner dictionaries, sealed with a known key ----

const NONCE: [u8; 24] = [0x24; 24];

fn test_key() -> GroupEncryptionKey {
    GroupEncryptionKey::from_bytes([0x77; 32])
}

/// Encrypts arbitrary inner bytes as a group message.
fn seal(inner: &[u8]) -> Vec<u8> {
    let cipher = XChaCha20Poly1305::new(test_key().expose_secret_bytes().into());
    let ct = cipher.encrypt((&NONCE).into(), inner).unwrap();
    [&NONCE[..], &ct].concat()
}

fn open(inner: &[u8]) -> Result<group::GroupMessage, GroupMessageError> {
    group::decrypt([&test_key()], &seal(inner))
}

fn author() -> Identity {
    Identity::from_seed(Seed::from_full_bytes([0x31; 32]))
}

fn bt(bytes: &[u8]) -> Vec<u8> {
    [format!("{}:", bytes.len()).as_bytes(), bytes].concat()
}

/// `d 0: <version> 1:a <a> [extra] [1:d <d>] 1:s <s> [1:z <z>] e`, with the given raw pieces.
struct Inner {
    version: Vec<u8>,
    a: Option<Vec<u8>>,
    d: Option<Vec<u8>>,
    s: Option<Vec<u8>>,
    z: Option<Vec<u8>>,
    extra: Vec<u8>,
}

impl Inner {
    /// A valid uncompressed message.
    fn plain(data: &[u8]) -> Self {
        Self {
            version: b"i1e".to_vec(),
            a: Some(author().ed25519_public_key().as_bytes().to_vec()),
            d: Some(data.to_vec()),
            s: Some(author().sign(data).as_bytes().to_vec()),
            z: None,
            extra: Vec::new(),
        }
    }

    /// A valid compressed message carrying `frame`.
    fn compressed(frame: &[u8]) -> Self {
        Self {
            d: None,
            z: Some(frame.to_vec()),
            s: Some(author().sign(frame).as_bytes().to_vec()),
            ..Self::plain(b"")
        }
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = b"d0:".to_vec();
        out.extend_from_slice(&self.version);
        if let Some(a) = &self.a {
            out.extend_from_slice(b"1:a");
            out.extend_from_slice(&bt(a));
        }
        out.extend_from_slice(&self.extra);
        if let Some(d) = &self.d {
            out.extend_from_slice(b"1:d");
            out.extend_from_slice(&bt(d));
        }
        if let Some(s) = &self.s {
            out.extend_from_slice(b"1:s");
            out.extend_from_slice(&bt(s));
        }
        if let Some(z) = &self.z {
            out.extend_from_slice(b"1:z");
            out.extend_from_slice(&bt(z));
        }
        out.push(b'e');
        out
    }
}

#[test]
fn hostile_dictionaries() {
    // The well-formed baseline, with and without zero padding.
    let good = Inner::plain(b"payload").encode();
    assert_eq!(open(&good).unwrap().plaintext, b"payload");
    assert_eq!(
        open(&[&good[..], &[0; 100]].concat())
            .unwrap()
            .sender_session_id,
        author().session_id()
    );

    let cases: Vec<(Vec<u8>, GroupMessageError)> = vec![
        (b"".to_vec(), GroupMessageError::NotADict),
        (vec![0; 64], GroupMessageError::NotADict),
        (b"le".to_vec(), GroupMessageError::NotADict),
        ([&good[..], b"x"].concat(), GroupMessageError::NotADict),
        (b"de".to_vec(), GroupMessageError::MissingVersion),
        (
            Inner {
                version: b"i2e".to_vec(),
                ..Inner::plain(b"x")
            }
            .encode(),
            GroupMessageError::UnsupportedVersion(2i64.into()),
        ),
        (
            Inner {
                a: None,
                ..Inner::plain(b"x")
            }
            .encode(),
            GroupMessageError::MissingField(Field::Author),
        ),
        (
            Inner {
                a: Some(vec![1; 31]),
                ..Inner::plain(b"x")
            }
            .encode(),
            GroupMessageError::FieldLength {
                field: Field::Author,
                len: 31,
            },
        ),
        (
            Inner {
                s: None,
                ..Inner::plain(b"x")
            }
            .encode(),
            GroupMessageError::MissingField(Field::Signature),
        ),
        (
            Inner {
                s: Some(vec![1; 63]),
                ..Inner::plain(b"x")
            }
            .encode(),
            GroupMessageError::FieldLength {
                field: Field::Signature,
                len: 63,
            },
        ),
        (
            Inner {
                d: None,
                ..Inner::plain(b"x")
            }
            .encode(),
            GroupMessageError::MissingField(Field::Data),
        ),
        (
            Inner {
                z: Some(b"x".to_vec()),
                ..Inner::plain(b"x")
            }
            .encode(),
            GroupMessageError::BothDataForms,
        ),
        (Inner::plain(b"").encode(), GroupMessageError::EmptyData),
        (
            Inner::compressed(b"").encode(),
            GroupMessageError::EmptyData,
        ),
        (
            Inner {
                s: Some(author().sign(b"other").as_bytes().to_vec()),
                ..Inner::plain(b"x")
            }
            .encode(),
            GroupMessageError::BadSignature(session_identity::SignatureError::Mismatch),
        ),
        (
            Inner::compressed(b"not zstd at all").encode(),
            GroupMessageError::BadCompression,
        ),
        // Keys out of order, duplicated, or trailing bytes: not bt-encoding.
        (
            Inner {
                extra: b"1:b0:1:a0:".to_vec(),
                ..Inner::plain(b"x")
            }
            .encode(),
            GroupMessageError::Malformed(session_bencode::Error::KeyNotAscending { at: 49 }),
        ),
    ];
    for (i, (inner, expected)) in cases.into_iter().enumerate() {
        assert_eq!(open(&inner).map(|m| m.plaintext), Err(expected), "case {i}");
    }

    // A version that is not an integer is malformed.
    assert!(matches!(
        open(
            &Inner {
                version: b"1:1".to_vec(),
                ..Inner::plain(b"x")
            }
            .encode()
        ),
        Err(GroupMessageError::Malformed(_))
    ));
    // A small-order sender key cannot be a Session ID.
    let mut small = Inner::plain(b"x");
    small.a = Some({
        let mut k = vec![0; 32];
        k[0] = 1;
        k
    });
    assert!(matches!(
        open(&small.encode()),
        Err(GroupMessageError::BadSenderKey(PointError::SmallOrder))
    ));
    // Unknown entries are skipped; oxenc's leading-zero spellings are read as libsession does.
    let extra = Inner {
        extra: b"1:b3:new".to_vec(),
        version: b"i01e".to_vec(),
        ..Inner::plain(b"x")
    };
    assert_eq!(open(&extra.encode()).unwrap().plaintext, b"x");
    // Something after the dictionary that ends in `e` is still refused.
    let mut doubled = good.clone();
    doubled.extend_from_slice(b"de");
    assert!(matches!(
        open(&doubled),
        Err(GroupMessageError::Malformed(_))
    ));
}

/// A zstd frame declaring and holding `n` zero bytes, compressed with the pure-Rust encoder.
fn zeros_frame(n: usize) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(
        &vec![0u8; n][..],
        ruzstd::encoding::CompressionLevel::Fastest,
    )
}

#[test]
fn decompression_is_bounded() {
    let at_limit = zeros_frame(MAX_PLAINTEXT_LEN);
    assert!(at_limit.len() < 1000);
    let opened = open(&Inner::compressed(&at_limit).encode()).unwrap();
    assert_eq!(opened.plaintext.len(), MAX_PLAINTEXT_LEN);
    assert!(opened.compressed);

    let bomb = zeros_frame(MAX_PLAINTEXT_LEN + 1);
    assert_eq!(
        open(&Inner::compressed(&bomb).encode()),
        Err(GroupMessageError::DecompressionLimit)
    );
    // Two frames that together exceed the limit.
    let half = zeros_frame(MAX_PLAINTEXT_LEN / 2 + 1);
    assert_eq!(
        open(&Inner::compressed(&[half.clone(), half].concat()).encode()),
        Err(GroupMessageError::DecompressionLimit)
    );
    // A far bigger claim is refused as quickly.
    let huge = zeros_frame(64 * 1024 * 1024);
    assert_eq!(
        open(&Inner::compressed(&huge).encode()),
        Err(GroupMessageError::DecompressionLimit)
    );
}

#[test]
fn group_content_round_trip() {
    let sender = Identity::from_seed(Seed::from_full_bytes([8; 32]));
    let (old, current) = (
        GroupEncryptionKey::from_bytes([1; 32]),
        GroupEncryptionKey::from_bytes([2; 32]),
    );
    let content = Content {
        data_message: Some(DataMessage {
            body: Some("hi group".into()),
            ..DataMessage::default()
        }),
        ..Content::default()
    };
    let stored = encode_group(&content, &sender, &current, 1_700_000_000_123, &mut rng()).unwrap();
    assert_eq!(stored.len() % 256, 0);
    let decoded = decode_group(&stored, [&current, &old]).unwrap();
    assert_eq!(decoded.content, content);
    assert_eq!(decoded.sender_session_id, sender.session_id());
    assert_eq!(decoded.sent_timestamp_ms, 1_700_000_000_123);
    assert_eq!(decoded.key_index, 0);
    assert!(matches!(
        decode_group(&stored, [&old]),
        Err(DecodeError::Group(GroupMessageError::NoKey))
    ));

    // Padded content (as one-to-one messages carry it) is read too; a one-to-one envelope type
    // or a missing timestamp is refused.
    let envelope = |kind: EnvelopeType, timestamp: Option<u64>, body: Vec<u8>| {
        let e = Envelope {
            r#type: Some(kind as i32),
            timestamp,
            content: Some(body),
            ..Envelope::default()
        };
        group::encrypt(
            &current,
            &sender,
            &e.encode_to_vec(),
            EncryptOptions::default(),
            &mut rng(),
        )
        .unwrap()
    };
    let padded = envelope(
        EnvelopeType::ClosedGroupMessage,
        Some(5),
        padding::pad(&content.encode_to_vec()),
    );
    assert_eq!(decode_group(&padded, [&current]).unwrap().content, content);
    let one_to_one = envelope(
        EnvelopeType::SessionMessage,
        Some(5),
        content.encode_to_vec(),
    );
    assert!(matches!(
        decode_group(&one_to_one, [&current]),
        Err(DecodeError::UnexpectedEnvelopeType(6))
    ));
    let untimed = envelope(
        EnvelopeType::ClosedGroupMessage,
        None,
        content.encode_to_vec(),
    );
    assert!(matches!(
        decode_group(&untimed, [&current]),
        Err(DecodeError::MissingField("Envelope.timestamp"))
    ));
    let not_proto =
        group::encrypt(&current, &sender, &[0xff; 9], options(false, 0), &mut rng()).unwrap();
    assert!(matches!(
        decode_group(&not_proto, [&current]),
        Err(DecodeError::Malformed(_))
    ));
}

// ---- legacy closed groups ----

fn legacy_pair(byte: u8) -> LegacyGroupKeyPair {
    LegacyGroupKeyPair::from_secret(X25519SecretKey::from_bytes([byte; 32]))
}

fn legacy_group_id() -> SessionId {
    SessionId::new(Prefix::User, [0x55; 32])
}

/// What a legacy client stores in the group's swarm.
fn legacy_stored(
    sender: &Identity,
    pair: &LegacyGroupKeyPair,
    content: &Content,
    source: &str,
) -> Vec<u8> {
    let padded = padding::pad_legacy(&content.encode_to_vec());
    let ciphertext =
        session_protocol::encrypt(sender, pair.public_key(), &padded, &mut rng()).unwrap();
    wrap_envelope(&Envelope {
        r#type: Some(EnvelopeType::ClosedGroupMessage as i32),
        source: Some(source.as_bytes().to_vec()),
        timestamp: Some(1_600_000_000_000),
        content: Some(ciphertext),
        ..Envelope::default()
    })
}

#[test]
fn legacy_group_messages() {
    let sender = Identity::from_seed(Seed::from_legacy_bytes([6; 16]));
    let (old, current, other) = (legacy_pair(1), legacy_pair(2), legacy_pair(3));
    let content = Content {
        data_message: Some(DataMessage {
            body: Some("legacy hello".into()),
            ..DataMessage::default()
        }),
        ..Content::default()
    };
    let group_id = legacy_group_id();
    let stored = legacy_stored(&sender, &old, &content, &group_id.to_hex());

    let decoded = legacy_group::decode(&stored, &group_id, [&current, &old]).unwrap();
    assert_eq!(decoded.content, content);
    assert_eq!(decoded.sender_session_id, sender.session_id());
    assert_eq!(decoded.sent_timestamp_ms, 1_600_000_000_000);
    assert_eq!(decoded.group_id, group_id);
    assert_eq!(decoded.key_index, 1);

    assert!(matches!(
        legacy_group::decode(&stored, &group_id, [&current, &other]),
        Err(DecodeError::LegacyGroup(LegacyGroupError::NoKeyPair))
    ));
    assert!(matches!(
        legacy_group::decode(&stored, &SessionId::new(Prefix::User, [0x56; 32]), [&old]),
        Err(DecodeError::WrongGroup)
    ));
    let unsourced = legacy_stored(&sender, &old, &content, "");
    assert!(matches!(
        legacy_group::decode(&unsourced, &group_id, [&old]),
        Err(DecodeError::WrongGroup)
    ));

    // The raw layer: a flipped byte opens with no key pair; a short input is refused as such.
    let envelope = session_envelope::unwrap_envelope(&stored).unwrap();
    let mut ct = envelope.content.unwrap();
    let (message, index) = legacy_group::decrypt([&old], &ct).unwrap();
    assert_eq!(index, 0);
    assert_eq!(message.sender_session_id, sender.session_id());
    ct[60] ^= 1;
    assert_eq!(
        legacy_group::decrypt([&current, &old], &ct).map(|(_, i)| i),
        Err(LegacyGroupError::NoKeyPair)
    );
    assert_eq!(
        legacy_group::decrypt([&old], &ct[..100]).map(|(_, i)| i),
        Err(LegacyGroupError::SessionProtocol(
            SessionProtocolError::TooShort { len: 100 }
        ))
    );
}

#[test]
fn legacy_key_pairs() {
    let pair = legacy_pair(9);
    let proto = KeyPair {
        public_key: Some(pair.public_key().as_bytes().to_vec()),
        private_key: Some(pair.secret_key().expose_secret_bytes().to_vec()),
    };
    assert_eq!(LegacyGroupKeyPair::from_proto(&proto).unwrap(), pair);
    let prefixed = KeyPair {
        public_key: Some([&[5u8][..], pair.public_key().as_bytes()].concat()),
        ..proto.clone()
    };
    assert_eq!(LegacyGroupKeyPair::from_proto(&prefixed).unwrap(), pair);
    let wrong = KeyPair {
        public_key: Some(legacy_pair(8).public_key().as_bytes().to_vec()),
        ..proto.clone()
    };
    assert_eq!(
        LegacyGroupKeyPair::from_proto(&wrong),
        Err(LegacyGroupError::MismatchedKeyPair)
    );
    let short = KeyPair {
        private_key: Some(vec![1; 31]),
        ..proto.clone()
    };
    assert_eq!(
        LegacyGroupKeyPair::from_proto(&short),
        Err(LegacyGroupError::BadKeyPair)
    );
    // Debug shows the public key only.
    let debug = format!("{pair:?} {proto:?}");
    let secret_hex = hex::encode(pair.secret_key().expose_secret_bytes());
    assert!(!debug.contains(&secret_hex));
    assert!(!debug.contains("[9, 9, 9"));
    assert!(debug.contains("<redacted>"));
}

#[test]
fn legacy_control_messages() {
    let admin = Identity::from_seed(Seed::from_legacy_bytes([1; 16]));
    let member = Identity::from_seed(Seed::from_legacy_bytes([2; 16]));
    let outsider = Identity::from_seed(Seed::from_legacy_bytes([3; 16]));
    let pair = legacy_pair(4);
    let group_id = legacy_group_id();
    let id_bytes = |id: SessionId| id.to_bytes().to_vec();

    let new = ClosedGroupControlMessage {
        r#type: Some(ClosedGroupControlMessageType::New as i32),
        public_key: Some(id_bytes(group_id)),
        name: Some("old friends".into()),
        encryption_key_pair: Some(KeyPair {
            public_key: Some(pair.public_key().as_bytes().to_vec()),
            private_key: Some(pair.secret_key().expose_secret_bytes().to_vec()),
        }),
        members: vec![id_bytes(admin.session_id()), id_bytes(member.session_id())],
        admins: vec![id_bytes(admin.session_id())],
        wrappers: vec![],
        expiration_timer: Some(60),
    };
    // It travels inside a DataMessage; the field survives a round trip.
    let content = Content {
        data_message: Some(DataMessage {
            closed_group_control_message: Some(new.clone()),
            ..DataMessage::default()
        }),
        ..Content::default()
    };
    let parsed_back = Content::decode(content.encode_to_vec().as_slice()).unwrap();
    assert_eq!(parsed_back, content);
    assert_eq!(
        legacy_group::parse_control(&new).unwrap(),
        LegacyGroupControl::New {
            group_id,
            name: "old friends".into(),
            key_pair: pair.clone(),
            members: vec![admin.session_id(), member.session_id()],
            admins: vec![admin.session_id()],
            expiration_timer: 60,
        }
    );
    let bad_member = ClosedGroupControlMessage {
        members: vec![vec![5; 32]],
        ..new.clone()
    };
    assert_eq!(
        legacy_group::parse_control(&bad_member),
        Err(LegacyGroupError::BadSessionId)
    );
    let nameless = ClosedGroupControlMessage {
        name: None,
        ..new.clone()
    };
    assert_eq!(
        legacy_group::parse_control(&nameless),
        Err(LegacyGroupError::MissingField("name"))
    );
    let unknown = ClosedGroupControlMessage {
        r#type: Some(2),
        ..new.clone()
    };
    assert_eq!(
        legacy_group::parse_control(&unknown),
        Err(LegacyGroupError::UnknownControlType(Some(2)))
    );

    // A key rotation: the admin seals the new pair to each member.
    let new_pair = legacy_pair(5);
    let serialized = KeyPair {
        public_key: Some(new_pair.public_key().as_bytes().to_vec()),
        private_key: Some(new_pair.secret_key().expose_secret_bytes().to_vec()),
    }
    .encode_to_vec();
    let wrap = |to: &Identity, prefixed: bool| KeyPairWrapper {
        public_key: Some(if prefixed {
            id_bytes(to.session_id())
        } else {
            to.x25519_public_key().as_bytes().to_vec()
        }),
        encrypted_key_pair: Some(
            session_protocol::encrypt(&admin, &to.x25519_public_key(), &serialized, &mut rng())
                .unwrap(),
        ),
    };
    let rotation = ClosedGroupControlMessage {
        r#type: Some(ClosedGroupControlMessageType::EncryptionKeyPair as i32),
        wrappers: vec![wrap(&admin, true), wrap(&member, false)],
        ..ClosedGroupControlMessage::default()
    };
    assert_eq!(
        legacy_group::parse_control(&rotation).unwrap(),
        LegacyGroupControl::EncryptionKeyPair {
            group_id: None,
            wrappers: 2
        }
    );
    for own in [&admin, &member] {
        let (opened, sealer) = legacy_group::open_key_pair(&rotation, own).unwrap();
        assert_eq!(opened, new_pair);
        assert_eq!(sealer, admin.session_id());
    }
    assert_eq!(
        legacy_group::open_key_pair(&rotation, &outsider).map(|(_, s)| s),
        Err(LegacyGroupError::NotForUs)
    );
    let misaddressed = ClosedGroupControlMessage {
        wrappers: vec![KeyPairWrapper {
            public_key: Some(id_bytes(outsider.session_id())),
            ..wrap(&member, true)
        }],
        ..rotation.clone()
    };
    assert!(matches!(
        legacy_group::open_key_pair(&misaddressed, &outsider),
        Err(LegacyGroupError::Wrapper(SessionProtocolError::CannotOpen))
    ));
    assert_eq!(
        legacy_group::open_key_pair(&new, &member).map(|(_, s)| s),
        Err(LegacyGroupError::UnknownControlType(Some(1)))
    );
}

#[test]
fn padding_is_bounded() {
    let sender = Identity::from_seed(Seed::from_full_bytes([4; 32]));
    let key = GroupEncryptionKey::from_bytes([4; 32]);
    assert_eq!(
        group::encrypt(&key, &sender, b"x", options(false, usize::MAX), &mut rng()),
        Err(GroupMessageError::PaddingTooLarge {
            padding: usize::MAX
        })
    );
    let ct = group::encrypt(
        &key,
        &sender,
        b"x",
        options(false, group::MAX_PADDING),
        &mut rng(),
    )
    .unwrap();
    assert_eq!(ct.len(), group::MAX_PADDING);
    assert_eq!(group::decrypt([&key], &ct).unwrap().plaintext, b"x");
}

/// A poll decrypted as one batch gives, message by message, what decrypting each alone gives.
#[test]
fn batch_decryption_matches_one_by_one() {
    let other = Identity::from_seed(Seed::from_full_bytes([0x32; 32]));
    let mut signed_by_other = Inner::plain(b"from another member");
    signed_by_other.a = Some(other.ed25519_public_key().as_bytes().to_vec());
    signed_by_other.s = Some(other.sign(b"from another member").as_bytes().to_vec());
    let mut forged = Inner::plain(b"forged");
    forged.s = Some(author().sign(b"something else").as_bytes().to_vec());
    let mut small_order_key = Inner::plain(b"x");
    small_order_key.a = Some({
        let mut k = vec![0; 32];
        k[0] = 1;
        k
    });
    let mut wrong_version = Inner::plain(b"x");
    wrong_version.version = b"i2e".to_vec();
    let wrong_key = {
        let cipher = XChaCha20Poly1305::new((&[0x78; 32]).into());
        let ct = cipher
            .encrypt((&NONCE).into(), &Inner::plain(b"y").encode()[..])
            .unwrap();
        [&NONCE[..], &ct].concat()
    };

    let mut poll: Vec<Vec<u8>> = Vec::new();
    for i in 0..20 {
        poll.push(seal(
            &Inner::plain(format!("message {i}").as_bytes()).encode(),
        ));
        poll.push(seal(&signed_by_other.encode()));
    }
    poll.push(seal(&Inner::compressed(&zeros_frame(5000)).encode()));
    poll.push(seal(&forged.encode()));
    poll.push(seal(&small_order_key.encode()));
    poll.push(seal(&wrong_version.encode()));
    poll.push(wrong_key);
    poll.push(vec![0; 10]);
    poll.push(seal(&Inner::plain(b"last").encode()));

    let refs: Vec<&[u8]> = poll.iter().map(Vec::as_slice).collect();
    let key = test_key();
    let batch = group::decrypt_batch([&key], &refs);
    assert_eq!(batch.len(), poll.len());
    let mut failures = 0;
    for (i, (ct, verdict)) in poll.iter().zip(&batch).enumerate() {
        let alone = group::decrypt([&key], ct);
        failures += usize::from(alone.is_err());
        assert_eq!(*verdict, alone, "message {i}");
    }
    assert_eq!(failures, 5);
    assert_eq!(
        batch[poll.len() - 6],
        Err(GroupMessageError::BadSignature(SignatureError::Mismatch))
    );
    assert!(group::decrypt_batch([&key], &[]).is_empty());
}
