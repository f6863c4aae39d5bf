//! Sprig's dictionary functions.
//!
//! Go maps are shared references, so Sprig's `set`, `unset`, `merge` and `mergeOverwrite` change
//! the map they are given (and return it): the change shows through every variable and every
//! enclosing map that holds it, which is how charts build `include` arguments
//! (`$_ := set $ctx "k" v`).

use std::sync::Arc;

use helmet_value::{ArgType, ElemType, FuncError, FuncMap, Map, TypedMap, Value};

use crate::{arg_str, def, def_var, is_empty, try_strval};

use ArgType::{Any, ByteString as Bs, MapAny, String as Str};

/// A snapshot of a map argument's entries (a nil map has none).
fn entries(v: &Value) -> Arc<Map> {
    v.as_map().unwrap_or_default()
}

/// Go's panic for writing into a nil map, as Helm reports it.
fn nil_map_write() -> FuncError {
    FuncError::new("assignment to entry in nil map")
}

/// mergo's deep merge of `src` into `dst`, in place: maps merge key by key (the nested maps of
/// `dst` change too); other values fill keys that are missing or empty in `dst` (or, with
/// `overwrite`, replace them). Keys `dst` lacks receive `src`'s value itself (shared, as in Go).
///
/// `src` is a snapshot and no lock is held across the recursion, so merging a map into itself
/// (or into a map nested in it) cannot deadlock.
fn merge_into(dst: &TypedMap, src: &Map, overwrite: bool, depth: usize) -> Result<(), FuncError> {
    if depth > 10_000 {
        return Err(FuncError::new("merge: maps nested too deeply"));
    }
    for (k, sv) in src {
        // mergo skips a nil source value unless it overwrites (then nil replaces anything).
        if sv.is_nil() && !overwrite {
            continue;
        }
        match (dst.get(k), sv) {
            (Some(Value::Map(dm)), Value::Map(sm)) => {
                merge_into(&dm, &sm.entries(), overwrite, depth + 1)?;
            }
            (Some(dv), sv) => {
                // With override mergo replaces even with an empty value; without, it fills
                // values that are empty, with any value that is not nil (`""` over `0`, `[]`
                // over `""`, `""` over an empty map).
                if overwrite || is_empty(&dv) {
                    dst.update(|m| m.insert(k.clone(), sv.clone()));
                }
            }
            (None, sv) => {
                dst.update(|m| m.insert(k.clone(), sv.clone()));
            }
        }
    }
    Ok(())
}

fn merge_all(a: &[Value], overwrite: bool) -> Result<Value, FuncError> {
    // mergo makes a new map when the destination is nil; otherwise the destination itself
    // changes and is returned.
    let dst = match &a[0] {
        Value::Map(_) => a[0].clone(),
        _ => Value::empty_map(),
    };
    let Value::Map(target) = &dst else {
        unreachable!("the destination is a map")
    };
    for src in &a[1..] {
        merge_into(target, &entries(src), overwrite, 0)?;
    }
    Ok(dst)
}

/// Sprig's `dig`: keys, then a default, then the map.
fn dig(a: &[Value]) -> Result<Value, FuncError> {
    if a.len() < 3 {
        return Err(FuncError::new("dig needs at least three arguments"));
    }
    let last = &a[a.len() - 1];
    // A type assertion: only an unnamed map[string]interface {} passes (not common.Values).
    let m = match last {
        Value::Map(m) if m.elem == ElemType::Interface && m.type_name().is_none() => m,
        _ => return Err(interface_conversion(last, "map[string]interface {}")),
    };
    let default = &a[a.len() - 2];
    let mut keys = Vec::new();
    for k in &a[..a.len() - 2] {
        match k {
            Value::String(s) => keys.push(Some(s.to_string())),
            // A string that is not UTF-8 is no key of a map here.
            Value::ByteString(_) => keys.push(None),
            other => return Err(interface_conversion(other, "string")),
        }
    }
    let mut current = m.entries();
    for (i, k) in keys.iter().enumerate() {
        let Some(step) = k.as_ref().and_then(|k| current.get(k)) else {
            return Ok(default.clone());
        };
        if i + 1 == keys.len() {
            return Ok(step.clone());
        }
        match step {
            Value::Map(next) if next.elem == ElemType::Interface && next.type_name().is_none() => {
                current = next.entries();
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
            let key = match &pair[0] {
                // helmet's map keys are Rust strings, which cannot hold such bytes.
                Value::ByteString(_) => {
                    return Err(FuncError::new(
                        "a map key that is not valid UTF-8 is not supported by helmet",
                    ))
                }
                k => try_strval(k)?,
            };
            m.insert(key, pair.get(1).cloned().unwrap_or_else(|| Value::from("")));
        }
        Ok(Value::map(m))
    });
    // A key that is not UTF-8 is in no map (helmet's maps cannot hold one: `dict` and `set`
    // refuse it), so lookups by it find nothing, as Go's would in these maps.
    def(map, "get", &[MapAny, Bs], |_, a| {
        Ok(a[1]
            .as_str()
            .and_then(|k| a[0].map_get(k))
            .unwrap_or_else(|| Value::from("")))
    });
    def(map, "set", &[MapAny, Str, Any], |_, a| {
        let Value::Map(m) = &a[0] else {
            return Err(nil_map_write());
        };
        m.update(|m| m.insert(arg_str(a, 1).to_string(), a[2].clone()));
        Ok(a[0].clone())
    });
    def(map, "unset", &[MapAny, Bs], |_, a| {
        // Go's delete on a nil map does nothing, and the nil map comes back typed (printing
        // as `map[]`); an empty map is the nearest helmet has.
        let Value::Map(m) = &a[0] else {
            return Ok(Value::empty_map());
        };
        if let Some(key) = a[1].as_str() {
            m.update(|m| m.remove(key));
        }
        Ok(a[0].clone())
    });
    def(map, "hasKey", &[MapAny, Bs], |_, a| {
        Ok(Value::Bool(a[1].as_str().is_some_and(|k| {
            a[0].as_map().is_some_and(|m| m.contains_key(k))
        })))
    });
    def_var(map, "pluck", &[Bs], MapAny, |_, a| {
        let Some(key) = a[0].as_str() else {
            return Ok(Value::list(Vec::new()));
        };
        Ok(Value::list(
            a[1..].iter().filter_map(|d| d.map_get(key)).collect(),
        ))
    });
    def_var(map, "keys", &[], MapAny, |_, a| {
        let keys = a
            .iter()
            .flat_map(|d| {
                entries(d)
                    .keys()
                    .map(|k| Value::from(k.as_str()))
                    .collect::<Vec<_>>()
            })
            .collect();
        Ok(Value::typed_list(ElemType::String, keys))
    });
    def(map, "values", &[MapAny], |_, a| {
        Ok(Value::list(entries(&a[0]).values().cloned().collect()))
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
        let mut m = (*entries(&a[0])).clone();
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
            a[0].deep_copy().ok_or_else(|| {
                FuncError::new("deepCopy of a map that contains itself is not supported")
            })
        });
    }
    def_var(map, "dig", &[], Any, |_, a| dig(a));
}
