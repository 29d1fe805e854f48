//! The writer: canonical output by construction.
//!
//! Integers and lengths are written in canonical decimal, dictionary keys are refused unless
//! they strictly ascend, and a nested list or dictionary borrows its parent until it is
//! closed, so containers cannot interleave. Every writer closes its container (`e`) when
//! dropped or finished, so the output is well-formed whatever path the code takes.

use alloc::vec::Vec;
use core::cmp::Ordering;

use crate::{Integer, Raw, Value, WriteError};

/// Appends `n` in decimal.
fn push_decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut first = digits.len();
    for slot in digits.iter_mut().rev() {
        // `n % 10` is a single digit.
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
        first -= 1;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(digits.get(first..).unwrap_or(&[]));
}

/// Appends `bytes` as a byte string, `<length>:<bytes>`.
///
/// ```
/// let mut out = Vec::new();
/// session_bencode::encode_bytes(&mut out, b"spam");
/// assert_eq!(out, b"4:spam");
/// ```
pub fn encode_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    // usize is at most 64 bits on every supported target.
    push_decimal(out, bytes.len() as u64);
    out.push(b':');
    out.extend_from_slice(bytes);
}

/// Appends `value` as an integer, `i<decimal>e`, canonically (no leading zero, no `-0`).
///
/// ```
/// let mut out = Vec::new();
/// session_bencode::encode_integer(&mut out, -42i64);
/// session_bencode::encode_integer(&mut out, u64::MAX);
/// assert_eq!(out, b"i-42ei18446744073709551615e");
/// ```
pub fn encode_integer(out: &mut Vec<u8>, value: impl Into<Integer>) {
    let value = value.into();
    out.push(b'i');
    if value.is_negative() {
        out.push(b'-');
    }
    push_decimal(out, value.magnitude());
    out.push(b'e');
}

/// Writes a list into a `Vec<u8>`; the closing `e` is written when the writer is finished or
/// dropped.
///
/// ```
/// use session_bencode::ListWriter;
/// let mut out = Vec::new();
/// let mut list = ListWriter::new(&mut out);
/// list.bytes("{}").integer(5);
/// list.dict().bytes("k", "v")?;
/// list.finish();
/// assert_eq!(out, b"l2:{}i5ed1:k1:vee");
/// # Ok::<(), session_bencode::WriteError>(())
/// ```
#[derive(Debug)]
pub struct ListWriter<'w> {
    out: &'w mut Vec<u8>,
}

impl<'w> ListWriter<'w> {
    /// Opens a list at the end of `out`.
    pub fn new(out: &'w mut Vec<u8>) -> Self {
        out.push(b'l');
        Self { out }
    }

    /// Appends a byte string.
    pub fn bytes(&mut self, value: impl AsRef<[u8]>) -> &mut Self {
        encode_bytes(self.out, value.as_ref());
        self
    }

    /// Appends an integer.
    pub fn integer(&mut self, value: impl Into<Integer>) -> &mut Self {
        encode_integer(self.out, value);
        self
    }

    /// Opens a nested list; this list can be written again once it is closed.
    pub fn list(&mut self) -> ListWriter<'_> {
        ListWriter::new(self.out)
    }

    /// Opens a nested dictionary; this list can be written again once it is closed.
    pub fn dict(&mut self) -> DictWriter<'_> {
        DictWriter::new(self.out)
    }

    /// Appends a value verbatim, as it was received.
    pub fn raw(&mut self, value: Raw<'_>) -> &mut Self {
        self.out.extend_from_slice(value.as_bytes());
        self
    }

    /// Appends a value tree.
    pub fn value(&mut self, value: &Value<'_>) -> &mut Self {
        value.encode_into(self.out);
        self
    }

    /// Closes the list (as dropping the writer does).
    pub fn finish(self) {}
}

impl Drop for ListWriter<'_> {
    fn drop(&mut self) {
        self.out.push(b'e');
    }
}

/// Writes a dictionary into a `Vec<u8>`, refusing keys that do not strictly ascend; the
/// closing `e` is written when the writer is finished or dropped.
///
/// [`finish_signed`](DictWriter::finish_signed) ends it with a `~` signature over everything
/// written so far.
///
/// ```
/// use session_bencode::{DictWriter, WriteError};
/// let mut out = Vec::new();
/// let mut dict = DictWriter::new(&mut out);
/// dict.integer("#", 1)?;
/// dict.list("<")?.finish();
/// assert_eq!(dict.bytes("&", "").err(), Some(WriteError::KeyNotAscending { at: 12 }));
/// dict.finish();
/// assert_eq!(out, b"d1:#i1e1:<lee");
/// # Ok::<(), WriteError>(())
/// ```
#[derive(Debug)]
pub struct DictWriter<'w> {
    out: &'w mut Vec<u8>,
    /// Offset of the `d`.
    start: usize,
    /// Where the previous key's bytes are in `out`.
    last_key: Option<(usize, usize)>,
}

