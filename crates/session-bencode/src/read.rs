//! The zero-copy reader: streaming list and dictionary readers, raw value spans and signatures.

use core::cmp::Ordering;
use core::ops::Range;

use crate::cursor::Cursor;
use crate::{Error, Integer, Kind, Value};

/// Nesting depth a reader accepts unless told otherwise: 32 lists or dictionaries inside each
/// other (the outermost counts as one).
pub const DEFAULT_MAX_DEPTH: usize = 32;

/// The largest depth [`Options::with_max_depth`] accepts; larger values are lowered to it (the
/// reader recurses once per level).
pub const MAX_DEPTH_LIMIT: usize = 256;

/// Which integer and length spellings a reader accepts.
///
/// Both modes require dictionary keys in strictly ascending order (unsigned bytewise, a proper
/// prefix first), reject integers outside `i64::MIN..=u64::MAX`, and reject signs other than a
/// single leading `-`, empty numbers, and bytes after the value. They differ only in the
/// spellings that oxenc's parser tolerates but no producer writes:
///
/// | input | [`Canonical`](Mode::Canonical) | [`Lenient`](Mode::Lenient) |
/// |---|---|---|
/// | `i01e`, `i-01e`, `i00e` | [`Error::LeadingZero`] | 1, −1, 0 |
/// | `i-0e` | [`Error::NegativeZero`] | 0 |
/// | `01:a` (string length) | [`Error::LeadingZero`] | `"a"` |
///
/// In canonical mode every accepted input is exactly what the writer produces for the value
/// read, so re-encoding gives the same bytes. In lenient mode it may not: hash and verify the
/// received bytes ([`Raw`], [`Signed`]), never a re-encoding.
///
/// Which mode a protocol needs: onion v4 requests and replies use [`Mode::Canonical`] (the
/// servers write canonical bt-encoding and the v4 codec has always refused anything else).
/// Config messages and group keys messages, which libsession reads with oxenc's lenient
/// parser, need [`Mode::Lenient`] so that every client accepts (and hashes, merges or
/// verifies) the same set of messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    /// Only the canonical spelling: no leading zeros, no `-0`.
    #[default]
    Canonical,
    /// Also leading zeros in integers and string lengths, and `-0`, as oxenc's parser.
    Lenient,
}

/// How a reader reads: the [`Mode`] and the maximum nesting depth.
///
/// ```
/// use session_bencode::{decode_with, Error, Options};
/// assert_eq!(decode_with(b"i01e", Options::canonical()), Err(Error::LeadingZero { at: 1 }));
/// assert!(decode_with(b"i01e", Options::lenient()).is_ok());
/// assert!(decode_with(b"llee", Options::canonical().with_max_depth(1)).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Options {
    mode: Mode,
    max_depth: usize,
}

impl Options {
    /// [`Mode::Canonical`], [`DEFAULT_MAX_DEPTH`].
    pub const fn canonical() -> Self {
        Self {
            mode: Mode::Canonical,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }

    /// [`Mode::Lenient`], [`DEFAULT_MAX_DEPTH`].
    pub const fn lenient() -> Self {
        Self {
            mode: Mode::Lenient,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }

    /// The same options with another maximum depth (at most [`MAX_DEPTH_LIMIT`]; 0 admits
    /// only strings and integers).
    #[must_use]
    pub const fn with_max_depth(self, max_depth: usize) -> Self {
        let max_depth = if max_depth > MAX_DEPTH_LIMIT {
            MAX_DEPTH_LIMIT
        } else {
            max_depth
        };
        Self { max_depth, ..self }
    }

    /// The mode.
    pub const fn mode(&self) -> Mode {
        self.mode
    }

    /// The maximum nesting depth.
    pub const fn max_depth(&self) -> usize {
        self.max_depth
    }
}

impl Default for Options {
    fn default() -> Self {
        Self::canonical()
    }
}

/// Reads exactly one canonical value filling all of `input` (see [`decode_with`]).
pub fn decode(input: &[u8]) -> Result<Value<'_>, Error> {
    decode_with(input, Options::canonical())
}

/// Reads exactly one value filling all of `input`, into a tree that borrows its strings.
///
/// ```
/// use session_bencode::{decode_with, Options, Value};
/// let value = decode_with(b"d1:ai-5e1:bl0:ee", Options::canonical())?;
/// assert_eq!(value.get(b"a").and_then(Value::as_i64), Some(-5));
/// assert_eq!(value.encode(), b"d1:ai-5e1:bl0:ee");
/// # Ok::<(), session_bencode::Error>(())
/// ```
pub fn decode_with(input: &[u8], options: Options) -> Result<Value<'_>, Error> {
    let mut cursor = Cursor::new(input, options);
    let value = cursor.value(0)?;
    cursor.expect_end()?;
    Ok(value)
}

