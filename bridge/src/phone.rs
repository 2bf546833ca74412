//! The bridge's one connection to DGPhone, shared by every browser tab.
//!
//! The blocking `dgphone::Client` lives on its own threads: a supervisor
//! thread connects and logs in (again and again until it works, and again
//! after a logoff or when the library's own reconnection gives up), the
//! library reconnects by itself after a lost connection, and the
//! library's callback thread turns each event into its JSON (the shape of
//! `dgphone monitor --json`) and hands it to a bounded
//! `tokio::sync::broadcast`. Sending there never waits: a subscriber that
//! falls behind loses its oldest items and is told so (see `events.rs`),
//! while the callback, DGPhone's connection and the other tabs go on.
//!
//! Commands run their library flow on tokio's blocking pool, one at a
//! time (a flow may select a line first; two interleaved would pick each
//! other's lines).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, SystemTime};

use dgphone::client::Reconnect;
use dgphone::{Client, ClientEvent, ClientHandle, DisconnectReason, Options};
use serde_json::{json, Value};
use tokio::sync::broadcast;

use crate::json;

/// What the supervisor is told.
enum Wake {
    /// Connect and log in again (after a logoff, or reconnection gave up).
    Reconnect,
    Stop,
}

/// A hook called on the library's callback thread for every event, before
/// the bridge encodes it (the benchmark measures the library's own latency
/// with it). It must return quickly.
pub type Tap = Arc<dyn Fn(&ClientEvent) + Send + Sync>;

pub struct Phone {
    client: Arc<Client>,
    target: String,
    user: String,
    events: broadcast::Sender<Arc<str>>,
    commands: Mutex<()>,
    wake: Mutex<mpsc::Sender<Wake>>,
    supervisor: Mutex<Option<thread::JoinHandle<()>>>,
    /// Set once the first login succeeded (the library reconnects from then on).
    ever_logged_in: Arc<AtomicBool>,
    timeout: Duration,
}

impl Phone {
    /// Starts connecting to `host:port` as `user`; returns at once.
    pub fn start(host: &str, port: u16, user: &str, timeout: Duration, buffer: usize, tap: Option<Tap>) -> Arc<Phone> {
        let options = Options {
            connect_timeout: timeout,
            command_timeout: timeout,
            reconnect: Some(Reconnect::default()),
            // The bridge never logs DTMF; nor does the library.
            redact_dtmf: true,
            // Bursts between DGPhone's socket and the callback, which
            // encodes each event's JSON: 4x the library's default.
            delivery_backlog: 16 * 1024,
            ..Options::default()
        };
        let client = Arc::new(Client::new(options));
        let (events, _) = broadcast::channel::<Arc<str>>(buffer.max(1));
        let (wake_tx, wake_rx) = mpsc::channel();
        let phone = Arc::new(Phone {
            client: client.clone(),
            target: format!("{host}:{port}"),
            user: user.to_string(),
            events: events.clone(),
            commands: Mutex::new(()),
            wake: Mutex::new(wake_tx.clone()),
            supervisor: Mutex::new(None),
            ever_logged_in: Arc::new(AtomicBool::new(false)),
            timeout,
        });
        let target = phone.target.clone();
        let handler = move |handle: &ClientHandle, event: &ClientEvent| {
            if let Some(tap) = &tap {
                tap(event);
            }
            let mut value = json::event(event, &handle.state(), SystemTime::now());
            value["connection"] = connection(handle, &target);
            // No subscriber is not an error: the state is still kept.
            let _ = events.send(Arc::from(value.to_string()));
            let gone = match event {
                ClientEvent::Disconnected { reason } => matches!(reason, DisconnectReason::LoggedOff),
                ClientEvent::ReconnectFailed { .. } => true,
                _ => false,
            };
            if gone {
                let _ = wake_tx.send(Wake::Reconnect);
            }
        };
        client.set_event_handler(Some(Arc::new(handler))).expect("a new client takes a handler");
        let supervisor = {
            let (client, host, user, ever) = (client, host.to_string(), user.to_string(), phone.ever_logged_in.clone());
            thread::Builder::new()
                .name("dgphone-bridge-connect".into())
                .spawn(move || supervise(&client, &host, port, &user, timeout, &ever, &wake_rx))
                .expect("a thread for the connection")
        };
        *phone.supervisor.lock().unwrap() = Some(supervisor);
        phone
    }

