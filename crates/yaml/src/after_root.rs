//! What go-yaml v2 reads after a document's root node when that node is a flow collection or
//! a quoted scalar.
//!
//! go-yaml decodes only the first document and stops its parser right after the root node, so
//! the text after it is never parsed. It is scanned, though, as far as libyaml's scanner must
//! look ahead before it hands out tokens: while the first queued token may still be a simple
//! key (a collection or a quoted scalar on one line is one until the line ends, unless the
//! scanner lost it), and always one token past the root. Scanning errors in that stretch fail
//! the document; a `:` that makes the root a mapping key changes what the root is. This module
//! replays libyaml's scanner over that stretch, from the state it is in after the root.
//!
//! The same replay of the scanner, run over a whole text, finds other places where libyaml and
//! saphyr-parser part (see the functions below), and builds the values of the scalars that
//! U+2028 and U+2029 run through ([`separator_scalars`]).

use std::collections::HashMap;

use crate::errors::Error;

/// What go-yaml makes of the text after the root.
#[derive(Debug)]
pub(crate) enum AfterRoot {
    /// The document ends with the root.
    Ends,
    /// Scanning fails, with go-yaml's error, the character index where it stopped, and whether
    /// that was still before the parser took the root's first token (while the root could be
    /// a key).
    Fails(Error, usize, bool),
    /// A `:` on the root's line makes the root the first key of a block mapping. When other
    /// tokens come between the root and the `:`, the parser fails at the first of them (its
    /// character index); with none, the mapping reads as saphyr-parser reads it.
    Key(Option<usize>),
}

/// The root node's place in the text.
#[derive(Clone, Copy)]
pub(crate) struct Root {
    /// Character index of the root's bracket or opening quote.
    pub open: usize,
    /// Character index just past the root.
    pub end: usize,
    /// Whether the root is an empty `{}` or `[]`.
    pub empty: bool,
    /// Whether the root is a block scalar (`|` or `>`): it is no simple key, and one may
    /// follow it.
    pub block: bool,
}

/// Token number of the root's first token; the tokens after the root count from 0.
const ROOT_TOKEN: i64 = -1;

/// How many tokens the look-ahead scans at most (libyaml stops at the end of the line anyway,
/// but a line may be long).
const MAX_TOKENS: usize = 1 << 20;

/// A possible simple key, per flow level, as libyaml keeps it.
#[derive(Clone, Copy)]
struct SimpleKey {
    possible: bool,
    required: bool,
    token: i64,
    index: usize,
    line: usize,
    column: usize,
}

impl SimpleKey {
    const NONE: SimpleKey = SimpleKey {
        possible: false,
        required: false,
        token: 0,
        index: 0,
        line: 0,
        column: 0,
    };
}

/// What kind of token the scanner fetched last, as far as finding a document's end needs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TokenKind {
    /// A node's anchor or tag.
    Property,
    /// A scalar, an alias or the end of a flow collection.
    Content,
    /// `---`, `...`, a directive or the end of the stream.
    Marker,
    /// Anything else (indicators, the start of a flow collection).
    Other,
}

/// Why scanning stopped early.
enum Stop {
    Fail(Error, usize),
    Key,
}

struct Scanner<'a> {
    chars: &'a [char],
    pos: usize,
    line: usize,
    column: usize,
    flow_level: usize,
    indent: i64,
    indents: Vec<i64>,
    key_allowed: bool,
    keys: Vec<SimpleKey>,
    /// libyaml's index from a token number to the flow level holding its simple key.
    keys_by_token: HashMap<i64, usize>,
    /// Tokens queued after the root.
    queued: i64,
    /// Where the first token after the root starts.
    first_token: Option<usize>,
    stream_end: bool,
    /// Where the last plain scalar's text ends (before the blanks after it).
    text_end: usize,
    /// Where the last quoted scalar starts and ends.
    last_quoted: (usize, usize),
    /// What the last token fetched was, and where it started.
    last_kind: TokenKind,
    last_start: usize,
    /// Whether a block collection was opened (an indentation level pushed).
    rolled: bool,
    /// Whether the parser has taken the root's tokens (a KEY token for the root then goes to
    /// the end of the queue).
    root_consumed: bool,
    /// Whether scalar values are built (see [`separator_scalars`]), and the scalars read so
    /// far that U+2028 or U+2029 line breaks run through: where each starts, and its value.
    build_values: bool,
    separator_scalars: Vec<(usize, String)>,
    /// Where block scalars start whose indicator stands at the block indentation's column.
    headers_at_indent: Vec<usize>,
    /// Where the first block scalar starts that follows a complete node (see
    /// [`block_scalar_after_node`]).
    header_after_node: Option<usize>,
    /// Where the required simple key starts whose missing `:` failed the scan.
    missing_colon_key: Option<usize>,
}

/// Replays libyaml's scanner after the root; `None` when the text before the root on its line
/// is not understood here (the caller keeps saphyr-parser's reading).
pub(crate) fn read_after_root(chars: &[char], root: &Root) -> Option<AfterRoot> {
    let open = root.open.min(chars.len());
    let end = root.end.clamp(open, chars.len());
    let line_start = |at: usize| {
        chars[..at]
            .iter()
            .rposition(|&c| is_break(c))
            .map_or(0, |i| i + 1)
    };
    // The root's first token is its first anchor or tag on its line, else its bracket or quote.
    let open_line = line_start(open);
    let mut first = open;
    let mut after_marker = false;
    let mut i = open_line;
    while i < open {
        let c = chars[i];
        if c == ' ' || c == '\t' || (c == '\u{feff}' && i == open_line) {
            i += 1;
            continue;
        }
        let word_end = (i..open).find(|&j| is_blank(chars[j])).unwrap_or(open);
        let word = &chars[i..word_end];
        if i == open_line && word == ['-', '-', '-'] {
            after_marker = true;
        } else if matches!(c, '&' | '!') {
            first = first.min(i);
        } else {
            return None;
        }
        i = word_end;
    }
    // On a later line than `---` the key is saved again at the bracket or quote (a new line
    // allows one), replacing a stale one saved at an anchor or a tag on an earlier line.
    let key_saved = !after_marker && !root.block;
    let line_of = |at: usize| {
        let text = &chars[..at];
        text.iter()
            .enumerate()
            .filter(|&(j, &c)| is_break(c) && !(c == '\r' && text.get(j + 1) == Some(&'\n')))
            .count()
    };
    let mut scanner = Scanner::new(chars);
    scanner.pos = end;
    scanner.line = line_of(end);
    scanner.column = end - line_start(end);
    scanner.key_allowed = root.block;
    if key_saved {
        scanner.keys[0] = SimpleKey {
            possible: true,
            required: false,
            token: ROOT_TOKEN,
            index: first,
            line: line_of(first),
            column: first - open_line,
        };
        // libyaml loses the simple key of an empty collection's own bracket when it closes
        // the collection (the flow level it opened had a placeholder key with the same token
        // number).
        if !(root.empty && first == open) {
            scanner.keys_by_token.insert(ROOT_TOKEN, 0);
        }
    }
    Some(match scanner.run() {
        Ok(()) => AfterRoot::Ends,
        Err(Stop::Fail(e, at)) => AfterRoot::Fails(e, at, !scanner.root_consumed),
        Err(Stop::Key) => AfterRoot::Key(scanner.first_token),
    })
}

