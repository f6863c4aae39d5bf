//! The YAML encoders: `sigs.k8s.io/yaml.Marshal` (a trip through JSON, then go-yaml v2) and
//! go-yaml v3's encoder as Helm's `toYamlPretty` uses it.
//!
//! Both walk the value and hand each node to the emitter as they reach it; the values are
//! borrowed, never copied into a document tree.

use helmet_value::{Map, Value};

use crate::emit::{is_neutral_ascii, key_less, key_order, Context, Emitter, Scalar, Style};
use crate::errors::Error;
use crate::float::{format_g_shortest, format_json};
use crate::json::base64_encode;
use crate::resolve::needs_quotes_v2;

/// Deepest nesting written, to keep recursion bounded.
const MAX_DEPTH: usize = 1000;

/// Whether go-yaml v2 quotes the string (it would read back as something other than a
/// string): `resolve::needs_quotes_v2`, skipped for texts that cannot resolve to anything else.
/// Only texts starting with a digit, a sign or a dot can be numbers, timestamps, infinities or
/// base-60 floats, and those are made of the characters of `could_be_number`. The other
/// first letters of YAML 1.1's words (`yes`, `No`, `true`, `off`, `null`, `~`, `<<`...) lead
/// only to those words, none longer than five bytes.
fn needs_quotes(s: &str) -> bool {
    // Digits, hexadecimal digits, base prefixes (`0x`, `0o`), signs, exponents, `inf`/`nan`
    // after a dot, timestamp separators (`T`, `t`, ` `, `:`, `.`, `,`, `Z`) and `_`.
    fn could_be_number(b: u8) -> bool {
        matches!(
            b,
            b'0'..=b'9'
                | b'a'..=b'f'
                | b'A'..=b'F'
                | b'x' | b'X' | b'o' | b'O' | b't' | b'T' | b'z' | b'Z'
                | b'i' | b'I' | b'n' | b'N'
                | b'_' | b'.' | b',' | b'+' | b'-' | b':' | b' ' | b'\t'
        )
    }
    match s.as_bytes().first() {
        None => needs_quotes_v2(s),
        Some(b'0'..=b'9' | b'+' | b'-' | b'.') => {
            s.bytes().all(could_be_number) && needs_quotes_v2(s)
        }
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' | b'<') => {
            s.len() <= 5 && needs_quotes_v2(s)
        }
        Some(_) => false,
    }
}

/// A string and the style both encoders ask for.
fn string_scalar(s: &str) -> Scalar<'_> {
    let neutral = is_neutral_ascii(s);
    // Both encoders leave the merge key `<<` unquoted although it does not read back as a
    // string.
    let style = if !neutral && s.contains('\n') {
        Style::Literal
    } else if needs_quotes(s) && s != "<<" {
        Style::DoubleQuoted
    } else {
        Style::Plain
    };
    Scalar {
        text: s,
        style,
        neutral,
    }
}

/// Checks a string as go-yaml v2 reads it back from the JSON text: its reader rejects control
/// characters that encoding/json leaves unescaped (DEL, C1 controls), and folds NEL. Returns
/// the folded text when there was a NEL.
fn v2_readable(s: &str) -> Result<Option<String>, Error> {
    let readable = |c: char| {
        let u = c as u32;
        u < 0x20
            || (0x20..=0x7E).contains(&u)
            || u == 0x85
            || (0xA0..=0xD7FF).contains(&u)
            || (0xE000..=0xFFFD).contains(&u)
            || u >= 0x10000
    };
    let ascii = s.is_ascii();
    if (ascii && s.as_bytes().contains(&0x7F)) || (!ascii && !s.chars().all(readable)) {
        // sigs.k8s.io/yaml returns go-yaml's error as it is, without a prefix.
        return Err(Error::new("yaml: control characters are not allowed"));
    }
    if !ascii && s.contains('\u{85}') {
        return Ok(Some(fold_nel(s)));
    }
    Ok(None)
}

