//! Download URLs: `scheme://host[:port]/file/<id>[#fragment]`.

use core::fmt;

use session_identity::Ed25519PublicKey;

use crate::{FileId, FileServer, FileServerError, DEFAULT_HOST};

/// A file-server download URL, as `AttachmentPointer.url` and profile-picture URLs carry it.
///
/// The fragment (never sent to the server) holds `&`-separated fields:
/// - `p=<64 hex>`: a non-default server's **Ed25519** key (converted to its X25519 onion key);
/// - `d` (or `d=`, as desktop releases wrote it): the upload uses the deterministic stream
///   scheme; both forms are read, the bare `d` is written;
/// - `e=<hex>`: a profile picture's key;
/// - `sr=<host[:port]>`: a session-router file-server target (newer libsession), kept as text.
///
/// Other fields are ignored. The legacy path `/files/<id>` is read as `/file/<id>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileUrl {
    scheme: String,
    host: String,
    port: Option<u16>,
    id: FileId,
    server_key: Option<Ed25519PublicKey>,
    deterministic: bool,
    profile_key: Option<Vec<u8>>,
    session_router: Option<String>,
}

impl FileUrl {
    pub(crate) fn for_server(server: &FileServer, id: FileId) -> Self {
        Self {
            scheme: server.scheme().to_owned(),
            host: server.host().to_owned(),
            port: server.port(),
            id,
            server_key: if server.is_default() {
                None
            } else {
                server.ed25519().copied()
            },
            deterministic: false,
            profile_key: None,
            session_router: None,
        }
    }

    /// Reads a URL.
    pub fn parse(url: &str) -> Result<Self, FileServerError> {
        let (main, fragment) = match url.split_once('#') {
            Some((main, fragment)) => (main, Some(fragment)),
            None => (url, None),
        };
        let (scheme, rest) = main.split_once("://").ok_or(FileServerError::BadUrl)?;
        if scheme != "http" && scheme != "https" {
            return Err(FileServerError::BadUrl);
        }
        let (authority, path) = rest.split_once('/').ok_or(FileServerError::BadUrl)?;
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) => (
                host,
                Some(port.parse::<u16>().map_err(|_| FileServerError::BadUrl)?),
            ),
            None => (authority, None),
        };
        let host_ok = !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
        if !host_ok {
            return Err(FileServerError::BadUrl);
        }
        let id = path
            .strip_prefix("file/")
            .or_else(|| path.strip_prefix("files/"))
            .ok_or(FileServerError::BadUrl)?;
        let id = FileId::new(id).map_err(|_| FileServerError::BadUrl)?;
        let mut parsed = Self {
            scheme: scheme.to_owned(),
            host: host.to_owned(),
            port,
            id,
            server_key: None,
            deterministic: false,
            profile_key: None,
            session_router: None,
        };
        for field in fragment.into_iter().flat_map(|f| f.split('&')) {
            let (name, value) = match field.split_once('=') {
                Some((name, value)) => (name, Some(value)),
                None => (field, None),
            };
            match name {
                "d" => parsed.deterministic = true,
                "p" => {
                    let key = value
                        .and_then(|v| hex::decode(v).ok())
                        .and_then(|v| <[u8; 32]>::try_from(v).ok())
                        .map(Ed25519PublicKey::from_bytes)
                        .filter(|k| k.to_x25519().is_ok())
                        .ok_or(FileServerError::BadFragment("p"))?;
                    parsed.server_key = Some(key);
                }
                "e" => {
                    let key = value
                        .and_then(|v| hex::decode(v).ok())
                        .ok_or(FileServerError::BadFragment("e"))?;
                    parsed.profile_key = Some(key);
                }
                "sr" => parsed.session_router = value.map(str::to_owned),
                _ => {}
            }
        }
        Ok(parsed)
    }

    /// The file's id.
    pub fn id(&self) -> &FileId {
        &self.id
    }

    /// The host.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Whether the upload uses the deterministic stream scheme (`d`).
    pub fn is_deterministic(&self) -> bool {
        self.deterministic
    }

    /// The server's Ed25519 key from `p`, if given.
    pub fn server_key(&self) -> Option<&Ed25519PublicKey> {
        self.server_key.as_ref()
    }

    /// The profile key from `e`, if given.
    pub fn profile_key(&self) -> Option<&[u8]> {
        self.profile_key.as_deref()
    }

    /// The session-router target from `sr`, if given.
    pub fn session_router(&self) -> Option<&str> {
        self.session_router.as_deref()
    }

    /// Sets or clears the `d` field.
    #[must_use]
    pub fn deterministic(mut self, deterministic: bool) -> Self {
        self.deterministic = deterministic;
        self
    }

    /// Sets the `e` field (a profile picture's key).
    #[must_use]
    pub fn with_profile_key(mut self, key: &[u8]) -> Self {
        self.profile_key = Some(key.to_vec());
        self
    }

    /// The server to download from: the one `p` names, or the default server at the URL's
    /// host. A non-default host without `p` is [`FileServerError::UnknownServerKey`].
    pub fn server(&self) -> Result<FileServer, FileServerError> {
        match &self.server_key {
            Some(key) => {
                FileServer::from_ed25519(self.scheme.clone(), self.host.clone(), self.port, *key)
            }
            None if self.host == DEFAULT_HOST => {
                let default = FileServer::default();
                Ok(FileServer::new(
                    self.scheme.clone(),
                    self.host.clone(),
                    self.port,
                    *default.x25519(),
                ))
            }
            None => Err(FileServerError::UnknownServerKey(self.host.clone())),
        }
    }
}

impl fmt::Display for FileUrl {
    /// `scheme://host[:port]/file/<id>`, then the fragment fields `p`, `e`, `sr`, `d` that are
    /// set.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme, self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        write!(f, "/file/{}", self.id)?;
        let mut fields: Vec<String> = Vec::new();
        if let Some(key) = &self.server_key {
            fields.push(format!("p={}", hex::encode(key.as_bytes())));
        }
        if let Some(key) = &self.profile_key {
            fields.push(format!("e={}", hex::encode(key)));
        }
        if let Some(target) = &self.session_router {
            fields.push(format!("sr={target}"));
        }
        if self.deterministic {
            fields.push("d".to_owned());
        }
        if !fields.is_empty() {
            write!(f, "#{}", fields.join("&"))?;
        }
        Ok(())
    }
}
