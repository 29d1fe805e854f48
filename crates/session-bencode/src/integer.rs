//! The integer of bt-encoding: anything from `i64::MIN` to `u64::MAX`.

use core::fmt;

/// A bt-encoded integer: any whole number from `i64::MIN` (−2⁶³) to `u64::MAX` (2⁶⁴ − 1).
///
/// Producers write 64-bit signed integers, but readers also accept non-negative values up to
/// 2⁶⁴ − 1, so an integer of this type holds either an `i64` or a `u64`; [`Integer::as_i64`]
/// and [`Integer::as_u64`] say whether it fits the one a field needs.
///
/// ```
/// use session_bencode::Integer;
/// assert_eq!(Integer::from(-5i64).as_i64(), Some(-5));
/// assert_eq!(Integer::from(u64::MAX).as_i64(), None);
/// assert_eq!(Integer::new(i128::from(u64::MAX) + 1), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Integer(i128);

impl Integer {
    /// The smallest integer: `i64::MIN`.
    pub const MIN: Integer = Integer(i64::MIN as i128);
    /// The largest integer: `u64::MAX`.
    pub const MAX: Integer = Integer(u64::MAX as i128);

    /// `value`, if it lies between [`Integer::MIN`] and [`Integer::MAX`].
    pub const fn new(value: i128) -> Option<Integer> {
        if value >= Self::MIN.0 && value <= Self::MAX.0 {
            Some(Integer(value))
        } else {
            None
        }
    }

    /// The value.
    pub const fn get(self) -> i128 {
        self.0
    }

    /// The value as an `i64`, if it fits (it does unless it exceeds `i64::MAX`).
    pub fn as_i64(self) -> Option<i64> {
        i64::try_from(self.0).ok()
    }

    /// The value as a `u64`, if it fits (it does unless it is negative).
    pub fn as_u64(self) -> Option<u64> {
        u64::try_from(self.0).ok()
    }

    /// Whether the value is below zero.
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// The absolute value, which always fits a `u64`.
    pub(crate) fn magnitude(self) -> u64 {
        // Within MIN..=MAX the magnitude is at most 2^64 - 1.
        u64::try_from(self.0.unsigned_abs()).unwrap_or(u64::MAX)
    }
}

macro_rules! from_primitive {
    ($($t:ty),*) => {
        $(
            impl From<$t> for Integer {
                fn from(value: $t) -> Self {
                    Integer(i128::from(value))
                }
            }
        )*
    };
}
from_primitive!(i8, i16, i32, i64, u8, u16, u32, u64);

impl TryFrom<i128> for Integer {
    type Error = IntegerRangeError;
    fn try_from(value: i128) -> Result<Self, Self::Error> {
        Integer::new(value).ok_or(IntegerRangeError)
    }
}

impl TryFrom<Integer> for i64 {
    type Error = IntegerRangeError;
    fn try_from(value: Integer) -> Result<Self, Self::Error> {
        value.as_i64().ok_or(IntegerRangeError)
    }
}

impl TryFrom<Integer> for u64 {
    type Error = IntegerRangeError;
    fn try_from(value: Integer) -> Result<Self, Self::Error> {
        value.as_u64().ok_or(IntegerRangeError)
    }
}

impl From<Integer> for i128 {
    fn from(value: Integer) -> Self {
        value.0
    }
}

impl fmt::Display for Integer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// A number outside the range of the target type (`i64::MIN..=u64::MAX` for [`Integer`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("integer out of range")]
pub struct IntegerRangeError;
