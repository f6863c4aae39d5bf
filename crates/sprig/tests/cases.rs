//! Runs every case in `fixtures/functions` and `fixtures/functions-extra` (dates, semver,
//! hashes, crypto) through the engine with the full function library and compares with Helm's goldens. Helm's own error layer (parse-error cleanup, execution-error
//! reformatting, `<no value>` removal) comes from the chart core, as in real renders.

use std::path::Path;
use std::sync::Arc;

use helmet_template::{ErrorKind, Templates};
use helmet_value::{Map, Value};

fn data(values: Value, name: &str) -> Value {
    let mut release = Map::new();
    release.insert("Name".into(), Value::from("release-name"));
    release.insert("Namespace".into(), Value::from("default"));
    release.insert("IsInstall".into(), Value::Bool(true));
    release.insert("IsUpgrade".into(), Value::Bool(false));
    release.insert("Revision".into(), Value::Int(1));
    release.insert("Service".into(), Value::from("Helm"));
    let mut template = Map::new();
    template.insert(
        "Name".into(),
        Value::from(format!("cases/templates/{name}.yaml")),
    );
    template.insert("BasePath".into(), Value::from("cases/templates"));
    // Helm hands templates `.`, `.Values` and `.Template` as its named map type common.Values.
    let values = helmet::objects::as_values(&values);
    let mut top = Map::new();
    top.insert("Values".into(), values);
    top.insert("Release".into(), Value::map(release));
    top.insert(
        "Template".into(),
        Value::named_map(&helmet::objects::VALUES, template),
    );
    Value::named_map(&helmet::objects::VALUES, top)
}

/// Helm's values coalescing drops keys whose value is null.
fn drop_nulls(v: Value) -> Value {
    match &v {
        Value::Map(m) => Value::typed_map(
            m.elem,
            m.entries()
                .iter()
                .filter(|(_, v)| !v.is_nil())
                .map(|(k, v)| (k.clone(), drop_nulls(v.clone())))
                .collect(),
        ),
        _ => v,
    }
}

fn render(dir: &Path, name: &str) -> Result<String, String> {
    let text =
        std::fs::read_to_string(dir.join(format!("{name}.case"))).map_err(|e| e.to_string())?;
    let (values_src, template) = if let Some(t) = text.strip_prefix("---\n") {
        ("", t)
    } else {
        let at = text.find("\n---\n").ok_or("no --- line")?;
        (&text[..at + 1], &text[at + 5..])
    };
    let values = drop_nulls(helmet_yaml::from_str(values_src).map_err(|e| format!("values: {e}"))?);
    let file = format!("cases/templates/{name}.yaml");
    let mut t = Templates::new(Arc::new(helmet_sprig::functions()));
    t.set_root_name("gotpl");
    if let Err(e) = t.add(&file, template) {
        return Err(helmet::render::cleanup_parse_error(&file, &e.message).to_string());
    }
    // As `helmet render`: an output that is not UTF-8 shows U+FFFD per invalid byte, as the
    // oracle's JSON does.
    match t.execute_go(&file, &data(values, name)) {
        Ok(out) => Ok(out
            .unwrap_or_else(|bytes| helmet_value::gostring::to_text_lossy(&bytes))
            .replace("<no value>", "")),
        Err(e) if e.kind == ErrorKind::Exec => {
            Err(helmet::render::reformat_exec_error(&file, &e.message).to_string())
        }
        Err(e) => Err(e.message),
    }
}

fn run_case(dir: &Path, name: &str) -> Result<(), String> {
    let got = render(dir, name);
    if let Ok(want) = std::fs::read_to_string(dir.join(format!("{name}.golden"))) {
        return match got {
            Ok(out) if out == want => Ok(()),
            Ok(out) => Err(format!("output differs\n  want: {want:?}\n  got:  {out:?}")),
            Err(e) => Err(format!("unexpected error\n  want: {want:?}\n  got:  {e}")),
        };
    }
    // Helm's message may hold bytes that are not UTF-8 (the raw bytes of a pattern, say);
    // helmet's messages are text and show each of them as U+FFFD.
    let want = std::fs::read(dir.join(format!("{name}.error")))
        .map(|bytes| helmet_value::gostring::to_text_lossy(&bytes))
        .map_err(|_| "no golden".to_string())?;
    let want = want.trim_end_matches('\n');
    let want = want.strip_prefix("Error: ").unwrap_or(want);
    match got {
        Err(e) if e == want => Ok(()),
        Err(e) => Err(format!("error differs\n  want: {want:?}\n  got:  {e:?}")),
        Ok(out) => Err(format!(
            "expected error\n  want: {want:?}\n  got output: {out:?}"
        )),
    }
}

/// Cases helmet knows it cannot render: they must fail with an error naming the unsupported
/// feature rather than print something wrong. None at present.
const KNOWN_GAPS: &[&str] = &[];

fn check_gap(dir: &Path, name: &str) -> Result<(), String> {
    match render(dir, name) {
        Err(e) if e.contains("is not supported by helmet") => Ok(()),
        Err(e) => Err(format!("gap fails without naming the feature: {e}")),
        Ok(out) => Err(format!("gap renders instead of failing: {out:?}")),
    }
}

#[test]
fn function_cases() {
    run_suite("functions", KNOWN_GAPS);
}

#[test]
fn extra_function_cases() {
    run_suite("functions-extra", &[]);
}

/// Runs every case of `fixtures/<suite>`; `known_gaps` must fail naming what is unsupported.
fn run_suite(suite: &str, known_gaps: &[&str]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(suite);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("fixtures/{suite}: {e}"))
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let n = e.file_name().to_string_lossy().to_string();
            n.strip_suffix(".case").map(str::to_string)
        })
        .collect();
    names.sort();
    // CASES=prefix runs only the cases whose names start with it.
    if let Ok(only) = std::env::var("CASES") {
        names.retain(|n| n.starts_with(&only));
    }
    assert!(!names.is_empty());
    let mut failed = Vec::new();
    for name in &names {
        let result = if known_gaps.contains(&name.as_str()) {
            check_gap(&dir, name)
        } else {
            run_case(&dir, name)
        };
        if let Err(e) = result {
            eprintln!("FAIL {name}: {e}");
            failed.push(name.clone());
        }
    }
    println!(
        "{suite} cases: {} passed, {} failed of {}",
        names.len() - failed.len(),
        failed.len(),
        names.len()
    );
    assert!(failed.is_empty(), "failed cases: {failed:?}");
}
