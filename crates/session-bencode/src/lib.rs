//! bt-encoding (bencode) as Session uses it, the layout of config messages, group keys
//! messages and onion v4 requests: byte strings, integers, lists and dictionaries whose keys
//! strictly ascend.
//!
//! - **Reading** borrows from the input. [`ListReader`] and [`DictReader`] walk a container
//!   one element at a time (next key, skip, typed reads, required keys), [`Raw`] keeps the
//!   exact bytes of a value (hashes are over received bytes), [`Value`] is a parsed tree, and
//!   [`DictReader::signature`] finds a `~` signature and the exact bytes it signs. Readers are
//!   bounded: nesting depth is limited ([`Options::with_max_depth`]), every length is checked
//!   against what remains before anything is sliced, nothing is allocated from a declared
//!   length, and every failure is an [`Error`] naming its byte offset.
//! - **Leniency** is explicit ([`Mode`]): [`Mode::Canonical`] accepts only what the writer
//!   produces; [`Mode::Lenient`] also accepts the leading zeros and `-0` that oxenc's parser
//!   tolerates, which config and keys messages need to agree with libsession on what parses.
//! - **Writing** cannot produce non-canonical output: [`ListWriter`] and [`DictWriter`] write
//!   canonical numbers, refuse dictionary keys that do not ascend ([`WriteError`]), close
//!   every container, copy received values verbatim ([`DictWriter::raw`]) and end a
//!   dictionary with a signature from a closure ([`DictWriter::finish_signed`]); the crate
//!   does no cryptography itself.
//!
//! ```
//! use session_bencode::{DictReader, DictWriter, Options, Raw};
//!
//! // Write a signed dictionary; the closure signs everything before the `~` entry.
//! let mut message = Vec::new();
//! let mut dict = DictWriter::new(&mut message);
//! dict.bytes("#", [0x24; 24])?;
//! dict.integer("G", 3)?;
//! dict.list("k")?.bytes([0x11; 48]).bytes([0x22; 48]);
//! dict.finish_signed(|signed| {
//!     assert!(signed.starts_with(b"d1:#24:"));
//!     [0x5a; 64] // an Ed25519 signature over `signed`, in practice
//! })?;
//!
//! // Read it back, as a lenient (oxenc-compatible) reader.
//! let mut dict = DictReader::with_options(&message, Options::lenient())?;
//! let nonce: &[u8; 24] = dict.require(b"#")?;
//! assert_eq!(nonce, &[0x24; 24]);
//! assert_eq!(dict.require::<i64>(b"G")?, 3);
//! let keys: Raw = dict.require(b"k")?; // the received bytes, to hash or re-emit
//! assert_eq!(keys.as_bytes().len(), 2 + 2 * 51);
//! let signed = dict.require_signature()?;
//! assert_eq!(signed.signed_bytes(), &message[..message.len() - 71]);
//! assert_eq!(signed.signature(), &[0x5a; 64]);
//! dict.finish()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![cfg_attr(not(test), no_std)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

extern crate alloc;

mod cursor;
mod error;
mod integer;
mod read;
mod value;
mod write;

#[cfg(test)]
mod tests;

pub use error::{Error, Kind, WriteError};
pub use integer::{Integer, IntegerRangeError};
pub use read::{
    decode, decode_with, Decode, DictReader, ListReader, Mode, Options, Raw, Signed,
    DEFAULT_MAX_DEPTH, MAX_DEPTH_LIMIT,
};
pub use value::{Dict, Value};
pub use write::{encode_bytes, encode_integer, DictWriter, ListWriter};

/// The code sample of README.md, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
