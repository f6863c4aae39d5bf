//! The `format` checks of Helm's schema validator (santhosh-tekuri/jsonschema v6), which asserts
//! `format` in draft-04, -06 and -07 schemas. Each check gives the verdict Go's validator gives
//! and its reason text, including the texts of the Go packages it leans on: `net/netip` for IPv6
//! addresses, `net/url` for URIs, `time.Parse` for dates, `strconv.Atoi` for IPv4 parts and
//! `regexp` for regular expressions.
//!
//! Values are handled as Go strings, byte by byte where Go indexes bytes.

use helmet_value::gostring::runes;
use helmet_value::strconv::{quote_bytes, quote_rune};

/// The format names Helm's validator checks; any other name is an annotation.
pub(crate) const KNOWN: [&str; 19] = [
    "json-pointer",
    "relative-json-pointer",
    "uuid",
    "duration",
    "period",
    "ipv4",
    "ipv6",
    "hostname",
    "email",
    "date",
    "time",
    "date-time",
    "uri",
    "iri",
    "uri-reference",
    "iri-reference",
    "uri-template",
    "semver",
    "regex",
];

/// Checks a string against format `name` as Helm's validator does: why it is not of that
/// format, in Go's words, or Ok (also for names it does not know).
pub(crate) fn check(name: &str, value: &str) -> Result<(), String> {
    let s = value.as_bytes();
    match name {
        "json-pointer" => json_pointer(s),
        "relative-json-pointer" => relative_json_pointer(s),
        "uuid" => uuid(s),
        "duration" => duration(s),
        "period" => period(s),
        "ipv4" => ipv4(s),
        "ipv6" => ipv6(s),
        "hostname" => hostname(s),
        "email" => email(s),
        "date" => date(s),
        "time" => time(s),
        "date-time" => date_time(s),
        "uri" | "iri" => uri(s),
        "uri-reference" | "iri-reference" => uri_reference(s),
        "uri-template" => uri_template(s),
        "semver" => semver(s),
        "regex" => helmet_sprig::compile_go_regex(value).map(|_| ()),
        _ => Ok(()),
    }
}

type Check = Result<(), String>;

fn fail<T>(text: impl Into<String>) -> Result<T, String> {
    Err(text.into())
}

/// Go's `%q` of a rune.
fn rune_text(c: char) -> String {
    quote_rune(c)
}

/// The pieces of `s` between the separator bytes (Go's `strings.Split` with a one-byte
/// separator).
fn split(s: &[u8], sep: u8) -> Vec<&[u8]> {
    s.split(|&b| b == sep).collect()
}

fn json_pointer(s: &[u8]) -> Check {
    if s.is_empty() {
        return Ok(());
    }
    if s[0] != b'/' {
        return fail("not starting with /");
    }
    for token in split(s, b'/').into_iter().skip(1) {
        let mut escape = false;
        for (_, c, _) in runes(token) {
            if escape {
                escape = false;
                if c != '0' && c != '1' {
                    return fail("~ must be followed by 0 or 1");
                }
                continue;
            }
            if c == '~' {
                escape = true;
                continue;
            }
            // Every character but `/` (which separates tokens) and `~` (handled above).
            if !matches!(c, '\0'..='\x2E' | '\x30'..='\x7D' | '\x7F'..) {
                return fail(format!("invalid character {}", rune_text(c)));
            }
        }
        if escape {
            return fail("~ must be followed by 0 or 1");
        }
    }
    Ok(())
}

fn relative_json_pointer(s: &[u8]) -> Check {
    let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return fail("must start with non-negative integer");
    }
    if digits > 1 && s[0] == b'0' {
        return fail("starts with zero");
    }
    let rest = &s[digits..];
    if rest == b"#" {
        return Ok(());
    }
    json_pointer(rest)
}

fn uuid(s: &[u8]) -> Check {
    const LENGTHS: [usize; 5] = [8, 4, 4, 4, 12];
    let groups = split(s, b'-');
    if groups.len() != LENGTHS.len() {
        return fail(format!("must have {} elements", LENGTHS.len()));
    }
    for (i, group) in groups.iter().enumerate() {
        if group.len() != LENGTHS[i] {
            return fail(format!(
                "element {} must be {} characters long",
                i + 1,
                LENGTHS[i]
            ));
        }
        for (_, c, _) in runes(group) {
            if !c.is_ascii_hexdigit() {
                return fail(format!("non-hex character {}", rune_text(c)));
            }
        }
    }
    Ok(())
}

