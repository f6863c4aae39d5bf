//! A TOML 1.0 reader for Helm's `fromToml`, producing the shapes BurntSushi/toml decodes into a
//! `map[string]interface{}`: integers are int64, floats float64, arrays of tables a list of maps,
//! and date-times a neutral [`TomlDatetime`] that the function library turns into its time value
//! (this crate cannot depend on it). Errors follow BurntSushi's `toml: line N (last key "k"):`
//! wording for the common mistakes.

use std::collections::BTreeMap;

use helmet_value::calendar::{days_from_civil, days_in_month};

/// What kind of TOML date-time a value is; Go's decoder gives the local kinds a location named
/// after them (`datetime-local`, `date-local`, `time-local`) at offset zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatetimeKind {
    /// An offset date-time (`Z` or `±hh:mm`).
    Offset,
    /// A date-time without offset.
    Local,
    /// A date alone.
    LocalDate,
    /// A time of day alone (on 0000-01-01).
    LocalTime,
}

/// A TOML date-time as an instant plus how it was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TomlDatetime {
    /// Seconds since the Unix epoch of the instant.
    pub secs: i64,
    /// Nanoseconds within the second.
    pub nanos: u32,
    /// Offset east of UTC in seconds (0 for the local kinds).
    pub offset: i64,
    /// Whether the offset was written as `Z` (Go names that zone `UTC`).
    pub zulu: bool,
    /// The kind of date-time.
    pub kind: DatetimeKind,
}

/// A decoded TOML value.
#[derive(Clone, Debug, PartialEq)]
pub enum TomlValue {
    /// A string.
    String(String),
    /// An integer (int64).
    Integer(i64),
    /// A float (float64).
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A date-time.
    Datetime(TomlDatetime),
    /// An inline array (`[]interface {}`).
    Array(Vec<TomlValue>),
    /// A table (`map[string]interface {}`).
    Table(BTreeMap<String, TomlValue>),
    /// An array of tables (`[]map[string]interface {}`).
    TableArray(Vec<BTreeMap<String, TomlValue>>),
}

/// Nesting limit for inline arrays and tables, so deep input fails instead of overflowing.
const MAX_DEPTH: usize = 64;

/// Limit on the parts of one dotted key; with [`MAX_DEPTH`] it bounds how deep tables nest.
const MAX_KEY_PARTS: usize = 32;

/// A node of the document being built, with what TOML needs to reject redefinitions.
#[derive(Debug)]
enum Node {
    Leaf(TomlValue),
    Table(Table),
    TableArray(Vec<Table>),
}

#[derive(Debug, Default)]
struct Table {
    entries: BTreeMap<String, Node>,
    /// Defined by a `[header]` of its own.
    explicit: bool,
    /// Created by a dotted key in a key/value pair.
    dotted: bool,
    /// An inline table: closed to any later addition.
    inline: bool,
    /// Made by a dotted key over an array value: BurntSushi still types the key as an array,
    /// so every later dotted key through it starts it afresh.
    over_array: bool,
}

impl Table {
    fn into_map(self) -> BTreeMap<String, TomlValue> {
        self.entries
            .into_iter()
            .map(|(k, n)| (k, n.into_value()))
            .collect()
    }
}

impl Node {
    fn into_value(self) -> TomlValue {
        match self {
            Node::Leaf(v) => v,
            Node::Table(t) => TomlValue::Table(t.into_map()),
            Node::TableArray(ts) => {
                TomlValue::TableArray(ts.into_iter().map(Table::into_map).collect())
            }
        }
    }
}

struct Parser<'a> {
    src: &'a [u8],
    text: &'a str,
    pos: usize,
    line: usize,
    /// The key being read or last assigned, shown in errors as BurntSushi does.
    last_key: String,
    /// The name of the table the last `[header]` opened: BurntSushi's last key once a line's
    /// own key is done with.
    table_key: String,
    /// Where the content of the basic string being read starts: BurntSushi's escape errors
    /// show the string from there.
    string_start: usize,
    /// Where the first control character is, which BurntSushi's lexer refuses when it reads it.
    control_at: usize,
    /// The last key when the reader first came to `control_at`.
    reached_control: std::cell::RefCell<Option<String>>,
}

/// Reads a TOML document into its top-level table, or fails with BurntSushi's error text.
pub fn read_toml(text: &str) -> Result<BTreeMap<String, TomlValue>, String> {
    let src = text.as_bytes();
    // Control characters other than tab and newlines, and a carriage return without its
    // newline (NUL has its own check).
    let control_at = (0..src.len()).find(|&i| match src[i] {
        b'\r' => src.get(i + 1) != Some(&b'\n'),
        b'\t' | b'\n' | 0 => false,
        c => c < 0x20 || c == 0x7f,
    });
    let mut p = Parser {
        src,
        text,
        pos: 0,
        line: 1,
        last_key: String::new(),
        table_key: String::new(),
        string_start: 0,
        control_at: control_at.unwrap_or(usize::MAX),
        reached_control: std::cell::RefCell::new(None),
    };
    let result = read_document(&mut p);
    // The lexer fails at the control character unless something before it failed first; a
    // reader that got there (or past it) gives the lexer's error instead of its own.
    if let Some(at) = control_at {
        let reached = p.reached_control.take();
        if reached.is_some() || result.is_ok() || p.pos > at {
            let last_key = reached.unwrap_or_else(|| p.last_key.clone());
            let line = src[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            return Err(Parser::format_err(
                line,
                &last_key,
                &format!(
                    "TOML files cannot contain control characters: '0x{:02x}'",
                    src[at]
                ),
            ));
        }
    }
    result
}

fn read_document(p: &mut Parser<'_>) -> Result<BTreeMap<String, TomlValue>, String> {
    let mut root = Table::default();
    let mut current: Vec<String> = Vec::new();
    loop {
        p.skip_ws_comments_newlines()?;
        let Some(c) = p.peek() else { break };
        if c == b'[' {
            // Errors in the name show the table before it.
            p.last_key.clone_from(&p.table_key);
            let array = p.src.get(p.pos + 1) == Some(&b'[');
            p.pos += if array { 2 } else { 1 };
            let key = p.header_key()?;
            if array && !p.eat(b']') {
                let got = p.lexer_rune();
                return Err(p.err(&format!(
                    "expected end of table array name delimiter ']', but got {got} instead"
                )));
            }
            // BurntSushi opens the table before it reads the rest of the line.
            p.last_key.clear();
            p.open_table(&mut root, &key, array, &current)?;
            p.table_key = key.join(".");
            p.end_of_line()?;
            current = key;
        } else {
            // Errors while reading the key name the table it is in.
            p.last_key = current.join(".");
            let key = p.pair_key()?;
            // Errors name the key with the table it is in (`[x]` then `a = ...`: `x.a`).
            p.last_key = current
                .iter()
                .chain(key.iter())
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(".");
            p.skip_ws();
            if !p.eat(b'=') {
                p.last_key.clear();
                return Err(p.err_here(&format!(
                    "expected '.' or '=', but got {} instead",
                    p.describe_here()
                )));
            }
            p.skip_ws();
            let value = p.value(0)?;
            let table = resolve_current(&mut root, &current);
            p.insert_dotted(table, &key, value)?;
            p.end_of_line()?;
        }
    }
    Ok(root.into_map())
}

/// The table the current `[header]` names (it exists: `open_table` made it).
fn resolve_current<'t>(root: &'t mut Table, path: &[String]) -> &'t mut Table {
    let mut t = root;
    for k in path {
        t = match t.entries.get_mut(k) {
            Some(Node::Table(next)) => next,
            Some(Node::TableArray(items)) => match items.last_mut() {
                Some(last) => last,
                None => unreachable_table(),
            },
            _ => unreachable_table(),
        };
    }
    t
}

