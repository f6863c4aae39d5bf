//! Semantic versions and version constraints as Masterminds/semver v3 (the release Helm v4
//! links) reads them: loose versions (`v1.2` is `1.2.0`), and constraints with `^ ~ >= <= > < =
//! !=`, wildcards (`1.x`, `*`), comma or space separated ANDs, `||` ORs and hyphen ranges
//! (`1.2 - 1.4`). A version with a prerelease only satisfies a group of constraints that itself
//! names a prerelease, as Masterminds decides.
//!
//! Sprig's `semver` and `semverCompare` use it, and the chart core uses it for `Chart.yaml`
//! versions and `kubeVersion` constraints.

use std::cmp::Ordering;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use helmet_value::gostring::{runes, RUNE_ERROR};
use helmet_value::{ArgType, Func, FuncError, FuncMap, Object, Value};
// regex-lite: these patterns are ASCII and matched against short texts, and it compiles them
// for a small fraction of what the `regex` crate spends building its automata, once per process.
use regex_lite::Regex;

use crate::regex::{forget, kept, Kept};
use crate::{arg_str, def};

/// A parse error, with the text Masterminds/semver gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error(String);

impl Error {
    /// The error's message.
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

fn invalid() -> Error {
    Error("invalid semantic version".into())
}

/// A semantic version (`*semver.Version`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    /// The major number.
    pub major: u64,
    /// The minor number (0 when the text left it out).
    pub minor: u64,
    /// The patch number (0 when the text left it out).
    pub patch: u64,
    /// The prerelease, without its `-`; empty when there is none.
    pub prerelease: String,
    /// The build metadata, without its `+`; empty when there is none.
    pub metadata: String,
    /// The text the version was parsed from.
    pub original: String,
}

/// Matches a loose version: optional `v`, one to three dotted numbers (leading zeros allowed),
/// an optional prerelease and optional build metadata.
fn version_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r"^v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?",
            r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?",
            r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
        ))
        .expect("version regex")
    })
}

/// Go's `strconv.ParseUint(s, 10, 64)` for a digit string, with its error text.
fn parse_segment(s: &str) -> Result<u64, Error> {
    s.parse::<u64>().map_err(|_| {
        Error(format!(
            "error parsing version segment: strconv.ParseUint: parsing \"{s}\": value out of range"
        ))
    })
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

/// Checks a prerelease (without its `-`) as Masterminds does when parsing or setting one.
fn validate_prerelease(prerelease: &str) -> Result<(), Error> {
    for ident in prerelease.split('.').filter(|_| !prerelease.is_empty()) {
        if ident.is_empty() || !ident.chars().all(is_ident_char) {
            return Err(Error("invalid prerelease string".into()));
        }
        if ident.len() > 1 && ident.starts_with('0') && ident.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error("version segment starts with 0".into()));
        }
    }
    Ok(())
}

/// Checks build metadata (without its `+`) as Masterminds does when parsing or setting it.
fn validate_metadata(metadata: &str) -> Result<(), Error> {
    for ident in metadata.split('.').filter(|_| !metadata.is_empty()) {
        if ident.is_empty() || !ident.chars().all(is_ident_char) {
            return Err(Error("invalid metadata string".into()));
        }
    }
    Ok(())
}

impl Version {
    /// Parses a version as Masterminds' `NewVersion` does (its coercing mode, Helm's default).
    pub fn parse(text: &str) -> Result<Version, Error> {
        let caps = version_regex().captures(text).ok_or_else(invalid)?;
        let part = |i: usize| caps.get(i).map_or("", |m| m.as_str());
        let major = parse_segment(part(1))?;
        let minor = if part(2).is_empty() {
            0
        } else {
            parse_segment(part(2))?
        };
        let patch = if part(3).is_empty() {
            0
        } else {
            parse_segment(part(3))?
        };
        let prerelease = part(4).to_string();
        validate_prerelease(&prerelease)?;
        let metadata = part(5).to_string();
        validate_metadata(&metadata)?;
        Ok(Version {
            major,
            minor,
            patch,
            prerelease,
            metadata,
            original: text.to_string(),
        })
    }

