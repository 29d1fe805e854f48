//! Session `03` groups: who holds which group encryption key.
//!
//! A `03` group encrypts its messages (namespace 11) and configs (13, 14) with a 32-byte key
//! that its admins replace whenever the member list changes. Each key reaches the members
//! through a **keys message** stored in namespace 12 of the group's swarm, signed by the group
//! key:
//!
//! ```text
//!  admin (group seed)                       swarm ns 12                 member (own key)
//!  rekey(members, gen) ──▶ d #:nonce G:gen K:admin copy k:[entries…] ~:sig ──▶ load → key
//!                          (entries padded with junk to a multiple of 75)
//!  supplement(new members) ─▶ d #:nonce +:[entries…] G:gen ~:sig ──▶ load → older keys
//! ```
//!
//! * [`GroupSecret`] and [`group_id`]: a group seed, its Ed25519 key pair and `03` ID.
//! * [`rekey`] and [`supplement`]: the messages, byte for byte as libsession-util makes them
//!   (deterministic: two admins rekeying the same members agree).
//! * [`Keys`]: the state a client holds per group, member or admin: [`Keys::load`] verifies
//!   and reads each message (typed [`LoadError`]s), keeps keys newest first, expires old
//!   generations ([`KEY_EXPIRY_MS`]), and gives the key to encrypt with and the keys to try
//!   when decrypting (with session-envelope's `group` module); [`Keys::dump`] and
//!   [`Keys::restore`] keep it across restarts.
//! * [`Group`]: the keys with the group's info and members configs (`session-config`), kept
//!   in step — create, join, add members with a supplement, remove them with a rekey,
//!   promote; [`Group::pushes`] says what to store after a change (keys first), and a poll
//!   applies namespaces 12, 13, 14 and 11 in that order.
//!
//! No I/O, no clock (storage timestamps are arguments), no randomness. Secrets are zeroized
//! and never printed by `Debug`.
//!
//! ```
//! use session_groups::{GroupSecret, Keys};
//! use session_envelope::group::EncryptOptions;
//! use session_identity::Identity;
//!
//! let mut rng = rand::rng();
//! let (admin, bob, eve) = (Identity::generate(&mut rng), Identity::generate(&mut rng), Identity::generate(&mut rng));
//! let group = GroupSecret::generate(&mut rng);
//! assert_eq!(group.group_id().to_hex()[..2], *"03");
//!
//! // The admin creates generation 0 for everyone, then removes Eve with a rekey.
//! let mut admin_keys = Keys::new_admin(admin.clone(), group.clone())?;
//! let gen0 = admin_keys.rekey(&[admin.session_id(), bob.session_id(), eve.session_id()])?;
//! admin_keys.load("h0", &gen0.message, 1_700_000_000_000)?;
//! let gen1 = admin_keys.rekey(&[admin.session_id(), bob.session_id()])?;
//!
//! // Bob and Eve load both messages from the swarm.
//! let mut bob_keys = Keys::new_member(bob.clone(), group.public_key())?;
//! let mut eve_keys = Keys::new_member(eve.clone(), group.public_key())?;
//! for keys in [&mut bob_keys, &mut eve_keys] {
//!     keys.load("h0", &gen0.message, 1_700_000_000_000)?;
//!     keys.load("h1", &gen1.message, 1_700_000_060_000)?;
//! }
//! assert_eq!(bob_keys.current_generation(), 1);
//! assert_eq!(eve_keys.current_generation(), 0);
//!
//! // What the admin sends now, Bob reads and Eve cannot.
//! let sent = admin_keys.encrypt_message(&admin, b"hi", EncryptOptions::default(), &mut rng).expect("a key")?;
//! assert_eq!(bob_keys.decrypt_message(&sent)?.plaintext, b"hi");
//! assert!(eve_keys.decrypt_message(&sent).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![cfg_attr(not(test), no_std)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

extern crate alloc;

mod error;
mod group;
mod keys;
mod message;
mod state;
mod tag;

pub use error::{KeysError, LoadError};
pub use group::{group_id, GroupSecret};
pub use keys::{Keys, Loaded, KEY_EXPIRY_MS};
pub use message::{
    rekey, supplement, GroupKey, Rekey, ENTRY_LEN, MEMBER_BLOCK, MIN_SUPPLEMENT_ENTRY, NONCE_LEN,
};
pub use state::{
    Group, GroupDump, GroupError, GroupPush, KeysLoaded, PushKind, INFO_NAMESPACE, KEYS_NAMESPACE,
    MEMBERS_NAMESPACE, MESSAGES_NAMESPACE,
};
