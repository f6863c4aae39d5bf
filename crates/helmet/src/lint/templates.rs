//! The template rules (Helm's `rules/template.go`): the `templates/` folder, a lint-mode
//! render of the chart as release `test-release`, and checks on every rendered YAML file
//! (extension, top-level indentation, YAML syntax, object names, deprecated APIs, workload
//! selectors, `List` annotations).

use std::sync::{Arc, Mutex};

use helmet_value::{ArgType, Func, FuncMap, Value};

use super::{bestpractice, deprecations, manifest, names, LintOptions, Linter, Severity};
use crate::objects::{Capabilities, ReleaseInfo};
use crate::render::RenderOptions;

const DIR: &str = "templates/";

/// Runs the template rules with the user's values.
pub fn lint(linter: &mut Linter, user_values: &Value, options: &LintOptions) {
    let path = linter.chart_dir.join("templates");
    let stat = std::fs::metadata(&path);
    let missing = matches!(&stat, Err(e) if e.kind() == std::io::ErrorKind::NotFound);
    if !linter.check(
        "templates-missing",
        Severity::Warning,
        DIR,
        if missing {
            Err("directory does not exist".into())
        } else {
            Ok(())
        },
    ) {
        return;
    }
    let dir_ok = match &stat {
        Err(e) => Err(format!("stat {}: {}", path.display(), super::io_text(e))),
        Ok(m) if !m.is_dir() => Err("not a directory".into()),
        Ok(_) => Ok(()),
    };
    if !linter.check("templates-directory", Severity::Error, DIR, dir_ok) {
        return;
    }
    let mut chart = match crate::load::load_chart_logged(&linter.chart_dir, &mut linter.logs) {
        Ok(c) => {
            // Helm's loader logs as it loads (links followed, requirements files).
            linter.logs.extend(c.all_load_warnings());
            c
        }
        Err(e) => {
            linter.check("chart-load", Severity::Error, DIR, Err(e.to_string()));
            return;
        }
    };
    let mut capabilities = Capabilities::default();
    if let Some(kv) = &options.kube_version {
        capabilities.kube_version = kv.clone();
    }
    // Helm's lint leaves values it cannot compute to the values rule. Helm coalesces twice
    // (here and again when building the render values), logging its warnings each time.
    if crate::values::process_dependencies_logged(&mut chart, user_values, &mut linter.logs)
        .is_err()
    {
        return;
    }
    let Ok((values, mut warnings)) =
        crate::values::coalesce_values_with_warnings(&chart, user_values)
    else {
        return;
    };
    linter.logs.append(&mut warnings);
    let values = match crate::values::coalesce_values_with_warnings(&chart, &values) {
        Ok((v, mut warnings)) => {
            linter.logs.append(&mut warnings);
            v
        }
        Err(e) => {
            linter.check("values-coalesce", Severity::Error, DIR, Err(e.to_string()));
            return;
        }
    };
    if !options.skip_schema_validation {
        let validated = crate::values::schema::validate_against_schemas_logged(
            &chart,
            &values,
            &mut linter.logs,
        );
        if let Err(e) = validated {
            linter.check("values-schema", Severity::Error, DIR, Err(e.to_string()));
            return;
        }
    }
    let render = RenderOptions {
        release: ReleaseInfo {
            name: "test-release".into(),
            namespace: options.namespace.clone(),
            // Helm's lint sets only the name and namespace of the release: it is neither an
            // install nor an upgrade.
            revision: 0,
            is_upgrade: false,
            is_install: false,
        },
        capabilities: capabilities.clone(),
        strict: false,
        invalid_utf8: crate::render::InvalidUtf8::Refuse,
        skip_schema_validation: options.skip_schema_validation,
    };
    let logs = Arc::new(Mutex::new(Vec::new()));
    let rendered = crate::render::render_chart_bytes_with(
        &chart,
        &values,
        &render,
        lint_functions(logs.clone()),
    );
    if let Ok(mut lines) = logs.lock() {
        // Lint renders one template after another on this thread, so the lines come in Helm's
        // order.
        linter.logs.append(&mut lines);
    }
    let outputs = match rendered {
        Ok(r) => r,
        Err(e) => {
            linter.check("template-render", Severity::Error, DIR, Err(e.to_string()));
            return;
        }
    };
    // Go's outputs may hold bytes that are not UTF-8: the YAML reader judges those bytes, the
    // rules that read text see U+FFFD for each.
    let mut raw_outputs = std::collections::BTreeMap::new();
    let rendered: std::collections::BTreeMap<String, String> = outputs
        .into_iter()
        .map(|(name, output)| match output {
            Ok(text) => (name, text),
            Err(bytes) => {
                let text = helmet_value::gostring::to_text_lossy(&bytes);
                raw_outputs.insert(name.clone(), bytes);
                (name, text)
            }
        })
        .collect();
    let kube = &capabilities.kube_version;
    if options.best_practice {
        best_practice(linter, &chart, &rendered, &options.namespace);
    }
    for template in &chart.templates {
        let name = template.name.as_str();
        linter.check(
            "template-extension",
            Severity::Error,
            name,
            allowed_extension(name),
        );
        if !is_yaml(name) {
            continue;
        }
        let key = format!("{}/{}", chart.name(), name);
        let content = rendered.get(&key).map(String::as_str).unwrap_or("");
        if content.trim().is_empty() {
            continue;
        }
        linter.check(
            "template-indent",
            Severity::Warning,
            name,
            top_indent(content),
        );
        let decoded = match raw_outputs.get(&key) {
            Some(bytes) => manifest::decode_stream_bytes(bytes),
            None => manifest::decode_stream(content),
        };
        for decoded in decoded {
            let obj = match decoded {
                Ok(o) => o,
                Err(e) => {
                    linter.check(
                        "template-yaml",
                        Severity::Error,
                        name,
                        Err(format!("unable to parse YAML: {e}")),
                    );
                    return;
                }
            };
            let Some(obj) = obj else { continue };
            linter.check(
                "metadata-name",
                Severity::Warning,
                name,
                names::check_metadata_name(&obj.kind, &obj.name),
            );
            linter.check(
                "deprecated-api",
                Severity::Warning,
                name,
                deprecations::check(&obj, &kube.major, &kube.minor),
            );
            linter.check(
                "match-selector",
                Severity::Error,
                name,
                match_selector(&obj, content),
            );
            linter.check(
                "list-annotations",
                Severity::Error,
                name,
                list_annotations(&obj, content),
            );
        }
    }
}

