//! Go's builtin template functions: and, or, not, len, index, slice, print, printf, println,
//! eq/ne/lt/le/gt/ge, html, js, urlquery, call.

use helmet_value::fmt::{sprint, sprintf, try_sprint_go, try_sprintf_go, try_sprintln_go};
use helmet_value::{ArgType, ElemType, FuncError, Value};

use crate::exec::{Ev, Pt};

/// A builtin function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Builtin {
    And,
    Or,
    Not,
    Len,
    Index,
    Slice,
    Print,
    Printf,
    Println,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Html,
    Js,
    Urlquery,
    Call,
}

/// The builtin of that name.
pub(crate) fn lookup(name: &str) -> Option<Builtin> {
    Some(match name {
        "and" => Builtin::And,
        "or" => Builtin::Or,
        "not" => Builtin::Not,
        "len" => Builtin::Len,
        "index" => Builtin::Index,
        "slice" => Builtin::Slice,
        "print" => Builtin::Print,
        "printf" => Builtin::Printf,
        "println" => Builtin::Println,
        "eq" => Builtin::Eq,
        "ne" => Builtin::Ne,
        "lt" => Builtin::Lt,
        "le" => Builtin::Le,
        "gt" => Builtin::Gt,
        "ge" => Builtin::Ge,
        "html" => Builtin::Html,
        "js" => Builtin::Js,
        "urlquery" => Builtin::Urlquery,
        "call" => Builtin::Call,
        _ => return None,
    })
}

impl Builtin {
    /// Go's parameter list: fixed parameters and the variadic element type.
    pub(crate) fn signature(self) -> (&'static [Pt], Option<Pt>) {
        use Builtin::*;
        let any = Pt::Go(ArgType::Any);
        match self {
            And | Or | Eq | Index | Slice | Call => (&[Pt::Reflect], Some(Pt::Reflect)),
            Not | Len => (&[Pt::Reflect], None),
            Ne | Lt | Le | Gt | Ge => (&[Pt::Reflect, Pt::Reflect], None),
            Print | Println | Html | Js | Urlquery => (&[], Some(any)),
            Printf => (&[Pt::Go(ArgType::ByteString)], Some(any)),
        }
    }
}

type BResult = Result<Ev, FuncError>;

/// Go's `indirectInterface`: the value inside an interface; a nil interface is invalid.
fn unwrap(v: &Ev) -> Ev {
    Ev::plain(v.v.clone())
}

/// Runs `print` with the values of `args` (what `fmt` receives), kept on the stack when they are
/// few: most calls print a handful.
fn with_plain_values<T>(args: &[Ev], print: impl FnOnce(&[Value]) -> T) -> T {
    const FEW: usize = 8;
    if args.len() <= FEW {
        let mut few: [Value; FEW] = Default::default();
        for (to, from) in few.iter_mut().zip(args) {
            *to = from.v.clone();
        }
        print(&few[..args.len()])
    } else {
        print(&args.iter().map(|a| a.v.clone()).collect::<Vec<_>>())
    }
}

