//! Helm's `common.Values`: the named map type templates receive as `.`, `.Values` and
//! `.Template`. Its name shows in `typeOf`, `%T` and `%#v`, and its methods (`YAML`, `Table`,
//! `AsMap`, `PathValue`, `Encode`) are callable as fields, ahead of keys of the same name.

use std::sync::Arc;

use helmet_value::{ArgType, Func, FuncError, MapType, TypedMap, Value};

/// The `common.Values` type.
pub static VALUES: MapType = MapType {
    name: "common.Values",
    method: values_method,
};

/// A map as common.Values (the same map; anything else is left as it is).
pub fn as_values(v: &Value) -> Value {
    match v {
        Value::Map(m) => Value::Map(Arc::new(TypedMap::view(m, Some(&VALUES)))),
        other => other.clone(),
    }
}

fn values_method(receiver: &Value, name: &str) -> Option<Func> {
    // Every field read of a common.Values map asks for a method first: names that are none
    // leave before the map is shared with a closure.
    if !matches!(
        name.as_bytes().first(),
        Some(b'Y' | b'A' | b'T' | b'P' | b'E')
    ) || !matches!(name, "YAML" | "AsMap" | "Table" | "PathValue" | "Encode")
    {
        return None;
    }
    let Value::Map(map) = receiver else {
        return None;
    };
    let map = map.clone();
    Some(match name {
        // sigs.k8s.io/yaml's Marshal, final newline kept.
        "YAML" => Func::new(&[], move |_, _| {
            helmet_yaml::to_yaml(&Value::Map(map.clone()))
                .map(Value::from)
                .map_err(|e| FuncError::new(e.to_string()))
        }),
        // The same map as map[string]interface {} (a new empty map when it has no entries).
        "AsMap" => Func::new(&[], move |_, _| {
            Ok(if map.is_empty() {
                Value::empty_map()
            } else {
                Value::Map(Arc::new(TypedMap::view(&map, None)))
            })
        }),
        "Table" => Func::new(&[ArgType::String], move |_, a| {
            table(&map, a[0].as_str().unwrap_or_default())
        }),
        "PathValue" => Func::new(&[ArgType::String], move |_, a| {
            path_value(&map, a[0].as_str().unwrap_or_default())
        }),
        // Its io.Writer parameter: no template value is one, so the engine refuses every
        // argument but nil, which the encoder then dereferences.
        "Encode" => Func::new(&[ArgType::Interface("io.Writer")], |_, _| {
            Err(FuncError::new(
                "runtime error: invalid memory address or nil pointer dereference",
            ))
        }),
        _ => return None,
    })
}

/// A YAML table: an unnamed `map[string]interface {}` (Helm's `istable`).
fn is_table(v: &Value) -> bool {
    matches!(v, Value::Map(m) if m.elem == helmet_value::ElemType::Interface && m.type_name().is_none())
}

/// `Values.Table`: the map under a dotted path, as common.Values.
fn table(map: &Arc<TypedMap>, path: &str) -> Result<Value, FuncError> {
    let mut current = map.clone();
    for key in path.split('.') {
        match current.get(key) {
            Some(Value::Map(next))
                if next.elem == helmet_value::ElemType::Interface
                    && (next.type_name().is_none() || next.type_name() == Some(VALUES.name)) =>
            {
                current = next;
            }
            _ => {
                return Err(FuncError::new(format!(
                    "{} is not a table",
                    helmet_value::strconv::quote(key)
                )))
            }
        }
    }
    Ok(Value::Map(Arc::new(TypedMap::view(
        &current,
        Some(&VALUES),
    ))))
}

/// `Values.PathValue`: the value (not a table) under a dotted path.
fn path_value(map: &Arc<TypedMap>, path: &str) -> Result<Value, FuncError> {
    if path.is_empty() {
        return Err(FuncError::new("YAML path cannot be empty"));
    }
    let not_a_value = |key: &str| {
        FuncError::new(format!(
            "{} is not a value",
            helmet_value::strconv::quote(key)
        ))
    };
    let (parent, key) = match path.rsplit_once('.') {
        Some((parent, key)) => (Some(parent), key),
        None => (None, path),
    };
    let holder = match parent {
        None => map.clone(),
        Some(parent) => match table(map, parent) {
            Ok(Value::Map(m)) => m,
            _ => return Err(not_a_value(key)),
        },
    };
    match holder.get(key) {
        Some(v) if !is_table(&v) => Ok(v),
        _ => Err(not_a_value(key)),
    }
}
