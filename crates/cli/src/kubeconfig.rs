//! The release namespace as Helm's settings find it (`EnvSettings.Namespace`): `-n` or
//! `$HELM_NAMESPACE`, else the namespace of the kubeconfig context in use, else, inside a pod,
//! the pod's namespace, else `default`. Helm asks client-go's deferred kubeconfig loader; this
//! follows the parts of it that decide the namespace: which files are read and merged, which
//! context is used, and the checks (`ConfirmUsable`) whose failure makes Helm fall back to
//! `default`. helmet contacts no cluster; nothing else of the kubeconfig is used.

use std::path::{Path, PathBuf};

use helmet_value::Value;

use crate::flags::Parsed;

/// Where a pod finds its service account (client-go's in-cluster config).
const SERVICE_ACCOUNT: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// The release namespace for the parsed global flags.
pub fn namespace(parsed: &Parsed) -> String {
    // Helm's variable starts as $HELM_NAMESPACE and -n replaces it; client-go treats a
    // non-empty value as the override.
    let wanted = match parsed.value("namespace") {
        Some(ns) => ns,
        None => std::env::var("HELM_NAMESPACE").unwrap_or_default(),
    };
    if !wanted.is_empty() {
        return wanted;
    }
    // Any failure of the loader makes Helm use its own variable, which is empty here.
    from_kubeconfig(parsed).unwrap_or_else(|| "default".to_string())
}

/// One kubeconfig file, read as client-go reads it (YAML through JSON), with relative file
/// paths resolved against the file's folder.
struct KubeConfig {
    current_context: String,
    /// Entries of `contexts`, `clusters` and `users`: name and body.
    contexts: Vec<(String, Value)>,
    clusters: Vec<(String, Value)>,
    users: Vec<(String, Value)>,
    folder: PathBuf,
}

/// A global string flag, its default taken from Helm's environment variable.
fn setting(parsed: &Parsed, flag: &str, env: &str) -> String {
    parsed
        .value(flag)
        .unwrap_or_else(|| std::env::var(env).unwrap_or_default())
}

/// `--kube-insecure-skip-tls-verify`, defaulting to `$HELM_KUBEINSECURE_SKIP_TLS_VERIFY`.
fn insecure(parsed: &Parsed) -> bool {
    if parsed.changed("kube-insecure-skip-tls-verify") {
        return parsed.switch("kube-insecure-skip-tls-verify");
    }
    std::env::var("HELM_KUBEINSECURE_SKIP_TLS_VERIFY")
        .ok()
        .and_then(|v| crate::flags::parse_bool(&v))
        .unwrap_or(false)
}

/// `--kube-as-group`, defaulting to the comma-separated `$HELM_KUBEASGROUPS`.
fn as_groups(parsed: &Parsed) -> Vec<String> {
    if parsed.changed("kube-as-group") {
        return parsed.list("kube-as-group");
    }
    let env = std::env::var("HELM_KUBEASGROUPS").unwrap_or_default();
    let trimmed = env.trim_matches([',', ' ']);
    if trimmed.is_empty() {
        return Vec::new();
    }
    trimmed.split(',').map(str::to_string).collect()
}

fn named_list(doc: &Value, key: &str, body: &str) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    if let Some(items) = doc
        .map_get(key)
        .as_ref()
        .and_then(|v| v.as_list().map(<[Value]>::to_vec))
    {
        for item in items {
            let name = text(&item, "name");
            out.push((name, item.map_get(body).unwrap_or(Value::Nil)));
        }
    }
    out
}

