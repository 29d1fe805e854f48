//! Storage-server requests: what is signed, and the JSON bodies that carry it.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Map, Value};
use session_identity::{Ed25519PublicKey, Identity, Prefix, SessionId, Signature};

use crate::hash::MessageHash;
use crate::namespace::{Namespace, NamespaceSelector, MAX_PRIVATE_TTL_MS, MIN_TTL_MS};
use crate::subaccount::{SubaccountFlags, SubaccountKey, SubaccountToken, MAX_REVOKE_TOKENS};
use crate::time::{Timestamp, SECOND_MS};

/// The largest `data` a `store` may carry, in raw bytes (before base64).
pub const MAX_STORE_DATA_LEN: usize = 76_800;
/// The most sub-requests a `batch` or `sequence` may carry.
pub const MAX_BATCH_REQUESTS: usize = 20;
/// How far in the past an `expire` target time may be before the server refuses it.
pub const EXPIRE_PAST_TOLERANCE_MS: u64 = 60 * SECOND_MS;

/// Whether an `expire` may only shorten, only extend, or freely set expiries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ExpiryMode {
    /// Set the expiry to the given time.
    #[default]
    Set,
    /// Only bring expiries earlier (used for after-read disappearing messages).
    Shorten,
    /// Only push expiries later.
    Extend,
}

impl ExpiryMode {
    fn signature_text(self) -> &'static str {
        match self {
            Self::Set => "",
            Self::Shorten => "shorten",
            Self::Extend => "extend",
        }
    }
}

/// The bytes a storage server verifies a request's signature over, by method.
///
/// Integers are plain decimal, namespaces as [`Namespace::signature_text`] /
/// [`NamespaceSelector::signature_text`], message hashes are concatenated in request order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignedAction<'a> {
    /// `"store" ‖ ns ‖ sig_timestamp`.
    Store {
        /// The namespace stored to.
        namespace: Namespace,
        /// The signature timestamp.
        timestamp: Timestamp,
    },
    /// `"retrieve" ‖ ns ‖ timestamp`.
    Retrieve {
        /// The namespace read.
        namespace: Namespace,
        /// The request timestamp.
        timestamp: Timestamp,
    },
    /// `"delete" ‖ hashes…`.
    Delete {
        /// The hashes to delete.
        messages: &'a [&'a str],
    },
    /// `"delete_all" ‖ ns ‖ timestamp`.
    DeleteAll {
        /// Which namespaces.
        namespace: NamespaceSelector,
        /// The request timestamp.
        timestamp: Timestamp,
    },
    /// `"delete_before" ‖ ns ‖ before`.
    DeleteBefore {
        /// Which namespaces.
        namespace: NamespaceSelector,
        /// Delete messages stored before this time.
        before: Timestamp,
    },
    /// `"expire_all" ‖ ns ‖ expiry`.
    ExpireAll {
        /// Which namespaces.
        namespace: NamespaceSelector,
        /// The new expiry.
        expiry: Timestamp,
    },
    /// `"expire" ‖ ("shorten" | "extend" | "") ‖ expiry ‖ hashes…`.
    Expire {
        /// Shorten, extend or set.
        mode: ExpiryMode,
        /// The new expiry.
        expiry: Timestamp,
        /// The hashes to update.
        messages: &'a [&'a str],
    },
    /// `"get_expiries" ‖ timestamp ‖ hashes…`.
    GetExpiries {
        /// The request timestamp.
        timestamp: Timestamp,
        /// The hashes asked about.
        messages: &'a [&'a str],
    },
}

