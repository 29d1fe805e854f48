//! Safe wrappers over the libsodium functions that sessionkit's benchmarks compare against and
//! its differential tests check against. Development only: never a dependency of the protocol
//! crates. This is the only crate of the workspace that contains `unsafe` code.
//!
//! Every wrapper initialises libsodium first, passes only buffers whose lengths it has checked
//! or fixed by type, and reports libsodium's failures as `None` or `false`: none panics on bad
//! input.
//!
//! ```
//! // BLAKE2b-32 of the empty string, and an out-of-range length refused rather than a panic.
//! let digest = sodium_peer::generichash(32, None, b"").expect("valid length");
//! assert_eq!(digest[..4], [0x0e, 0x57, 0x51, 0xc0]);
//! assert!(sodium_peer::generichash(65, None, b"").is_none());
//! ```

use core::mem::MaybeUninit;
use core::ptr;

use libsodium_sys as ffi;

/// Initialises libsodium (idempotent); every wrapper calls it.
pub fn init() {
    // SAFETY: sodium_init has no preconditions and may be called any number of times.
    let status = unsafe { ffi::sodium_init() };
    assert!(status >= 0, "libsodium failed to initialise");
}

/// `crypto_sign_ed25519_pk_to_curve25519`: the X25519 twin of an Ed25519 public key, or `None`
/// where libsodium refuses the key (small order, off the curve, not in the prime-order subgroup).
pub fn ed25519_pk_to_curve25519(ed25519_pk: &[u8; 32]) -> Option<[u8; 32]> {
    init();
    let mut out = [0u8; 32];
    // SAFETY: both pointers address 32 valid bytes, as the function requires.
    let rc =
        unsafe { ffi::crypto_sign_ed25519_pk_to_curve25519(out.as_mut_ptr(), ed25519_pk.as_ptr()) };
    (rc == 0).then_some(out)
}

/// `crypto_sign_ed25519_sk_to_curve25519`: the X25519 secret key (clamped) of a 64-byte Ed25519
/// secret key (seed ‖ public key).
pub fn ed25519_sk_to_curve25519(ed25519_sk: &[u8; 64]) -> [u8; 32] {
    init();
    let mut out = [0u8; 32];
    // SAFETY: `out` has 32 writable bytes and `ed25519_sk` 64 readable ones, as required.
    unsafe { ffi::crypto_sign_ed25519_sk_to_curve25519(out.as_mut_ptr(), ed25519_sk.as_ptr()) };
    out
}

/// `crypto_sign_seed_keypair`: the Ed25519 public key and 64-byte secret key of a 32-byte seed.
pub fn sign_seed_keypair(seed: &[u8; 32]) -> ([u8; 32], [u8; 64]) {
    init();
    let mut pk = [0u8; 32];
    let mut sk = [0u8; 64];
    // SAFETY: pk has 32 bytes, sk 64 and seed 32, the sizes the function reads and writes.
    unsafe { ffi::crypto_sign_seed_keypair(pk.as_mut_ptr(), sk.as_mut_ptr(), seed.as_ptr()) };
    (pk, sk)
}

/// `crypto_sign_detached`: the Ed25519 signature of `message` under `sk` (seed ‖ public key).
pub fn sign_detached(message: &[u8], sk: &[u8; 64]) -> [u8; 64] {
    init();
    let mut sig = [0u8; 64];
    // SAFETY: `sig` has the 64 bytes written; `message` is valid for its length; `sk` has 64
    // bytes; a null `siglen_p` is allowed.
    unsafe {
        ffi::crypto_sign_detached(
            sig.as_mut_ptr(),
            ptr::null_mut(),
            message.as_ptr(),
            message.len() as u64,
            sk.as_ptr(),
        )
    };
    sig
}

/// `crypto_sign_verify_detached`: whether `sig` is a valid signature of `message` under `pk`.
pub fn verify_detached(sig: &[u8; 64], message: &[u8], pk: &[u8; 32]) -> bool {
    init();
    // SAFETY: `sig` has 64 bytes, `pk` 32 and `message` is valid for its length.
    unsafe {
        ffi::crypto_sign_verify_detached(
            sig.as_ptr(),
            message.as_ptr(),
            message.len() as u64,
            pk.as_ptr(),
        ) == 0
    }
}

