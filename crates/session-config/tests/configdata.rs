//! The config message cases of libsession's `test_configdata.cpp` (expected bytes and hashes in
//! `data/configdata.json`): serialization across increments, signatures, the four documented
//! examples (ordinary updates, simple and complex conflicts), rejections, pruning and diffs.
#![allow(clippy::unwrap_used)]

use serde_json::Value as Json;
use session_config::{
    encode_dict, merge, message_hash, prune, ConfigMessage, Dict, Diff, DiffEntry, MergeSource,
    ParseError, Scalar, Set, Value,
};
use session_identity::Identity;

const DATA: &str = include_str!("data/configdata.json");

fn data() -> Json {
    serde_json::from_str(DATA).unwrap()
}

fn bytes(v: &Json) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

fn k(key: &str) -> Vec<u8> {
    key.as_bytes().to_vec()
}

fn set<const N: usize>(members: [Scalar; N]) -> Set {
    members.into_iter().collect()
}

fn dict<const N: usize>(entries: [(&str, Value); N]) -> Dict {
    entries.into_iter().map(|(key, v)| (k(key), v)).collect()
}

fn s(text: &str) -> Scalar {
    Scalar::from(text)
}

/// The nested dictionary at `key`, created if absent.
fn sub<'a>(d: &'a mut Dict, key: &str) -> &'a mut Dict {
    let slot = d.entry(k(key)).or_insert_with(|| Value::Dict(Dict::new()));
    match slot {
        Value::Dict(inner) => inner,
        _ => panic!("not a dict"),
    }
}

/// The set at `key`, created if absent.
fn subset<'a>(d: &'a mut Dict, key: &str) -> &'a mut Set {
    let slot = d.entry(k(key)).or_insert_with(|| Value::Set(Set::new()));
    match slot {
        Value::Set(inner) => inner,
        _ => panic!("not a set"),
    }
}

fn edit(m: &mut ConfigMessage) -> &mut Dict {
    m.data_mut().unwrap()
}

/// libsession's `MutableConfigMessage{serialized}`: parse, then increment.
fn mutable(serialized: &[u8]) -> ConfigMessage {
    ConfigMessage::parse(serialized, None)
        .unwrap()
        .increment(None)
}

#[test]
fn scalar_set_and_dict_encoding() {
    let members = set([
        s("foo"),
        Scalar::Int(23),
        s("Foo"),
        s("~"),
        s("!"),
        s("foo"),
        Scalar::Int(-123),
    ]);
    let d = dict([("s", Value::Set(members))]);
    assert_eq!(encode_dict(&d), b"d1:sli-123ei23e1:!3:Foo3:foo1:~ee");
    let d = dict([
        ("a", Value::Int(23)),
        ("B", Value::from("x")),
        (
            "c",
            Value::Set(set([s("2"), s("1"), Scalar::Int(4), Scalar::Int(-3)])),
        ),
        (
            "D",
            Value::Dict(dict([("x", Value::Int(1)), ("y", Value::Int(2))])),
        ),
        (
            "d",
            Value::Dict(dict([(
                "e",
                Value::Dict(dict([("f", Value::Dict(dict([("g", Value::from(""))])))])),
            )])),
        ),
    ]);
    assert_eq!(
        encode_dict(&d),
        b"d1:B1:x1:Dd1:xi1e1:yi2ee1:ai23e1:cli-3ei4e1:11:2e1:dd1:ed1:fd1:g0:eeee"
    );
}

#[test]
fn pruning() {
    let mut m = dict([("a", Value::Int(123))]);
    assert!(!prune(&mut m));
    m.insert(k("b"), Value::Dict(Dict::new()));
    m.insert(k("c"), Value::Dict(dict([("a", Value::Int(1))])));
    m.insert(k("d"), Value::Set(set([Scalar::Int(42)])));
    m.insert(k("e"), Value::Set(Set::new()));
    assert!(prune(&mut m));
    assert_eq!(m.len(), 3);
    m.insert(k("b"), Value::Dict(Dict::new()));
    m.insert(k("e"), Value::Set(Set::new()));
    m.insert(
        k("f"),
        Value::Dict(dict([("a", Value::Int(1)), ("b", Value::Set(Set::new()))])),
    );
    let deep = dict([(
        "a",
        Value::Dict(dict([(
            "a",
            Value::Dict(dict([("a", Value::Dict(Dict::new()))])),
        )])),
    )]);
    m.insert(k("g"), Value::Dict(deep));
    assert_eq!(m.len(), 7);
    prune(&mut m);
    assert_eq!(
        m,
        dict([
            ("a", Value::Int(123)),
            ("c", Value::Dict(dict([("a", Value::Int(1))]))),
            ("d", Value::Set(set([Scalar::Int(42)]))),
            ("f", Value::Dict(dict([("a", Value::Int(1))]))),
        ])
    );
}

