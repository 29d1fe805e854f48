//! Differential tests against libsodium (through `sodium-peer`): over thousands of random
//! inputs from a seeded ChaCha20 generator, sessionkit and libsodium must compute the same bytes
//! and reach the same verdicts, on valid and on hostile inputs (mutated signatures, small-order
//! and non-canonical keys, points on the twist).

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use sessionkit::envelope::session_protocol;
use sessionkit::identity::hash::Blake2b;
use sessionkit::identity::test_util::ReplayRng;
use sessionkit::identity::{
    Ed25519PublicKey, Identity, PrecomputedX25519PublicKey, Seed, Signature, X25519PublicKey,
    X25519SecretKey,
};
use sessionkit::onion::{hop_decrypt, hop_encrypt, EncType, Role};
use sodium_peer as sodium;

fn rng(label: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(0x5e55_1011_0000_0000 ^ label)
}

fn bytes<const N: usize>(rng: &mut ChaCha20Rng) -> [u8; N] {
    let mut out = [0u8; N];
    rng.fill_bytes(&mut out);
    out
}

fn random_vec(rng: &mut ChaCha20Rng, max_len: usize) -> Vec<u8> {
    let len = (rng.next_u32() as usize) % (max_len + 1);
    let mut out = vec![0u8; len];
    rng.fill_bytes(&mut out);
    out
}

fn hex32(text: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).expect("hex");
    }
    out
}

/// Ed25519 encodings of points of small order (libsodium's blacklist), with both sign bits.
fn small_order_ed25519() -> Vec<[u8; 32]> {
    let mut out = Vec::new();
    for text in [
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    ] {
        let point = hex32(text);
        let mut negated = point;
        negated[31] ^= 0x80;
        out.push(point);
        out.push(negated);
    }
    out
}

/// Non-canonical Ed25519 encodings: y = p + k for k in 0..19 (y ≥ p), both sign bits.
fn non_canonical_ed25519() -> Vec<[u8; 32]> {
    let mut out = Vec::new();
    for k in 0u8..19 {
        let mut y = [0xffu8; 32];
        y[0] = 0xed + k;
        y[31] = 0x7f;
        out.push(y);
        y[31] = 0xff;
        out.push(y);
    }
    out
}

/// X25519 u-coordinates of small order (libsodium's blacklist), also with the top bit set.
fn small_order_x25519() -> Vec<[u8; 32]> {
    let mut out = Vec::new();
    for text in [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ] {
        let point = hex32(text);
        let mut high = point;
        high[31] |= 0x80;
        out.push(point);
        out.push(high);
    }
    out
}

fn identity(rng: &mut ChaCha20Rng) -> Identity {
    if rng.next_u32() & 1 == 0 {
        Identity::from_seed(Seed::from_legacy_bytes(bytes(rng)))
    } else {
        Identity::from_seed(Seed::from_full_bytes(bytes(rng)))
    }
}

#[test]
fn key_conversions_and_seed_key_pairs_agree() {
    let mut rng = rng(1);
    for _ in 0..1000 {
        let id = identity(&mut rng);
        let (pk, sk) = sodium::sign_seed_keypair(id.seed().expose_ed25519_seed());
        assert_eq!(pk, id.ed25519_public_key().to_bytes());
        assert_eq!(*id.expose_ed25519_secret_key(), sk);
        assert_eq!(
            sodium::ed25519_sk_to_curve25519(&sk),
            *id.x25519_secret_key().expose_secret_bytes()
        );
        assert_eq!(
            sodium::ed25519_pk_to_curve25519(&pk),
            Some(id.x25519_public_key().to_bytes())
        );
        assert_eq!(
            id.ed25519_public_key()
                .to_x25519()
                .ok()
                .map(|x| x.to_bytes()),
            Some(id.x25519_public_key().to_bytes())
        );
    }
    // Arbitrary 32-byte strings (most are not points; some are points with a torsion
    // component), small-order and non-canonical encodings: same verdict, same key.
    let mut hostile: Vec<[u8; 32]> = (0..2000).map(|_| bytes(&mut rng)).collect();
    hostile.extend(small_order_ed25519());
    hostile.extend(non_canonical_ed25519());
    hostile.extend(negated_public_keys(&mut rng));
    for key in hostile {
        let ours = Ed25519PublicKey::from_bytes(key)
            .to_x25519()
            .ok()
            .map(|x| x.to_bytes());
        assert_eq!(
            ours,
            sodium::ed25519_pk_to_curve25519(&key),
            "key {key:02x?}"
        );
    }
}

