//! The value model of config data (§11.2): scalars, sets and dictionaries.

use alloc::borrow::Cow;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::vec::Vec;

use session_bencode::{DictReader, Kind, ListReader};
use zeroize::Zeroize;

use crate::ParseError;

/// A scalar: a signed 64-bit integer or a byte string.
///
/// Scalars order as libsession orders them, which is also the order of a set's encoding:
/// every integer (numerically) before every string (bytewise, a proper prefix first).
///
/// ```
/// use session_config::Scalar;
/// assert!(Scalar::Int(i64::MAX) < Scalar::from("!"));
/// assert!(Scalar::from("Foo") < Scalar::from("foo"));
/// ```
///
/// `Debug` shows integers and printable text, and only the length of other byte strings:
/// config data holds keys (a group's secret key, a profile picture's key).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scalar {
    /// An integer.
    Int(i64),
    /// A byte string.
    Bytes(Vec<u8>),
}

/// A set of unique scalars. Stored, it is never empty (an empty set is pruned).
pub type Set = BTreeSet<Scalar>;

/// A dictionary: byte-string keys to values. Stored, only the top-level data dictionary may be
/// empty (an empty nested dictionary is pruned).
pub type Dict = BTreeMap<Vec<u8>, Value>;

/// A value in config data. Byte strings are wiped on drop; `Debug` shows them as [`Scalar`]
/// does (printable text, else only the length).
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Value {
    /// An integer scalar.
    Int(i64),
    /// A byte-string scalar.
    Bytes(Vec<u8>),
    /// A set of scalars.
    Set(Set),
    /// A nested dictionary.
    Dict(Dict),
}

/// The three kinds of value a diff distinguishes: changing an integer to a string is a scalar
/// change, changing a scalar to a set is a change of kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueKind {
    /// An integer or a byte string.
    Scalar,
    /// A set.
    Set,
    /// A dictionary.
    Dict,
}

impl Value {
    /// The kind of value.
    pub fn kind(&self) -> ValueKind {
        match self {
            Value::Int(_) | Value::Bytes(_) => ValueKind::Scalar,
            Value::Set(_) => ValueKind::Set,
            Value::Dict(_) => ValueKind::Dict,
        }
    }

    /// The integer, if this is one.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The bytes, if this is a byte string.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The set, if this is one.
    pub fn as_set(&self) -> Option<&Set> {
        match self {
            Value::Set(s) => Some(s),
            _ => None,
        }
    }

    /// The dictionary, if this is one.
    pub fn as_dict(&self) -> Option<&Dict> {
        match self {
            Value::Dict(d) => Some(d),
            _ => None,
        }
    }

    /// Whether the value would be pruned: an empty set or dictionary.
    pub fn is_empty_container(&self) -> bool {
        match self {
            Value::Set(s) => s.is_empty(),
            Value::Dict(d) => d.is_empty(),
            _ => false,
        }
    }
}

