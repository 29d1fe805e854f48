//! Request signing: the four `X-SOGS-*` headers, made exactly as the reference server verifies
//! them, and that verification (for servers and tests).
//!
//! The signed bytes are
//!
//! ```text
//! M = server key (32) ‖ nonce (16) ‖ timestamp (decimal ASCII) ‖ METHOD ‖ PATH ‖ BLAKE2b-64(body)
//! ```
//!
//! where `PATH` is the request path as the server sees it ([`signed_path`]: percent-decoded,
//! followed by `?` and the query as sent when there is a query) and the body hash is present
//! only for a non-empty body. The key is the account's Ed25519 key (`00` prefix) or one of its
//! blinded keys (`15`, `25`); blinded signatures verify as plain Ed25519 under the blinded key.

use base64::alphabet;
use base64::engine::general_purpose::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use rand_core::CryptoRng;
use session_identity::blinding::{BlindedKeyPair, BlindingKind};
use session_identity::hash::blake2b;
use session_identity::{xed25519, Ed25519PublicKey, Identity, Prefix, SessionId, Signature};

use crate::reply::Capabilities;
use crate::ServerKey;

/// Bytes of a request nonce.
pub const NONCE_LEN: usize = 16;
/// How far a request's timestamp may be from the server's clock, in seconds (either way).
pub const TIMESTAMP_TOLERANCE_SECS: u64 = 86_400;

/// The header names, in the order [`SignedHeaders::to_headers`] gives them.
pub const HEADER_NAMES: [&str; 4] = [
    "X-SOGS-Pubkey",
    "X-SOGS-Timestamp",
    "X-SOGS-Nonce",
    "X-SOGS-Signature",
];

/// The capability a server lists when it requires blinded keys.
pub const CAPABILITY_BLIND: &str = "blind";
/// The capability under which this crate signs with 25-blinded keys. The reference server
/// accepts only `00` and `15` keys and lists no such capability; a server that accepts `25`
/// keys says so with it.
pub const CAPABILITY_BLIND25: &str = "blind25";

/// Which key signs requests to a server: the one the server names its users by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthKind {
    /// The account's own Ed25519 key, `00` prefix; the server then knows the Session ID.
    Unblinded,
    /// The 15-blinded key for this server.
    Blind15,
    /// The 25-blinded key for this server.
    Blind25,
}

impl AuthKind {
    /// The `X-SOGS-Pubkey` prefix: `00`, `15` or `25`.
    pub const fn prefix(self) -> Prefix {
        match self {
            Self::Unblinded => Prefix::Unblinded,
            Self::Blind15 => Prefix::Blinded15,
            Self::Blind25 => Prefix::Blinded25,
        }
    }

    /// The blinding scheme, if any.
    pub const fn blinding(self) -> Option<BlindingKind> {
        match self {
            Self::Unblinded => None,
            Self::Blind15 => Some(BlindingKind::Blind15),
            Self::Blind25 => Some(BlindingKind::Blind25),
        }
    }

    /// The key a server with these capabilities expects, as clients choose it: 25-blinded when
    /// it lists [`CAPABILITY_BLIND25`], 15-blinded when it lists [`CAPABILITY_BLIND`], else
    /// unblinded (a server that does not require blinding also accepts 15-blinded keys; pick
    /// [`AuthKind::Blind15`] yourself to keep the Session ID from such a server).
    pub fn for_capabilities(capabilities: &Capabilities) -> Self {
        if capabilities.has(CAPABILITY_BLIND25) {
            Self::Blind25
        } else if capabilities.has(CAPABILITY_BLIND) {
            Self::Blind15
        } else {
            Self::Unblinded
        }
    }
}

/// The four signed headers of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    /// `X-SOGS-Pubkey`: `00`, `15` or `25` followed by the signing key.
    pub pubkey: SessionId,
    /// `X-SOGS-Timestamp`, Unix seconds.
    pub timestamp: u64,
    /// `X-SOGS-Nonce`.
    pub nonce: [u8; NONCE_LEN],
    /// `X-SOGS-Signature`.
    pub signature: Signature,
}

