//! Flag parsing as Helm's command line (cobra and pflag v1.0.10) reads flags: `--name value`,
//! `--name=value`, `-x value`, `-xvalue`, `-x=value`, bundled shorthands (`-gs x`), flags
//! anywhere among the arguments, `--` ending flags, flags whose value is optional
//! (`--dry-run`, `--wait`). Values are checked as pflag's value types check them (Go's
//! `strconv.ParseBool`, `ParseInt`, `ParseFloat`, `time.ParseDuration`, `key=value` maps), and
//! every error text is pflag's. The flag table also writes each command's `--help`.

use std::collections::HashMap;

use helmet_value::duration::parse_duration;
use helmet_value::strconv::{quote, quote_rune};

/// What kind of value a flag takes, as pflag's value types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// `bool`: `--flag` alone means true; `--flag=false`.
    Bool,
    /// `string`: the last occurrence wins.
    Text,
    /// `stringArray`: every occurrence is kept as it is.
    Array,
    /// `stringSlice`: every occurrence is split on commas.
    Slice,
    /// `duration`: Go's `time.ParseDuration`.
    Duration,
    /// `int`: Go's `strconv.ParseInt(s, 0, 64)`.
    Int,
    /// `float32`: Go's `strconv.ParseFloat(s, 32)`.
    Float32,
    /// `stringToString`: `key=value` pairs, several per occurrence separated by commas.
    Map,
    /// A string whose value is optional: alone, the flag means this value (pflag's
    /// `NoOptDefVal`); a value must then be attached with `=`.
    Optional(&'static str),
}

/// A flag's declaration, with the line `--help` shows for it.
#[derive(Clone, Debug)]
pub struct Flag {
    name: &'static str,
    short: Option<char>,
    kind: Kind,
    /// What the value is, for the help text (empty for boolean flags).
    value_name: &'static str,
    help: &'static str,
    /// pflag's deprecation note, printed on standard error each time the flag is used.
    deprecated: Option<&'static str>,
    /// Accepted but left out of `--help`, as Helm hides it.
    hidden: bool,
    /// A check of the value as the flag's Go type makes it while parsing: `Err` is the
    /// cause of pflag's `invalid argument` error, `Ok(Some(line))` a line for standard error.
    check: Option<Check>,
}

/// See [`Flag::checked`].
pub type Check = fn(&str) -> Result<Option<String>, String>;

impl Flag {
    fn new(name: &'static str, kind: Kind, value_name: &'static str, help: &'static str) -> Flag {
        Flag {
            name,
            short: None,
            kind,
            value_name,
            help,
            deprecated: None,
            hidden: false,
            check: None,
        }
    }

    /// A boolean flag.
    pub fn switch(name: &'static str, help: &'static str) -> Flag {
        Flag::new(name, Kind::Bool, "", help)
    }

    /// A single string; the last one given wins.
    pub fn value(name: &'static str, value_name: &'static str, help: &'static str) -> Flag {
        Flag::new(name, Kind::Text, value_name, help)
    }

    /// A repeatable string, each kept whole (pflag's `StringArray`).
    pub fn list(name: &'static str, value_name: &'static str, help: &'static str) -> Flag {
        Flag::new(name, Kind::Array, value_name, help)
    }

    /// A repeatable string split on commas (pflag's `StringSlice`).
    pub fn slice(name: &'static str, value_name: &'static str, help: &'static str) -> Flag {
        Flag::new(name, Kind::Slice, value_name, help)
    }

    /// A Go duration such as `5m0s`.
    pub fn duration(name: &'static str, help: &'static str) -> Flag {
        Flag::new(name, Kind::Duration, "DURATION", help)
    }

    /// A Go `int`.
    pub fn int(name: &'static str, help: &'static str) -> Flag {
        Flag::new(name, Kind::Int, "N", help)
    }

    /// A Go `float32`.
    pub fn float32(name: &'static str, help: &'static str) -> Flag {
        Flag::new(name, Kind::Float32, "X", help)
    }

    /// `key=value` pairs (pflag's `StringToString`).
    pub fn map(name: &'static str, help: &'static str) -> Flag {
        Flag::new(name, Kind::Map, "K=V,...", help)
    }

