//! Rendered manifests that start with `{`, read as Helm's linter reads them: Kubernetes'
//! YAML-or-JSON stream decoder first tries Go's `json.Decoder` (a stream of JSON values, one
//! object per call), and falls back to its YAML reader at the first failure unless two or more
//! values were already read. The byte offsets in its syntax errors count every byte Go's
//! scanner stepped over since the stream began.

use helmet_yaml::json_scan::{ScanError, Scanner, Token};

use super::manifest::K8sObject;

/// How far ahead Kubernetes' decoder peeks to decide whether a stream is JSON.
const SNIFF_BYTES: usize = 4096;

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
    let mut out = Vec::new();
    let mut scanner = Scanner::new(text.as_bytes());
    // Where the last value read whole ends: the decoder rewinds here to try YAML.
    let mut pos = 0;
    let mut count = 0;
    while scanner.next_value() {
        let failure = match decode_object(&mut scanner) {
            Ok(obj) => {
                count += 1;
                pos = scanner.position();
                out.push(Ok(obj));
                continue;
            }
            Err(Stop::Type(type_error)) => Failure {
                reported: type_error.clone(),
                raw: type_error,
            },
            Err(Stop::Scan(ScanError::Syntax { offset, message })) => Failure {
                reported: format!("json: offset {offset}: {message}"),
                raw: message,
            },
            Err(Stop::Scan(end)) => Failure {
                reported: end.decoder_message().into(),
                raw: end.decoder_message().into(),
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
    out
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

/// Why decoding a value stopped: a type error (kept until the value was read whole, as Go
/// checks a value's syntax before decoding it) or the scanner's error.
enum Stop {
    Type(String),
    Scan(ScanError),
}

impl From<ScanError> for Stop {
    fn from(e: ScanError) -> Self {
        Stop::Scan(e)
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

/// Reads the members of the object whose `{` was just read, in order: each key, with the
/// scanner left at its value for `member` to read; a value `member` leaves is skipped.
fn members(
    scanner: &mut Scanner,
    mut member: impl FnMut(&mut Scanner, &str) -> Result<bool, ScanError>,
) -> Result<(), ScanError> {
    while let Some(Token::Key(key)) = scanner.next_token()? {
        if !member(scanner, &key)? {
            let value = scanner.next_token()?.unwrap_or(Token::Null);
            scanner.skip_value(&value)?;
        }
    }
    Ok(())
}

/// A string field: a string sets it, null leaves it, anything else is a type error (the
/// first one is kept, decoding goes on, as encoding/json does).
fn string_field(
    scanner: &mut Scanner,
    into: &mut String,
    error: &mut Option<String>,
    at: &str,
) -> Result<bool, ScanError> {
    match scanner.next_token()?.unwrap_or(Token::Null) {
        Token::String(s) => *into = s.into_owned(),
        Token::Null => {}
        other => {
            error.get_or_insert_with(|| {
                format!(
                    "json: cannot unmarshal {} into Go struct field {at} of type string",
                    other.kind().unwrap_or("number")
                )
            });
            scanner.skip_value(&other)?;
        }
    }
    Ok(true)
}

/// `json.Decoder.Decode` of the stream's next value into Helm's `*k8sYamlStruct`: `null` gives
/// no object.
fn decode_object(scanner: &mut Scanner) -> Result<Option<K8sObject>, Stop> {
    let first = scanner.next_token()?.unwrap_or(Token::Null);
    match first {
        Token::Null => return Ok(None),
        Token::BeginObject => {}
        other => {
            scanner.skip_value(&other)?;
            return Err(Stop::Type(format!(
                "json: cannot unmarshal {} into Go value of type rules.k8sYamlStruct",
                other.kind().unwrap_or("number")
            )));
        }
    }
    let mut obj = K8sObject::default();
    let mut error = None;
    members(scanner, |scanner, key| {
        match match_field(key, &["apiVersion", "Kind", "Metadata"]) {
            Some("apiVersion") => string_field(
                scanner,
                &mut obj.api_version,
                &mut error,
                "k8sYamlStruct.apiVersion",
            ),
            Some("Kind") => string_field(scanner, &mut obj.kind, &mut error, "k8sYamlStruct.Kind"),
            Some(_) => {
                match scanner.next_token()?.unwrap_or(Token::Null) {
                    Token::BeginObject => members(scanner, |scanner, key| {
                        match match_field(key, &["Namespace", "Name"]) {
                            Some("Namespace") => string_field(
                                scanner,
                                &mut obj.namespace,
                                &mut error,
                                "k8sYamlMetadata.Metadata.Namespace",
                            ),
                            Some(_) => string_field(
                                scanner,
                                &mut obj.name,
                                &mut error,
                                "k8sYamlMetadata.Metadata.Name",
                            ),
                            None => Ok(false),
                        }
                    })?,
                    Token::Null => {}
                    other => {
                        error.get_or_insert_with(|| format!(
                            "json: cannot unmarshal {} into Go struct field k8sYamlStruct.Metadata of type rules.k8sYamlMetadata",
                            other.kind().unwrap_or("number")
                        ));
                        scanner.skip_value(&other)?;
                    }
                }
                Ok(true)
            }
            None => Ok(false),
        }
    })?;
    match error {
        Some(e) => Err(Stop::Type(e)),
        None => Ok(Some(obj)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first value of `text` decoded, or its error's text.
    fn decode_one(text: &str) -> Result<Option<K8sObject>, String> {
        let mut scanner = Scanner::new(text.as_bytes());
        scanner.next_value();
        decode_object(&mut scanner).map_err(|e| match e {
            Stop::Type(e) => e,
            Stop::Scan(e) => e.decoder_message().to_string(),
        })
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
    fn decodes_fields_in_order() {
        let text =
            r#"{"Kind": "A", "kind": "B", "metadata": {"NAME": "n", "x": [{"y": 1}]}, "z": null}"#;
        let obj = decode_one(text).unwrap().unwrap();
        assert_eq!((obj.kind.as_str(), obj.name.as_str()), ("B", "n"));
        assert_eq!(
            decode_one(r#"{"kind": 1, "apiVersion": true}"#).unwrap_err(),
            "json: cannot unmarshal number into Go struct field k8sYamlStruct.Kind of type string"
        );
        assert_eq!(decode_one(" null"), Ok(None));
        assert_eq!(
            decode_one("[1]").unwrap_err(),
            "json: cannot unmarshal array into Go value of type rules.k8sYamlStruct"
        );
        // Go reads the whole value before decoding it: a later syntax error wins.
        assert_eq!(
            decode_one(r#"{"kind": [1], "a": x}"#).unwrap_err(),
            "invalid character 'x' looking for beginning of value"
        );
        assert_eq!(decode_one("[1, {}"), Err("unexpected EOF".into()));
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
