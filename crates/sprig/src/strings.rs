//! Sprig's string functions. Several of Sprig's helpers (from goutils) walk strings byte by byte
//! and slice them at byte offsets; those quirks are kept, and a cut through a UTF-8 sequence
//! gives a Go string of the broken bytes ([`Value::ByteString`]), as in Go.
//!
//! The functions declared with [`ArgType::ByteString`] parameters work on any Go string's bytes;
//! the others handle UTF-8 text only, and the engine refuses other strings for them by name.

use helmet_value::gostring::runes;
use helmet_value::{ArgType, ElemType, FuncError, FuncMap, Map, Value};

use crate::{arg_bytes, arg_int, arg_str, def, def_var, try_strval, try_strval_go};

use ArgType::{Any, ByteString as Bs, Int, String as Str};

/// A Go string of these bytes.
fn go_string(b: impl AsRef<[u8]>) -> Value {
    Value::from_go_bytes(b)
}

/// The first offset of `needle` in `hay` (Go's `strings.Index` on bytes).
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The bytes between the first and after the last rune that `trim` does not match, runes read
/// as Go reads them (an invalid byte is U+FFFD).
fn trim_runes(b: &[u8], trim: impl Fn(char) -> bool) -> &[u8] {
    let mut start = b.len();
    let mut end = 0;
    for (at, c, width) in runes(b) {
        if !trim(c) {
            start = start.min(at);
            end = at + width;
        }
    }
    if start >= end {
        return &[];
    }
    &b[start..end]
}

/// Go's `strings.Replace(src, old, new, -1)` on bytes; an empty `old` matches before each rune
/// and at the end.
fn replace_bytes(src: &[u8], old: &[u8], new: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(src.len());
    if old.is_empty() {
        for (at, _, width) in runes(src) {
            out.extend_from_slice(new);
            out.extend_from_slice(&src[at..at + width]);
        }
        out.extend_from_slice(new);
        return out;
    }
    let mut rest = src;
    while let Some(i) = find(rest, old) {
        out.extend_from_slice(&rest[..i]);
        out.extend_from_slice(new);
        rest = &rest[i + old.len()..];
    }
    out.extend_from_slice(rest);
    out
}

/// Go's `strings.SplitN` on bytes (`n < 0`: all pieces; `n == 0`: none); an empty separator
/// splits into runes, each invalid byte on its own.
fn go_split_bytes(s: &[u8], sep: &[u8], n: i64) -> Vec<Vec<u8>> {
    if n == 0 {
        return Vec::new();
    }
    let limit = if n < 0 { usize::MAX } else { n as usize };
    let mut out = Vec::new();
    if sep.is_empty() {
        for (at, _, width) in runes(s) {
            if out.len() + 1 == limit {
                out.push(s[at..].to_vec());
                return out;
            }
            out.push(s[at..at + width].to_vec());
        }
        return out;
    }
    let mut rest = s;
    while out.len() + 1 < limit {
        match find(rest, sep) {
            Some(i) => {
                out.push(rest[..i].to_vec());
                rest = &rest[i + sep.len()..];
            }
            None => break,
        }
    }
    out.push(rest.to_vec());
    out
}

/// A Go string as functions that map it rune by rune read it: text as it is, and each byte of
/// a string that is not UTF-8 as U+FFFD.
fn rune_text(v: &Value) -> std::borrow::Cow<'_, str> {
    match v.as_str() {
        Some(text) => text.into(),
        None => helmet_value::gostring::to_text_lossy(v.as_go_bytes().unwrap_or_default()).into(),
    }
}

/// Whether a Go string argument is not UTF-8 text, so the byte-wise form must run.
fn is_bytes(v: &Value) -> bool {
    matches!(v, Value::ByteString(_))
}

/// Go's `unicode.ToUpper` for one rune (simple mapping: no expansion such as `ß` to `SS`).
pub(crate) fn upper_rune(c: char) -> char {
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// Go's `unicode.ToLower` for one rune.
pub(crate) fn lower_rune(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// Go's `unicode.IsSpace`.
fn is_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0b}' | '\u{0c}' | '\r' | ' ' | '\u{85}' | '\u{a0}'
    ) || (c as u32 > 0xff && c.is_whitespace())
}

/// `strings.Title`'s word separator test.
fn is_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    if c.is_alphabetic() || c.is_numeric() {
        return false;
    }
    is_space(c)
}

/// Go's `unicode.ToTitle`: the upper case, except for the Latin digraphs, whose title case is
/// their own letter (`ǆ` becomes `ǅ`, not `Ǆ`).
fn title_rune(c: char) -> char {
    match c {
        '\u{01C4}'..='\u{01C6}' => '\u{01C5}',
        '\u{01C7}'..='\u{01C9}' => '\u{01C8}',
        '\u{01CA}'..='\u{01CC}' => '\u{01CB}',
        '\u{01F1}'..='\u{01F3}' => '\u{01F2}',
        _ => upper_rune(c),
    }
}

/// Go's `strings.Title`.
pub(crate) fn title(s: &str) -> String {
    let mut prev = ' ';
    s.chars()
        .map(|c| {
            let out = if is_separator(prev) { title_rune(c) } else { c };
            prev = c;
            out
        })
        .collect()
}

/// goutils' `Uncapitalize`: the first letter of each space-separated word in lower case.
fn untitle(s: &str) -> String {
    let mut next = true;
    s.chars()
        .map(|c| {
            if is_space(c) {
                next = true;
                c
            } else if next {
                next = false;
                lower_rune(c)
            } else {
                c
            }
        })
        .collect()
}