/// Bytes a sealed box adds (`crypto_box_SEALBYTES`).
pub const SEAL_OVERHEAD: usize = 48;

/// `crypto_box_seal`: `message` sealed to the X25519 key `pk` (libsodium draws the ephemeral
/// key). `None` if libsodium refuses (a small-order `pk`).
pub fn box_seal(message: &[u8], pk: &[u8; 32]) -> Option<Vec<u8>> {
    init();
    let mut out = vec![0u8; message.len() + SEAL_OVERHEAD];
    // SAFETY: `out` has room for the message and the 48-byte header; `message` is valid for
    // its length; `pk` has 32 bytes.
    let rc = unsafe {
        ffi::crypto_box_seal(
            out.as_mut_ptr(),
            message.as_ptr(),
            message.len() as u64,
            pk.as_ptr(),
        )
    };
    (rc == 0).then_some(out)
}

/// `crypto_box_seal_open`: the message in a sealed box for the key pair (`pk`, `sk`), or `None`
/// if it does not open (too short, forged, small-order ephemeral key).
pub fn box_seal_open(ciphertext: &[u8], pk: &[u8; 32], sk: &[u8; 32]) -> Option<Vec<u8>> {
    init();
    let len = ciphertext.len().checked_sub(SEAL_OVERHEAD)?;
    let mut out = vec![0u8; len];
    // SAFETY: `out` has room for `clen - 48` bytes, the length written; the ciphertext is
    // valid for its length, at least 48; `pk` and `sk` have 32 bytes.
    let rc = unsafe {
        ffi::crypto_box_seal_open(
            out.as_mut_ptr(),
            ciphertext.as_ptr(),
            ciphertext.len() as u64,
            pk.as_ptr(),
            sk.as_ptr(),
        )
    };
    (rc == 0).then_some(out)
}

/// `crypto_scalarmult` (X25519): `None` when libsodium refuses (the result is all zero, that is
/// the point has small order).
pub fn scalarmult(scalar: &[u8; 32], point: &[u8; 32]) -> Option<[u8; 32]> {
    init();
    let mut out = [0u8; 32];
    // SAFETY: all three pointers address 32 valid bytes.
    let rc = unsafe { ffi::crypto_scalarmult(out.as_mut_ptr(), scalar.as_ptr(), point.as_ptr()) };
    (rc == 0).then_some(out)
}

/// `crypto_scalarmult_base` (the X25519 public key of a secret key).
pub fn scalarmult_base(scalar: &[u8; 32]) -> Option<[u8; 32]> {
    init();
    let mut out = [0u8; 32];
    // SAFETY: both pointers address 32 valid bytes.
    let rc = unsafe { ffi::crypto_scalarmult_base(out.as_mut_ptr(), scalar.as_ptr()) };
    (rc == 0).then_some(out)
}

/// `crypto_generichash` (BLAKE2b) of the concatenation of `parts`, `out_len` bytes (16..=64),
/// keyed with `key` (at most 64 bytes) if given. `None` for lengths libsodium refuses.
pub fn generichash_parts(out_len: usize, key: Option<&[u8]>, parts: &[&[u8]]) -> Option<Vec<u8>> {
    init();
    let key = key.unwrap_or(&[]);
    if !(16..=64).contains(&out_len) || key.len() > 64 {
        return None;
    }
    let mut out = vec![0u8; out_len];
    let mut state = MaybeUninit::<ffi::crypto_generichash_state>::uninit();
    let key_ptr = if key.is_empty() {
        ptr::null()
    } else {
        key.as_ptr()
    };
    // SAFETY: `state` is a properly aligned state the init call writes before any use; the key
    // pointer is null with length 0 or valid for its length (at most 64); `out_len` is in range
    // and `out` has that many bytes; every part is valid for its length.
    unsafe {
        if ffi::crypto_generichash_init(state.as_mut_ptr(), key_ptr, key.len(), out_len) != 0 {
            return None;
        }
        for part in parts {
            ffi::crypto_generichash_update(state.as_mut_ptr(), part.as_ptr(), part.len() as u64);
        }
        if ffi::crypto_generichash_final(state.as_mut_ptr(), out.as_mut_ptr(), out_len) != 0 {
            return None;
        }
    }
    Some(out)
}

