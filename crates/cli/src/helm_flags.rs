//! The flags Helm v4's commands accept, as helmet reads them: Helm's global flags, the values
//! flags, and those `helm template` takes from `helm install`. Most of them only matter when Helm
//! talks to a cluster or downloads a chart; helmet accepts them so that command lines written
//! for Helm run unchanged, and fails by name where a flag would change the output in a way
//! helmet cannot follow. The help lines are helmet's own words.

use std::path::Path;

use helmet_value::strconv::quote;

use crate::flags::{parse_bool, Flag, Parsed};

/// A line as Helm's logger writes it on standard error (Go's `slog` text handler without the
/// time): `level=WARN msg="..."`, with the extra `key=value` attributes.
pub fn slog_warn(msg: &str, attrs: &[(&str, &str)]) -> String {
    let mut line = format!("level=WARN msg={}", slog_value(msg));
    for (key, value) in attrs {
        line.push_str(&format!(" {key}={}", slog_value(value)));
    }
    line
}

/// A value as `slog`'s text handler writes it: quoted (Go's `strconv.Quote`) when empty or
/// holding spaces, `"`, `=` or characters that are not printable.
fn slog_value(value: &str) -> String {
    let plain = !value.is_empty()
        && value.chars().all(|c| {
            !c.is_whitespace()
                && c != '"'
                && c != '='
                && helmet_value::strconv::is_print(c)
                && c != '\u{fffd}'
        });
    if plain {
        value.to_string()
    } else {
        quote(value)
    }
}

/// Helm's global flags (`pkg/cli/environment.go`), accepted by every command. Of the cluster
/// ones, only what decides the default namespace matters to helmet (see `kubeconfig`); the
/// repository ones have no effect on what helmet prints.
pub fn global_flags() -> Vec<Flag> {
    vec![
        Flag::value(
            "namespace",
            "NS",
            "release namespace (default: $HELM_NAMESPACE, else the kubeconfig context's, else \"default\")",
        )
        .short('n'),
        Flag::value(
            "kubeconfig",
            "FILE",
            "kubeconfig file, read for its context's namespace only (helmet contacts no cluster)",
        ),
        Flag::value(
            "kube-context",
            "NAME",
            "kubeconfig context whose namespace is the default namespace",
        ),
        Flag::value(
            "kube-token",
            "TOKEN",
            "bearer token (only checked as Helm's kubeconfig loader does)",
        ),
        Flag::value(
            "kube-as-user",
            "USER",
            "user to impersonate (only checked as Helm's kubeconfig loader does)",
        ),
        Flag::list(
            "kube-as-group",
            "GROUP",
            "group to impersonate, repeatable (only checked as Helm's kubeconfig loader does)",
        ),
        Flag::value(
            "kube-apiserver",
            "URL",
            "API server address (accepted; no effect)",
        ),
        Flag::value(
            "kube-ca-file",
            "FILE",
            "API server CA file (only checked as Helm's kubeconfig loader does)",
        ),
        Flag::value(
            "kube-tls-server-name",
            "NAME",
            "API server TLS name (accepted; no effect)",
        ),
        Flag::switch(
            "kube-insecure-skip-tls-verify",
            "skip API server certificate checks (only checked as Helm's kubeconfig loader does)",
        ),
        Flag::switch(
            "debug",
            "template: print what was rendered before a failure (default: $HELM_DEBUG)",
        ),
        Flag::value(
            "registry-config",
            "FILE",
            "registry config file (accepted; no effect)",
        ),
        Flag::value(
            "repository-config",
            "FILE",
            "repositories file (accepted; no effect)",
        ),
        Flag::value(
            "repository-cache",
            "DIR",
            "repository index cache (accepted; no effect)",
        ),
        Flag::value(
            "content-cache",
            "DIR",
            "chart content cache (accepted; no effect)",
        ),
        Flag::int(
            "burst-limit",
            "client-side throttling burst (checked as an integer; no effect)",
        ),
        Flag::float32(
            "qps",
            "API queries per second (checked as a number; no effect)",
        ),
        Flag::value(
            "color",
            "WHEN",
            "never, auto or always (helmet prints no colors)",
        ),
        Flag::value("colour", "WHEN", "same as --color"),
    ]
    .into_iter()
    .chain(klog_flags())
    .collect()
}

