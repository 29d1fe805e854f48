//! Project Wycheproof (C2SP/wycheproof, `testvectors_v1/`, see `data/wycheproof/README.md`)
//! through sessionkit's own entry points, on every backend compiled in, every verdict asserted.
//!
//! - X25519: [`X25519SecretKey::diffie_hellman`] and
//!   [`X25519SecretKey::diffie_hellman_precomputed`]. libsodium's `crypto_scalarmult` rules
//!   decide Wycheproof's `acceptable` cases: the high bit of u is ignored, a non-canonical u is
//!   reduced, points on the twist are computed like any other, and an all-zero shared secret is
//!   refused ([`KeyError::WeakSharedSecret`]). So every case flagged `ZeroSharedSecret` (all of
//!   them `acceptable`, and the only cases whose secret is all zero; `LowOrderPublic` cases are
//!   among them) is refused, and every other case, `Twist`, `NonCanonicalPublic`,
//!   `SpecialPublicKey`, `SmallPublicKey` and the edge cases included, gives exactly Wycheproof's
//!   shared secret. Each of the 21 public keys with the high bit set gives what it gives with
//!   the bit cleared, and each of the 11 u-coordinates of p or more what `u − p` gives. The file
//!   has no `invalid` case; one would have to be refused or differ.
//! - Ed25519: [`Ed25519PublicKey::verify`], with signatures parsed by [`Signature::from_slice`]
//!   (a signature that is not 64 bytes cannot be built: an `invalid` verdict). Every `valid`
//!   case verifies and every `invalid` one is refused: libsodium's stricter rules (canonical `S`,
//!   no small-order `R` or key) refuse no `valid` case of the file; they are what refuses 28 of
//!   the 51 `invalid` signatures of 64 bytes (17 non-canonical `S`, 11 small-order `R`), the
//!   equation the other 23. The batch verifier ([`batch::verify_and_to_x25519_batch`]) gives,
//!   item by item, what [`Ed25519PublicKey::verify_and_to_x25519`] gives alone.
//! - AES-256-GCM and XChaCha20-Poly1305 ([`aead`]): `encrypt` reproduces `ct ‖ tag` of every
//!   `valid` case, `decrypt` returns its message, and every `invalid` case is refused (its buffer
//!   wiped). sessionkit has 256-bit keys, 96-bit (AES-GCM) and 192-bit (XChaCha20) nonces and
//!   128-bit tags only; the other cases are counted by reason, and the counts of cases run are
//!   asserted.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use serde_json::Value;
use session_identity::aead::{AeadError, Aes256Gcm, XChaCha20Poly1305, TAG_LEN};
use session_identity::backend::{self, Backend};
use session_identity::batch::{verify_and_to_x25519_batch, SignedMessage};
use session_identity::{
    Ed25519PublicKey, KeyError, PointError, PrecomputedX25519PublicKey, Signature, SignatureError,
    X25519PublicKey, X25519SecretKey,
};

/// The active backend is process-wide and tests run on parallel threads: each test holds this
/// while it switches backends and builds keys.
static LOCK: Mutex<()> = Mutex::new(());

fn lock() -> MutexGuard<'static, ()> {
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs `check` once per backend, each time with that backend active, then restores the
/// default.
fn each_backend(mut check: impl FnMut(Backend)) {
    // Both backends when the `native` feature is on, else the pure one.
    assert_eq!(
        Backend::ALL.len(),
        if cfg!(feature = "native") { 2 } else { 1 }
    );
    for &each in Backend::ALL {
        backend::set_active(each);
        check(each);
    }
    backend::set_active(Backend::DEFAULT);
}

const X25519: &str = include_str!("data/wycheproof/x25519_test.json");
const ED25519: &str = include_str!("data/wycheproof/ed25519_test.json");
const AES_GCM: &str = include_str!("data/wycheproof/aes_gcm_test.json");
const XCHACHA: &str = include_str!("data/wycheproof/xchacha20_poly1305_test.json");

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn bytes(value: &Value) -> Vec<u8> {
    hex::decode(value.as_str().unwrap()).unwrap()
}

fn array<const N: usize>(value: &Value) -> [u8; N] {
    bytes(value).try_into().unwrap()
}

