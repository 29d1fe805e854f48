//! Moving bytes: POST a body to a service node or a seed, get a status and a body back.
//!
//! The protocol crates produce every byte a request carries (onion layers, signed storage
//! requests); a [`Transport`] only moves them. [`HttpsTransport`] is the default, speaking
//! HTTPS as Session Desktop does (NETWORK.md §1):
//!
//! - **service nodes** present self-signed certificates, which are accepted without a chain
//!   check (the onion layers, encrypted to each node's X25519 key from the seed list, carry the
//!   security); the handshake signature is still verified, so the connection is at least to
//!   the holder of the certificate's key;
//! - **seed nodes** are pinned: a seed's certificate must hash (SHA-256 over its DER) to the
//!   pin configured for it ([`SeedNode::pinned`]), or the connection is refused. A seed given
//!   as `http://` (a loopback network from `session-node`, or the public testnet's seed) is
//!   spoken to in plain HTTP.
//!
//! Connections are reused (one pool per transport), every request has its own timeout, and a
//! reply body larger than [`MAX_RESPONSE_LEN`] is refused rather than buffered.
//!
//! A QUIC transport (libsession's newer one) can implement the same trait later.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};

/// The largest reply body a transport reads (the storage server's own request limit).
pub const MAX_RESPONSE_LEN: usize = 10 * 1024 * 1024;

/// One HTTP POST.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    /// `https://<ip>:<port>/onion_req/v2`, `http://127.0.0.1:22000/json_rpc`, …
    pub url: String,
    /// The body.
    pub body: Vec<u8>,
    /// `Content-Type`, when the endpoint wants one (`application/json` for JSON-RPC).
    pub content_type: Option<&'static str>,
    /// How long to wait for the whole answer.
    pub timeout: Duration,
}

/// The answer to an [`HttpRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
}

/// Why no answer came back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The connection could not be made (refused, unreachable, TLS refused).
    #[error("cannot connect: {0}")]
    Connect(String),
    /// No complete answer within the request's timeout.
    #[error("timed out")]
    Timeout,
    /// The answer's body was larger than [`MAX_RESPONSE_LEN`].
    #[error("reply body over {MAX_RESPONSE_LEN} bytes")]
    ResponseTooLarge,
    /// The URL cannot be used.
    #[error("bad URL: {0}")]
    BadUrl(String),
    /// Anything else the HTTP layer reported (a connection dropped mid-answer, say).
    #[error("HTTP failure: {0}")]
    Http(String),
}

/// Something that can POST bytes. Implementations must be cheap to share between tasks.
pub trait Transport: Send + Sync + 'static {
    /// Sends `request` and waits for the answer.
    fn post(
        &self,
        request: HttpRequest,
    ) -> impl Future<Output = Result<HttpResponse, TransportError>> + Send;
}

/// A seed node: where a client first learns the node list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedNode {
    /// Base URL, ending in `/` (`https://seed1.getsession.org:4443/`).
    pub url: String,
    /// SHA-256 of the seed's certificate (DER), for `https://` seeds.
    pub certificate_sha256: Option<[u8; 32]>,
}

impl SeedNode {
    /// A seed spoken to in plain HTTP: a loopback network's (`session-node`) or the public
    /// testnet's.
    pub fn plain(url: impl Into<String>) -> Self {
        Self {
            url: with_trailing_slash(url.into()),
            certificate_sha256: None,
        }
    }

    /// An HTTPS seed whose certificate must hash to `certificate_sha256`.
    pub fn pinned(url: impl Into<String>, certificate_sha256: [u8; 32]) -> Self {
        Self {
            url: with_trailing_slash(url.into()),
            certificate_sha256: Some(certificate_sha256),
        }
    }

    /// The seed's JSON-RPC endpoint.
    pub fn json_rpc_url(&self) -> String {
        format!("{}json_rpc", self.url)
    }

    /// Session's three mainnet seeds on port 4443 with the certificate fingerprints Session
    /// Desktop pins (NETWORK.md §1.1). **Untested here**: this build's tests never reach the
    /// public network.
    pub fn mainnet() -> Vec<Self> {
        const PINS: [(&str, &str); 3] = [
            (
                "https://seed1.getsession.org:4443/",
                "36EA0B253537988551EE856E4FD20D55011E9C8B27EAA2F34B8F32A0BDF04F2D",
            ),
            (
                "https://seed2.getsession.org:4443/",
                "C5908DD4139ACD96AEDD1E45576597650809C8A5EA02AF556D4853D45396E0E7",
            ),
            (
                "https://seed3.getsession.org:4443/",
                "8A0AF2C712342F22CE00E53C1601410EF8D84156AEE0A9809C32F6F7EFBE556E",
            ),
        ];
        PINS.iter()
            .filter_map(|(url, pin)| {
                let mut bytes = [0u8; 32];
                hex::decode_to_slice(pin, &mut bytes).ok()?;
                Some(Self::pinned(*url, bytes))
            })
            .collect()
    }
}

/// The seed's base URL: given with or without its `json_rpc` endpoint, with a final `/`.
fn with_trailing_slash(mut url: String) -> String {
    if let Some(base) = url.strip_suffix("json_rpc") {
        url = base.to_owned();
    }
    if !url.ends_with('/') {
        url.push('/');
    }
    url
}

/// The default transport: HTTPS through reqwest and rustls (ring provider).
#[derive(Debug, Clone)]
pub struct HttpsTransport {
    nodes: reqwest::Client,
    seeds: Vec<(String, reqwest::Client)>,
}

