//! YAML 1.1 scalar resolution as go-yaml v2 does it: which plain scalars are booleans, nulls,
//! integers, floats or timestamps, and what an explicit tag makes of a scalar.

use helmet_value::calendar::days_in_month;

/// A scalar after resolution, with the Go type go-yaml v2 gives it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Scalar {
    /// `nil`
    Null,
    /// `bool`
    Bool(bool),
    /// `int`
    Int(i64),
    /// `uint64` (integers above `i64::MAX`)
    Uint(u64),
    /// `float64`
    Float(f64),
    /// `string`
    Str(String),
    /// A `!!binary` scalar's decoded bytes (a Go string that may hold invalid UTF-8).
    Binary(Vec<u8>),
}

pub(crate) const TAG_PREFIX: &str = "tag:yaml.org,2002:";

/// The first-character hint go-yaml uses to decide which resolutions to try.
#[derive(Clone, Copy, PartialEq)]
enum Hint {
    None,
    Digit,
    Sign,
    Dot,
    Map,
}

fn hint(s: &str) -> Hint {
    match s.as_bytes().first() {
        None => Hint::Map,
        Some(b'0'..=b'9') => Hint::Digit,
        Some(b'+' | b'-') => Hint::Sign,
        Some(b'.') => Hint::Dot,
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' | b'<') => {
            Hint::Map
        }
        _ => Hint::None,
    }
}

/// The resolution of the fixed words of YAML 1.1 (booleans, nulls, infinities, merge key).
fn resolve_word(s: &str) -> Option<(&'static str, Scalar)> {
    let v = match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
            ("bool", Scalar::Bool(true))
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            ("bool", Scalar::Bool(false))
        }
        "" | "~" | "null" | "Null" | "NULL" => ("null", Scalar::Null),
        ".nan" | ".NaN" | ".NAN" => ("float", Scalar::Float(f64::NAN)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            ("float", Scalar::Float(f64::INFINITY))
        }
        "-.inf" | "-.Inf" | "-.INF" => ("float", Scalar::Float(f64::NEG_INFINITY)),
        "<<" => ("merge", Scalar::Str("<<".to_string())),
        _ => return None,
    };
    Some(v)
}

/// Go's `strconv.ParseInt(s, 0, 64)` / `ParseUint`: an optional sign, then a base prefix
/// (`0x`, `0o`, `0b`, or a leading `0` for octal) and digits. Underscores are already removed.
/// Returns the sign and the magnitude, or `None` when the text is not an integer or overflows
/// `u64`.
fn parse_go_int(s: &str) -> Option<(bool, u64)> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    Some((neg, magnitude))
}

/// Go's ParseInt(s, 0, 64): a signed 64-bit integer.
fn parse_int(s: &str) -> Option<i64> {
    let (neg, m) = parse_go_int(s)?;
    if neg {
        if m <= i64::MAX as u64 + 1 {
            Some((m as i128).wrapping_neg() as i64)
        } else {
            None
        }
    } else if m <= i64::MAX as u64 {
        Some(m as i64)
    } else {
        None
    }
}

/// Go's ParseUint(s, 0, 64): no sign allowed.
fn parse_uint(s: &str) -> Option<u64> {
    if s.starts_with(['+', '-']) {
        return None;
    }
    parse_go_int(s).map(|(_, m)| m)
}

/// go-yaml's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseFloat(s, 64)` for the decimal forms that reach it here.
fn parse_float(s: &str) -> Option<f64> {
    let ok = s
        .bytes()
        .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'));
    if !ok {
        return None;
    }
    // Go reports out-of-range values as errors, so they never resolve to floats.
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Whether the text is a timestamp go-yaml v2 recognises (`2006-1-2`, with an optional time).
pub(crate) fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let year = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if year != 4 || year == b.len() || b[year] != b'-' {
        return false;
    }
    parse_timestamp(s)
}

/// Parses one number of 1 or 2 digits (Go's layout elements `1`, `2`, `15`, `4`, `5`).
fn take_num(b: &[u8], i: &mut usize, max_len: usize, exact: bool) -> Option<u32> {
    let start = *i;
    while *i < b.len() && *i - start < max_len && b[*i].is_ascii_digit() {
        *i += 1;
    }
    let n = *i - start;
    if n == 0 || (exact && n != max_len) {
        return None;
    }
    std::str::from_utf8(&b[start..*i]).ok()?.parse().ok()
}

