//! Config message costs: a second device taking in a 1,000-contact Contacts message (unwrap,
//! decrypt, decompress, parse, merge), a 10,000-contact dump and load, and the config
//! encryption (BLAKE2b key and nonce derivation, XChaCha20-Poly1305) against libsodium composed
//! the same way, at a push's largest size.
//!
//! The encryption measures sessionkit once per backend compiled in (`sessionkit`;
//! `sessionkit_native` with the `native` feature), libsodium once; the merge, dump and load run
//! under the pure backend.
//!
//! `cargo bench -p sessionkit-benches --bench config`

// criterion_group! generates undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use sessionkit::config::{self, Contact, Contacts};
use sessionkit::identity::{Identity, Seed, SessionId};
use sessionkit_benches::{for_each_backend, function_name, Backend};
use sodium_peer as sodium;

/// The storage server's largest message, less the encryption overhead.
const PUSH_PLAINTEXT: usize = 76_800 - 40;
const DOMAIN: &str = "Contacts";

fn account() -> Identity {
    Identity::from_seed(Seed::from_legacy_bytes(*b"config-benchmark"))
}

/// `contacts` contacts with names, nicknames and flags, as a real address book has.
fn address_book(account: &Identity, contacts: u32) -> Contacts {
    let mut book = Contacts::new(account);
    for i in 0..contacts {
        let mut id = [0u8; 33];
        id[0] = 0x05;
        id[1..5].copy_from_slice(&i.to_be_bytes());
        id[5..].copy_from_slice(
            &sessionkit::identity::hash::blake2b::<28>(&i.to_le_bytes(), None)
                .expect("28-byte digest"),
        );
        let mut contact = Contact::new(SessionId::from_bytes(&id).expect("05 prefix"));
        contact.set_name_truncated(&format!("Contact number {i}"));
        if i % 3 == 0 {
            contact.set_nickname_truncated(&format!("nick {i}"));
        }
        contact.approved = true;
        contact.approved_me = i % 2 == 0;
        book.set(&contact).expect("valid contact");
    }
    book
}

/// libsession's config encryption from libsodium: key BLAKE2b-32(key ‖ len ‖ domain), nonce
/// BLAKE2b-24 keyed with the prefix and domain, XChaCha20-Poly1305, `ciphertext ‖ nonce`.
fn sodium_config_encrypt(message: &[u8], key_base: &[u8; 32]) -> Vec<u8> {
    let len = (message.len() as u64).to_be_bytes();
    let key = sodium::generichash_parts(32, None, &[key_base, &len, DOMAIN.as_bytes()])
        .expect("valid lengths");
    let mut nonce_key = b"libsessionutil-config-encrypted-".to_vec();
    nonce_key.extend_from_slice(DOMAIN.as_bytes());
    let nonce = sodium::generichash(24, Some(&nonce_key), message).expect("valid lengths");
    let key: [u8; 32] = key.try_into().expect("32");
    let nonce: [u8; 24] = nonce.try_into().expect("24");
    let mut out = sodium::aead_xchacha20poly1305_ietf_encrypt(message, b"", &nonce, &key);
    out.extend_from_slice(&nonce);
    out
}

fn encryption(c: &mut Criterion) {
    for_each_backend(c, encryption_under);
}

/// The encryption group under `backend`; the libsodium side on the pure pass only.
fn encryption_under(c: &mut Criterion, backend: Backend) {
    let key = [0x42u8; 32];
    let message: Vec<u8> = (0..PUSH_PLAINTEXT).map(|i| (i * 31 % 251) as u8).collect();
    let ours = config::encrypt(&message, &key, DOMAIN).expect("valid domain");
    assert_eq!(
        ours,
        sodium_config_encrypt(&message, &key),
        "both sides seal the same bytes"
    );

    let mut group = c.benchmark_group("config_encrypt_76800");
    group.throughput(Throughput::Bytes(message.len() as u64));
    group.bench_function(function_name("sessionkit", backend), |b| {
        b.iter(|| config::encrypt(black_box(&message), &key, DOMAIN))
    });
    if backend == Backend::Pure {
        group.bench_function("libsodium", |b| {
            b.iter(|| sodium_config_encrypt(black_box(&message), &key))
        });
    }
    group.finish();
}

fn merge_and_dump(c: &mut Criterion) {
    let me = account();
    let mut phone = address_book(&me, 1_000);
    let push = phone.push().expect("pushable");
    let fresh = Contacts::new(&me);
    {
        let mut check = fresh.clone();
        check.merge([("h", &push.data[..])]);
        assert_eq!(check.len(), 1_000);
    }
    let mut group = c.benchmark_group("config");
    group.bench_function("merge_1000_contacts", |b| {
        b.iter_batched(
            || fresh.clone(),
            |mut laptop| {
                laptop.merge([("h", black_box(&push.data[..]))]);
                laptop
            },
            BatchSize::SmallInput,
        )
    });

    let mut big = address_book(&me, 10_000);
    let dump = big.dump();
    let loaded = Contacts::load(&me, &dump).expect("own dump");
    assert_eq!(loaded.len(), 10_000);
    group.bench_function("dump_10000_contacts", |b| {
        b.iter(|| big.config().make_dump())
    });
    group.bench_function("load_10000_contacts", |b| {
        b.iter(|| Contacts::load(&me, black_box(&dump)).expect("own dump"))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).sample_size(30);
    targets = encryption, merge_and_dump
}
criterion_main!(benches);
