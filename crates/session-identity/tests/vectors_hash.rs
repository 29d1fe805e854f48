//! BLAKE2b (libsodium's `crypto_generichash`) against `hashes.json` (the reference's tests) and
//! `hash.json` (outputs of libsession-util).
#![allow(clippy::unwrap_used)]

mod support;

use session_identity::hash::{self, Blake2b};
use support::{Record, Tally};

const HASHES: &str = include_str!("data/hashes.json");
const HASH: &str = include_str!("data/hash.json");

/// The digest of `message` through every entry point that can produce `size` bytes.
fn check_digest(label: &str, size: usize, message: &[u8], key: Option<&[u8]>, expected: &[u8]) {
    assert_eq!(expected.len(), size, "{label}");

    let mut out = vec![0u8; size];
    Blake2b::new(size, key)
        .unwrap()
        .chain(message)
        .finalize_into(&mut out)
        .unwrap();
    assert_eq!(out, expected, "{label}: one shot");

    // Fed in uneven pieces across block boundaries.
    let mut hasher = Blake2b::new(size, key).unwrap();
    assert_eq!(hasher.output_len(), size);
    let mut rest = message;
    for piece in [1usize, 127, 128, 129, 1000].iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let n = (*piece).min(rest.len());
        hasher.update(&rest[..n]);
        rest = &rest[n..];
    }
    let mut out = vec![0u8; size];
    hasher.finalize_into(&mut out).unwrap();
    assert_eq!(out, expected, "{label}: incremental");

    // The const-generic forms, for the sizes they are used with.
    match size {
        16 => assert_eq!(hash::blake2b::<16>(message, key).unwrap()[..], *expected),
        32 => assert_eq!(hash::blake2b::<32>(message, key).unwrap()[..], *expected),
        64 => assert_eq!(hash::blake2b::<64>(message, key).unwrap()[..], *expected),
        _ => {}
    }
}

#[test]
fn hashes_json() {
    let file = support::parse(HASHES);
    let vectors = support::vectors(&file);
    let mut tally = Tally::default();
    for v in vectors {
        let r = Record::new(v);
        match r.str("kind") {
            "session::hash::hash (BLAKE2b generichash)" => {
                let message = r.str("message_utf8").as_bytes();
                let key = r.opt_str("key_utf8").map(str::as_bytes);
                let size = usize::try_from(r.u64("size")).unwrap();
                let digest = r.hex("digest");
                check_digest(&r.label(), size, message, key, &digest);
                r.finish();
                tally.asserted += 1;
            }
            // The storage server's message hash (base64 of BLAKE2b-32 over network id, pubkey,
            // namespace and data) is part of the storage RPC layer, not of this crate.
            "storage_server_message_hash" => tally.skipped += 1,
            other => panic!("unhandled kind {other:?}"),
        }
    }
    tally.check(vectors.len(), 4, 1);
}

#[test]
fn hash_json() {
    let file = support::parse(HASH);
    let records = support::array(&file);
    let mut tally = Tally::default();
    for v in records {
        let r = Record::new(v);
        assert_eq!(r.str("op"), "hash_blake2b");
        let size = usize::try_from(r.u64("size")).unwrap();
        let message = r.hex("message");
        let key = r.opt_hex("key");
        let expected = r.hex("hash");
        check_digest(&r.label(), size, &message, key.as_deref(), &expected);
        r.finish();
        tally.asserted += 1;
    }
    tally.check(records.len(), 10, 0);
}
