//! `.helmignore`: Helm's own ignore-file syntax (not gitignore's). Each line is a Go
//! `filepath.Match` glob; `!` negates, a trailing `/` matches only directories, a leading `/` or
//! any inner `/` matches the whole relative path, otherwise only the base name. `**` is refused.
//! Helm always adds the rule `templates/.?*` after the file's own rules.

/// Go's `filepath.ErrBadPattern` text.
const BAD_PATTERN: &str = "syntax error in pattern";

/// A malformed glob pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError;

/// How a rule's glob is applied to a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// Matched against the whole slash-separated relative path.
    FullPath,
    /// Matched against the last path element only.
    BaseName,
}

#[derive(Debug, Clone)]
struct Rule {
    /// The glob, parsed once; `None` when it is malformed once the `!` and `/` marks are cut
    /// (`a\/`), so it matches nothing, as Go's `filepath.Match` returning an error.
    glob: Option<Glob>,
    target: Target,
    negate: bool,
    dirs_only: bool,
}

/// The parsed rules of a `.helmignore` file.
#[derive(Debug, Clone, Default)]
pub struct IgnoreRules {
    rules: Vec<Rule>,
}

impl IgnoreRules {
    /// No rules at all.
    pub fn empty() -> IgnoreRules {
        IgnoreRules::default()
    }

    /// Parses the text of a `.helmignore` file. Errors carry Helm's texts.
    pub fn parse(text: &[u8]) -> Result<IgnoreRules, String> {
        let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
        let mut rules = IgnoreRules::empty();
        // Go's bufio.Scanner splits on '\n' and drops one trailing '\r'.
        for line in text.split(|&b| b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            rules.add_rule(&String::from_utf8_lossy(line))?;
        }
        Ok(rules)
    }

    /// Adds the rule Helm always appends: `templates/.?*` (hidden files in `templates/`).
    pub fn add_defaults(&mut self) {
        // Parsed once per process: every load of a chart directory adds it.
        static DEFAULTS: std::sync::OnceLock<IgnoreRules> = std::sync::OnceLock::new();
        let defaults = DEFAULTS.get_or_init(|| {
            let mut rules = IgnoreRules::empty();
            // The default rule is well-formed, so this cannot fail.
            let _ = rules.add_rule("templates/.?*");
            rules
        });
        self.rules.extend(defaults.rules.iter().cloned());
    }

    fn add_rule(&mut self, line: &str) -> Result<(), String> {
        let rule = line.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err("double-star (**) syntax is not supported".to_string());
        }
        // Only a class or an escape can make a pattern malformed; most rules have neither, and
        // then their shape is known without the general parser (a chart's rules are read on
        // every load).
        let plain = !rule.contains(['[', '\\']);
        if !plain && parse_glob(rule).is_err() {
            return Err(BAD_PATTERN.to_string());
        }
        let mut glob = rule;
        let negate = glob.starts_with('!');
        if negate {
            glob = &glob[1..];
        }
        let dirs_only = glob.ends_with('/');
        if dirs_only {
            glob = &glob[..glob.len() - 1];
        }
        let target = if let Some(rest) = glob.strip_prefix('/') {
            glob = rest;
            Target::FullPath
        } else if glob.contains('/') {
            Target::FullPath
        } else {
            Target::BaseName
        };
        let glob = match plain.then(|| Glob::plain(glob)).flatten() {
            Some(glob) => Some(glob),
            None => parse_glob(glob).ok().map(Glob::new),
        };
        self.rules.push(Rule {
            glob,
            target,
            negate,
            dirs_only,
        });
        Ok(())
    }

    /// Whether the slash-separated relative `path` is ignored. Helm's quirk is kept: a negated
    /// rule ignores every path it does not match (and every file when it names directories).
    pub fn ignores(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        // The base name is the same for every rule: found once, from the last `/`.
        let base = base_name(path);
        for rule in &self.rules {
            if rule.dirs_only && !is_dir {
                if rule.negate {
                    return true;
                }
                continue;
            }
            let subject = match rule.target {
                Target::FullPath => path,
                Target::BaseName => base,
            };
            let matched = rule.glob.as_ref().is_some_and(|g| g.matches(subject));
            if matched != rule.negate {
                return true;
            }
        }
        false
    }
}

/// Go's `filepath.Base` for a slash-separated path without trailing slashes.
fn base_name(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    match trimmed.rfind('/') {
        Some(slash) => &trimmed[slash + 1..],
        None => trimmed,
    }
}

/// A parsed glob, with the shapes most ignore rules have (`.DS_Store`, `*.swp`) matched by a
/// plain comparison instead of the general matcher (every rule is tried on every file).
#[derive(Debug, Clone)]
enum Glob {
    /// Only literal characters: the name must be this text.
    Exact(String),
    /// One leading `*` then only literal characters: the name must end with this text, and the
    /// part the star takes must not hold a `/`.
    StarThen(String),
    /// Anything else, with the literal characters it starts with: a name that does not start
    /// with them cannot match, and most names are refused by that comparison alone (the
    /// default rule `templates/.?*` is tried on every file of every load).
    Tokens { prefix: String, tokens: Vec<Token> },
}

