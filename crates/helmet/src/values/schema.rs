//! Checking values against `values.schema.json` of a chart and its subcharts, with the error
//! texts of the validator Helm uses (santhosh-tekuri/jsonschema v6) for common keywords.
//!
//! Messages for keywords without a mapping below are the `jsonschema` crate's own.

use helmet_value::Value;

use crate::chart::{Chart, Error};

/// Our value as JSON data for the validator.
pub fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Nil => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) | Value::Int64(i) => serde_json::Value::from(*i),
        Value::Uint64(u) => serde_json::Value::from(*u),
        // Integral floats travel as integers: same JSON meaning, and printed as Go prints them.
        Value::Float64(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
            serde_json::Value::from(*f as i64)
        }
        Value::Float64(f) => serde_json::Number::from_f64(*f)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        Value::String(s) => serde_json::Value::String(s.to_string()),
        Value::Bytes(b) => serde_json::Value::String(String::from_utf8_lossy(b).into_owned()),
        Value::List(l) => serde_json::Value::Array(l.items.iter().map(to_json).collect()),
        Value::Map(m) => serde_json::Value::Object(
            m.entries
                .iter()
                .map(|(k, v)| (k.clone(), to_json(v)))
                .collect(),
        ),
        Value::Object(o) => to_json(&o.to_data()),
    }
}

/// Validates the values of `chart` (its top-level view) and, recursively, those of its
/// subcharts; the error lists every failing chart as Helm does.
pub fn validate_against_schemas(chart: &Chart, values: &Value) -> Result<(), Error> {
    let mut report = String::new();
    collect(chart, values, &mut report, 0)?;
    if report.is_empty() {
        Ok(())
    } else {
        Err(Error::new(format!(
            "values don't meet the specifications of the schema(s) in the following chart(s):\n{report}"
        )))
    }
}

fn collect(chart: &Chart, values: &Value, report: &mut String, depth: usize) -> Result<(), Error> {
    if depth > 64 {
        return Err(Error::new("subcharts are nested too deeply"));
    }
    if let Some(schema) = &chart.schema {
        if let Err(text) = validate_single(values, schema) {
            report.push_str(chart.name());
            report.push_str(":\n");
            report.push_str(&text);
        }
    }
    let map = values.as_map();
    for sub in &chart.dependencies {
        match map.and_then(|m| m.get(sub.name())) {
            None | Some(Value::Nil) => {}
            Some(v @ Value::Map(_)) => collect(sub, v, report, depth + 1)?,
            Some(other) => report.push_str(&format!(
                "{}:\ninvalid type for values: expected object (map), got {}\n",
                sub.name(),
                other.type_name()
            )),
        }
    }
    Ok(())
}

/// The failures of one schema as Helm prints them (`- at '/path': message` lines), or Ok.
fn validate_single(values: &Value, schema: &[u8]) -> Result<(), String> {
    let schema: serde_json::Value = serde_json::from_slice(schema).map_err(|e| format!("{e}\n"))?;
    let validator = jsonschema::options()
        .build(&schema)
        .map_err(|e| format!("{e}\n"))?;
    let instance = to_json(values);
    // Helm's validator reports in Go map order, which varies from run to run; sorting makes
    // ours stable.
    let mut lines: Vec<String> = validator
        .iter_errors(&instance)
        .map(|err| {
            let path = err.instance_path().to_string();
            format!("- at '{path}': {}\n", message(&err, &schema))
        })
        .collect();
    lines.sort();
    if lines.is_empty() {
        Ok(())
    } else {
        Err(lines.concat())
    }
}

fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

/// A JSON number or value as the Go validator prints it.
fn show(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => format!("'{s}'"),
        other => other.to_string(),
    }
}

fn message(err: &jsonschema::ValidationError<'_>, _schema: &serde_json::Value) -> String {
    use jsonschema::error::{TypeKind, ValidationErrorKind as K};
    let instance = err.instance();
    match err.kind() {
        K::Type { kind } => {
            let want = match kind {
                TypeKind::Single(t) => t.to_string(),
                TypeKind::Multiple(ts) => ts
                    .into_iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            format!("got {}, want {}", json_type(instance), want)
        }
        K::MinLength { limit } => format!(
            "minLength: got {}, want {limit}",
            instance.as_str().map(|s| s.chars().count()).unwrap_or(0)
        ),
        K::MaxLength { limit } => format!(
            "maxLength: got {}, want {limit}",
            instance.as_str().map(|s| s.chars().count()).unwrap_or(0)
        ),
        K::Minimum { limit } => format!("minimum: got {instance}, want {limit}"),
        K::Maximum { limit } => format!("maximum: got {instance}, want {limit}"),
        K::Enum { options } => {
            let opts: Vec<String> = options
                .as_array()
                .map(|a| a.iter().map(show).collect())
                .unwrap_or_default();
            format!("value must be one of {}", opts.join(", "))
        }
        K::Required { property } => format!("missing property {}", show(property)),
        K::AdditionalProperties { unexpected } => {
            let names: Vec<String> = unexpected.iter().map(|n| format!("'{n}'")).collect();
            let noun = if names.len() == 1 {
                "property"
            } else {
                "properties"
            };
            format!("additional {noun} {} not allowed", names.join(", "))
        }
        K::Pattern { pattern } => {
            format!("{} does not match pattern '{pattern}'", show(instance))
        }
        K::Constant { expected_value } => format!("value must be {}", show(expected_value)),
        _ => err.to_string(),
    }
}
