//! Hostile and malformed inputs: every one gives its exact typed error, never a panic.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use session_identity::blinding::{self, BlindingError};
use session_identity::hash::{self, Blake2b, HashError};
use session_identity::mnemonic::{self, MnemonicError};
use session_identity::{
    xed25519, Ed25519PublicKey, Identity, KeyError, PointError, Prefix, Seed, SessionId,
    SessionIdError, Signature, SignatureError, X25519PublicKey, X25519SecretKey,
};

/// A valid user Session ID (seed `0123…ef` ‖ 00×16 in the reference tests).
const ID: &str = "05d2ad010eeb72d72e561d9de7bd7b6989af77dcabffa03a5111a6c859ae5c3a72";
/// The reference phrase of seed `000102…0f`.
const PHRASE: &str =
    "amaze buffet cake entrance symptoms tiger lamb maze nestle python dusted faxed faxed";
const PHRASE_SEED: &str = "000102030405060708090a0b0c0d0e0f";
const N: u64 = mnemonic::WORD_LIST_LEN as u64;

fn h32(text: &str) -> [u8; 32] {
    hex::decode(text).unwrap().try_into().unwrap()
}

fn wrong_length(found: usize, unit: &'static str) -> SessionIdError {
    let expected = if unit == "bytes" { 33 } else { 66 };
    SessionIdError::WrongLength {
        expected,
        found,
        unit,
    }
}

// ---------------------------------------------------------------------------------------------
// Session IDs
// ---------------------------------------------------------------------------------------------

#[test]
fn session_id_every_wrong_length() {
    let long = ID.repeat(2);
    for n in 0..=70 {
        let text = &long[..n];
        let result = SessionId::parse(text);
        if n == SessionId::HEX_LEN {
            assert_eq!(result.unwrap().to_string(), ID);
        } else {
            assert_eq!(result, Err(wrong_length(n, "characters")), "{n} characters");
            assert_eq!(
                text.parse::<SessionId>(),
                Err(wrong_length(n, "characters"))
            );
        }
    }
    let bytes: Vec<u8> = hex::decode(ID).unwrap().repeat(2);
    for n in 0..=40 {
        let result = SessionId::from_bytes(&bytes[..n]);
        if n == SessionId::LEN {
            assert_eq!(result.unwrap().to_string(), ID);
        } else {
            assert_eq!(result, Err(wrong_length(n, "bytes")), "{n} bytes");
            assert_eq!(
                SessionId::try_from(&bytes[..n]),
                Err(wrong_length(n, "bytes"))
            );
        }
    }
}

#[test]
fn session_id_every_non_hex_ascii_character_at_every_position() {
    let mut cases = 0;
    for c in (0u8..=127)
        .map(char::from)
        .filter(|c| !c.is_ascii_hexdigit())
    {
        // Prefix digits (0, 1), key digits (2..=65): every position.
        for position in 0..SessionId::HEX_LEN {
            let mut text = String::from(ID);
            text.replace_range(position..=position, c.encode_utf8(&mut [0; 4]));
            assert_eq!(
                SessionId::parse(&text),
                Err(SessionIdError::NonHex {
                    position,
                    character: c
                }),
                "{c:?} at {position}"
            );
            cases += 1;
        }
    }
    // 128 ASCII characters minus 22 hex digits, at 66 positions.
    assert_eq!(cases, 106 * 66);

    // With two bad characters, the first is reported.
    let mut text = String::from(ID);
    text.replace_range(40..41, "z");
    text.replace_range(7..8, "G");
    assert_eq!(
        SessionId::parse(&text),
        Err(SessionIdError::NonHex {
            position: 7,
            character: 'G'
        })
    );
}

#[test]
fn session_id_unknown_prefixes() {
    let key = &ID[2..];
    let mut unknown = 0;
    for byte in 0..=255u8 {
        if Prefix::from_byte(byte).is_some() {
            continue;
        }
        unknown += 1;
        for text in [format!("{byte:02x}{key}"), format!("{byte:02X}{key}")] {
            assert_eq!(
                SessionId::parse(&text),
                Err(SessionIdError::UnknownPrefix(byte)),
                "{text}"
            );
        }
        let mut bytes = hex::decode(ID).unwrap();
        bytes[0] = byte;
        assert_eq!(
            SessionId::from_bytes(&bytes),
            Err(SessionIdError::UnknownPrefix(byte))
        );
    }
    assert_eq!(unknown, 256 - 6);
}

