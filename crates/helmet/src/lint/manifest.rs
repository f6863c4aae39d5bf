//! Reading rendered manifests as Helm's linter does: Kubernetes' YAML stream reader cuts the
//! text into documents, and each is decoded (YAML to JSON to Go) into the few fields the
//! rules look at.

use helmet_value::{Map, Value};

use super::json_stream;
use crate::load::metadata::json_kind;

/// The fields of a Kubernetes object the lint rules read (Helm's `k8sYamlStruct`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct K8sObject {
    /// `apiVersion`
    pub api_version: String,
    /// `kind`
    pub kind: String,
    /// `metadata.name`
    pub name: String,
    /// `metadata.namespace`
    pub namespace: String,
}

/// Cuts a YAML stream into documents as Kubernetes' `YAMLReader` does: a line starting with
/// `---` ends a document when only spaces or a comment follow; empty documents are skipped.
pub fn split_documents(text: &str) -> Result<Vec<String>, String> {
    let mut docs = Vec::new();
    let mut current = String::new();
    for line in text.split_inclusive('\n') {
        if let Some(after) = line.strip_prefix("---") {
            let trimmed = after.trim();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                return Err(format!("invalid Yaml document separator: {trimmed}"));
            }
            if !current.is_empty() {
                docs.push(std::mem::take(&mut current));
            }
            continue;
        }
        current.push_str(line);
    }
    if !current.is_empty() {
        docs.push(current);
    }
    Ok(docs)
}

/// Every document of a rendered manifest decoded in turn, as Helm's linter reads them with
/// Kubernetes' YAML-or-JSON decoder: a text starting with `{` is first read as a stream of JSON
/// values, anything else as YAML. Empty documents give `Ok(None)`, and the first error ends
/// the list (Helm stops there).
pub fn decode_stream(text: &str) -> Vec<Result<Option<K8sObject>, String>> {
    if json_stream::looks_like_json(text) {
        json_stream::decode(text, decode_yaml_stream)
    } else {
        decode_yaml_stream(text)
    }
}

/// [`decode_stream`] of a manifest holding bytes that are not UTF-8 (Go's templates print any
/// bytes): the document that holds the first of them fails with go-yaml's reader error.
pub fn decode_stream_bytes(bytes: &[u8]) -> Vec<Result<Option<K8sObject>, String>> {
    if json_stream::looks_like_json(&helmet_value::gostring::to_text_lossy(bytes)) {
        return vec![Err(
            "reading a manifest that starts with `{` and holds bytes that are not UTF-8 is \
             not supported by helmet"
                .to_string(),
        )];
    }
    decode_yaml_lines(bytes)
}

/// Every document of a YAML stream decoded in turn (Kubernetes' `YAMLReader` cuts it).
fn decode_yaml_stream(text: &str) -> Vec<Result<Option<K8sObject>, String>> {
    decode_yaml_lines(text.as_bytes())
}

/// [`decode_yaml_stream`] of any bytes: a document that is not UTF-8 gets go-yaml's reader
/// error, as sigs.k8s.io/yaml words it.
fn decode_yaml_lines(text: &[u8]) -> Vec<Result<Option<K8sObject>, String>> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    let flush = |current: &mut Vec<u8>, out: &mut Vec<Result<Option<K8sObject>, String>>| {
        if current.is_empty() {
            return true;
        }
        let result = match std::str::from_utf8(current) {
            Ok(doc) => decode_object(doc),
            Err(_) => Err(match helmet_yaml::reader_utf8::reached_problem(current) {
                Ok(problem) => format!("error converting YAML to JSON: yaml: {problem}"),
                Err(why) => format!("a manifest holds bytes that are not UTF-8: {why}"),
            }),
        };
        current.clear();
        let ok = result.is_ok();
        out.push(result);
        ok
    };
    for line in text.split_inclusive(|&b| b == b'\n') {
        if let Some(after) = line.strip_prefix(b"---") {
            let after = helmet_value::gostring::to_text_lossy(after);
            let trimmed = after.trim();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                out.push(Err(format!("invalid Yaml document separator: {trimmed}")));
                return out;
            }
            if !flush(&mut current, &mut out) {
                return out;
            }
            continue;
        }
        current.extend_from_slice(line);
    }
    flush(&mut current, &mut out);
    out
}

