//! Rendered manifests that start with `{`, read as Helm's linter reads them: Kubernetes'
//! YAML-or-JSON stream decoder first tries Go's `json.Decoder` (a stream of JSON values, one
//! object per call), and falls back to its YAML reader at the first failure unless two or more
//! values were already read. The byte offsets in its syntax errors count every byte Go's
//! scanner stepped over since the stream began.

use super::manifest::K8sObject;

/// How far ahead Kubernetes' decoder peeks to decide whether a stream is JSON.
const SNIFF_BYTES: usize = 4096;

/// encoding/json's limit on nested objects and arrays.
const MAX_NESTING: usize = 10000;

/// Whether Kubernetes' decoder would read `text` as a JSON stream: within the bytes it peeks,
/// the first character that is not Unicode white space is `{`.
pub fn looks_like_json(text: &str) -> bool {
    for (i, c) in text.char_indices() {
        if i + c.len_utf8() > SNIFF_BYTES {
            // The peeked bytes end here (a character cut in two is no white space to Go).
            return false;
        }
        if !c.is_whitespace() {
            return c == '{';
        }
    }
    false
}

/// One decode result of the stream, as the lint loop sees it.
pub type Decoded = Result<Option<K8sObject>, String>;

/// Reads a stream that [`looks_like_json`]: the objects read as JSON, and where the JSON
/// decoder gave up, the offset from which the YAML reader goes on with the error to report if
/// its first document fails too. `yaml_stream` reads a YAML stream the way the caller does.
pub fn decode(text: &str, yaml_stream: impl Fn(&str) -> Vec<Decoded>) -> Vec<Decoded> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut scanner = Scanner::default();
    // Where the last value read whole ends: the decoder rewinds here to try YAML.
    let mut pos = 0;
    let mut count = 0;
    loop {
        let failure = match scanner.read_value(bytes, pos) {
            ReadValue::End => return out,
            ReadValue::Value(end) => match decode_object(text, pos, end) {
                Ok(obj) => {
                    count += 1;
                    pos = end;
                    out.push(Ok(obj));
                    continue;
                }
                Err(type_error) => Failure {
                    reported: type_error.clone(),
                    raw: type_error,
                },
            },
            ReadValue::Syntax { offset, message } => Failure {
                reported: format!("json: offset {offset}: {message}"),
                raw: message,
            },
            ReadValue::UnexpectedEnd => Failure {
                reported: "unexpected EOF".into(),
                raw: "unexpected EOF".into(),
            },
        };
        if count > 1 {
            // Two values make it a JSON stream for sure: no YAML, and Go's own error text.
            out.push(Err(failure.raw));
            return out;
        }
        let Some(start) = skip_blank_to_line_end(text, pos) else {
            out.push(Err(failure.reported));
            return out;
        };
        let mut rest = yaml_stream(&text[start..]);
        if let Some(first @ Err(_)) = rest.first_mut() {
            // Both readers failed on it: the JSON error is the one reported.
            *first = Err(failure.reported);
        }
        out.extend(rest);
        return out;
    }
}

/// Why the JSON decoder stopped: the text Kubernetes' decoder reports (syntax errors carry
/// their offset) and the bare text Go's decoder gave.
struct Failure {
    reported: String,
    raw: String,
}

/// Before handing the rest to YAML, Kubernetes' decoder eats white space up to and including
/// the first newline. It reads four bytes at a time to find each character, so fewer than four
/// bytes left (or a byte that is not UTF-8) ends the stream there: `None`.
fn skip_blank_to_line_end(text: &str, mut pos: usize) -> Option<usize> {
    loop {
        if text.len() - pos < 4 {
            return None;
        }
        let c = text[pos..].chars().next()?;
        if c == char::REPLACEMENT_CHARACTER {
            // Go cannot tell U+FFFD from a byte that is not UTF-8 here.
            return None;
        }
        if !c.is_whitespace() {
            return Some(pos);
        }
        pos += c.len_utf8();
        if c == '\n' {
            return Some(pos);
        }
    }
}

/// Go's JSON white space.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// Go's `quoteChar`: a byte named as the rune of the same number.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".into(),
        b'"' => "'\"'".into(),
        _ => {
            let quoted = helmet_value::strconv::quote(&char::from(c).to_string());
            format!("'{}'", &quoted[1..quoted.len() - 1])
        }
    }
}

