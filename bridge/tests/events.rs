//! The event socket: the snapshot first, then the events in the shape of
//! `dgphone monitor --json`; and a stalled subscriber that neither slows
//! DGPhone's connection nor the other tab, and is told what it lost.

mod common;

use std::time::{Duration, Instant};

use common::{line_state, ws_on, Rig, Socket, WAIT};
use dgphone::wire::Packet;
use dgphone::Line;
use futures_util::StreamExt;
use tokio::net::TcpSocket;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_then_events_as_monitor_json_writes_them() {
    let rig = Rig::start().await;
    rig.post("/v1/select", r#"{"line":3}"#).await;
    let mut socket = rig.subscribe().await;
    let snapshot = socket.next().await;
    assert_eq!(snapshot["type"], "snapshot");
    assert_eq!(snapshot["selected"], 3);
    assert_eq!(snapshot["lines"].as_array().map(Vec::len), Some(6));
    assert_eq!(snapshot["connection"]["user"], "201");
    assert!(snapshot["time_ms"].as_u64().unwrap() > 1_600_000_000_000);

    rig.sim().incoming_call(Line::new(5).unwrap(), "5511");
    let ring = socket.event("ReceivingCall").await;
    // Every key `monitor --json` writes, in its order, then `connection`.
    let keys: Vec<&str> = ring.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "type",
            "kind",
            "status",
            "line",
            "number",
            "user",
            "headers",
            "time_ms",
            "lines",
            "selected",
            "agent",
            "connection"
        ]
    );
    assert_eq!(ring["status"], "ReceivingCall");
    assert_eq!(line_state(&ring, 5), "offering");
    assert!(ring["headers"].as_array().unwrap().iter().any(|h| h[0] == "Number" && h[1] == "5511"));
    rig.bridge.stop().await;
}

/// A DGPhone event with a sequence number in a header of its own.
fn numbered(n: usize) -> Packet {
    Packet::from_pairs(&[("Event", "DGPhoneEvent"), ("Status", "Note"), ("User", "201"), ("Seq", &n.to_string())])
}

fn seq(item: &serde_json::Value) -> Option<usize> {
    item["headers"].as_array()?.iter().find(|h| h[0] == "Seq")?[1].as_str()?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_subscriber_slows_nobody_and_is_told_what_it_lost() {
    const EVENTS: usize = 8000;
    let rig = Rig::start_with(Default::default(), |c| c.subscriber_buffer = 64).await;

    // The stalled tab reads nothing. (Its receive buffer stays at the
    // kernel's first size: it grows only while the reader reads. Not
    // shrunk further: a window under one loopback segment makes the
    // resumed reading crawl at the pace of zero-window probes.)
    let stream = TcpSocket::new_v4().unwrap().connect(rig.addr).await.unwrap();
    let protocol = format!("dgphone.v1, dgphone-token.{}", rig.token);
    let (stalled, _) = ws_on(stream, rig.addr, "/v1/events", &[("Sec-WebSocket-Protocol", &protocol)]).await.unwrap();
    let mut stalled = Socket { inner: stalled };
    let mut live = rig.subscribe().await;
    assert_eq!(live.next().await["type"], "snapshot");
    let deadline = Instant::now() + WAIT;
    while rig.bridge.phone().subscribers() < 2 {
        assert!(Instant::now() < deadline, "both subscribers registered");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    // Batches of 32, each sent once the live tab has the one before: the
    // live tab is never more than 32 behind (its buffer holds 64), the
    // stalled one falls behind by all of them.
    let started = Instant::now();
    let sim = rig.sim();
    let mut next = 0;
    for batch in (0..EVENTS).step_by(32) {
        tokio::task::block_in_place(|| {
            for n in batch..(batch + 32).min(EVENTS) {
                sim.send_packet(&numbered(n));
            }
        });
        // The live tab gets every one, in order, while the other reads nothing.
        while next < (batch + 32).min(EVENTS) {
            let item = live.next().await;
            assert_ne!(item["type"], "overflow", "the live tab lost nothing");
            if let Some(n) = seq(&item) {
                assert_eq!(n, next, "in order, none lost");
                next += 1;
            }
        }
    }
    let live_took = started.elapsed();
    // The library never had to drop anything for the bridge's sake.
    assert_eq!(rig.bridge.phone().handle().dropped_events(), 0);

    // The stalled tab now reads: it was told it lost events, got a fresh
    // snapshot, and goes on with the newest ones.
    let overflow = stalled.until("an overflow report", |v| v["type"] == "overflow").await;
    assert_eq!(overflow["scope"], "subscriber");
    let dropped = overflow["dropped"].as_u64().unwrap();
    assert!(dropped > 0 && dropped < EVENTS as u64, "{overflow}");
    assert_eq!(stalled.next().await["type"], "snapshot");
    let mut last = None;
    while last != Some(EVENTS - 1) {
        let item = stalled.next().await;
        if let Some(n) = seq(&item) {
            last = Some(n);
        }
    }
    eprintln!("live tab: {EVENTS} events in {live_took:?}; stalled tab lost {dropped}");

    // A tab that goes away leaves the others alone.
    drop(stalled);
    rig.sim().send_packet(&numbered(EVENTS));
    assert_eq!(seq(&live.until("one more", |v| seq(v).is_some()).await), Some(EVENTS));
    let deadline = Instant::now() + WAIT;
    while rig.bridge.phone().subscribers() > 1 {
        assert!(Instant::now() < deadline, "the closed socket's subscriber is gone");
        rig.sim().send_packet(&numbered(EVENTS + 1));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Closing the live socket politely works too.
    live.inner.close(None).await.unwrap();
    while let Some(Ok(message)) = live.inner.next().await {
        if matches!(message, Message::Close(_)) {
            break;
        }
    }
    rig.bridge.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_one_connection_comes_back_and_every_tab_sees_it() {
    let rig = Rig::start().await;
    let mut socket = rig.subscribe().await;
    assert_eq!(socket.next().await["connection"]["state"], "online");

    // A lost connection: the library reconnects and logs in again.
    rig.sim().disconnect_all();
    let lost = socket.until("disconnected", |v| v["type"] == "disconnected").await;
    assert_eq!(lost["connection"]["logged_in"], false);
    let back = socket.until("logged in again", |v| v["type"] == "logged_in").await;
    assert_eq!(back["user"], "201");
    rig.wait_online().await;
    let (status, done) = rig.post("/v1/select", r#"{"line":2}"#).await;
    assert_eq!(status, 200, "{done}");

    // DGPhone logs the user off: the library stops there, the bridge
    // starts over and logs in again.
    rig.sim().perform(&dgphone_sim::Action::Logoff);
    let off = socket.until("logged off", |v| v["type"] == "disconnected").await;
    assert_eq!(off["reason"], "logged off");
    socket.until("logged in after the logoff", |v| v["type"] == "logged_in").await;
    rig.wait_online().await;
    let (status, done) = rig.post("/v1/select", r#"{"line":3}"#).await;
    assert_eq!(status, 200, "{done}");
    rig.bridge.stop().await;
}