    /// A string whose value may be left out, meaning `alone`; a value must then be written
    /// `--name=value`.
    pub fn optional(
        name: &'static str,
        alone: &'static str,
        value_name: &'static str,
        help: &'static str,
    ) -> Flag {
        Flag::new(name, Kind::Optional(alone), value_name, help)
    }

    /// Gives the flag a one-letter form.
    pub fn short(mut self, c: char) -> Flag {
        self.short = Some(c);
        self
    }

    /// Marks the flag deprecated: pflag prints `Flag --NAME has been deprecated, NOTE` on
    /// standard error each time it is set.
    pub fn deprecated(mut self, note: &'static str) -> Flag {
        self.deprecated = Some(note);
        self
    }

    /// Checks each value while parsing, as a flag's own Go type does (see [`Check`]).
    pub fn checked(mut self, check: Check) -> Flag {
        self.check = Some(check);
        self
    }

    /// Leaves the flag out of `--help`.
    pub fn hidden(mut self) -> Flag {
        self.hidden = true;
        self
    }

    /// pflag's name for the flag in value errors: `-f, --values`, or `--set`.
    fn error_name(&self) -> String {
        match self.short {
            Some(c) => format!("-{c}, --{}", self.name),
            None => format!("--{}", self.name),
        }
    }
}

/// The declared flags of a command.
pub struct FlagSet {
    flags: Vec<Flag>,
    /// Where Helm's global flags start in `flags` (they get their own part of `--help`).
    globals_at: usize,
}

/// Parsed arguments.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Arguments that are not flags, in order.
    pub positional: Vec<String>,
    values: HashMap<&'static str, Vec<String>>,
    /// Every flag set, in the order given (flags that share a variable, as `--color` and
    /// `--colour`, are read in this order).
    order: Vec<(&'static str, String)>,
}

impl Parsed {
    /// The values of a list flag.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.values.get(name).cloned().unwrap_or_default()
    }

    /// The last value of a flag.
    pub fn value(&self, name: &str) -> Option<String> {
        self.values.get(name).and_then(|v| v.last().cloned())
    }

    /// Whether a boolean flag is on.
    pub fn switch(&self, name: &str) -> bool {
        self.value(name).is_some_and(|v| v == "true")
    }

    /// Whether the flag was given at all (cobra's `Changed`).
    pub fn changed(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// The last value given to any of `names` (flags bound to one variable).
    pub fn last_of(&self, names: &[&str]) -> Option<String> {
        self.order
            .iter()
            .rev()
            .find(|(n, _)| names.contains(n))
            .map(|(_, v)| v.clone())
    }

    /// The pairs of a `key=value` flag, a later key replacing an earlier one.
    pub fn map(&self, name: &str) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for pair in self.list(name) {
            let (k, v) = pair.split_once('=').unwrap_or((pair.as_str(), ""));
            match out.iter_mut().find(|(key, _)| key == k) {
                Some(entry) => entry.1 = v.to_string(),
                None => out.push((k.to_string(), v.to_string())),
            }
        }
        out
    }
}

/// Whether the flag named `long` (or with the one-letter form `short`) is declared in
/// `flags` and takes the next argument as its value when none is attached.
pub fn takes_value(flags: &[Flag], long: &str, short: Option<char>) -> bool {
    flags
        .iter()
        .find(|f| match short {
            Some(c) => f.short == Some(c),
            None => f.name == long,
        })
        .is_some_and(|f| !matches!(f.kind, Kind::Bool | Kind::Optional(_)))
}