/// The first document's root when it is a flow collection, a quoted or a plain scalar (after comments,
/// directives, a `---` and the node's anchor and tag), found by scanning its tokens:
/// saphyr-parser looks past such a node before reporting it, so its error about the text after
/// the node may come first. `None` when the root is something else or does not close.
pub(crate) fn root_extent(chars: &[char]) -> Option<Root> {
    let mut scanner = Scanner::new(chars);
    let mut marker = false;
    loop {
        scanner.scan_to_next_token();
        let c = scanner.at(0)?;
        let three = |a: char| {
            scanner.at(0) == Some(a) && scanner.at(1) == Some(a) && scanner.at(2) == Some(a)
        };
        if scanner.column == 0 && c == '%' && !marker {
            while !scanner.is_breakz(0) {
                scanner.skip();
            }
        } else if scanner.column == 0 && three('-') && scanner.is_blankz(3) && !marker {
            marker = true;
            for _ in 0..3 {
                scanner.skip();
            }
            scanner.key_allowed = false;
        } else if c == '&' || c == '!' {
            while !scanner.is_blankz(0) {
                scanner.skip();
            }
            scanner.key_allowed = false;
            // An alias right after an anchor or a tag on its line is no node of theirs: the
            // root is an empty scalar, and the alias comes after it.
            let line = scanner.line;
            let mut next = scanner.pos;
            while chars.get(next).is_some_and(|&c| is_blank(c)) {
                next += 1;
            }
            if chars.get(next) == Some(&'*') && scanner.line == line {
                return Some(Root {
                    open: next,
                    end: next,
                    empty: false,
                    block: false,
                });
            }
        } else if c == '*' {
            let open = scanner.pos;
            scanner.scan_anchor().ok()?;
            return Some(Root {
                open,
                end: scanner.pos,
                empty: false,
                block: false,
            });
        } else if c == '"' || c == '\'' {
            let open = scanner.pos;
            scanner.scan_quoted(c == '\'').ok()?;
            return Some(Root {
                open,
                end: scanner.pos,
                empty: false,
                block: false,
            });
        } else if c == '[' || c == '{' {
            let open = scanner.pos;
            let before = scanner.queued;
            let mut fetched = 0;
            loop {
                scanner.fetch_next(&mut fetched).ok()?;
                if scanner.stream_end {
                    return None;
                }
                if scanner.flow_level == 0 {
                    break;
                }
            }
            return Some(Root {
                open,
                end: scanner.pos,
                empty: scanner.queued - before == 2,
                block: false,
            });
        } else if (c == '|' || c == '>') && scanner.flow_level == 0 {
            let open = scanner.pos;
            scanner.scan_block_scalar().ok()?;
            return Some(Root {
                open,
                end: scanner.pos,
                empty: false,
                block: true,
            });
        } else if matches!(c, '-' | '?' | ':') && scanner.is_blankz(1) {
            // A block indicator: the root is a block collection.
            return None;
        } else if scanner.starts_plain(c) {
            let open = scanner.pos;
            scanner.scan_plain().ok()?;
            return Some(Root {
                open,
                end: scanner.text_end,
                empty: false,
                block: false,
            });
        } else {
            return None;
        }
    }
}

/// go-yaml's error scanning the directive that starts at character `at` (a directive line
/// after a document ends it, but is scanned first).
pub(crate) fn check_directive(chars: &[char], at: usize) -> Option<Error> {
    let mut scanner = Scanner::new(chars);
    scanner.pos = at;
    scanner.line = chars[..at.min(chars.len())]
        .iter()
        .enumerate()
        .filter(|&(j, &c)| is_break(c) && !(c == '\r' && chars.get(j + 1) == Some(&'\n')))
        .count();
    match scanner.fetch_directive() {
        Err(Stop::Fail(e, _)) => Some(e),
        _ => None,
    }
}

/// go-yaml's error reading the directives that start the stream (before the first document):
/// libyaml scans them one at a time, and its parser checks each as it comes (only `%YAML 1.1`,
/// at most one `%YAML` and one `%TAG` per handle). The error and the character index where
/// reading stopped.
pub(crate) fn leading_directives_error(chars: &[char]) -> Option<(Error, usize)> {
    let mut scanner = Scanner::new(chars);
    let mut version_seen = false;
    let mut handles: Vec<&[char]> = Vec::new();
    loop {
        scanner.scan_to_next_token();
        if scanner.column != 0 || scanner.at(0) != Some('%') {
            return None;
        }
        let (start, line) = (scanner.pos, scanner.line);
        if let Err(stop) = scanner.fetch_directive() {
            return match stop {
                Stop::Fail(e, at) => Some((e, at)),
                Stop::Key => None,
            };
        }
        // A parser error names the directive's 0-based line.
        let parser_error = |problem: &str| {
            let message = if line == 0 {
                problem.to_string()
            } else {
                format!("line {line}: {problem}")
            };
            Some((Error::yaml(message), start))
        };
        let text = &chars[start..scanner.pos];
        let words: Vec<&[char]> = text
            .split(|&c| is_blank(c) || is_break(c))
            .filter(|w| !w.is_empty())
            .collect();
        match words.first().map(|w| &w[1..]) {
            Some(['Y', 'A', 'M', 'L']) => {
                if version_seen {
                    return parser_error("found duplicate %YAML directive");
                }
                version_seen = true;
                let version = words.get(1).copied().unwrap_or_default();
                let mut parts = version.split(|&c| c == '.');
                let number = |part: Option<&[char]>| {
                    part.map(|p| {
                        p.iter()
                            .fold(0u32, |n, c| n * 10 + c.to_digit(10).unwrap_or(0))
                    })
                };
                if number(parts.next()) != Some(1) || number(parts.next()) != Some(1) {
                    return parser_error("found incompatible YAML document");
                }
            }
            Some(['T', 'A', 'G']) => {
                let handle = words.get(1).copied().unwrap_or_default();
                if handles.contains(&handle) {
                    return parser_error("found duplicate %TAG directive");
                }
                handles.push(handle);
            }
            _ => return None,
        }
    }
}

/// The scalars that U+2028 or U+2029 run through, as far as the text scans without error:
/// where each starts (its quote, its `|` or `>`, or its first character) and the value libyaml
/// reads. Both characters are line breaks to libyaml, as a line feed is, except in a scalar's
/// value, where it copies them as themselves and does not fold them into a space (see
/// [`ScalarValue`]); saphyr-parser (YAML 1.2) reads them as text.
pub(crate) fn separator_scalars(chars: &[char]) -> Vec<(usize, String)> {
    let mut scanner = Scanner::new(chars);
    scanner.build_values = true;
    let mut fetched = 0;
    while !scanner.stream_end && scanner.fetch_next(&mut fetched).is_ok() {}
    scanner.separator_scalars
}

