//! The config message (§11.2): parse, serialize byte for byte, hash, increment.

use alloc::borrow::Cow;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use session_bencode::{DictReader, ListReader, Options};
use session_identity::hash::blake2b;

use crate::value::{dict_to_bt, needs_pruning, parse_dict};
use crate::{prune, Dict, Diff, ParseError, Signer, Verifier};

/// How many seqnos a message's lagged diffs reach back (libsession's `DEFAULT_DIFF_LAGS`, the
/// same for every config): a message carries the diffs of seqnos `seqno - 4 ..= seqno - 1`, and
/// a merge ignores messages 5 or more seqnos behind the newest.
pub const LAG: i64 = 5;

/// The deepest nesting of lists and dictionaries a message may have (the message dictionary
/// counts as one). Real configs nest at most about ten deep.
pub const MAX_DEPTH: usize = 32;

/// A message hash: BLAKE2b-256 of the exact message bytes.
pub type Hash = [u8; 32];

/// BLAKE2b-256 (unkeyed) of `bytes`: the hash of a config message (§11.2), over the exact bytes
/// (uncompressed, unpadded, signature included).
///
/// ```
/// let empty = b"d1:#i0e1:&de1:<le1:=dee";
/// assert_eq!(
///     hex::encode(session_config::message_hash(empty)),
///     "ea173b57beca8af18c3519a7bbf69c3e7a05d1c049fa9558341d8ebb48b0c965"
/// );
/// ```
pub fn message_hash(bytes: &[u8]) -> Hash {
    // A 32-byte unkeyed digest is always within BLAKE2b's limits.
    blake2b::<32>(bytes, None).unwrap_or_default()
}

/// A config message: a seqno, the data, this message's diff, the lagged diffs of the messages
/// it builds on, unknown top-level keys, and an optional signature.
///
/// A message is either **received** (parsed, or the result of a merge: its diff is fixed and
/// its hash is that of its bytes) or **editable** (made by [`ConfigMessage::increment`] or
/// [`ConfigMessage::new_editable`]: its diff is computed from the data it started from, and it
/// is signed afresh each time it is serialized).
///
/// ```
/// use session_config::{ConfigMessage, Value};
///
/// let mut edit = ConfigMessage::new().increment(None);
/// edit.data_mut().expect("editable").insert(b"n".to_vec(), Value::from("Kallie"));
/// let bytes = edit.serialize(None);
/// assert_eq!(edit.seqno(), 1);
///
/// let received = ConfigMessage::parse(&bytes, None)?;
/// assert_eq!(received.serialize(None), bytes);
/// assert_eq!(received.hash(None), session_config::message_hash(&bytes));
/// assert_eq!(received.data(), edit.data());
/// # Ok::<(), session_config::ParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigMessage {
    seqno: i64,
    data: Dict,
    /// The diff of a received message (an editable one computes its own).
    diff: Diff,
    /// For an editable message: the data it started from.
    baseline: Option<Dict>,
    lagged: BTreeMap<(i64, Hash), Diff>,
    /// Unknown top-level keys, kept as bt-encoding trees and re-emitted in place.
    unknown: BTreeMap<Vec<u8>, session_bencode::Value<'static>>,
    /// The signature of a received message, when it was verified (or trusted, from a dump).
    signature: Option<[u8; 64]>,
    /// The hash of a received message.
    hash: Hash,
}

impl Default for ConfigMessage {
    fn default() -> Self {
        Self::new()
    }
}

impl ConfigMessage {
    /// The empty message with seqno 0 (`d1:#i0e1:&de1:<le1:=dee`): where every config starts.
    pub fn new() -> Self {
        let mut message = Self {
            seqno: 0,
            data: Dict::new(),
            diff: Diff::new(),
            baseline: None,
            lagged: BTreeMap::new(),
            unknown: BTreeMap::new(),
            signature: None,
            hash: [0; 32],
        };
        message.hash = message_hash(&message.serialize(None));
        message
    }

