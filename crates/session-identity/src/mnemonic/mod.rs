//! Recovery phrases: the Electrum-style (Monero English) mnemonic Session clients use.
//!
//! Every 4 bytes (a little-endian `u32` `v`) become three words with indices
//! `a = v mod N`, `b = (v / N + a) mod N`, `c = (v / N² + b) mod N`, N = 1626. A checksum word
//! repeats the word at index `CRC-32(concatenated 3-letter prefixes) mod word count`. Words are
//! recognised by their first three letters, case-insensitively, so `ama`, `AMAZING` and `amaze`
//! are the same word.
//!
//! A 16-byte seed gives the 13-word Session recovery phrase; a 32-byte seed gives 25 words.
//!
//! ```
//! use session_identity::mnemonic;
//!
//! let phrase = mnemonic::encode(&[0u8; 16], true)?;
//! assert_eq!(phrase.expose_secret(), ["abbey"; 13].join(" "));
//! let bytes = mnemonic::decode("  ABBEY abb abbey abbey abbey abbey abbey abbey abbey abbey abbey abbey abbey\n")?;
//! assert_eq!(&bytes[..], &[0u8; 16]);
//! # Ok::<(), session_identity::mnemonic::MnemonicError>(())
//! ```

mod english;

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::{Zeroize, Zeroizing};

/// Number of words in the list.
pub const WORD_LIST_LEN: usize = 1626;
/// Number of leading letters that identify a word.
pub const PREFIX_LEN: usize = 3;

const N: u64 = WORD_LIST_LEN as u64;

/// The English word list, in index order.
pub fn english_words() -> &'static [&'static str; WORD_LIST_LEN] {
    &english::ENGLISH
}

/// Why a phrase could not be made or read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MnemonicError {
    /// Only a non-empty multiple of 4 bytes can be encoded.
    #[error("data length {0} is not a non-zero multiple of 4 bytes")]
    DataLength(usize),
    /// A phrase has 3k words, or 3k + 1 with a checksum word (k ≥ 1).
    #[error("a phrase has 3k or 3k+1 words (k >= 1); found {0}")]
    WordCount(usize),
    /// A word whose first three letters match no word of the list. The word itself is not kept:
    /// it is part of a secret.
    #[error("word {} is not in the word list", .position + 1)]
    UnknownWord {
        /// Zero-based position of the word in the phrase.
        position: usize,
    },
    /// Three words that together encode a value above 2³² − 1.
    #[error("words {} to {} encode a value too large for 4 bytes", .first + 1, .first + 3)]
    Overflow {
        /// Zero-based position of the first word of the triple.
        first: usize,
    },
    /// The checksum word does not match the other words (a word is wrong or out of order).
    #[error("the checksum word does not match the phrase")]
    Checksum,
    /// A recovery phrase must end with its checksum word (13 or 25 words); 12 or 24 words, or a
    /// count that is not 3k + 1, means a word is missing or two words ran together.
    #[error("a recovery phrase has 3k+1 words including its checksum word; found {0}")]
    MissingChecksum(usize),
    /// The phrase decodes to a length that is not a seed (16 or 32 bytes).
    #[error("phrase encodes {0} bytes; a seed is 16 or 32 bytes")]
    SeedLength(usize),
}

/// A phrase: words separated by single spaces. Zeroized on drop; `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryPhrase(Zeroizing<String>);

impl RecoveryPhrase {
    /// The phrase as text. Secret: handle with care.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// The words, in order. Secret: handle with care.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.0.split(' ')
    }

    /// Number of words.
    pub fn word_count(&self) -> usize {
        self.words().count()
    }
}

impl fmt::Debug for RecoveryPhrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecoveryPhrase({} words, ..)", self.word_count())
    }
}

/// The first three letters of `word` as a fixed key: ASCII lower-cased, other characters kept
/// as they are (and then matching no list word, which are all ASCII).
fn prefix_key(word: &str) -> Option<[u8; PREFIX_LEN]> {
    let mut key = [0u8; PREFIX_LEN];
    let mut chars = word.chars();
    for slot in &mut key {
        let c = chars.next()?;
        if !c.is_ascii() {
            return None;
        }
        *slot = c.to_ascii_lowercase() as u8;
    }
    Some(key)
}

/// Index of the list word with the same first three letters as `word`.
///
/// The words of a recovery phrase are secret, so every list word is compared, each in constant
/// time: how long the lookup takes does not depend on which word it finds (a binary search
/// would branch, and touch memory, by the word's position in the list).
fn word_index(word: &str) -> Option<usize> {
    let key = Zeroizing::new(prefix_key(word)?);
    let packed = Zeroizing::new(u32::from_le_bytes([key[0], key[1], key[2], 0]));
    let mut index = 0u32;
    let mut found = Choice::from(0);
    for (i, candidate) in (0u32..).zip(english::ENGLISH.iter()) {
        let c = candidate.as_bytes();
        let same = u32::from_le_bytes([c[0], c[1], c[2], 0]).ct_eq(&packed);
        index.conditional_assign(&i, same);
        found |= same;
    }
    let index = usize::try_from(index).ok();
    // Only whether the word is in the list (not which one it is) decides the branch.
    if bool::from(found) {
        index
    } else {
        None
    }
}

