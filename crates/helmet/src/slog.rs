//! Values in the lines Helm logs through Go's `log/slog` text handler (`INFO ... key=value`).

use helmet_value::strconv::{is_print, quote};

/// A value as slog's text handler writes it: bare, or quoted with Go's `strconv.Quote` when it
/// is empty or holds a space, `=`, `"`, an ASCII control character, a character Go does not
/// print, or U+FFFD. Backslash and DEL stay bare, as slog has them.
pub(crate) fn text_value(s: &str) -> String {
    let needs_quotes = s.is_empty()
        || s.chars().any(|c| match c {
            ' ' | '=' | '"' => true,
            '\u{0}'..='\u{1f}' => true,
            '\u{20}'..='\u{7f}' => false,
            // Go's IsPrint is false for every space but U+0020, so this covers slog's IsSpace.
            c => c == '\u{fffd}' || !is_print(c),
        });
    if needs_quotes {
        quote(s)
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::text_value;

    #[test]
    fn quoting_as_slog() {
        assert_eq!(text_value("x"), "x");
        assert_eq!(text_value("a\\b"), "a\\b");
        assert_eq!(text_value("need x"), "\"need x\"");
        assert_eq!(text_value(""), "\"\"");
    }
}
