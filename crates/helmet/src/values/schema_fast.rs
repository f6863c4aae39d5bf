//! A quick "valid schema, valid values" check for `values.schema.json` files that use only
//! common keywords, so that the common case skips the `jsonschema` crate (whose compile step
//! builds and runs the draft's meta-schema validator, most of a render's time for small charts).
//!
//! The check answers `true` only when it is sure that Helm's validator (santhosh-tekuri's
//! jsonschema v6, as Helm v4 configures it) would accept both the schema and the values.
//! Anything else (a keyword it does not model, a keyword value of an unusual shape, a number it
//! cannot compare exactly, a failing value) answers `false`, and the caller runs the full
//! validator, which also builds Helm's error texts. So every rule here may be stricter than
//! Helm's, never looser:
//! - the draft comes from the root `$schema` (one of the six URLs Helm's validator knows
//!   without loading anything; no `$schema` means 2020-12);
//! - each keyword's value must have a shape that every draft's meta-schema accepts (for
//!   example `required` a non-empty array of distinct strings, `minLength` an integer
//!   literal >= 0, `type` a type name or a non-empty array of distinct ones);
//! - keywords that some draft knows but this module does not model (`allOf`, `if`, `format`
//!   where it asserts, `patternProperties`, `$id`, ...) give up; words no draft knows are
//!   ignored, as Helm's validator ignores them;
//! - `$ref` is followed only to `#`, `#/$defs/NAME` and `#/definitions/NAME` of the root;
//!   before 2019-09 its siblings are ignored as the validator ignores them (all but `const`,
//!   which Helm's validator still applies in drafts 6 and 7);
//! - numbers compare as Go's validator compares them (exact decimals: the schema's literal
//!   against the shortest decimal of a float value); comparisons this module cannot settle
//!   exactly give up;
//! - `pattern`s are Go regular expressions (RE2 syntax): a small parser accepts a subset that
//!   Go certainly accepts (literals, `.`, classes, groups, alternation, repetition, `^`, `$`,
//!   ASCII `\d\w\s\b`), and a matcher of its own decides matches; anything else gives up.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use helmet_value::{Map, Value};

type Json = serde_json::Value;
use super::schema_doc::Doc;

/// Whether the schema text `schema` is certainly valid and `values` certainly pass it.
pub fn accepts(values: &Value, schema: &[u8]) -> bool {
    match cached(schema) {
        Some(compiled) => compiled.accepts(compiled.root, values, 0),
        None => false,
    }
}

type FastCache = Vec<(Box<[u8]>, Option<Arc<FastSchema>>)>;
/// Checked schemas by their text (also the ones this module cannot judge), as the full
/// validator's cache keeps its compiled schemas.
static CHECKED: Mutex<FastCache> = Mutex::new(Vec::new());

/// Forgets every checked schema (see [`crate::clear_process_caches`]).
pub(crate) fn clear() {
    CHECKED.lock().unwrap_or_else(|e| e.into_inner()).clear();
}

fn cached(schema: &[u8]) -> Option<Arc<FastSchema>> {
    // Kept like every other process cache: off with them, emptied with them (a cold load
    // compiles its schema, as a new process does).
    let keep = crate::process_caches();
    if let (true, Ok(cache)) = (keep, CHECKED.lock()) {
        if let Some((_, v)) = cache.iter().find(|(t, _)| **t == *schema) {
            return v.clone();
        }
    }
    let compiled = FastSchema::compile(schema).map(Arc::new);
    if let (true, Ok(mut cache)) = (keep, CHECKED.lock()) {
        if cache.len() >= 64 {
            cache.remove(0);
        }
        cache.push((schema.into(), compiled.clone()));
    }
    compiled
}

/// JSON Schema drafts, by the year or number of their meta-schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Draft {
    D4,
    D6,
    D7,
    D2019,
    D2020,
}

/// Whether Helm's validator asserts `format` in a schema: in drafts before 2019-09, named by the
/// root `$schema` (a schema without one is draft 2020-12, where `format` is an annotation).
pub(super) fn asserts_formats(root: &Json) -> bool {
    match root.as_object().and_then(|m| m.get("$schema")) {
        Some(Json::String(url)) => draft_from_url(url).is_some_and(|d| d < Draft::D2019),
        _ => false,
    }
}

/// A root `$schema` that names a draft with a fragment (`...draft-07/schema#/`), which Helm's
/// validator drops: the draft's URL as the `jsonschema` crate knows it.
pub(super) fn draft_url_without_fragment(url: &str) -> Option<String> {
    let (base, fragment) = url.split_once('#')?;
    if fragment.is_empty() {
        return None;
    }
    draft_from_url(base)?;
    Some(format!("{base}#"))
}

/// Whether `url` names a draft Helm's validator knows without loading it.
pub(super) fn names_draft(url: &str) -> bool {
    draft_from_url(url).is_some()
}

/// The meta-schema Helm's validator checks a schema against, as its messages name it.
pub(super) fn meta_schema_url(root: &Json) -> &'static str {
    let draft = match root.as_object().and_then(|m| m.get("$schema")) {
        Some(Json::String(url)) => draft_from_url(url),
        _ => None,
    };
    match draft {
        Some(Draft::D4) => "http://json-schema.org/draft-04/schema#",
        Some(Draft::D6) => "http://json-schema.org/draft-06/schema#",
        Some(Draft::D7) => "http://json-schema.org/draft-07/schema#",
        Some(Draft::D2019) => "https://json-schema.org/draft/2019-09/schema#",
        _ => "https://json-schema.org/draft/2020-12/schema#",
    }
}

/// The draft named by a root `$schema`, as Helm's validator recognises it without loading a
/// meta-schema: `http` or `https`, one of the known paths, no fragment beyond an empty `#`.
pub(super) fn draft_from_url(url: &str) -> Option<Draft> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let path = rest.strip_suffix('#').unwrap_or(rest);
    match path {
        "json-schema.org/schema" | "json-schema.org/draft/2020-12/schema" => Some(Draft::D2020),
        "json-schema.org/draft/2019-09/schema" => Some(Draft::D2019),
        "json-schema.org/draft-07/schema" => Some(Draft::D7),
        "json-schema.org/draft-06/schema" => Some(Draft::D6),
        "json-schema.org/draft-04/schema" => Some(Draft::D4),
        _ => None,
    }
}

/// Keywords of some draft (or of Helm's validator) that this module does not model: a schema
/// using one is left to the full validator.
const UNMODELLED: &[&str] = &[
    "$id",
    "id",
    "$anchor",
    "$dynamicAnchor",
    "$dynamicRef",
    "$recursiveAnchor",
    "$recursiveRef",
    "$vocabulary",
    "multipleOf",
    "additionalItems",
    "prefixItems",
    "contains",
    "maxContains",
    "minContains",
    "dependentRequired",
    "dependentSchemas",
    "dependencies",
    "patternProperties",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
    "if",
    "then",
    "else",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
];

/// The JSON types of `type`, as bits.
const T_NULL: u8 = 1;
const T_BOOLEAN: u8 = 2;
const T_NUMBER: u8 = 4;
const T_INTEGER: u8 = 8;
const T_STRING: u8 = 16;
const T_ARRAY: u8 = 32;
const T_OBJECT: u8 = 64;

fn type_bit(name: &str) -> Option<u8> {
    Some(match name {
        "null" => T_NULL,
        "boolean" => T_BOOLEAN,
        "number" => T_NUMBER,
        "integer" => T_INTEGER,
        "string" => T_STRING,
        "array" => T_ARRAY,
        "object" => T_OBJECT,
        _ => return None,
    })
}

/// Where a `$ref` points: a JSON pointer into the schema document (empty for the root), of
/// segments that need no `~` or percent decoding.
fn parse_ref(text: &str) -> Option<String> {
    let pointer = text.strip_prefix('#')?;
    let plain = pointer.is_empty()
        || (pointer.starts_with('/')
            && pointer[1..].split('/').all(|seg| {
                !seg.is_empty()
                    && seg.bytes().all(|b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'$')
                    })
            }));
    plain.then(|| pointer.to_string())
}

/// A root `$id` that every draft's meta-schema accepts and that names no fragment: `http(s)://`,
/// a host, a path of plain characters.
fn plain_id(id: &str) -> bool {
    let Some(rest) = id
        .strip_prefix("https://")
        .or_else(|| id.strip_prefix("http://"))
    else {
        return false;
    };
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'))
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~' | b'/'))
}

/// `additionalProperties`.
#[derive(Default)]
enum Additional {
    #[default]
    Allowed,
    Forbidden,
    Schema(usize),
}

/// One numeric bound: the kind and the schema's number.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bound {
    Minimum,
    Maximum,
    ExclusiveMinimum,
    ExclusiveMaximum,
}

