//! The checks of every fuzz target, as plain functions over bytes.
//!
//! The fuzz targets (`fuzz_targets/*.rs`) call them, and so does the root package's
//! `tests/fuzz_corpus.rs`, which replays every file of `fuzz/corpus/<target>/` through them on
//! stable Rust. Each one asserts that hostile input gives a typed error (never a panic) and
//! that what parses round-trips. Targets whose input would rarely pass a decryption split it:
//! the first byte picks between the raw input and a plaintext sealed with fixed test keys, so
//! the parsers behind the decryption are fuzzed too.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

use session_bencode as bt;

use session_envelope::prost::Message;
use session_envelope::proto::{Content, Envelope, EnvelopeType, WebSocketMessage};
use session_envelope::{
    blinded_dm, decode, decode_blinded, padding, session_protocol, unwrap_envelope, wrap_envelope,
};
use session_identity::batch::{verify_and_to_x25519_batch, SignedMessage};
use session_identity::blinding::{self, BlindingKind};
use session_identity::rand_core::{Infallible, TryCryptoRng, TryRng};
use session_identity::{
    mnemonic, Ed25519PublicKey, Identity, Prefix, Seed, SessionId, Signature, X25519PublicKey,
    X25519SecretKey,
};
use session_onion::{
    decode_v4_response, EncType, HopKey, LayerFrame, NodeKeys, PathFailure, ResponseContext, Role,
};
use session_swarm::{
    parse_batch_reply, parse_delete_reply, parse_expire_reply, parse_retrieve_reply,
    parse_service_node_list, parse_store_reply, parse_swarm_reply, parse_wrong_swarm_reply,
    ClockOffset, Decision, Outcome, RetryLimits, ServiceNode, SwarmMap, SwarmRequest, Timestamp,
    MAX_STORE_DATA_LEN,
};

mod community;
pub use community::{
    community_auth_headers, community_batch_parse, community_dm_parse, community_messages_parse,
    community_poller, community_reactions_parse, community_rooms_parse,
};
mod config;
pub use config::{config_dump_load, config_merge, config_message_parse};
mod groups;
pub use groups::{group_message_decrypt, legacy_group_decode};
mod group_keys;
pub use group_keys::group_keys_load;
mod subaccount;
pub use subaccount::subaccount_parse;

/// The check of one target.
pub type Check = fn(&[u8]);

/// Every target, by name, with its check: the replay test walks this list.
pub const TARGETS: &[(&str, Check)] = &[
    ("session_id_parse", session_id_parse),
    ("mnemonic_decode", mnemonic_decode),
    ("blinded_ids", blinded_ids),
    ("ed25519_verify", ed25519_verify),
    ("conformance_line", conformance_line),
    ("session_protocol_decrypt", session_protocol_decrypt),
    ("blinded_dm_decrypt", blinded_dm_decrypt),
    ("envelope_decode", envelope_decode),
    ("unpad", unpad),
    ("onion_peel", onion_peel),
    ("onion_response_decode", onion_response_decode),
    ("onion_v4_response_decode", onion_v4_response_decode),
    ("node_list_parse", node_list_parse),
    ("retrieve_response_parse", retrieve_response_parse),
    ("swarm_421_parse", swarm_421_parse),
    ("bencode_decode", bencode_decode),
    ("community_messages_parse", community_messages_parse),
    ("community_rooms_parse", community_rooms_parse),
    ("community_dm_parse", community_dm_parse),
    ("community_reactions_parse", community_reactions_parse),
    ("community_batch_parse", community_batch_parse),
    ("community_auth_headers", community_auth_headers),
    ("community_poller", community_poller),
    ("attachment_legacy_decrypt", attachment_legacy_decrypt),
    ("attachment_stream_decrypt", attachment_stream_decrypt),
    ("attachment_pointer_parse", attachment_pointer_parse),
    ("config_message_parse", config_message_parse),
    ("config_merge", config_merge),
    ("group_message_decrypt", group_message_decrypt),
    ("legacy_group_decode", legacy_group_decode),
    ("config_dump_load", config_dump_load),
    ("group_keys_load", group_keys_load),
    ("subaccount_parse", subaccount_parse),
    ("backends_agree", backends_agree),
];

/// Deterministic bytes: fuzzing needs reproducible inputs, not secrecy.
struct Counter(u64);
impl TryRng for Counter {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        self.try_next_u64().map(|word| word as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        Ok(self.0 >> 11)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Infallible> {
        for byte in dest.iter_mut() {
            *byte = self.try_next_u64()? as u8;
        }
        Ok(())
    }
}
impl TryCryptoRng for Counter {}

/// The fuzzed party, derived once (key derivation would dominate each run).
fn own() -> &'static Identity {
    static OWN: OnceLock<Identity> = OnceLock::new();
    OWN.get_or_init(|| Identity::from_seed(Seed::from_legacy_bytes([7; 16])))
}

