//! Replays libsession's subaccount vectors (session-swarm's `tests/data/group_subaccount.json`)
//! through `handle_line`: `group.subaccount_make`, `group.subaccount_sign` and
//! `group.subaccount_verify` (CONFORMANCE.md §2.9.2) give the reference's bytes and verdicts.
#![allow(clippy::unwrap_used)]

mod common;

use common::{call_err, call_ok, records, s};
use serde_json::json;

const VECTORS: &str = include_str!("../../session-swarm/tests/data/group_subaccount.json");

#[test]
fn all_93_records_match_the_reference() {
    let mut counts = [0usize; 3];
    for r in records(VECTORS) {
        let case = s(&r["case"]);
        match s(&r["op"]) {
            "swarm_make_subaccount" => {
                counts[0] += 1;
                for seed in [&r["group_seed"], &r["group_ed25519_sk"]] {
                    let out = call_ok(json!({"op": "group.subaccount_make", "group_seed": seed,
                        "session_id": r["member_session_id"], "write": r["write"], "del": r["del"]}));
                    assert_eq!(out["auth_data"], r["auth_data"], "{case}");
                    assert_eq!(out["token"], r["subaccount_token"], "{case}");
                }
            }
            "swarm_subaccount_sign" => {
                counts[1] += 1;
                let out = call_ok(json!({"op": "group.subaccount_sign",
                    "seed": r["member_ed25519_sk"], "group_ed25519_pk": r["group_ed25519_pk"],
                    "auth_data": r["auth_data"], "message": r["message"]}));
                assert_eq!(out["subaccount"], r["subaccount"], "{case}");
                assert_eq!(out["subaccount_sig"], r["subaccount_sig"], "{case}");
                assert_eq!(out["signature"], r["signature"], "{case}");
            }
            "swarm_verify_subaccount" => {
                counts[2] += 1;
                let out = call_ok(json!({"op": "group.subaccount_verify",
                    "group_id": r["group_id"], "seed": r["member_ed25519_sk"],
                    "auth_data": r["auth_data"], "write": r["write"], "del": r["del"]}));
                assert_eq!(out["valid"], r["valid"], "{case}");
            }
            other => panic!("unknown op {other}"),
        }
    }
    assert_eq!(counts, [7, 17, 69]);
}

#[test]
fn bad_requests_are_refused() {
    let seed = "11".repeat(32);
    assert_eq!(
        call_err(
            json!({"op": "group.subaccount_make", "group_seed": "11".repeat(16),
            "session_id": format!("05{}", "22".repeat(32))})
        ),
        "bad_request"
    );
    assert_eq!(
        call_err(json!({"op": "group.subaccount_make", "group_seed": seed,
            "session_id": format!("03{}", "22".repeat(32))})),
        "bad_request"
    );
    assert_eq!(
        call_err(json!({"op": "group.subaccount_sign", "seed": seed,
            "group_ed25519_pk": "22".repeat(32), "auth_data": "00".repeat(99), "message": ""})),
        "bad_request"
    );
    assert_eq!(
        call_err(
            json!({"op": "group.subaccount_verify", "group_id": format!("05{}", "22".repeat(32)),
            "seed": seed, "auth_data": "00".repeat(100)})
        ),
        "bad_request"
    );
    let out = call_ok(json!({"op": "group.subaccount_verify",
        "group_id": format!("03{}", "22".repeat(32)), "seed": seed, "auth_data": "00".repeat(7)}));
    assert_eq!(out["valid"], json!(false));
}
