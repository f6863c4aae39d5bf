//! The `Chart.yaml` rules (Helm's `rules/chartfile.go`).

use std::cmp::Ordering;

use helmet_value::Value;

use super::{govalidator, io_text, Linter, Severity};
use crate::chart::Metadata;
use crate::load::metadata::{decode_metadata_into, SemVer};

const FILE: &str = "Chart.yaml";

/// Runs the `Chart.yaml` rules.
pub fn lint(linter: &mut Linter) {
    let path = linter.chart_dir.join(FILE);
    let is_dir = std::fs::metadata(&path).is_ok_and(|m| m.is_dir());
    linter.check(
        "chart-yaml-directory",
        Severity::Error,
        FILE,
        if is_dir {
            Err("should be a file, not a directory".into())
        } else {
            Ok(())
        },
    );
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            linter.check(
                "chart-yaml-parse",
                Severity::Error,
                FILE,
                Err(format!(
                    "unable to parse YAML\n\tread {}: {}",
                    path.display(),
                    io_text(&e)
                )),
            );
            return;
        }
    };
    let doc = match load_chartfile(&bytes) {
        Ok(d) => d,
        Err(e) => {
            linter.check(
                "chart-yaml-parse",
                Severity::Error,
                FILE,
                Err(format!("unable to parse YAML\n\t{e}")),
            );
            return;
        }
    };
    let (md, raw) = doc;
    // The strict reading fails first on keys set twice (go-yaml), then on unknown fields
    // (encoding/json).
    let duplicates = super::duplicate_keys::duplicate_keys(&String::from_utf8_lossy(&bytes));
    let strict = if duplicates.is_empty() {
        strict_fields(&raw).map_err(|e| {
            format!(
                "failed to strictly parse chart metadata file\n\terror unmarshaling JSON: while decoding JSON: {e}"
            )
        })
    } else {
        Err(format!(
            "failed to strictly parse chart metadata file\n\terror converting YAML to JSON: yaml: unmarshal errors:\n  {}",
            duplicates.join("\n  ")
        ))
    };
    linter.check("chart-yaml-strict", Severity::Warning, FILE, strict);
    let types = raw.as_map().map(|m| (*m).clone()).unwrap_or_default();
    linter.check("chart-name", Severity::Error, FILE, validate_name(&md));
    linter.check(
        "chart-api-version",
        Severity::Error,
        FILE,
        validate_api_version(&md),
    );
    linter.check(
        "chart-version-type",
        Severity::Error,
        FILE,
        string_typed(&types, "version"),
    );
    linter.check(
        "chart-version",
        Severity::Error,
        FILE,
        validate_version(&md),
    );
    linter.check(
        "chart-app-version-type",
        Severity::Error,
        FILE,
        string_typed(&types, "appVersion"),
    );
    linter.check(
        "chart-maintainers",
        Severity::Error,
        FILE,
        validate_maintainers(&md),
    );
    linter.check(
        "chart-sources",
        Severity::Error,
        FILE,
        validate_sources(&md),
    );
    linter.check(
        "chart-icon-missing",
        Severity::Info,
        FILE,
        if md.icon.is_empty() {
            Err("icon is recommended".into())
        } else {
            Ok(())
        },
    );
    linter.check("chart-icon-url", Severity::Error, FILE, validate_icon(&md));
    linter.check("chart-type", Severity::Error, FILE, validate_type(&md));
    linter.check(
        "chart-dependencies",
        Severity::Error,
        FILE,
        validate_dependencies(&md),
    );
    linter.check(
        "chart-version-semver2",
        Severity::Warning,
        FILE,
        if strict_semver(&md.version) {
            Ok(())
        } else {
            Err(format!("version '{}' is not a valid SemVerV2", md.version))
        },
    );
}

