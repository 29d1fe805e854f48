//! Typed access to the fields of a request object.
//!
//! Every accessor names the field it reads and fails with a `bad_request` [`OpError`] when the
//! field is missing, has the wrong JSON type, is not valid hex or has the wrong length. The JSON
//! types are exactly those CONFORMANCE.md names, with no coercion: a byte string or text is a
//! JSON string (never a number), an integer is a JSON integer (never a string, a float such as
//! `1.0`, or a boolean), a boolean is `true` or `false`, and a list or object is a JSON array or
//! object. A JSON `null` counts as absent: it is accepted for an optional field (which then takes
//! its default) and refused for a required one. Fields the op does not read are ignored.

use serde_json::{Map, Value};
use session_identity::blinding::BlindingKind;
use session_identity::{Ed25519PublicKey, Identity, Prefix, SessionId, Signature};

use crate::error::OpError;

/// The fields of one request (the whole JSON object, `id` and `op` included).
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    fields: &'a Map<String, Value>,
}

fn missing(name: &str) -> OpError {
    OpError::bad_request(format!("missing field `{name}`"))
}

fn ill_typed(name: &str, expected: &str) -> OpError {
    OpError::bad_request(format!("field `{name}` must be {expected}"))
}

/// The JSON type of `value`, for error messages.
pub(crate) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a non-integer number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn wrong_type(name: &str, expected: &str, got: &Value) -> OpError {
    OpError::bad_request(format!(
        "field `{name}` must be {expected}, got {}",
        json_type(got)
    ))
}