/// Every `(group, test)` of a file, checking that the file holds as many as it says.
fn cases(file: &Value) -> Vec<(&Value, &Value)> {
    let all: Vec<_> = file["testGroups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["tests"].as_array().unwrap().iter().map(move |t| (g, t)))
        .collect();
    assert_eq!(all.len() as u64, file["numberOfTests"].as_u64().unwrap());
    all
}

fn flags(test: &Value) -> Vec<&str> {
    test["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect()
}

/// The verdict of an X25519 exchange: the shared secret, or the refusal.
fn exchange(result: Result<session_identity::SharedSecret, KeyError>) -> Option<[u8; 32]> {
    match result {
        Ok(shared) => Some(*shared.expose_secret_bytes()),
        Err(KeyError::WeakSharedSecret) => None,
        Err(other) => panic!("an exchange failed with {other:?}"),
    }
}

/// `u − p` for a 255-bit `u` at least `p = 2²⁵⁵ − 19`, else `None`.
fn minus_p(u: &[u8; 32]) -> Option<[u8; 32]> {
    // u ≥ p exactly when u + 19 reaches 2²⁵⁵; u − p is then u + 19 − 2²⁵⁵.
    let mut sum = *u;
    let mut carry = 19u16;
    for byte in sum.iter_mut() {
        let total = u16::from(*byte) + carry;
        *byte = total as u8;
        carry = total >> 8;
    }
    if sum[31] & 0x80 == 0 {
        return None;
    }
    sum[31] &= 0x7f;
    Some(sum)
}

#[test]
fn x25519() {
    let _guard = lock();
    let file = parse(X25519);
    each_backend(|each| {
        // Per flag: (cases computed to Wycheproof's secret, cases refused).
        let mut by_flag: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        let mut by_result: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        let (mut high_bit, mut non_canonical) = (0, 0);
        for (_, test) in cases(&file) {
            let id = &test["tcId"];
            let secret = X25519SecretKey::from_bytes(array(&test["private"]));
            let public = X25519PublicKey::from_bytes(array(&test["public"]));
            let expected: [u8; 32] = array(&test["shared"]);
            let result = test["result"].as_str().unwrap();
            let flags = flags(test);

            let plain = exchange(secret.diffie_hellman(&public));
            let precomputed = exchange(
                secret.diffie_hellman_precomputed(&PrecomputedX25519PublicKey::new(&public)),
            );
            assert_eq!(
                plain, precomputed,
                "{each:?} case {id}: precomputed differs"
            );
            let mut u: [u8; 32] = *public.as_bytes();
            if u[31] & 0x80 != 0 {
                // The high bit of u is ignored.
                u[31] &= 0x7f;
                let cleared = exchange(secret.diffie_hellman(&X25519PublicKey::from_bytes(u)));
                assert_eq!(plain, cleared, "{each:?} case {id}: the high bit counted");
                high_bit += 1;
            }
            if let Some(reduced) = minus_p(&u) {
                // A u of p or more is taken modulo p.
                let reduced =
                    exchange(secret.diffie_hellman(&X25519PublicKey::from_bytes(reduced)));
                assert_eq!(plain, reduced, "{each:?} case {id}: u not reduced");
                non_canonical += 1;
            }

            let refused = match (result, plain) {
                ("valid", Some(shared)) => {
                    assert_eq!(shared, expected, "{each:?} case {id}");
                    false
                }
                ("valid", None) => panic!("{each:?} case {id}: a valid exchange was refused"),
                ("acceptable", Some(shared)) => {
                    assert_eq!(shared, expected, "{each:?} case {id}");
                    assert!(!flags.contains(&"ZeroSharedSecret"), "{each:?} case {id}");
                    false
                }
                ("acceptable", None) => {
                    assert_eq!(
                        expected, [0; 32],
                        "{each:?} case {id}: refused a real secret"
                    );
                    assert!(flags.contains(&"ZeroSharedSecret"), "{each:?} case {id}");
                    true
                }
                ("invalid", shared) => {
                    assert_ne!(
                        shared,
                        Some(expected),
                        "{each:?} case {id}: invalid accepted"
                    );
                    true
                }
                (other, _) => panic!("case {id}: unexpected verdict {other}"),
            };
            for flag in flags {
                let entry = by_flag.entry(flag).or_default();
                if refused {
                    entry.1 += 1;
                } else {
                    entry.0 += 1;
                }
            }
            let entry = by_result.entry(result).or_default();
            if refused {
                entry.1 += 1;
            } else {
                entry.0 += 1;
            }
        }
        assert_eq!((high_bit, non_canonical), (21, 11), "{each:?}");
        // (computed, refused) per verdict and per flag: only the all-zero secrets are refused.
        assert_eq!(
            by_result,
            BTreeMap::from([("acceptable", (223, 31)), ("valid", (264, 0))]),
            "{each:?}"
        );
        assert_eq!(
            by_flag,
            BTreeMap::from([
                ("EdgeCaseMultiplication", (389, 5)),
                ("EdgeCasePrivateKey", (7, 0)),
                ("EdgeCaseShared", (14, 0)),
                ("Ktv", (3, 0)),
                ("LowOrderPublic", (0, 31)),
                ("NonCanonicalPublic", (13, 6)),
                ("Normal", (1, 0)),
                ("SmallPublicKey", (0, 8)),
                ("SpecialPublicKey", (67, 12)),
                ("Twist", (216, 5)),
                ("ZeroSharedSecret", (0, 31)),
            ]),
            "{each:?}"
        );
    });
}

#[test]
fn ed25519() {
    let _guard = lock();
    let file = parse(ED25519);
    each_backend(|each| {
        let (mut valid, mut invalid, mut unparsable) = (0, 0, 0);
        let mut refusals: BTreeMap<String, usize> = BTreeMap::new();
        // The cases whose signature parses, for the batch.
        let mut parsed: Vec<(Ed25519PublicKey, Vec<u8>, Signature, bool)> = Vec::new();
        for (group, test) in cases(&file) {
            let id = &test["tcId"];
            let key = Ed25519PublicKey::from_bytes(array(&group["publicKey"]["pk"]));
            let message = bytes(&test["msg"]);
            let signature = Signature::from_slice(&bytes(&test["sig"]));
            let verified = match &signature {
                Some(signature) => match key.verify(&message, signature) {
                    Ok(()) => true,
                    Err(error) => {
                        *refusals.entry(format!("{error:?}")).or_default() += 1;
                        false
                    }
                },
                None => {
                    unparsable += 1;
                    false
                }
            };
            match test["result"].as_str().unwrap() {
                "valid" => {
                    assert!(
                        verified,
                        "{each:?} case {id}: a valid signature was refused"
                    );
                    valid += 1;
                }
                "invalid" => {
                    assert!(
                        !verified,
                        "{each:?} case {id}: an invalid signature verified"
                    );
                    invalid += 1;
                }
                other => panic!("case {id}: unexpected verdict {other}"),
            }
            if let Some(signature) = signature {
                // The conversion refuses only what `verify` refuses, plus keys outside the
                // prime-order subgroup (which the file does not have).
                let converted = key.verify_and_to_x25519(&message, &signature);
                assert_eq!(converted.is_ok(), verified, "{each:?} case {id}");
                if let Ok(x25519) = converted {
                    assert_eq!(Ok(x25519), key.to_x25519(), "{each:?} case {id}");
                }
                parsed.push((key, message, signature, verified));
            }
        }
        assert_eq!((valid, invalid, unparsable), (88, 63, 12), "{each:?}");
        // Why the 51 invalid signatures of 64 bytes are refused.
        assert_eq!(
            refusals,
            BTreeMap::from([
                ("Mismatch".into(), 23),
                ("NonCanonicalScalar".into(), 17),
                ("SmallOrderNonce".into(), 11),
            ]),
            "{each:?}"
        );
        assert_eq!(parsed.len(), 139);

        let one_by_one: Vec<Result<X25519PublicKey, SignatureError>> = parsed
            .iter()
            .map(|(key, message, signature, _)| key.verify_and_to_x25519(message, signature))
            .collect();
        let items: Vec<SignedMessage<'_>> = parsed
            .iter()
            .map(|(key, message, signature, _)| SignedMessage {
                key,
                message,
                signature,
            })
            .collect();
        // The whole file in one batch (its forgeries send it to one-by-one verification), in
        // small batches, and the valid cases alone (where the combination holds).
        assert_eq!(verify_and_to_x25519_batch(&items), one_by_one, "{each:?}");
        for size in [2, 3, 16] {
            for (start, chunk) in items.chunks(size).enumerate() {
                let expected = &one_by_one[start * size..start * size + chunk.len()];
                assert_eq!(
                    verify_and_to_x25519_batch(chunk),
                    expected,
                    "{each:?} {size}"
                );
            }
        }
        let (good_items, good_verdicts): (Vec<_>, Vec<_>) = items
            .iter()
            .zip(&one_by_one)
            .zip(&parsed)
            .filter(|(_, (_, _, _, verified))| *verified)
            .map(|((item, verdict), _)| (*item, *verdict))
            .unzip();
        assert_eq!(good_items.len(), 88);
        assert!(good_verdicts.iter().all(Result::is_ok));
        assert_eq!(verify_and_to_x25519_batch(&good_items), good_verdicts);
        // No key of the file is outside the prime-order subgroup.
        assert!(!one_by_one.contains(&Err(SignatureError::PublicKey(
            PointError::NotInPrimeOrderSubgroup
        ))));
    });
}

/// What an AEAD suite ran: `(valid, invalid)` cases tested, and the skipped ones by reason.
#[derive(Debug, Default, PartialEq, Eq)]
struct AeadCounts {
    valid: usize,
    invalid: usize,
    skipped: BTreeMap<&'static str, usize>,
}

/// A cipher of the [`aead`] module with its nonce length.
trait Cipher<const NONCE: usize> {
    fn new(key: &[u8; 32]) -> Self;
    fn encrypt(&self, nonce: &[u8; NONCE], aad: &[u8], msg: &[u8]) -> Result<Vec<u8>, AeadError>;
    fn decrypt(&self, nonce: &[u8; NONCE], aad: &[u8], sealed: &[u8])
        -> Result<Vec<u8>, AeadError>;
    fn decrypt_in_place_detached(
        &self,
        nonce: &[u8; NONCE],
        aad: &[u8],
        buffer: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), AeadError>;
}

macro_rules! cipher {
    ($type:ty, $nonce:literal) => {
        impl Cipher<$nonce> for $type {
            fn new(key: &[u8; 32]) -> Self {
                <$type>::new(key)
            }
            fn encrypt(
                &self,
                nonce: &[u8; $nonce],
                aad: &[u8],
                msg: &[u8],
            ) -> Result<Vec<u8>, AeadError> {
                <$type>::encrypt(self, nonce, aad, msg)
            }
            fn decrypt(
                &self,
                nonce: &[u8; $nonce],
                aad: &[u8],
                sealed: &[u8],
            ) -> Result<Vec<u8>, AeadError> {
                <$type>::decrypt(self, nonce, aad, sealed)
            }
            fn decrypt_in_place_detached(
                &self,
                nonce: &[u8; $nonce],
                aad: &[u8],
                buffer: &mut [u8],
                tag: &[u8; TAG_LEN],
            ) -> Result<(), AeadError> {
                <$type>::decrypt_in_place_detached(self, nonce, aad, buffer, tag)
            }
        }
    };
}

cipher!(Aes256Gcm, 12);
cipher!(XChaCha20Poly1305, 24);

/// Runs every case of `text` that `C` can take, on the active backend.
fn aead_suite<C: Cipher<NONCE>, const NONCE: usize>(text: &str, each: Backend) -> AeadCounts {
    let file = parse(text);
    let mut counts = AeadCounts::default();
    for (group, test) in cases(&file) {
        let id = &test["tcId"];
        let reason = if group["keySize"] != 256 {
            Some("key size")
        } else if group["ivSize"] != NONCE as u64 * 8 {
            Some("nonce size")
        } else if group["tagSize"] != TAG_LEN as u64 * 8 {
            Some("tag size")
        } else {
            None
        };
        if let Some(reason) = reason {
            *counts.skipped.entry(reason).or_default() += 1;
            continue;
        }
        let cipher = C::new(&array(&test["key"]));
        let nonce: [u8; NONCE] = array(&test["iv"]);
        let aad = bytes(&test["aad"]);
        let message = bytes(&test["msg"]);
        let tag: [u8; TAG_LEN] = array(&test["tag"]);
        let ciphertext = bytes(&test["ct"]);
        let sealed = [&ciphertext[..], &tag].concat();
        let opened = cipher.decrypt(&nonce, &aad, &sealed);
        let mut buffer = ciphertext.clone();
        let in_place = cipher.decrypt_in_place_detached(&nonce, &aad, &mut buffer, &tag);
        match test["result"].as_str().unwrap() {
            "valid" => {
                assert_eq!(
                    cipher.encrypt(&nonce, &aad, &message).unwrap(),
                    sealed,
                    "{each:?} case {id}: encryption"
                );
                assert_eq!(opened.unwrap(), message, "{each:?} case {id}");
                assert_eq!(in_place, Ok(()), "{each:?} case {id}");
                assert_eq!(buffer, message, "{each:?} case {id}: in place");
                counts.valid += 1;
            }
            "invalid" => {
                assert_eq!(opened, Err(AeadError::Authentication), "{each:?} case {id}");
                assert_eq!(
                    in_place,
                    Err(AeadError::Authentication),
                    "{each:?} case {id}"
                );
                assert!(
                    buffer.iter().all(|&b| b == 0),
                    "{each:?} case {id}: not wiped"
                );
                counts.invalid += 1;
            }
            other => panic!("case {id}: unexpected verdict {other}"),
        }
    }
    counts
}

#[test]
fn aes_256_gcm() {
    let _guard = lock();
    each_backend(|each| {
        assert_eq!(
            aead_suite::<Aes256Gcm, 12>(AES_GCM, each),
            AeadCounts {
                valid: 39,
                invalid: 27,
                skipped: BTreeMap::from([("key size", 211), ("nonce size", 39)]),
            },
            "{each:?}"
        );
    });
}

#[test]
fn xchacha20_poly1305() {
    let _guard = lock();
    each_backend(|each| {
        assert_eq!(
            aead_suite::<XChaCha20Poly1305, 24>(XCHACHA, each),
            AeadCounts {
                valid: 246,
                invalid: 60,
                skipped: BTreeMap::from([("nonce size", 9)]),
            },
            "{each:?}"
        );
    });
}
