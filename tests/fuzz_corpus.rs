//! Replays every committed fuzz corpus (`fuzz/corpus/<target>/`) through the checks the fuzz
//! targets run (`fuzz/checks/mod.rs`), on stable Rust: a corpus input that once passed must keep
//! passing, and a crash found by fuzzing stays fixed once its input is in the corpus.
#![allow(clippy::unwrap_used)]

#[path = "../fuzz/checks/mod.rs"]
mod checks;

use std::path::Path;

/// Runs every file of `fuzz/corpus/<target>/` through `check`; the folder must exist and hold
/// at least one file.
fn replay(target: &str, check: checks::Check) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join("corpus")
        .join(target);
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("corpus {} is missing: {e}", dir.display()));
    let mut files = 0;
    for entry in entries {
        let path = entry.unwrap().path();
        if !path.is_file() {
            continue;
        }
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "{target}: {} fails", path.display());
        files += 1;
    }
    assert!(files > 0, "corpus {} is empty", dir.display());
    files
}

macro_rules! replay_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                replay(stringify!($name), checks::$name);
            }
        )*
    };
}

replay_tests!(
    session_id_parse,
    mnemonic_decode,
    blinded_ids,
    ed25519_verify,
    backends_agree,
    conformance_line,
    session_protocol_decrypt,
    blinded_dm_decrypt,
    envelope_decode,
    unpad,
    onion_peel,
    onion_response_decode,
    onion_v4_response_decode,
    node_list_parse,
    retrieve_response_parse,
    swarm_421_parse,
    bencode_decode,
    community_messages_parse,
    community_rooms_parse,
    community_dm_parse,
    community_reactions_parse,
    community_batch_parse,
    community_auth_headers,
    community_poller,
    attachment_legacy_decrypt,
    attachment_stream_decrypt,
    attachment_pointer_parse,
    config_message_parse,
    config_merge,
    config_dump_load,
    group_message_decrypt,
    legacy_group_decode,
    group_keys_load,
    subaccount_parse,
);

/// Every target of `fuzz/Cargo.toml` has a check and a replay test above.
/// Fuzz targets replayed by another crate's tests (their checks need a crate the root package
/// does not depend on), with the test file that replays each.
const REPLAYED_ELSEWHERE: [(&str, &str); 1] = [(
    "identity_record_parse",
    "crates/session-client/tests/fuzz_corpus.rs",
)];

#[test]
fn every_target_is_replayed() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/Cargo.toml"))
            .unwrap();
    let declared: Vec<&str> = manifest
        .lines()
        .filter_map(|l| l.strip_prefix("name = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .filter(|name| *name != "sessionkit-fuzz")
        .filter(|name| !REPLAYED_ELSEWHERE.iter().any(|(n, _)| n == name))
        .collect();
    // Targets whose checks need an I/O crate are replayed by that crate's tests.
    for (name, test) in REPLAYED_ELSEWHERE {
        let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(test))
            .unwrap_or_default();
        assert!(text.contains(name), "{name} is replayed by {test}");
    }
    let checked: Vec<&str> = checks::TARGETS.iter().map(|(name, _)| *name).collect();
    assert_eq!(declared, checked);
}
