//! RFC 3339 timestamps as ASL reads them (uppercase `T`, `Z` or a numeric offset), and the
//! millisecond instants the virtual clock counts in.

use chrono::{DateTime, SecondsFormat, Utc};

/// An instant with nanosecond precision, ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Instant {
    /// Seconds since the Unix epoch.
    pub secs: i64,
    /// Nanoseconds within the second.
    pub nanos: u32,
}

impl Instant {
    /// Milliseconds since the epoch (rounded down).
    pub fn millis(self) -> i64 {
        self.secs.saturating_mul(1000).saturating_add(i64::from(self.nanos / 1_000_000))
    }
}

/// Parses an ASL timestamp: RFC 3339 with an uppercase `T` and a `Z` or numeric offset
/// (`2016-03-14T01:59:00Z`, `2016-03-14T01:59:00.123+02:00`). Anything else is `None`.
pub fn parse_timestamp(s: &str) -> Option<Instant> {
    // chrono accepts a space or lowercase 't'/'z' too; ASL does not.
    if s.as_bytes().get(10) != Some(&b'T') || s.ends_with('z') {
        return None;
    }
    let dt = DateTime::parse_from_rfc3339(s).ok()?;
    Some(Instant { secs: dt.timestamp(), nanos: dt.timestamp_subsec_nanos() })
}

/// Parses a timestamp to epoch milliseconds.
pub fn parse_millis(s: &str) -> Option<i64> {
    parse_timestamp(s).map(Instant::millis)
}

/// The first instant an RFC 3339 timestamp can write: `0000-01-01T00:00:00.000Z`.
pub const FIRST_MILLIS: i64 = -62_167_219_200_000;
/// The last instant an RFC 3339 timestamp can write: `9999-12-31T23:59:59.999Z`.
pub const LAST_MILLIS: i64 = 253_402_300_799_999;

/// Formats epoch milliseconds as `2026-01-01T00:00:00.000Z`, as history timestamps and
/// `$$.Execution.StartTime` show them.
pub fn format_millis(ms: i64) -> String {
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(dt) => dt.to_rfc3339_opts(SecondsFormat::Millis, true),
        None => format!("{ms}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asl_timestamps() {
        assert_eq!(parse_millis("2016-03-14T01:59:00Z"), Some(1_457_920_740_000));
        assert_eq!(parse_millis("2016-03-14T03:59:00+02:00"), Some(1_457_920_740_000));
        assert_eq!(parse_millis("2016-03-14T01:59:00.250Z"), Some(1_457_920_740_250));
        assert_eq!(parse_millis("2016-03-14t01:59:00Z"), None);
        assert_eq!(parse_millis("2016-03-14 01:59:00Z"), None);
        assert_eq!(parse_millis("2016-03-14T01:59:00z"), None);
        assert_eq!(parse_millis("2016-03-14"), None);
        assert_eq!(format_millis(1_457_920_740_250), "2016-03-14T01:59:00.250Z");
        assert_eq!(format_millis(FIRST_MILLIS), "0000-01-01T00:00:00.000Z");
        assert_eq!(format_millis(LAST_MILLIS), "9999-12-31T23:59:59.999Z");
    }
}
