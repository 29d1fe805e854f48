//! Community (SOGS) addresses as the configs store them: a canonical base URL, a room token
//! and the server's public key.

use alloc::string::String;
use core::fmt;

use session_identity::X25519PublicKey;

/// The longest canonical base URL, in bytes.
pub const BASE_URL_MAX_LENGTH: usize = 267;

/// The longest room token, in bytes.
pub const ROOM_MAX_LENGTH: usize = 64;

/// Why a community address was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CommunityError {
    /// The URL does not start with `http://` or `https://` (any case).
    #[error("community URL: missing or unknown protocol")]
    Protocol,
    /// The host name is not letters, digits, `-` and inner dots, at least 4 characters with
    /// a dot.
    #[error("community URL: invalid host name")]
    Host,
    /// The port is not a number from 0 to 65535.
    #[error("community URL: invalid port")]
    Port,
    /// Something follows the host and port (a path is not allowed; one `/` is).
    #[error("community URL: unexpected trailing text")]
    Trailing,
    /// The canonical base URL is longer than [`BASE_URL_MAX_LENGTH`].
    #[error("community URL: base URL too long")]
    BaseUrlTooLong,
    /// An empty room token.
    #[error("community room: empty token")]
    EmptyRoom,
    /// A room token longer than [`ROOM_MAX_LENGTH`].
    #[error("community room: token too long")]
    RoomTooLong,
    /// A room token with characters other than letters, digits, `-` and `_`.
    #[error("community room: invalid characters")]
    RoomCharacters,
}

/// The canonical form of a community base URL: the protocol and host lower-cased, the default
/// port (80 for http, 443 for https) dropped, one trailing `/` removed; no path allowed.
///
/// ```
/// use session_config::canonical_url;
/// assert_eq!(canonical_url("HTTPS://Example.COM:443/").unwrap(), "https://example.com");
/// assert_eq!(canonical_url("http://example.com:8080").unwrap(), "http://example.com:8080");
/// assert!(canonical_url("https://example.com/path").is_err());
/// ```
pub fn canonical_url(url: &str) -> Result<String, CommunityError> {
    let (scheme, mut rest) = url.split_once("://").ok_or(CommunityError::Protocol)?;
    let proto = if scheme.eq_ignore_ascii_case("http") {
        "http://"
    } else if scheme.eq_ignore_ascii_case("https") {
        "https://"
    } else {
        return Err(CommunityError::Protocol);
    };
    let mut host = String::new();
    let mut dot_allowed = false;
    let mut has_dot = false;
    while let Some(c) = rest.chars().next() {
        if c.is_ascii_digit() || c.is_ascii_lowercase() || c == '-' {
            host.push(c);
            dot_allowed = true;
        } else if c.is_ascii_uppercase() {
            host.push(c.to_ascii_lowercase());
            dot_allowed = true;
        } else if dot_allowed && c == '.' {
            host.push('.');
            has_dot = true;
            dot_allowed = false;
        } else {
            break;
        }
        rest = &rest[1..];
    }
    if host.len() < 4 || !has_dot || host.ends_with('.') {
        return Err(CommunityError::Host);
    }
    let mut port: u16 = 0;
    if let Some(after) = rest.strip_prefix(':') {
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        port = after[..digits].parse().map_err(|_| CommunityError::Port)?;
        rest = &after[digits..];
        if (port == 80 && proto == "http://") || (port == 443 && proto == "https://") {
            port = 0;
        }
    }
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    if !rest.is_empty() {
        return Err(CommunityError::Trailing);
    }
    let mut out = String::from(proto);
    out.push_str(&host);
    if port != 0 {
        out.push(':');
        out.push_str(&alloc::format!("{port}"));
    }
    if out.len() > BASE_URL_MAX_LENGTH {
        return Err(CommunityError::BaseUrlTooLong);
    }
    Ok(out)
}

/// The canonical (lower-case) form of a room token, checked: 1 to 64 letters, digits, `-`
/// and `_`.
pub fn canonical_room(room: &str) -> Result<String, CommunityError> {
    let room = room.to_ascii_lowercase();
    if room.len() > ROOM_MAX_LENGTH {
        return Err(CommunityError::RoomTooLong);
    }
    if room.is_empty() {
        return Err(CommunityError::EmptyRoom);
    }
    if !room
        .bytes()
        .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase() || b == b'-' || b == b'_')
    {
        return Err(CommunityError::RoomCharacters);
    }
    Ok(room)
}

/// A community room: the server's canonical base URL, the room token (as given: UserGroups
/// keeps its case, and every lookup ignores it) and the server's X25519 public key.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Community {
    base_url: String,
    room: String,
    pubkey: [u8; 32],
}

impl fmt::Debug for Community {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Community")
            .field("base_url", &self.base_url)
            .field("room", &self.room)
            .field("pubkey", &X25519PublicKey::from_bytes(self.pubkey).to_hex())
            .finish()
    }
}

impl Community {
    /// The room `room` of the server at `base_url` (made canonical) with public key `pubkey`.
    pub fn new(base_url: &str, room: &str, pubkey: [u8; 32]) -> Result<Self, CommunityError> {
        let base_url = canonical_url(base_url)?;
        canonical_room(room)?;
        Ok(Self {
            base_url,
            room: room.into(),
            pubkey,
        })
    }

    /// The canonical base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The room token, as given.
    pub fn room(&self) -> &str {
        &self.room
    }

    /// The room token, lower-cased: the key it is stored under.
    pub fn room_norm(&self) -> String {
        self.room.to_ascii_lowercase()
    }

    /// The server's public key.
    pub fn pubkey(&self) -> &[u8; 32] {
        &self.pubkey
    }

    /// `base_url/room?public_key=<hex>`: the form clients share.
    pub fn full_url(&self) -> String {
        alloc::format!(
            "{}/{}?public_key={}",
            self.base_url,
            self.room,
            X25519PublicKey::from_bytes(self.pubkey).to_hex()
        )
    }
}
