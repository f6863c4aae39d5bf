//! `helmet`: the command line. It parses flags, calls the chart core and prints; nothing else.

mod docs_cmd;
mod flags;
mod helm_flags;
mod json;
mod kubeconfig;
mod lint_cmd;
mod log;
mod package_cmd;

use std::io::Write;
use std::process::ExitCode;

use flags::{Flag, FlagSet, Parsed};
use helm_flags::{global_flags, install_flags, template_only_flags, values_flags};
use helmet::objects::{Capabilities, KubeVersion, ReleaseInfo};
use helmet::output::{TemplateOptions, TemplateRequest};
use helmet::render::RenderOptions;
use helmet::ValueOptions;

const USAGE: &str = "\
helmet: render, lint and package Helm charts, exactly as Helm does

Usage:
  helmet template [NAME] CHART [flags]   print what `helm template` prints
  helmet render [NAME] CHART [flags]     print the engine's raw output per template, as JSON
  helmet lint CHART... [flags]           what `helm lint` does
  helmet package CHART... [flags]        what `helm package` does
  helmet docs CHART [--check]            write CHART/README.md from Chart.yaml and values.yaml
  helmet version                         print helmet's version
  helmet help COMMAND                    the flags of a command (also COMMAND --help)

Helm's global flags (-n/--namespace, --kube-context, --debug, ...) are accepted by every
command, before or after its name.
";

/// Every way a command ends: what to print and the exit code, decided in one place.
enum Outcome {
    /// Success: text for standard output.
    Done(String),
    /// Failure: Helm's message (printed as `Error: MESSAGE`).
    Failed(String),
    /// Failure with its standard error text as it is (Helm's logger lines).
    FailedWith(String),
}

/// The commands, by name.
const COMMANDS: [&str; 7] = [
    "template", "render", "lint", "package", "docs", "version", "help",
];

/// Finds the command among the arguments as cobra does: global flags may come before it (a
/// flag that takes a value takes the next argument along). Returns the command and the other
/// arguments.
fn split_command(args: &[String]) -> (Option<String>, Vec<String>) {
    let globals = global_flags();
    let takes_value = |arg: &str| -> bool {
        if let Some(long) = arg.strip_prefix("--") {
            return !long.contains('=') && flags::takes_value(&globals, long, None);
        }
        let short = &arg[1..];
        short.len() == 1 && flags::takes_value(&globals, "", short.chars().next())
    };
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        if arg == "--" || !arg.starts_with('-') || arg.len() < 2 {
            break;
        }
        i += if takes_value(arg) { 2 } else { 1 };
    }
    match args.get(i) {
        Some(command) if !command.starts_with('-') || command == "--" => {
            if command == "--" {
                return (None, args.to_vec());
            }
            let mut rest = args[..i].to_vec();
            rest.extend(args[i + 1..].iter().cloned());
            (Some(command.clone()), rest)
        }
        _ => (None, args.to_vec()),
    }
}

fn main() -> ExitCode {
    // Arguments that are not UTF-8 are read lossily rather than stopping the program.
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    // Helm's root command reads the global flags from all the arguments first, and refuses an
    // invalid --color before running any command.
    let early = FlagSet::bare(global_flags()).parse_lenient(&args);
    if let Err(text) = helm_flags::check_color(&early) {
        eprint!("{text}");
        return ExitCode::FAILURE;
    }
    let (command, rest) = split_command(&args);
    let outcome = match command.as_deref() {
        None => root(&rest),
        Some("version") => Outcome::Done(format!("helmet {}\n", env!("CARGO_PKG_VERSION"))),
        Some("help") => match rest.iter().find(|a| !a.starts_with('-')) {
            Some(name) if COMMANDS.contains(&name.as_str()) && name != "help" => {
                run(name, &["--help".to_string()])
            }
            // Cobra prints this on standard output and succeeds.
            Some(other) => Outcome::Done(format!("Unknown help topic [`{other}`]\n{USAGE}")),
            None => Outcome::Done(USAGE.to_string()),
        },
        Some(name) => run(name, &rest),
    };
    match outcome {
        Outcome::Done(text) => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`helmet template | head`) is not an error worth reporting.
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
            ExitCode::SUCCESS
        }
        Outcome::Failed(message) => {
            eprintln!("Error: {message}");
            ExitCode::FAILURE
        }
        Outcome::FailedWith(text) => {
            eprint!("{text}");
            ExitCode::FAILURE
        }
    }
}