/// A string (a value or a key) as go-yaml v2 writes it after the trip through JSON; a text
/// that had to be folded is kept in `folded`.
fn v2_scalar<'a>(s: &'a str, folded: &'a mut Option<String>) -> Result<Scalar<'a>, Error> {
    let scalar = string_scalar(s);
    // The common texts (`is_neutral_ascii`) are readable and have no NEL.
    if scalar.neutral {
        return Ok(scalar);
    }
    match v2_readable(s)? {
        Some(_) if document_marker_after_nel(s).is_some() => Err(Error::new(NEL_DOCUMENT_MARKER)),
        Some(text) => Ok(string_scalar(folded.insert(text))),
        None => Ok(scalar),
    }
}

/// Where go-yaml, reading `s` inside the JSON text, meets a document marker at the start of a
/// line: a NEL (which it reads as a line break) followed by `---` or `...` and a blank or
/// another NEL, which fails a quoted scalar. The number of NELs read by then (the one before the
/// marker included), or `None`. Other blanks and breaks (tab, CR, LF) are escapes in JSON, and
/// the end of the string is followed by its closing quote.
fn document_marker_after_nel(s: &str) -> Option<usize> {
    // The text after each NEL, up to the next NEL or the end of the string.
    let mut lines = s.split('\u{85}').skip(1).peekable();
    let mut nels = 0;
    while let Some(line) = lines.next() {
        nels += 1;
        let ended_by_nel = lines.peek().is_some();
        if let Some(rest) = line
            .strip_prefix("---")
            .or_else(|| line.strip_prefix("..."))
        {
            if rest.starts_with(' ') || (rest.is_empty() && ended_by_nel) {
                return Some(nels);
            }
        }
    }
    None
}

