//! The streaming attachment APIs work in bounded memory: a 10 MB file (2 MB in debug builds) is hashed, encrypted and
//! decrypted (the encryptor's output piped straight into the decryptor, the content generated
//! and checked on the fly) while the heap never holds more than a few chunks. The counting
//! allocator sees the whole process, so this binary has a single test.
#![allow(clippy::unwrap_used)]

use peak_alloc::PeakAlloc;
use session_envelope::attachment::stream::{encrypted_size, ENCRYPTED_CHUNK_LEN};
use session_envelope::attachment::{
    legacy, Domain, LegacyDecryptor, LegacyKeys, StreamDecryptor, StreamKeyDeriver,
};
use session_identity::hash::Blake2b;

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

/// 10 MB in release builds (`cargo test --release -p session-envelope --test
/// attachment_memory`, about a second); 2 MB in debug builds, where the unoptimised cipher
/// wrappers would make 10 MB take several seconds. The bound is the same for both.
const LEN: usize = if cfg!(debug_assertions) {
    2_000_000
} else {
    10_000_000
};
const PIECE: usize = 65_536;
/// What may be on the heap at once: this test's own two 64 KiB buffers, and two chunks for each of the
/// encryptor and the decryptor (plaintext and ciphertext), plus a little slack. It does not
/// grow with the file.
const BOUND: usize = 2 * PIECE + 4 * ENCRYPTED_CHUNK_LEN + 4096;

/// Feeds the file to `f` in 64 KiB pieces without ever holding it: a fixed pattern with each
/// piece's index written into its first bytes.
fn each_piece(mut f: impl FnMut(&[u8])) {
    let pattern: Vec<u8> = (0..PIECE).map(|i| (i * 31 % 251) as u8).collect();
    let mut piece = pattern.clone();
    let mut at = 0;
    while at < LEN {
        let n = PIECE.min(LEN - at);
        piece.copy_from_slice(&pattern);
        piece[..8].copy_from_slice(&(at as u64).to_le_bytes());
        f(&piece[..n]);
        at += n;
    }
}

fn hasher() -> Blake2b {
    Blake2b::new(32, None).unwrap()
}

#[test]
fn ten_megabytes_in_bounded_memory() {
    let mut input = hasher();
    each_piece(|p| input.update(p));
    let expected: [u8; 32] = input.finalize().unwrap();

    // Stream scheme: hash pass, then encrypt pass piped into the decryptor.
    let base = HEAP.current_usage();
    HEAP.reset_peak_usage();
    let mut deriver = StreamKeyDeriver::new(&[9; 32], Domain::Attachment);
    each_piece(|p| deriver.update(p));
    let mut encryptor = deriver.finish().unwrap();
    let mut decryptor = StreamDecryptor::new(encryptor.key());
    let mut checked = 0usize;
    let mut output = hasher();
    let mut check = |plain: &[u8]| {
        output.update(plain);
        checked += plain.len();
    };
    let mut uploaded = 0u64;
    let mut pipe = |bytes: &[u8]| {
        uploaded += bytes.len() as u64;
        decryptor.update(bytes, &mut check).unwrap();
    };
    each_piece(|p| encryptor.update(p, &mut pipe).unwrap());
    encryptor.finish(&mut pipe).unwrap();
    decryptor.finish(&mut check).unwrap();
    assert_eq!(checked, LEN);
    assert_eq!(output.finalize::<32>().unwrap(), expected);
    assert_eq!(uploaded, encrypted_size(LEN as u64));
    let peak = HEAP.peak_usage() - base;
    assert!(peak < BOUND, "stream scheme peaked at {peak} bytes");

    // Legacy scheme: encrypt (padded) piped into the decryptor, cut to the size.
    HEAP.reset_peak_usage();
    let base = HEAP.current_usage();
    let keys = LegacyKeys::from_bytes([3; 64]);
    let mut encryptor = legacy::LegacyEncryptor::new(&keys, &[4; 16]);
    let mut decryptor = LegacyDecryptor::new(&keys, Some(LEN as u64));
    let mut checked = 0usize;
    let mut output = hasher();
    let mut check = |plain: &[u8]| {
        output.update(plain);
        checked += plain.len();
    };
    let mut pipe = |bytes: &[u8]| decryptor.update(bytes, &mut check).unwrap();
    each_piece(|p| encryptor.update(p, &mut pipe));
    let digest = encryptor.finish(true, &mut pipe);
    decryptor.finish(&digest, &mut check).unwrap();
    assert_eq!(checked, LEN);
    assert_eq!(output.finalize::<32>().unwrap(), expected);
    let peak = HEAP.peak_usage() - base;
    assert!(peak < BOUND, "legacy scheme peaked at {peak} bytes");
}