mod private {
    pub trait Sealed {}
}

/// What the readers' `read`, `require` and `maybe` methods can produce from the next value.
///
/// | type | accepts |
/// |---|---|
/// | `&[u8]` | a byte string, borrowed from the input |
/// | `&[u8; N]` | a byte string of exactly `N` bytes ([`Error::WrongLength`] otherwise) |
/// | [`Integer`] | an integer |
/// | `i64`, `u64` | an integer in range ([`Error::IntegerOutOfRange`] otherwise) |
/// | [`ListReader`], [`DictReader`] | a list / dictionary, validated whole, to read lazily |
/// | [`Raw`] | any value, validated, as its encoded bytes |
/// | [`Value`] | any value, as a tree |
///
/// A value of another kind gives [`Error::WrongKind`]. A read that fails leaves the reader
/// where it was.
pub trait Decode<'a>: Sized + private::Sealed {
    /// Reads one value at the cursor, inside a container nested `depth` levels deep.
    #[doc(hidden)]
    fn decode(cursor: &mut Cursor<'a>, depth: usize) -> Result<Self, Error>;
}

impl private::Sealed for &[u8] {}
impl<'a> Decode<'a> for &'a [u8] {
    fn decode(cursor: &mut Cursor<'a>, _depth: usize) -> Result<Self, Error> {
        cursor.expect_kind(Kind::Bytes)?;
        cursor.bytes()
    }
}

impl<const N: usize> private::Sealed for &[u8; N] {}
impl<'a, const N: usize> Decode<'a> for &'a [u8; N] {
    fn decode(cursor: &mut Cursor<'a>, _depth: usize) -> Result<Self, Error> {
        let at = cursor.pos();
        cursor.expect_kind(Kind::Bytes)?;
        let bytes = cursor.bytes()?;
        bytes.try_into().map_err(|_| Error::WrongLength {
            at,
            expected: N,
            found: bytes.len(),
        })
    }
}

impl private::Sealed for Integer {}
impl<'a> Decode<'a> for Integer {
    fn decode(cursor: &mut Cursor<'a>, _depth: usize) -> Result<Self, Error> {
        cursor.expect_kind(Kind::Integer)?;
        cursor.integer()
    }
}

impl private::Sealed for i64 {}
impl<'a> Decode<'a> for i64 {
    fn decode(cursor: &mut Cursor<'a>, depth: usize) -> Result<Self, Error> {
        let at = cursor.pos();
        let value = Integer::decode(cursor, depth)?;
        value.as_i64().ok_or(Error::IntegerOutOfRange { at, value })
    }
}

impl private::Sealed for u64 {}
impl<'a> Decode<'a> for u64 {
    fn decode(cursor: &mut Cursor<'a>, depth: usize) -> Result<Self, Error> {
        let at = cursor.pos();
        let value = Integer::decode(cursor, depth)?;
        value.as_u64().ok_or(Error::IntegerOutOfRange { at, value })
    }
}

