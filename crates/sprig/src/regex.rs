//! Sprig's regular-expression functions over Go's RE2 syntax. The `regex` crate reads the same
//! syntax; Go's Perl classes (`\d`, `\w`, `\s`, `\b`) are ASCII-only, so they are rewritten to
//! their ASCII forms before compiling.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use helmet_value::{ArgType, ElemType, FuncError, FuncMap, Value};

use regex::{NoExpand, Regex};

use crate::{arg_bytes, arg_int, def};

use ArgType::{ByteString as Bs, Int};

/// The string a regexp runs over, as Go's regexp reads it: text, where each byte of a Go string
/// that is not UTF-8 reads as the rune U+FFFD (so a pattern matches it as it matches U+FFFD),
/// and whose matched pieces are cut from the original bytes.
struct Subject<'a> {
    /// What the regexp runs over.
    text: std::borrow::Cow<'a, str>,
    /// The bytes of a Go string that is not UTF-8, and for each of its runes the offset in
    /// `text` and in the bytes.
    bytes: Option<(&'a [u8], Vec<RuneStart>)>,
}

/// Where a rune starts: its offset in a [`Subject`]'s text and in the original bytes.
type RuneStart = (usize, usize);

impl<'a> Subject<'a> {
    fn of(v: &'a Value) -> Subject<'a> {
        if let Some(text) = v.as_str() {
            return Subject {
                text: text.into(),
                bytes: None,
            };
        }
        let bytes = v.as_go_bytes().unwrap_or_default();
        let mut text = String::with_capacity(bytes.len() + 8);
        let mut starts = Vec::new();
        for (at, c, _) in helmet_value::gostring::runes(bytes) {
            starts.push((text.len(), at));
            text.push(c);
        }
        Subject {
            text: text.into(),
            bytes: Some((bytes, starts)),
        }
    }

    /// The offset in the original string of an offset of `text` (a rune boundary).
    fn source_at(&self, at: usize) -> usize {
        match &self.bytes {
            None => at,
            Some((bytes, _)) if at >= self.text.len() => bytes.len(),
            Some((_, starts)) => match starts.binary_search_by_key(&at, |s| s.0) {
                Ok(i) => starts[i].1,
                Err(i) => starts[i.saturating_sub(1)].1,
            },
        }
    }

    /// The original bytes under a range of `text`.
    fn piece(&self, range: Range<usize>) -> &[u8] {
        let (start, end) = (self.source_at(range.start), self.source_at(range.end));
        match &self.bytes {
            None => &self.text.as_bytes()[start..end],
            Some((bytes, _)) => &bytes[start..end],
        }
    }

    /// A piece as a Go string.
    fn value(&self, range: Range<usize>) -> Value {
        match &self.bytes {
            None => Value::from(&self.text[range]),
            Some(_) => Value::from_go_bytes(self.piece(range)),
        }
    }
}

/// The prefix of a group's name in the compiled pattern when an earlier group has its Go name.
const DUPLICATE_NAME: &str = "helmetdup";

/// A compiled group's Go name (see [`DUPLICATE_NAME`]).
fn go_group_name(compiled: &str) -> &str {
    compiled
        .strip_prefix(DUPLICATE_NAME)
        .and_then(|rest| rest.split_once('_'))
        .map_or(compiled, |(_, name)| name)
}

/// Rewrites Go's ASCII-only Perl classes for the `regex` crate, whose classes are Unicode.
fn go_syntax(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    let mut in_class = false;
    // Inside a class Go reads `-` as a range only after a lone character and before anything
    // but `]`; elsewhere (after `\w`, `[:alpha:]`, `\p{L}` or a whole range) it is a literal,
    // which the `regex` crate wants escaped. Whether the last item was such a lone character,
    // and whether the next item ends a range:
    let mut class_single = false;
    let mut range_end = false;
    // Go allows two groups of one name, the `regex` crate does not: later ones are renamed
    // (see [`go_group_name`]).
    let mut names: Vec<&str> = Vec::new();
    while let Some(c) = chars.next() {
        match c {
            '(' if !in_class => {
                out.push('(');
                let rest = chars.as_str();
                let opening = ["?P<", "?<"].into_iter().find(|o| rest.starts_with(o));
                let named = opening.and_then(|o| {
                    let body = &rest[o.len()..];
                    body.find('>').map(|end| (o, &body[..end]))
                });
                if let Some((opening, name)) = named {
                    out.push_str(opening);
                    if names.contains(&name) {
                        out.push_str(&format!("{DUPLICATE_NAME}{}_", names.len()));
                    }
                    out.push_str(name);
                    out.push('>');
                    names.push(name);
                    chars = rest[opening.len() + name.len() + 1..].chars();
                }
            }
            '\\' => {
                let Some(n) = chars.next() else {
                    out.push('\\');
                    break;
                };
                let rep = match (n, in_class) {
                    ('d', false) => "[0-9]",
                    ('D', false) => "[^0-9]",
                    ('w', false) => "[0-9A-Za-z_]",
                    ('W', false) => "[^0-9A-Za-z_]",
                    ('s', false) => "[\\t\\n\\f\\r ]",
                    ('S', false) => "[^\\t\\n\\f\\r ]",
                    ('b', false) => "(?-u:\\b)",
                    ('B', false) => "(?-u:\\B)",
                    ('d', true) => {
                        note_class_item(&mut class_single, &mut range_end, false);
                        "0-9"
                    }
                    ('w', true) => {
                        note_class_item(&mut class_single, &mut range_end, false);
                        "0-9A-Za-z_"
                    }
                    ('s', true) => {
                        note_class_item(&mut class_single, &mut range_end, false);
                        "\\t\\n\\f\\r "
                    }
                    ('Q', false) => {
                        // Literal text up to `\E` or the end.
                        let rest = chars.as_str();
                        let (literal, after) = match rest.find("\\E") {
                            Some(end) => (&rest[..end], &rest[end + 2..]),
                            None => (rest, ""),
                        };
                        out.push_str(&regex::escape(literal));
                        chars = after.chars();
                        continue;
                    }
                    ('p' | 'P' | 'x', _) if chars.as_str().starts_with('{') => {
                        // A `\p{Name}` class or a `\x{hex}` character: its braces are no
                        // repeat count. Go's `\p{^Name}` is `\P{Name}`.
                        let rest = chars.as_str();
                        let end = rest.find('}').map_or(rest.len(), |e| e + 1);
                        let (n, braced) = match (n, rest.strip_prefix("{^")) {
                            ('p', Some(_)) => ('P', format!("{{{}", &rest[2..end])),
                            ('P', Some(_)) => ('p', format!("{{{}", &rest[2..end])),
                            _ => (n, rest[..end].to_string()),
                        };
                        out.push('\\');
                        out.push(n);
                        out.push_str(&braced);
                        chars = rest[end..].chars();
                        if in_class {
                            let single = n == 'x';
                            note_class_item(&mut class_single, &mut range_end, single);
                        }
                        continue;
                    }
                    ('0'..='7', _)
                        if n == '0' || chars.as_str().starts_with(|c| ('0'..='7').contains(&c)) =>
                    {
                        // Go's octal escape: `\0` or `\1`..`\7` followed by an octal digit,
                        // up to three digits (a lone `\1`..`\7` is a backreference Go refuses).
                        let rest = chars.as_str();
                        let more = rest
                            .bytes()
                            .take(2)
                            .take_while(|b| (b'0'..=b'7').contains(b))
                            .count();
                        let code = rest[..more]
                            .bytes()
                            .fold(n as u32 - '0' as u32, |r, b| r * 8 + u32::from(b - b'0'));
                        out.push_str(&format!("\\x{{{code:x}}}"));
                        chars = rest[more..].chars();
                        if in_class {
                            note_class_item(&mut class_single, &mut range_end, true);
                        }
                        continue;
                    }
                    _ => {
                        out.push('\\');
                        out.push(n);
                        if in_class {
                            // `\pL` names its one-letter class without braces.
                            let class = matches!(n, 'D' | 'W' | 'S' | 'p' | 'P');
                            if matches!(n, 'p' | 'P') {
                                if let Some(letter) = chars.next() {
                                    out.push(letter);
                                }
                            }
                            note_class_item(&mut class_single, &mut range_end, !class);
                        }
                        continue;
                    }
                };
                out.push_str(rep);
            }
            '[' if !in_class => {
                in_class = true;
                class_single = false;
                range_end = false;
                out.push('[');
                // A `]` right after `[` or `[^` is a literal.
                let rest = chars.as_str();
                if let Some(r) = rest.strip_prefix('^') {
                    out.push('^');
                    chars = r.chars();
                }
                if chars.as_str().starts_with(']') {
                    out.push_str("\\]");
                    chars.next();
                    class_single = true;
                }
            }
            '[' if in_class && chars.as_str().starts_with(':') => {
                // A POSIX class such as [:alpha:] inside a bracket.
                out.push('[');
                let rest = chars.as_str();
                if let Some(end) = rest.find(":]") {
                    out.push_str(&rest[..end + 2]);
                    chars = rest[end + 2..].chars();
                }
                note_class_item(&mut class_single, &mut range_end, false);
            }
            '[' => {
                out.push_str("\\[");
                note_class_item(&mut class_single, &mut range_end, true);
            }
            '-' if in_class => {
                if class_single && !chars.as_str().starts_with(']') {
                    out.push('-');
                    class_single = false;
                    range_end = true;
                } else {
                    out.push_str("\\-");
                    note_class_item(&mut class_single, &mut range_end, true);
                }
            }
            // Go reads `{` as a literal unless a repeat count `{n}`, `{n,}` or `{n,m}` follows.
            '{' if !in_class && !is_repeat_count(chars.as_str()) => out.push_str("\\{"),
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            _ => {
                out.push(c);
                if in_class {
                    note_class_item(&mut class_single, &mut range_end, true);
                }
            }
        }
    }
    out
}

/// Records one item of a bracket class for [`go_syntax`]'s reading of `-`: `single` when it is
/// one character (which a following `-` may turn into a range's start); an item that ends a
/// range starts none.
fn note_class_item(class_single: &mut bool, range_end: &mut bool, single: bool) {
    *class_single = single && !*range_end;
    *range_end = false;
}

/// Whether the text after a `{` completes a repeat count as Go's `parseRepeat` reads one:
/// digits, optionally a comma and more digits, then `}`. Go's `parseInt` refuses a number with
/// a leading zero (`{01}`), which leaves the `{` a literal.
fn is_repeat_count(rest: &str) -> bool {
    repeat_count_len(rest.as_bytes()).is_some()
}

/// The length of the repeat count after a `{`, its `}` included (see [`is_repeat_count`]).
fn repeat_count_len(b: &[u8]) -> Option<usize> {
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let leading_zero = |from: usize, len: usize| len >= 2 && b[from] == b'0';
    let min = digits(0);
    if min == 0 || leading_zero(0, min) {
        return None;
    }
    let mut i = min;
    if b.get(i) == Some(&b',') {
        i += 1;
        let max = digits(i);
        if leading_zero(i, max) {
            return None;
        }
        i += max;
    }
    (b.get(i) == Some(&b'}')).then_some(i + 1)
}

/// Go's `invalid nested repetition operator` error and its offset: the `regex` crate accepts
/// `a**` and `a{2}*`, Go's parser refuses a repetition operator (`*`, `+`, `?`, `{n,m}`, each
/// with an optional `?`) right after another, naming both.
fn nested_repetition(pattern: &[u8]) -> Option<(usize, String)> {
    let b = pattern;
    let mut i = 0;
    let mut in_class = false;
    // At the start, after `(` or `|`: an operator here has no argument (the `regex` crate's
    // error), or starts a group's flags.
    let mut no_argument = true;
    // Where the previous token started, when it was a repetition operator.
    let mut last_op = None;
    while i < b.len() {
        let op_len = match b[i] {
            _ if in_class || no_argument => 0,
            b'*' | b'+' | b'?' => 1,
            b'{' => repeat_count_len(&b[i + 1..]).map_or(0, |n| n + 1),
            _ => 0,
        };
        if op_len > 0 {
            let mut end = i + op_len;
            if b.get(end) == Some(&b'?') {
                end += 1;
            }
            if let Some(start) = last_op {
                let ops = helmet_value::gostring::to_text_lossy(&pattern[start..end]);
                return Some((
                    start,
                    format!("invalid nested repetition operator: `{ops}`"),
                ));
            }
            last_op = Some(i);
            i = end;
            continue;
        }
        last_op = None;
        let opens = !in_class && matches!(b[i], b'(' | b'|');
        match b[i] {
            // `\Q...\E` is literal text.
            b'\\' if !in_class && b.get(i + 1) == Some(&b'Q') => {
                i = b[i + 2..]
                    .windows(2)
                    .position(|w| w == b"\\E")
                    .map_or(b.len(), |end| i + 2 + end + 1);
            }
            // `\x{hex}` and `\p{Name}`: their braces are no repeat count.
            b'\\'
                if matches!(b.get(i + 1), Some(b'x' | b'p' | b'P'))
                    && b.get(i + 2) == Some(&b'{') =>
            {
                i = b[i + 3..]
                    .iter()
                    .position(|&c| c == b'}')
                    .map_or(b.len(), |end| i + 3 + end);
            }
            b'\\' => i += 1,
            b'[' if !in_class => in_class = true,
            b']' if in_class => in_class = false,
            _ => {}
        }
        no_argument = opens;
        i += 1;
    }
    None
}

/// The text the `regex` crate's error points at with carets, in the compiled pattern.
fn error_span(message: &str, compiled: &str) -> Option<(usize, String)> {
    let lines: Vec<&str> = message.lines().collect();
    // The line of carets under the pattern (the pattern's own line may start with `^`).
    let carets = lines
        .iter()
        .find(|l| !l.trim().is_empty() && l.trim().chars().all(|c| c == '^'))?;
    let start = carets.find('^')?.checked_sub(4)?;
    let mut len = carets.trim().len();
    let chars: Vec<char> = compiled.chars().collect();
    let kind = lines.last().unwrap_or(&"");
    // Go's text of a repetition operator takes in its `?` (non-greedy) suffix.
    if kind.contains("repetition operator missing expression")
        && chars.get(start + len) == Some(&'?')
    {
        len += 1;
    }
    Some((
        start,
        chars
            .get(start..(start + len).min(chars.len()))?
            .iter()
            .collect(),
    ))
}

/// Go's wording for a syntax error the `regex` crate found.
fn go_error_text(pattern: &str, compiled: &str, message: &str) -> String {
    let kind = message
        .lines()
        .last()
        .unwrap_or("")
        .trim()
        .trim_start_matches("error: ");
    let (at, span) = error_span(message, compiled).unwrap_or_default();
    match kind {
        k if (k.contains("flag") || k == "unclosed group") && open_flags(pattern).is_some() => {
            let flags = open_flags(pattern).unwrap_or_default();
            format!("invalid or unsupported Perl syntax: `{flags}`")
        }
        "unclosed group" => format!("missing closing ): `{pattern}`"),
        // Go has no look-arounds: it reads `(?<` as a named group up to the first `>` (or the
        // end) and `(?=`, `(?!` as unknown flags.
        k if k.starts_with("look-around") => match pattern.rfind(span.as_str()) {
            Some(at) if span.starts_with("(?<") => {
                let rest = &pattern[at..];
                let name = rest.find('>').map_or(rest, |end| &rest[..=end]);
                format!("invalid named capture: `{name}`")
            }
            _ => format!("invalid or unsupported Perl syntax: `{span}`"),
        },
        "unopened group" => format!("unexpected ): `{pattern}`"),
        "unclosed character class" => {
            let from = pattern.find('[').unwrap_or(0);
            format!("missing closing ]: `{}`", &pattern[from..])
        }
        "unrecognized flag" => {
            // Go names the group's start up to the flag it does not know.
            let chars: Vec<char> = compiled.chars().collect();
            let from = (0..at)
                .rev()
                .find(|&i| chars.get(i) == Some(&'(') && chars.get(i + 1) == Some(&'?'))
                .unwrap_or(at);
            let text: String = chars.get(from..=at).unwrap_or_default().iter().collect();
            format!("invalid or unsupported Perl syntax: `{text}`")
        }
        "repetition operator missing expression" => {
            format!("missing argument to repetition operator: `{span}`")
        }
        "invalid character class range, the start must be <= the end"
        | "Unicode property not found" => {
            format!("invalid character class range: `{span}`")
        }
        k if k.contains("escape") && k.contains("end of pattern") => {
            let slashes = pattern.bytes().rev().take_while(|&b| b == b'\\').count();
            if slashes % 2 == 1 {
                "trailing backslash at end of expression: ``".to_string()
            } else {
                // An escape cut short (`\x1`): Go names it from its backslash.
                let from = pattern.rfind('\\').unwrap_or(0);
                format!("invalid escape sequence: `{}`", &pattern[from..])
            }
        }
        k if k.contains("escape") || k.contains("backreference") => {
            format!("invalid escape sequence: `{span}`")
        }
        k if k.contains("repetition") => format!("invalid repeat count: `{span}`"),
        k => format!("{k}: `{span}`"),
    }
}

/// A group's flags that run to the end of the pattern (`(?`, `(?i`): Go's Perl syntax error.
fn open_flags(pattern: &str) -> Option<&str> {
    let from = pattern.rfind("(?")?;
    let flags = &pattern[from + 2..];
    flags
        .chars()
        .all(|c| matches!(c, 'i' | 'm' | 's' | 'U' | '-'))
        .then_some(&pattern[from..])
}

/// Whether the `regex` crate's error for a pattern cut short means only that its text ended
/// (an unclosed group, class, repetition or escape), which Go would not reach.
fn ran_out(message: &str) -> bool {
    let kind = message.lines().last().unwrap_or("");
    [
        "unclosed",
        "end of",
        "prematurely",
        "expects a valid decimal",
        "empty",
    ]
    .iter()
    .any(|k| kind.contains(k))
}

/// How many compiled patterns a process keeps by default (see [`set_regex_cache_limit`]).
pub const DEFAULT_REGEX_CACHE_LIMIT: usize = 256;

/// Patterns longer than this are compiled every time rather than kept.
const MAX_KEPT_PATTERN: usize = 4096;

static REGEX_CACHE_LIMIT: AtomicUsize = AtomicUsize::new(DEFAULT_REGEX_CACHE_LIMIT);

/// Compiled patterns by their exact bytes. Compiling with the `regex` crate costs hundreds of
/// thousands of instructions (Go's compiler is far cheaper), and library charts call
/// `regexReplaceAll` and `regexMatch` with the same few patterns from every template: Bitnami's
/// common library compiles about 40 per render of one chart. A pattern's meaning depends on its
/// bytes alone, so a kept one (or Go's refusal of it) is never stale.
static COMPILED: Kept<Result<Arc<Regex>, FuncError>> = Mutex::new(None);

/// What a function made of texts (compiled patterns, parsed versions), by the texts' bytes.
pub(crate) type Kept<T> = Mutex<Option<HashMap<Box<[u8]>, T>>>;

/// What `make` gives for `raw`, kept in `table` for the process: under the limit
/// [`set_regex_cache_limit`] sets (when it is reached the table starts over), not at all when
/// it is 0 or `raw` is longer than `max_len`. What `make` gives must depend on the bytes alone,
/// so that a kept result (an error included) is never stale.
pub(crate) fn kept<T: Clone>(
    table: &Kept<T>,
    raw: &[u8],
    max_len: usize,
    make: impl FnOnce() -> T,
) -> T {
    let limit = REGEX_CACHE_LIMIT.load(Ordering::Relaxed);
    if limit == 0 || raw.len() > max_len {
        return make();
    }
    let lock = || table.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(result) = lock().as_ref().and_then(|kept| kept.get(raw)) {
        return result.clone();
    }
    // Made outside the lock: other threads rendering keep going meanwhile.
    let result = make();
    let mut kept = lock();
    let kept = kept.get_or_insert_with(HashMap::new);
    if kept.len() >= limit {
        kept.clear();
    }
    kept.insert(raw.into(), result.clone());
    result
}

/// Sets how many compiled patterns the process keeps; 0 turns keeping off and empties what is
/// kept (every call compiles, as Go's functions do). When the limit is reached the kept
/// patterns are dropped and keeping starts over.
///
/// `semverCompare`'s parsed constraints and versions are kept the same way, under the same
/// limit.
pub fn set_regex_cache_limit(limit: usize) {
    REGEX_CACHE_LIMIT.store(limit, Ordering::Relaxed);
    if limit == 0 {
        clear_regex_cache();
    }
}

/// Drops every kept pattern (and `semverCompare`'s kept parses); keeping goes on (see
/// [`set_regex_cache_limit`]).
pub fn clear_regex_cache() {
    forget(&COMPILED);
    crate::semver::clear_kept();
}

/// Drops everything `table` keeps.
pub(crate) fn forget<T>(table: &Kept<T>) {
    *table.lock().unwrap_or_else(PoisonError::into_inner) = None;
}

/// [`compile_uncached`], reusing a pattern compiled before in this process. Shared rather
/// than cloned: a cloned `Regex` starts with no search caches of its own.
fn compile(pattern: &[u8]) -> Result<Arc<Regex>, FuncError> {
    kept(&COMPILED, pattern, MAX_KEPT_PATTERN, || {
        compile_uncached(pattern).map(Arc::new)
    })
}

/// A Go regular expression (Go's `regexp.Compile`) for other crates, such as the `pattern`s of
/// a chart's values schema: the compiled program (kept like those of the functions), or Go's
/// error text (`error parsing regexp: ...`).
pub fn compile_go_regex(pattern: &str) -> Result<Arc<Regex>, String> {
    compile(pattern.as_bytes()).map_err(|e| e.0)
}

/// Compiles a Go regular expression, with Go's `regexp.Compile` error texts. Go's parser reads
/// the pattern in order and reports the first error it meets: for the errors the `regex` crate
/// does not know (a byte that is not UTF-8, an unknown `[:name:]` class), the part before is
/// compiled alone to see whether an error of its own comes first.
fn compile_uncached(pattern: &[u8]) -> Result<Regex, FuncError> {
    let go_only = [
        invalid_utf8(pattern),
        unknown_named_class(pattern),
        nested_repetition(pattern),
        go_refusal(pattern),
    ]
    .into_iter()
    .flatten()
    .min_by_key(|(at, _)| *at);
    let detail = match go_only {
        None => match compile_text(std::str::from_utf8(pattern).unwrap_or_default(), None) {
            Ok(re) => return Ok(re),
            Err((detail, _)) => detail,
        },
        Some((at, go_detail)) => {
            let before = std::str::from_utf8(&pattern[..at]).unwrap_or_default();
            // An error text is text here: each byte that is not UTF-8 is shown as U+FFFD.
            let whole = helmet_value::gostring::to_text_lossy(pattern);
            match compile_text(before, Some(&whole)) {
                Err((detail, false)) => detail,
                _ => go_detail,
            }
        }
    };
    Err(FuncError::new(format!("error parsing regexp: {detail}")))
}

/// Go's error for the first construct the `regex` crate accepts and Go refuses, and its offset:
/// a group flag other than `i`, `m`, `s`, `U` (the crate also knows `x`, `u`, `R`), a repeat
/// count above 1000, a `\u` or `\U` escape.
fn go_refusal(pattern: &[u8]) -> Option<(usize, String)> {
    let text = |from: usize, to: usize| helmet_value::gostring::to_text_lossy(&pattern[from..to]);
    let mut i = 0;
    let mut in_class = false;
    while i < pattern.len() {
        match pattern[i] {
            b'\\' if matches!(pattern.get(i + 1), Some(b'u' | b'U')) => {
                return Some((i, format!("invalid escape sequence: `{}`", text(i, i + 2))));
            }
            b'\\' if !in_class && pattern.get(i + 1) == Some(&b'Q') => {
                i = pattern[i + 2..]
                    .windows(2)
                    .position(|w| w == b"\\E")
                    .map_or(pattern.len(), |end| i + 2 + end + 2);
                continue;
            }
            b'\\' => {
                // `\x{hex}` and `\p{Name}`: their braces are no repeat count.
                let braced = matches!(pattern.get(i + 1), Some(b'x' | b'p' | b'P'))
                    && pattern.get(i + 2) == Some(&b'{');
                i = match braced {
                    true => pattern[i + 3..]
                        .iter()
                        .position(|&c| c == b'}')
                        .map_or(pattern.len(), |end| i + 3 + end + 1),
                    false => i + 2,
                };
                continue;
            }
            b'[' if !in_class => in_class = true,
            b']' if in_class => in_class = false,
            b'(' if !in_class && pattern.get(i + 1) == Some(&b'?') => {
                let flags = &pattern[i + 2..];
                let named = flags.starts_with(b"P<") || flags.starts_with(b"<");
                if !named {
                    for (k, &c) in flags.iter().enumerate() {
                        match c {
                            b':' | b')' => break,
                            b'i' | b'm' | b's' | b'U' | b'-' => {}
                            _ => {
                                let end = i + 2 + k + 1;
                                let shown = text(i, end.min(pattern.len()));
                                return Some((
                                    i,
                                    format!("invalid or unsupported Perl syntax: `{shown}`"),
                                ));
                            }
                        }
                    }
                }
                i += 2;
                continue;
            }
            // Go checks the count before it looks for the operator's argument.
            b'{' if !in_class => {
                if let Some(len) = repeat_count_len(&pattern[i + 1..]) {
                    let count = &pattern[i + 1..i + len];
                    let too_large = count.split(|&b| b == b',').any(|n| {
                        n.len() > 4
                            || std::str::from_utf8(n)
                                .ok()
                                .and_then(|n| n.parse::<u32>().ok())
                                .is_some_and(|n| n > 1000)
                    });
                    if too_large {
                        return Some((
                            i,
                            format!("invalid repeat count: `{}`", text(i, i + len + 1)),
                        ));
                    }
                    i += len + 1;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Go's error for the first byte of a pattern that is not UTF-8, and its offset.
fn invalid_utf8(pattern: &[u8]) -> Option<(usize, String)> {
    let at = std::str::from_utf8(pattern).err()?.valid_up_to();
    let before = std::str::from_utf8(&pattern[..at]).unwrap_or_default();
    let shown = utf8_error_expr(before, &pattern[at..]);
    Some((
        at,
        format!(
            "invalid UTF-8: `{}`",
            helmet_value::gostring::to_text_lossy(shown)
        ),
    ))
}

/// The POSIX classes Go knows inside brackets.
const NAMED_CLASSES: [&str; 14] = [
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
];

/// Go's error for the first `[:name:]` inside brackets whose name it does not know (the name
/// runs to the next `:]`, wherever that is), and its offset.
fn unknown_named_class(pattern: &[u8]) -> Option<(usize, String)> {
    let mut i = 0;
    let mut in_class = false;
    while i < pattern.len() {
        match pattern[i] {
            b'\\' => i += 1,
            b'[' if !in_class => {
                in_class = true;
                // `[^` and a `]` right after the bracket are part of the class.
                if pattern.get(i + 1) == Some(&b'^') {
                    i += 1;
                }
                if pattern.get(i + 1) == Some(&b']') {
                    i += 1;
                }
            }
            b'[' if pattern.get(i + 1) == Some(&b':') => {
                let end = pattern[i + 2..].windows(2).position(|w| w == b":]");
                if let Some(end) = end {
                    let name = &pattern[i + 2..i + 2 + end];
                    let name = name.strip_prefix(b"^").unwrap_or(name);
                    if !NAMED_CLASSES.iter().any(|n| n.as_bytes() == name) {
                        let shown = &pattern[i..i + 2 + end + 2];
                        return Some((
                            i,
                            format!(
                                "invalid character class range: `{}`",
                                helmet_value::gostring::to_text_lossy(shown)
                            ),
                        ));
                    }
                    i += 2 + end + 2;
                    continue;
                }
            }
            b']' if in_class => in_class = false,
            _ => {}
        }
        i += 1;
    }
    None
}

/// The part of a pattern Go's `invalid UTF-8` error shows, from the first invalid byte: the
/// rest of the pattern, or only the rest of the name when the byte is inside a `\p{name}` or a
/// `(?P<name>` that is closed, since Go checks such a name on its own.
fn utf8_error_expr<'a>(before: &str, rest: &'a [u8]) -> &'a [u8] {
    let in_braces = [r"\p{", r"\P{"]
        .iter()
        .filter_map(|open| before.rfind(open))
        .max()
        .is_some_and(|at| !before[at..].contains('}'));
    let in_name = ["(?P<", "(?<"]
        .iter()
        .filter_map(|open| before.rfind(open))
        .max()
        .is_some_and(|at| !before[at..].contains('>'));
    let close = match (in_braces, in_name) {
        (true, _) => Some(b'}'),
        (_, true) => Some(b'>'),
        _ => None,
    };
    match close.and_then(|c| rest.iter().position(|&b| b == c)) {
        Some(end) => &rest[..end],
        None => rest,
    }
}

/// Compiles a pattern that is valid UTF-8: a whole one, or the part of `whole` before an error
/// only Go knows. An error is Go's detail text, and whether it only says that the pattern ended
/// too soon (an unclosed group, class, repetition or escape).
fn compile_text(pattern: &str, whole: Option<&str>) -> Result<Regex, (String, bool)> {
    let whole = whole.unwrap_or(pattern);
    let compiled = go_syntax(pattern);
    Regex::new(&compiled).map_err(|e| match e {
        regex::Error::Syntax(s) => (go_error_text(whole, &compiled, &s), ran_out(&s)),
        other => (other.to_string(), false),
    })
}

/// `regexp.MustCompile`'s panic text, which quotes the pattern as Go's `regexp.quote` does.
fn must_compile(pattern: &[u8]) -> Result<Arc<Regex>, FuncError> {
    compile(pattern).map_err(|e| {
        let quoted = match std::str::from_utf8(pattern) {
            Ok(text) if helmet_value::strconv::can_backquote(text) => format!("`{text}`"),
            _ => helmet_value::strconv::quote_bytes(pattern),
        };
        FuncError::new(format!("regexp: Compile({quoted}): {}", e.0))
    })
}

fn string_list(items: Vec<String>) -> Value {
    Value::typed_list(
        ElemType::String,
        items.into_iter().map(Value::from).collect(),
    )
}

fn find_all(re: &Regex, s: &Subject<'_>, n: i64) -> Value {
    let limit = if n < 0 { usize::MAX } else { n as usize };
    let found: Vec<Value> = re
        .find_iter(&s.text)
        .take(limit)
        .map(|m| s.value(m.range()))
        .collect();
    // Go returns a nil []string when nothing matches (or `n` is 0), which `toJson` writes as
    // `null`.
    if found.is_empty() {
        return Value::nil_list(ElemType::String);
    }
    Value::typed_list(ElemType::String, found)
}

/// Go's `Regexp.Split`.
fn split(re: &Regex, pattern: &[u8], subject: &Subject<'_>, n: i64) -> Value {
    let s: &str = &subject.text;
    if n == 0 {
        return Value::nil_list(ElemType::String);
    }
    if !pattern.is_empty() && s.is_empty() {
        return string_list(vec![String::new()]);
    }
    let limit = if n < 0 { usize::MAX } else { n as usize };
    let mut out = Vec::new();
    let (mut beg, mut end) = (0, 0);
    for m in re.find_iter(s).take(limit) {
        if n > 0 && out.len() == limit - 1 {
            break;
        }
        end = m.start();
        if m.end() != 0 {
            out.push(subject.value(beg..end));
        }
        beg = m.end();
    }
    if end != s.len() {
        out.push(subject.value(beg..s.len()));
    }
    Value::typed_list(ElemType::String, out)
}

/// Go's `regexp.QuoteMeta`.
fn quote_meta(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for &b in s {
        if b"\\.+*?()|[]{}^$".contains(&b) {
            out.push(b'\\');
        }
        out.push(b);
    }
    out
}

/// A `$` reference in a Go replacement template: the name (or number) and what follows it.
/// Names are runs of letters, digits and `_`, optionally in braces; anything else (a byte that
/// is not UTF-8 included) leaves the `$` as text.
fn go_reference(t: &[u8]) -> Option<(&str, Option<usize>, &[u8])> {
    let (braced, body) = match t.strip_prefix(b"{") {
        Some(b) => (true, b),
        None => (false, t),
    };
    let len: usize = helmet_value::gostring::runes(body)
        .take_while(|&(_, c, _)| c.is_alphanumeric() || c == '_')
        .map(|(_, _, width)| width)
        .sum();
    if len == 0 {
        return None;
    }
    let name = std::str::from_utf8(&body[..len]).ok()?;
    let rest = if braced {
        body[len..].strip_prefix(b"}")?
    } else {
        &body[len..]
    };
    // A number without leading zeros refers to a group by index.
    let number = if name.bytes().all(|b| b.is_ascii_digit()) && !(name.starts_with('0') && len > 1)
    {
        name.parse::<usize>().ok().filter(|n| *n < 100_000_000)
    } else {
        None
    };
    Some((name, number, rest))
}

/// Go's `Regexp.Expand` of `template` (any Go string) for one match.
fn expand_match(
    re: &Regex,
    caps: &regex::Captures<'_>,
    template: &[u8],
    subject: &Subject<'_>,
    out: &mut Vec<u8>,
) {
    let mut t = template;
    while let Some(at) = t.iter().position(|&b| b == b'$') {
        out.extend_from_slice(&t[..at]);
        t = &t[at + 1..];
        if let Some(rest) = t.strip_prefix(b"$") {
            out.push(b'$');
            t = rest;
            continue;
        }
        let Some((name, number, rest)) = go_reference(t) else {
            out.push(b'$');
            continue;
        };
        t = rest;
        // Go takes the first group of that name that took part in the match.
        let group = match number {
            Some(n) => caps.get(n),
            None => re
                .capture_names()
                .enumerate()
                .filter(|(_, n)| n.is_some_and(|n| go_group_name(n) == name))
                .find_map(|(i, _)| caps.get(i)),
        };
        if let Some(m) = group {
            out.extend_from_slice(subject.piece(m.range()));
        }
    }
    out.extend_from_slice(t);
}

/// Go's `ReplaceAllString`: every match replaced by the expanded template.
fn expand_go(re: &Regex, subject: &Subject<'_>, template: &[u8]) -> Value {
    let s: &str = &subject.text;
    let mut out = Vec::with_capacity(s.len());
    let mut last = 0;
    for caps in re.captures_iter(s) {
        let Some(m) = caps.get(0) else { continue };
        out.extend_from_slice(subject.piece(last..m.start()));
        expand_match(re, &caps, template, subject, &mut out);
        last = m.end();
    }
    out.extend_from_slice(subject.piece(last..s.len()));
    Value::from_go_bytes(out)
}

/// Go's `ReplaceAllLiteralString`: every match replaced by `with`'s bytes.
fn replace_literal(re: &Regex, subject: &Subject<'_>, with: &[u8]) -> Value {
    if let (None, Ok(with)) = (&subject.bytes, std::str::from_utf8(with)) {
        return Value::from(re.replace_all(&subject.text, NoExpand(with)).into_owned());
    }
    let s: &str = &subject.text;
    let mut out = Vec::with_capacity(s.len());
    let mut last = 0;
    for m in re.find_iter(s) {
        out.extend_from_slice(subject.piece(last..m.start()));
        out.extend_from_slice(with);
        last = m.end();
    }
    out.extend_from_slice(subject.piece(last..s.len()));
    Value::from_go_bytes(out)
}

pub(crate) fn register(map: &mut FuncMap) {
    // Patterns, subjects and replacements may be any Go string.
    def(map, "regexMatch", &[Bs, Bs], |_, a| {
        Ok(Value::Bool(
            compile(arg_bytes(a, 0)).is_ok_and(|re| re.is_match(&Subject::of(&a[1]).text)),
        ))
    });
    def(map, "mustRegexMatch", &[Bs, Bs], |_, a| {
        Ok(Value::Bool(
            compile(arg_bytes(a, 0))?.is_match(&Subject::of(&a[1]).text),
        ))
    });
    def(map, "regexFindAll", &[Bs, Bs, Int], |_, a| {
        Ok(find_all(
            &*must_compile(arg_bytes(a, 0))?,
            &Subject::of(&a[1]),
            arg_int(a, 2),
        ))
    });
    def(map, "mustRegexFindAll", &[Bs, Bs, Int], |_, a| {
        Ok(find_all(
            &*compile(arg_bytes(a, 0))?,
            &Subject::of(&a[1]),
            arg_int(a, 2),
        ))
    });
    let find = |re: Arc<Regex>, s: &Value| {
        let s = Subject::of(s);
        re.find(&s.text)
            .map_or_else(|| Value::from(""), |m| s.value(m.range()))
    };
    def(map, "regexFind", &[Bs, Bs], move |_, a| {
        Ok(find(must_compile(arg_bytes(a, 0))?, &a[1]))
    });
    def(map, "mustRegexFind", &[Bs, Bs], move |_, a| {
        Ok(find(compile(arg_bytes(a, 0))?, &a[1]))
    });
    def(map, "regexReplaceAll", &[Bs, Bs, Bs], |_, a| {
        let re = must_compile(arg_bytes(a, 0))?;
        Ok(expand_go(&re, &Subject::of(&a[1]), arg_bytes(a, 2)))
    });
    def(map, "mustRegexReplaceAll", &[Bs, Bs, Bs], |_, a| {
        let re = compile(arg_bytes(a, 0))?;
        Ok(expand_go(&re, &Subject::of(&a[1]), arg_bytes(a, 2)))
    });
    def(map, "regexReplaceAllLiteral", &[Bs, Bs, Bs], |_, a| {
        let re = must_compile(arg_bytes(a, 0))?;
        Ok(replace_literal(&re, &Subject::of(&a[1]), arg_bytes(a, 2)))
    });
    def(map, "mustRegexReplaceAllLiteral", &[Bs, Bs, Bs], |_, a| {
        let re = compile(arg_bytes(a, 0))?;
        Ok(replace_literal(&re, &Subject::of(&a[1]), arg_bytes(a, 2)))
    });
    def(map, "regexSplit", &[Bs, Bs, Int], |_, a| {
        let p = arg_bytes(a, 0);
        Ok(split(
            &*must_compile(p)?,
            p,
            &Subject::of(&a[1]),
            arg_int(a, 2),
        ))
    });
    def(map, "mustRegexSplit", &[Bs, Bs, Int], |_, a| {
        let p = arg_bytes(a, 0);
        Ok(split(&*compile(p)?, p, &Subject::of(&a[1]), arg_int(a, 2)))
    });
    // QuoteMeta escapes ASCII bytes and keeps every other byte.
    def(map, "regexQuoteMeta", &[Bs], |_, a| {
        Ok(Value::from_go_bytes(quote_meta(
            a[0].as_go_bytes().unwrap_or_default(),
        )))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_regexps() {
        let re = compile(br"\d+").unwrap();
        assert!(!re.is_match("٣"));
        let subject = Value::from("-ab-axxb-");
        let subject = Subject::of(&subject);
        let expand = |t: &[u8]| expand_go(&compile(b"a(x*)b").unwrap(), &subject, t);
        assert_eq!(expand(b"${1}W").as_str(), Some("-W-xxW-"));
        assert_eq!(expand(b"$1W").as_str(), Some("---"));

        assert_eq!(quote_meta(b"a.b"), br"a\.b");
    }

    #[test]
    fn compiled_patterns_are_kept_by_their_bytes() {
        let first = compile(br"^kept-[a-z]+$").unwrap();
        let again = compile(br"^kept-[a-z]+$").unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        let other = compile(br"^kept-[a-z]*$").unwrap();
        assert!(!Arc::ptr_eq(&first, &other));
        // Errors are not kept: each call reports it again.
        for _ in 0..2 {
            let err = compile(b"kept-(").err().map(|e| e.to_string());
            assert_eq!(
                err.as_deref(),
                Some("error parsing regexp: missing closing ): `kept-(`")
            );
        }
    }
}
