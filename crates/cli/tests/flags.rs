//! Helm's flags through the built `helmet` binary.
//!
//! Flags that have no effect on `helm template`'s output (they matter only when Helm installs
//! into a cluster or downloads a chart) are checked against the goldens real Helm printed
//! without them (`fixtures/charts/*/goldens`, `fixtures/lint/goldens`): Helm's source shows they
//! change nothing there, and the reference renderer does not take them. `--skip-schema-validation`
//! is checked against Helm's output for the chart without its schema files
//! (`scripts/refresh-cli-flag-goldens`). Help texts and the failures of flags helmet cannot
//! follow are helmet's own words: insta snapshots.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn chart(name: &str) -> PathBuf {
    root().join("fixtures/charts").join(name)
}

/// Runs helmet in `dir`: standard output, standard error, exit code. No kubeconfig, namespace
/// variable or pod around it decides the namespace.
fn helmet(dir: &Path, args: &[&str]) -> (String, String, i32) {
    helmet_env(dir, args, &[])
}

/// [`helmet`] with environment variables.
fn helmet_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (String, String, i32) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_helmet"));
    command
        .current_dir(dir)
        .args(args)
        .env_remove("HELM_NAMESPACE")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .env_remove("POD_NAMESPACE")
        .env_remove("HELM_KUBECONTEXT")
        .env_remove("HELM_KUBEASGROUPS")
        .env_remove("HELM_KUBEASUSER")
        .env_remove("HELM_DEBUG")
        .env("KUBECONFIG", "/nonexistent/kubeconfig");
    for (key, value) in env {
        command.env(key, value);
    }
    let out = command.output().expect("helmet runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Flags `helm template` accepts without any change to what it prints, in the forms pflag reads.
const NO_EFFECT: &[&[&str]] = &[
    // klog's hidden flags, as Helm adds them.
    &[
        "-v",
        "5",
        "--logtostderr",
        "--alsologtostderr=false",
        "--vmodule=a=1,b=2",
    ],
    &[
        "--log-backtrace-at=x.go:3",
        "--stderrthreshold=warning",
        "--log-file-max-size",
        "0x10",
    ],
    &[
        "--v=2",
        "--log-dir",
        "d",
        "--log-file=f",
        "--skip-headers",
        "--one-output=1",
    ],
    &[
        "--create-namespace",
        "--force-replace",
        "--server-side=false",
        "--replace",
    ],
    &[
        "--timeout",
        "5m0s",
        "--timeout=1h2m3.5s",
        "--wait",
        "--wait-for-jobs",
    ],
    &["--wait=legacy", "--wait=hookOnly", "--wait=true"],
    &[
        "--dry-run=client",
        "--description",
        "a release",
        "-l",
        "team=a,tier=b",
    ],
    &[
        "--labels=x=y",
        "--labels",
        "\"z=1\"",
        "--devel",
        "--version",
        "9.9.9",
    ],
    &[
        "--disable-openapi-validation",
        "--rollback-on-failure",
        "--skip-crds",
    ],
    &["--take-ownership", "--force-conflicts", "--validate=false"],
    &[
        "--atomic",
        "--force",
        "--hide-notes",
        "--render-subchart-notes",
    ],
    &[
        "--post-renderer=",
        "--post-renderer-args",
        "x",
        "--dependency-update",
    ],
    &[
        "--username",
        "u",
        "--password",
        "p",
        "--pass-credentials",
        "--cert-file",
        "c",
    ],
    &["--key-file", "k", "--plain-http"],
    &["--insecure-skip-tls-verify"],
    &[
        "--keyring",
        "/nonexistent/pubring.gpg",
        "--verify=false",
        "--enable-dns=false",
    ],
    &[
        "--kubeconfig",
        "/nonexistent",
        "--kube-context",
        "c",
        "--kube-token",
        "t",
    ],
    &[
        "--kube-as-user",
        "u",
        "--kube-as-group",
        "g",
        "--kube-as-group=h",
    ],
    &[
        "--kube-apiserver",
        "https://k8s.invalid",
        "--kube-ca-file",
        "f",
    ],
    &[
        "--kube-tls-server-name",
        "n",
        "--kube-insecure-skip-tls-verify",
    ],
    &[
        "--registry-config",
        "r",
        "--repository-config",
        "r",
        "--repository-cache",
        "r",
    ],
    &[
        "--content-cache",
        "c",
        "--burst-limit",
        "0x20",
        "--qps",
        "2.5",
        "--debug=false",
    ],
    &["--color", "never", "--colour=always", "--color=auto"],
];

#[test]
fn flags_without_effect_change_nothing() {
    for name in ["todo-app", "render-hooks", "values-schema"] {
        let dir = chart(name);
        let want = read(&dir.join("goldens/default.out"));
        for flags in NO_EFFECT {
            let mut args = vec!["template", "release-name", "."];
            args.extend_from_slice(flags);
            let (stdout, stderr, code) = helmet(&dir, &args);
            assert_eq!(code, 0, "{name} {flags:?}: {stderr}");
            assert_eq!(stdout, want, "{name} {flags:?}");
        }
        // Global flags may come before the command, as cobra allows.
        let (stdout, _, code) = helmet(
            &dir,
            &[
                "--kube-context",
                "c",
                "--debug",
                "template",
                "release-name",
                ".",
            ],
        );
        assert_eq!((code, stdout), (0, want), "{name}: global flags first");
    }
}

#[test]
fn dependency_update_with_dependencies_present_changes_nothing() {
    // Helm updates dependencies only when some are missing from charts/.
    for name in ["values-deps", "render-subchart"] {
        let dir = chart(name);
        let want = read(&dir.join("goldens/default.out"));
        let (stdout, stderr, code) = helmet(
            &dir,
            &["template", "release-name", ".", "--dependency-update"],
        );
        assert_eq!(
            (code, stdout.as_str()),
            (0, want.as_str()),
            "{name}: {stderr}"
        );
    }
}

#[test]
fn namespace_flag_forms_match_helm() {
    let dir = chart("render-hooks");
    let want = read(&dir.join("goldens/namespace.out"));
    for args in [
        &["template", "release-name", ".", "-n", "team-a"][..],
        &["template", "release-name", ".", "-nteam-a"],
        &["template", "release-name", ".", "--namespace=team-a"],
        &["-n", "team-a", "template", "release-name", "."],
    ] {
        let (stdout, stderr, code) = helmet(&dir, args);
        assert_eq!(
            (code, stdout.as_str()),
            (0, want.as_str()),
            "{args:?}: {stderr}"
        );
    }
}

/// A run's standard output (`CASE.out`), or its standard error and exit code (`CASE.err`,
/// `CASE.exit`), as the golden folder holds them.
fn assert_matches_golden(goldens: &Path, case: &str, (stdout, stderr, code): (&str, &str, i32)) {
    if let Ok(want) = std::fs::read_to_string(goldens.join(format!("{case}.out"))) {
        assert_eq!((code, stdout), (0, want.as_str()), "{case}: {stderr}");
    } else {
        let want = read(&goldens.join(format!("{case}.err")));
        let want_code: i32 = read(&goldens.join(format!("{case}.exit")))
            .trim()
            .parse()
            .expect("exit code");
        assert_eq!((code, stderr), (want_code, want.as_str()), "{case}");
    }
}

/// Release names: Helm's rule and the error `helm template` prints for a name that breaks it
/// (`fixtures/cli-flags/release-name`, goldens from real Helm).
#[test]
fn release_names_match_helm() {
    let cases = root().join("fixtures/cli-flags/release-name");
    let goldens = cases.join("goldens");
    assert_eq!(read(&goldens.join("HELM_VERSION")).trim(), "v4.2.3");
    let dir = chart("render-builtins");
    let mut count = 0;
    for line in read(&cases.join("cases.txt")).lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (case, release) = line.split_once(' ').expect("CASE NAME");
        let (stdout, stderr, code) = helmet(&dir, &["template", release, "."]);
        assert_matches_golden(&goldens, case, (&stdout, &stderr, code));
        count += 1;
    }
    assert_eq!(count, 8);
}