/// A fixed correspondent that seals test plaintexts to [`own`].
fn peer() -> &'static Identity {
    static PEER: OnceLock<Identity> = OnceLock::new();
    PEER.get_or_init(|| Identity::from_seed(Seed::from_legacy_bytes([9; 16])))
}

/// The community server of the blinded targets.
fn server() -> Ed25519PublicKey {
    Ed25519PublicKey::from_bytes([0x42; 32])
}

/// The blinded IDs of [`own`] and [`peer`] on [`server`], for both kinds (computed once).
fn blinded_ids_of(kind: BlindingKind) -> &'static (SessionId, SessionId) {
    static IDS: OnceLock<[(SessionId, SessionId); 2]> = OnceLock::new();
    let ids = IDS.get_or_init(|| {
        [BlindingKind::Blind15, BlindingKind::Blind25].map(|k| {
            (
                own().blinded_key_pair(k, &server()).blinded_id(),
                peer().blinded_key_pair(k, &server()).blinded_id(),
            )
        })
    });
    match kind {
        BlindingKind::Blind15 => &ids[0],
        BlindingKind::Blind25 => &ids[1],
    }
}

/// Session ID parsing from text and bytes: whatever parses prints back to the same ID.
pub fn session_id_parse(data: &[u8]) {
    if let Ok(id) = SessionId::from_bytes(data) {
        assert_eq!(&id.to_bytes()[..], data);
    }
    if let Ok(text) = core::str::from_utf8(data) {
        if let Ok(id) = SessionId::parse(text) {
            assert_eq!(id.to_string(), text.to_ascii_lowercase());
        }
    }
}

/// Recovery-phrase decoding: a decoded phrase re-encodes to the same bytes.
pub fn mnemonic_decode(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    if let Ok(bytes) = mnemonic::decode(text) {
        let word_count = text
            .split([' ', '\t', '\r', '\n'])
            .filter(|w| !w.is_empty())
            .count();
        let with_checksum = word_count % 3 == 1;
        let again = mnemonic::encode(&bytes, with_checksum).expect("decoded length is valid");
        assert_eq!(
            mnemonic::decode(again.expose_secret()).expect("re-decodes"),
            bytes
        );
    }
}

/// Blinding from hostile Session IDs, Ed25519 keys and server keys (the first 64 bytes): a
/// 25-blinded ID computed from a Session ID always matches it.
pub fn blinded_ids(data: &[u8]) {
    if data.len() < 64 {
        return;
    }
    let mut key = [0u8; 32];
    key.copy_from_slice(&data[..32]);
    let mut server = [0u8; 32];
    server.copy_from_slice(&data[32..64]);
    let server = Ed25519PublicKey::from_bytes(server);
    let session_id = SessionId::new(Prefix::User, key);

    let _ = blinding::blind15_ids_from_session_id(&session_id, &server);
    if let Ok(id25) = blinding::blind25_id_from_session_id(&session_id, &server) {
        assert_eq!(
            blinding::session_id_matches_blinded_id(&session_id, &id25, &server),
            Ok(true)
        );
    }
    let ed = Ed25519PublicKey::from_bytes(key);
    let _ = blinding::blind15_id_from_ed25519(&ed, &server);
    let _ = blinding::blind25_id_from_ed25519(&ed, &server);
    let _ = ed.to_x25519();
}

/// Signature verification of hostile keys and signatures: `prefix ‖ key ‖ signature ‖ message`.
pub fn ed25519_verify(data: &[u8]) {
    if data.len() < 97 {
        return;
    }
    let (head, message) = data.split_at(97);
    let Some(signature) = Signature::from_slice(&head[33..97]) else {
        return;
    };
    if let Some(key) = Ed25519PublicKey::from_slice(&head[1..33]) {
        let _ = key.verify(message, &signature);
        // In a batch, among honest items, the item gets exactly its one-by-one verdict.
        let honest_key = peer().ed25519_public_key();
        let honest = peer().sign(message);
        let items = [
            SignedMessage {
                key: &honest_key,
                message,
                signature: &honest,
            },
            SignedMessage {
                key: &key,
                message,
                signature: &signature,
            },
            SignedMessage {
                key: &honest_key,
                message,
                signature: &honest,
            },
            SignedMessage {
                key: &key,
                message,
                signature: &signature,
            },
        ];
        let alone = key.verify_and_to_x25519(message, &signature);
        let batch = verify_and_to_x25519_batch(&items);
        assert_eq!(batch[1], alone);
        assert_eq!(batch[3], alone);
        assert_eq!(batch[0], Ok(peer().x25519_public_key()));
    }
    if let Ok(id) = SessionId::from_bytes(&head[..33]) {
        let _ = blinding::verify_blinded_signature(&id, message, &signature);
    }
}

