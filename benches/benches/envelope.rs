//! Envelope-layer costs: Session Protocol encrypt+sign and decrypt+verify at 1 KiB and 64 KiB
//! (against libsodium composed as libsession-util composes it), how they grow with the message
//! size, blinded DMs, and the full encode/decode of a stored message.
//!
//! The groups compared with libsodium measure sessionkit once per backend compiled in
//! (`sessionkit`; `sessionkit_native` with the `native` feature); blinded DMs and the stored
//! message run under the pure backend.
//!
//! `cargo bench -p sessionkit-benches --bench envelope`

// criterion_group! generates undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use sessionkit::envelope::proto::{Content, DataMessage};
use sessionkit::envelope::{blinded_dm, decode, encode, session_protocol};
use sessionkit::identity::OsRng;
use sessionkit::identity::{Ed25519PublicKey, Identity, Seed};
use sessionkit_benches::{for_each_backend, function_name, Backend};
use sodium_peer as sodium;

/// libsession's `encrypt_for_recipient` from libsodium: sign `message ‖ A ‖ Y`, then seal
/// `message ‖ A ‖ signature` to `Y`.
fn sodium_encrypt(ed_sk: &[u8; 64], recipient_x: &[u8; 32], message: &[u8]) -> Option<Vec<u8>> {
    let mut inner = Vec::with_capacity(message.len() + 96);
    inner.extend_from_slice(message);
    inner.extend_from_slice(&ed_sk[32..]);
    inner.extend_from_slice(recipient_x);
    let signature = sodium::sign_detached(&inner, ed_sk);
    inner.truncate(message.len() + 32);
    inner.extend_from_slice(&signature);
    sodium::box_seal(&inner, recipient_x)
}

/// libsession's `decrypt_incoming` + `decrypt_incoming_session_id` from libsodium: open the
/// sealed box, verify the signature over `message ‖ A ‖ Y`, convert `A` to the sender's X25519
/// key. Returns the message and the sender's X25519 key.
fn sodium_decrypt(
    x_pk: &[u8; 32],
    x_sk: &[u8; 32],
    ciphertext: &[u8],
) -> Option<(Vec<u8>, [u8; 32])> {
    let mut inner = sodium::box_seal_open(ciphertext, x_pk, x_sk)?;
    let message_len = inner.len().checked_sub(96)?;
    let sender: [u8; 32] = inner[message_len..message_len + 32].try_into().ok()?;
    let signature: [u8; 64] = inner[message_len + 32..].try_into().ok()?;
    inner.truncate(message_len + 32);
    inner.extend_from_slice(x_pk);
    if !sodium::verify_detached(&signature, &inner, &sender) {
        return None;
    }
    let sender_x = sodium::ed25519_pk_to_curve25519(&sender)?;
    inner.truncate(message_len);
    Some((inner, sender_x))
}

fn envelope(c: &mut Criterion) {
    for_each_backend(c, body);
}