#[test]
fn diff() {
    let mut m = ConfigMessage::new_editable(0);
    edit(&mut m).insert(k("foo"), Value::Int(123));
    edit(&mut m).insert(k("empty"), Value::Set(Set::new()));
    edit(&mut m).insert(k("empty2"), Value::Dict(Dict::new()));
    edit(&mut m).insert(
        k("bar"),
        Value::Dict(dict([
            ("asdf", Value::Int(123)),
            ("xyz", Value::from("abc")),
            ("", Value::Set(set([s("a"), s("b"), Scalar::Int(42)]))),
        ])),
    );
    edit(&mut m).insert(k("z"), Value::Dict(Dict::new()));
    assert_eq!(m.seqno(), 0);
    let diff = m.diff().into_owned();
    assert_eq!(diff.len(), 2);
    assert_eq!(diff.get(b"foo"), Some(&DiffEntry::Assigned));
    assert_eq!(
        diff.encode(),
        b"d3:bard0:lli42e1:a1:belee4:asdf0:3:xyz0:e3:foo0:e"
    );

    let mut m1 = m.increment(None);
    assert_eq!(m1.seqno(), 1);
    assert!(m1.diff().is_empty());
    edit(&mut m1).remove(&b"foo"[..]);
    assert_eq!(m1.diff().encode(), b"d3:foo1:-e");

    let mut m2 = m1.increment(None);
    assert!(m2.diff().is_empty());
    updates_12(&mut m2);
    assert_eq!(
        m2.diff().encode(),
        b"d3:bard0:lli99e1:cel1:bee1:a0:3:xyz0:e3:foo0:e"
    );
    let mut expected = Diff::new();
    expected.insert(b"foo".to_vec(), DiffEntry::Assigned);
    assert_ne!(m2.diff().into_owned(), expected);
}

fn updates_12(m: &mut ConfigMessage) {
    let d = edit(m);
    d.insert(k("foo"), Value::Int(123));
    let bar = sub(d, "bar");
    bar.insert(k("xyz"), Value::Int(42));
    bar.insert(k("a"), Value::Int(42));
    let members = subset(bar, "");
    members.insert(s("c"));
    members.insert(Scalar::Int(99));
    members.remove(&s("b"));
    members.insert(Scalar::Int(42));
}

fn message_10() -> ConfigMessage {
    let mut m = ConfigMessage::new_editable(10);
    edit(&mut m).insert(k("foo"), Value::Int(123));
    edit(&mut m).insert(
        k("bar"),
        Value::Dict(dict([
            ("asdf", Value::Int(123)),
            ("xyz", Value::from("abc")),
            ("", Value::Set(set([s("a"), s("b"), Scalar::Int(42)]))),
        ])),
    );
    m
}

#[test]
fn serialization_across_increments() {
    let v = &data()["serialization"];
    let m = message_10();
    assert_eq!(hex::encode(m.serialize(None)), v["m10"].as_str().unwrap());
    assert_eq!(m.hash(None).to_vec(), bytes(&v["hash0"]));

    let mut m1 = m.increment(None);
    edit(&mut m1).remove(&b"foo"[..]);
    assert_eq!(m1.hash(None).to_vec(), bytes(&v["hash1"]));

    let mut m2 = m1.increment(None);
    updates_12(&mut m2);
    assert_eq!(m2.hash(None).to_vec(), bytes(&v["hash2"]));
    assert_eq!(hex::encode(m2.serialize(None)), v["m12"].as_str().unwrap());

    assert_eq!(m2.increment(None).hash(None).to_vec(), bytes(&v["hash3"]));
    assert_eq!(
        m2.increment(None).increment(None).hash(None).to_vec(),
        bytes(&v["hash4"])
    );
    let m5 = m2.increment(None).increment(None).increment(None);
    assert_eq!(m5.hash(None).to_vec(), bytes(&v["hash5"]));
    // The diffs of 10 fell out of the window; 11 to 14 remain.
    assert_eq!(hex::encode(m5.serialize(None)), v["m15"].as_str().unwrap());

    // Received, each serializes back to itself.
    for key in ["m10", "m12", "m15"] {
        let wire = bytes(&v[key]);
        let parsed = ConfigMessage::parse(&wire, None).unwrap();
        assert_eq!(parsed.serialize(None), wire, "{key}");
        assert_eq!(parsed.hash(None), message_hash(&wire));
    }
}