impl private::Sealed for Raw<'_> {}
impl<'a> Decode<'a> for Raw<'a> {
    fn decode(cursor: &mut Cursor<'a>, depth: usize) -> Result<Self, Error> {
        let start = cursor.pos();
        cursor.skip(depth)?;
        Ok(Raw {
            bytes: cursor.span(start),
            offset: start,
            options: cursor.options(),
        })
    }
}

impl private::Sealed for Value<'_> {}
impl<'a> Decode<'a> for Value<'a> {
    fn decode(cursor: &mut Cursor<'a>, depth: usize) -> Result<Self, Error> {
        cursor.value(depth)
    }
}

impl private::Sealed for ListReader<'_> {}
impl<'a> Decode<'a> for ListReader<'a> {
    fn decode(cursor: &mut Cursor<'a>, depth: usize) -> Result<Self, Error> {
        let start = cursor.pos();
        cursor.expect_kind(Kind::List)?;
        cursor.skip(depth)?;
        Ok(ListReader {
            cursor: cursor.sub(start),
            start,
            depth: depth + 1,
        })
    }
}

impl private::Sealed for DictReader<'_> {}
impl<'a> Decode<'a> for DictReader<'a> {
    fn decode(cursor: &mut Cursor<'a>, depth: usize) -> Result<Self, Error> {
        let start = cursor.pos();
        cursor.expect_kind(Kind::Dict)?;
        cursor.skip(depth)?;
        Ok(DictReader {
            cursor: cursor.sub(start),
            start,
            depth: depth + 1,
            last_key: None,
            pending: None,
        })
    }
}

/// One value exactly as it was encoded: validated, not decoded.
///
/// Hashes and signatures are over received bytes; a `Raw` keeps them, and a writer re-emits
/// them verbatim ([`DictWriter::raw`](crate::DictWriter::raw)), for example the unknown keys of
/// a config message.
#[derive(Debug, Clone, Copy)]
pub struct Raw<'a> {
    bytes: &'a [u8],
    offset: usize,
    options: Options,
}

impl<'a> Raw<'a> {
    /// Validates that `input` is exactly one value.
    ///
    /// ```
    /// use session_bencode::{Options, Raw};
    /// let raw = Raw::parse(b"li1e0:e", Options::canonical())?;
    /// assert_eq!(raw.as_bytes(), b"li1e0:e");
    /// assert!(Raw::parse(b"li1e0:ee", Options::canonical()).is_err());
    /// # Ok::<(), session_bencode::Error>(())
    /// ```
    pub fn parse(input: &'a [u8], options: Options) -> Result<Self, Error> {
        let mut cursor = Cursor::new(input, options);
        let raw = Raw::decode(&mut cursor, 0)?;
        cursor.expect_end()?;
        Ok(raw)
    }

    /// The encoded bytes.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Offset of the first byte in the input it was read from.
    pub const fn offset(&self) -> usize {
        self.offset
    }

    /// Where the bytes lie in the input it was read from.
    pub const fn range(&self) -> Range<usize> {
        self.offset..self.offset + self.bytes.len()
    }

    /// The kind of value.
    pub fn kind(&self) -> Kind {
        // A validated value starts with one of the four kind bytes.
        self.bytes
            .first()
            .and_then(|&byte| Kind::of_first_byte(byte))
            .unwrap_or(Kind::Bytes)
    }

    /// The options it was validated with.
    pub const fn options(&self) -> Options {
        self.options
    }

    /// The value as a tree (with the options it was validated with; error offsets count from
    /// the raw value's first byte).
    pub fn value(&self) -> Result<Value<'a>, Error> {
        decode_with(self.bytes, self.options)
    }
}

/// A `~` signature entry at the end of a dictionary, as [`DictReader::signature`] finds it.
///
/// The signed bytes are the dictionary's encoding from its opening `d` up to, not including,
/// the `1:~` key: everything but the final `1:~64:<signature>e`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed<'a> {
    message: &'a [u8],
    range: Range<usize>,
    signature: &'a [u8; 64],
}

