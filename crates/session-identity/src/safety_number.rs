//! Safety numbers: a fingerprint two people compare, side by side or by scanning, to check that
//! each holds the other's real Session ID and no one sits between them.
//!
//! Construction (version 0), for each of the two user Session IDs `id` (33 bytes, `05 ‖ X25519`):
//!
//! ```text
//! h₀     = SHA-512("Session safety number" ‖ u16_be(version) ‖ id)
//! hᵢ₊₁   = SHA-512(hᵢ ‖ id)                     for i in 0..5200
//! half   = h₅₂₀₀
//! digits = for each 5-byte chunk c of half[0..30]: u40_be(c) mod 100000, as 5 decimal digits
//! ```
//!
//! The safety number is the two 30-digit halves, the half of the smaller ID (by bytes) first:
//! 60 digits, shown as 12 groups of 5. Both sides compute the same number whichever way round
//! they pass the IDs, and each can read out "their" half. The scannable payload is
//! `version ‖ half_first[0..32] ‖ half_second[0..32]` (65 bytes), compared in constant time.
//!
//! Each half carries about 99.7 bits (30 decimal digits). To pass unnoticed, a
//! machine-in-the-middle must present a key of its own whose half matches the victim's, a
//! second preimage of that half: about 2^99.7 tries, each costing an X25519 key generation and
//! 5,201 SHA-512 compressions (the iteration adds about 12 bits, 2^112 hash computations in
//! all), while one honest computation stays near a millisecond. docs/safety-numbers.md has the
//! reasoning.

use alloc::string::String;
use core::fmt;

use sha2::{Digest, Sha512};
use subtle::ConstantTimeEq;

use crate::session_id::{Prefix, SessionId};

/// The construction's version; the first byte of the scannable payload.
pub const SAFETY_NUMBER_VERSION: u8 = 0;

/// Hash iterations per half.
pub const SAFETY_NUMBER_ITERATIONS: usize = 5200;

/// Digits per half.
pub const HALF_DIGITS: usize = 30;

/// Length of the scannable payload.
pub const SCANNABLE_LEN: usize = 65;

const DOMAIN: &[u8] = b"Session safety number";

/// Why a safety number could not be made or a scanned one could not be compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SafetyNumberError {
    /// An ID is not a user (`05`) Session ID.
    #[error("safety numbers are for user (05) Session IDs, not {0:?}")]
    NotAUserId(Prefix),
    /// Both IDs are the same account.
    #[error("a safety number needs two different Session IDs")]
    SameId,
    /// A scanned payload is not [`SCANNABLE_LEN`] bytes.
    #[error("a scanned safety number is {SCANNABLE_LEN} bytes, not {0}")]
    WrongLength(usize),
    /// A scanned payload of a version this code does not know.
    #[error("scanned safety number version {0} is not supported")]
    UnknownVersion(u8),
}

/// The safety number of a conversation between two user Session IDs.
///
/// ```
/// use session_identity::{SafetyNumber, SessionId};
///
/// let alice = SessionId::parse("05d2ad010eeb72d72e561d9de7bd7b6989af77dcabffa03a5111a6c859ae5c3a72")?;
/// let bob = SessionId::parse("0585cd8fd2b7a5ab4b1a0bac45fbbc4f6f7ab0b4b0b1b2b3b4b5b6b7b8b9babbbc")?;
/// let on_alices_phone = SafetyNumber::new(&alice, &bob)?;
/// let on_bobs_phone = SafetyNumber::new(&bob, &alice)?;
/// assert_eq!(on_alices_phone, on_bobs_phone);
/// assert_eq!(on_alices_phone.digits().len(), 60);
///
/// // Scanning the other phone's code: equal payloads mean the same two IDs.
/// assert!(on_alices_phone.matches_scanned(&on_bobs_phone.scannable())?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SafetyNumber {
    /// The two IDs, smaller first.
    ids: [SessionId; 2],
    /// Their halves, in the same order.
    halves: [[u8; 64]; 2],
}

