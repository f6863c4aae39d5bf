//! A fast reader for the block-style YAML that values files and rendered manifests are almost
//! always written in: nested block mappings and sequences of plain, quoted and block scalars,
//! with comments and blank lines.
//!
//! The full reader (`read.rs`) runs saphyr-parser, composes go-yaml's node tree with the checks
//! that make saphyr's YAML 1.2 read like libyaml's YAML 1.1, decodes Go values and converts them
//! as `sigs.k8s.io/yaml` does: about 300 instructions per byte, the largest cost of loading a
//! real chart. This reader goes from the text straight to values in one pass over its lines.
//!
//! It also reads flow collections closed on their own line, anchors and aliases, empty block
//! scalars, multi-line plain scalars, tabs in comment lines and a document start marker on the
//! first line. It answers only for texts it is sure of and gives up (`None`) on anything else:
//! tags, directives, other document markers, other tabs, carriage returns and control
//! characters, a byte order mark, multi-line quoted or flow nodes, multi-line plain scalars
//! with comments, `: ` or indicators at their lines' starts, merge keys, keys that are not
//! strings, duplicate keys, unusual block scalars, and every text the full reader would refuse.
//! The full reader then reads the text, with its error texts. Scalars are resolved by the same
//! rules the full reader uses (`resolve_plain`, `scalar_to_json` or `scalar_go_typed`), and
//! the tests check that both readers agree on every text this one accepts, in both modes.

use std::borrow::Cow;

use helmet_value::{Map, Value};

use crate::read::{scalar_go_typed, scalar_to_json};
use crate::resolve::{resolve_plain_unless_text, Scalar};

/// Nesting deeper than this is left to the full reader.
const MAX_DEPTH: usize = 64;

/// libyaml gives up looking for the `:` of a key after 1024 characters; longer keys are left
/// to the full reader.
const MAX_KEY_BYTES: usize = 1000;

/// Reads a text whose root is a block mapping; `None` when the full reader must decide.
/// Scalars become what encoding/json makes of them (numbers are `float64`).
pub(crate) fn read(src: &str) -> Option<Value> {
    read_as(src, Scalars::Json)
}

/// [`read`], with scalars keeping go-yaml's types as sigs.k8s.io/yaml hands them to a Go
/// struct (the full reader's `read_go_typed`): for `Chart.yaml` and the lock files.
pub(crate) fn read_go_typed(src: &str) -> Option<Value> {
    read_as(src, Scalars::GoTyped)
}

/// [`read`], for a rendered manifest whose head (`apiVersion`, `kind`, `metadata`) is all the
/// caller needs: the root mapping's other entries are read just as closely (the answer is
/// `Some` exactly when [`read`]'s is) but their values are left `Nil` instead of being built.
pub(crate) fn read_head(src: &str) -> Option<Value> {
    read_as(src, Scalars::Head)
}

/// What a resolved scalar becomes.
#[derive(Clone, Copy, PartialEq)]
enum Scalars {
    /// encoding/json's value: numbers `float64`, NaN and infinities refused (left to the full
    /// reader, which reports them).
    Json,
    /// go-yaml's own type: `int`, `uint64`, `float64` (NaN and infinities too).
    GoTyped,
    /// As `Json` inside the root mapping's head entries, `Checked` elsewhere.
    Head,
    /// As `Json`, but only checked: every node becomes `Nil`.
    Checked,
}

impl Scalars {
    fn value(self, scalar: Scalar) -> Option<Value> {
        match self {
            Scalars::Json | Scalars::Head => scalar_to_json(scalar).ok(),
            Scalars::GoTyped => Some(scalar_go_typed(scalar)),
            Scalars::Checked => scalar_to_json(scalar).ok().map(|_| Value::Nil),
        }
    }

    /// A plain scalar's value, resolved as the full reader resolves it; a string is built from
    /// the text once (resolving to a `String` first would copy it twice).
    fn plain(self, text: &str) -> Option<Value> {
        match resolve_plain_unless_text(text) {
            None => Some(self.text(text)),
            Some(scalar) => self.value(scalar),
        }
    }

    /// A string node.
    fn text(self, text: impl Into<std::sync::Arc<str>>) -> Value {
        match self {
            Scalars::Checked => Value::Nil,
            _ => Value::string(text),
        }
    }

    /// A mapping node.
    fn map(self, map: Map) -> Value {
        match self {
            Scalars::Checked => Value::Nil,
            _ => Value::map(map),
        }
    }

    /// A sequence node.
    fn list(self, items: Vec<Value>) -> Value {
        match self {
            Scalars::Checked => Value::Nil,
            _ => Value::list(items),
        }
    }

    /// How keys of flow mappings are read: always as strings.
    fn keys(self) -> Scalars {
        match self {
            Scalars::Checked | Scalars::Head => Scalars::Json,
            other => other,
        }
    }
}

fn read_as(src: &str, scalars: Scalars) -> Option<Value> {
    if !plain_characters(src) {
        return None;
    }
    let mut reader = Reader {
        src: src.as_bytes(),
        pos: 0,
        anchors: Vec::new(),
        aliases: 0,
        scalars,
    };
    let Some(mut indent) = reader.next_content_line() else {
        // Only blanks and comments: an empty document.
        return Some(Value::Nil);
    };
    if indent == usize::MAX {
        // A document start marker alone on the first line, as many values files begin.
        let end = reader.line_end(reader.pos);
        let line = &reader.src[reader.pos..end];
        if !line.starts_with(b"---") || !only_comment(&line[3..]) || end == reader.src.len() {
            return None;
        }
        reader.pos = end + 1;
        indent = reader.next_content_line()?;
        if indent == usize::MAX {
            return None;
        }
    }
    let start = reader.pos + indent;
    let root = match reader.src[start] {
        b'[' | b'{' => {
            // A flow collection alone on its line, with nothing but comments after it.
            let value = reader.flow_line(start, 0)?;
            if reader.next_content_line().is_some() {
                return None;
            }
            value
        }
        _ if reader.starts_entry(indent) => reader.block_seq(indent, 0)?,
        _ => reader.block_map_at(indent, start, 0)?,
    };
    if reader.pos < reader.src.len() {
        return None;
    }
    Some(root)
}

/// Whether the text holds only characters this reader handles: no tabs, carriage returns or
/// control characters, nothing libyaml treats as a line break besides `\n` (NEL, U+2028,
/// U+2029), no byte order mark and nothing libyaml refuses to read.
fn plain_characters(src: &str) -> bool {
    let bytes = src.as_bytes();
    let mut from = 0;
    while let Some(at) = first_control(&bytes[from..]) {
        let at = from + at;
        // A tab is read only in a line holding nothing but a comment (or, inside a block
        // scalar, a line of its text that starts with `#`, which keeps the tab either way).
        let line_start = bytes[..at]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line = &bytes[line_start..at];
        if bytes[at] != b'\t' || line.get(leading_blanks(line)) != Some(&b'#') {
            return false;
        }
        from = at + 1;
    }
    !has_refused_character(bytes)
}