/// Whether `text` is a non-empty run of ASCII digits (no sign, no spaces).
pub(crate) fn is_decimal(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

impl<'a> Request<'a> {
    /// Wraps a parsed request object.
    pub fn new(fields: &'a Map<String, Value>) -> Self {
        Self { fields }
    }

    /// The raw value of `name`; `None` when absent or `null`.
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.fields.get(name).filter(|v| !v.is_null())
    }

    /// A required value of any JSON type other than `null`.
    pub fn value(&self, name: &str) -> Result<&'a Value, OpError> {
        self.get(name).ok_or_else(|| self.absent(name))
    }

    /// The error for a required field that is absent or `null`.
    fn absent(&self, name: &str) -> OpError {
        match self.fields.get(name) {
            Some(Value::Null) => {
                OpError::bad_request(format!("field `{name}` is required and must not be null"))
            }
            _ => missing(name),
        }
    }

    /// A value an optional reader found, or the error for a missing required field.
    fn required<T>(&self, name: &str, value: Option<T>) -> Result<T, OpError> {
        value.ok_or_else(|| self.absent(name))
    }

    /// A required string.
    pub fn str(&self, name: &str) -> Result<&'a str, OpError> {
        let value = self.opt_str(name)?;
        self.required(name, value)
    }

    /// An optional string.
    pub fn opt_str(&self, name: &str) -> Result<Option<&'a str>, OpError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(wrong_type(name, "a string", other)),
        }
    }

    /// A required hex byte string of any length (empty included).
    pub fn hex(&self, name: &str) -> Result<Vec<u8>, OpError> {
        let value = self.opt_hex(name)?;
        self.required(name, value)
    }

    /// An optional hex byte string.
    pub fn opt_hex(&self, name: &str) -> Result<Option<Vec<u8>>, OpError> {
        let Some(text) = self.opt_str(name)? else {
            return Ok(None);
        };
        if !text.len().is_multiple_of(2) {
            return Err(OpError::bad_request(format!(
                "field `{name}`: hex has odd length {}",
                text.len()
            )));
        }
        hex::decode(text)
            .map(Some)
            .map_err(|e| OpError::bad_request(format!("field `{name}`: invalid hex: {e}")))
    }

    /// A required hex byte string of exactly `N` bytes.
    pub fn hex_array<const N: usize>(&self, name: &str) -> Result<[u8; N], OpError> {
        let bytes = self.hex(name)?;
        <[u8; N]>::try_from(bytes.as_slice()).map_err(|_| {
            OpError::bad_request(format!(
                "field `{name}` must be {N} bytes, got {}",
                bytes.len()
            ))
        })
    }

    /// A boolean, `default` when absent.
    pub fn bool_or(&self, name: &str, default: bool) -> Result<bool, OpError> {
        match self.get(name) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(wrong_type(name, "a boolean", other)),
        }
    }

    /// An optional unsigned integer: a JSON integer in `0..=u64::MAX`. A decimal string, a float
    /// (`1.5`, and also `1.0` or `1e3`), a negative number or a boolean is `bad_request`.
    pub fn opt_u64(&self, name: &str) -> Result<Option<u64>, OpError> {
        let expected = "an unsigned 64-bit JSON integer";
        match self.get(name) {
            None => Ok(None),
            Some(value @ Value::Number(n)) => n
                .as_u64()
                .map(Some)
                .ok_or_else(|| wrong_type(name, expected, value)),
            Some(other) => Err(wrong_type(name, expected, other)),
        }
    }

    /// A required unsigned integer (see [`Request::opt_u64`]).
    pub fn u64(&self, name: &str) -> Result<u64, OpError> {
        let value = self.opt_u64(name)?;
        self.required(name, value)
    }

    /// An unsigned integer, `default` when absent.
    pub fn u64_or(&self, name: &str, default: u64) -> Result<u64, OpError> {
        Ok(self.opt_u64(name)?.unwrap_or(default))
    }

    /// An optional signed integer: a JSON integer in the `i64` range. A decimal string, a float
    /// or a boolean is `bad_request`.
    pub fn opt_i64(&self, name: &str) -> Result<Option<i64>, OpError> {
        let expected = "a signed 64-bit JSON integer";
        match self.get(name) {
            None => Ok(None),
            Some(value @ Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| wrong_type(name, expected, value)),
            Some(other) => Err(wrong_type(name, expected, other)),
        }
    }

    /// A required signed integer (see [`Request::opt_i64`]).
    pub fn i64(&self, name: &str) -> Result<i64, OpError> {
        let value = self.opt_i64(name)?;
        self.required(name, value)
    }

    /// A required JSON array.
    pub fn array(&self, name: &str) -> Result<&'a [Value], OpError> {
        match self.value(name)? {
            Value::Array(items) => Ok(items),
            other => Err(wrong_type(name, "an array", other)),
        }
    }

    /// A required JSON object.
    pub fn object(&self, name: &str) -> Result<&'a Map<String, Value>, OpError> {
        match self.value(name)? {
            Value::Object(map) => Ok(map),
            other => Err(wrong_type(name, "an object", other)),
        }
    }

    /// A "seed" field: a 16-byte legacy seed, a 32-byte Ed25519 seed or a 64-byte libsodium
    /// secret key (`seed ‖ pk`, which must be consistent).
    pub fn identity(&self, name: &str) -> Result<Identity, OpError> {
        let secret = self.hex(name)?;
        Identity::from_secret_bytes(&secret)
            .map_err(|e| OpError::bad_request(format!("field `{name}`: {e}")))
    }

    /// A 32-byte Ed25519 public key (not validated as a point: that is the op's business).
    pub fn ed25519_pk(&self, name: &str) -> Result<Ed25519PublicKey, OpError> {
        self.hex_array::<32>(name).map(Ed25519PublicKey::from_bytes)
    }

    /// A 64-byte Ed25519 signature.
    pub fn signature(&self, name: &str) -> Result<Signature, OpError> {
        self.hex_array::<64>(name).map(Signature::from_bytes)
    }

    /// A user Session ID: 33 bytes starting with `05`, or a bare 32-byte X25519 key.
    pub fn user_session_id(&self, name: &str) -> Result<SessionId, OpError> {
        let bytes = self.hex(name)?;
        if let Ok(key) = <[u8; 32]>::try_from(bytes.as_slice()) {
            return Ok(SessionId::new(Prefix::User, key));
        }
        parse_id(
            name,
            &bytes,
            &[Prefix::User],
            "a 33-byte 05 Session ID or a 32-byte key",
        )
    }

    /// A user Session ID of exactly 33 bytes starting with `05`.
    pub fn strict_user_session_id(&self, name: &str) -> Result<SessionId, OpError> {
        let bytes = self.hex(name)?;
        parse_id(name, &bytes, &[Prefix::User], "a 33-byte 05 Session ID")
    }

    /// A community-blinded ID: 33 bytes starting with `15` or `25`.
    pub fn blinded_id(&self, name: &str) -> Result<(BlindingKind, SessionId), OpError> {
        let bytes = self.hex(name)?;
        let id = parse_id(
            name,
            &bytes,
            &[Prefix::Blinded15, Prefix::Blinded25],
            "a 33-byte 15 or 25 blinded ID",
        )?;
        let kind = BlindingKind::from_prefix(id.prefix())
            .ok_or_else(|| ill_typed(name, "a 33-byte 15 or 25 blinded ID"))?;
        Ok((kind, id))
    }
}

