//! Reading YAML the way Helm does: go-yaml v2 builds Go values from the first document, then
//! sigs.k8s.io/yaml turns them into JSON and encoding/json reads that JSON back.

use std::collections::HashMap;

use helmet_value::{Map, Value};
use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use crate::after_root::{
    blank_tab_range, block_headers_at_indent, block_indicator_in_flow, block_root_dedent,
    block_scalar_after_node, check_directive, first_document_scan_error, leading_directives_error,
    read_after_block_root, read_after_root, root_extent, scan_through, separator_scalars,
    AfterRoot, Root,
};
use crate::errors::{indentless_sequence, map_scan_error, Context, Error};
use crate::resolve::{resolve_plain, resolve_tagged, Scalar, TAG_PREFIX};
use crate::Shape;

/// Deepest nesting of collections accepted, to keep recursion bounded.
const MAX_DEPTH: usize = 1000;

/// How many bytes libyaml's reader decodes (and checks) at a time.
const READER_BLOCK: usize = 512;

/// How many times a text may be adjusted and parsed again (see `compose`).
const MAX_RETRIES: usize = 1000;

/// A node of the document tree, as go-yaml's parser composes it.
#[derive(Debug)]
enum Node {
    Scalar {
        value: String,
        /// Plain scalars are implicit: their type comes from their text.
        plain: bool,
        tag: Option<String>,
        /// Where the scalar is in the text (character indices, its anchor and tag included),
        /// for values replaced after composing (see `read_with`); empty for a scalar the text
        /// does not hold.
        span: (usize, usize),
    },
    Seq(Vec<usize>),
    Map(Vec<(usize, usize)>),
    Alias {
        name: String,
        target: usize,
    },
}

/// A Go value as go-yaml v2 decodes it into `interface{}`.
#[derive(Debug, Clone)]
enum GoValue {
    Scalar(Scalar),
    List(Vec<GoValue>),
    /// `map[interface{}]interface{}`: keys in insertion order, a later key replaces an earlier
    /// equal one.
    Map(Vec<(Scalar, GoValue)>),
}

/// Parses the first document of `src` into a tree; `None` for an empty stream.
/// Parses the first document; an error comes with the character index where the parser
/// stopped, when known.
fn compose(src: &str) -> Result<Tree, (Error, Option<usize>)> {
    if src.starts_with('%') || src.contains("\n%") {
        let chars: Vec<char> = src.chars().collect();
        if let Some((e, at)) = leading_directives_error(&chars) {
            return Err((e, Some(at)));
        }
    }
    if let Some(at) = stream_starts_with_document_end(src) {
        // go-yaml v2's parser starts an implicit document there and finds no node in it.
        let line = src[..at].matches('\n').count();
        let problem = "did not find expected node content";
        let e = if line == 0 {
            Error::yaml(problem.into())
        } else {
            Error::yaml(format!("line {line}: {problem}"))
        };
        return Err((e, Some(src[..at].chars().count())));
    }
    let failed = match compose_whole(src) {
        Ok(tree) => return Ok(tree),
        Err(e) => e,
    };
    if let Some(read) = compose_before_dedent(src, failed.1) {
        return read;
    }
    // go-yaml reads the first document only and never scans past a `...` line or a directive
    // that ends it, where saphyr-parser may fail on what follows: read the text up to there.
    let Some((cut, directive)) = first_document_end(src) else {
        return Err(failed);
    };
    if failed
        .1
        .is_some_and(|at| src.char_indices().nth(at).is_none_or(|(b, _)| b < cut))
    {
        return Err(failed);
    }
    match compose_whole(&src[..cut]) {
        // A directive line continues a root plain scalar.
        Ok(Some((nodes, root)))
            if directive
                && matches!(&nodes[root], Node::Scalar { plain: true, value, .. } if !value.is_empty()) =>
        {
            Err(failed)
        }
        Ok(tree) => {
            if directive {
                let chars: Vec<char> = src.chars().collect();
                let at = src[..cut].chars().count();
                if let Some(e) = check_directive(&chars, at) {
                    return Err((e, Some(at)));
                }
            }
            Ok(tree)
        }
        // go-yaml fails within the document, where the text after it does not matter.
        Err(e) => Err(e),
    }
}

/// go-yaml's reading of a document whose root block collection a less indented line closes
/// (see `block_root_dedent`), when saphyr-parser failed at that line or later (it wants a new
/// document there): the text before that line, then the scanner's look-ahead after it. `None`
/// when the root ends otherwise.
fn compose_before_dedent(
    src: &str,
    failed_at: Option<usize>,
) -> Option<Result<Tree, (Error, Option<usize>)>> {
    let failed_at = failed_at?;
    let chars: Vec<char> = src.chars().collect();
    let at = block_root_dedent(&chars)?;
    let cut = line_start(&chars, at);
    if failed_at < cut {
        return None;
    }
    let cut_byte = src.char_indices().nth(cut).map_or(src.len(), |(b, _)| b);
    let tree = match compose_whole(&src[..cut_byte]) {
        Ok(tree) => tree,
        Err(e) => return Some(Err(e)),
    };
    Some(match read_after_block_root(&chars, cut) {
        Ok(()) => Ok(tree),
        Err((e, stop)) => Err((e, Some(stop))),
    })
}

/// The byte index of a `...` marker that is the stream's first token (after blank and comment
/// lines).
fn stream_starts_with_document_end(src: &str) -> Option<usize> {
    let mut start = 0;
    for line in src.split_inclusive('\n') {
        let text = line.trim_start_matches(['\u{feff}']);
        let rest = text.trim_start_matches([' ', '\t', '\r', '\n']);
        if rest.is_empty() || rest.starts_with('#') {
            start += line.len();
            continue;
        }
        let marker = text.strip_prefix("...")?;
        return marker
            .chars()
            .next()
            .is_none_or(|c| c.is_whitespace())
            .then_some(start + (line.len() - text.len()));
    }
    None
}

/// Where the first document ends for go-yaml when a `...` line (kept) or a directive line
/// (not kept, `true`) follows its content: the byte index to cut the text at.
fn first_document_end(src: &str) -> Option<(usize, bool)> {
    let mut content = false;
    let mut start = 0;
    for line in src.split_inclusive('\n') {
        let marker = |m: &str| {
            line.strip_prefix(m)
                .is_some_and(|rest| rest.chars().next().is_none_or(|c| c.is_whitespace()))
        };
        if marker("...") {
            return content.then_some((start + 3, false));
        }
        if line.starts_with('%') {
            if content {
                return Some((start, true));
            }
        } else if marker("---") {
            if content {
                return None;
            }
            let rest = line[3..].trim_start_matches([' ', '\t']);
            content = !rest.is_empty() && !rest.starts_with('#') && !rest.starts_with(['\r', '\n']);
        } else {
            let rest = line.trim_start_matches([' ', '\t', '\u{feff}']);
            if !rest.is_empty() && !rest.starts_with('#') && !rest.starts_with(['\r', '\n']) {
                content = true;
            }
        }
        start += line.len();
    }
    None
}

fn compose_whole(src: &str) -> Result<Tree, (Error, Option<usize>)> {
    let mut patched: Option<String> = None;
    let mut indented_lines: Vec<usize> = Vec::new();
    let mut headers_shifted = false;
    // The blanks inserted so far, in order: where (a character index of the text then) and
    // how many, to give the scalars read the spans they have in `src`.
    let mut inserted: Vec<(usize, usize)> = Vec::new();
    // Where libyaml accepts text that saphyr-parser rejects, the text is adjusted without
    // changing its meaning or its line numbers, and parsed again.
    for _ in 0..MAX_RETRIES {
        let text = patched.as_deref().unwrap_or(src);
        match compose_once(text) {
            Err(Composed::Scan(e, context)) => {
                if let Some(failed) = block_scalar_misplaced(text, &e, context) {
                    return Err(failed);
                }
                let info = e.info();
                if info.contains("must be followed by a valid YAML whitespace") {
                    // A tab after `:` separates like a space in libyaml.
                    let mut chars: Vec<char> = text.chars().collect();
                    let i = e.marker().index();
                    let at = [i.wrapping_sub(1), i]
                        .into_iter()
                        .find(|&j| chars.get(j) == Some(&'\t'));
                    if let Some(j) = at {
                        chars[j] = ' ';
                        patched = Some(chars.into_iter().collect());
                        continue;
                    }
                }
                if info.contains("tab cannot be used as indentation")
                    || info.contains("tabs disallowed within this context")
                {
                    // In a quoted scalar a continuation line's leading tabs are blanks to libyaml,
                    // dropped like spaces, and in a flow collection indentation means nothing.
                    let mut chars: Vec<char> = text.chars().collect();
                    let i = e.marker().index();
                    // saphyr-parser points at the tab or just past it.
                    let at = [i, i.wrapping_sub(1)]
                        .into_iter()
                        .find(|&j| chars.get(j) == Some(&'\t'));
                    if let Some((from, to)) = at.and_then(|j| blank_tab_range(&chars, j)) {
                        // Every tab in the leading blanks of a line there, at once: a JSON text
                        // indented with tabs would take a parse per line otherwise.
                        let mut leading =
                            chars[..from].iter().rev().all(|&c| c == ' ' || c == '\t')
                                || chars[..from].iter().rev().find(|&&c| c != ' ' && c != '\t')
                                    == Some(&'\n');
                        for c in &mut chars[from..to] {
                            match *c {
                                '\n' | '\r' => leading = true,
                                '\t' if leading => *c = ' ',
                                ' ' => {}
                                _ => leading = false,
                            }
                        }
                        patched = Some(chars.into_iter().collect());
                        continue;
                    }
                }
                if info.contains("comments must be separated from other tokens by whitespace") {
                    // libyaml starts a comment at any `#` between tokens (`[a]# note`,
                    // `"a"# note`; vcluster's role.yaml): a blank before it changes nothing.
                    let mut chars: Vec<char> = text.chars().collect();
                    let i = e.marker().index();
                    let at = [i, i.wrapping_sub(1)]
                        .into_iter()
                        .find(|&j| chars.get(j) == Some(&'#'));
                    if let Some(j) = at {
                        chars.insert(j, ' ');
                        inserted.push((j, 1));
                        patched = Some(chars.into_iter().collect());
                        continue;
                    }
                }
                if (info == "invalid indentation"
                    || info == "invalid indentation in flow construct")
                    && matches!(context, Some(Context::FlowSeq | Context::FlowMap))
                {
                    // Inside `[...]` and `{...}` libyaml has no indentation at all, so a line
                    // left of the enclosing block (`args: [` ... `]` under `args`) is fine;
                    // a blank more in front of its first token changes nothing else.
                    let line = e.marker().line().saturating_sub(1);
                    let mut lines: Vec<&str> = text.split('\n').collect();
                    let doc_marker = lines.get(line).is_some_and(|l| {
                        (l.starts_with("---") || l.starts_with("..."))
                            && l[3..].chars().next().is_none_or(|c| c.is_whitespace())
                    });
                    if line < lines.len() && !doc_marker {
                        inserted.push((chars_before_line(&lines, line), 1));
                        let padded = format!(" {}", lines[line]);
                        lines[line] = &padded;
                        patched = Some(lines.join("\n"));
                        continue;
                    }
                }
                if info.contains("invalid indentation in quoted scalar") {
                    // libyaml does not check the indentation of a quoted scalar's continuation
                    // lines, whose leading blanks are dropped anyway: indent the next one.
                    let start = e.marker().line(); // 1-based line of the scalar = 0-based next
                    let col = e.marker().col();
                    let lines: Vec<&str> = text.split('\n').collect();
                    let next = (start..lines.len()).find(|&n| {
                        !indented_lines.contains(&n)
                            && lines[n].len() - lines[n].trim_start_matches(' ').len() <= col
                    });
                    if let Some(n) = next {
                        indented_lines.push(n);
                        inserted.push((chars_before_line(&lines, n), col + 1));
                        let pad = " ".repeat(col + 1);
                        let fixed: Vec<String> = lines
                            .iter()
                            .enumerate()
                            .map(|(i, l)| {
                                if i == n {
                                    format!("{pad}{l}")
                                } else {
                                    l.to_string()
                                }
                            })
                            .collect();
                        patched = Some(fixed.join("\n"));
                        continue;
                    }
                }
                if info.contains("simple key expect") && !headers_shifted {
                    // A block scalar's indicator at its collection's column (see
                    // `block_headers_at_indent`): shift each such one a column right.
                    headers_shifted = true;
                    let mut chars: Vec<char> = text.chars().collect();
                    let headers = block_headers_at_indent(&chars);
                    if !headers.is_empty() {
                        for &at in headers.iter().rev() {
                            chars.insert(at, ' ');
                            inserted.push((at, 1));
                        }
                        patched = Some(chars.into_iter().collect());
                        continue;
                    }
                }
                if info.contains("comment intercepting the multiline text") {
                    if let Some(failed) = comment_interception(text, &e, context) {
                        return Err(failed);
                    }
                }
                return Err((map_scan_error(text, &e, context), Some(e.marker().index())));
            }
            Err(Composed::Failed(e)) => return Err((e, None)),
            Err(Composed::FailedAt(e, at) | Composed::FailedAfterRoot(e, at, _)) => {
                return Err((e, Some(at)))
            }
            Ok(mut tree) => {
                if let Some((nodes, _)) = &mut tree {
                    spans_before_insertions(nodes, &inserted);
                }
                return Ok(tree);
            }
        }
    }
    Err((
        Error::yaml(format!(
            "more than {MAX_RETRIES} tab separators or under-indented quoted lines"
        )),
        None,
    ))
}