/// goutils' byte-wise walk: each byte becomes the rune of the same number.
fn byte_runes(s: &[u8]) -> impl Iterator<Item = char> + '_ {
    s.iter().copied().map(char::from)
}

/// goutils' `Initials`.
fn initials(s: &[u8]) -> String {
    let mut gap = true;
    let mut out = String::new();
    for c in byte_runes(s) {
        if is_space(c) {
            gap = true;
        } else if gap {
            out.push(c);
            gap = false;
        }
    }
    out
}

/// goutils' `DeleteWhiteSpace`.
fn nospace(s: &[u8]) -> Value {
    // goutils gives the string back as it is when no byte is white space; otherwise it
    // writes each remaining byte as the rune of its number.
    if !byte_runes(s).any(is_space) {
        return go_string(s);
    }
    Value::from(byte_runes(s).filter(|c| !is_space(*c)).collect::<String>())
}

/// goutils' `SwapCase`.
fn swapcase(s: &str) -> String {
    // Go's categories: Rust's `is_uppercase`/`is_lowercase` also take letter-like symbols
    // (Ⓐ, Ⅳ) that Go leaves alone.
    s.chars()
        .map(|c| {
            if go_class(c, GoClass::Upper) || go_class(c, GoClass::Title) {
                lower_rune(c)
            } else if go_class(c, GoClass::Lower) {
                upper_rune(c)
            } else {
                c
            }
        })
        .collect()
}

/// xstrings' `ToCamelCase`: connectors (`_`, `-`, white space) end words and are dropped,
/// except leading ones, runs of them (all but the last are kept) and a trailing one; each word
/// is capitalised. A word that starts with a capital has the capitals right after it lowered
/// (`HTTPServer` is `Httpserver`); other letters keep their case (found against Helm).
pub(crate) fn camelcase(s: &str) -> String {
    let is_upper = |c: char| go_class(c, GoClass::Upper);
    let mut chars = s.chars();
    let mut out = String::new();
    let mut r0 = None;
    // Whether the current word started with a capital and only capitals have followed.
    let mut capital_run = false;
    for c in chars.by_ref() {
        if !is_connector(c) {
            capital_run = is_upper(c);
            r0 = Some(upper_rune(c));
            break;
        }
        out.push(c);
    }
    let Some(mut r0) = r0 else {
        // Only connectors: xstrings writes the last one a second time.
        if let Some(last) = s.chars().last() {
            out.push(last);
        }
        return out;
    };
    for c in chars {
        let r1 = r0;
        r0 = c;
        if is_connector(r0) && is_connector(r1) {
            out.push(r1);
            continue;
        }
        if is_connector(r1) {
            capital_run = is_upper(r0);
            r0 = upper_rune(r0);
        } else {
            if capital_run && is_upper(r0) {
                r0 = lower_rune(r0);
            } else {
                capital_run = false;
            }
            out.push(r1);
        }
    }
    out.push(r0);
    out
}

/// The Unicode classes xstrings asks Go's `unicode` package about.
#[derive(Clone, Copy)]
enum GoClass {
    /// `unicode.IsUpper` (category Lu; Rust's `is_uppercase` also takes Other_Uppercase).
    Upper,
    /// `unicode.IsLetter` (category L; Rust's `is_alphabetic` also takes marks and Nl).
    Letter,
    /// `unicode.IsNumber` (category N).
    Number,
    /// `unicode.IsPunct` (category P), which Rust's standard library lacks.
    Punct,
    /// `unicode.IsLower` (category Ll; Rust's `is_lowercase` also takes Other_Lowercase).
    Lower,
    /// `unicode.IsTitle` (category Lt).
    Title,
}

fn go_class(c: char, class: GoClass) -> bool {
    use std::sync::OnceLock;
    static CLASSES: OnceLock<Option<[regex::Regex; 6]>> = OnceLock::new();
    if c.is_ascii() {
        return match class {
            GoClass::Upper => c.is_ascii_uppercase(),
            GoClass::Letter => c.is_ascii_alphabetic(),
            GoClass::Number => c.is_ascii_digit(),
            GoClass::Punct => c.is_ascii_punctuation() && !"$+<=>^`|~".contains(c),
            GoClass::Lower => c.is_ascii_lowercase(),
            GoClass::Title => false,
        };
    }
    let classes = CLASSES.get_or_init(|| {
        let class = |p: &str| regex::Regex::new(&format!(r"\A\p{{{p}}}\z")).ok();
        Some([
            class("Lu")?,
            class("L")?,
            class("N")?,
            class("P")?,
            class("Ll")?,
            class("Lt")?,
        ])
    });
    let Some(classes) = classes else {
        return false;
    };
    let mut buf = [0; 4];
    classes[class as usize].is_match(c.encode_utf8(&mut buf))
}

/// The kinds of word xstrings splits a string into for `ToSnakeCase` and `ToKebabCase`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum WordKind {
    /// Nothing but bytes that are not UTF-8 (or U+FFFD), or the end of the string.
    Invalid,
    Number,
    /// Starts with a capital: `Name`, `HTTP` (not the capital that starts the next word).
    Upper,
    /// Lower-case letters (not CJK ideographs).
    Alphabet,
    /// `-`, `_` and spaces.
    Connector,
    Punct,
    Other,
}

/// xstrings' letter test: a letter that is not a CJK ideograph.
fn is_word_letter(c: char) -> bool {
    go_class(c, GoClass::Letter)
        && !matches!(c, '\u{4E00}'..='\u{9FCC}' | '\u{3400}'..='\u{4D85}' | '\u{20000}'..='\u{2B81D}')
}

fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || is_space(c)
}

