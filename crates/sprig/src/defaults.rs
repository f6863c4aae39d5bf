//! Sprig's defaults and flow functions: `default`, `empty`, `coalesce`, `all`, `any`,
//! `ternary` (Helm's `fail` replaces Sprig's; see `helm.rs`).

use helmet_value::{ArgType, FuncMap, Value};

use crate::{arg_bool, def, def_var, is_empty};

use ArgType::{Any, Bool};

pub(crate) fn register(map: &mut FuncMap) {
    def_var(map, "default", &[Any], Any, |_, a| {
        Ok(match a.get(1) {
            Some(given) if !is_empty(given) => given.clone(),
            _ => a[0].clone(),
        })
    });
    def(map, "empty", &[Any], |_, a| {
        Ok(Value::Bool(is_empty(&a[0])))
    });
    def_var(map, "coalesce", &[], Any, |_, a| {
        Ok(a.iter()
            .find(|v| !is_empty(v))
            .cloned()
            .unwrap_or(Value::Nil))
    });
    def_var(map, "all", &[], Any, |_, a| {
        Ok(Value::Bool(a.iter().all(|v| !is_empty(v))))
    });
    def_var(map, "any", &[], Any, |_, a| {
        Ok(Value::Bool(a.iter().any(|v| !is_empty(v))))
    });
    def(map, "ternary", &[Any, Any, Bool], |_, a| {
        Ok(if arg_bool(a, 2) {
            a[0].clone()
        } else {
            a[1].clone()
        })
    });
}