/// How many characters come before line `line` (from 0) of a text split at line feeds.
fn chars_before_line(lines: &[&str], line: usize) -> usize {
    lines[..line].iter().map(|l| l.chars().count() + 1).sum()
}

/// Moves the spans of scalars read from a text with blanks inserted (`inserted`, in the order
/// they were: where and how many) back to where they are in the text without them; an
/// inserted blank counts as the character after it.
fn spans_before_insertions(nodes: &mut [Node], inserted: &[(usize, usize)]) {
    if inserted.is_empty() {
        return;
    }
    let before = |mut at: usize| {
        for &(from, count) in inserted.iter().rev() {
            if at >= from + count {
                at -= count;
            } else if at >= from {
                at = from;
            }
        }
        at
    };
    for node in nodes {
        if let Node::Scalar { span, .. } = node {
            *span = (before(span.0), before(span.1));
        }
    }
}

/// libyaml's parser error at a block scalar that follows a complete node (see
/// `block_scalar_after_node`), when it comes before where saphyr-parser failed (both read the
/// text before it alike): the collection wants its next key or `-` there.
fn block_scalar_misplaced(
    text: &str,
    e: &saphyr_parser::ScanError,
    context: Option<Context>,
) -> Option<(Error, Option<usize>)> {
    if !text.contains(['|', '>']) {
        return None;
    }
    let chars: Vec<char> = text.chars().collect();
    let at = block_scalar_after_node(&chars).filter(|&at| at <= e.marker().index())?;
    let line = chars[..at].iter().filter(|&&c| c == '\n').count();
    let problem = match context {
        Some(Context::BlockSeq) if !indentless_sequence(text, line) => {
            "did not find expected '-' indicator"
        }
        Some(Context::BlockSeq | Context::BlockMap) => "did not find expected key",
        None => "did not find expected <document start>",
        Some(Context::FlowSeq | Context::FlowMap) => return None,
    };
    // A parser error: go-yaml prints libyaml's 0-based line.
    let error = if line == 0 {
        Error::yaml(problem.into())
    } else {
        Error::yaml(format!("line {line}: {problem}"))
    };
    Some((error, Some(at)))
}

/// libyaml's scanner error for a `|` or `>` that starts a token inside a flow collection, which
/// saphyr-parser reads as a plain scalar. Only a `|` or `>` right after `[`, `{` or `,` (blank
/// lines between allowed), or after `: ` on a line holding a `[` or `{` before it, is looked at
/// by the scanner.
fn flow_block_indicator_error(src: &str) -> Option<Error> {
    let bytes = src.as_bytes();
    let candidates = memchr::memchr2_iter(b'|', b'>', bytes).filter(|&i| {
        let before = &bytes[..i];
        let Some(p) = before
            .iter()
            .rposition(|&b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        else {
            return false;
        };
        match before[p] {
            b'[' | b'{' | b',' => true,
            b':' if p + 1 < i => {
                let line = before[..p]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |n| n + 1);
                before[line..p].iter().any(|&b| b == b'[' || b == b'{')
            }
            _ => false,
        }
    });
    let mut chars: Option<Vec<char>> = None;
    for at_byte in candidates {
        let chars = chars.get_or_insert_with(|| src.chars().collect());
        let at = src[..at_byte].chars().count();
        if let Some(e) = block_indicator_in_flow(chars, at) {
            return Some(e);
        }
    }
    None
}

/// Whether a go-yaml error text is one of its parser's (a token where the parser wants another).
fn is_parser_problem(message: &str) -> bool {
    [
        "did not find expected key",
        "did not find expected '-' indicator",
        "did not find expected node content",
        "did not find expected ',' or ']'",
        "did not find expected ',' or '}'",
        "did not find expected <document start>",
    ]
    .iter()
    .any(|p| message.ends_with(p))
}

/// libyaml ends a plain scalar at a comment, so the more indented line after it (which
/// saphyr-parser refuses as the scalar's continuation) holds the next token. The scanner fails
/// first when the scalar was a key it required (`could not find expected ':'`, as the next token
/// replaces that key) or on anything else before; otherwise the parser, wanting the block
/// collection's next key or `-`, finds that token.
fn comment_interception(
    text: &str,
    e: &saphyr_parser::ScanError,
    context: Option<Context>,
) -> Option<(Error, Option<usize>)> {
    let chars: Vec<char> = text.chars().collect();
    let from = e.marker().index().min(chars.len());
    let next_line = from + chars[from..].iter().position(|&c| c == '\n')? + 1;
    let token = next_line
        + chars[next_line..]
            .iter()
            .position(|&c| c != ' ' && c != '\t')?;
    let before_scalar = match scan_through(&chars, token) {
        Err((e, at)) => return Some((e, Some(at))),
        Ok(before) => before,
    };
    let scalar_line = chars[..from].iter().filter(|&&c| c == '\n').count();
    let problem = match context? {
        Context::BlockSeq if !indentless_sequence(text, scalar_line) => {
            "did not find expected '-' indicator"
        }
        Context::BlockSeq | Context::BlockMap => "did not find expected key",
        _ => return None,
    };
    // The parser fails at the scalar itself unless that is a node it wants (after `key:`, `-`
    // or `?`), else at the next token.
    let is_node = matches!(before_scalar, Some(':' | '-' | '?'));
    let line = if is_node {
        scalar_line + 1
    } else {
        scalar_line
    };
    if line == 0 {
        return Some((Error::yaml(problem.into()), Some(token)));
    }
    Some((Error::yaml(format!("line {line}: {problem}")), Some(token)))
}

/// Why composing stopped: a parser error (which may be retried) or a final error.
enum Composed {
    Scan(saphyr_parser::ScanError, Option<Context>),
    Failed(Error),
    /// A final error found at a known character index.
    FailedAt(Error, usize),
    /// A final error found at a known character index after the document's root, which ends
    /// at the last index: go-yaml's look-ahead past the root is replayed as a whole (see
    /// `after_root`), so the tab check stops at the root.
    FailedAfterRoot(Error, usize, usize),
}

type Tree = Option<(Vec<Node>, usize)>;

fn compose_once(src: &str) -> Result<Tree, Composed> {
    let chars: Vec<char> = src.chars().collect();
    let mut layout = Layout::default();
    let result = compose_events(src, &chars, &mut layout);
    // A tab that libyaml refuses, on a line saphyr-parser skips, comes first if it is before
    // where parsing stopped.
    let stop = match &result {
        Ok(_) => layout.stop.unwrap_or(chars.len()),
        Err(Composed::Scan(e, _)) => e.marker().index(),
        Err(Composed::FailedAt(_, at)) => *at,
        Err(Composed::FailedAfterRoot(_, _, root_end)) => *root_end,
        Err(Composed::Failed(_)) => chars.len(),
    };
    if let Some(e) = layout.tab_error(&chars, stop) {
        return Err(e);
    }
    result
}

/// What the tab check needs to know about the parsed text.
#[derive(Default)]
struct Layout {
    /// Every scalar: its char range, and for plain scalars in block context the column of
    /// the enclosing block collection (libyaml's indentation level).
    scalars: Vec<(usize, usize, Option<Option<usize>>)>,
    /// Char ranges of flow collections (tabs are blanks there).
    flows: Vec<(usize, usize)>,
    /// The scalars' ranges alone, for lookups.
    scalar_ranges: Vec<(usize, usize)>,
    /// Where go-yaml stops reading a document it ends early, after a root flow collection
    /// or quoted scalar (see `flow_key` and `after_root`).
    stop: Option<usize>,
}

