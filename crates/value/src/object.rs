//! Go structs and pointers that templates reach into: Helm's built-in objects and the values some
//! functions return (`time.Time`, `*semver.Version`, certificates).

use std::fmt::Debug;

use crate::{Func, Value};

/// A Go struct (or pointer to one) seen from a template: named fields, named methods and the way
/// Go's fmt prints it.
pub trait Object: Debug + Send + Sync {
    /// Go's type name as `%T` prints it, e.g. `*chart.Metadata` or `time.Time`.
    fn type_name(&self) -> &str;

    /// Go's kind name as `kindOf` prints it: `struct` or `ptr`.
    fn kind_name(&self) -> &'static str {
        "struct"
    }

    /// The value of the exported field `name`, or `None` when the type has no such field.
    fn field(&self, name: &str) -> Option<Value>;

    /// The method `name`, bound to this object, or `None` when the type has no such method.
    /// Templates call methods before fields, as Go does.
    fn method(&self, _name: &str) -> Option<Func> {
        None
    }

    /// What Go's `%v` prints for this value.
    fn go_format(&self) -> String;

    /// Template truth; a non-nil pointer or a struct is true.
    fn is_true(&self) -> bool {
        true
    }

    /// The object as JSON-ready data (what `encoding/json` would marshal), for `toJson`/`toYaml`.
    fn to_data(&self) -> Value {
        Value::Nil
    }
}
