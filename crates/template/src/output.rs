//! A template's output as a Go string: text, plus the bytes that came before it once a string
//! that is not valid UTF-8 was printed (Go's templates write any bytes; `include` and `tpl`
//! return them as a string).

use helmet_value::Value;

/// Why output that holds bytes that are not UTF-8 cannot be returned as text.
pub(crate) const NOT_TEXT: &str = "printing a string that is not valid UTF-8 into a \
    template's final output is not supported by helmet (Helm writes its raw bytes)";

/// What a running template has written.
#[derive(Default, Debug)]
pub(crate) struct Output {
    /// The text written since the last bytes that are not UTF-8 (all of it, usually).
    text: String,
    /// Everything written before `text`, once bytes that are not UTF-8 were written.
    raw: Option<Vec<u8>>,
}

impl Output {
    /// Appends text.
    #[inline]
    pub(crate) fn push_str(&mut self, s: &str) {
        self.text.push_str(s);
    }

    /// Appends the bytes of a Go string that is not UTF-8.
    pub(crate) fn push_bytes(&mut self, b: &[u8]) {
        let raw = self.raw.get_or_insert_with(Vec::new);
        raw.extend_from_slice(self.text.as_bytes());
        raw.extend_from_slice(b);
        self.text.clear();
    }

    /// The output as text, or its bytes when they are not valid UTF-8 (two halves of a
    /// character printed apart make text again).
    pub(crate) fn into_text(self) -> Result<String, Vec<u8>> {
        match self.raw {
            None => Ok(self.text),
            Some(mut raw) => {
                raw.extend_from_slice(self.text.as_bytes());
                String::from_utf8(raw).map_err(|e| e.into_bytes())
            }
        }
    }

    /// The output as a Go string.
    pub(crate) fn into_value(self) -> Value {
        match self.into_text() {
            Ok(text) => Value::from(text),
            Err(bytes) => Value::ByteString(bytes.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_then_text() {
        let mut out = Output::default();
        out.push_str("a");
        out.push_bytes(b"\xc3");
        assert!(out.text.is_empty());
        out.push_str("b");
        assert_eq!(out.into_text(), Err(b"a\xc3b".to_vec()));
        let mut halves = Output::default();
        halves.push_bytes(b"\xc3");
        halves.push_bytes(b"\xa9");
        assert_eq!(halves.into_value().as_str(), Some("é"));
    }
}
