//! Go's shortest float formatting (`strconv.FormatFloat(f, fmt, -1, bits)`) for the forms the
//! writers need, built on Rust's shortest round-trip digits.

/// The shortest decimal digits of `f` (positive, finite, non-zero) and the decimal point
/// position: `f = 0.d1d2d3... * 10^dp`.
fn shortest_digits(f: f64, bits32: bool) -> (String, i32) {
    // `{:e}` prints the shortest digits that round-trip, as `d.ddde±x`.
    let s = if bits32 {
        format!("{:e}", f as f32)
    } else {
        format!("{f:e}")
    };
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    (digits.to_string(), exp + 1)
}

fn special(f: f64) -> Option<&'static str> {
    if f.is_nan() {
        Some("NaN")
    } else if f == f64::INFINITY {
        Some("+Inf")
    } else if f == f64::NEG_INFINITY {
        Some("-Inf")
    } else {
        None
    }
}

/// `%e` with the shortest digits: `d.ddde±XX`.
fn format_e(neg: bool, digits: &str, dp: i32) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    out.push_str(&digits[..1]);
    if digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    let exp = if digits == "0" { 0 } else { dp - 1 };
    out.push('e');
    out.push(if exp < 0 { '-' } else { '+' });
    let a = exp.unsigned_abs();
    if a < 10 {
        out.push('0');
    }
    out.push_str(&a.to_string());
    out
}

/// `%f` with the shortest digits.
fn format_f(neg: bool, digits: &str, dp: i32) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if digits == "0" {
        out.push('0');
        return out;
    }
    if dp <= 0 {
        out.push_str("0.");
        for _ in 0..(-dp) {
            out.push('0');
        }
        out.push_str(digits);
    } else if dp as usize >= digits.len() {
        out.push_str(digits);
        for _ in 0..(dp as usize - digits.len()) {
            out.push('0');
        }
    } else {
        out.push_str(&digits[..dp as usize]);
        out.push('.');
        out.push_str(&digits[dp as usize..]);
    }
    out
}

fn parts(f: f64, bits32: bool) -> (bool, String, i32) {
    let neg = f.is_sign_negative();
    if f == 0.0 {
        return (neg, "0".to_string(), 1);
    }
    let (d, dp) = shortest_digits(f.abs(), bits32);
    (neg, d, dp)
}

fn format_g(f: f64, bits32: bool) -> String {
    // A float64 beyond float32's range is an infinity once narrowed.
    let narrowed = if bits32 { f as f32 as f64 } else { f };
    if let Some(s) = special(narrowed) {
        return s.to_string();
    }
    let (neg, digits, dp) = parts(f, bits32);
    let exp = dp - 1;
    if digits != "0" && !(-4..6).contains(&exp) {
        format_e(neg, &digits, dp)
    } else {
        format_f(neg, &digits, dp)
    }
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`.
pub(crate) fn format_g_shortest(f: f64) -> String {
    format_g(f, false)
}

/// `strconv.FormatFloat(f, 'g', -1, 32)`.
pub(crate) fn format_g_shortest32(f: f64) -> String {
    format_g(f, true)
}

/// encoding/json's float64 text: `%f` between 1e-6 and 1e21, otherwise `%e` with a one-digit
/// exponent kept short (`1e-7`, `1e+21`).
pub(crate) fn format_json(f: f64) -> String {
    let (neg, digits, dp) = parts(f, false);
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let s = format_e(neg, &digits, dp);
        // Go trims `e-09` to `e-9` (only for negative exponents).
        if let Some(pos) = s.find("e-0") {
            let mut t = s[..pos + 2].to_string();
            t.push_str(&s[pos + 3..]);
            return t;
        }
        s
    } else {
        format_f(neg, &digits, dp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_shortest_forms() {
        assert_eq!(format_g_shortest(1e6), "1e+06");
        assert_eq!(format_g_shortest(123456.0), "123456");
        assert_eq!(format_g_shortest(0.0001), "0.0001");
        assert_eq!(format_g_shortest(0.00001), "1e-05");
        assert_eq!(format_g_shortest(-1.5), "-1.5");
        assert_eq!(format_g_shortest(1e21), "1e+21");
        assert_eq!(format_g_shortest(1.2345678e100), "1.2345678e+100");
        assert_eq!(format_json(1e21), "1e+21");
        assert_eq!(format_json(1e20), "100000000000000000000");
        assert_eq!(format_json(1e-7), "1e-7");
        assert_eq!(format_json(0.000001), "0.000001");
        assert_eq!(format_json(-0.0), "-0");
        assert_eq!(format_g_shortest32(0.1), "0.1");
        assert_eq!(format_g_shortest32(1e300), "+Inf");
    }
}
