//! Typing arbitrary packets: every accessor of every event, the state it
//! updates and the confirmations it may settle. Invariant: no panic, and a
//! typed event keeps its packet untouched.
#![no_main]

use dgphone_proto::protocol::{confirmation, Command, Line};
use dgphone_proto::wire::{Decoder, Frame};
use dgphone_proto::{Event, PhoneState};
use libfuzzer_sys::fuzz_target;

fn every_accessor(event: &Event) {
    let _ = (event.kind(), event.kind().status_name(), event.kind().is_agent());
    let _ = (event.status(), event.line(), event.number(), event.user(), event.agent());
    let _ = (event.uniqueid(), event.message(), event.queue(), event.hold(), event.paused());
    let _ = (event.digit(), event.is_success(), event.command(), event.time(), event.parsed_time());
    let packet = event.packet();
    for (i, (key, value)) in packet.iter().enumerate() {
        assert_eq!(packet.header(i), Some((key, value)));
        assert!(packet.raw_value(i).is_some());
        assert!(event.get(key).is_some());
        assert!(!value.contains('\0'), "a NUL reached the text");
    }
    let _ = format!("{event:?}");
}

fuzz_target!(|data: &[u8]| {
    let mut decoder = Decoder::new(4096);
    decoder.push(data);
    let mut state = PhoneState::new();
    let line = Line::new(1).ok();
    let dial = confirmation(&Command::Dial { number: "1".into(), line: None }, line).expect("Dial is confirmed");
    while let Some(frame) = decoder.next_frame() {
        if let Ok(Frame::Packet(packet)) = frame {
            let event = Event::from_packet(packet.clone());
            assert_eq!(event.packet(), &packet);
            every_accessor(&event);
            state.apply(&event, Some("201"));
            state.apply(&event, None);
            let _ = dial.judge(&event, Some("201"));
        }
    }
    let _ = decoder.finish();
});