/// The next rune that is not U+FFFD, with the width of everything up to its end; bytes that
/// are not UTF-8 decode as U+FFFD and are stepped over. At the end, `prev` with the width
/// stepped over.
fn next_valid_rune(b: &[u8], prev: char) -> (char, usize) {
    let mut size = 0;
    for (_, c, width) in runes(b) {
        size += width;
        if c != helmet_value::gostring::RUNE_ERROR {
            return (c, size);
        }
    }
    (prev, size)
}

/// The next word of `b` and its length in bytes.
fn next_word(b: &[u8]) -> (WordKind, usize) {
    if b.is_empty() {
        return (WordKind::Invalid, 0);
    }
    let (mut r, size) = next_valid_rune(b, helmet_value::gostring::RUNE_ERROR);
    let mut len = size;
    if r == helmet_value::gostring::RUNE_ERROR {
        return (WordKind::Invalid, len);
    }
    // Extends the word while `keep` holds for the next valid rune; gives the rune that
    // stopped it and the width of the last one taken.
    let extend = |len: &mut usize, r: &mut char, keep: &dyn Fn(char) -> bool| {
        let mut last = 0;
        while *len < b.len() {
            let (next, size) = next_valid_rune(&b[*len..], *r);
            *r = next;
            if !keep(next) {
                break;
            }
            last = size;
            *len += size;
        }
        last
    };
    let lower_letter = |c: char| is_word_letter(c) && !go_class(c, GoClass::Upper);
    let kind = if is_connector(r) {
        extend(&mut len, &mut r, &is_connector);
        WordKind::Connector
    } else if go_class(r, GoClass::Punct) {
        extend(&mut len, &mut r, &|c| go_class(c, GoClass::Punct));
        WordKind::Punct
    } else if go_class(r, GoClass::Upper) {
        if len < b.len() {
            let (second, size) = next_valid_rune(&b[len..], r);
            r = second;
            if go_class(second, GoClass::Upper) {
                len += size;
                let last = extend(&mut len, &mut r, &|c| go_class(c, GoClass::Upper));
                // `HTTPStatus`: the capital before a letter starts the next word.
                if len < b.len() && is_word_letter(r) {
                    len -= if last == 0 { size } else { last };
                }
            } else if is_word_letter(second) {
                len += size;
                extend(&mut len, &mut r, &lower_letter);
            }
        }
        WordKind::Upper
    } else if is_word_letter(r) {
        extend(&mut len, &mut r, &lower_letter);
        WordKind::Alphabet
    } else if go_class(r, GoClass::Number) {
        extend(&mut len, &mut r, &|c| go_class(c, GoClass::Number));
        WordKind::Number
    } else {
        extend(&mut len, &mut r, &|c| {
            !(is_connector(c)
                || is_word_letter(c)
                || go_class(c, GoClass::Number)
                || go_class(c, GoClass::Punct))
        });
        WordKind::Other
    };
    (kind, len)
}

/// Writes a word: capitals and connector words rune by rune (capitals lowered, connectors as
/// `connector`, a byte that is not UTF-8 as U+FFFD), other words byte for byte.
fn push_lowered(out: &mut Vec<u8>, kind: WordKind, word: &[u8], connector: char) {
    if kind != WordKind::Upper && kind != WordKind::Connector {
        out.extend_from_slice(word);
        return;
    }
    let mut buf = [0; 4];
    for (_, c, _) in runes(word) {
        let c = if is_connector(c) {
            connector
        } else if go_class(c, GoClass::Upper) {
            lower_rune(c)
        } else {
            c
        };
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }
}

/// xstrings' `ToSnakeCase` / `ToKebabCase` on a Go string: words split at case changes,
/// connectors (`-`, `_`, spaces) and punctuation, joined lower-case with `connector`; numbers
/// stick to the word before them unless lower-case letters follow (`Bld4Floor3rd` is
/// `bld4_floor_3rd`, `HTTP2xx` is `http_2xx`).
pub(crate) fn delimited_lower(s: &[u8], connector: char) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() + 4);
    let mut buf = [0; 4];
    let connector_bytes = connector.encode_utf8(&mut buf).as_bytes().to_vec();
    let (mut kind, len) = next_word(s);
    let (mut word, mut rest) = s.split_at(len);
    fn advance<'a>(kind: &mut WordKind, word: &mut &'a [u8], rest: &mut &'a [u8]) {
        let (k, len) = next_word(rest);
        *kind = k;
        (*word, *rest) = rest.split_at(len);
    }
    let letters_or_number = |k: WordKind| k == WordKind::Alphabet || k == WordKind::Number;
    while !rest.is_empty() {
        if kind != WordKind::Connector {
            push_lowered(&mut out, kind, word, connector);
        }
        let (prev, last) = (kind, word);
        advance(&mut kind, &mut word, &mut rest);
        match prev {
            WordKind::Number => {
                while letters_or_number(kind) {
                    push_lowered(&mut out, kind, word, connector);
                    advance(&mut kind, &mut word, &mut rest);
                }
                if !matches!(
                    kind,
                    WordKind::Invalid | WordKind::Punct | WordKind::Connector
                ) {
                    out.extend_from_slice(&connector_bytes);
                }
            }
            WordKind::Connector => push_lowered(&mut out, prev, last, connector),
            WordKind::Punct => {}
            _ if kind != WordKind::Number => {
                if !matches!(kind, WordKind::Connector | WordKind::Punct) {
                    out.extend_from_slice(&connector_bytes);
                }
            }
            _ if rest.is_empty() => {}
            _ => {
                let number = word;
                advance(&mut kind, &mut word, &mut rest);
                if kind != WordKind::Alphabet {
                    // A number followed by no lower-case letters stays with the word before.
                    push_lowered(&mut out, WordKind::Number, number, connector);
                    if !matches!(kind, WordKind::Connector | WordKind::Punct) {
                        out.extend_from_slice(&connector_bytes);
                    }
                    continue;
                }
                out.extend_from_slice(&connector_bytes);
                push_lowered(&mut out, WordKind::Number, number, connector);
                while letters_or_number(kind) {
                    push_lowered(&mut out, kind, word, connector);
                    advance(&mut kind, &mut word, &mut rest);
                }
                if !matches!(
                    kind,
                    WordKind::Invalid | WordKind::Connector | WordKind::Punct
                ) {
                    out.extend_from_slice(&connector_bytes);
                }
            }
        }
    }
    push_lowered(&mut out, kind, word, connector);
    out
}