    /// An editable message with `seqno`, no lagged diffs and empty data to fill; its diff lists
    /// everything added (libsession's `MutableConfigMessage{seqno}`).
    pub fn new_editable(seqno: i64) -> Self {
        Self {
            seqno,
            data: Dict::new(),
            diff: Diff::new(),
            baseline: Some(Dict::new()),
            lagged: BTreeMap::new(),
            unknown: BTreeMap::new(),
            signature: None,
            hash: [0; 32],
        }
    }

    /// Parses a received message. With a `verifier` the message must carry a valid `~`
    /// signature, which is then kept (and re-emitted by [`serialize`](Self::serialize));
    /// without one a signature is not checked and is dropped.
    ///
    /// Integers and lengths may have leading zeros (as libsession's parser accepts them), and
    /// bytes after the message's closing `e` are ignored (but hashed), as libsession does.
    pub fn parse(bytes: &[u8], verifier: Option<&dyn Verifier>) -> Result<Self, ParseError> {
        Self::parse_impl(bytes, verifier, false)
    }

    /// Parses a message from local storage: a signature is kept without being verified.
    pub fn parse_trusted(bytes: &[u8]) -> Result<Self, ParseError> {
        Self::parse_impl(bytes, None, true)
    }

    fn parse_impl(
        bytes: &[u8],
        verifier: Option<&dyn Verifier>,
        trust_signature: bool,
    ) -> Result<Self, ParseError> {
        let options = Options::lenient().with_max_depth(MAX_DEPTH);
        let mut outer = DictReader::with_options(bytes, options)?;

        let seqno = match outer.peek_key()? {
            Some(b"#") => outer.read::<i64>()?,
            Some(key) if key < &b"#"[..] => {
                return Err(ParseError::FutureFormat { at: outer.offset() })
            }
            _ => return Err(ParseError::MissingSeqno { at: outer.offset() }),
        };
        if seqno == i64::MAX {
            return Err(ParseError::SeqnoTooLarge { seqno });
        }

        let mut unknown = BTreeMap::new();
        read_unknown(&mut outer, b"&", &mut unknown)?;
        if outer.peek_key()? != Some(&b"&"[..]) {
            return Err(ParseError::MissingData { at: outer.offset() });
        }
        let data = parse_dict(outer.read::<DictReader<'_>>()?, true)?;

        read_unknown(&mut outer, b"<", &mut unknown)?;
        // libsession reads the next key here whether or not it is `<`: the message may not end.
        let mut lagged = BTreeMap::new();
        match outer.peek_key()? {
            None => return Err(ParseError::EndsBeforeDiff { at: outer.offset() }),
            Some(b"<") => lagged = parse_lagged(outer.read::<ListReader<'_>>()?, seqno)?,
            Some(_) => {}
        }

        read_unknown(&mut outer, b"=", &mut unknown)?;
        let diff = match outer.peek_key()? {
            None => return Err(ParseError::EndsBeforeDiff { at: outer.offset() }),
            Some(b"=") => Diff::parse(outer.read::<DictReader<'_>>()?)?,
            Some(_) => Diff::new(),
        };

        read_unknown(&mut outer, b"~", &mut unknown)?;
        let signature = match outer.signature()? {
            Some(signed) => match verifier {
                Some(verifier) if !verifier.verify(signed.signed_bytes(), signed.signature()) => {
                    return Err(ParseError::BadSignature)
                }
                Some(_) => Some(*signed.signature()),
                None if trust_signature => Some(*signed.signature()),
                None => None,
            },
            None if verifier.is_some() => return Err(ParseError::MissingSignature),
            None => None,
        };

        Ok(Self {
            seqno,
            data,
            diff,
            baseline: None,
            lagged,
            unknown,
            signature,
            hash: message_hash(bytes),
        })
    }

    /// A merge result: a received message with no diff, no unknown keys and no signature of its
    /// own; its hash is that of its serialization (signed when there is a signer).
    pub(crate) fn merged(
        seqno: i64,
        data: Dict,
        lagged: BTreeMap<(i64, Hash), Diff>,
        signer: Option<&dyn Signer>,
    ) -> Self {
        let mut message = Self {
            seqno,
            data,
            diff: Diff::new(),
            baseline: None,
            lagged,
            unknown: BTreeMap::new(),
            signature: None,
            hash: [0; 32],
        };
        message.hash = message_hash(&message.serialize(signer));
        message
    }

    /// This message, editable from here without a new seqno: its diff starts empty and lists
    /// the edits made from now on. This is what a device with unpushed edits does with a merge
    /// result (libsession's `MutableConfigMessage` built from several messages). An editable
    /// message is returned unchanged.
    pub fn into_editable(self) -> Self {
        self.editable_from(false)
    }

    /// As [`into_editable`](Self::into_editable); with `from_empty` the diff lists all the data
    /// as added (libsession's conversion of a merge result when the object was not dirty).
    pub(crate) fn editable_from(mut self, from_empty: bool) -> Self {
        if self.baseline.is_none() {
            self.baseline = Some(if from_empty {
                Dict::new()
            } else {
                self.data.clone()
            });
            self.signature = None;
            self.diff = Diff::new();
        }
        self
    }

    /// The seqno.
    pub fn seqno(&self) -> i64 {
        self.seqno
    }

    /// The data.
    pub fn data(&self) -> &Dict {
        &self.data
    }

    /// The data, to edit, if the message is editable. Empty sets and dictionaries left behind
    /// are pruned when the message is serialized.
    pub fn data_mut(&mut self) -> Option<&mut Dict> {
        if self.baseline.is_some() {
            Some(&mut self.data)
        } else {
            None
        }
    }

    /// The data, to edit in place, editable or not (the caller keeps the diff right).
    pub(crate) fn data_in_place(&mut self) -> &mut Dict {
        &mut self.data
    }

    /// The data an editable message started from.
    pub(crate) fn baseline(&self) -> Option<&Dict> {
        self.baseline.as_ref()
    }

    /// The data an editable message started from, to change (the diff follows it).
    pub(crate) fn baseline_mut(&mut self) -> Option<&mut Dict> {
        self.baseline.as_mut()
    }

    /// Replaces the hash of a received message.
    pub(crate) fn set_hash(&mut self, hash: Hash) {
        self.hash = hash;
    }

    /// Whether the message is editable (see [`ConfigMessage`]).
    pub fn is_editable(&self) -> bool {
        self.baseline.is_some()
    }

    /// This message's diff: as received, or, for an editable message, from the data it started
    /// from to its (pruned) data.
    pub fn diff(&self) -> Cow<'_, Diff> {
        match &self.baseline {
            None => Cow::Borrowed(&self.diff),
            Some(baseline) => Cow::Owned(Diff::between(baseline, &self.pruned_data())),
        }
    }

    /// The lagged diffs the message carries: `(seqno, hash, diff)` for seqnos within
    /// [`LAG`] below its own, ascending by seqno, then hash.
    pub fn lagged(&self) -> impl Iterator<Item = (i64, &Hash, &Diff)> + '_ {
        let seqno = self.seqno;
        self.lagged
            .iter()
            .filter(move |((s, _), _)| in_window(*s, seqno))
            .map(|((s, h), d)| (*s, h, d))
    }

    /// The unknown top-level keys and their values, kept from a received message.
    pub fn unknown(&self) -> impl Iterator<Item = (&[u8], &session_bencode::Value<'static>)> {
        self.unknown.iter().map(|(k, v)| (k.as_slice(), v))
    }

    /// The signature of a received, verified (or trusted) message.
    pub fn signature(&self) -> Option<&[u8; 64]> {
        self.signature.as_ref()
    }

    /// Serializes the message: `#`, `&`, `<` (lagged diffs within [`LAG`]), `=`, the unknown
    /// keys in their sorted places, then `~`: the received signature, or a fresh one from
    /// `signer`. A received message serializes to the bytes it was parsed from whenever those
    /// were canonical.
    pub fn serialize(&self, signer: Option<&dyn Signer>) -> Vec<u8> {
        self.serialize_impl(signer)
    }

    /// Serializes without signing (a received signature is still kept): the form a dump stores.
    pub fn serialize_unsigned(&self) -> Vec<u8> {
        self.serialize_impl(None)
    }

    fn serialize_impl(&self, signer: Option<&dyn Signer>) -> Vec<u8> {
        let data = self.pruned_data();
        let diff = match &self.baseline {
            None => Cow::Borrowed(&self.diff),
            Some(baseline) => Cow::Owned(Diff::between(baseline, &data)),
        };
        let mut outer = session_bencode::Dict::new();
        outer.insert(
            Cow::Borrowed(&b"#"[..]),
            session_bencode::Value::Integer(self.seqno.into()),
        );
        outer.insert(Cow::Borrowed(&b"&"[..]), dict_to_bt(&data));
        let rows = self
            .lagged()
            .map(|(seqno, hash, diff)| {
                session_bencode::Value::List(alloc::vec![
                    session_bencode::Value::Integer(seqno.into()),
                    session_bencode::Value::Bytes(Cow::Borrowed(&hash[..])),
                    diff.to_bt(),
                ])
            })
            .collect();
        outer.insert(Cow::Borrowed(&b"<"[..]), session_bencode::Value::List(rows));
        outer.insert(Cow::Borrowed(&b"="[..]), diff.to_bt());
        for (key, value) in &self.unknown {
            outer.insert(Cow::Borrowed(key.as_slice()), value.clone());
        }
        let mut out = session_bencode::Value::Dict(outer).encode();
        if let Some(signature) = &self.signature {
            append_signature(&mut out, signature);
        } else if let Some(signer) = signer {
            let signed_len = out.len() - 1;
            let signature = signer.sign(&out[..signed_len]);
            append_signature(&mut out, &signature);
        }
        out
    }

    /// The message hash: of the received bytes, or, for an editable message, of its
    /// serialization (signed by `signer`, as it would be pushed).
    pub fn hash(&self, signer: Option<&dyn Signer>) -> Hash {
        match self.baseline {
            None => self.hash,
            Some(_) => message_hash(&self.serialize(signer)),
        }
    }

    /// The next edit (§11.2 "local edit"): an editable message with seqno + 1 and the same
    /// data, carrying this message's diff as a lagged diff (under its hash, as signed by
    /// `signer`) and the lagged diffs still within [`LAG`].
    pub fn increment(&self, signer: Option<&dyn Signer>) -> ConfigMessage {
        let data = self.pruned_data().into_owned();
        let mut lagged: BTreeMap<(i64, Hash), Diff> = self
            .lagged
            .iter()
            .filter(|((s, _), _)| in_window(*s, self.seqno))
            .map(|(k, d)| (*k, d.clone()))
            .collect();
        lagged.insert((self.seqno, self.hash(signer)), self.diff().into_owned());
        ConfigMessage {
            seqno: self.seqno.saturating_add(1),
            baseline: Some(data.clone()),
            data,
            diff: Diff::new(),
            lagged,
            unknown: self.unknown.clone(),
            signature: None,
            hash: [0; 32],
        }
    }

    /// An unpushed edit reloaded from a dump, as the next seqno: the same data and lagged
    /// diffs, editable from `baseline` (the data the edit started from), so that its diff
    /// still lists every change of the edit. Unlike [`increment`](Self::increment) the
    /// reloaded message's own diff is not made a lagged diff: the new message carries it.
    pub(crate) fn resumed(&self, baseline: Dict) -> ConfigMessage {
        let seqno = self.seqno.saturating_add(1);
        ConfigMessage {
            seqno,
            data: self.pruned_data().into_owned(),
            diff: Diff::new(),
            baseline: Some(baseline),
            lagged: self
                .lagged
                .iter()
                .filter(|((s, _), _)| in_window(*s, seqno))
                .map(|(k, d)| (*k, d.clone()))
                .collect(),
            unknown: self.unknown.clone(),
            signature: None,
            hash: [0; 32],
        }
    }

    /// The lagged diffs as kept, including any beyond the window (a merge result keeps every
    /// diff it replayed).
    pub(crate) fn all_lagged(&self) -> &BTreeMap<(i64, Hash), Diff> {
        &self.lagged
    }

    /// The received diff (empty for an editable message).
    pub(crate) fn received_diff(&self) -> &Diff {
        &self.diff
    }

    fn pruned_data(&self) -> Cow<'_, Dict> {
        if self.baseline.is_some() && needs_pruning(&self.data) {
            let mut data = self.data.clone();
            prune(&mut data);
            Cow::Owned(data)
        } else {
            Cow::Borrowed(&self.data)
        }
    }
}