/// A string field (absent or not a string: empty, as Go's zero value).
fn text(v: &Value, key: &str) -> String {
    v.map_get(key)
        .and_then(|f| f.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn read(path: &Path) -> Result<KubeConfig, ()> {
    let src = std::fs::read_to_string(path).map_err(|_| ())?;
    let doc = helmet_yaml::from_str(&src).map_err(|_| ())?;
    Ok(KubeConfig {
        current_context: text(&doc, "current-context"),
        contexts: named_list(&doc, "contexts", "context"),
        clusters: named_list(&doc, "clusters", "cluster"),
        users: named_list(&doc, "users", "user"),
        folder: path.parent().map(Path::to_path_buf).unwrap_or_default(),
    })
}

/// The merged view of the files: the first file that names a context, a cluster or a user
/// wins it, and the first non-empty `current-context` wins (client-go's merge order).
struct Merged {
    current_context: String,
    contexts: Vec<(String, Value, PathBuf)>,
    clusters: Vec<(String, Value, PathBuf)>,
    users: Vec<(String, Value, PathBuf)>,
}

fn merge(files: Vec<KubeConfig>) -> Merged {
    let mut merged = Merged {
        current_context: String::new(),
        contexts: Vec::new(),
        clusters: Vec::new(),
        users: Vec::new(),
    };
    fn add(into: &mut Vec<(String, Value, PathBuf)>, from: Vec<(String, Value)>, folder: &Path) {
        for (name, body) in from {
            if !into.iter().any(|(n, _, _)| *n == name) {
                into.push((name, body, folder.to_path_buf()));
            }
        }
    }
    for file in files {
        if merged.current_context.is_empty() {
            merged.current_context = file.current_context.clone();
        }
        add(&mut merged.contexts, file.contexts, &file.folder);
        add(&mut merged.clusters, file.clusters, &file.folder);
        add(&mut merged.users, file.users, &file.folder);
    }
    merged
}

fn find<'a>(
    list: &'a [(String, Value, PathBuf)],
    name: &str,
) -> Option<&'a (String, Value, PathBuf)> {
    list.iter().find(|(n, _, _)| n == name)
}

/// A file path of the kubeconfig, relative ones taken from the file's folder.
fn resolve(folder: &Path, path: &str) -> PathBuf {
    let p = Path::new(path);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        folder.join(p)
    }
}

/// The files client-go reads: `--kubeconfig` alone (it must exist), else each file of
/// `$KUBECONFIG` that exists, else `~/.kube/config` when it exists.
fn files(parsed: &Parsed) -> Result<Vec<KubeConfig>, ()> {
    if let Some(explicit) = parsed.value("kubeconfig").filter(|p| !p.is_empty()) {
        return Ok(vec![read(Path::new(&explicit))?]);
    }
    let env = std::env::var("KUBECONFIG").unwrap_or_default();
    let paths: Vec<PathBuf> = if env.is_empty() {
        std::env::var_os("HOME")
            .map(|home| vec![PathBuf::from(home).join(".kube/config")])
            .unwrap_or_default()
    } else {
        std::env::split_paths(&env)
            .filter(|p| !p.as_os_str().is_empty())
            .collect()
    };
    let mut out = Vec::new();
    for path in paths {
        if path.exists() {
            out.push(read(&path)?);
        }
    }
    Ok(out)
}