/// A struct field by JSON name: exact first, then ignoring case (encoding/json's rule).
fn field<'a>(map: &'a Map, name: &str) -> Option<&'a Value> {
    map.get(name).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

fn string_field(map: &Map, name: &str, strukt: &str, path: &str) -> Result<String, String> {
    match field(map, name) {
        None | Some(Value::Nil) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.to_string()),
        // sigs.k8s.io/yaml turns a scalar bound for a string field into that string.
        Some(other) => helmet_yaml::go_string_field(other).ok_or_else(|| format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field {strukt}.{path} of type string",
            json_kind(other)
        )),
    }
}

/// Decodes one document; `Ok(None)` for an empty (null) document.
pub fn decode_object(doc: &str) -> Result<Option<K8sObject>, String> {
    let value = helmet_yaml::from_str_go_types(doc).map_err(|e| e.to_string())?;
    let map = match &value {
        Value::Nil => return Ok(None),
        Value::Map(m) => &m.entries(),
        other => {
            return Err(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type rules.k8sYamlStruct",
                json_kind(other)
            ))
        }
    };
    let mut obj = K8sObject {
        api_version: string_field(map, "apiVersion", "k8sYamlStruct", "apiVersion")?,
        kind: string_field(map, "Kind", "k8sYamlStruct", "Kind")?,
        ..K8sObject::default()
    };
    match field(map, "Metadata") {
        None | Some(Value::Nil) => {}
        Some(Value::Map(m)) => {
            obj.namespace =
                string_field(&m.entries(), "Namespace", "k8sYamlMetadata", "Metadata.Namespace")?;
            obj.name = string_field(&m.entries(), "Name", "k8sYamlMetadata", "Metadata.Name")?;
        }
        Some(other) => {
            return Err(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field k8sYamlStruct.Metadata of type rules.k8sYamlMetadata",
                json_kind(other)
            ))
        }
    }
    Ok(Some(obj))
}

/// Whether any item of a `List` (read from the first document of `manifest`, as
/// `yaml.Unmarshal` reads a stream) carries the `helm.sh/resource-policy` annotation.
pub fn list_items_have_resource_policy(manifest: &str) -> Result<bool, String> {
    let first = split_documents(manifest)?
        .into_iter()
        .next()
        .unwrap_or_default();
    let value = helmet_yaml::from_str_go_types(&first).map_err(|e| e.to_string())?;
    let field_of = |v: &Value, name: &str| v.as_map().and_then(|m| field(&m, name).cloned());
    let Some(Value::List(items)) = field_of(&value, "Items") else {
        return Ok(false);
    };
    Ok(items.items.iter().any(|item| {
        field_of(item, "Metadata")
            .and_then(|m| field_of(&m, "Annotations"))
            .and_then(|a| a.as_map())
            .is_some_and(|a| a.contains_key("helm.sh/resource-policy"))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_kubernetes() {
        let docs = split_documents("a: 1\n---\n---  # c\nb: 2\n").unwrap();
        assert_eq!(docs, vec!["a: 1\n".to_string(), "b: 2\n".to_string()]);
        assert_eq!(
            split_documents("a: 1\n--- x\n").unwrap_err(),
            "invalid Yaml document separator: x"
        );
    }

    #[test]
    fn decodes_fields() {
        let obj = decode_object("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n")
            .unwrap()
            .unwrap();
        assert_eq!(obj.kind, "Pod");
        assert_eq!(obj.name, "p");
        assert!(decode_object("# nothing\n").unwrap().is_none());
        assert!(decode_object("- 1\n").is_err());
    }
}