/// Go's `strconv.ParseBool`.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Go's `strconv.ParseInt(text, 0, 64)`, as pflag's `int` reads it: only whether it parses
/// matters here (`Err` holds Go's message).
fn check_int(text: &str) -> Result<(), String> {
    let syntax = || format!("strconv.ParseInt: parsing {}: invalid syntax", quote(text));
    let range = || {
        format!(
            "strconv.ParseInt: parsing {}: value out of range",
            quote(text)
        )
    };
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = body.to_ascii_lowercase();
    let (base, digits, prefixed) = if let Some(rest) = lower.strip_prefix("0x") {
        (16, rest.to_string(), true)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (8, rest.to_string(), true)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (2, rest.to_string(), true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string(), true)
    } else {
        (10, lower.clone(), false)
    };
    // With base 0, underscores may separate digits (Go's underscoreOK): never first or last,
    // never two in a row; after a base prefix one may follow the prefix.
    if digits.contains('_') {
        let b = digits.as_bytes();
        let ok = !b.ends_with(b"_") && !digits.contains("__") && (prefixed || !b.starts_with(b"_"));
        if !ok {
            return Err(syntax());
        }
    }
    let digits: String = digits.chars().filter(|c| *c != '_').collect();
    if digits.is_empty() {
        // `0` alone is fine; a prefix without digits is not.
        return if body == "0" { Ok(()) } else { Err(syntax()) };
    }
    let mut value: u128 = 0;
    for c in digits.chars() {
        let d = c.to_digit(base).ok_or_else(syntax)?;
        value = value * u128::from(base) + u128::from(d);
        if value > u128::from(u64::MAX) {
            value = u128::from(u64::MAX);
        }
    }
    let limit = if negative {
        1u128 << 63
    } else {
        (1u128 << 63) - 1
    };
    if value > limit {
        return Err(range());
    }
    Ok(())
}

/// Go's `strconv.ParseFloat(text, 32)`, as pflag's `float32` reads it (decimal forms,
/// `inf`/`infinity`/`nan`; Go's hexadecimal floats are accepted without a range check).
fn check_float32(text: &str) -> Result<(), String> {
    let syntax = || {
        format!(
            "strconv.ParseFloat: parsing {}: invalid syntax",
            quote(text)
        )
    };
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity" | "nan") {
        return if lower == "nan" && body.len() != text.len() {
            Err(syntax())
        } else {
            Ok(())
        };
    }
    if let Some(hex) = lower.strip_prefix("0x") {
        let (mantissa, exponent) = hex.split_once('p').ok_or_else(syntax)?;
        let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        let digits_ok = mantissa.chars().any(|c| c.is_ascii_hexdigit())
            && mantissa.chars().filter(|c| *c == '.').count() <= 1
            && mantissa
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == '.' || c == '_');
        let exp_ok = !exponent.is_empty() && exponent.chars().all(|c| c.is_ascii_digit());
        return if digits_ok && exp_ok {
            Ok(())
        } else {
            Err(syntax())
        };
    }
    // Decimal: digits with at most one point, then an optional exponent; no underscores
    // (Go allows them only after a base prefix).
    let (mantissa, exponent) = match lower.split_once('e') {
        Some((m, e)) => (m, Some(e)),
        None => (lower.as_str(), None),
    };
    let mantissa_ok = mantissa.chars().any(|c| c.is_ascii_digit())
        && mantissa.chars().filter(|c| *c == '.').count() <= 1
        && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.');
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
    });
    if !(mantissa_ok && exponent_ok) {
        return Err(syntax());
    }
    let value: f64 = lower.parse().map_err(|_| syntax())?;
    // Go rounds to float32 and reports a value that rounds to infinity as out of range.
    if (value as f32).is_infinite() {
        return Err(format!(
            "strconv.ParseFloat: parsing {}: value out of range",
            quote(text)
        ));
    }
    Ok(())
}

/// Splits one `--labels` value as pflag's `stringToString` does: a value with one `=` is a
/// single pair (quotes around it dropped); with more, a line of comma-separated fields read
/// as Go's `encoding/csv` reads them.
fn map_pairs(value: &str) -> Result<Vec<String>, String> {
    let fields = match value.matches('=').count() {
        0 => return Err(format!("{value} must be formatted as key=value")),
        1 => vec![value.trim_matches('"').to_string()],
        _ => csv_fields(value)?,
    };
    for field in &fields {
        if !field.contains('=') {
            return Err(format!("{field} must be formatted as key=value"));
        }
    }
    Ok(fields)
}

