//! Differential tests of the deterministic attachment scheme against libsodium: the whole
//! upload recomputed from libsodium's own BLAKE2b, HChaCha20 and secretstream push (set up from
//! the derived header as libsession sets it up) must equal sessionkit's byte for byte, and
//! libsodium's `init_pull`/`pull` must open sessionkit's uploads; the other way round, a stream
//! pushed by libsodium under a random header opens with sessionkit's decryptor.

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use sessionkit::envelope::attachment::stream::{
    self, encrypted_padding, encrypted_size, CHUNK_SIZE, ENCRYPTED_CHUNK_LEN, PREFIX_LEN,
};
use sessionkit::envelope::attachment::{AttachmentError, Domain, StreamDecryptor, StreamKey};
use sodium_peer as sodium;
use sodium_peer::{SecretStream, SECRETSTREAM_TAG_FINAL};

fn rng(label: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(0xa77a_c4ed_0000_0000 ^ label)
}

/// libsession's pad-then-chunk stream plaintext: `0x00 × (pad − 1) ‖ 0x01 ‖ content`.
fn padded_stream(content: &[u8]) -> Vec<u8> {
    let pad = encrypted_padding(content.len() as u64) as usize;
    let mut out = vec![0u8; pad - 1];
    out.push(1);
    out.extend_from_slice(content);
    out
}

/// Pushes `plaintext` in 32 KiB chunks, the last one final, after `S ‖ header`.
fn push_stream(mut state: SecretStream, header: &[u8; 24], plaintext: &[u8]) -> Vec<u8> {
    let mut out = vec![b'S'];
    out.extend_from_slice(header);
    let chunks: Vec<&[u8]> = plaintext.chunks(CHUNK_SIZE).collect();
    let mut sealed = Vec::new();
    for (i, chunk) in chunks.iter().enumerate() {
        let tag = if i + 1 == chunks.len() {
            SECRETSTREAM_TAG_FINAL
        } else {
            0
        };
        state.push_into(chunk, tag, &mut sealed);
        out.extend_from_slice(&sealed);
    }
    out
}

/// The deterministic upload from libsodium's primitives.
fn sodium_encrypt(seed: &[u8; 32], content: &[u8], domain: Domain) -> (Vec<u8>, [u8; 32]) {
    let nonce_key = sodium::generichash_personal(56, seed, domain.personal(), content)
        .expect("BLAKE2b-56 with a 32-byte key");
    let header: [u8; 24] = nonce_key[..24].try_into().expect("24 bytes");
    let key: [u8; 32] = nonce_key[24..].try_into().expect("32 bytes");
    let state = SecretStream::init_push_with_header(&key, &header);
    (push_stream(state, &header, &padded_stream(content)), key)
}

/// Opens an upload with libsodium's `init_pull` and `pull`, returning the stream plaintext.
fn sodium_open(upload: &[u8], key: &[u8; 32]) -> Option<Vec<u8>> {
    if upload.first() != Some(&b'S') || upload.len() < PREFIX_LEN {
        return None;
    }
    let header: [u8; 24] = upload[1..PREFIX_LEN].try_into().ok()?;
    let mut state = SecretStream::init_pull(key, &header)?;
    let mut plain = Vec::new();
    let mut message = Vec::new();
    let chunks: Vec<&[u8]> = upload[PREFIX_LEN..].chunks(ENCRYPTED_CHUNK_LEN).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        let tag = state.pull_into(chunk, &mut message)?;
        if (tag == SECRETSTREAM_TAG_FINAL) != (i + 1 == chunks.len()) {
            return None;
        }
        plain.extend_from_slice(&message);
    }
    Some(plain)
}

fn sizes() -> Vec<usize> {
    let mut sizes = vec![
        0,
        1,
        2,
        100,
        4053,
        4054,
        CHUNK_SIZE - 1,
        CHUNK_SIZE,
        CHUNK_SIZE + 1,
        2 * CHUNK_SIZE,
        100_000,
        261_983,
    ];
    let mut r = rng(1);
    sizes.extend((0..12).map(|_| (r.next_u32() % 300_000) as usize));
    sizes
}

