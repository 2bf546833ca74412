//! How a simulated DGPhone behaves: plain data, chosen before it starts.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use super::fault::Fault;
use super::scenario::Scenario;

/// How the simulator answers `Login`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoginPolicy {
    /// `Response: Success`, `Message: Login OK`.
    Accept,
    /// `Response: Error` with this message, as DGPhone words it (e.g.
    /// `Invalid user`, `User is not active`).
    Reject(String),
    /// Never answers, so clients can test their login timeout.
    Ignore,
}

/// How the simulator ends the lines it writes (a bare LF, as some field
/// software writes, lets clients test that they accept it).
pub use crate::wire::LineEnding;
use crate::wire::{Charset, Encoding};

/// How a refused login is told.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LoginRefusal {
    /// `Event: DGPhoneResponse` with `Response: Error`, as the documents
    /// say. The default.
    #[default]
    Response,
    /// `Event: DGPhoneEvent` with `Status: Error`, as field code also gets it.
    Event,
    /// The response, then the event.
    Both,
}

/// What `Hangup` on an idle line gets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IdleHangup {
    /// `Status: Error`, `Message: Line N is idle`. The default, which the
    /// library's client reads as a refused command.
    #[default]
    Refuse,
    /// `Status: Ready` on that line, as a DGPhone plausibly does: pressing
    /// hang-up on an idle phone leaves it ready, and field code that hangs
    /// up "to be sure" before dialling sees no error.
    Ready,
}

/// Which fields a `DGTimeStamp` carries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TimestampFields {
    /// `Time: YYYY-MM-DD HH:MM:SS` in local time, as the documents say. The
    /// default. (Local time comes from the C library's `localtime_r` on
    /// Unix; elsewhere it is UTC.)
    #[default]
    Time,
    /// `Timestamp:` in Unix seconds, colon-free, as field DGPhones send it
    /// and field parsers that split on every `:` read it.
    Timestamp,
    /// `Time`, then `Timestamp`.
    Both,
}

/// One of `names` (without regard to case), for the programs' options.
fn by_name<T: Copy>(what: &str, text: &str, names: &[(&str, T)]) -> Result<T, String> {
    let text = text.trim();
    names.iter().find(|(name, _)| name.eq_ignore_ascii_case(text)).map(|(_, value)| *value).ok_or_else(|| {
        let names: Vec<&str> = names.iter().map(|(name, _)| *name).collect();
        format!("{text:?} is not {what} ({})", names.join(", "))
    })
}

impl FromStr for TimestampFields {
    type Err = String;

    /// `time`, `timestamp` or `both`.
    fn from_str(text: &str) -> Result<TimestampFields, String> {
        let names = [
            ("time", TimestampFields::Time),
            ("timestamp", TimestampFields::Timestamp),
            ("both", TimestampFields::Both),
        ];
        by_name("a timestamp field", text, &names)
    }
}

impl FromStr for LoginRefusal {
    type Err = String;

    /// `response`, `event` or `both`.
    fn from_str(text: &str) -> Result<LoginRefusal, String> {
        let names =
            [("response", LoginRefusal::Response), ("event", LoginRefusal::Event), ("both", LoginRefusal::Both)];
        by_name("a refusal form", text, &names)
    }
}

impl FromStr for IdleHangup {
    type Err = String;

    /// `refuse` or `ready`.
    fn from_str(text: &str) -> Result<IdleHangup, String> {
        by_name("an idle-hangup answer", text, &[("refuse", IdleHangup::Refuse), ("ready", IdleHangup::Ready)])
    }
}

