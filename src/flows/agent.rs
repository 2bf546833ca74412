//! The agent (call-centre attendant) login by feature code, and the agent
//! logoff and pause.
//!
//! Agent login, as DGPhone sites do it: dial a feature code (e.g. `*9800`)
//! on a line; on Dialing send the agent code and `#` as DTMF; on Answer send
//! the password and `#`; then DGPhone reports AgentLogin. The password
//! travels as DTMF, so it is never logged (the client redacts DTMF).

use std::fmt;
use std::time::Duration;

use thiserror::Error;

use crate::client::ClientHandle;
use crate::protocol::{validate, ArgError, Command, Event, EventKind, Line};

/// How to log an agent in.
#[derive(Clone)]
pub struct AgentLogin {
    /// The feature code to dial. Default `*9800`.
    pub feature_code: String,
    /// The agent's code.
    pub agent: String,
    /// The agent's password; never logged.
    pub password: String,
    /// The line to use. Default line 1.
    pub line: Line,
    /// The longest wait for each step's event. Default 10 s.
    pub step_timeout: Duration,
}

impl fmt::Debug for AgentLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgentLogin")
            .field("feature_code", &self.feature_code)
            .field("agent", &self.agent)
            .field("password", &"<redacted>")
            .field("line", &self.line)
            .field("step_timeout", &self.step_timeout)
            .finish()
    }
}

impl AgentLogin {
    /// An agent login with the usual feature code on line 1.
    pub fn new(agent: &str, password: &str) -> AgentLogin {
        AgentLogin {
            feature_code: "*9800".into(),
            agent: agent.into(),
            password: password.into(),
            line: Line::new(1).expect("line 1 exists"),
            step_timeout: Duration::from_secs(10),
        }
    }
}

/// The steps of the agent login, to say where it failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgentLoginStep {
    SelectLine,
    DialFeatureCode,
    SendAgentCode,
    SendPassword,
}

/// Why an agent login failed, and at which step.
#[derive(Debug, Error)]
#[error("agent login failed at {step:?}: {source}")]
pub struct AgentLoginError {
    pub step: AgentLoginStep,
    #[source]
    pub source: crate::Error,
}

fn check_digits(arg: &str, value: &str) -> Result<(), ArgError> {
    validate::check_digits(value).map_err(|e| ArgError { arg: arg.into(), reason: e.reason })
}

/// Logs an agent in. Returns the AgentLogin event. A Hangup or Error on the
/// line before AgentLogin fails the last step. Not from inside a callback
/// (each step waits for the reader thread).
pub fn agent_login(client: &ClientHandle, login: &AgentLogin) -> Result<Event, AgentLoginError> {
    use AgentLoginStep::*;
    let fail = |step| move |source| AgentLoginError { step, source };
    let invalid = |step, e: ArgError| AgentLoginError { step, source: e.into() };
    check_digits("feature code", &login.feature_code).map_err(|e| invalid(DialFeatureCode, e))?;
    check_digits("agent", &login.agent).map_err(|e| invalid(SendAgentCode, e))?;
    check_digits("password", &login.password).map_err(|e| invalid(SendPassword, e))?;
    let line = login.line;
    let timeout = login.step_timeout;

    client.send_and_confirm(&Command::LineSelect(line), timeout).map_err(fail(SelectLine))?;
    let dial = Command::Dial { number: login.feature_code.clone(), line: None };
    client.send_and_confirm(&dial, timeout).map_err(fail(DialFeatureCode))?;

    let answered = client.expect(move |e| on_line(e, line, &[EventKind::Answer, EventKind::Hangup, EventKind::Error]));
    client.send_dtmf(&format!("{}#", login.agent)).map_err(fail(SendAgentCode))?;
    let event = answered.wait(timeout).map_err(fail(SendAgentCode))?;
    if event.kind() != EventKind::Answer {
        return Err(AgentLoginError { step: SendAgentCode, source: step_refused(event) });
    }

    let agent = login.agent.clone();
    let logged_in = client.expect(move |e| {
        (e.kind() == EventKind::AgentLogin && e.agent().map_or(true, |a| a == agent))
            || on_line(e, line, &[EventKind::Hangup, EventKind::Error])
    });
    client.send_dtmf(&format!("{}#", login.password)).map_err(fail(SendPassword))?;
    let event = logged_in.wait(timeout).map_err(fail(SendPassword))?;
    if event.kind() != EventKind::AgentLogin {
        return Err(AgentLoginError { step: SendPassword, source: step_refused(event) });
    }
    Ok(event)
}

fn on_line(event: &Event, line: Line, kinds: &[EventKind]) -> bool {
    kinds.contains(&event.kind()) && event.line().map_or(event.kind() == EventKind::Error, |l| l == line)
}

fn step_refused(event: Event) -> crate::Error {
    crate::Error::CommandFailed { event: Box::new(event) }
}

/// Logs an agent off by dialling the site's logoff feature code, and waits
/// for AgentLogoff.
pub fn agent_logoff(client: &ClientHandle, feature_code: &str, timeout: Duration) -> crate::Result<Event> {
    check_digits("feature code", feature_code)?;
    let logged_off = client.expect(|e| e.kind() == EventKind::AgentLogoff);
    client.dial(feature_code)?;
    logged_off.wait(timeout)
}

/// Pauses (or resumes) an agent and waits for AgentPaused.
pub fn agent_pause(
    client: &ClientHandle,
    agent: &str,
    paused: bool,
    reason: Option<&str>,
    timeout: Duration,
) -> crate::Result<Event> {
    let command = Command::AgentPause { agent: agent.into(), paused, reason: reason.map(str::to_string) };
    client.send_and_confirm(&command, timeout)
}
