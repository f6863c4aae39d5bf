//! Sprig's date functions and Go's `time.Time` as templates see it: `now`, `date`,
//! `dateInZone`, `htmlDate`, `htmlDateInZone`, `dateModify`, `mustDateModify`, `ago`,
//! `duration`, `durationRound`, `toDate`, `mustToDate`, `unixEpoch`.
//!
//! Layouts are Go's reference-time layouts (`2006-01-02 15:04:05`), formatted and parsed by the
//! rules of Go's `time` package.
//!
//! Time zones: `UTC`, `Local` and the empty name are UTC (helmet treats the local zone as UTC,
//! as Helm sees it in containers and CI). IANA zones (`America/New_York`) are read from the
//! system's zoneinfo files as Go reads them, with the file's POSIX TZ rule for instants after
//! its last transition (`posix_tz`); names Go cannot load fall back to UTC as Sprig does.

use std::sync::{Arc, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use helmet_value::calendar::{civil_from_days, days_from_civil, days_in_month, is_leap};
use helmet_value::{ArgType, Func, FuncError, FuncMap, Object, Value};

use crate::{arg_str, def};

const NANOS_PER_SEC: i64 = 1_000_000_000;

/// An instant with the zone it is shown in (always UTC for now; see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Time {
    /// Seconds since the Unix epoch.
    secs: i64,
    /// Nanoseconds within the second, `0..1e9`.
    nanos: u32,
}

/// The broken-down civil fields of a time.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    /// 0 is Sunday.
    weekday: u32,
    /// 1-based day of the year.
    yday: u32,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Seconds from 0001-01-01 (Go's zero time) to the Unix epoch.
const ZERO_TIME_SECS: i64 = -62_135_596_800;

impl Time {
    fn now() -> Time {
        let d = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Time {
            secs: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            nanos: d.subsec_nanos(),
        }
    }

    fn unix(secs: i64) -> Time {
        Time { secs, nanos: 0 }
    }

    /// Go's zero `time.Time`: January 1, year 1, 00:00:00 UTC.
    fn zero() -> Time {
        Time::unix(ZERO_TIME_SECS)
    }

    fn civil(&self) -> Civil {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: rem / 3600,
            minute: rem / 60 % 60,
            second: rem % 60,
            weekday: (days + 4).rem_euclid(7) as u32,
            yday: (days - days_from_civil(year, 1, 1) + 1) as u32,
        }
    }

    /// Adds a signed number of nanoseconds.
    fn add(&self, d: i64) -> Time {
        let total = i128::from(self.secs) * i128::from(NANOS_PER_SEC)
            + i128::from(self.nanos)
            + i128::from(d);
        Time {
            secs: total.div_euclid(i128::from(NANOS_PER_SEC)) as i64,
            nanos: total.rem_euclid(i128::from(NANOS_PER_SEC)) as u32,
        }
    }

    /// Nanoseconds from `other` to `self`, saturating as Go's `Sub` does.
    fn sub(&self, other: &Time) -> i64 {
        let d = (i128::from(self.secs) - i128::from(other.secs)) * i128::from(NANOS_PER_SEC)
            + i128::from(self.nanos)
            - i128::from(other.nanos);
        d.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
    }

    /// Go's `Time.Format` with the time shown in `zone`.
    fn format_in(&self, layout: &str, zone: &Zone) -> String {
        let c = Time {
            secs: self.secs.saturating_add(zone.offset),
            nanos: self.nanos,
        }
        .civil();
        let mut out = String::new();
        let mut rest = layout;
        while !rest.is_empty() {
            let (prefix, chunk, after) = next_chunk(rest);
            out.push_str(prefix);
            let Some(chunk) = chunk else { break };
            rest = after;
            match chunk {
                Chunk::Year => push_num(&mut out, c.year.rem_euclid(100), 2),
                Chunk::LongYear => push_num(&mut out, c.year, 4),
                Chunk::Month => out.push_str(&MONTHS[c.month as usize - 1][..3]),
                Chunk::LongMonth => out.push_str(MONTHS[c.month as usize - 1]),
                Chunk::NumMonth => push_num(&mut out, i64::from(c.month), 0),
                Chunk::ZeroMonth => push_num(&mut out, i64::from(c.month), 2),
                Chunk::WeekDay => out.push_str(&WEEKDAYS[c.weekday as usize][..3]),
                Chunk::LongWeekDay => out.push_str(WEEKDAYS[c.weekday as usize]),
                Chunk::Day => push_num(&mut out, i64::from(c.day), 0),
                Chunk::UnderDay => {
                    if c.day < 10 {
                        out.push(' ');
                    }
                    push_num(&mut out, i64::from(c.day), 0);
                }
                Chunk::ZeroDay => push_num(&mut out, i64::from(c.day), 2),
                Chunk::UnderYearDay => {
                    if c.yday < 100 {
                        out.push(' ');
                        if c.yday < 10 {
                            out.push(' ');
                        }
                    }
                    push_num(&mut out, i64::from(c.yday), 0);
                }
                Chunk::ZeroYearDay => push_num(&mut out, i64::from(c.yday), 3),
                Chunk::Hour => push_num(&mut out, i64::from(c.hour), 2),
                Chunk::Hour12 | Chunk::ZeroHour12 => {
                    let h = match c.hour % 12 {
                        0 => 12,
                        h => h,
                    };
                    let width = if chunk == Chunk::ZeroHour12 { 2 } else { 0 };
                    push_num(&mut out, i64::from(h), width);
                }
                Chunk::Minute => push_num(&mut out, i64::from(c.minute), 0),
                Chunk::ZeroMinute => push_num(&mut out, i64::from(c.minute), 2),
                Chunk::Second => push_num(&mut out, i64::from(c.second), 0),
                Chunk::ZeroSecond => push_num(&mut out, i64::from(c.second), 2),
                Chunk::PM => out.push_str(if c.hour >= 12 { "PM" } else { "AM" }),
                Chunk::LowerPM => out.push_str(if c.hour >= 12 { "pm" } else { "am" }),
                Chunk::ZoneName if !zone.name.is_empty() => out.push_str(&zone.name),
                Chunk::ZoneName => {
                    let minutes = zone.offset / 60;
                    out.push(if minutes < 0 { '-' } else { '+' });
                    push_num(&mut out, minutes.abs() / 60, 2);
                    push_num(&mut out, minutes.abs() % 60, 2);
                }
                Chunk::Offset { iso: true, .. } if zone.offset == 0 => out.push('Z'),
                Chunk::Offset {
                    colons,
                    minutes,
                    seconds,
                    ..
                } => {
                    let abs = zone.offset.abs();
                    out.push(if zone.offset < 0 { '-' } else { '+' });
                    push_num(&mut out, abs / 3600, 2);
                    for (present, n) in [(minutes, abs / 60 % 60), (seconds, abs % 60)] {
                        if present {
                            if colons {
                                out.push(':');
                            }
                            push_num(&mut out, n, 2);
                        }
                    }
                }
                Chunk::Frac {
                    sep,
                    digits,
                    trim_zeros,
                } => {
                    let all = format!("{:09}", self.nanos);
                    let mut frac = &all[..digits.min(9)];
                    if trim_zeros {
                        frac = frac.trim_end_matches('0');
                        if frac.is_empty() {
                            continue;
                        }
                    }
                    out.push(sep);
                    out.push_str(frac);
                }
            }
        }
        out
    }
}

