//! Disappearing messages: the TTL a message is stored with, and the `expire` that starts an
//! after-read timer.

use crate::hash::MessageHash;
use crate::namespace::{MAX_PRIVATE_TTL_MS, MAX_PUBLIC_TTL_MS};
use crate::request::{ExpiryMode, RequestError, Signer, StorageRequest};
use crate::time::{Timestamp, SECOND_MS};

/// A conversation's disappearing-messages setting (`Content.expirationType` and
/// `expirationTimer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Disappearing {
    /// Messages stay until the default TTL.
    #[default]
    Off,
    /// Messages disappear `timer_seconds` after they are sent (type 2, DELETE_AFTER_SEND).
    AfterSend {
        /// The timer, in seconds.
        timer_seconds: u32,
    },
    /// Messages disappear `timer_seconds` after they are read (type 1, DELETE_AFTER_READ).
    AfterRead {
        /// The timer, in seconds.
        timer_seconds: u32,
    },
}

/// The kind of message being stored, which sets its default TTL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MessageKind {
    /// A visible message (14 days).
    Content,
    /// A typing indicator (20 seconds).
    Typing,
    /// A call message (5 minutes).
    Call,
    /// A config message (30 days).
    Config,
}

impl MessageKind {
    /// The TTL clients give this kind of message when no timer applies.
    pub const fn default_ttl_millis(self) -> u64 {
        match self {
            Self::Content => MAX_PUBLIC_TTL_MS,
            Self::Typing => 20 * SECOND_MS,
            Self::Call => 5 * 60 * SECOND_MS,
            Self::Config => MAX_PRIVATE_TTL_MS,
        }
    }
}

/// The TTL to store a message with: the timer for after-send messages (a zero timer means
/// off), the kind's default otherwise (after-read messages start with the default and are
/// shortened once read). [`StorageRequest::store`] still checks the result against the
/// namespace's bounds.
pub fn store_ttl_millis(kind: MessageKind, setting: Disappearing) -> u64 {
    match setting {
        Disappearing::AfterSend { timer_seconds } if timer_seconds > 0 => {
            u64::from(timer_seconds) * SECOND_MS
        }
        _ => kind.default_ttl_millis(),
    }
}

/// When an after-read message read at `read_time` must disappear.
pub fn after_read_expiry(read_time: Timestamp, timer_seconds: u32) -> Timestamp {
    read_time.saturating_add_millis(u64::from(timer_seconds) * SECOND_MS)
}

/// The `expire` (with `shorten`) a recipient sends to its own swarm once it has read
/// after-read messages: expiry = `read_time + timer`.
pub fn after_read_expire_request(
    signer: &Signer<'_>,
    messages: &[MessageHash],
    read_time: Timestamp,
    timer_seconds: u32,
    now: Timestamp,
) -> Result<StorageRequest, RequestError> {
    StorageRequest::expire(
        signer,
        messages,
        after_read_expiry(read_time, timer_seconds),
        ExpiryMode::Shorten,
        now,
    )
}
