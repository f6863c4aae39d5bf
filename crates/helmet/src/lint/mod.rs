//! `helm lint`: the checks Helm v4 runs on a chart (Chart.yaml, values, templates,
//! dependencies, CRDs), with its messages, severities and order, and the report `helm lint`
//! prints for one or more charts.
//!
//! One file per rule family, as Helm groups them: [`chartfile`], [`values`], [`templates`]
//! (with [`names`], [`deprecations`] and [`manifest`] for the rendered objects),
//! [`dependencies`] and [`crds`].

pub mod bestpractice;
pub mod chartfile;
pub mod crds;
pub mod dependencies;
pub mod deprecations;
mod duplicate_keys;
pub mod govalidator;
mod json_stream;
pub mod manifest;
pub mod names;
pub mod templates;
pub mod values;

use std::fmt;
use std::path::{Path, PathBuf};

use helmet_value::Value;

pub(crate) use crate::chart::go_io_text as io_text;
use crate::objects::KubeVersion;

/// How bad a finding is; the order is Helm's (`--strict` fails on warnings too).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// A recommendation (`[INFO]`).
    Info = 1,
    /// Breaks convention (`[WARNING]`).
    Warning = 2,
    /// Will break installation (`[ERROR]`).
    Error = 3,
}

impl Severity {
    /// The name Helm prints in brackets.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "INFO",
            Severity::Warning => "WARNING",
            Severity::Error => "ERROR",
        }
    }
}

/// One finding: its severity, the file (or folder) it is about and the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// How bad it is.
    pub severity: Severity,
    /// helmet's name for the rule (`chart-icon-url`, `metadata-name`, ...), for
    /// `--output json` and for switching rules off.
    pub rule: &'static str,
    /// The path Helm prints: `Chart.yaml`, `templates/`, `templates/x.yaml`, the chart
    /// folder (absolute) for dependency findings, or empty when the chart cannot load.
    pub path: String,
    /// The message text (may span lines).
    pub text: String,
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}] {}: {}",
            self.severity.label(),
            self.path,
            self.text
        )
    }
}

/// Collects findings, as Helm's `support.Linter` does.
#[derive(Debug, Default)]
pub struct Linter {
    /// The findings so far, in rule order.
    pub messages: Vec<Message>,
    /// The chart folder, absolute.
    pub chart_dir: PathBuf,
    /// What Helm's engine logs while rendering in lint mode (`required`, `fail`), printed
    /// on standard error with a timestamp.
    pub logs: Vec<String>,
}

impl Linter {
    /// Records `result`'s error, if any, at `severity` under `rule`; returns whether the
    /// check passed.
    pub fn check(
        &mut self,
        rule: &'static str,
        severity: Severity,
        path: &str,
        result: Result<(), String>,
    ) -> bool {
        match result {
            Ok(()) => true,
            Err(text) => {
                self.messages.push(Message {
                    severity,
                    rule,
                    path: path.to_string(),
                    text,
                });
                false
            }
        }
    }
}

/// What a lint run needs besides the chart.
#[derive(Clone, Debug)]
pub struct LintOptions {
    /// The release namespace the templates see.
    pub namespace: String,
    /// The Kubernetes version for `.Capabilities` and the deprecation check (Helm's default
    /// when `None`).
    pub kube_version: Option<KubeVersion>,
    /// Warnings fail the chart too.
    pub strict: bool,
    /// Skip JSON schema validation.
    pub skip_schema_validation: bool,
    /// Beyond Helm: also run the [`bestpractice`] rules.
    pub best_practice: bool,
}

impl Default for LintOptions {
    fn default() -> LintOptions {
        LintOptions {
            namespace: "default".into(),
            kube_version: None,
            strict: false,
            skip_schema_validation: false,
            best_practice: false,
        }
    }
}

/// Helm's `RunAll`: every rule family on the chart folder `dir`, in Helm's order.
pub fn run_all(dir: &Path, user_values: &Value, options: &LintOptions) -> Linter {
    let chart_dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut linter = Linter {
        chart_dir,
        ..Linter::default()
    };
    chartfile::lint(&mut linter);
    values::lint(&mut linter, user_values, options.skip_schema_validation);
    templates::lint(&mut linter, user_values, options);
    dependencies::lint(&mut linter);
    crds::lint(&mut linter);
    drop_disabled(&mut linter);
    linter
}