/// One request line of the conformance runner: exactly one JSON response line comes back and
/// no handler fails with an internal error.
pub fn conformance_line(data: &[u8]) {
    let Ok(line) = core::str::from_utf8(data) else {
        return;
    };
    let response = session_conformance::handle_line(line);
    assert!(!response.contains('\n'));
    let value: serde_json::Value = serde_json::from_str(&response).expect("response is JSON");
    let error = value.get("error").and_then(|e| e.as_str()).unwrap_or("");
    assert!(!error.starts_with("internal"), "{line:?} -> {response}");
}

/// Session Protocol decryption. Even first byte: the rest is a ciphertext to [`own`]; anything
/// accepted is well formed. Odd: the rest is a message sealed by [`peer`] to [`own`], which
/// must open to the same message from the same sender.
pub fn session_protocol_decrypt(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let recipient = own();
    if mode & 1 == 0 {
        if let Ok(message) = session_protocol::decrypt(recipient, rest) {
            assert_eq!(
                message.plaintext.len() + session_protocol::OVERHEAD,
                rest.len()
            );
            let x = message
                .sender_ed25519
                .to_x25519()
                .expect("accepted sender key converts");
            assert_eq!(message.sender_session_id.x25519_public_key(), Some(x));
        }
        return;
    }
    let sealed = session_protocol::encrypt(
        peer(),
        &recipient.x25519_public_key(),
        rest,
        &mut Counter(u64::from(mode)),
    )
    .expect("a valid recipient key seals");
    let opened = session_protocol::decrypt(recipient, &sealed).expect("a sealed message opens");
    assert_eq!(opened.plaintext, rest);
    assert_eq!(opened.sender_ed25519, peer().ed25519_public_key());
}

/// Blinded-DM decryption. First byte: bit 0 picks the scheme (15 or 25). Bit 1 clear: the next
/// 32 bytes are the other party's blinded key and the rest a ciphertext, decrypted as
/// recipient and as sender. Bit 1 set: the rest is a padded message sealed by [`peer`] to
/// [`own`], which must open and is then unpadded and parsed as `Content`.
pub fn blinded_dm_decrypt(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let kind = if selector & 1 == 0 {
        BlindingKind::Blind15
    } else {
        BlindingKind::Blind25
    };
    let server = server();
    let own = own();
    let (own_id, peer_id) = blinded_ids_of(kind);
    if selector & 2 == 0 {
        if rest.len() < 32 {
            return;
        }
        let (claimed, ciphertext) = rest.split_at(32);
        let mut sender_key = [0u8; 32];
        sender_key.copy_from_slice(claimed);
        let other = SessionId::new(kind.prefix(), sender_key);
        let _ = blinded_dm::decrypt(own, &server, &other, own_id, ciphertext);
        let _ = blinded_dm::decrypt(own, &server, own_id, &other, ciphertext);
        return;
    }
    let sealed = blinded_dm::encrypt(
        peer(),
        &server,
        own_id,
        rest,
        &mut Counter(u64::from(selector)),
    )
    .expect("a valid blinded ID seals");
    let opened =
        blinded_dm::decrypt(own, &server, peer_id, own_id, &sealed).expect("a sealed DM opens");
    assert_eq!(opened.plaintext, rest);
    assert_eq!(opened.sender_ed25519, peer().ed25519_public_key());
    let decoded = decode_blinded(&sealed, own, &server, peer_id, own_id);
    let parses = padding::unpad(rest)
        .ok()
        .is_some_and(|m| Content::decode(m).is_ok());
    assert_eq!(decoded.is_ok(), parses);
}

/// Decoding stored bytes (WebSocketMessage → Envelope → decrypt → unpad → Content). Even first
/// byte: the rest is stored bytes, also decoded as each protobuf message alone (what decodes
/// re-encodes to the same value). Odd: the rest is the padded content of a message sealed by
/// [`peer`] to [`own`] and wrapped as Session stores it, so unpadding and `Content` are reached.
pub fn envelope_decode(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let own = own();
    if mode & 1 == 0 {
        let _ = decode(rest, own);
        let _ = unwrap_envelope(rest);
        let _ = Envelope::decode(rest);
        let _ = WebSocketMessage::decode(rest);
        if let Ok(content) = Content::decode(rest) {
            let again =
                Content::decode(content.encode_to_vec().as_slice()).expect("re-encoding decodes");
            assert_eq!(again, content);
        }
        return;
    }
    let ciphertext = session_protocol::encrypt(
        peer(),
        &own.x25519_public_key(),
        rest,
        &mut Counter(u64::from(mode)),
    )
    .expect("a valid recipient key seals");
    let envelope = Envelope {
        r#type: Some(EnvelopeType::SessionMessage as i32),
        timestamp: Some(1_700_000_000_000),
        content: Some(ciphertext),
        ..Envelope::default()
    };
    let decoded = decode(&wrap_envelope(&envelope), own);
    let parses = padding::unpad(rest)
        .ok()
        .is_some_and(|m| Content::decode(m).is_ok());
    assert_eq!(decoded.is_ok(), parses);
    if let Ok(message) = decoded {
        assert_eq!(message.sender_ed25519, peer().ed25519_public_key());
    }
}