/// The fields of one CSV line (Go's `encoding/csv` with its defaults).
fn csv_fields(line: &str) -> Result<Vec<String>, String> {
    let line = line.split('\n').next().unwrap_or("");
    let line = line.strip_suffix('\r').unwrap_or(line);
    let mut fields = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    loop {
        if bytes.get(i) == Some(&b'"') {
            let mut field = String::new();
            let mut j = i + 1;
            loop {
                match line[j..].find('"') {
                    None => {
                        return Err(format!(
                            "parse error on line 1, column {}: extraneous or missing \" in quoted-field",
                            line.len() + 1
                        ))
                    }
                    Some(k) => {
                        field.push_str(&line[j..j + k]);
                        j += k + 1;
                        match bytes.get(j) {
                            Some(b'"') => {
                                field.push('"');
                                j += 1;
                            }
                            Some(b',') => {
                                fields.push(field);
                                i = j + 1;
                                break;
                            }
                            None => {
                                fields.push(field);
                                return Ok(fields);
                            }
                            Some(_) => {
                                return Err(format!(
                                    "parse error on line 1, column {}: extraneous or missing \" in quoted-field",
                                    j
                                ))
                            }
                        }
                    }
                }
            }
        } else {
            let end = line[i..].find(',').map_or(line.len(), |k| i + k);
            let field = &line[i..end];
            if let Some(q) = field.find('"') {
                return Err(format!(
                    "parse error on line 1, column {}: bare \" in non-quoted-field",
                    i + q + 1
                ));
            }
            fields.push(field.to_string());
            if end == line.len() {
                return Ok(fields);
            }
            i = end + 1;
        }
    }
}

impl FlagSet {
    /// A set of flags; cobra's `-h, --help` is added to every set.
    pub fn new(mut flags: Vec<Flag>) -> FlagSet {
        flags.push(Flag::switch("help", "show this help").short('h'));
        let globals_at = flags.len();
        FlagSet { flags, globals_at }
    }

    /// A set of exactly these flags (no `--help`): Helm's root command's own set.
    pub fn bare(flags: Vec<Flag>) -> FlagSet {
        let globals_at = flags.len();
        FlagSet { flags, globals_at }
    }