impl SignedAction<'_> {
    /// The method name (the first part of the signed bytes).
    pub fn method(&self) -> &'static str {
        match self {
            Self::Store { .. } => "store",
            Self::Retrieve { .. } => "retrieve",
            Self::Delete { .. } => "delete",
            Self::DeleteAll { .. } => "delete_all",
            Self::DeleteBefore { .. } => "delete_before",
            Self::ExpireAll { .. } => "expire_all",
            Self::Expire { .. } => "expire",
            Self::GetExpiries { .. } => "get_expiries",
        }
    }

    /// The permissions a subaccount token needs for this action, as the storage server
    /// enforces them: `store` needs write (and delete in a public outbox, where a store
    /// replaces), `retrieve` and `get_expiries` read, `delete`, `delete_all`, `delete_before`
    /// and `expire_all` delete, `expire` write (and delete when it only shortens; without
    /// delete, the server treats a plain `expire` as extend-only).
    pub fn required_flags(&self) -> SubaccountFlags {
        match *self {
            Self::Store { namespace, .. } if namespace.is_public_outbox() => {
                SubaccountFlags::WRITE | SubaccountFlags::DELETE
            }
            Self::Store { .. } => SubaccountFlags::WRITE,
            Self::Retrieve { .. } | Self::GetExpiries { .. } => SubaccountFlags::READ,
            Self::Delete { .. }
            | Self::DeleteAll { .. }
            | Self::DeleteBefore { .. }
            | Self::ExpireAll { .. } => SubaccountFlags::DELETE,
            Self::Expire {
                mode: ExpiryMode::Shorten,
                ..
            } => SubaccountFlags::WRITE | SubaccountFlags::DELETE,
            Self::Expire { .. } => SubaccountFlags::WRITE,
        }
    }

    /// The exact bytes to sign.
    pub fn message(&self) -> Vec<u8> {
        let mut out = String::from(self.method());
        let join =
            |out: &mut String, messages: &[&str]| messages.iter().for_each(|m| out.push_str(m));
        match *self {
            Self::Store {
                namespace,
                timestamp,
            }
            | Self::Retrieve {
                namespace,
                timestamp,
            } => {
                out.push_str(&namespace.signature_text());
                out.push_str(&timestamp.to_string());
            }
            Self::Delete { messages } => join(&mut out, messages),
            Self::DeleteAll {
                namespace,
                timestamp: time,
            }
            | Self::DeleteBefore {
                namespace,
                before: time,
            }
            | Self::ExpireAll {
                namespace,
                expiry: time,
            } => {
                out.push_str(&namespace.signature_text());
                out.push_str(&time.to_string());
            }
            Self::Expire {
                mode,
                expiry,
                messages,
            } => {
                out.push_str(mode.signature_text());
                out.push_str(&expiry.to_string());
                join(&mut out, messages);
            }
            Self::GetExpiries {
                timestamp,
                messages,
            } => {
                out.push_str(&timestamp.to_string());
                join(&mut out, messages);
            }
        }
        out.into_bytes()
    }
}

/// The key a [`Signer`] signs with.
#[derive(Debug, Clone, Copy)]
enum SigningKey<'a> {
    /// A plain Ed25519 key: the user's own, or the group's (admins).
    Ed25519(&'a Identity),
    /// A group member's subaccount key.
    Subaccount(&'a SubaccountKey),
}

/// Who signs storage requests, and for which account.
#[derive(Debug, Clone, Copy)]
pub struct Signer<'a> {
    key: SigningKey<'a>,
    account: SessionId,
    send_ed25519: bool,
}

impl<'a> Signer<'a> {
    /// A user signing for their own `05` account with their Ed25519 key; requests carry
    /// `pubkey_ed25519` so the server can check it matches the account's X25519 key.
    pub fn user(identity: &'a Identity) -> Self {
        Self {
            key: SigningKey::Ed25519(identity),
            account: identity.session_id(),
            send_ed25519: true,
        }
    }

    /// A `03` group's admin, signing with the group's Ed25519 key (the group ID is `03` ‖ that
    /// key).
    pub fn group_admin(group_key: &'a Identity) -> Self {
        Self {
            key: SigningKey::Ed25519(group_key),
            account: SessionId::new(Prefix::Group, group_key.ed25519_public_key().to_bytes()),
            send_ed25519: false,
        }
    }

