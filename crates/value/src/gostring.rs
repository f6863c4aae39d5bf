//! Go's view of a string's bytes as runes, for strings that need not be valid UTF-8
//! ([`Value::ByteString`](crate::Value::ByteString)).
//!
//! Go decodes strings lazily: `for range`, `utf8.RuneCountInString`, `strings.Map` and friends
//! take each byte that does not start a valid sequence as one rune, `utf8.RuneError` (U+FFFD),
//! of width 1. Rust's `from_utf8_lossy` instead replaces a whole broken sequence with one U+FFFD,
//! so its counts and replacements differ from Go's; these functions follow Go.

use crate::strconv::decode_utf8;

/// The rune Go yields for a byte that does not start a valid UTF-8 sequence.
pub const RUNE_ERROR: char = '\u{FFFD}';

/// The runes of `b` as Go's `for range` yields them: `(byte offset, rune, width)`, each invalid
/// byte as [`RUNE_ERROR`] of width 1.
pub fn runes(b: &[u8]) -> impl Iterator<Item = (usize, char, usize)> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        let rest = b.get(at..).filter(|r| !r.is_empty())?;
        let (c, width) = decode_utf8(rest).unwrap_or((RUNE_ERROR, 1));
        let start = at;
        at += width;
        Some((start, c, width))
    })
}

/// Go's `utf8.RuneCount`.
pub fn rune_count(b: &[u8]) -> usize {
    runes(b).count()
}

/// The text Go produces when it maps a string rune by rune (`strings.Map`, `strings.ToUpper`,
/// `[]rune(s)`, `encoding/json`): every invalid byte becomes U+FFFD.
pub fn to_text_lossy(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(text) => text.to_string(),
        Err(_) => runes(b).map(|(_, c, _)| c).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_invalid_byte_is_one_rune() {
        // A 3-byte sequence cut after 2 bytes is two runes to Go, one to from_utf8_lossy.
        assert_eq!(rune_count(b"\xe2\x82"), 2);
        assert_eq!(to_text_lossy(b"a\xe2\x82b"), "a\u{FFFD}\u{FFFD}b");
        assert_eq!(to_text_lossy("é".as_bytes()), "é");
        let all: Vec<_> = runes(b"\xffa\xc3\xa9").collect();
        assert_eq!(all, vec![(0, RUNE_ERROR, 1), (1, 'a', 1), (2, 'é', 2)]);
    }
}
