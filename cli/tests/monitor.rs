//! `dgphone monitor`: every event, with the line states, as text or JSON.

mod common;

use common::{against, line, sim, Running};
use dgphone_sim::SimConfig;
use serde_json::{json, Value};

#[test]
fn json_gives_one_parseable_object_per_event_with_the_lines() {
    let sim = sim(SimConfig::default());
    let mut monitor = Running::spawn(against(&sim, &["monitor", "--json"]));
    let object = |line: &str| serde_json::from_str::<Value>(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    let logged_in = monitor.until_line("logged_in", |l| object(l)["type"] == "logged_in");
    assert_eq!(object(&logged_in)["user"], "201");
    // The monitor asks for Status; its answer about line 6 is the last.
    monitor.until_line("status of line 6", |l| object(l)["line"] == 6);

    sim.incoming_call(line(2), "5551234");
    let ringing = object(&monitor.until_line("ReceivingCall", |l| object(l)["kind"] == "ReceivingCall"));
    assert_eq!((ringing["type"].as_str(), ringing["status"].as_str()), (Some("event"), Some("ReceivingCall")));
    assert_eq!((ringing["line"].as_u64(), ringing["number"].as_str()), (Some(2), Some("5551234")));
    assert_eq!(ringing["user"], "201");
    let headers = ringing["headers"].as_array().expect("headers");
    assert_eq!(headers[0], json!(["Event", "DGPhoneEvent"]));
    assert!(headers.contains(&json!(["Number", "5551234"])), "{headers:?}");
    assert_eq!(ringing["lines"][1], json!({"line": 2, "state": "offering", "number": "5551234"}));
    assert!(ringing["time_ms"].as_u64().is_some());
    for seen in monitor.seen() {
        object(seen);
    }
}

#[test]
fn text_shows_each_event_and_the_lines_when_they_change() {
    let sim = sim(SimConfig::default());
    let mut monitor = Running::spawn(against(&sim, &["monitor"]));
    monitor.until("Ready          User=201 Line=6");
    sim.incoming_call(line(1), "5551234");
    monitor.until("ReceivingCall  User=201 Line=1 Number=5551234");
    monitor.until("lines 1:offering(5551234) 2:idle");
    sim.far_end_hangup(line(1));
    monitor.until("Hangup         User=201 Line=1");
    monitor.until("lines 1:disconnected(5551234)");
}