/// Unpadding: returns a prefix, and padding what it returns unpads back to the same bytes.
pub fn unpad(data: &[u8]) {
    if let Ok(message) = padding::unpad(data) {
        assert!(data.starts_with(message));
        assert_eq!(padding::unpad(&padding::pad(message)), Ok(message));
        assert_eq!(padding::unpad(&padding::pad_legacy(message)), Ok(message));
    }
}

/// The node of the onion targets, its keys computed once.
fn onion_node() -> &'static NodeKeys {
    static NODE: OnceLock<NodeKeys> = OnceLock::new();
    NODE.get_or_init(|| NodeKeys::new(X25519SecretKey::from_bytes([7; 32])))
}

/// The client of the sealed onion layers.
fn onion_client() -> &'static X25519SecretKey {
    static CLIENT: OnceLock<X25519SecretKey> = OnceLock::new();
    CLIENT.get_or_init(|| X25519SecretKey::from_bytes([9; 32]))
}

/// The key [`onion_client`] seals layers to [`onion_node`] with, per cipher (derived once).
fn onion_client_key(enc: EncType) -> &'static HopKey {
    static KEYS: OnceLock<[HopKey; 2]> = OnceLock::new();
    let keys = KEYS.get_or_init(|| {
        [EncType::AesGcm, EncType::XChaCha20].map(|enc| {
            HopKey::derive(enc, Role::Client, onion_client(), onion_node().public_key())
                .expect("fixed keys are not weak")
        })
    });
    &keys[usize::from(enc == EncType::XChaCha20)]
}

/// The reply contexts of the response targets (the client's final key pair and the
/// destination's key) per cipher, and the destination's sealing keys per cipher.
fn response_setup(enc: EncType) -> &'static (ResponseContext, HopKey, HopKey) {
    static SETUP: OnceLock<[(ResponseContext, HopKey, HopKey); 2]> = OnceLock::new();
    let setups = SETUP.get_or_init(|| {
        [EncType::AesGcm, EncType::XChaCha20].map(|enc| {
            let destination = X25519SecretKey::from_bytes([3; 32]);
            let context = ResponseContext::new(
                enc,
                destination.public_key(),
                X25519SecretKey::from_bytes([5; 32]),
            );
            let key = |enc| {
                HopKey::derive(
                    enc,
                    Role::Server,
                    &destination,
                    context.final_x25519_public_key(),
                )
                .expect("fixed keys are not weak")
            };
            let (aes, xchacha) = (key(EncType::AesGcm), key(EncType::XChaCha20));
            (context, aes, xchacha)
        })
    });
    &setups[usize::from(enc == EncType::XChaCha20)]
}

/// A node peeling hostile onion layers. Even first byte: the rest is peeled as received.
/// Odd: the rest is first sealed as a valid layer for the node (bit 1 picks the cipher), so
/// the decrypted framing and routing JSON are reached.
pub fn onion_peel(data: &[u8]) {
    let node = onion_node();
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        let _ = node.peel(rest);
        if let Ok(frame) = LayerFrame::parse(rest) {
            let _ = frame.routing();
        }
        return;
    }
    let enc = if mode & 2 == 0 {
        EncType::AesGcm
    } else {
        EncType::XChaCha20
    };
    static CLIENT_HEX: OnceLock<String> = OnceLock::new();
    let client_hex = CLIENT_HEX.get_or_init(|| onion_client().public_key().to_hex());
    let ct = onion_client_key(enc).encrypt(rest, &mut Counter(u64::from(mode)));
    let json = format!(
        r#"{{"enc_type":"{}","ephemeral_key":"{}"}}"#,
        enc.as_str(),
        client_hex
    );
    let mut body = (ct.len() as u32).to_le_bytes().to_vec();
    body.extend_from_slice(&ct);
    body.extend_from_slice(json.as_bytes());
    let opened = node.open(&body).expect("a sealed layer opens");
    assert_eq!(opened.payload(), rest);
    if let Ok(layer) = opened.peel() {
        let _ = layer.next_hop_body();
        let _ = (layer.inner(), layer.routing_json());
    }
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
fn b64(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(BASE64[(n >> (18 - 6 * i) & 63) as usize]);
        }
        out.extend(std::iter::repeat_n(b'=', 3 - chunk.len()));
    }
    out
}

