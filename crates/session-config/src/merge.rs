//! Merging competing messages (§11.3), exactly as libsession does.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use crate::message::{Hash, LAG};
use crate::{prune, ConfigMessage, Dict, Diff, NoValidMessage, ParseError, Signer, Verifier};

/// Which message a merge produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MergeSource {
    /// One input, unchanged: it was the only one not left out (or, for a read-only merge, the
    /// greatest). The index is into the inputs as given.
    Unmerged(usize),
    /// A new message that merges several inputs, with seqno one above the newest.
    Merged,
}

/// Why an input took no part in a merge although it parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Redundancy {
    /// Another input carries its diff among its lagged diffs.
    Included,
    /// An earlier input has the same seqno and hash.
    Duplicate,
    /// Its seqno is [`LAG`] or more below the newest input's.
    TooOld,
}

/// The outcome of [`merge`].
#[derive(Debug, Clone)]
pub struct Merged {
    /// The resulting message.
    pub message: ConfigMessage,
    /// Where it came from.
    pub source: MergeSource,
    /// The inputs that did not parse, by index, with the reason.
    pub rejected: Vec<(usize, ParseError)>,
    /// The inputs that parsed but were left out, by index, with the reason.
    pub redundant: Vec<(usize, Redundancy)>,
}

/// Merges config messages (§11.3): the local message and everything a poll returned.
///
/// Inputs that do not parse (with `verifier`, when messages must be signed) are rejected. Of
/// the rest, a message is left out when another includes it, when it repeats an earlier input,
/// or when it is [`LAG`] or more seqnos behind the newest. If one message is left it is the
/// result, unchanged. Otherwise, with a `verifier` but no `signer` (a read-only object, which
/// cannot sign a merge) the greatest by `(seqno, hash)` is the result; else the result is a new
/// message with seqno `newest + 1`: the data of the greatest message with every diff (theirs and
/// their lagged ones, a greater message's copy winning) replayed over it in ascending
/// `(seqno, hash)` order, values taken from the data of the message carrying each diff. The
/// result does not depend on the order of the inputs.
///
/// ```
/// use session_config::{merge, ConfigMessage, MergeSource, Value};
///
/// let base = ConfigMessage::new().increment(None);
/// let base_bytes = base.serialize(None);
/// let mut a = base.increment(None);
/// a.data_mut().unwrap().insert(b"a".to_vec(), Value::Int(1));
/// let mut b = base.increment(None);
/// b.data_mut().unwrap().insert(b"b".to_vec(), Value::Int(2));
/// let (a, b) = (a.serialize(None), b.serialize(None));
///
/// let merged = merge(&[&a[..], &b[..], &base_bytes[..]], None, None)?;
/// assert_eq!(merged.source, MergeSource::Merged);
/// assert_eq!(merged.message.seqno(), 3);
/// assert_eq!(merged.message.data().len(), 2);
/// let again = merge(&[&b[..], &a[..]], None, None)?;
/// assert_eq!(again.message.serialize(None), merged.message.serialize(None));
/// # Ok::<(), session_config::NoValidMessage>(())
/// ```
pub fn merge(
    inputs: &[&[u8]],
    verifier: Option<&dyn Verifier>,
    signer: Option<&dyn Signer>,
) -> Result<Merged, NoValidMessage> {
    let mut parsed: Vec<(usize, ConfigMessage)> = Vec::new();
    let mut rejected = Vec::new();
    for (index, bytes) in inputs.iter().enumerate() {
        match ConfigMessage::parse(bytes, verifier) {
            Ok(message) => parsed.push((index, message)),
            Err(error) => rejected.push((index, error)),
        }
    }
    let Some(max_seqno) = parsed.iter().map(|(_, m)| m.seqno()).max() else {
        return Err(NoValidMessage {
            inputs: inputs.len(),
        });
    };
    let keys: Vec<(i64, Hash)> = parsed
        .iter()
        .map(|(_, m)| (m.seqno(), m.hash(None)))
        .collect();

    let mut redundant = Vec::new();
    let mut live = Vec::new();
    for (j, key) in keys.iter().enumerate() {
        let reason = if parsed
            .iter()
            .enumerate()
            .any(|(k, (_, other))| k != j && other.all_lagged().contains_key(key))
        {
            Some(Redundancy::Included)
        } else if keys[..j].contains(key) {
            Some(Redundancy::Duplicate)
        } else if i128::from(key.0) + i128::from(LAG) <= i128::from(max_seqno) {
            Some(Redundancy::TooOld)
        } else {
            None
        };
        match reason {
            Some(reason) => redundant.push((parsed[j].0, reason)),
            None => live.push(j),
        }
    }

    let pick = match live.as_slice() {
        [only] => Some(*only),
        // Read-only: no merge can be signed; keep the greatest, someone else will merge.
        _ if verifier.is_some() && signer.is_none() => {
            live.iter().copied().max_by_key(|&j| keys[j])
        }
        _ => None,
    };
    if let Some(j) = pick {
        let (index, message) = parsed.swap_remove(j);
        return Ok(Merged {
            message,
            source: MergeSource::Unmerged(index),
            rejected,
            redundant,
        });
    }

    // Greatest (seqno, hash) first: its data is the start, its copies of diffs win.
    live.sort_by(|&a, &b| keys[b].cmp(&keys[a]));
    let mut replay: BTreeMap<(i64, Hash), (&Diff, &Dict)> = BTreeMap::new();
    for &j in &live {
        let message = &parsed[j].1;
        replay
            .entry(keys[j])
            .or_insert((message.received_diff(), message.data()));
        for (key, diff) in message.all_lagged() {
            replay.entry(*key).or_insert((diff, message.data()));
        }
    }
    let mut data = live
        .first()
        .map(|&j| parsed[j].1.data().clone())
        .unwrap_or_default();
    let mut lagged = BTreeMap::new();
    for (key, (diff, source)) in &replay {
        diff.apply(&mut data, source);
        lagged.insert(*key, (*diff).clone());
    }
    prune(&mut data);
    // Parsing refuses seqno i64::MAX, so the successor exists.
    let seqno = max_seqno.saturating_add(1);
    Ok(Merged {
        message: ConfigMessage::merged(seqno, data, lagged, signer),
        source: MergeSource::Merged,
        rejected,
        redundant,
    })
}
