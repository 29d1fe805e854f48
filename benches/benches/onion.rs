//! Onion-layer costs: one hop's encryption and decryption in each scheme, a hop key's bulk
//! AEAD throughput (1 MiB), building a 3-hop request with a 1 KiB payload and a node peeling one
//! layer (each against libsodium composed with the same JSON and framing), and how building
//! grows with the path length. Builds are also measured with precomputed tables for the path's
//! keys (`sessionkit_precomputed`), as a client that keeps its paths builds them.
//!
//! Every group measures sessionkit once per backend compiled in, the keys and requests built
//! anew under each: `sessionkit` and `sessionkit_precomputed` for the pure backend,
//! `sessionkit_native` and `sessionkit_precomputed_native` for aws-lc-rs (the `native`
//! feature). libsodium runs once.
//!
//! `cargo bench -p sessionkit-benches --bench onion`

// criterion_group! generates undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rand_core::Rng;
use sessionkit::identity::OsRng;
use sessionkit::identity::{Ed25519PublicKey, X25519SecretKey};
use sessionkit::onion::{
    hop_decrypt, hop_encrypt, Destination, EncType, Hop, HopKey, LayerFrame, NodeKeys,
    OnionRequestBuilder, PrecomputedKeys, Role,
};
use sessionkit_benches::{for_each_backend, function_name, Backend};
use sodium_peer as sodium;

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

fn from_hex(text: &str) -> Option<[u8; 32]> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let nibble = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = nibble(bytes[2 * i])? << 4 | nibble(bytes[2 * i + 1])?;
    }
    Some(out)
}

/// The hop key from libsodium: X25519, then HMAC-SHA256("LOKI") or BLAKE2b-32(s ‖ client ‖ server).
fn sodium_hop_key(
    enc: EncType,
    secret: &[u8; 32],
    client_pk: &[u8; 32],
    server_pk: &[u8; 32],
    remote: &[u8; 32],
) -> Option<[u8; 32]> {
    let shared = sodium::scalarmult(secret, remote)?;
    match enc {
        EncType::AesGcm => Some(sodium::auth_hmacsha256(b"LOKI", &shared)),
        EncType::XChaCha20 => {
            sodium::generichash_parts(32, None, &[&shared, client_pk, server_pk])?
                .try_into()
                .ok()
        }
    }
}

/// `nonce ‖ ciphertext ‖ tag` with a nonce from the OS.
fn sodium_aead_encrypt(enc: EncType, key: &[u8; 32], plaintext: &[u8]) -> Option<Vec<u8>> {
    match enc {
        EncType::XChaCha20 => {
            let mut nonce = [0u8; 24];
            OsRng.fill_bytes(&mut nonce);
            let mut out = nonce.to_vec();
            out.extend(sodium::aead_xchacha20poly1305_ietf_encrypt(
                plaintext,
                &[],
                &nonce,
                key,
            ));
            Some(out)
        }
        EncType::AesGcm => {
            let mut nonce = [0u8; 12];
            OsRng.fill_bytes(&mut nonce);
            let mut out = nonce.to_vec();
            out.extend(sodium::aead_aes256gcm_encrypt(plaintext, &[], &nonce, key)?);
            Some(out)
        }
    }
}

fn sodium_aead_decrypt(enc: EncType, key: &[u8; 32], ciphertext: &[u8]) -> Option<Vec<u8>> {
    match enc {
        EncType::XChaCha20 => {
            let nonce: [u8; 24] = ciphertext.get(..24)?.try_into().ok()?;
            sodium::aead_xchacha20poly1305_ietf_decrypt(&ciphertext[24..], &[], &nonce, key)
        }
        EncType::AesGcm => {
            let nonce: [u8; 12] = ciphertext.get(..12)?.try_into().ok()?;
            sodium::aead_aes256gcm_decrypt(&ciphertext[12..], &[], &nonce, key)
        }
    }
}

/// Hop encryption as the client (the local public key known, as libsession's
/// `HopEncryption` holds it).
fn sodium_hop_encrypt(
    enc: EncType,
    secret: &[u8; 32],
    public: &[u8; 32],
    remote: &[u8; 32],
    plaintext: &[u8],
) -> Option<Vec<u8>> {
    let key = sodium_hop_key(enc, secret, public, remote, remote)?;
    sodium_aead_encrypt(enc, &key, plaintext)
}

