//! Checks the printing stage (`manifest` + `output`) on its own: for every `helm template` case
//! of the chart fixtures, the engine output real Helm produced for the same values
//! (`goldens/CASE.engine.json`) goes through [`helmet::output::template`], and the result must
//! equal what `helm template` printed (`goldens/CASE.out`, or the error in `CASE.err`).
//! The whole pipeline, engine included, is checked from the CLI (`crates/cli/tests`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use helmet::output::{template, TemplateOptions};

/// Splits a cases line as `sh` would for the simple words the fixtures use (quotes allowed).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, ' ' | '\t') => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            (None, c) => {
                current.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(current);
    }
    words
}

struct Case {
    dir: PathBuf,
    name: String,
    words: Vec<String>,
}

fn template_cases() -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/charts");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("fixtures/charts exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("cases.txt").is_file())
        .collect();
    dirs.sort();
    let mut out = Vec::new();
    for dir in dirs {
        let text = std::fs::read_to_string(dir.join("cases.txt")).expect("cases.txt readable");
        for line in text.lines() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let mut words = shell_words(line);
            let name = words.remove(0);
            if words.first().map(String::as_str) == Some("render") {
                continue;
            }
            out.push(Case {
                dir: dir.clone(),
                name,
                words,
            });
        }
    }
    out
}

