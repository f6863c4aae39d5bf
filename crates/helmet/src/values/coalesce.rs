//! Helm's value coalescing (`chartutil.CoalesceValues`/`MergeValues`): user values over chart
//! defaults, subchart defaults under their names, globals copied down to subcharts.
//!
//! Go mutates shared maps in place; here changed maps are rebuilt and unchanged ones shared (the
//! render copies the values before a template can change them). The one aliasing effect of Go's
//! in-place merging that shows in the result, the maps two levels under `global` being one map
//! in a chart and all its subcharts, is replayed by [`coalesce_deps`].

use std::sync::Arc;

use helmet_value::{ElemType, Map, TypedMap, Value};

use crate::chart::{Chart, Error};

/// Warnings collected while computing values. Helm writes each to stderr through Go's `log`
/// (prefixed with `YYYY/MM/DD HH:MM:SS `; `slog` lines read `... WARN message key=value`), and
/// repeats them once per coalescing pass; we collect each occurrence of our own passes, so the
/// lines match Helm's but their number may not.
pub type Warnings = Vec<String>;

const GLOBAL: &str = "global";
/// How deep value trees may nest before we stop (protects the stack).
const MAX_DEPTH: usize = 10_000;

fn concat(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn entries(v: &Value) -> Option<Arc<Map>> {
    v.as_map()
}

/// Go's `%v` for the values in warnings: `map[k:v]` with sorted keys, `[a b]` for slices,
/// floats in `%g`'s shortest form.
fn go_v(v: &Value) -> String {
    match v {
        Value::Nil => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => s.to_string(),
        // Values come from YAML and JSON text, which hold no such strings.
        Value::ByteString(b) => helmet_value::gostring::to_text_lossy(b),
        Value::Int(i) | Value::Int64(i) => i.to_string(),
        Value::Uint64(u) => u.to_string(),
        Value::Uint8(u) => u.to_string(),
        Value::Complex128(..) => helmet_value::fmt::format_value(v),
        Value::Float64(f) => go_float(*f),
        Value::Bytes(b) => format!("{:?}", b.as_ref()).replace(',', ""),
        Value::List(l) => format!(
            "[{}]",
            l.items.iter().map(go_v).collect::<Vec<_>>().join(" ")
        ),
        Value::Map(m) => format!(
            "map[{}]",
            m.entries()
                .iter()
                .map(|(k, v)| format!("{k}:{}", go_v(v)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Value::Object(o) => o.go_format(),
    }
}

/// Go's `%t` (meant for booleans) applied to any value, as Helm's "type mismatch" error
/// prints it: `%!t(string=x)`, `%!t(<nil>)`, and element-wise inside slices and maps.
fn go_bad_t(v: &Value) -> String {
    match v {
        Value::Nil => "%!t(<nil>)".into(),
        other => go_bad_t_inner(other),
    }
}

/// `%t` inside a slice or map, where a nil element prints as `<nil>`.
fn go_bad_t_inner(v: &Value) -> String {
    match v {
        Value::Nil => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::List(l) => format!(
            "[{}]",
            l.items
                .iter()
                .map(go_bad_t_inner)
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Value::Map(m) => format!(
            "map[{}]",
            m.entries()
                .iter()
                .map(|(k, v)| format!("%!t(string={k}):{}", go_bad_t_inner(v)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        other => format!("%!t({}={})", other.type_name(), go_v(other)),
    }
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`: shortest digits, exponent form when the exponent is
/// below -4 or at least 6 (Go's rule for the shortest precision).
fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    format!("{f}")
}

/// The final values of `chart` for `user` values (Helm's `CoalesceValues`): `null` in user
/// values removes chart defaults.
pub fn coalesce_values(
    chart: &Chart,
    user: &Value,
    warnings: &mut Warnings,
) -> Result<Value, Error> {
    let dest = entries(user).map(|m| (*m).clone()).unwrap_or_default();
    coalesce(chart, dest, "", false, warnings, 0).map(Value::map)
}

/// Helm's `MergeValues`: like coalescing, but `null`s are kept.
pub fn merge_values(chart: &Chart, user: &Value, warnings: &mut Warnings) -> Result<Value, Error> {
    let dest = entries(user).map(|m| (*m).clone()).unwrap_or_default();
    coalesce(chart, dest, "", true, warnings, 0).map(Value::map)
}

fn coalesce(
    chart: &Chart,
    dest: Map,
    prefix: &str,
    merge: bool,
    warnings: &mut Warnings,
    depth: usize,
) -> Result<Map, Error> {
    if depth > 64 {
        return Err(Error::new("subcharts are nested too deeply"));
    }
    let dest = coalesce_own(chart, dest, prefix, merge, warnings);
    coalesce_deps(chart, dest, prefix, merge, warnings, depth)
}

fn coalesce_deps(
    chart: &Chart,
    mut dest: Map,
    prefix: &str,
    merge: bool,
    warnings: &mut Warnings,
    depth: usize,
) -> Result<Map, Error> {
    // Go's coalesceGlobals gives a subchart a copy of each of the parent's `global.KEY` maps,
    // but the copy's values are the parent's own: a map at `global.KEY.INNER` is one map in the
    // parent and in every subchart below it, so what any of them merges into it (a subchart's
    // default for a key the parent lacks) shows in all of them.
    let shared = shared_global_maps(&dest);
    for sub in &chart.dependencies {
        let name = sub.name();
        let sub_values = match dest.get(name) {
            None => Map::new(),
            Some(Value::Map(m)) => m.to_map(),
            Some(other) => {
                return Err(Error::new(format!(
                    "type mismatch on {name}: {}",
                    go_bad_t(other)
                )))
            }
        };
        let sub_prefix = concat(prefix, chart.name());
        let sub_values = coalesce_globals(sub_values, &dest, &sub_prefix, warnings);
        let result = coalesce(sub, sub_values, &sub_prefix, merge, warnings, depth + 1)?;
        for (key, inner) in &shared {
            if let Some(merged) = global_map_at(&result, key, inner) {
                set_global_map(&mut dest, key, inner, merged);
            }
        }
        dest.insert(name.to_string(), Value::map(result));
    }
    // The subcharts handled first see what the later ones merged into the shared maps too.
    for (key, inner) in &shared {
        if let Some(last) = global_map_at(&dest, key, inner) {
            share_down(chart, &mut dest, key, inner, &last, 0);
        }
    }
    Ok(dest)
}

/// The `(KEY, INNER)` pairs for which `values` holds a map at `global.KEY.INNER`.
fn shared_global_maps(values: &Map) -> Vec<(String, String)> {
    let Some(Value::Map(global)) = values.get(GLOBAL) else {
        return Vec::new();
    };
    let mut pairs = Vec::new();
    for (key, val) in global.entries().iter() {
        if let Value::Map(m) = val {
            for (inner, v) in m.entries().iter() {
                if matches!(v, Value::Map(_)) {
                    pairs.push((key.clone(), inner.clone()));
                }
            }
        }
    }
    pairs
}

/// The map at `global.KEY.INNER` of `values`, if there is one.
fn global_map_at(values: &Map, key: &str, inner: &str) -> Option<Value> {
    let global = entries(values.get(GLOBAL)?)?;
    let at_key = entries(global.get(key)?)?;
    match at_key.get(inner) {
        Some(v @ Value::Map(_)) => Some(v.clone()),
        _ => None,
    }
}

/// Replaces the map at `global.KEY.INNER` of `values` (which holds one there).
fn set_global_map(values: &mut Map, key: &str, inner: &str, map: Value) {
    let Some(Value::Map(global)) = values.get(GLOBAL) else {
        return;
    };
    let mut global = global.to_map();
    let Some(Value::Map(at_key)) = global.get(key) else {
        return;
    };
    let mut at_key = at_key.to_map();
    at_key.insert(inner.to_string(), map);
    global.insert(key.to_string(), Value::map(at_key));
    values.insert(GLOBAL.to_string(), Value::map(global));
}

/// Puts `last`, the final state of a shared `global.KEY.INNER` map, into the values of each
/// subchart below `chart` that shares it (each whose globals hold a map there).
fn share_down(chart: &Chart, values: &mut Map, key: &str, inner: &str, last: &Value, depth: usize) {
    if depth > 64 {
        return;
    }
    for sub in &chart.dependencies {
        let Some(Value::Map(sub_values)) = values.get(sub.name()) else {
            continue;
        };
        let mut sub_values = sub_values.to_map();
        if global_map_at(&sub_values, key, inner).is_none() {
            continue;
        }
        set_global_map(&mut sub_values, key, inner, last.clone());
        share_down(sub, &mut sub_values, key, inner, last, depth + 1);
        values.insert(sub.name().to_string(), Value::map(sub_values));
    }
}

/// Copies the parent's `global` map into the child's; the parent's entries win.
fn coalesce_globals(mut dest: Map, src: &Map, prefix: &str, warnings: &mut Warnings) -> Map {
    let mut dg = match dest.get(GLOBAL) {
        None => Map::new(),
        Some(Value::Map(m)) => m.to_map(),
        Some(_) => {
            warnings.push(format!(
                "warning: skipping globals because destination {GLOBAL} is not a table."
            ));
            return dest;
        }
    };
    let sg = match src.get(GLOBAL) {
        None => Map::new(),
        Some(Value::Map(m)) => m.to_map(),
        Some(_) => {
            warnings.push(format!(
                "warning: skipping globals because source {GLOBAL} is not a table."
            ));
            return dest;
        }
    };
    for (key, val) in sg {
        match &val {
            Value::Map(vm) => match dg.get(&key) {
                None => {
                    dg.insert(key, val.clone());
                }
                Some(Value::Map(destv)) => {
                    let merged = coalesce_tables(
                        vm.to_map(),
                        destv.to_map(),
                        &concat(prefix, &key),
                        true,
                        warnings,
                        0,
                    );
                    dg.insert(key, Value::map(merged));
                }
                Some(_) => warnings.push(format!(
                    "Conflict: cannot merge map onto non-map for {}. Skipping.",
                    helmet_value::strconv::quote(&key)
                )),
            },
            _ => {
                if matches!(dg.get(&key), Some(Value::Map(_))) {
                    warnings.push(format!("key {key} is table. Skipping"));
                } else {
                    dg.insert(key, val);
                }
            }
        }
    }
    dest.insert(GLOBAL.to_string(), Value::map(dg));
    dest
}

/// Removes `null`s from a tree.
pub fn clean_nils(m: Map) -> Map {
    m.into_iter()
        .filter(|(_, v)| !v.is_nil())
        .map(|(k, v)| (k, without_nils(&v)))
        .collect()
}

/// `v` with the `null`s of its nested maps removed. A map that holds none and is already what
/// [`clean_nils`] builds (as every map read from YAML is) is shared rather than rebuilt: the
/// render copies the values before any template can change a map in place.
fn without_nils(v: &Value) -> Value {
    match v {
        Value::Map(m) if !clean_already(m) => Value::map(clean_nils(m.to_map())),
        other => other.clone(),
    }
}

/// Whether `m` and the maps nested in it (not inside lists) hold no `null` and are non-nil,
/// unnamed `map[string]interface {}`s.
fn clean_already(m: &TypedMap) -> bool {
    m.elem == ElemType::Interface
        && m.map_type().is_none()
        && !m.is_nil()
        && m.entries().values().all(|v| match v {
            Value::Nil => false,
            Value::Map(inner) => clean_already(inner),
            _ => true,
        })
}

/// The chart's own defaults under the user's values (Helm's `coalesceValues`).
fn coalesce_own(
    chart: &Chart,
    mut v: Map,
    prefix: &str,
    merge: bool,
    warnings: &mut Warnings,
) -> Map {
    let sub_prefix = concat(prefix, chart.name());
    let Some(defaults) = entries(&chart.values) else {
        return v;
    };
    for (key, val) in defaults.iter() {
        match v.get(key) {
            Some(value) => {
                if value.is_nil() && !merge {
                    v.remove(key);
                } else if let Value::Map(dest) = value {
                    match val {
                        Value::Map(src) => {
                            let merge = merge || chart.dependencies.iter().any(|d| d.name() == key);
                            if rebuilt_as_is(dest)
                                && adds_nothing(&dest.entries(), &src.entries(), merge, !merge, 0)
                            {
                                continue;
                            }
                            let src = if merge {
                                src.to_map()
                            } else {
                                clean_nils(src.to_map())
                            };
                            let merged = coalesce_tables(
                                dest.to_map(),
                                src,
                                &concat(&sub_prefix, key),
                                merge,
                                warnings,
                                0,
                            );
                            v.insert(key.clone(), Value::map(merged));
                        }
                        Value::Nil => {}
                        _ => warnings.push(format!(
                            "warning: skipped value for {sub_prefix}.{key}: Not a table."
                        )),
                    }
                }
            }
            None => {
                if !merge {
                    match val {
                        Value::Nil => continue,
                        Value::Map(_) => {
                            v.insert(key.clone(), without_nils(val));
                            continue;
                        }
                        _ => {}
                    }
                }
                v.insert(key.clone(), val.clone());
            }
        }
    }
    v
}

/// Whether `m` is a map that [`coalesce_tables`] would rebuild as it is: an unnamed, non-nil
/// `map[string]interface {}` (the same test as [`clean_already`]'s for sharing a map).
fn rebuilt_as_is(m: &TypedMap) -> bool {
    m.elem == ElemType::Interface && m.map_type().is_none() && !m.is_nil()
}

/// Whether [`coalesce_tables`] of `src` into `dst` would give back `dst` unchanged and warn
/// about nothing, so the caller can keep the map it has instead of copying both (values are
/// coalesced three times a load, and from the second time on the defaults are mostly in
/// already). `src_cleaned` reads `src` as [`clean_nils`] would leave it.
fn adds_nothing(dst: &Map, src: &Map, merge: bool, src_cleaned: bool, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    src.iter().all(|(key, sv)| {
        if src_cleaned && sv.is_nil() {
            return true;
        }
        match dst.get(key.as_str()) {
            None => false,
            Some(Value::Nil) => merge || sv.is_nil(),
            Some(Value::Map(dm)) => match sv {
                Value::Map(sm) => {
                    rebuilt_as_is(dm)
                        && adds_nothing(&dm.entries(), &sm.entries(), merge, src_cleaned, depth + 1)
                }
                Value::Nil => true,
                _ => false,
            },
            Some(_) => !matches!(sv, Value::Map(_)),
        }
    })
}

/// Helm's `coalesceTablesFullKey`: `src` fills in what `dst` lacks; `dst` wins.
pub fn coalesce_tables(
    mut dst: Map,
    mut src: Map,
    prefix: &str,
    merge: bool,
    warnings: &mut Warnings,
    depth: usize,
) -> Map {
    if depth > MAX_DEPTH {
        return dst;
    }
    // A `null` in `dst` stays unless `src` has a value there (then, when not merging, the key
    // goes); `src`'s value itself is never taken for it. Those keys are settled first, with no
    // warning, so the loop below skips them.
    if !merge {
        let cleared: Vec<String> = dst
            .iter()
            .filter(|(key, val)| val.is_nil() && src.get(key.as_str()).is_some_and(|v| !v.is_nil()))
            .map(|(key, _)| key.clone())
            .collect();
        for key in &cleared {
            dst.remove(key);
            src.remove(key);
        }
    }
    for (key, val) in src {
        match dst.get(&key) {
            None => {
                dst.insert(key, val);
            }
            Some(dv) if dv.is_nil() => {}
            Some(dv) => match (&val, dv) {
                (Value::Map(sm), Value::Map(dm)) => {
                    if rebuilt_as_is(dm)
                        && adds_nothing(&dm.entries(), &sm.entries(), merge, false, depth + 1)
                    {
                        continue;
                    }
                    let merged = coalesce_tables(
                        dm.to_map(),
                        sm.to_map(),
                        &concat(prefix, &key),
                        merge,
                        warnings,
                        depth + 1,
                    );
                    dst.insert(key, Value::map(merged));
                }
                (Value::Map(_), _) => warnings.push(format!(
                    "warning: cannot overwrite table with non table for {} ({})",
                    concat(prefix, &key),
                    go_v(&val)
                )),
                (_, Value::Map(_)) if !val.is_nil() => warnings.push(format!(
                    "warning: destination for {} is a table. Ignoring non-table value ({})",
                    concat(prefix, &key),
                    go_v(&val)
                )),
                _ => {}
            },
        }
    }
    dst
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The deepest trees our readers produce (YAML allows 1000 levels) coalesce without
    /// exhausting a test thread's stack.
    #[test]
    fn deep_trees_coalesce() {
        let nest = |leaf: Value| {
            let mut v = leaf;
            for _ in 0..1100 {
                let mut m = Map::new();
                m.insert("k".into(), v);
                v = Value::map(m);
            }
            v
        };
        let chart = Chart {
            values: nest(Value::Float64(1.0)),
            ..Chart::default()
        };
        let user = nest(Value::Nil);
        let mut warnings = Warnings::new();
        let out = coalesce_values(&chart, &user, &mut warnings).unwrap();
        // The user's innermost null removed the chart's innermost value.
        let mut depth = 0;
        let mut cur = out;
        while let Some(next) = cur.map_get("k") {
            cur = next;
            depth += 1;
        }
        assert_eq!(depth, 1099);
        assert!(cur.as_map().is_some_and(|m| m.is_empty()));
    }

    /// What [`coalesce_tables`] gives and how each map is typed, to compare results.
    fn describe(v: &Value) -> String {
        match v {
            Value::Map(m) => format!(
                "{:?}/{}/{}{{{}}}",
                m.elem,
                m.map_type().is_some(),
                m.is_nil(),
                m.entries()
                    .iter()
                    .map(|(k, v)| format!("{k}:{}", describe(v)))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            other => format!("{}({})", other.type_name(), go_v(other)),
        }
    }

    /// Wherever [`adds_nothing`] lets a caller keep `dst`, coalescing gives `dst` back as it
    /// is (same entries, same map types) and warns about nothing; and it does let it somewhere.
    #[test]
    fn adds_nothing_means_coalescing_keeps_dst() {
        let map_of = |entries: &[(&str, Value)]| {
            let mut m = Map::new();
            for (k, v) in entries {
                m.insert(k.to_string(), v.clone());
            }
            m
        };
        let text = |s: &str| Value::String(s.into());
        let leaves = vec![
            None,
            Some(Value::Nil),
            Some(text("a")),
            Some(text("b")),
            Some(Value::map(Map::new())),
            Some(Value::map(map_of(&[("x", Value::Nil)]))),
            Some(Value::map(map_of(&[("x", text("a"))]))),
            Some(Value::map(map_of(&[(
                "x",
                Value::map(map_of(&[("y", text("a")), ("z", Value::Nil)])),
            )]))),
            Some(Value::typed_map(
                ElemType::String,
                map_of(&[("x", text("a"))]),
            )),
        ];
        let mut kept = 0;
        for d in &leaves {
            for s in &leaves {
                for merge in [false, true] {
                    for cleaned in [false, true] {
                        let mut dst = map_of(&[("j", text("c"))]);
                        let mut src = Map::new();
                        if let Some(d) = d {
                            dst.insert("k".into(), d.clone());
                        }
                        if let Some(s) = s {
                            src.insert("k".into(), s.clone());
                        }
                        if !adds_nothing(&dst, &src, merge, cleaned, 0) {
                            continue;
                        }
                        kept += 1;
                        let src = if cleaned { clean_nils(src) } else { src };
                        let mut warnings = Warnings::new();
                        let out = coalesce_tables(dst.clone(), src, "p", merge, &mut warnings, 0);
                        let case = format!("dst {d:?} src {s:?} merge {merge} cleaned {cleaned}");
                        assert_eq!(
                            describe(&Value::map(out)),
                            describe(&Value::map(dst)),
                            "{case}"
                        );
                        assert!(warnings.is_empty(), "{case}");
                    }
                }
            }
        }
        assert!(kept > 40, "{kept}");
    }

    #[test]
    fn warnings_print_values_like_go() {
        let mut m = Map::new();
        m.insert("x".into(), Value::Float64(1.0));
        m.insert(
            "y".into(),
            Value::list(vec![Value::Float64(1e6), Value::Nil]),
        );
        assert_eq!(go_v(&Value::map(m)), "map[x:1 y:[1e+06 <nil>]]");
        assert_eq!(go_float(123456.0), "123456");
        assert_eq!(go_float(0.0001), "0.0001");
        assert_eq!(go_float(0.00001), "1e-05");
        assert_eq!(go_float(2.5), "2.5");
    }
}
