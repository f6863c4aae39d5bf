//! `.Capabilities`: Helm's `*common.Capabilities` with its `KubeVersion`, `APIVersions` and
//! `HelmVersion` as `helm template` fills them (no cluster: Helm's built-in defaults).

use std::sync::Arc;

use helmet_value::{ArgType, ElemType, Func, GoShape, Map, Object, Value};

/// The Kubernetes version `helm template` assumes: Helm v4.2.3 is built against client-go
/// v0.36, and Helm derives `v1.36.0` from that.
pub const DEFAULT_KUBE_VERSION: &str = "v1.36.0";

/// The API versions Helm's default capabilities list, in Helm's order (the client-go scheme's
/// prioritized group versions plus the apiextensions ones).
pub const DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha2",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// `common.KubeVersion`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubeVersion {
    /// `Version`: as given, with a leading `v` (e.g. `v1.33.4-gke.1245000`).
    pub version: String,
    /// The version without pre-release or build suffixes, for constraint checks (`String()`).
    pub normalized: String,
    /// `Major`
    pub major: String,
    /// `Minor`
    pub minor: String,
}

impl KubeVersion {
    /// Parses a version as `helm template --kube-version` does (Kubernetes' generic version
    /// parser: `[v]MAJOR.MINOR[.PATCH][suffix]`). The error is Helm's message.
    pub fn parse(text: &str) -> Result<KubeVersion, String> {
        let fail = |why: String| format!("invalid kube version '{text}': {why}");
        // `^\s*v?([0-9]+(?:\.[0-9]+)*)(.*)$`; a generic version ignores what follows.
        let trimmed = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0c']);
        let trimmed = trimmed.strip_prefix('v').unwrap_or(trimmed);
        let mut end = 0;
        let bytes = trimmed.as_bytes();
        loop {
            let start = end;
            while end < bytes.len() && bytes[end].is_ascii_digit() {
                end += 1;
            }
            if end == start {
                // A dot must be followed by digits; back off over it.
                end = end.saturating_sub(1);
                break;
            }
            if end < bytes.len()
                && bytes[end] == b'.'
                && bytes.get(end + 1).is_some_and(u8::is_ascii_digit)
            {
                end += 1;
            } else {
                break;
            }
        }
        if end == 0 {
            return Err(fail(format!("could not parse \"{text}\" as version")));
        }
        let parts: Vec<&str> = trimmed[..end].split('.').collect();
        if parts.len() < 2 {
            return Err(fail(format!("illegal version string \"{text}\"")));
        }
        let mut nums = Vec::new();
        for part in &parts {
            if part.len() > 1 && part.starts_with('0') {
                return Err(fail(format!(
                    "illegal zero-prefixed version component \"{part}\" in \"{text}\""
                )));
            }
            let n: u32 = part
                .parse()
                .map_err(|_| fail(format!("illegal version string \"{text}\"")))?;
            nums.push(n);
        }
        let version = if text.starts_with('v') {
            text.to_string()
        } else {
            format!("v{text}")
        };
        let joined: Vec<String> = nums.iter().map(u32::to_string).collect();
        Ok(KubeVersion {
            version,
            normalized: format!("v{}", joined.join(".")),
            major: nums[0].to_string(),
            minor: nums[1].to_string(),
        })
    }
}

impl Default for KubeVersion {
    fn default() -> KubeVersion {
        KubeVersion {
            version: DEFAULT_KUBE_VERSION.to_string(),
            normalized: DEFAULT_KUBE_VERSION.to_string(),
            major: "1".to_string(),
            minor: "36".to_string(),
        }
    }
}

/// A `common.KubeVersion` as a template sees it: `.Capabilities.KubeVersion` is an addressable
/// field of the struct `*Capabilities` points to, so its pointer-receiver methods (`String`,
/// `GitVersion`) work there and through variables; a function receives a copy without them.
#[derive(Clone, Debug)]
struct KubeVersionValue {
    version: KubeVersion,
    addressable: bool,
}

impl KubeVersionValue {
    fn copy(&self) -> KubeVersionValue {
        KubeVersionValue {
            version: self.version.clone(),
            addressable: false,
        }
    }
}

impl Object for KubeVersionValue {
    fn type_name(&self) -> &str {
        "common.KubeVersion"
    }

