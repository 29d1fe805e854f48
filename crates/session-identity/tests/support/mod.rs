//! Helpers shared by the integration tests: vector files, field access and hex/base64 decoding.
//!
//! A [`Record`] remembers which fields a test read; [`Record::finish`] fails when a field was
//! neither read nor named as ignored, so a value present in a vector can never go unchecked
//! silently.
#![allow(dead_code, clippy::unwrap_used)]

use std::cell::RefCell;
use std::collections::BTreeSet;

use serde_json::Value;

/// Fields that describe a record rather than hold a value to check.
const META_FIELDS: &[&str] = &[
    "id",
    "case",
    "source",
    "generator",
    "description",
    "note",
    "derived",
    "derived_how",
];

/// Parses a vector file.
pub fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("vector file is valid JSON")
}

/// The records of a libsession-generated file (a top-level array).
pub fn array(file: &Value) -> &[Value] {
    file.as_array().expect("top level is an array")
}

/// The `vectors` array of a reference-tests file.
pub fn vectors(file: &Value) -> &[Value] {
    file["vectors"].as_array().expect("`vectors` is an array")
}

/// Lower-case hex to bytes.
pub fn unhex(text: &str) -> Vec<u8> {
    hex::decode(text).unwrap_or_else(|e| panic!("bad hex {text:?}: {e}"))
}

/// Lower-case hex to a fixed-size array.
pub fn unhex_array<const N: usize>(text: &str) -> [u8; N] {
    let bytes = unhex(text);
    <[u8; N]>::try_from(bytes.as_slice())
        .unwrap_or_else(|_| panic!("expected {N} bytes, found {} in {text:?}", bytes.len()))
}

/// Standard base64 (with optional `=` padding) to bytes.
pub fn unbase64(text: &str) -> Vec<u8> {
    fn sextet(c: u8) -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("bad base64 character {:?}", char::from(c)),
        }
    }
    let body = text.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in body {
        acc = (acc << 6) | sextet(c);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    assert_eq!(acc, 0, "base64 {text:?} has non-zero trailing bits");
    out
}

/// One vector record, with bookkeeping of the fields read.
pub struct Record<'a> {
    value: &'a Value,
    used: RefCell<BTreeSet<String>>,
}

impl<'a> Record<'a> {
    /// Wraps a JSON object.
    pub fn new(value: &'a Value) -> Self {
        assert!(value.is_object(), "record is not an object: {value}");
        Self {
            value,
            used: RefCell::new(BTreeSet::new()),
        }
    }

    /// A label for assertion messages: `id`, `case` or `kind`, whichever is present.
    pub fn label(&self) -> String {
        ["id", "case", "kind", "op"]
            .iter()
            .find_map(|k| self.value.get(*k).and_then(Value::as_str))
            .map_or_else(|| self.value.to_string(), str::to_owned)
    }

    fn mark(&self, key: &str) {
        self.used.borrow_mut().insert(key.to_owned());
    }

    /// Whether the field is present (null counts as present). Does not mark it read.
    pub fn has(&self, key: &str) -> bool {
        self.value.get(key).is_some()
    }

    /// A field that must be present.
    pub fn get(&self, key: &str) -> &'a Value {
        self.mark(key);
        self.value
            .get(key)
            .unwrap_or_else(|| panic!("{}: missing field {key:?}", self.label()))
    }

    /// A field that may be absent or null.
    pub fn opt(&self, key: &str) -> Option<&'a Value> {
        self.mark(key);
        self.value.get(key).filter(|v| !v.is_null())
    }

    /// A string field.
    pub fn str(&self, key: &str) -> &'a str {
        let label = self.label();
        self.get(key)
            .as_str()
            .unwrap_or_else(|| panic!("{label}: {key:?} is not a string"))
    }

    /// An optional string field.
    pub fn opt_str(&self, key: &str) -> Option<&'a str> {
        self.opt(key).map(|v| {
            v.as_str()
                .unwrap_or_else(|| panic!("{}: {key:?} is not a string", self.label()))
        })
    }

    /// A hex field.
    pub fn hex(&self, key: &str) -> Vec<u8> {
        unhex(self.str(key))
    }

    /// An optional (absent or null) hex field.
    pub fn opt_hex(&self, key: &str) -> Option<Vec<u8>> {
        self.opt_str(key).map(unhex)
    }

    /// A hex field of exactly `N` bytes.
    pub fn array<const N: usize>(&self, key: &str) -> [u8; N] {
        unhex_array(self.str(key))
    }

    /// A boolean field.
    pub fn bool(&self, key: &str) -> bool {
        let label = self.label();
        self.get(key)
            .as_bool()
            .unwrap_or_else(|| panic!("{label}: {key:?} is not a boolean"))
    }

    /// An unsigned integer given as a JSON number or a decimal string.
    pub fn u64(&self, key: &str) -> u64 {
        let label = self.label();
        let v = self.get(key);
        v.as_u64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .unwrap_or_else(|| panic!("{label}: {key:?} is not a u64: {v}"))
    }

    /// An array field.
    pub fn list(&self, key: &str) -> &'a [Value] {
        let label = self.label();
        self.get(key)
            .as_array()
            .unwrap_or_else(|| panic!("{label}: {key:?} is not an array"))
    }

    /// Marks fields as deliberately not checked (the caller says why in a comment).
    pub fn ignore(&self, keys: &[&str]) {
        for k in keys {
            self.mark(k);
        }
    }

    /// Fails if a field other than the descriptive ones was never read.
    pub fn finish(self) {
        let used = self.used.borrow();
        let unread: Vec<&String> = self
            .value
            .as_object()
            .into_iter()
            .flat_map(|o| o.keys())
            .filter(|k| !used.contains(*k) && !META_FIELDS.contains(&k.as_str()))
            .collect();
        assert!(
            unread.is_empty(),
            "{}: fields never checked: {unread:?}",
            self.label()
        );
    }
}

/// Counts asserted and deliberately skipped records, and checks both totals at the end.
#[derive(Debug, Default)]
pub struct Tally {
    pub asserted: usize,
    pub skipped: usize,
}

impl Tally {
    /// Checks that every record was either asserted or skipped, in the numbers expected.
    pub fn check(&self, total: usize, asserted: usize, skipped: usize) {
        assert_eq!(self.asserted, asserted, "records asserted");
        assert_eq!(self.skipped, skipped, "records skipped");
        assert_eq!(self.asserted + self.skipped, total, "records seen");
    }
}
