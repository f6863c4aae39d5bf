//! The JSON text `helmet render` prints: the same bytes as Python's
//! `json.dump(map, indent=1, sort_keys=True)` plus a newline, which is what the reference
//! renderer prints and what the goldens hold (ASCII only, `\uXXXX` escapes).

use std::collections::BTreeMap;
use std::fmt::Write;

/// A string as Python's `json` module writes it with `ensure_ascii=True`.
fn python_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// `json.dump(map, indent=1, sort_keys=True)` followed by a newline. Keys sort by code point,
/// which is the byte order of UTF-8 strings.
pub fn python_dump(map: &BTreeMap<String, String>) -> String {
    if map.is_empty() {
        return "{}\n".to_string();
    }
    let mut out = String::from("{\n");
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        out.push(' ');
        python_string(&mut out, key);
        out.push_str(": ");
        python_string(&mut out, value);
    }
    out.push_str("\n}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_python() {
        let mut m = BTreeMap::new();
        m.insert("b".to_string(), "x\u{7f}é😀\u{1}".to_string());
        m.insert("a".to_string(), "q\"\\\n".to_string());
        assert_eq!(
            python_dump(&m),
            "{\n \"a\": \"q\\\"\\\\\\n\",\n \"b\": \"x\\u007f\\u00e9\\ud83d\\ude00\\u0001\"\n}\n"
        );
        assert_eq!(python_dump(&BTreeMap::new()), "{}\n");
    }
}