/// Runs a named command.
fn run(name: &str, args: &[String]) -> Outcome {
    match name {
        "template" => template(args),
        "render" => render(args),
        "docs" => docs_cmd::run(args),
        "package" => package_cmd::package(args),
        "lint" => lint_cmd::lint(args),
        other => unknown_command(other),
    }
}

/// Cobra's failure for an unknown command, with its suggestions (commands within two edits,
/// or starting with what was typed).
fn unknown_command(typed: &str) -> Outcome {
    let mut names: Vec<&str> = COMMANDS.to_vec();
    names.sort_unstable();
    let typed_lower = typed.to_lowercase();
    let close: Vec<&str> = names
        .into_iter()
        .filter(|name| edit_distance(&typed_lower, name) <= 2 || name.starts_with(&typed_lower))
        .collect();
    let mut message = format!(
        "Error: unknown command {} for \"helmet\"",
        helmet_value::strconv::quote(typed)
    );
    if !close.is_empty() {
        message.push_str("\n\nDid you mean this?\n");
        for name in close {
            message.push_str(&format!("\t{name}\n"));
        }
    }
    Outcome::FailedWith(format!("{message}\nRun 'helmet --help' for usage.\n"))
}

/// Levenshtein distance between two texts, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for j in 0..b.len() {
            let cost = usize::from(ca != b[j]);
            let next = (row[j + 1] + 1).min(row[j] + 1).min(previous + cost);
            previous = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// `helmet` without a command: its help (`-h`, `--help` or nothing), `--version`, or
/// global flags alone.
fn root(args: &[String]) -> Outcome {
    if args.iter().any(|a| a == "--version") {
        return Outcome::Done(format!("helmet {}\n", env!("CARGO_PKG_VERSION")));
    }
    let set = FlagSet::with_globals(Vec::new(), global_flags());
    match parse(&set, args) {
        Ok(_) => Outcome::Done(format!("{USAGE}\n{}", set.usage())),
        Err(outcome) => outcome,
    }
}

/// Parses a command's flags as cobra does before running it: pflag's notes go to standard
/// error as they come, then `-h`/`--help` prints `help` with the flags. `Err` is how the command
/// ends without running.
fn parse_command(set: &FlagSet, args: &[String], help: &str) -> Result<Parsed, Outcome> {
    let parsed = parse(set, args)?;
    if parsed.switch("help") {
        return Err(Outcome::Done(format!("{help}\n{}", set.usage())));
    }
    Ok(parsed)
}

/// [`parse_command`] without the help.
fn parse(set: &FlagSet, args: &[String]) -> Result<Parsed, Outcome> {
    let mut notes = Vec::new();
    let parsed = set.parse(args, &mut notes);
    print_notes(&notes);
    parsed.map_err(Outcome::Failed)
}

/// Lines for standard error, as they are.
fn print_notes(notes: &[String]) {
    let mut err = std::io::stderr().lock();
    for line in notes {
        let _ = writeln!(err, "{line}");
    }
}

/// Cobra's `MinimumNArgs(1)` failure for a command, in Helm's words.
fn requires_argument(command: &str, usage: &str) -> Outcome {
    Outcome::Failed(format!(
        "\"helmet {command}\" requires at least 1 argument\n\nUsage:  {usage}"
    ))
}

fn value_options(parsed: &Parsed) -> ValueOptions {
    ValueOptions {
        values_files: parsed.list("values").iter().map(Into::into).collect(),
        set: parsed.list("set"),
        set_string: parsed.list("set-string"),
        set_json: parsed.list("set-json"),
        set_file: parsed.list("set-file"),
        set_literal: parsed.list("set-literal"),
    }
}