/// Helm's `LoadChartfile`: the metadata, and the document as sigs.k8s.io/yaml reads it.
fn load_chartfile(bytes: &[u8]) -> Result<(Metadata, Value), String> {
    let doc = crate::load::parse_yaml(bytes)?;
    let mut md = Metadata::default();
    decode_metadata_into(&mut md, &doc)
        .map_err(|e| format!("error unmarshaling JSON: while decoding JSON: {e}"))?;
    Ok((md, doc))
}

/// Go's `%T` of a value decoded by encoding/json into `interface {}`.
fn json_go_type(v: &Value) -> &'static str {
    match v {
        Value::Nil => "<nil>",
        Value::Bool(_) => "bool",
        Value::String(_) | Value::Bytes(_) => "string",
        Value::List(_) => "[]interface {}",
        Value::Map(_) | Value::Object(_) => "map[string]interface {}",
        _ => "float64",
    }
}

fn string_typed(map: &helmet_value::Map, key: &str) -> Result<(), String> {
    match map.get(key) {
        None => Ok(()),
        Some(v) => {
            let t = json_go_type(v);
            if t == "string" {
                Ok(())
            } else {
                Err(format!(
                    "{key} should be of type string but it's of type {t}"
                ))
            }
        }
    }
}

const METADATA_FIELDS: &[&str] = &[
    "name",
    "home",
    "sources",
    "version",
    "description",
    "keywords",
    "maintainers",
    "icon",
    "apiVersion",
    "condition",
    "tags",
    "appVersion",
    "deprecated",
    "annotations",
    "kubeVersion",
    "dependencies",
    "type",
];
const MAINTAINER_FIELDS: &[&str] = &["name", "email", "url"];
const DEPENDENCY_FIELDS: &[&str] = &[
    "name",
    "version",
    "repository",
    "condition",
    "tags",
    "enabled",
    "import-values",
    "alias",
];

fn known(fields: &[&str], key: &str) -> bool {
    fields.iter().any(|f| f.eq_ignore_ascii_case(key))
}

