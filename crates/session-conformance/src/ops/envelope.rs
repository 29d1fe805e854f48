//! Ops of the envelope layer (filled in by the issue that builds `session-envelope`).

use super::Handler;

/// The envelope ops.
pub(crate) const OPS: &[(&str, Handler)] = &[];
