//! Creates a Session identity, or restores one from its recovery phrase.
//!
//! ```text
//! cargo run --example keygen                         # a new account
//! cargo run --example keygen -- --restore "<13 words>"  # the same account on a second device
//! cargo run --example keygen -- --safety-number <Session ID> <Session ID>
//! ```
//!
//! Prints the Session ID, the recovery phrase (new accounts only) and a QR code of the ID that
//! another Session client can scan.

use std::io::{self, Write};
use std::process::ExitCode;

use qrcode::render::unicode::Dense1x2;
use qrcode::QrCode;
use sessionkit::identity::{Identity, SafetyNumber, SessionId};

const USAGE: &str = "usage: keygen [--restore \"<recovery phrase>\" | --safety-number <ID> <ID>]

  (no arguments)              create a new account: recovery phrase, Session ID, QR code
  --restore \"<words>\"         restore an account from its 13-word recovery phrase
  --safety-number <ID> <ID>   the safety number two people compare for their two Session IDs
  -h, --help                  print this help";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut out = String::new();
    let identity = match args.as_slice() {
        [] => {
            let identity = Identity::generate(&mut rand::rng());
            out.push_str("New Session account\n\n");
            out.push_str("Recovery phrase (write it down; anyone who has it has the account):\n");
            out.push_str(&format!(
                "  {}\n",
                identity.recovery_phrase().expose_secret()
            ));
            identity
        }
        [flag, phrase] if flag == "--restore" => match Identity::from_recovery_phrase(phrase) {
            Ok(identity) => {
                out.push_str("Restored Session account\n");
                identity
            }
            Err(error) => {
                eprintln!("cannot restore: {error}");
                return ExitCode::from(2);
            }
        },
        [flag, a, b] if flag == "--safety-number" => {
            return match safety_number(a, b) {
                Ok(text) => match io::stdout().lock().write_all(text.as_bytes()) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(_) => ExitCode::FAILURE,
                },
                Err(error) => {
                    eprintln!("cannot compute a safety number: {error}");
                    ExitCode::from(2)
                }
            };
        }
        [flag] if flag == "--help" || flag == "-h" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };

    let session_id = identity.session_id();
    out.push_str(&format!("\nSession ID:\n  {session_id}\n\n"));
    if let Some(qr) = render_qr(&session_id) {
        out.push_str(&qr);
        out.push('\n');
    }
    // A closed pipe (e.g. `| head`) ends the program quietly instead of panicking.
    match io::stdout().lock().write_all(out.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

/// The safety number of two Session IDs, each side's half and the QR code to scan.
fn safety_number(a: &str, b: &str) -> Result<String, Box<dyn std::error::Error>> {
    let (a, b) = (SessionId::parse(a)?, SessionId::parse(b)?);
    let number = SafetyNumber::new(&a, &b)?;
    let mut out = format!("Safety number (the same on both phones):\n  {number}\n\n");
    for id in [a, b] {
        let half = number.half_of(&id).unwrap_or_default();
        out.push_str(&format!("  {id}'s half: {half}\n"));
    }
    let code = QrCode::new(number.scannable())?;
    out.push_str("\nScan to compare:\n");
    out.push_str(
        &code
            .render::<Dense1x2>()
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
    );
    out.push('\n');
    Ok(out)
}

/// The Session ID as a QR code drawn with half-block characters, two modules per line.
fn render_qr(session_id: &SessionId) -> Option<String> {
    let code = QrCode::new(session_id.to_string().as_bytes()).ok()?;
    Some(
        code.render::<Dense1x2>()
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
    )
}
