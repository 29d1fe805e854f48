//! Closed-group costs against libsodium composed the same way: a 1 KiB group message sealed
//! and opened (Ed25519 sign/verify, XChaCha20-Poly1305, the sender's X25519 key), a rekey for
//! 100 members (per member one X25519 exchange, one BLAKE2b, one 32-byte seal; then one
//! signature over the message) and a member loading that keys message (verify, one exchange,
//! one hash, opening entries until its own), and reading a poll of 1,000 messages from ten
//! members (sessionkit verifies the signatures as one batch; libsodium one by one).
//!
//! The libsodium side does only the cryptography: no bt-encoding parse, no junk stream, no
//! zstd attempt.
//!
//! Every group measures sessionkit once per backend compiled in, the identities and keys built
//! anew under each: `sessionkit`, `sessionkit_with_zstd_attempt`, `sessionkit_one_by_one` for
//! the pure backend, the same with `_native` for aws-lc-rs (the `native` feature). libsodium
//! runs once.
//!
//! `cargo bench -p sessionkit-benches --bench groups`

// criterion_group! generates undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sessionkit::envelope::group::{self, EncryptOptions, GroupEncryptionKey};
use sessionkit::groups::{rekey, GroupSecret, Keys};
use sessionkit::identity::{Identity, Seed, SessionId};
use sessionkit_benches::{for_each_backend, function_name, Backend};
use sodium_peer as sodium;

const MESSAGE_LEN: usize = 1024;
const MEMBERS: usize = 100;
const POLL_LEN: usize = 1000;
const POLL_SENDERS: usize = 10;
const MEMBER_DOMAIN: &[u8] = b"SessionGroupKeyMemberKey";

fn person(i: u8) -> Identity {
    Identity::from_seed(Seed::from_full_bytes([i; 32]))
}

/// The group message as libsodium would make it: sign the data, the bt-dictionary written by
/// hand, zero padding to 256, XChaCha20-Poly1305 under the group key, `nonce ‖ ciphertext`.
fn sodium_seal(
    key: &[u8; 32],
    sk: &[u8; 64],
    pk: &[u8; 32],
    data: &[u8],
    nonce: &[u8; 24],
) -> Vec<u8> {
    let signature = sodium::sign_detached(data, sk);
    let mut dict = b"d0:i1e1:a32:".to_vec();
    dict.extend_from_slice(pk);
    dict.extend_from_slice(format!("1:d{}:", data.len()).as_bytes());
    dict.extend_from_slice(data);
    dict.extend_from_slice(b"1:s64:");
    dict.extend_from_slice(&signature);
    dict.push(b'e');
    let total = dict.len() + 40;
    if !total.is_multiple_of(256) {
        dict.resize(dict.len() + 256 - total % 256, 0);
    }
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sodium::aead_xchacha20poly1305_ietf_encrypt(
        &dict, b"", nonce, key,
    ));
    out
}

/// Opens what [`sodium_seal`] made: decrypt, read the fields at their fixed places, verify,
/// and convert the sender's key to X25519 (the Session ID).
fn sodium_open(key: &[u8; 32], sealed: &[u8], data_len: usize) -> Option<Vec<u8>> {
    let nonce: [u8; 24] = sealed[..24].try_into().ok()?;
    let dict = sodium::aead_xchacha20poly1305_ietf_decrypt(&sealed[24..], b"", &nonce, key)?;
    let pk: [u8; 32] = dict[12..44].try_into().ok()?;
    let header = format!("1:d{data_len}:").len();
    let data = &dict[44 + header..44 + header + data_len];
    let sig_at = 44 + header + data_len + 6;
    let signature: [u8; 64] = dict[sig_at..sig_at + 64].try_into().ok()?;
    sodium::verify_detached(&signature, data, &pk).then_some(())?;
    sodium::ed25519_pk_to_curve25519(&pk)?;
    Some(data.to_vec())
}

fn messages(c: &mut Criterion) {
    for_each_backend(c, messages_under);
}

