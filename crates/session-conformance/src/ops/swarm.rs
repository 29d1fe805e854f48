//! Ops of the swarm layer (filled in by the issue that builds `session-swarm`).

use super::Handler;

/// The swarm ops.
pub(crate) const OPS: &[(&str, Handler)] = &[];
