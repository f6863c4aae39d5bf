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

/// A lexed item: its kind, byte offset and text. Items borrow their text from the input, so
/// lexing and the parser's look-ahead copy no strings; lines are worked out from offsets only
/// when an error needs one ([`line_at`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Item<'a> {
    /// The kind.
    pub kind: ItemKind,
    /// Byte offset in the input.
    pub pos: usize,
    /// The text (empty for errors: their message is [`Lexed::error`]).
    pub val: &'a str,
}

/// What lexing an input gives: its items, and the message of the error that ended it early
/// (the last item is then an [`ItemKind::Error`]).
#[derive(Debug)]
pub struct Lexed<'a> {
    /// The items in order.
    pub items: Vec<Item<'a>>,
    /// The lexing error's message, if lexing stopped at one.
    pub error: Option<String>,
}

/// The 1-based line of byte offset `pos` of `input`: the line an item starting there is on.
pub fn line_at(input: &str, pos: usize) -> usize {
    let end = pos.min(input.len());
    1 + input.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

impl std::fmt::Display for Item<'_> {
    /// Go's `item.String`, used in parse error messages (errors print their message instead,
    /// which the item does not hold).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            ItemKind::Eof => f.write_str("EOF"),
            ItemKind::Error => f.write_str(self.val),
            k if k.is_keyword() => write!(f, "<{}>", self.val),
            _ => {
                if self.val.chars().count() > 10 {
                    let head: String = self.val.chars().take(10).collect();
                    write!(f, "{}...", go_quote(&head))
                } else {
                    f.write_str(&go_quote(self.val))
                }
            }
        }
    }
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
            '\u{fffd}' => out.push_str("\\ufffd"),
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

struct Lexer<'a> {
    input: &'a str,
    left: &'a str,
    right: &'a str,
    pos: usize,
    start: usize,
    paren_depth: i32,
    items: Vec<Item<'a>>,
    error: Option<String>,
    break_ok: bool,
    continue_ok: bool,
}

/// Options of the lexer that depend on the function map.
pub struct LexOptions {
    /// `break` is a keyword (not shadowed by a function named `break`).
    pub break_ok: bool,
    /// `continue` is a keyword.
    pub continue_ok: bool,
}

