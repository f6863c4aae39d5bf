//! `helmet package CHART... [-d DIR] [--version V] [--app-version V]`.

use std::path::PathBuf;

use helmet::package::{package_chart, PackageOptions};

use crate::flags::{Flag, FlagSet};
use crate::Outcome;

const HELP: &str = "\
Package chart directories into versioned chart archives, as `helm package` does.

Usage:
  helmet package CHART_PATH... [flags]

Flags:
  -d, --destination DIR    where to write the archive (default: the working directory)
      --version V          set the chart's version
      --app-version V      set the chart's appVersion

Archives are byte for byte what Helm v4 writes once decompressed. Each entry keeps its file's
modification time, as in Helm; with SOURCE_DATE_EPOCH set, every entry gets that time instead,
so fresh clones of a repository give identical archives.

Not supported: --sign (provenance files) and --dependency-update (it needs chart repositories).
";

/// Packages each chart in turn, printing Helm's line for each archive as it is written; the
/// first failure stops, as in Helm.
pub fn package(args: &[String]) -> Outcome {
    let flags = vec![
        Flag::value("destination", Some('d')),
        Flag::value("version", None),
        Flag::value("app-version", None),
        Flag::switch("sign", None),
        Flag::switch("dependency-update", Some('u')),
    ];
    if args.iter().any(|a| a == "-h" || a == "--help") {
        return Outcome::Done(HELP.to_string());
    }
    let parsed = match FlagSet::new(flags).parse(args) {
        Ok(parsed) => parsed,
        Err(message) => return Outcome::Failed(message),
    };
    if parsed.switch("sign") {
        return Outcome::Failed("--sign is not supported by helmet yet".into());
    }
    if parsed.switch("dependency-update") {
        return Outcome::Failed(
            "--dependency-update is not supported by helmet (it needs chart repositories)".into(),
        );
    }
    if parsed.positional.is_empty() {
        return Outcome::Failed("need at least one argument, the path to the chart".into());
    }
    let destination = match parsed.value("destination") {
        // Helm saves to the working directory, and then prints an absolute path.
        None => std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        Some(d) if d == "." => std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        Some(d) => PathBuf::from(d),
    };
    let mut options = match PackageOptions::new(destination) {
        Ok(options) => options,
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    options.version = parsed.value("version");
    options.app_version = parsed.value("app-version");
    for chart in &parsed.positional {
        match package_chart(std::path::Path::new(chart), &options) {
            Ok(path) => println!(
                "Successfully packaged chart and saved it to: {}",
                path.display()
            ),
            Err(e) => return Outcome::Failed(e.to_string()),
        }
    }
    Outcome::Done(String::new())
}
