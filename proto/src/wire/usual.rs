//! Framing's fast path: a whole packet every line of which has DGPhone's
//! own shape, `Key: Value` and CR LF, nothing around the key, one space
//! after the colon.
//!
//! Nearly every packet DGPhone sends is in that shape, and framing runs for
//! every line received: the general framing (the decoder's, which takes any
//! line ending, blanks anywhere, colon-less lines) costs twice what these
//! lines need. Anything this path is not sure of (a line in another shape
//! or longer than 31 bytes, a packet not all there, a line within 32 bytes
//! of the buffer's end) it leaves to the general framing, which frames it
//! as it frames everything; the two agree on every packet this one frames
//! (a test below compares them).

use super::packet::Span;

/// A whole packet framed at the start of a buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WholePacket {
    /// Where its closing blank line starts.
    pub blank: usize,
    /// Where that line ends.
    pub end: usize,
    /// Its header lines are ASCII without NUL.
    pub plain: bool,
}

/// The packet that starts `buffer[..received]`, its header lines split
/// into `headers`, if it is whole and in DGPhone's shape; `None` leaves it
/// to the general framing (`headers` then holds nothing of use).
///
/// The bytes after `received` are stale (the decoder's room for its next
/// read): a line's window may reach into them, so that a packet that ends
/// its read (as most do, one event per read) takes this path too, but no
/// line found there is taken.
#[inline(always)]
pub(crate) fn frame(buffer: &[u8], received: usize, headers: &mut Vec<Span>) -> Option<WholePacket> {
    #[cfg(any(target_arch = "x86_64", all(target_arch = "x86", target_feature = "sse2")))]
    return sse2::frame(buffer, received, headers);
    #[cfg(not(any(target_arch = "x86_64", all(target_arch = "x86", target_feature = "sse2"))))]
    {
        let _ = (buffer, received, headers);
        None
    }
}

#[cfg(any(target_arch = "x86_64", all(target_arch = "x86", target_feature = "sse2")))]
mod sse2 {
    use super::super::scan::sse2::masks;
    use super::{Span, WholePacket};

    /// A line of up to 31 bytes is found in one or two blocks of sixteen.
    const WINDOW: usize = 32;

    #[inline(always)]
    pub(super) fn frame(buffer: &[u8], received: usize, headers: &mut Vec<Span>) -> Option<WholePacket> {
        headers.clear();
        // Where the last whole window starts.
        let last = buffer.len().checked_sub(WINDOW)?;
        // Bytes that are not plain, in the lines so far.
        let mut odd = 0;
        let mut at = 0;
        while at <= last {
            let window: &[u8; WINDOW] = buffer[at..at + WINDOW].try_into().ok()?;
            let (head, tail) = window.split_at(16);
            let mut found = masks(head.try_into().ok()?);
            if found.newlines == 0 {
                let next = masks(tail.try_into().ok()?);
                found.newlines = next.newlines << 16;
                found.colons |= next.colons << 16;
                found.odd |= next.odd << 16;
            }
            if found.newlines == 0 {
                return None;
            }
            // The line is window[..newline]; the bits before its end. It
            // has come whole only if its newline has come.
            let newline = found.newlines.trailing_zeros() as usize;
            if at + newline >= received {
                return None;
            }
            let before = (1u32 << newline) - 1;
            odd |= found.odd & before;
            // Blank (CR LF; a lone LF is left to the general framing): the
            // packet's end, unless nothing came before it.
            if newline == 1 && window[0] == b'\r' {
                return (at > 0).then(|| WholePacket { blank: at, end: at + 2, plain: odd == 0 });
            }
            let colons = found.colons & before;
            if colons == 0 {
                return None;
            }
            let colon = colons.trailing_zeros() as usize;
            let cr = newline.checked_sub(1)?;
            // Room for "K: " before the CR. Every index read below is then
            // below `newline`, at most 31: masking it (a no-op) lets the
            // compiler drop the bounds checks.
            if colon == 0 || cr < colon + 2 {
                return None;
            }
            let solid = |i: usize| window[i & (WINDOW - 1)] > b' ';
            // The value, from colon + 2 to the CR: empty, or with no blank
            // at either end.
            let shaped = solid(0)
                & solid(colon - 1)
                & (window[(colon + 1) & (WINDOW - 1)] == b' ')
                & (window[cr & (WINDOW - 1)] == b'\r')
                & (cr == colon + 2 || solid(colon + 2) & solid(cr - 1));
            if !shaped {
                return None;
            }
            let place = |i: usize| (at + i) as u32;
            headers.push(Span { key: (place(0), place(colon)), value: (place(colon + 2), place(cr)) });
            at += newline + 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::decoder::frame_whole;

    /// A small PRNG, so the test needs no crate.
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: usize) -> usize {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (self.0 >> 33) as usize % n
        }
    }

