//! A template's output as a Go string: text, plus the bytes that came before it once a string
//! that is not valid UTF-8 was printed (Go's templates write any bytes; `include` and `tpl`
//! return them as a string).

use std::cell::RefCell;

use helmet_value::Value;

/// Why output that holds bytes that are not UTF-8 cannot be returned as text.
pub(crate) const NOT_TEXT: &str = "printing a string that is not valid UTF-8 into a \
    template's final output is not supported by helmet (Helm writes its raw bytes)";

/// How many spare output buffers a thread keeps.
const MAX_SPARE_BUFFERS: usize = 16;
/// Output buffers larger than this are not kept.
const MAX_SPARE_CAPACITY: usize = 64 * 1024;

thread_local! {
    /// Buffers of outputs already turned into values, kept for the next executions on the same
    /// thread: `include` runs one per call, and its output is copied into a Go string anyway.
    static SPARE_BUFFERS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// What a running template has written.
#[derive(Default, Debug)]
pub(crate) struct Output {
    /// The text written since the last bytes that are not UTF-8 (all of it, usually).
    text: String,
    /// Everything written before `text`, once bytes that are not UTF-8 were written.
    raw: Option<Vec<u8>>,
}

impl Output {
    /// An empty output with room for about as much text as `source` (the text of a template
    /// file usually prints about as much as it holds), up to [`MAX_SPARE_CAPACITY`].
    pub(crate) fn sized_for(source: &str) -> Output {
        Output {
            text: String::with_capacity(source.len().min(MAX_SPARE_CAPACITY)),
            raw: None,
        }
    }

    /// An empty output that writes into a spare buffer of this thread when there is one.
    pub(crate) fn reusing() -> Output {
        let text = SPARE_BUFFERS
            .try_with(|spare| spare.borrow_mut().pop())
            .ok()
            .flatten()
            .unwrap_or_default();
        Output { text, raw: None }
    }

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

    /// The output as a Go string. The text is copied into the string's own allocation, so its
    /// buffer is kept for the next execution.
    pub(crate) fn into_value(self) -> Value {
        if self.raw.is_none() {
            let value = Value::from(self.text.as_str());
            keep_spare(self.text);
            return value;
        }
        match self.into_text() {
            Ok(text) => Value::from(text),
            Err(bytes) => Value::ByteString(bytes.into()),
        }
    }
}

/// Keeps an output buffer for the next execution on this thread.
fn keep_spare(mut text: String) {
    if text.capacity() == 0 || text.capacity() > MAX_SPARE_CAPACITY {
        return;
    }
    text.clear();
    let _ = SPARE_BUFFERS.try_with(|spare| {
        let mut spare = spare.borrow_mut();
        if spare.len() < MAX_SPARE_BUFFERS {
            spare.push(text);
        }
    });
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