#[test]
fn empty_message() {
    let v = &data()["empty_message"];
    let empty = ConfigMessage::new();
    assert_eq!(empty.serialize(None), bytes(&v["message"]));
    assert_eq!(empty.hash(None).to_vec(), bytes(&v["hash"]));
}

#[test]
fn signature() {
    let v = &data()["signature"];
    let sk: [u8; 64] = bytes(&v["ed25519_sk"]).try_into().unwrap();
    let key = Identity::from_ed25519_secret_key(&sk).unwrap();
    let m = message_10();
    let expected = bytes(&v["signed_message"]);
    assert_eq!(m.serialize(Some(&key)), expected);
    assert_eq!(
        &expected[..expected.len() - 71],
        &bytes(&v["signed_value"])[..]
    );
    assert_eq!(
        &expected[expected.len() - 65..expected.len() - 1],
        &bytes(&v["signature"])[..]
    );

    let received = ConfigMessage::parse(&expected, Some(&key)).unwrap();
    assert_eq!(
        received.signature().map(|s| s.to_vec()),
        Some(bytes(&v["signature"]))
    );
    assert_eq!(received.hash(None), m.hash(Some(&key)));
    assert_eq!(received.serialize(Some(&key)), expected);
    assert_eq!(received.serialize(None), expected);

    let mut broken = expected.clone();
    let at = broken.len() - 2;
    assert_eq!(broken[at], 0x07);
    broken[at] = 0x17;
    assert_eq!(
        ConfigMessage::parse(&broken, Some(&key)),
        Err(ParseError::BadSignature)
    );
    assert!(merge(&[&broken[..], &broken[..]], Some(&key), None).is_err());
    for order in [[&broken[..], &expected[..]], [&expected[..], &broken[..]]] {
        let merged = merge(&order, Some(&key), Some(&key)).unwrap();
        assert!(matches!(merged.source, MergeSource::Unmerged(_)));
        assert_eq!(merged.message.seqno(), 10);
        assert_eq!(merged.message.hash(None), m.hash(Some(&key)));
        assert_eq!(merged.rejected.len(), 1);
    }
    let unsigned = [&bytes(&v["signed_value"])[..], b"e"].concat();
    assert_eq!(
        ConfigMessage::parse(&unsigned, Some(&key)),
        Err(ParseError::MissingSignature)
    );
    // Without a verifier the signature is neither required nor kept.
    let plain = ConfigMessage::parse(&expected, None).unwrap();
    assert_eq!(plain.signature(), None);
    assert_eq!(plain.serialize(None), unsigned);
}

fn data_118() -> Dict {
    dict([
        (
            "dictB",
            Value::Dict(dict([
                ("changed", Value::Int(-1)),
                ("foo", Value::Int(123)),
                ("removed", Value::from("x")),
                ("removed2", Value::from("y")),
            ])),
        ),
        (
            "dictC",
            Value::Dict(dict([("x", Value::Dict(dict([("y", Value::Int(1))])))])),
        ),
        (
            "good",
            Value::Set(set([Scalar::Int(99), Scalar::Int(456), s("bar")])),
        ),
        ("great", Value::Set(set([Scalar::Int(-42), s("omg")]))),
        ("int0", Value::Int(-9999)),
        ("int1", Value::Int(100)),
        ("string1", Value::from("hello")),
        ("string2", Value::from("goodbye")),
    ])
}

#[test]
fn example_1_ordinary_update() {
    let v = &data()["example1"];
    let mut m118 = ConfigMessage::new_editable(118);
    *edit(&mut m118) = data_118();
    let expected = bytes(&v["m118"]);
    assert_eq!(m118.serialize(None), expected);
    assert_eq!(m118.hash(None), message_hash(&expected));

    let mut m = m118.increment(None);
    for (seqno, key) in [(119, "h119"), (120, "h120"), (121, "h121"), (122, "h122")] {
        assert_eq!(m.seqno(), seqno);
        assert_eq!(m.hash(None).to_vec(), bytes(&v[key]), "{key}");
        m = m.increment(None);
    }
    let d = edit(&mut m);
    d.insert(k("int1"), Value::Int(1));
    d.insert(k("int2"), Value::Int(2));
    d.remove(&b"int0"[..]);
    d.insert(k("string1"), Value::from("hello")); // unchanged: not in the diff
    assert_eq!(hex::encode(m.serialize(None)), v["m123"].as_str().unwrap());
}

