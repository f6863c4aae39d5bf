//! The built-in objects templates see at the top level: `.Values`, `.Release`, `.Chart`,
//! `.Capabilities`, `.Template`, `.Files` and `.Subcharts`.

mod capabilities;
mod files;
pub(crate) mod glob;
mod values_type;

use std::sync::Arc;

use helmet_value::{ElemType, Map, TypedMap, Value};

pub use capabilities::{
    Capabilities, HelmVersion, KubeVersion, VersionSet, DEFAULT_API_VERSIONS, DEFAULT_KUBE_VERSION,
};
pub use files::Files;
pub use values_type::{as_values, VALUES};

use crate::chart::Chart;

/// What `.Release` holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleaseInfo {
    /// `.Release.Name`
    pub name: String,
    /// `.Release.Namespace`
    pub namespace: String,
    /// `.Release.Revision` (1 for `helm template`).
    pub revision: i64,
    /// `.Release.IsUpgrade`
    pub is_upgrade: bool,
    /// `.Release.IsInstall`: the opposite of `is_upgrade` for `helm template` and `install`;
    /// Helm's lint leaves both false.
    pub is_install: bool,
}

impl Default for ReleaseInfo {
    fn default() -> ReleaseInfo {
        ReleaseInfo {
            name: "release-name".into(),
            namespace: "default".into(),
            revision: 1,
            is_upgrade: false,
            is_install: true,
        }
    }
}

impl ReleaseInfo {
    /// `.Release`: a `map[string]interface {}`, as Helm's `ToRenderValues` builds it.
    pub fn to_value(&self) -> Value {
        let mut map = Map::new();
        map.insert("Name".into(), Value::from(self.name.as_str()));
        map.insert("Namespace".into(), Value::from(self.namespace.as_str()));
        map.insert("IsUpgrade".into(), Value::Bool(self.is_upgrade));
        map.insert("IsInstall".into(), Value::Bool(self.is_install));
        map.insert("Revision".into(), Value::Int(self.revision));
        map.insert("Service".into(), Value::from("Helm"));
        Value::map(map)
    }
}

/// Helm turns chart metadata into a map by reflection, and every slice on the way becomes a
/// `[]interface {}` (so `.Chart.Keywords` is not a `[]string`). Interface maps are copied on the
/// way (they may be shared with the chart, as `import-values` entries are), unless `fresh` says
/// they were built for this value alone and they hold nothing to convert.
fn slices_as_interface(value: Value, fresh: bool) -> Value {
    // Whether `value` holds something the conversion changes: a typed list, or a map it copies.
    fn converted(value: &Value, fresh: bool) -> bool {
        match value {
            Value::List(list) => {
                list.elem != ElemType::Interface || list.items.iter().any(|v| converted(v, fresh))
            }
            Value::Map(map) => map_converted(map, fresh),
            _ => false,
        }
    }
    fn map_converted(map: &TypedMap, fresh: bool) -> bool {
        map.elem == ElemType::Interface
            && (!fresh || map.entries().values().any(|v| converted(v, fresh)))
    }
    match value {
        // Most metadata lists (`Sources`, `Keywords`, the dependency entries' own lists) are
        // built as `[]interface {}` already: kept as they are.
        Value::List(list)
            if list.elem == ElemType::Interface
                && !list.items.iter().any(|v| converted(v, fresh)) =>
        {
            Value::List(list)
        }
        Value::List(list) => Value::list(
            list.items
                .iter()
                .map(|v| slices_as_interface(v.clone(), fresh))
                .collect(),
        ),
        Value::Map(map) if map_converted(&map, fresh) => Value::map(
            map.entries()
                .iter()
                .map(|(k, v)| (k.clone(), slices_as_interface(v.clone(), fresh)))
                .collect(),
        ),
        other => other,
    }
}

/// `.Chart`: the metadata as a `map[string]interface {}` keyed by Go field names, plus `IsRoot`.
pub fn chart_value(chart: &Chart) -> Value {
    // Built in key order, so the map takes the entries as they come instead of sorting them.
    let map: Map = CHART_KEYS
        .iter()
        .filter_map(|&name| {
            if name == "IsRoot" {
                return Some((name.to_string(), Value::Bool(chart.is_root())));
            }
            let value = chart.metadata.go_field(name)?;
            // `go_field` builds every map it returns afresh, except the `import-values` entries
            // of `Dependencies`, which are the chart's own values.
            let fresh = name != "Dependencies";
            Some((name.to_string(), slices_as_interface(value, fresh)))
        })
        .collect();
    Value::map(map)
}