/// goutils' `AbbreviateFull` (byte offsets). Its own errors give `""`, as Sprig ignores them.
fn abbreviate_full(b: &[u8], offset: i64, width: i64) -> Vec<u8> {
    let len = b.len() as i64;
    if b.is_empty() || width < 4 {
        return Vec::new();
    }
    if len <= width {
        return b.to_vec();
    }
    let mut offset = offset.min(len);
    if len - offset < width - 3 {
        offset = len - (width - 3);
    }
    if offset <= 4 {
        return [&b[..(width - 3) as usize], b"..."].concat();
    }
    if width < 7 {
        return Vec::new();
    }
    if offset + width - 3 < len {
        let inner = abbreviate_full(&b[offset as usize..], 0, width - 3);
        return [b"...".as_slice(), &inner].concat();
    }
    [b"...".as_slice(), &b[(len - (width - 3)) as usize..]].concat()
}

/// goutils' `WrapCustom` (byte offsets, breaking at ASCII spaces).
fn wrap_custom(b: &[u8], width: i64, newline: &str, long_words: bool) -> Vec<u8> {
    if b.is_empty() {
        return Vec::new();
    }
    let newline = if newline.is_empty() { "\n" } else { newline };
    let width = width.max(1) as usize;
    let len = b.len();
    let mut offset = 0usize;
    let mut out: Vec<u8> = Vec::new();
    while len - offset > width {
        if b[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = width + offset + 1;
        let space = b[offset..end].iter().rposition(|&c| c == b' ');
        if let Some(sp) = space {
            out.extend_from_slice(&b[offset..offset + sp]);
            out.extend_from_slice(newline.as_bytes());
            offset += sp + 1;
        } else if long_words {
            out.extend_from_slice(&b[offset..offset + width]);
            out.extend_from_slice(newline.as_bytes());
            offset += width;
        } else {
            let end = width + offset;
            match b[end..].iter().position(|&c| c == b' ') {
                None => {
                    out.extend_from_slice(&b[offset..]);
                    offset = len;
                }
                Some(i) => {
                    out.extend_from_slice(&b[offset..end + i]);
                    out.extend_from_slice(newline.as_bytes());
                    offset = end + i + 1;
                }
            }
        }
    }
    out.extend_from_slice(&b[offset..]);
    out
}

/// Go's runtime error for a string slice expression `s[lo:hi]` out of range.
fn slice_error(lo: Option<i64>, hi: i64, len: usize) -> FuncError {
    let len = len as i64;
    let msg = match lo {
        _ if hi > len || hi < 0 => format!("slice bounds out of range [:{hi}] with length {len}"),
        Some(l) => format!("slice bounds out of range [{l}:{hi}]"),
        None => format!("slice bounds out of range [:{hi}]"),
    };
    FuncError::new(format!("runtime error: {msg}"))
}

/// Go's `s[lo:hi]` on bytes.
fn byte_slice(s: &[u8], lo: i64, hi: i64) -> Result<Vec<u8>, FuncError> {
    let len = s.len();
    if hi < 0 || hi as usize > len {
        return Err(slice_error(Some(lo), hi, len));
    }
    if lo < 0 || lo > hi {
        return Err(slice_error(Some(lo), hi, len));
    }
    Ok(s[lo as usize..hi as usize].to_vec())
}

/// Sprig's `substr`.
fn substr(start: i64, end: i64, s: &[u8]) -> Result<Vec<u8>, FuncError> {
    let len = s.len() as i64;
    if start < 0 {
        if end < 0 || end > len {
            return Err(slice_error(None, end, s.len()));
        }
        return byte_slice(s, 0, end);
    }
    if end < 0 || end > len {
        return byte_slice(s, start, len);
    }
    byte_slice(s, start, end)
}

/// Sprig's `trunc`.
fn trunc(c: i64, s: &[u8]) -> &[u8] {
    let len = s.len() as i64;
    if c < 0 && len + c > 0 {
        return &s[(len + c) as usize..];
    }
    if c >= 0 && len > c {
        return &s[..c as usize];
    }
    s
}

/// Go's `strings.Trim(s, cutset)`.
fn trim_set<'a>(s: &'a str, set: &str) -> &'a str {
    s.trim_matches(|c| set.contains(c))
}

/// Go's `strings.SplitN` (`n < 0`: all pieces; `n == 0`: none).
pub(crate) fn go_split(s: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if sep.is_empty() {
        let chars: Vec<String> = s.chars().map(String::from).collect();
        if n < 0 || chars.len() <= n as usize {
            return chars;
        }
        let n = n as usize;
        let mut out: Vec<String> = chars[..n - 1].to_vec();
        let head: usize = out.iter().map(String::len).sum();
        out.push(s[head..].to_string());
        return out;
    }
    if n < 0 {
        return s.split(sep).map(String::from).collect();
    }
    s.splitn(n as usize, sep).map(String::from).collect()
}