impl<'w> DictWriter<'w> {
    /// Opens a dictionary at the end of `out`.
    pub fn new(out: &'w mut Vec<u8>) -> Self {
        let start = out.len();
        out.push(b'd');
        Self {
            out,
            start,
            last_key: None,
        }
    }

    fn check_key(&self, key: &[u8]) -> Result<(), WriteError> {
        let Some((from, to)) = self.last_key else {
            return Ok(());
        };
        let previous = self.out.get(from..to).unwrap_or(&[]);
        let at = self.out.len();
        match key.cmp(previous) {
            Ordering::Greater => Ok(()),
            Ordering::Equal => Err(WriteError::DuplicateKey { at }),
            Ordering::Less => Err(WriteError::KeyNotAscending { at }),
        }
    }

    fn key(&mut self, key: &[u8]) -> Result<(), WriteError> {
        self.check_key(key)?;
        encode_bytes(self.out, key);
        let end = self.out.len();
        self.last_key = Some((end - key.len(), end));
        Ok(())
    }

    /// Appends a byte-string entry.
    pub fn bytes(
        &mut self,
        key: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
    ) -> Result<&mut Self, WriteError> {
        self.key(key.as_ref())?;
        encode_bytes(self.out, value.as_ref());
        Ok(self)
    }

    /// Appends an integer entry.
    pub fn integer(
        &mut self,
        key: impl AsRef<[u8]>,
        value: impl Into<Integer>,
    ) -> Result<&mut Self, WriteError> {
        self.key(key.as_ref())?;
        encode_integer(self.out, value);
        Ok(self)
    }

    /// Opens a nested list at `key`; this dictionary can be written again once it is closed.
    pub fn list(&mut self, key: impl AsRef<[u8]>) -> Result<ListWriter<'_>, WriteError> {
        self.key(key.as_ref())?;
        Ok(ListWriter::new(self.out))
    }

    /// Opens a nested dictionary at `key`; this dictionary can be written again once it is
    /// closed.
    pub fn dict(&mut self, key: impl AsRef<[u8]>) -> Result<DictWriter<'_>, WriteError> {
        self.key(key.as_ref())?;
        Ok(DictWriter::new(self.out))
    }

    /// Appends an entry whose value is copied verbatim, as it was received (for example an
    /// unknown key to keep). The key is written canonically like every key; only the value is
    /// copied. The value was validated when read; if it was read in
    /// [`Mode::Lenient`](crate::Mode::Lenient) it may hold non-canonical integers and lengths,
    /// which are kept as they are.
    pub fn raw(&mut self, key: impl AsRef<[u8]>, value: Raw<'_>) -> Result<&mut Self, WriteError> {
        self.key(key.as_ref())?;
        self.out.extend_from_slice(value.as_bytes());
        Ok(self)
    }

    /// Appends an entry whose value is a tree.
    pub fn value(
        &mut self,
        key: impl AsRef<[u8]>,
        value: &Value<'_>,
    ) -> Result<&mut Self, WriteError> {
        self.key(key.as_ref())?;
        value.encode_into(self.out);
        Ok(self)
    }

    /// The dictionary as written so far, from its `d`, without the closing `e`: what
    /// [`finish_signed`](DictWriter::finish_signed) would sign now.
    pub fn signing_bytes(&self) -> &[u8] {
        self.out.get(self.start..).unwrap_or(&[])
    }

    /// Closes the dictionary (as dropping the writer does).
    pub fn finish(self) {}

    /// Closes the dictionary with a signature: calls `sign` with the dictionary's bytes so far
    /// (from its `d`, without the `e`), then appends `1:~64:<signature>` and the `e`.
    ///
    /// [`WriteError::KeyNotAscending`] (or [`WriteError::DuplicateKey`]) if a key sorting
    /// at or after `~` was already written; the dictionary is then closed unsigned and `sign`
    /// is not called.
    ///
    /// ```
    /// use session_bencode::DictWriter;
    /// let mut out = Vec::new();
    /// let mut dict = DictWriter::new(&mut out);
    /// dict.integer("G", 0)?;
    /// dict.finish_signed(|message| {
    ///     assert_eq!(message, b"d1:Gi0e");
    ///     [0xab; 64] // an Ed25519 signature of `message`, in practice
    /// })?;
    /// assert_eq!(out, [&b"d1:Gi0e1:~64:"[..], &[0xab; 64], b"e"].concat());
    /// # Ok::<(), session_bencode::WriteError>(())
    /// ```
    pub fn finish_signed<F>(mut self, sign: F) -> Result<(), WriteError>
    where
        F: FnOnce(&[u8]) -> [u8; 64],
    {
        self.check_key(b"~")?;
        let signature = sign(self.signing_bytes());
        self.bytes(b"~", signature)?;
        Ok(())
    }
}

impl Drop for DictWriter<'_> {
    fn drop(&mut self) {
        self.out.push(b'e');
    }
}
