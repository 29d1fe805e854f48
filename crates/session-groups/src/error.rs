//! Why a keys message was refused, or a keys operation failed.

/// Why a keys message (namespace 12) was refused. A refused message changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// Not a bt-encoded dictionary, truncated, keys out of order, or a value of the wrong kind.
    #[error("malformed keys message: {0}")]
    Malformed(session_bencode::Error),
    /// No `#` nonce.
    #[error("keys message has no nonce (#)")]
    MissingNonce,
    /// A nonce that is not 24 bytes.
    #[error("keys message nonce is {len} bytes, not 24")]
    NonceLength {
        /// Its length.
        len: usize,
    },
    /// No `G` generation.
    #[error("keys message has no generation (G)")]
    MissingGeneration,
    /// A negative generation.
    #[error("keys message generation {generation} is negative")]
    NegativeGeneration {
        /// The value.
        generation: i64,
    },
    /// A full message without the admins' `K` copy.
    #[error("keys message has no admin key (K)")]
    MissingAdminKey,
    /// A `K` that is not 48 bytes.
    #[error("admin key (K) is {len} bytes, not 48")]
    AdminKeyLength {
        /// Its length.
        len: usize,
    },
    /// A full message without the member list `k`.
    #[error("keys message has no member key list (k)")]
    MissingMemberKeys,
    /// A member entry that is not 48 bytes.
    #[error("member key {index} is {len} bytes, not 48")]
    MemberKeyLength {
        /// Its position in `k`.
        index: usize,
        /// Its length.
        len: usize,
    },
    /// A member list whose length is not a multiple of 75 (junk padding missing).
    #[error("member key list has {count} entries, not a multiple of 75")]
    MemberKeyCount {
        /// The number of entries.
        count: usize,
    },
    /// A supplement entry shorter than the smallest possible one (68 bytes).
    #[error("supplement entry {index} is {len} bytes; at least 68 are needed")]
    SupplementEntryLength {
        /// Its position in `+`.
        index: usize,
        /// Its length.
        len: usize,
    },
    /// No `~` signature.
    #[error("keys message is not signed")]
    MissingSignature,
    /// The signature is not the group key's over the message.
    #[error("keys message signature does not verify")]
    BadSignature,
    /// An admin could not open `K` with the group seed: not made by an admin of this group.
    #[error("the admin key (K) does not decrypt with the group seed")]
    AdminKeyDecrypt,
    /// A supplement entry opened with our key but does not hold a list of
    /// `{g, k (32 bytes), t}` dictionaries.
    #[error("supplement content is malformed")]
    SupplementContent,
}

/// Why a [`Keys`](crate::Keys) state could not be made, or an admin operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeysError {
    /// The group's Ed25519 public key is not a usable curve point.
    #[error("the group public key is not a valid Ed25519 point")]
    InvalidGroupKey,
    /// The group secret given is not the secret of this group's public key.
    #[error("the group secret does not belong to this group")]
    WrongGroupSecret,
    /// Only an admin (holding the group secret) can do this.
    #[error("only an admin holding the group secret can do this")]
    NotAdmin,
    /// A supplement needs at least one key to hand out.
    #[error("no key is held to put in a supplement")]
    NoKeys,
    /// The next generation would overflow.
    #[error("the key generation would overflow")]
    GenerationOverflow,
    /// A dump that [`Keys::dump`](crate::Keys::dump) did not write, or one of another group.
    #[error("not a keys dump of this group")]
    InvalidDump,
}
