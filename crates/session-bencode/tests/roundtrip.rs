//! Property tests: what the writer writes reads back to the same value and the same bytes, in
//! both modes and through every reader; arbitrary and mutated bytes never panic a reader, and
//! the readers agree on what they accept.
#![allow(clippy::unwrap_used)]

use std::borrow::Cow;

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use session_bencode::{
    decode, decode_with, Dict, DictReader, DictWriter, Error, Integer, Kind, ListReader,
    ListWriter, Options, Raw, Value,
};

const MODES: [Options; 2] = [Options::canonical(), Options::lenient()];

fn integer() -> impl Strategy<Value = Integer> {
    prop_oneof![
        (-3i64..=3).prop_map(Integer::from),
        any::<i64>().prop_map(Integer::from),
        any::<u64>().prop_map(Integer::from),
        Just(Integer::MIN),
        Just(Integer::MAX),
    ]
}

fn value() -> impl Strategy<Value = Value<'static>> {
    let leaf = prop_oneof![
        vec(any::<u8>(), 0..12).prop_map(|b| Value::Bytes(Cow::Owned(b))),
        integer().prop_map(Value::Integer),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::List),
            btree_map(vec(any::<u8>(), 0..4), inner, 0..6).prop_map(|entries| {
                Value::Dict(
                    entries
                        .into_iter()
                        .map(|(key, value)| (Cow::Owned(key), value))
                        .collect(),
                )
            }),
        ]
    })
}

/// Bytes drawn mostly from the bt-encoding alphabet, so that they often parse.
fn bt_like() -> impl Strategy<Value = Vec<u8>> {
    vec(prop::sample::select(b"0123456789:ilde-~x".to_vec()), 0..48)
}

/// Writes `value` through the writer API (not `Value::encode`).
fn write_list(list: &mut ListWriter<'_>, value: &Value<'_>) {
    match value {
        Value::Bytes(bytes) => {
            list.bytes(bytes);
        }
        Value::Integer(v) => {
            list.integer(*v);
        }
        Value::List(items) => {
            let mut inner = list.list();
            for item in items {
                write_list(&mut inner, item);
            }
        }
        Value::Dict(entries) => write_dict(&mut list.dict(), entries),
    }
}

fn write_dict(dict: &mut DictWriter<'_>, entries: &Dict<'_>) {
    for (key, value) in entries {
        match value {
            Value::Bytes(bytes) => {
                dict.bytes(key, bytes).unwrap();
            }
            Value::Integer(v) => {
                dict.integer(key, *v).unwrap();
            }
            Value::List(items) => {
                let mut inner = dict.list(key).unwrap();
                for item in items {
                    write_list(&mut inner, item);
                }
            }
            Value::Dict(inner) => write_dict(&mut dict.dict(key).unwrap(), inner),
        }
    }
}

/// Reads `input` whole through the streaming readers, the same walk as `decode_with`.
fn walk(input: &[u8], options: Options) -> Result<Value<'_>, Error> {
    match input.first() {
        Some(b'l') => walk_list(ListReader::with_options(input, options)?),
        Some(b'd') => walk_dict(DictReader::with_options(input, options)?),
        _ => decode_with(input, options),
    }
}

