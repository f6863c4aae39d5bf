//! Go's `fmt` printing of [`Value`]s: `Sprint`, `Sprintln`, `Sprintf` with every verb, flag,
//! width, precision and argument index, and Go's error notations (`%!d(string=x)`,
//! `%!d(MISSING)`, `%!(EXTRA int=1)`, ...). What `{{ x }}`, `print`, `printf` and Sprig's
//! `toString` produce all comes from here.

use std::sync::Arc;

use crate::strconv::{
    can_backquote, format_float, format_uint, quote, quote_bytes, quote_rune, quote_rune_to_ascii,
    quote_to_ascii,
};
use crate::{GoShape, Object, Value};

/// Go's `fmt.Sprint`: operands printed with `%v`, a space between two operands when neither is
/// a string.
pub fn sprint(args: &[Value]) -> String {
    let mut p = Printer::default();
    p.do_print(args);
    p.text_lossy()
}

/// Go's `fmt.Sprintln`: operands printed with `%v`, always separated by spaces, then a newline.
pub fn sprintln(args: &[Value]) -> String {
    let mut out = args.iter().map(format_value).collect::<Vec<_>>().join(" ");
    out.push('\n');
    out
}

/// What `%v` prints for one value.
pub fn format_value(v: &Value) -> String {
    let mut p = Printer::default();
    p.print_arg(v, 'v', &Flags::default(), 0);
    p.text_lossy()
}

/// Go's `fmt.Sprintf`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut p = Printer::default();
    p.do_printf(format.as_bytes(), args);
    p.text_lossy()
}

/// The error for text that would hold the bytes of a string that is not valid UTF-8 (a
/// [`Value::ByteString`]) where only UTF-8 text can go; the `_go` printers return such text
/// as a Go string instead.
pub const NOT_UTF8: &str = "printing a string that is not valid UTF-8 here is not supported by \
     helmet (only strings of UTF-8 text)";

/// [`try_sprint`] as a Go string: a [`Value::ByteString`] when a string argument that is not
/// valid UTF-8 was printed with its bytes.
pub fn try_sprint_go(args: &[Value]) -> Result<Value, String> {
    check_printable(args)?;
    let mut p = Printer::default();
    p.do_print(args);
    p.finish_go()
}

/// [`try_sprintln`] as a Go string (see [`try_sprint_go`]).
pub fn try_sprintln_go(args: &[Value]) -> Result<Value, String> {
    check_printable(args)?;
    let mut p = Printer::default();
    for (k, arg) in args.iter().enumerate() {
        if k > 0 {
            p.out.push(' ');
        }
        p.print_arg(arg, 'v', &Flags::default(), 0);
    }
    p.out.push('\n');
    p.finish_go()
}

/// [`try_sprintf`] as a Go string (see [`try_sprint_go`]). The format is any Go string: as in
/// Go, its bytes outside verbs are copied as they are, and a verb that is not UTF-8 reads as
/// U+FFFD (`%!\u{FFFD}(int=1)`).
pub fn try_sprintf_go(format: impl AsRef<[u8]>, args: &[Value]) -> Result<Value, String> {
    check_printable(args)?;
    let format = format.as_ref();
    // Room for the format and a short text per argument, so that most results never regrow.
    let mut p = Printer {
        out: String::with_capacity(format.len() + 16 * args.len()),
        ..Printer::default()
    };
    p.do_printf(format, args);
    p.finish_go()
}

/// The error for printing a map that holds itself: Go's fmt recurses until the stack overflows
/// and Helm crashes; printing it here would take exponential time.
pub const SELF_HOLDING: &str =
    "printing a map that contains itself is not supported (Go overflows its stack on it)";

/// [`sprint`], or an error naming what Go would print that this model cannot (a pointer's
/// address inside another value, a map that holds itself).
pub fn try_sprint(args: &[Value]) -> Result<String, String> {
    check_printable(args)?;
    let mut p = Printer::default();
    p.do_print(args);
    p.finish()
}

fn check_printable(args: &[Value]) -> Result<(), String> {
    if args.iter().any(Value::contains_itself) {
        return Err(SELF_HOLDING.to_string());
    }
    match args.iter().find_map(unprintable) {
        Some(why) => Err(why),
        None => Ok(()),
    }
}

/// [`sprintln`], or an error as [`try_sprint`] gives.
pub fn try_sprintln(args: &[Value]) -> Result<String, String> {
    let parts = args
        .iter()
        .map(try_format_value)
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = parts.join(" ");
    out.push('\n');
    Ok(out)
}

/// [`format_value`], or an error as [`try_sprint`] gives.
pub fn try_format_value(v: &Value) -> Result<String, String> {
    try_sprint(std::slice::from_ref(v))
}

/// [`sprintf`], or an error as [`try_sprint`] gives (for any argument, used or not, to keep the
/// rule simple).
pub fn try_sprintf(format: &str, args: &[Value]) -> Result<String, String> {
    check_printable(args)?;
    let mut p = Printer::default();
    p.do_printf(format.as_bytes(), args);
    p.finish()
}

/// What text/template prints for an action's value (its `printableValue`, then `fmt.Fprint`):
/// a pointer prints as what it points to; a value whose `String` method sits on the pointer
/// receiver prints through it when addressable (text/template takes its address, as fmt, given
/// a copy, cannot).
pub fn format_action_value(v: &Value) -> Result<String, String> {
    if let Value::Object(o) = v {
        if let Some(text) = o.stringer() {
            return Ok(text);
        }
        if o.is_addressable() {
            if let Some(text) = o.pointer_stringer() {
                return Ok(text);
            }
        }
        if o.is_pointer() {
            if let Some(shape) = o.go_shape() {
                if let GoShape::Struct(fields) = &shape {
                    let values: Vec<Value> = fields.iter().map(|(_, v)| v.clone()).collect();
                    if values.iter().any(Value::contains_itself) {
                        return Err(SELF_HOLDING.to_string());
                    }
                }
                if let Some(why) = shape_unprintable(&shape) {
                    return Err(why);
                }
                let mut p = Printer::default();
                p.print_shape(o.as_ref(), shape, 'v', &Flags::default(), 1);
                return p.finish();
            }
        }
    }
    try_format_value(v)
}