/// The keys of `.Chart` in byte order: the Go field names of `chart.Metadata`
/// ([`Metadata::GO_FIELDS`](crate::chart::Metadata::GO_FIELDS)) and `IsRoot`.
const CHART_KEYS: [&str; 18] = [
    "APIVersion",
    "Annotations",
    "AppVersion",
    "Condition",
    "Dependencies",
    "Deprecated",
    "Description",
    "Home",
    "Icon",
    "IsRoot",
    "Keywords",
    "KubeVersion",
    "Maintainers",
    "Name",
    "Sources",
    "Tags",
    "Type",
    "Version",
];

/// `.Chart` values built by earlier renders, each with the metadata it was built from (and
/// whether its chart was the root), so a render of the same chart builds none: building one
/// (every field converted, the maintainer and dependency maps made) costs more than executing
/// a small chart's templates. A kept value is shared by the renders that get it, so it is handed
/// only to renders whose templates cannot change a map in place (see
/// [`kept_chart_value`]); the others get a copy.
mod kept_charts {
    use std::sync::Mutex;

    use helmet_value::Value;

    use crate::chart::{Dependency, Metadata};

    /// One kept `.Chart`.
    struct Entry {
        metadata: Metadata,
        is_root: bool,
        value: Value,
    }

    /// Kept values, oldest first.
    static KEPT: Mutex<Vec<Entry>> = Mutex::new(Vec::new());
    /// A process renders a few charts (each with a few subcharts) again and again.
    const MAX_KEPT: usize = 64;

    /// Forgets every kept value (see [`crate::clear_process_caches`]).
    pub(crate) fn clear() {
        KEPT.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// The value kept for this metadata, or the one `build` makes, then kept.
    pub(super) fn get_or_build(
        metadata: &Metadata,
        is_root: bool,
        build: impl FnOnce() -> Value,
    ) -> Value {
        if let Ok(kept) = KEPT.lock() {
            let found = kept
                .iter()
                .find(|e| e.is_root == is_root && same_metadata(&e.metadata, metadata));
            if let Some(entry) = found {
                return entry.value.clone();
            }
        }
        let value = build();
        if let Ok(mut kept) = KEPT.lock() {
            if kept.len() >= MAX_KEPT {
                kept.remove(0);
            }
            kept.push(Entry {
                metadata: metadata.clone(),
                is_root,
                value: value.clone(),
            });
        }
        value
    }

    /// Whether `a` and `b` give the same `.Chart`: every field equal. Destructured, so that a
    /// field added to [`Metadata`] cannot be left out of the comparison.
    fn same_metadata(a: &Metadata, b: &Metadata) -> bool {
        let Metadata {
            api_version,
            name,
            home,
            sources,
            version,
            description,
            keywords,
            maintainers,
            icon,
            condition,
            tags,
            app_version,
            deprecated,
            annotations,
            annotations_given,
            kube_version,
            dependencies,
            dependencies_given,
            chart_type,
        } = a;
        *name == b.name
            && *version == b.version
            && *api_version == b.api_version
            && *home == b.home
            && *sources == b.sources
            && *description == b.description
            && *keywords == b.keywords
            && *maintainers == b.maintainers
            && *icon == b.icon
            && *condition == b.condition
            && *tags == b.tags
            && *app_version == b.app_version
            && *deprecated == b.deprecated
            && *annotations == b.annotations
            && *annotations_given == b.annotations_given
            && *kube_version == b.kube_version
            && *dependencies_given == b.dependencies_given
            && *chart_type == b.chart_type
            && pairwise(dependencies, &b.dependencies, |a, b| match (a, b) {
                (Some(a), Some(b)) => same_dependency(a, b),
                (None, None) => true,
                _ => false,
            })
    }

    /// Whether `a` and `b` have the same length and `same` holds for each pair of items.
    fn pairwise<T>(a: &[T], b: &[T], same: impl Fn(&T, &T) -> bool) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same(a, b))
    }

    fn same_dependency(a: &Dependency, b: &Dependency) -> bool {
        let Dependency {
            name,
            version,
            repository,
            condition,
            tags,
            enabled,
            import_values,
            alias,
        } = a;
        *name == b.name
            && *version == b.version
            && *repository == b.repository
            && *condition == b.condition
            && *tags == b.tags
            && *enabled == b.enabled
            && *alias == b.alias
            && pairwise(import_values, &b.import_values, |a, b| same_value(a, b, 0))
    }

    /// Whether two `import-values` entries (strings, or maps of strings, as read from
    /// `Chart.yaml`) are the same Go value: same types, same contents. Values nested past a
    /// small depth, and objects, count as different (a new entry is built rather than a wrong
    /// one shared).
    fn same_value(a: &Value, b: &Value, depth: usize) -> bool {
        if depth > 16 {
            return false;
        }
        match (a, b) {
            (Value::Nil, Value::Nil) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) | (Value::Int64(a), Value::Int64(b)) => a == b,
            (Value::Uint64(a), Value::Uint64(b)) => a == b,
            (Value::Uint8(a), Value::Uint8(b)) => a == b,
            (Value::Float64(a), Value::Float64(b)) => a.to_bits() == b.to_bits(),
            (Value::Complex128(a, b), Value::Complex128(c, d)) => {
                a.to_bits() == c.to_bits() && b.to_bits() == d.to_bits()
            }
            (Value::String(a), Value::String(b)) => a == b,
            (Value::ByteString(a), Value::ByteString(b)) | (Value::Bytes(a), Value::Bytes(b)) => {
                a == b
            }
            (Value::List(a), Value::List(b)) => {
                a.elem == b.elem
                    && a.is_nil() == b.is_nil()
                    && pairwise(&a.items, &b.items, |a, b| same_value(a, b, depth + 1))
            }
            (Value::Map(a), Value::Map(b)) => {
                let (ea, eb) = (a.entries(), b.entries());
                a.elem == b.elem
                    && a.type_name() == b.type_name()
                    && a.is_nil() == b.is_nil()
                    && ea.len() == eb.len()
                    && ea
                        .iter()
                        .zip(eb.iter())
                        .all(|((ka, va), (kb, vb))| ka == kb && same_value(va, vb, depth + 1))
            }
            _ => false,
        }
    }
}

