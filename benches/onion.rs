//! Onion-layer costs: building a 3-hop request with a 1 KiB payload, a node peeling one layer,
//! and one hop's encryption and decryption in each scheme.
//!
//! `cargo bench --bench onion`

// criterion_group! generates undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use rand_core::OsRng;
use sessionkit::identity::{Ed25519PublicKey, X25519SecretKey};
use sessionkit::onion::{
    hop_decrypt, hop_encrypt, Destination, EncType, Hop, NodeKeys, OnionRequestBuilder, Role,
};

fn onion(c: &mut Criterion) {
    let nodes: Vec<(Hop, NodeKeys)> = (0..4u8)
        .map(|i| {
            let keys = NodeKeys::new(X25519SecretKey::generate(&mut OsRng));
            (
                Hop::new(Ed25519PublicKey::from_bytes([i; 32]), *keys.public_key()),
                keys,
            )
        })
        .collect();
    let payload = vec![0x5a_u8; 1024];

    for enc in [EncType::XChaCha20, EncType::AesGcm] {
        let builder = OnionRequestBuilder::new(Destination::ServiceNode(nodes[3].0), enc)
            .path(nodes[..3].iter().map(|(hop, _)| *hop));
        c.bench_function(&format!("build_3hop_1KiB_{enc}"), |b| {
            b.iter(|| builder.build(black_box(&payload), &mut OsRng))
        });
        let request = builder.build(&payload, &mut OsRng).expect("builds");
        c.bench_function(&format!("peel_guard_layer_{enc}"), |b| {
            b.iter(|| nodes[0].1.peel(black_box(request.body())))
        });
    }

    let client = X25519SecretKey::generate(&mut OsRng);
    let server = X25519SecretKey::generate(&mut OsRng);
    let server_pk = server.public_key();
    let client_pk = client.public_key();
    for enc in [EncType::XChaCha20, EncType::AesGcm] {
        c.bench_function(&format!("hop_encrypt_1KiB_{enc}"), |b| {
            b.iter(|| {
                hop_encrypt(
                    enc,
                    Role::Client,
                    &client,
                    &server_pk,
                    black_box(&payload),
                    &mut OsRng,
                )
            })
        });
        let ct = hop_encrypt(enc, Role::Client, &client, &server_pk, &payload, &mut OsRng)
            .expect("encrypts");
        c.bench_function(&format!("hop_decrypt_1KiB_{enc}"), |b| {
            b.iter(|| hop_decrypt(enc, Role::Server, &server, &client_pk, black_box(&ct)))
        });
    }
}

criterion_group!(benches, onion);
criterion_main!(benches);
