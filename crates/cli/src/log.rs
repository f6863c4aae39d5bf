//! Helm's log lines on standard error, as Go's standard logger writes them:
//! `2006/01/02 15:04:05 message`, in UTC (helmet reads no time zone database; Helm uses the
//! local zone).

use std::io::Write;

use helmet_value::calendar::civil_from_days;

/// Writes `lines` to standard error, each behind the current time.
pub fn print<'a>(lines: impl IntoIterator<Item = &'a String>) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let stamp = stamp(secs);
    let mut err = std::io::stderr().lock();
    for line in lines {
        let _ = writeln!(err, "{stamp} {line}");
    }
}

/// `YYYY/MM/DD HH:MM:SS` of a Unix time in UTC.
fn stamp(secs: u64) -> String {
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{year:04}/{month:02}/{day:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn stamps_are_go_log_format() {
        assert_eq!(super::stamp(0), "1970/01/01 00:00:00");
        assert_eq!(super::stamp(951_782_400 + 3_723), "2000/02/29 01:02:03");
        assert_eq!(super::stamp(1_795_000_000), "2026/11/18 11:06:40");
    }
}