impl<'a> Signed<'a> {
    /// The bytes the signature signs, borrowed from the input.
    pub const fn signed_bytes(&self) -> &'a [u8] {
        self.message
    }

    /// Where the signed bytes lie in the input the reader was created on.
    pub fn signed_range(&self) -> Range<usize> {
        self.range.clone()
    }

    /// The 64-byte signature.
    pub const fn signature(&self) -> &'a [u8; 64] {
        self.signature
    }
}

/// Reads a list one element at a time, borrowing from the input.
///
/// A reader made with [`ListReader::new`] checks the input as it goes: call
/// [`finish`](ListReader::finish) to check the rest and that nothing follows the list. A
/// reader obtained from another reader (`read::<ListReader>()`) covers a list that was already
/// validated whole.
///
/// ```
/// use session_bencode::{Integer, ListReader};
/// let mut list = ListReader::new(b"l3:abci-7ee")?;
/// assert_eq!(list.read::<&[u8]>()?, b"abc");
/// assert_eq!(list.read::<i64>()?, -7);
/// assert!(list.is_finished()?);
/// list.finish()?;
/// # Ok::<(), session_bencode::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ListReader<'a> {
    cursor: Cursor<'a>,
    start: usize,
    depth: usize,
}

impl<'a> ListReader<'a> {
    /// A reader of the canonical list that should fill `input`.
    pub fn new(input: &'a [u8]) -> Result<Self, Error> {
        Self::with_options(input, Options::canonical())
    }

    /// A reader of the list that should fill `input`, read with `options`.
    pub fn with_options(input: &'a [u8], options: Options) -> Result<Self, Error> {
        let (cursor, depth) = Cursor::open(input, options, Kind::List)?;
        Ok(Self {
            cursor,
            start: 0,
            depth,
        })
    }

    /// Offset of the list's `l` in the input.
    pub const fn start(&self) -> usize {
        self.start
    }

    /// Offset of the next unread byte in the input.
    pub fn offset(&self) -> usize {
        self.cursor.pos()
    }

    /// The kind of the next element, or `None` at the end of the list.
    pub fn peek_kind(&self) -> Result<Option<Kind>, Error> {
        if self.cursor.peek()? == b'e' {
            Ok(None)
        } else {
            self.cursor.kind().map(Some)
        }
    }

    /// Whether every element has been read.
    pub fn is_finished(&self) -> Result<bool, Error> {
        Ok(self.peek_kind()?.is_none())
    }

    /// Reads the next element as a `T` (see [`Decode`]); [`Error::ContainerEnd`] if none is
    /// left.
    pub fn read<T: Decode<'a>>(&mut self) -> Result<T, Error> {
        if self.cursor.peek()? == b'e' {
            return Err(Error::ContainerEnd {
                at: self.cursor.pos(),
            });
        }
        let mut cursor = self.cursor.clone();
        let value = T::decode(&mut cursor, self.depth)?;
        self.cursor = cursor;
        Ok(value)
    }

    /// Skips the next element (validating it).
    pub fn skip(&mut self) -> Result<(), Error> {
        self.read::<Raw<'a>>().map(drop)
    }

    /// Skips the elements left, then checks the list's end and that nothing follows it.
    pub fn finish(mut self) -> Result<(), Error> {
        while !self.is_finished()? {
            self.skip()?;
        }
        self.cursor.close()
    }
}