/// 33 bytes whose first byte is one of `allowed`.
fn parse_id(
    name: &str,
    bytes: &[u8],
    allowed: &[Prefix],
    expected: &str,
) -> Result<SessionId, OpError> {
    if bytes.len() != SessionId::LEN {
        return Err(OpError::bad_request(format!(
            "field `{name}` must be {expected}, got {} bytes",
            bytes.len()
        )));
    }
    match SessionId::from_bytes(bytes) {
        Ok(id) if allowed.contains(&id.prefix()) => Ok(id),
        _ => Err(OpError::bad_request(format!(
            "field `{name}` must be {expected}, got prefix {:02x}",
            bytes[0]
        ))),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn with<T>(json: &str, f: impl FnOnce(Request<'_>) -> T) -> T {
        let value: Value = serde_json::from_str(json).unwrap();
        f(Request::new(value.as_object().unwrap()))
    }

    fn kind<T: core::fmt::Debug>(r: Result<T, OpError>) -> ErrorKind {
        r.unwrap_err().kind
    }

    #[test]
    fn hex_fields() {
        with(
            r#"{"a":"00ff","b":"0","c":"zz","d":null,"e":5,"f":"","g":"ABcd"}"#,
            |r| {
                assert_eq!(r.hex("a").unwrap(), [0, 255]);
                assert_eq!(kind(r.hex("b")), ErrorKind::BadRequest);
                assert!(r.hex("b").unwrap_err().message.contains("odd"));
                assert_eq!(kind(r.hex("c")), ErrorKind::BadRequest);
                assert_eq!(kind(r.hex("d")), ErrorKind::BadRequest);
                assert_eq!(r.opt_hex("d").unwrap(), None);
                assert_eq!(r.opt_hex("missing").unwrap(), None);
                assert_eq!(kind(r.hex("e")), ErrorKind::BadRequest);
                assert_eq!(r.hex("f").unwrap(), Vec::<u8>::new());
                assert_eq!(r.hex("g").unwrap(), [0xab, 0xcd]);
                assert_eq!(r.hex_array::<2>("a").unwrap(), [0, 255]);
                assert_eq!(kind(r.hex_array::<3>("a")), ErrorKind::BadRequest);
            },
        );
    }

    #[test]
    fn integers() {
        with(
            r#"{"a":18446744073709551615,"b":"18446744073709551615","c":"18446744073709551616",
                "d":-1,"e":1.5,"f":"+1","g":"","h":"-12","i":-12,"j":18446744073709551616,"k":true,
                "l":1.0,"m":1e3,"n":null,"o":[1],"p":{"v":1},"q":"7","z":0}"#,
            |r| {
                assert_eq!(r.u64("a").unwrap(), u64::MAX);
                assert_eq!(r.u64("z").unwrap(), 0);
                // Decimal strings, floats (integral ones too), negatives, out-of-range numbers,
                // booleans, arrays and objects are all refused, as is null for a required field.
                for bad in [
                    "b", "c", "d", "e", "f", "g", "h", "j", "k", "l", "m", "n", "o", "p", "q",
                    "missing",
                ] {
                    let error = r.u64(bad).unwrap_err();
                    assert_eq!(error.kind, ErrorKind::BadRequest, "{bad}");
                    assert!(error.message.contains(&format!("`{bad}`")), "{error}");
                }
                assert!(r.u64("q").unwrap_err().message.contains("got a string"));
                assert!(r.u64("l").unwrap_err().message.contains("non-integer"));
                assert!(r.u64("n").unwrap_err().message.contains("null"));
                // An optional field may be absent or null, but not ill-typed.
                assert_eq!(r.u64_or("missing", 7).unwrap(), 7);
                assert_eq!(r.u64_or("n", 7).unwrap(), 7);
                assert_eq!(r.opt_u64("n").unwrap(), None);
                assert_eq!(kind(r.u64_or("q", 7)), ErrorKind::BadRequest);
                assert_eq!(r.i64("i").unwrap(), -12);
                assert_eq!(r.i64("z").unwrap(), 0);
                for bad in ["a", "b", "e", "f", "h", "k", "l", "n", "q", "missing"] {
                    assert_eq!(kind(r.i64(bad)), ErrorKind::BadRequest, "{bad}");
                }
                assert_eq!(r.opt_i64("n").unwrap(), None);
            },
        );
    }

    #[test]
    fn other_types() {
        with(
            r#"{"t":true,"s":"x","n":1,"l":[1],"o":{},"z":null,"h":"00"}"#,
            |r| {
                assert!(r.bool_or("t", false).unwrap());
                assert!(r.bool_or("missing", true).unwrap());
                assert!(!r.bool_or("z", false).unwrap());
                for bad in ["s", "n", "l", "o", "h"] {
                    assert_eq!(kind(r.bool_or(bad, true)), ErrorKind::BadRequest, "{bad}");
                }
                assert_eq!(r.str("s").unwrap(), "x");
                assert_eq!(r.opt_str("z").unwrap(), None);
                for bad in ["n", "t", "l", "o", "z", "missing"] {
                    assert_eq!(kind(r.str(bad)), ErrorKind::BadRequest, "{bad}");
                    assert_eq!(kind(r.hex(bad)), ErrorKind::BadRequest, "{bad}");
                }
                for bad in ["n", "t", "l", "o"] {
                    assert_eq!(kind(r.opt_str(bad)), ErrorKind::BadRequest, "{bad}");
                    assert_eq!(kind(r.opt_hex(bad)), ErrorKind::BadRequest, "{bad}");
                }
                assert_eq!(r.array("l").unwrap().len(), 1);
                assert!(r.object("o").unwrap().is_empty());
                for bad in ["t", "s", "n", "z", "missing"] {
                    assert_eq!(kind(r.array(bad)), ErrorKind::BadRequest, "{bad}");
                    assert_eq!(kind(r.object(bad)), ErrorKind::BadRequest, "{bad}");
                }
                assert_eq!(kind(r.array("o")), ErrorKind::BadRequest);
                assert_eq!(kind(r.object("l")), ErrorKind::BadRequest);
                assert!(r.value("z").unwrap_err().message.contains("null"));
                assert!(r.value("missing").unwrap_err().message.contains("missing"));
            },
        );
    }

    #[test]
    fn seeds_and_ids() {
        let key = "11".repeat(32);
        let json = format!(
            r#"{{"s16":"{}","s32":"{}","s20":"{}","bad64":"{}",
                "u32":"{key}","u33":"05{key}","g33":"03{key}","b15":"15{key}","b25":"25{key}"}}"#,
            "00".repeat(16),
            "00".repeat(32),
            "00".repeat(20),
            "00".repeat(64),
        );
        with(&json, |r| {
            assert!(r.identity("s16").is_ok());
            assert!(r.identity("s32").is_ok());
            assert_eq!(kind(r.identity("s20")), ErrorKind::BadRequest);
            assert_eq!(kind(r.identity("bad64")), ErrorKind::BadRequest);
            assert_eq!(
                r.user_session_id("u32").unwrap(),
                r.user_session_id("u33").unwrap()
            );
            assert_eq!(kind(r.user_session_id("g33")), ErrorKind::BadRequest);
            assert_eq!(kind(r.strict_user_session_id("u32")), ErrorKind::BadRequest);
            assert!(r.strict_user_session_id("u33").is_ok());
            assert_eq!(r.blinded_id("b15").unwrap().0, BlindingKind::Blind15);
            assert_eq!(r.blinded_id("b25").unwrap().0, BlindingKind::Blind25);
            assert_eq!(kind(r.blinded_id("u33")), ErrorKind::BadRequest);
            assert_eq!(kind(r.blinded_id("u32")), ErrorKind::BadRequest);
        });
    }
}
