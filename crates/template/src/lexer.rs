//! The lexer: splits template text into items, as Go's `text/template/parse` lexer does.
//!
//! Trim markers (`{{- ` and ` -}}`) and comments are handled here, so the parser never sees the
//! whitespace they remove. The whole input is lexed up front; a lexing error becomes the last
//! item, which is what the parser would meet at that point in Go's lazy lexer.

/// The kind of a lexed item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    /// A lexing error; the item's text is the message.
    Error,
    /// `true` or `false`
    Bool,
    /// A printable ASCII character inside an action (`,` for instance).
    Char,
    /// A character constant such as `'a'`.
    CharConstant,
    /// A complex constant such as `1+2i`.
    Complex,
    /// `=`
    Assign,
    /// `:=`
    Declare,
    /// End of input.
    Eof,
    /// A field name such as `.Values`.
    Field,
    /// A function name.
    Identifier,
    /// The left delimiter.
    LeftDelim,
    /// `(`
    LeftParen,
    /// A number.
    Number,
    /// `|`
    Pipe,
    /// A raw string such as `` `x` ``.
    RawString,
    /// The right delimiter.
    RightDelim,
    /// `)`
    RightParen,
    /// A run of spaces inside an action.
    Space,
    /// A quoted string.
    String,
    /// Plain text outside actions.
    Text,
    /// A variable such as `$x`.
    Variable,
    /// `block`
    Block,
    /// `break`
    Break,
    /// `continue`
    Continue,
    /// `.`
    Dot,
    /// `define`
    Define,
    /// `else`
    Else,
    /// `end`
    End,
    /// `if`
    If,
    /// `nil`
    Nil,
    /// `range`
    Range,
    /// `template`
    Template,
    /// `with`
    With,
}

impl ItemKind {
    fn is_keyword(self) -> bool {
        matches!(
            self,
            ItemKind::Block
                | ItemKind::Break
                | ItemKind::Continue
                | ItemKind::Dot
                | ItemKind::Define
                | ItemKind::Else
                | ItemKind::End
                | ItemKind::If
                | ItemKind::Nil
                | ItemKind::Range
                | ItemKind::Template
                | ItemKind::With
        )
    }
}

/// A lexed item: its kind, byte offset and length. Items are small and hold no reference to
/// the input (their text is [`Item::text`] of it), so lexing copies no strings and a thread can
/// keep one item buffer for every template it parses; lines are worked out from offsets only
/// when an error needs one ([`line_at`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Item {
    /// The kind.
    pub kind: ItemKind,
    /// Byte offset in the input.
    pub pos: usize,
    /// Length of the text in bytes (0 for errors: their message is [`Lexed::error`]).
    pub len: u32,
}

impl Item {
    /// Offset just past the item's text.
    #[inline]
    pub fn end(&self) -> usize {
        self.pos + self.len as usize
    }

    /// The item's text in `input` (the text it was lexed from).
    #[inline]
    pub fn text<'a>(&self, input: &'a str) -> &'a str {
        input.get(self.pos..self.end()).unwrap_or("")
    }

    /// Go's `item.String`, used in parse error messages (errors print their message instead,
    /// which the item does not hold).
    pub fn describe(&self, input: &str) -> String {
        self.describe_marked(input, false)
    }

    /// [`Item::describe`] in an input that holds stand-ins for bytes that are not UTF-8 when
    /// `raw_bytes` (see [`crate::raw_bytes`]): Go quotes each such byte as `\xNN`.
    pub fn describe_marked(&self, input: &str, raw_bytes: bool) -> String {
        let val = self.text(input);
        let quote = |s: &str| {
            if raw_bytes {
                crate::raw_bytes::go_quote(s)
            } else {
                go_quote(s)
            }
        };
        let bytes = if raw_bytes {
            crate::raw_bytes::byte_len(val)
        } else {
            val.len()
        };
        match self.kind {
            ItemKind::Eof => "EOF".to_string(),
            ItemKind::Error => val.to_string(),
            k if k.is_keyword() => format!("<{val}>"),
            // Go's `%.10q...` past ten bytes: the first ten characters.
            _ if bytes > 10 => {
                let head: String = val.chars().take(10).collect();
                format!("{}...", quote(&head))
            }
            _ => quote(val),
        }
    }
}

