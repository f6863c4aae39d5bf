//! Go's encoding/json: `Marshal`/`MarshalIndent` of template values and `Unmarshal` into
//! `interface{}`, with Go's texts for errors.

use helmet_value::{Map, Value};

use crate::errors::Error;
use crate::float::format_json;
use crate::Shape;

/// Deepest nesting written or read, to keep recursion bounded.
const MAX_DEPTH: usize = 1000;

/// Writes `v` as `json.Marshal` does, or as `json.MarshalIndent` when `indent` is given.
pub(crate) fn marshal(v: &Value, indent: Option<(&str, &str)>) -> Result<String, Error> {
    let mut out = String::new();
    write_value(&mut out, v, indent, 0)?;
    Ok(out)
}

fn newline(out: &mut String, indent: Option<(&str, &str)>, level: usize) {
    if let Some((prefix, ind)) = indent {
        out.push('\n');
        out.push_str(prefix);
        for _ in 0..level {
            out.push_str(ind);
        }
    }
}

fn write_value(
    out: &mut String,
    v: &Value,
    indent: Option<(&str, &str)>,
    level: usize,
) -> Result<(), Error> {
    if level > MAX_DEPTH {
        return Err(Error::new(format!(
            "json: unsupported value: nesting deeper than {MAX_DEPTH}"
        )));
    }
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => out.push_str(&i.to_string()),
        Value::Uint64(u) => out.push_str(&u.to_string()),
        Value::Uint8(u) => out.push_str(&u.to_string()),
        Value::Complex128(..) => {
            return Err(Error::new("json: unsupported type: complex128"));
        }
        Value::Float64(f) => {
            if !f.is_finite() {
                return Err(Error::new(format!(
                    "json: unsupported value: {}",
                    crate::float::format_g_shortest(*f)
                )));
            }
            out.push_str(&format_json(*f));
        }
        Value::String(s) => write_string(out, s),
        Value::ByteString(b) => write_byte_string(out, b),
        Value::Bytes(b) => {
            out.push('"');
            out.push_str(&base64_encode(b));
            out.push('"');
        }
        Value::List(l) => {
            if l.items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, item) in l.items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, level + 1);
                write_value(out, item, indent, level + 1)?;
            }
            newline(out, indent, level);
            out.push(']');
        }
        Value::Map(m) if m.is_nil() => out.push_str("null"),
        Value::Map(m) => write_map(out, &m.entries(), indent, level)?,
        Value::Object(o) => match o.json_fields() {
            Some(fields) => {
                let members = fields.iter().map(|(k, v)| (k.as_str(), v)).collect();
                write_members(out, members, indent, level)?;
            }
            None => {
                let data = o.to_data();
                write_value(out, &data, indent, level)?;
            }
        },
    }
    Ok(())
}

fn write_map(
    out: &mut String,
    entries: &Map,
    indent: Option<(&str, &str)>,
    level: usize,
) -> Result<(), Error> {
    let members = entries.iter().map(|(k, v)| (k.as_str(), v)).collect();
    write_members(out, members, indent, level)
}

/// An object's members in the order given (sorted for maps, declared for structs).
fn write_members(
    out: &mut String,
    entries: Vec<(&str, &Value)>,
    indent: Option<(&str, &str)>,
    level: usize,
) -> Result<(), Error> {
    if entries.is_empty() {
        out.push_str("{}");
        return Ok(());
    }
    out.push('{');
    for (i, (k, v)) in entries.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        newline(out, indent, level + 1);
        write_string(out, k);
        out.push(':');
        if indent.is_some() {
            out.push(' ');
        }
        write_value(out, v, indent, level + 1)?;
    }
    newline(out, indent, level);
    out.push('}');
    Ok(())
}

/// A JSON string with Go's escaping, including HTML-safe `<`, `>`, `&` and U+2028/U+2029.
pub(crate) fn write_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
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
            '<' | '>' | '&' | '\u{0}'..='\u{1f}' => {
                let b = c as u32;
                out.push_str("\\u00");
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 15) as usize] as char);
            }
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            _ => out.push(c),
        }
    }
    out.push('"');
}