/// Whether UTF-8 `bytes` hold U+0080..U+009F, U+2028, U+2029, U+FEFF, U+FFFE or U+FFFF. Their
/// encodings start with 0xC2, 0xE2 or 0xEF, which are looked for with `memchr3` rather than
/// decoding every character of the text.
fn has_refused_character(bytes: &[u8]) -> bool {
    memchr::memchr3_iter(0xC2, 0xE2, 0xEF, bytes).any(|at| {
        matches!(
            (bytes[at], bytes.get(at + 1), bytes.get(at + 2)),
            (0xC2, Some(0x80..=0x9F), _)
                | (0xE2, Some(0x80), Some(0xA8 | 0xA9))
                | (0xEF, Some(0xBB), Some(0xBF))
                | (0xEF, Some(0xBF), Some(0xBE | 0xBF))
        )
    })
}

/// The index of the first control character other than `\n` (or DEL) in `bytes`. Values files
/// are long and hold none, so the bytes are looked at 32 at a time without a branch per byte
/// and only a chunk holding one is searched. The two tests are gathered apart: folded into one
/// flag, the compiler no longer compares many bytes at once (8 instructions per byte instead of
/// under 1, measured).
fn first_control(bytes: &[u8]) -> Option<usize> {
    let control = |b: u8| (b < 0x20 && b != b'\n') || b == 0x7F;
    let mut chunks = bytes.chunks_exact(32);
    let mut offset = 0;
    for chunk in &mut chunks {
        let (mut low, mut del) = (false, false);
        for &b in chunk {
            low |= b < 0x20 && b != b'\n';
            del |= b == 0x7F;
        }
        if low | del {
            return chunk.iter().position(|&b| control(b)).map(|i| offset + i);
        }
        offset += 32;
    }
    let at = chunks.remainder().iter().position(|&b| control(b));
    at.map(|i| offset + i)
}

/// Which block collection a node sits in: a sequence may sit at the same indentation as the
/// key of a mapping that holds it, and an entry of a sequence may be a mapping begun on the
/// entry's own line.
#[derive(Clone, Copy, PartialEq)]
enum Parent {
    Map,
    Seq,
}

struct Reader<'a> {
    src: &'a [u8],
    /// The start of the current line (or the end of the text).
    pos: usize,
    /// The nodes anchored so far (`&name`), for aliases (`*name`) after them (`None` for one
    /// only checked, see [`read_head`]).
    anchors: Vec<(&'a [u8], Option<Value>)>,
    /// Aliases read so far: go-yaml refuses excessive aliasing, which is left to the full
    /// reader.
    aliases: usize,
    /// What scalars become.
    scalars: Scalars,
}

/// More aliases than this are left to the full reader (go-yaml's aliasing limits).
const MAX_ALIASES: usize = 100;

impl<'a> Reader<'a> {
    /// The end of the line starting at `from` (the index of its `\n`, or the text's end).
    fn line_end(&self, from: usize) -> usize {
        memchr::memchr(b'\n', &self.src[from..]).map_or(self.src.len(), |i| from + i)
    }

    /// Reads a flow collection starting at `start` that ends its line but for a comment, and
    /// moves to the next line.
    fn flow_line(&mut self, start: usize, depth: usize) -> Option<Value> {
        let end = self.line_end(self.pos);
        let (value, after) = flow(self.src, start, end, depth, self.scalars)?;
        if !only_comment(&self.src[after..end]) {
            return None;
        }
        self.pos = (end + 1).min(self.src.len());
        Some(value)
    }

    /// `value`, a node that ended on the line before `pos`, unless a deeper line follows: it
    /// would continue the node or be an error, both the full reader's to read.
    fn unless_deeper_follows(&mut self, indent: usize, value: Value) -> Option<Value> {
        match self.next_content_line() {
            Some(next) if next > indent && next != usize::MAX => None,
            _ => Some(value),
        }
    }

    /// Moves to the next line that holds a token, skipping blank and comment-only lines;
    /// returns its indentation, or `None` at the end of the text. A line starting a document
    /// marker or a directive is left to the full reader (`Some(usize::MAX)` ends every
    /// collection, and nothing accepts it).
    fn next_content_line(&mut self) -> Option<usize> {
        while self.pos < self.src.len() {
            let end = self.line_end(self.pos);
            let line = &self.src[self.pos..end];
            let indent = leading_blanks(line);
            match line.get(indent) {
                None | Some(b'#') => {}
                Some(_) if indent == 0 && marker_line(line) => return Some(usize::MAX),
                Some(_) => return Some(indent),
            }
            self.pos = (end + 1).min(self.src.len());
        }
        None
    }

    /// Whether the line at `pos` with this indentation starts a sequence entry (`-` then a
    /// blank or the line's end).
    fn starts_entry(&self, indent: usize) -> bool {
        let at = self.pos + indent;
        self.src.get(at) == Some(&b'-') && matches!(self.src.get(at + 1), None | Some(b' ' | b'\n'))
    }

    /// A block mapping whose entries start at column `indent` and whose first key starts at
    /// `at` on the current line.
    fn block_map_at(&mut self, indent: usize, at: usize, depth: usize) -> Option<Value> {
        let first = key(self.src, at, self.line_end(self.pos))?;
        self.block_map(indent, first, depth)
    }

    /// A block mapping whose entries start at column `indent`, given its first key (as [`key`]
    /// read it on the current line, after a sequence's `- ` for a mapping inside an entry).
    fn block_map(&mut self, indent: usize, first: (String, usize), depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        let mut map = Map::new();
        let mut next_key = Some(first);
        loop {
            let end = self.line_end(self.pos);
            let (key, after) = match next_key.take() {
                Some(read) => read,
                None => key(self.src, self.pos + indent, end)?,
            };
            let value = if self.scalars == Scalars::Head && depth == 0 {
                // The root's entries other than the head are only checked.
                let head = matches!(key.as_str(), "apiVersion" | "kind" | "metadata");
                self.scalars = if head {
                    Scalars::Json
                } else {
                    Scalars::Checked
                };
                let value = self.node_after(indent, Parent::Map, after, end, depth + 1);
                self.scalars = Scalars::Head;
                value?
            } else {
                self.node_after(indent, Parent::Map, after, end, depth + 1)?
            };
            if map.insert(key, value).is_some() {
                return None;
            }
            match self.next_content_line() {
                None => break,
                Some(next) if next == indent && !self.starts_entry(next) => {}
                Some(next) if next < indent => break,
                // A sequence entry or a deeper line where a key was expected.
                Some(_) => return None,
            }
        }
        Some(self.scalars.map(map))
    }

    /// A block sequence whose `-` indicators are at column `indent`, at the current line.
    fn block_seq(&mut self, indent: usize, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        let mut items = Vec::new();
        loop {
            let end = self.line_end(self.pos);
            let after = self.pos + indent + 1;
            let item = self.node_after(indent, Parent::Seq, after, end, depth + 1)?;
            if self.scalars != Scalars::Checked {
                items.push(item);
            }
            match self.next_content_line() {
                None => break,
                Some(next) if next == indent && self.starts_entry(next) => {}
                // A key of the mapping that holds this sequence at its own indentation.
                Some(next) if next <= indent => break,
                Some(_) => return None,
            }
        }
        Some(self.scalars.list(items))
    }

