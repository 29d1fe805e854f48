//! §2.13: attachments, padding and profile pictures; and the deterministic stream scheme's ops
//! of `docs/CONFORMANCE-EXTRA.md` (`attachment.encrypt_stream`, `attachment.decrypt_stream`,
//! `attachment.stream_size`).

use session_envelope::attachment::{
    legacy, padded_attachment_len, profile, stream, AttachmentError, Domain, LegacyKeys,
    ProfileKey, StreamKey,
};
use session_envelope::padding;

use super::Handler;
use crate::error::{OpError, OpResult, Output};
use crate::request::Request;
use crate::rng::RequestRng;

pub(super) const OPS: &[(&str, Handler)] = &[
    ("attachment.encrypt_legacy", encrypt_legacy),
    ("attachment.decrypt_legacy", decrypt_legacy),
    ("padding.attachment_size", attachment_size),
    ("padding.message_add", message_add),
    ("padding.message_remove", message_remove),
    ("profile.encrypt", profile_encrypt),
    ("profile.decrypt", profile_decrypt),
    ("attachment.encrypt_stream", encrypt_stream),
    ("attachment.decrypt_stream", decrypt_stream),
    ("attachment.stream_size", stream_size),
];

/// Key lengths and size limits are the request's fault; everything else is a failed check.
fn attachment_error(e: AttachmentError) -> OpError {
    match e {
        AttachmentError::KeyLength { .. } | AttachmentError::TooLarge { .. } => {
            OpError::bad_request(e.to_string())
        }
        _ => OpError::crypto(e.to_string()),
    }
}

fn legacy_keys(req: &Request<'_>) -> Result<LegacyKeys, OpError> {
    req.hex_array::<64>("key").map(LegacyKeys::from_bytes)
}

/// `plaintext`, `key` (64), `iv` (16), `pad` (default false) → `ciphertext`, `digest`.
fn encrypt_legacy(req: &Request<'_>) -> OpResult {
    let plaintext = req.hex("plaintext")?;
    let keys = legacy_keys(req)?;
    let iv = req.hex_array::<16>("iv")?;
    let pad = req.bool_or("pad", false)?;
    let upload = legacy::encrypt(&keys, &iv, &plaintext, pad);
    Ok(Output::new()
        .hex("ciphertext", &upload.data)
        .hex("digest", upload.digest))
}

/// `ciphertext`, `key` (64), `digest` (32; absent is `crypto`), `size` (optional) → `plaintext`.
fn decrypt_legacy(req: &Request<'_>) -> OpResult {
    let ciphertext = req.hex("ciphertext")?;
    let keys = legacy_keys(req)?;
    let digest = req.opt_hex("digest")?;
    let size = req.opt_u64("size")?;
    // The digest is checked after the MAC: a missing or ill-sized one fails at the same point.
    let digest = match digest.as_deref().map(<[u8; 32]>::try_from) {
        Some(Ok(digest)) => digest,
        Some(Err(_)) | None => {
            // Check the MAC first anyway, so a forged upload reports the MAC.
            let probe = legacy::decrypt(&keys, &ciphertext, &[0; 32], size);
            return Err(match (probe, digest) {
                (Err(e @ (AttachmentError::BadMac | AttachmentError::TooShort { .. })), _) => {
                    attachment_error(e)
                }
                (_, None) => attachment_error(AttachmentError::MissingDigest),
                (_, Some(d)) => attachment_error(AttachmentError::DigestLength(d.len())),
            });
        }
    };
    let plaintext = legacy::decrypt(&keys, &ciphertext, &digest, size).map_err(attachment_error)?;
    Ok(Output::new().hex("plaintext", plaintext))
}

/// `len` → `padded_len`.
fn attachment_size(req: &Request<'_>) -> OpResult {
    let len = req.u64("len")?;
    Ok(Output::new().value("padded_len", padded_attachment_len(len).into()))
}

