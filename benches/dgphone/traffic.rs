//! What DGPhone sends, pre-encoded: a realistic mix of ~70-byte events, so
//! that a flood costs the server nothing but write().

/// One connection's worth of DGPhone events: a call's life on a line, a
/// ringing call and a keep-alive.
const EVENTS: [&str; 6] = [
    "Event: DGPhoneEvent\r\nStatus: Dialing\r\nUser: 201\r\nLine: 2\r\nNumber: 1002\r\n\r\n",
    "Event: DGPhoneEvent\r\nStatus: Answer\r\nUser: 201\r\nLine: 2\r\nNumber: 1002\r\n\r\n",
    "Event: DGPhoneEvent\r\nStatus: Hangup\r\nUser: 201\r\nLine: 2\r\n\r\n",
    "Event: DGPhoneEvent\r\nStatus: Ready\r\nUser: 201\r\nLine: 2\r\n\r\n",
    "Event: DGPhoneEvent\r\nStatus: ReceivingCall\r\nUser: 201\r\nLine: 3\r\nNumber: 5511999990000\r\n\r\n",
    "Event: DGTimeStamp\r\nTime: 2024-05-01 14:05:09\r\n\r\n",
];

/// `count` events, one after the other, as DGPhone writes them.
pub fn events(count: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(count * 72);
    for i in 0..count {
        out.extend_from_slice(EVENTS[i % EVENTS.len()].as_bytes());
    }
    out
}

/// The mean size of an event in [`events`].
pub fn mean_size() -> f64 {
    EVENTS.iter().map(|e| e.len()).sum::<usize>() as f64 / EVENTS.len() as f64
}

/// One event, for the latency figures.
pub fn one_event() -> &'static [u8] {
    EVENTS[0].as_bytes()
}

/// The floor of framing: find every line end with memchr and count the
/// blank lines that close packets. Returns the packets found and how many
/// bytes that consumed (up to the last line end). Any framing must do this
/// much, since lines may end in LF alone.
pub fn count_packet_ends(bytes: &[u8]) -> (usize, usize) {
    let (mut packets, mut line_start) = (0, 0);
    for end in memchr::memchr_iter(b'\n', bytes) {
        let line = &bytes[line_start..end];
        if line.is_empty() || line == b"\r" {
            packets += 1;
        }
        line_start = end + 1;
    }
    (packets, line_start)
}

/// Just the count of [`count_packet_ends`], for whole buffers.
pub fn packets_in(bytes: &[u8]) -> usize {
    count_packet_ends(bytes).0
}
