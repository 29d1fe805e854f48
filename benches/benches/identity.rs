//! Identity-layer costs: seed → Session ID, Ed25519 → X25519, blinded key pairs and IDs,
//! blinded signatures, recovery phrases.
//!
//! Groups with a `sessionkit` and a `libsodium` function compare the same operation, the
//! libsodium side composed from libsodium's primitives as libsession-util composes it.
//! Those groups measure sessionkit once per backend compiled in (`sessionkit`,
//! `sessionkit_precomputed`; `sessionkit_native`, `sessionkit_precomputed_native` with the
//! `native` feature); the other benches run under the pure backend.
//!
//! `cargo bench -p sessionkit-benches --bench identity`

// criterion_group! generates undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use sessionkit::identity::{
    blinding, mnemonic, Ed25519PublicKey, Identity, PrecomputedX25519PublicKey, Seed,
};
use sessionkit_benches::{for_each_backend, function_name, Backend};
use sodium_peer as sodium;

/// libsodium's Session ID bytes of a 16-byte legacy seed: `05 ‖ X25519(Ed25519(seed ‖ 0^16))`.
fn sodium_session_id(legacy: &[u8; 16]) -> Option<[u8; 33]> {
    let mut seed = [0u8; 32];
    seed[..16].copy_from_slice(legacy);
    let (pk, _sk) = sodium::sign_seed_keypair(&seed);
    let x = sodium::ed25519_pk_to_curve25519(&pk)?;
    let mut id = [0u8; 33];
    id[0] = 0x05;
    id[1..].copy_from_slice(&x);
    Some(id)
}

/// Which libsession blinding to compose.
#[derive(Clone, Copy)]
enum Blind {
    B15,
    B25,
}

/// libsession's `blind15_sign` / `blind25_sign` composed from libsodium: derive the blinded key
/// pair from the Ed25519 secret key, then sign with the reference's deterministic nonce.
fn sodium_blind_sign(
    kind: Blind,
    ed_sk: &[u8; 64],
    server_pk: &[u8; 32],
    message: &[u8],
) -> Option<[u8; 64]> {
    let x_sk = sodium::ed25519_sk_to_curve25519(ed_sk);
    let mut ed_pk = [0u8; 32];
    ed_pk.copy_from_slice(&ed_sk[32..]);
    let (a, big_a, r_hash) = match kind {
        Blind::B15 => {
            let k_hash: [u8; 64] = sodium::generichash(64, None, server_pk)?.try_into().ok()?;
            let k = sodium::core_ed25519_scalar_reduce(&k_hash);
            let a = sodium::core_ed25519_scalar_mul(&k, &x_sk);
            let big_a = sodium::scalarmult_ed25519_base_noclamp(&a)?;
            let sk_hash = sodium::hash_sha512(ed_sk);
            let r_hash = sodium::hash_sha512_parts(&[&sk_hash[32..], &big_a, message]);
            (a, big_a, r_hash)
        }
        Blind::B25 => {
            let x_pk = sodium::ed25519_pk_to_curve25519(&ed_pk)?;
            let k_hash: [u8; 64] =
                sodium::generichash_parts(64, None, &[&[0x05], &x_pk, server_pk])?
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
                &[&seed_hash, &big_a, message],
            )?
            .try_into()
            .ok()?;
            (a, big_a, r_hash)
        }
    };
    let r = sodium::core_ed25519_scalar_reduce(&r_hash);
    let big_r = sodium::scalarmult_ed25519_base_noclamp(&r)?;
    let hram =
        sodium::core_ed25519_scalar_reduce(&sodium::hash_sha512_parts(&[&big_r, &big_a, message]));
    let s = sodium::core_ed25519_scalar_add(&sodium::core_ed25519_scalar_mul(&hram, &a), &r);
    let mut signature = [0u8; 64];
    signature[..32].copy_from_slice(&big_r);
    signature[32..].copy_from_slice(&s);
    Some(signature)
}

fn identity(c: &mut Criterion) {
    for_each_backend(c, body);
}