impl HttpsTransport {
    /// A transport for service nodes, plain-HTTP seeds and the given pinned seeds.
    pub fn new(seeds: &[SeedNode]) -> Result<Self, TransportError> {
        let nodes = client_with(Arc::new(AnyCertificate::new()))?;
        let mut pinned = Vec::new();
        for seed in seeds {
            if let Some(pin) = seed.certificate_sha256 {
                pinned.push((
                    seed.url.clone(),
                    client_with(Arc::new(PinnedCertificate::new(pin)))?,
                ));
            }
        }
        Ok(Self {
            nodes,
            seeds: pinned,
        })
    }

    fn client_for(&self, url: &str) -> Result<&reqwest::Client, TransportError> {
        if url.starts_with("http://") {
            // No TLS: the node client's configuration is not used.
            return Ok(&self.nodes);
        }
        if !url.starts_with("https://") {
            return Err(TransportError::BadUrl(url.to_owned()));
        }
        Ok(self
            .seeds
            .iter()
            .find(|(base, _)| url.starts_with(base.as_str()))
            .map_or(&self.nodes, |(_, client)| client))
    }
}

impl Transport for HttpsTransport {
    fn post(
        &self,
        request: HttpRequest,
    ) -> impl Future<Output = Result<HttpResponse, TransportError>> + Send {
        let client = self.client_for(&request.url).cloned();
        async move {
            let client = client?;
            let mut builder = client
                .post(&request.url)
                .timeout(request.timeout)
                // What Session Desktop sends, so that nodes cannot tell clients apart.
                .header("Accept-Language", "en-us")
                .body(request.body);
            if let Some(kind) = request.content_type {
                builder = builder.header("Content-Type", kind);
            }
            let mut response = builder.send().await.map_err(map_error)?;
            let status = response.status().as_u16();
            if response
                .content_length()
                .is_some_and(|len| len > MAX_RESPONSE_LEN as u64)
            {
                return Err(TransportError::ResponseTooLarge);
            }
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(map_error)? {
                if body.len() + chunk.len() > MAX_RESPONSE_LEN {
                    return Err(TransportError::ResponseTooLarge);
                }
                body.extend_from_slice(&chunk);
            }
            Ok(HttpResponse { status, body })
        }
    }
}

fn map_error(error: reqwest::Error) -> TransportError {
    if error.is_timeout() {
        TransportError::Timeout
    } else if error.is_connect() {
        TransportError::Connect(error.to_string())
    } else if error.is_builder() {
        TransportError::BadUrl(error.to_string())
    } else {
        TransportError::Http(error.to_string())
    }
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The rustls client configuration (ring provider) for service nodes: any certificate is
/// accepted, handshake signatures are verified ([`AnyCertificate`]). What [`HttpsTransport`]
/// uses for nodes, and what relays between nodes use.
pub fn service_node_tls() -> Result<rustls::ClientConfig, TransportError> {
    tls_with(Arc::new(AnyCertificate::new()))
}

fn tls_with(verifier: Arc<dyn ServerCertVerifier>) -> Result<rustls::ClientConfig, TransportError> {
    Ok(rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TransportError::Http(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth())
}

fn client_with(verifier: Arc<dyn ServerCertVerifier>) -> Result<reqwest::Client, TransportError> {
    reqwest::Client::builder()
        .use_preconfigured_tls(tls_with(verifier)?)
        .user_agent("WhatsApp")
        .pool_idle_timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| TransportError::Http(e.to_string()))
}

/// Accepts any certificate (service nodes' are self-signed, `CN=localhost`), but verifies the
/// handshake signature with the certificate's key.
#[derive(Debug)]
pub struct AnyCertificate {
    provider: Arc<CryptoProvider>,
}

impl AnyCertificate {
    /// On the ring provider.
    pub fn new() -> Self {
        Self {
            provider: provider(),
        }
    }
}

impl Default for AnyCertificate {
    fn default() -> Self {
        Self::new()
    }
}

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Accepts exactly one certificate, by the SHA-256 of its DER encoding, and verifies the
/// handshake signature with its key.
#[derive(Debug)]
pub struct PinnedCertificate {
    sha256: [u8; 32],
    any: AnyCertificate,
}

impl PinnedCertificate {
    /// Pins the certificate whose DER hashes to `sha256`.
    pub fn new(sha256: [u8; 32]) -> Self {
        Self {
            sha256,
            any: AnyCertificate::new(),
        }
    }
}

impl ServerCertVerifier for PinnedCertificate {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let digest: [u8; 32] = Sha256::digest(end_entity.as_ref()).into();
        // The pin and the certificate are public: a plain comparison is enough.
        if digest == self.sha256 {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.any.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.any.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.any.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mainnet_seeds_have_their_pins() {
        let seeds = SeedNode::mainnet();
        assert_eq!(seeds.len(), 3);
        assert_eq!(
            seeds[1].json_rpc_url(),
            "https://seed2.getsession.org:4443/json_rpc"
        );
        assert_eq!(seeds[0].certificate_sha256.unwrap()[..2], [0x36, 0xea]);
        assert_eq!(seeds[2].certificate_sha256.unwrap()[31], 0x6e);
    }

    #[test]
    fn a_seed_url_may_name_its_endpoint() {
        for url in [
            "http://127.0.0.1:22000",
            "http://127.0.0.1:22000/",
            "http://127.0.0.1:22000/json_rpc",
        ] {
            assert_eq!(
                SeedNode::plain(url).json_rpc_url(),
                "http://127.0.0.1:22000/json_rpc"
            );
        }
    }

    #[test]
    fn urls_pick_their_client() {
        let t = HttpsTransport::new(&SeedNode::mainnet()).unwrap();
        assert!(t.client_for("ftp://x/").is_err());
        assert!(t.client_for("http://127.0.0.1:1/json_rpc").is_ok());
        assert!(t.client_for("https://10.0.0.1:22021/onion_req/v2").is_ok());
    }
}