/// `crypto_generichash` of one message (see [`generichash_parts`]).
pub fn generichash(out_len: usize, key: Option<&[u8]>, message: &[u8]) -> Option<Vec<u8>> {
    generichash_parts(out_len, key, &[message])
}

/// `crypto_hash_sha512` of the concatenation of `parts`.
pub fn hash_sha512_parts(parts: &[&[u8]]) -> [u8; 64] {
    init();
    let mut out = [0u8; 64];
    let mut state = MaybeUninit::<ffi::crypto_hash_sha512_state>::uninit();
    // SAFETY: the init call writes the state before use; parts are valid for their lengths;
    // `out` has the 64 bytes written.
    unsafe {
        ffi::crypto_hash_sha512_init(state.as_mut_ptr());
        for part in parts {
            ffi::crypto_hash_sha512_update(state.as_mut_ptr(), part.as_ptr(), part.len() as u64);
        }
        ffi::crypto_hash_sha512_final(state.as_mut_ptr(), out.as_mut_ptr());
    }
    out
}

/// `crypto_hash_sha512` of one message.
pub fn hash_sha512(message: &[u8]) -> [u8; 64] {
    hash_sha512_parts(&[message])
}

/// HMAC-SHA-256 of `message` under a key of any length (`crypto_auth_hmacsha256_init/update/
/// final`).
pub fn auth_hmacsha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    init();
    let mut out = [0u8; 32];
    let mut state = MaybeUninit::<ffi::crypto_auth_hmacsha256_state>::uninit();
    // SAFETY: the init call writes the state before use; the key and message are valid for
    // their lengths; `out` has the 32 bytes written.
    unsafe {
        ffi::crypto_auth_hmacsha256_init(state.as_mut_ptr(), key.as_ptr(), key.len());
        ffi::crypto_auth_hmacsha256_update(
            state.as_mut_ptr(),
            message.as_ptr(),
            message.len() as u64,
        );
        ffi::crypto_auth_hmacsha256_final(state.as_mut_ptr(), out.as_mut_ptr());
    }
    out
}

/// `crypto_aead_xchacha20poly1305_ietf_encrypt`: `ciphertext ‖ tag`.
pub fn aead_xchacha20poly1305_ietf_encrypt(
    message: &[u8],
    ad: &[u8],
    nonce: &[u8; 24],
    key: &[u8; 32],
) -> Vec<u8> {
    init();
    let mut out = vec![0u8; message.len() + 16];
    // SAFETY: `out` has room for the message and the 16-byte tag; message and ad are valid
    // for their lengths; the nonce has 24 bytes and the key 32; `clen_p` and `nsec` may be null.
    unsafe {
        ffi::crypto_aead_xchacha20poly1305_ietf_encrypt(
            out.as_mut_ptr(),
            ptr::null_mut(),
            message.as_ptr(),
            message.len() as u64,
            ad.as_ptr(),
            ad.len() as u64,
            ptr::null(),
            nonce.as_ptr(),
            key.as_ptr(),
        )
    };
    out
}

/// `crypto_aead_xchacha20poly1305_ietf_decrypt` of `ciphertext ‖ tag`; `None` if too short or
/// forged.
pub fn aead_xchacha20poly1305_ietf_decrypt(
    ciphertext: &[u8],
    ad: &[u8],
    nonce: &[u8; 24],
    key: &[u8; 32],
) -> Option<Vec<u8>> {
    init();
    let len = ciphertext.len().checked_sub(16)?;
    let mut out = vec![0u8; len];
    // SAFETY: `out` has room for `clen - 16` bytes, the length written; the ciphertext (at
    // least 16 bytes) and ad are valid for their lengths; nonce 24 bytes, key 32; `mlen_p` and
    // `nsec` may be null.
    let rc = unsafe {
        ffi::crypto_aead_xchacha20poly1305_ietf_decrypt(
            out.as_mut_ptr(),
            ptr::null_mut(),
            ptr::null_mut(),
            ciphertext.as_ptr(),
            ciphertext.len() as u64,
            ad.as_ptr(),
            ad.len() as u64,
            nonce.as_ptr(),
            key.as_ptr(),
        )
    };
    (rc == 0).then_some(out)
}