/// Every bench, its objects built under `backend`; the libsodium side and the benches without
/// a libsodium counterpart on the pure pass only.
fn body(c: &mut Criterion, backend: Backend) {
    let sessionkit = function_name("sessionkit", backend);
    let pure = backend == Backend::Pure;
    let alice = Identity::from_seed(Seed::from_legacy_bytes(*b"0123456789abcdef"));
    let bob = Identity::from_seed(Seed::from_legacy_bytes(*b"fedcba9876543210"));
    let bob_x = bob.x25519_public_key();
    let alice_sk = alice.expose_ed25519_secret_key();
    let bob_x_sk = *bob.x25519_secret_key().expose_secret_bytes();

    // Each side opens the other's messages.
    let ours = session_protocol::encrypt(&alice, &bob_x, b"hi", &mut OsRng).expect("encrypts");
    let opened = sodium_decrypt(bob_x.as_bytes(), &bob_x_sk, &ours).expect("libsodium opens");
    assert_eq!(
        opened,
        (b"hi".to_vec(), alice.x25519_public_key().to_bytes())
    );
    let theirs = sodium_encrypt(&alice_sk, bob_x.as_bytes(), b"hi").expect("seals");
    let decrypted = session_protocol::decrypt(&bob, &theirs).expect("sessionkit opens");
    assert_eq!(decrypted.plaintext, b"hi");

    for (label, size) in [("1KiB", 1024usize), ("64KiB", 65536)] {
        let message = vec![0x5au8; size];
        let mut group = c.benchmark_group(format!("encrypt_sign_{label}"));
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_function(&sessionkit, |b| {
            b.iter(|| session_protocol::encrypt(&alice, &bob_x, black_box(&message), &mut OsRng))
        });
        if pure {
            group.bench_function("libsodium", |b| {
                b.iter(|| sodium_encrypt(&alice_sk, bob_x.as_bytes(), black_box(&message)))
            });
        }
        group.finish();

        let ciphertext =
            session_protocol::encrypt(&alice, &bob_x, &message, &mut OsRng).expect("encrypts");
        let mut group = c.benchmark_group(format!("decrypt_verify_{label}"));
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_function(&sessionkit, |b| {
            b.iter(|| session_protocol::decrypt(&bob, black_box(&ciphertext)))
        });
        if pure {
            group.bench_function("libsodium", |b| {
                b.iter(|| sodium_decrypt(bob_x.as_bytes(), &bob_x_sk, black_box(&ciphertext)))
            });
        }
        group.finish();
    }

    // How the cost grows with the message size.
    let mut group = c.benchmark_group("encrypt_sign_by_size");
    group
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(20);
    for size in [1usize, 1024, 16 * 1024, 256 * 1024, 1024 * 1024] {
        let message = vec![0x5au8; size];
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new(&sessionkit, size), &message, |b, m| {
            b.iter(|| session_protocol::encrypt(&alice, &bob_x, black_box(m), &mut OsRng))
        });
        if pure {
            group.bench_with_input(BenchmarkId::new("libsodium", size), &message, |b, m| {
                b.iter(|| sodium_encrypt(&alice_sk, bob_x.as_bytes(), black_box(m)))
            });
        }
    }
    group.finish();
    let mut group = c.benchmark_group("decrypt_verify_by_size");
    group
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(20);
    for size in [1usize, 1024, 16 * 1024, 256 * 1024, 1024 * 1024] {
        let ciphertext = session_protocol::encrypt(&alice, &bob_x, &vec![0x5au8; size], &mut OsRng)
            .expect("encrypts");
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new(&sessionkit, size), &ciphertext, |b, ct| {
            b.iter(|| session_protocol::decrypt(&bob, black_box(ct)))
        });
        if pure {
            group.bench_with_input(BenchmarkId::new("libsodium", size), &ciphertext, |b, ct| {
                b.iter(|| sodium_decrypt(bob_x.as_bytes(), &bob_x_sk, black_box(ct)))
            });
        }
    }
    group.finish();
    if !pure {
        return;
    }

    let server = Ed25519PublicKey::from_bytes([0x42; 32]);
    let a_id = alice.blind25_key_pair(&server).blinded_id();
    let b_id = bob.blind25_key_pair(&server).blinded_id();
    let message = vec![0x5au8; 1024];
    let mut group = c.benchmark_group("blinded_dm_25");
    group.bench_function("encrypt_1KiB", |b| {
        b.iter(|| blinded_dm::encrypt(&alice, &server, &b_id, black_box(&message), &mut OsRng))
    });
    let ciphertext =
        blinded_dm::encrypt(&alice, &server, &b_id, &message, &mut OsRng).expect("encrypts");
    group.bench_function("decrypt_1KiB", |b| {
        b.iter(|| blinded_dm::decrypt(&bob, &server, &a_id, &b_id, black_box(&ciphertext)))
    });
    group.finish();

    let content = Content {
        data_message: Some(DataMessage {
            body: Some("x".repeat(1000)),
            ..DataMessage::default()
        }),
        ..Content::default()
    };
    let mut group = c.benchmark_group("message");
    group.bench_function("encode_1KB_text", |b| {
        b.iter(|| {
            encode(
                black_box(&content),
                &alice,
                &bob_x,
                1_700_000_000_000,
                &mut OsRng,
            )
        })
    });
    let stored = encode(&content, &alice, &bob_x, 1_700_000_000_000, &mut OsRng).expect("encodes");
    group.bench_function("decode_1KB_text", |b| {
        b.iter(|| decode(black_box(&stored), &bob))
    });
    group.finish();
}

criterion_group!(benches, envelope);
criterion_main!(benches);
