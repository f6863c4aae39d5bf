//! Helm's `LoadValues`: a values file split into documents by Kubernetes' YAML reader, each
//! read as a map, merged in order.

use helmet_value::{Map, Value};

use crate::errors::Error;
use crate::Shape;

/// The documents of a stream as Kubernetes' `YAMLReader` cuts them: every line ends with
/// `\n` (a `\r\n` ending becomes `\n`), and a line starting with `---` separates documents
/// when only blanks or a comment follow it on that line.
fn split_documents(src: &str) -> Result<Vec<String>, Error> {
    let mut docs = Vec::new();
    let mut current = String::new();
    let mut rest = src;
    while !rest.is_empty() {
        let (line, next) = match rest.find('\n') {
            Some(i) => {
                let line = &rest[..i];
                (line.strip_suffix('\r').unwrap_or(line), &rest[i + 1..])
            }
            None => (rest, ""),
        };
        rest = next;
        if let Some(after) = line.strip_prefix("---") {
            let trimmed = after.trim_matches(|c: char| c.is_whitespace());
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                return Err(Error::new(format!(
                    "error reading yaml document: invalid Yaml document separator: {trimmed}"
                )));
            }
            if !current.is_empty() {
                docs.push(std::mem::take(&mut current));
            }
            continue;
        }
        current.push_str(line);
        current.push('\n');
    }
    if !current.is_empty() {
        docs.push(current);
    }
    Ok(docs)
}

/// Helm's `MergeMaps`: `b` over `a`; nested maps merge, anything else is replaced.
fn merge_maps(mut a: Map, b: &Map) -> Map {
    for (k, v) in b {
        if let (Value::Map(new), Some(Value::Map(old))) = (v, a.get(k)) {
            let merged = merge_maps(old.to_map(), &new.entries());
            a.insert(k.clone(), Value::map(merged));
            continue;
        }
        a.insert(k.clone(), v.clone());
    }
    a
}

/// Reads a values file as Helm's `LoadValues`.
pub(crate) fn load(src: &str) -> Result<Value, Error> {
    let mut values = Map::new();
    for doc in split_documents(src)? {
        let parsed = crate::read::read(&doc, Shape::Map)
            .map_err(|e| Error::new(format!("cannot unmarshal yaml document: {e}")))?;
        if let Value::Map(m) = parsed {
            values = merge_maps(values, &m.entries());
        }
    }
    Ok(Value::map(values))
}
