//! Ops of the onion layer (filled in by the issue that builds `session-onion`).

use super::Handler;

/// The onion ops.
pub(crate) const OPS: &[(&str, Handler)] = &[];