/// Helm's `NameAndChart` for `helm template` (whose default release name is `release-name`).
fn name_and_chart(parsed: &Parsed) -> Result<(String, String), String> {
    let args = &parsed.positional;
    let name_template = parsed.value("name-template").filter(|t| !t.is_empty());
    match args.len() {
        0 | 1 => {
            if let Some(template) = name_template {
                let name = helmet::render::template_name(&template).map_err(|e| e.to_string())?;
                return Ok((name, args.first().cloned().unwrap_or_default()));
            }
            let chart = args.first().cloned().unwrap_or_default();
            Ok(("release-name".to_string(), chart))
        }
        2 => {
            if parsed.switch("generate-name") {
                return Err("cannot set --generate-name and also specify a name".into());
            }
            if name_template.is_some() {
                return Err("cannot set --name-template and also specify a name".into());
            }
            Ok((args[0].clone(), args[1].clone()))
        }
        _ => Err(format!(
            "expected at most two arguments, unexpected arguments: {}",
            args[2..].join(", ")
        )),
    }
}

/// The release namespace, as Helm's settings find it (see [`kubeconfig::namespace`]).
fn namespace(parsed: &Parsed) -> String {
    kubeconfig::namespace(parsed)
}

fn render_options(parsed: &Parsed, name: String) -> Result<RenderOptions, String> {
    let mut capabilities =
        Capabilities::default().with_extra_api_versions(&parsed.list("api-versions"));
    if let Some(v) = parsed.value("kube-version").filter(|v| !v.is_empty()) {
        capabilities.kube_version = KubeVersion::parse(&v)?;
    }
    Ok(RenderOptions {
        release: ReleaseInfo {
            name,
            namespace: namespace(parsed),
            revision: 1,
            is_upgrade: parsed.switch("is-upgrade"),
            is_install: !parsed.switch("is-upgrade"),
        },
        capabilities,
        strict: false,
        invalid_utf8: helmet::render::InvalidUtf8::YamlError,
        skip_schema_validation: parsed.switch("skip-schema-validation"),
    })
}

/// `--debug`, defaulting to `$HELM_DEBUG` as Helm's settings do.
fn debug(parsed: &Parsed) -> bool {
    if parsed.changed("debug") {
        return parsed.switch("debug");
    }
    std::env::var("HELM_DEBUG")
        .ok()
        .and_then(|v| flags::parse_bool(&v))
        .unwrap_or(false)
}

const TEMPLATE_HELP: &str = "\
Render a chart's templates locally and print the manifests, as `helm template` does.

Usage:
  helmet template [NAME] CHART [flags]

CHART is a chart folder or a packaged chart (.tgz); NAME defaults to release-name. Nothing
is looked up in a cluster: `lookup` finds nothing and .Capabilities are Helm's defaults
(set them with --kube-version and --api-versions). Helm's install flags are accepted; those
that only matter when installing into a cluster have no effect on the output.
";

/// The flags of `helmet template`: Helm's, in Helm's order of declaration.
fn template_flags() -> FlagSet {
    let mut flags = install_flags();
    flags.extend(template_only_flags());
    FlagSet::with_globals(flags, global_flags())
}

