//! Strict request types (CONFORMANCE.md §1–2): the runner accepts exactly the JSON types the
//! interface names, and nothing it could coerce.
//!
//! For every op the runner dispatches, [`rows`] holds a request known to succeed (built from the
//! reference vectors in `tests/data/`) and a table of the request's fields with their types. From
//! that table the test derives, per field, every JSON value of a wrong type (a number where a
//! string is named, a decimal string, float, negative number or boolean where an unsigned integer
//! is named, `null` for a required field, a list with one ill-typed element, …) and requires each
//! such request to be answered `bad_request`, with the field named in the message. Coverage is
//! checked both ways: every dispatched op has a row, and every field of a row's request is typed.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

use common::{call, call_ok, records, s, vectors};
use serde_json::{json, Value};
use session_conformance::implemented_ops;

const SESSION_ID: &str = include_str!("data/session_id.json");
const BLIND15: &str = include_str!("data/blind15.json");
const MISC: &str = include_str!("data/envelope_ref_misc.json");
const HOP: &str = include_str!("data/onion_hop_encryption.json");

/// The JSON type CONFORMANCE.md names for a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    /// A hex string.
    Hex,
    /// A text string (possibly one of a fixed set of words).
    Text,
    /// A non-negative JSON integer.
    Uint,
    /// `true` or `false`.
    Bool,
    /// A JSON object.
    Object,
    /// A decimal u64 string (`swarm_ids` entries).
    DecimalString,
    /// A 16-bit JSON integer (`ns`).
    Namespace,
    /// A 16-bit JSON integer or the string `"all"` (`ns*`).
    NamespaceOrAll,
    /// A JSON array whose entries have the given type.
    List(&'static Ty),
}

/// One field of a request: a JSON pointer into it, its type and whether it may be absent.
#[derive(Debug, Clone, Copy)]
struct Field {
    ptr: &'static str,
    ty: Ty,
    optional: bool,
}

const fn req(ptr: &'static str, ty: Ty) -> Field {
    Field {
        ptr,
        ty,
        optional: false,
    }
}

const fn opt(ptr: &'static str, ty: Ty) -> Field {
    Field {
        ptr,
        ty,
        optional: true,
    }
}

/// A request known to succeed, and the types of its fields (`op` is added to every row).
struct Row {
    request: Value,
    fields: Vec<Field>,
}

impl Row {
    fn new(request: Value, fields: &[Field]) -> Self {
        let mut all = vec![req("/op", Ty::Text)];
        all.extend_from_slice(fields);
        Self {
            request,
            fields: all,
        }
    }

    fn op(&self) -> &str {
        s(&self.request["op"])
    }

    fn field(&self, ptr: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.ptr == ptr)
    }
}

