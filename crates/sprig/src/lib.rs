//! The function library Helm v4 gives templates: Sprig v3's text functions (minus `env` and
//! `expandenv`, which Helm removes) and Helm's own (`toYaml`, `include`, `tpl`, `required`, ...).
//!
//! Each family lives in its own module and registers itself into one [`FuncMap`]. Every function
//! declares Sprig's Go signature, because the engine converts and checks arguments by it.
#![deny(missing_docs)]

mod defaults;
mod dicts;
mod encoding;
mod helm;
mod lists;
mod math;
mod paths;
mod regex;
pub use regex::{
    clear_regex_cache, compile_go_regex, set_regex_cache_limit, DEFAULT_REGEX_CACHE_LIMIT,
};
mod strings;
mod types;
mod urls;

mod certs;
mod ciphers;
mod dates;
mod hashes;
mod network;
mod passwords;
mod posix_tz;
mod random;
pub mod semver;

use std::sync::Arc;

use helmet_value::{ArgType, CallContext, Func, FuncError, FuncMap, FuncResult, Value};

/// Entries [`functions`] makes room for up front (a test checks that all of them fit).
const FUNCTIONS_ROOM: usize = 320;

/// Every function Helm's templates can call, by name.
pub fn functions() -> FuncMap {
    // About 250 functions: room for all at once, so the table is not grown (and every name
    // hashed again) eight times on the way, at every process start.
    let mut map = FuncMap::with_capacity(FUNCTIONS_ROOM);
    add_to(&mut map);
    map
}

/// [`functions`], built once per process and shared: building the map costs more than
/// rendering a small chart.
pub fn shared_functions() -> Arc<FuncMap> {
    static SHARED: std::sync::OnceLock<Arc<FuncMap>> = std::sync::OnceLock::new();
    SHARED.get_or_init(|| Arc::new(functions())).clone()
}

/// Adds every function to `map`, replacing functions of the same name.
pub fn add_to(map: &mut FuncMap) {
    strings::register(map);
    regex::register(map);
    math::register(map);
    defaults::register(map);
    lists::register(map);
    dicts::register(map);
    types::register(map);
    encoding::register(map);
    paths::register(map);
    urls::register(map);
    helm::register(map);
    dates::register(map);
    semver::register(map);
    hashes::register(map);
    random::register(map);
    passwords::register(map);
    ciphers::register(map);
    certs::register(map);
    network::register(map);
}

/// Registers a function with fixed parameters.
pub(crate) fn def(
    map: &mut FuncMap,
    name: &str,
    params: &[ArgType],
    body: impl Fn(&dyn CallContext, &[Value]) -> FuncResult + Send + Sync + 'static,
) {
    map.insert(name.to_string(), Func::new(params, body));
}

/// Registers a function whose last parameter is variadic.
pub(crate) fn def_var(
    map: &mut FuncMap,
    name: &str,
    params: &[ArgType],
    rest: ArgType,
    body: impl Fn(&dyn CallContext, &[Value]) -> FuncResult + Send + Sync + 'static,
) {
    map.insert(name.to_string(), Func::variadic(params, rest, body));
}

/// The string argument at `i` (the engine has already converted it to `string`).
pub(crate) fn arg_str(args: &[Value], i: usize) -> &str {
    args.get(i).and_then(Value::as_str).unwrap_or("")
}

/// The bytes of the Go string argument at `i`, for parameters declared
/// [`ArgType::ByteString`] (valid UTF-8 or not).
pub(crate) fn arg_bytes(args: &[Value], i: usize) -> &[u8] {
    args.get(i).and_then(Value::as_go_bytes).unwrap_or_default()
}

/// The `int` argument at `i`.
pub(crate) fn arg_int(args: &[Value], i: usize) -> i64 {
    match args.get(i) {
        Some(Value::Int(n) | Value::Int64(n)) => *n,
        _ => 0,
    }
}

/// The `bool` argument at `i`.
pub(crate) fn arg_bool(args: &[Value], i: usize) -> bool {
    matches!(args.get(i), Some(Value::Bool(true)))
}

/// The error Go's runtime reports when a nil interface reaches `reflect.TypeOf(x).Kind()`.
pub(crate) fn nil_deref() -> FuncError {
    FuncError::new("runtime error: invalid memory address or nil pointer dereference")
}

/// Sprig's `strval`: strings and byte slices as text, everything else as `%v` prints it.
pub(crate) fn strval(v: &Value) -> String {
    match v {
        // `to_string` of an `Arc<str>` goes through the formatting machinery.
        Value::String(s) => String::from(&**s),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        _ => helmet_value::fmt::format_value(v),
    }
}