#[test]
fn session_id_unexpected_prefix() {
    let prefixes: Vec<Prefix> = (0..=255u8).filter_map(Prefix::from_byte).collect();
    for &have in &prefixes {
        let text = SessionId::new(have, [0x11; 32]).to_string();
        for &want in &prefixes {
            let result = SessionId::parse_with_prefix(&text, want);
            if have == want {
                assert_eq!(result.unwrap().prefix(), have);
            } else {
                assert_eq!(
                    result,
                    Err(SessionIdError::UnexpectedPrefix {
                        expected: want,
                        found: have
                    })
                );
            }
        }
    }
}

#[test]
fn session_id_non_ascii_and_lookalike_text() {
    // Replaces the characters `range` of ID with `with`.
    let replaced = |range: std::ops::Range<usize>, with: &str| {
        let mut text = String::from(ID);
        text.replace_range(range, with);
        text
    };
    let non_hex = |position, character| {
        Err(SessionIdError::NonHex {
            position,
            character,
        })
    };

    // Multi-byte characters filling exactly 66 bytes: reported at their byte offset.
    assert_eq!(SessionId::parse(&replaced(10..12, "é")), non_hex(10, 'é'));
    assert_eq!(
        SessionId::parse(&replaced(0..3, "\u{feff}")),
        non_hex(0, '\u{feff}')
    );
    assert_eq!(SessionId::parse(&replaced(62..66, "🦀")), non_hex(62, '🦀'));
    // Full-width and Arabic-Indic digits look like hex but are not ASCII.
    assert_eq!(SessionId::parse(&replaced(20..23, "０")), non_hex(20, '０'));
    assert_eq!(SessionId::parse(&replaced(30..32, "٥")), non_hex(30, '٥'));
    // A combining mark after a valid digit.
    assert_eq!(
        SessionId::parse(&replaced(5..7, "\u{301}")),
        non_hex(5, '\u{301}')
    );
    // A multi-byte character in place of one digit makes the text too long in bytes.
    assert_eq!(
        SessionId::parse(&replaced(10..11, "é")),
        Err(wrong_length(67, "characters"))
    );
    // 66 non-ASCII characters.
    assert_eq!(
        SessionId::parse(&"é".repeat(66)),
        Err(wrong_length(132, "characters"))
    );
    assert_eq!(SessionId::parse(&"é".repeat(33)), non_hex(0, 'é'));
    // `0x` notation, NUL, surrounding whitespace.
    assert_eq!(SessionId::parse(&replaced(0..2, "0x")), non_hex(1, 'x'));
    assert_eq!(
        SessionId::parse(&format!("0x{ID}")),
        Err(wrong_length(68, "characters"))
    );
    assert_eq!(SessionId::parse(&replaced(65..66, "\0")), non_hex(65, '\0'));
    assert_eq!(
        SessionId::parse(&format!(" {ID}")),
        Err(wrong_length(67, "characters"))
    );
    assert_eq!(
        SessionId::parse(&format!("{ID}\n")),
        Err(wrong_length(67, "characters"))
    );
}

// ---------------------------------------------------------------------------------------------
// Recovery phrases
// ---------------------------------------------------------------------------------------------

fn words() -> Vec<&'static str> {
    PHRASE.split(' ').collect()
}

fn seed() -> Vec<u8> {
    hex::decode(PHRASE_SEED).unwrap()
}

#[test]
fn mnemonic_empty_and_blank() {
    for text in ["", " ", "\t", "\r\n", "   \n\t  "] {
        assert_eq!(
            mnemonic::decode(text).err(),
            Some(MnemonicError::WordCount(0)),
            "{text:?}"
        );
        assert_eq!(
            Seed::from_recovery_phrase(text).err(),
            Some(MnemonicError::MissingChecksum(0))
        );
    }
}

#[test]
fn mnemonic_word_counts_1_to_14() {
    for n in 1..=14usize {
        let phrase = vec!["abbey"; n].join(" ");
        let result = mnemonic::decode(&phrase);
        let data_words = n - usize::from(n % 3 == 1);
        if data_words > 0 && data_words.is_multiple_of(3) {
            // 3, 4, 6, 7, 9, 10, 12, 13: all-`abbey` phrases are zeros with a valid checksum.
            assert_eq!(
                result.unwrap().to_vec(),
                vec![0u8; data_words / 3 * 4],
                "{n}"
            );
        } else {
            // 1, 2, 5, 8, 11, 14.
            assert_eq!(result.err(), Some(MnemonicError::WordCount(n)), "{n} words");
        }
    }
    // A recovery phrase needs its checksum word: 3k words are refused before decoding.
    for n in [3, 9, 12, 24, 27] {
        let phrase = vec!["abbey"; n].join(" ");
        assert_eq!(
            Seed::from_recovery_phrase(&phrase).err(),
            Some(MnemonicError::MissingChecksum(n)),
            "{n} words"
        );
    }
    // 3k+1 words that are not 13 or 25 are phrases but not seeds.
    for (n, bytes) in [(4, 4), (10, 12), (28, 36)] {
        let phrase = vec!["abbey"; n].join(" ");
        assert_eq!(
            Seed::from_recovery_phrase(&phrase).err(),
            Some(MnemonicError::SeedLength(bytes)),
            "{n} words"
        );
    }
    // The word count is checked before the words themselves.
    assert_eq!(
        mnemonic::decode("zzz qqq").err(),
        Some(MnemonicError::WordCount(2))
    );
}

