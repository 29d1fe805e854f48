//! §2.2: recovery-phrase mnemonics.

use session_identity::mnemonic::{self, MnemonicError};

use super::Handler;
use crate::error::{OpError, OpResult, Output};
use crate::request::Request;

pub(super) const OPS: &[(&str, Handler)] =
    &[("mnemonic.encode", encode), ("mnemonic.decode", decode)];

/// `data` (non-empty multiple of 4 bytes), `checksum` (default true) → `words`.
fn encode(req: &Request<'_>) -> OpResult {
    let data = req.hex("data")?;
    let checksum = req.bool_or("checksum", true)?;
    let phrase = mnemonic::encode(&data, checksum).map_err(error)?;
    Ok(Output::new().string("words", phrase.expose_secret()))
}

/// `words` → `data`.
fn decode(req: &Request<'_>) -> OpResult {
    let words = req.str("words")?;
    let data = mnemonic::decode(words).map_err(error)?;
    Ok(Output::new().hex("data", data.as_slice()))
}

/// Lengths (of the data, of the phrase) are `bad_request`; a phrase whose words do not decode
/// (unknown word, overflowing triple, checksum mismatch) is a malformed encoding: `crypto`.
fn error(e: MnemonicError) -> OpError {
    match e {
        MnemonicError::DataLength(_) | MnemonicError::WordCount(_) => {
            OpError::bad_request(e.to_string())
        }
        _ => OpError::crypto(e.to_string()),
    }
}
