//! A community server: its public key, its address and the join URL that carries both.

use core::fmt;
use core::str::FromStr;

use session_identity::{Ed25519PublicKey, X25519PublicKey};
use session_onion::ServerDestination;

use crate::RoomToken;

/// The onion endpoint every community server serves v4 requests on.
pub const ONION_TARGET: &str = "/oxen/v4/lsrpc";

/// A community server's public key, as the join URL's `public_key` gives it.
///
/// The reference server makes it as an X25519 key, and that one key serves three purposes: it is
/// the onion destination key, the first 32 bytes of every signed request, and the input of the
/// blinding factors. (The blinding functions of `session-identity` take it as an
/// [`Ed25519PublicKey`] only because they treat it as 32 opaque bytes.)
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServerKey([u8; 32]);

impl ServerKey {
    /// The key from its bytes.
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The key from 64 hex digits (either case).
    pub fn from_hex(text: &str) -> Result<Self, ServerError> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text, &mut bytes).map_err(|_| ServerError::BadPublicKey)?;
        Ok(Self(bytes))
    }

    /// The bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lower-case hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// The key as the onion destination key.
    pub fn x25519(&self) -> X25519PublicKey {
        X25519PublicKey::from_bytes(self.0)
    }

    /// The key in the form the blinding and blinded-DM functions take.
    pub fn blinding_key(&self) -> Ed25519PublicKey {
        Ed25519PublicKey::from_bytes(self.0)
    }
}

impl fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ServerKey({})", self.to_hex())
    }
}

impl fmt::Display for ServerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// Why a server address or join URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The scheme is neither `http` nor `https`.
    #[error("unsupported scheme (expected http or https)")]
    BadScheme,
    /// The host is empty or contains a character a host name cannot.
    #[error("bad host")]
    BadHost,
    /// The port is not a number from 1 to 65535.
    #[error("bad port")]
    BadPort,
    /// The room token is not 1 to 64 letters, digits, `_` or `-`.
    #[error("bad room token")]
    BadRoom,
    /// There is no `public_key` query parameter.
    #[error("the join URL has no public_key")]
    MissingPublicKey,
    /// `public_key` is not 64 hex digits.
    #[error("public_key is not 64 hex digits")]
    BadPublicKey,
}

/// The two schemes a community server is reached over (by the exit node).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// `http`: the exit node talks plain HTTP to the server (the onion layers give
    /// confidentiality).
    Http,
    /// `https`.
    Https,
}

impl Scheme {
    /// `http` or `https`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Https => "https",
        }
    }

    /// 80 or 443.
    pub const fn default_port(self) -> u16 {
        match self {
            Self::Http => 80,
            Self::Https => 443,
        }
    }
}

/// A community server: where it is and its key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Server {
    scheme: Scheme,
    host: String,
    port: Option<u16>,
    key: ServerKey,
}

fn valid_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

impl Server {
    /// A server at `host` (a DNS name or IPv4 address) over `scheme`, on `port` (the scheme's
    /// default when `None`), with public key `key`.
    pub fn new(
        scheme: Scheme,
        host: &str,
        port: Option<u16>,
        key: ServerKey,
    ) -> Result<Self, ServerError> {
        if !valid_host(host) {
            return Err(ServerError::BadHost);
        }
        if port == Some(0) {
            return Err(ServerError::BadPort);
        }
        Ok(Self {
            scheme,
            host: host.to_ascii_lowercase(),
            port: port.filter(|&p| p != scheme.default_port()),
            key,
        })
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The host (lower case).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(self.scheme.default_port())
    }

    /// The server's public key.
    pub fn key(&self) -> &ServerKey {
        &self.key
    }

    /// The onion destination: `host`, [`ONION_TARGET`], the scheme and, when it is not the
    /// scheme's default, the port; the server key as the destination key.
    pub fn destination(&self) -> ServerDestination {
        ServerDestination::new(
            self.host.clone(),
            ONION_TARGET,
            self.scheme.as_str(),
            self.port,
            self.key.x25519(),
        )
    }

