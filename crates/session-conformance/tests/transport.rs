//! Transport rules (CONFORMANCE.md §1), driven in-process.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Cursor;

use common::{call, call_err, call_ok};
use serde_json::{json, Value};
use session_conformance::{handle_line, implemented_ops, run};

fn parse(line: &str) -> Value {
    serde_json::from_str(line).unwrap()
}

fn assert_null_id_bad_request(line: &str) {
    let response = parse(&handle_line(line));
    assert_eq!(response["id"], Value::Null, "{line}");
    assert_eq!(response["ok"], json!(false), "{line}");
    assert!(
        response["error"]
            .as_str()
            .unwrap()
            .starts_with("bad_request: "),
        "{response}"
    );
}

#[test]
fn non_json_and_missing_id() {
    for line in [
        "garbage",
        "{",
        "{\"id\":1,",
        "[1,2]",
        "42",
        "null",
        "\"id\"",
        "{}",
        r#"{"op":"identity.from_seed"}"#,
        r#"{"id":"1","op":"identity.from_seed"}"#,
        r#"{"id":1.5,"op":"identity.from_seed"}"#,
        r#"{"id":null,"op":"identity.from_seed"}"#,
        r#"{"id":[1],"op":"identity.from_seed"}"#,
    ] {
        assert_null_id_bad_request(line);
    }
}

#[test]
fn id_is_echoed_exactly() {
    for id in ["0", "-5", "9223372036854775807", "18446744073709551615"] {
        let line = handle_line(&format!(r#"{{"id":{id},"op":"nope"}}"#));
        assert!(
            line.starts_with(&format!(r#"{{"id":{id},"ok":false,"#)),
            "{line}"
        );
    }
}

#[test]
fn unknown_and_missing_op() {
    for op in ["nope", "", "swarm.no_such_op", "IDENTITY.FROM_SEED"] {
        assert_eq!(call_err(json!({ "op": op })), "unknown_op", "{op}");
    }
    assert_eq!(call_err(json!({})), "bad_request");
    assert_eq!(call_err(json!({ "op": 5 })), "bad_request");
}

#[test]
fn bad_hex_and_lengths() {
    let seed = "00".repeat(32);
    // Odd length, non-hex, wrong type, missing, wrong length.
    for bad in [
        json!("0"),
        json!("zz"),
        json!("0g"),
        json!(12),
        json!(["00"]),
    ] {
        let kind = call_err(json!({"op": "ed25519.sign", "seed": seed, "message": bad}));
        assert_eq!(kind, "bad_request", "{bad}");
    }
    assert_eq!(
        call_err(json!({"op": "ed25519.sign", "seed": seed})),
        "bad_request"
    );
    for len in [0, 15, 17, 31, 33, 63, 65] {
        let kind = call_err(json!({"op": "identity.from_seed", "seed": "00".repeat(len)}));
        assert_eq!(kind, "bad_request", "{len}");
    }
    // A 64-byte secret key whose public half does not match its seed.
    assert_eq!(
        call_err(json!({"op": "identity.from_seed", "seed": "00".repeat(64)})),
        "bad_request"
    );
    // Upper-case hex is accepted; outputs are lower case.
    let upper = call_ok(json!({"op": "identity.from_seed", "seed": "AB".repeat(32)}));
    let lower = call_ok(json!({"op": "identity.from_seed", "seed": "ab".repeat(32)}));
    assert_eq!(upper, lower);
    let text = upper.to_string();
    assert_eq!(text, text.to_lowercase());
}

#[test]
fn extra_fields_are_ignored() {
    let plain = call_ok(json!({"op": "hash.blake2b", "message": "00"}));
    let extra = call_ok(json!({"op": "hash.blake2b", "message": "00", "x": {"y": [1]}, "z": null}));
    assert_eq!(plain, extra);
}

#[test]
fn op_table() {
    let ops: Vec<&str> = implemented_ops().collect();
    // The identity-layer ops (17) plus whatever the other layers have added so far.
    assert!(ops.len() >= 17, "{}", ops.len());
    for op in ops {
        // Every implemented op reads at least one field, so an empty request is a bad request.
        assert_eq!(call_err(json!({ "op": op })), "bad_request", "{op}");
    }
}

#[test]
fn stream_is_answered_in_order() {
    let mut input = String::new();
    input.push_str("\n   \n\r\n\t\n");
    for i in 0..200 {
        input.push_str(&format!(
            "{{\"id\":{i},\"op\":\"hash.blake2b\",\"message\":\"{:02x}\",\"size\":16}}\r\n",
            i % 256
        ));
        if i % 50 == 0 {
            input.push_str("not json\n\n");
        }
    }
    input.push_str(r#"{"id":999,"op":"nope"}"#); // no trailing newline
    let mut output = Vec::new();
    run(Cursor::new(input.into_bytes()), &mut output).unwrap();
    let output = String::from_utf8(output).unwrap();
    assert!(output.ends_with('\n'));
    let lines: Vec<Value> = output.lines().map(parse).collect();
    assert_eq!(lines.len(), 200 + 4 + 1);
    let mut next = 0;
    for line in &lines {
        if line["id"].is_null() {
            assert_eq!(line["ok"], json!(false));
            continue;
        }
        if next == 200 {
            assert_eq!(line["id"], json!(999));
            assert!(line["error"].as_str().unwrap().starts_with("unknown_op: "));
            continue;
        }
        assert_eq!(line["id"], json!(next));
        assert_eq!(line["ok"], json!(true));
        assert_eq!(line["hash"].as_str().unwrap().len(), 32);
        next += 1;
    }
    assert_eq!(next, 200);
}

#[test]
fn invalid_utf8_and_long_lines() {
    let mut input = b"{\"id\":1,\"op\":\"\xff\"}\n".to_vec();
    let message = "ab".repeat(75_000); // a 150 KB line
    input.extend_from_slice(
        format!("{{\"id\":2,\"op\":\"hash.blake2b\",\"message\":\"{message}\"}}\n").as_bytes(),
    );
    let mut output = Vec::new();
    run(Cursor::new(input), &mut output).unwrap();
    let lines: Vec<Value> = String::from_utf8(output)
        .unwrap()
        .lines()
        .map(parse)
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], Value::Null);
    assert!(lines[0]["error"]
        .as_str()
        .unwrap()
        .starts_with("bad_request: "));
    assert_eq!(lines[1]["id"], json!(2));
    assert_eq!(lines[1]["ok"], json!(true));
}

#[test]
fn response_is_one_json_line_with_error_kind() {
    let response = call(json!({"op": "nope\nwith\u{0}control"}));
    let error = response["error"].as_str().unwrap();
    assert!(error.starts_with("unknown_op: "));
}