    /// A member of the `03` group whose Ed25519 key is `group_key` (the group ID without its
    /// `03`), signing with its subaccount key (made from the auth data an admin gave it).
    /// Requests carry `pubkey` = the group ID, `subaccount` (the token, base64),
    /// `subaccount_sig` (the admin's signature of the token, base64) and `signature` by the
    /// subaccount key; no `pubkey_ed25519`. The server also checks the token's permissions
    /// ([`SignedAction::required_flags`]).
    ///
    /// ```
    /// use session_identity::{Identity, Seed};
    /// use session_swarm::subaccount::{self, SubaccountFlags, SubaccountKey};
    /// use session_swarm::{Namespace, Signer, StorageRequest, Timestamp};
    ///
    /// let group = Identity::from_seed(Seed::from_full_bytes([1; 32]));
    /// let member = Identity::from_seed(Seed::from_full_bytes([2; 32]));
    /// let auth = subaccount::make_auth_data(&group, &member.session_id(), SubaccountFlags::new(false, false))?;
    /// let key = SubaccountKey::new(&member, &auth)?;
    ///
    /// let signer = Signer::group_member(&group.ed25519_public_key(), &key);
    /// let now = Timestamp::from_millis(1_700_000_000_000);
    /// let request = StorageRequest::retrieve(&signer, Namespace::new(11), None, now);
    /// let params = request.params();
    /// assert_eq!(params["pubkey"], format!("03{}", group.ed25519_public_key().to_hex()));
    /// assert_eq!(params["subaccount"], key.token().to_base64());
    /// assert!(params.get("pubkey_ed25519").is_none());
    /// # Ok::<(), subaccount::SubaccountError>(())
    /// ```
    pub fn group_member(group_key: &Ed25519PublicKey, key: &'a SubaccountKey) -> Self {
        Self {
            key: SigningKey::Subaccount(key),
            account: SessionId::new(Prefix::Group, group_key.to_bytes()),
            send_ed25519: false,
        }
    }

    /// The account the requests are for.
    pub fn account(&self) -> SessionId {
        self.account
    }

    /// The subaccount key, for a [`Signer::group_member`].
    pub fn subaccount(&self) -> Option<&'a SubaccountKey> {
        match self.key {
            SigningKey::Subaccount(key) => Some(key),
            SigningKey::Ed25519(_) => None,
        }
    }

    /// Signs `action`: the signature over exactly [`SignedAction::message`].
    pub fn sign(&self, action: &SignedAction<'_>) -> Signature {
        self.sign_bytes(&action.message())
    }

    fn sign_bytes(&self, message: &[u8]) -> Signature {
        match self.key {
            SigningKey::Ed25519(key) => key.sign(message),
            SigningKey::Subaccount(key) => key.sign(message).signature,
        }
    }

    /// The authentication fields of a request for `action`: the signed bytes, the signature
    /// and, for `05` accounts, the Ed25519 key the server checks against the account; for
    /// group members, the token and its signature.
    pub fn authenticate(&self, action: &SignedAction<'_>) -> RequestAuth {
        let message = action.message();
        let signature = self.sign_bytes(&message);
        let (pubkey_ed25519, subaccount) = match self.key {
            SigningKey::Ed25519(key) => (self.send_ed25519.then(|| key.ed25519_public_key()), None),
            SigningKey::Subaccount(key) => (None, Some((*key.token(), *key.token_signature()))),
        };
        RequestAuth {
            message,
            signature,
            pubkey_ed25519,
            subaccount,
        }
    }

    fn authenticate_into(
        &self,
        params: &mut Map<String, Value>,
        action: &SignedAction<'_>,
    ) -> Vec<u8> {
        let auth = self.authenticate(action);
        params.insert("signature".into(), auth.signature_base64().into());
        if let Some(key) = auth.pubkey_ed25519 {
            params.insert("pubkey_ed25519".into(), key.to_hex().into());
        }
        if let Some((token, token_signature)) = auth.subaccount {
            params.insert("subaccount".into(), token.to_base64().into());
            params.insert(
                "subaccount_sig".into(),
                STANDARD.encode(token_signature.as_bytes()).into(),
            );
        }
        auth.message
    }
}

/// The authentication a signed request carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestAuth {
    message: Vec<u8>,
    signature: Signature,
    pubkey_ed25519: Option<Ed25519PublicKey>,
    subaccount: Option<(SubaccountToken, Signature)>,
}

impl RequestAuth {
    /// The exact bytes that were signed.
    pub fn message(&self) -> &[u8] {
        &self.message
    }

    /// The Ed25519 signature.
    pub fn signature(&self) -> &Signature {
        &self.signature
    }

