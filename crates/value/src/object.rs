//! Go structs and pointers that templates reach into: Helm's built-in objects and the values some
//! functions return (`time.Time`, `*semver.Version`, certificates).

use std::fmt::Debug;

use crate::{Func, Value};

/// What Go's fmt sees beneath a value's methods: the data it prints field by field when no
/// `String` method applies.
#[derive(Clone, Debug)]
pub enum GoShape {
    /// A struct (or, when [`Object::is_pointer`], a pointer to one): every field in declaration
    /// order, unexported ones too, since fmt prints those as well.
    Struct(Vec<(&'static str, Value)>),
    /// A named type over a slice or map (`common.VersionSet` is a `[]string`): prints as that
    /// value, under the object's own type name for `%#v`.
    Underlying(Value),
}

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

    /// What Go's `%v` prints for this value, for objects that give no [`Object::go_shape`].
    fn go_format(&self) -> String;

    /// The fields (or underlying value) fmt prints when no `String` method applies. `None` for
    /// objects that print only through [`Object::go_format`] (with `%v` and `%s`).
    fn go_shape(&self) -> Option<GoShape> {
        None
    }

    /// Whether the Go value is a pointer (fmt prints `&{...}` at the top and an address inside
    /// other values).
    fn is_pointer(&self) -> bool {
        self.kind_name() == "ptr"
    }

    /// The result of `String()` when the value's own method set has it (a value receiver, or
    /// any receiver on a pointer type): fmt prints it for `%v`, `%s`, `%q`, `%x` and `%X`.
    fn stringer(&self) -> Option<String> {
        None
    }

    /// The result of `String()` declared on the pointer receiver of this non-pointer type: only
    /// an addressable value reaches it, which text/template's action printing does (it takes the
    /// address) and fmt, given a copy, does not.
    fn pointer_stringer(&self) -> Option<String> {
        None
    }

    /// Whether this is an addressable Go value (a field reached through a pointer, or a variable
    /// holding one), as opposed to the copy a function receives.
    fn is_addressable(&self) -> bool {
        false
    }

    /// The copy a function call receives in place of this addressable value (`None` when the
    /// value is not addressable, so passing it changes nothing).
    fn unaddressed(&self) -> Option<Value> {
        None
    }

    /// Template truth; a non-nil pointer or a struct is true.
    fn is_true(&self) -> bool {
        true
    }

    /// A struct's JSON members in declaration order (`encoding/json` writes struct fields in
    /// that order, where [`Object::to_data`]'s map would sort them), `omitempty` fields left out.
    /// `None` when the object marshals as its [`Object::to_data`].
    fn json_fields(&self) -> Option<Vec<(String, Value)>> {
        None
    }

    /// The object as JSON-ready data (what `encoding/json` would marshal), for `toJson`/`toYaml`.
    fn to_data(&self) -> Value {
        Value::Nil
    }
}
