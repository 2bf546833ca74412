//! What the simulator tells its observer, and how a log shows it.

use std::fmt::Write;
use std::net::SocketAddr;
use std::time::Duration;

use super::{Fault, ScenarioOutcome};
use crate::protocol::names::{self, header};
use crate::wire::redact::REDACTED;
use crate::wire::Packet;

/// Something the simulator did, as told to an observer. `client` numbers
/// connections from 1 in the order they were accepted. More kinds may come.
#[derive(Debug)]
#[non_exhaustive]
pub enum Traffic<'a> {
    /// A client connected.
    Connected { client: u64, peer: SocketAddr },
    /// A packet came from a client (before it is answered).
    Received { client: u64, packet: &'a Packet },
    /// A packet was written to a client.
    Sent { client: u64, packet: &'a Packet },
    /// Bytes were written to a client as they are (the greeting,
    /// [`Simulator::send_raw`](super::Simulator::send_raw)).
    SentRaw { client: u64, bytes: &'a [u8] },
    /// Bytes came from a client, as read (told before they are decoded).
    BytesReceived { client: u64, bytes: &'a [u8] },
    /// Bytes are being written to a client, as one write (told just before
    /// the write, so the order of traffic is kept).
    BytesSent { client: u64, bytes: &'a [u8] },
    /// A client's connection ended, and why; `by_client` when the client
    /// closed it.
    Closed { client: u64, reason: &'a str, by_client: bool },
    /// A fault was set or played on a client's connection (`None`: on the
    /// whole simulator). A one-shot fault's bytes are not also told as
    /// packets.
    Fault { client: Option<u64>, fault: &'a Fault },
    /// A restart fault: every client was dropped and the port closed.
    Restarting { down_for: Duration },
    /// Listening again after a restart.
    Listening { addr: SocketAddr },
    /// A client's scenario began the step on this line.
    ScenarioStep { client: u64, line: usize, step: &'a str },
    /// A client's scenario ended (passed or failed).
    ScenarioEnded { client: u64, outcome: &'a ScenarioOutcome },
}

impl Traffic<'_> {
    /// One line for a person reading a log (the binaries print it), or
    /// `None` for the raw byte notices, which the packet lines already
    /// describe. DTMF digits are hidden: an agent's password travels as
    /// DTMF.
    pub fn log_line(&self) -> Option<String> {
        Some(match self {
            Traffic::Connected { client, peer } => format!("[{client}] connected from {peer}"),
            Traffic::Received { client, packet } => format!("[{client}] <- {}", describe(packet)),
            Traffic::Sent { client, packet } => format!("[{client}] -> {}", describe(packet)),
            Traffic::SentRaw { client, bytes } => format!("[{client}] -> raw \"{}\"", bytes.escape_ascii()),
            Traffic::BytesReceived { .. } | Traffic::BytesSent { .. } => return None,
            Traffic::Closed { client, reason, .. } => format!("[{client}] closed: {reason}"),
            Traffic::Fault { client: Some(client), fault } => format!("[{client}] fault: {fault}"),
            Traffic::Fault { client: None, fault } => format!("[*] fault: {fault}"),
            Traffic::Restarting { down_for } => {
                format!("[*] restart: every client dropped, port closed for {down_for:?}")
            }
            Traffic::Listening { addr } => format!("[*] listening again on {addr}"),
            Traffic::ScenarioStep { client, line, step } => format!("[{client}] scenario line {line}: {step}"),
            Traffic::ScenarioEnded { client, outcome } => match &outcome.result {
                Ok(()) => format!("[{client}] scenario {} passed", outcome.scenario),
                Err(failure) => format!("[{client}] scenario FAILED: {failure}"),
            },
        })
    }
}

/// A packet on one line: what it is (a command's Command, a DGPhoneEvent's
/// Status, any other packet's Event), then `Key=Value` for the rest, with
/// DTMF digits shown as `<redacted>`, as in the client's logs.
fn describe(packet: &Packet) -> String {
    let is_command = packet.get(header::ACTION).map_or(false, |a| a.eq_ignore_ascii_case(names::DGPHONE_COMMAND));
    let (lead, said): (Option<&str>, &[&str]) = if is_command {
        (packet.get(header::COMMAND), &[header::ACTION, header::COMMAND])
    } else if let Some(status) = packet.get(header::STATUS) {
        (Some(status), &[header::EVENT, header::STATUS])
    } else {
        (packet.get(header::EVENT), &[header::EVENT])
    };
    let mut line = lead.unwrap_or("(empty)").to_string();
    for (key, value) in packet.iter().filter(|(key, _)| !said.iter().any(|k| k.eq_ignore_ascii_case(key))) {
        let value = if key.eq_ignore_ascii_case(header::DIGITS) { REDACTED } else { value };
        let _ = write!(line, " {key}={value}");
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packets_show_on_one_line_with_dtmf_hidden() {
        let dtmf = Packet::from_pairs(&[("Action", "DGPhoneCommand"), ("Command", "SendDtmf"), ("Digits", "4321#")]);
        let line = Traffic::Received { client: 3, packet: &dtmf }.log_line().unwrap();
        assert_eq!(line, "[3] <- SendDtmf Digits=<redacted>");
        let ring = Packet::from_pairs(&[("Event", "DGPhoneEvent"), ("Status", "ReceivingCall"), ("Line", "1")]);
        let line = Traffic::Sent { client: 1, packet: &ring }.log_line().unwrap();
        assert_eq!(line, "[1] -> ReceivingCall Line=1");
        let response =
            Packet::from_pairs(&[("Event", "DGPhoneResponse"), ("Response", "Success"), ("Command", "Login")]);
        let line = Traffic::Sent { client: 1, packet: &response }.log_line().unwrap();
        assert_eq!(line, "[1] -> DGPhoneResponse Response=Success Command=Login");
        assert_eq!(Traffic::BytesSent { client: 1, bytes: b"x" }.log_line(), None);
    }
}
