//! `pattern` and `patternProperties` of a values schema as Helm's validator reads them: Go
//! regular expressions (RE2 syntax, Go's `regexp`), in every draft.
//!
//! The `jsonschema` crate reads patterns as ECMA-262: it refuses a draft-04/06/07 schema whose
//! pattern uses Go's syntax (`(?i)`, `\z`, `[[:alpha:]]`, `\Q...\E`), and it matches some
//! constructs otherwise (ECMA's `.` skips `\r`, its `\s` has Unicode spaces). So before the
//! crate sees a schema, each pattern is compiled as Go compiles it and written again in a form
//! that ECMA-262 and the crate both read with Go's meaning: every character class spelled out
//! as ranges, every character other than ASCII letters and digits as a `\u{...}` escape, line
//! anchors and word boundaries as look-arounds. A pattern whose meaning that form cannot carry
//! (bytes that are not text) is left as written.

use std::collections::HashMap;

use super::schema::pointer;

use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// The patterns a schema was given to the validator with, and what each was written as.
#[derive(Default)]
pub(crate) struct Originals {
    by_rewrite: HashMap<String, String>,
}

impl Originals {
    /// The pattern as the schema wrote it.
    pub(crate) fn original<'a>(&'a self, pattern: &'a str) -> &'a str {
        self.by_rewrite.get(pattern).map_or(pattern, String::as_str)
    }

    /// Adds the patterns of another document (one a reference loaded).
    pub(crate) fn extend(&mut self, other: Originals) {
        self.by_rewrite.extend(other.by_rewrite);
    }
}

/// A pattern Go cannot compile: where it is (a JSON pointer into the schema), whether it is a
/// `patternProperties` key, the pattern and Go's error text.
pub(crate) struct Refused {
    pub(crate) pointer: String,
    pub(crate) key: bool,
    pub(crate) pattern: String,
    pub(crate) reason: String,
    /// Where the schemas are that hold it, from the root's (`""`) to its own.
    pub(crate) schemas: Vec<String>,
}

/// The schema with its patterns in the validator's form (None when none changed), what each
/// was before, and the patterns Go refuses.
pub(crate) fn rewrite(
    schema: &serde_json::Value,
) -> (Option<serde_json::Value>, Originals, Vec<Refused>) {
    let mut found = Vec::new();
    collect(schema, &mut Vec::new(), &mut Vec::new(), &mut found);
    let mut originals = Originals::default();
    let mut refused = Vec::new();
    if found.is_empty() {
        return (None, originals, refused);
    }
    let mut rewritten = schema.clone();
    let mut changed = false;
    // Deepest first: a key renamed later carries its subschema's rewritten patterns along.
    for (path, key, schemas) in found.into_iter().rev() {
        let pattern = match key {
            true => path.last().cloned().unwrap_or_default(),
            false => match super::schema::schema_at(schema, &path).and_then(|v| v.as_str()) {
                Some(p) => p.to_string(),
                None => continue,
            },
        };
        let re = match helmet_sprig::compile_go_regex(&pattern) {
            Ok(re) => re,
            Err(reason) => {
                refused.push(Refused {
                    pointer: pointer(&path),
                    key,
                    pattern,
                    reason,
                    schemas: schemas.iter().map(|&n| pointer(&path[..n])).collect(),
                });
                continue;
            }
        };
        let Some(mut form) = ecma_form(re.as_str()) else {
            continue;
        };
        if form == pattern {
            continue;
        }
        // Two patterns written alike (or a key that another key of its object already is)
        // are told apart by empty groups, which match nothing more.
        let (parent, last) = path.split_at(path.len() - 1);
        let siblings = super::schema::schema_at(&rewritten, parent).and_then(|p| p.as_object());
        while originals
            .by_rewrite
            .get(&form)
            .is_some_and(|o| *o != pattern)
            || (key && siblings.is_some_and(|s| s.contains_key(&form)))
        {
            form.push_str("(?:)");
        }
        let Some(parent) = rewritten.pointer_mut(&pointer(parent)) else {
            continue;
        };
        let Some(map) = parent.as_object_mut() else {
            continue;
        };
        if key {
            // The key keeps its place among its siblings: the map is ordered by key anyway.
            if let Some(sub) = map.remove(&last[0]) {
                map.insert(form.clone(), sub);
            }
        } else {
            map.insert(last[0].clone(), serde_json::Value::String(form.clone()));
        }
        originals.by_rewrite.insert(form, pattern);
        changed = true;
    }
    (changed.then_some(rewritten), originals, refused)
}