impl Glob {
    fn new(tokens: Vec<Token>) -> Glob {
        let literal = |tokens: &[Token]| -> Option<String> {
            tokens
                .iter()
                .map(|t| match t {
                    Token::Literal(c) => Some(*c),
                    _ => None,
                })
                .collect()
        };
        let general = |tokens: Vec<Token>| {
            let prefix = tokens
                .iter()
                .map_while(|t| match t {
                    Token::Literal(c) => Some(*c),
                    _ => None,
                })
                .collect();
            Glob::Tokens { prefix, tokens }
        };
        match tokens.split_first() {
            Some((Token::Star, rest)) => match literal(rest) {
                Some(text) => Glob::StarThen(text),
                None => general(tokens),
            },
            _ => match literal(&tokens) {
                Some(text) => Glob::Exact(text),
                None => general(tokens),
            },
        }
    }

    /// The glob of a pattern without classes or escapes, when it has one of the plain shapes:
    /// what [`Glob::new`] makes of [`parse_glob`]'s tokens for it.
    fn plain(pattern: &str) -> Option<Glob> {
        let wild = |text: &str| text.contains(['*', '?']);
        match pattern.strip_prefix('*') {
            Some(rest) if !wild(rest) => Some(Glob::StarThen(rest.to_string())),
            Some(_) => None,
            None if !wild(pattern) => Some(Glob::Exact(pattern.to_string())),
            None => None,
        }
    }

    fn matches(&self, name: &str) -> bool {
        match self {
            Glob::Exact(text) => name == text,
            Glob::StarThen(text) => name
                .strip_suffix(text.as_str())
                .is_some_and(|taken| !taken.contains('/')),
            Glob::Tokens { prefix, tokens } => {
                name.starts_with(prefix.as_str()) && tokens_match(tokens, name)
            }
        }
    }
}

/// One element of a parsed glob.
#[derive(Debug, Clone)]
enum Token {
    /// `*`: any run of characters other than `/`.
    Star,
    /// `?`: one character other than `/`.
    Any,
    /// A literal character (possibly escaped with `\`).
    Literal(char),
    /// `[...]`: ranges, possibly negated with `^`.
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// Parses a glob the way Go's `filepath.Match` reads it (Unix rules: `\` escapes), failing on
/// the patterns Go reports as `ErrBadPattern`.
fn parse_glob(pattern: &str) -> Result<Vec<Token>, PatternError> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    // Reads one possibly escaped character inside a class.
    let class_char = |i: &mut usize| -> Result<char, PatternError> {
        let c = *chars.get(*i).ok_or(PatternError)?;
        if c == '-' || c == ']' {
            return Err(PatternError);
        }
        let c = if c == '\\' {
            *i += 1;
            *chars.get(*i).ok_or(PatternError)?
        } else {
            c
        };
        *i += 1;
        if *i >= chars.len() {
            return Err(PatternError);
        }
        Ok(c)
    };
    while i < chars.len() {
        match chars[i] {
            '*' => {
                tokens.push(Token::Star);
                i += 1;
            }
            '?' => {
                tokens.push(Token::Any);
                i += 1;
            }
            '\\' => {
                let c = *chars.get(i + 1).ok_or(PatternError)?;
                tokens.push(Token::Literal(c));
                i += 2;
            }
            '[' => {
                i += 1;
                let negated = chars.get(i) == Some(&'^');
                if negated {
                    i += 1;
                }
                let mut ranges = Vec::new();
                loop {
                    if chars.get(i) == Some(&']') && !ranges.is_empty() {
                        i += 1;
                        break;
                    }
                    let lo = class_char(&mut i)?;
                    let mut hi = lo;
                    if chars.get(i) == Some(&'-') {
                        i += 1;
                        hi = class_char(&mut i)?;
                    }
                    ranges.push((lo, hi));
                }
                tokens.push(Token::Class { negated, ranges });
            }
            c => {
                tokens.push(Token::Literal(c));
                i += 1;
            }
        }
    }
    Ok(tokens)
}

fn token_matches(token: &Token, c: char) -> bool {
    match token {
        Token::Star => c != '/',
        Token::Any => c != '/',
        Token::Literal(l) => *l == c,
        Token::Class { negated, ranges } => {
            let inside = ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi);
            inside != *negated && c != '/'
        }
    }
}

/// Go's `filepath.Match` on `/`-separated paths: whether `name` matches `pattern` entirely.
pub fn glob_match(pattern: &str, name: &str) -> Result<bool, PatternError> {
    Ok(tokens_match(&parse_glob(pattern)?, name))
}

