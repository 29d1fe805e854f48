//! The framing every onion layer shares: `LE32(N) ‖ N bytes ‖ JSON object`.

use serde_json::{Map, Value};

/// Largest body a node accepts (the reference parser's default, 10 MiB).
pub const MAX_BODY_LEN: usize = 10 * 1024 * 1024;

/// Largest JSON part of a layer. Routing JSON is a few hundred bytes; this bounds the parser.
pub const MAX_ROUTING_JSON_LEN: usize = 64 * 1024;

/// Why bytes are not a layer frame `LE32(N) ‖ N bytes ‖ JSON object`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// Fewer than the 4 bytes of the length prefix.
    #[error("layer is {len} bytes, too short for its 4-byte length prefix")]
    BodyTooShort {
        /// The length.
        len: usize,
    },
    /// More than [`MAX_BODY_LEN`] bytes.
    #[error("layer is {len} bytes, more than the {max} accepted")]
    BodyTooLarge {
        /// The length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The length prefix promises more bytes than follow it.
    #[error("length prefix declares {declared} bytes but only {available} follow")]
    LengthOutOfBounds {
        /// The declared length.
        declared: u32,
        /// Bytes after the prefix.
        available: usize,
    },
    /// The JSON part is longer than [`MAX_ROUTING_JSON_LEN`].
    #[error("layer JSON is {len} bytes, more than the {max} accepted")]
    JsonTooLarge {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The JSON part is not UTF-8 JSON.
    #[error("layer JSON does not parse")]
    InvalidJson,
    /// The JSON part is not an object.
    #[error("layer JSON is not an object")]
    JsonNotAnObject,
}

/// Data longer than a 32-bit length prefix can say (its length).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DataTooLarge(pub(crate) usize);

/// `LE32(len(data)) ‖ data ‖ json`.
pub(crate) fn encode_layer(data: &[u8], json: &str) -> Result<Vec<u8>, DataTooLarge> {
    let len = u32::try_from(data.len()).map_err(|_| DataTooLarge(data.len()))?;
    let mut out = Vec::with_capacity(4 + data.len() + json.len());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(data);
    out.extend_from_slice(json.as_bytes());
    Ok(out)
}

/// One layer split into its length-prefixed data and its JSON object, checked but not
/// interpreted.
#[derive(Debug, Clone)]
pub struct LayerFrame<'a> {
    data: &'a [u8],
    json_text: &'a str,
    json: Map<String, Value>,
}

impl<'a> LayerFrame<'a> {
    /// Splits `bytes` = `LE32(N) ‖ N bytes ‖ JSON object`.
    ///
    /// Checks, in order: at least 4 bytes, at most [`MAX_BODY_LEN`]; `N` no more than the
    /// bytes after the prefix; a JSON part of at most [`MAX_ROUTING_JSON_LEN`] bytes that
    /// parses (surrounding whitespace allowed) to an object.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, FrameError> {
        if bytes.len() > MAX_BODY_LEN {
            return Err(FrameError::BodyTooLarge {
                len: bytes.len(),
                max: MAX_BODY_LEN,
            });
        }
        let (prefix, rest) = match bytes.split_first_chunk::<4>() {
            Some(split) => split,
            None => return Err(FrameError::BodyTooShort { len: bytes.len() }),
        };
        let declared = u32::from_le_bytes(*prefix);
        let data_len = usize::try_from(declared)
            .ok()
            .filter(|&n| n <= rest.len())
            .ok_or(FrameError::LengthOutOfBounds {
                declared,
                available: rest.len(),
            })?;
        let (data, json_bytes) = rest.split_at(data_len);
        if json_bytes.len() > MAX_ROUTING_JSON_LEN {
            return Err(FrameError::JsonTooLarge {
                len: json_bytes.len(),
                max: MAX_ROUTING_JSON_LEN,
            });
        }
        let json_text = core::str::from_utf8(json_bytes).map_err(|_| FrameError::InvalidJson)?;
        let json = match serde_json::from_str::<Value>(json_text) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return Err(FrameError::JsonNotAnObject),
            Err(_) => return Err(FrameError::InvalidJson),
        };
        Ok(Self {
            data,
            json_text,
            json,
        })
    }

    /// The `N` bytes after the length prefix: a ciphertext, or a destination's payload.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The JSON part as received.
    pub fn json_text(&self) -> &'a str {
        self.json_text
    }

    pub(crate) fn json(&self) -> &Map<String, Value> {
        &self.json
    }
}