#[test]
fn deterministic_uploads_equal_libsodium_composition() {
    let mut r = rng(2);
    for (i, len) in sizes().into_iter().enumerate() {
        let mut seed = [0u8; 32];
        r.fill_bytes(&mut seed);
        let mut content = vec![0u8; len];
        r.fill_bytes(&mut content);
        let domain = if i % 2 == 0 {
            Domain::Attachment
        } else {
            Domain::ProfilePicture
        };
        let ours = stream::encrypt(&seed, &content, domain).expect("within the limit");
        let (theirs, key) = sodium_encrypt(&seed, &content, domain);
        assert_eq!(ours.key.expose_bytes(), &key, "key, {len} bytes");
        assert_eq!(ours.data.len() as u64, encrypted_size(len as u64), "{len}");
        assert!(ours.data == theirs, "upload bytes differ at {len} bytes");
        // libsodium's own init_pull and pull open it to the padded stream.
        let opened = sodium_open(&ours.data, &key).expect("libsodium opens it");
        assert!(opened == padded_stream(&content), "{len}");
    }
}

#[test]
fn libsodium_streams_open_with_sessionkit() {
    let mut r = rng(3);
    for len in sizes() {
        let mut key = [0u8; 32];
        r.fill_bytes(&mut key);
        let mut content = vec![0u8; len];
        r.fill_bytes(&mut content);
        // libsodium's own init_push, with its random header.
        let (state, header) = SecretStream::init_push(&key);
        let upload = push_stream(state, &header, &padded_stream(&content));
        let key = StreamKey::from_bytes(key);
        assert!(
            stream::decrypt(&upload, &key).expect("opens") == content,
            "{len}"
        );
        // Fed in odd pieces, the streaming decryptor agrees.
        let mut out = Vec::new();
        let mut sink = |b: &[u8]| out.extend_from_slice(b);
        let mut decryptor = StreamDecryptor::new(&key);
        for piece in upload.chunks(7919) {
            decryptor.update(piece, &mut sink).expect("authentic");
        }
        decryptor.finish(&mut sink).expect("complete");
        assert!(out == content, "{len}");
        // A wrong key fails on the first chunk.
        let wrong = StreamKey::from_bytes([0x55; 32]);
        assert_eq!(
            stream::decrypt(&upload, &wrong),
            Err(AttachmentError::Forged)
        );
    }
}

/// Prints the libsodium-composed upload digests recorded in session-envelope's
/// `tests/data/libsession_stream.json` (run with `--ignored --nocapture` to regenerate).
#[test]
#[ignore]
fn print_stream_vectors() {
    use sessionkit::identity::hash::Blake2b;
    let data = |len: usize| -> Vec<u8> { (0..len).map(|i| (i * 7 % 256) as u8).collect() };
    let mut rows = Vec::new();
    for (seed_hex, len, domain) in [
        (
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            0usize,
            Domain::Attachment,
        ),
        (
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            1,
            Domain::Attachment,
        ),
        (
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            4053,
            Domain::Attachment,
        ),
        (
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            4054,
            Domain::Attachment,
        ),
        (
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            33333,
            Domain::Attachment,
        ),
        (
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            261983,
            Domain::Attachment,
        ),
        (
            "2123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            1000,
            Domain::ProfilePicture,
        ),
    ] {
        let seed: [u8; 32] = (0..32)
            .map(|i| u8::from_str_radix(&seed_hex[2 * i..2 * i + 2], 16).expect("hex"))
            .collect::<Vec<_>>()
            .try_into()
            .expect("32");
        let content = data(len);
        let (upload, key) = sodium_encrypt(&seed, &content, domain);
        let digest = Blake2b::new(32, None)
            .expect("32")
            .chain(&upload)
            .finalize::<32>()
            .expect("32");
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        rows.push(format!(
            "{{\"seed\": \"{seed_hex}\", \"len\": {len}, \"domain\": \"{}\", \"key\": \"{}\", \"encrypted_len\": {}, \"prefix\": \"{}\", \"blake2b_32\": \"{}\"}}",
            if domain == Domain::Attachment { "attachment" } else { "profile_pic" },
            hex(&key),
            upload.len(),
            hex(&upload[..64.min(upload.len())]),
            hex(&digest)
        ));
    }
    println!("[\n  {}\n]", rows.join(",\n  "));
}
