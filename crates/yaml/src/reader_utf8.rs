//! What go-yaml's reader says about YAML text that is not valid UTF-8 (a Go string of any
//! bytes). The reader decodes its input in chunks of 512 bytes before the scanner sees any of
//! it, so a bad byte in the first chunk fails the parse whatever the text around it; past the
//! first chunk, it fails only once the scanner gets that far, so an earlier syntax error (or the
//! end of the first document) could come first: [`reader_problem`] says where that point is.

/// The size of go-yaml's raw input buffer: the first chunk it decodes.
const FIRST_CHUNK: usize = 512;

/// go-yaml's reader problem for the first chunk of `bytes` (`invalid leading UTF-8 octet`,
/// `control characters are not allowed`, ...), or `None` when the first chunk decodes cleanly
/// or the text starts with a UTF-16 byte order mark (read as UTF-16, not judged here).
pub fn first_chunk_problem(bytes: &[u8]) -> Option<&'static str> {
    match reader_problem(bytes) {
        Some((problem, 0)) => Some(problem),
        _ => None,
    }
}

/// go-yaml's reader problem for `bytes`, and where the chunk holding it starts: the reader
/// fails as soon as the scanner needs a character past those decoded from the bytes before
/// that offset (0 for the first chunk: before anything is scanned). A chunk holds 512 bytes,
/// less a character cut at its end, which starts the next one. At the end of the input a cut
/// character is `incomplete UTF-8 octet sequence`, reached only once every character before
/// it was scanned (its own offset is given). `None` when the text decodes cleanly or starts
/// with a UTF-16 byte order mark.
pub fn reader_problem(bytes: &[u8]) -> Option<(&'static str, usize)> {
    if bytes.starts_with(b"\xff\xfe") || bytes.starts_with(b"\xfe\xff") {
        return None;
    }
    let mut at = if bytes.starts_with(b"\xef\xbb\xbf") {
        3
    } else {
        0
    };
    let mut chunk_start = 0;
    while at < bytes.len() {
        let end = bytes.len().min(chunk_start + FIRST_CHUNK);
        while at < end {
            match decode(&bytes[at..end]) {
                Decoded::Char(width) => at += width,
                Decoded::Cut if end == bytes.len() => {
                    return Some(("incomplete UTF-8 octet sequence", at));
                }
                Decoded::Cut => break,
                Decoded::Problem(problem) => return Some((problem, chunk_start)),
            }
        }
        chunk_start = at;
    }
    None
}

/// Why helmet does not say what go-yaml says about a text that is not valid UTF-8: a syntax
/// error or the end of the first document may come before the bad byte, or the text is UTF-16.
pub const NOT_DECIDED: &str =
    "reading YAML that is not valid UTF-8 past its first 512 bytes is not \
     supported by helmet when a syntax error or a second document may come first";
/// Why helmet does not read a YAML text that starts with a UTF-16 byte order mark.
pub const UTF16: &str = "reading YAML in UTF-16 is not supported by helmet";

/// The problem go-yaml's reader reports for one YAML text that is not valid UTF-8 (a Go string
/// of any bytes), when its scanner certainly gets to the chunk holding the bad byte: always for
/// the first chunk; for a later one when the text before it holds no document marker and reads
/// without a syntax error, or ends unfinished (an open quote or bracket that only the rest
/// could close). Otherwise (a syntax error or the end of the first document may come first, or
/// the text is UTF-16) the error names what helmet does not decide ([`NOT_DECIDED`],
/// [`UTF16`]), so callers refuse such text by name instead of guessing.
pub fn reached_problem(bytes: &[u8]) -> Result<&'static str, &'static str> {
    let Some((problem, scanned)) = reader_problem(bytes) else {
        return Err(
            if bytes.starts_with(b"\xff\xfe") || bytes.starts_with(b"\xfe\xff") {
                UTF16
            } else {
                NOT_DECIDED
            },
        );
    };
    if scanned == 0 {
        return Ok(problem);
    }
    let Ok(before) = std::str::from_utf8(&bytes[..scanned]) else {
        return Err(NOT_DECIDED);
    };
    let document_marker = before.lines().skip(1).any(|line| {
        ["---", "..."].iter().any(|m| {
            line.strip_prefix(m)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
        })
    });
    if document_marker {
        return Err(NOT_DECIDED);
    }
    match crate::from_str_as(before, crate::Shape::Any) {
        Ok(_) => Ok(problem),
        Err(e) if e.to_string().contains("end of stream") => Ok(problem),
        Err(_) => Err(NOT_DECIDED),
    }
}

/// One character at the start of a chunk's undecoded bytes, as go-yaml's reader judges it.
enum Decoded {
    /// A character allowed in YAML, of this many bytes.
    Char(usize),
    /// A character whose bytes go on past the chunk.
    Cut,
    /// What the reader says about it.
    Problem(&'static str),
}

fn decode(bytes: &[u8]) -> Decoded {
    let lead = bytes[0];
    let (width, mut value) = match lead {
        0x00..=0x7f => (1, u32::from(lead)),
        _ if lead & 0xe0 == 0xc0 => (2, u32::from(lead & 0x1f)),
        _ if lead & 0xf0 == 0xe0 => (3, u32::from(lead & 0x0f)),
        _ if lead & 0xf8 == 0xf0 => (4, u32::from(lead & 0x07)),
        _ => return Decoded::Problem("invalid leading UTF-8 octet"),
    };
    if width > bytes.len() {
        return Decoded::Cut;
    }
    for &trail in &bytes[1..width] {
        if trail & 0xc0 != 0x80 {
            return Decoded::Problem("invalid trailing UTF-8 octet");
        }
        value = (value << 6) | u32::from(trail & 0x3f);
    }
    let shortest = match width {
        1 => true,
        2 => value >= 0x80,
        3 => value >= 0x800,
        _ => value >= 0x10000,
    };
    if !shortest {
        return Decoded::Problem("invalid length of a UTF-8 sequence");
    }
    if (0xd800..=0xdfff).contains(&value) || value > 0x10ffff {
        return Decoded::Problem("invalid Unicode character");
    }
    let allowed = matches!(value, 0x09 | 0x0a | 0x0d | 0x20..=0x7e | 0x85)
        || (0xa0..=0xd7ff).contains(&value)
        || (0xe000..=0xfffd).contains(&value)
        || (0x10000..=0x10ffff).contains(&value);
    if !allowed {
        return Decoded::Problem("control characters are not allowed");
    }
    Decoded::Char(width)
}
