//! zstd compression of pushed messages (§11.4), in pure Rust.

use alloc::vec::Vec;

use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};
use ruzstd::encoding::{compress_to_vec, CompressionLevel};

/// The byte that marks a compressed message: `z` ‖ zstd frame.
pub const COMPRESSED_PREFIX: u8 = b'z';

/// The most a received compressed message may decompress to: 4 MiB, about fifty times what
/// fits the 76,800 bytes of a push at the compression real configs reach. libsession sets no
/// limit; without one a 76,800-byte message could expand to gigabytes.
pub const MAX_DECOMPRESSED_SIZE: usize = 4 * 1024 * 1024;

/// The window every stream may use, whatever the size limit (ruzstd declares 128 KiB).
const MIN_WINDOW_LIMIT: usize = 1 << 20;

/// Why a compressed message did not decompress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecompressError {
    /// Not a sequence of valid zstd frames: truncated, corrupt, a bad checksum or trailing
    /// bytes.
    #[error("not a valid zstd stream")]
    Invalid,
    /// The content exceeds the limit.
    #[error("decompresses to more than {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: usize,
    },
}

/// `"z" ‖ zstd(message)` if that is shorter than `message`, else `message` unchanged (as
/// libsession compresses every push, at level 1).
///
/// The frame comes from a pure-Rust encoder (ruzstd, its level closest to zstd's 1), so its
/// bytes differ from libzstd's; every zstd decoder reads it back to the same message.
///
/// ```
/// use session_config::{compress, decompress};
/// let message = [0xaa; 81];
/// let compressed = compress(&message);
/// assert_eq!(compressed[0], b'z');
/// assert!(compressed.len() < message.len());
/// assert_eq!(decompress(&compressed[1..], 1024)?, message);
/// assert_eq!(compress(b"d1:#i0ee"), b"d1:#i0ee");
/// # Ok::<(), session_config::DecompressError>(())
/// ```
pub fn compress(message: &[u8]) -> Vec<u8> {
    let frame = compress_to_vec(message, CompressionLevel::Fastest);
    if frame.len() + 1 < message.len() {
        let mut out = Vec::with_capacity(frame.len() + 1);
        out.push(COMPRESSED_PREFIX);
        out.extend_from_slice(&frame);
        out
    } else {
        message.to_vec()
    }
}

/// Decompresses a zstd stream (one or more frames, skippable frames skipped, checksums
/// verified), refusing content beyond `limit` bytes before allocating for it.
pub fn decompress(mut input: &[u8], limit: usize) -> Result<Vec<u8>, DecompressError> {
    let mut out = Vec::new();
    if input.is_empty() {
        return Err(DecompressError::Invalid);
    }
    let mut decoder = FrameDecoder::new();
    // zstd's level 1 uses at most a 512 KiB window (less for small messages); refusing larger
    // windows bounds what a hostile frame header makes the decoder allocate.
    decoder.set_max_window_size(limit.max(MIN_WINDOW_LIMIT) as u64);
    while !input.is_empty() {
        match decoder.init(&mut input) {
            Ok(()) => {}
            Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame {
                length,
                ..
            })) => {
                let skip = usize::try_from(length).map_err(|_| DecompressError::Invalid)?;
                input = input.get(skip..).ok_or(DecompressError::Invalid)?;
                continue;
            }
            Err(_) => return Err(DecompressError::Invalid),
        }
        loop {
            let finished = decoder
                .decode_blocks(&mut input, BlockDecodingStrategy::UptoBytes(64 * 1024))
                .map_err(|_| DecompressError::Invalid)?;
            if out.len() + decoder.can_collect() > limit {
                return Err(DecompressError::TooLarge { limit });
            }
            if let Some(chunk) = decoder.collect() {
                out.extend_from_slice(&chunk);
            }
            if finished {
                break;
            }
        }
        if let (Some(expected), Some(found)) = (
            decoder.get_checksum_from_data(),
            decoder.get_calculated_checksum(),
        ) {
            if expected != found {
                return Err(DecompressError::Invalid);
            }
        }
    }
    Ok(out)
}