    /// Semantic version precedence: numbers, then prerelease (a release ranks above its
    /// prereleases); metadata is ignored.
    pub fn compare(&self, other: &Version) -> Ordering {
        self.major
            .cmp(&other.major)
            .then(self.minor.cmp(&other.minor))
            .then(self.patch.cmp(&other.patch))
            .then_with(
                || match (self.prerelease.is_empty(), other.prerelease.is_empty()) {
                    (true, true) => Ordering::Equal,
                    (true, false) => Ordering::Greater,
                    (false, true) => Ordering::Less,
                    (false, false) => compare_prerelease(&self.prerelease, &other.prerelease),
                },
            )
    }
}

impl fmt::Display for Version {
    /// The canonical form: `MAJOR.MINOR.PATCH[-PRE][+META]`, without any leading `v`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.prerelease.is_empty() {
            write!(f, "-{}", self.prerelease)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

/// Compares dot-separated prerelease identifiers; a missing identifier ranks lowest, numbers
/// rank below words, words compare bytewise.
fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let xs: Vec<&str> = a.split('.').collect();
    let ys: Vec<&str> = b.split('.').collect();
    for i in 0..xs.len().max(ys.len()) {
        let x = xs.get(i).copied().unwrap_or("");
        let y = ys.get(i).copied().unwrap_or("");
        let d = compare_identifier(x, y);
        if d != Ordering::Equal {
            return d;
        }
    }
    Ordering::Equal
}

fn compare_identifier(x: &str, y: &str) -> Ordering {
    if x == y {
        return Ordering::Equal;
    }
    if x.is_empty() {
        return Ordering::Less;
    }
    if y.is_empty() {
        return Ordering::Greater;
    }
    // Masterminds uses ParseUint, so a number too big for 64 bits counts as a word.
    match (x.parse::<u64>(), y.parse::<u64>()) {
        (Err(_), Err(_)) => x.cmp(y),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Ok(p), Ok(q)) => {
            if p > q {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
    }
}

/// The comparison a single constraint makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    TildeOrEqual,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    Tilde,
    Caret,
}

/// One comparison such as `>=1.2` or `~1.x`.
#[derive(Clone, Debug)]
struct Constraint {
    op: Op,
    /// The version with wildcards and missing parts as 0.
    version: Version,
    /// Some part of the version was a wildcard or missing.
    dirty: bool,
    /// The minor part was a wildcard or missing.
    minor_dirty: bool,
    /// The patch part was a wildcard or missing.
    patch_dirty: bool,
}

/// A set of constraints: groups joined by `||`, each group's constraints all required.
#[derive(Clone, Debug)]
pub struct Constraints {
    groups: Vec<Vec<Constraint>>,
    /// Per group: whether it names a prerelease, which lets prerelease versions match it.
    group_has_prerelease: Vec<bool>,
}

/// A constraint version: `v`, up to three dotted parts that may be wildcards, prerelease and
/// metadata. `|` inside the part classes is literal, as in Masterminds' pattern.
const CONSTRAINT_VERSION: &str = concat!(
    r"v?([0-9|xX*]+)(\.[0-9|xX*]+)?(\.[0-9|xX*]+)?",
    r"(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?",
    r"(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?"
);

/// The operators, the empty one included; alternation order decides which one matches.
const OPS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";

/// Go's `\s`: ASCII whitespace without the vertical tab.
const WS: &str = r"[\t\n\f\r ]";

struct ConstraintRegexes {
    single: Regex,
    range: Regex,
    find: Regex,
    valid: Regex,
}

fn constraint_regexes() -> &'static ConstraintRegexes {
    static RE: OnceLock<ConstraintRegexes> = OnceLock::new();
    RE.get_or_init(|| {
        let v = CONSTRAINT_VERSION;
        let build = |s: String| Regex::new(&s).expect("constraint regex");
        ConstraintRegexes {
            single: build(format!(r"^{WS}*({OPS}){WS}*({v}){WS}*$")),
            range: build(format!(r"{WS}*({v}){WS}+-{WS}+({v}){WS}*")),
            find: build(format!(r"({OPS}){WS}*({v})")),
            valid: build(format!(
                r"^({WS}*({OPS}){WS}*({v}){WS}*)((?:{WS}+|,{WS}*)({OPS}){WS}*({v}){WS}*)*$"
            )),
        }
    })
}