impl Layout {
    /// libyaml's verdict on lines whose first non-space character is a tab and that hold
    /// nothing but blanks and maybe a comment, outside scalars and flow collections: after a
    /// plain scalar's trailing blank lines, a tab left of the indentation "violates
    /// indentation"; anywhere else a tab cannot start a token.
    fn tab_error(&mut self, chars: &[char], stop: usize) -> Option<Composed> {
        // Scalars come in document order and do not overlap; nested flow collections are
        // merged into their outermost range.
        self.scalar_ranges = self.scalars.iter().map(|&(s, e, _)| (s, e)).collect();
        self.flows.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for &(s, e) in &self.flows {
            match merged.last_mut() {
                Some(last) if s < last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        self.flows = merged;
        let mut line_start = 0;
        let mut line = 0;
        while line_start < chars.len() && line_start <= stop {
            let end = chars[line_start..]
                .iter()
                .position(|&c| c == '\n')
                .map_or(chars.len(), |n| line_start + n);
            let text = &chars[line_start..end];
            let spaces = text.iter().take_while(|&&c| c == ' ').count();
            // After a block indicator (`- `, `? `, `: ` at the start of a line) libyaml
            // expects a token where a tab cannot start one.
            let mut p = spaces;
            while p + 1 < text.len()
                && matches!(text[p], '-' | '?' | ':')
                && matches!(text[p + 1], ' ' | '\t')
                && !self.covers(line_start + p)
            {
                p += 1;
                while p < text.len() && text[p] == ' ' {
                    p += 1;
                }
                if p < text.len() && text[p] == '\t' {
                    return Some(tab_failure(
                        line,
                        "found character that cannot start any token",
                        line_start + p,
                    ));
                }
            }
            let rest: String = text[spaces..].iter().collect();
            let only_blanks = rest.trim_start_matches([' ', '\t']);
            if rest.starts_with('\t')
                && (only_blanks.is_empty() || only_blanks.starts_with('#') || only_blanks == "\r")
                && !self.covers(line_start)
            {
                let tab_col = spaces;
                match self.plain_before(chars, line_start) {
                    Some(indent) => {
                        if (tab_col as i64) < indent + 1 {
                            return Some(tab_failure(
                                line,
                                "found a tab character that violates indentation",
                                line_start + tab_col,
                            ));
                        }
                    }
                    None => {
                        return Some(tab_failure(
                            line,
                            "found character that cannot start any token",
                            line_start + tab_col,
                        ))
                    }
                }
            }
            line_start = end + 1;
            line += 1;
        }
        None
    }

    fn covers(&self, at: usize) -> bool {
        // Both lists hold disjoint ranges sorted by start (see `tab_error`).
        let inside = |ranges: &[(usize, usize)]| {
            let i = ranges.partition_point(|&(s, _)| s <= at);
            i > 0 && at < ranges[i - 1].1
        };
        inside(&self.scalar_ranges) || inside(&self.flows)
    }

    /// When the text between the last scalar before `at` and `at` is only whitespace and that
    /// scalar is plain in block context, the indentation level it was scanned at.
    fn plain_before(&self, chars: &[char], at: usize) -> Option<i64> {
        // Scalars are in document order, so their ends ascend too.
        let i = self.scalars.partition_point(|&(_, e, _)| e <= at);
        let &(_, end, plain) = self.scalars.get(i.checked_sub(1)?)?;
        let indent = plain?;
        let between = &chars[end.min(at)..at];
        if between
            .iter()
            .all(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
        {
            Some(indent.map_or(-1, |c| c as i64))
        } else {
            None
        }
    }
}

fn tab_failure(line: usize, problem: &str, at: usize) -> Composed {
    let e = if line == 0 {
        Error::yaml(problem.into())
    } else {
        Error::yaml(format!("line {}: {problem}", line + 1))
    };
    Composed::FailedAt(e, at)
}

fn compose_events(src: &str, chars: &[char], layout: &mut Layout) -> Result<Tree, Composed> {
    let mut blocks: Vec<usize> = Vec::new();
    let mut flow_starts: Vec<Option<usize>> = Vec::new();
    let mut nodes: Vec<Node> = Vec::new();
    let mut anchors: HashMap<usize, usize> = HashMap::new();
    // Open collections: node index and, for maps, a pending key.
    let mut stack: Vec<(usize, Option<usize>)> = Vec::new();
    let mut root: Option<usize> = None;
    let mut in_document = false;
    let mut contexts: Vec<Context> = Vec::new();
    // Where the document's root is when it is a flow collection or a quoted scalar.
    let mut root_end: Option<Root> = None;
    // A block collection whose column is not known yet: whether it is a sequence, and the
    // line of its anchor or tag.
    let mut pending_column: Option<(bool, usize)> = None;
    for item in Parser::new_from_str(src) {
        let (event, span) = match item {
            Ok(next) => next,
            Err(e) => {
                // saphyr-parser wants the document to end after a root flow collection or
                // quoted scalar; go-yaml ends it there and scans just what comes next.
                match root_end.and_then(|r| after_root(chars, &r, layout)) {
                    Some(Ok(())) => return Ok(root.map(|r| (nodes, r))),
                    Some(Err(e)) => return Err(e),
                    None => {}
                }
                // saphyr-parser reports a root collection or quoted scalar only once it knows
                // it is no mapping key, so its error about what follows may come first: read
                // the root alone, then what go-yaml scans after it.
                let extent = root_end.is_none().then(|| root_extent(chars)).flatten();
                if let Some(extent) = extent.filter(|r| r.end < chars.len()) {
                    if e.marker().index() >= extent.end {
                        let text: String = chars[..extent.end].iter().collect();
                        let mut root_layout = Layout::default();
                        let read = compose_events(&text, &chars[..extent.end], &mut root_layout);
                        if let Ok(Some(tree)) = read {
                            match after_root(chars, &extent, &mut root_layout) {
                                Some(Ok(())) => {
                                    *layout = root_layout;
                                    return Ok(Some(tree));
                                }
                                Some(Err(e)) => {
                                    *layout = root_layout;
                                    return Err(e);
                                }
                                None => {}
                            }
                        }
                    }
                }
                if e.info().contains("unknown anchor") && root_end.is_none() {
                    // As for the aliases checked below: the look-ahead comes first.
                    if let Some(failed) = root_lookahead_error(chars) {
                        return Err(failed);
                    }
                }
                return Err(Composed::Scan(e, contexts.last().copied()));
            }
        };
        if let Some((is_seq, line)) = pending_column.take() {
            // The first node of a block collection whose anchor or tag stood on an earlier
            // line: libyaml's indentation is the column of the first key or `-`.
            let node_event = matches!(
                event,
                Event::Scalar(..)
                    | Event::Alias(_)
                    | Event::SequenceStart(..)
                    | Event::MappingStart(..)
            );
            if node_event && span.start.line() != line {
                let start = span.start.index().min(chars.len());
                let from = line_start(chars, start);
                let column = if is_seq {
                    chars[from..start].iter().position(|&c| c == '-')
                } else {
                    Some(span.start.col())
                };
                if let (Some(column), Some(last)) = (column, blocks.last_mut()) {
                    *last = column;
                }
            }
        }
        let new_node = match event {
            Event::DocumentStart(_) => {
                in_document = true;
                continue;
            }
            Event::DocumentEnd => {
                if root.is_some() {
                    break;
                }
                in_document = false;
                continue;
            }
            Event::StreamEnd => break,
            Event::Nothing | Event::StreamStart => continue,
            Event::Alias(id) => {
                let name = alias_name(chars, span);
                check_anchor_name(&name, span).map_err(Composed::Failed)?;
                let Some(&target) = anchors.get(&id) else {
                    // go-yaml's parser fails there, after its scanner read the text before, and
                    // all of a root flow collection's line while that may still be a key.
                    if root_end.is_none() {
                        if let Some(e) = root_lookahead_error(chars) {
                            return Err(e);
                        }
                    }
                    return Err(Composed::FailedAt(
                        Error::yaml(format!("unknown anchor '{name}' referenced")),
                        span.start.index(),
                    ));
                };
                nodes.push(Node::Alias { name, target });
                nodes.len() - 1
            }
            Event::Scalar(value, style, anchor, tag) => {
                if anchor != 0 {
                    check_anchor(chars, span).map_err(Composed::Failed)?;
                }
                if tag.is_some() {
                    check_tag_end(chars, span).map_err(Composed::Failed)?;
                }
                if style == ScalarStyle::DoubleQuoted {
                    check_escapes(chars, span).map_err(Composed::Failed)?;
                }
                if stack.is_empty()
                    && root.is_none()
                    && matches!(style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted)
                {
                    let quote = if style == ScalarStyle::SingleQuoted {
                        '\''
                    } else {
                        '"'
                    };
                    let start = span.start.index().min(chars.len());
                    let open = (start..chars.len())
                        .find(|&i| chars[i] == quote)
                        .unwrap_or(start);
                    root_end = Some(Root {
                        open,
                        end: span.end.index(),
                        empty: false,
                        block: false,
                    });
                }
                let is_key =
                    matches!(stack.last(), Some((p, None)) if matches!(nodes[*p], Node::Map(_)));
                if is_key
                    && style == ScalarStyle::Plain
                    && value.is_empty()
                    && span.start.index() == span.end.index()
                    && !explicit_key(chars, span)
                {
                    // libyaml has no implicit empty keys: a `:` where a key should be.
                    let problem = if flow_starts.iter().any(Option::is_some) {
                        "did not find expected node content"
                    } else {
                        "did not find expected key"
                    };
                    let line = span.start.line().saturating_sub(1);
                    let e = if line == 0 {
                        Error::yaml(problem.into())
                    } else {
                        Error::yaml(format!("line {line}: {problem}"))
                    };
                    return Err(Composed::FailedAt(e, span.start.index()));
                }
                let flow_style = matches!(
                    style,
                    ScalarStyle::Plain | ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted
                );
                let in_flow = flow_starts.iter().any(Option::is_some);
                if is_key && in_flow && flow_style && !explicit_key(chars, span) {
                    let key = (span.end.index(), style == ScalarStyle::Plain);
                    if let Some(e) = flow_value_on_later_line(chars, &flow_starts, &blocks, key) {
                        return Err(e);
                    }
                }
                // In a flow collection, a key without a `:` after it is a node alone, which
                // may span lines.
                let value_follows = || {
                    let (next, _) = next_token(chars, span.end.index());
                    chars.get(next) == Some(&':')
                };
                if is_key
                    && flow_style
                    && span.end.line() != span.start.line()
                    && !explicit_key(chars, span)
                    && (!in_flow || value_follows())
                {
                    return Err(Composed::FailedAt(
                        multiline_key_error(
                            contexts.last().copied(),
                            span.end.line().saturating_sub(1),
                        ),
                        span.end.index(),
                    ));
                }
                let plain_indent =
                    (style == ScalarStyle::Plain && !in_flow).then(|| blocks.last().copied());
                layout
                    .scalars
                    .push((span.start.index(), span.end.index(), plain_indent));
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                let mut value = value.into_owned();
                if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
                    && block_scalar_ends_input(chars, span)
                {
                    // libyaml keeps (clip, keep) only the line breaks it read: a block scalar
                    // whose last line ends the input without one has one "\n" less.
                    if value.ends_with('\n') {
                        value.pop();
                    }
                }
                nodes.push(Node::Scalar {
                    value,
                    plain: style == ScalarStyle::Plain,
                    tag,
                    span: (span.start.index(), span.end.index()),
                });
                let id = nodes.len() - 1;
                if anchor != 0 {
                    anchors.insert(anchor, id);
                }
                id
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                if anchor != 0 {
                    check_anchor(chars, span).map_err(Composed::Failed)?;
                }
                if tag.is_some() {
                    check_tag_end(chars, span).map_err(Composed::Failed)?;
                }
                let is_seq = matches!(event, Event::SequenceStart(..));
                let is_flow = span_chars(chars, span)
                    .iter()
                    .any(|&c| c == '[' || c == '{');
                // A mapping without braces inside a flow collection is a single pair of a flow
                // sequence, where libyaml's parser reports what the sequence wants.
                let single_pair = !is_flow && matches!(flow_starts.last(), Some(Some(_)));
                if is_flow {
                    flow_starts.push(Some(span.start.index()));
                } else {
                    flow_starts.push(None);
                    blocks.push(span.start.col());
                    if matches!(chars.get(span.start.index()), Some('&' | '!')) {
                        pending_column = Some((is_seq, span.start.line()));
                    }
                }
                contexts.push(match (is_seq, is_flow) {
                    _ if single_pair => Context::FlowSeq,
                    (true, true) => Context::FlowSeq,
                    (true, false) => Context::BlockSeq,
                    (false, true) => Context::FlowMap,
                    (false, false) => Context::BlockMap,
                });
                if stack.len() >= MAX_DEPTH {
                    return Err(Composed::Failed(Error::yaml(format!(
                        "exceeded max depth of {MAX_DEPTH}"
                    ))));
                }
                nodes.push(if is_seq {
                    Node::Seq(Vec::new())
                } else {
                    Node::Map(Vec::new())
                });
                let id = nodes.len() - 1;
                if anchor != 0 {
                    anchors.insert(anchor, id);
                }
                attach(&mut nodes, &mut stack, &mut root, id);
                stack.push((id, None));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let closed = stack.pop();
                contexts.pop();
                let flow_start = match flow_starts.pop() {
                    Some(Some(start)) => {
                        layout.flows.push((start, span.end.index()));
                        Some(start)
                    }
                    Some(None) => {
                        blocks.pop();
                        None
                    }
                    None => None,
                };
                if let (Some((id, _)), Some(start)) = (closed, flow_start) {
                    if stack.is_empty() && root == Some(id) {
                        let empty = match &nodes[id] {
                            Node::Map(pairs) => pairs.is_empty(),
                            Node::Seq(items) => items.is_empty(),
                            _ => false,
                        };
                        let open = (start..chars.len())
                            .find(|&i| matches!(chars[i], '{' | '['))
                            .unwrap_or(start);
                        root_end = Some(Root {
                            open,
                            end: span.end.index(),
                            empty,
                            block: false,
                        });
                    }
                    let read = flow_key(
                        chars,
                        &mut nodes,
                        &mut stack,
                        &flow_starts,
                        &blocks,
                        (id, start, span.end.index()),
                    );
                    match read {
                        FlowKeyRead::AsParsed => {}
                        FlowKeyRead::Root(stop) => {
                            layout.stop = Some(stop);
                            return Ok(Some((nodes, id)));
                        }
                        FlowKeyRead::Fail(e, at) => return Err(Composed::FailedAt(e, at)),
                    }
                }
                continue;
            }
        };
        let _ = in_document;
        attach(&mut nodes, &mut stack, &mut root, new_node);
    }
    // saphyr-parser read the document to its end; go-yaml may fail scanning past the root.
    if let Some(Err(e)) = root_end.and_then(|r| after_root(chars, &r, layout)) {
        return Err(e);
    }
    Ok(root.map(|r| (nodes, r)))
}

/// What go-yaml v2 makes of a flow collection that saphyr-parser read as an implicit mapping
/// key.
enum FlowKeyRead {
    /// The same as saphyr-parser.
    AsParsed,
    /// The collection is the whole document; go-yaml read up to this character index.
    Root(usize),
    /// go-yaml's parser fails (with the bracket's character index).
    Fail(Error, usize),
}

/// go-yaml v2 loses the simple key of an empty `{}` or `[]`: the flow level it opens gets a
/// placeholder key with the same token number, and closing that level forgets the number. So
/// the parser receives the collection as a node before the scanner finds its `:`, and the KEY
/// token (with a BLOCK-MAPPING-START when the key is indented) comes after it, unless an
/// enclosing flow collection on the same line is itself a possible key, which keeps the scanner
/// reading ahead until that `:`. The empty-value case is rewritten in place (`a:` then `{}: x`
/// on the next line reads as `a: {}` and a null key holding `x`). Any collection spanning lines
/// is no simple key at all. The last argument is the collection's node, span start and span
/// end; `stack` no longer holds it.
fn flow_key(
    chars: &[char],
    nodes: &mut Vec<Node>,
    stack: &mut [(usize, Option<usize>)],
    flow_starts: &[Option<usize>],
    blocks: &[usize],
    (id, start, end): (usize, usize, usize),
) -> FlowKeyRead {
    use FlowKeyRead::AsParsed;
    let Some(&(parent, pending)) = stack.last() else {
        return AsParsed;
    };
    if pending != Some(id) || !matches!(nodes[parent], Node::Map(_)) {
        return AsParsed;
    }
    let end = end.min(chars.len());
    // The span may begin with an anchor or a tag.
    let Some(open) = (start..end).find(|&i| matches!(chars[i], '{' | '[')) else {
        return AsParsed;
    };
    let mut colon = end;
    while matches!(chars.get(colon), Some(' ' | '\t')) {
        colon += 1;
    }
    if chars.get(colon) != Some(&':') {
        return AsParsed;
    }
    // Brackets of the enclosing flow collections.
    let flows = flow_brackets(chars, flow_starts, open);
    let stale_required = |f: usize| stale_required_flow(chars, flow_starts, blocks, f, end);
    let fail_at =
        |at: usize, problem: &str| FlowKeyRead::Fail(error_at_line(chars, at, problem), at);
    let flow_problem = |inner: usize| flow_problem(chars[inner]);
    if chars[open..end].contains(&'\n') {
        // An implicit key ends on its first line: in flow context the `:` after a collection
        // spanning lines is a value indicator where the parser wants `,` or the closing bracket
        // (block context fails like saphyr-parser already).
        let explicit = prev_flow_char(chars, open) == Some('?');
        return match (flows.first(), flows.last()) {
            (Some(&outer), Some(&inner)) if !explicit && !stale_required(outer) => {
                fail_at(colon, flow_problem(inner))
            }
            _ => AsParsed,
        };
    }
    let empty = match &nodes[id] {
        Node::Map(pairs) => pairs.is_empty(),
        Node::Seq(items) => items.is_empty(),
        _ => false,
    };
    if !empty || !key_allowed(chars, open, !flows.is_empty()) {
        return AsParsed;
    }
    for (level, &f) in flows.iter().enumerate() {
        if !key_allowed(chars, f, level > 0) {
            continue;
        }
        if !chars[f..end].contains(&'\n') && f + 1024 >= end {
            return AsParsed;
        }
        if level == 0 && stale_required(f) {
            return AsParsed;
        }
    }
    let fail = |problem: &str| fail_at(open, problem);
    if let Some(&inner) = flows.last() {
        return fail(flow_problem(inner));
    }
    // Block context: every open collection is a block one, listed in `blocks` too.
    let n = stack.len();
    if blocks.len() != n {
        return AsParsed;
    }
    let Node::Map(pairs) = &nodes[parent] else {
        return AsParsed;
    };
    if let Some(&(_, value)) = pairs.last() {
        // `key:` with nothing after it (an anchor or a tag then go to the collection).
        let empty_value = matches!(
            &nodes[value],
            Node::Scalar { value, plain: true, .. } if value.is_empty()
        ) && value_indicator_before(chars, open);
        if !empty_value {
            // The parser wants the mapping's next key.
            return fail("did not find expected key");
        }
        // The parser still wants the previous key's value and takes the collection; the KEY
        // token at the mapping's column then starts a pair whose key is empty.
        nodes.push(Node::Scalar {
            value: String::new(),
            plain: true,
            tag: None,
            span: (open, open),
        });
        let null_key = nodes.len() - 1;
        if let Node::Map(pairs) = &mut nodes[parent] {
            if let Some(last) = pairs.last_mut() {
                last.1 = id;
            }
        }
        if let Some(top) = stack.last_mut() {
            top.1 = Some(null_key);
        }
        return AsParsed;
    }
    // The collection is the first node of the mapping saphyr-parser opened at it, so for
    // go-yaml it is a node of the enclosing collection.
    if n < 2 {
        return FlowKeyRead::Root(colon + 1);
    }
    match &nodes[stack[n - 2].0] {
        Node::Seq(_) => {
            // An indentless sequence (its `-` at its mapping's column) ends at the KEY token
            // and its mapping wants a key. The sequence's span starts at its first entry's
            // content, so the `-` before the collection gives its column.
            let dash = chars[..open]
                .iter()
                .rposition(|c| !c.is_whitespace())
                .filter(|&i| chars[i] == '-');
            let indentless = n >= 3
                && matches!(nodes[stack[n - 3].0], Node::Map(_))
                && dash.is_some_and(|d| d - line_start(chars, d) == blocks[n - 3]);
            fail(if indentless {
                "did not find expected key"
            } else {
                "did not find expected '-' indicator"
            })
        }
        _ => fail("did not find expected key"),
    }
}

/// Brackets of the flow collections open at `at`, outermost first (a single pair inside `[...]`
/// has no bracket of its own).
fn flow_brackets(chars: &[char], flow_starts: &[Option<usize>], at: usize) -> Vec<usize> {
    flow_starts
        .iter()
        .flatten()
        .filter_map(|&s| (s..at).find(|&i| matches!(chars[i], '{' | '[')))
        .collect()
}

/// Whether the outermost flow collection, at character `outer`, is a possible simple key of
/// the block context left on an earlier line than `end` that the block context requires (it
/// starts its line at the block indentation around it): libyaml's scanner fails on it first,
/// with "could not find expected ':'".
fn stale_required_flow(
    chars: &[char],
    flow_starts: &[Option<usize>],
    blocks: &[usize],
    outer: usize,
    end: usize,
) -> bool {
    // The block indentation around the outermost flow collection (flow collections in
    // `flow_starts` list no block column; a single pair's mapping lists one).
    let outer_blocks = flow_starts.iter().take_while(|f| f.is_none()).count();
    let indent = outer_blocks.checked_sub(1).map(|i| blocks[i]);
    key_allowed(chars, outer, false)
        && chars[outer..end].contains(&'\n')
        && Some(outer - line_start(chars, outer)) == indent
}

/// go-yaml's error with the line (from 0) of character `at`, as its parser words it.
fn error_at_line(chars: &[char], at: usize, problem: &str) -> Error {
    let line = chars[..at].iter().filter(|&&c| c == '\n').count();
    if line == 0 {
        Error::yaml(problem.into())
    } else {
        Error::yaml(format!("line {line}: {problem}"))
    }
}

/// What libyaml's parser wants after a node inside the flow collection with this bracket.
fn flow_problem(bracket: char) -> &'static str {
    if bracket == '[' {
        "did not find expected ',' or ']'"
    } else {
        "did not find expected ',' or '}'"
    }
}

/// Where the next token after character `at` starts, past blanks, line breaks and comments,
/// and whether a line break comes before it.
fn next_token(chars: &[char], mut at: usize) -> (usize, bool) {
    let mut next_line = false;
    loop {
        match chars.get(at) {
            Some(' ' | '\t') => at += 1,
            Some('\n' | '\r') => {
                next_line = true;
                at += 1;
            }
            Some('#') => {
                while chars.get(at).is_some_and(|&c| c != '\n' && c != '\r') {
                    at += 1;
                }
            }
            _ => return (at, next_line),
        }
    }
}

/// libyaml's error for an implicit key inside a flow collection whose `:` stands on a later
/// line than the key (`{x` then `: y`), given where the key ends and whether it is plain: the
/// key is no possible simple key past its line, so it is a node alone, and the `:` a value
/// indicator where the parser wants `,` or the closing bracket. saphyr-parser takes the pair.
/// `None` when no `:` follows so (a plain scalar goes on over a `:` without a blank after it),
/// or when the scanner fails first.
fn flow_value_on_later_line(
    chars: &[char],
    flow_starts: &[Option<usize>],
    blocks: &[usize],
    (end, plain): (usize, bool),
) -> Option<Composed> {
    let (at, next_line) = next_token(chars, end);
    if !next_line || chars.get(at) != Some(&':') {
        return None;
    }
    let blank_after = chars
        .get(at + 1)
        .is_none_or(|&c| matches!(c, ' ' | '\t' | '\n' | '\r'));
    if plain && !blank_after {
        return None;
    }
    let flows = flow_brackets(chars, flow_starts, at);
    let (&outer, &inner) = (flows.first()?, flows.last()?);
    if stale_required_flow(chars, flow_starts, blocks, outer, at) {
        return None;
    }
    Some(Composed::FailedAt(
        error_at_line(chars, at, flow_problem(chars[inner])),
        at,
    ))
}

/// The scanner error go-yaml meets reading ahead on a root flow collection's or alias's line
/// (for its possible simple key) before its parser sees the root's first token.
fn root_lookahead_error(chars: &[char]) -> Option<Composed> {
    let extent = root_extent(chars)?;
    if !matches!(chars.get(extent.open), Some('{' | '[' | '*')) {
        return None;
    }
    match read_after_root(chars, &extent)? {
        AfterRoot::Fails(e, at, true) => Some(Composed::FailedAfterRoot(e, at, extent.end)),
        _ => None,
    }
}

/// What go-yaml makes of the text after a document's root flow collection or quoted scalar
/// (see the `after_root` module): `None` when saphyr-parser's reading stands, `Ok` when the
/// document ends with the root.
fn after_root(chars: &[char], root: &Root, layout: &mut Layout) -> Option<Result<(), Composed>> {
    Some(match read_after_root(chars, root)? {
        AfterRoot::Ends => {
            layout.stop = Some(root.end);
            Ok(())
        }
        AfterRoot::Fails(e, at, _) => Err(Composed::FailedAfterRoot(e, at, root.end)),
        AfterRoot::Key(Some(at)) => {
            // The parser wants the mapping's value and finds another node (its 0-based line).
            let line = chars[..at.min(chars.len())]
                .iter()
                .filter(|&&c| c == '\n')
                .count();
            let problem = "did not find expected key";
            let e = if line == 0 {
                Error::yaml(problem.into())
            } else {
                Error::yaml(format!("line {line}: {problem}"))
            };
            Err(Composed::FailedAfterRoot(e, at, root.end))
        }
        AfterRoot::Key(None) => return None,
    })
}

/// Whether go-yaml's scanner may start a simple key at `pos`: in block context when only
/// indentation and `-`, `?` or `:` indicators come before it on its line; in flow context right
/// after `[`, `{`, `,` or `?`.
fn key_allowed(chars: &[char], pos: usize, in_flow: bool) -> bool {
    if !in_flow {
        let mut i = line_start(chars, pos);
        while i < pos {
            match chars[i] {
                ' ' => i += 1,
                // libyaml skips a byte order mark at a line's start.
                '\u{feff}' if i == 0 => i += 1,
                '-' | '?' | ':' if chars.get(i + 1) == Some(&' ') => i += 2,
                _ => return false,
            }
        }
        return true;
    }
    prev_flow_char(chars, pos).is_some_and(|c| matches!(c, '[' | '{' | ',' | '?'))
}

/// The last character before `pos` that is neither a blank nor in a comment.
fn prev_flow_char(chars: &[char], pos: usize) -> Option<char> {
    let mut end = pos;
    loop {
        let from = line_start(chars, end);
        // Earlier lines may end with a comment.
        let code = without_comment(&chars[from..end], end == pos);
        if let Some(&c) = code.iter().rev().find(|c| !c.is_whitespace()) {
            return Some(c);
        }
        if from == 0 {
            return None;
        }
        end = from - 1;
    }
}

/// Whether the token before `pos`, past blanks, comments and a node's anchor or tag, is a `:`
/// value indicator (the end of `key:`).
fn value_indicator_before(chars: &[char], pos: usize) -> bool {
    let mut end = pos;
    loop {
        let from = line_start(chars, end);
        let code = without_comment(&chars[from..end], end == pos);
        let mut words = code
            .split(|c| c.is_whitespace())
            .filter(|w| !w.is_empty())
            .rev();
        if let Some(word) = words.find(|w| !matches!(w[0], '&' | '!')) {
            return word.last() == Some(&':');
        }
        if from == 0 {
            return false;
        }
        end = from - 1;
    }
}

/// A line's text before its comment (a `#` at its start or after a blank); `partial` when the
/// text ends before the line does (no comment can come first then).
fn without_comment(line: &[char], partial: bool) -> &[char] {
    if partial {
        return line;
    }
    let hash =
        (0..line.len()).find(|&i| line[i] == '#' && (i == 0 || matches!(line[i - 1], ' ' | '\t')));
    &line[..hash.unwrap_or(line.len())]
}

/// The character index where the line holding `pos` starts.
fn line_start(chars: &[char], pos: usize) -> usize {
    chars[..pos]
        .iter()
        .rposition(|&c| c == '\n')
        .map_or(0, |i| i + 1)
}

/// Whether go-yaml's scanner knows the escape `\` followed by this character (`x`, `u` and
/// `U` then want hex digits; a line break continues the scalar).
pub(crate) fn go_yaml_escape(next: char) -> bool {
    matches!(
        next,
        '0' | 'a'
            | 'b'
            | 't'
            | '\t'
            | 'n'
            | 'v'
            | 'f'
            | 'r'
            | 'e'
            | ' '
            | '"'
            | '\''
            | '\\'
            | 'N'
            | '_'
            | 'L'
            | 'P'
            | 'x'
            | 'u'
            | 'U'
            | '\n'
            | '\r'
            | '\u{85}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// Rejects the escapes YAML 1.2 added that go-yaml's YAML 1.1 scanner does not know (`\/`).
fn check_escapes(chars: &[char], span: Span) -> Result<(), Error> {
    let start = span.start.index().min(chars.len());
    let end = span.end.index().clamp(start, chars.len());
    // The parser's span can run on past the closing quote over a comment on the same line
    // (`a: "" # "k\,v"`), so the scan starts after the opening quote and stops at the first
    // quote no backslash escapes.
    let Some(open) = chars[start..end].iter().position(|&c| c == '"') else {
        return Ok(());
    };
    let mut i = start + open + 1;
    while i < end && chars[i] != '"' {
        if chars[i] != '\\' {
            i += 1;
            continue;
        }
        let next = chars.get(i + 1).copied().unwrap_or(' ');
        let known = go_yaml_escape(next);
        if !known {
            let line = chars[..i].iter().filter(|&&c| c == '\n').count();
            let message = "found unknown escape character";
            return Err(if line == 0 {
                Error::yaml(message.into())
            } else {
                Error::yaml(format!("line {}: {message}", line + 1))
            });
        }
        i += 2;
    }
    Ok(())
}

/// Whether go-yaml's reader accepts the character in its input.
fn readable(c: char) -> bool {
    let u = c as u32;
    (0x20..=0x7E).contains(&u)
        || matches!(u, 0x09 | 0x0A | 0x0D | 0x85)
        || (0xA0..=0xD7FF).contains(&u)
        || (0xE000..=0xFFFD).contains(&u)
        || u >= 0x10000
}

/// Whether a key is written after `?` (an explicit key, which may span lines).
fn explicit_key(chars: &[char], span: Span) -> bool {
    let start = span.start.index().min(chars.len());
    if chars[..start]
        .iter()
        .rev()
        .find(|c| !matches!(c, ' ' | '\t'))
        .is_some_and(|&c| c == '?')
    {
        return true;
    }
    // An empty key after `?` ending its line (maybe with a comment): saphyr-parser places it
    // at the next token.
    span.start.index() == span.end.index() && prev_flow_char(chars, start) == Some('?')
}

/// libyaml's error for an implicit key that spans lines: it cannot be a simple key, so the
/// `:` after it is out of place. `line` is the 0-based line where the key ends.
fn multiline_key_error(context: Option<Context>, line: usize) -> Error {
    let (problem, shown) = match context {
        Some(Context::FlowMap) => ("did not find expected ',' or '}'", line),
        Some(Context::FlowSeq) => ("did not find expected ',' or ']'", line),
        _ => ("mapping values are not allowed in this context", line + 1),
    };
    if line == 0 {
        Error::yaml(problem.into())
    } else {
        Error::yaml(format!("line {shown}: {problem}"))
    }
}

/// Whether a block scalar runs to the end of an input that does not end with a line break
/// (saphyr-parser reads a break there all the same).
fn block_scalar_ends_input(chars: &[char], span: Span) -> bool {
    span.end.index() >= chars.len() && !matches!(chars.last(), Some('\n' | '\r') | None)
}

/// The source characters an event covers.
fn span_chars(chars: &[char], span: Span) -> &[char] {
    let start = span.start.index().min(chars.len());
    let end = span.end.index().clamp(start, chars.len());
    &chars[start..end]
}

/// The source text an event covers.
fn span_text(chars: &[char], span: Span) -> String {
    span_chars(chars, span).iter().collect()
}

/// libyaml's anchor names are made of letters, digits, `_` and `-` only; saphyr-parser takes
/// more (`&a.b`), which go-yaml rejects.
fn check_anchor_name(name: &str, span: Span) -> Result<(), Error> {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Ok(());
    }
    let problem = "did not find expected alphabetic or numeric character";
    let line = span.start.line().saturating_sub(1);
    Err(if line == 0 {
        Error::yaml(problem.into())
    } else {
        Error::yaml(format!("line {}: {problem}", line + 1))
    })
}

/// Checks the `&name` that starts an anchored node's span.
fn check_anchor(chars: &[char], span: Span) -> Result<(), Error> {
    let text = span_text(chars, span);
    let Some(rest) = text.strip_prefix('&') else {
        return Ok(());
    };
    let name: String = rest
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | '[' | ']' | '{' | '}'))
        .collect();
    check_anchor_name(&name, span)
}

/// Checks that the tag starting a tagged node's span (after its anchor, if any) is not followed
/// right away by a `#`: libyaml's scanner wants a blank after a tag, where saphyr-parser takes
/// the `#` as a comment.
fn check_tag_end(chars: &[char], span: Span) -> Result<(), Error> {
    let start = span.start.index().min(chars.len());
    let end = span.end.index().clamp(start, chars.len());
    let Some(bang) = (start..end).find(|&i| chars[i] == '!') else {
        return Ok(());
    };
    if chars.get(bang + 1) == Some(&'<') {
        return Ok(());
    }
    let uri = |c: char| c.is_ascii_alphanumeric() || "-_;/?:@&=+$,.!~*'()[]%".contains(c);
    let after = (bang..chars.len())
        .find(|&i| !uri(chars[i]))
        .unwrap_or(chars.len());
    if chars.get(after) != Some(&'#') {
        return Ok(());
    }
    let problem = "did not find expected whitespace or line break";
    let line = chars[..after].iter().filter(|&&c| c == '\n').count();
    Err(if line == 0 {
        Error::yaml(problem.into())
    } else {
        Error::yaml(format!("line {}: {problem}", line + 1))
    })
}

/// The anchor name of an alias, read back from the source (`*name`).
fn alias_name(chars: &[char], span: Span) -> String {
    span_text(chars, span).trim_start_matches('*').to_string()
}

/// Adds a finished node to the collection being built, or makes it the document's root.
fn attach(
    nodes: &mut [Node],
    stack: &mut [(usize, Option<usize>)],
    root: &mut Option<usize>,
    id: usize,
) {
    let Some((parent, pending)) = stack.last_mut() else {
        if root.is_none() {
            *root = Some(id);
        }
        return;
    };
    match &mut nodes[*parent] {
        Node::Seq(items) => items.push(id),
        Node::Map(pairs) => match pending.take() {
            Some(key) => pairs.push((key, id)),
            None => *pending = Some(id),
        },
        _ => {}
    }
}

/// go-yaml v2's decoder state: alias bookkeeping and its guard against alias bombs.
struct Decoder<'a> {
    nodes: &'a [Node],
    decode_count: u64,
    alias_count: u64,
    alias_depth: u32,
    active_aliases: Vec<usize>,
    depth: usize,
}

