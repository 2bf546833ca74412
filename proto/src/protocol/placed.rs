//! Events typed where they lie in a read's buffer, built later.
//!
//! A flood's reader types every event and judges its state by it, but the
//! application's callback runs on another thread: building each packet
//! there (its slice of the read buffer, its table of headers) rather than
//! on the reader takes that work, and a split of the buffer per packet,
//! off the thread every event waits for. The reader reads each event
//! through an [`EventRef`]; [`PlacedEvents::event`] builds it, the same
//! [`Event`] the decoder would have given.

use bytes::Bytes;

use super::event::{Event, EventRef, Typing};
use crate::wire::{Decoder, Headers, Packet, PlacedPacket, Span};

/// A run of whole events from the start of one read's bytes, typed in
/// place: their text is one region of the read buffer, shared.
#[derive(Debug)]
pub struct PlacedEvents {
    region: Bytes,
    spans: Vec<Span>,
    packets: Vec<PlacedPacket>,
    typings: Vec<Typing>,
}

impl PlacedEvents {
    /// Takes the whole plain packets at the start of `decoder`'s bytes
    /// when they came in a large read (dozens of events to a read); `None`
    /// when there are none, and whatever comes next is for
    /// [`Decoder::next_frame`]. Never more than the decoder holds: call it
    /// again after each frame `next_frame` gives.
    pub fn take(decoder: &mut Decoder) -> Option<PlacedEvents> {
        let (mut spans, mut packets) = (Vec::new(), Vec::new());
        let region = decoder.take_run(&mut spans, &mut packets)?;
        let mut placed = PlacedEvents { region, spans, typings: Vec::with_capacity(packets.len()), packets };
        for index in 0..placed.packets.len() {
            let typing = Typing::of(placed.headers(index));
            placed.typings.push(typing);
        }
        Some(placed)
    }

    /// How many events.
    pub fn len(&self) -> usize {
        self.packets.len()
    }

    /// True when there are none (never, from [`PlacedEvents::take`]).
    pub fn is_empty(&self) -> bool {
        self.packets.is_empty()
    }

    /// Where event `index`'s text lies in the region, and its spans.
    fn place(&self, index: usize) -> (std::ops::Range<usize>, &[Span]) {
        let packet = self.packets[index];
        (packet.start as usize..packet.blank as usize, &self.spans[packet.spans.0 as usize..packet.spans.1 as usize])
    }

    fn headers(&self, index: usize) -> Headers<'_> {
        let (text, spans) = self.place(index);
        Headers::Placed { text: &self.region[text], spans }
    }

    /// Event `index`, read where it lies.
    pub fn get(&self, index: usize) -> EventRef<'_> {
        EventRef::new(&self.typings[index], self.headers(index))
    }

    /// Event `index`, built: its packet a view into the read's buffer.
    pub fn event(&self, index: usize) -> Event {
        let (text, spans) = self.place(index);
        Event::typed(self.typings[index], Packet::placed(self.region.slice(text), spans))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Frame;
    use crate::EventKind;

    /// Every event of `bytes`, as the decoder alone frames them.
    fn framed(bytes: &[u8]) -> Vec<Event> {
        let mut decoder = Decoder::default();
        decoder.push(bytes);
        std::iter::from_fn(|| decoder.next_frame())
            .filter_map(|frame| match frame {
                Ok(Frame::Packet(packet)) => Some(Event::from_packet(packet)),
                _ => None,
            })
            .collect()
    }

    /// The same, taking runs in place wherever the decoder has one.
    fn placed(bytes: &[u8]) -> (Vec<Event>, usize) {
        let mut decoder = Decoder::default();
        decoder.push(bytes);
        let (mut events, mut in_place) = (Vec::new(), 0);
        loop {
            if let Some(run) = PlacedEvents::take(&mut decoder) {
                for index in 0..run.len() {
                    let (event, view) = (run.event(index), run.get(index));
                    assert_eq!((view.kind(), view.line(), view.number()), (event.kind(), event.line(), event.number()));
                    events.push(event);
                }
                in_place += run.len();
            }
            match decoder.next_frame() {
                Some(Ok(Frame::Packet(packet))) => events.push(Event::from_packet(packet)),
                Some(_) => {}
                None => return (events, in_place),
            }
        }
    }

    #[test]
    fn a_large_read_gives_the_events_the_decoder_gives_most_in_place() {
        let mut bytes = Vec::new();
        for i in 0..200 {
            let event = match i % 4 {
                0 => format!("Event: DGPhoneEvent\r\nStatus: Dialing\r\nLine: {}\r\nNumber: {i}\r\n\r\n", i % 6 + 1),
                // Not plain: converted, by the decoder's own path.
                1 => "Event: DGPhoneEvent\r\nStatus: Hangup\r\nMessage: N\u{e3}o\r\n\r\n".to_string(),
                // Blank lines between packets, and a line ending in LF only.
                2 => "\r\n\nEvent: DGTimeStamp\nTime: 12:00:00\r\n\r\n".to_string(),
                _ => "Event: DGPhoneResponse\r\nResponse: Success\r\nMessage: a: b\r\n\r\n".to_string(),
            };
            bytes.extend_from_slice(event.as_bytes());
        }
        // Cut short: the last packet is not whole.
        bytes.extend_from_slice(b"Event: DGPhoneEvent\r\nStatus: Re");
        let expected = framed(&bytes);
        let (events, in_place) = placed(&bytes);
        assert_eq!(events, expected);
        assert_eq!(expected.len(), 200);
        assert!(in_place >= 100, "{in_place} of 200 in place");
        // The C view of the text: each key and value ends in a NUL.
        let (text, spans) = events[0].packet().nul_text();
        for [key, key_len, value, value_len] in spans {
            assert_eq!((text[(key + key_len) as usize], text[(value + value_len) as usize]), (0, 0));
        }
        assert_eq!(events[3].kind(), EventKind::Response);
    }

    #[test]
    fn a_small_read_is_left_to_the_decoder() {
        let mut decoder = Decoder::default();
        decoder.push(b"Event: DGPhoneEvent\r\nStatus: Ready\r\nLine: 1\r\n\r\n");
        assert!(PlacedEvents::take(&mut decoder).is_none());
        assert!(matches!(decoder.next_frame(), Some(Ok(Frame::Packet(_)))));
    }
}
