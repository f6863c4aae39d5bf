//! Glob patterns as `.Files.Glob` reads them (the `gobwas/glob` syntax with `/` as separator):
//! `*` matches within one path segment, `**` across segments, `?` one character that is not a
//! separator, `[abc]`, `[a-z]`, `[!a-z]` classes, `{a,b}` alternatives and `\` escapes.

/// One piece of a compiled pattern.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// A literal character.
    Char(char),
    /// `*`: any run of characters without `/`.
    Star,
    /// `**`: any run of characters.
    SuperStar,
    /// `?`: one character other than `/`.
    Any,
    /// `[...]`: one character in (or, when negated, not in) the ranges.
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
    /// `{a,b}`: one of the alternatives, each a pattern.
    Alternatives(Vec<Vec<Token>>),
}

/// A compiled glob pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Glob {
    tokens: Vec<Token>,
}

/// Why a pattern did not compile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobError;

impl Glob {
    /// Compiles `pattern`; fails on an unclosed `[` or `{` or a dangling `\`.
    pub fn compile(pattern: &str) -> Result<Glob, GlobError> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut pos = 0;
        let tokens = parse_sequence(&chars, &mut pos, 0)?;
        if pos != chars.len() {
            return Err(GlobError);
        }
        Ok(Glob { tokens })
    }

    /// Whether `name` matches the whole pattern.
    pub fn matches(&self, name: &str) -> bool {
        let chars: Vec<char> = name.chars().collect();
        // Alternatives make the matcher branch; a step budget keeps hostile patterns bounded.
        let mut budget: u32 = 1_000_000;
        match_tokens(&self.tokens, &chars, &mut budget)
    }
}

/// Parses tokens until the end, or (inside `{}`) until an unnested `,` or `}`.
fn parse_sequence(chars: &[char], pos: &mut usize, depth: usize) -> Result<Vec<Token>, GlobError> {
    if depth > MAX_DEPTH {
        return Err(GlobError);
    }
    let in_braces = depth > 0;
    let mut tokens = Vec::new();
    while *pos < chars.len() {
        let c = chars[*pos];
        match c {
            ',' | '}' if in_braces => return Ok(tokens),
            '\\' => {
                let next = *chars.get(*pos + 1).ok_or(GlobError)?;
                tokens.push(Token::Char(next));
                *pos += 2;
            }
            '*' => {
                if chars.get(*pos + 1) == Some(&'*') {
                    tokens.push(Token::SuperStar);
                    *pos += 2;
                } else {
                    tokens.push(Token::Star);
                    *pos += 1;
                }
            }
            '?' => {
                tokens.push(Token::Any);
                *pos += 1;
            }
            '[' => {
                *pos += 1;
                let negated = chars.get(*pos) == Some(&'!');
                if negated {
                    *pos += 1;
                }
                let mut ranges = Vec::new();
                loop {
                    let lo = *chars.get(*pos).ok_or(GlobError)?;
                    if lo == ']' {
                        *pos += 1;
                        break;
                    }
                    if chars.get(*pos + 1) == Some(&'-')
                        && chars.get(*pos + 2).is_some_and(|c| *c != ']')
                    {
                        ranges.push((lo, chars[*pos + 2]));
                        *pos += 3;
                    } else {
                        ranges.push((lo, lo));
                        *pos += 1;
                    }
                }
                tokens.push(Token::Class { negated, ranges });
            }
            '{' => {
                *pos += 1;
                let mut alternatives = Vec::new();
                loop {
                    alternatives.push(parse_sequence(chars, pos, depth + 1)?);
                    match chars.get(*pos) {
                        Some(',') => *pos += 1,
                        Some('}') => {
                            *pos += 1;
                            break;
                        }
                        _ => return Err(GlobError),
                    }
                }
                tokens.push(Token::Alternatives(alternatives));
            }
            _ => {
                tokens.push(Token::Char(c));
                *pos += 1;
            }
        }
    }
    Ok(tokens)
}

/// How deeply `*` and `{}` may nest their backtracking before a match is given up.
const MAX_DEPTH: usize = 200;

/// Matches literal runs in a loop and recurses only at `*`, `**` and `{}`, so long patterns
/// cannot exhaust the stack.
fn match_tokens(tokens: &[Token], name: &[char], budget: &mut u32) -> bool {
    match_at(tokens, name, budget, 0)
}

fn match_at(mut tokens: &[Token], mut name: &[char], budget: &mut u32, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    loop {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        let Some((first, rest)) = tokens.split_first() else {
            return name.is_empty();
        };
        match first {
            Token::Char(c) => {
                if name.first() != Some(c) {
                    return false;
                }
            }
            Token::Any => {
                if name.first().is_none_or(|c| *c == '/') {
                    return false;
                }
            }
            Token::Class { negated, ranges } => {
                let Some(c) = name.first() else {
                    return false;
                };
                let inside = ranges.iter().any(|(lo, hi)| lo <= c && c <= hi);
                if inside == *negated {
                    return false;
                }
            }
            Token::Star | Token::SuperStar => {
                let crosses = matches!(first, Token::SuperStar);
                for skip in 0..=name.len() {
                    if match_at(rest, &name[skip..], budget, depth + 1) {
                        return true;
                    }
                    if skip < name.len() && !crosses && name[skip] == '/' {
                        return false;
                    }
                }
                return false;
            }
            Token::Alternatives(alternatives) => {
                return alternatives.iter().any(|alt| {
                    let mut joined = alt.clone();
                    joined.extend_from_slice(rest);
                    match_at(&joined, name, budget, depth + 1)
                });
            }
        }
        tokens = rest;
        name = &name[1..];
    }
}

#[cfg(test)]
mod tests {
    use super::Glob;

    fn m(p: &str, n: &str) -> bool {
        Glob::compile(p).unwrap().matches(n)
    }

    #[test]
    fn stars_and_segments() {
        assert!(m("conf/*", "conf/a.txt"));
        assert!(!m("conf/*", "conf/sub/a.txt"));
        assert!(m("conf/**", "conf/sub/a.txt"));
        assert!(m("**.txt", "a/b/c.txt"));
        assert!(m("*.{txt,md}", "x.md"));
        assert!(m("file[0-9].?", "file3.a"));
        assert!(!m("file[!0-9]", "file3"));
        assert!(Glob::compile("a[bc").is_err());
        assert!(Glob::compile("a{b").is_err());
        let long = "a".repeat(50_000);
        assert!(Glob::compile(&long).unwrap().matches(&long));
        assert!(!Glob::compile(&"*b".repeat(1_000))
            .unwrap()
            .matches(&"a".repeat(30)));
        assert!(Glob::compile(&"{".repeat(5_000)).is_err());
    }
}