/// Appends `n` zero-padded to `width` digits (a minus sign comes first).
fn push_num(out: &mut String, n: i64, width: usize) {
    if n < 0 {
        out.push('-');
    }
    out.push_str(&format!("{:0width$}", n.unsigned_abs()));
}

/// One element of a Go layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Chunk {
    Year,
    LongYear,
    Month,
    LongMonth,
    NumMonth,
    ZeroMonth,
    WeekDay,
    LongWeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    PM,
    LowerPM,
    ZoneName,
    /// A numeric offset: `-07`, `-0700`, `-07:00`, `-070000`, `-07:00:00` or their `Z` forms
    /// (which print `Z` for UTC).
    Offset {
        iso: bool,
        colons: bool,
        minutes: bool,
        seconds: bool,
    },
    /// Fractional seconds `.000` / `.999` (or with a comma).
    Frac {
        sep: char,
        digits: usize,
        trim_zeros: bool,
    },
}

/// Splits `layout` into literal text, the first layout element and the rest, as Go's
/// `nextStdChunk` does.
fn next_chunk(layout: &str) -> (&str, Option<Chunk>, &str) {
    let b = layout.as_bytes();
    let starts = |i: usize, s: &str| layout[i..].starts_with(s);
    for i in 0..b.len() {
        let found: Option<(Chunk, usize)> = match b[i] {
            b'J' if starts(i, "January") => Some((Chunk::LongMonth, 7)),
            b'J' if starts(i, "Jan") => Some((Chunk::Month, 3)),
            b'M' if starts(i, "Monday") => Some((Chunk::LongWeekDay, 6)),
            b'M' if starts(i, "Mon") => Some((Chunk::WeekDay, 3)),
            b'M' if starts(i, "MST") => Some((Chunk::ZoneName, 3)),
            b'0' if starts(i, "002") => Some((Chunk::ZeroYearDay, 3)),
            b'0' => match b.get(i + 1) {
                Some(b'1') => Some((Chunk::ZeroMonth, 2)),
                Some(b'2') => Some((Chunk::ZeroDay, 2)),
                Some(b'3') => Some((Chunk::ZeroHour12, 2)),
                Some(b'4') => Some((Chunk::ZeroMinute, 2)),
                Some(b'5') => Some((Chunk::ZeroSecond, 2)),
                Some(b'6') => Some((Chunk::Year, 2)),
                _ => None,
            },
            b'1' if starts(i, "15") => Some((Chunk::Hour, 2)),
            b'1' => Some((Chunk::NumMonth, 1)),
            b'2' if starts(i, "2006") => Some((Chunk::LongYear, 4)),
            b'2' => Some((Chunk::Day, 1)),
            b'_' if starts(i, "_2006") => {
                // `_` stays literal and the year follows.
                return (&layout[..i + 1], Some(Chunk::LongYear), &layout[i + 5..]);
            }
            b'_' if starts(i, "__2") => Some((Chunk::UnderYearDay, 3)),
            b'_' if starts(i, "_2") => Some((Chunk::UnderDay, 2)),
            b'3' => Some((Chunk::Hour12, 1)),
            b'4' => Some((Chunk::Minute, 1)),
            b'5' => Some((Chunk::Second, 1)),
            b'P' if starts(i, "PM") => Some((Chunk::PM, 2)),
            b'p' if starts(i, "pm") => Some((Chunk::LowerPM, 2)),
            c @ (b'-' | b'Z') => {
                let iso = c == b'Z';
                let forms: [(&str, bool, bool, bool); 5] = [
                    ("070000", false, true, true),
                    ("07:00:00", true, true, true),
                    ("0700", false, true, false),
                    ("07:00", true, true, false),
                    ("07", false, false, false),
                ];
                forms.iter().find(|f| starts(i + 1, f.0)).map(
                    |&(text, colons, minutes, seconds)| {
                        (
                            Chunk::Offset {
                                iso,
                                colons,
                                minutes,
                                seconds,
                            },
                            text.len() + 1,
                        )
                    },
                )
            }
            sep @ (b'.' | b',') if matches!(b.get(i + 1), Some(b'0' | b'9')) => {
                let digit = b[i + 1];
                let mut j = i + 1;
                while j < b.len() && b[j] == digit {
                    j += 1;
                }
                if b.get(j).is_some_and(u8::is_ascii_digit) {
                    None
                } else {
                    Some((
                        Chunk::Frac {
                            sep: char::from(sep),
                            digits: j - i - 1,
                            trim_zeros: digit == b'9',
                        },
                        j - i,
                    ))
                }
            }
            _ => None,
        };
        if let Some((chunk, len)) = found {
            return (&layout[..i], Some(chunk), &layout[i + len..]);
        }
    }
    (layout, None, "")
}

