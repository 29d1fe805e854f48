//! Community costs: signing one request with a 25-blinded key, and reading a `messages` reply.
//!
//! - `community_sign_25_1KiB`: the `X-SOGS-*` signature of a `POST` with a 1 KiB body, the
//!   BLAKE2b-64 body hash included. `sessionkit` derives the 25-blinded key pair and signs,
//!   as `libsodium` (composed as libsession's `blind25_sign` composes it: the key pair from the
//!   Ed25519 secret key on every call) does; `sessionkit_precomputed` signs with a
//!   `Signer` made once, as a `Community` keeps it. The signatures are byte-identical (the
//!   blind25 nonce is deterministic), which the bench checks first.
//! - `community_parse_messages_256`: a `messages/since` reply of 256 messages (about 300 KB of
//!   JSON) read into typed messages (`sessionkit`), next to parsing the same bytes into an
//!   untyped `serde_json::Value` (`serde_json_value`) for scale. No libsodium counterpart.
//!
//! The sessionkit functions run once per backend compiled in, the identity and signer built
//! anew under each: `sessionkit`, `sessionkit_precomputed` for the pure backend,
//! `sessionkit_native`, `sessionkit_precomputed_native` for aws-lc-rs (the `native` feature).
//! `libsodium` and `serde_json_value` run once.
//!
//! `cargo bench -p sessionkit-benches --bench community`

// criterion_group! generates undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sessionkit::community::auth::{signature_message, signed_path};
use sessionkit::community::request::{Body, Call, GetMessages, MessageRange};
use sessionkit::community::{AuthKind, RoomToken, ServerKey, Signer};
use sessionkit::identity::{Identity, Seed};
use sessionkit_benches::{for_each_backend, function_name, Backend};
use sodium_peer as sodium;

/// libsession's `blind25_sign` over the request message, composed from libsodium: the body
/// hash and the message bytes, the 25-blinded key pair from the Ed25519 secret key, then the
/// signature with the reference's deterministic nonce.
#[allow(clippy::too_many_arguments)]
fn sodium_sign_request_25(
    ed_sk: &[u8; 64],
    server_pk: &[u8; 32],
    nonce: &[u8; 16],
    timestamp: &str,
    method: &str,
    path: &[u8],
    body: &[u8],
) -> Option<[u8; 64]> {
    let mut message =
        Vec::with_capacity(32 + 16 + timestamp.len() + method.len() + path.len() + 64);
    message.extend_from_slice(server_pk);
    message.extend_from_slice(nonce);
    message.extend_from_slice(timestamp.as_bytes());
    message.extend_from_slice(method.as_bytes());
    message.extend_from_slice(path);
    if !body.is_empty() {
        message.extend_from_slice(&sodium::generichash(64, None, body)?);
    }
    let x_sk = sodium::ed25519_sk_to_curve25519(ed_sk);
    let mut ed_pk = [0u8; 32];
    ed_pk.copy_from_slice(&ed_sk[32..]);
    let x_pk = sodium::ed25519_pk_to_curve25519(&ed_pk)?;
    let k_hash: [u8; 64] = sodium::generichash_parts(64, None, &[&[0x05], &x_pk, server_pk])?
        .try_into()
        .ok()?;
    let mut k = sodium::core_ed25519_scalar_reduce(&k_hash);
    if ed_pk[31] & 0x80 != 0 {
        k = sodium::core_ed25519_scalar_negate(&k);
    }
    let a = sodium::core_ed25519_scalar_mul(&k, &x_sk);
    let big_a = sodium::scalarmult_ed25519_base_noclamp(&a)?;
    let seed_hash = sodium::generichash(32, Some(b"SessCommBlind25_seed"), &ed_sk[..32])?;
    let r_hash: [u8; 64] = sodium::generichash_parts(
        64,
        Some(b"SessCommBlind25_sig"),
        &[&seed_hash, &big_a, &message],
    )?
    .try_into()
    .ok()?;
    let r = sodium::core_ed25519_scalar_reduce(&r_hash);
    let big_r = sodium::scalarmult_ed25519_base_noclamp(&r)?;
    let hram =
        sodium::core_ed25519_scalar_reduce(&sodium::hash_sha512_parts(&[&big_r, &big_a, &message]));
    let s = sodium::core_ed25519_scalar_add(&sodium::core_ed25519_scalar_mul(&hram, &a), &r);
    let mut signature = [0u8; 64];
    signature[..32].copy_from_slice(&big_r);
    signature[32..].copy_from_slice(&s);
    Some(signature)
}

