//! `getHostByName`. Helm replaces Sprig's DNS lookup with a function that returns the empty
//! string unless DNS is enabled (`--enable-dns`); helmet renders offline, so it always does.

use helmet_value::{ArgType, FuncMap, Value};

use crate::def;

pub(crate) fn register(map: &mut FuncMap) {
    def(map, "getHostByName", &[ArgType::String], |_, _| {
        Ok(Value::from(""))
    });
}
