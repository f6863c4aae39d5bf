//! `cargo run --release -p helmet-benches -- [ITERATIONS]`: helmet against Helm, in one run.
//!
//! For each benchmarked chart it times helmet's load + render in this process, then asks
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
        "{:<40} {:>10} {:>10} {:>8}",
        "chart", "helmet", "helm", "ratio"
    );
    for (chart, helm_time) in charts.iter().zip(helm_times) {
        if let Err(e) = helmet_benches::load_and_render(chart) {
            println!("{:<40} error: {e}", chart.display());
            continue;
        }
        let samples = (0..iterations)
            .map(|_| {
                let start = Instant::now();
                let _ = helmet_benches::load_and_render(chart);
                start.elapsed().as_secs_f64()
            })
            .collect();
        let ours = median(samples);
        let name = chart
            .strip_prefix(helmet_benches::workspace_root())
            .unwrap_or(chart)
            .display()
            .to_string();
        match helm_time {
            Some(h) => println!(
                "{name:<40} {:>8.1}µs {:>8.1}µs {:>7.1}x",
                ours * 1e6,
                h * 1e6,
                h / ours
            ),
            None => println!("{name:<40} {:>8.1}µs {:>10} {:>8}", ours * 1e6, "-", "-"),
        }
    }
}