impl SignedHeaders {
    /// The headers as sent: the key in hex (66 digits), the timestamp in decimal, the nonce and
    /// the signature in padded base64 (24 and 88 characters), named as [`HEADER_NAMES`].
    pub fn to_headers(&self) -> [(&'static str, String); 4] {
        [
            (HEADER_NAMES[0], self.pubkey.to_hex()),
            (HEADER_NAMES[1], self.timestamp.to_string()),
            (HEADER_NAMES[2], STANDARD.encode(self.nonce)),
            (HEADER_NAMES[3], STANDARD.encode(self.signature.to_bytes())),
        ]
    }
}

/// Why an endpoint has no signed form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    /// The endpoint does not start with `/`.
    #[error("the endpoint does not start with /")]
    NotAbsolute,
    /// The percent-decoded path is not UTF-8 (the server refuses it).
    #[error("the percent-decoded path is not UTF-8")]
    NotUtf8,
}

/// The path bytes the server verifies for `endpoint` (a v4 `endpoint`: path and optional query).
///
/// As the reference server reads it: the endpoint is split at the first `?`; the path part is
/// percent-decoded (`%XX` with two hex digits; any other `%` stays) and must then be UTF-8; the
/// query, when not empty, follows after a `?` exactly as sent, **not** decoded. A bare trailing
/// `?` is dropped.
pub fn signed_path(endpoint: &str) -> Result<Vec<u8>, PathError> {
    if !endpoint.starts_with('/') {
        return Err(PathError::NotAbsolute);
    }
    let (path, query) = match endpoint.split_once('?') {
        Some((path, query)) => (path, query),
        None => (endpoint, ""),
    };
    let mut out = percent_decode(path.as_bytes());
    if core::str::from_utf8(&out).is_err() {
        return Err(PathError::NotUtf8);
    }
    if !query.is_empty() {
        out.push(b'?');
        out.extend_from_slice(query.as_bytes());
    }
    Ok(out)
}

fn percent_decode(input: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'%' && i + 2 < input.len() {
            if let (Some(hi), Some(lo)) = (hex(input[i + 1]), hex(input[i + 2])) {
                out.push(hi << 4 | lo);
                i += 3;
                continue;
            }
        }
        out.push(input[i]);
        i += 1;
    }
    out
}

/// The bytes a request signature covers: `server ‖ nonce ‖ decimal(timestamp) ‖ method ‖
/// signed_path ‖ BLAKE2b-64(body)`, the hash only when `body` is not empty. `signed_path` is
/// used as given (see [`signed_path`] for what the server expects).
pub fn signature_message(
    server: &ServerKey,
    nonce: &[u8; NONCE_LEN],
    timestamp: &str,
    method: &str,
    signed_path: &[u8],
    body: &[u8],
) -> Vec<u8> {
    let mut message = Vec::with_capacity(
        32 + NONCE_LEN + timestamp.len() + method.len() + signed_path.len() + 64,
    );
    message.extend_from_slice(server.as_bytes());
    message.extend_from_slice(nonce);
    message.extend_from_slice(timestamp.as_bytes());
    message.extend_from_slice(method.as_bytes());
    message.extend_from_slice(signed_path);
    if !body.is_empty() {
        // 64 bytes without a key are within BLAKE2b's parameters: this cannot fail.
        let hash = blake2b::<64>(body, None).unwrap_or([0; 64]);
        message.extend_from_slice(&hash);
    }
    message
}

#[derive(Clone)]
enum SigningKey {
    Unblinded(Box<Identity>),
    Blinded(BlindedKeyPair),
}

/// Signs requests (and posted messages) for one server with one key.
///
/// Holds the account's secrets (the identity, or the blinded key pair derived once); they are
/// zeroized on drop and `Debug` shows only the public key.
#[derive(Clone)]
pub struct Signer {
    kind: AuthKind,
    server: ServerKey,
    pubkey: SessionId,
    key: SigningKey,
}