#[test]
fn skip_schema_validation_matches_helm_without_the_schema() {
    let cases = root().join("fixtures/cli-flags/skip-schema-validation");
    let goldens = cases.join("goldens");
    assert_eq!(read(&goldens.join("HELM_VERSION")).trim(), "v4.2.3");
    let dir = chart("values-schema");
    let text = read(&cases.join("cases.txt"));
    let mut count = 0;
    for line in text.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words: Vec<&str> = line.split_whitespace().collect();
        let name = words.remove(0);
        let mut args = vec!["template", "release-name", ".", "--skip-schema-validation"];
        args.extend(words);
        let (stdout, stderr, code) = helmet(&dir, &args);
        assert_matches_golden(&goldens, name, (&stdout, &stderr, code));
        count += 1;
        // Without the flag, the same values fail the schema (when the case has any).
        if name != "default" {
            let (_, stderr, code) = helmet(
                &dir,
                &args[..3]
                    .iter()
                    .chain(&args[4..])
                    .copied()
                    .collect::<Vec<_>>(),
            );
            assert_eq!(code, 1, "{name}");
            assert!(
                stderr.starts_with("Error: values don't meet"),
                "{name}: {stderr}"
            );
        }
    }
    assert_eq!(count, 4);
}

#[test]
fn lint_accepts_helm_global_flags() {
    let goldens = root().join("fixtures/lint/goldens");
    let want = read(&goldens.join("values-schema-set.stdout"));
    let (stdout, stderr, code) = helmet(
        &root(),
        &[
            "lint",
            "fixtures/lint/values-schema",
            "--set",
            "port=80",
            "--set=name=x",
            "--kube-context",
            "c",
            "--qps",
            "3",
            "--color=never",
            "--skip-schema-validation=false",
        ],
    );
    assert_eq!((code, stdout.as_str()), (0, want.as_str()), "{stderr}");
}