/// Go's `time.ParseError` text.
fn parse_error(layout: &str, value: &str, layout_elem: &str, value_elem: &str) -> FuncError {
    let q = helmet_value::strconv::quote;
    FuncError::new(format!(
        "parsing time {} as {}: cannot parse {} as {}",
        q(value),
        q(layout),
        q(value_elem),
        q(layout_elem)
    ))
}

fn range_error(value: &str, what: &str) -> FuncError {
    FuncError::new(format!(
        "parsing time {}: {what} out of range",
        helmet_value::strconv::quote(value)
    ))
}

/// Reads one or two digits (exactly two when `fixed`).
fn get_num(s: &str, fixed: bool) -> Option<(u32, &str)> {
    let b = s.as_bytes();
    if !b.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    if !b.get(1).is_some_and(u8::is_ascii_digit) {
        if fixed {
            return None;
        }
        return Some((u32::from(b[0] - b'0'), &s[1..]));
    }
    Some((
        u32::from(b[0] - b'0') * 10 + u32::from(b[1] - b'0'),
        &s[2..],
    ))
}

/// Go's `time.Parse` in UTC (Sprig parses in `time.Local`, which helmet treats as UTC).
fn parse_time(layout: &str, value: &str) -> Result<(Time, Zone), FuncError> {
    // Go starts from year 0, January 1 when the layout names no year, month or day.
    let (mut year, mut month, mut day, mut yday) = (0i64, 1u32, 1u32, 0u32);
    let (mut hour, mut minute, mut second, mut nanos) = (0u32, 0u32, 0u32, 0u32);
    let mut pm: Option<bool> = None;
    // The offset of a numeric zone element, and whether it was ISO 8601's `Z` (UTC).
    let mut offset: Option<i64> = None;
    let mut zone_name: Option<&str> = None;
    let mut rest_layout = layout;
    let mut v = value;
    loop {
        let (prefix, chunk, after) = next_chunk(rest_layout);
        let elem = &rest_layout[prefix.len()..rest_layout.len() - after.len()];
        // Literal text must match, with runs of spaces treated loosely as Go does.
        v = skip_literal(v, prefix).ok_or_else(|| parse_error(layout, value, prefix, v))?;
        let Some(chunk) = chunk else {
            if !v.is_empty() {
                return Err(FuncError::new(format!(
                    "parsing time {}: extra text: {}",
                    helmet_value::strconv::quote(value),
                    helmet_value::strconv::quote(v)
                )));
            }
            break;
        };
        rest_layout = after;
        let bad = || parse_error(layout, value, elem, v);
        match chunk {
            Chunk::Year => {
                let (n, r) = get_num(v, true).ok_or_else(bad)?;
                year = i64::from(if n >= 69 { 1900 + n } else { 2000 + n });
                v = r;
            }
            Chunk::LongYear => {
                if v.len() < 4 || !v.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
                    return Err(bad());
                }
                year = v[..4].parse().map_err(|_| bad())?;
                v = &v[4..];
            }
            Chunk::Month | Chunk::LongMonth => {
                let (i, len) = MONTHS
                    .iter()
                    .enumerate()
                    .find_map(|(i, m)| {
                        let name = if chunk == Chunk::Month { &m[..3] } else { m };
                        v.get(..name.len())
                            .filter(|p| p.eq_ignore_ascii_case(name))
                            .map(|_| (i, name.len()))
                    })
                    .ok_or_else(bad)?;
                month = i as u32 + 1;
                v = &v[len..];
            }
            Chunk::WeekDay | Chunk::LongWeekDay => {
                let len = WEEKDAYS
                    .iter()
                    .find_map(|d| {
                        let name = if chunk == Chunk::WeekDay { &d[..3] } else { d };
                        v.get(..name.len())
                            .filter(|p| p.eq_ignore_ascii_case(name))
                            .map(|_| name.len())
                    })
                    .ok_or_else(bad)?;
                v = &v[len..];
            }
            Chunk::NumMonth | Chunk::ZeroMonth => {
                let (n, r) = get_num(v, chunk == Chunk::ZeroMonth).ok_or_else(bad)?;
                if !(1..=12).contains(&n) {
                    return Err(range_error(value, "month"));
                }
                month = n;
                v = r;
            }
            Chunk::Day | Chunk::UnderDay | Chunk::ZeroDay => {
                if chunk == Chunk::UnderDay && v.starts_with(' ') {
                    v = &v[1..];
                }
                let (n, r) = get_num(v, chunk == Chunk::ZeroDay).ok_or_else(bad)?;
                day = n;
                v = r;
            }
            Chunk::UnderYearDay | Chunk::ZeroYearDay => {
                let mut s = v;
                if chunk == Chunk::UnderYearDay {
                    s = s.trim_start_matches(' ');
                }
                let digits = s.bytes().take(3).take_while(u8::is_ascii_digit).count();
                if digits == 0 || (chunk == Chunk::ZeroYearDay && digits < 3) {
                    return Err(bad());
                }
                yday = s[..digits].parse().map_err(|_| bad())?;
                v = &s[digits..];
            }
            Chunk::Hour => {
                let (n, r) = get_num(v, false).ok_or_else(bad)?;
                if n > 23 {
                    return Err(range_error(value, "hour"));
                }
                hour = n;
                v = r;
            }
            Chunk::Hour12 | Chunk::ZeroHour12 => {
                let (n, r) = get_num(v, chunk == Chunk::ZeroHour12).ok_or_else(bad)?;
                if n > 12 {
                    return Err(range_error(value, "hour"));
                }
                hour = n;
                v = r;
            }
            Chunk::Minute | Chunk::ZeroMinute => {
                let (n, r) = get_num(v, chunk == Chunk::ZeroMinute).ok_or_else(bad)?;
                if n > 59 {
                    return Err(range_error(value, "minute"));
                }
                minute = n;
                v = r;
            }
            Chunk::Second | Chunk::ZeroSecond => {
                let (n, r) = get_num(v, chunk == Chunk::ZeroSecond).ok_or_else(bad)?;
                if n > 59 {
                    return Err(range_error(value, "second"));
                }
                second = n;
                v = r;
                // A fraction after the seconds is read even when the layout has none, unless
                // the layout's next element is the fraction itself.
                let next_is_frac =
                    matches!(next_chunk(rest_layout), ("", Some(Chunk::Frac { .. }), _));
                let b = v.as_bytes();
                if !next_is_frac
                    && matches!(b.first(), Some(b'.' | b','))
                    && b.get(1).is_some_and(u8::is_ascii_digit)
                {
                    let n = 1 + v[1..].bytes().take_while(u8::is_ascii_digit).count();
                    nanos = frac_nanos(&v[1..n]);
                    v = &v[n..];
                }
            }
            Chunk::Frac {
                digits, trim_zeros, ..
            } => {
                let b = v.as_bytes();
                if trim_zeros {
                    // `.999` accepts any number of digits, or none at all.
                    if matches!(b.first(), Some(b'.' | b','))
                        && b.get(1).is_some_and(u8::is_ascii_digit)
                    {
                        let n = 1 + v[1..].bytes().take_while(u8::is_ascii_digit).count();
                        nanos = frac_nanos(&v[1..n]);
                        v = &v[n..];
                    }
                } else {
                    let n = digits + 1;
                    if v.len() < n
                        || !matches!(b[0], b'.' | b',')
                        || !b[1..n].iter().all(u8::is_ascii_digit)
                    {
                        return Err(bad());
                    }
                    nanos = frac_nanos(&v[1..n]);
                    v = &v[n..];
                }
            }
            Chunk::PM | Chunk::LowerPM => {
                let p = v.get(..2).ok_or_else(bad)?;
                pm = Some(match p {
                    "PM" | "pm" if chunk == Chunk::LowerPM || p == "PM" => true,
                    "AM" | "am" if chunk == Chunk::LowerPM || p == "AM" => false,
                    _ => return Err(bad()),
                });
                v = &v[2..];
            }
            Chunk::Offset {
                iso,
                colons,
                minutes,
                seconds,
            } => {
                if iso && v.starts_with('Z') {
                    v = &v[1..];
                    offset = Some(0);
                } else {
                    let (o, r) = parse_offset(v, colons, minutes, seconds).ok_or_else(bad)?;
                    let o = o.map_err(|what| range_error(value, what))?;
                    offset = Some(o);
                    v = r;
                }
            }
            Chunk::ZoneName => {
                let n = zone_name_len(v).ok_or_else(bad)?;
                zone_name = Some(&v[..n]);
                v = &v[n..];
            }
        }
    }
    if let Some(is_pm) = pm {
        if is_pm && hour < 12 {
            hour += 12;
        } else if !is_pm && hour == 12 {
            hour = 0;
        }
    }
    if yday > 0 {
        let max = if is_leap(year) { 366 } else { 365 };
        if yday > max {
            return Err(range_error(value, "day-of-year"));
        }
        let date = days_from_civil(year, 1, 1) + i64::from(yday) - 1;
        let (_, m, d) = civil_from_days(date);
        if (month != 1 || day != 1) && (m != month || d != day) {
            return Err(range_error(value, "day-of-year"));
        }
        month = m;
        day = d;
    }
    if day < 1 || day > days_in_month(year, month) {
        return Err(range_error(value, "day"));
    }
    let secs = days_from_civil(year, month, day) * 86_400
        + i64::from(hour) * 3600
        + i64::from(minute) * 60
        + i64::from(second);
    // Go's choice of location, with the local zone being UTC: a zero offset or `UTC` is the
    // local zone; any other offset is a fixed zone named by the abbreviation (if parsed); an
    // unknown abbreviation is a fixed zone at offset 0, or at GMT+h without moving the instant.
    let zone = match (offset, zone_name) {
        (Some(0), None | Some("UTC")) | (None, None | Some("UTC")) => Zone::utc(),
        (Some(o), name) => {
            return Ok((
                Time {
                    secs: secs - o,
                    nanos,
                },
                Zone {
                    name: name.unwrap_or("").to_string(),
                    offset: o,
                },
            ))
        }
        (None, Some(name)) => {
            let hours = name
                .strip_prefix("GMT")
                .filter(|r| !r.is_empty())
                .and_then(|r| r.parse::<i64>().ok())
                .unwrap_or(0);
            Zone {
                name: name.to_string(),
                offset: hours * 3600,
            }
        }
    };
    Ok((Time { secs, nanos }, zone))
}

