//! Attachment costs at 10 MB (the file server's limit): the deterministic stream scheme against
//! libsodium's `crypto_secretstream_xchacha20poly1305` composed the same way (BLAKE2b key
//! derivation, 32 KiB chunks), the bare secretstream both ways, and legacy (AES-256-CBC +
//! HMAC-SHA256) decryption on its own.
//!
//! Each group measures sessionkit once per backend compiled in (`sessionkit`;
//! `sessionkit_native` with the `native` feature), libsodium once. These primitives (BLAKE2b,
//! the secretstream, AES-CBC) are pure on both backends, so the two should match.
//!
//! `cargo bench -p sessionkit-benches --bench attachments`

// criterion_group! generates undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sessionkit::envelope::attachment::stream::{
    self, encrypted_padding, StreamEncryptor, CHUNK_SIZE, ENCRYPTED_CHUNK_LEN, PREFIX_LEN,
};
use sessionkit::envelope::attachment::{legacy, Domain, LegacyKeys, StreamKey};
use sessionkit_benches::{for_each_backend, function_name, Backend};
use sodium_peer as sodium;
use sodium_peer::{SecretStream, SECRETSTREAM_TAG_FINAL};

const LEN: usize = 10_000_000;

/// The padded stream plaintext: `0x00 × (pad − 1) ‖ 0x01 ‖ content`.
fn padded(content: &[u8]) -> Vec<u8> {
    let pad = encrypted_padding(content.len() as u64) as usize;
    let mut out = vec![0u8; pad - 1];
    out.push(1);
    out.extend_from_slice(content);
    out
}

/// libsodium pushing `plaintext` in 32 KiB chunks into one buffer (`S ‖ header` first).
fn sodium_push(mut state: SecretStream, header: &[u8; 24], plaintext: &[u8]) -> Vec<u8> {
    let chunks = plaintext.len().div_ceil(CHUNK_SIZE);
    let mut out = Vec::with_capacity(PREFIX_LEN + plaintext.len() + chunks * 17);
    out.push(b'S');
    out.extend_from_slice(header);
    let mut sealed = Vec::with_capacity(ENCRYPTED_CHUNK_LEN);
    for (i, chunk) in plaintext.chunks(CHUNK_SIZE).enumerate() {
        let tag = if i + 1 == chunks {
            SECRETSTREAM_TAG_FINAL
        } else {
            0
        };
        state.push_into(chunk, tag, &mut sealed);
        out.extend_from_slice(&sealed);
    }
    out
}

/// libsession's deterministic encryption from libsodium: BLAKE2b-56 of the content, then the
/// padded stream pushed under the derived header.
fn sodium_deterministic(seed: &[u8; 32], content: &[u8]) -> Vec<u8> {
    let nk = sodium::generichash_personal(56, seed, Domain::Attachment.personal(), content)
        .expect("valid lengths");
    let header: [u8; 24] = nk[..24].try_into().expect("24");
    let key: [u8; 32] = nk[24..].try_into().expect("32");
    let state = SecretStream::init_push_with_header(&key, &header);
    sodium_push(state, &header, &padded(content))
}

/// libsodium's pull over an upload, dropping the padding.
fn sodium_decrypt(upload: &[u8], key: &[u8; 32]) -> Option<Vec<u8>> {
    let header: [u8; 24] = upload.get(1..PREFIX_LEN)?.try_into().ok()?;
    let mut state = SecretStream::init_pull(key, &header)?;
    let mut out = Vec::with_capacity(upload.len());
    let mut message = Vec::with_capacity(CHUNK_SIZE);
    for chunk in upload[PREFIX_LEN..].chunks(ENCRYPTED_CHUNK_LEN) {
        state.pull_into(chunk, &mut message)?;
        out.extend_from_slice(&message);
    }
    let start = out.iter().position(|&b| b != 0)?;
    out.drain(..=start);
    Some(out)
}

fn attachments(c: &mut Criterion) {
    for_each_backend(c, body);
}

/// Every group under `backend`; the libsodium side on the pure pass only.
fn body(c: &mut Criterion, backend: Backend) {
    let sessionkit = function_name("sessionkit", backend);
    let pure = backend == Backend::Pure;
    let content: Vec<u8> = (0..LEN).map(|i| (i * 7 % 256) as u8).collect();
    let seed = [0x42u8; 32];
    let upload = stream::encrypt(&seed, &content, Domain::Attachment).expect("10 MB fits");
    assert!(upload.data == sodium_deterministic(&seed, &content));
    let key = *upload.key.expose_bytes();

    let configure = |group: &mut criterion::BenchmarkGroup<'_, _>| {
        group
            .throughput(Throughput::Bytes(LEN as u64))
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(4));
    };

    // The whole deterministic encryption: hash pass and encrypt pass.
    let mut group = c.benchmark_group("attachment_stream_encrypt_10MB");
    configure(&mut group);
    group.bench_function(&sessionkit, |b| {
        b.iter(|| stream::encrypt(black_box(&seed), black_box(&content), Domain::Attachment))
    });
    if pure {
        group.bench_function("libsodium", |b| {
            b.iter(|| sodium_deterministic(black_box(&seed), black_box(&content)))
        });
    }
    group.finish();

    // The secretstream alone (given key and header, no hashing).
    let mut group = c.benchmark_group("attachment_secretstream_push_10MB");
    configure(&mut group);
    let stream_plain = padded(&content);
    group.bench_function(&sessionkit, |b| {
        b.iter(|| {
            let mut encryptor =
                StreamEncryptor::with_header(StreamKey::from_bytes(key), [7; 24], LEN as u64);
            let mut out = Vec::with_capacity(upload.data.len());
            let mut sink = |bytes: &[u8]| out.extend_from_slice(bytes);
            encryptor
                .update(black_box(&content), &mut sink)
                .expect("same length");
            encryptor.finish(&mut sink).expect("same length");
            out
        })
    });
    if pure {
        group.bench_function("libsodium", |b| {
            b.iter(|| {
                let state = SecretStream::init_push_with_header(&key, &[7; 24]);
                sodium_push(state, &[7; 24], black_box(&stream_plain))
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("attachment_stream_decrypt_10MB");
    configure(&mut group);
    group.bench_function(&sessionkit, |b| {
        b.iter(|| stream::decrypt(black_box(&upload.data), &upload.key).expect("opens"))
    });
    if pure {
        group.bench_function("libsodium", |b| {
            b.iter(|| sodium_decrypt(black_box(&upload.data), &key).expect("opens"))
        });
    }
    group.finish();

    // Legacy decryption, on its own (no libsodium counterpart: it is AES-CBC + HMAC).
    let keys = LegacyKeys::from_bytes([0x24; 64]);
    let legacy_upload = legacy::encrypt(&keys, &[0x11; 16], &content, true);
    let mut group = c.benchmark_group("attachment_legacy_decrypt_10MB");
    configure(&mut group);
    group.bench_function(&sessionkit, |b| {
        b.iter(|| {
            legacy::decrypt(
                &keys,
                black_box(&legacy_upload.data),
                &legacy_upload.digest,
                Some(LEN as u64),
            )
            .expect("opens")
        })
    });
    group.finish();
}

criterion_group!(benches, attachments);
criterion_main!(benches);