    fn field(&self, name: &str) -> Option<Value> {
        let kv = &self.version;
        match name {
            "Version" => Some(Value::from(kv.version.as_str())),
            "Major" => Some(Value::from(kv.major.as_str())),
            "Minor" => Some(Value::from(kv.minor.as_str())),
            _ => None,
        }
    }

    /// Both methods have pointer receivers: only an addressable value has them.
    fn method(&self, name: &str) -> Option<Func> {
        if !self.addressable {
            return None;
        }
        let text = match name {
            "String" => self.version.normalized.clone(),
            "GitVersion" => self.version.version.clone(),
            _ => return None,
        };
        Some(Func::new(&[], move |_, _| Ok(Value::from(text.as_str()))))
    }

    fn go_format(&self) -> String {
        helmet_value::fmt::format_value(&Value::Object(Arc::new(self.copy())))
    }

    fn go_shape(&self) -> Option<GoShape> {
        let kv = &self.version;
        Some(GoShape::Struct(vec![
            ("Version", Value::from(kv.version.as_str())),
            ("normalizedVersion", Value::from(kv.normalized.as_str())),
            ("Major", Value::from(kv.major.as_str())),
            ("Minor", Value::from(kv.minor.as_str())),
        ]))
    }

    fn pointer_stringer(&self) -> Option<String> {
        Some(self.version.normalized.clone())
    }

    fn is_addressable(&self) -> bool {
        self.addressable
    }

    fn unaddressed(&self) -> Option<Value> {
        self.addressable
            .then(|| Value::Object(Arc::new(self.copy())))
    }

    fn json_fields(&self) -> Option<Vec<(String, Value)>> {
        let kv = &self.version;
        Some(vec![
            ("Version".into(), Value::from(kv.version.as_str())),
            ("Major".into(), Value::from(kv.major.as_str())),
            ("Minor".into(), Value::from(kv.minor.as_str())),
        ])
    }

    fn to_data(&self) -> Value {
        let kv = &self.version;
        let mut map = Map::new();
        map.insert("Version".into(), Value::from(kv.version.as_str()));
        map.insert("Major".into(), Value::from(kv.major.as_str()));
        map.insert("Minor".into(), Value::from(kv.minor.as_str()));
        Value::map(map)
    }
}

/// `common.VersionSet`: a `[]string` with a `Has` method. Shared: every load's `.Capabilities`
/// and every `.Capabilities.APIVersions` a template reads hold the same list (Bitnami-style
/// helpers read it in many templates), which nothing changes once built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionSet(pub Arc<Vec<String>>);

impl Object for VersionSet {
    fn type_name(&self) -> &str {
        "common.VersionSet"
    }

    fn kind_name(&self) -> &'static str {
        "slice"
    }

    fn field(&self, _name: &str) -> Option<Value> {
        None
    }

    fn method(&self, name: &str) -> Option<Func> {
        if name != "Has" {
            return None;
        }
        let set = self.0.clone();
        Some(Func::new(&[ArgType::String], move |_, args| {
            let wanted = args.first().and_then(Value::as_str).unwrap_or_default();
            Ok(Value::Bool(set.iter().any(|v| v == wanted)))
        }))
    }

    fn go_format(&self) -> String {
        format!("[{}]", self.0.join(" "))
    }

    fn go_shape(&self) -> Option<GoShape> {
        Some(GoShape::Underlying(self.to_data()))
    }

    fn is_true(&self) -> bool {
        !self.0.is_empty()
    }

    fn to_data(&self) -> Value {
        Value::typed_list(
            ElemType::String,
            self.0.iter().map(|s| Value::from(s.as_str())).collect(),
        )
    }
}

/// `version.BuildInfo`: which Helm rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelmVersion {
    /// `Version`, e.g. `v4.2.3`.
    pub version: String,
    /// `GitCommit` (empty in the SDK build Helm's goldens come from).
    pub git_commit: String,
    /// `GitTreeState`
    pub git_tree_state: String,
    /// `GoVersion`
    pub go_version: String,
    /// `KubeClientVersion`
    pub kube_client_version: String,
}

impl Default for HelmVersion {
    fn default() -> HelmVersion {
        HelmVersion {
            version: "v4.2.3".into(),
            git_commit: String::new(),
            git_tree_state: String::new(),
            go_version: "go1.26.6".into(),
            kube_client_version: "v1.36".into(),
        }
    }
}

