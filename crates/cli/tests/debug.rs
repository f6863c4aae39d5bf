//! `helmet template --debug`. The oracle has no `--debug`, so these are consistency checks
//! against the committed goldens of the same cases without it, plus what Helm's template command
//! prints on failure with `--debug` (a blank line for template errors; every rendered file for
//! output that does not parse as YAML), read from Helm's source.

use std::path::{Path, PathBuf};
use std::process::Command;

fn chart(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/charts")
        .join(name)
}

fn helmet(dir: &Path, args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_helmet"))
        .current_dir(dir)
        .args(args)
        .env_remove("HELM_NAMESPACE")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .env_remove("HELM_DEBUG")
        .env("KUBECONFIG", "/nonexistent/kubeconfig")
        .output()
        .expect("helmet runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn golden(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join("goldens").join(file)).expect("golden")
}

#[test]
fn debug_changes_nothing_when_rendering_succeeds() {
    for name in ["todo-app", "render-errors", "render-hooks"] {
        let dir = chart(name);
        let (stdout, _, code) = helmet(&dir, &["template", "release-name", ".", "--debug"]);
        assert_eq!(code, 0, "{name}");
        assert_eq!(stdout, golden(&dir, "default.out"), "{name}");
    }
}

#[test]
fn template_errors_print_a_blank_release_then_the_error() {
    let dir = chart("render-errors");
    let args = ["template", "release-name", ".", "--set", "mode=fail"];
    let (stdout, stderr, code) = helmet(&dir, &[&args[..], &["--debug"]].concat());
    assert_eq!(stdout, "\n");
    assert_eq!(stderr, golden(&dir, "fail.err"));
    assert_eq!(code, 1);
    // With --show-only nothing matches the empty release: only the error.
    let (stdout, stderr, _) = helmet(
        &dir,
        &[&args[..], &["--debug", "-s", "templates/b-required.yaml"]].concat(),
    );
    assert_eq!(stdout, "");
    assert_eq!(stderr, golden(&dir, "fail.err"));
}

#[test]
fn invalid_yaml_prints_every_rendered_file_then_the_error() {
    let dir = chart("render-errors");
    let args = [
        "template",
        "release-name",
        ".",
        "--set",
        "mode=bad-yaml",
        "--debug",
    ];
    let (stdout, stderr, code) = helmet(&dir, &args);
    assert_eq!(code, 1);
    assert_eq!(stderr, golden(&dir, "bad-yaml.err"));
    // The engine's raw output of the same case, file by file, sorted by name.
    let engine = golden(&dir, "bad-yaml.engine.json");
    assert!(stdout.starts_with("---\n# Source: "), "{stdout}");
    assert!(stdout.contains("# Source: render-errors/templates/c-yaml.yaml\n"));
    assert!(stdout.contains("data: [unclosed"));
    assert!(!stdout.contains("_helpers.tpl"));
    let sources: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("# Source: "))
        .collect();
    let mut sorted = sources.clone();
    sorted.sort_unstable();
    assert_eq!(sources, sorted);
    for source in sources {
        assert!(engine.contains(&format!("\"{source}\"")), "{source}");
    }
}
