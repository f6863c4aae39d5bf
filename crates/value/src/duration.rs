//! Go's `time.ParseDuration`, shared by Sprig's duration functions (`mustDateModify`, ...) and
//! the CLI's duration flags (`--timeout`), with Go's error texts.

/// Go's `time.quote`, used in `time.ParseDuration`'s messages: bytes outside printable ASCII
/// as `\x` escapes.
fn time_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if !(' '..='\u{7e}').contains(&c) {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        } else {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// Go's `time.ParseDuration`: the duration in nanoseconds, or Go's error text.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", time_quote(text));
    const LIMIT: u64 = 1 << 63;
    let mut s = text;
    let mut negative = false;
    if let Some(c) = s.chars().next() {
        if c == '-' || c == '+' {
            negative = c == '-';
            s = &s[1..];
        }
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: u64 = 0;
    while !s.is_empty() {
        let b = s.as_bytes();
        if !(b[0] == b'.' || b[0].is_ascii_digit()) {
            return Err(invalid());
        }
        // The integer part.
        let int_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
        let mut whole: u64 = 0;
        for &d in &b[..int_len] {
            if whole > LIMIT / 10 {
                return Err(invalid());
            }
            whole = whole * 10 + u64::from(d - b'0');
            if whole > LIMIT {
                return Err(invalid());
            }
        }
        s = &s[int_len..];
        let before = int_len > 0;
        // The fraction: digits past overflow are dropped, as Go's leadingFraction does.
        let mut fraction: u64 = 0;
        let mut scale: f64 = 1.0;
        let mut after = false;
        if s.starts_with('.') {
            s = &s[1..];
            let frac_len = s.bytes().take_while(|c| c.is_ascii_digit()).count();
            let mut overflow = false;
            for &d in &s.as_bytes()[..frac_len] {
                if overflow {
                    continue;
                }
                if fraction > (i64::MAX as u64) / 10 {
                    overflow = true;
                    continue;
                }
                let next = fraction * 10 + u64::from(d - b'0');
                if next > i64::MAX as u64 {
                    overflow = true;
                    continue;
                }
                fraction = next;
                scale *= 10.0;
            }
            after = frac_len > 0;
            s = &s[frac_len..];
        }
        if !before && !after {
            return Err(invalid());
        }
        let unit_len = s
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map_or(s.len(), |(i, _)| i);
        let unit = &s[..unit_len];
        if unit.is_empty() {
            return Err(format!(
                "time: missing unit in duration {}",
                time_quote(text)
            ));
        }
        let nanos: u64 = match unit {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    time_quote(unit),
                    time_quote(text)
                ))
            }
        };
        s = &s[unit_len..];
        if whole > LIMIT / nanos {
            return Err(invalid());
        }
        let mut v = whole * nanos;
        if fraction > 0 {
            v += (fraction as f64 * (nanos as f64 / scale)) as u64;
            if v > LIMIT {
                return Err(invalid());
            }
        }
        total += v;
        if total > LIMIT {
            return Err(invalid());
        }
    }
    if negative {
        return Ok((total as i128).wrapping_neg() as i64);
    }
    if total > LIMIT - 1 {
        return Err(invalid());
    }
    Ok(total as i64)
}
