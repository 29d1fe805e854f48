//! Session config messages: the multi-device sync core of sessionkit.
//!
//! Every device of an account (or every admin of a `03` group) keeps small replicated
//! key/value trees — the profile, contacts, conversation read state, groups — and stores them,
//! encrypted, in the swarm. Devices converge because every edit bumps a seqno and records a
//! diff, and any device that sees competing messages merges them deterministically, so racing
//! devices produce byte-identical merges.
//!
//! * [`Value`], [`Dict`], [`Set`], [`Scalar`]: the data model; [`Diff`]: what an edit changed.
//! * [`ConfigMessage`]: parse (typed [`ParseError`]s), serialize byte for byte, hash,
//!   [`increment`](ConfigMessage::increment); `~` signatures through [`Signer`] and
//!   [`Verifier`] (Ed25519 keys of session-identity implement both).
//! * [`merge`]: libsession's merge of competing messages, tie-breaks included.
//! * [`encrypt`], [`decrypt`], [`padded_size`], [`compress`], [`decompress`], [`wrap`],
//!   [`unwrap`]: the push and receive byte pipeline.
//! * [`Config`]: one config object of a device (clean, dirty or waiting; push, confirm, merge,
//!   dump, load) with a data API by key path; [`UserProfile`] the first typed config on it.
//! * Typed configs: the account's [`UserProfile`], [`Contacts`], [`ConvoInfoVolatile`],
//!   [`UserGroups`] (together: [`UserConfigs`]), and a `03` group's [`GroupInfoConfig`]
//!   (namespace 13) and [`GroupMembers`] (namespace 14), signed by the group's key.
//!
//! Byte-compatible with libsession-util: messages, merges, ciphertexts and dumps are the bytes
//! its clients produce (compressed pushes excepted: see [`compress`]). Where libsession loses
//! data or misbehaves on hostile input, this crate does better; `docs/config.md` lists each
//! difference. No I/O, no clock, no randomness.
//!
//! ```
//! use session_config::{Config, UserKind};
//! use session_identity::{Identity, Seed};
//!
//! let account = Identity::from_seed(Seed::from_legacy_bytes(*b"0123456789abcdef"));
//! let mut phone = Config::new_user(UserKind::Contacts, &account);
//! let mut laptop = Config::new_user(UserKind::Contacts, &account);
//!
//! // Both devices edit at once and push seqno 1.
//! phone.set(&[b"c", b"alice", b"n"], "Alice")?;
//! laptop.set(&[b"c", b"bob", b"n"], "Bob")?;
//! let (p, l) = (phone.push()?, laptop.push()?);
//! phone.confirm_pushed(p.seqno, "p1");
//! laptop.confirm_pushed(l.seqno, "l1");
//!
//! // Each merges the other's push: both produce the same seqno-2 merge, with both edits.
//! phone.merge([("l1", &l.data[..])]);
//! laptop.merge([("p1", &p.data[..])]);
//! let (p2, l2) = (phone.push()?, laptop.push()?);
//! assert_eq!(p2.seqno, 2);
//! assert_eq!(p2.message, l2.message);
//! assert_eq!(phone.get_bytes(&[b"c", b"bob", b"n"]), Some(&b"Bob"[..]));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![cfg_attr(not(test), no_std)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

extern crate alloc;

mod community;
mod compress;
mod contacts;
mod convo_info_volatile;
mod diff;
mod encrypt;
mod error;
mod group_info;
mod group_members;
mod kind;
mod merge;
mod message;
mod sign;
mod state;
mod typed;
mod user_configs;
mod user_groups;
mod user_profile;
mod value;
mod wrap;

pub use community::{
    canonical_room, canonical_url, Community, CommunityError, BASE_URL_MAX_LENGTH, ROOM_MAX_LENGTH,
};
pub use compress::{
    compress, decompress, DecompressError, COMPRESSED_PREFIX, MAX_DECOMPRESSED_SIZE,
};
pub use contacts::{Contact, Contacts};
pub use convo_info_volatile::{
    Conversation, ConvoInfo, ConvoInfoVolatile, PRUNE_HIGH_MS, PRUNE_LOW_MS,
};
pub use diff::{Diff, DiffEntry};
pub use encrypt::{
    decrypt, encrypt, pad, padded_size, EncryptError, ENCRYPTION_OVERHEAD, MAX_DOMAIN_LEN,
};
pub use error::{NoValidMessage, ParseError};
pub use group_info::{
    GroupConfigError, GroupInfoConfig, GROUP_DESCRIPTION_MAX_LENGTH, GROUP_NAME_MAX_LENGTH,
};
pub use group_members::{
    GroupMember, GroupMembers, MemberRemoval, MemberStatus, SendStatus, MEMBER_NAME_MAX_LENGTH,
};
pub use kind::{GroupKind, Kind, UserKind};
pub use merge::{merge, MergeSource, Merged, Redundancy};
pub use message::{message_hash, ConfigMessage, Hash, LAG, MAX_DEPTH};
pub use sign::{Signer, Verifier};
pub use state::{
    Config, DumpError, EditError, GroupSigning, Push, PushError, SyncState, MAX_MESSAGE_SIZE,
};
pub use typed::{Disappearing, ItemError, Notifications};
pub use user_configs::UserConfigs;
pub use user_groups::{
    truncate_group_name, CommunityInfo, GroupAuthData, GroupInfo, GroupSecretKey, GroupSettings,
    LegacyGroupInfo, LegacyGroupSecretKey, RemovedStatus, UserGroups,
};
pub use user_profile::{ProfileError, ProfilePic, UserProfile, MAX_NAME_LENGTH, MAX_URL_LENGTH};
pub use value::{encode_dict, prune, Dict, Scalar, Set, Value, ValueKind};
pub use wrap::{unwrap, wrap, UnwrapError};

/// The code sample of README.md, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