fn duration(s: &[u8]) -> Check {
    let Some(s) = s.strip_prefix(b"P") else {
        return fail("must start with P");
    };
    if s.is_empty() {
        return fail("nothing after P");
    }
    if let Some(weeks) = s.strip_suffix(b"W") {
        if weeks.is_empty() {
            return fail("no number in week");
        }
        if !weeks.iter().all(u8::is_ascii_digit) {
            return fail("invalid week");
        }
        return Ok(());
    }
    const UNITS: [&[u8]; 2] = [b"YMD", b"HMS"];
    for (i, part) in split(s, b'T').into_iter().enumerate() {
        if i != 0 && part.is_empty() {
            return fail("no time elements");
        }
        if i >= UNITS.len() {
            return fail("more than one T");
        }
        let mut units = UNITS[i];
        let mut rest = part;
        while !rest.is_empty() {
            let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
            if digits == 0 {
                return fail("missing number");
            }
            rest = &rest[digits..];
            let Some(&unit) = rest.first() else {
                return fail("missing unit");
            };
            // Go prints the unit byte with `%q`, as the rune of that number.
            let shown = rune_text(char::from(unit));
            match units.iter().position(|&u| u == unit) {
                Some(j) => units = &units[j + 1..],
                None if UNITS[i].contains(&unit) => {
                    return fail(format!("unit {shown} out of order"))
                }
                None => return fail(format!("invalid unit {shown}")),
            }
            rest = &rest[1..];
        }
    }
    Ok(())
}

fn period(s: &[u8]) -> Check {
    let Some(slash) = s.iter().position(|&b| b == b'/') else {
        return fail("missing slash");
    };
    let (start, end) = (&s[..slash], &s[slash + 1..]);
    if start.starts_with(b"P") {
        duration(start).map_err(|e| format!("invalid start duration: {e}"))?;
        date_time(end).map_err(|e| format!("invalid end date-time: {e}"))
    } else {
        date_time(start).map_err(|e| format!("invalid start date-time: {e}"))?;
        if end.starts_with(b"P") {
            duration(end).map_err(|e| format!("invalid end duration: {e}"))
        } else {
            date_time(end).map_err(|e| format!("invalid end date-time: {e}"))
        }
    }
}

/// Go's `strconv.Atoi`, with its error text.
fn atoi(s: &[u8]) -> Result<i64, String> {
    let invalid = || format!("strconv.Atoi: parsing {}: invalid syntax", quote_bytes(s));
    let (negative, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return Err(invalid());
    }
    let mut n: u64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return Err(invalid());
        }
        // Go reports the overflow where it happens, before looking at the later bytes.
        n = match n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(b - b'0')))
        {
            Some(n) => n,
            None => return Err(out_of_range(s)),
        };
    }
    let limit = if negative {
        i64::MAX as u64 + 1
    } else {
        i64::MAX as u64
    };
    if n > limit {
        return Err(out_of_range(s));
    }
    Ok(if negative {
        (n as i64).wrapping_neg()
    } else {
        n as i64
    })
}

fn out_of_range(s: &[u8]) -> String {
    format!(
        "strconv.Atoi: parsing {}: value out of range",
        quote_bytes(s)
    )
}

fn ipv4(s: &[u8]) -> Check {
    let groups = split(s, b'.');
    if groups.len() != 4 {
        return fail("expected four decimals");
    }
    for group in groups {
        if group.len() > 1 && group[0] == b'0' {
            return fail("leading zeros");
        }
        let n = atoi(group)?;
        if !(0..=255).contains(&n) {
            return fail("decimal must be between 0 and 255");
        }
    }
    Ok(())
}

fn ipv6(s: &[u8]) -> Check {
    if !s.contains(&b':') {
        return fail("missing colon");
    }
    let addr = parse_addr(s)?;
    if addr.zoned {
        return fail("zone id is not a part of ipv6 address");
    }
    Ok(())
}

/// What the validators need to know of a parsed `netip.Addr`.
struct Addr {
    is4: bool,
    zoned: bool,
}