/// Beyond Helm: removes findings of rules the chart switches off, in `.helmet-lint.yaml` or
/// with a `# helmet-lint-disable RULE` comment in the file the finding is about. Without
/// either, nothing changes (Helm's output stays exact).
fn drop_disabled(linter: &mut Linter) {
    let chart_wide = bestpractice::disabled_in_chart(&linter.chart_dir);
    let mut per_file: std::collections::HashMap<String, Vec<String>> = Default::default();
    let dir = linter.chart_dir.clone();
    linter.messages.retain(|m| {
        if chart_wide.iter().any(|r| r == m.rule) {
            return false;
        }
        if m.path.is_empty() || m.path.ends_with('/') || Path::new(&m.path).is_absolute() {
            return true;
        }
        let disabled = per_file.entry(m.path.clone()).or_insert_with(|| {
            std::fs::read_to_string(dir.join(&m.path))
                .map(|src| bestpractice::disabled_in_source(&src))
                .unwrap_or_default()
        });
        !disabled.iter().any(|r| r == m.rule)
    });
}

/// The outcome of linting one path (Helm's `LintResult` for one chart).
#[derive(Debug, Default)]
pub struct ChartReport {
    /// The path as given.
    pub path: String,
    /// Every finding.
    pub messages: Vec<Message>,
    /// What makes the chart fail: findings at or above the tolerance, or the reason the
    /// chart could not be linted at all.
    pub errors: Vec<String>,
    /// Engine log lines (without timestamps).
    pub logs: Vec<String>,
}

impl ChartReport {
    /// Helm's `HasWarningsOrErrors`.
    pub fn has_warnings_or_errors(&self) -> bool {
        self.messages.iter().any(|m| m.severity > Severity::Info) || !self.errors.is_empty()
    }
}

/// Lints the chart at `path` (a folder or a `.tgz`/`.tar.gz` archive), as Helm's
/// `action.Lint.Run` does for one path.
pub fn lint_path(path: &str, user_values: &Value, options: &LintOptions) -> ChartReport {
    let mut report = ChartReport {
        path: path.to_string(),
        ..ChartReport::default()
    };
    let linter = match lint_chart(path, user_values, options) {
        Ok(l) => l,
        Err(e) => {
            report.errors.push(e);
            return report;
        }
    };
    let tolerance = if options.strict {
        Severity::Warning
    } else {
        Severity::Error
    };
    for m in &linter.messages {
        if m.severity >= tolerance {
            report.errors.push(m.text.clone());
        }
    }
    report.messages = linter.messages;
    report.logs = linter.logs;
    report
}

fn lint_chart(path: &str, user_values: &Value, options: &LintOptions) -> Result<Linter, String> {
    if path.ends_with(".tgz") || path.ends_with(".tar.gz") {
        let expanded = ExpandedArchive::new(Path::new(path))?;
        let chart_dir = expanded.chart_dir()?;
        check_chartfile_exists(&chart_dir)?;
        return Ok(run_all(&chart_dir, user_values, options));
    }
    let dir = Path::new(path);
    check_chartfile_exists(dir)?;
    Ok(run_all(dir, user_values, options))
}

fn check_chartfile_exists(dir: &Path) -> Result<(), String> {
    let file = dir.join("Chart.yaml");
    std::fs::metadata(&file).map(|_| ()).map_err(|e| {
        format!(
            "unable to check Chart.yaml file in chart: stat {}: {}",
            file.display(),
            io_text(&e)
        )
    })
}

/// A chart archive unpacked into a temporary folder, removed when dropped.
struct ExpandedArchive {
    dir: PathBuf,
}

impl ExpandedArchive {
    fn new(archive: &Path) -> Result<ExpandedArchive, String> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "helm-lint{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("unable to create temp dir to extract tarball: {e}"))?;
        let expanded = ExpandedArchive { dir };
        let bytes = std::fs::read(archive).map_err(|e| {
            format!(
                "unable to open tarball: open {}: {}",
                archive.display(),
                io_text(&e)
            )
        })?;
        let files = crate::load::archive::read_chart_archive(&bytes)
            .map_err(|e| format!("unable to extract tarball: {e}"))?;
        let name =
            expanded_chart_name(&files).map_err(|e| format!("unable to extract tarball: {e}"))?;
        let root = expanded.dir.join(name);
        for f in files {
            let target = root.join(&f.name);
            if let Some(parent) = target.parent() {
                crate::chart::mkdir_all(&expanded.dir, parent)
                    .map_err(|e| format!("unable to extract tarball: {e}"))?;
            }
            std::fs::write(&target, &f.data[..]).map_err(|e| {
                format!(
                    "unable to extract tarball: open {}: {}",
                    target.display(),
                    io_text(&e)
                )
            })?;
        }
        Ok(expanded)
    }

    fn chart_dir(&self) -> Result<PathBuf, String> {
        let mut entries: Vec<_> = std::fs::read_dir(&self.dir)
            .map_err(|e| {
                format!(
                    "unable to read temporary output directory {}: {e}",
                    self.dir.display()
                )
            })?
            .filter_map(Result::ok)
            .collect();
        entries.sort_by_key(|e| e.file_name());
        match entries.first() {
            Some(e) if e.path().is_dir() => Ok(e.path()),
            Some(e) => Err(format!(
                "unexpected file {} in temporary output directory {}",
                e.file_name().to_string_lossy(),
                self.dir.display()
            )),
            None => Err(format!(
                "unable to extract tarball: no files in {}",
                self.dir.display()
            )),
        }
    }
}