/// Why `v` cannot be printed as Go prints it: a pointer nested in another value prints as its
/// memory address.
fn unprintable(v: &Value) -> Option<String> {
    unprintable_at(v, 0)
}

fn unprintable_at(v: &Value, depth: usize) -> Option<String> {
    if depth > MAX_DEPTH {
        return None;
    }
    match v {
        Value::List(l) => l.items.iter().find_map(|x| unprintable_at(x, depth + 1)),
        Value::Map(m) => m
            .entries()
            .values()
            .find_map(|x| unprintable_at(x, depth + 1)),
        Value::Object(o) => {
            if depth > 0 && o.is_pointer() && o.go_shape().is_some() && o.stringer().is_none() {
                // Printed as an address (see `Printer::print_object`), never followed.
                return None;
            }
            o.go_shape().and_then(|s| shape_unprintable_at(&s, depth))
        }
        _ => None,
    }
}

fn shape_unprintable(shape: &GoShape) -> Option<String> {
    shape_unprintable_at(shape, 0)
}

fn shape_unprintable_at(shape: &GoShape, depth: usize) -> Option<String> {
    match shape {
        GoShape::Struct(fields) => fields
            .iter()
            .find_map(|(_, x)| unprintable_at(x, depth + 1)),
        GoShape::Underlying(u) => unprintable_at(u, depth),
    }
}

#[derive(Clone, Default)]
struct Flags {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
    /// `%+v` and `%#v` are modes of `v`, not padding flags.
    plus_v: bool,
    sharp_v: bool,
}

#[derive(Default)]
struct Printer {
    out: String,
    /// What this model could not print as Go does (the infallible functions print their best
    /// approximation; the `try_` ones fail with this).
    unsupported: Option<String>,
    /// Everything printed before `out` once a string that is not valid UTF-8 was printed with
    /// its bytes (`None` until then: text stays in `out`).
    raw: Option<Vec<u8>>,
}

/// Nested containers deeper than this print as `...`. Not a Go rule: Go recurses until its stack
/// overflows (only a map that holds itself gets that deep, and Helm crashes on it); this keeps
/// printing within the stack of any thread. The engine refuses to print such maps outright.
const MAX_DEPTH: usize = 1_000;

impl Printer {
    fn do_print(&mut self, args: &[Value]) {
        for (i, arg) in args.iter().enumerate() {
            let is_string = matches!(arg, Value::String(_) | Value::ByteString(_));
            if i > 0
                && !is_string
                && !matches!(args[i - 1], Value::String(_) | Value::ByteString(_))
            {
                self.out.push(' ');
            }
            self.print_arg(arg, 'v', &Flags::default(), 0);
        }
    }

    fn finish(self) -> Result<String, String> {
        match self.unsupported {
            Some(why) => Err(why),
            None if self.raw.is_some() => Err(NOT_UTF8.to_string()),
            None => Ok(self.out),
        }
    }

    /// The printed Go string: text, or bytes when a string that is not UTF-8 was printed.
    fn finish_go(self) -> Result<Value, String> {
        if let Some(why) = self.unsupported {
            return Err(why);
        }
        Ok(match self.raw {
            None => Value::String(self.out.into()),
            Some(mut raw) => {
                raw.extend_from_slice(self.out.as_bytes());
                Value::from_go_bytes(raw)
            }
        })
    }

    /// What the infallible printers return: Go's text with each invalid byte as U+FFFD.
    fn text_lossy(self) -> String {
        match self.raw {
            None => self.out,
            Some(mut raw) => {
                raw.extend_from_slice(self.out.as_bytes());
                crate::gostring::to_text_lossy(&raw)
            }
        }
    }

    /// Appends bytes that are not valid UTF-8.
    fn push_bytes(&mut self, b: &[u8]) {
        let raw = self.raw.get_or_insert_with(Vec::new);
        raw.extend_from_slice(self.out.as_bytes());
        raw.extend_from_slice(b);
        self.out.clear();
    }

    /// `%s` and `%v` of a Go string that is not valid UTF-8: its bytes, cut to the precision
    /// and padded to the width in runes (an invalid byte counts as one, as in Go).
    fn pad_bytes(&mut self, b: &[u8], f: &Flags) {
        let b = match f.prec {
            Some(p) => match crate::gostring::runes(b).nth(p) {
                Some((at, _, _)) => &b[..at],
                None => b,
            },
            None => b,
        };
        let len = crate::gostring::rune_count(b);
        let fill = f.width.unwrap_or(0).saturating_sub(len);
        if f.minus {
            self.push_bytes(b);
            self.out.push_str(&" ".repeat(fill));
        } else {
            self.out
                .push_str(&(if f.zero { "0" } else { " " }).repeat(fill));
            self.push_bytes(b);
        }
    }

