//! The chart model: what a loaded chart holds, as Helm's `chart.Chart` (API v2) holds it.

use std::fmt;
use std::sync::Arc;

use helmet_value::{Map, TypedMap, Value};

/// An error from loading a chart or computing its values. The message is Helm's text, without
/// the `Error: ` prefix the CLI adds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    message: String,
}

impl Error {
    /// An error with Helm's message text.
    pub fn new(message: impl Into<String>) -> Error {
        Error {
            message: message.into(),
        }
    }

    /// Helm's `validation: ...` error (`chart.ValidationError`).
    pub fn validation(message: impl fmt::Display) -> Error {
        Error::new(format!("validation: {message}"))
    }

    /// The message text.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The same error with `prefix` in front, as Go's `fmt.Errorf("...: %w", err)` wraps.
    pub fn wrap(self, prefix: impl fmt::Display) -> Error {
        Error::new(format!("{prefix}: {}", self.message))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// A file of a chart: its path relative to the chart's root (with `/` separators) and its bytes
/// (a leading UTF-8 byte order mark already removed, as Helm removes it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// The path relative to the chart root, e.g. `templates/deployment.yaml`.
    pub name: String,
    /// The contents.
    pub data: Arc<[u8]>,
    /// The modification time (from the file system or the archive header), which `helm package`
    /// keeps in the archive it writes; `None` for files made in memory.
    pub modified: Option<std::time::SystemTime>,
}

impl File {
    /// A file from its name and contents.
    pub fn new(name: impl Into<String>, data: impl Into<Arc<[u8]>>) -> File {
        File {
            name: name.into(),
            data: data.into(),
            modified: None,
        }
    }

    /// The same file with its modification time.
    pub fn with_modified(mut self, modified: Option<std::time::SystemTime>) -> File {
        self.modified = modified;
        self
    }
}

/// A maintainer entry of `Chart.yaml`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Maintainer {
    /// `name`
    pub name: String,
    /// `email`
    pub email: String,
    /// `url`
    pub url: String,
}

/// A dependency entry of `Chart.yaml` (or `requirements.yaml`, or a lock file).
#[derive(Clone, Debug, Default)]
pub struct Dependency {
    /// `name`: the chart's name (after processing, its alias when it has one, as in Helm).
    pub name: String,
    /// `version`: a SemVer range.
    pub version: String,
    /// `repository`
    pub repository: String,
    /// `condition`: comma-separated value paths; the first one holding a bool decides.
    pub condition: String,
    /// `tags`
    pub tags: Vec<String>,
    /// `enabled`: decided while processing dependencies.
    pub enabled: bool,
    /// `import-values`: strings or `{child, parent}` maps, as written.
    pub import_values: Vec<Value>,
    /// `alias`
    pub alias: String,
}

/// The contents of `Chart.yaml`, field for field as Helm's `chart.Metadata`.
#[derive(Clone, Debug, Default)]
pub struct Metadata {
    /// `apiVersion` (`v1` when the file leaves it out).
    pub api_version: String,
    /// `name`
    pub name: String,
    /// `home`
    pub home: String,
    /// `sources`
    pub sources: Vec<String>,
    /// `version`
    pub version: String,
    /// `description`
    pub description: String,
    /// `keywords`
    pub keywords: Vec<String>,
    /// `maintainers`; `None` entries are the `null` items Helm rejects when validating.
    pub maintainers: Vec<Option<Maintainer>>,
    /// `icon`
    pub icon: String,
    /// `condition` (only meaningful in old requirements files).
    pub condition: String,
    /// `tags` (a string in `Chart.yaml`).
    pub tags: String,
    /// `appVersion`
    pub app_version: String,
    /// `deprecated`
    pub deprecated: bool,
    /// `annotations`
    pub annotations: std::collections::BTreeMap<String, String>,
    /// Whether `annotations` was given as a map, even an empty one: Go's decoder makes an
    /// empty map for `annotations: {}` (`toJson` writes `{}`) and leaves it nil otherwise.
    pub annotations_given: bool,
    /// `kubeVersion`
    pub kube_version: String,
    /// `dependencies`; `None` entries are the `null` items Helm rejects when validating.
    pub dependencies: Vec<Option<Dependency>>,
    /// Whether `dependencies` was given as a list, even an empty one: Go tells an empty list
    /// from none, and Helm's dependency processing passes over a chart only when it has none.
    /// Processing leaves a chart whose requirements were all disabled (or empty) with none.
    pub dependencies_given: bool,
    /// `type`: `application`, `library` or empty.
    pub chart_type: String,
}

/// Which empty value [`empty_field`] gives.
#[derive(Clone, Copy)]
enum EmptyField {
    /// `""`
    Text,
    /// An empty `[]interface {}` (not nil).
    List,
}

