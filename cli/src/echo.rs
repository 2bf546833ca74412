//! Printing events as they arrive, for the console and the demo.
//!
//! The event callback prints each event (and the six lines when they
//! changed) on the client's callback thread, where the library's state is
//! the one as of the event being delivered, so each event shows the state
//! it produced. Then it passes the event on to the main thread. The library
//! wakes a waiting command *before* it runs the callback, so a command's
//! confirmation can return before its event is printed; the main thread
//! calls [`Echo::until`] to wait for the printing too, and what it prints
//! next comes after the event, never in the middle.

use std::io::{self, Write};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dgphone::client::EventHandler;
use dgphone::{ClientEvent, ClientHandle, PhoneState};

use crate::failure::{human, Exit, Failure};
use crate::output;

/// Where printed lines go.
pub trait Sink: Send {
    /// Prints `text` and a newline.
    fn print(&mut self, text: String) -> io::Result<()>;
}

/// Standard output, flushed per line (a reader at the other end of a pipe
/// sees each event as it comes).
pub struct Stdout;

impl Sink for Stdout {
    fn print(&mut self, text: String) -> io::Result<()> {
        let mut out = io::stdout().lock();
        writeln!(out, "{text}")?;
        out.flush()
    }
}

/// The events printed so far, in order, for the main thread.
pub struct Echo {
    printed: Receiver<ClientEvent>,
    sink: Arc<Mutex<Box<dyn Sink>>>,
}

impl Echo {
    /// An event handler that prints to `sink` with `indent` before each
    /// line the events `shown` accepts, and the [`Echo`] that follows what
    /// it printed (all events, shown or not).
    pub fn new(sink: Box<dyn Sink>, indent: &'static str, shown: fn(&ClientEvent) -> bool) -> (EventHandler, Echo) {
        let sink = Arc::new(Mutex::new(sink));
        let (tx, printed) = channel::<ClientEvent>();
        // A Sender is not Sync on older Rust; the handler must be.
        let tx: Mutex<Sender<ClientEvent>> = Mutex::new(tx);
        let last: Mutex<PhoneState> = Mutex::new(PhoneState::new());
        let out = sink.clone();
        let handler = move |client: &ClientHandle, event: &ClientEvent| {
            if !shown(event) {
                let _ = tx.lock().unwrap_or_else(|e| e.into_inner()).send(event.clone());
                return;
            }
            let mut text = format!("{indent}{}", output::event_line(event));
            let now = client.state();
            let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
            if *last != now {
                text.push_str(&format!("\n{indent}{}", output::lines_row(&now)));
                *last = now;
            }
            // A closed terminal is no reason to stop the session.
            let _ = out.lock().unwrap_or_else(|e| e.into_inner()).print(text);
            let _ = tx.lock().unwrap_or_else(|e| e.into_inner()).send(event.clone());
        };
        (Arc::new(handler), Echo { printed, sink })
    }

    /// Prints a line of the main thread's own through the same sink.
    pub fn say(&self, text: impl Into<String>) {
        let _ = self.sink.lock().unwrap_or_else(|e| e.into_inner()).print(text.into());
    }

    /// Forgets what was printed so far.
    pub fn drain(&self) {
        while self.printed.try_recv().is_ok() {}
    }

    /// Waits up to `timeout` until an event `done` accepts has been
    /// printed, and returns it.
    pub fn until(&self, timeout: Duration, done: impl Fn(&ClientEvent) -> bool) -> Result<ClientEvent, Failure> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.printed.recv_timeout(left) {
                Ok(event) if done(&event) => return Ok(event),
                Ok(ClientEvent::Disconnected { reason }) => return Err(Failure::lost(&reason)),
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => {
                    return Err(Failure::new(
                        Exit::Timeout,
                        format!("timed out: nothing came within {}", human(timeout)),
                    ))
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(Failure::new(Exit::ConnectionLost, "the connection's events stopped"))
                }
            }
        }
    }

    /// Waits until `event` (a DGPhone event a command returned) has been
    /// printed.
    pub fn until_printed(&self, timeout: Duration, event: &dgphone::Event) -> Result<(), Failure> {
        self.until(timeout, |printed| printed.phone() == Some(event)).map(drop)
    }
}
