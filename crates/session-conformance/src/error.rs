//! Errors an operation reports, rendered as `"<kind>: <message>"`.

use core::fmt;

/// The error kinds of the conformance interface (CONFORMANCE.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The op is not implemented. The checker requires this exact kind for an unknown op.
    UnknownOp,
    /// A missing or ill-typed field, bad hex or a wrong length.
    BadRequest,
    /// Decryption, authentication, a signature or point check failed, or a malformed encoding.
    Crypto,
    /// Anything else.
    Internal,
}

impl ErrorKind {
    /// The kind as it appears on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::UnknownOp => "unknown_op",
            Self::BadRequest => "bad_request",
            Self::Crypto => "crypto",
            Self::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed request: a kind and a human-readable message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpError {
    /// What went wrong, coarsely.
    pub kind: ErrorKind,
    /// Details for a human reader. Never contains secret material.
    pub message: String,
}

impl OpError {
    /// An error of `kind`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// `unknown_op`.
    pub fn unknown_op(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::UnknownOp, message)
    }

    /// `bad_request`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadRequest, message)
    }

    /// `crypto`.
    pub fn crypto(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Crypto, message)
    }

    /// `internal`.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }
}

impl fmt::Display for OpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The message goes on one JSON line; keep it to one text line too.
        let message: String = self
            .message
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        write!(f, "{}: {}", self.kind, message)
    }
}

impl std::error::Error for OpError {}

/// What an op handler returns.
pub type OpResult = Result<Output, OpError>;

/// The output fields of a successful response, in insertion order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Output {
    fields: Vec<(&'static str, serde_json::Value)>,
}

impl Output {
    /// No fields yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a JSON value.
    #[must_use]
    pub fn value(mut self, name: &'static str, value: serde_json::Value) -> Self {
        self.fields.push((name, value));
        self
    }

    /// Adds bytes as lowercase hex.
    #[must_use]
    pub fn hex(self, name: &'static str, bytes: impl AsRef<[u8]>) -> Self {
        self.value(name, serde_json::Value::String(hex::encode(bytes)))
    }

    /// Adds a list of byte strings, each as lowercase hex.
    #[must_use]
    pub fn hex_list<I>(self, name: &'static str, items: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        let list = items
            .into_iter()
            .map(|b| serde_json::Value::String(hex::encode(b)))
            .collect();
        self.value(name, serde_json::Value::Array(list))
    }

    /// Adds a string.
    #[must_use]
    pub fn string(self, name: &'static str, text: impl Into<String>) -> Self {
        self.value(name, serde_json::Value::String(text.into()))
    }

    /// Adds a boolean.
    #[must_use]
    pub fn bool(self, name: &'static str, value: bool) -> Self {
        self.value(name, serde_json::Value::Bool(value))
    }

    /// The fields, in insertion order.
    pub fn fields(&self) -> &[(&'static str, serde_json::Value)] {
        &self.fields
    }
}