/// One empty string and one empty `[]interface {}` for every metadata field that holds one:
/// most charts leave most fields empty, each empty value would be an allocation of its own,
/// and no template can change a string or a slice in place.
fn empty_field(kind: EmptyField) -> Value {
    static EMPTY: std::sync::OnceLock<[Value; 2]> = std::sync::OnceLock::new();
    let [text, list] = EMPTY.get_or_init(|| [Value::string(""), Value::list(Vec::new())]);
    match kind {
        EmptyField::Text => text.clone(),
        EmptyField::List => list.clone(),
    }
}

impl Metadata {
    /// The value of a field by its Go name (`Name`, `AppVersion`, `APIVersion`, ...), as Helm's
    /// `MetadataAsMap` gives it to templates: strings, `bool`, `map[string]string` for
    /// annotations, and every slice as `[]interface {}`, with `Maintainers` and `Dependencies`
    /// as maps keyed by the Go field names of their structs. `None` for names that are not
    /// fields of `chart.Metadata`.
    pub fn go_field(&self, name: &str) -> Option<Value> {
        use helmet_value::ElemType;
        let strings = |items: &[String]| match items {
            [] => empty_field(EmptyField::List),
            _ => Value::list(items.iter().map(|s| Value::string(s.as_str())).collect()),
        };
        let text = |s: &str| match s {
            "" => Some(empty_field(EmptyField::Text)),
            _ => Some(Value::string(s)),
        };
        match name {
            "Name" => text(&self.name),
            "Home" => text(&self.home),
            "Sources" => Some(strings(&self.sources)),
            "Version" => text(&self.version),
            "Description" => text(&self.description),
            "Keywords" => Some(strings(&self.keywords)),
            "Maintainers" if self.maintainers.is_empty() => Some(empty_field(EmptyField::List)),
            "Maintainers" => Some(Value::list(
                self.maintainers
                    .iter()
                    .map(|m| match m {
                        None => Value::Nil,
                        Some(m) => {
                            let mut e = Map::new();
                            e.insert("Name".into(), Value::string(m.name.as_str()));
                            e.insert("Email".into(), Value::string(m.email.as_str()));
                            e.insert("URL".into(), Value::string(m.url.as_str()));
                            Value::map(e)
                        }
                    })
                    .collect(),
            )),
            "Icon" => text(&self.icon),
            "APIVersion" => text(&self.api_version),
            "Condition" => text(&self.condition),
            "Tags" => text(&self.tags),
            "AppVersion" => text(&self.app_version),
            "Deprecated" => Some(Value::Bool(self.deprecated)),
            // A chart without annotations has a nil map (`toJson` writes `null`).
            "Annotations" if !self.annotations_given => {
                Some(Value::Map(Arc::new(TypedMap::nil(ElemType::String))))
            }
            "Annotations" => Some(Value::typed_map(
                ElemType::String,
                self.annotations
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::string(v.as_str())))
                    .collect(),
            )),
            "KubeVersion" => text(&self.kube_version),
            "Dependencies" if self.dependencies.is_empty() => Some(empty_field(EmptyField::List)),
            "Dependencies" => Some(Value::list(
                self.dependencies
                    .iter()
                    .map(|d| match d {
                        None => Value::Nil,
                        Some(d) => {
                            let mut e = Map::new();
                            e.insert("Name".into(), Value::string(d.name.as_str()));
                            e.insert("Version".into(), Value::string(d.version.as_str()));
                            e.insert("Repository".into(), Value::string(d.repository.as_str()));
                            e.insert("Condition".into(), Value::string(d.condition.as_str()));
                            e.insert("Tags".into(), strings(&d.tags));
                            e.insert("Enabled".into(), Value::Bool(d.enabled));
                            e.insert("ImportValues".into(), Value::list(d.import_values.clone()));
                            e.insert("Alias".into(), Value::string(d.alias.as_str()));
                            Value::map(e)
                        }
                    })
                    .collect(),
            )),
            "Type" => text(&self.chart_type),
            _ => None,
        }
    }

    /// The Go field names of `chart.Metadata`, in declaration order.
    pub const GO_FIELDS: [&'static str; 17] = [
        "Name",
        "Home",
        "Sources",
        "Version",
        "Description",
        "Keywords",
        "Maintainers",
        "Icon",
        "APIVersion",
        "Condition",
        "Tags",
        "AppVersion",
        "Deprecated",
        "Annotations",
        "KubeVersion",
        "Dependencies",
        "Type",
    ];

    /// Whether `type` is `library` (compared ignoring case, as Helm does).
    pub fn is_library(&self) -> bool {
        self.chart_type.eq_ignore_ascii_case("library")
    }

    /// The dependencies that are present (skipping `null` entries).
    pub fn dependency_entries(&self) -> impl Iterator<Item = &Dependency> {
        self.dependencies.iter().flatten()
    }
}

/// A lock file (`Chart.lock` or `requirements.lock`).
#[derive(Clone, Debug, Default)]
pub struct Lock {
    /// `generated`, as written.
    pub generated: String,
    /// `digest`
    pub digest: String,
    /// `dependencies`
    pub dependencies: Vec<Dependency>,
}

