//! The checks of the group targets (`group_message_decrypt`, `legacy_group_decode`).

use std::sync::OnceLock;

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::XChaCha20Poly1305;
use session_envelope::group::{self, EncryptOptions, GroupEncryptionKey, GroupMessageError};
use session_envelope::legacy_group::{self, LegacyGroupError};
use session_envelope::prost::Message;
use session_envelope::proto::{ClosedGroupControlMessage, Envelope, EnvelopeType, KeyPair};
use session_envelope::{
    decode_group, session_protocol, wrap_envelope, DecodeError, LegacyGroupKeyPair,
};
use session_identity::{Prefix, SessionId, X25519SecretKey};

use super::{own, peer, Counter};

/// Two group keys: those of the reference vectors `compressible_10k` (a libzstd-compressed
/// message) and `protobuf_like`, so their ciphertexts open in the corpus.
fn group_keys() -> &'static [GroupEncryptionKey; 2] {
    static KEYS: OnceLock<[GroupEncryptionKey; 2]> = OnceLock::new();
    KEYS.get_or_init(|| {
        [
            "c2d6d33d942a6cff27ee6b10ae4e35856382de2c8ae66161f99fba7296ac5c40",
            "28d0fcaabeefbb76efe5a4e8d8fcea766196e451c1c2ec8208a80bdef735e537",
        ]
        .map(|k| {
            let bytes: Vec<u8> = (0..k.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&k[i..i + 2], 16).unwrap())
                .collect();
            GroupEncryptionKey::from_slice(&bytes).unwrap()
        })
    })
}

/// What must hold of any message that decrypted.
fn check_opened(message: &group::GroupMessage) {
    assert!(message.plaintext.len() <= group::MAX_PLAINTEXT_LEN);
    let x = message
        .sender_ed25519
        .to_x25519()
        .expect("an accepted sender key converts");
    assert_eq!(message.sender_session_id.x25519_public_key(), Some(x));
    assert!(message.compressed || !message.plaintext.is_empty());
}

/// `03` group message decryption. Byte 0 bit 0 clear: the rest is a ciphertext, opened with
/// the two fixed keys (raw, and as a stored group message). Bit 0 set, bit 1 clear: the rest is
/// an inner dictionary sealed with the second key, which must open (so the dictionary reader,
/// the signature check and decompression are fuzzed). Bits 0 and 1 set: the rest is a message
/// encrypted by [`peer`] (bit 2: compressed; bits 3–7: padding in 32-byte steps), which must
/// decrypt to itself.
pub fn group_message_decrypt(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let keys = group_keys();
    if mode & 1 == 0 {
        if let Ok(message) = group::decrypt(keys, rest) {
            check_opened(&message);
        }
        let _ = decode_group(rest, keys);
        return;
    }
    if mode & 2 == 0 {
        let nonce = [mode; 24];
        let cipher = XChaCha20Poly1305::new(keys[1].expose_secret_bytes().into());
        let sealed = [&nonce[..], &cipher.encrypt((&nonce).into(), rest).unwrap()].concat();
        let batch = group::decrypt_batch(keys.iter(), &[&sealed[..], rest, &sealed[..]]);
        assert_eq!(batch[0], group::decrypt(keys, &sealed));
        assert_eq!(batch[1], group::decrypt(keys, rest));
        assert_eq!(batch[2], batch[0]);
        match group::decrypt(keys, &sealed) {
            Ok(message) => {
                check_opened(&message);
                assert_eq!(message.key_index, 1);
            }
            Err(e) => assert_ne!(e, GroupMessageError::NoKey),
        }
        return;
    }
    let options = EncryptOptions {
        compress: mode & 4 != 0,
        padding: usize::from(mode >> 3) * 32,
    };
    let ciphertext = group::encrypt(&keys[0], peer(), rest, options, &mut Counter(7))
        .expect("a message within the limits encrypts");
    if options.padding > 1 {
        assert_eq!(ciphertext.len() % options.padding, 0);
    }
    match group::decrypt(keys, &ciphertext) {
        Ok(message) => {
            check_opened(&message);
            assert_eq!(message.plaintext, rest);
            assert_eq!(message.sender_session_id, peer().session_id());
            assert_eq!(message.key_index, 0);
        }
        Err(e) => {
            assert!(rest.is_empty(), "{e}");
            assert_eq!(e, GroupMessageError::EmptyData);
        }
    }
}

/// Two fixed legacy group key pairs and the group's ID.
fn legacy_keys() -> &'static ([LegacyGroupKeyPair; 2], SessionId) {
    static KEYS: OnceLock<([LegacyGroupKeyPair; 2], SessionId)> = OnceLock::new();
    KEYS.get_or_init(|| {
        (
            [0x21, 0x22]
                .map(|b| LegacyGroupKeyPair::from_secret(X25519SecretKey::from_bytes([b; 32]))),
            SessionId::new(Prefix::User, [0x55; 32]),
        )
    })
}

/// Legacy closed groups. Byte 0 even: the rest is stored bytes (decoded for the fixed group
/// with its two key pairs), a raw ciphertext, a control message (checked, and its key pair
/// opened as [`own`]) and a key pair. Odd: the rest is a padded content that [`peer`] seals to
/// the second key pair and wraps as the group's message, which must open.
pub fn legacy_group_decode(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (pairs, group_id) = legacy_keys();
    if mode & 1 == 0 {
        let _ = legacy_group::decode(rest, group_id, pairs);
        if let Ok((message, index)) = legacy_group::decrypt(pairs, rest) {
            assert!(index < 2);
            assert_eq!(
                message.plaintext.len() + session_protocol::OVERHEAD,
                rest.len()
            );
        }
        if let Ok(control) = ClosedGroupControlMessage::decode(rest) {
            let _ = legacy_group::parse_control(&control);
            let _ = legacy_group::open_key_pair(&control, own());
        }
        if let Ok(key_pair) = KeyPair::decode(rest) {
            if let Ok(pair) = LegacyGroupKeyPair::from_proto(&key_pair) {
                assert_eq!(pair.secret_key().public_key(), *pair.public_key());
            }
        }
        return;
    }
    let ciphertext = session_protocol::encrypt(
        peer(),
        pairs[1].public_key(),
        rest,
        &mut Counter(u64::from(mode)),
    )
    .expect("a valid key pair seals");
    let stored = wrap_envelope(&Envelope {
        r#type: Some(EnvelopeType::ClosedGroupMessage as i32),
        source: Some(group_id.to_hex().into_bytes()),
        timestamp: Some(1_600_000_000_000),
        content: Some(ciphertext),
        ..Envelope::default()
    });
    match legacy_group::decode(&stored, group_id, pairs) {
        Ok(message) => {
            assert_eq!(message.key_index, 1);
            assert_eq!(message.sender_session_id, peer().session_id());
        }
        // It opened: only the content inside may be refused.
        Err(e) => assert!(
            matches!(e, DecodeError::Padding(_) | DecodeError::Malformed(_)),
            "{e}"
        ),
    }
    // The first key pair alone does not open it.
    let envelope = session_envelope::unwrap_envelope(&stored).unwrap();
    assert_eq!(
        legacy_group::decrypt(&pairs[..1], &envelope.content.unwrap()).map(|(_, i)| i),
        Err(LegacyGroupError::NoKeyPair)
    );
}
