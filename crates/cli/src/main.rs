//! `helmet`: the command line. It parses flags, calls the chart core and prints; nothing else.

mod docs_cmd;
mod flags;
mod json;
mod lint_cmd;
mod log;
mod package_cmd;

use std::io::Write;
use std::process::ExitCode;

use flags::{Flag, FlagSet, Parsed};
use helmet::objects::{Capabilities, KubeVersion, ReleaseInfo};
use helmet::output::{TemplateOptions, TemplateRequest};
use helmet::render::RenderOptions;
use helmet::ValueOptions;

const USAGE: &str = "\
helmet: render, lint and package Helm charts, exactly as Helm does

Usage:
  helmet template [NAME] CHART [flags]   print what `helm template` prints
  helmet render [NAME] CHART [flags]     print the engine's raw output per template, as JSON
  helmet lint [CHART...] [flags]         what `helm lint` does
  helmet package CHART... [-d DIR]       what `helm package` does
  helmet docs CHART [--check]            write CHART/README.md from Chart.yaml and values.yaml
  helmet version                         print helmet's version

Flags of template and render:
  -f, --values FILE          values file (repeatable, comma-separated)
      --set K=V              set values (also --set-string, --set-json, --set-file, --set-literal)
  -n, --namespace NS         release namespace (default \"default\")
      --is-upgrade           set .Release.IsUpgrade instead of .Release.IsInstall
      --kube-version V       Kubernetes version for .Capabilities.KubeVersion
  -a, --api-versions V       extra API versions for .Capabilities.APIVersions
Flags of template only:
  -s, --show-only PATTERN    only print manifests from matching templates
      --output-dir DIR       write manifests to files under DIR
      --release-name         with --output-dir, write under DIR/NAME
      --include-crds         print CRDs first
      --skip-crds, --skip-tests, --no-hooks, --debug
  -g, --generate-name, --name-template TEMPLATE
";

/// Every way a command ends: what to print and the exit code, decided in one place.
enum Outcome {
    /// Success: text for standard output.
    Done(String),
    /// Failure: Helm's message (printed as `Error: MESSAGE`).
    Failed(String),
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        None | Some("-h" | "--help" | "help") => Outcome::Done(USAGE.to_string()),
        Some("version" | "--version") => {
            Outcome::Done(format!("helmet {}\n", env!("CARGO_PKG_VERSION")))
        }
        Some("template") => template(&args[1..]),
        Some("render") => render(&args[1..]),
        Some("docs") => docs_cmd::run(&args[1..]).map_or_else(Outcome::Failed, Outcome::Done),
        Some("package") => package_cmd::package(&args[1..]),
        Some("lint") => lint_cmd::lint(&args[1..]),
        Some(other) => Outcome::Failed(format!(
            "unknown command \"{other}\" for \"helmet\"\n\n{USAGE}"
        )),
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
    }
}

/// The flags `template` and `render` share.
fn common_flags() -> Vec<Flag> {
    vec![
        Flag::list("values", Some('f')).comma_separated(),
        Flag::list("set", None),
        Flag::list("set-string", None),
        Flag::list("set-json", None),
        Flag::list("set-file", None),
        Flag::list("set-literal", None),
        Flag::value("namespace", Some('n')),
        Flag::switch("is-upgrade", None),
        Flag::value("kube-version", None),
        Flag::list("api-versions", Some('a')).comma_separated(),
        Flag::value("name", None),
        Flag::value("name-template", None),
        Flag::switch("generate-name", Some('g')),
        Flag::switch("debug", None),
    ]
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
    match args.len() {
        0 => Err("requires at least 1 arg(s), only received 0".into()),
        1 => {
            if let Some(template) = parsed.value("name-template") {
                let name = helmet::render::template_name(&template).map_err(|e| e.to_string())?;
                return Ok((name, args[0].clone()));
            }
            Ok((
                parsed
                    .value("name")
                    .unwrap_or_else(|| "release-name".to_string()),
                args[0].clone(),
            ))
        }
        2 => {
            if parsed.switch("generate-name") {
                return Err("cannot set --generate-name and also specify a name".into());
            }
            if parsed.value("name-template").is_some() {
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

fn render_options(parsed: &Parsed, name: String) -> Result<RenderOptions, String> {
    let mut capabilities =
        Capabilities::default().with_extra_api_versions(&parsed.list("api-versions"));
    if let Some(v) = parsed.value("kube-version") {
        capabilities.kube_version = KubeVersion::parse(&v)?;
    }
    Ok(RenderOptions {
        release: ReleaseInfo {
            name,
            namespace: parsed
                .value("namespace")
                // Helm's settings: the flag, then $HELM_NAMESPACE, then the kubeconfig's
                // (helmet reads no kubeconfig: `default`).
                .or_else(|| {
                    std::env::var("HELM_NAMESPACE")
                        .ok()
                        .filter(|ns| !ns.is_empty())
                })
                .unwrap_or_else(|| "default".to_string()),
            revision: 1,
            is_upgrade: parsed.switch("is-upgrade"),
        },
        capabilities,
        strict: false,
        invalid_utf8: helmet::render::InvalidUtf8::YamlError,
    })
}

fn template(args: &[String]) -> Outcome {
    let mut flags = common_flags();
    flags.extend([
        Flag::list("show-only", Some('s')),
        Flag::value("output-dir", None),
        Flag::switch("release-name", None),
        Flag::switch("include-crds", None),
        Flag::switch("skip-crds", None),
        Flag::switch("skip-tests", None),
        Flag::switch("no-hooks", None),
    ]);
    let parsed = match FlagSet::new(flags).parse(args) {
        Ok(p) => p,
        Err(e) => return Outcome::Failed(e),
    };
    let (name, chart) = match name_and_chart(&parsed) {
        Ok(x) => x,
        Err(e) => return Outcome::Failed(e),
    };
    let render = match render_options(&parsed, name.clone()) {
        Ok(r) => r,
        Err(e) => return Outcome::Failed(e),
    };
    let request = TemplateRequest {
        chart_path: chart.into(),
        values: value_options(&parsed),
        render,
        output: TemplateOptions {
            show_only: parsed.list("show-only"),
            include_crds: parsed.switch("include-crds"),
            skip_tests: parsed.switch("skip-tests"),
            no_hooks: parsed.switch("no-hooks"),
            output_dir: parsed.value("output-dir").map(Into::into),
            use_release_name: parsed.switch("release-name"),
            release_name: name,
            debug: parsed.switch("debug"),
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

fn render(args: &[String]) -> Outcome {
    let parsed = match FlagSet::new(common_flags()).parse(args) {
        Ok(p) => p,
        Err(e) => return Outcome::Failed(e),
    };
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
