//! `dgphone bridge`: the command line of the `dgphone-bridge` crate, which
//! does the work (docs/bridge.md).
//!
//! Standard output gets `dgphone bridge listening on http://ADDR/` as soon
//! as it listens (a script reads the port there; `--listen 127.0.0.1:0`
//! picks a free one), then `token file: PATH`; on a terminal also the
//! panel's address with the token in its fragment, to open in a browser.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use dgphone_bridge::{security, Config};

use crate::args::BridgeArgs;
use crate::failure::{Exit, Failure};

/// HOST:PORT, the port required.
fn host_port(text: &str) -> Result<(String, u16), Failure> {
    let bad = || Failure::new(Exit::Usage, format!("--dgphone {text:?}: expected HOST:PORT (127.0.0.1:5038)"));
    let (host, port) = text.rsplit_once(':').ok_or_else(bad)?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return Err(bad());
    }
    Ok((host.to_string(), port.parse().map_err(|_| bad())?))
}

pub fn run(args: BridgeArgs) -> Result<(), Failure> {
    let (host, port) = host_port(&args.dgphone)?;
    let token_file = args.token_file.clone().unwrap_or_else(security::default_token_file);
    let config = Config {
        listen: args.listen,
        token_file: token_file.clone(),
        allow_origins: args.allow_origins,
        allow_hosts: args.allow_hosts,
        timeout: Duration::from_millis(args.timeout_ms),
        body_limit: args.body_limit,
        ..Config::new(&host, port, &args.user)
    };
    dgphone_bridge::run(config, |bridge| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "dgphone bridge listening on http://{}/", bridge.local_addr());
        let _ = writeln!(out, "token file: {}", token_file.display());
        if out.is_terminal() {
            let _ = writeln!(out, "open the panel: {}", bridge.panel_url());
        }
        let _ = out.flush();
    })
    .map_err(|e| Failure::new(Exit::CannotConnect, format!("bridge: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dgphone_addresses_need_a_port() {
        assert_eq!(host_port("127.0.0.1:5038").unwrap(), ("127.0.0.1".to_string(), 5038));
        assert_eq!(host_port("[::1]:5038").unwrap(), ("::1".to_string(), 5038));
        assert!(host_port("localhost").is_err());
        assert!(host_port(":5038").is_err());
        assert!(host_port("h:99999").is_err());
    }
}
