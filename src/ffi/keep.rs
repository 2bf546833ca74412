//! Events a host language can keep and read cheaply: a clone that outlives
//! the callback, one call that copies a whole event into the caller's
//! buffer in a packed layout, and a batch pull. Each exists so that a
//! binding (Python ctypes, .NET P/Invoke, Delphi) pays one crossing of the
//! boundary where reading an event field by field costs twenty-five.
//!
//! Clone, not retain/release: an event received in a callback lives in the
//! library's stack frame for the length of the call, so a reference count
//! on it could not keep it alive anyway; a clone is a new event the caller
//! owns, freed like any other with `dgp_event_free`, and one ownership
//! rule ("every event you were given a pointer to by a `*_clone`,
//! `dgp_next_event` or `dgp_next_events`, you free once") is all a binding
//! has to know. Events are small (a few hundred bytes), so the copy costs
//! less than the crossing it saves.

use std::time::Duration;

use super::client::{call, dgp_client};
use super::event::{
    dgp_event, dgp_event_attempt, dgp_event_delay_ms, dgp_event_disconnect_reason, dgp_event_dropped, dgp_event_kind,
    dgp_event_line,
};
use super::{guard_value, result::*};
use crate::client::ClientEvent;

/// The fixed part at the start of a record written by `dgp_event_copy`.
/// Every field is in the machine's byte order; offsets count bytes from
/// the start of the record. See `dgp_event_copy` for the whole layout.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct dgp_event_record {
    /// Bytes of the whole record (this header, the entries, the strings).
    pub size: u32,
    /// `dgp_event_kind`.
    pub kind: u32,
    /// `dgp_event_line` (0: none).
    pub line: i32,
    /// `dgp_event_disconnect_reason`.
    pub disconnect_reason: u32,
    /// `dgp_event_attempt`.
    pub attempt: u32,
    /// `dgp_event_delay_ms`.
    pub delay_ms: u32,
    /// `dgp_event_dropped`.
    pub dropped: u64,
    /// The number of `dgp_event_record_header` entries.
    pub header_count: u32,
    /// Where the entries start (`sizeof(dgp_event_record)`, i.e. 48 in
    /// 1.0; read it rather than assuming it, so fields may be added).
    pub headers_offset: u32,
    /// Where `dgp_event_detail`'s text starts (NUL-terminated).
    pub detail_offset: u32,
    /// Its length in bytes, without the NUL.
    pub detail_len: u32,
}

/// One header in a record: where its key and value start (each
/// NUL-terminated, UTF-8) and their lengths in bytes without the NUL.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct dgp_event_record_header {
    pub key_offset: u32,
    pub key_len: u32,
    pub value_offset: u32,
    pub value_len: u32,
}

const RECORD_SIZE: usize = std::mem::size_of::<dgp_event_record>();
const ENTRY_SIZE: usize = std::mem::size_of::<dgp_event_record_header>();

/// The packet's text and its number of headers (none for a lifecycle
/// event): the record carries the text whole, and points into it.
fn packet_text(event: &dgp_event) -> (&[u8], usize) {
    event.phone().map_or((&[][..], 0), |e| (e.packet().nul_text().0, e.packet().len()))
}

/// Bytes the record of `event` takes.
fn record_size(event: &dgp_event) -> usize {
    let (text, headers) = packet_text(event);
    RECORD_SIZE + headers * ENTRY_SIZE + text.len() + event.detail_bytes().len()
}

fn put_u32(out: &mut [u8], at: usize, value: u32) {
    out[at..at + 4].copy_from_slice(&value.to_ne_bytes());
}