impl core::fmt::Debug for Signer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Signer")
            .field("kind", &self.kind)
            .field("pubkey", &self.pubkey)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer for `identity` on the server `server`, with the key `kind` names.
    pub fn new(identity: &Identity, server: &ServerKey, kind: AuthKind) -> Self {
        let (pubkey, key) = match kind.blinding() {
            None => (
                SessionId::new(Prefix::Unblinded, identity.ed25519_public_key().to_bytes()),
                SigningKey::Unblinded(Box::new(identity.clone())),
            ),
            Some(blinding) => {
                let pair = identity.blinded_key_pair(blinding, &server.blinding_key());
                (pair.blinded_id(), SigningKey::Blinded(pair))
            }
        };
        Self {
            kind,
            server: *server,
            pubkey,
            key,
        }
    }

    /// The kind of key.
    pub fn kind(&self) -> AuthKind {
        self.kind
    }

    /// The server.
    pub fn server(&self) -> &ServerKey {
        &self.server
    }

    /// The `X-SOGS-Pubkey` value: `00`‖Ed25519 key, or the `15`/`25` blinded ID.
    pub fn pubkey(&self) -> SessionId {
        self.pubkey
    }

    /// The ID the server names this account by: the Session ID (`05`) for an unblinded key,
    /// else the blinded ID.
    pub fn server_id(&self) -> SessionId {
        match &self.key {
            SigningKey::Unblinded(identity) => identity.session_id(),
            SigningKey::Blinded(pair) => pair.blinded_id(),
        }
    }

    /// Signs `method` on `signed_path` (used as given; see [`signed_path`]) with `body` at
    /// `timestamp` (Unix seconds) with `nonce`.
    pub fn sign_request(
        &self,
        method: &str,
        signed_path: &[u8],
        body: &[u8],
        timestamp: u64,
        nonce: [u8; NONCE_LEN],
    ) -> SignedHeaders {
        let message = signature_message(
            &self.server,
            &nonce,
            &timestamp.to_string(),
            method,
            signed_path,
            body,
        );
        let signature = match &self.key {
            SigningKey::Unblinded(identity) => identity.sign(&message),
            SigningKey::Blinded(pair) => pair.sign(&message),
        };
        SignedHeaders {
            pubkey: self.pubkey,
            timestamp,
            nonce,
            signature,
        }
    }

    /// As [`Signer::sign_request`] with a nonce drawn from `rng` (16 bytes).
    pub fn sign_request_with_rng(
        &self,
        method: &str,
        signed_path: &[u8],
        body: &[u8],
        timestamp: u64,
        rng: &mut impl CryptoRng,
    ) -> SignedHeaders {
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill_bytes(&mut nonce);
        self.sign_request(method, signed_path, body, timestamp, nonce)
    }

    /// The signature of a posted message's `data`, as clients make it: with the blinded key
    /// (deterministic), or, for an unblinded key, an XEd25519 signature with the account's X25519
    /// key (64 bytes drawn from `rng`; none otherwise), verifiable against the Session ID.
    pub fn sign_message_data(&self, data: &[u8], rng: &mut impl CryptoRng) -> Signature {
        match &self.key {
            SigningKey::Unblinded(identity) => {
                xed25519::sign(identity.x25519_secret_key(), data, rng)
            }
            SigningKey::Blinded(pair) => pair.sign(data),
        }
    }
}