/// What lexing an input gives: its items, the message of the error that ended it early (the
/// last item is then an [`ItemKind::Error`]) and how deeply its items nest.
#[derive(Debug)]
pub struct Lexed {
    /// The items in order.
    pub items: Vec<Item>,
    /// The lexing error's message, if lexing stopped at one.
    pub error: Option<String>,
    /// An upper bound of the nesting the parser will recurse through (see [`Summary::nest`]).
    pub nest: usize,
}

/// What [`lex_into`] tells besides the items.
#[derive(Debug)]
pub struct Summary {
    /// The lexing error's message, if lexing stopped at one.
    pub error: Option<String>,
    /// An upper bound of the nesting the parser will recurse through: parentheses, and control
    /// structures counted from their keywords (`else if` adds levels without an `end`, so this
    /// may overestimate, never underestimate).
    pub nest: usize,
}

/// The 1-based line of byte offset `pos` of `input`: the line an item starting there is on.
pub fn line_at(input: &str, pos: usize) -> usize {
    let end = pos.min(input.len());
    1 + input.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// Go's `%q` of a string (strconv.Quote).
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if is_go_printable(c) => out.push(c),
            c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// An approximation of Go's `strconv.IsPrint`: graphic characters and the ASCII space.
fn is_go_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() {
        return false;
    }
    let u = c as u32;
    // Unicode spaces other than U+0020, format characters and private use are not printable.
    !(matches!(u, 0x00a0 | 0x1680 | 0x2000..=0x200f | 0x2028..=0x202f | 0x205f..=0x206f | 0x3000 | 0xfeff | 0xfff9..=0xfffb)
        || (0xe000..=0xf8ff).contains(&u)
        || u >= 0xf0000)
}

/// `hay` starts with `prefix`, compared bytewise in place: delimiters are a few bytes, for which
/// the library comparison's call to `memcmp` cost more than the comparison (it ran before
/// nearly every item).
#[inline]
fn has_prefix(hay: &[u8], prefix: &[u8]) -> bool {
    hay.len() >= prefix.len() && hay.iter().zip(prefix).all(|(a, b)| a == b)
}

/// Which bytes are ASCII letters, digits or `_`.
const ASCII_WORD: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'_';
        b += 1;
    }
    table
};

/// The bytes a quoted constant's scan stops at: the quotes, the escape and a line break.
const QUOTED_SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    table[b'"' as usize] = true;
    table[b'\'' as usize] = true;
    table[b'\\' as usize] = true;
    table[b'\n' as usize] = true;
    table
};

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    c.is_alphabetic() || c.is_numeric()
}

/// Go's `%#U` of a rune: `U+0023 '#'`.
pub fn go_rune_u(c: char) -> String {
    if is_go_printable(c) {
        format!("U+{:04X} '{}'", c as u32, c)
    } else {
        format!("U+{:04X}", c as u32)
    }
}

struct Lexer<'a, 'v> {
    input: &'a str,
    left: &'a str,
    right: &'a str,
    pos: usize,
    start: usize,
    paren_depth: i32,
    items: &'v mut Vec<Item>,
    error: Option<String>,
    break_ok: bool,
    continue_ok: bool,
    raw_bytes: bool,
    /// Open parentheses and control structures, and the most seen at once.
    parens: usize,
    controls: usize,
    nest: usize,
}

/// Options of the lexer that depend on the function map.
pub struct LexOptions {
    /// `break` is a keyword (not shadowed by a function named `break`).
    pub break_ok: bool,
    /// `continue` is a keyword.
    pub continue_ok: bool,
    /// The input holds stand-ins for bytes that are not UTF-8 (see [`crate::raw_bytes`]):
    /// errors name each as U+FFFD.
    pub raw_bytes: bool,
}