/// Go's `netip.ParseAddr` error text: the input, an explanation and optionally where.
fn addr_error(input: &[u8], message: &str, at: &[u8]) -> String {
    let mut text = format!("ParseAddr({}): {message}", quote_bytes(input));
    if !at.is_empty() {
        text.push_str(&format!(" (at {})", quote_bytes(at)));
    }
    text
}

/// Go's `netip.ParseAddr`: the address family is chosen by the first `.`, `:` or `%`.
fn parse_addr(s: &[u8]) -> Result<Addr, String> {
    for &b in s {
        match b {
            b'.' => {
                return ipv4_fields(s, s).map(|_| Addr {
                    is4: true,
                    zoned: false,
                })
            }
            b':' => return parse_ipv6(s),
            b'%' => return Err(addr_error(s, "missing IPv6 address", b"")),
            _ => {}
        }
    }
    Err(addr_error(s, "unable to parse IP", b""))
}

/// The four fields of a dotted IPv4 address `s`, a part of `input` (errors name `input`).
fn ipv4_fields(input: &[u8], s: &[u8]) -> Result<(), String> {
    let (mut val, mut pos, mut digits) = (0u32, 0, 0);
    for (i, &b) in s.iter().enumerate() {
        if b.is_ascii_digit() {
            if digits == 1 && val == 0 {
                return Err(addr_error(
                    input,
                    "IPv4 field has octet with leading zero",
                    b"",
                ));
            }
            val = val * 10 + u32::from(b - b'0');
            digits += 1;
            if val > 255 {
                return Err(addr_error(input, "IPv4 field has value >255", b""));
            }
        } else if b == b'.' {
            if i == 0 || i == s.len() - 1 || s[i - 1] == b'.' {
                return Err(addr_error(
                    input,
                    "IPv4 field must have at least one digit",
                    &s[i..],
                ));
            }
            if pos == 3 {
                return Err(addr_error(input, "IPv4 address too long", b""));
            }
            pos += 1;
            val = 0;
            digits = 0;
        } else {
            return Err(addr_error(input, "unexpected character", &s[i..]));
        }
    }
    if pos < 3 {
        return Err(addr_error(input, "IPv4 address too short", b""));
    }
    Ok(())
}

fn parse_ipv6(input: &[u8]) -> Result<Addr, String> {
    let mut s = input;
    let mut zoned = false;
    if let Some(i) = s.iter().position(|&b| b == b'%') {
        if i + 1 == s.len() {
            return Err(addr_error(input, "zone must be a non-empty string", b""));
        }
        zoned = true;
        s = &s[..i];
    }
    let v6 = Addr { is4: false, zoned };
    let mut ellipsis = false;
    if s.starts_with(b"::") {
        ellipsis = true;
        s = &s[2..];
        if s.is_empty() {
            return Ok(v6);
        }
    }
    // Bytes of the address filled so far.
    let mut i = 0;
    while i < 16 {
        let mut off = 0;
        let mut acc: u32 = 0;
        while off < s.len() {
            let Some(d) = char::from(s[off]).to_digit(16) else {
                break;
            };
            acc = (acc << 4) + d;
            if off > 3 {
                return Err(addr_error(
                    input,
                    "each group must have 4 or less digits",
                    s,
                ));
            }
            if acc > 0xFFFF {
                return Err(addr_error(input, "IPv6 field has value >=2^16", s));
            }
            off += 1;
        }
        if off == 0 {
            return Err(addr_error(
                input,
                "each colon-separated field must have at least one digit",
                s,
            ));
        }
        if s.get(off) == Some(&b'.') {
            if !ellipsis && i != 12 {
                return Err(addr_error(
                    input,
                    "embedded IPv4 address must replace the final 2 fields of the address",
                    s,
                ));
            }
            if i + 4 > 16 {
                return Err(addr_error(
                    input,
                    "too many hex fields to fit an embedded IPv4 at the end of the address",
                    s,
                ));
            }
            ipv4_fields(input, s)?;
            s = b"";
            i += 4;
            break;
        }
        i += 2;
        s = &s[off..];
        if s.is_empty() {
            break;
        }
        if s[0] != b':' {
            return Err(addr_error(input, "unexpected character, want colon", s));
        } else if s.len() == 1 {
            return Err(addr_error(
                input,
                "colon must be followed by more characters",
                s,
            ));
        }
        s = &s[1..];
        if s[0] == b':' {
            if ellipsis {
                return Err(addr_error(input, "multiple :: in address", s));
            }
            ellipsis = true;
            s = &s[1..];
            if s.is_empty() {
                break;
            }
        }
    }
    if !s.is_empty() {
        return Err(addr_error(input, "trailing garbage after address", s));
    }
    if i < 16 && !ellipsis {
        return Err(addr_error(input, "address string too short", b""));
    }
    if i == 16 && ellipsis {
        return Err(addr_error(
            input,
            "the :: must expand to at least one field of zeros",
            b"",
        ));
    }
    Ok(v6)
}