/// A Go string that is not valid UTF-8: encoding/json writes each byte that does not start a
/// valid sequence as the escape `\ufffd`, and the rest as text.
fn write_byte_string(out: &mut String, b: &[u8]) {
    out.push('"');
    let mut text = String::new();
    let flush = |out: &mut String, text: &mut String| {
        let mut quoted = String::new();
        write_string(&mut quoted, text);
        out.push_str(&quoted[1..quoted.len() - 1]);
        text.clear();
    };
    for (_, c, width) in helmet_value::gostring::runes(b) {
        if c == helmet_value::gostring::RUNE_ERROR && width == 1 {
            flush(out, &mut text);
            out.push_str("\\ufffd");
        } else {
            text.push(c);
        }
    }
    flush(out, &mut text);
    out.push('"');
}

/// Standard base64 with padding, as encoding/json writes `[]byte`.
pub(crate) fn base64_encode(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The JSON kind name Go uses in `cannot unmarshal KIND into Go value of type T`.
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Map(_) => "object",
        Value::List(_) => "array",
        Value::String(_) => "string",
        Value::Bool(_) => "bool",
        _ => "number",
    }
}

/// Decodes a value (already in JSON form) into the Go variable the reader wants, as
/// encoding/json does: `null` gives an empty map or list (sigs.k8s.io/yaml's readers) and other
/// mismatches fail.
pub(crate) fn fit_shape(value: Value, shape: Shape) -> Result<Value, String> {
    let go_type = match shape {
        Shape::Any => return Ok(value),
        Shape::Map => "map[string]interface {}",
        Shape::List => "[]interface {}",
    };
    match (&value, shape) {
        (Value::Nil, Shape::Map) => Ok(Value::empty_map()),
        (Value::Nil, Shape::List) => Ok(Value::list(Vec::new())),
        (Value::Map(_), Shape::Map) | (Value::List(_), Shape::List) => Ok(value),
        _ => Err(format!(
            "json: cannot unmarshal {} into Go value of type {go_type}",
            json_kind(&value)
        )),
    }
}

/// Applies the YAML reader's target shape, with sigs.k8s.io/yaml's error wrapping.
pub(crate) fn check_target(value: Value, shape: Shape) -> Result<Value, Error> {
    fit_shape(value, shape)
        .map_err(|e| Error::new(format!("error unmarshaling JSON: while decoding JSON: {e}")))
}

/// A JSON reader with encoding/json's syntax error texts. It reads bytes, as Go's scanner does:
/// any Go string, valid UTF-8 or not.
struct JsonParser<'a> {
    /// The first number too large for a float64, reported after syntax and shape checks.
    range_error: Option<String>,
    src: &'a [u8],
    pos: usize,
    depth: usize,
}

/// Go's `quoteChar`: how a scanner error names the offending character.
fn quote_char(c: char) -> String {
    match c {
        '\'' => "'\\''".to_string(),
        '"' => "'\"'".to_string(),
        _ => {
            let q = crate::gostr::quote(&c.to_string());
            format!("'{}'", &q[1..q.len() - 1])
        }
    }
}