    /// A Go string that is not valid UTF-8, with `verb`.
    fn fmt_byte_string(&mut self, b: &[u8], v: &Value, verb: char, f: &Flags) {
        // Go's truncateString counts runes, each invalid byte as one.
        let cut = |b: &'_ [u8]| -> usize {
            match f.prec {
                Some(p) => crate::gostring::runes(b)
                    .nth(p)
                    .map_or(b.len(), |(at, _, _)| at),
                None => b.len(),
            }
        };
        match verb {
            'v' if f.sharp_v => self.pad(&quote_bytes(b), f),
            'v' | 's' => self.pad_bytes(b, f),
            // fmtSbx cuts hex output at the precision in bytes.
            'x' | 'X' => {
                let n = f.prec.map_or(b.len(), |p| p.min(b.len()));
                self.fmt_hex_bytes(&b[..n], verb == 'X', f);
            }
            'q' => {
                // Never backquoted: CanBackquote refuses invalid UTF-8.
                let text = &b[..cut(b)];
                let q = if f.plus {
                    crate::strconv::quote_bytes_to_ascii(text)
                } else {
                    quote_bytes(text)
                };
                self.pad(&q, f);
            }
            _ => self.bad_verb(v, verb, f),
        }
    }

    fn do_printf(&mut self, format: &[u8], args: &[Value]) {
        let bytes = format;
        let end = bytes.len();
        let mut arg_num = 0usize;
        let mut after_index;
        let mut reordered = false;
        let mut i = 0;
        while i < end {
            // Cleared by an argument index that is malformed or out of range (`%!d(BADINDEX)`).
            let mut good_arg_num = true;
            let lasti = i;
            while i < end && bytes[i] != b'%' {
                i += 1;
            }
            if i > lasti {
                match std::str::from_utf8(&format[lasti..i]) {
                    Ok(text) => self.out.push_str(text),
                    Err(_) => self.push_bytes(&format[lasti..i]),
                }
            }
            if i >= end {
                break;
            }
            i += 1; // skip %
            let mut f = Flags::default();
            // Flags.
            while i < end {
                match bytes[i] {
                    b'#' => f.sharp = true,
                    b'0' => f.zero = true,
                    b'+' => f.plus = true,
                    b'-' => f.minus = true,
                    b' ' => f.space = true,
                    _ => break,
                }
                i += 1;
            }
            let mut index = |arg_num, i, good: &mut bool| {
                let found = arg_number(arg_num, format, i, args.len());
                if found.reordered {
                    reordered = true;
                }
                if !found.good {
                    *good = false;
                }
                (found.arg_num, found.i, found.found)
            };
            // Argument index, then width.
            (arg_num, i, after_index) = index(arg_num, i, &mut good_arg_num);
            if i < end && bytes[i] == b'*' {
                i += 1;
                match int_from_arg(args, arg_num) {
                    Some(w) => {
                        arg_num += 1;
                        if w < 0 {
                            f.minus = true;
                            f.width = Some(w.unsigned_abs() as usize);
                        } else {
                            f.width = Some(w as usize);
                        }
                        if f.width.is_some_and(|w| w > 1_000_000) {
                            f.width = None;
                            self.out.push_str("%!(BADWIDTH)");
                        }
                    }
                    None => {
                        if arg_num < args.len() {
                            arg_num += 1;
                        }
                        self.out.push_str("%!(BADWIDTH)");
                    }
                }
                after_index = false;
            } else {
                let (n, ni) = parse_num(format, i);
                if let Some(n) = n {
                    if after_index {
                        // "%[3]2d" is not allowed.
                        good_arg_num = false;
                    }
                    f.width = Some(n);
                }
                i = ni;
            }
            // Precision: a `.` that ends the format is the verb instead.
            if i + 1 < end && bytes[i] == b'.' {
                i += 1;
                if after_index {
                    // "%[3].2d" is not allowed.
                    good_arg_num = false;
                }
                (arg_num, i, after_index) = index(arg_num, i, &mut good_arg_num);
                if i < end && bytes[i] == b'*' {
                    i += 1;
                    match int_from_arg(args, arg_num) {
                        Some(p) if p >= 0 => {
                            arg_num += 1;
                            f.prec = Some(p as usize);
                        }
                        Some(_) => {
                            // A negative precision makes no sense to Go either.
                            arg_num += 1;
                            f.prec = None;
                            self.out.push_str("%!(BADPREC)");
                        }
                        None => {
                            if arg_num < args.len() {
                                arg_num += 1;
                            }
                            self.out.push_str("%!(BADPREC)");
                        }
                    }
                    after_index = false;
                } else {
                    let (n, ni) = parse_num(format, i);
                    f.prec = Some(n.unwrap_or(0));
                    i = ni;
                }
            }
            if !after_index {
                (arg_num, i, _) = index(arg_num, i, &mut good_arg_num);
            }
            if i >= end {
                self.out.push_str("%!(NOVERB)");
                break;
            }
            // Go decodes the verb as a rune: a byte that is not UTF-8 is U+FFFD of width 1.
            let (verb, width) = crate::strconv::decode_utf8(&format[i..])
                .unwrap_or((crate::gostring::RUNE_ERROR, 1));
            i += width;
            if verb == '%' {
                self.out.push('%');
                continue;
            }
            if !good_arg_num {
                self.bad_arg_num(verb);
                continue;
            }
            if arg_num >= args.len() {
                self.out.push_str(&format!("%!{verb}(MISSING)"));
                continue;
            }
            if verb == 'v' {
                if f.sharp {
                    f.sharp = false;
                    f.sharp_v = true;
                }
                if f.plus {
                    f.plus = false;
                    f.plus_v = true;
                }
            }
            if f.minus {
                f.zero = false;
            }
            let arg = &args[arg_num];
            arg_num += 1;
            self.print_arg(arg, verb, &f, 0);
        }
        if !reordered && arg_num < args.len() {
            self.out.push_str("%!(EXTRA ");
            for (k, arg) in args[arg_num..].iter().enumerate() {
                if k > 0 {
                    self.out.push_str(", ");
                }
                if arg.is_nil() {
                    self.out.push_str("<nil>");
                } else {
                    self.out.push_str(&arg.type_name());
                    self.out.push('=');
                    self.print_arg(arg, 'v', &Flags::default(), 0);
                }
            }
            self.out.push(')');
        }
    }

    fn bad_arg_num(&mut self, verb: char) {
        self.out.push_str(&format!("%!{verb}(BADINDEX)"));
    }

    /// `%!verb(type=value)`: the value printed with `%v` under the flags given for the bad verb,
    /// as Go does.
    fn bad_verb(&mut self, v: &Value, verb: char, f: &Flags) {
        self.out.push_str("%!");
        self.out.push(verb);
        self.out.push('(');
        if v.is_nil() {
            self.out.push_str("<nil>");
        } else {
            self.out.push_str(&v.type_name());
            self.out.push('=');
            self.print_arg(v, 'v', f, 0);
        }
        self.out.push(')');
    }

    fn print_arg(&mut self, v: &Value, verb: char, f: &Flags, depth: usize) {
        if verb == 'T' {
            // Go prints the type's name as a string: cut to the precision, then padded (nil's
            // `<nil>` only padded).
            let t = v.type_name();
            let prec = if v.is_nil() && depth == 0 {
                None
            } else {
                f.prec
            };
            self.pad(truncate(&t, prec), f);
            return;
        }
        if depth > MAX_DEPTH {
            self.out.push_str("...");
            return;
        }
        if verb == 'p' && depth == 0 {
            // Go prints a map's or slice's memory address, which differs from run to run: any
            // address in Go's heap range is as right as another. It is made from where helmet
            // holds the value, so one value prints one address.
            let held = match v {
                Value::Map(m) => Some(Arc::as_ptr(m) as *const () as usize),
                Value::List(l) => Some(Arc::as_ptr(l) as *const () as usize),
                Value::Bytes(b) => Some(Arc::as_ptr(b) as *const () as usize),
                _ => None,
            };
            if let Some(held) = held {
                let address = 0xc000_000000u64 | (((held as u64) >> 4 & 0xf_ffff) << 4);
                // Go's fmt0x64: 0x unless the # flag, then the integer's flags.
                self.fmt_int_base(i128::from(address), 16, false, f, !f.sharp, false);
                return;
            }
        }
        match v {
            Value::Nil => {
                if depth > 0 {
                    // Inside a container, nil is printed whatever the verb, unpadded.
                    self.out.push_str(if f.sharp_v {
                        "interface {}(nil)"
                    } else {
                        "<nil>"
                    });
                } else if verb == 'v' {
                    self.pad("<nil>", f);
                } else {
                    self.bad_verb(v, verb, f);
                }
            }
            Value::Bool(b) => match verb {
                't' | 'v' => self.pad(if *b { "true" } else { "false" }, f),
                _ => self.bad_verb(v, verb, f),
            },
            Value::Int(i) | Value::Int64(i) => self.fmt_integer(*i as i128, v, verb, f),
            Value::Uint64(u) => self.fmt_integer(*u as i128, v, verb, f),
            Value::Uint8(u) => self.fmt_integer(i128::from(*u), v, verb, f),
            Value::Float64(x) => self.fmt_float(*x, v, verb, f),
            Value::Complex128(re, im) => match verb {
                // Go prints both parts with the verb; the imaginary part always has a sign.
                'v' | 'b' | 'g' | 'G' | 'x' | 'X' | 'f' | 'F' | 'e' | 'E' => {
                    self.out.push('(');
                    self.fmt_float(*re, v, verb, f);
                    let signed = Flags {
                        plus: true,
                        ..f.clone()
                    };
                    self.fmt_float(*im, v, verb, &signed);
                    self.out.push_str("i)");
                }
                _ => self.bad_verb(v, verb, f),
            },
            Value::String(s) => self.fmt_string(s, v, verb, f),
            Value::ByteString(b) => self.fmt_byte_string(b, v, verb, f),
            Value::Bytes(b) => self.fmt_bytes(b, verb, f, depth),
            Value::List(l) if f.sharp_v && l.is_nil() => {
                self.out.push_str(&v.type_name());
                self.out.push_str("(nil)");
            }
            Value::List(l) => {
                if f.sharp_v {
                    self.out.push_str(&v.type_name());
                    self.out.push('{');
                    for (k, item) in l.items.iter().enumerate() {
                        if k > 0 {
                            self.out.push_str(", ");
                        }
                        self.print_arg(item, verb, f, depth + 1);
                    }
                    self.out.push('}');
                    return;
                }
                self.out.push('[');
                for (k, item) in l.items.iter().enumerate() {
                    if k > 0 {
                        self.out.push(' ');
                    }
                    self.print_arg(item, verb, f, depth + 1);
                }
                self.out.push(']');
            }
            Value::Map(m) if f.sharp_v && m.is_nil() => {
                self.out.push_str(&v.type_name());
                self.out.push_str("(nil)");
            }
            Value::Map(m) => {
                if f.sharp_v {
                    self.out.push_str(&v.type_name());
                    self.out.push('{');
                } else {
                    self.out.push_str("map[");
                }
                for (k, (key, val)) in m.entries().iter().enumerate() {
                    if k > 0 {
                        self.out.push_str(if f.sharp_v { ", " } else { " " });
                    }
                    self.print_arg(&Value::from(key.as_str()), verb, f, depth + 1);
                    self.out.push(':');
                    self.print_arg(val, verb, f, depth + 1);
                }
                self.out.push(if f.sharp_v { '}' } else { ']' });
            }
            Value::Object(o) => self.print_object(o.as_ref(), verb, f, depth),
        }
    }

    /// An object as fmt's `handleMethods` and `printValue` see it: its `String` method for the
    /// verbs that take strings (not `%#v`), else its fields.
    fn print_object(&mut self, o: &dyn Object, verb: char, f: &Flags, depth: usize) {
        if !f.sharp_v && matches!(verb, 'v' | 's' | 'x' | 'X' | 'q') {
            if let Some(text) = o.stringer() {
                self.fmt_string(&text, &Value::from(text.as_str()), verb, f);
                return;
            }
        }
        let Some(shape) = o.go_shape() else {
            // Only `%v` and `%s` text is known for these objects; Go prints their fields (or
            // calls `GoString`) for the other verbs.
            match verb {
                'v' | 's' if !f.sharp_v => {
                    let text = o.go_format();
                    self.pad(&text, f);
                }
                _ => {
                    let spec = if f.sharp_v {
                        "#v".to_string()
                    } else {
                        verb.to_string()
                    };
                    self.unsupported.get_or_insert_with(|| {
                        format!(
                            "printing a {} with %{spec} is not supported yet",
                            o.type_name()
                        )
                    });
                    // The infallible printers show the `%v` text in its place.
                    let text = o.go_format();
                    self.pad(&text, f);
                }
            }
            return;
        };
        if o.is_pointer() {
            if depth > 0 {
                // Go prints a pointer inside another value as its memory address, which differs
                // from run to run: any address in Go's heap range is as right as another. It is
                // made from where helmet holds the object, so one object prints one address.
                let address: u64 = 0xc000_000000
                    | (((o as *const dyn Object as *const () as usize as u64) >> 4 & 0xf_ffff)
                        << 4);
                let text = match verb {
                    'v' if f.sharp_v => format!("({})(0x{address:x})", o.type_name()),
                    'v' | 'p' => format!("0x{address:x}"),
                    'd' => address.to_string(),
                    'x' => format!("{address:x}"),
                    'X' => format!("{address:X}"),
                    'o' => format!("{address:o}"),
                    'b' => format!("{address:b}"),
                    _ => {
                        // A bad verb shows the value with `%v`, as a top-level pointer.
                        self.out.push_str(&format!("%!{verb}({}=&", o.type_name()));
                        self.print_shape(o, shape, 'v', &Flags::default(), 1);
                        self.out.push(')');
                        return;
                    }
                };
                self.out.push_str(&text);
                return;
            }
            self.out.push('&');
        }
        self.print_shape(o, shape, verb, f, depth + 1);
    }

    /// The fields of a struct (`{a b}`, `{A:a B:b}`, `T{A:"a", B:"b"}`) or the underlying value
    /// of a named slice or map type.
    fn print_shape(&mut self, o: &dyn Object, shape: GoShape, verb: char, f: &Flags, depth: usize) {
        let type_name = o.type_name().trim_start_matches('*');
        match shape {
            GoShape::Struct(fields) => {
                if f.sharp_v {
                    self.out.push_str(type_name);
                }
                self.out.push('{');
                for (k, (name, field)) in fields.iter().enumerate() {
                    if k > 0 {
                        self.out.push_str(if f.sharp_v { ", " } else { " " });
                    }
                    if f.plus_v || f.sharp_v {
                        self.out.push_str(name);
                        self.out.push(':');
                    }
                    self.print_arg(field, verb, f, depth + 1);
                }
                self.out.push('}');
            }
            GoShape::Underlying(under) => {
                if f.sharp_v {
                    let mut inner = Printer::default();
                    inner.print_arg(&under, verb, f, depth);
                    if self.unsupported.is_none() {
                        self.unsupported = inner.unsupported;
                    }
                    let under_name = under.type_name();
                    match inner.out.strip_prefix(under_name.as_str()) {
                        Some(rest) => {
                            self.out.push_str(type_name);
                            self.out.push_str(rest);
                        }
                        None => self.out.push_str(&inner.out),
                    }
                } else {
                    self.print_arg(&under, verb, f, depth);
                }
            }
        }
    }

    fn fmt_integer(&mut self, i: i128, v: &Value, verb: char, f: &Flags) {
        let unsigned = matches!(v, Value::Uint64(_) | Value::Uint8(_));
        match verb {
            'v' => {
                if f.sharp_v && unsigned {
                    // Go's fmt0x64: lower-case hex with 0x.
                    self.fmt_int_base(i, 16, false, f, true, false);
                } else {
                    self.fmt_int_base(i, 10, false, f, false, false);
                }
            }
            'd' => self.fmt_int_base(i, 10, false, f, false, false),
            'b' => self.fmt_int_base(i, 2, false, f, f.sharp, false),
            'o' => self.fmt_int_base(i, 8, false, f, f.sharp, false),
            'O' => self.fmt_int_base(i, 8, false, f, f.sharp, true),
            'x' => self.fmt_int_base(i, 16, false, f, f.sharp, false),
            'X' => self.fmt_int_base(i, 16, true, f, f.sharp, false),
            'c' => {
                let c = char_of(i);
                self.pad(&c.to_string(), f);
            }
            'q' => {
                let c = char_of(i);
                let q = if f.plus {
                    quote_rune_to_ascii(c)
                } else {
                    quote_rune(c)
                };
                self.pad(&q, f);
            }
            'U' => {
                let c = char_of(i);
                let mut s = format!("U+{:04X}", i.max(0));
                if !(0..=0x10FFFF).contains(&i) {
                    s = format!("U+{:04X}", i as u64);
                }
                if f.sharp && crate::strconv::is_print(c) && (0..=0x10FFFF).contains(&i) {
                    s.push_str(&format!(" '{c}'"));
                }
                // Go's fmtUnicode pads with spaces even under the 0 flag.
                self.pad_with(&s, f, false);
            }
            _ => self.bad_verb(v, verb, f),
        }
    }

    /// Go's `fmtInteger`: zeros for the precision (or for the width under the 0 flag, which
    /// then leaves room only for the sign), then the `#` prefix (0b, a leading 0, 0x), `0o` for
    /// `%O` and the sign on top of them, padded with spaces. A zero precision prints no digit
    /// of a zero value, only the padding.
    fn fmt_int_base(
        &mut self,
        i: i128,
        base: u32,
        upper: bool,
        f: &Flags,
        sharp: bool,
        o_prefix: bool,
    ) {
        let neg = i < 0;
        let mag = i.unsigned_abs();
        // Plain decimal (`%v`, `%d` without flags) needs none of the steps below.
        if base == 10 && !sharp && !o_prefix && f.prec.is_none() && !(f.zero || f.plus || f.space) {
            if let Ok(mag) = u64::try_from(mag) {
                let mut digits = [0u8; 24];
                let text = crate::strconv::decimal_into(neg, mag, &mut digits);
                self.pad_with(text, f, false);
                return;
            }
        }
        let width = f.width.unwrap_or(0);
        let mut prec = 0;
        match f.prec {
            Some(0) if mag == 0 => {
                self.out.push_str(&" ".repeat(width));
                return;
            }
            Some(p) => prec = p,
            None if f.zero && !f.minus && f.width.is_some() => {
                prec = width;
                if neg || f.plus || f.space {
                    prec = prec.saturating_sub(1);
                }
            }
            None => {}
        }
        let mut digits = if mag <= u128::from(u64::MAX) {
            format_uint(mag as u64, base)
        } else {
            mag.to_string()
        };
        if upper {
            digits = digits.to_uppercase();
        }
        let mut s = String::with_capacity(prec.max(digits.len()) + 4);
        if digits.len() < prec {
            s.push_str(&"0".repeat(prec - digits.len()));
        }
        s.push_str(&digits);
        if sharp {
            match base {
                2 => s.insert_str(0, "0b"),
                8 if !s.starts_with('0') => s.insert(0, '0'),
                16 => s.insert_str(0, if upper { "0X" } else { "0x" }),
                _ => {}
            }
        }
        if o_prefix {
            s.insert_str(0, "0o");
        }
        if neg {
            s.insert(0, '-');
        } else if f.plus {
            s.insert(0, '+');
        } else if f.space {
            s.insert(0, ' ');
        }
        self.pad_with(&s, f, false);
    }

    fn fmt_float(&mut self, x: f64, v: &Value, verb: char, f: &Flags) {
        // Whole numbers below a million (ports, replica counts read from YAML) print as their
        // integer under `%v` and `%g`: their shortest digits are the integer's, and Go switches
        // to an exponent only from 1e+06 on. Zero is left to the general path for its sign.
        if matches!(verb, 'v' | 'g')
            && x.fract() == 0.0
            && x != 0.0
            && x.abs() < 1e6
            && f.prec.is_none()
            && !(f.sharp || f.plus || f.space || f.zero || f.plus_v || f.sharp_v)
        {
            let mut digits = [0u8; 8];
            let text = crate::strconv::decimal_into(x < 0.0, x.abs() as u64, &mut digits);
            self.pad_with(text, f, false);
            return;
        }
        let (fmt, prec) = match verb {
            'v' => (b'g', f.prec.map_or(-1, |p| p as i32)),
            'e' | 'E' | 'f' | 'F' => (verb as u8, f.prec.map_or(6, |p| p as i32)),
            'g' | 'G' => (verb as u8, f.prec.map_or(-1, |p| p as i32)),
            'x' | 'X' => (verb as u8, f.prec.map_or(-1, |p| p as i32)),
            'b' => (b'b', -1),
            _ => return self.bad_verb(v, verb, f),
        };
        let fmt = if fmt == b'F' { b'f' } else { fmt };
        let mut num = format_float(x, fmt, prec, 64);
        if f.sharp && verb != 'b' {
            num = sharp_float(num, verb, f.prec);
        }
        let (sign, body) = match num.strip_prefix('-') {
            Some(rest) => ("-", rest.to_string()),
            None => {
                let s = if num.starts_with('+') {
                    // +Inf carries its own sign.
                    ""
                } else if f.plus {
                    "+"
                } else if f.space {
                    " "
                } else {
                    ""
                };
                (s, num.clone())
            }
        };
        let body = if body == "+Inf" && !f.plus {
            if f.space {
                " Inf".to_string()
            } else {
                "+Inf".to_string()
            }
        } else {
            body
        };
        let special = x.is_nan() || x.is_infinite();
        if f.zero && !f.minus && !special {
            if let Some(w) = f.width {
                let len = sign.len() + body.len();
                if len < w {
                    self.out.push_str(sign);
                    self.out.push_str(&"0".repeat(w - len));
                    self.out.push_str(&body);
                    return;
                }
            }
        }
        self.pad_with(&format!("{sign}{body}"), f, false);
    }

    fn fmt_string(&mut self, s: &str, v: &Value, verb: char, f: &Flags) {
        match verb {
            'v' if f.sharp_v => self.pad(&quote(truncate(s, f.prec)), f),
            'v' | 's' => {
                let text = truncate(s, f.prec);
                self.pad(text, f);
            }
            // fmtSbx cuts hex output at the precision in bytes, not characters.
            'x' | 'X' => {
                let n = f.prec.map_or(s.len(), |p| p.min(s.len()));
                self.fmt_hex_bytes(&s.as_bytes()[..n], verb == 'X', f);
            }
            'q' => {
                let text = truncate(s, f.prec);
                let q = if f.sharp && can_backquote(text) {
                    format!("`{text}`")
                } else if f.plus {
                    quote_to_ascii(text)
                } else {
                    quote(text)
                };
                self.pad(&q, f);
            }
            _ => self.bad_verb(v, verb, f),
        }
    }

    /// A `[]byte`: as text for `%s`, `%x`, `%X` and `%q`, else byte by byte with the verb.
    /// `%#v` names the type `[]byte` at the top (fmt's fast path) and `[]uint8` inside other
    /// values (reflection's name for it).
    fn fmt_bytes(&mut self, b: &[u8], verb: char, f: &Flags, depth: usize) {
        match verb {
            's' => match std::str::from_utf8(b) {
                Ok(text) => self.pad(truncate(text, f.prec), f),
                Err(_) => self.pad_bytes(b, f),
            },
            // As for strings, the precision counts bytes.
            'x' | 'X' => {
                let n = f.prec.map_or(b.len(), |p| p.min(b.len()));
                self.fmt_hex_bytes(&b[..n], verb == 'X', f);
            }
            // As the string of those bytes (the value is only named by bad verbs, not by %q).
            'q' => match std::str::from_utf8(b) {
                Ok(text) => self.fmt_string(text, &Value::Nil, 'q', f),
                Err(_) => self.fmt_byte_string(b, &Value::Nil, 'q', f),
            },
            'v' if f.sharp_v => {
                self.out
                    .push_str(if depth > 0 { "[]uint8{" } else { "[]byte{" });
                for (k, byte) in b.iter().enumerate() {
                    if k > 0 {
                        self.out.push_str(", ");
                    }
                    self.out.push_str(&format!("0x{byte:x}"));
                }
                self.out.push('}');
            }
            _ => {
                self.out.push('[');
                for (k, byte) in b.iter().enumerate() {
                    if k > 0 {
                        self.out.push(' ');
                    }
                    self.fmt_integer(i128::from(*byte), &Value::Uint8(*byte), verb, f);
                }
                self.out.push(']');
            }
        }
    }

    /// `%x` of bytes: two hex digits each, a space between bytes with the space flag, and
    /// `0x` before each (with `#` and space) or once (with `#`).
    fn fmt_hex_bytes(&mut self, b: &[u8], upper: bool, f: &Flags) {
        let mut s = String::new();
        for (k, byte) in b.iter().enumerate() {
            if f.space && k > 0 {
                s.push(' ');
            }
            if f.sharp && (f.space || k == 0) {
                s.push_str(if upper { "0X" } else { "0x" });
            }
            if upper {
                s.push_str(&format!("{byte:02X}"));
            } else {
                s.push_str(&format!("{byte:02x}"));
            }
        }
        self.pad(&s, f);
    }

    fn pad(&mut self, s: &str, f: &Flags) {
        self.pad_with(s, f, true);
    }

    /// Pads to the width, counting characters; zero padding applies to strings too (as the Go
    /// that built Helm v4.2.3 does), on the left only.
    fn pad_with(&mut self, s: &str, f: &Flags, zero_ok: bool) {
        let Some(width) = f.width else {
            self.out.push_str(s);
            return;
        };
        let len = s.chars().count();
        if len >= width {
            self.out.push_str(s);
            return;
        }
        let fill = width - len;
        if f.minus {
            self.out.push_str(s);
            self.out.push_str(&" ".repeat(fill));
        } else {
            let c = if f.zero && zero_ok { "0" } else { " " };
            self.out.push_str(&c.repeat(fill));
            self.out.push_str(s);
        }
    }
}

