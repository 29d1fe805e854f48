//! TLS on both sides: each node's self-signed certificate, and a client configuration that
//! accepts any certificate (as Session clients and relays do with service nodes) but still
//! checks handshake signatures. Everything uses rustls' *ring* provider.

use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ClientConfig, ServerConfig};

use crate::NodeError;

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A server configuration with a fresh self-signed certificate for `CN=localhost` (an ECDSA
/// P-256 key; the storage server uses RSA, which no client checks since none verifies it).
pub(crate) fn server_config() -> Result<Arc<ServerConfig>, NodeError> {
    let certificate = |e: rcgen::Error| NodeError::Tls(e.to_string());
    let mut params =
        rcgen::CertificateParams::new(vec!["localhost".to_owned()]).map_err(certificate)?;
    let mut name = rcgen::DistinguishedName::new();
    name.push(rcgen::DnType::CommonName, "localhost");
    params.distinguished_name = name;
    let key = rcgen::KeyPair::generate().map_err(certificate)?;
    let cert = params.self_signed(&key).map_err(certificate)?;
    let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| NodeError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], key_der)
        .map_err(|e| NodeError::Tls(e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// A rustls client configuration (ring provider) that accepts any server certificate, as
/// Session clients do with service nodes (their certificates are self-signed; the onion
/// layers, encrypted to keys from the node list, carry the trust), while still verifying the
/// handshake signature with the certificate's key: `session_client`'s
/// [`service_node_tls`](session_client::transport::service_node_tls). What the nodes' relays
/// use, and what a client of a [`LoopbackNetwork`](crate::LoopbackNetwork) needs (e.g. with
/// reqwest's `use_preconfigured_tls`).
///
/// # Errors
/// [`NodeError::Tls`] if the provider supports no safe protocol version (it always does).
pub fn accept_any_certificate() -> Result<ClientConfig, NodeError> {
    session_client::transport::service_node_tls().map_err(|e| NodeError::Tls(e.to_string()))
}