/// Writes the record of `event` into `out` (exactly `record_size` bytes).
/// The strings are the packet's text, copied in one piece (each offset is
/// the text's plus where the text starts), then the detail.
fn write_record(event: &dgp_event, out: &mut [u8]) {
    let (text, headers) = packet_text(event);
    let detail = event.detail_bytes();
    let text_at = RECORD_SIZE + headers * ENTRY_SIZE;
    let detail_at = text_at + text.len();
    let ptr: *const dgp_event = event;
    // SAFETY: `ptr` comes from a live reference.
    let record = unsafe {
        dgp_event_record {
            size: (detail_at + detail.len()) as u32,
            kind: dgp_event_kind(ptr),
            line: dgp_event_line(ptr),
            disconnect_reason: dgp_event_disconnect_reason(ptr),
            attempt: dgp_event_attempt(ptr),
            delay_ms: dgp_event_delay_ms(ptr),
            dropped: dgp_event_dropped(ptr),
            header_count: headers as u32,
            headers_offset: RECORD_SIZE as u32,
            detail_offset: detail_at as u32,
            detail_len: (detail.len() - 1) as u32,
        }
    };
    let words =
        [record.size, record.kind, record.line as u32, record.disconnect_reason, record.attempt, record.delay_ms];
    for (i, word) in words.iter().enumerate() {
        put_u32(out, i * 4, *word);
    }
    out[24..32].copy_from_slice(&record.dropped.to_ne_bytes());
    let tail = [record.header_count, record.headers_offset, record.detail_offset, record.detail_len];
    for (i, word) in tail.iter().enumerate() {
        put_u32(out, 32 + i * 4, *word);
    }
    if let Some(e) = event.phone() {
        for (i, [key, key_len, value, value_len]) in e.packet().nul_text().1.enumerate() {
            let entry = RECORD_SIZE + i * ENTRY_SIZE;
            put_u32(out, entry, text_at as u32 + key);
            put_u32(out, entry + 4, key_len);
            put_u32(out, entry + 8, text_at as u32 + value);
            put_u32(out, entry + 12, value_len);
        }
    }
    out[text_at..detail_at].copy_from_slice(text);
    out[detail_at..].copy_from_slice(detail);
}

/// A copy of `event` that the caller owns, valid on any thread until
/// `dgp_event_free`: keep an event from the callback past the call, or
/// hand it to another thread (a UI thread). It is independent of the
/// original (a deep copy, so freeing either leaves the other valid).
/// NULL for a NULL event or if memory ran out.
///
/// # Safety
/// `event` is NULL or a valid event (from a callback, during the call, or
/// owned).
#[no_mangle]
pub unsafe extern "C" fn dgp_event_clone(event: *const dgp_event) -> *mut dgp_event {
    match event.as_ref() {
        Some(event) => guard_value(std::ptr::null_mut(), || Box::into_raw(Box::new(event.clone()))),
        None => std::ptr::null_mut(),
    }
}

/// Copies a whole event (kind, line, every header's key and value, the
/// detail text, the lifecycle numbers) into `buffer` in one call, so a
/// binding reads it with no further crossing. `*needed` (when not NULL)
/// gets the record's size in bytes; a `buffer` smaller than that (or NULL,
/// with `capacity` 0, to ask the size) gets nothing and the call returns
/// DGP_ERR_BUFFER_TOO_SMALL. DGP_ERR_NULL_POINTER for a NULL event or a
/// NULL buffer with a non-zero capacity.
///
/// The record, every number in the machine's byte order, every offset in
/// bytes from the record's start (put the buffer on a 4-byte boundary,
/// or 8 to read `dropped` in place; malloc's are):
///
/// ```text
/// offset  size  field
///  0       4    uint32 size               bytes of the whole record
///  4       4    uint32 kind               DGP_EVENT_*
///  8       4    int32  line               1-6, 0 none
/// 12       4    uint32 disconnect_reason  DGP_DISCONNECT_*
/// 16       4    uint32 attempt
/// 20       4    uint32 delay_ms
/// 24       8    uint64 dropped
/// 32       4    uint32 header_count
/// 36       4    uint32 headers_offset     (48 in 1.0)
/// 40       4    uint32 detail_offset      NUL-terminated UTF-8
/// 44       4    uint32 detail_len         bytes, without the NUL
/// headers_offset: header_count entries of 16 bytes, in arrival order:
///          uint32 key_offset, key_len, value_offset, value_len
/// then the strings, each UTF-8 and NUL-terminated, found through the
/// offsets (other bytes may lie between them).
/// ```
///
/// This is `dgp_event_record` followed by `dgp_event_record_header`
/// entries, so C reads it through those structs.
///
/// # Safety
/// `event` NULL or valid; `buffer` NULL or writable for `capacity` bytes;
/// `needed` NULL or writable.
// rustc 1.63 calls the unsafe blocks in the closure redundant; newer
// compilers want them.
#[allow(unused_unsafe)]
#[no_mangle]
pub unsafe extern "C" fn dgp_event_copy(
    event: *const dgp_event,
    buffer: *mut u8,
    capacity: u32,
    needed: *mut u32,
) -> dgp_result {
    if !needed.is_null() {
        *needed = 0;
    }
    let event = match event.as_ref() {
        Some(event) => event,
        None => return DGP_ERR_NULL_POINTER,
    };
    if buffer.is_null() && capacity > 0 {
        return DGP_ERR_NULL_POINTER;
    }
    guard_value(DGP_ERR_INTERNAL, || {
        let size = record_size(event);
        let size32 = match u32::try_from(size) {
            Ok(size) => size,
            Err(_) => return DGP_ERR_INTERNAL,
        };
        if !needed.is_null() {
            // SAFETY: checked not NULL; the caller vouched it is writable.
            unsafe { *needed = size32 };
        }
        if (capacity as usize) < size {
            return DGP_ERR_BUFFER_TOO_SMALL;
        }
        // SAFETY: the caller vouched for `capacity` writable bytes, and
        // `size` is no more than that.
        let out = unsafe { std::slice::from_raw_parts_mut(buffer, size) };
        write_record(event, out);
        DGP_OK
    })
}