/// Lexes the whole input with the given delimiters.
pub fn lex(input: &str, left: &str, right: &str, opts: LexOptions) -> Lexed {
    let mut items = Vec::new();
    let summary = lex_into(input, left, right, opts, &mut items);
    Lexed {
        items,
        error: summary.error,
        nest: summary.nest,
    }
}

/// Lexes the whole input with the given delimiters into `items` (emptied first), so a caller
/// can keep one buffer for many inputs.
pub fn lex_into(
    input: &str,
    left: &str,
    right: &str,
    opts: LexOptions,
    items: &mut Vec<Item>,
) -> Summary {
    items.clear();
    if u32::try_from(input.len()).is_err() {
        // Items keep 32-bit lengths.
        items.push(Item {
            kind: ItemKind::Error,
            pos: 0,
            len: 0,
        });
        return Summary {
            error: Some("templates of 4 GiB or more are not supported by helmet".into()),
            nest: 0,
        };
    }
    // Charts' templates hold about one item per five or six bytes: room for one per four
    // means no regrowth.
    items.reserve(input.len() / 4 + 8);
    let mut l = Lexer {
        input,
        left: if left.is_empty() { "{{" } else { left },
        right: if right.is_empty() { "}}" } else { right },
        pos: 0,
        start: 0,
        paren_depth: 0,
        items,
        error: None,
        break_ok: opts.break_ok,
        continue_ok: opts.continue_ok,
        raw_bytes: opts.raw_bytes,
        parens: 0,
        controls: 0,
        nest: 0,
    };
    l.run();
    Summary {
        error: l.error,
        nest: l.nest,
    }
}

enum State {
    Text,
    LeftDelim,
    Comment,
    RightDelim,
    Inside,
    Done,
}

