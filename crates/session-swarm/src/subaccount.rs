//! Subaccounts: how members of a `03` group read and write the group's swarm without its key.
//!
//! An admin (who holds the group's Ed25519 seed) gives each member a 100-byte
//! [`SubaccountAuthData`]: the permission [`SubaccountFlags`] and a blinding factor `k` derived
//! from the member's Session ID, signed by the group key. The member turns it into a
//! [`SubaccountKey`]: a blinded Ed25519 key pair `kT`/`kt` derived from its own key. Its requests
//! then carry the 36-byte [`SubaccountToken`] (`03 ‖ flags ‖ 00 00 ‖ kT`), the admin's signature
//! of that token, and an Ed25519 signature under `kT` of the usual request bytes. The storage
//! server checks the token's prefix and flags, the admin's signature (with the group's key,
//! which is the account's ID) and the request signature ([`verify_request`]), and refuses
//! tokens the admin has revoked (`revoke_subaccount`).
//!
//! ```text
//! k     = reduce(BLAKE2b-64(05 ‖ X ‖ 03 ‖ group_pk; key = BLAKE2b-32(seed; key "SessionGroupSubaccountMask")))
//! T     = X's Ed25519 point with sign bit 0                     (the admin knows only X)
//! token = 03 ‖ flags ‖ 00 00 ‖ [k]T
//! auth  = 03 ‖ flags ‖ 00 00 ‖ k ‖ Ed25519-sign(group key, token)
//! t     = ±(member's X25519 scalar), negated when the member's Ed25519 key has sign bit 1
//! r     = reduce(BLAKE2b-64(BLAKE2b-32(seed; key "SubaccountSeed") ‖ kT ‖ M; key "SubaccountSig"))
//! sig   = R ‖ r + reduce(SHA-512(R ‖ kT ‖ M))·(k·t),  R = [r]B  (plain Ed25519 under kT)
//! ```
//!
//! ```
//! use session_identity::{Identity, Seed};
//! use session_swarm::subaccount::{self, SubaccountFlags, SubaccountKey};
//!
//! let group = Identity::from_seed(Seed::from_full_bytes([1; 32]));
//! let member = Identity::from_seed(Seed::from_full_bytes([2; 32]));
//!
//! // The admin authorises the member to read and write.
//! let auth = subaccount::make_auth_data(&group, &member.session_id(), SubaccountFlags::new(true, false))?;
//!
//! // The member signs a request; the storage server accepts it.
//! let key = SubaccountKey::new(&member, &auth)?;
//! let signed = key.sign(b"retrieve111700000000000");
//! subaccount::verify_request(
//!     &group.ed25519_public_key(), 0x03, &signed, SubaccountFlags::READ, b"retrieve111700000000000",
//! )?;
//! # Ok::<(), subaccount::SubaccountError>(())
//! ```

use core::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use session_identity::curve25519_dalek::constants::ED25519_BASEPOINT_TABLE;
use session_identity::curve25519_dalek::scalar::Scalar;
use session_identity::hash::blake2b_keyed_parts;
use session_identity::point::scalarmult_noclamp;
use session_identity::{
    xed25519, Ed25519PublicKey, Identity, PointError, Prefix, SessionId, Signature, SignatureError,
};
use sha2::{Digest, Sha512};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Length of a [`SubaccountToken`].
pub const TOKEN_LEN: usize = 36;
/// Length of a [`SubaccountAuthData`].
pub const AUTH_DATA_LEN: usize = 100;
/// The most tokens one `revoke_subaccount` request may carry (the storage server's limit).
pub const MAX_REVOKE_TOKENS: usize = 50;
/// The network prefix of `03` groups, the first byte of their tokens.
pub const GROUP_PREFIX: u8 = 0x03;

const MASK_KEY: &[u8; 26] = b"SessionGroupSubaccountMask";
const SEED_KEY: &[u8; 14] = b"SubaccountSeed";
const NONCE_KEY: &[u8; 13] = b"SubaccountSig";

/// What a subaccount may do, the second byte of its token (the storage server's
/// `subaccount_access` bits).
///
/// ```
/// use session_swarm::subaccount::SubaccountFlags;
/// let flags = SubaccountFlags::new(true, false);
/// assert_eq!(flags.bits(), 0b0011);
/// assert!(flags.contains(SubaccountFlags::READ | SubaccountFlags::WRITE));
/// assert!(!flags.contains(SubaccountFlags::DELETE));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SubaccountFlags(u8);

