//! The dependency rules (Helm's `rules/dependencies.go`): subcharts under `charts/` and the
//! `dependencies` of `Chart.yaml` must match, and names or aliases must be unique.

use super::{Linter, Severity};
use crate::chart::Chart;

/// Runs the dependency rules.
pub fn lint(linter: &mut Linter) {
    let chart = match crate::load::load_dir_logged(&linter.chart_dir, &mut linter.logs) {
        Ok(c) => {
            linter.logs.extend(c.all_load_warnings());
            c
        }
        Err(e) => {
            linter.check(
                "chart-load",
                Severity::Error,
                "",
                Err(format!("unable to load chart\n\t{e}")),
            );
            return;
        }
    };
    let dir = linter.chart_dir.display().to_string();
    linter.check(
        "dependency-undeclared",
        Severity::Error,
        &dir,
        in_metadata(&chart),
    );
    linter.check(
        "dependency-duplicate",
        Severity::Error,
        &dir,
        unique(&chart),
    );
    linter.check(
        "dependency-missing",
        Severity::Warning,
        &dir,
        in_charts_dir(&chart),
    );
}

fn declared(chart: &Chart) -> impl Iterator<Item = &crate::chart::Dependency> {
    chart.metadata.dependencies.iter().flatten()
}

/// Subcharts under `charts/` that `Chart.yaml` does not declare.
fn in_metadata(chart: &Chart) -> Result<(), String> {
    let missing: Vec<&str> = chart
        .dependencies
        .iter()
        .map(|d| d.metadata.name.as_str())
        .filter(|name| !declared(chart).any(|d| d.name == *name))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "chart metadata is missing these dependencies: {}",
            missing.join(",")
        ))
    }
}

/// Declared dependencies with no subchart under `charts/`.
fn in_charts_dir(chart: &Chart) -> Result<(), String> {
    let missing: Vec<&str> = declared(chart)
        .map(|d| d.name.as_str())
        .filter(|name| !chart.dependencies.iter().any(|c| c.metadata.name == *name))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "chart directory is missing these dependencies: {}",
            missing.join(",")
        ))
    }
}

/// Dependencies sharing a name or alias (each repeat listed).
fn unique(chart: &Chart) -> Result<(), String> {
    let mut seen: Vec<&str> = Vec::new();
    let mut shadowing: Vec<&str> = Vec::new();
    for d in declared(chart) {
        let key = if d.alias.is_empty() {
            &d.name
        } else {
            &d.alias
        };
        if seen.contains(&key.as_str()) {
            shadowing.push(key);
        }
        seen.push(key);
    }
    if shadowing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "multiple dependencies with name or alias: {}",
            shadowing.join(",")
        ))
    }
}