/// go-yaml v2's allowed ratio of alias expansions to decoded nodes, by document size.
fn allowed_alias_ratio(decode_count: u64) -> f64 {
    const LOW: f64 = 400_000.0;
    const HIGH: f64 = 4_000_000.0;
    let n = decode_count as f64;
    if n <= LOW {
        0.99
    } else if n >= HIGH {
        0.10
    } else {
        0.99 - 0.89 * ((n - LOW) / (HIGH - LOW))
    }
}

impl Decoder<'_> {
    fn count(&mut self) -> Result<(), Error> {
        self.decode_count += 1;
        if self.alias_depth > 0 {
            self.alias_count += 1;
        }
        if self.alias_count > 100
            && self.decode_count > 1000
            && self.alias_count as f64 / self.decode_count as f64
                > allowed_alias_ratio(self.decode_count)
        {
            return Err(Error::yaml("document contains excessive aliasing".into()));
        }
        Ok(())
    }

    fn decode(&mut self, id: usize) -> Result<GoValue, Error> {
        self.count()?;
        match &self.nodes[id] {
            Node::Scalar {
                value, plain, tag, ..
            } => Ok(GoValue::Scalar(decode_scalar(
                value,
                *plain,
                tag.as_deref(),
            )?)),
            Node::Alias { name, target } => {
                let target = *target;
                if self.active_aliases.contains(&id) {
                    return Err(Error::yaml(format!(
                        "anchor '{name}' value contains itself"
                    )));
                }
                self.active_aliases.push(id);
                self.alias_depth += 1;
                let result = self.decode(target);
                self.alias_depth -= 1;
                self.active_aliases.pop();
                result
            }
            Node::Seq(items) => {
                self.enter()?;
                let mut out = Vec::with_capacity(items.len());
                for &item in items {
                    out.push(self.decode(item)?);
                }
                self.depth -= 1;
                Ok(GoValue::List(out))
            }
            Node::Map(_) => {
                self.enter()?;
                let mut out = MapBuilder::default();
                self.decode_map_into(id, &mut out)?;
                self.depth -= 1;
                Ok(GoValue::Map(out.entries))
            }
        }
    }

    fn enter(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Error::yaml(format!("exceeded max depth of {MAX_DEPTH}")));
        }
        Ok(())
    }

    /// Decodes mapping `id` into `out`; a merge key `<<` writes the merged maps' entries in
    /// place, so keys after it win over merged ones and merged ones over keys before it.
    fn decode_map_into(&mut self, id: usize, out: &mut MapBuilder) -> Result<(), Error> {
        let Node::Map(pairs) = &self.nodes[id] else {
            return Ok(());
        };
        for &(k, v) in pairs {
            if self.is_merge_key(k) {
                self.merge(v, out)?;
                continue;
            }
            let key = match self.decode(k)? {
                GoValue::Scalar(s) => s,
                other @ (GoValue::List(_) | GoValue::Map(_)) => {
                    return Err(Error::yaml(format!(
                        "invalid map key: {}",
                        go_sharp_v(&other, true)
                    )))
                }
            };
            let value = self.decode(v)?;
            out.set(key, value);
        }
        Ok(())
    }

    fn is_merge_key(&self, id: usize) -> bool {
        match &self.nodes[id] {
            Node::Scalar {
                value, plain, tag, ..
            } => {
                value == "<<"
                    && (*plain && tag.is_none()
                        || tag.as_deref() == Some(&format!("{TAG_PREFIX}merge")))
            }
            _ => false,
        }
    }

    /// The mapping a merge value refers to, following one alias.
    fn merge_source(&self, id: usize) -> Option<usize> {
        match &self.nodes[id] {
            Node::Map(_) => Some(id),
            Node::Alias { target, .. } => match &self.nodes[*target] {
                Node::Map(_) => Some(*target),
                _ => None,
            },
            _ => None,
        }
    }

    fn merge(&mut self, v: usize, out: &mut MapBuilder) -> Result<(), Error> {
        let want_map =
            || Error::yaml("map merge requires map or sequence of maps as the value".into());
        let sources: Vec<usize> = match &self.nodes[v] {
            Node::Seq(items) => {
                // Earlier maps take precedence, so they are written last.
                let mut sources = Vec::new();
                for &item in items.iter().rev() {
                    sources.push(self.merge_source(item).ok_or_else(want_map)?);
                }
                sources
            }
            _ => vec![self.merge_source(v).ok_or_else(want_map)?],
        };
        for source in sources {
            self.count()?;
            self.enter()?;
            self.decode_map_into(source, out)?;
            self.depth -= 1;
        }
        Ok(())
    }
}

