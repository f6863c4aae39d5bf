//! Finding the source text of a value inside a JSON document by its keyword path.
//!
//! Helm's schema validator reads numbers as `json.Number`, so its messages print an `enum` or
//! `const` number exactly as the schema writes it (`2.50`, `1E+2`); parsed JSON has lost that
//! text, so it is looked up in the schema source.

/// How deep documents and `$ref` hops are followed; the schema parser already refuses deeper
/// documents.
const MAX_DEPTH: usize = 256;

/// The source text of the value at `path` (object keys and array indexes, unescaped) in the
/// JSON document `text`. A `$ref` segment whose object holds a local reference (`#/...`)
/// continues from the referenced value, as a validator's keyword location does.
pub fn value_at<'a>(text: &'a str, path: &[String]) -> Option<&'a str> {
    let bytes = text.as_bytes();
    let root = skip_ws(bytes, 0);
    let mut at = root;
    let mut hops = 0;
    let mut rest = path;
    while let Some((seg, tail)) = rest.split_first() {
        if seg == "$ref" {
            if let Some(target) = member(bytes, at, "$ref").and_then(|v| string_at(bytes, v)) {
                let pointer = target.strip_prefix('#')?;
                hops += 1;
                if hops > MAX_DEPTH || pointer.contains('%') {
                    return None;
                }
                at = root;
                for part in pointer.split('/').skip(1) {
                    let part = part.replace("~1", "/").replace("~0", "~");
                    at = child(bytes, at, &part)?;
                }
                rest = tail;
                continue;
            }
        }
        at = child(bytes, at, seg)?;
        rest = tail;
    }
    let end = skip_value(bytes, at, 0)?;
    text.get(at..end)
}

/// The source texts of the items of the JSON array `text`.
pub fn items(text: &str) -> Option<Vec<&str>> {
    let bytes = text.as_bytes();
    let mut at = skip_ws(bytes, 0);
    if bytes.get(at) != Some(&b'[') {
        return None;
    }
    at = skip_ws(bytes, at + 1);
    let mut out = Vec::new();
    if bytes.get(at) == Some(&b']') {
        return Some(out);
    }
    loop {
        let end = skip_value(bytes, at, 0)?;
        out.push(text.get(at..end)?);
        at = skip_ws(bytes, end);
        match bytes.get(at)? {
            b',' => at = skip_ws(bytes, at + 1),
            b']' => return Some(out),
            _ => return None,
        }
    }
}

/// The start of the member `key` of an object, or of item `key` of an array, at `at`.
fn child(bytes: &[u8], at: usize, key: &str) -> Option<usize> {
    match bytes.get(at)? {
        b'{' => member(bytes, at, key),
        b'[' => {
            let index: usize = key.parse().ok()?;
            let mut pos = skip_ws(bytes, at + 1);
            for _ in 0..index {
                pos = skip_ws(bytes, skip_value(bytes, pos, 0)?);
                if bytes.get(pos) != Some(&b',') {
                    return None;
                }
                pos = skip_ws(bytes, pos + 1);
            }
            (bytes.get(pos) != Some(&b']')).then_some(pos)
        }
        _ => None,
    }
}

/// The start of the value of member `key` of the object at `at` (the last one when a key
/// repeats, as a JSON decoder keeps the last).
fn member(bytes: &[u8], at: usize, key: &str) -> Option<usize> {
    if bytes.get(at) != Some(&b'{') {
        return None;
    }
    let mut pos = skip_ws(bytes, at + 1);
    let mut found = None;
    if bytes.get(pos) == Some(&b'}') {
        return None;
    }
    loop {
        let name = string_at(bytes, pos)?;
        pos = skip_ws(bytes, skip_value(bytes, pos, 0)?);
        if bytes.get(pos) != Some(&b':') {
            return None;
        }
        pos = skip_ws(bytes, pos + 1);
        if name == key {
            found = Some(pos);
        }
        pos = skip_ws(bytes, skip_value(bytes, pos, 0)?);
        match bytes.get(pos)? {
            b',' => pos = skip_ws(bytes, pos + 1),
            b'}' => return found,
            _ => return None,
        }
    }
}