/// Where a block scalar's `|` or `>` right after an indicator (`key:`, `-`) stands at the
/// column of the block collection it is in (`key:` then `|` on the next line at the key's
/// column), as far as the text scans without error. libyaml takes it as any block scalar;
/// saphyr-parser saves a simple key there, which it then requires (`could not find expected
/// ':'` at the next line after the scalar). With no scalar before it that a line more indented
/// would continue, one blank in front of the indicator changes nothing else.
pub(crate) fn block_headers_at_indent(chars: &[char]) -> Vec<usize> {
    let mut scanner = Scanner::new(chars);
    let mut fetched = 0;
    while !scanner.stream_end && scanner.fetch_next(&mut fetched).is_ok() {}
    scanner.headers_at_indent
}

/// Where the first block scalar's `|` or `>` follows a complete node (a scalar, an alias or a
/// flow collection: `key: value` then `|` on the next line, `args: []|`), when the text scans
/// without error through that scalar. libyaml's parser, wanting the collection's next key or
/// `-` (or the document's end) there, fails at the indicator; saphyr-parser fails later or
/// otherwise.
pub(crate) fn block_scalar_after_node(chars: &[char]) -> Option<usize> {
    let mut scanner = Scanner::new(chars);
    let mut fetched = 0;
    while !scanner.stream_end {
        scanner.fetch_next(&mut fetched).ok()?;
        if scanner.header_after_node.is_some() {
            return scanner.header_after_node;
        }
    }
    None
}

/// libyaml's error when the first document's scanner meets the `|` or `>` at character `at`
/// inside a flow collection (`{|}`, `[a, >b]`), where it starts no token (a block scalar only
/// starts in block context, and no plain scalar starts with it); saphyr-parser reads a plain
/// scalar there. `None` when scanning stops otherwise first or reads it as text.
pub(crate) fn block_indicator_in_flow(chars: &[char], at: usize) -> Option<Error> {
    let mut scanner = Scanner::new(chars);
    let mut fetched = 0;
    let mut content = false;
    while scanner.pos <= at && !scanner.stream_end {
        match scanner.fetch_next(&mut fetched) {
            Err(Stop::Fail(e, stop)) => {
                return (stop == at
                    && e.message()
                        .ends_with("found character that cannot start any token"))
                .then_some(e)
            }
            Err(Stop::Key) => return None,
            Ok(()) if scanner.last_kind == TokenKind::Marker => {
                if content {
                    // The first document ended.
                    return None;
                }
            }
            Ok(()) => content = true,
        }
    }
    None
}

/// Whether libyaml's parser wants a node at the token that starts at character `at`, as its
/// scanner reads the text before: no token before it, or an indicator (`:`, `-`, `?`, `,`,
/// `[`, `{`) or a document marker right before it (comments and plain scalar text that merely
/// ends with such a character do not count). `None` when scanning fails before `at`.
pub(crate) fn node_wanted_at(chars: &[char], at: usize) -> Option<bool> {
    let mut scanner = Scanner::new(chars);
    let mut fetched = 0;
    let mut before = None;
    while !scanner.stream_end {
        scanner.fetch_next(&mut fetched).ok()?;
        if scanner.last_start >= at {
            return Some(matches!(
                before,
                None | Some(TokenKind::Other | TokenKind::Marker)
            ));
        }
        before = Some(scanner.last_kind);
    }
    None
}

/// Scans from the start of the text through the token that starts at character `token`: the
/// first error go-yaml's scanner meets, with the character index where it stopped, or else the
/// first character of the token two before that one (the token before the one preceding it).
pub(crate) fn scan_through(chars: &[char], token: usize) -> Result<Option<char>, (Error, usize)> {
    let mut scanner = Scanner::new(chars);
    let mut fetched = 0;
    // The starts of the last two tokens fetched, the latest last.
    let mut before: [Option<usize>; 2] = [None, None];
    while !scanner.stream_end {
        match scanner.fetch_next(&mut fetched) {
            Err(Stop::Fail(e, at)) => return Err((e, at)),
            Err(Stop::Key) => return Ok(None),
            Ok(()) if scanner.last_start >= token => {
                return Ok(before[0].and_then(|at| chars.get(at).copied()))
            }
            Ok(()) if !scanner.stream_end => before = [before[1], Some(scanner.last_start)],
            Ok(()) => {}
        }
    }
    Ok(None)
}

/// Where the first document's root block collection ends because a line is indented less than
/// it (libyaml then closes every block collection, and the document with them): the character
/// index of that line's first token. `None` when the root is no block collection, when a
/// document marker, a directive or the end of the text closes it, when scanning fails first, or
/// when the token is not the first on its line.
pub(crate) fn block_root_dedent(chars: &[char]) -> Option<usize> {
    let mut scanner = Scanner::new(chars);
    let mut fetched = 0;
    loop {
        scanner.scan_to_next_token();
        if scanner.rolled && scanner.flow_level == 0 {
            // The root's column is the first indentation level pushed.
            let root_indent = match scanner.indents.len() {
                0 => return None,
                1 => scanner.indent,
                _ => scanner.indents[1],
            };
            if (scanner.column as i64) < root_indent {
                let at = scanner.pos;
                let c = scanner.at(0)?;
                let three = |a: char| {
                    scanner.at(0) == Some(a)
                        && scanner.at(1) == Some(a)
                        && scanner.at(2) == Some(a)
                        && scanner.is_blankz(3)
                };
                if scanner.column == 0 && (c == '%' || three('-') || three('.')) {
                    return None;
                }
                let from = chars[..at]
                    .iter()
                    .rposition(|&c| is_break(c))
                    .map_or(0, |i| i + 1);
                let blank = chars[from..at]
                    .iter()
                    .all(|&c| matches!(c, ' ' | '\t' | '\u{feff}'));
                return blank.then_some(at);
            }
        }
        scanner.fetch_next(&mut fetched).ok()?;
        if scanner.stream_end {
            return None;
        }
    }
}

/// What go-yaml's scanner reads after a root block collection that a line indented less than it
/// closed (see [`block_root_dedent`]; `line` is the character index where that line starts): the
/// parser asks for the token after the collection's end to see whether the document ends, so
/// that token is scanned, and more while it may still be a simple key. The error, with the
/// character index where scanning stopped, when that fails.
pub(crate) fn read_after_block_root(chars: &[char], line: usize) -> Result<(), (Error, usize)> {
    let mut scanner = Scanner::new(chars);
    scanner.pos = line.min(chars.len());
    scanner.line = chars[..scanner.pos]
        .iter()
        .enumerate()
        .filter(|&(j, &c)| is_break(c) && !(c == '\r' && chars.get(j + 1) == Some(&'\n')))
        .count();
    scanner.root_consumed = true;
    match scanner.run() {
        Err(Stop::Fail(e, at)) => Err((e, at)),
        Ok(()) | Err(Stop::Key) => Ok(()),
    }
}