fn hostname(s: &[u8]) -> Check {
    let s = s.strip_suffix(b".").unwrap_or(s);
    if s.len() > 253 {
        return fail("more than 253 characters long");
    }
    for label in split(s, b'.') {
        if label.is_empty() || label.len() > 63 {
            return fail("label must be 1 to 63 characters long");
        }
        if label.starts_with(b"-") {
            return fail("label starts with hyphen");
        }
        if label.ends_with(b"-") {
            return fail("label ends with hyphen");
        }
        for (_, c, _) in runes(label) {
            if !(c.is_ascii_alphanumeric() || c == '-') {
                return fail(format!("invalid character {}", rune_text(c)));
            }
        }
    }
    Ok(())
}

fn email(s: &[u8]) -> Check {
    if s.len() > 254 {
        // Go's validator says 255 here.
        return fail("more than 255 characters long");
    }
    let Some(at) = s.iter().rposition(|&b| b == b'@') else {
        return fail("missing @");
    };
    let (local, domain) = (&s[..at], &s[at + 1..]);
    if local.len() > 64 {
        return fail("local part more than 64 characters long");
    }
    // Go's validator takes a local part as quoted when it starts with a quote (it checks the
    // start twice, never the end).
    if local.len() > 1 && local[0] == b'"' {
        let inner = &local[1..local.len() - 1];
        if inner.contains(&b'\\') || inner.contains(&b'"') {
            return fail("backslash and quote are not allowed within quoted local part");
        }
    } else {
        if local.starts_with(b".") {
            return fail("starts with dot");
        }
        if local.ends_with(b".") {
            return fail("ends with dot");
        }
        if local.windows(2).any(|w| w == b"..") {
            return fail("consecutive dots");
        }
        for (_, c, _) in runes(local) {
            if !(c.is_ascii_alphanumeric() || ".!#$%&'*+-/=?^_`{|}~".contains(c)) {
                return fail(format!("invalid character {}", rune_text(c)));
            }
        }
    }
    if domain.len() >= 2 && domain[0] == b'[' && domain[domain.len() - 1] == b']' {
        let inner = &domain[1..domain.len() - 1];
        if let Some(v6) = inner.strip_prefix(b"IPv6:") {
            return ipv6(v6).map_err(|e| format!("invalid ipv6 address: {e}"));
        }
        return ipv4(inner).map_err(|e| format!("invalid ipv4 address: {e}"));
    }
    hostname(domain).map_err(|e| format!("invalid domain: {e}"))
}

/// The `time` package's quoting in its parse errors: bytes that are not printable ASCII are
/// shown as `\x` escapes, each byte of a character.
fn time_quote(s: &[u8]) -> String {
    let mut out = String::from("\"");
    for &b in s {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(char::from(b));
            }
            b' '..=0x7E => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
    out
}

