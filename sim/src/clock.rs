//! `DGTimeStamp` and its time text, computed from `SystemTime` without a
//! date crate: local time from the C library on Unix, UTC elsewhere.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::config::TimestampFields;
use crate::protocol::{EventBuilder, EventKind};
use crate::wire::Packet;

/// Now, since the Unix epoch. A clock set before 1970 is not worth an error
/// in a simulator.
fn since_epoch() -> Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default()
}

/// A `DGTimeStamp` for now, with the fields asked for.
pub(crate) fn stamp(fields: TimestampFields) -> Packet {
    let now = since_epoch();
    let mut stamp = EventBuilder::new(EventKind::TimeStamp);
    if fields != TimestampFields::Timestamp {
        stamp = stamp.time(&format_local(now));
    }
    if fields != TimestampFields::Time {
        stamp = stamp.timestamp(&now.as_secs().to_string());
    }
    stamp.build()
}

/// `since_epoch` in local time as `YYYY-MM-DD HH:MM:SS`, as DGPhone's
/// documents say `Time` is. The zone is the C library's (`TZ`,
/// `/etc/localtime`); where that is not at hand, UTC.
pub(crate) fn format_local(since_epoch: Duration) -> String {
    local(since_epoch.as_secs()).unwrap_or_else(|| format_utc(since_epoch))
}

#[cfg(unix)]
fn local(secs: u64) -> Option<String> {
    let time = libc::time_t::try_from(secs).ok()?;
    // SAFETY: `tm` is plain data, valid zeroed; localtime_r is the
    // reentrant form, writing only to `tm`, and both pointers live across
    // the call.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    if unsafe { libc::localtime_r(&time, &mut tm) }.is_null() {
        return None;
    }
    Some(format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        i64::from(tm.tm_year) + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    ))
}

#[cfg(not(unix))]
fn local(_secs: u64) -> Option<String> {
    None
}

/// `since_epoch` after 1970-01-01 00:00:00 UTC, as `YYYY-MM-DD HH:MM:SS`.
pub(crate) fn format_utc(since_epoch: Duration) -> String {
    let secs = since_epoch.as_secs();
    let (year, month, day) = civil_from_days(secs / 86_400);
    let of_day = secs % 86_400;
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}", of_day / 3600, of_day % 3600 / 60, of_day % 60)
}

/// The proleptic Gregorian date of a day count since 1970-01-01, by
/// Howard Hinnant's `civil_from_days` (shifted so years start in March,
/// which puts the leap day last).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ParsedTime;

    fn at(secs: u64) -> String {
        format_utc(Duration::from_secs(secs))
    }

    #[test]
    fn known_instants() {
        assert_eq!(at(0), "1970-01-01 00:00:00");
        assert_eq!(at(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(at(1_700_000_000), "2023-11-14 22:13:20");
        assert_eq!(at(1_709_251_199), "2024-02-29 23:59:59");
        assert_eq!(at(4_102_444_799), "2099-12-31 23:59:59");
    }

    #[test]
    fn every_day_follows_the_previous_one() {
        let mut previous = civil_from_days(0);
        for days in 1..200_000 {
            let (y, m, d) = civil_from_days(days);
            let next_day = (previous.0, previous.1, previous.2 + 1);
            let next_month = (previous.0, previous.1 + 1, 1);
            let next_year = (previous.0 + 1, 1, 1);
            assert!([next_day, next_month, next_year].contains(&(y, m, d)), "{previous:?} then {:?}", (y, m, d));
            assert!((1..=12).contains(&m) && (1..=31).contains(&d));
            previous = (y, m, d);
        }
    }

    #[test]
    fn the_protocol_layer_reads_it_back() {
        let parsed = ParsedTime::parse(&format_local(since_epoch()));
        assert!(matches!(parsed, Some(ParsedTime::Clock { date: Some(_), .. })), "{parsed:?}");
    }

    #[test]
    fn local_time_is_utc_shifted_by_whole_minutes() {
        // Every zone's offset is whole minutes, so the seconds agree.
        let secs = 1_700_000_000;
        let local = format_local(Duration::from_secs(secs));
        assert_eq!(local.len(), "2023-11-14 22:13:20".len(), "{local}");
        assert_eq!(&local[17..], "20", "{local}");
    }

    #[test]
    fn stamps_carry_the_fields_asked_for() {
        let keys = |fields| {
            let packet = stamp(fields);
            packet.iter().map(|(key, _)| key.to_string()).collect::<Vec<_>>()
        };
        assert_eq!(keys(TimestampFields::Time), ["Event", "Time"]);
        assert_eq!(keys(TimestampFields::Timestamp), ["Event", "Timestamp"]);
        assert_eq!(keys(TimestampFields::Both), ["Event", "Time", "Timestamp"]);
        let unix: u64 = stamp(TimestampFields::Timestamp).get("Timestamp").unwrap().parse().unwrap();
        assert!(unix.abs_diff(since_epoch().as_secs()) <= 2);
    }
}
