//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use serde_json::{json, Value};
use session_conformance::handle_line;

/// Sends `request` (an object without `id`) through `handle_line` with id 7 and returns the
/// parsed response, checking the id is echoed.
pub fn call(mut request: Value) -> Value {
    request["id"] = json!(7);
    let line = handle_line(&request.to_string());
    assert!(!line.contains('\n'), "response spans lines: {line}");
    let response: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(response["id"], json!(7), "{line}");
    response
}

/// As [`call`], and requires success.
pub fn call_ok(request: Value) -> Value {
    let response = call(request.clone());
    assert_eq!(
        response["ok"],
        json!(true),
        "request {request} gave {response}"
    );
    response
}

/// As [`call`], requires failure and returns the error kind (the text before `:`).
pub fn call_err(request: Value) -> String {
    let response = call(request.clone());
    assert_eq!(
        response["ok"],
        json!(false),
        "request {request} gave {response}"
    );
    let error = response["error"].as_str().unwrap();
    let (kind, _) = error.split_once(": ").unwrap();
    assert!(
        !kind.is_empty() && kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
        "{error}"
    );
    kind.to_owned()
}

/// The records of a vector file.
pub fn records(json: &str) -> Vec<Value> {
    let value: Value = serde_json::from_str(json).unwrap();
    value.as_array().unwrap().clone()
}

/// The records of a reference file shaped `{"vectors": [...]}`.
pub fn vectors(json: &str) -> Vec<Value> {
    let value: Value = serde_json::from_str(json).unwrap();
    value["vectors"].as_array().unwrap().clone()
}

/// A JSON string's text.
pub fn s(v: &Value) -> &str {
    v.as_str().unwrap()
}

/// Flips one bit of a hex string's byte `index`.
pub fn flip(hex_text: &str, index: usize) -> String {
    let mut bytes = hex::decode(hex_text).unwrap();
    bytes[index] ^= 0x01;
    hex::encode(bytes)
}
