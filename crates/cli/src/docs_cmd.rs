//! `helmet docs CHART [--check]`: writes a chart's README.md from Chart.yaml and the `# --`
//! comments of values.yaml, or with `--check` fails when the README on disk is stale.

use std::path::Path;

use crate::flags::{Flag, FlagSet};
use crate::helm_flags::global_flags;
use crate::Outcome;

const USAGE: &str = "\
Write a chart's README.md from Chart.yaml and the `# --` comments of values.yaml (helmet's own
command).

Usage:
  helmet docs CHART [--check]

Writes CHART/README.md (through CHART/README.md.j2 when the chart has one). With --check,
writes nothing and fails when README.md differs from what would be written.
";

/// Runs the command.
pub fn run(args: &[String]) -> Outcome {
    let set = FlagSet::with_globals(
        vec![Flag::switch(
            "check",
            "write nothing; fail when README.md is out of date",
        )],
        global_flags(),
    );
    let parsed = match crate::parse_command(&set, args, USAGE) {
        Ok(p) => p,
        Err(outcome) => return outcome,
    };
    generate(&parsed.positional, parsed.switch("check"), &set)
        .map_or_else(Outcome::Failed, Outcome::Done)
}

/// `Ok` holds what to print, `Err` the message of a failure.
fn generate(charts: &[String], check: bool, set: &FlagSet) -> Result<String, String> {
    let [chart] = charts else {
        return Err(format!(
            "docs takes exactly one chart directory, got {}\n\n{USAGE}\n{}",
            charts.len(),
            set.usage()
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
