//! zstd for `03` group messages, in pure Rust: compression at the level closest to zstd's 1,
//! and a decompressor that stops at a size limit before allocating past it.

use alloc::vec::Vec;

use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};
use ruzstd::encoding::{compress_to_vec, CompressionLevel};

/// The window a stream may always use, whatever the size limit.
const MIN_WINDOW_LIMIT: usize = 1 << 20;

/// How much a decoding step produces at most before the limit is checked again.
const STEP: usize = 64 * 1024;

/// Why compressed data did not decompress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DecompressError {
    /// Not a sequence of valid zstd frames (truncated, corrupt, bad checksum, trailing bytes).
    Invalid,
    /// The content exceeds the limit.
    TooLarge,
}

/// A zstd frame of `data` (ruzstd's fastest level, its equivalent of zstd's level 1).
pub(crate) fn compress(data: &[u8]) -> Vec<u8> {
    compress_to_vec(data, CompressionLevel::Fastest)
}

/// Decompresses one or more zstd frames (skippable frames skipped, checksums verified),
/// refusing content beyond `limit` bytes: at most one decoding step past what was accepted is
/// ever buffered.
pub(crate) fn decompress(mut input: &[u8], limit: usize) -> Result<Vec<u8>, DecompressError> {
    if input.is_empty() {
        return Err(DecompressError::Invalid);
    }
    let mut out = Vec::new();
    let mut decoder = FrameDecoder::new();
    // A hostile frame header may declare a huge window; refusing one larger than the output
    // may ever be bounds what the decoder allocates for it.
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
                .decode_blocks(&mut input, BlockDecodingStrategy::UptoBytes(STEP))
                .map_err(|_| DecompressError::Invalid)?;
            if out.len() + decoder.can_collect() > limit {
                return Err(DecompressError::TooLarge);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_limits() {
        let data = b"session ".repeat(500);
        let frame = compress(&data);
        assert!(frame.len() < data.len());
        assert_eq!(decompress(&frame, data.len()).unwrap(), data);
        assert_eq!(
            decompress(&frame, data.len() - 1),
            Err(DecompressError::TooLarge)
        );
        assert_eq!(decompress(&[], 10), Err(DecompressError::Invalid));
        assert_eq!(
            decompress(&frame[..frame.len() - 1], 10_000),
            Err(DecompressError::Invalid)
        );
        let mut trailing = frame.clone();
        trailing.push(0);
        assert_eq!(decompress(&trailing, 10_000), Err(DecompressError::Invalid));
        // Two frames decode to both contents.
        let two = [frame.as_slice(), &frame].concat();
        assert_eq!(decompress(&two, 10_000).unwrap().len(), 2 * data.len());
    }

    #[test]
    fn level_1_reference_frame_decodes() {
        // libzstd 1.5 at level 1, 81 × 0xaa (libsession's compression test).
        let frame = [
            0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x51, 0x45, 0x00, 0x00, 0x10, 0xaa, 0xaa, 0x01, 0x00,
            0x8c, 0x02, 0x2c,
        ];
        assert_eq!(decompress(&frame, 81).unwrap(), [0xaa; 81]);
        assert_eq!(decompress(&frame, 80), Err(DecompressError::TooLarge));
    }
}