/// The length of a zone abbreviation at the start of `v`, as Go's `parseTimeZone` accepts it:
/// three upper-case letters, four or five ending in `T`, `ChST`, `MeST`, `WITA`, `GMT` with an
/// optional signed hour, or a signed hour offset such as `-03`.
fn zone_name_len(v: &str) -> Option<usize> {
    let b = v.as_bytes();
    if b.len() < 3 {
        return None;
    }
    if v.starts_with("ChST") || v.starts_with("MeST") {
        return Some(4);
    }
    if let Some(rest) = v.strip_prefix("GMT") {
        return Some(3 + signed_offset_len(rest));
    }
    if matches!(b[0], b'+' | b'-') {
        return Some(signed_offset_len(v)).filter(|&n| n > 0);
    }
    let upper = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    match upper {
        3 => Some(3),
        4 if b[3] == b'T' || v.starts_with("WITA") => Some(4),
        5 if b[4] == b'T' => Some(5),
        _ => None,
    }
}

/// Go's `parseSignedOffset`: a sign and an hour number up to 23, or 0 when there is none.
fn signed_offset_len(v: &str) -> usize {
    let b = v.as_bytes();
    if !matches!(b.first(), Some(b'+' | b'-')) {
        return 0;
    }
    let digits = b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return 0;
    }
    match v[1..1 + digits].parse::<u64>() {
        Ok(h) if h <= 23 => 1 + digits,
        _ => 0,
    }
}

/// Nanoseconds of a fraction's digits (beyond nine digits truncated).
fn frac_nanos(digits: &str) -> u32 {
    let mut n = 0u32;
    for i in 0..9 {
        n = n * 10 + digits.as_bytes().get(i).map_or(0, |d| u32::from(d - b'0'));
    }
    n
}

