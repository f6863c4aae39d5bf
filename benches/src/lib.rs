//! Shared pieces of helmet's benchmarks: which charts are measured, and one load + render.
#![deny(missing_docs)]

use std::path::{Path, PathBuf};

use helmet::render::RenderOptions;
use helmet::values::ValueOptions;

/// The charts every benchmark and the comparison with Helm measure, relative to the workspace.
pub const CHARTS: &[&str] = &[
    "charts/todo-app",
    "fixtures/charts/render-kinds",
    "fixtures/charts/render-subchart",
    "fixtures/package/full",
];

/// The workspace root, so benchmarks run from any directory.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("benches/ sits in the workspace")
        .to_path_buf()
}

/// The benchmarked charts that exist in this checkout, as absolute paths; or, when
/// `HELMET_BENCH_CHARTS` is set, the charts it lists (separated by `:`), e.g. real charts
/// fetched for a comparison.
pub fn charts() -> Vec<PathBuf> {
    if let Ok(list) = std::env::var("HELMET_BENCH_CHARTS") {
        return list
            .split(':')
            .filter(|p| !p.is_empty())
            .map(|p| workspace_root().join(p))
            .collect();
    }
    CHARTS
        .iter()
        .map(|c| workspace_root().join(c))
        .filter(|p| p.join("Chart.yaml").exists())
        .collect()
}

/// Loads a chart and renders it with default values: the work Helm's `Chart.load` followed by
/// `Chart.render` does. Returns the number of rendered files, so the work is not optimised away.
pub fn load_and_render(chart: &Path) -> Result<usize, helmet::Error> {
    // No install checks: Helm's `Chart.render` does not make them either.
    let (_, rendered) = helmet::output::load_and_render(
        chart,
        &ValueOptions::default(),
        &RenderOptions::default(),
        false,
    )?;
    Ok(rendered.len())
}
