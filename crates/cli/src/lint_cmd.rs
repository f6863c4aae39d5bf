//! `helmet lint CHART... [flags]`: what `helm lint` prints, for every chart given.

use std::io::Write;
use std::path::Path;

use helmet::lint::{self, LintOptions};
use helmet::objects::KubeVersion;
use helmet::ValueOptions;

use crate::flags::{Flag, FlagSet};
use crate::helm_flags::{global_flags, values_flags};
use crate::Outcome;

const HELP: &str = "\
Examine charts for possible issues, as `helm lint` does.

Usage:
  helmet lint PATH... [flags]     (PATH: a chart folder or a .tgz archive)

Beyond helm lint: --output json, --rules best-practice, --values-matrix DIR and
--charts-of-files (see the flags below). Switch a rule off for a chart with
`.helmet-lint.yaml` (`disable: [RULE, ...]`), or for one file with a
`# helmet-lint-disable RULE` comment in it.
";

/// Lints every chart (in parallel) and prints the reports in order, as `helm lint` does.
pub fn lint(args: &[String]) -> Outcome {
    let mut flags = vec![
        Flag::switch("strict", "fail on lint warnings"),
        Flag::switch(
            "with-subcharts",
            "lint dependent charts (folders and archives under charts/)",
        ),
        Flag::switch("quiet", "print only warnings and errors"),
        Flag::switch(
            "skip-schema-validation",
            "do not check values against values.schema.json",
        ),
        Flag::value(
            "kube-version",
            "VERSION",
            "Kubernetes version for capabilities and deprecation checks",
        ),
    ];
    flags.extend(values_flags());
    flags.extend([
        Flag::value("output", "FORMAT", "text (default: exactly what helm lint prints) or json (helmet's own: one object per chart with its findings)").short('o'),
        Flag::slice("rules", "SET", "helm (default) or best-practice: also check resources, probes, root users, privileged containers, unpinned images, hard-coded namespaces, secrets in values, selectors and service target ports (helmet's own)"),
        Flag::value("values-matrix", "DIR", "lint each chart once per values file (*.yaml, *.yml) in DIR (helmet's own)"),
        Flag::switch("charts-of-files", "the arguments are files: lint the charts holding them, each once, for pre-commit hooks (helmet's own)"),
    ]);
    let set = FlagSet::with_globals(flags, global_flags());
    let parsed = match crate::parse_command(&set, args, HELP) {
        Ok(p) => p,
        Err(outcome) => return outcome,
    };
    // Helm v4's lint takes at least one path; with --charts-of-files, no file means no chart.
    if parsed.positional.is_empty() && !parsed.switch("charts-of-files") {
        return crate::requires_argument("lint", "helmet lint PATH [flags]");
    }
    let mut options = LintOptions {
        namespace: crate::namespace(&parsed),
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