/// Reads `+hh[:mm[:ss]]` / `-hh...` as the layout element asks, giving seconds east of UTC, or
/// which part is out of Go's range (hours up to 24, minutes and seconds up to 60).
fn parse_offset(
    v: &str,
    colons: bool,
    minutes: bool,
    seconds: bool,
) -> Option<(Result<i64, &'static str>, &str)> {
    let sign = match v.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let mut r = &v[1..];
    let mut total = 0i64;
    let mut out_of_range = None;
    let parts = [
        (true, 3600, 24, "time zone offset hour"),
        (minutes, 60, 60, "time zone offset minute"),
        (seconds, 1, 60, "time zone offset second"),
    ];
    for (k, &(present, unit, max, what)) in parts.iter().enumerate() {
        if !present {
            continue;
        }
        if k > 0 && colons {
            r = r.strip_prefix(':')?;
        }
        let (n, rest) = get_num(r, true)?;
        if n > max && out_of_range.is_none() {
            out_of_range = Some(what);
        }
        total += i64::from(n) * unit;
        r = rest;
    }
    Some((out_of_range.map_or(Ok(sign * total), Err), r))
}

/// Matches a literal layout prefix against the value; a space in the layout matches one or more
/// spaces, as Go's `skip` does.
fn skip_literal<'a>(mut v: &'a str, mut prefix: &str) -> Option<&'a str> {
    while let Some(c) = prefix.chars().next() {
        if c == ' ' {
            if !v.is_empty() && !v.starts_with(' ') {
                return None;
            }
            prefix = prefix.trim_start_matches(' ');
            v = v.trim_start_matches(' ');
            continue;
        }
        v = v.strip_prefix(c)?;
        prefix = &prefix[c.len_utf8()..];
    }
    Some(v)
}

/// Go's `time.Duration.String`: `1h2m3.5s`, `1.5µs`, `0s`.
pub(crate) fn duration_string(d: i64) -> String {
    if d == 0 {
        return "0s".into();
    }
    let mut u = d.unsigned_abs();
    let mut out = String::new();
    if u < 1_000_000_000 {
        let (unit, prec) = match u {
            0..1000 => ("ns", 0),
            1000..1_000_000 => ("µs", 3),
            _ => ("ms", 6),
        };
        out.push_str(&fraction(u, prec));
        out.push_str(unit);
    } else {
        let secs_frac = fraction(u % 60_000_000_000, 9);
        u /= 60_000_000_000;
        let mut s = secs_frac + "s";
        if u > 0 {
            s = format!("{}m{s}", u % 60);
            u /= 60;
            if u > 0 {
                s = format!("{u}h{s}");
            }
        }
        out = s;
    }
    if d < 0 {
        out.insert(0, '-');
    }
    out
}