    /// The node after a key's `:` or an entry's `-` at `from` on the line ending at `end`,
    /// inside a block collection at column `indent`. Leaves `pos` at the line after the node.
    fn node_after(
        &mut self,
        indent: usize,
        parent: Parent,
        from: usize,
        end: usize,
        depth: usize,
    ) -> Option<Value> {
        let start = skip_blanks(self.src, from, end);
        let rest = &self.src[start..end];
        // A key's `:` and an entry's `-` are followed by a blank or the line's end, so a `#`
        // here starts a comment.
        if rest.is_empty() || rest[0] == b'#' {
            self.pos = (end + 1).min(self.src.len());
            return self.nested_node(indent, parent, depth);
        }
        let value = match rest[0] {
            b'&' => {
                // An anchor: the node after it, kept for aliases. One on a key of a mapping
                // begun on a sequence entry's line is left to the full reader.
                let src = self.src;
                let name = anchor_name(&src[start + 1..end])?;
                let after = start + 1 + name.len();
                let node = skip_blanks(src, after, end);
                // A second anchor or an alias on the anchored node is go-yaml's to judge.
                if matches!(src[..end].get(node), Some(b'&' | b'*')) {
                    return None;
                }
                if parent == Parent::Seq && key(src, node, end).is_some() {
                    return None;
                }
                let value = self.node_after(indent, parent, after, end, depth)?;
                let kept = (self.scalars != Scalars::Checked).then(|| value.clone());
                self.anchors.push((name, kept));
                return Some(value);
            }
            b'*' => {
                let name = anchor_name(&self.src[start + 1..end])?;
                let after = start + 1 + name.len();
                if !only_comment(&self.src[after..end]) || self.aliases >= MAX_ALIASES {
                    return None;
                }
                self.aliases += 1;
                let (_, anchored) = self.anchors.iter().rev().find(|(n, _)| *n == name)?;
                match anchored {
                    _ if self.scalars == Scalars::Checked => Value::Nil,
                    // A copy: templates change maps in place, and each alias is its own Go map.
                    Some(anchored) => anchored.deep_copy()?,
                    // Anchored where nodes were only checked: left to the full reader.
                    None => return None,
                }
            }
            b'-' if matches!(rest.get(1), None | Some(b' ')) => return None,
            b'|' | b'>' => return self.block_scalar(indent, start, end),
            _ if parent == Parent::Seq => match key(self.src, start, end) {
                // An entry holding a mapping whose first key is on the entry's line.
                Some(first) => return self.block_map(start - self.pos, first, depth),
                None => return self.scalar_node(indent, start, end),
            },
            _ => return self.scalar_node(indent, start, end),
        };
        self.pos = (end + 1).min(self.src.len());
        self.unless_deeper_follows(indent, value)
    }

    /// A scalar or flow collection starting at `start` on the line ending at `end`, as the
    /// node of a block collection at column `indent`: a plain scalar may go on over deeper
    /// lines. Leaves `pos` at the line after the node.
    fn scalar_node(&mut self, indent: usize, start: usize, end: usize) -> Option<Value> {
        let rest = &self.src[start..end];
        let plain = !matches!(rest[0], b'"' | b'\'' | b'[' | b'{');
        if plain && comment_start(rest).is_none() {
            if let Some(value) = self.multi_line_plain(indent, start, end) {
                return value;
            }
        }
        let value = self.scalar_on_line(start, end)?;
        self.pos = (end + 1).min(self.src.len());
        self.unless_deeper_follows(indent, value)
    }

    /// A plain scalar from `start` that goes on over the lines after the one ending at `end`
    /// (deeper than the collection at column `indent`), folded as go-yaml folds it: each line
    /// trimmed, a single line break read as a space, and `n` blank lines between two lines as
    /// `n` line breaks. `None` when no deeper line follows (a one-line scalar); `Some(None)`
    /// when the lines hold something left to the full reader (a comment, `: `, an indicator
    /// starting a line).
    fn multi_line_plain(
        &mut self,
        indent: usize,
        start: usize,
        end: usize,
    ) -> Option<Option<Value>> {
        let mut at = (end + 1).min(self.src.len());
        let mut text = String::new();
        let mut blanks = 0usize;
        let mut lines = 0usize;
        while at < self.src.len() {
            let line_end = self.line_end(at);
            let line = &self.src[at..line_end];
            let spaces = leading_blanks(line);
            if spaces == line.len() {
                blanks += 1;
            } else if spaces <= indent || line[spaces] == b'#' {
                // A line no deeper than the collection or a comment ends the scalar.
                break;
            } else {
                let content = trim_blanks_end(&line[spaces..]);
                if !plain_continues(content)
                    || comment_start(content).is_some()
                    || colon_space(content).is_some()
                    || content.ends_with(b":")
                {
                    return Some(None);
                }
                if lines == 0 {
                    let first = trim_blanks_end(&self.src[start..end]);
                    if !plain_continues(first)
                        || colon_space(first).is_some()
                        || first.ends_with(b":")
                    {
                        return Some(None);
                    }
                    text.push_str(std::str::from_utf8(first).ok()?);
                }
                if blanks == 0 {
                    text.push(' ');
                } else {
                    text.extend(std::iter::repeat_n('\n', blanks));
                }
                text.push_str(std::str::from_utf8(content).ok()?);
                lines += 1;
                blanks = 0;
            }
            if line_end >= self.src.len() {
                if spaces < line.len() {
                    // The text ends without a line break inside the scalar.
                    return Some(None);
                }
                at = line_end;
                break;
            }
            at = line_end + 1;
        }
        if lines == 0 {
            return None;
        }
        self.pos = at;
        let value = self.scalars.plain(&text);
        Some(value.and_then(|value| self.unless_deeper_follows(indent, value)))
    }

    /// A quoted or plain scalar or a flow collection from `start` to the end of the line
    /// (but for a comment).
    fn scalar_on_line(&self, start: usize, end: usize) -> Option<Value> {
        let rest = &self.src[start..end];
        Some(match rest[0] {
            b'"' | b'\'' => {
                let (text, after) = quoted(self.src, start, end)?;
                if !only_comment(&self.src[after..end]) {
                    return None;
                }
                self.scalars.text(text)
            }
            b'[' | b'{' => {
                let (value, after) = flow(self.src, start, end, 0, self.scalars)?;
                if !only_comment(&self.src[after..end]) {
                    return None;
                }
                value
            }
            _ => plain_value(rest, self.scalars)?,
        })
    }

    /// The node on the lines after a key or entry with nothing else on its line: a deeper
    /// mapping or sequence, a sequence at the key's own column, or null.
    fn nested_node(&mut self, indent: usize, parent: Parent, depth: usize) -> Option<Value> {
        match self.next_content_line() {
            Some(usize::MAX) => None,
            Some(next) if next > indent && matches!(self.src[self.pos + next], b'[' | b'{') => {
                // A flow collection alone on the line after its key.
                let value = self.flow_line(self.pos + next, depth)?;
                self.unless_deeper_follows(indent, value)
            }
            Some(next) if next > indent => {
                if self.starts_entry(next) {
                    self.block_seq(next, depth)
                } else {
                    self.block_map_at(next, self.pos + next, depth)
                }
            }
            Some(next) if next == indent && parent == Parent::Map && self.starts_entry(next) => {
                self.block_seq(next, depth)
            }
            _ => Some(Value::Nil),
        }
    }