/// Sprig's `strslice`: a list's non-nil items as strings, a lone value as a one-item list.
/// Fails on what [`try_strval`] cannot print (a map that holds itself).
pub(crate) fn strslice(v: &Value) -> Result<Vec<String>, FuncError> {
    match v {
        Value::List(l) => l
            .items
            .iter()
            .filter(|x| !x.is_nil())
            .map(try_strval)
            .collect(),
        Value::Bytes(b) => Ok(b.iter().map(|x| x.to_string()).collect()),
        Value::Nil => Ok(Vec::new()),
        // A named slice type (`common.VersionSet`) is a slice to reflection.
        Value::Object(o) => match o.go_shape() {
            Some(helmet_value::GoShape::Underlying(under @ Value::List(_))) => strslice(&under),
            _ => Ok(vec![try_strval(v)?]),
        },
        _ => Ok(vec![try_strval(v)?]),
    }
}

/// Whether a value or the items of a list include a Go string that is not UTF-8.
fn holds_bytes(v: &Value) -> bool {
    match v {
        Value::List(l) => l.items.iter().any(is_bytes),
        v => is_bytes(v),
    }
}

/// [`strslice`] for lists that hold Go strings that are not UTF-8: the items as Go strings.
fn strslice_go(v: &Value) -> Result<Vec<Value>, FuncError> {
    match v {
        Value::List(l) => l
            .items
            .iter()
            .filter(|x| !x.is_nil())
            .map(|x| try_strval_go(x).map(go_string))
            .collect(),
        v => Ok(vec![go_string(try_strval_go(v)?)]),
    }
}

fn string_list(items: Vec<String>) -> Value {
    Value::typed_list(
        ElemType::String,
        items.into_iter().map(Value::from).collect(),
    )
}

fn indexed_map(parts: Vec<String>) -> Value {
    indexed_map_of(parts.into_iter().map(Value::from).collect())
}

fn indexed_map_of(parts: Vec<Value>) -> Value {
    let entries: Map = parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| (format!("_{i}"), p))
        .collect();
    Value::typed_map(ElemType::String, entries)
}

/// The pieces of a split of Go strings that are not all text.
fn split_values(s: &[u8], sep: &[u8], n: i64) -> Vec<Value> {
    go_split_bytes(s, sep, n)
        .into_iter()
        .map(go_string)
        .collect()
}

/// The most bytes a string function builds, so a template cannot exhaust memory.
const MAX_OUTPUT: usize = 1 << 30;

fn repeat(count: i64, s: &str) -> Result<String, FuncError> {
    if count < 0 {
        return Err(FuncError::new("strings: negative Repeat count"));
    }
    if (count as u128) * (s.len() as u128) > MAX_OUTPUT as u128 {
        return Err(FuncError::new("strings: Repeat output length overflow"));
    }
    Ok(s.repeat(count as usize))
}

/// Sprig's `indent` (after a newline for `nindent`): `spaces` blanks before every line of `s`,
/// built in one buffer of the final size.
#[cfg(test)]
fn indent(spaces: i64, s: &str, newline_first: bool) -> Result<String, FuncError> {
    let mut out = String::new();
    indent_into(&mut out, spaces, s, newline_first)?;
    Ok(out)
}

/// `indent`/`nindent` of `s` as a Go string. The text is built in a buffer the thread keeps and
/// copied once into the string (building a `String` and converting it copied it twice).
fn indent_value(spaces: i64, s: &str, newline_first: bool) -> Result<Value, FuncError> {
    thread_local! {
        static BUFFER: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
    }
    /// Buffers larger than this are not kept.
    const KEPT: usize = 64 * 1024;
    let mut out = BUFFER.try_with(|b| b.take()).unwrap_or_default();
    out.clear();
    let result =
        indent_into(&mut out, spaces, s, newline_first).map(|()| Value::from(out.as_str()));
    if out.capacity() <= KEPT {
        let _ = BUFFER.try_with(|b| b.set(out));
    }
    result
}

/// Appends `s` with `spaces` blanks before each line (and a newline first) to `out`.
fn indent_into(
    out: &mut String,
    spaces: i64,
    s: &str,
    newline_first: bool,
) -> Result<(), FuncError> {
    // Most pads are a slice of these; longer ones are built (and checked) by `repeat`.
    const BLANKS: &str = "                                                                ";
    let built;
    let pad = match usize::try_from(spaces) {
        Ok(n) if n <= BLANKS.len() => &BLANKS[..n],
        _ => {
            built = repeat(spaces, " ")?;
            built.as_str()
        }
    };
    let lines = count_newlines(s.as_bytes()) + 1;
    let size = lines
        .saturating_mul(pad.len())
        .saturating_add(s.len())
        .saturating_add(usize::from(newline_first));
    out.reserve(size.min(MAX_OUTPUT));
    if newline_first {
        out.push('\n');
    }
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', s.as_bytes()) {
        out.push_str(pad);
        // Cut at a newline byte, so on character boundaries.
        out.push_str(s.get(start..=end).unwrap_or_default());
        start = end + 1;
    }
    out.push_str(pad);
    out.push_str(s.get(start..).unwrap_or_default());
    Ok(())
}

/// How many `\n` bytes `bytes` holds (memchr counts many bytes at a time).
fn count_newlines(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}

fn shuffle(s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    for i in (1..chars.len()).rev() {
        let j = fastrand::usize(..=i);
        chars.swap(i, j);
    }
    chars.into_iter().collect()
}

