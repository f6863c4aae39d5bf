//! Errors with the texts Helm prints, and the translation of the YAML parser's errors into
//! go-yaml's (libyaml's) wording and line numbering.

use std::fmt;

use saphyr_parser::ScanError;

/// A reading or writing error; its `Display` text is what Helm's Go code reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    message: String,
    /// Go panics here instead of returning an error, so the template call itself fails.
    panics: bool,
}

impl Error {
    /// An error with exactly this text.
    pub fn new(message: impl Into<String>) -> Error {
        Error {
            message: message.into(),
            panics: false,
        }
    }

    /// An error that Go raises as a panic: a function that normally prints its error text
    /// (`toToml`) fails the template call with this message instead.
    pub fn panic(message: impl Into<String>) -> Error {
        Error {
            message: message.into(),
            panics: true,
        }
    }

    /// Whether Go would panic (failing the template call) rather than return this error.
    pub fn is_panic(&self) -> bool {
        self.panics
    }

    /// The full text.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// A go-yaml failure while reading, as sigs.k8s.io/yaml wraps it.
    pub(crate) fn yaml(msg: String) -> Error {
        Error::new(format!("error converting YAML to JSON: yaml: {msg}"))
    }

    /// A failure converting go-yaml's values to JSON.
    pub(crate) fn convert(msg: String) -> Error {
        Error::new(format!("error converting YAML to JSON: {msg}"))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// Whether libyaml reports a problem from its scanner (line numbers counted from 1) or from its
/// parser (go-yaml prints the parser's 0-based line, one less).
#[derive(Clone, Copy, PartialEq)]
enum Stage {
    Scanner,
    Parser,
}

/// The collection being parsed when an error happens, which decides libyaml's wording.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Context {
    FlowSeq,
    FlowMap,
    BlockSeq,
    BlockMap,
}

/// Problems that saphyr-parser finds where libyaml's parser finds an unexpected token, and
/// reports by what it expected in the enclosing collection.
const STRUCTURAL: &[&str] = &[
    "misplaced bracket",
    "invalid trailing content",
    "illegal placement of ':' indicator",
    "invalid indentation",
    "expected ',' or ']'",
    "did not find expected ',' or '}'",
];

/// Translates a saphyr-parser error into go-yaml's text.
pub(crate) fn map_scan_error(src: &str, e: &ScanError, context: Option<Context>) -> Error {
    let info = e.info();
    let line = e.marker().line(); // 1-based
    if info.contains("found unknown anchor") {
        let name = anchor_name_at(src, e.marker().index());
        // libyaml's scanner takes only letters, digits, `_` and `-` in a name, which must be
        // followed by a blank or one of `?:,]}%@` and a backquote (`*a#c` fails as it scans).
        let scanned = name
            .chars()
            .take_while(|&c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        let length = scanned.count();
        let after = name[length..].chars().next();
        if length == 0
            || after.is_some_and(|c| !matches!(c, '?' | ':' | ',' | ']' | '}' | '%' | '@' | '`'))
        {
            let alias_line = src
                .chars()
                .take(e.marker().index())
                .filter(|&c| c == '\n')
                .count();
            return with_line(
                alias_line,
                "did not find expected alphabetic or numeric character",
                Stage::Scanner,
            );
        }
        return Error::yaml(format!("unknown anchor '{}' referenced", &name[..length]));
    }
    if info.contains("found unexpected end of stream")
        || info.contains("invalid indentation in quoted scalar")
    {
        // libyaml reads an unclosed quoted scalar to the end of the input.
        let eof_line = src.matches('\n').count();
        return with_line(eof_line, "found unexpected end of stream", Stage::Scanner);
    }
    if info.contains("found unexpected document indicator") {
        // libyaml points at the marker line itself.
        let from = e.marker().line().saturating_sub(1);
        let marker = src
            .split('\n')
            .enumerate()
            .skip(from)
            .find(|(_, l)| l.starts_with("---") || l.starts_with("..."))
            .map_or(from, |(i, _)| i);
        return with_line(
            marker,
            "found unexpected document indicator",
            Stage::Scanner,
        );
    }
    if info.contains("block scalar content cannot start with a tab") {
        // libyaml reports the line holding the tab, the one after the indicator.
        return with_line(
            line,
            "found a tab character where an indentation space is expected",
            Stage::Scanner,
        );
    }
    if info.contains("misplaced bracket") && node_expected(src, e.marker().index()) {
        // A closing bracket where libyaml's parser wants a node.
        return with_line(
            line.saturating_sub(1),
            "did not find expected node content",
            Stage::Parser,
        );
    }
    if info.contains("\"-\" is only valid inside a block") && node_expected(src, e.marker().index())
    {
        // libyaml scans a `-` inside `[...]`/`{...}` and its parser, wanting a node, finds none.
        return with_line(
            line.saturating_sub(1),
            "did not find expected node content",
            Stage::Parser,
        );
    }
    if !info.contains("in quoted scalar") && STRUCTURAL.iter().any(|s| info.contains(s)) {
        // saphyr-parser may fail before reporting the collection it is in, even when that is
        // a flow collection inside the block one it reported (after a quoted scalar that
        // spans lines in `[...]`).
        let context = match context {
            None | Some(Context::BlockMap | Context::BlockSeq) => {
                open_flow_context(src, e.marker().index()).or(context)
            }
            flow => flow,
        };
        let expected = match context {
            Some(Context::FlowSeq) => "did not find expected ',' or ']'",
            Some(Context::FlowMap) => "did not find expected ',' or '}'",
            Some(Context::BlockSeq) => "did not find expected '-' indicator",
            Some(Context::BlockMap) => "did not find expected key",
            None => "did not find expected <document start>",
        };
        return with_line(line.saturating_sub(1), expected, Stage::Parser);
    }
    if info.contains("simple key expect") {
        // Where the parser wants a node (after `key:` ending its line), it takes the empty
        // collection as that node, and the scanner's missing `:` is reported as usual when the
        // line ends (prometheus' vpa.yaml with an empty containerPolicies list).
        if let Some(at) = empty_flow_key_line(src, e.marker().index())
            .filter(|&at| !node_expected(src, line_start(src, at)))
        {
            // go-yaml v2 drops the pending simple key of an empty `{}`/`[]` when its flow level
            // closes (the level's placeholder key shares its token number), so its parser meets
            // the `{`/`[` where it wants a key or `-` instead of the scanner missing a `:`
            // (cluster-autoscaler's vpa.yaml with an empty containerPolicies entry).
            let expected = match context {
                Some(Context::BlockSeq) if !indentless_sequence(src, at) => {
                    "did not find expected '-' indicator"
                }
                _ => "did not find expected key",
            };
            return with_line(at, expected, Stage::Parser);
        }
    }
    let (stage, problem) = translate(info);
    // go-yaml omits the line when the problem is on the first line (its mark is 0).
    let shown = match stage {
        Stage::Scanner => line,
        Stage::Parser => line.saturating_sub(1),
    };
    if line <= 1 || shown == 0 {
        Error::yaml(problem)
    } else {
        Error::yaml(format!("line {shown}: {problem}"))
    }
}

/// The innermost flow collection still open at char index `index`, from the text before it:
/// brackets that start a token open one (inside a block plain scalar they are text), and
/// quoted scalars and comments are skipped.
fn open_flow_context(src: &str, index: usize) -> Option<Context> {
    let mut open: Vec<char> = Vec::new();
    let mut chars = src.chars().take(index).peekable();
    let mut token_start = true;
    while let Some(c) = chars.next() {
        let starts = token_start;
        token_start = c.is_whitespace() || matches!(c, '[' | '{' | ',' | ':');
        match c {
            '#' if starts => while chars.next_if(|&c| c != '\n').is_some() {},
            '"' | '\'' if starts => {
                while let Some(q) = chars.next() {
                    if q == '\\' && c == '"' {
                        chars.next();
                    } else if q == c {
                        if c == '\'' && chars.next_if_eq(&'\'').is_some() {
                            continue;
                        }
                        break;
                    }
                }
            }
            '[' | '{' if starts || !open.is_empty() => open.push(c),
            ']' | '}' if !open.is_empty() => {
                open.pop();
            }
            _ => {}
        }
    }
    open.last().map(|&c| {
        if c == '[' {
            Context::FlowSeq
        } else {
            Context::FlowMap
        }
    })
}

/// The 0-based line of the pending simple key when it is an empty flow collection: the last
/// line before `index` holding a token starts with `{}` or `[]` (blanks inside allowed).
fn empty_flow_key_line(src: &str, index: usize) -> Option<usize> {
    let before: String = src.chars().take(index).collect();
    let (n, line) = before
        .split('\n')
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim_start_matches([' ', '\t']);
            !t.is_empty() && !t.starts_with('#')
        })
        .last()?;
    let t = line.trim_start_matches(' ');
    let close = match t.chars().next()? {
        '{' => '}',
        '[' => ']',
        _ => return None,
    };
    let inner = t[1..].trim_start_matches([' ', '\t']);
    inner.starts_with(close).then_some(n)
}