impl From<Scalar> for Value {
    fn from(mut s: Scalar) -> Self {
        match &mut s {
            Scalar::Int(i) => Value::Int(*i),
            // The bytes move on; `s` drops empty.
            Scalar::Bytes(b) => Value::Bytes(core::mem::take(b)),
        }
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {
        $(
            impl From<$t> for Scalar {
                fn from(i: $t) -> Self {
                    Scalar::Int(i64::from(i))
                }
            }
            impl From<$t> for Value {
                fn from(i: $t) -> Self {
                    Value::Int(i64::from(i))
                }
            }
        )*
    };
}
from_int!(i8, i16, i32, i64, u8, u16, u32);

macro_rules! from_bytes {
    ($($t:ty),*) => {
        $(
            impl From<$t> for Scalar {
                fn from(b: $t) -> Self {
                    Scalar::Bytes(Vec::from(b))
                }
            }
            impl From<$t> for Value {
                fn from(b: $t) -> Self {
                    Value::Bytes(Vec::from(b))
                }
            }
        )*
    };
}
from_bytes!(&[u8], Vec<u8>, &str, String);

impl<const N: usize> From<[u8; N]> for Scalar {
    fn from(b: [u8; N]) -> Self {
        Scalar::Bytes(b.to_vec())
    }
}

impl<const N: usize> From<[u8; N]> for Value {
    fn from(b: [u8; N]) -> Self {
        Value::Bytes(b.to_vec())
    }
}

impl<const N: usize> From<&[u8; N]> for Value {
    fn from(b: &[u8; N]) -> Self {
        Value::Bytes(b.to_vec())
    }
}

impl From<Set> for Value {
    fn from(s: Set) -> Self {
        Value::Set(s)
    }
}

impl From<Dict> for Value {
    fn from(d: Dict) -> Self {
        Value::Dict(d)
    }
}

/// Removes empty sets and dictionaries, recursively (a dictionary emptied by pruning goes too);
/// `true` if anything was removed. The top-level dictionary itself stays, even empty.
///
/// ```
/// use session_config::{prune, Dict, Set, Value};
/// let mut data = Dict::new();
/// data.insert(b"a".to_vec(), Value::Int(1));
/// data.insert(b"b".to_vec(), Value::Set(Set::new()));
/// let mut inner = Dict::new();
/// inner.insert(b"x".to_vec(), Value::Dict(Dict::new()));
/// data.insert(b"c".to_vec(), Value::Dict(inner));
/// assert!(prune(&mut data));
/// assert_eq!(data.len(), 1);
/// assert!(!prune(&mut data));
/// ```
pub fn prune(dict: &mut Dict) -> bool {
    let mut removed = false;
    dict.retain(|_, value| {
        if let Value::Dict(inner) = value {
            removed |= prune(inner);
        }
        let keep = !value.is_empty_container();
        removed |= !keep;
        keep
    });
    removed
}

/// Whether [`prune`] would remove anything.
pub(crate) fn needs_pruning(dict: &Dict) -> bool {
    dict.values().any(|value| match value {
        Value::Dict(inner) => inner.is_empty() || needs_pruning(inner),
        Value::Set(set) => set.is_empty(),
        _ => false,
    })
}

/// The bt-encoding tree of a scalar, borrowing its bytes.
pub(crate) fn scalar_to_bt(s: &Scalar) -> session_bencode::Value<'_> {
    match s {
        Scalar::Int(i) => session_bencode::Value::Integer((*i).into()),
        Scalar::Bytes(b) => session_bencode::Value::Bytes(Cow::Borrowed(b)),
    }
}

/// The bt-encoding tree of a set: a list, integers first.
pub(crate) fn set_to_bt(s: &Set) -> session_bencode::Value<'_> {
    session_bencode::Value::List(s.iter().map(scalar_to_bt).collect())
}

/// The bt-encoding tree of a value, borrowing its bytes.
pub(crate) fn value_to_bt(v: &Value) -> session_bencode::Value<'_> {
    match v {
        Value::Int(i) => session_bencode::Value::Integer((*i).into()),
        Value::Bytes(b) => session_bencode::Value::Bytes(Cow::Borrowed(b)),
        Value::Set(s) => set_to_bt(s),
        Value::Dict(d) => dict_to_bt(d),
    }
}

/// The bt-encoding tree of a dictionary, borrowing its keys and bytes.
pub(crate) fn dict_to_bt(d: &Dict) -> session_bencode::Value<'_> {
    session_bencode::Value::Dict(
        d.iter()
            .map(|(k, v)| (Cow::Borrowed(k.as_slice()), value_to_bt(v)))
            .collect(),
    )
}

/// The canonical bt-encoding of a dictionary of config data.
///
/// ```
/// use session_config::{encode_dict, Dict, Set, Scalar, Value};
/// let mut set = Set::new();
/// for member in [Scalar::from("2"), Scalar::from("1"), Scalar::Int(4), Scalar::Int(-3)] {
///     set.insert(member);
/// }
/// let mut data = Dict::new();
/// data.insert(b"c".to_vec(), Value::Set(set));
/// data.insert(b"B".to_vec(), Value::from("x"));
/// assert_eq!(encode_dict(&data), b"d1:B1:x1:cli-3ei4e1:11:2ee");
/// ```
pub fn encode_dict(d: &Dict) -> Vec<u8> {
    dict_to_bt(d).encode()
}