/// `v` divided by 10^prec, printed with trailing fractional zeros (and a bare point) removed.
fn fraction(v: u64, prec: u32) -> String {
    let p = 10u64.pow(prec);
    let (whole, frac) = (v / p, v % p);
    if frac == 0 {
        return whole.to_string();
    }
    let digits = format!("{frac:0width$}", width = prec as usize);
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// Go's `time.ParseDuration`, with its error texts.
pub(crate) fn parse_duration(text: &str) -> Result<i64, FuncError> {
    helmet_value::duration::parse_duration(text).map_err(FuncError::new)
}

/// `time.Time` for templates: an instant, the zone it is shown in, and for `now` the monotonic
/// clock reading Go keeps beside the wall clock (nanoseconds since the process began), which
/// `String` shows as `m=+0.000123456`. `Add` and `dateModify` move it along; other derived
/// times drop it, as Go's do.
#[derive(Debug)]
struct TimeObject(Time, Zone, Option<i64>);

/// `now` with Go's monotonic reading, measured from the first call in this process.
fn now_value() -> Value {
    static START: OnceLock<std::time::Instant> = OnceLock::new();
    let start = *START.get_or_init(std::time::Instant::now);
    let t = Time::now();
    let mono = i64::try_from(start.elapsed().as_nanos()).unwrap_or(i64::MAX);
    Value::Object(Arc::new(TimeObject(t, Zone::utc(), Some(mono))))
}

/// A time moved by `d` nanoseconds from `from`, keeping `from`'s monotonic reading (moved too).
fn moved_value(from: &Value, t: Time, zone: Zone, d: i64) -> Value {
    let mono = match from {
        Value::Object(o) => match o.field(MONO_FIELD) {
            Some(Value::Int64(m)) => m.checked_add(d),
            _ => None,
        },
        _ => None,
    };
    Value::Object(Arc::new(TimeObject(t, zone, mono)))
}

fn time_value(t: Time) -> Value {
    zoned_value(t, Zone::utc())
}

/// A TOML date-time as BurntSushi/toml decodes it: `Z` in UTC, an offset in a fixed zone named
/// by its offset (`-0700`), the local kinds at offset zero in a zone named after their kind.
pub(crate) fn toml_time(dt: &helmet_yaml::toml_read::TomlDatetime) -> Value {
    use helmet_yaml::toml_read::DatetimeKind;
    let name = match dt.kind {
        DatetimeKind::Offset if dt.zulu || dt.offset == 0 => "UTC".to_string(),
        DatetimeKind::Offset => {
            let sign = if dt.offset < 0 { '-' } else { '+' };
            let abs = dt.offset.abs();
            format!("{sign}{:02}{:02}", abs / 3600, abs % 3600 / 60)
        }
        DatetimeKind::Local => "datetime-local".into(),
        DatetimeKind::LocalDate => "date-local".into(),
        DatetimeKind::LocalTime => "time-local".into(),
    };
    let t = Time {
        secs: dt.secs,
        nanos: dt.nanos,
    };
    zoned_value(
        t,
        Zone {
            name,
            offset: dt.offset,
        },
    )
}

fn zoned_value(t: Time, zone: Zone) -> Value {
    Value::Object(Arc::new(TimeObject(t, zone, None)))
}

/// Field names no template can spell (they start with a space), through which functions read a
/// `time.Time` back from a value.
const SECS_FIELD: &str = " secs";
const NANOS_FIELD: &str = " nanos";
const MONO_FIELD: &str = " mono";
const ZONE_NAME_FIELD: &str = " zone name";
const ZONE_OFFSET_FIELD: &str = " zone offset";

/// The instant and zone inside a `time.Time` value, if it is one.
fn as_zoned(v: &Value) -> Option<(Time, Zone)> {
    let Value::Object(o) = v else { return None };
    if o.type_name() != "time.Time" {
        return None;
    }
    let int = |name: &str| match o.field(name) {
        Some(Value::Int64(n)) => Some(n),
        _ => None,
    };
    let time = Time {
        secs: int(SECS_FIELD)?,
        nanos: u32::try_from(int(NANOS_FIELD)?).ok()?,
    };
    let zone = Zone {
        name: o.field(ZONE_NAME_FIELD)?.as_str()?.to_string(),
        offset: int(ZONE_OFFSET_FIELD)?,
    };
    Some((time, zone))
}

/// The instant inside a `time.Time` value, if it is one.
fn as_time(v: &Value) -> Option<Time> {
    as_zoned(v).map(|(t, _)| t)
}

impl Object for TimeObject {
    fn type_name(&self) -> &str {
        "time.Time"
    }

    // time.Time's String has a value receiver: fmt uses it for %v, %s, %q, %x and %X.
    fn stringer(&self) -> Option<String> {
        Some(self.go_format())
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            SECS_FIELD => Some(Value::Int64(self.0.secs)),
            NANOS_FIELD => Some(Value::Int64(i64::from(self.0.nanos))),
            MONO_FIELD => self.2.map(Value::Int64),
            ZONE_NAME_FIELD => Some(Value::from(self.1.name.as_str())),
            ZONE_OFFSET_FIELD => Some(Value::Int64(self.1.offset)),
            // time.Time has no exported fields.
            _ => None,
        }
    }

    fn method(&self, name: &str) -> Option<Func> {
        let t = self.0;
        let zone = self.1.clone();
        let c = Time {
            secs: t.secs.saturating_add(zone.offset),
            nanos: t.nanos,
        }
        .civil();
        let constant = |v: Value| Some(Func::new(&[], move |_, _| Ok(v.clone())));
        match name {
            "Year" => constant(Value::Int(c.year)),
            // Go's Month and Weekday print their names.
            "Month" => constant(named_int(
                "time.Month",
                i64::from(c.month),
                MONTHS[c.month as usize - 1],
            )),
            "Day" => constant(Value::Int(i64::from(c.day))),
            "Hour" => constant(Value::Int(i64::from(c.hour))),
            "Minute" => constant(Value::Int(i64::from(c.minute))),
            "Second" => constant(Value::Int(i64::from(c.second))),
            "Nanosecond" => constant(Value::Int(i64::from(t.nanos))),
            "YearDay" => constant(Value::Int(i64::from(c.yday))),
            "Weekday" => constant(named_int(
                "time.Weekday",
                i64::from(c.weekday),
                WEEKDAYS[c.weekday as usize],
            )),
            "Unix" => constant(Value::Int64(t.secs)),
            "UnixMilli" => constant(Value::Int64(
                t.secs
                    .wrapping_mul(1000)
                    .wrapping_add(i64::from(t.nanos / 1_000_000)),
            )),
            "UnixMicro" => constant(Value::Int64(
                t.secs
                    .wrapping_mul(1_000_000)
                    .wrapping_add(i64::from(t.nanos / 1000)),
            )),
            "UnixNano" => constant(Value::Int64(
                t.secs
                    .wrapping_mul(NANOS_PER_SEC)
                    .wrapping_add(i64::from(t.nanos)),
            )),
            "IsZero" => constant(Value::Bool(t == Time::zero())),
            "String" => constant(Value::from(t.format_in(GO_STRING_LAYOUT, &zone))),
            // helmet's local zone is UTC.
            "UTC" | "Local" => constant(time_value(t)),
            "Format" => Some(Func::new(&[ArgType::String], move |_, a| {
                Ok(Value::from(t.format_in(arg_str(a, 0), &zone)))
            })),
            "Add" => {
                let mono = self.2;
                Some(Func::new(&[ArgType::Int64], move |_, a| {
                    let d = crate::arg_int(a, 0);
                    let moved = mono.and_then(|m| m.checked_add(d));
                    Ok(Value::Object(Arc::new(TimeObject(
                        t.add(d),
                        zone.clone(),
                        moved,
                    ))))
                }))
            }
            _ => None,
        }
    }

    fn go_format(&self) -> String {
        let text = self.0.format_in(GO_STRING_LAYOUT, &self.1);
        match self.2 {
            Some(mono) => format!(
                "{text} m={}{}.{:09}",
                if mono < 0 { '-' } else { '+' },
                mono.unsigned_abs() / 1_000_000_000,
                mono.unsigned_abs() % 1_000_000_000
            ),
            None => text,
        }
    }

    fn to_data(&self) -> Value {
        Value::from(
            self.0
                .format_in("2006-01-02T15:04:05.999999999Z07:00", &self.1),
        )
    }
}

/// A Go named integer type with a `String` method (`time.Month`, `time.Weekday`): prints its
/// name for `%v`/`%s`, its number for `%d` and in JSON, and is an `int` to reflection.
#[derive(Debug)]
struct NamedInt {
    type_name: &'static str,
    value: i64,
    name: &'static str,
}

fn named_int(type_name: &'static str, value: i64, name: &'static str) -> Value {
    Value::Object(Arc::new(NamedInt {
        type_name,
        value,
        name,
    }))
}

impl Object for NamedInt {
    fn type_name(&self) -> &str {
        self.type_name
    }

