//! The operations, one module per area of CONFORMANCE.md §2.
//!
//! Each module exports `OPS`, a table of `(op name, handler)`. To add an area, write a module
//! with its own `OPS` and list it in [`TABLES`]; an op missing from every table answers
//! `unknown_op`.

mod attachment;
mod blinding;
mod community;
mod config;
mod envelope;
mod group;
mod group_keys;
mod group_subaccount;
mod identity;
mod mnemonic;
mod onion;
mod swarm;

use crate::error::OpResult;
use crate::request::Request;

/// An op handler: reads its fields from the request, returns its output fields or an error.
pub(crate) type Handler = fn(&Request<'_>) -> OpResult;

/// One table per module.
const TABLES: &[&[(&str, Handler)]] = &[
    identity::OPS,
    mnemonic::OPS,
    blinding::OPS,
    envelope::OPS,
    onion::OPS,
    swarm::OPS,
    community::OPS,
    attachment::OPS,
    config::OPS,
    group::OPS,
    group_keys::OPS,
    group_subaccount::OPS,
];

/// The handler of `op`, if it is implemented.
pub(crate) fn lookup(op: &str) -> Option<Handler> {
    TABLES
        .iter()
        .flat_map(|table| table.iter())
        .find(|(name, _)| *name == op)
        .map(|&(_, handler)| handler)
}

/// Every implemented op name, in table order.
pub(crate) fn names() -> impl Iterator<Item = &'static str> {
    TABLES
        .iter()
        .flat_map(|table| table.iter())
        .map(|&(name, _)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn op_names_are_unique_and_found() {
        let all: Vec<&str> = names().collect();
        for (i, name) in all.iter().enumerate() {
            assert!(!all[..i].contains(name), "duplicate op {name}");
            assert!(lookup(name).is_some());
        }
        assert!(lookup("no.such_op").is_none());
    }
}