/// Keywords whose value is a schema.
pub(super) const ONE: [&str; 12] = [
    "additionalItems",
    "additionalProperties",
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
    "items",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
];
/// Keywords whose value is a list of schemas.
pub(super) const LIST: [&str; 5] = ["allOf", "anyOf", "oneOf", "items", "prefixItems"];
/// Keywords whose value is a map of schemas.
pub(super) const MAP: [&str; 6] = [
    "properties",
    "patternProperties",
    "definitions",
    "$defs",
    "dependentSchemas",
    "dependencies",
];

/// A pattern found in a schema: the path to a `pattern` (false) or to the schema of a
/// `patternProperties` key (true), and the lengths of the paths of the schemas that hold it.
type Found = (Vec<String>, bool, Vec<usize>);

/// The `pattern`s and `patternProperties` keys of the schema `s` at `path` and of its
/// subschemas, found where the validators look for subschemas; `schemas` holds the path lengths
/// of the schemas around `s`.
fn collect(
    s: &serde_json::Value,
    path: &mut Vec<String>,
    schemas: &mut Vec<usize>,
    out: &mut Vec<Found>,
) {
    let Some(map) = s.as_object() else {
        return;
    };
    // Schemas nest as deep as values do; deeper ones are left to the validator.
    if schemas.len() > 256 {
        return;
    }
    schemas.push(path.len());
    for (keyword, value) in map {
        path.push(keyword.clone());
        match value {
            serde_json::Value::String(_) if keyword == "pattern" => {
                out.push((path.clone(), false, schemas.clone()))
            }
            serde_json::Value::Object(_) if ONE.contains(&keyword.as_str()) => {
                collect(value, path, schemas, out)
            }
            serde_json::Value::Array(items) if LIST.contains(&keyword.as_str()) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(i.to_string());
                    collect(item, path, schemas, out);
                    path.pop();
                }
            }
            serde_json::Value::Object(m) if MAP.contains(&keyword.as_str()) => {
                for (name, sub) in m {
                    path.push(name.clone());
                    if keyword == "patternProperties" {
                        out.push((path.clone(), true, schemas.clone()));
                    }
                    collect(sub, path, schemas, out);
                    path.pop();
                }
            }
            _ => {}
        }
        path.pop();
    }
    schemas.pop();
}

/// A pattern in the `regex` crate's syntax (as compiled for Go's meaning) written with ECMA-262
/// syntax that means the same to the `jsonschema` crate; None when it holds something that
/// form does not carry.
fn ecma_form(rust: &str) -> Option<String> {
    let hir = regex_syntax::Parser::new().parse(rust).ok()?;
    let mut out = String::new();
    write(&hir, &mut out, 0)?;
    // Huge expansions (Unicode classes under `(?i)`) cost the validator more than they help.
    (out.len() <= 64 * 1024).then_some(out)
}