    /// What Helm's root command reads before it looks for the command: these flags among all
    /// the arguments, unknown flags skipped (with the next argument, unless it looks like a
    /// flag), parsing stopped silently at the first error or at `--help`/`-h`.
    pub fn parse_lenient(&self, args: &[String]) -> Parsed {
        let mut parsed = Parsed::default();
        let mut notes = Vec::new();
        let mut i = 0;
        let skip_value = |i: &mut usize| {
            if args.get(*i).is_some_and(|next| !next.starts_with('-')) {
                *i += 1;
            }
        };
        while i < args.len() {
            let arg = &args[i];
            i += 1;
            if arg == "--" {
                break;
            }
            if arg.len() < 2 || !arg.starts_with('-') {
                continue;
            }
            if let Some(long) = arg.strip_prefix("--") {
                if long.starts_with(['-', '=']) {
                    return parsed;
                }
                let (name, inline) = match long.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (long, None),
                };
                let Some(flag) = self.flags.iter().find(|f| f.name == name) else {
                    if name == "help" {
                        return parsed;
                    }
                    if inline.is_none() {
                        skip_value(&mut i);
                    }
                    continue;
                };
                let value = match (inline, flag.kind) {
                    (Some(v), _) => v,
                    (None, Kind::Bool) => "true".to_string(),
                    (None, Kind::Optional(alone)) => alone.to_string(),
                    (None, _) => match args.get(i) {
                        Some(v) => {
                            i += 1;
                            v.clone()
                        }
                        None => return parsed,
                    },
                };
                if self.store(&mut parsed, flag, value, &mut notes).is_err() {
                    return parsed;
                }
                continue;
            }
            let mut rest = &arg[1..];
            while !rest.is_empty() {
                let c = rest.as_bytes()[0];
                let after = &rest[1..];
                let Some(flag) = self
                    .flags
                    .iter()
                    .find(|f| f.short.is_some_and(|s| s as u32 == u32::from(c)))
                else {
                    if c == b'h' {
                        return parsed;
                    }
                    if after.len() > 1 && after.starts_with('=') {
                        break;
                    }
                    skip_value(&mut i);
                    rest = after;
                    continue;
                };
                let value = if let Some(v) = after.strip_prefix('=').filter(|_| after.len() > 1) {
                    rest = "";
                    v.to_string()
                } else if flag.kind == Kind::Bool {
                    rest = after;
                    "true".to_string()
                } else if let Kind::Optional(alone) = flag.kind {
                    rest = after;
                    alone.to_string()
                } else if !after.is_empty() {
                    rest = "";
                    after.to_string()
                } else {
                    match args.get(i) {
                        Some(v) => {
                            i += 1;
                            rest = "";
                            v.clone()
                        }
                        None => return parsed,
                    }
                };
                if self.store(&mut parsed, flag, value, &mut notes).is_err() {
                    return parsed;
                }
            }
        }
        parsed
    }

    /// A command's flags followed by Helm's global flags.
    pub fn with_globals(flags: Vec<Flag>, globals: Vec<Flag>) -> FlagSet {
        let mut set = FlagSet::new(flags);
        set.flags.extend(globals);
        set
    }

    /// Checks and keeps one value; `notes` collects pflag's deprecation lines.
    fn store(
        &self,
        parsed: &mut Parsed,
        flag: &Flag,
        value: String,
        notes: &mut Vec<String>,
    ) -> Result<(), String> {
        let invalid = |why: String| {
            format!(
                "invalid argument {} for {} flag: {why}",
                quote(&value),
                quote(&flag.error_name())
            )
        };
        let mut stored = vec![value.clone()];
        match flag.kind {
            Kind::Bool => {
                let on = parse_bool(&value).ok_or_else(|| {
                    invalid(format!(
                        "strconv.ParseBool: parsing {}: invalid syntax",
                        quote(&value)
                    ))
                })?;
                stored = vec![on.to_string()];
            }
            Kind::Text | Kind::Array | Kind::Optional(_) => {}
            Kind::Slice => {
                stored = if value.is_empty() {
                    Vec::new()
                } else {
                    csv_fields(&value).map_err(invalid)?
                };
            }
            Kind::Duration => {
                parse_duration(&value).map_err(invalid)?;
            }
            Kind::Int => check_int(&value).map_err(invalid)?,
            Kind::Float32 => check_float32(&value).map_err(invalid)?,
            Kind::Map => stored = map_pairs(&value).map_err(invalid)?,
        }
        if let Some(check) = flag.check {
            if let Some(line) = check(&value).map_err(invalid)? {
                notes.push(line);
            }
        }
        parsed
            .values
            .entry(flag.name)
            .or_default()
            .extend(stored.iter().cloned());
        parsed
            .order
            .push((flag.name, stored.last().cloned().unwrap_or_default()));
        if let Some(note) = flag.deprecated {
            notes.push(format!("Flag --{} has been deprecated, {note}", flag.name));
        }
        Ok(())
    }

    /// Parses `args` (without the command name). `notes` collects what pflag prints on
    /// standard error while parsing (deprecated flags).
    pub fn parse(&self, args: &[String], notes: &mut Vec<String>) -> Result<Parsed, String> {
        let mut parsed = Parsed::default();
        let mut i = 0;
        while i < args.len() {
            let arg = &args[i];
            i += 1;
            if arg == "--" {
                parsed.positional.extend(args[i..].iter().cloned());
                break;
            }
            if arg.len() < 2 || !arg.starts_with('-') {
                parsed.positional.push(arg.clone());
                continue;
            }
            if let Some(long) = arg.strip_prefix("--") {
                if long.starts_with(['-', '=']) {
                    return Err(format!("bad flag syntax: {arg}"));
                }
                let (name, inline) = match long.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (long, None),
                };
                let flag = self
                    .flags
                    .iter()
                    .find(|f| f.name == name)
                    .ok_or_else(|| format!("unknown flag: --{name}"))?;
                let value = match (inline, flag.kind) {
                    (Some(v), _) => v,
                    (None, Kind::Bool) => "true".to_string(),
                    (None, Kind::Optional(alone)) => alone.to_string(),
                    (None, _) => {
                        let v = args
                            .get(i)
                            .ok_or_else(|| format!("flag needs an argument: --{name}"))?;
                        i += 1;
                        v.clone()
                    }
                };
                self.store(&mut parsed, flag, value, notes)?;
                continue;
            }
            // Shorthands: pflag works on bytes, one letter at a time.
            let mut rest = &arg[1..];
            while !rest.is_empty() {
                let c = rest.as_bytes()[0];
                let flag = self
                    .flags
                    .iter()
                    .find(|f| f.short.is_some_and(|s| s as u32 == u32::from(c)))
                    .ok_or_else(|| {
                        format!(
                            "unknown shorthand flag: {} in -{rest}",
                            quote_rune(char::from(c))
                        )
                    })?;
                let after = &rest[1..];
                let value = if let Some(v) = after.strip_prefix('=').filter(|_| after.len() > 1) {
                    rest = "";
                    v.to_string()
                } else if flag.kind == Kind::Bool {
                    rest = after;
                    "true".to_string()
                } else if let Kind::Optional(alone) = flag.kind {
                    rest = after;
                    alone.to_string()
                } else if !after.is_empty() {
                    rest = "";
                    after.to_string()
                } else {
                    let v = args.get(i).ok_or_else(|| {
                        format!(
                            "flag needs an argument: {} in -{rest}",
                            quote_rune(char::from(c))
                        )
                    })?;
                    i += 1;
                    rest = "";
                    v.clone()
                };
                self.store(&mut parsed, flag, value, notes)?;
            }
        }
        Ok(parsed)
    }

    /// The flags part of a command's help: every flag that is not hidden, one per line, the
    /// global flags apart.
    pub fn usage(&self) -> String {
        let mut out = String::from("Flags:\n");
        out.push_str(&table(&self.flags[..self.globals_at]));
        if self.globals_at < self.flags.len() {
            out.push_str("\nGlobal Flags:\n");
            out.push_str(&table(&self.flags[self.globals_at..]));
        }
        out
    }
}