impl Object for HelmVersion {
    fn type_name(&self) -> &str {
        "version.BuildInfo"
    }

    fn field(&self, name: &str) -> Option<Value> {
        let text = match name {
            "Version" => &self.version,
            "GitCommit" => &self.git_commit,
            "GitTreeState" => &self.git_tree_state,
            "GoVersion" => &self.go_version,
            "KubeClientVersion" => &self.kube_client_version,
            _ => return None,
        };
        Some(Value::from(text.as_str()))
    }

    fn go_format(&self) -> String {
        format!(
            "{{{} {} {} {} {}}}",
            self.version,
            self.git_commit,
            self.git_tree_state,
            self.go_version,
            self.kube_client_version
        )
    }

    fn go_shape(&self) -> Option<GoShape> {
        Some(GoShape::Struct(vec![
            ("Version", Value::from(self.version.as_str())),
            ("GitCommit", Value::from(self.git_commit.as_str())),
            ("GitTreeState", Value::from(self.git_tree_state.as_str())),
            ("GoVersion", Value::from(self.go_version.as_str())),
            (
                "KubeClientVersion",
                Value::from(self.kube_client_version.as_str()),
            ),
        ]))
    }

    /// The JSON names of `BuildInfo`; every field but `kube_client_version` is `omitempty`.
    fn json_fields(&self) -> Option<Vec<(String, Value)>> {
        let omit_empty = [
            ("version", &self.version),
            ("git_commit", &self.git_commit),
            ("git_tree_state", &self.git_tree_state),
            ("go_version", &self.go_version),
        ];
        let mut fields: Vec<(String, Value)> = omit_empty
            .into_iter()
            .filter(|(_, text)| !text.is_empty())
            .map(|(name, text)| (name.to_string(), Value::from(text.as_str())))
            .collect();
        fields.push((
            "kube_client_version".into(),
            Value::from(self.kube_client_version.as_str()),
        ));
        Some(fields)
    }

    fn to_data(&self) -> Value {
        let mut map = Map::new();
        let omit_empty = [
            ("version", &self.version),
            ("git_commit", &self.git_commit),
            ("git_tree_state", &self.git_tree_state),
            ("go_version", &self.go_version),
        ];
        for (name, text) in omit_empty {
            if !text.is_empty() {
                map.insert(name.into(), Value::from(text.as_str()));
            }
        }
        map.insert(
            "kube_client_version".into(),
            Value::from(self.kube_client_version.as_str()),
        );
        Value::map(map)
    }
}

/// `*common.Capabilities`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capabilities {
    /// `KubeVersion`
    pub kube_version: KubeVersion,
    /// `APIVersions`
    pub api_versions: VersionSet,
    /// `HelmVersion`
    pub helm_version: HelmVersion,
}

impl Default for Capabilities {
    fn default() -> Capabilities {
        Capabilities {
            kube_version: KubeVersion::default(),
            api_versions: VersionSet(default_api_versions()),
            helm_version: HelmVersion::default(),
        }
    }
}

impl Capabilities {
    /// The defaults with extra API versions appended (`helm template -a`).
    pub fn with_extra_api_versions(mut self, extra: &[String]) -> Capabilities {
        // Without any, the list stays the one shared by the process (making it mutable would
        // copy its ~100 strings for nothing, at every `helmet template`).
        if !extra.is_empty() {
            Arc::make_mut(&mut self.api_versions.0).extend(extra.iter().cloned());
        }
        self
    }
}

/// [`DEFAULT_API_VERSIONS`] as owned strings, built once per process.
fn default_api_versions() -> Arc<Vec<String>> {
    static DEFAULT: std::sync::OnceLock<Arc<Vec<String>>> = std::sync::OnceLock::new();
    DEFAULT
        .get_or_init(|| Arc::new(DEFAULT_API_VERSIONS.iter().map(|s| s.to_string()).collect()))
        .clone()
}

impl Object for Capabilities {
    fn type_name(&self) -> &str {
        "*common.Capabilities"
    }