    pub fn handle(&self) -> ClientHandle {
        self.client.handle()
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<str>> {
        self.events.subscribe()
    }

    pub fn subscribers(&self) -> usize {
        self.events.receiver_count()
    }

    /// The state as the first item of the event stream and as `GET /v1/state`.
    pub fn snapshot(&self, kind: &str) -> Value {
        let handle = self.client.handle();
        let mut value = json!({ "type": kind, "time_ms": json::unix_ms(SystemTime::now()) });
        if let (Value::Object(object), Value::Object(state)) = (&mut value, json::state(&handle.state())) {
            object.extend(state);
        }
        value["connection"] = connection(&handle, &self.target);
        value
    }

    /// Runs one command's blocking flow, one at a time, off the async threads.
    pub async fn run<T, F>(self: &Arc<Self>, flow: F) -> Result<T, CommandError>
    where
        T: Send + 'static,
        F: FnOnce(&ClientHandle) -> Result<T, CommandError> + Send + 'static,
    {
        let phone = self.clone();
        tokio::task::spawn_blocking(move || {
            let _one_at_a_time = phone.commands.lock().unwrap_or_else(|e| e.into_inner());
            flow(&phone.client.handle())
        })
        .await
        .unwrap_or_else(|e| Err(CommandError::internal(format!("the command's task failed: {e}"))))
    }

    pub fn user(&self) -> &str {
        &self.user
    }

    /// Stops the supervisor and closes the connection.
    pub fn stop(&self) {
        let _ = self.wake.lock().unwrap().send(Wake::Stop);
        self.client.cancel();
        self.client.disconnect();
        if let Some(thread) = self.supervisor.lock().unwrap().take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Phone {
    fn drop(&mut self) {
        let _ = self.wake.lock().unwrap_or_else(|e| e.into_inner()).send(Wake::Stop);
    }
}

/// The connection's state, for the panel and for scripts.
fn connection(handle: &ClientHandle, target: &str) -> Value {
    let (connected, logged_in) = (handle.is_connected(), handle.is_logged_in());
    let state = match (connected, logged_in) {
        (true, true) => "online",
        (true, false) => "connecting",
        _ => "offline",
    };
    json!({ "state": state, "connected": connected, "logged_in": logged_in, "user": handle.user(), "dgphone": target })
}

/// Connects and logs in until it works, then leaves reconnection to the
/// library until told to start over or stop.
fn supervise(
    client: &Client,
    host: &str,
    port: u16,
    user: &str,
    timeout: Duration,
    ever: &AtomicBool,
    wake: &mpsc::Receiver<Wake>,
) {
    let mut delay = Duration::from_millis(200);
    loop {
        let attempt = client.connect(host, port).and_then(|()| client.login(user).map(drop));
        match attempt {
            Ok(()) => {
                ever.store(true, Ordering::SeqCst);
                delay = Duration::from_millis(200);
                // Fill the line states from DGPhone.
                let _ = dgphone::flows::status(client, timeout);
                match wake.recv() {
                    Ok(Wake::Reconnect) => {
                        client.disconnect();
                        continue;
                    }
                    Ok(Wake::Stop) | Err(_) => return,
                }
            }
            Err(_) => {
                client.disconnect();
                match wake.recv_timeout(delay) {
                    Ok(Wake::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                    Ok(Wake::Reconnect) | Err(RecvTimeoutError::Timeout) => {}
                }
                delay = (delay * 2).min(Duration::from_secs(5));
            }
        }
    }
}

/// A failed command, as the API reports it: the HTTP status, a stable
/// code name, the C ABI's numeric code, the library's message and what
/// was being done.
#[derive(Debug)]
pub struct CommandError {
    pub status: u16,
    pub code: &'static str,
    pub dgp_code: u32,
    pub message: String,
    pub doing: Option<String>,
}

impl CommandError {
    /// Bad input: 400, and nothing was sent.
    pub fn invalid(message: impl Into<String>) -> CommandError {
        CommandError {
            status: 400,
            code: "invalid_argument",
            dgp_code: dgphone::ffi::DGP_ERR_INVALID_ARGUMENT,
            message: message.into(),
            doing: None,
        }
    }

    pub fn internal(message: impl Into<String>) -> CommandError {
        CommandError {
            status: 500,
            code: "internal",
            dgp_code: dgphone::ffi::DGP_ERR_INTERNAL,
            message: message.into(),
            doing: None,
        }
    }

    /// The library's error, mapped: bad input 400 (nothing sent), DGPhone
    /// refused 409, not connected 503, timeout 504.
    pub fn from_error(error: dgphone::Error, doing: Option<String>) -> CommandError {
        use dgphone::ffi::*;
        use dgphone::Error as E;
        let (status, code, dgp_code) = match &error {
            E::InvalidArgument(_) => (400, "invalid_argument", DGP_ERR_INVALID_ARGUMENT),
            E::CommandFailed { .. } => (409, "command_failed", DGP_ERR_COMMAND_FAILED),
            E::LoginRejected { .. } => (409, "login_rejected", DGP_ERR_LOGIN_REJECTED),
            E::AlreadyLoggedIn { .. } => (409, "already_logged_in", DGP_ERR_ALREADY_LOGGED_IN),
            E::NotConnected => (503, "not_connected", DGP_ERR_NOT_CONNECTED),
            E::ConnectionLost(_) => (503, "connection_lost", DGP_ERR_CONNECTION_LOST),
            E::NotLoggedIn { .. } => (503, "not_logged_in", DGP_ERR_NOT_LOGGED_IN),
            E::Connect { .. } => (503, "connect", DGP_ERR_CONNECT),
            E::Timeout { .. } => (504, "timeout", DGP_ERR_TIMEOUT),
            E::Cancelled(_) => (503, "cancelled", DGP_ERR_CANCELLED),
            E::NoConfirmation(_) => (500, "no_confirmation", DGP_ERR_NO_CONFIRMATION),
            E::WouldDeadlock(_) => (500, "would_deadlock", DGP_ERR_WOULD_DEADLOCK),
            E::AlreadyConnected => (500, "already_connected", DGP_ERR_ALREADY_CONNECTED),
            _ => (500, "internal", DGP_ERR_INTERNAL),
        };
        CommandError { status, code, dgp_code, message: error.to_string(), doing }
    }
}

impl From<dgphone::flows::StepError> for CommandError {
    fn from(e: dgphone::flows::StepError) -> CommandError {
        CommandError::from_error(e.error, Some(e.doing))
    }
}

impl From<dgphone::Error> for CommandError {
    fn from(e: dgphone::Error) -> CommandError {
        CommandError::from_error(e, None)
    }
}

impl From<dgphone::ArgError> for CommandError {
    fn from(e: dgphone::ArgError) -> CommandError {
        CommandError::from_error(dgphone::Error::InvalidArgument(e), None)
    }
}