/// A map being decoded: entries in order, with an index by key for Go's map semantics.
#[derive(Default)]
struct MapBuilder {
    entries: Vec<(Scalar, GoValue)>,
    index: HashMap<KeyId, usize>,
}

/// A Go map key's identity: equal Go values are equal keys, and a NaN key never matches.
#[derive(Hash, PartialEq, Eq)]
enum KeyId {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(u64),
    Str(String),
    Binary(Vec<u8>),
}

impl MapBuilder {
    /// Sets an entry: an equal key replaces the earlier value.
    fn set(&mut self, key: Scalar, value: GoValue) {
        let id = match &key {
            Scalar::Null => Some(KeyId::Null),
            Scalar::Bool(b) => Some(KeyId::Bool(*b)),
            Scalar::Int(i) => Some(KeyId::Int(*i)),
            Scalar::Uint(u) => Some(KeyId::Uint(*u)),
            Scalar::Float(f) if f.is_nan() => None,
            // 0.0 and -0.0 are the same Go map key.
            Scalar::Float(f) => Some(KeyId::Float((f + 0.0).to_bits())),
            Scalar::Str(s) => Some(KeyId::Str(s.clone())),
            Scalar::Binary(b) => Some(KeyId::Binary(b.clone())),
        };
        if let Some(&slot) = id.as_ref().and_then(|id| self.index.get(id)) {
            self.entries[slot].1 = value;
            return;
        }
        if let Some(id) = id {
            self.index.insert(id, self.entries.len());
        }
        self.entries.push((key, value));
    }
}