/// Go's `time.Parse("2006-01-02", s)` error text, or Ok.
fn date(s: &[u8]) -> Check {
    const LAYOUT: &str = "2006-01-02";
    let cannot = |value: &[u8], element: &str| {
        format!(
            "parsing time {} as \"{LAYOUT}\": cannot parse {} as \"{element}\"",
            time_quote(s),
            time_quote(value)
        )
    };
    let range = |what: &str| format!("parsing time {}: {what} out of range", time_quote(s));
    // Year: four digits.
    if s.len() < 4 || !s[..4].iter().all(u8::is_ascii_digit) {
        return Err(cannot(s, "2006"));
    }
    let year: i64 = s[..4].iter().fold(0, |n, &b| n * 10 + i64::from(b - b'0'));
    let mut rest = &s[4..];
    let two_digits = |rest: &mut &[u8], element: &str| -> Result<u32, String> {
        let Some(r) = rest.strip_prefix(b"-") else {
            return Err(cannot(rest, "-"));
        };
        if r.len() < 2 || !r[0].is_ascii_digit() || !r[1].is_ascii_digit() {
            return Err(cannot(r, element));
        }
        *rest = &r[2..];
        Ok(u32::from(r[0] - b'0') * 10 + u32::from(r[1] - b'0'))
    };
    let month = two_digits(&mut rest, "01")?;
    if !(1..=12).contains(&month) {
        return Err(range("month"));
    }
    let day = two_digits(&mut rest, "02")?;
    if !rest.is_empty() {
        return Err(format!(
            "parsing time {}: extra text: {}",
            time_quote(s),
            time_quote(rest)
        ));
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day < 1 || day > days {
        return Err(range("day"));
    }
    Ok(())
}

fn time(s: &[u8]) -> Check {
    if s.len() < 9 {
        return fail("less than 9 characters long");
    }
    if s[2] != b':' || s[5] != b':' {
        return fail("missing colon in correct place");
    }
    let mut hms = Vec::with_capacity(3);
    for token in s[..8].splitn(3, |&b| b == b':') {
        let Ok(n) = atoi(token) else {
            return fail("invalid hour/min/sec");
        };
        if n < 0 {
            return fail("non-positive hour/min/sec");
        }
        hms.push(n);
    }
    let [mut h, mut m, sec] = hms[..] else {
        return fail("missing hour/min/sec");
    };
    if h > 23 || m > 59 || sec > 60 {
        return fail("hour/min/sec out of range");
    }
    let mut rest = &s[8..];
    if let Some(fraction) = rest.strip_prefix(b".") {
        let digits = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return fail("no digits in second fraction");
        }
        rest = &fraction[digits..];
    }
    if rest != b"z" && rest != b"Z" {
        if rest.len() != 6 {
            return fail("offset must be 6 characters long");
        }
        let sign = match rest[0] {
            b'+' => -1,
            b'-' => 1,
            _ => return fail("offset must begin with plus/minus"),
        };
        let offset = &rest[1..];
        if offset[2] != b':' {
            return fail("missing colon in offset in correct place");
        }
        let mut zhm = Vec::with_capacity(2);
        for token in offset.splitn(2, |&b| b == b':') {
            let Ok(n) = atoi(token) else {
                return fail("invalid hour/min in offset");
            };
            if n < 0 {
                return fail("non-positive hour/min in offset");
            }
            zhm.push(n);
        }
        let (zh, zm) = (zhm[0], zhm[1]);
        if zh > 23 || zm > 59 {
            return fail("hour/min in offset out of range");
        }
        let mut minutes = h * 60 + m + sign * (zh * 60 + zm);
        if minutes < 0 {
            minutes += 24 * 60;
        }
        h = minutes / 60;
        m = minutes % 60;
    }
    if sec >= 60 && (h != 23 || m != 59) {
        return fail("invalid leap second");
    }
    Ok(())
}

fn date_time(s: &[u8]) -> Check {
    if s.len() < 20 {
        return fail("less than 20 characters long");
    }
    if s[10] != b't' && s[10] != b'T' {
        return fail("11th character must be t or T");
    }
    date(&s[..10]).map_err(|e| format!("invalid date element: {e}"))?;
    time(&s[11..]).map_err(|e| format!("invalid time element: {e}"))
}

fn semver(s: &[u8]) -> Check {
    let mut s = s;
    if let Some(i) = s.iter().position(|&b| b == b'+') {
        let build = &s[i + 1..];
        if build.is_empty() {
            return fail("build is empty");
        }
        for id in split(build, b'.') {
            if id.is_empty() {
                return fail("build identifier is empty");
            }
            for (_, c, _) in runes(id) {
                if !(c.is_ascii_alphanumeric() || c == '-') {
                    return fail(format!(
                        "invalid character {} in build identifier",
                        rune_text(c)
                    ));
                }
            }
        }
        s = &s[..i];
    }
    if let Some(i) = s.iter().position(|&b| b == b'-') {
        for id in split(&s[i + 1..], b'.') {
            if id.is_empty() {
                return fail("pre-release identifier is empty");
            }
            let mut all_digits = true;
            for (_, c, _) in runes(id) {
                if c.is_ascii_digit() {
                    continue;
                }
                if c.is_ascii_alphabetic() || c == '-' {
                    all_digits = false;
                } else {
                    return fail(format!(
                        "invalid character {} in pre-release identifier",
                        rune_text(c)
                    ));
                }
            }
            if all_digits && id.len() > 1 && id[0] == b'0' {
                return fail("pre-release numeric identifier starts with zero");
            }
        }
        s = &s[..i];
    }
    let parts = split(s, b'.');
    if parts.len() != 3 {
        return fail("versionCore must have 3 numbers separated by dot");
    }
    for (name, part) in ["major", "minor", "patch"].into_iter().zip(parts) {
        if part.is_empty() {
            return fail(format!("{name} is empty"));
        }
        if part.len() > 1 && part[0] == b'0' {
            return fail(format!("{name} starts with zero"));
        }
        if !part.iter().all(u8::is_ascii_digit) {
            return fail(format!("{name} contains non-digit"));
        }
    }
    Ok(())
}