thread_local! {
    /// The text [`print_strings`] and [`printf_strings`] build, kept for the next call (the
    /// result is copied into the Go string's own allocation).
    static JOINED: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Joins texts in [`JOINED`] and returns them as a string value; `None` when `join` gives up.
fn joined(join: impl FnOnce(&mut String) -> Option<()>) -> Option<Value> {
    JOINED
        .try_with(|buffer| {
            let mut buffer = buffer.try_borrow_mut().ok()?;
            buffer.clear();
            join(&mut buffer)?;
            let text = Value::from(buffer.as_str());
            if buffer.capacity() > 4096 {
                *buffer = String::new();
            }
            Some(text)
        })
        .ok()
        .flatten()
}

/// `print` of strings only (the usual `print $.Template.BasePath "/x.yaml"`): Go's Sprint puts
/// no space between two strings, so the result is the texts one after another. `None` when an
/// argument is anything else (or a string that is not UTF-8): the general printer decides.
fn print_strings(args: &[Ev]) -> Option<Value> {
    if !args.iter().all(|a| matches!(a.v, Value::String(_))) {
        return None;
    }
    joined(|out| {
        for a in args {
            out.push_str(a.v.as_str()?);
        }
        Some(())
    })
}

/// `printf` whose format holds only text, `%s` and `%%`, given exactly one string per `%s`
/// (the usual `printf "%s-%s" .Release.Name $name`): Go's fmt prints a string for `%s` as it
/// is, so the result is the format with the strings put in. `None` for any other verb, flag,
/// argument or count: the general printer decides (and writes Go's `%!s(MISSING)` and such).
fn printf_strings(format: &Value, args: &[Ev]) -> Option<Value> {
    let Value::String(format) = format else {
        return None;
    };
    joined(|out| {
        let mut args = args.iter();
        let mut rest: &str = format;
        while let Some(at) = rest.find('%') {
            out.push_str(rest.get(..at)?);
            match rest.as_bytes().get(at + 1) {
                Some(b's') => match args.next() {
                    Some(Ev {
                        v: Value::String(s),
                        ..
                    }) => out.push_str(s),
                    _ => return None,
                },
                Some(b'%') => out.push('%'),
                _ => return None,
            }
            rest = rest.get(at + 2..)?;
        }
        out.push_str(rest);
        // An argument left over: Go appends `%!(EXTRA ...)`.
        match args.next() {
            Some(_) => None,
            None => Some(()),
        }
    })
}

/// Calls a builtin with converted arguments.
pub(crate) fn call(b: Builtin, args: &[Ev], callee_name: &str) -> BResult {
    use Builtin::*;
    match b {
        And | Or => unreachable_and_or(),
        Not => Ok(Ev::plain(Value::Bool(!args[0].v.is_true()))),
        Len => length(&args[0]),
        Index => index(&args[0], &args[1..]),
        Slice => slice(&args[0], &args[1..]),
        // Printing a string that is not UTF-8 gives a Go string of those bytes.
        Print => match print_strings(args) {
            Some(text) => Ok(Ev::plain(text)),
            None => with_plain_values(args, try_sprint_go)
                .map(Ev::plain)
                .map_err(FuncError::new),
        },
        Println => with_plain_values(args, try_sprintln_go)
            .map(Ev::plain)
            .map_err(FuncError::new),
        Printf => {
            if let Some(text) = printf_strings(&args[0].v, &args[1..]) {
                return Ok(Ev::plain(text));
            }
            let format = args[0].v.as_go_bytes().unwrap_or_default();
            with_plain_values(&args[1..], |values| try_sprintf_go(format, values))
                .map(Ev::plain)
                .map_err(FuncError::new)
        }
        Eq => eq(&args[0], &args[1..]).map(bool_ev),
        Ne => eq(&args[0], &args[1..2]).map(|b| bool_ev(!b)),
        Lt => lt(&args[0], &args[1]).map(bool_ev),
        Le => le(&args[0], &args[1]).map(bool_ev),
        Gt => le(&args[0], &args[1]).map(|b| bool_ev(!b)),
        Ge => lt(&args[0], &args[1]).map(|b| bool_ev(!b)),
        Html | Js | Urlquery if args.iter().any(|a| matches!(a.v, Value::ByteString(_))) => {
            escape_go_bytes(b, args)
        }
        Html => Ok(Ev::plain(Value::from(html_escape(&eval_args(args))))),
        Js => Ok(Ev::plain(Value::from(js_escape(&eval_args(args))))),
        Urlquery => Ok(Ev::plain(Value::from(query_escape(&eval_args(args))))),
        Call => call_fn(callee_name, &args[0]),
    }
}

fn unreachable_and_or() -> BResult {
    // and/or short-circuit in the evaluator and never reach here.
    Err(FuncError::new("internal error: and/or called directly"))
}

fn bool_ev(b: bool) -> Ev {
    Ev::plain(Value::Bool(b))
}

fn call_fn(name: &str, f: &Ev) -> BResult {
    let f = unwrap(f);
    if f.v.is_nil() {
        return Err(FuncError::new("call of nil"));
    }
    // No Go function values exist in helmet's value model, so anything else is a non-function.
    Err(FuncError::new(format!(
        "non-function {name} of type {}",
        f.v.type_name()
    )))
}

fn length(item: &Ev) -> BResult {
    if item.iface && item.v.is_nil() {
        return Err(FuncError::new("len of nil pointer"));
    }
    let n = match &item.v {
        Value::Nil => {
            return Err(FuncError::new(
                "reflect: call of reflect.Value.Type on zero Value",
            ))
        }
        Value::String(s) => s.len(),
        Value::Bytes(b) | Value::ByteString(b) => b.len(),
        Value::List(l) => l.items.len(),
        Value::Map(m) => m.len(),
        // A named slice or map type (`common.VersionSet`) has the length of what it is.
        Value::Object(o) => match o.go_shape() {
            Some(helmet_value::GoShape::Underlying(under)) => {
                return length(&Ev::plain(under));
            }
            _ => return Err(FuncError::new(format!("len of type {}", o.type_name()))),
        },
        other => return Err(FuncError::new(format!("len of type {}", other.type_name()))),
    };
    Ok(Ev::plain(Value::Int(n as i64)))
}

fn index_arg(index: &Ev, cap: usize) -> Result<usize, FuncError> {
    let x: i128 = match &index.v {
        Value::Int(i) | Value::Int64(i) => *i as i128,
        Value::Uint64(u) => *u as i64 as i128,
        Value::Uint8(u) => i128::from(*u),
        Value::Nil => return Err(FuncError::new("cannot index slice/array with nil")),
        other => {
            return Err(FuncError::new(format!(
                "cannot index slice/array with type {}",
                other.type_name()
            )))
        }
    };
    if x < 0 || x > cap as i128 {
        return Err(FuncError::new(format!("index out of range: {x}")));
    }
    Ok(x as usize)
}

fn index(item: &Ev, indexes: &[Ev]) -> BResult {
    let mut item = unwrap(item);
    if item.v.is_nil() {
        return Err(FuncError::new("index of untyped nil"));
    }
    for idx in indexes {
        let idx = unwrap(idx);
        if item.v.is_nil() {
            return Err(FuncError::new("index of nil pointer"));
        }
        // A named slice type (`common.VersionSet`) indexes as the slice it is.
        // A named map type (`engine.files`) looks the key up as its fields do (a missing key
        // gives the element's zero value).
        if let Value::Object(o) = &item.v {
            if let Some(helmet_value::GoShape::Underlying(under @ Value::List(_))) = o.go_shape() {
                item = Ev::plain(under);
            } else if o.kind_name() == "map" {
                if let (Value::String(key), Some(_)) = (&idx.v, o.go_shape()) {
                    if let Some(v) = o.field(key) {
                        item = Ev::plain(v);
                        continue;
                    }
                }
            }
        }
        item = match &item.v {
            Value::List(l) => {
                let x = index_arg(&idx, l.items.len())?;
                match l.items.get(x) {
                    Some(v) => Ev {
                        v: v.clone(),
                        iface: l.elem == ElemType::Interface,
                    },
                    None => {
                        return Err(FuncError::new("reflect: slice index out of range"));
                    }
                }
            }
            Value::String(s) => {
                let x = index_arg(&idx, s.len())?;
                match s.as_bytes().get(x) {
                    Some(b) => Ev::plain(Value::Uint8(*b)),
                    None => return Err(FuncError::new("reflect: string index out of range")),
                }
            }
            Value::ByteString(s) => {
                let x = index_arg(&idx, s.len())?;
                match s.get(x) {
                    Some(b) => Ev::plain(Value::Uint8(*b)),
                    None => return Err(FuncError::new("reflect: string index out of range")),
                }
            }
            Value::Bytes(b) => {
                let x = index_arg(&idx, b.len())?;
                match b.get(x) {
                    Some(b) => Ev::plain(Value::Uint8(*b)),
                    None => return Err(FuncError::new("reflect: slice index out of range")),
                }
            }
            Value::Map(m) => {
                let key = match &idx.v {
                    Value::String(s) => Some(s.clone()),
                    // Map keys here are UTF-8 text, so no key has these bytes.
                    Value::ByteString(_) => None,
                    Value::Nil => {
                        return Err(FuncError::new("value is nil; should be of type string"))
                    }
                    other => {
                        return Err(FuncError::new(format!(
                            "value has type {}; should be string",
                            other.type_name()
                        )))
                    }
                };
                let iface = m.elem == ElemType::Interface;
                match key.and_then(|key| m.get(&key)) {
                    Some(v) => Ev { v, iface },
                    None => Ev {
                        v: match m.elem {
                            ElemType::Interface => Value::Nil,
                            ElemType::String => Value::from(""),
                            ElemType::Int => Value::Int(0),
                            ElemType::Int64 => Value::Int64(0),
                            ElemType::Float64 => Value::Float64(0.0),
                            ElemType::Bool => Value::Bool(false),
                            ElemType::MapAny => Value::Map(std::sync::Arc::new(
                                helmet_value::TypedMap::nil(ElemType::Interface),
                            )),
                            ElemType::ListAny => Value::list(Vec::new()),
                        },
                        iface,
                    },
                }
            }
            other => {
                return Err(FuncError::new(format!(
                    "can't index item of type {}",
                    other.type_name()
                )))
            }
        };
    }
    Ok(item)
}

fn slice(item: &Ev, indexes: &[Ev]) -> BResult {
    let item = unwrap(item);
    if item.v.is_nil() {
        return Err(FuncError::new("slice of untyped nil"));
    }
    if indexes.len() > 3 {
        return Err(FuncError::new(format!(
            "too many slice indexes: {}",
            indexes.len()
        )));
    }
    let len = match &item.v {
        Value::String(_) | Value::ByteString(_) => {
            if indexes.len() == 3 {
                return Err(FuncError::new("cannot 3-index slice a string"));
            }
            item.v.as_go_bytes().map_or(0, <[u8]>::len)
        }
        Value::List(l) => l.items.len(),
        Value::Bytes(b) => b.len(),
        other => {
            return Err(FuncError::new(format!(
                "can't slice item of type {}",
                other.type_name()
            )))
        }
    };
    // Go checks against the capacity; helmet's slices have capacity equal to length.
    let cap = len;
    let mut idx = [0usize, len, 0];
    for (i, index) in indexes.iter().enumerate() {
        idx[i] = index_arg(&unwrap(index), cap)?;
    }
    if idx[0] > idx[1] {
        return Err(FuncError::new(format!(
            "invalid slice index: {} > {}",
            idx[0], idx[1]
        )));
    }
    if indexes.len() == 3 && idx[1] > idx[2] {
        return Err(FuncError::new(format!(
            "invalid slice index: {} > {}",
            idx[1], idx[2]
        )));
    }
    let (a, b) = (idx[0], idx[1]);
    Ok(Ev::plain(match &item.v {
        Value::String(_) | Value::ByteString(_) => {
            Value::from_go_bytes(&item.v.as_go_bytes().unwrap_or_default()[a..b])
        }
        Value::List(l) => Value::typed_list(l.elem, l.items[a..b].to_vec()),
        Value::Bytes(bs) => Value::Bytes(bs[a..b].into()),
        _ => Value::Nil,
    }))
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    Invalid,
    Bool,
    Int,
    Uint,
    Float,
    Complex,
    String,
}

fn basic_kind(v: &Value) -> Result<Kind, &'static str> {
    Ok(match v {
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) | Value::Int64(_) => Kind::Int,
        Value::Uint64(_) | Value::Uint8(_) => Kind::Uint,
        Value::Float64(_) => Kind::Float,
        Value::Complex128(..) => Kind::Complex,
        Value::String(_) | Value::ByteString(_) => Kind::String,
        _ => return Err("invalid type for comparison"),
    })
}