/// A client reading hostile service-node (v3) replies. First byte: bit 1 picks the cipher of
/// the request. Bit 0 clear: the rest is the reply as received. Set: the destination answers
/// with the rest as its JSON (sealed with AES-GCM when bit 2 is set, to exercise the retry),
/// base64 alone and inside `{"result":…}`.
pub fn onion_response_decode(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let enc = if mode & 2 == 0 {
        EncType::AesGcm
    } else {
        EncType::XChaCha20
    };
    let (context, aes, xchacha) = response_setup(enc);
    let _ = PathFailure::classify(Some(u16::from(mode) * 2), rest);
    if mode & 1 == 0 {
        let _ = context.decode_service_node_response(rest);
        return;
    }
    let sealed_with = if mode & 4 == 0 && enc == EncType::XChaCha20 {
        xchacha
    } else {
        aes
    };
    let ct = sealed_with.encrypt(rest, &mut Counter(u64::from(mode)));
    let text = b64(&ct);
    let _ = context.decode_service_node_response(&text);
    let mut wrapped = br#"{"result":""#.to_vec();
    wrapped.extend_from_slice(&text);
    wrapped.extend_from_slice(b"\"}");
    let _ = context.decode_service_node_response(&wrapped);
}

/// A client reading hostile v4 (server) replies: the bencode reader and the info JSON, given
/// directly, as received by the client and sealed to the client (where the result must be the
/// same as parsing directly).
pub fn onion_v4_response_decode(data: &[u8]) {
    let direct = decode_v4_response(data);
    let (context, _, xchacha) = response_setup(EncType::XChaCha20);
    // The decryptions cost a key exchange each: a quarter of the inputs are decrypted as
    // received, another quarter sealed first, the rest only parsed.
    match data.len() % 4 {
        0 => {
            let _ = context.decode_server_response(data);
        }
        1 => {
            let ct = xchacha.encrypt(data, &mut Counter(7));
            assert_eq!(context.decode_server_response(&ct), direct);
        }
        _ => {}
    }
}

/// The node-list parsers (seed/oxend `service_node_states`, `get_swarm`): whatever parses
/// builds a swarm map that answers lookups.
pub fn node_list_parse(data: &[u8]) {
    if let Ok(list) = parse_service_node_list(data) {
        let map = SwarmMap::new(&list.nodes);
        let swarm = map.swarm_for_position(u64::from_le_bytes([0x5a; 8]));
        assert_eq!(swarm.is_some(), !map.is_empty());
        assert!(list.nodes.iter().all(|n| !n.ip.is_unspecified()));
    }
    if let Ok(reply) = parse_swarm_reply(data) {
        assert!(reply
            .members
            .nodes
            .iter()
            .all(|n| n.swarm_id == Some(reply.swarm_id)));
    }
}

/// The `retrieve` reply parser (and the other storage reply parsers).
pub fn retrieve_response_parse(data: &[u8]) {
    if let Ok(reply) = parse_retrieve_reply(data) {
        for message in &reply.messages {
            assert!(message.data.len() <= MAX_STORE_DATA_LEN);
            assert_eq!(message.hash.as_str().len(), 43);
        }
    }
    let _ = parse_store_reply(data);
    let _ = parse_delete_reply(data);
    let _ = parse_expire_reply(data);
    let _ = parse_batch_reply(data);
}

/// A 421 (wrong swarm) body, parsed alone and fed through the retry decisions: the request
/// always ends within its attempt limit.
pub fn swarm_421_parse(data: &[u8]) {
    let _ = parse_wrong_swarm_reply(data);
    let members: Vec<ServiceNode> = (1..=3u8)
        .map(|i| ServiceNode {
            ed25519: Ed25519PublicKey::from_bytes([i; 32]),
            x25519: X25519PublicKey::from_bytes([i; 32]),
            ip: [10, 0, i, 1].into(),
            https_port: 443,
            omq_port: None,
            swarm_id: None,
        })
        .collect();
    let limits = RetryLimits::default();
    let target = SessionId::new(Prefix::User, [7; 32]);
    let mut request = SwarmRequest::with_limits(target, &members, ClockOffset::ZERO, limits);
    let mut rng = Counter(data.len() as u64);
    let mut attempts = 0;
    while request.next_attempt(&mut rng).is_ok() {
        attempts += 1;
        assert!(attempts <= limits.max_attempts);
        let outcome = Outcome::reply(421, data);
        if matches!(
            request.handle(outcome, Timestamp::from_millis(1)),
            Ok(Decision::Fail(_) | Decision::Done(_)) | Err(_)
        ) {
            break;
        }
    }
}