/// Beyond Helm: the [`bestpractice`] rules on every rendered YAML file of the chart (not its
/// subcharts) and on its `values.yaml`. Files that do not parse are left to Helm's rules.
fn best_practice(
    linter: &mut Linter,
    chart: &crate::chart::Chart,
    rendered: &std::collections::BTreeMap<String, String>,
    namespace: &str,
) {
    let mut objects = Vec::new();
    for template in chart.templates.iter().filter(|t| is_yaml(&t.name)) {
        let key = format!("{}/{}", chart.name(), template.name);
        let Some(content) = rendered.get(&key) else {
            continue;
        };
        let Ok(docs) = manifest::split_documents(content) else {
            continue;
        };
        for doc in docs {
            if let Ok(value @ Value::Map(_)) = helmet_yaml::from_str_go_types(&doc) {
                objects.push(bestpractice::Rendered {
                    file: template.name.clone(),
                    doc: value,
                });
            }
        }
    }
    bestpractice::check_objects(linter, &objects, namespace);
    bestpractice::check_values(linter, &chart.values);
}

/// Lines logged while rendering, in the order they were logged.
type Logs = Arc<Mutex<Vec<String>>>;

/// Helm's engine in lint mode: `required` and `fail` log instead of failing.
fn lint_functions(logs: Logs) -> FuncMap {
    let mut funcs = helmet_sprig::functions();
    let required_logs = logs.clone();
    funcs.insert(
        "required".into(),
        Func::new(&[ArgType::String, ArgType::Any], move |_, args| {
            let warn = args
                .first()
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let val = args.get(1).cloned().unwrap_or(Value::Nil);
            let missing = match &val {
                Value::Nil => Some("missing required value"),
                Value::String(s) if s.is_empty() => Some("missing required values"),
                _ => None,
            };
            match missing {
                Some(what) => {
                    if let Ok(mut l) = required_logs.lock() {
                        l.push(format!(
                            "WARN {what} message={}",
                            crate::slog::text_value(&warn)
                        ));
                    }
                    Ok(Value::string(""))
                }
                None => Ok(val),
            }
        }),
    );
    funcs.insert(
        "fail".into(),
        Func::new(&[ArgType::String], move |_, args| {
            let msg = args
                .first()
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            if let Ok(mut l) = logs.lock() {
                l.push(format!(
                    "INFO funcMap fail message={}",
                    crate::slog::text_value(&msg)
                ));
            }
            Ok(Value::string(""))
        }),
    );
    funcs
}