impl<'a> Lexer<'a, '_> {
    #[inline]
    fn emit(&mut self, kind: ItemKind) {
        self.items.push(Item {
            kind,
            pos: self.start,
            // The input's length fits 32 bits (checked in `lex_into`).
            len: (self.pos - self.start) as u32,
        });
        self.start = self.pos;
    }

    fn error(&mut self, msg: String) -> State {
        self.items.push(Item {
            kind: ItemKind::Error,
            pos: self.start,
            len: 0,
        });
        self.error = Some(msg);
        State::Done
    }

    fn rest(&self) -> &'a str {
        self.input.get(self.pos..).unwrap_or_default()
    }

    fn rest_bytes(&self) -> &'a [u8] {
        self.input.as_bytes().get(self.pos..).unwrap_or_default()
    }

    /// The character at the current position.
    fn peek(&self) -> Option<char> {
        let b = *self.input.as_bytes().get(self.pos)?;
        if b.is_ascii() {
            return Some(b as char);
        }
        self.rest().chars().next()
    }

    /// Moves past the alphanumeric characters at the current position.
    #[inline]
    fn skip_alnum(&mut self) {
        // One table look-up per byte: identifiers and fields are most of an action's bytes.
        let bytes = self.input.as_bytes();
        let mut i = self.pos;
        while i < bytes.len() && ASCII_WORD[usize::from(bytes[i])] {
            i += 1;
        }
        self.pos = i;
        if bytes.get(i).is_some_and(|b| !b.is_ascii()) {
            while let Some(c) = self.peek().filter(|&c| is_alnum(c)) {
                self.pos += c.len_utf8();
            }
        }
    }

    fn accept(&mut self, valid: &str) -> bool {
        match self.peek() {
            Some(c) if valid.contains(c) => {
                self.pos += c.len_utf8();
                true
            }
            _ => false,
        }
    }

    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    fn run(&mut self) {
        let mut state = State::Text;
        loop {
            state = match state {
                State::Text => self.lex_text(),
                State::LeftDelim => self.lex_left_delim(),
                State::Comment => self.lex_comment(),
                State::RightDelim => self.lex_right_delim(),
                State::Inside => self.lex_inside(),
                State::Done => break,
            };
        }
    }

    fn has_left_trim(s: &[u8]) -> bool {
        s.len() >= 2 && s[0] == b'-' && is_space(s[1])
    }

    /// Whether the right delimiter (with a trim marker before it: the second answer) starts at
    /// the current position.
    #[inline]
    fn at_right_delim(&self) -> (bool, bool) {
        let rest = self.rest_bytes();
        let right = self.right.as_bytes();
        if rest.len() >= 2 && is_space(rest[0]) && rest[1] == b'-' && has_prefix(&rest[2..], right)
        {
            return (true, true);
        }
        (has_prefix(rest, right), false)
    }

    /// Where the next left delimiter starts in the rest of the input: a scan for its first
    /// byte, then a comparison of the rest of it. Most texts between actions are a line break
    /// and an indent, shorter than the library search's set-up: it takes over only after them.
    fn find_left_delim(&self) -> Option<usize> {
        let rest = self.rest_bytes();
        let left = self.left.as_bytes();
        let first = *left.first()?;
        let mut at = 0;
        loop {
            let short = rest.len().min(at + 32);
            while at < short && rest[at] != first {
                at += 1;
            }
            if at == short {
                at += rest.get(at..)?.iter().position(|&b| b == first)?;
            }
            if has_prefix(&rest[at..], left) {
                return Some(at);
            }
            at += 1;
        }
    }

    fn lex_text(&mut self) -> State {
        if let Some(x) = self.find_left_delim() {
            if x > 0 {
                self.pos += x;
                let delim_end = self.pos + self.left.len();
                let bytes = self.input.as_bytes();
                let mut trim = 0;
                if Self::has_left_trim(bytes.get(delim_end..).unwrap_or_default()) {
                    let text = bytes.get(self.start..self.pos).unwrap_or_default();
                    trim = text.iter().rev().take_while(|&&b| is_space(b)).count();
                }
                self.pos -= trim;
                if self.pos > self.start {
                    self.emit(ItemKind::Text);
                }
                self.pos += trim;
                self.start = self.pos;
            }
            return State::LeftDelim;
        }
        self.pos = self.input.len();
        if self.pos > self.start {
            self.emit(ItemKind::Text);
        }
        self.emit(ItemKind::Eof);
        State::Done
    }

    fn lex_left_delim(&mut self) -> State {
        self.pos += self.left.len();
        let trim = Self::has_left_trim(self.rest_bytes());
        let after = if trim { 2 } else { 0 };
        if has_prefix(self.rest_bytes().get(after..).unwrap_or_default(), b"/*") {
            self.pos += after;
            self.start = self.pos;
            return State::Comment;
        }
        self.emit(ItemKind::LeftDelim);
        self.pos += after;
        self.start = self.pos;
        self.paren_depth = 0;
        State::Inside
    }

    fn lex_comment(&mut self) -> State {
        self.pos += 2;
        let Some(x) = find_comment_end(self.rest()) else {
            return self.error("unclosed comment".into());
        };
        self.pos += x + 2;
        let (delim, trim) = self.at_right_delim();
        if !delim {
            return self.error("comment ends before closing delimiter".into());
        }
        if trim {
            self.pos += 2;
        }
        self.pos += self.right.len();
        if trim {
            self.skip_spaces();
        }
        self.start = self.pos;
        State::Text
    }

    fn skip_spaces(&mut self) {
        self.pos += self
            .rest_bytes()
            .iter()
            .take_while(|&&b| is_space(b))
            .count();
    }

    fn lex_right_delim(&mut self) -> State {
        let (_, trim) = self.at_right_delim();
        if trim {
            self.pos += 2;
            self.start = self.pos;
        }
        self.pos += self.right.len();
        self.emit(ItemKind::RightDelim);
        if trim {
            self.skip_spaces();
            self.start = self.pos;
        }
        State::Text
    }

    /// Notes an item that opens (`up`) or closes a level of nesting.
    #[inline]
    fn nesting(&mut self, paren: bool, up: bool) {
        let count = if paren {
            &mut self.parens
        } else {
            &mut self.controls
        };
        *count = if up {
            *count + 1
        } else {
            count.saturating_sub(1)
        };
        self.nest = self.nest.max(self.parens + self.controls);
    }

    /// Lexes the items of an action up to its right delimiter.
    fn lex_inside(&mut self) -> State {
        let right_first = self.right.as_bytes().first().copied();
        loop {
            let Some(&b) = self.input.as_bytes().get(self.pos) else {
                return self.error("unclosed action".into());
            };
            // Most items start with neither a space nor the delimiter's first byte.
            if (Some(b) == right_first || is_space(b)) && self.at_right_delim().0 {
                if self.paren_depth == 0 {
                    return State::RightDelim;
                }
                return self.error("unclosed left paren".into());
            }
            let next = match b {
                b' ' | b'\t' | b'\r' | b'\n' => self.lex_space(),
                b'=' => self.emit_char(ItemKind::Assign),
                b':' => {
                    if self.input.as_bytes().get(self.pos + 1) != Some(&b'=') {
                        return self.error("expected :=".into());
                    }
                    self.pos += 2;
                    self.emit(ItemKind::Declare);
                    State::Inside
                }
                b'|' => self.emit_char(ItemKind::Pipe),
                b'"' => {
                    self.pos += 1;
                    self.lex_quote()
                }
                b'`' => {
                    self.pos += 1;
                    self.lex_raw_quote()
                }
                b'$' => {
                    self.pos += 1;
                    self.lex_field_or_variable(ItemKind::Variable)
                }
                b'\'' => {
                    self.pos += 1;
                    self.lex_char()
                }
                b'.' => match self.input.as_bytes().get(self.pos + 1) {
                    // `.field` (and `.` alone); `.5` is a number.
                    Some(&c) if !c.is_ascii_digit() => {
                        self.pos += 1;
                        self.lex_field_or_variable(ItemKind::Field)
                    }
                    _ => self.lex_number(),
                },
                b'+' | b'-' | b'0'..=b'9' => self.lex_number(),
                b'(' => {
                    self.paren_depth += 1;
                    self.nesting(true, true);
                    self.emit_char(ItemKind::LeftParen)
                }
                b')' => {
                    self.paren_depth -= 1;
                    if self.paren_depth < 0 {
                        return self.error("unexpected right paren".into());
                    }
                    self.nesting(true, false);
                    self.emit_char(ItemKind::RightParen)
                }
                b'a'..=b'z' | b'A'..=b'Z' | b'_' => self.lex_identifier(),
                b if b.is_ascii() && !b.is_ascii_control() => self.emit_char(ItemKind::Char),
                _ => match self.peek() {
                    Some(c) if is_alnum(c) => self.lex_identifier(),
                    Some(c) => {
                        return self.error(format!(
                            "unrecognized character in action: {}",
                            go_rune_u(self.rune(c))
                        ))
                    }
                    None => return self.error("unclosed action".into()),
                },
            };
            if !matches!(next, State::Inside) {
                return next;
            }
        }
    }

    /// Emits the one-byte item at the current position.
    #[inline]
    fn emit_char(&mut self, kind: ItemKind) -> State {
        self.pos += 1;
        self.emit(kind);
        State::Inside
    }

    fn lex_space(&mut self) -> State {
        let n = self
            .rest_bytes()
            .iter()
            .take_while(|&&b| is_space(b))
            .count();
        self.pos += n;
        // A trim marker's space belongs to the right delimiter.
        let before = self
            .input
            .as_bytes()
            .get(self.pos - 1..)
            .unwrap_or_default();
        if before.len() >= 2 && before[1] == b'-' && has_prefix(&before[2..], self.right.as_bytes())
        {
            self.pos -= 1;
            if n == 1 {
                return State::Inside;
            }
        }
        self.emit(ItemKind::Space);
        State::Inside
    }

    #[inline]
    fn at_terminator(&self) -> bool {
        let rest = self.rest_bytes();
        match rest.first() {
            None => true,
            Some(&b) if is_space(b) => true,
            Some(b'.' | b',' | b'|' | b':' | b')' | b'(') => true,
            _ => has_prefix(rest, self.right.as_bytes()),
        }
    }

    /// The error for a word ended by a character that cannot end it.
    fn bad_character(&mut self) -> State {
        let c = self.peek().map(|c| self.rune(c));
        self.error(format!("bad character {}", rune_or_eof(c)))
    }

    /// A character of the input as Go decodes it (U+FFFD for a stand-in of a byte).
    fn rune(&self, c: char) -> char {
        if self.raw_bytes {
            crate::raw_bytes::as_rune(c)
        } else {
            c
        }
    }

    fn lex_field_or_variable(&mut self, kind: ItemKind) -> State {
        if self.at_terminator() {
            self.emit(if kind == ItemKind::Variable {
                ItemKind::Variable
            } else {
                ItemKind::Dot
            });
            return State::Inside;
        }
        self.skip_alnum();
        if !self.at_terminator() {
            return self.bad_character();
        }
        self.emit(kind);
        State::Inside
    }

    fn lex_identifier(&mut self) -> State {
        self.skip_alnum();
        if !self.at_terminator() {
            return self.bad_character();
        }
        let word = self.input.get(self.start..self.pos).unwrap_or_default();
        let kind = match word {
            "block" => ItemKind::Block,
            "break" if self.break_ok => ItemKind::Break,
            "continue" if self.continue_ok => ItemKind::Continue,
            "define" => ItemKind::Define,
            "else" => ItemKind::Else,
            "end" => ItemKind::End,
            "if" => ItemKind::If,
            "range" => ItemKind::Range,
            "nil" => ItemKind::Nil,
            "template" => ItemKind::Template,
            "with" => ItemKind::With,
            "true" | "false" => ItemKind::Bool,
            _ => ItemKind::Identifier,
        };
        match kind {
            ItemKind::If
            | ItemKind::Range
            | ItemKind::With
            | ItemKind::Block
            | ItemKind::Define => self.nesting(false, true),
            ItemKind::End => self.nesting(false, false),
            _ => {}
        }
        self.emit(kind);
        State::Inside
    }

    /// Moves past the rest of a quoted constant, its closing `quote` included; false when a
    /// newline or the end of input comes first. A backslash escapes the byte after it (the
    /// special bytes are ASCII, so stepping through a multi-byte character bytewise is safe).
    fn skip_quoted(&mut self, quote: u8) -> bool {
        let bytes = self.input.as_bytes();
        let mut i = self.pos;
        loop {
            // Most bytes of a quoted constant neither end nor escape it.
            while bytes
                .get(i)
                .is_some_and(|&b| !QUOTED_SPECIAL[usize::from(b)])
            {
                i += 1;
            }
            match bytes.get(i) {
                None | Some(b'\n') => return false,
                Some(b'\\') => match bytes.get(i + 1) {
                    None | Some(b'\n') => return false,
                    _ => i += 2,
                },
                Some(&b) if b == quote => {
                    self.pos = i + 1;
                    return true;
                }
                _ => i += 1,
            }
        }
    }

    fn lex_quote(&mut self) -> State {
        if !self.skip_quoted(b'"') {
            return self.error("unterminated quoted string".into());
        }
        self.emit(ItemKind::String);
        State::Inside
    }

    fn lex_raw_quote(&mut self) -> State {
        let Some(x) = self.rest().find('`') else {
            return self.error("unterminated raw quoted string".into());
        };
        self.pos += x + 1;
        self.emit(ItemKind::RawString);
        State::Inside
    }

    fn lex_char(&mut self) -> State {
        if !self.skip_quoted(b'\'') {
            return self.error("unterminated character constant".into());
        }
        self.emit(ItemKind::CharConstant);
        State::Inside
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if let Some(c) = self.peek() {
            if is_alnum(c) {
                self.pos += c.len_utf8();
                return false;
            }
        }
        true
    }

    fn lex_number(&mut self) -> State {
        if !self.scan_number() {
            let text = go_quote(&self.input[self.start..self.pos]);
            return self.error(format!("bad number syntax: {text}"));
        }
        if let Some('+' | '-') = self.peek() {
            if !self.scan_number() || !self.input[..self.pos].ends_with('i') {
                let text = go_quote(&self.input[self.start..self.pos]);
                return self.error(format!("bad number syntax: {text}"));
            }
            self.emit(ItemKind::Complex);
            return State::Inside;
        }
        self.emit(ItemKind::Number);
        State::Inside
    }
}

