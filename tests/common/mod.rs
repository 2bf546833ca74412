//! Shared helpers for the integration tests: a simulator on an ephemeral
//! loopback port and waits that pull from the client's queue with a generous
//! timeout (never a sleep).
#![allow(dead_code)]

use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use dgphone::{Client, ClientEvent, ClientHandle, Event, EventKind, Line, Options};
use dgphone_sim::{SimConfig, Simulator};

/// Generous: these waits only take long when something is broken.
pub const WAIT: Duration = Duration::from_secs(10);

pub fn sim(config: SimConfig) -> Simulator {
    Simulator::start("127.0.0.1:0", config).expect("simulator starts on an ephemeral port")
}

pub fn connect(sim: &Simulator, options: Options) -> Client {
    Client::connect("127.0.0.1", sim.port(), options).expect("client connects to the simulator")
}

/// Options for a test that pulls from the queue while it also sets a
/// callback: since delivery became explicit, the queue collects beside a
/// callback only when asked.
pub fn queue_and_callback() -> Options {
    Options { queue_with_callback: true, ..Options::default() }
}

/// Connects and logs in as 201, and takes the queued events up to
/// LoggedIn, so a test's own waits start from a quiet queue. The queue
/// keeps collecting if the test then sets a callback.
pub fn logged_in(sim: &Simulator) -> Client {
    let client = connect(sim, queue_and_callback());
    client.login("201").expect("login accepted");
    wait_for(&client, "LoggedIn", |e| matches!(e, ClientEvent::LoggedIn { user } if user == "201"));
    client
}

pub fn line(n: u32) -> Line {
    Line::new(n).unwrap()
}

/// Pulls events until one matches; panics with what came instead.
pub fn wait_for<F: Fn(&ClientEvent) -> bool>(client: &ClientHandle, what: &str, matches: F) -> ClientEvent {
    let deadline = Instant::now() + WAIT;
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match client.next_event(left) {
            Some(event) if matches(&event) => return event,
            Some(event) => seen.push(event),
            None => break,
        }
    }
    panic!("no {what} within {WAIT:?}; saw {seen:#?}");
}

/// Holds the callback thread inside one callback until the test lets it
/// go, so that events pile up behind it.
#[derive(Clone)]
pub struct Gate(std::sync::Arc<GateChannels>);

pub struct GateChannels {
    held: (Mutex<Sender<()>>, Mutex<Receiver<()>>),
    release: (Mutex<Sender<()>>, Mutex<Receiver<()>>),
}

impl Gate {
    pub fn new() -> Gate {
        let pair = || {
            let (tx, rx) = channel();
            (Mutex::new(tx), Mutex::new(rx))
        };
        Gate(std::sync::Arc::new(GateChannels { held: pair(), release: pair() }))
    }

    /// In the callback: says it is held, then waits to be let go (for
    /// [`WAIT`] at most).
    pub fn hold(&self) {
        let _ = self.0.held.0.lock().unwrap().send(());
        let _ = self.0.release.1.lock().unwrap().recv_timeout(WAIT);
    }

    /// In the test: waits until a callback is held.
    pub fn wait_held(&self) {
        self.0.held.1.lock().unwrap().recv_timeout(WAIT).expect("the callback is held");
    }

    pub fn release(&self) {
        self.0.release.0.lock().unwrap().send(()).unwrap();
    }
}

/// Waits for a DGPhone event of `kind` (on `line`, when given).
pub fn wait_phone(client: &ClientHandle, kind: EventKind, on: Option<u32>) -> Event {
    let what = format!("{kind:?} on line {on:?}");
    let event = wait_for(client, &what, |e| {
        e.phone().map_or(false, |p| p.kind() == kind && on.map_or(true, |n| p.line() == Some(line(n))))
    });
    event.phone().cloned().expect("matched a phone event")
}

/// A DGPhone that flaps: it accepts each connection, answers its Login with
/// Success, then closes it at once. Counts the connections it accepted.
pub struct FlappingServer {
    pub port: u16,
    pub accepted: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

pub fn flapping_server() -> FlappingServer {
    use std::io::{BufRead, BufReader, Write};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    let port = listener.local_addr().unwrap().port();
    let accepted = std::sync::Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    // The thread ends with the test process; each connection is served in
    // turn, as the client makes one at a time.
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = match stream {
                Ok(stream) => stream,
                Err(_) => continue,
            };
            count.fetch_add(1, Ordering::SeqCst);
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let (mut line, mut is_login) = (String::new(), false);
            loop {
                line.clear();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) if line.trim().eq_ignore_ascii_case("Command: Login") => is_login = true,
                    Ok(_) if line.trim().is_empty() && is_login => {
                        let response = "Event: DGPhoneResponse\r\nResponse: Success\r\nCommand: Login\r\n\
                                        User: 201\r\nMessage: Login OK\r\n\r\n";
                        let _ = stream.write_all(response.as_bytes());
                        break;
                    }
                    Ok(_) => {}
                }
            }
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
    });
    FlappingServer { port, accepted }
}

/// A DGPhone whose host takes no new connection: a listener with room for
/// one waiting connection, and that room taken, so the kernel drops a
/// connect's SYN and the connect hangs until its timeout. `let_one_in`
/// takes the filler off; a connect still trying then gets through on its
/// next SYN, and is accepted.
pub struct BlackHole {
    pub port: u16,
    listener: socket2::Socket,
    filler: Option<std::net::TcpStream>,
}

pub fn black_hole() -> BlackHole {
    use socket2::{Domain, Socket, Type};
    let listener = Socket::new(Domain::IPV4, Type::STREAM, None).expect("a socket");
    let any_port: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
    listener.bind(&any_port.into()).expect("bind an ephemeral port");
    // A backlog of 0 leaves room for one connection on Linux.
    listener.listen(0).expect("listen");
    let port = listener.local_addr().unwrap().as_socket().unwrap().port();
    let filler = std::net::TcpStream::connect(("127.0.0.1", port)).expect("the filler connects");
    BlackHole { port, listener, filler: Some(filler) }
}

impl BlackHole {
    /// Accepts the filler, so that room is free again.
    pub fn let_one_in(&mut self) {
        let (_filler_end, _) = self.listener.accept().expect("the filler is accepted");
        self.filler = None;
    }

    /// Waits for the next connection and returns it.
    pub fn accept(&self) -> std::net::TcpStream {
        let (socket, _) = self.listener.accept().expect("a connection comes");
        socket.into()
    }
}

/// Waits until a connect to `port` on this machine is sending its SYN
/// (Linux's /proc/net/tcp shows it in state SYN_SENT).
pub fn wait_connect_in_progress(port: u16) {
    let deadline = Instant::now() + WAIT;
    let remote = format!(":{port:04X} ");
    loop {
        let table = std::fs::read_to_string("/proc/net/tcp").expect("/proc/net/tcp (Linux)");
        // Columns: sl, local address, remote address, state ("02": SYN_SENT).
        let sending = table.lines().skip(1).any(|row| {
            let columns: Vec<&str> = row.split_whitespace().collect();
            columns.len() > 3 && format!("{} ", columns[2]).ends_with(&remote) && columns[3] == "02"
        });
        if sending {
            return;
        }
        assert!(Instant::now() < deadline, "no connect to port {port} started");
        std::thread::sleep(Duration::from_millis(10));
    }
}