    fn kind_name(&self) -> &'static str {
        "int"
    }

    fn field(&self, _name: &str) -> Option<Value> {
        None
    }

    fn stringer(&self) -> Option<String> {
        Some(self.name.to_string())
    }

    fn go_format(&self) -> String {
        self.name.to_string()
    }

    fn go_shape(&self) -> Option<helmet_value::GoShape> {
        Some(helmet_value::GoShape::Underlying(Value::Int(self.value)))
    }

    fn is_true(&self) -> bool {
        self.value != 0
    }

    fn to_data(&self) -> Value {
        Value::Int(self.value)
    }
}

/// The layout of Go's `Time.String`.
const GO_STRING_LAYOUT: &str = "2006-01-02 15:04:05.999999999 -0700 MST";

/// Sprig's date argument: a `time.Time`, or Unix seconds as `int`/`int64`; anything else is now.
fn date_arg(v: &Value) -> Time {
    match v {
        Value::Int(n) | Value::Int64(n) => Time::unix(*n),
        other => as_time(other).unwrap_or_else(Time::now),
    }
}

/// A zone as one instant sees it: its abbreviation and offset east of UTC in seconds.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Zone {
    name: String,
    offset: i64,
}

impl Zone {
    fn utc() -> Zone {
        Zone {
            name: "UTC".into(),
            offset: 0,
        }
    }
}

/// Where the IANA time zone database lives on Unix systems, as Go looks for it.
const ZONEINFO: &str = "/usr/share/zoneinfo";

/// The zone `name` shows at instant `t`, as Go's `time.LoadLocation(name)` then `t.In(loc)`
/// would: `UTC`, `Local` (UTC for helmet) and the empty name are UTC; IANA names are read from
/// the system's zoneinfo files; names Go cannot load fall back to UTC, as Sprig does.
fn zone_at(name: &str, t: &Time) -> Result<Zone, FuncError> {
    if matches!(name, "" | "UTC" | "Local") {
        return Ok(Zone::utc());
    }
    // Go refuses names that could leave the zoneinfo directory.
    if name.contains("..") || name.starts_with('/') || name.contains('\\') {
        return Ok(Zone::utc());
    }
    let Ok(data) = std::fs::read(std::path::Path::new(ZONEINFO).join(name)) else {
        return Ok(Zone::utc());
    };
    let Some(tz) = TzFile::parse(&data) else {
        return Ok(Zone::utc());
    };
    Ok(tz.zone_at(t.secs))
}

/// The parts of a TZif file (RFC 8536) helmet uses: transitions and local time types.
struct TzFile {
    /// Transition instants (Unix seconds), ascending, with the type index each starts.
    transitions: Vec<(i64, usize)>,
    /// Local time types: offset, is DST, abbreviation.
    types: Vec<(i64, bool, String)>,
    /// The footer's POSIX TZ rule, for instants after the last transition.
    footer: String,
}

impl TzFile {
    fn parse(data: &[u8]) -> Option<TzFile> {
        let header = |d: &[u8]| -> Option<[usize; 6]> {
            if d.get(..4)? != b"TZif" {
                return None;
            }
            let mut counts = [0usize; 6];
            for (k, c) in counts.iter_mut().enumerate() {
                let at = 20 + 4 * k;
                *c = u32::from_be_bytes(d.get(at..at + 4)?.try_into().ok()?) as usize;
            }
            Some(counts)
        };
        let [isut, isstd, leap, timecnt, typecnt, charcnt] = header(data)?;
        let version = *data.get(4)?;
        let (block, time_size) = if version >= b'2' {
            // Skip the 32-bit block and read the 64-bit one that follows.
            let v1 = 44 + timecnt * 5 + typecnt * 6 + charcnt + leap * 8 + isstd + isut;
            (data.get(v1..)?, 8)
        } else {
            (data, 4)
        };
        let [isut, isstd, leap, timecnt, typecnt, charcnt] = header(block)?;
        let mut at = 44;
        let mut take = |n: usize| -> Option<&[u8]> {
            let s = block.get(at..at + n)?;
            at += n;
            Some(s)
        };
        let times = take(timecnt * time_size)?;
        let indices = take(timecnt)?;
        let type_bytes = take(typecnt * 6)?;
        let chars = take(charcnt)?;
        take(leap * (time_size + 4))?;
        take(isstd + isut)?;
        let rest = &block[at..];
        let mut transitions = Vec::with_capacity(timecnt);
        for k in 0..timecnt {
            let raw = &times[k * time_size..(k + 1) * time_size];
            let when = if time_size == 8 {
                i64::from_be_bytes(raw.try_into().ok()?)
            } else {
                i64::from(i32::from_be_bytes(raw.try_into().ok()?))
            };
            let idx = usize::from(indices[k]);
            if idx >= typecnt {
                return None;
            }
            transitions.push((when, idx));
        }
        let mut types = Vec::with_capacity(typecnt);
        for k in 0..typecnt {
            let t = &type_bytes[k * 6..k * 6 + 6];
            let offset = i64::from(i32::from_be_bytes(t[..4].try_into().ok()?));
            let start = usize::from(t[5]);
            let abbr = chars.get(start..)?;
            let end = abbr.iter().position(|&b| b == 0).unwrap_or(abbr.len());
            types.push((
                offset,
                t[4] != 0,
                String::from_utf8_lossy(&abbr[..end]).into_owned(),
            ));
        }
        let footer = String::from_utf8_lossy(rest).trim_matches('\n').to_string();
        if types.is_empty() {
            return None;
        }
        Some(TzFile {
            transitions,
            types,
            footer,
        })
    }

    /// The zone at `secs`: the type of the last transition at or before it, the footer's rule
    /// from the last transition on (Go's `Location.lookup`).
    fn zone_at(&self, secs: i64) -> Zone {
        let zone = |i: usize| {
            let (offset, _, ref name) = self.types[i];
            Zone {
                name: name.clone(),
                offset,
            }
        };
        let n = self.transitions.partition_point(|&(when, _)| when <= secs);
        if n == 0 {
            // Before the first transition: the first standard-time type, as Go picks it.
            let first = self.types.iter().position(|t| !t.1).unwrap_or(0);
            return zone(first);
        }
        if n == self.transitions.len() && !self.footer.is_empty() {
            // A rule that does not parse leaves the last transition's zone, as in Go.
            if let Some(z) = crate::posix_tz::zone_at(&self.footer, secs) {
                return Zone {
                    name: z.name,
                    offset: z.offset,
                };
            }
        }
        zone(self.transitions[n - 1].1)
    }
}

