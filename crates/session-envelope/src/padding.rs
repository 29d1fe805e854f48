//! Message padding: hides the exact length of a serialized `Content` before it is encrypted.
//!
//! Padding is a `0x80` byte followed by zero bytes. Two lengths are in use:
//!
//! * [`pad`] (libsession): the total is the next multiple of 160 strictly above the message
//!   length, so the `0x80` always fits.
//! * [`pad_legacy`] (Session Desktop until late 2025): the total is one less than a multiple of
//!   160.
//!
//! [`unpad`] accepts both and messages without padding, as clients do.

use alloc::vec::Vec;

/// The padding block size.
pub const BLOCK: usize = 160;
/// The byte that starts the padding.
pub const MARKER: u8 = 0x80;

/// Why padded bytes could not be unpadded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UnpadError {
    /// The input is empty or all zero bytes: there is no padding marker and no message.
    #[error("no padding marker and no message content")]
    NoContent,
}

/// Pads to a multiple of 160 bytes, always adding at least the marker: the total is
/// `len + 1 + (160 - (len + 1) % 160)`, a full extra block when `len + 1` is already a multiple.
pub fn pad(message: &[u8]) -> Vec<u8> {
    let with_marker = message.len() + 1;
    let total = with_marker + (BLOCK - with_marker % BLOCK);
    padded_to(message, total)
}

/// Pads the way older Session Desktop did: the total is `160·ceil((len + 2) / 160) - 1`.
pub fn pad_legacy(message: &[u8]) -> Vec<u8> {
    let total = (message.len() + 2).div_ceil(BLOCK) * BLOCK - 1;
    padded_to(message, total)
}

fn padded_to(message: &[u8], total: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(message);
    out.push(MARKER);
    out.resize(total, 0);
    out
}

/// Removes padding: trailing zero bytes and the `0x80` before them. If the last non-zero byte is
/// not `0x80` the input was not padded and is returned whole.
pub fn unpad(padded: &[u8]) -> Result<&[u8], UnpadError> {
    match padded.iter().rposition(|&b| b != 0) {
        Some(i) if padded[i] == MARKER => Ok(&padded[..i]),
        Some(_) => Ok(padded),
        None => Err(UnpadError::NoContent),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths() {
        for (len, new, legacy) in [
            (0, 160, 159),
            (1, 160, 159),
            (157, 160, 159),
            (158, 160, 159),
            (159, 320, 319),
            (160, 320, 319),
            (318, 320, 319),
            (319, 480, 479),
        ] {
            let m = alloc::vec![7u8; len];
            assert_eq!(pad(&m).len(), new, "pad {len}");
            assert_eq!(pad_legacy(&m).len(), legacy, "legacy {len}");
            assert_eq!(unpad(&pad(&m)).unwrap(), &m[..]);
            assert_eq!(unpad(&pad_legacy(&m)).unwrap(), &m[..]);
        }
    }

    #[test]
    fn unpadded_and_empty() {
        assert_eq!(unpad(b"abc").unwrap(), b"abc");
        assert_eq!(unpad(b"ab\x80c\0\0").unwrap(), b"ab\x80c\0\0");
        assert_eq!(unpad(b"ab\x80\x80\0").unwrap(), b"ab\x80");
        assert_eq!(unpad(b"\x80").unwrap(), b"");
        assert_eq!(unpad(b""), Err(UnpadError::NoContent));
        assert_eq!(unpad(b"\0\0\0"), Err(UnpadError::NoContent));
    }
}
