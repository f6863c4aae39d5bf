//! `helmet`: the command line. It parses flags, calls the chart core and prints; nothing else.

use std::process::ExitCode;

const USAGE: &str = "\
helmet: render, lint and package Helm charts, exactly as Helm does

Usage:
  helmet template [NAME] CHART [flags]   print what `helm template` prints
  helmet render CHART [flags]            print the engine's raw output per template, as JSON
  helmet lint [CHART...] [flags]         what `helm lint` does
  helmet package CHART... [-d DIR]       what `helm package` does
  helmet version                         print helmet's version
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None | Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some("version" | "--version") => {
            println!("helmet {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some(cmd @ ("template" | "render" | "lint" | "package")) => {
            eprintln!("Error: `helmet {cmd}` is not built yet");
            ExitCode::FAILURE
        }
        Some(other) => {
            eprintln!("Error: unknown command \"{other}\" for \"helmet\"\n\n{USAGE}");
            ExitCode::FAILURE
        }
    }
}