/// Go's `strconv.ParseInt(text, 10, bits)`, for its error text.
fn parse_int_base10(text: &str, bits: u32) -> Result<i64, String> {
    let syntax = || format!("strconv.ParseInt: parsing {}: invalid syntax", quote(text));
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(syntax());
    }
    let limit = 1i128 << (bits - 1);
    let mut value: i128 = 0;
    for b in digits.bytes() {
        value = (value * 10 + i128::from(b - b'0')).min(limit + 1);
    }
    if text.starts_with('-') {
        value = -value;
    }
    if value >= limit || value < -limit {
        return Err(format!(
            "strconv.ParseInt: parsing {}: value out of range",
            quote(text)
        ));
    }
    Ok(value as i64)
}

/// klog's `-v`: a 32-bit level.
fn check_klog_level(value: &str) -> Result<Option<String>, String> {
    parse_int_base10(value, 32).map(|_| None)
}

/// A Go `flag` boolean (klog's switches): Go's flag package words a bad value `parse error`.
fn check_go_bool(value: &str) -> Result<Option<String>, String> {
    parse_bool(value)
        .map(|_| None)
        .ok_or_else(|| "parse error".to_string())
}

/// A Go `flag` `uint64` (`strconv.ParseUint(s, 0, 64)`, errors as Go's flag package words
/// them).
fn check_go_uint64(value: &str) -> Result<Option<String>, String> {
    let lower = value.to_ascii_lowercase();
    let (base, digits) = if let Some(rest) = lower.strip_prefix("0x") {
        (16, rest)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (8, rest)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (2, rest)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    let digits: String = digits.chars().filter(|c| *c != '_').collect();
    if digits.is_empty() && lower != "0" {
        return Err("parse error".into());
    }
    let mut total: u128 = 0;
    for c in digits.chars() {
        let d = c.to_digit(base).ok_or_else(|| "parse error".to_string())?;
        total = (total * u128::from(base) + u128::from(d)).min(u128::from(u64::MAX) + 1);
    }
    if total > u128::from(u64::MAX) {
        return Err("value out of range".into());
    }
    Ok(None)
}

/// klog's `--stderrthreshold`: a severity name or a number.
fn check_klog_severity(value: &str) -> Result<Option<String>, String> {
    if matches!(
        value.to_ascii_uppercase().as_str(),
        "INFO" | "WARNING" | "ERROR" | "FATAL"
    ) {
        return Ok(None);
    }
    parse_int_base10(value, 32).map(|_| None)
}

/// klog's `--vmodule`: `pattern=N` items separated by commas.
fn check_klog_vmodule(value: &str) -> Result<Option<String>, String> {
    const SYNTAX: &str = "syntax error: expect comma-separated list of filename=N";
    for item in value.split(',').filter(|i| !i.is_empty()) {
        let parts: Vec<&str> = item.split('=').collect();
        if parts.len() != 2 || parts[0].is_empty() || parts[1].is_empty() {
            return Err(SYNTAX.into());
        }
        let level = parse_int_base10(parts[1], 32).map_err(|_| SYNTAX.to_string())?;
        if level < 0 {
            return Err("negative value for vmodule level".into());
        }
    }
    Ok(None)
}

/// klog's `--log-backtrace-at`: `file.go:N`.
fn check_klog_trace(value: &str) -> Result<Option<String>, String> {
    const SYNTAX: &str = "syntax error: expect file.go:234";
    if value.is_empty() {
        return Ok(None);
    }
    let parts: Vec<&str> = value.split(':').collect();
    if parts.len() != 2 || !parts[0].contains('.') {
        return Err(SYNTAX.into());
    }
    let line = parse_int_base10(parts[1], 64).map_err(|_| SYNTAX.to_string())?;
    if line <= 0 {
        return Err("negative or zero value for level".into());
    }
    Ok(None)
}

/// klog's flags, which Helm adds hidden to every command (underscores written as hyphens);
/// they only steer Kubernetes client logging, which helmet has none of.
pub fn klog_flags() -> Vec<Flag> {
    let go_bool = |name: &'static str| {
        Flag::optional(name, "true", "", "klog switch (accepted; no effect)")
            .checked(check_go_bool)
            .hidden()
    };
    vec![
        Flag::value("log-dir", "DIR", "").hidden(),
        Flag::value("log-file", "FILE", "").hidden(),
        Flag::value("log-file-max-size", "MB", "")
            .checked(check_go_uint64)
            .hidden(),
        go_bool("logtostderr"),
        go_bool("alsologtostderr"),
        Flag::value("v", "LEVEL", "")
            .short('v')
            .checked(check_klog_level)
            .hidden(),
        go_bool("add-dir-header"),
        go_bool("skip-headers"),
        go_bool("one-output"),
        go_bool("skip-log-headers"),
        Flag::value("stderrthreshold", "SEVERITY", "")
            .checked(check_klog_severity)
            .hidden(),
        Flag::value("vmodule", "LIST", "")
            .checked(check_klog_vmodule)
            .hidden(),
        Flag::value("log-backtrace-at", "FILE:N", "")
            .checked(check_klog_trace)
            .hidden(),
    ]
}

