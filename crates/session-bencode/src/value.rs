//! A parsed value tree.

use alloc::borrow::Cow;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use crate::write::{encode_bytes, encode_integer};
use crate::{Integer, Kind};

/// The entries of a dictionary, by key. A `BTreeMap` orders byte-string keys exactly as
/// bt-encoding requires (unsigned bytewise, a proper prefix first), so a tree always encodes
/// canonically.
pub type Dict<'a> = BTreeMap<Cow<'a, [u8]>, Value<'a>>;

/// A bt-encoded value as a tree. Strings read from an input borrow from it
/// ([`Cow::Borrowed`]); [`Value::into_owned`] detaches them.
///
/// ```
/// use session_bencode::{Dict, Value};
/// let mut dict = Dict::new();
/// dict.insert(b"b"[..].into(), Value::from(1i64));
/// dict.insert(b"a"[..].into(), Value::from(&b"x"[..]));
/// assert_eq!(Value::Dict(dict).encode(), b"d1:a1:x1:bi1ee");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value<'a> {
    /// A byte string.
    Bytes(Cow<'a, [u8]>),
    /// An integer.
    Integer(Integer),
    /// A list.
    List(Vec<Value<'a>>),
    /// A dictionary.
    Dict(Dict<'a>),
}

impl<'a> Value<'a> {
    /// The kind of value.
    pub fn kind(&self) -> Kind {
        match self {
            Value::Bytes(_) => Kind::Bytes,
            Value::Integer(_) => Kind::Integer,
            Value::List(_) => Kind::List,
            Value::Dict(_) => Kind::Dict,
        }
    }

    /// The bytes, if this is a byte string.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(bytes) => Some(bytes),
            _ => None,
        }
    }

    /// The integer, if this is one.
    pub fn as_integer(&self) -> Option<Integer> {
        match self {
            Value::Integer(value) => Some(*value),
            _ => None,
        }
    }

    /// The integer as an `i64`, if this is an integer that fits.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_integer().and_then(Integer::as_i64)
    }

    /// The integer as a `u64`, if this is an integer that fits.
    pub fn as_u64(&self) -> Option<u64> {
        self.as_integer().and_then(Integer::as_u64)
    }

    /// The elements, if this is a list.
    pub fn as_list(&self) -> Option<&[Value<'a>]> {
        match self {
            Value::List(items) => Some(items),
            _ => None,
        }
    }

    /// The entries, if this is a dictionary.
    pub fn as_dict(&self) -> Option<&Dict<'a>> {
        match self {
            Value::Dict(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value at `key`, if this is a dictionary that has it.
    pub fn get(&self, key: &[u8]) -> Option<&Value<'a>> {
        self.as_dict().and_then(|entries| entries.get(key))
    }

    /// The same value owning all its bytes.
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Bytes(bytes) => Value::Bytes(Cow::Owned(bytes.into_owned())),
            Value::Integer(value) => Value::Integer(value),
            Value::List(items) => Value::List(items.into_iter().map(Value::into_owned).collect()),
            Value::Dict(entries) => Value::Dict(
                entries
                    .into_iter()
                    .map(|(key, value)| (Cow::Owned(key.into_owned()), value.into_owned()))
                    .collect(),
            ),
        }
    }

    /// The canonical encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }

    /// Appends the canonical encoding to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        match self {
            Value::Bytes(bytes) => encode_bytes(out, bytes),
            Value::Integer(value) => encode_integer(out, *value),
            Value::List(items) => {
                out.push(b'l');
                for item in items {
                    item.encode_into(out);
                }
                out.push(b'e');
            }
            Value::Dict(entries) => {
                out.push(b'd');
                for (key, value) in entries {
                    encode_bytes(out, key);
                    value.encode_into(out);
                }
                out.push(b'e');
            }
        }
    }
}

impl<'a> From<&'a [u8]> for Value<'a> {
    fn from(bytes: &'a [u8]) -> Self {
        Value::Bytes(Cow::Borrowed(bytes))
    }
}

impl<'a, const N: usize> From<&'a [u8; N]> for Value<'a> {
    fn from(bytes: &'a [u8; N]) -> Self {
        Value::Bytes(Cow::Borrowed(bytes))
    }
}

impl From<Vec<u8>> for Value<'_> {
    fn from(bytes: Vec<u8>) -> Self {
        Value::Bytes(Cow::Owned(bytes))
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(text: &'a str) -> Self {
        Value::Bytes(Cow::Borrowed(text.as_bytes()))
    }
}

impl From<Integer> for Value<'_> {
    fn from(value: Integer) -> Self {
        Value::Integer(value)
    }
}

impl From<i64> for Value<'_> {
    fn from(value: i64) -> Self {
        Value::Integer(value.into())
    }
}

impl From<u64> for Value<'_> {
    fn from(value: u64) -> Self {
        Value::Integer(value.into())
    }
}

impl<'a> From<Vec<Value<'a>>> for Value<'a> {
    fn from(items: Vec<Value<'a>>) -> Self {
        Value::List(items)
    }
}

impl<'a> From<Dict<'a>> for Value<'a> {
    fn from(entries: Dict<'a>) -> Self {
        Value::Dict(entries)
    }
}
