//! Functions callable from templates: Go's builtins, Sprig's library, Helm's own, and methods of
//! objects. Each declares its Go parameter types, because the template engine converts and checks
//! arguments against them exactly as Go's `text/template` does (`wrong type for value; expected
//! int; got float64`), and evaluates number constants by them (`3` passed to `float64` is 3.0).

use std::fmt;
use std::sync::Arc;

use crate::Value;

/// The Go type of a function parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgType {
    /// `interface {}`: anything, nil included.
    Any,
    /// `string`, for bodies that handle only valid UTF-8 text: the engine refuses a
    /// [`Value::ByteString`] argument by name rather than hand it over.
    String,
    /// `string`, for bodies that handle any Go string: they receive a [`Value::String`] or a
    /// [`Value::ByteString`] (read it with [`Value::as_go_bytes`]).
    ByteString,
    /// `bool`
    Bool,
    /// `int`
    Int,
    /// `int64`
    Int64,
    /// `float64`
    Float64,
    /// `[]interface {}`
    ListAny,
    /// `[]string`
    ListString,
    /// `map[string]interface {}`
    MapAny,
    /// `[]byte`
    Bytes,
    /// A Go struct or pointer type by its name (`*semver.Version`, `sprig.certificate`): only
    /// a [`Value::Object`] of that type name is accepted; a pointer type (`*`) also takes nil.
    Object(&'static str),
    /// A Go interface type with methods (`io.Writer`) that no template value implements: only
    /// nil is accepted, as Go's argument conversion decides.
    Interface(&'static str),
}

impl ArgType {
    /// Go's name for the type, as it appears in error messages.
    pub fn go_name(self) -> &'static str {
        match self {
            ArgType::Any => "interface {}",
            ArgType::String | ArgType::ByteString => "string",
            ArgType::Bool => "bool",
            ArgType::Int => "int",
            ArgType::Int64 => "int64",
            ArgType::Float64 => "float64",
            ArgType::ListAny => "[]interface {}",
            ArgType::ListString => "[]string",
            ArgType::MapAny => "map[string]interface {}",
            ArgType::Bytes => "[]uint8",
            ArgType::Object(name) | ArgType::Interface(name) => name,
        }
    }
}

/// An error a function returns; the engine reports it as `error calling NAME: MESSAGE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuncError(pub String);

impl FuncError {
    /// An error with the given message.
    pub fn new(msg: impl Into<String>) -> FuncError {
        FuncError(msg.into())
    }
}

impl fmt::Display for FuncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FuncError {}

/// What a function returns.
pub type FuncResult = Result<Value, FuncError>;

/// What the engine offers a running function: the functions that render templates (`include`,
/// `tpl`) need the engine that called them.
pub trait CallContext {
    /// Executes the named template with `data` as dot, returning its output (`include`).
    fn execute_template(&self, name: &str, data: &Value) -> Result<String, FuncError>;

    /// Parses `text` as a new template that sees every template defined so far, and executes it
    /// with `data` as dot (`tpl`).
    fn execute_text(&self, text: &str, data: &Value) -> Result<String, FuncError>;

    /// [`CallContext::execute_template`] as a Go string: a [`Value::ByteString`] when the
    /// output holds bytes that are not UTF-8.
    fn execute_template_go(&self, name: &str, data: &Value) -> Result<Value, FuncError> {
        self.execute_template(name, data).map(Value::from)
    }

    /// [`CallContext::execute_text`] as a Go string (see
    /// [`CallContext::execute_template_go`]).
    fn execute_text_go(&self, text: &str, data: &Value) -> Result<Value, FuncError> {
        self.execute_text(text, data).map(Value::from)
    }
}

/// The body of a function: arguments arrive already converted to the declared parameter types.
pub type NativeFn = dyn Fn(&dyn CallContext, &[Value]) -> FuncResult + Send + Sync;

/// A callable function with its Go signature. Cloning it is one reference count: templates
/// refer to the functions they call from their parsed trees.
#[derive(Clone)]
pub struct Func(Arc<FuncParts>);

/// What a [`Func`] is made of (a `Func` reads as one).
pub struct FuncParts {
    /// The fixed parameters' types.
    pub params: Box<[ArgType]>,
    /// The element type of a trailing variadic parameter (`...interface {}`), if any.
    pub variadic: Option<ArgType>,
    /// The body.
    pub body: Box<NativeFn>,
}

impl std::ops::Deref for Func {
    type Target = FuncParts;
    fn deref(&self) -> &FuncParts {
        &self.0
    }
}

impl Func {
    /// A function with fixed parameters.
    pub fn new(
        params: &[ArgType],
        body: impl Fn(&dyn CallContext, &[Value]) -> FuncResult + Send + Sync + 'static,
    ) -> Func {
        Func(Arc::new(FuncParts {
            params: params.into(),
            variadic: None,
            body: Box::new(body),
        }))
    }

    /// A function whose last parameter is variadic with element type `rest`.
    pub fn variadic(
        params: &[ArgType],
        rest: ArgType,
        body: impl Fn(&dyn CallContext, &[Value]) -> FuncResult + Send + Sync + 'static,
    ) -> Func {
        Func(Arc::new(FuncParts {
            params: params.into(),
            variadic: Some(rest),
            body: Box::new(body),
        }))
    }
}

impl fmt::Debug for Func {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Func")
            .field("params", &self.params)
            .field("variadic", &self.variadic)
            .finish_non_exhaustive()
    }
}
