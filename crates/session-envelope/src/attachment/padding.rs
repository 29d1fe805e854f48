//! The desktop client's attachment size buckets (legacy scheme).

/// The smallest padded length: every attachment of up to 541 bytes pads to 541.
pub const MIN_PADDED_ATTACHMENT_LEN: u64 = 541;
/// The bucket an attachment of at most this size is clamped to (10 MB, the file server's limit).
pub const MAX_PADDED_ATTACHMENT_LEN: u64 = 10_000_000;

/// Fractional bits of the fixed-point powers of 1.05.
const FRACTION_BITS: u32 = 60;
/// Above this the fixed-point value could overflow; no attachment comes near it.
const LARGEST_PADDED_INPUT: u64 = 1 << 62;

/// The length the desktop client pads a `len`-byte attachment to with zero bytes before the
/// legacy encryption: `max(541, floor(1.05^ceil(log_1.05(len))))`, clamped to 10,000,000 when
/// `len` is at most 10,000,000 (so 10,000,001 pads to 10,319,484, but 10,000,000 stays).
///
/// The client evaluates this in IEEE doubles; here it is exact: the least `floor(1.05^k)` that is
/// at least `len`, computed in 60-bit fixed point (no `1.05^k` of the range in use lies within
/// 1e-6 of an integer, so both agree, as the desktop-generated vectors confirm up to 12,000,000).
/// Lengths above 2^62 are returned unchanged.
///
/// ```
/// use session_envelope::attachment::padded_attachment_len;
/// assert_eq!(padded_attachment_len(0), 541);
/// assert_eq!(padded_attachment_len(542), 568);
/// assert_eq!(padded_attachment_len(10_000_000), 10_000_000);
/// assert_eq!(padded_attachment_len(10_000_001), 10_319_484);
/// ```
pub fn padded_attachment_len(len: u64) -> u64 {
    if len > LARGEST_PADDED_INPUT {
        return len;
    }
    // 1.05^k in fixed point: start at k = 0 and multiply by 21/20 until the floor reaches len.
    let mut power: u128 = 1 << FRACTION_BITS;
    while ((power >> FRACTION_BITS) as u64) < len {
        power = power * 21 / 20;
    }
    let bucket = ((power >> FRACTION_BITS) as u64).max(MIN_PADDED_ATTACHMENT_LEN);
    if bucket > MAX_PADDED_ATTACHMENT_LEN && len <= MAX_PADDED_ATTACHMENT_LEN {
        MAX_PADDED_ATTACHMENT_LEN
    } else {
        bucket
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets() {
        for (len, padded) in [
            (0, 541),
            (1, 541),
            (541, 541),
            (542, 568),
            (568, 568),
            (569, 596),
            (597, 626),
            (627, 657),
            (9_828_080, 9_828_080),
            (9_828_081, 10_000_000),
            (10_000_001, 10_319_484),
        ] {
            assert_eq!(padded_attachment_len(len), padded, "{len}");
        }
        assert_eq!(padded_attachment_len(u64::MAX), u64::MAX);
        assert!(padded_attachment_len(LARGEST_PADDED_INPUT) >= LARGEST_PADDED_INPUT);
    }
}
