//! Diffs (§11.2): what one message changed, computed, encoded, parsed and replayed.

use alloc::borrow::Cow;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use session_bencode::{DictReader, Kind, ListReader};

use crate::value::{parse_members, set_to_bt};
use crate::{Dict, ParseError, Set, Value, ValueKind};

/// One entry of a [`Diff`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DiffEntry {
    /// A scalar was assigned (added or changed): `""`.
    Assigned,
    /// A scalar was removed: `"-"`.
    Removed,
    /// Members were added to and removed from a set: `[[added…], [removed…]]`.
    Set {
        /// Members added.
        added: Set,
        /// Members removed.
        removed: Set,
    },
    /// Changes inside a dictionary.
    Dict(Diff),
}

/// What a message changed, key by key, mirroring the data it applies to. Values are not
/// repeated: a merge takes them from the data of the message that carries the diff.
///
/// ```
/// use session_config::{Diff, DiffEntry, Dict, Value};
/// let mut old = Dict::new();
/// old.insert(b"a".to_vec(), Value::Int(1));
/// old.insert(b"b".to_vec(), Value::Int(2));
/// let mut new = old.clone();
/// new.remove(&b"a"[..]);
/// new.insert(b"c".to_vec(), Value::from("x"));
/// let diff = Diff::between(&old, &new);
/// assert_eq!(diff.get(b"a"), Some(&DiffEntry::Removed));
/// assert_eq!(diff.get(b"c"), Some(&DiffEntry::Assigned));
/// assert_eq!(diff.encode(), b"d1:a1:-1:c0:e");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Diff(BTreeMap<Vec<u8>, DiffEntry>);

impl Diff {
    /// No changes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether there are no changes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The number of changed keys at this level.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The change at `key`.
    pub fn get(&self, key: &[u8]) -> Option<&DiffEntry> {
        self.0.get(key)
    }

    /// Records a change at `key` (replacing any recorded before).
    pub fn insert(&mut self, key: impl Into<Vec<u8>>, entry: DiffEntry) {
        self.0.insert(key.into(), entry);
    }

