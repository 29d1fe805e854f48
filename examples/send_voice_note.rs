//! A voice note, then a 10 MB recording, from Alice to Bob through the in-memory network's
//! file server.
//!
//! Alice records (generates) three seconds of a tone as a WAV file, encrypts it for upload,
//! uploads it through a 3-hop onion path, and sends Bob a 1:1 message whose attachment pointer
//! marks it as a voice message. Bob polls his swarm, reads the file's id from the pointer's
//! URL, downloads it through his own onion path, decrypts it with the pointer and checks the
//! bytes are Alice's.
//!
//! Then the same with a recording of about 10 MB, encrypted and decrypted chunk by chunk with the
//! streaming API behind a progress bar, printing how much heap the streaming steps used on top
//! of the file and upload buffers (the network is in memory, so the transfer itself is one step:
//! the bars follow the encryption and decryption chunks).
//!
//! Seeded randomness and a simulated clock: every run prints the same IDs.
//!
//! ```text
//! cargo run --release --example send_voice_note
//! ```

use std::error::Error;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use peak_alloc::PeakAlloc;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use session_envelope::attachment::stream::{self, encrypted_size, ENCRYPTED_CHUNK_LEN};
use session_envelope::attachment::{Domain, StreamDecryptor, StreamKeyDeriver};
use session_envelope::proto::{AttachmentPointer, Content, DataMessage};
use session_fileserver::{FileServer, FileUrl};
use session_identity::Identity;
use session_testnet::{Client, Network, NetworkConfig};

/// Counts every allocation of this process, to print the streaming steps' peak.
#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

const SAMPLE_RATE: u32 = 16_000;
/// The pieces the file is read and the download fed in, as a client reading a file would.
const PIECE: usize = 64 * 1024;

/// A mono 16-bit PCM WAV of `samples` samples: a 440 Hz tone that swells and fades once a
/// second, so it sounds like something.
fn wav(samples: usize) -> Vec<u8> {
    let data_len = samples * 2;
    let mut out = Vec::with_capacity(44 + data_len);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes()); // fmt chunk length
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&SAMPLE_RATE.to_le_bytes());
    out.extend_from_slice(&(SAMPLE_RATE * 2).to_le_bytes()); // bytes per second
    out.extend_from_slice(&2u16.to_le_bytes()); // bytes per frame
    out.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(data_len as u32).to_le_bytes());
    let rate = f64::from(SAMPLE_RATE);
    for n in 0..samples {
        let t = n as f64 / rate;
        let envelope = (core::f64::consts::PI * t).sin().abs();
        let sample = (envelope * (2.0 * core::f64::consts::PI * 440.0 * t).sin() * 12_000.0) as i16;
        out.extend_from_slice(&sample.to_le_bytes());
    }
    out
}

fn with_attachment(pointer: AttachmentPointer) -> Content {
    Content {
        data_message: Some(DataMessage {
            attachments: vec![pointer],
            ..DataMessage::default()
        }),
        ..Content::default()
    }
}

/// Bob's side: the first attachment of his newest message, downloaded from the server its URL
/// names (the testnet's; its key is known to every client of the network).
fn receive(
    bob: &mut Client,
    net: &mut Network,
) -> Result<(AttachmentPointer, Vec<u8>), Box<dyn Error>> {
    let inbox = bob.poll(net)?;
    let pointer = inbox
        .last()
        .and_then(|r| r.message.content.data_message.as_ref())
        .and_then(|m| m.attachments.first())
        .cloned()
        .ok_or("no attachment in Bob's inbox")?;
    let url = FileUrl::parse(pointer.url.as_deref().unwrap_or_default())?;
    let download = bob.download(net, url.id())?;
    Ok((pointer, download))
}

fn kib(bytes: usize) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

fn bar(len: u64, label: &'static str) -> Result<ProgressBar, Box<dyn Error>> {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("  {prefix:<22} [{bar:30}] {percent:>3}% {msg}")?
            .progress_chars("=> "),
    );
    bar.set_prefix(label);
    Ok(bar)
}

