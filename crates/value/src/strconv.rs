//! Go's `strconv` number and string formatting, which Go's `fmt`, `encoding/json` and go-yaml
//! build on: float formatting in each of Go's formats, quoting with Go's escapes.

/// The decimal digits of a finite, non-negative float and the position of the decimal point:
/// the value is `0.d1d2d3... × 10^point`.
struct Decimal {
    digits: Vec<u8>,
    point: i32,
}

impl Decimal {
    /// The shortest digits that read back as `f` (what Go's precision -1 means).
    fn shortest(f: f64) -> Decimal {
        Decimal::from_exp_text(&format!("{f:e}"))
    }

    /// `n` significant digits, correctly rounded (half to even on exact ties, as Go).
    fn significant(f: f64, n: usize) -> Decimal {
        Decimal::from_exp_text(&format!("{f:.prec$e}", prec = n.max(1) - 1))
    }

    /// Digits up to `n` places after the decimal point, correctly rounded.
    fn fixed(f: f64, n: usize) -> Decimal {
        let text = format!("{f:.n$}");
        let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
        let mut digits: Vec<u8> = int.bytes().chain(frac.bytes()).map(|b| b - b'0').collect();
        let mut point = int.len() as i32;
        while digits.len() > 1 && digits[0] == 0 {
            digits.remove(0);
            point -= 1;
        }
        if digits.iter().all(|&d| d == 0) {
            // Go's decimal form of zero has no digits at all.
            digits.clear();
            point = 0;
        }
        Decimal { digits, point }
    }

    fn from_exp_text(text: &str) -> Decimal {
        let (mantissa, exp) = text.split_once('e').unwrap_or((text, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let digits: Vec<u8> = mantissa
            .bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| b - b'0')
            .collect();
        if digits.iter().all(|&d| d == 0) {
            return Decimal {
                digits: Vec::new(),
                point: 0,
            };
        }
        Decimal {
            digits,
            point: exp + 1,
        }
    }

    fn digit(&self, i: i32) -> u8 {
        if i < 0 {
            return b'0';
        }
        self.digits.get(i as usize).map_or(b'0', |d| b'0' + d)
    }
}

/// Go's `strconv.FormatFloat(f, fmt, prec, 64)` for the formats `e E f F g G b x X`.
/// `prec` -1 means the fewest digits that read back as `f`.
pub fn format_float(f: f64, fmt: u8, prec: i32, _bit_size: u32) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    let neg = f.is_sign_negative();
    let a = f.abs();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    match fmt {
        b'e' | b'E' => {
            let d = if prec < 0 {
                Decimal::shortest(a)
            } else {
                Decimal::significant(a, prec as usize + 1)
            };
            let prec = if prec < 0 {
                (d.digits.len() as i32 - 1).max(0)
            } else {
                prec
            };
            write_exp(&mut out, &d, prec, fmt);
        }
        b'f' | b'F' => {
            if prec < 0 {
                let d = Decimal::shortest(a);
                let frac = (d.digits.len() as i32 - d.point).max(0);
                write_fixed(&mut out, &d, frac);
            } else {
                write_fixed(&mut out, &Decimal::fixed(a, prec as usize), prec);
            }
        }
        b'g' | b'G' => {
            let shortest = prec < 0;
            let (d, prec) = if shortest {
                let d = Decimal::shortest(a);
                let n = d.digits.len() as i32;
                (d, n)
            } else {
                let p = prec.max(1);
                let mut d = Decimal::significant(a, p as usize);
                // Go rounds to `p` digits and drops trailing zeros before choosing a form.
                while d.digits.last() == Some(&0) {
                    d.digits.pop();
                }
                if d.digits.is_empty() {
                    d.point = 0;
                }
                (d, p)
            };
            let nd = d.digits.len() as i32;
            let mut eprec = prec;
            if eprec > nd && nd >= d.point {
                eprec = nd;
            }
            if shortest {
                eprec = 6;
            }
            let exp = d.point - 1;
            let exp_fmt = if fmt == b'g' { b'e' } else { b'E' };
            if exp < -4 || exp >= eprec {
                write_exp(&mut out, &d, (prec.min(nd) - 1).max(0), exp_fmt);
            } else {
                let p = if prec > d.point { nd } else { prec };
                write_fixed(&mut out, &d, (p - d.point).max(0));
            }
        }
        b'x' | b'X' => write_hex_float(&mut out, a, prec, fmt),
        b'b' => {
            let bits = a.to_bits();
            let exp = ((bits >> 52) & 0x7ff) as i64;
            let mut mant = bits & ((1 << 52) - 1);
            let exp = if exp == 0 {
                -1074
            } else {
                mant |= 1 << 52;
                exp - 1075
            };
            out.push_str(&format!("{mant}p{}{exp}", if exp >= 0 { "+" } else { "" }));
        }
        _ => {
            out.push('%');
            out.push(fmt as char);
        }
    }
    out
}