impl SubaccountFlags {
    /// No permission.
    pub const NONE: Self = Self(0);
    /// Retrieve messages and their expiries.
    pub const READ: Self = Self(0b0001);
    /// Store messages and extend expiries.
    pub const WRITE: Self = Self(0b0010);
    /// Delete messages and shorten expiries.
    pub const DELETE: Self = Self(0b0100);
    /// Use the token on the same key under any network prefix, not only its own.
    pub const ANY_PREFIX: Self = Self(0b1000);

    /// Read, plus write and delete as asked: the flags libsession's `swarm_make_subaccount`
    /// gives.
    pub const fn new(write: bool, delete: bool) -> Self {
        let mut bits = Self::READ.0;
        if write {
            bits |= Self::WRITE.0;
        }
        if delete {
            bits |= Self::DELETE.0;
        }
        Self(bits)
    }

    /// The flags of a token byte, unknown (reserved) bits included.
    pub const fn from_bits(bits: u8) -> Self {
        Self(bits)
    }

    /// The byte.
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// Whether every flag of `required` is set.
    pub const fn contains(self, required: Self) -> bool {
        self.0 & required.0 == required.0
    }
}

impl core::ops::BitOr for SubaccountFlags {
    type Output = Self;
    fn bitor(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
}

impl fmt::Debug for SubaccountFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [(1, "READ"), (2, "WRITE"), (4, "DELETE"), (8, "ANY_PREFIX")];
        write!(f, "SubaccountFlags(")?;
        let mut first = true;
        for (bit, name) in names {
            if self.0 & bit != 0 {
                write!(f, "{}{name}", if first { "" } else { " | " })?;
                first = false;
            }
        }
        if self.0 & 0xf0 != 0 {
            write!(
                f,
                "{}0x{:02x}",
                if first { "" } else { " | " },
                self.0 & 0xf0
            )?;
            first = false;
        }
        if first {
            write!(f, "NONE")?;
        }
        write!(f, ")")
    }
}

/// Why subaccount data was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SubaccountError {
    /// Auth data is 100 bytes, a token 36, a signature 64.
    #[error("expected {expected} bytes, got {found}")]
    Length {
        /// The length required.
        expected: usize,
        /// The length given.
        found: usize,
    },
    /// Text that is neither the base64 nor the hex of a token or signature.
    #[error("not the base64 or hex encoding of a {0}")]
    Encoding(&'static str),
    /// A subaccount is made for a `05` Session ID.
    #[error("subaccounts are for 05 Session IDs, not prefix {0}")]
    NotAUserId(Prefix),
    /// A key that is not a usable curve point (a Session ID no Ed25519 key converts to, or a
    /// blinding factor that gives the identity).
    #[error("unusable key: {0}")]
    BadKey(PointError),
    /// The token is for another network prefix and lacks [`SubaccountFlags::ANY_PREFIX`].
    #[error("the token is for prefix {token:02x}, not {account:02x}")]
    WrongPrefix {
        /// The token's prefix.
        token: u8,
        /// The account's prefix.
        account: u8,
    },
    /// The token lacks a permission the request needs.
    #[error("the token grants {granted:?}; {required:?} is needed")]
    MissingPermission {
        /// What the token grants.
        granted: SubaccountFlags,
        /// What was needed.
        required: SubaccountFlags,
    },
    /// The admin's signature of the token does not verify with the group key.
    #[error("the token is not signed by the account: {0}")]
    BadTokenSignature(SignatureError),
    /// The request signature does not verify under the token's key.
    #[error("the request signature is not the subaccount's: {0}")]
    BadRequestSignature(SignatureError),
}

/// A subaccount token, `prefix ‖ flags ‖ 00 00 ‖ kT`: what requests carry (as `subaccount`) and
/// what revocation lists hold. Public.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SubaccountToken([u8; TOKEN_LEN]);

impl SubaccountToken {
    /// Wraps 36 token bytes.
    pub const fn from_bytes(bytes: [u8; TOKEN_LEN]) -> Self {
        Self(bytes)
    }