    /// The signature as the JSON `signature` field carries it: standard base64 with padding.
    pub fn signature_base64(&self) -> String {
        STANDARD.encode(self.signature.as_bytes())
    }

    /// The `pubkey_ed25519` field (`05` accounts only).
    pub fn pubkey_ed25519(&self) -> Option<&Ed25519PublicKey> {
        self.pubkey_ed25519.as_ref()
    }

    /// The `subaccount` token and the admin's `subaccount_sig` of it (group members only).
    pub fn subaccount(&self) -> Option<(&SubaccountToken, &Signature)> {
        self.subaccount.as_ref().map(|(t, s)| (t, s))
    }
}

/// Why a request was not built: it would be refused by the server.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The namespace requires a signature and none was given.
    #[error("namespace {0} requires a signed request")]
    NeedsAuth(Namespace),
    /// The account is not a `05` user or `03` group ID.
    #[error("storage accounts are 05 users or 03 groups, not prefix {0}")]
    UnsupportedAccount(Prefix),
    /// The TTL is outside 10 s to the namespace's maximum.
    #[error("TTL {ttl_ms} ms is outside {min_ms}..={max_ms} ms")]
    TtlOutOfRange {
        /// The TTL asked for.
        ttl_ms: u64,
        /// The minimum.
        min_ms: u64,
        /// The maximum for the namespace.
        max_ms: u64,
    },
    /// An expiry is too far in the past or beyond 30 days from now.
    #[error("expiry {expiry} is outside the window the server accepts around {now}")]
    ExpiryOutOfRange {
        /// The expiry asked for.
        expiry: Timestamp,
        /// The current (network) time.
        now: Timestamp,
    },
    /// More data than a message may carry.
    #[error("message data is {0} bytes; at most {MAX_STORE_DATA_LEN} allowed")]
    DataTooLarge(usize),
    /// A request that needs message hashes got none.
    #[error("no message hashes given")]
    NoMessages,
    /// A `batch` or `sequence` with no sub-request or more than 20.
    #[error("a batch holds 1 to {MAX_BATCH_REQUESTS} requests, got {0}")]
    BatchSize(usize),
    /// The signer signs for a different account than the one stored to.
    #[error("the signer's account is not the account stored to")]
    SignerMismatch,
    /// A `batch` or `sequence` inside another one.
    #[error("batch and sequence requests cannot be nested")]
    NestedBatch,
    /// A `revoke_subaccount` / `unrevoke_subaccount` with no token or more than
    /// [`MAX_REVOKE_TOKENS`].
    #[error("a revocation holds 1 to {MAX_REVOKE_TOKENS} tokens, got {0}")]
    RevokeCount(usize),
}

/// The bytes a group admin signs for `revoke_subaccount` (`revoke` true) or
/// `unrevoke_subaccount`: the method name ‖ decimal `timestamp` ‖ the raw 36 bytes of each token,
/// in request order.
pub fn revocation_message(
    revoke: bool,
    timestamp: Timestamp,
    tokens: &[SubaccountToken],
) -> Vec<u8> {
    let method = if revoke {
        Method::RevokeSubaccount
    } else {
        Method::UnrevokeSubaccount
    };
    let mut out = Vec::from(method.name().as_bytes());
    out.extend_from_slice(timestamp.to_string().as_bytes());
    for token in tokens {
        out.extend_from_slice(token.as_bytes());
    }
    out
}

/// A storage-server method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `store`.
    Store,
    /// `retrieve`.
    Retrieve,
    /// `delete`.
    Delete,
    /// `delete_all`.
    DeleteAll,
    /// `delete_before`.
    DeleteBefore,
    /// `expire`.
    Expire,
    /// `expire_all`.
    ExpireAll,
    /// `get_expiries`.
    GetExpiries,
    /// `get_swarm`.
    GetSwarm,
    /// `info`.
    Info,
    /// `oxend_request`: a question for the node's oxend (the node list, for a pool refresh).
    OxendRequest,
    /// `batch`: sub-requests run independently.
    Batch,
    /// `sequence`: sub-requests run in order, stopping at the first failure.
    Sequence,
    /// `revoke_subaccount`: a group admin adds subaccount tokens to the revocation list.
    RevokeSubaccount,
    /// `unrevoke_subaccount`: a group admin removes tokens from the revocation list.
    UnrevokeSubaccount,
}