/// Takes up to `max` queued events in one call: waits up to `timeout_ms`
/// (0: no wait) for the first, then takes those already waiting without
/// waiting more. Stores them in `out[0..*count]`, oldest first (an
/// overflow report before the rest); the caller frees each with
/// `dgp_event_free`. DGP_OK with `*count` ≥ 1, DGP_ERR_TIMEOUT with
/// `*count` 0 when none came in time. DGP_ERR_INVALID_ARGUMENT for `max`
/// 0; DGP_ERR_WOULD_DEADLOCK from inside the callback when `timeout_ms` is
/// not 0 (the queue may be filled only after that callback returns).
///
/// # Safety
/// `client` valid; `out` writable for `max` pointers; `count` writable.
// rustc 1.63 calls the unsafe blocks in the closure redundant; newer
// compilers want them.
#[allow(unused_unsafe)]
#[no_mangle]
pub unsafe extern "C" fn dgp_next_events(
    client: *mut dgp_client,
    out: *mut *mut dgp_event,
    max: u32,
    timeout_ms: u32,
    count: *mut u32,
) -> dgp_result {
    if !count.is_null() {
        *count = 0;
    }
    call(client, |c| {
        if out.is_null() {
            return Err(Failure::new(DGP_ERR_NULL_POINTER, "out is NULL"));
        }
        if count.is_null() {
            return Err(Failure::new(DGP_ERR_NULL_POINTER, "count is NULL"));
        }
        if max == 0 {
            return Err(Failure::new(DGP_ERR_INVALID_ARGUMENT, "max is 0"));
        }
        let mut events = Vec::new();
        c.client.wait_events(max as usize, Duration::from_millis(u64::from(timeout_ms)), &mut events)?;
        for (i, event) in events.into_iter().enumerate() {
            // SAFETY: `out` has room for `max` pointers, and no more than
            // `max` events were taken.
            unsafe { *out.add(i) = Box::into_raw(Box::new(dgp_event::new(event))) };
            unsafe { *count = i as u32 + 1 };
        }
        Ok(())
    })
}