/// The `#` flag on floats, as Go applies it: a decimal point always, and for `%g`/`%v`/`%x`
/// trailing zeros up to the precision (6 when none is given), counting significant digits from
/// the first non-zero character of the mantissa (for `%x` that includes the `x` of `0x`).
fn sharp_float(num: String, verb: char, prec: Option<usize>) -> String {
    if num.contains("Inf") || num.contains("NaN") {
        return num;
    }
    let (sign, body) = match num.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", num.as_str()),
    };
    let hex = matches!(verb, 'x' | 'X');
    let mut digits: i64 = match verb {
        'v' | 'g' | 'G' | 'x' => prec.map_or(6, |p| p as i64),
        _ => 0,
    };
    let mut mantissa = String::new();
    let mut tail = "";
    let mut has_point = false;
    let mut saw_nonzero = false;
    for (i, c) in body.char_indices() {
        match c {
            '.' => has_point = true,
            'p' | 'P' => {
                tail = &body[i..];
                break;
            }
            'e' | 'E' if !hex => {
                tail = &body[i..];
                break;
            }
            _ => {
                if c != '0' {
                    saw_nonzero = true;
                }
                if saw_nonzero {
                    digits -= 1;
                }
            }
        }
        mantissa.push(c);
    }
    if !has_point {
        if mantissa == "0" {
            digits -= 1;
        }
        mantissa.push('.');
    }
    while digits > 0 {
        mantissa.push('0');
        digits -= 1;
    }
    format!("{sign}{mantissa}{tail}")
}