/// Flags as help lines: `  -f, --values FILE   what it does`.
fn table(flags: &[Flag]) -> String {
    let shown: Vec<&Flag> = flags.iter().filter(|f| !f.hidden).collect();
    let left: Vec<String> = shown
        .iter()
        .map(|f| {
            let short = f.short.map_or("    ".to_string(), |c| format!("-{c}, "));
            let value = match f.kind {
                Kind::Bool => String::new(),
                Kind::Optional(_) => format!("[={}]", f.value_name),
                _ => format!(" {}", f.value_name),
            };
            format!("  {short}--{}{value}", f.name)
        })
        .collect();
    let width = left.iter().map(|l| l.chars().count()).max().unwrap_or(0) + 3;
    let mut out = String::new();
    for (flag, left) in shown.iter().zip(left) {
        let pad = width - left.chars().count();
        out.push_str(&format!("{left}{}{}\n", " ".repeat(pad), flag.help));
    }
    out
}

#[cfg(test)]
mod tests {
    //! Expected texts here come from pflag v1.0.10's and Go's sources (errors.go, flag.go,
    //! time/format.go, strconv): the reference renderer does not parse Helm's flags.
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn set() -> FlagSet {
        FlagSet::new(vec![
            Flag::slice("values", "FILE", "").short('f'),
            Flag::list("set", "K=V", ""),
            Flag::switch("generate-name", "").short('g'),
            Flag::value("namespace", "NS", "").short('n'),
            Flag::duration("timeout", ""),
            Flag::int("burst-limit", ""),
            Flag::float32("qps", ""),
            Flag::map("labels", "").short('l'),
            Flag::optional("dry-run", "unset", "MODE", ""),
            Flag::switch("atomic", "").deprecated("use --rollback-on-failure instead"),
        ])
    }

    fn error(list: &[&str]) -> String {
        set().parse(&args(list), &mut Vec::new()).unwrap_err()
    }

