//! [`AttachmentPointer`]s as clients fill them in, and decryption driven by one.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::legacy::{self, LegacyEncrypted, LegacyKeys, DIGEST_LEN};
use super::stream::{self, StreamKey};
use super::AttachmentError;
use crate::proto::AttachmentPointer;

/// `AttachmentPointer.flags` bit of a voice message (`Flags.VOICE_MESSAGE`).
pub const VOICE_MESSAGE_FLAG: u32 = 1;
/// The content type the desktop client gives a recorded voice message.
pub const VOICE_MESSAGE_CONTENT_TYPE: &str = "audio/mp3";
/// The file name the desktop client gives a recorded voice message.
pub const VOICE_MESSAGE_FILE_NAME: &str = "session-audio-message";

/// Which encryption an attachment's upload uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scheme {
    /// AES-256-CBC + HMAC-SHA256 with a digest ([`legacy`]).
    Legacy,
    /// The deterministic stream scheme ([`stream`]).
    Stream,
}

/// Whether the fragment of `url` (after `#`, `&`-separated) has a `d` field: written bare (`#d`)
/// by newer clients, as `d=` by desktop releases that used `URLSearchParams`; both are read.
pub fn url_has_stream_flag(url: &str) -> bool {
    let Some((_, fragment)) = url.split_once('#') else {
        return false;
    };
    fragment
        .split('&')
        .any(|field| field == "d" || field.starts_with("d="))
}

/// Why a pointer does not describe a decryptable attachment.
fn missing_key(found: usize, expected: usize) -> AttachmentError {
    AttachmentError::KeyLength { expected, found }
}

impl AttachmentPointer {
    /// A pointer to a legacy upload at `url`: the 64-byte key, the digest and the unpadded
    /// `size` (`id` 0, as clients send it now that files are found by URL).
    pub fn for_legacy(
        url: impl Into<String>,
        keys: &LegacyKeys,
        upload: &LegacyEncrypted,
        size: u32,
    ) -> Self {
        Self {
            id: Some(0),
            key: Some(keys.expose_bytes().to_vec()),
            digest: Some(upload.digest.to_vec()),
            size: Some(size),
            url: Some(url.into()),
            ..Self::default()
        }
    }

    /// A pointer to a stream-scheme upload: the 32-byte key, no digest, and `url`, to which the
    /// `d` fragment field is added unless it is there already.
    pub fn for_stream(url: impl Into<String>, key: &StreamKey, size: u32) -> Self {
        let mut url = url.into();
        if !url_has_stream_flag(&url) {
            url.push(if url.contains('#') { '&' } else { '#' });
            url.push('d');
        }
        Self {
            id: Some(0),
            key: Some(key.expose_bytes().to_vec()),
            size: Some(size),
            url: Some(url),
            ..Self::default()
        }
    }

    /// Marks the pointer as a voice message: the flag, the desktop client's content type and
    /// file name, and the caller's duration-free metadata left as it is.
    #[must_use]
    pub fn into_voice_message(mut self) -> Self {
        self.flags = Some(self.flags.unwrap_or(0) | VOICE_MESSAGE_FLAG);
        self.content_type = Some(VOICE_MESSAGE_CONTENT_TYPE.to_string());
        self.file_name = Some(VOICE_MESSAGE_FILE_NAME.to_string());
        self
    }

    /// Whether the voice-message flag is set (`(flags & 1) == 1`, as receivers test it).
    pub fn is_voice_message(&self) -> bool {
        self.flags.unwrap_or(0) & VOICE_MESSAGE_FLAG == VOICE_MESSAGE_FLAG
    }

    /// The scheme of the upload, from the URL's fragment.
    pub fn scheme(&self) -> Scheme {
        match self.url.as_deref() {
            Some(url) if url_has_stream_flag(url) => Scheme::Stream,
            _ => Scheme::Legacy,
        }
    }

    /// Decrypts `download` as this pointer describes it: the stream scheme with its 32-byte key,
    /// or the legacy scheme with its 64-byte key, 32-byte digest (absent or any other length is
    /// refused, where the desktop client compares only the bytes it is given) and size (absent
    /// keeps the padding; 0 is refused, as the desktop client refuses it).
    pub fn decrypt(&self, download: &[u8]) -> Result<Vec<u8>, AttachmentError> {
        let key = self.key.as_deref().unwrap_or_default();
        match self.scheme() {
            Scheme::Stream => {
                let key = StreamKey::from_slice(key)
                    .map_err(|_| missing_key(key.len(), stream::KEY_LEN))?;
                stream::decrypt(download, &key)
            }
            Scheme::Legacy => {
                let keys = LegacyKeys::from_slice(key)?;
                let digest = self
                    .digest
                    .as_deref()
                    .ok_or(AttachmentError::MissingDigest)?;
                let digest = <&[u8; DIGEST_LEN]>::try_from(digest)
                    .map_err(|_| AttachmentError::DigestLength(digest.len()))?;
                legacy::decrypt(&keys, download, digest, self.size.map(u64::from))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments() {
        for (url, d) in [
            ("http://filev2.getsession.org/file/abc", false),
            ("http://filev2.getsession.org/file/abc#d", true),
            ("http://filev2.getsession.org/file/abc#d=", true),
            ("http://filev2.getsession.org/file/abc#p=00&d", true),
            ("http://filev2.getsession.org/file/abc#p=00&d=&x", true),
            ("http://filev2.getsession.org/file/abc#dd", false),
            ("http://filev2.getsession.org/file/abc#p=d", false),
            ("http://x/file/d", false),
        ] {
            assert_eq!(url_has_stream_flag(url), d, "{url}");
        }
        let key = StreamKey::from_bytes([1; 32]);
        let p = AttachmentPointer::for_stream("http://x/file/1", &key, 3);
        assert_eq!(p.url.as_deref(), Some("http://x/file/1#d"));
        let p = AttachmentPointer::for_stream("http://x/file/1#p=ab", &key, 3);
        assert_eq!(p.url.as_deref(), Some("http://x/file/1#p=ab&d"));
        assert_eq!(p.scheme(), Scheme::Stream);
        let voice = p.into_voice_message();
        assert!(voice.is_voice_message());
        assert_eq!(voice.content_type.as_deref(), Some("audio/mp3"));
    }
}