fn truncate(s: &str, prec: Option<usize>) -> &str {
    match prec {
        Some(p) => match s.char_indices().nth(p) {
            Some((i, _)) => &s[..i],
            None => s,
        },
        None => s,
    }
}

fn char_of(i: i128) -> char {
    u32::try_from(i)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or('\u{FFFD}')
}

/// An argument used as `*` width or precision must be an int.
fn int_from_arg(args: &[Value], n: usize) -> Option<i64> {
    match args.get(n)? {
        Value::Int(i) | Value::Int64(i) => Some(*i),
        Value::Uint64(u) => i64::try_from(*u).ok(),
        Value::Uint8(u) => Some(i64::from(*u)),
        _ => None,
    }
}

fn parse_num(b: &[u8], start: usize) -> (Option<usize>, usize) {
    let mut i = start;
    let mut n: usize = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        n = n
            .saturating_mul(10)
            .saturating_add(usize::from(b[i] - b'0'));
        if n > 1_000_000 {
            return (None, b.len());
        }
        i += 1;
    }
    if i == start {
        (None, start)
    } else {
        (Some(n), i)
    }
}

/// What Go's `argNumber` reads at a verb's position.
struct ArgIndex {
    /// The argument the verb takes next.
    arg_num: usize,
    /// Where reading goes on.
    i: usize,
    /// An index was read (`[n]`, even out of range).
    found: bool,
    /// A `[` was seen: the arguments are taken out of order, so extra ones go unreported.
    reordered: bool,
    /// False for a malformed or out-of-range index (`%!d(BADINDEX)`).
    good: bool,
}