    fn kind_name(&self) -> &'static str {
        "ptr"
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "KubeVersion" => Some(Value::Object(Arc::new(KubeVersionValue {
                version: self.kube_version.clone(),
                addressable: true,
            }))),
            "APIVersions" => Some(Value::Object(Arc::new(self.api_versions.clone()))),
            "HelmVersion" => Some(Value::Object(Arc::new(self.helm_version.clone()))),
            _ => None,
        }
    }

    fn go_format(&self) -> String {
        helmet_value::fmt::format_value(&Value::Object(Arc::new(self.clone())))
    }

    /// The fields hold copies: fmt reaches them through the pointer but cannot call the
    /// pointer-receiver `String` of the `KubeVersion` inside.
    fn go_shape(&self) -> Option<GoShape> {
        let kube_version = KubeVersionValue {
            version: self.kube_version.clone(),
            addressable: false,
        };
        Some(GoShape::Struct(vec![
            ("KubeVersion", Value::Object(Arc::new(kube_version))),
            (
                "APIVersions",
                Value::Object(Arc::new(self.api_versions.clone())),
            ),
            (
                "HelmVersion",
                Value::Object(Arc::new(self.helm_version.clone())),
            ),
        ]))
    }

    fn json_fields(&self) -> Option<Vec<(String, Value)>> {
        let kube_version = KubeVersionValue {
            version: self.kube_version.clone(),
            addressable: false,
        };
        Some(vec![
            ("KubeVersion".into(), Value::Object(Arc::new(kube_version))),
            ("APIVersions".into(), self.api_versions.to_data()),
            (
                "HelmVersion".into(),
                Value::Object(Arc::new(self.helm_version.clone())),
            ),
        ])
    }

    fn to_data(&self) -> Value {
        let kube_version = KubeVersionValue {
            version: self.kube_version.clone(),
            addressable: false,
        };
        let mut map = Map::new();
        map.insert("KubeVersion".into(), kube_version.to_data());
        map.insert("APIVersions".into(), self.api_versions.to_data());
        map.insert("HelmVersion".into(), self.helm_version.to_data());
        Value::map(map)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use helmet_value::fmt::{format_action_value, try_format_value};
    use helmet_value::{Map, Value};

    use super::{Capabilities, KubeVersion};

    #[test]
    fn capabilities_inside_a_map_print_an_address() {
        // Go prints a pointer inside a map as its address, which changes from run to run.
        let caps = Value::Object(Arc::new(Capabilities::default()));
        let mut top = Map::new();
        top.insert("Capabilities".into(), caps.clone());
        let top = Value::map(top);
        for result in [format_action_value(&top), try_format_value(&top)] {
            let text = result.expect("an address");
            assert!(text.starts_with("map[Capabilities:0xc"), "{text}");
            assert!(text.ends_with(']') && !text.contains('{'), "{text}");
        }
        // Alone, an action prints what the pointer points to, and fmt prints `&{...}`.
        let action = format_action_value(&caps).expect("printable");
        assert!(
            action.starts_with("{{v1.36.0 v1.36.0 1 36} [v1 "),
            "{action}"
        );
        let fmt = try_format_value(&caps).expect("printable");
        assert_eq!(fmt, format!("&{action}"));
    }

    #[test]
    fn extra_api_versions_copy_the_shared_list_only_when_there_are_some() {
        let shared = Capabilities::default();
        let same = Capabilities::default().with_extra_api_versions(&[]);
        assert!(Arc::ptr_eq(&shared.api_versions.0, &same.api_versions.0));
        let more = Capabilities::default().with_extra_api_versions(&["x.io/v1".into()]);
        assert_eq!(more.api_versions.0.len(), shared.api_versions.0.len() + 1);
        assert_eq!(
            more.api_versions.0.last().map(String::as_str),
            Some("x.io/v1")
        );
        assert_eq!(Capabilities::default(), shared);
    }

    #[test]
    fn parses_kube_versions() {
        let v = KubeVersion::parse("1.33.4-gke.1").unwrap();
        assert_eq!(v.version, "v1.33.4-gke.1");
        assert_eq!(v.normalized, "v1.33.4");
        assert_eq!((v.major.as_str(), v.minor.as_str()), ("1", "33"));
        assert_eq!(KubeVersion::parse("v1.20").unwrap().normalized, "v1.20");
        assert!(KubeVersion::parse("banana").is_err());
    }
}