/// Checks `--color`/`--colour` as Helm's root command does before running any command (an
/// invalid mode fails even with `--help`): `Err` holds the whole standard error text.
pub fn check_color(parsed: &Parsed) -> Result<(), String> {
    // The flags default to $NO_COLOR / $HELM_COLOR, which Helm reads leniently (an invalid
    // $HELM_COLOR means auto); only a flag can hold an invalid mode.
    match parsed.last_of(&["color", "colour"]) {
        None => Ok(()),
        Some(mode) if matches!(mode.as_str(), "never" | "auto" | "always") => Ok(()),
        Some(mode) => {
            let error = format!(
                "invalid color mode {}: must be one of: never, auto, always",
                quote(&mode)
            );
            Err(format!(
                "{}\n",
                slog_warn("command failed", &[("error", &error)])
            ))
        }
    }
}

/// The values flags (`-f`, `--set`, ...).
pub fn values_flags() -> Vec<Flag> {
    vec![
        Flag::slice(
            "values",
            "FILE",
            "values file, repeatable or comma-separated (- reads standard input)",
        )
        .short('f'),
        Flag::list("set", "K=V", "set values (several separated by commas)"),
        Flag::list("set-string", "K=V", "set values as strings"),
        Flag::list("set-file", "K=FILE", "set values to the contents of files"),
        Flag::list(
            "set-json",
            "K=JSON",
            "set values from JSON (or a whole JSON object)",
        ),
        Flag::list("set-literal", "K=V", "set one value, taken literally"),
    ]
}

/// `--wait`'s value as Helm's wait strategy reads it.
fn check_wait(value: &str) -> Result<Option<String>, String> {
    match value {
        "watcher" | "legacy" | "hookOnly" => Ok(None),
        "true" => Ok(Some(slog_warn(
            "--wait=true is deprecated (boolean value) and can be replaced with --wait=watcher",
            &[],
        ))),
        "false" => Ok(Some(slog_warn(
            "--wait=false is deprecated (boolean value) and can be replaced with --wait=hookOnly",
            &[],
        ))),
        other => Err(format!(
            "invalid wait input {}. Valid inputs are watcher, hookOnly, and legacy",
            quote(other)
        )),
    }
}

/// `--post-renderer`: Helm v4 looks the named plugin up while parsing the flag; helmet runs
/// no plugins, so any name fails there (an empty name is no post-renderer, as in Helm).
fn check_post_renderer(value: &str) -> Result<Option<String>, String> {
    if value.is_empty() {
        return Ok(None);
    }
    Err("post-renderer plugins are not supported by helmet".to_string())
}