/// What one `json.Decoder.Decode` read found.
enum ReadValue {
    /// A whole value ends at this byte offset.
    Value(usize),
    /// Nothing but white space was left.
    End,
    /// The input ended inside a value (`io.ErrUnexpectedEOF`).
    UnexpectedEnd,
    /// A `json.SyntaxError`.
    Syntax { offset: u64, message: String },
}

#[derive(Clone, Copy)]
enum State {
    BeginValueOrEmpty,
    BeginValue,
    BeginStringOrEmpty,
    BeginString,
    EndValue,
    EndTop,
    InString,
    InStringEsc,
    /// Hex digits of a `\u` escape read so far.
    InStringEscU(u8),
    Neg,
    One,
    Zero,
    Dot,
    Dot0,
    Exp,
    ExpSign,
    Exp0,
    /// A literal and how many of its bytes were read.
    Literal(&'static [u8], usize),
}

#[derive(Clone, Copy, PartialEq)]
enum Parse {
    ObjectKey,
    ObjectValue,
    ArrayValue,
}

enum Step {
    Continue,
    /// The top-level value ended before this byte.
    End,
    /// An object or array closed with this byte.
    EndComposite,
    Error(String),
}

/// Go's JSON scanner: a state per byte, and the count of bytes stepped over, kept across
/// values as `json.Decoder` keeps it (a byte that ends a number or literal at the top level is
/// stepped twice: once to end it, once to start the next value).
struct Scanner {
    state: State,
    stack: Vec<Parse>,
    stepped: u64,
}

impl Default for Scanner {
    fn default() -> Self {
        Scanner {
            state: State::BeginValue,
            stack: Vec::new(),
            stepped: 0,
        }
    }
}

impl Scanner {
    /// `json.Decoder`'s `readValue` from byte `start`.
    fn read_value(&mut self, bytes: &[u8], start: usize) -> ReadValue {
        self.state = State::BeginValue;
        self.stack.clear();
        for (i, &c) in bytes.iter().enumerate().skip(start) {
            self.stepped += 1;
            match self.step(c) {
                Step::Continue => {}
                Step::End => return ReadValue::Value(i),
                Step::EndComposite if self.stack.is_empty() => return ReadValue::Value(i + 1),
                Step::EndComposite => {}
                Step::Error(context) => {
                    return ReadValue::Syntax {
                        offset: self.stepped,
                        message: format!("invalid character {} {context}", quote_char(c)),
                    }
                }
            }
        }
        // At the end Go steps once more with a space, without counting it.
        if matches!(self.step(b' '), Step::End) {
            return ReadValue::Value(bytes.len());
        }
        if bytes[start..].iter().all(|&c| is_space(c)) {
            ReadValue::End
        } else {
            ReadValue::UnexpectedEnd
        }
    }

    fn step(&mut self, c: u8) -> Step {
        match self.state {
            State::BeginValueOrEmpty => {
                if is_space(c) {
                    Step::Continue
                } else if c == b']' {
                    self.end_value(c)
                } else {
                    self.begin_value(c)
                }
            }
            State::BeginValue => self.begin_value(c),
            State::BeginStringOrEmpty => {
                if is_space(c) {
                    Step::Continue
                } else if c == b'}' {
                    if let Some(top) = self.stack.last_mut() {
                        *top = Parse::ObjectValue;
                    }
                    self.end_value(c)
                } else {
                    self.begin_string(c)
                }
            }
            State::BeginString => self.begin_string(c),
            State::EndValue => self.end_value(c),
            State::EndTop => Step::End,
            State::InString => match c {
                b'"' => self.go(State::EndValue),
                b'\\' => self.go(State::InStringEsc),
                c if c < 0x20 => Step::Error("in string literal".into()),
                _ => Step::Continue,
            },
            State::InStringEsc => match c {
                b'b' | b'f' | b'n' | b'r' | b't' | b'\\' | b'/' | b'"' => self.go(State::InString),
                b'u' => self.go(State::InStringEscU(0)),
                _ => Step::Error("in string escape code".into()),
            },
            State::InStringEscU(n) => {
                if !c.is_ascii_hexdigit() {
                    Step::Error("in \\u hexadecimal character escape".into())
                } else if n == 3 {
                    self.go(State::InString)
                } else {
                    self.go(State::InStringEscU(n + 1))
                }
            }
            State::Neg => match c {
                b'0' => self.go(State::Zero),
                b'1'..=b'9' => self.go(State::One),
                _ => Step::Error("in numeric literal".into()),
            },
            State::One if c.is_ascii_digit() => Step::Continue,
            State::One | State::Zero => match c {
                b'.' => self.go(State::Dot),
                b'e' | b'E' => self.go(State::Exp),
                _ => self.end_value(c),
            },
            State::Dot if c.is_ascii_digit() => self.go(State::Dot0),
            State::Dot => Step::Error("after decimal point in numeric literal".into()),
            State::Dot0 => match c {
                b'0'..=b'9' => Step::Continue,
                b'e' | b'E' => self.go(State::Exp),
                _ => self.end_value(c),
            },
            State::Exp if c == b'+' || c == b'-' => self.go(State::ExpSign),
            State::Exp | State::ExpSign => {
                if c.is_ascii_digit() {
                    self.go(State::Exp0)
                } else {
                    Step::Error("in exponent of numeric literal".into())
                }
            }
            State::Exp0 if c.is_ascii_digit() => Step::Continue,
            State::Exp0 => self.end_value(c),
            State::Literal(word, read) => {
                if c != word[read] {
                    return Step::Error(format!(
                        "in literal {} (expecting {})",
                        String::from_utf8_lossy(word),
                        quote_char(word[read])
                    ));
                }
                if read + 1 == word.len() {
                    self.go(State::EndValue)
                } else {
                    self.go(State::Literal(word, read + 1))
                }
            }
        }
    }