    /// The token in `bytes`, which must be 36 long.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, SubaccountError> {
        <[u8; TOKEN_LEN]>::try_from(bytes)
            .map(Self)
            .map_err(|_| SubaccountError::Length {
                expected: TOKEN_LEN,
                found: bytes.len(),
            })
    }

    /// A token as requests spell it: 48 characters of base64 or 72 of hex (as the storage
    /// server reads `subaccount`, `revoke` and `unrevoke`).
    pub fn parse(text: &str) -> Result<Self, SubaccountError> {
        let bytes = decode_text(text, TOKEN_LEN, "subaccount token")?;
        Self::from_slice(&bytes)
    }

    /// The bytes.
    pub const fn as_bytes(&self) -> &[u8; TOKEN_LEN] {
        &self.0
    }

    /// The network prefix (`03` for groups).
    pub const fn prefix(&self) -> u8 {
        self.0[0]
    }

    /// The permissions.
    pub const fn flags(&self) -> SubaccountFlags {
        SubaccountFlags(self.0[1])
    }

    /// The subaccount's Ed25519 key `kT`, under which its requests are signed.
    pub fn public_key(&self) -> Ed25519PublicKey {
        let mut key = [0u8; 32];
        key.copy_from_slice(&self.0[4..]);
        Ed25519PublicKey::from_bytes(key)
    }

    /// Standard base64 (48 characters, no padding needed), as JSON requests carry it.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// Whether the token may be used on an account of network prefix `account_prefix`.
    pub const fn prefix_allowed(&self, account_prefix: u8) -> bool {
        self.prefix() == account_prefix || self.flags().contains(SubaccountFlags::ANY_PREFIX)
    }
}

impl fmt::Debug for SubaccountToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SubaccountToken({})", to_hex(&self.0))
    }
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// Decodes the base64 or hex spelling of `len` bytes; the text's length decides which.
fn decode_text(text: &str, len: usize, what: &'static str) -> Result<Vec<u8>, SubaccountError> {
    let bad = SubaccountError::Encoding(what);
    let base64_len = len.div_ceil(3) * 4;
    let unpadded = (len * 4).div_ceil(3);
    if text.len() == len * 2 {
        return decode_hex(text).ok_or(bad);
    }
    if text.len() == base64_len || text.len() == unpadded {
        let bytes = if text.len() == base64_len {
            STANDARD.decode(text)
        } else {
            base64::engine::general_purpose::STANDARD_NO_PAD.decode(text)
        };
        return bytes.ok().filter(|b| b.len() == len).ok_or(bad);
    }
    Err(bad)
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    text.as_bytes()
        .chunks(2)
        .map(|pair| match pair {
            [hi, lo] => Some(digit(*hi)? << 4 | digit(*lo)?),
            _ => None,
        })
        .collect()
}

/// A member's authorisation to use a group's swarm, as the admin issues it:
/// `prefix ‖ flags ‖ 00 00 ‖ k ‖ group signature of the token`. Whoever holds it and the
/// member's key can act as the member, so it is kept like a secret: zeroized on drop, compared
/// in constant time, never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SubaccountAuthData([u8; AUTH_DATA_LEN]);

impl SubaccountAuthData {
    /// Wraps 100 bytes.
    pub const fn from_bytes(bytes: [u8; AUTH_DATA_LEN]) -> Self {
        Self(bytes)
    }

    /// The auth data in `bytes`, which must be 100 long.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, SubaccountError> {
        <[u8; AUTH_DATA_LEN]>::try_from(bytes)
            .map(Self)
            .map_err(|_| SubaccountError::Length {
                expected: AUTH_DATA_LEN,
                found: bytes.len(),
            })
    }

    /// The bytes (as stored in the member's UserGroups config). Keep them out of logs.
    pub fn expose_bytes(&self) -> &[u8; AUTH_DATA_LEN] {
        &self.0
    }

    /// The network prefix the token is for.
    pub const fn prefix(&self) -> u8 {
        self.0[0]
    }

    /// The permissions granted.
    pub const fn flags(&self) -> SubaccountFlags {
        SubaccountFlags(self.0[1])
    }

    /// The admin's signature of the token.
    pub fn token_signature(&self) -> Signature {
        let mut sig = [0u8; 64];
        sig.copy_from_slice(&self.0[36..]);
        Signature::from_bytes(sig)
    }

    fn blinding_bytes(&self) -> [u8; 32] {
        let mut k = [0u8; 32];
        k.copy_from_slice(&self.0[4..36]);
        k
    }

    /// `[k]|S|` for the member key `S`, as libsodium's `crypto_scalarmult_ed25519_noclamp`
    /// computes it (the scalar's top bit ignored).
    fn blinded_key(&self, member: &Ed25519PublicKey) -> Result<[u8; 32], SubaccountError> {
        let mut k = Zeroizing::new(self.blinding_bytes());
        k[31] &= 0x7f;
        let k = Zeroizing::new(Scalar::from_bytes_mod_order(*k));
        let mut t = member.to_bytes();
        t[31] &= 0x7f;
        let product = scalarmult_noclamp(&k, &Ed25519PublicKey::from_bytes(t))
            .map_err(SubaccountError::BadKey)?;
        Ok(*product)
    }

    /// The token these auth data authorise for the member whose Ed25519 key is `member`.
    pub fn token_for(&self, member: &Ed25519PublicKey) -> Result<SubaccountToken, SubaccountError> {
        let mut token = [0u8; TOKEN_LEN];
        token[..4].copy_from_slice(&self.0[..4]);
        token[4..].copy_from_slice(&self.blinded_key(member)?);
        Ok(SubaccountToken(token))
    }

    /// Checks the auth data as a member would before using them (libsession's
    /// `swarm_verify_subaccount`): a `03` prefix (or [`SubaccountFlags::ANY_PREFIX`]), the read
    /// flag and the `required` ones, and the group's signature over the token rebuilt from `k`
    /// and the member's key.
    pub fn verify(
        &self,
        group: &Ed25519PublicKey,
        member: &Ed25519PublicKey,
        required: SubaccountFlags,
    ) -> Result<(), SubaccountError> {
        let token = self.token_for(member)?;
        check_token(&token, GROUP_PREFIX, required | SubaccountFlags::READ)?;
        group
            .verify(token.as_bytes(), &self.token_signature())
            .map_err(SubaccountError::BadTokenSignature)
    }
}