/// Verifies the signature of a posted message's data against the sender ID the server gives:
/// `15`/`25` as plain Ed25519 under the blinded key, `05` as XEd25519 under the X25519 key.
pub fn verify_message_data(
    sender: &SessionId,
    data: &[u8],
    signature: &Signature,
) -> Result<(), SignatureCheckError> {
    match sender.prefix() {
        Prefix::Blinded15 | Prefix::Blinded25 => Ed25519PublicKey::from_bytes(*sender.key_bytes())
            .verify(data, signature)
            .map_err(|_| SignatureCheckError::Invalid),
        Prefix::User => {
            let x = sender
                .x25519_public_key()
                .ok_or(SignatureCheckError::UnsupportedSender(sender.prefix()))?;
            xed25519::verify(&x, data, signature).map_err(|_| SignatureCheckError::Invalid)
        }
        other => Err(SignatureCheckError::UnsupportedSender(other)),
    }
}

/// Why a message signature was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureCheckError {
    /// Messages come from `05`, `15` or `25` IDs.
    #[error("no signature scheme for sender prefix {0}")]
    UnsupportedSender(Prefix),
    /// The signature does not verify.
    #[error("the signature does not verify")]
    Invalid,
}

/// Which `X-SOGS-Pubkey` prefixes a server accepts (`15` always).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AcceptedKeys {
    /// Whether `00` keys are accepted (the reference server refuses them when it requires
    /// blinded keys, its default).
    pub unblinded: bool,
    /// Whether `25` keys are accepted (the reference server never does).
    pub blind25: bool,
}

impl AcceptedKeys {
    /// What the reference server accepts with its default configuration: `15` only.
    pub const REFERENCE_DEFAULT: Self = Self {
        unblinded: false,
        blind25: false,
    };
}

/// Why a server refuses a request's authentication headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// Some but not all of the four headers are present (`count` missing).
    #[error("Invalid authentication headers: missing {0}/4 required X-SOGS-* headers")]
    Missing(usize),
    /// `X-SOGS-Pubkey` is not 33 bytes in hex or base64.
    #[error("Invalid authentication: X-SOGS-Pubkey is not a valid 66-hex digit id")]
    BadPubkey,
    /// The key's prefix is not one the server accepts.
    #[error("Invalid authentication: X-SOGS-Pubkey must be 00- or 15- prefixed")]
    UnsupportedPrefix,
    /// The key is not a valid Ed25519 point.
    #[error("Invalid authentication: given X-SOGS-Pubkey is not a valid Ed25519 pubkey")]
    InvalidPoint,
    /// An unblinded key where the server requires blinded ones (clients match this text and
    /// switch to blinded keys).
    #[error("Invalid authentication: this server requires the use of blinded ids")]
    BlindingRequired,
    /// `X-SOGS-Nonce` is not 16 bytes in hex or base64.
    #[error("Invalid authentication: X-SOGS-Nonce must be 16 bytes (encoded as base64 or hex)")]
    BadNonce,
    /// `X-SOGS-Signature` is not 64 bytes in hex or base64.
    #[error("Invalid authentication: X-SOGS-Signature is not base64[88]")]
    BadSignatureEncoding,
    /// `X-SOGS-Timestamp` is not an integer.
    #[error("Invalid authentication: X-SOGS-Timestamp is not a valid timestamp")]
    BadTimestamp,
    /// The timestamp is more than a day from the server's clock (status 425).
    #[error("Invalid authentication: X-SOGS-Timestamp is too far from current time")]
    StaleTimestamp,
    /// The nonce was used before by this key (status 425).
    #[error("Invalid authentication: X-SOGS-Nonce cannot be reused")]
    ReusedNonce,
    /// The endpoint has no signed form.
    #[error("Invalid authentication: bad request path")]
    BadPath,
    /// The signature does not verify (status 401).
    #[error("Invalid authentication: X-SOGS-Signature verification failed")]
    SignatureMismatch,
}

impl AuthError {
    /// The HTTP status the reference server answers with: 400 for malformed headers, 425 for a
    /// stale timestamp or a reused nonce, 401 for a bad signature.
    pub const fn status(self) -> u16 {
        match self {
            Self::StaleTimestamp | Self::ReusedNonce => 425,
            Self::SignatureMismatch => 401,
            _ => 400,
        }
    }
}