    /// A literal (`|`) or folded (`>`) block scalar whose header starts at `start`, inside a
    /// block collection at column `indent`. Explicit indentation indicators, more-indented
    /// folded lines, blank lines longer than the indentation and scalars ending the text
    /// without a line break are left to the full reader.
    fn block_scalar(&mut self, indent: usize, start: usize, end: usize) -> Option<Value> {
        let literal = self.src[start] == b'|';
        let mut header = &self.src[start + 1..end];
        let chomp = match header.first() {
            Some(b'-') => Some(false),
            Some(b'+') => Some(true),
            _ => None,
        };
        if chomp.is_some() {
            header = &header[1..];
        }
        if !header.is_empty() && (header[0] != b' ' || !only_comment(header)) {
            return None;
        }
        if end >= self.src.len() {
            return None;
        }
        self.pos = end + 1;
        // Leading blank lines, then the first content line sets the indentation.
        let mut leading = 0usize;
        let mut longest_blank = 0usize;
        let content_indent = loop {
            if self.pos >= self.src.len() {
                break None;
            }
            let line_end = self.line_end(self.pos);
            let line = &self.src[self.pos..line_end];
            let spaces = leading_blanks(line);
            if spaces < line.len() {
                break Some(spaces);
            }
            leading += 1;
            longest_blank = longest_blank.max(spaces);
            if line_end >= self.src.len() {
                return None;
            }
            self.pos = line_end + 1;
        };
        let content_indent = match content_indent {
            Some(spaces) if spaces > indent => spaces,
            // No content: the text ends or a line no deeper than the collection (a key, an
            // entry or a comment) follows the header and its blank lines. Its value is empty
            // unless chomping keeps the line breaks; blank lines longer than the collection's
            // indentation would set the scalar's indentation and are left to the full reader.
            _ if chomp != Some(true) && longest_blank <= indent => {
                let empty = self.scalars.text("");
                return self.unless_deeper_follows(indent, empty);
            }
            _ => return None,
        };
        if longest_blank > content_indent || (!literal && leading > 0) {
            return None;
        }
        let mut text = String::new();
        for _ in 0..leading {
            text.push('\n');
        }
        let mut blanks = 0usize;
        let mut first = true;
        while self.pos < self.src.len() {
            let line_end = self.line_end(self.pos);
            let line = &self.src[self.pos..line_end];
            let spaces = leading_blanks(line);
            if spaces == line.len() {
                if spaces > content_indent {
                    return None;
                }
                blanks += 1;
            } else if spaces < content_indent {
                break;
            } else {
                let content = &line[content_indent..];
                if !literal && content[0] == b' ' {
                    return None;
                }
                if !first {
                    if literal || blanks > 0 {
                        let breaks = if literal { blanks + 1 } else { blanks };
                        text.extend(std::iter::repeat_n('\n', breaks));
                    } else {
                        text.push(' ');
                    }
                }
                text.push_str(std::str::from_utf8(content).ok()?);
                first = false;
                blanks = 0;
            }
            self.pos = (line_end + 1).min(self.src.len());
        }
        if self.pos >= self.src.len() && !self.src.ends_with(b"\n") {
            // Ends the text without a line break: libyaml's chomping differs there.
            return None;
        }
        match chomp {
            Some(false) => {}
            None => text.push('\n'),
            Some(true) => text.extend(std::iter::repeat_n('\n', blanks + 1)),
        }
        // The line that ended the scalar must continue an enclosing collection.
        let value = self.scalars.text(text);
        self.unless_deeper_follows(indent, value)
    }
}

/// The name of an anchor or alias at the start of `text` (after its `&` or `*`), as go-yaml
/// reads names, followed by a blank or the line's end.
fn anchor_name(text: &[u8]) -> Option<&[u8]> {
    let len = text
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_' || **b == b'-')
        .count();
    if len == 0 || !matches!(text.get(len), None | Some(b' ')) {
        return None;
    }
    Some(&text[..len])
}

/// How many blanks `bytes` starts with.
fn leading_blanks(bytes: &[u8]) -> usize {
    bytes.iter().take_while(|&&b| b == b' ').count()
}

/// The index of the first byte from `from` to `end` that is not a blank.
fn skip_blanks(src: &[u8], from: usize, end: usize) -> usize {
    from + leading_blanks(&src[from..end])
}

/// `text` without its trailing blanks.
fn trim_blanks_end(text: &[u8]) -> &[u8] {
    &text[..text.len() - text.iter().rev().take_while(|&&b| b == b' ').count()]
}

/// Whether a line at column 0 starts a document marker (`---`, `...`) or a directive (`%`).
fn marker_line(line: &[u8]) -> bool {
    line.first() == Some(&b'%')
        || ((line.starts_with(b"---") || line.starts_with(b"..."))
            && matches!(line.get(3), None | Some(b' ')))
}

/// Whether the rest of a line after a token is blanks and maybe a comment after a blank.
fn only_comment(rest: &[u8]) -> bool {
    let spaces = leading_blanks(rest);
    match rest.get(spaces) {
        None => true,
        Some(b'#') => spaces > 0,
        Some(_) => false,
    }
}

/// Whether a plain scalar may start with this byte in block context (indicators may not; `-`,
/// `?` and `:` may when a non-blank follows, but those are left to the full reader).
fn plain_start(b: u8) -> bool {
    !matches!(
        b,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    )
}

/// Whether a line of a multi-line plain scalar may start with these bytes: as a scalar's first
/// line may (`-`, `?` and `:` followed by a non-blank too).
fn plain_continues(content: &[u8]) -> bool {
    plain_start(content[0])
        || (matches!(content[0], b'-' | b'?' | b':')
            && !matches!(content.get(1), None | Some(b' ')))
}

/// A mapping key starting at `start` on the line ending at `end`: its text and where its
/// value starts (after the `:`). Plain keys must read as strings, as Helm's values keys do.
fn key(src: &[u8], start: usize, end: usize) -> Option<(String, usize)> {
    let first = *src.get(start)?;
    if first == b'"' || first == b'\'' {
        let (text, after) = quoted(src, start, end)?;
        let colon = skip_blanks(src, after, end);
        if src.get(colon) != Some(&b':') || !matches!(src.get(colon + 1), None | Some(b' ' | b'\n'))
        {
            return None;
        }
        return Some((text.into_owned(), colon + 1));
    }
    if !plain_start(first) {
        return None;
    }
    let line = &src[start..end];
    let mut i = 0;
    let colon = loop {
        let at = i + memchr::memchr2(b':', b'#', &line[i..])?;
        if line[at] == b'#' {
            if line[at - 1] == b' ' {
                return None;
            }
        } else if matches!(line.get(at + 1), None | Some(b' ')) {
            break at;
        }
        i = at + 1;
    };
    if colon > MAX_KEY_BYTES {
        return None;
    }
    let text = std::str::from_utf8(&line[..colon])
        .ok()?
        .trim_end_matches(' ');
    if text.is_empty() || text == "<<" {
        return None;
    }
    match resolve_plain_unless_text(text) {
        None => Some((text.to_string(), start + colon + 1)),
        Some(_) => None,
    }
}