/// Go's `argNumber` at `i`: an explicit argument index `[n]` (one-based). A `[` without a
/// closing `]` is skipped alone; a malformed or out-of-range index keeps the argument number.
fn arg_number(arg_num: usize, format: &[u8], i: usize, num_args: usize) -> ArgIndex {
    let mut out = ArgIndex {
        arg_num,
        i,
        found: false,
        reordered: false,
        good: true,
    };
    if i >= format.len() || format[i] != b'[' {
        return out;
    }
    out.reordered = true;
    let rest = &format[i..];
    let close = if rest.len() < 3 {
        None
    } else {
        rest[1..].iter().position(|&c| c == b']').map(|at| at + 1)
    };
    let Some(close) = close else {
        out.i = i + 1;
        out.good = false;
        return out;
    };
    out.i = i + close + 1;
    match parse_num(rest, 1) {
        (Some(n), end) if end == close => {
            out.found = true;
            if (1..=num_args).contains(&n) {
                out.arg_num = n - 1;
            } else {
                out.good = false;
            }
        }
        _ => out.good = false,
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Map, Value};

    fn s(text: &str) -> Value {
        Value::from(text)
    }

    #[test]
    fn sprint_spaces_between_non_strings() {
        let args = [
            Value::Int(1),
            Value::Int(2),
            s("a"),
            s("b"),
            Value::Int(3),
            Value::Nil,
            Value::Int(4),
        ];
        assert_eq!(sprint(&args), "1 2ab3 <nil> 4");
        assert_eq!(sprintln(&[Value::Int(1), s("a")]), "1 a\n");
    }

    #[test]
    fn containers_print_like_go() {
        let l = Value::list(vec![
            Value::Float64(1.0),
            s("a"),
            Value::Nil,
            Value::Float64(2.5),
        ]);
        assert_eq!(format_value(&l), "[1 a <nil> 2.5]");
        assert_eq!(
            sprintf("%d", &[l]),
            "[%!d(float64=1) %!d(string=a) <nil> %!d(float64=2.5)]"
        );
        let mut m = Map::new();
        m.insert("b".into(), Value::Float64(1.0));
        m.insert("a".into(), s("x"));
        let m = Value::map(m);
        assert_eq!(format_value(&m), "map[a:x b:1]");
        assert_eq!(
            sprintf("%#v|%T", &[m.clone(), m]),
            "map[string]interface {}{\"a\":\"x\", \"b\":1}|map[string]interface {}"
        );
    }

    #[test]
    fn errors_in_go_notation() {
        assert_eq!(sprintf("%d %d", &[Value::Int(1)]), "1 %!d(MISSING)");
        assert_eq!(
            sprintf("%d", &[Value::Int(1), Value::Int(2), s("x")]),
            "1%!(EXTRA int=2, string=x)"
        );
        assert_eq!(sprintf("%!", &[]), "%!!(MISSING)");
        assert_eq!(sprintf("%", &[]), "%!(NOVERB)");
        assert_eq!(
            sprintf("%[2]d %[1]d", &[Value::Int(1), Value::Int(2)]),
            "2 1"
        );
        assert_eq!(sprintf("%[3]d", &[Value::Int(1)]), "%!d(BADINDEX)");
        assert_eq!(sprintf("%*d", &[s("x"), Value::Int(1)]), "%!(BADWIDTH)1");
        assert_eq!(sprintf("%d", &[Value::Nil]), "%!d(<nil>)");
        assert_eq!(
            sprintf("%d", &[Value::Float64(8080.0)]),
            "%!d(float64=8080)"
        );
    }

    #[test]
    fn numbers_with_flags() {
        let cases: &[(&str, Value, &str)] = &[
            ("%5d", Value::Int(42), "   42"),
            ("%-5d|", Value::Int(42), "42   |"),
            ("%05d", Value::Int(-42), "-0042"),
            ("%#x", Value::Int(255), "0xff"),
            ("%#o", Value::Int(8), "010"),
            ("%O", Value::Int(8), "0o10"),
            ("%b", Value::Int(5), "101"),
            ("%c", Value::Int(65), "A"),
            ("%q", Value::Int(65), "'A'"),
            ("%U", Value::Int(65), "U+0041"),
            ("%#U", Value::Int(233), "U+00E9 '\u{e9}'"),
            ("%+d", Value::Int(7), "+7"),
            ("% d", Value::Int(7), " 7"),
            ("%.3d", Value::Int(7), "007"),
            ("%e", Value::Float64(1e6), "1.000000e+06"),
            ("%8.3f", Value::Float64(3.25), "   3.250"),
            ("%-8.2e|", Value::Float64(1234.5), "1.23e+03|"),
            ("%+.1f", Value::Float64(2.0), "+2.0"),
            ("% f", Value::Float64(1.0), " 1.000000"),
            ("%5.2f%%", Value::Float64(99.555), "99.56%"),
            ("%05s", s("ab"), "000ab"),
            ("%5.1s", s("xyz"), "    x"),
            ("% x", s("h\u{e9}"), "68 c3 a9"),
            ("%+q", s("\u{e9}"), "\"\\u00e9\""),
            ("%#q", s("ab`c"), "\"ab`c\""),
        ];
        for (format, value, want) in cases {
            assert_eq!(
                sprintf(format, std::slice::from_ref(value)),
                *want,
                "{format}"
            );
        }
    }
}

