//! A small, bounded bencode reader and writer: byte strings, integers, lists and dictionaries,
//! only as much as v4 onion requests need.
//!
//! The reader borrows from its input, checks every declared length against what remains
//! before slicing, rejects leading zeros and `-0`, and refuses nesting deeper than
//! [`MAX_DEPTH`].

/// Deepest list/dictionary nesting the reader accepts.
pub const MAX_DEPTH: usize = 32;

/// Why bytes are not bencode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BencodeError {
    /// The input ended inside a value.
    #[error("bencode ends early at byte {at}")]
    UnexpectedEnd {
        /// Offset where more input was needed.
        at: usize,
    },
    /// A byte that cannot start or continue a value here.
    #[error("unexpected byte 0x{byte:02x} at {at} in bencode")]
    UnexpectedByte {
        /// The byte.
        byte: u8,
        /// Its offset.
        at: usize,
    },
    /// A string length or integer with a leading zero, `-0`, no digits or too many digits.
    #[error("malformed number at byte {at} in bencode")]
    MalformedNumber {
        /// Offset of the number.
        at: usize,
    },
    /// A string declares more bytes than remain.
    #[error("bencode string at byte {at} declares {declared} bytes; only {available} remain")]
    LengthOutOfBounds {
        /// Offset of the string's length prefix.
        at: usize,
        /// The declared length.
        declared: u64,
        /// Bytes left after the `:`.
        available: usize,
    },
    /// Lists or dictionaries nested deeper than [`MAX_DEPTH`].
    #[error("bencode nests deeper than {MAX_DEPTH} levels")]
    TooDeep,
    /// A dictionary key that is not a byte string.
    #[error("bencode dictionary key at byte {at} is not a string")]
    NonStringKey {
        /// Offset of the key.
        at: usize,
    },
    /// Bytes after the top-level value.
    #[error("{count} trailing bytes after the bencoded value")]
    TrailingBytes {
        /// How many.
        count: usize,
    },
}

/// A decoded bencode value, borrowing its strings from the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Bt<'a> {
    Bytes(&'a [u8]),
    Int(i64),
    List(Vec<Bt<'a>>),
    Dict(Vec<(&'a [u8], Bt<'a>)>),
}

/// Decodes exactly one value filling all of `input`.
pub(crate) fn decode(input: &[u8]) -> Result<Bt<'_>, BencodeError> {
    let mut reader = Reader { input, pos: 0 };
    let value = reader.value(0)?;
    let count = input.len() - reader.pos;
    if count != 0 {
        return Err(BencodeError::TrailingBytes { count });
    }
    Ok(value)
}

struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Result<u8, BencodeError> {
        self.input
            .get(self.pos)
            .copied()
            .ok_or(BencodeError::UnexpectedEnd { at: self.pos })
    }

    fn value(&mut self, depth: usize) -> Result<Bt<'a>, BencodeError> {
        match self.peek()? {
            b'0'..=b'9' => self.bytes().map(Bt::Bytes),
            b'i' => self.integer().map(Bt::Int),
            b'l' => {
                let depth = Self::deeper(depth)?;
                self.pos += 1;
                let mut items = Vec::new();
                while self.peek()? != b'e' {
                    items.push(self.value(depth)?);
                }
                self.pos += 1;
                Ok(Bt::List(items))
            }
            b'd' => {
                let depth = Self::deeper(depth)?;
                self.pos += 1;
                let mut entries = Vec::new();
                while self.peek()? != b'e' {
                    let at = self.pos;
                    if !self.peek()?.is_ascii_digit() {
                        return Err(BencodeError::NonStringKey { at });
                    }
                    let key = self.bytes()?;
                    let value = self.value(depth)?;
                    entries.push((key, value));
                }
                self.pos += 1;
                Ok(Bt::Dict(entries))
            }
            byte => Err(BencodeError::UnexpectedByte { byte, at: self.pos }),
        }
    }

    fn deeper(depth: usize) -> Result<usize, BencodeError> {
        if depth >= MAX_DEPTH {
            Err(BencodeError::TooDeep)
        } else {
            Ok(depth + 1)
        }
    }

    /// Digits up to `end`, as an unsigned number; no leading zero unless the number is 0.
    fn digits(&mut self, end: u8) -> Result<u64, BencodeError> {
        let start = self.pos;
        let mut value: u64 = 0;
        let mut count = 0usize;
        loop {
            let byte = self.peek()?;
            if byte == end {
                break;
            }
            if !byte.is_ascii_digit() {
                return Err(BencodeError::UnexpectedByte { byte, at: self.pos });
            }
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(byte - b'0')))
                .ok_or(BencodeError::MalformedNumber { at: start })?;
            count += 1;
            self.pos += 1;
        }
        let leading_zero = count > 1 && self.input.get(start) == Some(&b'0');
        if count == 0 || leading_zero {
            return Err(BencodeError::MalformedNumber { at: start });
        }
        self.pos += 1; // the terminator
        Ok(value)
    }

    fn bytes(&mut self) -> Result<&'a [u8], BencodeError> {
        let at = self.pos;
        let declared = self.digits(b':')?;
        let available = self.input.len() - self.pos;
        let len = usize::try_from(declared)
            .ok()
            .filter(|&len| len <= available)
            .ok_or(BencodeError::LengthOutOfBounds {
                at,
                declared,
                available,
            })?;
        let bytes = &self.input[self.pos..self.pos + len];
        self.pos += len;
        Ok(bytes)
    }

    fn integer(&mut self) -> Result<i64, BencodeError> {
        let at = self.pos;
        self.pos += 1; // 'i'
        let negative = self.peek()? == b'-';
        if negative {
            self.pos += 1;
        }
        let magnitude = self.digits(b'e')?;
        if negative {
            if magnitude == 0 {
                return Err(BencodeError::MalformedNumber { at });
            }
            0i64.checked_sub_unsigned(magnitude)
                .ok_or(BencodeError::MalformedNumber { at })
        } else {
            i64::try_from(magnitude).map_err(|_| BencodeError::MalformedNumber { at })
        }
    }
}