#[test]
fn mnemonic_unknown_words() {
    let words = words();
    for position in 0..words.len() {
        for junk in [
            "zzz",
            "zzzzz",
            "ab",
            "a",
            "12345",
            "amäze",
            "ämaze",
            "ａｍａｚｅ",
        ] {
            let mut phrase = words.clone();
            phrase[position] = junk;
            assert_eq!(
                mnemonic::decode(&phrase.join(" ")).err(),
                Some(MnemonicError::UnknownWord { position }),
                "{junk:?} at {position}"
            );
        }
    }
    // Several unknown words: the first is reported.
    let mut phrase = words.clone();
    phrase[9] = "xxx";
    phrase[4] = "qqq";
    assert_eq!(
        mnemonic::decode(&phrase.join(" ")).err(),
        Some(MnemonicError::UnknownWord { position: 4 })
    );
    // Non-ASCII after the three significant letters is decoration.
    let mut phrase = words.clone();
    phrase[0] = "amazé";
    assert_eq!(
        mnemonic::decode(&phrase.join(" ")).unwrap().to_vec(),
        seed()
    );
}

/// Every single-letter change among the first three letters of every word. When the new prefix
/// is in no list word the word is unknown; otherwise the phrase is another phrase, caught by the
/// checksum word unless that word happens to match: the checksum is a single repeated word, so a
/// small share of such changes (19 of 287 for this phrase) decode to another seed. Never to the
/// original one.
#[test]
fn mnemonic_misspelled_within_first_three_letters() {
    let words = words();
    let original = seed();
    let (mut unknown, mut overflow_count, mut checksum, mut undetected) = (0, 0, 0, 0);
    for position in 0..words.len() {
        for letter in 0..3 {
            for c in b'a'..=b'z' {
                if words[position].as_bytes()[letter] == c {
                    continue;
                }
                let mut misspelled = words[position].as_bytes().to_vec();
                misspelled[letter] = c;
                let misspelled = String::from_utf8(misspelled).unwrap();
                let mut phrase = words.clone();
                phrase[position] = &misspelled;
                let text = phrase.join(" ");
                let result = mnemonic::decode(&text);

                let prefix_known = mnemonic::english_words()
                    .iter()
                    .any(|w| w[..3] == misspelled[..3]);
                if !prefix_known {
                    assert_eq!(
                        result.err(),
                        Some(MnemonicError::UnknownWord { position }),
                        "{text}"
                    );
                    unknown += 1;
                    continue;
                }
                // A list word: the twelve data words decode to other bytes (or overflow, which
                // is then reported first), and the checksum word decides.
                let data = match mnemonic::decode(&phrase[..12].join(" ")) {
                    Ok(data) => data,
                    Err(overflow @ MnemonicError::Overflow { .. }) => {
                        assert_eq!(result.err(), Some(overflow), "{text}");
                        overflow_count += 1;
                        continue;
                    }
                    Err(other) => panic!("{text}: {other:?}"),
                };
                let reencoded = mnemonic::encode(&data, true).unwrap();
                let expected_checksum = reencoded.words().last().unwrap();
                if expected_checksum[..3] == phrase[12][..3] {
                    // The checksum cannot tell: another valid phrase, another seed.
                    let decoded = result.unwrap();
                    assert_ne!(decoded.to_vec(), original, "{text}");
                    assert_eq!(decoded.to_vec(), data.to_vec());
                    assert_ne!(position, 12, "a changed checksum word is always caught");
                    undetected += 1;
                } else {
                    assert_eq!(result.err(), Some(MnemonicError::Checksum), "{text}");
                    checksum += 1;
                }
            }
        }
    }
    assert_eq!(
        unknown + overflow_count + checksum + undetected,
        13 * 3 * 25
    );
    // Pinned for this phrase (the word list and the CRC are fixed by the reference).
    assert_eq!(
        (unknown, overflow_count, checksum, undetected),
        (688, 0, 268, 19)
    );
}

