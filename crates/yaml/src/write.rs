//! The YAML encoders: `sigs.k8s.io/yaml.Marshal` (a trip through JSON, then go-yaml v2) and
//! go-yaml v3's encoder as Helm's `toYamlPretty` uses it.

use helmet_value::Value;

use crate::emit::{key_order, Emitter, Node, Style};
use crate::errors::Error;
use crate::float::{format_g_shortest, format_json};
use crate::json::base64_encode;
use crate::resolve::needs_quotes_v2;

/// Deepest nesting written, to keep recursion bounded.
const MAX_DEPTH: usize = 1000;

/// The requested style for a string, as both encoders choose it.
fn string_node(s: &str) -> Node {
    // Both encoders leave the merge key `<<` unquoted although it does not read back as a
    // string.
    let style = if s.contains('\n') {
        Style::Literal
    } else if needs_quotes_v2(s) && s != "<<" {
        Style::DoubleQuoted
    } else {
        Style::Plain
    };
    Node::Scalar(s.to_string(), style)
}

/// A string as go-yaml v2 writes it after reading the JSON text back; its reader rejects
/// control characters that encoding/json leaves unescaped (DEL, C1 controls).
fn v2_string_node(s: &str) -> Result<Node, Error> {
    let readable = |c: char| {
        let u = c as u32;
        u < 0x20
            || (0x20..=0x7E).contains(&u)
            || u == 0x85
            || (0xA0..=0xD7FF).contains(&u)
            || (0xE000..=0xFFFD).contains(&u)
            || u >= 0x10000
    };
    if !s.chars().all(readable) {
        return Err(Error::new(
            "error converting JSON to YAML: yaml: control characters are not allowed",
        ));
    }
    if s.contains('\u{85}') {
        return Ok(string_node(&fold_nel(s)));
    }
    Ok(string_node(s))
}

/// encoding/json leaves NEL (U+0085) unescaped, and go-yaml reads it inside the JSON string as
/// a line break, folding it like one: blanks around it vanish, one break becomes a space and
/// `n` consecutive breaks become `n - 1` newlines.
fn fold_nel(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == ' ' || c == '\t' {
            let mut j = i;
            while j < chars.len() && (chars[j] == ' ' || chars[j] == '\t') {
                j += 1;
            }
            if j < chars.len() && chars[j] == '\u{85}' {
                i = j;
            } else {
                out.extend(&chars[i..j]);
                i = j;
            }
            continue;
        }
        if c != '\u{85}' {
            out.push(c);
            i += 1;
            continue;
        }
        let mut breaks = 0;
        while i < chars.len() && matches!(chars[i], '\u{85}' | ' ' | '\t') {
            if chars[i] == '\u{85}' {
                breaks += 1;
            }
            i += 1;
        }
        if breaks == 1 {
            out.push(' ');
        } else {
            for _ in 1..breaks {
                out.push('\n');
            }
        }
    }
    out
}

fn plain(s: impl Into<String>) -> Node {
    Node::Scalar(s.into(), Style::Plain)
}

/// Builds the node go-yaml v2 writes after reading `json.Marshal(v)` back.
fn v2_node(v: &Value, depth: usize) -> Result<Node, Error> {
    if depth > MAX_DEPTH {
        return Err(Error::new(format!(
            "error marshaling into JSON: nesting deeper than {MAX_DEPTH}"
        )));
    }
    Ok(match v {
        Value::Nil => plain("null"),
        Value::Bool(b) => plain(b.to_string()),
        Value::Int(i) | Value::Int64(i) => plain(i.to_string()),
        Value::Uint64(u) => plain(u.to_string()),
        Value::Uint8(u) => plain(u.to_string()),
        Value::Complex128(..) => {
            return Err(Error::new(
                "error marshaling into JSON: json: unsupported type: complex128",
            ))
        }
        Value::Float64(f) => {
            if !f.is_finite() {
                return Err(Error::new(format!(
                    "error marshaling into JSON: json: unsupported value: {}",
                    format_g_shortest(*f)
                )));
            }
            // go-yaml reads the JSON number as an int when it can, else as a float.
            let text = format_json(*f);
            if let Ok(i) = text.parse::<i64>() {
                plain(i.to_string())
            } else if let Ok(u) = text.parse::<u64>() {
                plain(u.to_string())
            } else {
                plain(format_g_shortest(*f))
            }
        }
        Value::String(s) => v2_string_node(s)?,
        // JSON writes each invalid byte as U+FFFD, which YAML reads back as that character.
        Value::ByteString(b) => v2_string_node(&helmet_value::gostring::to_text_lossy(b))?,
        Value::Bytes(b) => string_node(&base64_encode(b)),
        Value::List(l) => {
            let mut items = Vec::with_capacity(l.items.len());
            for item in &l.items {
                items.push(v2_node(item, depth + 1)?);
            }
            Node::Seq(items)
        }
        // JSON writes a nil map as null, which YAML reads back as null.
        Value::Map(m) if m.is_nil() => plain("null"),
        Value::Map(m) => {
            let entries = m.entries();
            let mut keys: Vec<&String> = entries.keys().collect();
            keys.sort_by(|a, b| key_order(a, b, false));
            let mut pairs = Vec::with_capacity(keys.len());
            for k in keys {
                pairs.push((v2_string_node(k)?, v2_node(&entries[k], depth + 1)?));
            }
            Node::Map(pairs)
        }
        Value::Object(o) => v2_node(&o.to_data(), depth + 1)?,
    })
}