/// The bt-encoding readers on hostile bytes, in both modes: the tree decoder, `Raw::parse` and
/// the streaming list/dictionary readers accept the same inputs with the same value or error;
/// what parses canonically re-encodes to the input, what parses leniently re-encodes to an
/// equal canonical value; a dictionary's entries copied as raw values through the writer give
/// the input back (in lenient mode, up to the spelling of the keys, which the writer writes
/// canonically); a signature found covers exactly the bytes before its `1:~` key.
pub fn bencode_decode(data: &[u8]) {
    let modes = [bt::Options::canonical(), bt::Options::lenient()];
    let mut canonical = None;
    for options in modes {
        let tree = bt::decode_with(data, options);
        assert_eq!(bt_walk(data, options), tree);
        assert_eq!(
            bt::Raw::parse(data, options).map(|raw| raw.as_bytes()),
            tree.clone().map(|_| data)
        );
        if let Ok(value) = &tree {
            let encoded = value.encode();
            assert_eq!(bt::decode(&encoded).as_ref(), Ok(value));
            if options.mode() == bt::Mode::Canonical {
                assert_eq!(encoded, data);
            }
        }
        if data.first() == Some(&b'd') {
            bt_dict_checks(data, options, tree.is_ok());
        }
        match canonical.take() {
            None => canonical = Some(tree),
            // Whatever is canonical is also accepted leniently, as the same value.
            Some(Ok(value)) => assert_eq!(tree, Ok(value)),
            Some(Err(_)) => {}
        }
    }
}

/// A dictionary copied entry by entry as raw values, and its signature if any.
fn bt_dict_checks(data: &[u8], options: bt::Options, valid: bool) {
    let Ok(mut dict) = bt::DictReader::with_options(data, options) else {
        assert!(!valid);
        return;
    };
    let mut copy = Vec::new();
    let mut writer = bt::DictWriter::new(&mut copy);
    let mut copied = true;
    while let Ok(Some(_)) = dict.peek_key() {
        match dict.read_entry::<bt::Raw>() {
            Ok((key, raw)) => {
                assert_eq!(&data[raw.range()], raw.as_bytes());
                writer.raw(key, raw).unwrap();
            }
            Err(_) => {
                copied = false;
                break;
            }
        }
    }
    writer.finish();
    if copied && dict.finish().is_ok() {
        assert!(valid);
        if options.mode() == bt::Mode::Canonical {
            assert_eq!(copy, data);
        } else {
            // The writer spells keys canonically; the values are the received bytes.
            assert_eq!(
                bt::decode_with(&copy, options),
                bt::decode_with(data, options)
            );
        }
    }
    let Ok(mut dict) = bt::DictReader::with_options(data, options) else {
        return;
    };
    if let Ok(Some(signed)) = dict.signature() {
        let end = signed.signed_range().end;
        assert_eq!(signed.signed_bytes(), &data[..end]);
        assert_eq!(&data[end..end + 3], b"1:~");
        if dict.finish().is_ok() {
            // The signature is the dictionary's last value (its length may have leading zeros
            // in lenient mode).
            assert!(valid);
            assert_eq!(
                &data[data.len() - 65..data.len() - 1],
                &signed.signature()[..]
            );
            if options.mode() == bt::Mode::Canonical {
                assert_eq!(end + 71, data.len());
            }
        }
    }
}

/// Reads `data` whole through the streaming readers, as `decode_with` does.
fn bt_walk(data: &[u8], options: bt::Options) -> Result<bt::Value<'_>, bt::Error> {
    match data.first() {
        Some(b'l') => bt_walk_list(bt::ListReader::with_options(data, options)?),
        Some(b'd') => bt_walk_dict(bt::DictReader::with_options(data, options)?),
        _ => bt::decode_with(data, options),
    }
}