/// Reads a data dictionary (`&`, or one nested in it): keys ascend, values are scalars, sets or
/// non-empty dictionaries.
pub(crate) fn parse_dict(mut reader: DictReader<'_>, top_level: bool) -> Result<Dict, ParseError> {
    let start = reader.start();
    let mut out = Dict::new();
    while let Some(key) = reader.peek_key()? {
        let value = match reader.peek_kind()? {
            Some(Kind::Bytes) => Value::Bytes(reader.read::<&[u8]>()?.to_vec()),
            Some(Kind::Integer) => Value::Int(reader.read::<i64>()?),
            Some(Kind::List) => Value::Set(parse_set(reader.read::<ListReader<'_>>()?)?),
            Some(Kind::Dict) | None => {
                Value::Dict(parse_dict(reader.read::<DictReader<'_>>()?, false)?)
            }
        };
        out.insert(key.to_vec(), value);
    }
    if !top_level && out.is_empty() {
        return Err(ParseError::EmptyDict { at: start });
    }
    Ok(out)
}

/// Reads a non-empty set.
fn parse_set(reader: ListReader<'_>) -> Result<Set, ParseError> {
    let start = reader.start();
    let set = parse_members(reader)?;
    if set.is_empty() {
        return Err(ParseError::EmptySet { at: start });
    }
    Ok(set)
}

/// Reads a list of strictly ascending scalars (possibly empty).
pub(crate) fn parse_members(mut reader: ListReader<'_>) -> Result<Set, ParseError> {
    let mut set = Set::new();
    while let Some(kind) = reader.peek_kind()? {
        let at = reader.offset();
        let member = match kind {
            Kind::Integer => Scalar::Int(reader.read::<i64>()?),
            Kind::Bytes => Scalar::Bytes(reader.read::<&[u8]>()?.to_vec()),
            Kind::List | Kind::Dict => return Err(ParseError::NonScalarMember { at }),
        };
        if let Some(last) = set.last() {
            if member == *last {
                return Err(ParseError::DuplicateMember { at });
            }
            if member < *last {
                return Err(ParseError::UnsortedMember { at });
            }
        }
        set.insert(member);
    }
    Ok(set)
}

impl Drop for Scalar {
    fn drop(&mut self) {
        if let Scalar::Bytes(bytes) = self {
            bytes.zeroize();
        }
    }
}

impl Drop for Value {
    fn drop(&mut self) {
        if let Value::Bytes(bytes) = self {
            bytes.zeroize();
        }
    }
}

/// A byte string for `Debug`: printable UTF-8 as a quoted string, anything else (keys, hashes,
/// IDs) as its length.
struct RedactedBytes<'a>(&'a [u8]);

impl core::fmt::Debug for RedactedBytes<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match core::str::from_utf8(self.0) {
            Ok(text) if !text.chars().any(char::is_control) => write!(f, "{text:?}"),
            _ => write!(f, "<{} bytes>", self.0.len()),
        }
    }
}

impl core::fmt::Debug for Scalar {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Scalar::Int(i) => f.debug_tuple("Int").field(i).finish(),
            Scalar::Bytes(b) => f.debug_tuple("Bytes").field(&RedactedBytes(b)).finish(),
        }
    }
}

impl core::fmt::Debug for Value {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Value::Int(i) => f.debug_tuple("Int").field(i).finish(),
            Value::Bytes(b) => f.debug_tuple("Bytes").field(&RedactedBytes(b)).finish(),
            Value::Set(set) => f.debug_tuple("Set").field(set).finish(),
            Value::Dict(dict) => {
                let mut map = f.debug_map();
                for (key, value) in dict {
                    map.entry(&RedactedBytes(key), value);
                }
                map.finish()
            }
        }
    }
}

#[cfg(test)]
mod debug_tests {
    use super::*;
    use alloc::format;

    #[test]
    fn debug_shows_text_and_hides_binary() {
        let mut dict = Dict::new();
        dict.insert(b"n".to_vec(), Value::from("Kallie"));
        dict.insert(b"K".to_vec(), Value::Bytes(alloc::vec![0xa7; 32]));
        dict.insert(b"c".to_vec(), Value::Int(3));
        let mut set = Set::new();
        set.insert(Scalar::Bytes(alloc::vec![0, 1, 2]));
        dict.insert(b"s".to_vec(), Value::Set(set));
        let shown = format!("{:?}", Value::Dict(dict));
        assert_eq!(
            shown,
            r#"{"K": Bytes(<32 bytes>), "c": Int(3), "n": Bytes("Kallie"), "s": Set({Bytes(<3 bytes>)})}"#
        );
        assert!(!shown.contains("a7") && !shown.contains("167"));
    }
}