fn is_wildcard(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

/// Rewrites hyphen ranges `A - B` into `>= A, <= B `, each occurrence in turn (Go's
/// `strings.Replace` of the first occurrence of the matched text), in `text` and alike in `raw`,
/// its Go string: the matched text is ASCII, found at the same place in both.
fn rewrite_ranges(text: &str, raw: &[u8]) -> (String, Vec<u8>) {
    let re = &constraint_regexes().range;
    let mut out = text.to_string();
    let mut raw_out = raw.to_vec();
    for caps in re.captures_iter(text) {
        let whole = caps.get(0).map_or("", |m| m.as_str());
        let lo = caps.get(1).map_or("", |m| m.as_str());
        let hi = caps.get(11).map_or("", |m| m.as_str());
        let with = format!(">= {lo}, <= {hi} ");
        out = out.replacen(whole, &with, 1);
        if let Some(at) = raw_out
            .windows(whole.len().max(1))
            .position(|w| w == whole.as_bytes())
        {
            raw_out.splice(at..at + whole.len(), with.bytes());
        }
    }
    (out, raw_out)
}

fn parse_constraint(text: &str) -> Result<Constraint, Error> {
    let caps = constraint_regexes()
        .single
        .captures(text)
        .ok_or_else(|| Error(format!("improper constraint: {}", go_quote(text))))?;
    let part = |i: usize| caps.get(i).map_or("", |m| m.as_str());
    let op = match part(1) {
        "" | "=" => Op::TildeOrEqual,
        "!=" => Op::NotEqual,
        ">" => Op::Greater,
        "<" => Op::Less,
        ">=" | "=>" => Op::GreaterEqual,
        "<=" | "=<" => Op::LessEqual,
        "~" | "~>" => Op::Tilde,
        _ => Op::Caret,
    };
    let (major, minor, patch, pre) = (part(3), part(4), part(5), part(6));
    let (mut dirty, mut minor_dirty, mut patch_dirty) = (false, false, false);
    let text = if is_wildcard(major) || major.is_empty() {
        dirty = true;
        format!("0.0.0{pre}")
    } else if minor.is_empty() || is_wildcard(&minor[1..]) {
        dirty = true;
        minor_dirty = true;
        format!("{major}.0.0{pre}")
    } else if patch.is_empty() || is_wildcard(&patch[1..]) {
        dirty = true;
        patch_dirty = true;
        format!("{major}{minor}.0{pre}")
    } else {
        part(2).to_string()
    };
    let version = Version::parse(&text).map_err(|_| Error("constraint parser error".into()))?;
    Ok(Constraint {
        op,
        version,
        dirty,
        minor_dirty,
        patch_dirty,
    })
}

/// Go's `%q` for the ASCII texts constraints are made of.
fn go_quote(s: &str) -> String {
    helmet_value::strconv::quote(s)
}

impl Constraints {
    /// Parses a constraint text as Masterminds' `NewConstraint` does.
    pub fn parse(text: &str) -> Result<Constraints, Error> {
        Self::parse_go(text.as_bytes())
    }

    /// Parses a Go string that need not be UTF-8. Go's patterns read each invalid byte as
    /// U+FFFD, which no part of them accepts; here it is read as NUL, which none accepts
    /// either, so offsets stay those of the bytes and errors quote the bytes themselves.
    pub fn parse_go(raw: &[u8]) -> Result<Constraints, Error> {
        let res = constraint_regexes();
        let mapped: String = runes(raw)
            .map(|(_, c, width)| {
                if c == RUNE_ERROR && width == 1 {
                    '\0'
                } else {
                    c
                }
            })
            .collect();
        let (text, raw) = rewrite_ranges(&mapped, raw);
        let mut groups = Vec::new();
        let mut group_has_prerelease = Vec::new();
        let mut from = 0;
        for group_text in text.split("||") {
            let raw_group = raw.get(from..from + group_text.len()).unwrap_or_default();
            from += group_text.len() + 2;
            if !res.valid.is_match(group_text) {
                return Err(Error(format!(
                    "improper constraint: {}",
                    helmet_value::strconv::quote_bytes(raw_group)
                )));
            }
            let mut pieces: Vec<&str> =
                res.find.find_iter(group_text).map(|m| m.as_str()).collect();
            if pieces.is_empty() {
                pieces.push(group_text);
            }
            let mut group = Vec::new();
            let mut has_pre = false;
            for piece in pieces {
                let c = parse_constraint(piece)?;
                has_pre |= !c.version.prerelease.is_empty();
                group.push(c);
            }
            groups.push(group);
            group_has_prerelease.push(has_pre);
        }
        Ok(Constraints {
            groups,
            group_has_prerelease,
        })
    }

    /// Whether `version` satisfies any group of constraints.
    pub fn check(&self, version: &Version) -> bool {
        self.groups
            .iter()
            .zip(&self.group_has_prerelease)
            .any(|(group, &include_pre)| group.iter().all(|c| c.allows(version, include_pre)))
    }
}

impl Constraint {
    fn allows(&self, v: &Version, include_pre: bool) -> bool {
        if !v.prerelease.is_empty() && !include_pre {
            return false;
        }
        let c = &self.version;
        match self.op {
            Op::NotEqual => {
                if self.dirty {
                    if c.major != v.major {
                        return true;
                    }
                    if c.minor != v.minor && !self.minor_dirty {
                        return true;
                    }
                    if self.minor_dirty {
                        return false;
                    }
                    if c.patch != v.patch && !self.patch_dirty {
                        return true;
                    }
                    if self.patch_dirty {
                        if !v.prerelease.is_empty() || !c.prerelease.is_empty() {
                            return compare_prerelease(&v.prerelease, &c.prerelease)
                                != Ordering::Equal;
                        }
                        return false;
                    }
                }
                v.compare(c) != Ordering::Equal
            }
            Op::Greater => {
                if !self.dirty {
                    return v.compare(c) == Ordering::Greater;
                }
                if v.major != c.major {
                    return v.major > c.major;
                }
                if self.minor_dirty {
                    return false;
                }
                if self.patch_dirty {
                    return v.minor > c.minor;
                }
                v.compare(c) == Ordering::Greater
            }
            Op::Less => v.compare(c) == Ordering::Less,
            Op::GreaterEqual => v.compare(c) != Ordering::Less,
            Op::LessEqual => {
                if !self.dirty {
                    return v.compare(c) != Ordering::Greater;
                }
                if v.major > c.major {
                    return false;
                }
                !(v.major == c.major && v.minor > c.minor && !self.minor_dirty)
            }
            Op::Tilde => self.tilde(v),
            Op::TildeOrEqual => {
                if self.dirty {
                    self.tilde(v)
                } else {
                    v.compare(c) == Ordering::Equal
                }
            }
            Op::Caret => {
                if v.compare(c) == Ordering::Less {
                    return false;
                }
                if c.major > 0 || self.minor_dirty {
                    return v.major == c.major;
                }
                if v.major > 0 {
                    return false;
                }
                if c.minor > 0 || self.patch_dirty {
                    return v.minor == c.minor;
                }
                if v.minor > 0 {
                    return false;
                }
                c.patch == v.patch
            }
        }
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.version;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        if v.major != c.major {
            return false;
        }
        v.minor == c.minor || self.minor_dirty
    }
}

/// The `v` the original text started with, which Masterminds keeps in a derived version's
/// original text.
fn v_prefix(v: &Version) -> &'static str {
    if v.original.starts_with('v') {
        "v"
    } else {
        ""
    }
}

