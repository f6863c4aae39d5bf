//! Duplicate mapping keys, as go-yaml v2 reports them when decoding strictly.
//!
//! Helm's lint reads Chart.yaml a second time with `StrictLoadChartfile`, through
//! sigs.k8s.io/yaml's strict mode: go-yaml v2's `UnmarshalStrict` into an `interface{}`, which
//! refuses a key set twice in one mapping (the ordinary reading keeps the last value). Every
//! such key is listed, in the order the decoder meets them: a mapping's value is decoded (and its
//! own duplicates listed) before its key is checked. Each is reported with the line of its value
//! and the key as Go's `%#v` prints the decoded key (`"name"`, `1`, `true`, `<nil>`).
//!
//! The helmet-yaml reader keeps no positions, so the first document is walked again here with
//! the event parser it is built on. A merge key (`<<`) whose value is an alias of a mapping adds
//! that mapping's keys, so a key set again after it is reported; keys a merge itself brings in
//! twice are not followed. Text that parser refuses gives no findings (the ordinary reading,
//! which passed, decides whether the file is usable).

use std::collections::{HashMap, HashSet};

use helmet_value::Value;
use saphyr_parser::{Event, Parser, ScalarStyle};

/// How deep mappings and sequences may nest before the walk gives up (no findings).
const MAX_DEPTH: usize = 512;

/// A decoded key's identity: equal Go values are the same map key.
#[derive(Clone, Hash, PartialEq, Eq)]
enum KeyId {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(u64),
    Str(String),
}

enum Frame {
    Map {
        /// The anchor the mapping carries (0 for none), to find its keys when it is merged.
        anchor: usize,
        seen: HashSet<KeyId>,
        /// Whether the pending key is a merge key.
        merging: bool,
        /// The key read and waiting for its value: identity (None for a merge key or a NaN,
        /// which never collide here) and its `%#v` text.
        key: Option<(Option<KeyId>, String)>,
        /// 1-based line where the pending value starts.
        value_line: usize,
    },
    Seq,
}

/// go-yaml v2's strict-mode complaints about the first document of `text`: the lines of
/// `line N: key K already set in map`, in its order. Empty when every key is unique.
pub fn duplicate_keys(text: &str) -> Vec<String> {
    walk(text).unwrap_or_default()
}

fn walk(text: &str) -> Option<Vec<String>> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut found = Vec::new();
    // The keys of each anchored mapping, for merge keys naming it.
    let mut anchored: HashMap<usize, HashSet<KeyId>> = HashMap::new();
    let mut in_document = false;
    let chars: Vec<char> = text.chars().collect();
    // Where the previous event ended (character index, 1-based line).
    let mut last_end = (0, 1);
    while let Some(next) = parser.next_event() {
        let (event, span) = next.ok()?;
        let mut line = span.start.line();
        if let Event::Scalar(_, ScalarStyle::Literal | ScalarStyle::Folded, ..) = event {
            // libyaml places a block scalar at its `|` or `>`; the parser here at its text.
            line = indicator_line(&chars, last_end, span.start.index()).unwrap_or(line);
        }
        last_end = (span.end.index(), span.end.line());
        match event {
            Event::DocumentStart(_) => in_document = true,
            Event::DocumentEnd => return Some(found),
            Event::Scalar(value, style, _, tag) if in_document => {
                let plain = style == ScalarStyle::Plain && tag.is_none();
                if let Some(Frame::Map {
                    key: key @ None,
                    merging,
                    ..
                }) = stack.last_mut()
                {
                    *merging = plain && value == "<<";
                    *key = Some(match (*merging, plain) {
                        (true, _) => (None, String::new()),
                        (false, true) => plain_key(&value),
                        (false, false) => (Some(KeyId::Str(value.to_string())), quote(&value)),
                    });
                    continue;
                }
                value_node(&mut stack, &mut found, line);
            }
            Event::Alias(id) if in_document => {
                if let Some(Frame::Map {
                    key, merging, seen, ..
                }) = stack.last_mut()
                {
                    match key {
                        // An alias as a key: its decoded value is not followed here.
                        None => {
                            *key = Some((None, String::new()));
                            *merging = false;
                            continue;
                        }
                        Some(_) if *merging => {
                            if let Some(keys) = anchored.get(&id) {
                                seen.extend(keys.iter().cloned());
                            }
                        }
                        Some(_) => {}
                    }
                }
                value_node(&mut stack, &mut found, line);
            }
            Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) if in_document => {
                if let Some(Frame::Map {
                    key, value_line, ..
                }) = stack.last_mut()
                {
                    // A collection as a key fails the ordinary reading already.
                    key.as_ref()?;
                    *value_line = line;
                }
                if stack.len() >= MAX_DEPTH {
                    return None;
                }
                stack.push(if matches!(event, Event::MappingStart(..)) {
                    Frame::Map {
                        anchor,
                        seen: HashSet::new(),
                        merging: false,
                        key: None,
                        value_line: 0,
                    }
                } else {
                    Frame::Seq
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                if let Some(Frame::Map { anchor, seen, .. }) = stack.pop() {
                    if anchor != 0 {
                        anchored.insert(anchor, seen);
                    }
                }
                value_done(&mut stack, &mut found);
            }
            _ => {}
        }
    }
    Some(found)
}