    fn go(&mut self, state: State) -> Step {
        self.state = state;
        Step::Continue
    }

    fn push(&mut self, parse: Parse, state: State) -> Step {
        self.stack.push(parse);
        if self.stack.len() > MAX_NESTING {
            return Step::Error("exceeded max depth".into());
        }
        self.go(state)
    }

    fn begin_value(&mut self, c: u8) -> Step {
        match c {
            c if is_space(c) => Step::Continue,
            b'{' => self.push(Parse::ObjectKey, State::BeginStringOrEmpty),
            b'[' => self.push(Parse::ArrayValue, State::BeginValueOrEmpty),
            b'"' => self.go(State::InString),
            b'-' => self.go(State::Neg),
            b'0' => self.go(State::Zero),
            b'1'..=b'9' => self.go(State::One),
            b't' => self.go(State::Literal(b"true", 1)),
            b'f' => self.go(State::Literal(b"false", 1)),
            b'n' => self.go(State::Literal(b"null", 1)),
            _ => Step::Error("looking for beginning of value".into()),
        }
    }

    fn begin_string(&mut self, c: u8) -> Step {
        match c {
            c if is_space(c) => Step::Continue,
            b'"' => self.go(State::InString),
            _ => Step::Error("looking for beginning of object key string".into()),
        }
    }

    fn end_value(&mut self, c: u8) -> Step {
        let Some(&top) = self.stack.last() else {
            self.state = State::EndTop;
            return Step::End;
        };
        if is_space(c) {
            return self.go(State::EndValue);
        }
        match (top, c) {
            (Parse::ObjectKey, b':') => {
                self.set_top(Parse::ObjectValue);
                self.go(State::BeginValue)
            }
            (Parse::ObjectKey, _) => Step::Error("after object key".into()),
            (Parse::ObjectValue, b',') => {
                self.set_top(Parse::ObjectKey);
                self.go(State::BeginString)
            }
            (Parse::ObjectValue, b'}') | (Parse::ArrayValue, b']') => {
                self.stack.pop();
                self.state = if self.stack.is_empty() {
                    State::EndTop
                } else {
                    State::EndValue
                };
                Step::EndComposite
            }
            (Parse::ObjectValue, _) => Step::Error("after object key:value pair".into()),
            (Parse::ArrayValue, b',') => self.go(State::BeginValue),
            (Parse::ArrayValue, _) => Step::Error("after array element".into()),
        }
    }

    fn set_top(&mut self, parse: Parse) {
        if let Some(top) = self.stack.last_mut() {
            *top = parse;
        }
    }
}

/// Reads parts of a value the scanner found well formed.
struct Walk<'a> {
    text: &'a str,
    pos: usize,
}