impl Method {
    /// The method's name on the wire.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Store => "store",
            Self::Retrieve => "retrieve",
            Self::Delete => "delete",
            Self::DeleteAll => "delete_all",
            Self::DeleteBefore => "delete_before",
            Self::Expire => "expire",
            Self::ExpireAll => "expire_all",
            Self::GetExpiries => "get_expiries",
            Self::GetSwarm => "get_swarm",
            Self::Info => "info",
            Self::OxendRequest => "oxend_request",
            Self::Batch => "batch",
            Self::Sequence => "sequence",
            Self::RevokeSubaccount => "revoke_subaccount",
            Self::UnrevokeSubaccount => "unrevoke_subaccount",
        }
    }
}

/// A storage request ready to send: a method and its parameters. Its JSON body
/// (`{"method":…,"params":{…}}`) goes directly to `/storage_rpc/v1` or inside an onion request.
///
/// ```
/// use session_identity::{Identity, Seed};
/// use session_swarm::{Namespace, StorageRequest, Timestamp};
///
/// let me = Identity::from_seed(Seed::from_legacy_bytes([7; 16]));
/// let now = Timestamp::from_millis(1_700_000_000_000);
/// let request = StorageRequest::retrieve(&session_swarm::Signer::user(&me), Namespace::DEFAULT, None, now);
/// assert_eq!(request.signed_message(), Some(&b"retrieve1700000000000"[..]));
/// let body = request.to_json();
/// assert_eq!(body["method"], "retrieve");
/// assert_eq!(body["params"]["pubkey"], me.session_id().to_hex());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct StorageRequest {
    method: Method,
    params: Map<String, Value>,
    signed_message: Option<Vec<u8>>,
    account: Option<SessionId>,
}

fn check_account(id: &SessionId) -> Result<(), RequestError> {
    match id.prefix() {
        Prefix::User | Prefix::Group => Ok(()),
        other => Err(RequestError::UnsupportedAccount(other)),
    }
}

fn base_params(account: &SessionId) -> Map<String, Value> {
    let mut params = Map::new();
    params.insert("pubkey".into(), account.to_hex().into());
    params
}

fn hash_list(messages: &[MessageHash]) -> Result<(Vec<&str>, Value), RequestError> {
    if messages.is_empty() {
        return Err(RequestError::NoMessages);
    }
    let texts: Vec<&str> = messages.iter().map(MessageHash::as_str).collect();
    let json = Value::from(texts.clone());
    Ok((texts, json))
}

impl StorageRequest {
    fn new(method: Method, params: Map<String, Value>, account: Option<SessionId>) -> Self {
        Self {
            method,
            params,
            signed_message: None,
            account,
        }
    }

    fn signed(
        method: Method,
        signer: &Signer<'_>,
        mut params: Map<String, Value>,
        action: &SignedAction<'_>,
    ) -> Self {
        let message = signer.authenticate_into(&mut params, action);
        Self {
            method,
            params,
            signed_message: Some(message),
            account: Some(signer.account()),
        }
    }

    /// `store`: put `data` in `account`'s `namespace` for `ttl_ms`, stamped `now` (network
    /// time). Public inboxes take no signer (anyone may store); every other namespace needs the
    /// account's signer. Checks the TTL (10 s to 14 days in public inboxes, 30 days elsewhere)
    /// and the size (76,800 bytes).
    pub fn store(
        account: &SessionId,
        namespace: Namespace,
        data: &[u8],
        ttl_ms: u64,
        now: Timestamp,
        signer: Option<&Signer<'_>>,
    ) -> Result<Self, RequestError> {
        check_account(account)?;
        let max_ms = namespace.max_ttl_millis();
        if !(MIN_TTL_MS..=max_ms).contains(&ttl_ms) {
            return Err(RequestError::TtlOutOfRange {
                ttl_ms,
                min_ms: MIN_TTL_MS,
                max_ms,
            });
        }
        if data.len() > MAX_STORE_DATA_LEN {
            return Err(RequestError::DataTooLarge(data.len()));
        }
        let mut params = base_params(account);
        params.insert("namespace".into(), namespace.get().into());
        params.insert("timestamp".into(), now.as_millis().into());
        params.insert("ttl".into(), ttl_ms.into());
        params.insert("data".into(), STANDARD.encode(data).into());
        match signer {
            Some(signer) if namespace.store_needs_auth() => {
                if signer.account() != *account {
                    return Err(RequestError::SignerMismatch);
                }
                params.insert("sig_timestamp".into(), now.as_millis().into());
                let action = SignedAction::Store {
                    namespace,
                    timestamp: now,
                };
                Ok(Self::signed(Method::Store, signer, params, &action))
            }
            _ if namespace.store_needs_auth() => Err(RequestError::NeedsAuth(namespace)),
            _ => Ok(Self::new(Method::Store, params, Some(*account))),
        }
    }

