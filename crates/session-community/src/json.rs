//! Reading untrusted JSON replies field by field, with the path of a bad field in the error.
//!
//! A [`Path`] is built on the stack as the reader descends and is only rendered when a field is
//! wrong, so reading a valid reply allocates nothing for it.

use core::fmt;

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use serde_json::{Map, Value};
use session_identity::SessionId;

use crate::reply::{FieldProblem, ReplyError};

/// Standard base64, padding optional (the server pads; Python's decoder accepts both).
pub(crate) const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Where a value sits in a reply: `reply`, `reply[3]`, `reply[3].reactions.👍.count`.
#[derive(Clone, Copy)]
pub(crate) enum Path<'a> {
    Root(&'static str),
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Root(name) => f.write_str(name),
            Self::Key(parent, key) => {
                // Keys come from the server: keep the rendered path short and printable.
                let shown: String = key.chars().take(32).filter(|c| !c.is_control()).collect();
                write!(f, "{parent}.{shown}")
            }
            Self::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

impl Path<'_> {
    pub(crate) fn error(&self, problem: FieldProblem) -> ReplyError {
        ReplyError::Field {
            field: self.to_string(),
            problem,
        }
    }

    pub(crate) fn wrong_type(&self, expected: &'static str) -> ReplyError {
        self.error(FieldProblem::WrongType(expected))
    }
}

/// A JSON object being read.
pub(crate) struct Obj<'a> {
    pub(crate) map: &'a Map<String, Value>,
    pub(crate) path: Path<'a>,
}

pub(crate) fn object<'a>(value: &'a Value, path: Path<'a>) -> Result<Obj<'a>, ReplyError> {
    match value {
        Value::Object(map) => Ok(Obj { map, path }),
        _ => Err(path.wrong_type("object")),
    }
}

pub(crate) fn array<'a>(
    value: &'a Value,
    path: &Path<'_>,
    max: usize,
) -> Result<&'a [Value], ReplyError> {
    match value {
        Value::Array(items) if items.len() <= max => Ok(items),
        Value::Array(_) => Err(path.error(FieldProblem::TooMany { max })),
        _ => Err(path.wrong_type("array")),
    }
}

pub(crate) fn u64_value(value: &Value, path: &Path<'_>) -> Result<u64, ReplyError> {
    match value {
        Value::Number(n) => n
            .as_u64()
            .ok_or_else(|| path.error(FieldProblem::OutOfRange)),
        _ => Err(path.wrong_type("non-negative integer")),
    }
}

pub(crate) fn time_value(value: &Value, path: &Path<'_>) -> Result<f64, ReplyError> {
    match value {
        Value::Number(n) => match n.as_f64() {
            Some(t) if t.is_finite() && t >= 0.0 => Ok(t),
            _ => Err(path.error(FieldProblem::OutOfRange)),
        },
        _ => Err(path.wrong_type("number")),
    }
}

pub(crate) fn str_value<'a>(value: &'a Value, path: &Path<'_>) -> Result<&'a str, ReplyError> {
    match value {
        Value::String(s) => Ok(s),
        _ => Err(path.wrong_type("string")),
    }
}

pub(crate) fn session_id_value(value: &Value, path: &Path<'_>) -> Result<SessionId, ReplyError> {
    SessionId::parse(str_value(value, path)?).map_err(|_| path.error(FieldProblem::BadSessionId))
}

pub(crate) fn base64_value(value: &Value, path: &Path<'_>) -> Result<Vec<u8>, ReplyError> {
    BASE64
        .decode(str_value(value, path)?)
        .map_err(|_| path.error(FieldProblem::BadBase64))
}