#[test]
fn mnemonic_misspelled_after_first_three_letters() {
    let words = words();
    let original = seed();
    for position in 0..words.len() {
        let word = words[position];
        let mut variants = vec![
            word[..3].to_owned(),
            format!("{word}s"),
            format!("{}xyz", &word[..3]),
            word.to_uppercase(),
            format!("{}{}", &word[..3], word[3..].to_uppercase()),
        ];
        for letter in 3..word.len() {
            let mut changed = word.as_bytes().to_vec();
            changed[letter] = if changed[letter] == b'q' { b'z' } else { b'q' };
            variants.push(String::from_utf8(changed).unwrap());
            let mut dropped = word.to_owned();
            dropped.remove(letter);
            variants.push(dropped);
        }
        for variant in &variants {
            let mut phrase = words.clone();
            phrase[position] = variant;
            let text = phrase.join(" ");
            assert_eq!(
                mnemonic::decode(&text).unwrap().to_vec(),
                original,
                "{text}"
            );
        }
    }
}

#[test]
fn mnemonic_truncated_phrases() {
    let words = words();
    let original = seed();
    for n in 0..words.len() {
        let text = words[..n].join(" ");
        let result = mnemonic::decode(&text);
        match n % 3 {
            // A whole number of triples and no checksum: the matching prefix of the seed.
            0 if n > 0 => assert_eq!(result.unwrap().to_vec(), original[..n / 3 * 4], "{n}"),
            // The last word is taken for a checksum word, and it is not the right one.
            1 if n > 1 => assert_eq!(result.err(), Some(MnemonicError::Checksum), "{n}"),
            _ => assert_eq!(result.err(), Some(MnemonicError::WordCount(n)), "{n}"),
        }
    }
    // A phrase cut inside its last word.
    for cut in 1..PHRASE.len() {
        let text = &PHRASE[..cut];
        if text.ends_with(' ') {
            continue;
        }
        let last = text.rsplit(' ').next().unwrap();
        let count = text.split(' ').count();
        let result = mnemonic::decode(text);
        if count == 13 && last.len() < 3 {
            assert_eq!(
                result.err(),
                Some(MnemonicError::UnknownWord { position: 12 }),
                "{text:?}"
            );
        } else if count == 13 {
            assert_eq!(result.unwrap().to_vec(), original, "{text:?}");
        }
    }
}

#[test]
fn mnemonic_extra_whitespace() {
    let words = words();
    let original = seed();
    for separator in [" ", "  ", "\t", "\n", "\r\n", "\r", " \t \r\n ", "\n\n\n"] {
        let text = words.join(separator);
        for framed in [
            text.clone(),
            format!("{separator}{text}{separator}"),
            format!("  {text}\n"),
            format!("\t{text}\r\n"),
        ] {
            assert_eq!(
                mnemonic::decode(&framed).unwrap().to_vec(),
                original,
                "{framed:?}"
            );
            assert_eq!(
                Seed::from_recovery_phrase(&framed)
                    .unwrap()
                    .expose_entropy(),
                &original[..]
            );
        }
    }
    // Every gap different.
    let seps = [" ", "\t", "\n", "\r\n", "   ", " \t", "\r"];
    let mut text = String::new();
    for (i, w) in words.iter().enumerate() {
        text.push_str(seps[i % seps.len()]);
        text.push_str(w);
    }
    assert_eq!(mnemonic::decode(&text).unwrap().to_vec(), original);
}

/// The indices of the three words that would encode `v` (which may exceed `u32::MAX`), by the
/// rule the encoder uses.
fn triple(v: u64) -> [usize; 3] {
    let a = v % N;
    let b = (v / N + a) % N;
    let c = (v / N / N + b) % N;
    [a, b, c].map(|i| usize::try_from(i).unwrap())
}