/// [`strval`], failing by name on what Go would print that this model cannot (a pointer's
/// address inside another value, a string that is not valid UTF-8: see [`try_strval_go`]).
pub(crate) fn try_strval(v: &Value) -> Result<String, FuncError> {
    match v {
        Value::String(_) => Ok(strval(v)),
        Value::Bytes(b) => String::from_utf8(b.to_vec()).map_err(|_| not_utf8()),
        Value::ByteString(_) => Err(not_utf8()),
        _ => helmet_value::fmt::try_format_value(v).map_err(FuncError::new),
    }
}

/// [`strval`] as a Go string's bytes: strings and byte slices as they are (valid UTF-8 or not),
/// everything else as `%v` prints it.
pub(crate) fn try_strval_go(v: &Value) -> Result<Vec<u8>, FuncError> {
    match v {
        Value::String(s) => Ok(s.as_bytes().to_vec()),
        Value::Bytes(b) | Value::ByteString(b) => Ok(b.to_vec()),
        _ => match helmet_value::fmt::try_sprint_go(std::slice::from_ref(v)) {
            Ok(printed) => Ok(printed.as_go_bytes().unwrap_or_default().to_vec()),
            Err(why) => Err(FuncError::new(why)),
        },
    }
}

/// The error of functions that handle only UTF-8 text when given a Go string that is not.
pub(crate) fn not_utf8() -> FuncError {
    FuncError::new("a string that is not valid UTF-8 is not supported by helmet here")
}

/// Strips a trailing `.000` decimal part, as cast's `trimZeroDecimal` does before parsing.
fn trim_zero_decimal(s: &str) -> &str {
    let mut found_zero = false;
    for (i, c) in s.char_indices().rev() {
        match c {
            '.' => {
                if found_zero {
                    return &s[..i];
                }
                return s;
            }
            '0' => found_zero = true,
            _ => return s,
        }
    }
    s
}

/// Go's `strconv.ParseInt(s, 0, 64)`: sign, base prefixes (`0x`, `0o`, `0b`, leading `0`),
/// underscores between digits when a prefix is present.
pub(crate) fn parse_go_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    let lower = body.to_ascii_lowercase();
    let (base, digits, prefixed) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d.to_string(), true)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d.to_string(), true)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d.to_string(), true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string(), true)
    } else {
        (10, lower.clone(), false)
    };
    let digits = if prefixed {
        // Underscores may only separate digits.
        if digits.starts_with('_') && base != 8 || digits.ends_with('_') || digits.contains("__") {
            return None;
        }
        digits.replace('_', "")
    } else {
        if digits.contains('_') {
            return None;
        }
        digits
    };
    if digits.is_empty() {
        return None;
    }
    let mag = u128::from_str_radix(&digits, base).ok()?;
    if neg {
        if mag > (i64::MAX as u128) + 1 {
            return None;
        }
        Some((mag as i128).wrapping_neg() as i64)
    } else {
        i64::try_from(mag).ok()
    }
}

/// Go's `strconv.ParseFloat(s, 64)` for the forms Go accepts.
pub(crate) fn parse_go_float(s: &str) -> Option<f64> {
    let t = s.strip_prefix('+').unwrap_or(s);
    let lower = t.to_ascii_lowercase();
    let unsigned = lower.strip_prefix('-').unwrap_or(&lower);
    match unsigned {
        "inf" | "infinity" => {
            return Some(if lower.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            })
        }
        "nan" => return Some(f64::NAN),
        _ => {}
    }
    if unsigned.starts_with("0x") {
        return None;
    }
    if !unsigned
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'-' | b'+' | b'_'))
    {
        return None;
    }
    let cleaned = lower.replace('_', "");
    cleaned.parse::<f64>().ok()
}

/// cast's `ToInt64`, which Sprig's arithmetic uses: numbers convert (floats truncate), strings
/// parse (with a base prefix, `1.0` allowed), bools are 1 or 0, anything else is 0.
pub(crate) fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Uint64(u) => *u as i64,
        Value::Uint8(u) => i64::from(*u),
        Value::Float64(f) => go_float_to_int(*f),
        Value::Bool(b) => i64::from(*b),
        Value::String(s) => parse_go_int(trim_zero_decimal(s)).unwrap_or(0),
        // A named integer type (`time.Month`) converts as its number.
        Value::Object(o) => match o.go_shape() {
            Some(helmet_value::GoShape::Underlying(under @ Value::Int(_))) => to_int64(&under),
            _ => 0,
        },
        _ => 0,
    }
}