#[cfg(test)]
mod printable_tests {
    use super::{sprintf, try_format_value, try_sprint, try_sprintf, SELF_HOLDING};
    use crate::{Map, Value};

    /// An object that knows only its `%v` text, like Sprig's `time.Time`.
    #[derive(Debug)]
    struct Opaque;

    impl crate::Object for Opaque {
        fn type_name(&self) -> &str {
            "time.Time"
        }
        fn field(&self, _: &str) -> Option<Value> {
            None
        }
        fn go_format(&self) -> String {
            "2020-01-02 00:00:00 +0000 UTC".into()
        }
    }

    #[test]
    fn objects_known_only_by_their_text_refuse_other_verbs() {
        let t = Value::Object(std::sync::Arc::new(Opaque));
        let args = std::slice::from_ref(&t);
        assert_eq!(
            try_sprintf("%v|%s|%+v", &[t.clone(), t.clone(), t.clone()]).as_deref(),
            Ok("2020-01-02 00:00:00 +0000 UTC|2020-01-02 00:00:00 +0000 UTC|2020-01-02 00:00:00 +0000 UTC")
        );
        for (format, spec) in [("%#v", "%#v"), ("%d", "%d"), ("%q", "%q"), ("%x", "%x")] {
            let err = try_sprintf(format, args).expect_err("refused");
            assert_eq!(
                err,
                format!("printing a time.Time with {spec} is not supported yet")
            );
        }
        let nested = Value::list(vec![t.clone()]);
        assert!(try_sprintf("%#v", &[nested]).is_err());
        assert_eq!(
            try_sprint(args).as_deref(),
            Ok("2020-01-02 00:00:00 +0000 UTC")
        );
    }