/// Go's `filepath.Ext`.
fn go_ext(name: &str) -> &str {
    let base_start = name.rfind('/').map_or(0, |i| i + 1);
    match name[base_start..].rfind('.') {
        Some(i) => &name[base_start + i..],
        None => "",
    }
}

fn allowed_extension(name: &str) -> Result<(), String> {
    let ext = go_ext(name);
    if [".yaml", ".yml", ".tpl", ".txt"].contains(&ext) {
        Ok(())
    } else {
        Err(format!(
            "file extension '{ext}' not valid. Valid extensions are .yaml, .yml, .tpl, or .txt"
        ))
    }
}

fn is_yaml(name: &str) -> bool {
    let ext = go_ext(name).to_lowercase();
    ext == ".yaml" || ext == ".yml"
}

/// The first non-blank line must not be indented.
fn top_indent(content: &str) -> Result<(), String> {
    for line in content.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with(' ') || line.starts_with('\t') {
            return Err(format!(
                "document starts with an illegal indent: {}, which may cause parsing problems",
                helmet_value::strconv::quote(line)
            ));
        }
        return Ok(());
    }
    Ok(())
}

fn match_selector(obj: &manifest::K8sObject, content: &str) -> Result<(), String> {
    if matches!(
        obj.kind.as_str(),
        "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet"
    ) && !content.contains("matchLabels")
        && !content.contains("matchExpressions")
    {
        return Err(format!(
            "a {} must contain matchLabels or matchExpressions, and {} does not",
            obj.kind,
            helmet_value::strconv::quote(&obj.name)
        ));
    }
    Ok(())
}

fn list_annotations(obj: &manifest::K8sObject, content: &str) -> Result<(), String> {
    if obj.kind != "List" {
        return Ok(());
    }
    match manifest::list_items_have_resource_policy(content) {
        Err(e) => Err(format!("unable to parse YAML: {e}")),
        Ok(true) => {
            Err("annotation 'helm.sh/resource-policy' within List objects are ignored".into())
        }
        Ok(false) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions() {
        assert_eq!(go_ext("templates/a.b.yaml"), ".yaml");
        assert_eq!(go_ext("templates/x.d/noext"), "");
        assert!(allowed_extension("templates/NOTES.txt").is_ok());
        assert!(allowed_extension("templates/a.json").is_err());
        assert!(is_yaml("templates/a.YML"));
    }

    #[test]
    fn indentation() {
        assert!(top_indent("\n\na: 1\n").is_ok());
        assert_eq!(
            top_indent("\n  a: 1\n").unwrap_err(),
            "document starts with an illegal indent: \"  a: 1\", which may cause parsing problems"
        );
    }
}
