//! `helmet lint` of a folder of 30 charts in one call, as pre-commit and CI run it
//! (`cargo bench -p helmet-benches --bench lint`). The charts are the first 30 chart folders of
//! `fixtures/lint` (clean and broken ones alike), or of the folder `HELMET_BENCH_LINT_DIR` names,
//! e.g. a repository of real charts.

use std::path::{Path, PathBuf};

use helmet::lint::{self, LintOptions};

fn main() {
    divan::main();
}

/// How many charts one benchmarked call lints.
const CHART_COUNT: usize = 30;

/// The chart folders (those holding a `Chart.yaml`) of the benchmarked folder, sorted, at most
/// [`CHART_COUNT`].
fn chart_paths() -> Vec<String> {
    let dir = match std::env::var_os("HELMET_BENCH_LINT_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => helmet_benches::workspace_root().join("fixtures/lint"),
    };
    let mut charts: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.join("Chart.yaml").is_file())
        .collect();
    charts.sort();
    charts.truncate(CHART_COUNT);
    charts.iter().map(|p| display(p)).collect()
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

#[divan::bench(sample_count = 20)]
fn lint_30_charts(bencher: divan::Bencher) {
    let charts = chart_paths();
    assert!(!charts.is_empty(), "no charts to lint");
    let values = helmet_value::Value::empty_map();
    let options = LintOptions::default();
    bencher.bench(|| {
        let reports = lint::lint_paths(&charts, &values, &options);
        lint::print_reports(&reports, false).stdout.len()
    });
}

#[divan::bench(sample_count = 20)]
fn lint_30_charts_strict(bencher: divan::Bencher) {
    let charts = chart_paths();
    let values = helmet_value::Value::empty_map();
    let options = LintOptions {
        strict: true,
        ..LintOptions::default()
    };
    bencher.bench(|| {
        let reports = lint::lint_paths(&charts, &values, &options);
        lint::print_reports(&reports, false).stdout.len()
    });
}