/// Appends `bytes` as a bencode byte string.
pub(crate) fn push_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(bytes.len().to_string().as_bytes());
    out.push(b':');
    out.extend_from_slice(bytes);
}

/// A bencoded list of byte strings.
pub(crate) fn encode_string_list(items: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 + items.iter().map(|i| i.len() + 12).sum::<usize>());
    out.push(b'l');
    for item in items {
        push_bytes(&mut out, item);
    }
    out.push(b'e');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_shapes() {
        let encoded = encode_string_list(&[b"{}", b"", b"a:b"]);
        assert_eq!(encoded, b"l2:{}0:3:a:be");
        assert_eq!(
            decode(&encoded).unwrap(),
            Bt::List(vec![Bt::Bytes(b"{}"), Bt::Bytes(b""), Bt::Bytes(b"a:b")])
        );
        assert_eq!(
            decode(b"d1:ai-5e1:bli0eee").unwrap(),
            Bt::Dict(vec![
                (&b"a"[..], Bt::Int(-5)),
                (&b"b"[..], Bt::List(vec![Bt::Int(0)]))
            ])
        );
        assert_eq!(
            decode(b"i-9223372036854775808e").unwrap(),
            Bt::Int(i64::MIN)
        );
    }

    #[test]
    fn hostile_inputs() {
        use BencodeError::*;
        let cases: &[(&[u8], BencodeError)] = &[
            (b"", UnexpectedEnd { at: 0 }),
            (b"l", UnexpectedEnd { at: 1 }),
            (
                b"5:abc",
                LengthOutOfBounds {
                    at: 0,
                    declared: 5,
                    available: 3,
                },
            ),
            (b"99999999999999999999:", MalformedNumber { at: 0 }),
            (
                b"18446744073709551615:",
                LengthOutOfBounds {
                    at: 0,
                    declared: u64::MAX,
                    available: 0,
                },
            ),
            (b"01:a", MalformedNumber { at: 0 }),
            (b"i-0e", MalformedNumber { at: 0 }),
            (b"i03e", MalformedNumber { at: 1 }),
            (b"ie", MalformedNumber { at: 1 }),
            (b"i9223372036854775808e", MalformedNumber { at: 0 }),
            (b"x", UnexpectedByte { byte: b'x', at: 0 }),
            (b"1:ab", TrailingBytes { count: 1 }),
            (b"di1ei2ee", NonStringKey { at: 1 }),
            (b"3x", UnexpectedByte { byte: b'x', at: 1 }),
        ];
        for (input, expected) in cases {
            assert_eq!(
                decode(input),
                Err(*expected),
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
        let deep = [vec![b'l'; MAX_DEPTH + 1], vec![b'e'; MAX_DEPTH + 1]].concat();
        assert_eq!(decode(&deep), Err(TooDeep));
        let ok = [vec![b'l'; MAX_DEPTH], vec![b'e'; MAX_DEPTH]].concat();
        assert!(decode(&ok).is_ok());
    }
}
