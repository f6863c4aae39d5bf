//! The head of a manifest document (Helm's `SimpleHead`), read as Helm reads it: the document is
//! parsed as YAML, converted to JSON by `sigs.k8s.io/yaml` (which turns scalars into strings
//! where the target field is a string) and decoded with `encoding/json`, whose type errors Helm
//! reports.

use std::collections::BTreeMap;

use helmet_value::Value;

/// `apiVersion`, `kind`, `metadata.name` and `metadata.annotations` of a document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Head {
    /// `apiVersion`
    pub api_version: String,
    /// `kind`
    pub kind: String,
    /// Whether the document has a `metadata` map.
    pub has_metadata: bool,
    /// `metadata.name`
    pub name: String,
    /// `metadata.annotations`, when present.
    pub annotations: Option<BTreeMap<String, String>>,
}

/// The name `encoding/json` gives the JSON type a value would be.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Nil => "null",
        Value::Bool(_) => "bool",
        Value::Int(_)
        | Value::Int64(_)
        | Value::Uint64(_)
        | Value::Uint8(_)
        | Value::Float64(_)
        | Value::Complex128(..) => "number",
        Value::String(_) | Value::ByteString(_) | Value::Bytes(_) => "string",
        Value::List(_) => "array",
        Value::Map(_) | Value::Object(_) => "object",
    }
}

fn unmarshal_error(value: &Value, target: &str) -> String {
    format!(
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into {target}",
        json_type(value)
    )
}

/// A scalar as `sigs.k8s.io/yaml` hands it to a string field; `None` for maps and lists.
fn scalar_text(value: &Value) -> Option<String> {
    Some(match value {
        Value::Nil => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) | Value::Int64(i) => i.to_string(),
        Value::Uint64(u) => u.to_string(),
        Value::Uint8(u) => u.to_string(),
        Value::Complex128(..) => helmet_value::fmt::format_value(value),
        Value::Float64(f) => float_text(*f),
        Value::String(s) => s.to_string(),
        // Read from YAML text, so never met; JSON would make each invalid byte U+FFFD.
        Value::ByteString(b) => helmet_value::gostring::to_text_lossy(b),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        Value::List(_) | Value::Map(_) | Value::Object(_) => return None,
    })
}

/// `strconv.FormatFloat(f, 'g', -1, 64)` for the values a YAML head realistically holds.
fn float_text(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let exp = if f == 0.0 {
        0
    } else {
        f.abs().log10().floor() as i32
    };
    if (-4..21).contains(&exp) {
        format!("{f}")
    } else {
        let s = format!("{f:e}");
        match s.split_once('e') {
            Some((mantissa, e)) => {
                let (sign, digits) = e.strip_prefix('-').map_or(("+", e), |d| ("-", d));
                format!("{mantissa}e{sign}{digits:0>2}")
            }
            None => s,
        }
    }
}

fn string_field(value: &Value, target: &str) -> Result<String, String> {
    scalar_text(value).ok_or_else(|| unmarshal_error(value, target))
}

/// Reads a head from a parsed YAML document (`Nil` for an empty or comment-only document).
pub fn head_from_value(doc: &Value) -> Result<Head, String> {
    let mut head = Head::default();
    let map = match doc {
        Value::Nil => return Ok(head),
        Value::Map(m) => &m.entries(),
        other => return Err(unmarshal_error(other, "Go value of type util.SimpleHead")),
    };
    if let Some(v) = map.get("apiVersion") {
        head.api_version = string_field(v, "Go struct field SimpleHead.apiVersion of type string")?;
    }
    if let Some(v) = map.get("kind") {
        head.kind = string_field(v, "Go struct field SimpleHead.kind of type string")?;
    }
    match map.get("metadata") {
        None | Some(Value::Nil) => {}
        Some(Value::Map(meta)) => {
            head.has_metadata = true;
            let meta = &meta.entries();
            if let Some(v) = meta.get("name") {
                head.name = string_field(v, "Go struct field .metadata.name of type string")?;
            }
            match meta.get("annotations") {
                None | Some(Value::Nil) => {}
                Some(Value::Map(annotations)) => {
                    let mut out = BTreeMap::new();
                    for (k, v) in annotations.entries().iter() {
                        let text = string_field(
                            v,
                            "Go struct field .metadata.annotations of type string",
                        )?;
                        out.insert(k.clone(), text);
                    }
                    head.annotations = Some(out);
                }
                Some(other) => {
                    return Err(unmarshal_error(
                        other,
                        "Go struct field .metadata.annotations of type map[string]string",
                    ))
                }
            }
        }
        Some(other) => {
            return Err(unmarshal_error(
                other,
                "Go struct field SimpleHead.metadata of type struct { Name string \"json:\\\"name\\\"\"; Annotations map[string]string \"json:\\\"annotations\\\"\" }",
            ))
        }
    }
    Ok(head)
}

/// Parses a document's head; the error is the text Helm puts after `YAML parse error on FILE: `.
pub fn parse_head(doc: &str) -> Result<Head, String> {
    // The whole document is read for its errors, but only the head's values are built.
    let value = helmet_yaml::from_str_head(doc).map_err(|e| e.message().to_string())?;
    head_from_value(&value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use helmet_value::Map;

    #[test]
    fn scalars_become_strings_and_containers_fail() {
        let mut m = Map::new();
        m.insert("kind".into(), Value::Int(5));
        assert_eq!(head_from_value(&Value::map(m)).unwrap().kind, "5");
        let mut m = Map::new();
        m.insert("kind".into(), Value::list(vec![]));
        assert_eq!(
            head_from_value(&Value::map(m)).unwrap_err(),
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go struct field SimpleHead.kind of type string"
        );
        assert_eq!(float_text(1.5), "1.5");
        assert_eq!(float_text(1e21), "1e+21");
    }
}
