//! `values.schema.json` read for the fast schema check (`schema_fast`): a JSON document that
//! borrows its text.
//!
//! The fast check only walks the schema once to compile it, so building a `serde_json::Value`
//! (a `String` for every key and text, a B-tree per object) cost more than the compile and the
//! check together: about half of a cold load's schema work on `charts/todo-app`. Here keys and
//! texts without escapes are slices of the text and objects are sorted vectors.
//!
//! The reading is serde_json's or stricter, never looser: a text it reads gives exactly the
//! document `serde_json::from_str` gives (objects in key order, a repeated key keeping its last
//! value, numbers parsed by serde_json itself), and anything it refuses (which includes a few
//! texts serde_json reads: nesting deeper than [`MAX_NESTING`], lone surrogate escapes) only
//! sends the schema to the full validator, which answers for every schema anyway.

use std::borrow::Cow;

/// Deepest nesting of arrays and objects read (serde_json stops at 128).
const MAX_NESTING: usize = 100;

/// A JSON value of a schema text.
#[derive(Debug)]
pub(super) enum Doc<'a> {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(Cow<'a, str>),
    Array(Vec<Doc<'a>>),
    Object(Object<'a>),
}

/// An object's members in key order (bytes), each key once with the last value the text gave
/// it: as a `serde_json::Map` holds them.
#[derive(Debug)]
pub(super) struct Object<'a>(Vec<(Cow<'a, str>, Doc<'a>)>);

impl<'a> Object<'a> {
    pub(super) fn get(&self, key: &str) -> Option<&Doc<'a>> {
        self.0
            .binary_search_by(|(k, _)| k.as_bytes().cmp(key.as_bytes()))
            .ok()
            .map(|i| &self.0[i].1)
    }

    pub(super) fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The members in key order.
    pub(super) fn iter(&self) -> impl Iterator<Item = (&str, &Doc<'a>)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }
}

impl<'a> Doc<'a> {
    pub(super) fn as_object(&self) -> Option<&Object<'a>> {
        match self {
            Doc::Object(o) => Some(o),
            _ => None,
        }
    }

    pub(super) fn as_array(&self) -> Option<&[Doc<'a>]> {
        match self {
            Doc::Array(items) => Some(items),
            _ => None,
        }
    }

    pub(super) fn is_array(&self) -> bool {
        matches!(self, Doc::Array(_))
    }

    pub(super) fn as_str(&self) -> Option<&str> {
        match self {
            Doc::String(s) => Some(s),
            _ => None,
        }
    }

    pub(super) fn as_bool(&self) -> Option<bool> {
        match self {
            Doc::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub(super) fn as_u64(&self) -> Option<u64> {
        match self {
            Doc::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    /// The value a JSON pointer names, as `serde_json::Value::pointer` finds it.
    pub(super) fn pointer(&self, pointer: &str) -> Option<&Doc<'a>> {
        if pointer.is_empty() {
            return Some(self);
        }
        let rest = pointer.strip_prefix('/')?;
        rest.split('/').try_fold(self, |target, token| {
            let token = token.replace("~1", "/").replace("~0", "~");
            match target {
                Doc::Object(o) => o.get(&token),
                Doc::Array(items) => array_index(&token).and_then(|i| items.get(i)),
                _ => None,
            }
        })
    }

    /// The same value as serde_json's (for the few parts the check keeps: `enum`, `const`).
    pub(super) fn to_serde(&self) -> serde_json::Value {
        use serde_json::Value as Json;
        match self {
            Doc::Null => Json::Null,
            Doc::Bool(b) => Json::Bool(*b),
            Doc::Number(n) => Json::Number(n.clone()),
            Doc::String(s) => Json::String(s.to_string()),
            Doc::Array(items) => Json::Array(items.iter().map(Doc::to_serde).collect()),
            Doc::Object(o) => Json::Object(
                o.0.iter()
                    .map(|(k, v)| (k.to_string(), v.to_serde()))
                    .collect(),
            ),
        }
    }
}

/// An array index of a JSON pointer: digits without a sign or leading zero.
fn array_index(token: &str) -> Option<usize> {
    if token.starts_with('+') || (token.starts_with('0') && token.len() != 1) {
        return None;
    }
    token.parse().ok()
}

/// The JSON text `text` as a document, or None where serde_json would fail (or, rarely, where
/// it would not; see the module's documentation).
pub(super) fn parse(text: &str) -> Option<Doc<'_>> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    let doc = reader.value(0)?;
    reader.skip_space();
    (reader.at == reader.bytes.len()).then_some(doc)
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn skip_space(&mut self) {
        // Schemas are mostly indentation: one tight loop over the slice.
        let rest = self.bytes.get(self.at..).unwrap_or_default();
        self.at += rest
            .iter()
            .position(|b| !matches!(b, b' ' | b'\n' | b'\t' | b'\r'))
            .unwrap_or(rest.len());
    }

    fn value(&mut self, depth: usize) -> Option<Doc<'a>> {
        self.skip_space();
        match *self.bytes.get(self.at)? {
            b'{' => {
                self.at += 1;
                self.object(depth + 1)
            }
            b'[' => {
                self.at += 1;
                self.array(depth + 1)
            }
            b'"' => {
                self.at += 1;
                self.string().map(Doc::String)
            }
            b'n' => self.word("null", Doc::Null),
            b't' => self.word("true", Doc::Bool(true)),
            b'f' => self.word("false", Doc::Bool(false)),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn word(&mut self, word: &str, doc: Doc<'a>) -> Option<Doc<'a>> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word.as_bytes()).then(|| {
            self.at = end;
            doc
        })
    }

    /// A number: its characters taken as one run and parsed by serde_json, which refuses any
    /// run that is not one JSON number (leading zeros, a lone `-`, `1.`, out of range).
    fn number(&mut self) -> Option<Doc<'a>> {
        let start = self.at;
        while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') = self.bytes.get(self.at) {
            self.at += 1;
        }
        self.text[start..self.at].parse().ok().map(Doc::Number)
    }

    /// A string after its opening quote.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        let start = self.at;
        let rest = self.bytes.get(start..)?;
        let end = start + memchr::memchr2(b'"', b'\\', rest)?;
        // Control characters must be escaped.
        if self.bytes[start..end].iter().any(|&b| b < 0x20) {
            return None;
        }
        self.at = end;
        if self.bytes[end] == b'"' {
            self.at += 1;
            return Some(Cow::Borrowed(&self.text[start..end]));
        }
        let mut owned = self.text[start..self.at].to_string();
        loop {
            match *self.bytes.get(self.at)? {
                b'"' => {
                    self.at += 1;
                    return Some(Cow::Owned(owned));
                }
                b'\\' => {
                    self.at += 1;
                    let escaped = *self.bytes.get(self.at)?;
                    self.at += 1;
                    owned.push(match escaped {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.escaped_char()?,
                        _ => return None,
                    });
                }
                0..=0x1f => return None,
                _ => {
                    // Up to the next quote or backslash, whole characters.
                    let from = self.at;
                    while let Some(&b) = self.bytes.get(self.at) {
                        if b == b'"' || b == b'\\' || b < 0x20 {
                            break;
                        }
                        self.at += 1;
                    }
                    owned.push_str(&self.text[from..self.at]);
                }
            }
        }
    }

    /// The character of a `\u` escape (after the `u`); a surrogate pair is one character, a
    /// lone surrogate is refused.
    fn escaped_char(&mut self) -> Option<char> {
        let first = self.hex4()?;
        if (0xD800..0xDC00).contains(&first) {
            if self.bytes.get(self.at..self.at + 2)? != b"\\u" {
                return None;
            }
            self.at += 2;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return None;
            }
            char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
        } else {
            char::from_u32(first)
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.bytes.get(self.at..self.at + 4)?;
        let mut n = 0;
        for &d in digits {
            n = n * 16 + (d as char).to_digit(16)?;
        }
        self.at += 4;
        Some(n)
    }

    /// An array after its `[`.
    fn array(&mut self, depth: usize) -> Option<Doc<'a>> {
        if depth > MAX_NESTING {
            return None;
        }
        let mut items = Vec::new();
        self.skip_space();
        if self.bytes.get(self.at) == Some(&b']') {
            self.at += 1;
            return Some(Doc::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            self.skip_space();
            match *self.bytes.get(self.at)? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    return Some(Doc::Array(items));
                }
                _ => return None,
            }
        }
    }

    /// An object after its `{`.
    fn object(&mut self, depth: usize) -> Option<Doc<'a>> {
        if depth > MAX_NESTING {
            return None;
        }
        let mut members: Vec<(Cow<'a, str>, Doc<'a>)> = Vec::new();
        self.skip_space();
        if self.bytes.get(self.at) == Some(&b'}') {
            self.at += 1;
            return Some(Doc::Object(Object(members)));
        }
        loop {
            self.skip_space();
            if self.bytes.get(self.at) != Some(&b'"') {
                return None;
            }
            self.at += 1;
            let key = self.string()?;
            self.skip_space();
            if self.bytes.get(self.at) != Some(&b':') {
                return None;
            }
            self.at += 1;
            let value = self.value(depth)?;
            members.push((key, value));
            self.skip_space();
            match *self.bytes.get(self.at)? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    break;
                }
                _ => return None,
            }
        }
        let in_order = members
            .windows(2)
            .all(|w| w[0].0.as_bytes() < w[1].0.as_bytes());
        if !in_order {
            // Stable: of a repeated key, the last given stays last and is kept.
            members.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            let mut kept: Vec<(Cow<'a, str>, Doc<'a>)> = Vec::with_capacity(members.len());
            for member in members {
                match kept.last_mut() {
                    Some(last) if last.0 == member.0 => *last = member,
                    _ => kept.push(member),
                }
            }
            members = kept;
        }
        Some(Doc::Object(Object(members)))
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    /// Whenever a text is read, it is read as serde_json reads it.
    fn same_as_serde(text: &str) -> bool {
        let ours = parse(text).map(|d| d.to_serde());
        let theirs: Option<serde_json::Value> = serde_json::from_str(text).ok();
        if let Some(ours) = &ours {
            assert_eq!(Some(ours), theirs.as_ref(), "read differently: {text:?}");
        }
        ours.is_some()
    }

    #[test]
    fn reads_as_serde_json_reads() {
        for text in [
            "null",
            " true ",
            "false",
            "0",
            "-0",
            "-0.0",
            "1e5",
            "1E+2",
            "2.5e-3",
            "65535",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "123456789012345678901234567890",
            "0.1",
            "1.7976931348623157e308",
            "\"\"",
            "\"plain\"",
            r#""esc \" \\ \/ \b \f \n \r \t""#,
            r#""\u00e9\u0041 \ud83d\ude00 é""#,
            "[]",
            "[1, [2, [3]], {}]",
            r#"{"b": 1, "a": 2, "b": 3}"#,
            r#"{"a": {"a": {"a": []}}, "": null}"#,
            r#"{"type":"object","properties":{"x":{"enum":[1,"1",null,[1],{"k":true}]}}}"#,
            "\n\t\r {\"k\" : [ ] } \n",
        ] {
            assert!(same_as_serde(text), "not read: {text:?}");
        }
    }

    #[test]
    fn refuses_what_serde_json_refuses() {
        for text in [
            "",
            " ",
            "nul",
            "truex",
            "01",
            "-",
            "1.",
            ".5",
            "+1",
            "1e",
            "1e400",
            "1-2",
            "\"open",
            "\"tab\there\"",
            r#""\x""#,
            r#""\u12""#,
            "[1,]",
            "[1 2]",
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            "{a:1}",
            "{} {}",
            "\u{feff}{}",
            r#"{"a":1"#,
        ] {
            assert!(!same_as_serde(text), "read: {text:?}");
        }
        // Stricter than serde_json: these only go to the full validator.
        assert!(parse(r#""\ud800""#).is_none());
        assert!(parse(&format!("{}{}", "[".repeat(101), "]".repeat(101))).is_none());
        assert!(same_as_serde(&format!(
            "{}{}",
            "[".repeat(100),
            "]".repeat(100)
        )));
    }

    #[test]
    fn schema_files_of_the_repository_read_as_serde_json_reads() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
        let mut read = 0;
        let mut stack = vec![std::path::PathBuf::from(root)];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let name = entry.file_name();
                if name == "target" || name == ".git" {
                    continue;
                }
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "json") {
                    if let Ok(text) = std::fs::read_to_string(&path) {
                        read += usize::from(same_as_serde(&text));
                    }
                }
            }
        }
        assert!(read > 50, "only {read} JSON files read");
    }

    #[test]
    fn pointers_find_what_serde_json_finds() {
        let text = r#"{"$defs":{"a":{"type":"string"},"b~/":[1,{"c":2}]},"x":[0,1,2]}"#;
        let ours = parse(text).expect("read");
        let theirs: serde_json::Value = serde_json::from_str(text).expect("read");
        for pointer in [
            "",
            "/$defs",
            "/$defs/a",
            "/$defs/a/type",
            "/$defs/b~0~1",
            "/$defs/b~0~1/1/c",
            "/x/0",
            "/x/2",
            "/x/3",
            "/x/01",
            "/x/+1",
            "/nope",
            "nope",
            "/x/-1",
        ] {
            assert_eq!(
                ours.pointer(pointer).map(|d| d.to_serde()).as_ref(),
                theirs.pointer(pointer),
                "{pointer}"
            );
        }
    }
}
