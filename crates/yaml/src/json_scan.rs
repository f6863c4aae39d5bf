//! Go's `encoding/json` syntax, read as its scanner reads it: the same bytes accepted, the same
//! `invalid character ...` texts for the first byte refused, and the same byte offsets.
//!
//! A [`Scanner`] hands out the [`Token`]s of one value at a time, in document order, checking
//! the syntax as it goes, so a caller builds whatever the value decodes into (a template value,
//! a Go struct's few fields) in the same pass. It reads either a whole text, as `json.Unmarshal`
//! does (one value, then only white space: [`Scanner::finish`]), or a stream of values, as
//! `json.Decoder` does ([`Scanner::next_value`] before each).
//!
//! Go checks the syntax of a whole value before it decodes any of it, so a syntax error wins
//! over a type error met earlier: a caller that finds a type error keeps it and reads on to the
//! end of the value ([`Scanner::skip_value`]) before reporting it.
//!
//! The input is bytes, any Go string: a byte that is not UTF-8 becomes U+FFFD inside a string
//! literal (as Go's decoder makes it) and is a refused character anywhere else, named as the
//! rune of the same number (`invalid character 'ÿ' ...`), as Go's scanner names it.

use std::borrow::Cow;

/// encoding/json's limit on nested objects and arrays (`maxNestingDepth`).
pub const MAX_NESTING: usize = 10000;

/// One piece of a JSON value, in document order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Token<'a> {
    /// `{`
    BeginObject,
    /// `}`
    EndObject,
    /// `[`
    BeginArray,
    /// `]`
    EndArray,
    /// An object member's key, decoded as [`Token::String`] is.
    Key(Cow<'a, str>),
    /// A string literal, its escapes decoded as Go's decoder does: a `\u` surrogate that is not
    /// half of a valid pair, and each byte that is not UTF-8, become U+FFFD.
    String(Cow<'a, str>),
    /// A number as written (JSON number syntax, so ASCII only).
    Number(&'a str),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
}

impl Token<'_> {
    /// The name encoding/json gives the kind of the value this token starts, in
    /// `cannot unmarshal KIND into ...` (`None` for a key or a closing bracket).
    pub fn kind(&self) -> Option<&'static str> {
        Some(match self {
            Token::BeginObject => "object",
            Token::BeginArray => "array",
            Token::String(_) => "string",
            Token::Number(_) => "number",
            Token::Bool(_) => "bool",
            Token::Null => "null",
            Token::Key(_) | Token::EndObject | Token::EndArray => return None,
        })
    }
}

/// Why a [`Scanner`] stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScanError {
    /// A byte Go's scanner refuses: `json.SyntaxError` with its message
    /// (`invalid character 'x' after object key`) and its offset, the count of bytes Go's
    /// scanner had stepped over, the refused one included.
    Syntax {
        /// Go's message.
        message: String,
        /// Go's `Offset`.
        offset: u64,
    },
    /// The input ended inside a value. At the end `json.Unmarshal` steps its scanner once more
    /// with a space, which is refused inside a literal, an escape or a number that is not
    /// whole yet: `refused_space` is that message, if any.
    UnexpectedEnd {
        /// `invalid character ' ' ...`, when the space is refused.
        refused_space: Option<String>,
    },
}

impl ScanError {
    /// The text `json.Unmarshal` reports for this error.
    pub fn unmarshal_message(&self) -> &str {
        match self {
            ScanError::Syntax { message, .. }
            | ScanError::UnexpectedEnd {
                refused_space: Some(message),
            } => message,
            ScanError::UnexpectedEnd {
                refused_space: None,
            } => "unexpected end of JSON input",
        }
    }

    /// The text `json.Decoder.Decode` reports for this error: at the end of the stream it is
    /// `io.ErrUnexpectedEOF`'s.
    pub fn decoder_message(&self) -> &str {
        match self {
            ScanError::Syntax { message, .. } => message,
            ScanError::UnexpectedEnd { .. } => "unexpected EOF",
        }
    }
}