/// The printing options and the values flags of a case.
fn options(dir: &Path, words: &[String]) -> (TemplateOptions, helmet::ValueOptions) {
    let mut opts = TemplateOptions {
        release_name: "release-name".into(),
        ..TemplateOptions::default()
    };
    let mut values = helmet::ValueOptions::default();
    let mut i = 0;
    while i < words.len() {
        let next = words.get(i + 1).cloned().unwrap_or_default();
        match words[i].as_str() {
            "-s" | "--show-only" => {
                opts.show_only.push(next);
                i += 1;
            }
            "--include-crds" => opts.include_crds = true,
            "--skip-tests" => opts.skip_tests = true,
            "--no-hooks" => opts.no_hooks = true,
            "--set" => {
                values.set.push(next);
                i += 1;
            }
            "--set-string" => {
                values.set_string.push(next);
                i += 1;
            }
            "--set-json" => {
                values.set_json.push(next);
                i += 1;
            }
            "--set-literal" => {
                values.set_literal.push(next);
                i += 1;
            }
            "-f" | "--values" => {
                values
                    .values_files
                    .extend(next.split(',').map(|f| dir.join(f)));
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    (opts, values)
}

fn check(case: &Case) -> Option<String> {
    let goldens = case.dir.join("goldens");
    let engine = goldens.join(format!("{}.engine.json", case.name));
    let Ok(json) = std::fs::read_to_string(&engine) else {
        return None; // The engine failed in Helm: nothing for this stage to print.
    };
    if json.contains("\\ufffd") && goldens.join(format!("{}.err", case.name)).exists() {
        // Helm's printing stage failed on bytes that are not UTF-8, which the engine's JSON
        // shows as U+FFFD: not what that stage read (the CLI suite runs these cases end to end).
        return None;
    }
    let label = format!(
        "{}/{}",
        case.dir.file_name().unwrap_or_default().to_string_lossy(),
        case.name
    );
    let parsed: serde_json::Value = serde_json::from_str(&json).expect("engine json parses");
    let rendered: BTreeMap<String, String> = parsed
        .as_object()
        .expect("engine json is an object")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    let (opts, value_options) = options(&case.dir, &case.words);
    let mut chart = helmet::load_chart(&case.dir).expect("fixture chart loads");
    let user = value_options.merge_values().expect("values merge");
    let got = helmet::output::check_installable(&chart, "release-name").and_then(|()| {
        helmet::process_dependencies(&mut chart, &user)?;
        template(&chart, rendered, &opts)
    });
    let want_out = std::fs::read_to_string(goldens.join(format!("{}.out", case.name)));
    match (got, want_out) {
        (Ok(out), Ok(want)) if out.stdout == want => None,
        (Ok(out), Ok(want)) => Some(format!(
            "{label}\n--- want\n{want}\n--- got\n{}",
            out.stdout
        )),
        (Err(e), Ok(_)) => Some(format!("{label}: unexpected error {e}")),
        (got, Err(_)) => {
            let want_err = std::fs::read_to_string(goldens.join(format!("{}.err", case.name)))
                .unwrap_or_default();
            // Log lines (symbolic links followed) come before the error; this stage has none.
            let error_at = want_err
                .match_indices("Error: ")
                .map(|(i, _)| i)
                .find(|&i| i == 0 || want_err.as_bytes()[i - 1] == b'\n')
                .unwrap_or(0);
            let want_err = want_err[error_at..].to_string();
            match got {
                Err(e) if format!("Error: {e}\n") == want_err => None,
                Err(e) => Some(format!(
                    "{label}\n--- want\n{want_err}--- got\nError: {e}\n"
                )),
                Ok(out) => Some(format!(
                    "{label}: expected {want_err}--- got output\n{}",
                    out.stdout
                )),
            }
        }
    }
}

#[test]
fn printing_matches_helm_template() {
    let cases = template_cases();
    assert!(!cases.is_empty(), "no cases found");
    let checked = cases
        .iter()
        .filter(|c| {
            c.dir
                .join("goldens")
                .join(format!("{}.engine.json", c.name))
                .is_file()
        })
        .count();
    assert!(checked > 10, "only {checked} cases have engine goldens");
    let failures: Vec<String> = cases.iter().filter_map(check).collect();
    if !failures.is_empty() {
        panic!(
            "{} of {checked} cases differ:\n\n{}",
            failures.len(),
            failures.join("\n========\n")
        );
    }
}

/// The `render-hooks` fixture chart and what Helm's engine rendered of it (its golden).
fn render_hooks_engine_output() -> (helmet::Chart, BTreeMap<String, String>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/charts/render-hooks");
    let json = std::fs::read_to_string(dir.join("goldens/default.engine.json")).expect("golden");
    let parsed: serde_json::Value = serde_json::from_str(&json).expect("json");
    let rendered = parsed
        .as_object()
        .expect("object")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    (helmet::load_chart(&dir).expect("chart loads"), rendered)
}

/// `--output-dir` (which the oracle cannot run): every document `helm template` prints goes to
/// `DIR/<template path>` with the same `# Source` header, and standard output lists the files.
#[test]
fn output_dir_holds_the_printed_documents() {
    let (chart, rendered) = render_hooks_engine_output();
    let out_dir = std::env::temp_dir().join(format!("helmet-output-dir-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out_dir);
    let opts = TemplateOptions {
        output_dir: Some(out_dir.clone()),
        release_name: "release-name".into(),
        ..TemplateOptions::default()
    };
    let printed = template(&chart, rendered.clone(), &opts).expect("writes");
    let plain = template(
        &chart,
        rendered,
        &TemplateOptions {
            release_name: "release-name".into(),
            ..TemplateOptions::default()
        },
    )
    .expect("prints");
    // Helm prints the (empty) manifest text after the `wrote` lines: a lone newline.
    assert!(printed.stdout.ends_with("\n\n"), "{}", printed.stdout);
    let mut paths: Vec<&str> = printed
        .stdout
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.strip_prefix("wrote ").expect("a wrote line"))
        .collect();
    paths.sort();
    paths.dedup();
    let written: String = paths
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("written file"))
        .collect();
    let documents = |text: &str| {
        let mut docs: Vec<String> = text
            .split("---\n# Source: ")
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty())
            .collect();
        docs.sort();
        docs
    };
    assert_eq!(documents(&written), documents(&plain.stdout));
    let _ = std::fs::remove_dir_all(&out_dir);
}

/// `--output-dir` where a file stands in the way: the command fails with the error Helm's
/// `writeToFile` returns (Go's `stat DIR: not a directory`), before writing anything.
#[test]
fn output_dir_behind_a_file_fails_in_gos_words() {
    let (chart, rendered) = render_hooks_engine_output();
    let file = std::env::temp_dir().join(format!("helmet-output-file-{}", std::process::id()));
    std::fs::write(&file, "a file").expect("written");
    let opts = TemplateOptions {
        output_dir: Some(file.clone()),
        release_name: "release-name".into(),
        ..TemplateOptions::default()
    };
    let err = template(&chart, rendered, &opts).expect_err("a file is in the way");
    let text = err.to_string();
    let _ = std::fs::remove_file(&file);
    let folder = text
        .strip_prefix("stat ")
        .and_then(|t| t.strip_suffix(": not a directory"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        folder.starts_with(&format!("{}/", file.display())),
        "{text}"
    );
}