/// `UnmarshalStrict`'s unknown-field check. The YAML becomes JSON with sorted keys first, so
/// the first unknown field in key order is the one reported.
fn strict_fields(doc: &Value) -> Result<(), String> {
    let Some(map) = doc.as_map() else {
        return Ok(());
    };
    let unknown = |k: &str| Err(format!("json: unknown field \"{k}\""));
    for (k, v) in map.iter() {
        if !known(METADATA_FIELDS, k) {
            return unknown(k);
        }
        let nested = if k.eq_ignore_ascii_case("maintainers") {
            MAINTAINER_FIELDS
        } else if k.eq_ignore_ascii_case("dependencies") {
            DEPENDENCY_FIELDS
        } else {
            continue;
        };
        if let Value::List(list) = v {
            for item in &list.items {
                if let Some(m) = item.as_map() {
                    for (nk, _) in m.iter() {
                        if !known(nested, nk) {
                            return unknown(nk);
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

fn validate_name(md: &Metadata) -> Result<(), String> {
    if md.name.is_empty() {
        return Err("name is required".into());
    }
    if go_base(&md.name) != md.name {
        return Err(format!(
            "chart name {} is invalid",
            helmet_value::strconv::quote(&md.name)
        ));
    }
    Ok(())
}

/// Go's `filepath.Base` (Unix).
pub(super) fn go_base(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return if path.is_empty() { "." } else { "/" };
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

fn validate_api_version(md: &Metadata) -> Result<(), String> {
    if md.api_version.is_empty() {
        return Err("apiVersion is required. The value must be either \"v1\" or \"v2\"".into());
    }
    if md.api_version != "v1" && md.api_version != "v2" {
        return Err(format!(
            "apiVersion '{}' is not valid. The value must be either \"v1\" or \"v2\"",
            md.api_version
        ));
    }
    Ok(())
}

fn validate_version(md: &Metadata) -> Result<(), String> {
    if md.version.is_empty() {
        return Err("version is required".into());
    }
    let Some(version) = SemVer::parse(&md.version) else {
        return Err(format!("version '{}' is not a valid SemVer", md.version));
    };
    // The constraint `>0.0.0-0`: every version above the lowest pre-release of 0.0.0.
    let floor = SemVer {
        major: 0,
        minor: 0,
        patch: 0,
        pre: "0".into(),
    };
    if version.compare(&floor) != Ordering::Greater {
        return Err(format!(
            "version {} is less than or equal to \"0.0.0-0\"",
            helmet_value::strconv::quote(&md.version)
        ));
    }
    Ok(())
}

/// Masterminds' `StrictNewVersion`: exactly `MAJOR.MINOR.PATCH[-PRE][+BUILD]`, no `v`, no
/// leading zeros in numbers.
fn strict_semver(text: &str) -> bool {
    let (rest, build) = match text.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (text, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    let number = |s: &str| {
        !s.is_empty()
            && s.bytes().all(|b| b.is_ascii_digit())
            && !(s.len() > 1 && s.starts_with('0'))
    };
    let ident =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() != 3 || !parts.iter().all(|p| number(p)) {
        return false;
    }
    if let Some(p) = pre {
        for id in p.split('.') {
            if !ident(id) {
                return false;
            }
            if id.bytes().all(|b| b.is_ascii_digit()) && !number(id) {
                return false;
            }
        }
    }
    if let Some(b) = build {
        if !b.split('.').all(ident) {
            return false;
        }
    }
    true
}

fn validate_maintainers(md: &Metadata) -> Result<(), String> {
    for m in &md.maintainers {
        let Some(m) = m else {
            return Err("a maintainer entry is empty".into());
        };
        if m.name.is_empty() {
            return Err("each maintainer requires a name".into());
        } else if !m.email.is_empty() && !govalidator::is_email(&m.email) {
            return Err(format!(
                "invalid email '{}' for maintainer '{}'",
                m.email, m.name
            ));
        } else if !m.url.is_empty() && !govalidator::is_url(&m.url) {
            return Err(format!(
                "invalid url '{}' for maintainer '{}'",
                m.url, m.name
            ));
        }
    }
    Ok(())
}

fn validate_sources(md: &Metadata) -> Result<(), String> {
    for s in &md.sources {
        if s.is_empty() || !govalidator::is_request_url(s) {
            return Err(format!("invalid source URL '{s}'"));
        }
    }
    Ok(())
}

fn validate_icon(md: &Metadata) -> Result<(), String> {
    if !md.icon.is_empty() && !govalidator::is_request_url(&md.icon) {
        return Err(format!("invalid icon URL '{}'", md.icon));
    }
    Ok(())
}

fn validate_dependencies(md: &Metadata) -> Result<(), String> {
    if !md.dependencies.is_empty() && md.api_version != "v2" {
        return Err(format!(
            "dependencies are not valid in the Chart file with apiVersion '{}'. They are valid in apiVersion 'v2'",
            md.api_version
        ));
    }
    Ok(())
}

fn validate_type(md: &Metadata) -> Result<(), String> {
    if !md.chart_type.is_empty() && md.api_version != "v2" {
        return Err(format!(
            "chart type is not valid in apiVersion '{}'. It is valid in apiVersion 'v2'",
            md.api_version
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_semver_rules() {
        assert!(strict_semver("1.2.3"));
        assert!(strict_semver("1.2.3-rc.1+build.5"));
        assert!(!strict_semver("v1.2.3"));
        assert!(!strict_semver("1.2"));
        assert!(!strict_semver("01.2.3"));
        assert!(!strict_semver("1.2.3-01"));
    }

    #[test]
    fn go_base_of_names() {
        assert_eq!(go_base("a/b"), "b");
        assert_eq!(go_base("a/"), "a");
        assert_eq!(go_base("abc"), "abc");
    }
}
