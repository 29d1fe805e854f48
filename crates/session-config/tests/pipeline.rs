//! The push and receive byte pipeline against libsession's vectors: encryption and padding
//! (`test_encrypt.cpp` and the generated `config_encrypt` records), zstd frames
//! (`test_compression.cpp`), the protobuf wrapper (`test_proto.cpp`) and the user-profile
//! pushes, dumps and two-device conflict of `test_config_userprofile.cpp`.
#![allow(clippy::unwrap_used)]

use serde_json::Value as Json;
use session_config::{
    compress, decompress, decrypt, encrypt, pad, padded_size, unwrap, wrap, Config, ConfigMessage,
    EncryptError, ProfileError, ProfilePic, SyncState, UnwrapError, UserKind, UserProfile,
    ENCRYPTION_OVERHEAD, MAX_DECOMPRESSED_SIZE,
};
use session_identity::Identity;

const REFERENCE: &str = include_str!("data/config_encrypt_reference.json");
const GENERATED: &str = include_str!("data/config_encrypt_generated.json");
const COMPRESSION: &str = include_str!("data/compression.json");
const PROFILE: &str = include_str!("data/user_profile.json");
const PROTO: &str = include_str!("data/proto.json");

fn json(text: &str) -> Json {
    serde_json::from_str(text).unwrap()
}

fn bytes(v: &Json) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

fn key32(v: &Json) -> [u8; 32] {
    bytes(v).try_into().unwrap()
}

fn identity(v: &Json) -> Identity {
    Identity::from_secret_bytes(&bytes(v)).unwrap()
}