/// The character index where 0-based line `line` of `src` starts.
fn line_start(src: &str, line: usize) -> usize {
    if line == 0 {
        return 0;
    }
    let mut seen = 0;
    for (i, c) in src.chars().enumerate() {
        if c == '\n' {
            seen += 1;
            if seen == line {
                return i + 1;
            }
        }
    }
    src.chars().count()
}

/// Whether the block sequence holding line `at` is indentless (its `-` entries sit at the column
/// of the mapping key they belong to): libyaml's parser ends such a sequence at a token that is
/// not `-` and then wants the mapping's next key.
pub(crate) fn indentless_sequence(src: &str, at: usize) -> bool {
    let lines: Vec<&str> = src.split('\n').collect();
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let Some(col) = lines.get(at).map(|l| indent(l)) else {
        return false;
    };
    for line in lines[..at].iter().rev() {
        let t = line.trim_start_matches([' ', '\t']);
        if t.is_empty() || t.starts_with('#') || indent(line) > col {
            continue;
        }
        if indent(line) < col {
            // A key after `- ` entries (`- a:`) may still sit at the sequence's column.
            let mut rest = t;
            while let Some(after) = rest.strip_prefix('-') {
                let inner = after.trim_start_matches(' ');
                if inner.len() == after.len() {
                    break;
                }
                rest = inner;
            }
            return line.len() - rest.len() == col && !rest.is_empty();
        }
        if !(t == "-" || t.starts_with("- ")) {
            return true;
        }
    }
    false
}