fn skip_ws(bytes: &[u8], mut at: usize) -> usize {
    while matches!(bytes.get(at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        at += 1;
    }
    at
}

/// The end of the JSON value starting at `at`.
fn skip_value(bytes: &[u8], at: usize, depth: usize) -> Option<usize> {
    if depth > MAX_DEPTH {
        return None;
    }
    match bytes.get(at)? {
        b'"' => {
            let mut pos = at + 1;
            loop {
                match bytes.get(pos)? {
                    b'"' => return Some(pos + 1),
                    b'\\' => pos += 2,
                    _ => pos += 1,
                }
            }
        }
        open @ (b'{' | b'[') => {
            let close = if *open == b'{' { b'}' } else { b']' };
            let mut pos = skip_ws(bytes, at + 1);
            if bytes.get(pos) == Some(&close) {
                return Some(pos + 1);
            }
            loop {
                pos = skip_ws(bytes, skip_value(bytes, pos, depth + 1)?);
                match bytes.get(pos)? {
                    b',' | b':' => pos = skip_ws(bytes, pos + 1),
                    c if *c == close => return Some(pos + 1),
                    _ => return None,
                }
            }
        }
        _ => {
            let mut pos = at;
            while matches!(bytes.get(pos), Some(c) if c.is_ascii_alphanumeric() || b"+-.".contains(c))
            {
                pos += 1;
            }
            (pos > at).then_some(pos)
        }
    }
}

/// The JSON string starting at `at`, unescaped.
fn string_at(bytes: &[u8], at: usize) -> Option<String> {
    if bytes.get(at) != Some(&b'"') {
        return None;
    }
    let end = skip_value(bytes, at, 0)?;
    let text = std::str::from_utf8(&bytes[at..end]).ok()?;
    let mut out = String::with_capacity(text.len());
    let mut chars = text[1..text.len() - 1].chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'u' => {
                let unit = |chars: &mut std::str::Chars<'_>| -> Option<u32> {
                    let hex: String = chars.by_ref().take(4).collect();
                    u32::from_str_radix(&hex, 16).ok()
                };
                let first = unit(&mut chars)?;
                let code = if (0xD800..0xDC00).contains(&first) && chars.as_str().starts_with("\\u")
                {
                    chars.nth(1);
                    let second = unit(&mut chars)?;
                    0x10000 + ((first - 0xD800) << 10) + (second.wrapping_sub(0xDC00) & 0x3FF)
                } else {
                    first
                };
                out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
            }
            other => out.push(other),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::{items, value_at};

    fn path(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn finds_values_by_key_index_and_local_ref() {
        let doc = r##"{"properties": {"a\"b": {"enum": [1.50, "x", {"k": [2]}, 1E+2]},
            "r": {"$ref": "#/$defs/n"}}, "$defs": {"n": {"const": 2.50}}}"##;
        assert_eq!(
            value_at(doc, &path(&["properties", "a\"b", "enum"])),
            Some(r#"[1.50, "x", {"k": [2]}, 1E+2]"#)
        );
        assert_eq!(
            value_at(doc, &path(&["properties", "a\"b", "enum", "3"])),
            Some("1E+2")
        );
        assert_eq!(
            value_at(doc, &path(&["properties", "r", "$ref", "const"])),
            Some("2.50")
        );
        assert_eq!(value_at(doc, &path(&["properties", "zz"])), None);
        assert_eq!(
            items(r#"[1.50, "x", {"k": [2]}, 1E+2]"#),
            Some(vec!["1.50", "\"x\"", r#"{"k": [2]}"#, "1E+2"])
        );
    }

    #[test]
    fn broken_text_finds_nothing() {
        assert_eq!(value_at("{\"a\": [1, ", &path(&["a", "1"])), None);
        assert_eq!(items("[1, 2"), None);
        let deep = "[".repeat(10_000);
        assert_eq!(value_at(&deep, &path(&["0"])), None);
    }
}
