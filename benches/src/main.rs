//! `cargo run --release -p helmet-benches -- [ITERATIONS]`: helmet against Helm, in one run.
//!
//! For each benchmarked chart it times helmet's load + render in this process (warm: reusing what
//! helmet keeps between loads; cold: each load starting from empty caches, as a new `helmet`
//! process does and as Helm keeps nothing between loads), then asks
//! `helm_baseline.py` (beside this crate) to time Helm's own `Chart.load` + `render` in its
//! process through the Helm SDK, and prints the ratio. Machines here are noisy, so only the
//! ratio is meaningful. The Python is `HELM_PYTHON`, by default the helm-oracle's virtualenv.

use std::process::Command;
use std::time::Instant;

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn main() {
    let iterations: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let charts = helmet_benches::charts();
    let python = std::env::var("HELM_PYTHON").unwrap_or_else(|_| {
        let home = std::env::var("HOME").unwrap_or_default();
        format!("{home}/.cache/helm-oracle/venv/bin/python")
    });
    let script = helmet_benches::workspace_root().join("benches/helm_baseline.py");
    let helm = Command::new(&python)
        .arg(&script)
        .arg(iterations.to_string())
        .args(&charts)
        .output();
    let helm_times: Vec<Option<f64>> = match &helm {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            charts
                .iter()
                .map(|c| {
                    text.lines()
                        .find(|l| l.starts_with(&*c.display().to_string()))
                        .and_then(|l| l.rsplit('\t').next())
                        .and_then(|t| t.parse().ok())
                })
                .collect()
        }
        Ok(out) => {
            eprintln!(
                "Helm's timing failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            vec![None; charts.len()]
        }
        Err(e) => {
            eprintln!("cannot run {python} (set HELM_PYTHON): {e}");
            vec![None; charts.len()]
        }
    };
    println!(
        "{:<34} {:>10} {:>10} {:>7} {:>12} {:>7}",
        "chart", "helm", "helmet", "ratio", "helmet-cold", "ratio"
    );
    // `HELMET_BENCH_ONLY=warm` or `cold` measures only that one (for profiling).
    let only = std::env::var("HELMET_BENCH_ONLY").unwrap_or_default();
    // `HELMET_BENCH_COLD=uncached`: cold loads with the caches off, so that nothing is kept even
    // within one load (a `tpl` text or a regular expression met twice is parsed or compiled
    // twice, as Go does); the measure used up to session 6.
    let uncached = std::env::var("HELMET_BENCH_COLD").is_ok_and(|v| v == "uncached");
    let time = |chart: &std::path::Path, kind: &str| {
        if !only.is_empty() && only != kind {
            return f64::NAN;
        }
        let samples = (0..iterations)
            .map(|_| {
                if kind == "cold" && !uncached {
                    helmet::clear_process_caches();
                }
                let start = Instant::now();
                let _ = helmet_benches::load_and_render(chart);
                start.elapsed().as_secs_f64()
            })
            .collect();
        median(samples)
    };
    for (chart, helm_time) in charts.iter().zip(helm_times) {
        if let Err(e) = helmet_benches::load_and_render(chart) {
            println!("{:<34} error: {e}", chart.display());
            continue;
        }
        // As a process that loads and renders charts again and again: what helmet kept from
        // earlier loads of the same files (parsed templates, compiled schema) is reused.
        let warm = time(chart, "warm");
        // Every load does all of its work, as Helm's does.
        helmet::set_process_caches(!uncached);
        let cold = time(chart, "cold");
        helmet::set_process_caches(true);
        let name = chart
            .strip_prefix(helmet_benches::workspace_root())
            .unwrap_or(chart)
            .display()
            .to_string();
        let us = |t: f64| format!("{:.1}µs", t * 1e6);
        match helm_time {
            Some(h) => println!(
                "{name:<34} {:>10} {:>10} {:>6.1}x {:>12} {:>6.1}x",
                us(h),
                us(warm),
                h / warm,
                us(cold),
                h / cold
            ),
            None => println!(
                "{name:<34} {:>10} {:>10} {:>7} {:>12} {:>7}",
                "-",
                us(warm),
                "-",
                us(cold),
                "-"
            ),
        }
    }
}