/// The message groups under `backend`; the libsodium side on the pure pass only.
fn messages_under(c: &mut Criterion, backend: Backend) {
    sodium::init();
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let sender = person(1);
    let key_bytes = [0x24u8; 32];
    let key = GroupEncryptionKey::from_bytes(key_bytes);
    let data: Vec<u8> = (0..MESSAGE_LEN).map(|i| (i * 131 % 251) as u8).collect();
    let plain = EncryptOptions {
        compress: false,
        ..EncryptOptions::default()
    };
    let sk = sender.expose_ed25519_secret_key();
    let pk = sender.ed25519_public_key().to_bytes();
    let nonce = [7u8; 24];

    let ours = group::encrypt(&key, &sender, &data, plain, &mut rng).expect("seals");
    let theirs = sodium_seal(&key_bytes, &sk, &pk, &data, &nonce);
    assert_eq!(
        ours.len(),
        theirs.len(),
        "the same message size on both sides"
    );
    assert_eq!(
        group::decrypt([&key], &theirs)
            .expect("ours opens libsodium's")
            .plaintext,
        data
    );
    assert_eq!(
        sodium_open(&key_bytes, &ours, data.len()).expect("libsodium opens ours"),
        data
    );

    let mut g = c.benchmark_group("group_message_encrypt_1024");
    g.throughput(Throughput::Bytes(MESSAGE_LEN as u64));
    g.bench_function(function_name("sessionkit", backend), |b| {
        b.iter(|| group::encrypt(&key, &sender, black_box(&data), plain, &mut rng))
    });
    g.bench_function(
        function_name("sessionkit_with_zstd_attempt", backend),
        |b| {
            b.iter(|| {
                group::encrypt(
                    &key,
                    &sender,
                    black_box(&data),
                    EncryptOptions::default(),
                    &mut rng,
                )
            })
        },
    );
    if backend == Backend::Pure {
        g.bench_function("libsodium", |b| {
            b.iter(|| sodium_seal(&key_bytes, &sk, &pk, black_box(&data), &nonce))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("group_message_decrypt_1024");
    g.throughput(Throughput::Bytes(MESSAGE_LEN as u64));
    g.bench_function(function_name("sessionkit", backend), |b| {
        b.iter(|| group::decrypt([&key], black_box(&ours)))
    });
    if backend == Backend::Pure {
        g.bench_function("libsodium", |b| {
            b.iter(|| sodium_open(&key_bytes, black_box(&theirs), MESSAGE_LEN))
        });
    }
    g.finish();
}

/// Reading a poll of [`POLL_LEN`] messages from [`POLL_SENDERS`] members: sessionkit checks the
/// signatures as one batch, libsodium one by one (verify, then the sender's X25519 key, as
/// libsession does for each message).
fn poll(c: &mut Criterion) {
    for_each_backend(c, poll_under);
}

/// The poll group under `backend`; the libsodium side on the pure pass only.
fn poll_under(c: &mut Criterion, backend: Backend) {
    sodium::init();
    let key_bytes = [0x24u8; 32];
    let key = GroupEncryptionKey::from_bytes(key_bytes);
    let senders: Vec<Identity> = (0..POLL_SENDERS).map(|i| person(40 + i as u8)).collect();
    let mut polled = Vec::with_capacity(POLL_LEN);
    for i in 0..POLL_LEN {
        let sender = &senders[i % POLL_SENDERS];
        let data: Vec<u8> = (0..MESSAGE_LEN)
            .map(|j| ((i + j * 131) % 251) as u8)
            .collect();
        let mut nonce = [0u8; 24];
        nonce[..8].copy_from_slice(&(i as u64).to_le_bytes());
        polled.push(sodium_seal(
            &key_bytes,
            &sender.expose_ed25519_secret_key(),
            &sender.ed25519_public_key().to_bytes(),
            &data,
            &nonce,
        ));
    }
    let refs: Vec<&[u8]> = polled.iter().map(Vec::as_slice).collect();
    let batch = group::decrypt_batch([&key], &refs);
    for (message, verdict) in refs.iter().zip(&batch) {
        assert_eq!(*verdict, group::decrypt([&key], message), "same verdicts");
        assert!(verdict.is_ok());
    }

    let mut g = c.benchmark_group("group_poll_1000");
    g.throughput(Throughput::Elements(POLL_LEN as u64));
    g.sample_size(10);
    g.bench_function(function_name("sessionkit", backend), |b| {
        b.iter(|| group::decrypt_batch([&key], black_box(&refs)))
    });
    g.bench_function(function_name("sessionkit_one_by_one", backend), |b| {
        b.iter(|| {
            refs.iter()
                .map(|m| group::decrypt([&key], black_box(m)))
                .collect::<Vec<_>>()
        })
    });
    if backend == Backend::Pure {
        g.bench_function("libsodium", |b| {
            b.iter(|| {
                refs.iter()
                    .map(|m| sodium_open(&key_bytes, black_box(m), MESSAGE_LEN))
                    .collect::<Vec<_>>()
            })
        });
    }
    g.finish();
}

fn keys(c: &mut Criterion) {
    for_each_backend(c, keys_under);
}

/// The rekey and key-load groups under `backend`; the libsodium side on the pure pass only.
fn keys_under(c: &mut Criterion, backend: Backend) {
    sodium::init();
    let secret = GroupSecret::from_seed([9u8; 32]);
    let people: Vec<Identity> = (0..MEMBERS as u8)
        .map(|i| person(i.wrapping_add(20)))
        .collect();
    let ids: Vec<SessionId> = people.iter().map(Identity::session_id).collect();
    let message = rekey(&secret, 1, &ids).message;
    let group_sk = secret.identity().expose_ed25519_secret_key();
    let group_x_sk = sodium::ed25519_sk_to_curve25519(&group_sk);
    let group_x_pk = secret.x25519_public_key().to_bytes();
    let nonce = [3u8; 24];
    let enc_key = [5u8; 32];

    // libsodium's rekey: the key hash, the admins' copy, one entry per member, the signature.
    let sodium_rekey = |members: &[SessionId]| -> (Vec<Vec<u8>>, [u8; 64]) {
        let mut hex = Vec::new();
        for m in members {
            hex.extend_from_slice(m.to_hex().as_bytes());
        }
        let _h1 = sodium::generichash(56, Some(b"SessionGroupKeyGen"), &hex);
        let _admin = sodium::aead_xchacha20poly1305_ietf_encrypt(&enc_key, b"", &nonce, &[1u8; 32]);
        let entries: Vec<Vec<u8>> = members
            .iter()
            .map(|m| {
                let x = *m.key_bytes();
                let shared = sodium::scalarmult(&group_x_sk, &x).expect("usable key");
                let km =
                    sodium::generichash_parts(32, Some(MEMBER_DOMAIN), &[&shared, &group_x_pk, &x])
                        .expect("valid lengths");
                let km: [u8; 32] = km.try_into().expect("32");
                sodium::aead_xchacha20poly1305_ietf_encrypt(&enc_key, b"", &nonce, &km)
            })
            .collect();
        (entries, sodium::sign_detached(&message, &group_sk))
    };

    let mut g = c.benchmark_group("group_rekey_100");
    g.sample_size(20);
    g.bench_function(function_name("sessionkit", backend), |b| {
        b.iter(|| rekey(&secret, 1, black_box(&ids)))
    });
    if backend == Backend::Pure {
        g.bench_function("libsodium", |b| b.iter(|| sodium_rekey(black_box(&ids))));
    }
    g.finish();

    // The member whose entry comes last in the sorted list: the most attempts.
    let mut sorted: Vec<(usize, SessionId)> = ids.iter().copied().enumerate().collect();
    sorted.sort_by_key(|(_, id)| id.to_bytes());
    let (last_index, _) = sorted[MEMBERS - 1];
    let member = &people[last_index];
    let sorted_ids: Vec<SessionId> = sorted.iter().map(|(_, id)| *id).collect();
    let (entries, signature) = sodium_rekey(&sorted_ids);
    let member_sk = member.expose_ed25519_secret_key();
    let member_x_sk = sodium::ed25519_sk_to_curve25519(&member_sk);
    let member_x_pk = member.x25519_public_key().to_bytes();
    let group_pk = secret.public_key().to_bytes();
    {
        let mut check = Keys::new_member(member.clone(), secret.public_key()).expect("group key");
        assert!(check.load("h", &message, 1).expect("loads").found);
    }
    let sodium_load = || -> Option<usize> {
        if !sodium::verify_detached(&signature, &message, &group_pk) {
            return None;
        }
        let shared = sodium::scalarmult(&member_x_sk, &group_x_pk)?;
        let km = sodium::generichash_parts(
            32,
            Some(MEMBER_DOMAIN),
            &[&shared, &group_x_pk, &member_x_pk],
        )?;
        let km: [u8; 32] = km.try_into().ok()?;
        // Every entry but the last fails its tag; the last (ours, made under km) opens.
        entries.iter().position(|e| {
            sodium::aead_xchacha20poly1305_ietf_decrypt(e, b"", &nonce, &km).is_some()
        })
    };
    // The member's state exists before the message arrives (as libsodium's side has the group's
    // X25519 key already): the load alone is timed.
    let fresh = Keys::new_member(member.clone(), secret.public_key()).expect("group key");
    let mut g = c.benchmark_group("group_keys_load_100");
    g.bench_function(function_name("sessionkit", backend), |b| {
        b.iter(|| {
            let mut keys = fresh.clone();
            keys.load("h", black_box(&message), 1).expect("loads")
        })
    });
    if backend == Backend::Pure {
        g.bench_function("libsodium", |b| b.iter(sodium_load));
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).sample_size(30);
    targets = messages, poll, keys
}
criterion_main!(benches);
