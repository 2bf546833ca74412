//! From the connection options to a logged-in client.

use std::time::Duration;

use dgphone::client::{EventHandler, Reconnect};
use dgphone::{Client, Options};

use crate::args::{ConnectArgs, KeepAliveArgs};
use crate::failure::Failure;

impl ConnectArgs {
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }

    /// Library options: one timeout for connecting, writing and waiting.
    pub fn options(&self) -> Options {
        Options { connect_timeout: self.timeout(), command_timeout: self.timeout(), ..Options::default() }
    }
}

impl KeepAliveArgs {
    /// Adds reconnection and dead-peer detection to `options`.
    pub fn apply(&self, options: Options) -> Options {
        Options {
            reconnect: self.reconnect.then(Reconnect::default),
            dead_peer_timeout: self.dead_after.map(Duration::from_secs),
            ..options
        }
    }
}

/// Connects and logs in. The event handler, when given, is set before
/// connecting so that it sees every event from the greeting on.
pub fn open(args: &ConnectArgs, options: Options, handler: Option<EventHandler>) -> Result<Client, Failure> {
    let client = Client::new(options);
    if handler.is_some() {
        client.set_event_handler(handler).map_err(|e| Failure::from_error(e, "set up"))?;
    }
    client
        .connect(&args.host, args.port)
        .map_err(|e| Failure::from_error(e, &format!("connect to {}:{}", args.host, args.port)))?;
    client.login(&args.user).map_err(|e| Failure::from_error(e, &format!("log in as {}", args.user)))?;
    Ok(client)
}
