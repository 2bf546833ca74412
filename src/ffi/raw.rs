//! What PROTOCOL.md promises beyond the UTF-8 text accessors: a header's
//! bytes exactly as received (for a value re-encoded from Windows-1252 or
//! with a NUL replaced) and a DGTimeStamp's parsed time. Apart from
//! event.rs, which owns the event's layout, so the two change apart.

use dgphone_abi::{attempt_reporting_to_thread, handle, null};

use super::event::dgp_event;
use super::result::*;
use crate::protocol::{Event, ParsedTime};

fn phone<'a>(event: &'a dgp_event, what: &str) -> Result<&'a Event, Failure> {
    event
        .client_event()
        .phone()
        .ok_or_else(|| Failure::new(DGP_ERR_INVALID_ARGUMENT, format!("a lifecycle event has no {what}")))
}

/// Stores in `*bytes` and `*len` the value of raw header `index` exactly as
/// DGPhone sent it: the bytes `dgp_event_header_value` decoded (from
/// Windows-1252 when they were not UTF-8) or had a NUL replaced in. Not
/// NUL-terminated; valid as long as the event. Errors:
/// DGP_ERR_INVALID_ARGUMENT past the last header or on a lifecycle event,
/// DGP_ERR_NULL_POINTER.
///
/// # Safety
/// `event` NULL or a valid event; `bytes` and `len` writable.
#[no_mangle]
pub unsafe extern "C" fn dgp_event_header_raw(
    event: *const dgp_event,
    index: u32,
    bytes: *mut *const u8,
    len: *mut u32,
) -> dgp_result {
    attempt_reporting_to_thread(|| {
        let event = handle("event", event)?;
        let bytes = bytes.as_mut().ok_or_else(|| null("bytes"))?;
        let len = len.as_mut().ok_or_else(|| null("len"))?;
        let raw = phone(event, "headers")?
            .packet()
            .raw_value(index as usize)
            .ok_or_else(|| Failure::new(DGP_ERR_INVALID_ARGUMENT, format!("the event has no header {index}")))?;
        *bytes = raw.as_ptr();
        // A value is at most max_packet bytes (uint32_t).
        *len = u32::try_from(raw.len()).unwrap_or(u32::MAX);
        Ok(())
    })
}

/// A DGTimeStamp's time as Unix seconds, when DGPhone sent it so (a
/// colon-free `Timestamp`, or a `Time` of digits only). Errors:
/// DGP_ERR_INVALID_ARGUMENT when the event has no such time (a wall-clock
/// time, see `dgp_event_time_clock`; no time; another event),
/// DGP_ERR_NULL_POINTER.
///
/// # Safety
/// `event` NULL or a valid event; `seconds` writable.
#[no_mangle]
pub unsafe extern "C" fn dgp_event_time_unix(event: *const dgp_event, seconds: *mut u64) -> dgp_result {
    attempt_reporting_to_thread(|| {
        let event = handle("event", event)?;
        let seconds = seconds.as_mut().ok_or_else(|| null("seconds"))?;
        match phone(event, "time")?.parsed_time() {
            Some(ParsedTime::Epoch(s)) => {
                *seconds = s;
                Ok(())
            }
            _ => Err(Failure::new(DGP_ERR_INVALID_ARGUMENT, "the event has no time in Unix seconds")),
        }
    })
}

/// A DGTimeStamp's wall-clock time (DGPhone's local time, zone unknown):
/// `*seconds_of_day` is hour * 3600 + minute * 60 + second, `*date` is
/// year * 10000 + month * 100 + day, or 0 when only a time came. Errors:
/// DGP_ERR_INVALID_ARGUMENT when the event has no wall-clock time (Unix
/// seconds, see `dgp_event_time_unix`; no time; text not recognised: read
/// it with `dgp_event_time`), DGP_ERR_NULL_POINTER.
///
/// # Safety
/// `event` NULL or a valid event; `seconds_of_day` and `date` writable.
#[no_mangle]
pub unsafe extern "C" fn dgp_event_time_clock(
    event: *const dgp_event,
    seconds_of_day: *mut u32,
    date: *mut u32,
) -> dgp_result {
    attempt_reporting_to_thread(|| {
        let event = handle("event", event)?;
        let seconds_of_day = seconds_of_day.as_mut().ok_or_else(|| null("seconds_of_day"))?;
        let date = date.as_mut().ok_or_else(|| null("date"))?;
        match phone(event, "time")?.parsed_time() {
            Some(ParsedTime::Clock { date: day, hour, minute, second }) => {
                *seconds_of_day = u32::from(hour) * 3600 + u32::from(minute) * 60 + u32::from(second);
                *date = day.map_or(0, |(y, m, d)| u32::from(y) * 10000 + u32::from(m) * 100 + u32::from(d));
                Ok(())
            }
            _ => Err(Failure::new(DGP_ERR_INVALID_ARGUMENT, "the event has no wall-clock time")),
        }
    })
}