fn write_exp(out: &mut String, d: &Decimal, prec: i32, fmt: u8) {
    out.push(d.digit(0) as char);
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            out.push(d.digit(i) as char);
        }
    }
    out.push(fmt as char);
    let exp = if d.digits.is_empty() { 0 } else { d.point - 1 };
    out.push(if exp < 0 { '-' } else { '+' });
    let exp = exp.abs();
    if exp < 10 {
        out.push('0');
    }
    out.push_str(&exp.to_string());
}

fn write_fixed(out: &mut String, d: &Decimal, frac: i32) {
    if d.point > 0 {
        for i in 0..d.point {
            out.push(d.digit(i) as char);
        }
    } else {
        out.push('0');
    }
    if frac > 0 {
        out.push('.');
        for i in 0..frac {
            out.push(d.digit(d.point + i) as char);
        }
    }
}

/// Go's `%x` of a float: `0x1.8p+01`, mantissa in hex, binary exponent in decimal.
fn write_hex_float(out: &mut String, a: f64, prec: i32, fmt: u8) {
    let bits = a.to_bits();
    let raw_exp = ((bits >> 52) & 0x7ff) as i32;
    let mut mant = bits & ((1u64 << 52) - 1);
    let mut exp;
    if a == 0.0 {
        exp = 0;
    } else if raw_exp == 0 {
        // Subnormal: normalise so the leading bit is the implicit one.
        exp = -1022;
        while mant & (1 << 52) == 0 {
            mant <<= 1;
            exp -= 1;
        }
        mant &= (1 << 52) - 1;
    } else {
        exp = raw_exp - 1023;
    }
    let lead = u64::from(a != 0.0);
    // 52 fraction bits are 13 hex digits.
    let mut frac = mant;
    let mut ndigits = 13;
    if (0..13).contains(&prec) {
        let shift = 4 * (13 - prec as u32);
        let full = (lead << 52) | frac;
        let half = 1u64 << (shift - 1);
        let rem = full & ((1u64 << shift) - 1);
        let mut kept = full >> shift;
        if rem > half || (rem == half && kept & 1 == 1) {
            kept += 1;
        }
        // Rounding may carry into a new leading digit.
        let lead_now = kept >> (4 * prec as u32);
        if lead_now > 1 {
            kept >>= 1;
            exp += 1;
        }
        frac = kept & ((1u64 << (4 * prec as u32)) - 1);
        ndigits = prec as usize;
    } else {
        while ndigits > 0 && frac & 0xf == 0 {
            frac >>= 4;
            ndigits -= 1;
        }
    }
    let upper = fmt == b'X';
    out.push_str(if upper { "0X" } else { "0x" });
    out.push(if lead == 1 { '1' } else { '0' });
    let mut digits = if ndigits > 0 {
        format!("{frac:0ndigits$x}")
    } else {
        String::new()
    };
    if prec > 13 {
        digits.push_str(&"0".repeat(prec as usize - 13));
    }
    if !digits.is_empty() {
        out.push('.');
        out.push_str(&if upper { digits.to_uppercase() } else { digits });
    }
    out.push(if upper { 'P' } else { 'p' });
    out.push(if exp < 0 { '-' } else { '+' });
    let e = exp.abs();
    if e < 10 {
        out.push('0');
    }
    out.push_str(&e.to_string());
}

