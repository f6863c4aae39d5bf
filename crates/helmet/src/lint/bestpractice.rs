//! Beyond Helm (`--rules best-practice`): checks on the rendered objects that Helm's linter
//! does not make, each with its own id so it can be switched off per chart
//! (`.helmet-lint.yaml`: `disable: [ID, ...]`) or per file (`# helmet-lint-disable ID`).
//!
//! Ids: `resources-missing`, `probes-missing`, `run-as-root`, `privileged`,
//! `image-latest-tag`, `hardcoded-namespace`, `secret-in-values`, `selector-mismatch`,
//! `service-target-port`.

use helmet_value::strconv::quote;
use std::sync::Arc;

use helmet_value::{Map, Value};

use super::{Linter, Severity};

/// Every best-practice rule id.
pub const RULES: &[&str] = &[
    "resources-missing",
    "probes-missing",
    "run-as-root",
    "privileged",
    "image-latest-tag",
    "hardcoded-namespace",
    "secret-in-values",
    "selector-mismatch",
    "service-target-port",
];

/// One rendered object with the template it came from.
pub struct Rendered {
    /// The template (`templates/x.yaml`).
    pub file: String,
    /// The whole document.
    pub doc: Value,
}

fn get(v: &Value, path: &[&str]) -> Option<Value> {
    let mut cur = v.clone();
    for key in path {
        cur = cur.map_get(key)?;
    }
    Some(cur)
}

