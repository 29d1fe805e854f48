//! `session-conformance`: the JSON-Lines conformance runner (see the library docs).
//!
//! Reads requests from standard input until end of input; writes one response line per request
//! to standard output. Run with `cargo run -q --release -p session-conformance`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::io;
use std::process::ExitCode;

fn main() -> ExitCode {
    let stdin = io::stdin().lock();
    let stdout = io::BufWriter::new(io::stdout());
    match session_conformance::run(stdin, stdout) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("session-conformance: I/O error: {e}");
            ExitCode::FAILURE
        }
    }
}