impl Walk<'_> {
    fn byte(&self) -> u8 {
        self.text.as_bytes().get(self.pos).copied().unwrap_or(b' ')
    }

    fn skip_space(&mut self) {
        while self.pos < self.text.len() && is_space(self.byte()) {
            self.pos += 1;
        }
    }

    /// Steps over a string literal (the walk is at its opening quote).
    fn skip_string(&mut self) {
        self.pos += 1;
        while self.pos < self.text.len() {
            match self.byte() {
                b'\\' => self.pos += 2,
                b'"' => {
                    self.pos += 1;
                    break;
                }
                _ => self.pos += 1,
            }
        }
    }

    /// A string literal, decoded by encoding/json's rules.
    fn string(&mut self) -> String {
        let start = self.pos;
        self.skip_string();
        match helmet_yaml::from_json(&self.text[start..self.pos]) {
            Ok(helmet_value::Value::String(s)) => s.to_string(),
            _ => String::new(),
        }
    }

    /// Steps over one value without reading it (no recursion: nesting can be deep).
    fn skip_value(&mut self) {
        let mut depth = 0usize;
        loop {
            self.skip_space();
            if self.pos >= self.text.len() {
                return;
            }
            match self.byte() {
                b'"' => self.skip_string(),
                b'{' | b'[' => {
                    depth += 1;
                    self.pos += 1;
                }
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    self.pos += 1;
                }
                b',' | b':' => self.pos += 1,
                _ => {
                    while self.pos < self.text.len()
                        && !matches!(self.byte(), b',' | b'}' | b']' | b':')
                        && !is_space(self.byte())
                    {
                        self.pos += 1;
                    }
                }
            }
            if depth == 0 {
                return;
            }
        }
    }

    /// The members of the object at the current byte, in order: each key, with the walk left
    /// at its value for `member` to read or skip.
    fn members(&mut self, mut member: impl FnMut(&mut Self, &str)) {
        self.pos += 1;
        loop {
            self.skip_space();
            match self.byte() {
                b'"' => {
                    let key = self.string();
                    self.skip_space();
                    self.pos += 1; // the colon
                    self.skip_space();
                    let before = self.pos;
                    member(self, &key);
                    if self.pos == before {
                        self.skip_value();
                    }
                }
                b',' => self.pos += 1,
                _ => {
                    self.pos += 1; // the closing brace
                    return;
                }
            }
        }
    }
}

/// encoding/json's name for the kind of the value starting with this byte.
fn kind_of(first: u8) -> &'static str {
    match first {
        b'{' => "object",
        b'[' => "array",
        b'"' => "string",
        b't' | b'f' => "bool",
        b'n' => "null",
        _ => "number",
    }
}

/// Go's case folding of struct field names: ASCII case, and the two non-ASCII letters that
/// fold onto `k` and `s`.
fn fold_eq(key: &str, name: &str) -> bool {
    let fold = |c: char| match c {
        '\u{212A}' => 'k',
        '\u{17F}' => 's',
        c => c.to_ascii_lowercase(),
    };
    key.chars().map(fold).eq(name.chars().map(fold))
}

