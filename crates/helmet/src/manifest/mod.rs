//! From rendered files to an ordered release: split files into documents, read each document's
//! head (`apiVersion`, `kind`, `metadata.name`, `metadata.annotations`), separate hooks from
//! plain manifests and sort both by Helm's install order of kinds.

mod head;
mod split;

use std::collections::BTreeMap;

pub use head::{parse_head, Head};
pub use split::split_manifests;

use crate::chart::Error;

/// Helm's install order of kinds (`releaseutil.InstallOrder`); other kinds come after these,
/// sorted by name.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// The annotation that makes a document a hook.
pub const HOOK_ANNOTATION: &str = "helm.sh/hook";
/// The annotation holding a hook's weight.
pub const HOOK_WEIGHT_ANNOTATION: &str = "helm.sh/hook-weight";
/// The annotation holding a hook's delete policies.
pub const HOOK_DELETE_ANNOTATION: &str = "helm.sh/hook-delete-policy";

/// The hook events Helm knows (`test-success` is read as `test`).
pub const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
];

/// A plain (non-hook) document.
#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    /// The template path it came from, e.g. `chart/templates/service.yaml`.
    pub name: String,
    /// The document's text.
    pub content: String,
    /// Its head.
    pub head: Head,
}

/// A hook document.
#[derive(Clone, Debug, PartialEq)]
pub struct Hook {
    /// `metadata.name`
    pub name: String,
    /// `kind`
    pub kind: String,
    /// The template path it came from.
    pub path: String,
    /// The document's text.
    pub manifest: String,
    /// Its events, lower-cased, in the order written.
    pub events: Vec<String>,
    /// `helm.sh/hook-weight` as an integer (0 when absent or not a number).
    pub weight: i64,
    /// `helm.sh/hook-delete-policy` entries, lower-cased.
    pub delete_policies: Vec<String>,
}

impl Hook {
    /// Whether this is a test hook (`helm template --skip-tests` leaves it out).
    pub fn is_test(&self) -> bool {
        self.events.iter().any(|e| e == "test")
    }
}

/// The position of a kind in the install order, `None` for kinds Helm does not list.
fn kind_rank(kind: &str) -> Option<usize> {
    INSTALL_ORDER.iter().position(|k| *k == kind)
}

/// Sorts `items` as Helm's `lessByKind` orders them by the kind `kind_of` gives: listed kinds
/// by rank, then unlisted kinds by name; ties keep their order. Each kind's rank is looked up
/// once, not at every comparison (a search of the ~40 listed kinds each time).
fn sort_by_kind<T>(items: &mut Vec<T>, kind_of: impl Fn(&T) -> &str) {
    let mut ranked: Vec<(usize, T)> = items
        .drain(..)
        .map(|item| (kind_rank(kind_of(&item)).unwrap_or(usize::MAX), item))
        .collect();
    ranked.sort_by(|(rank_a, a), (rank_b, b)| {
        rank_a.cmp(rank_b).then_with(|| match *rank_a {
            usize::MAX => kind_of(a).cmp(kind_of(b)),
            _ => std::cmp::Ordering::Equal,
        })
    });
    items.extend(ranked.into_iter().map(|(_, item)| item));
}

/// Go's `strconv.Atoi` for hook weights: an optional sign and decimal digits, nothing else.
fn parse_weight(text: &str) -> i64 {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    text.parse().unwrap_or(0)
}

/// A hook document as the reference renderer prints it: trimmed on both sides. (Helm v4.2.3's
/// `SplitManifests` trims only the left, so a hook that ends its file keeps a trailing newline
/// there; the reference renderer, whose output our goldens hold, rebuilds hooks with Python's
/// `str.strip`, which also removes the separators `\x1c`-`\x1f`.)
fn trim_hook(doc: &str) -> String {
    doc.trim_matches(|c: char| c.is_whitespace() || ('\x1c'..='\x1f').contains(&c))
        .to_string()
}

/// Helm's `SortManifests`: files in path order, partials (`_*`) and blank files skipped, each
/// split into documents; hooks separated (documents whose hook annotation names an unknown
/// event are dropped); both lists stably sorted by kind. A document that is not YAML fails
/// with `YAML parse error on <path>: <reason>`.
pub fn sort_manifests(
    files: &BTreeMap<String, String>,
) -> Result<(Vec<Hook>, Vec<Manifest>), Error> {
    let mut hooks = Vec::new();
    let mut generic = Vec::new();
    for (path, content) in files {
        let base = path.rsplit('/').next().unwrap_or(path);
        if base.starts_with('_') || content.trim().is_empty() {
            continue;
        }
        for doc in split_manifests(content) {
            let head = parse_head(&doc)
                .map_err(|reason| Error::new(format!("YAML parse error on {path}: {reason}")))?;
            let hook_types = head
                .annotations
                .as_ref()
                .and_then(|a| a.get(HOOK_ANNOTATION))
                .cloned();
            let Some(hook_types) = hook_types else {
                generic.push(Manifest {
                    name: path.clone(),
                    content: doc,
                    head,
                });
                continue;
            };
            let annotations = head.annotations.clone().unwrap_or_default();
            let mut events = Vec::new();
            let mut unknown = false;
            for event in hook_types.split(',') {
                let event = event.trim().to_lowercase();
                let event = if event == "test-success" {
                    "test".to_string()
                } else {
                    event
                };
                if !HOOK_EVENTS.contains(&event.as_str()) {
                    unknown = true;
                    break;
                }
                events.push(event);
            }
            if unknown {
                continue;
            }
            let delete_policies = annotations
                .get(HOOK_DELETE_ANNOTATION)
                .map(|p| p.split(',').map(|s| s.trim().to_lowercase()).collect())
                .unwrap_or_default();
            hooks.push(Hook {
                name: head.name.clone(),
                kind: head.kind.clone(),
                path: path.clone(),
                manifest: trim_hook(&doc),
                events,
                weight: parse_weight(
                    annotations
                        .get(HOOK_WEIGHT_ANNOTATION)
                        .map_or("", String::as_str),
                ),
                delete_policies,
            });
        }
    }
    sort_by_kind(&mut hooks, |hook| &hook.kind);
    sort_by_kind(&mut generic, |manifest| &manifest.head.kind);
    Ok((hooks, generic))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_sort_by_install_order_then_name() {
        let mut kinds = vec!["Zed", "Service", "Alpha", "Namespace", "", "Service"];
        sort_by_kind(&mut kinds, |kind| kind);
        assert_eq!(
            kinds,
            vec!["Namespace", "Service", "Service", "", "Alpha", "Zed"]
        );
        // Ties keep their order, listed or not.
        let mut pairs = vec![
            ("Zed", 1),
            ("Service", 2),
            ("Zed", 3),
            ("Service", 4),
            ("A", 5),
        ];
        sort_by_kind(&mut pairs, |pair| pair.0);
        assert_eq!(
            pairs,
            vec![
                ("Service", 2),
                ("Service", 4),
                ("A", 5),
                ("Zed", 1),
                ("Zed", 3)
            ]
        );
    }

    #[test]
    fn weights_parse_like_atoi() {
        assert_eq!(parse_weight("-5"), -5);
        assert_eq!(parse_weight("+3"), 3);
        assert_eq!(parse_weight(" 3"), 0);
        assert_eq!(parse_weight("x"), 0);
    }
}