/// A `messages/since` reply of `count` messages, each with 560 bytes of data (a padded
/// `Content` of a few hundred bytes) and a reaction: about 1.2 KB of JSON per message.
fn messages_reply(count: u64) -> Vec<u8> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let sender = format!("25{}", "9c".repeat(32));
    let reactor = format!("15{}", "3e".repeat(32));
    let entries: Vec<String> = (1..=count)
        .map(|i| {
            let data = b64.encode(vec![(i % 251) as u8; 560]);
            let signature = b64.encode([(i % 7) as u8; 64]);
            format!(
                r#"{{"id":{i},"session_id":"{sender}","posted":1700000000.{i:03},"seqno":{},"data":"{data}","signature":"{signature}","reactions":{{"👍":{{"index":0,"count":2,"reactors":["{reactor}","{sender}"]}}}}}}"#,
                i + 1000
            )
        })
        .collect();
    format!("[{}]", entries.join(",")).into_bytes()
}

fn community(c: &mut Criterion) {
    for_each_backend(c, body);
}

/// Both groups, the identity and signer built under `backend`; the libsodium and serde_json
/// functions on the pure pass only.
fn body(c: &mut Criterion, backend: Backend) {
    let sessionkit = function_name("sessionkit", backend);
    let pure = backend == Backend::Pure;
    let alice = Identity::from_seed(Seed::from_legacy_bytes(*b"0123456789abcdef"));
    let ed_sk = alice.expose_ed25519_secret_key();
    let server = ServerKey::from_bytes([0xa0; 32]);
    let nonce = [0x5a; 16];
    let timestamp = 1_700_000_000u64;
    let path = signed_path("/room/lobby/message").expect("a valid endpoint");
    let body = vec![0x42u8; 1024];

    let signer = Signer::new(&alice, &server, AuthKind::Blind25);
    let ours = signer.sign_request("POST", &path, &body, timestamp, nonce);
    let theirs = sodium_sign_request_25(
        &ed_sk,
        server.as_bytes(),
        &nonce,
        "1700000000",
        "POST",
        &path,
        &body,
    );
    assert_eq!(
        theirs,
        Some(ours.signature.to_bytes()),
        "libsodium composition differs"
    );
    let message = signature_message(&server, &nonce, "1700000000", "POST", &path, &body);
    sessionkit::identity::Ed25519PublicKey::from_bytes(*ours.pubkey.key_bytes())
        .verify(&message, &ours.signature)
        .expect("the signature verifies");

    let mut group = c.benchmark_group("community_sign_25_1KiB");
    group.bench_function(&sessionkit, |b| {
        b.iter(|| {
            Signer::new(&alice, black_box(&server), AuthKind::Blind25).sign_request(
                "POST",
                &path,
                black_box(&body),
                timestamp,
                nonce,
            )
        })
    });
    group.bench_function(function_name("sessionkit_precomputed", backend), |b| {
        b.iter(|| signer.sign_request("POST", &path, black_box(&body), timestamp, nonce))
    });
    if pure {
        group.bench_function("libsodium", |b| {
            b.iter(|| {
                sodium_sign_request_25(
                    &ed_sk,
                    black_box(server.as_bytes()),
                    &nonce,
                    "1700000000",
                    "POST",
                    &path,
                    black_box(&body),
                )
            })
        });
    }
    group.finish();

    let reply = messages_reply(256);
    let call = GetMessages {
        room: RoomToken::new("lobby").expect("a valid token"),
        range: MessageRange::Since(1000),
        limit: Some(256),
        reactors: Some(5),
    };
    let parsed = call.read(200, Body::Raw(&reply)).expect("the reply parses");
    assert_eq!(parsed.len(), 256);
    if pure {
        println!(
            "community_parse_messages_256: {} bytes of JSON",
            reply.len()
        );
    }
    let mut group = c.benchmark_group("community_parse_messages_256");
    group
        .throughput(Throughput::Bytes(reply.len() as u64))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30);
    group.bench_function(&sessionkit, |b| {
        b.iter(|| call.read(200, Body::Raw(black_box(&reply))))
    });
    if pure {
        group.bench_function("serde_json_value", |b| {
            b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(&reply)))
        });
    }
    group.finish();
}

criterion_group!(benches, community);
criterion_main!(benches);