/// `open_table` always leaves the path resolvable; reaching here is a bug in this module.
fn unreachable_table() -> ! {
    unreachable!("the current table path is always resolvable")
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.note_position();
        self.src.get(self.pos).copied()
    }

    /// Notes the last key when the reader comes to the first control character.
    fn note_position(&self) {
        if self.pos >= self.control_at {
            let mut reached = self.reached_control.borrow_mut();
            if reached.is_none() {
                *reached = Some(self.last_key.clone());
            }
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn err(&self, msg: &str) -> String {
        self.err_with_key(&self.last_key, msg)
    }

    /// An error whose last key is `last_key` rather than the one being read.
    fn err_with_key(&self, last_key: &str, msg: &str) -> String {
        // BurntSushi's lexer, failing at the end of an input that ends with a newline, names
        // the line of that newline.
        let line = if self.pos >= self.src.len() && self.src.ends_with(b"\n") {
            self.line.saturating_sub(1).max(1)
        } else {
            self.line
        };
        Self::format_err(line, last_key, msg)
    }

    /// An error on the current line as it is: where BurntSushi's lexer only peeked at the end
    /// of the input (which keeps its line), or read a newline (which counts it).
    fn err_on_line(&self, line: usize, msg: &str) -> String {
        Self::format_err(line, &self.last_key, msg)
    }

    fn format_err(line: usize, last_key: &str, msg: &str) -> String {
        if last_key.is_empty() {
            format!("toml: line {line}: {msg}")
        } else {
            format!(
                "toml: line {line} (last key {}): {msg}",
                helmet_value::strconv::quote(last_key)
            )
        }
    }

    fn err_here(&self, msg: &str) -> String {
        self.err(msg)
    }

    fn describe_here(&self) -> String {
        match self.text[self.pos.min(self.text.len())..].chars().next() {
            None => "end of file".into(),
            Some(c) => helmet_value::strconv::quote_rune(c),
        }
    }

    /// The next character between single quotes as it is (not escaped as `%q` would), or
    /// `end of file`: how BurntSushi names what it found after an array or inline table item.
    fn rune_or_eof(&self) -> String {
        match self.text[self.pos.min(self.text.len())..].chars().next() {
            None => "end of file".into(),
            Some(c) => format!("'{c}'"),
        }
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn skip_comment(&mut self) -> Result<(), String> {
        if self.peek() == Some(b'#') {
            while let Some(c) = self.peek() {
                if c == b'\n' {
                    break;
                }
                if c < 0x20
                    && c != b'\t'
                    && !(c == b'\r' && self.src.get(self.pos + 1) == Some(&b'\n'))
                {
                    return Err(self.err(&format!(
                        "control characters are not allowed in comments: 0x{c:02x}"
                    )));
                }
                self.pos += 1;
            }
        }
        Ok(())
    }

    fn newline(&mut self) -> bool {
        if self.peek() == Some(b'\n') {
            self.pos += 1;
            self.line += 1;
            true
        } else if self.peek() == Some(b'\r') && self.src.get(self.pos + 1) == Some(&b'\n') {
            self.pos += 2;
            self.line += 1;
            true
        } else {
            false
        }
    }

    fn skip_ws_comments_newlines(&mut self) -> Result<(), String> {
        loop {
            self.skip_ws();
            self.skip_comment()?;
            if !self.newline() {
                return Ok(());
            }
        }
    }

    /// After a key/value pair or a header: only whitespace, a comment, then a newline or EOF.
    fn end_of_line(&mut self) -> Result<(), String> {
        self.last_key.clone_from(&self.table_key);
        self.skip_ws();
        self.skip_comment()?;
        if self.peek().is_none() || self.newline() {
            return Ok(());
        }
        let got = self.describe_here();
        Err(self.err(&format!(
            "expected a top-level item to end with a newline, comment, or EOF, but got {got} instead"
        )))
    }

    /// A quoted key part; the cursor is at its opening quote.
    fn quoted_key_part(&mut self) -> Result<String, String> {
        let quote = self.peek();
        self.pos += 1;
        if quote == Some(b'"') {
            self.basic_string()
        } else {
            self.literal_string()
        }
    }

    /// A bare key part (possibly empty): letters, digits, `_` and `-`.
    fn bare_key_part(&mut self) -> String {
        let start = self.pos;
        while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
        {
            self.pos += 1;
        }
        self.text[start..self.pos].to_string()
    }

    fn check_key_length(&self, parts: usize) -> Result<(), String> {
        if parts > MAX_KEY_PARTS {
            return Err(self.err(&format!(
                "keys with more than {MAX_KEY_PARTS} dotted parts are not supported"
            )));
        }
        Ok(())
    }

    /// A `[header]` name up to and including its `]`, read as BurntSushi's table name lexer
    /// does: a bare part may be empty, and after each part only whitespace then `.` or `]`.
    fn header_key(&mut self) -> Result<Vec<String>, String> {
        let mut parts = Vec::new();
        loop {
            self.skip_ws();
            let part = match self.peek() {
                None | Some(b']') => {
                    return Err(self.err_on_line(
                        self.line,
                        "unexpected end of table name (table names cannot be empty)",
                    ))
                }
                Some(b'.') => {
                    return Err(self.err("unexpected table separator (table names cannot be empty)"))
                }
                Some(b'"' | b'\'') => self.quoted_key_part()?,
                _ => self.bare_key_part(),
            };
            parts.push(part);
            self.check_key_length(parts.len())?;
            self.skip_ws();
            if self.eat(b']') {
                return Ok(parts);
            }
            if !self.eat(b'.') {
                let got = self.lexer_rune();
                return Err(self.err(&format!(
                    "expected '.' or ']' to end table name, but got {got} instead"
                )));
            }
        }
    }

    /// The next character quoted as Go's `%q` of the rune BurntSushi's lexer read there: the
    /// rune 0 at the end of the input; a newline counts its line, as the lexer's read does.
    fn lexer_rune(&mut self) -> String {
        match self.peek() {
            None => helmet_value::strconv::quote_rune('\0'),
            Some(c) => {
                if c == b'\n' {
                    self.line += 1;
                }
                self.describe_here()
            }
        }
    }

    /// The key of a key/value pair, read as BurntSushi's key lexer does: a bare part may be
    /// empty, and after each part only whitespace then `.` or `=` may follow (the `=` is left
    /// for the caller). Errors show `last_key` as the caller set it (the enclosing table).
    fn pair_key(&mut self) -> Result<Vec<String>, String> {
        let mut parts = Vec::new();
        loop {
            self.skip_ws();
            let part = match self.peek() {
                Some(b'"' | b'\'') => self.quoted_key_part()?,
                None | Some(b'=') if parts.is_empty() => {
                    return Err(
                        self.err_on_line(self.line, "unexpected '=': key name appears blank")
                    );
                }
                Some(b'.') if parts.is_empty() => {
                    return Err(self.err("unexpected '.': keys cannot start with a '.'"));
                }
                None | Some(b'=') => return Err(self.err_on_line(self.line, "unexpected '='")),
                Some(b'.') => return Err(self.err("unexpected '.'")),
                _ => self.bare_key_part(),
            };
            parts.push(part);
            self.check_key_length(parts.len())?;
            self.skip_ws();
            match self.peek() {
                Some(b'.') => self.pos += 1,
                Some(b'=') => return Ok(parts),
                None => return Err(self.err("unexpected EOF; expected key separator '='")),
                Some(_) => {
                    return Err(self.err(&format!(
                        "expected '.' or '=', but got {} instead",
                        self.describe_here()
                    )))
                }
            }
        }
    }

    /// Opens `[key]` (or `[[key]]`); `previous` is the table before it, which BurntSushi shows
    /// as the last key when a value stands on the way.
    fn open_table(
        &mut self,
        root: &mut Table,
        key: &[String],
        array: bool,
        previous: &[String],
    ) -> Result<(), String> {
        let dup = || format!("Key '{}' has already been defined.", key.join("."));
        let (last, parents) = key.split_last().expect("keys have a part");
        let mut t = root;
        for (at, k) in parents.iter().enumerate() {
            let node = t
                .entries
                .entry(k.clone())
                .or_insert_with(|| Node::Table(Table::default()));
            t = match node {
                // BurntSushi walks into any table, an inline one included.
                Node::Table(next) => next,
                Node::TableArray(items) => items.last_mut().ok_or_else(|| self.err(&dup()))?,
                Node::Leaf(_) => {
                    return Err(self.err_with_key(
                        &previous.join("."),
                        &format!(
                            "Key '{}' was already created as a hash.",
                            parents[..=at].join(".")
                        ),
                    ))
                }
            };
        }
        match (t.entries.get_mut(last), array) {
            (None, false) => {
                t.entries.insert(
                    last.clone(),
                    Node::Table(Table {
                        explicit: true,
                        ..Table::default()
                    }),
                );
            }
            (None, true) => {
                t.entries
                    .insert(last.clone(), Node::TableArray(vec![Table::default()]));
            }
            (Some(Node::Table(existing)), false) if !existing.explicit && !existing.inline => {
                existing.explicit = true;
            }
            (Some(Node::TableArray(items)), true) => items.push(Table::default()),
            // BurntSushi has entered the parent table by now: it is the last key shown.
            (Some(_), true) => {
                return Err(self.err_with_key(
                    &parents.join("."),
                    &format!(
                        "Key '{}' was already created and cannot be used as an array.",
                        key.join(".")
                    ),
                ))
            }
            _ => return Err(self.err_with_key(&parents.join("."), &dup())),
        }
        Ok(())
    }

    fn insert_dotted(
        &self,
        table: &mut Table,
        key: &[String],
        value: TomlValue,
    ) -> Result<(), String> {
        let dup = || {
            self.err(&format!(
                "Key '{}' has already been defined.",
                self.last_key
            ))
        };
        let (last, parents) = key.split_last().expect("keys have a part");
        // `last_key` is the enclosing table's key, a dot, then this key's parts.
        let joined_len = key.iter().map(String::len).sum::<usize>() + key.len() - 1;
        let outer = self
            .last_key
            .get(..self.last_key.len().saturating_sub(joined_len))
            .unwrap_or("");
        let mut t = table;
        for (at, k) in parents.iter().enumerate() {
            let node = t.entries.entry(k.clone()).or_insert_with(|| {
                Node::Table(Table {
                    dotted: true,
                    ..Table::default()
                })
            });
            // BurntSushi lets a dotted key reopen an array value: the array is replaced by a
            // new table.
            if matches!(node, Node::Leaf(TomlValue::Array(_)))
                || matches!(node, Node::Table(t) if t.over_array)
            {
                *node = Node::Table(Table {
                    dotted: true,
                    over_array: true,
                    ..Table::default()
                });
            }
            t = match node {
                Node::Table(next) if next.dotted || next.inline => next,
                // A value on the way: BurntSushi names the key holding it, with the table it
                // sits in (`x.a`). As the last parent the value is found when the pair is set;
                // earlier, when the next part's table is made, whose error shows the holder
                // with the pair's own last part as the last key.
                Node::Leaf(_) => {
                    let holder = format!("{outer}{}", parents[..=at].join("."));
                    if at + 1 == parents.len() {
                        return Err(self.err(&format!("Key '{holder}' has already been defined.")));
                    }
                    return Err(self.err_with_key(
                        &format!("{holder}.{last}"),
                        &format!("Key '{holder}' was already created as a hash."),
                    ));
                }
                _ => return Err(dup()),
            };
        }
        if let Some(existing) = t.entries.get(last) {
            // BurntSushi keeps a table made by dotted keys (`a.b = 1`) when a later line gives
            // the same key a plain value (`a = 2`): the value is dropped without an error.
            let implicit = matches!(existing, Node::Table(next) if next.dotted && !next.inline);
            if implicit && !matches!(value, TomlValue::Table(_)) {
                return Ok(());
            }
            return Err(dup());
        }
        let node = match value {
            TomlValue::Table(_) => Node::Table(Table {
                entries: into_nodes(value),
                inline: true,
                ..Table::default()
            }),
            other => Node::Leaf(other),
        };
        t.entries.insert(last.clone(), node);
        Ok(())
    }

    fn value(&mut self, depth: usize) -> Result<TomlValue, String> {
        if depth > MAX_DEPTH {
            return Err(self.err(&format!(
                "values nested deeper than {MAX_DEPTH} levels are not supported"
            )));
        }
        match self.peek() {
            None => Err(self.err("unexpected EOF; expected value")),
            Some(b'"') => {
                if self.src[self.pos..].starts_with(b"\"\"\"") {
                    self.pos += 3;
                    self.multiline_basic().map(TomlValue::String)
                } else {
                    self.pos += 1;
                    self.basic_string().map(TomlValue::String)
                }
            }
            Some(b'\'') => {
                if self.src[self.pos..].starts_with(b"'''") {
                    self.pos += 3;
                    self.multiline_literal().map(TomlValue::String)
                } else {
                    self.pos += 1;
                    self.literal_string().map(TomlValue::String)
                }
            }
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws_comments_newlines()?;
                    if self.eat(b']') {
                        break;
                    }
                    if self.peek() == Some(b',') {
                        return Err(self.err("unexpected comma"));
                    }
                    items.push(self.value(depth + 1)?);
                    self.skip_ws_comments_newlines()?;
                    if self.eat(b']') {
                        break;
                    }
                    if !self.eat(b',') {
                        return Err(self.err(&format!(
                            "expected a comma (',') or array terminator (']'), but got {}",
                            self.rune_or_eof()
                        )));
                    }
                }
                Ok(TomlValue::Array(items))
            }
            Some(b'{') => {
                self.pos += 1;
                let mut table = Table::default();
                // Newlines and comments may stand between the items (TOML 1.1, which
                // BurntSushi reads).
                self.skip_ws_comments_newlines()?;
                if self.eat(b'}') {
                    return Ok(TomlValue::Table(BTreeMap::new()));
                }
                // Errors before the first pair name the table's own key, later ones the last
                // pair's.
                let outer = self.last_key.clone();
                loop {
                    self.skip_ws_comments_newlines()?;
                    if self.peek() == Some(b',') {
                        return Err(self.err("unexpected comma"));
                    }
                    let key = self.pair_key()?;
                    self.last_key = if outer.is_empty() {
                        key.join(".")
                    } else {
                        format!("{outer}.{}", key.join("."))
                    };
                    self.skip_ws();
                    if !self.eat(b'=') {
                        return Err(self.err(&format!(
                            "expected key separator '=', but got {} instead",
                            self.describe_here()
                        )));
                    }
                    self.skip_ws();
                    let v = self.value(depth + 1)?;
                    self.insert_dotted(&mut table, &key, v)?;
                    // BurntSushi leaves the table's context, keeping the pair's last part.
                    let last = key.last().map_or("", String::as_str);
                    self.last_key = if outer.is_empty() {
                        last.to_string()
                    } else {
                        format!("{outer}.{last}")
                    };
                    self.skip_ws_comments_newlines()?;
                    if self.eat(b'}') {
                        break;
                    }
                    if !self.eat(b',') {
                        return Err(self.err(&format!(
                            "expected a comma or an inline table terminator '}}', but got {} instead",
                            self.rune_or_eof()
                        )));
                    }
                    // A comma may end the table (TOML 1.1, which BurntSushi reads).
                    self.skip_ws_comments_newlines()?;
                    if self.eat(b'}') {
                        break;
                    }
                }
                self.last_key = outer;
                Ok(TomlValue::Table(table.into_map()))
            }
            Some(_) => self.scalar(depth),
        }
    }

    fn basic_string(&mut self) -> Result<String, String> {
        self.string_start = self.pos;
        let mut out = String::new();
        loop {
            self.note_position();
            let Some(c) = self.text[self.pos..].chars().next() else {
                return Err(self.err("unexpected EOF; expected '\"'"));
            };
            self.pos += c.len_utf8();
            match c {
                '"' => return Ok(out),
                '\\' => self.escape(&mut out)?,
                '\n' => return Err(self.err("strings cannot contain newlines")),
                '\r' if self.peek() == Some(b'\n') => return Err(self.cr_in_string()),
                c if (c as u32) < 0x20 && c != '\t' || c == '\u{7f}' => {
                    return Err(self.err(&format!(
                        "control characters are not allowed in strings: 0x{:02x}",
                        c as u32
                    )))
                }
                c => out.push(c),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), String> {
        let Some(c) = self.text[self.pos..].chars().next() else {
            // The lexer read the rune 0 at the end, and names the line before.
            return Err(self.err_on_line(self.line - 1, "invalid escape in string '\\\0'"));
        };
        self.pos += c.len_utf8();
        let simple = match c {
            'b' => '\u{8}',
            't' => '\t',
            'n' => '\n',
            'f' => '\u{c}',
            'r' => '\r',
            'e' => '\u{1b}',
            '"' => '"',
            '\\' => '\\',
            'x' | 'u' | 'U' => {
                let n = match c {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let rest = &self.text[self.pos..];
                let digits = rest
                    .bytes()
                    .take(n)
                    .take_while(u8::is_ascii_hexdigit)
                    .count();
                if digits < n {
                    // The lexer reads the character that is not a digit, a control
                    // character's own error first.
                    let saved = self.pos;
                    self.pos += digits;
                    self.note_position();
                    self.pos = saved;
                    // BurntSushi shows the escape up to the first character that is not a digit.
                    let shown_end =
                        digits + rest[digits..].chars().next().map_or(0, char::len_utf8);
                    // BurntSushi shows the string from its start.
                    let got = &self.text[self.string_start..self.pos + shown_end];
                    return Err(self.err(&format!(
                        "expected {} hexadecimal digits after '\\{c}', but got {} instead",
                        match n {
                            2 => "two",
                            4 => "four",
                            _ => "eight",
                        },
                        helmet_value::strconv::quote(got)
                    )));
                }
                let hex = &rest[..n];
                let code = u32::from_str_radix(hex, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| {
                        self.err(&format!("Escaped character '\\u{hex}' is not valid UTF-8."))
                    })?;
                self.pos += n;
                code
            }
            other => {
                let line = self.line + usize::from(other == '\n');
                return Err(
                    self.err_on_line(line, &format!("invalid escape in string '\\{other}'"))
                );
            }
        };
        out.push(simple);
        Ok(())
    }

    fn literal_string(&mut self) -> Result<String, String> {
        let start = self.pos;
        loop {
            match self.peek() {
                None => return Err(self.err("unexpected EOF; expected \"'\"")),
                Some(b'\'') => {
                    let s = self.text[start..self.pos].to_string();
                    self.pos += 1;
                    return Ok(s);
                }
                Some(b'\n') => return Err(self.err("strings cannot contain newlines")),
                Some(b'\r') if self.src.get(self.pos + 1) == Some(&b'\n') => {
                    return Err(self.cr_in_string())
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    /// At the closing `"""` or `'''` of a multi-line string: moves past it and adds the up to
    /// two quotes that may close right against the delimiter to `out`.
    fn close_multiline(&mut self, quote: u8, out: &mut String) -> bool {
        if !self.src[self.pos..].starts_with(&[quote; 3]) {
            return false;
        }
        let mut n = 3;
        while n < 5 && self.src.get(self.pos + n) == Some(&quote) {
            n += 1;
        }
        out.extend(std::iter::repeat_n(char::from(quote), n - 3));
        self.pos += n;
        true
    }

    /// A `\r\n` inside a one-line string: BurntSushi's lexer stops at the `\r`, before the
    /// newline counts, and names the line before.
    fn cr_in_string(&self) -> String {
        self.err_on_line(self.line - 1, "strings cannot contain newlines")
    }

    /// A `"""` string: a newline right after the opening quotes is dropped, `\` at a line's end
    /// swallows the following whitespace.
    fn multiline_basic(&mut self) -> Result<String, String> {
        self.string_start = self.pos;
        self.newline();
        let mut out = String::new();
        loop {
            if self.close_multiline(b'"', &mut out) {
                return Ok(out);
            }
            let Some(c) = self.text[self.pos..].chars().next() else {
                return Err(self.err("unexpected EOF; expected '\"\"\"'"));
            };
            if c == '\\' {
                let rest = &self.text[self.pos + 1..];
                let trimmed = rest.trim_start_matches([' ', '\t']);
                if trimmed.starts_with('\n') || trimmed.starts_with("\r\n") {
                    self.pos += 1 + rest.len() - trimmed.len();
                    while matches!(self.peek(), Some(b' ' | b'\t')) || self.newline() {
                        if matches!(self.peek(), Some(b' ' | b'\t')) {
                            self.pos += 1;
                        }
                    }
                    continue;
                }
                self.pos += 1;
                self.escape(&mut out)?;
                continue;
            }
            if self.newline() {
                out.push('\n');
                continue;
            }
            self.pos += c.len_utf8();
            out.push(c);
        }
    }

    fn multiline_literal(&mut self) -> Result<String, String> {
        self.newline();
        let mut out = String::new();
        loop {
            if self.close_multiline(b'\'', &mut out) {
                return Ok(out);
            }
            let Some(c) = self.text[self.pos..].chars().next() else {
                return Err(self.err("unexpected EOF; expected \"'''\""));
            };
            if self.newline() {
                out.push('\n');
                continue;
            }
            self.pos += c.len_utf8();
            out.push(c);
        }
    }

    /// Numbers, booleans and date-times: the run of characters up to a delimiter.
    fn scalar(&mut self, depth: usize) -> Result<TomlValue, String> {
        // BurntSushi's lexer reads only the first character of a value starting with anything
        // but a digit, a sign or a letter (an empty word is handled below); `peek` first, so a
        // control character there is the lexer's error.
        let first = self
            .peek()
            .and_then(|_| self.text[self.pos..].chars().next());
        if let Some(c) = first.filter(|c| {
            !(c.is_ascii_digit()
                || c.is_alphabetic()
                || matches!(
                    c,
                    '+' | '-' | ' ' | '\t' | '\n' | '\r' | ',' | ']' | '}' | '#'
                ))
        }) {
            return Err(self.err(&if c == '.' {
                "floats must start with a digit, not '.'".to_string()
            } else {
                format!(
                    "expected value but found {} instead",
                    helmet_value::strconv::quote_rune(c)
                )
            }));
        }
        let start = self.pos;
        // Scanned without `peek`: the lexer reads only as far as the token it takes, which is
        // settled below.
        while let Some(&c) = self.src.get(self.pos) {
            // A space may separate a date from its time.
            if c == b' '
                && self.pos - start == 10
                && self.src.get(self.pos + 1).is_some_and(u8::is_ascii_digit)
                && looks_like_date(&self.text[start..self.pos])
            {
                self.pos += 1;
                continue;
            }
            if matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b',' | b']' | b'}' | b'#') {
                break;
            }
            self.pos += 1;
        }
        let word = &self.text[start..self.pos];
        if let Some(message) = self.number_lexer_error(word, depth) {
            return Err(message);
        }
        if word.starts_with(char::is_alphabetic) {
            if let Some(len) = self.letter_word(word)? {
                self.pos = start + len;
                self.note_position();
                match &word[..len] {
                    "true" => return Ok(TomlValue::Bool(true)),
                    "false" => return Ok(TomlValue::Bool(false)),
                    "inf" => return Ok(TomlValue::Float(f64::INFINITY)),
                    "nan" => return Ok(TomlValue::Float(f64::NAN)),
                    token => {
                        // Only `i`/`n` tokens get here, read as floats: one ending in a
                        // non-hexadecimal letter fails BurntSushi's underscore check.
                        let quoted = helmet_value::strconv::quote(token);
                        return Err(self.err(&if token.ends_with('f') {
                            format!("Invalid float value: {quoted}")
                        } else {
                            format!(
                                "Invalid float {quoted}: underscores must be surrounded by digits"
                            )
                        }));
                    }
                }
            }
        }
        if word
            .strip_prefix(['+', '-'])
            .is_some_and(|rest| rest.starts_with('.'))
        {
            return Err(self.err("floats must start with a digit, not '.'"));
        }
        // BurntSushi's lexer ends a number (or `inf`/`nan`) at the first character that cannot
        // continue it; that character is then what the array, inline table or line sees next.
        let lexed = lexed_len(word);
        let word = match lexed {
            Some((len, _)) if len < word.len() => {
                self.pos = start + len;
                &word[..len]
            }
            _ => word,
        };
        // The lexer reads the character after the token to end it.
        self.note_position();
        // A token the lexer read as a date-time is one, or an invalid one.
        let lexed_datetime = matches!(lexed, Some((_, true)));
        match word {
            "true" => return Ok(TomlValue::Bool(true)),
            "false" => return Ok(TomlValue::Bool(false)),
            "inf" | "+inf" => return Ok(TomlValue::Float(f64::INFINITY)),
            "-inf" => return Ok(TomlValue::Float(f64::NEG_INFINITY)),
            "nan" | "+nan" | "-nan" => return Ok(TomlValue::Float(f64::NAN)),
            _ => {}
        }
        if let Some(dt) = parse_datetime(word) {
            return Ok(TomlValue::Datetime(dt));
        }
        if lexed_datetime
            || word.get(..10).is_some_and(looks_like_date)
            || word.len() >= 8 && word.as_bytes()[2] == b':'
        {
            // BurntSushi shows the text after normalising the separators it accepts.
            let shown = word.replace('z', "Z").replace(['t', ' '], "T");
            return Err(self.err(&format!(
                "invalid datetime: {}",
                helmet_value::strconv::quote(&shown)
            )));
        }
        let body = word.strip_prefix(['+', '-']).unwrap_or(word);
        if !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
            if body.starts_with('_') || body.ends_with('_') || body.contains("__") {
                return Err(self.err(&format!(
                    "Invalid integer {}: underscores must be surrounded by digits",
                    helmet_value::strconv::quote(word)
                )));
            }
            if body.len() > 1 && body.starts_with('0') {
                return Err(self.err(&format!(
                    "Invalid integer {}: cannot have leading zeroes",
                    helmet_value::strconv::quote(word)
                )));
            }
        }
        if let Some(i) = parse_integer(word) {
            return i.map(TomlValue::Integer).map_err(|m| self.err(&m));
        }
        if let Some(f) = parse_float(word) {
            return Ok(TomlValue::Float(f));
        }
        if let Some(message) = float_error(word) {
            return Err(self.err(&message));
        }
        if word.is_empty() {
            return Err(self.err(&format!(
                "expected value but found {} instead",
                self.describe_here()
            )));
        }
        Err(self.err(&format!(
            "expected value but found {} instead",
            helmet_value::strconv::quote(word)
        )))
    }
}

impl Parser<'_> {
    /// A value starting with a letter, read as BurntSushi's lexer does: `i`/`n` followed by
    /// `nf` or `an` (a failed `nf` keeps its accepted `n`) is a float token, anything else a
    /// run of letters that must be `true` or `false`, read from one character before where the
    /// `i`/`n` attempt stopped. Gives the token's length, or the lexer's error.
    fn letter_word(&self, word: &str) -> Result<Option<usize>, String> {
        let b = word.as_bytes();
        let mut from = 0;
        if matches!(b[0], b'i' | b'n') {
            let mut at = 1;
            if b.get(at) == Some(&b'n') {
                at += 1;
                if b.get(at) == Some(&b'f') {
                    return Ok(Some(at + 1));
                }
            }
            if b.get(at) == Some(&b'a') {
                at += 1;
                if b.get(at) == Some(&b'n') {
                    return Ok(Some(at + 1));
                }
            }
            from = at - 1;
        }
        let rest = &word[from..];
        let letters = rest
            .char_indices()
            .find(|(_, c)| !c.is_alphabetic())
            .map_or(rest, |(at, _)| &rest[..at]);
        if from == 0 && matches!(letters, "true" | "false") {
            return Ok(Some(letters.len()));
        }
        Err(self.err(&format!(
            "expected value but found {} instead",
            helmet_value::strconv::quote(letters)
        )))
    }

    /// What BurntSushi's lexer says of a number-like word it cannot read: a sign without a
    /// digit, a `0x`/`0o`/`0b` prefix without a digit of its base, a hexadecimal, octal or
    /// binary number or `inf`/`nan` run on at the top level. The character it stopped at is Go's rune 0 at the end of the input.
    fn number_lexer_error(&mut self, word: &str, depth: usize) -> Option<String> {
        let next_after_word = self.text[self.pos..].chars().next();
        let body = word.strip_prefix(['+', '-']).unwrap_or(word);
        if body.len() < word.len() {
            let c = body.chars().next().or(next_after_word);
            if !c.is_some_and(|c| c.is_ascii_digit() || matches!(c, 'i' | 'n' | '.')) {
                let c = c.unwrap_or('\0');
                let line = self.line;
                if c == '\n' {
                    self.line += 1;
                }
                let message = self.err(&format!(
                    "expected a digit but got {}",
                    helmet_value::strconv::quote_rune(c)
                ));
                self.line = line;
                return Some(message);
            }
        }
        for (prefix, base, name) in [
            ("0x", 16, "a hexadecimal"),
            ("0o", 8, "an octal"),
            ("0b", 2, "a binary"),
        ] {
            let Some(digits) = word.strip_prefix(prefix) else {
                continue;
            };
            // The first character must be a digit of the base; the number ends at the first
            // other one, which then starts the next item.
            let first = digits.chars().next();
            if !first.is_some_and(|c| c.is_digit(base)) {
                let c = first.or(next_after_word).unwrap_or('\0');
                return Some(self.err(&format!("not {name} number: '{prefix}{c}'")));
            }
            if let Some(c) = digits.chars().find(|c| !c.is_digit(base) && *c != '_') {
                return self.top_level_leftover(c, depth);
            }
        }
        for special in ["inf", "nan"] {
            if let Some(c) = body.strip_prefix(special).and_then(|r| r.chars().next()) {
                return self.top_level_leftover(c, depth);
            }
        }
        None
    }

    /// A value at the top level followed by `c` on its line (BurntSushi read the value and
    /// expected the line to end); only the top level is known to helmet.
    fn top_level_leftover(&mut self, c: char, depth: usize) -> Option<String> {
        if depth != 0 {
            return None;
        }
        Some(self.err_with_key(
            &self.table_key,
            &format!(
                "expected a top-level item to end with a newline, comment, or EOF, but got {} instead",
                helmet_value::strconv::quote_rune(c)
            ),
        ))
    }
}

/// How much of `word` BurntSushi's lexer takes as one number, date-time, `inf` or `nan` token,
/// following its states, and whether it read it as a date-time; `None` when the word is not one
/// of those (or the lexer fails on it).
fn lexed_len(word: &str) -> Option<(usize, bool)> {
    #[derive(Clone, Copy)]
    enum State {
        NumberOrDate,
        Datetime,
        Decimal,
        Float,
        Radix(u32),
    }
    let b = word.as_bytes();
    let (mut state, mut at) = match b.first()? {
        b'i' | b'n' => {
            // `(accept('n') && accept('f')) || (accept('a') && accept('n'))`: a failed first
            // pair keeps its accepted 'n'.
            let mut at = 1;
            if b.get(at) == Some(&b'n') {
                at += 1;
                if b.get(at) == Some(&b'f') {
                    return Some((at + 1, false));
                }
            }
            if b.get(at) == Some(&b'a') && b.get(at + 1) == Some(&b'n') {
                return Some((at + 2, false));
            }
            return None;
        }
        b'+' | b'-' => match b.get(1)? {
            b'i' if b.get(2..4) == Some(b"nf") => return Some((4, false)),
            b'n' if b.get(2..4) == Some(b"an") => return Some((4, false)),
            c if c.is_ascii_digit() => (State::Decimal, 2),
            _ => return None,
        },
        b'0' => match b.get(1) {
            Some(c) if c.is_ascii_digit() => (State::NumberOrDate, 2),
            Some(b'_') => (State::Decimal, 2),
            Some(b'.' | b'e' | b'E') => (State::Float, 2),
            Some(b'x') => (State::Radix(16), 2),
            Some(b'o') => (State::Radix(8), 2),
            Some(b'b') => (State::Radix(2), 2),
            _ => return Some((1, false)),
        },
        c if c.is_ascii_digit() => (State::NumberOrDate, 1),
        _ => return None,
    };
    while let Some(&c) = b.get(at) {
        state = match (state, c) {
            (State::NumberOrDate, b'0'..=b'9') => State::NumberOrDate,
            (State::NumberOrDate, b'-' | b':') => State::Datetime,
            (State::NumberOrDate | State::Decimal, b'_') => State::Decimal,
            (State::NumberOrDate | State::Decimal, b'.' | b'e' | b'E') => State::Float,
            (State::Decimal, b'0'..=b'9') => State::Decimal,
            (
                State::Datetime,
                b'0'..=b'9' | b'-' | b':' | b'T' | b't' | b' ' | b'.' | b'Z' | b'z' | b'+',
            ) => State::Datetime,
            (State::Float, b'0'..=b'9' | b'_' | b'.' | b'-' | b'+' | b'e' | b'E') => State::Float,
            (State::Radix(base), c) if c == b'_' || char::from(c).is_digit(base) => state,
            _ => break,
        };
        at += 1;
    }
    Some((at, matches!(state, State::Datetime)))
}

/// BurntSushi's complaint about a word its lexer reads as a float that does not parse, in the
/// order it checks: a leading `.`, underscores (each part between `.`, `e`, `E` must end in a
/// digit and have digits around each `_`), periods followed by a non-digit, leading zeroes,
/// then the value.
fn float_error(word: &str) -> Option<String> {
    let body = word.strip_prefix(['+', '-']).unwrap_or(word);
    if body.starts_with('.') && body[1..].starts_with(|c: char| c.is_ascii_digit()) {
        return Some("floats must start with a digit, not '.'".to_string());
    }
    let floaty = body.starts_with(|c: char| c.is_ascii_digit())
        && body.contains(['.', 'e', 'E'])
        && word
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'e' | b'E' | b'+' | b'-'));
    if !floaty {
        return None;
    }
    let quoted = helmet_value::strconv::quote(word);
    let underscores_ok = |part: &str| {
        let mut digit = false;
        for c in part.chars() {
            if c == '_' {
                if !digit {
                    return false;
                }
                digit = false;
                continue;
            }
            digit = c.is_ascii_digit();
        }
        digit
    };
    if !word
        .split(['.', 'e', 'E'])
        .filter(|p| !p.is_empty())
        .all(underscores_ok)
    {
        return Some(format!(
            "Invalid float {quoted}: underscores must be surrounded by digits"
        ));
    }
    let mut after_period = false;
    for c in word.chars() {
        if after_period && !c.is_ascii_digit() {
            return Some(format!(
                "Invalid float {quoted}: '.' must be followed by one or more digits"
            ));
        }
        after_period = c == '.';
    }
    if after_period {
        return Some(format!(
            "Invalid float {quoted}: '.' must be followed by one or more digits"
        ));
    }
    if body.len() > 1 && body.starts_with('0') && body.as_bytes()[1].is_ascii_digit() {
        return Some(format!(
            "Invalid float {quoted}: cannot have leading zeroes"
        ));
    }
    Some(format!("Invalid float value: {quoted}"))
}

fn into_nodes(value: TomlValue) -> BTreeMap<String, Node> {
    match value {
        TomlValue::Table(m) => m
            .into_iter()
            .map(|(k, v)| {
                let node = match v {
                    TomlValue::Table(_) => Node::Table(Table {
                        entries: into_nodes(v),
                        inline: true,
                        ..Table::default()
                    }),
                    other => Node::Leaf(other),
                };
                (k, node)
            })
            .collect(),
        _ => BTreeMap::new(),
    }
}

fn looks_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10 && b[4] == b'-' && b[7] == b'-'
}

/// Digits with single underscores between them.
fn clean_digits(s: &str, radix: u32) -> Option<String> {
    if s.is_empty() || s.starts_with('_') || s.ends_with('_') || s.contains("__") {
        return None;
    }
    let out: String = s.chars().filter(|&c| c != '_').collect();
    out.chars().all(|c| c.is_digit(radix)).then_some(out)
}

/// `None` when the word is no integer; `Some(Err)` when it is one out of range.
fn parse_integer(word: &str) -> Option<Result<i64, String>> {
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = word.strip_prefix(prefix) {
            let digits = clean_digits(rest, radix)?;
            return Some(
                i64::from_str_radix(&digits, radix)
                    .map_err(|_| format!("{word} is out of range for int64")),
            );
        }
    }
    let (sign, body) = match word.as_bytes().first() {
        Some(b'+') => ("", &word[1..]),
        Some(b'-') => ("-", &word[1..]),
        _ => ("", word),
    };
    let digits = clean_digits(body, 10)?;
    if digits.len() > 1 && digits.starts_with('0') {
        return None;
    }
    Some(
        format!("{sign}{digits}")
            .parse::<i64>()
            .map_err(|_| format!("{word} is out of range for int64")),
    )
}

