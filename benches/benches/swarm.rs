#![allow(missing_docs)]
//! Swarm lookups among 500 swarms and map building.
//!
//! The lookup runs once per backend compiled in (`sessionkit`, `sessionkit_native`), for a
//! uniform report: it does no cryptography, so the two should match. Map building runs once.
//!
//! `cargo bench -p sessionkit-benches --bench swarm`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use sessionkit::identity::{Ed25519PublicKey, Prefix, SessionId, X25519PublicKey};
use sessionkit::swarm::{ServiceNode, SwarmId, SwarmMap};
use sessionkit_benches::{for_each_backend, function_name, Backend};

/// A deterministic pseudo-random sequence (SplitMix64).
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn nodes(count: usize, swarms: usize) -> Vec<ServiceNode> {
    (0..count)
        .map(|i| {
            let mut key = [0u8; 32];
            for (j, chunk) in key.chunks_mut(8).enumerate() {
                chunk.copy_from_slice(&mix((i * 4 + j) as u64).to_le_bytes());
            }
            ServiceNode {
                ed25519: Ed25519PublicKey::from_bytes(key),
                x25519: X25519PublicKey::from_bytes(key),
                ip: [10, (i >> 16) as u8, (i >> 8) as u8, i as u8].into(),
                https_port: 22021,
                omq_port: Some(22020),
                swarm_id: Some(SwarmId::new(mix(1_000_000 + (i % swarms) as u64))),
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    for_each_backend(c, body);
}

/// The benches, the map built under `backend`; map building on the pure pass only.
fn body(c: &mut Criterion, backend: Backend) {
    let map = SwarmMap::new(&nodes(2_000, 500));
    assert_eq!(map.swarm_count(), 500);
    let ids: Vec<SessionId> = (0..256u64)
        .map(|i| {
            let mut key = [0u8; 32];
            for (j, chunk) in key.chunks_mut(8).enumerate() {
                chunk.copy_from_slice(&mix(i * 7 + j as u64).to_be_bytes());
            }
            SessionId::new(Prefix::User, key)
        })
        .collect();
    let mut next = 0usize;
    // No libsodium counterpart: a lookup is arithmetic on the swarm space, no cryptography.
    let mut group = c.benchmark_group("swarm_lookup_500");
    group.bench_function(function_name("sessionkit", backend), |b| {
        b.iter(|| {
            next = (next + 1) & 255;
            black_box(
                map.swarm_for(black_box(&ids[next]))
                    .map(|s| s.members.len()),
            )
        })
    });
    group.finish();
    if backend != Backend::Pure {
        return;
    }

    let list = nodes(2_000, 500);
    c.bench_function("SwarmMap from 2000 nodes", |b| {
        b.iter(|| black_box(SwarmMap::new(black_box(&list))))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
