//! The byte-level scanner under every reader: bounds-checked, never slicing or allocating from
//! a length before checking it against what remains.

use alloc::borrow::Cow;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::ops::Range;

use crate::{Error, Integer, Kind, Mode, Options, Value};

/// A position in an input, with the end it may not read past (the end of the input, or of the
/// already-validated container a nested reader covers).
///
/// Public only so that [`Decode`](crate::Decode) can name it; it is not reachable from outside
/// the crate.
#[derive(Debug, Clone)]
pub struct Cursor<'a> {
    input: &'a [u8],
    pos: usize,
    end: usize,
    options: Options,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(input: &'a [u8], options: Options) -> Self {
        Self {
            input,
            pos: 0,
            end: input.len(),
            options,
        }
    }

    /// A cursor just inside the container of `kind` that should fill `input`, and the depth
    /// of that container.
    pub(crate) fn open(
        input: &'a [u8],
        options: Options,
        kind: Kind,
    ) -> Result<(Self, usize), Error> {
        let mut cursor = Self::new(input, options);
        cursor.expect_kind(kind)?;
        let depth = cursor.enter(0)?;
        cursor.pos = 1;
        Ok((cursor, depth))
    }

    /// A cursor inside the container that starts at `start` and ends where `self` is now.
    pub(crate) fn sub(&self, start: usize) -> Self {
        Self {
            input: self.input,
            pos: start.saturating_add(1),
            end: self.pos,
            options: self.options,
        }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn options(&self) -> Options {
        self.options
    }

    pub(crate) fn byte_at(&self, at: usize) -> Option<u8> {
        if at < self.end {
            self.input.get(at).copied()
        } else {
            None
        }
    }

    /// The input bytes in `range` (empty if out of bounds, which the callers rule out).
    pub(crate) fn slice(&self, range: Range<usize>) -> &'a [u8] {
        self.input.get(range).unwrap_or(&[])
    }

    /// The bytes from `start` to the current position.
    pub(crate) fn span(&self, start: usize) -> &'a [u8] {
        self.slice(start..self.pos)
    }

    pub(crate) fn peek(&self) -> Result<u8, Error> {
        self.byte_at(self.pos)
            .ok_or(Error::UnexpectedEnd { at: self.pos })
    }

    /// The kind of the value starting here.
    pub(crate) fn kind(&self) -> Result<Kind, Error> {
        let byte = self.peek()?;
        Kind::of_first_byte(byte).ok_or(Error::UnexpectedByte { byte, at: self.pos })
    }

    pub(crate) fn expect_kind(&self, expected: Kind) -> Result<(), Error> {
        let found = self.kind()?;
        if found == expected {
            Ok(())
        } else {
            Err(Error::WrongKind {
                at: self.pos,
                expected,
                found,
            })
        }
    }

    /// Nothing may follow: the end of the input (or of the enclosing container) is here.
    pub(crate) fn expect_end(&self) -> Result<(), Error> {
        if self.pos == self.end {
            Ok(())
        } else {
            Err(Error::TrailingBytes {
                at: self.pos,
                count: self.end.saturating_sub(self.pos),
            })
        }
    }

    /// Consumes a container's `e` and checks that nothing follows.
    pub(crate) fn close(&mut self) -> Result<(), Error> {
        match self.peek()? {
            b'e' => {
                self.pos += 1;
                self.expect_end()
            }
            byte => Err(Error::UnexpectedByte { byte, at: self.pos }),
        }
    }

    /// The depth inside a container opened here, in a container `depth` deep.
    fn enter(&self, depth: usize) -> Result<usize, Error> {
        let max = self.options.max_depth();
        if depth >= max {
            Err(Error::TooDeep { at: self.pos, max })
        } else {
            Ok(depth + 1)
        }
    }

    /// Decimal digits up to `terminator` (consumed), as a `u64`.
    fn digits(&mut self, terminator: u8) -> Result<u64, Error> {
        let start = self.pos;
        let mut value: u64 = 0;
        loop {
            let byte = self.peek()?;
            if byte == terminator {
                break;
            }
            if !byte.is_ascii_digit() {
                return Err(Error::UnexpectedByte { byte, at: self.pos });
            }
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(byte - b'0')))
                .ok_or(Error::NumberTooLarge { at: start })?;
            self.pos += 1;
        }
        let count = self.pos - start;
        if count == 0 {
            return Err(Error::MissingDigits { at: start });
        }
        if count > 1 && self.byte_at(start) == Some(b'0') && self.options.mode() == Mode::Canonical
        {
            return Err(Error::LeadingZero { at: start });
        }
        self.pos += 1;
        Ok(value)
    }

    /// A byte string; the cursor is on its first length digit.
    pub(crate) fn bytes(&mut self) -> Result<&'a [u8], Error> {
        let at = self.pos;
        let declared = self.digits(b':')?;
        let available = self.end.saturating_sub(self.pos);
        let len = usize::try_from(declared)
            .ok()
            .filter(|&len| len <= available)
            .ok_or(Error::LengthOutOfBounds {
                at,
                declared,
                available,
            })?;
        let bytes = self
            .input
            .get(self.pos..self.pos + len)
            .ok_or(Error::UnexpectedEnd { at: self.pos })?;
        self.pos += len;
        Ok(bytes)
    }

    /// An integer; the cursor is on its `i`.
    pub(crate) fn integer(&mut self) -> Result<Integer, Error> {
        let at = self.pos;
        self.pos += 1;
        let negative = self.peek()? == b'-';
        if negative {
            self.pos += 1;
        }
        let magnitude = i128::from(self.digits(b'e')?);
        if negative && magnitude == 0 && self.options.mode() == Mode::Canonical {
            return Err(Error::NegativeZero { at });
        }
        let value = if negative { -magnitude } else { magnitude };
        Integer::new(value).ok_or(Error::NumberTooLarge { at })
    }

    /// A dictionary key, which must sort after `last`, and must be followed by a value.
    pub(crate) fn key(&mut self, last: Option<&[u8]>) -> Result<&'a [u8], Error> {
        let at = self.pos;
        if !self.peek()?.is_ascii_digit() {
            return Err(Error::KeyNotBytes { at });
        }
        let key = self.bytes()?;
        match last.map(|last| key.cmp(last)) {
            Some(Ordering::Less) => return Err(Error::KeyNotAscending { at }),
            Some(Ordering::Equal) => return Err(Error::DuplicateKey { at }),
            Some(Ordering::Greater) | None => {}
        }
        if self.peek()? == b'e' {
            return Err(Error::MissingValue { at: self.pos });
        }
        Ok(key)
    }

    /// Skips one value (validating it), in a container `depth` deep.
    pub(crate) fn skip(&mut self, depth: usize) -> Result<(), Error> {
        match self.kind()? {
            Kind::Bytes => self.bytes().map(drop),
            Kind::Integer => self.integer().map(drop),
            Kind::List => {
                let inner = self.enter(depth)?;
                self.pos += 1;
                while self.peek()? != b'e' {
                    self.skip(inner)?;
                }
                self.pos += 1;
                Ok(())
            }
            Kind::Dict => {
                let inner = self.enter(depth)?;
                self.pos += 1;
                let mut last = None;
                while self.peek()? != b'e' {
                    last = Some(self.key(last)?);
                    self.skip(inner)?;
                }
                self.pos += 1;
                Ok(())
            }
        }
    }

    /// Reads one value into a tree, in a container `depth` deep.
    pub(crate) fn value(&mut self, depth: usize) -> Result<Value<'a>, Error> {
        match self.kind()? {
            Kind::Bytes => self.bytes().map(|b| Value::Bytes(Cow::Borrowed(b))),
            Kind::Integer => self.integer().map(Value::Integer),
            Kind::List => {
                let inner = self.enter(depth)?;
                self.pos += 1;
                let mut items = Vec::new();
                while self.peek()? != b'e' {
                    items.push(self.value(inner)?);
                }
                self.pos += 1;
                Ok(Value::List(items))
            }
            Kind::Dict => {
                let inner = self.enter(depth)?;
                self.pos += 1;
                let mut entries = BTreeMap::new();
                let mut last = None;
                while self.peek()? != b'e' {
                    let key = self.key(last)?;
                    last = Some(key);
                    let value = self.value(inner)?;
                    entries.insert(Cow::Borrowed(key), value);
                }
                self.pos += 1;
                Ok(Value::Dict(entries))
            }
        }
    }
}
