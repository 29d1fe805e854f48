//! The sessionkit **conformance runner**: a JSON-Lines program that exposes the sessionkit
//! protocol crates to an independent checker, as specified in
//! `shared/conformance/CONFORMANCE.md`.
//!
//! Run it with
//!
//! ```text
//! cargo run -q --release -p session-conformance
//! ```
//!
//! and write one request per line on its standard input, for example
//!
//! ```text
//! {"id":1,"op":"identity.from_seed","seed":"0123456789abcdef0123456789abcdef"}
//! ```
//!
//! Each request gets exactly one response line on standard output, in request order:
//! `{"id":1,"ok":true,...outputs}` or `{"id":1,"ok":false,"error":"<kind>: <message>"}` with
//! `<kind>` one of `unknown_op`, `bad_request`, `crypto` or `internal`. A line that is not a
//! JSON object with an integer `id` is answered with `"id":null`. Blank lines are ignored; the
//! program exits with status 0 at the end of its input and never because of bad input. Binary
//! values are hex strings (lowercase on output). Diagnostics, if any, go to standard error.
//!
//! Request fields take exactly the JSON types CONFORMANCE.md names, without coercion: binary
//! values and text are strings, integers are JSON integers (a decimal string, a float such as
//! `1.0` or a negative number where an unsigned integer is named is refused), the swarm ids of
//! `swarm.select` are decimal strings (a JSON number is refused), booleans are `true`/`false`,
//! and every entry of a list must have the list's type. A wrongly typed field, or `null` for a
//! required one, is answered `bad_request` naming the field; `null` for an optional field means
//! absent, as in the reference vectors.
//!
//! Implemented: §2.1 (identity, Ed25519, BLAKE2b), §2.2 (mnemonics), §2.3 (community blinding),
//! §2.4–2.5 (1:1 and blinded messages), §2.6 (onion requests), §2.7–2.8 (swarms, storage
//! signatures), §2.10 (ONS, push), §2.11 (config encryption), §2.12 (`config.script`: whole
//! for UserProfile; pushes, merges, hashes and dumps for the other configs, whose typed edits
//! and states answer an error entry per step), §2.13 (attachments, padding, profile pictures)
//! and §2.14 (community request signing), with the stream-attachment and community ops of
//! `docs/CONFORMANCE-EXTRA.md`; [`implemented_ops`] lists the ops. Every other op answers
//! `unknown_op`. Ops live in per-area tables under `ops/`; [`request::Request`] gives them typed
//! field access with `bad_request` errors.
//!
//! The library half ([`handle_line`], [`run`]) lets tests drive the runner in-process.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod error;
mod ops;
pub mod request;
mod rng;

use std::io::{self, BufRead, Write};
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;
use std::thread;

use serde_json::Value;

pub use error::{ErrorKind, OpError, OpResult, Output};
use request::Request;

/// Answers one request line with one response line (without the trailing newline).
///
/// Never panics on any input: a panic inside an op handler is caught and reported as an
/// `internal` error (handlers are written not to panic; this is only a last line of defence).
pub fn handle_line(line: &str) -> String {
    let fields = match serde_json::from_str::<Value>(line) {
        Ok(Value::Object(fields)) => fields,
        Ok(_) => {
            return error_response(
                &Value::Null,
                &OpError::bad_request("request is not a JSON object"),
            )
        }
        Err(e) => {
            return error_response(
                &Value::Null,
                &OpError::bad_request(format!("request is not JSON: {e}")),
            )
        }
    };
    let id = match fields.get("id") {
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Value::Number(n.clone()),
        _ => {
            return error_response(
                &Value::Null,
                &OpError::bad_request("request has no integer `id`"),
            )
        }
    };
    let request = Request::new(&fields);
    let result = panic::catch_unwind(AssertUnwindSafe(|| dispatch(&request)))
        .unwrap_or_else(|payload| Err(OpError::internal(panic_message(payload.as_ref()))));
    match result {
        Ok(output) => ok_response(&id, &output),
        Err(error) => error_response(&id, &error),
    }
}

/// Names of the ops this build implements (any other op answers `unknown_op`).
pub fn implemented_ops() -> impl Iterator<Item = &'static str> {
    ops::names()
}

/// Routes a request to its op handler.
fn dispatch(request: &Request<'_>) -> OpResult {
    let op = match request.get("op") {
        Some(Value::String(op)) => op,
        Some(_) => return Err(OpError::bad_request("field `op` must be a string")),
        None => return Err(OpError::bad_request("missing field `op`")),
    };
    match ops::lookup(op) {
        Some(handler) => handler(request),
        None => Err(OpError::unknown_op(format!("op {op:?} is not implemented"))),
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let detail = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    format!("handler panicked: {detail}")
}

fn ok_response(id: &Value, output: &Output) -> String {
    let mut line = format!("{{\"id\":{id},\"ok\":true");
    for (name, value) in output.fields() {
        line.push(',');
        line.push_str(&Value::String((*name).to_owned()).to_string());
        line.push(':');
        line.push_str(&value.to_string());
    }
    line.push('}');
    line
}

fn error_response(id: &Value, error: &OpError) -> String {
    let message = Value::String(error.to_string());
    format!("{{\"id\":{id},\"ok\":false,\"error\":{message}}}")
}

/// Answers every line of `reader` on `writer`, one response line per non-blank request line,
/// flushing after each, until `reader` reaches end of input.
///
/// Responses are written by a separate thread, so reading never waits for the consumer of
/// `writer`: a client may send many requests before it reads any response. Returns an error
/// only for an I/O failure (reading the input or writing a response).
pub fn run<R: BufRead, W: Write + Send>(mut reader: R, writer: W) -> io::Result<()> {
    let (sender, receiver) = mpsc::channel::<String>();
    thread::scope(|scope| {
        let writer_thread = scope.spawn(move || write_responses(&receiver, writer));
        let read_result = read_requests(&mut reader, &sender);
        drop(sender);
        let write_result = writer_thread
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("response writer panicked")));
        read_result.and(write_result)
    })
}

fn read_requests<R: BufRead>(reader: &mut R, sender: &mpsc::Sender<String>) -> io::Result<()> {
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        match reader.read_until(b'\n', &mut buffer) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
        if buffer.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let response = match std::str::from_utf8(&buffer) {
            Ok(line) => handle_line(line),
            Err(_) => error_response(
                &Value::Null,
                &OpError::bad_request("request line is not valid UTF-8"),
            ),
        };
        if sender.send(response).is_err() {
            // The writer stopped on an I/O error, which `run` reports.
            return Ok(());
        }
    }
}

fn write_responses<W: Write>(receiver: &mpsc::Receiver<String>, mut writer: W) -> io::Result<()> {
    for response in receiver {
        writer.write_all(response.as_bytes())?;
        writer.write_all(b"\n")?;
        writer.flush()?;
    }
    Ok(())
}
