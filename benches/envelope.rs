//! Envelope-layer costs: Session Protocol encrypt+sign and decrypt+verify at 1 KiB and 64 KiB,
//! blinded DMs, and the full encode/decode of a stored message.
//!
//! `cargo bench --bench envelope`

// criterion_group! generates undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rand_core::OsRng;
use sessionkit::envelope::proto::{Content, DataMessage};
use sessionkit::envelope::{blinded_dm, decode, encode, session_protocol};
use sessionkit::identity::{Ed25519PublicKey, Identity, Seed};

fn envelope(c: &mut Criterion) {
    let alice = Identity::from_seed(Seed::from_legacy_bytes(*b"0123456789abcdef"));
    let bob = Identity::from_seed(Seed::from_legacy_bytes(*b"fedcba9876543210"));
    let bob_x = bob.x25519_public_key();

    let mut group = c.benchmark_group("session_protocol");
    for (label, size) in [("1KiB", 1024usize), ("64KiB", 65536)] {
        let message = vec![0x5au8; size];
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new("encrypt_sign", label), &message, |b, m| {
            b.iter(|| session_protocol::encrypt(&alice, &bob_x, black_box(m), &mut OsRng))
        });
        let ciphertext =
            session_protocol::encrypt(&alice, &bob_x, &message, &mut OsRng).expect("encrypts");
        group.bench_with_input(
            BenchmarkId::new("decrypt_verify", label),
            &ciphertext,
            |b, ct| b.iter(|| session_protocol::decrypt(&bob, black_box(ct))),
        );
    }
    group.finish();

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