/// The first scanner error go-yaml meets in the first document when its root is a block
/// collection (a root scalar or flow collection alone is left to `read_after_root`): the error and
/// the character index where scanning stopped, and when the error is a simple key's missing
/// `:`, where that key starts. saphyr-parser reads tabs otherwise (it accepts some as
/// indentation, and words its own refusals differently).
pub(crate) fn first_document_scan_error(chars: &[char]) -> Option<(Error, usize, Option<usize>)> {
    let mut scanner = Scanner::new(chars);
    let mut fetched = 0;
    let mut content_seen = false;
    let mut node_seen = false;
    // Where the root's first flow collection opens.
    let mut first_open: Option<usize> = None;
    let mut check_next = false;
    loop {
        if let Err(stop) = scanner.fetch_next(&mut fetched) {
            return match stop {
                Stop::Fail(e, at) => Some((e, at, scanner.missing_colon_key)),
                Stop::Key => None,
            };
        }
        if scanner.stream_end {
            return None;
        }
        if scanner.last_kind == TokenKind::Marker {
            if content_seen || node_seen || scanner.rolled {
                return None;
            }
            continue;
        }
        // An anchor or a tag alone is a node (an empty scalar) ended by a marker.
        node_seen |= scanner.last_kind == TokenKind::Property;
        if first_open.is_none() && matches!(chars[scanner.last_start], '[' | '{') {
            first_open = Some(scanner.last_start);
        }
        if scanner.rolled && scanner.indent == -1 {
            // The root collection ended.
            return None;
        }
        if check_next {
            if !scanner.rolled {
                // The root is one node, read by `read_after_root`.
                return None;
            }
            check_next = false;
        }
        if !content_seen
            && scanner.last_kind == TokenKind::Content
            && scanner.flow_level == 0
            && !scanner.rolled
        {
            if node_seen && chars[scanner.last_start] == '*' {
                // An alias after an anchor or a tag: the root was their empty node, and the
                // alias the token the parser looked at after it.
                return None;
            }
            let close = scanner.last_start;
            if matches!(chars[close], ']' | '}') {
                // libyaml loses the key of an empty `{}` or `[]` (see `read_after_root`): the
                // document is that collection even before a `:`.
                let inside = first_open.and_then(|open| chars.get(open + 1..close));
                let empty = inside.is_some_and(|text| text.iter().all(|c| c.is_whitespace()));
                if empty && !node_seen {
                    return None;
                }
            }
            content_seen = true;
            check_next = true;
        }
    }
}