/// The parts of a URL the validators look at.
struct Url {
    scheme: Vec<u8>,
    /// The host (`host[:port]`), unescaped.
    host: Vec<u8>,
    /// The path as written when it differs from Go's escaping of the unescaped path.
    raw_path: Vec<u8>,
}

/// Which part of a URL a text is (un)escaped for (Go's `encoding`).
#[derive(Clone, Copy, PartialEq)]
enum Part {
    Path,
    PathSegment,
    Host,
    Zone,
    UserPassword,
    Fragment,
}

/// Go's `shouldEscape`: whether `c` is escaped in `part` of a URL.
fn should_escape(c: u8, part: Part) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if matches!(part, Part::Host | Part::Zone)
        && matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'"'
        )
    {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => return false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match part {
            Part::Path => return c == b'?',
            Part::PathSegment => return matches!(c, b'/' | b';' | b',' | b'?'),
            Part::UserPassword => return matches!(c, b'@' | b'/' | b'?' | b':'),
            Part::Fragment => return false,
            Part::Host | Part::Zone => {}
        },
        _ => {}
    }
    if part == Part::Fragment && matches!(c, b'!' | b'(' | b')' | b'*') {
        return false;
    }
    true
}

fn unhex(c: u8) -> u8 {
    char::from(c).to_digit(16).unwrap_or(0) as u8
}

/// Go's `url.unescape`: the text with its `%XX` escapes decoded, or Go's error text.
fn unescape(s: &[u8], part: Part) -> Result<Vec<u8>, String> {
    let escape_error = |e: &[u8]| format!("invalid URL escape {}", quote_bytes(e));
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'%' => {
                if i + 2 >= s.len()
                    || !s[i + 1].is_ascii_hexdigit()
                    || !s[i + 2].is_ascii_hexdigit()
                {
                    return Err(escape_error(&s[i..(i + 3).min(s.len())]));
                }
                let escaped = &s[i..i + 3];
                if part == Part::Host && unhex(s[i + 1]) < 8 && escaped != b"%25" {
                    return Err(escape_error(escaped));
                }
                if part == Part::Zone {
                    let v = unhex(s[i + 1]) << 4 | unhex(s[i + 2]);
                    if escaped != b"%25" && v != b' ' && should_escape(v, Part::Host) {
                        return Err(escape_error(escaped));
                    }
                }
                i += 3;
            }
            c => {
                if matches!(part, Part::Host | Part::Zone) && c < 0x80 && should_escape(c, part) {
                    return Err(format!(
                        "invalid character {} in host name",
                        quote_bytes(&s[i..i + 1])
                    ));
                }
                i += 1;
            }
        }
    }
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%' {
            out.push(unhex(s[i + 1]) << 4 | unhex(s[i + 2]));
            i += 3;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    Ok(out)
}

/// Whether Go's escaping of `path` for a URL path gives back `written`.
fn escapes_to(path: &[u8], written: &[u8]) -> bool {
    let mut out = Vec::with_capacity(path.len());
    for &c in path {
        if should_escape(c, Part::Path) {
            out.extend_from_slice(format!("%{c:02X}").as_bytes());
        } else {
            out.push(c);
        }
    }
    out == written
}

/// Whether Go's `url.Parse` takes `raw`, a URL without its fragment.
pub(crate) fn go_url_parses(raw: &str) -> bool {
    parse_url_part(raw.as_bytes()).is_ok()
}