#[test]
fn reference_encryption_and_padding() {
    let vectors = json(REFERENCE);
    let vectors = vectors["vectors"].as_array().unwrap();
    let enc = &vectors[0];
    let key = key32(&enc["key"]);
    let message = enc["message_utf8"].as_str().unwrap().as_bytes();
    let sealed = encrypt(message, &key, "test-suite1").unwrap();
    assert_eq!(hex::encode(&sealed), enc["ciphertext"].as_str().unwrap());
    assert_eq!(
        hex::encode(&sealed[sealed.len() - 24..]),
        enc["nonce_suffix"].as_str().unwrap()
    );
    let other_domain = encrypt(message, &key, "test-suite2").unwrap();
    assert_eq!(
        hex::encode(&other_domain[other_domain.len() - 24..]),
        "277e639d36ba46470dfff509a68cb73d9a96386c51739bdd"
    );
    let other_key: [u8; 32] =
        hex::decode("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
            .unwrap()
            .try_into()
            .unwrap();
    let third = encrypt(message, &other_key, "test-suite1").unwrap();
    assert_ne!(third, sealed);
    assert_eq!(third[third.len() - 24..], sealed[sealed.len() - 24..]);
    assert_eq!(decrypt(&sealed, &key, "test-suite1").unwrap(), message);
    assert_eq!(
        decrypt(&sealed, &key, "test-suite2"),
        Err(EncryptError::Authentication)
    );
    assert_eq!(
        decrypt(&sealed, &other_key, "test-suite1"),
        Err(EncryptError::Authentication)
    );
    let mut tampered = sealed.clone();
    tampered[3] = 0x42;
    assert!(decrypt(&tampered, &key, "test-suite1").is_err());

    let cases = vectors[1]["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 24);
    for case in cases {
        let size = case["size"].as_u64().unwrap() as usize;
        let overhead = case["overhead"].as_u64().unwrap() as usize;
        assert_eq!(
            padded_size(size, overhead) as u64,
            case["padded"].as_u64().unwrap(),
            "{case}"
        );
    }
}

#[test]
fn generated_encryption_records() {
    let records = json(GENERATED);
    let records = records.as_array().unwrap();
    let (mut encrypted, mut refused) = (0, 0);
    for r in records {
        let key = key32(&r["key_base"]);
        let domain = r["domain"].as_str().unwrap();
        match r["op"].as_str().unwrap() {
            "config_encrypt" => {
                let message = bytes(&r["message"]);
                let padded = if r["pad"].as_bool().unwrap() {
                    pad(&message)
                } else {
                    message.clone()
                };
                assert_eq!(padded, bytes(&r["padded_message"]), "{}", r["case"]);
                assert_eq!(padded.len() as u64, r["padded_size"].as_u64().unwrap());
                let sealed = encrypt(&padded, &key, domain).unwrap();
                assert_eq!(sealed, bytes(&r["ciphertext"]), "{}", r["case"]);
                assert_eq!(
                    decrypt(&sealed, &key, domain).unwrap(),
                    bytes(&r["decrypted"])
                );
                encrypted += 1;
            }
            "config_decrypt" => {
                let ciphertext = bytes(&r["ciphertext"]);
                assert!(r["plaintext"].is_null());
                let error = decrypt(&ciphertext, &key, domain).unwrap_err();
                match ciphertext.len() {
                    0..=39 => assert_eq!(
                        error,
                        EncryptError::TooShort {
                            len: ciphertext.len()
                        }
                    ),
                    _ => assert_eq!(error, EncryptError::Authentication),
                }
                refused += 1;
            }
            other => panic!("unknown op {other}"),
        }
    }
    assert_eq!((encrypted, refused), (11, 5));
}

#[test]
fn encryption_edges() {
    let key = [9u8; 32];
    assert_eq!(
        encrypt(b"x", &key, ""),
        Err(EncryptError::DomainLength { len: 0 })
    );
    assert_eq!(
        encrypt(b"x", &key, &"d".repeat(25)),
        Err(EncryptError::DomainLength { len: 25 })
    );
    assert!(encrypt(b"x", &key, &"d".repeat(24)).is_ok());
    let empty = encrypt(b"", &key, "UserProfile").unwrap();
    assert_eq!(empty.len(), ENCRYPTION_OVERHEAD);
    assert_eq!(decrypt(&empty, &key, "UserProfile").unwrap(), b"");
    assert_eq!(
        decrypt(&empty[1..], &key, "UserProfile"),
        Err(EncryptError::TooShort { len: 39 })
    );
}

#[test]
fn reference_zstd_frames_decompress() {
    let v = json(COMPRESSION);
    for frame in v["frames"].as_array().unwrap() {
        let compressed = bytes(&frame["compressed"]);
        assert_eq!(compressed[0], b'z');
        let plaintext = bytes(&frame["plaintext"]);
        assert_eq!(
            decompress(&compressed[1..], MAX_DECOMPRESSED_SIZE).unwrap(),
            plaintext,
            "{}",
            frame["case"]
        );
        // Our own compression reads back too, and is used only when shorter.
        let ours = compress(&plaintext);
        if ours[0] == b'z' {
            assert!(ours.len() < plaintext.len());
            assert_eq!(
                decompress(&ours[1..], MAX_DECOMPRESSED_SIZE).unwrap(),
                plaintext
            );
        } else {
            assert_eq!(ours, plaintext);
        }
        // Truncated or corrupted frames are refused.
        assert!(decompress(&compressed[1..compressed.len() - 1], MAX_DECOMPRESSED_SIZE).is_err());
        assert!(decompress(&compressed[1..4], MAX_DECOMPRESSED_SIZE).is_err());
        assert!(decompress(&compressed[1..], plaintext.len() - 1).is_err());
    }
    let incompressible = bytes(&v["incompressible"]);
    assert_eq!(incompressible.len(), 142);
    let ours = compress(&incompressible);
    assert!(ours == incompressible || ours.len() < incompressible.len());
    assert!(decompress(b"", 100).is_err());
}

#[test]
fn protobuf_wrapping() {
    let v = json(PROTO);
    let old = identity(&v["seed"]);
    let inner = unwrap(&old, UserKind::UserProfile, &bytes(&v["old_config"])).unwrap();
    assert!(!inner.is_empty());

    let account = identity(&v["wrap_seed"]);
    let message = v["wrap_message_utf8"].as_str().unwrap().as_bytes();
    for kind in UserKind::ALL {
        let wrapped = wrap(&account, kind, 1, message).unwrap();
        assert_ne!(wrapped, message);
        assert_eq!(unwrap(&account, kind, &wrapped).unwrap(), message);
        for other in UserKind::ALL.into_iter().filter(|&o| o != kind) {
            assert_eq!(
                unwrap(&account, other, &wrapped),
                Err(UnwrapError::WrongKind(other))
            );
        }
        assert!(unwrap(&old, kind, &wrapped).is_err());
    }
    let wrapped = wrap(&account, UserKind::UserProfile, 1, message).unwrap();
    let insert = v["corrupting_insert_utf8"].as_str().unwrap().as_bytes();
    for at in [0, wrapped.len() - 4, wrapped.len()] {
        let corrupt = [&wrapped[..at], insert, &wrapped[at..]].concat();
        assert!(
            unwrap(&account, UserKind::UserProfile, &corrupt).is_err(),
            "at {at}"
        );
    }
}

#[test]
fn user_profile_pushes_and_dumps() {
    let v = json(PROFILE);
    let account = identity(&v["seed"]);
    assert_eq!(
        hex::encode(account.ed25519_public_key().as_bytes()),
        v["ed25519_pk"].as_str().unwrap()
    );
    assert_eq!(
        hex::encode(account.x25519_public_key().as_bytes()),
        v["x25519_pk"].as_str().unwrap()
    );
    let mut conf = UserProfile::new(&account);
    assert!(!conf.needs_push());
    assert!(!conf.needs_dump());
    assert_eq!(conf.name(), None);

    // The empty seqno-0 message, pushed as it is: deterministic, 256 + 176 bytes.
    let push = conf.push().unwrap();
    assert_eq!(push.seqno, 0);
    assert_eq!(push.data.len(), 256 + 176);
    assert_eq!(hex::encode(&push.data), v["empty_push"].as_str().unwrap());
    assert_eq!(conf.profile_pic(), None);
    assert_eq!(conf.nts_priority(), 0);
    assert_eq!(conf.nts_expiry(), None);

    conf.set_name("Kallie").unwrap();
    let pic = ProfilePic {
        url: "http://example.org/omg-pic-123.bmp".into(),
        key: *b"secret78901234567890123456789012",
    };
    conf.set_profile_pic(Some(&pic)).unwrap();
    conf.set_nts_priority(9).unwrap();
    assert_eq!(conf.name(), Some("Kallie"));
    assert_eq!(conf.profile_pic(), Some(pic.clone()));
    assert!(conf.needs_push());
    assert!(conf.needs_dump());
    let push = conf.push().unwrap();
    assert_eq!(push.seqno, 1);
    assert_eq!(
        hex::encode(&push.message),
        v["push1_plaintext"].as_str().unwrap()
    );
    let encrypted = bytes(&v["push1_encrypted"]);
    assert_eq!(
        unwrap(&account, UserKind::UserProfile, &push.data).unwrap(),
        encrypted
    );
    assert!(conf.needs_dump());
    assert!(conf.needs_push());
    assert_eq!(
        hex::encode(conf.dump()),
        v["dump_waiting"].as_str().unwrap()
    );
    assert!(!conf.needs_dump());

    conf.confirm_pushed(push.seqno, "fakehash1");
    assert!(!conf.needs_push());
    assert!(conf.needs_dump());
    assert_eq!(hex::encode(conf.dump()), v["dump_clean"].as_str().unwrap());
    assert!(!conf.needs_dump());

    // A second device merges the bare encrypted message.
    let mut conf2 = UserProfile::new(&account);
    assert_eq!(conf2.merge([("fakehash1", &encrypted[..])]), ["fakehash1"]);
    assert!(conf2.needs_dump());
    conf2.dump();
    assert!(!conf2.needs_push());
    assert_eq!(conf2.state(), SyncState::Clean);

    // A conflict: both rename, conf2 also sets a picture, timer and the message-request flag.
    conf.set_name("Nibbler").unwrap();
    conf2.set_name("Raz").unwrap();
    let pic2 = ProfilePic {
        url: "http://new.example.com/pic".into(),
        key: *b"qwert\0yuio1234567890123456789012",
    };
    conf2.set_profile_pic(Some(&pic2)).unwrap();
    conf2.set_nts_expiry(86_400).unwrap();
    assert_eq!(conf2.nts_expiry(), Some(86_400));
    assert_eq!(conf2.blinded_msgreqs(), None);
    conf2.set_blinded_msgreqs(Some(false)).unwrap();
    assert_eq!(conf2.blinded_msgreqs(), Some(false));
    conf2.set_blinded_msgreqs(None).unwrap();
    assert_eq!(conf2.blinded_msgreqs(), None);
    conf2.set_blinded_msgreqs(Some(true)).unwrap();
    assert_eq!(conf2.blinded_msgreqs(), Some(true));

    let push1 = conf.push().unwrap();
    assert_eq!(push1.seqno, 2);
    conf2.confirm_pushed(push1.seqno, "fakehash2"); // not conf2's push: ignored
    let push2 = conf2.push().unwrap();
    assert_eq!(push2.seqno, 2);
    conf2.confirm_pushed(push2.seqno, "fakehash3");
    assert_ne!(push1.data, push2.data);

    assert_eq!(conf2.merge([("fakehash2", &push1.data[..])]), ["fakehash2"]);
    assert_eq!(conf.merge([("fakehash3", &push2.data[..])]), ["fakehash3"]);
    let (p1, p2) = (conf.push().unwrap(), conf2.push().unwrap());
    assert_eq!((p1.seqno, p2.seqno), (3, 3));
    assert_eq!(p1.message, p2.message);
    assert!(conf.needs_push() && conf2.needs_push());
    for c in [&conf, &conf2] {
        assert_eq!(c.name(), Some("Nibbler"));
        let pic = c.profile_pic().unwrap();
        assert_eq!(pic.url, "http://new.example.com/pic");
        assert_eq!(hex::encode(pic.key), v["pic_key_2"].as_str().unwrap());
        assert_eq!(c.nts_priority(), 9);
        assert_eq!(c.nts_expiry(), Some(86_400));
        assert_eq!(c.blinded_msgreqs(), Some(true));
    }
    conf.confirm_pushed(p1.seqno, "fakehash4");
    conf2.confirm_pushed(p2.seqno, "fakehash4");
    conf.dump();
    conf2.dump();
    assert!(!conf.needs_dump() && !conf2.needs_dump());
    assert!(!conf.needs_push() && !conf2.needs_push());

    // Dumps load back to the same state.
    let dump = conf.config().make_dump();
    let loaded = UserProfile::load(&account, &dump).unwrap();
    assert_eq!(loaded.config().make_dump(), dump);
    assert_eq!(loaded.name(), Some("Nibbler"));
    assert_eq!(loaded.current_hashes(), ["fakehash4"]);
}

#[test]
fn user_profile_names() {
    let account = identity(&json(PROFILE)["seed"]);
    let mut profile = UserProfile::new(&account);
    let long = format!("{}A", "1234567890".repeat(10));
    assert_eq!(
        profile.set_name(&long),
        Err(ProfileError::NameTooLong { len: 101 })
    );
    profile.set_name_truncated(&long).unwrap();
    assert_eq!(profile.name(), Some(&long[..100]));
    let cake = format!("{}1234567🎂", "1234567890".repeat(9));
    profile.set_name_truncated(&cake).unwrap();
    assert_eq!(profile.name(), Some(&cake[..97]));
    let cakes = format!("{}12345🎂🎂", "1234567890".repeat(9));
    profile.set_name_truncated(&cakes).unwrap();
    assert_eq!(
        profile.name(),
        Some(format!("{}12345🎂", "1234567890".repeat(9)).as_str())
    );
    profile.set_name("").unwrap();
    assert_eq!(profile.name(), None);
    let url = ProfilePic {
        url: "h".repeat(224),
        key: [1; 32],
    };
    assert_eq!(
        profile.set_profile_pic(Some(&url)),
        Err(ProfileError::UrlTooLong { len: 224 })
    );
}

#[test]
fn bare_config_messages_parse() {
    // The plaintext of the first user-profile push is a message like any other.
    let v = json(PROFILE);
    let plaintext = bytes(&v["push1_plaintext"]);
    let message = ConfigMessage::parse(&plaintext, None).unwrap();
    assert_eq!(message.seqno(), 1);
    assert_eq!(message.serialize(None), plaintext);
    let account = identity(&v["seed"]);
    let config = Config::new_user(UserKind::UserProfile, &account);
    assert_eq!(config.seqno(), 0);
}