impl JsonParser<'_> {
    /// Go's scanner names the byte where it stopped, read as the rune of the same number (the
    /// first byte of `é` is `'Ã'`, a byte 0xff `'ÿ'`).
    /// At the end of the input, Go's scanner steps once more with a space: inside a literal,
    /// a number or an escape that is the invalid character; elsewhere the input just ended.
    fn invalid(&self, context: &str) -> String {
        match self.src.get(self.pos) {
            None if context.starts_with("in ") || context.contains("numeric literal") => {
                format!("invalid character ' ' {context}")
            }
            None => "unexpected end of JSON input".to_string(),
            Some(&b) => format!("invalid character {} {context}", quote_char(char::from(b))),
        }
    }

    fn skip_ws(&mut self) {
        while self.pos < self.src.len()
            && matches!(self.src[self.pos], b' ' | b'\t' | b'\n' | b'\r')
        {
            self.pos += 1;
        }
    }

    fn value(&mut self) -> Result<Value, String> {
        self.skip_ws();
        let Some(&b) = self.src.get(self.pos) else {
            return Err("unexpected end of JSON input".into());
        };
        match b {
            b'{' => self.object(),
            b'[' => self.array(),
            b'"' => self.string().map(Value::string),
            b't' => self.literal("true", Value::Bool(true)),
            b'f' => self.literal("false", Value::Bool(false)),
            b'n' => self.literal("null", Value::Nil),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(self.invalid("looking for beginning of value")),
        }
    }

    fn enter(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!("exceeded max depth of {MAX_DEPTH}"));
        }
        Ok(())
    }

    fn object(&mut self) -> Result<Value, String> {
        self.enter()?;
        self.pos += 1;
        let mut map = Map::new();
        self.skip_ws();
        if self.src.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Value::map(map));
        }
        loop {
            self.skip_ws();
            if self.src.get(self.pos) != Some(&b'"') {
                return Err(self.invalid("looking for beginning of object key string"));
            }
            let key = self.string()?;
            self.skip_ws();
            if self.src.get(self.pos) != Some(&b':') {
                return Err(self.invalid("after object key"));
            }
            self.pos += 1;
            let v = self.value()?;
            map.insert(key, v);
            self.skip_ws();
            match self.src.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(self.invalid("after object key:value pair")),
            }
        }
        self.depth -= 1;
        Ok(Value::map(map))
    }

    fn array(&mut self) -> Result<Value, String> {
        self.enter()?;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.src.get(self.pos) == Some(&b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Value::list(items));
        }
        loop {
            items.push(self.value()?);
            self.skip_ws();
            match self.src.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(self.invalid("after array element")),
            }
        }
        self.depth -= 1;
        Ok(Value::list(items))
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, String> {
        for (i, expected) in word.bytes().enumerate() {
            if i == 0 {
                self.pos += 1;
                continue;
            }
            match self.src.get(self.pos) {
                Some(&c) if c == expected => self.pos += 1,
                _ => {
                    return Err(self.invalid(&format!(
                        "in literal {word} (expecting {})",
                        quote_char(expected as char)
                    )))
                }
            }
        }
        Ok(v)
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.pos;
        if self.src[self.pos] == b'-' {
            self.pos += 1;
            match self.src.get(self.pos) {
                Some(b'0'..=b'9') => {}
                _ => return Err(self.invalid("in numeric literal")),
            }
        }
        if self.src[self.pos] == b'0' {
            self.pos += 1;
        } else {
            while matches!(self.src.get(self.pos), Some(b'0'..=b'9')) {
                self.pos += 1;
            }
        }
        if self.src.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if !matches!(self.src.get(self.pos), Some(b'0'..=b'9')) {
                return Err(self.invalid("after decimal point in numeric literal"));
            }
            while matches!(self.src.get(self.pos), Some(b'0'..=b'9')) {
                self.pos += 1;
            }
        }
        if matches!(self.src.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.src.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !matches!(self.src.get(self.pos), Some(b'0'..=b'9')) {
                return Err(self.invalid("in exponent of numeric literal"));
            }
            while matches!(self.src.get(self.pos), Some(b'0'..=b'9')) {
                self.pos += 1;
            }
        }
        // Only ASCII digits, signs, `.` and exponents were read.
        let text = std::str::from_utf8(&self.src[start..self.pos]).unwrap_or_default();
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Value::Float64(f)),
            _ => {
                // Go keeps decoding and reports the first type error at the end.
                if self.range_error.is_none() {
                    self.range_error = Some(format!(
                        "json: cannot unmarshal number {text} into Go value of type float64"
                    ));
                }
                Ok(Value::Nil)
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let mut n = 0u32;
        for _ in 0..4 {
            let Some(&c) = self.src.get(self.pos) else {
                return Err(self.invalid("in \\u hexadecimal character escape"));
            };
            let d = (c as char)
                .to_digit(16)
                .ok_or_else(|| self.invalid("in \\u hexadecimal character escape"))?;
            n = n * 16 + d;
            self.pos += 1;
        }
        Ok(n)
    }

    /// A string literal; each byte that is not UTF-8 becomes U+FFFD, as Go's decoder makes it.
    fn string(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(&c) = self.src.get(self.pos) else {
                return Err("unexpected end of JSON input".into());
            };
            match c {
                b'"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.pos += 1;
                    let Some(&e) = self.src.get(self.pos) else {
                        return Err(self.invalid("in string escape code"));
                    };
                    let simple = match e {
                        b'"' => Some('"'),
                        b'\\' => Some('\\'),
                        b'/' => Some('/'),
                        b'b' => Some('\u{8}'),
                        b'f' => Some('\u{c}'),
                        b'n' => Some('\n'),
                        b'r' => Some('\r'),
                        b't' => Some('\t'),
                        b'u' => None,
                        _ => return Err(self.invalid("in string escape code")),
                    };
                    self.pos += 1;
                    if let Some(ch) = simple {
                        out.push(ch);
                        continue;
                    }
                    let first = self.hex4()?;
                    if (0xD800..0xDC00).contains(&first)
                        && self.src.get(self.pos) == Some(&b'\\')
                        && self.src.get(self.pos + 1) == Some(&b'u')
                    {
                        // A surrogate pair; Go only combines a valid pair.
                        let save = self.pos;
                        self.pos += 2;
                        let second = self.hex4()?;
                        if (0xDC00..0xE000).contains(&second) {
                            let cp = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                            out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                            continue;
                        }
                        self.pos = save;
                        out.push('\u{FFFD}');
                        continue;
                    }
                    out.push(char::from_u32(first).unwrap_or('\u{FFFD}'));
                }
                c if c < 0x20 => return Err(self.invalid("in string literal")),
                _ => {
                    let (ch, width) = helmet_value::strconv::decode_utf8(&self.src[self.pos..])
                        .unwrap_or((helmet_value::gostring::RUNE_ERROR, 1));
                    out.push(ch);
                    self.pos += width;
                }
            }
        }
    }
}