/// Which of `fields` (Go names) a JSON key sets: an exact match first, then one ignoring case.
fn match_field(key: &str, fields: &[&'static str]) -> Option<&'static str> {
    fields
        .iter()
        .find(|f| **f == key)
        .or_else(|| fields.iter().find(|f| fold_eq(key, f)))
        .copied()
}

/// A string field: a string sets it, null leaves it, anything else is a type error (the
/// first one is kept, decoding goes on, as encoding/json does).
fn string_field(walk: &mut Walk, into: &mut String, error: &mut Option<String>, at: &str) {
    match walk.byte() {
        b'"' => *into = walk.string(),
        b'n' => {}
        other => {
            error.get_or_insert_with(|| {
                format!(
                    "json: cannot unmarshal {} into Go struct field {at} of type string",
                    kind_of(other)
                )
            });
        }
    }
}

/// `json.Decoder.Decode` of the value `text[start..end]` into Helm's `*k8sYamlStruct`:
/// `null` gives no object.
fn decode_object(text: &str, start: usize, end: usize) -> Result<Option<K8sObject>, String> {
    let mut walk = Walk {
        text: &text[..end],
        pos: start,
    };
    walk.skip_space();
    match walk.byte() {
        b'n' => return Ok(None),
        b'{' => {}
        other => {
            return Err(format!(
                "json: cannot unmarshal {} into Go value of type rules.k8sYamlStruct",
                kind_of(other)
            ))
        }
    }
    let mut obj = K8sObject::default();
    let mut error = None;
    walk.members(|walk, key| {
        match match_field(key, &["apiVersion", "Kind", "Metadata"]) {
            Some("apiVersion") => string_field(
                walk,
                &mut obj.api_version,
                &mut error,
                "k8sYamlStruct.apiVersion",
            ),
            Some("Kind") => string_field(walk, &mut obj.kind, &mut error, "k8sYamlStruct.Kind"),
            Some(_) => match walk.byte() {
                b'{' => walk.members(|walk, key| match match_field(key, &["Namespace", "Name"]) {
                    Some("Namespace") => string_field(
                        walk,
                        &mut obj.namespace,
                        &mut error,
                        "k8sYamlMetadata.Metadata.Namespace",
                    ),
                    Some(_) => string_field(
                        walk,
                        &mut obj.name,
                        &mut error,
                        "k8sYamlMetadata.Metadata.Name",
                    ),
                    None => {}
                }),
                b'n' => {}
                other => {
                    error.get_or_insert_with(|| format!(
                        "json: cannot unmarshal {} into Go struct field k8sYamlStruct.Metadata of type rules.k8sYamlMetadata",
                        kind_of(other)
                    ));
                }
            },
            None => {}
        }
    });
    match error {
        Some(e) => Err(e),
        None => Ok(Some(obj)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(text: &str) -> Vec<Result<usize, String>> {
        let mut scanner = Scanner::default();
        let mut pos = 0;
        let mut out = Vec::new();
        loop {
            match scanner.read_value(text.as_bytes(), pos) {
                ReadValue::Value(end) => {
                    out.push(Ok(end));
                    pos = end;
                }
                ReadValue::End => return out,
                ReadValue::UnexpectedEnd => {
                    out.push(Err("unexpected EOF".into()));
                    return out;
                }
                ReadValue::Syntax { offset, message } => {
                    out.push(Err(format!("{offset}: {message}")));
                    return out;
                }
            }
        }
    }

    #[test]
    fn sniffs_like_kubernetes() {
        assert!(looks_like_json(" \n\u{a0}{"));
        assert!(!looks_like_json("# c\n{}"));
        assert!(!looks_like_json(&format!(
            "{}{{}}",
            "\n".repeat(SNIFF_BYTES)
        )));
        assert!(looks_like_json(&format!(
            "{}{{}}",
            "\n".repeat(SNIFF_BYTES - 1)
        )));
    }

    #[test]
    fn scans_a_stream() {
        assert_eq!(read_all("{} {\"a\": [1, true]}\n"), vec![Ok(2), Ok(19)]);
        assert_eq!(
            read_all("{}: x"),
            vec![
                Ok(2),
                Err("3: invalid character ':' looking for beginning of value".into())
            ]
        );
        // The byte after a top-level number is stepped twice.
        assert_eq!(
            read_all("{} 1 x"),
            vec![
                Ok(2),
                Ok(4),
                Err("7: invalid character 'x' looking for beginning of value".into())
            ]
        );
        assert_eq!(read_all("{\"a\": tr"), vec![Err("unexpected EOF".into())]);
        assert_eq!(
            read_all("{\"a\" 1}"),
            vec![Err("6: invalid character '1' after object key".into())]
        );
        assert_eq!(
            read_all("{\"\\x\"}"),
            vec![Err("4: invalid character 'x' in string escape code".into())]
        );
        let deep = format!("{{\"a\":{}", "[".repeat(MAX_NESTING));
        assert_eq!(
            read_all(&deep),
            vec![Err(format!(
                "{}: invalid character '[' exceeded max depth",
                MAX_NESTING + 5
            ))]
        );
    }

    #[test]
    fn decodes_fields_in_order() {
        let text =
            r#"{"Kind": "A", "kind": "B", "metadata": {"NAME": "n", "x": [{"y": 1}]}, "z": null}"#;
        let obj = decode_object(text, 0, text.len()).unwrap().unwrap();
        assert_eq!((obj.kind.as_str(), obj.name.as_str()), ("B", "n"));
        let text = r#"{"kind": 1, "apiVersion": true}"#;
        assert_eq!(
            decode_object(text, 0, text.len()).unwrap_err(),
            "json: cannot unmarshal number into Go struct field k8sYamlStruct.Kind of type string"
        );
        assert_eq!(decode_object(" null", 0, 5), Ok(None));
        assert_eq!(
            decode_object("[1]", 0, 3).unwrap_err(),
            "json: cannot unmarshal array into Go value of type rules.k8sYamlStruct"
        );
    }

    #[test]
    fn rest_after_json() {
        assert_eq!(skip_blank_to_line_end("{}  \nabcd", 2), Some(5));
        // Fewer than four bytes left: Go's four-byte read meets the end first.
        assert_eq!(skip_blank_to_line_end("{}  \nab", 2), None);
        assert_eq!(skip_blank_to_line_end("{}x\n", 2), None);
        assert_eq!(skip_blank_to_line_end("{} abcd", 2), Some(3));
    }
}