/// Whether a lagged diff of seqno `lagged` belongs in a message of seqno `own`.
fn in_window(lagged: i64, own: i64) -> bool {
    i128::from(lagged) > i128::from(own) - i128::from(LAG) && lagged < own
}

fn append_signature(out: &mut Vec<u8>, signature: &[u8; 64]) {
    // `out` ends with the dictionary's `e`; the signature entry goes before it.
    out.pop();
    out.extend_from_slice(b"1:~64:");
    out.extend_from_slice(signature);
    out.push(b'e');
}

/// Reads the unknown top-level keys sorting before `until`.
fn read_unknown(
    outer: &mut DictReader<'_>,
    until: &[u8],
    unknown: &mut BTreeMap<Vec<u8>, session_bencode::Value<'static>>,
) -> Result<(), ParseError> {
    while let Some(key) = outer.peek_key()? {
        if key >= until {
            break;
        }
        let value: session_bencode::Value<'_> = outer.read()?;
        unknown.insert(key.to_vec(), value.into_owned());
    }
    Ok(())
}

/// Reads the `<` list. Rows `seqno - LAG` or older are skipped unread past their seqno, as
/// libsession skips them.
fn parse_lagged(
    mut list: ListReader<'_>,
    own: i64,
) -> Result<BTreeMap<(i64, Hash), Diff>, ParseError> {
    let mut out: BTreeMap<(i64, Hash), Diff> = BTreeMap::new();
    while let Some(kind) = list.peek_kind()? {
        let at = list.offset();
        if kind != session_bencode::Kind::List {
            return Err(ParseError::LaggedNotList { at });
        }
        let mut row = list.read::<ListReader<'_>>()?;
        let seqno = row.read::<i64>()?;
        if seqno >= own {
            return Err(ParseError::LaggedSeqnoNotBelow { at, seqno, own });
        }
        if !in_window(seqno, own) {
            continue;
        }
        if row.peek_kind()? != Some(session_bencode::Kind::Bytes) {
            return Err(ParseError::LaggedHash { at });
        }
        let hash: Hash = row
            .read::<&[u8]>()?
            .try_into()
            .map_err(|_| ParseError::LaggedHash { at })?;
        if out
            .last_key_value()
            .is_some_and(|(last, _)| (seqno, hash) <= *last)
        {
            return Err(ParseError::LaggedOutOfOrder { at });
        }
        let diff = Diff::parse(row.read::<DictReader<'_>>()?)?;
        if !row.is_finished()? {
            return Err(ParseError::LaggedTooLong { at });
        }
        out.insert((seqno, hash), diff);
    }
    Ok(out)
}