/// `plaintext` → `padded` (the pre-libsession desktop padding, `160k − 1` bytes).
fn message_add(req: &Request<'_>) -> OpResult {
    let plaintext = req.hex("plaintext")?;
    Ok(Output::new().hex("padded", padding::pad_legacy(&plaintext)))
}

/// `padded` → `plaintext`.
fn message_remove(req: &Request<'_>) -> OpResult {
    let padded = req.hex("padded")?;
    let plaintext = padding::unpad(&padded).map_err(|e| OpError::crypto(e.to_string()))?;
    Ok(Output::new().hex("plaintext", plaintext))
}

fn profile_key(req: &Request<'_>) -> Result<ProfileKey, OpError> {
    req.hex_array::<32>("key").map(ProfileKey::from_bytes)
}

/// `key` (32), `plaintext`, `iv` (12, optional: random without) → `ciphertext`.
fn profile_encrypt(req: &Request<'_>) -> OpResult {
    let key = profile_key(req)?;
    let plaintext = req.hex("plaintext")?;
    let ciphertext = match req.opt_hex("iv")? {
        Some(iv) => {
            let iv = <[u8; 12]>::try_from(iv.as_slice()).map_err(|_| {
                OpError::bad_request(format!("field `iv` must be 12 bytes, got {}", iv.len()))
            })?;
            profile::encrypt(&key, &iv, &plaintext)
        }
        None => {
            let mut rng = RequestRng::for_request(req)?;
            let ciphertext = profile::encrypt_random(&key, &plaintext, &mut rng);
            rng.finish()?;
            ciphertext
        }
    };
    Ok(Output::new().hex("ciphertext", ciphertext))
}

/// `key` (32), `ciphertext` → `plaintext`.
fn profile_decrypt(req: &Request<'_>) -> OpResult {
    let key = profile_key(req)?;
    let ciphertext = req.hex("ciphertext")?;
    let plaintext = profile::decrypt(&key, &ciphertext).map_err(attachment_error)?;
    Ok(Output::new().hex("plaintext", plaintext))
}

fn domain(req: &Request<'_>) -> Result<Domain, OpError> {
    match req.opt_str("domain")? {
        None | Some("attachment") => Ok(Domain::Attachment),
        Some("profile_pic") => Ok(Domain::ProfilePicture),
        Some(other) => Err(OpError::bad_request(format!(
            "field `domain` must be \"attachment\" or \"profile_pic\", got {other:?}"
        ))),
    }
}

/// `seed`, `plaintext`, `domain` (default `attachment`), `allow_large` (default false) →
/// `ciphertext`, `key`.
fn encrypt_stream(req: &Request<'_>) -> OpResult {
    let identity = req.identity("seed")?;
    let plaintext = req.hex("plaintext")?;
    let domain = domain(req)?;
    let allow_large = req.bool_or("allow_large", false)?;
    let seed = identity.seed().expose_ed25519_seed();
    let upload = if allow_large {
        stream::encrypt_allow_large(seed, &plaintext, domain)
    } else {
        stream::encrypt(seed, &plaintext, domain)
    }
    .map_err(attachment_error)?;
    Ok(Output::new()
        .hex("ciphertext", &upload.data)
        .hex("key", upload.key.expose_bytes()))
}

/// `ciphertext`, `key` (32) → `plaintext`.
fn decrypt_stream(req: &Request<'_>) -> OpResult {
    let ciphertext = req.hex("ciphertext")?;
    let key = req.hex_array::<32>("key").map(StreamKey::from_bytes)?;
    let plaintext = stream::decrypt(&ciphertext, &key).map_err(attachment_error)?;
    Ok(Output::new().hex("plaintext", plaintext))
}

/// `len` → `encrypted_len`, `padding`.
fn stream_size(req: &Request<'_>) -> OpResult {
    let len = req.u64("len")?;
    // Sizes past 2^60 would overflow the arithmetic; no upload comes near.
    if len > 1 << 60 {
        return Err(OpError::bad_request("field `len` is too large"));
    }
    Ok(Output::new()
        .value("encrypted_len", stream::encrypted_size(len).into())
        .value("padding", stream::encrypted_padding(len).into()))
}