/// Whether `name` matches a parsed glob entirely.
fn tokens_match(tokens: &[Token], name: &str) -> bool {
    // Iterative wildcard matching with one backtrack point: the most recent star. A star
    // never crosses '/', so backtracking stops at a separator. `n` is a byte offset into
    // `name`, always at a character boundary.
    let (mut t, mut n) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while let Some(c) = name[n..].chars().next() {
        match tokens.get(t) {
            Some(Token::Star) => {
                star = Some((t, n));
                t += 1;
            }
            Some(tok) if token_matches(tok, c) => {
                t += 1;
                n += c.len_utf8();
            }
            _ => match star {
                Some((st, sn)) => match name[sn..].chars().next() {
                    Some(skipped) if skipped != '/' => {
                        let next = sn + skipped.len_utf8();
                        star = Some((st, next));
                        t = st + 1;
                        n = next;
                    }
                    _ => return false,
                },
                None => return false,
            },
        }
    }
    while let Some(Token::Star) = tokens.get(t) {
        t += 1;
    }
    t == tokens.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_follow_go_filepath_match() {
        assert_eq!(glob_match("*.txt", "a.txt"), Ok(true));
        assert_eq!(glob_match("*.txt", "d/a.txt"), Ok(false));
        assert_eq!(glob_match("d/*.txt", "d/a.txt"), Ok(true));
        assert_eq!(glob_match("a?c", "abc"), Ok(true));
        assert_eq!(glob_match("a?c", "a/c"), Ok(false));
        assert_eq!(glob_match("[a-c]x", "bx"), Ok(true));
        assert_eq!(glob_match("[^a-c]x", "bx"), Ok(false));
        assert_eq!(glob_match("\\*", "*"), Ok(true));
        assert_eq!(glob_match("*x*y", "axbxy"), Ok(true));
        assert_eq!(glob_match("[", "abc"), Err(PatternError));
        assert_eq!(glob_match("[]", "abc"), Err(PatternError));
        assert_eq!(glob_match("a\\", "abc"), Err(PatternError));
        // The plain-comparison shapes agree with the general matcher.
        for (pattern, names) in [
            (
                "*.swp",
                &["a.swp", ".swp", "d/a.swp", "a.swpx", "é.swp"][..],
            ),
            ("*~", &["a~", "~", "a/b~", "a"][..]),
            (".DS_Store", &[".DS_Store", "x.DS_Store", ".DS_Store/"][..]),
            ("a\\*b", &["a*b", "axb"][..]),
            ("*", &["", "a", "a/b"][..]),
        ] {
            let tokens = parse_glob(pattern).unwrap();
            for name in names {
                assert_eq!(
                    Glob::new(tokens.clone()).matches(name),
                    tokens_match(&tokens, name),
                    "{pattern} on {name}"
                );
            }
        }
        assert_eq!(glob_match("[a-", "abc"), Err(PatternError));
    }

    #[test]
    fn plain_globs_match_as_parsed_ones() {
        let names = [
            "",
            "a",
            "a.swp",
            ".swp",
            "d/a.swp",
            "é.swp",
            "README.md.j2",
            "a~",
            "~",
            "a/b",
            "?",
            "*",
            "ab",
            "xab",
        ];
        let mut plain = 0;
        for pattern in [
            "*.swp",
            "*~",
            "*",
            "README.md.j2",
            "a/b",
            "a",
            "",
            "*a*",
            "a?",
            "?",
            "*?",
            "a*",
        ] {
            let parsed = Glob::new(parse_glob(pattern).unwrap());
            if let Some(glob) = Glob::plain(pattern) {
                plain += 1;
                for name in names {
                    assert_eq!(
                        glob.matches(name),
                        parsed.matches(name),
                        "{pattern} on {name}"
                    );
                }
            }
        }
        // The shapes with wildcards past a leading star go to the general parser.
        assert_eq!(plain, 7);
    }

    #[test]
    fn rules_apply_helm_semantics() {
        let mut rules = IgnoreRules::parse(b"# comment\n*.bak\n/top.txt\nsecret/\n").unwrap();
        rules.add_defaults();
        assert!(rules.ignores("x/y.bak", false));
        assert!(rules.ignores("top.txt", false));
        assert!(!rules.ignores("sub/top.txt", false));
        assert!(rules.ignores("secret", true));
        assert!(!rules.ignores("secret", false));
        assert!(rules.ignores("templates/.hidden", false));
        assert!(!rules.ignores("templates/shown.yaml", false));
        assert_eq!(
            IgnoreRules::parse(b"a/**/b").unwrap_err(),
            "double-star (**) syntax is not supported"
        );
        assert_eq!(
            IgnoreRules::parse(b"[").unwrap_err(),
            "syntax error in pattern"
        );
    }
}
