//! What go-yaml's reader says about YAML text that is not valid UTF-8 (a Go string of any
//! bytes). The reader decodes its input in chunks of 512 bytes before the scanner sees any of
//! it, so a bad byte in the first chunk fails the parse whatever the text around it; past the
//! first chunk, an earlier syntax error could come first, which this does not judge.

/// The size of go-yaml's raw input buffer: the first chunk it decodes.
const FIRST_CHUNK: usize = 512;

/// go-yaml's reader problem for the first chunk of `bytes` (`invalid leading UTF-8 octet`,
/// `control characters are not allowed`, ...), or `None` when the first chunk decodes cleanly
/// or the text starts with a UTF-16 byte order mark (read as UTF-16, not judged here).
pub fn first_chunk_problem(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\xff\xfe") || bytes.starts_with(b"\xfe\xff") {
        return None;
    }
    let end = bytes.len().min(FIRST_CHUNK);
    let mut at = if bytes.starts_with(b"\xef\xbb\xbf") {
        3
    } else {
        0
    };
    while at < end {
        let lead = bytes[at];
        let (width, mut value) = match lead {
            0x00..=0x7f => (1, u32::from(lead)),
            _ if lead & 0xe0 == 0xc0 => (2, u32::from(lead & 0x1f)),
            _ if lead & 0xf0 == 0xe0 => (3, u32::from(lead & 0x0f)),
            _ if lead & 0xf8 == 0xf0 => (4, u32::from(lead & 0x07)),
            _ => return Some("invalid leading UTF-8 octet"),
        };
        if width > end - at {
            // Decoded with the next chunk (or at the end of input), after the scanner ran.
            return None;
        }
        for &trail in &bytes[at + 1..at + width] {
            if trail & 0xc0 != 0x80 {
                return Some("invalid trailing UTF-8 octet");
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
            return Some("invalid length of a UTF-8 sequence");
        }
        if (0xd800..=0xdfff).contains(&value) || value > 0x10ffff {
            return Some("invalid Unicode character");
        }
        let allowed = matches!(value, 0x09 | 0x0a | 0x0d | 0x20..=0x7e | 0x85)
            || (0xa0..=0xd7ff).contains(&value)
            || (0xe000..=0xfffd).contains(&value)
            || (0x10000..=0x10ffff).contains(&value);
        if !allowed {
            return Some("control characters are not allowed");
        }
        at += width;
    }
    None
}
