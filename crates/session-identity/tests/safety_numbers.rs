//! Safety numbers: fixed vectors (computed independently from the documented construction),
//! symmetry, and the scanned-payload comparison.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use session_identity::{Prefix, SafetyNumber, SafetyNumberError, SessionId, SCANNABLE_LEN};

fn id(hex: &str) -> SessionId {
    SessionId::parse(hex).unwrap()
}

const A: &str = "05d2ad010eeb72d72e561d9de7bd7b6989af77dcabffa03a5111a6c859ae5c3a72";
const B: &str = "0585cd8fd2b7a5ab4b1a0bac45fbbc4f6f7ab0b4b0b1b2b3b4b5b6b7b8b9babbbc";
const ZERO: &str = "050000000000000000000000000000000000000000000000000000000000000000";
const ONES: &str = "05ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

#[test]
fn vectors() {
    let cases = [
        (
            A,
            B,
            "503888605113891435993150247175111337403884068270781123350351",
            "002fa29e5cf46bf8e3e70301baa6154392a5012faf223b924beede3e3a4a277d3c3a2f53999d7dd23c38b623c8f57204fd4718b3a612257f4d81c83e0dca4f3000",
        ),
        (
            ZERO,
            ONES,
            "619385858046250726154460526761933239473224598302567325992371",
            "0067e134bf52c054b4d7542470f54a8a3eb4833f273004eb11ddc296c6320975077f5a832f2bbb3a7f224c8b6761eb3689d0192c70f644104aeba4f83ea8136b2d",
        ),
        (
            A,
            ONES,
            "111337403884068270781123350351933239473224598302567325992371",
            "003a2f53999d7dd23c38b623c8f57204fd4718b3a612257f4d81c83e0dca4f30007f5a832f2bbb3a7f224c8b6761eb3689d0192c70f644104aeba4f83ea8136b2d",
        ),
    ];
    for (a, b, digits, payload) in cases {
        let number = SafetyNumber::new(&id(a), &id(b)).unwrap();
        assert_eq!(number.digits(), digits);
        assert_eq!(hex::encode(number.scannable()), payload);
        // Each ID's half is the same in every conversation it is part of.
        assert!(digits.contains(&number.half_of(&id(a)).unwrap()));
    }
    let number = SafetyNumber::new(&id(A), &id(B)).unwrap();
    assert_eq!(
        number.half_of(&id(B)).unwrap(),
        "503888605113891435993150247175"
    );
    assert_eq!(number.half_of(&id(ZERO)), None);
    assert_eq!(
        number.to_string(),
        "50388 86051 13891 43599 31502 47175 11133 74038 84068 27078 11233 50351"
    );
}

#[test]
fn refuses_what_is_not_two_user_ids() {
    let group = SessionId::new(Prefix::Group, [1; 32]);
    assert_eq!(
        SafetyNumber::new(&id(A), &group).unwrap_err(),
        SafetyNumberError::NotAUserId(Prefix::Group)
    );
    assert_eq!(
        SafetyNumber::new(&id(A), &id(A)).unwrap_err(),
        SafetyNumberError::SameId
    );
}

#[test]
fn scanned_payloads() {
    let number = SafetyNumber::new(&id(A), &id(B)).unwrap();
    let other = SafetyNumber::new(&id(A), &id(ONES)).unwrap();
    assert!(number.matches_scanned(&number.scannable()).unwrap());
    assert!(!number.matches_scanned(&other.scannable()).unwrap());
    let mut flipped = number.scannable();
    for i in 1..SCANNABLE_LEN {
        flipped[i] ^= 1;
        assert!(!number.matches_scanned(&flipped).unwrap(), "byte {i}");
        flipped[i] ^= 1;
    }
    assert_eq!(
        number.matches_scanned(&flipped[..64]),
        Err(SafetyNumberError::WrongLength(64))
    );
    flipped[0] = 1;
    assert_eq!(
        number.matches_scanned(&flipped),
        Err(SafetyNumberError::UnknownVersion(1))
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]
    #[test]
    fn both_sides_compute_the_same_number(a in any::<[u8; 32]>(), b in any::<[u8; 32]>()) {
        prop_assume!(a != b);
        let (a, b) = (SessionId::new(Prefix::User, a), SessionId::new(Prefix::User, b));
        let mine = SafetyNumber::new(&a, &b).unwrap();
        let theirs = SafetyNumber::new(&b, &a).unwrap();
        prop_assert_eq!(&mine, &theirs);
        prop_assert_eq!(mine.digits(), theirs.digits());
        prop_assert!(mine.matches_scanned(&theirs.scannable()).unwrap());
        let digits = mine.digits();
        prop_assert!(digits.len() == 60 && digits.bytes().all(|d| d.is_ascii_digit()));
    }
}