/// `ConfirmUsable` of the context in use, as far as it can fail: the context must exist, the
/// cluster's CA file and the user's client certificate files must be readable, and the user
/// must not name two ways to log in or impersonation groups without a user.
fn usable(merged: &Merged, context_name: &str, parsed: &Parsed) -> bool {
    let context = find(&merged.contexts, context_name);
    if !context_name.is_empty() && context.is_none() {
        return false;
    }
    let body = context.map(|(_, b, _)| b.clone()).unwrap_or(Value::Nil);
    let cluster = find(&merged.clusters, &text(&body, "cluster"));
    let ca_override = setting(parsed, "kube-ca-file", "HELM_KUBECAFILE");
    if ca_override.is_empty() && !insecure(parsed) {
        if let Some((_, cluster, folder)) = cluster {
            let ca = text(cluster, "certificate-authority");
            if !ca.is_empty() {
                if !text(cluster, "certificate-authority-data").is_empty() {
                    return false;
                }
                if std::fs::File::open(resolve(folder, &ca)).is_err() {
                    return false;
                }
            }
        }
    } else if !ca_override.is_empty() && std::fs::File::open(&ca_override).is_err() {
        return false;
    }
    let user = find(&merged.users, &text(&body, "user"));
    let (user_body, folder) = match user {
        Some((_, b, f)) => (b.clone(), f.clone()),
        None => (Value::Nil, PathBuf::new()),
    };
    let token = Some(setting(parsed, "kube-token", "HELM_KUBETOKEN"))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| text(&user_body, "token"));
    let mut methods = 0;
    if !token.is_empty() {
        methods += 1;
    }
    if !text(&user_body, "username").is_empty() || !text(&user_body, "password").is_empty() {
        methods += 1;
    }
    let cert = text(&user_body, "client-certificate");
    let cert_data = text(&user_body, "client-certificate-data");
    let key = text(&user_body, "client-key");
    let key_data = text(&user_body, "client-key-data");
    if !cert.is_empty() || !cert_data.is_empty() {
        methods += 1;
        if (!cert.is_empty() && !cert_data.is_empty())
            || (!key.is_empty() && !key_data.is_empty())
            || (key.is_empty() && key_data.is_empty())
        {
            return false;
        }
        for file in [&cert, &key] {
            if !file.is_empty() && std::fs::File::open(resolve(&folder, file)).is_err() {
                return false;
            }
        }
    }
    if methods > 1 && text(&user_body, "auth-path").is_empty() {
        return false;
    }
    if let Some(exec) = user_body
        .map_get("exec")
        .filter(|e| !matches!(e, Value::Nil))
    {
        if text(&exec, "command").is_empty()
            || text(&exec, "apiVersion").is_empty()
            || user_body
                .map_get("auth-provider")
                .is_some_and(|p| !matches!(p, Value::Nil))
        {
            return false;
        }
    }
    let as_user = Some(setting(parsed, "kube-as-user", "HELM_KUBEASUSER"))
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| text(&user_body, "as"));
    let groups = !as_groups(parsed).is_empty()
        || user_body
            .map_get("as-groups")
            .is_some_and(|g| g.as_list().is_some_and(|l| !l.is_empty()));
    !(groups && as_user.is_empty())
}

/// The namespace the kubeconfig (or the pod) gives, or `None` when client-go's loader fails.
fn from_kubeconfig(parsed: &Parsed) -> Option<String> {
    let merged = merge(files(parsed).ok()?);
    let context_name = Some(setting(parsed, "kube-context", "HELM_KUBECONTEXT"))
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| merged.current_context.clone());
    if !usable(&merged, &context_name, parsed) {
        return None;
    }
    let explicit = find(&merged.contexts, &context_name)
        .map(|(_, body, _)| text(body, "namespace"))
        .unwrap_or_default();
    if !explicit.is_empty() && (explicit != "default" || !in_cluster()) {
        return Some(explicit);
    }
    if explicit == "default" || !in_cluster() {
        return Some("default".to_string());
    }
    Some(pod_namespace())
}

/// Whether client-go would use the in-cluster config (running in a pod).
fn in_cluster() -> bool {
    let set = |name: &str| std::env::var(name).is_ok_and(|v| !v.is_empty());
    set("KUBERNETES_SERVICE_HOST")
        && set("KUBERNETES_SERVICE_PORT")
        && Path::new(SERVICE_ACCOUNT).join("token").is_file()
}

/// The pod's namespace: `$POD_NAMESPACE`, else the service account's namespace file.
fn pod_namespace() -> String {
    if let Ok(ns) = std::env::var("POD_NAMESPACE") {
        if !ns.is_empty() {
            return ns;
        }
    }
    std::fs::read_to_string(Path::new(SERVICE_ACCOUNT).join("namespace"))
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "default".to_string())
}