fn bt_walk_list(mut list: bt::ListReader<'_>) -> Result<bt::Value<'_>, bt::Error> {
    let mut items = Vec::new();
    while let Some(kind) = list.peek_kind()? {
        items.push(match kind {
            bt::Kind::List => bt_walk_list(list.read()?)?,
            bt::Kind::Dict => bt_walk_dict(list.read()?)?,
            _ => list.read::<bt::Value>()?,
        });
    }
    list.finish()?;
    Ok(bt::Value::List(items))
}

fn bt_walk_dict(mut dict: bt::DictReader<'_>) -> Result<bt::Value<'_>, bt::Error> {
    let mut entries = bt::Dict::new();
    while let Some(kind) = dict.peek_kind()? {
        let (key, value) = match kind {
            bt::Kind::List => {
                let (key, list) = dict.read_entry()?;
                (key, bt_walk_list(list)?)
            }
            bt::Kind::Dict => {
                let (key, inner) = dict.read_entry()?;
                (key, bt_walk_dict(inner)?)
            }
            _ => dict.read_entry::<bt::Value>()?,
        };
        entries.insert(key.into(), value);
    }
    dict.finish()?;
    Ok(bt::Value::Dict(entries))
}

/// The fixed keys of the attachment targets.
const FUZZ_LEGACY_KEYS: [u8; 64] = [0x11; 64];
const FUZZ_STREAM_SEED: [u8; 32] = [0x22; 32];

/// Legacy attachment decryption. Byte 0 bit 0 clear: the rest is a download, decrypted under
/// fixed keys with its first 32 bytes as the digest and bits 2–7 as the size (0: none), one-shot
/// and streamed in pieces of `1 + byte0 % 64` bytes (both must agree). Set: the rest is
/// encrypted first (bit 1: padded), must decrypt back, and must fail with the byte at
/// `rest.len() % upload.len()` flipped.
pub fn attachment_legacy_decrypt(data: &[u8]) {
    use session_envelope::attachment::{legacy, LegacyDecryptor, LegacyKeys};
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let keys = LegacyKeys::from_bytes(FUZZ_LEGACY_KEYS);
    let streamed = |upload: &[u8], digest: &[u8; 32], size: Option<u64>| {
        let mut out = Vec::new();
        let mut sink = |b: &[u8]| out.extend_from_slice(b);
        let mut d = LegacyDecryptor::new(&keys, size);
        let piece = 1 + usize::from(mode % 64);
        upload
            .chunks(piece)
            .try_for_each(|c| d.update(c, &mut sink))
            .and_then(|()| d.finish(digest, &mut sink))
            .map(|()| out)
    };
    if mode & 1 == 0 {
        let mut digest = [0u8; 32];
        let n = rest.len().min(32);
        digest[..n].copy_from_slice(&rest[..n]);
        let size = match mode >> 2 {
            0 => None,
            s => Some(u64::from(s)),
        };
        let one_shot = legacy::decrypt(&keys, rest, &digest, size);
        assert_eq!(one_shot, streamed(rest, &digest, size));
        return;
    }
    let pad = mode & 2 != 0;
    let upload = legacy::encrypt(&keys, &[0x33; 16], rest, pad);
    let size = (!rest.is_empty()).then_some(rest.len() as u64);
    let plain = legacy::decrypt(&keys, &upload.data, &upload.digest, size).expect("opens");
    if size.is_some() || !pad {
        assert_eq!(plain, rest);
    }
    assert_eq!(
        streamed(&upload.data, &upload.digest, size).as_ref(),
        Ok(&plain)
    );
    let mut forged = upload.data.clone();
    let at = rest.len() % forged.len();
    forged[at] ^= 1;
    assert!(legacy::decrypt(&keys, &forged, &upload.digest, size).is_err());
}

/// Stream-scheme decryption. Byte 0 bit 0 clear: the rest is a download under a fixed key,
/// decrypted one-shot and streamed in pieces of `1 + byte0` bytes (both must agree). Set: the
/// rest is encrypted first (bit 1: profile-picture domain), must decrypt back, and must fail
/// with the byte at `rest.len() % upload.len()` flipped or its last byte cut.
pub fn attachment_stream_decrypt(data: &[u8]) {
    use session_envelope::attachment::{stream, Domain, StreamDecryptor, StreamKey};
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let streamed = |upload: &[u8], key: &StreamKey| {
        let mut out = Vec::new();
        let mut sink = |b: &[u8]| out.extend_from_slice(b);
        let mut d = StreamDecryptor::new(key);
        upload
            .chunks(1 + usize::from(mode))
            .try_for_each(|c| d.update(c, &mut sink))
            .and_then(|()| d.finish(&mut sink))
            .map(|()| out)
    };
    if mode & 1 == 0 {
        let key = StreamKey::from_bytes([0x44; 32]);
        let one_shot = stream::decrypt(rest, &key);
        let pieces = streamed(rest, &key);
        match (&one_shot, &pieces) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(_), Err(_)) => {}
            _ => panic!("one-shot {one_shot:?} and streamed {pieces:?} disagree"),
        }
        return;
    }
    let domain = if mode & 2 == 0 {
        Domain::Attachment
    } else {
        Domain::ProfilePicture
    };
    let upload = stream::encrypt(&FUZZ_STREAM_SEED, rest, domain).expect("small input");
    assert_eq!(
        upload.data.len() as u64,
        stream::encrypted_size(rest.len() as u64)
    );
    assert_eq!(
        stream::decrypt(&upload.data, &upload.key).as_deref(),
        Ok(rest)
    );
    assert_eq!(streamed(&upload.data, &upload.key).as_deref(), Ok(rest));
    let mut forged = upload.data.clone();
    let at = rest.len() % forged.len();
    forged[at] ^= 1;
    assert!(stream::decrypt(&forged, &upload.key).is_err());
    assert!(stream::decrypt(&upload.data[..upload.data.len() - 1], &upload.key).is_err());
}

/// An `AttachmentPointer` from protobuf bytes: what decodes re-encodes to a message that decodes
/// equal, and its scheme, voice flag and pointer-driven decryption of a fixed download answer
/// without panicking.
pub fn attachment_pointer_parse(data: &[u8]) {
    use session_envelope::attachment::url_has_stream_flag;
    use session_envelope::proto::AttachmentPointer;
    let Ok(pointer) = AttachmentPointer::decode(data) else {
        return;
    };
    let again = AttachmentPointer::decode(pointer.encode_to_vec().as_slice()).expect("re-encodes");
    assert_eq!(again, pointer);
    let _ = pointer.scheme();
    let _ = pointer.is_voice_message();
    if let Some(url) = &pointer.url {
        let _ = url_has_stream_flag(url);
    }
    assert!(pointer.decrypt(b"not an upload of either scheme").is_err());
    let _ = pointer.decrypt(data);
}