fn words_of(indices: &[usize]) -> String {
    let list = mnemonic::english_words();
    indices
        .iter()
        .map(|&i| list[i])
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn mnemonic_overflow_triples() {
    // The reference's example, in every triple of a 12- and a 13-word phrase.
    for t in 0..4 {
        let mut phrase = ["abbey"; 12];
        phrase[3 * t + 2] = "zoom";
        let text = phrase.join(" ");
        assert_eq!(
            mnemonic::decode(&text).err(),
            Some(MnemonicError::Overflow { first: 3 * t }),
            "{text}"
        );
        // Overflow is found before the checksum is looked at.
        for last in ["abbey", "zoom"] {
            let text = format!("{text} {last}");
            assert_eq!(
                mnemonic::decode(&text).err(),
                Some(MnemonicError::Overflow { first: 3 * t })
            );
        }
    }
    // Two overflowing triples: the first is reported.
    assert_eq!(
        mnemonic::decode("abbey abbey abbey abbey abbey zoom abbey abbey zoom").err(),
        Some(MnemonicError::Overflow { first: 3 })
    );
    // The boundary: 2^32 - 1 is the last value that fits, N^3 - 1 the last a triple can name.
    let max = u64::from(u32::MAX);
    assert_eq!(
        mnemonic::decode(&words_of(&triple(max))).unwrap().to_vec(),
        vec![0xff; 4]
    );
    assert_eq!(
        mnemonic::encode(&[0xff; 4], false).unwrap().expose_secret(),
        words_of(&triple(max))
    );
    for v in [max + 1, max + 2, max + 1_000_000, N * N * N - 1] {
        assert_eq!(
            mnemonic::decode(&words_of(&triple(v))).err(),
            Some(MnemonicError::Overflow { first: 0 }),
            "{v}"
        );
    }
    // Three `zoom`s are not an overflow: they encode 1625.
    assert_eq!(
        mnemonic::decode("zoom zoom zoom").unwrap().to_vec(),
        1625u32.to_le_bytes().to_vec()
    );
}

#[test]
fn mnemonic_encode_rejects_lengths() {
    for n in (0..=41).filter(|n| n % 4 != 0 || *n == 0) {
        assert_eq!(
            mnemonic::encode(&vec![7u8; n], true).err(),
            Some(MnemonicError::DataLength(n)),
            "{n}"
        );
        assert_eq!(
            mnemonic::encode(&vec![7u8; n], false).err(),
            Some(MnemonicError::DataLength(n))
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Points, blinding and signatures
// ---------------------------------------------------------------------------------------------

/// X25519 keys (Montgomery u, little-endian) that no Session ID may carry, with the error.
fn bad_x25519_keys() -> Vec<(&'static str, [u8; 32], PointError)> {
    vec![
        // u = 2: x^3 + A x^2 + x is not a square, so u is on the twist.
        (
            "twist u = 2",
            h32("0200000000000000000000000000000000000000000000000000000000000000"),
            PointError::NotOnCurve,
        ),
        (
            "twist u = 12",
            h32("0c00000000000000000000000000000000000000000000000000000000000000"),
            PointError::NotOnCurve,
        ),
        // u = -1 has no Edwards image (y = (u - 1) / (u + 1) divides by zero).
        (
            "u = p - 1",
            h32("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
            PointError::NotOnCurve,
        ),
        // The points of small order: u = 0 (order 2), 1 (order 4), the two of order 8, and
        // the non-canonical encodings p and p + 1 of 0 and 1.
        ("u = 0", [0; 32], PointError::SmallOrder),
        (
            "u = 1",
            h32("0100000000000000000000000000000000000000000000000000000000000000"),
            PointError::SmallOrder,
        ),
        (
            "order 8 (a)",
            h32("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
            PointError::SmallOrder,
        ),
        (
            "order 8 (b)",
            h32("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"),
            PointError::SmallOrder,
        ),
        (
            "u = p",
            h32("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
            PointError::SmallOrder,
        ),
        (
            "u = p + 1",
            h32("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
            PointError::SmallOrder,
        ),
        // u = 1/9: the base point plus the 2-torsion point (0, 0), of order 2L.
        (
            "u = 1/9 (mixed order)",
            h32("12c7711cc7711cc7711cc7711cc7711cc7711cc7711cc7711cc7711cc7711c47"),
            PointError::NotInPrimeOrderSubgroup,
        ),
        // u = 4 lies on the curve but outside the prime-order subgroup.
        (
            "u = 4 (mixed order)",
            h32("0400000000000000000000000000000000000000000000000000000000000000"),
            PointError::NotInPrimeOrderSubgroup,
        ),
    ]
}

#[test]
fn blinding_from_unusable_session_ids() {
    let server = Ed25519PublicKey::from_bytes([0xab; 32]);
    let someone = Identity::from_seed(Seed::from_legacy_bytes([9; 16]));
    let blinded15 = someone.blind15_key_pair(&server).blinded_id();
    let blinded25 = someone.blind25_key_pair(&server).blinded_id();
    for (name, key, error) in bad_x25519_keys() {
        let session_id = SessionId::new(Prefix::User, key);
        let invalid = Some(BlindingError::InvalidKey(error));
        assert_eq!(
            blinding::blind15_ids_from_session_id(&session_id, &server).err(),
            invalid,
            "{name}"
        );
        assert_eq!(
            blinding::blind25_id_from_session_id(&session_id, &server).err(),
            invalid,
            "{name}"
        );
        for blinded in [&blinded15, &blinded25] {
            assert_eq!(
                blinding::session_id_matches_blinded_id(&session_id, blinded, &server).err(),
                invalid,
                "{name}"
            );
        }
        let x = X25519PublicKey::from_bytes(key);
        assert_eq!(xed25519::ed25519_from_x25519(&x), Err(error), "{name}");
        assert_eq!(xed25519::ed25519_candidates(&x), Err(error), "{name}");
        assert_eq!(
            xed25519::verify(&x, b"m", &Signature::from_bytes([1; 64])),
            Err(SignatureError::PublicKey(error)),
            "{name}"
        );
    }
}

#[test]
fn blinding_rejects_wrong_prefixes() {
    let server = Ed25519PublicKey::from_bytes([0xab; 32]);
    let user = Identity::from_seed(Seed::from_legacy_bytes([9; 16]));
    let key = *user.session_id().key_bytes();
    let blinded15 = user.blind15_key_pair(&server).blinded_id();
    let signature = user.blind15_key_pair(&server).sign(b"m");
    for prefix in (0..=255u8).filter_map(Prefix::from_byte) {
        let id = SessionId::new(prefix, key);
        if prefix != Prefix::User {
            let not_user = Some(BlindingError::NotAUserId(prefix));
            assert_eq!(
                blinding::blind15_ids_from_session_id(&id, &server).err(),
                not_user
            );
            assert_eq!(
                blinding::blind25_id_from_session_id(&id, &server).err(),
                not_user
            );
            assert_eq!(
                blinding::session_id_matches_blinded_id(&id, &blinded15, &server).err(),
                not_user
            );
        }
        if prefix != Prefix::Blinded15 && prefix != Prefix::Blinded25 {
            let not_blinded = Some(BlindingError::NotABlindedId(prefix));
            assert_eq!(
                blinding::session_id_matches_blinded_id(&user.session_id(), &id, &server).err(),
                not_blinded
            );
            let as_key = SessionId::new(prefix, *blinded15.key_bytes());
            assert_eq!(
                blinding::verify_blinded_signature(&as_key, b"m", &signature).err(),
                not_blinded
            );
        }
    }
}

/// Ed25519 encodings that are not usable public points.
fn bad_ed25519_keys() -> Vec<(&'static str, [u8; 32])> {
    vec![
        (
            "identity",
            h32("0100000000000000000000000000000000000000000000000000000000000000"),
        ),
        ("y = 0 (order 4)", [0; 32]),
        (
            "y = -1 (order 2)",
            h32("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        ),
        (
            "order 8",
            h32("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
        ),
        (
            "order 8, negative",
            h32("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85"),
        ),
        (
            "y = p (non-canonical 0)",
            h32("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        ),
        (
            "y = 2 (not on the curve)",
            h32("0200000000000000000000000000000000000000000000000000000000000000"),
        ),
        (
            "y = p + 2 (non-canonical, not on the curve)",
            h32("efffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        ),
        (
            "y = p + 3 (non-canonical 3)",
            h32("f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        ),
        // y = -4/5, the image of u = 1/9: base point plus 2-torsion.
        (
            "mixed order",
            h32("9599999999999999999999999999999999999999999999999999999999999919"),
        ),
    ]
}

#[test]
fn unusable_ed25519_keys() {
    use PointError::{NonCanonical, NotInPrimeOrderSubgroup, NotOnCurve, SmallOrder};
    let server = Ed25519PublicKey::from_bytes([0xab; 32]);
    let keys = bad_ed25519_keys();
    // (to_x25519, blind15_id_from_ed25519, blind25_id_from_ed25519, verify), per key above.
    let expected = [
        (SmallOrder, SmallOrder, SmallOrder, SmallOrder),
        (SmallOrder, SmallOrder, SmallOrder, SmallOrder),
        (SmallOrder, SmallOrder, SmallOrder, SmallOrder),
        (SmallOrder, SmallOrder, SmallOrder, SmallOrder),
        (SmallOrder, SmallOrder, SmallOrder, SmallOrder),
        (SmallOrder, NonCanonical, SmallOrder, NonCanonical),
        (NotOnCurve, NotOnCurve, NotOnCurve, NotOnCurve),
        (NotOnCurve, NonCanonical, NotOnCurve, NonCanonical),
        (
            NotInPrimeOrderSubgroup,
            NonCanonical,
            NotInPrimeOrderSubgroup,
            NonCanonical,
        ),
        (
            NotInPrimeOrderSubgroup,
            NotInPrimeOrderSubgroup,
            NotInPrimeOrderSubgroup,
            NotInPrimeOrderSubgroup,
        ),
    ];
    assert_eq!(keys.len(), expected.len());
    let signer = Identity::from_seed(Seed::from_legacy_bytes([3; 16]));
    let signature = signer.sign(b"m");
    for ((name, key), (to_x, b15, b25, verify)) in keys.into_iter().zip(expected) {
        let pk = Ed25519PublicKey::from_bytes(key);
        assert_eq!(pk.to_x25519(), Err(to_x), "{name}: to_x25519");
        assert_eq!(
            blinding::blind15_id_from_ed25519(&pk, &server),
            Err(BlindingError::InvalidKey(b15)),
            "{name}: blind15"
        );
        assert_eq!(
            blinding::blind25_id_from_ed25519(&pk, &server),
            Err(BlindingError::InvalidKey(b25)),
            "{name}: blind25"
        );
        assert_eq!(xed25519::validate_ed25519_point(&pk), Err(b15), "{name}");
        // Key checks in verify (for keys it decodes, the mixed-order one, a plain mismatch).
        let verify_result = pk.verify(b"m", &signature);
        if verify == NotInPrimeOrderSubgroup {
            assert_eq!(
                verify_result,
                Err(SignatureError::Mismatch),
                "{name}: verify"
            );
        } else {
            assert_eq!(
                verify_result,
                Err(SignatureError::PublicKey(verify)),
                "{name}: verify"
            );
        }
        // As the key of a blinded ID.
        let blinded = SessionId::new(Prefix::Blinded15, key);
        assert!(matches!(
            blinding::verify_blinded_signature(&blinded, b"m", &signature),
            Err(BlindingError::Signature(_))
        ));
    }
}

#[test]
fn malformed_signatures() {
    let id = Identity::from_seed(Seed::from_legacy_bytes([5; 16]));
    let pk = id.ed25519_public_key();
    let good = id.sign(b"m").to_bytes();

    // S = L and S = 2^256 - 1 are not reduced.
    let l = h32("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
    for s in [l, [0xff; 32]] {
        let mut sig = good;
        sig[32..].copy_from_slice(&s);
        assert_eq!(
            pk.verify(b"m", &Signature::from_bytes(sig)),
            Err(SignatureError::NonCanonicalScalar)
        );
    }
    // R of small order, whatever S.
    for (name, r) in bad_ed25519_keys().into_iter().take(6) {
        let mut sig = good;
        sig[..32].copy_from_slice(&r);
        assert_eq!(
            pk.verify(b"m", &Signature::from_bytes(sig)),
            Err(SignatureError::SmallOrderNonce),
            "{name}"
        );
    }
    // All zeros: R = 0 is of small order (S = 0 is canonical).
    assert_eq!(
        pk.verify(b"m", &Signature::from_bytes([0; 64])),
        Err(SignatureError::SmallOrderNonce)
    );
    assert_eq!(Signature::from_slice(&good[..63]), None);
    assert_eq!(Signature::from_slice(&[0; 65]), None);
}

#[test]
fn secret_lengths_and_inconsistent_keys() {
    for n in (0..=100).filter(|n| ![16, 32, 64].contains(n)) {
        assert_eq!(
            Identity::from_secret_bytes(&vec![1u8; n]).err(),
            Some(KeyError::SecretLength { found: n }),
            "{n}"
        );
        if n != 64 {
            assert_eq!(
                Seed::from_slice(&vec![1u8; n]).err(),
                Some(KeyError::SecretLength { found: n })
            );
        }
    }
    assert_eq!(
        Seed::from_slice(&[1u8; 64]).err(),
        Some(KeyError::SecretLength { found: 64 })
    );
    let id = Identity::from_seed(Seed::from_full_bytes([8; 32]));
    let sk = *id.expose_ed25519_secret_key();
    for byte in [32, 40, 63] {
        let mut bad = sk;
        bad[byte] ^= 1;
        assert_eq!(
            Identity::from_secret_bytes(&bad).err(),
            Some(KeyError::InconsistentSecretKey),
            "public half byte {byte}"
        );
        assert_eq!(
            Identity::from_ed25519_secret_key(&bad).err(),
            Some(KeyError::InconsistentSecretKey)
        );
    }
    // A zero-padded 16-byte seed given as 64 bytes is consistent.
    let legacy = Identity::from_seed(Seed::from_legacy_bytes([8; 16]));
    let sk = legacy.expose_ed25519_secret_key();
    assert_eq!(
        Identity::from_secret_bytes(&sk[..]).unwrap().session_id(),
        legacy.session_id()
    );
}

#[test]
fn x25519_with_small_order_peers() {
    let sk = X25519SecretKey::from_bytes([0x77; 32]);
    for (name, key, error) in bad_x25519_keys() {
        let result = sk.diffie_hellman(&X25519PublicKey::from_bytes(key));
        // u = -1 is a point of order 4 on the twist: the clamped scalar sends it to zero too.
        if error == PointError::SmallOrder || name == "u = p - 1" {
            assert_eq!(result.err(), Some(KeyError::WeakSharedSecret), "{name}");
        } else {
            // Twist and mixed-order peers give a non-zero secret; X25519 does not refuse them.
            assert!(result.is_ok(), "{name}");
        }
    }
}

#[test]
fn hash_parameters() {
    for n in (0..16).chain(65..=128) {
        assert_eq!(
            Blake2b::new(n, None).err(),
            Some(HashError::OutputLength(n)),
            "{n}"
        );
        assert_eq!(
            Blake2b::new(n, Some(b"key")).err(),
            Some(HashError::OutputLength(n))
        );
    }
    for k in 65..=130 {
        assert_eq!(
            Blake2b::new(32, Some(&vec![1u8; k])).err(),
            Some(HashError::KeyLength(k)),
            "{k}"
        );
    }
    assert_eq!(
        hash::blake2b::<8>(b"x", None),
        Err(HashError::OutputLength(8))
    );
    assert_eq!(
        hash::blake2b::<65>(b"x", None),
        Err(HashError::OutputLength(65))
    );
    for found in [0, 15, 31, 33, 64] {
        let h = Blake2b::new(32, None).unwrap();
        assert_eq!(
            h.finalize_into(&mut vec![0u8; found]),
            Err(HashError::BufferLength {
                expected: 32,
                found
            })
        );
    }
    assert_eq!(
        Blake2b::new(32, None).unwrap().finalize::<64>(),
        Err(HashError::BufferLength {
            expected: 32,
            found: 64
        })
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Any 32 bytes as a user's key: blinding succeeds or names the point problem.
    #[test]
    fn blinding_any_key_never_panics(key in any::<[u8; 32]>(), server in any::<[u8; 32]>()) {
        let session_id = SessionId::new(Prefix::User, key);
        let server = Ed25519PublicKey::from_bytes(server);
        let b15 = blinding::blind15_ids_from_session_id(&session_id, &server);
        let b25 = blinding::blind25_id_from_session_id(&session_id, &server);
        match (&b15, &b25) {
            (Ok(ids), Ok(id25)) => {
                prop_assert_eq!(
                    blinding::session_id_matches_blinded_id(&session_id, &ids[1], &server),
                    Ok(true)
                );
                prop_assert_eq!(
                    blinding::session_id_matches_blinded_id(&session_id, id25, &server),
                    Ok(true)
                );
            }
            (Err(BlindingError::InvalidKey(a)), Err(BlindingError::InvalidKey(b))) => {
                prop_assert_eq!(a, b);
            }
            other => prop_assert!(false, "inconsistent results {:?}", other),
        }
        let ed = Ed25519PublicKey::from_bytes(key);
        let from_ed = blinding::blind15_id_from_ed25519(&ed, &server);
        prop_assert!(matches!(from_ed, Ok(_) | Err(BlindingError::InvalidKey(_))));
        let from_ed = blinding::blind25_id_from_ed25519(&ed, &server);
        prop_assert!(matches!(from_ed, Ok(_) | Err(BlindingError::InvalidKey(_))));
    }

    /// Arbitrary text never panics the parsers.
    #[test]
    fn arbitrary_text_never_panics(text in ".{0,80}", bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
        let _ = SessionId::parse(&text);
        let _ = SessionId::from_bytes(&bytes);
        let _ = mnemonic::decode(&text);
        let _ = Seed::from_recovery_phrase(&text);
    }

    /// Phrases of list words and junk in any number never panic and never misreport a count.
    #[test]
    fn arbitrary_phrases(indices in proptest::collection::vec(0usize..mnemonic::WORD_LIST_LEN + 3, 0..30)) {
        let list = mnemonic::english_words();
        let words: Vec<&str> = indices
            .iter()
            .map(|&i| list.get(i).copied().unwrap_or("qqq"))
            .collect();
        let result = mnemonic::decode(&words.join(" "));
        let n = words.len();
        let data_words = n - usize::from(n % 3 == 1);
        if data_words == 0 || !data_words.is_multiple_of(3) {
            prop_assert_eq!(result.err(), Some(MnemonicError::WordCount(n)));
        } else if let Some(position) = words.iter().position(|w| *w == "qqq") {
            prop_assert_eq!(result.err(), Some(MnemonicError::UnknownWord { position }));
        } else {
            let expected = matches!(
                result,
                Ok(_) | Err(MnemonicError::Overflow { .. } | MnemonicError::Checksum)
            );
            prop_assert!(expected, "unexpected {:?}", result.err());
        }
    }
}