/// Lexes the whole input with the given delimiters.
pub fn lex<'a>(input: &'a str, left: &'a str, right: &'a str, opts: LexOptions) -> Lexed<'a> {
    let mut l = Lexer {
        input,
        left: if left.is_empty() { "{{" } else { left },
        right: if right.is_empty() { "}}" } else { right },
        pos: 0,
        start: 0,
        paren_depth: 0,
        // Charts' templates hold about one item per five or six bytes: room for one per four
        // means no regrowth (items are small and dropped once the parse ends).
        items: Vec::with_capacity(input.len() / 4 + 8),
        error: None,
        break_ok: opts.break_ok,
        continue_ok: opts.continue_ok,
    };
    l.run();
    Lexed {
        items: l.items,
        error: l.error,
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

impl<'a> Lexer<'a> {
    fn emit(&mut self, kind: ItemKind) {
        self.items.push(Item {
            kind,
            pos: self.start,
            val: &self.input[self.start..self.pos],
        });
        self.start = self.pos;
    }

    fn error(&mut self, msg: String) -> State {
        self.items.push(Item {
            kind: ItemKind::Error,
            pos: self.start,
            val: "",
        });
        self.error = Some(msg);
        State::Done
    }

    fn rest(&self) -> &'a str {
        &self.input[self.pos..]
    }

    fn rest_bytes(&self) -> &'a [u8] {
        self.input.as_bytes().get(self.pos..).unwrap_or_default()
    }

    #[inline]
    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    #[inline]
    fn peek(&self) -> Option<char> {
        let b = *self.input.as_bytes().get(self.pos)?;
        if b.is_ascii() {
            return Some(b as char);
        }
        self.rest().chars().next()
    }

    fn backup(&mut self, c: Option<char>) {
        if let Some(c) = c {
            self.pos -= c.len_utf8();
        }
    }

    /// Moves past the alphanumeric characters at the current position; returns the character
    /// that ended the run (not consumed), `None` at the end of input.
    fn skip_alnum(&mut self) -> Option<char> {
        // One table look-up per byte: identifiers and fields are most of an action's bytes.
        let bytes = self.input.as_bytes();
        let mut i = self.pos;
        while i < bytes.len() && ASCII_WORD[usize::from(bytes[i])] {
            i += 1;
        }
        self.pos = i;
        loop {
            match self.peek() {
                Some(c) if is_alnum(c) => self.pos += c.len_utf8(),
                other => return other,
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

    fn has_left_trim(s: &str) -> bool {
        let b = s.as_bytes();
        b.len() >= 2 && b[0] == b'-' && is_space(b[1])
    }

    #[inline]
    fn at_right_delim(&self) -> (bool, bool) {
        let rest = &self.input.as_bytes()[self.pos..];
        let right = self.right.as_bytes();
        // Called before every item inside an action: most start with neither a space nor the
        // delimiter's first byte, which one comparison tells.
        match (rest.first(), right.first()) {
            (Some(&b), Some(&r)) if b != r && !is_space(b) => return (false, false),
            _ => {}
        }
        if rest.len() >= 2 && is_space(rest[0]) && rest[1] == b'-' && has_prefix(&rest[2..], right)
        {
            return (true, true);
        }
        (has_prefix(rest, right), false)
    }

    /// Where the next left delimiter starts in the rest of the input: a fast scan for its
    /// first character, then a comparison of the rest of it.
    fn find_left_delim(&self) -> Option<usize> {
        let rest = self.rest();
        let first = self.left.chars().next()?;
        let mut from = 0;
        while let Some(x) = rest[from..].find(first) {
            let at = from + x;
            if has_prefix(&rest.as_bytes()[at..], self.left.as_bytes()) {
                return Some(at);
            }
            from = at + first.len_utf8();
        }
        None
    }

    fn lex_text(&mut self) -> State {
        if let Some(x) = self.find_left_delim() {
            if x > 0 {
                self.pos += x;
                let delim_end = self.pos + self.left.len();
                let mut trim = 0;
                if Self::has_left_trim(&self.input[delim_end..]) {
                    let text = &self.input.as_bytes()[self.start..self.pos];
                    trim = text.iter().rev().take_while(|&&b| is_space(b)).count();
                }
                self.pos -= trim;
                let nonempty = self.pos > self.start;
                if nonempty {
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
        let trim = Self::has_left_trim(self.rest());
        let after = if trim { 2 } else { 0 };
        if self.input[self.pos + after..].starts_with("/*") {
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
        let Some(x) = self.rest().find("*/") else {
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
            self.pos += self
                .rest_bytes()
                .iter()
                .take_while(|&&b| is_space(b))
                .count();
        }
        self.start = self.pos;
        State::Text
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
            self.pos += self
                .rest_bytes()
                .iter()
                .take_while(|&&b| is_space(b))
                .count();
            self.start = self.pos;
        }
        State::Text
    }

    fn lex_inside(&mut self) -> State {
        let (delim, _) = self.at_right_delim();
        if delim {
            if self.paren_depth == 0 {
                return State::RightDelim;
            }
            return self.error("unclosed left paren".into());
        }
        let Some(c) = self.next() else {
            return self.error("unclosed action".into());
        };
        match c {
            ' ' | '\t' | '\r' | '\n' => {
                self.backup(Some(c));
                self.lex_space()
            }
            '=' => {
                self.emit(ItemKind::Assign);
                State::Inside
            }
            ':' => {
                if self.next() != Some('=') {
                    return self.error("expected :=".into());
                }
                self.emit(ItemKind::Declare);
                State::Inside
            }
            '|' => {
                self.emit(ItemKind::Pipe);
                State::Inside
            }
            '"' => self.lex_quote(),
            '`' => self.lex_raw_quote(),
            '$' => self.lex_variable(),
            '\'' => self.lex_char(),
            '.' => {
                if let Some(&b) = self.rest().as_bytes().first() {
                    if !b.is_ascii_digit() {
                        return self.lex_field_or_variable(ItemKind::Field);
                    }
                }
                self.backup(Some(c));
                self.lex_number()
            }
            '+' | '-' | '0'..='9' => {
                self.backup(Some(c));
                self.lex_number()
            }
            c if is_alnum(c) => {
                self.backup(Some(c));
                self.lex_identifier()
            }
            '(' => {
                self.emit(ItemKind::LeftParen);
                self.paren_depth += 1;
                State::Inside
            }
            ')' => {
                self.paren_depth -= 1;
                if self.paren_depth < 0 {
                    return self.error("unexpected right paren".into());
                }
                self.emit(ItemKind::RightParen);
                State::Inside
            }
            c if c.is_ascii() && !c.is_ascii_control() => {
                self.emit(ItemKind::Char);
                State::Inside
            }
            c => self.error(format!(
                "unrecognized character in action: {}",
                go_rune_u(c)
            )),
        }
    }

    fn lex_space(&mut self) -> State {
        let n = self
            .rest_bytes()
            .iter()
            .take_while(|&&b| is_space(b))
            .count();
        self.pos += n;
        let before = &self.input.as_bytes()[self.pos - 1..];
        if before.len() >= 2
            && is_space(before[0])
            && before[1] == b'-'
            && has_prefix(&before[2..], self.right.as_bytes())
        {
            self.pos -= 1;
            if n == 1 {
                return State::Inside;
            }
        }
        self.emit(ItemKind::Space);
        State::Inside
    }

    fn at_terminator(&self) -> bool {
        let rest = self.rest_bytes();
        match rest.first() {
            None => true,
            Some(&b) if is_space(b) => true,
            Some(b'.' | b',' | b'|' | b':' | b')' | b'(') => true,
            _ => has_prefix(rest, self.right.as_bytes()),
        }
    }

    fn lex_variable(&mut self) -> State {
        if self.at_terminator() {
            self.emit(ItemKind::Variable);
            return State::Inside;
        }
        self.lex_field_or_variable(ItemKind::Variable)
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
        let last = self.skip_alnum();
        if !self.at_terminator() {
            return self.error(format!("bad character {}", rune_or_eof(last)));
        }
        self.emit(kind);
        State::Inside
    }

    fn lex_identifier(&mut self) -> State {
        let c = self.skip_alnum();
        let word = &self.input[self.start..self.pos];
        if !self.at_terminator() {
            return self.error(format!("bad character {}", rune_or_eof(c)));
        }
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
                self.next();
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
            },
        );
        let error = lexed.error.unwrap_or_default();
        lexed
            .items
            .into_iter()
            .map(|i| match i.kind {
                ItemKind::Error => (i.kind, error.clone()),
                _ => (i.kind, i.val.to_string()),
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
