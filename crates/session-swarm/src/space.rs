//! Swarm space: where a public key lands on the ring of swarm IDs, and which swarm is nearest.

use core::fmt;
use core::str::FromStr;

use session_identity::SessionId;

/// A swarm's identifier: a position on the 64-bit ring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SwarmId(u64);

impl SwarmId {
    /// `2^64 − 1`: the value the network gives nodes that are in no swarm (decommissioned or
    /// not yet assigned). [`SwarmMap`](crate::SwarmMap) leaves such nodes out of every swarm;
    /// [`select_swarm`] treats it as an ordinary ring position, as the reference does.
    pub const INVALID: Self = Self(u64::MAX);

    /// From its numeric value.
    pub const fn new(id: u64) -> Self {
        Self(id)
    }

    /// The numeric value.
    pub const fn get(self) -> u64 {
        self.0
    }

    /// Whether this is a real swarm (not [`SwarmId::INVALID`]).
    pub const fn is_valid(self) -> bool {
        self.0 != u64::MAX
    }

    /// Parses the lower-case hex form the storage servers use in `get_swarm` replies
    /// (`"swarm": "1f0…"`, no `0x`, 1 to 16 digits).
    pub fn from_hex(text: &str) -> Option<Self> {
        if text.is_empty() || text.len() > 16 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u64::from_str_radix(text, 16).ok().map(Self)
    }
}

impl fmt::Display for SwarmId {
    /// Sixteen lower-case hex digits (`000000000000001f`), as swarm IDs are shown elsewhere;
    /// [`SwarmId::get`] gives the number for a decimal form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl fmt::LowerHex for SwarmId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::LowerHex::fmt(&self.0, f)
    }
}

/// A swarm ID text that is not 1 to 16 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a swarm ID is 1 to 16 hex digits")]
pub struct SwarmIdParseError;

impl FromStr for SwarmId {
    type Err = SwarmIdParseError;

    /// Parses the hex form, as [`SwarmId::from_hex`] (so `Display` output parses back).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_hex(s).ok_or(SwarmIdParseError)
    }
}

/// The swarm-space position of a 32-byte public key (the key of a Session ID without its
/// prefix byte): the XOR of its four 8-byte words, each read big-endian.
///
/// ```
/// use session_swarm::swarm_space;
/// let mut key = [0u8; 32];
/// key[31] = 1;
/// assert_eq!(swarm_space(&key), 1);
/// ```
pub fn swarm_space(key: &[u8; 32]) -> u64 {
    let mut position = 0u64;
    for word in key.chunks_exact(8) {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        position ^= u64::from_be_bytes(bytes);
    }
    position
}

/// The swarm-space position of a Session ID (`05` user or `03` group): the prefix byte is
/// ignored.
pub fn swarm_space_of(id: &SessionId) -> u64 {
    swarm_space(id.key_bytes())
}

/// The index, in `sorted_ids`, of the swarm nearest to `position` on the ring: the first ID at
/// or above the position (`right`, wrapping to the first) or the one before it (`left`,
/// wrapping to the last), whichever is closer in wrapping distance; ties go left.
///
/// `sorted_ids` must be sorted ascending without duplicates; `None` only when it is empty.
/// Runs in O(log n) and allocates nothing.
pub fn nearest_swarm_index(position: u64, sorted_ids: &[u64]) -> Option<usize> {
    let count = sorted_ids.len();
    if count <= 1 {
        return (count == 1).then_some(0);
    }
    let mut right = sorted_ids.partition_point(|&id| id < position);
    if right == count {
        right = 0;
    }
    let left = if right == 0 { count - 1 } else { right - 1 };
    let to_right = sorted_ids[right].wrapping_sub(position);
    let to_left = position.wrapping_sub(sorted_ids[left]);
    Some(if to_right < to_left { right } else { left })
}

/// The swarm a key at `position` belongs to, among `swarm_ids` in any order, duplicates
/// allowed. Every value is a candidate, [`SwarmId::INVALID`] included (the reference's
/// selection does not filter it; a node list is filtered before it gets here, see
/// [`SwarmMap`](crate::SwarmMap)). `None` when the list is empty.
///
/// ```
/// use session_swarm::{select_swarm, SwarmId};
/// let ids = [SwarmId::new(300), SwarmId::new(100), SwarmId::new(200), SwarmId::new(100)];
/// assert_eq!(select_swarm(150, &ids), Some(SwarmId::new(100))); // tie: left wins
/// assert_eq!(select_swarm(151, &ids), Some(SwarmId::new(200)));
/// ```
pub fn select_swarm(position: u64, swarm_ids: &[SwarmId]) -> Option<SwarmId> {
    let mut sorted: Vec<u64> = swarm_ids.iter().map(|id| id.0).collect();
    sorted.sort_unstable();
    sorted.dedup();
    nearest_swarm_index(position, &sorted).map(|i| SwarmId(sorted[i]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swarm_id_text_is_hex_and_parses_back() {
        let id = SwarmId::new(0x1f);
        assert_eq!(id.to_string(), "000000000000001f");
        assert_eq!(format!("{id:x}"), "1f");
        assert_eq!("000000000000001f".parse(), Ok(id));
        assert_eq!("1f".parse(), Ok(id));
        assert_eq!(SwarmId::INVALID.to_string(), "ffffffffffffffff");
        assert_eq!("31".parse::<SwarmId>(), Ok(SwarmId::new(0x31)));
        assert_eq!("".parse::<SwarmId>(), Err(SwarmIdParseError));
        assert_eq!("0x1f".parse::<SwarmId>(), Err(SwarmIdParseError));
        assert_eq!(
            "10000000000000000".parse::<SwarmId>(),
            Err(SwarmIdParseError)
        );
    }
}
