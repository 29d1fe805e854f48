//! Messages written by the reference (libsession-util with oxenc): every one reads back in both
//! modes and re-encodes to the same bytes, the streaming readers take group keys messages
//! apart, and the signed range the reader finds is the one the group key signed.
#![allow(clippy::unwrap_used)]

use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use serde_json::Value as Json;
use session_bencode::{decode, decode_with, DictReader, Kind, ListReader, Options};

fn records() -> Vec<Json> {
    serde_json::from_str(include_str!("data/messages.json")).unwrap()
}

fn hex_field(record: &Json, name: &str) -> Option<Vec<u8>> {
    record[name].as_str().map(|text| hex::decode(text).unwrap())
}

#[test]
fn every_reference_message_reads_and_re_encodes_byte_for_byte() {
    let records = records();
    assert_eq!(records.len(), 17);
    for record in &records {
        let message = hex_field(record, "encoded").unwrap();
        for options in [Options::canonical(), Options::lenient()] {
            let value = decode_with(&message, options).unwrap();
            assert_eq!(value.encode(), message, "{}", record["case"]);
        }
    }
}

#[test]
fn signed_ranges_are_what_the_group_key_signed() {
    let mut verified = 0;
    let mut refused = 0;
    for record in records() {
        let Some(key) = hex_field(&record, "signer_ed25519_pk") else {
            continue;
        };
        let key = VerifyingKey::from_bytes(&key.try_into().unwrap()).unwrap();
        let message = hex_field(&record, "encoded").unwrap();
        let error = record["libsession"].as_str();
        let mut dict = DictReader::with_options(&message, Options::lenient()).unwrap();
        let Some(signed) = dict.signature().unwrap() else {
            assert_eq!(error, Some("Config signature is missing"));
            refused += 1;
            continue;
        };
        dict.finish().unwrap();
        assert_eq!(signed.signed_range(), 0..message.len() - 71);
        if let Some(recorded) = hex_field(&record, "signature") {
            assert_eq!(&signed.signature()[..], &recorded[..]);
        }
        let signature = Signature::from_bytes(signed.signature());
        let outcome = key.verify(signed.signed_bytes(), &signature);
        match error {
            None => {
                outcome.unwrap();
                verified += 1;
            }
            Some(text) => {
                assert_eq!(text, "Config signature failed verification");
                assert!(outcome.is_err());
                refused += 1;
            }
        }
    }
    assert_eq!((verified, refused), (6, 3));
}

#[test]
fn group_keys_messages_through_the_streaming_readers() {
    let mut full = 0;
    let mut supplemental = 0;
    for record in records() {
        let case = record["case"].as_str().unwrap();
        if record["source"] != "libsession-generated/group_keys.json" || case.contains("malformed")
        {
            continue;
        }
        let message = hex_field(&record, "encoded").unwrap();
        let mut dict = DictReader::with_options(&message, Options::lenient()).unwrap();
        let _nonce: &[u8; 24] = dict.require(b"#").unwrap();
        if let Some(mut entries) = dict.maybe::<ListReader>(b"+").unwrap() {
            while !entries.is_finished().unwrap() {
                assert!(entries.read::<&[u8]>().unwrap().len() >= 52 + 16);
            }
            entries.finish().unwrap();
            assert!(dict.require::<i64>(b"G").unwrap() >= 0);
            supplemental += 1;
        } else {
            assert!(dict.require::<i64>(b"G").unwrap() >= 0);
            let _admin_key: &[u8; 48] = dict.require(b"K").unwrap();
            let mut member_keys: ListReader = dict.require(b"k").unwrap();
            let mut count = 0;
            while let Some(kind) = member_keys.peek_kind().unwrap() {
                assert_eq!(kind, Kind::Bytes);
                let _: &[u8; 48] = member_keys.read().unwrap();
                count += 1;
            }
            assert_eq!(count % 75, 0);
            full += 1;
        }
        dict.require_signature().unwrap();
        dict.finish().unwrap();
    }
    assert_eq!((full, supplemental), (2, 2));
}

#[test]
fn config_messages_have_the_documented_outer_keys() {
    for record in records() {
        let source = record["source"].as_str().unwrap();
        if !source.ends_with("_config.json") {
            continue;
        }
        let message = hex_field(&record, "encoded").unwrap();
        let mut dict = DictReader::with_options(&message, Options::lenient()).unwrap();
        let keys: Vec<&[u8]> = core::iter::from_fn(|| {
            let key = dict.peek_key().unwrap()?;
            dict.skip().unwrap();
            Some(key)
        })
        .collect();
        let signed = record["signer_ed25519_pk"].is_string();
        let expected: &[&[u8]] = if signed {
            &[b"#", b"&", b"<", b"=", b"~"]
        } else {
            &[b"#", b"&", b"<", b"="]
        };
        assert_eq!(keys, expected, "{}", record["case"]);
        dict.finish().unwrap();
        // The seqno is the first key.
        assert!(
            decode(&message)
                .unwrap()
                .get(b"#")
                .unwrap()
                .as_i64()
                .unwrap()
                >= 1
        );
    }
}