/// A loaded chart and its subcharts.
#[derive(Clone, Debug, Default)]
pub struct Chart {
    /// `Chart.yaml` (plus `requirements.yaml` for API v1 charts).
    pub metadata: Metadata,
    /// `Chart.lock` or `requirements.lock`, when present.
    pub lock: Option<Lock>,
    /// Files under `templates/`, in load order (sorted paths).
    pub templates: Vec<File>,
    /// The parsed `values.yaml` (an empty map when there is none).
    pub values: Value,
    /// The bytes of `values.yaml`, when present.
    pub raw_values: Option<Arc<[u8]>>,
    /// The bytes of `values.schema.json`, when present.
    pub schema: Option<Arc<[u8]>>,
    /// Every other file (including `crds/`, `README.md`, provenance files of subcharts), as
    /// `.Files` sees them.
    pub files: Vec<File>,
    /// Every file as loaded, before sorting into the fields above (Helm's `Chart.Raw`).
    pub raw: Vec<File>,
    /// The subcharts, in the order of their names under `charts/`.
    pub dependencies: Vec<Chart>,
    /// The names of the parent charts from the root down, empty for the root chart.
    pub parents: Vec<String>,
    /// Warnings Helm logs while loading this chart (not its subcharts), e.g. about
    /// `requirements.yaml` in an API v2 chart.
    pub load_warnings: Vec<String>,
}

impl Chart {
    /// The chart's name (`metadata.name`; an alias after dependency processing).
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// Whether this is the top chart.
    pub fn is_root(&self) -> bool {
        self.parents.is_empty()
    }

    /// Helm's `ChartFullPath`: `top/charts/sub/charts/subsub`, the prefix of template names.
    pub fn full_path(&self) -> String {
        let mut path = String::new();
        for parent in &self.parents {
            path.push_str(parent);
            path.push_str("/charts/");
        }
        path.push_str(self.name());
        path
    }

    /// Helm's `ChartPath`: `top.sub.subsub`.
    pub fn dotted_path(&self) -> String {
        let mut path = String::new();
        for parent in &self.parents {
            path.push_str(parent);
            path.push('.');
        }
        path.push_str(self.name());
        path
    }

    /// Whether the chart is a library chart.
    pub fn is_library(&self) -> bool {
        self.metadata.is_library()
    }

    /// The CRD files of this chart (`crds/*.yaml|yml|json`), without those of subcharts.
    pub fn own_crds(&self) -> impl Iterator<Item = &File> {
        self.files.iter().filter(|f| {
            let base = f.name.rsplit('/').next().unwrap_or("");
            let ext = base.rsplit_once('.').map(|(_, e)| e);
            f.name.starts_with("crds/")
                && ext.is_some_and(|ext| {
                    ["yaml", "yml", "json"]
                        .iter()
                        .any(|m| ext.eq_ignore_ascii_case(m))
                })
        })
    }

    /// The CRD files of this chart and then of its subcharts (depth first), with the
    /// `full_path()` of the chart holding each, as Helm's `CRDObjects` lists them.
    pub fn crds(&self) -> Vec<(String, &File)> {
        let mut out: Vec<(String, &File)> =
            self.own_crds().map(|f| (self.full_path(), f)).collect();
        for dep in &self.dependencies {
            out.extend(dep.crds());
        }
        out
    }

    /// The load warnings of this chart and its subcharts, depth first.
    pub fn all_load_warnings(&self) -> Vec<String> {
        let mut out = self.load_warnings.clone();
        for dep in &self.dependencies {
            out.extend(dep.all_load_warnings());
        }
        out
    }

    /// Sets `parents` of every subchart from the names above it; call after renaming charts.
    pub fn update_parents(&mut self) {
        let mut chain = self.parents.clone();
        chain.push(self.name().to_string());
        for dep in &mut self.dependencies {
            dep.parents = chain.clone();
            dep.update_parents();
        }
    }
}

/// Go's text for a system error (`syscall.Errno`'s), shared with the other crates.
pub(crate) use helmet_value::oserror::errno_text as go_io_text;

/// Go's `os.MkdirAll` of `path` beneath the existing folder `base`, with its error: the
/// first missing folder that cannot be made, or a file in the way, named as `mkdir PATH: ...`.
pub(crate) fn mkdir_all(base: &std::path::Path, path: &std::path::Path) -> Result<(), String> {
    let mut at = base.to_path_buf();
    for part in path.strip_prefix(base).unwrap_or(path).components() {
        at.push(part);
        match std::fs::metadata(&at) {
            Ok(meta) if meta.is_dir() => continue,
            Ok(_) => return Err(format!("mkdir {}: not a directory", at.display())),
            Err(_) => {}
        }
        if let Err(e) = std::fs::create_dir(&at) {
            if !std::fs::metadata(&at).is_ok_and(|m| m.is_dir()) {
                return Err(format!("mkdir {}: {}", at.display(), go_io_text(&e)));
            }
        }
    }
    Ok(())
}