pub(crate) fn register(map: &mut FuncMap) {
    def(map, "hello", &[], |_, _| Ok(Value::from("Hello!")));
    def(map, "trim", &[Bs], |_, a| {
        Ok(match a[0].as_str() {
            Some(s) => Value::from(s.trim_matches(is_space)),
            None => go_string(trim_runes(arg_bytes(a, 0), is_space)),
        })
    });
    // strings.ToUpper and ToLower map rune by rune: each invalid byte becomes U+FFFD.
    def(map, "upper", &[Bs], |_, a| {
        let text = rune_text(&a[0]);
        Ok(Value::from(
            text.chars().map(upper_rune).collect::<String>(),
        ))
    });
    def(map, "lower", &[Bs], |_, a| {
        let text = rune_text(&a[0]);
        Ok(Value::from(
            text.chars().map(lower_rune).collect::<String>(),
        ))
    });
    // These map rune by rune in Go (each invalid byte becomes U+FFFD)...
    let runewise = |f: fn(&str) -> String| {
        move |_: &dyn helmet_value::CallContext, a: &[Value]| {
            let text = rune_text(&a[0]);
            Ok(Value::from(f(&text)))
        }
    };
    def(map, "title", &[Bs], runewise(title));
    def(map, "untitle", &[Bs], runewise(untitle));
    def(map, "swapcase", &[Bs], runewise(swapcase));
    def(map, "camelcase", &[Bs], runewise(camelcase));
    def(map, "shuffle", &[Bs], runewise(shuffle));
    // ...these walk bytes, each byte as the rune of the same number.
    def(map, "initials", &[Bs], |_, a| {
        Ok(Value::from(initials(arg_bytes(a, 0))))
    });
    def(map, "nospace", &[Bs], |_, a| Ok(nospace(arg_bytes(a, 0))));
    def(map, "snakecase", &[Bs], |_, a| {
        Ok(go_string(delimited_lower(arg_bytes(a, 0), '_')))
    });
    def(map, "kebabcase", &[Bs], |_, a| {
        Ok(go_string(delimited_lower(arg_bytes(a, 0), '-')))
    });

    for name in ["trimAll", "trimall"] {
        def(map, name, &[Str, Bs], |_, a| {
            Ok(match a[1].as_str() {
                Some(s) => Value::from(trim_set(s, arg_str(a, 0))),
                None => {
                    let set = arg_str(a, 0);
                    go_string(trim_runes(arg_bytes(a, 1), |c| set.contains(c)))
                }
            })
        });
    }
    def(map, "trimPrefix", &[Bs, Bs], |_, a| {
        let s = arg_bytes(a, 1);
        Ok(match s.strip_prefix(arg_bytes(a, 0)) {
            Some(rest) => go_string(rest),
            None => a[1].clone(),
        })
    });
    def(map, "trimSuffix", &[Bs, Bs], |_, a| {
        let s = arg_bytes(a, 1);
        Ok(match s.strip_suffix(arg_bytes(a, 0)) {
            Some(rest) => go_string(rest),
            None => a[1].clone(),
        })
    });
    def(map, "substr", &[Int, Int, Bs], |_, a| {
        substr(arg_int(a, 0), arg_int(a, 1), arg_bytes(a, 2)).map(go_string)
    });
    def(map, "trunc", &[Int, Bs], |_, a| {
        let s = arg_bytes(a, 1);
        let kept = trunc(arg_int(a, 0), s);
        // A text already short enough is the same string.
        if kept.len() == s.len() && matches!(a[1], Value::String(_)) {
            return Ok(a[1].clone());
        }
        Ok(go_string(kept))
    });
    def(map, "abbrev", &[Int, Bs], |_, a| {
        let w = arg_int(a, 0);
        if w < 4 {
            return Ok(a[1].clone());
        }
        Ok(go_string(abbreviate_full(arg_bytes(a, 1), 0, w)))
    });
    def(map, "abbrevboth", &[Int, Int, Bs], |_, a| {
        let (l, r) = (arg_int(a, 0), arg_int(a, 1));
        if r < 4 || l > 0 && r < 7 {
            return Ok(a[2].clone());
        }
        Ok(go_string(abbreviate_full(arg_bytes(a, 2), l, r)))
    });
    def(map, "repeat", &[Int, Bs], |_, a| match a[1].as_str() {
        Some(s) => repeat(arg_int(a, 0), s).map(Value::from),
        None => {
            let (count, s) = (arg_int(a, 0), arg_bytes(a, 1));
            if count < 0 {
                return Err(FuncError::new("strings: negative Repeat count"));
            }
            if (count as u128) * (s.len() as u128) > MAX_OUTPUT as u128 {
                return Err(FuncError::new("strings: Repeat output length overflow"));
            }
            Ok(go_string(s.repeat(count as usize)))
        }
    });
    def(map, "replace", &[Bs, Bs, Bs], |_, a| {
        let (old, new, src) = (arg_bytes(a, 0), arg_bytes(a, 1), arg_bytes(a, 2));
        if old.is_empty() && (helmet_value::gostring::rune_count(src) + 1) * new.len() > MAX_OUTPUT
        {
            return Err(FuncError::new("strings: Replace output length overflow"));
        }
        if let (Some(old), Some(new), Some(src)) = (a[0].as_str(), a[1].as_str(), a[2].as_str()) {
            // Nothing to replace: the same string, without copying it twice.
            if !src.contains(old) {
                return Ok(a[2].clone());
            }
            return Ok(Value::from(src.replace(old, new)));
        }
        Ok(go_string(replace_bytes(src, old, new)))
    });
    def(map, "plural", &[Bs, Bs, Int], |_, a| {
        Ok(if arg_int(a, 2) == 1 {
            a[0].clone()
        } else {
            a[1].clone()
        })
    });
    def(map, "wrap", &[Int, Bs], |_, a| {
        Ok(go_string(wrap_custom(
            arg_bytes(a, 1),
            arg_int(a, 0),
            "",
            false,
        )))
    });
    def(map, "wrapWith", &[Int, Str, Bs], |_, a| {
        Ok(go_string(wrap_custom(
            arg_bytes(a, 2),
            arg_int(a, 0),
            arg_str(a, 1),
            true,
        )))
    });
    def(map, "contains", &[Bs, Bs], |_, a| {
        if let (Some(needle), Some(hay)) = (a[0].as_str(), a[1].as_str()) {
            return Ok(Value::Bool(hay.contains(needle)));
        }
        Ok(Value::Bool(
            find(arg_bytes(a, 1), arg_bytes(a, 0)).is_some(),
        ))
    });
    def(map, "hasPrefix", &[Bs, Bs], |_, a| {
        Ok(Value::Bool(arg_bytes(a, 1).starts_with(arg_bytes(a, 0))))
    });
    def(map, "hasSuffix", &[Bs, Bs], |_, a| {
        Ok(Value::Bool(arg_bytes(a, 1).ends_with(arg_bytes(a, 0))))
    });
    def_var(map, "quote", &[], Any, |_, a| {
        // One string, the usual call, needs no list of parts.
        if let [Value::String(s)] = a {
            return Ok(Value::from(helmet_value::strconv::quote(s)));
        }
        let parts: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| match v {
                // strconv.Quote writes the bytes that are not UTF-8 as \x escapes.
                Value::ByteString(b) | Value::Bytes(b) => Ok(helmet_value::strconv::quote_bytes(b)),
                Value::String(s) => Ok(helmet_value::strconv::quote(s)),
                _ => try_strval_go(v).map(|s| helmet_value::strconv::quote_bytes(&s)),
            })
            .collect::<Result<_, _>>()?;
        Ok(Value::from(parts.join(" ")))
    });
    def_var(map, "squote", &[], Any, |_, a| {
        let parts: Vec<Vec<u8>> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| try_strval_go(v).map(|s| [b"'".as_slice(), &s, b"'"].concat()))
            .collect::<Result<_, _>>()?;
        Ok(go_string(parts.join(b" ".as_slice())))
    });
    def_var(map, "cat", &[], Any, |_, a| {
        let parts: Vec<Value> = a.iter().filter(|v| !v.is_nil()).cloned().collect();
        let format = vec!["%v"; parts.len()].join(" ");
        // The bytes of strings that are not UTF-8 print as they are, in lists too; what else
        // the fallible printer refuses prints as the infallible one approximates it.
        match helmet_value::fmt::try_sprintf_go(&format, &parts) {
            Ok(printed) => Ok(printed),
            Err(_) => Ok(Value::from(helmet_value::fmt::sprintf(&format, &parts))),
        }
    });
    def(map, "indent", &[Int, Bs], |_, a| match a[1].as_str() {
        Some(s) => indent_value(arg_int(a, 0), s, false),
        None => {
            let pad = repeat(arg_int(a, 0), " ")?;
            let body = replace_bytes(arg_bytes(a, 1), b"\n", format!("\n{pad}").as_bytes());
            Ok(go_string([pad.as_bytes(), &body].concat()))
        }
    });
    def(map, "nindent", &[Int, Bs], |_, a| match a[1].as_str() {
        Some(s) => indent_value(arg_int(a, 0), s, true),
        None => {
            let pad = repeat(arg_int(a, 0), " ")?;
            let body = replace_bytes(arg_bytes(a, 1), b"\n", format!("\n{pad}").as_bytes());
            Ok(go_string([b"\n", pad.as_bytes(), &body].concat()))
        }
    });
    def(map, "split", &[Bs, Bs], |_, a| {
        if let (Some(sep), Some(s)) = (a[0].as_str(), a[1].as_str()) {
            return Ok(indexed_map(go_split(s, sep, -1)));
        }
        Ok(indexed_map_of(split_values(
            arg_bytes(a, 1),
            arg_bytes(a, 0),
            -1,
        )))
    });
    def(map, "splitn", &[Bs, Int, Bs], |_, a| {
        if let (Some(sep), Some(s)) = (a[0].as_str(), a[2].as_str()) {
            return Ok(indexed_map(go_split(s, sep, arg_int(a, 1))));
        }
        Ok(indexed_map_of(split_values(
            arg_bytes(a, 2),
            arg_bytes(a, 0),
            arg_int(a, 1),
        )))
    });
    def(map, "splitList", &[Bs, Bs], |_, a| {
        if let (Some(sep), Some(s)) = (a[0].as_str(), a[1].as_str()) {
            return Ok(string_list(go_split(s, sep, -1)));
        }
        Ok(Value::typed_list(
            ElemType::String,
            split_values(arg_bytes(a, 1), arg_bytes(a, 0), -1),
        ))
    });
    def(map, "join", &[Bs, Any], |_, a| {
        let items_are_text = match &a[1] {
            Value::List(l) => !l.items.iter().any(is_bytes),
            v => !is_bytes(v),
        };
        if let (Some(sep), true) = (a[0].as_str(), items_are_text) {
            return Ok(Value::from(strslice(&a[1])?.join(sep)));
        }
        let items: Vec<Vec<u8>> = match &a[1] {
            Value::List(l) => l
                .items
                .iter()
                .filter(|x| !x.is_nil())
                .map(try_strval_go)
                .collect::<Result<_, _>>()?,
            v => vec![try_strval_go(v)?],
        };
        Ok(go_string(items.join(arg_bytes(a, 0))))
    });
    def(map, "toString", &[Any], |_, a| match &a[0] {
        Value::String(_) | Value::ByteString(_) => Ok(a[0].clone()),
        Value::Bytes(b) => Ok(go_string(b)),
        // Printed with %v: a list that holds bytes that are not UTF-8 prints them.
        v => helmet_value::fmt::try_sprint_go(std::slice::from_ref(v)).map_err(FuncError::new),
    });
    def(map, "toStrings", &[Any], |_, a| {
        if holds_bytes(&a[0]) {
            return Ok(Value::typed_list(ElemType::String, strslice_go(&a[0])?));
        }
        Ok(string_list(strslice(&a[0])?))
    });
    def(map, "sortAlpha", &[Any], |_, a| {
        if holds_bytes(&a[0]) {
            let mut items = strslice_go(&a[0])?;
            items.sort_by(|x, y| x.as_go_bytes().cmp(&y.as_go_bytes()));
            return Ok(Value::typed_list(ElemType::String, items));
        }
        let mut items = match &a[0] {
            Value::List(_) | Value::Bytes(_) => strslice(&a[0])?,
            Value::Object(o) if o.kind_name() == "slice" => strslice(&a[0])?,
            v => vec![try_strval(v)?],
        };
        items.sort();
        Ok(string_list(items))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_conversions() {
        assert_eq!(delimited_lower(b"HTTPServer", '_'), b"http_server");
        assert_eq!(delimited_lower(b"FirstName", '_'), b"first_name");
        assert_eq!(delimited_lower(b"NoHTTPS", '_'), b"no_https");
        assert_eq!(delimited_lower(b"GO_PATH", '_'), b"go_path");
        assert_eq!(delimited_lower(b"GO PATH", '_'), b"go_path");
        assert_eq!(camelcase("http_server"), "HttpServer");
        assert_eq!(camelcase("_a"), "_A");
        assert_eq!(camelcase("a__b"), "A_B");
        assert_eq!(title("hello wOrld-x"), "Hello WOrld-X");
        assert_eq!(untitle("Hello World"), "hello world");
        assert_eq!(initials(b"First Try"), "FT");
        assert_eq!(nospace(b" a b\tc ").as_str(), Some("abc"));
        assert_eq!(swapcase("aBc"), "AbC");
    }

    #[test]
    fn newlines_counted_by_words_as_by_bytes() {
        // Every byte value next to newlines, at every offset within a word and across words.
        let mut texts: Vec<Vec<u8>> =
            vec![Vec::new(), b"\n".to_vec(), b"\n\n\n\n\n\n\n\n\n".to_vec()];
        for b in 0..=255u8 {
            for at in 0..17 {
                let mut text = vec![b; 19];
                text[at] = b'\n';
                texts.push(text.clone());
                text[(at + 1) % 19] = b'\n';
                texts.push(text);
            }
        }
        for text in &texts {
            let expected = text.iter().filter(|&&b| b == b'\n').count();
            assert_eq!(count_newlines(text), expected, "{text:?}");
        }
    }

    #[test]
    fn indent_pads_each_line() {
        assert_eq!(indent(2, "a\nb", false).unwrap(), "  a\n  b");
        // The thread's buffer is reused from one call to the next.
        for (text, spaces) in [("é\n\nü", 3), ("", 0), ("x\n", 1), ("long\nlines\n", 70)] {
            for newline_first in [false, true] {
                let value = indent_value(spaces, text, newline_first).unwrap();
                let pad = " ".repeat(spaces as usize);
                let lines: Vec<String> = text.split('\n').map(|l| format!("{pad}{l}")).collect();
                let expected = format!(
                    "{}{}",
                    if newline_first { "\n" } else { "" },
                    lines.join("\n")
                );
                assert_eq!(value.as_str(), Some(expected.as_str()), "{text:?} {spaces}");
            }
        }
        assert_eq!(indent(1, "", true).unwrap(), "\n ");
        assert_eq!(indent(0, "x\n", false).unwrap(), "x\n");
        let long = indent(70, "a", false).unwrap();
        assert_eq!(long, format!("{}a", " ".repeat(70)));
        assert!(indent(-1, "a", false).is_err());
    }

    #[test]
    fn shuffle_keeps_the_characters() {
        for text in ["", "a", "hello wörld", "日本語テキスト"] {
            for _ in 0..50 {
                let mut got: Vec<char> = shuffle(text).chars().collect();
                let mut want: Vec<char> = text.chars().collect();
                got.sort_unstable();
                want.sort_unstable();
                assert_eq!(got, want);
            }
        }
    }

    #[test]
    fn cutting() {
        assert_eq!(abbreviate_full(b"hello world", 0, 5), b"he...");
        assert_eq!(trunc(5, b"hello world"), b"hello");
        assert_eq!(trunc(-5, b"hello world"), b"world");
        assert_eq!(trunc(2, "日本".as_bytes()), b"\xe6\x97");
        assert_eq!(substr(0, 5, b"hello world").unwrap(), b"hello");
        assert!(substr(3, 2, b"hello").is_err());
        assert_eq!(
            wrap_custom(b"hello world again", 5, "", false),
            b"hello\nworld\nagain"
        );
        assert_eq!(replace_bytes(b"a\xffb", b"", b"-"), b"-a-\xff-b-");
        assert_eq!(
            go_split_bytes(b"a\xff,b", b",", -1),
            vec![b"a\xff".to_vec(), b"b".to_vec()]
        );
        assert_eq!(
            go_split_bytes(b"\xffab", b"", 2),
            vec![b"\xff".to_vec(), b"ab".to_vec()]
        );
        assert_eq!(trim_runes(b" \xff \n", |c| c == ' ' || c == '\n'), b"\xff");
    }
}
