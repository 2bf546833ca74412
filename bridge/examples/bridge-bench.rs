//! The bridge's benchmark (docs/bridge.md, "Speed"):
//!
//! 1. Latency from the simulator's write to a WebSocket subscriber, p50 and
//!    p99, against the library's own callback latency in the same run (the
//!    bridge's tap, called on the library's callback thread before the
//!    bridge encodes the event): one event at a time.
//! 2. Events per second fanned out to 100 WebSocket subscribers: a burst
//!    from the simulator, until every subscriber has the last one.
//!
//! Run: `cargo run --release -p dgphone-bridge --example bridge-bench`
//! (`BRIDGE_BENCH_EVENTS`, `BRIDGE_BENCH_FANOUT` change the counts).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dgphone::wire::Packet;
use dgphone::ClientEvent;
use dgphone_bridge::{Bridge, Config};
use dgphone_sim::{SimConfig, Simulator};
use futures_util::StreamExt;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

fn numbered(n: usize) -> Packet {
    Packet::from_pairs(&[("Event", "DGPhoneEvent"), ("Status", "Note"), ("User", "201"), ("Seq", &n.to_string())])
}

/// The Seq header of an event as the socket sends it, found without
/// parsing all of it (the subscriber's cost stays small).
fn seq_of(text: &str) -> Option<usize> {
    let at = text.find("[\"Seq\",\"")? + 8;
    text[at..].split('"').next()?.parse().ok()
}

async fn subscribe(bridge: &Bridge) -> Ws {
    let mut request = format!("ws://{}/v1/events", bridge.local_addr()).into_client_request().unwrap();
    let protocol = format!("dgphone.v1, dgphone-token.{}", bridge.token());
    request.headers_mut().insert("Sec-WebSocket-Protocol", HeaderValue::from_str(&protocol).unwrap());
    let (socket, _) = tokio_tungstenite::connect_async(request).await.expect("the event socket");
    socket
}

/// The next text frame's Seq, skipping the others (the snapshot, and
/// overflow reports: the library's or this subscriber's, counted).
async fn next_seq(socket: &mut Ws, overflows: &mut usize) -> usize {
    loop {
        if let Message::Text(text) = socket.next().await.expect("open").expect("a frame") {
            if let Some(n) = seq_of(&text) {
                return n;
            }
            if text.starts_with("{\"type\":\"overflow\"") {
                *overflows += 1;
            }
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn micros(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1e6)
}

fn count(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let latency_events = count("BRIDGE_BENCH_EVENTS", 2000);
    let fanout_events = count("BRIDGE_BENCH_FANOUT", 10_000);
    let subscribers = 100;

    let sim = Arc::new(Simulator::start("127.0.0.1:0", SimConfig::default()).unwrap());
    // The library's callback time of the event in flight, by its Seq.
    let tapped: Arc<Mutex<Option<(usize, Instant)>>> = Arc::new(Mutex::new(None));
    let tap = {
        let tapped = tapped.clone();
        Arc::new(move |event: &ClientEvent| {
            if let Some(n) = event.phone().and_then(|e| e.get("Seq")).and_then(|s| s.parse().ok()) {
                *tapped.lock().unwrap() = Some((n, Instant::now()));
            }
        })
    };
    let dir = std::env::temp_dir().join(format!("dgphone-bridge-bench-{}", std::process::id()));
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        token_file: dir.join("token"),
        subscriber_buffer: fanout_events + 16,
        log: Some(Arc::new(|_: &str| {})),
        tap: Some(tap),
        ..Config::new("127.0.0.1", sim.port(), "201")
    };
    let bridge = Bridge::start(config).await.unwrap();
    assert!(sim.wait_for_logins(1, Duration::from_secs(10)), "the bridge logged in");
    let _ = sim.wait_for_command("Status", Duration::from_secs(10));

    // 1. Latency, one event at a time.
    let mut socket = subscribe(&bridge).await;
    let (mut library, mut websocket) = (Vec::new(), Vec::new());
    let warmup = latency_events / 10;
    for n in 0..warmup + latency_events {
        let sent = Instant::now();
        sim.send_packet(&numbered(n));
        let mut overflows = 0;
        while next_seq(&mut socket, &mut overflows).await != n {}
        let arrived = Instant::now();
        let called = match *tapped.lock().unwrap() {
            Some((seq, at)) if seq == n => at,
            other => panic!("the tap saw {other:?}, not {n}"),
        };
        if n >= warmup {
            library.push(called - sent);
            websocket.push(arrived - sent);
        }
    }
    library.sort();
    websocket.sort();
    let build = if cfg!(debug_assertions) { "debug build: use --release" } else { "release" };
    println!(
        "dgphone bridge benchmark ({build}; {latency_events} events one at a time, then a burst to {subscribers} tabs)"
    );
    println!("latency from the simulator's write, same run:");
    println!(
        "  library callback   p50 {:>8}   p99 {:>8}",
        micros(percentile(&library, 0.5)),
        micros(percentile(&library, 0.99))
    );
    println!(
        "  WebSocket client   p50 {:>8}   p99 {:>8}",
        micros(percentile(&websocket, 0.5)),
        micros(percentile(&websocket, 0.99))
    );
    drop(socket);

    // 2. Fan-out to 100 subscribers.
    let base = warmup + latency_events;
    let last = base + fanout_events - 1;
    let mut tabs = Vec::new();
    for _ in 0..subscribers {
        tabs.push(subscribe(&bridge).await);
    }
    while bridge.phone().subscribers() < subscribers {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let done: Vec<_> = tabs
        .into_iter()
        .map(|mut tab| {
            tokio::spawn(async move {
                let (mut got, mut overflows) = (0usize, 0usize);
                loop {
                    let n = next_seq(&mut tab, &mut overflows).await;
                    if n >= base {
                        got += 1;
                    }
                    if n == last {
                        return (got, overflows, Instant::now());
                    }
                }
            })
        })
        .collect();
    let started = Instant::now();
    let writer = sim.clone();
    tokio::task::spawn_blocking(move || {
        for n in base..=last {
            writer.send_packet(&numbered(n));
        }
    })
    .await
    .unwrap();
    let mut finished = started;
    let (mut delivered, mut reports) = (0, 0);
    for tab in done {
        let (got, overflows, at) = tab.await.unwrap();
        delivered += got;
        reports += overflows;
        finished = finished.max(at);
    }
    let took = (finished - started).as_secs_f64();
    println!(
        "fan-out: {fanout_events} events to {subscribers} WebSocket subscribers in {took:.2} s: {:.0} events/s, {:.0} deliveries/s ({delivered} of {} delivered)",
        fanout_events as f64 / took,
        delivered as f64 / took,
        fanout_events * subscribers
    );
    println!(
        "lost: {} in the library's backlog to the callback, {reports} overflow reports to the tabs",
        bridge.phone().handle().dropped_events()
    );
    bridge.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}