fn as_i(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        _ => 0,
    }
}

fn as_u(v: &Value) -> u64 {
    match v {
        Value::Uint64(u) => *u,
        Value::Uint8(u) => u64::from(*u),
        _ => 0,
    }
}

fn as_c(v: &Value) -> (f64, f64) {
    match v {
        Value::Complex128(re, im) => (*re, *im),
        _ => (0.0, 0.0),
    }
}

fn as_f(v: &Value) -> f64 {
    match v {
        Value::Float64(f) => *f,
        _ => 0.0,
    }
}

/// A named type over a basic kind (`time.Month` is an `int`) compares as that kind in Go's `eq`
/// and `lt`; other values compare as themselves.
fn basic_value(v: &Value) -> std::borrow::Cow<'_, Value> {
    if let Value::Object(o) = v {
        if let Some(helmet_value::GoShape::Underlying(u)) = o.go_shape() {
            if basic_kind(&u).is_ok() {
                return std::borrow::Cow::Owned(u);
            }
        }
    }
    std::borrow::Cow::Borrowed(v)
}

fn eq(arg1: &Ev, arg2: &[Ev]) -> Result<bool, FuncError> {
    let a = &*basic_value(&arg1.v);
    if arg2.is_empty() {
        return Err(FuncError::new("missing argument for comparison"));
    }
    let k1 = basic_kind(a).unwrap_or(Kind::Invalid);
    for arg in arg2 {
        let b = &*basic_value(&arg.v);
        let k2 = basic_kind(b).unwrap_or(Kind::Invalid);
        let truth = if k1 != k2 {
            match (k1, k2) {
                (Kind::Int, Kind::Uint) => as_i(a) >= 0 && as_i(a) as u64 == as_u(b),
                (Kind::Uint, Kind::Int) => as_i(b) >= 0 && as_u(a) == as_i(b) as u64,
                _ => {
                    if !a.is_nil() && !b.is_nil() {
                        return Err(incompatible(&arg1.v, &arg.v));
                    }
                    false
                }
            }
        } else {
            match k1 {
                Kind::Bool => a.is_true() == b.is_true(),
                Kind::Float => as_f(a) == as_f(b),
                Kind::Complex => as_c(a) == as_c(b),
                Kind::Int => as_i(a) == as_i(b),
                Kind::Uint => as_u(a) == as_u(b),
                Kind::String => a.as_go_bytes() == b.as_go_bytes(),
                Kind::Invalid => {
                    if a.is_nil() || b.is_nil() {
                        a.is_nil() == b.is_nil()
                    } else if a.type_name() != b.type_name() {
                        return Err(FuncError::new(format!(
                            "non-comparable types {}: {}, {}: {}",
                            sprintf("%s", std::slice::from_ref(a)),
                            a.type_name(),
                            b.type_name(),
                            sprintf("%v", std::slice::from_ref(b)),
                        )));
                    } else {
                        match (a, b) {
                            (Value::Object(x), Value::Object(y)) => match x.go_shape() {
                                // Structs compare field by field; their fields here are
                                // strings and numbers, which `%#v` spells exactly.
                                Some(helmet_value::GoShape::Struct(_)) if !x.is_pointer() => {
                                    sprintf("%#v", std::slice::from_ref(a))
                                        == sprintf("%#v", std::slice::from_ref(b))
                                }
                                Some(helmet_value::GoShape::Underlying(_)) => {
                                    return Err(FuncError::new(format!(
                                        "non-comparable type {}: {}",
                                        sprintf("%s", std::slice::from_ref(b)),
                                        b.type_name()
                                    )))
                                }
                                _ => std::sync::Arc::ptr_eq(x, y),
                            },
                            _ => {
                                return Err(FuncError::new(format!(
                                    "non-comparable type {}: {}",
                                    sprintf("%s", std::slice::from_ref(b)),
                                    b.type_name()
                                )))
                            }
                        }
                    }
                }
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

fn incompatible(a: &Value, b: &Value) -> FuncError {
    FuncError::new(format!(
        "incompatible types for comparison: {} and {}",
        a.type_name(),
        b.type_name()
    ))
}

fn lt(arg1: &Ev, arg2: &Ev) -> Result<bool, FuncError> {
    let a = &*basic_value(&arg1.v);
    let b = &*basic_value(&arg2.v);
    let k1 = basic_kind(a).map_err(FuncError::new)?;
    let k2 = basic_kind(b).map_err(FuncError::new)?;
    if k1 != k2 {
        return match (k1, k2) {
            (Kind::Int, Kind::Uint) => Ok(as_i(a) < 0 || (as_i(a) as u64) < as_u(b)),
            (Kind::Uint, Kind::Int) => Ok(as_i(b) >= 0 && as_u(a) < as_i(b) as u64),
            _ => Err(incompatible(&arg1.v, &arg2.v)),
        };
    }
    Ok(match k1 {
        Kind::Bool | Kind::Complex | Kind::Invalid => {
            return Err(FuncError::new("invalid type for comparison"))
        }
        Kind::Float => as_f(a) < as_f(b),
        Kind::Int => as_i(a) < as_i(b),
        Kind::Uint => as_u(a) < as_u(b),
        Kind::String => a.as_go_bytes() < b.as_go_bytes(),
    })
}

fn le(arg1: &Ev, arg2: &Ev) -> Result<bool, FuncError> {
    if lt(arg1, arg2)? {
        return Ok(true);
    }
    eq(arg1, std::slice::from_ref(arg2))
}

/// Go's `evalArgs` for html/js/urlquery: a lone string as is, otherwise Sprint with nil shown
/// as `<no value>`.
fn eval_args(args: &[Ev]) -> String {
    if args.len() == 1 {
        if let Value::String(s) = &args[0].v {
            return s.to_string();
        }
    }
    sprint(&printable_args(args))
}

/// The escapers' arguments as Go's `evalArgs` prints them: a nil argument as `<no value>`.
fn printable_args(args: &[Ev]) -> Vec<Value> {
    args.iter()
        .map(|a| {
            if a.v.is_nil() {
                Value::from("<no value>")
            } else {
                a.v.clone()
            }
        })
        .collect()
}

/// html, js and urlquery of arguments that hold a Go string that is not UTF-8: the escapers
/// keep each invalid byte as it is (urlquery escapes every byte alike).
fn escape_go_bytes(b: Builtin, args: &[Ev]) -> BResult {
    let joined;
    let bytes: &[u8] = match args {
        [one] => one.v.as_go_bytes().unwrap_or_default(),
        _ => {
            joined = try_sprint_go(&printable_args(args)).map_err(FuncError::new)?;
            joined.as_go_bytes().unwrap_or_default()
        }
    };
    if b == Builtin::Urlquery {
        return Ok(Ev::plain(Value::from(query_escape_bytes(bytes))));
    }
    let escape = if b == Builtin::Html {
        html_escape
    } else {
        js_escape
    };
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(text) => {
                out.extend_from_slice(escape(text).as_bytes());
                break;
            }
            Err(e) => {
                let (text, tail) = rest.split_at(e.valid_up_to());
                out.extend_from_slice(escape(std::str::from_utf8(text).unwrap_or("")).as_bytes());
                out.push(tail[0]);
                rest = &tail[1..];
            }
        }
    }
    Ok(Ev::plain(Value::from_go_bytes(out)))
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\0' => out.push('\u{fffd}'),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u00{:02X}", c as u32)),
            c if (c as u32) < 0x80 => out.push(c),
            c => {
                if crate::lexer::go_quote(&c.to_string()).chars().count() == 3 {
                    out.push(c);
                } else {
                    out.push_str(&format!("\\u{:04X}", c as u32));
                }
            }
        }
    }
    out
}