/// Go's `time.Parse` with go-yaml v2's layouts: `2006-1-2T15:4:5.999999999Z07:00` (also with
/// `t` or a space, where the space form has no zone), or `2006-1-2`.
fn parse_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if take_num(b, &mut i, 4, true).is_none() {
        return false;
    }
    if b.get(i) != Some(&b'-') {
        return false;
    }
    i += 1;
    let Some(month) = take_num(b, &mut i, 2, false) else {
        return false;
    };
    if !(1..=12).contains(&month) || b.get(i) != Some(&b'-') {
        return false;
    }
    i += 1;
    let Some(day) = take_num(b, &mut i, 2, false) else {
        return false;
    };
    if !(1..=31).contains(&day) {
        return false;
    }
    let year: i64 = s[..4].parse().unwrap_or(0);
    if day > days_in_month(year, month) {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let sep = b[i];
    if sep != b'T' && sep != b't' && sep != b' ' {
        return false;
    }
    i += 1;
    let Some(h) = take_num(b, &mut i, 2, false) else {
        return false;
    };
    if b.get(i) != Some(&b':') {
        return false;
    }
    i += 1;
    let Some(m) = take_num(b, &mut i, 2, false) else {
        return false;
    };
    if b.get(i) != Some(&b':') {
        return false;
    }
    i += 1;
    let Some(sec) = take_num(b, &mut i, 2, false) else {
        return false;
    };
    if h > 23 || m > 59 || sec > 59 {
        return false;
    }
    if b.get(i) == Some(&b'.') || b.get(i) == Some(&b',') {
        let start = i + 1;
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    if sep == b' ' {
        return i == b.len();
    }
    // Z07:00: either `Z` or `±hh:mm`.
    match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            i += 1;
            let hh = take_num(b, &mut i, 2, true);
            if b.get(i) != Some(&b':') {
                return false;
            }
            i += 1;
            let mm = take_num(b, &mut i, 2, true);
            matches!((hh, mm), (Some(hh), Some(mm)) if hh <= 24 && mm <= 60) && i == b.len()
        }
        _ => false,
    }
}

/// Resolves a plain (untagged) scalar, returning go-yaml's short tag name and the value.
/// Timestamps resolve to the tag `timestamp` with the original text.
pub(crate) fn resolve_plain(s: &str) -> (&'static str, Scalar) {
    resolve_with(s, "")
}

/// go-yaml v2's `resolve(tag, in)` for the resolvable tags (`""` means untagged).
fn resolve_with(s: &str, tag: &str) -> (&'static str, Scalar) {
    match resolve_unless_text(s, tag) {
        (rtag, Some(value)) => (rtag, value),
        (rtag, None) => (rtag, Scalar::Str(s.to_string())),
    }
}

/// [`resolve_plain`] without copying the text of a string: `None` when the scalar is a string
/// holding the text itself (a timestamp or `<<` too), so that the caller builds its own string
/// from the text once.
pub(crate) fn resolve_plain_unless_text(s: &str) -> Option<Scalar> {
    resolve_unless_text(s, "").1
}

/// [`resolve_with`], giving `None` for a string holding the text itself.
fn resolve_unless_text(s: &str, tag: &str) -> (&'static str, Option<Scalar>) {
    let h = hint(s);
    if h != Hint::None && tag != "str" && tag != "binary" {
        if let Some((rtag, value)) = resolve_word(s) {
            return match value {
                Scalar::Str(_) => (rtag, None),
                value => (rtag, Some(value)),
            };
        }
        match h {
            Hint::Dot => {
                if let Some(f) = parse_float(s) {
                    return ("float", Some(Scalar::Float(f)));
                }
            }
            Hint::Digit | Hint::Sign => {
                if (tag.is_empty() || tag == "timestamp") && is_timestamp(s) {
                    return ("timestamp", None);
                }
                // Most numbers have no `_`: borrow the text instead of copying it.
                let plain: std::borrow::Cow<str> = if s.contains('_') {
                    s.chars().filter(|&c| c != '_').collect::<String>().into()
                } else {
                    s.into()
                };
                if let Some(i) = parse_int(&plain) {
                    return ("int", Some(Scalar::Int(i)));
                }
                if let Some(u) = parse_uint(&plain) {
                    return ("int", Some(Scalar::Uint(u)));
                }
                if is_yaml_style_float(&plain) {
                    if let Some(f) = parse_float(&plain) {
                        return ("float", Some(Scalar::Float(f)));
                    }
                }
            }
            _ => {}
        }
    }
    ("str", None)
}

/// Resolves a scalar carrying an explicit core-schema tag (`int`, `str`, ...), failing as
/// go-yaml does when the text does not fit the tag. Returns `None` when the tag is not one that
/// go-yaml resolves (the scalar then stays a string).
pub(crate) fn resolve_tagged(s: &str, tag: &str) -> Option<Result<Scalar, String>> {
    if !matches!(tag, "str" | "bool" | "int" | "float" | "timestamp" | "null") {
        return None;
    }
    let (rtag, value) = resolve_with(s, tag);
    if tag == rtag || tag == "str" {
        return Some(Ok(value));
    }
    if tag == "float" && rtag == "int" {
        if let Scalar::Int(i) = value {
            return Some(Ok(Scalar::Float(i as f64)));
        }
    }
    Some(Err(format!("cannot decode !!{rtag} `{s}` as a !!{tag}")))
}

/// Whether go-yaml v2 quotes this string when writing it: it would read back as something
/// other than a string, or it looks like a base-60 float (`1:30`).
pub(crate) fn needs_quotes_v2(s: &str) -> bool {
    let (tag, _) = resolve_plain(s);
    tag != "str" || is_base60_float(s)
}

/// go-yaml's `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`.
pub(crate) fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    if i >= b.len() || !b[i].is_ascii_digit() {
        return false;
    }
    i += 1;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while i < b.len() && b[i] == b':' {
        i += 1;
        // [0-5]?[0-9]
        if i + 1 < b.len() && (b'0'..=b'5').contains(&b[i]) && b[i + 1].is_ascii_digit() {
            i += 2;
        } else if i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        } else {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}