/// Whether this CPU runs libsodium's AES-256-GCM (it needs AES-NI and PCLMUL).
pub fn aead_aes256gcm_is_available() -> bool {
    init();
    // SAFETY: no preconditions beyond initialisation, done above.
    unsafe { ffi::crypto_aead_aes256gcm_is_available() == 1 }
}

/// `crypto_aead_aes256gcm_encrypt`: `ciphertext ‖ tag`; `None` where AES-GCM is unavailable.
pub fn aead_aes256gcm_encrypt(
    message: &[u8],
    ad: &[u8],
    nonce: &[u8; 12],
    key: &[u8; 32],
) -> Option<Vec<u8>> {
    if !aead_aes256gcm_is_available() {
        return None;
    }
    let mut out = vec![0u8; message.len() + 16];
    // SAFETY: AES-GCM is available (checked); `out` has room for the message and the tag;
    // message and ad valid for their lengths; nonce 12 bytes, key 32; null `clen_p`/`nsec`.
    let rc = unsafe {
        ffi::crypto_aead_aes256gcm_encrypt(
            out.as_mut_ptr(),
            ptr::null_mut(),
            message.as_ptr(),
            message.len() as u64,
            ad.as_ptr(),
            ad.len() as u64,
            ptr::null(),
            nonce.as_ptr(),
            key.as_ptr(),
        )
    };
    (rc == 0).then_some(out)
}

/// `crypto_aead_aes256gcm_decrypt` of `ciphertext ‖ tag`; `None` if unavailable, too short or
/// forged.
pub fn aead_aes256gcm_decrypt(
    ciphertext: &[u8],
    ad: &[u8],
    nonce: &[u8; 12],
    key: &[u8; 32],
) -> Option<Vec<u8>> {
    if !aead_aes256gcm_is_available() {
        return None;
    }
    let len = ciphertext.len().checked_sub(16)?;
    let mut out = vec![0u8; len];
    // SAFETY: AES-GCM is available; `out` has room for `clen - 16` bytes; the ciphertext (at
    // least 16 bytes) and ad are valid; nonce 12 bytes, key 32; null `mlen_p`/`nsec`.
    let rc = unsafe {
        ffi::crypto_aead_aes256gcm_decrypt(
            out.as_mut_ptr(),
            ptr::null_mut(),
            ptr::null_mut(),
            ciphertext.as_ptr(),
            ciphertext.len() as u64,
            ad.as_ptr(),
            ad.len() as u64,
            nonce.as_ptr(),
            key.as_ptr(),
        )
    };
    (rc == 0).then_some(out)
}

/// `crypto_core_ed25519_scalar_reduce`: a 64-byte number modulo the group order.
pub fn core_ed25519_scalar_reduce(wide: &[u8; 64]) -> [u8; 32] {
    init();
    let mut out = [0u8; 32];
    // SAFETY: reads 64 bytes, writes 32; both buffers have them.
    unsafe { ffi::crypto_core_ed25519_scalar_reduce(out.as_mut_ptr(), wide.as_ptr()) };
    out
}

/// `crypto_core_ed25519_scalar_mul`: `x·y` modulo the group order.
pub fn core_ed25519_scalar_mul(x: &[u8; 32], y: &[u8; 32]) -> [u8; 32] {
    init();
    let mut out = [0u8; 32];
    // SAFETY: all three pointers address 32 valid bytes.
    unsafe { ffi::crypto_core_ed25519_scalar_mul(out.as_mut_ptr(), x.as_ptr(), y.as_ptr()) };
    out
}

/// `crypto_core_ed25519_scalar_add`: `x+y` modulo the group order.
pub fn core_ed25519_scalar_add(x: &[u8; 32], y: &[u8; 32]) -> [u8; 32] {
    init();
    let mut out = [0u8; 32];
    // SAFETY: all three pointers address 32 valid bytes.
    unsafe { ffi::crypto_core_ed25519_scalar_add(out.as_mut_ptr(), x.as_ptr(), y.as_ptr()) };
    out
}

