//! `helmet lint CHART... [flags]`: what `helm lint` prints, for every chart given.

use std::io::Write;
use std::path::Path;

use helmet::lint::{self, LintOptions};
use helmet::objects::KubeVersion;
use helmet::ValueOptions;

use crate::flags::{Flag, FlagSet};
use crate::Outcome;

const HELP: &str = "\
Examine charts for possible issues, as `helm lint` does.

Usage:
  helmet lint [CHART...] [flags]     (CHART: a chart folder or a .tgz archive; default .)

Flags:
  -f, --values FILE          values file (repeatable, comma-separated)
      --set K=V              set values (also --set-string, --set-json, --set-file, --set-literal)
      --strict               fail on lint warnings
      --with-subcharts       lint dependent charts (folders and archives under charts/)
      --quiet                print only warnings and errors
      --kube-version V       Kubernetes version for capabilities and deprecation checks
      --skip-schema-validation  do not check values against values.schema.json
  -n, --namespace NS         release namespace the templates see (default \"default\")

Beyond helm lint:
  -o, --output FORMAT        text (default: exactly what helm lint prints) or json (one object
                             per chart: path, failed, findings with severity/rule/file/message
                             and line/column where known)
      --rules best-practice  also check resources, probes, root users, privileged containers,
                             unpinned images, hard-coded namespaces, secrets in values, selectors
                             and service target ports
      --values-matrix DIR    lint each chart once per values file (*.yaml, *.yml) in DIR
      --charts-of-files      the arguments are files: lint the charts holding them, each once
                             (for pre-commit hooks)
Switch a rule off for a chart with `.helmet-lint.yaml` (`disable: [RULE, ...]`), or for one file
with a `# helmet-lint-disable RULE` comment in it.
";

/// Lints every chart (in parallel) and prints the reports in order, as `helm lint` does.
pub fn lint(args: &[String]) -> Outcome {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        return Outcome::Done(HELP.to_string());
    }
    let flags = vec![
        Flag::list("values", Some('f')).comma_separated(),
        Flag::list("set", None),
        Flag::list("set-string", None),
        Flag::list("set-json", None),
        Flag::list("set-file", None),
        Flag::list("set-literal", None),
        Flag::value("namespace", Some('n')),
        Flag::value("kube-version", None),
        Flag::switch("strict", None),
        Flag::switch("with-subcharts", None),
        Flag::switch("quiet", None),
        Flag::switch("skip-schema-validation", None),
        Flag::value("output", Some('o')),
        Flag::list("rules", None).comma_separated(),
        Flag::value("values-matrix", None),
        Flag::switch("charts-of-files", None),
    ];
    let parsed = match FlagSet::new(flags).parse(args) {
        Ok(p) => p,
        Err(e) => return Outcome::Failed(e),
    };
    let mut options = LintOptions {
        namespace: parsed
            .value("namespace")
            .or_else(|| {
                std::env::var("HELM_NAMESPACE")
                    .ok()
                    .filter(|ns| !ns.is_empty())
            })
            .unwrap_or_else(|| "default".to_string()),
        strict: parsed.switch("strict"),
        skip_schema_validation: parsed.switch("skip-schema-validation"),
        ..LintOptions::default()
    };
    if let Some(v) = parsed.value("kube-version").filter(|v| !v.is_empty()) {
        match KubeVersion::parse(&v) {
            Ok(kv) => options.kube_version = Some(kv),
            Err(e) => return Outcome::Failed(e),
        }
    }
    let json = match parsed.value("output").as_deref() {
        None | Some("text") => false,
        Some("json") => true,
        Some(other) => {
            return Outcome::Failed(format!(
                "invalid output format \"{other}\": use text or json"
            ))
        }
    };
    for rule_set in parsed.list("rules") {
        match rule_set.as_str() {
            "helm" => {}
            "best-practice" => options.best_practice = true,
            other => {
                return Outcome::Failed(format!(
                    "unknown rule set \"{other}\": use helm or best-practice"
                ))
            }
        }
    }
    let mut paths = parsed.positional.clone();
    if parsed.switch("charts-of-files") {
        paths = lint::charts_of_files(&paths);
        if paths.is_empty() {
            return Outcome::Done(String::new());
        }
    } else if paths.is_empty() {
        paths.push(".".to_string());
    }
    if parsed.switch("with-subcharts") {
        paths = lint::with_subcharts(&paths);
    }
    let values = ValueOptions {
        values_files: parsed.list("values").iter().map(Into::into).collect(),
        set: parsed.list("set"),
        set_string: parsed.list("set-string"),
        set_json: parsed.list("set-json"),
        set_file: parsed.list("set-file"),
        set_literal: parsed.list("set-literal"),
    };
    let user = match values.merge_values() {
        Ok(v) => v,
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    let jobs = match parsed.value("values-matrix") {
        None => lint::lint_paths_jobs(&paths, &user),
        Some(dir) => match lint::values_matrix_jobs(&paths, &values, Path::new(&dir)) {
            Ok(j) => j,
            Err(e) => return Outcome::Failed(e),
        },
    };
    let reports = lint::lint_jobs(&jobs, &options);
    // Helm's engine logs (`required`, `fail` in lint mode) go to standard error as Go's
    // default logger writes them.
    crate::log::print(reports.iter().flat_map(|r| &r.logs));
    let mut printed = lint::print_reports(&reports, parsed.switch("quiet"));
    if json {
        printed.stdout = lint::reports_json(&reports);
    }
    match printed.failure {
        None => Outcome::Done(printed.stdout),
        Some(summary) => {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(printed.stdout.as_bytes());
            let _ = out.flush();
            Outcome::Failed(summary)
        }
    }
}
