//! Exact-byte tests of the reader, the writer and the signature convention.

use alloc::borrow::Cow;
use alloc::vec;
use alloc::vec::Vec;

use crate::*;

const C: Options = Options::canonical();
const L: Options = Options::lenient();

fn bytes(b: &[u8]) -> Value<'_> {
    Value::Bytes(Cow::Borrowed(b))
}

fn int(v: i128) -> Value<'static> {
    Value::Integer(Integer::new(v).unwrap())
}

/// Reads `input` whole through the streaming readers (every value read as a tree, every
/// container as a nested reader), the same walk as `decode`.
fn walk(input: &[u8], options: Options) -> Result<Value<'_>, Error> {
    match input.first() {
        Some(b'l') => {
            let reader = ListReader::with_options(input, options)?;
            walk_list(reader, true)
        }
        Some(b'd') => {
            let reader = DictReader::with_options(input, options)?;
            walk_dict(reader, true)
        }
        _ => decode_with(input, options),
    }
}

fn walk_list(mut list: ListReader<'_>, root: bool) -> Result<Value<'_>, Error> {
    let mut items = Vec::new();
    while let Some(kind) = list.peek_kind()? {
        items.push(match kind {
            Kind::List => walk_list(list.read()?, false)?,
            Kind::Dict => walk_dict(list.read()?, false)?,
            _ => list.read::<Value>()?,
        });
    }
    if root {
        list.finish()?;
    } else {
        list.finish().unwrap();
    }
    Ok(Value::List(items))
}

fn walk_dict(mut dict: DictReader<'_>, root: bool) -> Result<Value<'_>, Error> {
    let mut entries = Dict::new();
    while let Some(kind) = dict.peek_kind()? {
        let (key, value) = match kind {
            Kind::List => {
                let (key, list) = dict.read_entry()?;
                (key, walk_list(list, false)?)
            }
            Kind::Dict => {
                let (key, inner) = dict.read_entry()?;
                (key, walk_dict(inner, false)?)
            }
            _ => dict.read_entry::<Value>()?,
        };
        entries.insert(Cow::Borrowed(key), value);
    }
    if root {
        dict.finish()?;
    } else {
        dict.finish().unwrap();
    }
    Ok(Value::Dict(entries))
}

/// Decodes with `options` through the tree decoder, `Raw::parse` and the streaming readers,
/// which must agree.
fn check(input: &[u8], options: Options) -> Result<Value<'_>, Error> {
    let tree = decode_with(input, options);
    let raw = Raw::parse(input, options);
    assert_eq!(
        raw.map(|r| r.as_bytes()),
        tree.clone().map(|_| input),
        "raw {input:?}"
    );
    assert_eq!(walk(input, options), tree, "streaming {input:?}");
    tree
}

#[test]
fn scalars() {
    let cases: &[(&[u8], Value)] = &[
        (b"0:", bytes(b"")),
        (b"4:spam", bytes(b"spam")),
        (b"3:\x00:e", bytes(b"\x00:e")),
        (b"i0e", int(0)),
        (b"i-1e", int(-1)),
        (b"i42e", int(42)),
        (b"i9223372036854775807e", int(i64::MAX.into())),
        (b"i-9223372036854775808e", int(i64::MIN.into())),
        (b"i18446744073709551615e", int(u64::MAX.into())),
    ];
    for (input, expected) in cases {
        for options in [C, L] {
            assert_eq!(check(input, options).as_ref(), Ok(expected), "{input:?}");
        }
        assert_eq!(&expected.encode(), input);
    }
    let max = decode(b"i18446744073709551615e").unwrap();
    assert_eq!(max.as_u64(), Some(u64::MAX));
    assert_eq!(max.as_i64(), None);
    assert_eq!(decode(b"i-1e").unwrap().as_u64(), None);
}

#[test]
fn integers_out_of_range_are_refused_in_both_modes() {
    use Error::*;
    let cases: &[(&[u8], Error)] = &[
        (b"i18446744073709551616e", NumberTooLarge { at: 1 }),
        // oxenc's overflow test lets this one wrap to 11553255926290448384.
        (b"i30000000000000000000e", NumberTooLarge { at: 1 }),
        (b"i99999999999999999999999e", NumberTooLarge { at: 1 }),
        (b"i-9223372036854775809e", NumberTooLarge { at: 0 }),
        (b"i-18446744073709551615e", NumberTooLarge { at: 0 }),
        (b"18446744073709551616:", NumberTooLarge { at: 0 }),
        (
            b"18446744073709551615:",
            LengthOutOfBounds {
                at: 0,
                declared: u64::MAX,
                available: 0,
            },
        ),
    ];
    for (input, expected) in cases {
        for options in [C, L] {
            assert_eq!(check(input, options), Err(*expected), "{input:?}");
        }
    }
}

#[test]
fn leading_zeros_and_negative_zero_per_mode() {
    use Error::*;
    let cases: &[(&[u8], Error, Value)] = &[
        (b"i-0e", NegativeZero { at: 0 }, int(0)),
        (b"i01e", LeadingZero { at: 1 }, int(1)),
        (b"i00e", LeadingZero { at: 1 }, int(0)),
        (b"i-01e", LeadingZero { at: 2 }, int(-1)),
        (b"i-00e", LeadingZero { at: 2 }, int(0)),
        (b"01:a", LeadingZero { at: 0 }, bytes(b"a")),
        (b"00:", LeadingZero { at: 0 }, bytes(b"")),
        (
            b"l01:ae",
            LeadingZero { at: 1 },
            Value::List(vec![bytes(b"a")]),
        ),
    ];
    for (input, canonical, lenient) in cases {
        assert_eq!(check(input, C), Err(*canonical), "{input:?}");
        assert_eq!(check(input, L).as_ref(), Ok(lenient), "{input:?}");
        // The lenient value re-encodes canonically, to other bytes.
        assert_ne!(&lenient.encode(), input);
    }
    // A lenient dictionary key with a leading zero still sorts by its bytes.
    assert_eq!(
        check(b"d01:ai1e1:bi2ee", L).unwrap().encode(),
        b"d1:ai1e1:bi2ee"
    );
}

#[test]
fn malformed_numbers_in_both_modes() {
    use Error::*;
    let cases: &[(&[u8], Error)] = &[
        (b"ie", MissingDigits { at: 1 }),
        (b"i-e", MissingDigits { at: 2 }),
        (b"i+1e", UnexpectedByte { byte: b'+', at: 1 }),
        (b"i--1e", UnexpectedByte { byte: b'-', at: 2 }),
        (b"i 1e", UnexpectedByte { byte: b' ', at: 1 }),
        (b"i1.0e", UnexpectedByte { byte: b'.', at: 2 }),
        (b"i1", UnexpectedEnd { at: 2 }),
        (b"i", UnexpectedEnd { at: 1 }),
        (b":", UnexpectedByte { byte: b':', at: 0 }),
        (b"-1:a", UnexpectedByte { byte: b'-', at: 0 }),
        (b"3x", UnexpectedByte { byte: b'x', at: 1 }),
        (b"3", UnexpectedEnd { at: 1 }),
        (
            b"1:",
            LengthOutOfBounds {
                at: 0,
                declared: 1,
                available: 0,
            },
        ),
        (
            b"5:abc",
            LengthOutOfBounds {
                at: 0,
                declared: 5,
                available: 3,
            },
        ),
    ];
    for (input, expected) in cases {
        for options in [C, L] {
            assert_eq!(check(input, options), Err(*expected), "{input:?}");
        }
    }
}

#[test]
fn structure_errors() {
    use Error::*;
    let cases: &[(&[u8], Error)] = &[
        (b"", UnexpectedEnd { at: 0 }),
        (b"x", UnexpectedByte { byte: b'x', at: 0 }),
        (b"e", UnexpectedByte { byte: b'e', at: 0 }),
        (b"l", UnexpectedEnd { at: 1 }),
        (b"d", UnexpectedEnd { at: 1 }),
        (b"lxe", UnexpectedByte { byte: b'x', at: 1 }),
        (b"li1e", UnexpectedEnd { at: 4 }),
        (b"di1ei2ee", KeyNotBytes { at: 1 }),
        (b"dlei1ee", KeyNotBytes { at: 1 }),
        (b"d1:ae", MissingValue { at: 4 }),
        (b"d1:a", UnexpectedEnd { at: 4 }),
        (b"d1:axe", UnexpectedByte { byte: b'x', at: 4 }),
        (b"i1ei2e", TrailingBytes { at: 3, count: 3 }),
        (b"dee", TrailingBytes { at: 2, count: 1 }),
        (b"0:0:", TrailingBytes { at: 2, count: 2 }),
    ];
    for (input, expected) in cases {
        for options in [C, L] {
            assert_eq!(check(input, options), Err(*expected), "{input:?}");
        }
    }
}

#[test]
fn dictionary_keys_strictly_ascend_by_unsigned_bytes() {
    use Error::*;
    let ok: &[&[u8]] = &[
        b"de",
        b"d1:ai1e1:bi2ee",
        // A proper prefix sorts first; the empty key first of all.
        b"d0:i0e1:ai1e2:aai2e3:aaai3ee",
        // Unsigned: 0x7f before 0x80 before 0xff.
        b"d1:\x7fi1e1:\x80i2e1:\xffi3ee",
        b"d1:Zi1e1:ai2ee",
        // Each nested dictionary has its own order.
        b"d1:bd1:bi1ee1:cd1:ai1eee",
    ];
    for input in ok {
        for options in [C, L] {
            assert_eq!(
                check(input, options).map(|v| v.encode()).as_deref(),
                Ok(*input)
            );
        }
    }
    let bad: &[(&[u8], Error)] = &[
        (b"d1:bi1e1:ai2ee", KeyNotAscending { at: 7 }),
        (b"d1:ai1e1:ai2ee", DuplicateKey { at: 7 }),
        (b"d0:i1e0:i2ee", DuplicateKey { at: 6 }),
        (b"d2:aai1e1:ai2ee", KeyNotAscending { at: 8 }),
        (b"d1:ai1e0:i2ee", KeyNotAscending { at: 7 }),
        (b"d1:\x80i1e1:\x7fi2ee", KeyNotAscending { at: 7 }),
        (b"d1:ad1:bi1e1:ai2eee", KeyNotAscending { at: 11 }),
        (b"ld1:bi1e1:ai2eee", KeyNotAscending { at: 8 }),
    ];
    for (input, expected) in bad {
        for options in [C, L] {
            assert_eq!(check(input, options), Err(*expected), "{input:?}");
        }
    }
}

/// A message that uses every kind of value, valid in both modes.
const SAMPLE: &[u8] = b"d1:#i10e1:&d3:bard0:li42e1:a1:be4:asdfi123e3:xyz3:abce3:fooi123ee\
1:<le1:=d3:bard0:lli42e1:a1:belee4:asdf0:3:xyz0:e3:foo0:ee";

#[test]
fn truncated_input_fails_at_every_offset() {
    for options in [C, L] {
        assert_eq!(check(SAMPLE, options).unwrap().encode(), SAMPLE);
        for end in 0..SAMPLE.len() {
            let prefix = &SAMPLE[..end];
            let error = check(prefix, options).unwrap_err();
            // Every prefix of a valid value is only missing bytes.
            assert!(
                matches!(
                    error,
                    Error::UnexpectedEnd { .. }
                        | Error::LengthOutOfBounds { .. }
                        | Error::MissingValue { .. }
                ),
                "{end}: {error:?}"
            );
        }
    }
    let mut list = ListReader::new(b"l4:spam").unwrap();
    assert_eq!(list.read::<&[u8]>(), Ok(&b"spam"[..]));
    assert_eq!(list.is_finished(), Err(Error::UnexpectedEnd { at: 7 }));
}

#[test]
fn nesting_depth_is_bounded() {
    let nested = |depth: usize, open: &[u8], close: &[u8]| {
        let mut out = Vec::new();
        for _ in 0..depth {
            out.extend_from_slice(open);
        }
        for _ in 0..depth {
            out.extend_from_slice(close);
        }
        out
    };
    for options in [C, L] {
        let ok = nested(DEFAULT_MAX_DEPTH, b"l", b"e");
        assert!(check(&ok, options).is_ok());
        let deep = nested(DEFAULT_MAX_DEPTH + 1, b"l", b"e");
        let too_deep = Error::TooDeep { at: 32, max: 32 };
        assert_eq!(check(&deep, options), Err(too_deep));
        // Dictionaries count the same; each level opens with `d1:a` (4 bytes).
        let dicts = nested(DEFAULT_MAX_DEPTH, b"d1:a", b"e");
        let (open, close) = dicts.split_at(4 * DEFAULT_MAX_DEPTH);
        let dicts = [open, b"i1e", close].concat();
        assert!(check(&dicts, options).is_ok());
        let deep = [open, b"de", close].concat();
        assert_eq!(
            check(&deep, options),
            Err(Error::TooDeep { at: 128, max: 32 })
        );
    }
    let shallow = Options::canonical().with_max_depth(1);
    assert_eq!(decode_with(b"le", shallow), Ok(Value::List(vec![])));
    assert_eq!(
        decode_with(b"llee", shallow),
        Err(Error::TooDeep { at: 1, max: 1 })
    );
    let scalars_only = Options::canonical().with_max_depth(0);
    assert_eq!(decode_with(b"i1e", scalars_only), Ok(int(1)));
    assert_eq!(
        ListReader::with_options(b"le", scalars_only).unwrap_err(),
        Error::TooDeep { at: 0, max: 0 }
    );
    assert_eq!(
        Options::lenient().with_max_depth(usize::MAX).max_depth(),
        MAX_DEPTH_LIMIT
    );
    let limit = Options::canonical().with_max_depth(usize::MAX);
    assert!(decode_with(&nested(MAX_DEPTH_LIMIT, b"l", b"e"), limit).is_ok());
    assert!(decode_with(&nested(MAX_DEPTH_LIMIT + 1, b"l", b"e"), limit).is_err());
}

#[test]
fn dict_reader_walks_keys_in_order() {
    let input = b"d1:#i10e1:&d1:ki-2ee1:<l1:xi7ee1:=0:2:zz4:tail1:~2:hie";
    let mut dict = DictReader::new(input).unwrap();
    assert_eq!(dict.start(), 0);
    assert_eq!(dict.peek_key(), Ok(Some(&b"#"[..])));
    assert_eq!(dict.peek_kind(), Ok(Some(Kind::Integer)));
    // A read of the wrong kind leaves the reader where it was.
    assert_eq!(
        dict.read::<&[u8]>(),
        Err(Error::WrongKind {
            at: 4,
            expected: Kind::Bytes,
            found: Kind::Integer
        })
    );
    assert_eq!(dict.read_entry::<u64>(), Ok((&b"#"[..], 10)));
    let mut data: DictReader = dict.require(b"&").unwrap();
    assert_eq!(data.start(), 11);
    assert_eq!(data.offset(), 12);
    assert_eq!(data.require::<i64>(b"k"), Ok(-2));
    assert_eq!(data.require::<i64>(b"l"), Err(Error::MissingKey { at: 19 }));
    data.finish().unwrap();
    assert_eq!(dict.maybe::<i64>(b";"), Ok(None));
    let mut list: ListReader = dict.require(b"<").unwrap();
    assert_eq!(list.start(), 23);
    assert_eq!(list.read::<&[u8; 1]>(), Ok(b"x"));
    assert_eq!(
        list.read::<&[u8]>(),
        Err(Error::WrongKind {
            at: 27,
            expected: Kind::Bytes,
            found: Kind::Integer
        })
    );
    assert_eq!(list.read::<Integer>(), Ok(Integer::from(7u8)));
    assert_eq!(list.read::<Value>(), Err(Error::ContainerEnd { at: 30 }));
    list.finish().unwrap();
    assert_eq!(
        dict.read::<&[u8; 2]>(),
        Err(Error::WrongLength {
            at: 34,
            expected: 2,
            found: 0
        })
    );
    assert!(dict.skip_until(b"=").unwrap());
    dict.skip().unwrap();
    let raw: Raw = dict.require(b"zz").unwrap();
    assert_eq!(raw.as_bytes(), b"4:tail");
    assert_eq!(raw.range(), 40..46);
    assert_eq!(raw.kind(), Kind::Bytes);
    assert_eq!(raw.value(), Ok(bytes(b"tail")));
    assert_eq!(dict.offset(), 46);
    assert!(!dict.skip_until(b"}").unwrap());
    assert_eq!(dict.peek_key(), Ok(Some(&b"~"[..])));
    dict.clone().finish().unwrap();
    dict.skip().unwrap();
    assert_eq!(dict.peek_key(), Ok(None));
    assert_eq!(
        dict.read::<Raw>().unwrap_err(),
        Error::ContainerEnd { at: 53 }
    );
    dict.finish().unwrap();

    // Errors later in the input show up when the reader gets there, or at `finish`.
    let mut dict = DictReader::new(b"d1:ai1e1:bi01ee").unwrap();
    assert_eq!(dict.require::<i64>(b"a"), Ok(1));
    assert_eq!(dict.clone().finish(), Err(Error::LeadingZero { at: 11 }));
    assert_eq!(
        dict.require::<i64>(b"b"),
        Err(Error::LeadingZero { at: 11 })
    );
    let dict = DictReader::new(b"d1:ai1ee1:x").unwrap();
    assert_eq!(dict.finish(), Err(Error::TrailingBytes { at: 8, count: 3 }));
    let mut dict = DictReader::new(b"d1:bi1e1:ai2ee").unwrap();
    dict.skip().unwrap();
    assert_eq!(dict.peek_key(), Err(Error::KeyNotAscending { at: 7 }));
    // A nested container is validated whole when it is read.
    let mut dict = DictReader::new(b"d1:ad1:bi1e1:ai2eee").unwrap();
    assert_eq!(
        dict.read::<DictReader>().unwrap_err(),
        Error::KeyNotAscending { at: 11 }
    );
    assert_eq!(
        ListReader::new(b"d1:ai1ee").unwrap_err(),
        Error::WrongKind {
            at: 0,
            expected: Kind::List,
            found: Kind::Dict
        }
    );
    assert_eq!(
        DictReader::new(b"").unwrap_err(),
        Error::UnexpectedEnd { at: 0 }
    );
    let mut list = ListReader::new(b"li18446744073709551615ei-1ee").unwrap();
    assert_eq!(
        list.read::<i64>(),
        Err(Error::IntegerOutOfRange {
            at: 1,
            value: Integer::MAX
        })
    );
    assert_eq!(list.read::<u64>(), Ok(u64::MAX));
    assert_eq!(
        list.read::<u64>(),
        Err(Error::IntegerOutOfRange {
            at: 23,
            value: Integer::from(-1i8)
        })
    );
    assert_eq!(list.read::<i64>(), Ok(-1));
    list.finish().unwrap();
}

fn signed_example(signature: &[u8]) -> Vec<u8> {
    let mut input = b"d1:#i1e1:&de1:~".to_vec();
    encode_bytes(&mut input, signature);
    input.push(b'e');
    input
}

#[test]
fn signature_range_of_a_hand_built_dict() {
    let sig: Vec<u8> = (0..64).collect();
    let input = signed_example(&sig);
    assert_eq!(input.len(), 12 + 71);
    for options in [C, L] {
        let mut dict = DictReader::with_options(&input, options).unwrap();
        let signed = dict.signature().unwrap().unwrap();
        assert_eq!(signed.signed_bytes(), b"d1:#i1e1:&de");
        assert_eq!(signed.signed_range(), 0..12);
        assert_eq!(&signed.signature()[..], &sig[..]);
        assert_eq!(dict.peek_key(), Ok(None));
        dict.finish().unwrap();
    }

    // Inside a list: the range starts at the nested dictionary's `d`, in input offsets.
    let nested = [&b"li5e"[..], &input, b"e"].concat();
    let mut list = ListReader::new(&nested).unwrap();
    list.skip().unwrap();
    let mut dict: DictReader = list.read().unwrap();
    dict.skip().unwrap();
    let signed = dict.require_signature().unwrap();
    assert_eq!(signed.signed_range(), 4..16);
    assert_eq!(signed.signed_bytes(), b"d1:#i1e1:&de");
    list.finish().unwrap();

    // Long keys and a key with a length of two digits before the signature.
    let mut long = b"d10:0123456789i1e1:~64:".to_vec();
    long.extend_from_slice(&[9; 64]);
    long.push(b'e');
    let signed = DictReader::new(&long)
        .unwrap()
        .signature()
        .unwrap()
        .unwrap();
    assert_eq!(signed.signed_bytes(), b"d10:0123456789i1e");
}

#[test]
fn signature_errors() {
    use Error::*;
    let sig = [7u8; 64];
    // No signature at all.
    let mut dict = DictReader::new(b"d1:ai1ee").unwrap();
    assert_eq!(dict.signature(), Ok(None));
    dict.finish().unwrap();
    let mut dict = DictReader::new(b"d1:ai1ee").unwrap();
    assert_eq!(dict.require_signature(), Err(MissingSignature { at: 7 }));
    // A key sorting after `~` can never precede a signature.
    let mut dict = DictReader::new(b"d1:ai1e1:\x7fi1ee").unwrap();
    assert_eq!(dict.signature(), Err(KeyAfterSignature { at: 7 }));
    // Something after the signature.
    let after = [&signed_example(&sig)[..83 - 1], b"1:\x7fi1ee"].concat();
    let mut dict = DictReader::new(&after).unwrap();
    assert_eq!(dict.signature(), Err(KeyAfterSignature { at: 82 }));
    // Wrong length, wrong kind.
    let short = signed_example(&sig[..63]);
    let mut dict = DictReader::new(&short).unwrap();
    assert_eq!(dict.signature(), Err(SignatureLength { at: 15, found: 63 }));
    let mut dict = DictReader::new(b"d1:~i1ee").unwrap();
    assert_eq!(
        dict.signature(),
        Err(WrongKind {
            at: 4,
            expected: Kind::Bytes,
            found: Kind::Integer
        })
    );
    // `01:~`: refused in canonical mode as a leading zero, in lenient mode because oxenc
    // would compute the signed range from the canonical key length (and sign `d…0`).
    let odd = [&b"d1:ai1e01:~64:"[..], &sig, b"e"].concat();
    assert_eq!(
        DictReader::new(&odd).unwrap().signature(),
        Err(LeadingZero { at: 7 })
    );
    assert_eq!(
        DictReader::with_options(&odd, L).unwrap().signature(),
        Err(NonCanonicalSignatureKey { at: 7 })
    );
    // Leading zeros elsewhere are kept in the signed bytes in lenient mode.
    let lenient = [&b"d01:ai01e1:~64:"[..], &sig, b"e"].concat();
    let signed = DictReader::with_options(&lenient, L)
        .unwrap()
        .signature()
        .unwrap()
        .unwrap();
    assert_eq!(signed.signed_bytes(), b"d01:ai01e");
}

#[test]
fn writer_exact_bytes() {
    let mut out = b"prefix".to_vec();
    let mut dict = DictWriter::new(&mut out);
    dict.bytes("", "empty key first").unwrap();
    dict.integer("a", 0).unwrap();
    dict.integer("aa", -1).unwrap();
    dict.integer("b", i64::MIN).unwrap();
    dict.integer("c", u64::MAX).unwrap();
    {
        let mut list = dict.list("l").unwrap();
        list.bytes(b"").integer(7u8);
        list.list().finish();
        let mut inner = list.dict();
        inner.bytes("x", [0u8, 255]).unwrap();
    }
    dict.dict("m").unwrap().finish();
    dict.value("v", &Value::List(vec![int(1), bytes(b"z")]))
        .unwrap();
    dict.finish();
    assert_eq!(
        out,
        &b"prefixd0:15:empty key first1:ai0e2:aai-1e1:bi-9223372036854775808e\
1:ci18446744073709551615e1:ll0:i7eled1:x2:\x00\xffee1:mde1:vli1e1:zee"[..]
    );
    assert_eq!(decode(&out[6..]).unwrap().encode(), &out[6..]);

    let mut out = Vec::new();
    ListWriter::new(&mut out).finish();
    encode_integer(&mut out, 0u8);
    encode_bytes(&mut out, b"");
    assert_eq!(out, b"lei0e0:");
}

#[test]
fn writer_refuses_keys_out_of_order() {
    let mut out = Vec::new();
    let mut dict = DictWriter::new(&mut out);
    dict.integer("b", 1).unwrap();
    assert_eq!(
        dict.integer("a", 2).unwrap_err(),
        WriteError::KeyNotAscending { at: 7 }
    );
    assert_eq!(
        dict.list("b").unwrap_err(),
        WriteError::DuplicateKey { at: 7 }
    );
    assert_eq!(
        dict.dict("").unwrap_err(),
        WriteError::KeyNotAscending { at: 7 }
    );
    dict.integer("ba", 3).unwrap();
    dict.finish();
    assert_eq!(out, b"d1:bi1e2:bai3ee");

    // A repeated empty first key is a duplicate too (oxenc's debug-only check misses it).
    let mut out = Vec::new();
    let mut dict = DictWriter::new(&mut out);
    dict.integer("", 1).unwrap();
    assert_eq!(
        dict.integer("", 2).unwrap_err(),
        WriteError::DuplicateKey { at: 6 }
    );
    drop(dict);
    assert_eq!(out, b"d0:i1ee");

    // Unsigned order.
    let mut out = Vec::new();
    let mut dict = DictWriter::new(&mut out);
    dict.integer([0x7f], 1).unwrap();
    dict.integer([0x80], 2).unwrap();
    assert!(dict.integer([0x7f, 0], 3).is_err());
}

#[test]
fn writer_signs_exactly_the_bytes_the_reader_returns() {
    let mut out = Vec::new();
    let mut dict = DictWriter::new(&mut out);
    dict.integer("#", 1).unwrap();
    dict.dict("&").unwrap().finish();
    let mut seen = Vec::new();
    dict.finish_signed(|message| {
        seen = message.to_vec();
        core::array::from_fn(|i| i as u8)
    })
    .unwrap();
    assert_eq!(seen, b"d1:#i1e1:&de");
    let sig: Vec<u8> = (0..64).collect();
    assert_eq!(out, signed_example(&sig));
    let mut reader = DictReader::new(&out).unwrap();
    let signed = reader.signature().unwrap().unwrap();
    assert_eq!(signed.signed_bytes(), &seen[..]);

    // Nested: the signature covers the nested dictionary only.
    let mut out = Vec::new();
    let mut list = ListWriter::new(&mut out);
    list.integer(5);
    let mut inner = list.dict();
    inner.integer("a", 1).unwrap();
    assert_eq!(inner.signing_bytes(), b"d1:ai1e");
    inner
        .finish_signed(|message| {
            assert_eq!(message, b"d1:ai1e");
            [1; 64]
        })
        .unwrap();
    list.finish();
    assert_eq!(decode(&out).unwrap().encode(), out);

    // A key at or after `~` makes signing impossible; the dictionary is closed unsigned.
    let mut out = Vec::new();
    let mut dict = DictWriter::new(&mut out);
    dict.integer("\u{7f}", 1).unwrap();
    let result = dict.finish_signed(|_| unreachable!("not signed"));
    assert_eq!(result, Err(WriteError::KeyNotAscending { at: 7 }));
    assert_eq!(out, b"d1:\x7fi1ee");
    let mut out = Vec::new();
    let mut dict = DictWriter::new(&mut out);
    dict.bytes("~", "x").unwrap();
    assert_eq!(
        dict.finish_signed(|_| [0; 64]),
        Err(WriteError::DuplicateKey { at: 7 })
    );
}

#[test]
fn raw_values_are_re_emitted_verbatim() {
    let input = b"d1:ai01e1:bli-0e01:xee";
    assert!(decode(input).is_err());
    let mut dict = DictReader::with_options(input, L).unwrap();
    let a: Raw = dict.read().unwrap();
    let (key, b) = dict.read_entry::<Raw>().unwrap();
    assert_eq!(key, b"b");
    dict.finish().unwrap();
    assert_eq!(a.as_bytes(), b"i01e");
    assert_eq!(b.as_bytes(), b"li-0e01:xe");
    assert_eq!(b.options(), L);
    assert_eq!(b.value(), Ok(Value::List(vec![int(0), bytes(b"x")])));

    let mut out = Vec::new();
    let mut copy = DictWriter::new(&mut out);
    copy.raw("a", a).unwrap();
    copy.raw("b", b).unwrap();
    copy.finish();
    assert_eq!(out, input);

    let mut out = Vec::new();
    ListWriter::new(&mut out).raw(a).raw(b);
    assert_eq!(out, b"li01eli-0e01:xee");
    assert!(Raw::parse(b"i01e", C).is_err());
    assert_eq!(Raw::parse(b"i01e", L).unwrap().kind(), Kind::Integer);
}

#[test]
fn value_tree() {
    let value = decode(SAMPLE).unwrap();
    assert_eq!(value.get(b"#").and_then(Value::as_i64), Some(10));
    assert_eq!(value.get(b"<").and_then(Value::as_list), Some(&[][..]));
    let data = value.get(b"&").and_then(Value::as_dict).unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!(
        value
            .get(b"&")
            .and_then(|d| d.get(b"bar"))
            .and_then(|d| d.get(b"xyz"))
            .and_then(Value::as_bytes),
        Some(&b"abc"[..])
    );
    assert_eq!(value.get(b"missing"), None);
    assert_eq!(value.kind(), Kind::Dict);
    let owned: Value<'static> = value.clone().into_owned();
    assert_eq!(owned, value);
    assert_eq!(owned.encode(), SAMPLE);
    assert_eq!(Value::from("x").encode(), b"1:x");
    assert_eq!(Value::from(b"xy").encode(), b"2:xy");
    assert_eq!(Value::from(vec![1u8]).encode(), b"1:\x01");
    assert_eq!(Value::from(-3i64).encode(), b"i-3e");
    assert_eq!(Value::from(3u64).encode(), b"i3e");
    assert_eq!(Value::from(Integer::MIN).as_i64(), Some(i64::MIN));
    assert_eq!(Value::from(vec![Value::from(1i64)]).encode(), b"li1ee");
    assert_eq!(Value::from(Dict::new()).encode(), b"de");
}

#[test]
fn integer_range() {
    assert_eq!(Integer::new(-(1 << 63)), Some(Integer::MIN));
    assert_eq!(Integer::new((1 << 64) - 1), Some(Integer::MAX));
    assert_eq!(Integer::new(-(1 << 63) - 1), None);
    assert_eq!(Integer::new(1 << 64), None);
    assert_eq!(Integer::try_from(1i128 << 64), Err(IntegerRangeError));
    assert_eq!(i64::try_from(Integer::MAX), Err(IntegerRangeError));
    assert_eq!(u64::try_from(Integer::MIN), Err(IntegerRangeError));
    assert_eq!(u64::try_from(Integer::MAX), Ok(u64::MAX));
    assert_eq!(i128::from(Integer::from(-5i32)), -5);
    assert!(Integer::MIN < Integer::from(0u8) && Integer::from(0u8) < Integer::MAX);
    assert_eq!(alloc::format!("{}", Integer::MIN), "-9223372036854775808");
    assert_eq!(Integer::MIN.get(), -(1 << 63));
    assert!(Integer::MIN.is_negative());
}

#[test]
fn errors_display_their_offsets() {
    let text = alloc::format!("{}", decode(b"d1:bi1e1:ai2ee").unwrap_err());
    assert_eq!(
        text,
        "dictionary key at byte 7 sorts before the previous key"
    );
    let text = alloc::format!(
        "{}",
        Error::WrongKind {
            at: 3,
            expected: Kind::Dict,
            found: Kind::Bytes
        }
    );
    assert_eq!(text, "expected a dictionary at byte 3, found a byte string");
}