/// Valid public keys with the sign bit flipped: the point `-A` (also of prime order).
fn negated_public_keys(rng: &mut ChaCha20Rng) -> Vec<[u8; 32]> {
    (0..200)
        .map(|_| {
            let mut pk = sodium::sign_seed_keypair(&bytes(rng)).0;
            pk[31] ^= 0x80;
            pk
        })
        .collect()
}

#[test]
fn signatures_are_identical_and_verdicts_agree() {
    let mut rng = rng(2);
    let small = small_order_ed25519();
    let non_canonical = non_canonical_ed25519();
    // L, the group order, little-endian: S + L is a non-canonical encoding of the same S.
    let order = hex32("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
    for i in 0..1500 {
        let id = identity(&mut rng);
        let message = random_vec(&mut rng, 300);
        let sk = id.expose_ed25519_secret_key();
        let pk = id.ed25519_public_key().to_bytes();
        let signature = id.sign(&message);
        let theirs = sodium::sign_detached(&message, &sk);
        assert_eq!(*signature.as_bytes(), theirs);

        let mut cases: Vec<([u8; 64], Vec<u8>, [u8; 32])> = vec![(theirs, message.clone(), pk)];
        // One flipped bit in the signature, the message or the key.
        let mut sig = theirs;
        let bit = (rng.next_u32() % 512) as usize;
        sig[bit / 8] ^= 1 << (bit % 8);
        cases.push((sig, message.clone(), pk));
        if !message.is_empty() {
            let mut m = message.clone();
            let at = (rng.next_u32() as usize) % m.len();
            m[at] ^= 1;
            cases.push((theirs, m, pk));
        }
        let mut key = pk;
        let bit = (rng.next_u32() % 256) as usize;
        key[bit / 8] ^= 1 << (bit % 8);
        cases.push((theirs, message.clone(), key));
        // S + L (non-canonical S; the sum of two values < 2^253 fits in 32 bytes).
        let mut sig = theirs;
        let mut carry = 0u16;
        for j in 0..32 {
            let sum = u16::from(sig[32 + j]) + u16::from(order[j]) + carry;
            sig[32 + j] = sum as u8;
            carry = sum >> 8;
        }
        cases.push((sig, message.clone(), pk));
        // Small-order R, small-order and non-canonical keys.
        let mut sig = theirs;
        sig[..32].copy_from_slice(&small[i % small.len()]);
        cases.push((sig, message.clone(), pk));
        cases.push((theirs, message.clone(), small[i % small.len()]));
        cases.push((
            theirs,
            message.clone(),
            non_canonical[i % non_canonical.len()],
        ));
        // A random signature under a small-order key with S = 0 (verifies cofactored for
        // identity keys unless refused).
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&small[(i + 1) % small.len()]);
        cases.push((sig, message.clone(), small[i % small.len()]));

        for (sig, message, key) in cases {
            let ours = Ed25519PublicKey::from_bytes(key)
                .verify(&message, &Signature::from_bytes(sig))
                .is_ok();
            let theirs = sodium::verify_detached(&sig, &message, &key);
            assert_eq!(ours, theirs, "sig {sig:02x?} key {key:02x?}");
        }
    }
}