#[test]
fn deserialization() {
    let v = &data()["example1"];
    let m123 = bytes(&v["m123"]);
    let m = ConfigMessage::parse(&m123, None).unwrap();
    assert_eq!(m.seqno(), 123);
    assert_eq!(m.hash(None).to_vec(), bytes(&v["h123"]));
    assert_eq!(m.diff().encode(), b"d4:int01:-4:int10:4:int20:e");
    assert_eq!(m.signature(), None);
    let mut expected = data_118();
    expected.insert(k("int1"), Value::Int(1));
    expected.remove(&b"int0"[..]);
    expected.insert(k("int2"), Value::Int(2));
    assert_eq!(m.data(), &expected);

    let next = mutable(&m123);
    assert_eq!(next.seqno(), 124);
    assert_eq!(
        hex::encode(next.hash(None)),
        v["h124_incremented"].as_str().unwrap()
    );
    assert!(next.diff().is_empty());
    assert_eq!(
        hex::encode(next.serialize(None)),
        v["m124_incremented"].as_str().unwrap()
    );
}

#[test]
fn empty_set_and_dict_are_rejected() {
    let v = &data()["rejected"];
    assert_eq!(
        ConfigMessage::parse(&bytes(&v["empty_set"]), None),
        Err(ParseError::EmptySet { at: 13 })
    );
    assert_eq!(
        ConfigMessage::parse(&bytes(&v["empty_dict"]), None),
        Err(ParseError::EmptyDict { at: 13 })
    );
}

fn updates_124(m: &mut ConfigMessage) {
    let d = edit(m);
    d.insert(
        k("dictA"),
        Value::Dict(dict([
            ("hello", Value::Int(123)),
            (
                "goodbye",
                Value::Set(set([Scalar::Int(123), Scalar::Int(456)])),
            ),
        ])),
    );
    let dict_b = sub(d, "dictB");
    dict_b.insert(k("changed"), Value::Int(1));
    dict_b.insert(k("added"), Value::Int(9999));
    dict_b.insert(k("nested"), Value::Dict(dict([("a", Value::Int(1))])));
    dict_b.remove(&b"removed"[..]);
    dict_b.remove(&b"removed2"[..]);
    d.remove(&b"dictC"[..]);
    let good = subset(d, "good");
    good.insert(s("Foo"));
    good.remove(&Scalar::Int(456));
    good.insert(Scalar::Int(123));
    d.insert(k("int1"), Value::Int(42));
    d.remove(&b"string1"[..]);
    d.insert(k("string2"), Value::from("hello"));
    d.insert(k("string3"), Value::from("omg"));
    d.remove(&b"great"[..]);
}

#[test]
fn example_2_large_update() {
    let all = data();
    let mut m = mutable(&bytes(&all["example1"]["m123"]));
    assert_eq!(m.seqno(), 124);
    updates_124(&mut m);
    assert_eq!(
        hex::encode(m.serialize(None)),
        all["example2"]["m124"].as_str().unwrap()
    );
    assert_eq!(m.hash(None).to_vec(), bytes(&all["example2"]["h124"]));
}

#[test]
fn example_3_simple_conflict() {
    let all = data();
    let v = &all["example3"];
    let mut m124 = mutable(&bytes(&all["example1"]["m123"]));
    updates_124(&mut m124);
    let mut m125a = m124.increment(None);
    sub(edit(&mut m125a), "dictB").remove(&b"foo"[..]);
    let mut m125b = m124.increment(None);
    edit(&mut m125b).insert(k("int1"), Value::Int(5));
    assert_eq!(m125a.hash(None).to_vec(), bytes(&v["h125a"]));
    assert_eq!(m125b.hash(None).to_vec(), bytes(&v["h125b"]));

    let (a, b, base) = (
        m125a.serialize(None),
        m125b.serialize(None),
        m124.serialize(None),
    );
    let merged = merge(&[&a[..], &b[..]], None, None).unwrap();
    assert_eq!(merged.source, MergeSource::Merged);
    assert_eq!(merged.message.seqno(), 126);
    let expected = bytes(&v["m126"]);
    assert_eq!(
        hex::encode(merged.message.serialize(None)),
        hex::encode(&expected)
    );

    let m120b = {
        let mut m = ConfigMessage::new_editable(118)
            .increment(None)
            .increment(None);
        edit(&mut m).insert(k("too old"), Value::from("won't see"));
        m.serialize(None)
    };
    for inputs in [
        vec![&b[..], &a[..]],
        vec![&base[..], &b[..], &a[..]],
        vec![&b[..], &a[..], &base[..]],
        vec![&b[..], &m120b[..], &a[..]],
    ] {
        let other = merge(&inputs, None, None).unwrap();
        assert_eq!(other.message.serialize(None), expected);
    }
}