/// Standard base64, padding optional, loose trailing bits allowed (as Python's decoder).
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// `size` bytes from `2·size` hex digits or from base64 (padded or not), as the reference
/// server decodes header values.
fn decode_hex_or_base64<const N: usize>(text: &str) -> Option<[u8; N]> {
    let mut out = [0u8; N];
    if text.len() == 2 * N {
        return hex::decode_to_slice(text, &mut out).ok().map(|()| out);
    }
    let padded = N.div_ceil(3) * 4;
    let unpadded = (N * 4).div_ceil(3);
    if !(unpadded..=padded).contains(&text.len()) {
        return None;
    }
    let bytes = LENIENT_BASE64.decode(text).ok()?;
    (bytes.len() == N).then(|| {
        out.copy_from_slice(&bytes);
        out
    })
}

/// The authentication headers of a request, decoded as the reference server decodes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthHeaders {
    /// The signing key, with its `00`/`15`/`25` prefix.
    pub pubkey: SessionId,
    /// The nonce.
    pub nonce: [u8; NONCE_LEN],
    /// The timestamp, Unix seconds.
    pub timestamp: i64,
    /// The signature.
    pub signature: Signature,
    /// The timestamp header exactly as received (the signature covers this text).
    pub timestamp_text: String,
}

impl AuthHeaders {
    /// Decodes the four header values (`None` or empty = absent), in the reference server's
    /// order of checks. `Ok(None)`: all four absent, an anonymous request.
    pub fn parse(
        pubkey: Option<&str>,
        nonce: Option<&str>,
        timestamp: Option<&str>,
        signature: Option<&str>,
        accepted: AcceptedKeys,
    ) -> Result<Option<Self>, AuthError> {
        let values = [pubkey, nonce, timestamp, signature].map(|v| v.filter(|v| !v.is_empty()));
        let missing = values.iter().filter(|v| v.is_none()).count();
        if missing == 4 {
            return Ok(None);
        }
        let [Some(pubkey), Some(nonce), Some(timestamp), Some(signature)] = values else {
            return Err(AuthError::Missing(missing));
        };
        let key: [u8; 33] = decode_hex_or_base64(pubkey).ok_or(AuthError::BadPubkey)?;
        let prefix = match Prefix::from_byte(key[0]) {
            Some(Prefix::Blinded15) => Prefix::Blinded15,
            Some(Prefix::Unblinded) => Prefix::Unblinded,
            Some(Prefix::Blinded25) if accepted.blind25 => Prefix::Blinded25,
            _ => return Err(AuthError::UnsupportedPrefix),
        };
        let mut point = [0u8; 32];
        point.copy_from_slice(&key[1..]);
        xed25519::validate_ed25519_point(&Ed25519PublicKey::from_bytes(point))
            .map_err(|_| AuthError::InvalidPoint)?;
        if prefix == Prefix::Unblinded && !accepted.unblinded {
            return Err(AuthError::BlindingRequired);
        }
        let nonce = decode_hex_or_base64(nonce).ok_or(AuthError::BadNonce)?;
        let signature =
            decode_hex_or_base64::<64>(signature).ok_or(AuthError::BadSignatureEncoding)?;
        let parsed = parse_timestamp(timestamp).ok_or(AuthError::BadTimestamp)?;
        Ok(Some(Self {
            pubkey: SessionId::new(prefix, point),
            nonce,
            timestamp: parsed,
            signature: Signature::from_bytes(signature),
            timestamp_text: timestamp.to_owned(),
        }))
    }

    /// Whether the timestamp is within [`TIMESTAMP_TOLERANCE_SECS`] of `now` (Unix seconds).
    pub fn is_fresh(&self, now: u64) -> bool {
        let now = i128::from(now);
        let ts = i128::from(self.timestamp);
        let window = i128::from(TIMESTAMP_TOLERANCE_SECS);
        (now - window..=now + window).contains(&ts)
    }

