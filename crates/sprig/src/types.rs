//! Sprig's reflection functions: `typeOf`, `typeIs`, `typeIsLike`, `kindOf`, `kindIs`,
//! `deepEqual`.

use helmet_value::{ArgType, FuncMap, Value};

use crate::{arg_str, deep_equal, def};

use ArgType::{Any, String as Str};

pub(crate) fn register(map: &mut FuncMap) {
    def(map, "typeOf", &[Any], |_, a| {
        Ok(Value::from(a[0].type_name()))
    });
    def(map, "typeIs", &[Str, Any], |_, a| {
        Ok(Value::Bool(arg_str(a, 0) == a[1].type_name()))
    });
    def(map, "typeIsLike", &[Str, Any], |_, a| {
        let t = a[1].type_name();
        let target = arg_str(a, 0);
        Ok(Value::Bool(target == t || format!("*{target}") == t))
    });
    def(map, "kindOf", &[Any], |_, a| {
        Ok(Value::from(a[0].kind_name()))
    });
    def(map, "kindIs", &[Str, Any], |_, a| {
        Ok(Value::Bool(arg_str(a, 0) == a[1].kind_name()))
    });
    def(map, "deepEqual", &[Any, Any], |_, a| {
        Ok(Value::Bool(deep_equal(&a[0], &a[1])))
    });
}
