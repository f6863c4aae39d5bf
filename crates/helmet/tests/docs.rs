//! `helmet docs`: the README generated for fixture charts, pinned with insta snapshots (these are
//! helmet's own outputs; Helm has no such command to compare with).

use std::path::{Path, PathBuf};

use helmet::docs;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sample_chart() -> PathBuf {
    repo_root().join("fixtures/charts/todo-app-docs")
}

/// A fresh copy of the sample chart in a temporary directory, for tests that write files.
fn sample_copy(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("helmet-docs-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    for file in ["Chart.yaml", "values.yaml", "templates/configmap.yaml"] {
        std::fs::copy(sample_chart().join(file), dir.join(file)).unwrap();
    }
    dir
}

#[test]
fn sample_chart_readme() {
    let readme = docs::generate(&sample_chart()).unwrap();
    assert_eq!(readme.path, sample_chart().join("README.md"));
    insta::assert_snapshot!(readme.text);
}

/// Generates the README of a copy of the sample chart that has `template` as its README.md.j2.
fn generate_with_chart_template(test: &str, template: &str) -> Result<docs::Readme, helmet::Error> {
    let dir = sample_copy(test);
    std::fs::write(dir.join(docs::CHART_TEMPLATE_FILE), template).unwrap();
    let readme = docs::generate(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    readme
}

#[test]
fn chart_template_replaces_the_built_in_one() {
    let readme = generate_with_chart_template(
        "custom",
        "# {{ chart.name }} {{ chart.version }}\n\n{% for v in values %}- {{ v.key }} ({{ v.type }}) = {{ v.default }}: {{ v.description }}\n{% endfor %}\n\n\n",
    );
    insta::assert_snapshot!(readme.unwrap().text);
}

#[test]
fn template_errors_name_the_template() {
    let readme =
        generate_with_chart_template("error", "# {{ chart.name }}\n{{ chart.no_such_field }}\n");
    insta::assert_snapshot!(readme.unwrap_err().to_string());
}

#[test]
fn write_then_check() {
    let dir = sample_copy("check");
    let readme = docs::generate(&dir).unwrap();
    assert!(!readme.is_current(), "a missing README is stale");
    readme.write().unwrap();
    assert!(docs::generate(&dir).unwrap().is_current());
    let values = std::fs::read_to_string(dir.join("values.yaml")).unwrap();
    std::fs::write(
        dir.join("values.yaml"),
        values.replace("# -- How many pods", "# -- How many pods to run"),
    )
    .unwrap();
    let stale = docs::generate(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        !stale.is_current(),
        "a changed description makes the README stale"
    );
    assert!(stale
        .text
        .contains("| replicas | int | `3` | How many pods to run |"));
}

#[test]
fn todo_app_readme_is_generated_and_current() {
    let readme = docs::generate(&repo_root().join("charts/todo-app")).unwrap();
    assert!(
        readme.is_current(),
        "charts/todo-app/README.md is stale: run `cargo run -- docs charts/todo-app`"
    );
}

#[test]
fn every_todo_app_value_is_documented() {
    let values = std::fs::read_to_string(repo_root().join("charts/todo-app/values.yaml")).unwrap();
    let undocumented: Vec<String> = docs::value_rows(&values)
        .unwrap()
        .into_iter()
        .filter(|row| row.description.is_empty())
        .map(|row| row.key)
        .collect();
    assert!(undocumented.is_empty(), "undocumented: {undocumented:?}");
}

#[test]
fn rows_of_a_small_values_file() {
    let rows = docs::value_rows("# -- a port\nport: 8080\nnested:\n  deeper:\n    leaf: [1, 2]\n")
        .unwrap();
    let lines: Vec<String> = rows
        .iter()
        .map(|r| format!("{}|{}|{}|{}", r.key, r.type_name, r.default, r.description))
        .collect();
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn bad_values_yaml_is_an_error() {
    let err = docs::value_rows("a: [unclosed\n").unwrap_err();
    assert!(err.to_string().starts_with("values.yaml: "), "{err}");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let mut yaml = String::new();
    for depth in 0..150 {
        yaml.push_str(&" ".repeat(depth));
        yaml.push_str("k:\n");
    }
    yaml.push_str(&" ".repeat(150));
    yaml.push_str("leaf: 1\n");
    match docs::value_rows(&yaml) {
        Ok(rows) => panic!("expected an error, got {} rows", rows.len()),
        Err(e) => assert!(e.to_string().contains("nest deeper"), "{e}"),
    }
}
