//! The function library Helm v4 gives templates: Sprig v3's text functions (minus `env` and
//! `expandenv`, which Helm removes) and Helm's own (`toYaml`, `include`, `tpl`, `required`, ...).
//!
//! Each family lives in its own module and registers itself into one [`FuncMap`].
#![deny(missing_docs)]

use helmet_value::FuncMap;

/// Every function Helm's templates can call, by name.
pub fn functions() -> FuncMap {
    let mut map = FuncMap::new();
    add_to(&mut map);
    map
}

/// Adds every function to `map`, replacing functions of the same name.
pub fn add_to(map: &mut FuncMap) {
    let _ = map;
}
