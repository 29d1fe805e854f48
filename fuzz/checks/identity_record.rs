//! `identity_record_parse`: the stored identity record of `session-client`'s store (a plain
//! seed, or a seed sealed with a passphrase) read from arbitrary bytes. Never panics; what
//! parses writes back to bytes that parse to the same record; a plain record unlocks without a
//! passphrase; a sealed one with cheap parameters refuses a wrong passphrase with a typed error
//! (expensive parameters are not run: the store refuses absurd ones before Argon2 runs, and
//! realistic ones are slow).

use session_client::store::{IdentityRecord, StoreError};

pub fn identity_record_parse(data: &[u8]) {
    let Ok(record) = IdentityRecord::from_bytes(data) else {
        return;
    };
    let again = IdentityRecord::from_bytes(&record.to_bytes()).expect("a record's bytes parse");
    assert_eq!(again, record);
    match &record {
        IdentityRecord::Sealed(sealed) => {
            let params = sealed.params();
            if params.m_cost_kib <= 64 && params.t_cost <= 2 && params.p_cost <= 1 {
                assert!(matches!(
                    record.unlock(Some(b"not the passphrase")),
                    Err(StoreError::WrongPassphrase | StoreError::InvalidKdfParams { .. })
                ));
            }
            assert!(matches!(
                record.unlock(None),
                Err(StoreError::PassphraseRequired)
            ));
        }
        _ => assert!(record.unlock(None).is_ok()),
    }
}