/// Where `*/` first starts in `text`: a search for each `*` (comments hold few), then a look
/// at the byte after it, is cheaper than the library's substring search set-up.
fn find_comment_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 0;
    loop {
        let at = from + text.get(from..)?.find('*')?;
        if bytes.get(at + 1) == Some(&b'/') {
            return Some(at);
        }
        from = at + 1;
    }
}

fn rune_or_eof(c: Option<char>) -> String {
    match c {
        Some(c) => go_rune_u(c),
        // Go prints its eof sentinel (-1) this way.
        None => "U+FFFFFFFFFFFFFFFF".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(ItemKind, String)> {
        let lexed = lex(
            src,
            "{{",
            "}}",
            LexOptions {
                break_ok: true,
                continue_ok: true,
                raw_bytes: false,
            },
        );
        let error = lexed.error.unwrap_or_default();
        lexed
            .items
            .into_iter()
            .map(|i| match i.kind {
                ItemKind::Error => (i.kind, error.clone()),
                _ => (i.kind, i.text(src).to_string()),
            })
            .collect()
    }

    #[test]
    fn text_and_action() {
        let k = kinds("a {{ .X | f 1 }} b");
        let ks: Vec<ItemKind> = k.iter().map(|x| x.0).collect();
        assert_eq!(
            ks,
            vec![
                ItemKind::Text,
                ItemKind::LeftDelim,
                ItemKind::Space,
                ItemKind::Field,
                ItemKind::Space,
                ItemKind::Pipe,
                ItemKind::Space,
                ItemKind::Identifier,
                ItemKind::Space,
                ItemKind::Number,
                ItemKind::Space,
                ItemKind::RightDelim,
                ItemKind::Text,
                ItemKind::Eof
            ]
        );
    }

    #[test]
    fn trim_markers() {
        let k = kinds("a  \n{{- 3 -}}\n  b");
        assert_eq!(k[0], (ItemKind::Text, "a".to_string()));
        assert_eq!(k[2], (ItemKind::Number, "3".to_string()));
        assert_eq!(k[4], (ItemKind::Text, "b".to_string()));
    }

    #[test]
    fn comments_dropped() {
        let k = kinds("a {{- /* x */ -}} b");
        assert_eq!(k[0], (ItemKind::Text, "a".to_string()));
        assert_eq!(k[1], (ItemKind::Text, "b".to_string()));
        let k = kinds("{{/* x */ }}");
        assert_eq!(k[0].0, ItemKind::Error);
    }

    #[test]
    fn errors() {
        assert_eq!(kinds("{{ 3").last().unwrap().1, "unclosed action");
        assert_eq!(
            kinds("{{ \"x }}").last().unwrap().1,
            "unterminated quoted string"
        );
        assert_eq!(
            kinds("{{ 3x }}").last().unwrap().1,
            "bad number syntax: \"3x\""
        );
        assert_eq!(kinds("{{ ) }}").last().unwrap().1, "unexpected right paren");
    }

    #[test]
    fn numbers_and_keywords() {
        let k = kinds("{{0x1F 1e3 -2 .5 'a' 1+2i nil if $x}}");
        let ks: Vec<ItemKind> = k
            .iter()
            .map(|x| x.0)
            .filter(|k| *k != ItemKind::Space)
            .collect();
        assert_eq!(
            ks,
            vec![
                ItemKind::LeftDelim,
                ItemKind::Number,
                ItemKind::Number,
                ItemKind::Number,
                ItemKind::Number,
                ItemKind::CharConstant,
                ItemKind::Complex,
                ItemKind::Nil,
                ItemKind::If,
                ItemKind::Variable,
                ItemKind::RightDelim,
                ItemKind::Eof
            ]
        );
    }
}