    #[test]
    #[cfg(any(target_arch = "x86_64", all(target_arch = "x86", target_feature = "sse2")))]
    fn a_packet_that_ends_its_read_is_framed_if_room_follows() {
        let event = b"Event: DGPhoneEvent\r\nStatus: Ready\r\nLine: 1\r\n\r\n";
        let mut buffer = event.to_vec();
        let mut headers = Vec::new();
        assert_eq!(frame(&buffer, event.len(), &mut headers), None, "no room for the last window");
        // The decoder's room for the next read, stale from an earlier one.
        buffer.extend_from_slice(b"\r\n\r\nX: 1\r\n\r\n".repeat(3).as_slice());
        let whole = WholePacket { blank: event.len() - 2, end: event.len(), plain: true };
        assert_eq!(frame(&buffer, event.len(), &mut headers), Some(whole));
        assert_eq!(headers.len(), 3);
        assert_eq!(frame(&buffer, event.len() - 1, &mut headers), None, "the blank line's LF has not come");
    }

    #[test]
    fn frames_what_the_general_framing_frames_and_nothing_else() {
        // Lines of every shape, usual and not, of lengths around the
        // windows' edges, packed into buffers with and without room after,
        // whole or cut short.
        let alphabet = [b'a', b'Z', b'1', b':', b' ', b'\t', b'\r', b'\n', 0, 0xC3, 0x80, b'-'];
        let mut random = Lcg(7);
        let (mut framed, mut usual) = (0, 0);
        for _ in 0..200_000 {
            let mut bytes = Vec::new();
            for _ in 0..random.below(5) + 1 {
                let key_len = random.below(12) + 1;
                bytes.extend((0..key_len).map(|_| b"LineStatusUser"[random.below(14)]));
                bytes.extend_from_slice(b": ");
                let value_len = random.below(28);
                bytes.extend((0..value_len).map(|_| b"0123456789abc"[random.below(13)]));
                bytes.extend_from_slice(b"\r\n");
                // A byte changed anywhere, in one line of four.
                for _ in 0..random.below(4).saturating_sub(2) {
                    let at = random.below(bytes.len());
                    bytes[at] = alphabet[random.below(alphabet.len())];
                }
            }
            bytes.extend_from_slice(b"\r\n");
            bytes.extend((0..random.below(40)).map(|_| b'x'));
            // Received up to a random point, often all of it; stale bytes
            // after it that would end its last line, or another.
            let received = bytes.len() - random.below(8).saturating_sub(4);
            bytes.truncate(received);
            for _ in 0..random.below(40) {
                bytes.extend_from_slice([&b"\r\n"[..], b"\n", b"x: y", b":"][random.below(4)]);
            }
            let (mut fast, mut general) = (Vec::new(), Vec::new());
            let whole = frame_whole(&bytes[..received], &mut general);
            framed += whole.is_some() as usize;
            if let Some(fast_whole) = frame(&bytes, received, &mut fast) {
                usual += 1;
                assert_eq!((Some(fast_whole), fast), (whole, general), "{:?}", String::from_utf8_lossy(&bytes));
            }
        }
        // Both paths were taken often.
        if cfg!(any(target_arch = "x86_64", all(target_arch = "x86", target_feature = "sse2"))) {
            assert!(usual > 20_000 && framed - usual > 20_000, "fast {usual} of {framed}");
        }
    }
}