/// The flags `helm template` shares with `helm install` (`addInstallFlags`, the chart path
/// options and `--wait`).
pub fn install_flags() -> Vec<Flag> {
    let mut flags = vec![
        Flag::switch("create-namespace", "accepted; no effect on rendering"),
        Flag::switch("force-replace", "accepted; no effect on rendering"),
        Flag::switch("force", "accepted; no effect on rendering")
            .deprecated("use --force-replace instead")
            .hidden(),
        Flag::switch("force-conflicts", "accepted; no effect on rendering"),
        Flag::switch("server-side", "accepted; no effect on rendering"),
        Flag::switch("no-hooks", "leave hooks out of the output"),
        Flag::switch("replace", "accepted; no effect on rendering"),
        Flag::duration(
            "timeout",
            "Go duration such as 5m0s (checked; no effect on rendering)",
        ),
        Flag::switch("wait-for-jobs", "accepted; no effect on rendering"),
        Flag::switch(
            "generate-name",
            "generate the release name (no NAME argument)",
        )
        .short('g'),
        Flag::value(
            "name-template",
            "TEMPLATE",
            "template the release name is rendered from",
        ),
        Flag::value("description", "TEXT", "accepted; no effect on rendering"),
        Flag::switch(
            "devel",
            "accepted; only matters for charts from repositories",
        ),
        Flag::switch(
            "dependency-update",
            "accepted when the chart's dependencies are present (helmet downloads none)",
        ),
        Flag::switch(
            "disable-openapi-validation",
            "accepted; no effect on rendering",
        ),
        Flag::switch("rollback-on-failure", "accepted; no effect on rendering"),
        Flag::switch("atomic", "accepted; no effect on rendering")
            .deprecated("use --rollback-on-failure instead")
            .hidden(),
        Flag::switch(
            "skip-crds",
            "accepted; no effect (CRDs are printed only with --include-crds)",
        ),
        Flag::switch("render-subchart-notes", "accepted; no effect")
            .deprecated("this flag has no effect for 'helm template' and will be removed in Helm 5")
            .hidden(),
        Flag::switch(
            "skip-schema-validation",
            "do not check values against values.schema.json",
        ),
        Flag::map(
            "labels",
            "release labels (checked against Helm's reserved names; no effect on rendering)",
        )
        .short('l'),
        Flag::switch(
            "enable-dns",
            "not supported: helmet does no DNS lookups (getHostByName gives \"\")",
        ),
        Flag::switch("hide-notes", "accepted; no effect")
            .deprecated("this flag has no effect for 'helm template' and will be removed in Helm 5")
            .hidden(),
        Flag::switch("take-ownership", "accepted; no effect on rendering"),
    ];
    flags.extend(values_flags());
    flags.extend([
        Flag::value(
            "version",
            "VERSION",
            "chart version for repository charts (ignored for local charts, as in Helm)",
        ),
        Flag::switch(
            "verify",
            "verify the chart's provenance (not supported; unpacked charts are refused as in Helm)",
        ),
        Flag::value("keyring", "FILE", "keyring for --verify"),
        Flag::value(
            "repo",
            "URL",
            "chart repository URL (not supported: helmet reads local charts only)",
        ),
    ]);
    flags.extend(registry_client_flags());
    flags.extend([
        Flag::switch("pass-credentials", "accepted; no effect"),
        Flag::optional(
            "wait",
            "watcher",
            "STRATEGY",
            "watcher, hookOnly or legacy (checked; no effect on rendering)",
        )
        .checked(check_wait),
    ]);
    flags
}

/// The repository client flags `helm template` and `helm package` share (the registry
/// client's TLS files among them, which [`check_registry_tls`] reads).
pub fn registry_client_flags() -> [Flag; 7] {
    [
        Flag::value(
            "username",
            "USER",
            "repository username (accepted; no effect)",
        ),
        Flag::value(
            "password",
            "PASSWORD",
            "repository password (accepted; no effect)",
        ),
        Flag::value(
            "cert-file",
            "FILE",
            "repository client certificate (accepted; no effect)",
        ),
        Flag::value(
            "key-file",
            "FILE",
            "repository client key (accepted; no effect)",
        ),
        Flag::switch("insecure-skip-tls-verify", "accepted; no effect"),
        Flag::switch("plain-http", "accepted; no effect"),
        Flag::value(
            "ca-file",
            "FILE",
            "repository CA bundle (accepted; no effect)",
        ),
    ]
}

/// The flags that shape `.Release` and `.Capabilities`, shared by `template` and `render`.
pub fn capabilities_flags() -> [Flag; 3] {
    [
        Flag::switch(
            "is-upgrade",
            "set .Release.IsUpgrade instead of .Release.IsInstall",
        ),
        Flag::value(
            "kube-version",
            "VERSION",
            "Kubernetes version for .Capabilities.KubeVersion",
        ),
        Flag::slice(
            "api-versions",
            "VERSION",
            "extra API versions for .Capabilities.APIVersions",
        )
        .short('a'),
    ]
}

