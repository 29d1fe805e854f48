//! An in-memory Session network (placeholder).
#![forbid(unsafe_code)]
#![warn(missing_docs)]