/// The folder Helm's `chartutil.Expand` unpacks an archive into: the chart's name as its last
/// `Chart.yaml` says (not the archive's top folder), refused when it is missing, a dot segment,
/// holds a path separator or names the extraction folder itself.
fn expanded_chart_name(files: &[crate::chart::File]) -> Result<String, String> {
    let mut name = String::new();
    for f in files.iter().filter(|f| f.name == "Chart.yaml") {
        let mut md = crate::chart::Metadata::default();
        crate::load::metadata::decode_chart_file(&mut md, &f.data).map_err(|e| e.to_string())?;
        name = md.name;
    }
    let quoted = || helmet_value::strconv::quote(&name);
    if name.is_empty() {
        return Err("chart name not specified".to_string());
    }
    if name == "." || name == ".." {
        return Err(format!("chart name {} is not allowed", quoted()));
    }
    if chartfile::go_base(&name) != name {
        return Err(format!(
            "chart name {} must not contain path separators",
            quoted()
        ));
    }
    if name == "/" {
        return Err(format!(
            "chart name {} resolves to the extraction root",
            quoted()
        ));
    }
    Ok(name)
}

impl Drop for ExpandedArchive {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `--with-subcharts`: the given paths, then for each the chart folders (holding a
/// `Chart.yaml`) and archives found under its `charts/`, in walk order.
///
/// The found paths are written as Go's `filepath.Join` writes them, cleaned: `./chart/` gives
/// `chart/charts/sub`, not `./chart/charts/sub`.
pub fn with_subcharts(paths: &[String]) -> Vec<String> {
    let mut out = paths.to_vec();
    for p in paths {
        let charts = go_clean(&format!("{p}/charts"));
        walk_subcharts(Path::new(&charts), &mut out, 0);
    }
    out
}

/// Go's `filepath.Clean` on a slash-separated path: no empty or `.` elements, each `..` taking
/// the element before it away where there is one (at the root it is dropped), `.` for nothing.
fn go_clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

fn walk_subcharts(path: &Path, out: &mut Vec<String>, depth: usize) {
    // Go's filepath.Walk does not follow links; the depth limit only guards odd trees.
    if depth > 64 {
        return;
    }
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return;
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = path.display().to_string();
    if name == "Chart.yaml" {
        if let Some(parent) = path.parent() {
            out.push(parent.display().to_string());
        }
    } else if text.ends_with(".tgz") || text.ends_with(".tar.gz") {
        out.push(text);
    }
    if meta.is_dir() {
        let Ok(entries) = std::fs::read_dir(path) else {
            return;
        };
        let mut names: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        names.sort();
        for n in names {
            walk_subcharts(&path.join(n), out, depth + 1);
        }
    }
}

/// What `helm lint` prints for a set of reports: standard output, and the failure summary
/// (printed as `Error: ...` with exit code 1) when a chart failed.
pub struct Printed {
    /// Standard output.
    pub stdout: String,
    /// `Some(summary)` when a chart failed.
    pub failure: Option<String>,
}

/// Formats reports as Helm's `lint` command does.
pub fn print_reports(reports: &[ChartReport], quiet: bool) -> Printed {
    let mut out = String::new();
    let mut failed = 0;
    let mut with_findings = 0;
    for r in reports {
        let bad = r.has_warnings_or_errors();
        if bad {
            with_findings += 1;
        }
        if quiet && !bad {
            continue;
        }
        out.push_str(&format!("==> Linting {}\n", r.path));
        if r.messages.is_empty() {
            for e in &r.errors {
                out.push_str(&format!("Error {e}\n"));
            }
        }
        for m in &r.messages {
            if !quiet || m.severity > Severity::Info {
                out.push_str(&format!("{m}\n"));
            }
        }
        if !r.errors.is_empty() {
            failed += 1;
        }
        out.push('\n');
    }
    let summary = format!(
        "{} chart(s) linted, {} chart(s) failed",
        reports.len(),
        failed
    );
    if failed > 0 {
        return Printed {
            stdout: out,
            failure: Some(summary),
        };
    }
    if !quiet || with_findings > 0 {
        out.push_str(&summary);
        out.push('\n');
    }
    Printed {
        stdout: out,
        failure: None,
    }
}

/// One chart to lint: its path, the label printed for it, and the user's values.
#[derive(Clone, Debug)]
pub struct LintJob {
    /// A chart folder or archive.
    pub path: String,
    /// What `==> Linting` names (the path as given, or more with `--values-matrix`).
    pub label: String,
    /// The user's values (`-f`, `--set`, a matrix file).
    pub values: Value,
}

/// Lints every path (in parallel, at most a few at a time) and returns the reports in the
/// order given.
pub fn lint_paths(
    paths: &[String],
    user_values: &Value,
    options: &LintOptions,
) -> Vec<ChartReport> {
    lint_jobs(&lint_paths_jobs(paths, user_values), options)
}

/// One job per path, all with the same values, labelled with the path as given.
pub fn lint_paths_jobs(paths: &[String], user_values: &Value) -> Vec<LintJob> {
    paths
        .iter()
        .map(|p| LintJob {
            path: p.clone(),
            label: p.clone(),
            values: user_values.clone(),
        })
        .collect()
}

/// Beyond Helm, `--values-matrix DIR`: one job per chart and values file of `dir` (`*.yaml`,
/// `*.yml`, sorted by name), each with `values` plus that file (as if given last with `-f`),
/// labelled `PATH (values: FILE)`; chart-testing's `ci/*-values.yaml` habit.
pub fn values_matrix_jobs(
    paths: &[String],
    values: &crate::ValueOptions,
    dir: &Path,
) -> Result<Vec<LintJob>, String> {
    let shown = dir.display();
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| format!("--values-matrix {shown}: {e}"))?
        .filter_map(Result::ok)
        .map(|e| e.path().display().to_string())
        .filter(|p| p.ends_with(".yaml") || p.ends_with(".yml"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("--values-matrix {shown}: no .yaml or .yml files"));
    }
    let mut jobs = Vec::new();
    for file in &files {
        let mut with_file = values.clone();
        with_file.values_files.push(file.into());
        let user = with_file.merge_values().map_err(|e| e.to_string())?;
        for p in paths {
            jobs.push(LintJob {
                path: p.clone(),
                label: format!("{p} (values: {file})"),
                values: user.clone(),
            });
        }
    }
    Ok(jobs)
}

/// Lints every job (in parallel, at most a few at a time); the reports keep the jobs' order.
pub fn lint_jobs(jobs: &[LintJob], options: &LintOptions) -> Vec<ChartReport> {
    let workers = crate::render::cores().clamp(1, 8);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let slots: Vec<std::sync::Mutex<Option<ChartReport>>> =
        jobs.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..workers.min(jobs.len()) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                let mut report = lint_path(&job.path, &job.values, options);
                report.path = job.label.clone();
                if let Ok(mut slot) = slots[i].lock() {
                    *slot = Some(report);
                }
            });
        }
    });
    slots
        .into_iter()
        .zip(jobs)
        .map(|(slot, job)| {
            slot.into_inner()
                .ok()
                .flatten()
                .unwrap_or_else(|| ChartReport {
                    path: job.label.clone(),
                    errors: vec!["linting this chart stopped unexpectedly".into()],
                    ..ChartReport::default()
                })
        })
        .collect()
}

