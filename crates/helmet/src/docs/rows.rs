//! Turns parsed values and their comments into the rows of the values table.

use std::collections::BTreeMap;

use helmet_value::Value;

use super::comments::KeyDoc;
use super::ValueRow;
use crate::Error;

/// How deep the values tree may nest before the table gives up (no unbounded recursion).
const MAX_DEPTH: usize = 100;

/// The table's name for a value's type, as helm-docs names them.
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Int64(_) | Value::Uint64(_) | Value::Uint8(_) => "int",
        Value::Complex128(..) => "complex",
        Value::Float64(f) if f.fract() == 0.0 && f.is_finite() => "int",
        Value::Float64(_) => "float",
        Value::List(_) | Value::Bytes(_) => "list",
        Value::Map(_) | Value::Object(_) => "object",
        Value::Nil | Value::String(_) | Value::ByteString(_) => "string",
    }
}

/// A value as the Default column shows it: compact JSON in backticks (`nil` for null).
fn default_text(value: &Value) -> Result<String, Error> {
    if value.is_nil() {
        return Ok("`nil`".to_string());
    }
    let json = helmet_yaml::to_json(value).map_err(|e| Error::new(e.to_string()))?;
    Ok(format!("`{json}`"))
}

/// One segment of a key path as the Key column writes it: quoted when it holds a dot or space.
fn key_segment(key: &str) -> String {
    if key.is_empty() || key.contains(['.', ' ', '"']) {
        format!("{key:?}")
    } else {
        key.to_string()
    }
}

/// Makes text safe inside a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// Lists the values table: every documented key, and every undocumented leaf that has no
/// documented ancestor (a documented map stands for its undocumented contents).
pub fn collect(
    values: &Value,
    docs: &BTreeMap<Vec<String>, KeyDoc>,
) -> Result<Vec<ValueRow>, Error> {
    let mut rows = Vec::new();
    if let Some(map) = values.as_map() {
        let mut path = Vec::new();
        for (key, value) in map.iter() {
            path.push(key.clone());
            walk(&mut path, value, docs, false, &mut rows)?;
            path.pop();
        }
    }
    Ok(rows)
}

fn walk(
    path: &mut Vec<String>,
    value: &Value,
    docs: &BTreeMap<Vec<String>, KeyDoc>,
    covered: bool,
    rows: &mut Vec<ValueRow>,
) -> Result<(), Error> {
    if path.len() > MAX_DEPTH {
        return Err(Error::new(format!(
            "values nest deeper than {MAX_DEPTH} levels at {}",
            path.join(".")
        )));
    }
    let doc = docs.get(path.as_slice());
    let children = value.as_map().filter(|m| !m.is_empty());
    if doc.is_some() || (children.is_none() && !covered) {
        let doc = doc.cloned().unwrap_or_default();
        rows.push(ValueRow {
            key: path
                .iter()
                .map(|k| key_segment(k))
                .collect::<Vec<_>>()
                .join("."),
            type_name: type_name(value).to_string(),
            default: match doc.default {
                Some(text) => cell(&text),
                None => cell(&default_text(value)?),
            },
            description: cell(&doc.description),
        });
    }
    if let Some(children) = children {
        let covered = covered || doc.is_some();
        for (key, child) in children.iter() {
            path.push(key.clone());
            walk(path, child, docs, covered, rows)?;
            path.pop();
        }
    }
    Ok(())
}
