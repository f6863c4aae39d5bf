//! POSIX TZ rules (`CET-1CEST,M3.5.0,M10.5.0/3`), the footer of a TZif file that says which
//! zone applies after the file's last transition. Evaluated as Go's `time` package does for
//! `time.LoadLocation` zones: a rule that does not parse leaves the last transition's zone in
//! force.

use helmet_value::calendar::{civil_from_days, days_from_civil, days_in_month, is_leap};

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// The zone a rule gives at an instant: abbreviation and offset east of UTC in seconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RuleZone {
    pub name: String,
    pub offset: i64,
}

/// When in the year daylight saving time starts or ends.
#[derive(Clone, Copy, Debug)]
enum Day {
    /// `Jn`: day 1 to 365, February 29 never counted.
    Julian(i64),
    /// `n`: day 0 to 365, February 29 counted.
    OfYear(i64),
    /// `Mm.w.d`: weekday `d` (0 is Sunday) of week `w` (5 is the last) of month `m`.
    WeekdayOfMonth { month: u32, week: i64, weekday: i64 },
}

#[derive(Clone, Copy, Debug)]
struct Rule {
    day: Day,
    /// Local time of the change, in seconds (2:00 when not given; may be negative or past 24h).
    time: i64,
}

/// The zone `rule` gives at `secs` (Unix seconds), or `None` when the rule does not parse.
pub(crate) fn zone_at(rule: &str, secs: i64) -> Option<RuleZone> {
    let (std_name, s) = name(rule)?;
    let (std_offset, s) = offset(s)?;
    let std_offset = -std_offset;
    if s.is_empty() || s.starts_with(',') {
        return Some(RuleZone {
            name: std_name.to_string(),
            offset: std_offset,
        });
    }
    let (dst_name, s) = name(s)?;
    let (dst_offset, s) = if s.is_empty() || s.starts_with(',') {
        (std_offset + HOUR, s)
    } else {
        let (o, rest) = offset(s)?;
        (-o, rest)
    };
    // No rules: the United States' rules, as POSIX leaves it to the implementation.
    let s = if s.is_empty() { ",M3.2.0,M11.1.0" } else { s };
    let s = s.strip_prefix(',').or_else(|| s.strip_prefix(';'))?;
    let (start, s) = parse_rule(s)?;
    let s = s.strip_prefix(',')?;
    let (end, s) = parse_rule(s)?;
    if !s.is_empty() {
        return None;
    }

    // The year of the instant in UTC, and the seconds since that year began.
    let days = secs.div_euclid(DAY);
    let (year, _, _) = civil_from_days(days);
    let year_start = days_from_civil(year, 1, 1) * DAY;
    let in_year = secs - year_start;

    let mut start_at = rule_time(year, start, std_offset);
    let mut end_at = rule_time(year, end, dst_offset);
    let (mut std, mut dst) = ((std_name, std_offset), (dst_name, dst_offset));
    if end_at < start_at {
        // Southern hemisphere: daylight time spans the turn of the year.
        std::mem::swap(&mut start_at, &mut end_at);
        std::mem::swap(&mut std, &mut dst);
    }
    let (name, offset) = if in_year < start_at || in_year >= end_at {
        std
    } else {
        dst
    };
    Some(RuleZone {
        name: name.to_string(),
        offset,
    })
}

/// A zone abbreviation: three or more characters up to a digit, sign or comma, or anything
/// between `<` and `>`.
fn name(s: &str) -> Option<(&str, &str)> {
    if let Some(quoted) = s.strip_prefix('<') {
        let end = quoted.find('>')?;
        return Some((&quoted[..end], &quoted[end + 1..]));
    }
    match s.find(|c: char| c.is_ascii_digit() || matches!(c, ',' | '-' | '+')) {
        Some(i) if i < 3 => None,
        Some(i) => Some((&s[..i], &s[i..])),
        None if s.len() < 3 => None,
        None => Some((s, "")),
    }
}

/// `[+-]hh[:mm[:ss]]` in seconds, as written (POSIX offsets count west of UTC).
fn offset(s: &str) -> Option<(i64, &str)> {
    let (negative, s) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let (hours, mut s) = number(s, 0, 24 * 7)?;
    let mut total = hours * HOUR;
    for unit in [60, 1] {
        let Some(rest) = s.strip_prefix(':') else {
            break;
        };
        let (n, rest) = number(rest, 0, 59)?;
        total += n * unit;
        s = rest;
    }
    Some((if negative { -total } else { total }, s))
}