/// The flags only `helm template` has, after [`install_flags`].
pub fn template_only_flags() -> Vec<Flag> {
    let mut flags = vec![
        Flag::list(
            "show-only",
            "PATH",
            "only print manifests from templates matching this path pattern",
        )
        .short('s'),
        Flag::value(
            "output-dir",
            "DIR",
            "write manifests to files under DIR instead of printing them",
        ),
        Flag::switch(
            "validate",
            "not supported: needs a cluster (same as --dry-run=server)",
        )
        .deprecated("use '--dry-run=server' instead")
        .hidden(),
        Flag::switch("include-crds", "print the chart's CRDs first"),
        Flag::switch("skip-tests", "leave test hooks out of the output"),
    ];
    flags.extend(capabilities_flags());
    flags.extend([
        Flag::switch("release-name", "with --output-dir, write under DIR/NAME"),
        Flag::optional(
            "dry-run",
            "unset",
            "MODE",
            "client (the default); server is not supported (it needs a cluster)",
        ),
        Flag::value(
            "post-renderer",
            "PLUGIN",
            "not supported: helmet runs no plugins",
        )
        .checked(check_post_renderer),
        Flag::list("post-renderer-args", "ARG", "arguments for --post-renderer"),
    ]);
    flags
}

/// Go's text for a failed `os.ReadFile(path)`.
fn read_file_error(path: &str) -> Option<String> {
    let error = std::fs::read(path).err()?;
    Some(helmet_value::oserror::read_file_error(path, &error))
}

/// Helm's template and package commands make a registry client before anything else; with
/// `--cert-file` and `--key-file`, `--ca-file` or `--insecure-skip-tls-verify` it reads the
/// TLS files, and a file it cannot read fails the command even for a local chart. (The
/// contents are not checked here: a file that is not PEM passes, where Helm would fail.)
pub fn check_registry_tls(parsed: &Parsed) -> Result<(), String> {
    let cert = parsed.value("cert-file").unwrap_or_default();
    let key = parsed.value("key-file").unwrap_or_default();
    let ca = parsed.value("ca-file").unwrap_or_default();
    let with_tls = (!cert.is_empty() && !key.is_empty())
        || !ca.is_empty()
        || parsed.switch("insecure-skip-tls-verify");
    if !with_tls {
        return Ok(());
    }
    let mut errors = Vec::new();
    if !cert.is_empty() || !key.is_empty() {
        if let Some(e) = read_file_error(&cert) {
            errors.push(format!("unable to read cert file: {}: {e}", quote(&cert)));
        } else if let Some(e) = read_file_error(&key) {
            errors.push(format!("unable to read key file: {}: {e}", quote(&key)));
        }
    }
    if !ca.is_empty() {
        if let Some(e) = read_file_error(&ca) {
            errors.push(format!("can't read CA file: {}: {e}", quote(&ca)));
        }
    }
    if errors.is_empty() {
        return Ok(());
    }
    Err(format!(
        "missing registry client: can't create TLS config for client: {}",
        errors.join("\n")
    ))
}

/// Cobra's mutually exclusive flag groups of `helm template`, in the order cobra checks them
/// (sorted by the group's name): the first group with two flags set fails.
pub fn check_template_groups(parsed: &Parsed) -> Result<(), String> {
    for group in [
        &["force", "force-conflicts"][..],
        &["force-replace", "force-conflicts"],
        &["validate", "dry-run"],
    ] {
        let mut set: Vec<&str> = group
            .iter()
            .copied()
            .filter(|f| parsed.changed(f))
            .collect();
        if set.len() > 1 {
            set.sort_unstable();
            return Err(format!(
                "if any flags in the group [{}] are set none of the others can be; [{}] were all set",
                group.join(" "),
                set.join(" ")
            ));
        }
    }
    Ok(())
}