/// What the scanner expects next, white space aside.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// A value: at the top, after `:`, or after `,` in an array.
    Value,
    /// A value or `]`, just after `[`.
    ValueOrEnd,
    /// A key or `}`, just after `{`.
    KeyOrEnd,
    /// A key, after `,` in an object.
    Key,
    /// The `:` after a key.
    Colon,
    /// `,` or the closing bracket after a member or an element.
    Comma,
    /// The top-level value is whole.
    Done,
}

/// Reads Go-JSON as tokens; see the [module documentation](self).
#[derive(Clone, Debug)]
pub struct Scanner<'a> {
    src: &'a [u8],
    /// The input as text when it is all UTF-8 (checked once), so that string literals without
    /// escapes are cut from it without checking each again.
    text: Option<&'a str>,
    pos: usize,
    expect: Expect,
    /// The open objects and arrays.
    open: Nesting,
    /// Whether the last whole value is a scalar at the top, whose end Go's scanner only sees
    /// on the byte after it.
    scalar_at_top: bool,
    /// Bytes Go's stream decoder stepped over twice so far: the byte that ends a top-level
    /// scalar is stepped once to end it and again to start the next value, and its offsets
    /// count both.
    restepped: u64,
}

/// Which containers are open, innermost last: one bit each (set for an object), the first 64
/// kept inline so that reading a shallow value allocates nothing for them.
#[derive(Clone, Debug, Default)]
struct Nesting {
    depth: usize,
    shallow: u64,
    deep: Vec<bool>,
}

impl Nesting {
    fn push(&mut self, object: bool) {
        if self.depth < 64 {
            self.shallow = (self.shallow & !(1 << self.depth)) | (u64::from(object) << self.depth);
        } else {
            self.deep.push(object);
        }
        self.depth += 1;
    }

    fn pop(&mut self) {
        if self.depth > 64 {
            self.deep.pop();
        }
        self.depth = self.depth.saturating_sub(1);
    }

    /// Whether the innermost open container is an object.
    fn in_object(&self) -> bool {
        match self.depth {
            0 => false,
            1..=64 => self.shallow >> (self.depth - 1) & 1 == 1,
            _ => self.deep.last() == Some(&true),
        }
    }
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// Go's `quoteChar`: how a syntax error names a byte, as the rune of the same number (the first
/// byte of `é` is `'Ã'`, a byte 0xff `'ÿ'`).
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".to_string(),
        b'"' => "'\"'".to_string(),
        _ => {
            let quoted = crate::gostr::quote(char::from(c).encode_utf8(&mut [0; 4]));
            format!("'{}'", &quoted[1..quoted.len() - 1])
        }
    }
}

/// The value of an ASCII hex digit.
fn hex_digit(c: u8) -> Option<u32> {
    char::from(c).to_digit(16)
}

impl<'a> Scanner<'a> {
    /// A scanner at the start of `src`, expecting a value.
    pub fn new(src: &'a [u8]) -> Self {
        Scanner {
            src,
            text: std::str::from_utf8(src).ok(),
            pos: 0,
            expect: Expect::Value,
            open: Nesting::default(),
            scalar_at_top: false,
            restepped: 0,
        }
    }