impl Version {
    /// Masterminds' `IncPatch`: a prerelease becomes its release; otherwise the patch grows.
    /// Prerelease and metadata are dropped.
    fn inc_patch(&self) -> Version {
        let patch = if self.prerelease.is_empty() {
            self.patch.wrapping_add(1)
        } else {
            self.patch
        };
        self.derived(self.major, self.minor, patch)
    }

    /// A version with these numbers, no prerelease or metadata, and the canonical original text.
    fn derived(&self, major: u64, minor: u64, patch: u64) -> Version {
        let mut v = Version {
            major,
            minor,
            patch,
            prerelease: String::new(),
            metadata: String::new(),
            original: String::new(),
        };
        v.original = format!("{}{v}", v_prefix(self));
        v
    }

    /// Masterminds' `SetPrerelease`/`SetMetadata` body: a copy with one part replaced.
    fn with_parts(&self, prerelease: &str, metadata: &str) -> Version {
        let mut v = self.clone();
        v.prerelease = prerelease.to_string();
        v.metadata = metadata.to_string();
        v.original = format!("{}{v}", v_prefix(self));
        v
    }
}

/// The methods a `semver.Version` value has (Masterminds declares them on the value
/// receiver), so both the pointer and a returned value reach them.
fn value_method(v: &Version, name: &str) -> Option<Func> {
    let value = match name {
        "Major" => Value::Uint64(v.major),
        "Minor" => Value::Uint64(v.minor),
        "Patch" => Value::Uint64(v.patch),
        "Prerelease" => Value::from(v.prerelease.as_str()),
        "Metadata" => Value::from(v.metadata.as_str()),
        "String" => Value::from(v.to_string()),
        "IncPatch" => version_value(v.inc_patch()),
        "IncMinor" => version_value(v.derived(v.major, v.minor.wrapping_add(1), 0)),
        "IncMajor" => version_value(v.derived(v.major.wrapping_add(1), 0, 0)),
        "SetPrerelease" => {
            let v = v.clone();
            return Some(Func::new(&[ArgType::String], move |_, a| {
                let pre = arg_str(a, 0);
                validate_prerelease(pre).map_err(|e| FuncError::new(e.0))?;
                Ok(version_value(v.with_parts(pre, &v.metadata)))
            }));
        }
        "SetMetadata" => {
            let v = v.clone();
            return Some(Func::new(&[ArgType::String], move |_, a| {
                let meta = arg_str(a, 0);
                validate_metadata(meta).map_err(|e| FuncError::new(e.0))?;
                Ok(version_value(v.with_parts(&v.prerelease, meta)))
            }));
        }
        _ => return None,
    };
    Some(Func::new(&[], move |_, _| Ok(value.clone())))
}

