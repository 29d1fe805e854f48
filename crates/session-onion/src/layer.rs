//! The framing every onion layer shares: `LE32(N) ‖ N bytes ‖ JSON object`.

use serde_json::{Map, Value};

use crate::builder::BuildError;
use crate::node::LayerError;

/// Largest body a node accepts (the reference parser's default, 10 MiB).
pub const MAX_BODY_LEN: usize = 10 * 1024 * 1024;

/// Largest JSON part of a layer. Routing JSON is a few hundred bytes; this bounds the parser.
pub const MAX_ROUTING_JSON_LEN: usize = 64 * 1024;

/// `LE32(len(data)) ‖ data ‖ json`.
pub(crate) fn encode_layer(data: &[u8], json: &str) -> Result<Vec<u8>, BuildError> {
    let len = u32::try_from(data.len()).map_err(|_| BuildError::TooLarge(data.len()))?;
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
    pub fn parse(bytes: &'a [u8]) -> Result<Self, LayerError> {
        if bytes.len() > MAX_BODY_LEN {
            return Err(LayerError::BodyTooLarge {
                len: bytes.len(),
                max: MAX_BODY_LEN,
            });
        }
        let (prefix, rest) = match bytes.split_first_chunk::<4>() {
            Some(split) => split,
            None => return Err(LayerError::BodyTooShort { len: bytes.len() }),
        };
        let declared = u32::from_le_bytes(*prefix);
        let data_len = usize::try_from(declared)
            .ok()
            .filter(|&n| n <= rest.len())
            .ok_or(LayerError::LengthOutOfBounds {
                declared,
                available: rest.len(),
            })?;
        let (data, json_bytes) = rest.split_at(data_len);
        if json_bytes.len() > MAX_ROUTING_JSON_LEN {
            return Err(LayerError::JsonTooLarge {
                len: json_bytes.len(),
                max: MAX_ROUTING_JSON_LEN,
            });
        }
        let json_text = core::str::from_utf8(json_bytes).map_err(|_| LayerError::InvalidJson)?;
        let json = match serde_json::from_str::<Value>(json_text) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return Err(LayerError::JsonNotAnObject),
            Err(_) => return Err(LayerError::InvalidJson),
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