/// Decodes one scalar node into its Go value.
fn decode_scalar(value: &str, plain: bool, tag: Option<&str>) -> Result<Scalar, Error> {
    let Some(tag) = tag else {
        if !plain {
            return Ok(Scalar::Str(value.to_string()));
        }
        return Ok(resolve_plain(value).1);
    };
    if let Some(short) = tag.strip_prefix(TAG_PREFIX) {
        if short == "binary" {
            return decode_base64(value)
                .map(Scalar::Binary)
                .ok_or_else(|| Error::yaml("!!binary value contains invalid base64 data".into()));
        }
        if short == "merge" {
            return Ok(Scalar::Str(value.to_string()));
        }
        return match resolve_tagged(value, short) {
            Some(Ok(s)) => Ok(s),
            Some(Err(msg)) => Err(Error::yaml(msg)),
            None => Ok(Scalar::Str(value.to_string())),
        };
    }
    // Local and unknown tags are not resolved: the text stays a string.
    Ok(Scalar::Str(value.to_string()))
}

/// Standard base64 (with padding), as Go's `base64.StdEncoding`; go-yaml strips nothing, but
/// YAML folding has already removed line breaks from plain text.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let bytes: Vec<u8> = text.bytes().filter(|&b| b != b'\n' && b != b'\r').collect();
    if bytes.len() % 4 != 0 {
        return None;
    }
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        })
    };
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let chunks = bytes.len() / 4;
    for (i, chunk) in bytes.chunks(4).enumerate() {
        let last = i + 1 == chunks;
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let mut n: u32 = 0;
        for &c in &chunk[..4 - pad] {
            n = (n << 6) | val(c)?;
        }
        n <<= 6 * pad as u32;
        let three = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&three[..3 - pad]);
    }
    Some(out)
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)` spelled as go-yaml spells special values, used
/// for float map keys.
fn float_key(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        };
    }
    crate::float::format_g_shortest32(f)
}

/// Converts go-yaml's value into what encoding/json reads back after sigs.k8s.io/yaml turns it
/// into JSON: string keys, float64 numbers.
fn to_json_value(v: GoValue, depth: usize, go_types: bool) -> Result<Value, Error> {
    if depth > MAX_DEPTH {
        return Err(Error::yaml(format!("exceeded max depth of {MAX_DEPTH}")));
    }
    Ok(match v {
        GoValue::Scalar(s) if go_types => scalar_go_typed(s),
        GoValue::Scalar(s) => scalar_to_json(s)?,
        GoValue::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(to_json_value(item, depth + 1, go_types)?);
            }
            Value::list(out)
        }
        GoValue::Map(pairs) => {
            let mut out = Map::new();
            for (k, v) in pairs {
                let key = match k {
                    Scalar::Str(s) => s,
                    Scalar::Binary(b) => go_string_to_utf8(&b),
                    Scalar::Int(i) => i.to_string(),
                    Scalar::Uint(u) => {
                        return Err(Error::convert(format!(
                            "unsupported map key of type: uint64, key: 0x{u:x}, value: {}",
                            go_sharp_v(&v, true)
                        )))
                    }
                    Scalar::Float(f) => float_key(f),
                    Scalar::Bool(b) => b.to_string(),
                    Scalar::Null => {
                        return Err(Error::convert(format!(
                            "unsupported map key of type: %!s(<nil>), key: <nil>, value: {}",
                            go_sharp_v(&v, true)
                        )))
                    }
                };
                out.insert(key, to_json_value(v, depth + 1, go_types)?);
            }
            Value::map(out)
        }
    })
}

/// A scalar with the Go type go-yaml gave it (what sigs.k8s.io/yaml hands to a struct field
/// before encoding/json sees it).
pub(crate) fn scalar_go_typed(s: Scalar) -> Value {
    match s {
        Scalar::Null => Value::Nil,
        Scalar::Bool(b) => Value::Bool(b),
        Scalar::Int(i) => Value::Int(i),
        Scalar::Uint(u) => Value::Uint64(u),
        Scalar::Float(f) => Value::Float64(f),
        Scalar::Str(s) => Value::string(s),
        Scalar::Binary(b) => Value::string(go_string_to_utf8(&b)),
    }
}

pub(crate) fn scalar_to_json(s: Scalar) -> Result<Value, Error> {
    Ok(match s {
        Scalar::Null => Value::Nil,
        Scalar::Bool(b) => Value::Bool(b),
        Scalar::Int(i) => Value::Float64(i as f64),
        Scalar::Uint(u) => Value::Float64(u as f64),
        Scalar::Float(f) => {
            if f.is_nan() {
                return Err(Error::convert("json: unsupported value: NaN".into()));
            }
            if f.is_infinite() {
                let sign = if f > 0.0 { "+" } else { "-" };
                return Err(Error::convert(format!(
                    "json: unsupported value: {sign}Inf"
                )));
            }
            Value::Float64(f)
        }
        Scalar::Str(s) => Value::string(s),
        Scalar::Binary(b) => Value::string(go_string_to_utf8(&b)),
    })
}

/// What encoding/json writes for a Go string holding arbitrary bytes: each byte that does not
/// start a valid UTF-8 sequence becomes U+FFFD.
pub(crate) fn go_string_to_utf8(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                break;
            }
            Err(e) => {
                let good = e.valid_up_to();
                out.push_str(std::str::from_utf8(&rest[..good]).unwrap_or_default());
                out.push('\u{FFFD}');
                rest = &rest[good + 1..];
            }
        }
    }
    out
}

/// Reads a document the way `sigs.k8s.io/yaml.Unmarshal` does into the given Go target.
pub(crate) fn read(src: &str, target: Shape) -> Result<Value, Error> {
    match crate::block::read(src) {
        Some(value) => crate::json::check_target(value, target),
        None => read_full(src, target),
    }
}

/// [`read`] of a rendered manifest for its head: the root mapping's entries other than
/// `apiVersion`, `kind` and `metadata` may be `Nil` (checked, not built).
pub(crate) fn read_head(src: &str) -> Result<Value, Error> {
    match crate::block::read_head(src) {
        Some(value) => crate::json::check_target(value, Shape::Any),
        None => read_full(src, Shape::Any),
    }
}

/// [`read`] by the full reader alone, without the block reader's fast path.
pub(crate) fn read_full(src: &str, target: Shape) -> Result<Value, Error> {
    read_with(src, target, false)
}

/// Reads a document keeping go-yaml's scalar types (`int`, `uint64`, `float64` including
/// NaN and infinities) instead of the JSON round trip's float64s.
pub(crate) fn read_go_typed(src: &str) -> Result<Value, Error> {
    // Chart.yaml and lock files are block mappings the block reader almost always reads.
    match crate::block::read_go_typed(src) {
        Some(value) => Ok(value),
        None => read_go_typed_full(src),
    }
}

/// [`read_go_typed`] by the full reader alone.
pub(crate) fn read_go_typed_full(src: &str) -> Result<Value, Error> {
    read_with(src, Shape::Any, true)
}

fn read_with(src: &str, target: Shape, go_types: bool) -> Result<Value, Error> {
    // The bytes libyaml's reader decodes (the texts made below have the same characters, but
    // not always the same bytes).
    let input = src;
    // NEL, U+2028 and U+2029 are line breaks to libyaml (YAML 1.1), text to saphyr-parser
    // (YAML 1.2): saphyr-parser reads line feeds in their place, and the scalars U+2028 and
    // U+2029 run through get the values libyaml reads.
    let with_line_feeds;
    let mut separator_values = Vec::new();
    let src = match yaml11_breaks_as_line_feeds(src) {
        Some((text, values)) => {
            with_line_feeds = text;
            separator_values = values;
            with_line_feeds.as_str()
        }
        None => src,
    };
    // libyaml's reader rejects control characters as it decodes its input, 512 bytes at a
    // time, so a syntax error wins only when found in an earlier block than the character.
    // One pass finds the first control character and whether the text holds a tab.
    let mut has_tab = false;
    let control = input.find(|c: char| {
        if c == '\t' {
            has_tab = true;
        }
        !readable(c)
    });
    let has_tab = has_tab || (control.is_some() && input.contains('\t'));
    let control_error = || Error::yaml("control characters are not allowed".into());
    // Characters saphyr-parser refuses where libyaml reads them as text are read in the place
    // of private-use stand-ins, which the scalars read turn back (stand-in, character).
    let mut stand_ins: Vec<(char, char)> = Vec::new();
    let mut patched = std::borrow::Cow::Borrowed(src);
    let passes: [(StandInPass, char); 2] = [
        (stand_in_byte_order_marks, '\u{feff}'),
        (stand_in_flow_dashes, '-'),
    ];
    for (stand_in_pass, original) in passes {
        if let Some((text, stand_in)) = stand_in_pass(&patched) {
            stand_ins.push((stand_in, original));
            patched = std::borrow::Cow::Owned(text);
        }
    }
    let src: &str = &patched;
    let mut composed = compose(src);
    if composed.is_ok() {
        if let Some(e) = flow_block_indicator_error(src) {
            composed = Err((e, None));
        }
    }
    // A problem libyaml's parser finds comes after what its scanner fetched to get there.
    let parser_failed = matches!(&composed, Err((e, Some(_))) if is_parser_problem(e.message()));
    if has_tab || parser_failed {
        // go-yaml's scanner fails on tabs where saphyr-parser takes them as indentation or
        // reports them otherwise, and on tokens where saphyr-parser's parser fails instead
        // (`- "a"  - b`); its error wins when it comes first.
        let chars: Vec<char> = src.chars().collect();
        if let Some((e, at, key)) = first_document_scan_error(&chars) {
            // saphyr-parser may place its own tab errors earlier (at the scalar before).
            // A key's missing `:` fails the scan before the parser takes the key.
            let first = match &composed {
                Ok(_) => true,
                Err((failed, failed_at)) => {
                    failed_at.is_none_or(|f| key.unwrap_or(at) <= f)
                        || failed.message().contains("tab")
                        || failed
                            .message()
                            .ends_with("comment intercepting the multiline text")
                        || failed
                            .message()
                            .ends_with("found character that cannot start any token")
                }
            };
            // The emulated scanner does not drop the simple key of an empty `{}`/`[]` as
            // go-yaml v2 does (see `errors::map_scan_error`): an empty flow collection's
            // missing `:` is not taken over a parser problem.
            let flow_key = key.is_some_and(|k| {
                let close = match chars.get(k) {
                    Some('[') => ']',
                    Some('{') => '}',
                    _ => return false,
                };
                chars[k + 1..].iter().find(|c| !c.is_whitespace()) == Some(&close)
            });
            if first && (has_tab || !flow_key) {
                composed = Err((e, Some(at)));
            }
        }
    }
    if let Err((e, at)) = &mut composed {
        if let Some((flow_at, problem)) = root_flow_error(src) {
            if at.is_none_or(|at| flow_at <= at) {
                (*e, *at) = (problem, Some(flow_at));
            }
        }
    }
    let composed = match composed {
        Ok(_) if control.is_some() => return Err(control_error()),
        Ok(tree) => tree,
        Err((e, at)) => {
            let at_byte = at.map(|i| input.char_indices().nth(i).map_or(input.len(), |(b, _)| b));
            return Err(match (control, at_byte) {
                (Some(c), Some(a)) if c / READER_BLOCK <= a / READER_BLOCK => control_error(),
                (Some(_), None) => control_error(),
                _ => e,
            });
        }
    };
    let value = match composed {
        None => Value::Nil,
        Some((mut nodes, root)) => {
            for &(stand_in, original) in &stand_ins {
                for node in &mut nodes {
                    if let Node::Scalar { value, .. } = node {
                        if value.contains(stand_in) {
                            *value = value.replace(stand_in, original.encode_utf8(&mut [0; 4]));
                        }
                    }
                }
            }
            if !separator_values.is_empty() {
                use_separator_values(&mut nodes, &separator_values);
            }
            let mut decoder = Decoder {
                nodes: &nodes,
                decode_count: 0,
                alias_count: 0,
                alias_depth: 0,
                active_aliases: Vec::new(),
                depth: 0,
            };
            let go = decoder.decode(root)?;
            to_json_value(go, 0, go_types)?
        }
    };
    crate::json::check_target(value, target)
}

/// The text with a line feed for each NEL, U+2028 and U+2029, which libyaml (YAML 1.1) reads as
/// line breaks and saphyr-parser (YAML 1.2) as text, and the values libyaml reads for the
/// scalars U+2028 and U+2029 run through, by where each starts (see `separator_scalars`; NEL
/// reads as a line feed in a value too). A carriage return right before one of them becomes a
/// line feed as well: it is a line break of its own to libyaml, where it would pair with the
/// line feed. `None` for a text without them, found by a search for their first bytes, so that
/// other texts cost no more than that.
fn yaml11_breaks_as_line_feeds(src: &str) -> Option<(String, Vec<(usize, String)>)> {
    let bytes = src.as_bytes();
    let found = memchr::memchr2_iter(0xC2, 0xE2, bytes).any(|at| {
        matches!(
            (bytes[at], bytes.get(at + 1), bytes.get(at + 2)),
            (0xC2, Some(0x85), _) | (0xE2, Some(0x80), Some(0xA8 | 0xA9))
        )
    });
    if !found {
        return None;
    }
    let mut chars: Vec<char> = src.chars().collect();
    let mut separators = false;
    for at in 0..chars.len() {
        let c = chars[at];
        if !matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}') {
            continue;
        }
        if c == '\u{85}' {
            chars[at] = '\n';
        } else {
            separators = true;
        }
        if at > 0 && chars[at - 1] == '\r' {
            chars[at - 1] = '\n';
        }
    }
    let values = if separators {
        separator_scalars(&chars)
    } else {
        Vec::new()
    };
    for c in &mut chars {
        if matches!(*c, '\u{2028}' | '\u{2029}') {
            *c = '\n';
        }
    }
    Some((chars.into_iter().collect(), values))
}

/// Gives the scalars composed the values libyaml reads where U+2028 or U+2029 run through them
/// (`values`, by where each starts, in order): saphyr-parser read line feeds there, which fold
/// otherwise. A scalar's span starts at its anchor or tag, if any, and holds one scalar.
fn use_separator_values(nodes: &mut [Node], values: &[(usize, String)]) {
    for node in nodes {
        let Node::Scalar { value, span, .. } = node else {
            continue;
        };
        let first = values.partition_point(|(start, _)| *start < span.0);
        if let Some((start, libyaml_value)) = values.get(first) {
            if *start < span.1 {
                value.clone_from(libyaml_value);
            }
        }
    }
}

/// A pass that writes characters saphyr-parser refuses as a private-use stand-in: the new text
/// and the stand-in, or `None` when the text holds none of them.
type StandInPass = fn(&str) -> Option<(String, char)>;

/// libyaml reads a byte order mark after the text's first character as text, even at a line's
/// start (its check for one there looks at the start of its buffer, not at the line), where
/// saphyr-parser refuses one anywhere but between documents. So each such mark becomes a
/// private-use character the text does not hold (returned), which the scalars read turn back
/// into the mark.
fn stand_in_byte_order_marks(src: &str) -> Option<(String, char)> {
    let first = match src.find('\u{feff}')? {
        0 => src[3..].find('\u{feff}')? + 3,
        at => at,
    };
    let stand_in = ('\u{e000}'..='\u{f8ff}').find(|&c| !src.contains(c))?;
    let mut text = String::with_capacity(src.len());
    text.push_str(&src[..first]);
    let mut buffer = [0; 4];
    text.push_str(&src[first..].replace('\u{feff}', stand_in.encode_utf8(&mut buffer)));
    Some((text, stand_in))
}

/// libyaml's error in a document whose root is a flow collection (its first token,
/// after blanks, comments and a `---` line), with where it is: for a text saphyr-parser failed
/// on, whose error may come later or name another collection (see `flow`).
fn root_flow_error(src: &str) -> Option<(usize, Error)> {
    let mut rest = src;
    loop {
        let trimmed = rest.trim_start_matches([' ', '\n', '\r']);
        if trimmed.starts_with('#') || trimmed.starts_with("---\n") || trimmed == "---" {
            rest = trimmed.split_once('\n').map_or("", |(_, after)| after);
        } else if let Some(after) = trimmed.strip_prefix("--- ") {
            rest = after;
        } else {
            rest = trimmed;
            break;
        }
    }
    if !rest.starts_with(['[', '{']) {
        return None;
    }
    let chars: Vec<char> = src.chars().collect();
    let start = src[..src.len() - rest.len()].chars().count();
    let (at, text) = crate::flow::first_error(&chars, start)?;
    Some((at, Error::yaml(text)))
}

/// libyaml starts a plain scalar at a `-` followed by anything but a blank, also in a flow
/// collection, where a following `,`, `[`, `]`, `{` or `}` ends it at once (`[a, -]` holds
/// `"-"`, `[1 -}` reads `"1 -"` before its parser fails at the `}`); saphyr-parser refuses
/// such a `-` where a plain scalar starts or goes on after blanks. So each `-` followed by one
/// of them, after a blank, a line break, an indicator or a quote (not inside an anchor, alias or
/// tag name), becomes a private-use character the text does not hold (returned), which the
/// scalars read turn back into `-`. Elsewhere the stand-in reads as the `-` would, as text.
fn stand_in_flow_dashes(src: &str) -> Option<(String, char)> {
    let bytes = src.as_bytes();
    let found = memchr::memchr_iter(b'-', bytes).any(|at| {
        matches!(bytes.get(at + 1), Some(b',' | b'[' | b']' | b'{' | b'}'))
            && at
                .checked_sub(1)
                .is_none_or(|p| dash_may_start_scalar_after(bytes[p] as char))
    });
    if !found {
        return None;
    }
    let stand_in = ('\u{e000}'..='\u{f8ff}').find(|&c| !src.contains(c))?;
    let mut chars: Vec<char> = src.chars().collect();
    for at in 0..chars.len() {
        let starts = at == 0 || dash_may_start_scalar_after(chars[at - 1]);
        if chars[at] == '-'
            && starts
            && matches!(chars.get(at + 1), Some(',' | '[' | ']' | '{' | '}'))
        {
            chars[at] = stand_in;
        }
    }
    Some((chars.into_iter().collect(), stand_in))
}

/// Whether a `-` right after this character starts a plain scalar or goes on with one after
/// blanks, rather than sitting inside a word (an anchor, alias or tag name, a scalar's text).
fn dash_may_start_scalar_after(c: char) -> bool {
    c.is_whitespace() || matches!(c, '[' | '{' | ',' | ':' | ']' | '}' | '"' | '\'')
}

/// Go's `%#v` of a decoded value (`top` when it is not inside a container, where a nil
/// interface prints as `<nil>` rather than `interface {}(nil)`).
fn go_sharp_v(v: &GoValue, top: bool) -> String {
    match v {
        GoValue::Scalar(s) => match s {
            Scalar::Null if top => "<nil>".into(),
            Scalar::Null => "interface {}(nil)".into(),
            Scalar::Bool(b) => b.to_string(),
            Scalar::Int(i) => i.to_string(),
            Scalar::Uint(u) => format!("0x{u:x}"),
            Scalar::Float(f) => crate::float::format_g_shortest(*f),
            Scalar::Str(s) => crate::gostr::quote(s),
            Scalar::Binary(b) => crate::gostr::quote(&go_string_to_utf8(b)),
        },
        GoValue::List(items) => {
            let inner: Vec<String> = items.iter().map(|i| go_sharp_v(i, false)).collect();
            format!("[]interface {{}}{{{}}}", inner.join(", "))
        }
        GoValue::Map(pairs) => {
            // fmt prints a map's entries in sorted key order.
            let mut sorted: Vec<&(Scalar, GoValue)> = pairs.iter().collect();
            sorted.sort_by(|a, b| go_key_order(&a.0, &b.0));
            let inner: Vec<String> = sorted
                .into_iter()
                .map(|(k, v)| {
                    format!(
                        "{}:{}",
                        go_sharp_v(&GoValue::Scalar(k.clone()), false),
                        go_sharp_v(v, false)
                    )
                })
                .collect();
            format!("map[interface {{}}]interface {{}}{{{}}}", inner.join(", "))
        }
    }
}