/// Beyond Helm: the reports as JSON, one object per chart (`path`, `failed`, `findings`
/// with `severity`, `rule`, `file` and `message`, plus `line`, `column` and `source` where
/// the message names them, and `errors`: why it failed).
pub fn reports_json(reports: &[ChartReport]) -> String {
    let charts: Vec<serde_json::Value> = reports
        .iter()
        .map(|r| {
            let findings: Vec<serde_json::Value> = r
                .messages
                .iter()
                .map(|m| {
                    let mut finding = serde_json::json!({
                        "severity": m.severity.label(),
                        "rule": m.rule,
                        "file": m.path,
                        "message": m.text,
                    });
                    if let (Some(at), Some(object)) = (locate(&m.text), finding.as_object_mut()) {
                        if let Some(source) = at.source {
                            object.insert("source".into(), source.into());
                        }
                        object.insert("line".into(), at.line.into());
                        if let Some(column) = at.column {
                            object.insert("column".into(), column.into());
                        }
                    }
                    finding
                })
                .collect();
            serde_json::json!({
                "path": r.path,
                "failed": !r.errors.is_empty(),
                "findings": findings,
                "errors": r.errors,
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&charts).unwrap_or_else(|_| "[]".into());
    text.push('\n');
    text
}

/// Beyond Helm, for pre-commit hooks: the charts holding `files` (the nearest folder with a
/// `Chart.yaml` above each), each once, in the order first met. Files outside any chart are
/// left out.
pub fn charts_of_files(files: &[String]) -> Vec<String> {
    let mut charts: Vec<String> = Vec::new();
    for f in files {
        let mut dir = Path::new(f).parent();
        while let Some(d) = dir {
            let candidate = if d.as_os_str().is_empty() {
                Path::new(".")
            } else {
                d
            };
            if candidate.join("Chart.yaml").is_file() {
                let text = candidate.display().to_string();
                if !charts.contains(&text) {
                    charts.push(text);
                }
                break;
            }
            dir = d.parent();
        }
    }
    // A chart inside another chart's `charts/` is linted on its own and not again as part of
    // its parent: keep the innermost chart only, which the walk above already picked.
    charts
}

/// Where a finding points inside a file, as far as its message tells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file the message names (`templates/cm.yaml`, without the chart's name), when it
    /// names one; otherwise the finding's own file is meant.
    pub source: Option<String>,
    /// The line, from 1.
    pub line: u64,
    /// The column, from 1, when the message gives one.
    pub column: Option<u64>,
}

/// Reads the position out of a message: a template path with `:LINE[:COLUMN]` (template
/// parse and execution errors), else go-yaml's `line N:` (parse errors of YAML files).
pub fn locate(text: &str) -> Option<Location> {
    file_position(text).or_else(|| {
        let at = text.find("yaml: line ")? + "yaml: line ".len();
        let line = leading_number(&text[at..])?.0;
        // `cannot load values.yaml: ...` reports on another file than the finding's.
        let source = text[..at].find("cannot load ").and_then(|i| {
            let rest = &text[i + "cannot load ".len()..];
            rest.find(':').map(|end| rest[..end].to_string())
        });
        Some(Location {
            source,
            line,
            column: None,
        })
    })
}

/// The first `PATH.EXT:LINE[:COLUMN]` in `text`.
fn file_position(text: &str) -> Option<Location> {
    let bytes = text.as_bytes();
    for (colon, _) in text.match_indices(':') {
        let start = text[..colon]
            .rfind(|c: char| c.is_whitespace() || "()\"'<>".contains(c))
            .map_or(0, |i| i + 1);
        let path = &text[start..colon];
        let base = path.rsplit('/').next().unwrap_or(path);
        if !path.contains('/') || !base.contains('.') || base.ends_with('.') {
            continue;
        }
        let Some((line, used)) = leading_number(&text[colon + 1..]) else {
            continue;
        };
        let after = colon + 1 + used;
        let column = if bytes.get(after) == Some(&b':') {
            leading_number(&text[after + 1..]).map(|(n, _)| n)
        } else {
            None
        };
        // Helm names templates `CHART/templates/x.yaml`; the finding's file is relative to
        // the chart.
        let source = match path.find("/templates/") {
            Some(i) => path[i + 1..].to_string(),
            None => path.to_string(),
        };
        return Some(Location {
            source: Some(source),
            line,
            column,
        });
    }
    None
}

/// The decimal number at the start of `text` and how many bytes it takes.
fn leading_number(text: &str) -> Option<(u64, usize)> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let number = text[..digits].parse().ok()?;
    Some((number, digits))
}

#[cfg(test)]
mod tests {
    use super::go_clean;

    #[test]
    fn paths_are_cleaned_as_go_does() {
        assert_eq!(go_clean("./chart/charts"), "chart/charts");
        assert_eq!(go_clean("chart//charts"), "chart/charts");
        assert_eq!(go_clean("/a/../../b/./c/"), "/b/c");
        assert_eq!(go_clean("../a/../../b"), "../../b");
        assert_eq!(go_clean("a/.."), ".");
        assert_eq!(go_clean(""), ".");
    }
}
