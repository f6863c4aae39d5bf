//! `helmet package CHART... [-d DIR] [--version V] [--app-version V]`.

use std::path::PathBuf;

use helmet::package::{package_chart_logged, PackageOptions};

use crate::flags::{Flag, FlagSet};
use crate::helm_flags::global_flags;
use crate::Outcome;

const HELP: &str = "\
Package chart folders into versioned chart archives, as `helm package` does.

Usage:
  helmet package CHART_PATH... [flags]

Archives are byte for byte what Helm v4 writes once decompressed. Each entry keeps its file's
modification time, as in Helm; with SOURCE_DATE_EPOCH set, every entry gets that time instead,
so fresh clones of a repository give identical archives.
";

/// Packages each chart in turn, printing Helm's line for each archive as it is written; the
/// first failure stops, as in Helm.
pub fn package(args: &[String]) -> Outcome {
    let mut flags = vec![
        Flag::switch("sign", "not supported: helmet writes no provenance files"),
        Flag::value("key", "NAME", "signing key for --sign"),
        Flag::value("keyring", "FILE", "keyring for --sign"),
        Flag::value(
            "passphrase-file",
            "FILE",
            "signing key passphrase for --sign",
        ),
        Flag::value("version", "VERSION", "set the chart's version"),
        Flag::value("app-version", "VERSION", "set the chart's appVersion"),
        Flag::value(
            "destination",
            "DIR",
            "where to write the archive (default: the working directory)",
        )
        .short('d'),
        Flag::switch(
            "dependency-update",
            "accepted for charts without dependencies (helmet downloads none)",
        )
        .short('u'),
    ];
    flags.extend(crate::helm_flags::registry_client_flags());
    let set = FlagSet::with_globals(flags, global_flags());
    let parsed = match crate::parse_command(&set, args, HELP) {
        Ok(parsed) => parsed,
        Err(outcome) => return outcome,
    };
    if parsed.positional.is_empty() {
        return Outcome::Failed("need at least one argument, the path to the chart".into());
    }
    if parsed.switch("sign") {
        // Helm's own checks come first (its --keyring defaults to ~/.gnupg/pubring.gpg).
        if parsed.value("key").unwrap_or_default().is_empty() {
            return Outcome::Failed("--key is required for signing a package".into());
        }
        if parsed.value("keyring").is_some_and(|k| k.is_empty()) {
            return Outcome::Failed("--keyring is required for signing a package".into());
        }
        return Outcome::Failed(
            "--sign is not supported by helmet: it writes no provenance files".into(),
        );
    }
    if let Err(e) = crate::helm_flags::check_registry_tls(&parsed) {
        return Outcome::Failed(e);
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
    options.version = parsed.value("version").filter(|v| !v.is_empty());
    options.app_version = parsed.value("app-version").filter(|v| !v.is_empty());
    for chart in &parsed.positional {
        if parsed.switch("dependency-update") {
            if let Err(e) = dependency_update(chart) {
                return Outcome::Failed(e);
            }
        }
        let mut log = Vec::new();
        let packaged = package_chart_logged(std::path::Path::new(chart), &options, &mut log);
        // Helm's loader logs to standard error as it reads the chart.
        crate::log::print(&log);
        match packaged {
            Ok(path) => println!(
                "Successfully packaged chart and saved it to: {}",
                path.display()
            ),
            Err(e) => return Outcome::Failed(e.to_string()),
        }
    }
    Outcome::Done(String::new())
}

/// `--dependency-update` as far as helmet can follow Helm: a chart folder without
/// dependencies needs nothing; anything to download fails by name.
fn dependency_update(chart: &str) -> Result<(), String> {
    let path = std::path::Path::new(chart);
    if !path.exists() {
        // package_chart_logged reports it as Helm does, before any update.
        return Ok(());
    }
    if !path.is_dir() {
        return Err("only unpacked charts can be updated".into());
    }
    let loaded = helmet::load_chart(path).map_err(|e| e.to_string())?;
    if loaded.metadata.dependencies.is_empty() {
        return Ok(());
    }
    Err(format!(
        "--dependency-update is not supported by helmet for charts with dependencies: it downloads no charts ({} declares {})",
        loaded.metadata.name,
        loaded.metadata.dependencies.len()
    ))
}
