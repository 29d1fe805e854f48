//! JSON written byte for byte as the reference writes it (`nlohmann::json::dump()`): compact,
//! object keys in byte order, UTF-8 as-is, control characters escaped.
//!
//! Written by hand rather than through `serde_json::Map`, whose key order depends on a cargo
//! feature (`preserve_order`) another crate in a build could switch on.

use serde_json::Value;

/// Appends `text` as a JSON string literal.
pub(crate) fn push_string(out: &mut String, text: &str) {
    // serde_json escapes exactly as nlohmann does: `"`, `\`, \b \f \n \r \t, and every other
    // control character as \u00xx in lower-case hex; everything else, non-ASCII included, as-is.
    match serde_json::to_string(text) {
        Ok(quoted) => out.push_str(&quoted),
        Err(_) => unreachable!("serialising a str cannot fail"),
    }
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