/// A plain scalar filling the rest of a line (up to a comment), resolved as the full reader
/// resolves it; `None` where it is not one (a `: ` inside is a mapping the full reader refuses).
fn plain_value(rest: &[u8], scalars: Scalars) -> Option<Value> {
    // `-`, `?` and `:` start a plain scalar in block context when a non-blank follows.
    let indicator_start =
        matches!(rest[0], b'-' | b'?' | b':') && rest.len() > 1 && rest[1] != b' ';
    if !plain_start(rest[0]) && !indicator_start {
        return None;
    }
    let mut len = rest.len();
    if let Some(at) = comment_start(rest) {
        len = at;
    }
    let text = &rest[..len];
    let text = trim_blanks_end(text);
    if colon_space(text).is_some() || text.ends_with(b":") {
        return None;
    }
    let text = std::str::from_utf8(text).ok()?;
    scalars.plain(text)
}

/// Where ` #` first occurs in a line's bytes. Lines are short: `memchr` for the `#` (rare)
/// then a look at the byte before costs less than setting up a substring search per line.
fn comment_start(line: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'#', line)
        .find(|&at| at > 0 && line[at - 1] == b' ')
        .map(|at| at - 1)
}

/// Where `: ` first occurs in a line's bytes (see [`comment_start`]).
fn colon_space(line: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b':', line).find(|&at| line.get(at + 1) == Some(&b' '))
}

/// A flow collection (`[a, b]`, `{k: v}`) starting at `start` and closed on the same line,
/// holding plain and quoted scalars and flow collections: its value and the index after it.
/// Single-pair mappings in sequences (`[a: b]`), keys without values, `:` inside plain scalars
/// and everything else unusual are left to the full reader.
fn flow(
    src: &[u8],
    start: usize,
    end: usize,
    depth: usize,
    scalars: Scalars,
) -> Option<(Value, usize)> {
    if depth > MAX_DEPTH {
        return None;
    }
    let is_map = src[start] == b'{';
    let close = if is_map { b'}' } else { b']' };
    let mut items = Vec::new();
    let mut map = Map::new();
    let mut i = start + 1;
    loop {
        i = skip_blanks(src, i, end);
        if *src.get(i)? == close && i < end {
            i += 1;
            break;
        }
        let item_end = if is_map {
            let (key, after) = flow_scalar(src, i, end, true, scalars.keys())?;
            let Value::String(key) = key else {
                return None;
            };
            let colon = skip_blanks(src, after, end);
            if src.get(colon) != Some(&b':') || src.get(colon + 1) != Some(&b' ') {
                return None;
            }
            let at = skip_blanks(src, colon + 1, end);
            let (value, after) = flow_node(src, at, end, depth, scalars)?;
            if map.insert(key.to_string(), value).is_some() {
                return None;
            }
            after
        } else {
            let (value, after) = flow_node(src, i, end, depth, scalars)?;
            items.push(value);
            after
        };
        i = skip_blanks(src, item_end, end);
        match src[..end].get(i) {
            Some(b',') => i += 1,
            Some(&b) if b == close => {
                i += 1;
                break;
            }
            _ => return None,
        }
    }
    let value = if is_map {
        scalars.map(map)
    } else {
        scalars.list(items)
    };
    Some((value, i))
}

/// A node inside a flow collection: a nested collection or a scalar.
fn flow_node(
    src: &[u8],
    at: usize,
    end: usize,
    depth: usize,
    scalars: Scalars,
) -> Option<(Value, usize)> {
    match src[..end].get(at)? {
        b'[' | b'{' => flow(src, at, end, depth + 1, scalars),
        _ => flow_scalar(src, at, end, false, scalars),
    }
}

/// A plain or quoted scalar inside a flow collection. A plain one ends before `,`, `]`, `}`
/// or, for a mapping's key, before `: `; one holding `:` or another flow indicator is left to
/// the full reader.
fn flow_scalar(
    src: &[u8],
    at: usize,
    end: usize,
    key: bool,
    scalars: Scalars,
) -> Option<(Value, usize)> {
    let first = *src[..end].get(at)?;
    if first == b'"' || first == b'\'' {
        let (text, after) = quoted(src, at, end)?;
        return Some((scalars.text(text), after));
    }
    if !plain_start(first) {
        return None;
    }
    let len = src[at..end]
        .iter()
        .position(|&b| matches!(b, b',' | b']' | b'}' | b'[' | b'{' | b':' | b'#'))
        .unwrap_or(end - at);
    let ends_key = key && src[..end].get(at + len + 1) == Some(&b' ');
    match src[..end].get(at + len) {
        Some(b',' | b']' | b'}') => {}
        Some(b':') if ends_key => {}
        _ => return None,
    }
    let text = &src[at..at + len];
    let text = trim_blanks_end(text);
    let value = scalars.plain(std::str::from_utf8(text).ok()?)?;
    Some((value, at + text.len()))
}

