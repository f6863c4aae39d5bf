//! A YAML writer that lays text out as go-yaml's (libyaml's) emitter does: block collections,
//! scalar style selection from the text's content, line folding at the best width, and the
//! indentation rules of go-yaml v2 (`toYaml`) and v3 (`toYamlPretty`).
//!
//! The encoders in `write.rs` drive it with calls in document order (as libyaml's events),
//! so no tree of the document is built first.

use std::cmp::Ordering;

/// The style the encoder asks for; the emitter may pick a safer one.
#[derive(Clone, Copy, PartialEq, Debug)]
pub(crate) enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
}

/// A scalar to write: its text, the style asked for, and whether the text is one of the
/// common ones that need no analysis ([`is_neutral_ascii`]).
pub(crate) struct Scalar<'a> {
    pub(crate) text: &'a str,
    pub(crate) style: Style,
    pub(crate) neutral: bool,
}

impl<'a> Scalar<'a> {
    /// A scalar whose text has not been looked at yet.
    pub(crate) fn new(text: &'a str, style: Style) -> Scalar<'a> {
        Scalar {
            text,
            style,
            neutral: is_neutral_ascii(text),
        }
    }
}

/// The indentation around a block collection, which its end restores.
pub(crate) struct OuterIndent(i64);

/// Where a node stands, as libyaml's emitter states tell it: a sequence item, a mapping's key
/// or value, a simple (implicit) key.
#[derive(Clone, Copy)]
pub(crate) struct Context {
    seq_item: bool,
    mapping: bool,
    simple_key: bool,
}

impl Context {
    /// The document's root node.
    pub(crate) const ROOT: Context = Context {
        seq_item: false,
        mapping: false,
        simple_key: false,
    };
    const SEQ_ITEM: Context = Context {
        seq_item: true,
        mapping: false,
        simple_key: false,
    };
    const MAP_VALUE: Context = Context {
        seq_item: false,
        mapping: true,
        simple_key: false,
    };
    const SIMPLE_KEY: Context = Context {
        seq_item: false,
        mapping: true,
        simple_key: true,
    };
}

/// What the emitter learns about a scalar's text before choosing its style (libyaml also
/// works out whether it may be plain inside a flow collection; this emitter writes only empty
/// ones).
#[derive(Clone, Copy)]
struct Analysis {
    /// No space, tab or line break: written as it is, plain or in single quotes (where only
    /// its `'` are doubled).
    one_word: bool,
    multiline: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

/// Whether libyaml counts the character as printable (it only knows up to 3-byte UTF-8).
fn is_printable(c: char) -> bool {
    let u = c as u32;
    u == 0x0A
        || (0x20..=0x7E).contains(&u)
        || (0xA0..=0xD7FF).contains(&u)
        || ((0xE000..=0xFFFD).contains(&u) && u != 0xFEFF)
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank_or_end(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => c == ' ' || c == '\t' || c == '\0' || is_break(c),
    }
}

/// ASCII bytes that change nothing in a block scalar's analysis anywhere but at its start, in
/// a text without whitespace: printable, not a space, not `:` (an indicator at the end).
const NEUTRAL_INSIDE: [bool; 128] = {
    let mut table = [false; 128];
    let mut b = 0x21;
    while b < 0x7F {
        table[b] = b != b':' as usize;
        b += 1;
    }
    table
};

/// Whether the text is one of the most common scalars (`nginx`, `100m`, `app.kubernetes.io/name`):
/// ASCII, starting with a letter or digit, no whitespace, control or `:`. Such a
/// text may be written plain anywhere, in a single line.
pub(crate) fn is_neutral_ascii(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes[1..]
            .iter()
            .all(|&b| NEUTRAL_INSIDE.get(b as usize).copied().unwrap_or(false))
}

// Inlined so that the common texts' answer costs no call; the character walks are not.
#[inline]
fn analyze(scalar: &Scalar, v3: bool) -> Analysis {
    let value = scalar.text;
    if value.is_empty() {
        return Analysis {
            one_word: true,
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    if scalar.neutral {
        return Analysis {
            one_word: true,
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: true,
        };
    }
    let document_marker = value.starts_with("---") || value.starts_with("...");
    if value.is_ascii() {
        analyze_chars(value.bytes().map(char::from), document_marker, v3)
    } else {
        analyze_chars(value.chars(), document_marker, v3)
    }
}

/// libyaml's `yaml_emitter_analyze_scalar` over a non-empty text's characters.
#[inline(never)]
fn analyze_chars(
    mut chars: impl Iterator<Item = char>,
    document_marker: bool,
    v3: bool,
) -> Analysis {
    let mut block_indicators = document_marker;
    let mut line_breaks = false;
    let mut special = false;
    let mut tabs = false;
    let mut leading_space = false;
    let mut leading_break = false;
    let mut trailing_space = false;
    let mut trailing_break = false;
    let mut break_space = false;
    let mut space_break = false;
    let mut previous_space = false;
    let mut previous_break = false;
    let mut spaces = false;
    let mut preceded_by_whitespace = true;
    let mut first = true;
    let mut current = chars.next();
    while let Some(c) = current {
        let next = chars.next();
        let last = next.is_none();
        let followed_by_whitespace = matches!(next, None | Some(' ' | '\t'));
        if first {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => block_indicators = true,
                '?' | ':' | '-' if followed_by_whitespace => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_whitespace => block_indicators = true,
                '#' if preceded_by_whitespace => block_indicators = true,
                _ => {}
            }
        }
        if v3 && c == '\t' {
            tabs = true;
        } else if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            spaces = true;
            if first {
                leading_space = true;
            }
            if last {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            line_breaks = true;
            if first {
                leading_break = true;
            }
            if last {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = is_blank_or_end(Some(c));
        first = false;
        current = next;
    }
    let mut a = Analysis {
        one_word: !spaces && !line_breaks,
        multiline: line_breaks,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || tabs || special {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special {
        a.block_allowed = false;
    }
    if line_breaks {
        a.block_plain_allowed = false;
    }
    if block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

/// The number of characters (libyaml's columns) in a text.
fn char_count(text: &str) -> i64 {
    if text.is_ascii() {
        text.len() as i64
    } else {
        text.chars().count() as i64
    }
}

/// The emitter's state, as libyaml keeps it.
pub(crate) struct Emitter {
    out: String,
    v3: bool,
    best_indent: i64,
    best_width: i64,
    column: i64,
    indent: i64,
    whitespace: bool,
    indention: bool,
}

impl Emitter {
    /// An emitter for go-yaml v2 (`v3 == false`, width 80) or v3 (no folding).
    pub(crate) fn new(v3: bool, indent: usize) -> Emitter {
        let best_indent = if (2..=9).contains(&indent) {
            indent as i64
        } else {
            2
        };
        Emitter {
            out: String::with_capacity(256),
            v3,
            best_indent,
            best_width: if v3 { i64::MAX } else { 80 },
            column: 0,
            indent: -1,
            whitespace: true,
            indention: true,
        }
    }

    /// Ends the document (finishing its last line) and returns the text.
    pub(crate) fn finish(mut self) -> String {
        self.write_indent();
        self.out
    }

    /// A scalar node.
    pub(crate) fn scalar(&mut self, at: Context, scalar: &Scalar) {
        let a = analyze(scalar, self.v3);
        self.emit_scalar(at, scalar.text, scalar.style, a);
    }

    /// A scalar written with an explicit tag (go-yaml v3's `!!binary`).
    pub(crate) fn tagged_scalar(&mut self, at: Context, tag: &str, scalar: &Scalar) {
        if !self.whitespace {
            self.put(' ');
        }
        self.put_str(tag);
        self.whitespace = false;
        self.indention = false;
        self.scalar(at, scalar);
    }

    /// An empty sequence, which libyaml writes in flow style: `[]`.
    pub(crate) fn empty_seq(&mut self) {
        self.write_indicator("[", true, true, false);
        self.write_indicator("]", false, false, false);
    }

    /// An empty mapping, which libyaml writes in flow style: `{}`.
    pub(crate) fn empty_map(&mut self) {
        self.write_indicator("{", true, true, false);
        self.write_indicator("}", false, false, false);
    }

    /// Starts a non-empty block sequence; each item follows [`Emitter::seq_item`], and
    /// [`Emitter::end_collection`] ends it.
    pub(crate) fn begin_seq(&mut self, at: Context) -> OuterIndent {
        // go-yaml v2 does not indent a sequence that is a mapping's value.
        let indentless = !self.v3 && at.mapping && !self.indention;
        self.increase_indent(false, indentless, at.seq_item)
    }

    /// Writes the next item's `-` and returns the item's context.
    pub(crate) fn seq_item(&mut self) -> Context {
        self.write_indent();
        self.write_indicator("-", true, false, true);
        Context::SEQ_ITEM
    }

    /// Starts a non-empty block mapping; each pair is [`Emitter::map_key`] then its value, and
    /// [`Emitter::end_collection`] ends it.
    pub(crate) fn begin_map(&mut self, at: Context) -> OuterIndent {
        self.increase_indent(false, false, at.seq_item)
    }

    /// Writes a (scalar) key and its `:`, and returns the value's context.
    pub(crate) fn map_key(&mut self, key: &Scalar) -> Context {
        self.write_indent();
        let a = analyze(key, self.v3);
        let (text, style) = (key.text, key.style);
        // libyaml's check for a simple key: one line of at most 128 bytes.
        if !a.multiline && text.len() <= 128 {
            self.emit_scalar(Context::SIMPLE_KEY, text, style, a);
            self.write_indicator(":", false, false, false);
        } else {
            self.write_indicator("?", true, false, true);
            self.emit_scalar(Context::MAP_VALUE, text, style, a);
            self.write_indent();
            self.write_indicator(":", true, false, true);
        }
        Context::MAP_VALUE
    }

    /// Ends a block sequence or mapping.
    pub(crate) fn end_collection(&mut self, outer: OuterIndent) {
        self.indent = outer.0;
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    /// Writes text holding no line break.
    fn put_str(&mut self, s: &str) {
        self.out.push_str(s);
        self.column += char_count(s);
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
        // go-yaml v3 marks every new line as indentation here instead of in its callers.
        if self.v3 {
            self.indention = true;
        }
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0);
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        if !self.v3 {
            self.indention = true;
        }
    }

    fn write_indicator(&mut self, s: &str, need_ws: bool, is_ws: bool, is_indention: bool) {
        if need_ws && !self.whitespace {
            self.put(' ');
        }
        self.put_str(s);
        self.whitespace = is_ws;
        self.indention = self.indention && is_indention;
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool, in_seq_item: bool) -> OuterIndent {
        let outer = OuterIndent(self.indent);
        self.indent = self.inner_indent(flow, indentless, in_seq_item);
        outer
    }

    /// The indentation libyaml's `yaml_emitter_increase_indent` moves to.
    fn inner_indent(&self, flow: bool, indentless: bool, in_seq_item: bool) -> i64 {
        if self.indent < 0 {
            if flow {
                self.best_indent
            } else {
                0
            }
        } else if indentless {
            self.indent
        } else if !self.v3 {
            self.indent + self.best_indent
        } else if in_seq_item {
            self.indent + 2
        } else {
            self.best_indent * ((self.indent + self.best_indent) / self.best_indent)
        }
    }

    fn emit_scalar(&mut self, at: Context, text: &str, requested: Style, a: Analysis) {
        let mut style = requested;
        if at.simple_key && a.multiline {
            style = Style::DoubleQuoted;
        }
        // The emitter writes only block collections, so it is never inside a flow one.
        if style == Style::Plain {
            if !a.block_plain_allowed {
                style = Style::SingleQuoted;
            }
            if text.is_empty() && at.simple_key {
                style = Style::SingleQuoted;
            }
        }
        if style == Style::SingleQuoted && !a.single_quoted_allowed {
            style = Style::DoubleQuoted;
        }
        if style == Style::Literal && (!a.block_allowed || at.simple_key) {
            style = Style::DoubleQuoted;
        }
        // libyaml pushes the indentation for the scalar's lines and pops it afterwards.
        let outer = self.increase_indent(true, false, at.seq_item);
        let allow_breaks = !at.simple_key;
        match style {
            Style::Plain => self.write_plain(text, allow_breaks, a.one_word),
            Style::SingleQuoted => self.write_single(text, allow_breaks, a.one_word),
            Style::DoubleQuoted => self.write_double(text, allow_breaks),
            Style::Literal => self.write_literal(text),
        }
        self.end_collection(outer);
    }

    fn write_plain(&mut self, text: &str, allow_breaks: bool, one_word: bool) {
        if (!self.v3 || !text.is_empty()) && !self.whitespace {
            self.put(' ');
        }
        self.write_text(text, allow_breaks, false, one_word);
        if !self.v3 || !text.is_empty() {
            self.whitespace = false;
        }
        self.indention = false;
    }

    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
            if self.v3 {
                self.indention = true;
            }
        }
    }

    fn write_single(&mut self, text: &str, allow_breaks: bool, one_word: bool) {
        self.write_indicator("'", true, false, false);
        self.write_text(text, allow_breaks, true, one_word);
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    /// The body of a plain or single-quoted scalar: a space may become a line break past the
    /// best width (in single quotes not at either end), line breaks are doubled, and single
    /// quotes are doubled inside single quotes.
    #[inline]
    fn write_text(&mut self, text: &str, allow_breaks: bool, single: bool, one_word: bool) {
        // Most texts are one word with no quote to double: copied as they are.
        if one_word && !(single && text.contains('\'')) {
            if !text.is_empty() {
                self.put_str(text);
                self.indention = false;
            }
            return;
        }
        self.write_text_by_character(text, allow_breaks, single);
    }

    /// [`Emitter::write_text`] for texts with spaces, breaks or quotes to double.
    #[inline(never)]
    fn write_text_by_character(&mut self, text: &str, allow_breaks: bool, single: bool) {
        let mut spaces = false;
        let mut breaks = false;
        let mut chars = text.chars().peekable();
        let mut first = true;
        while let Some(c) = chars.next() {
            let next = chars.peek().copied();
            if c == ' ' {
                let inside = !single || (!first && next.is_some());
                if allow_breaks
                    && !spaces
                    && self.column > self.best_width
                    && inside
                    && next != Some(' ')
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                if !self.v3 {
                    self.indention = true;
                }
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if single && c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
            first = false;
        }
    }

    fn write_double(&mut self, text: &str, allow_breaks: bool) {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        self.write_indicator("\"", true, false, false);
        let starts_with_bom = text.starts_with('\u{FEFF}');
        let mut spaces = false;
        let mut chars = text.chars().peekable();
        let mut first = true;
        while let Some(c) = chars.next() {
            let next = chars.peek().copied();
            if !is_printable(c) || starts_with_bom || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                let short = match c {
                    '\0' => Some('0'),
                    '\u{7}' => Some('a'),
                    '\u{8}' => Some('b'),
                    '\t' => Some('t'),
                    '\n' => Some('n'),
                    '\u{b}' => Some('v'),
                    '\u{c}' => Some('f'),
                    '\r' => Some('r'),
                    '\u{1b}' => Some('e'),
                    '"' => Some('"'),
                    '\\' => Some('\\'),
                    '\u{85}' => Some('N'),
                    '\u{a0}' => Some('_'),
                    '\u{2028}' => Some('L'),
                    '\u{2029}' => Some('P'),
                    _ => None,
                };
                if let Some(s) = short {
                    self.put(s);
                } else {
                    let v = c as u32;
                    let (letter, width) = if v <= 0xFF {
                        ('x', 2)
                    } else if v <= 0xFFFF {
                        ('u', 4)
                    } else {
                        ('U', 8)
                    };
                    self.put(letter);
                    for k in (0..width).rev() {
                        self.put(HEX[((v >> (k * 4)) & 15) as usize] as char);
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > self.best_width
                    && !first
                    && next.is_some()
                {
                    self.write_indent();
                    if next == Some(' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
            first = false;
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_literal(&mut self, text: &str) {
        self.write_indicator("|", true, false, false);
        // Block scalar hints: an explicit indentation when the text starts with a space or a
        // break, and the chomping indicator from the trailing breaks.
        if text.chars().next().is_some_and(|c| c == ' ' || is_break(c)) {
            let hint = char::from_digit(self.best_indent as u32, 10).unwrap_or('2');
            self.write_indicator(hint.encode_utf8(&mut [0; 4]), false, false, false);
        }
        let mut tail = text.chars().rev();
        let chomp = match (tail.next(), tail.next()) {
            (None, _) => Some("-"),
            (Some(last), _) if !is_break(last) => Some("-"),
            (Some(_), None) => Some("+"),
            (Some(_), Some(before)) if is_break(before) => Some("+"),
            _ => None,
        };
        if let Some(indicator) = chomp {
            self.write_indicator(indicator, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for c in text.chars() {
            if is_break(c) {
                self.write_break(c);
                if !self.v3 {
                    self.indention = true;
                }
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

/// go-yaml's ordering of map keys: letters before other characters, runs of digits compared
/// as numbers (`a2` before `a10`). `v3` adds its rule for a letter right after digits.
/// Different keys are never equal.
pub(crate) fn key_order(a: &str, b: &str, v3: bool) -> Ordering {
    if a == b {
        Ordering::Equal
    } else if key_less(a, b, v3) {
        Ordering::Less
    } else {
        Ordering::Greater
    }
}

/// Whether go-yaml counts the character as a letter: Go's `unicode.IsLetter`, the general
/// category L. (Rust's `is_alphabetic` also takes marks such as Devanagari vowel signs, and
/// letter numbers such as `Ⅻ`.)
fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else {
        in_category(c, GoCategory::Letter)
    }
}

/// Whether go-yaml counts the character as a digit: Go's `unicode.IsDigit`, the general
/// category Nd. (Rust's `is_numeric` also takes `²`, `½` and `Ⅻ`.)
fn is_digit(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_digit()
    } else {
        in_category(c, GoCategory::DecimalNumber)
    }
}

/// The Unicode general categories Go's `unicode` package is asked about.
#[derive(Clone, Copy)]
enum GoCategory {
    Letter,
    DecimalNumber,
}

/// Whether a character is in the category, from regex-syntax's Unicode tables (read once, only
/// for keys with other than ASCII characters).
fn in_category(c: char, category: GoCategory) -> bool {
    use std::sync::OnceLock;
    type Ranges = Vec<(char, char)>;
    static TABLES: OnceLock<[Ranges; 2]> = OnceLock::new();
    let tables = TABLES.get_or_init(|| [category_ranges("L"), category_ranges("Nd")]);
    let ranges = &tables[category as usize];
    let at = ranges.partition_point(|&(_, end)| end < c);
    ranges.get(at).is_some_and(|&(start, _)| start <= c)
}

/// The character ranges of a Unicode general category, sorted (empty if the class could not
/// be read, which only a regex-syntax built without its tables would do).
fn category_ranges(name: &str) -> Vec<(char, char)> {
    use regex_syntax::hir::{Class, HirKind};
    let Ok(hir) = regex_syntax::Parser::new().parse(&format!(r"\p{{{name}}}")) else {
        return Vec::new();
    };
    match hir.kind() {
        HirKind::Class(Class::Unicode(class)) => class
            .ranges()
            .iter()
            .map(|r| (r.start(), r.end()))
            .collect(),
        _ => Vec::new(),
    }
}

/// go-yaml's `keyList.Less` for two string keys, which compares them rune by rune; the texts
/// are read in place.
pub(crate) fn key_less(a: &str, b: &str, v3: bool) -> bool {
    // Both texts agree up to the first differing byte; the runes compared start at the
    // character boundary at or before it.
    let Some(mut at) = a.bytes().zip(b.bytes()).position(|(x, y)| x != y) else {
        return a.len() < b.len();
    };
    while !a.is_char_boundary(at) {
        at -= 1;
    }
    let (prefix, a_rest, b_rest) = (&a[..at], &a[at..], &b[at..]);
    let (Some(ac), Some(bc)) = (a_rest.chars().next(), b_rest.chars().next()) else {
        return a.len() < b.len();
    };
    let al = is_letter(ac);
    let bl = is_letter(bc);
    if al && bl {
        return ac < bc;
    }
    if al || bl {
        // go-yaml v3: after a digit, a letter comes first (`1a` before `1_`).
        let after_digit = v3 && prefix.chars().next_back().is_some_and(is_digit);
        return if after_digit { al } else { bl };
    }
    let mut an: i64 = 0;
    let mut bn: i64 = 0;
    if ac == '0' || bc == '0' {
        // A zero inside a number that started with another digit does not count as leading.
        for c in prefix.chars().rev().take_while(|&c| is_digit(c)) {
            if c != '0' {
                an = 1;
                bn = 1;
                break;
            }
        }
    }
    let mut a_digits = 0;
    for c in a_rest.chars().take_while(|&c| is_digit(c)) {
        an = an.wrapping_mul(10).wrapping_add(c as i64 - '0' as i64);
        a_digits += 1;
    }
    let mut b_digits = 0;
    for c in b_rest.chars().take_while(|&c| is_digit(c)) {
        bn = bn.wrapping_mul(10).wrapping_add(c as i64 - '0' as i64);
        b_digits += 1;
    }
    if an != bn {
        return an < bn;
    }
    if a_digits != b_digits {
        return a_digits < b_digits;
    }
    ac < bc
}
