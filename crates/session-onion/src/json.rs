//! JSON written byte for byte as the reference writes it (`nlohmann::json::dump()`): compact,
//! object keys in byte order, UTF-8 as-is, control characters escaped.
//!
//! Written by hand rather than through `serde_json::Map`, whose key order depends on a cargo
//! feature (`preserve_order`) another crate in a build could switch on.

use serde_json::Value;

/// Appends `text` as a JSON string literal, escaped as nlohmann (and serde_json) escape: `"`,
/// `\`, \b \f \n \r \t, and every other control character below U+0020 as `\u00xx` in
/// lower-case hex; everything else, DEL and non-ASCII included, as-is.
pub(crate) fn push_string(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0'..='\u{1f}' => {
                let byte = c as u8;
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0xf)]));
            }
            _ => out.push(c),
        }
    }
    out.push('"');
}

/// A JSON object whose members are written in the order given; callers list keys sorted.
pub(crate) struct ObjectWriter {
    out: String,
    first: bool,
}

impl ObjectWriter {
    pub(crate) fn new() -> Self {
        Self {
            out: String::from("{"),
            first: true,
        }
    }

    fn key(&mut self, key: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        push_string(&mut self.out, key);
        self.out.push(':');
    }

    pub(crate) fn string(mut self, key: &str, value: &str) -> Self {
        self.key(key);
        push_string(&mut self.out, value);
        self
    }

    pub(crate) fn integer(mut self, key: &str, value: i64) -> Self {
        self.key(key);
        self.out.push_str(&value.to_string());
        self
    }

    pub(crate) fn raw(mut self, key: &str, json: &str) -> Self {
        self.key(key);
        self.out.push_str(json);
        self
    }

    pub(crate) fn finish(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

/// Writes any JSON value compactly with object keys sorted by bytes, as nlohmann's default
/// (`std::map`-backed) `json` dumps it. Floating-point numbers are written as serde_json
/// writes them, which may differ from nlohmann in the last digits.
pub(crate) fn dump_sorted(value: &Value) -> String {
    let mut out = String::new();
    write_sorted(&mut out, value);
    out
}

fn write_sorted(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => push_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_sorted(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_string(out, key);
                out.push(':');
                write_sorted(out, item);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_matches_nlohmann() {
        let mut out = String::new();
        push_string(&mut out, "a\"b\\c\u{1}\u{1f}\n\t\r\u{8}\u{c}/\u{7f}é🎉");
        assert_eq!(
            out,
            "\"a\\\"b\\\\c\\u0001\\u001f\\n\\t\\r\\b\\f/\u{7f}é🎉\""
        );
    }

    #[test]
    fn escaping_matches_serde_json() {
        let mut text: String = (0u32..0x100).filter_map(char::from_u32).collect();
        text.push_str("\u{2028}\u{fffd}\u{10ffff}");
        for c in text.chars() {
            let mut out = String::new();
            push_string(&mut out, &c.to_string());
            assert_eq!(out, serde_json::to_string(&c.to_string()).unwrap(), "{c:?}");
        }
        let mut out = String::new();
        push_string(&mut out, &text);
        assert_eq!(out, serde_json::to_string(&text).unwrap());
    }

    #[test]
    fn sorted_dump() {
        let value: Value =
            serde_json::from_str(r#"{"b":1,"a":{"z":[true,null,"x"],"y":-2},"B":""}"#).unwrap();
        assert_eq!(
            dump_sorted(&value),
            r#"{"B":"","a":{"y":-2,"z":[true,null,"x"]},"b":1}"#
        );
        let obj = ObjectWriter::new()
            .string("a", "x")
            .integer("b", 443)
            .raw("c", "{}")
            .finish();
        assert_eq!(obj, r#"{"a":"x","b":443,"c":{}}"#);
    }
}
