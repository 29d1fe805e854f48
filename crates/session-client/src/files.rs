//! The file server: encrypted attachment blobs uploaded, downloaded and kept alive through
//! onion paths (v4 requests built by `session-fileserver`).

use std::time::Duration;

use session_fileserver::{
    parse_download_reply, parse_extend_reply, parse_upload_reply, ExtendedFile, FileId, FileServer,
    UploadOptions, UploadedFile,
};
use session_onion::EncType;

use crate::client::Client;
use crate::transport::Transport;
use crate::ClientError;

/// How long an upload or a download may take (Session Desktop's 30 s).
pub const FILE_TIMEOUT: Duration = Duration::from_secs(30);

/// How long an extension may take (Session Desktop's 10 s).
pub const EXTEND_TIMEOUT: Duration = Duration::from_secs(10);

impl<T: Transport> Client<T> {
    /// Uploads a blob (normally an attachment encrypted by `session_envelope::attachment`) to
    /// `server`: its ID and expiry.
    pub async fn upload(
        &self,
        server: &FileServer,
        data: Vec<u8>,
        options: &UploadOptions,
    ) -> Result<UploadedFile, ClientError> {
        let request = server.upload(data, options)?;
        let reply = self
            .network()
            .server_request(
                &server.onion_request_builder(EncType::XChaCha20),
                &request.encode(),
                FILE_TIMEOUT,
            )
            .await?;
        Ok(parse_upload_reply(&reply)?)
    }

    /// Downloads the blob `id` from `server` (at most the server's file size limit).
    pub async fn download(&self, server: &FileServer, id: &FileId) -> Result<Vec<u8>, ClientError> {
        let reply = self
            .network()
            .server_request(
                &server.onion_request_builder(EncType::XChaCha20),
                &server.download(id).encode(),
                FILE_TIMEOUT,
            )
            .await?;
        Ok(parse_download_reply(&reply, server.max_file_size())?.to_vec())
    }

    /// Extends the life of the blob `id` on `server` (`None`: the server's default).
    pub async fn extend(
        &self,
        server: &FileServer,
        id: &FileId,
        ttl_seconds: Option<u64>,
    ) -> Result<ExtendedFile, ClientError> {
        let reply = self
            .network()
            .server_request(
                &server.onion_request_builder(EncType::XChaCha20),
                &server.extend(id, ttl_seconds).encode(),
                EXTEND_TIMEOUT,
            )
            .await?;
        Ok(parse_extend_reply(&reply)?)
    }
}
