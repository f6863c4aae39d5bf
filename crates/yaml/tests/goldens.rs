//! Compares reading and writing YAML with real Helm's output for every input in
//! `fixtures/yaml/read` (goldens made by `fixtures/yaml/refresh`).

use std::path::{Path, PathBuf};

use helmet_value::Value;
use helmet_yaml::{
    from_json_as, from_str_as, from_str_go_types, go_string_field, load_values, to_json,
    to_json_indent, to_toml, to_yaml, to_yaml_v3, Shape,
};

/// The `read` folder of the goldens; `HELMET_YAML_FIXTURES` points the tests at another copy
/// of `fixtures/yaml` (e.g. generated cases refreshed into a scratch folder).
fn fixtures() -> PathBuf {
    match std::env::var_os("HELMET_YAML_FIXTURES") {
        Some(dir) => PathBuf::from(dir).join("read"),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/yaml/read"),
    }
}

/// What the refresh script's template prints for one input.
fn render(src: &str) -> String {
    let main = match from_str_as(src, Shape::Map) {
        Err(e) => format!("ERROR: {e}\n"),
        Ok(v) => {
            // Helm's toJson/toYaml/toYamlPretty print nothing when encoding fails, and the
            // YAML writers' final newline is trimmed.
            let json = to_json(&v).unwrap_or_default();
            let yaml = to_yaml(&v).unwrap_or_default();
            let pretty = to_yaml_v3(&v, 2).unwrap_or_default();
            format!(
                "JSON: {json}\nYAML:\n{}\nPRETTY:\n{}\n",
                yaml.strip_suffix('\n').unwrap_or(&yaml),
                pretty.strip_suffix('\n').unwrap_or(&pretty)
            )
        }
    };
    // fromYamlArray returns the error text as the only item.
    let array = from_str_as(src, Shape::List)
        .unwrap_or_else(|e| Value::list(vec![Value::string(e.to_string())]));
    format!("{main}ARRAY: {}\n", to_json(&array).unwrap_or_default())
}

#[test]
fn read_and_write_like_helm() {
    let dir = fixtures();
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures/yaml/read")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty());
    let mut failures = Vec::new();
    for input in &inputs {
        let src = String::from_utf8(std::fs::read(input).expect("input")).expect("utf-8 input");
        let golden_path = input.with_extension("out");
        let golden = std::fs::read_to_string(&golden_path)
            .unwrap_or_else(|_| panic!("missing golden {}", golden_path.display()));
        let got = render(&src);
        if got != golden {
            failures.push(format!(
                "=== {}\n--- expected\n{golden}\n--- got\n{got}",
                input.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} inputs differ:\n{}",
        failures.len(),
        inputs.len(),
        failures.join("\n")
    );
}

/// What the refresh script's template prints for one JSON input.
fn render_json(src: &str) -> String {
    let mut out = match from_json_as(src, Shape::Map) {
        Err(e) => format!("ERROR: {e}\n"),
        Ok(v) => format!(
            "JSON: {}\nPRETTY:\n{}\n",
            to_json(&v).unwrap_or_default(),
            to_json_indent(&v, "", "  ").unwrap_or_default()
        ),
    };
    // fromJsonArray returns the error text as the only item.
    let array = from_json_as(src, Shape::List)
        .unwrap_or_else(|e| Value::list(vec![Value::string(e.to_string())]));
    out.push_str(&format!("ARRAY: {}\n", to_json(&array).unwrap_or_default()));
    out
}

#[test]
fn json_like_helm() {
    let dir = fixtures().join("../json");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures/yaml/json")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty());
    let mut failures = Vec::new();
    for input in &inputs {
        let src = String::from_utf8(std::fs::read(input).expect("input")).expect("utf-8 input");
        let golden = std::fs::read_to_string(input.with_extension("out")).expect("golden");
        let got = render_json(&src);
        if got != golden {
            failures.push(format!(
                "=== {}\n--- expected\n{golden}\n--- got\n{got}",
                input.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} inputs differ:\n{}",
        failures.len(),
        inputs.len(),
        failures.join("\n")
    );
}

#[test]
fn toml_like_helm() {
    let dir = fixtures().join("../toml");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures/yaml/toml")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty());
    let mut failures = Vec::new();
    for input in &inputs {
        let src = String::from_utf8(std::fs::read(input).expect("input")).expect("utf-8 input");
        let golden = std::fs::read_to_string(input.with_extension("out")).expect("golden");
        // fromYaml puts its error under "Error"; toToml prints its own error text.
        let value = from_str_as(&src, Shape::Map).unwrap_or_else(|e| {
            let mut m = helmet_value::Map::new();
            m.insert("Error".into(), Value::string(e.to_string()));
            Value::map(m)
        });
        let got = to_toml(&value).unwrap_or_else(|e| e.to_string());
        if got != golden {
            failures.push(format!(
                "=== {}\n--- expected\n{golden}\n--- got\n{got}",
                input.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} inputs differ:\n{}",
        failures.len(),
        inputs.len(),
        failures.join("\n")
    );
}

#[test]
fn values_files_like_helm() {
    let dir = fixtures().join("../values");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures/yaml/values")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty());
    let mut failures = Vec::new();
    for input in &inputs {
        let src = String::from_utf8(std::fs::read(input).expect("input")).expect("utf-8 input");
        let golden = std::fs::read_to_string(input.with_extension("out")).expect("golden");
        // The chart prints `toJson .Values`; a loading error is Helm's `Error:` line.
        let got = match load_values(&src) {
            Ok(v) => format!("JSON: {}\n", to_json(&v).unwrap_or_default()),
            Err(e) => format!("Error: cannot load values.yaml: {e}\n"),
        };
        if got != golden {
            failures.push(format!(
                "=== {}\n--- expected\n{golden}\n--- got\n{got}",
                input.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn chart_yaml_string_fields_like_helm() {
    let dir = fixtures().join("../chartyaml");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures/yaml/chartyaml")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty());
    let mut failures = Vec::new();
    for input in &inputs {
        let src = std::fs::read_to_string(input).expect("input");
        let golden = std::fs::read_to_string(input.with_extension("out")).expect("golden");
        let doc = from_str_go_types(&src).expect("Chart.yaml reads");
        let app = doc
            .map_get("appVersion")
            .as_ref()
            .and_then(go_string_field)
            .unwrap_or_default();
        let got = format!("APP: {app}\n");
        if got != golden {
            failures.push(format!(
                "{}: expected {golden:?}, got {got:?}",
                input.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
