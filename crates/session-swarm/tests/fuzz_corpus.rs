//! Replays the committed fuzz corpus of the `subaccount_parse` target
//! (`fuzz/corpus/subaccount_parse/`) through the target's check (`fuzz/checks/subaccount.rs`),
//! on stable Rust: an input that once passed keeps passing.
#![allow(clippy::unwrap_used)]

#[path = "../../../fuzz/checks/subaccount.rs"]
mod subaccount_check;

use std::path::Path;

#[test]
fn subaccount_parse_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/subaccount_parse");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if !path.is_file() {
            continue;
        }
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| subaccount_check::subaccount_parse(&data));
        assert!(outcome.is_ok(), "{} fails", path.display());
        files += 1;
    }
    assert!(files >= 20, "{files} corpus files");
}

#[test]
fn corpus_reaches_valid_auth_data() {
    // Mode bit 0 with zero bytes gives the member's real auth data: the check's acceptance
    // path runs, not only refusals.
    use session_identity::{Identity, Seed};
    use session_swarm::subaccount::{self, SubaccountAuthData, SubaccountFlags};
    let group = Identity::from_seed(Seed::from_full_bytes([1; 32]));
    let member = Identity::from_seed(Seed::from_full_bytes([2; 32]));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/subaccount_parse");
    let mut valid = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        if data.len() < 101 || data[0] & 1 == 0 {
            continue;
        }
        let flags = SubaccountFlags::new(data[0] & 2 != 0, data[0] & 4 != 0);
        let good = subaccount::make_auth_data(&group, &member.session_id(), flags).unwrap();
        let mut bytes = *good.expose_bytes();
        for (b, x) in bytes.iter_mut().zip(&data[1..101]) {
            *b ^= x;
        }
        let auth = SubaccountAuthData::from_bytes(bytes);
        let required = SubaccountFlags::from_bits(data[0] >> 4);
        if auth
            .verify(
                &group.ed25519_public_key(),
                &member.ed25519_public_key(),
                required,
            )
            .is_ok()
        {
            valid += 1;
        }
    }
    assert!(valid >= 5, "{valid}");
}