/// The order Go's fmt sorts `interface{}` map keys in (internal/fmtsort): nil first, then by
/// dynamic type, then by value. Types compare by their runtime type descriptors' addresses, an
/// order fixed in Helm's binary: string, uint64, int, float64, bool.
fn go_key_order(a: &Scalar, b: &Scalar) -> std::cmp::Ordering {
    fn rank(s: &Scalar) -> u8 {
        match s {
            Scalar::Null => 0,
            Scalar::Str(_) | Scalar::Binary(_) => 1,
            Scalar::Uint(_) => 2,
            Scalar::Int(_) => 3,
            Scalar::Float(_) => 4,
            Scalar::Bool(_) => 5,
        }
    }
    fn bytes(s: &Scalar) -> &[u8] {
        match s {
            Scalar::Str(s) => s.as_bytes(),
            Scalar::Binary(b) => b,
            _ => &[],
        }
    }
    match (a, b) {
        (Scalar::Uint(x), Scalar::Uint(y)) => x.cmp(y),
        (Scalar::Int(x), Scalar::Int(y)) => x.cmp(y),
        (Scalar::Bool(x), Scalar::Bool(y)) => x.cmp(y),
        // NaN sorts before every other float.
        (Scalar::Float(x), Scalar::Float(y)) => match (x.is_nan(), y.is_nan()) {
            (true, true) => std::cmp::Ordering::Equal,
            (true, false) => std::cmp::Ordering::Less,
            (false, true) => std::cmp::Ordering::Greater,
            _ => x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal),
        },
        _ if rank(a) == 1 && rank(b) == 1 => bytes(a).cmp(bytes(b)),
        _ => rank(a).cmp(&rank(b)),
    }
}