fn number(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

/// Every value of a JSON type other than `ty` (and, for integers, the integer written any other
/// way), derived from the field's valid value where that makes the case sharper. `null` is added
/// by the caller for required fields and list entries.
fn wrong_values(ty: Ty, valid: Option<&Value>) -> Vec<Value> {
    match ty {
        Ty::Hex => vec![
            json!(0),
            json!(10),
            json!(-1),
            json!(1.5),
            json!(true),
            json!(false),
            json!([]),
            json!(["00"]),
            json!({}),
            json!({"hex": "00"}),
        ],
        Ty::Text => vec![
            json!(0),
            json!(7),
            json!(1.5),
            json!(true),
            json!(["x"]),
            json!({}),
            json!({"text": "x"}),
        ],
        Ty::Uint => {
            let v = valid.and_then(Value::as_u64).unwrap();
            vec![
                json!(v.to_string()),
                number(&format!("{v}.0")),
                number(&format!("{v}e0")),
                json!(-1),
                number("18446744073709551616"),
                json!(1.5),
                json!(true),
                json!(false),
                json!([v]),
                json!({ "value": v }),
            ]
        }
        Ty::Bool => vec![
            json!(0),
            json!(1),
            json!("true"),
            json!("false"),
            json!(""),
            json!([true]),
            json!({}),
        ],
        Ty::Object => vec![json!(0), json!("{}"), json!(true), json!([]), json!([{}])],
        Ty::DecimalString => {
            let text = valid.and_then(Value::as_str).unwrap();
            vec![
                number(text),
                json!(1.5),
                json!(true),
                json!([text]),
                json!({ "id": text }),
            ]
        }
        Ty::Namespace => {
            let v = valid.and_then(Value::as_i64).unwrap();
            vec![
                json!(v.to_string()),
                number(&format!("{v}.0")),
                json!(1.5),
                json!("all"),
                json!(true),
                json!([v]),
                json!({ "namespace": v }),
            ]
        }
        Ty::NamespaceOrAll => vec![
            json!("5"),
            json!("-5"),
            json!("ALL"),
            number("5.0"),
            json!(1.5),
            json!(true),
            json!(["all"]),
            json!({}),
        ],
        Ty::List(entry) => {
            let items = valid.and_then(Value::as_array).unwrap();
            let mut out = vec![json!(0), json!("x"), json!(true), json!({})];
            // The valid list with one ill-typed entry appended.
            for bad in wrong_values(*entry, items.first())
                .into_iter()
                .chain([Value::Null])
            {
                let mut list = items.clone();
                list.push(bad);
                out.push(Value::Array(list));
            }
            out
        }
    }
}

/// `request` with the value at `ptr` replaced (inserted, for an absent optional field) by
/// `value`, or removed when `value` is `None`.
fn with_field(request: &Value, ptr: &str, value: Option<Value>) -> Value {
    let mut out = request.clone();
    let (parent, key) = ptr.rsplit_once('/').unwrap();
    match (out.pointer_mut(parent).unwrap(), value) {
        (Value::Object(map), Some(value)) => {
            map.insert(key.to_owned(), value);
        }
        (Value::Object(map), None) => {
            map.remove(key);
        }
        (parent, _) => panic!("cannot edit {ptr} under {parent}"),
    }
    out
}

/// The name an error message must mention for a field: the last non-index segment of `ptr`.
fn field_name(ptr: &str) -> &str {
    ptr.rsplit('/')
        .find(|segment| segment.parse::<usize>().is_err())
        .unwrap()
}

/// The error kind of a response, or `None` for success.
fn outcome(response: &Value) -> Option<String> {
    match response["ok"] {
        Value::Bool(true) => None,
        _ => Some(s(&response["error"]).split_once(": ").unwrap().0.to_owned()),
    }
}

fn identity(seed: &Value) -> Value {
    call_ok(json!({"op": "identity.from_seed", "seed": seed}))
}

/// One row per request shape: at least one per dispatched op.
fn rows() -> Vec<Row> {
    use Ty::{Bool, DecimalString, Hex, Namespace, NamespaceOrAll, Object, Text, Uint};

    let blind = &records(BLIND15)[0];
    let seed = &blind["seed"];
    let server_pk = &blind["server_pk"];
    let session_id = &blind["session_id"];
    let ed25519_pk = identity(seed)["ed25519_pk"].clone();
    let other = &records(SESSION_ID)[1];
    let other_seed = &other["seed"];
    let other_session_id = &other["session_id"];
    let message = json!("68656c6c6f");
    let legacy_seed = json!("0123456789abcdef0123456789abcdef");

    let signature = call_ok(json!({"op": "ed25519.sign", "seed": seed, "message": message}))
        ["signature"]
        .clone();
    let words = call_ok(json!({"op": "mnemonic.encode", "data": legacy_seed}))["words"].clone();
    let blinded15 = |seed: &Value| {
        call_ok(json!({"op": "blind15.id", "seed": seed, "server_pk": server_pk}))["blinded_id"]
            .clone()
    };
    let blinded_id = blinded15(seed);
    let other_blinded_id = blinded15(other_seed);
    let blinded_signature = call_ok(json!({"op": "blind15.sign", "seed": seed,
                                           "server_pk": server_pk, "message": message}))
        ["signature"]
        .clone();
    let sealed = call_ok(json!({"op": "session_protocol.encrypt_deterministic",
                                "sender_seed": seed, "recipient_session_id": other_session_id,
                                "plaintext": message}))["ciphertext"]
        .clone();
    let blinded_ciphertext = call_ok(json!({"op": "blinded_dm.encrypt", "sender_seed": seed,
                                            "server_pk": server_pk,
                                            "recipient_blinded_id": other_blinded_id,
                                            "plaintext": message}))["ciphertext"]
        .clone();

    let misc = vectors(MISC);
    let ons = misc
        .iter()
        .find(|v| v["kind"] == "decrypt_ons_response")
        .unwrap();
    let push = misc
        .iter()
        .find(|v| v["kind"] == "decrypt_push_notification")
        .unwrap();

    let hop = records(HOP)
        .into_iter()
        .find(|r| r["direction"] == "client_to_server" && r["enc_type"] == "xchacha20")
        .unwrap();
    let client_sk = &hop["client_x25519_sk"];
    let client_pk = &hop["client_x25519_pk"];
    let node_sk = &hop["server_x25519_sk"];
    let node_pk = &hop["server_x25519_pk"];
    let path = json!([{"ed25519_pk": ed25519_pk, "x25519_pk": node_pk}]);
    let snode = json!({"kind": "snode", "ed25519_pk": ed25519_pk, "x25519_pk": node_pk});
    let server = json!({"kind": "server", "host": "example.org", "target": "/oxen/v4/lsrpc",
                        "scheme": "https", "port": 443, "x25519_pk": node_pk});
    let onion_body = call_ok(
        json!({"op": "onion.build", "path": path, "destination": snode,
                                    "payload": message, "enc_type": "xchacha20"}),
    )["request_body"]
        .clone();
    let info = r#"{"code":200}"#;
    let v4_reply = call_ok(json!({"op": "onion.hop_encrypt", "enc_type": "xchacha20",
                                  "role": "server", "local_x25519_sk": node_sk,
                                  "remote_x25519_pk": client_pk,
                                  "plaintext": hex::encode(format!("l{}:{info}e", info.len()))}))
        ["ciphertext"]
        .clone();

    let ts = json!(1_700_000_000_000u64);
    let hashes = json!(["hash4321", "hash4221"]);
    let storage = |fields: Value| {
        let mut request = json!({"op": "storage.sign", "seed": seed});
        for (k, v) in fields.as_object().unwrap() {
            request[k] = v.clone();
        }
        request
    };
    const SEED: Field = req("/seed", Hex);
    const METHOD: Field = req("/method", Text);
    const MESSAGES: Field = req("/messages", Ty::List(&Text));
    const RNG: Field = opt("/rng_bytes", Hex);
    const NODE_PATH: [Field; 3] = [
        req("/path", Ty::List(&Object)),
        req("/path/0/ed25519_pk", Hex),
        opt("/path/0/x25519_pk", Hex),
    ];

    let mut rows = vec![
        // §2.1
        Row::new(
            json!({"op": "identity.from_seed", "seed": legacy_seed}),
            &[SEED],
        ),
        Row::new(
            json!({"op": "ed25519.sign", "seed": seed, "message": message}),
            &[SEED, req("/message", Hex)],
        ),
        Row::new(
            json!({"op": "ed25519.verify", "pubkey": ed25519_pk, "message": message,
                   "signature": signature}),
            &[
                req("/pubkey", Hex),
                req("/message", Hex),
                req("/signature", Hex),
            ],
        ),
        Row::new(
            json!({"op": "hash.blake2b", "message": message, "size": 32, "key": "00".repeat(16)}),
            &[req("/message", Hex), opt("/size", Uint), opt("/key", Hex)],
        ),
        // §2.2
        Row::new(
            json!({"op": "mnemonic.encode", "data": legacy_seed, "checksum": true}),
            &[req("/data", Hex), opt("/checksum", Bool)],
        ),
        Row::new(
            json!({"op": "mnemonic.decode", "words": words}),
            &[req("/words", Text)],
        ),
    ];
    // §2.3
    for op in ["blind15.id", "blind25.id"] {
        rows.push(Row::new(
            json!({"op": op, "seed": seed, "server_pk": server_pk}),
            &[SEED, req("/server_pk", Hex)],
        ));
    }
    for op in ["blind15.id_from_session_id", "blind25.id_from_session_id"] {
        rows.push(Row::new(
            json!({"op": op, "session_id": session_id, "server_pk": server_pk}),
            &[req("/session_id", Hex), req("/server_pk", Hex)],
        ));
    }
    for op in ["blind15.sign", "blind25.sign"] {
        rows.push(Row::new(
            json!({"op": op, "seed": seed, "server_pk": server_pk, "message": message}),
            &[SEED, req("/server_pk", Hex), req("/message", Hex)],
        ));
    }
    rows.extend([
        Row::new(
            json!({"op": "blinded.verify", "blinded_id": blinded_id, "message": message,
                   "signature": blinded_signature}),
            &[
                req("/blinded_id", Hex),
                req("/message", Hex),
                req("/signature", Hex),
            ],
        ),
        Row::new(
            json!({"op": "blind.matches", "session_id": session_id, "blinded_id": blinded_id,
                   "server_pk": server_pk}),
            &[
                req("/session_id", Hex),
                req("/blinded_id", Hex),
                req("/server_pk", Hex),
            ],
        ),
        Row::new(
            json!({"op": "blind_version.key_pair", "seed": seed}),
            &[SEED],
        ),
        Row::new(
            json!({"op": "blind_version.sign", "seed": seed, "platform": "ios",
                   "timestamp": 1_700_000_000}),
            &[SEED, req("/platform", Text), req("/timestamp", Uint)],
        ),
        Row::new(
            json!({"op": "blind_version.sign_request", "seed": seed, "timestamp": 1_700_000_000,
                   "method": "GET", "path": "/session_version", "body": "7b7d"}),
            &[
                SEED,
                req("/timestamp", Uint),
                METHOD,
                req("/path", Text),
                opt("/body", Hex),
            ],
        ),
        // §2.4, §2.5, §2.10
        Row::new(
            json!({"op": "session_protocol.encrypt", "sender_seed": seed,
                   "recipient_session_id": other_session_id, "plaintext": message}),
            &[
                req("/sender_seed", Hex),
                req("/recipient_session_id", Hex),
                req("/plaintext", Hex),
                RNG,
            ],
        ),
        Row::new(
            json!({"op": "session_protocol.encrypt_deterministic", "sender_seed": seed,
                   "recipient_session_id": other_session_id, "plaintext": message}),
            &[
                req("/sender_seed", Hex),
                req("/recipient_session_id", Hex),
                req("/plaintext", Hex),
            ],
        ),
        Row::new(
            json!({"op": "session_protocol.decrypt", "recipient_seed": other_seed,
                   "ciphertext": sealed}),
            &[req("/recipient_seed", Hex), req("/ciphertext", Hex)],
        ),
        Row::new(
            json!({"op": "blinded_dm.encrypt", "sender_seed": seed, "server_pk": server_pk,
                   "recipient_blinded_id": other_blinded_id, "plaintext": message}),
            &[
                req("/sender_seed", Hex),
                req("/server_pk", Hex),
                req("/recipient_blinded_id", Hex),
                req("/plaintext", Hex),
                RNG,
            ],
        ),
        Row::new(
            json!({"op": "blinded_dm.decrypt", "seed": other_seed, "server_pk": server_pk,
                   "sender_blinded_id": blinded_id, "recipient_blinded_id": other_blinded_id,
                   "ciphertext": blinded_ciphertext}),
            &[
                SEED,
                req("/server_pk", Hex),
                req("/sender_blinded_id", Hex),
                req("/recipient_blinded_id", Hex),
                req("/ciphertext", Hex),
            ],
        ),
        Row::new(
            json!({"op": "ons.decrypt", "name": ons["name"], "ciphertext": ons["ciphertext"],
                   "nonce": ons["nonce"]}),
            &[
                req("/name", Text),
                req("/ciphertext", Hex),
                req("/nonce", Hex),
            ],
        ),
        Row::new(
            json!({"op": "push.decrypt", "payload": push["payload"],
                   "enc_key": push["enc_key"]}),
            &[req("/payload", Hex), req("/enc_key", Hex)],
        ),
        // §2.6
        Row::new(
            json!({"op": "onion.hop_encrypt", "enc_type": "xchacha20", "role": "client",
                   "local_x25519_sk": client_sk, "remote_x25519_pk": node_pk,
                   "plaintext": message}),
            &[
                req("/enc_type", Text),
                req("/role", Text),
                req("/local_x25519_sk", Hex),
                req("/remote_x25519_pk", Hex),
                req("/plaintext", Hex),
                RNG,
            ],
        ),
        Row::new(
            json!({"op": "onion.hop_decrypt", "enc_type": hop["enc_type"], "role": "server",
                   "local_x25519_sk": node_sk, "remote_x25519_pk": client_pk,
                   "ciphertext": hop["ciphertext"]}),
            &[
                req("/enc_type", Text),
                req("/role", Text),
                req("/local_x25519_sk", Hex),
                req("/remote_x25519_pk", Hex),
                req("/ciphertext", Hex),
            ],
        ),
    ]);
    let build = |destination: &Value| {
        json!({"op": "onion.build", "path": path, "destination": destination,
               "payload": message, "enc_type": "aes-gcm"})
    };
    let common_build = [req("/payload", Hex), req("/enc_type", Text), RNG];
    rows.push(Row::new(
        build(&snode),
        &[
            &NODE_PATH[..],
            &common_build,
            &[
                req("/destination", Object),
                req("/destination/kind", Text),
                req("/destination/ed25519_pk", Hex),
                opt("/destination/x25519_pk", Hex),
            ],
        ]
        .concat(),
    ));
    rows.push(Row::new(
        build(&server),
        &[
            &NODE_PATH[..],
            &common_build,
            &[
                req("/destination", Object),
                req("/destination/kind", Text),
                req("/destination/host", Text),
                req("/destination/target", Text),
                req("/destination/scheme", Text),
                opt("/destination/port", Uint),
                req("/destination/x25519_pk", Hex),
            ],
        ]
        .concat(),
    ));
    for op in ["onion.parse", "onion.peel"] {
        rows.push(Row::new(
            json!({"op": op, "node_x25519_sk": node_sk, "body": onion_body}),
            &[req("/node_x25519_sk", Hex), req("/body", Hex)],
        ));
    }
    rows.extend([
        Row::new(
            json!({"op": "onion.decode_response", "kind": "server", "enc_type": "xchacha20",
                   "destination_x25519_pk": node_pk, "final_x25519_sk": client_sk,
                   "response": v4_reply}),
            &[
                req("/kind", Text),
                req("/enc_type", Text),
                req("/destination_x25519_pk", Hex),
                req("/final_x25519_sk", Hex),
                req("/response", Hex),
            ],
        ),
        Row::new(
            json!({"op": "onion.v4_payload", "method": "POST", "endpoint": "/room/x",
                   "headers": {"X-SOGS-Nonce": "n"}, "body": "7b7d"}),
            &[
                METHOD,
                req("/endpoint", Text),
                opt("/headers", Object),
                req("/headers/X-SOGS-Nonce", Text),
                opt("/body", Hex),
            ],
        ),
        // §2.7
        Row::new(
            json!({"op": "swarm.space", "pubkey": session_id}),
            &[req("/pubkey", Hex)],
        ),
        Row::new(
            json!({"op": "swarm.select", "pubkey": session_id,
                   "swarm_ids": ["100", "18446744073709551615", "0"]}),
            &[
                req("/pubkey", Hex),
                req("/swarm_ids", Ty::List(&DecimalString)),
            ],
        ),
        // §2.8, one row per method.
        Row::new(
            storage(json!({"method": "store", "namespace": 13, "timestamp_ms": ts})),
            &[
                SEED,
                METHOD,
                opt("/namespace", Namespace),
                req("/timestamp_ms", Uint),
            ],
        ),
        Row::new(
            storage(json!({"method": "retrieve", "namespace": -10, "timestamp_ms": ts})),
            &[
                SEED,
                METHOD,
                opt("/namespace", Namespace),
                req("/timestamp_ms", Uint),
            ],
        ),
        Row::new(
            storage(json!({"method": "delete", "messages": hashes})),
            &[SEED, METHOD, MESSAGES],
        ),
        Row::new(
            storage(json!({"method": "delete_all", "namespace": "all", "timestamp_ms": ts})),
            &[
                SEED,
                METHOD,
                opt("/namespace", NamespaceOrAll),
                req("/timestamp_ms", Uint),
            ],
        ),
        Row::new(
            storage(json!({"method": "delete_before", "namespace": 5, "before_ms": ts})),
            &[
                SEED,
                METHOD,
                opt("/namespace", NamespaceOrAll),
                req("/before_ms", Uint),
            ],
        ),
        Row::new(
            storage(json!({"method": "expire_all", "namespace": "all", "expiry_ms": ts})),
            &[
                SEED,
                METHOD,
                opt("/namespace", NamespaceOrAll),
                req("/expiry_ms", Uint),
            ],
        ),
        Row::new(
            storage(json!({"method": "expire", "shorten": true, "extend": false,
                           "expiry_ms": ts, "messages": hashes})),
            &[
                SEED,
                METHOD,
                opt("/shorten", Bool),
                opt("/extend", Bool),
                req("/expiry_ms", Uint),
                MESSAGES,
            ],
        ),
        Row::new(
            storage(json!({"method": "get_expiries", "timestamp_ms": ts, "messages": hashes})),
            &[SEED, METHOD, req("/timestamp_ms", Uint), MESSAGES],
        ),
    ]);
    // Community signing (CONFORMANCE.md §2.14, docs/CONFORMANCE-EXTRA.md).
    rows.extend([
        Row::new(
            json!({"op": "sogs.sign_request", "seed": seed, "server_pk": server_pk,
                   "method": "POST", "path": "/room/lobby/message", "timestamp": 1_700_000_000,
                   "nonce": "00".repeat(16), "body": "7b7d", "blind": "15"}),
            &[
                SEED,
                req("/server_pk", Hex),
                METHOD,
                req("/path", Text),
                req("/timestamp", Uint),
                req("/nonce", Hex),
                opt("/body", Hex),
                req("/blind", Text),
            ],
        ),
        Row::new(
            json!({"op": "sogs.sign_message", "seed": seed, "server_pk": server_pk,
                   "data": message, "blind": "25"}),
            &[
                SEED,
                req("/server_pk", Hex),
                req("/data", Hex),
                req("/blind", Text),
                RNG,
            ],
        ),
        Row::new(
            json!({"op": "sogs.signed_path", "endpoint": "/room/lobby/reaction/1/%F0%9F%91%8D"}),
            &[req("/endpoint", Text)],
        ),
    ]);
    rows.extend(attachment_rows(seed));
    // §2.11, §2.12
    let key_base = json!("ab".repeat(32));
    let sealed = call_ok(
        json!({"op": "config.encrypt", "message": message, "key_base": key_base,
                                "domain": "UserProfile"}),
    )["ciphertext"]
        .clone();
    rows.extend([
        Row::new(
            json!({"op": "config.encrypt", "message": message, "key_base": key_base,
                   "domain": "UserProfile", "pad": true}),
            &[
                req("/message", Hex),
                req("/key_base", Hex),
                req("/domain", Text),
                opt("/pad", Bool),
            ],
        ),
        Row::new(
            json!({"op": "config.decrypt", "ciphertext": sealed, "key_base": key_base,
                   "domain": "UserProfile"}),
            &[
                req("/ciphertext", Hex),
                req("/key_base", Hex),
                req("/domain", Text),
            ],
        ),
        Row::new(
            json!({"op": "config.script", "kind": "user_profile", "seed": seed,
                   "steps": [{"do": "set", "fields": {"name": "x", "nts_expiry": 60}},
                             {"do": "push"}]}),
            &[
                req("/kind", Text),
                SEED,
                req("/steps", Ty::List(&Object)),
                req("/steps/0/do", Text),
                req("/steps/0/fields", Object),
                opt("/steps/0/fields/name", Text),
                opt("/steps/0/fields/nts_expiry", Uint),
                req("/steps/1/do", Text),
            ],
        ),
    ]);
    // §2.9
    let group_key = json!("cd".repeat(32));
    let group_message = call_ok(
        json!({"op": "group.encrypt_message", "group_enc_key": group_key,
        "seed": seed, "plaintext": message}),
    )["ciphertext"]
        .clone();
    rows.extend([
        Row::new(
            json!({"op": "group.encrypt_message", "group_enc_key": group_key, "seed": seed,
                   "plaintext": message, "compress": true, "padding": 512}),
            &[
                req("/group_enc_key", Hex),
                SEED,
                req("/plaintext", Hex),
                opt("/compress", Bool),
                opt("/padding", Uint),
            ],
        ),
        Row::new(
            json!({"op": "group.decrypt_message", "group_enc_keys": [group_key],
                   "ciphertext": group_message}),
            &[
                req("/group_enc_keys", Ty::List(&Hex)),
                req("/ciphertext", Hex),
            ],
        ),
    ]);
    // §2.9.1 and the multi-recipient ops of docs/CONFORMANCE-EXTRA.md
    let group_seed = json!("5a".repeat(32));
    let member = identity(seed)["session_id"].clone();
    let gen0 = call_ok(json!({"op": "group_keys.rekey", "group_seed": group_seed,
        "generation": 0, "member_session_ids": [member]}));
    let group_pk = identity(&group_seed)["ed25519_pk"].clone();
    let recipient_x = identity(seed)["x25519_pk"].clone();
    let sender = json!("6b".repeat(32));
    let encoded = call_ok(json!({"op": "multi.encrypt_simple", "seed": sender,
        "recipients": [recipient_x], "messages": [message], "domain": "6162"}))["encoded"]
        .clone();
    rows.extend([
        Row::new(
            json!({"op": "group_keys.rekey", "group_seed": group_seed, "generation": 1,
                   "member_session_ids": [member]}),
            &[
                req("/group_seed", Hex),
                req("/generation", Uint),
                req("/member_session_ids", Ty::List(&Text)),
            ],
        ),
        Row::new(
            json!({"op": "group_keys.supplement", "group_seed": group_seed,
                   "keys": [{"generation": 0, "key": gen0["enc_key"], "timestamp_ms": 5}],
                   "member_session_ids": [member]}),
            &[
                req("/group_seed", Hex),
                req("/keys", Ty::List(&Object)),
                req("/keys/0/generation", Uint),
                req("/keys/0/key", Hex),
                req("/keys/0/timestamp_ms", Uint),
                req("/member_session_ids", Ty::List(&Text)),
            ],
        ),
        Row::new(
            json!({"op": "group_keys.load", "seed": seed, "group_ed25519_pk": group_pk,
                   "group_seed": group_seed,
                   "messages": [{"hash": "h", "data": gen0["key_message"], "timestamp_ms": 5}]}),
            &[
                SEED,
                req("/group_ed25519_pk", Hex),
                opt("/group_seed", Hex),
                req("/messages", Ty::List(&Object)),
                req("/messages/0/hash", Text),
                req("/messages/0/data", Hex),
                req("/messages/0/timestamp_ms", Uint),
            ],
        ),
        Row::new(
            json!({"op": "multi.encrypt_simple", "seed": sender, "recipients": [recipient_x],
                   "messages": [message], "domain": "6162", "nonce": "00".repeat(24), "pad": 3}),
            &[
                req("/seed", Hex),
                req("/recipients", Ty::List(&Hex)),
                req("/messages", Ty::List(&Hex)),
                req("/domain", Hex),
                opt("/nonce", Hex),
                opt("/pad", Uint),
            ],
        ),
        Row::new(
            json!({"op": "multi.decrypt_simple", "seed": seed,
                   "sender_x25519_pk": identity(&sender)["x25519_pk"], "encoded": encoded,
                   "domain": "6162"}),
            &[
                SEED,
                req("/sender_x25519_pk", Hex),
                req("/encoded", Hex),
                req("/domain", Hex),
            ],
        ),
    ]);
    let auth = call_ok(
        json!({"op": "group.subaccount_make", "group_seed": group_seed,
        "session_id": member, "write": true, "del": false}),
    )["auth_data"]
        .clone();
    let group_id = json!(format!("03{}", group_pk.as_str().unwrap()));
    rows.extend([
        Row::new(
            json!({"op": "group.subaccount_make", "group_seed": group_seed,
                   "session_id": member, "write": true, "del": true}),
            &[
                req("/group_seed", Hex),
                req("/session_id", Hex),
                opt("/write", Bool),
                opt("/del", Bool),
            ],
        ),
        Row::new(
            json!({"op": "group.subaccount_sign", "seed": seed, "group_ed25519_pk": group_pk,
                   "auth_data": auth, "message": "6162"}),
            &[
                SEED,
                req("/group_ed25519_pk", Hex),
                req("/auth_data", Hex),
                req("/message", Hex),
            ],
        ),
        Row::new(
            json!({"op": "group.subaccount_verify", "group_id": group_id, "seed": seed,
                   "auth_data": auth, "write": true, "del": false}),
            &[
                req("/group_id", Hex),
                SEED,
                req("/auth_data", Hex),
                opt("/write", Bool),
                opt("/del", Bool),
            ],
        ),
    ]);
    rows
}

/// §2.13 and the stream-scheme ops of docs/CONFORMANCE-EXTRA.md.
fn attachment_rows(seed: &Value) -> Vec<Row> {
    use Ty::{Bool, Hex, Text, Uint};
    let key64 = json!("11".repeat(64));
    let key32 = json!("22".repeat(32));
    let message = json!("68656c6c6f");
    let legacy = call_ok(
        json!({"op": "attachment.encrypt_legacy", "plaintext": message,
                                "key": key64, "iv": "33".repeat(16)}),
    );
    let profile = call_ok(
        json!({"op": "profile.encrypt", "key": key32, "plaintext": message,
                                 "iv": "44".repeat(12)}),
    );
    let upload = call_ok(json!({"op": "attachment.encrypt_stream", "seed": seed,
                                "plaintext": message}));
    vec![
        Row::new(
            json!({"op": "attachment.encrypt_legacy", "plaintext": message, "key": key64,
                   "iv": "33".repeat(16), "pad": true}),
            &[
                req("/plaintext", Hex),
                req("/key", Hex),
                req("/iv", Hex),
                opt("/pad", Bool),
            ],
        ),
        Row::new(
            json!({"op": "attachment.decrypt_legacy", "ciphertext": legacy["ciphertext"],
                   "key": key64, "digest": legacy["digest"], "size": 5}),
            &[
                req("/ciphertext", Hex),
                req("/key", Hex),
                opt("/digest", Hex),
                opt("/size", Uint),
            ],
        ),
        Row::new(
            json!({"op": "padding.attachment_size", "len": 1000}),
            &[req("/len", Uint)],
        ),
        Row::new(
            json!({"op": "padding.message_add", "plaintext": message}),
            &[req("/plaintext", Hex)],
        ),
        Row::new(
            json!({"op": "padding.message_remove", "padded": "6880"}),
            &[req("/padded", Hex)],
        ),
        Row::new(
            json!({"op": "profile.encrypt", "key": key32, "plaintext": message,
                   "iv": "44".repeat(12)}),
            &[req("/key", Hex), req("/plaintext", Hex), opt("/iv", Hex)],
        ),
        Row::new(
            json!({"op": "profile.decrypt", "key": key32, "ciphertext": profile["ciphertext"]}),
            &[req("/key", Hex), req("/ciphertext", Hex)],
        ),
        Row::new(
            json!({"op": "attachment.encrypt_stream", "seed": seed, "plaintext": message,
                   "domain": "profile_pic", "allow_large": false}),
            &[
                req("/seed", Hex),
                req("/plaintext", Hex),
                opt("/domain", Text),
                opt("/allow_large", Bool),
            ],
        ),
        Row::new(
            json!({"op": "attachment.decrypt_stream", "ciphertext": upload["ciphertext"],
                   "key": upload["key"]}),
            &[req("/ciphertext", Hex), req("/key", Hex)],
        ),
        Row::new(
            json!({"op": "attachment.stream_size", "len": 1000}),
            &[req("/len", Uint)],
        ),
    ]
}

/// Every ill-typed variant of every field of `row`: `(field, value, request)`.
fn ill_typed_cases(row: &Row) -> Vec<(Field, Value, Value)> {
    let mut cases = Vec::new();
    for field in &row.fields {
        let valid = row.request.pointer(field.ptr);
        let mut values = wrong_values(field.ty, valid);
        if !field.optional {
            values.push(Value::Null);
        }
        for value in values {
            let request = with_field(&row.request, field.ptr, Some(value.clone()));
            cases.push((*field, value, request));
        }
    }
    cases
}

/// Pointers of `row`'s request that its table does not type, and required fields it lacks.
fn untyped_fields(row: &Row) -> Vec<String> {
    fn walk(value: &Value, at: &str, row: &Row, out: &mut Vec<String>) {
        let Value::Object(map) = value else {
            return;
        };
        for (key, item) in map {
            let ptr = format!("{at}/{key}");
            match row.field(&ptr).map(|f| f.ty) {
                None => out.push(format!("{ptr} has no type")),
                Some(Ty::Object) => walk(item, &ptr, row, out),
                Some(Ty::List(&Ty::Object)) => {
                    for (i, entry) in item.as_array().unwrap().iter().enumerate() {
                        walk(entry, &format!("{ptr}/{i}"), row, out);
                    }
                }
                Some(_) => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(&row.request, "", row, &mut out);
    for field in &row.fields {
        if !field.optional && row.request.pointer(field.ptr).is_none() {
            out.push(format!("{} is required but absent", field.ptr));
        }
    }
    out
}

#[test]
fn every_dispatched_op_has_a_row() {
    let rows = rows();
    let ops: BTreeSet<&str> = implemented_ops().collect();
    let covered: BTreeSet<&str> = rows.iter().map(Row::op).collect();
    let missing: Vec<_> = ops.difference(&covered).collect();
    assert!(missing.is_empty(), "ops without a row: {missing:?}");
    let stale: Vec<_> = covered.difference(&ops).collect();
    assert!(stale.is_empty(), "rows for ops the runner lacks: {stale:?}");
    assert_eq!(ops.len(), 60);
}

#[test]
fn every_field_of_every_row_is_typed() {
    for row in rows() {
        let untyped = untyped_fields(&row);
        assert!(untyped.is_empty(), "{}: {untyped:?}", row.op());
        for (i, field) in row.fields.iter().enumerate() {
            assert!(
                row.fields[..i].iter().all(|f| f.ptr != field.ptr),
                "{}: {} listed twice",
                row.op(),
                field.ptr
            );
        }
    }
}

#[test]
fn valid_requests_succeed() {
    for row in rows() {
        call_ok(row.request.clone());
    }
}

#[test]
fn ill_typed_fields_are_bad_requests() {
    let rows = rows();
    let mut failures = Vec::new();
    let mut total = 0;
    for row in &rows {
        // The valid request succeeds, so each failure below is the replaced field's doing.
        call_ok(row.request.clone());
        for field in &row.fields {
            let cases: Vec<_> = ill_typed_cases(row)
                .into_iter()
                .filter(|(f, _, _)| f.ptr == field.ptr)
                .collect();
            assert!(cases.len() >= 5, "{} {}", row.op(), field.ptr);
        }
        for (field, value, request) in ill_typed_cases(row) {
            total += 1;
            let response = call(request);
            let name = field_name(field.ptr);
            let error = response["error"].as_str().unwrap_or_default();
            if outcome(&response).as_deref() != Some("bad_request") || !error.contains(name) {
                failures.push(format!("{} {} = {value}: {response}", row.op(), field.ptr));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} ill-typed requests were not refused as bad_request naming the field:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(total > 1500, "{total}");
}

#[test]
fn null_is_absent_for_optional_fields() {
    let mut checked = 0;
    for row in rows() {
        for field in row.fields.iter().filter(|f| f.optional) {
            let null = call(with_field(&row.request, field.ptr, Some(Value::Null)));
            let absent = call(with_field(&row.request, field.ptr, None));
            assert_eq!(
                outcome(&null),
                outcome(&absent),
                "{} {}: {null} vs {absent}",
                row.op(),
                field.ptr
            );
            assert_ne!(outcome(&null).as_deref(), Some("bad_request"));
            checked += 1;
        }
    }
    assert!(checked >= 20, "{checked}");
}