    /// The byte offset just after the last token read: once a value is whole, where it ends
    /// (white space after it not included).
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The next token of the current value, or `None` once the value is whole.
    // Inlined into the readers' loops: a call per token costs about as much as the token.
    #[inline(always)]
    pub fn next_token(&mut self) -> Result<Option<Token<'a>>, ScanError> {
        let src = self.src;
        loop {
            if self.expect == Expect::Done {
                return Ok(None);
            }
            let Some(&c) = src.get(self.pos) else {
                return Err(ScanError::UnexpectedEnd {
                    refused_space: None,
                });
            };
            if is_space(c) {
                self.pos += 1;
                continue;
            }
            let token = match self.expect {
                Expect::Value => self.begin_value(c)?,
                Expect::ValueOrEnd if c == b']' => self.close(Token::EndArray),
                Expect::ValueOrEnd => self.begin_value(c)?,
                Expect::KeyOrEnd if c == b'}' => self.close(Token::EndObject),
                Expect::KeyOrEnd | Expect::Key if c == b'"' => {
                    let key = self.string()?;
                    self.expect = Expect::Colon;
                    Token::Key(key)
                }
                Expect::KeyOrEnd | Expect::Key => {
                    return Err(self.refused(self.pos, "looking for beginning of object key string"))
                }
                Expect::Colon if c == b':' => {
                    self.pos += 1;
                    self.expect = Expect::Value;
                    continue;
                }
                Expect::Colon => return Err(self.refused(self.pos, "after object key")),
                Expect::Comma => {
                    let in_object = self.open.in_object();
                    match (in_object, c) {
                        (true, b',') => {
                            self.pos += 1;
                            self.expect = Expect::Key;
                            continue;
                        }
                        (false, b',') => {
                            self.pos += 1;
                            self.expect = Expect::Value;
                            continue;
                        }
                        (true, b'}') => self.close(Token::EndObject),
                        (false, b']') => self.close(Token::EndArray),
                        (true, _) => {
                            return Err(self.refused(self.pos, "after object key:value pair"))
                        }
                        (false, _) => return Err(self.refused(self.pos, "after array element")),
                    }
                }
                Expect::Done => return Ok(None),
            };
            return Ok(Some(token));
        }
    }

    /// Reads the rest of the value whose first token was just read: nothing for a scalar,
    /// up to the matching bracket for `{` or `[`.
    pub fn skip_value(&mut self, first: &Token) -> Result<(), ScanError> {
        if !matches!(first, Token::BeginObject | Token::BeginArray) {
            return Ok(());
        }
        let depth = self.open.depth;
        while self.open.depth >= depth {
            if self.next_token()?.is_none() {
                break;
            }
        }
        Ok(())
    }

    /// For a whole text (`json.Unmarshal`): after the value, only white space may follow.
    pub fn finish(&mut self) -> Result<(), ScanError> {
        let rest = &self.src[self.pos..];
        match rest.iter().position(|&c| !is_space(c)) {
            Some(at) => Err(self.refused(self.pos + at, "after top-level value")),
            None => Ok(()),
        }
    }

    /// For a stream (`json.Decoder`): moves on to the next value once the current one is whole,
    /// and says whether there is one (anything but white space left).
    pub fn next_value(&mut self) -> bool {
        if self.expect == Expect::Done {
            if self.scalar_at_top && self.pos < self.src.len() {
                self.restepped += 1;
            }
            self.expect = Expect::Value;
            self.scalar_at_top = false;
        }
        self.src[self.pos..].iter().any(|&c| !is_space(c))
    }

    /// The error for the byte at `at`, or for the space Go steps with when the input ends there.
    fn refused(&self, at: usize, context: &str) -> ScanError {
        match self.src.get(at) {
            Some(&c) => ScanError::Syntax {
                message: format!("invalid character {} {context}", quote_char(c)),
                offset: at as u64 + 1 + self.restepped,
            },
            None => ScanError::UnexpectedEnd {
                refused_space: Some(format!("invalid character ' ' {context}")),
            },
        }
    }

    /// After a whole value: the enclosing container's `,` or bracket comes next, or the top
    /// level is done.
    fn after_value(&mut self, scalar: bool) {
        if self.open.depth == 0 {
            self.expect = Expect::Done;
            self.scalar_at_top = scalar;
        } else {
            self.expect = Expect::Comma;
        }
    }

    fn close(&mut self, token: Token<'a>) -> Token<'a> {
        self.pos += 1;
        self.open.pop();
        self.after_value(false);
        token
    }

    fn open(&mut self, object: bool) -> Result<Token<'a>, ScanError> {
        self.open.push(object);
        if self.open.depth > MAX_NESTING {
            return Err(self.refused(self.pos, "exceeded max depth"));
        }
        self.pos += 1;
        Ok(if object {
            self.expect = Expect::KeyOrEnd;
            Token::BeginObject
        } else {
            self.expect = Expect::ValueOrEnd;
            Token::BeginArray
        })
    }

    #[inline(always)]
    fn begin_value(&mut self, c: u8) -> Result<Token<'a>, ScanError> {
        let token = match c {
            b'{' => return self.open(true),
            b'[' => return self.open(false),
            b'"' => Token::String(self.string()?),
            b'-' | b'0'..=b'9' => Token::Number(self.number()?),
            b't' => {
                self.literal(b"true")?;
                Token::Bool(true)
            }
            b'f' => {
                self.literal(b"false")?;
                Token::Bool(false)
            }
            b'n' => {
                self.literal(b"null")?;
                Token::Null
            }
            _ => return Err(self.refused(self.pos, "looking for beginning of value")),
        };
        self.after_value(true);
        Ok(token)
    }

    fn literal(&mut self, word: &'static [u8]) -> Result<(), ScanError> {
        for (i, &expected) in word.iter().enumerate().skip(1) {
            if self.src.get(self.pos + i) != Some(&expected) {
                let word = std::str::from_utf8(word).unwrap_or_default();
                return Err(self.refused(
                    self.pos + i,
                    &format!("in literal {word} (expecting {})", quote_char(expected)),
                ));
            }
        }
        self.pos += word.len();
        Ok(())
    }

    fn number(&mut self) -> Result<&'a str, ScanError> {
        let src = self.src;
        let digit_at = |i: usize| src.get(i).is_some_and(u8::is_ascii_digit);
        let start = self.pos;
        let mut i = start;
        if src[i] == b'-' {
            i += 1;
            if !digit_at(i) {
                return Err(self.refused(i, "in numeric literal"));
            }
        }
        if src[i] == b'0' {
            i += 1;
        } else {
            while digit_at(i) {
                i += 1;
            }
        }
        if src.get(i) == Some(&b'.') {
            i += 1;
            if !digit_at(i) {
                return Err(self.refused(i, "after decimal point in numeric literal"));
            }
            while digit_at(i) {
                i += 1;
            }
        }
        if matches!(src.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(src.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if !digit_at(i) {
                return Err(self.refused(i, "in exponent of numeric literal"));
            }
            while digit_at(i) {
                i += 1;
            }
        }
        self.pos = i;
        // Only ASCII digits, signs, `.` and exponents were read.
        Ok(match self.text {
            Some(text) => text.get(start..i).unwrap_or_default(),
            None => std::str::from_utf8(&src[start..i]).unwrap_or_default(),
        })
    }

    /// A string literal (the scanner is at its opening quote), decoded: borrowed from the
    /// input unless it holds an escape or a byte that is not UTF-8.
    fn string(&mut self) -> Result<Cow<'a, str>, ScanError> {
        let src = self.src;
        // The text decoded so far, once an escape was met, and where the undecoded part starts.
        let mut decoded: Option<String> = None;
        let mut plain = self.pos + 1;
        let mut i = plain;
        loop {
            match src.get(i) {
                None => {
                    return Err(ScanError::UnexpectedEnd {
                        refused_space: None,
                    })
                }
                Some(b'"') => {
                    self.pos = i + 1;
                    let raw = &src[plain..i];
                    return Ok(match decoded {
                        Some(mut out) => {
                            push_lossy(&mut out, raw);
                            Cow::Owned(out)
                        }
                        // Quotes are ASCII, so the literal's ends are character boundaries.
                        None => match self.text.and_then(|text| text.get(plain..i)) {
                            Some(text) => Cow::Borrowed(text),
                            None => Cow::Owned(helmet_value::gostring::to_text_lossy(raw)),
                        },
                    });
                }
                Some(b'\\') => {
                    let out = decoded.get_or_insert_with(String::new);
                    push_lossy(out, &src[plain..i]);
                    let (c, next) = self.escape(i)?;
                    out.push(c);
                    i = next;
                    plain = i;
                }
                Some(&c) if c < 0x20 => return Err(self.refused(i, "in string literal")),
                Some(_) => i += 1,
            }
        }
    }

    /// The escape at `i` (its backslash): the character it stands for and where it ends.
    fn escape(&self, i: usize) -> Result<(char, usize), ScanError> {
        let c = match self.src.get(i + 1) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => return self.unicode_escape(i),
            _ => return Err(self.refused(i + 1, "in string escape code")),
        };
        Ok((c, i + 2))
    }

    /// A `\u` escape at `i`; a surrogate takes the next `\u` escape with it when the two make a
    /// valid pair, and is U+FFFD otherwise (the next escape then stands on its own).
    fn unicode_escape(&self, i: usize) -> Result<(char, usize), ScanError> {
        let mut first = 0;
        for at in i + 2..i + 6 {
            match self.src.get(at).copied().and_then(hex_digit) {
                Some(d) => first = first * 16 + d,
                None => return Err(self.refused(at, "in \\u hexadecimal character escape")),
            }
        }
        let end = i + 6;
        if !(0xD800..0xE000).contains(&first) {
            return Ok((char::from_u32(first).unwrap_or('\u{FFFD}'), end));
        }
        let second = match self.src.get(end..end + 6) {
            Some([b'\\', b'u', digits @ ..]) => digits
                .iter()
                .try_fold(0, |n, &c| hex_digit(c).map(|d| n * 16 + d)),
            _ => None,
        };
        match second {
            Some(low @ 0xDC00..=0xDFFF) if first < 0xDC00 => {
                let c = 0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00);
                Ok((char::from_u32(c).unwrap_or('\u{FFFD}'), end + 6))
            }
            _ => Ok(('\u{FFFD}', end)),
        }
    }
}

