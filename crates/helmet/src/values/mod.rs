//! User values (`-f`, `--set` and friends), coalescing with chart defaults, dependency
//! processing and schema validation.

pub mod coalesce;
pub mod dependencies;
pub(crate) mod parsed;
mod raw_json;
pub mod schema;
mod schema_doc;
mod schema_fast;
mod schema_format;
mod schema_http;
pub(crate) mod schema_loader;
mod schema_pattern;
mod schema_refs;
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
    std::fs::read(name).map_err(|e| helmet_value::oserror::read_file_error(name, &e))
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
            base = merge_maps(base, &current.as_map().unwrap_or_default());
        }
        for value in &self.set_json {
            let trimmed = value.trim();
            if trimmed.starts_with('{') {
                match helmet_yaml::from_json_as(trimmed, helmet_yaml::Shape::Map) {
                    Ok(Value::Map(m)) => base = merge_maps(base, &m.entries()),
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

/// Helm's `action.CheckDependencies`: every dependency of `Chart.yaml` must be present under
/// `charts/` (by name, before aliases apply). The CLI wraps the error in its own words.
pub fn check_dependencies(chart: &Chart) -> Result<(), Error> {
    let missing: Vec<&str> = chart
        .metadata
        .dependency_entries()
        .filter(|req| !chart.dependencies.iter().any(|d| d.name() == req.name))
        .map(|req| req.name.as_str())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Error::new(format!(
            "found in Chart.yaml, but missing in charts/ directory: {}",
            missing.join(", ")
        )))
    }
}

/// Like [`process_dependencies`], also adding to `log` the warnings Helm logs (to stderr, each
/// line prefixed with the date and time) while doing it. Helm logs them as it goes, so those
/// logged before a failure (coalescing warnings, then a bad condition) stay in `log`.
pub fn process_dependencies_logged(
    chart: &mut Chart,
    values: &Value,
    log: &mut Warnings,
) -> Result<(), Error> {
    dependencies::process_dependencies(chart, values, log)
        .map_err(|e| e.wrap("chart dependencies processing failed"))
}

/// Like [`coalesce_values`], also returning the warnings Helm logs while coalescing (e.g.
/// `warning: skipped value for top.key: Not a table.`).
pub fn coalesce_values_with_warnings(
    chart: &Chart,
    user: &Value,
) -> Result<(Value, Warnings), Error> {
    let mut warnings = Warnings::new();
    let values = coalesce::coalesce_values(chart, user, &mut warnings)?;
    Ok((values, warnings))
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

#[cfg(test)]
mod golden_tests {
    //! Final values compared with real Helm's: each fixture chart's templates print
    //! `{{ toJson .Values }}`, rendered by the oracle into `fixtures/values/<case>/render.json`.
    use super::*;
    use std::path::Path;

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    fn options(args: &str) -> ValueOptions {
        let mut opts = ValueOptions::default();
        let mut words = args.split_whitespace();
        while let Some(flag) = words.next() {
            let arg = words.next().expect("flag value").to_string();
            match flag {
                "-f" => opts.values_files.push(root().join(arg)),
                "--set" => opts.set.push(arg),
                "--set-string" => opts.set_string.push(arg),
                "--set-json" => opts.set_json.push(arg),
                "--set-file" => opts.set_file.push(arg),
                "--set-literal" => opts.set_literal.push(arg),
                other => panic!("unknown flag {other}"),
            }
        }
        opts
    }

    /// The values a template at `path` (`top/charts/a/charts/b/templates/x`) sees.
    fn view(values: &Value, path: &str) -> Option<Value> {
        let dir = path.split("/templates/").next()?;
        let mut v = values.clone();
        for sub in dir.split("/charts/").skip(1) {
            v = v.map_get(sub)?;
        }
        Some(v)
    }

    /// `-f -` and `--set-file k=-` read standard input, exactly as reading the same text
    /// from a file.
    #[test]
    fn dash_reads_stdin() {
        let file = root().join("fixtures/values/override.yaml");
        let text = std::fs::read(&file).unwrap();
        let from_file = ValueOptions {
            values_files: vec![file.clone()],
            set_file: vec![format!("text={}", file.display())],
            ..ValueOptions::default()
        }
        .merge_values_from(&mut std::io::empty())
        .unwrap();
        let from_stdin = |opts: ValueOptions| {
            opts.merge_values_from(&mut std::io::Cursor::new(text.clone()))
                .unwrap()
        };
        let values = from_stdin(ValueOptions {
            values_files: vec!["-".into()],
            ..ValueOptions::default()
        });
        let text_value = from_stdin(ValueOptions {
            set_file: vec!["text=-".into()],
            ..ValueOptions::default()
        });
        let json = |v: &Value| helmet_yaml::to_json(v).unwrap();
        let mut both = (*values.as_map().unwrap()).clone();
        both.extend((*text_value.as_map().unwrap()).clone());
        assert_eq!(json(&Value::map(both)), json(&from_file));
    }

    #[test]
    fn missing_dependencies_and_warnings() {
        let mut chart =
            crate::load::load_chart(&root().join("fixtures/charts/values-deps")).unwrap();
        check_dependencies(&chart).unwrap();
        chart.dependencies.retain(|d| d.name() != "opt");
        assert_eq!(
            check_dependencies(&chart).unwrap_err().message(),
            "found in Chart.yaml, but missing in charts/ directory: opt"
        );
        let user = ValueOptions {
            set: vec!["mid.leaf.size.x=1".into()],
            ..ValueOptions::default()
        }
        .merge_values_from(&mut std::io::empty())
        .unwrap();
        let (_, warnings) = coalesce_values_with_warnings(&chart, &user).unwrap();
        // The chart's leaf.size (3) is not a table: Helm warns and keeps the user's map. These
        // texts are the oracle's stderr (Helm repeats them once per coalescing pass).
        for expected in [
            "warning: destination for values-deps.mid.leaf.size is a table. Ignoring non-table value (3)",
            "warning: skipped value for values-deps.mid.leaf.size: Not a table.",
        ] {
            assert!(warnings.iter().any(|w| w == expected), "{expected}: {warnings:?}");
        }
    }

    fn find_chart<'a>(chart: &'a Chart, full_path: &str) -> Option<&'a Chart> {
        if chart.full_path() == full_path {
            return Some(chart);
        }
        chart
            .dependencies
            .iter()
            .find_map(|d| find_chart(d, full_path))
    }

    #[test]
    fn final_values_match_helm() {
        let cases = std::fs::read_to_string(root().join("fixtures/values/cases.txt")).unwrap();
        let mut checked = 0;
        for line in cases.lines().filter(|l| !l.trim().is_empty()) {
            let mut parts = line.splitn(3, '|');
            let (name, chart, args) = (
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap_or(""),
            );
            let dir = root().join(format!("fixtures/values/{name}"));
            let mut warnings = Warnings::new();
            let mut run = || -> Result<(Chart, Value), Error> {
                let mut chart =
                    crate::load::load_chart(&root().join("fixtures/charts").join(chart))?;
                warnings.extend(chart.all_load_warnings());
                let user = options(args).merge_values_from(&mut std::io::empty())?;
                process_dependencies_logged(&mut chart, &user, &mut warnings)?;
                let (values, more) = coalesce_values_with_warnings(&chart, &user)?;
                warnings.extend(more);
                validate_against_schemas(&chart, &values)?;
                Ok((chart, values))
            };
            let outcome = run();
            // Helm logs in Go map order and repeats itself: compare the sets of lines.
            let mut ours: Vec<String> = warnings.clone();
            ours.sort();
            ours.dedup();
            let theirs: Vec<String> = std::fs::read_to_string(dir.join("warnings.txt"))
                .map(|t| t.lines().map(str::to_string).collect())
                .unwrap_or_default();
            assert_eq!(ours, theirs, "{name}: warnings");
            if let Ok(expected) = std::fs::read_to_string(dir.join("error.txt")) {
                let expected = expected.strip_prefix("Error: ").unwrap_or(&expected);
                let expected = expected.strip_suffix('\n').unwrap_or(expected);
                // Schema errors come in Go map order: compare their lines as sets.
                let sorted = |t: &str| {
                    let mut lines: Vec<String> = t.lines().map(str::to_string).collect();
                    lines.sort();
                    lines
                };
                match outcome {
                    Ok(_) => panic!("{name}: expected error {expected:?}"),
                    // The oracle's `render` reports dependency errors without the wrapping
                    // `helm template` adds (and that our API adds).
                    Err(e) => {
                        let ours = e.message();
                        let ours = ours
                            .strip_prefix("chart dependencies processing failed: ")
                            .unwrap_or(ours);
                        assert_eq!(sorted(ours), sorted(expected), "{name}")
                    }
                }
                checked += 1;
                continue;
            }
            let golden: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(dir.join("render.json")).unwrap())
                    .unwrap();
            let (chart, values) = outcome.unwrap_or_else(|e| panic!("{name}: {e}"));
            let rendered = golden.as_object().unwrap();
            for (template, output) in rendered {
                if template.ends_with("/templates/files.txt") {
                    // `{{ range $path, $_ := .Files }}{{ $path }}\n{{ end }}`: the loaded files.
                    let chart_dir = template.trim_end_matches("/templates/files.txt");
                    let names = find_chart(&chart, chart_dir)
                        .unwrap_or_else(|| panic!("{name}: no chart {chart_dir}"))
                        .files
                        .iter()
                        .map(|f| format!("{}\n", f.name))
                        .collect::<String>();
                    assert_eq!(names, output.as_str().unwrap(), "{name}: {template}");
                    checked += 1;
                    continue;
                }
                if !template.ends_with("/templates/values.yaml") {
                    continue;
                }
                let ours = view(&values, template)
                    .unwrap_or_else(|| panic!("{name}: no values for {template}"));
                let ours = helmet_yaml::to_json(&ours).unwrap() + "\n";
                assert_eq!(ours, output.as_str().unwrap(), "{name}: {template}");
                checked += 1;
            }
            // Every loaded template of every enabled chart renders, except partials: disabled
            // subcharts and ignored files must be gone.
            let mut ours_templates = Vec::new();
            fn walk(c: &Chart, out: &mut Vec<String>) {
                for t in &c.templates {
                    let base = t.name.rsplit('/').next().unwrap_or("");
                    if !base.starts_with('_') {
                        out.push(format!("{}/{}", c.full_path(), t.name));
                    }
                }
                c.dependencies.iter().for_each(|d| walk(d, out));
            }
            walk(&chart, &mut ours_templates);
            ours_templates.sort();
            let mut theirs: Vec<String> = rendered.keys().cloned().collect();
            theirs.sort();
            assert_eq!(ours_templates, theirs, "{name}: enabled subcharts");
        }
        assert!(checked > 0);
    }
}