    /// `retrieve`, signed: messages of the signer's account in `namespace` after `last_hash`.
    pub fn retrieve(
        signer: &Signer<'_>,
        namespace: Namespace,
        last_hash: Option<&MessageHash>,
        now: Timestamp,
    ) -> Self {
        let mut params = base_params(&signer.account());
        params.insert("namespace".into(), namespace.get().into());
        params.insert("timestamp".into(), now.as_millis().into());
        if let Some(hash) = last_hash {
            params.insert("last_hash".into(), hash.as_str().into());
        }
        let action = SignedAction::Retrieve {
            namespace,
            timestamp: now,
        };
        Self::signed(Method::Retrieve, signer, params, &action)
    }

    /// `retrieve` without a signature, allowed only in legacy closed groups and public outboxes.
    pub fn retrieve_unauthenticated(
        account: &SessionId,
        namespace: Namespace,
        last_hash: Option<&MessageHash>,
    ) -> Result<Self, RequestError> {
        check_account(account)?;
        if namespace.retrieve_needs_auth() {
            return Err(RequestError::NeedsAuth(namespace));
        }
        let mut params = base_params(account);
        params.insert("namespace".into(), namespace.get().into());
        if let Some(hash) = last_hash {
            params.insert("last_hash".into(), hash.as_str().into());
        }
        Ok(Self::new(Method::Retrieve, params, Some(*account)))
    }

    /// `delete`: remove the listed messages; with `required`, the server answers 404 when no
    /// member deleted anything.
    pub fn delete(
        signer: &Signer<'_>,
        messages: &[MessageHash],
        required: bool,
    ) -> Result<Self, RequestError> {
        let (texts, json) = hash_list(messages)?;
        let mut params = base_params(&signer.account());
        params.insert("messages".into(), json);
        if required {
            params.insert("required".into(), true.into());
        }
        let action = SignedAction::Delete { messages: &texts };
        Ok(Self::signed(Method::Delete, signer, params, &action))
    }

    /// `delete_all`: remove every message in one namespace or all of them.
    pub fn delete_all(signer: &Signer<'_>, namespace: NamespaceSelector, now: Timestamp) -> Self {
        let mut params = base_params(&signer.account());
        params.insert("namespace".into(), namespace.to_json());
        params.insert("timestamp".into(), now.as_millis().into());
        let action = SignedAction::DeleteAll {
            namespace,
            timestamp: now,
        };
        Self::signed(Method::DeleteAll, signer, params, &action)
    }

    /// `delete_before`: remove messages stored before `before` (which may not be more than a
    /// minute after `now`).
    pub fn delete_before(
        signer: &Signer<'_>,
        namespace: NamespaceSelector,
        before: Timestamp,
        now: Timestamp,
    ) -> Result<Self, RequestError> {
        if before > now.saturating_add_millis(EXPIRE_PAST_TOLERANCE_MS) {
            return Err(RequestError::ExpiryOutOfRange {
                expiry: before,
                now,
            });
        }
        let mut params = base_params(&signer.account());
        params.insert("namespace".into(), namespace.to_json());
        params.insert("before".into(), before.as_millis().into());
        let action = SignedAction::DeleteBefore { namespace, before };
        Ok(Self::signed(Method::DeleteBefore, signer, params, &action))
    }