/// Go's `url.Parse`, with its error texts.
fn parse_url(raw: &[u8]) -> Result<Url, String> {
    let (before, fragment) = match raw.iter().position(|&b| b == b'#') {
        Some(i) => (&raw[..i], &raw[i + 1..]),
        None => (raw, &b""[..]),
    };
    let url = parse_url_part(before).map_err(|e| format!("parse {}: {e}", quote_bytes(before)))?;
    if !fragment.is_empty() {
        unescape(fragment, Part::Fragment)
            .map_err(|e| format!("parse {}: {e}", quote_bytes(raw)))?;
    }
    Ok(url)
}

fn parse_url_part(raw: &[u8]) -> Result<Url, String> {
    if raw.iter().any(|&b| b < b' ' || b == 0x7F) {
        return fail("net/url: invalid control character in URL");
    }
    let mut url = Url {
        scheme: Vec::new(),
        host: Vec::new(),
        raw_path: Vec::new(),
    };
    if raw == b"*" {
        return Ok(url);
    }
    let mut rest = raw;
    for (i, &c) in raw.iter().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return fail("missing protocol scheme"),
            b':' => {
                url.scheme = raw[..i].to_ascii_lowercase();
                rest = &raw[i + 1..];
                break;
            }
            _ => break,
        }
    }
    let questions = rest.iter().filter(|&&b| b == b'?').count();
    if rest.ends_with(b"?") && questions == 1 {
        rest = &rest[..rest.len() - 1];
    } else if let Some(q) = rest.iter().position(|&b| b == b'?') {
        rest = &rest[..q];
    }
    if !rest.starts_with(b"/") {
        if !url.scheme.is_empty() {
            // An opaque URL (`mailto:x`): nothing more is checked.
            return Ok(url);
        }
        let segment = rest.split(|&b| b == b'/').next().unwrap_or_default();
        if segment.contains(&b':') {
            return fail("first path segment in URL cannot contain colon");
        }
    }
    if (!url.scheme.is_empty() || !rest.starts_with(b"///")) && rest.starts_with(b"//") {
        let authority_and_path = &rest[2..];
        let (authority, path) = match authority_and_path.iter().position(|&b| b == b'/') {
            Some(i) => (&authority_and_path[..i], &authority_and_path[i..]),
            None => (authority_and_path, &b""[..]),
        };
        url.host = parse_authority(&url.scheme, authority)?;
        rest = path;
    }
    let path = unescape(rest, Part::Path)?;
    if !escapes_to(&path, rest) {
        url.raw_path = rest.to_vec();
    }
    Ok(url)
}

/// Go's `parseAuthority`: the host, after the user information is checked.
fn parse_authority(scheme: &[u8], authority: &[u8]) -> Result<Vec<u8>, String> {
    let at = authority.iter().rposition(|&b| b == b'@');
    let host = parse_host(scheme, &authority[at.map_or(0, |i| i + 1)..])?;
    let Some(at) = at else {
        return Ok(host);
    };
    let user = &authority[..at];
    let valid =
        runes(user).all(|(_, c, _)| c.is_ascii_alphanumeric() || "-._:~!$&'()*+,;=%@".contains(c));
    if !valid {
        return fail("net/url: invalid userinfo");
    }
    match user.iter().position(|&b| b == b':') {
        None => {
            unescape(user, Part::UserPassword)?;
        }
        Some(colon) => {
            unescape(&user[..colon], Part::UserPassword)?;
            unescape(&user[colon + 1..], Part::UserPassword)?;
        }
    }
    Ok(host)
}

/// Whether `port` is empty or `:` and digits.
fn valid_optional_port(port: &[u8]) -> bool {
    match port.split_first() {
        None => true,
        Some((b':', digits)) => digits.iter().all(u8::is_ascii_digit),
        Some(_) => false,
    }
}

