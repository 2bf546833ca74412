//! A connect to a DGPhone that does not answer can be called off: by
//! `cancel` and by `disconnect` from another thread, and a reconnection in
//! progress by `disconnect`. Without it a desk's "Disconnect" button would
//! freeze for the connect timeout, and a disconnect during a connect was
//! lost: the connect went on to start a session nobody wanted.

mod common;

use std::io::Read;
use std::sync::mpsc;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use common::*;
use dgphone::client::Reconnect;
use dgphone::{Client, ClientEvent, Error, Options};

/// Far longer than any test here runs: a connect that ends by its timeout
/// has not been called off.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(120);

fn patient() -> Options {
    Options { connect_timeout: CONNECT_TIMEOUT, ..Options::default() }
}

/// Starts a connect to a DGPhone that does not answer on another thread,
/// calls `call_off` until the connect returns (the first calls may come
/// before it has started), and checks that it returned Cancelled.
fn hung_connect_called_off(call_off: impl Fn(&Client)) -> (BlackHole, Arc<Client>) {
    let hole = black_hole();
    let client = Arc::new(Client::new(patient()));
    let (done_tx, done) = mpsc::channel();
    let connecting = client.clone();
    let port = hole.port;
    thread::spawn(move || {
        let _ = done_tx.send(connecting.connect("127.0.0.1", port));
    });
    let result = loop {
        call_off(&client);
        match done.recv_timeout(Duration::from_millis(20)) {
            Ok(result) => break result,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the connecting thread died"),
        }
    };
    assert!(matches!(result, Err(Error::Cancelled(_))), "{result:?}");
    (hole, client)
}

/// The connection the abandoned connect still makes once there is room is
/// closed at once by the library: nothing reads from it or writes to it.
fn late_connection_is_closed(hole: &mut BlackHole) {
    hole.let_one_in();
    let mut late = hole.accept();
    late.set_read_timeout(Some(WAIT)).unwrap();
    let mut byte = [0u8; 1];
    assert_eq!(late.read(&mut byte).expect("closed, not silent"), 0, "the abandoned connection is closed unused");
}

#[test]
fn cancel_calls_off_a_connect_to_a_dgphone_that_does_not_answer() {
    let (mut hole, client) = hung_connect_called_off(|client| client.cancel());
    assert!(!client.is_connected());
    late_connection_is_closed(&mut hole);
    assert!(!client.is_connected(), "the late connection did not start a session");
    // The client is as good as new: a connect after it works.
    let sim = sim(Default::default());
    client.connect("127.0.0.1", sim.port()).expect("connects after a cancelled connect");
    assert!(client.is_connected());
}

#[test]
fn disconnect_calls_off_a_connect_and_no_session_starts_after_it() {
    // Before, disconnect waited for the connect to end, which then started
    // the session anyway, and the disconnect waited on that session's
    // reader for as long as the connection lived.
    let (mut hole, client) = hung_connect_called_off(|client| client.disconnect());
    late_connection_is_closed(&mut hole);
    assert!(!client.is_connected(), "a disconnect during a connect is not lost");
}

#[test]
fn disconnect_ends_a_reconnection_that_hangs_in_its_connect() {
    let mut hole = black_hole();
    hole.let_one_in();
    let options = Options {
        reconnect: Some(Reconnect {
            initial_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(10),
            max_attempts: None,
        }),
        ..patient()
    };
    let client = Client::new(Options { queue_capacity: 64, ..options });
    client.connect("127.0.0.1", hole.port).expect("connects while there is room");
    let dgphone_side = hole.accept();
    // No room for the reconnection: take the room again, then drop the line.
    let _filler = std::net::TcpStream::connect(("127.0.0.1", hole.port)).expect("the filler connects");
    drop(dgphone_side);
    wait_for(&client, "a reconnection attempt", |e| matches!(e, ClientEvent::Reconnecting { .. }));
    wait_connect_in_progress(hole.port);
    let started = Instant::now();
    client.disconnect();
    // Not a speed figure: a disconnect that waited for the hung connect
    // would take the whole connect timeout.
    assert!(started.elapsed() < CONNECT_TIMEOUT / 2, "disconnect waited {:?}", started.elapsed());
    assert!(!client.is_connected());
}
