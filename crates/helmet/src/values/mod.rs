//! User values (`-f`, `--set` and friends), coalescing with chart defaults, dependency
//! processing and schema validation.

pub mod coalesce;
pub mod dependencies;
pub mod schema;
pub mod strvals;

use std::io::Read;
use std::path::PathBuf;

use helmet_value::{Map, Value};

use crate::chart::{Chart, Error};
use crate::load::{merge_maps, parse_values};

pub use coalesce::Warnings;
pub use schema::validate_against_schemas;

/// The values flags of `helm template`/`install`, applied in Helm's order: files, then
/// `--set-json`, `--set`, `--set-string`, `--set-file`, `--set-literal`.
#[derive(Clone, Debug, Default)]
pub struct ValueOptions {
    /// `-f`/`--values`; `-` reads standard input.
    pub values_files: Vec<PathBuf>,
    /// `--set`
    pub set: Vec<String>,
    /// `--set-string`
    pub set_string: Vec<String>,
    /// `--set-json`
    pub set_json: Vec<String>,
    /// `--set-file`
    pub set_file: Vec<String>,
    /// `--set-literal`
    pub set_literal: Vec<String>,
}

fn read_source(name: &str, stdin: &mut dyn Read) -> Result<Vec<u8>, String> {
    if name.trim() == "-" {
        let mut buf = Vec::new();
        stdin.read_to_end(&mut buf).map_err(|e| e.to_string())?;
        return Ok(buf);
    }
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("oci://")
    {
        return Err(format!("reading values from {name} is not supported yet"));
    }
    std::fs::read(name).map_err(|e| {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        };
        format!("open {name}: {reason}")
    })
}

impl ValueOptions {
    /// Merges all sources into one values map, reading standard input for `-`.
    pub fn merge_values(&self) -> Result<Value, Error> {
        self.merge_values_from(&mut std::io::stdin())
    }

    /// Like [`ValueOptions::merge_values`], reading `-` from `stdin`.
    pub fn merge_values_from(&self, stdin: &mut dyn Read) -> Result<Value, Error> {
        let mut base = Map::new();
        for file in &self.values_files {
            let name = file.display().to_string();
            let raw = read_source(&name, stdin).map_err(Error::new)?;
            let current =
                parse_values(&raw).map_err(|e| e.wrap(format!("failed to parse {name}")))?;
            base = merge_maps(base, current.as_map().unwrap_or(&Map::new()));
        }
        for value in &self.set_json {
            let trimmed = value.trim();
            if trimmed.starts_with('{') {
                let parsed: serde_json::Value = serde_json::from_str(trimmed).map_err(|_| {
                    Error::new(format!("failed parsing --set-json data JSON: {value}"))
                })?;
                match strvals::from_json(&parsed) {
                    Value::Map(m) => base = merge_maps(base, &m.entries),
                    _ => {
                        return Err(Error::new(format!(
                            "failed parsing --set-json data JSON: {value}"
                        )))
                    }
                }
            } else {
                strvals::parse_into(value, &mut base, strvals::Mode::Json)
                    .map_err(|_| Error::new(format!("failed parsing --set-json data {value}")))?;
            }
        }
        for value in &self.set {
            strvals::parse_into(value, &mut base, strvals::Mode::Typed)
                .map_err(|e| Error::new(format!("failed parsing --set data: {e}")))?;
        }
        for value in &self.set_string {
            strvals::parse_into(value, &mut base, strvals::Mode::String)
                .map_err(|e| Error::new(format!("failed parsing --set-string data: {e}")))?;
        }
        for value in &self.set_file {
            let mut reader = |name: &str| -> Result<Value, String> {
                let data = read_source(name, &mut *stdin)?;
                Ok(Value::string(String::from_utf8_lossy(&data).into_owned()))
            };
            strvals::parse_into(value, &mut base, strvals::Mode::File(&mut reader))
                .map_err(|e| Error::new(format!("failed parsing --set-file data: {e}")))?;
        }
        for value in &self.set_literal {
            strvals::parse_into(value, &mut base, strvals::Mode::Literal)
                .map_err(|e| Error::new(format!("failed parsing --set-literal data: {e}")))?;
        }
        Ok(Value::map(base))
    }
}

/// Helm's `ProcessDependencies` (see [`dependencies`]); warnings are dropped.
pub fn process_dependencies(chart: &mut Chart, values: &Value) -> Result<(), Error> {
    let mut warnings = Warnings::new();
    dependencies::process_dependencies(chart, values, &mut warnings)
        .map_err(|e| e.wrap("chart dependencies processing failed"))
}

/// The final `.Values` of the top chart (Helm's `CoalesceValues`); warnings are dropped.
pub fn coalesce_values(chart: &Chart, user: &Value) -> Result<Value, Error> {
    let mut warnings = Warnings::new();
    coalesce::coalesce_values(chart, user, &mut warnings)
}
