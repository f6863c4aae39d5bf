//! Sprig's dictionary functions.
//!
//! Go maps are shared references, so Sprig's `set`, `unset` and `merge` change the map they are
//! given. helmet's values are immutable; these functions return the changed map, which covers
//! `$d = set $d ...` and pipelines but not a later read of the original variable.

use helmet_value::{ArgType, ElemType, FuncError, FuncMap, Map, Value};

use crate::{arg_str, def, def_var, is_empty, strval};

use ArgType::{Any, MapAny, String as Str};

fn entries(v: &Value) -> Map {
    v.as_map().cloned().unwrap_or_default()
}

/// mergo's deep merge of `src` into `dst`: maps merge key by key; other values fill keys that
/// are missing or empty in `dst` (or, with `overwrite`, replace them).
fn merge_into(dst: &mut Map, src: &Map, overwrite: bool, depth: usize) -> Result<(), FuncError> {
    if depth > 10_000 {
        return Err(FuncError::new("merge: maps nested too deeply"));
    }
    for (k, sv) in src {
        match (dst.get_mut(k), sv) {
            (Some(Value::Map(dm)), Value::Map(sm)) => {
                let mut inner = dm.entries.clone();
                merge_into(&mut inner, &sm.entries, overwrite, depth + 1)?;
                let elem = dm.elem;
                *dst.get_mut(k).expect("key present") = Value::typed_map(elem, inner);
            }
            (Some(dv), sv) => {
                // With override mergo replaces even with an empty value; without, it only
                // fills values that are empty.
                if overwrite || (is_empty(dv) && !is_empty(sv)) {
                    *dv = sv.clone();
                }
            }
            (None, sv) => {
                dst.insert(k.clone(), sv.clone());
            }
        }
    }
    Ok(())
}

fn merge_all(a: &[Value], overwrite: bool) -> Result<Value, FuncError> {
    let mut dst = entries(&a[0]);
    for src in &a[1..] {
        merge_into(&mut dst, &entries(src), overwrite, 0)?;
    }
    Ok(Value::map(dst))
}

/// Sprig's `dig`: keys, then a default, then the map.
fn dig(a: &[Value]) -> Result<Value, FuncError> {
    if a.len() < 3 {
        return Err(FuncError::new("dig needs at least three arguments"));
    }
    let last = &a[a.len() - 1];
    let Value::Map(m) = last else {
        return Err(interface_conversion(last, "map[string]interface {}"));
    };
    let default = &a[a.len() - 2];
    let mut keys = Vec::new();
    for k in &a[..a.len() - 2] {
        match k {
            Value::String(s) => keys.push(s.to_string()),
            other => return Err(interface_conversion(other, "string")),
        }
    }
    let mut current = m.entries.clone();
    for (i, k) in keys.iter().enumerate() {
        let Some(step) = current.get(k) else {
            return Ok(default.clone());
        };
        if i + 1 == keys.len() {
            return Ok(step.clone());
        }
        match step {
            Value::Map(next) if next.elem == ElemType::Interface => {
                current = next.entries.clone();
            }
            other => return Err(interface_conversion(other, "map[string]interface {}")),
        }
    }
    Ok(default.clone())
}

/// Go's panic text for a failed type assertion on an `interface {}`.
fn interface_conversion(v: &Value, want: &str) -> FuncError {
    if v.is_nil() {
        return FuncError::new(format!(
            "interface conversion: interface {{}} is nil, not {want}"
        ));
    }
    FuncError::new(format!(
        "interface conversion: interface {{}} is {}, not {want}",
        v.type_name()
    ))
}

pub(crate) fn register(map: &mut FuncMap) {
    def_var(map, "dict", &[], Any, |_, a| {
        let mut m = Map::new();
        for pair in a.chunks(2) {
            let key = strval(&pair[0]);
            m.insert(key, pair.get(1).cloned().unwrap_or_else(|| Value::from("")));
        }
        Ok(Value::map(m))
    });
    def(map, "get", &[MapAny, Str], |_, a| {
        Ok(a[0]
            .as_map()
            .and_then(|m| m.get(arg_str(a, 1)))
            .cloned()
            .unwrap_or_else(|| Value::from("")))
    });
    def(map, "set", &[MapAny, Str, Any], |_, a| {
        let mut m = entries(&a[0]);
        m.insert(arg_str(a, 1).to_string(), a[2].clone());
        Ok(Value::map(m))
    });
    def(map, "unset", &[MapAny, Str], |_, a| {
        let mut m = entries(&a[0]);
        m.remove(arg_str(a, 1));
        Ok(Value::map(m))
    });
    def(map, "hasKey", &[MapAny, Str], |_, a| {
        Ok(Value::Bool(
            a[0].as_map().is_some_and(|m| m.contains_key(arg_str(a, 1))),
        ))
    });
    def_var(map, "pluck", &[Str], MapAny, |_, a| {
        let key = arg_str(a, 0);
        Ok(Value::list(
            a[1..]
                .iter()
                .filter_map(|d| d.as_map().and_then(|m| m.get(key)).cloned())
                .collect(),
        ))
    });
    def_var(map, "keys", &[], MapAny, |_, a| {
        let keys = a
            .iter()
            .flat_map(|d| entries(d).into_keys().map(Value::from))
            .collect();
        Ok(Value::typed_list(ElemType::String, keys))
    });
    def(map, "values", &[MapAny], |_, a| {
        Ok(Value::list(entries(&a[0]).into_values().collect()))
    });
    def_var(map, "pick", &[MapAny], Str, |_, a| {
        let m = entries(&a[0]);
        let mut out = Map::new();
        for k in &a[1..] {
            let k = k.as_str().unwrap_or("");
            if let Some(v) = m.get(k) {
                out.insert(k.to_string(), v.clone());
            }
        }
        Ok(Value::map(out))
    });
    def_var(map, "omit", &[MapAny], Str, |_, a| {
        let mut m = entries(&a[0]);
        for k in &a[1..] {
            m.remove(k.as_str().unwrap_or(""));
        }
        Ok(Value::map(m))
    });
    for (name, overwrite) in [
        ("merge", false),
        ("mustMerge", false),
        ("mergeOverwrite", true),
        ("mustMergeOverwrite", true),
    ] {
        def_var(map, name, &[MapAny], MapAny, move |_, a| {
            merge_all(a, overwrite)
        });
    }
    for name in ["deepCopy", "mustDeepCopy"] {
        def(map, name, &[Any], |_, a| {
            if a[0].is_nil() {
                // copystructure asks reflection for the type of nothing.
                return Err(FuncError::new(
                    "reflect: call of reflect.Value.Type on zero Value",
                ));
            }
            // Values are immutable and shared, so the copy is the value itself.
            Ok(a[0].clone())
        });
    }
    def_var(map, "dig", &[], Any, |_, a| dig(a));
}