    /// The changes, by key.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &DiffEntry)> {
        self.0.iter().map(|(k, v)| (k.as_slice(), v))
    }

    /// The diff from `old` to `new` (both pruned), as libsession computes it: unchanged keys are
    /// omitted; an added or changed scalar is [`DiffEntry::Assigned`], a removed one
    /// [`DiffEntry::Removed`]; sets list their added and removed members; dictionaries recurse
    /// (a removed or new dictionary removes or adds all its contents); a value whose kind
    /// changed (scalar, set, dictionary) is recorded as the new value's addition.
    pub fn between(old: &Dict, new: &Dict) -> Diff {
        let mut out = Diff::new();
        let empty = Dict::new();
        let empty_set = Set::new();
        let mut old_it = old.iter().peekable();
        let mut new_it = new.iter().peekable();
        loop {
            let (key, old_v, new_v) = match (old_it.peek(), new_it.peek()) {
                (None, None) => break,
                (Some(&(ok, ov)), None) => {
                    old_it.next();
                    (ok, Some(ov), None)
                }
                (None, Some(&(nk, nv))) => {
                    new_it.next();
                    (nk, None, Some(nv))
                }
                (Some(&(ok, ov)), Some(&(nk, nv))) => {
                    if ok < nk {
                        old_it.next();
                        (ok, Some(ov), None)
                    } else if nk < ok {
                        new_it.next();
                        (nk, None, Some(nv))
                    } else {
                        old_it.next();
                        new_it.next();
                        (ok, Some(ov), Some(nv))
                    }
                }
            };
            let entry = match (old_v, new_v) {
                (Some(o), Some(n)) if o.kind() == n.kind() => match (o, n) {
                    (Value::Dict(od), Value::Dict(nd)) => nonempty_dict(Diff::between(od, nd)),
                    (Value::Set(os), Value::Set(ns)) => set_entry(os, ns),
                    _ if o != n => Some(DiffEntry::Assigned),
                    _ => None,
                },
                // New, or of a new kind: the new value's addition.
                (_, Some(n)) => match n {
                    Value::Dict(nd) => nonempty_dict(Diff::between(&empty, nd)),
                    Value::Set(ns) => set_entry(&empty_set, ns),
                    _ => Some(DiffEntry::Assigned),
                },
                (Some(o), None) => match o {
                    Value::Dict(od) => nonempty_dict(Diff::between(od, &empty)),
                    Value::Set(os) => set_entry(os, &empty_set),
                    _ => Some(DiffEntry::Removed),
                },
                (None, None) => None,
            };
            if let Some(entry) = entry {
                out.0.insert(key.clone(), entry);
            }
        }
        out
    }

    /// The canonical bt-encoding.
    pub fn encode(&self) -> Vec<u8> {
        self.to_bt().encode()
    }

    /// The bt-encoding tree, borrowing the keys and members.
    pub(crate) fn to_bt(&self) -> session_bencode::Value<'_> {
        session_bencode::Value::Dict(
            self.0
                .iter()
                .map(|(k, entry)| {
                    let value = match entry {
                        DiffEntry::Assigned => session_bencode::Value::Bytes(Cow::Borrowed(b"")),
                        DiffEntry::Removed => session_bencode::Value::Bytes(Cow::Borrowed(b"-")),
                        DiffEntry::Set { added, removed } => {
                            session_bencode::Value::List(alloc::vec![
                                set_to_bt(added),
                                set_to_bt(removed)
                            ])
                        }
                        DiffEntry::Dict(inner) => inner.to_bt(),
                    };
                    (Cow::Borrowed(k.as_slice()), value)
                })
                .collect(),
        )
    }

    /// Reads a diff dictionary: keys ascend; values are `""`, `"-"`, a pair of strictly
    /// ascending member lists, or a nested diff (which may be empty).
    pub(crate) fn parse(mut reader: DictReader<'_>) -> Result<Diff, ParseError> {
        let mut out = Diff::new();
        while let Some(key) = reader.peek_key()? {
            let at = reader.offset();
            let entry = match reader.peek_kind()? {
                Some(Kind::Bytes) => match reader.read::<&[u8]>()? {
                    b"" => DiffEntry::Assigned,
                    b"-" => DiffEntry::Removed,
                    _ => return Err(ParseError::DiffString { at }),
                },
                Some(Kind::List) => {
                    let mut pair = reader.read::<ListReader<'_>>()?;
                    let added = member_list(&mut pair, at)?;
                    let removed = member_list(&mut pair, at)?;
                    if !pair.is_finished()? {
                        return Err(ParseError::DiffSet { at });
                    }
                    DiffEntry::Set { added, removed }
                }
                Some(Kind::Integer) => return Err(ParseError::DiffInteger { at }),
                Some(Kind::Dict) | None => DiffEntry::Dict(Diff::parse(reader.read()?)?),
            };
            out.0.insert(key.to_vec(), entry);
        }
        Ok(out)
    }

    /// Replays this diff onto `data`, taking values from `source`, the data of the message that
    /// carries the diff (§11.3 `apply`). A key whose source value is missing or of another kind
    /// than the change is deleted: a later diff removes it or gives it its new kind.
    /// Leaves empty sets and dictionaries for the caller to [`prune`](crate::prune).
    pub fn apply(&self, data: &mut Dict, source: &Dict) {
        for (key, entry) in &self.0 {
            let Some(src) = source.get(key) else {
                data.remove(key);
                continue;
            };
            let expected = match entry {
                DiffEntry::Assigned | DiffEntry::Removed => ValueKind::Scalar,
                DiffEntry::Set { .. } => ValueKind::Set,
                DiffEntry::Dict(_) => ValueKind::Dict,
            };
            if src.kind() != expected {
                data.remove(key);
                continue;
            }
            match (entry, src) {
                (DiffEntry::Removed, _) => {
                    data.remove(key);
                }
                (DiffEntry::Assigned, _) => {
                    data.insert(key.clone(), src.clone());
                }
                (DiffEntry::Dict(inner), Value::Dict(src_inner)) => {
                    let slot = data
                        .entry(key.clone())
                        .or_insert_with(|| Value::Dict(Dict::new()));
                    if !matches!(slot, Value::Dict(_)) {
                        *slot = Value::Dict(Dict::new());
                    }
                    if let Value::Dict(target) = slot {
                        inner.apply(target, src_inner);
                    }
                }
                (DiffEntry::Set { added, removed }, _) => {
                    let slot = data
                        .entry(key.clone())
                        .or_insert_with(|| Value::Set(Set::new()));
                    if !matches!(slot, Value::Set(_)) {
                        *slot = Value::Set(Set::new());
                    }
                    if let Value::Set(target) = slot {
                        target.extend(added.iter().cloned());
                        for member in removed {
                            target.remove(member);
                        }
                    }
                }
                // The kind check above rules out a dictionary diff over a non-dictionary.
                (DiffEntry::Dict(_), _) => {}
            }
        }
    }
}

fn nonempty_dict(diff: Diff) -> Option<DiffEntry> {
    (!diff.is_empty()).then_some(DiffEntry::Dict(diff))
}

fn set_entry(old: &Set, new: &Set) -> Option<DiffEntry> {
    let added: Set = new.difference(old).cloned().collect();
    let removed: Set = old.difference(new).cloned().collect();
    (!added.is_empty() || !removed.is_empty()).then_some(DiffEntry::Set { added, removed })
}

/// One of the two member lists of a set diff.
fn member_list(pair: &mut ListReader<'_>, at: usize) -> Result<Set, ParseError> {
    if pair.peek_kind()? != Some(Kind::List) {
        return Err(ParseError::DiffSet { at });
    }
    parse_members(pair.read()?)
}
