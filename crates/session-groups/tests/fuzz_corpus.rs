//! Replays the committed fuzz corpus of the `group_keys_load` target
//! (`fuzz/corpus/group_keys_load/`) through the target's check (`fuzz/checks/group_keys.rs`),
//! on stable Rust: an input that once passed keeps passing.
#![allow(clippy::unwrap_used)]

#[path = "../../../fuzz/checks/group_keys.rs"]
mod group_keys;

use std::path::Path;

#[test]
fn group_keys_load_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/group_keys_load");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if !path.is_file() {
            continue;
        }
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| group_keys::group_keys_load(&data));
        assert!(outcome.is_ok(), "{} fails", path.display());
        files += 1;
    }
    assert!(files >= 20, "{files} corpus files");
}

#[test]
fn corpus_reaches_keys() {
    // The vectors' messages in the corpus give the fixed member keys: the check is not only
    // refusing everything.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/group_keys_load");
    let group = session_groups::GroupSecret::from_seed(
        hex::decode("107de88c424aa048eeb04fd1205217d6a40ef8c1fffa6f7eb85e485c2b344bf9")
            .unwrap()
            .try_into()
            .unwrap(),
    );
    let mut admin = session_groups::Keys::new_admin(
        session_identity::Identity::from_seed(session_identity::Seed::from_full_bytes([1; 32])),
        group,
    )
    .unwrap();
    let mut found = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        if data.first() == Some(&0) && admin.load("x", &data[1..], 0).is_ok_and(|l| l.found) {
            found += 1;
        }
    }
    assert!(found >= 3, "{found}");
}