/// Reads a dictionary one entry at a time, borrowing from the input, checking that keys
/// strictly ascend.
///
/// Keys are read in order: [`peek_key`](DictReader::peek_key) shows the next key, the `read`
/// methods consume its value, [`skip_until`](DictReader::skip_until),
/// [`require`](DictReader::require) and [`maybe`](DictReader::maybe) skip ahead to a key.
/// A reader made with [`DictReader::new`] checks the input as it goes: call
/// [`finish`](DictReader::finish) to check the rest and that nothing follows the dictionary.
///
/// ```
/// use session_bencode::DictReader;
/// let mut dict = DictReader::new(b"d1:#i7e1:&de1:xl1:aee")?;
/// assert_eq!(dict.require::<i64>(b"#")?, 7);
/// assert_eq!(dict.maybe::<i64>(b"$")?, None); // absent: the next key, `&`, sorts after it
/// let mut data = dict.require::<DictReader>(b"&")?;
/// assert_eq!(data.peek_key()?, None);
/// assert_eq!(dict.peek_key()?, Some(&b"x"[..]));
/// dict.finish()?;
/// # Ok::<(), session_bencode::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct DictReader<'a> {
    cursor: Cursor<'a>,
    start: usize,
    depth: usize,
    last_key: Option<&'a [u8]>,
    /// The key read but whose value is not, with the offset of its length prefix.
    pending: Option<(&'a [u8], usize)>,
}

impl<'a> DictReader<'a> {
    /// A reader of the canonical dictionary that should fill `input`.
    pub fn new(input: &'a [u8]) -> Result<Self, Error> {
        Self::with_options(input, Options::canonical())
    }

    /// A reader of the dictionary that should fill `input`, read with `options`.
    pub fn with_options(input: &'a [u8], options: Options) -> Result<Self, Error> {
        let (cursor, depth) = Cursor::open(input, options, Kind::Dict)?;
        Ok(Self {
            cursor,
            start: 0,
            depth,
            last_key: None,
            pending: None,
        })
    }

    /// Offset of the dictionary's `d` in the input.
    pub const fn start(&self) -> usize {
        self.start
    }

    /// Offset of the next unread key (or of the dictionary's `e`) in the input.
    pub fn offset(&self) -> usize {
        match self.pending {
            Some((_, at)) => at,
            None => self.cursor.pos(),
        }
    }