    #[test]
    fn parses_pflag_forms() {
        let p = set()
            .parse(
                &args(&[
                    "chart",
                    "-f",
                    "a.yaml,b.yaml",
                    "--set=x=1",
                    "--set",
                    "y=2",
                    "-gnns",
                    "-fc.yaml",
                    "-f=d.yaml",
                    "--dry-run",
                    "server",
                ]),
                &mut Vec::new(),
            )
            .unwrap();
        assert_eq!(p.positional, vec!["chart", "server"]);
        assert_eq!(
            p.list("values"),
            vec!["a.yaml", "b.yaml", "c.yaml", "d.yaml"]
        );
        assert_eq!(p.list("set"), vec!["x=1", "y=2"]);
        assert!(p.switch("generate-name"));
        assert_eq!(p.value("namespace").as_deref(), Some("ns"));
        assert_eq!(p.value("dry-run").as_deref(), Some("unset"));
    }

    #[test]
    fn pflag_error_texts() {
        assert_eq!(error(&["--nope"]), "unknown flag: --nope");
        assert_eq!(error(&["--set"]), "flag needs an argument: --set");
        assert_eq!(error(&["-gx"]), "unknown shorthand flag: 'x' in -x");
        assert_eq!(error(&["-gn"]), "flag needs an argument: 'n' in -n");
        assert_eq!(error(&["---x"]), "bad flag syntax: ---x");
        assert_eq!(error(&["--=x"]), "bad flag syntax: --=x");
        assert_eq!(
            error(&["-g=maybe"]),
            "invalid argument \"maybe\" for \"-g, --generate-name\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax"
        );
        assert_eq!(
            error(&["--labels", "a"]),
            "invalid argument \"a\" for \"-l, --labels\" flag: a must be formatted as key=value"
        );
        // One `=`: a single pair, commas and all.
        let one = set()
            .parse(&args(&["--labels", "a=1,b"]), &mut Vec::new())
            .unwrap();
        assert_eq!(
            one.map("labels"),
            vec![("a".to_string(), "1,b".to_string())]
        );
        assert_eq!(
            error(&["--labels", "a=1,b=2,c"]),
            "invalid argument \"a=1,b=2,c\" for \"-l, --labels\" flag: c must be formatted as key=value"
        );
        assert_eq!(
            error(&["--burst-limit", "x"]),
            "invalid argument \"x\" for \"--burst-limit\" flag: strconv.ParseInt: parsing \"x\": invalid syntax"
        );
        assert_eq!(
            error(&["--burst-limit", "9223372036854775808"]),
            "invalid argument \"9223372036854775808\" for \"--burst-limit\" flag: strconv.ParseInt: parsing \"9223372036854775808\": value out of range"
        );
        assert_eq!(
            error(&["--qps", "fast"]),
            "invalid argument \"fast\" for \"--qps\" flag: strconv.ParseFloat: parsing \"fast\": invalid syntax"
        );
        assert!(error(&["--qps", "1e400"]).ends_with("value out of range"));
        assert_eq!(
            error(&["--qps", "1e39"]),
            "invalid argument \"1e39\" for \"--qps\" flag: strconv.ParseFloat: parsing \"1e39\": value out of range"
        );
    }