/// Forgets the built-in objects kept between renders (see [`crate::clear_process_caches`]).
pub(crate) fn clear_kept_objects() {
    kept_charts::clear();
    *KEPT_RELEASE.lock().unwrap_or_else(|e| e.into_inner()) = None;
}

/// `.Release` and `.Capabilities` of the last render, with the options they were built from:
/// a process renders with the same options again and again. The kept capabilities are the
/// ones inside the `.Capabilities` value (one copy of the options, not two).
type KeptRelease = (ReleaseInfo, Arc<Capabilities>, Value);
static KEPT_RELEASE: std::sync::Mutex<Option<KeptRelease>> = std::sync::Mutex::new(None);

/// `.Release` and `.Capabilities`, kept between renders with the same options while the process
/// caches are on. `.Capabilities` is an object no template can change, so it is always the kept
/// one; `.Release` is a map, so with `shared` (the render's templates cannot change a map in
/// place) the kept one, otherwise a new one.
pub(crate) fn kept_release_and_capabilities(
    release: &ReleaseInfo,
    capabilities: &Capabilities,
    shared: bool,
) -> (Value, Value) {
    let kept = match crate::process_caches() {
        true => KEPT_RELEASE.lock().ok(),
        false => None,
    };
    let Some(mut kept) = kept else {
        return (release.to_value(), capabilities_value(capabilities));
    };
    if !matches!(&*kept, Some((r, c, _)) if r == release && **c == *capabilities) {
        *kept = None;
    }
    let (_, kept_capabilities, release_value) = kept.get_or_insert_with(|| {
        (
            release.clone(),
            Arc::new(capabilities.clone()),
            release.to_value(),
        )
    });
    let release_value = match shared {
        true => release_value.clone(),
        false => release.to_value(),
    };
    (release_value, Value::Object(kept_capabilities.clone()))
}

/// [`chart_value`], kept between renders of the same chart while the process caches are on
/// ([`crate::set_process_caches`]). With `shared`, the kept value itself, which other renders
/// hold too: only for a render whose templates cannot change a map in place. Without, a copy
/// whose maps are its own.
pub(crate) fn kept_chart_value(chart: &Chart, shared: bool) -> Value {
    if !crate::process_caches() {
        return chart_value(chart);
    }
    let kept = kept_charts::get_or_build(&chart.metadata, chart.is_root(), || chart_value(chart));
    if shared {
        return kept;
    }
    // Built here from the metadata: no map holds itself.
    kept.deep_copy_acyclic()
        .unwrap_or_else(|| chart_value(chart))
}

/// `.Template`: the name of the template being rendered and its chart's `templates` folder.
pub fn template_value(name: &str, base_path: &str) -> Value {
    let mut map = Map::new();
    map.insert("Name".into(), Value::from(name));
    map.insert("BasePath".into(), Value::from(base_path));
    Value::named_map(&VALUES, map)
}

/// `.Capabilities` as a template value.
pub fn capabilities_value(caps: &Capabilities) -> Value {
    Value::Object(Arc::new(caps.clone()))
}

#[cfg(test)]
mod tests {
    use super::CHART_KEYS;
    use crate::chart::Metadata;

    #[test]
    fn chart_keys_are_the_metadata_fields_and_is_root_in_byte_order() {
        let mut expected = Metadata::GO_FIELDS.to_vec();
        expected.push("IsRoot");
        expected.sort_unstable();
        assert_eq!(CHART_KEYS.to_vec(), expected);
    }
}