#[test]
fn example_4_complex_conflict() {
    let all = data();
    let m123_bytes = bytes(&all["example1"]["m123"]);
    let m123 = ConfigMessage::parse(&m123_bytes, None).unwrap();
    let h123 = bytes(&all["example1"]["h123"]);
    let h124 = bytes(&all["example2"]["h124"]);
    let h125a = bytes(&all["example3"]["h125a"]);
    let h125b = bytes(&all["example3"]["h125b"]);

    let mut m124a = m123.increment(None);
    let dict_b = sub(edit(&mut m124a), "dictB");
    dict_b.insert(k("foo"), Value::Int(66));
    dict_b.insert(k("answer"), Value::Int(42));
    let mut m124b = m123.increment(None);
    updates_124(&mut m124b);
    assert_eq!(m124b.hash(None).to_vec(), h124);
    let mut m125a = m124b.increment(None);
    sub(edit(&mut m125a), "dictB").remove(&b"foo"[..]);
    let mut m125b = m124b.increment(None);
    edit(&mut m125b).insert(k("int1"), Value::Int(5));
    let (s124a, s125a, s125b) = (
        m124a.serialize(None),
        m125a.serialize(None),
        m125b.serialize(None),
    );

    let m126a = merge(&[&s125a[..], &s125b[..]], None, None)
        .unwrap()
        .message;
    let m120b = {
        let mut m = ConfigMessage::new_editable(118)
            .increment(None)
            .increment(None);
        edit(&mut m).insert(k("too old"), Value::from("won't see"));
        m.serialize(None)
    };
    let m126b = merge(
        &[
            &s125b[..],
            &s124a[..],
            &s125a[..],
            &m123_bytes[..],
            &m120b[..],
        ],
        None,
        None,
    )
    .unwrap()
    .message;
    assert!(m124a.hash(None).to_vec() < h124);
    assert!(m126a.hash(None) < m126b.hash(None));

    let (s126a, s126b) = (m126a.serialize(None), m126b.serialize(None));
    let mut m127 = merge(&[&s126a[..], &s126b[..]], None, None)
        .unwrap()
        .message
        .into_editable();
    subset(sub(edit(&mut m127), "dictA"), "goodbye").insert(Scalar::Int(789));
    assert_eq!(m127.seqno(), 127);

    let final_data = dict([
        (
            "dictA",
            Value::Dict(dict([
                (
                    "goodbye",
                    Value::Set(set([Scalar::Int(123), Scalar::Int(456), Scalar::Int(789)])),
                ),
                ("hello", Value::Int(123)),
            ])),
        ),
        (
            "dictB",
            Value::Dict(dict([
                ("added", Value::Int(9999)),
                ("answer", Value::Int(42)),
                ("changed", Value::Int(1)),
                ("nested", Value::Dict(dict([("a", Value::Int(1))]))),
            ])),
        ),
        (
            "good",
            Value::Set(set([Scalar::Int(99), Scalar::Int(123), s("Foo"), s("bar")])),
        ),
        ("int1", Value::Int(5)),
        ("int2", Value::Int(2)),
        ("string2", Value::from("hello")),
        ("string3", Value::from("omg")),
    ]);
    assert_eq!(m127.data(), &final_data);

    let diff124 = m124b.diff().encode();
    let row = |seqno: &str, hash: &[u8], diff: &[u8]| {
        [b"l", seqno.as_bytes(), b"32:", hash, diff, b"e"].concat()
    };
    let expected = [
        &b"d1:#i127e1:&"[..],
        &encode_dict(&final_data),
        b"1:<l",
        &row("i123e", &h123, b"d4:int01:-4:int10:4:int20:e"),
        &row("i124e", &m124a.hash(None), b"d5:dictBd6:answer0:3:foo0:ee"),
        &row("i124e", &h124, &diff124),
        &row("i125e", &h125a, b"d5:dictBd3:foo1:-ee"),
        &row("i125e", &h125b, b"d4:int10:e"),
        &row("i126e", &m126a.hash(None), b"de"),
        &row("i126e", &m126b.hash(None), b"de"),
        b"e1:=d5:dictAd7:goodbyelli789eeleeeee",
    ]
    .concat();
    assert_eq!(
        String::from_utf8_lossy(&m127.serialize(None)),
        String::from_utf8_lossy(&expected)
    );

    let s127 = m127.serialize(None);
    let again = merge(&[&s127[..], &s125a[..], &s126b[..]], None, None).unwrap();
    assert_eq!(again.message.seqno(), 127);
    assert_eq!(again.message.hash(None), m127.hash(None));
}