    #[test]
    fn accepts_go_numbers() {
        for ok in [
            &["--burst-limit", "-1"][..],
            &["--burst-limit", "0x1F"],
            &["--burst-limit", "0o17"],
            &["--burst-limit", "017"],
            &["--burst-limit", "1_000"],
            &["--burst-limit", "-9223372036854775808"],
            &["--qps", "5"],
            &["--qps", "0.5"],
            &["--qps", ".5e3"],
            &["--qps", "Inf"],
            &["--qps", "-infinity"],
            &["--qps", "NaN"],
        ] {
            assert!(set().parse(&args(ok), &mut Vec::new()).is_ok(), "{ok:?}");
        }
        for bad in [
            &["--burst-limit", ""][..],
            &["--burst-limit", "0x"],
            &["--burst-limit", "1__0"],
            &["--burst-limit", "_1"],
            &["--burst-limit", "08"],
            &["--qps", ""],
            &["--qps", "1_0"],
            &["--qps", "."],
            &["--qps", "1e"],
        ] {
            assert!(set().parse(&args(bad), &mut Vec::new()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn lenient_parse_reads_as_helms_root_command() {
        let root = FlagSet::bare(vec![
            Flag::value("color", "", ""),
            Flag::value("namespace", "", "").short('n'),
        ]);
        let color = |list: &[&str]| root.parse_lenient(&args(list)).last_of(&["color"]);
        // An unknown flag takes the next argument along unless it looks like a flag.
        assert_eq!(color(&["template", "--set", "--color=x"]), Some("x".into()));
        assert_eq!(color(&["--set", "a=1", "--color", "x"]), Some("x".into()));
        assert_eq!(color(&["--skip-tests", "--color", "x"]), Some("x".into()));
        assert_eq!(color(&["-s", "x", "--color", "y", "."]), Some("y".into()));
        assert_eq!(color(&["-gs=a", "--color=y"]), Some("y".into()));
        // --help, -h and errors stop it.
        assert_eq!(color(&["template", "--help", "--color", "x"]), None);
        assert_eq!(color(&["-h", "--color", "x"]), None);
        assert_eq!(color(&["-n", "--color", "x"]), None);
        assert_eq!(color(&["--color=a", "---", "--color=b"]), Some("a".into()));
        assert_eq!(color(&["--", "--color", "x"]), None);
    }

    #[test]
    fn durations_as_go() {
        assert_eq!(parse_duration("5m"), Ok(300_000_000_000));
        assert_eq!(parse_duration("5m0s"), Ok(300_000_000_000));
        assert_eq!(parse_duration("1h2m3.5s"), Ok(3_723_500_000_000));
        assert_eq!(parse_duration("-1.5h"), Ok(-5_400_000_000_000));
        assert_eq!(parse_duration("0"), Ok(0));
        assert_eq!(parse_duration(".5s"), Ok(500_000_000));
        assert_eq!(parse_duration("3µs"), Ok(3_000));
        assert_eq!(
            parse_duration("5"),
            Err("time: missing unit in duration \"5\"".into())
        );
        assert_eq!(
            parse_duration("5d"),
            Err("time: unknown unit \"d\" in duration \"5d\"".into())
        );
        assert_eq!(
            parse_duration(""),
            Err("time: invalid duration \"\"".into())
        );
        assert_eq!(
            parse_duration("x"),
            Err("time: invalid duration \"x\"".into())
        );
        assert_eq!(
            parse_duration("1.s."),
            Err("time: invalid duration \"1.s.\"".into())
        );
        assert_eq!(
            parse_duration("3000000h"),
            Err("time: invalid duration \"3000000h\"".into())
        );
        assert_eq!(
            parse_duration("5é"),
            Err("time: unknown unit \"\\xc3\\xa9\" in duration \"5\\xc3\\xa9\"".into())
        );
        assert_eq!(
            error(&["--timeout", "5"]),
            "invalid argument \"5\" for \"--timeout\" flag: time: missing unit in duration \"5\""
        );
    }

    #[test]
    fn labels_merge_and_deprecations_are_noted() {
        let mut notes = Vec::new();
        let p = set()
            .parse(
                &args(&[
                    "-l",
                    "a=1,b=2",
                    "--labels",
                    "\"a=3\"",
                    "--atomic",
                    "--labels=e=1,\"f=x,y\"",
                ]),
                &mut notes,
            )
            .unwrap();
        let pairs: Vec<(&str, &str)> = vec![("a", "3"), ("b", "2"), ("e", "1"), ("f", "x,y")];
        let got = p.map("labels");
        let got: Vec<(&str, &str)> = got.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(got, pairs);
        assert_eq!(
            error(&["--labels=c=\"x,y\",d="]),
            "invalid argument \"c=\\\"x,y\\\",d=\" for \"-l, --labels\" flag: parse error on line 1, column 3: bare \" in non-quoted-field"
        );
        assert_eq!(
            notes,
            vec!["Flag --atomic has been deprecated, use --rollback-on-failure instead"]
        );
    }
}