/// encoding/json leaves NEL (U+0085) unescaped, and go-yaml reads it inside the JSON string as
/// a line break, folding it like one: spaces around it vanish, one break becomes a space and
/// `n` consecutive breaks become `n - 1` newlines. A tab stays: JSON writes it as the escape
/// `\t`, which the reader takes as text, not as a blank.
fn fold_nel(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == ' ' {
            let mut j = i;
            while j < chars.len() && chars[j] == ' ' {
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
        while i < chars.len() && matches!(chars[i], '\u{85}' | ' ') {
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

/// Writes a signed integer as a plain scalar.
fn emit_int(e: &mut Emitter, at: Context, i: i64) {
    let mut buf = [0; 21];
    plain(
        e,
        at,
        helmet_value::strconv::decimal_into(i < 0, i.unsigned_abs(), &mut buf),
    );
}

/// Writes an unsigned integer as a plain scalar.
fn emit_uint(e: &mut Emitter, at: Context, u: u64) {
    let mut buf = [0; 21];
    plain(
        e,
        at,
        helmet_value::strconv::decimal_into(false, u, &mut buf),
    );
}

fn plain(e: &mut Emitter, at: Context, text: &str) {
    e.scalar(at, &Scalar::new(text, Style::Plain));
}

/// Calls `f` with the map's entries in go-yaml's key order. A map's own order is byte order,
/// which usually is go-yaml's too: then nothing is sorted.
fn for_each_in_key_order(
    entries: &Map,
    v3: bool,
    mut f: impl FnMut(&str, &Value) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut keys = entries.keys();
    let in_order = match keys.next() {
        Some(first) => keys
            .try_fold(first, |previous, key| {
                key_less(previous, key, v3).then_some(key)
            })
            .is_some(),
        None => true,
    };
    if in_order {
        return entries.iter().try_for_each(|(k, v)| f(k, v));
    }
    let mut sorted: Vec<(&String, &Value)> = entries.iter().collect();
    sorted.sort_by(|(a, _), (b, _)| key_order(a, b, v3));
    sorted.into_iter().try_for_each(|(k, v)| f(k, v))
}

/// Writes nil, a boolean or an integer, which both encoders write alike.
fn emit_common_scalar(e: &mut Emitter, at: Context, v: &Value) {
    match v {
        Value::Bool(b) => plain(e, at, if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => emit_int(e, at, *i),
        Value::Uint64(u) => emit_uint(e, at, *u),
        Value::Uint8(u) => emit_uint(e, at, (*u).into()),
        _ => plain(e, at, "null"),
    }
}

fn too_deep() -> Error {
    Error::new(format!(
        "error marshaling into JSON: nesting deeper than {MAX_DEPTH}"
    ))
}

/// The error of encoding/json for a value it cannot write (a complex number, a float that is
/// not finite), as sigs.k8s.io/yaml wraps it.
fn unsupported_in_json(v: &Value) -> Option<Error> {
    match v {
        Value::Complex128(..) => Some(Error::new(
            "error marshaling into JSON: json: unsupported type: complex128",
        )),
        Value::Float64(f) if !f.is_finite() => Some(Error::new(format!(
            "error marshaling into JSON: json: unsupported value: {}",
            format_g_shortest(*f)
        ))),
        _ => None,
    }
}

/// Writes what go-yaml v2 writes after reading `json.Marshal(v)` back.
fn v2_emit(e: &mut Emitter, at: Context, v: &Value, depth: usize) -> Result<(), Error> {
    if depth > MAX_DEPTH {
        return Err(too_deep());
    }
    match v {
        Value::Nil
        | Value::Bool(_)
        | Value::Int(_)
        | Value::Int64(_)
        | Value::Uint64(_)
        | Value::Uint8(_) => emit_common_scalar(e, at, v),
        Value::Complex128(..) => return Err(unsupported_in_json(v).unwrap_or_else(too_deep)),
        Value::Float64(f) => {
            if let Some(err) = unsupported_in_json(v) {
                return Err(err);
            }
            // go-yaml reads the JSON number as an int when it can, else as a float. Whole
            // numbers below 2^53 are exact, and JSON writes them without a fraction.
            if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
                emit_int(e, at, *f as i64);
                return Ok(());
            }
            let text = format_json(*f);
            if let Ok(i) = text.parse::<i64>() {
                emit_int(e, at, i);
            } else if let Ok(u) = text.parse::<u64>() {
                emit_uint(e, at, u);
            } else {
                plain(e, at, &format_g_shortest(*f));
            }
        }
        Value::String(s) => {
            e.scalar(at, &v2_scalar(s, &mut None)?);
        }
        // JSON writes each invalid byte as U+FFFD, which YAML reads back as that character.
        Value::ByteString(b) => {
            let text = helmet_value::gostring::to_text_lossy(b);
            e.scalar(at, &v2_scalar(&text, &mut None)?);
        }
        Value::Bytes(b) => {
            let s = base64_encode(b);
            e.scalar(at, &string_scalar(&s));
        }
        // JSON writes a nil slice (`concat` of nothing) as null too.
        Value::List(l) if l.is_nil() => plain(e, at, "null"),
        Value::List(l) if l.items.is_empty() => e.empty_seq(),
        Value::List(l) => {
            let outer = e.begin_seq(at);
            for item in &l.items {
                let at = e.seq_item();
                v2_emit(e, at, item, depth + 1)?;
            }
            e.end_collection(outer);
        }
        // JSON writes a nil map as null, which YAML reads back as null.
        Value::Map(m) if m.is_nil() => plain(e, at, "null"),
        Value::Map(m) => {
            let entries = m.entries();
            if entries.is_empty() {
                e.empty_map();
                return Ok(());
            }
            let outer = e.begin_map(at);
            for_each_in_key_order(&entries, false, |k, v| {
                if !k.is_ascii() && k.contains('\u{85}') {
                    return Err(Error::new(NEL_IN_KEY));
                }
                let at = e.map_key(&v2_scalar(k, &mut None)?);
                v2_emit(e, at, v, depth + 1)
            })?;
            e.end_collection(outer);
        }
        Value::Object(o) => v2_emit(e, at, &o.to_data(), depth + 1)?,
    }
    Ok(())
}

/// Writes what go-yaml v3 writes for the Go value directly.
fn v3_emit(e: &mut Emitter, at: Context, v: &Value, depth: usize) -> Result<(), Error> {
    if depth > MAX_DEPTH {
        return Err(Error::new(format!("yaml: nesting deeper than {MAX_DEPTH}")));
    }
    match v {
        Value::Nil
        | Value::Bool(_)
        | Value::Int(_)
        | Value::Int64(_)
        | Value::Uint64(_)
        | Value::Uint8(_) => emit_common_scalar(e, at, v),
        Value::Complex128(..) => return Err(Error::new("cannot marshal type: complex128")),
        Value::Float64(f) => {
            let text = format_g_shortest(*f);
            let text = match text.as_str() {
                "+Inf" => ".inf",
                "-Inf" => "-.inf",
                "NaN" => ".nan",
                s => s,
            };
            plain(e, at, text);
        }
        Value::String(s) => e.scalar(at, &string_scalar(s)),
        Value::ByteString(b) => emit_binary(e, at, b),
        // go-yaml v3 writes a []byte as a sequence of its byte values.
        Value::Bytes(b) if b.is_empty() => e.empty_seq(),
        Value::Bytes(b) => {
            let outer = e.begin_seq(at);
            for &x in b.iter() {
                let at = e.seq_item();
                emit_uint(e, at, x.into());
            }
            e.end_collection(outer);
        }
        Value::List(l) if l.items.is_empty() => e.empty_seq(),
        Value::List(l) => {
            let outer = e.begin_seq(at);
            for item in &l.items {
                let at = e.seq_item();
                v3_emit(e, at, item, depth + 1)?;
            }
            e.end_collection(outer);
        }
        Value::Map(m) => {
            let entries = m.entries();
            if entries.is_empty() {
                e.empty_map();
                return Ok(());
            }
            let outer = e.begin_map(at);
            for_each_in_key_order(&entries, true, |k, v| {
                let at = e.map_key(&string_scalar(k));
                v3_emit(e, at, v, depth + 1)
            })?;
            e.end_collection(outer);
        }
        Value::Object(o) => v3_emit(e, at, &o.to_data(), depth + 1)?,
    }
    Ok(())
}

/// go-yaml v3's node for a string that is not UTF-8, which YAML text cannot hold: `!!binary`
/// and its base64, in lines of 70 characters each ended by a break (a literal block) once there
/// is more than one line's worth, else on one plain line.
fn emit_binary(e: &mut Emitter, at: Context, bytes: &[u8]) {
    const LINE: usize = 70;
    let encoded = base64_encode(bytes);
    if encoded.len() < LINE {
        e.tagged_scalar(at, "!!binary", &Scalar::new(&encoded, Style::Plain));
        return;
    }
    let mut text = String::with_capacity(encoded.len() + encoded.len() / LINE + 1);
    for line in encoded.as_bytes().chunks(LINE) {
        text.push_str(std::str::from_utf8(line).unwrap_or_default());
        text.push('\n');
    }
    e.tagged_scalar(at, "!!binary", &Scalar::new(&text, Style::Literal));
}

/// `sigs.k8s.io/yaml.Marshal(v)`: the text ends with a newline (Helm's `toYaml` trims it).
pub(crate) fn marshal_v2(v: &Value) -> Result<String, Error> {
    let mut e = Emitter::new(false, 2);
    match v2_emit(&mut e, Context::ROOT, v, 0) {
        Ok(()) => Ok(e.finish()),
        Err(err) if [NEL_IN_KEY, NEL_DOCUMENT_MARKER].contains(&err.to_string().as_str()) => {
            Err(json_reading_error(v))
        }
        Err(err) => Err(err),
    }
}

/// What [`v2_emit`] reports for a map key holding a NEL, before [`json_reading_error`] finds
/// the error Helm gives.
const NEL_IN_KEY: &str = "a map key holds U+0085";

/// What [`v2_emit`] reports for a string with a document marker after a NEL
/// ([`document_marker_after_nel`]), before [`json_reading_error`] finds the error Helm gives.
const NEL_DOCUMENT_MARKER: &str = "a document marker follows U+0085";

/// The error sigs.k8s.io/yaml returns for a value with a NEL (U+0085), which encoding/json
/// leaves unescaped, in a map key or before a document marker. go-yaml reads the key of the
/// JSON object as two lines, so it is no key, and the `:` after it fails the flow mapping; a
/// marker at the start of a line inside a quoted scalar fails it. The whole JSON text is
/// marshalled and checked for control characters first, so those errors win; then the first of
/// these in JSON's order (map keys sorted) is reported, on the line the NELs read by then give.
fn json_reading_error(root: &Value) -> Error {
    /// What go-yaml meets first in the JSON text.
    enum Failure {
        /// A key with a NEL ended, after this many NELs.
        KeyWithNel(usize),
        /// A document marker began a line, on this line.
        DocumentMarker(usize),
    }
    /// NELs read so far, and the first failure met.
    #[derive(Default)]
    struct Breaks {
        read: usize,
        failure: Option<Failure>,
    }
    impl Breaks {
        fn text(&mut self, s: &str, key: bool) {
            if self.failure.is_some() {
                return;
            }
            if let Some(before) = document_marker_after_nel(s) {
                self.failure = Some(Failure::DocumentMarker(self.read + before + 1));
                return;
            }
            let nels = s.matches('\u{85}').count();
            self.read += nels;
            if key && nels > 0 {
                self.failure = Some(Failure::KeyWithNel(self.read));
            }
        }
        fn walk(&mut self, v: &Value, depth: usize) {
            match v {
                Value::String(s) => self.text(s, false),
                Value::ByteString(b) => self.text(&helmet_value::gostring::to_text_lossy(b), false),
                Value::List(l) if depth < MAX_DEPTH => {
                    l.items.iter().for_each(|item| self.walk(item, depth + 1));
                }
                Value::Map(m) if depth < MAX_DEPTH => {
                    for (k, item) in m.entries().iter() {
                        self.text(k, true);
                        self.walk(item, depth + 1);
                    }
                }
                Value::Object(o) if depth < MAX_DEPTH => self.walk(&o.to_data(), depth + 1),
                _ => {}
            }
        }
    }
    /// encoding/json's first error in its order, then go-yaml's check of the whole text.
    fn first_error(v: &Value, depth: usize, readable_only: bool) -> Option<Error> {
        if depth > MAX_DEPTH {
            return Some(too_deep());
        }
        match v {
            Value::String(s) if readable_only => v2_readable(s).err(),
            Value::List(l) => l
                .items
                .iter()
                .find_map(|item| first_error(item, depth + 1, readable_only)),
            Value::Map(m) => m.entries().iter().find_map(|(k, item)| {
                let key = if readable_only {
                    v2_readable(k).err()
                } else {
                    None
                };
                key.or_else(|| first_error(item, depth + 1, readable_only))
            }),
            Value::Object(o) => first_error(&o.to_data(), depth + 1, readable_only),
            _ if !readable_only => unsupported_in_json(v),
            _ => None,
        }
    }
    if let Some(err) = first_error(root, 0, false).or_else(|| first_error(root, 0, true)) {
        return err;
    }
    let mut breaks = Breaks::default();
    breaks.walk(root, 0);
    match breaks.failure {
        Some(Failure::DocumentMarker(line)) => Error::new(format!(
            "yaml: line {line}: found unexpected document indicator"
        )),
        Some(Failure::KeyWithNel(line)) => Error::new(format!(
            "yaml: line {line}: did not find expected ',' or '}}'"
        )),
        None => Error::new(format!(
            "yaml: line {}: did not find expected ',' or '}}'",
            breaks.read
        )),
    }
}

/// go-yaml v3's `Encoder` with `SetIndent(indent)`, one document, ending with a newline
/// (Helm's `toYamlPretty` trims it).
pub(crate) fn marshal_v3(v: &Value, indent: usize) -> Result<String, Error> {
    let indent = if indent == 0 { 4 } else { indent };
    let mut e = Emitter::new(true, indent);
    v3_emit(&mut e, Context::ROOT, v, 0)?;
    Ok(e.finish())
}