    fn check_expiry(expiry: Timestamp, now: Timestamp) -> Result<(), RequestError> {
        let earliest = now.saturating_sub_millis(EXPIRE_PAST_TOLERANCE_MS);
        let latest = now.saturating_add_millis(MAX_PRIVATE_TTL_MS);
        if expiry < earliest || expiry > latest {
            return Err(RequestError::ExpiryOutOfRange { expiry, now });
        }
        Ok(())
    }

    /// `expire`: set (or only shorten, or only extend) the expiry of the listed messages.
    /// The expiry must lie between a minute ago and 30 days from `now`.
    pub fn expire(
        signer: &Signer<'_>,
        messages: &[MessageHash],
        expiry: Timestamp,
        mode: ExpiryMode,
        now: Timestamp,
    ) -> Result<Self, RequestError> {
        Self::check_expiry(expiry, now)?;
        let (texts, json) = hash_list(messages)?;
        let mut params = base_params(&signer.account());
        params.insert("messages".into(), json);
        params.insert("expiry".into(), expiry.as_millis().into());
        match mode {
            ExpiryMode::Set => {}
            ExpiryMode::Shorten => {
                params.insert("shorten".into(), true.into());
            }
            ExpiryMode::Extend => {
                params.insert("extend".into(), true.into());
            }
        }
        let action = SignedAction::Expire {
            mode,
            expiry,
            messages: &texts,
        };
        Ok(Self::signed(Method::Expire, signer, params, &action))
    }

    /// `expire_all`: set the expiry of every message in one namespace or all of them.
    pub fn expire_all(
        signer: &Signer<'_>,
        namespace: NamespaceSelector,
        expiry: Timestamp,
        now: Timestamp,
    ) -> Result<Self, RequestError> {
        Self::check_expiry(expiry, now)?;
        let mut params = base_params(&signer.account());
        params.insert("namespace".into(), namespace.to_json());
        params.insert("expiry".into(), expiry.as_millis().into());
        let action = SignedAction::ExpireAll { namespace, expiry };
        Ok(Self::signed(Method::ExpireAll, signer, params, &action))
    }

    /// `get_expiries`: the current expiry of each listed message.
    pub fn get_expiries(
        signer: &Signer<'_>,
        messages: &[MessageHash],
        now: Timestamp,
    ) -> Result<Self, RequestError> {
        let (texts, json) = hash_list(messages)?;
        let mut params = base_params(&signer.account());
        params.insert("messages".into(), json);
        params.insert("timestamp".into(), now.as_millis().into());
        let action = SignedAction::GetExpiries {
            timestamp: now,
            messages: &texts,
        };
        Ok(Self::signed(Method::GetExpiries, signer, params, &action))
    }

    fn revocation(
        revoke: bool,
        group_key: &Identity,
        tokens: &[SubaccountToken],
        now: Timestamp,
    ) -> Result<Self, RequestError> {
        if tokens.is_empty() || tokens.len() > MAX_REVOKE_TOKENS {
            return Err(RequestError::RevokeCount(tokens.len()));
        }
        let (method, field) = if revoke {
            (Method::RevokeSubaccount, "revoke")
        } else {
            (Method::UnrevokeSubaccount, "unrevoke")
        };
        let account = SessionId::new(Prefix::Group, group_key.ed25519_public_key().to_bytes());
        let message = revocation_message(revoke, now, tokens);
        let signature = group_key.sign(&message);
        let mut params = base_params(&account);
        let list: Vec<Value> = tokens.iter().map(|t| t.to_base64().into()).collect();
        params.insert(field.into(), Value::Array(list));
        params.insert("timestamp".into(), now.as_millis().into());
        params.insert(
            "signature".into(),
            STANDARD.encode(signature.as_bytes()).into(),
        );
        Ok(Self {
            method,
            params,
            signed_message: Some(message),
            account: Some(account),
        })
    }

    /// `revoke_subaccount`: the admin of the group whose key pair is `group_key` adds 1 to
    /// [`MAX_REVOKE_TOKENS`] tokens (from [`crate::subaccount::token`]) to the group's
    /// revocation list; the server then refuses them (except in unrevocable namespaces).
    /// Signed by the group key over [`revocation_message`]; the server accepts no subaccount
    /// signature here. `now` is network time (the server allows ±60 s).
    pub fn revoke_subaccount(
        group_key: &Identity,
        tokens: &[SubaccountToken],
        now: Timestamp,
    ) -> Result<Self, RequestError> {
        Self::revocation(true, group_key, tokens, now)
    }