/// The simulator's behaviour. Start from [`SimConfig::default`] and change
/// what a test needs:
///
/// ```
/// use dgphone_sim::{LoginPolicy, SimConfig};
/// let config = SimConfig { login: LoginPolicy::Reject("Invalid user".into()), ..SimConfig::default() };
/// # let _ = config;
/// ```
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// How `Login` is answered. Default: [`LoginPolicy::Accept`].
    pub login: LoginPolicy,
    /// How a refused login (rejected, or without `User`) is told. Default
    /// [`LoginRefusal::Response`].
    pub login_refusal: LoginRefusal,
    /// A colon-less line sent as soon as a client connects, as real DGPhone
    /// does (field clients wait for it). Default: `DGPhone Remote Control/1.0`.
    pub greeting: Option<String>,
    /// How often logged-in clients get a `DGTimeStamp`. Default: `None`, so
    /// tests read only what they asked for.
    pub timestamp_interval: Option<Duration>,
    /// Which fields a `DGTimeStamp` carries. Default [`TimestampFields::Time`].
    pub timestamp_fields: TimestampFields,
    /// Send timestamps from the moment a client connects, before it logs in,
    /// as field DGPhones do (field code counts them for its login timeout).
    /// Default false: only to logged-in clients.
    pub timestamps_from_connect: bool,
    /// When true the far end answers every `Dial` at once (`Dialing`, then
    /// `Answer`); when false the line stays `Dialing` until
    /// [`Simulator::far_end_answer`](super::Simulator::far_end_answer).
    /// Default: true.
    pub auto_answer: bool,
    /// How long the far end rings before it answers a `Dial` (with
    /// `auto_answer` on): `Dialing` at once, `Answer` this long after. The
    /// serving thread keeps reading and answering commands meanwhile; a
    /// hangup before then cancels the answer. Default zero (at once), so
    /// tests are quick; the `dgphone sim` and `dgphone-sim` programs
    /// default to 2 s, as a real call rings.
    pub answer_delay: Duration,
    /// What `Hangup` on an idle line gets. Default [`IdleHangup::Refuse`].
    pub idle_hangup: IdleHangup,
    /// Dialling this number starts the agent-login exchange. Default `*9800`.
    pub agent_feature_code: String,
    /// The agent password the exchange accepts; `None` accepts any.
    pub agent_password: Option<String>,
    /// How lines end. Default [`LineEnding::CrLf`].
    pub line_ending: LineEnding,
    /// Write text in Windows-1252 instead of UTF-8, as a Windows DGPhone
    /// writing Portuguese messages (`Não`) does. ASCII is the same either
    /// way, so only non-ASCII text (such as a rejection message) changes.
    /// Default false.
    pub windows_1252: bool,
    /// Faults every connection starts with: lasting ones from the moment it
    /// opens, one-shot ones played once, right after its login is accepted.
    /// More can be set at run time ([`Simulator::set_fault`](super::Simulator::set_fault)).
    /// Default none.
    pub faults: Vec<Fault>,
    /// Played against each connection from the moment it opens, each with
    /// its own progress; how each run ended is told to the observer and
    /// kept ([`Simulator::wait_for_scenario`](super::Simulator::wait_for_scenario)).
    /// Default none.
    pub scenario: Option<Arc<Scenario>>,
}

impl Default for SimConfig {
    fn default() -> SimConfig {
        SimConfig {
            login: LoginPolicy::Accept,
            login_refusal: LoginRefusal::Response,
            greeting: Some("DGPhone Remote Control/1.0".to_string()),
            timestamp_interval: None,
            timestamp_fields: TimestampFields::Time,
            timestamps_from_connect: false,
            auto_answer: true,
            answer_delay: Duration::ZERO,
            idle_hangup: IdleHangup::Refuse,
            agent_feature_code: "*9800".to_string(),
            agent_password: None,
            line_ending: LineEnding::CrLf,
            windows_1252: false,
            faults: Vec::new(),
            scenario: None,
        }
    }
}

impl SimConfig {
    /// The byte form this simulated DGPhone writes.
    pub(crate) fn encoding(&self) -> Encoding {
        let charset = if self.windows_1252 { Charset::Windows1252 } else { Charset::Utf8 };
        Encoding { line_ending: self.line_ending, charset }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switches_by_name() {
        assert_eq!("Timestamp".parse(), Ok(TimestampFields::Timestamp));
        assert_eq!(" both".parse(), Ok(LoginRefusal::Both));
        assert_eq!("ready".parse(), Ok(IdleHangup::Ready));
        let wrong = "x".parse::<TimestampFields>().unwrap_err();
        assert_eq!(wrong, "\"x\" is not a timestamp field (time, timestamp, both)");
    }
}