#[test]
fn help_is_printed_on_standard_output() {
    let dir = root();
    for (command, flag) in [
        ("", "--help"),
        ("template", "--help"),
        ("template", "-h"),
        ("render", "-h"),
        ("lint", "--help"),
        ("package", "-h"),
        ("docs", "--help"),
    ] {
        let mut args: Vec<&str> = Vec::new();
        if !command.is_empty() {
            args.push(command);
        }
        // Help wins over a missing chart argument, as in cobra.
        args.push(flag);
        let (stdout, stderr, code) = helmet(&dir, &args);
        assert_eq!((code, stderr.as_str()), (0, ""), "{args:?}");
        let name = if command.is_empty() {
            "helmet"
        } else {
            command
        };
        if flag == "--help" {
            insta::assert_snapshot!(format!("help_{name}"), stdout);
        }
        // `helmet help COMMAND` is the same text.
        if !command.is_empty() {
            let (again, _, code) = helmet(&dir, &["help", command]);
            assert_eq!((code, again), (0, stdout), "help {command}");
        }
    }
}

/// Runs each command line in `dir` and shows exit code and standard error, for a snapshot.
fn failures(dir: &Path, lines: &[&[&str]]) -> String {
    let mut out = String::new();
    for args in lines {
        let (stdout, stderr, code) = helmet(dir, args);
        assert!(stdout.is_empty(), "{args:?} printed {stdout}");
        // Log lines of the loader carry the time; keep only what the flags decide.
        let stderr: String = stderr
            .lines()
            .filter(|l| !l.contains(" INFO "))
            .map(|l| format!("{l}\n"))
            .collect();
        out.push_str(&format!(
            "$ helmet {}\nexit {code}\n{stderr}\n",
            args.join(" ")
        ));
    }
    out
}

#[test]
fn flags_helmet_cannot_follow_fail_by_name() {
    let dir = chart("render-hooks");
    insta::assert_snapshot!(failures(
        &dir,
        &[
            &["template", ".", "--dry-run=server"],
            &["template", ".", "--validate"],
            &["template", ".", "--enable-dns"],
            &["template", ".", "--post-renderer", "kustomize"],
            &[
                "template",
                ".",
                "--repo",
                "https://charts.invalid",
                "--version",
                "1.0.0"
            ],
            &["template", "oci://registry.invalid/charts/app"],
            &["template", "example/app"],
            &["template", ".", "--verify"],
            &["template", "./missing"],
            &["package", ".", "--sign", "--key", "me"],
            &["template", "../render-missing-dep", "--dependency-update"],
        ],
    ));
}

#[test]
fn flag_errors_as_helm_words_them() {
    // Texts from pflag's, cobra's and Helm's sources (the reference renderer parses no flags).
    let dir = chart("render-hooks");
    insta::assert_snapshot!(failures(
        &dir,
        &[
            &["template"],
            &["lint"],
            &["render"],
            &["template", ".", "--nope"],
            &["template", ".", "-gx"],
            &["template", ".", "--timeout", "5"],
            &["template", ".", "--timeout=5d"],
            &["template", ".", "--wait=forever"],
            &["template", ".", "--dry-run=none"],
            &["template", ".", "--dry-run=maybe"],
            &["template", ".", "--validate", "--dry-run=client"],
            &["template", ".", "--force", "--force-conflicts"],
            &["template", ".", "-l", "team"],
            &["template", ".", "--labels", "owner=me"],
            &["template", ".", "--burst-limit", "many"],
            &["template", ".", "--qps=1e40"],
            &["template", ".", "--color", "sometimes"],
            &["template", ".", "--create-namespace=yes"],
            &["template", ".", "--skip-tests", "-n"],
            &["package", ".", "--sign"],
            &["tempalte", "."],
            &["lin"],
            &["frobnicate"],
            &["template", ".", "-v", "x"],
            &["template", ".", "--logtostderr=maybe"],
            &["template", ".", "--vmodule=a"],
            &["template", ".", "--ca-file", "/nonexistent/ca.pem"],
            &[
                "template",
                ".",
                "--cert-file",
                "c.pem",
                "--key-file",
                "k.pem",
                "--ca-file",
                "templates"
            ],
            &[
                "template",
                ".",
                "--cert-file",
                "Chart.yaml",
                "--insecure-skip-tls-verify"
            ],
            &["package", ".", "--ca-file", "/nonexistent/ca.pem"],
        ],
    ));
}