/// An object schema with the keywords this module models.
#[derive(Default)]
struct ObjectSchema {
    reference: Option<usize>,
    types: Option<u8>,
    properties: Vec<(String, usize)>,
    required: Vec<String>,
    additional: Additional,
    items: Option<usize>,
    enumeration: Option<Vec<Json>>,
    constant: Option<Json>,
    bounds: Vec<(Bound, serde_json::Number)>,
    min_length: Option<u64>,
    max_length: Option<u64>,
    pattern: Option<Regex>,
    min_items: Option<u64>,
    max_items: Option<u64>,
    unique_items: bool,
    min_properties: Option<u64>,
    max_properties: Option<u64>,
}

enum Node {
    Bool(bool),
    Object(Box<ObjectSchema>),
}

/// A schema this module can judge, as a table of subschemas.
struct FastSchema {
    nodes: Vec<Node>,
    root: usize,
}

/// Deepest schema or value nesting followed; deeper ones are left to the full validator.
const MAX_DEPTH: usize = 200;

struct Compiler {
    draft: Draft,
    nodes: Vec<Node>,
    /// Subschemas with a `$ref` waiting for their target (a JSON pointer).
    pending: Vec<(usize, String)>,
    /// The root's `$defs` and `definitions`.
    defs: HashMap<String, usize>,
}

impl FastSchema {
    /// The schema text checked and prepared, or None when this module cannot judge it.
    fn compile(text: &[u8]) -> Option<FastSchema> {
        // As the full validator reads it: invalid UTF-8 becomes U+FFFD.
        let lossy;
        let text = match std::str::from_utf8(text) {
            Ok(text) => text,
            Err(_) => {
                lossy = String::from_utf8_lossy(text).into_owned();
                &lossy
            }
        };
        let root = super::schema_doc::parse(text)?;
        let draft = match root.as_object().and_then(|m| m.get("$schema")) {
            None => Draft::D2020,
            Some(Doc::String(url)) => draft_from_url(url)?,
            Some(_) => return None,
        };
        let mut c = Compiler {
            draft,
            nodes: Vec::new(),
            pending: Vec::new(),
            defs: HashMap::new(),
        };
        let root_index = c.schema(&root, 0, true)?;
        // A reference may point anywhere in the document (Helm's validator checks the target
        // against the meta-schema when it follows it): targets are compiled on first use.
        while let Some((node, pointer)) = c.pending.pop() {
            let to = if pointer.is_empty() {
                root_index
            } else if let Some(&known) = c.defs.get(&pointer) {
                known
            } else {
                let target = c.schema(root.pointer(&pointer)?, 1, false)?;
                c.defs.insert(pointer, target);
                target
            };
            if let Node::Object(o) = &mut c.nodes[node] {
                o.reference = Some(to);
            }
        }
        let schema = FastSchema {
            nodes: c.nodes,
            root: root_index,
        };
        // A chain of references that comes back to where it started never reaches a keyword
        // that consumes the value: Helm reports a cycle.
        for start in 0..schema.nodes.len() {
            let mut at = start;
            let mut steps = 0;
            while let Node::Object(o) = &schema.nodes[at] {
                let Some(next) = o.reference else { break };
                at = next;
                steps += 1;
                if steps > schema.nodes.len() {
                    return None;
                }
            }
        }
        Some(schema)
    }

    /// Whether `v` certainly passes subschema `node`.
    fn accepts(&self, node: usize, v: &Value, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        let o = match &self.nodes[node] {
            Node::Bool(b) => return *b,
            Node::Object(o) => o,
        };
        if let Value::Object(obj) = v {
            return self.accepts(node, &obj.to_data(), depth + 1);
        }
        if let Some(r) = o.reference {
            if !self.accepts(r, v, depth + 1) {
                return false;
            }
        }
        let Some(view) = View::of(v) else {
            return false;
        };
        if let Some(types) = o.types {
            let bit = match &view {
                View::Null => T_NULL,
                View::Bool(_) => T_BOOLEAN,
                View::Num(_) => T_NUMBER,
                View::Str(_) => T_STRING,
                View::List(_) => T_ARRAY,
                View::Map(_) => T_OBJECT,
            };
            let matched = types & bit != 0
                || (types & T_INTEGER != 0
                    && match &view {
                        View::Num(n) => match n.is_integer() {
                            Some(b) => b,
                            None => return false,
                        },
                        _ => false,
                    });
            if !matched {
                return false;
            }
        }
        if let Some(c) = &o.constant {
            if eq_value(v, c, 0) != Some(true) {
                return false;
            }
        }
        if let Some(options) = &o.enumeration {
            if !options.iter().any(|opt| eq_value(v, opt, 0) == Some(true)) {
                return false;
            }
        }
        match &view {
            View::Num(n) => {
                for (bound, limit) in &o.bounds {
                    let ok = match (bound, num_cmp(*n, limit)) {
                        (_, None) => false,
                        (Bound::Minimum, Some(ord)) => ord != Ordering::Less,
                        (Bound::Maximum, Some(ord)) => ord != Ordering::Greater,
                        (Bound::ExclusiveMinimum, Some(ord)) => ord == Ordering::Greater,
                        (Bound::ExclusiveMaximum, Some(ord)) => ord == Ordering::Less,
                    };
                    if !ok {
                        return false;
                    }
                }
            }
            View::Str(s) => {
                if o.min_length.is_some() || o.max_length.is_some() {
                    // Go counts code points.
                    let len = s.chars().count() as u64;
                    if o.min_length.is_some_and(|m| len < m)
                        || o.max_length.is_some_and(|m| len > m)
                    {
                        return false;
                    }
                }
                if let Some(re) = &o.pattern {
                    if re.is_match(s) != Some(true) {
                        return false;
                    }
                }
            }
            View::List(items) => {
                let len = items.len() as u64;
                if o.min_items.is_some_and(|m| len < m) || o.max_items.is_some_and(|m| len > m) {
                    return false;
                }
                if o.unique_items && !all_distinct(items) {
                    return false;
                }
                if let Some(item_schema) = o.items {
                    if !items
                        .iter()
                        .all(|item| self.accepts(item_schema, item, depth + 1))
                    {
                        return false;
                    }
                }
            }
            View::Map(map) => {
                let len = map.len() as u64;
                if o.min_properties.is_some_and(|m| len < m)
                    || o.max_properties.is_some_and(|m| len > m)
                {
                    return false;
                }
                if !o.required.iter().all(|name| map.contains_key(name)) {
                    return false;
                }
                for (key, value) in map.iter() {
                    let declared = o
                        .properties
                        .binary_search_by(|(name, _)| name.as_str().cmp(key))
                        .ok()
                        .map(|i| o.properties[i].1);
                    let ok = match (declared, &o.additional) {
                        (Some(sub), _) | (None, &Additional::Schema(sub)) => {
                            self.accepts(sub, value, depth + 1)
                        }
                        (None, Additional::Allowed) => true,
                        (None, Additional::Forbidden) => false,
                    };
                    if !ok {
                        return false;
                    }
                }
            }
            View::Null | View::Bool(_) => {}
        }
        true
    }
}

