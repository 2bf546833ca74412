//! The time text of `DGTimeStamp`, computed from `SystemTime` without a
//! date crate.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Now, in UTC, as `YYYY-MM-DD HH:MM:SS`.
pub(crate) fn now_utc() -> String {
    // A clock set before 1970 is not worth an error in a simulator.
    format_utc(SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default())
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
        let parsed = ParsedTime::parse(&now_utc());
        assert!(matches!(parsed, Some(ParsedTime::Clock { date: Some(_), .. })), "{parsed:?}");
    }
}