/// A returned `semver.Version` value (not a pointer).
fn version_value(v: Version) -> Value {
    Value::Object(Arc::new(VersionValue(v)))
}

/// The `*semver.Version` argument of a comparison method (the engine has checked its type);
/// nil dereferences as in Go.
fn version_arg(method: &str, arg: Option<&Value>) -> Result<Option<Version>, FuncError> {
    match arg {
        None | Some(Value::Nil) => Ok(None),
        // Objects give no downcast; the canonical text holds everything a comparison reads.
        Some(Value::Object(o)) if o.type_name() == "*semver.Version" => {
            Version::parse(&o.go_format())
                .map(Some)
                .map_err(|e| FuncError::new(e.0))
        }
        Some(other) => Err(FuncError::new(format!(
            "{method}: wrong type for value; expected *semver.Version; got {}",
            other.type_name()
        ))),
    }
}

/// `*semver.Version` as templates see it: the value methods (`Major` ... `IncPatch`,
/// `SetPrerelease`, `SetMetadata`) and the pointer ones (`Original`, `Compare`, `LessThan`,
/// `GreaterThan`, `Equal`, ...); `%v` prints the canonical form.
#[derive(Debug)]
struct VersionObject(Version);

impl Object for VersionObject {
    fn type_name(&self) -> &str {
        "*semver.Version"
    }

    // A *Version has String: fmt uses it for %v, %s, %q, %x and %X.
    fn stringer(&self) -> Option<String> {
        Some(self.go_format())
    }

    fn kind_name(&self) -> &'static str {
        "ptr"
    }

    fn field(&self, _name: &str) -> Option<Value> {
        // Every field of Masterminds' Version is unexported.
        None
    }

    fn method(&self, name: &str) -> Option<Func> {
        let v = &self.0;
        if name == "Original" {
            let value = Value::from(v.original.as_str());
            return Some(Func::new(&[], move |_, _| Ok(value.clone())));
        }
        let compare: fn(Option<Ordering>) -> Result<Value, FuncError> = match name {
            "Compare" => |o| match o {
                Some(o) => Ok(Value::Int(o as i64)),
                None => Err(crate::nil_deref()),
            },
            "LessThan" => |o| Ok(Value::Bool(o.ok_or_else(crate::nil_deref)?.is_lt())),
            "LessThanEqual" => |o| Ok(Value::Bool(o.ok_or_else(crate::nil_deref)?.is_le())),
            "GreaterThan" => |o| Ok(Value::Bool(o.ok_or_else(crate::nil_deref)?.is_gt())),
            "GreaterThanEqual" => |o| Ok(Value::Bool(o.ok_or_else(crate::nil_deref)?.is_ge())),
            // Equal treats a nil argument as unequal instead of dereferencing it.
            "Equal" => |o| Ok(Value::Bool(o == Some(Ordering::Equal))),
            _ => return value_method(v, name),
        };
        let v = v.clone();
        let method = name.to_string();
        Some(Func::new(
            &[ArgType::Object("*semver.Version")],
            move |_, a| {
                let other = version_arg(&method, a.first())?;
                compare(other.map(|o| v.compare(&o)))
            },
        ))
    }

    fn go_format(&self) -> String {
        self.0.to_string()
    }

    fn to_data(&self) -> Value {
        Value::from(self.0.to_string())
    }
}