/// Appends bytes as Go's decoder does: each byte that is not UTF-8 as U+FFFD.
fn push_lossy(out: &mut String, bytes: &[u8]) {
    match std::str::from_utf8(bytes) {
        Ok(text) => out.push_str(text),
        Err(_) => out.push_str(&helmet_value::gostring::to_text_lossy(bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each value of a stream as its end offset, or the decoder's error with its offset.
    fn read_stream(text: &str) -> Vec<Result<usize, String>> {
        let mut scanner = Scanner::new(text.as_bytes());
        let mut out = Vec::new();
        while scanner.next_value() {
            loop {
                match scanner.next_token() {
                    Ok(Some(_)) => {}
                    Ok(None) => break,
                    Err(ScanError::Syntax { message, offset }) => {
                        out.push(Err(format!("{offset}: {message}")));
                        return out;
                    }
                    Err(e) => {
                        out.push(Err(e.decoder_message().to_string()));
                        return out;
                    }
                }
            }
            out.push(Ok(scanner.position()));
        }
        out
    }

    /// A whole text's tokens, or `json.Unmarshal`'s error text.
    fn read_whole(text: &[u8]) -> Result<Vec<Token<'_>>, String> {
        let mut scanner = Scanner::new(text);
        let mut tokens = Vec::new();
        let fail = |e: ScanError| e.unmarshal_message().to_string();
        while let Some(token) = scanner.next_token().map_err(fail)? {
            tokens.push(token);
        }
        scanner.finish().map_err(fail)?;
        Ok(tokens)
    }

    #[test]
    fn scans_a_stream_with_go_offsets() {
        assert_eq!(read_stream("{} {\"a\": [1, true]}\n"), vec![Ok(2), Ok(19)]);
        assert_eq!(
            read_stream("{}: x"),
            vec![
                Ok(2),
                Err("3: invalid character ':' looking for beginning of value".into())
            ]
        );
        // The byte after a top-level number is stepped twice.
        assert_eq!(
            read_stream("{} 1 x"),
            vec![
                Ok(2),
                Ok(4),
                Err("7: invalid character 'x' looking for beginning of value".into())
            ]
        );
        assert_eq!(
            read_stream("null}"),
            vec![
                Ok(4),
                Err("6: invalid character '}' looking for beginning of value".into())
            ]
        );
        assert_eq!(
            read_stream("{\"a\": tr"),
            vec![Err("unexpected EOF".into())]
        );
        assert_eq!(
            read_stream("{\"a\" 1}"),
            vec![Err("6: invalid character '1' after object key".into())]
        );
        assert_eq!(
            read_stream("{\"\\x\"}"),
            vec![Err("4: invalid character 'x' in string escape code".into())]
        );
        let deep = format!("{{\"a\":{}", "[".repeat(MAX_NESTING));
        assert_eq!(
            read_stream(&deep),
            vec![Err(format!(
                "{}: invalid character '[' exceeded max depth",
                MAX_NESTING + 5
            ))]
        );
    }

    #[test]
    fn whole_text_errors_as_unmarshal() {
        let error = |text: &str| read_whole(text.as_bytes()).unwrap_err();
        assert_eq!(error(" "), "unexpected end of JSON input");
        assert_eq!(error("[1"), "unexpected end of JSON input");
        assert_eq!(error("\"ab"), "unexpected end of JSON input");
        assert_eq!(
            error("tr"),
            "invalid character ' ' in literal true (expecting 'u')"
        );
        assert_eq!(
            error("[1."),
            "invalid character ' ' after decimal point in numeric literal"
        );
        assert_eq!(error("\"\\"), "invalid character ' ' in string escape code");
        assert_eq!(
            error("\"\\u12"),
            "invalid character ' ' in \\u hexadecimal character escape"
        );
        assert_eq!(error("01"), "invalid character '1' after top-level value");
        assert_eq!(error("[01]"), "invalid character '1' after array element");
        assert_eq!(
            error("{\"a\":1 \"b\"}"),
            "invalid character '\"' after object key:value pair"
        );
        assert_eq!(
            error("{,}"),
            "invalid character ',' looking for beginning of object key string"
        );
        assert_eq!(
            error("[1,]"),
            "invalid character ']' looking for beginning of value"
        );
        assert_eq!(error("-x"), "invalid character 'x' in numeric literal");
        assert_eq!(
            error("1e+"),
            "invalid character ' ' in exponent of numeric literal"
        );
        assert_eq!(
            error("\"a\tb\""),
            "invalid character '\\t' in string literal"
        );
        assert_eq!(
            error("\u{e9}"),
            "invalid character 'Ã' looking for beginning of value"
        );
        assert_eq!(
            read_whole(b"[\xff]").unwrap_err(),
            "invalid character 'ÿ' looking for beginning of value"
        );
    }

    #[test]
    fn decodes_strings_as_go() {
        let text = [
            br#"{"a\u00e9": ["\ud83d\ude00", "\ud83dx", "\ude00\ud83d", ""#.as_slice(),
            b"\xe2\x82\"]}",
        ]
        .concat();
        let tokens = read_whole(&text).unwrap();
        let strings: Vec<&str> = tokens
            .iter()
            .filter_map(|t| match t {
                Token::Key(s) | Token::String(s) => Some(s.as_ref()),
                _ => None,
            })
            .collect();
        assert_eq!(
            strings,
            [
                "aé",
                "😀",
                "\u{FFFD}x",
                "\u{FFFD}\u{FFFD}",
                "\u{FFFD}\u{FFFD}"
            ]
        );
        assert!(matches!(tokens[0], Token::BeginObject));
        assert_eq!(
            read_whole(b"[-0.5e3, false, null]").unwrap()[1],
            Token::Number("-0.5e3")
        );
    }

    #[test]
    fn skips_a_value() {
        let mut scanner = Scanner::new(br#"{"a": [1, {"b": []}], "c": 2}"#);
        assert_eq!(scanner.next_token(), Ok(Some(Token::BeginObject)));
        assert_eq!(scanner.next_token(), Ok(Some(Token::Key("a".into()))));
        let first = scanner.next_token().unwrap().unwrap();
        scanner.skip_value(&first).unwrap();
        assert_eq!(scanner.next_token(), Ok(Some(Token::Key("c".into()))));
    }
}
