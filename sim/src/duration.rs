//! Durations as people write them in scenarios and on the command line:
//! `200ms`, `2s`, `1.5s`, `1m`. A unit is required, so `wait 10` cannot be
//! misread.

use std::time::Duration;

/// Reads `<number>[.<fraction>]<unit>` with unit `ms`, `s` or `m`; `None`
/// for anything else. At most millisecond precision is kept.
pub(crate) fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = text.split_at(split);
    let per_unit_ms: u64 = match unit {
        "ms" => 1,
        "s" => 1000,
        "m" | "min" => 60_000,
        _ => return None,
    };
    let (whole, fraction) = match number.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (number, ""),
    };
    if whole.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u64 = whole.parse().ok()?;
    // The fraction in thousandths of the unit, truncated.
    let thousandths: u64 = format!("{fraction:0<3}")[..3].parse().ok()?;
    let ms = whole.checked_mul(per_unit_ms)?.checked_add(thousandths * per_unit_ms / 1000)?;
    Some(Duration::from_millis(ms))
}

/// The shortest text [`parse_duration`] reads back as the same duration
/// (to the millisecond).
pub(crate) fn format_duration(duration: Duration) -> String {
    let ms = duration.as_millis();
    if ms % 1000 == 0 && ms > 0 {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_units_and_fractions() {
        let ms = Duration::from_millis;
        assert_eq!(parse_duration("200ms"), Some(ms(200)));
        assert_eq!(parse_duration("2s"), Some(ms(2000)));
        assert_eq!(parse_duration(" 1.5s "), Some(ms(1500)));
        assert_eq!(parse_duration("0.0015s"), Some(ms(1)));
        assert_eq!(parse_duration("1m"), Some(ms(60_000)));
        assert_eq!(parse_duration("0ms"), Some(ms(0)));
        for bad in ["10", "s", "1.s.", ".5s", "1h", "-1s", "1 s", "", "99999999999999999999s"] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn formats_what_it_reads() {
        for ms in [0, 1, 999, 1000, 1500, 60_000] {
            let d = Duration::from_millis(ms);
            assert_eq!(parse_duration(&format_duration(d)), Some(d));
        }
        assert_eq!(format_duration(Duration::from_secs(2)), "2s");
    }
}