impl Compiler {
    /// Checks the schema `s` and adds it to the table; None when this module cannot judge it.
    fn schema(&mut self, s: &Doc<'_>, depth: usize, is_root: bool) -> Option<usize> {
        if depth > MAX_DEPTH {
            return None;
        }
        let index = self.nodes.len();
        self.nodes.push(Node::Bool(true));
        let map = match s {
            // Draft 4 has no boolean schemas.
            Doc::Bool(b) if self.draft > Draft::D4 => {
                self.nodes[index] = Node::Bool(*b);
                return Some(index);
            }
            Doc::Object(m) => m,
            _ => return None,
        };
        let draft = self.draft;
        let mut o = ObjectSchema::default();
        let mut reference = None;
        // Draft 4's boolean exclusive bounds.
        let mut exclusive_minimum = false;
        let mut exclusive_maximum = false;
        let count = |v: &Doc<'_>| v.as_u64().filter(|n| *n <= u32::MAX as u64);
        for (key, value) in map.iter() {
            match key {
                // Checked by the caller at the root; elsewhere Helm's validator may switch
                // drafts.
                "$schema" if is_root => {}
                // The root's own URL: `#...` references still point into this document.
                "$id" if is_root && value.as_str().is_some_and(plain_id) => {}
                "type" => {
                    o.types = Some(match value {
                        Doc::String(name) => type_bit(name)?,
                        Doc::Array(names) if !names.is_empty() => {
                            let mut bits = 0;
                            for name in names {
                                let bit = type_bit(name.as_str()?)?;
                                if bits & bit != 0 {
                                    return None;
                                }
                                bits |= bit;
                            }
                            bits
                        }
                        _ => return None,
                    })
                }
                "properties" => {
                    for (name, sub) in value.as_object()?.iter() {
                        let sub = self.schema(sub, depth + 1, false)?;
                        o.properties.push((name.to_string(), sub));
                    }
                    o.properties.sort_by(|a, b| a.0.cmp(&b.0));
                }
                "required" => {
                    let names = value.as_array()?;
                    if draft == Draft::D4 && names.is_empty() {
                        return None;
                    }
                    for name in names {
                        let name = name.as_str()?;
                        if o.required.iter().any(|n| n == name) {
                            return None;
                        }
                        o.required.push(name.to_string());
                    }
                }
                "additionalProperties" => {
                    o.additional = match value {
                        Doc::Bool(true) => Additional::Allowed,
                        Doc::Bool(false) => Additional::Forbidden,
                        Doc::Object(_) => {
                            Additional::Schema(self.schema(value, depth + 1, false)?)
                        }
                        _ => return None,
                    }
                }
                // The array form (tuples) is left to the full validator.
                "items" if !value.is_array() => {
                    o.items = Some(self.schema(value, depth + 1, false)?)
                }
                "enum" => {
                    let options = value.as_array()?;
                    // Every draft accepts a non-empty list of distinct values.
                    if options.is_empty() || options.len() > 1000 {
                        return None;
                    }
                    let options: Vec<Json> = options.iter().map(Doc::to_serde).collect();
                    for (i, a) in options.iter().enumerate() {
                        for b in &options[..i] {
                            if eq_json(a, b, 0) != Some(false) {
                                return None;
                            }
                        }
                    }
                    o.enumeration = Some(options);
                }
                "const" if draft > Draft::D4 => o.constant = Some(value.to_serde()),
                "minimum" => o.bounds.push((Bound::Minimum, number(value)?)),
                "maximum" => o.bounds.push((Bound::Maximum, number(value)?)),
                "exclusiveMinimum" if draft == Draft::D4 => exclusive_minimum = value.as_bool()?,
                "exclusiveMaximum" if draft == Draft::D4 => exclusive_maximum = value.as_bool()?,
                "exclusiveMinimum" => o.bounds.push((Bound::ExclusiveMinimum, number(value)?)),
                "exclusiveMaximum" => o.bounds.push((Bound::ExclusiveMaximum, number(value)?)),
                "minLength" => o.min_length = Some(count(value)?),
                "maxLength" => o.max_length = Some(count(value)?),
                "minItems" => o.min_items = Some(count(value)?),
                "maxItems" => o.max_items = Some(count(value)?),
                "minProperties" => o.min_properties = Some(count(value)?),
                "maxProperties" => o.max_properties = Some(count(value)?),
                "uniqueItems" => o.unique_items = value.as_bool()?,
                "pattern" => o.pattern = Some(Regex::parse(value.as_str()?)?),
                "$ref" => reference = Some(parse_ref(value.as_str()?)?),
                "$defs" | "definitions" => {
                    for (name, sub) in value.as_object()?.iter() {
                        let sub = self.schema(sub, depth + 1, false)?;
                        if is_root {
                            self.defs.insert(format!("/{key}/{name}"), sub);
                        }
                    }
                }
                "title" | "description" | "$comment" => {
                    value.as_str()?;
                }
                "readOnly" | "writeOnly" | "deprecated" => {
                    value.as_bool()?;
                }
                "examples" => {
                    value.as_array()?;
                }
                "default" => {}
                // An annotation from 2019-09 on; earlier drafts assert formats.
                "format" if draft >= Draft::D2019 => {
                    value.as_str()?;
                }
                // Helm's validator does not assert content.
                "contentEncoding" | "contentMediaType" => {
                    value.as_str()?;
                }
                other => {
                    if other.starts_with('$')
                        || UNMODELLED.contains(&other)
                        || matches!(
                            other,
                            "const" | "format" | "items" | "exclusiveMinimum" | "exclusiveMaximum"
                        )
                    {
                        return None;
                    }
                    // A word no draft knows: Helm's validator ignores it.
                }
            }
        }
        if draft == Draft::D4 {
            // Draft 4's meta-schema: a boolean exclusive bound needs its bound.
            for (flag, plain, exclusive) in [
                (exclusive_minimum, Bound::Minimum, Bound::ExclusiveMinimum),
                (exclusive_maximum, Bound::Maximum, Bound::ExclusiveMaximum),
            ] {
                let has = |k: &str| map.contains_key(k);
                let (bound_key, flag_key) = match plain {
                    Bound::Minimum => ("minimum", "exclusiveMinimum"),
                    _ => ("maximum", "exclusiveMaximum"),
                };
                if has(flag_key) && !has(bound_key) {
                    return None;
                }
                if flag {
                    for b in &mut o.bounds {
                        if b.0 == plain {
                            b.0 = exclusive;
                        }
                    }
                }
            }
        }
        if let Some(target) = reference {
            if draft < Draft::D2019 {
                // Before 2019-09 a `$ref` replaces its siblings (they are still checked
                // against the meta-schema above); Helm's validator only skips those of draft 4
                // though, and still applies `const` (draft 6 on) beside a `$ref`.
                o = ObjectSchema {
                    constant: o.constant.take(),
                    ..ObjectSchema::default()
                };
            }
            self.pending.push((index, target));
        }
        self.nodes[index] = Node::Object(Box::new(o));
        Some(index)
    }
}

/// A JSON number of the schema.
fn number(v: &Doc<'_>) -> Option<serde_json::Number> {
    match v {
        Doc::Number(n) => Some(n.clone()),
        _ => None,
    }
}