/// `crypto_core_ed25519_scalar_negate`: `-s` modulo the group order.
pub fn core_ed25519_scalar_negate(s: &[u8; 32]) -> [u8; 32] {
    init();
    let mut out = [0u8; 32];
    // SAFETY: both pointers address 32 valid bytes.
    unsafe { ffi::crypto_core_ed25519_scalar_negate(out.as_mut_ptr(), s.as_ptr()) };
    out
}

/// `crypto_scalarmult_ed25519_base_noclamp`: `[n]B`; `None` for a zero result.
pub fn scalarmult_ed25519_base_noclamp(n: &[u8; 32]) -> Option<[u8; 32]> {
    init();
    let mut out = [0u8; 32];
    // SAFETY: both pointers address 32 valid bytes.
    let rc = unsafe { ffi::crypto_scalarmult_ed25519_base_noclamp(out.as_mut_ptr(), n.as_ptr()) };
    (rc == 0).then_some(out)
}

/// `crypto_scalarmult_ed25519_noclamp`: `[n]P`; `None` if `P` is invalid or of small order, or
/// the result is the identity.
pub fn scalarmult_ed25519_noclamp(n: &[u8; 32], p: &[u8; 32]) -> Option<[u8; 32]> {
    init();
    let mut out = [0u8; 32];
    // SAFETY: all three pointers address 32 valid bytes.
    let rc =
        unsafe { ffi::crypto_scalarmult_ed25519_noclamp(out.as_mut_ptr(), n.as_ptr(), p.as_ptr()) };
    (rc == 0).then_some(out)
}

/// `crypto_generichash_blake2b_salt_personal` with an all-zero salt: BLAKE2b-`out_len` of
/// `message` keyed by `key` with a 16-byte personalisation, or `None` for lengths libsodium
/// refuses.
pub fn generichash_personal(
    out_len: usize,
    key: &[u8],
    personal: &[u8; 16],
    message: &[u8],
) -> Option<Vec<u8>> {
    init();
    if !(16..=64).contains(&out_len) || key.len() > 64 {
        return None;
    }
    let mut out = vec![0u8; out_len];
    let key_ptr = if key.is_empty() {
        ptr::null()
    } else {
        key.as_ptr()
    };
    // SAFETY: `out` has `out_len` writable bytes, `message` and `key` are valid for their
    // lengths (a null key with length 0 is allowed), a null salt means zeros and `personal` has
    // the 16 bytes read.
    let rc = unsafe {
        ffi::crypto_generichash_blake2b_salt_personal(
            out.as_mut_ptr(),
            out_len,
            message.as_ptr(),
            message.len() as u64,
            key_ptr,
            key.len(),
            ptr::null(),
            personal.as_ptr(),
        )
    };
    (rc == 0).then_some(out)
}

/// `crypto_secretstream_xchacha20poly1305_TAG_FINAL`.
pub const SECRETSTREAM_TAG_FINAL: u8 = 3;
/// `crypto_secretstream_xchacha20poly1305_ABYTES`.
pub const SECRETSTREAM_ABYTES: usize = 17;

/// One direction of a `crypto_secretstream_xchacha20poly1305` stream.
pub struct SecretStream {
    state: ffi::crypto_secretstream_xchacha20poly1305_state,
}

impl SecretStream {
    /// `init_push` with libsodium's own random header: the stream and the header.
    pub fn init_push(key: &[u8; 32]) -> (Self, [u8; 24]) {
        init();
        let mut header = [0u8; 24];
        let mut state = MaybeUninit::<ffi::crypto_secretstream_xchacha20poly1305_state>::uninit();
        // SAFETY: `state` is written by the call before it is read; `header` has the 24 bytes
        // written and `key` the 32 read.
        let state = unsafe {
            ffi::crypto_secretstream_xchacha20poly1305_init_push(
                state.as_mut_ptr(),
                header.as_mut_ptr(),
                key.as_ptr(),
            );
            state.assume_init()
        };
        (Self { state }, header)
    }

