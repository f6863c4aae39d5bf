//! Sprig's digests of a string: `sha1sum`, `sha256sum`, `sha512sum` (lowercase hex) and
//! `adler32sum` (the checksum in decimal).

use helmet_value::{ArgType, FuncMap, Value};
use sha1::Digest;

use crate::{arg_bytes, def};

/// Lowercase hex of `bytes`, two digits per byte (a `format!` per byte cost ~450 instructions
/// each: charts hash whole rendered files for their `checksum/` annotations).
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// Adler-32 (RFC 1950): two running sums modulo 65521.
fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 bytes is the most that can be summed before the 32-bit sums could overflow.
    for chunk in data.chunks(5552) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

pub(crate) fn register(map: &mut FuncMap) {
    use ArgType::ByteString as S;
    def(map, "sha1sum", &[S], |_, a| {
        Ok(Value::from(hex(&sha1::Sha1::digest(arg_bytes(a, 0)))))
    });
    def(map, "sha256sum", &[S], |_, a| {
        Ok(Value::from(hex(&sha2::Sha256::digest(arg_bytes(a, 0)))))
    });
    def(map, "sha512sum", &[S], |_, a| {
        Ok(Value::from(hex(&sha2::Sha512::digest(arg_bytes(a, 0)))))
    });
    def(map, "adler32sum", &[S], |_, a| {
        Ok(Value::from(adler32(arg_bytes(a, 0)).to_string()))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adler32_long_input_stays_in_range() {
        // Wikipedia's example, then a long input crossing the chunk size.
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        let long = vec![0xffu8; 100_000];
        let (a, b) = (adler32(&long) & 0xffff, adler32(&long) >> 16);
        assert!(a < 65521 && b < 65521);
    }
}