/// A `semver.Version` value, as `IncPatch` and `SetPrerelease` return it: only the value
/// methods, kind struct, and JSON through its `MarshalJSON` (the canonical text).
#[derive(Debug)]
struct VersionValue(Version);

impl Object for VersionValue {
    fn type_name(&self) -> &str {
        "semver.Version"
    }

    fn stringer(&self) -> Option<String> {
        Some(self.go_format())
    }

    fn field(&self, _name: &str) -> Option<Value> {
        None
    }

    fn method(&self, name: &str) -> Option<Func> {
        value_method(&self.0, name)
    }

    fn go_format(&self) -> String {
        self.0.to_string()
    }

    fn to_data(&self) -> Value {
        Value::from(self.0.to_string())
    }
}

pub(crate) fn register(map: &mut FuncMap) {
    use ArgType::ByteString as S;
    // Versions and constraints are matched character by character against ASCII patterns: an
    // invalid byte (one U+FFFD, as Go decodes it) fails them as it does in Go.
    let text =
        |v: &Value| helmet_value::gostring::to_text_lossy(v.as_go_bytes().unwrap_or_default());
    def(map, "semver", &[S], move |_, a| {
        let v = Version::parse(&text(&a[0])).map_err(|e| FuncError::new(e.0))?;
        Ok(Value::Object(Arc::new(VersionObject(v))))
    });
    def(map, "semverCompare", &[S, S], move |_, a| {
        let raw = a[0].as_go_bytes().unwrap_or_default();
        let c = kept(&KEPT_CONSTRAINTS, raw, MAX_KEPT_TEXT, || {
            Constraints::parse_go(raw).map(Arc::new)
        })
        .map_err(|e| FuncError::new(e.0))?;
        let raw = a[1].as_go_bytes().unwrap_or_default();
        let v = kept(&KEPT_VERSIONS, raw, MAX_KEPT_TEXT, || {
            Version::parse(&text(&a[1])).map(Arc::new)
        })
        .map_err(|e| FuncError::new(e.0))?;
        Ok(Value::Bool(c.check(&v)))
    });
}

/// `semverCompare`'s constraints, parsed. Charts call it with the same few constraint texts
/// (Bitnami's common library asks for the API version of each kind this way, in every
/// template), and parsing one runs several regular expressions: ~10,000 instructions a call.
static KEPT_CONSTRAINTS: Kept<Result<Arc<Constraints>, Error>> = Mutex::new(None);
/// `semverCompare`'s versions (usually `.Capabilities.KubeVersion.Version`), parsed.
static KEPT_VERSIONS: Kept<Result<Arc<Version>, Error>> = Mutex::new(None);

/// Texts longer than this are parsed every time rather than kept.
const MAX_KEPT_TEXT: usize = 1024;

/// Drops the kept parses (with the kept patterns).
pub(crate) fn clear_kept() {
    forget(&KEPT_CONSTRAINTS);
    forget(&KEPT_VERSIONS);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(c: &str, v: &str) -> bool {
        Constraints::parse(c)
            .unwrap()
            .check(&Version::parse(v).unwrap())
    }

    #[test]
    fn versions() {
        let v = Version::parse("v1.2-beta.1+b5").unwrap();
        assert_eq!((v.major, v.minor, v.patch), (1, 2, 0));
        assert_eq!(v.to_string(), "1.2.0-beta.1+b5");
        assert_eq!(v.original, "v1.2-beta.1+b5");
        assert!(Version::parse("1.2.3.4").is_err());
        assert!(Version::parse("1.0.0-01").is_err());
        assert!(Version::parse("").is_err());
    }

    #[test]
    fn constraints() {
        assert!(check("^1.2", "1.9.0"));
        assert!(!check("^1.2", "2.0.0"));
        assert!(check("~1.2.3", "1.2.9"));
        assert!(!check("~1.2.3", "1.3.0"));
        assert!(check(">= 1.2, < 2", "1.5.0"));
        assert!(check("1.2 - 1.4", "1.4.0"));
        assert!(!check("1.2 - 1.4", "1.5.0"));
        assert!(check("<1 || >=3", "3.0.0"));
        assert!(!check(">=1.2.3", "1.2.4-alpha"));
        assert!(check(">=1.2.3-0", "1.2.4-alpha"));
        assert!(check("1.x", "1.7.1"));
        assert!(check("*", "0.0.1"));
        assert_eq!(
            Constraints::parse("bad").unwrap_err().message(),
            "improper constraint: \"bad\""
        );
    }
}