fn template(args: &[String]) -> Outcome {
    let set = template_flags();
    let parsed = match parse_command(&set, args, TEMPLATE_HELP) {
        Ok(p) => p,
        Err(outcome) => return outcome,
    };
    if parsed.positional.is_empty() {
        return requires_argument("template", "helmet template [NAME] [CHART] [flags]");
    }
    if let Err(e) = helm_flags::check_template_groups(&parsed) {
        return Outcome::Failed(e);
    }
    // helm template's own steps, in its order: the Kubernetes version, the dry-run mode, the
    // names, the chart's location.
    let kube_version = parsed.value("kube-version").filter(|v| !v.is_empty());
    if let Some(v) = kube_version {
        if let Err(e) = KubeVersion::parse(&v) {
            return Outcome::Failed(e);
        }
    }
    if let Err(e) = helm_flags::check_registry_tls(&parsed) {
        return Outcome::Failed(e);
    }
    let mut notes = Vec::new();
    let client_side = helm_flags::dry_run_client(&parsed, &mut notes);
    print_notes(&notes);
    let client_side = match client_side {
        Ok(c) => c,
        Err(e) => return Outcome::Failed(e),
    };
    let (name, chart) = match name_and_chart(&parsed) {
        Ok(x) => x,
        Err(e) => return Outcome::Failed(e),
    };
    if let Err(e) = helm_flags::locate_chart(&chart, &parsed) {
        return Outcome::Failed(e);
    }
    if parsed.switch("enable-dns") {
        return Outcome::Failed(
            "--enable-dns is not supported by helmet: it does no DNS lookups (getHostByName returns \"\")".into(),
        );
    }
    let values = value_options(&parsed);
    if !client_side || parsed.switch("dependency-update") {
        // What Helm does before it needs a cluster or a repository: values, the chart, its
        // type and dependencies.
        let checked = values
            .merge_values()
            .and_then(|_| helmet::load_chart(std::path::Path::new(&chart)));
        let chart = match checked {
            Ok(c) => c,
            Err(e) => return Outcome::Failed(e.to_string()),
        };
        if let Err(e) = helmet::values::check_dependencies(&chart) {
            return Outcome::Failed(format!(
                "--dependency-update cannot download the missing dependencies: helmet fetches no charts ({e})"
            ));
        }
        if let Err(e) = helmet::output::check_installable(&chart, &name) {
            return Outcome::Failed(e.to_string());
        }
        if !client_side {
            return Outcome::Failed(
                "cluster reachability check failed: helmet does not contact Kubernetes clusters (--dry-run=server and --validate need one)".into(),
            );
        }
    }
    if let Err(e) = helm_flags::check_labels(&parsed) {
        return Outcome::Failed(e);
    }
    let render = match render_options(&parsed, name.clone()) {
        Ok(r) => r,
        Err(e) => return Outcome::Failed(e),
    };
    let request = TemplateRequest {
        chart_path: chart.into(),
        values,
        render,
        output: TemplateOptions {
            show_only: parsed.list("show-only"),
            include_crds: parsed.switch("include-crds"),
            skip_tests: parsed.switch("skip-tests"),
            no_hooks: parsed.switch("no-hooks"),
            output_dir: parsed
                .value("output-dir")
                .filter(|d| !d.is_empty())
                .map(Into::into),
            use_release_name: parsed.switch("release-name"),
            release_name: name,
            debug: debug(&parsed),
        },
    };
    let mut log = Vec::new();
    if request.output.debug {
        let (stdout, outcome) = helmet::output::run_template_debug(&request, &mut log);
        log::print(&log);
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(stdout.as_bytes());
        let _ = out.flush();
        return match outcome {
            Ok(()) => Outcome::Done(String::new()),
            Err(e) => Outcome::Failed(e.to_string()),
        };
    }
    let outcome = helmet::output::run_template_logged(&request, &mut log);
    log::print(&log);
    match outcome {
        Ok(out) => Outcome::Done(out.stdout),
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

const RENDER_HELP: &str = "\
Print the template engine's raw output for each template file, as JSON (helmet's own
command: the reference renderer's `render`).

Usage:
  helmet render [NAME] CHART [flags]
";

fn render(args: &[String]) -> Outcome {
    let mut flags = values_flags();
    flags.extend(helm_flags::capabilities_flags());
    flags.extend([
        Flag::value(
            "name-template",
            "TEMPLATE",
            "template the release name is rendered from",
        ),
        Flag::switch(
            "generate-name",
            "generate the release name (no NAME argument)",
        )
        .short('g'),
        Flag::switch(
            "skip-schema-validation",
            "do not check values against values.schema.json",
        ),
    ]);
    let set = FlagSet::with_globals(flags, global_flags());
    let parsed = match parse_command(&set, args, RENDER_HELP) {
        Ok(p) => p,
        Err(outcome) => return outcome,
    };
    if parsed.positional.is_empty() {
        return requires_argument("render", "helmet render [NAME] [CHART] [flags]");
    }
    let (name, chart) = match name_and_chart(&parsed) {
        Ok(x) => x,
        Err(e) => return Outcome::Failed(e),
    };
    let render = match render_options(&parsed, name) {
        // The raw engine output, as the reference renderer's JSON shows it.
        Ok(r) => RenderOptions {
            invalid_utf8: helmet::render::InvalidUtf8::Replace,
            ..r
        },
        Err(e) => return Outcome::Failed(e),
    };
    let mut log = Vec::new();
    let outcome = helmet::output::load_and_render_logged(
        std::path::Path::new(&chart),
        &value_options(&parsed),
        &render,
        false,
        &mut log,
    );
    log::print(&log);
    match outcome {
        Ok((_, rendered)) => Outcome::Done(json::python_dump(&rendered)),
        Err(e) => Outcome::Failed(e.to_string()),
    }
}