    /// `scheme://host[:port]`, without a trailing `/`.
    pub fn base_url(&self) -> String {
        match self.port {
            Some(port) => format!("{}://{}:{port}", self.scheme.as_str(), self.host),
            None => format!("{}://{}", self.scheme.as_str(), self.host),
        }
    }

    /// The join URL of `room`: `scheme://host[:port]/room?public_key=<hex>`.
    pub fn join_url(&self, room: &RoomToken) -> String {
        format!("{}/{room}?public_key={}", self.base_url(), self.key)
    }
}

/// A parsed join URL: the server and the room.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JoinUrl {
    /// The server.
    pub server: Server,
    /// The room.
    pub room: RoomToken,
}

impl FromStr for JoinUrl {
    type Err = ServerError;

    /// Reads `http[s]://host[:port]/room?public_key=<64 hex>` (other query parameters are
    /// ignored; a `/r/` before the room, as web links write it, is accepted).
    fn from_str(url: &str) -> Result<Self, Self::Err> {
        let (scheme, rest) = if let Some(rest) = strip_prefix_ignore_case(url, "https://") {
            (Scheme::Https, rest)
        } else if let Some(rest) = strip_prefix_ignore_case(url, "http://") {
            (Scheme::Http, rest)
        } else {
            return Err(ServerError::BadScheme);
        };
        let (authority, rest) = rest.split_once('/').ok_or(ServerError::BadRoom)?;
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) => {
                let port: u16 = port.parse().map_err(|_| ServerError::BadPort)?;
                (host, Some(port))
            }
            None => (authority, None),
        };
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let room = path.strip_prefix("r/").unwrap_or(path);
        let room = room.strip_suffix('/').unwrap_or(room);
        let room = RoomToken::new(room).map_err(|_| ServerError::BadRoom)?;
        let key = query
            .split('&')
            .find_map(|pair| pair.strip_prefix("public_key="))
            .ok_or(ServerError::MissingPublicKey)?;
        let key = ServerKey::from_hex(key)?;
        Ok(Self {
            server: Server::new(scheme, host, port, key)?,
            room,
        })
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "a03c383cf63c3c4efe67acc52112a6dd734b3a946b9545f488aaa93da7991238";

    #[test]
    fn join_urls_round_trip() {
        let url: JoinUrl = format!("https://open.getsession.org/session?public_key={KEY}")
            .parse()
            .unwrap();
        assert_eq!(url.server.host(), "open.getsession.org");
        assert_eq!(url.server.port(), 443);
        assert_eq!(url.room.as_str(), "session");
        assert_eq!(url.server.key().to_hex(), KEY);
        assert_eq!(
            url.server.join_url(&url.room),
            format!("https://open.getsession.org/session?public_key={KEY}")
        );
        let local: JoinUrl = format!("http://127.0.0.1:8080/r/lobby/?x=1&public_key={KEY}")
            .parse()
            .unwrap();
        assert_eq!(local.server.port(), 8080);
        assert_eq!(local.server.destination().port(), 8080);
        assert_eq!(local.server.destination().protocol(), "http");
        assert_eq!(local.room.as_str(), "lobby");
    }

    #[test]
    fn bad_join_urls() {
        for (url, error) in [
            (
                format!("ftp://x/r?public_key={KEY}"),
                ServerError::BadScheme,
            ),
            (format!("https://x?public_key={KEY}"), ServerError::BadRoom),
            (
                format!("https://x:0/r?public_key={KEY}"),
                ServerError::BadPort,
            ),
            (
                format!("https://x:99999/r?public_key={KEY}"),
                ServerError::BadPort,
            ),
            (format!("https:///r?public_key={KEY}"), ServerError::BadHost),
            (
                format!("https://x/a b?public_key={KEY}"),
                ServerError::BadRoom,
            ),
            ("https://x/r".to_owned(), ServerError::MissingPublicKey),
            (
                "https://x/r?public_key=00".to_owned(),
                ServerError::BadPublicKey,
            ),
        ] {
            assert_eq!(url.parse::<JoinUrl>(), Err(error), "{url}");
        }
    }
}
