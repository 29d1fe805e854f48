//! Disappearing messages in the swarm: the TTL a message is stored with, and the `expire` that
//! starts an after-read timer.
//!
//! The setting itself (off, after send, after read, and the timer) is described once, by
//! `session_envelope::Expiry`, which reads and writes it in the message; this layer only turns
//! the after-send timer into a TTL the storage server accepts.

use crate::hash::MessageHash;
use core::num::NonZeroU32;

use crate::namespace::{Namespace, MAX_PRIVATE_TTL_MS, MAX_PUBLIC_TTL_MS, MIN_TTL_MS};
use crate::request::{ExpiryMode, RequestError, Signer, StorageRequest};
use crate::time::{Timestamp, SECOND_MS};

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

/// The TTL to store a message of `kind` with in `namespace`, as Session clients choose it:
/// the after-send timer when there is one (`session_envelope::Expiry::after_send_timer`), the
/// kind's default otherwise (after-read messages start with the default and are shortened once
/// read), bounded to what the storage server accepts there: at least [`MIN_TTL_MS`] (10 s)
/// and at most [`Namespace::max_ttl_millis`] (14 days in public inboxes, 30 days elsewhere).
///
/// The result is always accepted by [`StorageRequest::store`]. A timer beyond the maximum is
/// stored for the maximum; the message still disappears on the device when its timer runs out.
///
/// ```
/// use core::num::NonZeroU32;
/// use session_swarm::{store_ttl_millis, MessageKind, Namespace};
///
/// let timer = |seconds| NonZeroU32::new(seconds);
/// let inbox = Namespace::DEFAULT;
/// assert_eq!(store_ttl_millis(MessageKind::Content, inbox, timer(300)), 300_000);
/// assert_eq!(store_ttl_millis(MessageKind::Content, inbox, timer(5)), 10_000); // the minimum
/// assert_eq!(store_ttl_millis(MessageKind::Content, inbox, timer(40 * 86_400)), 14 * 86_400_000);
/// assert_eq!(store_ttl_millis(MessageKind::Content, inbox, None), 14 * 86_400_000);
/// ```
pub fn store_ttl_millis(
    kind: MessageKind,
    namespace: Namespace,
    after_send_timer: Option<NonZeroU32>,
) -> u64 {
    let wanted = match after_send_timer {
        Some(seconds) => u64::from(seconds.get()) * SECOND_MS,
        None => kind.default_ttl_millis(),
    };
    wanted.clamp(MIN_TTL_MS, namespace.max_ttl_millis())
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