/// The batch pull for host languages: waits up to `timeout_ms` (0: no
/// wait) for the first queued event, then packs as many as fit of those
/// waiting into `buffer` in one call, oldest first (an overflow report
/// before the rest), each a record in the layout of `dgp_event_copy`.
/// Records lie back to back, each starting on an 8-byte boundary of the
/// buffer: the next starts at `(offset + size + 7) & ~7` (a C reader casts
/// each to `dgp_event_record` when `buffer` itself is 8-byte aligned, as
/// malloc's is). `*count` gets the number of records, `*used` the bytes
/// from the buffer's start to the end of the last one. The events are
/// taken: nothing to free. An event that does not fit stays first in the
/// queue for the next call; if the first does not fit, nothing is taken,
/// the call returns DGP_ERR_BUFFER_TOO_SMALL and `*used` is the bytes it
/// needs. DGP_ERR_TIMEOUT (`*count` 0) when none came in time,
/// DGP_ERR_CANCELLED when `dgp_cancel` ended the wait,
/// DGP_ERR_WOULD_DEADLOCK for a wait inside the event callback.
///
/// # Safety
/// `client` valid; `buffer` writable for `capacity` bytes; `count` and
/// `used` writable.
// rustc 1.63 calls the unsafe blocks in the closure redundant; newer
// compilers want them.
#[allow(unused_unsafe)]
#[no_mangle]
pub unsafe extern "C" fn dgp_next_records(
    client: *mut dgp_client,
    buffer: *mut u8,
    capacity: u32,
    timeout_ms: u32,
    count: *mut u32,
    used: *mut u32,
) -> dgp_result {
    for out in [count, used] {
        if !out.is_null() {
            *out = 0;
        }
    }
    call(client, |c| {
        if buffer.is_null() {
            return Err(Failure::new(DGP_ERR_NULL_POINTER, "buffer is NULL"));
        }
        if count.is_null() || used.is_null() {
            return Err(Failure::new(DGP_ERR_NULL_POINTER, "count or used is NULL"));
        }
        // SAFETY: the caller vouched for `capacity` writable bytes.
        let out = unsafe { std::slice::from_raw_parts_mut(buffer, capacity as usize) };
        let mut packer = Packer { out, next: 0, end: 0, first_needs: 0 };
        let taken = c
            .client
            .take_events(Duration::from_millis(u64::from(timeout_ms)), usize::MAX, |event| packer.pack(event))?;
        // SAFETY: both checked not NULL; the caller vouched they are writable.
        unsafe {
            *count = taken as u32;
            *used = if taken == 0 { packer.first_needs } else { packer.end as u32 };
        }
        if taken == 0 {
            return Err(Failure::new(
                DGP_ERR_BUFFER_TOO_SMALL,
                format!("the first event needs {} bytes; the buffer has {}", packer.first_needs, capacity),
            ));
        }
        Ok(())
    })
}

/// Packs records into a caller's buffer, 8-byte aligned, while they fit.
struct Packer<'a> {
    out: &'a mut [u8],
    /// Where the next record would start.
    next: usize,
    /// The end of the last record written.
    end: usize,
    /// Bytes the first record needs, when it did not fit.
    first_needs: u32,
}

