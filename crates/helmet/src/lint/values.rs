//! The `values.yaml` rules (Helm's `rules/values.go`): the file should exist, must parse, and
//! with the user's values over it must meet `values.schema.json`.

use helmet_value::Value;

use super::{Linter, Severity};
use crate::values::coalesce::{coalesce_tables, Warnings};

const FILE: &str = "values.yaml";

/// Runs the values rules with the user's values (`-f`, `--set`).
pub fn lint(linter: &mut Linter, user_values: &Value, skip_schema_validation: bool) {
    let path = linter.chart_dir.join(FILE);
    let exists = std::fs::metadata(&path).is_ok();
    if !linter.check(
        "values-missing",
        Severity::Info,
        FILE,
        if exists {
            Ok(())
        } else {
            Err("file does not exist".into())
        },
    ) {
        return;
    }
    let result = validate(&mut *linter, user_values, skip_schema_validation);
    linter.check("values-invalid", Severity::Error, FILE, result);
}

fn validate(
    linter: &mut Linter,
    user_values: &Value,
    skip_schema_validation: bool,
) -> Result<(), String> {
    let path = linter.chart_dir.join(FILE);
    let bytes = std::fs::read(&path).map_err(|e| {
        format!(
            "unable to parse YAML: open {}: {}",
            path.display(),
            super::io_text(&e)
        )
    })?;
    // Helm reads the file into its `common.Values` map type, which names the type in a
    // top-level type error where a plain map would say `map[string]interface {}`.
    let text = std::str::from_utf8(&bytes).map_err(|_| match crate::load::not_utf8(&bytes) {
        Ok(error) => format!("unable to parse YAML: {error}"),
        Err(refused) => refused.to_string(),
    })?;
    let values = helmet_yaml::from_str(text).map_err(|e| {
        let text = e.to_string();
        let text = match text.strip_suffix("Go value of type map[string]interface {}") {
            Some(head) => format!("{head}Go value of type common.Values"),
            None => text,
        };
        format!("unable to parse YAML: {text}")
    })?;
    let mut warnings = Warnings::default();
    let user = user_values
        .as_map()
        .map(|m| (*m).clone())
        .unwrap_or_default();
    let file = values.as_map().map(|m| (*m).clone()).unwrap_or_default();
    let merged = coalesce_tables(helmet_value::Map::new(), user, "", false, &mut warnings, 0);
    let merged = coalesce_tables(merged, file, "", false, &mut warnings, 0);
    // Helm logs what coalescing skipped (to stderr, with the time).
    linter.logs.append(&mut warnings);
    let schema_path = linter.chart_dir.join("values.schema.json");
    let schema = std::fs::read(&schema_path).unwrap_or_default();
    if schema.is_empty() || skip_schema_validation {
        return Ok(());
    }
    let validated = crate::values::schema::validate_single(&Value::map(merged), &schema);
    // What loading the schema's references logged (an unresolved `urn:`).
    linter
        .logs
        .extend(crate::values::schema_loader::take_warnings());
    validated
}