/// What one backend computes from a `backends_agree` input: every result and every error, so
/// that two backends can be compared byte for byte.
fn backend_outcome(op: u8, data: &[u8]) -> Vec<u8> {
    use session_identity::aead::{Aes256Gcm, XChaCha20Poly1305};

    fn push_result<E: core::fmt::Debug>(out: &mut Vec<u8>, result: Result<Vec<u8>, E>) {
        match result {
            Ok(bytes) => {
                out.push(0);
                out.extend_from_slice(&bytes);
            }
            Err(e) => {
                out.push(1);
                out.extend_from_slice(format!("{e:?}").as_bytes());
            }
        }
    }
    fn take<const N: usize>(data: &[u8]) -> Option<([u8; N], &[u8])> {
        let head = data.get(..N)?.try_into().ok()?;
        Some((head, &data[N..]))
    }

    let mut out = Vec::new();
    match op % 4 {
        // AES-256-GCM (12-byte nonce) and XChaCha20-Poly1305 (24): key ‖ nonce ‖ aad length
        // (1 byte) ‖ aad ‖ the rest, opened and sealed.
        op @ (0 | 1) => {
            macro_rules! aead_case {
                ($cipher:ty, $nonce_len:literal) => {{
                    let Some((key, rest)) = take::<32>(data) else {
                        return out;
                    };
                    let Some((nonce, rest)) = take::<$nonce_len>(rest) else {
                        return out;
                    };
                    let Some((&aad_len, rest)) = rest.split_first() else {
                        return out;
                    };
                    let (aad, body) = rest.split_at(usize::from(aad_len).min(rest.len()));
                    let cipher = <$cipher>::new(&key);
                    push_result(&mut out, cipher.decrypt(&nonce, aad, body));
                    let sealed = cipher.encrypt(&nonce, aad, body);
                    if let Ok(sealed) = &sealed {
                        assert_eq!(cipher.decrypt(&nonce, aad, sealed).as_deref(), Ok(body));
                    }
                    push_result(&mut out, sealed);
                }};
            }
            if op == 0 {
                aead_case!(Aes256Gcm, 12)
            } else {
                aead_case!(XChaCha20Poly1305, 24)
            }
        }
        // X25519: secret ‖ peer's u; the public key and the shared secret (or its refusal).
        2 => {
            let Some((secret, rest)) = take::<32>(data) else {
                return out;
            };
            let Some((peer, _)) = take::<32>(rest) else {
                return out;
            };
            let secret = X25519SecretKey::from_bytes(secret);
            out.extend_from_slice(secret.public_key().as_bytes());
            push_result(
                &mut out,
                secret
                    .diffie_hellman(&X25519PublicKey::from_bytes(peer))
                    .map(|shared| shared.expose_secret_bytes().to_vec()),
            );
        }
        // Ed25519: seed ‖ key ‖ signature ‖ message; the seed's signature of the message, and
        // the verdict on the given key and signature (with its reason).
        _ => {
            let Some((seed, rest)) = take::<32>(data) else {
                return out;
            };
            let Some((key, rest)) = take::<32>(rest) else {
                return out;
            };
            let Some((signature, message)) = take::<64>(rest) else {
                return out;
            };
            let signer = Identity::from_seed(Seed::from_full_bytes(seed));
            let own = signer.sign(message);
            out.extend_from_slice(own.as_bytes());
            assert_eq!(signer.ed25519_public_key().verify(message, &own), Ok(()));
            let key = Ed25519PublicKey::from_bytes(key);
            let signature = Signature::from_bytes(signature);
            push_result(
                &mut out,
                key.verify(message, &signature).map(|()| Vec::new()),
            );
            push_result(
                &mut out,
                key.verify_and_to_x25519(message, &signature)
                    .map(|x| x.as_bytes().to_vec()),
            );
        }
    }
    out
}

/// Byte 0 picks AES-256-GCM, XChaCha20-Poly1305, X25519 or Ed25519; the rest is that
/// operation's input. Every backend compiled in (pure, and native with the `native` feature)
/// must give the same bytes, the same verdicts and the same errors.
pub fn backends_agree(data: &[u8]) {
    use session_identity::backend::{self, Backend};

    let Some((&op, rest)) = data.split_first() else {
        return;
    };
    let outcomes: Vec<Vec<u8>> = Backend::ALL
        .iter()
        .map(|&each| {
            backend::set_active(each);
            backend_outcome(op, rest)
        })
        .collect();
    backend::set_active(Backend::DEFAULT);
    for (each, outcome) in Backend::ALL.iter().zip(&outcomes).skip(1) {
        assert_eq!(
            outcome, &outcomes[0],
            "{each:?} differs from the pure backend"
        );
    }
}