    #[test]
    fn addresses_of_maps_and_lists() {
        // Go prints an address that changes from run to run; helmet's is stable per value.
        let list = Value::list(vec![Value::Int(1)]);
        let once = sprintf("%p", std::slice::from_ref(&list));
        assert!(once.starts_with("0xc000"), "{once}");
        assert_eq!(sprintf("%p", std::slice::from_ref(&list)), once);
        assert_eq!(sprintf("%#p", std::slice::from_ref(&list)), once[2..]);
        assert_ne!(sprintf("%p", &[Value::list(vec![list])]), once);
        assert_eq!(sprintf("%p", &[Value::Int(1)]), "%!p(int=1)");
    }

    #[test]
    fn maps_holding_themselves_fail_at_once() {
        // Two paths back to the map at every level: printing would never end.
        let m = Value::map(Map::new());
        let Value::Map(inner) = &m else {
            unreachable!("a map")
        };
        inner.update(|entries| {
            entries.insert("a".into(), m.clone());
            entries.insert("b".into(), m.clone());
        });
        let holder = Value::list(vec![m.clone()]);
        for result in [
            try_format_value(&m),
            try_sprint(&[Value::from("x"), holder.clone()]),
            try_sprintf("%d", &[holder]),
        ] {
            assert_eq!(result.expect_err("refused"), SELF_HOLDING);
        }
        // Break the cycle so the test does not leak it.
        inner.update(|entries| entries.clear());
        assert_eq!(try_format_value(&m).as_deref(), Ok("map[]"));
    }
}
