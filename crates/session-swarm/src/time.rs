//! Time as the storage servers count it: milliseconds since the Unix epoch, always passed in.

use core::fmt;

/// A point in time: milliseconds since the Unix epoch. The crate never reads a clock; callers
/// hand "now" in as one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(u64);

impl Timestamp {
    /// From milliseconds since the Unix epoch.
    pub const fn from_millis(ms: u64) -> Self {
        Self(ms)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// `self + ms`, saturating at the end of time.
    #[must_use]
    pub const fn saturating_add_millis(self, ms: u64) -> Self {
        Self(self.0.saturating_add(ms))
    }

    /// `self - ms`, saturating at the epoch.
    #[must_use]
    pub const fn saturating_sub_millis(self, ms: u64) -> Self {
        Self(self.0.saturating_sub(ms))
    }

    /// `self` shifted by a clock offset (saturating at both ends).
    #[must_use]
    pub fn adjusted(self, offset: ClockOffset) -> Self {
        let ms = offset.as_millis();
        if ms >= 0 {
            self.saturating_add_millis(ms.unsigned_abs())
        } else {
            self.saturating_sub_millis(ms.unsigned_abs())
        }
    }

    /// Milliseconds from `earlier` to `self`, or `None` if `earlier` is later.
    pub fn millis_since(self, earlier: Timestamp) -> Option<u64> {
        self.0.checked_sub(earlier.0)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// How far the network's clock is ahead of ours, in milliseconds (negative when behind).
///
/// Signed storage requests must carry a timestamp within ±60 s of the node's clock, so a client
/// signs with `now.adjusted(offset)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ClockOffset(i64);

impl ClockOffset {
    /// No correction.
    pub const ZERO: Self = Self(0);

    /// From a signed number of milliseconds.
    pub const fn from_millis(ms: i64) -> Self {
        Self(ms)
    }

    /// The offset in milliseconds.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// The offset implied by a server's timestamp `server_time` (the `t` of a reply or the
    /// `timestamp` of `info`) received at local time `local_now`. The reply's travel time is
    /// ignored: it is small next to the ±60 s the servers allow.
    pub fn estimate(server_time: Timestamp, local_now: Timestamp) -> Self {
        let diff = i128::from(server_time.0) - i128::from(local_now.0);
        Self(diff.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
    }

    /// The magnitude of the offset in milliseconds.
    pub const fn magnitude_millis(self) -> u64 {
        self.0.unsigned_abs()
    }
}

/// One second in milliseconds.
pub(crate) const SECOND_MS: u64 = 1000;
/// One day in milliseconds.
pub(crate) const DAY_MS: u64 = 24 * 60 * 60 * SECOND_MS;