/// `json.Unmarshal` into a Go variable of the given shape.
pub(crate) fn unmarshal(src: &[u8], shape: Shape) -> Result<Value, Error> {
    unmarshal_partial(src, shape).map_err(|(_, e)| e)
}

/// `json.Unmarshal`, keeping on an error what Go had already stored in its target: a number out
/// of float64's range leaves null in its place and decoding goes on, to report it at the end.
pub(crate) fn unmarshal_partial(src: &[u8], shape: Shape) -> Result<Value, (Option<Value>, Error)> {
    let mut p = JsonParser {
        range_error: None,
        src,
        pos: 0,
        depth: 0,
    };
    let v = p.value().map_err(|e| (None, Error::new(e)))?;
    p.skip_ws();
    if p.pos < src.len() {
        return Err((None, Error::new(p.invalid("after top-level value"))));
    }
    let shape_error = |v| fit_shape(v, shape).map_err(|e| (None, Error::new(e)));
    // A number out of range at the top meets the target's type first.
    let first = src.iter().find(|b| !b.is_ascii_whitespace());
    if p.range_error.is_some() && matches!(first, Some(b'-' | b'0'..=b'9')) {
        shape_error(Value::Float64(0.0))?;
    }
    // A JSON `null` leaves Go's map or slice nil, which encodes back as `null`.
    let v = match v {
        Value::Nil => Value::Nil,
        v => shape_error(v)?,
    };
    match p.range_error {
        Some(e) => Err((Some(v), Error::new(e))),
        None => Ok(v),
    }
}
