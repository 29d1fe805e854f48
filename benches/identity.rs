//! Identity-layer costs: seed → Session ID, Ed25519 → X25519, blinded key pairs and IDs,
//! blinded signatures, recovery phrases.
//!
//! `cargo bench --bench identity`

// criterion_group! generates undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use sessionkit::identity::{blinding, mnemonic, Ed25519PublicKey, Identity, Seed};

fn identity(c: &mut Criterion) {
    let seed_bytes = *b"0123456789abcdef";
    let alice = Identity::from_seed(Seed::from_legacy_bytes(seed_bytes));
    let server = Ed25519PublicKey::from_bytes([0xa0; 32]);
    let message = [0x42u8; 64];
    let ed_pk = alice.ed25519_public_key();
    let session_id = alice.session_id();

    c.bench_function("seed_to_session_id", |b| {
        b.iter(|| Identity::from_seed(Seed::from_legacy_bytes(black_box(seed_bytes))).session_id())
    });
    c.bench_function("ed25519_pk_to_x25519_pk", |b| {
        b.iter(|| black_box(&ed_pk).to_x25519())
    });
    c.bench_function("ed25519_sign_64B", |b| {
        b.iter(|| alice.sign(black_box(&message)))
    });

    let mut group = c.benchmark_group("blind15");
    group.bench_function("key_pair", |b| {
        b.iter(|| alice.blind15_key_pair(black_box(&server)))
    });
    let kp15 = alice.blind15_key_pair(&server);
    group.bench_function("sign_64B", |b| b.iter(|| kp15.sign(black_box(&message))));
    group.bench_function("key_pair_and_sign_64B", |b| {
        b.iter(|| alice.blind15_key_pair(black_box(&server)).sign(&message))
    });
    group.bench_function("ids_from_session_id", |b| {
        b.iter(|| blinding::blind15_ids_from_session_id(black_box(&session_id), &server))
    });
    group.finish();

    let mut group = c.benchmark_group("blind25");
    group.bench_function("key_pair", |b| {
        b.iter(|| alice.blind25_key_pair(black_box(&server)))
    });
    let kp25 = alice.blind25_key_pair(&server);
    group.bench_function("sign_64B", |b| b.iter(|| kp25.sign(black_box(&message))));
    group.bench_function("key_pair_and_sign_64B", |b| {
        b.iter(|| alice.blind25_key_pair(black_box(&server)).sign(&message))
    });
    group.bench_function("id_from_session_id", |b| {
        b.iter(|| blinding::blind25_id_from_session_id(black_box(&session_id), &server))
    });
    group.finish();

    let phrase = alice.recovery_phrase();
    let mut group = c.benchmark_group("recovery_phrase");
    group.bench_function("encode_16B", |b| {
        b.iter(|| mnemonic::encode(black_box(&seed_bytes), true))
    });
    group.bench_function("decode_13_words", |b| {
        b.iter(|| mnemonic::decode(black_box(phrase.expose_secret())))
    });
    group.finish();
}

criterion_group!(benches, identity);
criterion_main!(benches);
