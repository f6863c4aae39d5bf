//! `helmet docs CHART [--check]`: writes a chart's README.md from Chart.yaml and the `# --`
//! comments of values.yaml, or with `--check` fails when the README on disk is stale.

use std::path::Path;

const USAGE: &str = "\
Usage:
  helmet docs CHART [--check]

Writes CHART/README.md from Chart.yaml and the `# --` comments of values.yaml (through
CHART/README.md.j2 when the chart has one). With --check, writes nothing and fails when
README.md differs from what would be written.
";

/// Runs the command; `Ok` holds what to print, `Err` the message of a failure.
pub fn run(args: &[String]) -> Result<String, String> {
    let mut check = false;
    let mut charts = Vec::new();
    for arg in args {
        match arg.as_str() {
            "--check" => check = true,
            "-h" | "--help" => return Ok(USAGE.to_string()),
            flag if flag.starts_with('-') && flag.len() > 1 => {
                return Err(format!("unknown flag: {flag}\n\n{USAGE}"))
            }
            chart => charts.push(chart),
        }
    }
    let [chart] = charts[..] else {
        return Err(format!(
            "docs takes exactly one chart directory, got {}\n\n{USAGE}",
            charts.len()
        ));
    };
    let readme = helmet::docs::generate(Path::new(chart)).map_err(|e| e.to_string())?;
    if check {
        if readme.is_current() {
            return Ok(String::new());
        }
        return Err(format!(
            "{} is out of date; run `helmet docs {chart}`",
            readme.path.display()
        ));
    }
    readme.write().map_err(|e| e.to_string())?;
    Ok(String::new())
}
