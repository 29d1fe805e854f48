//! Communities (SOGS) over the network: a `session_community` call signed as the member's
//! community identity and carried to the server as a v4 onion request.

use std::time::Duration;

use session_community::{Call, Community};
use session_identity::OsRng;
use session_onion::{Destination, EncType, OnionRequestBuilder};

use crate::client::Client;
use crate::transport::Transport;
use crate::ClientError;

/// How long a community request may take (Session Desktop's 10 s).
pub const COMMUNITY_TIMEOUT: Duration = Duration::from_secs(10);

impl<T: Transport> Client<T> {
    /// Signs `call` as `community`'s member at the network's time (`X-SOGS-*` headers, with
    /// the blinded or unblinded key the server's capabilities call for), sends it to the
    /// server through an onion path (tried on up to three), and reads the server's reply.
    pub async fn community_call<C: Call>(
        &self,
        community: &Community,
        call: &C,
    ) -> Result<C::Reply, ClientError> {
        let now = Duration::from_millis(self.network().network_now().as_millis());
        let request = community.sign(&call.request(), now, &mut OsRng)?;
        let builder = OnionRequestBuilder::new(
            Destination::Server(community.server().destination()),
            EncType::XChaCha20,
        );
        let reply = self
            .network()
            .server_request(&builder, &request.encode(), COMMUNITY_TIMEOUT)
            .await?;
        Ok(call.read_response(&reply)?)
    }
}