    /// The next key, or `None` at the end of the dictionary. Reading a key checks that it
    /// sorts after the previous one and that a value follows.
    pub fn peek_key(&mut self) -> Result<Option<&'a [u8]>, Error> {
        if let Some((key, _)) = self.pending {
            return Ok(Some(key));
        }
        if self.cursor.peek()? == b'e' {
            return Ok(None);
        }
        let mut cursor = self.cursor.clone();
        let at = cursor.pos();
        let key = cursor.key(self.last_key)?;
        self.cursor = cursor;
        self.last_key = Some(key);
        self.pending = Some((key, at));
        Ok(Some(key))
    }

    /// The kind of the next value, or `None` at the end of the dictionary.
    pub fn peek_kind(&mut self) -> Result<Option<Kind>, Error> {
        match self.peek_key()? {
            None => Ok(None),
            Some(_) => self.cursor.kind().map(Some),
        }
    }

    /// Whether every entry has been read.
    pub fn is_finished(&mut self) -> Result<bool, Error> {
        Ok(self.peek_key()?.is_none())
    }

    /// Reads the next entry's value as a `T` (see [`Decode`]); [`Error::ContainerEnd`] if
    /// none is left.
    pub fn read<T: Decode<'a>>(&mut self) -> Result<T, Error> {
        self.read_entry().map(|(_, value)| value)
    }

    /// Reads the next entry: its key and its value as a `T`.
    pub fn read_entry<T: Decode<'a>>(&mut self) -> Result<(&'a [u8], T), Error> {
        let Some(key) = self.peek_key()? else {
            return Err(Error::ContainerEnd {
                at: self.cursor.pos(),
            });
        };
        let mut cursor = self.cursor.clone();
        let value = T::decode(&mut cursor, self.depth)?;
        self.cursor = cursor;
        self.pending = None;
        Ok((key, value))
    }

    /// Skips the next entry (validating its value).
    pub fn skip(&mut self) -> Result<(), Error> {
        self.read::<Raw<'a>>().map(drop)
    }

    /// Skips the entries whose keys sort before `key`; `true` if the next key is then `key`
    /// (its value is read next), `false` if it is absent.
    pub fn skip_until(&mut self, key: &[u8]) -> Result<bool, Error> {
        loop {
            match self.peek_key()? {
                None => return Ok(false),
                Some(next) => match next.cmp(key) {
                    Ordering::Less => self.skip()?,
                    Ordering::Equal => return Ok(true),
                    Ordering::Greater => return Ok(false),
                },
            }
        }
    }

    /// Skips to `key` and reads its value; [`Error::MissingKey`] if it is absent.
    pub fn require<T: Decode<'a>>(&mut self, key: &[u8]) -> Result<T, Error> {
        if !self.skip_until(key)? {
            return Err(Error::MissingKey { at: self.offset() });
        }
        self.read()
    }

    /// Skips to `key` and reads its value, if it is present.
    pub fn maybe<T: Decode<'a>>(&mut self, key: &[u8]) -> Result<Option<T>, Error> {
        if !self.skip_until(key)? {
            return Ok(None);
        }
        self.read().map(Some)
    }

    /// Reads the signature at the end of the dictionary: skips the entries before the `~`
    /// key, and returns `None` if the dictionary ends without one.
    ///
    /// The `~` value must be a 64-byte string ([`Error::SignatureLength`]), the key spelled
    /// `1:~` ([`Error::NonCanonicalSignatureKey`]), and nothing may follow the entry: a key
    /// after it, or a key sorting after `~` when there is no signature, gives
    /// [`Error::KeyAfterSignature`]. On success the dictionary is finished. The signature is
    /// not verified: that is the caller's, over [`Signed::signed_bytes`].
    ///
    /// ```
    /// use session_bencode::DictReader;
    /// let input = [&b"d1:ai1e1:~64:"[..], &[7; 64], b"e"].concat();
    /// let mut dict = DictReader::new(&input)?;
    /// let signed = dict.signature()?.expect("signed");
    /// assert_eq!(signed.signed_bytes(), b"d1:ai1e");
    /// assert_eq!(signed.signed_range(), 0..7);
    /// assert_eq!(signed.signature(), &[7; 64]);
    /// dict.finish()?;
    /// # Ok::<(), session_bencode::Error>(())
    /// ```
    pub fn signature(&mut self) -> Result<Option<Signed<'a>>, Error> {
        if !self.skip_until(b"~")? {
            return match self.pending {
                None => Ok(None),
                Some((_, at)) => Err(Error::KeyAfterSignature { at }),
            };
        }
        let key_at = self.offset();
        // `~` has one byte: `1:~` is the only canonical spelling; oxenc computes the signed
        // range from the canonical length of the key, so any other spelling is refused.
        if self.cursor.byte_at(key_at) != Some(b'1') {
            return Err(Error::NonCanonicalSignatureKey { at: key_at });
        }
        let mut cursor = self.cursor.clone();
        let value_at = cursor.pos();
        cursor.expect_kind(Kind::Bytes)?;
        let value = cursor.bytes()?;
        let signature: &'a [u8; 64] = value.try_into().map_err(|_| Error::SignatureLength {
            at: value_at,
            found: value.len(),
        })?;
        if cursor.peek()? != b'e' {
            return Err(Error::KeyAfterSignature { at: cursor.pos() });
        }
        self.cursor = cursor;
        self.pending = None;
        Ok(Some(Signed {
            message: self.cursor.slice(self.start..key_at),
            range: self.start..key_at,
            signature,
        }))
    }

    /// [`signature`](DictReader::signature), with [`Error::MissingSignature`] if there is none.
    pub fn require_signature(&mut self) -> Result<Signed<'a>, Error> {
        self.signature()?
            .ok_or(Error::MissingSignature { at: self.offset() })
    }

    /// Skips the entries left, then checks the dictionary's end and that nothing follows it.
    pub fn finish(mut self) -> Result<(), Error> {
        while !self.is_finished()? {
            self.skip()?;
        }
        self.cursor.close()
    }
}