    /// The ID the server names the user by: the blinded ID, or for a `00` key the Session ID
    /// of the Ed25519 key.
    pub fn user_id(&self) -> Result<SessionId, AuthError> {
        match self.pubkey.prefix() {
            Prefix::Unblinded => Ed25519PublicKey::from_bytes(*self.pubkey.key_bytes())
                .to_x25519()
                .map(SessionId::from_x25519)
                .map_err(|_| AuthError::InvalidPoint),
            _ => Ok(self.pubkey),
        }
    }

    /// Verifies the signature over `method` on `endpoint` (the v4 endpoint as received; see
    /// [`signed_path`]) with `body`, for the server `server`.
    pub fn verify(
        &self,
        server: &ServerKey,
        method: &str,
        endpoint: &str,
        body: &[u8],
    ) -> Result<(), AuthError> {
        let path = signed_path(endpoint).map_err(|_| AuthError::BadPath)?;
        let message = signature_message(
            server,
            &self.nonce,
            &self.timestamp_text,
            method,
            &path,
            body,
        );
        Ed25519PublicKey::from_bytes(*self.pubkey.key_bytes())
            .verify(&message, &self.signature)
            .map_err(|_| AuthError::SignatureMismatch)
    }
}

/// A decimal integer with an optional sign, as the reference server's `int()` reads a header.
fn parse_timestamp(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use session_identity::Seed;

    fn alice() -> Identity {
        Identity::from_seed(Seed::from_legacy_bytes(*b"0123456789abcdef"))
    }

    const SERVER: ServerKey = ServerKey::from_bytes([0xc3; 32]);

    #[test]
    fn signed_paths() {
        for (endpoint, signed) in [
            ("/capabilities", "/capabilities"),
            ("/capabilities?required=sogs", "/capabilities?required=sogs"),
            ("/room/x?", "/room/x"),
            ("/foo/%F0%9F%8D%8D%20%20%20%f0%9f%8d%8c", "/foo/🍍   🍌"),
            ("/r/🍆", "/r/🍆"),
            ("/a?b=%20", "/a?b=%20"),
            ("/100%", "/100%"),
            ("/x%zz", "/x%zz"),
            ("/x%2", "/x%2"),
        ] {
            assert_eq!(
                signed_path(endpoint).unwrap(),
                signed.as_bytes(),
                "{endpoint}"
            );
        }
        assert_eq!(signed_path("room"), Err(PathError::NotAbsolute));
        assert_eq!(signed_path("/a%ff"), Err(PathError::NotUtf8));
    }

    #[test]
    fn every_kind_verifies_as_the_server_checks() {
        let accepted = AcceptedKeys {
            unblinded: true,
            blind25: true,
        };
        for kind in [AuthKind::Unblinded, AuthKind::Blind15, AuthKind::Blind25] {
            let signer = Signer::new(&alice(), &SERVER, kind);
            assert_eq!(signer.pubkey().prefix(), kind.prefix());
            for body in [&b""[..], b"{\"a\":1}"] {
                let endpoint = "/room/lobby/messages/since/5?t=r&reactors=5";
                let path = signed_path(endpoint).unwrap();
                let headers = signer.sign_request("GET", &path, body, 1_700_000_000, [7; 16]);
                let h = headers.to_headers();
                assert_eq!(h[2].1.len(), 24);
                assert_eq!(h[3].1.len(), 88);
                let parsed = AuthHeaders::parse(
                    Some(&h[0].1),
                    Some(&h[2].1),
                    Some(&h[1].1),
                    Some(&h[3].1),
                    accepted,
                )
                .unwrap()
                .unwrap();
                parsed.verify(&SERVER, "GET", endpoint, body).unwrap();
                assert_eq!(
                    parsed.verify(&SERVER, "PUT", endpoint, body),
                    Err(AuthError::SignatureMismatch)
                );
                assert_eq!(
                    parsed.verify(&SERVER, "GET", endpoint, b"other"),
                    Err(AuthError::SignatureMismatch)
                );
                assert!(parsed.is_fresh(1_700_000_000 + 86_400));
                assert!(!parsed.is_fresh(1_700_000_000 + 86_401));
            }
        }
        // An empty body adds no hash: the hash of "" is not the same message.
        let m1 = signature_message(&SERVER, &[0; 16], "1", "GET", b"/", b"");
        assert_eq!(m1.len(), 32 + 16 + 1 + 3 + 1);
    }

    #[test]
    fn header_decoding_follows_the_server() {
        let signer = Signer::new(&alice(), &SERVER, AuthKind::Blind15);
        let h = signer
            .sign_request("GET", b"/", b"", 5, [1; 16])
            .to_headers();
        let ok = |pk: &str, nonce: &str, ts: &str, sig: &str, accepted| {
            AuthHeaders::parse(Some(pk), Some(nonce), Some(ts), Some(sig), accepted)
        };
        let default = AcceptedKeys::REFERENCE_DEFAULT;
        assert_eq!(
            AuthHeaders::parse(None, None, Some(""), None, default),
            Ok(None)
        );
        assert_eq!(
            AuthHeaders::parse(Some(&h[0].1), None, None, None, default),
            Err(AuthError::Missing(3))
        );
        // Hex nonces and unpadded base64 are accepted.
        let hex_nonce = hex::encode([1u8; 16]);
        let unpadded = h[2].1.trim_end_matches('=');
        for nonce in [&h[2].1[..], &hex_nonce, unpadded] {
            let parsed = ok(&h[0].1, nonce, &h[1].1, &h[3].1, default)
                .unwrap()
                .unwrap();
            parsed.verify(&SERVER, "GET", "/", b"").unwrap();
        }
        assert_eq!(
            ok(&h[0].1, "abc", &h[1].1, &h[3].1, default),
            Err(AuthError::BadNonce)
        );
        assert_eq!(
            ok(&h[0].1, &h[2].1, "12a", &h[3].1, default),
            Err(AuthError::BadTimestamp)
        );
        assert_eq!(
            ok(&h[0].1, &h[2].1, &h[1].1, "AAAA", default),
            Err(AuthError::BadSignatureEncoding)
        );
        assert_eq!(
            ok("15", &h[2].1, &h[1].1, &h[3].1, default),
            Err(AuthError::BadPubkey)
        );
        let b25 = Signer::new(&alice(), &SERVER, AuthKind::Blind25)
            .pubkey()
            .to_hex();
        assert_eq!(
            ok(&b25, &h[2].1, &h[1].1, &h[3].1, default),
            Err(AuthError::UnsupportedPrefix)
        );
        let b00 = Signer::new(&alice(), &SERVER, AuthKind::Unblinded)
            .pubkey()
            .to_hex();
        assert_eq!(
            ok(&b00, &h[2].1, &h[1].1, &h[3].1, default),
            Err(AuthError::BlindingRequired)
        );
        let small_order = format!("15{}", "00".repeat(32));
        assert_eq!(
            ok(&small_order, &h[2].1, &h[1].1, &h[3].1, default),
            Err(AuthError::InvalidPoint)
        );
        assert_eq!(AuthError::StaleTimestamp.status(), 425);
        assert_eq!(AuthError::SignatureMismatch.status(), 401);
    }

    #[test]
    fn message_data_signatures() {
        let mut rng = rand::rng();
        for kind in [AuthKind::Unblinded, AuthKind::Blind15, AuthKind::Blind25] {
            let signer = Signer::new(&alice(), &SERVER, kind);
            let sig = signer.sign_message_data(b"data", &mut rng);
            verify_message_data(&signer.server_id(), b"data", &sig).unwrap();
            assert_eq!(
                verify_message_data(&signer.server_id(), b"date", &sig),
                Err(SignatureCheckError::Invalid)
            );
        }
    }
}