fn write(h: &Hir, out: &mut String, depth: usize) -> Option<()> {
    if depth > 200 {
        return None;
    }
    match h.kind() {
        HirKind::Empty => out.push_str("(?:)"),
        HirKind::Literal(lit) => {
            for c in std::str::from_utf8(&lit.0).ok()?.chars() {
                char_text(c, out);
            }
        }
        HirKind::Class(Class::Unicode(class)) => {
            let ranges = class.ranges();
            if ranges.is_empty() {
                out.push_str("[^\\u{0}-\\u{10ffff}]");
                return Some(());
            }
            out.push('[');
            for r in ranges {
                char_text(r.start(), out);
                if r.end() != r.start() {
                    out.push('-');
                    char_text(r.end(), out);
                }
            }
            out.push(']');
        }
        HirKind::Class(Class::Bytes(_)) => return None,
        HirKind::Look(look) => out.push_str(look_text(*look)?),
        HirKind::Repetition(rep) => {
            out.push_str("(?:");
            write(&rep.sub, out, depth + 1)?;
            out.push(')');
            match (rep.min, rep.max) {
                (0, None) => out.push('*'),
                (1, None) => out.push('+'),
                (0, Some(1)) => out.push('?'),
                (m, None) => out.push_str(&format!("{{{m},}}")),
                (m, Some(n)) if m == n => out.push_str(&format!("{{{m}}}")),
                (m, Some(n)) => out.push_str(&format!("{{{m},{n}}}")),
            }
        }
        HirKind::Capture(cap) => {
            out.push_str("(?:");
            write(&cap.sub, out, depth + 1)?;
            out.push(')');
        }
        HirKind::Concat(items) => {
            for item in items {
                write(item, out, depth + 1)?;
            }
        }
        HirKind::Alternation(items) => {
            out.push_str("(?:");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push('|');
                }
                write(item, out, depth + 1)?;
            }
            out.push(')');
        }
    }
    Some(())
}

/// An assertion in ECMA-262 syntax, which has no inline flags: Go's line anchors and its ASCII
/// word boundaries as look-arounds. (ECMA's `^` and `$` without the `m` flag are Go's.)
fn look_text(look: Look) -> Option<&'static str> {
    Some(match look {
        Look::Start => "^",
        Look::End => "$",
        Look::StartLF => "(?:^|(?<=\\u{a}))",
        Look::EndLF => "(?:$|(?=\\u{a}))",
        Look::WordAscii => {
            "(?:(?<=[0-9A-Z_a-z])(?![0-9A-Z_a-z])|(?<![0-9A-Z_a-z])(?=[0-9A-Z_a-z]))"
        }
        Look::WordAsciiNegate => {
            "(?:(?<=[0-9A-Z_a-z])(?=[0-9A-Z_a-z])|(?<![0-9A-Z_a-z])(?![0-9A-Z_a-z]))"
        }
        _ => return None,
    })
}

/// A character as ECMA-262 (with the `u` flag) and the `regex` crate both read it, inside a
/// class or out: ASCII letters and digits as they are, others escaped by code point.
fn char_text(c: char, out: &mut String) {
    if c.is_ascii_alphanumeric() {
        out.push(c);
    } else {
        out.push_str(&format!("\\u{{{:x}}}", c as u32));
    }
}

#[cfg(test)]
mod tests {
    use super::ecma_form;

    #[test]
    fn go_meanings_are_spelled_out() {
        let form = |p: &str| ecma_form(helmet_sprig::compile_go_regex(p).unwrap().as_str());
        assert_eq!(form("^ab$").unwrap(), "^ab$");
        // Go's `.` skips only `\n`; `\d` is ASCII.
        assert_eq!(
            form("a.\\d").unwrap(),
            "a[\\u{0}-\\u{9}\\u{b}-\\u{10ffff}][0-9]"
        );
        assert_eq!(form("(?i)k").unwrap(), "[Kk\\u{212a}]");
        // Line anchors and word boundaries become look-arounds.
        assert_eq!(form("(?m)^a").unwrap(), "(?:^|(?<=\\u{a}))a");
        assert_eq!(
            form("\\b").unwrap(),
            "(?:(?<=[0-9A-Z_a-z])(?![0-9A-Z_a-z])|(?<![0-9A-Z_a-z])(?=[0-9A-Z_a-z]))"
        );
    }
}
