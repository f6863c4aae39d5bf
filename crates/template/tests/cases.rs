//! Runs every case in `fixtures/engine` through the engine and compares with Helm's goldens.
//!
//! Helm's own layer is reproduced here so the texts can be compared: `<no value>` is removed from
//! the output, parse errors become `parse error at (NAME:LINE): MSG` (Helm's cleanupParseError)
//! and exec errors become Helm v4's indented trace (its reformatExecErrorMsg). The chart core
//! implements the same layer for real renders.

use std::path::Path;
use std::sync::Arc;

use helmet_template::{ErrorKind, Templates};
use helmet_value::{FuncMap, Map, MapType, Value};

/// Helm's common.Values as far as engine cases need it: its name (its methods belong to the chart
/// core; function cases cover them).
static VALUES: MapType = MapType {
    name: "common.Values",
    method: |_, _| None,
};

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
    let values = match values {
        Value::Map(m) => Value::Map(Arc::new(helmet_value::TypedMap::view(&m, Some(&VALUES)))),
        other => other,
    };
    let mut top = Map::new();
    top.insert("Values".into(), values);
    top.insert("Release".into(), Value::map(release));
    top.insert("Template".into(), Value::named_map(&VALUES, template));
    Value::named_map(&VALUES, top)
}

/// Helm's cleanupParseError.
fn helm_parse_error(file: &str, msg: &str) -> String {
    let tokens: Vec<&str> = msg.split(": ").collect();
    if tokens.len() == 1 {
        return format!("parse error in ({file}): {msg}");
    }
    format!(
        "parse error at ({}): {}",
        tokens[1],
        tokens[tokens.len() - 1]
    )
}

/// Helm v4's reformatExecErrorMsg for errors without nested template errors.
fn helm_exec_error(file: &str, msg: &str) -> String {
    let tokens: Vec<&str> = msg.splitn(3, ": ").collect();
    if tokens.len() != 3 {
        return format!("execution error in ({file}): {msg}");
    }
    let Some(rest) = msg.strip_prefix("template: ") else {
        return msg.to_string();
    };
    let cut = |m: &str| -> String {
        match m.find(" template:") {
            Some(i) => m[..i].to_string(),
            None => m.to_string(),
        }
    };
    if let Some((loc, after)) = rest.split_once(": executing ") {
        let Some(q) = after.strip_prefix('"') else {
            return msg.to_string();
        };
        let Some(end) = q.find('"') else {
            return msg.to_string();
        };
        let func = &q[..end];
        let Some(a) = q[end + 1..].strip_prefix(" at <") else {
            return msg.to_string();
        };
        let Some((ctx, m)) = a.split_once(">: ") else {
            return msg.to_string();
        };
        // A failed call whose error is not itself a template error stays as Go wrote it.
        if let Some(inner) = m.strip_prefix("error calling ") {
            let inner = inner.split_once(": ").map(|x| x.1).unwrap_or("");
            if !inner.starts_with("template: ") {
                return msg.to_string();
            }
        }
        return format!("{loc}\n  executing \"{func}\" at <{ctx}>:\n    {}", cut(m));
    }
    match rest.rfind(": ") {
        Some(i) => format!("{}\n  {}", &rest[..i], cut(&rest[i + 2..])),
        None => msg.to_string(),
    }
}

/// Helm's values coalescing deletes keys whose value is null (in maps, not in lists).
fn drop_nulls(v: Value) -> Value {
    match &v {
        Value::Map(m) => {
            let entries: Map = m
                .entries()
                .iter()
                .filter(|(_, v)| !v.is_nil())
                .map(|(k, v)| (k.clone(), drop_nulls(v.clone())))
                .collect();
            Value::typed_map(m.elem, entries)
        }
        _ => v,
    }
}

fn run_case(dir: &Path, name: &str) -> Result<(), String> {
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
    let mut t = Templates::new(Arc::new(FuncMap::new()));
    let got = match t.add(&file, template) {
        Err(e) => Err(helm_parse_error(&file, &e.message)),
        // As `helmet render`: an output that is not UTF-8 shows U+FFFD per invalid byte, as
        // the oracle's JSON does.
        Ok(()) => match t.execute_go(&file, &data(values, name)) {
            Ok(out) => Ok(out
                .unwrap_or_else(|bytes| helmet_value::gostring::to_text_lossy(&bytes))
                .replace("<no value>", "")),
            Err(e) if e.kind == ErrorKind::Exec => Err(helm_exec_error(&file, &e.message)),
            Err(e) => Err(e.message),
        },
    };
    let golden = dir.join(format!("{name}.golden"));
    let error = dir.join(format!("{name}.error"));
    if let Ok(want) = std::fs::read_to_string(&golden) {
        return match got {
            Ok(out) if out == want => Ok(()),
            Ok(out) => Err(format!("output differs\n  want: {want:?}\n  got:  {out:?}")),
            Err(e) => Err(format!("unexpected error\n  want: {want:?}\n  got:  {e}")),
        };
    }
    let want = std::fs::read_to_string(&error).map_err(|_| "no golden".to_string())?;
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
    match run_case(dir, name) {
        Ok(()) => Err("known gap now passes: remove it from KNOWN_GAPS".into()),
        Err(e) if e.contains("is not supported by helmet") => Ok(()),
        Err(e) => Err(format!("gap fails without naming the feature: {e}")),
    }
}

#[test]
fn engine_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/engine");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures/engine")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let n = e.file_name().to_string_lossy().to_string();
            n.strip_suffix(".case").map(str::to_string)
        })
        .collect();
    names.sort();
    assert!(!names.is_empty());
    let mut failed = Vec::new();
    for name in &names {
        let result = if KNOWN_GAPS.contains(&name.as_str()) {
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
        "engine cases: {} passed, {} failed of {}",
        names.len() - failed.len(),
        failed.len(),
        names.len()
    );
    assert!(failed.is_empty(), "failed cases: {failed:?}");
}