fn main() -> Result<(), Box<dyn Error>> {
    let started = Instant::now();
    let mut net = Network::new(NetworkConfig::default());
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let mut alice = Client::new(Identity::generate(&mut rng), &net, 1)?;
    let mut bob = Client::new(Identity::generate(&mut rng), &net, 2)?;
    let server: FileServer = net.file_server().client_config();
    println!("Alice {}", alice.session_id());
    println!("Bob   {}", bob.session_id());
    println!(
        "file server {} (X25519 {})",
        server.base_url(),
        server.x25519()
    );

    // The deterministic stream scheme (libsession's; the URL's `#d` tells receivers): the key
    // and nonce come from Alice's seed and the content, so nothing random has to be made or
    // kept, the pointer needs no digest, the same note always gives the same upload (which the
    // server may deduplicate), and its streaming form keeps memory flat for the 10 MB file
    // below. The legacy AES-CBC scheme is what older clients send; receivers read both.
    let seed = *alice.identity().seed().expose_ed25519_seed();

    println!("\n== 1. A three-second voice note");
    let note = wav(3 * SAMPLE_RATE as usize);
    let sealed = stream::encrypt(&seed, &note, Domain::Attachment)?;
    let sealed_len = sealed.data.len();
    let uploaded = alice.upload(&mut net, sealed.data)?;
    let url = server
        .file_url(&uploaded.id)
        .deterministic(true)
        .to_string();
    println!(
        "  Alice encrypts {} bytes of WAV into {sealed_len} and uploads them through her path:",
        note.len()
    );
    println!("  {url}");
    let mut pointer =
        AttachmentPointer::for_stream(url, &sealed.key, note.len() as u32).into_voice_message();
    // The voice-message flag and file name as the desktop client sets them; the content type
    // says what this note really is (the desktop client's own recordings are MP3).
    pointer.content_type = Some("audio/wav".into());
    alice.send(&mut net, &bob.session_id(), &with_attachment(pointer))?;
    let (pointer, download) = receive(&mut bob, &mut net)?;
    let heard = pointer.decrypt(&download)?;
    println!(
        "  Bob gets a voice message ({}, {:?}, flags {}) and downloads {} bytes",
        pointer.content_type.as_deref().unwrap_or("?"),
        pointer.file_name.as_deref().unwrap_or("?"),
        pointer.flags.unwrap_or(0),
        download.len()
    );
    if !pointer.is_voice_message() || heard != note {
        return Err("the voice note did not arrive intact".into());
    }
    println!("  decrypted: {} bytes, identical to Alice's", heard.len());

    println!("\n== 2. A 10 MB recording, streamed");
    // The longest WAV whose upload fits the server's 10,000,000-byte limit (a file of
    // 10,000,000 bytes would encrypt to 10,223,616).
    let limit = server.max_file_size() as u64;
    let mut samples = (limit as usize - 44) / 2;
    while encrypted_size(44 + 2 * samples as u64) > limit {
        samples -= 1;
    }
    let recording = wav(samples);
    let upload_len = encrypted_size(recording.len() as u64);
    println!(
        "  {} bytes ({} s of audio), {upload_len} bytes encrypted",
        recording.len(),
        samples as u32 / SAMPLE_RATE
    );

    // Encryption: a hashing pass for the key, then the encrypting pass into the upload buffer.
    let mut upload = Vec::with_capacity(upload_len as usize);
    let base = HEAP.current_usage();
    HEAP.reset_peak_usage();
    // The bar counts the bytes hashed, then the encrypted bytes as each chunk is sealed.
    let progress = bar(recording.len() as u64 + upload_len, "Alice: encrypt+upload")?;
    progress.set_message("deriving the key");
    let mut deriver = StreamKeyDeriver::new(&seed, Domain::Attachment);
    for piece in recording.chunks(PIECE) {
        deriver.update(piece);
        progress.inc(piece.len() as u64);
    }
    let mut encryptor = deriver.finish()?;
    let key = encryptor.key().clone();
    progress.set_message("encrypting");
    let mut sink = |chunk: &[u8]| {
        upload.extend_from_slice(chunk);
        progress.inc(chunk.len() as u64);
    };
    for piece in recording.chunks(PIECE) {
        encryptor.update(piece, &mut sink)?;
    }
    encryptor.finish(&mut sink)?;
    let encrypt_peak = HEAP.peak_usage().saturating_sub(base);
    progress.finish_with_message("uploaded");

    let uploaded = alice.upload(&mut net, upload)?;
    let url = server.file_url(&uploaded.id).to_string();
    let mut pointer = AttachmentPointer::for_stream(url, &key, recording.len() as u32);
    pointer.content_type = Some("audio/wav".into());
    pointer.file_name = Some("recording.wav".into());
    alice.send(&mut net, &bob.session_id(), &with_attachment(pointer))?;

    let (pointer, download) = receive(&mut bob, &mut net)?;
    let key = stream::StreamKey::from_slice(pointer.key.as_deref().unwrap_or_default())?;
    // Decryption: the download fed in pieces, each decrypted chunk compared as it comes out
    // (nothing else is kept).
    let base = HEAP.current_usage();
    HEAP.reset_peak_usage();
    let progress = bar(download.len() as u64, "Bob: download+decrypt")?;
    progress.set_message("decrypting");
    let mut decryptor = StreamDecryptor::new(&key);
    let mut at = 0usize;
    let mut same = true;
    let mut check = |plain: &[u8]| {
        same &= recording.get(at..at + plain.len()) == Some(plain);
        at += plain.len();
    };
    for piece in download.chunks(PIECE) {
        decryptor.update(piece, &mut check)?;
        progress.inc(piece.len() as u64);
    }
    decryptor.finish(&mut check)?;
    let decrypt_peak = HEAP.peak_usage().saturating_sub(base);
    progress.finish_with_message("decrypted");
    if !same || at != recording.len() {
        return Err("the recording did not arrive intact".into());
    }
    println!(
        "  Bob downloads {} bytes and decrypts {at}: identical to Alice's",
        download.len()
    );
    println!(
        "  peak heap of the streaming steps, beyond the file and upload buffers: \
         encrypt {}, decrypt {} (one encrypted chunk is {})",
        kib(encrypt_peak),
        kib(decrypt_peak),
        kib(ENCRYPTED_CHUNK_LEN)
    );
    println!("\ndone in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}
