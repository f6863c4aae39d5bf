//! The little DER and PEM that certificates and keys need: writing elements, reading them back.

use num_bigint::BigUint;

use crate::encoding::{decode, encode, B64};

/// A DER element: tag, length, content.
pub(super) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes = n.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// A SEQUENCE of already encoded elements.
pub(super) fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// A non-negative INTEGER from big-endian bytes.
pub(super) fn der_uint(bytes: &[u8]) -> Vec<u8> {
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let mut content = Vec::with_capacity(bytes.len() - skip + 1);
    if bytes.get(skip).is_none_or(|b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(&bytes[skip..]);
    tlv(0x02, &content)
}

/// A non-negative INTEGER.
pub(super) fn der_big(n: &BigUint) -> Vec<u8> {
    der_uint(&n.to_bytes_be())
}

/// A BIT STRING with `unused` padding bits in its last byte.
pub(super) fn bit_string(unused: u8, bytes: &[u8]) -> Vec<u8> {
    let mut content = vec![unused];
    content.extend_from_slice(bytes);
    tlv(0x03, &content)
}

/// An OCTET STRING.
pub(super) fn octets(bytes: &[u8]) -> Vec<u8> {
    tlv(0x04, bytes)
}

/// `n` as exactly `len` big-endian bytes (left-padded with zeros).
pub(super) fn fixed_bytes(n: &BigUint, len: usize) -> Vec<u8> {
    let bytes = n.to_bytes_be();
    let mut out = vec![0u8; len.saturating_sub(bytes.len())];
    out.extend_from_slice(&bytes);
    out
}

pub(super) const NULL: [u8; 2] = [0x05, 0x00];

/// One DER element: its tag, the whole encoded element, and its content.
pub(super) type Element<'a> = (u8, &'a [u8], &'a [u8]);

/// One element of DER input and the input after it, or `None` when malformed.
pub(super) fn read_tlv(input: &[u8]) -> Option<(Element<'_>, &[u8])> {
    let tag = *input.first()?;
    let first = *input.get(1)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let count = usize::from(first & 0x7F);
        if count == 0 || count > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..count {
            len = len << 8 | usize::from(*input.get(2 + i)?);
        }
        (len, 2 + count)
    };
    let end = header.checked_add(len)?;
    let whole = input.get(..end)?;
    Some(((tag, whole, &whole[header..]), &input[end..]))
}

/// The elements inside a constructed DER value.
pub(super) fn children(mut content: &[u8]) -> Option<Vec<Element<'_>>> {
    let mut out = Vec::new();
    while !content.is_empty() {
        let (element, rest) = read_tlv(content)?;
        out.push(element);
        content = rest;
    }
    Some(out)
}

/// The elements of `der` when it is exactly one SEQUENCE.
pub(super) fn sequence(der: &[u8]) -> Option<Vec<Element<'_>>> {
    let ((tag, _, content), rest) = read_tlv(der)?;
    if tag != 0x30 || !rest.is_empty() {
        return None;
    }
    children(content)
}

/// A non-negative INTEGER element's value.
pub(super) fn uint_of(element: &Element) -> Option<BigUint> {
    let (tag, _, content) = element;
    if *tag != 0x02 || content.is_empty() || content[0] & 0x80 != 0 {
        return None;
    }
    Some(BigUint::from_bytes_be(content))
}

// ---- PEM ----

/// A PEM block as Go's `pem.Encode` writes it: 64 columns, no headers.
pub(super) fn pem(kind: &str, der: &[u8]) -> String {
    let text = encode(der, B64, 6, 4);
    let mut out = format!("-----BEGIN {kind}-----\n");
    for line in text.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {kind}-----\n"));
    out
}

/// The first well-formed PEM block in `text`, as Go's `pem.Decode` finds it: its type and bytes.
/// A malformed block is skipped and the search goes on after its BEGIN line.
pub(super) fn pem_block(text: &str) -> Option<(String, Vec<u8>)> {
    const BEGIN: &str = "-----BEGIN ";
    let mut rest = text;
    loop {
        let start = if rest.starts_with(BEGIN) {
            0
        } else {
            rest.find(&format!("\n{BEGIN}"))? + 1
        };
        rest = &rest[start + BEGIN.len()..];
        if let Some(block) = pem_body(rest) {
            return Some(block);
        }
    }
}

/// The block after a BEGIN marker: the rest of the type line, optional headers, base64, END.
fn pem_body(after_begin: &str) -> Option<(String, Vec<u8>)> {
    let (type_line, body) = match after_begin.find('\n') {
        Some(i) => (&after_begin[..i], &after_begin[i + 1..]),
        None => (after_begin, ""),
    };
    let kind = type_line
        .trim_end_matches([' ', '\t', '\r'])
        .strip_suffix("-----")?;
    let end_marker = format!("-----END {kind}-----");
    let (content, trailer) = if let Some(after) = body.strip_prefix(&end_marker) {
        ("", after)
    } else {
        let at = body.find(&format!("\n{end_marker}"))?;
        (&body[..at], &body[at + 1 + end_marker.len()..])
    };
    // The END line must end there.
    let trailer_line = trailer.split('\n').next().unwrap_or("");
    if !trailer_line.trim_end_matches([' ', '\t', '\r']).is_empty() {
        return None;
    }
    // Headers (`Key: value` lines) come before a blank line; keys carry none, skip them.
    let mut lines: Vec<&str> = content.split('\n').collect();
    if lines.first().is_some_and(|l| l.contains(':')) {
        let blank = lines.iter().position(|l| l.trim().is_empty())?;
        lines.drain(..=blank);
    }
    let b64: String = lines
        .concat()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\t' | '\r'))
        .collect();
    let bytes = decode(&b64, B64, 6, 4).ok()?;
    Some((kind.to_string(), bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_integers() {
        assert_eq!(tlv(0x04, &[1, 2]), vec![0x04, 2, 1, 2]);
        assert_eq!(&tlv(0x04, &[0; 200])[..3], &[0x04, 0x81, 200]);
        assert_eq!(&tlv(0x04, &[0; 300])[..4], &[0x04, 0x82, 1, 44]);
        assert_eq!(der_uint(&[0, 0, 5]), vec![2, 1, 5]);
        assert_eq!(der_uint(&[0x80]), vec![2, 2, 0, 0x80]);
        assert_eq!(der_uint(&[]), vec![2, 1, 0]);
    }

    #[test]
    fn pem_round_trip_and_search() {
        let text = pem("EC PRIVATE KEY", &[1, 2, 3]);
        assert_eq!(
            pem_block(&text),
            Some(("EC PRIVATE KEY".to_string(), vec![1, 2, 3]))
        );
        let noisy = format!("junk\n-----BEGIN X-----\n!!\n-----END X-----\n{text}");
        assert_eq!(
            pem_block(&noisy).map(|b| b.0).as_deref(),
            Some("EC PRIVATE KEY")
        );
        assert_eq!(pem_block("no pem here"), None);
        assert_eq!(
            pem_block("-----BEGIN A-----\nAQID\n-----END B-----\n"),
            None
        );
    }
}