/// What `--dry-run` (and `--validate`) ask of `helm template`: `Ok(true)` for a client-side
/// render, `Ok(false)` for a server-side one; `notes` gets Helm's warnings.
pub fn dry_run_client(parsed: &Parsed, notes: &mut Vec<String>) -> Result<bool, String> {
    let value = parsed
        .value("dry-run")
        .unwrap_or_else(|| "client".to_string());
    let client = match value.as_str() {
        "unset" => {
            notes.push(slog_warn(
                "--dry-run is deprecated and should be replaced with '--dry-run=client'",
                &[],
            ));
            true
        }
        "client" => true,
        "server" => false,
        "none" => {
            return Err(format!(
                "invalid dry-run value ({}). Must be \"server\" or \"client\"",
                quote(&value)
            ))
        }
        other => match parse_bool(other) {
            None => {
                return Err(format!(
                    "invalid dry-run value ({}). Must be \"none\", \"server\", or \"client\"",
                    quote(other)
                ))
            }
            Some(false) => {
                return Err(format!(
                    "invalid dry-run value ({}). Must be \"server\" or \"client\"",
                    quote(other)
                ))
            }
            Some(true) => {
                notes.push(slog_warn(
                    &format!("boolean '--dry-run={other}' flag is deprecated and must be replaced with '--dry-run=client'"),
                    &[],
                ));
                true
            }
        },
    };
    // The deprecated --validate asks for a server-side dry run.
    Ok(client && !parsed.switch("validate"))
}

/// Helm's release storage labels, which `--labels` may not use.
const SYSTEM_LABELS: [&str; 6] = [
    "name",
    "owner",
    "status",
    "version",
    "createdAt",
    "modifiedAt",
];

/// `--labels`: they only go into the release record, which `helm template` does not print, but
/// Helm refuses Helm's own label names.
pub fn check_labels(parsed: &Parsed) -> Result<(), String> {
    if parsed
        .map("labels")
        .iter()
        .any(|(key, _)| SYSTEM_LABELS.contains(&key.as_str()))
    {
        return Err(format!(
            "user supplied labels contains system reserved label name. System labels: [{}]",
            SYSTEM_LABELS.join(" ")
        ));
    }
    Ok(())
}

/// Helm's `LocateChart` for the chart argument: a local folder or archive is used as it is
/// (`--version` and `--devel` are ignored for it, as in Helm); `--verify` of a local chart is
/// checked as far as Helm goes before reading keys; anything Helm would download fails by name.
pub fn locate_chart(chart: &str, parsed: &Parsed) -> Result<(), String> {
    if let Some(url) = parsed.value("repo").filter(|u| !u.is_empty()) {
        return Err(format!(
            "cannot fetch chart {} from repository {}: helmet reads local charts only (--repo is not supported)",
            quote(chart),
            quote(&url)
        ));
    }
    let name = chart.trim();
    let path = Path::new(name);
    if path.exists() {
        if parsed.switch("verify") {
            if path.is_dir() {
                return Err("unpacked charts cannot be verified".to_string());
            }
            let is_tgz = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("tgz"));
            if !is_tgz {
                return Err("chart must be a tgz file".to_string());
            }
            let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
            let prov = format!("{}.prov", absolute.display());
            if !Path::new(&prov).exists() {
                return Err(format!(
                    "could not load provenance file {prov}: stat {prov}: no such file or directory"
                ));
            }
            return Err(
                "--verify is not supported by helmet: provenance signatures are not checked"
                    .to_string(),
            );
        }
        return Ok(());
    }
    if path.is_absolute() || name.starts_with('.') {
        return Err(format!("path {} not found", quote(name)));
    }
    if name.starts_with("oci://") {
        return Err(format!(
            "cannot pull chart {}: helmet reads local charts only (OCI registries are not supported)",
            quote(name)
        ));
    }
    Err(format!(
        "chart {} is not a local folder or archive, and helmet reads local charts only (chart repositories are not supported)",
        quote(name)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slog_quotes_as_go() {
        assert_eq!(
            slog_warn("command failed", &[("error", "bad \"x\"")]),
            "level=WARN msg=\"command failed\" error=\"bad \\\"x\\\"\""
        );
        assert_eq!(
            slog_warn("plain", &[("k", "")]),
            "level=WARN msg=plain k=\"\""
        );
    }
}