impl<'a> Obj<'a> {
    fn get(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name)
    }

    /// The field, present and not `null`.
    pub(crate) fn field(&self, name: &'static str) -> Result<&'a Value, ReplyError> {
        match self.get(name) {
            Some(Value::Null) | None => {
                Err(Path::Key(&self.path, name).error(FieldProblem::Missing))
            }
            Some(value) => Ok(value),
        }
    }

    /// The field if present and not `null`.
    pub(crate) fn opt(&self, name: &str) -> Option<&'a Value> {
        self.get(name).filter(|v| !v.is_null())
    }

    pub(crate) fn u64(&self, name: &'static str) -> Result<u64, ReplyError> {
        u64_value(self.field(name)?, &Path::Key(&self.path, name))
    }

    pub(crate) fn opt_u64(&self, name: &'static str) -> Result<Option<u64>, ReplyError> {
        self.opt(name)
            .map(|v| u64_value(v, &Path::Key(&self.path, name)))
            .transpose()
    }

    pub(crate) fn time(&self, name: &'static str) -> Result<f64, ReplyError> {
        time_value(self.field(name)?, &Path::Key(&self.path, name))
    }

    pub(crate) fn opt_time(&self, name: &'static str) -> Result<Option<f64>, ReplyError> {
        self.opt(name)
            .map(|v| time_value(v, &Path::Key(&self.path, name)))
            .transpose()
    }

    pub(crate) fn str(&self, name: &'static str) -> Result<&'a str, ReplyError> {
        str_value(self.field(name)?, &Path::Key(&self.path, name))
    }

    pub(crate) fn opt_str(&self, name: &'static str) -> Result<Option<&'a str>, ReplyError> {
        self.opt(name)
            .map(|v| str_value(v, &Path::Key(&self.path, name)))
            .transpose()
    }

    /// A boolean; absent or `null` is `false` (the server omits false flags).
    pub(crate) fn flag(&self, name: &'static str) -> Result<bool, ReplyError> {
        Ok(self.opt_bool(name)?.unwrap_or(false))
    }

    pub(crate) fn opt_bool(&self, name: &'static str) -> Result<Option<bool>, ReplyError> {
        match self.opt(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(Path::Key(&self.path, name).wrong_type("boolean")),
        }
    }

    pub(crate) fn bool(&self, name: &'static str) -> Result<bool, ReplyError> {
        match self.field(name)? {
            Value::Bool(b) => Ok(*b),
            _ => Err(Path::Key(&self.path, name).wrong_type("boolean")),
        }
    }

    pub(crate) fn session_id(&self, name: &'static str) -> Result<SessionId, ReplyError> {
        session_id_value(self.field(name)?, &Path::Key(&self.path, name))
    }

    pub(crate) fn opt_session_id(
        &self,
        name: &'static str,
    ) -> Result<Option<SessionId>, ReplyError> {
        self.opt(name)
            .map(|v| session_id_value(v, &Path::Key(&self.path, name)))
            .transpose()
    }

    pub(crate) fn base64(&self, name: &'static str) -> Result<Vec<u8>, ReplyError> {
        base64_value(self.field(name)?, &Path::Key(&self.path, name))
    }

    /// A list of Session IDs; absent is empty.
    pub(crate) fn session_ids(
        &self,
        name: &'static str,
        max: usize,
    ) -> Result<Vec<SessionId>, ReplyError> {
        let Some(value) = self.opt(name) else {
            return Ok(Vec::new());
        };
        let path = Path::Key(&self.path, name);
        array(value, &path, max)?
            .iter()
            .enumerate()
            .map(|(i, v)| session_id_value(v, &Path::Index(&path, i)))
            .collect()
    }

    /// A list of strings; absent is empty.
    pub(crate) fn strings(
        &self,
        name: &'static str,
        max: usize,
    ) -> Result<Vec<String>, ReplyError> {
        let Some(value) = self.opt(name) else {
            return Ok(Vec::new());
        };
        let path = Path::Key(&self.path, name);
        array(value, &path, max)?
            .iter()
            .enumerate()
            .map(|(i, v)| str_value(v, &Path::Index(&path, i)).map(str::to_owned))
            .collect()
    }
}