    /// `unrevoke_subaccount`: as [`StorageRequest::revoke_subaccount`], removing the tokens from
    /// the revocation list.
    pub fn unrevoke_subaccount(
        group_key: &Identity,
        tokens: &[SubaccountToken],
        now: Timestamp,
    ) -> Result<Self, RequestError> {
        Self::revocation(false, group_key, tokens, now)
    }

    /// `get_swarm`: the swarm of `account` (no signature).
    pub fn get_swarm(account: &SessionId) -> Self {
        Self::new(Method::GetSwarm, base_params(account), Some(*account))
    }

    /// `info`: the node's version and clock (no signature).
    pub fn info() -> Self {
        Self::new(Method::Info, Map::new(), None)
    }

    /// `oxend_request` for `get_service_nodes`: the node list as this node's oxend sees it,
    /// active nodes only, with the fields Session Desktop asks for plus `swarm_id` (no
    /// signature, no `limit`: NETWORK.md §1.1). A pool refresh asks
    /// [`REFRESH_SOURCES`](crate::REFRESH_SOURCES) nodes and keeps what
    /// [`intersect_node_lists`](crate::intersect_node_lists) finds in every answer
    /// (each parsed by [`parse_service_node_list`](crate::parse_service_node_list)).
    pub fn get_service_nodes() -> Self {
        let mut fields = Map::new();
        for field in [
            "public_ip",
            "storage_port",
            "pubkey_x25519",
            "pubkey_ed25519",
            "swarm_id",
        ] {
            fields.insert(field.into(), true.into());
        }
        let mut inner = Map::new();
        inner.insert("active_only".into(), true.into());
        inner.insert("fields".into(), Value::Object(fields));
        let mut params = Map::new();
        params.insert("endpoint".into(), "get_service_nodes".into());
        params.insert("params".into(), Value::Object(inner));
        Self::new(Method::OxendRequest, params, None)
    }

    fn group(method: Method, requests: Vec<StorageRequest>) -> Result<Self, RequestError> {
        if requests.is_empty() || requests.len() > MAX_BATCH_REQUESTS {
            return Err(RequestError::BatchSize(requests.len()));
        }
        if requests
            .iter()
            .any(|r| matches!(r.method, Method::Batch | Method::Sequence))
        {
            return Err(RequestError::NestedBatch);
        }
        let account = requests[0].account;
        let list: Vec<Value> = requests.iter().map(StorageRequest::to_json).collect();
        let mut params = Map::new();
        params.insert("requests".into(), Value::Array(list));
        Ok(Self::new(method, params, account))
    }

    /// `batch`: 1 to 20 requests run independently; each keeps its own signature.
    pub fn batch(requests: Vec<StorageRequest>) -> Result<Self, RequestError> {
        Self::group(Method::Batch, requests)
    }

    /// `sequence`: as [`StorageRequest::batch`], but run in order and stopped at the first
    /// failure.
    pub fn sequence(requests: Vec<StorageRequest>) -> Result<Self, RequestError> {
        Self::group(Method::Sequence, requests)
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The account the request is about (its `pubkey`; for a batch, its first request's).
    pub fn account(&self) -> Option<SessionId> {
        self.account
    }

    /// The parameters object.
    pub fn params(&self) -> &Map<String, Value> {
        &self.params
    }

    /// The bytes that were signed, for signed requests.
    pub fn signed_message(&self) -> Option<&[u8]> {
        self.signed_message.as_deref()
    }

    /// `{"method": name, "params": {…}}`.
    pub fn to_json(&self) -> Value {
        json!({ "method": self.method.name(), "params": Value::Object(self.params.clone()) })
    }

    /// The JSON body as bytes: compact, object keys sorted by bytes at every level
    /// ([`session_onion::dump_sorted_json`], whatever order `serde_json::Map` keeps).
    pub fn to_body(&self) -> Vec<u8> {
        session_onion::dump_sorted_json(&self.to_json()).into_bytes()
    }
}