/// Leading decimal digits as a number within `min..=max`.
fn number(s: &str, min: i64, max: i64) -> Option<(i64, &str)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let mut n: i64 = 0;
    for b in s[..digits].bytes() {
        n = n * 10 + i64::from(b - b'0');
        if n > max {
            return None;
        }
    }
    (n >= min).then_some((n, &s[digits..]))
}

fn parse_rule(s: &str) -> Option<(Rule, &str)> {
    let (day, s) = if let Some(rest) = s.strip_prefix('J') {
        let (n, rest) = number(rest, 1, 365)?;
        (Day::Julian(n), rest)
    } else if let Some(rest) = s.strip_prefix('M') {
        let (month, rest) = number(rest, 1, 12)?;
        let (week, rest) = number(rest.strip_prefix('.')?, 1, 5)?;
        let (weekday, rest) = number(rest.strip_prefix('.')?, 0, 6)?;
        let day = Day::WeekdayOfMonth {
            month: month as u32,
            week,
            weekday,
        };
        (day, rest)
    } else {
        let (n, rest) = number(s, 0, 365)?;
        (Day::OfYear(n), rest)
    };
    match s.strip_prefix('/') {
        Some(rest) => {
            let (time, rest) = offset(rest)?;
            Some((Rule { day, time }, rest))
        }
        None => Some((
            Rule {
                day,
                time: 2 * HOUR,
            },
            s,
        )),
    }
}

/// Seconds from the start of `year` (UTC) to the change `rule` describes, the local time
/// being `offset` seconds east of UTC.
fn rule_time(year: i64, rule: Rule, offset: i64) -> i64 {
    let day = match rule.day {
        Day::Julian(n) => {
            let leap_day = i64::from(is_leap(year) && n >= 60);
            n - 1 + leap_day
        }
        Day::OfYear(n) => n,
        Day::WeekdayOfMonth {
            month,
            week,
            weekday,
        } => {
            let first = days_from_civil(year, month, 1);
            // 1970-01-01 was a Thursday (weekday 4).
            let first_weekday = (first + 4).rem_euclid(7);
            let mut d = (weekday - first_weekday).rem_euclid(7);
            let month_days = i64::from(days_in_month(year, month));
            for _ in 1..week {
                if d + 7 >= month_days {
                    break;
                }
                d += 7;
            }
            first - days_from_civil(year, 1, 1) + d
        }
    };
    day * DAY + rule.time - offset
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(rule: &str, y: i64, m: u32, d: u32, h: i64) -> (String, i64) {
        let z = zone_at(rule, days_from_civil(y, m, d) * DAY + h * HOUR).unwrap();
        (z.name, z.offset)
    }

    #[test]
    fn european_rules() {
        let r = "CET-1CEST,M3.5.0,M10.5.0/3";
        assert_eq!(at(r, 2046, 1, 1, 0), ("CET".into(), 3600));
        assert_eq!(at(r, 2046, 7, 1, 0), ("CEST".into(), 7200));
        // 2046-03-25 is the last Sunday of March: the change is at 01:00 UTC.
        assert_eq!(at(r, 2046, 3, 25, 0).0, "CET");
        assert_eq!(at(r, 2046, 3, 25, 1).0, "CEST");
        // 2046-10-28 is the last Sunday of October: back at 01:00 UTC.
        assert_eq!(at(r, 2046, 10, 28, 0).0, "CEST");
        assert_eq!(at(r, 2046, 10, 28, 1).0, "CET");
    }

    #[test]
    fn southern_hemisphere_and_quoted_names() {
        let sydney = "AEST-10AEDT,M10.1.0,M4.1.0/3";
        assert_eq!(at(sydney, 2046, 1, 1, 0), ("AEDT".into(), 39600));
        assert_eq!(at(sydney, 2046, 7, 1, 0), ("AEST".into(), 36000));
        let santiago = "<-04>4<-03>,M9.1.6/24,M4.1.6/24";
        assert_eq!(at(santiago, 2046, 1, 1, 12), ("-03".into(), -10800));
        assert_eq!(at(santiago, 2046, 7, 1, 12), ("-04".into(), -14400));
    }

    #[test]
    fn standard_only_and_bad_rules() {
        assert_eq!(at("<+0530>-5:30", 2046, 1, 1, 0), ("+0530".into(), 19800));
        assert_eq!(at("MST7", 2046, 1, 1, 0), ("MST".into(), -25200));
        assert!(zone_at("X1", 0).is_none());
        assert!(zone_at("CET-1CEST,M13.5.0,M10.5.0", 0).is_none());
        assert!(zone_at("CET-1CEST,M3.5.0", 0).is_none());
    }
}