/// zlib's CRC-32 (reflected, polynomial 0xEDB88320), bitwise: the input is a few dozen bytes.
fn crc32(chunks: impl Iterator<Item = u8>) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in chunks {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// Which of the words with these three-letter `prefixes` the checksum word repeats (`None`
/// for no words).
fn checksum_position(prefixes: &[[u8; PREFIX_LEN]]) -> Option<usize> {
    (crc32(prefixes.iter().flatten().copied()) as usize).checked_rem(prefixes.len())
}

/// The three-letter prefix of list word `index`.
fn list_prefix(index: usize) -> [u8; PREFIX_LEN] {
    let mut prefix = [0u8; PREFIX_LEN];
    prefix.copy_from_slice(&english::ENGLISH[index].as_bytes()[..PREFIX_LEN]);
    prefix
}

/// Encodes `data` (a non-empty multiple of 4 bytes) as words, with a checksum word if
/// `checksum`.
pub fn encode(data: &[u8], checksum: bool) -> Result<RecoveryPhrase, MnemonicError> {
    let (values, rest) = data.as_chunks::<4>();
    if values.is_empty() || !rest.is_empty() {
        return Err(MnemonicError::DataLength(data.len()));
    }
    Ok(encode_values(
        values.iter().map(|&chunk| u32::from_le_bytes(chunk)),
        checksum,
    ))
}

/// Encodes little-endian 32-bit values as three words each, with a checksum word if
/// `checksum` and there is at least one value. Defined for every input: the checked entry
/// point is [`encode`].
pub(crate) fn encode_values(values: impl Iterator<Item = u32>, checksum: bool) -> RecoveryPhrase {
    let mut indices = Zeroizing::new(Vec::with_capacity(values.size_hint().0 * 3 + 1));
    for value in values {
        let v = u64::from(value);
        let a = v % N;
        let b = (v / N + a) % N;
        let c = (v / N / N + b) % N;
        indices.extend([a as usize, b as usize, c as usize]);
    }
    if checksum {
        let prefixes: Zeroizing<Vec<[u8; PREFIX_LEN]>> =
            Zeroizing::new(indices.iter().map(|&i| list_prefix(i)).collect());
        let repeat = checksum_position(&prefixes).and_then(|at| indices.get(at).copied());
        indices.extend(repeat);
    }
    let mut text = String::with_capacity(indices.len() * 9);
    for (n, &i) in indices.iter().enumerate() {
        if n > 0 {
            text.push(' ');
        }
        text.push_str(english::ENGLISH[i]);
    }
    RecoveryPhrase(Zeroizing::new(text))
}

/// Decodes a phrase back to bytes, exactly as the reference does. Words are separated by any run
/// of spaces, tabs, CRs or LFs; leading and trailing whitespace is ignored. A phrase of 3k + 1
/// words carries a checksum word, which is verified; one of 3k words has none.
///
/// To restore an account, prefer [`decode_recovery_phrase`], which also splits on other
/// whitespace and insists on the checksum word.
pub fn decode(phrase: &str) -> Result<Zeroizing<Vec<u8>>, MnemonicError> {
    let is_separator = |c: char| matches!(c, ' ' | '\t' | '\r' | '\n');
    decode_words(|| phrase.split(is_separator).filter(|w| !w.is_empty()))
}

/// Decodes a recovery phrase typed or pasted by a person: words are separated by any Unicode
/// whitespace (so a non-breaking space pasted from a web page separates words instead of joining
/// two into one), and the checksum word is required, so a phrase with a word missing or two words
/// run together is refused instead of silently giving another account.
pub fn decode_recovery_phrase(phrase: &str) -> Result<Zeroizing<Vec<u8>>, MnemonicError> {
    let words = || phrase.split(char::is_whitespace).filter(|w| !w.is_empty());
    let count = words().count();
    if count % 3 != 1 {
        return Err(MnemonicError::MissingChecksum(count));
    }
    decode_words(words)
}

fn decode_words<'a, I: Iterator<Item = &'a str>>(
    words: impl Fn() -> I,
) -> Result<Zeroizing<Vec<u8>>, MnemonicError> {
    // Memory used below is proportional to the words actually present, never to a length read.
    let count = words().count();
    let has_checksum = count % 3 == 1;
    let data_words = count - usize::from(has_checksum);
    if data_words == 0 || !data_words.is_multiple_of(3) {
        return Err(MnemonicError::WordCount(count));
    }

    let mut indices = Zeroizing::new(Vec::with_capacity(count));
    // The prefixes as typed (lower-cased): equal to the list words', and read without indexing
    // the list by a secret position.
    let mut prefixes = Zeroizing::new(Vec::with_capacity(count));
    for (position, word) in words().enumerate() {
        indices.push(word_index(word).ok_or(MnemonicError::UnknownWord { position })?);
        prefixes.extend(prefix_key(word));
    }

    let mut out = Zeroizing::new(Vec::with_capacity(data_words / 3 * 4));
    for (t, triple) in indices[..data_words].chunks_exact(3).enumerate() {
        let (a, b, c) = (triple[0] as u64, triple[1] as u64, triple[2] as u64);
        let mut v = a + ((N - a + b) % N) * N + ((N - b + c) % N) * N * N;
        if v > u64::from(u32::MAX) {
            v.zeroize();
            return Err(MnemonicError::Overflow { first: t * 3 });
        }
        out.extend_from_slice(&(v as u32).to_le_bytes());
        v.zeroize();
    }

    if has_checksum {
        let expected = checksum_position(&prefixes[..data_words]).and_then(|at| indices.get(at));
        match (expected, indices.get(data_words)) {
            (Some(expected), Some(found)) if expected == found => {}
            _ => return Err(MnemonicError::Checksum),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_values_is_total() {
        assert_eq!(encode_values(core::iter::empty(), true).expose_secret(), "");
        assert_eq!(
            encode_values(core::iter::empty(), false).expose_secret(),
            ""
        );
        let one = encode_values(core::iter::once(0), true);
        assert_eq!(one.expose_secret(), "abbey abbey abbey abbey");
        assert_eq!(encode(&[0u8; 4], true).unwrap(), one);
    }

    #[test]
    fn seed_phrases_encode_the_entropy() {
        for seed in [
            crate::Seed::from_legacy_bytes(core::array::from_fn(|i| i as u8 * 17)),
            crate::Seed::from_full_bytes(core::array::from_fn(|i| 255 - i as u8 * 7)),
        ] {
            assert_eq!(
                seed.to_recovery_phrase(),
                encode(seed.expose_entropy(), true).unwrap()
            );
        }
    }

    #[test]
    fn crc32_check_value() {
        assert_eq!(crc32(b"123456789".iter().copied()), 0xCBF4_3926);
    }

    #[test]
    fn word_list_prefixes_are_sorted_and_unique() {
        for pair in english::ENGLISH.windows(2) {
            assert!(
                pair[0].as_bytes()[..3] < pair[1].as_bytes()[..3],
                "{pair:?}"
            );
        }
        for (i, w) in english::ENGLISH.iter().enumerate() {
            assert_eq!(word_index(w), Some(i));
        }
    }

    #[test]
    fn word_list_matches_shipped_text() {
        let text = include_str!("../../data/english.txt");
        let words: Vec<&str> = text.lines().collect();
        assert_eq!(words.len(), WORD_LIST_LEN);
        assert_eq!(&words[..], &english::ENGLISH[..]);
    }

    #[test]
    fn short_and_foreign_words_are_unknown() {
        assert_eq!(word_index("ab"), None);
        assert_eq!(word_index(""), None);
        assert_eq!(word_index("abé"), None);
        assert_eq!(word_index("ABBEYS"), Some(0));
    }
}

#[cfg(test)]
mod recovery_phrase_tests {
    use super::*;

    const PHRASE: &str =
        "amaze buffet cake entrance symptoms tiger lamb maze nestle python dusted faxed faxed";

    #[test]
    fn non_breaking_space_separates_words() {
        let pasted = PHRASE.replacen(' ', "\u{a0}", 1);
        let right = decode_recovery_phrase(PHRASE).unwrap();
        assert_eq!(decode_recovery_phrase(&pasted).unwrap(), right);
        // The reference decoder joins two words, reads 12 words without a checksum and gives
        // another seed without complaint.
        assert_ne!(decode(&pasted).unwrap(), right);
    }

    #[test]
    fn checksum_word_is_required() {
        let twelve: Vec<&str> = PHRASE.split(' ').take(12).collect();
        let twelve = twelve.join(" ");
        assert!(decode(&twelve).is_ok());
        assert_eq!(
            decode_recovery_phrase(&twelve).err(),
            Some(MnemonicError::MissingChecksum(12))
        );
        assert_eq!(
            decode_recovery_phrase("").err(),
            Some(MnemonicError::MissingChecksum(0))
        );
        assert_eq!(
            decode_recovery_phrase("abbey").err(),
            Some(MnemonicError::WordCount(1))
        );
    }
}