/// A value as the validator sees it (the shape `to_json` gives it).
enum View<'a> {
    Null,
    Bool(bool),
    Num(Num),
    Str(std::borrow::Cow<'a, str>),
    List(&'a [Value]),
    Map(Arc<Map>),
}

impl<'a> View<'a> {
    /// None for values without an exact JSON meaning here (non-finite floats, complex numbers).
    fn of(v: &'a Value) -> Option<View<'a>> {
        Some(match v {
            Value::Nil => View::Null,
            Value::Bool(b) => View::Bool(*b),
            Value::Int(i) | Value::Int64(i) => View::Num(Num::Int(*i as i128)),
            Value::Uint64(u) => View::Num(Num::Int(*u as i128)),
            Value::Uint8(u) => View::Num(Num::Int(*u as i128)),
            Value::Float64(f) if f.is_finite() => View::Num(Num::Float(*f)),
            Value::Float64(_) | Value::Complex128(..) | Value::Object(_) => return None,
            Value::String(s) => View::Str(std::borrow::Cow::Borrowed(s)),
            Value::ByteString(b) => View::Str(std::borrow::Cow::Owned(
                helmet_value::gostring::to_text_lossy(b),
            )),
            Value::Bytes(b) => View::Str(String::from_utf8_lossy(b)),
            Value::List(l) => View::List(&l.items),
            Value::Map(m) => View::Map(m.entries()),
        })
    }
}

/// A number of the values: Go compares the shortest decimal of a float.
#[derive(Clone, Copy)]
enum Num {
    Int(i128),
    Float(f64),
}

/// 2^53: below it every integer is a float and a float's shortest decimal is exact when whole.
const EXACT: f64 = 9_007_199_254_740_992.0;

impl Num {
    fn is_integer(self) -> Option<bool> {
        match self {
            Num::Int(_) => Some(true),
            Num::Float(f) if f.abs() < EXACT => Some(f.fract() == 0.0),
            Num::Float(_) => None,
        }
    }
}

fn json_int(n: &serde_json::Number) -> Option<i128> {
    n.as_i64()
        .map(i128::from)
        .or_else(|| n.as_u64().map(i128::from))
}

/// Two floats that approximate two decimals: their order, when the approximations are far
/// enough apart that the decimals must be in the same order (serde_json's parsing may be off
/// by an ulp).
fn apart(a: f64, b: f64) -> Option<Ordering> {
    let scale = a.abs().max(b.abs());
    if (a - b).abs() > scale * 1e-14 {
        a.partial_cmp(&b)
    } else {
        None
    }
}

/// The order of a value's number and a schema number, when it is certain.
fn num_cmp(v: Num, limit: &serde_json::Number) -> Option<Ordering> {
    let exact = EXACT as i128;
    match (v, json_int(limit)) {
        (Num::Int(i), Some(n)) => Some(i.cmp(&n)),
        (Num::Float(f), Some(n)) if f.abs() < EXACT && n.abs() <= exact => {
            f.partial_cmp(&(n as f64))
        }
        _ => {
            let vf = match v {
                Num::Int(i) if i.abs() <= exact => i as f64,
                Num::Int(_) => return None,
                Num::Float(f) => f,
            };
            apart(vf, limit.as_f64()?)
        }
    }
}

/// Go's equality of two schema values (numbers as exact decimals), when certain.
fn eq_json(a: &Json, b: &Json, depth: usize) -> Option<bool> {
    if depth > MAX_DEPTH {
        return None;
    }
    match (a, b) {
        (Json::Null, Json::Null) => Some(true),
        (Json::Bool(x), Json::Bool(y)) => Some(x == y),
        (Json::String(x), Json::String(y)) => Some(x == y),
        (Json::Number(x), Json::Number(y)) => match (json_int(x), json_int(y)) {
            (Some(i), Some(j)) => Some(i == j),
            _ => apart(x.as_f64()?, y.as_f64()?).map(|_| false),
        },
        (Json::Array(x), Json::Array(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            all_equal(x.iter().zip(y).map(|(p, q)| eq_json(p, q, depth + 1)))
        }
        (Json::Object(x), Json::Object(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            all_equal(x.iter().map(|(k, p)| match y.get(k) {
                Some(q) => eq_json(p, q, depth + 1),
                None => Some(false),
            }))
        }
        _ => Some(false),
    }
}

/// Go's equality of a value and a schema value, when certain.
fn eq_value(v: &Value, j: &Json, depth: usize) -> Option<bool> {
    if depth > MAX_DEPTH {
        return None;
    }
    if let Value::Object(o) = v {
        return eq_value(&o.to_data(), j, depth + 1);
    }
    Some(match (View::of(v)?, j) {
        (View::Null, Json::Null) => true,
        (View::Bool(x), Json::Bool(y)) => x == *y,
        (View::Str(x), Json::String(y)) => *x == **y,
        (View::Num(x), Json::Number(y)) => num_cmp(x, y)? == Ordering::Equal,
        (View::List(x), Json::Array(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            return all_equal(x.iter().zip(y).map(|(p, q)| eq_value(p, q, depth + 1)));
        }
        (View::Map(x), Json::Object(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            return all_equal(x.iter().map(|(k, p)| match y.get(k) {
                Some(q) => eq_value(p, q, depth + 1),
                None => Some(false),
            }));
        }
        _ => false,
    })
}

/// Element-wise results combined: one certain difference decides.
fn all_equal(results: impl Iterator<Item = Option<bool>>) -> Option<bool> {
    let mut unsure = false;
    for r in results {
        match r {
            Some(false) => return Some(false),
            None => unsure = true,
            Some(true) => {}
        }
    }
    if unsure {
        None
    } else {
        Some(true)
    }
}

/// Whether the items are certainly pairwise different (`uniqueItems`).
fn all_distinct(items: &[Value]) -> bool {
    if items.len() > 1000 {
        return false;
    }
    let Some(as_json): Option<Vec<Json>> = items.iter().map(exact_json).collect() else {
        return false;
    };
    for (i, a) in items.iter().enumerate() {
        for b in &as_json[..i] {
            if eq_value(a, b, 0) != Some(false) {
                return false;
            }
        }
    }
    true
}

/// The value as JSON data, when it has an exact JSON meaning.
fn exact_json(v: &Value) -> Option<Json> {
    Some(match v {
        Value::Float64(f) if !f.is_finite() => return None,
        Value::Complex128(..) => return None,
        Value::List(l) => Json::Array(l.items.iter().map(exact_json).collect::<Option<_>>()?),
        Value::Map(m) => Json::Object(
            m.entries()
                .iter()
                .map(|(k, v)| Some((k.clone(), exact_json(v)?)))
                .collect::<Option<_>>()?,
        ),
        Value::Object(o) => exact_json(&o.to_data())?,
        other => super::schema::to_json(other),
    })
}

// ---- Go regular expressions (a subset) ----

/// A parsed pattern, ready to match.
struct Regex {
    program: Vec<Inst>,
}

/// The parse tree of a pattern.
enum Re {
    Empty,
    Set(CharSet),
    Cat(Vec<Re>),
    Alt(Vec<Re>),
    Repeat(Box<Re>, u32, Option<u32>),
    Assert(Assertion),
}

#[derive(Clone, Copy)]
enum Assertion {
    BeginText,
    EndText,
    WordBoundary,
    NotWordBoundary,
}

/// A set of characters: ranges, possibly negated.
#[derive(Clone)]
struct CharSet {
    ranges: Vec<(char, char)>,
    negated: bool,
}

impl CharSet {
    fn one(c: char) -> CharSet {
        CharSet {
            ranges: vec![(c, c)],
            negated: false,
        }
    }

    fn contains(&self, c: char) -> bool {
        self.ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != self.negated
    }
}

const DIGITS: &[(char, char)] = &[('0', '9')];
const WORD: &[(char, char)] = &[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')];
/// Go's `\s`: no vertical tab.
const SPACE: &[(char, char)] = &[('\t', '\n'), ('\x0c', '\r'), (' ', ' ')];

/// The ranges of Go's Perl classes `\d`, `\w`, `\s` (ASCII only), by letter.
fn perl_class(letter: char) -> Option<(&'static [(char, char)], bool)> {
    Some(match letter {
        'd' => (DIGITS, false),
        'D' => (DIGITS, true),
        'w' => (WORD, false),
        'W' => (WORD, true),
        's' => (SPACE, false),
        'S' => (SPACE, true),
        _ => return None,
    })
}

/// The ranges of a POSIX class name (`[:alpha:]`), ASCII as in Go.
fn posix_class(name: &str) -> Option<&'static [(char, char)]> {
    Some(match name {
        "alnum" => &[('0', '9'), ('A', 'Z'), ('a', 'z')],
        "alpha" => &[('A', 'Z'), ('a', 'z')],
        "ascii" => &[('\0', '\x7f')],
        "blank" => &[('\t', '\t'), (' ', ' ')],
        "cntrl" => &[('\0', '\x1f'), ('\x7f', '\x7f')],
        "digit" => DIGITS,
        "graph" => &[('!', '~')],
        "lower" => &[('a', 'z')],
        "print" => &[(' ', '~')],
        "punct" => &[('!', '/'), (':', '@'), ('[', '`'), ('{', '~')],
        "space" => &[('\t', '\r'), (' ', ' ')],
        "upper" => &[('A', 'Z')],
        "word" => WORD,
        "xdigit" => &[('0', '9'), ('A', 'F'), ('a', 'f')],
        _ => return None,
    })
}

/// Longest pattern parsed here.
const MAX_PATTERN: usize = 4096;
/// Largest program built from a pattern; larger ones are left to the full validator.
const MAX_PROGRAM: usize = 20_000;
/// Largest `visited` table of one match (program length × text length).
const MAX_VISITED: usize = 1 << 24;

struct Parser<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
}

impl Regex {
    /// The pattern parsed, or None when it uses syntax outside the subset.
    fn parse(pattern: &str) -> Option<Regex> {
        // Long patterns are rare; the parser looks ahead per group, so its time grows with the
        // square of the length.
        if pattern.len() > MAX_PATTERN {
            return None;
        }
        let mut p = Parser {
            chars: pattern.chars().peekable(),
        };
        let re = p.alternation(0, 1000)?;
        if p.chars.next().is_some() {
            // An unmatched `)`.
            return None;
        }
        let mut program = Vec::new();
        emit(&re, &mut program)?;
        program.push(Inst::Match);
        Some(Regex { program })
    }

    /// Whether the pattern matches somewhere in `text` (Go's `MatchString`); None when the
    /// match would take too much memory.
    fn is_match(&self, text: &str) -> Option<bool> {
        let chars: Vec<char> = text.chars().collect();
        let n = chars.len();
        let width = n + 1;
        let cells = self.program.len().checked_mul(width)?;
        if cells > MAX_VISITED {
            return None;
        }
        // Each (instruction, position) is explored once over all start positions: a state that
        // failed from one start fails from any other.
        let mut visited = vec![0u64; cells.div_ceil(64)];
        let mut stack: Vec<(usize, usize)> = Vec::new();
        for start in 0..=n {
            stack.push((0, start));
            while let Some((pc, pos)) = stack.pop() {
                let cell = pc * width + pos;
                if visited[cell / 64] & (1 << (cell % 64)) != 0 {
                    continue;
                }
                visited[cell / 64] |= 1 << (cell % 64);
                match &self.program[pc] {
                    Inst::Match => return Some(true),
                    Inst::Set(set) => {
                        if pos < n && set.contains(chars[pos]) {
                            stack.push((pc + 1, pos + 1));
                        }
                    }
                    Inst::Split(a, b) => {
                        stack.push((*b, pos));
                        stack.push((*a, pos));
                    }
                    Inst::Jump(a) => stack.push((*a, pos)),
                    Inst::Assert(kind) => {
                        let word = |i: usize| {
                            chars
                                .get(i)
                                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
                        };
                        let boundary = || word(pos) != (pos > 0 && word(pos - 1));
                        let ok = match kind {
                            Assertion::BeginText => pos == 0,
                            Assertion::EndText => pos == n,
                            Assertion::WordBoundary => boundary(),
                            Assertion::NotWordBoundary => !boundary(),
                        };
                        if ok {
                            stack.push((pc + 1, pos));
                        }
                    }
                }
            }
        }
        Some(false)
    }
}

enum Inst {
    Set(CharSet),
    Split(usize, usize),
    Jump(usize),
    Assert(Assertion),
    Match,
}

/// Appends the instructions of `re`; None when the program grows too large.
fn emit(re: &Re, prog: &mut Vec<Inst>) -> Option<()> {
    if prog.len() > MAX_PROGRAM {
        return None;
    }
    match re {
        Re::Empty => {}
        Re::Set(s) => prog.push(Inst::Set(s.clone())),
        Re::Assert(a) => prog.push(Inst::Assert(*a)),
        Re::Cat(parts) => {
            for p in parts {
                emit(p, prog)?;
            }
        }
        Re::Alt(options) => {
            let mut jumps = Vec::new();
            for (i, opt) in options.iter().enumerate() {
                if i + 1 < options.len() {
                    let split = prog.len();
                    prog.push(Inst::Split(split + 1, 0));
                    emit(opt, prog)?;
                    jumps.push(prog.len());
                    prog.push(Inst::Jump(0));
                    let next = prog.len();
                    prog[split] = Inst::Split(split + 1, next);
                } else {
                    emit(opt, prog)?;
                }
            }
            let end = prog.len();
            for j in jumps {
                prog[j] = Inst::Jump(end);
            }
        }
        Re::Repeat(sub, min, max) => {
            for _ in 0..*min {
                emit(sub, prog)?;
            }
            match max {
                None => {
                    let split = prog.len();
                    prog.push(Inst::Split(split + 1, 0));
                    emit(sub, prog)?;
                    prog.push(Inst::Jump(split));
                    let end = prog.len();
                    prog[split] = Inst::Split(split + 1, end);
                }
                Some(max) => {
                    let mut splits = Vec::new();
                    for _ in *min..*max {
                        splits.push(prog.len());
                        prog.push(Inst::Split(0, 0));
                        emit(sub, prog)?;
                    }
                    let end = prog.len();
                    for s in splits {
                        prog[s] = Inst::Split(s + 1, end);
                    }
                }
            }
        }
    }
    (prog.len() <= MAX_PROGRAM).then_some(())
}

impl Parser<'_> {
    /// `a|b|...` up to `)` or the end. `budget` is what Go still allows for the product of
    /// nested counted repetitions (1000 in all).
    fn alternation(&mut self, depth: usize, budget: u32) -> Option<Re> {
        if depth > 50 {
            return None;
        }
        let mut options = vec![self.concatenation(depth, budget)?];
        while self.chars.peek() == Some(&'|') {
            self.chars.next();
            options.push(self.concatenation(depth, budget)?);
        }
        Some(if options.len() == 1 {
            options.pop()?
        } else {
            Re::Alt(options)
        })
    }

    fn concatenation(&mut self, depth: usize, budget: u32) -> Option<Re> {
        let mut parts = Vec::new();
        while let Some(c) = self.chars.next_if(|&c| c != '|' && c != ')') {
            let mut repeatable = true;
            let atom = match c {
                '(' => {
                    // Only plain and non-capturing groups; flags and names give up.
                    if self.chars.peek() == Some(&'?') {
                        self.chars.next();
                        if self.chars.next() != Some(':') {
                            return None;
                        }
                    }
                    // The repetition that may follow bounds the group's own counted ones.
                    let inner_budget = budget / self.peek_repeat_max()?.max(1);
                    let inner = self.alternation(depth + 1, inner_budget)?;
                    if self.chars.next() != Some(')') {
                        return None;
                    }
                    inner
                }
                '[' => Re::Set(self.class()?),
                '.' => Re::Set(CharSet {
                    ranges: vec![('\n', '\n')],
                    negated: true,
                }),
                '^' => {
                    repeatable = false;
                    Re::Assert(Assertion::BeginText)
                }
                '$' => {
                    repeatable = false;
                    Re::Assert(Assertion::EndText)
                }
                '\\' => match self.chars.next()? {
                    'A' => {
                        repeatable = false;
                        Re::Assert(Assertion::BeginText)
                    }
                    'z' => {
                        repeatable = false;
                        Re::Assert(Assertion::EndText)
                    }
                    'b' => {
                        repeatable = false;
                        Re::Assert(Assertion::WordBoundary)
                    }
                    'B' => {
                        repeatable = false;
                        Re::Assert(Assertion::NotWordBoundary)
                    }
                    e => match perl_class(e) {
                        Some((ranges, negated)) => Re::Set(CharSet {
                            ranges: ranges.to_vec(),
                            negated,
                        }),
                        None => Re::Set(CharSet::one(self.escaped_char(e)?)),
                    },
                },
                // Repetition without an operand, and characters Go reads as literals only in
                // some positions: left to the full validator.
                '*' | '+' | '?' | '{' | '}' | ']' => return None,
                other => Re::Set(CharSet::one(other)),
            };
            match self.repetition()? {
                None => parts.push(atom),
                Some(_) if !repeatable => return None,
                Some((min, max)) => {
                    if max.unwrap_or(min) > budget {
                        return None;
                    }
                    parts.push(Re::Repeat(Box::new(atom), min, max));
                    // Go rejects a repetition of a repetition (`a**`, `a{2}{3}`).
                    if matches!(self.chars.peek(), Some('*' | '+' | '?' | '{')) {
                        return None;
                    }
                }
            }
        }
        Some(match parts.len() {
            0 => Re::Empty,
            1 => parts.pop()?,
            _ => Re::Cat(parts),
        })
    }

    /// The largest count of a counted repetition after the group that starts here, or 1; used
    /// to share Go's limit of 1000 among nested counted repetitions. None when the group's end
    /// cannot be found.
    fn peek_repeat_max(&self) -> Option<u32> {
        let rest: String = self.chars.clone().collect();
        let mut depth = 1;
        let mut chars = rest.char_indices();
        let mut in_class = false;
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '[' if !in_class => in_class = true,
                ']' if in_class => in_class = false,
                '(' if !in_class => depth += 1,
                ')' if !in_class => {
                    depth -= 1;
                    if depth == 0 {
                        let after = &rest[i + 1..];
                        let Some(body) = after.strip_prefix('{') else {
                            return Some(1);
                        };
                        let body = body.split('}').next()?;
                        let largest = body
                            .split(',')
                            .filter_map(|n| n.parse::<u32>().ok())
                            .max()
                            .unwrap_or(1);
                        return Some(largest);
                    }
                }
                _ => {}
            }
        }
        // An unclosed group: the parse fails anyway.
        Some(1)
    }

    /// A repetition operator after an atom: `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, each
    /// possibly followed by `?` (lazy, the same for whether there is a match).
    fn repetition(&mut self) -> Option<Option<(u32, Option<u32>)>> {
        let op = match self.chars.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => {
                self.chars.next();
                let min = self.decimal()?;
                let max = match self.chars.next()? {
                    '}' => Some(min),
                    ',' => {
                        if self.chars.peek() == Some(&'}') {
                            self.chars.next();
                            None
                        } else {
                            let max = self.decimal()?;
                            if self.chars.next()? != '}' || max < min {
                                return None;
                            }
                            Some(max)
                        }
                    }
                    _ => return None,
                };
                if min > 1000 || max.is_some_and(|m| m > 1000) {
                    return None;
                }
                if self.chars.peek() == Some(&'?') {
                    self.chars.next();
                }
                return Some(Some((min, max)));
            }
            _ => return Some(None),
        };
        self.chars.next();
        if self.chars.peek() == Some(&'?') {
            self.chars.next();
        }
        Some(Some(op))
    }

    fn decimal(&mut self) -> Option<u32> {
        let mut n: u32 = 0;
        let mut digits = 0;
        while let Some(d) = self.chars.peek().and_then(|c| c.to_digit(10)) {
            self.chars.next();
            n = n.checked_mul(10)?.checked_add(d)?;
            digits += 1;
            if digits > 4 {
                return None;
            }
        }
        (digits > 0).then_some(n)
    }

    /// The character of a one-character escape after `\` (punctuation, control letters,
    /// `\x` codes).
    fn escaped_char(&mut self, e: char) -> Option<char> {
        Some(match e {
            'a' => '\x07',
            'f' => '\x0c',
            't' => '\t',
            'n' => '\n',
            'r' => '\r',
            'v' => '\x0b',
            'x' => {
                let mut code = 0u32;
                if self.chars.peek() == Some(&'{') {
                    self.chars.next();
                    let mut digits = 0;
                    loop {
                        let c = self.chars.next()?;
                        if c == '}' {
                            break;
                        }
                        code = code * 16 + c.to_digit(16)?;
                        digits += 1;
                        if digits > 6 {
                            return None;
                        }
                    }
                    if digits == 0 {
                        return None;
                    }
                } else {
                    for _ in 0..2 {
                        code = code * 16 + self.chars.next()?.to_digit(16)?;
                    }
                }
                char::from_u32(code)?
            }
            c if c.is_ascii_punctuation() => c,
            _ => return None,
        })
    }

    /// A bracketed class after `[`.
    fn class(&mut self) -> Option<CharSet> {
        let mut set = CharSet {
            ranges: Vec::new(),
            negated: false,
        };
        if self.chars.peek() == Some(&'^') {
            self.chars.next();
            set.negated = true;
        }
        let mut first = true;
        loop {
            let c = self.chars.next()?;
            match c {
                ']' if !first => return Some(set),
                // A leading `]` is a literal in Go; left to the full validator.
                ']' => return None,
                '[' => {
                    if self.chars.next()? != ':' {
                        return None;
                    }
                    let mut name = String::new();
                    loop {
                        let c = self.chars.next()?;
                        if c == ':' {
                            break;
                        }
                        name.push(c);
                        if name.len() > 8 {
                            return None;
                        }
                    }
                    if self.chars.next()? != ']' {
                        return None;
                    }
                    // Negated POSIX classes inside a class: left to the full validator.
                    set.ranges.extend_from_slice(posix_class(&name)?);
                }
                '-' => {
                    // Literal only first or last.
                    if !(first || self.chars.peek() == Some(&']')) {
                        return None;
                    }
                    set.ranges.push(('-', '-'));
                }
                '\\' => {
                    let e = self.chars.next()?;
                    if let Some((ranges, negated)) = perl_class(e) {
                        if negated {
                            return None;
                        }
                        set.ranges.extend_from_slice(ranges);
                    } else {
                        let lo = self.escaped_char(e)?;
                        self.range_from(lo, &mut set)?;
                    }
                }
                lo => self.range_from(lo, &mut set)?,
            }
            first = false;
        }
    }

    /// `lo` alone or as the start of `lo-hi`.
    fn range_from(&mut self, lo: char, set: &mut CharSet) -> Option<()> {
        let mut ahead = self.chars.clone();
        if ahead.next() == Some('-') && !matches!(ahead.peek(), Some(']') | None) {
            self.chars.next();
            let hi = match self.chars.next()? {
                '\\' => {
                    let e = self.chars.next()?;
                    self.escaped_char(e)?
                }
                '[' | '-' => return None,
                c => c,
            };
            if hi < lo {
                return None;
            }
            set.ranges.push((lo, hi));
        } else {
            set.ranges.push((lo, lo));
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::{accepts, FastSchema, Regex};
    use helmet_value::Value;

    fn judged(schema: &str) -> bool {
        FastSchema::compile(schema.as_bytes()).is_some()
    }

    fn values(yaml_json: &str) -> Value {
        helmet_yaml::from_json(yaml_json).expect("test values are JSON")
    }

    /// Schemas the fast check leaves to the full validator.
    #[test]
    fn unmodelled_schemas_are_not_judged() {
        for schema in [
            r##"{"allOf":[{"type":"object"}]}"##,
            r##"{"properties":{"a":{"anyOf":[{"type":"string"}]}}}"##,
            r##"{"properties":{"a":{"$ref":"https://example.com/x.json"}}}"##,
            r##"{"properties":{"a":{"$ref":"#/$defs/missing"}}}"##,
            r##"{"properties":{"a":{"$ref":"#/properties/b"}}}"##,
            r##"{"properties":{"a":{"$ref":"#/examples/0"}},"examples":["x"]}"##,
            r##"{"properties":{"a":{"$ref":"#/x~1y"}}}"##,
            r##"{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}"##,
            r##"{"$schema":"http://json-schema.org/draft-07/schema#","format":"email"}"##,
            r##"{"$schema":"https://example.com/my-meta"}"##,
            r##"{"$schema":"http://json-schema.org/draft-07/schema#x"}"##,
            r##"{"properties":{"a":{"$schema":"http://json-schema.org/draft-07/schema#"}}}"##,
            r##"{"$id":"https://example.com/values.json#x"}"##,
            r##"{"$id":"values.json"}"##,
            r##"{"properties":{"a":{"$id":"https://example.com/a.json"}}}"##,
            r##"{"items":[{"type":"string"}]}"##,
            r##"{"patternProperties":{"^a":{"type":"string"}}}"##,
            r##"{"type":"int"}"##,
            r##"{"type":[]}"##,
            r##"{"type":["string","string"]}"##,
            r##"{"type":7}"##,
            r##"{"required":"a"}"##,
            r##"{"required":["a","a"]}"##,
            r##"{"$schema":"http://json-schema.org/draft-04/schema#","required":[]}"##,
            r##"{"minLength":1.5}"##,
            r##"{"minLength":-1}"##,
            r##"{"minLength":"1"}"##,
            r##"{"maxItems":1e2}"##,
            r##"{"enum":[]}"##,
            r##"{"enum":["a","a"]}"##,
            r##"{"enum":[1,1.0]}"##,
            r##"{"enum":"a"}"##,
            r##"{"exclusiveMinimum":true,"minimum":1}"##,
            r##"{"$schema":"http://json-schema.org/draft-04/schema#","exclusiveMinimum":true}"##,
            r##"{"$schema":"http://json-schema.org/draft-04/schema#","exclusiveMinimum":1}"##,
            r##"{"$schema":"http://json-schema.org/draft-04/schema#","const":1}"##,
            r##"{"$schema":"http://json-schema.org/draft-04/schema#","properties":{"a":true}}"##,
            r##"{"minimum":"1"}"##,
            r##"{"additionalProperties":1}"##,
            r##"{"title":1}"##,
            r##"{"readOnly":"yes"}"##,
            r##"{"examples":"a"}"##,
            r##"{"multipleOf":2}"##,
            r##"{"$anchor":"a"}"##,
            r##"{"$foo":"a"}"##,
            r##"{"pattern":1}"##,
            r##"{"pattern":"(?=a)"}"##,
            r##"{"pattern":"(?i)a"}"##,
            r##"{"pattern":"\\pL"}"##,
            r##"{"pattern":"a**"}"##,
            r##"{"pattern":"a{1001}"}"##,
            r##"{"pattern":"(a{100}){11}"}"##,
            r##"{"pattern":"*a"}"##,
            r##"{"pattern":"a)"}"##,
            r##"{"pattern":"(a"}"##,
            r##"{"pattern":"[a"}"##,
            r##"{"pattern":"[]a]"}"##,
            r##"{"pattern":"[z-a]"}"##,
            r##"{"pattern":"[a-z-0]"}"##,
            r##"{"pattern":"[^\\D]"}"##,
            r##"{"pattern":"\\1"}"##,
            r##"{"pattern":"\\Qa\\E"}"##,
            r##"{"pattern":"a{,3}"}"##,
            "not json",
            "",
        ] {
            assert!(!judged(schema), "{schema}");
        }
        assert!(!judged(&format!(r#"{{"pattern":"{}"}}"#, "a".repeat(5000))));
    }

    /// Schemas with only common keywords (and words no draft knows) are judged.
    #[test]
    fn common_schemas_are_judged() {
        for schema in [
            r##"{"type":"object","properties":{"a":{"type":["string","null"],"maxLength":3}}}"##,
            r##"{"$schema":"http://json-schema.org/schema#","form":true,"properties":{"a":{"hidden":{"x":1}}}}"##,
            r##"{"$schema":"https://json-schema.org/draft/2019-09/schema","format":"email"}"##,
            r##"{"$schema":"http://json-schema.org/draft-04/schema#","minimum":1,"exclusiveMinimum":true}"##,
            r##"{"$schema":"http://json-schema.org/draft-07/schema","definitions":{"a":{"type":"string"}},"properties":{"x":{"$ref":"#/definitions/a","description":"d"}}}"##,
            r##"{"$defs":{"n":{"type":"object","properties":{"c":{"type":"array","items":{"$ref":"#/$defs/n"}}}}},"$ref":"#/$defs/n"}"##,
            r##"{"pattern":"^(https?://.+)?$"}"##,
            r##"{"pattern":"^[0-9]+(\\.[0-9]+)?(m|[KMGTPE]i?)?$"}"##,
            r##"{"pattern":"^[[:alpha:]_][\\w.-]{0,62}\\b$"}"##,
            r##"{"pattern":"(a{10}){100}"}"##,
            r##"{"enum":[1,"1",null,[1],{"a":1}]}"##,
            r##"{"$id":"https://traefik.io/traefik-helm-chart.schema.json","$defs":{"a":true},"$ref":"#/$defs/a"}"##,
            "true",
        ] {
            assert!(judged(schema), "{schema}");
        }
    }

    /// Invalid UTF-8 is read as U+FFFD, as the full validator (and Go's JSON decoder) reads it.
    #[test]
    fn invalid_utf8_schema_text_is_read_lossily() {
        let schema = b"{\"description\":\"\xff\",\"properties\":{\"a\":{\"const\":\"\xfe\"}}}";
        assert!(FastSchema::compile(schema).is_some());
        assert!(accepts(&values(r#"{"a":"\ufffd"}"#), schema));
        assert!(!accepts(&values(r#"{"a":"x"}"#), schema));
    }

    #[test]
    fn values_are_checked() {
        let schema = br##"{
            "type": "object",
            "additionalProperties": false,
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "minLength": 2, "maxLength": 3},
                "port": {"type": "integer", "minimum": 1, "exclusiveMaximum": 65536},
                "ratio": {"type": "number", "maximum": 0.5},
                "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": true, "maxItems": 2},
                "mode": {"enum": ["a", "b", 3]},
                "fixed": {"const": {"k": [1, 2]}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}, "maxProperties": 1}
            }
        }"##;
        let ok = |v: &str| accepts(&values(v), schema);
        assert!(ok(r##"{"name":"ab"}"##));
        assert!(ok(r##"{"name":"été"}"##), "length counts code points");
        assert!(!ok(r##"{"name":"a"}"##));
        assert!(!ok(r##"{"name":"abcd"}"##));
        assert!(!ok(r##"{}"##));
        assert!(!ok(r##"{"name":"ab","other":1}"##));
        assert!(ok(r##"{"name":"ab","port":65535}"##));
        assert!(!ok(r##"{"name":"ab","port":65536}"##));
        assert!(!ok(r##"{"name":"ab","port":0}"##));
        assert!(!ok(r##"{"name":"ab","port":1.5}"##));
        // 0.5 against the literal 0.5: equal only if the literal is exactly 0.5, which the
        // parsed float cannot tell; left to the full validator.
        assert!(!ok(r##"{"name":"ab","ratio":0.5}"##));
        assert!(ok(r##"{"name":"ab","ratio":0.25}"##));
        assert!(!ok(r##"{"name":"ab","ratio":0.75}"##));
        assert!(ok(r##"{"name":"ab","tags":["x","y"]}"##));
        assert!(!ok(r##"{"name":"ab","tags":["x","x"]}"##));
        assert!(!ok(r##"{"name":"ab","tags":["x","y","z"]}"##));
        assert!(!ok(r##"{"name":"ab","tags":[1]}"##));
        assert!(ok(r##"{"name":"ab","mode":"b"}"##));
        assert!(ok(r##"{"name":"ab","mode":3}"##));
        assert!(ok(r##"{"name":"ab","mode":3.0}"##));
        assert!(!ok(r##"{"name":"ab","mode":"3"}"##));
        assert!(ok(r##"{"name":"ab","fixed":{"k":[1,2.0]}}"##));
        assert!(!ok(r##"{"name":"ab","fixed":{"k":[2,1]}}"##));
        assert!(ok(r##"{"name":"ab","labels":{"a":"b"}}"##));
        assert!(!ok(r##"{"name":"ab","labels":{"a":1}}"##));
        assert!(!ok(r##"{"name":"ab","labels":{"a":"b","c":"d"}}"##));
        // A float bound next to a float value it may equal exactly: not settled here.
        let tight = br##"{"properties":{"r":{"maximum":0.1}}}"##;
        assert!(!accepts(&values(r##"{"r":0.1}"##), tight));
        assert!(accepts(&values(r##"{"r":0.05}"##), tight));
    }

    #[test]
    fn draft_rules_apply() {
        // Draft 4: boolean exclusive bounds.
        let d4 = br##"{"$schema":"http://json-schema.org/draft-04/schema#","properties":{"n":{"minimum":1,"exclusiveMinimum":true}}}"##;
        assert!(!accepts(&values(r##"{"n":1}"##), d4));
        assert!(accepts(&values(r##"{"n":2}"##), d4));
        // Draft 7: siblings of $ref are ignored.
        let d7 = br##"{"$schema":"http://json-schema.org/draft-07/schema#","definitions":{"s":{"type":"string"}},"properties":{"a":{"$ref":"#/definitions/s","maxLength":1}}}"##;
        assert!(accepts(&values(r##"{"a":"long"}"##), d7));
        assert!(!accepts(&values(r##"{"a":1}"##), d7));
        // ... but Helm's validator still applies `const` beside a draft-7 `$ref`.
        let d7_const = br##"{"$schema":"http://json-schema.org/draft-07/schema#","definitions":{"s":{"type":"string"}},"properties":{"a":{"$ref":"#/definitions/s","const":"x"}}}"##;
        assert!(accepts(&values(r##"{"a":"x"}"##), d7_const));
        assert!(!accepts(&values(r##"{"a":"y"}"##), d7_const));
        // 2020-12: siblings of $ref apply.
        let d2020 = br##"{"$defs":{"s":{"type":"string"}},"properties":{"a":{"$ref":"#/$defs/s","maxLength":1}}}"##;
        assert!(!accepts(&values(r##"{"a":"long"}"##), d2020));
        assert!(accepts(&values(r##"{"a":"l"}"##), d2020));
        // Recursive schemas follow the values.
        let tree = br##"{"$defs":{"n":{"type":"object","additionalProperties":false,"properties":{"c":{"type":"array","items":{"$ref":"#/$defs/n"}}}}},"$ref":"#/$defs/n"}"##;
        assert!(accepts(&values(r##"{"c":[{"c":[]},{}]}"##), tree));
        assert!(!accepts(&values(r##"{"c":[{"c":[{"x":1}]}]}"##), tree));
        // A reference into a definition's own words (as prometheus' alertmanager chart has).
        let nested = br##"{"$schema":"http://json-schema.org/draft-07/schema","definitions":{"config":{"d":{"type":"string","pattern":"^[0-9]+s$"}}},"properties":{"a":{"type":"array","items":{"type":"string","$ref":"#/definitions/config/d"}}}}"##;
        assert!(accepts(&values(r#"{"a":["5s"]}"#), nested));
        assert!(!accepts(&values(r#"{"a":["5m"]}"#), nested));
        // Boolean schemas.
        assert!(!accepts(
            &values(r##"{"a":1}"##),
            br##"{"properties":{"a":false}}"##
        ));
        assert!(accepts(
            &values(r##"{"b":1}"##),
            br##"{"properties":{"a":false}}"##
        ));
    }

    /// Go's RE2 semantics: ASCII Perl classes, `.` without newline, `$` only at the end.
    #[test]
    fn patterns_match_as_go_matches() {
        let m = |p: &str, s: &str| Regex::parse(p).expect(p).is_match(s).expect(p);
        assert!(m("^(https?://.+)?$", ""));
        assert!(m("^(https?://.+)?$", "http://x"));
        assert!(!m("^(https?://.+)?$", "ftp://x"));
        assert!(!m("^a$", "a\n"));
        assert!(!m("^a.b$", "a\nb"));
        assert!(m("^a.b$", "aéb"));
        assert!(m("[^a]", "\n"));
        assert!(!m("^\\d$", "٣"));
        assert!(!m("^\\w$", "é"));
        assert!(!m("^\\s$", "\u{0b}"));
        assert!(m("^\\s$", "\u{0c}"));
        assert!(m("^\\S$", "\u{0b}"));
        assert!(m("\\bfoo\\b", "a foo."));
        assert!(!m("\\bfoo\\b", "afoo"));
        assert!(m("\\Bfoo", "afoo"));
        assert!(m("^[0-9]+%$", "50%"));
        assert!(!m("^[0-9]+%$", "50"));
        assert!(m("^a{2,3}$", "aaa"));
        assert!(!m("^a{2,3}$", "aaaa"));
        assert!(m("^(ab|c)*$", "abcab"));
        assert!(m("^(a*)*$", "aaaa"));
        assert!(m("^[[:upper:]][-a-z]+-$", "Ab-c-"));
        assert!(m("\\x41\\x{1F600}", "A😀"));
        assert!(m("^\\.\\*$", ".*"));
        assert!(m("a|", "zzz"));
        assert!(m("^$", ""));
        assert!(m("\\Aab\\z", "ab"));
    }
}

/// Fast verdicts compared with the full validator (the `jsonschema` crate) on generated schema
/// and value pairs: whenever the fast check accepts, the full validator must accept too.
#[cfg(test)]
mod agreement_tests {
    use super::accepts;
    use helmet_value::Value;
    use serde_json::{json, Value as Json};

    /// A small deterministic generator (xorshift).
    struct Gen(u64);

    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        fn chance(&mut self, percent: u64) -> bool {
            self.below(100) < percent
        }
        fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
            &items[self.below(items.len() as u64) as usize]
        }
    }

    const NAMES: &[&str] = &["a", "b", "c", "port", "name"];
    const STRINGS: &[&str] = &[
        "", "a", "ab", "abc", "été", "x-1", "10Mi", "50%", "http://h", "A b",
    ];
    /// Patterns where Go's RE2 and the crate's ECMA-262 engine agree on the strings above.
    const PATTERNS: &[&str] = &[
        "^a",
        "b$",
        "^[a-c]+$",
        "^(https?://.+)?$",
        "^[0-9]+(\\.[0-9]+)?(m|[KMGTPE]i?)?$",
        "^[0-9]+%$",
        "é",
        "^.{2}$",
        "x|y",
        "^[^ ]*$",
        "(ab)+",
        "^a{1,2}",
    ];
    const TYPES: &[&str] = &[
        "null", "boolean", "number", "integer", "string", "array", "object",
    ];

    fn number(g: &mut Gen) -> Json {
        match g.below(4) {
            0 => json!(g.below(5) as i64 - 1),
            1 => json!((g.below(9) as f64) / 4.0),
            2 => json!(65535),
            _ => json!(-(g.below(3) as f64) / 2.0),
        }
    }

    fn schema(g: &mut Gen, depth: u32, draft4: bool) -> Json {
        if !draft4 && g.chance(5) {
            return json!(g.chance(70));
        }
        let mut s = serde_json::Map::new();
        if g.chance(60) {
            let t = if g.chance(75) {
                json!(g.pick(TYPES))
            } else {
                let a = *g.pick(TYPES);
                let b = *g.pick(TYPES);
                if a == b {
                    json!(a)
                } else {
                    json!([a, b])
                }
            };
            s.insert("type".into(), t);
        }
        if depth < 3 && g.chance(40) {
            let mut props = serde_json::Map::new();
            for _ in 0..g.below(3) + 1 {
                props.insert(g.pick(NAMES).to_string(), schema(g, depth + 1, draft4));
            }
            s.insert("properties".into(), Json::Object(props));
        }
        if g.chance(20) {
            let mut req: Vec<&str> = Vec::new();
            for _ in 0..g.below(2) + 1 {
                let n = *g.pick(NAMES);
                if !req.contains(&n) {
                    req.push(n);
                }
            }
            s.insert("required".into(), json!(req));
        }
        if g.chance(20) {
            let ap = if depth < 3 && g.chance(50) {
                schema(g, depth + 1, draft4)
            } else {
                json!(g.chance(50))
            };
            s.insert("additionalProperties".into(), ap);
        }
        if depth < 3 && g.chance(20) {
            s.insert("items".into(), schema(g, depth + 1, draft4));
        }
        if g.chance(10) {
            let mut opts: Vec<Json> = Vec::new();
            for _ in 0..g.below(3) + 1 {
                let o = if g.chance(50) {
                    json!(g.pick(STRINGS))
                } else {
                    number(g)
                };
                if !opts.contains(&o) {
                    opts.push(o);
                }
            }
            s.insert("enum".into(), Json::Array(opts));
        }
        if !draft4 && g.chance(5) {
            s.insert("const".into(), json!(g.pick(STRINGS)));
        }
        for key in ["minimum", "maximum"] {
            if g.chance(12) {
                s.insert(key.into(), number(g));
            }
        }
        if draft4 {
            if s.contains_key("minimum") && g.chance(50) {
                s.insert("exclusiveMinimum".into(), json!(g.chance(50)));
            }
        } else {
            for key in ["exclusiveMinimum", "exclusiveMaximum"] {
                if g.chance(8) {
                    s.insert(key.into(), number(g));
                }
            }
        }
        for key in [
            "minLength",
            "maxLength",
            "minItems",
            "maxItems",
            "minProperties",
            "maxProperties",
        ] {
            if g.chance(8) {
                s.insert(key.into(), json!(g.below(4)));
            }
        }
        if g.chance(15) {
            s.insert("pattern".into(), json!(g.pick(PATTERNS)));
        }
        if g.chance(8) {
            s.insert("uniqueItems".into(), json!(g.chance(70)));
        }
        if g.chance(10) {
            s.insert("description".into(), json!("d"));
        }
        Json::Object(s)
    }

    fn value(g: &mut Gen, depth: u32) -> Value {
        match g.below(if depth < 3 { 8 } else { 5 }) {
            0 => Value::Nil,
            1 => Value::Bool(g.chance(50)),
            2 => match g.below(3) {
                0 => Value::Float64(g.below(5) as f64 - 1.0),
                1 => Value::Float64(g.below(9) as f64 / 4.0),
                _ => Value::Int(g.below(70000) as i64),
            },
            3 | 4 => Value::String(g.pick(STRINGS).to_string().into()),
            5 => Value::list(
                (0..g.below(4))
                    .map(|_| {
                        if g.chance(50) {
                            Value::String(g.pick(&STRINGS[..4]).to_string().into())
                        } else {
                            value(g, depth + 1)
                        }
                    })
                    .collect(),
            ),
            _ => {
                let mut m = helmet_value::Map::new();
                for _ in 0..g.below(4) {
                    m.insert(g.pick(NAMES).to_string(), value(g, depth + 1));
                }
                Value::map(m)
            }
        }
    }

    #[test]
    fn fast_acceptance_implies_full_acceptance() {
        let mut g = Gen(0x9e37_79b9_7f4a_7c15);
        let mut accepted = 0;
        let mut rejected = 0;
        for round in 0..3000 {
            let draft = round % 4;
            let mut s = schema(&mut g, 0, draft == 1);
            if let Json::Object(m) = &mut s {
                match draft {
                    1 => {
                        m.insert(
                            "$schema".into(),
                            json!("http://json-schema.org/draft-04/schema#"),
                        );
                    }
                    2 => {
                        m.insert(
                            "$schema".into(),
                            json!("http://json-schema.org/draft-07/schema#"),
                        );
                    }
                    _ => {}
                }
            }
            let text = s.to_string();
            let full = jsonschema::options()
                .should_validate_formats(false)
                .build(&s);
            for _ in 0..4 {
                let v = if g.chance(70) {
                    let mut m = helmet_value::Map::new();
                    for _ in 0..g.below(4) {
                        m.insert(g.pick(NAMES).to_string(), value(&mut g, 1));
                    }
                    Value::map(m)
                } else {
                    value(&mut g, 0)
                };
                let fast = accepts(&v, text.as_bytes());
                let full_ok = match &full {
                    Ok(validator) => validator.is_valid(&super::super::schema::to_json(&v)),
                    Err(_) => false,
                };
                if fast {
                    assert!(
                        full_ok,
                        "fast path accepted, full validator did not:\n{text}\n{v:?}"
                    );
                    accepted += 1;
                } else if full_ok {
                    rejected += 1;
                }
            }
        }
        // The comparison means something only if the fast path accepts often.
        assert!(
            accepted > 3000,
            "accepted {accepted}, rejected valid {rejected}"
        );
    }
}

/// Fast verdicts against real Helm's on generated pairs (fixtures/schema-fast/pairs.json, made
/// by scripts/refresh-schema-fast-pairs): the fast check may only accept what Helm accepts.
#[cfg(test)]
mod helm_pairs_tests {
    use super::accepts;

    #[test]
    fn fast_acceptance_implies_helm_acceptance() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/schema-fast/pairs.json"
        );
        let text = std::fs::read_to_string(path).expect("pairs fixture readable");
        let pairs: Vec<serde_json::Value> = serde_json::from_str(&text).expect("pairs are JSON");
        let (mut accepted, mut helm_valid) = (0, 0);
        for pair in &pairs {
            let schema = pair["schema"].as_str().expect("schema text");
            // As Helm received them: JSON numbers become float64.
            let values = helmet_yaml::from_json(&pair["values"].to_string()).expect("values");
            let valid = pair["valid"].as_bool().expect("verdict");
            helm_valid += usize::from(valid);
            if accepts(&values, schema.as_bytes()) {
                assert!(
                    valid,
                    "accepted what Helm refuses:\n{schema}\n{}",
                    pair["values"]
                );
                accepted += 1;
            }
        }
        // Most of Helm's valid pairs use only what the fast check models.
        assert!(
            accepted * 2 > helm_valid,
            "accepted {accepted} of {helm_valid} valid pairs"
        );
    }
}
