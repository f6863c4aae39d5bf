//! Helm's `LoadValues`: a values file split into documents by Kubernetes' YAML reader, each
//! read as a map, merged in order.

use std::borrow::Cow;

use helmet_value::{Map, Value};

use crate::errors::Error;
use crate::Shape;

/// The documents of a stream as Kubernetes' `YAMLReader` cuts them: every line ends with
/// `\n` (a `\r\n` ending becomes `\n`), and a line starting with `---` separates documents
/// when only blanks or a comment follow it on that line (it ends the document before it, or,
/// when there is none, starts the next one and is part of it).
fn split_documents(src: &str) -> Result<Vec<Cow<'_, str>>, Error> {
    // Most files are one document whose lines end with `\n`: it is the text itself (with a
    // final `\n` added when it lacks one), read in place rather than copied line by line.
    if !src.contains('\r') && !src.starts_with("---") && !src.contains("\n---") {
        return Ok(match src {
            "" => Vec::new(),
            _ if src.ends_with('\n') => vec![Cow::Borrowed(src)],
            _ => vec![Cow::Owned(format!("{src}\n"))],
        });
    }
    split_lines(src)
}

/// [`split_documents`], line by line.
fn split_lines(src: &str) -> Result<Vec<Cow<'_, str>>, Error> {
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
                docs.push(Cow::Owned(std::mem::take(&mut current)));
                continue;
            }
            // A separator that starts a document (the text's first line, or one right after
            // another separator) stays in it, so go-yaml counts that line too; one ending the
            // text without a line break gives no document.
            if next.is_empty() && !src.ends_with('\n') {
                continue;
            }
        }
        current.push_str(line);
        current.push('\n');
    }
    if !current.is_empty() {
        docs.push(Cow::Owned(current));
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
    let mut values: Option<Map> = None;
    for doc in split_documents(src)? {
        let parsed = crate::read::read(&doc, Shape::Map)
            .map_err(|e| Error::new(format!("cannot unmarshal yaml document: {e}")))?;
        if let Value::Map(m) = parsed {
            values = Some(match values {
                Some(before) => merge_maps(before, &m.entries()),
                // Merged into nothing, the first map is itself: taken without a copy.
                None => std::sync::Arc::try_unwrap(m)
                    .map(|m| m.into_map())
                    .unwrap_or_else(|m| m.to_map()),
            });
        }
    }
    Ok(Value::map(values.unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A text read in place is cut as the line-by-line cut would have cut it.
    #[test]
    fn one_document_in_place_as_line_by_line() {
        for src in [
            "",
            "\n",
            "a: 1",
            "a: 1\n",
            "a: 1\nb:\n  - x\n",
            "a: |\n  text\n\n\n",
            "a: '--- not a separator'\n b: -- x\n",
            "# only a comment",
        ] {
            let fast = split_documents(src).unwrap();
            assert!(fast.iter().all(|d| matches!(d, Cow::Borrowed(_))) || !src.ends_with('\n'));
            assert_eq!(fast, split_lines(src).unwrap(), "{src:?}");
        }
        // Separators and CR LF line ends take the line-by-line cut.
        for src in [
            "a: 1\n---\nb: 2\n",
            "---\na: 1",
            "a: 1\r\nb: 2\r\n",
            "a: 1\r",
        ] {
            assert_eq!(split_documents(src).unwrap(), split_lines(src).unwrap());
        }
    }
}
