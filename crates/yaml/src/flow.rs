//! libyaml's scanner and parser over one flow collection (`[...]` or `{...}`), to find where
//! go-yaml v2 fails on a broken one. saphyr-parser (YAML 1.2) accepts more there (a `:` after a
//! flow mapping used as a value, `}` closing the implicit mapping of a `[...]` entry) or fails
//! later, so its error can name another collection or another problem than libyaml's.
//!
//! Only the common tokens are modelled: brackets, `,`, `?`, `:`, plain and quoted scalars,
//! anchors, aliases, comments and `-` entries. Anything else (tags, block scalar indicators,
//! reserved characters, document markers, tabs, bad escapes, an unclosed collection) makes the
//! answer unknown when libyaml could meet it before its parser fails.

/// What a token is, as far as libyaml's flow parser tells tokens apart.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    SeqStart,
    SeqEnd,
    MapStart,
    MapEnd,
    Entry,
    Key,
    Value,
    Scalar,
    Alias,
    Anchor,
    BlockEntry,
    StreamEnd,
    /// Something not modelled: the answer is unknown once the parser gets here.
    Unknown,
}

#[derive(Clone, Copy, Debug)]
struct Token {
    kind: Kind,
    /// Character index where the token starts.
    at: usize,
    /// 0-based line of `at`.
    line: usize,
    /// Whether the scanner saved the token as a possible simple key.
    may_be_key: bool,
    /// Where the scanner was when that key stopped being possible (`None`: never).
    key_dropped_at: Option<usize>,
}

/// Drops a level's possible simple key, noting where on its token.
fn drop_key(key: &mut Option<(usize, usize, usize)>, tokens: &mut [Token], at: usize) {
    if let Some((index, _, _)) = key.take() {
        tokens[index].key_dropped_at = Some(at);
    }
}

/// The first error libyaml reports in the flow collection opening at char index `start` (a
/// `[` or `{` at a token start): where it is and go-yaml's text (after `yaml: `). A parser
/// error, or the scanner's at an unclosed quoted scalar it reads first. `None` when the
/// collection parses, or when the scanner could meet something not modelled first.
pub(crate) fn first_error(chars: &[char], start: usize) -> Option<(usize, String)> {
    let line_of = |at: usize| chars[..at].iter().filter(|&&c| c == '\n').count();
    let (tokens, scanner_failure) = scan(chars, start, line_of(start));
    // Where the failing token starts, to weigh against saphyr-parser's error.
    let scanner_error = |at: usize| Some((at, scanner_failure.clone()?));
    let Some((index, problem)) = parse(&tokens) else {
        // The parser took every token up to an unknown one, or the collection parsed and the
        // scanner read on to a failing one.
        return scanner_error(tokens.last().map_or(chars.len(), |t| t.at));
    };
    let failed = tokens[index];
    // The scanner reads ahead of the parser while a token the parser took may still be a
    // simple key (up to its `:`, or the first token of a later line, where it goes stale): an
    // unknown token read by then may be a scanner error that comes first.
    let read_to = tokens[..=index]
        .iter()
        .filter(|t| t.may_be_key)
        .map(|t| t.key_dropped_at.unwrap_or(usize::MAX))
        .max()
        .unwrap_or(0);
    let unknown_read = tokens
        .iter()
        .any(|t| t.kind == Kind::Unknown && t.at <= read_to);
    if unknown_read || failed.kind == Kind::Unknown {
        // Read before the parser fails at the token, so reported as if there.
        return scanner_error(failed.at);
    }
    let text = if failed.line == 0 {
        problem.to_string()
    } else {
        format!("line {}: {problem}", failed.line)
    };
    Some((failed.at, text))
}