fn walk_list(mut list: ListReader<'_>) -> Result<Value<'_>, Error> {
    let mut items = Vec::new();
    while let Some(kind) = list.peek_kind()? {
        items.push(match kind {
            Kind::List => walk_list(list.read()?)?,
            Kind::Dict => walk_dict(list.read()?)?,
            Kind::Bytes => Value::from(list.read::<&[u8]>()?),
            Kind::Integer => Value::from(list.read::<Integer>()?),
        });
    }
    list.finish()?;
    Ok(Value::List(items))
}

fn walk_dict(mut dict: DictReader<'_>) -> Result<Value<'_>, Error> {
    let mut entries = Dict::new();
    while let Some(kind) = dict.peek_kind()? {
        let (key, value) = match kind {
            Kind::List => {
                let (key, list) = dict.read_entry()?;
                (key, walk_list(list)?)
            }
            Kind::Dict => {
                let (key, inner) = dict.read_entry()?;
                (key, walk_dict(inner)?)
            }
            _ => dict.read_entry::<Value>()?,
        };
        entries.insert(Cow::Borrowed(key), value);
    }
    dict.finish()?;
    Ok(Value::Dict(entries))
}

/// Every reader on `input`, in both modes: they agree, and what parses re-encodes as the
/// mode promises.
fn readers_agree(input: &[u8]) {
    let mut results = Vec::new();
    for options in MODES {
        let tree = decode_with(input, options);
        assert_eq!(walk(input, options), tree);
        assert_eq!(
            Raw::parse(input, options).map(|raw| raw.as_bytes()),
            tree.clone().map(|_| input)
        );
        if input.first() == Some(&b'd') {
            if let Ok(mut dict) = DictReader::with_options(input, options) {
                // Looking for a signature never panics, and finds it only at the end.
                if let Ok(Some(signed)) = dict.signature() {
                    let end = signed.signed_range().end;
                    assert_eq!(&input[end..end + 3], b"1:~");
                    assert_eq!(signed.signed_bytes(), &input[..end]);
                    if dict.finish().is_ok() {
                        assert_eq!(end + 71, input.len());
                    }
                }
            }
        }
        if let Ok(value) = &tree {
            let encoded = value.encode();
            assert_eq!(decode(&encoded).as_ref(), Ok(value));
            if options == Options::canonical() {
                assert_eq!(encoded, input);
            }
        }
        results.push(tree);
    }
    // Whatever is canonical is also accepted leniently, as the same value.
    if let Ok(value) = &results[0] {
        assert_eq!(results[1].as_ref(), Ok(value));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn write_then_read_gives_the_same_value_and_bytes(value in value()) {
        let encoded = value.encode();
        for options in MODES {
            prop_assert_eq!(decode_with(&encoded, options), Ok(value.clone()));
            prop_assert_eq!(walk(&encoded, options), Ok(value.clone()));
            prop_assert_eq!(Raw::parse(&encoded, options).unwrap().as_bytes(), &encoded[..]);
        }
        prop_assert_eq!(decode(&encoded).unwrap().encode(), encoded.clone());
        // The writer API writes the same bytes as `Value::encode`.
        let mut written = Vec::new();
        match &value {
            Value::List(items) => {
                let mut list = ListWriter::new(&mut written);
                for item in items {
                    write_list(&mut list, item);
                }
            }
            Value::Dict(entries) => write_dict(&mut DictWriter::new(&mut written), entries),
            scalar => scalar.encode_into(&mut written),
        }
        prop_assert_eq!(written, encoded);
    }

    #[test]
    fn raw_entries_re_emit_a_dict_verbatim(value in value(), lenient in any::<bool>()) {
        let Value::Dict(_) = &value else { return Ok(()) };
        let encoded = value.encode();
        let options = if lenient { Options::lenient() } else { Options::canonical() };
        let mut dict = DictReader::with_options(&encoded, options).unwrap();
        let mut copy = Vec::new();
        let mut writer = DictWriter::new(&mut copy);
        while dict.peek_key().unwrap().is_some() {
            let (key, raw) = dict.read_entry::<Raw>().unwrap();
            prop_assert_eq!(&encoded[raw.range()], raw.as_bytes());
            writer.raw(key, raw).unwrap();
        }
        writer.finish();
        dict.finish().unwrap();
        prop_assert_eq!(copy, encoded);
    }

    #[test]
    fn signed_dicts_read_back_their_signed_bytes(
        entries in btree_map(vec(0u8..0x7e, 0..4), value(), 0..5),
        signature in vec(any::<u8>(), 64),
    ) {
        let mut out = b"xy".to_vec();
        let mut dict = DictWriter::new(&mut out);
        for (key, value) in &entries {
            dict.value(key, value).unwrap();
        }
        let mut signed_by_writer = Vec::new();
        dict.finish_signed(|message| {
            signed_by_writer = message.to_vec();
            signature.clone().try_into().unwrap()
        }).unwrap();
        let input = &out[2..];
        prop_assert_eq!(&signed_by_writer[..], &input[..input.len() - 71]);
        for options in MODES {
            let mut reader = DictReader::with_options(input, options).unwrap();
            let signed = reader.require_signature().unwrap();
            prop_assert_eq!(signed.signed_bytes(), &signed_by_writer[..]);
            prop_assert_eq!(signed.signed_range(), 0..input.len() - 71);
            prop_assert_eq!(&signed.signature()[..], &signature[..]);
            reader.finish().unwrap();
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(input in vec(any::<u8>(), 0..64)) {
        readers_agree(&input);
    }

    #[test]
    fn bt_like_bytes_never_panic(input in bt_like()) {
        readers_agree(&input);
    }

    #[test]
    fn mutated_encodings_never_panic(
        value in value(),
        at in any::<prop::sample::Index>(),
        byte in prop::sample::select(b"0123456789:ilde-~x\x00\xff".to_vec()),
        edit in 0..3u8,
    ) {
        let mut input = value.encode();
        let i = at.index(input.len() + 1);
        match edit {
            0 => input.truncate(i),
            1 if i < input.len() => input[i] = byte,
            _ => input.insert(i, byte),
        }
        readers_agree(&input);
    }
}