/// The line of the first `|` or `>` between the end of the previous event and `until`.
fn indicator_line(
    chars: &[char],
    (from, from_line): (usize, usize),
    until: usize,
) -> Option<usize> {
    let mut line = from_line;
    for &c in chars.get(from..until)? {
        match c {
            '|' | '>' => return Some(line),
            '\n' => line += 1,
            _ => {}
        }
    }
    None
}

/// A scalar or alias that is a mapping's value (or a sequence item): the value is whole.
fn value_node(stack: &mut [Frame], found: &mut Vec<String>, line: usize) {
    if let Some(Frame::Map { value_line, .. }) = stack.last_mut() {
        *value_line = line;
    }
    value_done(stack, found);
}

/// A mapping's value is complete: its key is checked against the keys before it.
fn value_done(stack: &mut [Frame], found: &mut Vec<String>) {
    if let Some(Frame::Map {
        seen,
        key,
        value_line,
        ..
    }) = stack.last_mut()
    {
        if let Some((Some(id), text)) = key.take() {
            if seen.contains(&id) {
                found.push(format!("line {value_line}: key {text} already set in map"));
            } else {
                seen.insert(id);
            }
        }
    }
}

/// A plain scalar key as go-yaml v2 decodes it into an `interface{}` (YAML 1.1 booleans, ints,
/// floats, null), with its identity and Go's `%#v` text.
fn plain_key(text: &str) -> (Option<KeyId>, String) {
    let value = helmet_yaml::from_str_go_types(text)
        .ok()
        .filter(|v| !matches!(v, Value::List(_) | Value::Map(_)))
        .unwrap_or_else(|| Value::from(text));
    let id = match &value {
        Value::Nil => Some(KeyId::Null),
        Value::Bool(b) => Some(KeyId::Bool(*b)),
        Value::Int(i) | Value::Int64(i) => Some(KeyId::Int(*i)),
        Value::Uint64(u) => Some(KeyId::Uint(*u)),
        Value::Float64(f) if f.is_nan() => None,
        // 0.0 and -0.0 are the same Go map key.
        Value::Float64(f) => Some(KeyId::Float((f + 0.0).to_bits())),
        Value::String(s) => Some(KeyId::Str(s.to_string())),
        other => Some(KeyId::Str(helmet_value::fmt::format_value(other))),
    };
    let shown = helmet_value::fmt::sprintf("%#v", &[value]);
    (id, shown)
}

fn quote(s: &str) -> String {
    helmet_value::strconv::quote(s)
}

#[cfg(test)]
mod tests {
    use super::duplicate_keys;

    #[test]
    fn repeated_keys_are_listed_with_their_value_lines() {
        let text = "name: a\napiVersion: v2\napiVersion: v1\n";
        assert_eq!(
            duplicate_keys(text),
            ["line 3: key \"apiVersion\" already set in map"]
        );
        assert!(duplicate_keys("a: 1\nb: 2\n").is_empty());
    }

    #[test]
    fn inner_duplicates_come_before_their_parent_key() {
        let text = "a:\n  x: 1\n  x: 2\na: 3\n";
        assert_eq!(
            duplicate_keys(text),
            [
                "line 3: key \"x\" already set in map",
                "line 4: key \"a\" already set in map"
            ]
        );
    }

    #[test]
    fn keys_compare_as_decoded_values() {
        assert_eq!(
            duplicate_keys("1: a\n0x1: b\n\"1\": c\n"),
            ["line 2: key 1 already set in map"]
        );
        assert_eq!(
            duplicate_keys("yes: a\ntrue: b\n"),
            ["line 2: key true already set in map"]
        );
    }

    #[test]
    fn keys_after_a_merge_collide_with_the_merged_ones() {
        let text = "base: &b\n  x: 1\nm:\n  <<: *b\n  x: 2\n  y: 3\n";
        assert_eq!(
            duplicate_keys(text),
            ["line 5: key \"x\" already set in map"]
        );
    }
}
