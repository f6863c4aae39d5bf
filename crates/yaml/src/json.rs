//! Go's encoding/json: `Marshal`/`MarshalIndent` of template values and `Unmarshal` into
//! `interface{}` (built on [`crate::json_scan`]), with Go's texts for errors.

use helmet_value::{Map, Value};

use crate::errors::Error;
use crate::float::format_json;
use crate::json_scan::{ScanError, Scanner, Token};
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
        Value::List(l) if l.is_nil() => out.push_str("null"),
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

/// `json.Unmarshal` into a Go variable of the given shape.
pub(crate) fn unmarshal(src: &[u8], shape: Shape) -> Result<Value, Error> {
    unmarshal_partial(src, shape).map_err(|(_, e)| e)
}

/// `json.Unmarshal`, keeping on an error what Go had already stored in its target: a number out
/// of float64's range leaves null in its place and decoding goes on, to report it at the end.
pub(crate) fn unmarshal_partial(src: &[u8], shape: Shape) -> Result<Value, (Option<Value>, Error)> {
    let mut scanner = Scanner::new(src);
    let mut range_error = None;
    let syntax = |e: ScanError| (None, Error::new(e.unmarshal_message()));
    let built = read_value(&mut scanner, &mut range_error);
    // Go checks the whole text before decoding: its syntax errors come first.
    let v = match built {
        Err(Stop::Scan(e)) => return Err(syntax(e)),
        Err(Stop::TooDeep) => {
            scanner.finish().map_err(syntax)?;
            let limit = format!("exceeded max depth of {MAX_DEPTH}");
            return Err((None, Error::new(limit)));
        }
        Ok(v) => v,
    };
    scanner.finish().map_err(syntax)?;
    let shape_error = |v| fit_shape(v, shape).map_err(|e| (None, Error::new(e)));
    // A number out of range at the top meets the target's type first.
    let first = src.iter().find(|b| !b.is_ascii_whitespace());
    if range_error.is_some() && matches!(first, Some(b'-' | b'0'..=b'9')) {
        shape_error(Value::Float64(0.0))?;
    }
    // A JSON `null` leaves Go's map or slice nil, which encodes back as `null`.
    let v = match v {
        Value::Nil => Value::Nil,
        v => shape_error(v)?,
    };
    match range_error {
        Some(e) => Err((Some(v), Error::new(e))),
        None => Ok(v),
    }
}

/// `json.Decoder.Decode` of a text's first value into `interface{}`: the value and the offset
/// just after it (`InputOffset`); what follows is left unread.
pub(crate) fn decode_first(src: &[u8]) -> Result<(Value, usize), Error> {
    let mut scanner = Scanner::new(src);
    if !scanner.next_value() {
        return Err(Error::new("EOF"));
    }
    let mut range_error = None;
    let v = read_value(&mut scanner, &mut range_error).map_err(|e| match e {
        Stop::Scan(e) => Error::new(e.decoder_message()),
        Stop::TooDeep => Error::new(format!("exceeded max depth of {MAX_DEPTH}")),
    })?;
    match range_error {
        Some(e) => Err(Error::new(e)),
        None => Ok((v, scanner.position())),
    }
}

/// Why reading a value stopped.
enum Stop {
    Scan(ScanError),
    /// Deeper than [`MAX_DEPTH`]: our limit on a value's nesting, well below encoding/json's
    /// (which only the scanner applies), as every value built here is walked recursively later.
    TooDeep,
}

impl From<ScanError> for Stop {
    fn from(e: ScanError) -> Self {
        Stop::Scan(e)
    }
}

/// An object or array being built.
enum Open {
    Object(Map, String),
    Array(Vec<Value>),
}

/// Builds the value the scanner reads as Go's decoder into `interface{}` does: numbers are
/// float64; one out of float64's range is stored as null and the first such error kept.
fn read_value(scanner: &mut Scanner, range_error: &mut Option<String>) -> Result<Value, Stop> {
    let mut open: Vec<Open> = Vec::new();
    loop {
        // The value is whole when the outermost container closes, before this runs out.
        let Some(token) = scanner.next_token()? else {
            return Ok(Value::Nil);
        };
        let value = match token {
            Token::BeginObject | Token::BeginArray => {
                if open.len() >= MAX_DEPTH {
                    // Refused only once the scanner has read the value whole without error.
                    while scanner.next_token()?.is_some() {}
                    return Err(Stop::TooDeep);
                }
                open.push(match token {
                    Token::BeginObject => Open::Object(Map::new(), String::new()),
                    _ => Open::Array(Vec::new()),
                });
                continue;
            }
            Token::Key(key) => {
                if let Some(Open::Object(_, pending)) = open.last_mut() {
                    *pending = key.into_owned();
                }
                continue;
            }
            Token::EndObject | Token::EndArray => match open.pop() {
                Some(Open::Object(map, _)) => Value::map(map),
                Some(Open::Array(items)) => Value::list(items),
                None => Value::Nil,
            },
            Token::String(s) => Value::string(s),
            Token::Number(text) => match text.parse::<f64>() {
                Ok(f) if f.is_finite() => Value::Float64(f),
                // Go keeps decoding and reports the first type error at the end.
                _ => {
                    if range_error.is_none() {
                        *range_error = Some(format!(
                            "json: cannot unmarshal number {text} into Go value of type float64"
                        ));
                    }
                    Value::Nil
                }
            },
            Token::Bool(b) => Value::Bool(b),
            Token::Null => Value::Nil,
        };
        match open.last_mut() {
            None => return Ok(value),
            Some(Open::Object(map, key)) => {
                map.insert(std::mem::take(key), value);
            }
            Some(Open::Array(items)) => items.push(value),
        }
    }
}
