//! Why bytes are not the bt-encoding expected, and why a value cannot be written.

use core::fmt;

use crate::Integer;

/// The four kinds of bt-encoded values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A byte string, `<length>:<bytes>`.
    Bytes,
    /// An integer, `i<decimal>e`.
    Integer,
    /// A list, `l<values>e`.
    List,
    /// A dictionary, `d<key><value>…e`.
    Dict,
}

impl Kind {
    /// The kind of value that starts with `byte`, if any.
    pub const fn of_first_byte(byte: u8) -> Option<Kind> {
        match byte {
            b'0'..=b'9' => Some(Kind::Bytes),
            b'i' => Some(Kind::Integer),
            b'l' => Some(Kind::List),
            b'd' => Some(Kind::Dict),
            _ => None,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Bytes => "byte string",
            Kind::Integer => "integer",
            Kind::List => "list",
            Kind::Dict => "dictionary",
        })
    }
}

/// Why input is not the bt-encoding expected. Every variant names the byte offset, counted
/// from the start of the input handed to the reader, where the problem was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input ended inside a value.
    #[error("input ends early at byte {at}")]
    UnexpectedEnd {
        /// Offset where more input was needed.
        at: usize,
    },
    /// A byte that cannot start or continue a value here.
    #[error("unexpected byte 0x{byte:02x} at {at}")]
    UnexpectedByte {
        /// The byte.
        byte: u8,
        /// Its offset.
        at: usize,
    },
    /// An integer or string length with no digits (`ie`, `i-e`, `:`).
    #[error("number without digits at byte {at}")]
    MissingDigits {
        /// Offset of the number's first digit.
        at: usize,
    },
    /// An integer or string length with a leading zero (`i01e`, `01:a`); only
    /// [`Mode::Lenient`](crate::Mode::Lenient) accepts them.
    #[error("number with a leading zero at byte {at}")]
    LeadingZero {
        /// Offset of the number's first digit.
        at: usize,
    },
    /// The integer `i-0e`; only [`Mode::Lenient`](crate::Mode::Lenient) accepts it (as 0).
    #[error("negative zero at byte {at}")]
    NegativeZero {
        /// Offset of the integer's `i`.
        at: usize,
    },
    /// An integer below `i64::MIN` or above `u64::MAX`, or a string length above `u64::MAX`.
    #[error("number at byte {at} does not fit 64 bits")]
    NumberTooLarge {
        /// Offset of the number.
        at: usize,
    },
    /// A string declares more bytes than remain in its container.
    #[error("string at byte {at} declares {declared} bytes; only {available} remain")]
    LengthOutOfBounds {
        /// Offset of the string's length prefix.
        at: usize,
        /// The declared length.
        declared: u64,
        /// Bytes left after the `:`.
        available: usize,
    },
    /// Lists and dictionaries nested deeper than the reader's limit.
    #[error("container at byte {at} nests deeper than {max} levels")]
    TooDeep {
        /// Offset of the container that is one too deep.
        at: usize,
        /// The limit ([`Options::max_depth`](crate::Options::max_depth)).
        max: usize,
    },
    /// A dictionary key that is not a byte string.
    #[error("dictionary key at byte {at} is not a byte string")]
    KeyNotBytes {
        /// Offset of the key.
        at: usize,
    },
    /// A dictionary key that sorts before the previous key (keys must ascend, compared as
    /// unsigned bytes; a key sorts after its proper prefixes).
    #[error("dictionary key at byte {at} sorts before the previous key")]
    KeyNotAscending {
        /// Offset of the key.
        at: usize,
    },
    /// A dictionary key equal to the previous key.
    #[error("duplicate dictionary key at byte {at}")]
    DuplicateKey {
        /// Offset of the second occurrence.
        at: usize,
    },
    /// A dictionary key followed by the end of the dictionary instead of a value.
    #[error("dictionary key without a value; the dictionary ends at byte {at}")]
    MissingValue {
        /// Offset of the `e`.
        at: usize,
    },
    /// Bytes after the value that should fill the input.
    #[error("{count} trailing bytes at byte {at}")]
    TrailingBytes {
        /// Offset of the first trailing byte.
        at: usize,
        /// How many.
        count: usize,
    },
    /// A value of another kind than the one asked for.
    #[error("expected a {expected} at byte {at}, found a {found}")]
    WrongKind {
        /// Offset of the value.
        at: usize,
        /// The kind asked for.
        expected: Kind,
        /// The kind found.
        found: Kind,
    },
    /// A value was asked for, but the list or dictionary ends here.
    #[error("expected a value at byte {at}, found the end of the container")]
    ContainerEnd {
        /// Offset of the container's `e`.
        at: usize,
    },
    /// An integer that does not fit the type asked for (`i64`, `u64`).
    #[error("integer {value} at byte {at} is out of range")]
    IntegerOutOfRange {
        /// Offset of the integer.
        at: usize,
        /// The integer.
        value: Integer,
    },
    /// A byte string of another length than the fixed-size array asked for.
    #[error("byte string at byte {at} has {found} bytes, expected {expected}")]
    WrongLength {
        /// Offset of the string.
        at: usize,
        /// The length asked for.
        expected: usize,
        /// The length found.
        found: usize,
    },
    /// A key the caller requires is absent.
    #[error("required dictionary key missing before byte {at}")]
    MissingKey {
        /// Offset where the key would have been (the next greater key, or the `e`).
        at: usize,
    },
    /// A required signature (`~` entry) is absent.
    #[error("signature missing before byte {at}")]
    MissingSignature {
        /// Offset where the `~` key would have been.
        at: usize,
    },
    /// A key after the signature's position: the `~` entry must be the dictionary's last.
    #[error("dictionary key at byte {at} follows the signature position")]
    KeyAfterSignature {
        /// Offset of the key.
        at: usize,
    },
    /// The `~` key written with a non-canonical length (`01:~`): the signed range would be
    /// ambiguous.
    #[error("signature key at byte {at} is not written as `1:~`")]
    NonCanonicalSignatureKey {
        /// Offset of the key.
        at: usize,
    },
    /// A signature that is not 64 bytes.
    #[error("signature at byte {at} has {found} bytes, expected 64")]
    SignatureLength {
        /// Offset of the signature string.
        at: usize,
        /// Its length.
        found: usize,
    },
}

/// Why a writer refused a dictionary entry. The output written so far stays well-formed: the
/// entry is not written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// The key sorts before the previous key of the dictionary.
    #[error("dictionary key at output byte {at} sorts before the previous key")]
    KeyNotAscending {
        /// Offset in the output where the key would have gone.
        at: usize,
    },
    /// The key equals the previous key of the dictionary.
    #[error("duplicate dictionary key at output byte {at}")]
    DuplicateKey {
        /// Offset in the output where the key would have gone.
        at: usize,
    },
}