fn date_in_zone(layout: &str, date: &Value, zone: &str) -> Result<Value, FuncError> {
    let t = date_arg(date);
    let z = zone_at(zone, &t)?;
    Ok(Value::from(t.format_in(layout, &z)))
}

/// Sprig's `durationRound`: the largest whole unit (`y`, `mo`, `d`, `h`, `m`, `s`).
fn duration_round(d: i64) -> String {
    let u = d.unsigned_abs();
    let second = 1_000_000_000u64;
    let units = [
        (second * 3600 * 24 * 365, "y"),
        (second * 3600 * 24 * 30, "mo"),
        (second * 3600 * 24, "d"),
        (second * 3600, "h"),
        (second * 60, "m"),
        (second, "s"),
    ];
    for (size, name) in units {
        if u > size {
            return format!("{}{name}", u / size);
        }
    }
    "0s".into()
}

pub(crate) fn register(map: &mut FuncMap) {
    use ArgType::{Any, String as S};
    def(map, "now", &[], |_, _| Ok(now_value()));
    def(map, "date", &[S, Any], |_, a| {
        date_in_zone(arg_str(a, 0), &a[1], "Local")
    });
    def(map, "dateInZone", &[S, Any, S], |_, a| {
        date_in_zone(arg_str(a, 0), &a[1], arg_str(a, 2))
    });
    def(map, "htmlDate", &[Any], |_, a| {
        date_in_zone("2006-01-02", &a[0], "Local")
    });
    def(map, "htmlDateInZone", &[Any, S], |_, a| {
        date_in_zone("2006-01-02", &a[0], arg_str(a, 1))
    });
    def(map, "toDate", &[S, S], |_, a| {
        Ok(match parse_time(arg_str(a, 0), arg_str(a, 1)) {
            Ok((t, zone)) => zoned_value(t, zone),
            Err(_) => time_value(Time::zero()),
        })
    });
    def(map, "mustToDate", &[S, S], |_, a| {
        parse_time(arg_str(a, 0), arg_str(a, 1)).map(|(t, zone)| zoned_value(t, zone))
    });
    def(map, "unixEpoch", &[Any], |_, a| {
        let t = as_time(&a[0]).ok_or_else(|| time_arg_error(&a[0]))?;
        Ok(Value::from(t.secs.to_string()))
    });
    def(map, "dateModify", &[S, Any], |_, a| {
        let (t, zone) = as_zoned(&a[1]).ok_or_else(|| time_arg_error(&a[1]))?;
        let d = parse_duration(arg_str(a, 0)).unwrap_or(0);
        Ok(moved_value(&a[1], t.add(d), zone, d))
    });
    def(map, "mustDateModify", &[S, Any], |_, a| {
        let (t, zone) = as_zoned(&a[1]).ok_or_else(|| time_arg_error(&a[1]))?;
        let d = parse_duration(arg_str(a, 0))?;
        Ok(moved_value(&a[1], t.add(d), zone, d))
    });
    // Sprig also names three of them in snake case; they are the same functions.
    for (alias, name) in [
        ("date_in_zone", "dateInZone"),
        ("date_modify", "dateModify"),
        ("must_date_modify", "mustDateModify"),
    ] {
        if let Some(f) = map.get(name).cloned() {
            map.insert(alias.to_string(), f);
        }
    }
    def(map, "ago", &[Any], |_, a| {
        let d = Time::now().sub(&date_arg(&a[0]));
        // Rounded to the second, halves away from zero, as Go's Duration.Round.
        let s = NANOS_PER_SEC;
        let r = d.rem_euclid(s);
        let rounded = if r * 2 >= s { d - r + s } else { d - r };
        Ok(Value::from(duration_string(rounded)))
    });
    def(map, "duration", &[Any], |_, a| {
        let secs = match &a[0] {
            Value::String(s) => s.parse::<i64>().unwrap_or(0),
            Value::Int64(n) => *n,
            _ => 0,
        };
        Ok(Value::from(duration_string(
            secs.wrapping_mul(NANOS_PER_SEC),
        )))
    });
    def(map, "durationRound", &[Any], |_, a| {
        let d = match &a[0] {
            Value::String(s) => parse_duration(s).unwrap_or(0),
            Value::Int64(n) => *n,
            other => as_time(other).map_or(0, |t| Time::now().sub(&t)),
        };
        Ok(Value::from(duration_round(d)))
    });
}

/// The engine's error for a non-`time.Time` argument where Go declares `time.Time`.
fn time_arg_error(v: &Value) -> FuncError {
    let got = if v.is_nil() {
        "<nil>".to_string()
    } else {
        v.type_name()
    };
    FuncError::new(format!(
        "wrong type for value; expected time.Time; got {got}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_as_go() {
        assert_eq!(duration_string(3_723_500_000_000), "1h2m3.5s");
        assert_eq!(duration_string(1500), "1.5µs");
        assert_eq!(duration_string(-2_000_000), "-2ms");
        assert_eq!(duration_string(60_000_000_000), "1m0s");
        assert_eq!(parse_duration("1h30m").unwrap(), 5_400_000_000_000);
        assert_eq!(parse_duration("-1.5h").unwrap(), -5_400_000_000_000);
        assert!(parse_duration("1").is_err());
        assert!(parse_duration("x").is_err());
    }

    #[test]
    fn civil_round_trip() {
        for days in [-719_162, -1, 0, 59, 18_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        let (t, _) = parse_time("2006-01-02 15:04:05", "2020-05-06 07:08:09").unwrap();
        assert_eq!(t.secs, 1_588_748_889);
        assert_eq!(
            t.format_in("Mon Jan _2 3:04PM .000", &Zone::utc()),
            "Wed May  6 7:08AM .000"
        );
        assert_eq!(
            Time::zero().format_in(GO_STRING_LAYOUT, &Zone::utc()),
            "0001-01-01 00:00:00 +0000 UTC"
        );
    }
}