/// Every bench, its objects built under `backend`; the libsodium side and the benches without
/// a libsodium counterpart on the pure pass only.
fn body(c: &mut Criterion, backend: Backend) {
    let sessionkit = function_name("sessionkit", backend);
    let pure = backend == Backend::Pure;
    let seed_bytes = *b"0123456789abcdef";
    let alice = Identity::from_seed(Seed::from_legacy_bytes(seed_bytes));
    let server = Ed25519PublicKey::from_bytes([0xa0; 32]);
    let message = [0x42u8; 64];
    let ed_pk = alice.ed25519_public_key();
    let session_id = alice.session_id();
    let ed_sk = alice.expose_ed25519_secret_key();

    // The two sides compute the same bytes.
    assert_eq!(sodium_session_id(&seed_bytes), Some(session_id.to_bytes()));
    assert_eq!(
        sodium::ed25519_pk_to_curve25519(ed_pk.as_bytes()),
        ed_pk.to_x25519().ok().map(|x| x.to_bytes())
    );

    let mut group = c.benchmark_group("ed25519_to_x25519");
    group.bench_function(&sessionkit, |b| b.iter(|| black_box(&ed_pk).to_x25519()));
    if pure {
        group.bench_function("libsodium", |b| {
            b.iter(|| sodium::ed25519_pk_to_curve25519(black_box(ed_pk.as_bytes())))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("seed_to_session_id");
    group.bench_function(&sessionkit, |b| {
        b.iter(|| Identity::from_seed(Seed::from_legacy_bytes(black_box(seed_bytes))).session_id())
    });
    if pure {
        group.bench_function("libsodium", |b| {
            b.iter(|| sodium_session_id(black_box(&seed_bytes)))
        });
    }
    group.finish();

    // The exchange every sealed box and onion layer costs, and the same through a table built
    // beforehand (what a client keeps for the nodes of its paths).
    let bob = Identity::from_seed(Seed::from_legacy_bytes(*b"fedcba9876543210"));
    let bob_x = bob.x25519_public_key();
    let alice_x_sk = alice.x25519_secret_key();
    let bob_table = PrecomputedX25519PublicKey::new(&bob_x);
    let shared = alice_x_sk.diffie_hellman(&bob_x).expect("not small order");
    assert_eq!(
        sodium::scalarmult(alice_x_sk.expose_secret_bytes(), bob_x.as_bytes()).as_ref(),
        Some(shared.expose_secret_bytes())
    );
    assert_eq!(
        alice_x_sk
            .diffie_hellman_precomputed(&bob_table)
            .expect("not small order")
            .expose_secret_bytes(),
        shared.expose_secret_bytes()
    );
    let mut group = c.benchmark_group("x25519");
    group.bench_function(&sessionkit, |b| {
        b.iter(|| alice_x_sk.diffie_hellman(black_box(&bob_x)))
    });
    group.bench_function(function_name("sessionkit_precomputed", backend), |b| {
        b.iter(|| alice_x_sk.diffie_hellman_precomputed(black_box(&bob_table)))
    });
    if pure {
        group.bench_function("libsodium", |b| {
            b.iter(|| {
                sodium::scalarmult(
                    alice_x_sk.expose_secret_bytes(),
                    black_box(bob_x.as_bytes()),
                )
            })
        });
    }
    group.finish();
    if pure {
        c.bench_function("x25519_precompute_table", |b| {
            b.iter(|| PrecomputedX25519PublicKey::new(black_box(&bob_x)))
        });
    }

    // A plain Ed25519 signature (deterministic: both sides give the same bytes).
    assert_eq!(
        alice.sign(&message).to_bytes(),
        sodium::sign_detached(&message, &ed_sk)
    );
    let mut group = c.benchmark_group("ed25519_sign_64B");
    group.bench_function(&sessionkit, |b| b.iter(|| alice.sign(black_box(&message))));
    if pure {
        group.bench_function("libsodium", |b| {
            b.iter(|| sodium::sign_detached(black_box(&message), &ed_sk))
        });
    }
    group.finish();

    // Verification with libsodium's rules: a short message, and one the size of a 100-member
    // keys message (where the SHA-512 of the message weighs).
    for (name, length) in [
        ("ed25519_verify_64B", 64usize),
        ("ed25519_verify_7KiB", 7 * 1024),
    ] {
        let signed: Vec<u8> = (0..length).map(|i| i as u8).collect();
        let signature = alice.sign(&signed);
        let public = alice.ed25519_public_key();
        assert!(sodium::verify_detached(
            signature.as_bytes(),
            &signed,
            public.as_bytes()
        ));
        let mut group = c.benchmark_group(name);
        group.bench_function(&sessionkit, |b| {
            b.iter(|| public.verify(black_box(&signed), &signature))
        });
        if pure {
            group.bench_function("libsodium", |b| {
                b.iter(|| {
                    sodium::verify_detached(
                        signature.as_bytes(),
                        black_box(&signed),
                        public.as_bytes(),
                    )
                })
            });
        }
        group.finish();
    }

    // A blinded signature as libsession makes it: blinded key pair derived, then signed.
    for (name, kind) in [
        ("blind15_sign_64B", Blind::B15),
        ("blind25_sign_64B", Blind::B25),
    ] {
        let ours = match kind {
            Blind::B15 => alice.blind15_key_pair(&server).sign(&message),
            Blind::B25 => alice.blind25_key_pair(&server).sign(&message),
        };
        assert_eq!(
            sodium_blind_sign(kind, &ed_sk, server.as_bytes(), &message),
            Some(*ours.as_bytes()),
            "{name}: libsodium composition differs"
        );
        let mut group = c.benchmark_group(name);
        group.bench_function(&sessionkit, |b| {
            b.iter(|| match kind {
                Blind::B15 => alice.blind15_key_pair(black_box(&server)).sign(&message),
                Blind::B25 => alice.blind25_key_pair(black_box(&server)).sign(&message),
            })
        });
        if pure {
            group.bench_function("libsodium", |b| {
                b.iter(|| sodium_blind_sign(kind, &ed_sk, black_box(server.as_bytes()), &message))
            });
        }
        group.finish();
    }
    if !pure {
        return;
    }

    let mut group = c.benchmark_group("blind15");
    group.bench_function("key_pair", |b| {
        b.iter(|| alice.blind15_key_pair(black_box(&server)))
    });
    let kp15 = alice.blind15_key_pair(&server);
    group.bench_function("sign_64B", |b| b.iter(|| kp15.sign(black_box(&message))));
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
