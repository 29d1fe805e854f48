//! Replays the committed fuzz corpus of the `identity_record_parse` target
//! (`fuzz/corpus/identity_record_parse/`) through the target's check
//! (`fuzz/checks/identity_record.rs`), on stable Rust, plus records sealed here for real.
#![allow(clippy::unwrap_used)]

#[path = "../../../fuzz/checks/identity_record.rs"]
mod identity_record_check;

use std::path::Path;

use rand_core::SeedableRng;
use session_client::store::{IdentityRecord, KdfParams};
use session_identity::Seed;

#[test]
fn identity_record_parse_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/identity_record_parse");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if !path.is_file() {
            continue;
        }
        let data = std::fs::read(&path).unwrap();
        let outcome =
            std::panic::catch_unwind(|| identity_record_check::identity_record_parse(&data));
        assert!(outcome.is_ok(), "{} fails", path.display());
        files += 1;
    }
    assert!(files >= 15, "{files} corpus files");
}

#[test]
fn sealed_records_and_their_mutations_pass_the_check() {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
    let cheap = KdfParams {
        m_cost_kib: 64,
        t_cost: 1,
        p_cost: 1,
    };
    let seed = Seed::from_legacy_bytes([7; 16]);
    let sealed = IdentityRecord::seal(&seed, b"pass", cheap, &mut rng)
        .unwrap()
        .to_bytes();
    identity_record_check::identity_record_parse(&sealed);
    for i in 0..sealed.len() {
        let mut bad = sealed.to_vec();
        bad[i] ^= 0x40;
        identity_record_check::identity_record_parse(&bad);
        identity_record_check::identity_record_parse(&sealed[..i]);
    }
}