impl PartialEq for SubaccountAuthData {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for SubaccountAuthData {}

impl fmt::Debug for SubaccountAuthData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubaccountAuthData")
            .field("flags", &self.flags())
            .finish_non_exhaustive()
    }
}

/// The prefix and permission checks of a token.
fn check_token(
    token: &SubaccountToken,
    account_prefix: u8,
    required: SubaccountFlags,
) -> Result<(), SubaccountError> {
    if !token.prefix_allowed(account_prefix) {
        return Err(SubaccountError::WrongPrefix {
            token: token.prefix(),
            account: account_prefix,
        });
    }
    if !token.flags().contains(required) {
        return Err(SubaccountError::MissingPermission {
            granted: token.flags(),
            required,
        });
    }
    Ok(())
}

/// The blinding factor `k` of `member` in the group whose key is `group`.
fn blinding_factor(group: &Identity, member: &SessionId) -> Result<Scalar, SubaccountError> {
    if member.prefix() != Prefix::User {
        return Err(SubaccountError::NotAUserId(member.prefix()));
    }
    let mask = Zeroizing::new(blake2b_keyed_parts::<32, 26>(
        MASK_KEY,
        &[group.seed().expose_ed25519_seed()],
    ));
    let hash = Zeroizing::new(blake2b_keyed_parts::<64, 32>(
        &mask,
        &[
            &[Prefix::User.as_byte()],
            member.key_bytes(),
            &[Prefix::Group.as_byte()],
            group.ed25519_public_key().as_bytes(),
        ],
    ));
    Ok(Scalar::from_bytes_mod_order_wide(&hash))
}

/// The token of `member` with `flags` in the group whose Ed25519 key is `group` (admins only:
/// the factor comes from the group's seed), together with its blinding factor.
fn token_and_factor(
    group: &Identity,
    member: &SessionId,
    flags: SubaccountFlags,
) -> Result<(SubaccountToken, Scalar), SubaccountError> {
    let k = blinding_factor(group, member)?;
    let x = member
        .x25519_public_key()
        .ok_or(SubaccountError::NotAUserId(member.prefix()))?;
    let t = xed25519::ed25519_from_x25519(&x).map_err(SubaccountError::BadKey)?;
    let kt = scalarmult_noclamp(&k, &t).map_err(SubaccountError::BadKey)?;
    let mut token = [0u8; TOKEN_LEN];
    token[0] = GROUP_PREFIX;
    token[1] = flags.bits();
    token[4..].copy_from_slice(&*kt);
    Ok((SubaccountToken(token), k))
}

/// The subaccount token of `member` with `flags` (libsession's `swarm_subaccount_token`): what
/// an admin puts in `revoke_subaccount` / `unrevoke_subaccount` requests. `group` is the
/// group's key pair, from its seed.
pub fn token(
    group: &Identity,
    member: &SessionId,
    flags: SubaccountFlags,
) -> Result<SubaccountToken, SubaccountError> {
    token_and_factor(group, member, flags).map(|(token, _)| token)
}

