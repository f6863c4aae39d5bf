//! A YAML writer that lays text out as go-yaml's (libyaml's) emitter does: block collections,
//! scalar style selection from the text's content, line folding at the best width, and the
//! indentation rules of go-yaml v2 (`toYaml`) and v3 (`toYamlPretty`).

use std::cmp::Ordering;

/// The style the encoder asks for; the emitter may pick a safer one.
#[derive(Clone, Copy, PartialEq, Debug)]
pub(crate) enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
}

/// A node to write.
#[derive(Debug)]
pub(crate) enum Node {
    Scalar(String, Style),
    /// A scalar written with an explicit tag (go-yaml v3's `!!binary`).
    Tagged(&'static str, String, Style),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// What the emitter learns about a scalar's text before choosing its style.
struct Analysis {
    multiline: bool,
    flow_plain_allowed: bool,
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

fn analyze(value: &str, v3: bool) -> Analysis {
    if value.is_empty() {
        return Analysis {
            multiline: false,
            flow_plain_allowed: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let chars: Vec<char> = value.chars().collect();
    let mut block_indicators = false;
    let mut flow_indicators = false;
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
    if value.starts_with("---") || value.starts_with("...") {
        block_indicators = true;
        flow_indicators = true;
    }
    let mut preceded_by_whitespace = true;
    let n = chars.len();
    for i in 0..n {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let followed_by_whitespace = next.is_none() || matches!(next, Some(' ' | '\t'));
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                '?' | ':' => {
                    flow_indicators = true;
                    if followed_by_whitespace {
                        block_indicators = true;
                    }
                }
                '-' if followed_by_whitespace => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                _ => {}
            }
        } else {
            match c {
                ',' | '?' | '[' | ']' | '{' | '}' => flow_indicators = true,
                ':' => {
                    flow_indicators = true;
                    if followed_by_whitespace {
                        block_indicators = true;
                    }
                }
                '#' if preceded_by_whitespace => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                _ => {}
            }
        }
        if v3 && c == '\t' {
            tabs = true;
        } else if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if i + 1 == n {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            line_breaks = true;
            if i == 0 {
                leading_break = true;
            }
            if i + 1 == n {
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
    }
    let mut a = Analysis {
        multiline: line_breaks,
        flow_plain_allowed: true,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || tabs || special {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special {
        a.block_allowed = false;
    }
    if line_breaks {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if flow_indicators {
        a.flow_plain_allowed = false;
    }
    if block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

/// The emitter's state, as libyaml keeps it.
pub(crate) struct Emitter {
    out: String,
    v3: bool,
    best_indent: i64,
    best_width: i64,
    column: i64,
    indent: i64,
    indents: Vec<i64>,
    whitespace: bool,
    indention: bool,
    flow_level: usize,
    root_context: bool,
    mapping_context: bool,
    simple_key_context: bool,
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
            out: String::new(),
            v3,
            best_indent,
            best_width: if v3 { i64::MAX } else { 80 },
            column: 0,
            indent: -1,
            indents: Vec::new(),
            whitespace: true,
            indention: true,
            flow_level: 0,
            root_context: false,
            mapping_context: false,
            simple_key_context: false,
        }
    }

    /// Writes one document holding `node` and returns the text.
    pub(crate) fn document(mut self, node: &Node) -> String {
        self.emit_node(node, true, false, false, false);
        // Document end: finish the last line.
        self.write_indent();
        self.out
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
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
        for c in s.chars() {
            self.put(c);
        }
        self.whitespace = is_ws;
        self.indention = self.indention && is_indention;
    }

    /// A tag before its node, after a space unless one was just written.
    fn write_tag(&mut self, tag: &str) {
        if !self.whitespace {
            self.put(' ');
        }
        for c in tag.chars() {
            self.put(c);
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool, in_seq_item: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { self.best_indent } else { 0 };
        } else if !indentless {
            if !self.v3 {
                self.indent += self.best_indent;
            } else if in_seq_item {
                self.indent += 2;
            } else {
                self.indent =
                    self.best_indent * ((self.indent + self.best_indent) / self.best_indent);
            }
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn emit_node(
        &mut self,
        node: &Node,
        root: bool,
        seq_item: bool,
        mapping: bool,
        simple_key: bool,
    ) {
        self.root_context = root;
        self.mapping_context = mapping;
        self.simple_key_context = simple_key;
        match node {
            Node::Scalar(text, style) => self.emit_scalar(text, *style, seq_item),
            Node::Tagged(tag, text, style) => {
                self.write_tag(tag);
                self.emit_scalar(text, *style, seq_item);
            }
            Node::Seq(items) if items.is_empty() || self.flow_level > 0 => {
                self.write_indicator("[", true, true, false);
                self.increase_indent(true, false, seq_item);
                self.flow_level += 1;
                self.flow_level -= 1;
                self.pop_indent();
                self.write_indicator("]", false, false, false);
            }
            Node::Map(pairs) if pairs.is_empty() || self.flow_level > 0 => {
                self.write_indicator("{", true, true, false);
                self.increase_indent(true, false, seq_item);
                self.flow_level += 1;
                self.flow_level -= 1;
                self.pop_indent();
                self.write_indicator("}", false, false, false);
            }
            Node::Seq(items) => {
                let indentless = !self.v3 && self.mapping_context && !self.indention;
                self.increase_indent(false, indentless, seq_item);
                for item in items {
                    self.write_indent();
                    self.write_indicator("-", true, false, true);
                    self.emit_node(item, false, true, false, false);
                }
                self.pop_indent();
            }
            Node::Map(pairs) => {
                self.increase_indent(false, false, seq_item);
                for (key, value) in pairs {
                    self.write_indent();
                    if self.is_simple_key(key) {
                        self.emit_node(key, false, false, true, true);
                        self.write_indicator(":", false, false, false);
                    } else {
                        self.write_indicator("?", true, false, true);
                        self.emit_node(key, false, false, true, false);
                        self.write_indent();
                        self.write_indicator(":", true, false, true);
                    }
                    self.emit_node(value, false, false, true, false);
                }
                self.pop_indent();
            }
        }
    }

    fn is_simple_key(&self, key: &Node) -> bool {
        match key {
            Node::Scalar(text, _) => !analyze(text, self.v3).multiline && text.len() <= 128,
            Node::Tagged(tag, text, _) => {
                !analyze(text, self.v3).multiline && tag.len() + text.len() <= 128
            }
            Node::Seq(items) => items.is_empty(),
            Node::Map(pairs) => pairs.is_empty(),
        }
    }

    fn emit_scalar(&mut self, text: &str, requested: Style, seq_item: bool) {
        let a = analyze(text, self.v3);
        let mut style = requested;
        if self.simple_key_context && a.multiline {
            style = Style::DoubleQuoted;
        }
        if style == Style::Plain {
            if (self.flow_level > 0 && !a.flow_plain_allowed)
                || (self.flow_level == 0 && !a.block_plain_allowed)
            {
                style = Style::SingleQuoted;
            }
            if text.is_empty() && (self.flow_level > 0 || self.simple_key_context) {
                style = Style::SingleQuoted;
            }
        }
        if style == Style::SingleQuoted && !a.single_quoted_allowed {
            style = Style::DoubleQuoted;
        }
        if style == Style::Literal
            && (!a.block_allowed || self.flow_level > 0 || self.simple_key_context)
        {
            style = Style::DoubleQuoted;
        }
        self.increase_indent(true, false, seq_item);
        let allow_breaks = !self.simple_key_context;
        match style {
            Style::Plain => self.write_plain(text, allow_breaks),
            Style::SingleQuoted => self.write_single(text, allow_breaks),
            Style::DoubleQuoted => self.write_double(text, allow_breaks),
            Style::Literal => self.write_literal(text),
        }
        self.pop_indent();
    }

    fn write_plain(&mut self, text: &str, allow_breaks: bool) {
        if (!self.v3 || !text.is_empty()) && !self.whitespace {
            self.put(' ');
        }
        self.write_text(text, allow_breaks, false);
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

    fn write_single(&mut self, text: &str, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        self.write_text(text, allow_breaks, true);
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    /// The body of a plain or single-quoted scalar: a space may become a line break past the
    /// best width (in single quotes not at either end), line breaks are doubled, and single
    /// quotes are doubled inside single quotes.
    fn write_text(&mut self, text: &str, allow_breaks: bool, single: bool) {
        let chars: Vec<char> = text.chars().collect();
        let n = chars.len();
        let mut spaces = false;
        let mut breaks = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let inside = !single || (i > 0 && i + 1 < n);
                if allow_breaks
                    && !spaces
                    && self.column > self.best_width
                    && inside
                    && chars.get(i + 1) != Some(&' ')
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
        }
    }

    fn write_double(&mut self, text: &str, allow_breaks: bool) {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        self.write_indicator("\"", true, false, false);
        let starts_with_bom = text.starts_with('\u{FEFF}');
        let chars: Vec<char> = text.chars().collect();
        let n = chars.len();
        let mut spaces = false;
        for i in 0..n {
            let c = chars[i];
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
                if allow_breaks && !spaces && self.column > self.best_width && i > 0 && i + 1 < n {
                    self.write_indent();
                    if chars.get(i + 1) == Some(&' ') {
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
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_literal(&mut self, text: &str) {
        self.write_indicator("|", true, false, false);
        // Block scalar hints: an explicit indentation when the text starts with a space or a
        // break, and the chomping indicator from the trailing breaks.
        let chars: Vec<char> = text.chars().collect();
        if chars.first().is_some_and(|&c| c == ' ' || is_break(c)) {
            let hint = char::from_digit(self.best_indent as u32, 10).unwrap_or('2');
            self.write_indicator(&hint.to_string(), false, false, false);
        }
        let chomp = match chars.len() {
            0 => Some('-'),
            n if !is_break(chars[n - 1]) => Some('-'),
            1 => Some('+'),
            n if is_break(chars[n - 2]) => Some('+'),
            _ => None,
        };
        if let Some(ch) = chomp {
            self.write_indicator(&ch.to_string(), false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for &c in &chars {
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
pub(crate) fn key_order(a: &str, b: &str, v3: bool) -> Ordering {
    if key_less(a, b, v3) {
        Ordering::Less
    } else if key_less(b, a, v3) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

fn key_less(a: &str, b: &str, v3: bool) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut digits = false;
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            digits = ar[i].is_numeric();
            i += 1;
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return if v3 && digits { al } else { bl };
        }
        let mut an: i64 = 0;
        let mut bn: i64 = 0;
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && ar[j - 1].is_numeric() {
                if ar[j - 1] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
                j -= 1;
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_numeric() {
            an = an.wrapping_mul(10).wrapping_add(ar[ai] as i64 - '0' as i64);
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_numeric() {
            bn = bn.wrapping_mul(10).wrapping_add(br[bi] as i64 - '0' as i64);
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}