fn query_escape(s: &str) -> String {
    query_escape_bytes(s.as_bytes())
}

fn query_escape_bytes(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<Ev> {
        items.iter().map(|s| Ev::plain(Value::from(*s))).collect()
    }

    /// The shortcuts for strings give what the general printer gives, and step aside for every
    /// other verb, flag, count or argument.
    #[test]
    fn string_shortcuts_print_as_fmt_does() {
        let formats = [
            "",
            "plain",
            "%s",
            "%s-%s",
            "a%sb%%c%s",
            "%%",
            "100%% %s",
            "%",
            "x%",
            "%v",
            "%5s",
            "%-s",
            "%[1]s",
            "%q",
            "%s %d",
            "%sé%s",
            "%é",
        ];
        let arg_sets: [&[&str]; 4] = [&[], &["one"], &["one", "two"], &["a", "b", "c"]];
        for format in formats {
            for args in arg_sets {
                let args = strings(args);
                let values: Vec<Value> = args.iter().map(|a| a.v.clone()).collect();
                let general = try_sprintf_go(format, &values).unwrap();
                match printf_strings(&Value::from(format), &args) {
                    Some(fast) => assert_eq!(
                        fast.as_str(),
                        general.as_str(),
                        "printf {format:?} {values:?}"
                    ),
                    None => assert!(
                        format.contains(['v', 'q', 'd', '5', '-', '['])
                            || format.ends_with('%') && !format.ends_with("%%")
                            || format.contains("%é")
                            || format.matches("%s").count() != values.len(),
                        "printf {format:?} {values:?} took the long way"
                    ),
                }
            }
        }
        for args in [&[][..], &["a"], &["a", "b"], &["a", " ", "c"]] {
            let args = strings(args);
            let values: Vec<Value> = args.iter().map(|a| a.v.clone()).collect();
            let fast = print_strings(&args).expect("strings print by the shortcut");
            assert_eq!(fast.as_str(), try_sprint_go(&values).unwrap().as_str());
        }
        let mixed = vec![Ev::plain(Value::from("a")), Ev::plain(Value::Int(1))];
        assert!(print_strings(&mixed).is_none());
        assert!(printf_strings(&Value::from("%s%s"), &mixed).is_none());
    }
}