fn parse_float(word: &str) -> Option<f64> {
    let body = word.strip_prefix(['+', '-']).unwrap_or(word);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int_part, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let int_digits = clean_digits(int_part, 10)?;
    if int_digits.len() > 1 && int_digits.starts_with('0') {
        return None;
    }
    let frac_digits = match frac {
        Some(f) => Some(clean_digits(f, 10)?),
        None => None,
    };
    let exp = match exponent {
        Some(e) => {
            let (sign, digits) = match e.as_bytes().first() {
                Some(b'+') => ("+", &e[1..]),
                Some(b'-') => ("-", &e[1..]),
                _ => ("", e),
            };
            Some(format!("{sign}{}", clean_digits(digits, 10)?))
        }
        None => None,
    };
    if frac_digits.is_none() && exp.is_none() {
        return None;
    }
    let mut text = String::new();
    if word.starts_with('-') {
        text.push('-');
    }
    text.push_str(&int_digits);
    if let Some(f) = frac_digits {
        text.push('.');
        text.push_str(&f);
    }
    if let Some(e) = exp {
        text.push('e');
        text.push_str(&e);
    }
    text.parse().ok()
}

fn num(s: &str, len: usize) -> Option<u32> {
    (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// `HH:MM:SS[.frac]` as seconds of the day and nanoseconds.
fn parse_time(s: &str) -> Option<(i64, u32)> {
    let (hms, frac) = match s.split_once('.') {
        Some((a, f)) => (a, Some(f)),
        None => (s, None),
    };
    let mut parts = hms.split(':');
    let h = num(parts.next()?, 2)?;
    let m = num(parts.next()?, 2)?;
    // BurntSushi also tries layouts without seconds (`15:04`), which take no fraction.
    let sec = match parts.next() {
        Some(sec) => num(sec, 2)?,
        None if frac.is_none() => 0,
        None => return None,
    };
    if parts.next().is_some() || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let nanos = match frac {
        Some(f) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
            let mut digits: String = f.chars().take(9).collect();
            while digits.len() < 9 {
                digits.push('0');
            }
            digits.parse().ok()?
        }
        Some(_) => return None,
        None => 0,
    };
    Some((
        i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(sec),
        nanos,
    ))
}

fn parse_datetime(word: &str) -> Option<TomlDatetime> {
    // Byte offsets below assume ASCII; no date-time holds anything else.
    if !word.is_ascii() {
        return None;
    }
    let local = |secs, nanos, kind| TomlDatetime {
        secs,
        nanos,
        offset: 0,
        zulu: false,
        kind,
    };
    if word.len() >= 5 && word.as_bytes()[2] == b':' {
        let (secs, nanos) = parse_time(word)?;
        // Go puts a time alone on January 1st of year 0.
        let day0 = days_from_civil(0, 1, 1);
        return Some(local(day0 * 86_400 + secs, nanos, DatetimeKind::LocalTime));
    }
    if word.len() < 10 || !looks_like_date(&word[..10]) {
        return None;
    }
    let y = i64::from(num(&word[..4], 4)?);
    let mo = num(&word[5..7], 2)?;
    let d = num(&word[8..10], 2)?;
    if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) {
        return None;
    }
    let day = days_from_civil(y, mo, d) * 86_400;
    if word.len() == 10 {
        return Some(local(day, 0, DatetimeKind::LocalDate));
    }
    let sep = word.as_bytes()[10];
    if !matches!(sep, b'T' | b't' | b' ') {
        return None;
    }
    let rest = &word[11..];
    let (time, offset, zulu) = if let Some(t) = rest.strip_suffix(['Z', 'z']) {
        (t, Some(0), true)
    } else if rest.len() > 6 && matches!(rest.as_bytes()[rest.len() - 6], b'+' | b'-') {
        let (t, off) = rest.split_at(rest.len() - 6);
        let oh = i64::from(num(&off[1..3], 2)?);
        let om = i64::from(num(&off[4..6], 2)?);
        if off.as_bytes()[3] != b':' || oh > 23 || om > 59 {
            return None;
        }
        let sign = if off.starts_with('-') { -1 } else { 1 };
        (t, Some(sign * (oh * 3600 + om * 60)), false)
    } else {
        (rest, None, false)
    };
    let (secs, nanos) = parse_time(time)?;
    Some(match offset {
        Some(off) => TomlDatetime {
            secs: day + secs - off,
            nanos,
            offset: off,
            zulu,
            kind: DatetimeKind::Offset,
        },
        None => local(day + secs, nanos, DatetimeKind::Local),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_common_shapes() {
        let t = read_toml("a = 1\nb.c = 'x'\n[d]\ne = [1, 2.5, \"\\u00e9\"]\n[[f]]\ng = true\n")
            .unwrap();
        assert_eq!(t["a"], TomlValue::Integer(1));
        assert!(matches!(&t["b"], TomlValue::Table(m) if m["c"] == TomlValue::String("x".into())));
        assert!(matches!(&t["f"], TomlValue::TableArray(v) if v.len() == 1));
    }

    #[test]
    fn rejects_redefinitions() {
        assert!(read_toml("a = 1\na = 2").is_err());
        assert!(read_toml("[x]\n[x]").is_err());
        assert!(read_toml("a = {b = 1}\n[a]").is_err());
    }

    #[test]
    fn arbitrary_input_never_panics() {
        let pieces = [
            "a",
            "=",
            " ",
            "\n",
            "[",
            "]",
            "{",
            "}",
            "\"",
            "'",
            ".",
            ",",
            "1979-05-27",
            "T07:32",
            "é",
            "😀",
            "\\",
            "#",
            "0x",
            "_",
            "-",
            "+",
            ":",
            "'''",
            "\"\"\"",
            "1",
            "e",
            "inf",
            "\r",
            "\u{1}",
            "\\x",
            "\\u",
            "nan",
            "i",
            "true",
            "\t",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            let mut doc = String::new();
            for _ in 0..(seed % 24) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                doc.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            let _ = read_toml(&doc);
            seed = seed.wrapping_add(1);
        }
    }

    #[test]
    fn long_dotted_keys_fail() {
        let key = vec!["k"; 10_000].join(".");
        assert!(read_toml(&format!("{key} = 1")).is_err());
        assert!(read_toml(&format!("[{key}]")).is_err());
    }

    #[test]
    fn deep_nesting_fails() {
        let deep = format!("a = {}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(read_toml(&deep).is_err());
    }
}