/// A kubeconfig whose current context sets the namespace `team-a` (the namespace of the
/// render-hooks `namespace` golden), with contexts that do not.
const KUBECONFIG: &str = "\
apiVersion: v1
kind: Config
current-context: team
contexts:
- name: team
  context: {cluster: local, user: me, namespace: team-a}
- name: plain
  context: {cluster: local, user: me}
- name: broken
  context: {cluster: missing-ca, user: me, namespace: team-a}
- name: two-logins
  context: {cluster: local, user: two, namespace: team-a}
clusters:
- name: local
  cluster: {server: \"https://127.0.0.1:6443\"}
- name: missing-ca
  cluster: {server: \"https://127.0.0.1:6443\", certificate-authority: no-such-ca.crt}
users:
- name: me
  user: {token: abc}
- name: two
  user: {token: abc, username: u, password: p}
";

#[test]
fn namespace_comes_from_the_kubeconfig_context_as_in_helm() {
    // Helm's settings ask client-go for the namespace: -n or $HELM_NAMESPACE, else the
    // context's, else default; a context client-go finds unusable gives default.
    let dir = chart("render-hooks");
    let team = read(&dir.join("goldens/namespace.out"));
    let default = read(&dir.join("goldens/default.out"));
    let tmp = std::env::temp_dir().join(format!("helmet-kubeconfig-{}", std::process::id()));
    std::fs::create_dir_all(tmp.join(".kube")).expect("temp dir");
    let file = tmp.join("config.yaml");
    std::fs::write(&file, KUBECONFIG).expect("kubeconfig written");
    std::fs::write(tmp.join(".kube/config"), KUBECONFIG).expect("kubeconfig written");
    let file = file.to_str().expect("UTF-8 path");
    let tmp_str = tmp.to_str().expect("UTF-8 path");
    let list = format!("/nonexistent/a:{file}");
    let base = ["template", "release-name", "."];
    type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (vec!["--kubeconfig", file], vec![], &team),
        (vec![], vec![("KUBECONFIG", list.as_str())], &team),
        (vec![], vec![("KUBECONFIG", ""), ("HOME", tmp_str)], &team),
        (
            vec!["--kubeconfig", file, "--kube-context", "plain"],
            vec![],
            &default,
        ),
        (
            vec!["--kubeconfig", file, "--kube-context", "broken"],
            vec![],
            &default,
        ),
        (
            vec!["--kubeconfig", file, "--kube-context", "two-logins"],
            vec![],
            &default,
        ),
        (
            vec!["--kubeconfig", file, "--kube-context", "missing"],
            vec![],
            &default,
        ),
        (
            vec!["--kubeconfig", file, "--kube-as-group", "g"],
            vec![],
            &default,
        ),
        (
            vec![
                "--kubeconfig",
                file,
                "--kube-as-group",
                "g",
                "--kube-as-user",
                "u",
            ],
            vec![],
            &team,
        ),
        (
            vec!["--kubeconfig", "/nonexistent/config"],
            vec![],
            &default,
        ),
        (
            vec!["--kubeconfig", file, "-n", "default"],
            vec![],
            &default,
        ),
        (
            vec!["--kube-context", "plain", "-n", "team-a"],
            vec![],
            &team,
        ),
        (
            vec!["--kubeconfig", file],
            vec![("HELM_NAMESPACE", "default")],
            &default,
        ),
        (
            vec!["--kubeconfig", file],
            vec![("HELM_KUBECONTEXT", "plain")],
            &default,
        ),
        (
            vec!["--kubeconfig", file],
            vec![("HELM_KUBEASGROUPS", ",g,")],
            &default,
        ),
        (
            vec!["--kubeconfig", file, "--kube-context", "team"],
            vec![("HELM_KUBECONTEXT", "plain")],
            &team,
        ),
    ];
    for (flags, env, want) in cases {
        let mut args = base.to_vec();
        args.extend(&flags);
        let (stdout, stderr, code) = helmet_env(&dir, &args, &env);
        assert_eq!(
            (code, stdout.as_str()),
            (0, want),
            "{flags:?} {env:?}: {stderr}"
        );
    }
    let _ = std::fs::remove_dir_all(&tmp);
}