/// Go's `int64(f)` conversion on amd64: out-of-range values and NaN give the minimum int64.
pub(crate) fn go_float_to_int(f: f64) -> i64 {
    // 2^63 as a float: the first value past int64's range.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if f.is_nan() || !(-LIMIT..LIMIT).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

/// cast's `ToFloat64`: numbers convert, strings parse, bools are 1 or 0, anything else is 0.
pub(crate) fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i as f64,
        Value::Uint64(u) => *u as f64,
        Value::Uint8(u) => f64::from(*u),
        Value::Float64(f) => *f,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::String(s) => parse_go_float(s).unwrap_or(0.0),
        Value::Object(o) => match o.go_shape() {
            Some(helmet_value::GoShape::Underlying(under @ Value::Int(_))) => to_float64(&under),
            _ => 0.0,
        },
        _ => 0.0,
    }
}

/// The items of a Go slice seen through reflection (`[]byte` included), or `None` when the value
/// is not a slice.
pub(crate) fn reflect_items(v: &Value) -> Option<Vec<Value>> {
    match v {
        Value::List(l) => Some(l.items.clone()),
        Value::Bytes(b) => Some(b.iter().map(|x| Value::Uint8(*x)).collect()),
        // A named slice type (`common.VersionSet`) is a slice to reflection.
        Value::Object(o) => match o.go_shape() {
            Some(helmet_value::GoShape::Underlying(under @ Value::List(_))) => {
                reflect_items(&under)
            }
            _ => None,
        },
        _ => None,
    }
}

/// Go's `reflect.DeepEqual` on values.
pub(crate) fn deep_equal(a: &Value, b: &Value) -> bool {
    deep_equal_at(a, b, 0)
}

/// `reflect.DeepEqual` below `depth` levels of containers. The same map is equal to itself
/// without a look inside (as reflect's cycle check makes it); past 1000 levels (maps holding
/// themselves) values count as different rather than recursing further.
fn deep_equal_at(a: &Value, b: &Value, depth: usize) -> bool {
    if depth > 1_000 {
        return false;
    }
    let deep_equal = |p: &Value, q: &Value| deep_equal_at(p, q, depth + 1);
    match (a, b) {
        // reflect.DeepEqual compares types first: common.Values never equals a plain map.
        (Value::Map(x), Value::Map(y)) if x.type_name() != y.type_name() => false,
        (Value::Map(x), Value::Map(y)) if helmet_value::TypedMap::same(x, y) => true,
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) | (Value::Int64(x), Value::Int64(y)) => x == y,
        (Value::Uint64(x), Value::Uint64(y)) => x == y,
        (Value::Uint8(x), Value::Uint8(y)) => x == y,
        (Value::Complex128(a, b), Value::Complex128(c, d)) => a == c && b == d,
        (Value::Float64(x), Value::Float64(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::ByteString(x), Value::ByteString(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        // A nil slice differs from an empty one to reflect.DeepEqual.
        (Value::List(x), Value::List(y)) => {
            x.elem == y.elem
                && x.is_nil() == y.is_nil()
                && x.items.len() == y.items.len()
                && x.items.iter().zip(&y.items).all(|(p, q)| deep_equal(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.elem == y.elem
                && x.entries().len() == y.entries().len()
                && x.entries()
                    .iter()
                    .all(|(k, v)| y.entries().get(k).is_some_and(|w| deep_equal(v, w)))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.type_name() == y.type_name() && x.go_format() == y.go_format()
        }
        _ => false,
    }
}

/// Sprig's `empty`: nil, zero numbers, false, and empty strings, slices and maps.
pub(crate) fn is_empty(v: &Value) -> bool {
    match v {
        Value::Object(_) => false,
        _ => !v.is_true(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_fits_the_room_made_for_it() {
        let map = functions();
        assert!(map.len() <= FUNCTIONS_ROOM, "{} functions", map.len());
        assert!(map.capacity() >= map.len());
    }

    #[test]
    fn cast_rules() {
        assert_eq!(to_int64(&Value::from("0x10")), 16);
        assert_eq!(to_int64(&Value::from("010")), 8);
        assert_eq!(to_int64(&Value::from("12.00")), 12);
        assert_eq!(to_int64(&Value::from("12.5")), 0);
        assert_eq!(to_int64(&Value::from("-7")), -7);
        assert_eq!(to_int64(&Value::from("abc")), 0);
        assert_eq!(to_int64(&Value::Float64(-3.9)), -3);
        assert_eq!(to_int64(&Value::Bool(true)), 1);
        assert_eq!(to_int64(&Value::Nil), 0);
        assert_eq!(to_float64(&Value::from("1.5")), 1.5);
        assert_eq!(to_float64(&Value::from("x")), 0.0);
        assert_eq!(to_float64(&Value::Int(3)), 3.0);
    }
}