/// A quoted scalar starting at `start` (at its quote) and closed on the same line: its text
/// and the index after the closing quote. Escapes beyond the common ones are left to the full
/// reader.
fn quoted(src: &[u8], start: usize, end: usize) -> Option<(Cow<'_, str>, usize)> {
    let quote = src[start];
    let special = |b: u8| b == quote || (quote == b'"' && b == b'\\');
    // Most quoted scalars hold no escape: their text is borrowed.
    let run = src[start + 1..end].iter().position(|&b| special(b))?;
    let close = start + 1 + run;
    let doubled = quote == b'\'' && src.get(close + 1) == Some(&b'\'') && close + 1 < end;
    if src[close] == quote && !doubled {
        let text = std::str::from_utf8(&src[start + 1..close]).ok()?;
        return Some((Cow::Borrowed(text), close + 1));
    }
    let mut text = String::new();
    let mut i = start + 1;
    loop {
        let run = src[i..end]
            .iter()
            .position(|&b| b == quote || (quote == b'"' && b == b'\\'))?;
        text.push_str(std::str::from_utf8(&src[i..i + run]).ok()?);
        i += run;
        if quote == b'\'' {
            if src.get(i + 1) == Some(&b'\'') && i + 1 < end {
                text.push('\'');
                i += 2;
                continue;
            }
            return Some((Cow::Owned(text), i + 1));
        }
        if src[i] == b'"' {
            return Some((Cow::Owned(text), i + 1));
        }
        let escape = *src[..end].get(i + 1)?;
        i += 2;
        let simple = match escape {
            b'0' => '\0',
            b'a' => '\u{7}',
            b'b' => '\u{8}',
            b't' => '\t',
            b'n' => '\n',
            b'v' => '\u{b}',
            b'f' => '\u{c}',
            b'r' => '\r',
            b'e' => '\u{1b}',
            b' ' => ' ',
            b'"' => '"',
            b'\\' => '\\',
            b'x' | b'u' | b'U' => {
                let digits = match escape {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                let hex = std::str::from_utf8(src[..end].get(i..i + digits)?).ok()?;
                if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                i += digits;
                char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
            }
            _ => return None,
        };
        text.push(simple);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_characters_are_found_as_decoding_finds_them() {
        let decoded = |text: &str| {
            text.chars().any(|c| {
                matches!(
                    c as u32,
                    0x80..=0x9F | 0x2028 | 0x2029 | 0xFEFF | 0xFFFE | 0xFFFF
                )
            })
        };
        let pieces = [
            "a",
            "é",
            "\u{80}",
            "\u{9F}",
            "\u{A0}",
            "\u{2027}",
            "\u{2028}",
            "\u{2029}",
            "\u{202A}",
            "\u{FEFF}",
            "\u{FEFE}",
            "\u{FFFD}",
            "\u{FFFE}",
            "\u{FFFF}",
            "\u{10000}",
            "日本",
            "€",
            "\u{C2}",
            "\u{EF}",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let text = format!("{a}{b}{c}");
                    assert_eq!(
                        has_refused_character(text.as_bytes()),
                        decoded(&text),
                        "{text:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn first_control_finds_what_a_byte_by_byte_search_finds() {
        let naive = |bytes: &[u8]| {
            bytes
                .iter()
                .position(|&b| (b < 0x20 && b != b'\n') || b == 0x7F)
        };
        for len in 0..100 {
            let mut text = vec![b'a'; len];
            for (i, b) in text.iter_mut().enumerate() {
                if i % 7 == 3 {
                    *b = b'\n';
                }
            }
            assert_eq!(first_control(&text), None, "{len}");
            for at in 0..len {
                for odd in [b'\t', b'\r', 0, 0x1F, 0x7F] {
                    let mut text = text.clone();
                    text[at] = odd;
                    if at + 1 < len {
                        // A second one later never hides the first.
                        text[len - 1] = b'\t';
                    }
                    assert_eq!(first_control(&text), naive(&text), "{len} {at} {odd}");
                }
            }
        }
    }

    fn same(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Nil, Value::Nil) => true,
            (Value::Bool(x), Value::Bool(y)) => x == y,
            (Value::Float64(x), Value::Float64(y)) => x.to_bits() == y.to_bits(),
            (Value::Int(x), Value::Int(y)) => x == y,
            (Value::Uint64(x), Value::Uint64(y)) => x == y,
            (Value::String(x), Value::String(y)) => x == y,
            (Value::List(x), Value::List(y)) => {
                x.elem == y.elem
                    && x.items.len() == y.items.len()
                    && x.items.iter().zip(&y.items).all(|(a, b)| same(a, b))
            }
            (Value::Map(x), Value::Map(y)) => {
                let (x, y) = (x.entries(), y.entries());
                x.len() == y.len()
                    && x.iter()
                        .zip(y.iter())
                        .all(|((ka, va), (kb, vb))| ka == kb && same(va, vb))
            }
            _ => false,
        }
    }

    /// Checks that whenever this reader answers, the full reader reads the same value, with
    /// scalars as encoding/json makes them and with go-yaml's types.
    pub(crate) fn agrees(src: &str) -> Result<bool, String> {
        agrees_go_typed(src)?;
        let fast = read(src);
        head_agrees(src, fast.as_ref())?;
        let Some(fast) = fast else {
            return Ok(false);
        };
        match crate::read::read_full(src, crate::Shape::Any) {
            Ok(full) if same(&fast, &full) => Ok(true),
            Ok(full) => Err(format!(
                "{src:?}: block reader {fast:?}, full reader {full:?}"
            )),
            Err(e) => Err(format!(
                "{src:?}: block reader {fast:?}, full reader fails: {e}"
            )),
        }
    }

    /// Checks that [`read_head`] answers exactly when [`read`] does (but where an alias names a
    /// node it only checked), with the same head entries and `Nil` for the root's others (or
    /// their values: a root flow mapping is read whole).
    fn head_agrees(src: &str, fast: Option<&Value>) -> Result<(), String> {
        let head = read_head(src);
        let agree = match (fast, &head) {
            (None, None) => true,
            (Some(_), None) => src.contains('*'),
            (None, Some(_)) => false,
            (Some(Value::Map(full)), Some(Value::Map(head))) => {
                let (full, head) = (full.entries(), head.entries());
                full.len() == head.len()
                    && full.iter().zip(head.iter()).all(|((kf, vf), (kh, vh))| {
                        kf == kh
                            && match kf.as_str() {
                                "apiVersion" | "kind" | "metadata" => same(vf, vh),
                                // A root flow mapping is read whole.
                                _ => matches!(vh, Value::Nil) || same(vf, vh),
                            }
                    })
            }
            (Some(full), Some(head)) => same(full, head),
        };
        if agree {
            Ok(())
        } else {
            Err(format!(
                "{src:?}: block reader {fast:?}, head only {head:?}"
            ))
        }
    }

    /// The head mode leaves the root's other entries `Nil`, reads the head entries whole, and
    /// gives up where a head entry aliases a node it only checked.
    /// The two-byte searches find what a substring search finds.
    #[test]
    fn pair_searches_find_the_first_pair() {
        for line in [
            "",
            "#",
            " #",
            "a #b #c",
            "a#b #",
            "::",
            ": ",
            "a:b: c: d",
            "#a # ",
            "a:",
        ] {
            let line = line.as_bytes();
            assert_eq!(comment_start(line), memchr::memmem::find(line, b" #"));
            assert_eq!(colon_space(line), memchr::memmem::find(line, b": "));
        }
    }

    #[test]
    fn reads_heads() {
        let src = "apiVersion: v1\nkind: &k ConfigMap\nmetadata:\n  name: x\n  labels: {a: b}\n\
                   data:\n  k: &v value\n  list: [1, 2]\n  again: *k\n";
        let head = read_head(src).unwrap();
        assert_eq!(head_agrees(src, read(src).as_ref()), Ok(()));
        assert!(matches!(head.map_get("data"), Some(Value::Nil)));
        assert!(matches!(head.map_get("kind"), Some(Value::String(k)) if &*k == "ConfigMap"));
        assert!(read_head("data: &v x\nkind: *v\n").is_none());
        assert!(read_head("data: x\nkind: .inf\n").is_none());
        assert!(read_head("data: .inf\nkind: x\n").is_none());
        assert!(read_head("data: {a: 1, a: 2}\nkind: x\n").is_none());
        assert!(read_head("- a\n- b\n").is_some());
    }

    /// [`agrees`] with go-yaml's scalar types (how `Chart.yaml` is read).
    fn agrees_go_typed(src: &str) -> Result<bool, String> {
        let Some(fast) = read_go_typed(src) else {
            return Ok(false);
        };
        match crate::read::read_go_typed_full(src) {
            Ok(full) if same(&fast, &full) => Ok(true),
            Ok(full) => Err(format!(
                "{src:?}: block reader (Go types) {fast:?}, full reader {full:?}"
            )),
            Err(e) => Err(format!(
                "{src:?}: block reader (Go types) {fast:?}, full reader fails: {e}"
            )),
        }
    }

    /// Scalars with go-yaml's types: integers stay `int` (`uint64` past `i64::MAX`), NaN and
    /// infinities are floats, as the full reader reads them.
    #[test]
    fn reads_go_typed_scalars() {
        for src in [
            "apiVersion: v2\nname: x\nversion: 1.0.0\nappVersion: 1.16\n",
            "a: 12\nb: 0x1F\nc: 18446744073709551615\nd: .nan\ne: -.inf\nf: [1, 2.5, .inf]\n",
            "g: {k: 3, m: yes}\n",
            "h: |\n  text\n",
            "k: one\n  two\nl: 1e3\n",
        ] {
            assert_eq!(agrees_go_typed(src), Ok(true), "{src:?}");
        }
        let typed = read_go_typed("a: 12\nb: 18446744073709551615\nc: .inf\n").unwrap();
        assert!(matches!(typed.map_get("a"), Some(Value::Int(12))));
        assert!(matches!(typed.map_get("b"), Some(Value::Uint64(u64::MAX))));
        assert!(matches!(typed.map_get("c"), Some(Value::Float64(f)) if f.is_infinite()));
        // encoding/json refuses infinities: left to the full reader, which reports it.
        assert!(read("c: .inf\n").is_none());
    }

    #[test]
    fn reads_what_the_full_reader_reads() {
        let accepted = [
            "a: 1\n",
            "a: b\nc:\n  d: [] # none\n  e: {}\n",
            "f: [1, \"two\", 'three', [], {}, [x]]\ng: { k: v, num: 1 , e: [] }\nh: [a,]\n",
            "list:\n- a\n- 'b''c'\n-\n- \"x\\ty\\u00e9\"\nnext: ~\n",
            "items:\n  - name: a\n    value: 1\n  - name: b\n",
            "s: |\n  one\n\n  two\n\nt: >-\n  folded\n  text\n\n  para\n",
            "k: |+\n  kept\n\n\nz: yes\n",
            "--- # values\n- a\n- b: :80\n",
            "{}\n# nothing else\n",
            "[a, {b: c}]\n",
            "# nothing\n\n",
            // An anchor ending an entry's line: the key check after it stays on that line.
            "a:\n- &x\n  b: 1\n- *x\n",
            "a:\n  {}\nb:\n  [x, y] # two\n",
            "a: &x 1\nb: *x\nc: &m\n  d: [1]\ne: *m\nf:\n- &s s\n- *s\n",
            "# comment\nkey : value # trailing\nurl: http://x/#y\n",
            "neg: -1\nf: 1.5e3\noct: 0o17\nhex: 0x1F\nstamp: 2001-12-14\n",
            // Empty block scalars: a key, an entry or a comment no deeper than the collection
            // follows the header.
            "a: |\n\nb: >-\n# note\nc: 1\n",
            "m:\n  crt: |\n\n  # key\n  key: |\n  \n  k: 1\n",
            "l:\n- |\n- >\n-\nz: |\n",
            "# a\tcomment\na: 1\n  #\tb\nc: |\n  #\tkept\n",
            // Multi-line plain scalars.
            "a: one\n two  \n\n   \n three\nb:\n- x\n  y\n  # c\n- &n 1\n  2\nc: d\n",
            "m:\n  k: -----BEGIN\n    AAA=\n    -----END\n  next: 1\n",
        ];
        for src in accepted {
            assert_eq!(agrees(src), Ok(true), "{src:?}");
        }
        let refused = [
            "a: *x\n",
            "a: &x\n- &y b: 1\n",
            "a: &x 1\nb: *x :\n",
            "- &y &y\n",
            "a: &x *x\n",
            "a: [1, 2\n  3]\n",
            "a: [b: c]\n",
            "a:\tb\n",
            "a: 1 #\tafter a value\n",
            // A byte order mark: the full reader counts columns after it its own way.
            "\u{feff}- |\n x\n",
            "a: b\r\n",
            "a: 1\n---\nb: 2\n",
            "{a: 1} {b: 2}\n",
            "{a: 1}\nb: 2\n",
            "1: x\n",
            "a: 1\na: 2\n",
            "a: b: c\n",
            "a: |2\n   x\n",
            "a: \"multi\n  line\"\n",
            "a: |\n  no final break",
            "a: one\n two # c\n",
            "a: one\n two: x\n",
            "a: one\n two",
            "a: one\n # c\n two\n",
            "a: one\n - two\n",
            "a: |+\n\nb: 1\n",
            "m:\n  a: |\n     \n  b: 1\n",
            "a: |",
            "a: |\n  ",
        ];
        for src in refused {
            assert_eq!(read(src).map(|_| ()), None, "{src:?}");
        }
    }

    /// Every YAML text of the repository (values files, YAML fixtures, each document of Helm's
    /// rendered goldens) and the texts `CORPUS_LIST` names (a file listing paths, one per
    /// line, e.g. real charts' files), each also with lines deleted, moved and re-indented.
    fn corpus() -> Vec<String> {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path
                    .extension()
                    .is_some_and(|e| e == "yaml" || e == "yml" || e == "golden" || e == "out")
                {
                    out.push(path);
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut paths = Vec::new();
        if std::env::var_os("CORPUS_ONLY").is_none() {
            walk(&root.join("fixtures"), &mut paths);
            walk(&root.join("charts"), &mut paths);
        }
        if let Ok(list) = std::env::var("CORPUS_LIST") {
            let list = std::fs::read_to_string(list).unwrap_or_default();
            paths.extend(list.lines().map(std::path::PathBuf::from));
        }
        let mut texts = Vec::new();
        for path in paths {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            for doc in text.split("\n---") {
                // Rendered output: drop the rest of a separator line (`# Source: ...`).
                let doc = doc.split_once('\n').map_or("", |(_, rest)| rest);
                texts.push(doc.to_string());
            }
            texts.push(text);
        }
        texts
    }

    /// Variants of a text with one line changed: every `step`-th line deleted, indented by
    /// one, dedented by one, doubled, or cut at its middle.
    fn mutations(text: &str, step: usize) -> Vec<String> {
        let lines: Vec<&str> = text.split('\n').collect();
        let mut out = Vec::new();
        for i in (0..lines.len()).step_by(step.max(1)) {
            let with = |replacement: Vec<String>| {
                let mut v: Vec<String> = lines[..i].iter().map(|l| l.to_string()).collect();
                v.extend(replacement);
                v.extend(lines[i + 1..].iter().map(|l| l.to_string()));
                v.join("\n")
            };
            let line = lines[i];
            out.push(with(vec![]));
            out.push(with(vec![format!(" {line}")]));
            out.push(with(vec![line
                .strip_prefix(' ')
                .unwrap_or(line)
                .to_string()]));
            out.push(with(vec![line.to_string(), line.to_string()]));
            let mut mid = line.len() / 2;
            while !line.is_char_boundary(mid) {
                mid += 1;
            }
            out.push(with(vec![line[..mid].to_string()]));
        }
        out
    }

    #[test]
    fn agrees_with_the_full_reader_on_every_text_it_reads() {
        let texts = corpus().into_iter().flat_map(|text| {
            let mut variants = vec![text.clone()];
            if text.len() < 4096 {
                variants.extend(mutations(&text, text.lines().count() / 8));
            }
            variants
        });
        let (read_fast, total) = all_agree(texts);
        eprintln!("block reader: {read_fast} of {total} texts");
    }

    /// Reads each of `texts` with both readers and fails with the first differences found;
    /// returns how many texts the block reader read, and how many there were.
    fn all_agree(texts: impl Iterator<Item = String>) -> (usize, usize) {
        let (mut read_fast, mut total, mut failures) = (0, 0, Vec::new());
        for text in texts {
            total += 1;
            match agrees(&text) {
                Ok(true) => read_fast += 1,
                Ok(false) => {}
                Err(e) => failures.push(e),
            }
        }
        assert!(
            failures.is_empty(),
            "{} differences:\n{}",
            failures.len(),
            failures[..failures.len().min(5)].join("\n")
        );
        (read_fast, total)
    }

    /// A small deterministic random number generator (xorshift) for generated texts.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }

        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.below(items.len())]
        }
    }

    /// Lines that may stand anywhere: blank lines with or without spaces, comments at any
    /// column, document markers.
    fn filler(rng: &mut Rng, out: &mut String) {
        match rng.below(12) {
            0 => out.push('\n'),
            1 => out.push_str(&format!("{}\n", " ".repeat(rng.below(7)))),
            2 => out.push_str(&format!("{}# note: a #b\n", " ".repeat(rng.below(7)))),
            4 => out.push_str(&format!("{}#\ttab\t\n", " ".repeat(rng.below(7)))),
            3 => out.push_str(rng.pick(&["---\n", "...\n", "--- # doc\n", "#\n"])),
            _ => {}
        }
    }

    /// A block scalar's header and lines for a node in a collection at column `indent`:
    /// content at varying indentation, blank lines with spaces, trailing spaces, comments.
    fn block_scalar_text(rng: &mut Rng, indent: usize, out: &mut String) {
        out.push_str(rng.pick(&["|", "|-", "|+", ">", ">-", ">+", "|2", "| # c"]));
        out.push('\n');
        let base = indent + rng.below(4);
        for _ in 0..rng.below(5) {
            match rng.below(6) {
                0 => out.push('\n'),
                1 => out.push_str(&format!("{}\n", " ".repeat(rng.below(base + 3)))),
                2 => out.push_str(&format!("{}# c :\td\n", " ".repeat(base + rng.below(2)))),
                _ => {
                    let extra = if rng.below(4) == 0 { rng.below(3) } else { 0 };
                    let trailing = " ".repeat(rng.below(2) * rng.below(3));
                    let text = rng.pick(&["line", "a: b", "x #y", "- item", "{k: v}", "'q'"]);
                    out.push_str(&format!("{}{text}{trailing}\n", " ".repeat(base + extra)));
                }
            }
        }
    }

    /// A node after a key or entry at column `indent`, written from the current line on.
    fn node_text(rng: &mut Rng, indent: usize, depth: usize, out: &mut String) {
        match rng.below(if depth > 3 { 4 } else { 7 }) {
            0 => {
                let scalar = rng.pick(&[
                    "x",
                    "1",
                    "true",
                    "a # c",
                    "a#b",
                    "http://h:80/#f",
                    "~",
                    "\"q # x\"",
                    "'it''s'",
                    "a: b",
                    "[1, a]",
                    "{k: v}",
                    "&a v",
                    "*a",
                    "- x",
                    "-1",
                ]);
                let trailing = " ".repeat(rng.below(2) * rng.below(3));
                out.push_str(&format!(" {scalar}{trailing}\n"));
                // Continuation lines: multi-line plain or quoted scalars.
                for _ in 0..rng.below(4) * rng.below(2) {
                    if rng.below(3) == 0 {
                        out.push_str(&format!("{}\n", " ".repeat(rng.below(indent + 4))));
                    }
                    let column = indent + rng.below(4);
                    let trailing = " ".repeat(rng.below(2) * rng.below(3));
                    let text = rng.pick(&[
                        "more text",
                        "a#b",
                        "x # c",
                        "k: v",
                        "end:",
                        "- x",
                        "1",
                        "'q'",
                        "#c",
                        "`cmd \\< $E`",
                        "[a]",
                        "---",
                        "...",
                    ]);
                    out.push_str(&format!("{}{text}{trailing}\n", " ".repeat(column)));
                }
            }
            1..=3 => {
                out.push(' ');
                block_scalar_text(rng, indent, out);
            }
            4 => {
                out.push('\n');
                filler(rng, out);
                let deeper = indent + 1 + rng.below(3);
                collection_text(rng, deeper, depth + 1, out);
            }
            5 => {
                out.push('\n');
                collection_text(rng, indent, depth + 1, out);
            }
            _ => out.push('\n'),
        }
    }

    /// A block mapping or sequence at column `indent`.
    fn collection_text(rng: &mut Rng, indent: usize, depth: usize, out: &mut String) {
        let seq = rng.below(3) == 0;
        for i in 0..1 + rng.below(4) {
            filler(rng, out);
            out.push_str(&" ".repeat(indent));
            if seq {
                out.push('-');
                node_text(rng, indent, depth, out);
            } else {
                let key = rng.pick(&["a", "b c", "k#x", "'q'", "\"d\"", "<<", "e"]);
                out.push_str(&format!("{key}{i}:"));
                node_text(rng, indent, depth, out);
            }
        }
    }

    /// Random texts of block collections holding block scalars (empty ones too), multi-line
    /// scalars, comments and blank lines at every column, trailing spaces and document
    /// markers: the two readers agree on each one the block reader reads, and it reads a good
    /// share of them.
    #[test]
    fn agrees_on_generated_texts() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let texts = (0..40_000).map(|_| {
            let mut text = String::new();
            collection_text(&mut rng, 0, 0, &mut text);
            text
        });
        let (read_fast, total) = all_agree(texts);
        assert!(read_fast > total / 10, "only {read_fast} of {total} read");
        eprintln!("block reader: {read_fast} of {total} generated texts");
    }

    /// Which lines make the block reader give up on the unmutated texts of `CORPUS_LIST`:
    /// `CORPUS_LIST=files.txt cargo test --release -p helmet-yaml --lib -- --ignored
    /// --nocapture block::tests::refusals`. A guide to what the fast path could learn next.
    #[test]
    #[ignore]
    fn refusals() {
        let mut read_fast = 0;
        let mut total = 0;
        for text in corpus() {
            total += 1;
            if read(&text).is_some() {
                read_fast += 1;
                continue;
            }
            if text.trim().is_empty() || crate::read::read_full(&text, crate::Shape::Any).is_err() {
                continue;
            }
            // The line after the longest prefix read (found by halving; prefixes cut inside
            // a block scalar or a nested node are refused too, so this finds the last one).
            let lines: Vec<&str> = text.split_inclusive('\n').collect();
            let prefix = |n: usize| lines[..n].concat();
            let (mut good, mut bad) = (0, lines.len());
            while bad - good > 1 {
                let mid = (good + bad) / 2;
                if read(&prefix(mid)).is_some() {
                    good = mid;
                } else {
                    bad = mid;
                }
            }
            eprintln!("REFUSED {:?}", lines[bad - 1].trim_end());
        }
        eprintln!("block reader: {read_fast} of {total} texts");
    }

    /// How many of the files `CORPUS_LIST` names (whole, unmutated) this reader reads, of
    /// those the full reader reads: `CORPUS_LIST=files.txt cargo test --release -p helmet-yaml
    /// --lib -- --ignored --nocapture block::tests::coverage`.
    #[test]
    #[ignore]
    fn coverage() {
        let list = std::env::var("CORPUS_LIST").unwrap_or_default();
        let list = std::fs::read_to_string(list).unwrap_or_default();
        let (mut files, mut full, mut fast) = (0, 0, 0);
        for path in list.lines() {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            files += 1;
            if crate::read::read_full(&text, crate::Shape::Any).is_ok() {
                full += 1;
                if read(&text).is_some() {
                    fast += 1;
                } else {
                    eprintln!("NOT READ {path}");
                }
            }
        }
        eprintln!("block reader: {fast} of {full} files the full reader reads ({files} files)");
    }

    /// The fast path must stay the common one: our chart's values are read by it.
    #[test]
    fn reads_the_todo_app_values() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../charts/todo-app/values.yaml"
        );
        let text = std::fs::read_to_string(path).unwrap();
        assert_eq!(agrees(&text), Ok(true));
    }
}