fn half(id: &SessionId) -> [u8; 64] {
    let bytes = id.to_bytes();
    let mut hash: [u8; 64] = Sha512::new()
        .chain_update(DOMAIN)
        .chain_update(u16::from(SAFETY_NUMBER_VERSION).to_be_bytes())
        .chain_update(bytes)
        .finalize()
        .into();
    for _ in 0..SAFETY_NUMBER_ITERATIONS {
        hash = Sha512::new()
            .chain_update(hash)
            .chain_update(bytes)
            .finalize()
            .into();
    }
    hash
}

fn push_digits(out: &mut String, half: &[u8; 64]) {
    for chunk in half[..30].chunks_exact(5) {
        let value = chunk.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)) % 100_000;
        let mut digits = [b'0'; 5];
        let mut rest = value;
        for digit in digits.iter_mut().rev() {
            // `rest % 10` is below 10, so the sum is an ASCII digit.
            *digit = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        out.extend(digits.iter().map(|&d| char::from(d)));
    }
}

impl SafetyNumber {
    /// The safety number of `local` and `remote` (either order gives the same number).
    pub fn new(local: &SessionId, remote: &SessionId) -> Result<Self, SafetyNumberError> {
        for id in [local, remote] {
            if id.prefix() != Prefix::User {
                return Err(SafetyNumberError::NotAUserId(id.prefix()));
            }
        }
        if local == remote {
            return Err(SafetyNumberError::SameId);
        }
        let (first, second) = if local.to_bytes() < remote.to_bytes() {
            (*local, *remote)
        } else {
            (*remote, *local)
        };
        Ok(Self {
            ids: [first, second],
            halves: [half(&first), half(&second)],
        })
    }

    /// The 60 digits, the smaller ID's half first.
    pub fn digits(&self) -> String {
        let mut out = String::with_capacity(2 * HALF_DIGITS);
        for half in &self.halves {
            push_digits(&mut out, half);
        }
        out
    }

    /// The 30 digits that belong to `id`, if it is one of the two.
    pub fn half_of(&self, id: &SessionId) -> Option<String> {
        let index = self.ids.iter().position(|known| known == id)?;
        let mut out = String::with_capacity(HALF_DIGITS);
        push_digits(&mut out, &self.halves[index]);
        Some(out)
    }

    /// The payload of the QR code to scan: version, then 32 bytes of each half in display
    /// order.
    pub fn scannable(&self) -> [u8; SCANNABLE_LEN] {
        let mut out = [0u8; SCANNABLE_LEN];
        out[0] = SAFETY_NUMBER_VERSION;
        out[1..33].copy_from_slice(&self.halves[0][..32]);
        out[33..].copy_from_slice(&self.halves[1][..32]);
        out
    }

    /// Whether a scanned payload is this safety number, compared in constant time. A payload
    /// of the wrong length or an unknown version is an error, not a mismatch.
    pub fn matches_scanned(&self, payload: &[u8]) -> Result<bool, SafetyNumberError> {
        if payload.len() != SCANNABLE_LEN {
            return Err(SafetyNumberError::WrongLength(payload.len()));
        }
        if payload[0] != SAFETY_NUMBER_VERSION {
            return Err(SafetyNumberError::UnknownVersion(payload[0]));
        }
        Ok(bool::from(self.scannable().ct_eq(payload)))
    }
}

impl fmt::Display for SafetyNumber {
    /// Twelve groups of five digits, separated by spaces.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.digits();
        for (i, group) in digits.as_bytes().chunks(5).enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(core::str::from_utf8(group).map_err(|_| fmt::Error)?)?;
        }
        Ok(())
    }
}

impl fmt::Debug for SafetyNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SafetyNumber")
            .field("ids", &self.ids)
            .field("digits", &self.digits())
            .finish()
    }
}