    /// The state `init_push` sets up for a given header, built from libsodium's primitives as
    /// libsession builds it for its deterministic attachments: `k = HChaCha20(key, header[..16])`,
    /// `nonce = LE32(1) ‖ header[16..]`.
    pub fn init_push_with_header(key: &[u8; 32], header: &[u8; 24]) -> Self {
        init();
        let mut k = [0u8; 32];
        // SAFETY: `k` has the 32 bytes written, `header` at least the 16 read, `key` 32; a null
        // constant selects the standard one.
        unsafe {
            ffi::crypto_core_hchacha20(k.as_mut_ptr(), header.as_ptr(), key.as_ptr(), ptr::null())
        };
        let mut nonce = [0u8; 12];
        nonce[0] = 1;
        nonce[4..].copy_from_slice(&header[16..]);
        Self {
            state: ffi::crypto_secretstream_xchacha20poly1305_state {
                k,
                nonce,
                _pad: [0; 8],
            },
        }
    }

    /// `init_pull`, or `None` where libsodium refuses.
    pub fn init_pull(key: &[u8; 32], header: &[u8; 24]) -> Option<Self> {
        init();
        let mut state = MaybeUninit::<ffi::crypto_secretstream_xchacha20poly1305_state>::uninit();
        // SAFETY: `state` is written by the call (it is only read after success); `header` has
        // the 24 bytes read and `key` the 32.
        let rc = unsafe {
            ffi::crypto_secretstream_xchacha20poly1305_init_pull(
                state.as_mut_ptr(),
                header.as_ptr(),
                key.as_ptr(),
            )
        };
        if rc != 0 {
            return None;
        }
        // SAFETY: init_pull initialised the state, as it returned 0.
        let state = unsafe { state.assume_init() };
        Some(Self { state })
    }

    /// `push` of `message` with `tag` (no additional data) into `out`, which is resized to
    /// `message.len() + 17`.
    pub fn push_into(&mut self, message: &[u8], tag: u8, out: &mut Vec<u8>) {
        out.resize(message.len() + SECRETSTREAM_ABYTES, 0);
        // SAFETY: `out` has `message.len() + 17` writable bytes, `message` is valid for its
        // length, a null `clen_p` and a null, empty `ad` are allowed.
        unsafe {
            ffi::crypto_secretstream_xchacha20poly1305_push(
                &mut self.state,
                out.as_mut_ptr(),
                ptr::null_mut(),
                message.as_ptr(),
                message.len() as u64,
                ptr::null(),
                0,
                tag,
            )
        };
    }

    /// `pull` of one message into `out` (resized to the message length): its tag, or `None`
    /// when it does not authenticate.
    pub fn pull_into(&mut self, ciphertext: &[u8], out: &mut Vec<u8>) -> Option<u8> {
        let len = ciphertext.len().checked_sub(SECRETSTREAM_ABYTES)?;
        out.resize(len, 0);
        let mut tag = 0u8;
        // SAFETY: `out` has `len` writable bytes, `ciphertext` is valid for its length, `tag`
        // is one writable byte, a null `mlen_p` and a null, empty `ad` are allowed.
        let rc = unsafe {
            ffi::crypto_secretstream_xchacha20poly1305_pull(
                &mut self.state,
                out.as_mut_ptr(),
                ptr::null_mut(),
                &mut tag,
                ciphertext.as_ptr(),
                ciphertext.len() as u64,
                ptr::null(),
                0,
            )
        };
        (rc == 0).then_some(tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_round_trip_and_refusals() {
        let sk = [7u8; 32];
        let pk = scalarmult_base(&sk).expect("public key");
        let sealed = box_seal(b"hi", &pk).expect("seals");
        assert_eq!(
            box_seal_open(&sealed, &pk, &sk).as_deref(),
            Some(&b"hi"[..])
        );
        assert_eq!(box_seal_open(&sealed[..10], &pk, &sk), None);
        assert_eq!(scalarmult(&sk, &[0; 32]), None);
        assert_eq!(generichash(15, None, b""), None);
        assert_eq!(
            aead_xchacha20poly1305_ietf_decrypt(&[0; 3], &[], &[0; 24], &[0; 32]),
            None
        );
    }
}
