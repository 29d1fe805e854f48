//! Why a config message was refused.

/// Why bytes are not a config message (§11.2). Every variant that points into the input names
/// the byte offset, from the start of the message, where the problem was found.
///
/// A message refused here is "bad": a merge neither accepts it nor marks it obsolete.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// Not bt-encoding, or not of the expected shape: a truncated value, dictionary keys out of
    /// order or repeated at any level, an integer out of range, nesting deeper than
    /// [`MAX_DEPTH`](crate::MAX_DEPTH), a value of the wrong kind, a signature that is not 64
    /// bytes, or keys after the signature.
    #[error("malformed message: {0}")]
    Encoding(#[from] session_bencode::Error),
    /// The first key sorts before `#`: reserved for a future, incompatible message format.
    #[error("key at byte {at} sorts before `#`: a future, incompatible message format")]
    FutureFormat {
        /// Offset of the key.
        at: usize,
    },
    /// The first key is not the seqno `#`.
    #[error("the message does not start with its seqno `#` (byte {at})")]
    MissingSeqno {
        /// Offset of the first key (or of the end of an empty dictionary).
        at: usize,
    },
    /// A seqno of `i64::MAX`: the next edit or merge would overflow.
    #[error("seqno {seqno} leaves no room for a successor")]
    SeqnoTooLarge {
        /// The seqno.
        seqno: i64,
    },
    /// No `&` data dictionary after the seqno (and the unknown keys before `&`).
    #[error("no `&` data dictionary at byte {at}")]
    MissingData {
        /// Where `&` was expected.
        at: usize,
    },
    /// The message ends before any key from `=` on: libsession requires a key there (the diff
    /// `=`, an unknown key after it, or the signature).
    #[error("the message ends at byte {at}, before its diff")]
    EndsBeforeDiff {
        /// Offset of the closing `e`.
        at: usize,
    },
    /// An empty dictionary inside the data (only the top-level data dictionary may be empty).
    #[error("empty dictionary at byte {at}: data must be pruned")]
    EmptyDict {
        /// Offset of the dictionary.
        at: usize,
    },
    /// An empty set (list) inside the data.
    #[error("empty set at byte {at}: data must be pruned")]
    EmptySet {
        /// Offset of the list.
        at: usize,
    },
    /// A set member (in the data or a set diff) that is a list or a dictionary.
    #[error("set member at byte {at} is neither an integer nor a string")]
    NonScalarMember {
        /// Offset of the member.
        at: usize,
    },
    /// A set member equal to the one before it.
    #[error("duplicate set member at byte {at}")]
    DuplicateMember {
        /// Offset of the member.
        at: usize,
    },
    /// A set member that sorts before the one before it (integers ascend, then strings ascend,
    /// bytewise).
    #[error("set member at byte {at} is out of order")]
    UnsortedMember {
        /// Offset of the member.
        at: usize,
    },
    /// A lagged-diff row that is not a list.
    #[error("lagged diff at byte {at} is not a list")]
    LaggedNotList {
        /// Offset of the row.
        at: usize,
    },
    /// A lagged diff whose seqno is not below the message's own.
    #[error("lagged diff at byte {at} has seqno {seqno}, not below the message's {own}")]
    LaggedSeqnoNotBelow {
        /// Offset of the row.
        at: usize,
        /// The row's seqno.
        seqno: i64,
        /// The message's seqno.
        own: i64,
    },
    /// A lagged diff whose hash is not a 32-byte string.
    #[error("lagged diff at byte {at}: the hash is not a 32-byte string")]
    LaggedHash {
        /// Offset of the row.
        at: usize,
    },
    /// A lagged diff whose `(seqno, hash)` does not sort after the row before it.
    #[error("lagged diff at byte {at} is out of order or repeated")]
    LaggedOutOfOrder {
        /// Offset of the row.
        at: usize,
    },
    /// A lagged-diff row with more than three elements.
    #[error("lagged diff at byte {at} has more than three elements")]
    LaggedTooLong {
        /// Offset of the row.
        at: usize,
    },
    /// A diff value that is a string other than `""` (assigned) and `"-"` (removed).
    #[error("diff entry at byte {at} is a string other than \"\" and \"-\"")]
    DiffString {
        /// Offset of the entry's key.
        at: usize,
    },
    /// A set diff that is not exactly two lists.
    #[error("set diff at byte {at} is not exactly two lists")]
    DiffSet {
        /// Offset of the entry's key.
        at: usize,
    },
    /// A diff value that is an integer (libsession never terminates on one).
    #[error("diff entry at byte {at} is an integer")]
    DiffInteger {
        /// Offset of the entry's key.
        at: usize,
    },
    /// A verifier is configured but the message has no `~` signature.
    #[error("signature missing")]
    MissingSignature,
    /// The `~` signature does not verify.
    #[error("signature does not verify")]
    BadSignature,
}

/// No input of a merge parsed: there is nothing to merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("no valid config message among the {inputs} inputs")]
pub struct NoValidMessage {
    /// How many inputs were given.
    pub inputs: usize,
}