/// Hop decryption as the server.
fn sodium_hop_decrypt(
    enc: EncType,
    secret: &[u8; 32],
    public: &[u8; 32],
    remote: &[u8; 32],
    ciphertext: &[u8],
) -> Option<Vec<u8>> {
    let key = sodium_hop_key(enc, secret, remote, public, remote)?;
    sodium_aead_decrypt(enc, &key, ciphertext)
}

fn frame(data: &[u8], json: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + data.len() + json.len());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(data);
    out.extend_from_slice(json.as_bytes());
    out
}

/// libsession's onion builder from libsodium: the destination layer, then each hop from the
/// last to the guard under a fresh ephemeral key, with the same JSON and framing.
fn sodium_build(enc: EncType, path: &[Hop], destination: &Hop, payload: &[u8]) -> Option<Vec<u8>> {
    let enc_name = enc.as_str();
    let ephemeral = || -> Option<([u8; 32], [u8; 32])> {
        let mut secret = [0u8; 32];
        OsRng.fill_bytes(&mut secret);
        Some((secret, sodium::scalarmult_base(&secret)?))
    };
    let (secret, mut eph_pub) = ephemeral()?;
    let dest_x = destination.x25519.to_bytes();
    let mut blob = sodium_hop_encrypt(
        enc,
        &secret,
        &eph_pub,
        &dest_x,
        &frame(payload, r#"{"headers":""}"#),
    )?;
    let mut routing = format!(
        r#"{{"destination":"{}","enc_type":"{enc_name}","ephemeral_key":"{}"}}"#,
        to_hex(destination.ed25519.as_bytes()),
        to_hex(&eph_pub)
    );
    for (index, hop) in path.iter().enumerate().rev() {
        if let Some(next) = path.get(index + 1) {
            routing = format!(
                r#"{{"destination":"{}","enc_type":"{enc_name}","ephemeral_key":"{}"}}"#,
                to_hex(next.ed25519.as_bytes()),
                to_hex(&eph_pub)
            );
        }
        let data = frame(&blob, &routing);
        let (secret, public) = ephemeral()?;
        eph_pub = public;
        blob = sodium_hop_encrypt(enc, &secret, &eph_pub, &hop.x25519.to_bytes(), &data)?;
    }
    Some(frame(
        &blob,
        &format!(
            r#"{{"enc_type":"{enc_name}","ephemeral_key":"{}"}}"#,
            to_hex(&eph_pub)
        ),
    ))
}

/// A node peeling one layer with libsodium: parse the frame and its JSON (sessionkit's parser,
/// as both sides need one), derive the key, decrypt, parse the inner frame.
fn sodium_peel(enc: EncType, secret: &[u8; 32], public: &[u8; 32], body: &[u8]) -> Option<usize> {
    let outer = LayerFrame::parse(body).ok()?;
    let json = outer.json_text();
    let start = json.find(r#""ephemeral_key":""#)? + 17;
    let ephemeral = from_hex(json.get(start..start + 64)?)?;
    let inner = sodium_hop_decrypt(enc, secret, public, &ephemeral, outer.data())?;
    let frame = LayerFrame::parse(&inner).ok()?;
    Some(frame.data().len())
}

fn onion(c: &mut Criterion) {
    for_each_backend(c, body);
}

/// Every bench, its keys built under `backend`; the libsodium side on the pure pass only.
fn body(c: &mut Criterion, backend: Backend) {
    let sessionkit = function_name("sessionkit", backend);
    let sessionkit_precomputed = function_name("sessionkit_precomputed", backend);
    let pure = backend == Backend::Pure;
    let nodes: Vec<(Hop, NodeKeys, [u8; 32])> = (0..16u8)
        .map(|i| {
            let secret = X25519SecretKey::generate(&mut OsRng);
            let secret_bytes = *secret.expose_secret_bytes();
            let keys = NodeKeys::new(secret);
            (
                Hop::new(Ed25519PublicKey::from_bytes([i; 32]), *keys.public_key()),
                keys,
                secret_bytes,
            )
        })
        .collect();
    let payload = vec![0x5a_u8; 1024];
    let aes_available = sodium::aead_aes256gcm_is_available();

    let client = X25519SecretKey::generate(&mut OsRng);
    let server = X25519SecretKey::generate(&mut OsRng);
    let server_pk = server.public_key();
    let client_pk = client.public_key();
    let (client_sk, server_sk) = (*client.expose_secret_bytes(), *server.expose_secret_bytes());
    for enc in [EncType::XChaCha20, EncType::AesGcm] {
        let has_peer = enc == EncType::XChaCha20 || aes_available;
        let ct = hop_encrypt(enc, Role::Client, &client, &server_pk, &payload, &mut OsRng)
            .expect("encrypts");
        if has_peer {
            let theirs = sodium_hop_encrypt(
                enc,
                &client_sk,
                client_pk.as_bytes(),
                server_pk.as_bytes(),
                &payload,
            )
            .expect("encrypts");
            assert_eq!(
                hop_decrypt(enc, Role::Server, &server, &client_pk, &theirs).as_deref(),
                Ok(&payload[..])
            );
            assert_eq!(
                sodium_hop_decrypt(
                    enc,
                    &server_sk,
                    server_pk.as_bytes(),
                    client_pk.as_bytes(),
                    &ct
                ),
                Some(payload.clone())
            );
        }

        let mut group = c.benchmark_group(format!("hop_encrypt_1KiB_{enc}"));
        // The local public key held with the secret, as on the libsodium side (libsession's
        // `HopEncryption`); the one-shot `hop_encrypt` recomputes it.
        group.bench_function(&sessionkit, |b| {
            b.iter(|| {
                HopKey::derive_with_public(enc, Role::Client, &client, &client_pk, &server_pk)
                    .map(|key| key.encrypt(black_box(&payload), &mut OsRng))
            })
        });
        if pure && has_peer {
            group.bench_function("libsodium", |b| {
                b.iter(|| {
                    sodium_hop_encrypt(
                        enc,
                        &client_sk,
                        client_pk.as_bytes(),
                        server_pk.as_bytes(),
                        black_box(&payload),
                    )
                })
            });
        }
        group.finish();

        let mut group = c.benchmark_group(format!("hop_decrypt_1KiB_{enc}"));
        group.bench_function(&sessionkit, |b| {
            b.iter(|| {
                HopKey::derive_with_public(enc, Role::Server, &server, &server_pk, &client_pk)
                    .map(|key| key.decrypt(black_box(&ct)))
            })
        });
        if pure && has_peer {
            group.bench_function("libsodium", |b| {
                b.iter(|| {
                    sodium_hop_decrypt(
                        enc,
                        &server_sk,
                        server_pk.as_bytes(),
                        client_pk.as_bytes(),
                        black_box(&ct),
                    )
                })
            });
        }
        group.finish();
    }

    // Bulk AEAD throughput: a hop key encrypting and decrypting 1 MiB.
    let mebibyte = vec![0x5a_u8; 1 << 20];
    for enc in [EncType::XChaCha20, EncType::AesGcm] {
        if enc == EncType::AesGcm && !aes_available {
            continue;
        }
        let key = HopKey::derive_with_public(enc, Role::Client, &client, &client_pk, &server_pk)
            .expect("derives");
        let raw_key = sodium_hop_key(
            enc,
            &client_sk,
            client_pk.as_bytes(),
            server_pk.as_bytes(),
            server_pk.as_bytes(),
        )
        .expect("derives");
        let sealed = key.encrypt(&mebibyte, &mut OsRng);
        assert_eq!(
            sodium_aead_decrypt(enc, &raw_key, &sealed).as_deref(),
            Some(&mebibyte[..])
        );
        let theirs = sodium_aead_encrypt(enc, &raw_key, &mebibyte).expect("encrypts");
        assert_eq!(key.decrypt(&theirs).as_deref(), Ok(&mebibyte[..]));

        let mut group = c.benchmark_group(format!("aead_encrypt_1MiB_{enc}"));
        group.throughput(Throughput::Bytes(1 << 20));
        group.bench_function(&sessionkit, |b| {
            b.iter(|| key.encrypt(black_box(&mebibyte), &mut OsRng))
        });
        if pure {
            group.bench_function("libsodium", |b| {
                b.iter(|| sodium_aead_encrypt(enc, &raw_key, black_box(&mebibyte)))
            });
        }
        group.finish();
        let mut group = c.benchmark_group(format!("aead_decrypt_1MiB_{enc}"));
        group.throughput(Throughput::Bytes(1 << 20));
        group.bench_function(&sessionkit, |b| b.iter(|| key.decrypt(black_box(&sealed))));
        if pure {
            group.bench_function("libsodium", |b| {
                b.iter(|| sodium_aead_decrypt(enc, &raw_key, black_box(&sealed)))
            });
        }
        group.finish();
    }

    let path: Vec<Hop> = nodes[..3].iter().map(|(hop, _, _)| *hop).collect();
    let destination = nodes[3].0;
    let mut tables = PrecomputedKeys::new();
    for (hop, _, _) in &nodes {
        tables.insert(&hop.x25519);
    }
    for enc in [EncType::XChaCha20, EncType::AesGcm] {
        let has_peer = enc == EncType::XChaCha20 || aes_available;
        let builder = OnionRequestBuilder::new(Destination::ServiceNode(destination), enc)
            .path(path.iter().copied());
        let request = builder.build(&payload, &mut OsRng).expect("builds");
        let (_, guard_keys, guard_secret) = &nodes[0];
        let guard_public = guard_keys.public_key().to_bytes();
        if has_peer {
            // Each side peels the other's request.
            let theirs = sodium_build(enc, &path, &destination, &payload).expect("builds");
            assert!(guard_keys.peel(&theirs).is_ok());
            assert!(sodium_peel(enc, guard_secret, &guard_public, request.body()).is_some());
        }

        let mut group = c.benchmark_group(format!("build_3hop_1KiB_{enc}"));
        group.bench_function(&sessionkit, |b| {
            b.iter(|| builder.build(black_box(&payload), &mut OsRng))
        });
        // A client that keeps its path: tables for the three nodes and the destination.
        group.bench_function(&sessionkit_precomputed, |b| {
            b.iter(|| builder.build_precomputed(black_box(&payload), &tables, &mut OsRng))
        });
        if pure && has_peer {
            group.bench_function("libsodium", |b| {
                b.iter(|| sodium_build(enc, &path, &destination, black_box(&payload)))
            });
        }
        group.finish();

        let mut group = c.benchmark_group(format!("peel_guard_layer_{enc}"));
        group.bench_function(&sessionkit, |b| {
            b.iter(|| guard_keys.peel(black_box(request.body())))
        });
        if pure && has_peer {
            group.bench_function("libsodium", |b| {
                b.iter(|| sodium_peel(enc, guard_secret, &guard_public, black_box(request.body())))
            });
        }
        group.finish();
    }

    // How building grows with the path length (1 KiB payload, XChaCha20).
    let mut group = c.benchmark_group("build_1KiB_by_path_length");
    group
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(20);
    for hops in [1usize, 3, 6, 10, 15] {
        let path: Vec<Hop> = nodes[..hops].iter().map(|(hop, _, _)| *hop).collect();
        let destination = nodes[15].0;
        let builder =
            OnionRequestBuilder::new(Destination::ServiceNode(destination), EncType::XChaCha20)
                .path(path.iter().copied());
        group.bench_with_input(BenchmarkId::new(&sessionkit, hops), &hops, |b, _| {
            b.iter(|| builder.build(black_box(&payload), &mut OsRng))
        });
        group.bench_with_input(
            BenchmarkId::new(&sessionkit_precomputed, hops),
            &hops,
            |b, _| b.iter(|| builder.build_precomputed(black_box(&payload), &tables, &mut OsRng)),
        );
        if pure {
            group.bench_with_input(BenchmarkId::new("libsodium", hops), &hops, |b, _| {
                b.iter(|| {
                    sodium_build(EncType::XChaCha20, &path, &destination, black_box(&payload))
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, onion);
criterion_main!(benches);