/// The auth data an admin gives `member` (libsession's `swarm_make_subaccount`): `flags`, the
/// blinding factor and the group's signature of the member's token. `group` is the group's key
/// pair, from its seed. Deterministic. Fails for an ID that is not `05` or whose key is not a
/// point.
pub fn make_auth_data(
    group: &Identity,
    member: &SessionId,
    flags: SubaccountFlags,
) -> Result<SubaccountAuthData, SubaccountError> {
    let (token, k) = token_and_factor(group, member, flags)?;
    let signature = group.sign(token.as_bytes());
    let mut out = [0u8; AUTH_DATA_LEN];
    out[..4].copy_from_slice(&token.as_bytes()[..4]);
    out[4..36].copy_from_slice(k.as_bytes());
    out[36..].copy_from_slice(signature.as_bytes());
    Ok(SubaccountAuthData(out))
}

/// The three authentication values of a request signed by a subaccount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubaccountSignature {
    /// The token (`subaccount`).
    pub token: SubaccountToken,
    /// The admin's signature of the token (`subaccount_sig`).
    pub token_signature: Signature,
    /// The subaccount's signature of the request (`signature`).
    pub signature: Signature,
}

impl SubaccountSignature {
    /// The three values as the storage server's JSON parameters spell them (`subaccount`,
    /// `subaccount_sig` and `signature`, standard base64): read as it reads them.
    pub fn from_params(
        subaccount: &str,
        subaccount_sig: &str,
        signature: &str,
    ) -> Result<Self, SubaccountError> {
        let signature_of = |text: &str| {
            let bytes = decode_base64_signature(text)?;
            Ok::<_, SubaccountError>(Signature::from_bytes(bytes))
        };
        Ok(Self {
            token: SubaccountToken::parse(subaccount)?,
            token_signature: signature_of(subaccount_sig)?,
            signature: signature_of(signature)?,
        })
    }
}

/// A signature in base64: 86 characters, or 88 ending in `==`.
fn decode_base64_signature(text: &str) -> Result<[u8; 64], SubaccountError> {
    let bad = SubaccountError::Encoding("signature");
    let bytes = match text.len() {
        86 => base64::engine::general_purpose::STANDARD_NO_PAD.decode(text),
        88 => STANDARD.decode(text),
        _ => return Err(bad),
    };
    bytes
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .ok_or(bad)
}

/// A member's signing key for a group's swarm: the blinded key pair `kT`/`kt` of its
/// [`SubaccountAuthData`], with the token and the admin's signature that go with every request.
/// The secrets are zeroized on drop; `Debug` shows the token only.
#[derive(Clone)]
pub struct SubaccountKey {
    token: SubaccountToken,
    token_signature: Signature,
    blinded_scalar: Zeroizing<Scalar>,
    nonce_seed: Zeroizing<[u8; 32]>,
}

impl SubaccountKey {
    /// The key of `member` for `auth` (as libsession's `swarm_subaccount_sign` derives it).
    /// Checks nothing the server would not: a member can sign with auth data it was not given,
    /// and the server refuses the requests. Use [`SubaccountAuthData::verify`] to check first.
    pub fn new(member: &Identity, auth: &SubaccountAuthData) -> Result<Self, SubaccountError> {
        let public = member.ed25519_public_key();
        let token = auth.token_for(&public)?;
        let negative = public.as_bytes()[31] & 0x80 != 0;
        let x = member.expose_private_scalar();
        let t = Zeroizing::new(if negative { -*x } else { *x });
        let k = Zeroizing::new(Scalar::from_bytes_mod_order(auth.blinding_bytes()));
        let blinded_scalar = Zeroizing::new(*k * *t);
        let nonce_seed = Zeroizing::new(blake2b_keyed_parts::<32, 14>(
            SEED_KEY,
            &[member.seed().expose_ed25519_seed()],
        ));
        Ok(Self {
            token,
            token_signature: auth.token_signature(),
            blinded_scalar,
            nonce_seed,
        })
    }

    /// The token requests carry.
    pub fn token(&self) -> &SubaccountToken {
        &self.token
    }

    /// The admin's signature of the token.
    pub fn token_signature(&self) -> &Signature {
        &self.token_signature
    }

