//! Template sources that are not UTF-8 (a Latin-1 comment in `_helpers.tpl`).
//!
//! A Go template is a string of any bytes: the lexer decodes it rune by rune, each byte that
//! does not start a valid UTF-8 sequence reading as U+FFFD, and text outside actions is written
//! out byte for byte. helmet parses text, so each such byte is kept in the source as a stand-in
//! character from the end of the last private-use plane (U+10FF80 to U+10FFFF, one per byte
//! 0x80 to 0xFF) and the parse is marked as holding them: its text writes the bytes back, its
//! interpreted strings and character constants read U+FFFD as Go's, its raw strings keep the
//! bytes, and its error columns count each stand-in as the one byte it was.

use std::borrow::Cow;

/// The first stand-in character, for the byte 0x80.
const FIRST: u32 = 0x10FF80;

/// The stand-in of a byte that is not UTF-8 (0x80 to 0xFF).
fn stand_in(byte: u8) -> char {
    char::from_u32(FIRST + u32::from(byte - 0x80)).unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// The byte a stand-in character keeps, if `c` is one.
fn byte_of(c: char) -> Option<u8> {
    let code = c as u32;
    if code >= FIRST {
        u8::try_from(code - FIRST + 0x80).ok()
    } else {
        None
    }
}

/// Whether `text` holds a stand-in character: all of them are encoded as `F4 8F BE xx` or
/// `F4 8F BF xx` in UTF-8.
pub(crate) fn holds_stand_in(text: &str) -> bool {
    text.as_bytes()
        .windows(3)
        .any(|w| w[0] == 0xF4 && w[1] == 0x8F && (w[2] == 0xBE || w[2] == 0xBF))
}

/// A template source as helmet parses it: its text when it is UTF-8 (`false`), else the text
/// with a stand-in for each byte that is not (`true`). `Err` names a source that holds both
/// such bytes and stand-in characters of its own, which could not be told apart.
pub fn source_text(bytes: &[u8]) -> Result<(Cow<'_, str>, bool), String> {
    let mut rest = match std::str::from_utf8(bytes) {
        Ok(text) => return Ok((Cow::Borrowed(text), false)),
        Err(_) => bytes,
    };
    let mut text = String::with_capacity(bytes.len() + 16);
    loop {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                text.push_str(valid);
                break;
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                // Valid up to here by the error's own account.
                text.push_str(std::str::from_utf8(valid).unwrap_or_default());
                // Go reads each byte of an invalid sequence as one U+FFFD of width 1.
                let bad = e.error_len().unwrap_or(after.len());
                text.extend(after[..bad].iter().map(|&b| stand_in(b)));
                rest = &after[bad..];
            }
        }
    }
    if bytes
        .windows(3)
        .any(|w| w == [0xF4, 0x8F, 0xBE] || w == [0xF4, 0x8F, 0xBF])
    {
        return Err(
            "holds both bytes that are not UTF-8 and characters U+10FF80 to U+10FFFF, \
                    which helmet cannot tell apart"
                .to_string(),
        );
    }
    Ok((Cow::Owned(text), true))
}

/// The bytes a text of a marked source stands for.
pub(crate) fn to_bytes(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        match byte_of(c) {
            Some(b) => out.push(b),
            None => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    out
}

/// A text of a marked source as Go's lexer decodes it: U+FFFD for each stand-in.
pub(crate) fn as_runes(text: &str) -> Cow<'_, str> {
    if !holds_stand_in(text) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match byte_of(c) {
                Some(_) => char::REPLACEMENT_CHARACTER,
                None => c,
            })
            .collect(),
    )
}

/// A character as Go's lexer of a marked source meets it: U+FFFD for a stand-in.
pub(crate) fn as_rune(c: char) -> char {
    match byte_of(c) {
        Some(_) => char::REPLACEMENT_CHARACTER,
        None => c,
    }
}

/// How many bytes of the original source `text` of a marked source stands for.
pub(crate) fn byte_len(text: &str) -> usize {
    text.len() - 3 * text.chars().filter(|&c| byte_of(c).is_some()).count()
}

/// Go's `%q` of a text of a marked source: each stand-in as the `\xNN` escape of its byte.
pub(crate) fn go_quote(text: &str) -> String {
    if !holds_stand_in(text) {
        return crate::lexer::go_quote(text);
    }
    let mut out = String::from("\"");
    for c in text.chars() {
        match byte_of(c) {
            Some(b) => out.push_str(&format!("\\x{b:02x}")),
            None => {
                let one = crate::lexer::go_quote(c.encode_utf8(&mut [0; 4]));
                out.push_str(&one[1..one.len() - 1]);
            }
        }
    }
    out.push('"');
    out
}

/// Whether an error message quotes a marked source's stand-in characters, as themselves or as
/// Go's `%q` escapes them (`\U0010ffe9`): Go's message would hold the raw bytes there.
pub fn message_quotes_stand_in(message: &str) -> bool {
    if message.chars().any(|c| byte_of(c).is_some()) {
        return true;
    }
    message.match_indices("\\U0010ff").any(|(i, m)| {
        message.as_bytes().get(i + m.len()).is_some_and(|b| {
            matches!(b, b'8'..=b'9' | b'a'..=b'f')
                && message
                    .as_bytes()
                    .get(i + m.len() + 1)
                    .is_some_and(u8::is_ascii_hexdigit)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stand_ins_round_trip() {
        let (text, marked) = source_text(b"caf\xe9 \xe6\x97A \xc3\xa9").unwrap();
        assert!(marked);
        assert_eq!(text.chars().filter(|&c| byte_of(c).is_some()).count(), 3);
        assert_eq!(to_bytes(&text), b"caf\xe9 \xe6\x97A \xc3\xa9");
        assert_eq!(as_runes(&text), "caf\u{fffd} \u{fffd}\u{fffd}A \u{e9}");
        assert_eq!(byte_len(&text), 11);
        assert_eq!(go_quote(&text), "\"caf\\xe9 \\xe6\\x97A é\"");
        assert!(message_quotes_stand_in(&text));
        assert!(message_quotes_stand_in("x \"caf\\U0010ffe9\" y"));
        assert!(!message_quotes_stand_in("x \\U0010fe00"));
        let (text, marked) = source_text("plain é".as_bytes()).unwrap();
        assert!(!marked && matches!(text, Cow::Borrowed(_)));
        assert!(source_text(b"\xff \xf4\x8f\xbf\xbf").is_err());
        assert!(source_text(b"\xf4\x8f\xbf\xbf").is_ok());
    }
}
