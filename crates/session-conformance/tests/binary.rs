//! Runs the built `session-conformance` binary as the checker does: many lines (garbage
//! included) written before any response is read, then stdin closed.
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[test]
fn binary_answers_every_line_and_exits_cleanly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_session-conformance"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    let mut input = String::new();
    input.push_str(
        r#"{"id":1,"op":"identity.from_seed","seed":"0123456789abcdef0123456789abcdef"}"#,
    );
    input.push_str("\nthis is not json\n\n");
    input.push_str("{\"op\":\"hash.blake2b\",\"message\":\"\"}\n");
    input.push_str("{\"id\":2,\"op\":\"no.such_op\"}\n");
    input.push_str("{\"id\":3,\"op\":\"hash.blake2b\",\"message\":\"abc\"}\n");
    // Enough output (about 300 KB) to fill the stdout pipe while the requests are still being
    // written: the binary must keep reading.
    const MANY: usize = 2000;
    for i in 0..MANY {
        input.push_str(&format!(
            "{{\"id\":{},\"op\":\"hash.blake2b\",\"message\":\"{:08x}\",\"size\":64}}\n",
            100 + i,
            i
        ));
    }
    input.push_str("{\"id\":4,\"op\":\"mnemonic.decode\",\"words\":\"abbey abbey zoom\"}");

    let mut stdin = child.stdin.take().unwrap();
    let writer = thread::spawn(move || {
        stdin.write_all(input.as_bytes()).unwrap();
        // Dropping stdin closes it: end of input.
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    while !writer.is_finished() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the binary stopped reading its input while output was pending");
        }
        thread::sleep(Duration::from_millis(10));
    }
    writer.join().unwrap();

    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "exit status {status}");
    assert_eq!(status.code(), Some(0));

    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5 + MANY + 1);
    assert_eq!(lines[0]["id"], json!(1));
    assert_eq!(
        lines[0]["session_id"],
        json!("05d2ad010eeb72d72e561d9de7bd7b6989af77dcabffa03a5111a6c859ae5c3a72")
    );
    let kind = |line: &Value| {
        line["error"]
            .as_str()
            .unwrap()
            .split(':')
            .next()
            .unwrap()
            .to_owned()
    };
    assert_eq!(lines[1]["id"], Value::Null);
    assert_eq!(kind(&lines[1]), "bad_request");
    assert_eq!(lines[2]["id"], Value::Null);
    assert_eq!(kind(&lines[2]), "bad_request");
    assert_eq!(lines[3]["id"], json!(2));
    assert_eq!(kind(&lines[3]), "unknown_op");
    assert_eq!(lines[4]["id"], json!(3));
    assert_eq!(kind(&lines[4]), "bad_request");
    for (i, line) in lines[5..5 + MANY].iter().enumerate() {
        assert_eq!(line["id"], json!(100 + i));
        assert_eq!(line["ok"], json!(true));
        assert_eq!(line["hash"].as_str().unwrap().len(), 128);
    }
    let last = &lines[5 + MANY];
    assert_eq!(last["id"], json!(4));
    assert_eq!(last["ok"], json!(false));
}