/// Where go-yaml's scanner reads the tab at `at` as a mere blank: inside a quoted scalar
/// (where a continuation line's leading blanks are dropped) or inside a flow collection (where
/// indentation means nothing). The range returned (the scalar, or the outermost collection)
/// is one where every tab in a line's leading blanks is such a blank, scanning from the start.
pub(crate) fn blank_tab_range(chars: &[char], at: usize) -> Option<(usize, usize)> {
    let mut scanner = Scanner::new(chars);
    let mut fetched = 0;
    while scanner.pos <= at && !scanner.stream_end {
        let (from, in_flow) = (scanner.pos, scanner.flow_level > 0);
        scanner.fetch_next(&mut fetched).ok()?;
        if in_flow && from <= at && at < scanner.pos {
            // The rest of the outermost collection: a scanning error ends the range there.
            while scanner.flow_level > 0 && !scanner.stream_end {
                if scanner.fetch_next(&mut fetched).is_err() {
                    break;
                }
            }
            return Some((from, scanner.pos.min(chars.len())));
        }
        let (start, end) = scanner.last_quoted;
        if start <= at && at < end {
            return Some((start, end));
        }
    }
    None
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn is_alpha(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

impl<'a> Scanner<'a> {
    /// A scanner at the start of the stream.
    fn new(chars: &'a [char]) -> Scanner<'a> {
        Scanner {
            chars,
            pos: 0,
            line: 0,
            column: 0,
            flow_level: 0,
            indent: -1,
            indents: Vec::new(),
            key_allowed: true,
            keys: vec![SimpleKey::NONE],
            keys_by_token: HashMap::new(),
            queued: 0,
            first_token: None,
            stream_end: false,
            text_end: 0,
            last_quoted: (0, 0),
            last_kind: TokenKind::Other,
            last_start: 0,
            rolled: false,
            root_consumed: false,
            build_values: false,
            separator_scalars: Vec::new(),
            headers_at_indent: Vec::new(),
            header_after_node: None,
            missing_colon_key: None,
        }
    }

    fn at(&self, offset: usize) -> Option<char> {
        self.chars
            .get(self.pos + offset)
            .copied()
            .filter(|&c| c != '\0')
    }

    fn is_z(&self, offset: usize) -> bool {
        self.at(offset).is_none()
    }

    fn is_blankz(&self, offset: usize) -> bool {
        self.at(offset).is_none_or(|c| is_blank(c) || is_break(c))
    }

    fn is_breakz(&self, offset: usize) -> bool {
        self.at(offset).is_none_or(is_break)
    }

    fn skip(&mut self) {
        self.pos += 1;
        self.column += 1;
    }

    /// Skips one line break (CR LF counts as one).
    fn skip_line(&mut self) {
        if self.at(0) == Some('\r') && self.at(1) == Some('\n') {
            self.pos += 2;
        } else {
            self.pos += 1;
        }
        self.line += 1;
        self.column = 0;
    }

    /// What libyaml's READ_LINE puts into a scalar's value for the line break here.
    fn break_text(&self) -> char {
        self.at(0)
            .filter(|&c| matches!(c, '\u{2028}' | '\u{2029}'))
            .unwrap_or('\n')
    }

    /// Keeps the value of the scalar from `start` to `end` when U+2028 or U+2029 occur in it
    /// (see [`separator_scalars`]), under the character index saphyr-parser's span of it
    /// holds.
    fn keep_value(&mut self, (start, end): (usize, usize), key: usize, value: ScalarValue) {
        if !self.build_values {
            return;
        }
        let text = &self.chars[start..end.min(self.chars.len())];
        if text.iter().any(|&c| matches!(c, '\u{2028}' | '\u{2029}')) {
            self.separator_scalars.push((key, value.text));
        }
    }

    /// go-yaml's text for a scanner error: the line of the position reached (counted from 1)
    /// unless that is the first line, else the context's line as libyaml keeps it (from 0).
    fn fail(&self, context_line: usize, problem: &str) -> Stop {
        let message = if self.line != 0 {
            format!("line {}: {problem}", self.line + 1)
        } else if context_line != 0 {
            format!("line {context_line}: {problem}")
        } else {
            problem.to_string()
        };
        Stop::Fail(Error::yaml(message), self.pos)
    }

    /// The parser asks for the token after the root: libyaml first finishes the look-ahead for
    /// the root's own simple key, then queues at least one token and reads on while the first
    /// one may still be a simple key.
    fn run(&mut self) -> Result<(), Stop> {
        let mut fetched = 0;
        while self.head_is_key(ROOT_TOKEN)? {
            self.fetch_next(&mut fetched)?;
        }
        self.root_consumed = true;
        if self.queued == 0 {
            self.fetch_next(&mut fetched)?;
        }
        while self.head_is_key(0)? {
            self.fetch_next(&mut fetched)?;
        }
        Ok(())
    }

    /// Whether the token numbered `token` at the head of the queue is a simple key still
    /// waiting for its `:` (a stale one is dropped, or fails when required).
    fn head_is_key(&mut self, token: i64) -> Result<bool, Stop> {
        if self.stream_end {
            return Ok(false);
        }
        let Some(&level) = self.keys_by_token.get(&token) else {
            return Ok(false);
        };
        self.key_is_valid(level)
    }

    /// libyaml's check of stale simple keys (see `fetch_next`).
    fn drop_stale_keys(&mut self) -> Result<(), Stop> {
        self.key_is_valid(0)?;
        if self.keys.len() > 1 {
            self.key_is_valid(self.keys.len() - 1)?;
        }
        Ok(())
    }

    fn key_is_valid(&mut self, level: usize) -> Result<bool, Stop> {
        let key = self.keys[level];
        if !key.possible {
            return Ok(false);
        }
        if key.line < self.line || key.index + 1024 < self.pos {
            if key.required {
                self.missing_colon_key = Some(key.index);
                return Err(self.fail(key.line, "could not find expected ':'"));
            }
            self.keys[level].possible = false;
            return Ok(false);
        }
        Ok(true)
    }

    fn queue(&mut self, start: usize) {
        if self.first_token.is_none() {
            self.first_token = Some(start);
        }
        self.queued += 1;
    }

    fn fetch_next(&mut self, fetched: &mut usize) -> Result<(), Stop> {
        *fetched += 1;
        if *fetched > MAX_TOKENS {
            // Not reached by libyaml's own limits either way; stop looking.
            self.stream_end = true;
            return Ok(());
        }
        // libyaml drops (or, when required, fails on) the simple keys a token on a later
        // line, or more than 1024 characters on, can no longer complete: where the last token
        // ended (before fetching more), then at the next token. Only a key of the block
        // context (level 0) can be required; the innermost one is the next to use (the levels
        // between are checked when their flow collections close).
        self.drop_stale_keys()?;
        self.scan_to_next_token();
        self.drop_stale_keys()?;
        self.unroll_indent(self.column as i64);
        let Some(c) = self.at(0) else {
            self.last_kind = TokenKind::Marker;
            return self.fetch_stream_end();
        };
        self.last_start = self.pos;
        let previous = self.last_kind;
        self.last_kind = match c {
            '*' | ']' | '}' | '\'' | '"' => TokenKind::Content,
            '&' | '!' => TokenKind::Property,
            '[' | '{' | ',' | '-' | '?' | ':' => TokenKind::Other,
            _ => TokenKind::Content,
        };
        let three =
            |a: char| self.at(0) == Some(a) && self.at(1) == Some(a) && self.at(2) == Some(a);
        if self.column == 0 && c == '%' {
            self.last_kind = TokenKind::Marker;
            return self.fetch_directive();
        }
        if self.column == 0 && (three('-') || three('.')) && self.is_blankz(3) {
            self.last_kind = TokenKind::Marker;
            self.unroll_indent(-1);
            self.remove_key()?;
            self.key_allowed = false;
            self.queue(self.pos);
            self.pos += 3;
            self.column += 3;
            return Ok(());
        }
        let blank_next = self.is_blankz(1);
        match c {
            '[' | '{' => {
                self.save_key()?;
                self.keys.push(SimpleKey {
                    token: self.queued,
                    ..SimpleKey::NONE
                });
                self.flow_level += 1;
                self.key_allowed = true;
                self.queue(self.pos);
                self.skip();
            }
            ']' | '}' => {
                self.remove_key()?;
                if self.flow_level > 0 {
                    self.flow_level -= 1;
                    if let Some(key) = self.keys.pop() {
                        self.keys_by_token.remove(&key.token);
                    }
                }
                self.key_allowed = false;
                self.queue(self.pos);
                self.skip();
            }
            ',' => {
                self.remove_key()?;
                self.key_allowed = true;
                self.queue(self.pos);
                self.skip();
            }
            '-' if blank_next => {
                if self.flow_level == 0 {
                    if !self.key_allowed {
                        return Err(self.fail(
                            self.line,
                            "block sequence entries are not allowed in this context",
                        ));
                    }
                    self.roll_indent(self.column as i64);
                }
                self.remove_key()?;
                self.key_allowed = true;
                self.queue(self.pos);
                self.skip();
            }
            '?' if self.flow_level > 0 || blank_next => {
                if self.flow_level == 0 {
                    if !self.key_allowed {
                        return Err(
                            self.fail(self.line, "mapping keys are not allowed in this context")
                        );
                    }
                    self.roll_indent(self.column as i64);
                }
                self.remove_key()?;
                self.key_allowed = self.flow_level == 0;
                self.queue(self.pos);
                self.skip();
            }
            ':' if self.flow_level > 0 || blank_next => self.fetch_value()?,
            '*' | '&' => {
                self.save_key()?;
                self.key_allowed = false;
                self.queue(self.pos);
                self.scan_anchor()?;
            }
            '!' => {
                self.save_key()?;
                self.key_allowed = false;
                self.queue(self.pos);
                self.scan_tag()?;
            }
            '|' | '>' if self.flow_level == 0 => {
                if self.column as i64 == self.indent && previous == TokenKind::Other {
                    self.headers_at_indent.push(self.pos);
                }
                if previous == TokenKind::Content && self.header_after_node.is_none() {
                    self.header_after_node = Some(self.pos);
                }
                self.remove_key()?;
                self.key_allowed = true;
                self.queue(self.pos);
                self.scan_block_scalar()?;
            }
            '\'' | '"' => {
                self.save_key()?;
                self.key_allowed = false;
                self.queue(self.pos);
                self.scan_quoted(c == '\'')?;
            }
            _ => {
                let plain = self.starts_plain(c);
                if !plain {
                    return Err(self.fail(self.line, "found character that cannot start any token"));
                }
                self.save_key()?;
                self.key_allowed = false;
                self.queue(self.pos);
                self.scan_plain()?;
            }
        }
        Ok(())
    }

    /// Whether `c` (at the current position) starts a plain scalar.
    fn starts_plain(&self, c: char) -> bool {
        let indicator = matches!(
            c,
            '-' | '?'
                | ':'
                | ','
                | '['
                | ']'
                | '{'
                | '}'
                | '#'
                | '&'
                | '*'
                | '!'
                | '|'
                | '>'
                | '\''
                | '"'
                | '%'
                | '@'
                | '`'
        );
        let blank_next = self.is_blankz(1);
        !(is_blank(c) || is_break(c) || indicator)
            || (c == '-' && !self.at(1).is_some_and(is_blank))
            || (self.flow_level == 0 && matches!(c, '?' | ':') && !blank_next)
    }

    fn scan_to_next_token(&mut self) {
        loop {
            if self.column == 0 && self.at(0) == Some('\u{feff}') {
                self.skip();
            }
            while let Some(c) = self.at(0) {
                if c == ' ' || (c == '\t' && (self.flow_level > 0 || !self.key_allowed)) {
                    self.skip();
                } else {
                    break;
                }
            }
            if self.at(0) == Some('#') {
                while !self.is_breakz(0) {
                    self.skip();
                }
            }
            if self.at(0).is_some_and(is_break) {
                self.skip_line();
                if self.flow_level == 0 {
                    self.key_allowed = true;
                }
            } else {
                break;
            }
        }
    }

    fn unroll_indent(&mut self, column: i64) {
        if self.flow_level > 0 {
            return;
        }
        while self.indent > column {
            self.queued += 1;
            self.indent = self.indents.pop().unwrap_or(-1);
        }
    }

    fn roll_indent(&mut self, column: i64) {
        if self.flow_level == 0 && self.indent < column {
            self.rolled = true;
            self.indents.push(self.indent);
            self.indent = column;
            self.queued += 1;
        }
    }

    fn save_key(&mut self) -> Result<(), Stop> {
        if !self.key_allowed {
            return Ok(());
        }
        let key = SimpleKey {
            possible: true,
            required: self.flow_level == 0 && self.indent == self.column as i64,
            token: self.queued,
            index: self.pos,
            line: self.line,
            column: self.column,
        };
        self.remove_key()?;
        let level = self.keys.len() - 1;
        self.keys[level] = key;
        self.keys_by_token.insert(key.token, level);
        Ok(())
    }

    fn remove_key(&mut self) -> Result<(), Stop> {
        let level = self.keys.len() - 1;
        let key = self.keys[level];
        if key.possible {
            if key.required {
                self.missing_colon_key = Some(key.index);
                return Err(self.fail(key.line, "could not find expected ':'"));
            }
            self.keys[level].possible = false;
            self.keys_by_token.remove(&key.token);
        }
        Ok(())
    }

    fn fetch_stream_end(&mut self) -> Result<(), Stop> {
        if self.column != 0 {
            self.column = 0;
            self.line += 1;
        }
        self.unroll_indent(-1);
        self.remove_key()?;
        self.key_allowed = false;
        self.queue(self.pos);
        self.stream_end = true;
        Ok(())
    }

    fn fetch_value(&mut self) -> Result<(), Stop> {
        let level = self.keys.len() - 1;
        if self.key_is_valid(level)? {
            let key = self.keys[level];
            if key.token == ROOT_TOKEN && !self.root_consumed {
                return Err(Stop::Key);
            }
            // The KEY token (and maybe a BLOCK-MAPPING-START) go in before the key.
            self.queued += 1;
            self.roll_indent(key.column as i64);
            self.keys[level].possible = false;
            self.keys_by_token.remove(&key.token);
            self.key_allowed = false;
        } else {
            if self.flow_level == 0 {
                if !self.key_allowed {
                    return Err(
                        self.fail(self.line, "mapping values are not allowed in this context")
                    );
                }
                self.roll_indent(self.column as i64);
            }
            self.key_allowed = self.flow_level == 0;
        }
        self.queue(self.pos);
        self.skip();
        Ok(())
    }

    fn fetch_directive(&mut self) -> Result<(), Stop> {
        self.unroll_indent(-1);
        self.remove_key()?;
        self.key_allowed = false;
        self.queue(self.pos);
        let start_line = self.line;
        self.skip();
        let name_start = self.pos;
        while self.at(0).is_some_and(is_alpha) {
            self.skip();
        }
        let name: String = self.chars[name_start..self.pos].iter().collect();
        if name.is_empty() {
            return Err(self.fail(start_line, "could not find expected directive name"));
        }
        if !self.is_blankz(0) {
            return Err(self.fail(start_line, "found unexpected non-alphabetical character"));
        }
        match name.as_str() {
            "YAML" => {
                self.skip_blanks();
                self.version_number(start_line)?;
                if self.at(0) != Some('.') {
                    return Err(
                        self.fail(start_line, "did not find expected digit or '.' character")
                    );
                }
                self.skip();
                self.version_number(start_line)?;
            }
            "TAG" => {
                self.skip_blanks();
                self.tag_handle(true, start_line)?;
                if !self.at(0).is_some_and(is_blank) {
                    return Err(self.fail(start_line, "did not find expected whitespace"));
                }
                self.skip_blanks();
                self.tag_uri(true, false, start_line)?;
                if !self.is_blankz(0) {
                    return Err(
                        self.fail(start_line, "did not find expected whitespace or line break")
                    );
                }
            }
            _ => return Err(self.fail(start_line, "found unknown directive name")),
        }
        self.finish_line(start_line)?;
        Ok(())
    }

    /// After a directive or a block scalar's header: blanks, maybe a comment, then the end of
    /// the line.
    fn finish_line(&mut self, start_line: usize) -> Result<(), Stop> {
        self.skip_blanks();
        self.skip_comment();
        if !self.is_breakz(0) {
            return Err(self.fail(start_line, "did not find expected comment or line break"));
        }
        if !self.is_z(0) {
            self.skip_line();
        }
        Ok(())
    }

    fn skip_blanks(&mut self) {
        while self.at(0).is_some_and(is_blank) {
            self.skip();
        }
    }

    fn skip_comment(&mut self) {
        if self.at(0) == Some('#') {
            while !self.is_breakz(0) {
                self.skip();
            }
        }
    }

    fn version_number(&mut self, start_line: usize) -> Result<(), Stop> {
        let mut length = 0;
        while self.at(0).is_some_and(|c| c.is_ascii_digit()) {
            length += 1;
            if length > 2 {
                return Err(self.fail(start_line, "found extremely long version number"));
            }
            self.skip();
        }
        if length == 0 {
            return Err(self.fail(start_line, "did not find expected version number"));
        }
        Ok(())
    }

    fn scan_anchor(&mut self) -> Result<(), Stop> {
        let start_line = self.line;
        self.skip();
        let name_start = self.pos;
        while self.at(0).is_some_and(is_alpha) {
            self.skip();
        }
        let ends = self.is_blankz(0)
            || matches!(
                self.at(0),
                Some('?' | ':' | ',' | ']' | '}' | '%' | '@' | '`')
            );
        if self.pos == name_start || !ends {
            return Err(self.fail(
                start_line,
                "did not find expected alphabetic or numeric character",
            ));
        }
        Ok(())
    }

    fn scan_tag(&mut self) -> Result<(), Stop> {
        let start_line = self.line;
        if self.at(1) == Some('<') {
            self.skip();
            self.skip();
            self.tag_uri(false, false, start_line)?;
            if self.at(0) != Some('>') {
                return Err(self.fail(start_line, "did not find the expected '>'"));
            }
            self.skip();
        } else {
            let handle = self.tag_handle(false, start_line)?;
            let named = handle > 1 && self.chars[self.pos - 1] == '!';
            // A handle that is not `!name!` is the start of the suffix (`!foo` is `!` + `foo`),
            // so the tag is never empty (`!` alone is the non-specific tag).
            self.tag_uri(false, !named, start_line)?;
        }
        if !self.is_blankz(0) {
            return Err(self.fail(start_line, "did not find expected whitespace or line break"));
        }
        Ok(())
    }

    /// Scans `!`, `!!` or `!name!` (a directive's handle must end with `!` unless it is `!`);
    /// returns its length.
    fn tag_handle(&mut self, directive: bool, start_line: usize) -> Result<usize, Stop> {
        if self.at(0) != Some('!') {
            return Err(self.fail(start_line, "did not find expected '!'"));
        }
        let start = self.pos;
        self.skip();
        while self.at(0).is_some_and(is_alpha) {
            self.skip();
        }
        if self.at(0) == Some('!') {
            self.skip();
        } else if directive && self.pos - start != 1 {
            return Err(self.fail(start_line, "did not find expected '!'"));
        }
        Ok(self.pos - start)
    }

    /// Scans a tag's URI characters; `has_head` when the handle already gave some.
    fn tag_uri(&mut self, _directive: bool, has_head: bool, start_line: usize) -> Result<(), Stop> {
        let mut has_tag = has_head;
        while let Some(c) = self.at(0) {
            let uri = is_alpha(c)
                || matches!(
                    c,
                    ';' | '/'
                        | '?'
                        | ':'
                        | '@'
                        | '&'
                        | '='
                        | '+'
                        | '$'
                        | ','
                        | '.'
                        | '!'
                        | '~'
                        | '*'
                        | '\''
                        | '('
                        | ')'
                        | '['
                        | ']'
                        | '%'
                );
            if !uri {
                break;
            }
            if c == '%' {
                self.uri_escapes(start_line)?;
            } else {
                self.skip();
            }
            has_tag = true;
        }
        if !has_tag {
            return Err(self.fail(start_line, "did not find expected tag URI"));
        }
        Ok(())
    }

    fn uri_escapes(&mut self, start_line: usize) -> Result<(), Stop> {
        let mut width = 0;
        let mut first = true;
        while first || width > 0 {
            let hex = |o: usize| self.at(o).and_then(|c| c.to_digit(16));
            let (Some('%'), Some(hi), Some(lo)) = (self.at(0), hex(1), hex(2)) else {
                return Err(self.fail(start_line, "did not find URI escaped octet"));
            };
            let octet = (hi << 4) | lo;
            if first {
                width = match octet {
                    0x00..=0x7F => 1,
                    0xC0..=0xDF => 2,
                    0xE0..=0xEF => 3,
                    0xF0..=0xF7 => 4,
                    _ => {
                        return Err(self.fail(start_line, "found an incorrect leading UTF-8 octet"))
                    }
                };
                first = false;
            } else if octet & 0xC0 != 0x80 {
                return Err(self.fail(start_line, "found an incorrect trailing UTF-8 octet"));
            }
            self.skip();
            self.skip();
            self.skip();
            width -= 1;
        }
        Ok(())
    }

    fn scan_block_scalar(&mut self) -> Result<(), Stop> {
        let start = self.pos;
        let start_line = self.line;
        let literal = self.at(0) == Some('|');
        self.skip();
        let mut increment = 0;
        let mut chomping = Chomping::Clip;
        let digit = |c: Option<char>| c.and_then(|c| c.to_digit(10));
        let chomping_of = |c: Option<char>| match c {
            Some('+') => Some(Chomping::Keep),
            Some('-') => Some(Chomping::Strip),
            _ => None,
        };
        if let Some(indicator) = chomping_of(self.at(0)) {
            chomping = indicator;
            self.skip();
            if let Some(d) = digit(self.at(0)) {
                if d == 0 {
                    return Err(self.fail(start_line, "found an indentation indicator equal to 0"));
                }
                increment = d as i64;
                self.skip();
            }
        } else if let Some(d) = digit(self.at(0)) {
            if d == 0 {
                return Err(self.fail(start_line, "found an indentation indicator equal to 0"));
            }
            increment = d as i64;
            self.skip();
            if let Some(indicator) = chomping_of(self.at(0)) {
                chomping = indicator;
                self.skip();
            }
        }
        self.finish_line(start_line)?;
        let mut indent = if increment > 0 {
            if self.indent >= 0 {
                self.indent + increment
            } else {
                increment
            }
        } else {
            0
        };
        let mut value = ScalarValue::new(self.build_values);
        self.block_scalar_breaks(&mut indent, start_line, &mut value)?;
        let mut leading_blank = false;
        // saphyr-parser's span of a block scalar starts at its text (at its indicator when it
        // has none).
        let mut text_start = None;
        while self.column as i64 == indent && !self.is_z(0) {
            text_start.get_or_insert(self.pos);
            let trailing_blank = self.at(0).is_some_and(is_blank);
            value.join_block_line(literal, leading_blank, trailing_blank);
            leading_blank = trailing_blank;
            while let Some(c) = self.at(0).filter(|&c| !is_break(c)) {
                value.push(c);
                self.skip();
            }
            if !self.is_z(0) {
                value.line_break(self.break_text(), true);
                self.skip_line();
            }
            self.block_scalar_breaks(&mut indent, start_line, &mut value)?;
        }
        value.chomp(chomping);
        self.keep_value((start, self.pos), text_start.unwrap_or(start), value);
        Ok(())
    }

    fn block_scalar_breaks(
        &mut self,
        indent: &mut i64,
        start_line: usize,
        value: &mut ScalarValue,
    ) -> Result<(), Stop> {
        let mut max_indent = 0;
        loop {
            while (*indent == 0 || (self.column as i64) < *indent) && self.at(0) == Some(' ') {
                self.skip();
            }
            max_indent = max_indent.max(self.column as i64);
            if (*indent == 0 || (self.column as i64) < *indent) && self.at(0) == Some('\t') {
                return Err(self.fail(
                    start_line,
                    "found a tab character where an indentation space is expected",
                ));
            }
            if !self.at(0).is_some_and(is_break) {
                break;
            }
            value.line_break(self.break_text(), false);
            self.skip_line();
        }
        if *indent == 0 {
            *indent = max_indent.max(self.indent + 1).max(1);
        }
        Ok(())
    }

    fn scan_quoted(&mut self, single: bool) -> Result<(), Stop> {
        let start_line = self.line;
        let start = self.pos;
        let mut value = ScalarValue::new(self.build_values);
        self.skip();
        loop {
            let marker =
                |c: char| self.at(0) == Some(c) && self.at(1) == Some(c) && self.at(2) == Some(c);
            if self.column == 0 && (marker('-') || marker('.')) && self.is_blankz(3) {
                return Err(self.fail(start_line, "found unexpected document indicator"));
            }
            if self.is_z(0) {
                return Err(self.fail(start_line, "found unexpected end of stream"));
            }
            let mut leading_blanks = false;
            while !self.is_blankz(0) {
                let c = self.at(0).unwrap_or(' ');
                if single && c == '\'' && self.at(1) == Some('\'') {
                    value.push('\'');
                    self.skip();
                    self.skip();
                } else if (single && c == '\'') || (!single && c == '"') {
                    break;
                } else if !single && c == '\\' && self.at(1).is_some_and(is_break) {
                    // An escaped line break adds nothing itself; the breaks after it are kept.
                    self.skip();
                    self.skip_line();
                    leading_blanks = true;
                    break;
                } else if !single && c == '\\' {
                    let (length, escaped) = match self.at(1) {
                        Some('0') => (0, '\0'),
                        Some('a') => (0, '\u{7}'),
                        Some('b') => (0, '\u{8}'),
                        Some('t' | '\t') => (0, '\t'),
                        Some('n') => (0, '\n'),
                        Some('v') => (0, '\u{b}'),
                        Some('f') => (0, '\u{c}'),
                        Some('r') => (0, '\r'),
                        Some('e') => (0, '\u{1b}'),
                        Some(' ') => (0, ' '),
                        Some('"') => (0, '"'),
                        Some('\'') => (0, '\''),
                        Some('\\') => (0, '\\'),
                        Some('N') => (0, '\u{85}'),
                        Some('_') => (0, '\u{a0}'),
                        Some('L') => (0, '\u{2028}'),
                        Some('P') => (0, '\u{2029}'),
                        Some('x') => (2, '\0'),
                        Some('u') => (4, '\0'),
                        Some('U') => (8, '\0'),
                        _ => return Err(self.fail(start_line, "found unknown escape character")),
                    };
                    self.skip();
                    self.skip();
                    if length == 0 {
                        value.push(escaped);
                    } else {
                        let mut code: u32 = 0;
                        for k in 0..length {
                            let Some(d) = self.at(k).and_then(|c| c.to_digit(16)) else {
                                return Err(self
                                    .fail(start_line, "did not find expected hexdecimal number"));
                            };
                            code = (code << 4) | d;
                        }
                        // Surrogates and values past U+10FFFF are the only codes without a
                        // character.
                        let Some(escaped) = char::from_u32(code) else {
                            return Err(self
                                .fail(start_line, "found invalid Unicode character escape code"));
                        };
                        value.push(escaped);
                        for _ in 0..length {
                            self.skip();
                        }
                    }
                } else {
                    value.push(c);
                    self.skip();
                }
            }
            let c = self.at(0);
            if (single && c == Some('\'')) || (!single && c == Some('"')) {
                break;
            }
            while let Some(c) = self.at(0) {
                if is_blank(c) {
                    if !leading_blanks {
                        value.blank(c);
                    }
                    self.skip();
                } else if is_break(c) {
                    value.line_break(self.break_text(), !leading_blanks);
                    leading_blanks = true;
                    self.skip_line();
                } else {
                    break;
                }
            }
            value.join(leading_blanks);
        }
        self.skip();
        self.last_quoted = (start, self.pos);
        self.keep_value((start, self.pos), start, value);
        Ok(())
    }

    fn scan_plain(&mut self) -> Result<(), Stop> {
        let start = self.pos;
        let start_line = self.line;
        let indent = self.indent + 1;
        let mut leading_blanks = false;
        let mut value = ScalarValue::new(self.build_values);
        loop {
            let marker =
                |c: char| self.at(0) == Some(c) && self.at(1) == Some(c) && self.at(2) == Some(c);
            if self.column == 0 && (marker('-') || marker('.')) && self.is_blankz(3) {
                break;
            }
            if self.at(0) == Some('#') {
                break;
            }
            while !self.is_blankz(0) {
                let c = self.at(0).unwrap_or(' ');
                if (c == ':' && self.is_blankz(1))
                    || (self.flow_level > 0 && matches!(c, ',' | '?' | '[' | ']' | '{' | '}'))
                {
                    break;
                }
                value.join(leading_blanks);
                leading_blanks = false;
                value.push(c);
                self.skip();
                self.text_end = self.pos;
            }
            if !self.at(0).is_some_and(|c| is_blank(c) || is_break(c)) {
                break;
            }
            while let Some(c) = self.at(0) {
                if is_blank(c) {
                    if leading_blanks && (self.column as i64) < indent && c == '\t' {
                        return Err(self.fail(
                            start_line,
                            "found a tab character that violates indentation",
                        ));
                    }
                    if !leading_blanks {
                        value.blank(c);
                    }
                    self.skip();
                } else if is_break(c) {
                    value.line_break(self.break_text(), !leading_blanks);
                    leading_blanks = true;
                    self.skip_line();
                } else {
                    break;
                }
            }
            if self.flow_level == 0 && (self.column as i64) < indent {
                break;
            }
        }
        if leading_blanks {
            self.key_allowed = true;
        }
        self.keep_value((start, self.text_end), start, value);
        Ok(())
    }
}

/// What a block scalar's chomping indicator asks for its final line breaks.
#[derive(Clone, Copy)]
enum Chomping {
    /// `-`: none.
    Strip,
    /// No indicator: the first one.
    Clip,
    /// `+`: all.
    Keep,
}

/// A scalar's value as libyaml's scanner builds it, when asked to (see [`separator_scalars`]):
/// the text so far, and the blanks and line breaks read since its last character, which are
/// joined or folded once the next character comes. Breaks are kept as libyaml's READ_LINE
/// reads them: CR LF, CR, LF and NEL as "\n", U+2028 and U+2029 as themselves. Only a first
/// break that reads "\n" folds (into a space, or into nothing before more breaks); another
/// first break is kept with those after it.
struct ScalarValue {
    on: bool,
    text: String,
    whitespaces: String,
    leading_break: String,
    trailing_breaks: String,
}

impl ScalarValue {
    fn new(on: bool) -> ScalarValue {
        ScalarValue {
            on,
            text: String::new(),
            whitespaces: String::new(),
            leading_break: String::new(),
            trailing_breaks: String::new(),
        }
    }

    fn push(&mut self, c: char) {
        if self.on {
            self.text.push(c);
        }
    }

    /// A blank after the text on a line, kept if the line's text goes on.
    fn blank(&mut self, c: char) {
        if self.on {
            self.whitespaces.push(c);
        }
    }

    /// A line break as READ_LINE reads it: the first since the last text (the blanks before it
    /// then go), or one after that (a blank line).
    fn line_break(&mut self, c: char, first: bool) {
        if !self.on {
            return;
        }
        if first {
            self.whitespaces.clear();
            self.leading_break.push(c);
        } else {
            self.trailing_breaks.push(c);
        }
    }

    /// Before the next character of a flow or plain scalar: its line breaks folded (when
    /// `leading_blanks`, a break came since the last character), else the blanks kept.
    fn join(&mut self, leading_blanks: bool) {
        if !self.on {
            return;
        }
        if leading_blanks {
            self.add_breaks(true);
        } else {
            self.text.push_str(&self.whitespaces);
            self.whitespaces.clear();
        }
    }

    /// Before a block scalar's next line of text: a folded scalar folds the break between two
    /// lines that start without a blank.
    fn join_block_line(&mut self, literal: bool, leading_blank: bool, trailing_blank: bool) {
        if !self.on {
            return;
        }
        self.add_breaks(!literal && !leading_blank && !trailing_blank);
    }

    /// Adds the line breaks read since the last text: when they may fold, a first one that
    /// reads "\n" becomes a space alone, or nothing before more breaks; otherwise it is kept.
    fn add_breaks(&mut self, folds: bool) {
        if folds && self.leading_break.starts_with('\n') {
            if self.trailing_breaks.is_empty() {
                self.text.push(' ');
            }
        } else {
            self.text.push_str(&self.leading_break);
        }
        self.text.push_str(&self.trailing_breaks);
        self.leading_break.clear();
        self.trailing_breaks.clear();
    }

    /// A block scalar's final line breaks, as its chomping keeps them.
    fn chomp(&mut self, chomping: Chomping) {
        if !self.on {
            return;
        }
        if !matches!(chomping, Chomping::Strip) {
            self.text.push_str(&self.leading_break);
        }
        if matches!(chomping, Chomping::Keep) {
            self.text.push_str(&self.trailing_breaks);
        }
    }
}
