//! Sprig's `b64enc`, `b64dec`, `b32enc`, `b32dec` (standard alphabets, padded). Decoding errors
//! are returned as the function's text, as Sprig does.

use helmet_value::{ArgType, FuncError, FuncMap, Value};

use crate::{arg_bytes, def};

pub(crate) const B64: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Encodes `data` in groups of `bits` per symbol with `=` padding to `block` symbols.
pub(crate) fn encode(data: &[u8], alphabet: &[u8], bits: u32, block: usize) -> String {
    let mut out = String::new();
    let mut acc: u64 = 0;
    let mut n = 0u32;
    for &b in data {
        acc = (acc << 8) | u64::from(b);
        n += 8;
        while n >= bits {
            n -= bits;
            out.push(alphabet[((acc >> n) & ((1 << bits) - 1)) as usize] as char);
        }
    }
    if n > 0 {
        out.push(alphabet[((acc << (bits - n)) & ((1 << bits) - 1)) as usize] as char);
    }
    while out.len() % block != 0 {
        out.push('=');
    }
    out
}

/// Decodes padded text, or returns Go's `illegal base64 data at input byte N` offset.
pub(crate) fn decode(
    text: &str,
    alphabet: &[u8],
    bits: u32,
    block: usize,
) -> Result<Vec<u8>, usize> {
    decode_bytes(text.as_bytes(), alphabet, bits, block)
}

/// [`decode`] of any Go string's bytes.
pub(crate) fn decode_bytes(
    text: &[u8],
    alphabet: &[u8],
    bits: u32,
    block: usize,
) -> Result<Vec<u8>, usize> {
    // Go skips CR and LF anywhere in the input.
    let raw: Vec<(usize, u8)> = text
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, b)| *b != b'\r' && *b != b'\n')
        .collect();
    let mut out = Vec::new();
    let mut acc: u64 = 0;
    let mut n = 0u32;
    let mut symbols = 0usize;
    let mut i = 0;
    while i < raw.len() {
        let (pos, b) = raw[i];
        if b == b'=' {
            // Padding must complete the block and end the input.
            let pad = raw.len() - i;
            if symbols % block == 0 || !raw[i..].iter().all(|(_, c)| *c == b'=') {
                return Err(pos);
            }
            if (symbols + pad) % block != 0 {
                return Err(raw.last().map_or(pos, |(p, _)| *p + 1).min(text.len()));
            }
            let valid_pad = match bits {
                6 => matches!(symbols % 4, 2 | 3),
                _ => matches!(symbols % 8, 2 | 4 | 5 | 7),
            };
            if !valid_pad {
                return Err(pos);
            }
            return Ok(out);
        }
        let Some(v) = alphabet.iter().position(|c| *c == b) else {
            return Err(pos);
        };
        acc = (acc << bits) | v as u64;
        n += bits;
        symbols += 1;
        if n >= 8 {
            n -= 8;
            out.push((acc >> n) as u8);
            acc &= (1 << n) - 1;
        }
        i += 1;
    }
    if symbols % block != 0 {
        // Go reports where the incomplete final block starts.
        return Err(raw[raw.len() - symbols % block].0);
    }
    Ok(out)
}

/// Decoded bytes as a Go string (binary data too).
fn text(bytes: Vec<u8>) -> Result<Value, FuncError> {
    Ok(Value::from_go_bytes(bytes))
}

pub(crate) fn register(map: &mut FuncMap) {
    def(map, "b64enc", &[ArgType::ByteString], |_, a| {
        Ok(Value::from(encode(arg_bytes(a, 0), B64, 6, 4)))
    });
    def(
        map,
        "b64dec",
        &[ArgType::ByteString],
        |_, a| match decode_bytes(arg_bytes(a, 0), B64, 6, 4) {
            Ok(b) => text(b),
            Err(at) => Ok(Value::from(format!(
                "illegal base64 data at input byte {at}"
            ))),
        },
    );
    def(map, "b32enc", &[ArgType::ByteString], |_, a| {
        Ok(Value::from(encode(arg_bytes(a, 0), B32, 5, 8)))
    });
    def(
        map,
        "b32dec",
        &[ArgType::ByteString],
        |_, a| match decode_bytes(arg_bytes(a, 0), B32, 5, 8) {
            Ok(b) => text(b),
            Err(at) => Ok(Value::from(format!(
                "illegal base32 data at input byte {at}"
            ))),
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        assert_eq!(encode(b"hello", B64, 6, 4), "aGVsbG8=");
        assert_eq!(decode("aGVsbG8=", B64, 6, 4).unwrap(), b"hello");
        assert_eq!(encode(b"hello", B32, 5, 8), "NBSWY3DP");
        assert_eq!(decode("NBSWY3DP", B32, 5, 8).unwrap(), b"hello");
        assert_eq!(decode("a", B64, 6, 4), Err(0));
        assert_eq!(decode("a!==", B64, 6, 4), Err(1));
    }
}