fn text(v: &Value, path: &[&str]) -> String {
    get(v, path)
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn items(v: Option<Value>) -> Vec<Value> {
    v.and_then(|v| v.as_list().map(<[Value]>::to_vec))
        .unwrap_or_default()
}

/// The pod spec of a workload, with the path to its pod template's labels.
fn pod_spec(doc: &Value) -> Option<(Value, Option<Arc<Map>>)> {
    let kind = text(doc, &["kind"]);
    match kind.as_str() {
        "Pod" => Some((
            get(doc, &["spec"])?,
            get(doc, &["metadata", "labels"]).and_then(|v| v.as_map()),
        )),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => Some((
            get(doc, &["spec", "template", "spec"])?,
            get(doc, &["spec", "template", "metadata", "labels"]).and_then(|v| v.as_map()),
        )),
        "CronJob" => Some((
            get(doc, &["spec", "jobTemplate", "spec", "template", "spec"])?,
            get(
                doc,
                &[
                    "spec",
                    "jobTemplate",
                    "spec",
                    "template",
                    "metadata",
                    "labels",
                ],
            )
            .and_then(|v| v.as_map()),
        )),
        _ => None,
    }
}

fn is_long_running(kind: &str) -> bool {
    matches!(
        kind,
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet"
    )
}

/// Label values compare as the text Kubernetes would see.
fn same_scalar(a: &Value, b: &Value) -> bool {
    match (
        helmet_yaml::go_string_field(a),
        helmet_yaml::go_string_field(b),
    ) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

fn is_true(v: Option<Value>) -> bool {
    matches!(v, Some(Value::Bool(true)))
}

fn number(v: Option<Value>) -> Option<f64> {
    match v? {
        Value::Int(i) => Some(i as f64),
        Value::Int64(i) => Some(i as f64),
        Value::Uint64(u) => Some(u as f64),
        Value::Float64(f) => Some(f),
        _ => None,
    }
}

/// Checks every container of every workload, and services against the pods they select.
pub fn check_objects(linter: &mut Linter, objects: &[Rendered], namespace: &str) {
    for obj in objects {
        let file = obj.file.as_str();
        let doc = &obj.doc;
        let kind = text(doc, &["kind"]);
        let name = text(doc, &["metadata", "name"]);
        let ns = text(doc, &["metadata", "namespace"]);
        if !ns.is_empty() && ns != namespace {
            linter.check(
                "hardcoded-namespace",
                Severity::Warning,
                file,
                Err(format!(
                    "{kind} {} sets namespace {} instead of the release's; use .Release.Namespace",
                    quote(&name),
                    quote(&ns)
                )),
            );
        }
        let Some((spec, labels)) = pod_spec(doc) else {
            continue;
        };
        let pod_non_root = is_true(get(&spec, &["securityContext", "runAsNonRoot"]));
        let pod_user = number(get(&spec, &["securityContext", "runAsUser"]));
        for c in &items(spec.map_get("containers")) {
            let cname = quote(&text(c, &["name"]));
            let resources = get(c, &["resources"]);
            let has_resources = resources.is_some_and(|r| {
                ["limits", "requests"].iter().any(|k| {
                    r.map_get(k)
                        .and_then(|m| m.as_map())
                        .is_some_and(|m| !m.is_empty())
                })
            });
            if !has_resources {
                linter.check(
                    "resources-missing",
                    Severity::Warning,
                    file,
                    Err(format!(
                        "container {cname} of {kind} {} has no resource requests or limits",
                        quote(&name)
                    )),
                );
            }
            if is_long_running(&kind)
                && get(c, &["livenessProbe"]).is_none()
                && get(c, &["readinessProbe"]).is_none()
            {
                linter.check(
                    "probes-missing",
                    Severity::Warning,
                    file,
                    Err(format!(
                        "container {cname} of {kind} {} has no liveness or readiness probe",
                        quote(&name)
                    )),
                );
            }
            let non_root = match get(c, &["securityContext", "runAsNonRoot"]) {
                Some(Value::Bool(b)) => b,
                _ => pod_non_root,
            };
            let user = number(get(c, &["securityContext", "runAsUser"])).or(pod_user);
            if user == Some(0.0) || (!non_root && user.is_none_or(|u| u == 0.0)) {
                linter.check(
                    "run-as-root",
                    Severity::Warning,
                    file,
                    Err(format!(
                        "container {cname} of {kind} {} may run as root; set securityContext.runAsNonRoot: true and a non-zero runAsUser",
                        quote(&name)
                    )),
                );
            }
            if is_true(get(c, &["securityContext", "privileged"])) {
                linter.check(
                    "privileged",
                    Severity::Error,
                    file,
                    Err(format!(
                        "container {cname} of {kind} {} runs privileged",
                        quote(&name)
                    )),
                );
            }
            let image = text(c, &["image"]);
            if !image.is_empty() && !image.contains('@') {
                let last = image.rsplit('/').next().unwrap_or(&image);
                let tag = last.split_once(':').map(|(_, t)| t);
                if tag.is_none_or(|t| t == "latest" || t.is_empty()) {
                    linter.check(
                        "image-latest-tag",
                        Severity::Warning,
                        file,
                        Err(format!(
                            "container {cname} of {kind} {} uses image {} without a pinned tag",
                            quote(&name),
                            quote(&image)
                        )),
                    );
                }
            }
        }
        if matches!(
            kind.as_str(),
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet"
        ) {
            if let Some(selector) =
                get(doc, &["spec", "selector", "matchLabels"]).and_then(|v| v.as_map())
            {
                let matches = selector.iter().all(|(k, v)| {
                    labels
                        .as_ref()
                        .and_then(|l| l.get(k))
                        .is_some_and(|lv| same_scalar(lv, v))
                });
                if !matches {
                    linter.check(
                        "selector-mismatch",
                        Severity::Error,
                        file,
                        Err(format!(
                            "the selector of {kind} {} does not match its pod template's labels",
                            quote(&name)
                        )),
                    );
                }
            }
        }
    }
    check_services(linter, objects);
}

/// Each service port's `targetPort` should be a port a selected container declares.
fn check_services(linter: &mut Linter, objects: &[Rendered]) {
    for svc in objects
        .iter()
        .filter(|o| text(&o.doc, &["kind"]) == "Service")
    {
        let Some(selector) = get(&svc.doc, &["spec", "selector"]).and_then(|v| v.as_map()) else {
            continue;
        };
        if selector.is_empty() {
            continue;
        }
        let mut names: Vec<String> = Vec::new();
        let mut numbers: Vec<f64> = Vec::new();
        let mut selected = false;
        for obj in objects {
            let Some((spec, Some(labels))) = pod_spec(&obj.doc) else {
                continue;
            };
            if !selector
                .iter()
                .all(|(k, v)| labels.get(k).is_some_and(|lv| same_scalar(lv, v)))
            {
                continue;
            }
            selected = true;
            for c in &items(spec.map_get("containers")) {
                for p in &items(c.map_get("ports")) {
                    if let Some(Value::String(n)) = get(p, &["name"]) {
                        names.push(n.to_string());
                    }
                    if let Some(n) = number(get(p, &["containerPort"])) {
                        numbers.push(n);
                    }
                }
            }
        }
        if !selected {
            continue;
        }
        let svc_name = text(&svc.doc, &["metadata", "name"]);
        for port in &items(get(&svc.doc, &["spec", "ports"])) {
            let target = get(port, &["targetPort"]).or_else(|| get(port, &["port"]));
            let (ok, shown) = match target {
                Some(Value::String(s)) => match s.parse::<f64>() {
                    Ok(n) => (numbers.contains(&n), s.to_string()),
                    Err(_) => (names.iter().any(|n| **n == *s), s.to_string()),
                },
                other => match number(other) {
                    Some(n) => (numbers.contains(&n), format!("{n}")),
                    None => (true, String::new()),
                },
            };
            if !ok {
                linter.check(
                    "service-target-port",
                    Severity::Error,
                    &svc.file,
                    Err(format!(
                        "Service {} targets port {shown}, which no container it selects declares",
                        quote(&svc_name)
                    )),
                );
            }
        }
    }
}

const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "privatekey",
    "private_key",
];

/// Values keys that look like credentials and hold a literal (non-empty) string.
pub fn check_values(linter: &mut Linter, values: &Value) {
    let mut found = Vec::new();
    walk_values(values, "", &mut found, 0);
    for key in found {
        linter.check(
            "secret-in-values",
            Severity::Warning,
            "values.yaml",
            Err(format!(
                "{key} holds what looks like a secret in plain text; reference an existing Secret instead"
            )),
        );
    }
}

fn walk_values(v: &Value, prefix: &str, found: &mut Vec<String>, depth: usize) {
    if depth > 64 {
        return;
    }
    let Some(map) = v.as_map() else { return };
    for (k, val) in map.iter() {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        let lower = k.to_lowercase().replace('-', "_");
        match val {
            // `existingSecret` and the like name a Secret rather than hold one.
            Value::String(s)
                if !s.is_empty()
                    && !lower.starts_with("existing")
                    && SECRET_WORDS.iter().any(|w| lower.ends_with(w)) =>
            {
                found.push(path);
            }
            Value::Map(_) => walk_values(val, &path, found, depth + 1),
            _ => {}
        }
    }
}

/// The rules switched off for a chart: `.helmet-lint.yaml`'s `disable` list.
pub fn disabled_in_chart(chart_dir: &std::path::Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(chart_dir.join(".helmet-lint.yaml")) else {
        return Vec::new();
    };
    let Ok(doc) = helmet_yaml::from_str(&text) else {
        return Vec::new();
    };
    items(get(&doc, &["disable"]))
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// The rules a file switches off with `# helmet-lint-disable ID [ID...]` comments.
pub fn disabled_in_source(source: &str) -> Vec<String> {
    source
        .lines()
        .filter_map(|l| l.split_once("helmet-lint-disable"))
        .flat_map(|(_, rest)| {
            rest.split(|c: char| c.is_whitespace() || c == ',')
                .filter(|w| {
                    !w.is_empty()
                        && !w.starts_with("}}")
                        && !w.starts_with("*/")
                        && !w.starts_with("-}}")
                })
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}