/// Go's `parseHost` (Go 1.26: a bracketed host must be an IPv6 address; more than one colon
/// outside brackets is refused for http and https).
fn parse_host(scheme: &[u8], host: &[u8]) -> Result<Vec<u8>, String> {
    let invalid_port = |port: &[u8]| format!("invalid port {} after host", quote_bytes(port));
    match host.iter().rposition(|&b| b == b'[') {
        Some(i) if i > 0 => return fail("invalid IP-literal"),
        Some(_) => {
            let Some(close) = host.iter().rposition(|&b| b == b']') else {
                return fail("missing ']' in host");
            };
            let port = &host[close + 1..];
            if !valid_optional_port(port) {
                return Err(invalid_port(port));
            }
            let port = unescape(port, Part::Host)?;
            let name = &host[1..close];
            let name = match find(name, b"%25") {
                Some(zone) => {
                    let mut text = unescape(&name[..zone], Part::Host)?;
                    text.extend(unescape(&name[zone..], Part::Zone)?);
                    text
                }
                None => unescape(name, Part::Host)?,
            };
            let addr = parse_addr(&name).map_err(|e| format!("invalid host: {e}"))?;
            if addr.is4 {
                return fail("invalid IP-literal");
            }
            let mut out = b"[".to_vec();
            out.extend(name);
            out.push(b']');
            out.extend(port);
            return Ok(out);
        }
        None => {
            if let Some(first) = host.iter().position(|&b| b == b':') {
                let last = host.iter().rposition(|&b| b == b':').unwrap_or(first);
                let strict = scheme == b"http" || scheme == b"https";
                let colon = if strict { first } else { last };
                let port = &host[colon..];
                if !valid_optional_port(port) {
                    return Err(invalid_port(port));
                }
            }
        }
    }
    unescape(host, Part::Host)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Go's `url.URL.Hostname`: the host without a valid port and without brackets.
fn hostname_of(host: &[u8]) -> &[u8] {
    let mut name = host;
    if let Some(colon) = name.iter().rposition(|&b| b == b':') {
        if valid_optional_port(&name[colon..]) {
            name = &name[..colon];
        }
    }
    if name.len() >= 2 && name[0] == b'[' && name[name.len() - 1] == b']' {
        name = &name[1..name.len() - 1];
    }
    name
}

/// The validator's URL parsing: Go's, plus a check of IPv6 hosts.
fn parse_uri(s: &[u8]) -> Result<Url, String> {
    let url = parse_url(s)?;
    let name = hostname_of(&url.host);
    if name.contains(&b':') {
        if !url.host.contains(&b'[') || !url.host.contains(&b']') {
            return fail("ipv6 address not enclosed in brackets");
        }
        ipv6(name).map_err(|e| format!("invalid ipv6 address: {e}"))?;
    }
    Ok(url)
}

fn uri(s: &[u8]) -> Check {
    let url = parse_uri(s)?;
    if url.scheme.is_empty() {
        return fail("relative url");
    }
    Ok(())
}

fn uri_reference(s: &[u8]) -> Check {
    if s.contains(&b'\\') {
        return fail("contains \\");
    }
    parse_uri(s).map(|_| ())
}

fn uri_template(s: &[u8]) -> Check {
    let url = parse_uri(s)?;
    for token in split(&url.raw_path, b'/') {
        let token = unescape(token, Part::PathSegment)
            .map_err(|e| format!("percent decode failed: {e}"))?;
        let mut want_open = true;
        for (_, c, _) in runes(&token) {
            let open = match c {
                '{' => true,
                '}' => false,
                _ => continue,
            };
            if open != want_open {
                return fail("nested curly braces");
            }
            want_open = !want_open;
        }
        if !want_open {
            return fail("no matching closing brace");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    /// Texts Helm v4.2.3 printed for these values
    /// (fixtures/charts/values-schema-format-draft7 has them all).
    #[test]
    fn reasons_are_gos() {
        let cases = [
            (
                "email",
                "a@",
                "invalid domain: label must be 1 to 63 characters long",
            ),
            (
                "ipv6",
                "1::2::3",
                "ParseAddr(\"1::2::3\"): multiple :: in address (at \":3\")",
            ),
            (
                "date-time",
                "2020-13-01T00:00:00Z",
                "invalid date element: parsing time \"2020-13-01\": month out of range",
            ),
            (
                "date",
                "2020-02-30",
                "parsing time \"2020-02-30\": day out of range",
            ),
            ("uri-reference", "\\\\x", "contains \\"),
            ("uri", "//x", "relative url"),
        ];
        for (format, value, reason) in cases {
            assert_eq!(
                check(format, value),
                Err(reason.to_string()),
                "{format} {value}"
            );
        }
        assert_eq!(check("ipv4", "10.0.0.1"), Ok(()));
        assert_eq!(check("unknown", "x"), Ok(()));
    }
}