/// libyaml's tokens of the flow collection at `start`, up to its closing bracket (or an
/// `Unknown` token where scanning stops), and the scanner's error there when it is one libyaml
/// is known to report (a bad escape, an unclosed quoted scalar), as go-yaml prints it.
fn scan(chars: &[char], start: usize, mut line: usize) -> (Vec<Token>, Option<String>) {
    // go-yaml prints a scanner error's line counted from 1, none on the first line.
    let scanner_error = |line: usize, problem: &str| {
        Some(if line == 0 {
            problem.to_string()
        } else {
            format!("line {}: {problem}", line + 1)
        })
    };
    let mut tokens: Vec<Token> = Vec::new();
    // The possible simple key of each flow level: its token's index in `tokens`, its line and
    // char index.
    let mut keys: Vec<Option<(usize, usize, usize)>> = vec![None];
    let mut key_allowed = true;
    let mut at = start;
    // After the collection closes, it may still be a key: the scanner reads on until that key
    // is dropped, and then one more token (`last`); what it meets there may fail it first.
    let mut closed = false;
    let mut last = false;
    let at_blankz = |i: usize| chars.get(i).is_none_or(|c| matches!(c, ' ' | '\n' | '\r'));
    loop {
        // Blanks, line breaks and comments between tokens.
        while let Some(&c) = chars.get(at) {
            match c {
                ' ' => at += 1,
                '\n' => {
                    line += 1;
                    at += 1;
                }
                '\r' => at += 1,
                '#' => {
                    while chars.get(at).is_some_and(|&c| c != '\n') {
                        at += 1;
                    }
                }
                _ => break,
            }
        }
        // A possible key goes stale on another line or 1024 characters on.
        for key in keys.iter_mut() {
            if key.is_some_and(|(_, l, p)| l != line || p + 1024 < at) {
                drop_key(key, &mut tokens, at);
            }
        }
        if closed && keys[0].is_none() {
            if last {
                return (tokens, None);
            }
            last = true;
        }
        let token = move |kind| Token {
            kind,
            at,
            line,
            may_be_key: false,
            key_dropped_at: None,
        };
        let Some(&c) = chars.get(at) else {
            // An unclosed collection is no scanner error: the parser meets the stream's end.
            // libyaml puts the stream's end at the start of a line of its own.
            if !closed {
                let own_line = at > 0 && chars[at - 1] != '\n';
                tokens.push(Token {
                    line: line + usize::from(own_line),
                    ..token(Kind::StreamEnd)
                });
            }
            return (tokens, None);
        };
        let column_zero = at == 0 || chars[at - 1] == '\n';
        let document_marker = column_zero
            && at + 3 <= chars.len()
            && (chars[at..at + 3] == ['-'; 3] || chars[at..at + 3] == ['.'; 3])
            && at_blankz(at + 3);
        if document_marker {
            tokens.push(token(Kind::Unknown));
            return (tokens, None);
        }
        let save_key = move |tokens: &Vec<Token>, keys: &mut Vec<Option<(usize, usize, usize)>>| {
            if key_allowed {
                *keys.last_mut().expect("a flow level") = Some((tokens.len(), line, at));
            }
            key_allowed
        };
        if closed && keys.len() == 1 && !matches!(c, '[' | '{' | ']' | '}' | ',') {
            // Block context again, not modelled.
            tokens.push(token(Kind::Unknown));
            return (tokens, None);
        }
        match c {
            '[' | '{' => {
                let may_be_key = save_key(&tokens, &mut keys);
                keys.push(None);
                tokens.push(Token {
                    may_be_key,
                    ..token(if c == '[' {
                        Kind::SeqStart
                    } else {
                        Kind::MapStart
                    })
                });
                key_allowed = true;
                at += 1;
            }
            ']' | '}' => {
                if keys.len() > 1 {
                    if let Some(mut key) = keys.pop() {
                        drop_key(&mut key, &mut tokens, at);
                    }
                }
                tokens.push(token(if c == ']' { Kind::SeqEnd } else { Kind::MapEnd }));
                key_allowed = false;
                at += 1;
                closed |= keys.len() == 1;
            }
            ',' => {
                drop_key(keys.last_mut().expect("a flow level"), &mut tokens, at);
                tokens.push(token(Kind::Entry));
                key_allowed = true;
                at += 1;
            }
            '?' => {
                drop_key(keys.last_mut().expect("a flow level"), &mut tokens, at);
                tokens.push(token(Kind::Key));
                key_allowed = false;
                at += 1;
            }
            ':' => {
                let pending = *keys.last().expect("a flow level");
                drop_key(keys.last_mut().expect("a flow level"), &mut tokens, at);
                if let Some((index, _, _)) = pending {
                    // go-yaml v2 may hand the parser an empty collection before the key
                    // is inserted in front of it (see `errors::map_scan_error`).
                    if matches!(tokens[index].kind, Kind::SeqStart | Kind::MapStart) {
                        tokens.push(token(Kind::Unknown));
                        return (tokens, None);
                    }
                    let key_token = Token {
                        kind: Kind::Key,
                        may_be_key: false,
                        ..tokens[index]
                    };
                    tokens.insert(index, key_token);
                }
                tokens.push(token(Kind::Value));
                key_allowed = false;
                at += 1;
            }
            '-' if at_blankz(at + 1) => {
                drop_key(keys.last_mut().expect("a flow level"), &mut tokens, at);
                tokens.push(token(Kind::BlockEntry));
                key_allowed = true;
                at += 1;
            }
            '*' | '&' => {
                let may_be_key = save_key(&tokens, &mut keys);
                tokens.push(Token {
                    may_be_key,
                    ..token(if c == '*' { Kind::Alias } else { Kind::Anchor })
                });
                key_allowed = false;
                at += 1;
                let name_start = at;
                while chars
                    .get(at)
                    .is_some_and(|&c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                {
                    at += 1;
                }
                let ends_well = chars.get(at).is_none_or(|&c| {
                    matches!(
                        c,
                        ' ' | '\n' | '\r' | '?' | ':' | ',' | ']' | '}' | '%' | '@' | '`'
                    )
                });
                if at == name_start || !ends_well {
                    tokens.push(Token {
                        kind: Kind::Unknown,
                        at,
                        line,
                        may_be_key: false,
                        key_dropped_at: None,
                    });
                    return (tokens, None);
                }
            }
            '\'' | '"' => {
                let may_be_key = save_key(&tokens, &mut keys);
                tokens.push(Token {
                    may_be_key,
                    ..token(Kind::Scalar)
                });
                key_allowed = false;
                at += 1;
                loop {
                    let Some(&q) = chars.get(at) else {
                        // libyaml reads an unclosed quoted scalar to the end of the input.
                        tokens.push(token(Kind::Unknown));
                        let eof_line = line_of_end(chars);
                        return (
                            tokens,
                            scanner_error(eof_line, "found unexpected end of stream"),
                        );
                    };
                    at += 1;
                    match q {
                        '\n' => line += 1,
                        '\t' => {
                            tokens.push(token(Kind::Unknown));
                            return (tokens, None);
                        }
                        '\'' if c == '\'' => {
                            if chars.get(at) == Some(&'\'') {
                                at += 1;
                            } else {
                                break;
                            }
                        }
                        '"' if c == '"' => break,
                        '\\' if c == '"' => {
                            let simple = chars.get(at).is_some_and(|&e| {
                                !matches!(e, 'x' | 'u' | 'U' | '\n' | '\r')
                                    && crate::read::go_yaml_escape(e)
                            });
                            let digits = match chars.get(at) {
                                Some('x') => 2,
                                Some('u') => 4,
                                Some('U') => 8,
                                _ => 0,
                            };
                            let hex = digits > 0
                                && chars.get(at + 1..at + 1 + digits).is_some_and(|h| {
                                    // Surrogates and numbers past Unicode fail the scanner.
                                    let text: String = h.iter().collect();
                                    h.iter().all(|c| c.is_ascii_hexdigit())
                                        && u32::from_str_radix(&text, 16)
                                            .is_ok_and(|v| char::from_u32(v).is_some())
                                });
                            if hex {
                                at += digits;
                            } else if !simple {
                                let digits_given = digits > 0
                                    && chars
                                        .get(at + 1..at + 1 + digits)
                                        .is_some_and(|h| h.iter().all(|c| c.is_ascii_hexdigit()));
                                let problem = match chars.get(at) {
                                    // An escaped line break goes on with the scalar: left to
                                    // the rest of the reader.
                                    None | Some('\n' | '\r') => None,
                                    Some(_) if digits_given => {
                                        Some("found invalid Unicode character escape code")
                                    }
                                    Some(_) if digits > 0 => {
                                        // (sic: go-yaml spells it so)
                                        Some("did not find expected hexdecimal number")
                                    }
                                    Some(_) => Some("found unknown escape character"),
                                };
                                tokens.push(token(Kind::Unknown));
                                return (tokens, problem.and_then(|p| scanner_error(line, p)));
                            }
                            at += 1;
                        }
                        _ => {}
                    }
                }
            }
            '!' | '|' | '>' | '%' | '@' | '`' | '\t' => {
                tokens.push(token(Kind::Unknown));
                return (tokens, None);
            }
            _ => {
                let may_be_key = save_key(&tokens, &mut keys);
                tokens.push(Token {
                    may_be_key,
                    ..token(Kind::Scalar)
                });
                key_allowed = false;
                // A plain scalar: ends at `: ` (or `:` before a line break), at a flow
                // indicator or `?`, and at ` #`; goes on over blanks and lines otherwise.
                loop {
                    while let Some(&p) = chars.get(at) {
                        let ends = matches!(p, ' ' | '\n' | '\r' | '\t')
                            || matches!(p, ',' | '?' | '[' | ']' | '{' | '}')
                            || (p == ':' && at_blankz(at + 1));
                        if ends {
                            break;
                        }
                        at += 1;
                    }
                    let mut next = at;
                    let mut next_line = line;
                    while let Some(&b) = chars.get(next) {
                        match b {
                            ' ' | '\r' => next += 1,
                            '\n' => {
                                next_line += 1;
                                next += 1;
                            }
                            _ => break,
                        }
                    }
                    let Some(&n) = chars.get(next) else {
                        break;
                    };
                    let column_zero = chars[next - 1] == '\n';
                    let goes_on = next > at
                        && !(n == '#'
                            || matches!(n, ',' | '?' | '[' | ']' | '{' | '}' | '\t')
                            || (n == ':' && at_blankz(next + 1))
                            || (column_zero && matches!(n, '-' | '.')));
                    if !goes_on {
                        break;
                    }
                    at = next;
                    line = next_line;
                }
            }
        }
    }
}

/// The parser's state: what it wants next inside one collection.
#[derive(Clone, Copy, PartialEq)]
enum State {
    SeqEntry { first: bool },
    SeqPairKey,
    SeqPairValue,
    SeqPairEnd,
    MapKey { first: bool },
    MapValue,
    MapEmptyValue,
}

/// Runs libyaml's flow parser over the tokens: the index of the token it fails at and its
/// problem, or `None` when the collection parses or an `Unknown` token is met first.
fn parse(tokens: &[Token]) -> Option<(usize, &'static str)> {
    let node_content = "did not find expected node content";
    let mut states: Vec<State> = Vec::new();
    let mut i = 0;
    // Parses a node at `i`: a scalar or alias is taken, a collection start pushes its state.
    let node = |i: &mut usize, states: &mut Vec<State>| -> Result<(), Option<usize>> {
        let kind = tokens.get(*i).map(|t| t.kind);
        match kind {
            Some(Kind::Alias | Kind::Scalar) => {
                *i += 1;
                Ok(())
            }
            Some(Kind::Anchor) => {
                *i += 1;
                match tokens.get(*i).map(|t| t.kind) {
                    Some(Kind::Scalar) => *i += 1,
                    Some(Kind::SeqStart) => {
                        *i += 1;
                        states.push(State::SeqEntry { first: true });
                    }
                    Some(Kind::MapStart) => {
                        *i += 1;
                        states.push(State::MapKey { first: true });
                    }
                    // An empty node with the anchor.
                    _ => {}
                }
                Ok(())
            }
            Some(Kind::SeqStart) => {
                *i += 1;
                states.push(State::SeqEntry { first: true });
                Ok(())
            }
            Some(Kind::MapStart) => {
                *i += 1;
                states.push(State::MapKey { first: true });
                Ok(())
            }
            _ => Err(Some(*i)),
        }
    };
    // The outer collection.
    node(&mut i, &mut states).ok()?;
    while let Some(state) = states.pop() {
        let kind = tokens.get(i)?.kind;
        if kind == Kind::Unknown {
            return None;
        }
        let parse_node = |i: &mut usize, states: &mut Vec<State>, then: State| {
            states.push(then);
            node(i, states).map_err(|at| at.map(|at| (at, node_content)))
        };
        // The start of a sequence entry or mapping key: the collection's `end`, or (after the
        // first entry) the ',' before the next. `Ok(None)`: the collection ended here; else the
        // kind of the entry's first token. `None`: the tokens gave out.
        let entry_start = |i: &mut usize, first: bool, end: Kind, missing: &'static str| {
            let mut kind = tokens.get(*i)?.kind;
            if !first && kind != end {
                if kind != Kind::Entry {
                    return Some(Err(Some((*i, missing))));
                }
                *i += 1;
                kind = tokens.get(*i)?.kind;
            }
            if kind == end {
                *i += 1;
                return Some(Ok(None));
            }
            Some(Ok(Some(kind)))
        };
        // The value of a pair: after a ':' its node, unless the entry or the collection (`end`)
        // follows at once; then `then`.
        let pair_value = |i: &mut usize, states: &mut Vec<State>, end: Kind, then: State| {
            if tokens.get(*i)?.kind == Kind::Value {
                *i += 1;
                let next = tokens.get(*i)?.kind;
                if !matches!(next, Kind::Entry | Kind::Unknown) && next != end {
                    return Some(parse_node(i, states, then));
                }
            }
            states.push(then);
            Some(Ok(()))
        };
        let result = match state {
            State::SeqEntry { first } => {
                match entry_start(
                    &mut i,
                    first,
                    Kind::SeqEnd,
                    "did not find expected ',' or ']'",
                )? {
                    Err(problem) => Err(problem),
                    Ok(None) => Ok(()),
                    Ok(Some(Kind::Key)) => {
                        i += 1;
                        states.push(State::SeqPairKey);
                        Ok(())
                    }
                    Ok(Some(Kind::Unknown)) => return None,
                    Ok(Some(_)) => {
                        parse_node(&mut i, &mut states, State::SeqEntry { first: false })
                    }
                }
            }
            State::SeqPairKey => match kind {
                Kind::Value | Kind::Entry | Kind::SeqEnd => return None,
                _ => parse_node(&mut i, &mut states, State::SeqPairValue),
            },
            State::SeqPairValue => {
                pair_value(&mut i, &mut states, Kind::SeqEnd, State::SeqPairEnd)?
            }
            State::SeqPairEnd => {
                states.push(State::SeqEntry { first: false });
                Ok(())
            }
            State::MapKey { first } => {
                match entry_start(
                    &mut i,
                    first,
                    Kind::MapEnd,
                    "did not find expected ',' or '}'",
                )? {
                    Err(problem) => Err(problem),
                    Ok(None) => Ok(()),
                    Ok(Some(Kind::Key)) => {
                        i += 1;
                        let next = tokens.get(i)?.kind;
                        if matches!(next, Kind::Value | Kind::Entry | Kind::MapEnd) {
                            states.push(State::MapValue);
                            Ok(())
                        } else {
                            parse_node(&mut i, &mut states, State::MapValue)
                        }
                    }
                    Ok(Some(Kind::Unknown)) => return None,
                    Ok(Some(_)) => parse_node(&mut i, &mut states, State::MapEmptyValue),
                }
            }
            State::MapValue => pair_value(
                &mut i,
                &mut states,
                Kind::MapEnd,
                State::MapKey { first: false },
            )?,
            State::MapEmptyValue => {
                states.push(State::MapKey { first: false });
                Ok(())
            }
        };
        match result {
            Ok(()) => {}
            Err(Some((at, problem))) => {
                return (tokens.get(at)?.kind != Kind::Unknown).then_some((at, problem));
            }
            Err(None) => return None,
        }
    }
    None
}

/// The 0-based line of the input's end.
fn line_of_end(chars: &[char]) -> usize {
    chars.iter().filter(|&&c| c == '\n').count()
}