/// The decimal text of `magnitude` (with a leading `-` when `negative`), written into the end of
/// `buf` without allocating, as Go's `strconv.AppendInt` appends it; `buf` must have room for it
/// (21 bytes hold any `u64` and a sign).
pub fn decimal_into(negative: bool, mut magnitude: u64, buf: &mut [u8]) -> &str {
    let mut start = buf.len();
    loop {
        start -= 1;
        buf[start] = b'0' + (magnitude % 10) as u8;
        magnitude /= 10;
        if magnitude == 0 {
            break;
        }
    }
    if negative {
        start -= 1;
        buf[start] = b'-';
    }
    std::str::from_utf8(&buf[start..]).unwrap_or_default()
}

/// Go's `strconv.FormatInt(i, base)` for bases 2 to 36.
pub fn format_int(i: i64, base: u32) -> String {
    let neg = i < 0;
    let s = format_uint(i.unsigned_abs(), base);
    if neg {
        format!("-{s}")
    } else {
        s
    }
}

/// Go's `strconv.FormatUint(u, base)` for bases 2 to 36.
pub fn format_uint(mut u: u64, base: u32) -> String {
    let base = u64::from(base.clamp(2, 36));
    if u == 0 {
        return "0".to_string();
    }
    let mut digits = Vec::new();
    while u > 0 {
        let d = (u % base) as u8;
        digits.push(if d < 10 { b'0' + d } else { b'a' + d - 10 });
        u /= base;
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

/// Go's `unicode.IsPrint` for the characters templates meet: letters, marks, numbers,
/// punctuation, symbols and the ASCII space, but not other spaces, controls, format
/// characters, private-use or non-characters.
pub fn is_print(c: char) -> bool {
    let u = c as u32;
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(u,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x890..=0x891 | 0x8E2 | 0x180E
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
        | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
        | 0xE0001 | 0xE0020..=0xE007F
        | 0xE000..=0xF8FF | 0xF0000..=0x10FFFF
        | 0xFDD0..=0xFDEF | 0xFFFE | 0xFFFF | 0x1FFFE | 0x1FFFF)
}

/// Go's `strconv.Quote`: a double-quoted string with Go's escapes for control and
/// non-printable characters, and `\x` escapes for bytes that are not UTF-8.
pub fn quote(s: &str) -> String {
    quote_with(s.as_bytes(), b'"', false)
}

/// Go's `strconv.QuoteToASCII`: like [`quote`], escaping every non-ASCII character too.
pub fn quote_to_ascii(s: &str) -> String {
    quote_with(s.as_bytes(), b'"', true)
}

/// Go's `strconv.Quote` of raw bytes, which need not be UTF-8.
pub fn quote_bytes(b: &[u8]) -> String {
    quote_with(b, b'"', false)
}

/// Go's `strconv.QuoteToASCII` of raw bytes, which need not be UTF-8.
pub fn quote_bytes_to_ascii(b: &[u8]) -> String {
    quote_with(b, b'"', true)
}

/// Go's `strconv.QuoteRune`: a single-quoted character literal.
pub fn quote_rune(c: char) -> String {
    let mut buf = [0u8; 4];
    quote_with(c.encode_utf8(&mut buf).as_bytes(), b'\'', false)
}

/// Go's `strconv.QuoteRuneToASCII`.
pub fn quote_rune_to_ascii(c: char) -> String {
    let mut buf = [0u8; 4];
    quote_with(c.encode_utf8(&mut buf).as_bytes(), b'\'', true)
}

/// Go's `strconv.CanBackquote`: no control characters but tab, no backquote, valid UTF-8.
pub fn can_backquote(s: &str) -> bool {
    s.chars()
        .all(|c| c != '`' && c != '\u{FEFF}' && (c == '\t' || !(c < ' ' || c == '\u{7f}')))
}

fn quote_with(bytes: &[u8], quote: u8, ascii_only: bool) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push(quote as char);
    let mut rest = bytes;
    while !rest.is_empty() {
        // A run of printable ASCII other than the quote and the backslash is copied as it is.
        let plain = rest
            .iter()
            .position(|&b| !(b' '..=b'~').contains(&b) || b == quote || b == b'\\')
            .unwrap_or(rest.len());
        if plain > 0 {
            out.push_str(std::str::from_utf8(&rest[..plain]).unwrap_or_default());
            rest = &rest[plain..];
            continue;
        }
        let (c, width) = match decode_utf8(rest) {
            Some(pair) => pair,
            None => {
                out.push_str(&format!("\\x{:02x}", rest[0]));
                rest = &rest[1..];
                continue;
            }
        };
        rest = &rest[width..];
        if c as u32 == u32::from(quote) || c == '\\' {
            out.push('\\');
            out.push(c);
            continue;
        }
        if ascii_only {
            if c.is_ascii() && is_print(c) {
                out.push(c);
                continue;
            }
        } else if is_print(c) {
            out.push(c);
            continue;
        }
        match c {
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push(quote as char);
    out
}

/// Decodes one UTF-8 character from the start of `b`; `None` for an invalid sequence.
pub fn decode_utf8(b: &[u8]) -> Option<(char, usize)> {
    let len = match b.first()? {
        0x00..=0x7f => 1,
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return None,
    };
    let s = std::str::from_utf8(b.get(..len)?).ok()?;
    s.chars().next().map(|c| (c, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_in_each_format() {
        assert_eq!(format_float(1e6, b'g', -1, 64), "1e+06");
        assert_eq!(format_float(123456.0, b'g', -1, 64), "123456");
        assert_eq!(format_float(1e-5, b'g', -1, 64), "1e-05");
        assert_eq!(format_float(0.0001, b'g', -1, 64), "0.0001");
        assert_eq!(format_float(-0.0, b'g', -1, 64), "-0");
        assert_eq!(format_float(1e6, b'e', 6, 64), "1.000000e+06");
        assert_eq!(format_float(0.0, b'e', 6, 64), "0.000000e+00");
        assert_eq!(format_float(0.5, b'f', 0, 64), "0");
        assert_eq!(format_float(1.5, b'f', 0, 64), "2");
        assert_eq!(format_float(2.5, b'f', 0, 64), "2");
        assert_eq!(format_float(1234.5, b'e', 2, 64), "1.23e+03");
        assert_eq!(format_float(1e21, b'G', -1, 64), "1E+21");
        assert_eq!(format_float(3.5, b'x', -1, 64), "0x1.cp+01");
        assert_eq!(format_float(-1.0, b'X', -1, 64), "-0X1P+00");
        assert_eq!(format_float(1.0, b'x', 3, 64), "0x1.000p+00");
        assert_eq!(format_float(f64::INFINITY, b'g', -1, 64), "+Inf");
        assert_eq!(format_float(1e23, b'g', -1, 64), "1e+23");
    }

    #[test]
    fn quoting_like_go() {
        assert_eq!(quote("a\tb\u{a0}\u{e9}"), "\"a\\tb\\u00a0\u{e9}\"");
        assert_eq!(quote_to_ascii("\u{e9}"), "\"\\u00e9\"");
        assert_eq!(quote_rune('A'), "'A'");
        assert_eq!(quote_bytes(b"\xff"), "\"\\xff\"");
        assert_eq!(quote("\u{1F389}"), "\"\u{1F389}\"");
        assert!(!can_backquote("ab`c"));
    }
}
