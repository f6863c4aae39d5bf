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

use crate::chart::{Chart, Metadata};

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
    let map: Map = Metadata::GO_FIELDS
        .iter()
        .filter_map(|&name| {
            let value = chart.metadata.go_field(name)?;
            // `go_field` builds every map it returns afresh, except the `import-values` entries
            // of `Dependencies`, which are the chart's own values.
            let fresh = name != "Dependencies";
            Some((name.to_string(), slices_as_interface(value, fresh)))
        })
        .chain([("IsRoot".to_string(), Value::Bool(chart.is_root()))])
        .collect();
    Value::map(map)
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