#[test]
fn sealed_boxes_open_both_ways() {
    let mut rng = rng(3);
    for _ in 0..400 {
        let alice = identity(&mut rng);
        let bob = identity(&mut rng);
        let bob_x = bob.x25519_public_key();
        let bob_x_sk = *bob.x25519_secret_key().expose_secret_bytes();
        let message = random_vec(&mut rng, 2048);

        // Ours opens with crypto_box_seal_open and carries libsodium's signature layout.
        let ours = session_protocol::encrypt(&alice, &bob_x, &message, &mut rng).expect("seals");
        let inner = sodium::box_seal_open(&ours, bob_x.as_bytes(), &bob_x_sk).expect("opens");
        assert_eq!(
            inner,
            session_protocol::sign_for_recipient(&alice, &bob_x, &message)
        );
        let mut signed = inner[..message.len() + 32].to_vec();
        signed.extend_from_slice(bob_x.as_bytes());
        let sig: [u8; 64] = inner[message.len() + 32..].try_into().expect("64 bytes");
        assert!(sodium::verify_detached(
            &sig,
            &signed,
            &alice.ed25519_public_key().to_bytes()
        ));

        // libsodium's sealed box of the same inner bytes opens with ours.
        let theirs = sodium::box_seal(&inner, bob_x.as_bytes()).expect("seals");
        let opened = session_protocol::decrypt(&bob, &theirs).expect("opens");
        assert_eq!(opened.plaintext, message);
        assert_eq!(opened.sender_session_id, alice.session_id());

        // A flipped bit: neither opens.
        for sealed in [&ours, &theirs] {
            let mut forged = sealed.clone();
            let at = (rng.next_u32() as usize) % forged.len();
            forged[at] ^= 1 << (rng.next_u32() % 8);
            assert!(sodium::box_seal_open(&forged, bob_x.as_bytes(), &bob_x_sk).is_none());
            assert!(session_protocol::decrypt(&bob, &forged).is_err());
        }
    }
    // A sealed box whose ephemeral key has small order opens for neither.
    let bob = identity(&mut rng);
    let bob_x = bob.x25519_public_key();
    let bob_x_sk = *bob.x25519_secret_key().expose_secret_bytes();
    for point in small_order_x25519() {
        let mut forged = point.to_vec();
        forged.extend(random_vec(&mut rng, 300));
        forged.resize(forged.len().max(session_protocol::OVERHEAD), 0);
        assert!(sodium::box_seal_open(&forged, bob_x.as_bytes(), &bob_x_sk).is_none());
        assert!(session_protocol::decrypt(&bob, &forged).is_err());
    }
    // Sealing to a small-order key: both refuse.
    for point in small_order_x25519() {
        let ours =
            session_protocol::encrypt(&bob, &X25519PublicKey::from_bytes(point), b"m", &mut rng);
        assert_eq!(
            ours.is_ok(),
            sodium::box_seal(b"m", &point).is_some(),
            "{point:02x?}"
        );
    }
}

#[test]
fn blake2b_agrees_for_every_length_keyed_and_unkeyed() {
    let mut rng = rng(4);
    for round in 0..40 {
        for out_len in 16..=64usize {
            let message = random_vec(&mut rng, if round % 8 == 0 { 1000 } else { 200 });
            let key = match (round + out_len) % 3 {
                0 => None,
                _ => Some(random_vec(&mut rng, 64)).filter(|k| !k.is_empty()),
            };
            let mut ours = vec![0u8; out_len];
            Blake2b::new(out_len, key.as_deref())
                .expect("valid parameters")
                .chain(&message)
                .finalize_into(&mut ours)
                .expect("right length");
            assert_eq!(
                Some(ours),
                sodium::generichash(out_len, key.as_deref(), &message),
                "len {out_len} key {key:?}"
            );
        }
    }
}

/// The key libsodium derives for a hop (X25519, then HMAC-SHA256 or BLAKE2b).
fn sodium_hop_key(
    enc: EncType,
    secret: &[u8; 32],
    client: &[u8; 32],
    server: &[u8; 32],
    remote: &[u8; 32],
) -> Option<[u8; 32]> {
    let shared = sodium::scalarmult(secret, remote)?;
    match enc {
        EncType::AesGcm => Some(sodium::auth_hmacsha256(b"LOKI", &shared)),
        EncType::XChaCha20 => sodium::generichash_parts(32, None, &[&shared, client, server])?
            .try_into()
            .ok(),
    }
}