impl Packer<'_> {
    fn pack(&mut self, event: ClientEvent) -> Result<(), ClientEvent> {
        // SAFETY: `event` outlives `view`, dropped before `event` moves.
        let view = unsafe { dgp_event::borrowing(&event) };
        let size = record_size(&view);
        let end = self.next + size;
        if end > self.out.len() || u32::try_from(end).is_err() {
            if self.end == 0 {
                self.first_needs = u32::try_from(size).unwrap_or(u32::MAX);
            }
            drop(view);
            return Err(event);
        }
        write_record(&view, &mut self.out[self.next..end]);
        self.end = end;
        self.next = (end + 7) & !7;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::ClientEvent;
    use crate::protocol::Event;
    use crate::wire::Packet;

    fn phone(pairs: &[(&str, &str)]) -> dgp_event {
        dgp_event::new(ClientEvent::Phone(Event::from_packet(Packet::from_pairs(pairs))))
    }

    fn u32_at(buf: &[u8], at: u32) -> u32 {
        u32::from_ne_bytes(buf[at as usize..at as usize + 4].try_into().unwrap())
    }

    fn str_at(buf: &[u8], at: u32, len: u32) -> &str {
        assert_eq!(buf[(at + len) as usize], 0, "NUL-terminated");
        std::str::from_utf8(&buf[at as usize..(at + len) as usize]).unwrap()
    }

    #[test]
    fn the_record_holds_every_header_in_order_and_the_declared_size() {
        let event = phone(&[("Event", "DGPhoneEvent"), ("Line", "2"), ("Status", "Ringing"), ("Number", "Não 55")]);
        let mut needed = 0;
        // SAFETY: a valid event; asking the size with no buffer.
        let rc = unsafe { dgp_event_copy(&event, std::ptr::null_mut(), 0, &mut needed) };
        assert_eq!(rc, DGP_ERR_BUFFER_TOO_SMALL);
        let mut buf = vec![0u8; needed as usize];
        // SAFETY: the buffer has `needed` bytes.
        assert_eq!(unsafe { dgp_event_copy(&event, buf.as_mut_ptr(), needed, std::ptr::null_mut()) }, DGP_OK);
        assert_eq!(u32_at(&buf, 0), needed);
        assert_eq!(u32_at(&buf, 8), 2, "line");
        assert_eq!(u32_at(&buf, 32), 4, "header count");
        let entries = u32_at(&buf, 36);
        assert_eq!(entries as usize, RECORD_SIZE);
        let headers: Vec<(&str, &str)> = (0..4)
            .map(|i| {
                let e = entries + i * 16;
                (
                    str_at(&buf, u32_at(&buf, e), u32_at(&buf, e + 4)),
                    str_at(&buf, u32_at(&buf, e + 8), u32_at(&buf, e + 12)),
                )
            })
            .collect();
        assert_eq!(headers, [("Event", "DGPhoneEvent"), ("Line", "2"), ("Status", "Ringing"), ("Number", "Não 55")]);
        assert_eq!(str_at(&buf, u32_at(&buf, 40), u32_at(&buf, 44)), "");
    }

    #[test]
    fn a_buffer_one_byte_short_is_left_untouched() {
        let event = dgp_event::new(ClientEvent::LoggedIn { user: "201".into() });
        let mut needed = 0;
        // SAFETY: as above.
        unsafe { dgp_event_copy(&event, std::ptr::null_mut(), 0, &mut needed) };
        let mut buf = vec![0xAAu8; needed as usize];
        // SAFETY: the buffer has more than `needed - 1` bytes.
        let rc = unsafe { dgp_event_copy(&event, buf.as_mut_ptr(), needed - 1, &mut needed) };
        assert_eq!(rc, DGP_ERR_BUFFER_TOO_SMALL);
        assert!(buf.iter().all(|&b| b == 0xAA));
        // SAFETY: now the whole size.
        assert_eq!(unsafe { dgp_event_copy(&event, buf.as_mut_ptr(), needed, &mut needed) }, DGP_OK);
        assert_eq!(str_at(&buf, u32_at(&buf, 40), u32_at(&buf, 44)), "201", "the detail");
    }

    #[test]
    fn a_clone_of_a_callbacks_borrowed_event_owns_its_copy() {
        let original = ClientEvent::Phone(Event::from_packet(Packet::from_pairs(&[("Event", "Hold"), ("Line", "5")])));
        // SAFETY: `original` outlives `borrowed`; the clone is freed once.
        unsafe {
            let borrowed = dgp_event::borrowing(&original);
            let kept = dgp_event_clone(&borrowed);
            drop(borrowed);
            drop(original);
            assert_eq!(dgp_event_line(kept), 5);
            assert!(matches!((*kept).event, super::super::event::Held::Owned(_)));
            super::super::event::dgp_event_free(kept);
        }
    }

    #[test]
    fn a_clone_outlives_its_original() {
        let event = phone(&[("Event", "Hold"), ("Line", "3"), ("Hold", "1")]);
        // SAFETY: a valid event; the clone is freed once.
        unsafe {
            let kept = dgp_event_clone(&event);
            drop(event);
            assert_eq!(dgp_event_line(kept), 3);
            assert_eq!(super::super::event::dgp_event_hold(kept), 1);
            super::super::event::dgp_event_free(kept);
            assert!(dgp_event_clone(std::ptr::null()).is_null());
        }
    }
}