/// Whether the text before `index` leaves libyaml expecting a node: nothing yet, or an
/// indicator that a value follows. Read with libyaml's scanner (comments and plain scalars
/// ending in `,` or `:` are no indicators), else by the last character before.
fn node_expected(src: &str, index: usize) -> bool {
    let chars: Vec<char> = src.chars().collect();
    if let Some(wanted) = crate::after_root::node_wanted_at(&chars, index) {
        return wanted;
    }
    let before = &chars[..index.min(chars.len())];
    match before.iter().rev().find(|c| !c.is_whitespace()) {
        None => true,
        Some(c) => matches!(c, ':' | '-' | '?' | '[' | '{' | ','),
    }
}

/// go-yaml's `line N: ` prefix from libyaml's 0-based mark line, left out when the mark is on
/// the first line. Scanner errors print the line counted from 1, parser errors the raw mark.
fn with_line(zero_based: usize, problem: &str, stage: Stage) -> Error {
    let shown = match stage {
        Stage::Scanner => zero_based + 1,
        Stage::Parser => zero_based,
    };
    if zero_based == 0 {
        Error::yaml(problem.to_string())
    } else {
        Error::yaml(format!("line {shown}: {problem}"))
    }
}

fn translate(info: &str) -> (Stage, String) {
    use Stage::*;
    let table: &[(&str, Stage, &str)] = &[
        (
            "mapping values are not allowed",
            Scanner,
            "mapping values are not allowed in this context",
        ),
        (
            "found unexpected end of stream",
            Scanner,
            "found unexpected end of stream",
        ),
        (
            "found unexpected document indicator",
            Scanner,
            "found unexpected document indicator",
        ),
        (
            "did not find expected key",
            Parser,
            "did not find expected key",
        ),
        (
            "did not find expected ',' or '}'",
            Parser,
            "did not find expected ',' or '}'",
        ),
        (
            "expected ',' or ']'",
            Parser,
            "did not find expected ',' or ']'",
        ),
        (
            "did not find expected '-' indicator",
            Parser,
            "did not find expected '-' indicator",
        ),
        (
            "did not find expected node content",
            Parser,
            "did not find expected node content",
        ),
        (
            "simple key expect ':'",
            Scanner,
            "could not find expected ':'",
        ),
        (
            "simple key expected",
            Scanner,
            "could not find expected ':'",
        ),
        (
            "unexpected character",
            Scanner,
            "found character that cannot start any token",
        ),
        (
            "tab",
            Scanner,
            "found character that cannot start any token",
        ),
        (
            "block sequence entries are not allowed",
            Scanner,
            "block sequence entries are not allowed in this context",
        ),
        (
            "mapping keys are not allowed",
            Scanner,
            "mapping keys are not allowed in this context",
        ),
        (
            "found unknown escape character",
            Scanner,
            "found unknown escape character",
        ),
        (
            "did not find expected hexadecimal number",
            Scanner,
            // (sic: go-yaml spells it so)
            "did not find expected hexdecimal number",
        ),
        (
            "found invalid Unicode character escape code",
            Scanner,
            "found invalid Unicode character escape code",
        ),
        (
            "did not find expected alphabetic or numeric character",
            Scanner,
            "did not find expected alphabetic or numeric character",
        ),
        (
            "the handle wasn't declared",
            Parser,
            "found undefined tag handle",
        ),
        (
            "did not find expected <document start>",
            Parser,
            "did not find expected <document start>",
        ),
        (
            "did not find expected comment or line break",
            Scanner,
            "did not find expected comment or line break",
        ),
        (
            "found an indentation indicator equal to 0",
            Scanner,
            "found an indentation indicator equal to 0",
        ),
        (
            "found unprintable character",
            Scanner,
            "control characters are not allowed",
        ),
    ];
    for (needle, stage, text) in table {
        if info.contains(needle) {
            return (*stage, (*text).to_string());
        }
    }
    // Other problems keep the parser's wording, without its context.
    let problem = match info.split_once(", ") {
        Some((ctx, rest)) if ctx.starts_with("while ") => rest,
        _ => info,
    };
    (Scanner, problem.to_string())
}

/// The anchor name after the `*` at (or before) a char index of the source.
fn anchor_name_at(src: &str, index: usize) -> String {
    let chars: Vec<char> = src.chars().collect();
    if chars.get(index) == Some(&'*') {
        return chars[index + 1..]
            .iter()
            .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | '[' | ']' | '{' | '}'))
            .collect();
    }
    let mut start = index.min(chars.len());
    while start > 0 && chars[start - 1] != '*' && !chars[start - 1].is_whitespace() {
        start -= 1;
    }
    if start < chars.len() && chars[start] == '*' {
        start += 1;
    }
    chars[start..]
        .iter()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | '[' | ']' | '{' | '}'))
        .collect()
}
