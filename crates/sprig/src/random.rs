//! Sprig's random strings, drawn from the operating system's secure generator as Sprig's
//! `crypto/rand` does: `randAlphaNum`, `randAlpha`, `randNumeric`, `randAscii` (printable ASCII,
//! space to `~`), `randBytes` (base64 of N random bytes) and `uuidv4`.

use helmet_value::{ArgType, FuncError, FuncMap, Value};

use crate::{arg_int, def};

/// `n` secure random bytes.
fn random_bytes(n: usize) -> Result<Vec<u8>, FuncError> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).map_err(|e| FuncError::new(format!("crypto/rand: {e}")))?;
    Ok(buf)
}

/// A uniformly random index below `n` (rejection sampling, no modulo bias).
fn random_below(n: usize) -> Result<usize, FuncError> {
    let n32 = n as u32;
    let limit = u32::MAX - u32::MAX % n32;
    loop {
        let b = random_bytes(4)?;
        let x = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        if x < limit {
            return Ok((x % n32) as usize);
        }
    }
}

/// `count` characters drawn from `alphabet`; a count below 1 gives the empty string, as
/// Sprig discards goutils' error for it.
fn random_string(count: i64, alphabet: &[u8]) -> Result<Value, FuncError> {
    let count = usize::try_from(count).unwrap_or(0);
    let mut out = String::with_capacity(count);
    for _ in 0..count {
        out.push(char::from(alphabet[random_below(alphabet.len())?]));
    }
    Ok(Value::from(out))
}

const DIGITS: &[u8] = b"0123456789";
const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ALPHANUM: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

fn printable_ascii() -> Vec<u8> {
    (b' '..=b'~').collect()
}

/// Standard base64 with padding.
fn base64(data: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(TABLE[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub(crate) fn register(map: &mut FuncMap) {
    use ArgType::Int;
    def(map, "randAlphaNum", &[Int], |_, a| {
        random_string(arg_int(a, 0), ALPHANUM)
    });
    def(map, "randAlpha", &[Int], |_, a| {
        random_string(arg_int(a, 0), LETTERS)
    });
    def(map, "randNumeric", &[Int], |_, a| {
        random_string(arg_int(a, 0), DIGITS)
    });
    def(map, "randAscii", &[Int], |_, a| {
        random_string(arg_int(a, 0), &printable_ascii())
    });
    def(map, "randBytes", &[Int], |_, a| {
        let n = usize::try_from(arg_int(a, 0))
            .map_err(|_| FuncError::new("runtime error: makeslice: len out of range"))?;
        Ok(Value::from(base64(&random_bytes(n)?)))
    });
    def(map, "uuidv4", &[], |_, _| {
        let mut b = random_bytes(16)?;
        b[6] = (b[6] & 0x0f) | 0x40; // version 4
        b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
        let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
        Ok(Value::from(format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
    }

    #[test]
    fn strings_have_length_and_alphabet() {
        let s = random_string(200, DIGITS).unwrap();
        let s = s.as_str().unwrap();
        assert_eq!(s.len(), 200);
        assert!(s.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(random_string(-3, DIGITS).unwrap().as_str(), Some(""));
    }
}