/// Builds the node go-yaml v3 writes for the Go value directly.
fn v3_node(v: &Value, depth: usize) -> Result<Node, Error> {
    if depth > MAX_DEPTH {
        return Err(Error::new(format!("yaml: nesting deeper than {MAX_DEPTH}")));
    }
    Ok(match v {
        Value::Nil => plain("null"),
        Value::Bool(b) => plain(b.to_string()),
        Value::Int(i) | Value::Int64(i) => plain(i.to_string()),
        Value::Uint64(u) => plain(u.to_string()),
        Value::Uint8(u) => plain(u.to_string()),
        Value::Complex128(..) => return Err(Error::new("cannot marshal type: complex128")),
        Value::Float64(f) => plain(match format_g_shortest(*f).as_str() {
            "+Inf" => ".inf".to_string(),
            "-Inf" => "-.inf".to_string(),
            "NaN" => ".nan".to_string(),
            s => s.to_string(),
        }),
        Value::String(s) => string_node(s),
        Value::ByteString(b) => binary_node(b),
        // go-yaml v3 writes a []byte as a sequence of its byte values.
        Value::Bytes(b) => Node::Seq(b.iter().map(|x| plain(x.to_string())).collect()),
        Value::List(l) => {
            let mut items = Vec::with_capacity(l.items.len());
            for item in &l.items {
                items.push(v3_node(item, depth + 1)?);
            }
            Node::Seq(items)
        }
        Value::Map(m) => {
            let entries = m.entries();
            let mut keys: Vec<&String> = entries.keys().collect();
            keys.sort_by(|a, b| key_order(a, b, true));
            let mut pairs = Vec::with_capacity(keys.len());
            for k in keys {
                pairs.push((string_node(k), v3_node(&entries[k], depth + 1)?));
            }
            Node::Map(pairs)
        }
        Value::Object(o) => v3_node(&o.to_data(), depth + 1)?,
    })
}

/// go-yaml v3's node for a string that is not UTF-8, which YAML text cannot hold: `!!binary`
/// and its base64, in lines of 70 characters each ended by a break (a literal block) once there
/// is more than one line's worth, else on one plain line.
fn binary_node(bytes: &[u8]) -> Node {
    const LINE: usize = 70;
    let encoded = crate::json::base64_encode(bytes);
    if encoded.len() < LINE {
        return Node::Tagged("!!binary", encoded, Style::Plain);
    }
    let mut text = String::with_capacity(encoded.len() + encoded.len() / LINE + 1);
    for line in encoded.as_bytes().chunks(LINE) {
        text.push_str(std::str::from_utf8(line).unwrap_or_default());
        text.push('\n');
    }
    Node::Tagged("!!binary", text, Style::Literal)
}

/// `sigs.k8s.io/yaml.Marshal(v)`: the text ends with a newline (Helm's `toYaml` trims it).
pub(crate) fn marshal_v2(v: &Value) -> Result<String, Error> {
    let node = v2_node(v, 0)?;
    Ok(Emitter::new(false, 2).document(&node))
}

/// go-yaml v3's `Encoder` with `SetIndent(indent)`, one document, ending with a newline
/// (Helm's `toYamlPretty` trims it).
pub(crate) fn marshal_v3(v: &Value, indent: usize) -> Result<String, Error> {
    let node = v3_node(v, 0)?;
    let indent = if indent == 0 { 4 } else { indent };
    Ok(Emitter::new(true, indent).document(&node))
}