#[test]
fn hop_encryption_matches_xchacha20poly1305_and_aes256gcm() {
    let mut rng = rng(5);
    let aes = sodium::aead_aes256gcm_is_available();
    for i in 0..600 {
        let enc = if i % 2 == 0 {
            EncType::XChaCha20
        } else {
            EncType::AesGcm
        };
        let client = X25519SecretKey::from_bytes(bytes(&mut rng));
        let server = X25519SecretKey::from_bytes(bytes(&mut rng));
        let (client_pk, server_pk) = (client.public_key(), server.public_key());
        let message = random_vec(&mut rng, 1500);
        let nonce = bytes::<24>(&mut rng).to_vec();
        let ours = hop_encrypt(
            enc,
            Role::Client,
            &client,
            &server_pk,
            &message,
            &mut ReplayRng::new(nonce.clone()),
        )
        .expect("encrypts");
        let key = sodium_hop_key(
            enc,
            client.expose_secret_bytes(),
            client_pk.as_bytes(),
            server_pk.as_bytes(),
            server_pk.as_bytes(),
        )
        .expect("not small order");
        let body = match enc {
            EncType::XChaCha20 => {
                let n: [u8; 24] = nonce[..24].try_into().expect("24");
                Some(sodium::aead_xchacha20poly1305_ietf_encrypt(
                    &message,
                    &[],
                    &n,
                    &key,
                ))
            }
            EncType::AesGcm => {
                let n: [u8; 12] = nonce[..12].try_into().expect("12");
                sodium::aead_aes256gcm_encrypt(&message, &[], &n, &key)
            }
        };
        let Some(body) = body else {
            assert!(!aes, "AES-GCM is available but refused");
            continue;
        };
        let theirs: Vec<u8> = nonce[..enc.nonce_len()]
            .iter()
            .copied()
            .chain(body)
            .collect();
        assert_eq!(ours, theirs, "{enc}");
        assert_eq!(
            hop_decrypt(enc, Role::Server, &server, &client_pk, &theirs).as_deref(),
            Ok(&message[..])
        );
        // A flipped bit: both refuse.
        let mut forged = theirs;
        let at = (rng.next_u32() as usize) % forged.len();
        forged[at] ^= 1;
        assert!(hop_decrypt(enc, Role::Server, &server, &client_pk, &forged).is_err());
        let n = &forged[..enc.nonce_len()];
        let refused = match enc {
            EncType::XChaCha20 => sodium::aead_xchacha20poly1305_ietf_decrypt(
                &forged[24..],
                &[],
                n.try_into().expect("24"),
                &key,
            ),
            EncType::AesGcm => {
                sodium::aead_aes256gcm_decrypt(&forged[12..], &[], n.try_into().expect("12"), &key)
            }
        };
        assert!(refused.is_none());
    }
}

#[test]
fn x25519_agrees_on_curve_twist_and_small_order_points() {
    let mut rng = rng(6);
    let small = small_order_x25519();
    for i in 0..3000 {
        let secret: [u8; 32] = bytes(&mut rng);
        let ours = X25519SecretKey::from_bytes(secret);
        if i % 4 == 0 {
            assert_eq!(
                Some(ours.public_key().to_bytes()),
                sodium::scalarmult_base(&secret)
            );
        }
        // Random u: about half are on the twist; the top bit is set half the time.
        let mut points = vec![bytes::<32>(&mut rng)];
        points.push(small[i % small.len()]);
        for point in points {
            let key = X25519PublicKey::from_bytes(point);
            let mine = ours
                .diffie_hellman(&key)
                .ok()
                .map(|s| *s.expose_secret_bytes());
            let theirs = sodium::scalarmult(&secret, &point);
            assert_eq!(mine, theirs, "u {point:02x?}");
            // Through a precomputed table (a table costs ≈ 25 exchanges: every 10th point).
            if i % 10 == 0 {
                let table = PrecomputedX25519PublicKey::new(&key);
                let precomputed = ours
                    .diffie_hellman_precomputed(&table)
                    .ok()
                    .map(|s| *s.expose_secret_bytes());
                assert_eq!(precomputed, theirs, "precomputed u {point:02x?}");
            }
        }
    }
}