    /// Signs `message` (the request bytes of `SignedAction::message`): a plain Ed25519
    /// signature under the token's key `kT`, deterministic, with libsession's nonce derivation.
    pub fn sign(&self, message: &[u8]) -> SubaccountSignature {
        let blinded_public = &self.token.as_bytes()[4..];
        let nonce_hash = Zeroizing::new(blake2b_keyed_parts::<64, 13>(
            NONCE_KEY,
            &[self.nonce_seed.as_ref(), blinded_public, message],
        ));
        let r = Zeroizing::new(Scalar::from_bytes_mod_order_wide(&nonce_hash));
        let big_r = (&*r * ED25519_BASEPOINT_TABLE).compress();
        let challenge = Scalar::from_hash(
            Sha512::new()
                .chain_update(big_r.as_bytes())
                .chain_update(blinded_public)
                .chain_update(message),
        );
        let s = challenge * *self.blinded_scalar + *r;
        let mut signature = [0u8; 64];
        signature[..32].copy_from_slice(big_r.as_bytes());
        signature[32..].copy_from_slice(s.as_bytes());
        SubaccountSignature {
            token: self.token,
            token_signature: self.token_signature,
            signature: Signature::from_bytes(signature),
        }
    }
}

impl fmt::Debug for SubaccountKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubaccountKey")
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

/// Verifies a subaccount-signed request as the storage server does (revocation aside: the
/// server also refuses tokens on the account's revocation list). `account_key` is the Ed25519
/// key of the account (a `03` group's ID without its prefix), `account_prefix` the account's
/// network prefix, `required` the permissions of the method (`SignedAction::required_flags`),
/// `message` the signed request bytes.
///
/// Checks, in the server's order: the token's prefix (or [`SubaccountFlags::ANY_PREFIX`]), its
/// flags, the account's signature of the token, then the request signature under the token's
/// key, with libsodium's rules.
pub fn verify_request(
    account_key: &Ed25519PublicKey,
    account_prefix: u8,
    signed: &SubaccountSignature,
    required: SubaccountFlags,
    message: &[u8],
) -> Result<(), SubaccountError> {
    check_token(&signed.token, account_prefix, required)?;
    account_key
        .verify(signed.token.as_bytes(), &signed.token_signature)
        .map_err(SubaccountError::BadTokenSignature)?;
    signed
        .token
        .public_key()
        .verify(message, &signed.signature)
        .map_err(SubaccountError::BadRequestSignature)
}

#[cfg(test)]
mod tests {
    use super::*;
    use session_identity::Seed;

    #[test]
    fn flags_debug_and_bits() {
        assert_eq!(
            format!("{:?}", SubaccountFlags::NONE),
            "SubaccountFlags(NONE)"
        );
        assert_eq!(
            format!(
                "{:?}",
                SubaccountFlags::new(false, true) | SubaccountFlags::from_bits(0x18)
            ),
            "SubaccountFlags(READ | DELETE | ANY_PREFIX | 0x10)"
        );
        assert!(SubaccountFlags::new(true, true).contains(SubaccountFlags::new(false, true)));
    }

    #[test]
    fn text_forms() {
        let token = SubaccountToken::from_bytes([7; TOKEN_LEN]);
        assert_eq!(SubaccountToken::parse(&token.to_base64()), Ok(token));
        assert_eq!(SubaccountToken::parse(&to_hex(token.as_bytes())), Ok(token));
        assert_eq!(
            SubaccountToken::parse(&to_hex(token.as_bytes()).to_uppercase()),
            Ok(token)
        );
        for bad in ["", "AAAA", &"g".repeat(72), &"*".repeat(48)] {
            assert_eq!(
                SubaccountToken::parse(bad),
                Err(SubaccountError::Encoding("subaccount token"))
            );
        }
        let sig = STANDARD.encode([9u8; 64]);
        assert_eq!(decode_base64_signature(&sig), Ok([9; 64]));
        assert_eq!(decode_base64_signature(&sig[..86]), Ok([9; 64]));
        assert!(decode_base64_signature(&sig[..87]).is_err());
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let group = Identity::from_seed(Seed::from_full_bytes([1; 32]));
        let member = Identity::from_seed(Seed::from_full_bytes([2; 32]));
        let auth = make_auth_data(
            &group,
            &member.session_id(),
            SubaccountFlags::new(true, true),
        )
        .unwrap();
        let key = SubaccountKey::new(&member, &auth).unwrap();
        let k = to_hex(&auth.expose_bytes()[4..36]);
        for text in [format!("{auth:?}"), format!("{key:?}")] {
            assert!(!text.contains(&k), "{text}");
        }
    }
}
